// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <vector>

#include <QByteArray>
#include <QDateTime>
#include <QSqlQuery>
#include <QStringList>
#include <QStringView>
#include <QVariantList>

#include "database.h"
#include "error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace Storage {

// Fast appends of many rows into one table (demo portfolio, CSV import): rows are buffered and written as
// multi-row INSERTs through one prepared statement, so the per-statement cost is paid once per batch.
// The caller owns the transaction; flush() before committing.
//
// Two ways to give a row, which may not be mixed within one row:
//   - add(QVariantList): one value per column, already in SQL form (see Storage::Convert);
//   - typed values, column by column, then endRow(): add(qint64), add(double), add(QStringView), addNull(), ...
//     On SQLite these go straight to sqlite3_bind_* without a QVariant in between.
// On SQLite the statements are prepared once on the connection's sqlite3 handle and bound directly (Qt's driver
// costs a QVariant, a named-placeholder lookup and a UTF-16 string per value); stored values are the same as
// through QSqlQuery (the QVariant rules of Qt's QSQLITE driver are followed). PostgreSQL goes through QSqlQuery.
class BulkInserter final
{
public:
    // `onConflict`, when given, ends every INSERT (an upsert: "ON CONFLICT (key) DO UPDATE SET ..."); one statement
    // must then not hold two rows with the same key.
    BulkInserter(const Database &db, const QString &table, const QStringList &columns, int rowsPerStatement = 64,
        const QString &onConflict = {});
    ~BulkInserter();
    Q_DISABLE_COPY_MOVE(BulkInserter)

    // `row` holds one value per column, already in SQL form (see Storage::Convert).
    Core::Status add(const QVariantList &row);

    // Typed row building: one call per column, in column order, then endRow(). Text is bound as given (an empty
    // view is '', not NULL: call addNull() for NULL). bool is stored as the QVariant(bool) of Convert would be.
    void add(QStringView text);
    void add(qint64 value);
    void add(int value) { add(qint64(value)); }
    void add(double value);
    void add(bool value);
    // Dates and times in Convert's stored form (yyyy-MM-dd; UTC yyyy-MM-ddTHH:mm:ss.zzzZ); invalid ones as NULL.
    void add(QDate date);
    void add(const QDateTime &time);
    void addNull();
    // One value in SQL form, for a column whose type only the caller's QVariant knows.
    void addValue(const QVariant &value);
    // Completes the row; checks the number of values and writes a batch when one is full.
    Core::Status endRow();

    Core::Status flush();
    qint64 rowsWritten() const { return m_written; }
    // Rows per multi-row statement, after the database's bound-parameter limit was applied.
    int rowsPerStatement() const { return m_rowsPerStatement; }
    // Whether rows bypass Qt's driver (SQLite).
    bool isNative() const { return m_sqlite != nullptr; }

private:
    enum class Kind : quint8 { Null, Int, Real, Text, Blob };
    struct Value
    {
        Kind kind = Kind::Null;
        qint64 integer = 0; // Int; for Text and Blob the offset into m_arena
        double real = 0;
        int size = 0; // Text and Blob: bytes
    };

    Core::Status prepare(QSqlQuery &query, int rows);
    Core::Status execute(QSqlQuery &query, int rows);
    QString insertSql(int rows) const;

    Core::Status prepareNative(sqlite3_stmt *&statement, int rows);
    Core::Status executeNative(sqlite3_stmt *statement, int firstRow, int rows);
    Core::Error nativeError(int code) const;
    void appendText(QStringView text);
    void appendBlob(const QByteArray &bytes);
    qsizetype pendingValues() const { return m_sqlite ? qsizetype(m_values.size()) : m_pending.size(); }
    Core::Status writeFullBatch();

    const Database &m_db;
    QString m_table;
    QStringList m_columns;
    QString m_onConflict;
    int m_rowsPerStatement;
    qsizetype m_rowStart = 0; // index of the first value of the row being built

    // PostgreSQL (and any driver without a sqlite3 handle): QVariants through QSqlQuery.
    QVariantList m_pending;
    QSqlQuery m_fullBatch;
    bool m_fullBatchPrepared = false;

    // SQLite: values and their text bytes (UTF-8) until the batch is bound; statements prepared once.
    sqlite3 *m_sqlite = nullptr;
    std::vector<Value> m_values;
    QByteArray m_arena;
    sqlite3_stmt *m_fullStatement = nullptr;
    sqlite3_stmt *m_rowStatement = nullptr;

    qint64 m_written = 0;
};

} // namespace Storage
