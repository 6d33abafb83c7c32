// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "journey.h"

#include <algorithm>

#include <QHash>

#include "enumnames.h"
#include "services.h"

using namespace Qt::StringLiterals;

namespace Core {

Result<CustomerJourney> customerJourney(Services &services, const JourneyQuery &query)
{
    CustomerJourney j;
    j.to = query.to.isValid() ? query.to : services.clock().today();
    j.from = query.from.isValid() ? query.from : j.to.addDays(-364);
    if (j.from > j.to)
        return Error::invalid(u"from"_s, u"must not be after to"_s);
    auto customer = services.customers().get(query.customerId);
    if (!customer) {
        if (customer.error().code == ErrorCode::NotFound)
            return Error::notFound(u"customer_id"_s, customer.error().message);
        return customer.error();
    }
    j.customerId = customer->id;
    j.customerName = customer->name;

    auto lifecycle = services.engagement().lifecycle(j.customerId);
    if (!lifecycle)
        return lifecycle.error();
    j.stage = lifecycle->stage;
    j.stageSince = lifecycle->since;
    j.stageChanges = lifecycle->historyTotal;
    for (auto it = lifecycle->history.crbegin(); it != lifecycle->history.crend(); ++it)
        j.stageHistory << JourneyStageChange { it->fromStage, it->toStage, it->transitionedAt, it->reason, it->actor };

    // Touchpoints: every timeline event of the period, page by page.
    TimelineQuery tq;
    tq.customerId = j.customerId;
    tq.from = j.from;
    tq.to = j.to;
    tq.limit = 200;
    QHash<QString, int> groupIndex;
    for (;;) {
        auto page = services.timeline().timeline(tq);
        if (!page)
            return page.error();
        for (const Domain::TimelineEvent &e : page->items) {
            const QDateTime at = e.occurredAt.toUTC();
            const QString month = at.date().toString(u"yyyy-MM"_s);
            const QString key = month + u'/' + Domain::enumName(e.kind);
            auto found = groupIndex.constFind(key);
            if (found == groupIndex.constEnd()) {
                groupIndex.insert(key, int(j.touchpoints.size()));
                j.touchpoints << TouchpointGroup { month, e.kind, 1, at };
            } else {
                TouchpointGroup &g = j.touchpoints[*found];
                ++g.count;
                g.last = std::max(g.last, at);
            }
            ++j.touchpointTotal;
        }
        if (page->nextCursor.isEmpty())
            break;
        tq.cursor = page->nextCursor;
    }
    std::sort(j.touchpoints.begin(), j.touchpoints.end(), [](const TouchpointGroup &a, const TouchpointGroup &b) {
        if (a.month != b.month)
            return a.month > b.month;
        return Domain::enumName(a.kind) < Domain::enumName(b.kind);
    });

    auto adoption = services.engagement().milestones(j.customerId);
    if (!adoption)
        return adoption.error();
    j.adoptionMilestonesDefined = int(adoption->milestones.size());
    for (const CustomerMilestone &m : adoption->milestones)
        if (m.achieved)
            j.milestones << JourneyMilestone { u"adoption"_s, m.definition.key, m.definition.title, m.achievedAt };
    PlanQuery pq;
    pq.customerId = j.customerId;
    pq.limit = 200;
    auto plans = services.onboarding().plans(pq);
    if (!plans)
        return plans.error();
    for (const PlanSummary &summary : plans->items) {
        auto plan = services.onboarding().plan(summary.plan.id);
        if (!plan)
            return plan.error();
        for (const MilestoneDetail &m : plan->milestones)
            if (m.milestone.status == Domain::OnboardingStepStatus::Completed && m.milestone.completedAt.isValid())
                j.milestones << JourneyMilestone { u"onboarding"_s,
                    u"plan:%1:milestone:%2"_s.arg(summary.plan.id).arg(m.milestone.id), m.milestone.name,
                    m.milestone.completedAt };
    }
    std::stable_sort(j.milestones.begin(), j.milestones.end(),
        [](const JourneyMilestone &a, const JourneyMilestone &b) { return a.reachedAt < b.reachedAt; });

    FeedbackQuery fq;
    fq.from = j.from;
    fq.to = j.to;
    fq.scope.customerIds = { j.customerId };
    fq.granularity = TrendGranularity::Month;
    for (auto [kind, target] : { std::pair { Domain::SurveyKind::Nps, &j.nps },
             std::pair { Domain::SurveyKind::Csat, &j.csat }, std::pair { Domain::SurveyKind::Ces, &j.ces } }) {
        auto trend = services.feedback().satisfactionTrend(kind, fq);
        if (!trend)
            return trend.error();
        *target = *trend;
    }
    CustomerScope scope;
    scope.customerIds = { j.customerId };
    auto support = services.support().supportPerformance(j.from, j.to, scope);
    if (!support)
        return support.error();
    j.support = *support;
    auto health = services.health().trend(j.customerId, j.to);
    if (!health)
        return health.error();
    j.health = *health;
    return j;
}

} // namespace Core
