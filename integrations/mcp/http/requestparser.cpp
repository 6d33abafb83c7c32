// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "requestparser.h"

#include <algorithm>

#include <http_parser.h>

namespace Mcp::Http {

// State shared with libhttp-parser's C callbacks. The parser is paused at the end of every header section and every
// message, so one http_parser_execute() never runs past a point where RequestParser has to check something.
struct RequestParser::Impl
{
    RequestParser *q = nullptr;
    http_parser parser {};
    http_parser_settings settings {};
    HttpRequest current;
    QByteArray url;
    QByteArray field;
    QByteArray value;
    bool inValue = false; // the last header callback was a value
    bool valueEndedAtLineEnd = false; // ... and it ended at CR/LF rather than at the end of the fed slice
    const char *sliceEnd = nullptr;
    qsizetype headerBytes = 0; // bytes of the current header section consumed so far
    bool headersComplete = false;
    bool messageComplete = false;

    void reset()
    {
        http_parser_init(&parser, HTTP_REQUEST);
        parser.data = this;
        current = HttpRequest();
        url.clear();
        field.clear();
        value.clear();
        inValue = false;
        valueEndedAtLineEnd = false;
        headerBytes = 0;
        headersComplete = false;
        messageComplete = false;
    }

    // RFC 9110 §5.6.2 tchar. The library (built non-strict) lets spaces into names; RFC 9112 §5.1 says a server MUST
    // answer 400 to whitespace between a field name and its colon.
    static bool isToken(QByteArrayView name)
    {
        if (name.isEmpty())
            return false;
        for (const char c : name) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
            if (!ok)
                return false;
        }
        return true;
    }

    // Moves the field being assembled (the library hands names and values over in pieces) into the request.
    // False (and the parser failed) for an invalid field name.
    bool commitField()
    {
        if (!inValue && field.isEmpty())
            return true;
        if (!isToken(field)) {
            q->fail(400, "invalid header field name");
            return false;
        }
        QByteArrayView v = value;
        // RFC 9110 §5.5: leading and trailing whitespace is not part of the field value.
        while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
            v = v.sliced(1);
        while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
            v.chop(1);
        // RFC 9110 §5.5: field-vchar, SP and HTAB only; NUL, CR and LF MUST be rejected or replaced. The library
        // checks every byte of a value but the first (found by fuzzing: "Host:\0"), so check them all here.
        for (const char c : v) {
            const auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7f) {
                q->fail(400, "invalid character in a header field value");
                return false;
            }
        }
        current.headers.add(field, v.toByteArray());
        field.clear();
        value.clear();
        inValue = false;
        return true;
    }

    static Impl *self(http_parser *p) { return static_cast<Impl *>(p->data); }

    static int onMessageBegin(http_parser *p)
    {
        self(p)->q->m_state = State::InHeaders;
        return 0;
    }

    static int onUrl(http_parser *p, const char *at, size_t length)
    {
        Impl *d = self(p);
        d->url.append(at, qsizetype(length));
        if (d->url.size() > d->q->m_limits.maxTargetBytes) {
            d->q->fail(414, "request target too long");
            return 1;
        }
        return 0;
    }

    static int onHeaderField(http_parser *p, const char *at, size_t length)
    {
        Impl *d = self(p);
        if (d->inValue && !d->commitField())
            return 1;
        if (d->field.isEmpty() && d->current.headers.size() >= d->q->m_limits.maxHeaderFields) {
            d->q->fail(431, "too many header fields");
            return 1;
        }
        d->field.append(at, qsizetype(length));
        return 0;
    }

    static int onHeaderValue(http_parser *p, const char *at, size_t length)
    {
        Impl *d = self(p);
        // The library reports a value in several calls only when the value straddles two fed slices, or when a line
        // continues the previous one (obs-fold). RFC 9112 §5.2: a server MUST reject obs-fold with 400 or replace
        // it; we reject, since folding is also a way to hide one header inside another.
        if (d->inValue && d->valueEndedAtLineEnd) {
            d->q->fail(400, "obsolete line folding in a header field");
            return 1;
        }
        d->inValue = true;
        d->value.append(at, qsizetype(length));
        d->valueEndedAtLineEnd = at + length != d->sliceEnd;
        return 0;
    }

    static int onHeadersComplete(http_parser *p)
    {
        Impl *d = self(p);
        if (!d->commitField())
            return -1; // any value but 0, 1, 2 is an error for this callback
        d->headersComplete = true;
        // Checked by feed() with the exact size of the header section; the library resumes at the final LF.
        http_parser_pause(p, 1);
        return 0;
    }

    static int onBody(http_parser *p, const char *at, size_t length)
    {
        Impl *d = self(p);
        // Content-Length was checked against the cap before the body started: this only guards the invariant.
        if (d->current.body.size() + qint64(length) > d->q->m_limits.maxBodyBytes) {
            d->q->fail(413, "request body too large");
            return 1;
        }
        d->current.body.append(at, qsizetype(length));
        return 0;
    }

    static int onMessageComplete(http_parser *p)
    {
        Impl *d = self(p);
        // RFC 9112 §9.3 persistence; a request asking to switch protocols (or CONNECT) ends the connection: we
        // answer it (ignoring Upgrade, RFC 9110 §7.8) and close rather than guess where the next request starts.
        d->current.keepAlive = http_should_keep_alive(p) != 0 && p->upgrade == 0;
        d->messageComplete = true;
        http_parser_pause(p, 1);
        return 0;
    }
};

RequestParser::RequestParser(Limits limits)
    : d(std::make_unique<Impl>())
    , m_limits(limits)
{
    d->q = this;
    m_limits.maxTargetBytes = std::min<qsizetype>(m_limits.maxTargetBytes, 65535);
    http_parser_settings_init(&d->settings);
    d->settings.on_message_begin = &Impl::onMessageBegin;
    d->settings.on_url = &Impl::onUrl;
    d->settings.on_header_field = &Impl::onHeaderField;
    d->settings.on_header_value = &Impl::onHeaderValue;
    d->settings.on_headers_complete = &Impl::onHeadersComplete;
    d->settings.on_body = &Impl::onBody;
    d->settings.on_message_complete = &Impl::onMessageComplete;
    d->reset();
}

RequestParser::~RequestParser() = default;

void RequestParser::fail(int status, QByteArray message)
{
    if (m_state == State::Failed)
        return;
    m_state = State::Failed;
    m_error = ParseError { status, std::move(message) };
}

HttpRequest RequestParser::takeRequest()
{
    Q_ASSERT(!m_ready.isEmpty());
    HttpRequest request = m_ready.takeFirst();
    qint64 size = request.body.size() + request.target.size();
    for (const HttpHeaders::Field &field : request.headers.fields())
        size += field.first.size() + field.second.size();
    m_pendingBytes = std::max<qint64>(0, m_pendingBytes - size);
    return request;
}

bool RequestParser::takeContinueRequest()
{
    return std::exchange(m_continueRequested, false);
}

bool RequestParser::feed(QByteArrayView data)
{
    const char *p = data.data();
    qsizetype left = data.size();
    while (left > 0 && m_state != State::Failed) {
        qsizetype slice = left;
        if (!d->headersComplete) {
            // Never hand the library more than one byte past the cap: an oversize header section is caught at the
            // first byte beyond it, never buffered whole (the library's own cap is 80 KiB).
            slice = std::min(left, std::max<qsizetype>(1, m_limits.maxHeaderBytes + 1 - d->headerBytes));
            if (m_state == State::Idle)
                m_state = State::InHeaders;
        }
        d->sliceEnd = p + slice;
        const size_t consumed = http_parser_execute(&d->parser, &d->settings, p, size_t(slice));
        if (m_state == State::Failed)
            return false;
        const http_errno err = HTTP_PARSER_ERRNO(&d->parser);
        if (err != HPE_OK && err != HPE_PAUSED) {
            failFromLibrary(int(err));
            return false;
        }
        const bool wasInHeaders = m_state == State::InHeaders;
        p += consumed;
        left -= qsizetype(consumed);

        if (wasInHeaders) {
            d->headerBytes += qsizetype(consumed);
            if (!d->headersComplete) {
                // At least the final LF is still to come.
                if (d->headerBytes + 1 > m_limits.maxHeaderBytes) {
                    fail(431, "request header section too large");
                    return false;
                }
            } else {
                // Paused on the LF that ends the header section: it is part of the section but not consumed yet.
                if (!checkHeaders(d->headerBytes + 1))
                    return false;
                m_state = State::InBody;
            }
        }
        if (err == HPE_PAUSED)
            http_parser_pause(&d->parser, 0);

        if (d->messageComplete) {
            HttpRequest request = std::move(d->current);
            qint64 size = request.body.size() + request.target.size();
            for (const HttpHeaders::Field &field : request.headers.fields())
                size += field.first.size() + field.second.size();
            m_pendingBytes += size;
            m_ready.append(std::move(request));
            m_continueRequested = false;
            d->reset();
            m_state = State::Idle;
        } else if (consumed == 0 && err != HPE_PAUSED) {
            // The library made no progress without saying why: never spin.
            fail(400, "malformed request");
            return false;
        }
    }
    return m_state != State::Failed;
}

bool RequestParser::checkHeaders(qsizetype headerSectionBytes)
{
    http_parser *p = &d->parser;
    HttpRequest &r = d->current;
    if (headerSectionBytes > m_limits.maxHeaderBytes) {
        fail(431, "request header section too large");
        return false;
    }
    r.method = http_method_str(http_method(p->method));
    r.versionMajor = p->http_major;
    r.versionMinor = p->http_minor;
    r.target = d->url;
    // RFC 9110 §15.6.6 / RFC 9112 §2.3: we speak HTTP/1.0 and HTTP/1.1 only.
    if (r.versionMajor != 1 || r.versionMinor > 1) {
        fail(505, "only HTTP/1.0 and HTTP/1.1 are supported");
        return false;
    }
    // RFC 9112 §6.1: a server that does not decode a transfer coding MAY answer 411 and insist on Content-Length.
    // Chunked request bodies are where request smuggling lives; no MCP client needs them.
    if (p->uses_transfer_encoding != 0 || (p->flags & F_CHUNKED) != 0 || r.headers.contains("transfer-encoding")) {
        fail(411, "Transfer-Encoding is not accepted on requests; send the body with a Content-Length");
        return false;
    }
    // RFC 9112 §3.2: a client MUST send Host in HTTP/1.1; a server MUST answer 400 to a request without one or
    // with more than one.
    const qsizetype hosts = r.headers.count("host");
    if (hosts > 1 || (hosts == 0 && r.versionMinor >= 1)) {
        fail(400, hosts > 1 ? QByteArray("more than one Host header") : QByteArray("missing Host header"));
        return false;
    }
    // RFC 9112 §6.3: the library already refused non-numeric, negative, overflowing and repeated Content-Length
    // (even with equal values, which the RFC allows us to reject). Here only the size cap: refuse before reading.
    if ((p->flags & F_CONTENTLENGTH) != 0 && p->content_length > quint64(m_limits.maxBodyBytes)) {
        fail(413, "request body too large");
        return false;
    }
    // RFC 9110 §10.1.1: 100-continue is the only expectation defined; anything else is 417.
    const QList<QByteArray> expectations = r.headers.values("expect");
    if (!expectations.isEmpty()) {
        if (expectations.size() != 1 || expectations.first().compare("100-continue", Qt::CaseInsensitive) != 0) {
            fail(417, "unsupported expectation");
            return false;
        }
        // Only HTTP/1.1 clients wait for 100 (RFC 9110 §10.1.1: ignore it from HTTP/1.0), and only a body to come
        // is worth waiting for.
        m_continueRequested = r.versionMinor >= 1 && (p->flags & F_CONTENTLENGTH) != 0 && p->content_length > 0;
    }
    // The target's path and query (origin-form, absolute-form, "*" and CONNECT's authority-form: RFC 9112 §3.2).
    http_parser_url parts;
    http_parser_url_init(&parts);
    if (http_parser_parse_url(d->url.constData(), size_t(d->url.size()), p->method == HTTP_CONNECT ? 1 : 0, &parts)
        != 0) {
        fail(400, "invalid request target");
        return false;
    }
    if ((parts.field_set & (1 << UF_PATH)) != 0)
        r.path = d->url.mid(parts.field_data[UF_PATH].off, parts.field_data[UF_PATH].len);
    else if (p->method != HTTP_CONNECT)
        r.path = "/";
    if ((parts.field_set & (1 << UF_QUERY)) != 0)
        r.query = d->url.mid(parts.field_data[UF_QUERY].off, parts.field_data[UF_QUERY].len);
    return true;
}

void RequestParser::failFromLibrary(int errorCode)
{
    const auto err = http_errno(errorCode);
    // Complete the header list so the mapping below sees every field; a bad name fails the parser on its own.
    if (!d->commitField())
        return;
    switch (err) {
    case HPE_HEADER_OVERFLOW:
        fail(431, "request header section too large");
        return;
    case HPE_INVALID_TRANSFER_ENCODING:
        fail(411, "Transfer-Encoding is not accepted on requests; send the body with a Content-Length");
        return;
    case HPE_INVALID_CONTENT_LENGTH:
    case HPE_UNEXPECTED_CONTENT_LENGTH:
        // Content-Length next to Transfer-Encoding is the classic smuggling shape; name the real reason.
        if (d->current.headers.contains("transfer-encoding")) {
            fail(411, "Transfer-Encoding is not accepted on requests; send the body with a Content-Length");
            return;
        }
        fail(400, "invalid, repeated or conflicting Content-Length");
        return;
    default:
        // The library's description names the rule broken, never the offending bytes.
        fail(400, QByteArray("malformed request: ") + http_errno_description(err));
        return;
    }
}

} // namespace Mcp::Http
