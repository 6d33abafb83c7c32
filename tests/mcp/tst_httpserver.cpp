// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include <atomic>
#include <memory>
#include <optional>

#include <QLoggingCategory>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include "httpserver.h"

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using Mcp::Http::Handler;
using Mcp::Http::HttpHeaders;
using Mcp::Http::HttpRequest;
using Mcp::Http::HttpResponse;
using Mcp::Http::HttpServer;
using Mcp::Http::Responder;
using Mcp::Http::ServerOptions;
using Mcp::Http::StreamingResponse;

namespace {

constexpr int WaitMs = 5000;

// What the test handler keeps between requests. Touched on the server thread only, except the counters.
struct Fixture
{
    QList<QPointer<StreamingResponse>> streams;
    std::atomic<int> streamsEndedByClient { 0 };
    std::atomic<int> streamsFinished { 0 };
    std::atomic<int> respondersAbandoned { 0 };
    std::atomic<int> handled { 0 };
};

// Routes of the test server. Each one exercises one way of answering.
Handler makeHandler(Fixture *f)
{
    return [f](const HttpRequest &request, Responder &responder) {
        ++f->handled;
        const QByteArray path = request.path;
        if (path == "/echo") {
            HttpResponse response = HttpResponse::text(200, request.method + ' ' + request.target + ' ' + request.body);
            response.headers.add("X-Peer-Port", QByteArray::number(request.peerPort));
            responder.respond(response);
        } else if (path == "/slow") {
            // Answered later, from a timer: the next pipelined request must wait for it.
            QPointer<Responder> later(&responder);
            QTimer::singleShot(request.queryItem(u"ms").toInt(), &responder, [later] {
                if (later)
                    later->respond(HttpResponse::text(200, "slow " + later->request().target));
            });
        } else if (path == "/never") {
            QObject::connect(&responder, &Responder::clientDisconnected, &responder, [f] { ++f->respondersAbandoned; });
        } else if (path == "/stream") {
            StreamingResponse *stream = responder.openStream();
            QVERIFY(stream);
            f->streams.append(stream);
            QObject::connect(
                stream, &StreamingResponse::clientDisconnected, stream, [f] { ++f->streamsEndedByClient; });
            QObject::connect(stream, &StreamingResponse::finished, stream, [f] { ++f->streamsFinished; });
            stream->sendEvent("first", "message", "1");
        } else if (path == "/push") {
            int delivered = 0;
            for (const QPointer<StreamingResponse> &stream : std::as_const(f->streams)) {
                if (stream && stream->isOpen() && stream->sendEvent(request.queryItem(u"data").toUtf8(), "message"))
                    ++delivered;
            }
            responder.respond(HttpResponse::text(200, QByteArray::number(delivered)));
        } else if (path == "/flood") {
            // Pushes far more than a client that does not read can take.
            const QByteArray event(64 * 1024, 'f');
            int delivered = 0;
            for (int i = 0; i < 400; ++i) {
                for (const QPointer<StreamingResponse> &stream : std::as_const(f->streams)) {
                    if (stream && stream->isOpen() && stream->send(event))
                        ++delivered;
                }
            }
            responder.respond(HttpResponse::text(200, QByteArray::number(delivered)));
        } else if (path == "/close-streams") {
            for (const QPointer<StreamingResponse> &stream : std::as_const(f->streams)) {
                if (stream)
                    stream->close();
            }
            responder.respond(HttpResponse::empty(204));
        } else if (path == "/bye") {
            HttpResponse response = HttpResponse::text(200, "bye");
            response.headers.add("Connection", "close");
            responder.respond(response);
        } else if (path == "/big") {
            responder.respond(HttpResponse::text(200, QByteArray(3000, 'b')));
        } else {
            responder.respond(HttpResponse::text(404, "not found"));
        }
    };
}

struct Reply
{
    int status = 0;
    HttpHeaders headers;
    QByteArray body;
};

// A blocking HTTP/1.1 client on the test thread (the server runs on its own thread).
class Client
{
public:
    bool connectTo(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        return m_socket.waitForConnected(WaitMs);
    }
    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.waitForBytesWritten(WaitMs);
    }
    // Reads one response: Content-Length delimited, or just the header section of a chunked (streaming) one.
    std::optional<Reply> read(bool headRequest = false)
    {
        qsizetype end;
        while ((end = m_buffer.indexOf("\r\n\r\n")) < 0) {
            if (!fill())
                return std::nullopt;
        }
        Reply reply;
        const QList<QByteArray> lines = m_buffer.left(end).split('\n');
        reply.status = lines.first().split(' ').value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            reply.headers.add(line.left(colon), line.mid(colon + 1).trimmed());
        }
        m_buffer.remove(0, end + 4);
        if (reply.headers.hasToken("transfer-encoding", "chunked"))
            return reply;
        const qsizetype length
            = headRequest || reply.status < 200 ? 0 : reply.headers.value("content-length").toLongLong();
        while (m_buffer.size() < length) {
            if (!fill())
                return std::nullopt;
        }
        reply.body = m_buffer.left(length);
        m_buffer.remove(0, length);
        return reply;
    }
    // One chunk of a chunked body (RFC 9112 §7.1); an empty QByteArray for the last chunk, nullopt on failure.
    std::optional<QByteArray> readChunk()
    {
        qsizetype eol;
        while ((eol = m_buffer.indexOf("\r\n")) < 0) {
            if (!fill())
                return std::nullopt;
        }
        bool ok = false;
        const qsizetype size = m_buffer.left(eol).toLongLong(&ok, 16);
        if (!ok)
            return std::nullopt;
        while (m_buffer.size() < eol + 2 + size + 2) {
            if (!fill())
                return std::nullopt;
        }
        QByteArray data = m_buffer.mid(eol + 2, size);
        m_buffer.remove(0, eol + 2 + size + 2);
        return data;
    }
    bool waitForClose()
    {
        if (m_socket.state() == QAbstractSocket::UnconnectedState)
            return true;
        while (m_socket.waitForReadyRead(WaitMs))
            m_buffer += m_socket.readAll();
        return m_socket.state() == QAbstractSocket::UnconnectedState;
    }
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    QTcpSocket &socket() { return m_socket; }
    QByteArray &buffer() { return m_buffer; }
    void close() { m_socket.abort(); }

private:
    bool fill()
    {
        if (m_socket.bytesAvailable() == 0 && !m_socket.waitForReadyRead(WaitMs))
            return false;
        m_buffer += m_socket.readAll();
        return true;
    }
    QTcpSocket m_socket;
    QByteArray m_buffer;
};

QByteArray get(const QByteArray &target, const QByteArray &extra = {})
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

} // namespace

class TestHttpServer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup();

    void keepAliveServesSeveralRequests();
    void pipelinedRequestsAnsweredInOrder();
    void connectionCloseHonoured_data();
    void connectionCloseHonoured();
    void http10KeepAlive();
    void headResponseHasNoBody();
    void parseErrorAnsweredThenClosed();
    void expectContinue();
    void idleConnectionCloses();
    void slowHeaderDribbleTimesOut();
    void connectionLimitEnforced();
    void streamDeliversEventsAsPushed();
    void streamClosedByServerKeepsConnection();
    void http10StreamEndsWithConnection();
    void streamDroppedWhenClientStopsReading();
    void refusalReachesClientStillSending();
    void accessLogKeepsSecretsOut();
    void abandonedRequestNoticed();
    void responseArrivesInOneWrite();
    void lowDelaySetOnSockets();
    void stopDropsConnections();

private:
    void startServer(ServerOptions options = {});

    std::unique_ptr<Fixture> m_fixture;
    QThread *m_thread = nullptr;
    HttpServer *m_server = nullptr;
};

void TestHttpServer::startServer(ServerOptions options)
{
    m_fixture = std::make_unique<Fixture>();
    m_thread = new QThread;
    // Like the app: built on one thread, moved to its own, started there with a queued call.
    m_server = new HttpServer(options, makeHandler(m_fixture.get()));
    m_server->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_server, &QObject::deleteLater);
    m_thread->start();
    bool listening = false;
    QMetaObject::invokeMethod(
        m_server, [this, &listening] { listening = m_server->start(); }, Qt::BlockingQueuedConnection);
    QVERIFY(listening);
    QVERIFY(m_server->port() != 0);
}

void TestHttpServer::cleanup()
{
    if (m_server)
        QMetaObject::invokeMethod(m_server, &HttpServer::stop, Qt::BlockingQueuedConnection);
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
    }
    m_thread = nullptr;
    m_server = nullptr;
    m_fixture.reset();
}

void TestHttpServer::keepAliveServesSeveralRequests()
{
    startServer();
    Client client;
    QVERIFY(client.connectTo(m_server->port()));
    QByteArray peerPort;
    for (int i = 0; i < 3; ++i) {
        client.send(get("/echo?i=" + QByteArray::number(i)));
        const auto reply = client.read();
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(reply->body, "GET /echo?i=" + QByteArray::number(i) + ' ');
        QVERIFY(!reply->headers.hasToken("connection", "close"));
        QVERIFY(!reply->headers.value("date").isEmpty());
        // The same TCP connection each time.
        if (i == 0)
            peerPort = reply->headers.value("x-peer-port");
        QCOMPARE(reply->headers.value("x-peer-port"), peerPort);
    }
    QCOMPARE(peerPort, QByteArray::number(client.socket().localPort()));
    QVERIFY(client.isConnected());
    QCOMPARE(m_server->connectionCount(), 1);
}

void TestHttpServer::pipelinedRequestsAnsweredInOrder()
{
    startServer();
    Client client;
    QVERIFY(client.connectTo(m_server->port()));
    // The first is answered last by the handler's clock, yet must come out first.
    client.send(get("/slow?ms=200") + get("/echo?n=2") + get("/slow?ms=10") + get("/echo?n=4"));
    const QList<QByteArray> expected = { "slow /slow?ms=200", "GET /echo?n=2 ", "slow /slow?ms=10", "GET /echo?n=4 " };
    for (const QByteArray &body : expected) {
        const auto reply = client.read();
        QVERIFY(reply);
        QCOMPARE(reply->body, body);
    }
}

void TestHttpServer::connectionCloseHonoured_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addRow("client sends Connection: close") << get("/echo", "Connection: close\r\n");
    QTest::addRow("HTTP/1.0 without keep-alive") << QByteArray("GET /echo HTTP/1.0\r\n\r\n");
    QTest::addRow("handler answers Connection: close") << get("/bye");
}

void TestHttpServer::connectionCloseHonoured()
{
    QFETCH(QByteArray, request);
    startServer();
    Client client;
    QVERIFY(client.connectTo(m_server->port()));
    client.send(request);
    const auto reply = client.read();
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QVERIFY(reply->headers.hasToken("connection", "close"));
    QVERIFY(client.waitForClose());
    QTRY_COMPARE(m_server->connectionCount(), 0);
}

void TestHttpServer::http10KeepAlive()
{
    startServer();
    Client client;
    QVERIFY(client.connectTo(m_server->port()));
    for (int i = 0; i < 2; ++i) {
        client.send("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        const auto reply = client.read();
        QVERIFY(reply);
        QCOMPARE(reply->headers.value("connection"), "keep-alive");
    }
    QVERIFY(client.isConnected());
}

void TestHttpServer::headResponseHasNoBody()
{
    startServer();
    Client client;
    QVERIFY(client.connectTo(m_server->port()));
    client.send("HEAD /big HTTP/1.1\r\nHost: a\r\n\r\n" + get("/echo"));
    const auto head = client.read(true);
    QVERIFY(head);
    QCOMPARE(head->headers.value("content-length"), "3000");
    // The next response follows right after the header section: no body was sent.
    const auto next = client.read();
    QVERIFY(next);
    QCOMPARE(next->body, "GET /echo ");
}

void TestHttpServer::parseErrorAnsweredThenClosed()
{
    startServer();
    Client client;
    QVERIFY(client.connectTo(m_server->port()));
    client.send(
        get("/echo?first") + "POST /mcp HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
    const auto first = client.read();
    QVERIFY(first);
    QCOMPARE(first->status, 200);
    const auto refused = client.read();
    QVERIFY(refused);
    QCOMPARE(refused->status, 411);
    QVERIFY(refused->body.contains("Content-Length"));
    QVERIFY(refused->headers.hasToken("connection", "close"));
    QVERIFY(client.waitForClose());
    QCOMPARE(m_fixture->handled.load(), 1); // the refused request never reached the handler
}

void TestHttpServer::expectContinue()
{
    startServer();
    Client client;
    QVERIFY(client.connectTo(m_server->port()));
    client.send("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    const auto interim = client.read();
    QVERIFY(interim);
    QCOMPARE(interim->status, 100);
    client.send("hello");
    const auto reply = client.read();
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QCOMPARE(reply->body, "POST /echo hello");
}

void TestHttpServer::idleConnectionCloses()
{
    ServerOptions options;
    options.idleTimeout = 200ms;
    startServer(options);
    Client silent;
    QVERIFY(silent.connectTo(m_server->port()));
    Client afterOneRequest;
    QVERIFY(afterOneRequest.connectTo(m_server->port()));
    afterOneRequest.send(get("/echo"));
    QVERIFY(afterOneRequest.read());
    QVERIFY(silent.waitForClose());
    QVERIFY(afterOneRequest.waitForClose());
    QVERIFY(silent.buffer().isEmpty()); // closed quietly: there was no request to answer
    QTRY_COMPARE(m_server->connectionCount(), 0);
}

void TestHttpServer::slowHeaderDribbleTimesOut()
{
    ServerOptions options;
    options.requestTimeout = 300ms;
    options.idleTimeout = 60s; // not the idle timer: the client never stops sending
    startServer(options);
    Client client;
    QVERIFY(client.connectTo(m_server->port()));
    client.send("GET /echo HTTP/1.1\r\nHost: a\r\n");
    int sent = 0;
    for (; sent < 200 && client.isConnected(); ++sent) {
        client.send("X-Drip: " + QByteArray::number(sent) + "\r\n");
        if (client.socket().waitForReadyRead(50))
            break;
    }
    QVERIFY2(sent < 200, "the server kept accepting a request that never ends");
    const auto reply = client.read();
    QVERIFY(reply);
    QCOMPARE(reply->status, 408);
    QVERIFY(client.waitForClose());
    QCOMPARE(m_fixture->handled.load(), 0);
}

void TestHttpServer::connectionLimitEnforced()
{
    ServerOptions options;
    options.maxConnections = 2;
    options.retryAfterSeconds = 3;
    startServer(options);
    Client a;
    Client b;
    for (Client *client : { &a, &b }) {
        QVERIFY(client->connectTo(m_server->port()));
        client->send(get("/echo"));
        QVERIFY(client->read());
    }
    QCOMPARE(m_server->connectionCount(), 2);

    Client over;
    QVERIFY(over.connectTo(m_server->port()));
    over.send(get("/echo"));
    const auto refused = over.read();
    QVERIFY(refused);
    QCOMPARE(refused->status, 503);
    QCOMPARE(refused->headers.value("retry-after"), "3");
    QVERIFY(over.waitForClose());
    QCOMPARE(m_server->connectionCount(), 2);
    QCOMPARE(m_fixture->handled.load(), 2);

    // A slot frees up when a client leaves.
    a.close();
    QTRY_COMPARE(m_server->connectionCount(), 1);
    Client c;
    QVERIFY(c.connectTo(m_server->port()));
    c.send(get("/echo"));
    const auto reply = c.read();
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
}

void TestHttpServer::streamDeliversEventsAsPushed()
{
    startServer();
    Client listener;
    QVERIFY(listener.connectTo(m_server->port()));
    listener.send(get("/stream", "Accept: text/event-stream\r\n"));
    const auto head = listener.read();
    QVERIFY(head);
    QCOMPARE(head->status, 200);
    QCOMPARE(head->headers.value("content-type"), "text/event-stream");
    QCOMPARE(head->headers.value("cache-control"), "no-cache");
    QCOMPARE(head->headers.value("x-accel-buffering"), "no");
    QVERIFY(!head->headers.contains("content-length"));
    auto chunk = listener.readChunk();
    QVERIFY(chunk);
    QCOMPARE(*chunk, "id: 1\nevent: message\ndata: first\n\n");

    // Each push reaches the open stream at once, one event per chunk.
    Client pusher;
    QVERIFY(pusher.connectTo(m_server->port()));
    for (const QByteArray data : { "alpha", "beta" }) {
        pusher.send(get("/push?data=" + data));
        const auto pushed = pusher.read();
        QVERIFY(pushed);
        QCOMPARE(pushed->body, "1");
        chunk = listener.readChunk();
        QVERIFY(chunk);
        QCOMPARE(*chunk, "event: message\ndata: " + data + "\n\n");
    }
    QCOMPARE(m_server->connectionCount(), 2);

    // The client goes away: the server notices, ends the stream and frees the connection.
    listener.close();
    QTRY_COMPARE(m_fixture->streamsEndedByClient.load(), 1);
    QCOMPARE(m_fixture->streamsFinished.load(), 1);
    QTRY_COMPARE(m_server->connectionCount(), 1);
    pusher.send(get("/push?data=gone"));
    const auto afterwards = pusher.read();
    QVERIFY(afterwards);
    QCOMPARE(afterwards->body, "0");
}

void TestHttpServer::streamClosedByServerKeepsConnection()
{
    startServer();
    Client listener;
    QVERIFY(listener.connectTo(m_server->port()));
    // The request after the stream waits until the stream is over (HTTP/1.1 answers in order).
    listener.send(get("/stream") + get("/echo?after-stream"));
    QVERIFY(listener.read());
    QVERIFY(listener.readChunk());

    Client control;
    QVERIFY(control.connectTo(m_server->port()));
    control.send(get("/close-streams"));
    const auto closed = control.read();
    QVERIFY(closed);
    QCOMPARE(closed->status, 204);

    const auto last = listener.readChunk();
    QVERIFY(last);
    QVERIFY(last->isEmpty()); // the last-chunk: the response is complete
    const auto next = listener.read();
    QVERIFY(next);
    QCOMPARE(next->body, "GET /echo?after-stream ");
    QVERIFY(listener.isConnected());
    QCOMPARE(m_fixture->streamsFinished.load(), 1);
    QCOMPARE(m_fixture->streamsEndedByClient.load(), 0);
}

void TestHttpServer::http10StreamEndsWithConnection()
{
    startServer();
    Client listener;
    QVERIFY(listener.connectTo(m_server->port()));
    listener.send("GET /stream HTTP/1.0\r\n\r\n");
    // No chunked coding for HTTP/1.0: header section, then the raw event bytes.
    while (!listener.buffer().contains("data: first\n\n")) {
        QVERIFY(listener.socket().waitForReadyRead(WaitMs));
        listener.buffer() += listener.socket().readAll();
    }
    QVERIFY(!listener.buffer().contains("Transfer-Encoding"));
    QVERIFY(listener.buffer().contains("Connection: close\r\n"));
    QVERIFY(listener.buffer().endsWith("\r\n\r\nid: 1\nevent: message\ndata: first\n\n"));

    Client control;
    QVERIFY(control.connectTo(m_server->port()));
    control.send(get("/close-streams"));
    QVERIFY(control.read());
    // The end of the stream is the end of the connection.
    QVERIFY(listener.waitForClose());
    QCOMPARE(m_fixture->streamsFinished.load(), 1);
}

void TestHttpServer::streamDroppedWhenClientStopsReading()
{
    ServerOptions options;
    options.maxStreamBacklog = 256 * 1024;
    startServer(options);
    Client listener;
    QVERIFY(listener.connectTo(m_server->port()));
    listener.send(get("/stream"));
    QVERIFY(listener.read());
    // From here the listener reads nothing: kernel buffers fill, then the server's queue passes the backlog cap.
    Client pusher;
    QVERIFY(pusher.connectTo(m_server->port()));
    pusher.send(get("/flood"));
    const auto flooded = pusher.read();
    QVERIFY(flooded);
    QVERIFY(flooded->body.toInt() < 400); // not every event was accepted
    QTRY_COMPARE(m_fixture->streamsEndedByClient.load(), 1);
    QTRY_COMPARE(m_server->connectionCount(), 1);
}

void TestHttpServer::refusalReachesClientStillSending()
{
    startServer();
    Client client;
    QVERIFY(client.connectTo(m_server->port()));
    // Refused by its Content-Length while the body is still on its way: the 413 comes back at once (the handler
    // never sees the request) and the connection ends once the client stops sending.
    client.socket().write("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\n\r\n");
    client.socket().write(QByteArray(512 * 1024, 'x'));
    const auto refused = client.read();
    QVERIFY(refused);
    QCOMPARE(refused->status, 413);
    QVERIFY(client.waitForClose());
    QCOMPARE(m_fixture->handled.load(), 0);
}

namespace {
QMutex logMutex;
QStringList logLines;
void captureLog(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    const QMutexLocker lock(&logMutex);
    logLines.append(QString::fromLatin1(context.category) + u": "_s + message);
}
} // namespace

void TestHttpServer::accessLogKeepsSecretsOut()
{
    QLoggingCategory::setFilterRules(u"cs.mcp.http.info=true"_s);
    startServer();
    const QtMessageHandler previous = qInstallMessageHandler(captureLog);
    Client client;
    QVERIFY(client.connectTo(m_server->port()));
    client.send(get("/echo?access_token=SECRET-QUERY",
        "Authorization: Bearer SECRET-BEARER\r\nMcp-Session-Id: SECRET-SESSION\r\nCookie: SECRET-COOKIE\r\n"));
    QVERIFY(client.read());
    client.send(
        "POST /mcp HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer SECRET-BEARER\r\nTransfer-Encoding: chunked\r\n\r\n");
    QVERIFY(client.read());
    QVERIFY(client.waitForClose());
    QMetaObject::invokeMethod(m_server, &HttpServer::stop, Qt::BlockingQueuedConnection);
    qInstallMessageHandler(previous);
    QLoggingCategory::setFilterRules(QString());

    const QMutexLocker lock(&logMutex);
    const QString all = logLines.join(u'\n');
    QVERIFY2(all.contains(u"cs.mcp.http: GET /echo 200 "_s), qPrintable(all));
    QVERIFY2(all.contains(u" 411 "_s), qPrintable(all));
    QVERIFY2(!all.contains(u"SECRET"_s), qPrintable(all));
}

void TestHttpServer::abandonedRequestNoticed()
{
    startServer();
    Client client;
    QVERIFY(client.connectTo(m_server->port()));
    client.send(get("/never"));
    QTRY_COMPARE(m_fixture->handled.load(), 1);
    client.close();
    QTRY_COMPARE(m_fixture->respondersAbandoned.load(), 1);
    QTRY_COMPARE(m_server->connectionCount(), 0);
}

void TestHttpServer::responseArrivesInOneWrite()
{
    startServer();
    Client client;
    QVERIFY(client.connectTo(m_server->port()));
    for (int i = 0; i < 5; ++i) {
        client.send(get("/big"));
        // Best effort: one write() of headers and body reaches the peer as one segment on loopback, so the very
        // first read holds the whole response. Two writes would show up here as a partial first read.
        QVERIFY(client.socket().waitForReadyRead(WaitMs));
        const QByteArray firstRead = client.socket().readAll();
        const qsizetype end = firstRead.indexOf("\r\n\r\n");
        QVERIFY(end > 0);
        QCOMPARE(firstRead.size() - end - 4, 3000);
    }
}

void TestHttpServer::lowDelaySetOnSockets()
{
    startServer();
    Client client;
    QVERIFY(client.connectTo(m_server->port()));
    client.send(get("/echo"));
    QVERIFY(client.read());
    QList<QVariant> options;
    QMetaObject::invokeMethod(
        m_server,
        [this, &options] {
            for (QTcpSocket *socket : m_server->findChildren<QTcpSocket *>())
                options.append(socket->socketOption(QAbstractSocket::LowDelayOption));
        },
        Qt::BlockingQueuedConnection);
    QCOMPARE(options.size(), 1);
    QCOMPARE(options.first().toInt(), 1);
}

void TestHttpServer::stopDropsConnections()
{
    startServer();
    Client listener;
    QVERIFY(listener.connectTo(m_server->port()));
    listener.send(get("/stream"));
    QVERIFY(listener.read());
    QTRY_COMPARE(m_server->connectionCount(), 1);
    // A queued call from another thread, as the app does on shutdown.
    QMetaObject::invokeMethod(m_server, &HttpServer::stop, Qt::QueuedConnection);
    QVERIFY(listener.waitForClose());
    QTRY_COMPARE(m_fixture->streamsFinished.load(), 1);
    QVERIFY(!m_server->isListening());
    QCOMPARE(m_server->connectionCount(), 0);
    Client late;
    late.socket().connectToHost(QHostAddress::LocalHost, m_server->port());
    QVERIFY(!late.socket().waitForConnected(1000) || !late.socket().waitForReadyRead(500));
}

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"
