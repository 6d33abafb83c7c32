// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "searchservice.h"

#include <algorithm>
#include <vector>

#include <QHash>
#include <QRegularExpression>
#include <QSqlRecord>

#include "sql.h"
#include "tables_accounts.h"
#include "tables_customers.h"
#include "tables_engagement.h"
#include "tables_support.h"
#include "validation.h"

namespace Core {

using namespace Qt::StringLiterals;

namespace {

// A LIKE pattern matching `text` anywhere (or at the start), with the user's wildcards escaped.
QString likePattern(const QString &text, bool prefixOnly = false)
{
    QString needle = text.toLower();
    needle.replace(u"\\"_s, u"\\\\"_s).replace(u"%"_s, u"\\%"_s).replace(u"_"_s, u"\\_"_s);
    return (prefixOnly ? QString() : u"%"_s) + needle + u"%"_s;
}

// The text around the first occurrence of one of the query's words, whitespace collapsed.
QString snippetOf(const QString &text, const QString &query)
{
    QString flat = text.simplified();
    qsizetype at = flat.indexOf(query, 0, Qt::CaseInsensitive);
    if (at < 0) {
        static const QRegularExpression separators(u"[^\\p{L}\\p{N}]+"_s);
        const QStringList words = query.split(separators, Qt::SkipEmptyParts);
        for (const QString &word : words) {
            at = flat.indexOf(word.left(std::max<qsizetype>(3, word.size() - 2)), 0, Qt::CaseInsensitive);
            if (at >= 0)
                break;
        }
    }
    constexpr qsizetype before = 60;
    constexpr qsizetype length = 180;
    const qsizetype start = at > before ? at - before : 0;
    QString snippet = flat.mid(start, length);
    if (start > 0)
        snippet.prepend(u"…"_s);
    if (start + length < flat.size())
        snippet.append(u"…"_s);
    return snippet;
}

// Exact 1.0, starts with 0.9, contains 0.7 (case-insensitive), else 0.
double textScore(const QString &value, const QString &lower)
{
    const QString v = value.toLower();
    if (v.isEmpty())
        return 0;
    if (v == lower)
        return 1.0;
    if (v.startsWith(lower))
        return 0.9;
    if (v.contains(lower))
        return 0.7;
    return 0;
}

// "https://www.Acme.io/pricing" → "acme.io"; empty when the text is not shaped like a domain.
QString domainOf(const QString &text)
{
    QString d = text.trimmed().toLower();
    static const QRegularExpression scheme(u"^[a-z][a-z0-9+.-]*://"_s);
    d.remove(scheme);
    d = d.section(u'/', 0, 0).section(u'?', 0, 0).section(u':', 0, 0);
    if (d.startsWith(u"www."_s))
        d = d.mid(4);
    static const QRegularExpression shape(u"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,63}$"_s);
    return shape.match(d).hasMatch() ? d : QString();
}

} // namespace

SearchService::SearchService(const Storage::Database &db)
    : m_db(db)
{ }

double SearchService::similarity(QStringView a, QStringView b)
{
    const qsizetype n = a.size();
    const qsizetype m = b.size();
    if (n == 0 && m == 0)
        return 1;
    std::vector<qsizetype> previous(std::size_t(m + 1));
    std::vector<qsizetype> current(std::size_t(m + 1));
    for (qsizetype j = 0; j <= m; ++j)
        previous[std::size_t(j)] = j;
    for (qsizetype i = 1; i <= n; ++i) {
        current[0] = i;
        for (qsizetype j = 1; j <= m; ++j) {
            const qsizetype cost = a[i - 1] == b[j - 1] ? 0 : 1;
            current[std::size_t(j)] = std::min(
                { previous[std::size_t(j)] + 1, current[std::size_t(j - 1)] + 1, previous[std::size_t(j - 1)] + cost });
        }
        std::swap(previous, current);
    }
    return 1.0 - double(previous[std::size_t(m)]) / double(std::max(n, m));
}

Result<QList<ResolveCandidate>> SearchService::resolve(const QString &query, int limit) const
{
    const QString q = query.trimmed();
    if (q.isEmpty())
        return Error::invalid(u"query"_s, u"is required"_s);
    if (q.size() > 320)
        return Error::invalid(u"query"_s, u"must be at most 320 characters"_s);
    if (limit < 1 || limit > 50)
        return Error::invalid(u"limit"_s, u"must be between 1 and 50"_s);
    const QString lower = q.toLower();

    QHash<QString, ResolveCandidate> best;
    const auto offer = [&best](const Domain::Customer &c, double score, ResolveReason reason, const QString &detail) {
        auto it = best.find(c.id);
        if (it == best.end())
            best.insert(c.id, ResolveCandidate { c, score, reason, detail });
        else if (score > it->score)
            *it = ResolveCandidate { c, score, reason, detail };
    };
    const auto customersWhere
        = [this](const QString &condition, const QVariantList &bindings, int max) -> Result<QList<Domain::Customer>> {
        auto rows = Storage::exec(m_db,
            u"SELECT %1 FROM customers WHERE deleted_at IS NULL AND (%2) ORDER BY name, id LIMIT %3"_s
                .arg(Storage::CustomerRepository::selectList(), condition)
                .arg(max),
            bindings);
        if (!rows)
            return rows.error();
        QList<Domain::Customer> found;
        const QSqlRecord rec = rows->record();
        while (rows->next())
            found << Storage::CustomerRepository::fromRow(*rows, rec);
        return found;
    };
    constexpr int kPerRule = 50;

    if (Domain::isValidCustomerId(q)) {
        auto found = customersWhere(u"id = ?"_s, { q }, 1);
        if (!found)
            return found.error();
        for (const auto &c : *found)
            offer(c, 1.0, ResolveReason::ExactId, u"id %1"_s.arg(c.id));
    }
    if (q.contains(u'@')) {
        auto rows = Storage::exec(m_db,
            u"SELECT customer_id, name, email FROM contacts WHERE deleted_at IS NULL AND "
            u"lower(email) = ? ORDER BY id LIMIT %1"_s.arg(kPerRule),
            { lower });
        if (!rows)
            return rows.error();
        QHash<QString, QString> contactOf;
        while (rows->next())
            contactOf.insert(rows->value(0).toString(),
                u"contact %1 <%2>"_s.arg(rows->value(1).toString(), rows->value(2).toString()));
        if (!contactOf.isEmpty()) {
            const QStringList ids = contactOf.keys();
            auto found = customersWhere(u"id IN (%1)"_s.arg(Storage::Detail::placeholders(int(ids.size()))),
                QVariantList(ids.cbegin(), ids.cend()), kPerRule);
            if (!found)
                return found.error();
            for (const auto &c : *found)
                offer(c, 0.95, ResolveReason::ContactEmail, contactOf.value(c.id));
        }
        const QString domain = domainOf(lower.section(u'@', -1));
        if (!domain.isEmpty()) {
            auto found = customersWhere(u"lower(domain) = ?"_s, { domain }, kPerRule);
            if (!found)
                return found.error();
            for (const auto &c : *found)
                offer(c, 0.8, ResolveReason::EmailDomain, u"the address is at %1"_s.arg(domain));
        }
    } else if (const QString domain = domainOf(q); !domain.isEmpty()) {
        auto found = customersWhere(u"lower(domain) = ?"_s, { domain }, kPerRule);
        if (!found)
            return found.error();
        for (const auto &c : *found)
            offer(c, 0.95, ResolveReason::ExactDomain, u"domain %1"_s.arg(c.domain));
    }

    {
        auto found = customersWhere(u"lower(name) LIKE ? ESCAPE '\\'"_s, { likePattern(q) }, kPerRule);
        if (!found)
            return found.error();
        for (const auto &c : *found) {
            const QString name = c.name.toLower();
            if (name == lower)
                offer(c, 0.9, ResolveReason::ExactName, u"name %1"_s.arg(c.name));
            else if (name.startsWith(lower))
                offer(c, 0.75, ResolveReason::NamePrefix, u"name %1"_s.arg(c.name));
            else
                offer(c, 0.6, ResolveReason::NameContains, u"name %1"_s.arg(c.name));
        }
    }

    // Typos ("Acme Corp" for "Acne Corp"): only when the cheaper rules left room.
    if (best.size() < limit && q.size() >= 3) {
        auto rows = Storage::exec(m_db, u"SELECT id, name FROM customers WHERE deleted_at IS NULL"_s);
        if (!rows)
            return rows.error();
        QList<QPair<QString, double>> fuzzy;
        while (rows->next()) {
            const QString id = rows->value(0).toString();
            if (best.contains(id))
                continue;
            const QString name = rows->value(1).toString().toLower();
            double s = similarity(name, lower);
            if (name.size() > lower.size())
                s = std::max(s, similarity(QStringView(name).left(lower.size()), lower));
            if (s >= 0.7)
                fuzzy.append({ id, s });
        }
        std::sort(fuzzy.begin(), fuzzy.end(), [](const auto &a, const auto &b) {
            return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        fuzzy = fuzzy.mid(0, kPerRule);
        if (!fuzzy.isEmpty()) {
            QStringList ids;
            QHash<QString, double> scoreOf;
            for (const auto &[id, s] : std::as_const(fuzzy)) {
                ids << id;
                scoreOf.insert(id, s);
            }
            auto found = customersWhere(u"id IN (%1)"_s.arg(Storage::Detail::placeholders(int(ids.size()))),
                QVariantList(ids.cbegin(), ids.cend()), kPerRule);
            if (!found)
                return found.error();
            for (const auto &c : *found) {
                const double s = scoreOf.value(c.id);
                offer(c, std::round(0.55 * s * 1000.0) / 1000.0, ResolveReason::Fuzzy,
                    u"name %1 is %2% similar"_s.arg(c.name).arg(qRound(s * 100)));
            }
        }
    }

    QList<ResolveCandidate> result = best.values();
    std::sort(result.begin(), result.end(), [](const ResolveCandidate &a, const ResolveCandidate &b) {
        if (a.score != b.score)
            return a.score > b.score;
        if (a.customer.name != b.customer.name)
            return a.customer.name < b.customer.name;
        return a.customer.id < b.customer.id;
    });
    return result.mid(0, limit);
}

Result<SearchPage> SearchService::search(const SearchQuery &query) const
{
    const QString q = query.text.trimmed();
    if (q.isEmpty())
        return Error::invalid(u"query"_s, u"is required"_s);
    if (q.size() > 500)
        return Error::invalid(u"query"_s, u"must be at most 500 characters"_s);
    if (query.limit < 1 || query.limit > kMaxLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(kMaxLimit));
    if (!query.customerId.isEmpty() && !Domain::isValidCustomerId(query.customerId))
        return Error::invalid(u"customer_id"_s, u"must match ^[a-zA-Z0-9_-]{1,100}$"_s);
    qsizetype offset = 0;
    if (!query.cursor.isEmpty()) {
        bool ok = false;
        offset = query.cursor.startsWith(u"s:"_s) ? query.cursor.mid(2).toLongLong(&ok) : -1;
        if (!ok || offset < 0)
            return Error::invalid(u"cursor"_s, u"is not a cursor returned by this search"_s);
    }
    const auto wanted = [&query](SearchKind kind) { return query.kinds.isEmpty() || query.kinds.contains(kind); };
    const QString lower = q.toLower();
    const QString pattern = likePattern(q);
    const QString customerCondition = query.customerId.isEmpty() ? QString() : u" AND customer_id = ?"_s;
    const auto withCustomer = [&query](QVariantList bindings) {
        if (!query.customerId.isEmpty())
            bindings << query.customerId;
        return bindings;
    };
    const QString limitClause = u" LIMIT %1"_s.arg(kMaxPerKind + 1);

    SearchPage page;
    QList<SearchHit> hits;
    const auto capped = [&page](qsizetype count) {
        if (count > kMaxPerKind)
            page.truncated = true;
        return std::min<qsizetype>(count, kMaxPerKind);
    };

    if (wanted(SearchKind::Customer)) {
        const QString condition = query.customerId.isEmpty() ? QString() : u" AND id = ?"_s;
        auto rows = Storage::exec(m_db,
            u"SELECT id, name, company, domain, industry FROM customers WHERE deleted_at IS NULL "
            u"AND (lower(name) LIKE ? ESCAPE '\\' OR lower(company) LIKE ? ESCAPE '\\' OR "
            u"lower(domain) LIKE ? ESCAPE '\\' OR lower(id) = ?)%1 ORDER BY id"_s.arg(condition)
                + limitClause,
            withCustomer({ pattern, pattern, pattern, lower }));
        if (!rows)
            return rows.error();
        QList<SearchHit> found;
        while (rows->next()) {
            SearchHit hit;
            hit.kind = SearchKind::Customer;
            hit.id = rows->value(0).toString();
            hit.customerId = hit.id;
            hit.title = rows->value(1).toString();
            const QString company = rows->value(2).toString();
            const QString domain = rows->value(3).toString();
            hit.score = std::max({ hit.id.toLower() == lower ? 1.0 : 0.0, textScore(hit.title, lower),
                0.9 * textScore(company, lower), 0.9 * textScore(domain, lower) });
            QStringList parts { hit.title };
            if (!company.isEmpty())
                parts << company;
            if (!domain.isEmpty())
                parts << domain;
            if (!rows->value(4).toString().isEmpty())
                parts << rows->value(4).toString();
            hit.snippet = parts.join(u" · "_s);
            found << hit;
        }
        hits << found.mid(0, capped(found.size()));
    }
    if (wanted(SearchKind::Contact)) {
        auto rows = Storage::exec(m_db,
            u"SELECT id, customer_id, name, email, title FROM contacts WHERE deleted_at IS NULL "
            u"AND (lower(name) LIKE ? ESCAPE '\\' OR lower(email) LIKE ? ESCAPE '\\')%1 "
            u"ORDER BY id"_s.arg(customerCondition)
                + limitClause,
            withCustomer({ pattern, pattern }));
        if (!rows)
            return rows.error();
        QList<SearchHit> found;
        while (rows->next()) {
            SearchHit hit;
            hit.kind = SearchKind::Contact;
            hit.id = QString::number(rows->value(0).toLongLong());
            hit.customerId = rows->value(1).toString();
            hit.title = rows->value(2).toString();
            const QString email = rows->value(3).toString();
            hit.score = 0.95 * std::max(textScore(hit.title, lower), textScore(email, lower));
            QStringList parts { hit.title };
            if (!email.isEmpty())
                parts << email;
            if (!rows->value(4).toString().isEmpty())
                parts << rows->value(4).toString();
            hit.snippet = parts.join(u" · "_s) + u" (customer %1)"_s.arg(hit.customerId);
            found << hit;
        }
        hits << found.mid(0, capped(found.size()));
    }
    if (wanted(SearchKind::Ticket)) {
        auto rows = Storage::exec(m_db,
            u"SELECT id, customer_id, subject, description, external_id, status FROM "
            u"support_tickets WHERE deleted_at IS NULL AND (lower(subject) LIKE ? ESCAPE '\\' OR "
            u"lower(description) LIKE ? ESCAPE '\\' OR external_id = ?)%1 ORDER BY id DESC"_s.arg(customerCondition)
                + limitClause,
            withCustomer({ pattern, pattern, q }));
        if (!rows)
            return rows.error();
        QList<SearchHit> found;
        while (rows->next()) {
            SearchHit hit;
            hit.kind = SearchKind::Ticket;
            hit.id = QString::number(rows->value(0).toLongLong());
            hit.customerId = rows->value(1).toString();
            hit.title = rows->value(2).toString();
            const QString description = rows->value(3).toString();
            const double subjectScore = textScore(hit.title, lower);
            hit.score = rows->value(4).toString() == q
                ? 1.0
                : (subjectScore > 0 ? 0.85 * subjectScore : 0.5 * textScore(description, lower));
            hit.snippet = u"[%1] "_s.arg(rows->value(5).toString())
                + snippetOf(description.contains(q, Qt::CaseInsensitive) ? description : hit.title, q);
            found << hit;
        }
        hits << found.mid(0, capped(found.size()));
    }
    if (wanted(SearchKind::Note)) {
        auto notes = Storage::searchNotes(m_db, q, kMaxPerKind + 1, query.customerId);
        if (!notes)
            return notes.error();
        const qsizetype n = capped(notes->size());
        for (qsizetype i = 0; i < n; ++i) {
            const Domain::Note &note = notes->at(i);
            // Full-text rank order, mapped onto 0.65 … 0.45.
            hits << SearchHit { SearchKind::Note, QString::number(note.id), note.customerId,
                note.body.simplified().left(80), snippetOf(note.body, q),
                0.65 - 0.2 * double(i) / double(std::max<qsizetype>(1, n)) };
        }
    }
    if (wanted(SearchKind::KbArticle) && query.customerId.isEmpty()) {
        auto articles = Storage::searchKbArticles(m_db, q, 1000);
        if (!articles)
            return articles.error();
        QList<Domain::KbArticle> published;
        for (const Domain::KbArticle &a : std::as_const(*articles)) {
            if (a.status == Domain::KbArticleStatus::Published)
                published << a;
        }
        const qsizetype n = capped(published.size());
        for (qsizetype i = 0; i < n; ++i) {
            const Domain::KbArticle &a = published.at(i);
            hits << SearchHit { SearchKind::KbArticle, QString::number(a.id), {}, a.title, snippetOf(a.body, q),
                0.7 - 0.2 * double(i) / double(std::max<qsizetype>(1, n)) };
        }
    }

    std::stable_sort(hits.begin(), hits.end(), [](const SearchHit &a, const SearchHit &b) {
        if (a.score != b.score)
            return a.score > b.score;
        return int(a.kind) < int(b.kind);
    });
    for (SearchHit &hit : hits)
        hit.score = std::round(hit.score * 1000.0) / 1000.0;
    page.total = hits.size();
    if (offset > hits.size())
        return Error::invalid(u"cursor"_s, u"is not a cursor returned by this search"_s);
    page.items = hits.mid(offset, query.limit);
    const qsizetype next = offset + page.items.size();
    if (next < hits.size())
        page.nextCursor = u"s:"_s + QString::number(next);
    return page;
}

} // namespace Core
