// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <atomic>
#include <chrono>
#include <functional>

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSet>

#include "httprequest.h"
#include "httpresponse.h"
#include "requestparser.h"

class QTcpServer;

namespace Mcp::Http {

class HttpConnection;
class Responder;

// Settings of one HttpServer. The defaults are what the app uses; tests shorten the timeouts.
struct ServerOptions
{
    // Loopback only: the MCP endpoint is for the CSM's own assistant (DESIGN.md §5).
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 0; // 0: an ephemeral port, see HttpServer::port()
    // Open connections beyond this get "503 Service Unavailable" with Retry-After and are closed.
    int maxConnections = 256;
    // A connection with nothing in flight (no partial request, no handler at work, no stream) is closed after this.
    std::chrono::milliseconds idleTimeout { 30'000 };
    // Deadline from the first byte of a request until the request is complete (headers and body): a client that
    // dribbles a request (slowloris) is answered 408 and closed.
    std::chrono::milliseconds requestTimeout { 10'000 };
    // After the last response on a closing connection, unread input is drained for at most this long before the
    // socket is dropped, so the client can read the final response instead of getting a reset (RFC 9112 §9.6).
    std::chrono::milliseconds lingerTimeout { 2'000 };
    // Header, body and target caps (431 / 413 / 414).
    Limits limits;
    // Requests parsed ahead of the one being answered (pipelining). Beyond this the connection stops reading,
    // and TCP flow control holds the client back.
    int maxPipelinedRequests = 16;
    // A stream whose client does not read: when this many bytes are queued for it, the connection is dropped.
    qint64 maxStreamBacklog = 8 * 1024 * 1024;
    // Value of the Retry-After header on a 503 for too many connections (RFC 9110 §10.2.3), in seconds.
    int retryAfterSeconds = 1;
};

// A long-lived response on one connection: headers once, then events as they are pushed, until either side ends
// it. Used for text/event-stream (MCP Streamable HTTP, SSE).
//
// Framing: HTTP/1.1 clients get chunked transfer coding (RFC 9112 §7.1), so close() ends the response and the
// connection can carry the next request (an MCP client posting each JSON-RPC request with an SSE answer keeps one
// connection). HTTP/1.0 clients cannot read chunked: their stream is delimited by closing the connection
// (RFC 9112 §6.3 rule 8).
// While a stream is open its connection is dedicated to it: pipelined requests wait (HTTP/1.1 answers in order,
// so nothing else could be sent on it anyway); clients use another connection meanwhile.
//
// Owned by the connection; lives on the server thread and must only be used from there. It is deleted (later)
// once finished() has been emitted: keep a QPointer<StreamingResponse>.
class StreamingResponse final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamingResponse)

public:
    ~StreamingResponse() override;

    // Writes `payload` as it is, in one write (one chunk). False when the stream is over (then nothing is sent).
    bool send(QByteArrayView payload);
    // One SSE event (WHATWG HTML §9.2 "Server-sent events"): optional "id:" and "event:" lines, one "data:" line per
    // line of `data`, then a blank line; written in one piece. E.g. sendEvent(json, "message").
    bool sendEvent(QByteArrayView data, QByteArrayView event = {}, QByteArrayView id = {});
    // An SSE comment line (": text"), ignored by clients: keeps intermediaries from timing out an idle stream.
    bool sendComment(QByteArrayView text);
    // Ends the stream (the last chunk for HTTP/1.1; the connection is closed for HTTP/1.0). Idempotent.
    void close();

    [[nodiscard]] bool isOpen() const { return m_open; }
    // Bytes written by send*() that the client has not taken yet.
    [[nodiscard]] qint64 pendingBytes() const;
    [[nodiscard]] const HttpRequest &request() const;

Q_SIGNALS:
    // The client went away (or was dropped for not reading) while the stream was open. Followed by finished().
    void clientDisconnected();
    // The stream is over, for whatever reason; emitted exactly once.
    void finished();

private:
    friend class HttpConnection;
    friend class Responder;
    StreamingResponse(HttpConnection *connection, Responder *responder, bool chunked);
    void markFinished(bool byClient);

    QPointer<HttpConnection> m_connection;
    Responder *m_responder;
    bool m_chunked;
    bool m_open = true;
};

// The answer side of one request, handed to the handler. Answer exactly once, now or later (from the server
// thread): respond() with a plain response, or openStream(). Owned by the connection and deleted (later) when the
// exchange is over or the client went away: to answer asynchronously keep a QPointer<Responder> and connect to
// clientDisconnected() to cancel the work.
class Responder final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Responder)

public:
    ~Responder() override;

    [[nodiscard]] const HttpRequest &request() const { return m_request; }
    [[nodiscard]] QHostAddress peerAddress() const { return m_request.peerAddress; }
    [[nodiscard]] quint16 peerPort() const { return m_request.peerPort; }
    // False once respond() or openStream() was called, or the client is gone.
    [[nodiscard]] bool canRespond() const { return !m_answered && !m_connection.isNull() && !m_gone; }
    [[nodiscard]] bool isClientConnected() const { return !m_connection.isNull() && !m_gone; }

    // Sends `response` (written in one piece; see HttpResponse::serialize). The connection adds Date and, when it
    // will close afterwards, "Connection: close"; a handler's own "Connection: close" closes it after this response.
    // Returns false (and sends nothing) when already answered or the client is gone.
    bool respond(HttpResponse response);
    // Starts a stream: "status" (200 unless given), Content-Type: text/event-stream, Cache-Control: no-cache,
    // X-Accel-Buffering: no, plus `headers` (which may override those), written at once. Returns nullptr when
    // already answered or the client is gone.
    StreamingResponse *openStream(const HttpHeaders &headers = {}, int status = 200);

Q_SIGNALS:
    // The client disconnected before the exchange was over (no answer yet, or a stream still open).
    void clientDisconnected();

private:
    friend class HttpConnection;
    friend class StreamingResponse;
    Responder(HttpConnection *connection, HttpRequest request);
    void markClientGone();

    QPointer<HttpConnection> m_connection;
    HttpRequest m_request;
    QPointer<StreamingResponse> m_stream;
    bool m_answered = false;
    bool m_gone = false;
};

// The request handler: called on the server thread for each complete request, in arrival order per connection
// (the next request of a connection is not handed out before the previous one is answered).
using Handler = std::function<void(const HttpRequest &request, Responder &responder)>;

// HTTP/1.1 server on a QTcpServer for the MCP Streamable HTTP transport (no MCP logic here).
// Lives on the thread it is moved to (the app gives it its own QThread); all sockets and timers are created by
// start() on that thread, so call start()/stop() there, e.g. QMetaObject::invokeMethod(server, &HttpServer::start).
// port(), isListening() and connectionCount() may be read from any thread.
class HttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    explicit HttpServer(ServerOptions options, Handler handler, QObject *parent = nullptr);
    ~HttpServer() override;

    // Starts listening; emits started(port) or startFailed(message). True when listening. Idempotent.
    Q_INVOKABLE bool start();
    // Stops listening and drops every connection (open streams see clientDisconnected/finished). Idempotent.
    Q_INVOKABLE void stop();

    [[nodiscard]] quint16 port() const { return m_port.load(); }
    [[nodiscard]] bool isListening() const { return m_listening.load(); }
    // Connections currently open (those answered 503 for being over the limit do not count).
    [[nodiscard]] int connectionCount() const { return m_connectionCount.load(); }
    [[nodiscard]] const ServerOptions &options() const { return m_options; }

Q_SIGNALS:
    void started(quint16 port);
    void startFailed(const QString &message);
    void stopped();
    void connectionCountChanged(int count);

private:
    void acceptPending();
    void rejectOverLimit(HttpConnection *connection);
    void connectionClosed(HttpConnection *connection);

    ServerOptions m_options;
    Handler m_handler;
    QTcpServer *m_server = nullptr;
    QSet<HttpConnection *> m_connections; // counted against maxConnections
    QSet<HttpConnection *> m_rejected; // answered 503, lingering until closed
    std::atomic<quint16> m_port { 0 };
    std::atomic<bool> m_listening { false };
    std::atomic<int> m_connectionCount { 0 };
};

} // namespace Mcp::Http
