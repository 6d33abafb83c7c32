// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "jsonwriter.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QStringEncoder>

#include "isodate.h"

namespace Domain {

namespace {

// Appends `bytes` with one resize and a copy. QByteArray::append(QByteArrayView) goes through insert() in Qt 6.4, which
// costs more than the copy for the short pieces a JSON writer appends (perf: a tenth of a list_clients call).
void appendBytes(QByteArray &out, QByteArrayView bytes)
{
    const qsizetype at = out.size();
    out.resize(at + bytes.size());
    if (!bytes.isEmpty())
        std::memcpy(out.data() + at, bytes.data(), size_t(bytes.size()));
}

// Decimal digits, as QByteArray::number writes them, without its temporary.
void appendInteger(QByteArray &out, qint64 number)
{
    char digits[24];
    appendBytes(out, QByteArrayView(digits, std::to_chars(digits, digits + sizeof digits, number).ptr - digits));
}

// The bytes a JSON string escape takes in place of the one byte `c` (RFC 8259 §7); 1 when it needs none.
constexpr int escapedSize(uchar c)
{
    if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t')
        return 2;
    return c < 0x20 ? 6 : 1;
}

} // namespace

void appendJsonString(QByteArray &out, QByteArrayView utf8)
{
    static constexpr char kHex[] = "0123456789abcdef";
    // Measured first, then written through a pointer into one resize: the text is short, its escapes are few.
    qsizetype size = 2;
    for (const char c : utf8)
        size += escapedSize(uchar(c));
    const qsizetype at = out.size();
    out.resize(at + size);
    char *p = out.data() + at;
    *p++ = '"';
    if (size == utf8.size() + 2) {
        if (!utf8.isEmpty())
            std::memcpy(p, utf8.data(), size_t(utf8.size()));
        p += utf8.size();
    } else {
        for (const char byte : utf8) {
            const auto c = uchar(byte);
            if (c >= 0x20 && c != '"' && c != '\\') {
                *p++ = byte;
                continue;
            }
            *p++ = '\\';
            switch (c) {
            case '"':
                *p++ = '"';
                break;
            case '\\':
                *p++ = '\\';
                break;
            case '\n':
                *p++ = 'n';
                break;
            case '\r':
                *p++ = 'r';
                break;
            case '\t':
                *p++ = 't';
                break;
            default:
                *p++ = 'u';
                *p++ = '0';
                *p++ = '0';
                *p++ = kHex[c >> 4];
                *p++ = kHex[c & 0xf];
            }
        }
    }
    *p++ = '"';
    Q_ASSERT(p == out.data() + out.size());
}

void appendJsonString(QByteArray &out, QStringView text)
{
    QVarLengthArray<char, 512> utf8(text.size() * 3);
    QStringEncoder encoder(QStringEncoder::Utf8, QStringConverter::Flag::Stateless);
    char *end = encoder.appendToBuffer(utf8.data(), text);
    appendJsonString(out, QByteArrayView(utf8.data(), end - utf8.data()));
}

void JsonWriter::separate()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_hasValue.isEmpty()) {
        if (m_hasValue.last())
            m_out += ',';
        m_hasValue.last() = true;
    }
}

JsonWriter &JsonWriter::beginObject()
{
    separate();
    m_out += '{';
    m_hasValue.append(false);
    return *this;
}

JsonWriter &JsonWriter::endObject()
{
    Q_ASSERT(!m_hasValue.isEmpty() && !m_afterKey);
    m_hasValue.removeLast();
    m_out += '}';
    return *this;
}

JsonWriter &JsonWriter::beginArray()
{
    separate();
    m_out += '[';
    m_hasValue.append(false);
    return *this;
}

JsonWriter &JsonWriter::endArray()
{
    Q_ASSERT(!m_hasValue.isEmpty() && !m_afterKey);
    m_hasValue.removeLast();
    m_out += ']';
    return *this;
}

JsonWriter &JsonWriter::key(QLatin1StringView name)
{
    Q_ASSERT(!m_hasValue.isEmpty() && !m_afterKey);
    separate();
    m_out += '"';
    appendBytes(m_out, QByteArrayView(name.data(), name.size()));
    appendBytes(m_out, "\":");
    m_afterKey = true;
    return *this;
}

JsonWriter &JsonWriter::value(QStringView text)
{
    separate();
    appendJsonString(m_out, text);
    return *this;
}

JsonWriter &JsonWriter::value(qint64 number)
{
    separate();
    appendInteger(m_out, number);
    return *this;
}

JsonWriter &JsonWriter::value(double number)
{
    separate();
    // QJsonValue's form: an integral double within 2^53 is held (and written) as an integer, any other finite one in
    // its shortest round-trip digits, and what JSON cannot hold as null.
    double integral = 0;
    if (!std::isfinite(number))
        appendBytes(m_out, "null");
    else if (std::modf(number, &integral) == 0.0 && std::fabs(number) < 9007199254740992.0)
        appendInteger(m_out, qint64(number));
    else
        m_out += QByteArray::number(number, 'g', QLocale::FloatingPointShortest);
    return *this;
}

JsonWriter &JsonWriter::value(bool flag)
{
    separate();
    appendBytes(m_out, flag ? QByteArrayView("true") : QByteArrayView("false"));
    return *this;
}

JsonWriter &JsonWriter::null()
{
    separate();
    appendBytes(m_out, "null");
    return *this;
}

JsonWriter &JsonWriter::value(const QJsonValue &json)
{
    switch (json.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return null();
    case QJsonValue::Bool:
        return value(json.toBool());
    case QJsonValue::String:
        return value(json.toString());
    case QJsonValue::Double: {
        // An integer QJsonValue (from qint64) keeps its digits beyond 2^53, as QJsonDocument writes it.
        const QByteArray array = QJsonDocument(QJsonArray { json }).toJson(QJsonDocument::Compact);
        separate();
        m_out += QByteArrayView(array).sliced(1, array.size() - 2);
        return *this;
    }
    case QJsonValue::Array:
        separate();
        m_out += QJsonDocument(json.toArray()).toJson(QJsonDocument::Compact);
        return *this;
    case QJsonValue::Object:
        separate();
        m_out += QJsonDocument(json.toObject()).toJson(QJsonDocument::Compact);
        return *this;
    }
    return null();
}

JsonWriter &JsonWriter::textOrNull(const QString &text)
{
    return text.isNull() ? null() : value(QStringView(text));
}

JsonWriter &JsonWriter::dateOrNull(QDate date)
{
    char16_t text[10];
    if (Domain::writeIsoDate(text, date))
        return value(QStringView(text, 10));
    return date.isValid() ? value(Domain::isoDate(date)) : null();
}

} // namespace Domain
