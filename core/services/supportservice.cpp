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

namespace {
// Working time of [from, to) inside the pauses.
qint64 pausedMsecs(
    const QDateTime &from, const QDateTime &to, const QList<SlaPausePeriod> &pauses, const BusinessCalendar &calendar)
{
    qint64 total = 0;
    for (const SlaPausePeriod &p : pauses) {
        const QDateTime start = std::max(p.start, from);
        const QDateTime end = p.end.isValid() ? std::min(p.end, to) : to;
        total += calendar.workingMsecsBetween(start, end);
    }
    return total;
}

qint64 floorMinutes(qint64 msecs)
{
    return qint64(std::floor(double(msecs) / 60000.0));
}
} // namespace

qint64 activeMsecs(
    const QDateTime &from, const QDateTime &to, const QList<SlaPausePeriod> &pauses, const BusinessCalendar &calendar)
{
    return calendar.workingMsecsBetween(from, to) - pausedMsecs(from, to, pauses, calendar);
}

SlaClock slaClock(const QDateTime &openedAt, const QDateTime &dueAt, const QDateTime &doneAt, double atRiskRatio,
    const QDateTime &now)
{
    return slaClock(openedAt, dueAt, doneAt, std::nullopt, {}, BusinessCalendar(), atRiskRatio, now);
}

SlaClock slaClock(const QDateTime &openedAt, const QDateTime &dueAt, const QDateTime &doneAt,
    std::optional<qint64> targetMinutes, const QList<SlaPausePeriod> &pauses, const BusinessCalendar &calendar,
    double atRiskRatio, const QDateTime &now)
{
    SlaClock clock;
    clock.dueAt = dueAt;
    clock.doneAt = doneAt;
    clock.businessHours = !calendar.isAlwaysOpen();
    const bool paused = !doneAt.isValid() && !pauses.isEmpty() && !pauses.last().end.isValid();
    if (!openedAt.isValid() || (!dueAt.isValid() && !(paused && targetMinutes)))
        return clock; // NoTarget
    const QDateTime end = doneAt.isValid() ? doneAt : now;
    const auto active = [&](const QDateTime &to) { return activeMsecs(openedAt, to, pauses, calendar); };
    const qint64 elapsed = active(end);
    const qint64 target = dueAt.isValid() ? active(dueAt) : *targetMinutes * 60000;
    clock.elapsedMinutes = elapsed / 60000;
    clock.pausedMinutes = pausedMsecs(openedAt, end, pauses, calendar) / 60000;
    clock.targetMinutes = target / 60000;
    if (target > 0)
        clock.elapsedRatio = double(elapsed) / double(target);
    if (doneAt.isValid()) {
        const bool met = dueAt.isValid() ? doneAt <= dueAt : elapsed <= target;
        clock.state = met ? SlaState::Met : SlaState::Breached;
        return clock;
    }
    clock.minutesLeft = floorMinutes(target - elapsed);
    if (dueAt.isValid() && now > dueAt)
        clock.state = SlaState::Breached; // also when it ran out before a pause began
    else if (paused)
        clock.state = SlaState::Paused;
    else if (clock.elapsedRatio && *clock.elapsedRatio > atRiskRatio)
        clock.state = SlaState::AtRisk; // "above 80 % of the target": strictly above the ratio
    else
        clock.state = SlaState::OnTrack;
    return clock;
}

QDateTime dueAt(const QDateTime &openedAt, qint64 targetMinutes, const QList<SlaPausePeriod> &pauses,
    const BusinessCalendar &calendar)
{
    if (!openedAt.isValid())
        return {};
    qint64 remaining = targetMinutes * 60000;
    QDateTime cursor = openedAt;
    for (const SlaPausePeriod &p : pauses) {
        if (p.end.isValid() && p.end <= cursor)
            continue; // over before the clock (or an earlier pause) reached it
        const qint64 before = calendar.workingMsecsBetween(cursor, p.start);
        if (remaining <= before)
            break; // due before this pause began
        remaining -= before;
        if (!p.end.isValid())
            return {}; // still paused: the due time is not known yet
        cursor = std::max(cursor, p.end);
    }
    return calendar.addWorkingMsecs(cursor, remaining);
}

TicketSla ticketSla(
    const SupportTicket &ticket, const SlaRules &rules, const QList<SlaPausePeriod> &pauses, const QDateTime &now)
{
    const QDateTime firstResponse = ticket.firstResponseAt.isValid() ? ticket.firstResponseAt : ticket.resolvedAt;
    const auto minutes = [](const std::optional<int> &m) { return m ? std::optional<qint64>(*m) : std::nullopt; };
    return { slaClock(ticket.openedAt, ticket.firstResponseDueAt, firstResponse, minutes(rules.firstResponseMinutes),
                 {}, rules.calendar, rules.atRiskRatio, now),
        slaClock(ticket.openedAt, ticket.resolutionDueAt, ticket.resolvedAt, minutes(rules.resolutionMinutes), pauses,
            rules.calendar, rules.atRiskRatio, now) };
}

TicketSla ticketSla(const SupportTicket &ticket, double atRiskRatio, const QDateTime &now)
{
    SlaRules rules;
    rules.atRiskRatio = atRiskRatio;
    return ticketSla(ticket, rules, {}, now);
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

bool isPaused(TicketStatus status)
{
    return status == TicketStatus::Pending || status == TicketStatus::OnHold;
}

// The rows of one schedule's child table (`sql` with %1 for the repository's select list), in the query's order.
template<typename Repo, typename T>
Status readScheduleRows(const Storage::Database &db, const QString &sql, qint64 scheduleId, QList<T> &out)
{
    auto rows = Storage::exec(db, sql.arg(Repo::selectList()), { scheduleId });
    if (!rows)
        return rows.error();
    const QSqlRecord rec = rows->record();
    while (rows->next())
        out << Repo::fromRow(*rows, rec);
    return {};
}

Result<std::optional<Domain::SupportSchedule>> loadSchedule(const Storage::Database &db)
{
    auto rows = Storage::exec(db,
        u"SELECT %1 FROM support_schedules ORDER BY id LIMIT 1"_s.arg(
            Storage::SupportScheduleRepository::selectList()));
    if (!rows)
        return rows.error();
    if (!rows->next())
        return std::optional<Domain::SupportSchedule>();
    Domain::SupportSchedule schedule = Storage::SupportScheduleRepository::fromRow(*rows, rows->record());
    if (auto ok = readScheduleRows<Storage::WorkingHoursRepository>(db,
            u"SELECT %1 FROM support_schedule_hours WHERE schedule_id = ? ORDER BY weekday, start_minute"_s,
            schedule.id, schedule.weeklyHours);
        !ok)
        return ok.error();
    if (auto ok = readScheduleRows<Storage::ScheduleHolidayRepository>(db,
            u"SELECT %1 FROM support_schedule_holidays WHERE schedule_id = ? ORDER BY holiday_date"_s, schedule.id,
            schedule.holidays);
        !ok)
        return ok.error();
    return std::optional<Domain::SupportSchedule>(schedule);
}

// Stamps the due times from the priority's rules and the ticket's pauses; false (nothing stamped) without a policy.
bool stampDueTimes(SupportTicket &t, const SlaRules &rules, const QList<SlaPausePeriod> &pauses)
{
    if (!rules.firstResponseMinutes || !rules.resolutionMinutes)
        return false;
    t.firstResponseDueAt = rules.calendar.addWorkingMinutes(t.openedAt, *rules.firstResponseMinutes).toUTC();
    t.resolutionDueAt = SupportFormulas::dueAt(t.openedAt, *rules.resolutionMinutes, pauses, rules.calendar).toUTC();
    return true;
}

// The pauses of the tickets the condition (on support_tickets, unqualified) selects, by ticket, oldest first.
Result<QHash<qint64, QList<SlaPausePeriod>>> loadPauses(
    const Storage::Database &db, const QString &ticketCondition, const QVariantList &bindings)
{
    auto rows = Storage::exec(db,
        u"SELECT ticket_id, started_at, ended_at FROM ticket_sla_pauses WHERE ticket_id IN (SELECT id FROM "
        u"support_tickets WHERE %1) ORDER BY ticket_id, started_at, id"_s.arg(ticketCondition),
        bindings);
    if (!rows)
        return rows.error();
    QHash<qint64, QList<SlaPausePeriod>> pauses;
    while (rows->next()) {
        SlaPausePeriod p;
        Storage::Convert::fromSql(rows->value(1), p.start);
        Storage::Convert::fromSql(rows->value(2), p.end);
        pauses[rows->value(0).toLongLong()] << p;
    }
    return pauses;
}

// Stamps the due times of the tickets `condition` (on support_tickets, unqualified) selects from their priority's
// rules (rulesFor), the schedule and their pauses, and writes those that changed; returns how many. A ticket whose
// priority has no policy keeps its stamps when keepWithoutPolicy (a policy change cannot concern it), else loses
// them (as stampSla() leaves a created or changed ticket). In the caller's transaction.
template<typename RulesFor>
Result<int> restampTickets(const Storage::Database &db, const QString &condition, const QVariantList &bindings,
    const RulesFor &rulesFor, bool keepWithoutPolicy)
{
    auto pauses = loadPauses(db, condition, bindings);
    if (!pauses)
        return pauses.error();
    auto rows = Storage::exec(db,
        u"SELECT id, opened_at, priority, first_response_due_at, resolution_due_at FROM support_tickets WHERE %1 "
        u"ORDER BY id"_s.arg(condition),
        bindings);
    if (!rows)
        return rows.error();
    QList<SupportTicket> changed; // read to the end before writing (PostgreSQL: see settleImportedTickets)
    while (rows->next()) {
        SupportTicket t;
        t.id = rows->value(0).toLongLong();
        Storage::Convert::fromSql(rows->value(1), t.openedAt);
        Storage::Convert::fromSql(rows->value(2), t.priority);
        QDateTime firstResponse;
        QDateTime resolution;
        Storage::Convert::fromSql(rows->value(3), firstResponse);
        Storage::Convert::fromSql(rows->value(4), resolution);
        if (!stampDueTimes(t, rulesFor(t.priority), pauses->value(t.id)) && keepWithoutPolicy)
            continue;
        if (t.firstResponseDueAt != firstResponse || t.resolutionDueAt != resolution)
            changed << t;
    }
    for (const SupportTicket &t : std::as_const(changed)) {
        auto updated = Storage::exec(db,
            u"UPDATE support_tickets SET first_response_due_at = ?, resolution_due_at = ? WHERE id = ?"_s,
            { Storage::Convert::toSql(t.firstResponseDueAt), Storage::Convert::toSql(t.resolutionDueAt), t.id });
        if (!updated)
            return updated.error();
    }
    return int(changed.size());
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
    case SlaState::Paused:
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

// The clocks' rules of every priority that has a policy, read once per call.
struct SupportService::SlaSetup
{
    QHash<TicketPriority, SlaRules> rules;
    SlaRules rulesFor(TicketPriority priority) const { return rules.value(priority); } // none: no policy, ratio 0.8
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
    auto schedule = ensureSchedule();
    if (!schedule)
        return schedule.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    if (created > 0 || *schedule > 0)
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

Result<SlaPolicyUpdate> SupportService::updateSlaPolicy(const Domain::SlaPolicy &policy)
{
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    if (policy.businessHoursOnly) {
        if (auto ensured = ensureSchedule(); !ensured)
            return ensured.error();
    }
    auto updated = Storage::SlaPolicyRepository(m_db).update(policy);
    if (!updated && updated.error().code == ErrorCode::NotFound)
        return Error::notFound(u"policy_id"_s, u"no SLA policy with id %1"_s.arg(policy.id));
    if (!updated)
        return updated.error();
    auto restamped = restampOpenTickets({ updated->priority });
    if (!restamped)
        return restamped.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    Q_EMIT slaPoliciesChanged();
    return SlaPolicyUpdate { *updated, *restamped };
}

Result<SupportService::SlaSetup> SupportService::slaSetup() const
{
    auto schedule = loadSchedule(m_db);
    if (!schedule)
        return schedule.error();
    BusinessCalendar businessHours;
    if (*schedule) {
        auto calendar = BusinessCalendar::fromSchedule(**schedule);
        if (!calendar)
            return calendar.error();
        businessHours = *calendar;
    }
    auto rows = Storage::exec(m_db,
        u"SELECT priority, first_response_minutes, resolution_minutes, at_risk_ratio, business_hours_only "
        u"FROM sla_policies"_s);
    if (!rows)
        return rows.error();
    SlaSetup setup;
    while (rows->next()) {
        auto priority = Domain::enumFromString<TicketPriority>(rows->value(0).toString());
        if (!priority)
            continue;
        SlaRules rules;
        rules.firstResponseMinutes = rows->value(1).toInt();
        rules.resolutionMinutes = rows->value(2).toInt();
        rules.atRiskRatio = rows->value(3).toDouble();
        Storage::Convert::fromSql(rows->value(4), rules.businessHours);
        // Without a schedule (never created) a business-hours policy counts calendar time.
        rules.businessHours = rules.businessHours && *schedule;
        if (rules.businessHours)
            rules.calendar = businessHours;
        setup.rules.insert(*priority, rules);
    }
    return setup;
}

// ---- support schedule ---------------------------------------------------------------------------------------

Result<std::optional<Domain::SupportSchedule>> SupportService::supportSchedule() const
{
    return loadSchedule(m_db);
}

Result<int> SupportService::ensureDefaultSupportSchedule()
{
    auto created = ensureSchedule();
    if (created && *created > 0)
        Q_EMIT slaPoliciesChanged();
    return created;
}

Result<int> SupportService::ensureSchedule()
{
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto stored = loadSchedule(m_db);
    if (!stored)
        return stored.error();
    if (*stored)
        return 0;
    Domain::SupportSchedule schedule;
    const QByteArray systemZone = QTimeZone::systemTimeZoneId();
    schedule.timeZone = !systemZone.isEmpty() && QTimeZone::isTimeZoneIdAvailable(systemZone)
        ? QString::fromUtf8(systemZone)
        : u"UTC"_s;
    for (int weekday = 1; weekday <= 5; ++weekday)
        schedule.weeklyHours << Domain::WorkingHours { 0, 0, weekday, 9 * 60, 17 * 60, {} };
    if (auto created = writeSchedule(schedule); !created)
        return created.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return 1;
}

Result<ScheduleUpdate> SupportService::updateSupportSchedule(const Domain::SupportSchedule &schedule)
{
    auto updated = writeSchedule(schedule);
    if (updated)
        Q_EMIT slaPoliciesChanged();
    return updated;
}

Result<ScheduleUpdate> SupportService::writeSchedule(const Domain::SupportSchedule &input)
{
    if (auto valid = input.validate(); !valid)
        return valid.error();
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto stored = loadSchedule(m_db);
    if (!stored)
        return stored.error();
    Domain::SupportSchedule row;
    row.timeZone = input.timeZone.trimmed();
    Storage::SupportScheduleRepository repo(m_db);
    Result<Domain::SupportSchedule> saved = Error::storage(QString());
    if (*stored) {
        row.id = (*stored)->id;
        row.meta.version = input.meta.version > 0 ? input.meta.version : (*stored)->meta.version;
        row.weeklyHours = input.weeklyHours; // validate() checks the whole schedule
        saved = repo.update(row);
    } else {
        row.weeklyHours = input.weeklyHours;
        saved = repo.create(row);
    }
    if (!saved) {
        if (saved.error().code == ErrorCode::Conflict)
            return Error::conflict(u"version"_s,
                u"the support schedule was changed since it was read (you have version %1); reload it and apply "
                u"your change again"_s.arg(input.meta.version));
        return saved.error();
    }
    const qint64 id = saved->id;
    for (const QString &table : { u"support_schedule_hours"_s, u"support_schedule_holidays"_s }) {
        if (auto cleared = Storage::exec(m_db, u"DELETE FROM %1 WHERE schedule_id = ?"_s.arg(table), { id }); !cleared)
            return cleared.error();
    }
    for (Domain::WorkingHours h : input.weeklyHours) {
        h.id = 0;
        h.scheduleId = id;
        if (auto ok = Storage::WorkingHoursRepository(m_db).create(h); !ok)
            return ok.error();
    }
    for (Domain::ScheduleHoliday h : input.holidays) {
        h.id = 0;
        h.scheduleId = id;
        h.name = h.name.trimmed();
        if (auto ok = Storage::ScheduleHolidayRepository(m_db).create(h); !ok)
            return ok.error();
    }
    // The tickets whose clocks count the schedule: those of the business-hours-only priorities.
    auto policies = Storage::exec(
        m_db, u"SELECT priority FROM sla_policies WHERE business_hours_only = ?"_s, { Storage::Convert::toSql(true) });
    if (!policies)
        return policies.error();
    QList<TicketPriority> priorities;
    while (policies->next()) {
        if (auto p = Domain::enumFromString<TicketPriority>(policies->value(0).toString()))
            priorities << *p;
    }
    ScheduleUpdate result;
    if (!priorities.isEmpty()) {
        auto restamped = restampOpenTickets(priorities);
        if (!restamped)
            return restamped.error();
        result.restampedTickets = *restamped;
    }
    auto reloaded = loadSchedule(m_db);
    if (!reloaded)
        return reloaded.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    result.schedule = **reloaded;
    return result;
}

Result<ScheduleUpdate> SupportService::addHoliday(const QDate &date, const QString &name, int expectedVersion)
{
    auto stored = loadSchedule(m_db);
    if (!stored)
        return stored.error();
    if (!*stored)
        return Error::notFound(u"schedule"_s, u"there is no support schedule yet: set one first"_s);
    Domain::SupportSchedule schedule = **stored;
    if (!date.isValid())
        return Error::invalid(u"date"_s, u"is required (YYYY-MM-DD)"_s);
    for (const Domain::ScheduleHoliday &h : std::as_const(schedule.holidays)) {
        if (h.date == date) {
            return Error { ErrorCode::AlreadyExists, u"date"_s,
                u"%1 is already a holiday (%2)"_s.arg(date.toString(Qt::ISODate), h.name) };
        }
    }
    Domain::ScheduleHoliday holiday;
    holiday.date = date;
    holiday.name = name.trimmed();
    if (auto valid = holiday.validate(); !valid)
        return valid.error();
    schedule.holidays << holiday;
    if (expectedVersion > 0)
        schedule.meta.version = expectedVersion;
    return updateSupportSchedule(schedule);
}

Result<ScheduleUpdate> SupportService::removeHoliday(const QDate &date, int expectedVersion)
{
    auto stored = loadSchedule(m_db);
    if (!stored)
        return stored.error();
    if (!*stored)
        return Error::notFound(u"schedule"_s, u"there is no support schedule yet: set one first"_s);
    Domain::SupportSchedule schedule = **stored;
    const qsizetype before = schedule.holidays.size();
    schedule.holidays.removeIf([&](const Domain::ScheduleHoliday &h) { return h.date == date; });
    if (schedule.holidays.size() == before)
        return Error::notFound(u"date"_s, u"%1 is not a holiday of the schedule"_s.arg(date.toString(Qt::ISODate)));
    if (expectedVersion > 0)
        schedule.meta.version = expectedVersion;
    return updateSupportSchedule(schedule);
}

Result<int> SupportService::restampOpenTickets(const QList<TicketPriority> &priorities)
{
    auto setup = slaSetup();
    if (!setup)
        return setup.error();
    QString condition = u"deleted_at IS NULL AND status IN %1"_s.arg(kOpenStatuses);
    QVariantList bindings;
    if (!priorities.isEmpty()) {
        QStringList marks;
        for (TicketPriority p : priorities) {
            marks << u"?"_s;
            bindings << enumName(p);
        }
        condition += u" AND priority IN (%1)"_s.arg(marks.join(u", "_s));
    }
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    // A ticket without a policy: a policy change cannot concern it, and stamps are never invented here.
    auto restamped = restampTickets(
        m_db, condition, bindings, [&](TicketPriority p) { return setup->rulesFor(p); }, true);
    if (!restamped)
        return restamped.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return *restamped;
}

Result<int> SupportService::settleImportedTickets(qint64 firstNewId, const QList<ImportedTicketUpdate> &updated)
{
    auto setup = slaSetup();
    if (!setup)
        return setup.error();
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    const QDateTime now = m_clock.now();
    const auto rulesFor = [&](TicketPriority p) { return setup->rulesFor(p); };
    int stamped = 0;
    // A chunk of the new tickets (`before` null) or of the updated ones: pauses first, then the due times of those
    // whose clocks moved.
    const auto settle
        = [&](const QVariantList &ids, const QHash<qint64, const ImportedTicketUpdate *> *before) -> Status {
        auto rows = Storage::exec(m_db,
            u"SELECT t.id, t.status, t.opened_at, t.priority, t.resolved_at, p.id, p.status, p.started_at "
            "FROM support_tickets t LEFT JOIN ticket_sla_pauses p ON p.ticket_id = t.id AND p.ended_at IS NULL "
            "WHERE t.deleted_at IS NULL AND t.id IN (%1) ORDER BY t.id"_s.arg(
                Storage::Detail::placeholders(int(ids.size()))),
            ids);
        if (!rows)
            return rows.error();
        struct Read
        {
            SupportTicket ticket;
            std::optional<TicketStatus> pausedAs; // the status of its open pause
            QDateTime pausedSince;
        };
        // Read to the end before writing: on PostgreSQL a statement run while a forward-only result is still being
        // read would cut that result short.
        QList<Read> read;
        while (rows->next()) {
            Read r;
            r.ticket.id = rows->value(0).toLongLong();
            Storage::Convert::fromSql(rows->value(1), r.ticket.status);
            Storage::Convert::fromSql(rows->value(2), r.ticket.openedAt);
            Storage::Convert::fromSql(rows->value(3), r.ticket.priority);
            Storage::Convert::fromSql(rows->value(4), r.ticket.resolvedAt);
            if (!rows->value(5).isNull()) {
                TicketStatus status = TicketStatus::Pending;
                Storage::Convert::fromSql(rows->value(6), status);
                r.pausedAs = status;
                Storage::Convert::fromSql(rows->value(7), r.pausedSince);
            }
            read << r;
        }
        QVariantList restamp;
        for (const Read &r : std::as_const(read)) {
            const SupportTicket &t = r.ticket;
            const bool waiting = isPaused(t.status);
            // As recordPause(): a pause is of one status, so pending -> on_hold ends one and starts another.
            const bool pauseEnds = r.pausedAs && (!waiting || *r.pausedAs != t.status);
            const bool pauseStarts = waiting && (!r.pausedAs || pauseEnds);
            if (pauseEnds) {
                // The import learns of the change now; a ticket it finds solved or closed stopped waiting when it was
                // solved. (A reopened ticket may keep an old resolved_at: an import leaves empty cells alone.)
                QDateTime endedAt = now;
                if (!waiting && !t.isOpen() && t.resolvedAt.isValid() && t.resolvedAt < endedAt)
                    endedAt = t.resolvedAt;
                endedAt = std::max(endedAt, r.pausedSince);
                auto ended = Storage::exec(m_db,
                    u"UPDATE ticket_sla_pauses SET ended_at = ?, updated_at = ? WHERE ticket_id = ? AND "
                    "ended_at IS NULL"_s,
                    { Storage::Convert::toSql(endedAt), Storage::Convert::toSql(now), t.id });
                if (!ended)
                    return ended.error();
            }
            if (pauseStarts) {
                Domain::SlaPause pause;
                pause.ticketId = t.id;
                pause.status = t.status;
                pause.startedAt = std::max(now, t.openedAt);
                if (auto created = Storage::SlaPauseRepository(m_db).create(pause); !created)
                    return created.error();
            }
            // A new ticket (nothing before) is stamped; an updated one as applyChange() restamps: when the priority
            // changed, a pause began or ended, or it was reopened; and here also when opened_at changed.
            const ImportedTicketUpdate *was = before ? before->value(t.id) : nullptr;
            const bool clocksMoved = !was || pauseEnds || pauseStarts || was->priority != t.priority
                || was->openedAt != t.openedAt || (was->status == TicketStatus::Solved && t.isOpen());
            if (clocksMoved)
                restamp << t.id;
        }
        if (restamp.isEmpty())
            return {};
        auto restamped = restampTickets(
            m_db, u"id IN (%1)"_s.arg(Storage::Detail::placeholders(int(restamp.size()))), restamp, rulesFor, false);
        if (!restamped)
            return restamped.error();
        stamped += *restamped;
        return {};
    };
    // In chunks of ids: each statement binds at most kChunk values.
    constexpr qsizetype kChunk = 500;
    const auto settleAll = [&](const QVariantList &ids, const QHash<qint64, const ImportedTicketUpdate *> *before) {
        for (qsizetype at = 0; at < ids.size(); at += kChunk) {
            const QVariantList chunk = ids.mid(at, kChunk);
            if (auto ok = settle(chunk, before); !ok)
                return ok;
        }
        return Status();
    };
    auto fresh = Storage::exec(m_db, u"SELECT id FROM support_tickets WHERE id >= ? ORDER BY id"_s, { firstNewId });
    if (!fresh)
        return fresh.error();
    QVariantList newIds;
    while (fresh->next())
        newIds << fresh->value(0).toLongLong();
    if (auto ok = settleAll(newIds, nullptr); !ok)
        return ok.error();
    QHash<qint64, const ImportedTicketUpdate *> byId;
    QVariantList updatedIds;
    for (const ImportedTicketUpdate &u : updated) {
        // The first entry of an id is the state before the import; a later one came after its first write.
        if (byId.contains(u.id))
            continue;
        byId.insert(u.id, &u);
        updatedIds << u.id;
    }
    if (auto ok = settleAll(updatedIds, &byId); !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    return stamped;
}

Status SupportService::recordPause(const SupportTicket &before, const SupportTicket &after, const QDateTime &now)
{
    const bool wasPaused = isPaused(before.status);
    const bool paused = isPaused(after.status);
    if (wasPaused && (!paused || before.status != after.status)) {
        auto ended = Storage::exec(m_db,
            u"UPDATE ticket_sla_pauses SET ended_at = ?, updated_at = ? WHERE ticket_id = ? AND ended_at IS NULL"_s,
            { Storage::Convert::toSql(now), Storage::Convert::toSql(now), after.id });
        if (!ended)
            return ended.error();
    }
    if (paused && (!wasPaused || before.status != after.status)) {
        Domain::SlaPause pause;
        pause.ticketId = after.id;
        pause.status = after.status;
        pause.startedAt = now;
        if (auto created = Storage::SlaPauseRepository(m_db).create(pause); !created)
            return created.error();
    }
    return {};
}

Status SupportService::stampSla(SupportTicket &ticket, QString *note) const
{
    auto setup = slaSetup();
    if (!setup)
        return setup.error();
    QList<SlaPausePeriod> pauses;
    if (ticket.id > 0) {
        auto loaded = loadPauses(m_db, u"id = ?"_s, { ticket.id });
        if (!loaded)
            return loaded.error();
        pauses = loaded->value(ticket.id);
    }
    if (!stampDueTimes(ticket, setup->rulesFor(ticket.priority), pauses)) {
        ticket.firstResponseDueAt = {};
        ticket.resolutionDueAt = {};
        if (note) {
            *note
                = u"no SLA policy for %1: no SLA target was set (ensureDefaultSlaPolicies creates the defaults)"_s.arg(
                    enumName(ticket.priority));
        }
    }
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
    auto sla = slaOf(*t);
    if (!sla)
        return sla.error();
    TicketDetail detail;
    detail.ticket = *t;
    detail.sla = *sla;
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
    const SupportTicket before = *t;
    if (auto ok = change.mutate(*t); !ok)
        return ok.error();
    // SLA pauses are recorded with the status change; the due times move when the priority changes, a pause
    // begins or ends (the resolution clock stands still meanwhile), or a solved ticket is reopened.
    if (auto ok = recordPause(before, *t, m_clock.now()); !ok)
        return ok.error();
    if (before.priority != t->priority || isPaused(before.status) != isPaused(t->status)
        || (before.status == TicketStatus::Solved && t->isOpen())) {
        if (auto ok = stampSla(*t); !ok)
            return ok.error();
    }
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
        if (changes.priority)
            t.priority = *changes.priority; // applyChange restamps the due times
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
    return slaOf(*t);
}

Result<TicketSla> SupportService::slaOf(const SupportTicket &ticket) const
{
    auto setup = slaSetup();
    if (!setup)
        return setup.error();
    auto pauses = loadPauses(m_db, u"id = ?"_s, { ticket.id });
    if (!pauses)
        return pauses.error();
    return SupportFormulas::ticketSla(
        ticket, setup->rulesFor(ticket.priority), pauses->value(ticket.id), m_clock.now());
}

Result<SlaBreachReport> SupportService::slaBreaches(int limit, bool includeAtRisk, const CustomerScope &scope) const
{
    if (auto ok = limit == 0 ? Status() : checkLimit(limit, 1000); !ok)
        return ok.error();
    auto setup = slaSetup();
    if (!setup)
        return setup.error();
    QVariantList bindings;
    auto filter = customerFilter(m_db, scope, bindings);
    if (!filter)
        return filter.error();
    const QString condition = u"deleted_at IS NULL AND status IN %1 AND %2"_s.arg(kOpenStatuses, *filter);
    auto pauses = loadPauses(m_db, condition, bindings);
    if (!pauses)
        return pauses.error();
    auto rows = Storage::exec(m_db,
        u"SELECT %1 FROM support_tickets WHERE %2"_s.arg(Storage::SupportTicketRepository::selectList(), condition),
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
            SupportFormulas::ticketSla(t, setup->rulesFor(t.priority), pauses->value(t.id), report.asOf) };
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
            if (limit != 0 && report.items.size() >= limit)
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
        if (d.priority)
            ticket.priority = *d.priority; // applyChange restamps the due times
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
    auto setup = slaSetup();
    if (!setup)
        return setup.error();
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
    const QString cohort = u"deleted_at IS NULL AND opened_at >= ? AND opened_at < ? AND %1"_s.arg(*filter);
    auto pauses = loadPauses(m_db, cohort, bindings);
    if (!pauses)
        return pauses.error();
    auto rows = Storage::exec(m_db,
        u"SELECT opened_at, first_response_at, resolved_at, first_response_due_at, resolution_due_at, priority, "
        u"csat, escalated, id FROM support_tickets WHERE %1"_s.arg(cohort),
        bindings);
    if (!rows)
        return rows.error();
    while (rows->next()) {
        SupportTicket t;
        t.id = rows->value(8).toLongLong();
        Storage::Convert::fromSql(rows->value(0), t.openedAt);
        Storage::Convert::fromSql(rows->value(1), t.firstResponseAt);
        Storage::Convert::fromSql(rows->value(2), t.resolvedAt);
        Storage::Convert::fromSql(rows->value(3), t.firstResponseDueAt);
        Storage::Convert::fromSql(rows->value(4), t.resolutionDueAt);
        Storage::Convert::fromSql(rows->value(5), t.priority);
        Storage::Convert::fromSql(rows->value(6), t.csat);
        Storage::Convert::fromSql(rows->value(7), t.escalated);
        // Attainment and durations by the clocks' rule: working time of the priority's calendar, pauses left out.
        const SlaRules rules = setup->rulesFor(t.priority);
        const QList<SlaPausePeriod> ticketPauses = pauses->value(t.id);
        const TicketSla sla = SupportFormulas::ticketSla(t, rules, ticketPauses, perf.asOf);
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
                a->firstResponse << double(rules.calendar.workingMsecsBetween(t.openedAt, firstResponse)) / 60000.0;
            if (t.resolvedAt.isValid()) {
                a->resolution << double(SupportFormulas::activeMsecs(
                                     t.openedAt, t.resolvedAt, ticketPauses, rules.calendar))
                        / 60000.0;
            }
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
