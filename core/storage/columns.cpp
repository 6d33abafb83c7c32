// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "columns.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>

#include "isodate.h"

namespace Storage::Convert {

using namespace Qt::StringLiterals;

namespace {
QVariant nullOf(QMetaType type)
{
    return QVariant(type);
}

QJsonDocument parseJson(const QVariant &v)
{
    if (v.isNull())
        return {};
    return QJsonDocument::fromJson(v.toString().toUtf8());
}
} // namespace

QVariant toSql(const QString &value)
{
    return value.isEmpty() ? nullOf(QMetaType::fromType<QString>()) : QVariant(value);
}
QVariant toSql(int value)
{
    return value;
}
QVariant toSql(qint64 value)
{
    return value;
}
QVariant toSql(double value)
{
    return value;
}
QVariant toSql(bool value)
{
    return value;
}
QVariant toSql(const std::optional<int> &value)
{
    return value ? QVariant(*value) : nullOf(QMetaType::fromType<int>());
}
QVariant toSql(const std::optional<qint64> &value)
{
    return value ? QVariant(*value) : nullOf(QMetaType::fromType<qint64>());
}
QVariant toSql(const std::optional<double> &value)
{
    return value ? QVariant(*value) : nullOf(QMetaType::fromType<double>());
}
QVariant toSql(const QDate &value)
{
    // Text on both dialects: SQLite stores it as is, PostgreSQL casts the literal to DATE.
    return value.isValid() ? QVariant(Domain::isoDate(value)) : nullOf(QMetaType::fromType<QString>());
}
QVariant toSql(const QDateTime &value)
{
    return value.isValid() ? QVariant(value.toUTC().toString(Qt::ISODateWithMs))
                           : nullOf(QMetaType::fromType<QString>());
}
QVariant toSql(const QVariantMap &value)
{
    return QString::fromUtf8(QJsonDocument(QJsonObject::fromVariantMap(value)).toJson(QJsonDocument::Compact));
}
QVariant toSql(const QVariantList &value)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromVariantList(value)).toJson(QJsonDocument::Compact));
}
QVariant toSql(const QStringList &value)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(value)).toJson(QJsonDocument::Compact));
}

void fromSql(const QVariant &v, QString &out)
{
    out = v.isNull() ? QString() : v.toString();
}
void fromSql(const QVariant &v, int &out)
{
    out = v.toInt();
}
void fromSql(const QVariant &v, qint64 &out)
{
    out = v.toLongLong();
}
void fromSql(const QVariant &v, double &out)
{
    out = v.toDouble();
}
void fromSql(const QVariant &v, bool &out)
{
    // SQLite hands back 0/1, PostgreSQL a bool; QPSQL may also give "t"/"f" text for some casts.
    if (v.typeId() == QMetaType::QString)
        out = v.toString() == u"t"_s || v.toString() == u"true"_s || v.toString() == u"1"_s;
    else
        out = v.toBool();
}
void fromSql(const QVariant &v, std::optional<int> &out)
{
    out = v.isNull() ? std::nullopt : std::optional<int>(v.toInt());
}
void fromSql(const QVariant &v, std::optional<qint64> &out)
{
    out = v.isNull() ? std::nullopt : std::optional<qint64>(v.toLongLong());
}
void fromSql(const QVariant &v, std::optional<double> &out)
{
    out = v.isNull() ? std::nullopt : std::optional<double>(v.toDouble());
}
void fromSql(const QVariant &v, QDate &out)
{
    if (v.isNull())
        out = QDate();
    else if (v.typeId() == QMetaType::QDate)
        out = v.toDate();
    else
        out = Domain::fromIsoDate(QStringView(v.toString()).left(10));
}
void fromSql(const QVariant &v, QDateTime &out)
{
    if (v.isNull()) {
        out = QDateTime();
    } else if (v.typeId() == QMetaType::QDateTime) {
        out = v.toDateTime().toUTC();
    } else {
        out = Domain::fromIsoDateTime(v.toString());
        if (out.isValid() && out.timeSpec() == Qt::LocalTime)
            out.setTimeZone(QTimeZone::utc()); // stored text without a zone is UTC by our convention
        out = out.toUTC();
    }
}
void fromSql(const QVariant &v, QVariantMap &out)
{
    out = parseJson(v).object().toVariantMap();
}
void fromSql(const QVariant &v, QVariantList &out)
{
    out = parseJson(v).array().toVariantList();
}
void fromSql(const QVariant &v, QStringList &out)
{
    out.clear();
    const QJsonArray array = parseJson(v).array();
    for (const QJsonValue &item : array)
        out << item.toString();
}

QVariant toCursorValue(const QVariant &v)
{
    if (v.isNull())
        return {};
    switch (v.typeId()) {
    case QMetaType::QDate:
        return v.toDate().toString(Qt::ISODate);
    case QMetaType::QDateTime:
        return v.toDateTime().toUTC().toString(Qt::ISODateWithMs);
    case QMetaType::Bool:
        return v.toBool() ? 1 : 0;
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        return v.toLongLong();
    case QMetaType::Double:
    case QMetaType::Float:
        return v.toDouble();
    default:
        return v.toString();
    }
}

} // namespace Storage::Convert
