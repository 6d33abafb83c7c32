// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// PlaybookService: the five trigger rules (RiskSignals) with hand-computed data, trigger config validation, step
// execution through the outbox (one transaction, deterministic idempotency keys), enrolments and their history,
// campaigns, on an empty database and on a generated demo portfolio. Built twice: SQLite (label unit) and
// PostgreSQL (label pg).
#include <cmath>
#include <functional>
#include <memory>

#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "communicationservice.h"
#include "demoportfolio.h"
#include "healthservice.h"
#include "playbookservice.h"
#include "sql.h"
#include "tables_engagement.h"
#include "tables_operations.h"
#include "testdatabase.h"
#include "transaction.h"

using namespace Qt::StringLiterals;
using namespace Domain;
using Core::ErrorCode;

namespace {

// A clock that stands still (fakeclock.h's default argument does not compile on Qt 6.4).
class TestClock final : public Core::Clock
{
public:
    QDateTime now() const override { return m_now; }
    void set(const QDateTime &now) { m_now = now.toUTC(); }
    void advanceDays(int days) { m_now = m_now.addDays(days); }

private:
    QDateTime m_now;
};

// A clock that moves on by a millisecond each time it is read, like the system clock during a run.
class TickingClock final : public Core::Clock
{
public:
    explicit TickingClock(QDateTime start)
        : m_now(std::move(start))
    { }
    QDateTime now() const override
    {
        m_now = m_now.addMSecs(1);
        return m_now;
    }

private:
    mutable QDateTime m_now;
};

// A clock that runs a callback the first time it is read: the service reads the clock between its "already
// enrolled?" check and its insert, which is where another desktop's write can land.
class RacingClock final : public Core::Clock
{
public:
    explicit RacingClock(QDateTime now, std::function<void()> onFirstRead)
        : m_now(std::move(now))
        , m_onFirstRead(std::move(onFirstRead))
    { }
    QDateTime now() const override
    {
        if (m_onFirstRead) {
            auto callback = std::move(m_onFirstRead);
            m_onFirstRead = nullptr;
            callback();
        }
        return m_now;
    }

private:
    QDateTime m_now;
    mutable std::function<void()> m_onFirstRead;
};

const QDate Today(2026, 6, 15);
const QDateTime Now(Today, QTime(12, 0), QTimeZone::utc());

#define CHECK_OK(expr)                                                                                                 \
    do {                                                                                                               \
        const auto &result_ = (expr);                                                                                  \
        QVERIFY2(result_.ok(), result_.ok() ? "" : qPrintable(result_.error().toString()));                            \
    } while (false)

QStringList idsOf(const QList<Core::RiskSignals::SignalMatch> &matches)
{
    QStringList ids;
    for (const auto &m : matches)
        ids << m.customerId;
    ids.sort();
    return ids;
}

} // namespace

class TestPlaybookService final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestClock m_clock;

    Storage::Database &db() { return m_fixture->db(); }

    void sql(const QString &statement, const QVariantList &bindings = {})
    {
        auto r = Storage::exec(db(), statement, bindings);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().toString() + u" in "_s + statement));
    }

    qint64 count(const QString &statement, const QVariantList &bindings = {})
    {
        auto r = Storage::exec(db(), statement, bindings);
        if (!r || !r->next()) {
            qWarning() << (r ? u"no row"_s : r.error().toString()) << statement;
            return -1;
        }
        return r->value(0).toLongLong();
    }

    void customer(const QString &id, const QString &owner = u"Dana Scully"_s, const QString &tier = u"mid_market"_s,
        const QString &status = u"active"_s, const QDate &renewal = {})
    {
        sql(u"INSERT INTO customers (id, name, owner, tier, status, renewal_date, arr, churned_at) VALUES (?, ?, ?, ?, "
            "?, ?, ?, ?)"_s,
            { id, u"%1 Corp"_s.arg(id), Storage::Convert::toSql(owner), tier, status, Storage::Convert::toSql(renewal),
                12000.0, Storage::Convert::toSql(status == u"churned"_s ? Today.addDays(-10) : QDate()) });
    }

    qint64 contact(const QString &customerId, const QString &name, const QString &email, bool primary = true,
        const QString &role = {})
    {
        auto r = Storage::exec(db(),
            u"INSERT INTO contacts (customer_id, name, email, is_primary, role) VALUES (?, ?, ?, ?, ?) RETURNING id"_s,
            { customerId, name, Storage::Convert::toSql(email), primary, Storage::Convert::toSql(role) });
        if (!r || !r->next()) {
            qWarning() << (r ? u"no id"_s : r.error().toString());
            return 0;
        }
        return r->value(0).toLongLong();
    }

    void score(const QString &customerId, const QDate &day, double value, const QString &band)
    {
        sql(u"INSERT INTO health_scores (customer_id, score_date, score, band, config_version) VALUES (?, ?, ?, ?, 1)"_s,
            { customerId, Storage::Convert::toSql(day), value, band });
    }

    // usage_daily all-features rows for every day from..to with the same figures.
    void usage(const QString &customerId, const QDate &from, const QDate &to, int events, int users)
    {
        Storage::Transaction tx(db());
        for (QDate d = from; d <= to; d = d.addDays(1))
            sql(u"INSERT INTO usage_daily (customer_id, day, feature, events, active_users) VALUES (?, ?, '', ?, ?)"_s,
                { customerId, Storage::Convert::toSql(d), events, users });
        QVERIFY(tx.commit().ok());
    }

    void nps(const QString &customerId, int value, const QDateTime &at, bool deleted = false)
    {
        sql(u"INSERT INTO survey_responses (customer_id, kind, score, responded_at, deleted_at) VALUES (?, 'nps', ?, ?, ?)"_s,
            { customerId, value, Storage::Convert::toSql(at), Storage::Convert::toSql(deleted ? at : QDateTime()) });
    }

    void prediction(const QString &customerId, double p, const QDateTime &at)
    {
        sql(u"INSERT INTO churn_predictions (customer_id, model_version, probability, risk_level, predicted_at) VALUES "
            "(?, 1, ?, 'high', ?)"_s,
            { customerId, p, Storage::Convert::toSql(at) });
    }

    qint64 plan(const QString &customerId, const QString &status = u"in_progress"_s)
    {
        auto r = Storage::exec(db(),
            u"INSERT INTO onboarding_plans (customer_id, name, status, started_on, completed_on) VALUES (?, 'Launch', "
            u"?, ?, ?) "
            "RETURNING id"_s,
            { customerId, status, Storage::Convert::toSql(Today.addDays(-60)),
                Storage::Convert::toSql(status == u"completed"_s ? Today.addDays(-1) : QDate()) });
        if (!r || !r->next())
            return 0;
        return r->value(0).toLongLong();
    }

    void milestone(qint64 planId, const QString &name, const QDate &due, const QString &status = u"pending"_s)
    {
        sql(u"INSERT INTO onboarding_milestones (plan_id, name, status, due_date, completed_at) VALUES (?, ?, ?, ?, ?)"_s,
            { planId, name, status, Storage::Convert::toSql(due),
                Storage::Convert::toSql(status == u"completed"_s ? Now.addDays(-1) : QDateTime()) });
    }

    qint64 emailTemplate(const QString &subject, const QString &body)
    {
        Core::CommunicationService comms(db(), m_clock);
        EmailTemplate t;
        t.name = u"Template %1"_s.arg(count(u"SELECT COUNT(*) FROM email_templates"_s) + 1);
        t.subject = subject;
        t.body = body;
        auto created = comms.createTemplate(t);
        if (!created) {
            qWarning() << created.error().toString();
            return 0;
        }
        return created->id;
    }

    static PlaybookStep step(PlaybookStepKind kind, const QVariantMap &config, int position = 0)
    {
        PlaybookStep s;
        s.kind = kind;
        s.config = config;
        s.position = position;
        s.name = Domain::enumName(kind);
        return s;
    }

    static Playbook playbookDraft(
        const QString &name, PlaybookTrigger trigger = PlaybookTrigger::Manual, const QVariantMap &config = {})
    {
        Playbook p;
        p.name = name;
        p.triggerKind = trigger;
        p.triggerConfig = config;
        p.isActive = true;
        return p;
    }

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
    }

    void init()
    {
        m_clock.set(Now);
        // Customers cascade to enrolments, tasks, notes, communications, scores, usage, surveys and the timeline.
        for (const QString &table :
            { u"outbox"_s, u"campaigns"_s, u"playbooks"_s, u"email_templates"_s, u"customers"_s, u"segments"_s })
            sql(u"DELETE FROM "_s + table);
    }

    void cleanupTestCase() { m_fixture.reset(); }

    // ---- pure rules ---------------------------------------------------------------------------------------------

    void usageDeclineMath_data()
    {
        QTest::addColumn<double>("recent");
        QTest::addColumn<int>("recentDays");
        QTest::addColumn<double>("baseline");
        QTest::addColumn<int>("baselineDays");
        QTest::addColumn<double>("expected"); // NaN = no value
        const double none = std::nan("");
        QTest::addRow("half the daily rate") << 70.0 << 14 << 280.0 << 28 << 0.5;
        QTest::addRow("stopped entirely") << 0.0 << 14 << 280.0 << 28 << 1.0;
        QTest::addRow("all equal") << 140.0 << 14 << 280.0 << 28 << 0.0;
        QTest::addRow("growth is a negative decline") << 200.0 << 14 << 280.0 << 28 << 1.0 - (200.0 / 14.0) / 10.0;
        QTest::addRow("no baseline") << 10.0 << 14 << 0.0 << 28 << none;
        QTest::addRow("one day each") << 1.0 << 1 << 1.0 << 1 << 0.0;
        QTest::addRow("no recent days") << 1.0 << 0 << 1.0 << 28 << none;
        QTest::addRow("30 percent boundary") << 98.0 << 14 << 280.0 << 28 << 0.3;
    }
    void usageDeclineMath()
    {
        QFETCH(double, recent);
        QFETCH(int, recentDays);
        QFETCH(double, baseline);
        QFETCH(int, baselineDays);
        QFETCH(double, expected);
        const auto d = Core::UsageDeclineMath::decline(recent, recentDays, baseline, baselineDays);
        QCOMPARE(d.has_value(), !std::isnan(expected));
        if (d)
            QVERIFY2(std::abs(*d - expected) < 1e-9, qPrintable(QString::number(*d)));
    }

    void healthDropRule_data()
    {
        QTest::addColumn<double>("previous");
        QTest::addColumn<QString>("previousBand");
        QTest::addColumn<double>("current");
        QTest::addColumn<QString>("currentBand");
        QTest::addColumn<bool>("toRed");
        QTest::addColumn<bool>("fires");
        QTest::addRow("drop of exactly 15") << 72.0 << u"green"_s << 57.0 << u"yellow"_s << true << true;
        QTest::addRow("drop of 14.9") << 72.0 << u"green"_s << 57.1 << u"yellow"_s << true << false;
        QTest::addRow("rounded scores, 15.0") << 70.3 << u"green"_s << 55.3 << u"yellow"_s << true << true;
        QTest::addRow("into red by 6 points") << 45.0 << u"yellow"_s << 39.0 << u"red"_s << true << true;
        QTest::addRow("into red, band rule off") << 45.0 << u"yellow"_s << 39.0 << u"red"_s << false << false;
        QTest::addRow("red to red by 5") << 35.0 << u"red"_s << 30.0 << u"red"_s << true << false;
        QTest::addRow("all equal") << 50.0 << u"yellow"_s << 50.0 << u"yellow"_s << true << false;
        QTest::addRow("rise") << 40.0 << u"yellow"_s << 80.0 << u"green"_s << true << false;
    }
    void healthDropRule()
    {
        QFETCH(double, previous);
        QFETCH(QString, previousBand);
        QFETCH(double, current);
        QFETCH(QString, currentBand);
        QFETCH(bool, toRed);
        QFETCH(bool, fires);
        Core::RiskSignals::HealthDropRule rule;
        rule.toRed = toRed;
        QCOMPARE(rule.fires(previous, previousBand, current, currentBand), fires);
    }

    void triggerConfig_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QVariantMap>("config");
        QTest::addColumn<QString>("errorField"); // empty = valid
        QTest::addRow("health defaults") << u"health_drop"_s << QVariantMap() << QString();
        QTest::addRow("drop 0") << u"health_drop"_s << QVariantMap { { u"drop_points"_s, 0 } }
                                << u"trigger_config.drop_points"_s;
        QTest::addRow("drop as text") << u"health_drop"_s << QVariantMap { { u"drop_points"_s, u"15"_s } }
                                      << u"trigger_config.drop_points"_s;
        QTest::addRow("unknown key") << u"health_drop"_s << QVariantMap { { u"threshold"_s, 40 } }
                                     << u"trigger_config.threshold"_s;
        QTest::addRow("window fraction") << u"health_drop"_s << QVariantMap { { u"window_days"_s, 7.5 } }
                                         << u"trigger_config.window_days"_s;
        QTest::addRow("metric") << u"usage_decline"_s << QVariantMap { { u"metric"_s, u"logins"_s } }
                                << u"trigger_config.metric"_s;
        QTest::addRow("usage valid") << u"usage_decline"_s
                                     << QVariantMap { { u"metric"_s, u"events"_s }, { u"decline_percent"_s, 50 } }
                                     << QString();
        QTest::addRow("detractor max 7") << u"detractor"_s << QVariantMap { { u"max_score"_s, 7 } }
                                         << u"trigger_config.max_score"_s;
        QTest::addRow("probability 1.5") << u"renewal_risk"_s << QVariantMap { { u"churn_probability"_s, 1.5 } }
                                         << u"trigger_config.churn_probability"_s;
        QTest::addRow("red_band as number")
            << u"renewal_risk"_s << QVariantMap { { u"red_band"_s, 1 } } << u"trigger_config.red_band"_s;
        QTest::addRow("grace") << u"overdue_milestone"_s << QVariantMap { { u"grace_days"_s, 3 } } << QString();
        QTest::addRow("manual takes no thresholds")
            << u"manual"_s << QVariantMap { { u"window_days"_s, 7 } } << u"trigger_config.window_days"_s;
        QTest::addRow("reenrol") << u"manual"_s << QVariantMap { { u"reenrol_after_days"_s, 0 } } << QString();
    }
    void triggerConfig()
    {
        QFETCH(QString, kind);
        QFETCH(QVariantMap, config);
        QFETCH(QString, errorField);
        const auto trigger = Domain::enumFromString<PlaybookTrigger>(kind);
        QVERIFY(trigger);
        auto normalized = Core::RiskSignals::normalizeTriggerConfig(*trigger, config);
        QCOMPARE(normalized.ok(), errorField.isEmpty());
        if (!normalized) {
            QCOMPARE(normalized.error().field, errorField);
            return;
        }
        // Every default is filled in.
        QVERIFY(normalized->contains(u"reenrol_after_days"_s));
        if (kind == u"health_drop"_s) {
            QCOMPARE(normalized->value(u"window_days"_s).toInt(), 7);
            QCOMPARE(normalized->value(u"drop_points"_s).toDouble(), 15.0);
            QCOMPARE(normalized->value(u"to_red"_s).toBool(), true);
        }
    }

    // ---- signals on hand-made data --------------------------------------------------------------------------------

    void healthDropSignal()
    {
        for (const QString &id : { u"A"_s, u"B"_s, u"C"_s, u"D"_s, u"F"_s })
            customer(id);
        customer(u"E"_s, {}, u"smb"_s, u"churned"_s);
        score(u"A"_s, Today.addDays(-7), 72, u"green"_s); // −22
        score(u"A"_s, Today, 50, u"yellow"_s);
        score(u"B"_s, Today.addDays(-7), 72, u"green"_s); // −12: below 15
        score(u"B"_s, Today, 60, u"yellow"_s);
        score(u"C"_s, Today.addDays(-8), 45, u"yellow"_s); // into red
        score(u"C"_s, Today.addDays(-1), 38, u"red"_s);
        score(u"D"_s, Today, 20, u"red"_s); // one score: no comparison
        score(u"E"_s, Today.addDays(-7), 90, u"green"_s); // churned
        score(u"E"_s, Today, 10, u"red"_s);
        score(u"F"_s, Today.addDays(-20), 90, u"green"_s); // previous older than two windows
        score(u"F"_s, Today, 30, u"red"_s);
        auto matches = Core::RiskSignals::healthDrop(db(), Now, {});
        CHECK_OK(matches);
        QCOMPARE(idsOf(*matches), QStringList({ u"A"_s, u"C"_s }));
        const auto &a = matches->at(0);
        QCOMPARE(a.context.value(u"drop_points"_s).toDouble(), 22.0);
        QCOMPARE(a.context.value(u"previous_date"_s).toString(), u"2026-06-08"_s);
        QVERIFY(a.summary.contains(u"72.0"_s));
        // A stricter threshold leaves only the band change.
        Core::RiskSignals::HealthDropRule strict;
        strict.dropPoints = 30;
        auto strictMatches = Core::RiskSignals::healthDrop(db(), Now, strict);
        CHECK_OK(strictMatches);
        QCOMPARE(idsOf(*strictMatches), QStringList({ u"C"_s }));
    }

    void usageDeclineSignal()
    {
        const QDate recentFrom = Today.addDays(-13); // 06-02
        const QDate baselineFrom = recentFrom.addDays(-28); // 05-05
        for (const QString &id : { u"U1"_s, u"U2"_s, u"U3"_s, u"U4"_s, u"U5"_s })
            customer(id);
        usage(u"U1"_s, baselineFrom, recentFrom.addDays(-1), 10, 5); // 10/day → 4/day: −60 %
        usage(u"U1"_s, recentFrom, Today, 4, 5);
        usage(u"U2"_s, baselineFrom, recentFrom.addDays(-1), 10, 5); // −20 %
        usage(u"U2"_s, recentFrom, Today, 8, 5);
        usage(u"U3"_s, baselineFrom, baselineFrom.addDays(18), 1, 1); // 19 events < 20: noise floor
        usage(u"U5"_s, baselineFrom, recentFrom.addDays(-1), 10, 10); // users −60 %, events flat
        usage(u"U5"_s, recentFrom, Today, 10, 4);
        auto any = Core::RiskSignals::usageDecline(db(), Now, {});
        CHECK_OK(any);
        QCOMPARE(idsOf(*any), QStringList({ u"U1"_s, u"U5"_s }));
        const auto &u1 = any->at(0);
        QCOMPARE(u1.context.value(u"events_decline_percent"_s).toDouble(), 60.0);
        QCOMPARE(u1.context.value(u"active_users_decline_percent"_s).toDouble(), 0.0);
        QCOMPARE(u1.context.value(u"baseline_events"_s).toDouble(), 280.0);
        QCOMPARE(u1.context.value(u"recent_events"_s).toDouble(), 56.0);
        QCOMPARE(any->at(1).context.value(u"active_users_decline_percent"_s).toDouble(), 60.0);

        Core::RiskSignals::UsageDeclineRule eventsOnly;
        eventsOnly.metric = u"events"_s;
        auto events = Core::RiskSignals::usageDecline(db(), Now, eventsOnly);
        CHECK_OK(events);
        QCOMPARE(idsOf(*events), QStringList({ u"U1"_s }));
        Core::RiskSignals::UsageDeclineRule noFloor;
        noFloor.minBaselineEvents = 0;
        auto all = Core::RiskSignals::usageDecline(db(), Now, noFloor);
        CHECK_OK(all);
        QCOMPARE(idsOf(*all), QStringList({ u"U1"_s, u"U3"_s, u"U5"_s })); // U3 stopped: −100 %
    }

    void detractorSignal()
    {
        for (const QString &id : { u"X"_s, u"Y"_s, u"Z"_s, u"W"_s, u"V"_s })
            customer(id);
        nps(u"X"_s, 6, Now.addDays(-3)); // boundary: 6 is a detractor
        nps(u"Y"_s, 7, Now.addDays(-3)); // passive
        nps(u"Z"_s, 3, Now.addDays(-40)); // outside 30 days
        nps(u"W"_s, 2, Now.addDays(-20));
        nps(u"W"_s, 4, Now.addDays(-2)); // the latest of two
        nps(u"V"_s, 0, Now.addDays(-1), true); // deleted
        auto matches = Core::RiskSignals::detractors(db(), Now, {});
        CHECK_OK(matches);
        QCOMPARE(idsOf(*matches), QStringList({ u"W"_s, u"X"_s }));
        const auto &w = matches->at(0);
        QCOMPARE(w.context.value(u"score"_s).toInt(), 4);
        QCOMPARE(w.context.value(u"detractor_responses"_s).toInt(), 2);
        Core::RiskSignals::DetractorRule wide;
        wide.lookbackDays = 60;
        wide.maxScore = 3;
        auto wider = Core::RiskSignals::detractors(db(), Now, wide);
        CHECK_OK(wider);
        QCOMPARE(idsOf(*wider), QStringList({ u"W"_s, u"Z"_s }));
    }

    void renewalRiskSignal()
    {
        customer(u"R1"_s, {}, u"smb"_s, u"active"_s, Today.addDays(30));
        customer(u"R2"_s, {}, u"smb"_s, u"active"_s, Today.addDays(30));
        customer(u"R3"_s, {}, u"smb"_s, u"active"_s, Today.addDays(30));
        customer(u"R4"_s, {}, u"smb"_s, u"active"_s, Today.addDays(120));
        customer(u"R5"_s, {}, u"smb"_s, u"active"_s, Today.addDays(-1));
        customer(u"R6"_s, {}, u"smb"_s, u"active"_s, Today.addDays(90));
        score(u"R1"_s, Today, 30, u"red"_s);
        prediction(u"R2"_s, 0.6, Now.addDays(-1));
        score(u"R3"_s, Today, 80, u"green"_s);
        prediction(u"R3"_s, 0.3, Now.addDays(-1));
        score(u"R4"_s, Today, 20, u"red"_s); // renews too late
        score(u"R5"_s, Today, 20, u"red"_s); // renewal passed
        prediction(u"R6"_s, 0.5, Now.addDays(-2)); // on the boundary of both the window and p
        auto matches = Core::RiskSignals::renewalRisk(db(), Now, {});
        CHECK_OK(matches);
        QCOMPARE(idsOf(*matches), QStringList({ u"R1"_s, u"R2"_s, u"R6"_s }));
        QCOMPARE(matches->at(0).context.value(u"days_to_renewal"_s).toInt(), 30);
        QCOMPARE(matches->at(1).context.value(u"churn_probability"_s).toDouble(), 0.6);
    }

    void overdueMilestoneSignal()
    {
        for (const QString &id : { u"M1"_s, u"M2"_s, u"M3"_s, u"M4"_s })
            customer(id);
        const qint64 p1 = plan(u"M1"_s);
        milestone(p1, u"Kick-off"_s, Today.addDays(-1)); // overdue by one day
        milestone(p1, u"Integration"_s, Today.addDays(-5), u"in_progress"_s);
        milestone(p1, u"Done one"_s, Today.addDays(-9), u"completed"_s);
        const qint64 p2 = plan(u"M2"_s);
        milestone(p2, u"Due today"_s, Today); // not overdue yet
        const qint64 p3 = plan(u"M3"_s, u"cancelled"_s);
        milestone(p3, u"Cancelled plan"_s, Today.addDays(-30));
        const qint64 p4 = plan(u"M4"_s);
        milestone(p4, u"Two days late"_s, Today.addDays(-2));
        auto matches = Core::RiskSignals::overdueMilestones(db(), Now, {});
        CHECK_OK(matches);
        QCOMPARE(idsOf(*matches), QStringList({ u"M1"_s, u"M4"_s }));
        const auto &m1 = matches->at(0);
        QCOMPARE(m1.context.value(u"overdue_milestones"_s).toInt(), 2);
        QCOMPARE(m1.context.value(u"oldest_due_date"_s).toString(), u"2026-06-10"_s);
        QCOMPARE(m1.context.value(u"days_overdue"_s).toInt(), 5);
        Core::RiskSignals::OverdueMilestoneRule grace;
        grace.graceDays = 2; // due + 2 < today
        auto withGrace = Core::RiskSignals::overdueMilestones(db(), Now, grace);
        CHECK_OK(withGrace);
        QCOMPARE(idsOf(*withGrace), QStringList({ u"M1"_s }));
    }

    void emptyDatabase()
    {
        Core::PlaybookService service(db(), m_clock);
        for (PlaybookTrigger kind : { PlaybookTrigger::HealthDrop, PlaybookTrigger::UsageDecline,
                 PlaybookTrigger::Detractor, PlaybookTrigger::RenewalRisk, PlaybookTrigger::OverdueMilestone }) {
            auto preview = service.previewTrigger(kind, {});
            CHECK_OK(preview);
            QVERIFY(preview->isEmpty());
        }
        auto evaluations = service.evaluateTriggers();
        CHECK_OK(evaluations);
        QVERIFY(evaluations->isEmpty());
        auto report = service.runDueSteps();
        CHECK_OK(report);
        QCOMPARE(report->enrolmentsProcessed, 0);
        auto list = service.listPlaybooks();
        CHECK_OK(list);
        QCOMPARE(list->total, 0);
        auto manual = service.previewTrigger(PlaybookTrigger::Manual, {});
        QVERIFY(!manual);
        QCOMPARE(manual.error().field, u"trigger_kind"_s);
    }

    // ---- playbooks ------------------------------------------------------------------------------------------------

    void createPlaybookValidation()
    {
        Core::PlaybookService service(db(), m_clock);
        auto created = service.createPlaybook(playbookDraft(u"Save the account"_s, PlaybookTrigger::HealthDrop),
            { step(PlaybookStepKind::Task, { { u"title"_s, u"Call {{customer.name}}"_s } }),
                step(PlaybookStepKind::Wait, { { u"days"_s, 2 } }),
                step(PlaybookStepKind::Note, { { u"body"_s, u"Checked in"_s } }) });
        CHECK_OK(created);
        QCOMPARE(created->steps.size(), 3);
        QCOMPARE(created->steps.at(1).position, 1); // positions from the list order
        QCOMPARE(created->playbook.triggerConfig.value(u"drop_points"_s).toDouble(), 15.0);

        auto duplicate = service.createPlaybook(playbookDraft(u"SAVE the account"_s), {});
        QVERIFY(!duplicate);
        QCOMPARE(duplicate.error().code, ErrorCode::AlreadyExists);
        QCOMPARE(duplicate.error().field, u"name"_s);

        auto noTitle = service.createPlaybook(playbookDraft(u"P2"_s), { step(PlaybookStepKind::Task, {}) });
        QVERIFY(!noTitle);
        QVERIFY2(noTitle.error().field.startsWith(u"steps[0].config"_s), qPrintable(noTitle.error().field));
        auto badWait
            = service.createPlaybook(playbookDraft(u"P3"_s), { step(PlaybookStepKind::Wait, { { u"days"_s, 400 } }) });
        QVERIFY(!badWait);
        QVERIFY(badWait.error().field.startsWith(u"steps[0].config"_s));
        auto unknownKey = service.createPlaybook(playbookDraft(u"P4"_s),
            { step(PlaybookStepKind::Note, { { u"body"_s, u"x"_s }, { u"colour"_s, u"red"_s } }) });
        QVERIFY(!unknownKey);
        QCOMPARE(unknownKey.error().field, u"steps[0].config.colour"_s);
        auto samePosition = service.createPlaybook(playbookDraft(u"P5"_s),
            { step(PlaybookStepKind::Note, { { u"body"_s, u"a"_s } }, 1),
                step(PlaybookStepKind::Note, { { u"body"_s, u"b"_s } }, 1) });
        QVERIFY(!samePosition);
        QCOMPARE(samePosition.error().field, u"steps[1].position"_s);
        auto badTrigger
            = service.createPlaybook(playbookDraft(u"P6"_s, PlaybookTrigger::Detractor, { { u"max_score"_s, 9 } }), {});
        QVERIFY(!badTrigger);
        QCOMPARE(badTrigger.error().field, u"trigger_config.max_score"_s);
        QCOMPARE(count(u"SELECT COUNT(*) FROM playbooks"_s), 1); // nothing half-written

        // Steps: a taken position is refused; the list shows live steps in order.
        PlaybookStep extra = step(PlaybookStepKind::Note, { { u"body"_s, u"more"_s } }, 1);
        extra.playbookId = created->playbook.id;
        auto taken = service.addStep(extra);
        QVERIFY(!taken);
        QCOMPARE(taken.error().field, u"position"_s);
        extra.position = 5;
        CHECK_OK(service.addStep(extra));
        CHECK_OK(service.removeStep(created->steps.at(1).id));
        auto detail = service.playbook(created->playbook.id);
        CHECK_OK(detail);
        QCOMPARE(detail->steps.size(), 3);
        QCOMPARE(detail->steps.last().position, 5);
        QVERIFY(!service.playbook(99999));
        QCOMPARE(service.playbook(99999).error().field, u"playbook_id"_s);
    }

    // ---- running steps through the outbox
    // ----------------------------------------------------------------------------

    void enrolAndRunSteps()
    {
        customer(u"ACME"_s, u"Dana Scully"_s);
        const qint64 ada = contact(u"ACME"_s, u"Ada Lovelace"_s, u"ada@acme.test"_s);
        const qint64 templateId = emailTemplate(u"Checking in, {{contact.first_name}}"_s,
            u"Hi {{contact.first_name}}, {{csm.name}} here about {{customer.name}}."_s);
        QVERIFY(templateId > 0);
        Core::PlaybookService service(db(), m_clock);
        auto created = service.createPlaybook(playbookDraft(u"Rescue"_s),
            { step(PlaybookStepKind::Task,
                  { { u"title"_s, u"Call {{customer.name}}"_s }, { u"due_in_days"_s, 2 },
                      { u"priority"_s, u"high"_s } }),
                step(PlaybookStepKind::Email, { { u"template_id"_s, templateId } }),
                step(PlaybookStepKind::Wait, { { u"days"_s, 3 } }),
                step(
                    PlaybookStepKind::Note, { { u"body"_s, u"Follow-up for {{customer.name}} by {{csm.name}}"_s } }) });
        CHECK_OK(created);
        const auto &steps = created->steps;

        QSignalSpy enrolled(&service, &Core::PlaybookService::enrolmentChanged);
        Core::EnrolRequest request;
        request.customerId = u"ACME"_s;
        request.playbookId = created->playbook.id;
        request.enrolledBy = u"dana"_s;
        auto outcome = service.enrol(request);
        CHECK_OK(outcome);
        QVERIFY(!outcome->alreadyEnrolled);
        QCOMPARE(enrolled.count(), 1);
        const qint64 enrolmentId = outcome->enrolment.id;
        auto again = service.enrol(request);
        CHECK_OK(again);
        QVERIFY(again->alreadyEnrolled);
        QCOMPARE(again->enrolment.id, enrolmentId);

        auto report = service.runDueSteps();
        CHECK_OK(report);
        QCOMPARE(report->stepsRun, 3); // task, email, wait; the note waits three days
        QCOMPARE(report->tasksCreated, 1);
        QCOMPARE(report->messagesQueued, 1);
        QCOMPARE(report->stepsFailed, 0);

        // task
        auto task = Storage::exec(
            db(), u"SELECT title, due_date, priority, owner, source, source_ref, enrolment_id FROM tasks"_s);
        QVERIFY(task && task->next());
        QCOMPARE(task->value(0).toString(), u"Call ACME Corp"_s);
        QDate due;
        Storage::Convert::fromSql(task->value(1), due);
        QCOMPARE(due, Today.addDays(2));
        QCOMPARE(task->value(2).toString(), u"high"_s);
        QCOMPARE(task->value(3).toString(), u"Dana Scully"_s);
        QCOMPARE(task->value(4).toString(), u"playbook"_s);
        QCOMPARE(task->value(5).toString(), u"enrolment:%1"_s.arg(enrolmentId));
        QCOMPARE(task->value(6).toLongLong(), enrolmentId);

        // e-mail: communications (queued) + outbox (pending, sendgrid) with the deterministic key
        const QString key = u"enrolment:%1:step:%2"_s.arg(enrolmentId).arg(steps.at(1).id);
        auto outbox = Storage::OutboxMessageRepository(db()).list({});
        CHECK_OK(outbox);
        QCOMPARE(outbox->items.size(), 1);
        const OutboxMessage &o = outbox->items.first();
        QCOMPARE(o.idempotencyKey, key);
        QCOMPARE(o.kind, OutboxKind::Email);
        QCOMPARE(o.target, IntegrationVendor::Sendgrid);
        QCOMPARE(o.status, OutboxStatus::Pending);
        QCOMPARE(o.payload.value(u"to"_s).toString(), u"ada@acme.test"_s);
        QCOMPARE(o.payload.value(u"subject"_s).toString(), u"Checking in, Ada"_s);
        QCOMPARE(o.payload.value(u"body"_s).toString(), u"Hi Ada, Dana Scully here about ACME Corp."_s);
        QCOMPARE(o.payload.value(u"template_id"_s).toLongLong(), templateId);
        auto comm = Storage::CommunicationRepository(db()).list({});
        CHECK_OK(comm);
        QCOMPARE(comm->items.size(), 1);
        QCOMPARE(comm->items.first().status, CommunicationStatus::Queued);
        QCOMPARE(comm->items.first().outboxIdempotencyKey, key);
        QCOMPARE(*comm->items.first().contactId, ada);
        QCOMPARE(*comm->items.first().enrolmentId, enrolmentId);
        QVERIFY(!comm->items.first().sentAt.isValid()); // nothing pretends to have been sent

        auto detail = service.enrolment(enrolmentId);
        CHECK_OK(detail);
        QCOMPARE(detail->runs.size(), 3);
        QCOMPARE(detail->enrolment.currentStep, 3);
        QCOMPARE(detail->enrolment.status, EnrolmentStatus::Active);
        QCOMPARE(detail->enrolment.nextStepAt, Now.addDays(3));
        QCOMPARE(detail->runs.at(1).result.value(u"idempotency_key"_s).toString(), key);
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events WHERE customer_id = 'ACME' AND kind = 'email'"_s), 1);

        // Not due yet: nothing runs.
        auto early = service.runDueSteps();
        CHECK_OK(early);
        QCOMPARE(early->stepsRun, 0);

        // A retried e-mail step (e.g. an enrolment moved back by hand) finds its key and queues nothing twice.
        auto rewound = Storage::exec(db(), u"UPDATE enrolments SET current_step = 1, next_step_at = ? WHERE id = ?"_s,
            { Storage::Convert::toSql(Now), enrolmentId });
        QVERIFY(rewound);
        auto retry = service.runDueSteps({ enrolmentId, 10 });
        CHECK_OK(retry);
        QCOMPARE(retry->messagesQueued, 0);
        QCOMPARE(count(u"SELECT COUNT(*) FROM outbox"_s), 1);
        QCOMPARE(count(u"SELECT COUNT(*) FROM communications"_s), 1);

        m_clock.advanceDays(3);
        auto later = service.runDueSteps();
        CHECK_OK(later);
        QCOMPARE(later->notesCreated, 1);
        QCOMPARE(later->enrolmentsCompleted, 1);
        auto note = Storage::exec(db(), u"SELECT body FROM notes WHERE customer_id = 'ACME'"_s);
        QVERIFY(note && note->next());
        QCOMPARE(note->value(0).toString(), u"Follow-up for ACME Corp by Dana Scully"_s);
        auto done = service.enrolment(enrolmentId);
        CHECK_OK(done);
        QCOMPARE(done->enrolment.status, EnrolmentStatus::Completed);
        QVERIFY(done->enrolment.completedAt.isValid());
        QCOMPARE(
            count(
                u"SELECT COUNT(*) FROM timeline_events WHERE source_table = 'enrolments' AND title LIKE 'Completed%'"_s),
            1);

        auto stats = service.playbookStats(created->playbook.id);
        CHECK_OK(stats);
        QVERIFY(stats->hasData);
        QCOMPARE(stats->enrolments, 1);
        QCOMPARE(stats->byStatus.value(u"completed"_s), 1);
        QCOMPARE(stats->tasksCreated, 1);
        QCOMPARE(stats->messagesQueued, 1);
        QCOMPARE(*stats->completionRate, 1.0);
        QCOMPARE(stats->stepRunsFailed, 0);
    }

    void failingStepsStopTheEnrolment_data()
    {
        QTest::addColumn<QString>("contactEmail"); // empty: the primary contact has none
        QTest::addColumn<QString>("noteBody");
        QTest::addColumn<QString>("errorPart");
        QTest::addRow("no address") << QString() << QString() << u"no e-mail address"_s;
        QTest::addRow("unknown placeholder")
            << u"bo@beta.test"_s << u"Hello {{customer.nickname}}"_s << u"{{customer.nickname}}"_s;
        QTest::addRow("contact placeholder in a note")
            << u"bo@beta.test"_s << u"Hello {{contact.first_name}}"_s << u"{{contact.first_name}}"_s;
    }
    void failingStepsStopTheEnrolment()
    {
        QFETCH(QString, contactEmail);
        QFETCH(QString, noteBody);
        QFETCH(QString, errorPart);
        customer(u"BETA"_s);
        contact(u"BETA"_s, u"Bo Beta"_s, contactEmail);
        const qint64 templateId = emailTemplate(u"Hi"_s, u"Hello {{contact.first_name}}"_s);
        Core::PlaybookService service(db(), m_clock);
        QList<PlaybookStep> steps;
        if (noteBody.isEmpty())
            steps << step(PlaybookStepKind::Email, { { u"template_id"_s, templateId } });
        else
            steps << step(PlaybookStepKind::Note, { { u"body"_s, noteBody } });
        steps << step(PlaybookStepKind::Task, { { u"title"_s, u"Never reached"_s } });
        auto created = service.createPlaybook(playbookDraft(u"Failing"_s), steps);
        CHECK_OK(created);
        auto outcome = service.enrol({ u"BETA"_s, created->playbook.id, {}, u"dana"_s, {} });
        CHECK_OK(outcome);
        auto report = service.runDueSteps();
        CHECK_OK(report);
        QCOMPARE(report->stepsFailed, 1);
        QCOMPARE(report->enrolmentsFailed, 1);
        auto detail = service.enrolment(outcome->enrolment.id);
        CHECK_OK(detail);
        QCOMPARE(detail->enrolment.status, EnrolmentStatus::Failed);
        QVERIFY2(detail->enrolment.exitReason.contains(errorPart), qPrintable(detail->enrolment.exitReason));
        QCOMPARE(detail->runs.size(), 1);
        QCOMPARE(detail->runs.first().status, StepRunStatus::Failed);
        // Nothing half-written, nothing sent literally.
        QCOMPARE(count(u"SELECT COUNT(*) FROM outbox"_s), 0);
        QCOMPARE(count(u"SELECT COUNT(*) FROM communications"_s), 0);
        QCOMPARE(count(u"SELECT COUNT(*) FROM notes"_s), 0);
        QCOMPARE(count(u"SELECT COUNT(*) FROM tasks"_s), 0);
    }

    void messageStepAndRoles()
    {
        customer(u"GAMMA"_s);
        contact(u"GAMMA"_s, u"Primary Person"_s, u"p@gamma.test"_s, true);
        contact(u"GAMMA"_s, u"Chris Champion"_s, u"chris@gamma.test"_s, false, u"champion"_s);
        Core::PlaybookService service(db(), m_clock);
        auto created = service.createPlaybook(playbookDraft(u"In-app"_s),
            { step(PlaybookStepKind::Message,
                { { u"body"_s, u"{{contact.first_name}}, try the new reports"_s },
                    { u"recipient_role"_s, u"champion"_s } }) });
        CHECK_OK(created);
        CHECK_OK(service.enrol({ u"GAMMA"_s, created->playbook.id, {}, {}, {} }));
        auto report = service.runDueSteps();
        CHECK_OK(report);
        QCOMPARE(report->messagesQueued, 1);
        QCOMPARE(report->enrolmentsCompleted, 1);
        auto outbox = Storage::OutboxMessageRepository(db()).list({});
        CHECK_OK(outbox);
        QCOMPARE(outbox->items.size(), 1);
        QCOMPARE(outbox->items.first().target, IntegrationVendor::Intercom);
        QCOMPARE(outbox->items.first().payload.value(u"to"_s).toString(), u"chris@gamma.test"_s);
        QCOMPARE(outbox->items.first().payload.value(u"body"_s).toString(), u"Chris, try the new reports"_s);
        QCOMPARE(count(u"SELECT COUNT(*) FROM communications WHERE channel = 'in_app' AND status = 'queued'"_s), 1);
    }

    void stepsRunOnWithAMovingClock()
    {
        customer(u"TICK"_s);
        TickingClock clock(Now);
        Core::PlaybookService service(db(), clock);
        auto created = service.createPlaybook(playbookDraft(u"Two tasks"_s),
            { step(PlaybookStepKind::Task, { { u"title"_s, u"First"_s } }),
                step(PlaybookStepKind::Task, { { u"title"_s, u"Second"_s } }) });
        CHECK_OK(created);
        CHECK_OK(service.enrol({ u"TICK"_s, created->playbook.id, {}, {}, {} }));
        auto report = service.runDueSteps();
        CHECK_OK(report);
        QCOMPARE(report->tasksCreated, 2); // steps without a wait run on in the same call
        QCOMPARE(report->enrolmentsCompleted, 1);
    }

    void concurrentEnrolmentIsAlreadyEnrolled()
    {
        customer(u"RACE"_s);
        Core::PlaybookService setup(db(), m_clock);
        auto created = setup.createPlaybook(
            playbookDraft(u"Raced"_s), { step(PlaybookStepKind::Task, { { u"title"_s, u"x"_s } }) });
        CHECK_OK(created);
        // Another desktop on the same database (its own connection) enrols the customer after our check.
        auto other = m_fixture->openAgain();
        QVERIFY(other);
        RacingClock clock(Now, [&] {
            auto r = Storage::exec(*other,
                u"INSERT INTO enrolments (playbook_id, customer_id, status, enrolled_at, enrolled_by, current_step, "
                "next_step_at) VALUES (?, 'RACE', 'active', ?, 'other desktop', 0, ?)"_s,
                { created->playbook.id, Storage::Convert::toSql(Now), Storage::Convert::toSql(Now) });
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().toString()));
        });
        Core::PlaybookService service(db(), clock);
        auto outcome = service.enrol({ u"RACE"_s, created->playbook.id, {}, u"dana"_s, {} });
        CHECK_OK(outcome); // the unique index's conflict is "already enrolled", not an error
        QVERIFY(outcome->alreadyEnrolled);
        QCOMPARE(outcome->enrolment.enrolledBy, u"other desktop"_s);
        QCOMPARE(count(u"SELECT COUNT(*) FROM enrolments WHERE customer_id = 'RACE'"_s), 1);
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events WHERE customer_id = 'RACE'"_s), 0); // rolled back
    }

    void evaluateTriggersEnrolsOnce()
    {
        customer(u"DROP"_s);
        customer(u"FINE"_s);
        score(u"DROP"_s, Today.addDays(-7), 80, u"green"_s);
        score(u"DROP"_s, Today, 55, u"yellow"_s);
        score(u"FINE"_s, Today.addDays(-7), 80, u"green"_s);
        score(u"FINE"_s, Today, 79, u"green"_s);
        Core::PlaybookService service(db(), m_clock);
        auto created = service.createPlaybook(playbookDraft(u"Health drop"_s, PlaybookTrigger::HealthDrop),
            { step(PlaybookStepKind::Task, { { u"title"_s, u"Look into {{customer.name}}"_s } }) });
        CHECK_OK(created);
        auto inactive = service.createPlaybook(
            [] {
                Playbook p = playbookDraft(u"Inactive"_s, PlaybookTrigger::HealthDrop);
                p.isActive = false;
                return p;
            }(),
            { step(PlaybookStepKind::Task, { { u"title"_s, u"x"_s } }) });
        CHECK_OK(inactive);

        auto first = service.evaluateTriggers();
        CHECK_OK(first);
        QCOMPARE(first->size(), 1); // the inactive playbook is not evaluated
        QCOMPARE(first->first().matched, 1);
        QCOMPARE(first->first().enrolled, 1);
        auto e = Storage::EnrolmentRepository(db()).get(first->first().enrolmentIds.first());
        CHECK_OK(e);
        QCOMPARE(e->customerId, u"DROP"_s);
        QCOMPARE(e->triggerContext.value(u"drop_points"_s).toDouble(), 25.0);
        QCOMPARE(e->enrolledBy, u"trigger:health_drop"_s);

        auto second = service.evaluateTriggers();
        CHECK_OK(second);
        QCOMPARE(second->first().enrolled, 0);
        QCOMPARE(second->first().alreadyEnrolled, 1);

        CHECK_OK(service.exitEnrolment(e->id, u"handled by phone"_s));
        auto third = service.evaluateTriggers();
        CHECK_OK(third);
        QCOMPARE(third->first().recentlyEnrolled, 1); // reenrol_after_days 30
        QCOMPARE(third->first().enrolled, 0);

        Playbook changed = created->playbook;
        changed.triggerConfig.insert(u"reenrol_after_days"_s, 0);
        CHECK_OK(service.updatePlaybook(changed));
        auto fourth = service.evaluateTriggers(created->playbook.id);
        CHECK_OK(fourth);
        QCOMPARE(fourth->first().enrolled, 1);
        QCOMPARE(count(u"SELECT COUNT(*) FROM enrolments WHERE status = 'active'"_s), 1);

        auto notActive = service.evaluateTriggers(inactive->playbook.id);
        QVERIFY(!notActive);
        QCOMPARE(notActive.error().field, u"playbook_id"_s);
        auto exitAgain = service.exitEnrolment(e->id, u"again"_s);
        QVERIFY(!exitAgain);
        QCOMPARE(exitAgain.error().field, u"status"_s);
    }

    void campaigns()
    {
        customer(u"ENT1"_s, u"Dana"_s, u"enterprise"_s);
        customer(u"ENT2"_s, u"Dana"_s, u"enterprise"_s);
        customer(u"ENT3"_s, u"Dana"_s, u"enterprise"_s, u"churned"_s);
        customer(u"SMB1"_s, u"Dana"_s, u"smb"_s);
        Core::PlaybookService service(db(), m_clock);
        auto created = service.createPlaybook(playbookDraft(u"QBR push"_s),
            { step(PlaybookStepKind::Task, { { u"title"_s, u"Book the QBR"_s } }),
                step(PlaybookStepKind::Wait, { { u"days"_s, 1 } }),
                step(PlaybookStepKind::Task, { { u"title"_s, u"Send the deck"_s } }) });
        CHECK_OK(created);

        Campaign c;
        c.name = u"Enterprise QBRs"_s;
        c.playbookId = created->playbook.id;
        c.audienceCriteria = { { u"tier"_s, u"enterprise"_s } };
        auto campaign = service.createCampaign(c);
        CHECK_OK(campaign);
        QCOMPARE(campaign->status, CampaignStatus::Draft);
        Campaign bad = c;
        bad.audienceCriteria = { { u"tier"_s, u"giant"_s } };
        auto badCampaign = service.createCampaign(bad);
        QVERIFY(!badCampaign);
        QVERIFY2(badCampaign.error().field.startsWith(u"audience_criteria"_s), qPrintable(badCampaign.error().field));

        auto launch = service.launchCampaign(campaign->id, u"dana"_s);
        CHECK_OK(launch);
        QCOMPARE(launch->audience, 2); // churned and SMB left out
        QCOMPARE(launch->enrolled, 2);
        QCOMPARE(launch->campaign.status, CampaignStatus::Active);
        QVERIFY(!service.launchCampaign(campaign->id));

        auto run = service.runDueSteps();
        CHECK_OK(run);
        QCOMPARE(run->tasksCreated, 2);

        CHECK_OK(service.setCampaignStatus(campaign->id, CampaignStatus::Paused));
        m_clock.advanceDays(1);
        auto paused = service.runDueSteps();
        CHECK_OK(paused);
        QCOMPARE(paused->stepsRun, 0); // a paused campaign's steps wait
        CHECK_OK(service.setCampaignStatus(campaign->id, CampaignStatus::Active));
        auto resumed = service.runDueSteps();
        CHECK_OK(resumed);
        QCOMPARE(resumed->tasksCreated, 2);
        QCOMPARE(resumed->enrolmentsCompleted, 2);

        auto stats = service.campaignStats(campaign->id);
        CHECK_OK(stats);
        QCOMPARE(stats->enrolments, 2);
        QCOMPARE(stats->tasksCreated, 4);
        QCOMPARE(stats->stepRuns, 6);
        QCOMPARE(*stats->completionRate, 1.0);

        auto complete = service.setCampaignStatus(campaign->id, CampaignStatus::Completed);
        CHECK_OK(complete);
        QVERIFY(!service.setCampaignStatus(campaign->id, CampaignStatus::Active));
    }

    // ---- demo portfolio -------------------------------------------------------------------------------------------

    void demoPortfolio()
    {
        Core::DemoPortfolio::Options options;
        options.customers = 40;
        options.seed = 777;
        options.today = Today;
        options.usageEvents = 8000;
        options.replaceExisting = true;
        CHECK_OK(Core::DemoPortfolio(db(), options).generate());
        // Health history for the health-drop trigger: the portfolio's own scores a week apart.
        Core::HealthService health(db(), m_clock);
        CHECK_OK(health.recomputeAll(Today.addDays(-7)));
        CHECK_OK(health.recomputeAll(Today));

        Core::PlaybookService service(db(), m_clock);
        int total = 0;
        for (PlaybookTrigger kind : { PlaybookTrigger::HealthDrop, PlaybookTrigger::UsageDecline,
                 PlaybookTrigger::Detractor, PlaybookTrigger::RenewalRisk, PlaybookTrigger::OverdueMilestone }) {
            auto matches = service.previewTrigger(kind, {});
            CHECK_OK(matches);
            total += int(matches->size());
            for (const auto &m : *matches) {
                // Only live, not churned customers, each once, with the figures that made it fire.
                QCOMPARE(
                    count(
                        u"SELECT COUNT(*) FROM customers WHERE id = ? AND status <> 'churned' AND deleted_at IS NULL"_s,
                        { m.customerId }),
                    1);
                QVERIFY(!m.summary.isEmpty());
                if (kind == PlaybookTrigger::UsageDecline) {
                    const double recent = m.context.value(u"recent_events"_s).toDouble();
                    const double baseline = m.context.value(u"baseline_events"_s).toDouble();
                    QVERIFY(baseline >= 20);
                    const double users = m.context.value(u"active_users_decline_percent"_s, -1000.0).toDouble();
                    QVERIFY(1.0 - (recent / 14.0) / (baseline / 28.0) >= 0.3 - 1e-9 || users >= 30.0 - 1e-9);
                }
                if (kind == PlaybookTrigger::Detractor)
                    QVERIFY(m.context.value(u"score"_s).toInt() <= 6);
            }
            const QStringList ids = idsOf(*matches);
            QCOMPARE(QSet<QString>(ids.cbegin(), ids.cend()).size(), matches->size());
        }
        QVERIFY2(total > 0, "the demo portfolio has warning signs for the triggers to find");

        // A detractor playbook enrols exactly the customers the trigger matches and its task step runs for each.
        auto detractors = service.previewTrigger(PlaybookTrigger::Detractor, {});
        CHECK_OK(detractors);
        auto created = service.createPlaybook(playbookDraft(u"Detractor follow-up"_s, PlaybookTrigger::Detractor),
            { step(PlaybookStepKind::Task, { { u"title"_s, u"Call {{customer.name}} about their NPS answer"_s } }) });
        CHECK_OK(created);
        auto evaluation = service.evaluateTriggers();
        CHECK_OK(evaluation);
        QCOMPARE(evaluation->first().enrolled, int(detractors->size()));
        auto run = service.runDueSteps();
        CHECK_OK(run);
        QCOMPARE(run->tasksCreated, int(detractors->size()));
        QCOMPARE(run->enrolmentsCompleted, int(detractors->size()));
    }
};

QTEST_GUILESS_MAIN(TestPlaybookService)
#include "tst_playbookservice.moc"
