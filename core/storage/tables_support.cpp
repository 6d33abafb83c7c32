// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "tables_support.h"

#include <QSet>

namespace Storage {

using namespace Qt::StringLiterals;
using namespace Domain;

const QList<Column<SlaPolicy>> &TableTraits<SlaPolicy>::columns()
{
    static const QList<Column<SlaPolicy>> list {
        column(u"id"_s, &SlaPolicy::id, KeyColumn | GeneratedKey),
        column(u"priority"_s, &SlaPolicy::priority),
        column(u"first_response_minutes"_s, &SlaPolicy::firstResponseMinutes),
        column(u"resolution_minutes"_s, &SlaPolicy::resolutionMinutes),
        column(u"at_risk_ratio"_s, &SlaPolicy::atRiskRatio),
        column(u"business_hours_only"_s, &SlaPolicy::businessHoursOnly),
    };
    return list;
}

const QList<Column<SupportTicket>> &TableTraits<SupportTicket>::columns()
{
    static const QList<Column<SupportTicket>> list {
        column(u"id"_s, &SupportTicket::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &SupportTicket::customerId, Immutable),
        column(u"external_id"_s, &SupportTicket::externalId),
        column(u"subject"_s, &SupportTicket::subject),
        column(u"description"_s, &SupportTicket::description),
        column(u"priority"_s, &SupportTicket::priority),
        column(u"status"_s, &SupportTicket::status),
        column(u"channel"_s, &SupportTicket::channel),
        column(u"requester_contact_id"_s, &SupportTicket::requesterContactId),
        column(u"assignee"_s, &SupportTicket::assignee),
        column(u"assigned_team"_s, &SupportTicket::assignedTeam),
        column(u"category"_s, &SupportTicket::category),
        column(u"tags"_s, &SupportTicket::tags),
        column(u"opened_at"_s, &SupportTicket::openedAt, NotNull),
        column(u"first_response_at"_s, &SupportTicket::firstResponseAt),
        column(u"resolved_at"_s, &SupportTicket::resolvedAt),
        column(u"closed_at"_s, &SupportTicket::closedAt),
        column(u"first_response_due_at"_s, &SupportTicket::firstResponseDueAt),
        column(u"resolution_due_at"_s, &SupportTicket::resolutionDueAt),
        column(u"csat"_s, &SupportTicket::csat),
        column(u"csat_comment"_s, &SupportTicket::csatComment),
        column(u"escalated"_s, &SupportTicket::escalated),
    };
    return list;
}

const QList<Column<TicketComment>> &TableTraits<TicketComment>::columns()
{
    static const QList<Column<TicketComment>> list {
        column(u"id"_s, &TicketComment::id, KeyColumn | GeneratedKey),
        column(u"ticket_id"_s, &TicketComment::ticketId, Immutable),
        column(u"external_id"_s, &TicketComment::externalId),
        column(u"author"_s, &TicketComment::author),
        column(u"is_public"_s, &TicketComment::isPublic),
        column(u"body"_s, &TicketComment::body),
        column(u"commented_at"_s, &TicketComment::commentedAt, NotNull),
    };
    return list;
}

const QList<Column<RoutingRule>> &TableTraits<RoutingRule>::columns()
{
    static const QList<Column<RoutingRule>> list {
        column(u"id"_s, &RoutingRule::id, KeyColumn | GeneratedKey),
        column(u"name"_s, &RoutingRule::name),
        column(u"position"_s, &RoutingRule::position),
        column(u"conditions"_s, &RoutingRule::conditions),
        column(u"target_team"_s, &RoutingRule::targetTeam),
        column(u"target_assignee"_s, &RoutingRule::targetAssignee),
        column(u"set_priority"_s, &RoutingRule::setPriority),
        column(u"is_active"_s, &RoutingRule::isActive),
    };
    return list;
}

const QList<Column<KbArticle>> &TableTraits<KbArticle>::columns()
{
    // search_vector (PostgreSQL only, generated) is deliberately not mapped.
    static const QList<Column<KbArticle>> list {
        column(u"id"_s, &KbArticle::id, KeyColumn | GeneratedKey),
        column(u"slug"_s, &KbArticle::slug),
        column(u"title"_s, &KbArticle::title),
        column(u"body"_s, &KbArticle::body),
        column(u"tags"_s, &KbArticle::tags),
        column(u"category"_s, &KbArticle::category),
        column(u"status"_s, &KbArticle::status),
        column(u"author"_s, &KbArticle::author),
        column(u"views"_s, &KbArticle::views),
        column(u"helpful_votes"_s, &KbArticle::helpfulVotes),
        column(u"unhelpful_votes"_s, &KbArticle::unhelpfulVotes),
        column(u"published_at"_s, &KbArticle::publishedAt),
    };
    return list;
}

const QList<Column<CustomerPortalSettings>> &TableTraits<CustomerPortalSettings>::columns()
{
    static const QList<Column<CustomerPortalSettings>> list {
        column(u"id"_s, &CustomerPortalSettings::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &CustomerPortalSettings::customerId, Immutable),
        column(u"is_enabled"_s, &CustomerPortalSettings::isEnabled),
        column(u"features"_s, &CustomerPortalSettings::features),
        column(u"branding"_s, &CustomerPortalSettings::branding),
    };
    return list;
}

const QList<Column<SupportSchedule>> &TableTraits<SupportSchedule>::columns()
{
    static const QList<Column<SupportSchedule>> list {
        column(u"id"_s, &SupportSchedule::id, KeyColumn | GeneratedKey),
        column(u"time_zone"_s, &SupportSchedule::timeZone),
    };
    return list;
}

const QList<Column<WorkingHours>> &TableTraits<WorkingHours>::columns()
{
    static const QList<Column<WorkingHours>> list {
        column(u"id"_s, &WorkingHours::id, KeyColumn | GeneratedKey),
        column(u"schedule_id"_s, &WorkingHours::scheduleId, Immutable),
        column(u"weekday"_s, &WorkingHours::weekday),
        column(u"start_minute"_s, &WorkingHours::startMinute),
        column(u"end_minute"_s, &WorkingHours::endMinute),
    };
    return list;
}

const QList<Column<ScheduleHoliday>> &TableTraits<ScheduleHoliday>::columns()
{
    static const QList<Column<ScheduleHoliday>> list {
        column(u"id"_s, &ScheduleHoliday::id, KeyColumn | GeneratedKey),
        column(u"schedule_id"_s, &ScheduleHoliday::scheduleId, Immutable),
        column(u"holiday_date"_s, &ScheduleHoliday::date, NotNull),
        column(u"name"_s, &ScheduleHoliday::name),
    };
    return list;
}

const QList<Column<SlaPause>> &TableTraits<SlaPause>::columns()
{
    static const QList<Column<SlaPause>> list {
        column(u"id"_s, &SlaPause::id, KeyColumn | GeneratedKey),
        column(u"ticket_id"_s, &SlaPause::ticketId, Immutable),
        column(u"status"_s, &SlaPause::status),
        column(u"started_at"_s, &SlaPause::startedAt, NotNull),
        column(u"ended_at"_s, &SlaPause::endedAt),
    };
    return list;
}

QString toFts5Query(const QString &text)
{
    // PostgreSQL's english stop words (tsearch_data/english.stop): plainto_tsquery ignores them, so FTS5 must too
    // or a query such as "okta or azure" would find different articles on the two dialects.
    static const QSet<QString> stopWords = [] {
        const QStringList words
            = u"i me my myself we our ours ourselves you your yours yourself yourselves he him "
              u"his himself she her hers herself it its itself they them their theirs "
              u"themselves what which who whom this that these those am is are was were be been "
              u"being have has had having do does did doing a an the and but if or because as "
              u"until while of at by for with about against between into through during before "
              u"after above below to from up down in out on off over under again further then "
              u"once here there when where why how all any both each few more most other some "
              u"such no nor not only own same so than too very s t can will just don should now"_s.split(u' ');
        return QSet<QString>(words.cbegin(), words.cend());
    }();
    const auto isWordChar = [](QChar c) { return c.isLetterOrNumber() || c.isMark() || c.isSurrogate(); };

    QStringList phrases;
    const QStringList words = text.simplified().split(u' ', Qt::SkipEmptyParts);
    for (QString word : words) {
        qsizetype first = 0;
        qsizetype last = word.size() - 1;
        while (first <= last && !isWordChar(word.at(first)))
            ++first;
        while (last >= first && !isWordChar(word.at(last)))
            --last;
        if (first > last || stopWords.contains(word.mid(first, last - first + 1).toLower()))
            continue; // punctuation only (no token in it), or a word PostgreSQL would ignore
        // An FTS5 string: "..." with each embedded quote written twice (sqlite.org/fts5.html §3.1). Inside it,
        // AND/OR/NOT/NEAR, * ^ : + - ( ) are plain text; the tokenizer turns "sign-on" into the phrase "sign on".
        word.replace(u'"', u"\"\""_s);
        phrases << u'"' + word + u'"';
    }
    return phrases.join(u' ');
}

Core::Result<QList<KbArticle>> searchKbArticles(const Database &db, const QString &text, int limit)
{
    if (limit < 1 || limit > 1000)
        return Core::Error::invalid(u"limit"_s, u"must be between 1 and 1000"_s);
    if (text.trimmed().isEmpty())
        return Core::Error::invalid(u"query"_s, u"is required"_s);
    if (text.size() > 1000)
        return Core::Error::invalid(u"query"_s, u"must be at most 1000 characters"_s);
    const QString ftsQuery = toFts5Query(text);
    if (ftsQuery.isEmpty())
        return QList<KbArticle>(); // only punctuation: nothing can match, on either dialect

    QString sql;
    QVariantList bindings;
    if (db.dialect() == Dialect::Sqlite) {
        // bm25 weights follow migration 0009: title 10, body 5, tags 2; lower is better. The FTS table is
        // joined through a sub-select so that the unqualified select list stays unambiguous.
        sql = u"SELECT %1 FROM kb_articles JOIN (SELECT rowid AS hit_id, bm25(kb_articles_fts, 10.0, 5.0, 2.0) "
              u"AS hit_rank FROM kb_articles_fts WHERE kb_articles_fts MATCH ?) hits ON hits.hit_id = kb_articles.id "
              u"WHERE kb_articles.deleted_at IS NULL ORDER BY hits.hit_rank, kb_articles.id LIMIT ?"_s.arg(
                  KbArticleRepository::selectList());
        bindings = { ftsQuery, limit };
    } else {
        // plainto_tsquery ignores all operator syntax in its input, so the user's text goes in as is.
        sql = u"SELECT %1 FROM kb_articles WHERE search_vector @@ plainto_tsquery('english', ?) "
              u"AND deleted_at IS NULL "
              u"ORDER BY ts_rank(search_vector, plainto_tsquery('english', ?)) DESC, id LIMIT ?"_s.arg(
                  KbArticleRepository::selectList());
        bindings = { text, text, limit };
    }
    auto rows = exec(db, sql, bindings);
    if (!rows)
        return rows.error();
    QList<KbArticle> articles;
    const QSqlRecord rec = rows->record();
    while (rows->next())
        articles << KbArticleRepository::fromRow(*rows, rec);
    return articles;
}

} // namespace Storage
