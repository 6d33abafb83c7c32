// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "statementcache.h"

#include <algorithm>
#include <vector>

namespace Storage {

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
    // Drop the older half: eviction then stays rare even when a caller cycles through many distinct statements.
    std::vector<quint64> uses;
    uses.reserve(m_free.size());
    for (const auto &[sql, entry] : m_free)
        uses.push_back(entry.lastUse);
    auto middle = uses.begin() + qsizetype(uses.size() / 2);
    std::nth_element(uses.begin(), middle, uses.end());
    const quint64 cutoff = *middle;
    std::erase_if(m_free, [cutoff](const auto &item) { return item.second.lastUse < cutoff; });
}

} // namespace Storage
