// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "services.h"

#include "sql.h"
#include "transaction.h"

namespace Core {

using namespace Qt::StringLiterals;

namespace {

// Whether `table` has any row at all, soft-deleted ones included: defaults are created on a first run only, so a
// CSM who removed them does not get them back at the next start.
Result<bool> hasAnyRow(const Storage::Database &db, const QString &table)
{
    auto q = Storage::exec(db, u"SELECT 1 FROM "_s + table + u" LIMIT 1"_s);
    if (!q)
        return q.error();
    return q->next();
}

struct StepDef
{
    Domain::PlaybookStepKind kind;
    QString name;
    QVariantMap config;
};

struct PlaybookDef
{
    QString name;
    QString description;
    Domain::PlaybookTrigger trigger;
    QString emailName;
    QString emailSubject;
    QString emailBody;
    QList<StepDef> steps; // an Email step's template_id is filled in with the template created for it
};

QList<PlaybookDef> standardPlaybooks()
{
    using Kind = Domain::PlaybookStepKind;
    return {
        { u"Health drop rescue"_s,
            u"A customer's health fell sharply or turned red: find out why and agree a recovery plan."_s,
            Domain::PlaybookTrigger::HealthDrop, u"Health drop check-in"_s, u"Checking in on {{customer.name}}"_s,
            u"Hi {{contact.first_name}},\n\nWe noticed that things have been quieter at {{customer.name}} lately and "
            "would like to make sure you get full value from the product. Could we find 30 minutes this week to "
            "look at your goals together?\n\nBest regards"_s,
            {
                { Kind::Task, u"Review the health drop"_s,
                    { { u"title"_s, u"Review the health drop of {{customer.name}}"_s },
                        { u"description"_s, u"Look at usage, tickets and feedback behind the drop."_s },
                        { u"due_in_days"_s, 1 }, { u"priority"_s, u"high"_s } } },
                { Kind::Email, u"Check-in e-mail"_s, {} },
                { Kind::Wait, u"Wait for an answer"_s, { { u"days"_s, 5 } } },
                { Kind::Task, u"Agree a recovery plan"_s,
                    { { u"title"_s, u"Agree a recovery plan with {{customer.name}}"_s }, { u"due_in_days"_s, 3 },
                        { u"priority"_s, u"high"_s } } },
            } },
        { u"Detractor follow-up"_s, u"A contact answered the NPS survey as a detractor: close the loop quickly."_s,
            Domain::PlaybookTrigger::Detractor, u"Detractor follow-up"_s, u"Thank you for your feedback"_s,
            u"Hi {{contact.first_name}},\n\nThank you for telling us how we are doing. We take your score seriously "
            "and would like to understand what we can do better for {{customer.name}}. Would you have 20 minutes "
            "for a call?\n\nBest regards"_s,
            {
                { Kind::Email, u"Thank-you e-mail"_s, {} },
                { Kind::Task, u"Call the detractor"_s,
                    { { u"title"_s, u"Call the detractor at {{customer.name}}"_s },
                        { u"description"_s, u"Understand the score, agree next steps and log them."_s },
                        { u"due_in_days"_s, 2 }, { u"priority"_s, u"high"_s } } },
            } },
        { u"Renewal risk save"_s, u"A renewal is near and the account is at risk: build and run a save plan."_s,
            Domain::PlaybookTrigger::RenewalRisk, u"Renewal review invitation"_s,
            u"Planning the year ahead with {{customer.name}}"_s,
            u"Hi {{contact.first_name}},\n\nYour renewal is coming up on {{customer.renewal_date}}. Before then we "
            "would like to review what {{customer.name}} has achieved and plan the year ahead together. When would "
            "suit you?\n\nBest regards"_s,
            {
                { Kind::Task, u"Prepare a save plan"_s,
                    { { u"title"_s, u"Prepare a save plan for {{customer.name}}"_s },
                        { u"description"_s, u"Risks, value delivered, executive sponsor, offer."_s },
                        { u"due_in_days"_s, 2 }, { u"priority"_s, u"urgent"_s } } },
                { Kind::Email, u"Renewal review invitation"_s, {} },
                { Kind::Wait, u"Wait for an answer"_s, { { u"days"_s, 7 } } },
                { Kind::Task, u"Hold the renewal review"_s,
                    { { u"title"_s, u"Hold the renewal review with {{customer.name}}"_s }, { u"due_in_days"_s, 5 },
                        { u"priority"_s, u"high"_s } } },
            } },
    };
}

} // namespace

Status Services::ensureDefaults()
{
    // One transaction: a first run that fails half-way leaves nothing behind, so the next start tries again.
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto templates = hasAnyRow(m_db, u"onboarding_templates"_s);
    if (!templates)
        return templates.error();
    if (!*templates) {
        if (auto created = m_onboarding.createDefaultTemplates(); !created)
            return created.error();
    }
    // activeConfig() creates version 1 when there is none.
    if (auto config = m_health.activeConfig(); !config)
        return config.error();
    if (auto sla = m_support.ensureDefaultSlaPolicies(); !sla)
        return sla.error();
    if (auto monitors = m_monitors.ensureDefaultMonitors(); !monitors)
        return monitors.error();

    auto playbooks = hasAnyRow(m_db, u"playbooks"_s);
    if (!playbooks)
        return playbooks.error();
    if (!*playbooks) {
        if (auto created = createStandardPlaybooks(); !created)
            return created;
    }
    return tx.commit();
}

Status Services::createStandardPlaybooks()
{
    for (const PlaybookDef &def : standardPlaybooks()) {
        Domain::EmailTemplate email;
        email.name = def.emailName;
        email.subject = def.emailSubject;
        email.body = def.emailBody;
        auto storedEmail = m_communication.createTemplate(email);
        if (!storedEmail)
            return storedEmail.error();
        Domain::Playbook playbook;
        playbook.name = def.name;
        playbook.description = def.description;
        playbook.triggerKind = def.trigger;
        playbook.isActive = true;
        QList<Domain::PlaybookStep> steps;
        int position = 1;
        for (const StepDef &s : def.steps) {
            Domain::PlaybookStep step;
            step.position = position++;
            step.kind = s.kind;
            step.name = s.name;
            step.config = s.config;
            if (s.kind == Domain::PlaybookStepKind::Email)
                step.config.insert(u"template_id"_s, storedEmail->id);
            steps << step;
        }
        if (auto created = m_playbooks.createPlaybook(playbook, steps); !created)
            return created.error();
    }
    return {};
}

// Every change signal of the bundle, to the feed: called on the bundle's thread, right where the service emits (after
// its commit). Direct: publish() is thread-safe and only queues.
void Services::connectFeed()
{
    using T = ChangeTopic;
    ChangeFeed *feed = m_feed;
    const auto on = [](auto *service, auto signal, auto publish) {
        QObject::connect(service, signal, service, publish, Qt::DirectConnection);
    };
    const auto customer = [feed](T topic) { return [feed, topic](const QString &id) { feed->publish(topic, id); }; };
    const auto record = [feed](T topic) { return [feed, topic](qint64 id) { feed->publish(topic, {}, id); }; };
    const auto recordOf = [feed](T topic) {
        return [feed, topic](qint64 id, const QString &customerId) { feed->publish(topic, customerId, id); };
    };
    const auto ofRecord = [feed](T topic) {
        return [feed, topic](const QString &customerId, qint64 id) { feed->publish(topic, customerId, id); };
    };
    const auto topicOnly = [feed](T topic) { return [feed, topic] { feed->publish(topic); }; };
    const auto wide = [feed](T topic) { return [feed, topic] { feed->publish(topic, {}, 0, true); }; };

    on(&m_timeline, &TimelineService::timelineChanged, customer(T::Timeline));

    on(&m_customers, &CustomerService::customerAdded, customer(T::CustomerAdded));
    on(&m_customers, &CustomerService::customerChanged, customer(T::CustomerChanged));
    on(&m_customers, &CustomerService::customerRemoved, customer(T::CustomerRemoved));

    // A whole-portfolio recompute (a customer-scoped one emits customerScoreChanged per customer).
    on(&m_health, &HealthService::scoresRecomputed, wide(T::HealthScore));
    on(&m_health, &HealthService::customerScoreChanged, customer(T::HealthScore));
    on(&m_health, &HealthService::scoringConfigChanged,
        [feed](int version) { feed->publish(T::ScoringConfig, {}, version); });

    on(&m_churn, &ChurnService::modelChanged, [feed](int version) { feed->publish(T::ChurnModel, {}, version); });
    on(&m_churn, &ChurnService::portfolioScored, wide(T::ChurnRisk));
    on(&m_churn, &ChurnService::customerRiskChanged, customer(T::ChurnRisk));

    on(&m_renewals, &RenewalService::renewalChanged, recordOf(T::Renewal));
    on(&m_renewals, &RenewalService::customerArrChanged, customer(T::Arr));

    on(&m_expansion, &ExpansionService::opportunityChanged, recordOf(T::Expansion));
    on(&m_expansion, &ExpansionService::opportunitiesIdentified, wide(T::Expansion));
    on(&m_expansion, &ExpansionService::customerArrChanged, customer(T::Arr));

    on(&m_onboarding, &OnboardingService::templatesChanged, topicOnly(T::Onboarding));
    on(&m_onboarding, &OnboardingService::planChanged, recordOf(T::Onboarding));
    on(&m_onboarding, &OnboardingService::trainingSessionChanged, recordOf(T::Onboarding));
    on(&m_onboarding, &OnboardingService::certificationChanged,
        [feed](qint64 certificationId, qint64) { feed->publish(T::Onboarding, {}, certificationId); });
    on(&m_onboarding, &OnboardingService::certificationsExpired, wide(T::Onboarding));

    on(&m_feedback, &FeedbackService::surveyChanged, record(T::Feedback));
    on(&m_feedback, &FeedbackService::responseRecorded, ofRecord(T::Feedback));
    on(&m_feedback, &FeedbackService::followUpChanged, ofRecord(T::Feedback));
    on(&m_feedback, &FeedbackService::themeRulesChanged, topicOnly(T::Feedback));
    on(&m_feedback, &FeedbackService::productInsightsChanged, topicOnly(T::Feedback));
    on(&m_feedback, &FeedbackService::vocReportGenerated, record(T::Feedback));

    on(&m_support, &SupportService::ticketCreated, ofRecord(T::SupportTicket));
    on(&m_support, &SupportService::ticketChanged, ofRecord(T::SupportTicket));
    on(&m_support, &SupportService::escalationChanged, ofRecord(T::SupportTicket));
    on(&m_support, &SupportService::slaPoliciesChanged, topicOnly(T::SupportSettings));
    on(&m_support, &SupportService::routingRulesChanged, topicOnly(T::SupportSettings));
    on(&m_support, &SupportService::knowledgeBaseChanged, record(T::SupportSettings));
    on(&m_support, &SupportService::portalSettingsChanged, customer(T::SupportSettings));

    on(&m_engagement, &EngagementService::customerChanged, customer(T::Engagement));
    on(&m_engagement, &EngagementService::lifecycleChanged,
        [feed](const QString &customerId, Domain::LifecycleStage, Domain::LifecycleStage) {
            feed->publish(T::Lifecycle, customerId);
        });
    on(&m_engagement, &EngagementService::milestonesRecorded, wide(T::Engagement));
    on(&m_engagement, &EngagementService::dailyUsageRebuilt, wide(T::Engagement));

    on(&m_segments, &SegmentService::segmentAdded, record(T::Segment));
    on(&m_segments, &SegmentService::segmentChanged, record(T::Segment));
    on(&m_segments, &SegmentService::segmentRemoved, record(T::Segment));
    on(&m_segments, &SegmentService::membersChanged, record(T::Segment));

    on(&m_playbooks, &PlaybookService::playbookAdded, record(T::Playbook));
    on(&m_playbooks, &PlaybookService::playbookChanged, record(T::Playbook));
    on(&m_playbooks, &PlaybookService::playbookRemoved, record(T::Playbook));
    on(&m_playbooks, &PlaybookService::campaignChanged, record(T::Campaign));
    on(&m_playbooks, &PlaybookService::enrolmentChanged, recordOf(T::Campaign));
    on(&m_playbooks, &PlaybookService::customerActivity, customer(T::Playbook));

    on(&m_communication, &CommunicationService::templatesChanged, topicOnly(T::Communication));
    on(&m_communication, &CommunicationService::communicationQueued, ofRecord(T::Communication));
    on(&m_communication, &CommunicationService::workflowsChanged, topicOnly(T::Communication));
    on(&m_communication, &CommunicationService::newslettersChanged, topicOnly(T::Communication));
    on(&m_communication, &CommunicationService::communityChanged, topicOnly(T::Communication));
    on(&m_communication, &CommunicationService::advocacyChanged, record(T::Communication));
    on(&m_communication, &CommunicationService::reviewChanged, recordOf(T::Communication));
    on(&m_communication, &CommunicationService::customerActivity, customer(T::Communication));

    on(&m_monitors, &MonitorService::alertRaised, record(T::Alert));
    on(&m_monitors, &MonitorService::alertChanged, record(T::Alert));
    on(&m_monitors, &MonitorService::monitorChanged, [feed](const QString &) { feed->publish(T::Monitor); });
    on(&m_monitors, &MonitorService::monitorRunFinished,
        [feed](const QString &, qint64 runId) { feed->publish(T::Monitor, {}, runId); });

    // The import kind as the record: observers tell a customer import (rows added) from the others.
    on(&m_importer, &CsvImporter::recordsImported,
        [feed](ImportKind kind, qint64, qint64) { feed->publish(T::Import, {}, qint64(kind), true); });
}

} // namespace Core
