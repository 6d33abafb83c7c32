// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "tables_operations.h"

namespace Storage {

using namespace Qt::StringLiterals;
using namespace Domain;

const QList<Column<Monitor>> &TableTraits<Monitor>::columns()
{
    static const QList<Column<Monitor>> list {
        column(u"id"_s, &Monitor::id, KeyColumn | GeneratedKey),
        column(u"kind"_s, &Monitor::kind, Immutable),
        column(u"name"_s, &Monitor::name),
        column(u"is_enabled"_s, &Monitor::isEnabled),
        column(u"schedule_minutes"_s, &Monitor::scheduleMinutes),
        column(u"config"_s, &Monitor::config),
        column(u"last_run_at"_s, &Monitor::lastRunAt),
        column(u"next_run_at"_s, &Monitor::nextRunAt),
        column(u"last_status"_s, &Monitor::lastStatus),
        column(u"last_error"_s, &Monitor::lastError),
        column(u"running_since"_s, &Monitor::runningSince),
    };
    return list;
}

const QList<Column<MonitorRun>> &TableTraits<MonitorRun>::columns()
{
    static const QList<Column<MonitorRun>> list {
        column(u"id"_s, &MonitorRun::id, KeyColumn | GeneratedKey),
        column(u"monitor_id"_s, &MonitorRun::monitorId, Immutable),
        column(u"triggered_by"_s, &MonitorRun::triggeredBy, Immutable),
        column(u"started_at"_s, &MonitorRun::startedAt),
        column(u"finished_at"_s, &MonitorRun::finishedAt),
        column(u"status"_s, &MonitorRun::status),
        column(u"customers_checked"_s, &MonitorRun::customersChecked),
        column(u"alerts_raised"_s, &MonitorRun::alertsRaised),
        column(u"error"_s, &MonitorRun::error),
    };
    return list;
}

const QList<Column<Alert>> &TableTraits<Alert>::columns()
{
    static const QList<Column<Alert>> list {
        column(u"id"_s, &Alert::id, KeyColumn | GeneratedKey),
        column(u"monitor_id"_s, &Alert::monitorId, Immutable),
        column(u"customer_id"_s, &Alert::customerId, Immutable),
        column(u"kind"_s, &Alert::kind),
        column(u"severity"_s, &Alert::severity),
        column(u"title"_s, &Alert::title),
        column(u"detail"_s, &Alert::detail),
        column(u"status"_s, &Alert::status),
        column(u"dedupe_key"_s, &Alert::dedupeKey),
        column(u"raised_at"_s, &Alert::raisedAt),
        column(u"acknowledged_at"_s, &Alert::acknowledgedAt),
        column(u"acknowledged_by"_s, &Alert::acknowledgedBy),
        column(u"resolved_at"_s, &Alert::resolvedAt),
        column(u"resolved_by"_s, &Alert::resolvedBy),
    };
    return list;
}

const QList<Column<TimelineEvent>> &TableTraits<TimelineEvent>::columns()
{
    static const QList<Column<TimelineEvent>> list {
        column(u"id"_s, &TimelineEvent::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &TimelineEvent::customerId, Immutable),
        column(u"occurred_at"_s, &TimelineEvent::occurredAt, NotNull),
        column(u"kind"_s, &TimelineEvent::kind),
        column(u"title"_s, &TimelineEvent::title),
        column(u"detail"_s, &TimelineEvent::detail),
        column(u"source_table"_s, &TimelineEvent::sourceTable),
        column(u"source_id"_s, &TimelineEvent::sourceId),
        column(u"actor"_s, &TimelineEvent::actor),
    };
    return list;
}

const QList<Column<AgentAction>> &TableTraits<AgentAction>::columns()
{
    static const QList<Column<AgentAction>> list {
        column(u"id"_s, &AgentAction::id, KeyColumn | GeneratedKey),
        column(u"occurred_at"_s, &AgentAction::occurredAt, NotNull),
        column(u"session_id"_s, &AgentAction::sessionId),
        column(u"client_name"_s, &AgentAction::clientName),
        column(u"client_version"_s, &AgentAction::clientVersion),
        column(u"tool"_s, &AgentAction::tool),
        column(u"is_write"_s, &AgentAction::isWrite),
        column(u"customer_id"_s, &AgentAction::customerId, Immutable),
        column(u"arguments"_s, &AgentAction::arguments),
        column(u"result_summary"_s, &AgentAction::resultSummary),
        column(u"is_error"_s, &AgentAction::isError),
        column(u"approval"_s, &AgentAction::approval),
        column(u"approved_by"_s, &AgentAction::approvedBy),
        column(u"decided_at"_s, &AgentAction::decidedAt),
        column(u"duration_ms"_s, &AgentAction::durationMs),
    };
    return list;
}

const QList<Column<OutboxMessage>> &TableTraits<OutboxMessage>::columns()
{
    static const QList<Column<OutboxMessage>> list {
        column(u"id"_s, &OutboxMessage::id, KeyColumn | GeneratedKey),
        column(u"kind"_s, &OutboxMessage::kind),
        column(u"target"_s, &OutboxMessage::target),
        column(u"customer_id"_s, &OutboxMessage::customerId, Immutable),
        column(u"payload"_s, &OutboxMessage::payload),
        column(u"idempotency_key"_s, &OutboxMessage::idempotencyKey, Immutable),
        column(u"status"_s, &OutboxMessage::status),
        column(u"attempts"_s, &OutboxMessage::attempts),
        column(u"next_attempt_at"_s, &OutboxMessage::nextAttemptAt),
        column(u"last_error"_s, &OutboxMessage::lastError),
        column(u"external_id"_s, &OutboxMessage::externalId),
        column(u"delivered_at"_s, &OutboxMessage::deliveredAt),
    };
    return list;
}

const QList<Column<IntegrationSyncState>> &TableTraits<IntegrationSyncState>::columns()
{
    static const QList<Column<IntegrationSyncState>> list {
        column(u"id"_s, &IntegrationSyncState::id, KeyColumn | GeneratedKey),
        column(u"integration"_s, &IntegrationSyncState::integration, Immutable),
        column(u"stream"_s, &IntegrationSyncState::stream, Immutable),
        column(u"sync_cursor"_s, &IntegrationSyncState::syncCursor),
        column(u"last_synced_at"_s, &IntegrationSyncState::lastSyncedAt),
        column(u"last_success_at"_s, &IntegrationSyncState::lastSuccessAt),
        column(u"last_status"_s, &IntegrationSyncState::lastStatus),
        column(u"last_error"_s, &IntegrationSyncState::lastError),
        column(u"items_synced"_s, &IntegrationSyncState::itemsSynced),
    };
    return list;
}

const QList<Column<AppSetting>> &TableTraits<AppSetting>::columns()
{
    static const QList<Column<AppSetting>> list {
        column(u"key"_s, &AppSetting::key, KeyColumn | Immutable),
        column(u"value"_s, &AppSetting::value),
    };
    return list;
}

} // namespace Storage
