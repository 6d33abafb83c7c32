// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "statementcache.h"

#include <algorithm>
#include <vector>

#include <sqlite3.h>

namespace Storage {

namespace {

// Drops the least recently used half of `entries`: eviction then stays rare even when a caller cycles through many
// distinct statements. `drop` sees each entry before it goes.
template<typename Map, typename Drop> void evictOlderHalf(Map &entries, Drop drop)
{
    std::vector<quint64> uses;
    uses.reserve(entries.size());
    for (const auto &[sql, entry] : entries)
        uses.push_back(entry.lastUse);
    auto middle = uses.begin() + qsizetype(uses.size() / 2);
    std::nth_element(uses.begin(), middle, uses.end());
    const quint64 cutoff = *middle;
    std::erase_if(entries, [cutoff, &drop](const auto &item) {
        if (item.second.lastUse >= cutoff)
            return false;
        drop(item.second);
        return true;
    });
}

} // namespace

StatementCache::~StatementCache()
{
    finalizeNative();
}

std::optional<QSqlQuery> StatementCache::take(const QString &sql)
{
    auto it = m_free.find(sql);
    if (it == m_free.end())
        return std::nullopt;
    std::optional<QSqlQuery> query(std::move(it->second.query));
    m_free.erase(it);
    return query;
}

void StatementCache::giveBack(const QString &sql, QSqlQuery query)
{
    query.finish();
    if (m_free.contains(sql))
        return; // a second statement for the same SQL (it was used twice at once): one is enough to keep
    m_free.emplace(sql, Entry { std::move(query), ++m_clock });
    if (m_free.size() > kCapacity)
        evict();
}

void StatementCache::clear()
{
    m_free.clear();
    m_counts.clear();
    // Lent native statements come back (and are kept) when their Rows ends.
    for (auto &[sql, entry] : m_freeNative)
        sqlite3_finalize(entry.statement);
    m_freeNative.clear();
}

sqlite3_stmt *StatementCache::takeNative(const QString &sql)
{
    auto it = m_freeNative.find(sql);
    if (it == m_freeNative.end())
        return nullptr;
    sqlite3_stmt *statement = it->second.statement;
    m_freeNative.erase(it);
    m_lentNative.push_back(statement);
    return statement;
}

void StatementCache::giveBackNative(const QString &sql, sqlite3_stmt *statement)
{
    // Reset: SQLite then ends the statement's read and drops its locks; the bindings go too.
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    std::erase(m_lentNative, statement);
    if (m_freeNative.contains(sql)) {
        sqlite3_finalize(statement); // one statement per SQL is enough to keep
        return;
    }
    m_freeNative.emplace(sql, NativeEntry { statement, ++m_clock });
    if (m_freeNative.size() > kCapacity)
        evictNative();
}

void StatementCache::finalizeNative()
{
    for (auto &[sql, entry] : m_freeNative)
        sqlite3_finalize(entry.statement);
    m_freeNative.clear();
    for (sqlite3_stmt *statement : m_lentNative)
        sqlite3_finalize(statement);
    m_lentNative.clear();
}

std::optional<qint64> StatementCache::rememberedCount(const QString &key, const DataVersion &version)
{
    if (!(version == m_countsVersion)) {
        m_counts.clear();
        m_countsVersion = version;
        return std::nullopt;
    }
    const auto it = m_counts.find(key);
    return it == m_counts.end() ? std::nullopt : std::optional<qint64>(it->second);
}

void StatementCache::rememberCount(const QString &key, const DataVersion &version, qint64 count)
{
    if (!(version == m_countsVersion))
        return; // the database changed while counting: that answer belongs to no state we can name
    if (m_counts.size() >= size_t(kCountCapacity))
        m_counts.clear();
    m_counts.emplace(key, count);
}

void StatementCache::evict()
{
    evictOlderHalf(m_free, [](const Entry &) {});
}

void StatementCache::evictNative()
{
    evictOlderHalf(m_freeNative, [](const NativeEntry &entry) { sqlite3_finalize(entry.statement); });
}

} // namespace Storage
