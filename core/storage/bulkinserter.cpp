// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "bulkinserter.h"

#include <algorithm>

#include "sql.h"

namespace Storage {

using namespace Qt::StringLiterals;

BulkInserter::BulkInserter(const Database &db, const QString &table, const QStringList &columns,
                           int rowsPerStatement)
    : m_db(db)
    , m_table(table)
    , m_columns(columns)
    // SQLite allows 32766 bound variables per statement; stay well below.
    , m_rowsPerStatement(std::clamp(rowsPerStatement, 1, int(30000 / std::max<qsizetype>(1, columns.size()))))
    , m_fullBatch(db.connection())
{
    m_pending.reserve(m_rowsPerStatement * m_columns.size());
}

Core::Status BulkInserter::prepare(QSqlQuery &query, int rows)
{
    const QString one = u"("_s + QStringList(m_columns.size(), u"?"_s).join(u", "_s) + u")"_s;
    const QString sql = u"INSERT INTO %1 (%2) VALUES %3"_s.arg(m_table, m_columns.join(u", "_s),
                                                               QStringList(rows, one).join(u", "_s));
    if (!query.prepare(sql))
        return errorFromSql(query.lastError(), m_table);
    return {};
}

Core::Status BulkInserter::execute(QSqlQuery &query, int rows)
{
    const qsizetype n = qsizetype(rows) * m_columns.size();
    for (qsizetype i = 0; i < n; ++i)
        query.bindValue(int(i), m_pending.at(i));
    if (!query.exec())
        return errorFromSql(query.lastError(), m_table);
    m_written += rows;
    return {};
}

Core::Status BulkInserter::add(const QVariantList &row)
{
    if (row.size() != m_columns.size())
        return Core::Error::invalid(m_table, u"expected %1 values, got %2"_s.arg(m_columns.size()).arg(row.size()));
    m_pending << row;
    if (m_pending.size() < qsizetype(m_rowsPerStatement) * m_columns.size())
        return {};
    if (!m_fullBatchPrepared) {
        if (auto ok = prepare(m_fullBatch, m_rowsPerStatement); !ok)
            return ok;
        m_fullBatchPrepared = true;
    }
    auto ok = execute(m_fullBatch, m_rowsPerStatement);
    m_pending.clear();
    return ok;
}

Core::Status BulkInserter::flush()
{
    if (m_pending.isEmpty())
        return {};
    const int rows = int(m_pending.size() / m_columns.size());
    QSqlQuery tail(m_db.connection());
    if (auto ok = prepare(tail, rows); !ok)
        return ok;
    auto ok = execute(tail, rows);
    m_pending.clear();
    return ok;
}

} // namespace Storage
