// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include "clock.h"
#include "database.h"
#include "error.h"
#include "listquery.h"
#include "operations.h"

namespace Core {

// One MCP tool call as the audit sees it (DESIGN.md §5 "Write tools are audited (who, when, arguments,
// result)"). `arguments` are the validated tool arguments; none of our tools take secrets, and the stored copy
// is capped at kMaxArgumentsBytes.
struct AgentCall
{
    QDateTime occurredAt; // invalid = the clock's now
    QString sessionId;
    QString clientName;
    QString clientVersion;
    QString tool;
    bool isWrite = true;
    QJsonObject arguments;
    QString resultSummary;
    bool isError = false;
    int durationMs = -1; // < 0: unknown (not run yet)
};

// The audit of MCP tool calls over agent_actions, and the "ask me first" approvals of write calls. Lives on the
// thread that uses it (the MCP thread records; the desktop's panel lists on the GUI thread with its own object);
// its signals reach the window queued.
class AgentActivityService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentActivityService)

public:
    static constexpr int kMaxArgumentsBytes = 16 * 1024;
    static constexpr int kMaxSummaryLength = 2000;
    static constexpr int kMaxLimit = 200;

    AgentActivityService(const Storage::Database &db, const Clock &clock, QObject *parent = nullptr);

    // A finished call (approval "none"). Emits actionRecorded.
    Result<Domain::AgentAction> record(const AgentCall &call);
    // A write call that waits for the CSM: stored as "pending" (not run yet). Emits approvalRequested.
    Result<Domain::AgentAction> requestApproval(const AgentCall &call);
    // The CSM's answer to a pending call: approved or denied, by whom, now. A call that is not pending →
    // Conflict naming approval. Emits approvalDecided.
    Result<Domain::AgentAction> decide(qint64 actionId, bool approved, const QString &decidedBy);
    // Fills in the outcome of an approved call once it ran. Emits actionRecorded.
    Result<Domain::AgentAction> complete(qint64 actionId, const QString &resultSummary, bool isError, int durationMs);

    Result<Domain::AgentAction> action(qint64 actionId) const;
    // Newest first, keyset-paged (limit 1..200; cursor from the previous page); no total (-1).
    Result<Storage::Page<Domain::AgentAction>> recent(int limit = 50, const QString &cursor = {}) const;
    // Calls waiting for the CSM, oldest first.
    Result<QList<Domain::AgentAction>> pendingApprovals() const;

    // The arguments as stored: the object itself, or when its compact JSON exceeds kMaxArgumentsBytes a marker
    // object {"truncated": true, "bytes": N, "prefix": "<first bytes of the JSON>"}.
    static QVariantMap storedArguments(const QJsonObject &arguments);

Q_SIGNALS:
    void actionRecorded(qint64 actionId);
    void approvalRequested(qint64 actionId);
    void approvalDecided(qint64 actionId, bool approved);

private:
    Result<Domain::AgentAction> insert(const AgentCall &call, Domain::AgentApproval approval);

    const Storage::Database &m_db;
    const Clock &m_clock;
};

} // namespace Core
