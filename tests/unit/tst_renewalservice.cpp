// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// RenewalService: pipeline, forecast (Σ p × ARR), ARR at risk, T−180/T−90 checkpoints, closing renewals, GRR/NRR
// and the renewal brief, each against hand-computed values (DESIGN.md §4). Built twice: SQLite (label unit) and
// PostgreSQL (label pg).
#include <cmath>
#include <memory>

#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "demoportfolio.h"
#include "fakeclock.h"
#include "renewalservice.h"
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

// Query structs filled field by field (-Wmissing-field-initializers refuses partial aggregate initialisation).
Core::RenewalForecastQuery forecastQuery(const QDate &from, const QDate &to, std::optional<Tier> tier = {})
{
    Core::RenewalForecastQuery q;
    q.from = from;
    q.to = to;
    q.tier = tier;
    return q;
}

Core::ArrAtRiskQuery atRisk(int withinDays)
{
    Core::ArrAtRiskQuery q;
    q.withinDays = withinDays;
    return q;
}

Core::RetentionFilter tierFilter(Tier tier)
{
    Core::RetentionFilter f;
    f.tier = tier;
    return f;
}

bool near(double a, double b)
{
    return std::abs(a - b) < 1e-6;
}

// Evaluates `expr` once (it may be a write) and fails with the error's text.
#define CHECK_OK(expr)                                                                                                 \
    do {                                                                                                               \
        const auto &result_ = (expr);                                                                                  \
        QVERIFY2(result_.ok(), result_.ok() ? "" : qPrintable(result_.error().toString()));                            \
    } while (false)

} // namespace

class TestRenewalService final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestUtils::FakeClock m_clock { noon(Today) };

    Storage::Database &db() { return m_fixture->db(); }

    QString customer(const QString &id, Tier tier = Tier::Smb, double arr = 0)
    {
        Customer c;
        c.id = id;
        c.name = u"Customer "_s + id;
        c.tier = tier;
        c.arr = arr;
        c.owner = u"dana"_s;
        auto created = Storage::CustomerRepository(db()).create(c);
        if (!created)
            qWarning("customer %s: %s", qPrintable(id), qPrintable(created.error().toString()));
        return id;
    }

    qint64 renewal(const QString &customerId, const QDate &date, double arr, std::optional<double> probability = {},
        bool cp180 = false, bool cp90 = false)
    {
        Renewal r;
        r.customerId = customerId;
        r.renewalDate = date;
        r.arrCurrent = arr;
        r.probability = probability;
        r.checkpoint180Done = cp180;
        r.checkpoint90Done = cp90;
        auto created = Storage::RenewalRepository(db()).create(r);
        if (!created)
            qWarning("renewal: %s", qPrintable(created.error().toString()));
        return created ? created->id : -1;
    }

    void closedRenewal(const QString &customerId, const QDate &date, double arr, RenewalOutcome outcome, double after)
    {
        Renewal r;
        r.customerId = customerId;
        r.renewalDate = date;
        r.arrCurrent = arr;
        r.outcome = outcome;
        r.stage = outcome == RenewalOutcome::Churned ? RenewalStage::Churned
            : outcome == RenewalOutcome::Downgraded  ? RenewalStage::Downgraded
                                                     : RenewalStage::Renewed;
        r.outcomeArr = after;
        r.closedOn = date.addDays(-3);
        auto created = Storage::RenewalRepository(db()).create(r);
        if (!created)
            qWarning("closed renewal: %s", qPrintable(created.error().toString()));
    }

    void prediction(const QString &customerId, double pChurn, const QDateTime &at)
    {
        ChurnPrediction p;
        p.customerId = customerId;
        p.probability = pChurn;
        p.riskLevel = ChurnRiskLevel::Medium;
        p.predictedAt = at;
        auto created = Storage::ChurnPredictionRepository(db()).create(p);
        if (!created)
            qWarning("prediction: %s", qPrintable(created.error().toString()));
    }

    void health(const QString &customerId, const QDate &day, double score, HealthBand band)
    {
        HealthScore h;
        h.customerId = customerId;
        h.scoreDate = day;
        h.score = score;
        h.band = band;
        h.computedAt = QDateTime(day, QTime(3, 0), QTimeZone::utc());
        auto created = Storage::HealthScoreRepository(db()).create(h);
        if (!created)
            qWarning("health: %s", qPrintable(created.error().toString()));
    }

    void movement(const QString &customerId, const QDate &day, ArrMovementKind kind, double amount)
    {
        ArrMovement m;
        m.customerId = customerId;
        m.movementDate = day;
        m.kind = kind;
        m.amount = amount;
        auto created = Storage::ArrMovementRepository(db()).create(m);
        if (!created)
            qWarning("movement: %s", qPrintable(created.error().toString()));
    }

    qint64 count(const QString &sql, const QVariantList &bindings = {})
    {
        auto q = Storage::exec(db(), sql, bindings);
        return q && q->next() ? q->value(0).toLongLong() : -1;
    }

    void sql(const QString &statement, const QVariantList &bindings = {})
    {
        auto q = Storage::exec(db(), statement, bindings);
        if (!q)
            qWarning("%s: %s", qPrintable(statement), qPrintable(q.error().toString()));
    }

    // The GRR/NRR ledger of the retention tests (hand-computed in retention()).
    void retentionLedger()
    {
        customer(u"P"_s, Tier::Enterprise);
        customer(u"Q"_s, Tier::Enterprise);
        customer(u"R"_s);
        customer(u"S"_s);
        customer(u"T"_s);
        customer(u"U"_s);
        customer(u"V"_s);
        customer(u"W"_s);
        movement(u"P"_s, QDate(2025, 1, 10), ArrMovementKind::New, 1000);
        movement(u"P"_s, QDate(2026, 2, 1), ArrMovementKind::Expansion, 500);
        movement(u"Q"_s, QDate(2025, 3, 1), ArrMovementKind::New, 2000);
        movement(u"Q"_s, QDate(2026, 3, 15), ArrMovementKind::Contraction, 400);
        movement(u"R"_s, QDate(2025, 6, 1), ArrMovementKind::New, 3000);
        movement(u"R"_s, QDate(2026, 2, 20), ArrMovementKind::Churn, 3000);
        movement(u"S"_s, QDate(2026, 2, 1), ArrMovementKind::New, 5000); // starts in the period: not in the cohort
        movement(u"T"_s, QDate(2025, 5, 1), ArrMovementKind::New, 1000);
        movement(u"T"_s, QDate(2025, 11, 1), ArrMovementKind::Churn, 1000); // gone before the period
        movement(u"U"_s, QDate(2025, 7, 1), ArrMovementKind::New, 4000);
        movement(u"U"_s, QDate(2026, 4, 1), ArrMovementKind::Expansion, 1000); // after the period
        movement(u"V"_s, QDate(2025, 1, 1), ArrMovementKind::New, 600);
        movement(u"V"_s, QDate(2026, 1, 1), ArrMovementKind::Contraction, 100); // on the first day: inside
        movement(u"W"_s, QDate(2025, 2, 1), ArrMovementKind::New, 900);
        movement(u"W"_s, QDate(2026, 3, 31), ArrMovementKind::Expansion, 300); // on the last day: inside
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
        // Customers cascade to everything they own (renewals, ledger, scores, timeline, ...).
        for (const QString &table : { u"customers"_s, u"features"_s, u"surveys"_s, u"app_settings"_s })
            sql(u"DELETE FROM "_s + table);
    }

    void cleanupTestCase() { m_fixture.reset(); }

    // ---- pure formulas ------------------------------------------------------------------------------------------

    void retentionFormulas_data()
    {
        QTest::addColumn<double>("start");
        QTest::addColumn<double>("expansion");
        QTest::addColumn<double>("contraction");
        QTest::addColumn<double>("churn");
        QTest::addColumn<double>("nrr"); // -1 = no value
        QTest::addColumn<double>("grr");
        QTest::addRow("typical") << 1000.0 << 200.0 << 50.0 << 100.0 << 1.05 << 0.85;
        QTest::addRow("no movement") << 1000.0 << 0.0 << 0.0 << 0.0 << 1.0 << 1.0;
        QTest::addRow("everything churned") << 1000.0 << 0.0 << 0.0 << 1000.0 << 0.0 << 0.0;
        QTest::addRow("expansion only: GRR stays at 100 percent") << 500.0 << 250.0 << 0.0 << 0.0 << 1.5 << 1.0;
        QTest::addRow("lost more than it started with: GRR floored") << 100.0 << 50.0 << 0.0 << 150.0 << 0.0 << 0.0;
        QTest::addRow("no cohort") << 0.0 << 10.0 << 0.0 << 0.0 << -1.0 << -1.0;
    }
    void retentionFormulas()
    {
        QFETCH(double, start);
        QFETCH(double, expansion);
        QFETCH(double, contraction);
        QFETCH(double, churn);
        QFETCH(double, nrr);
        QFETCH(double, grr);
        const auto n = Core::Revenue::netRevenueRetention(start, expansion, contraction, churn);
        const auto g = Core::Revenue::grossRevenueRetention(start, contraction, churn);
        QCOMPARE(n.has_value(), nrr >= 0);
        QCOMPARE(g.has_value(), grr >= 0);
        if (n)
            QVERIFY2(near(*n, nrr), qPrintable(QString::number(*n)));
        if (g)
            QVERIFY2(near(*g, grr), qPrintable(QString::number(*g)));
    }

    void renewProbability_data()
    {
        QTest::addColumn<double>("churnPrediction"); // -1 = none
        QTest::addColumn<double>("renewalProbability"); // -1 = none
        QTest::addColumn<double>("expected"); // -1 = unknown
        QTest::addColumn<QString>("source");
        QTest::addRow("prediction wins over the assessment") << 0.3 << 0.9 << 0.7 << u"churn_prediction"_s;
        QTest::addRow("prediction alone") << 0.25 << -1.0 << 0.75 << u"churn_prediction"_s;
        QTest::addRow("certain churn") << 1.0 << 0.9 << 0.0 << u"churn_prediction"_s;
        QTest::addRow("certain renewal") << 0.0 << -1.0 << 1.0 << u"churn_prediction"_s;
        QTest::addRow("assessment without prediction") << -1.0 << 0.9 << 0.9 << u"renewal_assessment"_s;
        QTest::addRow("assessed at zero") << -1.0 << 0.0 << 0.0 << u"renewal_assessment"_s;
        QTest::addRow("nothing known") << -1.0 << -1.0 << -1.0 << u"unknown"_s;
    }
    void renewProbability()
    {
        QFETCH(double, churnPrediction);
        QFETCH(double, renewalProbability);
        QFETCH(double, expected);
        QFETCH(QString, source);
        const auto p = Core::Revenue::resolveRenewProbability(
            churnPrediction >= 0 ? std::optional(churnPrediction) : std::nullopt, {},
            renewalProbability >= 0 ? std::optional(renewalProbability) : std::nullopt, {});
        QCOMPARE(enumName(p.source), source);
        QCOMPARE(p.value.has_value(), expected >= 0);
        if (p.value)
            QVERIFY(near(*p.value, expected));
    }

    void periods_data()
    {
        QTest::addColumn<QDate>("day");
        QTest::addColumn<Core::PeriodGranularity>("granularity");
        QTest::addColumn<QDate>("start");
        QTest::addColumn<QDate>("next");
        QTest::addColumn<QString>("label");
        using G = Core::PeriodGranularity;
        QTest::addRow("month") << QDate(2026, 5, 17) << G::Month << QDate(2026, 5, 1) << QDate(2026, 6, 1)
                               << u"2026-05"_s;
        QTest::addRow("quarter") << QDate(2026, 5, 17) << G::Quarter << QDate(2026, 4, 1) << QDate(2026, 7, 1)
                                 << u"2026-Q2"_s;
        QTest::addRow("last day of Q4") << QDate(2026, 12, 31) << G::Quarter << QDate(2026, 10, 1) << QDate(2027, 1, 1)
                                        << u"2026-Q4"_s;
        QTest::addRow("year") << QDate(2026, 5, 17) << G::Year << QDate(2026, 1, 1) << QDate(2027, 1, 1) << u"2026"_s;
    }
    void periods()
    {
        QFETCH(QDate, day);
        QFETCH(Core::PeriodGranularity, granularity);
        QFETCH(QDate, start);
        QFETCH(QDate, next);
        QFETCH(QString, label);
        QCOMPARE(Core::Revenue::periodStart(day, granularity), start);
        QCOMPARE(Core::Revenue::nextPeriodStart(start, granularity), next);
        QCOMPARE(Core::Revenue::periodLabel(start, granularity), label);
    }

    // ---- forecast ---------------------------------------------------------------------------------------------------

    void forecastOnAnEmptyPortfolio()
    {
        Core::RenewalService service(db(), m_clock);
        auto f = service.forecast(forecastQuery(QDate(2026, 7, 1), QDate(2026, 9, 30)));
        CHECK_OK(f);
        QVERIFY(!f->hasData);
        QVERIFY(f->reason.contains(u"no renewals"_s));
        QCOMPARE(f->openRenewals, 0);
        QVERIFY(!f->weightedProbability);
    }

    void forecast()
    {
        customer(u"A"_s, Tier::Enterprise);
        customer(u"B"_s);
        customer(u"C"_s);
        customer(u"D"_s);
        customer(u"E"_s);
        renewal(u"A"_s, QDate(2026, 7, 10), 10000, 0.9);
        prediction(u"A"_s, 0.9, QDateTime(QDate(2026, 5, 1), QTime(8, 0), QTimeZone::utc())); // older
        prediction(u"A"_s, 0.2, QDateTime(QDate(2026, 6, 10), QTime(8, 0), QTimeZone::utc())); // latest
        prediction(u"A"_s, 0.99, QDateTime(QDate(2026, 6, 20), QTime(8, 0), QTimeZone::utc())); // after "now"
        renewal(u"B"_s, QDate(2026, 8, 5), 20000, 0.5);
        renewal(u"C"_s, QDate(2026, 9, 30), 5000); // last day of the period, nothing known about it
        renewal(u"D"_s, QDate(2026, 10, 1), 7000, 1.0); // the day after the period
        closedRenewal(u"E"_s, QDate(2026, 7, 20), 3000, RenewalOutcome::Churned, 0);

        Core::RenewalService service(db(), m_clock);
        auto f = service.forecast(forecastQuery(QDate(2026, 7, 1), QDate(2026, 9, 30)));
        CHECK_OK(f);
        QVERIFY(f->hasData);
        QCOMPARE(f->openRenewals, 3);
        QVERIFY(near(f->openArr, 35000));
        // A: (1 − 0.2) × 10000 = 8000 (the latest prediction, not the renewal's 0.9); B: 0.5 × 20000 = 10000.
        QVERIFY2(near(f->forecastArr, 18000), qPrintable(QString::number(f->forecastArr)));
        QVERIFY(near(f->expectedLossArr, 12000));
        QCOMPARE(f->renewalsWithProbability, 2);
        QVERIFY(near(f->arrWithProbability, 30000));
        QCOMPARE(f->renewalsWithoutProbability, 1);
        QVERIFY(near(f->arrWithoutProbability, 5000));
        QVERIFY(f->weightedProbability && near(*f->weightedProbability, 0.6));
        QCOMPARE(f->fromChurnPrediction, 1);
        QCOMPARE(f->fromRenewalAssessment, 1);
        QCOMPARE(f->closedRenewals, 1);
        QVERIFY(near(f->closedChurnedArr, 3000));
        QCOMPARE(f->months.size(), 3);
        QCOMPARE(f->months.at(0).month, u"2026-07"_s);
        QVERIFY(near(f->months.at(0).forecastArr, 8000));
        QVERIFY(near(f->months.at(2).arrWithoutProbability, 5000));
        QCOMPARE(f->largestExpectedLosses.size(), 3);
        QCOMPARE(f->largestExpectedLosses.at(0).renewal.customerId, u"B"_s);
        QCOMPARE(f->largestExpectedLosses.at(1).renewal.customerId, u"A"_s);
        QCOMPARE(f->largestExpectedLosses.at(1).pRenew.source, Core::RenewProbabilitySource::ChurnPrediction);
        QCOMPARE(f->largestExpectedLosses.at(2).renewal.customerId, u"C"_s);
        QVERIFY(!f->largestExpectedLosses.at(2).pRenew.value);

        // By tier: only A is an enterprise account.
        auto enterprise = service.forecast(forecastQuery(QDate(2026, 7, 1), QDate(2026, 9, 30), Tier::Enterprise));
        CHECK_OK(enterprise);
        QCOMPARE(enterprise->openRenewals, 1);
        QVERIFY(near(enterprise->forecastArr, 8000));

        // Nothing assessed: the ARR is reported as without probability, no forecast is stated.
        auto onlyC = service.forecast(forecastQuery(QDate(2026, 9, 1), QDate(2026, 9, 30)));
        CHECK_OK(onlyC);
        QCOMPARE(onlyC->renewalsWithoutProbability, 1);
        QCOMPARE(onlyC->renewalsWithProbability, 0);
        QVERIFY(!onlyC->weightedProbability);
        QVERIFY(onlyC->reason.contains(u"arr_without_probability"_s));

        auto bad = service.forecast(forecastQuery(QDate(2026, 9, 30), QDate(2026, 7, 1)));
        QVERIFY(!bad);
        QCOMPARE(bad.error().field, u"to"_s);
    }

    void pipeline()
    {
        customer(u"A"_s);
        customer(u"B"_s);
        renewal(u"A"_s, QDate(2026, 7, 10), 10000, 0.9);
        renewal(u"B"_s, QDate(2026, 8, 5), 20000);
        closedRenewal(u"B"_s, QDate(2026, 7, 1), 20000, RenewalOutcome::Renewed, 20000);
        prediction(u"B"_s, 0.4, QDateTime(QDate(2026, 6, 1), QTime(8, 0), QTimeZone::utc()));
        health(u"A"_s, QDate(2026, 6, 14), 81, HealthBand::Green);

        Core::RenewalService service(db(), m_clock);
        Core::RenewalPipelineQuery q;
        q.limit = 1;
        auto first = service.pipeline(q);
        CHECK_OK(first);
        QCOMPARE(first->total, 2); // open only: the closed one is not in the pipeline
        QCOMPARE(first->items.size(), 1);
        QCOMPARE(first->items.at(0).renewal.customerId, u"A"_s);
        QCOMPARE(first->items.at(0).daysUntil, 25);
        QVERIFY(first->items.at(0).healthBand == HealthBand::Green);
        QVERIFY(near(*first->items.at(0).forecastArr, 9000));
        q.cursor = first->nextCursor;
        auto second = service.pipeline(q);
        CHECK_OK(second);
        QCOMPARE(second->items.size(), 1);
        QCOMPARE(second->items.at(0).renewal.customerId, u"B"_s);
        QVERIFY(near(*second->items.at(0).pRenew.value, 0.6));
        QVERIFY(second->nextCursor.isEmpty());

        q = {};
        q.openOnly = false;
        q.customerId = u"B"_s;
        auto all = service.pipeline(q);
        CHECK_OK(all);
        QCOMPARE(all->total, 2);

        q = {};
        q.limit = 0;
        auto bad = service.pipeline(q);
        QVERIFY(!bad);
        QCOMPARE(bad.error().field, u"limit"_s);
    }

    // ---- ARR at risk
    // -------------------------------------------------------------------------------------------------

    void arrAtRisk()
    {
        for (const QString &id : { u"F"_s, u"G"_s, u"H"_s, u"I"_s, u"J"_s, u"K"_s, u"L"_s })
            customer(id);
        renewal(u"F"_s, Today, 1000); // today: inside
        health(u"F"_s, QDate(2026, 5, 1), 85, HealthBand::Green);
        health(u"F"_s, QDate(2026, 6, 10), 30, HealthBand::Red); // latest
        renewal(u"G"_s, Today.addDays(30), 2000); // last day of the window
        health(u"G"_s, QDate(2026, 6, 14), 20, HealthBand::Red);
        renewal(u"H"_s, Today.addDays(31), 4000); // one day too late
        health(u"H"_s, QDate(2026, 6, 14), 20, HealthBand::Red);
        renewal(u"I"_s, QDate(2026, 7, 1), 8000);
        health(u"I"_s, QDate(2026, 6, 14), 55, HealthBand::Yellow);
        renewal(u"J"_s, QDate(2026, 7, 2), 16000); // no health score
        renewal(u"K"_s, Today.addDays(-1), 500); // yesterday: not "renewing within"
        health(u"K"_s, QDate(2026, 6, 14), 10, HealthBand::Red);
        renewal(u"L"_s, QDate(2026, 6, 30), 32000);
        health(u"L"_s, QDate(2026, 6, 1), 90, HealthBand::Green);
        health(u"L"_s, QDate(2026, 6, 20), 15, HealthBand::Red); // dated after "today": not known yet

        Core::RenewalService service(db(), m_clock);
        auto a = service.arrAtRisk(atRisk(30));
        CHECK_OK(a);
        QVERIFY2(a->hasData, qPrintable(a->reason));
        QCOMPARE(a->from, Today);
        QCOMPARE(a->to, QDate(2026, 7, 15));
        QCOMPARE(a->renewalsInWindow, 5); // F, G, I, J, L
        QVERIFY(near(a->arrInWindow, 59000));
        QCOMPARE(a->redRenewals, 2);
        QVERIFY(near(a->arrAtRisk, 3000));
        QVERIFY(near(*a->shareOfWindowArr, 3000.0 / 59000.0));
        QCOMPARE(a->renewalsWithoutHealthScore, 1);
        QVERIFY(near(a->arrWithoutHealthScore, 16000));
        QCOMPARE(a->accounts.size(), 2);
        QCOMPARE(a->accounts.at(0).customerId, u"G"_s); // largest first
        QCOMPARE(a->accounts.at(0).daysUntil, 30);
        QCOMPARE(a->accounts.at(1).customerId, u"F"_s);
        QVERIFY(near(a->accounts.at(1).healthScore, 30));

        auto bad = service.arrAtRisk(atRisk(0));
        QVERIFY(!bad);
        QCOMPARE(bad.error().field, u"within_days"_s);
    }

    void arrAtRiskWithoutData()
    {
        Core::RenewalService service(db(), m_clock);
        auto none = service.arrAtRisk(atRisk(90));
        CHECK_OK(none);
        QVERIFY(!none->hasData);
        QVERIFY(none->reason.contains(u"no open renewals"_s));

        customer(u"A"_s);
        renewal(u"A"_s, QDate(2026, 7, 1), 1000);
        auto unscored = service.arrAtRisk(atRisk(90));
        CHECK_OK(unscored);
        QVERIFY(!unscored->hasData);
        QVERIFY(unscored->reason.contains(u"health score"_s));
        QCOMPARE(unscored->renewalsWithoutHealthScore, 1);
        QVERIFY(near(unscored->arrAtRisk, 0));
    }

    // ---- checkpoints
    // -----------------------------------------------------------------------------------------------------

    void checkpoints()
    {
        for (const QString &id : { u"R1"_s, u"R2"_s, u"R3"_s, u"R4"_s, u"R5"_s, u"R6"_s })
            customer(id);
        const qint64 r1 = renewal(u"R1"_s, QDate(2026, 12, 12), 100); // T−180 is today
        renewal(u"R2"_s, QDate(2026, 12, 13), 100); // T−180 is tomorrow
        const qint64 r3 = renewal(u"R3"_s, QDate(2026, 9, 13), 100, {}, true); // T−90 is today, T−180 held
        const qint64 r4 = renewal(u"R4"_s, QDate(2026, 8, 1), 100); // both overdue
        renewal(u"R5"_s, QDate(2026, 7, 1), 100, {}, true, true); // both held
        closedRenewal(u"R6"_s, QDate(2026, 7, 1), 100, RenewalOutcome::Renewed, 100); // closed

        Core::RenewalService service(db(), m_clock);
        Core::CheckpointQuery q;
        q.limit = 2;
        auto page = service.checkpointsDue(q);
        CHECK_OK(page);
        QCOMPARE(page->total, 3);
        QCOMPARE(page->t180Missing, 2); // R1, R4
        QCOMPARE(page->t90Missing, 2); // R3, R4
        QCOMPARE(page->items.size(), 2);
        QCOMPARE(page->items.at(0).renewalId, r4);
        QVERIFY(page->items.at(0).t180Missing && page->items.at(0).t90Missing);
        QCOMPARE(page->items.at(0).daysSinceT180Due, 133); // 2026-02-02 .. 2026-06-15
        QCOMPARE(page->items.at(0).daysSinceT90Due, 43); // 2026-05-03 .. 2026-06-15
        QCOMPARE(page->items.at(1).renewalId, r3);
        QVERIFY(!page->items.at(1).t180Missing && page->items.at(1).t90Missing);
        QCOMPARE(page->items.at(1).daysSinceT90Due, 0);
        q.cursor = page->nextCursor;
        auto rest = service.checkpointsDue(q);
        CHECK_OK(rest);
        QCOMPARE(rest->items.size(), 1);
        QCOMPARE(rest->items.at(0).renewalId, r1);
        QVERIFY(rest->items.at(0).t180Missing && !rest->items.at(0).t90Missing);
        QCOMPARE(rest->items.at(0).daysSinceT180Due, 0);

        // Marking writes the flag and one timeline event, in one go; marking again changes nothing.
        QSignalSpy changed(&service, &Core::RenewalService::renewalChanged);
        auto marked = service.markCheckpointDone(r4, Core::RenewalCheckpoint::T180, u"dana"_s, u"QBR held"_s);
        CHECK_OK(marked);
        QVERIFY(marked->checkpoint180Done);
        QVERIFY(!marked->checkpoint90Done);
        QCOMPARE(changed.count(), 1);
        const QString events = u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'renewal' AND source_table = "
                               "'renewals' AND source_id = ?"_s;
        QCOMPARE(count(events, { QString::number(r4) }), 1);
        auto again = service.markCheckpointDone(r4, Core::RenewalCheckpoint::T180, u"dana"_s);
        CHECK_OK(again);
        QCOMPARE(count(events, { QString::number(r4) }), 1);
        auto after = service.checkpointsDue({});
        CHECK_OK(after);
        QCOMPARE(after->total, 3); // R4 still misses T−90
        QCOMPARE(after->t180Missing, 1);

        auto missing = service.markCheckpointDone(999999, Core::RenewalCheckpoint::T90, {});
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        QCOMPARE(missing.error().field, u"renewal_id"_s);
        const qint64 closedId = count(u"SELECT id FROM renewals WHERE customer_id = 'R6'"_s);
        auto closed = service.markCheckpointDone(closedId, Core::RenewalCheckpoint::T90, {});
        QVERIFY(!closed);
        QCOMPARE(closed.error().field, u"renewal_id"_s);
    }

    // ---- closing
    // ---------------------------------------------------------------------------------------------------------

    void closeRenewal_data()
    {
        QTest::addColumn<RenewalOutcome>("outcome");
        QTest::addColumn<double>("outcomeArr"); // -1 = left out
        QTest::addColumn<RenewalStage>("stage");
        QTest::addColumn<QString>("movementKind"); // empty = no movement
        QTest::addColumn<double>("movementAmount");
        QTest::addColumn<double>("customerArr");
        QTest::addColumn<CustomerStatus>("customerStatus");
        QTest::addRow("renewed flat") << RenewalOutcome::Renewed << -1.0 << RenewalStage::Renewed << QString() << 0.0
                                      << 10000.0 << CustomerStatus::Active;
        QTest::addRow("expanded") << RenewalOutcome::Expanded << 12500.0 << RenewalStage::Renewed << u"expansion"_s
                                  << 2500.0 << 12500.0 << CustomerStatus::Active;
        QTest::addRow("downgraded") << RenewalOutcome::Downgraded << 8000.0 << RenewalStage::Downgraded
                                    << u"contraction"_s << 2000.0 << 8000.0 << CustomerStatus::Active;
        QTest::addRow("churned") << RenewalOutcome::Churned << -1.0 << RenewalStage::Churned << u"churn"_s << 10000.0
                                 << 10000.0 << CustomerStatus::Churned;
    }
    void closeRenewal()
    {
        QFETCH(RenewalOutcome, outcome);
        QFETCH(double, outcomeArr);
        QFETCH(RenewalStage, stage);
        QFETCH(QString, movementKind);
        QFETCH(double, movementAmount);
        QFETCH(double, customerArr);
        QFETCH(CustomerStatus, customerStatus);
        customer(u"X"_s, Tier::MidMarket, 10000);
        const qint64 id = renewal(u"X"_s, QDate(2026, 6, 30), 10000, 0.8);
        Core::RenewalService service(db(), m_clock);
        QSignalSpy arrChanged(&service, &Core::RenewalService::customerArrChanged);
        Core::RenewalClosure closure;
        closure.renewalId = id;
        closure.outcome = outcome;
        if (outcomeArr >= 0)
            closure.outcomeArr = outcomeArr;
        closure.actor = u"dana"_s;
        auto closed = service.closeRenewal(closure);
        CHECK_OK(closed);
        QCOMPARE(closed->stage, stage);
        QCOMPARE(closed->outcome, outcome);
        QCOMPARE(closed->closedOn, Today);

        QCOMPARE(
            count(u"SELECT COUNT(*) FROM arr_movements WHERE customer_id = 'X'"_s), movementKind.isEmpty() ? 0 : 1);
        if (!movementKind.isEmpty()) {
            auto m = Storage::exec(db(), u"SELECT kind, amount, source_table, source_id FROM arr_movements"_s);
            QVERIFY(m && m->next());
            QCOMPARE(m->value(0).toString(), movementKind);
            QVERIFY(near(m->value(1).toDouble(), movementAmount));
            QCOMPARE(m->value(2).toString(), u"renewals"_s);
            QCOMPARE(m->value(3).toString(), QString::number(id));
        }
        auto c = Storage::CustomerRepository(db()).get(u"X"_s);
        CHECK_OK(c);
        QVERIFY(near(c->arr, customerArr));
        QCOMPARE(c->status, customerStatus);
        if (customerStatus == CustomerStatus::Churned) {
            QCOMPARE(c->churnedAt, Today);
            QCOMPARE(c->lifecycleStage, LifecycleStage::Churned);
            QCOMPARE(count(u"SELECT COUNT(*) FROM lifecycle_transitions WHERE customer_id = 'X'"_s), 1);
        }
        QCOMPARE(arrChanged.count(), movementKind.isEmpty() ? 0 : 1);
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events WHERE customer_id = 'X' AND kind = 'renewal'"_s), 1);

        auto twice = service.closeRenewal(closure);
        QVERIFY(!twice);
        QCOMPARE(twice.error().field, u"renewal_id"_s);
    }

    void closeRenewalRefuses_data()
    {
        QTest::addColumn<RenewalOutcome>("outcome");
        QTest::addColumn<double>("outcomeArr");
        QTest::addColumn<int>("daysAhead");
        QTest::addColumn<QString>("field");
        QTest::addRow("renewed at another ARR") << RenewalOutcome::Renewed << 11000.0 << 0 << u"outcome_arr"_s;
        QTest::addRow("expanded without growth") << RenewalOutcome::Expanded << 9000.0 << 0 << u"outcome_arr"_s;
        QTest::addRow("downgraded to zero") << RenewalOutcome::Downgraded << 0.0 << 0 << u"outcome_arr"_s;
        QTest::addRow("churned with ARR") << RenewalOutcome::Churned << 5.0 << 0 << u"outcome_arr"_s;
        QTest::addRow("no outcome") << RenewalOutcome::None << -1.0 << 0 << u"outcome"_s;
        QTest::addRow("closed tomorrow") << RenewalOutcome::Renewed << -1.0 << 1 << u"closed_on"_s;
    }
    void closeRenewalRefuses()
    {
        QFETCH(RenewalOutcome, outcome);
        QFETCH(double, outcomeArr);
        QFETCH(int, daysAhead);
        QFETCH(QString, field);
        customer(u"X"_s, Tier::Smb, 10000);
        const qint64 id = renewal(u"X"_s, QDate(2026, 6, 30), 10000);
        Core::RenewalService service(db(), m_clock);
        Core::RenewalClosure closure;
        closure.renewalId = id;
        closure.outcome = outcome;
        if (outcomeArr >= 0)
            closure.outcomeArr = outcomeArr;
        if (daysAhead)
            closure.closedOn = Today.addDays(daysAhead);
        auto closed = service.closeRenewal(closure);
        QVERIFY(!closed);
        QCOMPARE(closed.error().field, field);
        // Nothing was written.
        QCOMPARE(count(u"SELECT COUNT(*) FROM arr_movements"_s), 0);
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events"_s), 0);
        QCOMPARE(count(u"SELECT COUNT(*) FROM renewals WHERE outcome IS NULL"_s), 1);
    }

    void createAndUpdateRenewals()
    {
        customer(u"A"_s);
        Core::RenewalService service(db(), m_clock);
        Renewal r;
        r.customerId = u"A"_s;
        r.renewalDate = QDate(2026, 9, 1);
        r.arrCurrent = 5000;
        auto created = service.createRenewal(r);
        CHECK_OK(created);
        Renewal changed = *created;
        changed.probability = 0.75;
        changed.stage = RenewalStage::InProgress;
        auto updated = service.updateRenewal(changed);
        CHECK_OK(updated);
        QCOMPARE(*updated->probability, 0.75);
        Renewal withOutcome = *updated;
        withOutcome.outcome = RenewalOutcome::Renewed;
        withOutcome.stage = RenewalStage::Renewed;
        withOutcome.closedOn = Today;
        auto noOutcome = service.updateRenewal(withOutcome);
        QVERIFY(!noOutcome);
        QCOMPARE(noOutcome.error().field, u"outcome"_s);
        Renewal stranger = r;
        stranger.customerId = u"nobody"_s;
        auto unknown = service.createRenewal(stranger);
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().code, ErrorCode::NotFound);
        QCOMPARE(unknown.error().field, u"customer_id"_s);
    }

    void renewalChangesOnTheTimeline()
    {
        customer(u"A"_s);
        Core::RenewalService service(db(), m_clock);
        Renewal r;
        r.customerId = u"A"_s;
        r.renewalDate = QDate(2026, 9, 1);
        r.arrCurrent = 5000;
        auto created = service.createRenewal(r);
        CHECK_OK(created);
        Renewal changed = *created;
        changed.stage = RenewalStage::InProgress;
        changed.probability = 0.75;
        auto updated = service.updateRenewal(changed);
        CHECK_OK(updated);
        // An update that changes nothing the timeline shows (notes) records nothing.
        Renewal noted = *updated;
        noted.notes = u"call booked"_s;
        CHECK_OK(service.updateRenewal(noted));

        auto q = Storage::exec(
            db(), u"SELECT kind, title, detail, source_id FROM timeline_events WHERE customer_id = 'A' ORDER BY id"_s);
        QVERIFY(q.ok());
        QStringList titles;
        QVariantMap lastDetail;
        while (q->next()) {
            QCOMPARE(q->value(0).toString(), u"renewal"_s);
            QCOMPARE(q->value(3).toString(), QString::number(created->id));
            titles << q->value(1).toString();
            Storage::Convert::fromSql(q->value(2), lastDetail);
        }
        QCOMPARE(titles,
            (QStringList { u"Renewal created for 2026-09-01 (ARR 5000)"_s,
                u"Renewal of 2026-09-01 updated: stage upcoming → in_progress, probability none → 0.75"_s }));
        const QVariantMap stage = lastDetail.value(u"changes"_s).toMap().value(u"stage"_s).toMap();
        QCOMPARE(stage.value(u"from"_s).toString(), u"upcoming"_s);
        QCOMPARE(stage.value(u"to"_s).toString(), u"in_progress"_s);
    }

    // ---- GRR / NRR
    // ---------------------------------------------------------------------------------------------------------

    void retention()
    {
        retentionLedger();
        Core::RenewalService service(db(), m_clock);
        auto r = service.retention(QDate(2026, 1, 1), QDate(2026, 3, 31));
        CHECK_OK(r);
        QVERIFY2(r->hasData, qPrintable(r->reason));
        QCOMPARE(r->cohortCustomers, 6); // P, Q, R, U, V, W
        QVERIFY(near(r->startArr, 11500));
        QVERIFY(near(r->expansionArr, 800));
        QVERIFY(near(r->contractionArr, 500));
        QVERIFY(near(r->churnArr, 3000));
        QVERIFY(near(r->endArr, 8800));
        QCOMPARE(r->churnedCustomers, 1);
        QCOMPARE(r->customersOutsideLedger, 0); // the ledger customers were created with ARR 0
        QVERIFY(near(*r->nrr, 8800.0 / 11500.0));
        QVERIFY(near(*r->grr, 8000.0 / 11500.0));

        auto enterprise = service.retention(QDate(2026, 1, 1), QDate(2026, 3, 31), tierFilter(Tier::Enterprise));
        CHECK_OK(enterprise);
        QCOMPARE(enterprise->cohortCustomers, 2);
        QVERIFY(near(*enterprise->nrr, 3100.0 / 3000.0));
        QVERIFY(near(*enterprise->grr, 2600.0 / 3000.0));

        auto series
            = service.retentionByPeriod(QDate(2026, 1, 1), QDate(2026, 12, 31), Core::PeriodGranularity::Quarter);
        CHECK_OK(series);
        QCOMPARE(series->size(), 4);
        QCOMPARE(series->at(0).label, u"2026-Q1"_s);
        QVERIFY(near(*series->at(0).nrr, 8800.0 / 11500.0));
        // Q2 runs to today: cohort = ARR before April (S joined, R left): 1500 + 1600 + 4000 + 500 + 1200 + 5000.
        QCOMPARE(series->at(1).to, Today);
        QVERIFY(near(series->at(1).startArr, 13800));
        QVERIFY(near(*series->at(1).nrr, 14800.0 / 13800.0));
        QVERIFY(near(*series->at(1).grr, 1.0));
        QVERIFY(!series->at(2).hasData); // has not started yet
        QVERIFY(series->at(2).reason.contains(u"not started"_s));

        auto cohorts
            = service.retentionByCohort(QDate(2026, 1, 1), QDate(2026, 3, 31), Core::PeriodGranularity::Quarter);
        CHECK_OK(cohorts);
        QCOMPARE(cohorts->size(), 3);
        QCOMPARE(cohorts->at(0).label, u"2025-Q1"_s); // P, Q, V, W
        QVERIFY(near(cohorts->at(0).startArr, 4500));
        QVERIFY(near(*cohorts->at(0).nrr, 4800.0 / 4500.0));
        QVERIFY(near(*cohorts->at(0).grr, 4000.0 / 4500.0));
        QCOMPARE(cohorts->at(1).label, u"2025-Q2"_s); // R churned
        QVERIFY(near(*cohorts->at(1).nrr, 0.0));
        QCOMPARE(cohorts->at(2).label, u"2025-Q3"_s); // U
        QVERIFY(near(*cohorts->at(2).grr, 1.0));
    }

    void retentionWithoutData()
    {
        Core::RenewalService service(db(), m_clock);
        auto empty = service.retention(QDate(2026, 1, 1), QDate(2026, 3, 31));
        CHECK_OK(empty);
        QVERIFY(!empty->hasData);
        QVERIFY(!empty->nrr && !empty->grr);
        QVERIFY(empty->reason.contains(u"no ARR movements"_s));
        QCOMPARE(empty->customersOutsideLedger, 0);
        customer(u"Imported"_s, Tier::Smb, 5000); // ARR, but no history in the ledger
        auto imported = service.retention(QDate(2026, 1, 1), QDate(2026, 3, 31));
        CHECK_OK(imported);
        QVERIFY(!imported->hasData);
        QCOMPARE(imported->customersOutsideLedger, 1);
        QVERIFY(imported->reason.contains(u"1 active customer(s) have ARR but no ARR movements"_s));

        retentionLedger();
        auto before = service.retention(QDate(2024, 1, 1), QDate(2024, 12, 31));
        CHECK_OK(before);
        QVERIFY(!before->hasData);
        QVERIFY(before->reason.contains(u"cohort"_s));

        auto reversed = service.retention(QDate(2026, 3, 31), QDate(2026, 1, 1));
        QVERIFY(!reversed);
        QCOMPARE(reversed.error().field, u"to"_s);
        auto tooMany = service.retentionByPeriod(QDate(2000, 1, 1), QDate(2026, 1, 1), Core::PeriodGranularity::Month);
        QVERIFY(!tooMany);
        QCOMPARE(tooMany.error().field, u"from"_s);
    }

    // ---- renewal brief
    // -----------------------------------------------------------------------------------------------------

    void renewalBrief()
    {
        customer(u"Z"_s, Tier::Enterprise, 50000);
        const qint64 id = renewal(u"Z"_s, Today.addDays(60), 50000, 0.4);
        health(u"Z"_s, Today.addDays(-31), 60, HealthBand::Yellow);
        health(u"Z"_s, Today.addDays(-1), 35, HealthBand::Red);
        // Usage: 100 events in the 30 days before the last 30, 70 in the last 30.
        for (int d = 0; d < 10; ++d) {
            sql(u"INSERT INTO usage_daily (customer_id, day, feature, events, active_users) VALUES (?, ?, '', ?, ?)"_s,
                { u"Z"_s, Storage::Convert::toSql(Today.addDays(-d)), 7, 3 });
            sql(u"INSERT INTO usage_daily (customer_id, day, feature, events, active_users) VALUES (?, ?, '', ?, ?)"_s,
                { u"Z"_s, Storage::Convert::toSql(Today.addDays(-31 - d)), 10, 4 });
        }
        Contract k;
        k.customerId = u"Z"_s;
        k.startDate = QDate(2025, 8, 14);
        k.endDate = Today.addDays(60);
        k.arr = 50000;
        k.seatsPurchased = 100;
        k.seatsUsed = 95;
        k.paymentStatus = PaymentStatus::Late;
        QVERIFY(Storage::ContractRepository(db()).create(k));
        const QVariant opened = Storage::Convert::toSql(QDateTime(Today.addDays(-5), QTime(9, 0), QTimeZone::utc()));
        sql(u"INSERT INTO support_tickets (customer_id, subject, priority, status, opened_at) VALUES (?, ?, 'p1', "
            "'open', ?)"_s,
            { u"Z"_s, u"Export fails"_s, opened });
        sql(u"INSERT INTO support_tickets (customer_id, subject, priority, status, opened_at, resolved_at, csat) "
            "VALUES (?, ?, 'p3', 'solved', ?, ?, 2)"_s,
            { u"Z"_s, u"Question"_s, opened, opened });
        const auto nps = [&](int score, int daysAgo) {
            sql(u"INSERT INTO survey_responses (customer_id, kind, score, responded_at) VALUES (?, 'nps', ?, ?)"_s,
                { u"Z"_s, score,
                    Storage::Convert::toSql(QDateTime(Today.addDays(-daysAgo), QTime(10, 0), QTimeZone::utc())) });
        };
        nps(9, 200);
        nps(8, 100);
        nps(4, 10); // latest: a detractor
        nps(10, 400); // older than a year: left out
        closedRenewal(u"Z"_s, Today.addDays(-305), 40000, RenewalOutcome::Expanded, 50000);
        ExpansionOpportunity o;
        o.customerId = u"Z"_s;
        o.kind = ExpansionKind::Upsell;
        o.product = u"seats"_s;
        o.title = u"Additional seats"_s;
        o.score = 70;
        QVERIFY(Storage::ExpansionOpportunityRepository(db()).create(o));

        Core::RenewalService service(db(), m_clock);
        auto b = service.renewalBrief(id);
        CHECK_OK(b);
        QCOMPARE(b->daysUntil, 60);
        QVERIFY(near(*b->pRenew.value, 0.4));
        QVERIFY(b->health.hasData);
        QVERIFY(near(b->health.latest, 35));
        QCOMPARE(b->health.band, HealthBand::Red);
        QVERIFY(near(*b->health.change30, -25));
        QVERIFY(!b->health.score90DaysAgo);
        QVERIFY(b->usage.hasData);
        QCOMPARE(b->usage.events30, 70);
        QCOMPARE(b->usage.eventsPrevious30, 100);
        QVERIFY(near(*b->usage.eventsChange, -0.3));
        QVERIFY(near(b->usage.averageDailyActiveUsers30, 1.0)); // 30 active-user days over 30 days
        QVERIFY(near(*b->usage.seatUtilisation, 0.95));
        QCOMPARE(b->support.openTickets, 1);
        QCOMPARE(b->support.openUrgentTickets, 1);
        QCOMPARE(b->support.ticketsOpened90, 2);
        QVERIFY(near(*b->support.averageCsat90, 2));
        QCOMPARE(b->nps.responses, 3);
        QVERIFY(near(*b->nps.nps, 0)); // one promoter, one detractor, one passive
        QCOMPARE(*b->nps.latestScore, 4);
        QCOMPARE(b->openOpportunities.size(), 1);
        QCOMPARE(b->pastRenewals.size(), 1);
        QCOMPARE(b->contracts.size(), 1);
        QStringList keys;
        for (const Core::BriefSignal &s : b->evidenceSignals)
            keys << s.kind + u':' + s.key;
        for (const QString &expected :
            { u"risk:health_red"_s, u"risk:health_drop"_s, u"risk:usage_decline"_s, u"strength:seat_utilisation"_s,
                u"risk:urgent_tickets"_s, u"risk:nps_detractor"_s, u"risk:low_renew_probability"_s,
                u"strength:expansion_opportunities"_s, u"risk:payment"_s, u"strength:expanded_last_renewal"_s,
                u"risk:checkpoint_t180_missing"_s, u"risk:checkpoint_t90_missing"_s })
            QVERIFY2(keys.contains(expected), qPrintable(expected + u" missing from "_s + keys.join(u", "_s)));
        QCOMPARE(keys.size(), 12);

        auto byCustomer = service.renewalBriefForCustomer(u"Z"_s);
        CHECK_OK(byCustomer);
        QCOMPARE(byCustomer->renewal.id, id);
    }

    void renewalBriefWithoutData()
    {
        customer(u"N"_s);
        const qint64 id = renewal(u"N"_s, Today.addDays(200), 1000, {}, false, false);
        Core::RenewalService service(db(), m_clock);
        auto b = service.renewalBrief(id);
        CHECK_OK(b);
        QVERIFY(!b->health.hasData && !b->health.reason.isEmpty());
        QVERIFY(!b->usage.hasData && !b->usage.reason.isEmpty());
        QVERIFY(!b->nps.hasData && !b->nps.nps);
        QVERIFY(!b->pRenew.value);
        QVERIFY(b->evidenceSignals.isEmpty()); // 200 days out: no checkpoint due, nothing else known

        auto none = service.renewalBriefForCustomer(u"nobody"_s);
        QVERIFY(!none);
        QCOMPARE(none.error().field, u"customer_id"_s);
        customer(u"M"_s);
        auto noRenewal = service.renewalBriefForCustomer(u"M"_s);
        QVERIFY(!noRenewal);
        QCOMPARE(noRenewal.error().code, ErrorCode::NotFound);
    }

    // ---- demo portfolio
    // ------------------------------------------------------------------------------------------------------

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
        Core::RenewalService service(db(), m_clock);

        // The forecast over the next 180 days accounts for every open renewal due then, split by what is known.
        auto f = service.forecast(forecastQuery(Today, Today.addDays(180)));
        CHECK_OK(f);
        QVERIFY2(f->hasData, qPrintable(f->reason));
        const qint64 open = count(u"SELECT COUNT(*) FROM renewals WHERE deleted_at IS NULL AND outcome IS NULL AND "
                                  "renewal_date >= ? AND renewal_date <= ?"_s,
            { Storage::Convert::toSql(Today), Storage::Convert::toSql(Today.addDays(180)) });
        QCOMPARE(qint64(f->openRenewals), open);
        QVERIFY(f->openRenewals > 0);
        QVERIFY(near(f->arrWithProbability + f->arrWithoutProbability, f->openArr));
        QVERIFY(f->forecastArr <= f->arrWithProbability + 1e-6);
        QVERIFY(f->renewalsWithProbability > 0); // the demo assesses renewals within 180 days

        // GRR/NRR over the last year from the demo's ARR ledger.
        auto r = service.retention(Today.addYears(-1).addDays(1), Today);
        CHECK_OK(r);
        QVERIFY2(r->hasData, qPrintable(r->reason));
        QVERIFY(r->startArr > 0);
        QVERIFY(*r->grr >= 0 && *r->grr <= 1);
        QVERIFY(*r->grr <= *r->nrr + 1e-9);
        QVERIFY(r->churnArr > 0); // the demo has a churn history

        // The demo computes no health scores: ARR at risk says so rather than inventing a number.
        auto a = service.arrAtRisk(atRisk(180));
        CHECK_OK(a);
        QCOMPARE(a->hasData, count(u"SELECT COUNT(*) FROM health_scores"_s) > 0);
        if (!a->hasData)
            QVERIFY(!a->reason.isEmpty());

        auto checkpoints = service.checkpointsDue({});
        CHECK_OK(checkpoints);
        QVERIFY(checkpoints->total <= open
                + count(u"SELECT COUNT(*) FROM renewals WHERE outcome IS NULL AND "
                        "renewal_date < ?"_s,
                    { Storage::Convert::toSql(Today) }));

        auto pipeline = service.pipeline({});
        CHECK_OK(pipeline);
        QVERIFY(!pipeline->items.isEmpty());
        const Core::RenewalPipelineItem &first = pipeline->items.constFirst();
        auto brief = service.renewalBrief(first.renewal.id);
        CHECK_OK(brief);
        const qint64 usageRows = count(u"SELECT COUNT(*) FROM usage_daily WHERE customer_id = ? AND feature = '' AND "
                                       "day > ? AND day <= ?"_s,
            { first.renewal.customerId, Storage::Convert::toSql(Today.addDays(-60)), Storage::Convert::toSql(Today) });
        QCOMPARE(brief->usage.hasData, usageRows > 0);
        QVERIFY(!brief->contracts.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRenewalService)
#include "tst_renewalservice.moc"
