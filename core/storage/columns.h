// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <functional>
#include <optional>
#include <type_traits>

#include <QDate>
#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantList>
#include <QVariantMap>

#include "enumnames.h"
#include "rows.h"

namespace Storage {

// How one C++ value is written to and read from a column, identically for SQLite and PostgreSQL:
// empty text and invalid dates are NULL, dates are ISO 8601, timestamps UTC, enums their snake_case
// spelling, maps and lists JSON text.
namespace Convert {
QVariant toSql(const QString &value);
QVariant toSql(int value);
QVariant toSql(qint64 value);
QVariant toSql(double value);
QVariant toSql(bool value);
QVariant toSql(const std::optional<int> &value);
QVariant toSql(const std::optional<qint64> &value);
QVariant toSql(const std::optional<double> &value);
QVariant toSql(const QDate &value);
QVariant toSql(const QDateTime &value);
QVariant toSql(const QVariantMap &value);
QVariant toSql(const QVariantList &value);
QVariant toSql(const QStringList &value);
template<typename E>
    requires std::is_enum_v<E>
QVariant toSql(E value)
{
    const QString text = Domain::enumName(value);
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

// An optional enum is NULL when absent (nullable enum columns such as nps_category).
template<typename E>
    requires std::is_enum_v<E>
QVariant toSql(const std::optional<E> &value)
{
    return value ? toSql(*value) : QVariant(QMetaType::fromType<QString>());
}

void fromSql(const QVariant &v, QString &out);
void fromSql(const QVariant &v, int &out);
void fromSql(const QVariant &v, qint64 &out);
void fromSql(const QVariant &v, double &out);
void fromSql(const QVariant &v, bool &out);
void fromSql(const QVariant &v, std::optional<int> &out);
void fromSql(const QVariant &v, std::optional<qint64> &out);
void fromSql(const QVariant &v, std::optional<double> &out);
void fromSql(const QVariant &v, QDate &out);
void fromSql(const QVariant &v, QDateTime &out);
void fromSql(const QVariant &v, QVariantMap &out);
void fromSql(const QVariant &v, QVariantList &out);
void fromSql(const QVariant &v, QStringList &out);
template<typename E>
    requires std::is_enum_v<E>
void fromSql(const QVariant &v, E &out)
{
    if (auto parsed = Domain::enumFromString<E>(v.toString()))
        out = *parsed;
}

template<typename E>
    requires std::is_enum_v<E>
void fromSql(const QVariant &v, std::optional<E> &out)
{
    out = v.isNull() ? std::nullopt : Domain::enumFromString<E>(v.toString());
}

// A value as it appears in a keyset cursor (JSON-friendly: text, number or null).
QVariant toCursorValue(const QVariant &sqlValue);
} // namespace Convert

enum ColumnFlag {
    NoFlags = 0,
    KeyColumn = 1, // the primary key (`id`)
    GeneratedKey = 2, // assigned by the database on insert
    Immutable = 4, // written on insert, never updated (e.g. customer_id of a child record)
    NotNull = 8, // NOT NULL in the schema: sorting on it needs no NULL handling and can walk an index
};

template<typename T>
struct Column {
    QString name;
    std::function<QVariant(const T &)> read;
    std::function<void(T &, const QVariant &)> write;
    int flags = NoFlags;
    // write() straight from a Rows, without the QVariant; when absent, write(record, rows.value(i)) does it.
    std::function<void(T &, const Rows &, int)> fetch = {};
};

// column(u"arr"_s, &Customer::arr): maps a member to a column through Convert. Empty text is NULL, except in a
// NotNull column, where '' is a value of its own (e.g. usage_daily.feature = '' for "all features").
template<typename T, typename M>
Column<T> column(const QString &name, M T::*member, int flags = NoFlags)
{
    if constexpr (std::is_same_v<M, QString>) {
        if (flags & NotNull) {
            // A null QString would bind as SQL NULL: hand the driver a non-null empty string instead.
            return { name,
                     [member](const T &record) {
                         const QString &value = record.*member;
                         return QVariant(value.isNull() ? QStringLiteral("") : value);
                     },
                     [member](T &record, const QVariant &value) { Convert::fromSql(value, record.*member); },
                     flags, [member](T &record, const Rows &rows, int i) { rows.read(i, record.*member); } };
        }
    }
    return { name, [member](const T &record) { return Convert::toSql(record.*member); },
             [member](T &record, const QVariant &value) { Convert::fromSql(value, record.*member); }, flags,
             [member](T &record, const Rows &rows, int i) { rows.read(i, record.*member); } };
}

// Specialised once per stored type (see tables.h): the table, its columns and which bookkeeping it has.
//     template<> struct TableTraits<Domain::Customer> {
//         static QString table();                   // "customers"
//         static const QList<Column<Domain::Customer>> &columns(); // key first
//         static constexpr bool versioned = true;   // version column, optimistic concurrency
//         static constexpr bool softDelete = true;  // deleted_at column
//         static constexpr bool hasUpdatedAt = true;
//     };
template<typename T>
struct TableTraits;

} // namespace Storage
