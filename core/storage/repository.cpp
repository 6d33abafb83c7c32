// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "repository.h"

#include <cmath>

#include <QJsonObject>

#include "jsonwriter.h"

namespace Storage::Detail {

using namespace Qt::StringLiterals;

QString placeholders(int count)
{
    QString out;
    out.reserve(count * 3);
    for (int i = 0; i < count; ++i)
        out += i == 0 ? u"?"_s : u", ?"_s;
    return out;
}

Core::Status appendFilter(
    const Filter &filter, const QStringList &knownColumns, QStringList &conditions, QVariantList &bindings)
{
    // Column names reach SQL text, so only mapped names pass; values always travel as bindings.
    if (!knownColumns.contains(filter.column))
        return Core::Error::invalid(filter.column, u"cannot filter on this field"_s);
    const QString &c = filter.column;
    switch (filter.op) {
    case Filter::Op::Eq:
        conditions << c + u" = ?"_s;
        break;
    case Filter::Op::Ne:
        conditions << u"(%1 IS NULL OR %1 <> ?)"_s.arg(c);
        break;
    case Filter::Op::Lt:
        conditions << c + u" < ?"_s;
        break;
    case Filter::Op::Le:
        conditions << c + u" <= ?"_s;
        break;
    case Filter::Op::Gt:
        conditions << c + u" > ?"_s;
        break;
    case Filter::Op::Ge:
        conditions << c + u" >= ?"_s;
        break;
    case Filter::Op::In: {
        const QVariantList values = filter.value.toList();
        if (values.isEmpty()) {
            conditions << u"1 = 0"_s;
            return {};
        }
        conditions << u"%1 IN (%2)"_s.arg(c, placeholders(int(values.size())));
        bindings << values;
        return {};
    }
    case Filter::Op::Contains: {
        // Case-insensitive substring; LIKE wildcards in the user's text are escaped, not interpreted.
        QString needle = filter.value.toString().toLower();
        needle.replace(u"\\"_s, u"\\\\"_s).replace(u"%"_s, u"\\%"_s).replace(u"_"_s, u"\\_"_s);
        conditions << u"LOWER(%1) LIKE ? ESCAPE '\\'"_s.arg(c);
        bindings << QVariant(u"%"_s + needle + u"%"_s);
        return {};
    }
    case Filter::Op::IsNull:
        conditions << c + u" IS NULL"_s;
        return {};
    case Filter::Op::NotNull:
        conditions << c + u" IS NOT NULL"_s;
        return {};
    }
    bindings << filter.value;
    return {};
}

QString encodeCursor(const QString &orderBy, bool descending, const QVariant &value, const QVariant &key)
{
    // Written straight as bytes (a QJsonObject costs more than the rest of a page): the object
    // {"d":…,"k":…,"o":…,"v":…} that decodeCursor reads.
    const auto write = [](Domain::JsonWriter &w, const QVariant &v) {
        if (v.isNull())
            w.null();
        else if (v.typeId() == QMetaType::QString)
            w.value(*static_cast<const QString *>(v.constData()));
        else if (v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Int)
            w.value(v.toLongLong());
        else if (v.typeId() == QMetaType::Double)
            w.value(v.toDouble());
        else
            w.value(QJsonValue::fromVariant(v));
    };
    QByteArray json;
    Domain::JsonWriter w(json);
    w.beginObject().key("d"_L1).value(descending).key("k"_L1);
    write(w, key);
    w.key("o"_L1).value(orderBy).key("v"_L1);
    write(w, value);
    w.endObject();
    return QString::fromLatin1(json.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

Core::Result<DecodedCursor> decodeCursor(const QString &cursor, const QString &orderBy, bool descending)
{
    const auto invalid = Core::Error::invalid(u"cursor"_s, u"is not a cursor returned by this list"_s);
    const auto decoded = QByteArray::fromBase64Encoding(
        cursor.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return invalid;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(*decoded, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return invalid;
    const QJsonObject o = doc.object();
    if (o.value(u"o"_s).toString() != orderBy || o.value(u"d"_s).toBool() != descending || !o.contains(u"k"_s))
        return Core::Error::invalid(u"cursor"_s, u"belongs to a list with a different sort order"_s);
    const QJsonValue k = o.value(u"k"_s);
    if (!(k.isString() || k.isDouble()))
        return invalid;
    // JSON has one number type; integral values go back as integers so that PostgreSQL compares them with
    // BIGINT columns without a cast.
    const auto restore = [](const QJsonValue &v) -> QVariant {
        if (v.isDouble() && std::trunc(v.toDouble()) == v.toDouble() && std::abs(v.toDouble()) < 9.0e15)
            return qint64(v.toDouble());
        return v.toVariant();
    };
    return DecodedCursor { restore(o.value(u"v"_s)), restore(k) };
}

} // namespace Storage::Detail
