// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "rows.h"

#include <sqlite3.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>

#include "columns.h"
#include "isodate.h"
#include "sqlitehandle.h"
#include "sqlitenative.h"
#include "statementcache.h"

namespace Storage {

using namespace Qt::StringLiterals;

Rows::Rows(sqlite3 *handle, sqlite3_stmt *statement, QString sql, std::weak_ptr<StatementCache> cache)
    : m_handle(handle)
    , m_statement(statement)
    , m_sql(std::move(sql))
    , m_cache(std::move(cache))
{ }

Rows::Rows(Query query)
    : m_query(std::move(query))
{ }

Rows::Rows(Rows &&other) noexcept
    : m_handle(std::exchange(other.m_handle, nullptr))
    , m_statement(std::exchange(other.m_statement, nullptr))
    , m_sql(std::move(other.m_sql))
    , m_cache(std::exchange(other.m_cache, {}))
    , m_query(std::move(other.m_query))
    , m_error(std::move(other.m_error))
{
    other.m_query.reset();
}

Rows &Rows::operator=(Rows &&other) noexcept
{
    if (this != &other) {
        giveBack();
        m_handle = std::exchange(other.m_handle, nullptr);
        m_statement = std::exchange(other.m_statement, nullptr);
        m_sql = std::move(other.m_sql);
        m_cache = std::exchange(other.m_cache, {});
        m_query = std::move(other.m_query);
        other.m_query.reset();
        m_error = std::move(other.m_error);
    }
    return *this;
}

Rows::~Rows()
{
    giveBack();
}

void Rows::giveBack()
{
    // A cache that is gone finalised the statement with the connection: it must not be touched.
    if (m_statement) {
        if (auto cache = m_cache.lock())
            cache->giveBackNative(m_sql, m_statement);
    }
    m_statement = nullptr;
    m_cache.reset();
}

bool Rows::next()
{
    if (m_query)
        return m_query->next();
    if (!m_statement || m_error)
        return false;
    const int rc = sqlite3_step(m_statement);
    if (rc == SQLITE_ROW)
        return true;
    if (rc != SQLITE_DONE)
        m_error = sqliteError(m_handle, rc);
    // Done (or failed): reset now, so the read ends here and not when the Rows goes.
    sqlite3_reset(m_statement);
    return false;
}

int Rows::nativeType(int column) const
{
    return sqlite3_column_type(m_statement, column);
}

bool Rows::isNull(int column) const
{
    if (m_query)
        return m_query->isNull(column);
    return nativeType(column) == SQLITE_NULL;
}

namespace {

QString utf8Text(sqlite3_stmt *statement, int column)
{
    const auto *bytes = reinterpret_cast<const char *>(sqlite3_column_text(statement, column));
    return QString::fromUtf8(bytes, sqlite3_column_bytes(statement, column));
}

QByteArray utf8Bytes(sqlite3_stmt *statement, int column)
{
    const auto *bytes = reinterpret_cast<const char *>(sqlite3_column_text(statement, column));
    return QByteArray(bytes, sqlite3_column_bytes(statement, column));
}

} // namespace

QVariant Rows::value(int column) const
{
    if (m_query)
        return m_query->value(column);
    // QSQLiteResultPrivate::fetchNext (Qt 6, default numerical precision policy).
    switch (nativeType(column)) {
    case SQLITE_INTEGER:
        return QVariant(qint64(sqlite3_column_int64(m_statement, column)));
    case SQLITE_FLOAT:
        return QVariant(sqlite3_column_double(m_statement, column));
    case SQLITE_NULL:
        return QVariant(QMetaType::fromType<QString>());
    case SQLITE_BLOB: {
        const auto *bytes = static_cast<const char *>(sqlite3_column_blob(m_statement, column));
        return QVariant(QByteArray(bytes, sqlite3_column_bytes(m_statement, column)));
    }
    default:
        return QVariant(utf8Text(m_statement, column));
    }
}

QString Rows::text(int column) const
{
    if (!m_query) {
        switch (nativeType(column)) {
        case SQLITE_NULL:
            return QString();
        case SQLITE_TEXT:
            return utf8Text(m_statement, column);
        default:
            break;
        }
    }
    return value(column).toString();
}

qsizetype Rows::shortAscii(int column, char16_t *buffer) const
{
    if (m_query || nativeType(column) != SQLITE_TEXT)
        return -1;
    const auto *bytes = sqlite3_column_text(m_statement, column);
    const int size = sqlite3_column_bytes(m_statement, column);
    if (size > kShortText)
        return -1;
    for (int i = 0; i < size; ++i) {
        if (bytes[i] >= 0x80)
            return -1;
        buffer[i] = char16_t(bytes[i]);
    }
    return size;
}

void Rows::read(int column, QString &out) const
{
    out = text(column);
}

void Rows::read(int column, int &out) const
{
    if (!m_query) {
        const int type = nativeType(column);
        if (type == SQLITE_NULL) {
            out = 0;
            return;
        }
        if (type == SQLITE_INTEGER) {
            const qint64 v = sqlite3_column_int64(m_statement, column);
            if (v >= std::numeric_limits<int>::min() && v <= std::numeric_limits<int>::max()) {
                out = int(v);
                return;
            }
        }
    }
    Convert::fromSql(value(column), out);
}

void Rows::read(int column, qint64 &out) const
{
    if (!m_query) {
        const int type = nativeType(column);
        if (type == SQLITE_NULL || type == SQLITE_INTEGER) {
            out = sqlite3_column_int64(m_statement, column); // 0 for NULL
            return;
        }
    }
    Convert::fromSql(value(column), out);
}

void Rows::read(int column, double &out) const
{
    if (!m_query) {
        const int type = nativeType(column);
        if (type == SQLITE_NULL || type == SQLITE_FLOAT || type == SQLITE_INTEGER) {
            out = sqlite3_column_double(m_statement, column); // 0.0 for NULL, the integer's double otherwise
            return;
        }
    }
    Convert::fromSql(value(column), out);
}

void Rows::read(int column, bool &out) const
{
    if (!m_query) {
        const int type = nativeType(column);
        if (type == SQLITE_NULL) {
            out = false; // a NULL reads as a null string, which is not "t", "true" or "1"
            return;
        }
        if (type == SQLITE_INTEGER) {
            out = sqlite3_column_int64(m_statement, column) != 0;
            return;
        }
    }
    Convert::fromSql(value(column), out);
}

namespace {

template<typename V> void readOptional(const Rows &rows, int column, std::optional<V> &out)
{
    if (rows.isNull(column)) {
        out = std::nullopt;
        return;
    }
    V v {};
    rows.read(column, v);
    out = v;
}

} // namespace

void Rows::read(int column, std::optional<int> &out) const
{
    readOptional(*this, column, out);
}

void Rows::read(int column, std::optional<qint64> &out) const
{
    readOptional(*this, column, out);
}

void Rows::read(int column, std::optional<double> &out) const
{
    readOptional(*this, column, out);
}

void Rows::read(int column, QDate &out) const
{
    if (m_query || nativeType(column) != SQLITE_TEXT) {
        Convert::fromSql(value(column), out);
        return;
    }
    withText(column, [&out](QStringView text) { out = Domain::fromIsoDate(text.left(10)); });
}

void Rows::read(int column, QDateTime &out) const
{
    if (m_query || nativeType(column) != SQLITE_TEXT) {
        Convert::fromSql(value(column), out);
        return;
    }
    withText(column, [&out](QStringView text) {
        out = Domain::fromIsoDateTime(text);
        if (out.isValid() && out.timeSpec() == Qt::LocalTime)
            out.setTimeZone(QTimeZone::utc()); // stored text without a zone is UTC by our convention
        out = out.toUTC();
    });
}

void Rows::read(int column, QVariantMap &out) const
{
    if (m_query || nativeType(column) != SQLITE_TEXT) {
        Convert::fromSql(value(column), out);
        return;
    }
    out = QJsonDocument::fromJson(utf8Bytes(m_statement, column)).object().toVariantMap();
}

void Rows::read(int column, QVariantList &out) const
{
    if (m_query || nativeType(column) != SQLITE_TEXT) {
        Convert::fromSql(value(column), out);
        return;
    }
    out = QJsonDocument::fromJson(utf8Bytes(m_statement, column)).array().toVariantList();
}

void Rows::read(int column, QStringList &out) const
{
    if (m_query || nativeType(column) != SQLITE_TEXT) {
        Convert::fromSql(value(column), out);
        return;
    }
    out.clear();
    const QJsonArray array = QJsonDocument::fromJson(utf8Bytes(m_statement, column)).array();
    for (const QJsonValue &item : array)
        out << item.toString();
}

Core::Result<Rows> select(const Database &db, const QString &sql, const QVariantList &bindings)
{
    sqlite3 *handle = db.dialect() == Dialect::Sqlite ? sqliteHandle(db.connection()) : nullptr;
    const std::shared_ptr<StatementCache> cache = handle ? db.statementCache() : nullptr;
    if (!handle || !cache) {
        auto query = exec(db, sql, bindings);
        if (!query)
            return query.error();
        return Rows(std::move(*query));
    }
    sqlite3_stmt *statement = cache->takeNative(sql);
    if (!statement) {
        const QByteArray utf8 = sql.toUtf8();
        const int rc = sqlite3_prepare_v3(
            handle, utf8.constData(), int(utf8.size()), SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
        if (rc != SQLITE_OK) {
            const Core::Error error = sqliteError(handle, rc);
            sqlite3_finalize(statement);
            return error;
        }
        cache->lendNative(statement);
    }
    Rows rows(handle, statement, sql, cache);
    if (bindings.size() != sqlite3_bind_parameter_count(statement))
        return Core::Error::storage(u"%1 values bound to a statement with %2 parameters: %3"_s.arg(
            QString::number(bindings.size()), QString::number(sqlite3_bind_parameter_count(statement)), sql));
    for (qsizetype i = 0; i < bindings.size(); ++i) {
        if (const int rc = bindAsSqlite(statement, int(i + 1), bindings.at(i)); rc != SQLITE_OK)
            return sqliteError(handle, rc);
    }
    return rows;
}

} // namespace Storage
