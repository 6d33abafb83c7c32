// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The Streamable HTTP binding (integrations/mcp/host/streamablehttp.cpp) over a real HttpServer on 127.0.0.1 on its
// own thread, driven by raw HTTP/1.1 from a QTcpSocket: every status code the transport answers, the session
// lifecycle, the DNS-rebinding checks, the bearer token, JSON vs SSE answers and the GET stream.
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include "fakeclock.h"
#include "httpserver.h"
#include "mcpserver.h"
#include "promptregistry.h"
#include "resourceregistry.h"
#include "services.h"
#include "streamablehttp.h"
#include "testdatabase.h"
#include "toolregistry.h"

using namespace Qt::StringLiterals;

namespace {

const QByteArray kToken = "test-token-0123456789abcdef";

using Headers = QList<QPair<QByteArray, QByteArray>>;
QPair<QByteArray, QByteArray> header(const char *name, const QByteArray &value)
{
    return { QByteArray(name), value };
}

struct Reply
{
    int status = 0;
    Headers headers;
    QByteArray body;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// Reads one response: status line, headers, then Content-Length bytes, or chunks until the last one.
Reply readReply(QTcpSocket &socket, int timeoutMs = 5000)
{
    Reply reply;
    QByteArray buffer;
    const auto fill = [&]() {
        if (!socket.waitForReadyRead(timeoutMs))
            return false;
        buffer += socket.readAll();
        return true;
    };
    qsizetype end = -1;
    while ((end = buffer.indexOf("\r\n\r\n")) < 0) {
        if (!fill())
            return reply;
    }
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    reply.status = lines.constFirst().split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        reply.headers.append({ line.left(colon).trimmed(), line.mid(colon + 1).trimmed() });
    }
    buffer.remove(0, end + 4);
    if (reply.header("transfer-encoding").toLower() == "chunked") {
        for (;;) {
            qsizetype lineEnd;
            while ((lineEnd = buffer.indexOf("\r\n")) < 0) {
                if (!fill())
                    return reply;
            }
            const qsizetype size = buffer.left(lineEnd).toLongLong(nullptr, 16);
            while (buffer.size() < lineEnd + 2 + size + 2) {
                if (!fill())
                    return reply;
            }
            reply.body += buffer.mid(lineEnd + 2, size);
            buffer.remove(0, lineEnd + 2 + size + 2);
            if (size == 0)
                return reply;
        }
    }
    const qsizetype length = reply.header("content-length").toLongLong();
    while (buffer.size() < length) {
        if (!fill())
            return reply;
    }
    reply.body = buffer.left(length);
    return reply;
}

QByteArray rpc(const QJsonValue &id, const QString &method, const QJsonObject &params = {})
{
    QJsonObject message { { u"jsonrpc"_s, u"2.0"_s }, { u"method"_s, method } };
    if (!id.isUndefined())
        message.insert(u"id"_s, id);
    if (!params.isEmpty())
        message.insert(u"params"_s, params);
    return QJsonDocument(message).toJson(QJsonDocument::Compact);
}

QByteArray initializeBody()
{
    return rpc(1, u"initialize"_s,
        { { u"protocolVersion"_s, u"2025-11-25"_s }, { u"capabilities"_s, QJsonObject() },
            { u"clientInfo"_s, QJsonObject { { u"name"_s, u"tst"_s }, { u"version"_s, u"1"_s } } } });
}

} // namespace

class tst_StreamableHttp : public QObject
{
    Q_OBJECT

private:
    // Everything the MCP thread owns, built and destroyed on it.
    struct Stack
    {
        TestUtils::TestDatabase db;
        TestUtils::FakeClock clock;
        Mcp::ToolRegistry tools;
        Mcp::ResourceRegistry resources;
        Mcp::PromptRegistry prompts;
        std::unique_ptr<Core::Services> services;
        std::unique_ptr<Mcp::Server> server;
        std::unique_ptr<Mcp::StreamableHttp> http;
        std::unique_ptr<Mcp::Http::HttpServer> listener;
    };

    QThread m_thread;
    QObject *m_context = nullptr; // lives on m_thread: what runs through it runs there
    Stack *m_stack = nullptr;
    quint16 m_port = 0;

    QByteArray request(QByteArrayView method, QByteArrayView body, Headers headers, QByteArrayView path = "/mcp") const
    {
        QByteArray raw = method.toByteArray() + ' ' + path.toByteArray() + " HTTP/1.1\r\n";
        bool host = false;
        for (const auto &h : headers) {
            host = host || h.first.compare("host", Qt::CaseInsensitive) == 0;
            raw += h.first + ": " + h.second + "\r\n";
        }
        if (!host)
            raw += "Host: 127.0.0.1:" + QByteArray::number(m_port) + "\r\n";
        if (!body.isEmpty() || method == "POST")
            raw += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        raw += "\r\n" + body.toByteArray();
        return raw;
    }

    static Headers standard(const QByteArray &session = {})
    {
        Headers headers { { "Authorization", "Bearer " + kToken }, { "Content-Type", "application/json" },
            { "Accept", "application/json, text/event-stream" } };
        if (!session.isEmpty())
            headers.append(header("Mcp-Session-Id", session));
        return headers;
    }

    Reply exchange(const QByteArray &raw) const
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        if (!socket.waitForConnected(5000))
            return {};
        socket.write(raw);
        return readReply(socket);
    }

    QByteArray openSession() const
    {
        const Reply reply = exchange(request("POST", initializeBody(), standard()));
        return reply.header("mcp-session-id");
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_context = new QObject;
        m_context->moveToThread(&m_thread);
        m_thread.start();
        bool built = false;
        QMetaObject::invokeMethod(
            m_context,
            [this, &built] {
                m_stack = new Stack;
                if (!m_stack->db.isOpen())
                    return;
                m_stack->services = std::make_unique<Core::Services>(m_stack->db.db(), m_stack->clock);
                Mcp::Tool echo;
                echo.name = u"echo"_s;
                echo.title = u"Echo"_s;
                echo.description = u"Answers its text."_s;
                echo.toolset = u"test"_s;
                echo.inputSchema = QJsonObject { { u"type"_s, u"object"_s },
                    { u"properties"_s, QJsonObject { { u"text"_s, QJsonObject { { u"type"_s, u"string"_s } } } } },
                    { u"required"_s, QJsonArray { u"text"_s } }, { u"additionalProperties"_s, false } };
                echo.outputSchema = QJsonObject { { u"type"_s, u"object"_s } };
                echo.handler = [](const Mcp::ToolCall &call) -> Mcp::ToolResult {
                    return QJsonObject { { u"text"_s, call.arguments.value(u"text"_s) } };
                };
                if (!m_stack->tools.add(echo).ok())
                    return;
                Mcp::Tool slow = echo;
                slow.name = u"slow"_s;
                slow.longRunning = true;
                slow.handler = [](const Mcp::ToolCall &call) -> Mcp::ToolResult {
                    for (int i = 1; i <= 3; ++i) {
                        call.progress(i, 3, u"step"_s);
                        call.log(u"info"_s, QString(u"step "_s + QString::number(i)));
                        QThread::msleep(20);
                    }
                    return QJsonObject { { u"text"_s, call.arguments.value(u"text"_s) } };
                };
                if (!m_stack->tools.add(slow).ok())
                    return;
                m_stack->server = std::make_unique<Mcp::Server>(
                    m_stack->tools, m_stack->resources, m_stack->prompts, *m_stack->services);
                Mcp::StreamableHttpOptions options;
                options.token = QString::fromLatin1(kToken);
                m_stack->http = std::make_unique<Mcp::StreamableHttp>(*m_stack->server, m_stack->tools, options);
                m_stack->listener = std::make_unique<Mcp::Http::HttpServer>(Mcp::Http::ServerOptions {},
                    [http = m_stack->http.get()](const Mcp::Http::HttpRequest &r, Mcp::Http::Responder &responder) {
                        http->handle(r, responder);
                    });
                built = m_stack->listener->start();
                m_port = m_stack->listener->port();
            },
            Qt::BlockingQueuedConnection);
        QVERIFY2(
            built && m_port != 0, m_stack && !m_stack->db.isOpen() ? qPrintable(m_stack->db.error()) : "no server");
    }

    void cleanupTestCase()
    {
        QMetaObject::invokeMethod(
            m_context,
            [this] {
                if (m_stack && m_stack->listener)
                    m_stack->listener->stop();
                delete m_stack;
                m_stack = nullptr;
                delete m_context;
            },
            Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<Headers>("headers");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");

        using Headers = QList<QPair<QByteArray, QByteArray>>;
        const QByteArray init = initializeBody();
        Headers noAuth { { "Content-Type", "application/json" }, { "Accept", "application/json" } };
        QTest::addRow("other path") << QByteArray("POST") << QByteArray("/other") << standard() << init << 404;
        QTest::addRow("PUT") << QByteArray("PUT") << QByteArray("/mcp") << standard() << init << 405;
        Headers evilHost = standard();
        evilHost.append(header("Host", "evil.example"));
        QTest::addRow("foreign Host") << QByteArray("POST") << QByteArray("/mcp") << evilHost << init << 403;
        Headers rebinding = standard();
        rebinding.append(header("Host", "localhost.evil.example:80"));
        QTest::addRow("Host that starts like localhost")
            << QByteArray("POST") << QByteArray("/mcp") << rebinding << init << 403;
        Headers evilOrigin = standard();
        evilOrigin.append(header("Origin", "http://evil.example"));
        QTest::addRow("foreign Origin") << QByteArray("POST") << QByteArray("/mcp") << evilOrigin << init << 403;
        Headers nullOrigin = standard();
        nullOrigin.append(header("Origin", "null"));
        QTest::addRow("opaque Origin") << QByteArray("POST") << QByteArray("/mcp") << nullOrigin << init << 403;
        QTest::addRow("no token") << QByteArray("POST") << QByteArray("/mcp") << noAuth << init << 401;
        Headers wrongToken = noAuth;
        wrongToken.append(header("Authorization", "Bearer test-token-0123456789abcdeX"));
        QTest::addRow("wrong token") << QByteArray("POST") << QByteArray("/mcp") << wrongToken << init << 401;
        Headers basic = noAuth;
        basic.append(header("Authorization", "Basic " + kToken));
        QTest::addRow("not a bearer token") << QByteArray("POST") << QByteArray("/mcp") << basic << init << 401;
        Headers html = standard();
        html[2].second = "text/html";
        QTest::addRow("Accept text/html") << QByteArray("POST") << QByteArray("/mcp") << html << init << 406;
        Headers plain = standard();
        plain[1].second = "text/plain";
        QTest::addRow("Content-Type text/plain") << QByteArray("POST") << QByteArray("/mcp") << plain << init << 415;
        QTest::addRow("not JSON") << QByteArray("POST") << QByteArray("/mcp") << standard()
                                  << QByteArray("{\"jsonrpc\":") << 400;
        Headers version = standard();
        version.append(header("MCP-Protocol-Version", "1999-01-01"));
        QTest::addRow("unknown protocol version") << QByteArray("POST") << QByteArray("/mcp") << version << init << 400;
        QTest::addRow("no session") << QByteArray("POST") << QByteArray("/mcp") << standard() << rpc(2, u"tools/list"_s)
                                    << 400;
        QTest::addRow("unknown session") << QByteArray("POST") << QByteArray("/mcp") << standard("no-such-session")
                                         << rpc(2, u"tools/list"_s) << 404;
        QTest::addRow("DELETE unknown session")
            << QByteArray("DELETE") << QByteArray("/mcp") << standard("no-such-session") << QByteArray() << 404;
        Headers getJson = standard("no-such-session");
        getJson[2].second = "application/json";
        QTest::addRow("GET without event-stream")
            << QByteArray("GET") << QByteArray("/mcp") << getJson << QByteArray() << 406;
    }
    void refusals()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(Headers, headers);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        const Reply reply = exchange(request(method, body, headers, path));
        QCOMPARE(reply.status, status);
        // Every refusal explains itself in a JSON-RPC error body.
        QVERIFY2(reply.json().contains(u"error"_s), reply.body.constData());
        if (status == 401)
            QVERIFY(reply.header("www-authenticate").startsWith("Bearer"));
        if (status == 405)
            QCOMPARE(reply.header("allow"), QByteArray("POST, GET, DELETE"));
        if (status == 400 && body.startsWith("{\"jsonrpc\":") && !body.endsWith('}'))
            QCOMPARE(reply.json().value(u"error"_s).toObject().value(u"code"_s).toInt(), -32700);
    }

    void loopbackNames_data()
    {
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<bool>("loopback");
        QTest::addRow("127.0.0.1") << QByteArray("127.0.0.1") << true;
        QTest::addRow("127.0.0.1:8080") << QByteArray("127.0.0.1:8080") << true;
        QTest::addRow("localhost") << QByteArray("localhost") << true;
        QTest::addRow("LOCALHOST:1") << QByteArray("LOCALHOST:1") << true;
        QTest::addRow("[::1]:47821") << QByteArray("[::1]:47821") << true;
        QTest::addRow("[::1]") << QByteArray("[::1]") << true;
        QTest::addRow("empty") << QByteArray() << false;
        QTest::addRow("evil") << QByteArray("evil.example") << false;
        QTest::addRow("localhost.evil") << QByteArray("localhost.evil.example") << false;
        QTest::addRow("127.0.0.2") << QByteArray("127.0.0.2") << false;
        QTest::addRow("bad port") << QByteArray("localhost:99999") << false;
        QTest::addRow("port junk") << QByteArray("localhost:80x") << false;
        QTest::addRow("[::1]junk") << QByteArray("[::1]x") << false;
        QTest::addRow("0.0.0.0") << QByteArray("0.0.0.0") << false;
    }
    void loopbackNames()
    {
        QFETCH(QByteArray, host);
        QFETCH(bool, loopback);
        QCOMPARE(Mcp::StreamableHttp::isLoopbackHost(host), loopback);
        const QByteArray origin = "http://" + host;
        if (!host.isEmpty() && !host.contains("junk") && !host.endsWith('x') && !host.contains("99999"))
            QCOMPARE(Mcp::StreamableHttp::isLoopbackOrigin(origin), loopback);
    }

    void sessionLifecycle()
    {
        QTcpSocket socket; // one keep-alive connection for the whole conversation
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(5000));

        socket.write(request("POST", initializeBody(), standard()));
        Reply init = readReply(socket);
        QCOMPARE(init.status, 200);
        const QByteArray session = init.header("mcp-session-id");
        QVERIFY(session.size() >= 22); // ≥128 random bits, base64url
        QCOMPARE(init.json().value(u"result"_s).toObject().value(u"protocolVersion"_s).toString(), u"2025-11-25"_s);

        socket.write(
            request("POST", rpc(QJsonValue(QJsonValue::Undefined), u"notifications/initialized"_s), standard(session)));
        QCOMPARE(readReply(socket).status, 202);

        auto headers = standard(session);
        headers.append(header("MCP-Protocol-Version", "2025-11-25"));
        socket.write(request("POST",
            rpc(7, u"tools/call"_s,
                { { u"name"_s, u"echo"_s }, { u"arguments"_s, QJsonObject { { u"text"_s, u"hello"_s } } } }),
            headers));
        const Reply call = readReply(socket);
        QCOMPARE(call.status, 200);
        QCOMPARE(call.header("content-type"), QByteArray("application/json"));
        const QJsonObject result = call.json().value(u"result"_s).toObject();
        QCOMPARE(call.json().value(u"id"_s).toInt(), 7);
        QCOMPARE(result.value(u"structuredContent"_s).toObject().value(u"text"_s).toString(), u"hello"_s);

        // Bad arguments: a result with isError naming the field, not an HTTP error.
        socket.write(request("POST",
            rpc(8, u"tools/call"_s, { { u"name"_s, u"echo"_s }, { u"arguments"_s, QJsonObject { { u"text"_s, 5 } } } }),
            headers));
        const QJsonObject bad = readReply(socket).json().value(u"result"_s).toObject();
        QCOMPARE(bad.value(u"isError"_s).toBool(), true);
        QVERIFY(bad.value(u"content"_s).toArray().at(0).toObject().value(u"text"_s).toString().contains(u"text"_s));

        // Unknown tool: JSON-RPC -32602.
        socket.write(request("POST", rpc(9, u"tools/call"_s, { { u"name"_s, u"nope"_s } }), headers));
        QCOMPARE(readReply(socket).json().value(u"error"_s).toObject().value(u"code"_s).toInt(), -32602);

        // DELETE ends the session; the id is then unknown (404: clients re-initialise).
        socket.write(request("DELETE", {}, standard(session)));
        QCOMPARE(readReply(socket).status, 204);
        socket.write(request("POST", rpc(10, u"tools/list"_s), standard(session)));
        QCOMPARE(readReply(socket).status, 404);
    }

    void longToolStreamsProgressThenResult()
    {
        const QByteArray session = openSession();
        QVERIFY(!session.isEmpty());
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(5000));
        socket.write(request("POST",
            rpc(3, u"tools/call"_s,
                { { u"name"_s, u"slow"_s }, { u"arguments"_s, QJsonObject { { u"text"_s, u"done"_s } } },
                    { u"_meta"_s, QJsonObject { { u"progressToken"_s, u"p1"_s } } } }),
            standard(session)));
        const Reply reply = readReply(socket);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.header("content-type"), QByteArray("text/event-stream"));
        QCOMPARE(reply.header("cache-control"), QByteArray("no-cache"));
        QCOMPARE(reply.header("x-accel-buffering"), QByteArray("no"));
        QStringList methods;
        QJsonObject last;
        for (const QByteArray &line : reply.body.split('\n')) {
            if (!line.startsWith("data: "))
                continue;
            last = QJsonDocument::fromJson(line.mid(6)).object();
            methods.append(last.contains(u"method"_s) ? last.value(u"method"_s).toString() : u"response"_s);
        }
        QCOMPARE(methods.count(u"notifications/progress"_s), 3);
        QCOMPARE(methods.count(u"notifications/message"_s), 3);
        QCOMPARE(methods.constLast(), u"response"_s);
        QCOMPARE(
            last.value(u"result"_s).toObject().value(u"structuredContent"_s).toObject().value(u"text"_s).toString(),
            u"done"_s);
    }

    void getStreamCarriesServerMessages()
    {
        const QByteArray session = openSession();
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(5000));
        auto headers = standard(session);
        headers[2].second = "text/event-stream";
        socket.write(request("GET", {}, headers));
        QByteArray seen;
        QVERIFY(QTest::qWaitFor(
            [&] {
                socket.waitForReadyRead(50);
                seen += socket.readAll();
                return seen.contains("\r\n\r\n");
            },
            5000));
        QVERIFY(seen.startsWith("HTTP/1.1 200"));
        QVERIFY(seen.toLower().contains("content-type: text/event-stream"));
        QMetaObject::invokeMethod(m_stack->server.get(),
            [this] { m_stack->server->log(Mcp::LogLevel::Warning, u"tst"_s, u"hello stream"_s); });
        QVERIFY(QTest::qWaitFor(
            [&] {
                socket.waitForReadyRead(50);
                seen += socket.readAll();
                return seen.contains("hello stream");
            },
            5000));
        QVERIFY(seen.contains("notifications/message"));
    }
};

QTEST_GUILESS_MAIN(tst_StreamableHttp)
#include "tst_streamablehttp.moc"
