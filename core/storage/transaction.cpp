// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "transaction.h"

#include <QSqlQuery>

#include "sql.h"

namespace Storage {

using namespace Qt::StringLiterals;

namespace {
QString savepointName(int depth)
{
    return u"cs_sp_%1"_s.arg(depth);
}
} // namespace

Transaction::Transaction(const Database &db)
    : m_db(db)
{
    int &depth = m_db.transactionDepth();
    QString statement;
    if (depth == 0) {
        // BEGIN IMMEDIATE takes SQLite's write lock up front: a deferred transaction that later upgrades can
        // fail with SQLITE_BUSY without waiting for busy_timeout.
        statement = m_db.dialect() == Dialect::Sqlite ? u"BEGIN IMMEDIATE"_s : u"BEGIN"_s;
    } else {
        statement = u"SAVEPOINT "_s + savepointName(depth);
    }
    QSqlQuery q(m_db.connection());
    if (!q.exec(statement)) {
        m_beginError = errorFromSql(q.lastError(), u"begin transaction"_s);
        return;
    }
    m_depth = depth;
    ++depth;
    m_active = true;
}

Transaction::~Transaction()
{
    if (m_active)
        rollback();
}

Core::Status Transaction::commit()
{
    if (!m_active)
        return m_beginError.message.isEmpty() ? Core::Error::storage(u"transaction is not active"_s) : m_beginError;
    QSqlQuery q(m_db.connection());
    const QString statement = m_depth == 0 ? u"COMMIT"_s : u"RELEASE SAVEPOINT "_s + savepointName(m_depth);
    if (!q.exec(statement)) {
        const Core::Error error = errorFromSql(q.lastError(), u"commit"_s);
        rollback();
        return error;
    }
    m_active = false;
    --m_db.transactionDepth();
    return {};
}

void Transaction::rollback()
{
    if (!m_active)
        return;
    QSqlQuery q(m_db.connection());
    if (m_depth == 0) {
        q.exec(u"ROLLBACK"_s);
    } else {
        q.exec(u"ROLLBACK TO SAVEPOINT "_s + savepointName(m_depth));
        q.exec(u"RELEASE SAVEPOINT "_s + savepointName(m_depth));
    }
    m_active = false;
    --m_db.transactionDepth();
}

} // namespace Storage
