// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The retention toolset (TOOLS.md "retention"): churn risk (ranking, drivers, risk factors, postmortems),
// retention playbooks (enrolment, trigger automation), satisfaction monitoring and escalations. Handlers map
// arguments to ChurnService, PlaybookService, FeedbackService and SupportService; every number is theirs.
#include <QJsonArray>
#include <QRegularExpression>

#include "coretools.h"
#include "enumnames.h"
#include "services.h"
#include "toolsupport.h"

using namespace Qt::StringLiterals;

namespace Mcp {

using namespace Schema;
using ToolSupport::dateJson;
using ToolSupport::dateTimeJson;
using ToolSupport::rounded;

namespace {

const QString kToolset = u"retention"_s;

QJsonValue opt(const std::optional<double> &value, int decimals = 4)
{
    return value ? QJsonValue(rounded(*value, decimals)) : QJsonValue(QJsonValue::Null);
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

QJsonObject modelJson(const Core::ChurnModelInfo &m, int coefficients)
{
    QJsonArray coeffs;
    for (const Core::ChurnCoefficient &c : m.coefficients) {
        if (coeffs.size() >= coefficients)
            break;
        coeffs.append(QJsonObject { { u"feature"_s, c.feature }, { u"label"_s, c.label },
            { u"coefficient"_s, rounded(c.coefficient, 4) }, { u"odds_ratio"_s, rounded(c.oddsRatio, 4) } });
    }
    QJsonObject json { { u"version"_s, m.version }, { u"source"_s, Domain::enumName(m.source) },
        { u"trained_at"_s, dateTimeJson(m.trainedAt) }, { u"samples"_s, m.sampleCount },
        { u"churned"_s, m.churnedCount }, { u"retained"_s, m.retainedCount }, { u"cv_auc"_s, opt(m.cvAuc) },
        { u"factors"_s, coeffs }, { u"factor_count"_s, qint64(m.coefficients.size()) } };
    if (!m.caveat.isEmpty())
        json.insert(u"caveat"_s, m.caveat);
    return json;
}

// ---- identify_churn_risk ------------------------------------------------------------------------------------

Tool identifyChurnRisk()
{
    Tool t;
    t.name = u"identify_churn_risk"_s;
    t.title = u"Identify churn risk"_s;
    t.description = u"Churn risk from the active model: one customer scored now with its strongest drivers, or the "
                    u"portfolio ranked by the latest stored predictions (rescore: true scores every customer first; "
                    u"long). Answers say which model version and whether it is trained."_s;
    t.toolset = kToolset;
    t.inputSchema = object(withPaging({
        { u"customer_id"_s, customerId(u"One customer; omit for the portfolio ranking."_s) },
        { u"min_level"_s,
            enumOf(u"Portfolio: lowest risk level listed."_s, Domain::enumValues<Domain::ChurnRiskLevel>(), u"low"_s) },
        { u"owner"_s, string(u"Portfolio: only this CSM's customers."_s, 1, 200) },
        { u"rescore"_s, boolean(u"Portfolio: score every active customer before ranking."_s, false) },
    }));
    t.outputSchema
        = openObject({ { u"model_version"_s, integer({}) }, { u"items"_s, arrayOf(CsJson::churnRiskSchema()) },
                         { u"risk"_s, CsJson::churnRiskSchema() } },
            { u"model_version"_s });
    t.annotations = { .readOnly = false, .destructive = false, .idempotent = false, .openWorld = false };
    t.writes = true; // predictions are stored
    t.longRunning = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        Core::ChurnService &churn = call.services->churn();
        auto model = churn.activeModel();
        if (!model)
            return model.error();
        if (a.contains(u"customer_id"_s)) {
            auto r = churn.scoreCustomer(a.value(u"customer_id"_s).toString());
            if (!r)
                return customerNotFound(r.error());
            return QJsonObject { { u"model_version"_s, r->modelVersion }, { u"model"_s, modelJson(*model, 0) },
                { u"risk"_s, CsJson::churnRiskJson(*r) } };
        }
        QJsonObject scoring;
        if (a.value(u"rescore"_s).toBool()) {
            Core::ChurnScoringOptions options;
            options.progress = [&call](const QString &stage, int done, int total) {
                call.progress(done, total, stage == u"features"_s ? u"reading features"_s : u"scoring customers"_s);
            };
            options.isCancelled = [&call] { return call.cancelled(); };
            options.progressEvery = 500;
            auto s = churn.scorePortfolio(options);
            if (!s)
                return s.error();
            scoring = QJsonObject { { u"scored"_s, s->scored }, { u"low"_s, s->low }, { u"medium"_s, s->medium },
                { u"high"_s, s->high }, { u"critical"_s, s->critical },
                { u"mean_probability"_s, rounded(s->meanProbability, 4) },
                { u"expected_churned_customers"_s, rounded(s->expectedChurnedCustomers, 2) },
                { u"arr_weighted_risk"_s, rounded(s->arrWeightedRisk, 2) } };
        }
        Core::ChurnRiskQuery q;
        q.minimumLevel = Domain::enumFromString<Domain::ChurnRiskLevel>(a.value(u"min_level"_s).toString(u"low"_s));
        q.owner = a.value(u"owner"_s).toString();
        q.limit = a.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
        q.cursor = a.value(u"cursor"_s).toString();
        auto page = churn.portfolioRisk(q);
        if (!page)
            return page.error();
        QJsonArray items;
        for (const Core::ChurnRisk &r : page->items)
            items.append(CsJson::churnRiskJson(r));
        QJsonObject json = ToolSupport::pageJson(items, page->total, page->nextCursor);
        json.insert(u"model_version"_s, page->hasData ? page->activeModelVersion : model->version);
        json.insert(u"model"_s, modelJson(*model, 0));
        json.insert(u"has_data"_s, page->hasData);
        if (!page->hasData)
            json.insert(u"note"_s, page->reason);
        json.insert(u"predictions_from_other_models"_s, page->predictionsFromOtherModels);
        json.insert(u"latest_prediction_at"_s, dateTimeJson(page->latestPredictionAt));
        if (!scoring.isEmpty())
            json.insert(u"scoring"_s, scoring);
        return json;
    };
    return t;
}

// ---- score_risk_factors -------------------------------------------------------------------------------------

Tool scoreRiskFactors()
{
    Tool t;
    t.name = u"score_risk_factors"_s;
    t.title = u"Churn risk factors"_s;
    t.description = u"The churn model's risk factors with their weights (odds ratio per standard deviation), and for "
                    u"one customer how much each factor adds to its risk today (not stored)."_s;
    t.toolset = kToolset;
    t.inputSchema = object({
        { u"customer_id"_s, customerId(u"Add this customer's per-factor contributions."_s) },
        { u"factors"_s, integer(u"How many of the strongest factors to list."_s, 1, 100, 15) },
    });
    t.outputSchema
        = openObject({ { u"model"_s, anyObject({}) }, { u"customer"_s, CsJson::churnRiskSchema() } }, { u"model"_s });
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        Core::ChurnService &churn = call.services->churn();
        auto model = churn.activeModel();
        if (!model)
            return model.error();
        QJsonObject json { { u"model"_s, modelJson(*model, a.value(u"factors"_s).toInt(15)) } };
        if (a.contains(u"customer_id"_s)) {
            auto r = churn.assessAsOf(a.value(u"customer_id"_s).toString(), call.services->clock().today());
            if (!r)
                return customerNotFound(r.error());
            json.insert(u"customer"_s, CsJson::churnRiskJson(*r));
        }
        return json;
    };
    return t;
}

// ---- analyze_churn_postmortem -------------------------------------------------------------------------------

Tool analyzeChurnPostmortem()
{
    Tool t;
    t.name = u"analyze_churn_postmortem"_s;
    t.title = u"Churn postmortem"_s;
    t.description = u"What the data showed before a customer churned: the active model's assessment and drivers as "
                    u"of N days before the churn date, the stored health scores of the 90 days before, and the last "
                    u"touches on its timeline."_s;
    t.toolset = kToolset;
    t.inputSchema = object(
        {
            { u"customer_id"_s, customerId(u"A churned customer."_s) },
            { u"days_before"_s, integer(u"Assess this many days before the churn date."_s, 1, 365, 30) },
        },
        { u"customer_id"_s });
    t.outputSchema = openObject(
        {
            { u"customer_id"_s, string({}) },
            { u"churned_at"_s, date({}) },
            { u"assessment"_s, CsJson::churnRiskSchema() },
            { u"health_before"_s, arrayOf(anyObject({})) },
            { u"last_touches"_s, arrayOf(CsJson::timelineEventSchema()) },
        },
        { u"customer_id"_s, u"churned_at"_s, u"assessment"_s, u"health_before"_s, u"last_touches"_s });
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        const QString id = a.value(u"customer_id"_s).toString();
        auto customer = call.services->customers().get(id);
        if (!customer) {
            if (customer.error().code == Core::ErrorCode::NotFound)
                return Core::Error::notFound(u"customer_id"_s, customer.error().message);
            return customer.error();
        }
        if (!customer->churnedAt.isValid())
            return Core::Error::invalid(u"customer_id"_s, u"customer \"%1\" has not churned (no churned_at)"_s.arg(id));
        const QDate assessedOn = customer->churnedAt.addDays(-a.value(u"days_before"_s).toInt(30));
        auto risk = call.services->churn().assessAsOf(id, assessedOn);
        if (!risk)
            return risk.error();
        auto history = call.services->health().history(id, customer->churnedAt.addDays(-90), customer->churnedAt, 100);
        if (!history)
            return history.error();
        QJsonArray health;
        for (const Domain::HealthScore &s : *history)
            health.append(QJsonObject { { u"score_date"_s, dateJson(s.scoreDate) }, { u"score"_s, rounded(s.score, 1) },
                { u"band"_s, Domain::enumName(s.band) } });
        Core::TimelineQuery q;
        q.customerId = id;
        q.to = customer->churnedAt;
        q.limit = 10;
        auto timeline = call.services->timeline().timeline(q);
        if (!timeline)
            return timeline.error();
        QJsonArray touches;
        for (const auto &e : timeline->items)
            touches.append(CsJson::timelineEventJson(e));
        QJsonObject json { { u"customer_id"_s, id }, { u"name"_s, customer->name },
            { u"churned_at"_s, dateJson(customer->churnedAt) }, { u"assessed_on"_s, dateJson(assessedOn) },
            { u"assessment"_s, CsJson::churnRiskJson(*risk) }, { u"health_before"_s, health },
            { u"last_touches"_s, touches }, { u"timeline_events_before_churn"_s, timeline->total } };
        if (history->isEmpty())
            json.insert(u"note"_s, u"no health scores stored in the 90 days before the churn"_s);
        return json;
    };
    return t;
}

// ---- monitor_satisfaction -----------------------------------------------------------------------------------

QJsonObject figureJson(const Core::SatisfactionFigure &f)
{
    QJsonObject json { { u"responses"_s, f.responses }, { u"value"_s, opt(f.value, 1) } };
    if (f.kind == Domain::SurveyKind::Nps) {
        json.insert(u"promoters"_s, f.promoters);
        json.insert(u"passives"_s, f.passives);
        json.insert(u"detractors"_s, f.detractors);
    } else if (f.kind == Domain::SurveyKind::Csat) {
        json.insert(u"satisfied"_s, f.satisfied);
    }
    if (!f.value)
        json.insert(u"note"_s, f.noDataReason.isEmpty() ? u"no responses"_s : f.noDataReason);
    return json;
}

Tool monitorSatisfaction()
{
    Tool t;
    t.name = u"monitor_satisfaction"_s;
    t.title = u"Monitor satisfaction"_s;
    t.description = u"NPS, CSAT or CES from stored survey responses over a period, overall and per week or month, "
                    u"for the portfolio, one customer or one tier."_s;
    t.toolset = kToolset;
    t.inputSchema = object({
        { u"metric"_s, enumOf({}, { u"nps"_s, u"csat"_s, u"ces"_s }, u"nps"_s) },
        { u"customer_id"_s, customerId(u"Only this customer."_s) },
        { u"tier"_s, enumOf(u"Only this tier."_s, Domain::enumValues<Domain::Tier>()) },
        { u"from"_s, date(u"Default: 179 days before `to`."_s) },
        { u"to"_s, date(u"Default: today."_s) },
        { u"granularity"_s, enumOf({}, { u"week"_s, u"month"_s }, u"month"_s) },
    });
    const QJsonObject figure = openObject(
        { { u"responses"_s, integer({}, 0) }, { u"value"_s, nullable(number({})) } }, { u"responses"_s, u"value"_s });
    t.outputSchema = openObject(
        {
            { u"metric"_s, string({}) },
            { u"from"_s, date({}) },
            { u"to"_s, date({}) },
            { u"overall"_s, figure },
            { u"points"_s, arrayOf(anyObject({})) },
        },
        { u"metric"_s, u"from"_s, u"to"_s, u"overall"_s, u"points"_s });
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        const QString metric = a.value(u"metric"_s).toString(u"nps"_s);
        const Domain::SurveyKind kind = metric == u"csat"_s ? Domain::SurveyKind::Csat
            : metric == u"ces"_s                            ? Domain::SurveyKind::Ces
                                                            : Domain::SurveyKind::Nps;
        Core::FeedbackQuery q;
        q.to = a.contains(u"to"_s) ? ToolSupport::dateArgument(a, u"to"_s) : call.services->clock().today();
        q.from = a.contains(u"from"_s) ? ToolSupport::dateArgument(a, u"from"_s) : q.to.addDays(-179);
        if (q.from > q.to)
            return Core::Error::invalid(u"from"_s, u"must not be after to"_s);
        if (a.contains(u"customer_id"_s)) {
            const QString id = a.value(u"customer_id"_s).toString();
            if (auto c = call.services->customers().get(id); !c)
                return Core::Error::notFound(u"customer_id"_s, c.error().message);
            q.scope.customerIds = { id };
        }
        if (a.contains(u"tier"_s))
            q.scope.tiers = { *Domain::enumFromString<Domain::Tier>(a.value(u"tier"_s).toString()) };
        q.granularity = a.value(u"granularity"_s).toString() == u"week"_s ? Core::TrendGranularity::Week
                                                                          : Core::TrendGranularity::Month;
        auto r = call.services->feedback().satisfactionTrend(kind, q);
        if (!r)
            return r.error();
        QJsonArray points;
        for (const Core::SatisfactionPoint &p : r->points) {
            QJsonObject point = figureJson(p.figure);
            point.insert(u"period_start"_s, dateJson(p.periodStart));
            point.insert(u"period_end"_s, dateJson(p.periodEnd));
            points.append(point);
        }
        return QJsonObject { { u"metric"_s, metric }, { u"from"_s, dateJson(r->from) }, { u"to"_s, dateJson(r->to) },
            { u"granularity"_s, a.value(u"granularity"_s).toString(u"month"_s) },
            { u"overall"_s, figureJson(r->overall) }, { u"points"_s, points } };
    };
    return t;
}

// ---- execute_retention_campaign -----------------------------------------------------------------------------

Tool executeRetentionCampaign()
{
    Tool t;
    t.name = u"execute_retention_campaign"_s;
    t.title = u"Enrol in a retention playbook"_s;
    t.description = u"Enrols one customer in a retention playbook and runs its due steps now: task steps become CSM "
                    u"tasks, email and message steps are queued in the outbox. An active enrolment is reused, never "
                    u"doubled."_s;
    t.toolset = kToolset;
    t.inputSchema = object(
        {
            { u"customer_id"_s, customerId() },
            { u"playbook_id"_s, integer(u"A live, active playbook (see automate_retention_campaigns)."_s, 1) },
            { u"reason"_s, string(u"Why, kept as the enrolment's trigger context."_s, 0, 2000) },
            { u"run_due_steps"_s, boolean(u"Run the steps that are due right away."_s, true) },
        },
        { u"customer_id"_s, u"playbook_id"_s });
    t.outputSchema = openObject(
        {
            { u"enrolment_id"_s, integer({}) },
            { u"already_enrolled"_s, boolean({}) },
            { u"status"_s, string({}) },
            { u"steps_run"_s, integer({}, 0) },
            { u"tasks_created"_s, integer({}, 0) },
            { u"messages_queued"_s, integer({}, 0) },
        },
        { u"enrolment_id"_s, u"already_enrolled"_s, u"status"_s, u"steps_run"_s, u"tasks_created"_s,
            u"messages_queued"_s });
    t.annotations = { .readOnly = false, .destructive = false, .idempotent = false, .openWorld = false };
    t.writes = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        Core::EnrolRequest req;
        req.customerId = a.value(u"customer_id"_s).toString();
        req.playbookId = a.value(u"playbook_id"_s).toInteger();
        req.enrolledBy = u"mcp:"_s + call.clientName;
        if (a.contains(u"reason"_s))
            req.triggerContext.insert(u"reason"_s, a.value(u"reason"_s).toString());
        auto outcome = call.services->playbooks().enrol(req);
        if (!outcome)
            return customerNotFound(outcome.error());
        Core::StepRunReport report;
        if (a.value(u"run_due_steps"_s).toBool(true)) {
            Core::StepRunOptions options;
            options.enrolmentId = outcome->enrolment.id;
            auto ran = call.services->playbooks().runDueSteps(options);
            if (!ran)
                return ran.error();
            report = *ran;
        }
        auto detail = call.services->playbooks().enrolment(outcome->enrolment.id);
        if (!detail)
            return detail.error();
        return QJsonObject { { u"enrolment_id"_s, detail->enrolment.id }, { u"playbook_id"_s, req.playbookId },
            { u"playbook"_s, detail->playbookName }, { u"customer_id"_s, detail->enrolment.customerId },
            { u"already_enrolled"_s, outcome->alreadyEnrolled },
            { u"status"_s, Domain::enumName(detail->enrolment.status) },
            { u"current_step"_s, detail->enrolment.currentStep }, { u"step_count"_s, detail->stepCount },
            { u"next_step_at"_s, dateTimeJson(detail->enrolment.nextStepAt) }, { u"steps_run"_s, report.stepsRun },
            { u"steps_failed"_s, report.stepsFailed }, { u"tasks_created"_s, report.tasksCreated },
            { u"notes_created"_s, report.notesCreated }, { u"messages_queued"_s, report.messagesQueued } };
    };
    return t;
}

// ---- automate_retention_campaigns ---------------------------------------------------------------------------

QJsonObject playbookSummaryJson(const Domain::Playbook &p)
{
    return QJsonObject { { u"playbook_id"_s, p.id }, { u"name"_s, p.name }, { u"description"_s, p.description },
        { u"trigger"_s, Domain::enumName(p.triggerKind) },
        { u"trigger_config"_s, QJsonObject::fromVariantMap(p.triggerConfig) }, { u"active"_s, p.isActive },
        { u"owner"_s, p.owner }, { u"version"_s, p.meta.version } };
}

QJsonObject playbookDetailJson(const Core::PlaybookDetail &d)
{
    QJsonObject json = playbookSummaryJson(d.playbook);
    QJsonArray steps;
    for (const Domain::PlaybookStep &s : d.steps)
        steps.append(QJsonObject { { u"step_id"_s, s.id }, { u"position"_s, s.position },
            { u"kind"_s, Domain::enumName(s.kind) }, { u"name"_s, s.name },
            { u"config"_s, QJsonObject::fromVariantMap(s.config) }, { u"version"_s, s.meta.version } });
    json.insert(u"steps"_s, steps);
    json.insert(u"created_at"_s, dateTimeJson(d.playbook.meta.createdAt));
    json.insert(u"updated_at"_s, dateTimeJson(d.playbook.meta.updatedAt));
    return json;
}

QJsonObject enrolmentStatsJson(const Core::EnrolmentStats &s)
{
    QJsonObject byStatus;
    for (auto it = s.byStatus.cbegin(); it != s.byStatus.cend(); ++it)
        byStatus.insert(it.key(), it.value());
    QJsonObject json { { u"has_data"_s, s.hasData }, { u"enrolments"_s, s.enrolments }, { u"by_status"_s, byStatus },
        { u"step_runs"_s, s.stepRuns }, { u"step_runs_succeeded"_s, s.stepRunsSucceeded },
        { u"step_runs_failed"_s, s.stepRunsFailed }, { u"tasks_created"_s, s.tasksCreated },
        { u"tasks_done"_s, s.tasksDone }, { u"messages_queued"_s, s.messagesQueued },
        { u"completion_rate"_s, opt(s.completionRate) } };
    if (!s.hasData)
        json.insert(u"note"_s, s.reason.isEmpty() ? u"no enrolment yet"_s : s.reason);
    return json;
}

// The service answers a missing playbook with NotFound on "playbook_id" or without a field; the tool's argument is
// playbook_id either way.
Core::Error playbookError(const Core::Error &e)
{
    if (e.code == Core::ErrorCode::NotFound && e.field.isEmpty())
        return Core::Error::notFound(u"playbook_id"_s, e.message);
    return e;
}

Tool automateRetentionCampaigns()
{
    Tool t;
    t.name = u"automate_retention_campaigns"_s;
    t.title = u"Automate retention playbooks"_s;
    t.description = u"Retention playbooks and their triggers (health drop, usage decline, detractor, renewal risk, "
                    u"overdue milestone, manual): create a playbook with ordered steps (task, note, email, message, "
                    u"wait), get one with its enrolment stats, activate or deactivate it, list them, preview who a "
                    u"trigger matches now, or evaluate the triggers and enrol the matching customers."_s;
    t.toolset = kToolset;
    const QStringList triggers = Domain::enumValues<Domain::PlaybookTrigger>();
    const QJsonObject step = object(
        {
            { u"kind"_s, enumOf(u"What the step does."_s, Domain::enumValues<Domain::PlaybookStepKind>()) },
            { u"name"_s, string(u"A short label."_s, 0, 200) },
            { u"position"_s, integer(u"Order (unique); leave out on every step to use the list order."_s, 0, 10000) },
            { u"delay_days"_s,
                integer(u"Wait this many days after the previous step (a wait step before this one); not with "
                        u"position."_s,
                    0, 365) },
            { u"config"_s,
                anyObject(u"The step's settings by kind (the same keys may be given directly on the step). task: "
                          u"{title (required), description, due_in_days 0..365 (3), priority low|medium|high|urgent, "
                          u"owner}; note: {body (required), pinned}; email: {template_id (required), "
                          u"recipient_role}; message: {body (required), subject, recipient_role}; wait: {days "
                          u"0..365}. Text may use {{placeholders}}."_s) },
            { u"title"_s, string(u"task: the task title."_s, 1, 500) },
            { u"description"_s, string(u"task: details."_s, 0, 10000) },
            { u"due_in_days"_s, integer(u"task: due this many days after the step runs."_s, 0, 365) },
            { u"priority"_s, enumOf(u"task: priority."_s, Domain::enumValues<Domain::CsmTaskPriority>()) },
            { u"owner"_s, string(u"task: who does it (default the customer's owner)."_s, 0, 200) },
            { u"assignee"_s, string(u"task: alias of owner."_s, 0, 200) },
            { u"body"_s, string(u"note/message: the text."_s, 1, 200000) },
            { u"subject"_s, string(u"message: the subject."_s, 0, 998) },
            { u"pinned"_s, boolean(u"note: pin it."_s) },
            { u"template_id"_s, integer(u"email: the e-mail template (send_personalized_email)."_s, 1) },
            { u"recipient_role"_s, string(u"email/message: a contact role (default the primary contact)."_s, 1, 50) },
            { u"days"_s, integer(u"wait: days."_s, 0, 365) },
        },
        { u"kind"_s });
    t.inputSchema = object(
        withPaging({
            { u"action"_s,
                enumOf({},
                    { u"list"_s, u"get"_s, u"create"_s, u"activate"_s, u"deactivate"_s, u"preview"_s, u"evaluate"_s },
                    u"list"_s) },
            { u"playbook_id"_s, integer(u"get/activate/deactivate: required; evaluate: only this playbook."_s, 1) },
            { u"name"_s, string(u"create: required, unique among playbooks."_s, 1, 200) },
            { u"description"_s, string(u"create: what the play is for."_s, 0, 10000) },
            { u"trigger"_s,
                enumOf(u"create (default manual), preview (required), list (filter): the trigger kind."_s, triggers) },
            { u"trigger_config"_s,
                anyObject(u"create/preview: the trigger's thresholds, e.g. {\"drop_points\": 10} for health_drop; "
                          u"keys left out take their defaults."_s) },
            { u"steps"_s, arrayOf(step, u"create: the ordered steps (at least one)."_s, 200) },
            { u"owner"_s, string(u"create: the playbook's owner."_s, 0, 200) },
            { u"active"_s, boolean(u"create: active at once (default true; enrolment needs an active playbook)."_s) },
            { u"active_only"_s, boolean(u"list: only active (true) or inactive (false) playbooks."_s) },
            { u"version"_s, integer(u"activate/deactivate: the version you read (optimistic concurrency)."_s, 1) },
        }),
        { u"action"_s });
    t.outputSchema = openObject({ { u"action"_s, string({}) } }, { u"action"_s });
    t.annotations = { .readOnly = false, .destructive = false, .idempotent = false, .openWorld = false };
    t.writes = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        const QString action = a.value(u"action"_s).toString();
        Core::PlaybookService &playbooks = call.services->playbooks();
        const auto required = [&](const QString &field) -> std::optional<Core::Error> {
            if (a.contains(field))
                return std::nullopt;
            return Core::Error::invalid(field, u"required when action is "_s + action);
        };
        if (action == u"create"_s) {
            for (const QString &field : { u"name"_s, u"steps"_s })
                if (auto e = required(field))
                    return *e;
            const QJsonArray stepsJson = a.value(u"steps"_s).toArray();
            if (stepsJson.isEmpty())
                return Core::Error::invalid(u"steps"_s, u"a playbook needs at least one step"_s);
            Domain::Playbook p;
            p.name = a.value(u"name"_s).toString();
            p.description = a.value(u"description"_s).toString();
            p.triggerKind
                = *Domain::enumFromString<Domain::PlaybookTrigger>(a.value(u"trigger"_s).toString(u"manual"_s));
            p.triggerConfig = a.value(u"trigger_config"_s).toObject().toVariantMap();
            p.owner = a.value(u"owner"_s).toString();
            p.isActive = a.value(u"active"_s).toBool(true);
            // Steps as the service takes them: the step's own keys merged into its config (a key given both ways
            // must agree), and a wait step before a step with delay_days > 0. `origin` maps the service's step
            // index back to the argument's, so errors name the step the caller wrote.
            QList<Domain::PlaybookStep> steps;
            QList<int> origin;
            static const QStringList kConfigKeys { u"title"_s, u"description"_s, u"due_in_days"_s, u"priority"_s,
                u"owner"_s, u"body"_s, u"subject"_s, u"pinned"_s, u"template_id"_s, u"recipient_role"_s, u"days"_s };
            for (int i = 0; i < stepsJson.size(); ++i) {
                const QJsonObject s = stepsJson.at(i).toObject();
                const QString field = u"steps[%1]"_s.arg(i);
                QJsonObject config = s.value(u"config"_s).toObject();
                QJsonObject flat;
                for (const QString &key : kConfigKeys)
                    if (s.contains(key))
                        flat.insert(key, s.value(key));
                if (s.contains(u"assignee"_s)) {
                    if (s.contains(u"owner"_s) && s.value(u"owner"_s) != s.value(u"assignee"_s))
                        return Core::Error::invalid(field + u".assignee"_s, u"differs from owner"_s);
                    flat.insert(u"owner"_s, s.value(u"assignee"_s));
                }
                for (auto it = flat.constBegin(); it != flat.constEnd(); ++it) {
                    if (config.contains(it.key()) && config.value(it.key()) != it.value())
                        return Core::Error::invalid(
                            field + u'.' + it.key(), u"differs from config."_s + it.key() + u" of the same step"_s);
                    config.insert(it.key(), it.value());
                }
                const int delay = s.value(u"delay_days"_s).toInt(0);
                if (delay > 0) {
                    if (s.contains(u"position"_s))
                        return Core::Error::invalid(
                            field + u".delay_days"_s, u"cannot be combined with position: add a wait step instead"_s);
                    Domain::PlaybookStep wait;
                    wait.kind = Domain::PlaybookStepKind::Wait;
                    wait.name = u"Wait %1 days"_s.arg(delay);
                    wait.config = { { u"days"_s, delay } };
                    steps << wait;
                    origin << i;
                }
                Domain::PlaybookStep step;
                step.kind = *Domain::enumFromString<Domain::PlaybookStepKind>(s.value(u"kind"_s).toString());
                step.name = s.value(u"name"_s).toString();
                step.position = s.value(u"position"_s).toInt(0);
                step.config = config.toVariantMap();
                steps << step;
                origin << i;
            }
            auto created = playbooks.createPlaybook(p, steps);
            if (!created) {
                Core::Error e = created.error();
                static const QRegularExpression stepField(u"^steps\\[(\\d+)\\]"_s);
                if (const auto m = stepField.match(e.field); m.hasMatch()) {
                    const int k = m.captured(1).toInt();
                    if (k >= 0 && k < origin.size())
                        e.field.replace(0, m.capturedLength(), u"steps[%1]"_s.arg(origin.at(k)));
                }
                return e;
            }
            return QJsonObject { { u"action"_s, action }, { u"playbook"_s, playbookDetailJson(*created) } };
        }
        if (action == u"get"_s || action == u"activate"_s || action == u"deactivate"_s) {
            if (auto e = required(u"playbook_id"_s))
                return *e;
            const qint64 id = a.value(u"playbook_id"_s).toInteger();
            auto detail = playbooks.playbook(id);
            if (!detail)
                return playbookError(detail.error());
            if (action != u"get"_s) {
                Domain::Playbook p = detail->playbook;
                p.isActive = action == u"activate"_s;
                if (a.contains(u"version"_s))
                    p.meta.version = a.value(u"version"_s).toInt();
                auto updated = playbooks.updatePlaybook(p);
                if (!updated) {
                    if (updated.error().code == Core::ErrorCode::Conflict)
                        return Core::Error { Core::ErrorCode::Conflict, u"version"_s, updated.error().message };
                    return playbookError(updated.error());
                }
                detail->playbook = *updated;
            }
            auto stats = playbooks.playbookStats(id);
            if (!stats)
                return playbookError(stats.error());
            QJsonObject json = playbookDetailJson(*detail);
            json.insert(u"enrolment_stats"_s, enrolmentStatsJson(*stats));
            return QJsonObject { { u"action"_s, action }, { u"playbook"_s, json } };
        }
        if (action == u"preview"_s) {
            if (auto e = required(u"trigger"_s))
                return *e;
            auto matches = playbooks.previewTrigger(
                *Domain::enumFromString<Domain::PlaybookTrigger>(a.value(u"trigger"_s).toString()),
                a.value(u"trigger_config"_s).toObject().toVariantMap());
            if (!matches)
                return matches.error();
            QJsonArray items;
            for (const auto &m : *matches)
                items.append(QJsonObject { { u"customer_id"_s, m.customerId }, { u"name"_s, m.customerName },
                    { u"summary"_s, m.summary }, { u"context"_s, QJsonObject::fromVariantMap(m.context) } });
            auto page = ToolSupport::pageOfArray(items, a);
            if (!page)
                return page.error();
            QJsonObject json = *page;
            json.insert(u"action"_s, action);
            return json;
        }
        if (action == u"evaluate"_s) {
            std::optional<qint64> id;
            if (a.contains(u"playbook_id"_s))
                id = a.value(u"playbook_id"_s).toInteger();
            auto evaluations = playbooks.evaluateTriggers(id);
            if (!evaluations)
                return playbookError(evaluations.error());
            QJsonArray items;
            for (const auto &e : *evaluations)
                items.append(QJsonObject { { u"playbook_id"_s, e.playbookId }, { u"playbook"_s, e.playbookName },
                    { u"trigger"_s, Domain::enumName(e.triggerKind) }, { u"matched"_s, e.matched },
                    { u"enrolled"_s, e.enrolled }, { u"already_enrolled"_s, e.alreadyEnrolled },
                    { u"recently_enrolled"_s, e.recentlyEnrolled },
                    { u"error"_s, e.error.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(e.error) } });
            return QJsonObject { { u"action"_s, action }, { u"playbooks"_s, items } };
        }
        Core::PlaybookListQuery q;
        q.limit = a.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
        q.cursor = a.value(u"cursor"_s).toString();
        if (a.contains(u"active_only"_s))
            q.active = a.value(u"active_only"_s).toBool();
        if (a.contains(u"trigger"_s))
            q.triggerKind = Domain::enumFromString<Domain::PlaybookTrigger>(a.value(u"trigger"_s).toString());
        auto page = playbooks.listPlaybooks(q);
        if (!page)
            return page.error();
        QJsonArray items;
        for (const auto &p : page->items)
            items.append(playbookSummaryJson(p));
        QJsonObject json = ToolSupport::pageJson(items, page->total, page->nextCursor);
        json.insert(u"action"_s, action);
        return json;
    };
    return t;
}

// ---- manage_escalations -------------------------------------------------------------------------------------

QJsonObject escalationJson(const Domain::Escalation &e)
{
    return QJsonObject { { u"escalation_id"_s, e.id }, { u"customer_id"_s, e.customerId },
        { u"ticket_id"_s, e.ticketId ? QJsonValue(*e.ticketId) : QJsonValue(QJsonValue::Null) },
        { u"severity"_s, Domain::enumName(e.severity) }, { u"status"_s, Domain::enumName(e.status) },
        { u"reason"_s, e.reason }, { u"owner"_s, e.owner }, { u"resolution"_s, e.resolution },
        { u"opened_at"_s, dateTimeJson(e.openedAt) }, { u"resolved_at"_s, dateTimeJson(e.resolvedAt) },
        { u"closed_at"_s, dateTimeJson(e.closedAt) }, { u"version"_s, e.meta.version } };
}

Tool manageEscalations()
{
    Tool t;
    t.name = u"manage_escalations"_s;
    t.title = u"Manage escalations"_s;
    t.description = u"Customer escalations: open one (an executive complaint, a renewal at risk), list them by "
                    u"customer and status, or update status, severity, owner or resolution."_s;
    t.toolset = kToolset;
    t.inputSchema = object(
        withPaging({
            { u"action"_s, enumOf({}, { u"list"_s, u"open"_s, u"update"_s }, u"list"_s) },
            { u"customer_id"_s, customerId(u"open: required; list: filter."_s) },
            { u"escalation_id"_s, integer(u"update: required."_s, 1) },
            { u"reason"_s, string(u"open: required."_s, 1, 4000) },
            { u"severity"_s, enumOf({}, Domain::enumValues<Domain::EscalationSeverity>()) },
            { u"status"_s,
                enumOf(u"list: filter; update: new status."_s, Domain::enumValues<Domain::EscalationStatus>()) },
            { u"owner"_s, string({}, 0, 200) },
            { u"resolution"_s, string(u"Required when resolving."_s, 0, 4000) },
            { u"version"_s, integer(u"update: the version you read (optimistic)."_s, 1) },
        }),
        { u"action"_s });
    t.outputSchema = openObject({ { u"action"_s, string({}) } }, { u"action"_s });
    t.annotations = { .readOnly = false, .destructive = false, .idempotent = false, .openWorld = false };
    t.writes = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        const QString action = a.value(u"action"_s).toString();
        Core::SupportService &support = call.services->support();
        const QString actor = u"mcp:"_s + call.clientName;
        if (action == u"open"_s) {
            if (!a.contains(u"customer_id"_s))
                return Core::Error::invalid(u"customer_id"_s, u"required when action is open"_s);
            if (!a.contains(u"reason"_s))
                return Core::Error::invalid(u"reason"_s, u"required when action is open"_s);
            Core::NewEscalation e;
            e.customerId = a.value(u"customer_id"_s).toString();
            e.reason = a.value(u"reason"_s).toString();
            if (a.contains(u"severity"_s))
                e.severity = *Domain::enumFromString<Domain::EscalationSeverity>(a.value(u"severity"_s).toString());
            e.owner = a.value(u"owner"_s).toString();
            e.actor = actor;
            auto r = support.openEscalation(e);
            if (!r)
                return customerNotFound(r.error());
            return QJsonObject { { u"action"_s, action }, { u"escalation"_s, escalationJson(*r) } };
        }
        if (action == u"update"_s) {
            if (!a.contains(u"escalation_id"_s))
                return Core::Error::invalid(u"escalation_id"_s, u"required when action is update"_s);
            Core::EscalationChanges c;
            if (a.contains(u"status"_s))
                c.status = Domain::enumFromString<Domain::EscalationStatus>(a.value(u"status"_s).toString());
            if (a.contains(u"severity"_s))
                c.severity = Domain::enumFromString<Domain::EscalationSeverity>(a.value(u"severity"_s).toString());
            if (a.contains(u"owner"_s))
                c.owner = a.value(u"owner"_s).toString();
            if (a.contains(u"resolution"_s))
                c.resolution = a.value(u"resolution"_s).toString();
            auto r = support.updateEscalation(
                a.value(u"escalation_id"_s).toInteger(), c, actor, a.value(u"version"_s).toInt(0));
            if (!r)
                return r.error();
            return QJsonObject { { u"action"_s, action }, { u"escalation"_s, escalationJson(*r) } };
        }
        Storage::ListQuery q = ToolSupport::pageQuery(a);
        if (a.contains(u"customer_id"_s))
            q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq,
                a.value(u"customer_id"_s).toString() };
        if (a.contains(u"status"_s))
            q.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq, a.value(u"status"_s).toString() };
        if (a.contains(u"severity"_s))
            q.filters << Storage::Filter { u"severity"_s, Storage::Filter::Op::Eq, a.value(u"severity"_s).toString() };
        q.orderBy = u"opened_at"_s;
        q.descending = true;
        auto page = support.listEscalations(q);
        if (!page)
            return page.error();
        QJsonArray items;
        for (const auto &e : page->items)
            items.append(escalationJson(e));
        QJsonObject json = ToolSupport::pageJson(items, page->total, page->nextCursor);
        json.insert(u"action"_s, action);
        return json;
    };
    return t;
}

} // namespace

void registerRetentionTools(ToolRegistry &registry)
{
    add(registry, identifyChurnRisk());
    add(registry, executeRetentionCampaign());
    add(registry, monitorSatisfaction());
    add(registry, manageEscalations());
    add(registry, analyzeChurnPostmortem());
    add(registry, scoreRiskFactors());
    add(registry, automateRetentionCampaigns());
}

} // namespace Mcp
