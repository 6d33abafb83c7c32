// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include "enumnames.h"
#include "error.h"
#include "record.h"

// Support (schema 0004): SLA policies, tickets mirrored from Zendesk and their comments, routing rules, the
// knowledge base and per-customer portal settings.
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
