// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "httpresponse.h"

namespace Mcp::Http {

namespace {

// RFC 9110 §6.4.1: 1xx, 204 and 304 responses never carry content (nor, for 1xx/204, a Content-Length).
bool statusForbidsBody(int status)
{
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

} // namespace

HttpResponse::HttpResponse(int statusCode, QByteArray contentType, QByteArray bodyBytes)
    : status(statusCode)
    , body(std::move(bodyBytes))
{
    if (!contentType.isEmpty())
        headers.add("Content-Type", std::move(contentType));
}

HttpResponse HttpResponse::json(int status, QByteArray jsonBytes)
{
    return { status, "application/json", std::move(jsonBytes) };
}

HttpResponse HttpResponse::text(int status, QByteArray utf8Text)
{
    return { status, "text/plain; charset=utf-8", std::move(utf8Text) };
}

HttpResponse HttpResponse::empty(int status)
{
    return { status, {}, {} };
}

QByteArray HttpResponse::reasonPhrase(int status)
{
    // RFC 9110 §15 (and RFC 6585 for 428/429/431).
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 417:
        return "Expectation Failed";
    case 422:
        return "Unprocessable Content";
    case 428:
        return "Precondition Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

QByteArray HttpResponse::serialize(bool includeBody) const
{
    const bool noBody = statusForbidsBody(status);
    QByteArray out;
    qsizetype size = 64 + (noBody || !includeBody ? 0 : body.size());
    for (const HttpHeaders::Field &field : headers.fields())
        size += field.first.size() + field.second.size() + 4;
    out.reserve(size);

    out += "HTTP/1.1 ";
    out += QByteArray::number(status);
    out += ' ';
    out += reason.isEmpty() ? reasonPhrase(status) : reason;
    out += "\r\n";
    for (const HttpHeaders::Field &field : headers.fields()) {
        const QByteArrayView name = field.first;
        // Framing is ours alone: a stale or doubled length would desynchronise the client (RFC 9112 §6.3).
        if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0
            || name.compare("Content-Length", Qt::CaseInsensitive) == 0)
            continue;
        out += field.first;
        out += ": ";
        out += field.second;
        out += "\r\n";
    }
    if (!noBody) {
        out += "Content-Length: ";
        out += QByteArray::number(body.size());
        out += "\r\n";
    }
    out += "\r\n";
    if (!noBody && includeBody)
        out += body;
    return out;
}

} // namespace Mcp::Http
