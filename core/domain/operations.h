// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Operational records (schema 0008): monitors and their runs and alerts, the customer timeline, the audit of
// agent (MCP) calls, the outbox of outgoing actions, integration sync positions and app settings.
#pragma once

#include <optional>

#include <QDateTime>
#include <QString>
#include <QStringView>
#include <QVariantMap>

#include "enumnames.h"
#include "error.h"
#include "record.h"

namespace Domain {

// ---- monitors and alerts ------------------------------------------------------------------------------------

enum class MonitorKind { ChurnRisk, UsageDrop, Onboarding, Satisfaction, Sla, Upsell, Renewal };
CS_ENUM_NAMES(MonitorKind, { MonitorKind::ChurnRisk, "churn_risk" }, { MonitorKind::UsageDrop, "usage_drop" },
    { MonitorKind::Onboarding, "onboarding" }, { MonitorKind::Satisfaction, "satisfaction" },
    { MonitorKind::Sla, "sla" }, { MonitorKind::Upsell, "upsell" }, { MonitorKind::Renewal, "renewal" });

// How the last finished run ended (monitors.last_status); None = never ran.
enum class MonitorOutcome { None, Succeeded, Failed, Cancelled };
CS_ENUM_NAMES(MonitorOutcome, { MonitorOutcome::None, "" }, { MonitorOutcome::Succeeded, "succeeded" },
    { MonitorOutcome::Failed, "failed" }, { MonitorOutcome::Cancelled, "cancelled" });

enum class MonitorTrigger { Schedule, Manual, Agent };
CS_ENUM_NAMES(MonitorTrigger, { MonitorTrigger::Schedule, "schedule" }, { MonitorTrigger::Manual, "manual" },
    { MonitorTrigger::Agent, "agent" });

enum class MonitorRunStatus { Running, Succeeded, Failed, Cancelled };
CS_ENUM_NAMES(MonitorRunStatus, { MonitorRunStatus::Running, "running" }, { MonitorRunStatus::Succeeded, "succeeded" },
    { MonitorRunStatus::Failed, "failed" }, { MonitorRunStatus::Cancelled, "cancelled" });

enum class AlertSeverity { Info, Warning, Critical };
CS_ENUM_NAMES(AlertSeverity, { AlertSeverity::Info, "info" }, { AlertSeverity::Warning, "warning" },
    { AlertSeverity::Critical, "critical" });

enum class AlertStatus { Open, Acknowledged, Resolved };
CS_ENUM_NAMES(AlertStatus, { AlertStatus::Open, "open" }, { AlertStatus::Acknowledged, "acknowledged" },
    { AlertStatus::Resolved, "resolved" });

// One built-in monitor (one row per kind). runningSince is set while a run is in progress.
struct Monitor
{
    qint64 id = 0;
    MonitorKind kind = MonitorKind::ChurnRisk; // unique
    QString name;
    bool isEnabled = true;
    int scheduleMinutes = 60; // 1 minute .. 30 days
    QVariantMap config; // thresholds of this monitor
    QDateTime lastRunAt;
    QDateTime nextRunAt;
    MonitorOutcome lastStatus = MonitorOutcome::None;
    QString lastError;
    QDateTime runningSince;
    RecordMeta meta; // versioned, never soft-deleted

    Core::Status validate() const;
};

struct MonitorRun
{
    qint64 id = 0;
    qint64 monitorId = 0;
    MonitorTrigger triggeredBy = MonitorTrigger::Schedule;
    QDateTime startedAt; // required
    QDateTime finishedAt; // not before startedAt; required once the run is over
    MonitorRunStatus status = MonitorRunStatus::Running;
    int customersChecked = 0;
    int alertsRaised = 0;
    QString error;
    RecordMeta meta; // log row: no version, no soft delete

    Core::Status validate() const;
};

// Something a monitor (or a service) wants the CSM to see. At most one unresolved alert per dedupeKey.
struct Alert
{
    qint64 id = 0;
    std::optional<qint64> monitorId;
    QString customerId; // optional: portfolio-wide alerts have none
    QString kind; // free text: the monitor kind or a finer sub-kind such as overdue_milestone
    AlertSeverity severity = AlertSeverity::Warning;
    QString title;
    QVariantMap detail;
    AlertStatus status = AlertStatus::Open;
    QString dedupeKey;
    QDateTime raisedAt; // required
    QDateTime acknowledgedAt; // required once acknowledged
    QString acknowledgedBy;
    QDateTime resolvedAt; // required once resolved
    QString resolvedBy;
    RecordMeta meta; // versioned, never soft-deleted

    Core::Status validate() const;
};

// ---- timeline and agent audit -------------------------------------------------------------------------------

enum class TimelineEventKind {
    Note,
    Email,
    Ticket,
    UsageMilestone,
    ScoreChange,
    Renewal,
    Onboarding,
    Feedback,
    Campaign,
    Lifecycle,
    Contract,
    Expansion,
    Escalation,
    Training,
    AgentAction,
    Other
};
CS_ENUM_NAMES(TimelineEventKind, { TimelineEventKind::Note, "note" }, { TimelineEventKind::Email, "email" },
    { TimelineEventKind::Ticket, "ticket" }, { TimelineEventKind::UsageMilestone, "usage_milestone" },
    { TimelineEventKind::ScoreChange, "score_change" }, { TimelineEventKind::Renewal, "renewal" },
    { TimelineEventKind::Onboarding, "onboarding" }, { TimelineEventKind::Feedback, "feedback" },
    { TimelineEventKind::Campaign, "campaign" }, { TimelineEventKind::Lifecycle, "lifecycle" },
    { TimelineEventKind::Contract, "contract" }, { TimelineEventKind::Expansion, "expansion" },
    { TimelineEventKind::Escalation, "escalation" }, { TimelineEventKind::Training, "training" },
    { TimelineEventKind::AgentAction, "agent_action" }, { TimelineEventKind::Other, "other" });

// approval: NotRequired (spelled "none") for calls that need no approval; a write set to "ask me first" is
// Pending until the CSM approves or denies it.
enum class AgentApproval { NotRequired, Pending, Approved, Denied };
CS_ENUM_NAMES(AgentApproval, { AgentApproval::NotRequired, "none" }, { AgentApproval::Pending, "pending" },
    { AgentApproval::Approved, "approved" }, { AgentApproval::Denied, "denied" });

// Every touch on a customer (append-only). sourceTable/sourceId point at the originating row.
struct TimelineEvent
{
    qint64 id = 0;
    QString customerId;
    QDateTime occurredAt; // required
    TimelineEventKind kind = TimelineEventKind::Other;
    QString title;
    QVariantMap detail;
    QString sourceTable;
    QString sourceId; // requires sourceTable
    QString actor;
    RecordMeta meta; // log row: no version, no soft delete

    Core::Status validate() const;
};

// The audit of one MCP tool call. `arguments` must already be redacted of anything secret.
struct AgentAction
{
    qint64 id = 0;
    QDateTime occurredAt; // required
    QString sessionId;
    QString clientName;
    QString clientVersion;
    QString tool; // ^[a-zA-Z0-9_-]{1,64}$ (TOOLS.md)
    bool isWrite = false;
    QString customerId; // optional
    QVariantMap arguments;
    QString resultSummary;
    bool isError = false;
    AgentApproval approval = AgentApproval::NotRequired; // only writes wait for approval
    QString approvedBy;
    QDateTime decidedAt; // required once approved or denied
    std::optional<int> durationMs;
    RecordMeta meta; // log row: no version, no soft delete

    Core::Status validate() const;
};

// ---- outbox, sync state, settings ---------------------------------------------------------------------------

enum class OutboxKind { Email, Ticket, Note, Event };
CS_ENUM_NAMES(OutboxKind, { OutboxKind::Email, "email" }, { OutboxKind::Ticket, "ticket" },
    { OutboxKind::Note, "note" }, { OutboxKind::Event, "event" });

// The vendors we integrate with (outbox targets, sync state).
enum class IntegrationVendor { Zendesk, Intercom, Mixpanel, Sendgrid };
CS_ENUM_NAMES(IntegrationVendor, { IntegrationVendor::Zendesk, "zendesk" }, { IntegrationVendor::Intercom, "intercom" },
    { IntegrationVendor::Mixpanel, "mixpanel" }, { IntegrationVendor::Sendgrid, "sendgrid" });

enum class OutboxStatus { Pending, InFlight, Delivered, Failed, Dead };
CS_ENUM_NAMES(OutboxStatus, { OutboxStatus::Pending, "pending" }, { OutboxStatus::InFlight, "in_flight" },
    { OutboxStatus::Delivered, "delivered" }, { OutboxStatus::Failed, "failed" }, { OutboxStatus::Dead, "dead" });

// How the last sync of a stream ended; None = never synced.
enum class SyncOutcome { None, Succeeded, Failed };
CS_ENUM_NAMES(
    SyncOutcome, { SyncOutcome::None, "" }, { SyncOutcome::Succeeded, "succeeded" }, { SyncOutcome::Failed, "failed" });

// One outgoing action (table `outbox`), written in the same transaction as the change that caused it and
// delivered in the background. The idempotency key makes a second enqueue of the same action fail.
struct OutboxMessage
{
    qint64 id = 0;
    OutboxKind kind = OutboxKind::Email;
    IntegrationVendor target = IntegrationVendor::Sendgrid;
    QString customerId; // optional
    QVariantMap payload;
    QString idempotencyKey; // required, unique
    OutboxStatus status = OutboxStatus::Pending;
    int attempts = 0;
    QDateTime nextAttemptAt; // required
    QString lastError;
    QString externalId;
    QDateTime deliveredAt; // required once delivered
    RecordMeta meta; // no version, no soft delete

    Core::Status validate() const;
};

// Inbound sync position of one stream of one integration (e.g. zendesk/tickets incremental cursor).
struct IntegrationSyncState
{
    qint64 id = 0;
    IntegrationVendor integration = IntegrationVendor::Zendesk;
    QString stream; // unique per integration
    QString syncCursor;
    QDateTime lastSyncedAt;
    QDateTime lastSuccessAt;
    SyncOutcome lastStatus = SyncOutcome::None;
    QString lastError;
    int itemsSynced = 0;
    RecordMeta meta; // no version, no soft delete

    Core::Status validate() const;
};

// A non-secret setting (table `app_settings`, keyed by text). Secrets live in the SecretStore only.
struct AppSetting
{
    QString key;
    QString value;
    RecordMeta meta; // no version, no soft delete

    Core::Status validate() const;
};

// True for a setting key that names a secret (password, secret, token, API key, credential, private key).
// Stricter than the schema's CHECK, which refuses only the most obvious ones.
bool isSecretLookingSettingKey(QStringView key);

} // namespace Domain
