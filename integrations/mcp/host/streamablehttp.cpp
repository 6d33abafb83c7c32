// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "streamablehttp.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QUrl>

#include "accesstoken.h"
#include "mcpserver.h"
#include "toolregistry.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcStreamable, "cs.mcp.transport")

namespace Mcp {

namespace {

using Http::HttpRequest;
using Http::HttpResponse;

// Transport-level failures carry a JSON-RPC error body too (id null), as the official SDKs do, so a client shows
// a readable reason whatever status it got.
HttpResponse failure(int status, const QString &message, int code = -32000)
{
    const QJsonObject body = JsonRpc::error(QJsonValue::Null, code, message);
    return HttpResponse::json(status, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

QByteArray compact(const QJsonObject &message)
{
    return QJsonDocument(message).toJson(QJsonDocument::Compact);
}

// Media ranges of the Accept header (RFC 9110 §12.5.1), lower-cased, parameters dropped.
QList<QByteArray> acceptedTypes(const HttpRequest &request)
{
    QList<QByteArray> types;
    for (const QByteArray &value : request.headerValues("accept")) {
        for (const QByteArray &range : value.split(',')) {
            const QByteArray type = range.split(';').constFirst().trimmed().toLower();
            if (!type.isEmpty())
                types.append(type);
        }
    }
    return types;
}

bool accepts(const QList<QByteArray> &types, QByteArrayView type)
{
    if (types.isEmpty())
        return true; // no Accept: anything goes (RFC 9110 §12.5.1)
    const QByteArrayView major = type.first(type.indexOf('/'));
    for (const QByteArray &t : types) {
        if (t == type || t == "*/*" || (t.endsWith("/*") && t.first(t.size() - 2) == major))
            return true;
    }
    return false;
}

bool isResponse(const QJsonObject &message)
{
    return message.contains(u"id"_s) && (message.contains(u"result"_s) || message.contains(u"error"_s))
        && !message.contains(u"method"_s);
}

// The answer to one POST: a JSON body (notifications before the response are dropped: the client did not ask for
// a stream), or an SSE stream that carries them and ends after the response.
class HttpReplyChannel final : public ReplyChannel
{
public:
    HttpReplyChannel(Http::Responder &responder, QByteArray sessionHeader, bool stream)
        : m_responder(&responder)
        , m_sessionHeader(std::move(sessionHeader))
    {
        if (stream) {
            Http::HttpHeaders headers;
            if (!m_sessionHeader.isEmpty())
                headers.set("Mcp-Session-Id", m_sessionHeader);
            m_stream = responder.openStream(headers);
        }
    }
    ~HttpReplyChannel() override
    {
        if (m_stream)
            m_stream->close();
    }

    void send(const QJsonObject &message) override
    {
        if (m_stream) {
            m_stream->sendEvent(compact(message), "message");
            if (isResponse(message))
                m_stream->close();
            return;
        }
        if (!isResponse(message) || !m_responder)
            return;
        reply(compact(message));
    }
    void sendSerialized(const QByteArray &response) override
    {
        if (m_stream) {
            m_stream->sendEvent(response, "message");
            m_stream->close();
            return;
        }
        if (m_responder)
            reply(response);
    }
    void sendBatch(const QJsonArray &responses) override
    {
        if (m_stream) {
            for (const QJsonValue &response : responses)
                m_stream->sendEvent(compact(response.toObject()), "message");
            m_stream->close();
            return;
        }
        if (m_responder)
            reply(QJsonDocument(responses).toJson(QJsonDocument::Compact));
    }
    bool canStream() const override { return !m_stream.isNull() && m_stream->isOpen(); }

private:
    void reply(QByteArray body)
    {
        HttpResponse response = HttpResponse::json(200, std::move(body));
        if (!m_sessionHeader.isEmpty())
            response.headers.set("Mcp-Session-Id", m_sessionHeader);
        m_responder->respond(std::move(response));
    }

    QPointer<Http::Responder> m_responder;
    QPointer<Http::StreamingResponse> m_stream;
    QByteArray m_sessionHeader;
};

} // namespace

StreamableHttp::StreamableHttp(
    Server &server, const ToolRegistry &tools, StreamableHttpOptions options, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_tools(tools)
    , m_options(std::move(options))
{
    connect(&m_server, &Server::sessionEnded, this, &StreamableHttp::closeStream);
    m_keepAlive.setInterval(m_options.keepAliveMs);
    connect(&m_keepAlive, &QTimer::timeout, this, [this] {
        for (const QPointer<Http::StreamingResponse> &stream : std::as_const(m_getStreams)) {
            if (stream)
                stream->sendComment("keep-alive");
        }
    });
    m_keepAlive.start();
}

StreamableHttp::~StreamableHttp()
{
    for (const QPointer<Http::StreamingResponse> &stream : std::as_const(m_getStreams)) {
        if (stream)
            stream->close();
    }
}

bool StreamableHttp::isLoopbackHost(QByteArrayView host)
{
    QByteArrayView name = host;
    if (name.startsWith('[')) {
        const qsizetype end = name.indexOf(']');
        if (end < 0)
            return false;
        const QByteArrayView rest = name.sliced(end + 1);
        if (!rest.isEmpty() && !rest.startsWith(':'))
            return false;
        name = name.first(end + 1);
    } else if (const qsizetype colon = name.indexOf(':'); colon >= 0) {
        const QByteArrayView port = name.sliced(colon + 1);
        bool ok = false;
        const int number = port.isEmpty() ? 0 : port.toByteArray().toInt(&ok);
        if (!port.isEmpty() && (!ok || number < 1 || number > 65535))
            return false;
        name = name.first(colon);
    }
    const QByteArray lower = name.toByteArray().toLower();
    return lower == "127.0.0.1" || lower == "localhost" || lower == "[::1]";
}

bool StreamableHttp::isLoopbackOrigin(QByteArrayView origin)
{
    const QUrl url(QString::fromLatin1(origin), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http"_s && url.scheme() != u"https"_s) || !url.path().isEmpty())
        return false;
    const QString host = url.host().toLower();
    return host == u"127.0.0.1"_s || host == u"localhost"_s || host == u"::1"_s;
}

void StreamableHttp::handle(const HttpRequest &request, Http::Responder &responder)
{
    if (request.path != m_options.path)
        return void(responder.respond(
            failure(404, u"Not Found: the MCP endpoint is "_s + QString::fromLatin1(m_options.path))));
    const bool known = request.method == "POST" || request.method == "GET" || request.method == "DELETE";
    if (!known) {
        HttpResponse response = failure(405, u"Method Not Allowed: use POST, GET or DELETE"_s);
        response.headers.set("Allow", "POST, GET, DELETE");
        return void(responder.respond(std::move(response)));
    }
    // DNS-rebinding defence (basic/transports §Security Warning): a page on evil.example whose name resolves to
    // 127.0.0.1 still sends its own Host and Origin.
    if (!isLoopbackHost(request.header("host")))
        return void(responder.respond(failure(403, u"Forbidden: Host must be 127.0.0.1, localhost or [::1]"_s)));
    if (request.hasHeader("origin") && !isLoopbackOrigin(request.header("origin")))
        return void(responder.respond(failure(403, u"Forbidden: Origin is not a loopback origin"_s)));
    if (!m_options.token.isEmpty()) {
        const QByteArray authorization = request.header("authorization");
        const bool bearer = authorization.size() > 7 && authorization.first(7).toLower() == "bearer ";
        const QByteArray presented = bearer ? authorization.sliced(7).trimmed() : QByteArray();
        if (!AccessToken::equals(presented, m_options.token.toUtf8())) {
            HttpResponse response = failure(401,
                u"Unauthorized: send Authorization: Bearer <token>; the token is "
                u"shown in CS Desk under Settings → AI assistants"_s);
            response.headers.set("WWW-Authenticate", R"(Bearer realm="csdesk")");
            return void(responder.respond(std::move(response)));
        }
    }
    // basic/transports §Protocol Version Header: a revision we do not speak is a 400. Absent means 2025-03-26.
    const QByteArray version = request.header("mcp-protocol-version");
    if (!version.isNull() && !supportedProtocolVersions().contains(QString::fromLatin1(version)))
        return void(responder.respond(
            failure(400, u"Bad Request: unsupported MCP-Protocol-Version "_s + QString::fromLatin1(version.left(40)))));
    if (request.method == "POST")
        return post(request, responder);
    if (request.method == "GET")
        return get(request, responder);
    remove(request, responder);
}

void StreamableHttp::setToken(const QString &token)
{
    if (!token.isEmpty())
        m_options.token = token;
}

void StreamableHttp::post(const HttpRequest &request, Http::Responder &responder)
{
    const QList<QByteArray> types = acceptedTypes(request);
    const bool json = accepts(types, "application/json");
    const bool sse = accepts(types, "text/event-stream");
    if (!json && !sse)
        return void(
            responder.respond(failure(406, u"Not Acceptable: accept application/json and/or text/event-stream"_s)));
    const QByteArray contentType = request.header("content-type").split(';').constFirst().trimmed().toLower();
    if (contentType != "application/json")
        return void(responder.respond(failure(415, u"Unsupported Media Type: send application/json"_s)));

    QJsonObject parseError;
    const std::optional<QJsonValue> message = Server::parse(request.body, &parseError);
    if (!message)
        return void(responder.respond(HttpResponse::json(400, compact(parseError))));

    const bool isInitialize
        = message->isObject() && message->toObject().value(u"method"_s).toString() == u"initialize"_s;
    Session *session = nullptr;
    QByteArray sessionHeader;
    if (isInitialize) {
        session = m_server.createSession();
        if (!session) {
            HttpResponse response = failure(503, u"Service Unavailable: too many MCP sessions"_s);
            response.headers.set("Retry-After", "5");
            return void(responder.respond(std::move(response)));
        }
        sessionHeader = session->id().toLatin1();
    } else {
        const QByteArray id = request.header("mcp-session-id");
        if (id.isNull())
            return void(responder.respond(failure(400, u"Bad Request: Mcp-Session-Id header is required"_s)));
        session = m_server.session(QString::fromLatin1(id));
        if (!session)
            return void(responder.respond(failure(404, u"Session not found: initialize a new session"_s, -32001)));
    }

    if (!Server::containsRequest(*message)) {
        m_server.handleMessage(session, *message, nullptr);
        return void(responder.respond(HttpResponse::empty(202)));
    }

    // An SSE answer only where notifications may precede the result: a tools/call that asked for progress, or a
    // long tool (which may log). Everything else is one JSON body: cheaper for both sides.
    bool stream = false;
    if (sse && message->isObject()) {
        const QJsonObject object = message->toObject();
        if (object.value(u"method"_s).toString() == u"tools/call"_s) {
            const QJsonObject params = object.value(u"params"_s).toObject();
            const RegisteredTool *tool = m_tools.find(params.value(u"name"_s).toString());
            stream
                = params.value(u"_meta"_s).toObject().contains(u"progressToken"_s) || (tool && tool->tool.longRunning);
        }
    }
    if (!json)
        stream = true;
    auto channel = std::make_shared<HttpReplyChannel>(responder, sessionHeader, stream);
    connect(&responder, &Http::Responder::clientDisconnected, this, [weak = std::weak_ptr<HttpReplyChannel>(channel)] {
        if (auto alive = weak.lock())
            alive->close();
    });
    m_server.handleMessage(session, *message, channel);
}

void StreamableHttp::get(const HttpRequest &request, Http::Responder &responder)
{
    const QList<QByteArray> types = acceptedTypes(request);
    if (types.isEmpty() || !accepts(types, "text/event-stream"))
        return void(responder.respond(failure(406, u"Not Acceptable: the GET stream is text/event-stream"_s)));
    const QByteArray id = request.header("mcp-session-id");
    if (id.isNull())
        return void(responder.respond(failure(400, u"Bad Request: Mcp-Session-Id header is required"_s)));
    const QString sessionId = QString::fromLatin1(id);
    Session *session = m_server.session(sessionId);
    if (!session)
        return void(responder.respond(failure(404, u"Session not found: initialize a new session"_s, -32001)));
    // One server stream per session: a new GET replaces the old one (the client reconnected).
    closeStream(sessionId);
    Http::StreamingResponse *stream = responder.openStream();
    if (!stream)
        return;
    m_getStreams.insert(sessionId, stream);
    QPointer<Http::StreamingResponse> guarded(stream);
    session->setOutbound([guarded](const QJsonObject &message) {
        if (guarded)
            guarded->sendEvent(compact(message), "message");
    });
    connect(stream, &Http::StreamingResponse::finished, this, [this, sessionId, guarded] {
        if (m_getStreams.value(sessionId) != guarded)
            return; // replaced meanwhile
        m_getStreams.remove(sessionId);
        if (Session *s = m_server.session(sessionId))
            s->setOutbound({});
    });
}

void StreamableHttp::remove(const HttpRequest &request, Http::Responder &responder)
{
    const QByteArray id = request.header("mcp-session-id");
    if (id.isNull())
        return void(responder.respond(failure(400, u"Bad Request: Mcp-Session-Id header is required"_s)));
    const QString sessionId = QString::fromLatin1(id);
    if (!m_server.session(sessionId))
        return void(responder.respond(failure(404, u"Session not found"_s, -32001)));
    m_server.endSession(sessionId);
    responder.respond(HttpResponse::empty(204));
}

void StreamableHttp::closeStream(const QString &sessionId)
{
    const QPointer<Http::StreamingResponse> stream = m_getStreams.take(sessionId);
    if (stream)
        stream->close();
}

} // namespace Mcp
