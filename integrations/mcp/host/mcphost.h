// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <memory>

#include <QObject>
#include <QSet>
#include <QStringList>
#include <QThread>

#include "toolregistry.h"

namespace Core {
class ChangeFeed;
class Clock;
} // namespace Core
namespace Storage {
class Database;
}

namespace Mcp {

class ApprovalGate;
class HostWorker;

struct McpHostOptions
{
    enum class Transport { Http, Stdio };
    Transport transport = Transport::Http;
    quint16 port = 0; // Http: 0 = an ephemeral port (see started())
    QString token; // Http: the bearer token; empty only with --mcp-no-auth
    QStringList toolsets; // empty = every toolset
    QSet<QString> askFirstToolsets;
    bool conformanceFixtures = false;
    QString version;
    // > 0: the server's threads (the MCP thread, its reader and worker threads) run this much nicer than the thread
    // that calls start(), so that they yield the CPU to the desktop's GUI thread (DESIGN.md §2: no stall over 16 ms
    // while agents call tools). The desktop sets it under its window; 0 (headless, stdio) leaves them alone.
    int backgroundNiceness = 0;
    // Where the server's services (on every thread of it) report committed changes, and what its resource
    // subscriptions follow: the desktop's feed, shared with the window (it must outlive the host). Null (headless,
    // stdio): the host makes a feed of its own, which on PostgreSQL hears the other desktops.
    Core::ChangeFeed *changeFeed = nullptr;
};

// Everything the MCP server is made of, wired in one place and run on one thread (DESIGN.md §2): the MCP thread's
// own Core::Services, the tool/resource/prompt registries, the protocol core, and the transport — Streamable HTTP
// on 127.0.0.1 on a thread of its own (the desktop's GUI thread never waits on it), or stdio on the caller's thread
// (`--mcp-stdio`, where there is no GUI).
class McpHost final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(McpHost)

public:
    // `db` and `clock` must outlive the host. A null `gate` refuses "ask me first" calls (headless).
    McpHost(const Storage::Database &db, const Core::Clock &clock, McpHostOptions options,
        std::shared_ptr<ApprovalGate> gate = {}, QObject *parent = nullptr);
    ~McpHost() override; // stops the server and joins its thread

    // Builds and starts the server; emits started() or failed().
    void start();

    // What the settings page offers: every toolset with its tools, as the server registers them (also before
    // start(); built from the same registry code, on the caller's thread).
    struct ToolsetInfo
    {
        QString name;
        int tools = 0;
        int writeTools = 0;
        QStringList toolNames;
    };
    static QList<ToolsetInfo> toolsets();

    // Run-time changes from the desktop's settings, applied on the MCP thread (queued; the server announces
    // tools/list_changed to its sessions when the listed tools change). Unknown toolset names are ignored.
    void setEnabledToolsets(const QStringList &toolsets); // empty = every toolset
    void setAskFirstToolsets(const QSet<QString> &toolsets);
    void setToken(const QString &token); // Http only; empty is ignored

Q_SIGNALS:
    void started(quint16 port); // Http: the port listened on; Stdio: 0
    void failed(const QString &message);
    void finished(); // Stdio: the client closed our input
    // The server's audit (Core::AgentActivityService on the MCP thread), forwarded queued so the desktop's panel
    // and approval prompt (each with its own AgentActivityService on the GUI thread) re-read the row.
    void actionRecorded(qint64 actionId);
    void approvalRequested(qint64 actionId);
    void approvalDecided(qint64 actionId, bool approved);

private:
    const Storage::Database &m_db;
    const Core::Clock &m_clock;
    McpHostOptions m_options;
    std::shared_ptr<ApprovalGate> m_gate;
    std::unique_ptr<Core::ChangeFeed> m_ownFeed; // when options.changeFeed is null; outlives m_thread's work
    QThread m_thread;
    HostWorker *m_worker = nullptr; // lives on m_thread (Http) or ours (Stdio)
};

} // namespace Mcp
