// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "supportservice.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include <QHash>
#include <QSet>
#include <QSqlRecord>

#include "sql.h"
#include "tables_customers.h"
#include "tables_engagement.h"
#include "tables_operations.h"
#include "transaction.h"

namespace Core {

using namespace Qt::StringLiterals;
using Domain::enumName;
using Domain::SupportTicket;
using Domain::TicketPriority;
using Domain::TicketStatus;

QList<SlaDefault> defaultSlaPolicies()
{
    // The defaults (first response / resolution, minutes): urgent tickets are answered within minutes and
    // solved within the hour, the lowest priority within a working day and three days.
    return { { TicketPriority::P0, 5, 60 }, { TicketPriority::P1, 30, 240 }, { TicketPriority::P2, 120, 1440 },
        { TicketPriority::P3, 240, 2880 }, { TicketPriority::P4, 480, 4320 } };
}

// ---- formulas -----------------------------------------------------------------------------------------------

namespace SupportFormulas {

SlaClock slaClock(const QDateTime &openedAt, const QDateTime &dueAt, const QDateTime &doneAt, double atRiskRatio,
    const QDateTime &now)
{
    SlaClock clock;
    clock.dueAt = dueAt;
    clock.doneAt = doneAt;
    if (!openedAt.isValid() || !dueAt.isValid())
        return clock; // NoTarget
    const qint64 target = openedAt.msecsTo(dueAt);
    const QDateTime end = doneAt.isValid() ? doneAt : now;
    if (target > 0)
        clock.elapsedRatio = double(openedAt.msecsTo(end)) / double(target);
    if (doneAt.isValid()) {
        clock.state = doneAt <= dueAt ? SlaState::Met : SlaState::Breached;
        return clock;
    }
    clock.minutesLeft = qint64(std::floor(double(now.secsTo(dueAt)) / 60.0));
    if (now > dueAt)
        clock.state = SlaState::Breached;
    else if (clock.elapsedRatio && *clock.elapsedRatio > atRiskRatio)
        clock.state = SlaState::AtRisk; // "above 80 % of the target": strictly above the ratio
    else
        clock.state = SlaState::OnTrack;
    return clock;
}

TicketSla ticketSla(const SupportTicket &ticket, double atRiskRatio, const QDateTime &now)
{
    const QDateTime firstResponse = ticket.firstResponseAt.isValid() ? ticket.firstResponseAt : ticket.resolvedAt;
    return { slaClock(ticket.openedAt, ticket.firstResponseDueAt, firstResponse, atRiskRatio, now),
        slaClock(ticket.openedAt, ticket.resolutionDueAt, ticket.resolvedAt, atRiskRatio, now) };
}

std::optional<double> median(QList<double> values)
{
    if (values.isEmpty())
        return std::nullopt;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

std::optional<double> attainmentPercent(int met, int breached)
{
    if (met + breached <= 0)
        return std::nullopt;
    return 100.0 * double(met) / double(met + breached);
}

} // namespace SupportFormulas

// ---- routing ------------------------------------------------------------------------------------------------

namespace Routing {

QStringList conditionKeys()
{
    return { u"priority"_s, u"category"_s, u"channel"_s, u"customer_id"_s, u"tier"_s, u"industry"_s, u"tags"_s,
        u"text_contains"_s };
}

namespace {
QStringList conditionValues(const QVariant &value)
{
    QStringList values;
    if (value.typeId() == QMetaType::QVariantList || value.typeId() == QMetaType::QStringList) {
        for (const QVariant &v : value.toList())
            values << v.toString().trimmed();
    } else {
        values << value.toString().trimmed();
    }
    return values;
}

bool equalsAny(const QString &actual, const QStringList &values)
{
    return std::any_of(
        values.cbegin(), values.cend(), [&](const QString &v) { return actual.compare(v, Qt::CaseInsensitive) == 0; });
}
} // namespace

Status validateConditions(const QVariantMap &conditions)
{
    const QStringList known = conditionKeys();
    for (auto it = conditions.cbegin(); it != conditions.cend(); ++it) {
        if (!known.contains(it.key())) {
            return Error::invalid(
                u"conditions"_s, u"unknown condition '%1'; use one of %2"_s.arg(it.key(), known.join(u", "_s)));
        }
        const QStringList values = conditionValues(it.value());
        if (values.isEmpty() || values.size() > 100
            || std::any_of(values.cbegin(), values.cend(), [](const QString &v) { return v.isEmpty(); })) {
            return Error::invalid(
                u"conditions"_s, u"'%1' must be a non-empty string or a list of 1 to 100 of them"_s.arg(it.key()));
        }
        for (const QString &v : values) {
            if (it.key() == u"priority"_s && !Domain::enumFromString<TicketPriority>(v.toLower())) {
                return Error::invalid(u"conditions"_s,
                    u"priority '%1' is not one of %2"_s.arg(v, Domain::enumValues<TicketPriority>().join(u", ")));
            }
            if (it.key() == u"tier"_s && !Domain::enumFromString<Domain::Tier>(v.toLower())) {
                return Error::invalid(u"conditions"_s,
                    u"tier '%1' is not one of %2"_s.arg(v, Domain::enumValues<Domain::Tier>().join(u", ")));
            }
        }
    }
    return {};
}

bool matches(const QVariantMap &conditions, const TicketFacts &facts)
{
    for (auto it = conditions.cbegin(); it != conditions.cend(); ++it) {
        const QString &key = it.key();
        const QStringList values = conditionValues(it.value());
        bool ok = false;
        if (key == u"priority"_s)
            ok = equalsAny(enumName(facts.priority), values);
        else if (key == u"category"_s)
            ok = equalsAny(facts.category, values);
        else if (key == u"channel"_s)
            ok = equalsAny(facts.channel, values);
        else if (key == u"customer_id"_s)
            ok = equalsAny(facts.customerId, values);
        else if (key == u"tier"_s)
            ok = equalsAny(facts.tier, values);
        else if (key == u"industry"_s)
            ok = equalsAny(facts.industry, values);
        else if (key == u"tags"_s)
            ok = std::any_of(
                facts.tags.cbegin(), facts.tags.cend(), [&](const QString &t) { return equalsAny(t, values); });
        else if (key == u"text_contains"_s) {
            const QString text = facts.subject + u'\n' + facts.description;
            ok = std::any_of(values.cbegin(), values.cend(),
                [&](const QString &v) { return text.contains(v, Qt::CaseInsensitive); });
        }
        if (!ok)
            return false; // unknown keys never match: a rule we do not understand routes nothing
    }
    return true;
}

} // namespace Routing

// ---- helpers ------------------------------------------------------------------------------------------------

namespace {

const QString kOpenStatuses = u"('new', 'open', 'pending', 'on_hold')"_s;

QString clipTitle(const QString &title)
{
    return title.size() <= 500 ? title : title.left(497) + u"..."_s;
}

Error ticketNotFound(qint64 id)
{
    return Error::notFound(u"ticket_id"_s, u"no support ticket with id %1"_s.arg(id));
}

Error transitionError(const QString &message)
{
    return Error::invalid(u"status"_s, message);
}

QVariantMap ticketPayload(const SupportTicket &t)
{
    return { { u"customer_id"_s, t.customerId }, { u"subject"_s, t.subject }, { u"description"_s, t.description },
        { u"priority"_s, enumName(t.priority) }, { u"status"_s, enumName(t.status) }, { u"tags"_s, t.tags },
        { u"assignee"_s, t.assignee }, { u"assigned_team"_s, t.assignedTeam }, { u"category"_s, t.category },
        { u"channel"_s, t.channel },
        { u"requester_contact_id"_s, t.requesterContactId ? QVariant(*t.requesterContactId) : QVariant() } };
}

// The at-risk ratio per priority from the stored policies; a priority without a policy uses the schema's default.
Result<QHash<TicketPriority, double>> atRiskRatios(const Storage::Database &db)
{
    auto rows = Storage::exec(db, u"SELECT priority, at_risk_ratio FROM sla_policies"_s);
    if (!rows)
        return rows.error();
    QHash<TicketPriority, double> ratios;
    while (rows->next()) {
        if (auto p = Domain::enumFromString<TicketPriority>(rows->value(0).toString()))
            ratios.insert(*p, rows->value(1).toDouble());
    }
    return ratios;
}

double ratioFor(const QHash<TicketPriority, double> &ratios, TicketPriority priority)
{
    return ratios.value(priority, Domain::SlaPolicy {}.atRiskRatio);
}

void count(SlaAttainment &a, SlaState state)
{
    switch (state) {
    case SlaState::Met:
        ++a.met;
        break;
    case SlaState::Breached:
        ++a.breached;
        break;
    case SlaState::OnTrack:
    case SlaState::AtRisk:
        ++a.running;
        break;
    case SlaState::NoTarget:
        ++a.withoutTarget;
        break;
    }
}

struct DurationAcc
{
    QList<double> firstResponse;
    QList<double> resolution;
    int rated = 0;
    int satisfied = 0;
    qint64 ratingSum = 0;
};

void finish(SlaAttainment &a)
{
    a.percent = SupportFormulas::attainmentPercent(a.met, a.breached);
}

TicketCsat csatOf(const DurationAcc &acc)
{
    TicketCsat c;
    c.rated = acc.rated;
    c.satisfied = acc.satisfied;
    if (acc.rated > 0) {
        c.percent = 100.0 * acc.satisfied / acc.rated;
        c.mean = double(acc.ratingSum) / acc.rated;
    }
    return c;
}

DurationStats statsOf(const QList<double> &values)
{
    return { int(values.size()), SupportFormulas::median(values) };
}

Status checkLimit(int limit, int max = 200)
{
    if (limit < 1 || limit > max)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(max));
    return {};
}

// The scope as a sub-select on customer_id, so that the ticket columns stay unqualified (the repositories'
// select lists) and soft-deleted customers drop out.
Result<QString> customerFilter(const Storage::Database &db, const CustomerScope &scope, QVariantList &bindings)
{
    auto condition = Periods::scopeCondition(db, scope, u"c"_s, bindings);
    if (!condition)
        return condition.error();
    return u"customer_id IN (SELECT c.id FROM customers c WHERE c.deleted_at IS NULL%1)"_s.arg(
        condition->isEmpty() ? QString() : u" AND "_s + *condition);
}

} // namespace

// A validated change of one ticket, written with its side effects (comment, escalation, timeline, outbox) in one
// transaction.
struct SupportService::Change
{
    qint64 ticketId = 0;
    int expectedVersion = 0;
    // Checks the transition on the stored ticket and changes it; an error leaves everything untouched.
    std::function<Status(SupportTicket &)> mutate;
    // Further writes after the ticket row, in the same transaction; may add to the outbox payload.
    std::function<Status(const SupportTicket &, QVariantMap &mirrorExtra)> alsoWrite;
    QString mirrorAction = u"update"_s;
    bool mirror = true;
};

SupportService::SupportService(const Storage::Database &db, const Clock &clock, Options options, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
    , m_options(options)
{ }

SupportService::SupportService(const Storage::Database &db, const Clock &clock, QObject *parent)
    : SupportService(db, clock, Options {}, parent)
{ }

// ---- SLA policies -------------------------------------------------------------------------------------------

Result<int> SupportService::ensureDefaultSlaPolicies()
{
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto rows = Storage::exec(m_db, u"SELECT priority FROM sla_policies"_s);
    if (!rows)
        return rows.error();
    QSet<QString> present;
    while (rows->next())
        present.insert(rows->value(0).toString());
    int created = 0;
    Storage::SlaPolicyRepository repo(m_db);
    for (const SlaDefault &d : defaultSlaPolicies()) {
        if (present.contains(enumName(d.priority)))
            continue;
        Domain::SlaPolicy policy;
        policy.priority = d.priority;
        policy.firstResponseMinutes = d.firstResponseMinutes;
        policy.resolutionMinutes = d.resolutionMinutes;
        policy.atRiskRatio = 0.8;
        if (auto ok = repo.create(policy); !ok)
            return ok.error();
        ++created;
    }
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    if (created > 0)
        Q_EMIT slaPoliciesChanged();
    return created;
}

Result<QList<Domain::SlaPolicy>> SupportService::slaPolicies() const
{
    Storage::ListQuery q;
    q.limit = 100;
    q.countTotal = false;
    q.orderBy = u"priority"_s;
    auto page = Storage::SlaPolicyRepository(m_db).list(q);
    if (!page)
        return page.error();
    return page->items;
}

Result<Domain::SlaPolicy> SupportService::updateSlaPolicy(const Domain::SlaPolicy &policy)
{
    if (policy.businessHoursOnly) {
        return Error::invalid(u"business_hours_only"_s,
            u"business-hour calendars are not supported yet: SLA clocks run on calendar time"_s);
    }
    auto updated = Storage::SlaPolicyRepository(m_db).update(policy);
    if (!updated && updated.error().code == ErrorCode::NotFound)
        return Error::notFound(u"policy_id"_s, u"no SLA policy with id %1"_s.arg(policy.id));
    if (updated)
        Q_EMIT slaPoliciesChanged();
    return updated;
}

Status SupportService::stampSla(SupportTicket &ticket, QString *note) const
{
    auto rows = Storage::exec(m_db,
        u"SELECT first_response_minutes, resolution_minutes FROM sla_policies WHERE priority = ?"_s,
        { enumName(ticket.priority) });
    if (!rows)
        return rows.error();
    if (!rows->next()) {
        ticket.firstResponseDueAt = {};
        ticket.resolutionDueAt = {};
        if (note) {
            *note
                = u"no SLA policy for %1: no SLA target was set (ensureDefaultSlaPolicies creates the defaults)"_s.arg(
                    enumName(ticket.priority));
        }
        return {};
    }
    ticket.firstResponseDueAt = ticket.openedAt.addSecs(rows->value(0).toLongLong() * 60);
    ticket.resolutionDueAt = ticket.openedAt.addSecs(rows->value(1).toLongLong() * 60);
    return {};
}

// ---- tickets ------------------------------------------------------------------------------------------------

Result<SupportTicket> SupportService::loadTicket(qint64 id) const
{
    auto found = Storage::SupportTicketRepository(m_db).get(id);
    if (!found && found.error().code == ErrorCode::NotFound)
        return ticketNotFound(id);
    return found;
}

Status SupportService::queueMirror(const SupportTicket &ticket, const QString &action, const QVariantMap &extra) const
{
    if (!m_options.mirrorToZendesk)
        return {};
    Domain::OutboxMessage message;
    message.kind = Domain::OutboxKind::Ticket;
    message.target = Domain::IntegrationVendor::Zendesk;
    message.customerId = ticket.customerId;
    message.payload = extra;
    message.payload.insert(u"action"_s, action);
    message.payload.insert(u"ticket_id"_s, ticket.id);
    message.payload.insert(u"external_id"_s, ticket.externalId.isEmpty() ? QVariant() : QVariant(ticket.externalId));
    if (action != u"comment"_s)
        message.payload.insert(u"ticket"_s, ticketPayload(ticket));
    const QString discriminator = action == u"comment"_s ? extra.value(u"comment"_s).toMap().value(u"id"_s).toString()
                                                         : QString::number(ticket.meta.version);
    message.idempotencyKey = u"zendesk:ticket:%1:%2:%3"_s.arg(ticket.id).arg(action, discriminator);
    message.nextAttemptAt = m_clock.now();
    auto queued = Storage::OutboxMessageRepository(m_db).create(message);
    if (!queued)
        return queued.error();
    return {};
}

Status SupportService::addTimeline(const SupportTicket &ticket, Domain::TimelineEventKind kind, const QString &title,
    const QVariantMap &detail, const QString &actor) const
{
    Domain::TimelineEvent event;
    event.customerId = ticket.customerId;
    event.occurredAt = m_clock.now();
    event.kind = kind;
    event.title = clipTitle(title);
    event.detail = detail;
    event.detail.insert(u"ticket_id"_s, ticket.id);
    event.detail.insert(u"priority"_s, enumName(ticket.priority));
    event.detail.insert(u"status"_s, enumName(ticket.status));
    if (!ticket.category.isEmpty())
        event.detail.insert(u"category"_s, ticket.category);
    event.sourceTable = u"support_tickets"_s;
    event.sourceId = QString::number(ticket.id);
    event.actor = actor.left(200);
    auto logged = Storage::TimelineEventRepository(m_db).create(event);
    if (!logged)
        return logged.error();
    return {};
}

Result<RoutingDecision> SupportService::decide(const SupportTicket &ticket) const
{
    auto rules = routingRules(false);
    if (!rules)
        return rules.error();
    TicketFacts facts;
    facts.customerId = ticket.customerId;
    facts.priority = ticket.priority;
    facts.category = ticket.category;
    facts.channel = ticket.channel;
    facts.tags = ticket.tags;
    facts.subject = ticket.subject;
    facts.description = ticket.description;
    auto customer = Storage::exec(m_db, u"SELECT tier, industry FROM customers WHERE id = ?"_s, { ticket.customerId });
    if (!customer)
        return customer.error();
    if (customer->next()) {
        facts.tier = customer->value(0).toString();
        facts.industry = customer->value(1).toString();
    }
    RoutingDecision decision;
    for (const Domain::RoutingRule &rule : *rules) {
        if (!rule.isActive || !Routing::matches(rule.conditions, facts))
            continue;
        decision.matched = true;
        decision.ruleId = rule.id;
        decision.ruleName = rule.name;
        decision.assignee = rule.targetAssignee;
        decision.team = rule.targetTeam;
        decision.priority = rule.setPriority;
        break;
    }
    return decision;
}

Result<CreatedTicket> SupportService::createTicket(const NewTicket &input)
{
    auto customer = Storage::CustomerRepository(m_db).get(input.customerId);
    if (!customer) {
        if (customer.error().code == ErrorCode::NotFound)
            return Error::notFound(u"customer_id"_s, u"no customer with id '%1'"_s.arg(input.customerId));
        return customer.error();
    }
    if (input.requesterContactId) {
        auto contact = Storage::exec(m_db, u"SELECT customer_id FROM contacts WHERE id = ? AND deleted_at IS NULL"_s,
            { *input.requesterContactId });
        if (!contact)
            return contact.error();
        if (!contact->next())
            return Error::notFound(
                u"requester_contact_id"_s, u"no contact with id %1"_s.arg(*input.requesterContactId));
        if (contact->value(0).toString() != input.customerId) {
            return Error::invalid(
                u"requester_contact_id"_s, u"contact %1 belongs to another customer"_s.arg(*input.requesterContactId));
        }
    }

    CreatedTicket result;
    SupportTicket t;
    t.customerId = input.customerId;
    t.subject = input.subject.trimmed();
    t.description = input.description;
    t.priority = input.priority.value_or(TicketPriority::P3);
    t.channel = input.channel.trimmed();
    t.requesterContactId = input.requesterContactId;
    t.category = input.category.trimmed();
    for (const QString &tag : input.tags) {
        if (!tag.trimmed().isEmpty() && !t.tags.contains(tag.trimmed()))
            t.tags << tag.trimmed();
    }
    t.assignee = input.assignee.trimmed();
    t.assignedTeam = input.assignedTeam.trimmed();
    t.openedAt = m_clock.now();
    if (auto valid = t.validate(); !valid)
        return valid.error();
    if (t.assignee.isEmpty() && t.assignedTeam.isEmpty()) {
        auto decision = decide(t);
        if (!decision)
            return decision.error();
        result.routing = *decision;
        if (decision->matched) {
            t.assignee = decision->assignee;
            t.assignedTeam = decision->team;
            if (decision->priority && !input.priority)
                t.priority = *decision->priority; // an explicit priority from the caller wins over the rule
        }
    }
    t.status = t.assignee.isEmpty() ? TicketStatus::New : TicketStatus::Open; // Zendesk: assigned = open
    if (auto stamped = stampSla(t, &result.slaNote); !stamped)
        return stamped.error();

    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto created = Storage::SupportTicketRepository(m_db).create(t);
    if (!created)
        return created.error();
    QVariantMap detail;
    if (!created->assignee.isEmpty())
        detail.insert(u"assignee"_s, created->assignee);
    if (!created->assignedTeam.isEmpty())
        detail.insert(u"assigned_team"_s, created->assignedTeam);
    if (result.routing.matched)
        detail.insert(u"routing_rule"_s, result.routing.ruleName);
    if (created->firstResponseDueAt.isValid())
        detail.insert(u"first_response_due_at"_s, created->firstResponseDueAt.toString(Qt::ISODateWithMs));
    if (auto ok = addTimeline(
            *created, Domain::TimelineEventKind::Ticket, u"Ticket opened: "_s + created->subject, detail, input.actor);
        !ok)
        return ok.error();
    if (auto ok = queueMirror(*created, u"create"_s, {}); !ok)
        return ok.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    result.ticket = *created;
    result.mirroredToZendesk = m_options.mirrorToZendesk;
    Q_EMIT ticketCreated(created->customerId, created->id);
    return result;
}

Result<TicketDetail> SupportService::ticket(qint64 id) const
{
    auto t = loadTicket(id);
    if (!t)
        return t.error();
    auto ratios = atRiskRatios(m_db);
    if (!ratios)
        return ratios.error();
    TicketDetail detail;
    detail.ticket = *t;
    detail.sla = SupportFormulas::ticketSla(*t, ratioFor(*ratios, t->priority), m_clock.now());
    auto rows = Storage::exec(m_db,
        u"SELECT %1 FROM ticket_comments WHERE ticket_id = ? ORDER BY commented_at DESC, id DESC LIMIT 100"_s.arg(
            Storage::TicketCommentRepository::selectList()),
        { id });
    if (!rows)
        return rows.error();
    const QSqlRecord rec = rows->record();
    while (rows->next())
        detail.comments.prepend(Storage::TicketCommentRepository::fromRow(*rows, rec));
    auto counted = Storage::exec(m_db, u"SELECT COUNT(*) FROM ticket_comments WHERE ticket_id = ?"_s, { id });
    if (!counted)
        return counted.error();
    if (counted->next())
        detail.commentCount = counted->value(0).toInt();
    auto escalated = escalations(id);
    if (!escalated)
        return escalated.error();
    detail.escalations = *escalated;
    return detail;
}

Result<Storage::Page<SupportTicket>> SupportService::listTickets(const Storage::ListQuery &query) const
{
    return Storage::SupportTicketRepository(m_db).list(query);
}

Result<SupportTicket> SupportService::applyChange(const Change &change)
{
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto t = loadTicket(change.ticketId);
    if (!t)
        return t.error();
    if (change.expectedVersion > 0 && change.expectedVersion != t->meta.version) {
        return Error::conflict(u"version"_s,
            u"this support ticket was changed by someone else since it was read (you have version %1, the stored "
            u"one is %2); reload it and apply your change again"_s.arg(change.expectedVersion)
                .arg(t->meta.version));
    }
    if (auto ok = change.mutate(*t); !ok)
        return ok.error();
    auto updated = Storage::SupportTicketRepository(m_db).update(*t);
    if (!updated)
        return updated.error();
    QVariantMap mirrorExtra;
    if (change.alsoWrite) {
        if (auto ok = change.alsoWrite(*updated, mirrorExtra); !ok)
            return ok.error();
    }
    if (change.mirror) {
        if (auto ok = queueMirror(*updated, change.mirrorAction, mirrorExtra); !ok)
            return ok.error();
    }
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    Q_EMIT ticketChanged(updated->customerId, updated->id);
    return updated;
}

Result<SupportTicket> SupportService::updateTicket(
    qint64 id, const TicketChanges &changes, const QString &actor, int expectedVersion)
{
    Q_UNUSED(actor)
    Change change;
    change.ticketId = id;
    change.expectedVersion = expectedVersion;
    change.mutate = [&](SupportTicket &t) -> Status {
        if (t.status == TicketStatus::Closed)
            return transitionError(u"closed tickets cannot be changed; open a follow-up ticket"_s);
        if (changes.status && *changes.status != t.status) {
            const TicketStatus to = *changes.status;
            if (to == TicketStatus::Solved)
                return transitionError(u"use resolve to solve a ticket"_s);
            if (to == TicketStatus::Closed)
                return transitionError(u"use close to close a ticket"_s);
            if (t.status == TicketStatus::Solved)
                return transitionError(u"a solved ticket is reopened with reopen"_s);
            if (to == TicketStatus::New)
                return transitionError(u"a ticket cannot go back to new"_s);
            t.status = to;
        }
        if (changes.subject)
            t.subject = changes.subject->trimmed();
        if (changes.description)
            t.description = *changes.description;
        if (changes.assignee)
            t.assignee = changes.assignee->trimmed();
        if (changes.assignedTeam)
            t.assignedTeam = changes.assignedTeam->trimmed();
        if (changes.category)
            t.category = changes.category->trimmed();
        if (changes.tags) {
            t.tags.clear();
            for (const QString &tag : *changes.tags) {
                if (!tag.trimmed().isEmpty() && !t.tags.contains(tag.trimmed()))
                    t.tags << tag.trimmed();
            }
        }
        if (t.status == TicketStatus::New && !t.assignee.isEmpty())
            t.status = TicketStatus::Open;
        if (changes.priority && *changes.priority != t.priority) {
            t.priority = *changes.priority;
            if (auto ok = stampSla(t); !ok)
                return ok;
        }
        return {};
    };
    return applyChange(change);
}

Result<SupportTicket> SupportService::resolveTicket(
    qint64 id, const QString &note, const QString &actor, int expectedVersion)
{
    const QDateTime now = m_clock.now();
    Change change;
    change.ticketId = id;
    change.expectedVersion = expectedVersion;
    change.mutate = [&](SupportTicket &t) -> Status {
        if (t.status == TicketStatus::Closed)
            return transitionError(u"cannot resolve a closed ticket"_s);
        if (t.status == TicketStatus::Solved)
            return transitionError(u"the ticket is already solved"_s);
        t.status = TicketStatus::Solved;
        t.resolvedAt = now;
        if (!note.trimmed().isEmpty() && !t.firstResponseAt.isValid())
            t.firstResponseAt = now; // the resolution note is the first public reply
        return {};
    };
    change.alsoWrite = [&](const SupportTicket &t, QVariantMap &extra) -> Status {
        QVariantMap detail { { u"resolved_at"_s, now.toString(Qt::ISODateWithMs) } };
        if (t.resolutionDueAt.isValid())
            detail.insert(u"resolution_sla_met"_s, now <= t.resolutionDueAt);
        if (!note.trimmed().isEmpty()) {
            Domain::TicketComment c;
            c.ticketId = t.id;
            c.author = actor.left(200);
            c.body = note.trimmed();
            c.isPublic = true;
            c.commentedAt = now;
            auto added = Storage::TicketCommentRepository(m_db).create(c);
            if (!added)
                return added.error();
            extra.insert(u"comment"_s,
                QVariantMap { { u"id"_s, added->id }, { u"body"_s, added->body }, { u"author"_s, added->author },
                    { u"public"_s, true } });
            detail.insert(u"note"_s, c.body.left(1000));
        }
        return addTimeline(t, Domain::TimelineEventKind::Ticket, u"Ticket resolved: "_s + t.subject, detail, actor);
    };
    return applyChange(change);
}

Result<SupportTicket> SupportService::closeTicket(qint64 id, const QString &actor, int expectedVersion)
{
    Q_UNUSED(actor)
    const QDateTime now = m_clock.now();
    Change change;
    change.ticketId = id;
    change.expectedVersion = expectedVersion;
    change.mutate = [&](SupportTicket &t) -> Status {
        if (t.status == TicketStatus::Closed)
            return transitionError(u"the ticket is already closed"_s);
        if (t.status != TicketStatus::Solved)
            return transitionError(u"only a solved ticket can be closed; resolve it first"_s);
        t.status = TicketStatus::Closed;
        t.closedAt = now;
        return {};
    };
    return applyChange(change);
}

Result<SupportTicket> SupportService::reopenTicket(
    qint64 id, const QString &reason, const QString &actor, int expectedVersion)
{
    Change change;
    change.ticketId = id;
    change.expectedVersion = expectedVersion;
    change.mutate = [&](SupportTicket &t) -> Status {
        if (t.status == TicketStatus::Closed)
            return transitionError(u"a closed ticket cannot be reopened; open a follow-up ticket"_s);
        if (t.status != TicketStatus::Solved)
            return transitionError(u"only a solved ticket can be reopened; this one is %1"_s.arg(enumName(t.status)));
        t.status = TicketStatus::Open;
        t.resolvedAt = {};
        return {};
    };
    change.alsoWrite = [&](const SupportTicket &t, QVariantMap &) -> Status {
        QVariantMap detail;
        if (!reason.trimmed().isEmpty())
            detail.insert(u"reason"_s, reason.trimmed().left(1000));
        return addTimeline(t, Domain::TimelineEventKind::Ticket, u"Ticket reopened: "_s + t.subject, detail, actor);
    };
    return applyChange(change);
}

Result<EscalatedTicket> SupportService::escalateTicket(
    qint64 id, const QString &reason, Domain::EscalationSeverity severity, const QString &owner, const QString &actor)
{
    if (reason.trimmed().isEmpty())
        return Error::invalid(u"reason"_s, u"is required: say why the ticket is escalated"_s);
    const QDateTime now = m_clock.now();
    Domain::Escalation escalation;
    Change change;
    change.ticketId = id;
    change.mutate = [&](SupportTicket &t) -> Status {
        if (!t.isOpen())
            return transitionError(u"only an open ticket can be escalated; this one is %1"_s.arg(enumName(t.status)));
        auto open = Storage::exec(m_db,
            u"SELECT id FROM escalations WHERE ticket_id = ? AND deleted_at IS NULL "
            u"AND status IN ('open', 'investigating') ORDER BY id LIMIT 1"_s,
            { t.id });
        if (!open)
            return open.error();
        if (open->next()) {
            return Error { ErrorCode::AlreadyExists, u"ticket_id"_s,
                u"ticket %1 is already escalated (escalation %2 is unresolved)"_s.arg(t.id).arg(
                    open->value(0).toLongLong()) };
        }
        t.escalated = true;
        if (!t.tags.contains(u"escalated"_s))
            t.tags << u"escalated"_s;
        return {};
    };
    change.alsoWrite = [&](const SupportTicket &t, QVariantMap &) -> Status {
        Domain::Escalation e;
        e.customerId = t.customerId;
        e.ticketId = t.id;
        e.severity = severity;
        e.reason = reason.trimmed();
        e.owner = owner.trimmed();
        e.openedAt = now;
        auto created = Storage::EscalationRepository(m_db).create(e);
        if (!created)
            return created.error();
        escalation = *created;
        return addTimeline(t, Domain::TimelineEventKind::Escalation, u"Ticket escalated: "_s + t.subject,
            { { u"escalation_id"_s, created->id }, { u"severity"_s, enumName(severity) },
                { u"reason"_s, e.reason.left(1000) }, { u"owner"_s, e.owner } },
            actor);
    };
    auto updated = applyChange(change);
    if (!updated)
        return updated.error();
    Q_EMIT escalationChanged(escalation.customerId, escalation.id);
    return EscalatedTicket { *updated, escalation };
}

Result<Domain::TicketComment> SupportService::addComment(qint64 ticketId, const NewComment &input)
{
    if (input.body.trimmed().isEmpty())
        return Error::invalid(u"body"_s, u"is required"_s);
    const QDateTime now = m_clock.now();
    Domain::TicketComment comment;
    Change change;
    change.ticketId = ticketId;
    change.mirrorAction = u"comment"_s;
    change.mutate = [&](SupportTicket &t) -> Status {
        if (t.status == TicketStatus::Closed)
            return transitionError(u"closed tickets take no comments; open a follow-up ticket"_s);
        if (input.authorKind == CommentAuthor::Agent && input.isPublic) {
            if (!t.firstResponseAt.isValid())
                t.firstResponseAt = now;
            if (t.status == TicketStatus::New)
                t.status = TicketStatus::Open;
        } else if (input.authorKind == CommentAuthor::Customer
            && (t.status == TicketStatus::Pending || t.status == TicketStatus::OnHold)) {
            t.status = TicketStatus::Open; // the customer answered: the ball is back with us
        }
        return {};
    };
    change.alsoWrite = [&](const SupportTicket &t, QVariantMap &extra) -> Status {
        Domain::TicketComment c;
        c.ticketId = t.id;
        c.author = input.author.trimmed().left(200);
        c.body = input.body.trimmed();
        c.isPublic = input.isPublic;
        c.commentedAt = now;
        auto added = Storage::TicketCommentRepository(m_db).create(c);
        if (!added)
            return added.error();
        comment = *added;
        extra.insert(u"comment"_s,
            QVariantMap { { u"id"_s, added->id }, { u"body"_s, added->body }, { u"author"_s, added->author },
                { u"public"_s, added->isPublic }, { u"author_kind"_s, enumName(input.authorKind) } });
        return {};
    };
    auto updated = applyChange(change);
    if (!updated)
        return updated.error();
    return comment;
}

Result<Storage::Page<Domain::TicketComment>> SupportService::comments(
    qint64 ticketId, int limit, const QString &cursor) const
{
    if (auto ok = checkLimit(limit); !ok)
        return ok.error();
    if (auto t = loadTicket(ticketId); !t)
        return t.error();
    Storage::ListQuery q;
    q.limit = limit;
    q.cursor = cursor;
    q.orderBy = u"commented_at"_s;
    q.filters << Storage::Filter { u"ticket_id"_s, Storage::Filter::Op::Eq, ticketId };
    return Storage::TicketCommentRepository(m_db).list(q);
}

Result<SupportTicket> SupportService::rateTicket(qint64 id, int csat, const QString &comment)
{
    if (csat < 1 || csat > 5)
        return Error::invalid(u"csat"_s, u"must be between 1 and 5"_s);
    Change change;
    change.ticketId = id;
    change.mutate = [&](SupportTicket &t) -> Status {
        if (t.status != TicketStatus::Solved && t.status != TicketStatus::Closed)
            return transitionError(
                u"only a solved or closed ticket can be rated; this one is %1"_s.arg(enumName(t.status)));
        t.csat = csat;
        t.csatComment = comment.trimmed();
        return {};
    };
    change.mirror = false; // Zendesk takes satisfaction ratings from the requester only
    return applyChange(change);
}

Result<QList<Domain::Escalation>> SupportService::escalations(qint64 ticketId) const
{
    auto rows = Storage::exec(m_db,
        u"SELECT %1 FROM escalations WHERE ticket_id = ? AND deleted_at IS NULL ORDER BY opened_at DESC, id DESC "
        u"LIMIT 100"_s.arg(Storage::EscalationRepository::selectList()),
        { ticketId });
    if (!rows)
        return rows.error();
    QList<Domain::Escalation> list;
    const QSqlRecord rec = rows->record();
    while (rows->next())
        list << Storage::EscalationRepository::fromRow(*rows, rec);
    return list;
}

// ---- escalations --------------------------------------------------------------------------------------------

Result<Domain::Escalation> SupportService::openEscalation(const NewEscalation &input)
{
    auto customer = Storage::CustomerRepository(m_db).get(input.customerId);
    if (!customer) {
        if (customer.error().code == ErrorCode::NotFound)
            return Error::notFound(u"customer_id"_s, u"no customer with id '%1'"_s.arg(input.customerId));
        return customer.error();
    }
    if (input.reason.trimmed().isEmpty())
        return Error::invalid(u"reason"_s, u"is required: say why the customer is escalated"_s);
    Domain::Escalation e;
    e.customerId = input.customerId;
    e.severity = input.severity;
    e.reason = input.reason.trimmed();
    e.owner = input.owner.trimmed();
    e.openedAt = m_clock.now();

    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto created = Storage::EscalationRepository(m_db).create(e);
    if (!created)
        return created.error();
    Domain::TimelineEvent event;
    event.customerId = created->customerId;
    event.occurredAt = created->openedAt;
    event.kind = Domain::TimelineEventKind::Escalation;
    event.title = clipTitle(u"Escalation opened: "_s + created->reason);
    event.detail = { { u"escalation_id"_s, created->id }, { u"severity"_s, enumName(created->severity) },
        { u"owner"_s, created->owner } };
    event.sourceTable = u"escalations"_s;
    event.sourceId = QString::number(created->id);
    event.actor = input.actor.left(200);
    if (auto logged = Storage::TimelineEventRepository(m_db).create(event); !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    Q_EMIT escalationChanged(created->customerId, created->id);
    return created;
}

Result<Domain::Escalation> SupportService::escalation(qint64 id) const
{
    auto found = Storage::EscalationRepository(m_db).get(id);
    if (!found && found.error().code == ErrorCode::NotFound)
        return Error::notFound(u"escalation_id"_s, u"no escalation with id %1"_s.arg(id));
    return found;
}

Result<Storage::Page<Domain::Escalation>> SupportService::listEscalations(const Storage::ListQuery &query) const
{
    return Storage::EscalationRepository(m_db).list(query);
}

Result<Domain::Escalation> SupportService::updateEscalation(
    qint64 id, const EscalationChanges &changes, const QString &actor, int expectedVersion)
{
    using Domain::EscalationStatus;
    const QDateTime now = m_clock.now();
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto e = escalation(id);
    if (!e)
        return e.error();
    if (expectedVersion > 0)
        e->meta.version = expectedVersion;
    const EscalationStatus from = e->status;
    if (from == EscalationStatus::Closed)
        return transitionError(u"a closed escalation cannot be changed; open a new one"_s);
    if (changes.severity)
        e->severity = *changes.severity;
    if (changes.owner)
        e->owner = changes.owner->trimmed();
    if (changes.resolution)
        e->resolution = changes.resolution->trimmed();
    bool resolvedNow = false;
    if (changes.status && *changes.status != from) {
        const EscalationStatus to = *changes.status;
        if (to == EscalationStatus::Resolved || (to == EscalationStatus::Closed && !e->resolvedAt.isValid())) {
            if (e->resolution.isEmpty())
                return Error::invalid(u"resolution"_s, u"is required to resolve or close an escalation"_s);
            e->resolvedAt = now;
            resolvedNow = true;
        }
        if (to == EscalationStatus::Closed)
            e->closedAt = now;
        if ((to == EscalationStatus::Open || to == EscalationStatus::Investigating)
            && from == EscalationStatus::Resolved)
            e->resolvedAt = {}; // reopened
        e->status = to;
    }
    auto updated = Storage::EscalationRepository(m_db).update(*e);
    if (!updated)
        return updated.error();
    if (resolvedNow) {
        Domain::TimelineEvent event;
        event.customerId = updated->customerId;
        event.occurredAt = now;
        event.kind = Domain::TimelineEventKind::Escalation;
        event.title = clipTitle(u"Escalation resolved: "_s + updated->reason);
        event.detail = { { u"escalation_id"_s, updated->id }, { u"resolution"_s, updated->resolution.left(1000) },
            { u"hours_open"_s, double(updated->openedAt.secsTo(now)) / 3600.0 } };
        if (updated->ticketId)
            event.detail.insert(u"ticket_id"_s, *updated->ticketId);
        event.sourceTable = u"escalations"_s;
        event.sourceId = QString::number(updated->id);
        event.actor = actor.left(200);
        if (auto logged = Storage::TimelineEventRepository(m_db).create(event); !logged)
            return logged.error();
    }
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    Q_EMIT escalationChanged(updated->customerId, updated->id);
    return updated;
}

// ---- customer portal ----------------------------------------------------------------------------------------

Result<std::optional<Domain::CustomerPortalSettings>> SupportService::portalSettings(const QString &customerId) const
{
    auto customer = Storage::CustomerRepository(m_db).get(customerId);
    if (!customer) {
        if (customer.error().code == ErrorCode::NotFound)
            return Error::notFound(u"customer_id"_s, u"no customer with id '%1'"_s.arg(customerId));
        return customer.error();
    }
    auto rows = Storage::exec(m_db,
        u"SELECT %1 FROM customer_portal_settings WHERE customer_id = ?"_s.arg(
            Storage::CustomerPortalSettingsRepository::selectList()),
        { customerId });
    if (!rows)
        return rows.error();
    if (!rows->next())
        return std::optional<Domain::CustomerPortalSettings>();
    return std::optional<Domain::CustomerPortalSettings>(
        Storage::CustomerPortalSettingsRepository::fromRow(*rows, rows->record()));
}

Result<Domain::CustomerPortalSettings> SupportService::savePortalSettings(
    const Domain::CustomerPortalSettings &settings)
{
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto existing = portalSettings(settings.customerId);
    if (!existing)
        return existing.error();
    Storage::CustomerPortalSettingsRepository repo(m_db);
    Domain::CustomerPortalSettings s = settings;
    Result<Domain::CustomerPortalSettings> saved = Error::storage(QString());
    if (*existing) {
        s.id = (*existing)->id;
        if (s.meta.version == 0) {
            return Error::conflict(u"version"_s,
                u"portal settings for '%1' already exist (version %2): read them and send that version with your "
                u"change"_s.arg(settings.customerId)
                    .arg((*existing)->meta.version));
        }
        saved = repo.update(s);
    } else {
        saved = repo.create(s);
    }
    if (!saved)
        return saved.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    Q_EMIT portalSettingsChanged(saved->customerId);
    return saved;
}

// ---- SLA monitor --------------------------------------------------------------------------------------------

Result<TicketSla> SupportService::ticketSla(qint64 ticketId) const
{
    auto t = loadTicket(ticketId);
    if (!t)
        return t.error();
    auto ratios = atRiskRatios(m_db);
    if (!ratios)
        return ratios.error();
    return SupportFormulas::ticketSla(*t, ratioFor(*ratios, t->priority), m_clock.now());
}

Result<SlaBreachReport> SupportService::slaBreaches(int limit, bool includeAtRisk, const CustomerScope &scope) const
{
    if (auto ok = checkLimit(limit, 1000); !ok)
        return ok.error();
    auto ratios = atRiskRatios(m_db);
    if (!ratios)
        return ratios.error();
    QVariantList bindings;
    auto filter = customerFilter(m_db, scope, bindings);
    if (!filter)
        return filter.error();
    auto rows = Storage::exec(m_db,
        u"SELECT %1 FROM support_tickets WHERE deleted_at IS NULL AND status IN %2 AND %3"_s.arg(
            Storage::SupportTicketRepository::selectList(), kOpenStatuses, *filter),
        bindings);
    if (!rows)
        return rows.error();
    SlaBreachReport report;
    report.asOf = m_clock.now();
    QList<SlaWatchItem> breached;
    QList<SlaWatchItem> atRisk;
    const QSqlRecord rec = rows->record();
    while (rows->next()) {
        const SupportTicket t = Storage::SupportTicketRepository::fromRow(*rows, rec);
        ++report.openTickets;
        SlaWatchItem item { t.id, t.customerId, t.subject, t.priority, t.status, t.assignee,
            SupportFormulas::ticketSla(t, ratioFor(*ratios, t.priority), report.asOf) };
        const bool frBreached = item.sla.firstResponse.state == SlaState::Breached;
        const bool resBreached = item.sla.resolution.state == SlaState::Breached;
        if (frBreached)
            ++report.firstResponseBreached;
        if (resBreached)
            ++report.resolutionBreached;
        if (frBreached || resBreached) {
            breached << item;
        } else if (item.sla.firstResponse.state == SlaState::AtRisk || item.sla.resolution.state == SlaState::AtRisk) {
            ++report.atRisk;
            if (includeAtRisk)
                atRisk << item;
        }
    }
    // The clock that runs out first decides the order.
    const auto minutesLeft = [](const SlaWatchItem &i) {
        qint64 left = std::numeric_limits<qint64>::max();
        for (const SlaClock *c : { &i.sla.firstResponse, &i.sla.resolution }) {
            if (c->minutesLeft && (c->state == SlaState::Breached || c->state == SlaState::AtRisk))
                left = std::min(left, *c->minutesLeft);
        }
        return left;
    };
    const auto byUrgency = [&](const SlaWatchItem &a, const SlaWatchItem &b) {
        const qint64 la = minutesLeft(a);
        const qint64 lb = minutesLeft(b);
        return la != lb ? la < lb : a.ticketId < b.ticketId;
    };
    std::sort(breached.begin(), breached.end(), byUrgency);
    std::sort(atRisk.begin(), atRisk.end(), byUrgency);
    report.totalItems = int(breached.size() + atRisk.size());
    for (const QList<SlaWatchItem> *list : { &breached, &atRisk }) {
        for (const SlaWatchItem &item : *list) {
            if (report.items.size() >= limit)
                break;
            report.items << item;
        }
    }
    return report;
}

// ---- routing ------------------------------------------------------------------------------------------------

Result<Domain::RoutingRule> SupportService::createRoutingRule(const Domain::RoutingRule &rule)
{
    if (auto ok = Routing::validateConditions(rule.conditions); !ok)
        return ok.error();
    auto created = Storage::RoutingRuleRepository(m_db).create(rule);
    if (created)
        Q_EMIT routingRulesChanged();
    return created;
}

Result<Domain::RoutingRule> SupportService::updateRoutingRule(const Domain::RoutingRule &rule)
{
    if (auto ok = Routing::validateConditions(rule.conditions); !ok)
        return ok.error();
    auto updated = Storage::RoutingRuleRepository(m_db).update(rule);
    if (!updated && updated.error().code == ErrorCode::NotFound)
        return Error::notFound(u"rule_id"_s, u"no routing rule with id %1"_s.arg(rule.id));
    if (updated)
        Q_EMIT routingRulesChanged();
    return updated;
}

Status SupportService::removeRoutingRule(qint64 id, int expectedVersion)
{
    auto removed = Storage::RoutingRuleRepository(m_db).softDelete(id, expectedVersion);
    if (!removed && removed.error().code == ErrorCode::NotFound)
        return Error::notFound(u"rule_id"_s, u"no routing rule with id %1"_s.arg(id));
    if (removed)
        Q_EMIT routingRulesChanged();
    return removed;
}

Result<QList<Domain::RoutingRule>> SupportService::routingRules(bool includeInactive) const
{
    auto rows = Storage::exec(m_db,
        u"SELECT %1 FROM routing_rules WHERE deleted_at IS NULL%2 ORDER BY position, id LIMIT 1000"_s.arg(
            Storage::RoutingRuleRepository::selectList(), includeInactive ? QString() : u" AND is_active = ?"_s),
        includeInactive ? QVariantList {} : QVariantList { true });
    if (!rows)
        return rows.error();
    QList<Domain::RoutingRule> rules;
    const QSqlRecord rec = rows->record();
    while (rows->next())
        rules << Storage::RoutingRuleRepository::fromRow(*rows, rec);
    return rules;
}

Result<RoutingDecision> SupportService::routeTicket(qint64 ticketId, bool apply)
{
    auto t = loadTicket(ticketId);
    if (!t)
        return t.error();
    if (!t->isOpen())
        return transitionError(u"only open tickets are routed; this one is %1"_s.arg(enumName(t->status)));
    auto decision = decide(*t);
    if (!decision)
        return decision.error();
    if (!apply || !decision->matched)
        return decision;
    const RoutingDecision d = *decision;
    Change change;
    change.ticketId = ticketId;
    change.mutate = [&](SupportTicket &ticket) -> Status {
        if (!d.assignee.isEmpty())
            ticket.assignee = d.assignee;
        if (!d.team.isEmpty())
            ticket.assignedTeam = d.team;
        if (ticket.status == TicketStatus::New && !ticket.assignee.isEmpty())
            ticket.status = TicketStatus::Open;
        if (d.priority && *d.priority != ticket.priority) {
            ticket.priority = *d.priority;
            return stampSla(ticket);
        }
        return {};
    };
    auto updated = applyChange(change);
    if (!updated)
        return updated.error();
    return d;
}

Result<RoutingBatch> SupportService::routeUnassignedTickets(int limit)
{
    if (auto ok = checkLimit(limit, 1000); !ok)
        return ok.error();
    auto rows = Storage::exec(m_db,
        u"SELECT id FROM support_tickets WHERE deleted_at IS NULL AND status IN %1 AND assignee IS NULL "
        u"AND assigned_team IS NULL ORDER BY opened_at, id LIMIT ?"_s.arg(kOpenStatuses),
        { limit });
    if (!rows)
        return rows.error();
    QList<qint64> ids;
    while (rows->next())
        ids << rows->value(0).toLongLong();
    RoutingBatch batch;
    for (qint64 id : ids) {
        auto decision = routeTicket(id, true);
        if (!decision)
            return decision.error();
        ++batch.examined;
        (decision->matched ? batch.routed : batch.unmatched)++;
        batch.decisions.append({ id, *decision });
    }
    return batch;
}

// ---- knowledge base -----------------------------------------------------------------------------------------

Result<Domain::KbArticle> SupportService::createArticle(const Domain::KbArticle &article)
{
    Domain::KbArticle a = article;
    if (a.status == Domain::KbArticleStatus::Published && !a.publishedAt.isValid())
        a.publishedAt = m_clock.now();
    auto created = Storage::KbArticleRepository(m_db).create(a);
    if (created)
        Q_EMIT knowledgeBaseChanged(created->id);
    return created;
}

Result<Domain::KbArticle> SupportService::updateArticle(const Domain::KbArticle &article)
{
    Domain::KbArticle a = article;
    if (a.status == Domain::KbArticleStatus::Published && !a.publishedAt.isValid())
        a.publishedAt = m_clock.now();
    auto updated = Storage::KbArticleRepository(m_db).update(a);
    if (!updated && updated.error().code == ErrorCode::NotFound)
        return Error::notFound(u"article_id"_s, u"no knowledge base article with id %1"_s.arg(article.id));
    if (updated)
        Q_EMIT knowledgeBaseChanged(updated->id);
    return updated;
}

Status SupportService::removeArticle(qint64 id, int expectedVersion)
{
    auto removed = Storage::KbArticleRepository(m_db).softDelete(id, expectedVersion);
    if (!removed && removed.error().code == ErrorCode::NotFound)
        return Error::notFound(u"article_id"_s, u"no knowledge base article with id %1"_s.arg(id));
    if (removed)
        Q_EMIT knowledgeBaseChanged(id);
    return removed;
}

Result<Domain::KbArticle> SupportService::article(qint64 id) const
{
    auto found = Storage::KbArticleRepository(m_db).get(id);
    if (!found && found.error().code == ErrorCode::NotFound)
        return Error::notFound(u"article_id"_s, u"no knowledge base article with id %1"_s.arg(id));
    return found;
}

Result<Domain::KbArticle> SupportService::articleBySlug(const QString &slug) const
{
    auto rows = Storage::exec(m_db,
        u"SELECT %1 FROM kb_articles WHERE slug = ? AND deleted_at IS NULL"_s.arg(
            Storage::KbArticleRepository::selectList()),
        { slug });
    if (!rows)
        return rows.error();
    if (!rows->next())
        return Error::notFound(u"slug"_s, u"no knowledge base article with slug '%1'"_s.arg(slug));
    return Storage::KbArticleRepository::fromRow(*rows, rows->record());
}

Result<Storage::Page<Domain::KbArticle>> SupportService::listArticles(const Storage::ListQuery &query) const
{
    return Storage::KbArticleRepository(m_db).list(query);
}

Result<QList<Domain::KbArticle>> SupportService::searchArticles(
    const QString &text, int limit, bool includeUnpublished) const
{
    if (auto ok = checkLimit(limit); !ok)
        return ok.error();
    // The search ranks every article; filter after it, from a window wide enough that the filter cannot starve
    // the page.
    auto hits = Storage::searchKbArticles(m_db, text, includeUnpublished ? limit : 1000);
    if (!hits)
        return hits.error();
    QList<Domain::KbArticle> articles;
    for (const Domain::KbArticle &a : *hits) {
        if (articles.size() >= limit)
            break;
        if (includeUnpublished || a.status == Domain::KbArticleStatus::Published)
            articles << a;
    }
    return articles;
}

Status SupportService::recordArticleView(qint64 id)
{
    auto updated = Storage::exec(
        m_db, u"UPDATE kb_articles SET views = views + 1 WHERE id = ? AND deleted_at IS NULL"_s, { id });
    if (!updated)
        return updated.error();
    if (updated->numRowsAffected() == 0)
        return Error::notFound(u"article_id"_s, u"no knowledge base article with id %1"_s.arg(id));
    return {};
}

Status SupportService::voteArticle(qint64 id, bool helpful)
{
    auto updated = Storage::exec(m_db,
        helpful ? u"UPDATE kb_articles SET helpful_votes = helpful_votes + 1 WHERE id = ? AND deleted_at IS NULL"_s
                : u"UPDATE kb_articles SET unhelpful_votes = unhelpful_votes + 1 WHERE id = ? AND deleted_at IS NULL"_s,
        { id });
    if (!updated)
        return updated.error();
    if (updated->numRowsAffected() == 0)
        return Error::notFound(u"article_id"_s, u"no knowledge base article with id %1"_s.arg(id));
    Q_EMIT knowledgeBaseChanged(id);
    return {};
}

// ---- analytics ----------------------------------------------------------------------------------------------

Result<SupportPerformance> SupportService::supportPerformance(
    const QDate &from, const QDate &to, const CustomerScope &scope) const
{
    if (auto ok = Periods::validate(from, to, TrendGranularity::Week); !ok)
        return ok.error();
    auto ratios = atRiskRatios(m_db);
    if (!ratios)
        return ratios.error();
    SupportPerformance perf;
    perf.from = from;
    perf.to = to;
    perf.asOf = m_clock.now();

    const auto weeks = Periods::buckets(from, to, TrendGranularity::Week);
    QHash<QDate, int> weekIndex;
    for (const auto &[start, end] : weeks) {
        weekIndex.insert(Periods::bucketStart(start, TrendGranularity::Week), int(perf.weekly.size()));
        SupportWeek w;
        w.weekStart = start;
        w.weekEnd = end;
        perf.weekly << w;
    }
    QList<DurationAcc> weekAcc(weeks.size());
    DurationAcc total;

    // The cohort: one range scan over idx_support_tickets_opened; medians need the individual durations.
    const auto [start, end] = Periods::timeRange(from, to);
    QVariantList bindings { start, end };
    auto filter = customerFilter(m_db, scope, bindings);
    if (!filter)
        return filter.error();
    auto rows = Storage::exec(m_db,
        u"SELECT opened_at, first_response_at, resolved_at, first_response_due_at, resolution_due_at, priority, "
        u"csat, escalated FROM support_tickets WHERE deleted_at IS NULL AND opened_at >= ? AND opened_at < ? AND %1"_s
            .arg(*filter),
        bindings);
    if (!rows)
        return rows.error();
    while (rows->next()) {
        SupportTicket t;
        Storage::Convert::fromSql(rows->value(0), t.openedAt);
        Storage::Convert::fromSql(rows->value(1), t.firstResponseAt);
        Storage::Convert::fromSql(rows->value(2), t.resolvedAt);
        Storage::Convert::fromSql(rows->value(3), t.firstResponseDueAt);
        Storage::Convert::fromSql(rows->value(4), t.resolutionDueAt);
        Storage::Convert::fromSql(rows->value(5), t.priority);
        Storage::Convert::fromSql(rows->value(6), t.csat);
        Storage::Convert::fromSql(rows->value(7), t.escalated);
        const TicketSla sla = SupportFormulas::ticketSla(t, ratioFor(*ratios, t.priority), perf.asOf);
        const int index = weekIndex.value(Periods::bucketStart(t.openedAt.date(), TrendGranularity::Week), -1);
        SupportWeek *week = index >= 0 ? &perf.weekly[index] : nullptr;
        DurationAcc *acc = index >= 0 ? &weekAcc[index] : nullptr;

        ++perf.opened;
        if (t.escalated)
            ++perf.escalated;
        count(perf.firstResponse, sla.firstResponse.state);
        count(perf.resolution, sla.resolution.state);
        if (week) {
            ++week->opened;
            count(week->firstResponse, sla.firstResponse.state);
            count(week->resolution, sla.resolution.state);
        }
        const QDateTime firstResponse = t.firstResponseAt.isValid() ? t.firstResponseAt : t.resolvedAt;
        for (DurationAcc *a : { &total, acc }) {
            if (!a)
                continue;
            if (firstResponse.isValid())
                a->firstResponse << double(t.openedAt.msecsTo(firstResponse)) / 60000.0;
            if (t.resolvedAt.isValid())
                a->resolution << double(t.openedAt.msecsTo(t.resolvedAt)) / 60000.0;
            if (t.csat) {
                ++a->rated;
                a->ratingSum += *t.csat;
                if (*t.csat >= 4)
                    ++a->satisfied;
            }
        }
        if (t.resolvedAt.isValid()) {
            ++perf.resolved;
            if (week)
                ++week->resolved;
        }
    }
    finish(perf.firstResponse);
    finish(perf.resolution);
    perf.csat = csatOf(total);
    perf.firstResponseTime = statsOf(total.firstResponse);
    perf.resolutionTime = statsOf(total.resolution);
    for (qsizetype i = 0; i < perf.weekly.size(); ++i) {
        SupportWeek &w = perf.weekly[i];
        finish(w.firstResponse);
        finish(w.resolution);
        w.csat = csatOf(weekAcc[i]);
        w.firstResponseTime = statsOf(weekAcc[i].firstResponse);
        w.resolutionTime = statsOf(weekAcc[i].resolution);
    }
    if (perf.opened == 0)
        perf.noDataReason = u"no tickets were opened in the period"_s;

    // The backlog as of now, by priority and age: one GROUP BY over the open tickets.
    const QDateTime now = perf.asOf;
    QVariantList backlogBindings { Storage::Convert::toSql(now.addDays(-1)), Storage::Convert::toSql(now.addDays(-1)),
        Storage::Convert::toSql(now.addDays(-3)), Storage::Convert::toSql(now.addDays(-3)),
        Storage::Convert::toSql(now.addDays(-7)), Storage::Convert::toSql(now.addDays(-7)),
        Storage::Convert::toSql(now.addDays(-30)), Storage::Convert::toSql(now.addDays(-30)) };
    auto backlogFilter = customerFilter(m_db, scope, backlogBindings);
    if (!backlogFilter)
        return backlogFilter.error();
    auto backlog = Storage::exec(m_db,
        u"SELECT priority, COUNT(*), SUM(CASE WHEN opened_at >= ? THEN 1 ELSE 0 END), "
        u"SUM(CASE WHEN opened_at < ? AND opened_at >= ? THEN 1 ELSE 0 END), "
        u"SUM(CASE WHEN opened_at < ? AND opened_at >= ? THEN 1 ELSE 0 END), "
        u"SUM(CASE WHEN opened_at < ? AND opened_at >= ? THEN 1 ELSE 0 END), "
        u"SUM(CASE WHEN opened_at < ? THEN 1 ELSE 0 END) "
        u"FROM support_tickets WHERE deleted_at IS NULL AND status IN %1 AND %2 GROUP BY priority"_s.arg(
            kOpenStatuses, *backlogFilter),
        backlogBindings);
    if (!backlog)
        return backlog.error();
    QHash<TicketPriority, BacklogRow> byPriority;
    while (backlog->next()) {
        BacklogRow row;
        Storage::Convert::fromSql(backlog->value(0), row.priority);
        row.total = backlog->value(1).toInt();
        row.underOneDay = backlog->value(2).toInt();
        row.oneToThreeDays = backlog->value(3).toInt();
        row.threeToSevenDays = backlog->value(4).toInt();
        row.sevenToThirtyDays = backlog->value(5).toInt();
        row.overThirtyDays = backlog->value(6).toInt();
        byPriority.insert(row.priority, row);
    }
    for (TicketPriority p :
        { TicketPriority::P0, TicketPriority::P1, TicketPriority::P2, TicketPriority::P3, TicketPriority::P4 }) {
        BacklogRow row = byPriority.value(p);
        row.priority = p;
        perf.backlogTotal += row.total;
        perf.backlog << row;
    }
    return perf;
}

} // namespace Core
