// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The core toolset (TOOLS.md "core"): register_client, get_client_overview, update_client_info, list_clients,
// get_client_timeline, and the contract tools record_contract / update_contract. Handlers map arguments to
// CustomerService, SegmentService, TimelineService and the composed Core::customerOverview, and their answers to JSON;
// nothing is computed here.
#include "coretools.h"

#include <QJsonArray>

#include "enumnames.h"
#include "jsonwriter.h"
#include "services.h"
#include "toolsupport.h"

using namespace Qt::StringLiterals;

namespace Mcp::CsJson {

using namespace Schema;
using ToolSupport::dateJson;
using ToolSupport::dateTimeJson;
using ToolSupport::rounded;

namespace {

QJsonValue optionalNumber(const std::optional<double> &value, int decimals)
{
    return value ? QJsonValue(rounded(*value, decimals)) : QJsonValue(QJsonValue::Null);
}

QJsonValue optionalInt(const std::optional<int> &value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

QJsonObject contractJson(const Domain::Contract &c)
{
    return QJsonObject {
        { u"contract_id"_s, c.id },
        { u"contract_number"_s, c.contractNumber },
        { u"start_date"_s, dateJson(c.startDate) },
        { u"end_date"_s, dateJson(c.endDate) },
        { u"arr"_s, rounded(c.arr, 2) },
        { u"currency"_s, c.currency },
        { u"seats_purchased"_s, optionalInt(c.seatsPurchased) },
        { u"seats_used"_s, optionalInt(c.seatsUsed) },
        { u"status"_s, Domain::enumName(c.status) },
        { u"auto_renew"_s, c.autoRenew },
        { u"payment_status"_s,
            c.paymentStatus == Domain::PaymentStatus::None ? QJsonValue(QJsonValue::Null)
                                                           : QJsonValue(Domain::enumName(c.paymentStatus)) },
        { u"seat_utilisation"_s, optionalNumber(c.seatUtilisation(), 4) },
        { u"notes"_s, c.notes },
        { u"version"_s, c.meta.version },
    };
}

QJsonObject contractSchema()
{
    return openObject(
        {
            { u"contract_id"_s, integer({}) },
            { u"contract_number"_s, string({}) },
            { u"start_date"_s, nullable(date({})) },
            { u"end_date"_s, nullable(date({})) },
            { u"arr"_s, number({}) },
            { u"currency"_s, string({}) },
            { u"seats_purchased"_s, nullable(integer({})) },
            { u"seats_used"_s, nullable(integer({})) },
            { u"status"_s, string({}) },
            { u"auto_renew"_s, boolean({}) },
            { u"payment_status"_s, nullable(string({})) },
            { u"seat_utilisation"_s, nullable(number(u"Seats used per seat purchased."_s)) },
            { u"notes"_s, string({}) },
            { u"version"_s, integer(u"Pass it to update_contract."_s) },
        },
        { u"contract_id"_s, u"arr"_s, u"status"_s, u"version"_s });
}

QJsonObject ticketJson(const Domain::SupportTicket &t)
{
    return QJsonObject {
        { u"ticket_id"_s, t.id },
        { u"subject"_s, t.subject },
        { u"priority"_s, Domain::enumName(t.priority) },
        { u"status"_s, Domain::enumName(t.status) },
        { u"opened_at"_s, dateTimeJson(t.openedAt) },
        { u"escalated"_s, t.escalated },
        { u"assignee"_s, t.assignee },
    };
}

QJsonObject onboardingJson(const Core::PlanSummary &s)
{
    const Core::PlanProgress &p = s.progress;
    return QJsonObject {
        { u"plan_id"_s, s.plan.id },
        { u"name"_s, s.plan.name },
        { u"status"_s, Domain::enumName(s.plan.status) },
        { u"owner"_s, s.plan.owner },
        { u"started_on"_s, dateJson(s.plan.startedOn) },
        { u"target_go_live"_s, dateJson(s.plan.targetGoLive) },
        { u"completed_on"_s, dateJson(s.plan.completedOn) },
        { u"percent_complete"_s, optionalNumber(p.percent, 1) },
        { u"risk"_s, Domain::enumName(p.risk) },
        { u"milestones_total"_s, p.milestonesTotal },
        { u"milestones_completed"_s, p.milestonesCompleted },
        { u"milestones_overdue"_s, p.milestonesOverdue },
        { u"tasks_overdue"_s, p.tasksOverdue },
        { u"ttv_days"_s, optionalInt(s.plan.ttvDays) },
        { u"target_ttv_days"_s, optionalInt(s.plan.targetTtvDays) },
    };
}

QJsonObject renewalJson(const Core::RenewalPipelineItem &r)
{
    return QJsonObject {
        { u"renewal_id"_s, r.renewal.id },
        { u"renewal_date"_s, dateJson(r.renewal.renewalDate) },
        { u"days_until"_s, r.daysUntil },
        { u"stage"_s, Domain::enumName(r.renewal.stage) },
        { u"arr_current"_s, rounded(r.renewal.arrCurrent, 2) },
        { u"p_renew"_s, optionalNumber(r.pRenew.value, 4) },
        { u"p_renew_source"_s, Domain::enumName(r.pRenew.source) },
        { u"forecast_arr"_s, optionalNumber(r.forecastArr, 2) },
    };
}

} // namespace

QJsonObject healthScoreJson(const Domain::HealthScore &score)
{
    return QJsonObject {
        { u"score"_s, rounded(score.score, 1) },
        { u"band"_s, Domain::enumName(score.band) },
        { u"score_date"_s, dateJson(score.scoreDate) },
        { u"config_version"_s, score.configVersion },
        { u"components"_s, QJsonObject::fromVariantMap(score.components) },
    };
}

QJsonObject healthScoreSchema()
{
    return openObject(
        {
            { u"score"_s, number(u"0–100"_s, 0.0, 100.0) },
            { u"band"_s, enumOf({}, Domain::enumValues<Domain::HealthBand>()) },
            { u"score_date"_s, date({}) },
            { u"config_version"_s, integer({}, 1) },
            { u"components"_s, anyObject(u"component → {score, weight}; components without data are absent"_s) },
        },
        { u"score"_s, u"band"_s, u"score_date"_s, u"config_version"_s, u"components"_s });
}

QJsonObject healthTrendJson(const Core::HealthTrend &t)
{
    QJsonObject json {
        { u"days"_s, t.days },
        { u"has_data"_s, t.hasData },
        { u"points"_s, qint64(t.points.size()) },
    };
    if (!t.hasData) {
        json.insert(u"note"_s, t.reason);
        return json;
    }
    json.insert(u"first_score"_s, rounded(t.firstScore, 1));
    json.insert(u"last_score"_s, rounded(t.lastScore, 1));
    json.insert(u"change"_s, rounded(t.change, 1));
    json.insert(u"slope_per_day"_s, rounded(t.slopePerDay, 3));
    json.insert(u"min_score"_s, rounded(t.minScore, 1));
    json.insert(u"max_score"_s, rounded(t.maxScore, 1));
    json.insert(u"direction"_s, t.direction);
    return json;
}

QJsonObject healthTrendSchema()
{
    return openObject(
        {
            { u"days"_s, integer({}) },
            { u"has_data"_s, boolean({}) },
            { u"points"_s, integer(u"stored daily scores in the window"_s, 0) },
            { u"note"_s, string(u"why there is no trend"_s) },
            { u"first_score"_s, number({}) },
            { u"last_score"_s, number({}) },
            { u"change"_s, number({}) },
            { u"slope_per_day"_s, number({}) },
            { u"min_score"_s, number({}) },
            { u"max_score"_s, number({}) },
            { u"direction"_s, enumOf({}, { u"improving"_s, u"declining"_s, u"stable"_s }) },
        },
        { u"days"_s, u"has_data"_s });
}

QJsonObject churnRiskJson(const Core::ChurnRisk &risk)
{
    QJsonArray drivers;
    for (const Core::ChurnDriver &d : risk.drivers) {
        drivers.append(QJsonObject {
            { u"feature"_s, d.feature },
            { u"label"_s, d.label },
            { u"contribution"_s, rounded(d.contribution, 4) },
            { u"value"_s, optionalNumber(d.value, 4) },
        });
    }
    return QJsonObject {
        { u"customer_id"_s, risk.customerId },
        { u"name"_s, risk.customerName },
        { u"probability"_s, rounded(risk.probability, 4) },
        { u"risk_level"_s, Domain::enumName(risk.riskLevel) },
        { u"model_version"_s, risk.modelVersion },
        { u"model_source"_s, Domain::enumName(risk.modelSource) },
        { u"drivers"_s, drivers },
        { u"missing_data"_s, QJsonArray::fromStringList(risk.missingData) },
        { u"as_of"_s, dateJson(risk.asOf) },
        { u"predicted_at"_s, dateTimeJson(risk.predictedAt) },
    };
}

QJsonObject churnRiskSchema()
{
    const QJsonObject driver = openObject(
        {
            { u"feature"_s, string({}) },
            { u"label"_s, string({}) },
            { u"contribution"_s, number(u"log-odds; > 0 raises the risk"_s) },
            { u"value"_s, nullable(number({})) },
        },
        { u"feature"_s, u"label"_s, u"contribution"_s });
    return openObject(
        {
            { u"customer_id"_s, string({}) },
            { u"name"_s, string({}) },
            { u"probability"_s, number(u"p(churn)"_s, 0.0, 1.0) },
            { u"risk_level"_s, enumOf({}, Domain::enumValues<Domain::ChurnRiskLevel>()) },
            { u"model_version"_s, integer({}) },
            { u"model_source"_s, enumOf({}, Domain::enumValues<Domain::ChurnModelSource>()) },
            { u"drivers"_s, arrayOf(driver, u"strongest first"_s) },
            { u"missing_data"_s, arrayOf(string({})) },
            { u"as_of"_s, nullable(date({})) },
            { u"predicted_at"_s, nullable(dateTime({})) },
        },
        { u"customer_id"_s, u"probability"_s, u"risk_level"_s, u"model_version"_s, u"drivers"_s });
}

QJsonObject timelineEventJson(const Domain::TimelineEvent &e)
{
    return QJsonObject {
        { u"event_id"_s, e.id },
        { u"occurred_at"_s, dateTimeJson(e.occurredAt) },
        { u"kind"_s, Domain::enumName(e.kind) },
        { u"title"_s, e.title },
        { u"actor"_s, e.actor },
        { u"source"_s,
            e.sourceTable.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(e.sourceTable + u'/' + e.sourceId) },
        { u"detail"_s, QJsonObject::fromVariantMap(e.detail) },
    };
}

QJsonObject timelineEventSchema()
{
    return openObject(
        {
            { u"event_id"_s, integer({}) },
            { u"occurred_at"_s, dateTime({}) },
            { u"kind"_s, enumOf({}, Domain::enumValues<Domain::TimelineEventKind>()) },
            { u"title"_s, string({}) },
            { u"actor"_s, string({}) },
            { u"source"_s, nullable(string(u"table/id of the record behind the event"_s)) },
            { u"detail"_s, anyObject({}) },
        },
        { u"event_id"_s, u"occurred_at"_s, u"kind"_s, u"title"_s });
}

QJsonObject overviewJson(const Core::CustomerOverview &o)
{
    QJsonArray notes;
    QJsonArray contracts;
    for (const auto &c : o.contracts)
        contracts.append(contractJson(c));
    QJsonObject health;
    if (o.health) {
        health = healthScoreJson(*o.health);
    } else {
        notes.append(u"no health score stored yet (run calculate_health_score)"_s);
    }
    QJsonObject trend { { u"week"_s, healthTrendJson(o.healthTrend.week) },
        { u"month"_s, healthTrendJson(o.healthTrend.month) } };
    if (!o.churnRisk)
        notes.append(u"no churn prediction stored yet (run identify_churn_risk with this customer_id)"_s);
    QJsonArray tickets;
    for (const auto &t : o.recentOpenTickets)
        tickets.append(ticketJson(t));
    QJsonArray timeline;
    for (const auto &e : o.recentTimeline)
        timeline.append(timelineEventJson(e));
    if (!o.onboarding)
        notes.append(u"no onboarding plan"_s);
    if (!o.nextRenewal)
        notes.append(u"no open renewal on file"_s);

    return QJsonObject {
        { u"customer"_s, ToolSupport::customerJson(o.customer) },
        { u"contract"_s,
            QJsonObject {
                { u"type"_s,
                    o.customer.contractType == Domain::ContractType::None
                        ? QJsonValue(QJsonValue::Null)
                        : QJsonValue(Domain::enumName(o.customer.contractType)) },
                { u"start"_s, dateJson(o.customer.contractStart) },
                { u"end"_s, dateJson(o.customer.contractEnd) },
                { u"renewal_date"_s, dateJson(o.customer.renewalDate) },
                { u"current"_s,
                    o.currentContract ? QJsonValue(contractJson(*o.currentContract)) : QJsonValue(QJsonValue::Null) },
                { u"recent"_s, contracts },
            } },
        { u"health"_s, o.health ? QJsonValue(health) : QJsonValue(QJsonValue::Null) },
        { u"health_trend"_s, trend },
        { u"churn_risk"_s, o.churnRisk ? QJsonValue(churnRiskJson(*o.churnRisk)) : QJsonValue(QJsonValue::Null) },
        { u"open_tickets"_s, QJsonObject { { u"count"_s, o.openTickets }, { u"newest"_s, tickets } } },
        { u"onboarding"_s, o.onboarding ? QJsonValue(onboardingJson(*o.onboarding)) : QJsonValue(QJsonValue::Null) },
        { u"onboarding_plans"_s, o.onboardingPlans },
        { u"next_renewal"_s, o.nextRenewal ? QJsonValue(renewalJson(*o.nextRenewal)) : QJsonValue(QJsonValue::Null) },
        { u"recent_timeline"_s, QJsonObject { { u"total"_s, o.timelineTotal }, { u"items"_s, timeline } } },
        { u"notes"_s, notes },
    };
}

QJsonObject overviewSchema()
{
    const QJsonObject ticket = openObject(
        {
            { u"ticket_id"_s, integer({}) },
            { u"subject"_s, string({}) },
            { u"priority"_s, string({}) },
            { u"status"_s, string({}) },
            { u"opened_at"_s, nullable(dateTime({})) },
            { u"escalated"_s, boolean({}) },
        },
        { u"ticket_id"_s, u"status"_s });
    const QJsonObject onboarding = openObject(
        {
            { u"plan_id"_s, integer({}) },
            { u"name"_s, string({}) },
            { u"status"_s, string({}) },
            { u"percent_complete"_s, nullable(number({}, 0.0, 100.0)) },
            { u"risk"_s, string({}) },
            { u"milestones_total"_s, integer({}, 0) },
            { u"milestones_completed"_s, integer({}, 0) },
            { u"milestones_overdue"_s, integer({}, 0) },
        },
        { u"plan_id"_s, u"status"_s, u"risk"_s });
    const QJsonObject renewal = openObject(
        {
            { u"renewal_id"_s, integer({}) },
            { u"renewal_date"_s, nullable(date({})) },
            { u"days_until"_s, integer({}) },
            { u"stage"_s, string({}) },
            { u"arr_current"_s, number({}) },
            { u"p_renew"_s, nullable(number({}, 0.0, 1.0)) },
            { u"forecast_arr"_s, nullable(number({})) },
        },
        { u"renewal_id"_s, u"renewal_date"_s, u"days_until"_s, u"arr_current"_s });
    return openObject(
        {
            { u"customer"_s, ToolSupport::customerSchema() },
            { u"contract"_s,
                openObject(
                    { { u"type"_s, nullable(string({})) }, { u"start"_s, nullable(date({})) },
                        { u"end"_s, nullable(date({})) }, { u"renewal_date"_s, nullable(date({})) },
                        { u"current"_s, nullable(contractSchema()) }, { u"recent"_s, arrayOf(contractSchema()) } },
                    { u"current"_s, u"recent"_s }) },
            { u"health"_s, nullable(healthScoreSchema()) },
            { u"health_trend"_s,
                openObject({ { u"week"_s, healthTrendSchema() }, { u"month"_s, healthTrendSchema() } },
                    { u"week"_s, u"month"_s }) },
            { u"churn_risk"_s, nullable(churnRiskSchema()) },
            { u"open_tickets"_s,
                openObject({ { u"count"_s, integer({}, 0) }, { u"newest"_s, arrayOf(ticket) } },
                    { u"count"_s, u"newest"_s }) },
            { u"onboarding"_s, nullable(onboarding) },
            { u"onboarding_plans"_s, integer({}, 0) },
            { u"next_renewal"_s, nullable(renewal) },
            { u"recent_timeline"_s,
                openObject({ { u"total"_s, integer({}, 0) }, { u"items"_s, arrayOf(timelineEventSchema()) } },
                    { u"total"_s, u"items"_s }) },
            { u"notes"_s, arrayOf(string({}), u"what has no data yet, in words"_s) },
        },
        { u"customer"_s, u"contract"_s, u"health"_s, u"health_trend"_s, u"churn_risk"_s, u"open_tickets"_s,
            u"onboarding"_s, u"next_renewal"_s, u"recent_timeline"_s, u"notes"_s });
}

Core::Error withoutPrefix(Core::Error error, const QString &prefix)
{
    if (error.field.startsWith(prefix))
        error.field = error.field.mid(prefix.size());
    return error;
}

} // namespace Mcp::CsJson

namespace Mcp {

using namespace Schema;

namespace {

const QString kToolset = u"core"_s;

template<typename E> std::optional<E> enumArgument(const QJsonObject &args, const QString &name)
{
    if (!args.contains(name))
        return std::nullopt;
    return Domain::enumFromString<E>(args.value(name).toString());
}

// The optimistic-concurrency argument of an update tool.
QJsonObject versionProperty(const QString &record, const QString &whereToRead)
{
    return integer(u"The %1's `version` as last read (%2). A stale version is refused so that nobody's change is "
                   u"overwritten silently."_s.arg(record, whereToRead),
        1);
}

QJsonObject customerFieldProperties(bool forCreate)
{
    QStringList contractTypes = Domain::enumValues<Domain::ContractType>();
    contractTypes.removeAll(QString());
    QJsonObject p {
        { u"name"_s, string(u"Display name of the account."_s, 1, 200) },
        { u"company"_s, string(u"Legal company name."_s, 0, 200) },
        { u"domain"_s, string(u"Web domain, e.g. acme.com."_s, 0, 253) },
        { u"industry"_s, string({}, 0, 100) },
        { u"tier"_s, enumOf({}, Domain::enumValues<Domain::Tier>(), forCreate ? u"smb"_s : QString()) },
        { u"status"_s, enumOf({}, Domain::enumValues<Domain::CustomerStatus>(), forCreate ? u"active"_s : QString()) },
        { u"owner"_s, string(u"The CSM who owns the account."_s, 0, 200) },
        { u"arr"_s, number(u"Annual recurring revenue in `currency`."_s, 0.0) },
        { u"currency"_s, pattern(u"ISO 4217 code."_s, u"^[A-Z]{3}$"_s) },
        { u"contract_type"_s, enumOf({}, contractTypes) },
        { u"contract_start"_s, date({}) },
        { u"contract_end"_s, date({}) },
        { u"renewal_date"_s, date({}) },
        { u"custom_fields"_s, anyObject(u"Extra fields (numbers stay numbers)."_s) },
    };
    if (forCreate) {
        p.insert(u"lifecycle_stage"_s, enumOf({}, Domain::enumValues<Domain::LifecycleStage>(), u"onboarding"_s));
    } else {
        p.insert(u"churned_at"_s, date(u"Day the customer churned (with status churned)."_s));
    }
    return p;
}

// Copies the arguments present onto the customer; the schema has checked types, enums and formats.
void applyCustomerFields(const QJsonObject &a, Domain::Customer &c)
{
    auto text = [&a](const QString &name, QString &field) {
        if (a.contains(name))
            field = a.value(name).toString();
    };
    auto day = [&a](const QString &name, QDate &field) {
        if (a.contains(name))
            field = ToolSupport::dateArgument(a, name);
    };
    text(u"name"_s, c.name);
    text(u"company"_s, c.company);
    text(u"domain"_s, c.domain);
    text(u"industry"_s, c.industry);
    text(u"owner"_s, c.owner);
    text(u"currency"_s, c.currency);
    if (auto v = enumArgument<Domain::Tier>(a, u"tier"_s))
        c.tier = *v;
    if (auto v = enumArgument<Domain::CustomerStatus>(a, u"status"_s))
        c.status = *v;
    if (auto v = enumArgument<Domain::LifecycleStage>(a, u"lifecycle_stage"_s))
        c.lifecycleStage = *v;
    if (auto v = enumArgument<Domain::ContractType>(a, u"contract_type"_s))
        c.contractType = *v;
    if (a.contains(u"arr"_s))
        c.arr = a.value(u"arr"_s).toDouble();
    day(u"contract_start"_s, c.contractStart);
    day(u"contract_end"_s, c.contractEnd);
    day(u"renewal_date"_s, c.renewalDate);
    day(u"churned_at"_s, c.churnedAt);
    if (a.contains(u"custom_fields"_s))
        c.customFields = a.value(u"custom_fields"_s).toObject().toVariantMap();
}

QJsonObject contactJson(const Domain::Contact &c)
{
    return QJsonObject { { u"contact_id"_s, c.id }, { u"name"_s, c.name }, { u"email"_s, c.email },
        { u"title"_s, c.title }, { u"phone"_s, c.phone }, { u"is_primary"_s, c.isPrimary } };
}

Tool registerClient()
{
    QJsonObject properties = customerFieldProperties(true);
    properties.insert(u"customer_id"_s,
        customerId(u"The new customer's id (letters, digits, '_' and '-'), e.g. the CRM account id. Leave it out to "
                   u"have one made from the name (\"Acme Corp\" → \"acme-corp\", or \"acme-corp-2\" when taken)."_s));
    properties.insert(u"primary_contact"_s,
        object(
            {
                { u"name"_s, string({}, 1, 200) },
                { u"email"_s, email({}) },
                { u"title"_s, string(u"Job title."_s, 0, 200) },
                { u"phone"_s, string({}, 0, 50) },
            },
            { u"name"_s }));
    Tool t;
    t.name = u"register_client"_s;
    t.title = u"Register a customer"_s;
    t.description
        = u"Creates a customer account (profile, tier, ARR, contract dates) with an optional primary "
          u"contact. Use when a new account must be tracked; fails if the customer_id is taken. Without a customer_id "
          u"one is made from the name and returned."_s;
    t.toolset = kToolset;
    t.inputSchema = object(properties, { u"name"_s });
    t.outputSchema = openObject(
        {
            { u"customer_id"_s, string(u"The id stored (given or generated)."_s) },
            { u"id_generated"_s, boolean(u"True when the id was made from the name."_s) },
            { u"customer"_s, ToolSupport::customerSchema() },
            { u"primary_contact"_s,
                nullable(openObject(
                    { { u"contact_id"_s, integer({}) }, { u"name"_s, string({}) }, { u"email"_s, string({}) } },
                    { u"contact_id"_s, u"name"_s })) },
        },
        { u"customer_id"_s, u"id_generated"_s, u"customer"_s, u"primary_contact"_s });
    t.annotations = { .readOnly = false, .destructive = false, .idempotent = false, .openWorld = false };
    t.writes = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        Domain::Customer c;
        c.id = a.value(u"customer_id"_s).toString(); // empty: CustomerService makes one from the name
        applyCustomerFields(a, c);
        std::optional<Domain::Contact> contact;
        if (a.contains(u"primary_contact"_s)) {
            const QJsonObject pc = a.value(u"primary_contact"_s).toObject();
            contact = Domain::Contact {};
            contact->name = pc.value(u"name"_s).toString();
            contact->email = pc.value(u"email"_s).toString();
            contact->title = pc.value(u"title"_s).toString();
            contact->phone = pc.value(u"phone"_s).toString();
        }
        auto created = call.services->customers().createWithContact(c, contact);
        if (!created) {
            Core::Error error = created.error();
            if (error.field == u"id"_s)
                error.field = u"customer_id"_s; // the argument the agent gave, not the column behind it
            return error;
        }
        return QJsonObject {
            { u"customer_id"_s, created->customer.id },
            { u"id_generated"_s, c.id.isEmpty() },
            { u"customer"_s, ToolSupport::customerJson(created->customer) },
            { u"primary_contact"_s,
                created->primaryContact ? QJsonValue(contactJson(*created->primaryContact))
                                        : QJsonValue(QJsonValue::Null) },
        };
    };
    return t;
}

Tool getClientOverview()
{
    Tool t;
    t.name = u"get_client_overview"_s;
    t.title = u"Customer overview"_s;
    t.description = u"One customer at a glance: profile, contract, latest health score with components and trend, "
                    u"churn risk with drivers, open tickets, onboarding state, next renewal and recent timeline. "
                    u"Start here before acting on an account."_s;
    t.toolset = kToolset;
    t.inputSchema = object(
        {
            { u"customer_id"_s, customerId() },
            { u"recent_timeline_items"_s,
                integer(u"How many of the newest timeline events to include."_s, 0,
                    Core::CustomerOverview::kMaxTimelineItems, 10) },
        },
        { u"customer_id"_s });
    t.outputSchema = CsJson::overviewSchema();
    t.handler = [](const ToolCall &call) -> ToolResult {
        auto overview = Core::customerOverview(*call.services, call.arguments.value(u"customer_id"_s).toString(),
            call.arguments.value(u"recent_timeline_items"_s).toInt(10));
        if (!overview)
            return overview.error();
        return CsJson::overviewJson(*overview);
    };
    return t;
}

Tool updateClientInfo()
{
    QJsonObject properties = customerFieldProperties(false);
    properties.insert(u"customer_id"_s, customerId());
    properties.insert(u"version"_s, versionProperty(u"customer"_s, u"get_client_overview → customer.version"_s));
    Tool t;
    t.name = u"update_client_info"_s;
    t.title = u"Update a customer"_s;
    t.description = u"Changes profile fields of one customer (only the fields given). Pass the version you read; "
                    u"if someone changed the customer since, nothing is written and the error says so. Lifecycle "
                    u"stage changes go through manage_lifecycle_stages."_s;
    t.toolset = kToolset;
    t.inputSchema = object(properties, { u"customer_id"_s, u"version"_s });
    t.outputSchema
        = openObject({ { u"customer"_s, ToolSupport::customerSchema() }, { u"changed_fields"_s, arrayOf(string({})) } },
            { u"customer"_s, u"changed_fields"_s });
    t.annotations = { .readOnly = false, .destructive = true, .idempotent = false, .openWorld = false };
    t.writes = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        const QString id = a.value(u"customer_id"_s).toString();
        auto current = call.services->customers().get(id);
        if (!current) {
            if (current.error().code == Core::ErrorCode::NotFound)
                return Core::Error::notFound(u"customer_id"_s, u"no customer with id \"%1\""_s.arg(id));
            return current.error();
        }
        const int version = a.value(u"version"_s).toInt();
        if (current->meta.version != version)
            return Core::Error::conflict(u"version"_s,
                u"the customer changed since version %1 (it is now version %2); read it again and reapply your "
                u"change"_s.arg(version)
                    .arg(current->meta.version));
        Domain::Customer changed = *current;
        applyCustomerFields(a, changed);
        QStringList fields;
        for (auto it = a.begin(); it != a.end(); ++it) {
            if (it.key() != u"customer_id"_s && it.key() != u"version"_s)
                fields << it.key();
        }
        if (fields.isEmpty())
            return Core::Error::invalid(u"customer_id"_s, u"no field to change was given"_s);
        auto updated = call.services->customers().update(changed);
        if (!updated) {
            if (updated.error().code == Core::ErrorCode::Conflict)
                return Core::Error::conflict(u"version"_s, updated.error().message);
            return updated.error();
        }
        return QJsonObject { { u"customer"_s, ToolSupport::customerJson(*updated) },
            { u"changed_fields"_s, QJsonArray::fromStringList(fields) } };
    };
    return t;
}

Tool listClients()
{
    Tool t;
    t.name = u"list_clients"_s;
    t.title = u"List customers"_s;
    t.description = u"Customers matching filters (tier, lifecycle stage, status, owner, health score range or band, "
                    u"saved segment, renewal window), sorted and paged. Use to find accounts to work on."_s;
    t.toolset = kToolset;
    t.inputSchema = object(withPaging({
        { u"tier"_s, enumOf({}, Domain::enumValues<Domain::Tier>()) },
        { u"lifecycle_stage"_s, enumOf({}, Domain::enumValues<Domain::LifecycleStage>()) },
        { u"status"_s, enumOf({}, Domain::enumValues<Domain::CustomerStatus>()) },
        { u"owner"_s, string(u"CSM owner (case-insensitive exact match)."_s, 1, 200) },
        { u"health_score_min"_s, number(u"Latest stored health score at least this."_s, 0.0, 100.0) },
        { u"health_score_max"_s, number(u"Latest stored health score at most this."_s, 0.0, 100.0) },
        { u"health_band"_s, enumOf({}, Domain::enumValues<Domain::HealthBand>()) },
        { u"segment_id"_s, integer(u"Only members of this saved segment."_s, 1) },
        { u"renewal_within_days"_s, integer(u"Renewal date between today and today + N days."_s, 0, 3650) },
        { u"sort"_s, enumOf({}, { u"name"_s, u"arr"_s, u"renewal_date"_s, u"tier"_s, u"id"_s }, u"name"_s) },
        { u"order"_s, enumOf({}, { u"asc"_s, u"desc"_s }, u"asc"_s) },
    }));
    t.outputSchema = listOutput(ToolSupport::customerSummarySchema(),
        { { u"filters"_s, arrayOf(string({}), u"What the filters select, in words."_s) } });
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        QVariantMap criteria;
        for (const QString &key : { u"tier"_s, u"lifecycle_stage"_s, u"status"_s, u"owner"_s, u"health_score_min"_s,
                 u"health_score_max"_s, u"health_band"_s, u"renewal_within_days"_s }) {
            if (a.contains(key))
                criteria.insert(key, a.value(key).toVariant());
        }
        Core::SegmentPageQuery page;
        page.limit = a.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
        page.cursor = a.value(u"cursor"_s).toString();
        page.sort = a.value(u"sort"_s).toString(u"name"_s);
        page.descending = a.value(u"order"_s).toString() == u"desc"_s;
        page.columns = ToolSupport::customerSummaryColumns(); // a summary reads 10 of a customer's 21 columns
        auto result = a.contains(u"segment_id"_s)
            ? call.services->segments().evaluateInSegment(a.value(u"segment_id"_s).toInteger(), criteria, page)
            : call.services->segments().evaluate(criteria, page);
        if (!result)
            return CsJson::withoutPrefix(result.error(), u"criteria."_s);
        // The busiest list of all: written straight as bytes (JsonWriter), not built as a QJsonObject first.
        QByteArray json;
        json.reserve(256 + 320 * result->items.size());
        Domain::JsonWriter w(json);
        w.beginObject().key("filters"_L1).beginArray();
        for (const QString &filter : std::as_const(result->description))
            w.value(filter);
        w.endArray().key("items"_L1).beginArray();
        for (const auto &c : result->items)
            ToolSupport::writeCustomerSummary(w, c);
        w.endArray();
        ToolSupport::writePageEnd(w, result->items.size(), result->total, result->nextCursor);
        w.endObject();
        return ToolOutput::serialized(std::move(json));
    };
    return t;
}

Tool getClientTimeline()
{
    Tool t;
    t.name = u"get_client_timeline"_s;
    t.title = u"Customer timeline"_s;
    t.description = u"Every touch on one customer, newest first: notes, emails, tickets, usage milestones, score "
                    u"changes, renewals and more, filtered by date range and kind, paged."_s;
    t.toolset = kToolset;
    t.inputSchema = object(withPaging({
                               { u"customer_id"_s, customerId() },
                               { u"from"_s, date(u"First day included (UTC)."_s) },
                               { u"to"_s, date(u"Last day included (UTC)."_s) },
                               { u"kinds"_s,
                                   arrayOf(enumOf({}, Domain::enumValues<Domain::TimelineEventKind>()),
                                       u"Only these kinds; omit for all."_s, 20) },
                           }),
        { u"customer_id"_s });
    t.outputSchema = listOutput(CsJson::timelineEventSchema(),
        { { u"kind_counts"_s, anyObject(u"kind → events in the date range (kinds filter ignored)"_s) } });
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        Core::TimelineQuery q;
        q.customerId = a.value(u"customer_id"_s).toString();
        q.from = ToolSupport::dateArgument(a, u"from"_s);
        q.to = ToolSupport::dateArgument(a, u"to"_s);
        if (q.from.isValid() && q.to.isValid() && q.from > q.to)
            return Core::Error::invalid(u"to"_s, u"must not be before from"_s);
        for (const QJsonValue &k : a.value(u"kinds"_s).toArray()) {
            if (auto kind = Domain::enumFromString<Domain::TimelineEventKind>(k.toString()))
                q.kinds << *kind;
        }
        q.limit = a.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
        q.cursor = a.value(u"cursor"_s).toString();
        auto page = call.services->timeline().timeline(q);
        if (!page)
            return page.error();
        QJsonArray items;
        for (const auto &e : page->items)
            items.append(CsJson::timelineEventJson(e));
        QJsonObject counts;
        for (auto it = page->kindCounts.begin(); it != page->kindCounts.end(); ++it)
            counts.insert(Domain::enumName(it.key()), it.value());
        QJsonObject json = ToolSupport::pageJson(items, page->total, page->nextCursor);
        json.insert(u"kind_counts"_s, counts);
        return json;
    };
    return t;
}

// The fields of a contract both contract tools take (update_contract: every one optional).
QJsonObject contractFieldProperties(bool forCreate)
{
    QStringList statuses = Domain::enumValues<Domain::ContractStatus>();
    QStringList payments = Domain::enumValues<Domain::PaymentStatus>();
    payments.removeAll(QString());
    payments << u"none"_s;
    return QJsonObject {
        { u"contract_number"_s,
            string(u"The contract's number in the CRM or billing system (unique per customer)."_s, 1, 100) },
        { u"start_date"_s, date(u"First day of the term."_s) },
        { u"end_date"_s, date(u"Last day of the term (after start_date); the renewal date of a current contract."_s) },
        { u"arr"_s, number(u"Annual value of the contract in `currency`."_s, 0.0, 1e12) },
        { u"currency"_s, pattern(u"ISO 4217 code."_s, u"^[A-Z]{3}$"_s) },
        { u"seats_purchased"_s, integer(u"Seats (licences) bought."_s, 0, 10000000) },
        { u"seats_used"_s,
            integer(
                u"Seats in use; above seats_purchased is over-use (an upsell signal, not an error)."_s, 0, 10000000) },
        { u"status"_s, enumOf({}, statuses, forCreate ? u"active"_s : QString()) },
        { u"auto_renew"_s, boolean({}, forCreate ? std::optional<bool>(false) : std::nullopt) },
        { u"payment_status"_s,
            enumOf(u"How the invoices stand (financial health component); none = unknown."_s, payments) },
        { u"notes"_s, string({}, 0, 4000) },
    };
}

// Copies the arguments present onto the contract; the schema has checked types, enums and ranges.
void applyContractFields(const QJsonObject &a, Domain::Contract &k)
{
    const auto text = [&a](const QString &name, QString &field) {
        if (a.contains(name))
            field = a.value(name).toString();
    };
    const auto day = [&a](const QString &name, QDate &field) {
        if (a.contains(name))
            field = ToolSupport::dateArgument(a, name);
    };
    const auto count = [&a](const QString &name, std::optional<int> &field) {
        if (a.contains(name))
            field = a.value(name).toInt();
    };
    text(u"contract_number"_s, k.contractNumber);
    text(u"currency"_s, k.currency);
    text(u"notes"_s, k.notes);
    day(u"start_date"_s, k.startDate);
    day(u"end_date"_s, k.endDate);
    count(u"seats_purchased"_s, k.seatsPurchased);
    count(u"seats_used"_s, k.seatsUsed);
    if (a.contains(u"arr"_s))
        k.arr = a.value(u"arr"_s).toDouble();
    if (auto v = enumArgument<Domain::ContractStatus>(a, u"status"_s))
        k.status = *v;
    if (a.contains(u"auto_renew"_s))
        k.autoRenew = a.value(u"auto_renew"_s).toBool();
    if (a.contains(u"payment_status"_s)) {
        const QString payment = a.value(u"payment_status"_s).toString();
        k.paymentStatus = payment == u"none"_s
            ? Domain::PaymentStatus::None
            : Domain::enumFromString<Domain::PaymentStatus>(payment).value_or(Domain::PaymentStatus::None);
    }
}

QJsonObject contractWrittenSchema()
{
    return openObject(
        {
            { u"contract"_s, CsJson::contractSchema() },
            { u"customer_fields_updated"_s,
                arrayOf(string({}),
                    u"The customer's fields that followed the contract (contract_start, contract_end, renewal_date): "
                    u"only when it is the current contract of an active or trial customer."_s) },
        },
        { u"contract"_s, u"customer_fields_updated"_s });
}

QJsonObject contractWrittenJson(const Core::CustomerService::ContractWritten &written)
{
    QJsonObject contract = CsJson::contractJson(written.contract);
    contract.insert(u"customer_id"_s, written.contract.customerId);
    return QJsonObject { { u"contract"_s, contract },
        { u"customer_fields_updated"_s, QJsonArray::fromStringList(written.customerFieldsUpdated) } };
}

Tool recordContract()
{
    QJsonObject properties = contractFieldProperties(true);
    properties.insert(u"customer_id"_s, customerId());
    Tool t;
    t.name = u"record_contract"_s;
    t.title = u"Record a contract"_s;
    t.description = u"Records a signed contract of a customer: term, ARR, seats purchased and in use, payment status. "
                    u"Seats and payments feed the financial health component and upsell detection. When it is the "
                    u"customer's current contract (active, ending last), the customer's contract dates and renewal "
                    u"date follow it; the customer's ARR is not changed (use update_client_info)."_s;
    t.toolset = kToolset;
    t.inputSchema = object(properties, { u"customer_id"_s, u"start_date"_s, u"end_date"_s });
    t.outputSchema = contractWrittenSchema();
    t.annotations = { .readOnly = false, .destructive = false, .idempotent = false, .openWorld = false };
    t.writes = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        Domain::Contract k;
        k.customerId = call.arguments.value(u"customer_id"_s).toString();
        applyContractFields(call.arguments, k);
        auto written = call.services->customers().recordContract(k);
        if (!written)
            return written.error();
        return contractWrittenJson(*written);
    };
    return t;
}

Tool updateContract()
{
    QJsonObject properties = contractFieldProperties(false);
    properties.insert(u"contract_id"_s, integer(u"From get_client_overview (contract) or record_contract."_s, 1));
    properties.insert(u"version"_s, versionProperty(u"contract"_s, u"record_contract or get_client_overview"_s));
    Tool t;
    t.name = u"update_contract"_s;
    t.title = u"Update a contract"_s;
    t.description = u"Changes fields of one contract (only the fields given), e.g. seats in use after a licence "
                    u"count, a late payment, a cancelled contract. Pass the version you read; if someone changed "
                    u"the contract since, nothing is written and the error says so."_s;
    t.toolset = kToolset;
    t.inputSchema = object(properties, { u"contract_id"_s, u"version"_s });
    t.outputSchema = contractWrittenSchema();
    t.annotations = { .readOnly = false, .destructive = true, .idempotent = false, .openWorld = false };
    t.writes = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        bool anyField = false;
        for (auto it = a.begin(); it != a.end() && !anyField; ++it)
            anyField = it.key() != u"contract_id"_s && it.key() != u"version"_s;
        if (!anyField)
            return Core::Error::invalid(u"contract_id"_s, u"no field to change was given"_s);
        auto current = call.services->customers().contract(a.value(u"contract_id"_s).toInteger());
        if (!current)
            return current.error();
        Domain::Contract changed = *current;
        changed.meta.version = a.value(u"version"_s).toInt();
        applyContractFields(a, changed);
        auto written = call.services->customers().updateContract(changed);
        if (!written)
            return written.error();
        return contractWrittenJson(*written);
    };
    return t;
}

void add(ToolRegistry &registry, Tool tool)
{
    ToolSupport::addTool(registry, std::move(tool));
}

} // namespace

void registerCoreTools(ToolRegistry &registry)
{
    add(registry, registerClient());
    add(registry, getClientOverview());
    add(registry, updateClientInfo());
    add(registry, listClients());
    add(registry, getClientTimeline());
    add(registry, recordContract());
    add(registry, updateContract());
}

} // namespace Mcp
