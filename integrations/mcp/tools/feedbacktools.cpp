// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The feedback toolset (TOOLS.md "feedback"): survey answers, NPS / CSAT / CES and retention metrics over time,
// sentiment, product insights, product usage and voice-of-customer reports — FeedbackService, RenewalService,
// SupportService and EngagementService do the work.
#include "engagementservice.h"
#include "feedbackservice.h"
#include "healthservice.h"
#include "onboardingservice.h"
#include "renewalservice.h"
#include "services.h"
#include "supportservice.h"
#include "toolregistry.h"
#include "toolsupport.h"

using namespace Qt::StringLiterals;

namespace Mcp {

namespace {

using namespace Schema;
using ToolSupport::dateJson;
using ToolSupport::dateTimeJson;
using ToolSupport::rounded;

const QString kToolset = u"feedback"_s;
constexpr int kDefaultPeriodDays = 90;

QJsonValue optNumber(const std::optional<double> &value, int decimals = 4)
{
    return value ? QJsonValue(rounded(*value, decimals)) : QJsonValue(QJsonValue::Null);
}

QJsonValue optText(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

QDate today(const ToolCall &call)
{
    return call.services->clock().now().toUTC().date();
}

// ---- period and scope arguments, shared by the analytics tools --------------------------------------------------

QJsonObject withPeriod(QJsonObject properties)
{
    properties.insert(u"from"_s, date(u"First day of the period (default 89 days before to)."_s));
    properties.insert(u"to"_s, date(u"Last day of the period (default today)."_s));
    properties.insert(u"customer_id"_s, customerId(u"Only this customer."_s));
    properties.insert(u"tiers"_s, arrayOf(enumOf({}, Domain::enumValues<Domain::Tier>()), u"Only these tiers."_s, 10));
    properties.insert(u"industries"_s, arrayOf(string({}, 1, 100), u"Only these industries."_s, 50));
    properties.insert(
        u"granularity"_s, enumOf(u"Trend buckets."_s, Domain::enumValues<Core::TrendGranularity>(), u"month"_s));
    return properties;
}

Core::FeedbackQuery feedbackQuery(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    Core::FeedbackQuery query;
    query.to = ToolSupport::dateArgument(args, u"to"_s);
    if (!query.to.isValid())
        query.to = today(call);
    query.from = ToolSupport::dateArgument(args, u"from"_s);
    if (!query.from.isValid())
        query.from = query.to.addDays(-(kDefaultPeriodDays - 1));
    if (args.contains(u"customer_id"_s))
        query.scope.customerIds << args.value(u"customer_id"_s).toString();
    for (const QJsonValue &tier : args.value(u"tiers"_s).toArray()) {
        if (auto t = Domain::enumFromString<Domain::Tier>(tier.toString()))
            query.scope.tiers << *t;
    }
    for (const QJsonValue &industry : args.value(u"industries"_s).toArray())
        query.scope.industries << industry.toString();
    query.granularity = Domain::enumFromString<Core::TrendGranularity>(args.value(u"granularity"_s).toString())
                            .value_or(Core::TrendGranularity::Month);
    return query;
}

// The service names scope errors "customer_ids"; the tool's argument is customer_id.
Core::Error scopeError(Core::Error error)
{
    if (error.field == u"customer_ids"_s)
        error.field = u"customer_id"_s;
    return error;
}

QJsonObject quoteJson(const Core::FeedbackQuote &q)
{
    return QJsonObject {
        { u"response_id"_s, q.responseId },
        { u"customer_id"_s, q.customerId },
        { u"customer_name"_s, q.customerName },
        { u"kind"_s, Domain::enumName(q.kind) },
        { u"score"_s, q.score },
        { u"comment"_s, q.comment },
        { u"sentiment"_s, optNumber(q.sentiment, 3) },
        { u"responded_at"_s, dateTimeJson(q.respondedAt) },
    };
}

QJsonObject figureJson(const Core::SatisfactionFigure &f)
{
    QJsonObject json {
        { u"kind"_s, Domain::enumName(f.kind) },
        { u"responses"_s, f.responses },
        { u"value"_s, optNumber(f.value, 2) },
    };
    if (f.kind == Domain::SurveyKind::Nps) {
        json.insert(u"promoters"_s, f.promoters);
        json.insert(u"passives"_s, f.passives);
        json.insert(u"detractors"_s, f.detractors);
    } else if (f.kind == Domain::SurveyKind::Csat) {
        json.insert(u"satisfied"_s, f.satisfied);
    }
    if (!f.hasData())
        json.insert(u"note"_s, f.noDataReason.isEmpty() ? u"no responses"_s : f.noDataReason);
    return json;
}

QJsonObject responseJson(const Domain::SurveyResponse &r)
{
    return QJsonObject {
        { u"response_id"_s, r.id },
        { u"survey_id"_s, r.surveyId ? QJsonValue(*r.surveyId) : QJsonValue(QJsonValue::Null) },
        { u"customer_id"_s, r.customerId },
        { u"contact_id"_s, r.contactId ? QJsonValue(*r.contactId) : QJsonValue(QJsonValue::Null) },
        { u"kind"_s, Domain::enumName(r.kind) },
        { u"score"_s, r.score },
        { u"nps_category"_s,
            r.npsCategory ? QJsonValue(Domain::enumName(*r.npsCategory)) : QJsonValue(QJsonValue::Null) },
        { u"comment"_s, r.comment },
        { u"sentiment"_s, optNumber(r.sentiment, 3) },
        { u"themes"_s, QJsonArray::fromStringList(r.themes) },
        { u"channel"_s, r.channel ? QJsonValue(Domain::enumName(*r.channel)) : QJsonValue(QJsonValue::Null) },
        { u"responded_at"_s, dateTimeJson(r.respondedAt) },
        { u"follow_up_status"_s, Domain::enumName(r.followUpStatus) },
        { u"follow_up_due"_s, dateTimeJson(r.followUpDue) },
        { u"routed_to"_s, optText(r.routedTo) },
    };
}

QJsonObject responseSchema()
{
    return openObject(
        {
            { u"response_id"_s, integer({}) },
            { u"survey_id"_s, nullable(integer({})) },
            { u"customer_id"_s, string({}) },
            { u"contact_id"_s, nullable(integer({})) },
            { u"kind"_s, enumOf({}, Domain::enumValues<Domain::SurveyKind>()) },
            { u"score"_s, integer({}, 0, 10) },
            { u"nps_category"_s, nullable(enumOf({}, Domain::enumValues<Domain::NpsCategory>())) },
            { u"comment"_s, string({}) },
            { u"sentiment"_s, nullable(number({}, -1.0, 1.0)) },
            { u"themes"_s, arrayOf(string({})) },
            { u"responded_at"_s, dateTime({}) },
            { u"follow_up_status"_s, enumOf({}, Domain::enumValues<Domain::FollowUpStatus>()) },
        },
        { u"response_id"_s, u"customer_id"_s, u"kind"_s, u"score"_s, u"responded_at"_s });
}

// ---- collect_feedback ------------------------------------------------------------------------------------------

ToolResult collectFeedback(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QString action = args.value(u"action"_s).toString();
    if (action == u"list"_s) {
        Storage::ListQuery query = ToolSupport::pageQuery(args);
        query.orderBy = u"responded_at"_s;
        query.descending = true;
        if (args.contains(u"customer_id"_s))
            query.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq,
                args.value(u"customer_id"_s).toString() };
        if (args.contains(u"kind"_s))
            query.filters << Storage::Filter { u"kind"_s, Storage::Filter::Op::Eq, args.value(u"kind"_s).toString() };
        auto page = call.services->feedback().listResponses(query);
        if (!page)
            return page.error();
        QJsonArray items;
        for (const Domain::SurveyResponse &r : std::as_const(page->items))
            items.append(responseJson(r));
        QJsonObject result = ToolSupport::pageJson(items, page->total, page->nextCursor);
        result.insert(u"action"_s, action);
        if (page->total == 0)
            result.insert(u"note"_s, u"no survey responses match"_s);
        return result;
    }

    // record
    for (const QString &field : { u"customer_id"_s, u"score"_s }) {
        if (!args.contains(field))
            return Core::Error::invalid(field, u"required when action is record"_s);
    }
    if (!args.contains(u"kind"_s) && !args.contains(u"survey_id"_s))
        return Core::Error::invalid(u"kind"_s, u"required when action is record without survey_id"_s);
    Core::NewSurveyResponse input;
    if (args.contains(u"survey_id"_s))
        input.surveyId = args.value(u"survey_id"_s).toInteger();
    input.customerId = args.value(u"customer_id"_s).toString();
    if (args.contains(u"contact_id"_s))
        input.contactId = args.value(u"contact_id"_s).toInteger();
    if (args.contains(u"kind"_s))
        input.kind = Domain::enumFromString<Domain::SurveyKind>(args.value(u"kind"_s).toString());
    input.score = args.value(u"score"_s).toInt();
    input.comment = args.value(u"comment"_s).toString();
    for (const QJsonValue &theme : args.value(u"themes"_s).toArray())
        input.themes << theme.toString();
    if (args.contains(u"channel"_s))
        input.channel = Domain::enumFromString<Domain::FeedbackChannel>(args.value(u"channel"_s).toString());
    if (args.contains(u"responded_at"_s))
        input.respondedAt = QDateTime::fromString(args.value(u"responded_at"_s).toString(), Qt::ISODateWithMs);
    auto recorded = call.services->feedback().recordResponse(input);
    if (!recorded)
        return recorded.error();
    QJsonObject json = responseJson(recorded->response);
    return QJsonObject {
        { u"action"_s, action },
        { u"response"_s, json },
        { u"rule_themes"_s, QJsonArray::fromStringList(recorded->ruleThemes) },
        { u"follow_up_opened"_s, recorded->followUpOpened },
        { u"sentiment_label"_s,
            recorded->sentiment.hasSignal() ? QJsonValue(Domain::enumName(recorded->sentiment.label()))
                                            : QJsonValue(QJsonValue::Null) },
    };
}

// ---- analyze_feedback_sentiment --------------------------------------------------------------------------------

ToolResult analyzeFeedbackSentiment(const ToolCall &call)
{
    const Core::FeedbackQuery query = feedbackQuery(call);
    auto summary = call.services->feedback().sentimentSummary(query, call.arguments.value(u"quote_limit"_s).toInt(5));
    if (!summary)
        return scopeError(summary.error());
    const Core::SentimentSummary &s = *summary;
    QJsonArray trend;
    for (const Core::SentimentPoint &p : s.trend) {
        trend.append(QJsonObject {
            { u"period_start"_s, dateJson(p.periodStart) },
            { u"period_end"_s, dateJson(p.periodEnd) },
            { u"scored"_s, p.scored },
            { u"mean"_s, optNumber(p.mean, 3) },
            { u"positive"_s, p.positive },
            { u"neutral"_s, p.neutral },
            { u"negative"_s, p.negative },
        });
    }
    QJsonArray negative;
    for (const Core::FeedbackQuote &q : s.mostNegative)
        negative.append(quoteJson(q));
    QJsonArray positive;
    for (const Core::FeedbackQuote &q : s.mostPositive)
        positive.append(quoteJson(q));
    return QJsonObject {
        { u"from"_s, dateJson(s.from) },
        { u"to"_s, dateJson(s.to) },
        { u"responses"_s, s.responses },
        { u"with_comment"_s, s.withComment },
        { u"scored"_s, s.scored },
        { u"mean"_s, optNumber(s.mean, 3) },
        { u"positive"_s, s.positive },
        { u"neutral"_s, s.neutral },
        { u"negative"_s, s.negative },
        { u"note"_s, optText(s.noDataReason) },
        { u"trend"_s, trend },
        { u"most_negative"_s, negative },
        { u"most_positive"_s, positive },
        { u"method"_s, s.method },
    };
}

// ---- share_product_insights ------------------------------------------------------------------------------------

QJsonObject insightJson(const Domain::ProductInsight &i)
{
    return QJsonObject {
        { u"insight_id"_s, i.id },
        { u"title"_s, i.title },
        { u"kind"_s, Domain::enumName(i.kind) },
        { u"theme"_s, i.theme },
        { u"status"_s, Domain::enumName(i.status) },
        { u"customer_count"_s, i.customerCount },
        { u"arr_impact"_s, rounded(i.arrImpact, 2) },
        { u"shared_with"_s, optText(i.sharedWith) },
        { u"shared_at"_s, dateTimeJson(i.sharedAt) },
    };
}

QJsonObject insightSchema()
{
    return openObject(
        {
            { u"insight_id"_s, integer({}) },
            { u"title"_s, string({}) },
            { u"kind"_s, enumOf({}, Domain::enumValues<Domain::InsightKind>()) },
            { u"theme"_s, string({}) },
            { u"status"_s, enumOf({}, Domain::enumValues<Domain::InsightStatus>()) },
            { u"customer_count"_s, integer({}, 0) },
            { u"arr_impact"_s, number({}, 0.0) },
        },
        { u"insight_id"_s, u"title"_s, u"kind"_s, u"status"_s, u"customer_count"_s, u"arr_impact"_s });
}

ToolResult shareProductInsights(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QString action = args.value(u"action"_s).toString();
    if (action == u"list"_s) {
        Storage::ListQuery query = ToolSupport::pageQuery(args);
        if (args.contains(u"status"_s))
            query.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq,
                args.value(u"status"_s).toString() };
        auto page = call.services->feedback().listProductInsights(query);
        if (!page)
            return page.error();
        QJsonArray items;
        for (const Domain::ProductInsight &i : std::as_const(page->items))
            items.append(insightJson(i));
        QJsonObject result = ToolSupport::pageJson(items, page->total, page->nextCursor);
        result.insert(u"action"_s, action);
        return result;
    }
    if (!args.contains(u"shared_with"_s))
        return Core::Error::invalid(u"shared_with"_s, u"required when action is share"_s);
    auto shared
        = call.services->feedback().shareProductInsights(feedbackQuery(call), args.value(u"shared_with"_s).toString(),
            args.value(u"min_customers"_s).toInt(1), args.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit));
    if (!shared)
        return scopeError(shared.error());
    QJsonArray items;
    for (const Domain::ProductInsight &i : std::as_const(shared->created)) {
        QJsonObject json = insightJson(i);
        json.insert(u"change"_s, u"created"_s);
        items.append(json);
    }
    for (const Domain::ProductInsight &i : std::as_const(shared->updated)) {
        QJsonObject json = insightJson(i);
        json.insert(u"change"_s, u"updated"_s);
        items.append(json);
    }
    QJsonObject result = ToolSupport::pageJson(items, items.size(), {});
    result.insert(u"action"_s, action);
    result.insert(u"created"_s, shared->created.size());
    result.insert(u"updated"_s, shared->updated.size());
    result.insert(u"responses_considered"_s, shared->basis.responsesConsidered);
    result.insert(u"tickets_considered"_s, shared->basis.ticketsConsidered);
    if (items.isEmpty())
        result.insert(u"note"_s,
            shared->basis.noDataReason.isEmpty() ? u"no theme was raised by enough customers in the period"_s
                                                 : shared->basis.noDataReason);
    return result;
}

// ---- track_cs_metrics ------------------------------------------------------------------------------------------

const QStringList kMetrics = { u"nps"_s, u"csat"_s, u"ces"_s, u"churn_rate"_s, u"retention_rate"_s, u"expansion_rate"_s,
    u"time_to_value"_s, u"adoption"_s, u"engagement"_s, u"health"_s, u"support_satisfaction"_s };
// Health over time is one portfolio summary per bucket end: at most this many.
constexpr int kMaxHealthPoints = 60;

ToolResult trackCsMetrics(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const Core::FeedbackQuery query = feedbackQuery(call);
    if (auto ok = Core::Periods::validate(query.from, query.to, query.granularity); !ok)
        return ok.error();
    QStringList metrics;
    for (const QJsonValue &m : args.value(u"metrics"_s).toArray())
        metrics << m.toString();
    if (metrics.isEmpty())
        metrics = kMetrics;
    metrics.removeDuplicates();

    QJsonObject result { { u"from"_s, dateJson(query.from) }, { u"to"_s, dateJson(query.to) },
        { u"granularity"_s, Domain::enumName(query.granularity) } };
    QJsonObject out;
    const auto satisfaction = [&](Domain::SurveyKind kind) -> Core::Result<QJsonObject> {
        auto trend = call.services->feedback().satisfactionTrend(kind, query);
        if (!trend)
            return scopeError(trend.error());
        QJsonArray points;
        for (const Core::SatisfactionPoint &p : std::as_const(trend->points)) {
            points.append(QJsonObject { { u"period_start"_s, dateJson(p.periodStart) },
                { u"period_end"_s, dateJson(p.periodEnd) }, { u"responses"_s, p.figure.responses },
                { u"value"_s, optNumber(p.figure.value, 2) } });
        }
        QJsonObject json = figureJson(trend->overall);
        json.insert(u"over_time"_s, points);
        return json;
    };
    for (qsizetype i = 0; i < metrics.size(); ++i) {
        const QString &metric = metrics.at(i);
        if (call.cancelled())
            return Core::Error { Core::ErrorCode::Cancelled, {}, u"cancelled"_s };
        call.progress(double(i), double(metrics.size()), metric);
        if (metric == u"nps"_s || metric == u"csat"_s || metric == u"ces"_s) {
            auto json = satisfaction(*Domain::enumFromString<Domain::SurveyKind>(metric));
            if (!json)
                return json.error();
            out.insert(metric, *json);
        } else if (metric == u"support_satisfaction"_s) {
            auto performance = call.services->support().supportPerformance(query.from, query.to, query.scope);
            if (!performance)
                return scopeError(performance.error());
            QJsonArray points;
            for (const Core::SupportWeek &w : std::as_const(performance->weekly)) {
                points.append(QJsonObject { { u"period_start"_s, dateJson(w.weekStart) },
                    { u"period_end"_s, dateJson(w.weekEnd) }, { u"rated"_s, w.csat.rated },
                    { u"value"_s, optNumber(w.csat.percent, 2) } });
            }
            QJsonObject json { { u"rated_tickets"_s, performance->csat.rated },
                { u"value"_s, optNumber(performance->csat.percent, 2) },
                { u"mean_rating"_s, optNumber(performance->csat.mean, 2) },
                { u"unit"_s, u"% of ticket ratings that are 4 or 5 (weekly buckets)"_s }, { u"over_time"_s, points } };
            if (performance->csat.rated == 0)
                json.insert(u"note"_s, u"no rated tickets in the period"_s);
            out.insert(metric, json);
        } else if (metric == u"time_to_value"_s || metric == u"adoption"_s || metric == u"engagement"_s
            || metric == u"health"_s) {
            // Portfolio-wide figures (time to value may be narrowed to one tier).
            const bool tierOnly = query.scope.customerIds.isEmpty() && query.scope.industries.isEmpty()
                && query.scope.tiers.size() <= 1;
            if (!query.scope.isEmpty() && !(metric == u"time_to_value"_s && tierOnly))
                return Core::Error::invalid(
                    u"metrics"_s, metric + u" is portfolio-wide: leave out customer_id, tiers and industries"_s);
            QJsonObject json;
            if (metric == u"time_to_value"_s) {
                Core::TtvQuery ttvQuery;
                if (!query.scope.tiers.isEmpty())
                    ttvQuery.tier = query.scope.tiers.constFirst();
                auto ttv = call.services->onboarding().ttvBenchmark(ttvQuery);
                if (!ttv)
                    return ttv.error();
                json = { { u"value"_s, optNumber(ttv->p50, 1) },
                    { u"unit"_s, u"median days from onboarding start to completion, completed plans to date"_s },
                    { u"completed_plans"_s, ttv->completedPlans }, { u"p25"_s, optNumber(ttv->p25, 1) },
                    { u"p75"_s, optNumber(ttv->p75, 1) }, { u"p90"_s, optNumber(ttv->p90, 1) },
                    { u"mean"_s, optNumber(ttv->mean, 1) }, { u"on_target_share"_s, optNumber(ttv->onTargetShare) } };
                if (!ttv->hasData)
                    json.insert(u"note"_s, ttv->reason.isEmpty() ? u"no completed onboarding plan"_s : ttv->reason);
            } else if (metric == u"adoption"_s) {
                auto adoption = call.services->engagement().featureAdoption(query.from, query.to);
                if (!adoption)
                    return adoption.error();
                json = { { u"value"_s, optNumber(adoption->averageBreadth) },
                    { u"unit"_s, u"average share of catalogue features an active customer used in the period"_s },
                    { u"active_customers"_s, adoption->activeCustomers },
                    { u"catalogue_features"_s, adoption->catalogueFeatures } };
                if (!adoption->hasData || !adoption->averageBreadth)
                    json.insert(u"note"_s,
                        adoption->reason.isEmpty() ? u"no active customer or no feature catalogue"_s
                                                   : adoption->reason);
            } else if (metric == u"engagement"_s) {
                Core::UsageQuery usageQuery;
                usageQuery.from = query.from;
                usageQuery.to = query.to;
                auto usage = call.services->engagement().usage(usageQuery);
                if (!usage)
                    return usage.error();
                json = { { u"value"_s,
                             usage->hasData ? QJsonValue(rounded(usage->dau, 2)) : QJsonValue(QJsonValue::Null) },
                    { u"unit"_s, u"mean daily active users over the period (portfolio)"_s }, { u"mau"_s, usage->mau },
                    { u"stickiness"_s, optNumber(usage->stickiness) },
                    { u"active_customers"_s, usage->activeCustomers }, { u"dau_change"_s, optNumber(usage->dauChange) },
                    { u"trend"_s, optText(usage->trend) } };
                if (!usage->hasData)
                    json.insert(u"note"_s, usage->reason.isEmpty() ? u"no usage on record"_s : usage->reason);
            } else {
                const auto buckets = Core::Periods::buckets(query.from, query.to, query.granularity);
                QJsonArray points;
                if (buckets.size() <= kMaxHealthPoints) {
                    for (const auto &[start, end] : buckets) {
                        if (call.cancelled())
                            return Core::Error { Core::ErrorCode::Cancelled, {}, u"cancelled"_s };
                        auto point = call.services->health().portfolioSummary(end);
                        if (!point)
                            return point.error();
                        points.append(QJsonObject { { u"period_start"_s, dateJson(start) },
                            { u"period_end"_s, dateJson(end) }, { u"scored"_s, point->scored },
                            { u"value"_s,
                                point->hasData ? QJsonValue(rounded(point->averageScore, 1))
                                               : QJsonValue(QJsonValue::Null) } });
                    }
                }
                auto latest = call.services->health().portfolioSummary(query.to);
                if (!latest)
                    return latest.error();
                json = { { u"value"_s,
                             latest->hasData ? QJsonValue(rounded(latest->averageScore, 1))
                                             : QJsonValue(QJsonValue::Null) },
                    { u"unit"_s, u"average health score (0-100) of scored customers on the latest scoring day"_s },
                    { u"score_date"_s, dateJson(latest->scoreDate) }, { u"scored"_s, latest->scored },
                    { u"green"_s, latest->green }, { u"yellow"_s, latest->yellow }, { u"red"_s, latest->red },
                    { u"over_time"_s, points } };
                if (!latest->hasData)
                    json.insert(u"note"_s, latest->reason.isEmpty() ? u"no health score yet"_s : latest->reason);
            }
            out.insert(metric, json);
        } else {
            // churn_rate, retention_rate (GRR), expansion_rate: from the ARR ledger, by calendar month.
            if (!query.scope.customerIds.isEmpty() || !query.scope.industries.isEmpty() || query.scope.tiers.size() > 1)
                return Core::Error::invalid(
                    u"metrics"_s, metric + u" can be narrowed to one tier only (not customers or industries)"_s);
            Core::RetentionFilter filter;
            if (!query.scope.tiers.isEmpty())
                filter.tier = query.scope.tiers.constFirst();
            auto periods = call.services->renewals().retentionByPeriod(
                query.from, query.to, Core::PeriodGranularity::Month, filter);
            if (!periods)
                return periods.error();
            auto overall = call.services->renewals().retention(query.from, query.to, filter);
            if (!overall)
                return overall.error();
            const auto rate = [&metric](const Core::RetentionRates &r) -> std::optional<double> {
                if (!r.hasData || r.startArr <= 0)
                    return std::nullopt;
                if (metric == u"expansion_rate"_s)
                    return r.expansionArr / r.startArr;
                if (!r.grr)
                    return std::nullopt;
                return metric == u"churn_rate"_s ? 1.0 - *r.grr : *r.grr;
            };
            QJsonArray points;
            for (const Core::RetentionRates &r : std::as_const(*periods)) {
                points.append(QJsonObject { { u"period"_s, r.label }, { u"period_start"_s, dateJson(r.from) },
                    { u"period_end"_s, dateJson(r.to) }, { u"start_arr"_s, rounded(r.startArr, 2) },
                    { u"value"_s, optNumber(rate(r)) } });
            }
            QJsonObject json { { u"value"_s, optNumber(rate(*overall)) },
                { u"start_arr"_s, rounded(overall->startArr, 2) }, { u"cohort_customers"_s, overall->cohortCustomers },
                { u"unit"_s,
                    metric == u"expansion_rate"_s
                        ? u"expansion ARR / start ARR of the cohort active at period start"_s
                        : (metric == u"churn_rate"_s ? u"gross ARR churn = 1 − GRR"_s : u"GRR"_s) },
                { u"over_time"_s, points } };
            if (!overall->hasData)
                json.insert(
                    u"note"_s, overall->reason.isEmpty() ? u"no ARR history for the period"_s : overall->reason);
            out.insert(metric, json);
        }
    }
    call.progress(double(metrics.size()), double(metrics.size()), u"done"_s);
    result.insert(u"metrics"_s, out);
    return result;
}

// ---- analyze_product_usage -------------------------------------------------------------------------------------

ToolResult analyzeProductUsage(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    Core::UsageQuery query;
    query.customerId = args.value(u"customer_id"_s).toString();
    query.from = ToolSupport::dateArgument(args, u"from"_s);
    query.to = ToolSupport::dateArgument(args, u"to"_s);
    query.topFeatures = args.value(u"top_features"_s).toInt(20);
    auto report = call.services->engagement().usage(query);
    if (!report)
        return report.error();
    const Core::UsageReport &r = *report;
    QJsonArray features;
    for (const Core::FeatureUsage &f : r.features) {
        features.append(QJsonObject {
            { u"feature"_s, f.feature },
            { u"name"_s, optText(f.name) },
            { u"category"_s, optText(f.category) },
            { u"events"_s, f.events },
            { u"users"_s, f.users },
            { u"customers"_s, f.customers },
            { u"share"_s, rounded(f.share, 4) },
            { u"previous_events"_s, f.previousEvents },
            { u"change"_s, optNumber(f.change) },
        });
    }
    QJsonArray series;
    if (args.value(u"include_series"_s).toBool(true)) {
        for (const Core::UsageDay &d : r.series)
            series.append(QJsonObject {
                { u"day"_s, dateJson(d.day) }, { u"events"_s, d.events }, { u"active_users"_s, d.activeUsers } });
    }
    return QJsonObject {
        { u"customer_id"_s, optText(r.customerId) },
        { u"from"_s, dateJson(r.from) },
        { u"to"_s, dateJson(r.to) },
        { u"days"_s, r.days },
        { u"has_data"_s, r.hasData },
        { u"note"_s, optText(r.reason) },
        { u"source"_s, r.source },
        { u"events"_s, r.events },
        { u"active_days"_s, r.activeDays },
        { u"events_per_day"_s, rounded(r.eventsPerDay, 2) },
        { u"dau"_s, rounded(r.dau, 2) },
        { u"wau"_s, r.wau },
        { u"mau"_s, r.mau },
        { u"stickiness"_s, optNumber(r.stickiness) },
        { u"active_customers"_s, r.activeCustomers },
        { u"live_customers"_s, r.liveCustomers },
        { u"trend"_s, optText(r.trend) },
        { u"trend_note"_s, optText(r.trendReason) },
        { u"events_change"_s, optNumber(r.eventsChange) },
        { u"dau_change"_s, optNumber(r.dauChange) },
        { u"features"_s, features },
        { u"other_features"_s, r.otherFeatures },
        { u"events_without_feature"_s, r.eventsWithoutFeature },
        { u"series"_s, series },
    };
}

// ---- manage_voice_of_customer ----------------------------------------------------------------------------------

QJsonObject vocJson(const Domain::VocReport &r, bool withSummary)
{
    QJsonObject json {
        { u"report_id"_s, r.id },
        { u"title"_s, r.title },
        { u"period_start"_s, dateJson(r.periodStart) },
        { u"period_end"_s, dateJson(r.periodEnd) },
        { u"generated_by"_s, r.generatedBy },
        { u"generated_at"_s, dateTimeJson(r.generatedAt) },
    };
    if (withSummary)
        json.insert(u"summary"_s, QJsonObject::fromVariantMap(r.summary));
    return json;
}

ToolResult manageVoiceOfCustomer(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QString action = args.value(u"action"_s).toString();
    Core::FeedbackService &feedback = call.services->feedback();
    if (action == u"list"_s) {
        auto page = feedback.listVocReports(
            args.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit), args.value(u"cursor"_s).toString());
        if (!page)
            return page.error();
        QJsonArray items;
        for (const Domain::VocReport &r : std::as_const(page->items))
            items.append(vocJson(r, false));
        QJsonObject result = ToolSupport::pageJson(items, page->total, page->nextCursor);
        result.insert(u"action"_s, action);
        return result;
    }
    if (action == u"get"_s) {
        if (!args.contains(u"report_id"_s))
            return Core::Error::invalid(u"report_id"_s, u"required when action is get"_s);
        auto report = feedback.vocReport(args.value(u"report_id"_s).toInteger());
        if (!report)
            return report.error();
        return QJsonObject { { u"action"_s, action }, { u"report"_s, vocJson(*report, true) } };
    }
    if (!args.contains(u"title"_s))
        return Core::Error::invalid(u"title"_s, u"required when action is generate"_s);
    call.progress(0, 1, u"building the report"_s);
    auto report = feedback.generateVocReport(feedbackQuery(call), args.value(u"title"_s).toString(),
        call.clientName.isEmpty() ? u"agent"_s : u"agent:"_s + call.clientName);
    if (!report)
        return scopeError(report.error());
    call.progress(1, 1, u"done"_s);
    return QJsonObject { { u"action"_s, action }, { u"report"_s, vocJson(*report, true) } };
}

Tool makeTool(QString name, QString title, QString description, QJsonObject input, QJsonObject output,
    ToolAnnotations annotations, bool writes, bool longRunning, ToolHandler handler)
{
    return ToolSupport::makeTool(kToolset, std::move(name), std::move(title), std::move(description), std::move(input),
        std::move(output), annotations, writes, longRunning, std::move(handler));
}

} // namespace

void registerFeedbackTools(ToolRegistry &registry)
{
    const auto add = [&registry](Tool tool) { ToolSupport::addTool(registry, std::move(tool)); };
    const ToolAnnotations readOnly;
    const ToolAnnotations appends { false, false, false, false };

    add(makeTool(u"collect_feedback"_s, u"Collect feedback"_s,
        u"Records one NPS, CSAT or CES answer (with comment, themes and sentiment; an NPS detractor gets a follow-up "
        u"routed to the CSM) or lists stored answers, newest first."_s,
        object(withPaging({
                   { u"action"_s, enumOf(u"record an answer, or list answers."_s, { u"record"_s, u"list"_s }) },
                   { u"customer_id"_s, customerId() },
                   { u"survey_id"_s, integer({}, 1) },
                   { u"contact_id"_s, integer({}, 1) },
                   { u"kind"_s, enumOf(u"nps 0-10, csat 1-5, ces 1-7."_s, Domain::enumValues<Domain::SurveyKind>()) },
                   { u"score"_s, integer({}, 0, 10) },
                   { u"comment"_s, string({}, 0, 10000) },
                   { u"themes"_s, arrayOf(string({}, 1, 100), {}, 20) },
                   { u"channel"_s, enumOf({}, Domain::enumValues<Domain::FeedbackChannel>()) },
                   { u"responded_at"_s, dateTime(u"When the customer answered (default now)."_s) },
               }),
            { u"action"_s }),
        openObject(
            {
                { u"action"_s, enumOf({}, { u"record"_s, u"list"_s }) },
                { u"response"_s, responseSchema() },
                { u"items"_s, arrayOf(responseSchema()) },
                { u"total"_s, integer({}, 0) },
                { u"next_cursor"_s, nullable(string({})) },
                { u"follow_up_opened"_s, boolean({}) },
                { u"rule_themes"_s, arrayOf(string({})) },
                { u"note"_s, string({}) },
            },
            { u"action"_s }),
        appends, true, false, collectFeedback));

    add(makeTool(u"analyze_feedback_sentiment"_s, u"Feedback sentiment"_s,
        u"Summarises the sentiment of survey comments in a period: mean, positive/neutral/negative counts, the "
        u"trend and the most negative and most positive quotes. No comments: says so."_s,
        object(withPeriod({ { u"quote_limit"_s, integer(u"Quotes of each kind."_s, 0, 20, 5) } })),
        openObject(
            {
                { u"responses"_s, integer({}, 0) },
                { u"scored"_s, integer({}, 0) },
                { u"mean"_s, nullable(number(u"-1..1; null without scored comments."_s, -1.0, 1.0)) },
                { u"positive"_s, integer({}, 0) },
                { u"neutral"_s, integer({}, 0) },
                { u"negative"_s, integer({}, 0) },
                { u"note"_s, nullable(string({})) },
                { u"trend"_s, arrayOf(anyObject({})) },
                { u"most_negative"_s, arrayOf(anyObject({})) },
                { u"most_positive"_s, arrayOf(anyObject({})) },
                { u"method"_s, string({}) },
            },
            { u"responses"_s, u"scored"_s, u"mean"_s, u"trend"_s }),
        readOnly, false, false, analyzeFeedbackSentiment));

    add(makeTool(u"share_product_insights"_s, u"Share product insights"_s,
        u"Turns the period's feedback themes (survey comments and tickets) raised by at least min_customers "
        u"customers into product insights with customer count and ARR impact, marked shared with the product "
        u"team; or lists the stored insights."_s,
        object(withPeriod(withPaging({
            { u"action"_s, enumOf({}, { u"share"_s, u"list"_s }, u"share"_s) },
            { u"shared_with"_s, string(u"Who receives the insights (required to share)."_s, 1, 200) },
            { u"min_customers"_s, integer({}, 1, 10000, 1) },
            { u"status"_s, enumOf(u"list: only this status."_s, Domain::enumValues<Domain::InsightStatus>()) },
        }))),
        listOutput(insightSchema(),
            {
                { u"action"_s, string({}) },
                { u"created"_s, integer({}, 0) },
                { u"updated"_s, integer({}, 0) },
                { u"note"_s, string({}) },
            }),
        { false, false, true, false }, true, false, shareProductInsights));

    QJsonObject metricsProperties = withPeriod({});
    metricsProperties.insert(
        u"metrics"_s, arrayOf(enumOf({}, kMetrics), u"Which metrics (default all)."_s, int(kMetrics.size())));
    add(makeTool(u"track_cs_metrics"_s, u"CS metrics over time"_s,
        u"Tracks NPS, CSAT, CES, ticket satisfaction, ARR churn / retention (GRR) / expansion rates, time to "
        u"value, feature adoption, engagement and average health over a period, overall and per week or month "
        u"where the data has a history. Figures without data answer null with a note."_s,
        object(metricsProperties),
        openObject(
            {
                { u"from"_s, date({}) },
                { u"to"_s, date({}) },
                { u"granularity"_s, string({}) },
                { u"metrics"_s, anyObject(u"One entry per metric asked for: value, over_time, note."_s) },
            },
            { u"from"_s, u"to"_s, u"metrics"_s }),
        readOnly, false, true, trackCsMetrics));

    add(makeTool(u"analyze_product_usage"_s, u"Product usage"_s,
        u"Analyses stored usage for a customer or the portfolio over a period (default the last 30 days): "
        u"events, DAU/WAU/MAU, stickiness, trend against the previous period, top features and a daily series."_s,
        object({
            { u"customer_id"_s, customerId(u"One customer; omit for the portfolio."_s) },
            { u"from"_s, date({}) },
            { u"to"_s, date({}) },
            { u"top_features"_s, integer({}, 1, 100, 20) },
            { u"include_series"_s, boolean(u"Include the daily series."_s, true) },
        }),
        openObject(
            {
                { u"has_data"_s, boolean({}) },
                { u"note"_s, nullable(string({})) },
                { u"events"_s, integer({}, 0) },
                { u"dau"_s, number({}, 0.0) },
                { u"wau"_s, integer({}, 0) },
                { u"mau"_s, integer({}, 0) },
                { u"stickiness"_s, nullable(number({}, 0.0, 1.0)) },
                { u"features"_s, arrayOf(anyObject({})) },
                { u"series"_s, arrayOf(anyObject({})) },
            },
            { u"has_data"_s, u"events"_s, u"dau"_s, u"wau"_s, u"mau"_s, u"features"_s }),
        readOnly, false, true, analyzeProductUsage));

    QJsonObject vocSchema = openObject(
        {
            { u"report_id"_s, integer({}) },
            { u"title"_s, string({}) },
            { u"period_start"_s, date({}) },
            { u"period_end"_s, date({}) },
            { u"generated_at"_s, dateTime({}) },
            { u"summary"_s, anyObject({}) },
        },
        { u"report_id"_s, u"title"_s, u"period_start"_s, u"period_end"_s });
    add(makeTool(u"manage_voice_of_customer"_s, u"Voice of customer"_s,
        u"Generates and stores a voice-of-customer report for a period (NPS/CSAT/CES, top themes, sentiment "
        u"trend, quotes, follow-ups), or lists and reads stored reports."_s,
        object(withPeriod(withPaging({
                   { u"action"_s, enumOf({}, { u"generate"_s, u"list"_s, u"get"_s }) },
                   { u"title"_s, string({}, 1, 200) },
                   { u"report_id"_s, integer({}, 1) },
               })),
            { u"action"_s }),
        openObject(
            {
                { u"action"_s, string({}) },
                { u"report"_s, vocSchema },
                { u"items"_s, arrayOf(vocSchema) },
                { u"total"_s, integer({}, 0) },
                { u"next_cursor"_s, nullable(string({})) },
            },
            { u"action"_s }),
        appends, true, true, manageVoiceOfCustomer));
}

} // namespace Mcp
