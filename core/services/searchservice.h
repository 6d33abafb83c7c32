// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QList>
#include <QString>

#include "customer.h"
#include "database.h"
#include "enumnames.h"
#include "error.h"

namespace Core {
enum class ResolveReason {
    ExactId,
    ContactEmail,
    ExactDomain,
    EmailDomain,
    ExactName,
    NamePrefix,
    NameContains,
    Fuzzy
};
enum class SearchKind { Customer, Contact, Ticket, Note, KbArticle };
} // namespace Core

namespace Domain {
CS_ENUM_NAMES(Core::ResolveReason, { Core::ResolveReason::ExactId, "exact_id" },
    { Core::ResolveReason::ContactEmail, "contact_email" }, { Core::ResolveReason::ExactDomain, "exact_domain" },
    { Core::ResolveReason::EmailDomain, "email_domain" }, { Core::ResolveReason::ExactName, "exact_name" },
    { Core::ResolveReason::NamePrefix, "name_prefix" }, { Core::ResolveReason::NameContains, "name_contains" },
    { Core::ResolveReason::Fuzzy, "fuzzy" });
CS_ENUM_NAMES(Core::SearchKind, { Core::SearchKind::Customer, "customer" }, { Core::SearchKind::Contact, "contact" },
    { Core::SearchKind::Ticket, "ticket" }, { Core::SearchKind::Note, "note" },
    { Core::SearchKind::KbArticle, "kb_article" });
} // namespace Domain

namespace Core {

// A customer that a name, domain or e-mail address may mean, with how sure we are (0..1) and why.
struct ResolveCandidate
{
    Domain::Customer customer;
    double score = 0;
    ResolveReason reason = ResolveReason::Fuzzy;
    QString detail; // what matched, in words ("contact Ada Lovelace <ada@acme.io>")
};

struct SearchHit
{
    SearchKind kind = SearchKind::Customer;
    QString id; // the record's id as text (customer ids are text, the others numbers)
    QString customerId; // empty for knowledge-base articles
    QString title;
    QString snippet; // the text around the first match, at most ~180 characters
    double score = 0; // 0..1, higher is better; comparable across kinds only roughly
};

struct SearchQuery
{
    QString text;
    QList<SearchKind> kinds; // empty = every kind
    QString customerId; // only records of this customer (knowledge-base articles are then left out)
    int limit = 25; // 1..200
    QString cursor;
};

struct SearchPage
{
    QList<SearchHit> items;
    qint64 total = 0; // hits over all pages (at most kMaxPerKind per kind)
    QString nextCursor;
    bool truncated = false; // some kind had more than kMaxPerKind hits: refine the query
};

// Finding things for people and agents that only know a name: resolve() maps a name, domain or e-mail address to
// customer ids, search() looks across customers, contacts, tickets, notes and knowledge-base articles. Read-only.
//
// resolve scores: exact id 1.0; e-mail of a live contact 0.95; domain (also from a URL) 0.95; the domain of an
// e-mail address 0.8; name equal (case-insensitive) 0.9; name starts with the text 0.75; name contains it 0.6;
// otherwise a fuzzy match on the name (Levenshtein similarity ≥ 0.7, also against the name's prefix of the text's
// length) scores 0.55 × similarity. Each customer appears once, with its best reason.
class SearchService final
{
public:
    static constexpr int kMaxPerKind = 200;
    static constexpr int kMaxLimit = 200;

    explicit SearchService(const Storage::Database &db);

    // Best first (score, then name). InvalidArgument naming `query` for blank text or more than 320 characters,
    // naming `limit` outside 1..50.
    Result<QList<ResolveCandidate>> resolve(const QString &query, int limit = 5) const;

    // Best first; paged with an opaque cursor that belongs to the same query. Customers and contacts match on a
    // substring of name, company, domain or e-mail; tickets on subject, description or external id; notes and
    // articles by full-text search (every word, stemmed). Articles: published ones only.
    Result<SearchPage> search(const SearchQuery &query) const;

    // Levenshtein similarity of two strings, 1 - distance / longer length (1 = equal); exposed for tests.
    static double similarity(QStringView a, QStringView b);

private:
    const Storage::Database &m_db;
};

} // namespace Core
