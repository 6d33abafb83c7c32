// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QList>
#include <QString>

#include "accounts.h"
#include "churnservice.h"
#include "customer.h"
#include "error.h"
#include "health.h"
#include "healthservice.h"
#include "onboardingservice.h"
#include "operations.h"
#include "renewalservice.h"
#include "support.h"

namespace Core {

class Services;

// Everything a CSM (or an agent) looks at first about one customer, composed from the services that own each
// part: the customer's detail view, the get_client_overview tool and the customer://{id} resource show this same
// value, so they never disagree. Nothing here is computed anew: health and churn risk are the latest *stored*
// score and prediction (what the window shows), never a fresh computation behind the caller's back.
struct CustomerOverview
{
    static constexpr int kContractsListed = 3;
    static constexpr int kOpenTicketsListed = 5;
    static constexpr int kMaxTimelineItems = 50;

    Domain::Customer customer;

    // Contracts, newest start first (at most kContractsListed); `currentContract` is the active one covering
    // today when there is one.
    QList<Domain::Contract> contracts;
    std::optional<Domain::Contract> currentContract;

    // The latest stored health score (components JSON with the effective weights), and the 7/30-day trend of the
    // stored daily scores. Empty: the customer was never scored.
    std::optional<Domain::HealthScore> health;
    HealthTrends healthTrend;

    // The latest stored churn prediction with its drivers; empty: never scored.
    std::optional<ChurnRisk> churnRisk;

    // Open tickets (new, open, pending, on hold): how many, and the newest few.
    qint64 openTickets = 0;
    QList<Domain::SupportTicket> recentOpenTickets;

    // The open onboarding plan, else the most recent one; empty: no plan. `onboardingPlans` counts every plan.
    std::optional<PlanSummary> onboarding;
    qint64 onboardingPlans = 0;

    // The earliest open renewal (which may be past its date and still open); empty: none on file.
    std::optional<RenewalPipelineItem> nextRenewal;

    // The newest timeline events and how many there are in all.
    QList<Domain::TimelineEvent> recentTimeline;
    qint64 timelineTotal = 0;
};

// The overview of one live customer. NotFound naming customer_id for an unknown or deleted one;
// `recentTimelineItems` 0..kMaxTimelineItems (InvalidArgument naming recent_timeline_items otherwise).
Result<CustomerOverview> customerOverview(Services &services, const QString &customerId, int recentTimelineItems = 10);

} // namespace Core
