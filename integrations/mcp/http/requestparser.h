// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <memory>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include "httprequest.h"

namespace Mcp::Http {

// Caps enforced while parsing (DESIGN.md §5: caps on header and body size).
struct Limits
{
    // Request line + header fields + the blank line ending them. Over: 431 (RFC 6585 §5). The library stops at
    // 80 KiB whatever is set here (also 431).
    qsizetype maxHeaderBytes = 16 * 1024;
    // Content-Length of a request body, refused before any body byte is read. Over: 413 (RFC 9110 §15.5.14).
    qint64 maxBodyBytes = 4 * 1024 * 1024;
    // The request-target. Over: 414 (RFC 9110 §15.5.15). At most 65535 (the library's URL offsets are 16-bit).
    qsizetype maxTargetBytes = 8 * 1024;
    // Header field lines. Over: 431.
    int maxHeaderFields = 100;
};

// Why a request could not be parsed, and what to answer before closing the connection.
struct ParseError
{
    int status = 400; // 400, 411, 413, 414, 417, 431, 505
    QByteArray message; // for the response body and the log (never contains header values)
};

// Incremental HTTP/1.x request parser over Debian's libhttp-parser (nodejs/http-parser 2.9): feed it bytes as they
// arrive (any split, several pipelined requests in one buffer) and take complete requests in order. After an error
// it consumes nothing more: answer error()->status with "Connection: close" and drop the connection.
//
// Stricter than the library alone:
// - the header section is capped separately from the body (431), the body by Content-Length before it is read (413);
// - Transfer-Encoding on a request is refused with 411 (RFC 9112 §6.1: a server that does not handle a transfer
//   coding MAY answer 411 and expect Content-Length; chunked request bodies are a request-smuggling surface);
// - bad, duplicate or conflicting Content-Length is 400 (RFC 9112 §6.3);
// - obs-fold is 400 (RFC 9112 §5.2), a missing or repeated Host on HTTP/1.1 is 400 (RFC 9112 §3.2),
//   an HTTP version other than 1.0 or 1.1 is 505 (RFC 9110 §15.6.6);
// - Expect: 100-continue is honoured (see continueRequested()); any other expectation is 417 (RFC 9110 §10.1.1).
class RequestParser
{
public:
    enum class State {
        Idle, // between requests: nothing of the next request seen yet
        InHeaders, // part of a request line / header section seen
        InBody, // headers complete, body not yet
        Failed, // see error()
    };

    explicit RequestParser(Limits limits = {});
    ~RequestParser();
    RequestParser(const RequestParser &) = delete;
    RequestParser &operator=(const RequestParser &) = delete;

    // Parses `data`. Returns false once the parser has failed (now or before); bytes after an error are ignored.
    bool feed(QByteArrayView data);

    [[nodiscard]] bool hasRequest() const { return !m_ready.isEmpty(); }
    [[nodiscard]] qsizetype pendingRequestCount() const { return m_ready.size(); }
    // Bytes held by parsed-but-not-taken requests (bodies and headers), to bound what pipelining may buffer.
    [[nodiscard]] qint64 pendingBytes() const { return m_pendingBytes; }
    HttpRequest takeRequest();

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] const std::optional<ParseError> &error() const { return m_error; }
    [[nodiscard]] const Limits &limits() const { return m_limits; }

    // True once, right after the headers of a request carrying "Expect: 100-continue" and a body were accepted:
    // the caller then sends "HTTP/1.1 100 Continue" so the client starts the body (RFC 9110 §10.1.1). A request
    // refused by its headers (413, 411, ...) never gets here, so the client learns the refusal without sending it.
    bool takeContinueRequest();

private:
    struct Impl;
    friend struct Impl;
    void fail(int status, QByteArray message);
    bool checkHeaders(qsizetype headerSectionBytes);
    void failFromLibrary(int errorCode);

    std::unique_ptr<Impl> d;
    Limits m_limits;
    QList<HttpRequest> m_ready;
    qint64 m_pendingBytes = 0;
    State m_state = State::Idle;
    std::optional<ParseError> m_error;
    bool m_continueRequested = false;
};

} // namespace Mcp::Http
