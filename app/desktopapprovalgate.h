// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <functional>
#include <memory>

#include <QHash>
#include <QObject>
#include <QPointer>

#include "approvalprompt.h"
#include "mcpserver.h"

class QWidget;

struct DesktopApprovalAnchor;

// "Ask me first" in the desktop (DESIGN.md §5): the MCP server's ApprovalGate that shows the CSM an ApprovalPrompt
// for each held write call and hands the answer back.
//
// Two halves, because the server calls the gate on the MCP thread and may hold it (a shared_ptr) longer than the
// window lives: DesktopApprovalGate is the thread-safe Mcp::ApprovalGate the server gets (gate()); this QObject
// lives on the GUI thread, owns the prompts and the pending `done` callbacks, and is reached only through queued
// calls. Each `done` runs exactly once: with the CSM's answer, or a denial when the prompt is closed, the window
// goes (closeAll), or this object is destroyed; once it is gone the gate refuses new calls at once.
class DesktopApprovals final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DesktopApprovals)

public:
    // Prompts become transient windows of `promptParent` (the main window) when there is one.
    explicit DesktopApprovals(QWidget *promptParent = nullptr, QObject *parent = nullptr);
    ~DesktopApprovals() override; // denies what is still open: "the desktop app closed"

    // What to pass to Mcp::McpHost / Mcp::Server.
    std::shared_ptr<Mcp::ApprovalGate> gate() const { return m_gate; }

    // Who answers, as the audit records it: the OS user name, else "CSM".
    static QString decidedBy();

    // Denies every open prompt with `reason` and closes it (the window is closing).
    void closeAll(const QString &reason);
    int pendingCount() const { return int(m_pending.size()); }
    Ui::ApprovalPrompt *prompt(qint64 actionId) const;

    // How long a withdrawn prompt stays up with its note (tests set 0).
    void setWithdrawCloseDelay(int ms) { m_withdrawCloseDelayMs = ms; }

    static QString closedReason();

Q_SIGNALS:
    void promptShown(qint64 actionId);
    void promptFinished(qint64 actionId, bool approved);

private:
    friend class DesktopApprovalGate;
    struct Pending
    {
        std::function<void(Mcp::ApprovalDecision)> done;
        QPointer<Ui::ApprovalPrompt> prompt;
    };
    // GUI thread only.
    void show(const Mcp::ApprovalRequest &request, std::function<void(Mcp::ApprovalDecision)> done);
    void withdraw(qint64 actionId);
    void finish(qint64 actionId, bool approved, const QString &reason);

    QPointer<QWidget> m_promptParent;
    QHash<qint64, Pending> m_pending;
    std::shared_ptr<DesktopApprovalAnchor> m_anchor;
    std::shared_ptr<Mcp::ApprovalGate> m_gate;
    int m_withdrawCloseDelayMs = 3000;
};

// The Mcp::ApprovalGate half: callable from any thread; posts to DesktopApprovals on the GUI thread.
class DesktopApprovalGate final : public Mcp::ApprovalGate
{
public:
    explicit DesktopApprovalGate(std::shared_ptr<DesktopApprovalAnchor> anchor);
    void requestApproval(const Mcp::ApprovalRequest &request, std::function<void(Mcp::ApprovalDecision)> done) override;
    void withdraw(qint64 actionId) override;

private:
    std::shared_ptr<DesktopApprovalAnchor> m_anchor;
};
