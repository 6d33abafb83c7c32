// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// ExpansionService: opportunity detection from data (seat utilisation, premium-feature adoption among peers,
// active-user growth, health, tenure), the opportunity pipeline, ARR expansion/contraction tracking and lifetime
// value, against hand-computed values. Built twice: SQLite (label unit) and PostgreSQL (label pg).
#include <cmath>
#include <memory>

#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "demoportfolio.h"
#include "expansionservice.h"
#include "fakeclock.h"
#include "sql.h"
#include "tables_accounts.h"
#include "tables_customers.h"
#include "tables_health.h"
#include "tables_revenue.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using namespace Domain;
using Core::ErrorCode;

namespace {

const QDate Today(2026, 6, 15);

// Noon UTC of a day: the tests' "now".
QDateTime noon(const QDate &day)
{
    return QDateTime(day, QTime(12, 0), QTimeZone::utc());
}

// Request structs filled field by field (-Wmissing-field-initializers refuses partial aggregate initialisation).
Core::ArrChange arrChange(const QString &customerId, double newArr, const QDate &on = {}, const QString &reason = {})
{
    Core::ArrChange c;
    c.customerId = customerId;
    c.newArr = newArr;
    c.effectiveOn = on;
    c.reason = reason;
    c.actor = u"dana"_s;
    return c;
}

Core::LifetimeValueQuery ltvQuery(std::optional<double> margin, const QString &customerId = {})
{
    Core::LifetimeValueQuery q;
    q.grossMargin = margin;
    q.customerId = customerId;
    return q;
}

bool near(double a, double b, double tolerance = 1e-6)
{
    return std::abs(a - b) < tolerance;
}

// Evaluates `expr` once (it may be a write) and fails with the error's text.
#define CHECK_OK(expr)                                                                                                 \
    do {                                                                                                               \
        const auto &result_ = (expr);                                                                                  \
        QVERIFY2(result_.ok(), result_.ok() ? "" : qPrintable(result_.error().toString()));                            \
    } while (false)

} // namespace

class TestExpansionService final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestUtils::FakeClock m_clock { noon(Today) };

    Storage::Database &db() { return m_fixture->db(); }

    void customer(const QString &id, Tier tier, double arr = 0, CustomerStatus status = CustomerStatus::Active)
    {
        Customer c;
        c.id = id;
        c.name = u"Customer "_s + id;
        c.tier = tier;
        c.arr = arr;
        c.status = status;
        c.owner = u"dana"_s;
        if (status == CustomerStatus::Churned)
            c.churnedAt = QDate(2026, 1, 10);
        auto created = Storage::CustomerRepository(db()).create(c);
        if (!created)
            qWarning("customer %s: %s", qPrintable(id), qPrintable(created.error().toString()));
    }

    void contract(const QString &customerId, const QDate &start, double arr, int purchased, int used)
    {
        Contract k;
        k.customerId = customerId;
        k.startDate = start;
        k.endDate = start.addYears(2);
        k.arr = arr;
        k.seatsPurchased = purchased;
        k.seatsUsed = used;
        auto created = Storage::ContractRepository(db()).create(k);
        if (!created)
            qWarning("contract: %s", qPrintable(created.error().toString()));
    }

    void health(const QString &customerId, double score, HealthBand band)
    {
        HealthScore h;
        h.customerId = customerId;
        h.scoreDate = Today.addDays(-1);
        h.score = score;
        h.band = band;
        h.computedAt = QDateTime(Today, QTime(3, 0), QTimeZone::utc());
        auto created = Storage::HealthScoreRepository(db()).create(h);
        if (!created)
            qWarning("health: %s", qPrintable(created.error().toString()));
    }

    void usage(const QString &customerId, int daysAgo, const QString &feature, int events, int activeUsers)
    {
        // feature '' is the all-features row; an empty QString would bind as NULL.
        sql(u"INSERT INTO usage_daily (customer_id, day, feature, events, active_users) VALUES (?, ?, COALESCE(?, ''), "
            "?, ?)"_s,
            { customerId, Storage::Convert::toSql(Today.addDays(-daysAgo)), Storage::Convert::toSql(feature), events,
                activeUsers });
    }

    void movement(const QString &customerId, const QDate &day, ArrMovementKind kind, double amount,
        const QString &sourceTable = {}, const QString &sourceId = {}, std::optional<double> before = {})
    {
        ArrMovement m;
        m.customerId = customerId;
        m.movementDate = day;
        m.kind = kind;
        m.amount = amount;
        m.sourceTable = sourceTable;
        m.sourceId = sourceId;
        if (before) {
            m.arrBefore = before;
            m.arrAfter = *before + m.signedAmount();
        }
        auto created = Storage::ArrMovementRepository(db()).create(m);
        if (!created)
            qWarning("movement: %s", qPrintable(created.error().toString()));
    }

    qint64 opportunity(const QString &customerId, ExpansionKind kind, const QString &product, ExpansionStage stage,
        double estimated = 0, std::optional<double> won = {}, const QDate &closedOn = {})
    {
        ExpansionOpportunity o;
        o.customerId = customerId;
        o.kind = kind;
        o.product = product;
        o.title = product;
        o.stage = stage;
        o.estimatedArr = estimated;
        o.wonArr = won;
        o.closedOn = closedOn;
        if (stage == ExpansionStage::Lost)
            o.lostReason = u"budget"_s;
        auto created = Storage::ExpansionOpportunityRepository(db()).create(o);
        if (!created)
            qWarning("opportunity: %s", qPrintable(created.error().toString()));
        return created ? created->id : -1;
    }

    qint64 count(const QString &statement, const QVariantList &bindings = {})
    {
        auto q = Storage::exec(db(), statement, bindings);
        return q && q->next() ? q->value(0).toLongLong() : -1;
    }

    void sql(const QString &statement, const QVariantList &bindings = {})
    {
        auto q = Storage::exec(db(), statement, bindings);
        if (!q)
            qWarning("%s: %s", qPrintable(statement), qPrintable(q.error().toString()));
    }

    // The detection portfolio, hand-computed in identifyOpportunities().
    // rawEvents: premium-feature use only in usage_events (no per-feature daily rows), as in the demo portfolio.
    void detectionPortfolio(bool rawEvents = false)
    {
        sql(u"INSERT INTO features (key, name, is_premium) VALUES ('sso', 'Single sign-on', ?)"_s, { true });
        sql(u"INSERT INTO features (key, name, is_premium) VALUES ('reports', 'Reports', ?)"_s, { false });
        customer(u"U1"_s, Tier::Enterprise, 50000);
        contract(u"U1"_s, QDate(2025, 6, 15), 50000, 100, 96);
        health(u"U1"_s, 80, HealthBand::Green);
        customer(u"U2"_s, Tier::Enterprise, 10000);
        contract(u"U2"_s, QDate(2025, 6, 15), 10000, 100, 89);
        customer(u"U3"_s, Tier::Smb, 1000);
        contract(u"U3"_s, Today, 1000, 10, 9);
        customer(u"U4"_s, Tier::Smb, 1000);
        contract(u"U4"_s, QDate(2025, 1, 1), 1000, 10, 10);
        health(u"U4"_s, 20, HealthBand::Red);
        for (int i = 1; i <= 7; ++i) {
            const QString id = u"M%1"_s.arg(i);
            customer(id, Tier::MidMarket, 2000);
            usage(id, 5, QString(), 10, 1);
            if (i <= 3 && !rawEvents)
                usage(id, 5, u"sso"_s, 3, 1);
            if (i <= 3 && rawEvents)
                sql(u"INSERT INTO usage_events (customer_id, occurred_at, event_type, feature, user_ref) VALUES (?, ?, "
                    "'sso_login', 'sso', 'u1')"_s,
                    { id, Storage::Convert::toSql(QDateTime(Today.addDays(-5), QTime(10, 0), QTimeZone::utc())) });
        }
        customer(u"E1"_s, Tier::Smb, 5000);
        for (int d = 0; d < 60; ++d)
            usage(u"E1"_s, d, QString(), 5, d < 30 ? 3 : 2);
        customer(u"X"_s, Tier::MidMarket, 12000);
        const qint64 won = opportunity(
            u"X"_s, ExpansionKind::Expansion, u"new_team"_s, ExpansionStage::Won, 2000, 2000, QDate(2026, 3, 1));
        movement(u"X"_s, QDate(2026, 3, 1), ArrMovementKind::Expansion, 2000, u"expansion_opportunities"_s,
            QString::number(won), 10000);
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
        m_clock.set(noon(Today));
        for (const QString &table : { u"customers"_s, u"features"_s, u"surveys"_s, u"app_settings"_s })
            sql(u"DELETE FROM "_s + table);
    }

    void cleanupTestCase() { m_fixture.reset(); }

    // ---- pure formulas ------------------------------------------------------------------------------------------

    void opportunityScore_data()
    {
        QTest::addColumn<double>("signal");
        QTest::addColumn<double>("health"); // -1 = unknown
        QTest::addColumn<int>("tenure"); // -1 = unknown
        QTest::addColumn<double>("expected");
        QTest::addRow("everything at its best") << 1.0 << 100.0 << 730 << 100.0;
        QTest::addRow("signal only") << 0.5 << -1.0 << -1 << 50.0;
        QTest::addRow("all three") << 0.25 << 80.0 << 365 << 46.5; // 100 × (0.125 + 0.24 + 0.1)
        QTest::addRow("all zero") << 0.0 << 0.0 << 0 << 0.0;
        QTest::addRow("no tenure: weights renormalised") << 1.0 << 50.0 << -1 << 81.25; // (0.5 + 0.15) / 0.8
        QTest::addRow("tenure capped at two years") << 0.0 << -1.0 << 1460 << 100.0 * 0.2 / 0.7;
    }
    void opportunityScore()
    {
        QFETCH(double, signal);
        QFETCH(double, health);
        QFETCH(int, tenure);
        QFETCH(double, expected);
        const double score = Core::Expansion::opportunityScore(signal,
            health >= 0 ? std::optional(health) : std::nullopt, tenure >= 0 ? std::optional(tenure) : std::nullopt);
        QVERIFY2(near(score, expected), qPrintable(QString::number(score)));
    }

    void upsellSignal_data()
    {
        QTest::addColumn<double>("utilisation");
        QTest::addColumn<double>("expected");
        QTest::addRow("below headroom") << 0.5 << 0.0;
        QTest::addRow("at headroom") << 0.8 << 0.0;
        QTest::addRow("at the upsell threshold") << 0.9 << 0.25;
        QTest::addRow("full") << 1.0 << 0.5;
        QTest::addRow("over-used") << 1.2 << 1.0;
        QTest::addRow("capped") << 1.5 << 1.0;
    }
    void upsellSignal()
    {
        QFETCH(double, utilisation);
        QFETCH(double, expected);
        QVERIFY(near(Core::Expansion::upsellSignal(utilisation), expected));
    }

    void seatsForHeadroom_data()
    {
        QTest::addColumn<int>("used");
        QTest::addColumn<int>("purchased");
        QTest::addColumn<int>("expected");
        QTest::addRow("90 of 100") << 90 << 100 << 13; // ceil(112.5) − 100
        QTest::addRow("exactly 80 percent") << 80 << 100 << 0;
        QTest::addRow("just above 80 percent") << 81 << 100 << 2; // ceil(101.25) − 100
        QTest::addRow("full") << 100 << 100 << 25;
        QTest::addRow("over-used") << 120 << 100 << 50;
        QTest::addRow("nobody") << 0 << 10 << 0;
    }
    void seatsForHeadroom()
    {
        QFETCH(int, used);
        QFETCH(int, purchased);
        QFETCH(int, expected);
        QCOMPARE(Core::Expansion::seatsForHeadroom(used, purchased), expected);
    }

    void median_data()
    {
        QTest::addColumn<QList<double>>("values");
        QTest::addColumn<double>("expected"); // -1 = none
        QTest::addRow("none") << QList<double> {} << -1.0;
        QTest::addRow("one") << QList<double> { 5 } << 5.0;
        QTest::addRow("odd, unsorted") << QList<double> { 3, 1, 2 } << 2.0;
        QTest::addRow("even") << QList<double> { 4, 1, 3, 2 } << 2.5;
        QTest::addRow("all equal") << QList<double> { 2, 2, 2 } << 2.0;
    }
    void median()
    {
        QFETCH(QList<double>, values);
        QFETCH(double, expected);
        const auto m = Core::Expansion::median(values);
        QCOMPARE(m.has_value(), expected >= 0);
        if (m)
            QVERIFY(near(*m, expected));
    }

    void lifetimeValueFormula_data()
    {
        QTest::addColumn<double>("arr");
        QTest::addColumn<double>("margin");
        QTest::addColumn<double>("churn");
        QTest::addColumn<double>("expected"); // -1 = none
        QTest::addRow("typical") << 12000.0 << 0.8 << 0.2 << 48000.0;
        QTest::addRow("everyone leaves within a year") << 1000.0 << 0.5 << 1.0 << 500.0;
        QTest::addRow("no churn: unbounded") << 12000.0 << 0.8 << 0.0 << -1.0;
        QTest::addRow("no margin") << 12000.0 << 0.0 << 0.2 << -1.0;
        QTest::addRow("margin above 100 percent") << 12000.0 << 1.2 << 0.2 << -1.0;
        QTest::addRow("no ARR") << 0.0 << 0.8 << 0.5 << 0.0;
    }
    void lifetimeValueFormula()
    {
        QFETCH(double, arr);
        QFETCH(double, margin);
        QFETCH(double, churn);
        QFETCH(double, expected);
        const auto ltv = Core::Expansion::lifetimeValue(arr, margin, churn);
        QCOMPARE(ltv.has_value(), expected >= 0);
        if (ltv)
            QVERIFY(near(*ltv, expected));
    }

    // ---- detection --------------------------------------------------------------------------------------------------

    void identifyOnAnEmptyPortfolio()
    {
        Core::ExpansionService service(db(), m_clock);
        auto scan = service.identifyOpportunities({});
        CHECK_OK(scan);
        QVERIFY(!scan->hasData);
        QVERIFY(scan->reason.contains(u"no active customers"_s));
        QCOMPARE(scan->total, 0);
    }

    void identifyOpportunities_data()
    {
        QTest::addColumn<bool>("rawEvents");
        QTest::addRow("feature use from daily aggregates") << false;
        QTest::addRow("feature use from raw events") << true;
    }
    void identifyOpportunities()
    {
        QFETCH(bool, rawEvents);
        detectionPortfolio(rawEvents);
        Core::ExpansionService service(db(), m_clock);
        auto scan = service.identifyOpportunities({});
        CHECK_OK(scan);
        QVERIFY(scan->hasData);
        QCOMPARE(scan->notes.size(), rawEvents ? 1 : 0);
        QCOMPARE(scan->customersScanned, 13);
        QCOMPARE(scan->skippedRedHealth, 1); // U4
        QCOMPARE(scan->total, 7);
        QCOMPARE(scan->upsell, 2);
        QCOMPARE(scan->crossSell, 4);
        QCOMPARE(scan->expansion, 1);
        QCOMPARE(scan->items.size(), 7);

        const Core::ExpansionCandidate &e1 = scan->items.at(0);
        QCOMPARE(e1.customerId, u"E1"_s);
        QCOMPARE(e1.kind, ExpansionKind::Expansion);
        QVERIFY(near(e1.score, 100)); // +50 % active users: full signal, nothing else known
        QVERIFY(e1.estimatedArr && near(*e1.estimatedArr, 1000)); // 5000 × the 20 % X's won deal added
        QCOMPARE(e1.evidence.constFirst().toMap().value(u"signal"_s).toString(), u"active_user_growth"_s);
        QVERIFY(near(e1.evidence.constFirst().toMap().value(u"value"_s).toDouble(), 0.5));

        const Core::ExpansionCandidate &u1 = scan->items.at(1);
        QCOMPARE(u1.customerId, u"U1"_s);
        QCOMPARE(u1.product, u"seats"_s);
        QVERIFY2(near(u1.score, 54), qPrintable(QString::number(u1.score))); // 100 × (0.2 + 0.24 + 0.1)
        QVERIFY(near(*u1.estimatedArr, 10000)); // 20 seats × 500
        QCOMPARE(u1.evidence.size(), 3); // utilisation, health, tenure

        for (int i = 2; i < 6; ++i) {
            const Core::ExpansionCandidate &m = scan->items.at(i);
            QCOMPARE(m.customerId, u"M%1"_s.arg(i + 2));
            QCOMPARE(m.kind, ExpansionKind::CrossSell);
            QCOMPARE(m.product, u"sso"_s);
            QCOMPARE(m.title, u"Cross-sell Single sign-on"_s);
            QVERIFY(near(m.score, 50)); // 3 of the 6 other active mid-market customers use it
            QVERIFY(!m.estimatedArr);
            QVERIFY(m.estimateBasis.contains(u"no won cross_sell deal"_s));
        }
        const Core::ExpansionCandidate &u3 = scan->items.at(6);
        QCOMPARE(u3.customerId, u"U3"_s);
        QVERIFY(near(u3.score, 17.9)); // 100 × 0.125 / 0.7, one decimal
        QVERIFY(near(*u3.estimatedArr, 200)); // 2 seats × 100

        Core::ExpansionScanQuery high;
        high.minScore = 60;
        auto best = service.identifyOpportunities(high);
        CHECK_OK(best);
        QCOMPARE(best->total, 1);
        Core::ExpansionScanQuery upsell;
        upsell.kinds = { ExpansionKind::Upsell };
        auto seats = service.identifyOpportunities(upsell);
        CHECK_OK(seats);
        QCOMPARE(seats->total, 2);
        // One customer: peers are still the whole portfolio.
        Core::ExpansionScanQuery one;
        one.customerId = u"M4"_s;
        auto m4 = service.identifyOpportunities(one);
        CHECK_OK(m4);
        QCOMPARE(m4->total, 1);
        QCOMPARE(m4->customersScanned, 1);

        Core::ExpansionScanQuery bad;
        bad.minScore = 101;
        auto refused = service.identifyOpportunities(bad);
        QVERIFY(!refused);
        QCOMPARE(refused.error().field, u"min_score"_s);
    }

    void persistingIsIdempotent()
    {
        detectionPortfolio();
        Core::ExpansionService service(db(), m_clock);
        QSignalSpy identified(&service, &Core::ExpansionService::opportunitiesIdentified);
        Core::ExpansionScanQuery q;
        q.persist = true;
        auto first = service.identifyOpportunities(q);
        CHECK_OK(first);
        QCOMPARE(first->created, 7);
        QCOMPARE(first->refreshed, 0);
        QCOMPARE(identified.count(), 1);
        const QString open = u"SELECT COUNT(*) FROM expansion_opportunities WHERE stage IN ('identified','qualified',"
                             "'proposed') AND deleted_at IS NULL"_s;
        QCOMPARE(count(open), 7);
        for (const Core::ExpansionCandidate &c : first->items)
            QVERIFY(c.opportunityId.has_value());
        // The stored row keeps the evidence and, with no basis for an estimate, 0 with the reason.
        auto m4 = Storage::exec(db(),
            u"SELECT estimated_arr, evidence FROM expansion_opportunities WHERE customer_id = "
            "'M4'"_s);
        QVERIFY(m4 && m4->next());
        QVERIFY(near(m4->value(0).toDouble(), 0));
        QVERIFY(m4->value(1).toString().contains(u"estimate_basis"_s));
        // Each new opportunity is on its customer's timeline, pointing at its row.
        const QString marks = u"SELECT COUNT(*) FROM timeline_events t JOIN expansion_opportunities o "
                              "ON t.source_table = 'expansion_opportunities' AND t.source_id = "
                              "CAST(o.id AS TEXT) AND t.customer_id = o.customer_id WHERE t.kind = 'expansion'"_s;
        QCOMPARE(count(marks), 7);
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'expansion'"_s), 7);
        auto title = Storage::exec(db(),
            u"SELECT t.title FROM timeline_events t JOIN expansion_opportunities o ON t.source_id = CAST(o.id AS "
            "TEXT) WHERE t.kind = 'expansion' AND o.estimated_arr > 0 ORDER BY o.id LIMIT 1"_s);
        QVERIFY(title && title->next());
        QVERIFY2(title->value(0).toString().startsWith(u"Expansion opportunity identified: "_s)
                && title->value(0).toString().contains(u" ARR)"_s),
            qPrintable(title->value(0).toString()));

        auto second = service.identifyOpportunities(q);
        CHECK_OK(second);
        QCOMPARE(second->created, 0);
        QCOMPARE(second->refreshed, 7);
        QCOMPARE(count(open), 7);
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'expansion'"_s), 7); // a refresh adds none

        // A CSM works one of them: it is linked, not refreshed.
        const qint64 worked = count(u"SELECT id FROM expansion_opportunities WHERE customer_id = 'M4'"_s);
        Core::OpportunityUpdate qualify;
        qualify.opportunityId = worked;
        qualify.stage = ExpansionStage::Qualified;
        CHECK_OK(service.updateOpportunityStage(qualify));
        auto third = service.identifyOpportunities(q);
        CHECK_OK(third);
        QCOMPARE(third->created, 0);
        QCOMPARE(third->refreshed, 6);
    }

    void createdOpportunityIsOnTheTimeline()
    {
        customer(u"A"_s, Tier::Smb, 5000);
        Core::ExpansionService service(db(), m_clock);
        Domain::ExpansionOpportunity o;
        o.customerId = u"A"_s;
        o.kind = ExpansionKind::CrossSell;
        o.product = u"sso"_s;
        o.title = u"Single sign-on"_s;
        o.estimatedArr = 1200;
        o.stage = ExpansionStage::Won; // refused: a new opportunity is open, and nothing is written
        QVERIFY(!service.createOpportunity(o));
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events"_s), 0);
        o.stage = ExpansionStage::Qualified;
        auto created = service.createOpportunity(o);
        CHECK_OK(created);
        auto t
            = Storage::exec(db(), u"SELECT kind, title, source_table, source_id, customer_id FROM timeline_events"_s);
        QVERIFY(t && t->next());
        QCOMPARE(t->value(0).toString(), u"expansion"_s);
        QCOMPARE(t->value(1).toString(), u"Expansion opportunity qualified: Single sign-on (est. 1200.00 ARR)"_s);
        QCOMPARE(t->value(2).toString(), u"expansion_opportunities"_s);
        QCOMPARE(t->value(3).toString(), QString::number(created->id));
        QCOMPARE(t->value(4).toString(), u"A"_s);
        QVERIFY(!t->next());
    }

    void opportunityLifecycle()
    {
        customer(u"A"_s, Tier::Smb, 5000);
        const qint64 id = opportunity(u"A"_s, ExpansionKind::Upsell, u"seats"_s, ExpansionStage::Proposed, 1000);
        const qint64 other = opportunity(u"A"_s, ExpansionKind::CrossSell, u"sso"_s, ExpansionStage::Identified, 500);
        Core::ExpansionService service(db(), m_clock);

        Core::OpportunityUpdate win;
        win.opportunityId = id;
        win.stage = ExpansionStage::Won;
        auto noArr = service.updateOpportunityStage(win);
        QVERIFY(!noArr);
        QCOMPARE(noArr.error().field, u"won_arr"_s);
        win.wonArr = 1500;
        win.actor = u"dana"_s;
        auto won = service.updateOpportunityStage(win);
        CHECK_OK(won);
        QCOMPARE(won->stage, ExpansionStage::Won);
        QCOMPARE(won->closedOn, Today);
        auto c = Storage::CustomerRepository(db()).get(u"A"_s);
        QVERIFY(near(c->arr, 6500));
        auto m = Storage::exec(db(), u"SELECT kind, amount, arr_before, arr_after, source_id FROM arr_movements"_s);
        QVERIFY(m && m->next());
        QCOMPARE(m->value(0).toString(), u"expansion"_s);
        QVERIFY(near(m->value(1).toDouble(), 1500));
        QVERIFY(near(m->value(2).toDouble(), 5000));
        QVERIFY(near(m->value(3).toDouble(), 6500));
        QCOMPARE(m->value(4).toString(), QString::number(id));
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'expansion'"_s), 1);
        auto again = service.updateOpportunityStage(win);
        QVERIFY(!again);
        QCOMPARE(again.error().field, u"opportunity_id"_s);

        Core::OpportunityUpdate lose;
        lose.opportunityId = other;
        lose.stage = ExpansionStage::Lost;
        auto noReason = service.updateOpportunityStage(lose);
        QVERIFY(!noReason);
        QCOMPARE(noReason.error().field, u"lost_reason"_s);
        lose.lostReason = u"No budget this year"_s;
        auto lost = service.updateOpportunityStage(lose);
        CHECK_OK(lost);
        QCOMPARE(lost->lostReason, u"No budget this year"_s);
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'expansion'"_s), 2);
        QCOMPARE(count(u"SELECT COUNT(*) FROM arr_movements"_s), 1);

        Core::OpportunityQuery q;
        q.openOnly = false;
        auto all = service.opportunities(q);
        CHECK_OK(all);
        QCOMPARE(all->total, 2);
        q.openOnly = true;
        auto openOnes = service.opportunities(q);
        CHECK_OK(openOnes);
        QCOMPARE(openOnes->total, 0);

        Core::OpportunityUpdate missing;
        missing.opportunityId = 987654;
        auto notFound = service.updateOpportunityStage(missing);
        QVERIFY(!notFound);
        QCOMPARE(notFound.error().code, ErrorCode::NotFound);
        QCOMPARE(notFound.error().field, u"opportunity_id"_s);
    }

    // ---- ARR tracking
    // -------------------------------------------------------------------------------------------------

    void recordArrChange_data()
    {
        QTest::addColumn<double>("currentArr");
        QTest::addColumn<bool>("churned");
        QTest::addColumn<double>("newArr");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<double>("amount");
        QTest::addColumn<QString>("timelineKind");
        QTest::addRow("expansion") << 10000.0 << false << 12000.0 << u"expansion"_s << 2000.0 << u"expansion"_s;
        QTest::addRow("contraction") << 10000.0 << false << 7000.0 << u"contraction"_s << 3000.0 << u"contract"_s;
        QTest::addRow("first ARR") << 0.0 << false << 5000.0 << u"new"_s << 5000.0 << u"contract"_s;
        QTest::addRow("back from churn") << 8000.0 << true << 9000.0 << u"reactivation"_s << 9000.0 << u"contract"_s;
    }
    void recordArrChange()
    {
        QFETCH(double, currentArr);
        QFETCH(bool, churned);
        QFETCH(double, newArr);
        QFETCH(QString, kind);
        QFETCH(double, amount);
        QFETCH(QString, timelineKind);
        customer(u"A"_s, Tier::Smb, currentArr, churned ? CustomerStatus::Churned : CustomerStatus::Active);
        Core::ExpansionService service(db(), m_clock);
        QSignalSpy changed(&service, &Core::ExpansionService::customerArrChanged);
        auto m = service.recordArrChange(arrChange(u"A"_s, newArr, {}, u"seat true-up"_s));
        CHECK_OK(m);
        QCOMPARE(enumName(m->kind), kind);
        QVERIFY(near(m->amount, amount));
        QCOMPARE(m->movementDate, Today);
        auto c = Storage::CustomerRepository(db()).get(u"A"_s);
        QVERIFY(near(c->arr, newArr));
        QCOMPARE(c->status, CustomerStatus::Active);
        QVERIFY(!c->churnedAt.isValid());
        QCOMPARE(changed.count(), 1);
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events WHERE kind = ?"_s, { timelineKind }), 1);
    }

    void recordArrChangeRefuses_data()
    {
        QTest::addColumn<QString>("customerId");
        QTest::addColumn<double>("newArr");
        QTest::addColumn<int>("daysAhead");
        QTest::addColumn<QString>("field");
        QTest::addRow("unchanged") << u"A"_s << 10000.0 << 0 << u"new_arr"_s;
        QTest::addRow("zero") << u"A"_s << 0.0 << 0 << u"new_arr"_s;
        QTest::addRow("tomorrow") << u"A"_s << 11000.0 << 1 << u"effective_on"_s;
        QTest::addRow("unknown customer") << u"nobody"_s << 11000.0 << 0 << u"customer_id"_s;
    }
    void recordArrChangeRefuses()
    {
        QFETCH(QString, customerId);
        QFETCH(double, newArr);
        QFETCH(int, daysAhead);
        QFETCH(QString, field);
        customer(u"A"_s, Tier::Smb, 10000);
        Core::ExpansionService service(db(), m_clock);
        auto m = service.recordArrChange(arrChange(customerId, newArr, daysAhead ? Today.addDays(daysAhead) : QDate()));
        QVERIFY(!m);
        QCOMPARE(m.error().field, field);
        QCOMPARE(count(u"SELECT COUNT(*) FROM arr_movements"_s), 0);
    }

    void revenueExpansion()
    {
        customer(u"A"_s, Tier::Smb, 1300);
        customer(u"B"_s, Tier::Smb, 3000);
        customer(u"C"_s, Tier::Smb, 700);
        movement(u"A"_s, QDate(2026, 1, 5), ArrMovementKind::New, 1000);
        movement(u"A"_s, QDate(2026, 2, 10), ArrMovementKind::Expansion, 500);
        movement(u"A"_s, QDate(2026, 3, 3), ArrMovementKind::Contraction, 200);
        movement(u"B"_s, QDate(2025, 12, 1), ArrMovementKind::New, 3000); // before the period
        movement(u"B"_s, QDate(2026, 2, 20), ArrMovementKind::Churn, 3000);
        movement(u"C"_s, QDate(2026, 3, 15), ArrMovementKind::Reactivation, 700);
        opportunity(u"A"_s, ExpansionKind::Upsell, u"seats"_s, ExpansionStage::Identified, 100);
        opportunity(u"A"_s, ExpansionKind::CrossSell, u"sso"_s, ExpansionStage::Qualified, 200);
        opportunity(u"C"_s, ExpansionKind::Upsell, u"seats"_s, ExpansionStage::Won, 700, 700, QDate(2026, 3, 15));
        opportunity(u"B"_s, ExpansionKind::Upsell, u"seats"_s, ExpansionStage::Lost, 300, {}, QDate(2026, 2, 1));
        opportunity(u"B"_s, ExpansionKind::Expansion, u"new_team"_s, ExpansionStage::Won, 300, 300, QDate(2025, 12, 1));

        Core::ExpansionService service(db(), m_clock);
        auto r = service.revenueExpansion(QDate(2026, 1, 1), QDate(2026, 3, 31));
        CHECK_OK(r);
        QVERIFY(r->hasData);
        QCOMPARE(r->total.movements, 5);
        QVERIFY(near(r->total.newArr, 1000));
        QVERIFY(near(r->total.expansionArr, 500));
        QVERIFY(near(r->total.reactivationArr, 700));
        QVERIFY(near(r->total.contractionArr, 200));
        QVERIFY(near(r->total.churnArr, 3000));
        QVERIFY(near(r->total.netArr, -1000));
        QCOMPARE(r->periods.size(), 3);
        QCOMPARE(r->periods.at(0).label, u"2026-01"_s);
        QVERIFY(near(r->periods.at(0).netArr, 1000));
        QCOMPARE(r->periods.at(1).movements, 2);
        QVERIFY(near(r->periods.at(1).netArr, -2500));
        QVERIFY(near(r->periods.at(2).netArr, 500));
        QCOMPARE(r->topExpanders.size(), 2);
        QCOMPARE(r->topExpanders.at(0).customerId, u"C"_s);
        QVERIFY(near(r->topExpanders.at(0).netArr, 700));
        QCOMPARE(r->topExpanders.at(1).customerId, u"A"_s);
        QVERIFY(near(r->topExpanders.at(1).netArr, 300)); // new business left out
        QCOMPARE(r->topContractors.size(), 1);
        QVERIFY(near(r->topContractors.at(0).netArr, -3000));
        QCOMPARE(r->openOpportunities, 2);
        QVERIFY(near(r->openEstimatedArr, 300));
        QCOMPARE(r->openUpsell, 1);
        QCOMPARE(r->openCrossSell, 1);
        QCOMPARE(r->wonInPeriod, 1);
        QVERIFY(near(r->wonArrInPeriod, 700));
        QCOMPARE(r->lostInPeriod, 1);
        QVERIFY(near(*r->winRate, 0.5));

        init();
        auto empty = service.revenueExpansion(QDate(2026, 1, 1), QDate(2026, 3, 31));
        CHECK_OK(empty);
        QVERIFY(!empty->hasData);
        QVERIFY(!empty->winRate);
        QVERIFY(!empty->reason.isEmpty());
    }

    // ---- lifetime value
    // ----------------------------------------------------------------------------------------------

    void lifetimeValue()
    {
        customer(u"A"_s, Tier::Smb, 10000);
        customer(u"B"_s, Tier::Smb, 10000, CustomerStatus::Churned);
        customer(u"C"_s, Tier::Enterprise, 16000);
        movement(u"A"_s, QDate(2025, 1, 1), ArrMovementKind::New, 10000);
        movement(u"B"_s, QDate(2025, 2, 1), ArrMovementKind::New, 10000);
        movement(u"B"_s, QDate(2026, 1, 10), ArrMovementKind::Churn, 10000);
        movement(u"C"_s, QDate(2025, 3, 1), ArrMovementKind::New, 20000);
        movement(u"C"_s, QDate(2026, 3, 1), ArrMovementKind::Contraction, 4000);
        Core::ExpansionService service(db(), m_clock);

        // Trailing year 2025-06-16 .. 2026-06-15: the cohort started at 40000 and lost 14000: churn rate 0.35.
        auto noMargin = service.lifetimeValue({});
        CHECK_OK(noMargin);
        QVERIFY(!noMargin->hasData);
        QVERIFY(noMargin->reason.contains(u"gross margin"_s));
        QVERIFY(near(*noMargin->annualChurnRate, 0.35));
        QCOMPARE(noMargin->churnBasis.from, QDate(2025, 6, 16));

        auto portfolio = service.lifetimeValue(ltvQuery(0.8));
        CHECK_OK(portfolio);
        QVERIFY2(portfolio->hasData, qPrintable(portfolio->reason));
        QCOMPARE(portfolio->grossMarginSource, u"argument"_s);
        QCOMPARE(portfolio->activeCustomers, 2);
        QVERIFY(near(portfolio->arr, 13000));
        QVERIFY(near(*portfolio->ltv, 13000 * 0.8 / 0.35));
        QVERIFY(near(*portfolio->expectedLifetimeYears, 1 / 0.35));
        QCOMPARE(portfolio->byTier.size(), 2);
        for (const Core::TierLifetimeValue &t : portfolio->byTier) {
            if (t.tier == Tier::Smb) {
                QVERIFY(near(*t.annualChurnRate, 0.5)); // A and B started at 20000, B's 10000 left
                QVERIFY(near(*t.ltv, 16000));
            } else {
                QCOMPARE(t.tier, Tier::Enterprise);
                QVERIFY(near(*t.annualChurnRate, 0.2));
                QVERIFY(near(*t.ltv, 64000));
            }
        }

        auto one = service.lifetimeValue(ltvQuery(0.8, u"C"_s));
        CHECK_OK(one);
        QVERIFY(near(*one->ltv, 16000 * 0.8 / 0.35));
        QVERIFY(one->byTier.isEmpty());

        auto refused = service.setGrossMargin(1.5);
        QVERIFY(!refused);
        QCOMPARE(refused.error().field, u"gross_margin"_s);
        CHECK_OK(service.setGrossMargin(0.8));
        auto stored = service.grossMargin();
        CHECK_OK(stored);
        QVERIFY(*stored && near(**stored, 0.8));
        CHECK_OK(service.setGrossMargin(0.75)); // updates the setting
        auto fromSetting = service.lifetimeValue({});
        CHECK_OK(fromSetting);
        QCOMPARE(fromSetting->grossMarginSource, u"setting"_s);
        QVERIFY(near(*fromSetting->ltv, 13000 * 0.75 / 0.35));

        auto unknown = service.lifetimeValue(ltvQuery(0.8, u"nobody"_s));
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().field, u"customer_id"_s);
    }

    void lifetimeValueWithoutHistory()
    {
        Core::ExpansionService service(db(), m_clock);
        auto empty = service.lifetimeValue(ltvQuery(0.8));
        CHECK_OK(empty);
        QVERIFY(!empty->hasData);
        QVERIFY(!empty->annualChurnRate);
        QVERIFY(empty->reason.contains(u"no annual churn rate"_s));

        customer(u"A"_s, Tier::Smb, 10000);
        movement(u"A"_s, QDate(2025, 1, 1), ArrMovementKind::New, 10000);
        auto noChurn = service.lifetimeValue(ltvQuery(0.8));
        CHECK_OK(noChurn);
        QVERIFY(!noChurn->hasData);
        QVERIFY(near(*noChurn->annualChurnRate, 0));
        QVERIFY(!noChurn->expectedLifetimeYears);
        QVERIFY(noChurn->reason.contains(u"unbounded"_s));
    }

    // ---- demo portfolio
    // --------------------------------------------------------------------------------------------------

    void demoPortfolio()
    {
        Core::DemoPortfolio::Options options;
        options.customers = 60;
        options.seed = 4242;
        options.today = Today;
        options.usageEvents = 3000;
        options.replaceExisting = true;
        auto stats = Core::DemoPortfolio(db(), options).generate();
        CHECK_OK(stats);
        Core::ExpansionService service(db(), m_clock);

        Core::ExpansionScanQuery q;
        q.limit = 200;
        auto scan = service.identifyOpportunities(q);
        CHECK_OK(scan);
        QVERIFY(scan->hasData);
        QVERIFY2(scan->total > 0, qPrintable(scan->notes.join(u"; "_s)));
        for (const Core::ExpansionCandidate &c : scan->items) {
            QVERIFY(c.score >= 0 && c.score <= 100);
            QVERIFY(!c.evidence.isEmpty());
            QVERIFY(!c.estimateBasis.isEmpty());
            if (c.estimatedArr)
                QVERIFY(*c.estimatedArr >= 0);
        }
        q.persist = true;
        auto first = service.identifyOpportunities(q);
        CHECK_OK(first);
        auto second = service.identifyOpportunities(q);
        CHECK_OK(second);
        QCOMPARE(second->created, 0);

        auto report = service.revenueExpansion(Today.addYears(-1).addDays(1), Today);
        CHECK_OK(report);
        QVERIFY(report->hasData);
        double net = 0;
        for (const Core::ArrMovementTotals &p : report->periods)
            net += p.netArr;
        QVERIFY(near(net, report->total.netArr, 0.01));

        auto ltv = service.lifetimeValue(ltvQuery(0.8));
        CHECK_OK(ltv);
        QVERIFY2(ltv->hasData, qPrintable(ltv->reason)); // the demo has a year of churn history
        QVERIFY(*ltv->ltv > 0);
        QVERIFY(*ltv->annualChurnRate > 0 && *ltv->annualChurnRate <= 1);
    }
};

QTEST_GUILESS_MAIN(TestExpansionService)
#include "tst_expansionservice.moc"
