// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include "clock.h"
#include "database.h"
#include "error.h"
#include "listquery.h"
#include "operations.h"

class QTimer;

namespace Core {

// ============================================================================================================
// Monitors and alerts (TOOLS.md "monitors": get_autonomous_status, configure_autonomous_worker,
// trigger_worker_now, get_worker_config, list_available_workers)
// ============================================================================================================
//
// Seven built-in monitors, one monitors row each (ensureDefaultMonitors() creates the missing ones, enabled,
// due at once). A monitor reads stored data, turns what it finds into alerts and records the run in
// monitor_runs (customers_checked = live, not churned customers at the time; alerts_raised = new alerts).
// D = the clock's UTC day, now = its instant. Config keys (validated, unknown keys refused, errors name
// "config.<key>"; defaults in brackets):
//
//   churn_risk    the latest churn prediction of each customer, made within max_age_days [30], with probability
//                 ≥ threshold [0.5] → alert (critical when ≥ critical_threshold [0.75], else warning).
//   usage_drop    the usage_decline rule of the playbook triggers (RiskSignals::usageDecline, same keys and
//                 defaults: recent_days, baseline_days, decline_percent, metric, min_baseline_events) → warning,
//                 critical when the decline is ≥ critical_decline_percent [60].
//   onboarding    overdue milestones (RiskSignals::overdueMilestones, grace_days [0]) → one alert per customer,
//                 critical once the oldest is critical_overdue_days [14] overdue; stalled plans: status stalled,
//                 or open (not started / in progress, started) with open milestones and no milestone completed
//                 since D − stall_days [14] (nor started since) → warning per plan.
//   satisfaction  new detractors (RiskSignals::detractors rule: NPS ≤ max_score [6] within lookback_days [7]),
//                 one alert per response; CSAT survey answers ≤ max_csat [2] and ticket CSAT ratings ≤ max_csat of
//                 tickets resolved (or closed) within lookback_days → warning per answer.
//   sla           open tickets (new, open, pending, on_hold) of live customers, their clocks exactly as
//                 SupportService::slaBreaches reads them (stamped due times, business hours of a business-hours
//                 policy, resolution paused while the ticket waits on the customer). Breached clock → critical; at
//                 risk (elapsed strictly above the policy's at_risk_ratio of the target, 0.8 without a policy)
//                 → warning; each once per ticket and clock. Tickets stored without due times are not judged. No
//                 config of its own (a stored at_risk_ratio from before is ignored; manage_sla sets the ratios).
//   upsell        open expansion opportunities (identified, qualified, proposed) scored ≥ score_threshold [70]
//                 → info per opportunity; seat utilisation Σ seats_used / Σ seats_purchased over the contracts
//                 covering D (not cancelled, both known, purchased > 0) ≥ seat_utilisation [0.9] → info.
//   renewal       open renewals (stage upcoming or in_progress) due D … D+180: within 90 days without the T−90
//                 checkpoint → warning; else within 180 days without the T−180 checkpoint → info (DESIGN.md §4,
//                 checkpoints); and at risk — p(renew) < at_risk_probability [0.5], or the latest health score
//                 dated within the last 30 days is red — within at_risk_within_days [180] → critical.
//
// Alerts carry a dedupe_key. At most one unresolved alert exists per key (the partial unique index
// ux_alerts_dedupe_open): a finding whose alert is still open or acknowledged raises nothing. Findings about a
// state (churn risk, usage drop, overdue onboarding, stalled plan, seat utilisation, renewal at risk) are raised
// again after their alert was resolved only once cooldown_days [7] have passed since; findings about an event
// (one survey answer, one ticket's SLA, one opportunity, one renewal checkpoint) are raised once per key, ever.
//
// Never two runs at once: a run first takes the monitor's lease in the database,
//     UPDATE monitors SET running_since = now WHERE kind = ? AND (running_since IS NULL OR running_since < now − 30
//     min)
// and goes ahead only when that changed a row, so two app instances on one PostgreSQL cannot both run it (a
// lease older than kLeaseStaleMinutes belongs to a crashed run and may be taken over). runDue() also requires
// next_run_at ≤ now in that same statement, so a due monitor runs once even when two schedulers race. The alerts,
// the run row's outcome and the monitor's last/next run and lease release commit in one transaction.

// What a monitor checks and its defaults (list_available_workers).
struct MonitorDefinition
{
    Domain::MonitorKind kind = Domain::MonitorKind::ChurnRisk;
    QString name;
    QString description;
    int defaultScheduleMinutes = 60;
    QVariantMap defaultConfig;
};

namespace Monitors {
QList<MonitorDefinition> definitions();
MonitorDefinition definition(Domain::MonitorKind kind);
// Validates `config` for the kind and fills in every default.
Result<QVariantMap> normalizeConfig(Domain::MonitorKind kind, const QVariantMap &config);
} // namespace Monitors

// Σ used / Σ purchased; empty when purchased ≤ 0.
std::optional<double> seatUtilisation(qint64 seatsUsed, qint64 seatsPurchased);

// One thing a monitor found (before deduplication).
struct MonitorFinding
{
    QString customerId; // empty for portfolio-wide findings
    QString kind; // the alert kind: the monitor kind or a sub-kind (overdue_milestone, stalled_plan, ...)
    Domain::AlertSeverity severity = Domain::AlertSeverity::Warning;
    QString title;
    QVariantMap detail;
    QString dedupeKey;
    bool oncePerKey = false; // an event: never raised again for this key once raised
};

struct MonitorStatus
{
    Domain::Monitor monitor;
    QString description;
    QVariantMap effectiveConfig; // defaults filled in
    bool running = false; // holds a lease that is not stale
    qint64 openAlerts = 0; // unresolved alerts of this monitor
    std::optional<Domain::MonitorRun> lastRun;
};

struct MonitorSettings
{
    std::optional<bool> enabled;
    std::optional<int> scheduleMinutes; // 1 .. 43200 (30 days)
    std::optional<QVariantMap> config; // the keys given replace the stored ones; validated as a whole
    bool replaceConfig = false; // true: `config` replaces the stored config entirely
};

struct MonitorRunResult
{
    Domain::MonitorKind kind = Domain::MonitorKind::ChurnRisk;
    Domain::MonitorRun run;
    int findings = 0;
    int suppressed = 0; // findings whose alert is still unresolved, in cooldown, or was raised before
    QList<qint64> alertIds; // the new alerts
};

struct AlertQuery
{
    std::optional<Domain::AlertStatus> status; // unset: open and acknowledged (unresolved)
    bool includeResolved = false; // with status unset: every status
    std::optional<Domain::MonitorKind> monitorKind;
    QString customerId;
    std::optional<Domain::AlertSeverity> severity;
    int limit = 25; // newest first, 1..200
    QString cursor;
};

class MonitorService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MonitorService)

public:
    static constexpr int kLeaseStaleMinutes = 30;
    static constexpr int kMaxScheduleMinutes = 43200;
    static constexpr int kMaxLimit = 200;
    static constexpr int kDefaultCooldownDays = 7;

    MonitorService(const Storage::Database &db, const Clock &clock, QObject *parent = nullptr);

    // Creates the monitors rows that are missing (each enabled, with its default schedule and config, due now)
    // and returns all seven. Safe to call from several instances at once.
    Result<QList<Domain::Monitor>> ensureDefaultMonitors();
    Result<QList<MonitorStatus>> monitors() const; // get_autonomous_status
    Result<MonitorStatus> monitor(Domain::MonitorKind kind) const; // get_worker_config
    // configure_autonomous_worker. A new schedule moves next_run_at to last_run_at + schedule (now when never
    // run). NotFound naming kind when ensureDefaultMonitors() has not created it.
    Result<Domain::Monitor> configure(Domain::MonitorKind kind, const MonitorSettings &settings);

    // Runs one monitor now (trigger_worker_now); disabled monitors too. ErrorCode::Conflict naming kind when a
    // run of it holds the lease (here or in another instance).
    Result<MonitorRunResult> runNow(
        Domain::MonitorKind kind, Domain::MonitorTrigger trigger = Domain::MonitorTrigger::Manual);
    // Runs every enabled monitor whose next_run_at ≤ now, one after the other; a monitor another instance is
    // running is skipped. A monitor that fails is recorded as failed and the others still run.
    Result<QList<MonitorRunResult>> runDue();
    // What a monitor would find now with its stored config, without raising anything.
    Result<QList<MonitorFinding>> findings(Domain::MonitorKind kind) const;
    Result<Storage::Page<Domain::MonitorRun>> runs(
        Domain::MonitorKind kind, int limit = 25, const QString &cursor = {}) const;

    // ---- alerts ----
    Result<Storage::Page<Domain::Alert>> alerts(const AlertQuery &query = {}) const;
    Result<Domain::Alert> alert(qint64 alertId) const;
    Result<Domain::Alert> acknowledge(qint64 alertId, const QString &by);
    Result<Domain::Alert> resolve(qint64 alertId, const QString &by);

Q_SIGNALS:
    void alertRaised(qint64 alertId);
    void alertChanged(qint64 alertId);
    void monitorChanged(const QString &kind);
    void monitorRunFinished(const QString &kind, qint64 runId);

private:
    Result<QList<MonitorFinding>> evaluate(Domain::MonitorKind kind, const QVariantMap &config) const;
    Result<MonitorRunResult> runLeased(const Domain::Monitor &monitor, Domain::MonitorTrigger trigger);
    Result<Domain::Monitor> monitorRow(Domain::MonitorKind kind) const;
    // True when this call took the lease (see the header comment); false when another run holds it.
    Result<bool> takeLease(Domain::MonitorKind kind, bool onlyWhenDue);
    Status recordFailure(
        const Domain::Monitor &monitor, qint64 runId, const QDateTime &startedAt, const QString &error);

    const Storage::Database &m_db;
    const Clock &m_clock;
};

// Calls MonitorService::runDue() every `interval` on the thread it lives on (move it to a worker thread to keep
// the runs off the GUI thread; the app's composition root owns it). Runs never overlap: runDue() is synchronous
// and the database lease guards against other instances.
class MonitorScheduler final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MonitorScheduler)

public:
    static constexpr int kDefaultIntervalMs = 60'000;

    explicit MonitorScheduler(MonitorService &service, int intervalMs = kDefaultIntervalMs, QObject *parent = nullptr);

    // Call on the scheduler's thread (or through a queued invokeMethod). start() runs a first tick at once.
    void start();
    void stop();
    bool isActive() const;
    int intervalMs() const;
    void setIntervalMs(int intervalMs);
    // One round of runDue(), as the timer does it.
    void tick();

Q_SIGNALS:
    void tickFinished(int monitorsRun, int alertsRaised);
    void tickFailed(const QString &error);

private:
    MonitorService &m_service;
    QTimer *m_timer;
};

} // namespace Core
