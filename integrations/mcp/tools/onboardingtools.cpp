// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The onboarding toolset (TOOLS.md "onboarding"): plans from templates, their progress and automation, time to
// value, where onboarding loses time, training sessions and certifications. Handlers map arguments to
// OnboardingService calls and their answers to JSON. map_customer_journey is not offered: no service composes a
// journey (touchpoints and experience metrics per stage) from stored data yet.
#include <QJsonArray>

#include "enumnames.h"
#include "journey.h"
#include "services.h"
#include "toolsupport.h"

using namespace Qt::StringLiterals;

namespace Mcp {

using namespace Schema;
using ToolSupport::dateJson;
using ToolSupport::dateTimeJson;
using ToolSupport::rounded;

namespace {

const QString kToolset = u"onboarding"_s;

QJsonValue opt(const std::optional<double> &value, int decimals = 2)
{
    return value ? QJsonValue(rounded(*value, decimals)) : QJsonValue(QJsonValue::Null);
}

QJsonValue optInt(const std::optional<int> &value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

void add(ToolRegistry &registry, Tool tool)
{
    ToolSupport::addTool(registry, std::move(tool));
}

Core::Error customerNotFound(const Core::Error &e)
{
    if (e.code == Core::ErrorCode::NotFound && e.field.isEmpty())
        return Core::Error::notFound(u"customer_id"_s, e.message);
    return e;
}

QJsonObject progressJson(const Core::PlanProgress &p)
{
    return QJsonObject { { u"percent_complete"_s, opt(p.percent, 1) }, { u"risk"_s, Domain::enumName(p.risk) },
        { u"milestones_total"_s, p.milestonesTotal }, { u"milestones_completed"_s, p.milestonesCompleted },
        { u"milestones_skipped"_s, p.milestonesSkipped }, { u"milestones_overdue"_s, p.milestonesOverdue },
        { u"tasks_total"_s, p.tasksTotal }, { u"tasks_completed"_s, p.tasksCompleted },
        { u"tasks_overdue"_s, p.tasksOverdue }, { u"days_to_target_go_live"_s, optInt(p.daysToTargetGoLive) },
        { u"days_elapsed"_s, optInt(p.daysElapsed) } };
}

QJsonObject planJson(const Domain::OnboardingPlan &p, const QString &customerName)
{
    return QJsonObject { { u"plan_id"_s, p.id }, { u"customer_id"_s, p.customerId },
        { u"customer_name"_s, customerName }, { u"name"_s, p.name }, { u"status"_s, Domain::enumName(p.status) },
        { u"owner"_s, p.owner },
        { u"template_id"_s, p.templateId ? QJsonValue(*p.templateId) : QJsonValue(QJsonValue::Null) },
        { u"started_on"_s, dateJson(p.startedOn) }, { u"target_go_live"_s, dateJson(p.targetGoLive) },
        { u"completed_on"_s, dateJson(p.completedOn) }, { u"target_ttv_days"_s, optInt(p.targetTtvDays) },
        { u"ttv_days"_s, optInt(p.ttvDays) }, { u"automation"_s, QJsonObject::fromVariantMap(p.automation) } };
}

QJsonObject planDetailJson(const Core::PlanDetail &d, const QDate &today)
{
    QJsonArray milestones;
    for (const Core::MilestoneDetail &m : d.milestones) {
        QJsonArray tasks;
        for (const Domain::OnboardingTask &t : m.tasks)
            tasks.append(QJsonObject { { u"task_id"_s, t.id }, { u"title"_s, t.title },
                { u"status"_s, Domain::enumName(t.status) }, { u"due_date"_s, dateJson(t.dueDate) },
                { u"overdue"_s, t.isOverdue(today) } });
        milestones.append(QJsonObject { { u"milestone_id"_s, m.milestone.id }, { u"position"_s, m.milestone.position },
            { u"name"_s, m.milestone.name }, { u"status"_s, Domain::enumName(m.milestone.status) },
            { u"due_date"_s, dateJson(m.milestone.dueDate) },
            { u"completed_at"_s, dateTimeJson(m.milestone.completedAt) }, { u"overdue"_s, m.overdue },
            { u"tasks"_s, tasks } });
    }
    QJsonObject json = planJson(d.plan, d.customerName);
    json.insert(u"progress"_s, progressJson(d.progress));
    json.insert(u"milestones"_s, milestones);
    return json;
}

QJsonObject benchmarkJson(const Core::TtvBenchmark &b)
{
    QJsonObject json { { u"has_data"_s, b.hasData }, { u"completed_plans"_s, b.completedPlans },
        { u"p25"_s, opt(b.p25, 1) }, { u"p50"_s, opt(b.p50, 1) }, { u"p75"_s, opt(b.p75, 1) },
        { u"p90"_s, opt(b.p90, 1) }, { u"mean"_s, opt(b.mean, 1) }, { u"plans_with_target"_s, b.plansWithTarget },
        { u"on_target"_s, b.onTarget }, { u"on_target_share"_s, opt(b.onTargetShare, 4) } };
    if (!b.hasData)
        json.insert(u"note"_s, b.reason);
    return json;
}

const QJsonObject &planSchema()
{
    static const QJsonObject schema
        = openObject({ { u"plan_id"_s, integer({}) }, { u"customer_id"_s, string({}) }, { u"name"_s, string({}) },
                         { u"status"_s, enumOf({}, Domain::enumValues<Domain::OnboardingPlanStatus>()) } },
            { u"plan_id"_s, u"customer_id"_s, u"status"_s });
    return schema;
}

// ---- create_onboarding_plan ---------------------------------------------------------------------------------

Tool createOnboardingPlan()
{
    Tool t;
    t.name = u"create_onboarding_plan"_s;
    t.title = u"Create an onboarding plan"_s;
    t.description = u"Creates an onboarding plan for a customer from a template (given, or chosen by the customer's "
                    u"tier and the complexity), with milestones and tasks scheduled from the start day."_s;
    t.toolset = kToolset;
    t.inputSchema = object(
        {
            { u"customer_id"_s, customerId() },
            { u"template_id"_s, integer(u"A template; omit to choose by tier and complexity."_s, 1) },
            { u"complexity"_s, enumOf({}, Domain::enumValues<Domain::OnboardingComplexity>()) },
            { u"start_on"_s, date(u"Default: today."_s) },
            { u"owner"_s, string(u"Default: the customer's owner."_s, 0, 200) },
            { u"name"_s, string({}, 0, 200) },
        },
        { u"customer_id"_s });
    t.outputSchema = planSchema();
    t.annotations = { .readOnly = false, .destructive = false, .idempotent = false, .openWorld = false };
    t.writes = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        Core::PlanRequest r;
        r.customerId = a.value(u"customer_id"_s).toString();
        if (a.contains(u"template_id"_s))
            r.templateId = a.value(u"template_id"_s).toInteger();
        if (a.contains(u"complexity"_s))
            r.complexity = Domain::enumFromString<Domain::OnboardingComplexity>(a.value(u"complexity"_s).toString());
        r.startOn = ToolSupport::dateArgument(a, u"start_on"_s);
        r.owner = a.value(u"owner"_s).toString();
        r.name = a.value(u"name"_s).toString();
        r.actor = u"mcp:"_s + call.clientName;
        auto plan = call.services->onboarding().createPlan(r);
        if (!plan)
            return customerNotFound(plan.error());
        return planDetailJson(*plan, call.services->clock().today());
    };
    return t;
}

// ---- track_onboarding_progress ------------------------------------------------------------------------------

Tool trackOnboardingProgress()
{
    Tool t;
    t.name = u"track_onboarding_progress"_s;
    t.title = u"Onboarding progress"_s;
    t.description = u"Progress of onboarding plans: one plan in detail (milestones, tasks, overdue items, risk), or "
                    u"the plans of a customer, an owner or everyone with completion and risk, plus what is overdue."_s;
    t.toolset = kToolset;
    t.inputSchema = object(withPaging({
        { u"plan_id"_s, integer(u"One plan in detail."_s, 1) },
        { u"customer_id"_s, customerId(u"Only this customer's plans."_s) },
        { u"owner"_s, string({}, 1, 200) },
        { u"open_only"_s, boolean(u"Only plans not completed or cancelled."_s, false) },
    }));
    t.outputSchema = openObject({ { u"items"_s, arrayOf(anyObject({})) }, { u"overdue"_s, anyObject({}) } });
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        Core::OnboardingService &onboarding = call.services->onboarding();
        const QDate today = call.services->clock().today();
        if (a.contains(u"plan_id"_s)) {
            auto d = onboarding.plan(a.value(u"plan_id"_s).toInteger());
            if (!d)
                return d.error();
            return planDetailJson(*d, today);
        }
        Core::PlanQuery q;
        q.customerId = a.value(u"customer_id"_s).toString();
        q.owner = a.value(u"owner"_s).toString();
        q.openOnly = a.value(u"open_only"_s).toBool();
        q.limit = a.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
        q.cursor = a.value(u"cursor"_s).toString();
        if (!q.customerId.isEmpty()) {
            if (auto c = call.services->customers().get(q.customerId); !c)
                return Core::Error::notFound(u"customer_id"_s, c.error().message);
        }
        auto page = onboarding.plans(q);
        if (!page)
            return page.error();
        QJsonArray items;
        for (const Core::PlanSummary &s : page->items) {
            QJsonObject json = planJson(s.plan, s.customerName);
            json.insert(u"progress"_s, progressJson(s.progress));
            items.append(json);
        }
        Core::OverdueQuery oq;
        oq.customerId = q.customerId;
        oq.owner = q.owner;
        oq.limit = 20;
        auto overdue = onboarding.overdueItems(oq);
        if (!overdue)
            return overdue.error();
        QJsonArray overdueItems;
        for (const Core::OverdueItem &i : overdue->items)
            overdueItems.append(QJsonObject { { u"kind"_s, i.kind }, { u"id"_s, i.id }, { u"plan_id"_s, i.planId },
                { u"customer_id"_s, i.customerId }, { u"name"_s, i.name }, { u"owner"_s, i.owner },
                { u"due_date"_s, dateJson(i.dueDate) }, { u"days_overdue"_s, i.daysOverdue } });
        QJsonObject json = ToolSupport::pageJson(items, page->total, page->nextCursor);
        json.insert(u"overdue"_s,
            QJsonObject { { u"milestones"_s, overdue->milestonesOverdue }, { u"tasks"_s, overdue->tasksOverdue },
                { u"most_overdue"_s, overdueItems } });
        return json;
    };
    return t;
}

// ---- activate_onboarding_automation -------------------------------------------------------------------------

Tool activateOnboardingAutomation()
{
    Tool t;
    t.name = u"activate_onboarding_automation"_s;
    t.title = u"Onboarding automation"_s;
    t.description = u"Attaches monitors to an onboarding plan: alert on overdue milestones or tasks, on no progress "
                    u"for N days, and on low product engagement; replaces the plan's previous settings."_s;
    t.toolset = kToolset;
    t.inputSchema = object(
        {
            { u"plan_id"_s, integer({}, 1) },
            { u"overdue_items"_s, boolean(u"Alert on overdue milestones and tasks."_s, true) },
            { u"no_progress_days"_s, integer(u"Alert when nothing was completed for this many days."_s, 1, 365) },
            { u"low_engagement"_s, boolean(u"Alert when product usage stays low."_s, false) },
            { u"notify"_s, string(u"Who is told (e.g. the CSM's name or email)."_s, 0, 200) },
        },
        { u"plan_id"_s });
    t.outputSchema = planSchema();
    t.annotations = { .readOnly = false, .destructive = true, .idempotent = true, .openWorld = false };
    t.writes = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        QVariantMap automation { { u"overdue_items"_s, a.value(u"overdue_items"_s).toBool(true) },
            { u"low_engagement"_s, a.value(u"low_engagement"_s).toBool(false) } };
        if (a.contains(u"no_progress_days"_s))
            automation.insert(u"no_progress_days"_s, a.value(u"no_progress_days"_s).toInt());
        if (a.contains(u"notify"_s))
            automation.insert(u"notify"_s, a.value(u"notify"_s).toString());
        auto plan = call.services->onboarding().setAutomation(a.value(u"plan_id"_s).toInteger(), automation);
        if (!plan)
            return plan.error();
        return planJson(*plan, QString());
    };
    return t;
}

// ---- optimize_time_to_value ---------------------------------------------------------------------------------

Tool optimizeTimeToValue()
{
    Tool t;
    t.name = u"optimize_time_to_value"_s;
    t.title = u"Time to value"_s;
    t.description = u"Time to value of one onboarding plan (actual or elapsed days against its target and the "
                    u"portfolio's percentiles), or the portfolio's TTV benchmark by tier or template."_s;
    t.toolset = kToolset;
    t.inputSchema = object({
        { u"plan_id"_s, integer(u"One plan."_s, 1) },
        { u"tier"_s, enumOf(u"Benchmark: only plans of this tier."_s, Domain::enumValues<Domain::Tier>()) },
        { u"template_id"_s, integer(u"Benchmark: only plans of this template."_s, 1) },
    });
    t.outputSchema = openObject({ { u"benchmark"_s, anyObject({}) } }, { u"benchmark"_s });
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        Core::OnboardingService &onboarding = call.services->onboarding();
        if (a.contains(u"plan_id"_s)) {
            auto r = onboarding.timeToValue(a.value(u"plan_id"_s).toInteger());
            if (!r)
                return r.error();
            return QJsonObject { { u"plan"_s, planJson(r->plan, QString()) }, { u"reached"_s, r->reached },
                { u"actual_days"_s, optInt(r->actualDays) }, { u"elapsed_days"_s, optInt(r->elapsedDays) },
                { u"target_days"_s, optInt(r->targetDays) }, { u"days_over_target"_s, optInt(r->daysOverTarget) },
                { u"portfolio_percentile_rank"_s, opt(r->portfolioPercentileRank, 4) },
                { u"same_template"_s, benchmarkJson(r->sameTemplate) },
                { u"benchmark"_s, benchmarkJson(r->portfolio) } };
        }
        Core::TtvQuery q;
        if (a.contains(u"tier"_s))
            q.tier = Domain::enumFromString<Domain::Tier>(a.value(u"tier"_s).toString());
        if (a.contains(u"template_id"_s))
            q.templateId = a.value(u"template_id"_s).toInteger();
        auto b = onboarding.ttvBenchmark(q);
        if (!b)
            return b.error();
        return QJsonObject { { u"benchmark"_s, benchmarkJson(*b) } };
    };
    return t;
}

// ---- optimize_onboarding_process ----------------------------------------------------------------------------

Tool optimizeOnboardingProcess()
{
    Tool t;
    t.name = u"optimize_onboarding_process"_s;
    t.title = u"Where onboarding loses time"_s;
    t.description = u"From completed onboarding plans: per milestone, how late it is completed against its due day "
                    u"(median, mean, 75th percentile), how often it runs over, and how long it takes — most time "
                    u"lost first."_s;
    t.toolset = kToolset;
    t.inputSchema = object({
        { u"template_id"_s, integer(u"Only plans of this template."_s, 1) },
        { u"completed_from"_s, date(u"Plans completed on or after."_s) },
        { u"completed_to"_s, date(u"Plans completed on or before."_s) },
    });
    t.outputSchema = openObject({ { u"has_data"_s, boolean({}) }, { u"completed_plans"_s, integer({}, 0) },
                                    { u"milestones"_s, arrayOf(anyObject({})) } },
        { u"has_data"_s, u"completed_plans"_s, u"milestones"_s });
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        Core::TimeLossQuery q;
        if (a.contains(u"template_id"_s))
            q.templateId = a.value(u"template_id"_s).toInteger();
        q.completedFrom = ToolSupport::dateArgument(a, u"completed_from"_s);
        q.completedTo = ToolSupport::dateArgument(a, u"completed_to"_s);
        auto r = call.services->onboarding().whereTimeIsLost(q);
        if (!r)
            return r.error();
        QJsonArray milestones;
        for (const Core::MilestoneTimeLoss &m : r->milestones)
            milestones.append(QJsonObject { { u"position"_s, m.position }, { u"name"_s, m.name },
                { u"completed"_s, m.completed }, { u"median_days_late"_s, rounded(m.medianDaysLate, 1) },
                { u"mean_days_late"_s, rounded(m.meanDaysLate, 1) }, { u"p75_days_late"_s, rounded(m.p75DaysLate, 1) },
                { u"share_overdue"_s, rounded(m.shareOverdue, 4) },
                { u"median_duration_days"_s, opt(m.medianDurationDays, 1) } });
        QJsonObject json { { u"has_data"_s, r->hasData }, { u"completed_plans"_s, r->completedPlans },
            { u"milestones"_s, milestones } };
        if (!r->hasData)
            json.insert(u"note"_s, r->reason);
        return json;
    };
    return t;
}

// ---- deliver_training_session -------------------------------------------------------------------------------

QJsonObject sessionJson(const Core::SessionDetail &d)
{
    QJsonArray attendees;
    for (const Domain::TrainingAttendee &at : d.attendees)
        attendees.append(QJsonObject { { u"contact_id"_s, at.contactId }, { u"attended"_s, at.attended },
            { u"score"_s, opt(at.score, 1) }, { u"feedback"_s, at.feedback } });
    const Domain::TrainingSession &s = d.session;
    return QJsonObject { { u"session_id"_s, s.id }, { u"customer_id"_s, s.customerId },
        { u"module_id"_s, s.moduleId ? QJsonValue(*s.moduleId) : QJsonValue(QJsonValue::Null) },
        { u"title"_s, s.title }, { u"scheduled_at"_s, dateTimeJson(s.scheduledAt) },
        { u"duration_minutes"_s, s.durationMinutes }, { u"trainer"_s, s.trainer }, { u"location"_s, s.location },
        { u"status"_s, Domain::enumName(s.status) }, { u"outcome_notes"_s, s.outcomeNotes },
        { u"completed_at"_s, dateTimeJson(s.completedAt) }, { u"attendees"_s, attendees },
        { u"attended"_s, d.attended }, { u"average_score"_s, opt(d.averageScore, 1) } };
}

Tool deliverTrainingSession()
{
    Tool t;
    t.name = u"deliver_training_session"_s;
    t.title = u"Training sessions"_s;
    t.description
        = u"Training for a customer's contacts: schedule a session (invitees), record the delivered "
          u"session (attendance, scores, outcome notes), cancel it, get one, or list a customer's sessions."_s;
    t.toolset = kToolset;
    const QJsonObject attendee = object(
        {
            { u"contact_id"_s, integer({}, 1) },
            { u"attended"_s, boolean({}, true) },
            { u"score"_s, number({}, 0.0, 100.0) },
            { u"feedback"_s, string({}, 0, 2000) },
        },
        { u"contact_id"_s });
    t.inputSchema = object(
        withPaging({
            { u"action"_s, enumOf({}, { u"schedule"_s, u"record"_s, u"cancel"_s, u"get"_s, u"list"_s }, u"list"_s) },
            { u"customer_id"_s, customerId(u"schedule: required; list: filter."_s) },
            { u"session_id"_s, integer(u"record, cancel, get: required."_s, 1) },
            { u"module_id"_s, integer({}, 1) },
            { u"title"_s, string(u"schedule: required."_s, 1, 200) },
            { u"scheduled_at"_s, dateTime(u"schedule: required."_s) },
            { u"duration_minutes"_s, integer({}, 5, 1440, 60) },
            { u"trainer"_s, string({}, 0, 200) },
            { u"location"_s, string({}, 0, 500) },
            { u"contact_ids"_s, arrayOf(integer({}, 1), u"schedule: invitees."_s, 500) },
            { u"attendees"_s, arrayOf(attendee, u"record: attendance and scores."_s, 500) },
            { u"outcome_notes"_s, string({}, 0, 20000) },
            { u"reason"_s, string(u"cancel: why."_s, 0, 2000) },
        }),
        { u"action"_s });
    t.outputSchema = openObject({ { u"action"_s, string({}) } }, { u"action"_s });
    t.annotations = { .readOnly = false, .destructive = false, .idempotent = false, .openWorld = false };
    t.writes = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        const QString action = a.value(u"action"_s).toString();
        Core::OnboardingService &onboarding = call.services->onboarding();
        const auto withAction = [&action](QJsonObject json) {
            json.insert(u"action"_s, action);
            return json;
        };
        if (action == u"schedule"_s) {
            for (const QString &field : { u"customer_id"_s, u"title"_s, u"scheduled_at"_s }) {
                if (!a.contains(field))
                    return Core::Error::invalid(field, u"required when action is schedule"_s);
            }
            Domain::TrainingSession s;
            s.customerId = a.value(u"customer_id"_s).toString();
            if (a.contains(u"module_id"_s))
                s.moduleId = a.value(u"module_id"_s).toInteger();
            s.title = a.value(u"title"_s).toString();
            s.scheduledAt = QDateTime::fromString(a.value(u"scheduled_at"_s).toString(), Qt::ISODateWithMs);
            s.durationMinutes = a.value(u"duration_minutes"_s).toInt(60);
            s.trainer = a.value(u"trainer"_s).toString();
            s.location = a.value(u"location"_s).toString();
            QList<qint64> contacts;
            for (const QJsonValue &v : a.value(u"contact_ids"_s).toArray())
                contacts << v.toInteger();
            auto d = onboarding.scheduleTrainingSession(s, contacts);
            if (!d)
                return customerNotFound(d.error());
            return withAction(sessionJson(*d));
        }
        if (action == u"list"_s) {
            Core::SessionQuery q;
            q.customerId = a.value(u"customer_id"_s).toString();
            q.limit = a.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
            q.cursor = a.value(u"cursor"_s).toString();
            auto page = onboarding.trainingSessions(q);
            if (!page)
                return customerNotFound(page.error());
            QJsonArray items;
            for (const auto &s : page->items)
                items.append(QJsonObject { { u"session_id"_s, s.id }, { u"customer_id"_s, s.customerId },
                    { u"title"_s, s.title }, { u"scheduled_at"_s, dateTimeJson(s.scheduledAt) },
                    { u"status"_s, Domain::enumName(s.status) } });
            return withAction(ToolSupport::pageJson(items, page->total, page->nextCursor));
        }
        if (!a.contains(u"session_id"_s))
            return Core::Error::invalid(u"session_id"_s, u"required when action is %1"_s.arg(action));
        const qint64 id = a.value(u"session_id"_s).toInteger();
        if (action == u"record"_s) {
            Core::SessionOutcome o;
            o.sessionId = id;
            o.outcomeNotes = a.value(u"outcome_notes"_s).toString();
            o.actor = u"mcp:"_s + call.clientName;
            for (const QJsonValue &v : a.value(u"attendees"_s).toArray()) {
                const QJsonObject at = v.toObject();
                Core::AttendeeOutcome ao;
                ao.contactId = at.value(u"contact_id"_s).toInteger();
                ao.attended = at.value(u"attended"_s).toBool(true);
                if (at.contains(u"score"_s))
                    ao.score = at.value(u"score"_s).toDouble();
                ao.feedback = at.value(u"feedback"_s).toString();
                o.attendees << ao;
            }
            auto d = onboarding.recordTrainingSession(o);
            if (!d)
                return d.error();
            return withAction(sessionJson(*d));
        }
        auto d = action == u"cancel"_s ? onboarding.cancelTrainingSession(id, a.value(u"reason"_s).toString())
                                       : onboarding.trainingSession(id);
        if (!d)
            return d.error();
        return withAction(sessionJson(*d));
    };
    return t;
}

// ---- manage_certification_program ---------------------------------------------------------------------------

QJsonObject certificationJson(const Domain::Certification &c)
{
    return QJsonObject { { u"certification_id"_s, c.id }, { u"contact_id"_s, c.contactId },
        { u"program_id"_s, c.programId }, { u"status"_s, Domain::enumName(c.status) }, { u"score"_s, opt(c.score, 1) },
        { u"issued_at"_s, dateTimeJson(c.issuedAt) }, { u"expires_at"_s, dateTimeJson(c.expiresAt) },
        { u"revoked_at"_s, dateTimeJson(c.revokedAt) } };
}

Tool manageCertificationProgram()
{
    Tool t;
    t.name = u"manage_certification_program"_s;
    t.title = u"Certification programs"_s;
    t.description = u"Certification programs for customer contacts: list programs with their modules and passing "
                    u"scores, enrol a contact, issue a certification (checks the score and required sessions), revoke "
                    u"one, or track certifications with expiry."_s;
    t.toolset = kToolset;
    t.inputSchema = object(
        {
            { u"action"_s, enumOf({}, { u"programs"_s, u"enrol"_s, u"issue"_s, u"revoke"_s, u"track"_s }, u"track"_s) },
            { u"program_id"_s, integer({}, 1) },
            { u"contact_id"_s, integer({}, 1) },
            { u"customer_id"_s, customerId(u"track: only this customer's contacts."_s) },
            { u"certification_id"_s, integer(u"revoke: required."_s, 1) },
            { u"score"_s, number(u"issue: the exam score."_s, 0.0, 100.0) },
            { u"reason"_s, string(u"revoke: why."_s, 0, 2000) },
            { u"limit"_s, integer({}, 1, 200, 50) },
        },
        { u"action"_s });
    t.outputSchema = openObject({ { u"action"_s, string({}) } }, { u"action"_s });
    t.annotations = { .readOnly = false, .destructive = false, .idempotent = false, .openWorld = false };
    t.writes = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        const QString action = a.value(u"action"_s).toString();
        Core::OnboardingService &onboarding = call.services->onboarding();
        const QString actor = u"mcp:"_s + call.clientName;
        const auto need = [&a, &action](const QString &field) -> std::optional<Core::Error> {
            if (a.contains(field))
                return std::nullopt;
            return Core::Error::invalid(field, u"required when action is %1"_s.arg(action));
        };
        if (action == u"programs"_s) {
            auto programs = onboarding.certificationPrograms(false);
            if (!programs)
                return programs.error();
            QJsonArray items;
            for (const Core::ProgramDetail &p : *programs) {
                QJsonArray modules;
                for (const auto &m : p.modules)
                    modules.append(m.moduleId);
                items.append(QJsonObject { { u"program_id"_s, p.program.id }, { u"name"_s, p.program.name },
                    { u"passing_score"_s, p.program.passingScore },
                    { u"validity_days"_s, optInt(p.program.validityDays) }, { u"active"_s, p.program.isActive },
                    { u"module_ids"_s, modules } });
            }
            return QJsonObject { { u"action"_s, action }, { u"programs"_s, items } };
        }
        if (action == u"enrol"_s || action == u"issue"_s) {
            for (const QString &f : { u"contact_id"_s, u"program_id"_s }) {
                if (auto e = need(f))
                    return *e;
            }
            if (action == u"issue"_s) {
                if (auto e = need(u"score"_s))
                    return *e;
            }
            const qint64 contact = a.value(u"contact_id"_s).toInteger();
            const qint64 program = a.value(u"program_id"_s).toInteger();
            auto c = action == u"enrol"_s
                ? onboarding.enrol(contact, program)
                : onboarding.issueCertification(contact, program, a.value(u"score"_s).toDouble(), actor);
            if (!c)
                return c.error();
            return QJsonObject { { u"action"_s, action }, { u"certification"_s, certificationJson(*c) } };
        }
        if (action == u"revoke"_s) {
            if (auto e = need(u"certification_id"_s))
                return *e;
            auto c = onboarding.revokeCertification(
                a.value(u"certification_id"_s).toInteger(), a.value(u"reason"_s).toString(), actor);
            if (!c)
                return c.error();
            return QJsonObject { { u"action"_s, action }, { u"certification"_s, certificationJson(*c) } };
        }
        Core::CertificationQuery q;
        if (a.contains(u"program_id"_s))
            q.programId = a.value(u"program_id"_s).toInteger();
        if (a.contains(u"contact_id"_s))
            q.contactId = a.value(u"contact_id"_s).toInteger();
        q.customerId = a.value(u"customer_id"_s).toString();
        q.limit = a.value(u"limit"_s).toInt(50);
        auto r = onboarding.trackCertifications(q);
        if (!r)
            return customerNotFound(r.error());
        QJsonArray items;
        for (const Core::CertificationItem &i : r->items) {
            QJsonObject json = certificationJson(i.certification);
            json.insert(u"contact_name"_s, i.contactName);
            json.insert(u"customer_id"_s, i.customerId);
            json.insert(u"program"_s, i.programName);
            json.insert(u"effective_status"_s, Domain::enumName(i.effectiveStatus));
            items.append(json);
        }
        return QJsonObject { { u"action"_s, action }, { u"in_progress"_s, r->inProgress },
            { u"certified"_s, r->certified }, { u"expired"_s, r->expired }, { u"revoked"_s, r->revoked },
            { u"expiring_within_30_days"_s, r->expiringWithin30Days }, { u"average_score"_s, opt(r->averageScore, 1) },
            { u"total"_s, r->total }, { u"items"_s, items } };
    };
    return t;
}

// ---- map_customer_journey -----------------------------------------------------------------------------------

QJsonObject journeyFigureJson(const Core::SatisfactionTrend &t)
{
    QJsonArray points;
    for (const Core::SatisfactionPoint &p : t.points)
        if (p.figure.responses > 0) // months without an answer say nothing: leave them out
            points.append(QJsonObject { { u"month"_s, p.periodStart.toString(u"yyyy-MM"_s) },
                { u"responses"_s, p.figure.responses }, { u"value"_s, opt(p.figure.value, 1) } });
    QJsonObject json { { u"responses"_s, t.overall.responses }, { u"value"_s, opt(t.overall.value, 1) },
        { u"by_month"_s, points } };
    if (!t.overall.value)
        json.insert(u"note"_s, t.overall.noDataReason.isEmpty() ? u"no responses"_s : t.overall.noDataReason);
    return json;
}

QJsonObject journeyHealthJson(const Core::HealthTrend &t)
{
    QJsonObject json { { u"days"_s, t.days }, { u"has_data"_s, t.hasData } };
    if (t.hasData) {
        json.insert(u"first_score"_s, rounded(t.firstScore, 1));
        json.insert(u"last_score"_s, rounded(t.lastScore, 1));
        json.insert(u"change"_s, rounded(t.change, 1));
        json.insert(u"slope_per_day"_s, rounded(t.slopePerDay, 3));
    } else {
        json.insert(u"note"_s, t.reason);
    }
    return json;
}

Tool mapCustomerJourney()
{
    Tool t;
    t.name = u"map_customer_journey"_s;
    t.title = u"Map a customer's journey"_s;
    t.description = u"One customer's journey from stored data: lifecycle stage and its history, touchpoints by kind "
                    u"and month, adoption and onboarding milestones reached, and experience metrics (NPS, CSAT, "
                    u"CES, support SLA attainment, health trend) over a period (default the last 365 days)."_s;
    t.toolset = kToolset;
    t.inputSchema = object(
        {
            { u"customer_id"_s, customerId() },
            { u"from"_s, date(u"First day (default: 364 days before `to`)."_s) },
            { u"to"_s, date(u"Last day (default: today)."_s) },
        },
        { u"customer_id"_s });
    t.outputSchema = openObject(
        {
            { u"customer_id"_s, string({}) },
            { u"from"_s, date({}) },
            { u"to"_s, date({}) },
            { u"stage"_s,
                openObject({ { u"current"_s, string({}) }, { u"since"_s, nullable(dateTime({})) },
                               { u"changes"_s, integer({}, 0) }, { u"history"_s, arrayOf(anyObject({})) } },
                    { u"current"_s, u"since"_s, u"changes"_s, u"history"_s }) },
            { u"touchpoints"_s,
                openObject({ { u"total"_s, integer({}, 0) }, { u"by_kind_and_month"_s, arrayOf(anyObject({})) } },
                    { u"total"_s, u"by_kind_and_month"_s }) },
            { u"milestones"_s, arrayOf(anyObject({})) },
            { u"experience"_s, anyObject({}) },
        },
        { u"customer_id"_s, u"from"_s, u"to"_s, u"stage"_s, u"touchpoints"_s, u"milestones"_s, u"experience"_s });
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        Core::JourneyQuery q;
        q.customerId = a.value(u"customer_id"_s).toString();
        q.from = ToolSupport::dateArgument(a, u"from"_s);
        q.to = ToolSupport::dateArgument(a, u"to"_s);
        if (q.from.isValid() && q.to.isValid() && q.from.daysTo(q.to) > 730)
            return Core::Error::invalid(u"from"_s, u"the period may span at most 731 days"_s);
        if (q.from.isValid() && !q.to.isValid() && q.from.daysTo(call.services->clock().today()) > 730)
            return Core::Error::invalid(u"from"_s, u"the period may span at most 731 days"_s);
        auto j = Core::customerJourney(*call.services, q);
        if (!j)
            return j.error();
        QJsonArray history;
        for (const Core::JourneyStageChange &c : j->stageHistory)
            history.append(QJsonObject {
                { u"from"_s, c.from ? QJsonValue(Domain::enumName(*c.from)) : QJsonValue(QJsonValue::Null) },
                { u"to"_s, Domain::enumName(c.to) }, { u"at"_s, dateTimeJson(c.at) }, { u"reason"_s, c.reason },
                { u"actor"_s, c.actor } });
        QJsonArray groups;
        for (const Core::TouchpointGroup &g : j->touchpoints)
            groups.append(QJsonObject { { u"month"_s, g.month }, { u"kind"_s, Domain::enumName(g.kind) },
                { u"count"_s, g.count }, { u"last"_s, dateTimeJson(g.last) } });
        QJsonArray milestones;
        for (const Core::JourneyMilestone &m : j->milestones)
            milestones.append(QJsonObject { { u"source"_s, m.source }, { u"key"_s, m.key }, { u"title"_s, m.title },
                { u"reached_at"_s, dateTimeJson(m.reachedAt) } });
        const Core::SupportPerformance &sp = j->support;
        QJsonObject support { { u"tickets_opened"_s, sp.opened }, { u"tickets_resolved"_s, sp.resolved },
            { u"escalated"_s, sp.escalated }, { u"first_response_sla_percent"_s, opt(sp.firstResponse.percent, 1) },
            { u"resolution_sla_percent"_s, opt(sp.resolution.percent, 1) },
            { u"ticket_csat_percent"_s, opt(sp.csat.percent, 1) }, { u"open_backlog"_s, sp.backlogTotal } };
        if (!sp.noDataReason.isEmpty())
            support.insert(u"note"_s, sp.noDataReason);
        const QJsonObject experience { { u"nps"_s, journeyFigureJson(j->nps) },
            { u"csat"_s, journeyFigureJson(j->csat) }, { u"ces"_s, journeyFigureJson(j->ces) },
            { u"support"_s, support },
            { u"health"_s,
                QJsonObject { { u"week"_s, journeyHealthJson(j->health.week) },
                    { u"month"_s, journeyHealthJson(j->health.month) } } } };
        QJsonObject json { { u"customer_id"_s, j->customerId }, { u"name"_s, j->customerName },
            { u"from"_s, dateJson(j->from) }, { u"to"_s, dateJson(j->to) },
            { u"stage"_s,
                QJsonObject { { u"current"_s, Domain::enumName(j->stage) }, { u"since"_s, dateTimeJson(j->stageSince) },
                    { u"changes"_s, j->stageChanges }, { u"history"_s, history } } },
            { u"touchpoints"_s,
                QJsonObject { { u"total"_s, j->touchpointTotal }, { u"by_kind_and_month"_s, groups } } },
            { u"milestones"_s, milestones }, { u"adoption_milestones_defined"_s, j->adoptionMilestonesDefined },
            { u"experience"_s, experience } };
        if (j->touchpointTotal == 0 && j->milestones.isEmpty() && j->stageChanges == 0)
            json.insert(u"note"_s, u"no touchpoints, milestones or stage changes stored for this customer"_s);
        return json;
    };
    return t;
}

} // namespace

void registerOnboardingTools(ToolRegistry &registry)
{
    add(registry, createOnboardingPlan());
    add(registry, activateOnboardingAutomation());
    add(registry, deliverTrainingSession());
    add(registry, manageCertificationProgram());
    add(registry, optimizeOnboardingProcess());
    add(registry, optimizeTimeToValue());
    add(registry, trackOnboardingProgress());
    add(registry, mapCustomerJourney());
}

} // namespace Mcp
