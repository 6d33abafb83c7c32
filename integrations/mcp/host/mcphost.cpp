// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "mcphost.h"

#include <unistd.h>

#include <QLoggingCategory>

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

// The objects of the MCP thread, built there (Qt Sql connections, sockets and timers belong to the thread that
// made them) and destroyed there.
class HostWorker final : public QObject
{
    Q_OBJECT

public:
    HostWorker(const Storage::Database &db, const Core::Clock &clock, McpHostOptions options,
        std::shared_ptr<ApprovalGate> gate)
        : m_db(db)
        , m_clock(clock)
        , m_options(std::move(options))
        , m_gate(std::move(gate))
    { }

    void build()
    {
        m_services = std::make_unique<Core::Services>(m_db, m_clock);
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
        for (const QString &toolset : std::as_const(m_options.toolsets)) {
            if (!m_tools.toolsets().contains(toolset))
                return Q_EMIT failed(
                    u"unknown toolset \""_s + toolset + u"\"; known: "_s + m_tools.toolsets().join(u", "_s));
        }

        ServerOptions serverOptions;
        serverOptions.version = m_options.version;
        serverOptions.enabledToolsets = m_options.toolsets;
        serverOptions.askFirstToolsets = m_options.askFirstToolsets;
        serverOptions.instructions = u"CS Desk: the CSM's customer portfolio (accounts, health scores, churn risk, "
                                     u"renewals, onboarding, feedback, support). Find a customer with "
                                     u"resolve_customer or list_clients, then use customer_id with the other tools. "
                                     u"Lists are paged: pass next_cursor back as cursor."_s;
        m_server = std::make_unique<Server>(m_tools, m_resources, m_prompts, *m_services, serverOptions);
        m_server->setApprovalGate(m_gate ? m_gate : std::make_shared<HeadlessApprovalGate>());

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

private:
    const Storage::Database &m_db;
    const Core::Clock &m_clock;
    McpHostOptions m_options;
    std::shared_ptr<ApprovalGate> m_gate;
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
    m_worker = new HostWorker(m_db, m_clock, m_options, m_gate);
    connect(m_worker, &HostWorker::started, this, &McpHost::started);
    connect(m_worker, &HostWorker::failed, this, &McpHost::failed);
    connect(m_worker, &HostWorker::finished, this, &McpHost::finished);
    if (m_options.transport == McpHostOptions::Transport::Stdio) {
        QMetaObject::invokeMethod(m_worker, &HostWorker::build, Qt::QueuedConnection);
        return;
    }
    m_worker->moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(m_worker, &HostWorker::build, Qt::QueuedConnection);
}

} // namespace Mcp

#include "mcphost.moc"
