// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "customeroverview.h"

#include "services.h"

using namespace Qt::StringLiterals;

namespace Core {

namespace {

bool coversToday(const Domain::Contract &contract, const QDate &today)
{
    return contract.status == Domain::ContractStatus::Active && contract.startDate <= today
        && (!contract.endDate.isValid() || contract.endDate >= today);
}

} // namespace

Result<CustomerOverview> customerOverview(Services &services, const QString &customerId, int recentTimelineItems)
{
    if (recentTimelineItems < 0 || recentTimelineItems > CustomerOverview::kMaxTimelineItems)
        return Error::invalid(
            u"recent_timeline_items"_s, u"must be between 0 and %1"_s.arg(CustomerOverview::kMaxTimelineItems));

    CustomerOverview out;
    auto customer = services.customers().get(customerId);
    if (!customer) {
        if (customer.error().code == ErrorCode::NotFound)
            return Error::notFound(u"customer_id"_s, u"no customer with id \"%1\""_s.arg(customerId));
        return customer.error();
    }
    out.customer = *customer;
    const QDate today = services.clock().today();

    auto contracts = services.customers().contracts(customerId, 200);
    if (!contracts)
        return contracts.error();
    for (const Domain::Contract &c : *contracts) {
        if (!out.currentContract && coversToday(c, today))
            out.currentContract = c;
        if (out.contracts.size() < CustomerOverview::kContractsListed)
            out.contracts << c;
    }

    auto health = services.health().latestScore(customerId);
    if (!health)
        return health.error();
    out.health = *health;
    auto trend = services.health().trend(customerId);
    if (!trend)
        return trend.error();
    out.healthTrend = *trend;

    auto risk = services.churn().latestRisk(customerId);
    if (!risk)
        return risk.error();
    out.churnRisk = *risk;

    Storage::ListQuery tickets;
    tickets.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, customerId }
                    << Storage::Filter { u"status"_s, Storage::Filter::Op::In,
                           QVariantList { u"new"_s, u"open"_s, u"pending"_s, u"on_hold"_s } };
    tickets.orderBy = u"opened_at"_s;
    tickets.descending = true;
    tickets.limit = CustomerOverview::kOpenTicketsListed;
    auto ticketPage = services.support().listTickets(tickets);
    if (!ticketPage)
        return ticketPage.error();
    out.recentOpenTickets = ticketPage->items;
    out.openTickets = ticketPage->total < 0 ? ticketPage->items.size() : ticketPage->total;

    PlanQuery open;
    open.customerId = customerId;
    open.openOnly = true;
    open.limit = 1;
    auto openPlans = services.onboarding().plans(open);
    if (!openPlans)
        return openPlans.error();
    PlanQuery all;
    all.customerId = customerId;
    all.limit = 200;
    auto allPlans = services.onboarding().plans(all);
    if (!allPlans)
        return allPlans.error();
    out.onboardingPlans = allPlans->total < 0 ? allPlans->items.size() : allPlans->total;
    if (!openPlans->items.isEmpty())
        out.onboarding = openPlans->items.constFirst();
    else if (!allPlans->items.isEmpty())
        out.onboarding = allPlans->items.constLast(); // by plan id: the last one is the most recent

    RenewalPipelineQuery renewals;
    renewals.customerId = customerId;
    renewals.openOnly = true;
    renewals.limit = 1;
    auto pipeline = services.renewals().pipeline(renewals);
    if (!pipeline)
        return pipeline.error();
    if (!pipeline->items.isEmpty())
        out.nextRenewal = pipeline->items.constFirst();

    TimelineQuery timeline;
    timeline.customerId = customerId;
    timeline.limit = qMax(1, recentTimelineItems);
    auto events = services.timeline().timeline(timeline);
    if (!events)
        return events.error();
    if (recentTimelineItems > 0)
        out.recentTimeline = events->items;
    out.timelineTotal = events->total;
    return out;
}

} // namespace Core
