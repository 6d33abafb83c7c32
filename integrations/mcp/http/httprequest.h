// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>

namespace Mcp::Http {

// Header fields of one message, in the order they arrived. Names compare case-insensitively (RFC 9110 §5.1);
// values are the raw octets with leading and trailing whitespace removed (RFC 9110 §5.5: OWS is not part of the
// value). Repeated fields are kept as separate entries, never merged, so a caller can tell "Origin: a" from two
// Origin lines.
class HttpHeaders
{
public:
    using Field = QPair<QByteArray, QByteArray>;

    // The first value of `name`, or an empty QByteArray (isNull()) when absent.
    [[nodiscard]] QByteArray value(QByteArrayView name) const;
    // Every value of `name`, in arrival order.
    [[nodiscard]] QList<QByteArray> values(QByteArrayView name) const;
    // All values of `name` joined by ", " (RFC 9110 §5.3: the combined field value), or null when absent.
    [[nodiscard]] QByteArray combinedValue(QByteArrayView name) const;
    [[nodiscard]] bool contains(QByteArrayView name) const;
    [[nodiscard]] qsizetype count(QByteArrayView name) const;
    // True when the comma-separated list of `name` contains `token` (case-insensitive), e.g.
    // hasToken("connection", "close") (RFC 9110 §5.6.1 lists, §7.6.1 Connection).
    [[nodiscard]] bool hasToken(QByteArrayView name, QByteArrayView token) const;

    void add(QByteArray name, QByteArray value);
    // Replaces every field called `name` with one field (appended when absent).
    void set(QByteArray name, QByteArray value);
    void remove(QByteArrayView name);

    [[nodiscard]] const QList<Field> &fields() const { return m_fields; }
    [[nodiscard]] qsizetype size() const { return m_fields.size(); }
    [[nodiscard]] bool isEmpty() const { return m_fields.isEmpty(); }

private:
    QList<Field> m_fields;
};

// One complete HTTP/1.x request as RequestParser yields it. A value type: no socket, no parser state.
struct HttpRequest
{
    QByteArray method; // "GET", "POST", ... (as sent; methods are case-sensitive, RFC 9110 §9.1)
    QByteArray target; // the raw request-target (RFC 9112 §3.2), e.g. "/mcp?x=1"
    QByteArray path; // the path of the target, still percent-encoded, e.g. "/mcp"; "*" for OPTIONS *
    QByteArray query; // the raw query without '?', still percent-encoded (may hold tokens: never log it)
    HttpHeaders headers;
    QByteArray body;
    int versionMajor = 1;
    int versionMinor = 1;
    // Whether the connection stays open after this request (RFC 9112 §9.3): HTTP/1.1 unless "Connection: close",
    // HTTP/1.0 only with "Connection: keep-alive".
    bool keepAlive = true;
    // Filled in by HttpConnection (the parser has no socket); null in parser-only use.
    QHostAddress peerAddress;
    quint16 peerPort = 0;

    // Shorthands for headers.value() / headers.values(): header("origin"), headerValues("accept").
    [[nodiscard]] QByteArray header(QByteArrayView name) const { return headers.value(name); }
    [[nodiscard]] QList<QByteArray> headerValues(QByteArrayView name) const { return headers.values(name); }
    [[nodiscard]] bool hasHeader(QByteArrayView name) const { return headers.contains(name); }
    // The path percent-decoded as UTF-8 (for routing; compare raw `path` when exactness matters).
    [[nodiscard]] QString decodedPath() const;
    // The value of one query parameter, percent-decoded ('+' is a space), or a null QString when absent.
    [[nodiscard]] QString queryItem(QStringView name) const;
};

} // namespace Mcp::Http
