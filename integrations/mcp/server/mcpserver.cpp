// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "mcpserver.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutex>
#include <QPointer>
#include <QRandomGenerator>

#include "changefeed.h"
#include "csresources.h"
#include "jsonwriter.h"
#include "promptregistry.h"
#include "resourceregistry.h"
#include "services.h"

Q_LOGGING_CATEGORY(lcMcpServer, "cs.mcp.server")

using namespace Qt::StringLiterals;

namespace Mcp {

// Lets worker threads and approval gates post back to the server without racing its destruction: the server
// clears `server` under the mutex in its destructor, and posting happens under the same mutex.
struct ServerAnchor
{
    QMutex mutex;
    Server *server = nullptr;

    // Runs f(server) on the server's thread, unless the server is gone (then, or before the event is delivered).
    template<typename F> void post(F &&f)
    {
        QMutexLocker lock(&mutex);
        if (server) {
            QMetaObject::invokeMethod(
                server, [target = server, f = std::forward<F>(f)]() mutable { f(target); }, Qt::QueuedConnection);
        }
    }
};

namespace {

const QString kJsonRpc = u"jsonrpc"_s;
const QString kId = u"id"_s;
const QString kMethod = u"method"_s;
const QString kParams = u"params"_s;
const QString kResult = u"result"_s;
const QString kError = u"error"_s;
const QString kStorageMessage = u"storage error; see the CS Desk log"_s;
constexpr int kMaxCompletionValues = 100; // MCP "Completion": at most 100 values per response

QString compactJson(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject textBlock(const QString &text)
{
    return QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } };
}

// The integer a numeric request id holds, when a double holds it exactly (|n| < 2^53); nothing otherwise.
std::optional<qint64> exactInteger(const QJsonValue &id)
{
    if (!id.isDouble())
        return std::nullopt;
    const double number = id.toDouble();
    if (std::trunc(number) != number || std::abs(number) >= 9.007199254740992e15)
        return std::nullopt;
    return qint64(number);
}

// A request id (a string or an integer, isValidRequestId()) as JSON.
QByteArray idJson(const QJsonValue &id)
{
    if (id.isString()) {
        QByteArray out;
        Domain::appendJsonString(out, id.toString().toUtf8());
        return out;
    }
    if (const std::optional<qint64> integer = exactInteger(id))
        return QByteArray::number(*integer);
    // Beyond 2^53 a JSON number is written as Qt writes it (what the client sent, as far as a double holds it).
    const QByteArray array = QJsonDocument(QJsonArray { id }).toJson(QJsonDocument::Compact);
    return array.sliced(1, array.size() - 2);
}

// Read-only tools faster than this run on the server's thread (Server::runsInline()). Handing a call to a reader and
// taking its answer back costs this thread about 3 µs of queues and wake-ups (list_clients at 64 sessions: 18.8 µs of
// this thread a call with the hop, against 16 µs a call for a trivial tool run here). A tool above a few µs is
// cheaper to hand over; at the old 20 µs, list_clients (14 µs since its projection) ran here and this thread became
// the limit: 29k calls/s inline against 36k/s handed over (wrk, 64 sessions, 2 cores).
constexpr qint64 kInlineBelowNs = 5'000;

// The key of a request id in a session's in-flight table: a string id and the number with the same digits are
// different ids.
QString requestKey(const QJsonValue &id)
{
    if (id.isString())
        return u"s:"_s + id.toString();
    // Valid ids are integers (isValidRequestId()); the shortest digits of anything else, which is refused anyway.
    if (const std::optional<qint64> integer = exactInteger(id))
        return u"n:"_s + QString::number(*integer);
    return u"n:"_s + QString::number(id.toDouble(), 'g', 17);
}

// MCP basic: "the ID MUST be a string or integer" (and not null).
bool isValidRequestId(const QJsonValue &id)
{
    if (id.isString())
        return true;
    if (!id.isDouble())
        return false;
    // Within qint64 before the cast: converting 1e300 to an integer is undefined behaviour (found by
    // tests/fuzz/fuzz_mcpmessage). 2^63 is exact as a double; the range is [-2^63, 2^63).
    const double v = id.toDouble();
    return std::trunc(v) == v && v >= -9223372036854775808.0 && v < 9223372036854775808.0;
}

// "jsonrpc": "2.0" (JSON-RPC 2.0 §4), against a value made once: making one for every check costs an allocation
// on each message.
bool isJsonRpc20(const QJsonObject &m)
{
    static const QJsonValue version(u"2.0"_s);
    return m.value(kJsonRpc) == version;
}

// The cheap membership tests first: a request (the common case) fails them before the version is compared.
bool isNotification(const QJsonObject &m)
{
    return !m.contains(kId) && m.value(kMethod).isString() && isJsonRpc20(m);
}

bool isResponse(const QJsonObject &m)
{
    return !m.contains(kMethod) && m.contains(kId) && (m.contains(kResult) || m.contains(kError)) && isJsonRpc20(m);
}

// Everything that is neither a notification nor a response gets an answer: a request's response, or an error.
bool expectsReply(const QJsonValue &m)
{
    if (!m.isObject())
        return true;
    const QJsonObject o = m.toObject();
    return !isNotification(o) && !isResponse(o);
}

// Opaque list cursors (MCP utilities/pagination: "cursors are opaque"): base64url of "<list>:<offset>".
QString encodeOffsetCursor(const QString &list, qsizetype offset)
{
    return QString::fromLatin1((list + u':' + QString::number(offset))
                                   .toUtf8()
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

std::optional<qsizetype> decodeOffsetCursor(const QString &list, const QString &cursor, qsizetype size)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        cursor.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    const QString text = QString::fromUtf8(*decoded);
    if (!text.startsWith(list + u':'))
        return std::nullopt;
    bool ok = false;
    const qsizetype offset = text.mid(list.size() + 1).toLongLong(&ok);
    if (!ok || offset <= 0 || offset >= size)
        return std::nullopt;
    return offset;
}

QString errorText(const Core::Error &error)
{
    if (error.field.isEmpty() || error.message.startsWith(error.field))
        return error.message;
    return error.toString();
}

void putIfNotEmpty(QJsonObject &object, const QString &key, const QString &value)
{
    if (!value.isEmpty())
        object.insert(key, value);
}

} // namespace

// ---- JSON-RPC helpers ----------------------------------------------------------------------------------------

namespace JsonRpc {

QJsonObject error(const QJsonValue &id, int code, const QString &message, const QJsonValue &data)
{
    QJsonObject error { { u"code"_s, code }, { u"message"_s, message } };
    if (!data.isUndefined())
        error.insert(u"data"_s, data);
    // JSON-RPC 2.0 §5: id is null when it could not be determined.
    return QJsonObject { { kJsonRpc, u"2.0"_s }, { kId, id.isUndefined() ? QJsonValue(QJsonValue::Null) : id },
        { kError, error } };
}

QJsonObject result(const QJsonValue &id, const QJsonObject &result)
{
    return QJsonObject { { kJsonRpc, u"2.0"_s }, { kId, id }, { kResult, result } };
}

QJsonObject notification(const QString &method, const QJsonObject &params)
{
    QJsonObject n { { kJsonRpc, u"2.0"_s }, { kMethod, method } };
    if (!params.isEmpty())
        n.insert(kParams, params);
    return n;
}

} // namespace JsonRpc

static const QStringList &logLevelNames()
{
    static const QStringList names { u"debug"_s, u"info"_s, u"notice"_s, u"warning"_s, u"error"_s, u"critical"_s,
        u"alert"_s, u"emergency"_s };
    return names;
}

std::optional<LogLevel> logLevelFromName(const QString &name)
{
    const qsizetype index = logLevelNames().indexOf(name);
    if (index < 0)
        return std::nullopt;
    return LogLevel(index);
}

QString logLevelName(LogLevel level)
{
    return logLevelNames().at(int(level));
}

// ---- ReplyChannel, Session, gates ----------------------------------------------------------------------------

void ReplyChannel::close()
{
    if (m_closed)
        return;
    m_closed = true;
    auto callbacks = std::move(m_onClosed);
    m_onClosed.clear();
    for (auto &[handle, callback] : callbacks)
        callback();
}

void ReplyChannel::sendSerialized(const QByteArray &response)
{
    send(QJsonDocument::fromJson(response).object());
}

int ReplyChannel::onClosed(std::function<void()> callback)
{
    if (m_closed) {
        callback();
        return -1;
    }
    const int handle = m_nextHandle++;
    m_onClosed.emplace(handle, std::move(callback));
    return handle;
}

void ReplyChannel::removeOnClosed(int handle)
{
    m_onClosed.erase(handle);
}

Session::Session(QString id)
    : m_id(std::move(id))
{
    m_lastActivity.start();
}

QString Session::clientName() const
{
    return m_clientInfo.value(u"name"_s).toString();
}

QString Session::clientVersion() const
{
    return m_clientInfo.value(u"version"_s).toString();
}

bool Session::sendOutbound(const QJsonObject &message)
{
    if (!m_outbound)
        return false;
    m_outbound(message);
    return true;
}

void HeadlessApprovalGate::requestApproval(const ApprovalRequest &request, std::function<void(ApprovalDecision)> done)
{
    done(ApprovalDecision { false, u"headless"_s,
        u"this tool needs the CSM's approval in the CS Desk window; the server runs headless, so write calls of "
        u"toolset %1 are refused"_s.arg(request.toolset) });
}

namespace {

class DiscardChannel final : public ReplyChannel
{
public:
    void send(const QJsonObject &) override { }
    void sendBatch(const QJsonArray &) override { }
    bool canStream() const override { return false; }
};

} // namespace

// ---- Server --------------------------------------------------------------------------------------------------

Server::Server(const ToolRegistry &tools, const ResourceRegistry &resources, const PromptRegistry &prompts,
    Core::Services &services, ServerOptions options, QObject *parent)
    : QObject(parent)
    , m_tools(tools)
    , m_resources(resources)
    , m_prompts(prompts)
    , m_services(services)
    , m_options(std::move(options))
    , m_activity(services.database(), services.clock(), this)
    , m_gate(std::make_shared<HeadlessApprovalGate>())
    , m_evictionTimer(this) // parented, so that moveToThread(the MCP thread) takes them along
    , m_workers(this)
    , m_readers(this)
    , m_anchor(std::make_shared<ServerAnchor>())
{
    m_options.pageSize = std::max(1, m_options.pageSize);
    m_anchor->server = this;
    m_workers.setMaxThreadCount(std::max(1, m_options.maxWorkerThreads));
    // Reader threads keep their Services (and connection) for the server's life: they never expire.
    m_readers.setMaxThreadCount(std::max(1, m_options.readerThreads));
    m_readers.setExpiryTimeout(-1);
    m_evictionTimer.setInterval(std::clamp(m_options.idleSessionTimeoutMs / 4, 1000, 60 * 1000));
    connect(&m_evictionTimer, &QTimer::timeout, this, &Server::evictIdleSessions);
    m_evictionTimer.start();
    if (Core::ChangeFeed *feed = m_services.changeFeed())
        connect(feed, &Core::ChangeFeed::changed, this, &Server::onChanges);
}

Server::~Server()
{
    {
        QMutexLocker lock(&m_anchor->mutex);
        m_anchor->server = nullptr;
    }
    // Stop the work in flight (a call waiting for approval is audited as withdrawn) and wait for the workers, which
    // use the services this server was given.
    for (const auto &session : std::as_const(m_sessions)) {
        const QStringList keys = session->m_inFlight.keys();
        for (const QString &key : keys)
            cancelRequest(session.get(), key);
    }
    m_workers.waitForDone();
    m_readers.waitForDone();
}

std::optional<QJsonValue> Server::parse(const QByteArray &bytes, QJsonObject *parseError)
{
    QJsonParseError error;
    // QJsonDocument only takes an object or array at the top; anything else is not a JSON-RPC message either, but
    // it is valid JSON, so wrap it to tell the two apart: `[<bytes>]` parses exactly when <bytes> is one value.
    QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error == QJsonParseError::NoError)
        return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
    doc = QJsonDocument::fromJson('[' + bytes + ']', &error);
    if (error.error == QJsonParseError::NoError && doc.array().size() == 1)
        return doc.array().at(0);
    if (parseError) {
        QJsonDocument::fromJson(bytes, &error); // the error of the bytes as sent, not of the wrapped ones
        *parseError = JsonRpc::error(QJsonValue::Null, JsonRpc::ParseError, u"Parse error: "_s + error.errorString());
    }
    return std::nullopt;
}

bool Server::containsRequest(const QJsonValue &message)
{
    if (message.isArray()) {
        const QJsonArray batch = message.toArray();
        return batch.isEmpty()
            || std::any_of(batch.begin(), batch.end(), [](const QJsonValue &m) { return expectsReply(m); });
    }
    return expectsReply(message);
}

Session *Server::createSession()
{
    if (m_sessions.size() >= m_options.maxSessions)
        evictIdleSessions();
    if (m_sessions.size() >= m_options.maxSessions) {
        qCWarning(lcMcpServer) << "refusing a new MCP session:" << m_sessions.size() << "sessions are open";
        return nullptr;
    }
    // MCP basic/transports §Session Management: globally unique and cryptographically secure; visible ASCII.
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray raw(reinterpret_cast<const char *>(words), sizeof(words));
    const QString id
        = QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    auto session = std::make_shared<Session>(id);
    m_sessions.insert(id, session);
    Q_EMIT sessionCreated(id);
    return session.get();
}

Session *Server::session(const QString &id) const
{
    const auto it = m_sessions.constFind(id);
    return it == m_sessions.constEnd() ? nullptr : it->get();
}

void Server::endSession(const QString &id)
{
    const std::shared_ptr<Session> session = m_sessions.take(id);
    if (!session)
        return;
    const QStringList keys = session->m_inFlight.keys();
    for (const QString &key : keys)
        cancelRequest(session.get(), key);
    session->m_subscriptions.clear();
    session->m_outbound = nullptr;
    Q_EMIT sessionEnded(id);
}

void Server::evictIdleSessions()
{
    QStringList idle;
    for (const auto &session : std::as_const(m_sessions)) {
        if (session->idleMs() >= m_options.idleSessionTimeoutMs && session->m_inFlight.isEmpty()
            && !session->hasOutbound())
            idle << session->id();
    }
    for (const QString &id : std::as_const(idle)) {
        qCDebug(lcMcpServer) << "ending idle MCP session";
        endSession(id);
    }
}

void Server::setApprovalGate(std::shared_ptr<ApprovalGate> gate)
{
    m_gate = gate ? std::move(gate) : std::make_shared<HeadlessApprovalGate>();
}

void Server::setEnabledToolsets(const QStringList &toolsets)
{
    if (toolsets == m_options.enabledToolsets)
        return;
    m_options.enabledToolsets = toolsets;
    for (const auto &session : std::as_const(m_sessions)) {
        if (session->initializeAnswered())
            session->sendOutbound(JsonRpc::notification(u"notifications/tools/list_changed"_s));
    }
}

void Server::setAskFirstToolsets(const QSet<QString> &toolsets)
{
    m_options.askFirstToolsets = toolsets;
}

bool Server::toolEnabled(const RegisteredTool &tool) const
{
    return m_options.enabledToolsets.isEmpty() || m_options.enabledToolsets.contains(tool.tool.toolset);
}

void Server::notifyResourceUpdated(const QString &uri)
{
    for (const auto &session : std::as_const(m_sessions)) {
        if (session->m_subscriptions.contains(uri))
            session->sendOutbound(
                JsonRpc::notification(u"notifications/resources/updated"_s, QJsonObject { { u"uri"_s, uri } }));
    }
}

void Server::onChanges(const Core::ChangeBatch &batch)
{
    if (csResourceListChangedBy(batch))
        notifyResourcesListChanged();
    // Each subscribed URI judged once, however many sessions hold it.
    QSet<QString> subscribed;
    for (const auto &session : std::as_const(m_sessions))
        subscribed.unite(session->m_subscriptions);
    for (const QString &uri : std::as_const(subscribed)) {
        if (csResourceChangedBy(uri, batch))
            notifyResourceUpdated(uri);
    }
}

void Server::notifyResourcesListChanged()
{
    for (const auto &session : std::as_const(m_sessions)) {
        if (session->initializeAnswered())
            session->sendOutbound(JsonRpc::notification(u"notifications/resources/list_changed"_s));
    }
}

void Server::notifyPromptsListChanged()
{
    for (const auto &session : std::as_const(m_sessions)) {
        if (session->initializeAnswered())
            session->sendOutbound(JsonRpc::notification(u"notifications/prompts/list_changed"_s));
    }
}

void Server::log(LogLevel level, const QString &logger, const QJsonValue &data)
{
    QJsonObject params { { u"level"_s, logLevelName(level) }, { u"data"_s, data } };
    putIfNotEmpty(params, u"logger"_s, logger);
    const QJsonObject message = JsonRpc::notification(u"notifications/message"_s, params);
    for (const auto &session : std::as_const(m_sessions)) {
        if (session->initializeAnswered() && level >= session->m_logLevel)
            session->sendOutbound(message);
    }
}

// ---- message handling ----------------------------------------------------------------------------------------

void Server::handleMessage(Session *session, const QJsonValue &message, const std::shared_ptr<ReplyChannel> &given)
{
    Q_ASSERT(session);
    // No channel (a transport that answers notifications itself, HTTP's 202): whatever we would say is dropped.
    const std::shared_ptr<ReplyChannel> channel = given ? given : std::make_shared<DiscardChannel>();
    session->m_lastActivity.restart();
    if (message.isArray()) {
        handleBatch(session, message.toArray(), channel);
        return;
    }
    if (!message.isObject()) {
        channel->send(JsonRpc::error(
            QJsonValue::Null, JsonRpc::InvalidRequest, u"Invalid Request: a JSON-RPC message is an object"_s));
        return;
    }
    handleSingle(session, message.toObject(), channel);
}

namespace {

// Collects the responses of a 2025-03-26 batch into one array (JSON-RPC 2.0 §6); related notifications pass
// straight through when the transport can stream them.
class BatchChannel final : public ReplyChannel
{
public:
    BatchChannel(std::shared_ptr<ReplyChannel> parent, qsizetype expected)
        : m_parent(std::move(parent))
        , m_expected(expected)
    { }
    void send(const QJsonObject &message) override
    {
        if (!message.contains(kId)) {
            if (m_parent->canStream())
                m_parent->send(message);
            return;
        }
        m_responses.append(message);
        if (m_responses.size() != m_expected)
            return;
        m_parent->removeOnClosed(m_parentHandle);
        if (!m_parent->isClosed())
            m_parent->sendBatch(m_responses);
    }
    void setParentHandle(int handle) { m_parentHandle = handle; }
    void sendBatch(const QJsonArray &responses) override
    {
        for (const QJsonValue &r : responses)
            send(r.toObject());
    }
    bool canStream() const override { return m_parent->canStream(); }

private:
    std::shared_ptr<ReplyChannel> m_parent;
    qsizetype m_expected;
    int m_parentHandle = -1;
    QJsonArray m_responses;
};

} // namespace

void Server::handleBatch(Session *session, const QJsonArray &batch, const std::shared_ptr<ReplyChannel> &channel)
{
    // JSON-RPC batches were part of MCP 2025-03-26 only; 2025-06-18 removed them ("Remove support for JSON-RPC
    // batching"), so later sessions get -32600. initialize is never part of a batch (2025-03-26 lifecycle).
    if (session->protocolVersion() != u"2025-03-26"_s) {
        channel->send(JsonRpc::error(QJsonValue::Null, JsonRpc::InvalidRequest,
            session->initializeAnswered()
                ? u"Invalid Request: JSON-RPC batches are not supported in protocol version "_s
                    + session->protocolVersion()
                : u"Invalid Request: a batch cannot initialize a session"_s));
        return;
    }
    if (batch.isEmpty()) {
        channel->send(JsonRpc::error(QJsonValue::Null, JsonRpc::InvalidRequest, u"Invalid Request: empty batch"_s));
        return;
    }
    const qsizetype expected
        = std::count_if(batch.begin(), batch.end(), [](const QJsonValue &m) { return expectsReply(m); });
    auto collector = std::make_shared<BatchChannel>(channel, expected);
    // Weak: the parent channel (stdio's lives as long as the transport) must not keep finished batches alive.
    const int handle = channel->onClosed([weak = std::weak_ptr<BatchChannel>(collector)] {
        if (auto alive = weak.lock())
            alive->close();
    });
    collector->setParentHandle(handle);
    for (const QJsonValue &m : batch) {
        if (!m.isObject())
            collector->send(JsonRpc::error(
                QJsonValue::Null, JsonRpc::InvalidRequest, u"Invalid Request: a JSON-RPC message is an object"_s));
        else if (m.toObject().value(kMethod) == u"initialize"_s)
            collector->send(JsonRpc::error(m.toObject().value(kId), JsonRpc::InvalidRequest,
                u"Invalid Request: initialize must not be part of a batch"_s));
        else
            handleSingle(session, m.toObject(), collector);
    }
    if (expected == 0)
        channel->removeOnClosed(handle);
}

void Server::handleSingle(Session *session, const QJsonObject &message, const std::shared_ptr<ReplyChannel> &channel)
{
    if (isResponse(message))
        return; // we send no requests to clients (no sampling, elicitation or roots), so nothing waits for these
    if (isNotification(message)) {
        handleNotification(session, message.value(kMethod).toString(), message.value(kParams).toObject());
        return;
    }
    const QJsonValue id = message.value(kId);
    const QJsonValue replyId = isValidRequestId(id) ? id : QJsonValue(QJsonValue::Null);
    if (!isJsonRpc20(message)) {
        channel->send(JsonRpc::error(replyId, JsonRpc::InvalidRequest, u"Invalid Request: jsonrpc must be \"2.0\""_s));
        return;
    }
    if (!message.value(kMethod).isString()) {
        channel->send(JsonRpc::error(replyId, JsonRpc::InvalidRequest, u"Invalid Request: method must be a string"_s));
        return;
    }
    if (!isValidRequestId(id)) {
        channel->send(JsonRpc::error(
            QJsonValue::Null, JsonRpc::InvalidRequest, u"Invalid Request: id must be a string or an integer"_s));
        return;
    }
    const QString method = message.value(kMethod).toString();
    if (message.contains(kParams) && !message.value(kParams).isObject()) {
        channel->send(JsonRpc::error(id, JsonRpc::InvalidParams, u"Invalid params: params must be an object"_s));
        return;
    }
    const QString key = requestKey(id);
    // MCP basic §Requests: "The request ID MUST NOT have been previously used by the requestor within the same
    // session"; we can only check the ones still in flight.
    if (session->m_inFlight.contains(key)) {
        channel->send(JsonRpc::error(
            id, JsonRpc::InvalidRequest, u"Invalid Request: a request with this id is still in progress"_s));
        return;
    }
    // Lifecycle (MCP basic/lifecycle §Initialization): ping is always allowed; other requests need initialize
    // first, since their answers depend on the negotiated version. We do not wait for notifications/initialized:
    // many clients send their first request right behind it (and over HTTP the two may arrive out of order), so
    // a request after our initialize response is served.
    if (method != u"initialize"_s && method != u"ping"_s && !session->initializeAnswered()) {
        channel->send(JsonRpc::error(
            id, JsonRpc::InvalidRequest, u"Invalid Request: the session is not initialized; send initialize first"_s));
        return;
    }

    Request request;
    request.session = session;
    request.key = key;
    request.method = method;
    request.params = message.value(kParams).toObject();
    auto inFlight = std::make_shared<Session::InFlight>();
    inFlight->id = id;
    inFlight->channel = channel;
    inFlight->cancelled = std::make_shared<std::atomic_bool>(false);
    const QJsonValue token = request.params.value(u"_meta"_s).toObject().value(u"progressToken"_s);
    if (isValidRequestId(token)) { // MCP utilities/progress: a string or an integer
        inFlight->progressToken = token;
        inFlight->hasProgressToken = true;
    }
    session->m_inFlight.insert(key, inFlight);
    const QString sessionId = session->id();
    QPointer<Server> self(this);
    inFlight->closeHandle = channel->onClosed([self, sessionId, key] {
        if (self) {
            if (Session *s = self->session(sessionId))
                self->cancelRequest(s, key);
        }
    });
    request.inFlight = inFlight;
    if (channel->isClosed())
        return;
    dispatch(request);
}

void Server::handleNotification(Session *session, const QString &method, const QJsonObject &params)
{
    if (method == u"notifications/initialized"_s) {
        session->m_initialized = true;
    } else if (method == u"notifications/cancelled"_s) {
        // MCP utilities/cancellation: the receiver stops the work and sends no response; unknown or finished
        // requests are ignored.
        const QJsonValue requestId = params.value(u"requestId"_s);
        if (isValidRequestId(requestId))
            cancelRequest(session, requestKey(requestId));
    }
    // notifications/roots/list_changed and anything else: nothing to do (we never ask for roots).
}

void Server::dispatch(const Request &request)
{
    using Handler = void (Server::*)(const Request &);
    static const QHash<QString, Handler> handlers {
        { u"initialize"_s, &Server::initialize },
        { u"tools/list"_s, &Server::listTools },
        { u"tools/call"_s, &Server::callTool },
        { u"resources/list"_s, &Server::listResources },
        { u"resources/templates/list"_s, &Server::listResourceTemplates },
        { u"resources/read"_s, &Server::readResource },
        { u"prompts/list"_s, &Server::listPrompts },
        { u"prompts/get"_s, &Server::getPrompt },
        { u"completion/complete"_s, &Server::complete },
        { u"logging/setLevel"_s, &Server::setLogLevel },
    };
    if (request.method == u"ping"_s) {
        respondResult(request, {});
    } else if (request.method == u"resources/subscribe"_s) {
        subscribe(request, true);
    } else if (request.method == u"resources/unsubscribe"_s) {
        subscribe(request, false);
    } else if (const Handler handler = handlers.value(request.method)) {
        (this->*handler)(request);
    } else {
        respondError(request, JsonRpc::MethodNotFound, u"Method not found: "_s + request.method);
    }
}

std::shared_ptr<Session::InFlight> Server::takeInFlight(const QString &sessionId, const QString &key)
{
    Session *s = session(sessionId);
    return s ? takeInFlight(s, key) : nullptr;
}

std::shared_ptr<Session::InFlight> Server::takeInFlight(Session *session, const QString &key)
{
    std::shared_ptr<Session::InFlight> inFlight = session->m_inFlight.take(key);
    if (inFlight && inFlight->closeHandle >= 0)
        inFlight->channel->removeOnClosed(inFlight->closeHandle);
    return inFlight;
}

void Server::respond(const QString &sessionId, const QString &key, const QJsonObject &result)
{
    const auto inFlight = takeInFlight(sessionId, key);
    if (inFlight && !inFlight->cancelled->load() && !inFlight->channel->isClosed())
        inFlight->channel->send(JsonRpc::result(inFlight->id, result));
}

void Server::respondError(
    const QString &sessionId, const QString &key, int code, const QString &message, const QJsonValue &data)
{
    const auto inFlight = takeInFlight(sessionId, key);
    if (inFlight && !inFlight->cancelled->load() && !inFlight->channel->isClosed())
        inFlight->channel->send(JsonRpc::error(inFlight->id, code, message, data));
}

void Server::respondResult(const Request &request, const QJsonObject &result)
{
    respond(request.session->id(), request.key, result);
}

void Server::respondError(const Request &request, int code, const QString &message, const QJsonValue &data)
{
    respondError(request.session->id(), request.key, code, message, data);
}

void Server::cancelRequest(Session *session, const QString &key)
{
    const auto inFlight = takeInFlight(session, key);
    if (!inFlight)
        return;
    inFlight->cancelled->store(true);
    if (inFlight->approvalActionId != 0) {
        m_gate->withdraw(inFlight->approvalActionId);
        auto decided = m_activity.decide(inFlight->approvalActionId, false, u"client"_s);
        if (decided)
            (void)m_activity.complete(
                inFlight->approvalActionId, u"cancelled by the client before approval"_s, true, 0);
    }
}

void Server::sendProgress(
    const QString &sessionId, const QString &key, double progress, double total, const QString &message)
{
    Session *s = session(sessionId);
    if (!s)
        return;
    const auto inFlight = s->m_inFlight.value(key);
    if (!inFlight || !inFlight->hasProgressToken || inFlight->cancelled->load() || !inFlight->channel->canStream()
        || inFlight->channel->isClosed())
        return;
    // MCP utilities/progress: "The progress value MUST increase with each notification".
    if (progress <= inFlight->lastProgress)
        return;
    inFlight->lastProgress = progress;
    QJsonObject params { { u"progressToken"_s, inFlight->progressToken }, { u"progress"_s, progress } };
    if (total > 0)
        params.insert(u"total"_s, total);
    putIfNotEmpty(params, u"message"_s, message);
    inFlight->channel->send(JsonRpc::notification(u"notifications/progress"_s, params));
}

void Server::sendToolLog(
    const QString &sessionId, const QString &key, const QString &logger, const QString &level, const QJsonValue &data)
{
    Session *s = session(sessionId);
    const std::optional<LogLevel> parsed = logLevelFromName(level);
    if (!s || !parsed || *parsed < s->m_logLevel)
        return;
    const auto inFlight = s->m_inFlight.value(key);
    if (!inFlight || inFlight->cancelled->load())
        return;
    QJsonObject params { { u"level"_s, logLevelName(*parsed) }, { u"data"_s, data } };
    putIfNotEmpty(params, u"logger"_s, logger);
    const QJsonObject message = JsonRpc::notification(u"notifications/message"_s, params);
    if (inFlight->channel && inFlight->channel->canStream() && !inFlight->channel->isClosed())
        inFlight->channel->send(message);
    else
        s->sendOutbound(message);
}

// ---- lifecycle -----------------------------------------------------------------------------------------------

void Server::initialize(const Request &request)
{
    Session *s = request.session;
    if (s->initializeAnswered()) {
        respondError(request, JsonRpc::InvalidRequest, u"Invalid Request: the session is already initialized"_s);
        return;
    }
    const QJsonValue asked = request.params.value(u"protocolVersion"_s);
    if (!asked.isString()) {
        respondError(request, JsonRpc::InvalidParams, u"Invalid params: protocolVersion must be a string"_s);
        return;
    }
    // MCP basic/lifecycle §Version Negotiation: the client's version if we support it, else our latest.
    s->m_protocolVersion
        = supportedProtocolVersions().contains(asked.toString()) ? asked.toString() : latestProtocolVersion();
    s->m_clientInfo = request.params.value(u"clientInfo"_s).toObject();
    s->m_clientCapabilities = request.params.value(u"capabilities"_s).toObject();

    const QJsonObject capabilities {
        { u"tools"_s, QJsonObject { { u"listChanged"_s, true } } },
        { u"resources"_s, QJsonObject { { u"subscribe"_s, true }, { u"listChanged"_s, true } } },
        { u"prompts"_s, QJsonObject { { u"listChanged"_s, true } } },
        { u"logging"_s, QJsonObject {} },
        { u"completions"_s, QJsonObject {} },
    };
    QJsonObject serverInfo { { u"name"_s, m_options.name }, { u"version"_s, m_options.version } };
    putIfNotEmpty(serverInfo, u"title"_s, m_options.title);
    QJsonObject result {
        { u"protocolVersion"_s, s->m_protocolVersion },
        { u"capabilities"_s, capabilities },
        { u"serverInfo"_s, serverInfo },
    };
    putIfNotEmpty(result, u"instructions"_s, m_options.instructions);
    respondResult(request, result);
}

void Server::setLogLevel(const Request &request)
{
    const auto level = logLevelFromName(request.params.value(u"level"_s).toString());
    if (!level) {
        respondError(request, JsonRpc::InvalidParams,
            u"Invalid params: level must be one of "_s + logLevelNames().join(u", "_s));
        return;
    }
    request.session->m_logLevel = *level;
    respondResult(request, {});
}

// ---- tools ---------------------------------------------------------------------------------------------------

void Server::listTools(const Request &request)
{
    const QList<const RegisteredTool *> tools = m_tools.tools(m_options.enabledToolsets);
    qsizetype offset = 0;
    if (request.params.contains(u"cursor"_s)) {
        const auto decoded = decodeOffsetCursor(u"tools"_s, request.params.value(u"cursor"_s).toString(), tools.size());
        if (!decoded) {
            respondError(
                request, JsonRpc::InvalidParams, u"Invalid params: cursor is not one this server handed out"_s);
            return;
        }
        offset = *decoded;
    }
    QJsonArray page;
    const qsizetype end = std::min(tools.size(), offset + m_options.pageSize);
    for (qsizetype i = offset; i < end; ++i)
        page.append(tools.at(i)->descriptor);
    QJsonObject result { { u"tools"_s, page } };
    if (end < tools.size())
        result.insert(u"nextCursor"_s, encodeOffsetCursor(u"tools"_s, end));
    respondResult(request, result);
}

void Server::callTool(const Request &request)
{
    const QJsonValue name = request.params.value(u"name"_s);
    if (!name.isString()) {
        respondError(request, JsonRpc::InvalidParams, u"Invalid params: name must be a string"_s);
        return;
    }
    const QJsonValue arguments = request.params.value(u"arguments"_s);
    if (!arguments.isUndefined() && !arguments.isNull() && !arguments.isObject()) {
        respondError(request, JsonRpc::InvalidParams, u"Invalid params: arguments must be an object"_s);
        return;
    }
    const RegisteredTool *tool = m_tools.find(name.toString());
    // MCP 2025-11-25 server/tools §Error Handling: unknown tools are a protocol error (-32602). A tool of a
    // switched-off toolset is unknown to this profile.
    if (!tool || !toolEnabled(*tool)) {
        respondError(request, JsonRpc::InvalidParams, u"Unknown tool: "_s + name.toString(),
            QJsonObject { { u"name"_s, name } });
        return;
    }
    PreparedCall call;
    call.tool = tool;
    call.sessionId = request.session->id();
    call.clientName = request.session->clientName();
    call.clientVersion = request.session->clientVersion();
    auto prepared = m_tools.prepareArguments(*tool, arguments.toObject());
    if (!prepared) {
        // MCP server/tools §Error Handling: input validation errors are tool execution errors (isError), so the
        // model can correct itself.
        call.arguments = arguments.toObject();
        const QString text = errorText(prepared.error());
        if (tool->tool.writes)
            audit(call, text, true, 0);
        respondResult(
            request, QJsonObject { { u"content"_s, QJsonArray { textBlock(text) } }, { u"isError"_s, true } });
        return;
    }
    call.arguments = *prepared;

    if (tool->tool.writes && m_options.askFirstToolsets.contains(tool->tool.toolset)) {
        Core::AgentCall pending { {}, call.sessionId, call.clientName, call.clientVersion, tool->tool.name, true,
            call.arguments, {}, false, -1 };
        auto stored = m_activity.requestApproval(pending);
        if (!stored) {
            qCWarning(lcMcpServer) << "could not store an approval request:" << stored.error().toString();
            respondResult(request,
                QJsonObject { { u"content"_s, QJsonArray { textBlock(kStorageMessage) } }, { u"isError"_s, true } });
            return;
        }
        call.approvalActionId = stored->id;
        request.inFlight->approvalActionId = stored->id;
        ApprovalRequest ask { stored->id, call.sessionId, call.clientName, tool->tool.name, tool->tool.title,
            tool->tool.toolset, call.arguments };
        const QString sessionId = call.sessionId;
        const QString key = request.key;
        std::shared_ptr<ServerAnchor> anchor = m_anchor;
        // The gate may answer at once (headless), later on this thread, or from the GUI thread: always come back
        // through the event loop, so the answer never re-enters this function.
        m_gate->requestApproval(ask, [anchor, sessionId, key, call](ApprovalDecision decision) {
            anchor->post([sessionId, key, call, decision](
                             Server *server) { server->answerApproval(sessionId, key, call, decision); });
        });
        return;
    }
    runTool(request.session->id(), request.key, call);
}

void Server::answerApproval(
    const QString &sessionId, const QString &key, PreparedCall call, const ApprovalDecision &decision)
{
    Session *s = session(sessionId);
    const auto inFlight = s ? s->m_inFlight.value(key) : nullptr;
    if (!inFlight || inFlight->approvalActionId != call.approvalActionId)
        return; // cancelled meanwhile (and audited as such by cancelRequest)
    inFlight->approvalActionId = 0;
    auto decided = m_activity.decide(call.approvalActionId, decision.approved, decision.decidedBy);
    if (!decided)
        qCWarning(lcMcpServer) << "could not store an approval decision:" << decided.error().toString();
    if (!decision.approved) {
        const QString text
            = decision.reason.isEmpty() ? u"the CSM declined this call of "_s + call.tool->tool.name : decision.reason;
        if (decided)
            (void)m_activity.complete(call.approvalActionId, text, true, 0);
        respond(
            sessionId, key, QJsonObject { { u"content"_s, QJsonArray { textBlock(text) } }, { u"isError"_s, true } });
        return;
    }
    runTool(sessionId, key, call);
}

bool Server::runsInline(const RegisteredTool &tool) const
{
    const auto cost = m_toolCostNs.constFind(&tool);
    return cost != m_toolCostNs.cend() && *cost < kInlineBelowNs;
}

void Server::runTool(const QString &sessionId, const QString &key, const PreparedCall &call)
{
    Session *s = session(sessionId);
    const auto inFlight = s ? s->m_inFlight.value(key) : nullptr;
    if (!inFlight)
        return;
    const std::shared_ptr<std::atomic_bool> cancelled = inFlight->cancelled;
    const Tool &tool = call.tool->tool;

    const bool onReader = !tool.longRunning && !tool.writes && m_options.readerThreads > 0 && !runsInline(*call.tool);
    if (!tool.longRunning && !onReader) {
        QElapsedTimer timer;
        timer.start();
        ToolCall toolCall;
        toolCall.arguments = call.arguments;
        toolCall.services = &m_services;
        toolCall.sessionId = call.sessionId;
        toolCall.clientName = call.clientName;
        toolCall.reportProgress = [this, sessionId, key](double done, double total, const QString &message) {
            sendProgress(sessionId, key, done, total, message);
        };
        toolCall.isCancelled = [cancelled] { return cancelled->load(); };
        toolCall.reportLog = [this, sessionId, key, logger = tool.name](const QString &level, const QJsonValue &data) {
            sendToolLog(sessionId, key, logger, level, data);
        };
        const ToolResult result = tool.handler(toolCall);
        const qint64 elapsedNs = timer.nsecsElapsed();
        ToolAnswer answer = answerOf(tool, result);
        answer.elapsedNs = elapsedNs;
        finishTool(sessionId, key, call, answer);
        return;
    }

    // Long tools run on a worker with a Services bundle of their own (its own database connection), read-only tools
    // on a reader thread with the Services it keeps, while this thread keeps serving; progress and the answer (already
    // serialised there) come back queued.
    std::shared_ptr<ServerAnchor> anchor = m_anchor;
    // Its database, clock and change feed (set at construction, read-only): each pool thread's bundle shares them.
    const Core::Services *origin = &m_services;
    QThreadStorage<Core::Services *> *readerServices = onReader ? &m_readerServices : nullptr;
    const std::function<void()> *pre = &m_options.poolThreadHook; // outlives the pools (declared before them)
    (onReader ? m_readers : m_workers).start([anchor, origin, sessionId, key, call, cancelled, readerServices, pre] {
        if (*pre)
            (*pre)(); // McpHost: the thread's priority under the desktop's window
        const Tool &tool = call.tool->tool;
        QElapsedTimer timer; // the handler's own time: not the thread's first Services or connection
        ToolAnswer answer;
        {
            std::optional<Core::Services> own;
            if (readerServices && !readerServices->hasLocalData())
                readerServices->setLocalData(new Core::Services(
                    origin->database(), origin->clock(), origin->changeFeed())); // deleted when the thread ends
            Core::Services &services = readerServices
                ? *readerServices->localData()
                : own.emplace(origin->database(), origin->clock(), origin->changeFeed());
            ToolCall toolCall;
            toolCall.arguments = call.arguments;
            toolCall.services = &services;
            toolCall.sessionId = call.sessionId;
            toolCall.clientName = call.clientName;
            toolCall.reportProgress = [anchor, sessionId, key](double done, double total, const QString &message) {
                anchor->post([sessionId, key, done, total, message](
                                 Server *server) { server->sendProgress(sessionId, key, done, total, message); });
            };
            toolCall.isCancelled = [cancelled] { return cancelled->load(); };
            toolCall.reportLog
                = [anchor, sessionId, key, logger = tool.name](const QString &level, const QJsonValue &data) {
                      anchor->post([sessionId, key, logger, level, data](
                                       Server *server) { server->sendToolLog(sessionId, key, logger, level, data); });
                  };
            timer.start();
            const ToolResult result = tool.handler(toolCall);
            const qint64 elapsedNs = timer.nsecsElapsed();
            answer = answerOf(tool, result);
            answer.elapsedNs = elapsedNs;
        }
        if (!readerServices)
            origin->database().releaseThreadConnection();
        anchor->post([sessionId, key, call, answer = std::move(answer)](
                         Server *server) { server->finishTool(sessionId, key, call, answer); });
    });
}

Server::ToolAnswer Server::answerOf(const Tool &tool, const ToolResult &result)
{
    ToolAnswer answer;
    if (!result && result.error().code == Core::ErrorCode::Cancelled) {
        answer.cancelled = true;
        answer.isError = true;
        answer.summary = u"cancelled by the client"_s;
        return answer;
    }
    if (!result) {
        const Core::Error &error = result.error();
        QString text;
        if (error.code == Core::ErrorCode::Storage) {
            // Never SQL text to an agent: it goes to our log, the agent gets a pointer to it.
            qCWarning(lcMcpServer).noquote() << "tool" << tool.name << "failed:" << error.toString();
            text = kStorageMessage;
        } else {
            text = errorText(error);
        }
        answer.result
            = QJsonDocument(QJsonObject { { u"content"_s, QJsonArray { textBlock(text) } }, { u"isError"_s, true } })
                  .toJson(QJsonDocument::Compact);
        answer.summary = text;
        answer.isError = true;
        return answer;
    }
    // Written straight as bytes: the structured content is serialised once, and the text block (the same JSON, for
    // clients that read only content) is its escaped copy.
    const ToolOutput &output = result.value();
    const bool withStructured = !tool.outputSchema.isEmpty();
    QByteArray structured = output.structuredJson;
    if (structured.isEmpty() && (withStructured || output.content.isEmpty()))
        structured = QJsonDocument(output.structured).toJson(QJsonDocument::Compact);
    QByteArray &out = answer.result;
    out.reserve(2 * structured.size() + 96);
    out += "{\"content\":";
    if (output.content.isEmpty()) {
        out += "[{\"text\":";
        Domain::appendJsonString(out, structured);
        out += ",\"type\":\"text\"}]";
    } else {
        out += QJsonDocument(output.content).toJson(QJsonDocument::Compact);
    }
    if (output.isError)
        out += ",\"isError\":true";
    if (withStructured) {
        out += ",\"structuredContent\":";
        out += structured;
    }
    out += '}';
    answer.isError = output.isError;
    if (tool.writes) {
        answer.summary = output.content.isEmpty() ? QString::fromUtf8(structured)
                                                  : compactJson(QJsonObject { { u"content"_s, output.content } });
    }
    return answer;
}

void Server::finishTool(
    const QString &sessionId, const QString &key, const PreparedCall &call, const ToolAnswer &answer)
{
    const Tool &tool = call.tool->tool;
    const qint64 elapsedMs = answer.elapsedNs / 1'000'000;
    if (!tool.writes && !tool.longRunning) {
        qint64 &cost = m_toolCostNs[call.tool];
        cost = cost == 0 ? answer.elapsedNs : (7 * cost + answer.elapsedNs) / 8;
    }
    if (tool.writes)
        audit(call, answer.summary, answer.isError, elapsedMs);
    if (answer.cancelled) {
        // MCP utilities/cancellation: no response for a cancelled request. The call may have written before it
        // noticed, so it is audited all the same (above).
        const auto dropped = takeInFlight(sessionId, key);
        Q_UNUSED(dropped)
        return;
    }
    respondSerialized(sessionId, key, answer.result);
}

void Server::respondSerialized(const QString &sessionId, const QString &key, const QByteArray &result)
{
    const auto inFlight = takeInFlight(sessionId, key);
    if (!inFlight || inFlight->cancelled->load() || inFlight->channel->isClosed())
        return;
    const QByteArray id = idJson(inFlight->id);
    QByteArray message;
    message.reserve(result.size() + id.size() + 32);
    message += "{\"id\":";
    message += id;
    message += ",\"jsonrpc\":\"2.0\",\"result\":";
    message += result;
    message += '}';
    inFlight->channel->sendSerialized(message);
}

void Server::audit(const PreparedCall &call, const QString &summary, bool isError, qint64 elapsedMs)
{
    if (call.approvalActionId != 0) {
        (void)m_activity.complete(call.approvalActionId, summary, isError, int(elapsedMs));
        return;
    }
    const Core::AgentCall record { {}, call.sessionId, call.clientName, call.clientVersion, call.tool->tool.name, true,
        call.arguments, summary, isError, int(std::min<qint64>(elapsedMs, std::numeric_limits<int>::max())) };
    (void)m_activity.record(record);
}

// ---- resources -----------------------------------------------------------------------------------------------

namespace {

QJsonObject resourceInfoJson(const ResourceInfo &info)
{
    QJsonObject o { { u"uri"_s, info.uri }, { u"name"_s, info.name } };
    putIfNotEmpty(o, u"title"_s, info.title);
    putIfNotEmpty(o, u"description"_s, info.description);
    putIfNotEmpty(o, u"mimeType"_s, info.mimeType);
    return o;
}

QString encodeResourceCursor(qsizetype family, const QString &inner)
{
    const QJsonObject o { { u"f"_s, qint64(family) }, { u"c"_s, inner } };
    return QString::fromLatin1(QJsonDocument(o)
                                   .toJson(QJsonDocument::Compact)
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

void Server::listResources(const Request &request)
{
    const QList<ResourceFamily> &families = m_resources.families();
    qsizetype start = 0;
    QString inner;
    if (request.params.contains(u"cursor"_s)) {
        const auto decoded = QByteArray::fromBase64Encoding(request.params.value(u"cursor"_s).toString().toLatin1(),
            QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
        const QJsonObject o = decoded ? QJsonDocument::fromJson(*decoded).object() : QJsonObject();
        start = o.value(u"f"_s).toInteger(-1);
        inner = o.value(u"c"_s).toString();
        if (start < 0 || start >= families.size() || !o.value(u"c"_s).isString()) {
            respondError(
                request, JsonRpc::InvalidParams, u"Invalid params: cursor is not one this server handed out"_s);
            return;
        }
    }
    QJsonArray items;
    QString next;
    for (qsizetype i = start; i < families.size(); ++i) {
        const ResourceFamily &family = families.at(i);
        const QString familyCursor = i == start ? inner : QString();
        if (items.size() >= m_options.pageSize) {
            next = encodeResourceCursor(i, {});
            break;
        }
        if (!family.uri.isEmpty()) {
            if (familyCursor.isEmpty())
                items.append(
                    resourceInfoJson({ family.uri, family.name, family.title, family.description, family.mimeType }));
            continue;
        }
        if (!family.list)
            continue;
        auto page = family.list(m_services, familyCursor, int(m_options.pageSize - items.size()));
        if (!page) {
            if (page.error().code == Core::ErrorCode::InvalidArgument) {
                respondError(request, JsonRpc::InvalidParams, u"Invalid params: "_s + errorText(page.error()));
            } else {
                qCWarning(lcMcpServer).noquote() << "resources/list failed:" << page.error().toString();
                respondError(request, JsonRpc::InternalError, kStorageMessage);
            }
            return;
        }
        for (const ResourceInfo &info : std::as_const(page->items))
            items.append(resourceInfoJson(info));
        if (!page->nextCursor.isEmpty()) {
            next = encodeResourceCursor(i, page->nextCursor);
            break;
        }
    }
    QJsonObject result { { u"resources"_s, items } };
    putIfNotEmpty(result, u"nextCursor"_s, next);
    respondResult(request, result);
}

void Server::listResourceTemplates(const Request &request)
{
    QList<const ResourceFamily *> templates;
    for (const ResourceFamily &family : m_resources.families()) {
        if (!family.uriTemplate.isEmpty())
            templates << &family;
    }
    qsizetype offset = 0;
    if (request.params.contains(u"cursor"_s)) {
        const auto decoded
            = decodeOffsetCursor(u"templates"_s, request.params.value(u"cursor"_s).toString(), templates.size());
        if (!decoded) {
            respondError(
                request, JsonRpc::InvalidParams, u"Invalid params: cursor is not one this server handed out"_s);
            return;
        }
        offset = *decoded;
    }
    QJsonArray page;
    const qsizetype end = std::min(templates.size(), offset + m_options.pageSize);
    for (qsizetype i = offset; i < end; ++i) {
        const ResourceFamily &family = *templates.at(i);
        QJsonObject o { { u"uriTemplate"_s, family.uriTemplate }, { u"name"_s, family.name } };
        putIfNotEmpty(o, u"title"_s, family.title);
        putIfNotEmpty(o, u"description"_s, family.description);
        putIfNotEmpty(o, u"mimeType"_s, family.mimeType);
        page.append(o);
    }
    QJsonObject result { { u"resourceTemplates"_s, page } };
    if (end < templates.size())
        result.insert(u"nextCursor"_s, encodeOffsetCursor(u"templates"_s, end));
    respondResult(request, result);
}

void Server::readResource(const Request &request)
{
    const QJsonValue uri = request.params.value(u"uri"_s);
    if (!uri.isString()) {
        respondError(request, JsonRpc::InvalidParams, u"Invalid params: uri must be a string"_s);
        return;
    }
    const QJsonObject notFoundData { { u"uri"_s, uri } };
    const ResourceFamily *family = m_resources.familyFor(uri.toString());
    if (!family) {
        respondError(request, JsonRpc::ResourceNotFound, u"Resource not found"_s, notFoundData);
        return;
    }
    auto contents = family->read(m_services, uri.toString());
    if (!contents) {
        const Core::Error &error = contents.error();
        if (error.code == Core::ErrorCode::NotFound) {
            respondError(
                request, JsonRpc::ResourceNotFound, u"Resource not found: "_s + errorText(error), notFoundData);
        } else if (error.code == Core::ErrorCode::InvalidArgument) {
            respondError(request, JsonRpc::InvalidParams, u"Invalid params: "_s + errorText(error), notFoundData);
        } else {
            qCWarning(lcMcpServer).noquote() << "resources/read failed:" << error.toString();
            respondError(request, JsonRpc::InternalError, kStorageMessage);
        }
        return;
    }
    QJsonArray items;
    for (const ResourceContent &content : std::as_const(*contents)) {
        QJsonObject o { { u"uri"_s, content.uri.isEmpty() ? uri.toString() : content.uri } };
        putIfNotEmpty(o, u"mimeType"_s, content.mimeType.isEmpty() ? family->mimeType : content.mimeType);
        if (content.binary)
            o.insert(u"blob"_s, QString::fromLatin1(content.blob.toBase64()));
        else
            o.insert(u"text"_s, content.text);
        items.append(o);
    }
    respondResult(request, QJsonObject { { u"contents"_s, items } });
}

void Server::subscribe(const Request &request, bool on)
{
    const QJsonValue uri = request.params.value(u"uri"_s);
    if (!uri.isString()) {
        respondError(request, JsonRpc::InvalidParams, u"Invalid params: uri must be a string"_s);
        return;
    }
    if (on) {
        if (!m_resources.familyFor(uri.toString())) {
            respondError(
                request, JsonRpc::ResourceNotFound, u"Resource not found"_s, QJsonObject { { u"uri"_s, uri } });
            return;
        }
        request.session->m_subscriptions.insert(uri.toString());
    } else {
        request.session->m_subscriptions.remove(uri.toString());
    }
    respondResult(request, {});
}

// ---- prompts -------------------------------------------------------------------------------------------------

void Server::listPrompts(const Request &request)
{
    const QList<Prompt> &prompts = m_prompts.prompts();
    qsizetype offset = 0;
    if (request.params.contains(u"cursor"_s)) {
        const auto decoded
            = decodeOffsetCursor(u"prompts"_s, request.params.value(u"cursor"_s).toString(), prompts.size());
        if (!decoded) {
            respondError(
                request, JsonRpc::InvalidParams, u"Invalid params: cursor is not one this server handed out"_s);
            return;
        }
        offset = *decoded;
    }
    QJsonArray page;
    const qsizetype end = std::min(prompts.size(), offset + m_options.pageSize);
    for (qsizetype i = offset; i < end; ++i) {
        const Prompt &prompt = prompts.at(i);
        QJsonObject o { { u"name"_s, prompt.name } };
        putIfNotEmpty(o, u"title"_s, prompt.title);
        putIfNotEmpty(o, u"description"_s, prompt.description);
        QJsonArray arguments;
        for (const PromptArgument &argument : prompt.arguments) {
            QJsonObject a { { u"name"_s, argument.name }, { u"required"_s, argument.required } };
            putIfNotEmpty(a, u"title"_s, argument.title);
            putIfNotEmpty(a, u"description"_s, argument.description);
            arguments.append(a);
        }
        if (!arguments.isEmpty())
            o.insert(u"arguments"_s, arguments);
        page.append(o);
    }
    QJsonObject result { { u"prompts"_s, page } };
    if (end < prompts.size())
        result.insert(u"nextCursor"_s, encodeOffsetCursor(u"prompts"_s, end));
    respondResult(request, result);
}

void Server::getPrompt(const Request &request)
{
    const QJsonValue name = request.params.value(u"name"_s);
    if (!name.isString()) {
        respondError(request, JsonRpc::InvalidParams, u"Invalid params: name must be a string"_s);
        return;
    }
    const Prompt *prompt = m_prompts.find(name.toString());
    if (!prompt) {
        respondError(request, JsonRpc::InvalidParams, u"Invalid params: unknown prompt "_s + name.toString());
        return;
    }
    const QJsonValue argumentsValue = request.params.value(u"arguments"_s);
    if (!argumentsValue.isUndefined() && !argumentsValue.isNull() && !argumentsValue.isObject()) {
        respondError(request, JsonRpc::InvalidParams, u"Invalid params: arguments must be an object"_s);
        return;
    }
    const QJsonObject given = argumentsValue.toObject();
    QHash<QString, QString> arguments;
    for (auto it = given.begin(); it != given.end(); ++it) {
        const bool known = std::any_of(prompt->arguments.begin(), prompt->arguments.end(),
            [&](const PromptArgument &a) { return a.name == it.key(); });
        if (!known) {
            respondError(request, JsonRpc::InvalidParams, u"Invalid params: unknown argument "_s + it.key());
            return;
        }
        if (!it.value().isString()) {
            respondError(
                request, JsonRpc::InvalidParams, u"Invalid params: argument "_s + it.key() + u" must be a string"_s);
            return;
        }
        arguments.insert(it.key(), it.value().toString());
    }
    for (const PromptArgument &argument : prompt->arguments) {
        if (argument.required && arguments.value(argument.name).isEmpty()) {
            respondError(
                request, JsonRpc::InvalidParams, u"Invalid params: missing required argument "_s + argument.name);
            return;
        }
    }
    auto rendered = prompt->render(m_services, arguments);
    if (!rendered) {
        const Core::Error &error = rendered.error();
        if (error.code == Core::ErrorCode::InvalidArgument || error.code == Core::ErrorCode::NotFound) {
            respondError(request, JsonRpc::InvalidParams, u"Invalid params: "_s + errorText(error));
        } else {
            qCWarning(lcMcpServer).noquote() << "prompts/get" << prompt->name << "failed:" << error.toString();
            respondError(request, JsonRpc::InternalError, kStorageMessage);
        }
        return;
    }
    QJsonArray messages;
    for (const PromptMessage &message : std::as_const(rendered->messages))
        messages.append(QJsonObject { { u"role"_s, message.role }, { u"content"_s, message.content } });
    QJsonObject result { { u"messages"_s, messages } };
    putIfNotEmpty(result, u"description"_s, rendered->description);
    respondResult(request, result);
}

// ---- completion ----------------------------------------------------------------------------------------------

void Server::complete(const Request &request)
{
    const QJsonObject ref = request.params.value(u"ref"_s).toObject();
    const QJsonObject argument = request.params.value(u"argument"_s).toObject();
    const QString type = ref.value(u"type"_s).toString();
    if (!argument.value(u"name"_s).isString() || !argument.value(u"value"_s).isString()) {
        respondError(request, JsonRpc::InvalidParams, u"Invalid params: argument needs a name and a value"_s);
        return;
    }
    const QString argumentName = argument.value(u"name"_s).toString();
    const QString prefix = argument.value(u"value"_s).toString();
    QStringList values;
    if (type == u"ref/prompt"_s) {
        const Prompt *prompt = m_prompts.find(ref.value(u"name"_s).toString());
        if (!prompt) {
            respondError(request, JsonRpc::InvalidParams,
                u"Invalid params: unknown prompt "_s + ref.value(u"name"_s).toString());
            return;
        }
        const auto it = std::find_if(prompt->arguments.begin(), prompt->arguments.end(),
            [&](const PromptArgument &a) { return a.name == argumentName; });
        if (it == prompt->arguments.end()) {
            respondError(request, JsonRpc::InvalidParams,
                u"Invalid params: prompt "_s + prompt->name + u" has no argument "_s + argumentName);
            return;
        }
        if (it->complete) {
            QHash<QString, QString> context;
            const QJsonObject chosen = request.params.value(u"context"_s).toObject().value(u"arguments"_s).toObject();
            for (auto c = chosen.begin(); c != chosen.end(); ++c)
                context.insert(c.key(), c.value().toString());
            values = it->complete(m_services, prefix, context);
        }
    } else if (type == u"ref/resource"_s) {
        const ResourceFamily *family = m_resources.familyForTemplate(ref.value(u"uri"_s).toString());
        if (!family) {
            respondError(request, JsonRpc::InvalidParams,
                u"Invalid params: no resource template "_s + ref.value(u"uri"_s).toString());
            return;
        }
        if (family->complete)
            values = family->complete(m_services, argumentName, prefix);
    } else {
        respondError(request, JsonRpc::InvalidParams, u"Invalid params: ref.type must be ref/prompt or ref/resource"_s);
        return;
    }
    const qsizetype total = values.size();
    QJsonArray list;
    for (qsizetype i = 0; i < std::min<qsizetype>(total, kMaxCompletionValues); ++i)
        list.append(values.at(i));
    respondResult(request,
        QJsonObject { { u"completion"_s,
            QJsonObject { { u"values"_s, list }, { u"total"_s, qint64(total) },
                { u"hasMore"_s, total > kMaxCompletionValues } } } });
}

} // namespace Mcp
