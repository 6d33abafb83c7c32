// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Engagement records (schema 0007): playbooks and campaigns with their enrolments, the CSM's tasks and notes,
// communications (templates, workflows, messages, newsletters), community, advocacy, executive reviews and
// escalations.
#pragma once

#include <optional>

#include <QDate>
#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QVariantList>
#include <QVariantMap>

#include "enumnames.h"
#include "error.h"
#include "record.h"

namespace Domain {

// ---- playbooks, campaigns, enrolments ------------------------------------------------------------------------

enum class PlaybookTrigger { HealthDrop, UsageDecline, Detractor, RenewalRisk, OverdueMilestone, Manual };
CS_ENUM_NAMES(PlaybookTrigger, { PlaybookTrigger::HealthDrop, "health_drop" },
    { PlaybookTrigger::UsageDecline, "usage_decline" }, { PlaybookTrigger::Detractor, "detractor" },
    { PlaybookTrigger::RenewalRisk, "renewal_risk" }, { PlaybookTrigger::OverdueMilestone, "overdue_milestone" },
    { PlaybookTrigger::Manual, "manual" });

enum class PlaybookStepKind { Task, Note, Email, Message, Wait };
CS_ENUM_NAMES(PlaybookStepKind, { PlaybookStepKind::Task, "task" }, { PlaybookStepKind::Note, "note" },
    { PlaybookStepKind::Email, "email" }, { PlaybookStepKind::Message, "message" }, { PlaybookStepKind::Wait, "wait" });

enum class CampaignStatus { Draft, Active, Paused, Completed };
CS_ENUM_NAMES(CampaignStatus, { CampaignStatus::Draft, "draft" }, { CampaignStatus::Active, "active" },
    { CampaignStatus::Paused, "paused" }, { CampaignStatus::Completed, "completed" });

enum class EnrolmentStatus { Active, Completed, Exited, Failed };
CS_ENUM_NAMES(EnrolmentStatus, { EnrolmentStatus::Active, "active" }, { EnrolmentStatus::Completed, "completed" },
    { EnrolmentStatus::Exited, "exited" }, { EnrolmentStatus::Failed, "failed" });

enum class StepRunStatus { Pending, Running, Succeeded, Failed, Skipped };
CS_ENUM_NAMES(StepRunStatus, { StepRunStatus::Pending, "pending" }, { StepRunStatus::Running, "running" },
    { StepRunStatus::Succeeded, "succeeded" }, { StepRunStatus::Failed, "failed" },
    { StepRunStatus::Skipped, "skipped" });

// A retention or adoption play: what triggers it and (in PlaybookStep) what it does.
struct Playbook
{
    qint64 id = 0;
    QString name; // unique (case-insensitive) among live playbooks
    QString description;
    PlaybookTrigger triggerKind = PlaybookTrigger::Manual;
    QVariantMap triggerConfig; // e.g. {"threshold": 40} for health_drop
    bool isActive = false;
    QString owner;
    RecordMeta meta;

    Core::Status validate() const;
};

// One step of a playbook, run in `position` order. `config` by kind: task {title, due_in_days},
// email {template_id}, wait {days}.
struct PlaybookStep
{
    qint64 id = 0;
    qint64 playbookId = 0;
    int position = 0;
    PlaybookStepKind kind = PlaybookStepKind::Task;
    QString name;
    QVariantMap config;
    RecordMeta meta;

    Core::Status validate() const;
};

// A playbook run over an audience (a segment or criteria) for a period.
struct Campaign
{
    qint64 id = 0;
    QString name;
    QString description;
    std::optional<qint64> playbookId;
    std::optional<qint64> segmentId;
    CampaignStatus status = CampaignStatus::Draft;
    QVariantMap audienceCriteria;
    QDate startsOn;
    QDate endsOn; // on or after startsOn
    QString owner;
    RecordMeta meta;

    Core::Status validate() const;
};

// A customer running through a playbook, directly or as part of a campaign (at least one of the two).
struct Enrolment
{
    qint64 id = 0;
    std::optional<qint64> playbookId;
    std::optional<qint64> campaignId;
    QString customerId;
    EnrolmentStatus status = EnrolmentStatus::Active;
    QDateTime enrolledAt; // required: set from the service's Clock
    QString enrolledBy;
    QVariantMap triggerContext; // what fired the trigger (score, drop, survey response ...)
    int currentStep = 0; // position of the next step to run
    QDateTime nextStepAt; // when it runs (waits)
    QDateTime completedAt;
    QString exitReason;
    RecordMeta meta; // versioned, never soft-deleted

    Core::Status validate() const;
};

// Execution log of one step of an enrolment. stepPosition is a snapshot: the step may be edited later.
struct EnrolmentStepRun
{
    qint64 id = 0;
    qint64 enrolmentId = 0;
    std::optional<qint64> stepId;
    int stepPosition = 0;
    StepRunStatus status = StepRunStatus::Pending;
    QDateTime scheduledFor;
    QDateTime ranAt;
    QVariantMap result;
    QString error;
    RecordMeta meta; // log row: no version, no soft delete

    Core::Status validate() const;
};

// ---- tasks and notes ----------------------------------------------------------------------------------------

enum class CsmTaskStatus { Open, Done, Cancelled };
CS_ENUM_NAMES(CsmTaskStatus, { CsmTaskStatus::Open, "open" }, { CsmTaskStatus::Done, "done" },
    { CsmTaskStatus::Cancelled, "cancelled" });

enum class CsmTaskPriority { Low, Medium, High, Urgent };
CS_ENUM_NAMES(CsmTaskPriority, { CsmTaskPriority::Low, "low" }, { CsmTaskPriority::Medium, "medium" },
    { CsmTaskPriority::High, "high" }, { CsmTaskPriority::Urgent, "urgent" });

enum class CsmTaskSource { Manual, Playbook, Monitor, Agent, Onboarding, Renewal, Support, Import };
CS_ENUM_NAMES(CsmTaskSource, { CsmTaskSource::Manual, "manual" }, { CsmTaskSource::Playbook, "playbook" },
    { CsmTaskSource::Monitor, "monitor" }, { CsmTaskSource::Agent, "agent" },
    { CsmTaskSource::Onboarding, "onboarding" }, { CsmTaskSource::Renewal, "renewal" },
    { CsmTaskSource::Support, "support" }, { CsmTaskSource::Import, "import" });

// An item on the CSM's own task list (table `tasks`; onboarding plans have their own OnboardingTask).
struct CsmTask
{
    qint64 id = 0;
    QString customerId; // optional: a task need not concern one customer
    QString title;
    QString description;
    QDate dueDate;
    CsmTaskStatus status = CsmTaskStatus::Open;
    CsmTaskPriority priority = CsmTaskPriority::Medium;
    QString owner;
    CsmTaskSource source = CsmTaskSource::Manual;
    QString sourceRef; // what created it, e.g. "alert:42", "enrolment:7"
    std::optional<qint64> enrolmentId;
    QDateTime completedAt; // required once done
    RecordMeta meta;

    Core::Status validate() const;
};

// Free text on a customer; searchable (Storage::searchNotes).
struct Note
{
    qint64 id = 0;
    QString customerId;
    QString body;
    QString author;
    bool isPinned = false;
    RecordMeta meta;

    Core::Status validate() const;
};

// ---- communications -----------------------------------------------------------------------------------------

enum class EmailBodyFormat { Text, Html };
CS_ENUM_NAMES(EmailBodyFormat, { EmailBodyFormat::Text, "text" }, { EmailBodyFormat::Html, "html" });

enum class CommunicationChannel { Email, InApp, Sms, Call, Meeting };
CS_ENUM_NAMES(CommunicationChannel, { CommunicationChannel::Email, "email" }, { CommunicationChannel::InApp, "in_app" },
    { CommunicationChannel::Sms, "sms" }, { CommunicationChannel::Call, "call" },
    { CommunicationChannel::Meeting, "meeting" });

enum class CommunicationDirection { Outbound, Inbound };
CS_ENUM_NAMES(CommunicationDirection, { CommunicationDirection::Outbound, "outbound" },
    { CommunicationDirection::Inbound, "inbound" });

enum class CommunicationStatus { Queued, Sent, Delivered, Opened, Clicked, Bounced, Failed };
CS_ENUM_NAMES(CommunicationStatus, { CommunicationStatus::Queued, "queued" }, { CommunicationStatus::Sent, "sent" },
    { CommunicationStatus::Delivered, "delivered" }, { CommunicationStatus::Opened, "opened" },
    { CommunicationStatus::Clicked, "clicked" }, { CommunicationStatus::Bounced, "bounced" },
    { CommunicationStatus::Failed, "failed" });

enum class NewsletterEditionStatus { Draft, Scheduled, Sent };
CS_ENUM_NAMES(NewsletterEditionStatus, { NewsletterEditionStatus::Draft, "draft" },
    { NewsletterEditionStatus::Scheduled, "scheduled" }, { NewsletterEditionStatus::Sent, "sent" });

// A reusable e-mail; `variables` names the placeholders ({{first_name}}) the body may use.
struct EmailTemplate
{
    qint64 id = 0;
    QString name;
    QString subject;
    QString body;
    EmailBodyFormat bodyFormat = EmailBodyFormat::Text;
    QStringList variables;
    RecordMeta meta;

    Core::Status validate() const;
};

// Trigger → actions automation (automate_communications). Each action is a JSON object.
struct CommunicationWorkflow
{
    qint64 id = 0;
    QString name;
    QString description;
    QVariantMap triggerConfig;
    QVariantList actions;
    bool isActive = false;
    QDateTime lastTriggeredAt;
    RecordMeta meta;

    Core::Status validate() const;
};

// One message to or from a customer. Outbound e-mail is delivered through the outbox (outboxIdempotencyKey);
// externalId is the vendor's message id (SendGrid sg_message_id), unique per channel.
struct Communication
{
    qint64 id = 0;
    QString customerId;
    std::optional<qint64> contactId;
    CommunicationChannel channel = CommunicationChannel::Email;
    CommunicationDirection direction = CommunicationDirection::Outbound;
    QString subject;
    QString body;
    std::optional<qint64> templateId;
    std::optional<qint64> workflowId;
    std::optional<qint64> enrolmentId;
    CommunicationStatus status = CommunicationStatus::Queued;
    QString externalId;
    QString outboxIdempotencyKey;
    QString sender;
    QString error;
    QDateTime sentAt;
    QDateTime lastEventAt;
    RecordMeta meta; // no version, no soft delete: delivery events update it in place

    Core::Status validate() const;
};

struct Newsletter
{
    qint64 id = 0;
    QString name;
    QString description;
    QVariantMap audience; // segment id or criteria
    QVariantMap schedule; // e.g. {"cadence": "monthly", "day": 1}
    std::optional<qint64> templateId;
    bool isActive = true;
    RecordMeta meta;

    Core::Status validate() const;
};

struct NewsletterEdition
{
    qint64 id = 0;
    qint64 newsletterId = 0;
    QString title;
    QVariantList sections;
    NewsletterEditionStatus status = NewsletterEditionStatus::Draft;
    QDateTime scheduledFor; // required once scheduled
    QDateTime sentAt; // required once sent
    int recipientCount = 0;
    RecordMeta meta;

    Core::Status validate() const;
};

// ---- community and advocacy ---------------------------------------------------------------------------------

enum class CommunityMemberStatus { Active, Inactive, Banned };
CS_ENUM_NAMES(CommunityMemberStatus, { CommunityMemberStatus::Active, "active" },
    { CommunityMemberStatus::Inactive, "inactive" }, { CommunityMemberStatus::Banned, "banned" });

enum class CommunityPostKind { Question, Idea, Discussion };
CS_ENUM_NAMES(CommunityPostKind, { CommunityPostKind::Question, "question" }, { CommunityPostKind::Idea, "idea" },
    { CommunityPostKind::Discussion, "discussion" });

enum class CommunityPostStatus { Open, Answered, Closed, Archived };
CS_ENUM_NAMES(CommunityPostStatus, { CommunityPostStatus::Open, "open" }, { CommunityPostStatus::Answered, "answered" },
    { CommunityPostStatus::Closed, "closed" }, { CommunityPostStatus::Archived, "archived" });

enum class AdvocateTier { Bronze, Silver, Gold, Platinum };
CS_ENUM_NAMES(AdvocateTier, { AdvocateTier::Bronze, "bronze" }, { AdvocateTier::Silver, "silver" },
    { AdvocateTier::Gold, "gold" }, { AdvocateTier::Platinum, "platinum" });

enum class AdvocateStatus { Candidate, Active, Inactive };
CS_ENUM_NAMES(AdvocateStatus, { AdvocateStatus::Candidate, "candidate" }, { AdvocateStatus::Active, "active" },
    { AdvocateStatus::Inactive, "inactive" });

enum class ContributionKind { ReferenceCall, CaseStudy, Review, Referral, Speaking, Community };
CS_ENUM_NAMES(ContributionKind, { ContributionKind::ReferenceCall, "reference_call" },
    { ContributionKind::CaseStudy, "case_study" }, { ContributionKind::Review, "review" },
    { ContributionKind::Referral, "referral" }, { ContributionKind::Speaking, "speaking" },
    { ContributionKind::Community, "community" });

struct CommunityMember
{
    qint64 id = 0;
    QString customerId;
    std::optional<qint64> contactId;
    QString handle; // unique (case-insensitive) among live members
    CommunityMemberStatus status = CommunityMemberStatus::Active;
    QDateTime joinedAt; // required
    int reputation = 0;
    RecordMeta meta;

    Core::Status validate() const;
};

struct CommunityPost
{
    qint64 id = 0;
    qint64 memberId = 0;
    QString title;
    QString body;
    CommunityPostKind kind = CommunityPostKind::Discussion;
    CommunityPostStatus status = CommunityPostStatus::Open;
    int views = 0;
    int replyCount = 0;
    int upvotes = 0;
    QDateTime postedAt; // required
    RecordMeta meta;

    Core::Status validate() const;
};

// A contact (or account) in the advocacy programme; a contact is an advocate at most once.
struct Advocate
{
    qint64 id = 0;
    QString customerId;
    std::optional<qint64> contactId;
    AdvocateTier tier = AdvocateTier::Bronze;
    int points = 0;
    AdvocateStatus status = AdvocateStatus::Active;
    QDate joinedOn;
    QString notes;
    RecordMeta meta;

    Core::Status validate() const;
};

struct AdvocacyContribution
{
    qint64 id = 0;
    qint64 advocateId = 0;
    ContributionKind kind = ContributionKind::ReferenceCall;
    int points = 0;
    QDate occurredOn; // required
    QString description;
    RecordMeta meta;

    Core::Status validate() const;
};

// ---- executive reviews and escalations ----------------------------------------------------------------------

enum class ExecutiveReviewStatus { Scheduled, Prepared, Completed, Cancelled };
CS_ENUM_NAMES(ExecutiveReviewStatus, { ExecutiveReviewStatus::Scheduled, "scheduled" },
    { ExecutiveReviewStatus::Prepared, "prepared" }, { ExecutiveReviewStatus::Completed, "completed" },
    { ExecutiveReviewStatus::Cancelled, "cancelled" });

enum class EscalationSeverity { Low, Medium, High, Critical };
CS_ENUM_NAMES(EscalationSeverity, { EscalationSeverity::Low, "low" }, { EscalationSeverity::Medium, "medium" },
    { EscalationSeverity::High, "high" }, { EscalationSeverity::Critical, "critical" });

enum class EscalationStatus { Open, Investigating, Resolved, Closed };
CS_ENUM_NAMES(EscalationStatus, { EscalationStatus::Open, "open" },
    { EscalationStatus::Investigating, "investigating" }, { EscalationStatus::Resolved, "resolved" },
    { EscalationStatus::Closed, "closed" });

// An executive business review (QBR/EBR): scheduled, prepared from data, completed with outcomes.
struct ExecutiveReview
{
    qint64 id = 0;
    QString customerId;
    QString title;
    QDateTime scheduledFor; // required
    ExecutiveReviewStatus status = ExecutiveReviewStatus::Scheduled;
    QString owner;
    QStringList attendees; // names or e-mail addresses
    QStringList agenda; // topics
    QVariantMap preparedBrief; // the data the review was prepared from
    QDateTime preparedAt; // required once prepared
    QString outcomes;
    QVariantList nextSteps; // items, e.g. {"action": ..., "owner": ..., "due": ...}
    QDateTime completedAt; // required once completed
    RecordMeta meta;

    Core::Status validate() const;
};

struct Escalation
{
    qint64 id = 0;
    QString customerId;
    std::optional<qint64> ticketId;
    EscalationSeverity severity = EscalationSeverity::Medium;
    EscalationStatus status = EscalationStatus::Open;
    QString reason;
    QString owner;
    QString resolution;
    QDateTime openedAt; // required
    QDateTime resolvedAt; // not before openedAt; required once resolved
    QDateTime closedAt; // not before openedAt; required once closed
    RecordMeta meta;

    Core::Status validate() const;
};

} // namespace Domain
