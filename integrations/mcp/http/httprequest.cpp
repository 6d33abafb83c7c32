// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "httprequest.h"

#include <QByteArrayList>

namespace Mcp::Http {

namespace {

// Field names are ASCII tokens (RFC 9110 §5.1): a byte-wise case-insensitive compare is exact.
bool sameName(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
        v.chop(1);
    return v;
}

QString decodeQueryComponent(QByteArray bytes)
{
    bytes.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(bytes));
}

} // namespace

QByteArray HttpHeaders::value(QByteArrayView name) const
{
    for (const Field &field : m_fields) {
        if (sameName(field.first, name))
            return field.second;
    }
    return {};
}

QList<QByteArray> HttpHeaders::values(QByteArrayView name) const
{
    QList<QByteArray> result;
    for (const Field &field : m_fields) {
        if (sameName(field.first, name))
            result.append(field.second);
    }
    return result;
}

QByteArray HttpHeaders::combinedValue(QByteArrayView name) const
{
    const QList<QByteArray> all = values(name);
    if (all.isEmpty())
        return {};
    return QByteArrayList(all).join(", ");
}

bool HttpHeaders::contains(QByteArrayView name) const
{
    for (const Field &field : m_fields) {
        if (sameName(field.first, name))
            return true;
    }
    return false;
}

qsizetype HttpHeaders::count(QByteArrayView name) const
{
    qsizetype n = 0;
    for (const Field &field : m_fields) {
        if (sameName(field.first, name))
            ++n;
    }
    return n;
}

bool HttpHeaders::hasToken(QByteArrayView name, QByteArrayView token) const
{
    for (const Field &field : m_fields) {
        if (!sameName(field.first, name))
            continue;
        for (const QByteArray &item : field.second.split(',')) {
            if (sameName(trimmed(item), token))
                return true;
        }
    }
    return false;
}

void HttpHeaders::add(QByteArray name, QByteArray value)
{
    m_fields.append({ std::move(name), std::move(value) });
}

void HttpHeaders::set(QByteArray name, QByteArray value)
{
    for (qsizetype i = 0; i < m_fields.size(); ++i) {
        if (sameName(m_fields[i].first, name)) {
            m_fields[i].second = std::move(value);
            // Drop any later duplicates so exactly one field remains.
            for (qsizetype j = m_fields.size() - 1; j > i; --j) {
                if (sameName(m_fields[j].first, name))
                    m_fields.removeAt(j);
            }
            return;
        }
    }
    add(std::move(name), std::move(value));
}

void HttpHeaders::remove(QByteArrayView name)
{
    m_fields.removeIf([name](const Field &field) { return sameName(field.first, name); });
}

QString HttpRequest::decodedPath() const
{
    return QString::fromUtf8(QByteArray::fromPercentEncoding(path));
}

QString HttpRequest::queryItem(QStringView name) const
{
    // application/x-www-form-urlencoded pairs (WHATWG URL §5.1): '&'-separated, '+' is a space.
    for (const QByteArray &pair : query.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf('=');
        const QByteArray key = eq < 0 ? pair : pair.left(eq);
        if (decodeQueryComponent(key) == name) {
            QString value = eq < 0 ? QString() : decodeQueryComponent(pair.mid(eq + 1));
            if (value.isNull())
                value = QLatin1String("");
            return value;
        }
    }
    return {};
}

} // namespace Mcp::Http
