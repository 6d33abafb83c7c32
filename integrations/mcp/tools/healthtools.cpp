// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The health toolset (TOOLS.md "health"): usage, health scores, segments, feature adoption, lifecycle stages,
// adoption milestones, value tiers and engagement patterns. Handlers map arguments to HealthService,
// EngagementService and SegmentService calls and their answers to JSON; every number is the service's.
#include <QJsonArray>

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

const QString kToolset = u"health"_s;

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
    // recomputeCustomers() names its list argument; this tool takes one customer.
    if (e.code == Core::ErrorCode::NotFound && (e.field.isEmpty() || e.field == u"customer_ids"_s))
        return Core::Error::notFound(u"customer_id"_s, e.message);
    return e;
}

QJsonObject noteIfEmpty(QJsonObject json, bool hasData, const QString &reason)
{
    json.insert(u"has_data"_s, hasData);
    if (!hasData)
        json.insert(u"note"_s, reason);
    return json;
}

// ---- track_usage_engagement ---------------------------------------------------------------------------------

Tool trackUsageEngagement()
{
    Tool t;
    t.name = u"track_usage_engagement"_s;
    t.title = u"Usage and engagement"_s;
    t.description = u"Product usage from stored usage events for one customer or the whole portfolio: events, active "
                    u"days, DAU/WAU/MAU, stickiness, trend against the previous period and a feature breakdown."_s;
    t.toolset = kToolset;
    t.inputSchema = object({
        { u"customer_id"_s, customerId(u"The customer; omit for the whole portfolio."_s) },
        { u"from"_s, date(u"First day (default: 29 days before `to`)."_s) },
        { u"to"_s, date(u"Last day (default: today)."_s) },
        { u"top_features"_s, integer(u"Features listed; the rest are summed."_s, 1, 100, 10) },
        { u"include_series"_s, boolean(u"Add the daily series (one entry per day of the range)."_s, false) },
    });
    const QJsonObject feature = openObject({ { u"feature"_s, string({}) }, { u"events"_s, integer({}, 0) },
                                               { u"users"_s, integer({}, 0) }, { u"share"_s, number({}, 0.0, 1.0) } },
        { u"feature"_s, u"events"_s });
    t.outputSchema = openObject(
        {
            { u"customer_id"_s, nullable(string({})) },
            { u"from"_s, date({}) },
            { u"to"_s, date({}) },
            { u"has_data"_s, boolean({}) },
            { u"note"_s, string({}) },
            { u"events"_s, integer({}, 0) },
            { u"active_days"_s, integer({}, 0) },
            { u"dau"_s, number({}, 0.0) },
            { u"wau"_s, integer({}, 0) },
            { u"mau"_s, integer({}, 0) },
            { u"stickiness"_s, nullable(number({}, 0.0, 1.0)) },
            { u"trend"_s, anyObject(u"against the previous period of the same length"_s) },
            { u"features"_s, arrayOf(feature) },
            { u"series"_s, arrayOf(anyObject({})) },
        },
        { u"from"_s, u"to"_s, u"has_data"_s, u"events"_s, u"features"_s });
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        Core::UsageQuery q;
        q.customerId = a.value(u"customer_id"_s).toString();
        q.from = ToolSupport::dateArgument(a, u"from"_s);
        q.to = ToolSupport::dateArgument(a, u"to"_s);
        q.topFeatures = a.value(u"top_features"_s).toInt(10);
        auto r = call.services->engagement().usage(q);
        if (!r)
            return customerNotFound(r.error());
        QJsonArray features;
        for (const Core::FeatureUsage &f : r->features) {
            features.append(QJsonObject { { u"feature"_s, f.feature }, { u"name"_s, f.name }, { u"events"_s, f.events },
                { u"users"_s, f.users }, { u"customers"_s, f.customers }, { u"share"_s, rounded(f.share, 4) },
                { u"previous_events"_s, f.previousEvents }, { u"change"_s, opt(f.change) } });
        }
        QJsonObject trend { { u"has_trend"_s, r->hasTrend }, { u"previous_from"_s, dateJson(r->previousFrom) },
            { u"previous_to"_s, dateJson(r->previousTo) }, { u"previous_events"_s, r->previousEvents },
            { u"previous_active_days"_s, r->previousActiveDays }, { u"previous_dau"_s, rounded(r->previousDau, 2) },
            { u"events_change"_s, opt(r->eventsChange) }, { u"active_days_change"_s, opt(r->activeDaysChange) },
            { u"dau_change"_s, opt(r->dauChange) },
            { u"direction"_s, r->trend.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(r->trend) } };
        if (!r->hasTrend)
            trend.insert(u"note"_s, r->trendReason);
        QJsonObject json {
            { u"customer_id"_s, r->customerId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(r->customerId) },
            { u"from"_s, dateJson(r->from) },
            { u"to"_s, dateJson(r->to) },
            { u"days"_s, r->days },
            { u"source"_s, r->source },
            { u"events"_s, r->events },
            { u"quantity"_s, rounded(r->quantity, 2) },
            { u"active_days"_s, r->activeDays },
            { u"events_per_day"_s, rounded(r->eventsPerDay, 2) },
            { u"events_per_active_day"_s, opt(r->eventsPerActiveDay, 2) },
            { u"dau"_s, rounded(r->dau, 2) },
            { u"wau"_s, r->wau },
            { u"mau"_s, r->mau },
            { u"stickiness"_s, opt(r->stickiness) },
            { u"first_usage_day"_s, dateJson(r->firstUsageDay) },
            { u"trend"_s, trend },
            { u"features"_s, features },
            { u"other_features"_s, r->otherFeatures },
            { u"events_without_feature"_s, r->eventsWithoutFeature },
        };
        if (r->customerId.isEmpty()) {
            json.insert(u"active_customers"_s, r->activeCustomers);
            json.insert(u"live_customers"_s, r->liveCustomers);
        }
        if (a.value(u"include_series"_s).toBool()) {
            QJsonArray series;
            for (const Core::UsageDay &d : r->series)
                series.append(QJsonObject {
                    { u"day"_s, dateJson(d.day) }, { u"events"_s, d.events }, { u"active_users"_s, d.activeUsers } });
            json.insert(u"series"_s, series);
        }
        return noteIfEmpty(json, r->hasData, r->reason);
    };
    return t;
}

// ---- calculate_health_score ---------------------------------------------------------------------------------

QJsonObject explanationJson(const Core::HealthExplanation &e, const Core::HealthTrends &trends)
{
    QJsonArray components;
    for (const Core::HealthComponent &c : e.components) {
        components.append(QJsonObject {
            { u"key"_s, c.key },
            { u"included"_s, c.included },
            { u"score"_s, c.included ? QJsonValue(rounded(c.score, 1)) : QJsonValue(QJsonValue::Null) },
            { u"configured_weight"_s, rounded(c.configuredWeight, 4) },
            { u"weight"_s, rounded(c.weight, 4) },
            { u"contribution"_s, rounded(c.contribution, 2) },
            { u"reason"_s, c.reason },
            { u"inputs"_s, QJsonObject::fromVariantMap(c.inputs) },
        });
    }
    QJsonObject json {
        { u"scope"_s, u"customer"_s },
        { u"customer_id"_s, e.customerId },
        { u"as_of"_s, dateJson(e.asOf) },
        { u"has_data"_s, e.hasData },
        { u"score"_s, e.hasData ? QJsonValue(rounded(e.score, 1)) : QJsonValue(QJsonValue::Null) },
        { u"band"_s, e.hasData ? QJsonValue(Domain::enumName(e.band)) : QJsonValue(QJsonValue::Null) },
        { u"config_version"_s, e.configVersion },
        { u"config_name"_s, e.configName },
        { u"lookback_days"_s, e.lookbackDays },
        { u"bands"_s,
            QJsonObject {
                { u"green_at_or_above"_s, e.greenThreshold }, { u"yellow_at_or_above"_s, e.yellowThreshold } } },
        { u"components"_s, components },
        { u"stored"_s, e.stored },
        { u"trend"_s,
            QJsonObject { { u"week"_s, CsJson::healthTrendJson(trends.week) },
                { u"month"_s, CsJson::healthTrendJson(trends.month) } } },
    };
    if (!e.hasData)
        json.insert(u"note"_s, e.reason);
    QJsonObject since { { u"available"_s, e.hasComparison } };
    if (e.hasComparison) {
        QJsonArray moves;
        for (const Core::HealthComponentMove &m : e.moves) {
            moves.append(QJsonObject { { u"key"_s, m.key }, { u"score_before"_s, opt(m.scoreBefore, 1) },
                { u"score_now"_s, opt(m.scoreNow, 1) }, { u"change"_s, rounded(m.change, 2) } });
        }
        since.insert(u"compared_with"_s, dateJson(e.comparedWith));
        since.insert(u"previous_score"_s, rounded(e.previousScore, 1));
        since.insert(u"previous_band"_s, Domain::enumName(e.previousBand));
        since.insert(u"change"_s, rounded(e.scoreChange, 1));
        since.insert(u"moves"_s, moves);
    } else {
        since.insert(u"note"_s, e.comparisonReason);
    }
    json.insert(u"since_last_week"_s, since);
    return json;
}

Tool calculateHealthScore()
{
    Tool t;
    t.name = u"calculate_health_score"_s;
    t.title = u"Calculate health score"_s;
    t.description = u"Computes and stores the health score of one customer with each component's score and weight "
                    u"(config version), an explanation of what moved since last week and the 7/30-day trend; with "
                    u"scope portfolio, recomputes every customer (long: reports progress)."_s;
    t.toolset = kToolset;
    t.inputSchema = object({
        { u"scope"_s,
            enumOf(u"One customer, or every live customer."_s, { u"customer"_s, u"portfolio"_s }, u"customer"_s) },
        { u"customer_id"_s, customerId(u"Required with scope customer."_s) },
        { u"as_of"_s, date(u"The day scored (default: today)."_s) },
        { u"store"_s, boolean(u"Store the score (false: compute and explain only)."_s, true) },
    });
    t.outputSchema = openObject(
        {
            { u"scope"_s, enumOf({}, { u"customer"_s, u"portfolio"_s }) },
            { u"customer_id"_s, string({}) },
            { u"as_of"_s, date({}) },
            { u"has_data"_s, boolean({}) },
            { u"score"_s, nullable(number({}, 0.0, 100.0)) },
            { u"band"_s, nullable(enumOf({}, Domain::enumValues<Domain::HealthBand>())) },
            { u"config_version"_s, integer({}) },
            { u"components"_s, arrayOf(anyObject({})) },
            { u"trend"_s, anyObject({}) },
            { u"customers"_s, integer({}, 0) },
            { u"scored"_s, integer({}, 0) },
        },
        { u"scope"_s, u"as_of"_s });
    t.annotations = { .readOnly = false, .destructive = false, .idempotent = true, .openWorld = false };
    t.writes = true;
    t.longRunning = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        const QDate asOf = ToolSupport::dateArgument(a, u"as_of"_s);
        Core::HealthService &health = call.services->health();
        if (a.value(u"scope"_s).toString() == u"portfolio"_s) {
            if (a.contains(u"customer_id"_s))
                return Core::Error::invalid(u"customer_id"_s, u"not allowed with scope portfolio"_s);
            Core::RecomputeControl control;
            control.progress = [&call](const QString &stage, qint64 done, qint64 total) {
                call.progress(double(done), double(total), stage);
            };
            control.isCancelled = [&call] { return call.cancelled(); };
            auto s = health.recomputeAll(asOf, control);
            if (!s)
                return s.error();
            QJsonArray versions;
            for (int v : s->configVersions)
                versions.append(v);
            return QJsonObject {
                { u"scope"_s, u"portfolio"_s },
                { u"as_of"_s, dateJson(s->asOf) },
                { u"customers"_s, s->customers },
                { u"scored"_s, s->scored },
                { u"unscored"_s, s->unscored },
                { u"green"_s, s->green },
                { u"yellow"_s, s->yellow },
                { u"red"_s, s->red },
                { u"timeline_events"_s, s->timelineEvents },
                { u"config_versions"_s, versions },
                { u"seconds"_s, rounded(s->seconds, 3) },
            };
        }
        const QString id = a.value(u"customer_id"_s).toString();
        if (id.isEmpty())
            return Core::Error::invalid(u"customer_id"_s, u"required when scope is customer"_s);
        auto e = a.value(u"store"_s).toBool(true) ? health.calculate(id, asOf) : health.explain(id, asOf);
        if (!e)
            return customerNotFound(e.error());
        auto trends = health.trend(id, e->asOf);
        if (!trends)
            return trends.error();
        return explanationJson(*e, *trends);
    };
    return t;
}

// ---- segment_customers ------------------------------------------------------------------------------------------

QJsonObject summaryJson(const Core::SegmentSummary &s)
{
    const auto counts = [](const QMap<QString, qint64> &m) {
        QJsonObject o;
        for (auto it = m.begin(); it != m.end(); ++it)
            o.insert(it.key(), it.value());
        return o;
    };
    return QJsonObject {
        { u"as_of"_s, dateJson(s.asOf) },
        { u"customers"_s, s.customers },
        { u"total_arr"_s, rounded(s.totalArr, 2) },
        { u"average_arr"_s, opt(s.averageArr, 2) },
        { u"by_tier"_s, counts(s.byTier) },
        { u"by_lifecycle_stage"_s, counts(s.byLifecycleStage) },
        { u"by_health_band"_s, counts(s.byHealthBand) },
        { u"criteria"_s, QJsonArray::fromStringList(s.description) },
    };
}

QJsonObject segmentJson(const Domain::Segment &s)
{
    return QJsonObject { { u"segment_id"_s, s.id }, { u"name"_s, s.name }, { u"description"_s, s.description },
        { u"is_dynamic"_s, s.isDynamic }, { u"criteria"_s, QJsonObject::fromVariantMap(s.criteria) },
        { u"owner"_s, s.owner }, { u"version"_s, s.meta.version } };
}

Tool segmentCustomers()
{
    Tool t;
    t.name = u"segment_customers"_s;
    t.title = u"Segment customers"_s;
    t.description
        = u"Selects customers by value, usage, health, industry, lifecycle, renewal window or custom-field criteria: "
          u"list them (evaluate), count them (summarize), save the criteria as a named segment (save), or list saved "
          u"segments and their members."_s;
    t.toolset = kToolset;
    t.inputSchema = object(
        withPaging({
            { u"action"_s,
                enumOf(
                    {}, { u"evaluate"_s, u"summarize"_s, u"save"_s, u"list_saved"_s, u"members"_s }, u"evaluate"_s) },
            { u"criteria"_s,
                anyObject(u"tier, industry, lifecycle_stage, status, owner, arr_min, arr_max, "
                          u"health_band, health_score_min, health_score_max, renewal_within_days, "
                          u"active_days_min, active_days_max, active_days_window, value_tier, "
                          u"custom_fields [{key, equals} | {key, min, max}]; every one narrows."_s) },
            { u"segment_id"_s, integer(u"A saved segment (summarize, members)."_s, 1) },
            { u"name"_s, string(u"Name of the segment to save."_s, 1, 200) },
            { u"description"_s, string({}, 0, 2000) },
            { u"sort"_s, enumOf({}, { u"name"_s, u"arr"_s, u"renewal_date"_s, u"tier"_s, u"id"_s }, u"name"_s) },
        }),
        { u"action"_s });
    t.outputSchema = openObject({ { u"action"_s, string({}) } }, { u"action"_s });
    t.annotations = { .readOnly = false, .destructive = false, .idempotent = false, .openWorld = false };
    t.writes = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        const QString action = a.value(u"action"_s).toString();
        Core::SegmentService &segments = call.services->segments();
        const QVariantMap criteria = a.value(u"criteria"_s).toObject().toVariantMap();
        Core::SegmentPageQuery page;
        page.limit = a.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
        page.cursor = a.value(u"cursor"_s).toString();
        page.sort = a.value(u"sort"_s).toString(u"name"_s);
        const auto customersJson = [&action](const Core::SegmentCustomers &r) {
            QJsonArray items;
            for (const auto &c : r.items)
                items.append(ToolSupport::customerSummaryJson(c));
            QJsonObject json = ToolSupport::pageJson(items, r.total, r.nextCursor);
            json.insert(u"action"_s, action);
            json.insert(u"criteria_description"_s, QJsonArray::fromStringList(r.description));
            return json;
        };
        if (action == u"evaluate"_s) {
            auto r = segments.evaluate(criteria, page);
            if (!r)
                return r.error();
            return customersJson(*r);
        }
        if (action == u"members"_s) {
            if (!a.contains(u"segment_id"_s))
                return Core::Error::invalid(u"segment_id"_s, u"required when action is members"_s);
            auto r = segments.members(a.value(u"segment_id"_s).toInteger(), page);
            if (!r)
                return r.error();
            return customersJson(*r);
        }
        if (action == u"summarize"_s) {
            auto r = a.contains(u"segment_id"_s) ? segments.summarizeSegment(a.value(u"segment_id"_s).toInteger())
                                                 : segments.summarize(criteria);
            if (!r)
                return r.error();
            QJsonObject json = summaryJson(*r);
            json.insert(u"action"_s, action);
            return json;
        }
        if (action == u"save"_s) {
            if (!a.contains(u"name"_s))
                return Core::Error::invalid(u"name"_s, u"required when action is save"_s);
            Domain::Segment s;
            s.name = a.value(u"name"_s).toString();
            s.description = a.value(u"description"_s).toString();
            s.criteria = criteria;
            s.isDynamic = true;
            s.owner = call.clientName;
            auto saved = segments.create(s);
            if (!saved)
                return saved.error();
            auto summary = segments.summarizeSegment(saved->id);
            if (!summary)
                return summary.error();
            return QJsonObject { { u"action"_s, action }, { u"segment"_s, segmentJson(*saved) },
                { u"summary"_s, summaryJson(*summary) } };
        }
        // list_saved
        auto r = segments.list(page.limit, page.cursor);
        if (!r)
            return r.error();
        QJsonArray items;
        for (const auto &s : r->items)
            items.append(segmentJson(s));
        QJsonObject json = ToolSupport::pageJson(items, r->total, r->nextCursor);
        json.insert(u"action"_s, action);
        return json;
    };
    return t;
}

// ---- track_feature_adoption -------------------------------------------------------------------------------------

Tool trackFeatureAdoption()
{
    Tool t;
    t.name = u"track_feature_adoption"_s;
    t.title = u"Feature adoption"_s;
    t.description
        = u"Feature adoption from stored usage: per feature, the share of active customers using it "
          u"(portfolio), or for one customer which catalogue features it uses, since when, and its breadth."_s;
    t.toolset = kToolset;
    t.inputSchema = object(withPaging({
        { u"customer_id"_s, customerId(u"The customer; omit for the portfolio."_s) },
        { u"from"_s, date(u"Window start (default: 29 days before `to`)."_s) },
        { u"to"_s, date(u"Window end (default: today)."_s) },
    }));
    t.outputSchema = listOutput(anyObject({}), { { u"has_data"_s, boolean({}) }, { u"note"_s, string({}) } });
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        const QDate from = ToolSupport::dateArgument(a, u"from"_s);
        const QDate to = ToolSupport::dateArgument(a, u"to"_s);
        Core::EngagementService &engagement = call.services->engagement();
        if (a.contains(u"customer_id"_s)) {
            auto r = engagement.customerFeatureAdoption(a.value(u"customer_id"_s).toString(), from, to);
            if (!r)
                return customerNotFound(r.error());
            QJsonArray features;
            for (const Core::CustomerFeature &f : r->features) {
                features.append(QJsonObject { { u"feature"_s, f.feature }, { u"name"_s, f.name },
                    { u"category"_s, f.category }, { u"is_premium"_s, f.isPremium },
                    { u"in_catalogue"_s, f.inCatalogue }, { u"first_used_at"_s, dateTimeJson(f.firstUsedAt) },
                    { u"last_used_at"_s, dateTimeJson(f.lastUsedAt) }, { u"events_in_window"_s, f.eventsInWindow },
                    { u"users_in_window"_s, f.usersInWindow } });
            }
            auto page = ToolSupport::pageOfArray(features, a);
            if (!page)
                return page.error();
            QJsonObject json = *page;
            json.insert(u"customer_id"_s, r->customerId);
            json.insert(u"from"_s, dateJson(r->from));
            json.insert(u"to"_s, dateJson(r->to));
            json.insert(u"catalogue_features"_s, r->catalogueFeatures);
            json.insert(u"adopted_ever"_s, r->adoptedEver);
            json.insert(u"used_in_window"_s, r->usedInWindow);
            json.insert(u"breadth"_s, opt(r->breadth));
            json.insert(u"breadth_ever"_s, opt(r->breadthEver));
            return noteIfEmpty(json, r->hasData, r->reason);
        }
        auto r = engagement.featureAdoption(from, to);
        if (!r)
            return r.error();
        QJsonArray features;
        for (const Core::FeatureAdoptionRow &f : r->features) {
            features.append(QJsonObject { { u"feature"_s, f.feature }, { u"name"_s, f.name },
                { u"category"_s, f.category }, { u"is_premium"_s, f.isPremium }, { u"in_catalogue"_s, f.inCatalogue },
                { u"adopting_customers"_s, f.adoptingCustomers }, { u"adoption_rate"_s, opt(f.adoptionRate) },
                { u"events"_s, f.events }, { u"users"_s, f.users } });
        }
        auto page = ToolSupport::pageOfArray(features, a);
        if (!page)
            return page.error();
        QJsonObject json = *page;
        json.insert(u"from"_s, dateJson(r->from));
        json.insert(u"to"_s, dateJson(r->to));
        json.insert(u"active_customers"_s, r->activeCustomers);
        json.insert(u"catalogue_features"_s, r->catalogueFeatures);
        json.insert(u"average_breadth"_s, opt(r->averageBreadth));
        return noteIfEmpty(json, r->hasData, r->reason);
    };
    return t;
}

// ---- manage_lifecycle_stages ------------------------------------------------------------------------------------

QJsonObject transitionJson(const Domain::LifecycleTransition &t)
{
    return QJsonObject { { u"from"_s,
                             t.fromStage ? QJsonValue(Domain::enumName(*t.fromStage)) : QJsonValue(QJsonValue::Null) },
        { u"to"_s, Domain::enumName(t.toStage) }, { u"reason"_s, t.reason }, { u"actor"_s, t.actor },
        { u"at"_s, dateTimeJson(t.transitionedAt) } };
}

Tool manageLifecycleStages()
{
    Tool t;
    t.name = u"manage_lifecycle_stages"_s;
    t.title = u"Lifecycle stages"_s;
    t.description = u"Lifecycle stages by rules: get a customer's stage, the facts and which moves hold now; list the "
                    u"rules; evaluate which customers a rule would move; or transition a customer (rule-backed, or "
                    u"forced with a reason)."_s;
    t.toolset = kToolset;
    t.inputSchema = object(
        withPaging({
            { u"action"_s, enumOf({}, { u"get"_s, u"rules"_s, u"evaluate"_s, u"transition"_s }, u"get"_s) },
            { u"customer_id"_s, customerId(u"Required for get and transition."_s) },
            { u"to_stage"_s, enumOf(u"Required for transition."_s, Domain::enumValues<Domain::LifecycleStage>()) },
            { u"reason"_s, string(u"Why (required when forced)."_s, 0, 2000) },
            { u"force"_s, boolean(u"Move even though no rule holds."_s, false) },
            { u"version"_s, integer(u"The customer version you read (optimistic)."_s, 1) },
        }),
        { u"action"_s });
    t.outputSchema = openObject({ { u"action"_s, string({}) } }, { u"action"_s });
    t.annotations = { .readOnly = false, .destructive = false, .idempotent = false, .openWorld = false };
    t.writes = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        const QString action = a.value(u"action"_s).toString();
        Core::EngagementService &engagement = call.services->engagement();
        const QString id = a.value(u"customer_id"_s).toString();
        if (action == u"rules"_s) {
            QJsonArray rules;
            for (const Core::LifecycleRule &r : Core::LifecycleRules::table()) {
                QJsonArray from;
                for (auto s : r.from)
                    from.append(Domain::enumName(s));
                rules.append(QJsonObject { { u"rule"_s, r.key }, { u"from"_s, from },
                    { u"to"_s, Domain::enumName(r.to) }, { u"condition"_s, r.condition } });
            }
            return QJsonObject { { u"action"_s, action }, { u"rules"_s, rules } };
        }
        if (action == u"evaluate"_s) {
            auto r = engagement.evaluateRules(id.isEmpty() ? QStringList() : QStringList { id },
                a.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit), a.value(u"cursor"_s).toString());
            if (!r)
                return customerNotFound(r.error());
            QJsonArray items;
            for (const Core::LifecycleProposal &p : r->items) {
                items.append(QJsonObject { { u"customer_id"_s, p.customerId }, { u"name"_s, p.customerName },
                    { u"from"_s, Domain::enumName(p.from) }, { u"to"_s, Domain::enumName(p.to) }, { u"rule"_s, p.rule },
                    { u"evidence"_s, p.evidence }, { u"version"_s, p.customerVersion } });
            }
            QJsonObject byRule;
            for (auto it = r->byRule.begin(); it != r->byRule.end(); ++it)
                byRule.insert(it.key(), it.value());
            QJsonObject json = ToolSupport::pageJson(items, r->total, r->nextCursor);
            json.insert(u"action"_s, action);
            json.insert(u"as_of"_s, dateJson(r->asOf));
            json.insert(u"customers_evaluated"_s, r->customersEvaluated);
            json.insert(u"by_rule"_s, byRule);
            return json;
        }
        if (id.isEmpty())
            return Core::Error::invalid(u"customer_id"_s, u"required when action is %1"_s.arg(action));
        if (action == u"transition"_s) {
            if (!a.contains(u"to_stage"_s))
                return Core::Error::invalid(u"to_stage"_s, u"required when action is transition"_s);
            Core::LifecycleTransitionRequest req;
            req.customerId = id;
            req.to = *Domain::enumFromString<Domain::LifecycleStage>(a.value(u"to_stage"_s).toString());
            req.reason = a.value(u"reason"_s).toString();
            req.force = a.value(u"force"_s).toBool();
            req.expectedVersion = a.value(u"version"_s).toInt(0);
            req.actor = u"mcp:"_s + call.clientName;
            auto r = engagement.transition(req);
            if (!r)
                return customerNotFound(r.error());
            return QJsonObject { { u"action"_s, action }, { u"customer_id"_s, id },
                { u"transition"_s, transitionJson(r->transition) },
                { u"rule"_s, r->rule.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(r->rule) },
                { u"forced"_s, r->forced }, { u"version"_s, r->customerVersion } };
        }
        auto s = engagement.lifecycle(id);
        if (!s)
            return customerNotFound(s.error());
        QJsonArray moves;
        for (const Core::LifecycleAllowedMove &m : s->moves) {
            moves.append(QJsonObject { { u"to"_s, Domain::enumName(m.to) }, { u"rule"_s, m.rule },
                { u"condition"_s, m.condition }, { u"holds"_s, m.holds }, { u"evidence"_s, m.evidence } });
        }
        QJsonArray history;
        for (const auto &h : s->history) {
            if (history.size() >= 20)
                break;
            history.append(transitionJson(h));
        }
        return QJsonObject { { u"action"_s, action }, { u"customer_id"_s, id },
            { u"stage"_s, Domain::enumName(s->stage) }, { u"version"_s, s->customerVersion },
            { u"since"_s, dateTimeJson(s->since) }, { u"moves"_s, moves }, { u"history"_s, history },
            { u"history_total"_s, s->historyTotal } };
    };
    return t;
}

// ---- track_adoption_milestones ----------------------------------------------------------------------------------

Tool trackAdoptionMilestones()
{
    Tool t;
    t.name = u"track_adoption_milestones"_s;
    t.title = u"Adoption milestones"_s;
    t.description = u"Adoption milestones (first use, active users, key features...): which one customer reached "
                    u"and when (get), how many customers reached each and how fast (summary), or detect and record "
                    u"newly reached ones from usage (detect)."_s;
    t.toolset = kToolset;
    t.inputSchema = object(
        {
            { u"action"_s, enumOf({}, { u"get"_s, u"summary"_s, u"detect"_s }, u"get"_s) },
            { u"customer_id"_s, customerId(u"Required for get; optional for detect."_s) },
        },
        { u"action"_s });
    t.outputSchema = openObject({ { u"action"_s, string({}) } }, { u"action"_s });
    t.annotations = { .readOnly = false, .destructive = false, .idempotent = true, .openWorld = false };
    t.writes = true;
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        const QString action = a.value(u"action"_s).toString();
        const QString id = a.value(u"customer_id"_s).toString();
        Core::EngagementService &engagement = call.services->engagement();
        if (action == u"detect"_s) {
            auto r = engagement.detectMilestones(id.isEmpty() ? QStringList() : QStringList { id });
            if (!r)
                return customerNotFound(r.error());
            QJsonObject byKey;
            for (auto it = r->writtenByKey.begin(); it != r->writtenByKey.end(); ++it)
                byKey.insert(it.key(), it.value());
            return QJsonObject { { u"action"_s, action }, { u"customers_checked"_s, r->customersChecked },
                { u"recorded"_s, r->written }, { u"recorded_by_milestone"_s, byKey } };
        }
        if (action == u"summary"_s) {
            auto r = engagement.milestoneSummary();
            if (!r)
                return r.error();
            QJsonArray rows;
            for (const Core::MilestoneSummaryRow &m : *r) {
                rows.append(QJsonObject { { u"milestone"_s, m.definition.key }, { u"title"_s, m.definition.title },
                    { u"achieved_customers"_s, m.achievedCustomers }, { u"live_customers"_s, m.liveCustomers },
                    { u"share"_s, opt(m.share) }, { u"median_days_from_start"_s, opt(m.medianDaysFromStart, 1) } });
            }
            return QJsonObject { { u"action"_s, action }, { u"milestones"_s, rows } };
        }
        if (id.isEmpty())
            return Core::Error::invalid(u"customer_id"_s, u"required when action is get"_s);
        auto r = engagement.milestones(id);
        if (!r)
            return customerNotFound(r.error());
        QJsonArray rows;
        for (const Core::CustomerMilestone &m : r->milestones) {
            rows.append(QJsonObject { { u"milestone"_s, m.definition.key }, { u"title"_s, m.definition.title },
                { u"definition"_s, m.definition.definition }, { u"achieved"_s, m.achieved },
                { u"achieved_at"_s, dateTimeJson(m.achievedAt) },
                { u"detail"_s, QJsonObject::fromVariantMap(m.detail) } });
        }
        return QJsonObject { { u"action"_s, action }, { u"customer_id"_s, id }, { u"achieved"_s, r->achieved },
            { u"milestones"_s, rows } };
    };
    return t;
}

// ---- segment_by_value_tier --------------------------------------------------------------------------------------

Tool segmentByValueTier()
{
    Tool t;
    t.name = u"segment_by_value_tier"_s;
    t.title = u"Value tiers"_s;
    t.description = u"Ranks live customers by ARR into platinum (top 10 %), gold, silver and bronze: the ARR bands and "
                    u"counts of the portfolio, or one customer's tier and percentile rank."_s;
    t.toolset = kToolset;
    t.inputSchema = object({ { u"customer_id"_s, customerId(u"One customer; omit for the tier table."_s) } });
    t.outputSchema = openObject({ { u"has_data"_s, boolean({}) } }, { u"has_data"_s });
    t.handler = [](const ToolCall &call) -> ToolResult {
        Core::SegmentService &segments = call.services->segments();
        if (call.arguments.contains(u"customer_id"_s)) {
            auto r = segments.valueTierOf(call.arguments.value(u"customer_id"_s).toString());
            if (!r)
                return customerNotFound(r.error());
            QJsonObject json { { u"customer_id"_s, r->customerId }, { u"ranked"_s, r->ranked },
                { u"arr"_s, rounded(r->arr, 2) }, { u"ranked_customers"_s, r->rankedCustomers } };
            if (r->ranked) {
                json.insert(u"tier"_s, Domain::enumName(r->tier));
                json.insert(u"percentile_rank"_s, rounded(r->percentileRank, 4));
            }
            return noteIfEmpty(json, r->ranked, r->reason);
        }
        auto r = segments.valueTiers();
        if (!r)
            return r.error();
        QJsonArray tiers;
        for (const Core::ValueTierBand &b : r->tiers) {
            tiers.append(QJsonObject { { u"tier"_s, Domain::enumName(b.tier) }, { u"cut_percent"_s, b.cutPercent },
                { u"min_arr"_s, opt(b.minArr, 2) }, { u"max_arr"_s, opt(b.maxArr, 2) }, { u"customers"_s, b.customers },
                { u"total_arr"_s, rounded(b.totalArr, 2) }, { u"share_of_arr"_s, rounded(b.shareOfArr, 4) } });
        }
        return noteIfEmpty(
            QJsonObject { { u"as_of"_s, dateJson(r->asOf) }, { u"ranked_customers"_s, r->rankedCustomers },
                { u"unranked_customers"_s, r->unrankedCustomers }, { u"total_arr"_s, rounded(r->totalArr, 2) },
                { u"tiers"_s, tiers } },
            r->hasData, r->reason);
    };
    return t;
}

// ---- analyze_engagement_patterns --------------------------------------------------------------------------------

QJsonObject assessmentJson(const Core::MetricAssessment &m)
{
    return QJsonObject { { u"metric"_s, m.metric }, { u"latest"_s, rounded(m.latest, 2) },
        { u"signal"_s, Core::signalName(m.signal) }, { u"reason"_s, m.reason },
        { u"baseline_weeks"_s, m.baselineWeeks }, { u"mean"_s, rounded(m.mean, 2) }, { u"sd"_s, rounded(m.sd, 2) },
        { u"z_score"_s, opt(m.zScore, 2) } };
}

Tool analyzeEngagementPatterns()
{
    Tool t;
    t.name = u"analyze_engagement_patterns"_s;
    t.title = u"Engagement patterns and anomalies"_s;
    t.description = u"Weekly engagement of one customer against its own baseline (drops and spikes by z-score), with "
                    u"weekday/hour patterns; without a customer, the portfolio's anomalies, worst drops first."_s;
    t.toolset = kToolset;
    t.inputSchema = object(withPaging({
        { u"customer_id"_s, customerId(u"One customer; omit for the portfolio's anomalies."_s) },
        { u"as_of"_s, date(u"Last day assessed (default: yesterday for the portfolio, today for one customer)."_s) },
        { u"signals"_s, enumOf(u"Portfolio: which anomalies."_s, { u"drops"_s, u"spikes"_s, u"both"_s }, u"both"_s) },
    }));
    t.outputSchema = openObject({ { u"signal"_s, string({}) }, { u"items"_s, arrayOf(anyObject({})) } });
    t.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &a = call.arguments;
        const QDate asOf = ToolSupport::dateArgument(a, u"as_of"_s);
        Core::EngagementService &engagement = call.services->engagement();
        if (a.contains(u"customer_id"_s)) {
            auto p = engagement.engagementPattern(a.value(u"customer_id"_s).toString(), asOf);
            if (!p)
                return customerNotFound(p.error());
            QJsonArray weeks;
            for (const Core::WeeklyEngagement &w : p->weeks) {
                weeks.append(QJsonObject { { u"week_start"_s, dateJson(w.weekStart) }, { u"events"_s, w.events },
                    { u"active_users"_s, w.activeUsers }, { u"in_baseline"_s, w.inBaseline } });
            }
            QJsonArray weekdays;
            for (qint64 v : p->eventsByWeekday)
                weekdays.append(v);
            QJsonArray hours;
            for (qint64 v : p->eventsByHour)
                hours.append(v);
            return QJsonObject { { u"customer_id"_s, p->customerId }, { u"as_of"_s, dateJson(p->asOf) },
                { u"first_usage_day"_s, dateJson(p->firstUsageDay) }, { u"signal"_s, Core::signalName(p->signal) },
                { u"reason"_s, p->reason }, { u"events"_s, assessmentJson(p->events) },
                { u"active_users"_s, assessmentJson(p->activeUsers) }, { u"weeks"_s, weeks },
                { u"has_time_pattern"_s, p->hasTimePattern }, { u"events_by_weekday"_s, weekdays },
                { u"events_by_hour_utc"_s, hours }, { u"peak_weekday"_s, p->peakWeekday },
                { u"peak_hour"_s, p->peakHour }, { u"weekend_share"_s, rounded(p->weekendShare, 4) } };
        }
        Core::AnomalyQuery q;
        q.asOf = asOf;
        const QString signals = a.value(u"signals"_s).toString(u"both"_s);
        q.drops = signals != u"spikes"_s;
        q.spikes = signals != u"drops"_s;
        q.limit = a.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
        q.cursor = a.value(u"cursor"_s).toString();
        auto s = engagement.anomalies(q);
        if (!s)
            return s.error();
        QJsonArray items;
        for (const Core::CustomerAnomaly &c : s->items) {
            items.append(QJsonObject { { u"customer_id"_s, c.customerId }, { u"name"_s, c.name },
                { u"owner"_s, c.owner }, { u"tier"_s, Domain::enumName(c.tier) }, { u"arr"_s, rounded(c.arr, 2) },
                { u"signal"_s, Core::signalName(c.signal) }, { u"events"_s, assessmentJson(c.events) },
                { u"active_users"_s, assessmentJson(c.activeUsers) }, { u"worst_z"_s, opt(c.worstZ, 2) } });
        }
        QJsonObject json = ToolSupport::pageJson(items, s->total, s->nextCursor);
        json.insert(u"as_of"_s, dateJson(s->asOf));
        json.insert(u"customers_scanned"_s, s->customersScanned);
        json.insert(u"with_baseline"_s, s->withBaseline);
        json.insert(u"not_enough_history"_s, s->notEnoughHistory);
        json.insert(u"drops"_s, s->drops);
        json.insert(u"spikes"_s, s->spikes);
        return json;
    };
    return t;
}

} // namespace

void registerHealthTools(ToolRegistry &registry)
{
    add(registry, trackUsageEngagement());
    add(registry, calculateHealthScore());
    add(registry, segmentCustomers());
    add(registry, trackFeatureAdoption());
    add(registry, manageLifecycleStages());
    add(registry, trackAdoptionMilestones());
    add(registry, segmentByValueTier());
    add(registry, analyzeEngagementPatterns());
}

} // namespace Mcp
