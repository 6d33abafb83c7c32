// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "bulkinserter.h"

#include <algorithm>

#include <sqlite3.h>

#include <QDateTime>
#include <QSqlDriver>
#include <QSqlError>
#include <QStringEncoder>

#include "columns.h"
#include "isodate.h"
#include "sql.h"
#include "sqlitehandle.h"
#include "sqlitenative.h"

namespace Storage {

using namespace Qt::StringLiterals;

namespace {

// Statements stay well below PostgreSQL's 65535 parameters per statement (and any old SQLite's 999 is checked
// at run time on the native path).
constexpr int kQtPathParameterLimit = 30000;

} // namespace

BulkInserter::BulkInserter(const Database &db, const QString &table, const QStringList &columns, int rowsPerStatement,
    const QString &onConflict)
    : m_db(db)
    , m_table(table)
    , m_columns(columns)
    , m_onConflict(onConflict)
    , m_rowsPerStatement(1)
    , m_fullBatch(db.connection())
{
    const int columnCount = int(std::max<qsizetype>(1, columns.size()));
    int parameterLimit = kQtPathParameterLimit;
    if (db.dialect() == Dialect::Sqlite) {
        m_sqlite = sqliteHandle(db.connection());
        // SQLITE_LIMIT_VARIABLE_NUMBER is a build option (999 before 3.32, 32766 since, distributions differ).
        if (m_sqlite)
            parameterLimit = sqlite3_limit(m_sqlite, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
    }
    m_rowsPerStatement = std::clamp(rowsPerStatement, 1, std::max(1, parameterLimit / columnCount));
    if (m_sqlite)
        m_values.reserve(std::size_t(m_rowsPerStatement) * std::size_t(columnCount));
    else
        m_pending.reserve(qsizetype(m_rowsPerStatement) * columnCount);
}

BulkInserter::~BulkInserter()
{
    sqlite3_finalize(m_fullStatement);
    sqlite3_finalize(m_rowStatement);
}

QString BulkInserter::insertSql(int rows) const
{
    const QString one = u"("_s + QStringList(m_columns.size(), u"?"_s).join(u", "_s) + u")"_s;
    QString sql = u"INSERT INTO %1 (%2) VALUES %3"_s.arg(
        m_table, m_columns.join(u", "_s), QStringList(rows, one).join(u", "_s));
    if (!m_onConflict.isEmpty())
        sql += u' ' + m_onConflict;
    return sql;
}

// ---- the QSqlQuery path ------------------------------------------------------------------------------------------

Core::Status BulkInserter::prepare(QSqlQuery &query, int rows)
{
    if (!query.prepare(insertSql(rows)))
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

// ---- the native SQLite path --------------------------------------------------------------------------------------

Core::Error BulkInserter::nativeError(int code) const
{
    return sqliteError(m_sqlite, code, m_table);
}

Core::Status BulkInserter::prepareNative(sqlite3_stmt *&statement, int rows)
{
    if (statement)
        return {};
    const QByteArray sql = insertSql(rows).toUtf8();
    // Prepared once per inserter and stepped many times: PERSISTENT keeps it out of SQLite's lookaside memory.
    const int rc = sqlite3_prepare_v3(
        m_sqlite, sql.constData(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (rc != SQLITE_OK) {
        const Core::Error error = nativeError(rc);
        sqlite3_finalize(statement);
        statement = nullptr;
        return error;
    }
    return {};
}

// Binds `rows` rows starting with row `firstRow` of the pending values and steps once.
Core::Status BulkInserter::executeNative(sqlite3_stmt *statement, int firstRow, int rows)
{
    const qsizetype columns = m_columns.size();
    const Value *values = m_values.data() + qsizetype(firstRow) * columns;
    const int n = int(qsizetype(rows) * columns);
    const char *arena = m_arena.constData();
    for (int i = 0; i < n; ++i) {
        const Value &v = values[i];
        int rc = SQLITE_OK;
        switch (v.kind) {
        case Kind::Null:
            rc = sqlite3_bind_null(statement, i + 1);
            break;
        case Kind::Int:
            rc = sqlite3_bind_int64(statement, i + 1, v.integer);
            break;
        case Kind::Real:
            rc = sqlite3_bind_double(statement, i + 1, v.real);
            break;
        case Kind::Text:
            // STATIC: the arena outlives the step; the bindings are cleared before it changes.
            rc = sqlite3_bind_text(statement, i + 1, arena + v.integer, v.size, SQLITE_STATIC);
            break;
        case Kind::Blob:
            rc = sqlite3_bind_blob(statement, i + 1, arena + v.integer, v.size, SQLITE_STATIC);
            break;
        }
        if (rc != SQLITE_OK) {
            const Core::Error error = nativeError(rc);
            sqlite3_clear_bindings(statement);
            return error;
        }
    }
    const int rc = sqlite3_step(statement);
    // The error message belongs to the step; reset() would return the same code and keep it.
    const Core::Status result = rc == SQLITE_DONE ? Core::Status {} : Core::Status(nativeError(rc));
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    if (result)
        m_written += rows;
    return result;
}

void BulkInserter::appendText(QStringView text)
{
    // UTF-8 straight into the arena: SQLite stores UTF-8, so text bound as UTF-16 would be converted again (and
    // allocated) per value inside SQLite.
    const qsizetype offset = m_arena.size();
    m_arena.resize(offset + text.size() * 3);
    char *begin = m_arena.data() + offset;
    QStringEncoder encoder(QStringEncoder::Utf8, QStringConverter::Flag::Stateless);
    char *end = encoder.appendToBuffer(begin, text);
    m_arena.resize(offset + (end - begin));
    Value v;
    v.kind = Kind::Text;
    v.integer = offset;
    v.size = int(end - begin);
    m_values.push_back(v);
}

void BulkInserter::appendBlob(const QByteArray &bytes)
{
    Value v;
    v.kind = Kind::Blob;
    v.integer = m_arena.size();
    v.size = int(bytes.size());
    m_arena.append(bytes);
    m_values.push_back(v);
}

// ---- adding rows -------------------------------------------------------------------------------------------------

void BulkInserter::add(QStringView text)
{
    if (!m_sqlite) {
        QString value = text.toString();
        if (value.isNull())
            value = QString(qsizetype(0), QChar()); // '' and not NULL, as on SQLite
        m_pending.append(QVariant(value));
        return;
    }
    appendText(text);
}

void BulkInserter::add(qint64 value)
{
    if (m_sqlite)
        m_values.push_back(Value { Kind::Int, value, 0, 0 });
    else
        m_pending.append(QVariant(value));
}

void BulkInserter::add(double value)
{
    if (m_sqlite)
        m_values.push_back(Value { Kind::Real, 0, value, 0 });
    else
        m_pending.append(QVariant(value));
}

void BulkInserter::add(bool value)
{
    if (m_sqlite)
        add(qint64(value ? 1 : 0)); // QSQLITE binds a bool with sqlite3_bind_int
    else
        m_pending.append(QVariant(value));
}

void BulkInserter::add(QDate date)
{
    char16_t text[10];
    if (!m_sqlite || !Domain::writeIsoDate(text, date)) {
        addValue(Convert::toSql(date));
        return;
    }
    appendText(QStringView(text, 10));
}

void BulkInserter::add(const QDateTime &time)
{
    // Convert::toSql(QDateTime) is toUTC().toString(Qt::ISODateWithMs); the same text without a QString.
    char16_t text[24];
    if (!m_sqlite || !Domain::writeIsoDateTime(text, time)) {
        addValue(Convert::toSql(time));
        return;
    }
    appendText(QStringView(text, 24));
}

void BulkInserter::addNull()
{
    if (!m_sqlite) {
        m_pending.append(QVariant(QMetaType::fromType<QString>()));
        return;
    }
    m_values.push_back(Value {});
}

void BulkInserter::addValue(const QVariant &value)
{
    if (!m_sqlite) {
        m_pending.append(value);
        return;
    }
    // The type rules of QSQLiteResult::exec (Qt 6), so a value stores the same either way.
    struct Append
    {
        BulkInserter &self;
        void null() { self.addNull(); }
        void integer(qint64 v) { self.add(v); }
        void real(double v) { self.add(v); }
        void text(QStringView v) { self.appendText(v); }
        void blob(const QByteArray &v) { self.appendBlob(v); }
    };
    visitAsSqlite(value, Append { *this });
}

Core::Status BulkInserter::endRow()
{
    const qsizetype given = pendingValues() - m_rowStart;
    if (given != m_columns.size()) {
        if (m_sqlite)
            m_values.resize(std::size_t(m_rowStart)); // the arena keeps the dropped bytes until the batch ends
        else
            m_pending.resize(m_rowStart);
        return Core::Error::invalid(m_table, u"expected %1 values, got %2"_s.arg(m_columns.size()).arg(given));
    }
    if (pendingValues() < qsizetype(m_rowsPerStatement) * m_columns.size()) {
        m_rowStart = pendingValues();
        return {};
    }
    return writeFullBatch();
}

Core::Status BulkInserter::add(const QVariantList &row)
{
    if (row.size() != m_columns.size())
        return Core::Error::invalid(m_table, u"expected %1 values, got %2"_s.arg(m_columns.size()).arg(row.size()));
    if (m_sqlite) {
        for (const QVariant &value : row)
            addValue(value);
    } else {
        m_pending << row;
    }
    return endRow();
}

Core::Status BulkInserter::writeFullBatch()
{
    Core::Status ok;
    if (m_sqlite) {
        ok = prepareNative(m_fullStatement, m_rowsPerStatement);
        if (ok)
            ok = executeNative(m_fullStatement, 0, m_rowsPerStatement);
        m_values.clear();
        m_arena.resize(0);
    } else {
        if (!m_fullBatchPrepared) {
            ok = prepare(m_fullBatch, m_rowsPerStatement);
            m_fullBatchPrepared = bool(ok);
        }
        if (ok)
            ok = execute(m_fullBatch, m_rowsPerStatement);
        m_pending.clear();
    }
    m_rowStart = 0;
    return ok;
}

Core::Status BulkInserter::flush()
{
    const qsizetype columns = std::max<qsizetype>(1, m_columns.size());
    const int rows = int(m_rowStart / columns); // complete rows; a row without endRow() is not written
    Core::Status ok;
    if (rows > 0 && m_sqlite) {
        ok = prepareNative(m_rowStatement, 1);
        for (int r = 0; ok && r < rows; ++r)
            ok = executeNative(m_rowStatement, r, 1);
    } else if (rows > 0) {
        QSqlQuery tail(m_db.connection());
        ok = prepare(tail, rows);
        if (ok)
            ok = execute(tail, rows);
    }
    m_values.clear();
    m_arena.resize(0);
    m_pending.clear();
    m_rowStart = 0;
    return ok;
}

} // namespace Storage
