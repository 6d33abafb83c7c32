// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QDate>
#include <QDateTime>
#include <QList>
#include <QString>

#include "error.h"
#include "feedbackservice.h"
#include "health.h"
#include "healthservice.h"
#include "operations.h"
#include "supportservice.h"

namespace Core {

class Services;

// One customer's journey (map_customer_journey), assembled from what the services already answer — no SQL of its
// own, so every figure is the one the window and the other tools show:
//   stage        EngagementService::lifecycle: the current stage, since when, and the stored transitions (oldest
//                first; at most the 100 newest)
//   touchpoints  TimelineService: every event dated from … to, counted by kind and calendar month (UTC), with the
//                newest occurrence of each group; groups newest month first, then by kind name
//   milestones   EngagementService::milestones (adoption milestones achieved, with when) and the milestones of the
//                customer's onboarding plans completed (OnboardingService), oldest first
//   experience   FeedbackService::satisfactionTrend for NPS, CSAT and CES over from … to (monthly points),
//                SupportService::supportPerformance for the customer's tickets opened in from … to,
//                HealthService::trend as of `to` (7 and 30 days)
struct JourneyQuery
{
    QString customerId; // required
    QDate from; // invalid: 364 days before `to`
    QDate to; // invalid: the clock's day
};

struct JourneyStageChange
{
    std::optional<Domain::LifecycleStage> from;
    Domain::LifecycleStage to = Domain::LifecycleStage::Onboarding;
    QDateTime at;
    QString reason;
    QString actor;
};

struct TouchpointGroup
{
    QString month; // "yyyy-MM"
    Domain::TimelineEventKind kind = Domain::TimelineEventKind::Other;
    int count = 0;
    QDateTime last;
};

struct JourneyMilestone
{
    QString source; // "adoption" or "onboarding"
    QString key; // adoption: the definition key; onboarding: "plan:<id>:milestone:<id>"
    QString title;
    QDateTime reachedAt;
};

struct CustomerJourney
{
    QString customerId;
    QString customerName;
    QDate from;
    QDate to;
    Domain::LifecycleStage stage = Domain::LifecycleStage::Onboarding;
    QDateTime stageSince; // invalid when no transition is stored
    QList<JourneyStageChange> stageHistory; // oldest first
    qint64 stageChanges = 0; // all stored transitions
    QList<TouchpointGroup> touchpoints;
    int touchpointTotal = 0;
    QList<JourneyMilestone> milestones; // oldest first
    int adoptionMilestonesDefined = 0;
    SatisfactionTrend nps;
    SatisfactionTrend csat;
    SatisfactionTrend ces;
    SupportPerformance support;
    HealthTrends health;
};

// InvalidArgument naming from when from > to (checked first); NotFound naming customer_id for an unknown customer.
Result<CustomerJourney> customerJourney(Services &services, const JourneyQuery &query);

} // namespace Core
