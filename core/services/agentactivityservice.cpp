// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "agentactivityservice.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlRecord>

#include "sql.h"
#include "tables_operations.h"

Q_LOGGING_CATEGORY(lcAgentActivity, "cs.services.agentactivity")

namespace Core {

using namespace Qt::StringLiterals;
using Domain::AgentAction;
using Domain::AgentApproval;

namespace {

// The customer a call concerns, for the per-customer view of the audit; only a live customer id is kept
// (agent_actions.customer_id is a foreign key, and an agent may well send an id that does not exist).
QString concernedCustomer(const Storage::Database &db, const QJsonObject &arguments)
{
    const QString id = arguments.value(u"customer_id"_s).toString();
    if (id.isEmpty() || id.size() > 200)
        return {};
    auto q = Storage::exec(db, u"SELECT 1 FROM customers WHERE id = ?"_s, { id });
    return q && q->next() ? id : QString();
}

QString cut(const QString &text, int length)
{
    return text.size() <= length ? text : text.left(length - 1) + u'…';
}

} // namespace

AgentActivityService::AgentActivityService(const Storage::Database &db, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
{ }

QVariantMap AgentActivityService::storedArguments(const QJsonObject &arguments)
{
    const QByteArray json = QJsonDocument(arguments).toJson(QJsonDocument::Compact);
    if (json.size() <= kMaxArgumentsBytes)
        return arguments.toVariantMap();
    // Cut on a UTF-8 character boundary, leaving room for the marker's own keys.
    qsizetype end = kMaxArgumentsBytes - 256;
    while (end > 0 && (uchar(json.at(end)) & 0xC0) == 0x80)
        --end;
    return QVariantMap {
        { u"truncated"_s, true },
        { u"bytes"_s, qint64(json.size()) },
        { u"prefix"_s, QString::fromUtf8(json.left(end)) },
    };
}

Result<AgentAction> AgentActivityService::insert(const AgentCall &call, AgentApproval approval)
{
    AgentAction action;
    action.occurredAt = call.occurredAt.isValid() ? call.occurredAt.toUTC() : m_clock.now();
    action.sessionId = call.sessionId;
    action.clientName = cut(call.clientName, 200);
    action.clientVersion = cut(call.clientVersion, 100);
    action.tool = call.tool;
    action.isWrite = call.isWrite || approval != AgentApproval::NotRequired;
    action.customerId = concernedCustomer(m_db, call.arguments);
    action.arguments = storedArguments(call.arguments);
    action.resultSummary = cut(call.resultSummary, kMaxSummaryLength);
    action.isError = call.isError;
    action.approval = approval;
    if (call.durationMs >= 0)
        action.durationMs = call.durationMs;
    return Storage::AgentActionRepository(m_db).create(action);
}

Result<AgentAction> AgentActivityService::record(const AgentCall &call)
{
    auto stored = insert(call, AgentApproval::NotRequired);
    if (!stored)
        qCWarning(lcAgentActivity) << "could not audit a call of" << call.tool << ":" << stored.error().toString();
    else
        Q_EMIT actionRecorded(stored->id);
    return stored;
}

Result<AgentAction> AgentActivityService::requestApproval(const AgentCall &call)
{
    AgentCall pending = call;
    pending.isWrite = true;
    pending.durationMs = -1;
    auto stored = insert(pending, AgentApproval::Pending);
    if (stored)
        Q_EMIT approvalRequested(stored->id);
    return stored;
}

Result<AgentAction> AgentActivityService::decide(qint64 actionId, bool approved, const QString &decidedBy)
{
    auto action = this->action(actionId);
    if (!action)
        return action.error();
    if (action->approval != AgentApproval::Pending)
        return Error::conflict(u"approval"_s,
            u"agent action %1 is not waiting for approval (it is %2)"_s.arg(actionId).arg(
                Domain::enumName(action->approval)));
    action->approval = approved ? AgentApproval::Approved : AgentApproval::Denied;
    action->approvedBy = cut(decidedBy, 200);
    action->decidedAt = std::max(m_clock.now(), action->occurredAt);
    if (!approved) {
        action->isError = true;
        if (action->resultSummary.isEmpty())
            action->resultSummary = u"denied"_s;
    }
    auto updated = Storage::AgentActionRepository(m_db).update(*action);
    if (updated)
        Q_EMIT approvalDecided(actionId, approved);
    return updated;
}

Result<AgentAction> AgentActivityService::complete(
    qint64 actionId, const QString &resultSummary, bool isError, int durationMs)
{
    auto action = this->action(actionId);
    if (!action)
        return action.error();
    action->resultSummary = cut(resultSummary, kMaxSummaryLength);
    action->isError = isError;
    action->durationMs = std::max(0, durationMs);
    auto updated = Storage::AgentActionRepository(m_db).update(*action);
    if (updated)
        Q_EMIT actionRecorded(actionId);
    return updated;
}

Result<AgentAction> AgentActivityService::action(qint64 actionId) const
{
    return Storage::AgentActionRepository(m_db).get(actionId);
}

Result<Storage::Page<AgentAction>> AgentActivityService::recent(int limit, const QString &cursor) const
{
    if (limit < 1 || limit > kMaxLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(kMaxLimit));
    Storage::ListQuery query;
    query.orderBy = u"occurred_at"_s;
    query.descending = true;
    query.limit = limit;
    query.cursor = cursor;
    query.countTotal = false; // the audit only grows; nobody pages it by a total (the panel refreshes often)
    return Storage::AgentActionRepository(m_db).list(query);
}

Result<QList<AgentAction>> AgentActivityService::pendingApprovals() const
{
    using Repo = Storage::AgentActionRepository;
    auto rows = Storage::exec(m_db,
        u"SELECT "_s + Repo::selectList()
            + u" FROM agent_actions WHERE approval = 'pending' ORDER BY occurred_at, id"_s);
    if (!rows)
        return rows.error();
    QList<AgentAction> pending;
    const QSqlRecord rec = rows->record();
    while (rows->next())
        pending << Repo::fromRow(*rows, rec);
    return pending;
}

} // namespace Core
