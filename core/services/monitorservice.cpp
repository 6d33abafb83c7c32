// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "monitorservice.h"

#include <algorithm>
#include <cmath>

#include <QHash>
#include <QLoggingCategory>
#include <QSqlRecord>
#include <QTimeZone>
#include <QTimer>

#include "playbookservice.h"
#include "supportservice.h"
#include "servicesupport.h"
#include "sql.h"
#include "tables_operations.h"
#include "transaction.h"

Q_LOGGING_CATEGORY(lcMonitors, "cs.services.monitors")

namespace Core {

using namespace Qt::StringLiterals;
using Domain::MonitorKind;

namespace {

constexpr double kEpsilon = 1e-9;

using ServiceSupport::dayOf;
using ServiceSupport::isoDay;
using ServiceSupport::sqlDay;
using ServiceSupport::sqlTime;
using ServiceSupport::timeOf;

bool boolOf(const QVariant &v)
{
    bool b = false;
    Storage::Convert::fromSql(v, b);
    return b;
}

QString isoTime(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QString percent(double share)
{
    return QString::number(share * 100, 'f', 0) + u" %"_s;
}

const QString kLiveCustomer = u"c.deleted_at IS NULL AND c.status <> 'churned'"_s;

QString kindName(MonitorKind kind)
{
    return Domain::enumName(kind);
}

} // namespace

// ---- definitions -------------------------------------------------------------------------------------------------

namespace Monitors {

namespace {

// Reads the keys of one monitor kind; the same function gives the defaults (from an empty config).
QVariantMap readConfig(MonitorKind kind, RiskSignals::ConfigReader &r)
{
    QVariantMap m;
    auto cooldown = [&] {
        m.insert(u"cooldown_days"_s, r.integer(u"cooldown_days"_s, MonitorService::kDefaultCooldownDays, 0, 365));
    };
    switch (kind) {
    case MonitorKind::ChurnRisk:
        m.insert(u"threshold"_s, r.number(u"threshold"_s, 0.5, 0, 1));
        m.insert(u"critical_threshold"_s, r.number(u"critical_threshold"_s, 0.75, 0, 1));
        m.insert(u"max_age_days"_s, r.integer(u"max_age_days"_s, 30, 1, 365));
        cooldown();
        break;
    case MonitorKind::UsageDrop: {
        RiskSignals::UsageDeclineRule rule;
        RiskSignals::read(r, rule);
        m = RiskSignals::toConfig(rule);
        m.insert(u"critical_decline_percent"_s, r.number(u"critical_decline_percent"_s, 60, 1, 100));
        cooldown();
        break;
    }
    case MonitorKind::Onboarding: {
        RiskSignals::OverdueMilestoneRule rule;
        RiskSignals::read(r, rule);
        m = RiskSignals::toConfig(rule);
        m.insert(u"critical_overdue_days"_s, r.integer(u"critical_overdue_days"_s, 14, 1, 365));
        m.insert(u"stall_days"_s, r.integer(u"stall_days"_s, 14, 1, 365));
        cooldown();
        break;
    }
    case MonitorKind::Satisfaction: {
        RiskSignals::DetractorRule rule;
        rule.lookbackDays = r.integer(u"lookback_days"_s, 7, 1, 365);
        rule.maxScore = r.integer(u"max_score"_s, 6, 0, 6);
        m = RiskSignals::toConfig(rule);
        m.insert(u"max_csat"_s, r.integer(u"max_csat"_s, 2, 1, 4));
        break;
    }
    case MonitorKind::Sla:
        break; // the SLA policies hold the targets and the at-risk ratios (manage_sla)
    case MonitorKind::Upsell:
        m.insert(u"score_threshold"_s, r.number(u"score_threshold"_s, 70, 0, 100));
        m.insert(u"seat_utilisation"_s, r.number(u"seat_utilisation"_s, 0.9, 0.01, 10));
        cooldown();
        break;
    case MonitorKind::Renewal:
        m.insert(u"at_risk_probability"_s, r.number(u"at_risk_probability"_s, 0.5, 0, 1));
        m.insert(u"at_risk_within_days"_s, r.integer(u"at_risk_within_days"_s, 180, 1, 730));
        cooldown();
        break;
    }
    return m;
}

// The SLA monitor once had an at-risk ratio of its own, applied where a ticket's priority had no policy; it now
// reads the clocks as SupportService does, each policy's own ratio. A stored config may still hold the key: it is
// read past (and dropped by the next configure()); a new value is refused (MonitorService::configure).
const QString kRetiredSlaRatio = u"at_risk_ratio"_s;

} // namespace

Result<QVariantMap> normalizeConfig(MonitorKind kind, const QVariantMap &config)
{
    RiskSignals::ConfigReader r(config, u"config"_s);
    QVariantMap m = readConfig(kind, r);
    if (auto ok = r.finish(kind == MonitorKind::Sla ? QStringList { kRetiredSlaRatio } : QStringList {}); !ok)
        return ok.error();
    if (kind == MonitorKind::ChurnRisk
        && m.value(u"critical_threshold"_s).toDouble() < m.value(u"threshold"_s).toDouble())
        return Error::invalid(u"config.critical_threshold"_s, u"must not be below threshold"_s);
    if (kind == MonitorKind::UsageDrop
        && m.value(u"critical_decline_percent"_s).toDouble() < m.value(u"decline_percent"_s).toDouble())
        return Error::invalid(u"config.critical_decline_percent"_s, u"must not be below decline_percent"_s);
    return m;
}

MonitorDefinition definition(MonitorKind kind)
{
    MonitorDefinition d;
    d.kind = kind;
    RiskSignals::ConfigReader r({}, u"config"_s);
    d.defaultConfig = readConfig(kind, r);
    switch (kind) {
    case MonitorKind::ChurnRisk:
        d.name = u"Churn risk"_s;
        d.description = u"Customers whose latest churn prediction reaches the threshold."_s;
        d.defaultScheduleMinutes = 360;
        break;
    case MonitorKind::UsageDrop:
        d.name = u"Usage drop"_s;
        d.description = u"Customers whose events or daily active users fell against their own baseline "
                        "(the usage_decline rule of the playbook triggers)."_s;
        d.defaultScheduleMinutes = 1440;
        break;
    case MonitorKind::Onboarding:
        d.name = u"Onboarding"_s;
        d.description = u"Overdue onboarding milestones and stalled onboarding plans."_s;
        d.defaultScheduleMinutes = 360;
        break;
    case MonitorKind::Satisfaction:
        d.name = u"NPS and CSAT"_s;
        d.description = u"New NPS detractors and low CSAT answers (surveys and rated tickets)."_s;
        d.defaultScheduleMinutes = 60;
        break;
    case MonitorKind::Sla:
        d.name = u"Support SLA"_s;
        d.description = u"Open tickets that breached their SLA, or have used more of it than their policy's at-risk share "
                        "(80 % by default)."_s;
        d.defaultScheduleMinutes = 15;
        break;
    case MonitorKind::Upsell:
        d.name = u"Upsell"_s;
        d.description = u"Open expansion opportunities with a high score, and customers using 90 % of their seats."_s;
        d.defaultScheduleMinutes = 1440;
        break;
    case MonitorKind::Renewal:
        d.name = u"Renewals"_s;
        d.description = u"Renewals at T−180 and T−90 without their checkpoint, and renewals at risk."_s;
        d.defaultScheduleMinutes = 1440;
        break;
    }
    return d;
}

QList<MonitorDefinition> definitions()
{
    QList<MonitorDefinition> all;
    for (const auto &entry : Domain::EnumNames<MonitorKind>::values)
        all << definition(entry.first);
    return all;
}

} // namespace Monitors

// ---- pure functions ------------------------------------------------------------------------------------------------

std::optional<double> seatUtilisation(qint64 seatsUsed, qint64 seatsPurchased)
{
    if (seatsPurchased <= 0)
        return std::nullopt;
    return double(seatsUsed) / double(seatsPurchased);
}

// ==== MonitorService =================================================================================================

MonitorService::MonitorService(const Storage::Database &db, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
{ }

Result<QList<Domain::Monitor>> MonitorService::ensureDefaultMonitors()
{
    const QDateTime now = m_clock.now();
    // ON CONFLICT DO NOTHING: another instance creating the same row at the same moment is fine (kind is UNIQUE).
    for (const MonitorDefinition &d : Monitors::definitions()) {
        auto inserted = Storage::exec(m_db,
            u"INSERT INTO monitors (kind, name, is_enabled, schedule_minutes, config, next_run_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind) DO NOTHING"_s,
            { kindName(d.kind), d.name, true, d.defaultScheduleMinutes, Storage::Convert::toSql(QVariantMap()),
                sqlTime(now) });
        if (!inserted)
            return inserted.error();
    }
    Storage::ListQuery q;
    q.limit = 100;
    auto page = Storage::MonitorRepository(m_db).list(q);
    if (!page)
        return page.error();
    Q_EMIT monitorChanged(QString());
    return page->items;
}

Result<Domain::Monitor> MonitorService::monitorRow(MonitorKind kind) const
{
    using Repo = Storage::MonitorRepository;
    auto q
        = Storage::exec(m_db, u"SELECT %1 FROM monitors WHERE kind = ?"_s.arg(Repo::selectList()), { kindName(kind) });
    if (!q)
        return q.error();
    const QSqlRecord rec = q->record();
    if (!q->next())
        return Error::notFound(
            u"kind"_s, u"the %1 monitor is not set up (ensureDefaultMonitors creates it)"_s.arg(kindName(kind)));
    return Repo::fromRow(*q, rec);
}

Result<QList<MonitorStatus>> MonitorService::monitors() const
{
    using Repo = Storage::MonitorRepository;
    using RunRepo = Storage::MonitorRunRepository;
    auto q = Storage::exec(m_db, u"SELECT %1 FROM monitors ORDER BY id"_s.arg(Repo::selectList()));
    if (!q)
        return q.error();
    QList<Domain::Monitor> rows;
    const QSqlRecord rec = q->record();
    while (q->next())
        rows << Repo::fromRow(*q, rec);

    QHash<qint64, qint64> open;
    auto alerts = Storage::exec(m_db,
        u"SELECT monitor_id, COUNT(*) FROM alerts WHERE status <> 'resolved' AND monitor_id IS NOT NULL GROUP BY monitor_id"_s);
    if (!alerts)
        return alerts.error();
    while (alerts->next())
        open.insert(alerts->value(0).toLongLong(), alerts->value(1).toLongLong());
    QHash<qint64, Domain::MonitorRun> lastRuns;
    auto runs = Storage::exec(m_db,
        u"SELECT %1 FROM monitor_runs WHERE id IN (SELECT MAX(id) FROM monitor_runs GROUP BY monitor_id)"_s.arg(
            RunRepo::selectList()));
    if (!runs)
        return runs.error();
    const QSqlRecord runRec = runs->record();
    while (runs->next()) {
        const Domain::MonitorRun run = RunRepo::fromRow(*runs, runRec);
        lastRuns.insert(run.monitorId, run);
    }
    const QDateTime staleBefore = m_clock.now().addSecs(-60LL * kLeaseStaleMinutes);
    QList<MonitorStatus> statuses;
    for (const Domain::Monitor &m : std::as_const(rows)) {
        MonitorStatus s;
        s.monitor = m;
        const MonitorDefinition d = Monitors::definition(m.kind);
        s.description = d.description;
        auto config = Monitors::normalizeConfig(m.kind, m.config);
        s.effectiveConfig = config ? *config : d.defaultConfig;
        s.running = m.runningSince.isValid() && m.runningSince >= staleBefore;
        s.openAlerts = open.value(m.id);
        if (lastRuns.contains(m.id))
            s.lastRun = lastRuns.value(m.id);
        statuses << s;
    }
    return statuses;
}

Result<MonitorStatus> MonitorService::monitor(MonitorKind kind) const
{
    auto all = monitors();
    if (!all)
        return all.error();
    for (const MonitorStatus &s : std::as_const(*all)) {
        if (s.monitor.kind == kind)
            return s;
    }
    return Error::notFound(
        u"kind"_s, u"the %1 monitor is not set up (ensureDefaultMonitors creates it)"_s.arg(kindName(kind)));
}

Result<Domain::Monitor> MonitorService::configure(MonitorKind kind, const MonitorSettings &settings)
{
    auto row = monitorRow(kind);
    if (!row)
        return row.error();
    Domain::Monitor m = *row;
    if (settings.scheduleMinutes && (*settings.scheduleMinutes < 1 || *settings.scheduleMinutes > kMaxScheduleMinutes))
        return Error::invalid(u"schedule_minutes"_s, u"must be between 1 and %1"_s.arg(kMaxScheduleMinutes));
    QVariantMap config = m.config;
    if (kind == MonitorKind::Sla) {
        if (settings.config && settings.config->contains(Monitors::kRetiredSlaRatio))
            return Error::invalid(u"config.at_risk_ratio"_s,
                u"the SLA monitor uses each SLA policy's own at-risk ratio: change it there (manage_sla)"_s);
        config.remove(Monitors::kRetiredSlaRatio);
    }
    if (settings.config) {
        if (settings.replaceConfig)
            config = *settings.config;
        else
            for (auto it = settings.config->constBegin(); it != settings.config->constEnd(); ++it)
                config.insert(it.key(), it.value());
    }
    if (auto ok = Monitors::normalizeConfig(kind, config); !ok)
        return ok.error();
    const bool scheduleChanged = settings.scheduleMinutes && *settings.scheduleMinutes != m.scheduleMinutes;
    const bool enabling = settings.enabled && *settings.enabled && !m.isEnabled;
    if (settings.enabled)
        m.isEnabled = *settings.enabled;
    if (settings.scheduleMinutes)
        m.scheduleMinutes = *settings.scheduleMinutes;
    m.config = config;
    if (scheduleChanged || enabling || !m.nextRunAt.isValid()) {
        m.nextRunAt = m.lastRunAt.isValid() ? m.lastRunAt.addSecs(60LL * m.scheduleMinutes) : m_clock.now();
    }
    if (auto ok = m.validate(); !ok)
        return ok.error();
    // Only the settings columns: the run bookkeeping (lease, last run) belongs to the runs and must not be
    // overwritten with what this call read.
    auto updated = Storage::exec(m_db,
        u"UPDATE monitors SET is_enabled = ?, schedule_minutes = ?, config = ?, next_run_at = ?, version = version + "
        u"1, "
        "updated_at = %1 WHERE id = ?"_s.arg(Storage::nowExpression(m_db.dialect())),
        { m.isEnabled, m.scheduleMinutes, Storage::Convert::toSql(m.config), sqlTime(m.nextRunAt), m.id });
    if (!updated)
        return updated.error();
    Q_EMIT monitorChanged(kindName(kind));
    return monitorRow(kind);
}

// ---- running -------------------------------------------------------------------------------------------------------

Result<bool> MonitorService::takeLease(MonitorKind kind, bool onlyWhenDue)
{
    const QDateTime now = m_clock.now();
    QString sql = u"UPDATE monitors SET running_since = ?, updated_at = %1 WHERE kind = ? AND "
                  "(running_since IS NULL OR running_since < ?)"_s.arg(Storage::nowExpression(m_db.dialect()));
    QVariantList bindings { sqlTime(now), kindName(kind), sqlTime(now.addSecs(-60LL * kLeaseStaleMinutes)) };
    if (onlyWhenDue) {
        sql += u" AND is_enabled AND next_run_at <= ?"_s;
        bindings << sqlTime(now);
    }
    auto q = Storage::exec(m_db, sql, bindings);
    if (!q)
        return q.error();
    return q->numRowsAffected() == 1;
}

Status MonitorService::recordFailure(
    const Domain::Monitor &monitor, qint64 runId, const QDateTime &startedAt, const QString &error)
{
    const QDateTime now = std::max(m_clock.now(), startedAt);
    const QString nowSql = Storage::nowExpression(m_db.dialect());
    if (runId > 0) {
        auto run = Storage::exec(m_db,
            u"UPDATE monitor_runs SET status = 'failed', finished_at = ?, error = ?, updated_at = %1 WHERE id = ?"_s
                .arg(nowSql),
            { sqlTime(now), error.left(2000), runId });
        if (!run)
            return run.error();
    }
    auto m = Storage::exec(m_db,
        u"UPDATE monitors SET last_run_at = ?, next_run_at = ?, last_status = 'failed', last_error = ?, "
        "running_since = NULL, updated_at = %1 WHERE id = ?"_s.arg(nowSql),
        { sqlTime(startedAt), sqlTime(startedAt.addSecs(60LL * monitor.scheduleMinutes)), error.left(2000),
            monitor.id });
    if (!m)
        return m.error();
    return {};
}

Result<MonitorRunResult> MonitorService::runLeased(const Domain::Monitor &monitor, Domain::MonitorTrigger trigger)
{
    const QDateTime startedAt = m_clock.now();
    MonitorRunResult result;
    result.kind = monitor.kind;
    Domain::MonitorRun run;
    run.monitorId = monitor.id;
    run.triggeredBy = trigger;
    run.startedAt = startedAt;
    run.status = Domain::MonitorRunStatus::Running;
    auto created = Storage::MonitorRunRepository(m_db).create(run);
    if (!created) {
        if (auto ok = recordFailure(monitor, 0, startedAt, created.error().toString()); !ok)
            return ok.error();
        return created.error();
    }
    run = *created;

    auto fail = [&](const Error &error) -> Result<MonitorRunResult> {
        qCWarning(lcMonitors) << "monitor" << kindName(monitor.kind) << "failed:" << error.toString();
        if (auto ok = recordFailure(monitor, run.id, startedAt, error.toString()); !ok)
            return ok.error();
        auto stored = Storage::MonitorRunRepository(m_db).get(run.id);
        if (!stored)
            return stored.error();
        result.run = *stored;
        Q_EMIT monitorRunFinished(kindName(monitor.kind), run.id);
        Q_EMIT monitorChanged(kindName(monitor.kind));
        return result;
    };

    auto config = Monitors::normalizeConfig(monitor.kind, monitor.config);
    if (!config)
        return fail(config.error());
    auto found = evaluate(monitor.kind, *config);
    if (!found)
        return fail(found.error());
    auto checked = Storage::exec(m_db, u"SELECT COUNT(*) FROM customers c WHERE "_s + kLiveCustomer);
    if (!checked)
        return fail(checked.error());
    const qint64 customersChecked = checked->next() ? checked->value(0).toLongLong() : 0;
    result.findings = int(found->size());

    const int cooldownDays = config->value(u"cooldown_days"_s, kDefaultCooldownDays).toInt();
    const QDateTime cooldownFrom = startedAt.addDays(-cooldownDays);
    // The alerts, the run's outcome and the lease release in one transaction. A failure leaves this block first
    // (the transaction rolls back), so that recording it does not run inside an aborted PostgreSQL transaction.
    const Status written = [&]() -> Status {
        Storage::Transaction tx(m_db);
        if (!tx.isActive())
            return tx.beginError();
        for (const MonitorFinding &f : std::as_const(*found)) {
            // Unresolved → suppressed; resolved → suppressed for events, and for states within the cooldown.
            auto existing = Storage::exec(m_db,
                f.oncePerKey ? u"SELECT COUNT(*) FROM alerts WHERE dedupe_key = ?"_s
                             : u"SELECT COUNT(*) FROM alerts WHERE dedupe_key = ? AND (status <> 'resolved' OR "
                               "resolved_at >= ?)"_s,
                f.oncePerKey ? QVariantList { f.dedupeKey } : QVariantList { f.dedupeKey, sqlTime(cooldownFrom) });
            if (!existing)
                return existing.error();
            if (existing->next() && existing->value(0).toLongLong() > 0) {
                ++result.suppressed;
                continue;
            }
            // ON CONFLICT: the partial unique index ux_alerts_dedupe_open keeps one unresolved alert per key even
            // if something else raised the same key meanwhile.
            auto inserted = Storage::exec(m_db,
                u"INSERT INTO alerts (monitor_id, customer_id, kind, severity, title, detail, status, dedupe_key, "
                "raised_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?) ON CONFLICT DO NOTHING RETURNING id"_s,
                { monitor.id, Storage::Convert::toSql(f.customerId), f.kind.left(100), Domain::enumName(f.severity),
                    f.title.left(500), Storage::Convert::toSql(f.detail), f.dedupeKey.left(300), sqlTime(startedAt) });
            if (!inserted)
                return inserted.error();
            if (inserted->next())
                result.alertIds << inserted->value(0).toLongLong();
            else
                ++result.suppressed;
            while (inserted->next()) { }
        }
        const QDateTime finishedAt = std::max(m_clock.now(), startedAt);
        const QString nowSql = Storage::nowExpression(m_db.dialect());
        auto finished = Storage::exec(m_db,
            u"UPDATE monitor_runs SET status = 'succeeded', finished_at = ?, customers_checked = ?, alerts_raised = ?, "
            "updated_at = %1 WHERE id = ?"_s.arg(nowSql),
            { sqlTime(finishedAt), customersChecked, int(result.alertIds.size()), run.id });
        if (!finished)
            return finished.error();
        auto released = Storage::exec(m_db,
            u"UPDATE monitors SET last_run_at = ?, next_run_at = ?, last_status = 'succeeded', last_error = NULL, "
            "running_since = NULL, updated_at = %1 WHERE id = ?"_s.arg(nowSql),
            { sqlTime(startedAt), sqlTime(startedAt.addSecs(60LL * monitor.scheduleMinutes)), monitor.id });
        if (!released)
            return released.error();
        return tx.commit();
    }();
    if (!written) {
        result.alertIds.clear();
        result.suppressed = 0;
        return fail(written.error());
    }
    auto stored = Storage::MonitorRunRepository(m_db).get(run.id);
    if (!stored)
        return stored.error();
    result.run = *stored;
    for (qint64 id : std::as_const(result.alertIds))
        Q_EMIT alertRaised(id);
    Q_EMIT monitorRunFinished(kindName(monitor.kind), run.id);
    Q_EMIT monitorChanged(kindName(monitor.kind));
    return result;
}

Result<MonitorRunResult> MonitorService::runNow(MonitorKind kind, Domain::MonitorTrigger trigger)
{
    auto row = monitorRow(kind);
    if (!row)
        return row.error();
    auto leased = takeLease(kind, false);
    if (!leased)
        return leased.error();
    if (!*leased) {
        auto current = monitorRow(kind);
        const QString since = current && current->runningSince.isValid() ? isoTime(current->runningSince) : QString();
        return Error::conflict(u"kind"_s,
            u"the %1 monitor is already running (since %2); try again when it has finished"_s.arg(
                kindName(kind), since.isEmpty() ? u"a moment ago"_s : since));
    }
    auto leasedRow = monitorRow(kind);
    if (!leasedRow)
        return leasedRow.error();
    return runLeased(*leasedRow, trigger);
}

Result<QList<MonitorRunResult>> MonitorService::runDue()
{
    auto q = Storage::exec(m_db,
        u"SELECT kind FROM monitors WHERE is_enabled AND next_run_at <= ? ORDER BY next_run_at, id"_s,
        { sqlTime(m_clock.now()) });
    if (!q)
        return q.error();
    QList<MonitorKind> due;
    while (q->next()) {
        if (auto kind = Domain::enumFromString<MonitorKind>(q->value(0).toString()))
            due << *kind;
    }
    QList<MonitorRunResult> results;
    for (MonitorKind kind : std::as_const(due)) {
        auto leased = takeLease(kind, true);
        if (!leased)
            return leased.error();
        if (!*leased)
            continue; // another instance runs it, or ran it since we looked
        auto row = monitorRow(kind);
        if (!row)
            return row.error();
        auto ran = runLeased(*row, Domain::MonitorTrigger::Schedule);
        if (!ran)
            return ran.error();
        results << *ran;
    }
    return results;
}

Result<QList<MonitorFinding>> MonitorService::findings(MonitorKind kind) const
{
    QVariantMap stored;
    if (auto row = monitorRow(kind))
        stored = row->config;
    else if (row.error().code != ErrorCode::NotFound)
        return row.error();
    auto config = Monitors::normalizeConfig(kind, stored);
    if (!config)
        return config.error();
    return evaluate(kind, *config);
}

Result<Storage::Page<Domain::MonitorRun>> MonitorService::runs(MonitorKind kind, int limit, const QString &cursor) const
{
    if (limit < 1 || limit > kMaxLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(kMaxLimit));
    auto row = monitorRow(kind);
    if (!row)
        return row.error();
    Storage::ListQuery q;
    q.limit = limit;
    q.cursor = cursor;
    q.descending = true;
    q.filters << Storage::Filter { u"monitor_id"_s, Storage::Filter::Op::Eq, row->id };
    return Storage::MonitorRunRepository(m_db).list(q);
}

// ---- what each monitor checks
// ----------------------------------------------------------------------------------------

Result<QList<MonitorFinding>> MonitorService::evaluate(MonitorKind kind, const QVariantMap &config) const
{
    const QDateTime now = m_clock.now();
    const QDate d = now.date();
    QList<MonitorFinding> out;
    switch (kind) {
    case MonitorKind::ChurnRisk: {
        const double threshold = config.value(u"threshold"_s).toDouble();
        const double critical = config.value(u"critical_threshold"_s).toDouble();
        const int maxAge = config.value(u"max_age_days"_s).toInt();
        auto q = Storage::exec(m_db,
            u"SELECT c.id, c.name, p.id, p.probability, p.risk_level, p.predicted_at, p.model_version, p.drivers "
            "FROM (SELECT customer_id, MAX(predicted_at) AS t FROM churn_predictions WHERE predicted_at >= ? AND "
            "predicted_at <= ? GROUP BY customer_id) pm JOIN churn_predictions p ON p.customer_id = pm.customer_id "
            "AND p.predicted_at = pm.t JOIN customers c ON c.id = pm.customer_id WHERE "_s
                + kLiveCustomer + u" ORDER BY c.id, p.id DESC"_s,
            { sqlTime(now.addDays(-maxAge)), sqlTime(now) });
        if (!q)
            return q.error();
        QString last;
        while (q->next()) {
            const QString customerId = q->value(0).toString();
            if (customerId == last)
                continue;
            last = customerId;
            const double p = q->value(3).toDouble();
            if (p < threshold - kEpsilon)
                continue;
            QVariantList drivers;
            Storage::Convert::fromSql(q->value(7), drivers);
            MonitorFinding f;
            f.customerId = customerId;
            f.kind = u"churn_risk"_s;
            f.severity = p >= critical - kEpsilon ? Domain::AlertSeverity::Critical : Domain::AlertSeverity::Warning;
            f.title = u"Churn risk %1 for %2"_s.arg(percent(p), q->value(1).toString());
            f.detail = { { u"probability"_s, p }, { u"risk_level"_s, q->value(4).toString() },
                { u"predicted_at"_s, isoTime(timeOf(q->value(5))) }, { u"model_version"_s, q->value(6).toInt() },
                { u"prediction_id"_s, q->value(2).toLongLong() }, { u"threshold"_s, threshold },
                { u"drivers"_s, drivers.mid(0, 5) } };
            f.dedupeKey = u"churn_risk:%1"_s.arg(customerId);
            out << f;
        }
        break;
    }
    case MonitorKind::UsageDrop: {
        auto rule = RiskSignals::usageDeclineRule(
            [&] {
                QVariantMap m = config;
                m.remove(u"critical_decline_percent"_s);
                m.remove(u"cooldown_days"_s);
                return m;
            }(),
            u"config"_s);
        if (!rule)
            return rule.error();
        auto matches = RiskSignals::usageDecline(m_db, now, *rule);
        if (!matches)
            return matches.error();
        const double critical = config.value(u"critical_decline_percent"_s).toDouble();
        for (const RiskSignals::SignalMatch &m : std::as_const(*matches)) {
            const double worst = std::max(m.context.value(u"events_decline_percent"_s, 0.0).toDouble(),
                m.context.value(u"active_users_decline_percent"_s, 0.0).toDouble());
            MonitorFinding f;
            f.customerId = m.customerId;
            f.kind = u"usage_drop"_s;
            f.severity
                = worst >= critical - kEpsilon ? Domain::AlertSeverity::Critical : Domain::AlertSeverity::Warning;
            f.title = u"Usage drop at %1: %2"_s.arg(m.customerName, m.summary);
            f.detail = m.context;
            f.dedupeKey = u"usage_drop:%1"_s.arg(m.customerId);
            out << f;
        }
        break;
    }
    case MonitorKind::Onboarding: {
        RiskSignals::OverdueMilestoneRule rule;
        rule.graceDays = config.value(u"grace_days"_s).toInt();
        auto matches = RiskSignals::overdueMilestones(m_db, now, rule);
        if (!matches)
            return matches.error();
        const int critical = config.value(u"critical_overdue_days"_s).toInt();
        for (const RiskSignals::SignalMatch &m : std::as_const(*matches)) {
            MonitorFinding f;
            f.customerId = m.customerId;
            f.kind = u"overdue_milestone"_s;
            f.severity = m.context.value(u"days_overdue"_s).toLongLong() >= critical ? Domain::AlertSeverity::Critical
                                                                                     : Domain::AlertSeverity::Warning;
            f.title = u"Onboarding of %1: %2"_s.arg(m.customerName, m.summary);
            f.detail = m.context;
            f.dedupeKey = u"onboarding:overdue:%1"_s.arg(m.customerId);
            out << f;
        }
        const int stallDays = config.value(u"stall_days"_s).toInt();
        const QDate stalledBefore = d.addDays(-stallDays);
        auto q = Storage::exec(m_db,
            u"SELECT p.id, c.id, c.name, p.name, p.status, p.started_on, MAX(m.completed_at), "
            "SUM(CASE WHEN m.status IN ('pending','in_progress') THEN 1 ELSE 0 END) "
            "FROM onboarding_plans p JOIN customers c ON c.id = p.customer_id "
            "LEFT JOIN onboarding_milestones m ON m.plan_id = p.id AND m.deleted_at IS NULL "
            "WHERE p.deleted_at IS NULL AND p.status IN ('not_started','in_progress','stalled') AND "_s
                + kLiveCustomer + u" GROUP BY p.id, c.id, c.name, p.name, p.status, p.started_on ORDER BY p.id"_s);
        if (!q)
            return q.error();
        while (q->next()) {
            const QString status = q->value(4).toString();
            const QDate started = dayOf(q->value(5));
            const QDateTime lastCompleted = timeOf(q->value(6));
            const qint64 openMilestones = q->value(7).toLongLong();
            QDate lastProgress = started;
            if (lastCompleted.isValid() && (!lastProgress.isValid() || lastCompleted.date() > lastProgress))
                lastProgress = lastCompleted.date();
            const bool markedStalled = status == u"stalled"_s;
            const bool noProgress = openMilestones > 0 && lastProgress.isValid() && lastProgress < stalledBefore;
            if (!markedStalled && !noProgress)
                continue;
            MonitorFinding f;
            f.customerId = q->value(1).toString();
            f.kind = u"stalled_plan"_s;
            f.severity = Domain::AlertSeverity::Warning;
            f.title = markedStalled
                ? u"Onboarding plan “%1” of %2 is marked stalled"_s.arg(q->value(3).toString(), q->value(2).toString())
                : u"Onboarding plan “%1” of %2 has made no progress since %3"_s.arg(
                    q->value(3).toString(), q->value(2).toString(), isoDay(lastProgress));
            f.detail = { { u"plan_id"_s, q->value(0).toLongLong() }, { u"plan_name"_s, q->value(3).toString() },
                { u"status"_s, status }, { u"started_on"_s, isoDay(started) },
                { u"last_progress"_s, isoDay(lastProgress) }, { u"open_milestones"_s, openMilestones },
                { u"stall_days"_s, stallDays } };
            f.dedupeKey = u"onboarding:stalled:%1"_s.arg(q->value(0).toLongLong());
            out << f;
        }
        break;
    }
    case MonitorKind::Satisfaction: {
        RiskSignals::DetractorRule rule;
        rule.lookbackDays = config.value(u"lookback_days"_s).toInt();
        rule.maxScore = config.value(u"max_score"_s).toInt();
        auto matches = RiskSignals::detractors(m_db, now, rule);
        if (!matches)
            return matches.error();
        for (const RiskSignals::SignalMatch &m : std::as_const(*matches)) {
            MonitorFinding f;
            f.customerId = m.customerId;
            f.kind = u"nps_detractor"_s;
            f.severity = Domain::AlertSeverity::Warning;
            f.title = u"NPS detractor at %1: %2"_s.arg(m.customerName, m.summary);
            f.detail = m.context;
            f.dedupeKey = u"satisfaction:nps:%1"_s.arg(m.context.value(u"response_id"_s).toLongLong());
            f.oncePerKey = true;
            out << f;
        }
        const int maxCsat = config.value(u"max_csat"_s).toInt();
        const QDateTime from = QDateTime(d.addDays(-rule.lookbackDays + 1), QTime(0, 0), QTimeZone::utc());
        auto surveys = Storage::exec(m_db,
            u"SELECT r.id, c.id, c.name, r.score, r.responded_at, r.comment FROM survey_responses r JOIN customers c "
            "ON c.id = r.customer_id WHERE r.kind = 'csat' AND r.deleted_at IS NULL AND r.score <= ? AND "
            "r.responded_at >= ? AND r.responded_at <= ? AND "_s
                + kLiveCustomer + u" ORDER BY r.id"_s,
            { maxCsat, sqlTime(from), sqlTime(now) });
        if (!surveys)
            return surveys.error();
        while (surveys->next()) {
            MonitorFinding f;
            f.customerId = surveys->value(1).toString();
            f.kind = u"low_csat"_s;
            f.severity = Domain::AlertSeverity::Warning;
            f.title = u"CSAT %1 of 5 from %2"_s.arg(surveys->value(3).toInt()).arg(surveys->value(2).toString());
            f.detail = { { u"response_id"_s, surveys->value(0).toLongLong() },
                { u"score"_s, surveys->value(3).toInt() }, { u"responded_at"_s, isoTime(timeOf(surveys->value(4))) },
                { u"comment"_s, surveys->value(5).toString() } };
            f.dedupeKey = u"satisfaction:csat:%1"_s.arg(surveys->value(0).toLongLong());
            f.oncePerKey = true;
            out << f;
        }
        auto tickets = Storage::exec(m_db,
            u"SELECT t.id, c.id, c.name, t.csat, t.subject, COALESCE(t.resolved_at, t.closed_at), t.csat_comment "
            "FROM support_tickets t JOIN customers c ON c.id = t.customer_id WHERE t.deleted_at IS NULL AND "
            "t.csat IS NOT NULL AND t.csat <= ? AND COALESCE(t.resolved_at, t.closed_at) >= ? AND "
            "COALESCE(t.resolved_at, t.closed_at) <= ? AND "_s
                + kLiveCustomer + u" ORDER BY t.id"_s,
            { maxCsat, sqlTime(from), sqlTime(now) });
        if (!tickets)
            return tickets.error();
        while (tickets->next()) {
            MonitorFinding f;
            f.customerId = tickets->value(1).toString();
            f.kind = u"low_ticket_csat"_s;
            f.severity = Domain::AlertSeverity::Warning;
            f.title = u"Ticket rated %1 of 5 by %2: %3"_s.arg(tickets->value(3).toInt())
                          .arg(tickets->value(2).toString(), tickets->value(4).toString());
            f.detail = { { u"ticket_id"_s, tickets->value(0).toLongLong() }, { u"csat"_s, tickets->value(3).toInt() },
                { u"resolved_at"_s, isoTime(timeOf(tickets->value(5))) },
                { u"comment"_s, tickets->value(6).toString() } };
            f.dedupeKey = u"satisfaction:ticket_csat:%1"_s.arg(tickets->value(0).toLongLong());
            f.oncePerKey = true;
            out << f;
        }
        break;
    }
    case MonitorKind::Sla: {
        // The clocks exactly as the support views and the sla_breaches tool see them (SupportService: business
        // hours of the support schedule for a business-hours policy, pauses while the ticket waits on the customer,
        // the policy's own at-risk ratio); the monitor adds the alerts. Churned customers are not watched.
        auto report = SupportService(m_db, m_clock).slaBreaches(0, true);
        if (!report)
            return report.error();
        if (report->items.isEmpty())
            break;
        QVariantList ids;
        for (const SlaWatchItem &item : std::as_const(report->items))
            ids << item.ticketId;
        QHash<qint64, std::pair<QString, QDateTime>> live; // ticket → customer name, opened at
        constexpr qsizetype kChunk = 500; // bound parameters per statement
        for (qsizetype from = 0; from < ids.size(); from += kChunk) {
            const QVariantList chunk = ids.mid(from, kChunk);
            auto q = Storage::exec(m_db,
                u"SELECT t.id, c.name, t.opened_at FROM support_tickets t JOIN customers c ON c.id = t.customer_id "
                "WHERE t.id IN (%1) AND "_s.arg(Storage::Detail::placeholders(int(chunk.size())))
                    + kLiveCustomer,
                chunk);
            if (!q)
                return q.error();
            while (q->next())
                live.insert(q->value(0).toLongLong(), { q->value(1).toString(), timeOf(q->value(2)) });
        }
        for (const SlaWatchItem &item : std::as_const(report->items)) {
            const auto ticket = live.constFind(item.ticketId);
            if (ticket == live.cend())
                continue;
            const std::pair<QString, const SlaClock *> clocks[]
                = { { u"first_response"_s, &item.sla.firstResponse }, { u"resolution"_s, &item.sla.resolution } };
            for (const auto &[name, clock] : clocks) {
                if (clock->state != SlaState::Breached && clock->state != SlaState::AtRisk)
                    continue;
                const bool breached = clock->state == SlaState::Breached;
                const QString priority = Domain::enumName(item.priority);
                MonitorFinding f;
                f.customerId = item.customerId;
                f.kind = breached ? u"sla_breached"_s : u"sla_at_risk"_s;
                f.severity = breached ? Domain::AlertSeverity::Critical : Domain::AlertSeverity::Warning;
                const QString what = name == u"first_response"_s ? u"first response"_s : u"resolution"_s;
                f.title = (breached ? u"SLA breached (%1) on %2 ticket #%3 of %4: %5"_s
                                    : u"SLA at risk (%1) on %2 ticket #%3 of %4: %5"_s)
                              .arg(what, priority)
                              .arg(item.ticketId)
                              .arg(ticket->first, item.subject);
                f.detail = { { u"ticket_id"_s, item.ticketId }, { u"target"_s, name }, { u"priority"_s, priority },
                    { u"opened_at"_s, isoTime(ticket->second) }, { u"due_at"_s, isoTime(clock->dueAt) },
                    { u"business_hours"_s, clock->businessHours } };
                if (clock->elapsedRatio)
                    f.detail.insert(u"elapsed_share"_s, *clock->elapsedRatio);
                if (clock->minutesLeft)
                    f.detail.insert(u"minutes_left"_s, *clock->minutesLeft);
                f.dedupeKey = u"sla:%1:%2:%3"_s.arg(item.ticketId).arg(name, breached ? u"breached"_s : u"at_risk"_s);
                f.oncePerKey = true;
                out << f;
            }
        }
        break;
    }
    case MonitorKind::Upsell: {
        const double scoreThreshold = config.value(u"score_threshold"_s).toDouble();
        auto q = Storage::exec(m_db,
            u"SELECT o.id, c.id, c.name, o.kind, o.product, o.title, o.score, o.estimated_arr, o.stage FROM "
            "expansion_opportunities o JOIN customers c ON c.id = o.customer_id WHERE o.deleted_at IS NULL AND "
            "o.stage IN ('identified','qualified','proposed') AND o.score >= ? AND "_s
                + kLiveCustomer + u" ORDER BY o.id"_s,
            { scoreThreshold });
        if (!q)
            return q.error();
        while (q->next()) {
            const QString label = !q->value(5).toString().isEmpty() ? q->value(5).toString()
                : !q->value(4).toString().isEmpty()                 ? q->value(4).toString()
                                                                    : q->value(3).toString();
            MonitorFinding f;
            f.customerId = q->value(1).toString();
            f.kind = u"expansion_opportunity"_s;
            f.severity = Domain::AlertSeverity::Info;
            f.title = u"Expansion opportunity at %1: %2 (score %3)"_s.arg(
                q->value(2).toString(), label, QString::number(q->value(6).toDouble(), 'f', 0));
            f.detail = { { u"opportunity_id"_s, q->value(0).toLongLong() },
                { u"opportunity_kind"_s, q->value(3).toString() }, { u"product"_s, q->value(4).toString() },
                { u"score"_s, q->value(6).toDouble() }, { u"estimated_arr"_s, q->value(7).toDouble() },
                { u"stage"_s, q->value(8).toString() } };
            f.dedupeKey = u"upsell:opportunity:%1"_s.arg(q->value(0).toLongLong());
            f.oncePerKey = true;
            out << f;
        }
        const double seatThreshold = config.value(u"seat_utilisation"_s).toDouble();
        auto seats = Storage::exec(m_db,
            u"SELECT c.id, c.name, SUM(k.seats_used), SUM(k.seats_purchased) FROM contracts k JOIN customers c ON "
            "c.id = k.customer_id WHERE k.deleted_at IS NULL AND k.status <> 'cancelled' AND k.start_date <= ? AND "
            "k.end_date >= ? AND k.seats_used IS NOT NULL AND k.seats_purchased > 0 AND "_s
                + kLiveCustomer + u" GROUP BY c.id, c.name ORDER BY c.id"_s,
            { sqlDay(d), sqlDay(d) });
        if (!seats)
            return seats.error();
        while (seats->next()) {
            const qint64 used = seats->value(2).toLongLong();
            const qint64 purchased = seats->value(3).toLongLong();
            const auto share = seatUtilisation(used, purchased);
            if (!share || *share < seatThreshold - kEpsilon)
                continue;
            MonitorFinding f;
            f.customerId = seats->value(0).toString();
            f.kind = u"seat_utilisation"_s;
            f.severity = Domain::AlertSeverity::Info;
            f.title = u"%1 uses %2 of %3 seats (%4)"_s.arg(seats->value(1).toString())
                          .arg(used)
                          .arg(purchased)
                          .arg(percent(*share));
            f.detail = { { u"seats_used"_s, used }, { u"seats_purchased"_s, purchased }, { u"utilisation"_s, *share },
                { u"threshold"_s, seatThreshold } };
            f.dedupeKey = u"upsell:seats:%1"_s.arg(f.customerId);
            out << f;
        }
        break;
    }
    case MonitorKind::Renewal: {
        const double atRiskP = config.value(u"at_risk_probability"_s).toDouble();
        const int atRiskWithin = config.value(u"at_risk_within_days"_s).toInt();
        const int horizon = std::max(180, atRiskWithin);
        auto q = Storage::exec(m_db,
            u"SELECT r.id, c.id, c.name, r.renewal_date, r.arr_current, r.probability, r.stage, r.checkpoint_180_done, "
            "r.checkpoint_90_done, h.band, h.score FROM renewals r JOIN customers c ON c.id = r.customer_id "
            "LEFT JOIN (SELECT customer_id, MAX(score_date) AS d FROM health_scores WHERE score_date >= ? AND "
            "score_date <= ? GROUP BY customer_id) hm ON hm.customer_id = r.customer_id "
            "LEFT JOIN health_scores h ON h.customer_id = hm.customer_id AND h.score_date = hm.d "
            "WHERE r.deleted_at IS NULL AND r.stage IN ('upcoming','in_progress') AND r.renewal_date >= ? AND "
            "r.renewal_date <= ? AND "_s
                + kLiveCustomer + u" ORDER BY r.renewal_date, r.id"_s,
            { sqlDay(d.addDays(-30)), sqlDay(d), sqlDay(d), sqlDay(d.addDays(horizon)) });
        if (!q)
            return q.error();
        while (q->next()) {
            const qint64 renewalId = q->value(0).toLongLong();
            const QString customerId = q->value(1).toString();
            const QString name = q->value(2).toString();
            const QDate date = dayOf(q->value(3));
            const qint64 days = d.daysTo(date);
            const QVariantMap base { { u"renewal_id"_s, renewalId }, { u"renewal_date"_s, isoDay(date) },
                { u"days_to_renewal"_s, days }, { u"arr"_s, q->value(4).toDouble() },
                { u"stage"_s, q->value(6).toString() } };
            const bool done180 = boolOf(q->value(7));
            const bool done90 = boolOf(q->value(8));
            if (days <= 90 && !done90) {
                MonitorFinding f;
                f.customerId = customerId;
                f.kind = u"renewal_checkpoint"_s;
                f.severity = Domain::AlertSeverity::Warning;
                f.title
                    = u"T−90 renewal checkpoint due for %1 (renews %2, in %3 days)"_s.arg(name, isoDay(date)).arg(days);
                f.detail = base;
                f.detail.insert(u"checkpoint"_s, 90);
                f.dedupeKey = u"renewal:%1:t90"_s.arg(renewalId);
                f.oncePerKey = true;
                out << f;
            } else if (days <= 180 && days > 90 && !done180) {
                MonitorFinding f;
                f.customerId = customerId;
                f.kind = u"renewal_checkpoint"_s;
                f.severity = Domain::AlertSeverity::Info;
                f.title = u"T−180 renewal checkpoint due for %1 (renews %2, in %3 days)"_s.arg(name, isoDay(date))
                              .arg(days);
                f.detail = base;
                f.detail.insert(u"checkpoint"_s, 180);
                f.dedupeKey = u"renewal:%1:t180"_s.arg(renewalId);
                f.oncePerKey = true;
                out << f;
            }
            if (days > atRiskWithin)
                continue;
            const bool lowP = !q->value(5).isNull() && q->value(5).toDouble() < atRiskP - kEpsilon;
            const bool red = q->value(9).toString() == u"red"_s;
            if (!lowP && !red)
                continue;
            QStringList why;
            if (lowP)
                why << u"p(renew) %1"_s.arg(percent(q->value(5).toDouble()));
            if (red)
                why << u"health red (%1)"_s.arg(QString::number(q->value(10).toDouble(), 'f', 1));
            MonitorFinding f;
            f.customerId = customerId;
            f.kind = u"renewal_at_risk"_s;
            f.severity = Domain::AlertSeverity::Critical;
            f.title = u"Renewal at risk: %1 renews %2 (in %3 days) with %4"_s.arg(name, isoDay(date))
                          .arg(days)
                          .arg(why.join(u" and "_s));
            f.detail = base;
            if (!q->value(5).isNull())
                f.detail.insert(u"probability"_s, q->value(5).toDouble());
            if (!q->value(9).isNull()) {
                f.detail.insert(u"health_band"_s, q->value(9).toString());
                f.detail.insert(u"health_score"_s, q->value(10).toDouble());
            }
            f.dedupeKey = u"renewal:%1:at_risk"_s.arg(renewalId);
            out << f;
        }
        break;
    }
    }
    return out;
}

// ---- alerts
// ----------------------------------------------------------------------------------------------------------

Result<Storage::Page<Domain::Alert>> MonitorService::alerts(const AlertQuery &query) const
{
    if (query.limit < 1 || query.limit > kMaxLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(kMaxLimit));
    Storage::ListQuery q;
    q.limit = query.limit;
    q.cursor = query.cursor;
    q.descending = true;
    if (query.status)
        q.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq, Domain::enumName(*query.status) };
    else if (!query.includeResolved)
        q.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Ne, u"resolved"_s };
    if (query.monitorKind) {
        auto row = monitorRow(*query.monitorKind);
        if (!row)
            return row.error();
        q.filters << Storage::Filter { u"monitor_id"_s, Storage::Filter::Op::Eq, row->id };
    }
    if (!query.customerId.isEmpty())
        q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, query.customerId };
    if (query.severity)
        q.filters << Storage::Filter { u"severity"_s, Storage::Filter::Op::Eq, Domain::enumName(*query.severity) };
    return Storage::AlertRepository(m_db).list(q);
}

Result<Domain::Alert> MonitorService::alert(qint64 alertId) const
{
    auto a = Storage::AlertRepository(m_db).get(alertId);
    if (!a)
        return Error::notFound(u"alert_id"_s, u"no alert with id %1"_s.arg(alertId));
    return a;
}

Result<Domain::Alert> MonitorService::acknowledge(qint64 alertId, const QString &by)
{
    auto a = alert(alertId);
    if (!a)
        return a.error();
    if (a->status == Domain::AlertStatus::Resolved)
        return Error::invalid(u"status"_s, u"the alert is already resolved"_s);
    if (a->status == Domain::AlertStatus::Acknowledged)
        return a;
    Domain::Alert changed = *a;
    changed.status = Domain::AlertStatus::Acknowledged;
    changed.acknowledgedAt = m_clock.now();
    changed.acknowledgedBy = by.trimmed().left(200);
    auto updated = Storage::AlertRepository(m_db).update(changed);
    if (updated)
        Q_EMIT alertChanged(alertId);
    return updated;
}

Result<Domain::Alert> MonitorService::resolve(qint64 alertId, const QString &by)
{
    auto a = alert(alertId);
    if (!a)
        return a.error();
    if (a->status == Domain::AlertStatus::Resolved)
        return Error::invalid(u"status"_s, u"the alert is already resolved"_s);
    Domain::Alert changed = *a;
    changed.status = Domain::AlertStatus::Resolved;
    changed.resolvedAt = std::max(m_clock.now(), a->raisedAt);
    changed.resolvedBy = by.trimmed().left(200);
    auto updated = Storage::AlertRepository(m_db).update(changed);
    if (updated)
        Q_EMIT alertChanged(alertId);
    return updated;
}

// ==== MonitorScheduler ===============================================================================================

MonitorScheduler::MonitorScheduler(MonitorService &service, int intervalMs, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(std::max(10, intervalMs));
    connect(m_timer, &QTimer::timeout, this, &MonitorScheduler::tick);
}

void MonitorScheduler::start()
{
    m_timer->start();
    tick();
}

void MonitorScheduler::stop()
{
    m_timer->stop();
}

bool MonitorScheduler::isActive() const
{
    return m_timer->isActive();
}

int MonitorScheduler::intervalMs() const
{
    return m_timer->interval();
}

void MonitorScheduler::setIntervalMs(int intervalMs)
{
    m_timer->setInterval(std::max(10, intervalMs));
}

void MonitorScheduler::tick()
{
    auto ran = m_service.runDue();
    if (!ran) {
        qCWarning(lcMonitors) << "scheduled monitor round failed:" << ran.error().toString();
        Q_EMIT tickFailed(ran.error().toString());
        return;
    }
    int alerts = 0;
    for (const MonitorRunResult &r : std::as_const(*ran))
        alerts += int(r.alertIds.size());
    Q_EMIT tickFinished(int(ran->size()), alerts);
}

} // namespace Core
