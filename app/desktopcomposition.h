// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <memory>

#include "mcphost.h"

namespace Core {
class ChangeFeed;
class Clock;
class Services;
} // namespace Core
namespace Storage {
class Database;
}
namespace Ui {
class AgentActivityPanel;
class MainWindow;
} // namespace Ui
class DesktopApprovals;

// The desktop's window and what it shows of the MCP server, wired once for the app (Application) and for what measures
// it (bench_guistall): the main window with the portfolio read on a thread of its own, the agent-activity dock reading
// the audit on this (the GUI) thread, the approval prompts, and — createMcpHost() — the server whose threads yield the
// CPU to this one and whose audit and approvals reach the dock (DESIGN.md §2: no GUI stall over 16 ms while agents
// call tools).
//
// It owns the process's change feed (DESIGN.md §2): the GUI thread's services and the server's (every thread of it)
// report there, and the window's portfolio follows it, so an agent's write shows in the open window at once; on
// PostgreSQL it also hears other desktops (LISTEN/NOTIFY, DESIGN.md §3).
//
// Built on the GUI thread; `db` and `clock` must outlive it. A server made here must go before it (the app's and the
// bench's destructors reset the server first: its thread is joined, then the prompts are denied and the window goes).
class DesktopComposition final
{
    Q_DISABLE_COPY_MOVE(DesktopComposition)

public:
    // How much nicer than the GUI thread the MCP server's threads run (McpHostOptions::backgroundNiceness): with
    // CFS/EEVDF weights, nice 10 has about a tenth of the GUI thread's share when both want a core.
    static constexpr int kMcpNiceness = 10;

    DesktopComposition(const Storage::Database &db, const Core::Clock &clock);
    ~DesktopComposition(); // denies the prompts still open, then closes the window

    Ui::MainWindow &window() const { return *m_window; }
    Ui::AgentActivityPanel &agentPanel() const { return *m_agentPanel; }
    DesktopApprovals &approvals() const { return *m_approvals; }
    // The GUI thread's services (reporting to changeFeed()) and the feed itself.
    Core::Services &services() const { return *m_services; }
    Core::ChangeFeed &changeFeed() const { return *m_feed; }

    // The MCP server under this window (not started): its "ask me first" calls prompt here, its threads run at
    // kMcpNiceness, its audit and approvals reach the agent-activity dock, queued, and its services report to
    // changeFeed().
    std::unique_ptr<Mcp::McpHost> createMcpHost(Mcp::McpHostOptions options) const;

private:
    const Storage::Database &m_db;
    const Core::Clock &m_clock;
    std::unique_ptr<Core::ChangeFeed> m_feed; // declared first: outlives everything that reports or listens
    std::unique_ptr<Core::Services> m_services;
    std::unique_ptr<Ui::MainWindow> m_window;
    Ui::AgentActivityPanel *m_agentPanel = nullptr; // the window's child
    std::unique_ptr<DesktopApprovals> m_approvals;
};
