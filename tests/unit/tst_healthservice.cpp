// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// HealthService: the component formulas with hand-computed values, the set-based recompute on hand-built
// portfolios (every number below is worked out in the comments next to it), configs, history, trend,
// explanation, timeline events, cancellation, and a generated demo portfolio. Built twice: against SQLite
// (label unit) and PostgreSQL (label pg).
#include <cmath>
#include <memory>

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>
#include <QTimeZone>

#include "columns.h"
#include "demoportfolio.h"
#include "healthservice.h"
#include "sql.h"
#include "testdatabase.h"
#include "transaction.h"

using namespace Qt::StringLiterals;
using Core::ErrorCode;
using Core::HealthInputs;
using Domain::HealthBand;

namespace {

// The day every scenario is scored on; windows (L = 30): W = 2026-05-17..06-15, P = 04-17..05-16,
// S = 03-18..06-15.
const QDate kDay(2026, 6, 15);

// A clock standing still at noon UTC of kDay (a test-local clock keeps this file independent of fixtures).
class StillClock final : public Core::Clock
{
public:
    QDateTime now() const override { return m_now; }
    void set(const QDateTime &now) { m_now = now; }

private:
    QDateTime m_now { kDay, QTime(12, 0), QTimeZone::utc() };
};

QVariant null()
{
    return QVariant(QMetaType::fromType<QString>());
}

QString ts(const QString &text)
{
    return text; // timestamps are written in the stored form, ISO 8601 UTC with milliseconds
}

qint64 count(Storage::Database &db, const QString &sql, const QVariantList &bindings = {})
{
    auto q = Storage::exec(db, sql, bindings);
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

} // namespace

#define SQL(db, ...)                                                                                                   \
    do {                                                                                                               \
        auto r_ = Storage::exec(db, __VA_ARGS__);                                                                      \
        QVERIFY2(r_.ok(), qPrintable(r_.ok() ? QString() : r_.error().toString()));                                    \
    } while (false)

#define FUZZY(actual, expected)                                                                                        \
    QVERIFY2(std::abs(double(actual) - double(expected)) < 0.01,                                                       \
        qPrintable(u"%1 = %2, expected %3"_s.arg(QString::fromLatin1(#actual)).arg(actual).arg(expected)))

class TestHealthService final : public QObject
{
    Q_OBJECT

private:
    // ---- building portfolios ----
    // A demo portfolio on kDay; the generator's error, or nothing.
    static QString generateDemo(Storage::Database &db, int customers, qint64 usageEvents, quint32 seed)
    {
        Core::DemoPortfolio::Options options;
        options.customers = customers;
        options.usageEvents = usageEvents;
        options.seed = seed;
        options.today = kDay;
        Core::DemoPortfolio demo(db, options);
        auto stats = demo.generate();
        return stats.ok() ? QString() : stats.error().toString();
    }
    static void customer(Storage::Database &db, const QString &id, double arr = 0, const QString &status = u"active"_s,
        const QVariant &churnedAt = null())
    {
        SQL(db, u"INSERT INTO customers (id, name, arr, status, churned_at) VALUES (?, ?, ?, ?, ?)"_s,
            { id, QString(u"Customer "_s + id), arr, status, churnedAt });
    }
    static void contract(Storage::Database &db, const QString &id, const QVariant &seatsPurchased,
        const QVariant &seatsUsed, const QVariant &payment, const QString &start = u"2026-01-01"_s,
        const QString &end = u"2026-12-31"_s, const QString &status = u"active"_s)
    {
        SQL(db,
            u"INSERT INTO contracts (customer_id, start_date, end_date, arr, seats_purchased, seats_used, status, "
            "payment_status) VALUES (?, ?, ?, 1000, ?, ?, ?, ?)"_s,
            { id, start, end, seatsPurchased, seatsUsed, status, payment });
    }
    static void daily(Storage::Database &db, const QString &id, const QString &day, int events, int users,
        const QString &feature = QString())
    {
        SQL(db,
            u"INSERT INTO usage_daily (customer_id, day, feature, events, active_users, quantity) VALUES (?, ?, ?, ?, "
            "?, ?)"_s,
            { id, day, feature.isEmpty() ? QVariant(u""_s) : QVariant(feature), events, users, double(events) });
    }
    static void survey(Storage::Database &db, const QString &id, const QString &kind, int score, const QString &at)
    {
        SQL(db, u"INSERT INTO survey_responses (customer_id, kind, score, responded_at) VALUES (?, ?, ?, ?)"_s,
            { id, kind, score, at });
    }
    struct Ticket
    {
        QString opened;
        QVariant firstResponseDue = null();
        QVariant firstResponse = null();
        QVariant resolutionDue = null();
        QVariant resolved = null();
        bool escalated = false;
        QVariant csat = QVariant(QMetaType::fromType<int>());
        QVariant deletedAt = null();
    };
    static void ticket(Storage::Database &db, const QString &id, const Ticket &t)
    {
        SQL(db,
            u"INSERT INTO support_tickets (customer_id, subject, status, opened_at, first_response_due_at, "
            "first_response_at, resolution_due_at, resolved_at, escalated, csat, deleted_at) VALUES (?, 'Help', "
            "'open', ?, ?, ?, ?, ?, ?, ?, ?)"_s,
            { id, t.opened, t.firstResponseDue, t.firstResponse, t.resolutionDue, t.resolved, t.escalated, t.csat,
                t.deletedAt });
    }
    static void storedScore(Storage::Database &db, const QString &id, const QString &day, double score,
        const QString &band, const QString &components = u"{}"_s)
    {
        SQL(db,
            u"INSERT INTO health_scores (customer_id, score_date, score, band, components, config_version) "
            "VALUES (?, ?, ?, ?, ?, 1)"_s,
            { id, day, score, band, components });
    }

    // The main scenario: acme has every component but onboarding (values worked out in acmeScenario()).
    static void buildAcme(Storage::Database &db)
    {
        customer(db, u"acme"_s, 120000);
        // financial: 30 of 40 seats (0.75), payments current (1) → 87.5
        contract(db, u"acme"_s, 40, 30, u"current"_s);
        // usage: first use 2026-03-01; P: 4 days, 80 events; W: 6 days, 60 events, busiest day 5 users.
        daily(db, u"acme"_s, u"2026-03-01"_s, 10, 2);
        for (const QString &day : { u"2026-04-20"_s, u"2026-04-27"_s, u"2026-05-04"_s, u"2026-05-11"_s })
            daily(db, u"acme"_s, day, 20, 3);
        daily(db, u"acme"_s, u"2026-05-20"_s, 10, 2);
        daily(db, u"acme"_s, u"2026-05-27"_s, 10, 5);
        for (const QString &day : { u"2026-06-01"_s, u"2026-06-05"_s, u"2026-06-10"_s, u"2026-06-15"_s })
            daily(db, u"acme"_s, day, 10, 1);
        daily(db, u"acme"_s, u"2026-06-01"_s, 999, 50, u"reports"_s); // per-feature rows are not the total
        // satisfaction (S): NPS 8 → 80 (in W, also a touch), CSAT 4 → 75 (before W); older NPS and CES ignored.
        survey(db, u"acme"_s, u"nps"_s, 8, ts(u"2026-06-01T10:00:00.000Z"_s));
        survey(db, u"acme"_s, u"csat"_s, 4, ts(u"2026-04-01T10:00:00.000Z"_s));
        survey(db, u"acme"_s, u"ces"_s, 2, ts(u"2026-04-10T10:00:00.000Z"_s));
        survey(db, u"acme"_s, u"nps"_s, 0, ts(u"2026-02-01T10:00:00.000Z"_s));
        // An outbound e-mail is not a two-way touch.
        SQL(db,
            u"INSERT INTO communications (customer_id, channel, direction, status, created_at) VALUES ('acme', "
            "'email', 'outbound', 'delivered', ?)"_s,
            { ts(u"2026-06-02T10:00:00.000Z"_s) });
        // support: one ticket in W answered and solved in time, one old one.
        Ticket fine;
        fine.opened = ts(u"2026-06-03T09:00:00.000Z"_s);
        fine.firstResponseDue = ts(u"2026-06-03T13:00:00.000Z"_s);
        fine.firstResponse = ts(u"2026-06-03T10:00:00.000Z"_s);
        fine.resolutionDue = ts(u"2026-06-05T09:00:00.000Z"_s);
        fine.resolved = ts(u"2026-06-04T09:00:00.000Z"_s);
        ticket(db, u"acme"_s, fine);
        Ticket old;
        old.opened = ts(u"2025-11-01T09:00:00.000Z"_s);
        ticket(db, u"acme"_s, old);
    }

    // One database for the hand-built scenarios (a fresh PostgreSQL database costs about two seconds), emptied
    // before every test function and data row.
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    Storage::Database &shared() { return m_fixture->db(); }

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
    }

    void init()
    {
        // Customers cascade to everything the scenarios write (contracts, usage, surveys, tickets, escalations,
        // onboarding, communications, segment members, scores, timeline).
        for (const QString &table : { u"customers"_s, u"segments"_s, u"health_scoring_configs"_s })
            SQL(shared(), u"DELETE FROM "_s + table);
    }

    // ---- formulas ---------------------------------------------------------------------------------------------

    void usageFormula_data()
    {
        QTest::addColumn<int>("lookback");
        QTest::addColumn<int>("firstUsageDaysAgo"); // -1: no usage on record
        QTest::addColumn<int>("activeDays");
        QTest::addColumn<qint64>("events");
        QTest::addColumn<qint64>("previousEvents");
        QTest::addColumn<double>("expected"); // -1: excluded

        QTest::addRow("no usage on record") << 30 << -1 << 0 << qint64(0) << qint64(0) << -1.0;
        // L 28: expected active days 28/7 = 4; F = 4/4 = 1; T = 40/80 = 0.5 → 100·1.5/2
        QTest::addRow("full frequency, volume halved") << 28 << 100 << 4 << qint64(40) << qint64(80) << 75.0;
        // F = 2/4 = 0.5, nothing in P → trend unavailable → 50
        QTest::addRow("no previous volume") << 28 << 100 << 2 << qint64(20) << qint64(0) << 50.0;
        // first use 6 days ago: tracked 7 days, expected 1 active day; F = min(1, 1/1)
        QTest::addRow("new customer, one active day") << 28 << 6 << 1 << qint64(5) << qint64(0) << 100.0;
        // P = D−55..D−28; first use D−40 is inside P, so P is not fully tracked: F = 2/4 → 50 despite P's 10
        QTest::addRow("previous window partly tracked") << 28 << 40 << 2 << qint64(30) << qint64(10) << 50.0;
        // first use exactly on P's first day (D−55) counts as tracked: (4/4 + 30/60)/2
        QTest::addRow("previous window boundary") << 28 << 55 << 4 << qint64(30) << qint64(60) << 75.0;
        QTest::addRow("stopped using") << 28 << 100 << 0 << qint64(0) << qint64(50) << 0.0;
        QTest::addRow("growth is capped") << 28 << 100 << 8 << qint64(100) << qint64(50) << 100.0;
        // L 30: expected 30/7 days; F = 3/(30/7) = 0.7; T = 45/50 = 0.9 → (0.7 + 0.9)/2
        QTest::addRow("thirty days") << 30 << 100 << 3 << qint64(45) << qint64(50) << 80.0;
        // one point: used once, on D itself (tracked 1 day, expected 1/7): F = 1
        QTest::addRow("first use today") << 30 << 0 << 1 << qint64(1) << qint64(0) << 100.0;
    }
    void usageFormula()
    {
        QFETCH(int, lookback);
        QFETCH(int, firstUsageDaysAgo);
        QFETCH(int, activeDays);
        QFETCH(qint64, events);
        QFETCH(qint64, previousEvents);
        QFETCH(double, expected);
        HealthInputs in;
        in.asOf = kDay;
        in.lookbackDays = lookback;
        if (firstUsageDaysAgo >= 0)
            in.firstUsageDay = kDay.addDays(-firstUsageDaysAgo);
        in.activeDays = activeDays;
        in.events = events;
        in.previousEvents = previousEvents;
        const auto score = Core::HealthFormulas::usage(in);
        QCOMPARE(score.has_value(), expected >= 0);
        if (score)
            FUZZY(*score, expected);
        QCOMPARE(Core::HealthFormulas::exclusionReason(Core::HealthComponents::Usage, in).isEmpty(), expected >= 0);
    }

    void engagementFormula_data()
    {
        QTest::addColumn<qint64>("seats"); // -1: unknown
        QTest::addColumn<bool>("usageOnRecord");
        QTest::addColumn<int>("peakUsers");
        QTest::addColumn<int>("touches");
        QTest::addColumn<int>("touchesOnRecord");
        QTest::addColumn<int>("lookback");
        QTest::addColumn<double>("expected");

        QTest::addRow("nothing known") << qint64(-1) << false << 0 << 0 << 0 << 30 << -1.0;
        // breadth = 5 / (0.25·40) = 0.5
        QTest::addRow("breadth only") << qint64(40) << true << 5 << 0 << 0 << 30 << 50.0;
        QTest::addRow("breadth capped") << qint64(40) << true << 12 << 0 << 0 << 30 << 100.0;
        // touches = 1 / 2
        QTest::addRow("touches only") << qint64(-1) << false << 0 << 1 << 3 << 30 << 50.0;
        // breadth 5/25 = 0.2, touches 3/2 → 1: mean 0.6
        QTest::addRow("both") << qint64(100) << true << 5 << 3 << 3 << 30 << 60.0;
        // seats without usage on record give no breadth; touches on record but none in W → 0
        QTest::addRow("silent") << qint64(40) << false << 0 << 0 << 1 << 30 << 0.0;
        QTest::addRow("zero seats") << qint64(0) << true << 3 << 0 << 0 << 30 << -1.0;
        // L 60: two touches expected per 30 days → 4; 2/4
        QTest::addRow("longer lookback") << qint64(-1) << false << 0 << 2 << 2 << 60 << 50.0;
    }
    void engagementFormula()
    {
        QFETCH(qint64, seats);
        QFETCH(bool, usageOnRecord);
        QFETCH(int, peakUsers);
        QFETCH(int, touches);
        QFETCH(int, touchesOnRecord);
        QFETCH(int, lookback);
        QFETCH(double, expected);
        HealthInputs in;
        in.asOf = kDay;
        in.lookbackDays = lookback;
        if (seats >= 0)
            in.seatsPurchased = seats;
        if (usageOnRecord)
            in.firstUsageDay = kDay.addDays(-100);
        in.peakDailyUsers = peakUsers;
        in.touches = touches;
        in.touchesOnRecord = touchesOnRecord > 0;
        const auto score = Core::HealthFormulas::engagement(in);
        QCOMPARE(score.has_value(), expected >= 0);
        if (score)
            FUZZY(*score, expected);
    }

    void supportFormula_data()
    {
        QTest::addColumn<int>("onRecord");
        QTest::addColumn<int>("tickets");
        QTest::addColumn<int>("breached");
        QTest::addColumn<int>("escalations");
        QTest::addColumn<qint64>("seats");
        QTest::addColumn<double>("arr");
        QTest::addColumn<int>("lookback");
        QTest::addColumn<double>("expected");

        QTest::addRow("no support data") << 0 << 0 << 0 << 0 << qint64(50) << 0.0 << 30 << -1.0;
        QTest::addRow("quiet month") << 4 << 0 << 0 << 0 << qint64(50) << 0.0 << 30 << 100.0;
        // points 3 + 2·1 = 5, size 50/10 = 5, rate 1 → 100·(1 − 1/3)
        QTest::addRow("per seat") << 5 << 3 << 1 << 0 << qint64(50) << 0.0 << 30 << 66.667;
        // size max(10, 5)/10 = 1, rate 3 → 0
        QTest::addRow("small account floor") << 3 << 3 << 0 << 0 << qint64(5) << 0.0 << 30 << 0.0;
        // no seats: size 50 000 / 10 000 = 5, points 2 + 3 = 5, rate 1
        QTest::addRow("per ARR") << 3 << 2 << 0 << 1 << qint64(-1) << 50000.0 << 30 << 66.667;
        QTest::addRow("no ARR floor") << 1 << 1 << 0 << 0 << qint64(-1) << 0.0 << 30 << 66.667;
        // L 15: rate = 5·(30/15)/10 = 1
        QTest::addRow("short lookback") << 5 << 5 << 0 << 0 << qint64(100) << 0.0 << 15 << 66.667;
        QTest::addRow("overwhelmed") << 10 << 10 << 0 << 0 << qint64(20) << 0.0 << 30 << 0.0;
    }
    void supportFormula()
    {
        QFETCH(int, onRecord);
        QFETCH(int, tickets);
        QFETCH(int, breached);
        QFETCH(int, escalations);
        QFETCH(qint64, seats);
        QFETCH(double, arr);
        QFETCH(int, lookback);
        QFETCH(double, expected);
        HealthInputs in;
        in.asOf = kDay;
        in.lookbackDays = lookback;
        in.supportOnRecord = onRecord > 0;
        in.tickets = tickets;
        in.breachedTickets = breached;
        in.escalations = escalations;
        if (seats >= 0)
            in.seatsPurchased = seats;
        in.arr = arr;
        const auto score = Core::HealthFormulas::support(in);
        QCOMPARE(score.has_value(), expected >= 0);
        if (score)
            FUZZY(*score, expected);
    }

    void satisfactionFormula_data()
    {
        QTest::addColumn<QList<int>>("nps");
        QTest::addColumn<QList<int>>("csat");
        QTest::addColumn<QList<int>>("ticketCsat");
        QTest::addColumn<double>("expected");

        QTest::addRow("no answers") << QList<int>() << QList<int>() << QList<int>() << -1.0;
        QTest::addRow("one promoter") << QList<int> { 9 } << QList<int>() << QList<int>() << 90.0;
        QTest::addRow("two NPS") << QList<int> { 10, 6 } << QList<int>() << QList<int>() << 80.0;
        QTest::addRow("CSAT top") << QList<int>() << QList<int> { 5 } << QList<int>() << 100.0;
        QTest::addRow("CSAT bottom") << QList<int>() << QList<int> { 1 } << QList<int>() << 0.0;
        QTest::addRow("CSAT 4") << QList<int>() << QList<int> { 4 } << QList<int>() << 75.0;
        // (80 + 50 + 100) / 3
        QTest::addRow("mixed") << QList<int> { 8 } << QList<int> { 3 } << QList<int> { 5 } << 76.667;
        QTest::addRow("all equal") << QList<int> { 7, 7, 7 } << QList<int>() << QList<int>() << 70.0;
        QTest::addRow("NPS zero") << QList<int> { 0 } << QList<int>() << QList<int>() << 0.0;
    }
    void satisfactionFormula()
    {
        QFETCH(QList<int>, nps);
        QFETCH(QList<int>, csat);
        QFETCH(QList<int>, ticketCsat);
        QFETCH(double, expected);
        HealthInputs in;
        in.asOf = kDay;
        for (int s : nps) {
            ++in.npsAnswers;
            in.npsSum += s;
        }
        for (int s : csat) {
            ++in.csatAnswers;
            in.csatSum += s;
        }
        for (int s : ticketCsat) {
            ++in.ticketCsatAnswers;
            in.ticketCsatSum += s;
        }
        const auto score = Core::HealthFormulas::satisfaction(in);
        QCOMPARE(score.has_value(), expected >= 0);
        if (score)
            FUZZY(*score, expected);
    }

    void financialFormula_data()
    {
        QTest::addColumn<qint64>("purchased"); // -1 unknown
        QTest::addColumn<qint64>("used");
        QTest::addColumn<int>("payment"); // HealthInputs::Payment
        QTest::addColumn<double>("expected");

        const int unknown = int(HealthInputs::Payment::Unknown);
        QTest::addRow("nothing") << qint64(-1) << qint64(-1) << unknown << -1.0;
        QTest::addRow("seats and current") << qint64(100) << qint64(80) << int(HealthInputs::Payment::Current) << 90.0;
        QTest::addRow("overage and late") << qint64(100) << qint64(120) << int(HealthInputs::Payment::Late) << 75.0;
        QTest::addRow("overdue only") << qint64(-1) << qint64(-1) << int(HealthInputs::Payment::Overdue) << 20.0;
        QTest::addRow("failed only") << qint64(-1) << qint64(-1) << int(HealthInputs::Payment::Failed) << 0.0;
        QTest::addRow("zero seats bought") << qint64(0) << qint64(5) << unknown << -1.0;
        QTest::addRow("seats only") << qint64(50) << qint64(25) << unknown << 50.0;
        QTest::addRow("seats without use count") << qint64(50) << qint64(-1) << unknown << -1.0;
    }
    void financialFormula()
    {
        QFETCH(qint64, purchased);
        QFETCH(qint64, used);
        QFETCH(int, payment);
        QFETCH(double, expected);
        HealthInputs in;
        in.asOf = kDay;
        if (purchased >= 0)
            in.seatsPurchased = purchased;
        if (used >= 0)
            in.seatsUsed = used;
        in.payment = HealthInputs::Payment(payment);
        const auto score = Core::HealthFormulas::financial(in);
        QCOMPARE(score.has_value(), expected >= 0);
        if (score)
            FUZZY(*score, expected);
    }

    void onboardingFormula_data()
    {
        QTest::addColumn<int>("plans");
        QTest::addColumn<int>("due");
        QTest::addColumn<int>("onTime");
        QTest::addColumn<int>("late");
        QTest::addColumn<double>("expected");

        QTest::addRow("no plan") << 0 << 0 << 0 << 0 << -1.0;
        QTest::addRow("nothing due yet") << 1 << 0 << 0 << 0 << -1.0;
        QTest::addRow("mixed") << 1 << 4 << 2 << 1 << 62.5; // (2 + 0.5·1)/4
        QTest::addRow("all on time") << 1 << 3 << 3 << 0 << 100.0;
        QTest::addRow("all overdue") << 2 << 3 << 0 << 0 << 0.0;
        QTest::addRow("one late") << 1 << 1 << 0 << 1 << 50.0;
    }
    void onboardingFormula()
    {
        QFETCH(int, plans);
        QFETCH(int, due);
        QFETCH(int, onTime);
        QFETCH(int, late);
        QFETCH(double, expected);
        HealthInputs in;
        in.asOf = kDay;
        in.onboardingPlans = plans;
        in.milestonesDue = due;
        in.milestonesOnTime = onTime;
        in.milestonesLate = late;
        const auto score = Core::HealthFormulas::onboarding(in);
        QCOMPARE(score.has_value(), expected >= 0);
        if (score)
            FUZZY(*score, expected);
    }

    void bands_data()
    {
        QTest::addColumn<double>("score");
        QTest::addColumn<QString>("band");
        QTest::addRow("100") << 100.0 << u"green"_s;
        QTest::addRow("70") << 70.0 << u"green"_s;
        QTest::addRow("69.9") << 69.9 << u"yellow"_s;
        QTest::addRow("40") << 40.0 << u"yellow"_s;
        QTest::addRow("39.9") << 39.9 << u"red"_s;
        QTest::addRow("0") << 0.0 << u"red"_s;
    }
    void bands()
    {
        QFETCH(double, score);
        QFETCH(QString, band);
        QCOMPARE(Domain::enumName(Core::HealthService::defaultConfig().bandFor(score)), band);
    }

    // ---- configs ----------------------------------------------------------------------------------------------

    void defaultConfigOnFirstUse()
    {
        Storage::Database &db = shared();
        StillClock clock;
        Core::HealthService health(db, clock);
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM health_scoring_configs"_s), 0);
        auto config = health.activeConfig();
        QVERIFY2(config.ok(), qPrintable(config.ok() ? QString() : config.error().toString()));
        QCOMPARE(config->configVersion, 1);
        QVERIFY(config->isActive);
        QCOMPARE(config->lookbackDays, 30);
        QCOMPARE(config->greenThreshold, 70.0);
        QCOMPARE(config->yellowThreshold, 40.0);
        double sum = 0;
        for (const QString &key : Core::HealthComponents::all()) {
            QVERIFY2(config->weights.contains(key), qPrintable(key));
            sum += config->weights.value(key).toDouble();
        }
        FUZZY(sum, 1.0);
        // Asking again creates nothing new.
        QVERIFY(health.activeConfig().ok());
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM health_scoring_configs"_s), 1);
    }

    void configValidation_data()
    {
        QTest::addColumn<QVariantMap>("weights");
        QTest::addColumn<double>("green");
        QTest::addColumn<double>("yellow");
        QTest::addColumn<int>("lookback");
        QTest::addColumn<QString>("field"); // empty: accepted

        const QVariantMap good { { u"usage"_s, 0.5 }, { u"financial"_s, 0.5 } };
        QTest::addRow("valid") << good << 70.0 << 40.0 << 30 << QString();
        QTest::addRow("sum 0.9") << QVariantMap { { u"usage"_s, 0.5 }, { u"financial"_s, 0.4 } } << 70.0 << 40.0 << 30
                                 << u"weights"_s;
        QTest::addRow("sum 1.005 accepted")
            << QVariantMap { { u"usage"_s, 0.505 }, { u"financial"_s, 0.5 } } << 70.0 << 40.0 << 30 << QString();
        QTest::addRow("sum 0.995 accepted")
            << QVariantMap { { u"usage"_s, 0.495 }, { u"financial"_s, 0.5 } } << 70.0 << 40.0 << 30 << QString();
        QTest::addRow("sum 1.02") << QVariantMap { { u"usage"_s, 0.52 }, { u"financial"_s, 0.5 } } << 70.0 << 40.0 << 30
                                  << u"weights"_s;
        QTest::addRow("unknown component")
            << QVariantMap { { u"usage"_s, 0.5 }, { u"vibes"_s, 0.5 } } << 70.0 << 40.0 << 30 << u"weights"_s;
        QTest::addRow("no weights") << QVariantMap() << 70.0 << 40.0 << 30 << u"weights"_s;
        QTest::addRow("bands crossed") << good << 40.0 << 70.0 << 30 << u"yellow_threshold"_s;
        QTest::addRow("lookback 0") << good << 70.0 << 40.0 << 0 << u"lookback_days"_s;
    }
    void configValidation()
    {
        QFETCH(QVariantMap, weights);
        QFETCH(double, green);
        QFETCH(double, yellow);
        QFETCH(int, lookback);
        QFETCH(QString, field);
        Storage::Database &db = shared();
        StillClock clock;
        Core::HealthService health(db, clock);
        QSignalSpy changed(&health, &Core::HealthService::scoringConfigChanged);
        Domain::HealthScoringConfig draft;
        draft.name = u"Usage first"_s;
        draft.weights = weights;
        draft.greenThreshold = green;
        draft.yellowThreshold = yellow;
        draft.lookbackDays = lookback;
        auto created = health.createConfig(draft);
        if (!field.isEmpty()) {
            QVERIFY(!created.ok());
            QCOMPARE(created.error().code, ErrorCode::InvalidArgument);
            QCOMPARE(created.error().field, field);
            // The default stays the one active config.
            auto active = health.activeConfig();
            QVERIFY(active.ok());
            QCOMPARE(active->configVersion, 1);
            return;
        }
        QVERIFY2(created.ok(), qPrintable(created.ok() ? QString() : created.error().toString()));
        QCOMPARE(created->configVersion, 2); // version 1 is the default, created on this first use
        QVERIFY(created->isActive);
        QCOMPARE(health.activeConfig()->configVersion, 2);
        QVERIFY(!health.config(1)->isActive);
        QCOMPARE(changed.count(), 2); // default created, then version 2
        // Back to version 1; only one active.
        auto back = health.activateConfig(1);
        QVERIFY(back.ok());
        QVERIFY(back->isActive);
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM health_scoring_configs WHERE is_active"_s), 1);
        QCOMPARE(health.configs()->size(), 2);
        QCOMPARE(health.configs()->first().configVersion, 2);
        QCOMPARE(health.activateConfig(9).error().code, ErrorCode::NotFound);
    }

    // ---- recompute on a hand-built portfolio -------------------------------------------------------------------

    void emptyDatabase()
    {
        Storage::Database &db = shared();
        StillClock clock;
        Core::HealthService health(db, clock);
        auto summary = health.recomputeAll();
        QVERIFY2(summary.ok(), qPrintable(summary.ok() ? QString() : summary.error().toString()));
        QCOMPARE(summary->asOf, kDay);
        QCOMPARE(summary->customers, 0);
        QCOMPARE(summary->scored, 0);
        auto portfolio = health.portfolioSummary();
        QVERIFY(portfolio.ok());
        QVERIFY(!portfolio->hasData);
        QVERIFY(!portfolio->reason.isEmpty());
        QCOMPARE(health.explain(u"nobody"_s).error().code, ErrorCode::NotFound);
        QCOMPARE(health.explain(u"nobody"_s).error().field, u"customer_id"_s);
        QCOMPARE(health.recomputeCustomers({ u"nobody"_s }).error().field, u"customer_ids"_s);
        QCOMPARE(health.trend(u"nobody"_s).error().code, ErrorCode::NotFound);
        QCOMPARE(health.recomputeAll(kDay.addDays(1)).error().field, u"as_of"_s);
    }

    void acmeScenario()
    {
        Storage::Database &db = shared();
        buildAcme(db);
        // beta: only a contract, 10 of 10 seats, payments late → financial (1 + 0.5)/2 = 75, and nothing else:
        // the score is 75, not diluted by the five components without data.
        customer(db, u"beta"_s, 5000);
        contract(db, u"beta"_s, 10, 10, u"late"_s);
        // A cancelled contract and one that ended before D do not count.
        contract(db, u"beta"_s, 500, 1, u"failed"_s, u"2026-01-01"_s, u"2026-12-31"_s, u"cancelled"_s);
        contract(db, u"beta"_s, 500, 1, u"failed"_s, u"2025-01-01"_s, u"2025-12-31"_s);
        customer(db, u"gamma"_s); // no data at all → no score
        customer(db, u"omega"_s, 0, u"churned"_s, u"2026-05-01"_s); // churned → not considered
        contract(db, u"omega"_s, 10, 10, u"current"_s);

        StillClock clock;
        Core::HealthService health(db, clock);
        QSignalSpy recomputed(&health, &Core::HealthService::scoresRecomputed);
        auto summary = health.recomputeAll();
        QVERIFY2(summary.ok(), qPrintable(summary.ok() ? QString() : summary.error().toString()));
        QCOMPARE(summary->customers, 3);
        QCOMPARE(summary->scored, 2);
        QCOMPARE(summary->unscored, 1);
        QCOMPARE(summary->green, 2);
        QCOMPARE(summary->configVersions, QList<int> { 1 });
        QCOMPARE(recomputed.count(), 1);
        QCOMPARE(recomputed.first().first().toInt(), 2);

        // acme, by hand (default weights; onboarding excluded, so the others are divided by 0.9):
        //   usage        F = min(1, 6/(30/7)) = 1, T = 60/80 = 0.75          → 87.5
        //   engagement   breadth 5/(0.25·40) = 0.5, touches 1/2 = 0.5          → 50
        //   support      1 ticket, size 40/10 = 4, rate 0.25 → 100·(1 − 0.25/3) → 91.7
        //   satisfaction (NPS 80 + CSAT 75)/2                                  → 77.5
        //   financial    (30/40 + 1)/2                                         → 87.5
        //   score = (0.3·87.5 + 0.15·50 + 0.15·91.7 + 0.2·77.5 + 0.1·87.5)/0.9 = 71.755/0.9 = 79.73 → 79.7
        auto acme = health.latestScore(u"acme"_s);
        QVERIFY(acme.ok() && acme->has_value());
        const Domain::HealthScore &stored = **acme;
        QCOMPARE(stored.score, 79.7);
        QCOMPARE(stored.band, HealthBand::Green);
        QCOMPARE(stored.configVersion, 1);
        QCOMPARE(stored.scoreDate, kDay);
        QVERIFY(!stored.components.contains(u"onboarding"_s)); // excluded, not stored as 0
        FUZZY(stored.components.value(u"usage"_s).toMap().value(u"score"_s).toDouble(), 87.5);
        FUZZY(stored.components.value(u"usage"_s).toMap().value(u"weight"_s).toDouble(), 0.3 / 0.9);
        FUZZY(stored.components.value(u"support"_s).toMap().value(u"score"_s).toDouble(), 91.7);
        QVERIFY(stored.validate().ok());

        auto beta = health.latestScore(u"beta"_s);
        QVERIFY(beta.ok() && beta->has_value());
        QCOMPARE((*beta)->score, 75.0);
        QCOMPARE((*beta)->components.size(), 1);
        FUZZY((*beta)->components.value(u"financial"_s).toMap().value(u"weight"_s).toDouble(), 1.0);

        auto gamma = health.latestScore(u"gamma"_s);
        QVERIFY(gamma.ok());
        QVERIFY(!gamma->has_value());
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM health_scores WHERE customer_id IN ('gamma', 'omega')"_s), 0);

        // The explanation: every component with its reason and inputs.
        auto e = health.explain(u"acme"_s);
        QVERIFY2(e.ok(), qPrintable(e.ok() ? QString() : e.error().toString()));
        QVERIFY(e->hasData);
        QCOMPARE(e->score, 79.7);
        QCOMPARE(e->configVersion, 1);
        QCOMPARE(e->components.size(), 6);
        double contributions = 0;
        double weights = 0;
        for (const Core::HealthComponent &c : std::as_const(e->components)) {
            contributions += c.contribution;
            weights += c.weight;
            QVERIFY2(!c.reason.isEmpty(), qPrintable(c.key));
        }
        FUZZY(contributions, 79.7275);
        FUZZY(weights, 1.0);
        const Core::HealthComponent &usage = e->components.at(0);
        QCOMPARE(usage.key, u"usage"_s);
        QCOMPARE(usage.inputs.value(u"active_days"_s).toInt(), 6);
        QCOMPARE(usage.inputs.value(u"events"_s).toLongLong(), 60);
        QCOMPARE(usage.inputs.value(u"previous_events"_s).toLongLong(), 80);
        QCOMPARE(usage.inputs.value(u"first_usage_day"_s).toString(), u"2026-03-01"_s);
        const Core::HealthComponent &engagement = e->components.at(1);
        QCOMPARE(engagement.score, 50.0);
        QCOMPARE(engagement.inputs.value(u"peak_daily_users"_s).toInt(), 5);
        QCOMPARE(engagement.inputs.value(u"touches"_s).toInt(), 1);
        QCOMPARE(engagement.inputs.value(u"touches_on_record"_s).toBool(), true);
        const Core::HealthComponent &support = e->components.at(2);
        QCOMPARE(support.inputs.value(u"tickets"_s).toInt(), 1);
        QCOMPARE(support.inputs.value(u"breached_tickets"_s).toInt(), 0);
        QCOMPARE(support.inputs.value(u"support_on_record"_s).toBool(), true);
        const Core::HealthComponent &satisfaction = e->components.at(3);
        QCOMPARE(satisfaction.score, 77.5);
        QCOMPARE(satisfaction.inputs.value(u"nps_answers"_s).toInt(), 1);
        QCOMPARE(satisfaction.inputs.value(u"csat_answers"_s).toInt(), 1);
        const Core::HealthComponent &onboarding = e->components.at(5);
        QVERIFY(!onboarding.included);
        QCOMPARE(onboarding.weight, 0.0);
        QCOMPARE(onboarding.contribution, 0.0);
        QCOMPARE(onboarding.configuredWeight, 0.1);
        QVERIFY(!e->hasComparison);
        QVERIFY(!e->comparisonReason.isEmpty());

        auto g = health.explain(u"gamma"_s);
        QVERIFY(g.ok());
        QVERIFY(!g->hasData);
        QVERIFY(!g->reason.isEmpty());
        for (const Core::HealthComponent &c : std::as_const(g->components))
            QVERIFY2(!c.included && !c.reason.isEmpty(), qPrintable(c.key));
        auto o = health.explain(u"omega"_s);
        QVERIFY(o.ok());
        QVERIFY(!o->hasData);
        QVERIFY2(o->reason.contains(u"2026-05-01"_s), qPrintable(o->reason));

        auto portfolio = health.portfolioSummary();
        QVERIFY(portfolio.ok());
        QVERIFY(portfolio->hasData);
        QCOMPARE(portfolio->scored, 2);
        QCOMPARE(portfolio->green, 2);
        QCOMPARE(portfolio->liveCustomers, 3);
        QVERIFY(std::abs(portfolio->averageScore - 77.35) <= 0.051); // (79.7 + 75)/2, rounded to 0.1

        // Upsert: the same day again keeps one row per customer.
        QVERIFY(health.recomputeAll().ok());
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM health_scores"_s), 2);
    }

    void whatMovedSinceLastWeek()
    {
        Storage::Database &db = shared();
        buildAcme(db);
        // A week ago: 60, from usage 50 and financial 70 at half weight each. Yesterday's score is not "last
        // week" and must not be the comparison.
        storedScore(db, u"acme"_s, u"2026-06-08"_s, 60, u"yellow"_s,
            uR"({"usage":{"score":50,"weight":0.5},"financial":{"score":70,"weight":0.5}})"_s);
        storedScore(db, u"acme"_s, u"2026-06-14"_s, 75, u"green"_s);
        StillClock clock;
        Core::HealthService health(db, clock);
        auto e = health.explain(u"acme"_s);
        QVERIFY2(e.ok(), qPrintable(e.ok() ? QString() : e.error().toString()));
        QVERIFY(e->hasComparison);
        QCOMPARE(e->comparedWith, QDate(2026, 6, 8));
        QCOMPARE(e->previousScore, 60.0);
        QCOMPARE(e->previousBand, HealthBand::Yellow);
        QCOMPARE(e->scoreChange, 19.7);
        // financial 35 → 87.5/9 = 9.72 (−25.28); satisfaction enters with 77.5·0.2/0.9 = 17.22; support enters
        // with 91.7/6 = 15.28; engagement enters with 50/6 = 8.33; usage 25 → 87.5/3 = 29.17 (+4.17).
        QCOMPARE(e->moves.size(), 5);
        const QStringList order { u"financial"_s, u"satisfaction"_s, u"support"_s, u"engagement"_s, u"usage"_s };
        const QList<double> changes { -25.278, 17.222, 15.283, 8.333, 4.167 };
        double sum = 0;
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(e->moves.at(i).key, order.at(i));
            FUZZY(e->moves.at(i).change, changes.at(i));
            sum += e->moves.at(i).change;
        }
        QVERIFY(std::abs(sum - e->scoreChange) < 0.1); // the moves add up to the change (rounding aside)
        QVERIFY(!e->moves.at(1).scoreBefore.has_value());
        QCOMPARE(*e->moves.at(0).scoreBefore, 70.0);
        QCOMPARE(*e->moves.at(0).scoreNow, 87.5);
    }

    void perSegmentConfig()
    {
        Storage::Database &db = shared();
        buildAcme(db);
        customer(db, u"beta"_s, 5000);
        contract(db, u"beta"_s, 10, 10, u"late"_s);
        SQL(db, u"INSERT INTO segments (name, is_dynamic) VALUES ('Key accounts', ?)"_s, { false });
        SQL(db, u"INSERT INTO segments (name, is_dynamic) VALUES ('Big ARR', ?)"_s, { true });
        const qint64 key = count(db, u"SELECT id FROM segments WHERE name = 'Key accounts'"_s);
        const qint64 dynamic = count(db, u"SELECT id FROM segments WHERE name = 'Big ARR'"_s);
        SQL(db, u"INSERT INTO segment_members (segment_id, customer_id) VALUES (?, 'acme')"_s, { key });
        StillClock clock;
        Core::HealthService health(db, clock);

        Domain::HealthScoringConfig draft;
        draft.name = u"Key accounts: usage and money"_s;
        draft.weights = { { u"usage"_s, 0.5 }, { u"financial"_s, 0.5 } };
        draft.lookbackDays = 7;
        draft.segmentId = dynamic;
        QCOMPARE(health.createConfig(draft).error().field, u"segment_id"_s);
        draft.segmentId = 99999;
        QCOMPARE(health.createConfig(draft).error().code, ErrorCode::NotFound);
        draft.segmentId = key;
        auto created = health.createConfig(draft);
        QVERIFY2(created.ok(), qPrintable(created.ok() ? QString() : created.error().toString()));
        QCOMPARE(created->configVersion, 2);
        QCOMPARE(health.activeConfig()->configVersion, 1); // the portfolio-wide one is untouched
        QCOMPARE(health.activeConfig(key)->configVersion, 2);
        QCOMPARE(health.activeConfig(dynamic)->configVersion, 1); // no config of its own: portfolio-wide

        auto summary = health.recomputeAll();
        QVERIFY2(summary.ok(), qPrintable(summary.ok() ? QString() : summary.error().toString()));
        QCOMPARE(summary->configVersions, (QList<int> { 1, 2 }));
        // acme with L = 7: W = 06-09..06-15 has 06-10 and 06-15 (20 events) → F = min(1, 2/1) = 1;
        // P = 06-02..06-08 has 06-05 (10 events) → T = min(1, 20/10) = 1 → usage 100; financial 87.5;
        // (100 + 87.5)/2 = 93.75 → 93.8
        auto acme = health.latestScore(u"acme"_s);
        QCOMPARE((*acme)->configVersion, 2);
        QCOMPARE((*acme)->score, 93.8);
        auto beta = health.latestScore(u"beta"_s);
        QCOMPARE((*beta)->configVersion, 1);
        QCOMPARE((*beta)->score, 75.0);
    }

    void onboardingFromMilestones()
    {
        Storage::Database &db = shared();
        customer(db, u"delta"_s);
        SQL(db,
            u"INSERT INTO onboarding_plans (customer_id, name, status, started_on) VALUES ('delta', 'Go live', "
            "'in_progress', '2026-05-01')"_s);
        SQL(db,
            u"INSERT INTO onboarding_plans (customer_id, name, status, started_on) VALUES ('delta', 'Old', "
            "'cancelled', '2026-01-01')"_s);
        const qint64 plan = count(db, u"SELECT id FROM onboarding_plans WHERE name = 'Go live'"_s);
        const qint64 cancelled = count(db, u"SELECT id FROM onboarding_plans WHERE name = 'Old'"_s);
        const auto milestone = [&](qint64 planId, const QString &name, const QString &status, const QString &due,
                                   const QVariant &completedAt) {
            SQL(db,
                u"INSERT INTO onboarding_milestones (plan_id, name, status, due_date, completed_at) VALUES (?, ?, ?, "
                "?, ?)"_s,
                { planId, name, status, due, completedAt });
        };
        milestone(plan, u"M1"_s, u"completed"_s, u"2026-05-10"_s, ts(u"2026-05-10T18:00:00.000Z"_s)); // on its day
        milestone(plan, u"M2"_s, u"completed"_s, u"2026-05-20"_s, ts(u"2026-05-25T09:00:00.000Z"_s)); // late
        milestone(plan, u"M3"_s, u"completed"_s, u"2026-06-01"_s, ts(u"2026-05-30T09:00:00.000Z"_s)); // early
        milestone(plan, u"M4"_s, u"skipped"_s, u"2026-06-10"_s, null());
        milestone(plan, u"M5"_s, u"pending"_s, u"2026-07-01"_s, null()); // not due yet
        milestone(plan, u"M6"_s, u"in_progress"_s, u"2026-06-05"_s, null()); // overdue
        milestone(cancelled, u"X"_s, u"pending"_s, u"2026-02-01"_s, null()); // cancelled plan: ignored
        StillClock clock;
        Core::HealthService health(db, clock);
        // D: due M1, M2, M3, M6 → (2 on time + 0.5·1 late)/4 = 62.5; the only component, so the score.
        QVERIFY(health.recomputeAll().ok());
        QCOMPARE((*health.latestScore(u"delta"_s))->score, 62.5);
        QCOMPARE((*health.latestScore(u"delta"_s))->band, HealthBand::Yellow);
        // On 2026-05-22: due M1, M2; M2 was not done yet → 1/2 = 50.
        QVERIFY(health.recomputeAll(QDate(2026, 5, 22)).ok());
        QCOMPARE((*health.latestScore(u"delta"_s, QDate(2026, 5, 22)))->score, 50.0);
        // On 2026-05-05 nothing was due: no score (not 0, not 50).
        auto early = health.explain(u"delta"_s, QDate(2026, 5, 5));
        QVERIFY(early.ok());
        QVERIFY(!early->hasData);
        QCOMPARE(early->components.at(5).reason, u"no onboarding milestone due yet"_s);
    }

    void supportBreachesAndEscalations()
    {
        Storage::Database &db = shared();
        customer(db, u"eps"_s, 90000);
        contract(db, u"eps"_s, 100, QVariant(QMetaType::fromType<int>()), null());
        Ticket unanswered; // first response due before D ended, none given → breached
        unanswered.opened = ts(u"2026-06-10T08:00:00.000Z"_s);
        unanswered.firstResponseDue = ts(u"2026-06-10T10:00:00.000Z"_s);
        ticket(db, u"eps"_s, unanswered);
        Ticket lateFix; // resolved after its due time → breached; escalated
        lateFix.opened = ts(u"2026-06-09T08:00:00.000Z"_s);
        lateFix.resolutionDue = ts(u"2026-06-11T10:00:00.000Z"_s);
        lateFix.resolved = ts(u"2026-06-12T10:00:00.000Z"_s);
        lateFix.escalated = true;
        lateFix.csat = 2; // ticket rating 2 → 25
        ticket(db, u"eps"_s, lateFix);
        Ticket notYet; // due after D → not (yet) breached
        notYet.opened = ts(u"2026-06-15T08:00:00.000Z"_s);
        notYet.firstResponseDue = ts(u"2026-06-16T10:00:00.000Z"_s);
        ticket(db, u"eps"_s, notYet);
        Ticket deleted;
        deleted.opened = ts(u"2026-06-12T08:00:00.000Z"_s);
        deleted.escalated = true;
        deleted.deletedAt = ts(u"2026-06-13T08:00:00.000Z"_s);
        ticket(db, u"eps"_s, deleted);
        // An escalation without a ticket counts once more.
        SQL(db, u"INSERT INTO escalations (customer_id, reason, opened_at) VALUES ('eps', 'Exec complaint', ?)"_s,
            { ts(u"2026-06-01T08:00:00.000Z"_s) });
        StillClock clock;
        Core::HealthService health(db, clock);
        auto e = health.explain(u"eps"_s);
        QVERIFY2(e.ok(), qPrintable(e.ok() ? QString() : e.error().toString()));
        // tickets 3, breached 2, escalated 1 + 1 → points 3 + 2·2 + 3·2 = 13; size 100/10 = 10; rate 1.3
        // → 100·(1 − 1.3/3) = 56.67 → 56.7. Satisfaction: ticket CSAT 2 → 25. Engagement and financial: no data.
        const Core::HealthComponent &support = e->components.at(2);
        QCOMPARE(support.inputs.value(u"tickets"_s).toInt(), 3);
        QCOMPARE(support.inputs.value(u"breached_tickets"_s).toInt(), 2);
        QCOMPARE(support.inputs.value(u"escalations"_s).toInt(), 2);
        QCOMPARE(support.score, 56.7);
        QCOMPARE(e->components.at(3).score, 25.0);
        QVERIFY(!e->components.at(1).included);
        QVERIFY(!e->components.at(4).included);
        // (0.15·56.7 + 0.2·25)/0.35 = 13.505/0.35 = 38.59 → 38.6, red
        QCOMPARE(e->score, 38.6);
        QCOMPARE(e->band, HealthBand::Red);
    }

    // Engagement's touches and the support component count once anything is on record before the end of D, not only
    // inside the windows: a survey answer older than S, a ticket or an escalation older than W do; a deleted answer
    // and one dated after D do not. The whole-portfolio recompute and explain() (customer-scoped) agree.
    void onRecordOutsideTheWindows_data()
    {
        QTest::addColumn<QString>("record");
        QTest::addColumn<bool>("touches");
        QTest::addColumn<bool>("support");
        QTest::addRow("nothing") << u"none"_s << false << false;
        QTest::addRow("survey answer before S") << u"old survey"_s << true << false;
        QTest::addRow("deleted survey answer") << u"deleted survey"_s << false << false;
        QTest::addRow("survey answer after D") << u"future survey"_s << false << false;
        QTest::addRow("ticket before W") << u"old ticket"_s << false << true;
        QTest::addRow("deleted ticket before W") << u"deleted ticket"_s << false << false;
        QTest::addRow("escalation before W") << u"old escalation"_s << false << true;
        QTest::addRow("survey answer in S, ticket in W") << u"recent"_s << true << true;
    }
    void onRecordOutsideTheWindows()
    {
        QFETCH(QString, record);
        QFETCH(bool, touches);
        QFETCH(bool, support);
        Storage::Database &db = shared();
        // D = 2026-06-15, L = 30: W starts 2026-05-17, S 2026-03-18. Financial (payment current) always has data.
        customer(db, u"orx"_s, 50000);
        contract(db, u"orx"_s, null(), null(), u"current"_s);
        Ticket old;
        old.opened = u"2026-04-16T09:00:00.000Z"_s;
        if (record == u"old survey"_s) {
            survey(db, u"orx"_s, u"nps"_s, 9, u"2025-11-27T10:00:00.000Z"_s);
        } else if (record == u"deleted survey"_s) {
            SQL(db,
                u"INSERT INTO survey_responses (customer_id, kind, score, responded_at, deleted_at) VALUES ('orx', "
                "'nps', 9, '2026-06-01T10:00:00.000Z', '2026-06-02T10:00:00.000Z')"_s);
        } else if (record == u"future survey"_s) {
            survey(db, u"orx"_s, u"nps"_s, 9, u"2026-06-16T00:00:00.000Z"_s);
        } else if (record == u"old ticket"_s) {
            ticket(db, u"orx"_s, old);
        } else if (record == u"deleted ticket"_s) {
            old.deletedAt = u"2026-04-17T09:00:00.000Z"_s;
            ticket(db, u"orx"_s, old);
        } else if (record == u"old escalation"_s) {
            SQL(db, u"INSERT INTO escalations (customer_id, reason, opened_at) VALUES ('orx', 'Outage', ?)"_s,
                { u"2026-03-17T08:00:00.000Z"_s });
        } else if (record == u"recent"_s) {
            survey(db, u"orx"_s, u"csat"_s, 5, u"2026-05-06T10:00:00.000Z"_s);
            Ticket recent;
            recent.opened = u"2026-06-12T09:00:00.000Z"_s;
            ticket(db, u"orx"_s, recent);
        }
        StillClock clock;
        Core::HealthService health(db, clock);
        auto all = health.recomputeAll();
        QVERIFY2(all.ok(), qPrintable(all.ok() ? QString() : all.error().toString()));
        auto q = Storage::exec(db, u"SELECT components FROM health_scores WHERE customer_id = 'orx'"_s);
        QVERIFY(q && q->next());
        const QJsonObject components = QJsonDocument::fromJson(q->value(0).toString().toUtf8()).object();
        QCOMPARE(components.contains(u"engagement"_s), touches);
        QCOMPARE(components.contains(u"support"_s), support);
        auto e = health.explain(u"orx"_s);
        QVERIFY2(e.ok(), qPrintable(e.ok() ? QString() : e.error().toString()));
        QCOMPARE(e->components.at(1).included, touches);
        QCOMPARE(e->components.at(2).included, support);
        if (touches) // no touch in W: the touches sub-signal is 0, and the only one (no seats)
            QCOMPARE(e->components.at(1).score, 0.0);
        if (support && record != u"recent"_s) // nothing in W: no burden
            QCOMPARE(e->components.at(2).score, 100.0);
    }

    void timelineOnBandChangeAndBigMoves()
    {
        Storage::Database &db = shared();
        buildAcme(db); // 79.7 green
        customer(db, u"beta"_s, 5000);
        contract(db, u"beta"_s, 10, 10, u"late"_s); // 75 green
        customer(db, u"kappa"_s, 5000);
        contract(db, u"kappa"_s, 10, 10, u"failed"_s); // (1 + 0)/2 = 50 yellow
        storedScore(db, u"acme"_s, u"2026-06-14"_s, 75, u"green"_s); // +4.7, same band → nothing
        storedScore(db, u"beta"_s, u"2026-06-10"_s, 50, u"yellow"_s); // band change → event
        storedScore(db, u"kappa"_s, u"2026-06-14"_s, 60, u"yellow"_s); // −10, same band → event
        StillClock clock;
        Core::HealthService health(db, clock);
        auto summary = health.recomputeAll();
        QVERIFY(summary.ok());
        QCOMPARE(summary->timelineEvents, 2);
        const QString events = u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'score_change'"_s;
        QCOMPARE(count(db, events), 2);
        QCOMPARE(count(db, events + u" AND customer_id = 'beta' AND source_id = '2026-06-15/beta'"_s), 1);
        auto title = Storage::exec(db, u"SELECT title FROM timeline_events WHERE customer_id = 'kappa'"_s);
        QVERIFY(title.ok() && title->next());
        QCOMPARE(title->value(0).toString(), u"Health score fell from 60.0 (yellow) to 50.0 (yellow)"_s);
        // Recomputing the same day replaces the day's events instead of adding more.
        QVERIFY(health.recomputeAll().ok());
        QVERIFY(health.recomputeCustomers({ u"beta"_s }).ok());
        QCOMPARE(count(db, events), 2);
    }

    void timelineOnFirstScoreOnly()
    {
        Storage::Database &db = shared();
        customer(db, u"kappa"_s, 5000);
        contract(db, u"kappa"_s, 10, 10, u"failed"_s); // (1 + 0)/2 = 50 yellow, every day
        StillClock clock;
        Core::HealthService health(db, clock);
        const QString events = u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'score_change'"_s;
        // The first stored score is an event…
        auto first = health.recomputeAll(QDate(2026, 6, 14));
        QVERIFY(first.ok());
        QCOMPARE(first->timelineEvents, 1);
        auto title = Storage::exec(db,
            u"SELECT title, source_id FROM timeline_events WHERE customer_id = 'kappa' AND kind = 'score_change'"_s);
        QVERIFY(title.ok() && title->next());
        QCOMPARE(title->value(0).toString(), u"Health score 50.0 (yellow), first score"_s);
        QCOMPARE(title->value(1).toString(), u"2026-06-14/kappa"_s);
        // …recomputing that day replaces it, and the next day's score in the same band adds nothing.
        QVERIFY(health.recomputeAll(QDate(2026, 6, 14)).ok());
        auto next = health.recomputeAll();
        QVERIFY(next.ok());
        QCOMPARE(next->timelineEvents, 0);
        QCOMPARE(count(db, events), 1);
    }

    void incrementalRecompute()
    {
        Storage::Database &db = shared();
        buildAcme(db);
        customer(db, u"beta"_s, 5000);
        contract(db, u"beta"_s, 10, 10, u"late"_s);
        StillClock clock;
        Core::HealthService health(db, clock);
        QSignalSpy changed(&health, &Core::HealthService::customerScoreChanged);
        auto summary = health.recomputeCustomers({ u"beta"_s, u"beta"_s });
        QVERIFY2(summary.ok(), qPrintable(summary.ok() ? QString() : summary.error().toString()));
        QCOMPARE(summary->customers, 1);
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM health_scores"_s), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().first().toString(), u"beta"_s);
        // beta's payments catch up: only beta is recomputed, its row replaced.
        SQL(db, u"UPDATE contracts SET payment_status = 'current' WHERE customer_id = 'beta'"_s);
        QVERIFY(health.recomputeCustomers({ u"beta"_s }).ok());
        QCOMPARE((*health.latestScore(u"beta"_s))->score, 100.0);
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM health_scores"_s), 1);
        // A customer whose data disappeared loses the day's score instead of keeping a stale one.
        SQL(db, u"UPDATE contracts SET deleted_at = '2026-06-15T10:00:00.000Z' WHERE customer_id = 'beta'"_s);
        QVERIFY(health.recomputeCustomers({ u"beta"_s }).ok());
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM health_scores"_s), 0);
        // calculate = store + explain.
        auto calculated = health.calculate(u"acme"_s);
        QVERIFY(calculated.ok());
        QVERIFY(calculated->stored);
        QCOMPARE(calculated->score, 79.7);
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM health_scores WHERE customer_id = 'acme'"_s), 1);
    }

    void cancelledRecomputeWritesNothing()
    {
        Storage::Database &db = shared();
        buildAcme(db);
        storedScore(db, u"acme"_s, u"2026-06-01"_s, 20, u"red"_s);
        StillClock clock;
        Core::HealthService health(db, clock);
        QSignalSpy recomputed(&health, &Core::HealthService::scoresRecomputed);
        QStringList stages;
        Core::RecomputeControl control;
        control.progress = [&](const QString &stage, qint64, qint64) {
            if (!stages.contains(stage))
                stages << stage;
        };
        control.isCancelled = [&] { return stages.contains(u"writing scores"_s); };
        auto summary = health.recomputeAll({}, control);
        QVERIFY(!summary.ok());
        QCOMPARE(summary.error().code, ErrorCode::Cancelled);
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM health_scores"_s), 1); // only the one stored before
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM timeline_events"_s), 0);
        QCOMPARE(recomputed.count(), 0);
        for (const QString &stage : { u"usage"_s, u"surveys"_s, u"support"_s, u"scoring"_s })
            QVERIFY2(stages.contains(stage), qPrintable(stages.join(u", "_s)));
        // Not cancelled: written.
        control.isCancelled = [] { return false; };
        QVERIFY(health.recomputeAll({}, control).ok());
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM health_scores"_s), 2);
    }

    void dailyUsageFromEvents()
    {
        Storage::Database &db = shared();
        customer(db, u"zeta"_s);
        const auto event = [&](const QString &at, const QString &user, const QVariant &feature, double quantity) {
            SQL(db,
                u"INSERT INTO usage_events (customer_id, occurred_at, event_type, feature, user_ref, quantity) "
                "VALUES ('zeta', ?, 'click', ?, ?, ?)"_s,
                { at, feature, user, quantity });
        };
        event(ts(u"2026-06-14T10:00:00.000Z"_s), u"u1"_s, u"reports"_s, 2);
        event(ts(u"2026-06-14T11:00:00.000Z"_s), u"u2"_s, u"reports"_s, 3);
        event(ts(u"2026-06-14T12:00:00.000Z"_s), u"u1"_s, u"export"_s, 1);
        event(ts(u"2026-06-13T23:59:59.999Z"_s), u"u3"_s, null(), 1);
        StillClock clock;
        Core::HealthService health(db, clock);
        // usage_daily is empty but usage_events is not: the recompute rebuilds it first, then scores usage.
        // zeta: first use 06-13, tracked 3 days → 3/7 expected active days; 2 active → F = 1 → 100.
        auto summary = health.recomputeAll();
        QVERIFY2(summary.ok(), qPrintable(summary.ok() ? QString() : summary.error().toString()));
        QCOMPARE(summary->dailyUsageRowsRebuilt, 4);
        QCOMPARE((*health.latestScore(u"zeta"_s))->score, 100.0);
        // The rows: per feature and all features, distinct users per day.
        auto rows = Storage::exec(
            db, u"SELECT day, feature, events, active_users, quantity FROM usage_daily ORDER BY day, feature"_s);
        QVERIFY(rows.ok());
        QStringList got;
        while (rows->next()) {
            QDate day;
            Storage::Convert::fromSql(rows->value(0), day);
            got << u"%1 %2 %3 %4 %5"_s.arg(day.toString(Qt::ISODate), rows->value(1).toString())
                       .arg(rows->value(2).toInt())
                       .arg(rows->value(3).toInt())
                       .arg(rows->value(4).toDouble());
        }
        QCOMPARE(got,
            (QStringList { u"2026-06-13  1 1 1"_s, u"2026-06-14  3 2 6"_s, u"2026-06-14 export 1 1 1"_s,
                u"2026-06-14 reports 2 2 5"_s }));
        // A rebuild of one day replaces only that day.
        auto rebuilt = health.rebuildDailyUsage(QDate(2026, 6, 14), QDate(2026, 6, 14));
        QVERIFY(rebuilt.ok());
        QCOMPARE(*rebuilt, 3);
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM usage_daily"_s), 4);
        QCOMPARE(health.rebuildDailyUsage(QDate(2026, 6, 14), QDate(2026, 6, 1)).error().field, u"to"_s);
    }

    void trend_data()
    {
        QTest::addColumn<QList<int>>("daysAgo");
        QTest::addColumn<QList<double>>("scores");
        QTest::addColumn<bool>("weekHasData");
        QTest::addColumn<double>("weekChange");
        QTest::addColumn<double>("weekSlope");
        QTest::addColumn<QString>("weekDirection");
        QTest::addColumn<bool>("monthHasData");
        QTest::addColumn<double>("monthChange");

        QTest::addRow("no scores") << QList<int>() << QList<double>() << false << 0.0 << 0.0 << QString() << false
                                   << 0.0;
        QTest::addRow("one score") << QList<int> { 0 } << QList<double> { 50 } << false << 0.0 << 0.0 << QString()
                                   << false << 0.0;
        QTest::addRow("all equal") << QList<int> { 2, 1, 0 } << QList<double> { 50, 50, 50 } << true << 0.0 << 0.0
                                   << u"stable"_s << true << 0.0;
        // x = 0, 3, 6 (days since D−6), y = 50, 56, 62 → slope 2/day
        QTest::addRow("rising") << QList<int> { 6, 3, 0 } << QList<double> { 50, 56, 62 } << true << 12.0 << 2.0
                                << u"improving"_s << true << 12.0;
        QTest::addRow("falling 5 (boundary)") << QList<int> { 1, 0 } << QList<double> { 60, 55 } << true << -5.0 << -5.0
                                              << u"declining"_s << true << -5.0;
        QTest::addRow("falling 4.9") << QList<int> { 1, 0 } << QList<double> { 60, 55.1 } << true << -4.9 << -4.9
                                     << u"stable"_s << true << -4.9;
        // D−20 is outside the week, inside the month
        QTest::addRow("month only") << QList<int> { 20, 0 } << QList<double> { 80, 60 } << false << 0.0 << 0.0
                                    << QString() << true << -20.0;
        QTest::addRow("older than 30 days ignored")
            << QList<int> { 30, 0 } << QList<double> { 80, 60 } << false << 0.0 << 0.0 << QString() << false << 0.0;
    }
    void trend()
    {
        QFETCH(QList<int>, daysAgo);
        QFETCH(QList<double>, scores);
        QFETCH(bool, weekHasData);
        QFETCH(double, weekChange);
        QFETCH(double, weekSlope);
        QFETCH(QString, weekDirection);
        QFETCH(bool, monthHasData);
        QFETCH(double, monthChange);
        Storage::Database &db = shared();
        customer(db, u"acme"_s);
        for (int i = 0; i < daysAgo.size(); ++i)
            storedScore(db, u"acme"_s, kDay.addDays(-daysAgo.at(i)).toString(Qt::ISODate), scores.at(i), u"yellow"_s);
        StillClock clock;
        Core::HealthService health(db, clock);
        auto t = health.trend(u"acme"_s);
        QVERIFY2(t.ok(), qPrintable(t.ok() ? QString() : t.error().toString()));
        QCOMPARE(t->week.days, 7);
        QCOMPARE(t->week.hasData, weekHasData);
        QCOMPARE(t->week.reason.isEmpty(), weekHasData);
        if (weekHasData) {
            FUZZY(t->week.change, weekChange);
            FUZZY(t->week.slopePerDay, weekSlope);
            QCOMPARE(t->week.direction, weekDirection);
        }
        QCOMPARE(t->month.hasData, monthHasData);
        if (monthHasData)
            FUZZY(t->month.change, monthChange);
        auto h = health.history(u"acme"_s, kDay.addDays(-60), kDay);
        QVERIFY(h.ok());
        QCOMPARE(h->size(), daysAgo.size());
    }

    // ---- a generated demo portfolio ----------------------------------------------------------------------------

    void demoPortfolio()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::Database &db = fixture.db();
        QCOMPARE(generateDemo(db, 120, 24000, 4242), QString()); // no error

        StillClock clock;
        Core::HealthService health(db, clock);
        auto summary = health.recomputeAll();
        QVERIFY2(summary.ok(), qPrintable(summary.ok() ? QString() : summary.error().toString()));
        const qint64 live = count(db,
            u"SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL AND (churned_at IS NULL OR churned_at > ?) "
            "AND NOT (status = 'churned' AND churned_at IS NULL)"_s,
            { kDay.toString(Qt::ISODate) });
        QCOMPARE(summary->customers, live);
        QVERIFY(live > 100);
        // Nearly every live demo customer has a contract, usage or tickets, so nearly all get a score.
        QVERIFY2(summary->scored * 10 >= live * 9, qPrintable(u"%1 of %2"_s.arg(summary->scored).arg(live)));
        QCOMPARE(summary->green + summary->yellow + summary->red, summary->scored);
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM health_scores WHERE score < 0 OR score > 100"_s), 0);
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM health_scores WHERE config_version <> 1"_s), 0);

        // Sensible: customers the generator sent towards churn (at_risk) score below the rest on average.
        const auto average = [&](const QString &condition) {
            auto q = Storage::exec(db,
                u"SELECT AVG(h.score) FROM health_scores h JOIN customers c ON c.id = h.customer_id WHERE "_s
                    + condition);
            return q && q->next() ? q->value(0).toDouble() : -1.0;
        };
        const double atRisk = average(u"c.lifecycle_stage = 'at_risk'"_s);
        const double others = average(u"c.lifecycle_stage <> 'at_risk'"_s);
        QVERIFY2(atRisk >= 0 && others > atRisk, qPrintable(u"at_risk %1, others %2"_s.arg(atRisk).arg(others)));

        // The explanation reproduces the stored score, and its contributions add up to it.
        QList<std::pair<QString, double>> sample;
        {
            auto ids
                = Storage::exec(db, u"SELECT customer_id, score FROM health_scores ORDER BY customer_id LIMIT 5"_s);
            QVERIFY(ids.ok());
            while (ids->next())
                sample << std::pair { ids->value(0).toString(), ids->value(1).toDouble() };
        }
        QCOMPARE(sample.size(), 5);
        for (const auto &[id, score] : std::as_const(sample)) {
            auto e = health.explain(id);
            QVERIFY(e.ok());
            QVERIFY(e->hasData);
            QCOMPARE(e->score, score);
            double contributions = 0;
            double weights = 0;
            for (const Core::HealthComponent &c : std::as_const(e->components)) {
                contributions += c.contribution;
                weights += c.weight;
            }
            QVERIFY(std::abs(contributions - e->score) < 0.1);
            FUZZY(weights, 1.0);
        }
        auto portfolio = health.portfolioSummary();
        QVERIFY(portfolio.ok());
        QCOMPARE(portfolio->scored, summary->scored);
        // Upsert: a second run keeps one row per customer and day.
        QVERIFY(health.recomputeAll().ok());
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM health_scores"_s), summary->scored);
    }

    // The first-score event of every stored score says what the stored row says, exactly as the database renders
    // it (printf / to_char for the title, json_object / jsonb_build_object for the detail): on SQLite the events
    // are built in C++, and must stay byte-identical to what the SQL path writes.
    void firstScoreEventsMatchTheStoredScores()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::Database &db = fixture.db();
        QCOMPARE(generateDemo(db, 80, 12000, 4242), QString()); // no error
        SQL(db, u"DELETE FROM timeline_events WHERE kind = 'score_change' AND source_table = 'health_scores'"_s);
        SQL(db, u"DELETE FROM health_scores"_s);

        StillClock clock;
        Core::HealthService health(db, clock);
        auto all = health.recomputeAll(kDay);
        QVERIFY2(all.ok(), qPrintable(all.ok() ? QString() : all.error().toString()));
        QVERIFY(all->scored > 50);
        QCOMPARE(all->timelineEvents, all->scored);

        const bool lite = db.dialect() == Storage::Dialect::Sqlite;
        const QString title = u"'Health score ' || "_s
            + (lite ? u"printf('%.1f', h.score)"_s : u"to_char(h.score, 'FM9990.0')"_s)
            + u" || ' (' || h.band || '), first score'"_s;
        const QString detail = lite
            ? u"json_object('score_date', h.score_date, 'score', h.score, 'band', h.band, 'first_score', "
              "json('true'), 'config_version', h.config_version)"_s
            : u"jsonb_build_object('score_date', h.score_date::text, 'score', h.score, 'band', h.band, "
              "'first_score', TRUE, 'config_version', h.config_version)"_s;
        const QString matching = u"SELECT COUNT(*) FROM timeline_events t JOIN health_scores h ON "
                                 "t.customer_id = h.customer_id AND t.source_id = '2026-06-15/' || h.customer_id "
                                 "WHERE t.kind = 'score_change' AND t.source_table = 'health_scores' "
                                 "AND t.actor = 'health_service' AND t.occurred_at = ? AND t.title = "_s
            + title + u" AND t.detail = "_s + detail;
        const QVariant now = Storage::Convert::toSql(clock.now());
        QCOMPARE(count(db, matching, { now }), all->scored);
        // The scores cover more than one band and many distinct values (the rendering is exercised, not one case).
        QVERIFY(count(db, u"SELECT COUNT(DISTINCT band) FROM health_scores"_s) >= 2);
        QVERIFY(count(db, u"SELECT COUNT(DISTINCT score) FROM health_scores"_s) >= 20);
    }

    // An identical rerun leaves the day's rows and events as they are (same ids, nothing rewritten); after one
    // customer's data changed, a customer-scoped recompute replaces exactly that customer's row and event.
    void rerunRewritesOnlyWhatChanged()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::Database &db = fixture.db();
        QCOMPARE(generateDemo(db, 40, 6000, 99), QString()); // no error
        SQL(db, u"DELETE FROM timeline_events WHERE kind = 'score_change' AND source_table = 'health_scores'"_s);
        SQL(db, u"DELETE FROM health_scores"_s);

        StillClock clock;
        Core::HealthService health(db, clock);
        auto first = health.recomputeAll(kDay);
        QVERIFY(first.ok());
        QVERIFY(first->scored > 20);
        const auto rows = [&](const QString &sql) {
            QStringList out;
            auto q = Storage::exec(db, sql);
            if (!q)
                return QStringList { q.error().toString() };
            while (q->next())
                out << q->value(0).toString() + u'|' + q->value(1).toString() + u'|' + q->value(2).toString();
            return out;
        };
        const QString scoresSql = u"SELECT customer_id, id, score FROM health_scores ORDER BY customer_id"_s;
        const QString eventsSql = u"SELECT source_id, id, title FROM timeline_events WHERE kind = 'score_change' "
                                  "AND source_table = 'health_scores' ORDER BY source_id"_s;
        const QStringList scores = rows(scoresSql);
        const QStringList events = rows(eventsSql);
        QCOMPARE(scores.size(), first->scored);
        QCOMPARE(events.size(), first->timelineEvents);

        auto rerun = health.recomputeAll(kDay);
        QVERIFY(rerun.ok());
        QCOMPARE(rerun->timelineEvents, first->timelineEvents);
        QCOMPARE(rows(scoresSql), scores);
        QCOMPARE(rows(eventsSql), events);

        // One scored customer's covering contracts stop paying (payment current → failed): its score moves, every
        // other row and event stays as it was.
        auto pick = Storage::exec(db,
            u"SELECT h.customer_id FROM health_scores h WHERE EXISTS (SELECT 1 FROM contracts k WHERE "
            "k.customer_id = h.customer_id AND k.deleted_at IS NULL AND k.status <> 'cancelled' AND k.start_date <= ? "
            "AND k.end_date >= ? AND k.payment_status = 'current') AND NOT EXISTS (SELECT 1 FROM contracts k WHERE "
            "k.customer_id = h.customer_id AND k.deleted_at IS NULL AND k.status <> 'cancelled' AND k.start_date <= ? "
            "AND k.end_date >= ? AND k.payment_status = 'failed') ORDER BY h.customer_id LIMIT 1"_s,
            { kDay.toString(Qt::ISODate), kDay.toString(Qt::ISODate), kDay.toString(Qt::ISODate),
                kDay.toString(Qt::ISODate) });
        QVERIFY(pick.ok());
        QVERIFY(pick->next());
        const QString id = pick->value(0).toString();
        SQL(db, u"UPDATE contracts SET payment_status = 'failed' WHERE customer_id = ?"_s, { id });
        auto one = health.recomputeCustomers({ id }, kDay);
        QVERIFY2(one.ok(), qPrintable(one.ok() ? QString() : one.error().toString()));
        QCOMPARE(one->timelineEvents, 1);
        const QStringList scoresAfter = rows(scoresSql);
        const QStringList eventsAfter = rows(eventsSql);
        QCOMPARE(scoresAfter.size(), scores.size());
        QCOMPARE(eventsAfter.size(), events.size());
        const QString rowPrefix = id + u'|';
        const QString eventPrefix = u"2026-06-15/"_s + id + u'|';
        qsizetype changedScores = 0;
        for (qsizetype i = 0; i < scores.size(); ++i) {
            if (!scores.at(i).startsWith(rowPrefix)) {
                QCOMPARE(scoresAfter.at(i), scores.at(i));
                continue;
            }
            ++changedScores;
            QCOMPARE(scoresAfter.at(i).section(u'|', 0, 1), scores.at(i).section(u'|', 0, 1)); // same row, upserted
            QVERIFY(scoresAfter.at(i).section(u'|', 2).toDouble() < scores.at(i).section(u'|', 2).toDouble());
        }
        QCOMPARE(changedScores, 1);
        qsizetype changedEvents = 0;
        for (qsizetype i = 0; i < events.size(); ++i) {
            if (!events.at(i).startsWith(eventPrefix)) {
                QCOMPARE(eventsAfter.at(i), events.at(i));
                continue;
            }
            ++changedEvents;
            QVERIFY(eventsAfter.at(i) != events.at(i)); // replaced by the event of the new score
            QVERIFY(eventsAfter.at(i).endsWith(u"first score"_s));
        }
        QCOMPARE(changedEvents, 1);
    }

    // The daily run: yesterday's scores exist, today's rows are new, and only customers whose score moved by
    // kTimelineMinChange points or changed band get an event. Contract-only customers (10 seats), so each score is
    // financial = 100 · (seat utilisation + payment factor) / 2. Both ways of reading the inputs.
    void dailyRunAgainstYesterday_data()
    {
        QTest::addColumn<bool>("parallel");
        QTest::addRow("two reading connections") << true;
        QTest::addRow("one reading connection") << false;
    }
    void dailyRunAgainstYesterday()
    {
        QFETCH(bool, parallel);
        Storage::Database &db = shared();
        customer(db, u"alpha"_s, 5000);
        contract(db, u"alpha"_s, 10, 10, u"current"_s); // (1 + 1)/2 = 100 green, both days
        customer(db, u"beta"_s, 5000);
        contract(db, u"beta"_s, 10, 10, u"current"_s); // 100 green, then late: (1 + 0.5)/2 = 75 green
        customer(db, u"gamma"_s, 5000);
        contract(db, u"gamma"_s, 10, 9, u"failed"_s); // (0.9 + 0)/2 = 45 yellow, then 10 used: 50 yellow
        customer(db, u"delta"_s, 5000);
        contract(db, u"delta"_s, 10, 10, u"overdue"_s); // (1 + 0.2)/2 = 60 yellow, then current: 100 green
        StillClock clock;
        Core::HealthService health(db, clock);
        Core::RecomputeControl control;
        control.parallelReads = parallel;
        const QDate yesterday = kDay.addDays(-1);
        auto first = health.recomputeAll(yesterday, control);
        QVERIFY2(first.ok(), qPrintable(first.ok() ? QString() : first.error().toString()));
        QCOMPARE(first->scored, 4);
        QCOMPARE(first->timelineEvents, 4); // every first score

        SQL(db, u"UPDATE contracts SET payment_status = 'late' WHERE customer_id = 'beta'"_s);
        SQL(db, u"UPDATE contracts SET seats_used = 10 WHERE customer_id = 'gamma'"_s);
        SQL(db, u"UPDATE contracts SET payment_status = 'current' WHERE customer_id = 'delta'"_s);
        auto today = health.recomputeAll(kDay, control);
        QVERIFY2(today.ok(), qPrintable(today.ok() ? QString() : today.error().toString()));
        QCOMPARE(today->scored, 4);
        QCOMPARE(today->green, 3);
        QCOMPARE(today->yellow, 1);
        QCOMPARE(today->timelineEvents, 2); // beta −25 points, delta yellow → green; gamma +5 and alpha: nothing

        auto scores = Storage::exec(db,
            u"SELECT customer_id, score, band FROM health_scores WHERE score_date = ? ORDER BY customer_id"_s,
            { kDay.toString(Qt::ISODate) });
        QVERIFY(scores.ok());
        QStringList rows;
        while (scores->next())
            rows << u"%1 %2 %3"_s.arg(scores->value(0).toString())
                        .arg(scores->value(1).toDouble())
                        .arg(scores->value(2).toString());
        QCOMPARE(rows,
            QStringList({ u"alpha 100 green"_s, u"beta 75 green"_s, u"delta 100 green"_s, u"gamma 50 yellow"_s }));
        auto events = Storage::exec(db,
            u"SELECT customer_id, title, source_id, occurred_at FROM timeline_events WHERE kind = 'score_change' "
            "AND source_id >= ? ORDER BY customer_id"_s,
            { kDay.toString(Qt::ISODate) });
        QVERIFY(events.ok());
        QStringList titles;
        while (events->next()) {
            titles << events->value(1).toString();
            QCOMPARE(events->value(2).toString(), kDay.toString(Qt::ISODate) + u'/' + events->value(0).toString());
            QDateTime occurred;
            Storage::Convert::fromSql(events->value(3), occurred);
            QCOMPARE(occurred, QDateTime(kDay, QTime(12, 0), QTimeZone::utc())); // the clock's now
        }
        QCOMPARE(titles,
            QStringList({ u"Health score fell from 100.0 (green) to 75.0 (green)"_s,
                u"Health score rose from 60.0 (yellow) to 100.0 (green)"_s }));
        // Yesterday's first-score events stay.
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'score_change' AND source_id < ?"_s,
                     { kDay.toString(Qt::ISODate) }),
            4);
        // Rerunning today adds nothing (on SQLite it keeps the very rows: identical events are not rewritten; the
        // PostgreSQL path replaces the day's change events).
        const qint64 lastId = count(db, u"SELECT MAX(id) FROM timeline_events"_s);
        auto rerun = health.recomputeAll(kDay, control);
        QVERIFY(rerun.ok());
        QCOMPARE(rerun->timelineEvents, 2);
        if (db.dialect() == Storage::Dialect::Sqlite)
            QCOMPARE(count(db, u"SELECT MAX(id) FROM timeline_events"_s), lastId);
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'score_change'"_s), 6);
    }

    // Stored rows carry when they were written (created_at, updated_at: bound on SQLite, DEFAULT elsewhere), and
    // a row rewritten later keeps its created_at.
    void writtenRowsCarryTheirTimes()
    {
        Storage::Database &db = shared();
        customer(db, u"beta"_s, 5000);
        contract(db, u"beta"_s, 10, 10, u"current"_s);
        StillClock clock;
        Core::HealthService health(db, clock);
        const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
        QVERIFY(health.recomputeAll().ok());
        const auto times = [&](const QString &table) {
            auto q
                = Storage::exec(db, u"SELECT created_at, updated_at FROM %1 WHERE customer_id = 'beta'"_s.arg(table));
            QDateTime created, updated;
            if (q && q->next()) {
                Storage::Convert::fromSql(q->value(0), created);
                Storage::Convert::fromSql(q->value(1), updated);
            }
            return std::pair { created, updated };
        };
        const auto [scoreCreated, scoreUpdated] = times(u"health_scores"_s);
        const auto [eventCreated, eventUpdated] = times(u"timeline_events"_s);
        const QDateTime after = QDateTime::currentDateTimeUtc().addSecs(1);
        for (const QDateTime &t : { scoreCreated, scoreUpdated, eventCreated, eventUpdated }) {
            QVERIFY(t.isValid());
            QVERIFY(t >= before && t <= after);
        }
        // The score changes later the same day: updated_at moves, created_at stays.
        QTest::qWait(5);
        SQL(db, u"UPDATE contracts SET payment_status = 'late' WHERE customer_id = 'beta'"_s);
        QVERIFY(health.recomputeAll().ok());
        const auto [createdAgain, updatedAgain] = times(u"health_scores"_s);
        QCOMPARE(createdAgain, scoreCreated);
        QVERIFY(updatedAgain > scoreUpdated);
    }

    // A recompute inside a caller's open transaction sees that transaction's writes (the inputs are then read on
    // the caller's connection only: a second connection would not see them).
    void recomputeInsideATransactionSeesItsWrites()
    {
        Storage::Database &db = shared();
        customer(db, u"alpha"_s, 5000);
        contract(db, u"alpha"_s, 10, 10, u"current"_s);
        StillClock clock;
        Core::HealthService health(db, clock);
        Storage::Transaction tx(db);
        QVERIFY(tx.isActive());
        customer(db, u"beta"_s, 5000);
        contract(db, u"beta"_s, 10, 10, u"late"_s);
        Core::RecomputeControl control;
        control.parallelReads = true; // asked for, but not possible here
        auto summary = health.recomputeAll({}, control);
        QVERIFY2(summary.ok(), qPrintable(summary.ok() ? QString() : summary.error().toString()));
        QCOMPARE(summary->scored, 2);
        QVERIFY(tx.commit().ok());
        QCOMPARE((*health.latestScore(u"beta"_s))->score, 75.0);
    }

    // Reading the inputs on two connections stores exactly what reading them on one stores (demo portfolio, a
    // first day and the next), including the previous scores the next day's events are measured against.
    void parallelReadsMatchSerialReads()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::Database &db = fixture.db();
        QCOMPARE(generateDemo(db, 60, 9000, 4242), QString()); // no error
        StillClock clock;
        Core::HealthService health(db, clock);
        const auto snapshot = [&] {
            QStringList rows;
            for (const QString &sql : { u"SELECT customer_id, score_date, score, band, components, config_version "
                                        "FROM health_scores ORDER BY customer_id, score_date"_s,
                     u"SELECT customer_id, occurred_at, title, detail, source_id FROM timeline_events WHERE kind = "
                     "'score_change' AND source_table = 'health_scores' ORDER BY source_id"_s }) {
                auto q = Storage::exec(db, sql);
                if (!q)
                    return QStringList { q.error().toString() };
                while (q->next()) {
                    QStringList fields;
                    for (int i = 0; i < q->record().count(); ++i)
                        fields << q->value(i).toString();
                    rows << fields.join(u'|');
                }
            }
            return rows;
        };
        QList<QStringList> results;
        QList<qint64> events;
        for (const bool parallel : { false, true }) {
            SQL(db, u"DELETE FROM timeline_events WHERE kind = 'score_change' AND source_table = 'health_scores'"_s);
            SQL(db, u"DELETE FROM health_scores"_s);
            Core::RecomputeControl control;
            control.parallelReads = parallel;
            qint64 written = 0;
            for (const QDate &day : { kDay.addDays(-7), kDay }) {
                auto summary = health.recomputeAll(day, control);
                QVERIFY2(summary.ok(), qPrintable(summary.ok() ? QString() : summary.error().toString()));
                QVERIFY(summary->scored > 40);
                written += summary->timelineEvents;
            }
            results << snapshot();
            events << written;
        }
        QVERIFY(results.first().size() > 90);
        QCOMPARE(results.last(), results.first());
        QCOMPARE(events.last(), events.first());
    }

    // The whole-portfolio recompute (one GROUP BY query per component, rows in customer order) stores exactly
    // what recomputing the customers one at a time stores: the same scores, components and timeline events, on
    // a first day (every score a first score) and on the next (band changes and big moves against it).
    void setBasedRecomputeMatchesPerCustomer()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::Database &db = fixture.db();
        QCOMPARE(generateDemo(db, 60, 9000, 777), QString()); // no error

        StillClock clock;
        Core::HealthService health(db, clock);
        const QString scoresSql = u"SELECT customer_id, score_date, score, band, components, config_version "
                                  "FROM health_scores ORDER BY customer_id, score_date"_s;
        const QString eventsSql = u"SELECT customer_id, occurred_at, title, detail, source_id, actor FROM "
                                  "timeline_events WHERE kind = 'score_change' AND source_table = 'health_scores' "
                                  "ORDER BY source_id"_s;
        const auto snapshot = [&](const QString &sql) {
            QStringList rows;
            auto q = Storage::exec(db, sql);
            if (!q)
                return QStringList { q.error().toString() };
            while (q->next()) {
                QStringList fields;
                for (int i = 0; i < 6; ++i)
                    fields << q->value(i).toString();
                rows << fields.join(u'|');
            }
            return rows;
        };
        const auto clear = [&] {
            SQL(db, u"DELETE FROM timeline_events WHERE kind = 'score_change' AND source_table = 'health_scores'"_s);
            SQL(db, u"DELETE FROM health_scores"_s);
        };
        clear();
        QStringList ids;
        {
            auto q = Storage::exec(db, u"SELECT id FROM customers WHERE deleted_at IS NULL ORDER BY id DESC"_s);
            QVERIFY(q.ok());
            while (q->next())
                ids << q->value(0).toString();
        }
        QVERIFY(ids.size() >= 50);
        const QDate first = kDay.addDays(-7);

        // Set-based: the whole portfolio on both days.
        auto all = health.recomputeAll(first);
        QVERIFY2(all.ok(), qPrintable(all.ok() ? QString() : all.error().toString()));
        QVERIFY(all->scored > 40);
        QCOMPARE(all->timelineEvents, all->scored); // all first scores
        auto allNext = health.recomputeAll(kDay);
        QVERIFY(allNext.ok());
        const QStringList setScores = snapshot(scoresSql);
        const QStringList setEvents = snapshot(eventsSql);
        QCOMPARE(setScores.size(), all->scored + allNext->scored);
        QCOMPARE(setEvents.size(), all->timelineEvents + allNext->timelineEvents);

        // One customer at a time (in the opposite order), same days.
        clear();
        qint64 events = 0;
        for (const QDate &day : { first, kDay }) {
            for (const QString &id : std::as_const(ids)) {
                auto one = health.recomputeCustomers({ id }, day);
                QVERIFY2(one.ok(), qPrintable(one.ok() ? QString() : one.error().toString()));
                events += one->timelineEvents;
            }
        }
        QCOMPARE(snapshot(scoresSql), setScores);
        QCOMPARE(snapshot(eventsSql), setEvents);
        QCOMPARE(events, qint64(setEvents.size()));

        // A rerun of the set-based recompute replaces its own rows and events: nothing added, nothing lost.
        auto rerun = health.recomputeAll(kDay);
        QVERIFY(rerun.ok());
        QCOMPARE(rerun->timelineEvents, allNext->timelineEvents);
        QCOMPARE(snapshot(scoresSql), setScores);
        QCOMPARE(snapshot(eventsSql), setEvents);

        // Later the same day the events of today's scores are written again at the new time: replaced, not
        // duplicated, and the past day's events stay as they were.
        clock.set(QDateTime(kDay, QTime(18, 0), QTimeZone::utc()));
        auto later = health.recomputeAll(kDay);
        QVERIFY(later.ok());
        QCOMPARE(later->timelineEvents, allNext->timelineEvents);
        QCOMPARE(snapshot(scoresSql), setScores);
        const QStringList laterEvents = snapshot(eventsSql);
        QCOMPARE(laterEvents.size(), setEvents.size());
        qsizetype unchanged = 0;
        for (const QString &row : laterEvents)
            unchanged += setEvents.contains(row) ? 1 : 0;
        QCOMPARE(unchanged, qsizetype(all->timelineEvents));
    }
};

QTEST_GUILESS_MAIN(TestHealthService)
#include "tst_healthservice.moc"
