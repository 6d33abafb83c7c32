// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QSqlQuery>
#include <QStringList>
#include <QVariantList>

#include "database.h"
#include "error.h"

namespace Storage {

// Fast appends of many rows into one table (demo portfolio, CSV import): rows are buffered and written as
// multi-row INSERTs through one prepared statement, so the per-statement cost is paid once per batch.
// The caller owns the transaction; flush() before committing.
class BulkInserter final {
public:
    BulkInserter(const Database &db, const QString &table, const QStringList &columns, int rowsPerStatement = 64);
    Q_DISABLE_COPY_MOVE(BulkInserter)

    // `row` holds one value per column, already in SQL form (see Storage::Convert).
    Core::Status add(const QVariantList &row);
    Core::Status flush();
    qint64 rowsWritten() const { return m_written; }

private:
    Core::Status prepare(QSqlQuery &query, int rows);
    Core::Status execute(QSqlQuery &query, int rows);

    const Database &m_db;
    QString m_table;
    QStringList m_columns;
    int m_rowsPerStatement;
    QVariantList m_pending;
    QSqlQuery m_fullBatch;
    bool m_fullBatchPrepared = false;
    qint64 m_written = 0;
};

} // namespace Storage
