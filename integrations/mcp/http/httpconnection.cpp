// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "httpconnection.h"

#include <algorithm>
#include <exception>

#include <QDateTime>
#include <QLocale>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QThread>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

// The access log (one line a request) is off by default: at thousands of calls a second it would cost more than
// the calls. QT_LOGGING_RULES="cs.mcp.http.info=true" turns it on.
Q_LOGGING_CATEGORY(lcHttp, "cs.mcp.http", QtWarningMsg)

using namespace Qt::StringLiterals;

namespace Mcp::Http {

namespace {

// Bytes taken from the socket per parser feed.
constexpr qint64 ReadChunk = 64 * 1024;
// Qt stops reading from the kernel when this much is buffered and unread: with reading paused (pipelining cap,
// open stream) TCP flow control then holds the client back instead of our memory.
constexpr qint64 SocketReadBuffer = 256 * 1024;

// RFC 9110 §6.6.1: an origin server with a clock sends Date; IMF-fixdate (§5.6.7), formatted once a second.
QByteArray httpDate()
{
    thread_local qint64 cachedSecond = -1;
    thread_local QByteArray cached;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (now != cachedSecond) {
        cachedSecond = now;
        cached = QLocale::c()
                     .toString(QDateTime::fromSecsSinceEpoch(now, Qt::UTC), u"ddd, dd MMM yyyy hh:mm:ss"_s)
                     .toLatin1()
            + " GMT";
    }
    return cached;
}

// SSE field values end at the first line break (WHATWG HTML §9.2.6): keep one value from becoming two fields.
QByteArray singleLine(QByteArrayView value)
{
    QByteArray out = value.toByteArray();
    out.replace('\r', ' ');
    out.replace('\n', ' ');
    return out;
}

} // namespace

// ---------------------------------------------------------------------------------------------------------------
// Responder

Responder::Responder(HttpConnection *connection, HttpRequest request)
    : QObject(connection)
    , m_connection(connection)
    , m_request(std::move(request))
{ }

Responder::~Responder() = default;

bool Responder::respond(HttpResponse response)
{
    Q_ASSERT_X(thread() == QThread::currentThread(), Q_FUNC_INFO, "use from the server thread only");
    if (!canRespond())
        return false;
    m_answered = true;
    m_connection->sendResponse(this, std::move(response));
    return true;
}

StreamingResponse *Responder::openStream(const HttpHeaders &headers, int status)
{
    Q_ASSERT_X(thread() == QThread::currentThread(), Q_FUNC_INFO, "use from the server thread only");
    if (!canRespond())
        return nullptr;
    m_answered = true;
    // Chunked for HTTP/1.1, close-delimited for HTTP/1.0 (see StreamingResponse).
    auto *stream = new StreamingResponse(m_connection, this, m_request.versionMinor >= 1);
    m_stream = stream;
    m_connection->startStream(this, stream, headers, status);
    return stream;
}

void Responder::markClientGone()
{
    if (m_gone)
        return;
    const bool pending = !m_answered || (m_stream && m_stream->isOpen());
    m_gone = true;
    if (pending)
        Q_EMIT clientDisconnected();
}

// ---------------------------------------------------------------------------------------------------------------
// StreamingResponse

StreamingResponse::StreamingResponse(HttpConnection *connection, Responder *responder, bool chunked)
    : QObject(responder)
    , m_connection(connection)
    , m_responder(responder)
    , m_chunked(chunked)
{ }

StreamingResponse::~StreamingResponse() = default;

bool StreamingResponse::send(QByteArrayView payload)
{
    Q_ASSERT_X(thread() == QThread::currentThread(), Q_FUNC_INFO, "use from the server thread only");
    if (!m_open || m_connection.isNull())
        return false;
    return m_connection->writeStreamPayload(this, payload);
}

bool StreamingResponse::sendEvent(QByteArrayView data, QByteArrayView event, QByteArrayView id)
{
    QByteArray frame;
    frame.reserve(data.size() + event.size() + id.size() + 32);
    if (!id.isEmpty())
        frame += "id: " + singleLine(id) + '\n';
    if (!event.isEmpty())
        frame += "event: " + singleLine(event) + '\n';
    // One "data:" line per line of the payload; the client joins them with '\n' again (WHATWG HTML §9.2.6).
    qsizetype start = 0;
    while (true) {
        qsizetype end = start;
        while (end < data.size() && data[end] != '\n' && data[end] != '\r')
            ++end;
        frame += "data: ";
        frame += data.sliced(start, end - start);
        frame += '\n';
        if (end >= data.size())
            break;
        start = end + 1;
        if (data[end] == '\r' && start < data.size() && data[start] == '\n')
            ++start;
    }
    frame += '\n';
    return send(frame);
}

bool StreamingResponse::sendComment(QByteArrayView text)
{
    const QByteArray frame = ": " + singleLine(text) + "\n\n";
    return send(frame);
}

void StreamingResponse::close()
{
    Q_ASSERT_X(thread() == QThread::currentThread(), Q_FUNC_INFO, "use from the server thread only");
    if (!m_open || m_connection.isNull())
        return;
    m_connection->endStream(this);
}

qint64 StreamingResponse::pendingBytes() const
{
    return m_connection.isNull() || m_connection->isClosed() ? 0 : m_connection->m_socket->bytesToWrite();
}

const HttpRequest &StreamingResponse::request() const
{
    return m_responder->request();
}

void StreamingResponse::markFinished(bool byClient)
{
    if (!m_open)
        return;
    m_open = false;
    if (byClient)
        Q_EMIT clientDisconnected();
    Q_EMIT finished();
}

// ---------------------------------------------------------------------------------------------------------------
// HttpConnection

HttpConnection::HttpConnection(
    QTcpSocket *socket, const ServerOptions &options, const Handler &handler, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_options(options)
    , m_handler(handler)
    , m_parser(options.limits)
{
    m_socket->setParent(this);
    m_peerAddress = m_socket->peerAddress();
    m_peerPort = m_socket->peerPort();
    // DESIGN.md §7: no Nagle delay on responses and stream events. Every response is also written in one piece.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->setReadBufferSize(SocketReadBuffer);

    m_idleTimer.setSingleShot(true);
    m_idleTimer.setInterval(m_options.idleTimeout);
    m_requestTimer.setSingleShot(true);
    m_lingerTimer.setSingleShot(true);
    m_lingerTimer.setInterval(m_options.lingerTimeout);
    // RFC 9112 §9.5: a server may close an idle connection at any time; there is no request to answer.
    connect(&m_idleTimer, &QTimer::timeout, this, &HttpConnection::closeGracefully);
    // RFC 9110 §15.5.9: 408 when the client does not finish its request in time (slowloris defence).
    connect(&m_requestTimer, &QTimer::timeout, this,
        [this] { sendFinalError(408, "request not completed within the time limit"); });
    connect(&m_lingerTimer, &QTimer::timeout, this, &HttpConnection::abortConnection);

    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::pump);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this] {
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            onDisconnected();
    });
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_closing && m_socket->bytesToWrite() == 0)
            shutdownWriteSide();
    });
    // Bytes may have arrived before we connected to readyRead.
    QMetaObject::invokeMethod(this, &HttpConnection::pump, Qt::QueuedConnection);
    updateTimers();
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::pump()
{
    if (m_closed)
        return;
    if (m_pumping) {
        m_pumpAgain = true;
        return;
    }
    m_pumping = true;
    do {
        m_pumpAgain = false;
        if (m_closing) {
            // Lingering close (RFC 9112 §9.6): read and drop what the client still sends.
            m_socket->readAll();
            break;
        }
        bool progress = true;
        while (progress && !m_closed && !m_closing) {
            progress = readInput();
            progress = dispatchOne() || progress;
        }
    } while (m_pumpAgain && !m_closed);
    m_pumping = false;
    updateTimers();
}

bool HttpConnection::readInput()
{
    bool fed = false;
    while (m_parser.state() != RequestParser::State::Failed
        && m_parser.pendingRequestCount() < m_options.maxPipelinedRequests
        && m_parser.pendingBytes() <= m_options.limits.maxBodyBytes && m_socket->bytesAvailable() > 0) {
        const QByteArray chunk = m_socket->read(std::min(m_socket->bytesAvailable(), ReadChunk));
        if (chunk.isEmpty())
            break;
        const bool wasIdle = m_parser.state() == RequestParser::State::Idle;
        const qsizetype before = m_parser.pendingRequestCount();
        m_parser.feed(chunk);
        fed = true;
        if (m_parser.takeContinueRequest())
            m_continueOwed = true;
        if (m_parser.state() != RequestParser::State::InBody)
            m_continueOwed = false;
        const bool completed = m_parser.pendingRequestCount() > before;
        if (m_parser.state() == RequestParser::State::Idle || m_parser.state() == RequestParser::State::Failed)
            m_requestClock.invalidate();
        else if (wasIdle || completed)
            m_requestClock.start(); // the first byte of a new request arrived in this chunk
    }
    return fed;
}

bool HttpConnection::dispatchOne()
{
    if (m_closed || m_closing || m_active)
        return false;
    if (!m_parser.hasRequest()) {
        if (m_parser.state() == RequestParser::State::Failed) {
            // Every request before the bad one has been answered: now the error, then close (the rest of the
            // stream cannot be framed any more).
            sendFinalError(m_parser.error()->status, m_parser.error()->message);
            return true;
        }
        if (m_continueOwed) {
            // RFC 9110 §10.1.1: the body's request is next in line and its headers passed every check.
            m_continueOwed = false;
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        }
        return false;
    }
    HttpRequest request = m_parser.takeRequest();
    request.peerAddress = m_peerAddress;
    request.peerPort = m_peerPort;
    auto *responder = new Responder(this, std::move(request));
    m_active = responder;
    m_exchangeClock.start();
    if (!m_handler) {
        responder->respond(HttpResponse::text(500, "no handler\n"));
        return true;
    }
    try {
        m_handler(responder->request(), *responder);
    } catch (const std::exception &e) {
        qCWarning(lcHttp) << "handler threw:" << e.what();
        responder->respond(HttpResponse::text(500, "internal error\n"));
    } catch (...) {
        qCWarning(lcHttp) << "handler threw an unknown exception";
        responder->respond(HttpResponse::text(500, "internal error\n"));
    }
    return true;
}

void HttpConnection::updateTimers()
{
    if (m_closed || m_closing) {
        m_idleTimer.stop();
        m_requestTimer.stop();
        return;
    }
    // Only time the client while we are waiting on it: not while a handler works, a stream is open, or parsed
    // requests wait their turn.
    const bool waitingOnClient
        = !m_active && !m_parser.hasRequest() && m_parser.state() != RequestParser::State::Failed;
    if (!waitingOnClient) {
        m_idleTimer.stop();
        m_requestTimer.stop();
        return;
    }
    if (m_parser.state() == RequestParser::State::Idle) {
        m_requestTimer.stop();
        if (!m_idleTimer.isActive())
            m_idleTimer.start();
        return;
    }
    m_idleTimer.stop();
    if (!m_requestTimer.isActive()) {
        const qint64 total = m_options.requestTimeout.count();
        const qint64 spent = m_requestClock.isValid() ? m_requestClock.elapsed() : 0;
        m_requestTimer.start(int(std::clamp<qint64>(total - spent, 0, total)));
    }
}

void HttpConnection::addConnectionHeaders(HttpHeaders &headers, const HttpRequest &request, bool closeAfter) const
{
    // RFC 9112 §9.6: announce the close; §9.3 / RFC 7230 A.1.2: an HTTP/1.0 client only keeps the connection when
    // the response says keep-alive too.
    if (closeAfter)
        headers.set("Connection", "close");
    else if (request.versionMinor == 0)
        headers.set("Connection", "keep-alive");
    if (!headers.contains("date"))
        headers.add("Date", httpDate());
}

void HttpConnection::sendResponse(Responder *responder, HttpResponse response)
{
    if (m_closed)
        return;
    const HttpRequest &request = responder->request();
    const bool closeAfter = !request.keepAlive || response.headers.hasToken("connection", "close");
    addConnectionHeaders(response.headers, request, closeAfter);
    const QByteArray bytes = response.serialize(request.method != "HEAD");
    m_socket->write(bytes); // one piece: DESIGN.md §7
    logExchange(request, response.status, bytes.size());
    finishExchange(closeAfter);
}

void HttpConnection::startStream(
    Responder *responder, StreamingResponse *stream, const HttpHeaders &headers, int status)
{
    const HttpRequest &request = responder->request();
    HttpHeaders head;
    head.add("Content-Type", "text/event-stream");
    // No caching, and no buffering by proxies (nginx honours X-Accel-Buffering): events must arrive as sent.
    head.add("Cache-Control", "no-cache");
    head.add("X-Accel-Buffering", "no");
    for (const HttpHeaders::Field &field : headers.fields()) {
        if (field.first.compare("Content-Length", Qt::CaseInsensitive) == 0
            || field.first.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0)
            continue;
        head.set(field.first, field.second);
    }
    const bool isHead = request.method == "HEAD";
    const bool closeAfter = !stream->m_chunked || !request.keepAlive || head.hasToken("connection", "close");
    // RFC 9112 §7.1 chunked for HTTP/1.1; an HTTP/1.0 stream ends with the connection (RFC 9112 §6.3 rule 8).
    if (stream->m_chunked)
        head.add("Transfer-Encoding", "chunked");
    addConnectionHeaders(head, request, closeAfter);

    QByteArray bytes = "HTTP/1.1 " + QByteArray::number(status) + ' ' + HttpResponse::reasonPhrase(status) + "\r\n";
    for (const HttpHeaders::Field &field : head.fields())
        bytes += field.first + ": " + field.second + "\r\n";
    bytes += "\r\n";
    m_socket->write(bytes);
    m_stream = stream;
    m_streamBytes = bytes.size();
    logExchange(request, status, bytes.size(), "stream opened");
    if (isHead) {
        // RFC 9110 §9.3.2: the header section only.
        stream->markFinished(false);
        finishExchange(closeAfter);
    }
}

bool HttpConnection::writeStreamPayload(StreamingResponse *stream, QByteArrayView payload)
{
    if (m_closed || !stream->m_open)
        return false;
    if (payload.isEmpty())
        return true; // a zero-size chunk would end the response
    QByteArray frame;
    if (stream->m_chunked) {
        // RFC 9112 §7.1: chunk-size in hex, CRLF, data, CRLF; framing and event leave in one write.
        const QByteArray size = QByteArray::number(payload.size(), 16);
        frame.reserve(size.size() + payload.size() + 4);
        frame += size;
        frame += "\r\n";
        frame += payload;
        frame += "\r\n";
    } else {
        frame = payload.toByteArray();
    }
    m_socket->write(frame);
    m_streamBytes += frame.size();
    if (m_socket->bytesToWrite() > m_options.maxStreamBacklog) {
        qCWarning(lcHttp).nospace() << "dropping a stream whose client stopped reading (" << m_socket->bytesToWrite()
                                    << " bytes queued)";
        abortConnection();
        return false;
    }
    return true;
}

void HttpConnection::endStream(StreamingResponse *stream)
{
    if (m_closed || !stream->m_open)
        return;
    const HttpRequest &request = stream->request();
    if (stream->m_chunked)
        m_socket->write("0\r\n\r\n"); // RFC 9112 §7.1: last-chunk, no trailers
    logExchange(request, 200, m_streamBytes, "stream closed");
    const bool closeAfter = !stream->m_chunked || !request.keepAlive;
    stream->markFinished(false);
    finishExchange(closeAfter);
}

void HttpConnection::finishExchange(bool closeAfter)
{
    if (m_active)
        m_active->deleteLater();
    m_active = nullptr;
    m_stream = nullptr;
    if (closeAfter) {
        closeGracefully();
        return;
    }
    // The next pipelined request, or bytes that arrived while we were busy (readyRead will not repeat for them).
    // Queued, so that a handler answering from inside openStream()/respond() is never re-entered by the next one.
    const bool workLeft = m_parser.hasRequest() || m_parser.state() == RequestParser::State::Failed || m_continueOwed
        || m_socket->bytesAvailable() > 0;
    if (m_pumping)
        m_pumpAgain = true;
    else if (workLeft)
        QMetaObject::invokeMethod(this, &HttpConnection::pump, Qt::QueuedConnection);
    updateTimers();
}

void HttpConnection::sendFinalError(int status, const QByteArray &message)
{
    if (m_closed || m_closing)
        return;
    HttpResponse response = HttpResponse::text(status, message + '\n');
    response.headers.set("Connection", "close");
    response.headers.add("Date", httpDate());
    const QByteArray bytes = response.serialize();
    m_socket->write(bytes);
    qCInfo(lcHttp).noquote().nospace() << "- - " << status << " (" << message << ") " << bytes.size() << " bytes";
    closeGracefully();
}

void HttpConnection::rejectBusy(int retryAfterSeconds)
{
    HttpResponse response = HttpResponse::text(503, "too many connections, retry later\n");
    response.headers.add("Retry-After", QByteArray::number(retryAfterSeconds));
    response.headers.add("Connection", "close");
    response.headers.add("Date", httpDate());
    m_socket->write(response.serialize());
    closeGracefully();
}

void HttpConnection::closeGracefully()
{
    if (m_closed || m_closing)
        return;
    m_closing = true;
    m_idleTimer.stop();
    m_requestTimer.stop();
    m_lingerTimer.start();
    if (m_socket->bytesToWrite() == 0)
        shutdownWriteSide();
    // else: bytesWritten() brings us back once the response is out.
}

void HttpConnection::shutdownWriteSide()
{
    if (m_writeShutdown || m_closed)
        return;
    m_writeShutdown = true;
#ifdef Q_OS_UNIX
    // Half-close: the client reads our last response and EOF, then closes; we keep draining its input meanwhile.
    // A full close with unread input would send a reset that can destroy the response in flight (RFC 9112 §9.6).
    ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    m_socket->readAll();
#else
    m_socket->disconnectFromHost();
#endif
}

void HttpConnection::abortConnection()
{
    if (m_closed)
        return;
    m_socket->abort();
    onDisconnected();
}

void HttpConnection::onDisconnected()
{
    if (m_closed)
        return;
    m_closed = true;
    m_idleTimer.stop();
    m_requestTimer.stop();
    m_lingerTimer.stop();
    const QPointer<Responder> active = m_active;
    const QPointer<StreamingResponse> stream = m_stream;
    if (stream && stream->isOpen())
        logExchange(stream->request(), 200, m_streamBytes, "stream ended by client");
    if (active)
        active->markClientGone();
    if (stream)
        stream->markFinished(true);
    Q_EMIT closed(this);
}

void HttpConnection::logExchange(const HttpRequest &request, int status, qint64 bytes, const char *note) const
{
    // Method, path (never the query: it may carry tokens), status, duration. Never a header value.
    const double ms = m_exchangeClock.isValid() ? double(m_exchangeClock.nsecsElapsed()) / 1e6 : 0.0;
    qCInfo(lcHttp).noquote().nospace() << QString::fromLatin1(request.method) << ' '
                                       << QString::fromUtf8(request.path.left(200)) << ' ' << status << ' '
                                       << QString::number(ms, 'f', 2) << " ms " << bytes << " bytes"
                                       << (*note ? " " : "") << note;
}

} // namespace Mcp::Http
