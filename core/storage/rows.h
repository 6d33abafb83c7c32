// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <memory>
#include <optional>
#include <type_traits>

#include <QDate>
#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QStringView>
#include <QVariant>
#include <QVariantList>
#include <QVariantMap>

#include "enumnames.h"
#include "error.h"
#include "sql.h"

struct sqlite3;
struct sqlite3_stmt;

namespace Storage {

class StatementCache;

// A forward-only read of the rows a SELECT answers, for the reads that run most (repository lists and look-ups).
// On SQLite it steps the statement itself on the connection's sqlite3 handle: no QVariant per value, and text read as
// the UTF-8 SQLite stores (Qt's driver asks SQLite for UTF-16, which SQLite converts value by value, and keeps every
// row as a list of QVariants). On PostgreSQL it reads through a Query. Either way a read gives exactly what
// Convert::fromSql makes of the value QSqlQuery would have given, and value() is that QVariant itself.
//
// Like a Query, the statement comes from the connection's cache and goes back, reset, when the Rows ends: keep the
// Rows for as long as you read it, on the thread that made it.
class Rows final
{
public:
    Rows(Rows &&other) noexcept;
    Rows &operator=(Rows &&other) noexcept;
    ~Rows();
    Q_DISABLE_COPY(Rows)

    // The next row; false after the last one and when reading failed (then error() tells why).
    bool next();
    const std::optional<Core::Error> &error() const { return m_error; }

    bool isNull(int column) const;
    // What QSqlQuery::value() would answer for this column of the current row.
    QVariant value(int column) const;
    // value(column).toString(), and a null string for NULL.
    QString text(int column) const;

    // Convert::fromSql(value(column), out).
    void read(int column, QString &out) const;
    void read(int column, int &out) const;
    void read(int column, qint64 &out) const;
    void read(int column, double &out) const;
    void read(int column, bool &out) const;
    void read(int column, std::optional<int> &out) const;
    void read(int column, std::optional<qint64> &out) const;
    void read(int column, std::optional<double> &out) const;
    void read(int column, QDate &out) const;
    void read(int column, QDateTime &out) const;
    void read(int column, QVariantMap &out) const;
    void read(int column, QVariantList &out) const;
    void read(int column, QStringList &out) const;
    template<typename E>
    requires std::is_enum_v<E>
    void read(int column, E &out) const
    {
        withText(column, [&out](QStringView text) {
            if (auto parsed = Domain::enumFromString<E>(text))
                out = *parsed;
        });
    }
    template<typename E>
    requires std::is_enum_v<E>
    void read(int column, std::optional<E> &out) const
    {
        if (isNull(column)) {
            out = std::nullopt;
            return;
        }
        withText(column, [&out](QStringView text) { out = Domain::enumFromString<E>(text); });
    }

private:
    friend Core::Result<Rows> select(const Database &db, const QString &sql, const QVariantList &bindings);
    Rows(sqlite3 *handle, sqlite3_stmt *statement, QString sql, std::weak_ptr<StatementCache> cache);
    explicit Rows(Query query);
    void giveBack();
    int nativeType(int column) const;

    // Calls `use` with the column's text (what text() answers) without a QString where the stored text is short
    // ASCII, as dates, times and enum names are.
    template<typename Use> void withText(int column, Use &&use) const
    {
        char16_t buffer[kShortText];
        const qsizetype size = shortAscii(column, buffer);
        if (size >= 0) {
            use(QStringView(buffer, size));
            return;
        }
        const QString value = text(column);
        use(QStringView(value));
    }
    static constexpr qsizetype kShortText = 64;
    // The column's text widened into `buffer` when it is stored as TEXT of at most kShortText ASCII bytes; else -1.
    qsizetype shortAscii(int column, char16_t *buffer) const;

    // SQLite: the statement, lent by the connection's cache.
    sqlite3 *m_handle = nullptr;
    sqlite3_stmt *m_statement = nullptr;
    QString m_sql;
    std::weak_ptr<StatementCache> m_cache;
    // Any other driver.
    std::optional<Query> m_query;
    std::optional<Core::Error> m_error;
};

// Runs a SELECT with positional `?` bindings on the calling thread's connection (statements cached per connection).
// Bindings are bound as QSqlQuery binds them.
Core::Result<Rows> select(const Database &db, const QString &sql, const QVariantList &bindings = {});

} // namespace Storage
