// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "desktopapprovalgate.h"

#include <QMutex>
#include <QMutexLocker>
#include <QWidget>

using namespace Qt::StringLiterals;

// What the gate (any thread) knows of the GUI half: a pointer cleared under the mutex before the GUI half goes, so a
// call posted while holding the mutex always reaches a live object (and Qt drops events posted to an object when it
// is destroyed).
struct DesktopApprovalAnchor
{
    QMutex mutex;
    DesktopApprovals *approvals = nullptr;
};

DesktopApprovalGate::DesktopApprovalGate(std::shared_ptr<DesktopApprovalAnchor> anchor)
    : m_anchor(std::move(anchor))
{ }

void DesktopApprovalGate::requestApproval(
    const Mcp::ApprovalRequest &request, std::function<void(Mcp::ApprovalDecision)> done)
{
    {
        QMutexLocker lock(&m_anchor->mutex);
        if (DesktopApprovals *approvals = m_anchor->approvals) {
            QMetaObject::invokeMethod(
                approvals, [approvals, request, done] { approvals->show(request, done); }, Qt::QueuedConnection);
            return;
        }
    }
    done(Mcp::ApprovalDecision { false, DesktopApprovals::decidedBy(), DesktopApprovals::closedReason() });
}

void DesktopApprovalGate::withdraw(qint64 actionId)
{
    QMutexLocker lock(&m_anchor->mutex);
    if (DesktopApprovals *approvals = m_anchor->approvals)
        QMetaObject::invokeMethod(
            approvals, [approvals, actionId] { approvals->withdraw(actionId); }, Qt::QueuedConnection);
}

DesktopApprovals::DesktopApprovals(QWidget *promptParent, QObject *parent)
    : QObject(parent)
    , m_promptParent(promptParent)
    , m_anchor(std::make_shared<DesktopApprovalAnchor>())
{
    m_anchor->approvals = this;
    m_gate = std::make_shared<DesktopApprovalGate>(m_anchor);
}

DesktopApprovals::~DesktopApprovals()
{
    {
        QMutexLocker lock(&m_anchor->mutex);
        m_anchor->approvals = nullptr;
    }
    closeAll(closedReason());
}

QString DesktopApprovals::closedReason()
{
    return u"the desktop app closed"_s;
}

QString DesktopApprovals::decidedBy()
{
    for (const char *variable : { "USER", "USERNAME" }) {
        const QString name = qEnvironmentVariable(variable).trimmed();
        if (!name.isEmpty())
            return name;
    }
    return u"CSM"_s;
}

Ui::ApprovalPrompt *DesktopApprovals::prompt(qint64 actionId) const
{
    const auto it = m_pending.constFind(actionId);
    return it == m_pending.cend() ? nullptr : it->prompt.data();
}

void DesktopApprovals::show(const Mcp::ApprovalRequest &request, std::function<void(Mcp::ApprovalDecision)> done)
{
    if (m_pending.contains(request.actionId)) {
        // Never two prompts for one call; the server asks once per call, so this answers a stray repeat.
        done(Mcp::ApprovalDecision { false, decidedBy(), u"already waiting for the CSM"_s });
        return;
    }
    Ui::ApprovalItem item { request.actionId, request.clientName, request.tool, request.toolTitle, request.toolset,
        request.arguments };
    auto *prompt = new Ui::ApprovalPrompt(std::move(item), m_promptParent);
    prompt->setAttribute(Qt::WA_DeleteOnClose);
    m_pending.insert(request.actionId, Pending { std::move(done), prompt });
    connect(prompt, &Ui::ApprovalPrompt::decided, this,
        [this](qint64 actionId, bool approved, const QString &reason) { finish(actionId, approved, reason); });
    // A prompt that goes without an answer (its parent window closed and took it along) denies.
    const qint64 actionId = request.actionId;
    connect(prompt, &QObject::destroyed, this, [this, actionId] { finish(actionId, false, closedReason()); });
    prompt->show();
    prompt->raise();
    prompt->activateWindow();
    Q_EMIT promptShown(actionId);
}

void DesktopApprovals::withdraw(qint64 actionId)
{
    const auto it = m_pending.find(actionId);
    if (it == m_pending.end())
        return;
    // The server ignores any answer now; nothing more to call.
    Pending pending = std::move(it.value());
    m_pending.erase(it);
    if (pending.prompt)
        pending.prompt->withdraw(m_withdrawCloseDelayMs);
    Q_EMIT promptFinished(actionId, false);
}

void DesktopApprovals::finish(qint64 actionId, bool approved, const QString &reason)
{
    const auto it = m_pending.find(actionId);
    if (it == m_pending.end())
        return; // answered already (the prompt's destruction after its answer lands here)
    Pending pending = std::move(it.value());
    m_pending.erase(it);
    pending.done(Mcp::ApprovalDecision { approved, decidedBy(), reason });
    Q_EMIT promptFinished(actionId, approved);
}

void DesktopApprovals::closeAll(const QString &reason)
{
    const QList<qint64> ids = m_pending.keys();
    for (qint64 id : ids) {
        QPointer<Ui::ApprovalPrompt> prompt = m_pending.value(id).prompt;
        finish(id, false, reason);
        if (prompt) {
            prompt->disconnect(this);
            prompt->close();
        }
    }
}
