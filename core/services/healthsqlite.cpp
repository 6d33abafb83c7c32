// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "healthsqlite.h"

#include <sqlite3.h>

#include <QDate>
#include <QDateTime>

#include "database.h"
#include "sqlitehandle.h"
#include "sqlitenative.h"

namespace Core::HealthSqlite {

using namespace Qt::StringLiterals;

sqlite3 *handle(const Storage::Database &db)
{
    if (db.dialect() != Storage::Dialect::Sqlite)
        return nullptr;
    return Storage::sqliteHandle(db.connection());
}

bool canReadInParallel(const Storage::Database &db)
{
    sqlite3 *h = handle(db);
    if (!h || sqlite3_get_autocommit(h) == 0)
        return false;
    const char *file = sqlite3_db_filename(h, "main");
    return file && *file;
}

Statement::Statement(sqlite3 *db, const QString &sql, const QVariantList &bindings)
    : m_db(db)
{
    const QByteArray text = sql.toUtf8();
    if (const int rc = sqlite3_prepare_v3(db, text.constData(), int(text.size()), 0, &m_statement, nullptr);
        rc != SQLITE_OK) {
        m_status = error(rc, u"preparing"_s);
        return;
    }
    // Bound as QSqlQuery binds them (Storage's rules for the native paths), so a query returns what it returned there.
    for (int i = 0; i < bindings.size(); ++i) {
        if (const int rc = Storage::bindAsSqlite(m_statement, i + 1, bindings.at(i)); rc != SQLITE_OK) {
            m_status = error(rc, u"binding"_s);
            return;
        }
    }
}

Statement::~Statement()
{
    sqlite3_finalize(m_statement);
}

bool Statement::next()
{
    if (!m_status || !m_statement)
        return false;
    const int rc = sqlite3_step(m_statement);
    if (rc == SQLITE_ROW)
        return true;
    if (rc != SQLITE_DONE)
        m_status = error(rc, u"reading"_s);
    return false;
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

qint64 Statement::integer(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}

double Statement::real(int column) const
{
    return sqlite3_column_double(m_statement, column);
}

QByteArrayView Statement::utf8(int column) const
{
    const auto *bytes = sqlite3_column_text(m_statement, column);
    const int size = sqlite3_column_bytes(m_statement, column);
    return { reinterpret_cast<const char *>(bytes), qsizetype(size) };
}

int Statement::type(int column) const
{
    return sqlite3_column_type(m_statement, column);
}

int Statement::columnCount() const
{
    return sqlite3_column_count(m_statement);
}

Error Statement::error(int code, const QString &what) const
{
    return Error::storage(u"%1 a health query failed: %2 (%3)"_s.arg(
        what, QString::fromUtf8(sqlite3_errmsg(m_db)), QString::fromUtf8(sqlite3_errstr(code))));
}

} // namespace Core::HealthSqlite
