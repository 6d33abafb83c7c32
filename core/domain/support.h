// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QDate>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include "enumnames.h"
#include "error.h"
#include "record.h"

// Support (schema 0004): SLA policies, tickets mirrored from Zendesk and their comments, routing rules, the
// knowledge base and per-customer portal settings; schema 0014: the support schedule and SLA pauses.
namespace Domain {

// p0 is the most urgent.
enum class TicketPriority { P0, P1, P2, P3, P4 };
CS_ENUM_NAMES(TicketPriority, { TicketPriority::P0, "p0" }, { TicketPriority::P1, "p1" }, { TicketPriority::P2, "p2" },
    { TicketPriority::P3, "p3" }, { TicketPriority::P4, "p4" });

// Zendesk's ticket statuses.
enum class TicketStatus { New, Open, Pending, OnHold, Solved, Closed };
CS_ENUM_NAMES(TicketStatus, { TicketStatus::New, "new" }, { TicketStatus::Open, "open" },
    { TicketStatus::Pending, "pending" }, { TicketStatus::OnHold, "on_hold" }, { TicketStatus::Solved, "solved" },
    { TicketStatus::Closed, "closed" });

enum class KbArticleStatus { Draft, Published, Archived };
CS_ENUM_NAMES(KbArticleStatus, { KbArticleStatus::Draft, "draft" }, { KbArticleStatus::Published, "published" },
    { KbArticleStatus::Archived, "archived" });

// The SLA for one priority. A ticket is at risk once at_risk_ratio of its SLA time has elapsed.
struct SlaPolicy
{
    qint64 id = 0;
    TicketPriority priority = TicketPriority::P3; // unique: one policy per priority
    int firstResponseMinutes = 0;
    int resolutionMinutes = 0;
    double atRiskRatio = 0.8; // (0, 1]
    bool businessHoursOnly = false;
    RecordMeta meta; // versioned, never soft-deleted

    Core::Status validate() const;
};

// One working interval of the support schedule: [startMinute, endMinute) local time on a weekday.
struct WorkingHours
{
    qint64 id = 0;
    qint64 scheduleId = 0;
    int weekday = 1; // 1 = Monday ... 7 = Sunday (Qt::DayOfWeek)
    int startMinute = 0; // 0..1439
    int endMinute = 0; // 1..1440 (1440 = midnight at the end of the day)
    RecordMeta meta;

    Core::Status validate() const;
};

// A day without working time (a public holiday, a company day off), in the schedule's time zone.
struct ScheduleHoliday
{
    qint64 id = 0;
    qint64 scheduleId = 0;
    QDate date;
    QString name;
    RecordMeta meta;

    Core::Status validate() const;
};

// The support schedule that business-hours-only SLA policies count: one per portfolio (the schema allows one row),
// an IANA time zone, the weekly working intervals and the holidays.
struct SupportSchedule
{
    qint64 id = 0;
    QString timeZone; // IANA id, e.g. "Europe/Berlin"
    QList<WorkingHours> weeklyHours; // sorted by weekday, then start
    QList<ScheduleHoliday> holidays; // sorted by date
    RecordMeta meta; // versioned, never soft-deleted

    // Errors name the field: time_zone, weekly_hours (empty week, start >= end, overlaps), holidays (duplicates).
    Core::Status validate() const;
};

// A period a ticket's resolution clock stood still because the ticket waited on the customer (pending) or on a
// third party (on_hold); endedAt is invalid while the ticket is still paused.
struct SlaPause
{
    qint64 id = 0;
    qint64 ticketId = 0;
    TicketStatus status = TicketStatus::Pending; // pending or on_hold
    QDateTime startedAt;
    QDateTime endedAt;
    RecordMeta meta;

    Core::Status validate() const;
};

struct SupportTicket
{
    qint64 id = 0;
    QString customerId;
    QString externalId; // Zendesk ticket id
    QString subject;
    QString description;
    TicketPriority priority = TicketPriority::P3;
    TicketStatus status = TicketStatus::New;
    QString channel; // free text: Zendesk's via.channel has many values
    std::optional<qint64> requesterContactId;
    QString assignee;
    QString assignedTeam;
    QString category;
    QStringList tags;
    QDateTime openedAt; // required; the services stamp it from their Clock
    QDateTime firstResponseAt;
    QDateTime resolvedAt;
    QDateTime closedAt;
    QDateTime firstResponseDueAt; // stamped from the SLA policy when the ticket opens or changes priority
    QDateTime resolutionDueAt;
    std::optional<int> csat; // 1-5
    QString csatComment;
    bool escalated = false;
    RecordMeta meta;

    // Still waiting on us or the customer (the statuses the SLA monitor watches).
    bool isOpen() const;
    Core::Status validate() const;
};

// A comment on a ticket (append-only: no version, no soft delete).
struct TicketComment
{
    qint64 id = 0;
    qint64 ticketId = 0;
    QString externalId; // Zendesk comment id
    QString author;
    bool isPublic = true;
    QString body;
    QDateTime commentedAt; // required
    RecordMeta meta;

    Core::Status validate() const;
};

// Ordered routing: the first active rule (lowest position) whose conditions match a ticket wins.
struct RoutingRule
{
    qint64 id = 0;
    QString name;
    int position = 0;
    QVariantMap conditions; // e.g. {"category": "billing", "tier": ["enterprise"]}
    QString targetTeam; // at least one of target_team / target_assignee
    QString targetAssignee;
    std::optional<TicketPriority> setPriority; // nullopt = keep the ticket's priority
    bool isActive = true;
    RecordMeta meta;

    Core::Status validate() const;
};

struct KbArticle
{
    qint64 id = 0;
    QString slug; // unique among live articles; lower-case letters, digits, '-' and '_'
    QString title;
    QString body; // required: see validate()
    QStringList tags;
    QString category;
    KbArticleStatus status = KbArticleStatus::Draft;
    QString author;
    int views = 0;
    int helpfulVotes = 0;
    int unhelpfulVotes = 0;
    QDateTime publishedAt;
    RecordMeta meta;

    Core::Status validate() const;
};

// One customer's portal: on/off, which features it shows, its branding (logo, colours).
struct CustomerPortalSettings
{
    qint64 id = 0;
    QString customerId; // unique: one row per customer
    bool isEnabled = true;
    QVariantMap features;
    QVariantMap branding;
    RecordMeta meta; // versioned, never soft-deleted

    Core::Status validate() const;
};

} // namespace Domain
