// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <memory>
#include <optional>

#include <unordered_map>
#include <vector>

#include <QSqlQuery>
#include <QString>

struct sqlite3_stmt;

namespace Storage {

// Prepared statements of one thread's connection, kept for reuse (DESIGN.md §7: a tool call must not pay for
// parsing and planning the same SQL again). A statement is lent to one Query at a time and comes back, reset,
// when that Query ends; a second use of the same SQL while the first is still being read gets a statement of its
// own. Bounded: the least recently used statements are dropped beyond kCapacity.
class StatementCache final
{
    Q_DISABLE_COPY_MOVE(StatementCache)

public:
    static constexpr int kCapacity = 256;

    StatementCache() = default;
    ~StatementCache();

    // A free prepared statement for `sql`, or nothing when none is cached.
    std::optional<QSqlQuery> take(const QString &sql);
    // Hands a statement back (finished, so SQLite drops its read snapshot and locks).
    void giveBack(const QString &sql, QSqlQuery query);
    void clear();
    int size() const { return int(m_free.size()); }

    // The same for statements prepared on the connection's sqlite3 handle (Storage::Rows on SQLite). The cache owns
    // every native statement it lent, so that they are finalised before the connection closes (SQLite refuses to
    // close a handle with live statements): a statement lent to a Rows that outlives the cache is finalised here,
    // and that Rows must not touch it again (see Rows::~Rows).
    sqlite3_stmt *takeNative(const QString &sql);
    void lendNative(sqlite3_stmt *statement) { m_lentNative.push_back(statement); }
    void giveBackNative(const QString &sql, sqlite3_stmt *statement);
    int nativeSize() const { return int(m_freeNative.size()); }

    // Answers of Storage::count() on this connection, good for one state of the database: `version` names that
    // state (see count() in sql.h). Asking with another version drops every answer remembered for the old one.
    struct DataVersion
    {
        qint64 otherConnections = -1; // PRAGMA data_version: commits by any other connection
        qint64 ownChanges = -1; // sqlite3_total_changes64(): rows this connection changed
        bool operator==(const DataVersion &) const = default;
    };
    static constexpr int kCountCapacity = 128;
    std::optional<qint64> rememberedCount(const QString &key, const DataVersion &version);
    void rememberCount(const QString &key, const DataVersion &version, qint64 count);

private:
    struct Entry
    {
        QSqlQuery query;
        quint64 lastUse = 0;
    };
    void evict();

    struct NativeEntry
    {
        sqlite3_stmt *statement = nullptr;
        quint64 lastUse = 0;
    };
    void evictNative();
    void finalizeNative();

    std::unordered_map<QString, Entry> m_free;
    std::unordered_map<QString, NativeEntry> m_freeNative;
    std::vector<sqlite3_stmt *> m_lentNative;
    quint64 m_clock = 0;
    std::unordered_map<QString, qint64> m_counts;
    DataVersion m_countsVersion;
};

} // namespace Storage
