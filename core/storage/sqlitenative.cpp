// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "sqlitenative.h"

#include <sqlite3.h>

#include <QSqlError>
#include <QStringEncoder>
#include <QUuid>
#include <QVarLengthArray>

#include "sql.h"

namespace Storage {

using namespace Qt::StringLiterals;

bool isNullForSql(const QVariant &value)
{
    if (value.isNull())
        return true;
    switch (value.typeId()) {
    case QMetaType::QString:
        return static_cast<const QString *>(value.constData())->isNull();
    case QMetaType::QByteArray:
        return static_cast<const QByteArray *>(value.constData())->isNull();
    case QMetaType::QDateTime:
        return !static_cast<const QDateTime *>(value.constData())->isValid();
    case QMetaType::QDate:
        return !static_cast<const QDate *>(value.constData())->isValid();
    case QMetaType::QTime:
        return !static_cast<const QTime *>(value.constData())->isValid();
    case QMetaType::QUuid:
        return static_cast<const QUuid *>(value.constData())->isNull();
    default:
        return false;
    }
}

namespace {

// Binds one value as QSQLiteResult::exec would (see visitAsSqlite). Text goes in as UTF-8, which SQLite stores and
// compares, so it is not converted again inside SQLite.
struct Bind
{
    sqlite3_stmt *statement;
    int index;
    int rc = SQLITE_OK;

    void null() { rc = sqlite3_bind_null(statement, index); }
    void integer(qint64 v) { rc = sqlite3_bind_int64(statement, index, v); }
    void real(double v) { rc = sqlite3_bind_double(statement, index, v); }
    void text(QStringView v)
    {
        QVarLengthArray<char, 256> utf8(v.size() * 3);
        QStringEncoder encoder(QStringEncoder::Utf8, QStringConverter::Flag::Stateless);
        char *end = encoder.appendToBuffer(utf8.data(), v);
        rc = sqlite3_bind_text(statement, index, utf8.data(), int(end - utf8.data()), SQLITE_TRANSIENT);
    }
    void blob(const QByteArray &v)
    {
        rc = sqlite3_bind_blob(statement, index, v.constData(), int(v.size()), SQLITE_TRANSIENT);
    }
};

} // namespace

int bindAsSqlite(sqlite3_stmt *statement, int index, const QVariant &value)
{
    Bind bind { statement, index };
    visitAsSqlite(value, bind);
    return bind.rc;
}

Core::Error sqliteError(sqlite3 *handle, int code, const QString &context)
{
    const QSqlError error(u"Unable to fetch row"_s, QString::fromUtf8(sqlite3_errmsg(handle)),
        QSqlError::StatementError, QString::number(code));
    return errorFromSql(error, context);
}

} // namespace Storage
