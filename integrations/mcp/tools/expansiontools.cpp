// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The expansion toolset (TOOLS.md "expansion"): opportunities detected from data, the renewal pipeline, forecast,
// ARR at risk, GRR/NRR, renewal briefs, ARR expansion tracking and lifetime value — all from ExpansionService and
// RenewalService.
#include "expansionservice.h"
#include "renewalservice.h"
#include "services.h"
#include "toolregistry.h"
#include "toolsupport.h"

using namespace Qt::StringLiterals;

namespace Mcp {

namespace {

using namespace Schema;
using ToolSupport::dateJson;
using ToolSupport::dateTimeJson;
using ToolSupport::rounded;

const QString kToolset = u"expansion"_s;

QJsonValue optNumber(const std::optional<double> &value, int decimals = 4)
{
    return value ? QJsonValue(rounded(*value, decimals)) : QJsonValue(QJsonValue::Null);
}

QJsonValue optText(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

QJsonValue money(double value)
{
    return rounded(value, 2);
}

QDate today(const ToolCall &call)
{
    return call.services->clock().now().toUTC().date();
}

// ---- opportunities ---------------------------------------------------------------------------------------------

QJsonObject candidateJson(const Core::ExpansionCandidate &c)
{
    return QJsonObject {
        { u"customer_id"_s, c.customerId },
        { u"customer_name"_s, c.customerName },
        { u"tier"_s, Domain::enumName(c.tier) },
        { u"customer_arr"_s, money(c.customerArr) },
        { u"kind"_s, Domain::enumName(c.kind) },
        { u"product"_s, c.product },
        { u"title"_s, c.title },
        { u"estimated_arr"_s, optNumber(c.estimatedArr, 2) },
        { u"estimate_basis"_s, c.estimateBasis },
        { u"score"_s, rounded(c.score, 2) },
        { u"evidence"_s, QJsonArray::fromVariantList(c.evidence) },
        { u"opportunity_id"_s, c.opportunityId ? QJsonValue(*c.opportunityId) : QJsonValue(QJsonValue::Null) },
        { u"opportunity_stage"_s, optText(c.opportunityStage) },
    };
}

QJsonObject candidateSchema()
{
    return openObject(
        {
            { u"customer_id"_s, string({}) },
            { u"customer_name"_s, string({}) },
            { u"tier"_s, string({}) },
            { u"customer_arr"_s, number({}, 0.0) },
            { u"kind"_s, enumOf({}, Domain::enumValues<Domain::ExpansionKind>()) },
            { u"product"_s, string({}) },
            { u"title"_s, string({}) },
            { u"estimated_arr"_s, nullable(number(u"Null when the data gives no basis for an estimate."_s, 0.0)) },
            { u"estimate_basis"_s, string({}) },
            { u"score"_s, number(u"0..100"_s, 0.0, 100.0) },
            { u"evidence"_s, arrayOf(anyObject(u"{signal, value, detail}"_s)) },
            { u"opportunity_id"_s, nullable(integer({})) },
            { u"opportunity_stage"_s, nullable(string({})) },
        },
        { u"customer_id"_s, u"kind"_s, u"product"_s, u"score"_s, u"estimated_arr"_s, u"evidence"_s });
}

QJsonObject scanInput(bool withRecord)
{
    QJsonObject properties {
        { u"customer_id"_s, customerId(u"Only this customer; omit for the whole portfolio."_s) },
        { u"min_score"_s, number(u"Only candidates scoring at least this (0..100)."_s, 0.0, 100.0, 0.0) },
    };
    if (withRecord)
        properties.insert(u"record"_s,
            boolean(u"Record every candidate in the opportunity pipeline (stage identified); re-running "
                    u"never duplicates."_s,
                false));
    return object(withPaging(properties));
}

QJsonObject scanOutput()
{
    return listOutput(candidateSchema(),
        {
            { u"has_data"_s, boolean({}) },
            { u"note"_s, nullable(string({})) },
            { u"as_of"_s, nullable(date({})) },
            { u"customers_scanned"_s, integer({}, 0) },
            { u"skipped_red_health"_s, integer({}, 0) },
            { u"upsell"_s, integer({}, 0) },
            { u"cross_sell"_s, integer({}, 0) },
            { u"expansion"_s, integer({}, 0) },
            { u"recorded_new"_s, integer({}, 0) },
            { u"recorded_refreshed"_s, integer({}, 0) },
            { u"notes"_s, arrayOf(string({})) },
        });
}

ToolHandler scanHandler(QList<Domain::ExpansionKind> kinds)
{
    return [kinds](const ToolCall &call) -> ToolResult {
        const QJsonObject &args = call.arguments;
        Core::ExpansionScanQuery query;
        query.kinds = kinds;
        query.customerId = args.value(u"customer_id"_s).toString();
        query.minScore = args.value(u"min_score"_s).toDouble(0);
        query.persist = args.value(u"record"_s).toBool(false);
        // The service ranks and returns at most 200; the tool pages through those.
        query.limit = ToolSupport::kMaxLimit;
        call.progress(0, 1, u"scanning for opportunities"_s);
        if (call.cancelled())
            return Core::Error { Core::ErrorCode::Cancelled, {}, u"cancelled"_s };
        auto scan = call.services->expansion().identifyOpportunities(query);
        if (!scan)
            return scan.error();
        call.progress(1, 1, u"done"_s);
        QJsonArray all;
        for (const Core::ExpansionCandidate &c : std::as_const(scan->items))
            all.append(candidateJson(c));
        auto page = ToolSupport::pageOfArray(all, args);
        if (!page)
            return page.error();
        QJsonObject result = *page;
        result.insert(u"total"_s, scan->total);
        result.insert(u"has_data"_s, scan->hasData);
        result.insert(u"note"_s, optText(scan->reason));
        result.insert(u"as_of"_s, dateJson(scan->asOf));
        result.insert(u"customers_scanned"_s, scan->customersScanned);
        result.insert(u"skipped_red_health"_s, scan->skippedRedHealth);
        result.insert(u"upsell"_s, scan->upsell);
        result.insert(u"cross_sell"_s, scan->crossSell);
        result.insert(u"expansion"_s, scan->expansion);
        result.insert(u"recorded_new"_s, scan->created);
        result.insert(u"recorded_refreshed"_s, scan->refreshed);
        QStringList notes = scan->notes;
        if (scan->total > scan->items.size())
            notes << u"%1 candidates match; the best %2 are listed"_s.arg(scan->total).arg(scan->items.size());
        result.insert(u"notes"_s, QJsonArray::fromStringList(notes));
        return result;
    };
}

// ---- renewals ----------------------------------------------------------------------------------------------------

QJsonObject probabilityJson(const Core::RenewProbability &p)
{
    return QJsonObject {
        { u"value"_s, optNumber(p.value) },
        { u"source"_s, Domain::enumName(p.source) },
        { u"assessed_at"_s, dateTimeJson(p.assessedAt) },
    };
}

QJsonObject probabilitySchema()
{
    return openObject(
        {
            { u"value"_s, nullable(number(u"p(renew), 0..1; null when unknown (never guessed)."_s, 0.0, 1.0)) },
            { u"source"_s, enumOf({}, Domain::enumValues<Core::RenewProbabilitySource>()) },
            { u"assessed_at"_s, nullable(dateTime({})) },
        },
        { u"value"_s, u"source"_s });
}

QJsonObject pipelineItemJson(const Core::RenewalPipelineItem &item)
{
    const Domain::Renewal &r = item.renewal;
    return QJsonObject {
        { u"renewal_id"_s, r.id },
        { u"customer_id"_s, r.customerId },
        { u"customer_name"_s, item.customerName },
        { u"tier"_s, Domain::enumName(item.tier) },
        { u"renewal_date"_s, dateJson(r.renewalDate) },
        { u"days_until"_s, item.daysUntil },
        { u"stage"_s, Domain::enumName(r.stage) },
        { u"outcome"_s, r.isClosed() ? QJsonValue(Domain::enumName(r.outcome)) : QJsonValue(QJsonValue::Null) },
        { u"arr_current"_s, money(r.arrCurrent) },
        { u"arr_proposed"_s, optNumber(r.arrProposed, 2) },
        { u"owner"_s, r.owner.isEmpty() ? item.customerOwner : r.owner },
        { u"p_renew"_s, probabilityJson(item.pRenew) },
        { u"forecast_arr"_s, optNumber(item.forecastArr, 2) },
        { u"health_score"_s, optNumber(item.healthScore, 1) },
        { u"health_band"_s,
            item.healthBand ? QJsonValue(Domain::enumName(*item.healthBand)) : QJsonValue(QJsonValue::Null) },
        { u"checkpoint_t180_done"_s, r.checkpoint180Done },
        { u"checkpoint_t90_done"_s, r.checkpoint90Done },
    };
}

QJsonObject pipelineItemSchema()
{
    return openObject(
        {
            { u"renewal_id"_s, integer({}) },
            { u"customer_id"_s, string({}) },
            { u"customer_name"_s, string({}) },
            { u"tier"_s, string({}) },
            { u"renewal_date"_s, date({}) },
            { u"days_until"_s, integer(u"Negative: past its date and still open."_s) },
            { u"stage"_s, enumOf({}, Domain::enumValues<Domain::RenewalStage>()) },
            { u"outcome"_s, nullable(string({})) },
            { u"arr_current"_s, number({}, 0.0) },
            { u"arr_proposed"_s, nullable(number({}, 0.0)) },
            { u"owner"_s, string({}) },
            { u"p_renew"_s, probabilitySchema() },
            { u"forecast_arr"_s, nullable(number(u"p(renew) × ARR; null when p is unknown."_s, 0.0)) },
            { u"health_score"_s, nullable(number({}, 0.0, 100.0)) },
            { u"health_band"_s, nullable(enumOf({}, Domain::enumValues<Domain::HealthBand>())) },
            { u"checkpoint_t180_done"_s, boolean({}) },
            { u"checkpoint_t90_done"_s, boolean({}) },
        },
        { u"renewal_id"_s, u"customer_id"_s, u"renewal_date"_s, u"stage"_s, u"arr_current"_s, u"p_renew"_s,
            u"forecast_arr"_s });
}

ToolResult trackRenewals(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    Core::RenewalPipelineQuery query;
    query.from = ToolSupport::dateArgument(args, u"from"_s);
    query.to = ToolSupport::dateArgument(args, u"to"_s);
    if (query.from.isValid() && query.to.isValid() && query.to < query.from)
        return Core::Error::invalid(u"to"_s, u"must not be before from"_s);
    query.openOnly = args.value(u"open_only"_s).toBool(true);
    if (args.contains(u"stage"_s))
        query.stage = Domain::enumFromString<Domain::RenewalStage>(args.value(u"stage"_s).toString());
    query.owner = args.value(u"owner"_s).toString();
    query.customerId = args.value(u"customer_id"_s).toString();
    query.limit = args.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
    query.cursor = args.value(u"cursor"_s).toString();
    auto page = call.services->renewals().pipeline(query);
    if (!page)
        return page.error();
    QJsonArray items;
    for (const Core::RenewalPipelineItem &item : std::as_const(page->items))
        items.append(pipelineItemJson(item));
    QJsonObject result = ToolSupport::pageJson(items, page->total, page->nextCursor);
    if (page->total == 0)
        result.insert(u"note"_s, u"no renewal matches"_s);
    return result;
}

QJsonObject forecastJson(const Core::RenewalForecast &f)
{
    QJsonArray months;
    for (const Core::RenewalForecastMonth &m : f.months) {
        months.append(QJsonObject {
            { u"month"_s, m.month },
            { u"open_renewals"_s, m.openRenewals },
            { u"open_arr"_s, money(m.openArr) },
            { u"forecast_arr"_s, money(m.forecastArr) },
            { u"arr_without_probability"_s, money(m.arrWithoutProbability) },
        });
    }
    QJsonArray losses;
    for (const Core::RenewalPipelineItem &item : f.largestExpectedLosses)
        losses.append(pipelineItemJson(item));
    return QJsonObject {
        { u"has_data"_s, f.hasData },
        { u"note"_s, optText(f.reason) },
        { u"from"_s, dateJson(f.from) },
        { u"to"_s, dateJson(f.to) },
        { u"open_renewals"_s, f.openRenewals },
        { u"open_arr"_s, money(f.openArr) },
        { u"forecast_arr"_s, money(f.forecastArr) },
        { u"expected_loss_arr"_s, money(f.expectedLossArr) },
        { u"renewals_with_probability"_s, f.renewalsWithProbability },
        { u"arr_with_probability"_s, money(f.arrWithProbability) },
        { u"renewals_without_probability"_s, f.renewalsWithoutProbability },
        { u"arr_without_probability"_s, money(f.arrWithoutProbability) },
        { u"weighted_probability"_s, optNumber(f.weightedProbability) },
        { u"from_churn_prediction"_s, f.fromChurnPrediction },
        { u"from_renewal_assessment"_s, f.fromRenewalAssessment },
        { u"closed_renewals"_s, f.closedRenewals },
        { u"closed_arr_up"_s, money(f.closedArrUp) },
        { u"closed_retained_arr"_s, money(f.closedRetainedArr) },
        { u"closed_churned_arr"_s, money(f.closedChurnedArr) },
        { u"months"_s, months },
        { u"largest_expected_losses"_s, losses },
    };
}

QJsonObject atRiskJson(const Core::ArrAtRisk &r)
{
    QJsonArray accounts;
    for (const Core::ArrAtRiskAccount &a : r.accounts) {
        accounts.append(QJsonObject {
            { u"renewal_id"_s, a.renewalId },
            { u"customer_id"_s, a.customerId },
            { u"customer_name"_s, a.customerName },
            { u"renewal_date"_s, dateJson(a.renewalDate) },
            { u"days_until"_s, a.daysUntil },
            { u"arr"_s, money(a.arr) },
            { u"health_score"_s, rounded(a.healthScore, 1) },
            { u"health_score_date"_s, dateJson(a.healthScoreDate) },
            { u"p_renew"_s, probabilityJson(a.pRenew) },
        });
    }
    return QJsonObject {
        { u"has_data"_s, r.hasData },
        { u"note"_s, optText(r.reason) },
        { u"within_days"_s, r.withinDays },
        { u"renewals_in_window"_s, r.renewalsInWindow },
        { u"arr_in_window"_s, money(r.arrInWindow) },
        { u"red_renewals"_s, r.redRenewals },
        { u"arr_at_risk"_s, money(r.arrAtRisk) },
        { u"share_of_window_arr"_s, optNumber(r.shareOfWindowArr) },
        { u"renewals_without_health_score"_s, r.renewalsWithoutHealthScore },
        { u"arr_without_health_score"_s, money(r.arrWithoutHealthScore) },
        { u"accounts"_s, accounts },
    };
}

QJsonObject retentionJson(const Core::RetentionRates &r)
{
    return QJsonObject {
        { u"has_data"_s, r.hasData },
        { u"note"_s, optText(r.reason) },
        { u"label"_s, r.label },
        { u"from"_s, dateJson(r.from) },
        { u"to"_s, dateJson(r.to) },
        { u"cohort_customers"_s, r.cohortCustomers },
        { u"start_arr"_s, money(r.startArr) },
        { u"expansion_arr"_s, money(r.expansionArr) },
        { u"contraction_arr"_s, money(r.contractionArr) },
        { u"churn_arr"_s, money(r.churnArr) },
        { u"end_arr"_s, money(r.endArr) },
        { u"churned_customers"_s, r.churnedCustomers },
        { u"customers_outside_ledger"_s, r.customersOutsideLedger },
        { u"nrr"_s, optNumber(r.nrr) },
        { u"grr"_s, optNumber(r.grr) },
    };
}

QJsonObject retentionSchema()
{
    return openObject(
        {
            { u"has_data"_s, boolean({}) },
            { u"note"_s, nullable(string({})) },
            { u"from"_s, nullable(date({})) },
            { u"to"_s, nullable(date({})) },
            { u"cohort_customers"_s, integer({}, 0) },
            { u"start_arr"_s, number({}, 0.0) },
            { u"nrr"_s, nullable(number(u"Fraction: 1.0 = 100 %. Null without a cohort."_s, 0.0)) },
            { u"grr"_s, nullable(number(u"Fraction, never above 1."_s, 0.0, 1.0)) },
        },
        { u"has_data"_s, u"nrr"_s, u"grr"_s, u"start_arr"_s });
}

ToolResult forecastRenewals(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QDate day = today(call);
    Core::RenewalForecastQuery query;
    query.from = ToolSupport::dateArgument(args, u"from"_s);
    if (!query.from.isValid())
        query.from = day;
    query.to = ToolSupport::dateArgument(args, u"to"_s);
    if (!query.to.isValid())
        query.to = query.from.addDays(89);
    if (query.to < query.from)
        return Core::Error::invalid(u"to"_s, u"must not be before from"_s);
    query.owner = args.value(u"owner"_s).toString();
    if (args.contains(u"tier"_s))
        query.tier = Domain::enumFromString<Domain::Tier>(args.value(u"tier"_s).toString());
    query.topLimit = args.value(u"top_limit"_s).toInt(10);
    auto forecast = call.services->renewals().forecast(query);
    if (!forecast)
        return forecast.error();

    Core::ArrAtRiskQuery risk;
    risk.withinDays = args.value(u"at_risk_within_days"_s).toInt(90);
    risk.owner = query.owner;
    risk.limit = query.topLimit > 0 ? query.topLimit : 1;
    auto atRisk = call.services->renewals().arrAtRisk(risk);
    if (!atRisk)
        return atRisk.error();

    // GRR/NRR of the trailing year (or the period asked for).
    QDate retentionFrom = ToolSupport::dateArgument(args, u"retention_from"_s);
    QDate retentionTo = ToolSupport::dateArgument(args, u"retention_to"_s);
    if (!retentionTo.isValid())
        retentionTo = day;
    if (!retentionFrom.isValid())
        retentionFrom = retentionTo.addYears(-1).addDays(1);
    if (retentionTo < retentionFrom)
        return Core::Error::invalid(u"retention_to"_s, u"must not be before retention_from"_s);
    Core::RetentionFilter filter;
    filter.owner = query.owner;
    filter.tier = query.tier;
    auto retention = call.services->renewals().retention(retentionFrom, retentionTo, filter);
    if (!retention)
        return retention.error();

    return QJsonObject {
        { u"forecast"_s, forecastJson(*forecast) },
        { u"arr_at_risk"_s, atRiskJson(*atRisk) },
        { u"retention"_s, retentionJson(*retention) },
    };
}

QJsonObject opportunityJson(const Domain::ExpansionOpportunity &o)
{
    return QJsonObject {
        { u"opportunity_id"_s, o.id },
        { u"customer_id"_s, o.customerId },
        { u"kind"_s, Domain::enumName(o.kind) },
        { u"product"_s, o.product },
        { u"title"_s, o.title },
        { u"estimated_arr"_s, money(o.estimatedArr) },
        { u"score"_s, optNumber(o.score, 2) },
        { u"stage"_s, Domain::enumName(o.stage) },
    };
}

ToolResult negotiateRenewals(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const bool byRenewal = args.contains(u"renewal_id"_s);
    if (byRenewal == args.contains(u"customer_id"_s))
        return Core::Error::invalid(u"renewal_id"_s, u"give either renewal_id or customer_id"_s);
    auto brief = byRenewal ? call.services->renewals().renewalBrief(args.value(u"renewal_id"_s).toInteger())
                           : call.services->renewals().renewalBriefForCustomer(args.value(u"customer_id"_s).toString());
    if (!brief)
        return brief.error();
    const Core::RenewalBrief &b = *brief;
    QJsonArray evidence;
    for (const Core::BriefSignal &s : b.evidenceSignals)
        evidence.append(QJsonObject { { u"kind"_s, s.kind }, { u"key"_s, s.key }, { u"text"_s, s.text } });
    QJsonArray opportunities;
    for (const Domain::ExpansionOpportunity &o : b.openOpportunities)
        opportunities.append(opportunityJson(o));
    QJsonArray contracts;
    for (const Domain::Contract &c : b.contracts) {
        contracts.append(QJsonObject {
            { u"contract_id"_s, c.id },
            { u"start_date"_s, dateJson(c.startDate) },
            { u"end_date"_s, dateJson(c.endDate) },
            { u"arr"_s, money(c.arr) },
            { u"seats_purchased"_s, c.seatsPurchased ? QJsonValue(*c.seatsPurchased) : QJsonValue(QJsonValue::Null) },
            { u"seats_used"_s, c.seatsUsed ? QJsonValue(*c.seatsUsed) : QJsonValue(QJsonValue::Null) },
            { u"status"_s, Domain::enumName(c.status) },
        });
    }
    QJsonArray past;
    for (const Domain::Renewal &r : b.pastRenewals) {
        past.append(QJsonObject {
            { u"renewal_id"_s, r.id },
            { u"renewal_date"_s, dateJson(r.renewalDate) },
            { u"outcome"_s, Domain::enumName(r.outcome) },
            { u"arr_current"_s, money(r.arrCurrent) },
            { u"outcome_arr"_s, optNumber(r.outcomeArr, 2) },
        });
    }
    QJsonArray movements;
    for (const Domain::ArrMovement &m : b.arrMovements) {
        movements.append(QJsonObject {
            { u"date"_s, dateJson(m.movementDate) },
            { u"kind"_s, Domain::enumName(m.kind) },
            { u"amount"_s, money(m.amount) },
            { u"reason"_s, m.reason },
        });
    }
    const auto &h = b.health;
    const auto &u = b.usage;
    const auto &n = b.nps;
    return QJsonObject {
        { u"renewal"_s,
            pipelineItemJson(Core::RenewalPipelineItem {
                b.renewal, b.customerName, b.tier, {}, b.daysUntil, b.pRenew, b.renewal.forecastArr(), {}, {}, {} }) },
        { u"customer_arr"_s, money(b.customerArr) },
        { u"health"_s,
            QJsonObject {
                { u"has_data"_s, h.hasData },
                { u"note"_s, optText(h.reason) },
                { u"latest"_s, h.hasData ? QJsonValue(rounded(h.latest, 1)) : QJsonValue(QJsonValue::Null) },
                { u"band"_s, h.hasData ? QJsonValue(Domain::enumName(h.band)) : QJsonValue(QJsonValue::Null) },
                { u"date"_s, dateJson(h.date) },
                { u"change_30_days"_s, optNumber(h.change30, 1) },
                { u"change_90_days"_s, optNumber(h.change90, 1) },
            } },
        { u"usage"_s,
            QJsonObject {
                { u"has_data"_s, u.hasData },
                { u"note"_s, optText(u.reason) },
                { u"events_30_days"_s, u.events30 },
                { u"events_previous_30_days"_s, u.eventsPrevious30 },
                { u"average_daily_active_users_30_days"_s, rounded(u.averageDailyActiveUsers30, 2) },
                { u"events_change"_s, optNumber(u.eventsChange) },
                { u"active_users_change"_s, optNumber(u.activeUsersChange) },
                { u"seat_utilisation"_s, optNumber(u.seatUtilisation) },
            } },
        { u"support"_s,
            QJsonObject {
                { u"open_tickets"_s, b.support.openTickets },
                { u"open_urgent_tickets"_s, b.support.openUrgentTickets },
                { u"tickets_opened_90_days"_s, b.support.ticketsOpened90 },
                { u"oldest_open_since"_s, dateTimeJson(b.support.oldestOpenSince) },
                { u"average_csat_90_days"_s, optNumber(b.support.averageCsat90, 2) },
            } },
        { u"nps"_s,
            QJsonObject {
                { u"has_data"_s, n.hasData },
                { u"note"_s, optText(n.reason) },
                { u"responses"_s, n.responses },
                { u"promoters"_s, n.promoters },
                { u"passives"_s, n.passives },
                { u"detractors"_s, n.detractors },
                { u"nps"_s, optNumber(n.nps, 1) },
                { u"latest_score"_s, n.latestScore ? QJsonValue(*n.latestScore) : QJsonValue(QJsonValue::Null) },
            } },
        { u"open_opportunities"_s, opportunities },
        { u"contracts"_s, contracts },
        { u"past_renewals"_s, past },
        { u"arr_movements"_s, movements },
        { u"evidence"_s, evidence },
    };
}

QJsonObject movementTotalsJson(const Core::ArrMovementTotals &t)
{
    return QJsonObject {
        { u"label"_s, t.label },
        { u"from"_s, dateJson(t.from) },
        { u"to"_s, dateJson(t.to) },
        { u"movements"_s, t.movements },
        { u"new_arr"_s, money(t.newArr) },
        { u"expansion_arr"_s, money(t.expansionArr) },
        { u"reactivation_arr"_s, money(t.reactivationArr) },
        { u"contraction_arr"_s, money(t.contractionArr) },
        { u"churn_arr"_s, money(t.churnArr) },
        { u"net_arr"_s, money(t.netArr) },
    };
}

ToolResult trackRevenueExpansion(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    QDate to = ToolSupport::dateArgument(args, u"to"_s);
    if (!to.isValid())
        to = today(call);
    QDate from = ToolSupport::dateArgument(args, u"from"_s);
    if (!from.isValid())
        from = to.addYears(-1).addDays(1);
    if (to < from)
        return Core::Error::invalid(u"to"_s, u"must not be before from"_s);
    const auto granularity
        = Domain::enumFromString<Core::PeriodGranularity>(args.value(u"granularity"_s).toString(u"month"_s))
              .value_or(Core::PeriodGranularity::Month);
    auto report = call.services->expansion().revenueExpansion(from, to, granularity);
    if (!report)
        return report.error();
    const Core::RevenueExpansionReport &r = *report;
    QJsonArray periods;
    for (const Core::ArrMovementTotals &t : r.periods)
        periods.append(movementTotalsJson(t));
    const auto changes = [](const QList<Core::CustomerArrChange> &list) {
        QJsonArray array;
        for (const Core::CustomerArrChange &c : list)
            array.append(QJsonObject { { u"customer_id"_s, c.customerId }, { u"customer_name"_s, c.customerName },
                { u"net_arr"_s, money(c.netArr) } });
        return array;
    };
    return QJsonObject {
        { u"has_data"_s, r.hasData },
        { u"note"_s, optText(r.reason) },
        { u"total"_s, movementTotalsJson(r.total) },
        { u"periods"_s, periods },
        { u"top_expanders"_s, changes(r.topExpanders) },
        { u"top_contractors"_s, changes(r.topContractors) },
        { u"open_opportunities"_s, r.openOpportunities },
        { u"open_estimated_arr"_s, money(r.openEstimatedArr) },
        { u"open_upsell"_s, r.openUpsell },
        { u"open_cross_sell"_s, r.openCrossSell },
        { u"open_expansion"_s, r.openExpansion },
        { u"won_in_period"_s, r.wonInPeriod },
        { u"won_arr_in_period"_s, money(r.wonArrInPeriod) },
        { u"lost_in_period"_s, r.lostInPeriod },
        { u"win_rate"_s, optNumber(r.winRate) },
    };
}

ToolResult optimizeLifetimeValue(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    Core::LifetimeValueQuery query;
    query.customerId = args.value(u"customer_id"_s).toString();
    if (args.contains(u"gross_margin"_s))
        query.grossMargin = args.value(u"gross_margin"_s).toDouble();
    auto ltv = call.services->expansion().lifetimeValue(query);
    if (!ltv)
        return ltv.error();
    const Core::LifetimeValue &l = *ltv;
    QJsonArray tiers;
    for (const Core::TierLifetimeValue &t : l.byTier) {
        tiers.append(QJsonObject {
            { u"tier"_s, Domain::enumName(t.tier) },
            { u"active_customers"_s, t.activeCustomers },
            { u"average_arr"_s, money(t.averageArr) },
            { u"annual_churn_rate"_s, optNumber(t.annualChurnRate) },
            { u"ltv"_s, optNumber(t.ltv, 2) },
            { u"note"_s, optText(t.reason) },
        });
    }
    return QJsonObject {
        { u"has_data"_s, l.hasData },
        { u"note"_s, optText(l.reason) },
        { u"formula"_s, l.formula },
        { u"customer_id"_s, optText(l.customerId) },
        { u"gross_margin"_s, optNumber(l.grossMargin) },
        { u"gross_margin_source"_s, optText(l.grossMarginSource) },
        { u"annual_churn_rate"_s, optNumber(l.annualChurnRate) },
        { u"expected_lifetime_years"_s, optNumber(l.expectedLifetimeYears, 2) },
        { u"active_customers"_s, l.activeCustomers },
        { u"arr"_s, money(l.arr) },
        { u"ltv"_s, optNumber(l.ltv, 2) },
        { u"churn_basis"_s, retentionJson(l.churnBasis) },
        { u"by_tier"_s, tiers },
    };
}

Tool makeTool(QString name, QString title, QString description, QJsonObject input, QJsonObject output,
    ToolAnnotations annotations, bool writes, bool longRunning, ToolHandler handler)
{
    return ToolSupport::makeTool(kToolset, std::move(name), std::move(title), std::move(description), std::move(input),
        std::move(output), annotations, writes, longRunning, std::move(handler));
}

QJsonObject summaryObject(std::initializer_list<Property> properties, const QStringList &required)
{
    return openObject(properties, required);
}

} // namespace

void registerExpansionTools(ToolRegistry &registry)
{
    const auto add = [&registry](Tool tool) { ToolSupport::addTool(registry, std::move(tool)); };
    const ToolAnnotations readOnly;

    add(makeTool(u"identify_upsell_opportunities"_s, u"Find upsell opportunities"_s,
        u"Finds customers ready to buy more seats (seat utilisation of their current contract at or above 90 %), "
        u"scored by signal strength, health and tenure, with the evidence and an ARR estimate. Accounts in the "
        u"red health band are not pitched to."_s,
        scanInput(false), scanOutput(), readOnly, false, true, scanHandler({ Domain::ExpansionKind::Upsell })));

    add(makeTool(u"identify_crosssell_opportunities"_s, u"Find cross-sell opportunities"_s,
        u"Finds premium features a customer does not use while at least a quarter of its active tier peers do "
        u"(last 90 days), scored and with the evidence. Use it to plan cross-sell conversations."_s,
        scanInput(false), scanOutput(), readOnly, false, true, scanHandler({ Domain::ExpansionKind::CrossSell })));

    add(makeTool(u"identify_expansion_opportunities"_s, u"Find expansion opportunities"_s,
        u"Finds upsell, cross-sell and new-team expansion candidates (active users growing 20 % or more) in one "
        u"ranked list; with record set, every candidate is recorded in the opportunity pipeline (never twice)."_s,
        scanInput(true), scanOutput(), { false, false, true, false }, true, true,
        scanHandler(
            { Domain::ExpansionKind::Upsell, Domain::ExpansionKind::CrossSell, Domain::ExpansionKind::Expansion })));

    add(makeTool(u"track_renewals"_s, u"Renewal pipeline"_s,
        u"Pages through the renewal pipeline by renewal date with stage, ARR, p(renew) and its source, forecast "
        u"ARR, health and checkpoint state. Filter by date range, stage, owner or customer."_s,
        object(withPaging({
            { u"from"_s, date(u"Renewals dated on or after this day."_s) },
            { u"to"_s, date(u"Renewals dated on or before this day."_s) },
            { u"open_only"_s, boolean(u"Only renewals without an outcome."_s, true) },
            { u"stage"_s, enumOf({}, Domain::enumValues<Domain::RenewalStage>()) },
            { u"owner"_s, string(u"The renewal's owner (or the customer's when the renewal has none)."_s, 1, 200) },
            { u"customer_id"_s, customerId() },
        })),
        listOutput(pipelineItemSchema(), { { u"note"_s, string({}) } }), readOnly, false, false, trackRenewals));

    const QJsonObject forecastSchema = summaryObject(
        {
            { u"has_data"_s, boolean({}) },
            { u"note"_s, nullable(string({})) },
            { u"open_renewals"_s, integer({}, 0) },
            { u"open_arr"_s, number({}, 0.0) },
            { u"forecast_arr"_s, number(u"Σ p(renew) × ARR over renewals with a known p."_s, 0.0) },
            { u"arr_without_probability"_s, number({}, 0.0) },
            { u"weighted_probability"_s, nullable(number({}, 0.0, 1.0)) },
            { u"largest_expected_losses"_s, arrayOf(pipelineItemSchema()) },
        },
        { u"has_data"_s, u"open_renewals"_s, u"open_arr"_s, u"forecast_arr"_s, u"arr_without_probability"_s });
    const QJsonObject atRiskSchema = summaryObject(
        {
            { u"has_data"_s, boolean({}) },
            { u"within_days"_s, integer({}, 0) },
            { u"arr_at_risk"_s, number(u"ARR of red-band accounts renewing within the window."_s, 0.0) },
            { u"share_of_window_arr"_s, nullable(number({}, 0.0, 1.0)) },
            { u"accounts"_s, arrayOf(anyObject({})) },
        },
        { u"has_data"_s, u"arr_at_risk"_s, u"accounts"_s });
    add(makeTool(u"forecast_renewals"_s, u"Renewal forecast"_s,
        u"Forecasts renewal revenue for a period (default the next 90 days): Σ p(renew) × ARR with ARR of unknown "
        u"p reported apart, ARR at risk (red accounts renewing soon), and GRR/NRR of the trailing year from "
        u"the ARR ledger."_s,
        object({
            { u"from"_s, date(u"First renewal date of the period (default today)."_s) },
            { u"to"_s, date(u"Last renewal date of the period (default from + 89 days)."_s) },
            { u"owner"_s, string({}, 1, 200) },
            { u"tier"_s, enumOf({}, Domain::enumValues<Domain::Tier>()) },
            { u"top_limit"_s, integer(u"How many of the largest expected losses to list."_s, 0, 100, 10) },
            { u"at_risk_within_days"_s, integer(u"ARR-at-risk window."_s, 1, 3650, 90) },
            { u"retention_from"_s, date(u"GRR/NRR period start (default a year before retention_to)."_s) },
            { u"retention_to"_s, date(u"GRR/NRR period end (default today)."_s) },
        }),
        summaryObject({ { u"forecast"_s, forecastSchema }, { u"arr_at_risk"_s, atRiskSchema },
                          { u"retention"_s, retentionSchema() } },
            { u"forecast"_s, u"arr_at_risk"_s, u"retention"_s }),
        readOnly, false, false, forecastRenewals));

    add(makeTool(u"negotiate_renewals"_s, u"Renewal brief"_s,
        u"Builds the negotiation brief for one renewal (by renewal_id, or the customer's next open renewal): "
        u"health and usage trend, seat use, support, NPS, open opportunities, contract and ARR history, and "
        u"the risks and strengths with their numbers."_s,
        object({
            { u"renewal_id"_s, integer({}, 1) },
            { u"customer_id"_s, customerId() },
        }),
        summaryObject(
            {
                { u"renewal"_s, pipelineItemSchema() },
                { u"customer_arr"_s, number({}, 0.0) },
                { u"health"_s, anyObject({}) },
                { u"usage"_s, anyObject({}) },
                { u"support"_s, anyObject({}) },
                { u"nps"_s, anyObject({}) },
                { u"open_opportunities"_s, arrayOf(anyObject({})) },
                { u"contracts"_s, arrayOf(anyObject({})) },
                { u"past_renewals"_s, arrayOf(anyObject({})) },
                { u"arr_movements"_s, arrayOf(anyObject({})) },
                { u"evidence"_s,
                    arrayOf(summaryObject({ { u"kind"_s, enumOf({}, { u"risk"_s, u"strength"_s }) },
                                              { u"key"_s, string({}) }, { u"text"_s, string({}) } },
                        { u"kind"_s, u"key"_s, u"text"_s })) },
            },
            { u"renewal"_s, u"health"_s, u"usage"_s, u"support"_s, u"nps"_s, u"evidence"_s }),
        readOnly, false, false, negotiateRenewals));

    add(makeTool(u"track_revenue_expansion"_s, u"ARR expansion tracking"_s,
        u"Shows ARR movements (new, expansion, reactivation, contraction, churn, net) per month, quarter or year "
        u"from the ARR ledger, the top expanding and contracting customers, and the opportunity pipeline with "
        u"its win rate. Default period: the trailing year."_s,
        object({
            { u"from"_s, date({}) },
            { u"to"_s, date({}) },
            { u"granularity"_s, enumOf({}, Domain::enumValues<Core::PeriodGranularity>(), u"month"_s) },
        }),
        summaryObject(
            {
                { u"has_data"_s, boolean({}) },
                { u"note"_s, nullable(string({})) },
                { u"total"_s, anyObject({}) },
                { u"periods"_s, arrayOf(anyObject({})) },
                { u"top_expanders"_s, arrayOf(anyObject({})) },
                { u"top_contractors"_s, arrayOf(anyObject({})) },
                { u"open_opportunities"_s, integer({}, 0) },
                { u"win_rate"_s, nullable(number({}, 0.0, 1.0)) },
            },
            { u"has_data"_s, u"total"_s, u"periods"_s, u"open_opportunities"_s, u"win_rate"_s }),
        readOnly, false, false, trackRevenueExpansion));

    add(makeTool(u"optimize_customer_lifetime_value"_s, u"Customer lifetime value"_s,
        u"Computes lifetime value = ARR × gross margin / annual churn rate, the churn rate being the portfolio's "
        u"own trailing-year gross ARR churn, for one customer or for the portfolio and each tier. No margin "
        u"configured or no history: no LTV, with the reason."_s,
        object({
            { u"customer_id"_s, customerId(u"One customer; omit for the portfolio and each tier."_s) },
            { u"gross_margin"_s,
                number(u"Gross margin as a fraction (0 < m ≤ 1); default the stored setting."_s, 0.01, 1.0) },
        }),
        summaryObject(
            {
                { u"has_data"_s, boolean({}) },
                { u"note"_s, nullable(string({})) },
                { u"formula"_s, string({}) },
                { u"gross_margin"_s, nullable(number({}, 0.0, 1.0)) },
                { u"annual_churn_rate"_s, nullable(number({}, 0.0)) },
                { u"arr"_s, number({}, 0.0) },
                { u"ltv"_s, nullable(number({}, 0.0)) },
                { u"churn_basis"_s, retentionSchema() },
                { u"by_tier"_s, arrayOf(anyObject({})) },
            },
            { u"has_data"_s, u"ltv"_s, u"annual_churn_rate"_s, u"gross_margin"_s, u"by_tier"_s }),
        readOnly, false, false, optimizeLifetimeValue));
}

} // namespace Mcp
