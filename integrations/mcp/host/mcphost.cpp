// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "mcphost.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>

#include <QLoggingCategory>
#include <QThread>

#include "agentactivityservice.h"
#include "changefeed.h"
#include "conformancefixtures.h"
#include "httpserver.h"
#include "mcpserver.h"
#include "promptregistry.h"
#include "resourceregistry.h"
#include "services.h"
#include "stdiotransport.h"
#include "streamablehttp.h"
#include "toolregistry.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHost, "cs.mcp.host")

namespace Mcp {

namespace {

// The calling thread's niceness (Linux: per thread), or nullopt where there is none to read.
std::optional<int> threadNiceness()
{
#ifdef Q_OS_LINUX
    errno = 0; // -1 is a valid niceness: only errno tells a failure
    const int niceness = getpriority(PRIO_PROCESS, id_t(gettid()));
    if (errno != 0)
        return std::nullopt;
    return niceness;
#else
    return std::nullopt;
#endif
}

// Sets the calling thread's niceness to `niceness` (absolute: pool threads inherit their creator's niceness, so a
// relative step would add up). QThread::setPriority does nothing under SCHED_OTHER on Linux; per-thread niceness
// does: Linux takes the thread id as a process id here and applies it to that thread alone (setpriority(2), BUGS).
// A failure is logged once (a niceness above the thread's own cannot be refused, but a sandbox can refuse the call)
// and is not fatal: the server works, only the GUI may stall more.
void setThreadNiceness(int niceness)
{
#ifdef Q_OS_LINUX
    thread_local bool applied = false; // pool threads call this before every tool call they run
    if (applied)
        return;
    applied = true;
    if (setpriority(PRIO_PROCESS, id_t(gettid()), niceness) == 0)
        return;
    const int error = errno;
    static std::atomic_bool warned = false;
    if (!warned.exchange(true))
        qCWarning(lcHost) << "could not lower the MCP threads' priority to niceness" << niceness << ":"
                          << std::strerror(error);
#else
    Q_UNUSED(niceness)
    QThread::currentThread()->setPriority(QThread::LowPriority);
#endif
}

} // namespace

// The objects of the MCP thread, built there (Qt Sql connections, sockets and timers belong to the thread that
// made them) and destroyed there.
class HostWorker final : public QObject
{
    Q_OBJECT

public:
    // `niceness`: what the server's threads set theirs to (McpHostOptions::backgroundNiceness); nullopt = leave it.
    HostWorker(const Storage::Database &db, const Core::Clock &clock, McpHostOptions options,
        std::shared_ptr<ApprovalGate> gate, std::optional<int> niceness)
        : m_db(db)
        , m_clock(clock)
        , m_options(std::move(options))
        , m_gate(std::move(gate))
        , m_niceness(niceness)
    { }

    void build()
    {
        if (m_niceness)
            setThreadNiceness(*m_niceness); // this, the MCP thread
        m_services = std::make_unique<Core::Services>(m_db, m_clock, m_options.changeFeed);
        if (auto ok = m_services->ensureDefaults(); !ok)
            return Q_EMIT failed(u"first-run defaults failed: "_s + ok.error().toString());
        // The conformance suite's client reads only the first page of tools/list, so its fixtures come first.
        if (m_options.conformanceFixtures)
            registerConformanceFixtures(m_tools, m_resources, m_prompts);
        const QStringList errors = registerAllTools(m_tools);
        registerCsResources(m_resources);
        registerCsPrompts(m_prompts);
        if (!errors.isEmpty())
            return Q_EMIT failed(u"MCP tools failed to register: "_s + errors.join(u"; "_s));
        for (const QString &toolset :
            m_options.toolsets + QStringList(m_options.askFirstToolsets.cbegin(), m_options.askFirstToolsets.cend())) {
            if (!m_tools.toolsets().contains(toolset))
                return Q_EMIT failed(
                    u"unknown toolset \""_s + toolset + u"\"; known: "_s + m_tools.toolsets().join(u", "_s));
        }

        ServerOptions serverOptions;
        serverOptions.version = m_options.version;
        serverOptions.enabledToolsets = m_options.toolsets;
        serverOptions.askFirstToolsets = m_options.askFirstToolsets;
        // Over HTTP, read-only tools run beside the thread that parses and answers (DESIGN.md §7: every core
        // serves); stdio answers in order on this thread.
        if (m_options.transport == McpHostOptions::Transport::Http)
            serverOptions.readerThreads = std::clamp(QThread::idealThreadCount(), 1, 8);
        if (m_niceness)
            serverOptions.poolThreadHook = [niceness = *m_niceness] { setThreadNiceness(niceness); };
        serverOptions.instructions = u"CS Desk: the CSM's customer portfolio (accounts, health scores, churn risk, "
                                     u"renewals, onboarding, feedback, support). Find a customer with "
                                     u"resolve_customer or list_clients, then use customer_id with the other tools. "
                                     u"Lists are paged: pass next_cursor back as cursor."_s;
        m_server = std::make_unique<Server>(m_tools, m_resources, m_prompts, *m_services, serverOptions);
        m_server->setApprovalGate(m_gate ? m_gate : std::make_shared<HeadlessApprovalGate>());
        Core::AgentActivityService &activity = m_server->activity();
        connect(&activity, &Core::AgentActivityService::actionRecorded, this, &HostWorker::actionRecorded);
        connect(&activity, &Core::AgentActivityService::approvalRequested, this, &HostWorker::approvalRequested);
        connect(&activity, &Core::AgentActivityService::approvalDecided, this, &HostWorker::approvalDecided);

        if (m_options.transport == McpHostOptions::Transport::Stdio) {
            m_stdio = std::make_unique<StdioTransport>(*m_server, STDIN_FILENO, STDOUT_FILENO);
            connect(m_stdio.get(), &StdioTransport::finished, this, &HostWorker::finished);
            m_stdio->start();
            return Q_EMIT started(0);
        }

        StreamableHttpOptions httpOptions;
        httpOptions.token = m_options.token;
        m_http = std::make_unique<StreamableHttp>(*m_server, m_tools, httpOptions);
        Http::ServerOptions listen;
        listen.port = m_options.port;
        m_listener = std::make_unique<Http::HttpServer>(
            listen, [http = m_http.get()](const Http::HttpRequest &request, Http::Responder &responder) {
                http->handle(request, responder);
            });
        connect(m_listener.get(), &Http::HttpServer::started, this, &HostWorker::started);
        connect(m_listener.get(), &Http::HttpServer::startFailed, this, [this](const QString &message) {
            Q_EMIT failed(u"MCP endpoint on 127.0.0.1:"_s + QString::number(m_options.port) + u": "_s + message);
        });
        m_listener->start();
    }

    void setEnabledToolsets(const QStringList &toolsets)
    {
        if (!m_server)
            return;
        QStringList known;
        for (const QString &toolset : toolsets) {
            if (m_tools.toolsets().contains(toolset))
                known.append(toolset);
        }
        // Every name unknown would read as "every toolset": keep the current choice instead.
        if (known.isEmpty() && !toolsets.isEmpty())
            return;
        m_server->setEnabledToolsets(known);
    }

    void setAskFirstToolsets(const QSet<QString> &toolsets)
    {
        if (m_server)
            m_server->setAskFirstToolsets(toolsets);
    }

    void setToken(const QString &token)
    {
        if (m_http)
            m_http->setToken(token);
    }

    void tearDown()
    {
        if (m_listener)
            m_listener->stop();
        m_listener.reset();
        m_http.reset();
        m_stdio.reset();
        m_server.reset();
        m_services.reset();
    }

Q_SIGNALS:
    void started(quint16 port);
    void failed(const QString &message);
    void finished();
    void actionRecorded(qint64 actionId);
    void approvalRequested(qint64 actionId);
    void approvalDecided(qint64 actionId, bool approved);

private:
    const Storage::Database &m_db;
    const Core::Clock &m_clock;
    McpHostOptions m_options;
    std::shared_ptr<ApprovalGate> m_gate;
    std::optional<int> m_niceness;
    std::unique_ptr<Core::Services> m_services;
    ToolRegistry m_tools;
    ResourceRegistry m_resources;
    PromptRegistry m_prompts;
    std::unique_ptr<Server> m_server;
    std::unique_ptr<StreamableHttp> m_http;
    std::unique_ptr<Http::HttpServer> m_listener;
    std::unique_ptr<StdioTransport> m_stdio;
};

McpHost::McpHost(const Storage::Database &db, const Core::Clock &clock, McpHostOptions options,
    std::shared_ptr<ApprovalGate> gate, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
    , m_options(std::move(options))
    , m_gate(std::move(gate))
{
    m_thread.setObjectName(u"mcp"_s);
    if (!m_options.changeFeed) {
        m_ownFeed = std::make_unique<Core::ChangeFeed>();
        m_ownFeed->listenTo(m_db);
        m_options.changeFeed = m_ownFeed.get();
    }
}

McpHost::~McpHost()
{
    if (!m_worker)
        return;
    if (m_thread.isRunning()) {
        QMetaObject::invokeMethod(
            m_worker,
            [worker = m_worker] {
                worker->tearDown();
                delete worker;
            },
            Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    } else {
        m_worker->tearDown();
        delete m_worker;
    }
}

void McpHost::start()
{
    // Only for the HTTP server's own threads: stdio runs on the caller's thread (and has no window to yield to).
    std::optional<int> niceness;
    if (m_options.backgroundNiceness > 0 && m_options.transport == McpHostOptions::Transport::Http) {
        // Nicer than the caller (the GUI thread) by the step asked for, as one absolute value every thread sets.
        if (const std::optional<int> own = threadNiceness())
            niceness = std::clamp(*own + m_options.backgroundNiceness, -20, 19);
        else
            qCWarning(lcHost) << "cannot read this thread's niceness; the MCP threads keep theirs";
    }
    m_worker = new HostWorker(m_db, m_clock, m_options, m_gate, niceness);
    connect(m_worker, &HostWorker::started, this, &McpHost::started);
    connect(m_worker, &HostWorker::failed, this, &McpHost::failed);
    connect(m_worker, &HostWorker::finished, this, &McpHost::finished);
    connect(m_worker, &HostWorker::actionRecorded, this, &McpHost::actionRecorded);
    connect(m_worker, &HostWorker::approvalRequested, this, &McpHost::approvalRequested);
    connect(m_worker, &HostWorker::approvalDecided, this, &McpHost::approvalDecided);
    if (m_options.transport == McpHostOptions::Transport::Stdio) {
        QMetaObject::invokeMethod(m_worker, &HostWorker::build, Qt::QueuedConnection);
        return;
    }
    m_worker->moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(m_worker, &HostWorker::build, Qt::QueuedConnection);
}

QList<McpHost::ToolsetInfo> McpHost::toolsets()
{
    ToolRegistry registry;
    registerAllTools(registry);
    QList<ToolsetInfo> result;
    for (const QString &name : registry.toolsets()) {
        ToolsetInfo info;
        info.name = name;
        for (const RegisteredTool *registered : registry.tools({ name })) {
            ++info.tools;
            if (registered->tool.writes)
                ++info.writeTools;
            info.toolNames.append(registered->tool.name);
        }
        result.append(info);
    }
    return result;
}

void McpHost::setEnabledToolsets(const QStringList &toolsets)
{
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, [worker = m_worker, toolsets] { worker->setEnabledToolsets(toolsets); });
}

void McpHost::setAskFirstToolsets(const QSet<QString> &toolsets)
{
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, [worker = m_worker, toolsets] { worker->setAskFirstToolsets(toolsets); });
}

void McpHost::setToken(const QString &token)
{
    if (m_worker && !token.isEmpty())
        QMetaObject::invokeMethod(m_worker, [worker = m_worker, token] { worker->setToken(token); });
}

} // namespace Mcp

#include "mcphost.moc"
