// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "sql.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QSqlDriver>

#include <sqlite3.h>

#include "rows.h"
#include "sqlitehandle.h"
#include "statementcache.h"

namespace Storage {

using namespace Qt::StringLiterals;

Core::Error errorFromSql(const QSqlError &error, const QString &context)
{
    const QString native = error.nativeErrorCode();
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    const QString prefix = context.isEmpty() ? QString() : context + u": "_s;

    // SQLite: "CHECK constraint failed: arr >= 0", "NOT NULL constraint failed: customers.name",
    // "UNIQUE constraint failed: contacts.customer_id, contacts.email", "FOREIGN KEY constraint failed".
    // PostgreSQL (SQLSTATE class 23): 23514 check, 23502 not null, 23505 unique, 23503 foreign key.
    static const QRegularExpression sqliteColumn(u"constraint failed: (?:\\w+\\.)?(\\w+)"_s);
    // PostgreSQL names column checks <table>_<column>_check and table checks <table>_check (or <table>_checkN).
    static const QRegularExpression pgCheck(u"relation \"(\\w+)\" violates check constraint \"(\\w+)\""_s);
    static const QRegularExpression pgNotNull(u"column \"(\\w+)\""_s);
    static const QRegularExpression pgKey(u"Key \\((.*)\\)=\\("_s);
    // SQLite names an expression index instead of columns: "UNIQUE constraint failed: index 'ux_playbooks_name'".
    static const QRegularExpression sqliteIndex(u"UNIQUE constraint failed: index '(\\w+)'"_s);
    static const QRegularExpression sqliteColumns(u"UNIQUE constraint failed: ([\\w., ]+)"_s);
    // The field of a multi-column key is its last column (customer_id, email → email) on both dialects, and
    // an expression such as lower(name) names its column.
    const auto lastColumn = [](const QString &list) {
        QString last = list.split(u',').last().trimmed();
        static const QRegularExpression call(u"^\\w+\\((\\w+)(?:::\\w+)?\\)$"_s);
        if (auto m = call.match(last); m.hasMatch())
            last = m.captured(1);
        return last.section(u'.', -1);
    };

    QString field;
    Core::ErrorCode code = Core::ErrorCode::Storage;
    QString message;
    const bool isCheck = text.contains(u"CHECK constraint failed"_s) || native == u"23514"_s;
    const bool isNotNull = text.contains(u"NOT NULL constraint failed"_s) || native == u"23502"_s;
    const bool isUnique = text.contains(u"UNIQUE constraint failed"_s) || native == u"23505"_s;
    const bool isForeignKey = text.contains(u"FOREIGN KEY constraint failed"_s) || native == u"23503"_s;
    if (isCheck || isNotNull || isUnique || isForeignKey) {
        if (auto m = sqliteIndex.match(text); m.hasMatch())
            field = m.captured(1).section(u'_', -1); // our indexes are named ux_<table>_<column>
        else if (auto m = sqliteColumns.match(text); isUnique && m.hasMatch())
            field = lastColumn(m.captured(1));
        else if (auto m = sqliteColumn.match(text); m.hasMatch())
            field = m.captured(1);
        else if (auto m = pgCheck.match(text); m.hasMatch()) {
            const QString table = m.captured(1) + u'_';
            QString constraint = m.captured(2);
            if (constraint.startsWith(table) && constraint.endsWith(u"_check"_s)) {
                constraint = constraint.mid(table.size());
                constraint.chop(6);
                field = constraint; // empty for a table-level check: no single field is at fault
            }
        } else if (auto m = pgKey.match(error.text()); m.hasMatch())
            field = lastColumn(m.captured(1));
        else if (auto m = pgNotNull.match(text); m.hasMatch())
            field = m.captured(1);
        if (isCheck) {
            code = Core::ErrorCode::InvalidArgument;
            message = u"is out of range or not an allowed value"_s;
        } else if (isNotNull) {
            code = Core::ErrorCode::InvalidArgument;
            message = u"is required"_s;
        } else if (isUnique) {
            code = Core::ErrorCode::AlreadyExists;
            message = u"is already taken"_s;
        } else {
            code = Core::ErrorCode::InvalidArgument;
            message = u"refers to a record that does not exist (or is still referenced)"_s;
        }
        return { code, field, prefix + message };
    }
    return Core::Error::storage(prefix + text);
}

Query::Query(QSqlQuery query, QString sql, std::weak_ptr<StatementCache> cache)
    : m_query(std::move(query))
    , m_sql(std::move(sql))
    , m_cache(std::move(cache))
{ }

Query::Query(Query &&other) noexcept
    : m_query(std::move(other.m_query))
    , m_sql(std::move(other.m_sql))
    , m_cache(std::exchange(other.m_cache, {}))
{ }

Query &Query::operator=(Query &&other) noexcept
{
    if (this != &other) {
        giveBack();
        m_query = std::move(other.m_query);
        m_sql = std::move(other.m_sql);
        m_cache = std::exchange(other.m_cache, {});
    }
    return *this;
}

Query::~Query()
{
    giveBack();
}

void Query::giveBack()
{
    if (auto cache = m_cache.lock())
        cache->giveBack(m_sql, std::move(m_query));
    m_cache.reset();
}

namespace {

// Statements worth keeping: the ones a program runs again and again. DDL and transaction control run directly
// (QPSQL prepares with PREPARE ... AS, which PostgreSQL accepts only for SELECT/INSERT/UPDATE/DELETE/VALUES).
bool isReusable(const QString &sql)
{
    const QStringView head = QStringView(sql).left(8).trimmed();
    return head.startsWith(u"SELECT", Qt::CaseInsensitive) || head.startsWith(u"INSERT", Qt::CaseInsensitive)
        || head.startsWith(u"UPDATE", Qt::CaseInsensitive) || head.startsWith(u"DELETE", Qt::CaseInsensitive)
        || head.startsWith(u"WITH", Qt::CaseInsensitive);
}

} // namespace

Core::Result<Query> exec(const Database &db, const QString &sql, const QVariantList &bindings)
{
    if (!isReusable(sql)) {
        QSqlQuery query(db.connection());
        query.setForwardOnly(true);
        if (bindings.isEmpty() ? !query.exec(sql) : !query.prepare(sql))
            return errorFromSql(query.lastError());
        if (!bindings.isEmpty()) {
            for (qsizetype i = 0; i < bindings.size(); ++i)
                query.bindValue(int(i), bindings.at(i));
            if (!query.exec())
                return errorFromSql(query.lastError());
        }
        return Query(std::move(query), {}, {});
    }
    const std::shared_ptr<StatementCache> cache = db.statementCache();
    std::optional<QSqlQuery> cached = cache ? cache->take(sql) : std::nullopt;
    QSqlQuery query = cached ? std::move(*cached) : QSqlQuery(db.connection());
    if (!cached) {
        query.setForwardOnly(true);
        if (!query.prepare(sql))
            return errorFromSql(query.lastError());
    }
    for (qsizetype i = 0; i < bindings.size(); ++i)
        query.bindValue(int(i), bindings.at(i));
    if (!query.exec()) {
        // A failed statement is not kept: it goes when `query` does.
        return errorFromSql(query.lastError());
    }
    return Query(std::move(query), sql, cache);
}

sqlite3 *sqliteHandle(const QSqlDatabase &connection)
{
    if (!connection.driver())
        return nullptr;
    // Documented in QSqlDriver::handle(): the QSQLITE driver hands out its sqlite3 * under this type name.
    const QVariant handle = connection.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.constData());
}

namespace {

// The memo key of a count: the SQL and every binding with its type, written so that distinct values stay distinct
// (doubles at full precision, date-times with milliseconds). Nothing when a binding has no exact text form.
std::optional<QString> countKey(const QString &sql, const QVariantList &bindings)
{
    QString key = sql;
    for (const QVariant &value : bindings) {
        key += u'\x1f' + QString::number(value.typeId()) + u':';
        if (value.isNull())
            continue;
        switch (value.typeId()) {
        case QMetaType::Double:
            key += QString::number(value.toDouble(), 'g', 17);
            break;
        case QMetaType::QDateTime:
            key += value.toDateTime().toString(Qt::ISODateWithMs);
            break;
        case QMetaType::QString:
        case QMetaType::QDate:
        case QMetaType::Int:
        case QMetaType::UInt:
        case QMetaType::LongLong:
        case QMetaType::ULongLong:
        case QMetaType::Bool:
            key += value.toString();
            break;
        default:
            return std::nullopt;
        }
    }
    return key;
}

} // namespace

Core::Result<qint64> count(const Database &db, const QString &sql, const QVariantList &bindings)
{
    const auto run = [&]() -> Core::Result<qint64> {
        auto rows = select(db, sql, bindings);
        if (!rows)
            return rows.error();
        qint64 counted = 0;
        if (rows->next())
            rows->read(0, counted);
        else if (rows->error())
            return *rows->error();
        return counted;
    };
    if (db.dialect() != Dialect::Sqlite)
        return run();
    sqlite3 *handle = sqliteHandle(db.connection());
    const std::shared_ptr<StatementCache> cache = db.statementCache();
    const std::optional<QString> key = countKey(sql, bindings);
    // Inside a transaction our own uncommitted rows count, and a rollback would not move either version.
    if (!handle || !cache || !key || !sqlite3_get_autocommit(handle))
        return run();
    const auto version = [&]() -> std::optional<StatementCache::DataVersion> {
        auto rows = select(db, u"PRAGMA data_version"_s);
        if (!rows || !rows->next())
            return std::nullopt;
        qint64 dataVersion = 0;
        rows->read(0, dataVersion);
        return StatementCache::DataVersion { dataVersion, sqlite3_total_changes64(handle) };
    };
    const std::optional<StatementCache::DataVersion> before = version();
    if (!before)
        return run();
    if (const std::optional<qint64> remembered = cache->rememberedCount(*key, *before))
        return *remembered;
    auto counted = run();
    // Kept only when nothing committed while we counted (the count's own read may have seen a newer state).
    if (counted) {
        if (const std::optional<StatementCache::DataVersion> after = version(); after && *after == *before)
            cache->rememberCount(*key, *before, *counted);
    }
    return counted;
}

QString nowExpression(Dialect dialect)
{
    return dialect == Dialect::Sqlite ? u"strftime('%Y-%m-%dT%H:%M:%fZ','now')"_s : u"CURRENT_TIMESTAMP"_s;
}

} // namespace Storage
