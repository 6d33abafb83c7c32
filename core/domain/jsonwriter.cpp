// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "jsonwriter.h"

#include <cmath>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QStringEncoder>

#include "isodate.h"

namespace Domain {

void appendJsonString(QByteArray &out, QByteArrayView utf8)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    qsizetype run = 0;
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const auto c = uchar(utf8[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(utf8.sliced(run, i - run));
        run = i + 1;
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default: {
            const char escape[] = { '\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf] };
            out.append(escape, sizeof escape);
        }
        }
    }
    out.append(utf8.sliced(run));
    out += '"';
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
    m_out += QByteArrayView(name.data(), name.size());
    m_out += "\":";
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
    m_out += QByteArray::number(number);
    return *this;
}

JsonWriter &JsonWriter::value(double number)
{
    separate();
    // QJsonValue's form: an integral double within 2^53 is held (and written) as an integer, any other finite one in
    // its shortest round-trip digits, and what JSON cannot hold as null.
    double integral = 0;
    if (!std::isfinite(number))
        m_out += "null";
    else if (std::modf(number, &integral) == 0.0 && std::fabs(number) < 9007199254740992.0)
        m_out += QByteArray::number(qint64(number));
    else
        m_out += QByteArray::number(number, 'g', QLocale::FloatingPointShortest);
    return *this;
}

JsonWriter &JsonWriter::value(bool flag)
{
    separate();
    m_out += flag ? "true" : "false";
    return *this;
}

JsonWriter &JsonWriter::null()
{
    separate();
    m_out += "null";
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
