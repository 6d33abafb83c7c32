// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QByteArrayView>
#include <QString>
#include <QVariantList>

#include "error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace Storage {
class Database;
}

namespace Core::HealthSqlite {

// Private to the health recompute: reads its large result sets straight from the calling thread's SQLite
// connection. Qt's QSQLITE driver turns every text column into UTF-16 (sqlite3_column_text16) and every value
// into a QVariant; over the ~1 M rows a portfolio recompute reads that was a third of its read time.
// PostgreSQL (and any connection without a sqlite3 handle) keeps the QSqlQuery path.

// The sqlite3 handle of the calling thread's connection, nullptr when the database is not SQLite.
sqlite3 *handle(const Storage::Database &db);

// Whether a second connection of the calling thread's database sees what this one sees: an SQLite file (not an
// in-memory or temporary database) and no transaction open on this thread's connection.
bool canReadInParallel(const Storage::Database &db);

// One prepared statement, finalized on destruction. Values are bound as QSQLITE would bind the same QVariants
// (text as text, integers and bools as integers, doubles as reals, null as NULL), so a query returns what it
// returned through QSqlQuery.
class Statement final
{
public:
    Statement(sqlite3 *db, const QString &sql, const QVariantList &bindings);
    ~Statement();
    Q_DISABLE_COPY_MOVE(Statement)

    // Why preparing or binding failed (ok when it did not).
    const Status &status() const { return m_status; }
    // Advances to the next row: true on a row, false at the end or on an error (see status()).
    bool next();

    bool isNull(int column) const;
    qint64 integer(int column) const;
    double real(int column) const;
    // The column's text as UTF-8, valid until the next call of next().
    QByteArrayView utf8(int column) const;
    QString text(int column) const { return QString::fromUtf8(utf8(column)); }
    // The column's storage class (SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB, SQLITE_NULL).
    int type(int column) const;
    int columnCount() const;

private:
    Error error(int code, const QString &what) const;

    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_statement = nullptr;
    Status m_status;
};

} // namespace Core::HealthSqlite
