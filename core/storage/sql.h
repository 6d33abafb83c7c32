// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <memory>

#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QVariantList>

#include "database.h"
#include "error.h"

namespace Storage {

// Turns a driver error into an Error that names the field where the database tells us which one
// (CHECK / NOT NULL / UNIQUE / FOREIGN KEY violations) so that a constraint caught only by the schema
// still reads like a validation message.
Core::Error errorFromSql(const QSqlError &error, const QString &context = {});

class StatementCache;

// What exec() answers: a forward-only query positioned before its first row, read as a QSqlQuery (the usual
// members are here; pass it where a QSqlQuery is expected). Its statement may come from the connection's cache
// and goes back, reset, when the Query ends — so keep the Query itself for as long as you read it (move it, never
// move the QSqlQuery out of it: that does not compile).
class Query final
{
public:
    Query() = default;
    Query(Query &&other) noexcept;
    Query &operator=(Query &&other) noexcept;
    ~Query();
    Q_DISABLE_COPY(Query)

    bool next() { return m_query.next(); }
    QVariant value(int index) const { return m_query.value(index); }
    QVariant value(const QString &name) const { return m_query.value(name); }
    bool isNull(int field) const { return m_query.isNull(field); }
    bool isNull(const QString &name) const { return m_query.isNull(name); }
    QSqlRecord record() const { return m_query.record(); }
    int numRowsAffected() const { return m_query.numRowsAffected(); }
    QVariant lastInsertId() const { return m_query.lastInsertId(); }
    bool isActive() const { return m_query.isActive(); }
    bool isValid() const { return m_query.isValid(); }
    QSqlError lastError() const { return m_query.lastError(); }
    int at() const { return m_query.at(); }

    operator QSqlQuery &() { return m_query; }
    operator const QSqlQuery &() const { return m_query; }

private:
    friend Core::Result<Query> exec(const Database &db, const QString &sql, const QVariantList &bindings);
    Query(QSqlQuery query, QString sql, std::weak_ptr<StatementCache> cache);
    void giveBack();

    QSqlQuery m_query;
    QString m_sql; // the cache key, when the statement goes back to a cache
    std::weak_ptr<StatementCache> m_cache;
};

// Prepares (or takes from the calling thread's statement cache) and runs `sql` with positional `?` bindings on the
// calling thread's connection.
Core::Result<Query> exec(const Database &db, const QString &sql, const QVariantList &bindings = {});

// Runs a query that answers one integer (SELECT COUNT(*) ...) and returns it. Counting is linear in the rows
// counted, and a list counts its total on every page, so on SQLite the answer is remembered per connection and
// reused while the database is unchanged: no commit by another connection since (PRAGMA data_version) and no row
// changed by this one (sqlite3_total_changes64). Inside a transaction, and on PostgreSQL, it always runs.
Core::Result<qint64> count(const Database &db, const QString &sql, const QVariantList &bindings = {});

// Placeholder-syntax helpers for the few statements that differ between the dialects.
QString nowExpression(Dialect dialect);

} // namespace Storage
