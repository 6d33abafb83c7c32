// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <memory>

#include "changefeed.h"
#include "churnservice.h"
#include "clock.h"
#include "communicationservice.h"
#include "csvimporter.h"
#include "customerservice.h"
#include "engagementservice.h"
#include "expansionservice.h"
#include "feedbackservice.h"
#include "healthservice.h"
#include "monitorservice.h"
#include "onboardingservice.h"
#include "playbookservice.h"
#include "renewalservice.h"
#include "searchservice.h"
#include "segmentservice.h"
#include "supportservice.h"
#include "timelineservice.h"

namespace Core {

// Every service of the CS engine, for one thread (DESIGN.md §2: the GUI thread, the MCP thread and each worker
// have their own; Qt Sql connections are per thread and Storage::Database hands each thread its own). Both faces
// use these very classes: a number a tool returns is the number the window shows. Cheap to build: services hold
// no state beyond their repositories. Given a ChangeFeed, every bundle reports its services' committed changes there
// (connectFeed()), so the window and the MCP server hear of a change whichever thread made it.
class Services final
{
    Q_DISABLE_COPY_MOVE(Services)

public:
    // `feed` (optional; must outlive the bundle): where the services' change signals go.
    Services(const Storage::Database &db, const Clock &clock, ChangeFeed *feed = nullptr)
        : m_db(db)
        , m_clock(clock)
        , m_timeline(db, clock)
        , m_customers(db)
        , m_health(db, clock)
        , m_churn(db, clock)
        , m_renewals(db, clock)
        , m_expansion(db, clock)
        , m_onboarding(db, clock)
        , m_feedback(db, clock)
        , m_support(db, clock)
        , m_engagement(db, clock, &m_timeline)
        , m_segments(db, clock)
        , m_playbooks(db, clock)
        , m_communication(db, clock)
        , m_monitors(db, clock)
        , m_search(db)
        , m_importer(db, clock)
        , m_feed(feed)
    {
        if (m_feed)
            connectFeed();
    }

    // First-run defaults, idempotent: creates only what is missing — the default onboarding templates when there
    // is no live template, health scoring config version 1, the default SLA policies, the seven monitors, and
    // (only when no playbook exists at all) three standard retention playbooks with their e-mail templates:
    // "Health drop rescue" (health_drop), "Detractor follow-up" (detractor), "Renewal risk save" (renewal_risk).
    // The composition roots call it after opening a database; a second call changes nothing.
    Status ensureDefaults();

    const Storage::Database &database() const { return m_db; }
    const Clock &clock() const { return m_clock; }
    // The feed this bundle reports to; null when it has none (tests that build a bundle alone).
    ChangeFeed *changeFeed() const { return m_feed; }

    TimelineService &timeline() { return m_timeline; }
    CustomerService &customers() { return m_customers; }
    HealthService &health() { return m_health; }
    ChurnService &churn() { return m_churn; }
    RenewalService &renewals() { return m_renewals; }
    ExpansionService &expansion() { return m_expansion; }
    OnboardingService &onboarding() { return m_onboarding; }
    FeedbackService &feedback() { return m_feedback; }
    SupportService &support() { return m_support; }
    EngagementService &engagement() { return m_engagement; }
    SegmentService &segments() { return m_segments; }
    PlaybookService &playbooks() { return m_playbooks; }
    CommunicationService &communication() { return m_communication; }
    MonitorService &monitors() { return m_monitors; }
    SearchService &search() { return m_search; }
    CsvImporter &importer() { return m_importer; }

private:
    Status createStandardPlaybooks();
    void connectFeed();

    const Storage::Database &m_db;
    const Clock &m_clock;
    TimelineService m_timeline;
    CustomerService m_customers;
    HealthService m_health;
    ChurnService m_churn;
    RenewalService m_renewals;
    ExpansionService m_expansion;
    OnboardingService m_onboarding;
    FeedbackService m_feedback;
    SupportService m_support;
    EngagementService m_engagement;
    SegmentService m_segments;
    PlaybookService m_playbooks;
    CommunicationService m_communication;
    MonitorService m_monitors;
    SearchService m_search;
    CsvImporter m_importer;
    ChangeFeed *m_feed = nullptr;
};

} // namespace Core
