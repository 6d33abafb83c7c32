// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// EngagementService: the formulas by hand (mean/sd/z, changes, the lifecycle rule table), then usage, feature
// adoption, lifecycle moves, adoption milestones and engagement anomalies on hand-built data with hand-computed
// expectations, and a generated demo portfolio. Built twice: SQLite (label unit) and PostgreSQL (label pg).
#include <cmath>

#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "demoportfolio.h"
#include "engagementservice.h"
#include "fakeclock.h"
#include "sql.h"
#include "tables_customers.h"
#include "tables_health.h"
#include "testdatabase.h"
#include "timelineservice.h"
#include "transaction.h"

using namespace Qt::StringLiterals;
using Core::EngagementSignal;
using Core::ErrorCode;
using Domain::LifecycleStage;

namespace {

const QDate kToday(2026, 6, 15);

QDateTime at(int y, int m, int d, int h = 12, int min = 0)
{
    return QDateTime(QDate(y, m, d), QTime(h, min), QTimeZone::utc());
}

qint64 count(Storage::Database &db, const QString &sql, const QVariantList &bindings = {})
{
    auto q = Storage::exec(db, sql, bindings);
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

bool fuzzy(double a, double b)
{
    return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b));
}

#define CHECK_OK(result) QVERIFY2((result).ok(), qPrintable((result).ok() ? QString() : (result).error().toString()))

} // namespace

Q_DECLARE_METATYPE(EngagementSignal)

class TestEngagementService : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestUtils::FakeClock m_clock { at(2026, 6, 15) };
    std::unique_ptr<Core::TimelineService> m_timeline;
    std::unique_ptr<Core::EngagementService> m_service;

    Storage::Database &db() { return m_fixture->db(); }

    void addCustomer(const QString &id, LifecycleStage stage = LifecycleStage::Adoption, QDate renewal = {},
        QDate contractStart = {})
    {
        Domain::Customer c;
        c.id = id;
        c.name = u"Customer "_s + id;
        c.lifecycleStage = stage;
        c.renewalDate = renewal;
        c.contractStart = contractStart;
        c.arr = 10000;
        if (stage == LifecycleStage::Churned) {
            c.status = Domain::CustomerStatus::Churned;
            c.churnedAt = QDate(2026, 1, 1);
        }
        auto created = Storage::CustomerRepository(db()).create(c);
        CHECK_OK(created);
    }

    void addEvent(const QString &customer, const QDateTime &when, const QString &feature, const QString &user)
    {
        Domain::UsageEvent e;
        e.customerId = customer;
        e.occurredAt = when;
        e.eventType = u"use"_s;
        e.feature = feature;
        e.userRef = user;
        auto stored = Storage::UsageEventRepository(db()).create(e);
        CHECK_OK(stored);
    }

    void addDaily(const QString &customer, QDate day, int events, int users)
    {
        auto q = Storage::exec(db(),
            u"INSERT INTO usage_daily (customer_id, day, feature, events, active_users, quantity) VALUES (?, ?, '', ?, ?, ?)"_s,
            { customer, day.toString(Qt::ISODate), events, users, double(events) });
        CHECK_OK(q);
    }

    void addFeature(const QString &key, const QString &name)
    {
        Domain::ProductFeature f;
        f.key = key;
        f.name = name;
        auto stored = Storage::ProductFeatureRepository(db()).create(f);
        CHECK_OK(stored);
    }

    void addScore(const QString &id, QDate day, double score, const QString &band)
    {
        auto q = Storage::exec(db(),
            u"INSERT INTO health_scores (customer_id, score_date, score, band, components, config_version) "
            "VALUES (?, ?, ?, ?, '{}', 1)"_s,
            { id, day.toString(Qt::ISODate), score, band });
        CHECK_OK(q);
    }

    void addSql(const QString &sql, const QVariantList &bindings)
    {
        auto q = Storage::exec(db(), sql, bindings);
        CHECK_OK(q);
    }

    // acme: the usage example worked by hand in usageOfOneCustomer.
    void seedAcme()
    {
        addCustomer(u"acme"_s);
        Storage::Transaction tx(db());
        addEvent(u"acme"_s, at(2026, 5, 18, 9), u"reports"_s, u"u1"_s);
        addEvent(u"acme"_s, at(2026, 5, 20, 10), u"reports"_s, u"u1"_s);
        addEvent(u"acme"_s, at(2026, 5, 20, 10, 5), u"reports"_s, u"u1"_s);
        addEvent(u"acme"_s, at(2026, 5, 20, 11), u"dashboards"_s, u"u2"_s);
        addEvent(u"acme"_s, at(2026, 6, 1, 8), u"reports"_s, u"u1"_s);
        addEvent(u"acme"_s, at(2026, 6, 1, 9), u"reports"_s, u"u2"_s);
        addEvent(u"acme"_s, at(2026, 6, 10, 14), u"dashboards"_s, u"u1"_s);
        addEvent(u"acme"_s, at(2026, 6, 10, 15), u"dashboards"_s, u"u1"_s);
        addEvent(u"acme"_s, at(2026, 6, 10, 16), QString(), u"u3"_s);
        addEvent(u"acme"_s, at(2026, 6, 14, 23, 59), u"reports"_s, u"u4"_s);
        addEvent(u"acme"_s, at(2026, 6, 15, 0, 0), u"reports"_s, u"u5"_s); // after `to`: never counted
        QVERIFY(tx.commit().ok());
    }

    Core::UsageQuery usageQuery(const QString &customer)
    {
        Core::UsageQuery q;
        q.customerId = customer;
        q.from = QDate(2026, 6, 1);
        q.to = QDate(2026, 6, 14);
        return q;
    }

    Domain::Customer customer(const QString &id)
    {
        auto c = Storage::CustomerRepository(db()).get(id);
        return c.ok() ? *c : Domain::Customer {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
    }

    // One database for the run; each test starts from an empty portfolio (customers cascade to their rows).
    void init()
    {
        QVERIFY(Storage::exec(db(), u"DELETE FROM customers"_s).ok());
        QVERIFY(Storage::exec(db(), u"DELETE FROM features"_s).ok());
        m_clock.set(at(2026, 6, 15));
        m_timeline = std::make_unique<Core::TimelineService>(db(), m_clock);
        m_service = std::make_unique<Core::EngagementService>(db(), m_clock, m_timeline.get());
    }

    void cleanup()
    {
        m_service.reset();
        m_timeline.reset();
    }

    void cleanupTestCase() { m_fixture.reset(); }

    // ---- formulas ----

    void meanAndSd_data()
    {
        QTest::addColumn<QList<double>>("values");
        QTest::addColumn<bool>("has");
        QTest::addColumn<double>("mean");
        QTest::addColumn<double>("sd");
        QTest::addRow("none") << QList<double> {} << false << 0.0 << 0.0;
        QTest::addRow("one point: sd 0") << QList<double> { 5 } << true << 5.0 << 0.0;
        QTest::addRow("all equal") << QList<double> { 4, 4, 4, 4 } << true << 4.0 << 0.0;
        // Σ(x − 5)² = 9+1+1+1+0+0+4+16 = 32; sample variance 32/7.
        QTest::addRow("textbook") << QList<double> { 2, 4, 4, 4, 5, 5, 7, 9 } << true << 5.0 << std::sqrt(32.0 / 7.0);
        // Deviations −3, 1, 1, 1: Σ² = 12, variance 12/3 = 4.
        QTest::addRow("sd exactly 2") << QList<double> { 7, 11, 11, 11 } << true << 10.0 << 2.0;
    }

    void meanAndSd()
    {
        QFETCH(QList<double>, values);
        QFETCH(bool, has);
        QFETCH(double, mean);
        QFETCH(double, sd);
        const auto stats = Core::EngagementMath::meanAndSd(values);
        QCOMPARE(stats.has_value(), has);
        if (has) {
            QCOMPARE(stats->n, int(values.size()));
            QVERIFY(fuzzy(stats->mean, mean));
            QVERIFY(fuzzy(stats->sd, sd));
        }
    }

    void assess_data()
    {
        QTest::addColumn<QList<double>>("baseline");
        QTest::addColumn<double>("latest");
        QTest::addColumn<EngagementSignal>("signal");
        QTest::addColumn<QVariant>("z"); // null = undefined
        const QList<double> sd2 { 7, 11, 11, 11 }; // mean 10, sd 2
        QTest::addRow("z = -3: drop") << sd2 << 4.0 << EngagementSignal::Drop << QVariant(-3.0);
        QTest::addRow("z = -2 exactly: not below -2") << sd2 << 6.0 << EngagementSignal::Normal << QVariant(-2.0);
        QTest::addRow("z = -2.05: drop") << sd2 << 5.9 << EngagementSignal::Drop << QVariant(-2.05);
        QTest::addRow("z = +2 exactly: normal") << sd2 << 14.0 << EngagementSignal::Normal << QVariant(2.0);
        QTest::addRow("z = +2.25: spike") << sd2 << 14.5 << EngagementSignal::Spike << QVariant(2.25);
        QTest::addRow("z = 0") << sd2 << 10.0 << EngagementSignal::Normal << QVariant(0.0);
        QTest::addRow("three weeks: not enough")
            << QList<double> { 5, 6, 7 } << 0.0 << EngagementSignal::NotEnoughHistory << QVariant();
        QTest::addRow("no weeks") << QList<double> {} << 3.0 << EngagementSignal::NotEnoughHistory << QVariant();
        QTest::addRow("constant, equal") << QList<double> { 4, 4, 4, 4 } << 4.0 << EngagementSignal::Normal
                                         << QVariant();
        QTest::addRow("constant, below") << QList<double> { 4, 4, 4, 4 } << 3.0 << EngagementSignal::Drop << QVariant();
        QTest::addRow("constant, above") << QList<double> { 4, 4, 4, 4 } << 5.0 << EngagementSignal::Spike
                                         << QVariant();
        QTest::addRow("silent baseline stays silent")
            << QList<double> { 0, 0, 0, 0, 0 } << 0.0 << EngagementSignal::Normal << QVariant();
        // 8 weeks 10, 12, …: mean 11, sd √(8/7); latest 20 → z = 9 / √(8/7).
        QTest::addRow("eight weeks, spike") << QList<double> { 10, 12, 10, 12, 10, 12, 10, 12 } << 20.0
                                            << EngagementSignal::Spike << QVariant(9.0 / std::sqrt(8.0 / 7.0));
    }

    void assess()
    {
        QFETCH(QList<double>, baseline);
        QFETCH(double, latest);
        QFETCH(EngagementSignal, signal);
        QFETCH(QVariant, z);
        const Core::MetricAssessment a = Core::EngagementMath::assess(u"events"_s, latest, baseline);
        QCOMPARE(a.signal, signal);
        QCOMPARE(a.baselineWeeks, int(baseline.size()));
        QCOMPARE(a.zScore.has_value(), !z.isNull());
        if (a.zScore)
            QVERIFY2(fuzzy(*a.zScore, z.toDouble()), qPrintable(QString::number(*a.zScore, 'g', 17)));
        QVERIFY(!a.reason.isEmpty());
    }

    void change_data()
    {
        QTest::addColumn<double>("current");
        QTest::addColumn<double>("previous");
        QTest::addColumn<QVariant>("change");
        QTest::addColumn<QString>("direction");
        QTest::addRow("+10 percent") << 110.0 << 100.0 << QVariant(0.1) << u"growing"_s;
        QTest::addRow("+5 percent is growing") << 105.0 << 100.0 << QVariant(0.05) << u"growing"_s;
        QTest::addRow("-4.5 percent is flat") << 95.5 << 100.0 << QVariant(-0.045) << u"flat"_s;
        QTest::addRow("-5 percent is declining") << 95.0 << 100.0 << QVariant(-0.05) << u"declining"_s;
        QTest::addRow("to zero") << 0.0 << 8.0 << QVariant(-1.0) << u"declining"_s;
        QTest::addRow("equal") << 3.0 << 3.0 << QVariant(0.0) << u"flat"_s;
        QTest::addRow("from zero: undefined") << 5.0 << 0.0 << QVariant() << QString();
    }

    void change()
    {
        QFETCH(double, current);
        QFETCH(double, previous);
        QFETCH(QVariant, change);
        QFETCH(QString, direction);
        const auto c = Core::EngagementMath::relativeChange(current, previous);
        QCOMPARE(c.has_value(), !change.isNull());
        if (c)
            QVERIFY(fuzzy(*c, change.toDouble()));
        QCOMPARE(Core::EngagementMath::direction(c), direction);
    }

    void lifecycleRules_data()
    {
        QTest::addColumn<Core::LifecycleFacts>("facts");
        QTest::addColumn<QString>("rule"); // empty = no proposal
        using B = Domain::HealthBand;
        const auto base = [](LifecycleStage stage) {
            Core::LifecycleFacts f;
            f.asOf = kToday;
            f.stage = stage;
            return f;
        };
        const auto withHealth = [&](LifecycleStage stage, B band) {
            Core::LifecycleFacts f = base(stage);
            f.healthBand = band;
            f.healthDate = kToday.addDays(-1);
            return f;
        };
        Core::LifecycleFacts f;
        f = base(LifecycleStage::Onboarding);
        f.completedOnboardingPlans = 1;
        QTest::addRow("plan completed") << f << u"onboarding_complete"_s;
        f.openOnboardingPlans = 1;
        QTest::addRow("completed, but another plan open") << f << QString();
        f = base(LifecycleStage::Onboarding);
        f.activeDays30 = 15;
        QTest::addRow("no plan, 15 active days") << f << u"onboarding_complete"_s;
        f.activeDays30 = 14;
        QTest::addRow("no plan, 14 active days") << f << QString();
        QTest::addRow("red health") << withHealth(LifecycleStage::Adoption, B::Red) << u"health_red"_s;
        QTest::addRow("red health while onboarding")
            << withHealth(LifecycleStage::Onboarding, B::Red) << u"health_red"_s;
        f = withHealth(LifecycleStage::Adoption, B::Red);
        f.status = Domain::CustomerStatus::Churned;
        QTest::addRow("churned status wins over red") << f << u"churned_status"_s;
        f = base(LifecycleStage::Churned);
        QTest::addRow("churned stage, active status") << f << u"win_back"_s;
        f.status = Domain::CustomerStatus::Churned;
        QTest::addRow("churned stage and status") << f << QString();
        QTest::addRow("at risk, green") << withHealth(LifecycleStage::AtRisk, B::Green) << u"recovered"_s;
        QTest::addRow("at risk, yellow") << withHealth(LifecycleStage::AtRisk, B::Yellow) << QString();
        QTest::addRow("at risk, red stays") << withHealth(LifecycleStage::AtRisk, B::Red) << QString();
        f = base(LifecycleStage::Adoption);
        f.renewalDate = kToday.addDays(90);
        QTest::addRow("renewal in 90 days") << f << u"renewal_due"_s;
        f.renewalDate = kToday;
        QTest::addRow("renewal today") << f << u"renewal_due"_s;
        f.renewalDate = kToday.addDays(91);
        QTest::addRow("renewal in 91 days") << f << QString();
        f.renewalDate = kToday.addDays(-1);
        QTest::addRow("renewal overdue") << f << QString();
        f = base(LifecycleStage::Renewal);
        f.renewalDate = kToday.addDays(91);
        QTest::addRow("renewed: next date 91 days out") << f << u"renewed"_s;
        f.renewalDate = kToday.addDays(90);
        QTest::addRow("still renewing") << f << QString();
        f.renewalDate = QDate();
        QTest::addRow("renewal stage without a date") << f << QString();
        f = base(LifecycleStage::Adoption);
        f.openExpansionOpportunities = 1;
        QTest::addRow("open opportunity") << f << u"expansion_signal"_s;
        f.renewalDate = kToday.addDays(30);
        QTest::addRow("renewal before expansion") << f << u"renewal_due"_s;
        f = base(LifecycleStage::Expansion);
        QTest::addRow("expansion closed") << f << u"expansion_closed"_s;
        f = withHealth(LifecycleStage::Adoption, B::Green);
        f.latestNps = 9;
        f.latestNpsDate = kToday.addDays(-10);
        QTest::addRow("promoter and green") << f << u"advocate"_s;
        f.latestNps = 8;
        QTest::addRow("passive and green") << f << QString();
        f = withHealth(LifecycleStage::Adoption, B::Yellow);
        f.latestNps = 10;
        QTest::addRow("promoter but yellow") << f << QString();
        f = base(LifecycleStage::Advocacy);
        f.latestNps = 6;
        QTest::addRow("advocate turned detractor") << f << u"advocacy_lapsed"_s;
        f.latestNps.reset();
        QTest::addRow("advocate without a recent answer") << f << QString();
    }

    void lifecycleRules()
    {
        QFETCH(Core::LifecycleFacts, facts);
        QFETCH(QString, rule);
        Core::LifecycleRuleCheck check;
        const Core::LifecycleRule *proposed = Core::LifecycleRules::propose(facts, &check);
        QCOMPARE(proposed ? proposed->key : QString(), rule);
        if (proposed) {
            QVERIFY(check.holds);
            QVERIFY(!check.evidence.isEmpty());
            QVERIFY(proposed->from.contains(facts.stage));
        }
    }

    void ruleTableIsWellFormed()
    {
        QSet<QString> keys;
        for (const Core::LifecycleRule &rule : Core::LifecycleRules::table()) {
            QVERIFY(!keys.contains(rule.key));
            keys.insert(rule.key);
            QVERIFY(!rule.from.contains(rule.to));
            QVERIFY(!rule.condition.isEmpty());
            QCOMPARE(Core::LifecycleRules::find(rule.key), &rule);
        }
        QCOMPARE(keys.size(), 11);
        QCOMPARE(Core::AdoptionMilestones::definitions().size(), 6);
    }

    // ---- usage ----

    // R = 06-01 … 06-14 (n = 14), P = 05-18 … 05-31, the 30 days of MAU = 05-16 … 06-14, WAU = 06-08 … 06-14.
    void usageOfOneCustomer()
    {
        seedAcme();
        for (int pass = 0; pass < 2; ++pass) {
            if (pass == 1) {
                // usage_daily was empty: the first pass read usage_events. Rebuilt, the aggregate agrees.
                auto rebuilt = m_service->rebuildDailyUsage(QDate(2026, 5, 1), QDate(2026, 6, 30));
                CHECK_OK(rebuilt);
                QCOMPARE(*rebuilt, 13); // 6 days with an all-features row + 7 (day, feature) rows
            }
            auto r = m_service->usage(usageQuery(u"acme"_s));
            CHECK_OK(r);
            QCOMPARE(r->source, pass == 0 ? u"usage_events"_s : u"usage_daily"_s);
            QCOMPARE(r->dailyUsageStale, pass == 0);
            QVERIFY(r->hasData);
            QCOMPARE(r->days, 14);
            QCOMPARE(r->previousFrom, QDate(2026, 5, 18));
            QCOMPARE(r->previousTo, QDate(2026, 5, 31));
            QCOMPARE(r->firstUsageDay, QDate(2026, 5, 18));
            QCOMPARE(r->events, 6);
            QCOMPARE(r->quantity, 6.0);
            QCOMPARE(r->activeDays, 3);
            QVERIFY(fuzzy(r->eventsPerDay, 6.0 / 14));
            QVERIFY(fuzzy(*r->eventsPerActiveDay, 2.0));
            QVERIFY(fuzzy(r->dau, 5.0 / 14)); // users per day: 2 + 2 + 1
            QCOMPARE(r->wau, 3); // u1, u3, u4
            QCOMPARE(r->mau, 4); // u1 … u4
            QVERIFY(fuzzy(*r->stickiness, 8.0 / 30 / 4)); // user-days 1+2+2+2+1 over 30 days, / MAU
            QVERIFY(r->hasTrend);
            QCOMPARE(r->previousEvents, 4);
            QCOMPARE(r->previousActiveDays, 2);
            QVERIFY(fuzzy(*r->eventsChange, 0.5));
            QVERIFY(fuzzy(*r->activeDaysChange, 0.5));
            QVERIFY(fuzzy(*r->dauChange, 2.0 / 3));
            QCOMPARE(r->trend, u"growing"_s);
            QCOMPARE(r->eventsWithoutFeature, 1);
            QCOMPARE(r->features.size(), 2);
            QCOMPARE(r->features[0].feature, u"reports"_s);
            QCOMPARE(r->features[0].events, 3);
            QCOMPARE(r->features[0].users, 3);
            QVERIFY(fuzzy(r->features[0].share, 0.6));
            QCOMPARE(r->features[0].previousEvents, 3);
            QVERIFY(fuzzy(*r->features[0].change, 0.0));
            QCOMPARE(r->features[1].feature, u"dashboards"_s);
            QVERIFY(fuzzy(*r->features[1].change, 1.0));
            QCOMPARE(r->series.size(), 14);
            QCOMPARE(r->series[0].day, QDate(2026, 6, 1));
            QCOMPARE(r->series[0].events, 2);
            QCOMPARE(r->series[9].events, 3); // 06-10
            QCOMPARE(r->series[9].activeUsers, 2);
            QCOMPARE(r->series[1].events, 0);
        }
    }

    void usageTrendNeedsAFullPreviousPeriod()
    {
        addCustomer(u"new"_s);
        addEvent(u"new"_s, at(2026, 5, 25), u"reports"_s, u"u1"_s);
        addEvent(u"new"_s, at(2026, 6, 2), u"reports"_s, u"u1"_s);
        auto r = m_service->usage(usageQuery(u"new"_s));
        CHECK_OK(r);
        QVERIFY(r->hasData);
        QVERIFY(!r->hasTrend);
        QVERIFY(!r->eventsChange.has_value());
        QVERIFY(r->trend.isEmpty());
        QVERIFY(r->trendReason.contains(u"2026-05-25"_s));
        // Usage before R but none in it: zero is data, not "no data".
        auto later = m_service->usage([&] {
            Core::UsageQuery q = usageQuery(u"new"_s);
            q.from = QDate(2026, 6, 3);
            return q;
        }());
        CHECK_OK(later);
        QVERIFY(later->hasData);
        QCOMPARE(later->events, 0);
        QCOMPARE(later->mau, 1);
        QVERIFY(later->stickiness.has_value());
        QVERIFY(fuzzy(*later->stickiness, 2.0 / 30 / 1));
    }

    void usagePortfolio()
    {
        seedAcme();
        addCustomer(u"beta"_s);
        addCustomer(u"gamma"_s);
        addCustomer(u"ghost"_s);
        addEvent(u"beta"_s, at(2026, 6, 5, 12), u"legacy_export"_s, u"u9"_s);
        addEvent(u"beta"_s, at(2026, 6, 5, 13), u"legacy_export"_s, u"u9"_s);
        addEvent(u"ghost"_s, at(2026, 6, 2), u"reports"_s, u"g1"_s);
        QVERIFY(Storage::CustomerRepository(db()).softDelete(u"ghost"_s).ok());
        auto r = m_service->usage(usageQuery(QString()));
        CHECK_OK(r);
        QVERIFY(r->hasData);
        QCOMPARE(r->liveCustomers, 3);
        QCOMPARE(r->activeCustomers, 2); // acme, beta (ghost is deleted)
        QCOMPARE(r->events, 8);
        QCOMPARE(r->activeDays, 4);
        QVERIFY(fuzzy(r->dau, 6.0 / 14));
        QCOMPARE(r->wau, 3);
        QCOMPARE(r->mau, 5); // u1 … u4 of acme and u9 of beta: users are per customer
        QVERIFY(fuzzy(*r->stickiness, 9.0 / 30 / 5));
        QVERIFY(fuzzy(*r->eventsChange, 1.0));
        QCOMPARE(r->features.size(), 3);
        QCOMPARE(r->features[0].feature, u"reports"_s);
        QCOMPARE(r->features[1].feature, u"dashboards"_s);
        QCOMPARE(r->features[2].feature, u"legacy_export"_s);
        QVERIFY(fuzzy(r->features[0].share, 3.0 / 7));
        QCOMPARE(r->features[2].customers, 1);
        Core::UsageQuery top = usageQuery(QString());
        top.topFeatures = 1;
        auto limited = m_service->usage(top);
        CHECK_OK(limited);
        QCOMPARE(limited->features.size(), 1);
        QCOMPARE(limited->otherFeatures, 2);
    }

    void usageWithoutData()
    {
        auto empty = m_service->usage({});
        CHECK_OK(empty);
        QVERIFY(!empty->hasData);
        QVERIFY(!empty->reason.isEmpty());
        QVERIFY(!empty->stickiness.has_value());
        QCOMPARE(empty->from, kToday.addDays(-29));
        QCOMPARE(empty->to, kToday);
        addCustomer(u"quiet"_s);
        auto quiet = m_service->usage(usageQuery(u"quiet"_s));
        CHECK_OK(quiet);
        QVERIFY(!quiet->hasData);
        QVERIFY(quiet->series.isEmpty());
        auto unknown = m_service->usage(usageQuery(u"nobody"_s));
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().code, ErrorCode::NotFound);
        QCOMPARE(unknown.error().field, u"customer_id"_s);
    }

    void usageBadArguments_data()
    {
        QTest::addColumn<QDate>("from");
        QTest::addColumn<QDate>("to");
        QTest::addColumn<int>("top");
        QTest::addColumn<QString>("field");
        QTest::addRow("to before from") << QDate(2026, 6, 2) << QDate(2026, 6, 1) << 20 << u"to"_s;
        QTest::addRow("367 days") << QDate(2025, 6, 1) << QDate(2026, 6, 2) << 20 << u"from"_s;
        QTest::addRow("no features listed") << QDate() << QDate() << 0 << u"top_features"_s;
    }

    void usageBadArguments()
    {
        QFETCH(QDate, from);
        QFETCH(QDate, to);
        QFETCH(int, top);
        QFETCH(QString, field);
        Core::UsageQuery q;
        q.from = from;
        q.to = to;
        q.topFeatures = top;
        auto r = m_service->usage(q);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().field, field);
        QVERIFY(!m_service->rebuildDailyUsage(QDate(2026, 6, 2), QDate(2026, 6, 1)).ok());
    }

    // ---- feature adoption ----

    void featureAdoption()
    {
        seedAcme();
        addCustomer(u"beta"_s);
        addCustomer(u"gamma"_s);
        addEvent(u"beta"_s, at(2026, 6, 5, 12), u"legacy_export"_s, u"u9"_s);
        addFeature(u"reports"_s, u"Reports"_s);
        addFeature(u"dashboards"_s, u"Dashboards"_s);
        addFeature(u"api"_s, u"API"_s);
        auto r = m_service->featureAdoption(QDate(2026, 6, 1), QDate(2026, 6, 14));
        CHECK_OK(r);
        QVERIFY(r->hasData);
        QCOMPARE(r->activeCustomers, 2);
        QCOMPARE(r->catalogueFeatures, 3);
        QVERIFY(fuzzy(*r->averageBreadth, 2.0 / 6)); // acme 2 catalogue features, beta 0; 2 customers × 3
        QCOMPARE(r->features.size(), 4);
        QCOMPARE(r->features[0].feature, u"dashboards"_s);
        QVERIFY(fuzzy(*r->features[0].adoptionRate, 0.5));
        QCOMPARE(r->features[1].feature, u"reports"_s);
        QCOMPARE(r->features[1].users, 3);
        QCOMPARE(r->features[2].feature, u"api"_s);
        QCOMPARE(r->features[2].adoptingCustomers, 0);
        QVERIFY(fuzzy(*r->features[2].adoptionRate, 0.0)); // measured: nobody used it
        QCOMPARE(r->features[3].feature, u"legacy_export"_s);
        QVERIFY(!r->features[3].inCatalogue);

        auto none = m_service->featureAdoption(QDate(2025, 1, 1), QDate(2025, 1, 31));
        CHECK_OK(none);
        QVERIFY(!none->hasData);
        QVERIFY(!none->averageBreadth.has_value());
        QVERIFY(!none->features[0].adoptionRate.has_value());

        auto acme = m_service->customerFeatureAdoption(u"acme"_s, QDate(2026, 6, 1), QDate(2026, 6, 14));
        CHECK_OK(acme);
        QVERIFY(acme->hasData);
        QCOMPARE(acme->catalogueFeatures, 3);
        QCOMPARE(acme->adoptedEver, 2);
        QCOMPARE(acme->usedInWindow, 2);
        QVERIFY(fuzzy(*acme->breadth, 2.0 / 3));
        QCOMPARE(acme->features[0].feature, u"api"_s); // by catalogue name: API, Dashboards, Reports
        QVERIFY(!acme->features[0].firstUsedAt.isValid());
        QCOMPARE(acme->features[1].firstUsedAt, at(2026, 5, 20, 11));
        QCOMPARE(acme->features[1].lastUsedAt, at(2026, 6, 10, 15));
        QCOMPARE(acme->features[1].eventsInWindow, 2);
        QCOMPARE(acme->features[2].firstUsedAt, at(2026, 5, 18, 9));
        QCOMPARE(acme->features[2].lastUsedAt, at(2026, 6, 14, 23, 59)); // 06-15 is after `to`
        QCOMPARE(acme->features[2].usersInWindow, 3);
        auto early = m_service->customerFeatureAdoption(u"acme"_s, QDate(2026, 5, 18), QDate(2026, 5, 19));
        CHECK_OK(early);
        QCOMPARE(early->adoptedEver, 1);
        QVERIFY(fuzzy(*early->breadthEver, 1.0 / 3));
        auto gamma = m_service->customerFeatureAdoption(u"gamma"_s);
        CHECK_OK(gamma);
        QVERIFY(!gamma->hasData);
        QVERIFY(!gamma->breadth.has_value());
    }

    // ---- lifecycle ----

    void lifecycleTransitions()
    {
        addCustomer(u"onb"_s, LifecycleStage::Onboarding);
        addSql(u"INSERT INTO onboarding_plans (customer_id, name, status, started_on, completed_on) "
               "VALUES ('onb', 'Plan', 'completed', '2026-04-01', '2026-05-01')"_s,
            {});
        QSignalSpy lifecycleSpy(m_service.get(), &Core::EngagementService::lifecycleChanged);
        QSignalSpy customerSpy(m_service.get(), &Core::EngagementService::customerChanged);
        QSignalSpy timelineSpy(m_timeline.get(), &Core::TimelineService::timelineChanged);

        Core::LifecycleTransitionRequest request;
        request.customerId = u"onb"_s;
        request.to = LifecycleStage::Adoption;
        request.actor = u"alice"_s;
        auto moved = m_service->transition(request);
        CHECK_OK(moved);
        QCOMPARE(moved->rule, u"onboarding_complete"_s);
        QVERIFY(!moved->forced);
        QCOMPARE(moved->customerVersion, 2);
        QCOMPARE(*moved->transition.fromStage, LifecycleStage::Onboarding);
        QCOMPARE(moved->transition.toStage, LifecycleStage::Adoption);
        QCOMPARE(moved->transition.actor, u"alice"_s);
        QCOMPARE(moved->transition.transitionedAt, m_clock.now());
        QVERIFY(moved->transition.reason.startsWith(u"rule onboarding_complete: 1 completed"_s));
        QCOMPARE(customer(u"onb"_s).lifecycleStage, LifecycleStage::Adoption);
        QCOMPARE(lifecycleSpy.count(), 1);
        QCOMPARE(customerSpy.count(), 1);
        QCOMPARE(timelineSpy.count(), 1);
        auto event = m_timeline->event(moved->timelineEventId);
        CHECK_OK(event);
        QCOMPARE(event->kind, Domain::TimelineEventKind::Lifecycle);
        QCOMPARE(event->sourceTable, u"lifecycle_transitions"_s);
        QCOMPARE(event->sourceId, QString::number(moved->transition.id));
        QCOMPARE(event->detail.value(u"rule"_s).toString(), u"onboarding_complete"_s);

        auto same = m_service->transition(request);
        QVERIFY(!same.ok());
        QCOMPARE(same.error().field, u"to_stage"_s);

        request.to = LifecycleStage::Advocacy;
        auto unmet = m_service->transition(request);
        QVERIFY(!unmet.ok());
        QCOMPARE(unmet.error().field, u"to_stage"_s);
        QVERIFY(unmet.error().message.contains(u"rule advocate"_s));

        request.to = LifecycleStage::Onboarding;
        auto noRule = m_service->transition(request);
        QVERIFY(!noRule.ok());
        QVERIFY(noRule.error().message.contains(u"no rule moves"_s));
        request.force = true;
        auto noReason = m_service->transition(request);
        QVERIFY(!noReason.ok());
        QCOMPARE(noReason.error().field, u"reason"_s);
        request.reason = u"Re-onboarding after the platform migration"_s;
        request.expectedVersion = 1; // stale
        auto stale = m_service->transition(request);
        QVERIFY(!stale.ok());
        QCOMPARE(stale.error().code, ErrorCode::Conflict);
        request.expectedVersion = 2;
        auto forced = m_service->transition(request);
        CHECK_OK(forced);
        QVERIFY(forced->forced);
        QVERIFY(forced->rule.isEmpty());
        QCOMPARE(forced->transition.reason, u"Re-onboarding after the platform migration"_s);
        QCOMPARE(lifecycleSpy.count(), 2);

        // Into churned and out again: status and churned_at follow (the customer record allows churned_at only
        // while churned).
        m_clock.advanceDays(1);
        request = {};
        request.customerId = u"onb"_s;
        request.to = LifecycleStage::Churned;
        request.force = true;
        request.reason = u"Cancelled in writing"_s;
        CHECK_OK(m_service->transition(request));
        Domain::Customer churned = customer(u"onb"_s);
        QCOMPARE(churned.status, Domain::CustomerStatus::Churned);
        QCOMPARE(churned.churnedAt, kToday.addDays(1));
        QVERIFY(churned.validate().ok());
        request.to = LifecycleStage::Onboarding;
        request.reason = u"Signed again"_s;
        CHECK_OK(m_service->transition(request));
        Domain::Customer back = customer(u"onb"_s);
        QCOMPARE(back.status, Domain::CustomerStatus::Active);
        QVERIFY(!back.churnedAt.isValid());
        QVERIFY(back.validate().ok());

        auto state = m_service->lifecycle(u"onb"_s);
        CHECK_OK(state);
        QCOMPARE(state->stage, LifecycleStage::Onboarding);
        QCOMPARE(state->historyTotal, 4);
        QCOMPARE(state->history.size(), 4);
        QCOMPARE(state->history.first().toStage, LifecycleStage::Onboarding);
        QCOMPARE(state->since, m_clock.now());
        QVERIFY(!state->moves.isEmpty());
        for (const Core::LifecycleAllowedMove &move : state->moves)
            QVERIFY(Core::LifecycleRules::find(move.rule)->from.contains(LifecycleStage::Onboarding));
        QCOMPARE(
            count(db(), u"SELECT COUNT(*) FROM timeline_events WHERE customer_id = 'onb' AND kind = 'lifecycle'"_s), 4);

        auto unknown = m_service->lifecycle(u"nobody"_s);
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().field, u"customer_id"_s);
    }

    void evaluateAndApplyRules()
    {
        addCustomer(u"r01"_s, LifecycleStage::Adoption, kToday.addDays(30)); // renewal_due
        addCustomer(u"r02"_s, LifecycleStage::Adoption); // health_red
        addScore(u"r02"_s, kToday.addDays(-1), 25, u"red"_s);
        addCustomer(u"r03"_s, LifecycleStage::Adoption); // red, but 31 days old: nothing
        addScore(u"r03"_s, kToday.addDays(-31), 25, u"red"_s);
        addCustomer(u"r04"_s, LifecycleStage::AtRisk); // recovered
        addScore(u"r04"_s, kToday, 80, u"green"_s);
        addCustomer(u"r05"_s, LifecycleStage::Expansion); // expansion_closed
        addCustomer(u"r06"_s, LifecycleStage::Adoption); // expansion_signal
        addSql(
            u"INSERT INTO expansion_opportunities (customer_id, kind, stage) VALUES ('r06', 'upsell', 'qualified')"_s,
            {});
        addSql(u"INSERT INTO expansion_opportunities (customer_id, kind, stage, closed_on) "
               "VALUES ('r05', 'upsell', 'won', '2026-06-01')"_s,
            {});
        addCustomer(u"r07"_s, LifecycleStage::Advocacy); // advocacy_lapsed
        addSql(u"INSERT INTO survey_responses (customer_id, kind, score, responded_at) VALUES ('r07', 'nps', 5, ?)"_s,
            { Storage::Convert::toSql(at(2026, 6, 5)) });
        addCustomer(u"r08"_s, LifecycleStage::Adoption); // advocate
        addScore(u"r08"_s, kToday, 85, u"green"_s);
        addSql(u"INSERT INTO survey_responses (customer_id, kind, score, responded_at) VALUES ('r08', 'nps', 10, ?)"_s,
            { Storage::Convert::toSql(at(2026, 6, 5)) });
        addCustomer(u"r09"_s, LifecycleStage::Onboarding); // 15 active days, no plan
        for (int i = 0; i < 15; ++i)
            addDaily(u"r09"_s, kToday.addDays(-2 * i), 4, 1);
        addCustomer(u"r10"_s, LifecycleStage::Onboarding); // 14: nothing
        for (int i = 0; i < 14; ++i)
            addDaily(u"r10"_s, kToday.addDays(-2 * i), 4, 1);
        addCustomer(u"r11"_s, LifecycleStage::Adoption); // churned_status
        addSql(u"UPDATE customers SET status = 'churned', churned_at = '2026-06-01' WHERE id = 'r11'"_s, {});
        addCustomer(u"r12"_s, LifecycleStage::Renewal, kToday.addDays(120)); // renewed

        auto all = m_service->evaluateRules({}, 200);
        CHECK_OK(all);
        QCOMPARE(all->customersEvaluated, 12);
        QCOMPARE(all->total, 10);
        QStringList rules;
        for (const Core::LifecycleProposal &p : all->items)
            rules << p.customerId + u':' + p.rule;
        QCOMPARE(rules,
            (QStringList { u"r01:renewal_due"_s, u"r02:health_red"_s, u"r04:recovered"_s, u"r05:expansion_closed"_s,
                u"r06:expansion_signal"_s, u"r07:advocacy_lapsed"_s, u"r08:advocate"_s, u"r09:onboarding_complete"_s,
                u"r11:churned_status"_s, u"r12:renewed"_s }));
        QCOMPARE(all->byRule.value(u"renewal_due"_s), 1);

        // Pages of 4 walk the same list.
        QStringList paged;
        QString cursor;
        QList<int> sizes;
        for (int guard = 0; guard < 10; ++guard) {
            auto page = m_service->evaluateRules({}, 4, cursor);
            CHECK_OK(page);
            QCOMPARE(page->total, 10);
            sizes << int(page->items.size());
            for (const Core::LifecycleProposal &p : page->items)
                paged << p.customerId;
            if (page->nextCursor.isEmpty())
                break;
            cursor = page->nextCursor;
        }
        QCOMPARE(sizes, (QList<int> { 4, 4, 2 }));
        QCOMPARE(paged.size(), 10);

        auto some = m_service->evaluateRules({ u"r01"_s, u"r03"_s });
        CHECK_OK(some);
        QCOMPARE(some->customersEvaluated, 2);
        QCOMPARE(some->total, 1);
        auto ghost = m_service->evaluateRules({ u"r01"_s, u"ghost"_s });
        QVERIFY(!ghost.ok());
        QCOMPARE(ghost.error().field, u"customer_ids"_s);

        // A proposal computed on an old version is skipped, the rest applied; then nothing is left to propose.
        QList<Core::LifecycleProposal> proposals = all->items;
        proposals[0].customerVersion = 99;
        auto applied = m_service->applyProposals(proposals, u"rules"_s);
        CHECK_OK(applied);
        QCOMPARE(applied->applied, 9);
        QCOMPARE(applied->skipped.size(), 1);
        QCOMPARE(applied->skipped.first().first, u"r01"_s);
        QCOMPARE(customer(u"r11"_s).lifecycleStage, LifecycleStage::Churned);
        QCOMPARE(customer(u"r09"_s).lifecycleStage, LifecycleStage::Adoption);
        auto after = m_service->evaluateRules({}, 200);
        CHECK_OK(after);
        QCOMPARE(after->total, 1); // only r01, which was skipped
        QCOMPARE(after->items.first().customerId, u"r01"_s);
    }

    // ---- adoption milestones ----

    void milestones()
    {
        addCustomer(u"mile"_s, LifecycleStage::Adoption, {}, QDate(2026, 1, 1));
        addCustomer(u"none"_s);
        {
            Storage::Transaction tx(db());
            addEvent(u"mile"_s, at(2026, 1, 5, 10), u"reports"_s, u"u1"_s);
            addEvent(u"mile"_s, at(2026, 1, 6, 9), u"dashboards"_s, u"u1"_s);
            addEvent(u"mile"_s, at(2026, 1, 6, 11), u"reports"_s, u"u1"_s);
            addEvent(u"mile"_s, at(2026, 1, 7, 8), u"api"_s, u"u2"_s);
            addDaily(u"mile"_s, QDate(2026, 1, 12), 5, 1);
            // 30 consecutive days 02-02 … 03-03, 40 events a day, 5 users on 02-20.
            for (int i = 0; i < 30; ++i) {
                const QDate day = QDate(2026, 2, 2).addDays(i);
                addDaily(u"mile"_s, day, 40, day == QDate(2026, 2, 20) ? 5 : 3);
            }
            // One active day in each of the weeks of 03-09, 03-16 and 03-23: eight weeks in a row from 02-02.
            for (const QDate &day : { QDate(2026, 3, 10), QDate(2026, 3, 17), QDate(2026, 3, 24) })
                addDaily(u"mile"_s, day, 10, 1);
            QVERIFY(tx.commit().ok());
        }
        QSignalSpy recorded(m_service.get(), &Core::EngagementService::milestonesRecorded);
        auto detected = m_service->detectMilestones();
        CHECK_OK(detected);
        QCOMPARE(detected->customersChecked, 2);
        QCOMPARE(detected->written, 6);
        QCOMPARE(recorded.count(), 1);

        auto m = m_service->milestones(u"mile"_s);
        CHECK_OK(m);
        QCOMPARE(m->achieved, 6);
        QHash<QString, Core::CustomerMilestone> byKey;
        for (const Core::CustomerMilestone &x : m->milestones)
            byKey.insert(x.definition.key, x);
        const QDateTime endOf = QDateTime(QDate(2026, 1, 1), QTime(23, 59, 59, 999), QTimeZone::utc());
        const auto dayEnd = [&](QDate d) { return QDateTime(d, endOf.time(), QTimeZone::utc()); };
        QCOMPARE(byKey[u"first_usage"_s].achievedAt, at(2026, 1, 5, 10));
        QCOMPARE(byKey[u"three_features"_s].achievedAt, at(2026, 1, 7, 8));
        QCOMPARE(byKey[u"three_features"_s].detail.value(u"third_feature"_s).toString(), u"api"_s);
        QCOMPARE(byKey[u"five_daily_users"_s].achievedAt, dayEnd(QDate(2026, 2, 20)));
        QCOMPARE(byKey[u"events_1000"_s].achievedAt, dayEnd(QDate(2026, 2, 26))); // 5 + 25 × 40 = 1005
        QCOMPARE(byKey[u"active_streak_30"_s].achievedAt, dayEnd(QDate(2026, 3, 3)));
        QCOMPARE(byKey[u"active_streak_30"_s].detail.value(u"streak_start"_s).toString(), u"2026-02-02"_s);
        QCOMPARE(byKey[u"weekly_habit_8"_s].achievedAt, dayEnd(QDate(2026, 3, 24)));
        QCOMPARE(byKey[u"weekly_habit_8"_s].detail.value(u"first_week_start"_s).toString(), u"2026-02-02"_s);

        // Each milestone is on the timeline when it happened.
        QCOMPARE(count(db(),
                     u"SELECT COUNT(*) FROM timeline_events WHERE customer_id = 'mile' AND kind = 'usage_milestone'"_s),
            6);
        QCOMPARE(count(db(),
                     u"SELECT COUNT(*) FROM timeline_events WHERE source_table = 'adoption_milestones' "
                     "AND source_id = 'mile/first_usage' AND occurred_at = ?"_s,
                     { Storage::Convert::toSql(at(2026, 1, 5, 10)) }),
            1);

        auto none = m_service->milestones(u"none"_s);
        CHECK_OK(none);
        QCOMPARE(none->achieved, 0);
        QCOMPARE(none->milestones.size(), 6);

        // Idempotent: a second run writes nothing, and neither does one for a customer without usage.
        auto again = m_service->detectMilestones();
        CHECK_OK(again);
        QCOMPARE(again->written, 0);
        QCOMPARE(recorded.count(), 1);
        auto subset = m_service->detectMilestones({ u"none"_s });
        CHECK_OK(subset);
        QCOMPARE(subset->customersChecked, 1);
        QCOMPARE(subset->written, 0);
        auto ghost = m_service->detectMilestones({ u"ghost"_s });
        QVERIFY(!ghost.ok());
        QCOMPARE(ghost.error().field, u"customer_ids"_s);

        auto summary = m_service->milestoneSummary();
        CHECK_OK(summary);
        QCOMPARE(summary->size(), 6);
        QCOMPARE(summary->first().definition.key, u"first_usage"_s);
        QCOMPARE(summary->first().achievedCustomers, 1);
        QCOMPARE(summary->first().liveCustomers, 2);
        QVERIFY(fuzzy(*summary->first().share, 0.5));
        QCOMPARE(summary->first().withContractStart, 1);
        QCOMPARE(*summary->first().medianDaysFromStart, 4.0); // 2026-01-01 → 01-05
    }

    // ---- engagement patterns and anomalies ----

    // D = 2026-06-14 (yesterday); week k = D−7k−6 … D−7k, so every week starts on a Monday.
    void engagementPatternsAndAnomalies()
    {
        const QDate D(2026, 6, 14);
        const auto weekStart = [&](int k) { return D.addDays(-7 * k - 6); };
        addCustomer(u"pat"_s);
        addCustomer(u"young"_s);
        addCustomer(u"steady"_s);
        addCustomer(u"spiky"_s);
        addCustomer(u"nothing"_s);
        addCustomer(u"gone"_s, LifecycleStage::Churned);
        {
            Storage::Transaction tx(db());
            // pat: first use at the start of week 4; baseline weeks 4…1 = 7, 11, 11, 11 events (mean 10, sd 2) by
            // two users each; the latest week 4 events by one user.
            const int patEvents[] = { 4, 11, 11, 11, 7 };
            for (int k = 0; k <= 4; ++k) {
                for (int i = 0; i < patEvents[k]; ++i)
                    addEvent(u"pat"_s, QDateTime(weekStart(k), QTime(10, i), QTimeZone::utc()), u"reports"_s,
                        k == 0 || i % 2 ? u"u1"_s : u"u2"_s);
            }
            addEvent(u"young"_s, at(2026, 6, 10), u"reports"_s, u"y1"_s);
            addEvent(u"young"_s, at(2026, 6, 12), u"reports"_s, u"y1"_s);
            addEvent(u"steady"_s, at(2026, 4, 1), u"reports"_s, u"s1"_s);
            for (int k = 0; k <= 8; ++k) {
                for (int i = 0; i < 5; ++i)
                    addEvent(u"steady"_s, QDateTime(weekStart(k).addDays(2), QTime(9, i), QTimeZone::utc()),
                        u"reports"_s, u"s1"_s);
            }
            addEvent(u"spiky"_s, at(2026, 3, 1), u"reports"_s, u"p1"_s);
            for (int k = 0; k <= 8; ++k) {
                const int n = k == 0 ? 20 : (k % 2 ? 12 : 10);
                for (int i = 0; i < n; ++i)
                    addEvent(u"spiky"_s, QDateTime(weekStart(k).addDays(1), QTime(15, i), QTimeZone::utc()), u"api"_s,
                        u"p1"_s);
            }
            addEvent(u"gone"_s, at(2026, 6, 1), u"reports"_s, u"x"_s);
            QVERIFY(tx.commit().ok());
        }

        auto pat = m_service->engagementPattern(u"pat"_s);
        CHECK_OK(pat);
        QCOMPARE(pat->asOf, D);
        QCOMPARE(pat->firstUsageDay, weekStart(4));
        QCOMPARE(pat->weeks.size(), 9);
        QCOMPARE(pat->weeks.last().weekStart, QDate(2026, 6, 8));
        QCOMPARE(pat->weeks.last().events, 4);
        QCOMPARE(pat->weeks.first().inBaseline, false); // week 8: before the first use
        QCOMPARE(pat->events.baselineWeeks, 4);
        QCOMPARE(pat->events.mean, 10.0);
        QCOMPARE(pat->events.sd, 2.0);
        QVERIFY(fuzzy(*pat->events.zScore, -3.0));
        QCOMPARE(pat->events.signal, EngagementSignal::Drop);
        QCOMPARE(pat->activeUsers.mean, 2.0);
        QVERIFY(!pat->activeUsers.zScore.has_value()); // constant baseline of 2 users
        QCOMPARE(pat->activeUsers.signal, EngagementSignal::Drop);
        QCOMPARE(pat->signal, EngagementSignal::Drop);
        QVERIFY(pat->reason.startsWith(u"events: z = -3.00"_s));
        QVERIFY(pat->hasTimePattern);
        QCOMPARE(pat->eventsByWeekday[0], 44); // every week starts on a Monday
        QCOMPARE(pat->peakWeekday, 0);
        QCOMPARE(pat->peakHour, 10);
        QCOMPARE(pat->weekendShare, 0.0);

        auto young = m_service->engagementPattern(u"young"_s);
        CHECK_OK(young);
        QCOMPARE(young->signal, EngagementSignal::NotEnoughHistory);
        QVERIFY(young->reason.contains(u"2026-06-10"_s));
        auto nothing = m_service->engagementPattern(u"nothing"_s);
        CHECK_OK(nothing);
        QCOMPARE(nothing->signal, EngagementSignal::NotEnoughHistory);
        QVERIFY(!nothing->hasTimePattern);
        QCOMPARE(nothing->peakWeekday, -1);
        auto steady = m_service->engagementPattern(u"steady"_s);
        CHECK_OK(steady);
        QCOMPARE(steady->signal, EngagementSignal::Normal);
        QCOMPARE(steady->events.baselineWeeks, 8);
        QCOMPARE(steady->eventsByWeekday[2], 45); // Wednesdays
        auto earlier = m_service->engagementPattern(u"pat"_s, D.addDays(-7));
        CHECK_OK(earlier);
        QCOMPARE(earlier->events.baselineWeeks, 3); // one week less since the first use
        QCOMPARE(earlier->signal, EngagementSignal::NotEnoughHistory);

        auto scan = m_service->anomalies();
        CHECK_OK(scan);
        QCOMPARE(scan->asOf, D);
        QCOMPARE(scan->customersScanned, 5); // "gone" is churned
        QCOMPARE(scan->withBaseline, 3);
        QCOMPARE(scan->notEnoughHistory, 2);
        QCOMPARE(scan->drops, 1);
        QCOMPARE(scan->spikes, 1);
        QCOMPARE(scan->total, 2);
        QCOMPARE(scan->items.size(), 2);
        QCOMPARE(scan->items[0].customerId, u"pat"_s);
        QVERIFY(fuzzy(*scan->items[0].worstZ, -3.0));
        QCOMPARE(scan->items[1].customerId, u"spiky"_s);
        QCOMPARE(scan->items[1].signal, EngagementSignal::Spike);
        QVERIFY(fuzzy(*scan->items[1].worstZ, 9.0 / std::sqrt(8.0 / 7.0)));

        Core::AnomalyQuery q;
        q.limit = 1;
        auto first = m_service->anomalies(q);
        CHECK_OK(first);
        QCOMPARE(first->items.size(), 1);
        QCOMPARE(first->items[0].customerId, u"pat"_s);
        QVERIFY(!first->nextCursor.isEmpty());
        q.cursor = first->nextCursor;
        auto second = m_service->anomalies(q);
        CHECK_OK(second);
        QCOMPARE(second->items.size(), 1);
        QCOMPARE(second->items[0].customerId, u"spiky"_s);
        QVERIFY(second->nextCursor.isEmpty());
        q.spikes = false;
        auto dropsOnly = m_service->anomalies(q);
        QVERIFY(!dropsOnly.ok()); // the cursor belongs to the query with spikes
        QCOMPARE(dropsOnly.error().field, u"cursor"_s);
        q.cursor.clear();
        dropsOnly = m_service->anomalies(q);
        CHECK_OK(dropsOnly);
        QCOMPARE(dropsOnly->total, 1);
    }

    // ---- a generated portfolio ----

    void demoPortfolio()
    {
        Core::DemoPortfolio::Options options;
        options.customers = 40;
        options.seed = 99;
        options.today = kToday;
        options.usageEvents = 20000;
        options.replaceExisting = true;
        auto generated = Core::DemoPortfolio(db(), options).generate();
        CHECK_OK(generated);

        auto usage = m_service->usage({});
        CHECK_OK(usage);
        QVERIFY(usage->hasData);
        QCOMPARE(usage->source, u"usage_daily"_s); // the generator writes both, consistently
        QCOMPARE(usage->events,
            count(db(), u"SELECT COUNT(*) FROM usage_events WHERE occurred_at >= ? AND occurred_at < ?"_s,
                { u"2026-05-17T00:00:00.000Z"_s, u"2026-06-16T00:00:00.000Z"_s }));
        QVERIFY(usage->events > 0);
        QVERIFY(usage->mau >= usage->wau && usage->wau > 0);
        QVERIFY(usage->dau > 0 && usage->dau <= usage->mau);
        QVERIFY(*usage->stickiness > 0 && *usage->stickiness <= 1);
        double shares = 0;
        for (const Core::FeatureUsage &f : usage->features)
            shares += f.share;
        QVERIFY(usage->otherFeatures > 0 || fuzzy(shares, 1.0));
        // Our own aggregate of the raw events gives the generator's daily rows back.
        auto rebuilt = m_service->rebuildDailyUsage(usage->previousFrom, usage->to);
        CHECK_OK(rebuilt);
        auto again = m_service->usage({});
        CHECK_OK(again);
        QCOMPARE(again->source, u"usage_daily"_s);
        QCOMPARE(again->events, usage->events);
        QCOMPARE(again->activeDays, usage->activeDays);
        QVERIFY(fuzzy(again->dau, usage->dau));

        auto adoption = m_service->featureAdoption();
        CHECK_OK(adoption);
        QVERIFY(adoption->hasData);
        QCOMPARE(adoption->activeCustomers, usage->activeCustomers);
        QVERIFY(adoption->catalogueFeatures > 0);
        bool widelyUsed = false;
        for (const Core::FeatureAdoptionRow &row : adoption->features) {
            QVERIFY(*row.adoptionRate >= 0 && *row.adoptionRate <= 1);
            widelyUsed = widelyUsed || *row.adoptionRate > 0.5;
        }
        QVERIFY(widelyUsed);

        auto scan = m_service->anomalies();
        CHECK_OK(scan);
        QCOMPARE(scan->customersScanned,
            count(db(), u"SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL AND status <> 'churned'"_s));
        QCOMPARE(scan->withBaseline + scan->notEnoughHistory, scan->customersScanned);
        QVERIFY(scan->withBaseline > 0);
        QCOMPARE(scan->total, scan->drops + scan->spikes);

        auto milestones = m_service->detectMilestones();
        CHECK_OK(milestones);
        QVERIFY(milestones->writtenByKey.value(u"first_usage"_s) > 0);
        // first_usage is exactly each customer's first event.
        QCOMPARE(
            count(db(),
                u"SELECT COUNT(*) FROM adoption_milestones m WHERE m.milestone_key = 'first_usage' AND m.achieved_at "
                "<> (SELECT MIN(e.occurred_at) FROM usage_events e WHERE e.customer_id = m.customer_id)"_s),
            0);
        QCOMPARE(m_service->detectMilestones()->written, 0);

        auto rules = m_service->evaluateRules({}, 200);
        CHECK_OK(rules);
        QCOMPARE(rules->customersEvaluated, count(db(), u"SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL"_s));
        for (const Core::LifecycleProposal &p : rules->items) {
            auto facts = m_service->lifecycleFacts(p.customerId);
            CHECK_OK(facts);
            QVERIFY(Core::LifecycleRules::check(*Core::LifecycleRules::find(p.rule), *facts).holds);
        }
    }
};

QTEST_GUILESS_MAIN(TestEngagementService)
#include "tst_engagementservice.moc"
