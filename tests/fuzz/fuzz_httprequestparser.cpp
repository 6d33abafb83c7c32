// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
//
// libFuzzer target for Mcp::Http::RequestParser: arbitrary bytes, fed whole and at arbitrary split points, with the
// default limits and with tiny ones. Never crashes or leaks (ASan/UBSan), and checks invariants: every yielded
// request respects the limits and the HTTP rules the parser promises, and the split points never change which
// requests come out nor whether the input is refused. Built with libFuzzer by tests/fuzz/CMakeLists.txt; the seed
// corpus is replayed in every build by fuzz_httprequestparser_replay (tests/mcp/CMakeLists.txt).
#include <cstdint>

#include <QByteArray>
#include <QList>

#include "fuzzcheck.h"
#include "requestparser.h"

using Mcp::Http::HttpHeaders;
using Mcp::Http::HttpRequest;
using Mcp::Http::Limits;
using Mcp::Http::RequestParser;

namespace {

struct Outcome
{
    QList<HttpRequest> requests;
    int errorStatus = 0;
    RequestParser::State state = RequestParser::State::Idle;
};

bool isTokenChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

void checkRequest(const HttpRequest &request, const Limits &limits)
{
    FUZZ_CHECK(request.body.size() <= limits.maxBodyBytes);
    FUZZ_CHECK(request.target.size() <= limits.maxTargetBytes);
    FUZZ_CHECK(request.headers.size() <= limits.maxHeaderFields);
    FUZZ_CHECK(request.versionMajor == 1 && (request.versionMinor == 0 || request.versionMinor == 1));
    FUZZ_CHECK(!request.method.isEmpty());
    qsizetype headerBytes = request.method.size() + request.target.size();
    for (const HttpHeaders::Field &field : request.headers.fields()) {
        FUZZ_CHECK(!field.first.isEmpty());
        for (const char c : field.first)
            FUZZ_CHECK(isTokenChar(c));
        for (const char c : field.second)
            FUZZ_CHECK(c != '\r' && c != '\n' && c != '\0');
        headerBytes += field.first.size() + field.second.size();
    }
    FUZZ_CHECK(headerBytes <= limits.maxHeaderBytes);
    FUZZ_CHECK(!request.headers.contains("transfer-encoding"));
    const qsizetype hosts = request.headers.count("host");
    FUZZ_CHECK(hosts <= 1 && (request.versionMinor == 0 || hosts == 1));
    if (request.headers.contains("content-length")) {
        FUZZ_CHECK(request.headers.count("content-length") == 1);
        bool ok = false;
        FUZZ_CHECK(request.headers.value("content-length").toLongLong(&ok) == request.body.size() && ok);
    } else {
        FUZZ_CHECK(request.body.isEmpty());
    }
}

Outcome run(const QByteArray &input, const Limits &limits, quint64 splitSeed)
{
    RequestParser parser(limits);
    Outcome outcome;
    qsizetype pos = 0;
    quint64 state = splitSeed;
    while (pos < input.size()) {
        qsizetype n = input.size() - pos;
        if (splitSeed != 0) {
            // xorshift64: split points derived from the input itself, so a crash reproduces from the file alone.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            n = std::min<qsizetype>(n, qsizetype(1 + state % 17));
        }
        const bool ok = parser.feed(QByteArrayView(input).sliced(pos, n));
        FUZZ_CHECK(ok == !parser.error().has_value());
        // Take some requests as they come, leave others queued: both orders must work.
        if ((state & 1) != 0) {
            while (parser.hasRequest())
                outcome.requests.append(parser.takeRequest());
        }
        pos += n;
    }
    while (parser.hasRequest())
        outcome.requests.append(parser.takeRequest());
    FUZZ_CHECK(parser.pendingBytes() == 0);
    outcome.state = parser.state();
    if (parser.error()) {
        const int status = parser.error()->status;
        FUZZ_CHECK(status == 400 || status == 411 || status == 413 || status == 414 || status == 417 || status == 431
            || status == 505);
        FUZZ_CHECK(!parser.error()->message.isEmpty());
        FUZZ_CHECK(parser.state() == RequestParser::State::Failed);
        outcome.errorStatus = status;
    }
    for (const HttpRequest &request : std::as_const(outcome.requests))
        checkRequest(request, limits);
    return outcome;
}

void checkSame(const Outcome &a, const Outcome &b)
{
    // Whether the input is refused never depends on the split points. Which status a doubly-broken request gets
    // may: a cap checked on bytes the library hands over early at a split (431 for one header field too many) can
    // win over the library's own error a few bytes later (400 for a bad character in that field's name).
    FUZZ_CHECK((a.errorStatus == 0) == (b.errorStatus == 0));
    FUZZ_CHECK(a.state == b.state);
    FUZZ_CHECK(a.requests.size() == b.requests.size());
    for (qsizetype i = 0; i < a.requests.size(); ++i) {
        const HttpRequest &x = a.requests[i];
        const HttpRequest &y = b.requests[i];
        FUZZ_CHECK(x.method == y.method && x.target == y.target && x.path == y.path && x.query == y.query);
        FUZZ_CHECK(x.body == y.body && x.keepAlive == y.keepAlive && x.headers.fields() == y.headers.fields());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    quint64 seed = 0x9e3779b97f4a7c15ULL ^ size;
    for (std::size_t i = 0; i < size && i < 16; ++i)
        seed = seed * 31 + data[i];
    if (seed == 0)
        seed = 1;

    const Limits defaults;
    checkSame(run(input, defaults, 0), run(input, defaults, seed));

    // Tiny limits, so that every cap is reachable with short inputs.
    Limits tiny;
    tiny.maxHeaderBytes = 96;
    tiny.maxBodyBytes = 24;
    tiny.maxTargetBytes = 24;
    tiny.maxHeaderFields = 4;
    checkSame(run(input, tiny, 0), run(input, tiny, seed));
    return 0;
}
