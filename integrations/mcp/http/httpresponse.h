// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QByteArray>

#include "httprequest.h"

namespace Mcp::Http {

// One plain (non-streaming) response. serialize() yields status line, header section and body as ONE buffer,
// so the connection writes it with a single write: a response written in two pieces waits on Nagle's algorithm
// and the peer's delayed ACK (DESIGN.md §7, measured at 44 ms a call).
struct HttpResponse
{
    int status = 200;
    QByteArray reason; // empty: the standard reason phrase for `status` (RFC 9110 §15)
    HttpHeaders headers;
    QByteArray body;

    HttpResponse() = default;
    HttpResponse(int statusCode, QByteArray contentType, QByteArray bodyBytes);

    // Convenience constructors for the common cases.
    [[nodiscard]] static HttpResponse json(int status, QByteArray jsonBytes);
    [[nodiscard]] static HttpResponse text(int status, QByteArray utf8Text);
    // A body-less response (Content-Length: 0), e.g. 202 Accepted.
    [[nodiscard]] static HttpResponse empty(int status);

    // Status line + headers + "\r\n" + body. Content-Length (RFC 9110 §8.6) is always the body's size, unless the
    // status forbids a body (1xx, 204, 304: RFC 9110 §6.4.1); with includeBody = false (HEAD, RFC 9110 §9.3.2) the
    // header section announces the length but the body is left out. Content-Length and Transfer-Encoding set by a
    // caller are dropped: plain responses are always delimited by the length of `body`.
    [[nodiscard]] QByteArray serialize(bool includeBody = true) const;

    // "OK", "Not Found", ... ; "Unknown" for codes without a registered phrase.
    [[nodiscard]] static QByteArray reasonPhrase(int status);
};

} // namespace Mcp::Http
