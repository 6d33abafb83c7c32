// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "operations.h"

#include <QRegularExpression>

#include "validation.h"

namespace Domain {

using namespace Qt::StringLiterals;

namespace {
constexpr int NameMax = 200;
constexpr int TextMax = 10000;

void requiredTime(Validator &v, const QString &field, const QDateTime &value)
{
    v.check(value.isValid(), field, u"is required"_s);
}

void notBefore(Validator &v, const QString &laterField, const QDateTime &later, const QString &earlierField,
    const QDateTime &earlier)
{
    v.check(!later.isValid() || !earlier.isValid() || later >= earlier, laterField,
        u"must not be before "_s + earlierField);
}

void optionalCustomerId(Validator &v, const QString &field, const QString &id)
{
    if (!id.isEmpty())
        v.customerId(field, id);
}

void notNegative(Validator &v, const QString &field, int value)
{
    v.check(value >= 0, field, u"must not be negative"_s);
}
} // namespace

bool isSecretLookingSettingKey(QStringView key)
{
    // The schema's CHECK uses LIKE '%api_key%' and '%access_token%', where '_' matches any one character;
    // `.?` here covers that and the spellings without a separator.
    static const QRegularExpression secret(u"password|passwd|secret|token|credential|api.?key|private.?key"_s,
        QRegularExpression::CaseInsensitiveOption | QRegularExpression::DotMatchesEverythingOption);
    return secret.match(key).hasMatch();
}

Core::Status Monitor::validate() const
{
    Validator v;
    v.enumValue(u"kind"_s, kind)
        .maxLength(u"name"_s, name, NameMax)
        .range(u"schedule_minutes"_s, scheduleMinutes, 1, 30 * 24 * 60)
        .enumValue(u"last_status"_s, lastStatus);
    return v.result();
}

Core::Status MonitorRun::validate() const
{
    Validator v;
    v.positiveId(u"monitor_id"_s, monitorId).enumValue(u"triggered_by"_s, triggeredBy);
    requiredTime(v, u"started_at"_s, startedAt);
    notBefore(v, u"finished_at"_s, finishedAt, u"started_at"_s, startedAt);
    v.enumValue(u"status"_s, status)
        .check(status == MonitorRunStatus::Running || finishedAt.isValid(), u"finished_at"_s,
            u"is required once the run is over"_s);
    notNegative(v, u"customers_checked"_s, customersChecked);
    notNegative(v, u"alerts_raised"_s, alertsRaised);
    return v.result();
}

Core::Status Alert::validate() const
{
    Validator v;
    if (monitorId)
        v.positiveId(u"monitor_id"_s, *monitorId);
    optionalCustomerId(v, u"customer_id"_s, customerId);
    v.required(u"kind"_s, kind)
        .maxLength(u"kind"_s, kind, 100)
        .enumValue(u"severity"_s, severity)
        .required(u"title"_s, title)
        .maxLength(u"title"_s, title, 500)
        .enumValue(u"status"_s, status)
        .maxLength(u"dedupe_key"_s, dedupeKey, 300);
    requiredTime(v, u"raised_at"_s, raisedAt);
    notBefore(v, u"acknowledged_at"_s, acknowledgedAt, u"raised_at"_s, raisedAt);
    notBefore(v, u"resolved_at"_s, resolvedAt, u"raised_at"_s, raisedAt);
    v.check(status != AlertStatus::Acknowledged || acknowledgedAt.isValid(), u"acknowledged_at"_s,
         u"is required when status is acknowledged"_s)
        .maxLength(u"acknowledged_by"_s, acknowledgedBy, NameMax)
        .check(status != AlertStatus::Resolved || resolvedAt.isValid(), u"resolved_at"_s,
            u"is required when status is resolved"_s)
        .maxLength(u"resolved_by"_s, resolvedBy, NameMax);
    return v.result();
}

Core::Status TimelineEvent::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId);
    requiredTime(v, u"occurred_at"_s, occurredAt);
    v.enumValue(u"kind"_s, kind)
        .required(u"title"_s, title)
        .maxLength(u"title"_s, title, 500)
        .maxLength(u"source_table"_s, sourceTable, 100)
        .maxLength(u"source_id"_s, sourceId, NameMax)
        .check(sourceId.isEmpty() || !sourceTable.isEmpty(), u"source_table"_s, u"is required when source_id is set"_s)
        .maxLength(u"actor"_s, actor, NameMax);
    return v.result();
}

Core::Status AgentAction::validate() const
{
    static const QRegularExpression toolName(u"^[a-zA-Z0-9_-]{1,64}$"_s);
    Validator v;
    requiredTime(v, u"occurred_at"_s, occurredAt);
    v.maxLength(u"session_id"_s, sessionId, NameMax)
        .maxLength(u"client_name"_s, clientName, NameMax)
        .maxLength(u"client_version"_s, clientVersion, 100)
        .check(toolName.match(tool).hasMatch(), u"tool"_s, u"must match ^[a-zA-Z0-9_-]{1,64}$"_s);
    optionalCustomerId(v, u"customer_id"_s, customerId);
    v.maxLength(u"result_summary"_s, resultSummary, TextMax)
        .enumValue(u"approval"_s, approval)
        .check(
            approval == AgentApproval::NotRequired || isWrite, u"approval"_s, u"only write calls wait for approval"_s)
        .maxLength(u"approved_by"_s, approvedBy, NameMax)
        .check(!(approval == AgentApproval::Approved || approval == AgentApproval::Denied) || decidedAt.isValid(),
            u"decided_at"_s, u"is required once the call is approved or denied"_s);
    notBefore(v, u"decided_at"_s, decidedAt, u"occurred_at"_s, occurredAt);
    if (durationMs)
        notNegative(v, u"duration_ms"_s, *durationMs);
    return v.result();
}

Core::Status OutboxMessage::validate() const
{
    Validator v;
    v.enumValue(u"kind"_s, kind).enumValue(u"target"_s, target);
    optionalCustomerId(v, u"customer_id"_s, customerId);
    v.required(u"idempotency_key"_s, idempotencyKey)
        .maxLength(u"idempotency_key"_s, idempotencyKey, 200)
        .enumValue(u"status"_s, status);
    notNegative(v, u"attempts"_s, attempts);
    requiredTime(v, u"next_attempt_at"_s, nextAttemptAt);
    v.maxLength(u"external_id"_s, externalId, NameMax)
        .check(status != OutboxStatus::Delivered || deliveredAt.isValid(), u"delivered_at"_s,
            u"is required when status is delivered"_s);
    return v.result();
}

Core::Status IntegrationSyncState::validate() const
{
    Validator v;
    v.enumValue(u"integration"_s, integration)
        .required(u"stream"_s, stream)
        .maxLength(u"stream"_s, stream, 100)
        .enumValue(u"last_status"_s, lastStatus);
    notNegative(v, u"items_synced"_s, itemsSynced);
    return v.result();
}

Core::Status AppSetting::validate() const
{
    Validator v;
    v.required(u"key"_s, key)
        .maxLength(u"key"_s, key, 200)
        .check(!isSecretLookingSettingKey(key), u"key"_s,
            u"looks like a secret; secrets belong in the system keychain, not in settings"_s)
        .maxLength(u"value"_s, value, 100000);
    return v.result();
}

} // namespace Domain
