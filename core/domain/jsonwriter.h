// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QDate>
#include <QJsonValue>
#include <QLatin1StringView>
#include <QString>
#include <QStringView>
#include <QVarLengthArray>

namespace Domain {

// A JSON string literal (RFC 8259 §7) of UTF-8 or UTF-16 text appended to `out`: quotation mark, reverse solidus and
// control characters escaped, everything else copied as UTF-8.
void appendJsonString(QByteArray &out, QByteArrayView utf8);
void appendJsonString(QByteArray &out, QStringView text);

// Compact JSON written straight into bytes, for the answers that run most (a page of customers): building a
// QJsonObject and serialising it cost more than the query behind it. Keys are written in the order given; numbers as
// QJsonDocument writes them (shortest round-trip form, integral doubles without a fraction, non-finite as null).
//     JsonWriter w(out);
//     w.beginObject().key("total").value(qint64(3)).key("items").beginArray() ... .endArray().endObject();
// The writer checks nothing: a key outside an object or an unclosed array is the caller's bug (asserted in debug).
class JsonWriter final
{
public:
    explicit JsonWriter(QByteArray &out)
        : m_out(out)
    { }

    JsonWriter &beginObject();
    JsonWriter &endObject();
    JsonWriter &beginArray();
    JsonWriter &endArray();
    // A key in the current object; `name` is plain ASCII needing no escapes (our keys are snake_case).
    JsonWriter &key(QLatin1StringView name);

    JsonWriter &value(QStringView text);
    JsonWriter &value(const QString &text) { return value(QStringView(text)); }
    JsonWriter &value(qint64 number);
    JsonWriter &value(int number) { return value(qint64(number)); }
    JsonWriter &value(double number);
    JsonWriter &value(bool flag);
    JsonWriter &null();
    // Any QJsonValue (objects and arrays through QJsonDocument): for the odd value built elsewhere.
    JsonWriter &value(const QJsonValue &json);
    // Text or null when the text is null; a date as yyyy-MM-dd or null when invalid.
    JsonWriter &textOrNull(const QString &text);
    JsonWriter &dateOrNull(QDate date);

private:
    void separate();

    QByteArray &m_out;
    // Per open container: whether it already holds a value (so the next one needs a comma).
    QVarLengthArray<bool, 8> m_hasValue;
    bool m_afterKey = false;
};

} // namespace Domain
