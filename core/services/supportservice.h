// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QDate>
#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include "clock.h"
#include "engagement.h"
#include "feedbackservice.h"
#include "listquery.h"
#include "operations.h"
#include "support.h"
#include "tables_support.h"

namespace Core {

// ---- SLA ---------------------------------------------------------------------------------------------------

enum class SlaState {
    NoTarget, // no due time was stamped (no policy for the priority when the ticket opened)
    OnTrack, // still running, under the at-risk share of its target
    AtRisk, // still running, above the policy's at_risk_ratio (default 0.8) of its target
    Breached, // the due time passed without the event, or the event came late
    Met, // the event came on or before the due time
};

// One SLA clock of one ticket (first response or resolution), as of a given instant.
struct SlaClock
{
    SlaState state = SlaState::NoTarget;
    QDateTime dueAt;
    QDateTime doneAt; // when the response / resolution happened; invalid while running
    std::optional<double> elapsedRatio; // elapsed (to doneAt or now) / target; empty without a target
    std::optional<qint64> minutesLeft; // while running: negative once overdue
};

struct TicketSla
{
    SlaClock firstResponse;
    SlaClock resolution;
};

// The default policies ensureDefaultSlaPolicies() creates: first response / resolution minutes.
struct SlaDefault
{
    Domain::TicketPriority priority;
    int firstResponseMinutes;
    int resolutionMinutes;
};
QList<SlaDefault> defaultSlaPolicies(); // P0 5/60, P1 30/240, P2 120/1440, P3 240/2880, P4 480/4320

namespace SupportFormulas {
// The state of one SLA clock: target = due - opened; Met when done <= due, Breached when done > due or (still
// running and now > due), AtRisk when running and elapsed / target > atRiskRatio, else OnTrack.
SlaClock slaClock(const QDateTime &openedAt, const QDateTime &dueAt, const QDateTime &doneAt, double atRiskRatio,
    const QDateTime &now);
// A ticket's two clocks. The first response is first_response_at, or resolved_at when the ticket was solved
// without an earlier public reply (solving it answers the customer). The clocks do not pause while a ticket is
// pending or on hold, and run on calendar time (business-hour calendars are not supported).
TicketSla ticketSla(const Domain::SupportTicket &ticket, double atRiskRatio, const QDateTime &now);
// Median of the values (mean of the middle two for an even count); empty for no values.
std::optional<double> median(QList<double> values);
// met / (met + breached) in percent; empty when neither.
std::optional<double> attainmentPercent(int met, int breached);
} // namespace SupportFormulas

// ---- routing -----------------------------------------------------------------------------------------------

// What a routing rule's conditions are matched against.
struct TicketFacts
{
    QString customerId;
    Domain::TicketPriority priority = Domain::TicketPriority::P3;
    QString category;
    QString channel;
    QStringList tags;
    QString subject;
    QString description;
    QString tier; // the customer's, snake_case
    QString industry;
};

namespace Routing {
// The condition keys a rule may use. Each value is a string or a list of strings (any of them), compared
// case-insensitively; every key of a rule must match (AND); an empty conditions object matches every ticket.
//   priority, category, channel, customer_id, tier, industry: equal to one of the values
//   tags: the ticket has one of the tags
//   text_contains: the subject or description contains one of the values
QStringList conditionKeys();
Status validateConditions(const QVariantMap &conditions);
bool matches(const QVariantMap &conditions, const TicketFacts &facts);
} // namespace Routing

struct RoutingDecision
{
    bool matched = false;
    qint64 ruleId = 0;
    QString ruleName;
    QString assignee;
    QString team;
    std::optional<Domain::TicketPriority> priority; // the rule's set_priority
};

struct RoutingBatch
{
    int examined = 0;
    int routed = 0;
    int unmatched = 0;
    QList<std::pair<qint64, RoutingDecision>> decisions; // ticket id, decision
};

// ---- tickets -----------------------------------------------------------------------------------------------

struct NewTicket
{
    QString customerId;
    QString subject;
    QString description;
    std::optional<Domain::TicketPriority> priority; // empty: the routing rule's set_priority, else p3
    QString channel;
    std::optional<qint64> requesterContactId;
    QString category;
    QStringList tags;
    QString assignee; // both empty: routing rules decide
    QString assignedTeam;
    QString actor; // who opened it, for the timeline
};

// An update: only the fields that are set change. status may move between new/open/pending/on_hold only;
// solving, closing and reopening have their own methods.
struct TicketChanges
{
    std::optional<QString> subject;
    std::optional<QString> description;
    std::optional<Domain::TicketPriority> priority; // re-stamps the SLA due times from opened_at
    std::optional<Domain::TicketStatus> status;
    std::optional<QString> assignee;
    std::optional<QString> assignedTeam;
    std::optional<QString> category;
    std::optional<QStringList> tags;
};

enum class CommentAuthor { Agent, Customer };

struct NewComment
{
    QString body;
    QString author;
    CommentAuthor authorKind = CommentAuthor::Agent;
    bool isPublic = true;
};

struct CreatedTicket
{
    Domain::SupportTicket ticket;
    RoutingDecision routing;
    bool mirroredToZendesk = false; // an outbox message was queued
    QString slaNote; // why there is no SLA target, when there is none
};

struct EscalatedTicket
{
    Domain::SupportTicket ticket;
    Domain::Escalation escalation;
};

// An escalation without a ticket (a customer-level escalation: an executive complaint, a renewal at risk).
struct NewEscalation
{
    QString customerId;
    QString reason;
    Domain::EscalationSeverity severity = Domain::EscalationSeverity::Medium;
    QString owner;
    QString actor; // for the timeline
};

// Only the set fields change. Status moves open -> investigating -> resolved -> closed (skipping steps is allowed,
// going back from resolved reopens it; closed is final); resolving needs a resolution text.
struct EscalationChanges
{
    std::optional<Domain::EscalationStatus> status;
    std::optional<Domain::EscalationSeverity> severity;
    std::optional<QString> owner;
    std::optional<QString> resolution;
};

struct TicketDetail
{
    Domain::SupportTicket ticket;
    TicketSla sla;
    QList<Domain::TicketComment> comments; // the latest 100, oldest first
    int commentCount = 0;
    QList<Domain::Escalation> escalations; // newest first
};

// ---- SLA monitor and analytics -----------------------------------------------------------------------------

struct SlaWatchItem
{
    qint64 ticketId = 0;
    QString customerId;
    QString subject;
    Domain::TicketPriority priority = Domain::TicketPriority::P3;
    Domain::TicketStatus status = Domain::TicketStatus::New;
    QString assignee;
    TicketSla sla;
};

struct SlaBreachReport
{
    QDateTime asOf;
    int openTickets = 0;
    int firstResponseBreached = 0;
    int resolutionBreached = 0;
    int atRisk = 0; // at risk on either clock, breached on neither
    int totalItems = 0; // before the limit
    QList<SlaWatchItem> items; // breached first (longest overdue first), then at risk (least time left first)
};

struct SlaAttainment
{
    int met = 0;
    int breached = 0;
    int running = 0; // still within target: no outcome yet
    int withoutTarget = 0;
    std::optional<double> percent; // met / (met + breached)
};

struct DurationStats
{
    int count = 0;
    std::optional<double> medianMinutes;
};

struct TicketCsat
{
    int rated = 0;
    int satisfied = 0; // 4-5
    std::optional<double> percent; // satisfied / rated (DESIGN.md §4 CSAT)
    std::optional<double> mean; // mean rating 1-5
};

struct BacklogRow
{
    Domain::TicketPriority priority = Domain::TicketPriority::P3;
    int total = 0;
    int underOneDay = 0;
    int oneToThreeDays = 0;
    int threeToSevenDays = 0;
    int sevenToThirtyDays = 0;
    int overThirtyDays = 0;
};

struct SupportWeek
{
    QDate weekStart; // clipped to the period
    QDate weekEnd;
    int opened = 0;
    int resolved = 0; // of those opened that week
    SlaAttainment firstResponse;
    SlaAttainment resolution;
    TicketCsat csat;
    DurationStats firstResponseTime;
    DurationStats resolutionTime;
};

// Support performance over the tickets OPENED in [from, to] (the cohort), plus the open backlog as of now.
struct SupportPerformance
{
    QDate from;
    QDate to;
    QDateTime asOf;
    int opened = 0;
    int resolved = 0;
    int escalated = 0;
    SlaAttainment firstResponse;
    SlaAttainment resolution;
    TicketCsat csat;
    DurationStats firstResponseTime;
    DurationStats resolutionTime;
    int backlogTotal = 0;
    QList<BacklogRow> backlog; // one row per priority, p0 first
    QList<SupportWeek> weekly;
    QString noDataReason; // set when no ticket was opened in the period
};

// Support: tickets and their comments (with validated transitions), SLA policies, targets and breaches, routing
// rules, escalations, the knowledge base, customer portal settings and support analytics, all from stored tickets.
//
// Zendesk mirroring (DESIGN.md §6): with Options::mirrorToZendesk, every ticket change made through this
// service queues one outbox row (kind 'ticket', target 'zendesk') in the same transaction. Payload:
//   { "action": "create" | "update" | "comment", "ticket_id": <our id>, "external_id": <Zendesk id or null>,
//     "ticket": { subject, description, priority, status, tags, assignee, assigned_team, category, channel,
//                 requester_contact_id, customer_id }          (create / update)
//     "comment": { id, body, author, public }                   (comment) }
// idempotency key "zendesk:ticket:<id>:<action>:<version or comment id>". Deliver in id order: an update may
// follow a create whose Zendesk id is not known yet. Ratings are not mirrored (Zendesk only accepts a
// satisfaction rating from the requester). The inbound Zendesk sync must write through the repositories, not
// through these methods, or it would echo changes back. Without mirroring nothing is queued.
class SupportService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SupportService)

public:
    struct Options
    {
        bool mirrorToZendesk = false; // only when a Zendesk account is configured
    };

    SupportService(const Storage::Database &db, const Clock &clock, Options options, QObject *parent = nullptr);
    SupportService(const Storage::Database &db, const Clock &clock, QObject *parent = nullptr);

    // ---- SLA policies
    // Creates the default policy of every priority that has none; returns how many it created.
    Result<int> ensureDefaultSlaPolicies();
    Result<QList<Domain::SlaPolicy>> slaPolicies() const; // p0 first
    // Optimistic (meta.version). Open tickets keep the due times stamped when they opened.
    Result<Domain::SlaPolicy> updateSlaPolicy(const Domain::SlaPolicy &policy);

    // ---- tickets (handle_support_ticket)
    Result<CreatedTicket> createTicket(const NewTicket &ticket);
    Result<TicketDetail> ticket(qint64 id) const;
    Result<Storage::Page<Domain::SupportTicket>> listTickets(const Storage::ListQuery &query) const;
    // expectedVersion 0 = the stored one (no concurrency check).
    Result<Domain::SupportTicket> updateTicket(
        qint64 id, const TicketChanges &changes, const QString &actor, int expectedVersion = 0);
    // new/open/pending/on_hold -> solved. The note, if any, is added as a public agent comment.
    Result<Domain::SupportTicket> resolveTicket(
        qint64 id, const QString &note, const QString &actor, int expectedVersion = 0);
    // solved -> closed (closed tickets are read-only, as in Zendesk).
    Result<Domain::SupportTicket> closeTicket(qint64 id, const QString &actor, int expectedVersion = 0);
    // solved -> open (clears resolved_at). A closed ticket cannot be reopened: open a follow-up ticket.
    Result<Domain::SupportTicket> reopenTicket(
        qint64 id, const QString &reason, const QString &actor, int expectedVersion = 0);
    // An open ticket -> escalated, with a row in escalations. Refused while an earlier escalation is unresolved.
    Result<EscalatedTicket> escalateTicket(qint64 id, const QString &reason, Domain::EscalationSeverity severity,
        const QString &owner, const QString &actor);
    // Any ticket but a closed one. A public agent comment is the first response when there was none (and moves a
    // new ticket to open); a customer comment moves a pending or on-hold ticket back to open.
    Result<Domain::TicketComment> addComment(qint64 ticketId, const NewComment &comment);
    Result<Storage::Page<Domain::TicketComment>> comments(
        qint64 ticketId, int limit = 50, const QString &cursor = {}) const;
    // CSAT 1-5 of a solved or closed ticket (a later rating replaces the earlier one).
    Result<Domain::SupportTicket> rateTicket(qint64 id, int csat, const QString &comment);
    Result<QList<Domain::Escalation>> escalations(qint64 ticketId) const;

    // ---- escalations (manage_escalations); ticket escalations start with escalateTicket()
    Result<Domain::Escalation> openEscalation(const NewEscalation &escalation);
    Result<Domain::Escalation> escalation(qint64 id) const;
    Result<Storage::Page<Domain::Escalation>> listEscalations(const Storage::ListQuery &query) const;
    Result<Domain::Escalation> updateEscalation(
        qint64 id, const EscalationChanges &changes, const QString &actor, int expectedVersion = 0);

    // ---- customer portal (manage_customer_portal)
    // The saved settings, or nullopt when the customer's portal was never configured (no defaults are invented).
    Result<std::optional<Domain::CustomerPortalSettings>> portalSettings(const QString &customerId) const;
    // Creates the row, or updates it: then meta.version must be the stored one (ErrorCode::Conflict otherwise).
    Result<Domain::CustomerPortalSettings> savePortalSettings(const Domain::CustomerPortalSettings &settings);

    // ---- SLA monitor
    Result<TicketSla> ticketSla(qint64 ticketId) const;
    // Open tickets breached or at risk on either clock, as of now (Clock).
    Result<SlaBreachReport> slaBreaches(
        int limit = 50, bool includeAtRisk = true, const CustomerScope &scope = {}) const;

    // ---- routing (route_tickets)
    Result<Domain::RoutingRule> createRoutingRule(const Domain::RoutingRule &rule);
    Result<Domain::RoutingRule> updateRoutingRule(const Domain::RoutingRule &rule);
    Status removeRoutingRule(qint64 id, int expectedVersion = 0);
    Result<QList<Domain::RoutingRule>> routingRules(bool includeInactive = true) const; // by position, at most 1000
    // The first active rule (lowest position, then lowest id) whose conditions match; applied when apply is set.
    Result<RoutingDecision> routeTicket(qint64 ticketId, bool apply = true);
    // Routes open tickets that have neither assignee nor team, oldest first.
    Result<RoutingBatch> routeUnassignedTickets(int limit = 100);

    // ---- knowledge base (manage_knowledge_base, update_knowledge_base)
    Result<Domain::KbArticle> createArticle(const Domain::KbArticle &article); // stamps published_at when published
    Result<Domain::KbArticle> updateArticle(const Domain::KbArticle &article); // optimistic (meta.version)
    Status removeArticle(qint64 id, int expectedVersion = 0);
    Result<Domain::KbArticle> article(qint64 id) const;
    Result<Domain::KbArticle> articleBySlug(const QString &slug) const;
    Result<Storage::Page<Domain::KbArticle>> listArticles(const Storage::ListQuery &query) const;
    // Full-text search (title above body above tags), best match first; drafts and archived articles only when
    // includeUnpublished.
    Result<QList<Domain::KbArticle>> searchArticles(
        const QString &text, int limit = 25, bool includeUnpublished = false) const;
    // Counters that do not bump the version, so an editor's open copy stays current.
    Status recordArticleView(qint64 id);
    Status voteArticle(qint64 id, bool helpful);

    // ---- analytics (analyze_support_performance)
    Result<SupportPerformance> supportPerformance(
        const QDate &from, const QDate &to, const CustomerScope &scope = {}) const;

Q_SIGNALS:
    void ticketCreated(const QString &customerId, qint64 ticketId);
    void ticketChanged(const QString &customerId, qint64 ticketId);
    void slaPoliciesChanged();
    void routingRulesChanged();
    void knowledgeBaseChanged(qint64 articleId);
    void escalationChanged(const QString &customerId, qint64 escalationId);
    void portalSettingsChanged(const QString &customerId);

private:
    struct Change;
    Result<Domain::SupportTicket> loadTicket(qint64 id) const;
    Result<Domain::SupportTicket> applyChange(const Change &change);
    Status stampSla(Domain::SupportTicket &ticket, QString *note = nullptr) const;
    Status queueMirror(const Domain::SupportTicket &ticket, const QString &action, const QVariantMap &extra) const;
    Status addTimeline(const Domain::SupportTicket &ticket, Domain::TimelineEventKind kind, const QString &title,
        const QVariantMap &detail, const QString &actor) const;
    Result<RoutingDecision> decide(const Domain::SupportTicket &ticket) const;

    const Storage::Database &m_db;
    const Clock &m_clock;
    Options m_options;
};

} // namespace Core

namespace Domain {
CS_ENUM_NAMES(Core::SlaState, { Core::SlaState::NoTarget, "no_target" }, { Core::SlaState::OnTrack, "on_track" },
    { Core::SlaState::AtRisk, "at_risk" }, { Core::SlaState::Breached, "breached" }, { Core::SlaState::Met, "met" });
CS_ENUM_NAMES(
    Core::CommentAuthor, { Core::CommentAuthor::Agent, "agent" }, { Core::CommentAuthor::Customer, "customer" });
} // namespace Domain
