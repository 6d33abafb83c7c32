// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include <QObject>
#include <QRandomGenerator>
#include <QTest>

#include "requestparser.h"

using Mcp::Http::HttpRequest;
using Mcp::Http::Limits;
using Mcp::Http::RequestParser;

namespace {

enum class Feed { Whole, ByteByByte, RandomSplits };

// Feeds `raw` the way a socket might deliver it. Random split points come from a fixed seed per row, so a failure
// reproduces.
void feed(RequestParser &parser, const QByteArray &raw, Feed mode, quint32 seed)
{
    switch (mode) {
    case Feed::Whole:
        parser.feed(raw);
        return;
    case Feed::ByteByByte:
        for (qsizetype i = 0; i < raw.size(); ++i)
            parser.feed(QByteArrayView(raw).sliced(i, 1));
        return;
    case Feed::RandomSplits: {
        QRandomGenerator random(seed);
        qsizetype pos = 0;
        while (pos < raw.size()) {
            const qsizetype n = std::min<qsizetype>(raw.size() - pos, 1 + random.bounded(40));
            parser.feed(QByteArrayView(raw).sliced(pos, n));
            pos += n;
        }
        return;
    }
    }
}

QByteArray get(const QByteArray &target = "/mcp", const QByteArray &extra = {})
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

// A request whose header section (request line through the blank line) is exactly `size` bytes.
QByteArray requestWithHeaderSection(qsizetype size)
{
    const QByteArray head = "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ";
    const QByteArray tail = "\r\n\r\n";
    return head + QByteArray(size - head.size() - tail.size(), 'a') + tail;
}

} // namespace

class TestHttpRequestParser final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data();
    void parse();
    void pipelinedRequestsKeepOrder();
    void headerLookupIsCaseInsensitive();
    void expectContinue();
    void bytesAfterAnErrorAreIgnored();
    void pendingBytesFollowTakenRequests();
    void configuredLimits();
};

void TestHttpRequestParser::parse_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("feedMode");
    QTest::addColumn<int>("status"); // 0: no error
    QTest::addColumn<int>("requests"); // complete requests expected
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("keepAlive");

    struct Row
    {
        const char *name;
        QByteArray raw;
        int status;
        int requests;
        QByteArray method;
        QByteArray path;
        QByteArray query;
        QByteArray body;
        bool keepAlive;
    };
    const QByteArray post = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    QByteArray manyFields = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 100; ++i)
        manyFields += "X-F" + QByteArray::number(i) + ": v\r\n";
    manyFields += "\r\n";

    const QList<Row> rows = {
        { "simple GET", get(), 0, 1, "GET", "/mcp", "", "", true },
        { "GET with query", get("/mcp?session=abc&x=1"), 0, 1, "GET", "/mcp", "session=abc&x=1", "", true },
        { "absolute-form target", get("http://127.0.0.1:3000/mcp?a=b"), 0, 1, "GET", "/mcp", "a=b", "", true },
        { "OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 0, 1, "OPTIONS", "*", "", "", true },
        { "POST with body", post + "Content-Length: 13\r\n\r\n{\"jsonrpc\":1}", 0, 1, "POST", "/mcp", "",
            "{\"jsonrpc\":1}", true },
        { "POST with empty body", post + "Content-Length: 0\r\n\r\n", 0, 1, "POST", "/mcp", "", "", true },
        { "body not complete yet", post + "Content-Length: 10\r\n\r\n12345", 0, 0, "", "", "", "", true },
        { "two pipelined requests", get("/one") + get("/two"), 0, 2, "GET", "/one", "", "", true },
        { "POST then GET pipelined", post + "Content-Length: 2\r\n\r\n{}" + get("/two"), 0, 2, "POST", "/mcp", "", "{}",
            true },
        { "leading empty line ignored (RFC 9112 §2.2)", "\r\n" + get(), 0, 1, "GET", "/mcp", "", "", true },
        { "lowercase header names", "GET / HTTP/1.1\r\nhost: a\r\ncontent-length: 2\r\n\r\nhi", 0, 1, "GET", "/", "",
            "hi", true },
        { "mixed-case header names", "GET / HTTP/1.1\r\nhOsT: a\r\nCoNtEnT-LeNgTh: 2\r\n\r\nhi", 0, 1, "GET", "/", "",
            "hi", true },
        { "Connection: close", get("/", "Connection: close\r\n"), 0, 1, "GET", "/", "", "", false },
        { "HTTP/1.0 closes by default", "GET / HTTP/1.0\r\n\r\n", 0, 1, "GET", "/", "", "", false },
        { "HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 0, 1, "GET", "/", "", "", true },
        { "header section exactly 16 KiB", requestWithHeaderSection(16 * 1024), 0, 1, "GET", "/mcp", "", "", true },
        { "header section one byte over 16 KiB", requestWithHeaderSection(16 * 1024 + 1), 431, 0, "", "", "", "",
            true },
        { "header section far over the cap", requestWithHeaderSection(100 * 1024), 431, 0, "", "", "", "", true },
        { "more than 100 header fields", manyFields, 431, 0, "", "", "", "", true },
        { "body of exactly 4 MiB announced", post + "Content-Length: 4194304\r\n\r\n", 0, 0, "", "", "", "", true },
        { "body one byte over 4 MiB", post + "Content-Length: 4194305\r\n\r\n", 413, 0, "", "", "", "", true },
        { "huge Content-Length", post + "Content-Length: 99999999999999\r\n\r\n", 413, 0, "", "", "", "", true },
        { "chunked refused", post + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 411, 0, "", "", "", "",
            true },
        { "other transfer coding refused", post + "Transfer-Encoding: gzip\r\n\r\n", 411, 0, "", "", "", "", true },
        { "chunked with Content-Length refused", post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 411,
            0, "", "", "", "", true },
        { "non-numeric Content-Length", post + "Content-Length: abc\r\n\r\n", 400, 0, "", "", "", "", true },
        { "negative Content-Length", post + "Content-Length: -1\r\n\r\n", 400, 0, "", "", "", "", true },
        { "two different Content-Lengths", post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400, 0, "",
            "", "", "", true },
        { "repeated equal Content-Length", post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400, 0, "", "",
            "", "", true },
        { "Content-Length list", post + "Content-Length: 5, 5\r\n\r\nhello", 400, 0, "", "", "", "", true },
        { "HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, 0, "", "", "", "", true },
        { "HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505, 0, "", "", "", "", true },
        { "garbage version", "GET / HTTP/x.1\r\nHost: a\r\n\r\n", 400, 0, "", "", "", "", true },
        { "garbage protocol name", "GET / FOO/1.1\r\nHost: a\r\n\r\n", 400, 0, "", "", "", "", true },
        { "obs-fold", get("/", "X-Folded: one\r\n two\r\n"), 400, 0, "", "", "", "", true },
        { "NUL first in a header value", get("/", QByteArray("X-Nul:\0v\r\n", 10)), 400, 0, "", "", "", "", true },
        { "control character in a header value", get("/", "X-Ctl: a\x01b\r\n"), 400, 0, "", "", "", "", true },
        { "header without colon", get("/", "X-No-Colon\r\n"), 400, 0, "", "", "", "", true },
        { "space before colon (RFC 9112 §5.1)", get("/", "X-Space : v\r\n"), 400, 0, "", "", "", "", true },
        { "missing Host on HTTP/1.1", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400, 0, "", "", "", "", true },
        { "two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, 0, "", "", "", "", true },
        { "target too long", get("/" + QByteArray(9000, 'a')), 414, 0, "", "", "", "", true },
        { "space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400, 0, "", "", "", "", true },
        { "unknown method", "BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 400, 0, "", "", "", "", true },
        { "binary garbage", QByteArray("\x00\x01\x02\x03\r\n\r\n", 8), 400, 0, "", "", "", "", true },
        { "unsupported expectation", get("/", "Expect: teapot\r\n"), 417, 0, "", "", "", "", true },
        { "valid request before a bad one", get("/first") + "GET / HTTP/9.9\r\nHost: a\r\n\r\n", 505, 1, "GET",
            "/first", "", "", true },
    };
    const QList<QPair<Feed, const char *>> modes
        = { { Feed::Whole, "whole" }, { Feed::ByteByByte, "byte by byte" }, { Feed::RandomSplits, "random splits" } };
    for (const Row &row : rows) {
        for (const auto &[mode, modeName] : modes) {
            // Byte-by-byte over 100 KiB adds nothing the 16 KiB rows do not cover.
            if (mode == Feed::ByteByByte && row.raw.size() > 20000)
                continue;
            QTest::addRow("%s (%s)", row.name, modeName)
                << row.raw << int(mode) << row.status << row.requests << row.method << row.path << row.query << row.body
                << row.keepAlive;
        }
    }
}

void TestHttpRequestParser::parse()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, feedMode);
    QFETCH(int, status);
    QFETCH(int, requests);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, query);
    QFETCH(QByteArray, body);
    QFETCH(bool, keepAlive);

    RequestParser parser;
    feed(parser, raw, Feed(feedMode), quint32(qHash(raw)));

    if (status == 0) {
        QVERIFY2(!parser.error(), parser.error() ? parser.error()->message.constData() : "");
        QVERIFY(parser.state() != RequestParser::State::Failed);
    } else {
        QVERIFY(parser.error().has_value());
        QCOMPARE(parser.error()->status, status);
        QVERIFY(!parser.error()->message.isEmpty());
        QCOMPARE(parser.state(), RequestParser::State::Failed);
    }
    QCOMPARE(parser.pendingRequestCount(), requests);
    if (requests > 0) {
        const HttpRequest first = parser.takeRequest();
        QCOMPARE(first.method, method);
        QCOMPARE(first.path, path);
        QCOMPARE(first.query, query);
        QCOMPARE(first.body, body);
        QCOMPARE(first.keepAlive, keepAlive);
    }
}

void TestHttpRequestParser::pipelinedRequestsKeepOrder()
{
    QByteArray raw;
    for (int i = 0; i < 10; ++i) {
        const QByteArray body = QByteArray::number(i);
        raw += "POST /r" + QByteArray::number(i)
            + " HTTP/1.1\r\nHost: a\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    }
    for (quint32 seed = 1; seed <= 20; ++seed) {
        RequestParser parser;
        feed(parser, raw, Feed::RandomSplits, seed);
        QCOMPARE(parser.pendingRequestCount(), 10);
        for (int i = 0; i < 10; ++i) {
            const HttpRequest request = parser.takeRequest();
            QCOMPARE(request.path, "/r" + QByteArray::number(i));
            QCOMPARE(request.body, QByteArray::number(i));
        }
        QCOMPARE(parser.state(), RequestParser::State::Idle);
    }
}

void TestHttpRequestParser::headerLookupIsCaseInsensitive()
{
    RequestParser parser;
    parser.feed("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nOrigin:   http://localhost  \r\n"
                "accept: application/json\r\nACCEPT: text/event-stream\r\nMcp-Session-Id: s1\r\n"
                "Content-Length: 0\r\n\r\n");
    QVERIFY(parser.hasRequest());
    const HttpRequest request = parser.takeRequest();
    QCOMPARE(request.header("origin"), "http://localhost"); // surrounding whitespace is not part of the value
    QCOMPARE(request.header("HOST"), "127.0.0.1:3000");
    QCOMPARE(request.header("mcp-session-id"), "s1");
    QCOMPARE(request.headerValues("Accept"), QList<QByteArray>({ "application/json", "text/event-stream" }));
    QCOMPARE(request.headers.combinedValue("accept"), "application/json, text/event-stream");
    QVERIFY(request.header("authorization").isNull());
    QVERIFY(!request.hasHeader("authorization"));
    // Arrival order and the client's spelling of names are kept.
    QCOMPARE(request.headers.fields().at(3).first, "ACCEPT");
}

void TestHttpRequestParser::expectContinue()
{
    RequestParser parser;
    parser.feed("POST /mcp HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    QCOMPARE(parser.state(), RequestParser::State::InBody);
    QVERIFY(parser.takeContinueRequest());
    QVERIFY(!parser.takeContinueRequest()); // once per request
    parser.feed("hello");
    QCOMPARE(parser.takeRequest().body, "hello");

    // Refused by its headers: no 100, the refusal instead, so the client never sends the body.
    RequestParser tooLarge;
    tooLarge.feed("POST /mcp HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5000000\r\n\r\n");
    QVERIFY(!tooLarge.takeContinueRequest());
    QCOMPARE(tooLarge.error()->status, 413);

    // Nothing to wait for without a body.
    RequestParser noBody;
    noBody.feed("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n");
    QVERIFY(!noBody.takeContinueRequest());
    QCOMPARE(noBody.pendingRequestCount(), 1);
}

void TestHttpRequestParser::bytesAfterAnErrorAreIgnored()
{
    RequestParser parser;
    QVERIFY(!parser.feed("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"));
    QCOMPARE(parser.error()->status, 411);
    QVERIFY(!parser.feed(get()));
    QCOMPARE(parser.pendingRequestCount(), 0);
    QCOMPARE(parser.error()->status, 411);
}

void TestHttpRequestParser::pendingBytesFollowTakenRequests()
{
    RequestParser parser;
    const QByteArray raw
        = "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n" + QByteArray(1000, 'x') + get();
    parser.feed(raw);
    QCOMPARE(parser.pendingRequestCount(), 2);
    QVERIFY(parser.pendingBytes() >= 1000);
    parser.takeRequest();
    QVERIFY(parser.pendingBytes() < 1000);
    parser.takeRequest();
    QCOMPARE(parser.pendingBytes(), 0);
}

void TestHttpRequestParser::configuredLimits()
{
    Limits limits;
    limits.maxHeaderBytes = 100;
    limits.maxBodyBytes = 10;
    limits.maxTargetBytes = 20;
    {
        RequestParser parser(limits);
        parser.feed(requestWithHeaderSection(100));
        QCOMPARE(parser.pendingRequestCount(), 1);
    }
    {
        RequestParser parser(limits);
        parser.feed(requestWithHeaderSection(101));
        QCOMPARE(parser.error()->status, 431);
    }
    {
        RequestParser parser(limits);
        parser.feed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n");
        QCOMPARE(parser.error()->status, 413);
    }
    {
        RequestParser parser(limits);
        parser.feed(get("/" + QByteArray(20, 'a')));
        QCOMPARE(parser.error()->status, 414);
    }
}

QTEST_GUILESS_MAIN(TestHttpRequestParser)
#include "tst_httprequestparser.moc"
