// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The stdio transport over a pair of pipes, as a client that spawned us would see it: newline-delimited JSON-RPC,
// nothing but protocol on the output, oversized lines skipped, end of input ends the session.
#include <fcntl.h>
#include <unistd.h>

#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include "fakeclock.h"
#include "mcpserver.h"
#include "promptregistry.h"
#include "resourceregistry.h"
#include "services.h"
#include "sql.h"
#include "stdiotransport.h"
#include "testdatabase.h"
#include "toolregistry.h"

using namespace Qt::StringLiterals;

class TestStdioTransport : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestUtils::FakeClock m_clock;
    std::unique_ptr<Core::Services> m_services;
    Mcp::ToolRegistry m_tools;
    Mcp::ResourceRegistry m_resources;
    Mcp::PromptRegistry m_prompts;
    std::unique_ptr<Mcp::Server> m_server;
    std::unique_ptr<Mcp::StdioTransport> m_transport;
    int m_in[2] = { -1, -1 }; // the transport reads m_in[0]; the test writes m_in[1]
    int m_out[2] = { -1, -1 }; // the transport writes m_out[1]; the test reads m_out[0]
    QByteArray m_received;

    void send(const QByteArray &bytes)
    {
        QCOMPARE(::write(m_in[1], bytes.constData(), size_t(bytes.size())), ssize_t(bytes.size()));
    }

    // Every complete output line so far.
    QList<QByteArray> lines()
    {
        char chunk[4096];
        ssize_t n = 0;
        while ((n = ::read(m_out[0], chunk, sizeof chunk)) > 0)
            m_received.append(chunk, qsizetype(n));
        QList<QByteArray> complete = m_received.split('\n');
        complete.removeLast(); // the part after the last newline
        return complete;
    }

    QList<QJsonObject> waitForMessages(int n)
    {
        if (!QTest::qWaitFor([&] { return lines().size() >= n; }))
            qWarning() << "waited in vain for" << n << "output lines; have" << lines().size();
        QList<QJsonObject> messages;
        for (const QByteArray &line : lines()) {
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
            if (error.error != QJsonParseError::NoError || !doc.isObject()) {
                qWarning() << "not a JSON-RPC message on the output:" << line.left(200);
                return {};
            }
            messages << doc.object();
        }
        return messages;
    }

    static QByteArray line(const QJsonObject &message)
    {
        return QJsonDocument(message).toJson(QJsonDocument::Compact) + '\n';
    }

    static QJsonObject req(int id, const QString &method, const QJsonObject &params = {})
    {
        QJsonObject m { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, id }, { u"method"_s, method } };
        if (!params.isEmpty())
            m.insert(u"params"_s, params);
        return m;
    }

    static QByteArray initializeLine()
    {
        return line(req(1, u"initialize"_s,
            { { u"protocolVersion"_s, u"2025-06-18"_s }, { u"capabilities"_s, QJsonObject {} },
                { u"clientInfo"_s, QJsonObject { { u"name"_s, u"pipe"_s }, { u"version"_s, u"1"_s } } } }));
    }

private Q_SLOTS:
    void initTestCase()
    {
        // A long tool (worker thread, progress), to see its notifications and result cross the pipe in order.
        Mcp::Tool tool { u"count_customers"_s, u"Count customers"_s, u"Counts customers in two steps."_s, u"reports"_s,
            QJsonObject {
                { u"type"_s, u"object"_s }, { u"properties"_s, QJsonObject {} }, { u"additionalProperties"_s, false } },
            QJsonObject { { u"type"_s, u"object"_s },
                { u"properties"_s, QJsonObject { { u"count"_s, QJsonObject { { u"type"_s, u"integer"_s } } } } } },
            {}, false, true, {} };
        tool.handler = [](const Mcp::ToolCall &call) -> Mcp::ToolResult {
            call.progress(1, 2, u"counting"_s);
            auto q = Storage::exec(call.services->database(), u"SELECT COUNT(*) FROM customers"_s);
            if (!q)
                return q.error();
            const qint64 n = q->next() ? q->value(0).toLongLong() : -1;
            call.progress(2, 2, u"counted"_s);
            return QJsonObject { { u"count"_s, n } };
        };
        QVERIFY(m_tools.add(tool).ok());
    }

    void init()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
        m_services = std::make_unique<Core::Services>(m_fixture->db(), m_clock);
        m_server = std::make_unique<Mcp::Server>(m_tools, m_resources, m_prompts, *m_services);
        QCOMPARE(::pipe(m_in), 0);
        QCOMPARE(::pipe(m_out), 0);
        QCOMPARE(::fcntl(m_out[0], F_SETFL, O_NONBLOCK), 0);
        m_received.clear();
        m_transport = std::make_unique<Mcp::StdioTransport>(*m_server, m_in[0], m_out[1]);
        m_transport->start();
    }

    void cleanup()
    {
        m_transport.reset();
        m_server.reset();
        m_services.reset();
        m_fixture.reset();
        for (int *fds : { m_in, m_out }) {
            for (int i = 0; i < 2; ++i) {
                if (fds[i] >= 0)
                    ::close(fds[i]);
                fds[i] = -1;
            }
        }
    }

    void roundTrip()
    {
        QCOMPARE(m_server->sessionCount(), 1);
        // Two messages in one write, one split across writes, CRLF and a blank line: framing is by newline only.
        const QByteArray initialized
            = line(QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"method"_s, u"notifications/initialized"_s } });
        send(initializeLine() + initialized);
        const QByteArray ping = line(req(2, u"ping"_s));
        send(ping.left(10));
        send(ping.mid(10));
        QByteArray list = line(req(3, u"tools/list"_s));
        list.insert(list.size() - 1, '\r');
        send("\n" + list);
        const QList<QJsonObject> messages = waitForMessages(3);
        QCOMPARE(messages.size(), 3);
        QCOMPARE(messages.at(0).value(u"id"_s), QJsonValue(1));
        QCOMPARE(messages.at(0).value(u"result"_s).toObject().value(u"protocolVersion"_s).toString(), u"2025-06-18"_s);
        QCOMPARE(messages.at(1).value(u"id"_s), QJsonValue(2));
        QCOMPARE(messages.at(1).value(u"result"_s), QJsonValue(QJsonObject {}));
        QCOMPARE(messages.at(2).value(u"id"_s), QJsonValue(3));
        QVERIFY(messages.at(2).value(u"result"_s).toObject().value(u"tools"_s).isArray());
        // Session-level messages use the same stream.
        m_server->log(Mcp::LogLevel::Warning, u"test"_s, u"disk almost full"_s);
        const QList<QJsonObject> more = waitForMessages(4);
        QCOMPARE(more.value(3).value(u"method"_s).toString(), u"notifications/message"_s);
    }

    void longToolOverThePipe()
    {
        send(initializeLine());
        QJsonObject params { { u"name"_s, u"count_customers"_s }, { u"arguments"_s, QJsonObject {} },
            { u"_meta"_s, QJsonObject { { u"progressToken"_s, u"p1"_s } } } };
        send(line(req(2, u"tools/call"_s, params)));
        const QList<QJsonObject> messages = waitForMessages(4);
        QCOMPARE(messages.size(), 4);
        QCOMPARE(messages.at(1).value(u"method"_s).toString(), u"notifications/progress"_s);
        QCOMPARE(messages.at(1).value(u"params"_s).toObject().value(u"progress"_s).toInt(), 1);
        QCOMPARE(messages.at(2).value(u"params"_s).toObject().value(u"progress"_s).toInt(), 2);
        QCOMPARE(messages.at(2).value(u"params"_s).toObject().value(u"progressToken"_s).toString(), u"p1"_s);
        QCOMPARE(messages.at(3).value(u"id"_s), QJsonValue(2));
        QCOMPARE(messages.at(3)
                     .value(u"result"_s)
                     .toObject()
                     .value(u"structuredContent"_s)
                     .toObject()
                     .value(u"count"_s)
                     .toInt(),
            0);
    }

    void badLines_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("code");
        QTest::addRow("not json") << QByteArray("hello there\n") << -32700;
        QTest::addRow("truncated json") << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":5,\n") << -32700;
        QTest::addRow("json scalar") << QByteArray("\"ping\"\n") << -32600;
    }

    void badLines()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, code);
        send(bytes + line(req(9, u"ping"_s)));
        const QList<QJsonObject> messages = waitForMessages(2);
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages.at(0).value(u"error"_s).toObject().value(u"code"_s).toInt(), code);
        QCOMPARE(messages.at(0).value(u"id"_s), QJsonValue(QJsonValue::Null));
        QCOMPARE(messages.at(1).value(u"id"_s), QJsonValue(9)); // the stream goes on
    }

    void oversizedLineSkipped()
    {
        // Fed directly: a pipe holds far less than 4 MiB, and this test is about the framing, not the pipe.
        QByteArray huge = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"";
        huge.append(QByteArray(Mcp::StdioTransport::kMaxLineBytes, 'x'));
        for (qsizetype at = 0; at < huge.size(); at += 1 << 20)
            m_transport->feed(huge.mid(at, 1 << 20));
        m_transport->feed("\"}}\n" + line(req(2, u"ping"_s)));
        const QList<QJsonObject> messages = waitForMessages(2);
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages.at(0).value(u"error"_s).toObject().value(u"code"_s).toInt(), -32600);
        QCOMPARE(messages.at(0).value(u"id"_s), QJsonValue(QJsonValue::Null));
        QCOMPARE(messages.at(1).value(u"id"_s), QJsonValue(2));
    }

    void endOfInputFinishes()
    {
        QSignalSpy finished(m_transport.get(), &Mcp::StdioTransport::finished);
        QSignalSpy ended(m_server.get(), &Mcp::Server::sessionEnded);
        // A last message without its newline still counts.
        send(initializeLine().chopped(1));
        ::close(m_in[1]);
        m_in[1] = -1;
        QVERIFY(finished.wait());
        QCOMPARE(finished.size(), 1);
        QCOMPARE(ended.size(), 1);
        QCOMPARE(m_server->sessionCount(), 0);
        const QList<QJsonObject> messages = waitForMessages(1);
        QCOMPARE(messages.value(0).value(u"id"_s), QJsonValue(1));
    }

    void clientGoneFinishes()
    {
        // The client closed its end of our output and we still had something to say: EPIPE, not SIGPIPE.
        QSignalSpy finished(m_transport.get(), &Mcp::StdioTransport::finished);
        ::close(m_out[0]);
        m_out[0] = -1;
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"writing the MCP output failed"_s));
        send(line(req(1, u"ping"_s)));
        QVERIFY(finished.wait());
        QCOMPARE(m_server->sessionCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestStdioTransport)
#include "tst_stdiotransport.moc"
