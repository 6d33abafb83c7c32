// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "desktopcomposition.h"

#include "agentactivitypanel.h"
#include "changefeed.h"
#include "database.h"
#include "desktopapprovalgate.h"
#include "mainwindow.h"
#include "portfoliomodel.h"
#include "services.h"

DesktopComposition::DesktopComposition(const Storage::Database &db, const Core::Clock &clock)
    : m_db(db)
    , m_clock(clock)
    , m_feed(std::make_unique<Core::ChangeFeed>())
    , m_services(std::make_unique<Core::Services>(db, clock, m_feed.get()))
    , m_window(std::make_unique<Ui::MainWindow>(m_services->customers(), db.url().toDisplayString()))
{
    m_feed->listenTo(db); // PostgreSQL: other desktops' changes too
    // A sort or filter reads on the model's own thread: the GUI thread never waits on the query (DESIGN.md §2).
    m_window->portfolioModel()->loadInBackground(db);
    m_window->portfolioModel()->observe(*m_feed);
    // The panel reads the audit through its own service on this (the GUI) thread; the MCP thread records.
    m_agentPanel = new Ui::AgentActivityPanel(db, clock);
    m_window->addAgentDock(m_agentPanel);
    m_approvals = std::make_unique<DesktopApprovals>(m_window.get());
    // Closing the window answers what is still held, while the MCP thread still runs to record the denials.
    QObject::connect(m_window.get(), &Ui::MainWindow::closing, m_approvals.get(),
        [approvals = m_approvals.get()] { approvals->closeAll(DesktopApprovals::closedReason()); });
}

DesktopComposition::~DesktopComposition()
{
    m_approvals.reset(); // denies prompts still open (the server is gone; nobody waits for them)
    m_window.reset();
    m_services.reset();
    m_feed.reset();
}

std::unique_ptr<Mcp::McpHost> DesktopComposition::createMcpHost(Mcp::McpHostOptions options) const
{
    options.backgroundNiceness = kMcpNiceness;
    options.changeFeed = m_feed.get();
    auto host = std::make_unique<Mcp::McpHost>(m_db, m_clock, std::move(options), m_approvals->gate());
    Ui::AgentActivityPanel *panel = m_agentPanel;
    QObject::connect(host.get(), &Mcp::McpHost::actionRecorded, panel, &Ui::AgentActivityPanel::onActionRecorded);
    QObject::connect(host.get(), &Mcp::McpHost::approvalRequested, panel, &Ui::AgentActivityPanel::onApprovalChanged);
    QObject::connect(host.get(), &Mcp::McpHost::approvalDecided, panel,
        [panel](qint64 actionId, bool) { panel->onApprovalChanged(actionId); });
    return host;
}
