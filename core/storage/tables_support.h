// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include "repository.h"
#include "support.h"

namespace Storage {

template<> struct TableTraits<Domain::SlaPolicy>
{
    static QString table() { return QStringLiteral("sla_policies"); }
    static QString singular() { return QStringLiteral("SLA policy"); }
    static const QList<Column<Domain::SlaPolicy>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::SupportTicket>
{
    static QString table() { return QStringLiteral("support_tickets"); }
    static QString singular() { return QStringLiteral("support ticket"); }
    static const QList<Column<Domain::SupportTicket>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::TicketComment>
{
    static QString table() { return QStringLiteral("ticket_comments"); }
    static QString singular() { return QStringLiteral("ticket comment"); }
    static const QList<Column<Domain::TicketComment>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::RoutingRule>
{
    static QString table() { return QStringLiteral("routing_rules"); }
    static QString singular() { return QStringLiteral("routing rule"); }
    static const QList<Column<Domain::RoutingRule>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::KbArticle>
{
    static QString table() { return QStringLiteral("kb_articles"); }
    static QString singular() { return QStringLiteral("knowledge base article"); }
    static const QList<Column<Domain::KbArticle>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::CustomerPortalSettings>
{
    static QString table() { return QStringLiteral("customer_portal_settings"); }
    static QString singular() { return QStringLiteral("customer portal settings"); }
    static const QList<Column<Domain::CustomerPortalSettings>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::SupportSchedule>
{
    static QString table() { return QStringLiteral("support_schedules"); }
    static QString singular() { return QStringLiteral("support schedule"); }
    static const QList<Column<Domain::SupportSchedule>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::WorkingHours>
{
    static QString table() { return QStringLiteral("support_schedule_hours"); }
    static QString singular() { return QStringLiteral("working interval"); }
    static const QList<Column<Domain::WorkingHours>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::ScheduleHoliday>
{
    static QString table() { return QStringLiteral("support_schedule_holidays"); }
    static QString singular() { return QStringLiteral("holiday"); }
    static const QList<Column<Domain::ScheduleHoliday>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::SlaPause>
{
    static QString table() { return QStringLiteral("ticket_sla_pauses"); }
    static QString singular() { return QStringLiteral("SLA pause"); }
    static const QList<Column<Domain::SlaPause>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

using SlaPolicyRepository = Repository<Domain::SlaPolicy>;
using SupportTicketRepository = Repository<Domain::SupportTicket>;
using TicketCommentRepository = Repository<Domain::TicketComment>;
using RoutingRuleRepository = Repository<Domain::RoutingRule>;
using KbArticleRepository = Repository<Domain::KbArticle>;
using CustomerPortalSettingsRepository = Repository<Domain::CustomerPortalSettings>;
using SupportScheduleRepository = Repository<Domain::SupportSchedule>; // the row only: hours and holidays apart
using WorkingHoursRepository = Repository<Domain::WorkingHours>;
using ScheduleHolidayRepository = Repository<Domain::ScheduleHoliday>;
using SlaPauseRepository = Repository<Domain::SlaPause>;

// Full-text search over the knowledge base (title weighted above body above tags), best match first, soft-deleted
// articles excluded; FTS5 on SQLite, tsvector + plainto_tsquery on PostgreSQL (migration 0009). `text` is what
// a user typed: it is never interpreted as query syntax. limit 1..1000; blank text is an error naming "query".
Core::Result<QList<Domain::KbArticle>> searchKbArticles(const Database &db, const QString &text, int limit = 25);

// The FTS5 MATCH expression for user text: each whitespace-separated word becomes an FTS5 string ("...", inner
// quotes doubled), so FTS5 operators and punctuation (AND OR NOT NEAR * ^ : - + ( ) ") are plain text and the
// words are ANDed, as plainto_tsquery does. Words without a letter or digit and PostgreSQL's english stop words
// are dropped, so both dialects search for the same terms. Empty when nothing searchable is left.
QString toFts5Query(const QString &text);

} // namespace Storage
