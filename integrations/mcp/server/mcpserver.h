// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QThreadPool>
#include <QThreadStorage>
#include <QTimer>

#include "agentactivityservice.h"
#include "error.h"
#include "toolregistry.h"

namespace Core {
struct ChangeBatch;
class Services;
} // namespace Core

namespace Mcp {

class ResourceRegistry;
class PromptRegistry;
struct ServerAnchor;

// The MCP protocol core (JSON-RPC 2.0 over any transport): sessions, lifecycle, dispatch of every method we
// offer. Transport-independent: the transports (stdio, Streamable HTTP) parse bytes into JSON, pick the session,
// hand each message to Server::handleMessage with a ReplyChannel, and write what comes back.

// Revisions we speak, newest first (DESIGN.md §5). The client asks for one in initialize; one we support is
// answered in kind, anything else gets our latest (MCP 2025-11-25 basic/lifecycle §Version Negotiation).
inline const QStringList &supportedProtocolVersions()
{
    static const QStringList versions { QStringLiteral("2025-11-25"), QStringLiteral("2025-06-18"),
        QStringLiteral("2025-03-26") };
    return versions;
}
inline QString latestProtocolVersion()
{
    return supportedProtocolVersions().constFirst();
}

namespace JsonRpc {
// JSON-RPC 2.0 §5.1 and MCP's own codes.
enum ErrorCode {
    ParseError = -32700,
    InvalidRequest = -32600,
    MethodNotFound = -32601,
    InvalidParams = -32602,
    InternalError = -32603,
    ResourceNotFound = -32002, // MCP "Resources" §Error Handling
};
QJsonObject error(const QJsonValue &id, int code, const QString &message, const QJsonValue &data = {});
QJsonObject result(const QJsonValue &id, const QJsonObject &result);
QJsonObject notification(const QString &method, const QJsonObject &params = {});
} // namespace JsonRpc

// Log levels of logging/setLevel (RFC 5424 severities, MCP "Logging"), least severe first.
enum class LogLevel { Debug, Info, Notice, Warning, Error, Critical, Alert, Emergency };
std::optional<LogLevel> logLevelFromName(const QString &name);
QString logLevelName(LogLevel level);

// Where the answer to one request goes: the stdio stream, or one HTTP POST (a JSON body or an SSE stream).
// Implemented by the transports; used on the server's thread only.
class ReplyChannel
{
public:
    virtual ~ReplyChannel() = default;
    // One JSON-RPC message: a notification related to the request (only when canStream()), then its response.
    virtual void send(const QJsonObject &message) = 0;
    // The responses of a JSON-RPC batch (2025-03-26 only), as one array.
    virtual void sendBatch(const QJsonArray &responses) = 0;
    // True when notifications can reach the client before the response (stdio; an HTTP POST answered with
    // text/event-stream). False for a plain JSON reply: progress notifications are then dropped.
    virtual bool canStream() const = 0;

    // The transport calls this when the client went away (connection closed): in-flight work on this channel is
    // cancelled and nothing more is sent.
    void close();
    bool isClosed() const { return m_closed; }
    // A response the server already serialised (compact JSON; a tool result is written once, as bytes, where the
    // tool ran). The default parses it back and hands it to send(); transports that write bytes override it.
    virtual void sendSerialized(const QByteArray &response);

    // The server registers what to do on close() (run at most once; at once when already closed) and removes it
    // when the request is answered, so a long-lived channel (stdio) collects nothing.
    int onClosed(std::function<void()> callback);
    void removeOnClosed(int handle);

private:
    bool m_closed = false;
    int m_nextHandle = 0;
    std::map<int, std::function<void()>> m_onClosed;
};

// One client connection's state (MCP basic/lifecycle): made by createSession(), ended by endSession().
class Session final
{
    Q_DISABLE_COPY_MOVE(Session)

public:
    explicit Session(QString id);

    // ≥128 bits from the system CSPRNG, base64url: visible ASCII only (MCP basic/transports §Session Management).
    const QString &id() const { return m_id; }
    // Empty until initialize was answered.
    const QString &protocolVersion() const { return m_protocolVersion; }
    bool initializeAnswered() const { return !m_protocolVersion.isEmpty(); }
    bool initialized() const { return m_initialized; } // notifications/initialized received
    const QJsonObject &clientInfo() const { return m_clientInfo; }
    QString clientName() const;
    QString clientVersion() const;
    const QJsonObject &clientCapabilities() const { return m_clientCapabilities; }
    LogLevel logLevel() const { return m_logLevel; }
    const QSet<QString> &subscriptions() const { return m_subscriptions; }
    int inFlightCount() const { return int(m_inFlight.size()); }
    qint64 idleMs() const { return m_lastActivity.elapsed(); }

    // Session-level messages not tied to a request (resources/updated, list_changed, log messages) go here when
    // the transport has a stream for them (stdio; an open HTTP GET). Without one they are dropped: they are
    // hints that a client re-reads state for, keeping them would let a client that never listens grow our
    // memory, and we offer no stream resumption to replay them on.
    void setOutbound(std::function<void(const QJsonObject &)> outbound) { m_outbound = std::move(outbound); }
    bool hasOutbound() const { return bool(m_outbound); }
    bool sendOutbound(const QJsonObject &message);

private:
    friend class Server;
    struct InFlight
    {
        QJsonValue id;
        std::shared_ptr<ReplyChannel> channel;
        std::shared_ptr<std::atomic_bool> cancelled;
        QJsonValue progressToken; // string or integer
        bool hasProgressToken = false;
        double lastProgress = -1;
        int closeHandle = -1;
        qint64 approvalActionId = 0; // a write call waiting for the CSM
    };

    QString m_id;
    QString m_protocolVersion;
    bool m_initialized = false;
    QJsonObject m_clientInfo;
    QJsonObject m_clientCapabilities;
    LogLevel m_logLevel = LogLevel::Info;
    QSet<QString> m_subscriptions;
    QHash<QString, std::shared_ptr<InFlight>> m_inFlight; // by requestKey()
    std::function<void(const QJsonObject &)> m_outbound;
    QElapsedTimer m_lastActivity;
};

// "Ask me first" (DESIGN.md §5): a write tool whose toolset the CSM marked is held until the CSM answers. The
// server stores the pending call in the audit, then asks the gate; the gate answers once through `done` (from
// any thread; the server takes the answer back to its own). The server, not the gate, records the decision.
struct ApprovalRequest
{
    qint64 actionId = 0; // the pending agent_actions row
    QString sessionId;
    QString clientName;
    QString tool;
    QString toolTitle;
    QString toolset;
    QJsonObject arguments;
};

struct ApprovalDecision
{
    bool approved = false;
    QString decidedBy; // who answered: the CSM's name, or "headless"
    QString reason; // shown to the agent on a refusal; empty = "the CSM declined this call"
};

class ApprovalGate
{
public:
    virtual ~ApprovalGate() = default;
    virtual void requestApproval(const ApprovalRequest &request, std::function<void(ApprovalDecision)> done) = 0;
    // The client cancelled or went away before the answer: the gate may withdraw its prompt. `done` may still be
    // called; the server ignores it.
    virtual void withdraw(qint64 actionId) { Q_UNUSED(actionId) }
};

// The gate of a server without a window (--headless, --mcp-stdio): nobody can approve, so it refuses at once.
class HeadlessApprovalGate final : public ApprovalGate
{
public:
    void requestApproval(const ApprovalRequest &request, std::function<void(ApprovalDecision)> done) override;
};

struct ServerOptions
{
    QString name = QStringLiteral("csdesk");
    QString title = QStringLiteral("CS Desk");
    QString version;
    QString instructions;
    QStringList enabledToolsets; // empty = every toolset
    QSet<QString> askFirstToolsets; // write tools of these toolsets need the CSM's approval
    int pageSize = 50; // tools/list, resources/list, resources/templates/list, prompts/list
    int maxSessions = 1024;
    int idleSessionTimeoutMs = 60 * 60 * 1000; // sessions idle this long (no request, no stream) are ended
    int maxWorkerThreads = 4; // long-running tools
    // Read-only tools (not long-running) run on this many reader threads, each with a Services bundle (and so a
    // database connection) of its own kept for the server's life, while this thread keeps parsing and answering;
    // 0 = they run on the server's thread, answered before handleMessage() returns (tests, stdio).
    int readerThreads = 0;
    // Runs on a reader or worker thread before each tool call it runs there; cheap and idempotent (McpHost lowers
    // the thread's priority under the desktop's window). Empty = nothing (headless, stdio, tests).
    std::function<void()> poolThreadHook;
};

class Server final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Server)

public:
    // `services` belongs to the thread this server lives on (the MCP thread); long-running tools get a bundle of
    // their own on a worker thread over the same database, and read-only ones one per reader thread — all reporting
    // to `services`' change feed, when it has one. Sessions subscribed to a CS Desk resource hear of that feed's
    // changes (csResourceChangedBy). The registries must outlive the server.
    Server(const ToolRegistry &tools, const ResourceRegistry &resources, const PromptRegistry &prompts,
        Core::Services &services, ServerOptions options = {}, QObject *parent = nullptr);
    ~Server() override;

    // The parse step every transport shares: the JSON value of one message, or — when the bytes are not JSON —
    // nullopt with `parseError` set to the -32700 response (id null) to send back.
    static std::optional<QJsonValue> parse(const QByteArray &bytes, QJsonObject *parseError);

    // nullptr when maxSessions are open and none is idle enough to evict.
    Session *createSession();
    Session *session(const QString &id) const;
    // Ends the session: cancels its in-flight requests (no response is sent), drops its subscriptions.
    void endSession(const QString &id);
    int sessionCount() const { return int(m_sessions.size()); }

    // One parsed JSON-RPC message (object, or a batch array); `channel` may be null when no reply is wanted. For a
    // request: related notifications (progress) when the channel can stream, then exactly one response — none if
    // the client cancelled it (notifications/cancelled, ReplyChannel::close(), endSession). Notifications and
    // responses from the client get no reply (the HTTP transport answers 202); a message that is neither a valid
    // request nor one of those gets a -32600 error (id null unless a valid id could be read).
    // Batches (arrays) are served only for sessions that negotiated 2025-03-26, answered through sendBatch() once
    // every request of the batch has its response; later revisions removed batching, so they get -32600.
    void handleMessage(Session *session, const QJsonValue &message, const std::shared_ptr<ReplyChannel> &channel);
    // True when `message` will be answered: it holds a request, or it is invalid (an error follows).
    static bool containsRequest(const QJsonValue &message);

    void setApprovalGate(std::shared_ptr<ApprovalGate> gate);
    // Enable other toolsets / change "ask me first" at run time (the desktop's settings); sends
    // notifications/tools/list_changed when the listed tools change.
    void setEnabledToolsets(const QStringList &toolsets);
    void setAskFirstToolsets(const QSet<QString> &toolsets);
    const ServerOptions &options() const { return m_options; }

    // The audit of this server's calls (on the server's thread); the desktop panel listens to its signals.
    Core::AgentActivityService &activity() { return m_activity; }

public Q_SLOTS:
    // notifications/resources/updated to every session subscribed to `uri`.
    void notifyResourceUpdated(const QString &uri);
    void notifyResourcesListChanged();
    void notifyPromptsListChanged();
    // notifications/message to each session whose level lets `level` through.
    void log(Mcp::LogLevel level, const QString &logger, const QJsonValue &data);

Q_SIGNALS:
    void sessionCreated(const QString &sessionId);
    void sessionEnded(const QString &sessionId);

private:
    struct Request
    {
        Session *session = nullptr;
        QString key;
        QString method;
        QJsonObject params;
        std::shared_ptr<Session::InFlight> inFlight;
    };

    void handleSingle(Session *session, const QJsonObject &message, const std::shared_ptr<ReplyChannel> &channel);
    void handleBatch(Session *session, const QJsonArray &batch, const std::shared_ptr<ReplyChannel> &channel);
    void handleNotification(Session *session, const QString &method, const QJsonObject &params);
    void dispatch(const Request &request);
    // A batch of the change feed: notifications/resources/updated for the subscribed resources it makes stale, and
    // notifications/resources/list_changed when customers came or went.
    void onChanges(const Core::ChangeBatch &batch);

    // Sends the response of a request still in flight (and forgets it); nothing when it was cancelled.
    void respond(const QString &sessionId, const QString &key, const QJsonObject &result);
    void respondError(
        const QString &sessionId, const QString &key, int code, const QString &message, const QJsonValue &data = {});
    void respondResult(const Request &request, const QJsonObject &result);
    void respondError(const Request &request, int code, const QString &message, const QJsonValue &data = {});
    // Forgets a request without answering it (cancelled; the session ended).
    std::shared_ptr<Session::InFlight> takeInFlight(const QString &sessionId, const QString &key);
    std::shared_ptr<Session::InFlight> takeInFlight(Session *session, const QString &key);
    void sendProgress(
        const QString &sessionId, const QString &key, double progress, double total, const QString &message);
    // A tool's log message (ToolCall::log): on the request's own stream when it has one (so the client sees it
    // while the call runs), else on the session's stream; only at or above the session's logging/setLevel.
    void sendToolLog(const QString &sessionId, const QString &key, const QString &logger, const QString &level,
        const QJsonValue &data);
    void cancelRequest(Session *session, const QString &key);

    void initialize(const Request &request);
    void listTools(const Request &request);
    void callTool(const Request &request);
    void listResources(const Request &request);
    void listResourceTemplates(const Request &request);
    void readResource(const Request &request);
    void subscribe(const Request &request, bool on);
    void listPrompts(const Request &request);
    void getPrompt(const Request &request);
    void complete(const Request &request);
    void setLogLevel(const Request &request);

    struct PreparedCall
    {
        const RegisteredTool *tool = nullptr;
        QJsonObject arguments;
        QString sessionId;
        QString clientName;
        QString clientVersion;
        qint64 approvalActionId = 0; // the pending audit row of an approved call
    };
    // What a finished tool call answers, made where the tool ran (a reader thread serialises its own result).
    struct ToolAnswer
    {
        QByteArray result; // the JSON-RPC result object, compact JSON
        QString summary; // for the audit: write tools only
        bool isError = false;
        bool cancelled = false; // no response (MCP utilities/cancellation)
        qint64 elapsedNs = 0; // the handler's time
    };
    static ToolAnswer answerOf(const Tool &tool, const ToolResult &result);
    void runTool(const QString &sessionId, const QString &key, const PreparedCall &call);
    void finishTool(const QString &sessionId, const QString &key, const PreparedCall &call, const ToolAnswer &answer);
    // Sends a serialised result (ToolAnswer::result) as the response of a request still in flight.
    void respondSerialized(const QString &sessionId, const QString &key, const QByteArray &result);
    // Whether a read-only tool runs here rather than on a reader thread: when the handler costs about what the hop
    // costs this thread (kInlineBelowNs in mcpserver.cpp).
    bool runsInline(const RegisteredTool &tool) const;
    void answerApproval(
        const QString &sessionId, const QString &key, PreparedCall call, const ApprovalDecision &decision);
    void audit(const PreparedCall &call, const QString &summary, bool isError, qint64 elapsedMs);

    bool toolEnabled(const RegisteredTool &tool) const;
    void evictIdleSessions();

    const ToolRegistry &m_tools;
    const ResourceRegistry &m_resources;
    const PromptRegistry &m_prompts;
    Core::Services &m_services;
    ServerOptions m_options;
    Core::AgentActivityService m_activity;
    std::shared_ptr<ApprovalGate> m_gate;
    QHash<QString, std::shared_ptr<Session>> m_sessions;
    QTimer m_evictionTimer;
    // Read-only tools' handler time, a moving average in ns (runsInline()); measured on every call.
    QHash<const RegisteredTool *, qint64> m_toolCostNs;
    QThreadPool m_workers;
    QThreadStorage<Core::Services *> m_readerServices; // declared before m_readers: outlives its threads
    QThreadPool m_readers;
    std::shared_ptr<ServerAnchor> m_anchor; // lets other threads post to this server while it exists
};

} // namespace Mcp
