// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringView>
#include <QTime>
#include <QVariant>

#include "error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace Storage {

// The few rules the native SQLite paths (BulkInserter's binding, Rows) share with Qt's QSQLITE driver, so that a
// value bound or read natively is exactly what QSqlQuery would have bound or read. Private to core/storage.

// QSQLiteResult::exec (via QSqlResultPrivate::isVariantNull) binds these as NULL, not only variants without a value:
// a null QString, QByteArray or QUuid, an invalid QDateTime, QDate or QTime.
bool isNullForSql(const QVariant &value);

// Hands `value` to the visitor as the SQLite value QSQLiteResult::exec binds for it (Qt 6): visitor.null(),
// .integer(qint64), .real(double), .text(QStringView) or .blob(const QByteArray &). The text view is valid only
// during the call.
template<typename Visitor> void visitAsSqlite(const QVariant &value, Visitor &&visitor)
{
    if (isNullForSql(value)) {
        visitor.null();
        return;
    }
    switch (value.typeId()) {
    case QMetaType::QByteArray:
        visitor.blob(*static_cast<const QByteArray *>(value.constData()));
        return;
    case QMetaType::Int:
    case QMetaType::Bool:
        visitor.integer(qint64(value.toInt()));
        return;
    case QMetaType::Double:
        visitor.real(value.toDouble());
        return;
    case QMetaType::UInt:
    case QMetaType::LongLong:
        visitor.integer(value.toLongLong());
        return;
    case QMetaType::QDateTime:
        visitor.text(value.toDateTime().toString(Qt::ISODateWithMs));
        return;
    case QMetaType::QTime:
        visitor.text(value.toTime().toString(u"hh:mm:ss.zzz"));
        return;
    case QMetaType::QString:
        visitor.text(*static_cast<const QString *>(value.constData()));
        return;
    default:
        visitor.text(value.toString());
        return;
    }
}

// Binds `value` to parameter `index` (1-based) of `statement` as QSQLiteResult::exec would (see visitAsSqlite); text
// goes in as UTF-8, which SQLite stores and compares, so it is not converted again inside SQLite. SQLite's result code.
int bindAsSqlite(sqlite3_stmt *statement, int index, const QVariant &value);

// The error Qt's driver makes of a failed prepare or step (the same QSqlError texts), through errorFromSql, so a
// constraint names the same field either way.
Core::Error sqliteError(sqlite3 *handle, int code, const QString &context = {});

} // namespace Storage
