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

#include "businesscalendar.h"
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
    Paused, // resolution only: the ticket is pending or on hold, the clock stands still and cannot breach
};

// One SLA clock of one ticket (first response or resolution), as of a given instant. Elapsed and target count
// working time: business hours of the support schedule when the policy is business-hours-only, else calendar
// time; the resolution clock leaves out the time the ticket was pending or on hold.
struct SlaClock
{
    SlaState state = SlaState::NoTarget;
    QDateTime dueAt; // invalid while paused (the due time moves later by the paused working time)
    QDateTime doneAt; // when the response / resolution happened; invalid while running
    std::optional<double> elapsedRatio; // elapsed (to doneAt or now) / target; empty without a target
    std::optional<qint64> minutesLeft; // while running or paused: target - elapsed, working minutes; <= 0 once overdue
    std::optional<qint64> targetMinutes; // working minutes
    qint64 elapsedMinutes = 0; // working minutes, paused time excluded
    qint64 pausedMinutes = 0; // working minutes the clock stood still
    bool businessHours = false; // counted on the support schedule
};

// A period a ticket's resolution clock stood still (pending or on hold); end is invalid while it still does.
struct SlaPausePeriod
{
    QDateTime start;
    QDateTime end;
};

// How the clocks of one priority run: its policy's targets and at-risk ratio, and the calendar they count (the
// support schedule for a business-hours-only policy, else calendar time).
struct SlaRules
{
    std::optional<int> firstResponseMinutes; // both empty: no policy
    std::optional<int> resolutionMinutes;
    double atRiskRatio = 0.8;
    bool businessHours = false;
    BusinessCalendar calendar;
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
// The state of one SLA clock on calendar time without pauses: target = due - opened; Met when done <= due, Breached
// when done > due or (still running and now > due), AtRisk when running and elapsed / target > atRiskRatio, else
// OnTrack.
SlaClock slaClock(const QDateTime &openedAt, const QDateTime &dueAt, const QDateTime &doneAt, double atRiskRatio,
    const QDateTime &now);
// The same rule on working time with pauses left out: elapsed = working time from opened to done (or now) minus the
// working time inside the pauses; target = the same measure up to the due time, or targetMinutes while a pause keeps
// the due time unknown. Met when done <= due; Breached when done > due or now > due (a clock that ran out before a
// pause stays breached); Paused while the last pause is open; else AtRisk above the ratio, OnTrack under it.
SlaClock slaClock(const QDateTime &openedAt, const QDateTime &dueAt, const QDateTime &doneAt,
    std::optional<qint64> targetMinutes, const QList<SlaPausePeriod> &pauses, const BusinessCalendar &calendar,
    double atRiskRatio, const QDateTime &now);
// Working time in [from, to) minus the working time inside the pauses.
qint64 activeMsecs(
    const QDateTime &from, const QDateTime &to, const QList<SlaPausePeriod> &pauses, const BusinessCalendar &calendar);
// When a clock of targetMinutes working minutes that starts at openedAt falls due, each pause that starts before
// then pushing it later by the pause's working time; invalid while a pause that started before then is still open.
// pauses sorted by start.
QDateTime dueAt(const QDateTime &openedAt, qint64 targetMinutes, const QList<SlaPausePeriod> &pauses,
    const BusinessCalendar &calendar);
// A ticket's two clocks. The first response is first_response_at, or resolved_at when the ticket was solved
// without an earlier public reply (solving it answers the customer); it is never paused. The resolution clock
// leaves out the pauses.
TicketSla ticketSla(const Domain::SupportTicket &ticket, const SlaRules &rules, const QList<SlaPausePeriod> &pauses,
    const QDateTime &now);
// Calendar time, no pauses (tickets stamped before schedules and pauses existed read the same either way).
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

// A ticket a bulk import updated, as it was before (SupportService::settleImportedTickets).
struct ImportedTicketUpdate
{
    qint64 id = 0;
    Domain::TicketPriority priority = Domain::TicketPriority::P3;
    Domain::TicketStatus status = Domain::TicketStatus::New;
    QDateTime openedAt;
};

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

struct SlaPolicyUpdate
{
    Domain::SlaPolicy policy;
    int restampedTickets = 0; // open tickets whose due times moved
};

struct ScheduleUpdate
{
    Domain::SupportSchedule schedule;
    int restampedTickets = 0;
};

// Support: tickets and their comments (with validated transitions), SLA policies, targets and breaches, routing
// rules, escalations, the knowledge base, customer portal settings and support analytics, all from stored tickets.
//
// SLA clocks (schema 0014): the due times stamped on a ticket count its priority's policy minutes in working time,
// the support schedule's business hours for a business-hours-only policy, else calendar time. The resolution
// clock stands still while the ticket is pending or on hold (Zendesk's "agent work time"): each period is a row in
// ticket_sla_pauses, written in the transaction of the status change. While paused, resolution_due_at is NULL (it
// is not known until the clock runs again), so the breach queries that compare it with now in SQL (health,
// communication) never count a paused ticket; when the pause ends it is restamped, later by the paused working
// time. A clock that ran out before the pause keeps its due time and stays breached. The first response is never
// paused. Due times are restamped on opening, on a priority change, when a pause begins or ends, on reopening,
// and for every open ticket concerned when a policy or the schedule changes.
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
    // Also creates the default support schedule when there is none (Mon-Fri 09:00-17:00 in the system time zone,
    // UTC when that is unknown).
    Result<int> ensureDefaultSlaPolicies();
    Result<QList<Domain::SlaPolicy>> slaPolicies() const; // p0 first
    // Optimistic (meta.version). businessHoursOnly counts the support schedule (created with the defaults when
    // there is none). The open tickets of the priority are restamped in the same transaction.
    Result<SlaPolicyUpdate> updateSlaPolicy(const Domain::SlaPolicy &policy);

    // ---- support schedule (one per portfolio; manage_sla)
    // nullopt when none was ever created (ensureDefaultSlaPolicies creates the default).
    Result<std::optional<Domain::SupportSchedule>> supportSchedule() const;
    Result<int> ensureDefaultSupportSchedule(); // 1 when it created the schedule, else 0
    // Replaces time zone, weekly hours and holidays (creates the schedule when there is none); a stored schedule is
    // optimistic on meta.version (0 = the stored one). Restamps the open tickets of every business-hours-only
    // priority in the same transaction. Emits slaPoliciesChanged.
    Result<ScheduleUpdate> updateSupportSchedule(const Domain::SupportSchedule &schedule);
    Result<ScheduleUpdate> addHoliday(const QDate &date, const QString &name, int expectedVersion = 0);
    Result<ScheduleUpdate> removeHoliday(const QDate &date, int expectedVersion = 0);
    // Recomputes first_response_due_at / resolution_due_at of the open tickets (new, open, pending, on_hold) of the
    // given priorities (every priority when empty) from the policies, the schedule and the recorded pauses, and
    // writes those that changed without bumping the ticket version (a recalculation, not an edit: an open editor
    // keeps its copy). Returns how many changed.
    Result<int> restampOpenTickets(const QList<Domain::TicketPriority> &priorities = {});
    // For importers that write tickets in bulk (the CSV import), in their transaction: the tickets with
    // id >= firstNewId and those in `updated` get the SLA clocks createTicket and a status change give.
    // - One pending or on hold without an open pause of that status starts one now (not before it was opened; when
    //   it began waiting is not known). An open pause of another status, or of a ticket no longer waiting, ends now,
    //   or at resolved_at when the ticket is solved or closed and was solved earlier, but never before it began.
    // - Due times are stamped from the policies, the schedule and the pauses (none without a policy for the
    //   priority) for every new ticket, and for an updated one when its priority or opened_at changed, a pause
    //   began or ended (pending <-> on hold included), or a solved ticket was reopened. An unchanged one keeps its
    //   stamps, even after a policy change (a solved ticket keeps its history). The first entry of an id in
    //   `updated` counts.
    // Returns how many tickets' due times it wrote.
    Result<int> settleImportedTickets(qint64 firstNewId, const QList<ImportedTicketUpdate> &updated);

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
    // Open tickets breached or at risk on either clock, as of now (Clock); limit 0: all of them (the SLA monitor).
    // A paused ticket (pending, on hold) is watched on its first response only: its resolution clock is Paused and
    // neither at risk nor breached, unless it had run out before the pause (then it stays Breached).
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
    struct SlaSetup;
    Result<int> ensureSchedule(); // ensureDefaultSupportSchedule without the signal (callers emit after commit)
    Result<ScheduleUpdate> writeSchedule(const Domain::SupportSchedule &schedule); // the same for updates
    Result<SlaSetup> slaSetup() const;
    Status stampSla(Domain::SupportTicket &ticket, QString *note = nullptr) const;
    Result<TicketSla> slaOf(const Domain::SupportTicket &ticket) const;
    Status recordPause(const Domain::SupportTicket &before, const Domain::SupportTicket &after, const QDateTime &now);
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
    { Core::SlaState::AtRisk, "at_risk" }, { Core::SlaState::Breached, "breached" }, { Core::SlaState::Met, "met" },
    { Core::SlaState::Paused, "paused" });
CS_ENUM_NAMES(
    Core::CommentAuthor, { Core::CommentAuthor::Agent, "agent" }, { Core::CommentAuthor::Customer, "customer" });
} // namespace Domain
