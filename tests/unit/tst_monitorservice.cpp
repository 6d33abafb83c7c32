// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// MonitorService: the seven monitors against hand-made data, the SLA and seat formulas, alert deduplication and
// cooldowns, the database lease that keeps two runs (or two app instances) from running a monitor at once, the
// schedule (runDue, MonitorScheduler), on an empty database and on a generated demo portfolio. Built twice: SQLite
// (label unit) and PostgreSQL (label pg).
#include <cmath>
#include <memory>

#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "demoportfolio.h"
#include "monitorservice.h"
#include "playbookservice.h"
#include "sql.h"
#include "tables_operations.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using namespace Domain;
using Core::ErrorCode;

namespace {

class TestClock final : public Core::Clock
{
public:
    QDateTime now() const override { return m_now; }
    void set(const QDateTime &now) { m_now = now.toUTC(); }
    void advanceSecs(qint64 secs) { m_now = m_now.addSecs(secs); }
    void advanceDays(int days) { m_now = m_now.addDays(days); }

private:
    QDateTime m_now;
};

const QDate Today(2026, 6, 15);
const QDateTime Now(Today, QTime(12, 0), QTimeZone::utc());

#define CHECK_OK(expr)                                                                                                 \
    do {                                                                                                               \
        const auto &result_ = (expr);                                                                                  \
        QVERIFY2(result_.ok(), result_.ok() ? "" : qPrintable(result_.error().toString()));                            \
    } while (false)

QStringList keysOf(const QList<Core::MonitorFinding> &findings)
{
    QStringList keys;
    for (const auto &f : findings)
        keys << f.dedupeKey;
    keys.sort();
    return keys;
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

} // namespace

class TestMonitorService final : public QObject
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

    qint64 insertId(const QString &statement, const QVariantList &bindings)
    {
        auto r = Storage::exec(db(), statement + u" RETURNING id"_s, bindings);
        if (!r || !r->next()) {
            qWarning() << (r ? u"no id"_s : r.error().toString()) << statement;
            return 0;
        }
        return r->value(0).toLongLong();
    }

    void customer(const QString &id, const QString &status = u"active"_s)
    {
        sql(u"INSERT INTO customers (id, name, status, churned_at) VALUES (?, ?, ?, ?)"_s,
            { id, u"%1 Corp"_s.arg(id), status,
                Storage::Convert::toSql(status == u"churned"_s ? Today.addDays(-5) : QDate()) });
    }

    void prediction(const QString &customerId, double p, const QDateTime &when)
    {
        sql(u"INSERT INTO churn_predictions (customer_id, model_version, probability, risk_level, predicted_at) VALUES "
            "(?, 2, ?, 'high', ?)"_s,
            { customerId, p, Storage::Convert::toSql(when) });
    }

    qint64 ticket(const QString &customerId, const QString &priority, const QDateTime &opened,
        const QDateTime &responseDue = {}, const QDateTime &resolutionDue = {}, const QDateTime &firstResponse = {},
        const QString &status = u"open"_s)
    {
        return insertId(
            u"INSERT INTO support_tickets (customer_id, subject, priority, status, opened_at, "
            "first_response_due_at, resolution_due_at, first_response_at) VALUES (?, 'Broken', ?, ?, ?, ?, ?, ?)"_s,
            { customerId, priority, status, Storage::Convert::toSql(opened), Storage::Convert::toSql(responseDue),
                Storage::Convert::toSql(resolutionDue), Storage::Convert::toSql(firstResponse) });
    }

    Core::MonitorService &service()
    {
        if (!m_service)
            m_service = std::make_unique<Core::MonitorService>(db(), m_clock);
        return *m_service;
    }
    std::unique_ptr<Core::MonitorService> m_service;

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
        m_service.reset();
        for (const QString &table : { u"alerts"_s, u"monitors"_s, u"customers"_s, u"sla_policies"_s })
            sql(u"DELETE FROM "_s + table);
    }

    void cleanupTestCase()
    {
        m_service.reset();
        m_fixture.reset();
    }

    // ---- pure formulas ------------------------------------------------------------------------------------------

    void seatUtilisation_data()
    {
        QTest::addColumn<qint64>("used");
        QTest::addColumn<qint64>("purchased");
        QTest::addColumn<double>("expected"); // -1 = none
        QTest::addRow("90 percent") << qint64(90) << qint64(100) << 0.9;
        QTest::addRow("over-used") << qint64(120) << qint64(100) << 1.2;
        QTest::addRow("none used") << qint64(0) << qint64(50) << 0.0;
        QTest::addRow("nothing purchased") << qint64(10) << qint64(0) << -1.0;
    }
    void seatUtilisation()
    {
        QFETCH(qint64, used);
        QFETCH(qint64, purchased);
        QFETCH(double, expected);
        const auto u = Core::seatUtilisation(used, purchased);
        QCOMPARE(u.has_value(), expected >= 0);
        if (u)
            QCOMPARE(*u, expected);
    }

    void configValidation_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QVariantMap>("config");
        QTest::addColumn<QString>("errorField");
        QTest::addRow("churn defaults") << u"churn_risk"_s << QVariantMap() << QString();
        QTest::addRow("threshold 1.5") << u"churn_risk"_s << QVariantMap { { u"threshold"_s, 1.5 } }
                                       << u"config.threshold"_s;
        QTest::addRow("critical below threshold")
            << u"churn_risk"_s << QVariantMap { { u"threshold"_s, 0.6 }, { u"critical_threshold"_s, 0.5 } }
            << u"config.critical_threshold"_s;
        QTest::addRow("unknown") << u"sla"_s << QVariantMap { { u"breach_ratio"_s, 0.8 } } << u"config.breach_ratio"_s;
        QTest::addRow("usage rule keys") << u"usage_drop"_s
                                         << QVariantMap { { u"decline_percent"_s, 40 }, { u"metric"_s, u"events"_s } }
                                         << QString();
        QTest::addRow("usage bad metric")
            << u"usage_drop"_s << QVariantMap { { u"metric"_s, u"seats"_s } } << u"config.metric"_s;
        QTest::addRow("csat 5") << u"satisfaction"_s << QVariantMap { { u"max_csat"_s, 5 } } << u"config.max_csat"_s;
        QTest::addRow("renewal window") << u"renewal"_s << QVariantMap { { u"at_risk_within_days"_s, 90 } }
                                        << QString();
    }
    void configValidation()
    {
        QFETCH(QString, kind);
        QFETCH(QVariantMap, config);
        QFETCH(QString, errorField);
        auto normalized = Core::Monitors::normalizeConfig(*Domain::enumFromString<MonitorKind>(kind), config);
        QCOMPARE(normalized.ok(), errorField.isEmpty());
        if (!normalized)
            QCOMPARE(normalized.error().field, errorField);
    }

    void definitions()
    {
        const auto all = Core::Monitors::definitions();
        QCOMPARE(all.size(), 7);
        for (const auto &d : all) {
            QVERIFY(!d.name.isEmpty());
            QVERIFY(!d.description.isEmpty());
            auto normalized = Core::Monitors::normalizeConfig(d.kind, d.defaultConfig);
            CHECK_OK(normalized);
            QCOMPARE(*normalized, d.defaultConfig);
        }
    }

    // ---- setup, schedule and lease -------------------------------------------------------------------------------

    void emptyDatabase()
    {
        auto created = service().ensureDefaultMonitors();
        CHECK_OK(created);
        QCOMPARE(created->size(), 7);
        CHECK_OK(service().ensureDefaultMonitors()); // idempotent
        QCOMPARE(count(u"SELECT COUNT(*) FROM monitors"_s), 7);
        auto ran = service().runDue();
        CHECK_OK(ran);
        QCOMPARE(ran->size(), 7); // all due at once
        for (const auto &r : *ran) {
            QCOMPARE(r.run.status, MonitorRunStatus::Succeeded);
            QCOMPARE(r.run.customersChecked, 0);
            QCOMPARE(r.run.alertsRaised, 0);
        }
        auto statuses = service().monitors();
        CHECK_OK(statuses);
        for (const auto &s : *statuses) {
            QCOMPARE(s.monitor.lastStatus, MonitorOutcome::Succeeded);
            QVERIFY(!s.running);
            QVERIFY(s.lastRun.has_value());
            QCOMPARE(s.monitor.nextRunAt, Now.addSecs(60LL * s.monitor.scheduleMinutes));
        }
        auto again = service().runDue();
        CHECK_OK(again);
        QCOMPARE(again->size(), 0); // nothing due until each schedule has passed
        m_clock.advanceSecs(16 * 60);
        auto sla = service().runDue();
        CHECK_OK(sla);
        QCOMPARE(sla->size(), 1); // the SLA monitor runs every 15 minutes
        QCOMPARE(sla->first().kind, MonitorKind::Sla);
    }

    void configure()
    {
        CHECK_OK(service().ensureDefaultMonitors());
        CHECK_OK(service().runNow(MonitorKind::ChurnRisk));
        Core::MonitorSettings settings;
        settings.scheduleMinutes = 30;
        settings.config = QVariantMap { { u"threshold"_s, 0.7 } };
        auto changed = service().configure(MonitorKind::ChurnRisk, settings);
        CHECK_OK(changed);
        QCOMPARE(changed->scheduleMinutes, 30);
        QCOMPARE(changed->nextRunAt, Now.addSecs(30 * 60)); // last run + new schedule
        QCOMPARE(changed->config.value(u"threshold"_s).toDouble(), 0.7);
        auto status = service().monitor(MonitorKind::ChurnRisk);
        CHECK_OK(status);
        QCOMPARE(status->effectiveConfig.value(u"critical_threshold"_s).toDouble(), 0.75);

        Core::MonitorSettings bad;
        bad.config = QVariantMap { { u"critical_threshold"_s, 0.5 } }; // below the stored 0.7
        auto refused = service().configure(MonitorKind::ChurnRisk, bad);
        QVERIFY(!refused);
        QCOMPARE(refused.error().field, u"config.critical_threshold"_s);
        Core::MonitorSettings schedule;
        schedule.scheduleMinutes = 0;
        QCOMPARE(service().configure(MonitorKind::ChurnRisk, schedule).error().field, u"schedule_minutes"_s);

        Core::MonitorSettings off;
        off.enabled = false;
        CHECK_OK(service().configure(MonitorKind::Sla, off));
        auto due = service().runDue();
        CHECK_OK(due);
        for (const auto &r : *due)
            QVERIFY(r.kind != MonitorKind::Sla);
        CHECK_OK(service().runNow(MonitorKind::Sla)); // a disabled monitor can still be run by hand

        sql(u"DELETE FROM monitors WHERE kind = 'upsell'"_s);
        auto missing = service().runNow(MonitorKind::Upsell);
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        QCOMPARE(missing.error().field, u"kind"_s);
    }

    void leaseKeepsRunsApart()
    {
        CHECK_OK(service().ensureDefaultMonitors());
        // Another instance took the lease a minute ago (as its UPDATE would).
        sql(u"UPDATE monitors SET running_since = ? WHERE kind = 'churn_risk'"_s,
            { Storage::Convert::toSql(Now.addSecs(-60)) });
        auto busy = service().runNow(MonitorKind::ChurnRisk);
        QVERIFY(!busy);
        QCOMPARE(busy.error().code, ErrorCode::Conflict);
        QCOMPARE(busy.error().field, u"kind"_s);
        auto status = service().monitor(MonitorKind::ChurnRisk);
        CHECK_OK(status);
        QVERIFY(status->running);
        auto due = service().runDue();
        CHECK_OK(due);
        QCOMPARE(due->size(), 6); // the leased monitor is skipped, not run twice
        QCOMPARE(count(u"SELECT COUNT(*) FROM monitor_runs r JOIN monitors m ON m.id = r.monitor_id WHERE "
                       "m.kind = 'churn_risk'"_s),
            0);

        // A second app instance on the same database (its own connection) sees the same lease.
        auto other = m_fixture->openAgain();
        QVERIFY(other);
        Core::MonitorService otherService(*other, m_clock);
        QCOMPARE(otherService.runNow(MonitorKind::ChurnRisk).error().code, ErrorCode::Conflict);

        // A lease older than kLeaseStaleMinutes belongs to a crashed run and is taken over.
        m_clock.advanceSecs(60LL * Core::MonitorService::kLeaseStaleMinutes);
        auto taken = service().runNow(MonitorKind::ChurnRisk);
        CHECK_OK(taken);
        QCOMPARE(taken->run.status, MonitorRunStatus::Succeeded);
        auto released = service().monitor(MonitorKind::ChurnRisk);
        CHECK_OK(released);
        QVERIFY(!released->running);
        QVERIFY(!released->monitor.runningSince.isValid());
        // After a run the lease is free again: the other instance may run it.
        CHECK_OK(otherService.runNow(MonitorKind::ChurnRisk));
    }

    void failedRunsAreRecordedAndReleaseTheLease()
    {
        customer(u"F1"_s);
        prediction(u"F1"_s, 0.9, Now.addDays(-1));
        CHECK_OK(service().ensureDefaultMonitors());
        // A config that no longer validates (written around the service) fails the run before any query.
        sql(u"UPDATE monitors SET config = ? WHERE kind = 'churn_risk'"_s,
            { Storage::Convert::toSql(QVariantMap { { u"threshold"_s, 5 } }) });
        auto bad = service().runNow(MonitorKind::ChurnRisk);
        CHECK_OK(bad); // the run happened and is recorded as failed
        QCOMPARE(bad->run.status, MonitorRunStatus::Failed);
        QVERIFY(bad->run.error.contains(u"config.threshold"_s));
        auto status = service().monitor(MonitorKind::ChurnRisk);
        CHECK_OK(status);
        QCOMPARE(status->monitor.lastStatus, MonitorOutcome::Failed);
        QVERIFY(!status->running);
        QCOMPARE(status->monitor.nextRunAt, Now.addSecs(60LL * status->monitor.scheduleMinutes));
        sql(u"UPDATE monitors SET config = ? WHERE kind = 'churn_risk'"_s, { Storage::Convert::toSql(QVariantMap()) });

        // A failure inside the alert transaction (the table is missing for a moment): nothing half-written, the
        // failure recorded outside the rolled-back transaction, the lease released.
        sql(u"ALTER TABLE alerts RENAME TO alerts_away"_s);
        auto broken = service().runNow(MonitorKind::ChurnRisk);
        sql(u"ALTER TABLE alerts_away RENAME TO alerts"_s);
        CHECK_OK(broken);
        QCOMPARE(broken->run.status, MonitorRunStatus::Failed);
        QVERIFY(broken->alertIds.isEmpty());
        QVERIFY(!service().monitor(MonitorKind::ChurnRisk)->running);
        auto fine = service().runNow(MonitorKind::ChurnRisk);
        CHECK_OK(fine);
        QCOMPARE(fine->run.status, MonitorRunStatus::Succeeded);
        QCOMPARE(fine->alertIds.size(), 1);
    }

    // ---- what the monitors find -----------------------------------------------------------------------------------

    void churnRiskAndCooldown()
    {
        for (const QString &id : { u"C1"_s, u"C2"_s, u"C3"_s, u"C5"_s, u"C6"_s })
            customer(id);
        customer(u"C4"_s, u"churned"_s);
        prediction(u"C1"_s, 0.8, Now.addDays(-1)); // critical
        prediction(u"C2"_s, 0.5, Now.addDays(-1)); // boundary: warning
        prediction(u"C3"_s, 0.49, Now.addDays(-1)); // below
        prediction(u"C4"_s, 0.9, Now.addDays(-1)); // churned
        prediction(u"C5"_s, 0.9, Now.addDays(-40)); // stale
        prediction(u"C6"_s, 0.9, Now.addDays(-3)); // superseded by a newer, lower one
        prediction(u"C6"_s, 0.2, Now.addDays(-1));
        CHECK_OK(service().ensureDefaultMonitors());
        QSignalSpy raised(&service(), &Core::MonitorService::alertRaised);
        auto run = service().runNow(MonitorKind::ChurnRisk);
        CHECK_OK(run);
        QCOMPARE(run->alertIds.size(), 2);
        QCOMPARE(raised.count(), 2);
        QCOMPARE(run->run.customersChecked, 5);
        QCOMPARE(run->run.alertsRaised, 2);
        QCOMPARE(run->run.triggeredBy, MonitorTrigger::Manual);
        auto c1 = service().alerts({ {}, false, MonitorKind::ChurnRisk, u"C1"_s, {}, 25, {} });
        CHECK_OK(c1);
        QCOMPARE(c1->items.size(), 1);
        QCOMPARE(c1->items.first().severity, AlertSeverity::Critical);
        QCOMPARE(c1->items.first().dedupeKey, u"churn_risk:C1"_s);
        QCOMPARE(c1->items.first().detail.value(u"probability"_s).toDouble(), 0.8);
        auto c2 = service().alerts({ {}, false, {}, u"C2"_s, {}, 25, {} });
        CHECK_OK(c2);
        QCOMPARE(c2->items.first().severity, AlertSeverity::Warning);

        // An open alert is not raised again.
        auto second = service().runNow(MonitorKind::ChurnRisk);
        CHECK_OK(second);
        QCOMPARE(second->alertIds.size(), 0);
        QCOMPARE(second->suppressed, 2);

        // Acknowledged is still unresolved; resolved stays quiet for the cooldown, then comes back.
        CHECK_OK(service().acknowledge(c1->items.first().id, u"dana"_s));
        auto resolved = service().resolve(c1->items.first().id, u"dana"_s);
        CHECK_OK(resolved);
        QCOMPARE(resolved->status, AlertStatus::Resolved);
        QCOMPARE(resolved->resolvedBy, u"dana"_s);
        QVERIFY(!service().resolve(c1->items.first().id, u"dana"_s));
        m_clock.advanceDays(6);
        QCOMPARE(service().runNow(MonitorKind::ChurnRisk)->alertIds.size(), 0);
        m_clock.advanceDays(2); // 8 days after the resolution
        auto back = service().runNow(MonitorKind::ChurnRisk);
        CHECK_OK(back);
        QCOMPARE(back->alertIds.size(), 1);
        auto open = service().alerts({});
        CHECK_OK(open);
        QCOMPARE(open->total, 2);
        auto everything = service().alerts({ {}, true, {}, {}, {}, 25, {} });
        CHECK_OK(everything);
        QCOMPARE(everything->total, 3);
        auto runs = service().runs(MonitorKind::ChurnRisk);
        CHECK_OK(runs);
        QCOMPARE(runs->total, 4);
    }

    void usageDropSharesTheTriggerRule()
    {
        customer(u"U1"_s);
        customer(u"U2"_s);
        const QDate recentFrom = Today.addDays(-13);
        for (QDate d = recentFrom.addDays(-28); d <= Today; d = d.addDays(1)) {
            const bool recent = d >= recentFrom;
            sql(u"INSERT INTO usage_daily (customer_id, day, feature, events, active_users) VALUES (?, ?, '', ?, 3)"_s,
                { u"U1"_s, Storage::Convert::toSql(d), recent ? 3 : 10 }); // −70 %: critical (≥ 60)
            sql(u"INSERT INTO usage_daily (customer_id, day, feature, events, active_users) VALUES (?, ?, '', ?, 3)"_s,
                { u"U2"_s, Storage::Convert::toSql(d), recent ? 6 : 10 }); // −40 %: warning
        }
        CHECK_OK(service().ensureDefaultMonitors());
        auto findings = service().findings(MonitorKind::UsageDrop);
        CHECK_OK(findings);
        auto trigger = Core::RiskSignals::usageDecline(db(), Now, {});
        CHECK_OK(trigger);
        QCOMPARE(findings->size(), trigger->size());
        QCOMPARE(findings->size(), 2);
        QCOMPARE(findings->at(0).severity, AlertSeverity::Critical);
        QCOMPARE(findings->at(1).severity, AlertSeverity::Warning);
        QCOMPARE(findings->at(0).detail.value(u"events_decline_percent"_s).toDouble(), 70.0);
        Core::MonitorSettings settings;
        settings.config = QVariantMap { { u"decline_percent"_s, 50 } };
        CHECK_OK(service().configure(MonitorKind::UsageDrop, settings));
        auto run = service().runNow(MonitorKind::UsageDrop);
        CHECK_OK(run);
        QCOMPARE(run->alertIds.size(), 1);
    }

    void onboarding()
    {
        customer(u"O1"_s);
        customer(u"O2"_s);
        customer(u"O3"_s);
        const qint64 p1 = insertId(
            u"INSERT INTO onboarding_plans (customer_id, name, status, started_on) VALUES (?, 'Go', 'in_progress', ?)"_s,
            { u"O1"_s, Storage::Convert::toSql(Today.addDays(-40)) });
        sql(u"INSERT INTO onboarding_milestones (plan_id, name, status, due_date) VALUES (?, 'SSO', 'pending', ?)"_s,
            { p1, Storage::Convert::toSql(Today.addDays(-20)) }); // 20 days overdue: critical
        const qint64 p2 = insertId(
            u"INSERT INTO onboarding_plans (customer_id, name, status, started_on) VALUES (?, 'Go', 'stalled', ?)"_s,
            { u"O2"_s, Storage::Convert::toSql(Today.addDays(-5)) });
        sql(u"INSERT INTO onboarding_milestones (plan_id, name, status, due_date) VALUES (?, 'Data', 'pending', ?)"_s,
            { p2, Storage::Convert::toSql(Today.addDays(10)) });
        const qint64 p3 = insertId(
            u"INSERT INTO onboarding_plans (customer_id, name, status, started_on) VALUES (?, 'Go', 'in_progress', ?)"_s,
            { u"O3"_s, Storage::Convert::toSql(Today.addDays(-30)) });
        sql(u"INSERT INTO onboarding_milestones (plan_id, name, status, due_date, completed_at) VALUES (?, 'Kick-off', 'completed', ?, ?)"_s,
            { p3, Storage::Convert::toSql(Today.addDays(-10)), Storage::Convert::toSql(Now.addDays(-10)) });
        sql(u"INSERT INTO onboarding_milestones (plan_id, name, status, due_date) VALUES (?, 'Rollout', 'pending', ?)"_s,
            { p3, Storage::Convert::toSql(Today.addDays(20)) }); // progress 10 days ago: not stalled
        CHECK_OK(service().ensureDefaultMonitors());
        auto findings = service().findings(MonitorKind::Onboarding);
        CHECK_OK(findings);
        QCOMPARE(keysOf(*findings),
            sorted({ u"onboarding:overdue:O1"_s, u"onboarding:stalled:%1"_s.arg(p1),
                u"onboarding:stalled:%1"_s.arg(p2) }));
        for (const auto &f : *findings) {
            if (f.kind == u"overdue_milestone"_s)
                QCOMPARE(f.severity, AlertSeverity::Critical);
        }
        m_clock.advanceDays(5); // O3's last progress is now 15 days ago
        auto later = service().findings(MonitorKind::Onboarding);
        CHECK_OK(later);
        QVERIFY(keysOf(*later).contains(u"onboarding:stalled:%1"_s.arg(p3)));
    }

    void satisfactionOncePerAnswer()
    {
        customer(u"S1"_s);
        customer(u"S2"_s);
        sql(u"INSERT INTO survey_responses (customer_id, kind, score, responded_at) VALUES ('S1', 'nps', 5, ?)"_s,
            { Storage::Convert::toSql(Now.addDays(-2)) });
        sql(u"INSERT INTO survey_responses (customer_id, kind, score, responded_at) VALUES ('S1', 'nps', 8, ?)"_s,
            { Storage::Convert::toSql(Now.addDays(-1)) });
        sql(u"INSERT INTO survey_responses (customer_id, kind, score, responded_at) VALUES ('S2', 'csat', 2, ?)"_s,
            { Storage::Convert::toSql(Now.addDays(-1)) });
        sql(u"INSERT INTO survey_responses (customer_id, kind, score, responded_at) VALUES ('S2', 'csat', 3, ?)"_s,
            { Storage::Convert::toSql(Now.addDays(-1)) });
        sql(u"INSERT INTO survey_responses (customer_id, kind, score, responded_at) VALUES ('S2', 'nps', 2, ?)"_s,
            { Storage::Convert::toSql(Now.addDays(-9)) }); // outside the 7-day lookback
        const qint64 rated
            = insertId(u"INSERT INTO support_tickets (customer_id, subject, status, opened_at, resolved_at, csat) "
                       "VALUES ('S2', 'Slow export', 'solved', ?, ?, 1)"_s,
                { Storage::Convert::toSql(Now.addDays(-4)), Storage::Convert::toSql(Now.addDays(-3)) });
        CHECK_OK(service().ensureDefaultMonitors());
        auto run = service().runNow(MonitorKind::Satisfaction);
        CHECK_OK(run);
        QCOMPARE(run->alertIds.size(), 3); // S1's detractor, S2's CSAT 2, S2's ticket rated 1
        auto alerts = service().alerts({});
        CHECK_OK(alerts);
        QSet<QString> kinds;
        for (const auto &a : alerts->items) {
            kinds.insert(a.kind);
            CHECK_OK(service().resolve(a.id, u"dana"_s));
        }
        QCOMPARE(kinds, QSet<QString>({ u"nps_detractor"_s, u"low_csat"_s, u"low_ticket_csat"_s }));
        QCOMPARE(count(u"SELECT COUNT(*) FROM alerts WHERE dedupe_key = ?"_s,
                     { u"satisfaction:ticket_csat:%1"_s.arg(rated) }),
            1);
        m_clock.advanceDays(1);
        auto again = service().runNow(MonitorKind::Satisfaction);
        CHECK_OK(again);
        QCOMPARE(again->alertIds.size(), 0); // an answer is an event: one alert, ever
    }

    // The SLA monitor reads the clocks as SupportService does (SupportFormulas: tst_supportsla holds the formulas
    // and their edge cases) and turns breached and at-risk clocks into alerts, each once.
    void sla()
    {
        customer(u"T"_s);
        customer(u"Gone"_s, u"churned"_s);
        sql(u"INSERT INTO sla_policies (priority, first_response_minutes, resolution_minutes, at_risk_ratio) VALUES ('p1', 60, 600, 0.8)"_s);
        sql(u"INSERT INTO sla_policies (priority, first_response_minutes, resolution_minutes, at_risk_ratio) VALUES ('p3', 100, 1000, 0.5)"_s);
        // No policy for p2, due times stamped (the policy was removed later): the default ratio 0.8. 50 of 60
        // minutes elapsed, 0.83 > 0.8 → at risk.
        const qint64 atRisk = ticket(u"T"_s, u"p2"_s, Now.addSecs(-50 * 60), Now.addSecs(10 * 60), Now.addDays(1));
        // p1, opened 2 h ago, response due after 60 minutes, no answer → breached; resolution 120/600 → on track.
        const qint64 breached
            = ticket(u"T"_s, u"p1"_s, Now.addSecs(-2 * 3600), Now.addSecs(-3600), Now.addSecs(8 * 3600));
        // p3's own ratio 0.5: 55 of 100 minutes → at risk, where 0.8 would not be.
        const qint64 ownRatio
            = ticket(u"T"_s, u"p3"_s, Now.addSecs(-55 * 60), Now.addSecs(45 * 60), Now.addSecs(945 * 60));
        // Answered on time, resolution far away.
        ticket(u"T"_s, u"p1"_s, Now.addSecs(-2 * 3600), Now.addSecs(-3600), Now.addSecs(8 * 3600),
            Now.addSecs(-2 * 3600 + 30 * 60));
        // Stored without due times (opened before p1 had a policy): no target, as SupportService sees it.
        ticket(u"T"_s, u"p1"_s, Now.addDays(-30));
        // Solved tickets, and the tickets of churned customers, are not watched.
        ticket(u"T"_s, u"p1"_s, Now.addDays(-3), Now.addDays(-3), Now.addDays(-2), {}, u"solved"_s);
        ticket(u"Gone"_s, u"p1"_s, Now.addSecs(-2 * 3600), Now.addSecs(-3600), Now.addSecs(8 * 3600));
        CHECK_OK(service().ensureDefaultMonitors());
        auto findings = service().findings(MonitorKind::Sla);
        CHECK_OK(findings);
        QCOMPARE(keysOf(*findings),
            sorted({ u"sla:%1:first_response:breached"_s.arg(breached), u"sla:%1:first_response:at_risk"_s.arg(atRisk),
                u"sla:%1:first_response:at_risk"_s.arg(ownRatio) }));
        bool sawBreached = false;
        for (const auto &f : *findings) {
            QCOMPARE(f.severity, f.kind == u"sla_breached"_s ? AlertSeverity::Critical : AlertSeverity::Warning);
            QVERIFY(f.oncePerKey);
            QCOMPARE(f.customerId, u"T"_s);
            if (f.detail.value(u"ticket_id"_s).toLongLong() != breached)
                continue;
            sawBreached = true;
            QCOMPARE(f.title, u"SLA breached (first response) on p1 ticket #%1 of T Corp: Broken"_s.arg(breached));
            QCOMPARE(f.detail.value(u"due_at"_s).toString(), u"2026-06-15T11:00:00.000Z"_s);
            QCOMPARE(f.detail.value(u"opened_at"_s).toString(), u"2026-06-15T10:00:00.000Z"_s);
            QCOMPARE(f.detail.value(u"elapsed_share"_s).toDouble(), 2.0);
            QCOMPARE(f.detail.value(u"minutes_left"_s).toLongLong(), -60);
            QCOMPARE(f.detail.value(u"business_hours"_s).toBool(), false);
        }
        QVERIFY(sawBreached);
        auto run = service().runNow(MonitorKind::Sla);
        CHECK_OK(run);
        QCOMPARE(run->alertIds.size(), 3);
        m_clock.advanceSecs(11 * 60); // the p2 ticket is now breached: a new alert, the old ones stay
        auto later = service().runNow(MonitorKind::Sla);
        CHECK_OK(later);
        QCOMPARE(later->alertIds.size(), 1);
        QCOMPARE(service().alert(later->alertIds.first())->dedupeKey, u"sla:%1:first_response:breached"_s.arg(atRisk));
    }

    // The monitor's own at-risk ratio is gone (the policies hold it): a stored config that still has it runs, and
    // the next configure() drops it; setting it is refused with a pointer to where it lives now.
    void slaMonitorRetiredRatio()
    {
        CHECK_OK(service().ensureDefaultMonitors());
        sql(u"UPDATE monitors SET config = '{\"at_risk_ratio\": 0.7}' WHERE kind = 'sla'"_s);
        CHECK_OK(service().findings(MonitorKind::Sla));
        Core::MonitorSettings set;
        set.config = QVariantMap { { u"at_risk_ratio"_s, 0.5 } };
        auto refused = service().configure(MonitorKind::Sla, set);
        QVERIFY(!refused);
        QCOMPARE(refused.error().field, u"config.at_risk_ratio"_s);
        QVERIFY(refused.error().message.contains(u"manage_sla"_s));
        Core::MonitorSettings schedule;
        schedule.scheduleMinutes = 30;
        auto changed = service().configure(MonitorKind::Sla, schedule);
        CHECK_OK(changed);
        QVERIFY(!changed->config.contains(u"at_risk_ratio"_s));
    }

    void slaOfATicketWaitingOnTheCustomer_data()
    {
        QTest::addColumn<QString>("status");
        QTest::addColumn<bool>("resolutionBreached");
        QTest::addRow("open") << u"open"_s << true;
        QTest::addRow("pending") << u"pending"_s << false;
        QTest::addRow("on hold") << u"on_hold"_s << false;
    }

    // A ticket waiting on the customer (pending, on hold) has its resolution clock paused (an open row in
    // ticket_sla_pauses, resolution_due_at empty): it is not judged on resolution, however long it waits.
    void slaOfATicketWaitingOnTheCustomer()
    {
        QFETCH(QString, status);
        QFETCH(bool, resolutionBreached);
        customer(u"W"_s);
        sql(u"INSERT INTO sla_policies (priority, first_response_minutes, resolution_minutes, at_risk_ratio) VALUES ('p1', 60, 600, 0.8)"_s);
        // Opened 20 h ago (resolution target 10 h), answered after 30 minutes.
        const bool waiting = status != u"open"_s;
        const qint64 id = ticket(u"W"_s, u"p1"_s, Now.addSecs(-20 * 3600), Now.addSecs(-19 * 3600),
            waiting ? QDateTime() : Now.addSecs(-10 * 3600), Now.addSecs(-20 * 3600 + 30 * 60), status);
        if (waiting)
            sql(u"INSERT INTO ticket_sla_pauses (ticket_id, status, started_at) VALUES (?, ?, ?)"_s,
                { id, status, Storage::Convert::toSql(Now.addSecs(-20 * 3600 + 30 * 60)) });
        auto findings = service().findings(MonitorKind::Sla);
        CHECK_OK(findings);
        QCOMPARE(keysOf(*findings),
            resolutionBreached ? QStringList { u"sla:%1:resolution:breached"_s.arg(id) } : QStringList {});
    }

    void upsell()
    {
        customer(u"X1"_s);
        customer(u"X2"_s);
        customer(u"X3"_s);
        const qint64 hot
            = insertId(u"INSERT INTO expansion_opportunities (customer_id, kind, product, estimated_arr, score, stage) "
                       "VALUES ('X1', 'upsell', 'Analytics', 5000, 80, 'qualified')"_s,
                {});
        sql(u"INSERT INTO expansion_opportunities (customer_id, kind, product, estimated_arr, score, stage) VALUES "
            "('X1', 'cross_sell', 'API', 2000, 60, 'identified')"_s);
        sql(u"INSERT INTO expansion_opportunities (customer_id, kind, product, estimated_arr, score, stage, closed_on) "
            u"VALUES "
            "('X2', 'upsell', 'Seats', 2000, 95, 'won', ?)"_s,
            { Storage::Convert::toSql(Today.addDays(-3)) });
        sql(u"INSERT INTO contracts (customer_id, start_date, end_date, seats_purchased, seats_used, status) VALUES "
            "('X2', ?, ?, 100, 90, 'active')"_s,
            { Storage::Convert::toSql(Today.addDays(-100)), Storage::Convert::toSql(Today.addDays(200)) });
        sql(u"INSERT INTO contracts (customer_id, start_date, end_date, seats_purchased, seats_used, status) VALUES "
            "('X3', ?, ?, 100, 89, 'active')"_s,
            { Storage::Convert::toSql(Today.addDays(-100)), Storage::Convert::toSql(Today.addDays(200)) });
        CHECK_OK(service().ensureDefaultMonitors());
        auto findings = service().findings(MonitorKind::Upsell);
        CHECK_OK(findings);
        QCOMPARE(keysOf(*findings), sorted({ u"upsell:opportunity:%1"_s.arg(hot), u"upsell:seats:X2"_s }));
        for (const auto &f : *findings)
            QCOMPARE(f.severity, AlertSeverity::Info);
    }

    void renewal()
    {
        for (const QString &id : { u"R1"_s, u"R2"_s, u"R3"_s, u"R4"_s, u"R5"_s })
            customer(id);
        auto renewal = [&](const QString &customerId, int inDays, const QVariant &p, bool done180, bool done90,
                           const QString &stage = u"upcoming"_s) {
            return insertId(u"INSERT INTO renewals (customer_id, renewal_date, arr_current, probability, stage, "
                            "checkpoint_180_done, checkpoint_90_done) VALUES (?, ?, 10000, ?, ?, ?, ?)"_s,
                { customerId, Storage::Convert::toSql(Today.addDays(inDays)), p, stage, done180, done90 });
        };
        const qint64 r1 = renewal(u"R1"_s, 60, 0.9, true, false); // T−90 checkpoint due
        const qint64 r2 = renewal(u"R2"_s, 150, 0.9, false, false); // T−180 checkpoint due
        renewal(u"R3"_s, 150, 0.9, true, false); // T−180 done, T−90 not yet due
        const qint64 r4 = renewal(u"R4"_s, 100, 0.3, true, false); // at risk by probability
        renewal(u"R5"_s, 30, 0.1, true, true, u"renewed"_s); // closed
        CHECK_OK(service().ensureDefaultMonitors());
        auto findings = service().findings(MonitorKind::Renewal);
        CHECK_OK(findings);
        QCOMPARE(keysOf(*findings),
            sorted({ u"renewal:%1:t90"_s.arg(r1), u"renewal:%1:t180"_s.arg(r2), u"renewal:%1:at_risk"_s.arg(r4) }));
        sql(u"INSERT INTO health_scores (customer_id, score_date, score, band, config_version) VALUES ('R3', ?, 30, 'red', 1)"_s,
            { Storage::Convert::toSql(Today.addDays(-2)) });
        auto withRed = service().findings(MonitorKind::Renewal);
        CHECK_OK(withRed);
        QCOMPARE(withRed->size(), 4); // R3 is at risk now: its health is red
    }

    void scheduler()
    {
        CHECK_OK(service().ensureDefaultMonitors());
        Core::MonitorScheduler scheduler(service(), 50);
        QSignalSpy finished(&scheduler, &Core::MonitorScheduler::tickFinished);
        scheduler.start(); // the first round runs at once
        QVERIFY(scheduler.isActive());
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(0).toInt(), 7);
        QVERIFY(finished.wait(2000)); // the timer's next round: nothing is due any more
        QCOMPARE(finished.last().at(0).toInt(), 0);
        scheduler.stop();
        QVERIFY(!scheduler.isActive());
        QCOMPARE(count(u"SELECT COUNT(*) FROM monitor_runs WHERE triggered_by = 'schedule'"_s), 7);
    }

    // ---- demo portfolio -------------------------------------------------------------------------------------------

    void demoPortfolio()
    {
        Core::DemoPortfolio::Options options;
        options.customers = 40;
        options.seed = 909;
        options.today = Today;
        options.usageEvents = 8000;
        options.replaceExisting = true;
        CHECK_OK(Core::DemoPortfolio(db(), options).generate());
        CHECK_OK(service().ensureDefaultMonitors());
        auto ran = service().runDue();
        CHECK_OK(ran);
        QCOMPARE(ran->size(), 7);
        const qint64 live = count(u"SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL AND status <> 'churned'"_s);
        int raised = 0;
        for (const auto &r : *ran) {
            QVERIFY2(r.run.status == MonitorRunStatus::Succeeded, qPrintable(r.run.error));
            QCOMPARE(qint64(r.run.customersChecked), live);
            raised += int(r.alertIds.size());
        }
        QVERIFY2(raised > 0, "the demo portfolio has tickets, renewals and surveys the monitors should flag");
        QCOMPARE(count(u"SELECT COUNT(*) FROM alerts"_s), raised);
        // Every alert is about a live, not churned customer, and no key is open twice.
        QCOMPARE(
            count(
                u"SELECT COUNT(*) FROM alerts a JOIN customers c ON c.id = a.customer_id WHERE c.status = 'churned'"_s),
            0);
        QCOMPARE(count(u"SELECT COUNT(DISTINCT dedupe_key) FROM alerts"_s), raised);
        // The usage-drop monitor found exactly the customers the playbook trigger finds.
        auto trigger = Core::RiskSignals::usageDecline(db(), Now, {});
        CHECK_OK(trigger);
        QCOMPARE(count(u"SELECT COUNT(*) FROM alerts WHERE kind = 'usage_drop'"_s), qint64(trigger->size()));
        // Renewal checkpoints: one alert per open renewal within 180 days that misses its checkpoint.
        const qint64 checkpoints
            = count(u"SELECT COUNT(*) FROM renewals r JOIN customers c ON c.id = r.customer_id WHERE "
                    "r.deleted_at IS NULL AND c.status <> 'churned' AND r.stage IN ('upcoming','in_progress') "
                    "AND ((r.renewal_date >= ? AND r.renewal_date <= ? AND NOT r.checkpoint_90_done) OR "
                    "(r.renewal_date > ? AND r.renewal_date <= ? AND NOT r.checkpoint_180_done))"_s,
                { Storage::Convert::toSql(Today), Storage::Convert::toSql(Today.addDays(90)),
                    Storage::Convert::toSql(Today.addDays(90)), Storage::Convert::toSql(Today.addDays(180)) });
        QCOMPARE(count(u"SELECT COUNT(*) FROM alerts WHERE kind = 'renewal_checkpoint'"_s), checkpoints);
        // A second round on the same data raises nothing new.
        for (const auto &d : Core::Monitors::definitions()) {
            auto again = service().runNow(d.kind);
            CHECK_OK(again);
            QCOMPARE(again->alertIds.size(), 0);
        }
    }
};

QTEST_GUILESS_MAIN(TestMonitorService)
#include "tst_monitorservice.moc"
