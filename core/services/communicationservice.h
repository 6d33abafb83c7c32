// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QDate>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantList>
#include <QVariantMap>

#include "accounts.h"
#include "clock.h"
#include "database.h"
#include "engagement.h"
#include "error.h"
#include "listquery.h"
#include "operations.h"

namespace Core {

// ============================================================================================================
// Communications: personalised e-mail through the outbox, trigger → action workflows, newsletters, community,
// advocacy and executive reviews (tools send_personalized_email, automate_communications, automate_newsletters,
// manage_community, manage_advocacy_program, conduct_executive_review)
// ============================================================================================================
//
// ---- Outbox (DESIGN.md §6) -----------------------------------------------------------------------------------
// Nothing here talks to a vendor. An outgoing message is a communications row (status queued) plus an outbox row
// (status pending) written in the caller's transaction, together with a timeline event (kind email). The outbox
// row's idempotency_key is derived deterministically from what caused the message (an enrolment step, a workflow
// firing, a newsletter edition and contact, or a send request), so a retry finds the existing row and queues
// nothing twice. Delivery, and the statuses after queued, belong to the outbox worker (a later integration).
//   e-mail:  outbox kind email, target sendgrid, payload {to, to_name, subject, body, body_format, template_id,
//            customer_id, contact_id, communication_id}
//   message: outbox kind event, target intercom, payload {operation "message", message_type "inapp", to (the
//            contact's e-mail, how Intercom finds the user), subject, body, customer_id, contact_id,
//            communication_id}
// Recipients are live contacts of the customer with an e-mail address; the customer must be live.
//
// ---- Personalisation -----------------------------------------------------------------------------------------
// Placeholders are {{name}} (spaces inside the braces allowed). Built in, per recipient:
//   customer.id  customer.name  customer.company  customer.industry  customer.tier  customer.renewal_date
//   customer.arr (whole units, no separators)  contact.name  contact.first_name (first word of the name)
//   contact.last_name (the rest)  contact.email  contact.title  csm.name (the customer's owner)
// plus the caller's own `variables` (plain names, no dots). An unknown placeholder, or a known one without a
// value for this recipient (e.g. csm.name for a customer without an owner), is an error naming the placeholder;
// nothing is queued with a placeholder left in it.
//
// ---- Outreach actions (shared by playbook steps and workflow actions) ---------------------------------------
//   task    {title, description, due_in_days 0..365 (default 3), priority, owner}
//   note    {body, pinned}
//   email   {template_id, recipient_role}
//   message {body, subject, recipient_role}
// recipient_role: a contact role (champion, executive_sponsor, …); the recipient is the first live contact with
// that role and an e-mail address (primary first, then lowest id). Without recipient_role: the primary contact
// if it has an address, else none (the action fails: we never guess a recipient).
//
// ---- Workflows (automate_communications) ---------------------------------------------------------------------
// trigger_config = {"signal": health_drop | usage_decline | detractor | renewal_risk | overdue_milestone, the
// signal's thresholds (playbookservice.h, RiskSignals), "cooldown_days" 30 (1..365)}; actions = a list of 1..10
// objects {"type": send_email | send_message | create_task | add_note, ...the action's config}. runWorkflows()
// evaluates each active workflow's signal and performs its actions for every matching customer that this
// workflow has not fired for within cooldown_days (a timeline event with source communication_workflows/<id>
// records each firing). Outbox keys: "workflow:<id>:<customer>:<action index>:<D>".
//
// ---- Newsletters --------------------------------------------------------------------------------------------
// audience = {} (every live, not churned customer) | {"segment_id": N} | {"criteria": {...segment criteria}},
// optionally with "contact_roles": [...] (else every contact); recipients = live contacts with an e-mail address
// of the audience's customers. schedule = {"cadence": none | weekly | monthly | quarterly, "day": weekday 1..7
// for weekly, day of month 1..28 otherwise}. Sections: 1..50 objects {heading (≤ 200), body (required)}.
// The e-mail of an edition: subject = title, body = the sections ("heading\n\nbody", separated by blank lines) —
// or, with a template, the template's subject and body where {{edition.title}} and {{edition.content}} stand for
// those. Sending queues one message per recipient (key "newsletter_edition:<id>:contact:<contact id>") and marks
// the edition sent (sent = handed to the outbox); recipient_count = messages queued for it.
//
// ---- Advocacy (AdvocacyRules) -------------------------------------------------------------------------------
// Points per contribution by kind: reference_call 50, case_study 100, review 30, referral 75, speaking 80,
// community 10. An advocate's points = Σ points of its live contributions (recomputed on every change, never
// incremented blindly); tier = platinum ≥ 500, gold ≥ 250, silver ≥ 100, else bronze.
//
// ---- Executive reviews --------------------------------------------------------------------------------------
// prepare() assembles a brief from stored data as of D (the clock's day), each part with hasData/reason:
//   health     latest health score dated D−30 … D (day S); change against the latest score dated S−60 … S−30
//   usage      usage_daily (feature ''), D−29 … D: events, active days, mean daily active users; events change
//              against D−59 … D−30 ((now − before) / before, empty when before = 0)
//   support    tickets opened D−89 … D, those still open now, those breached (a due time passed before the
//              response/resolution, or passed unanswered by now), mean ticket CSAT of the period
//   nps        NPS answers D−179 … D: NPS = % promoters (9–10) − % detractors (0–6) (DESIGN.md §4), latest answer
//   renewal    the next open renewal (stage upcoming/in_progress/committed, renewal_date ≥ D), else the
//              customer's renewal_date
//   expansion  open opportunities (identified/qualified/proposed) with their estimated ARR; won in D−364 … D
//   churn      the latest churn prediction (probability, risk level, when)
// The brief is stored in executive_reviews.prepared_brief and the review becomes prepared.

namespace Personalisation {
using Values = QHash<QString, QString>;
QStringList builtInPlaceholders();
// Placeholder names in `text`, in order of first appearance, without duplicates.
QStringList placeholdersIn(const QString &text);
// Replaces every placeholder with its value; `field` names what is rendered (e.g. "body") in errors.
Result<QString> render(const QString &text, const Values &values, const QString &field);
// Checks caller variables: plain names (letters, digits, _), not a built-in, values text or numbers.
Result<Values> customVariables(const QVariantMap &variables, const QString &field = QStringLiteral("variables"));
} // namespace Personalisation

// A recipient resolved from the database, with the built-in placeholder values.
struct Recipient
{
    QString customerId;
    QString customerName;
    qint64 contactId = 0;
    QString contactName;
    QString email;
    Personalisation::Values values;
};

struct QueuedMessage
{
    Domain::Communication communication;
    Domain::OutboxMessage outbox;
    bool alreadyQueued = false; // the idempotency key was already in the outbox: nothing new was written
};

// One task, note, e-mail or in-app message for one customer (a playbook step or a workflow action).
struct OutreachRequest
{
    QString customerId;
    Domain::PlaybookStepKind kind = Domain::PlaybookStepKind::Task; // task, note, email or message
    QVariantMap config; // validated by Outreach::validate
    QString idempotencyKey; // for e-mail and message (required there)
    Domain::CsmTaskSource taskSource = Domain::CsmTaskSource::Playbook;
    QString sourceRef; // tasks.source_ref, e.g. "enrolment:7"
    std::optional<qint64> enrolmentId;
    std::optional<qint64> workflowId;
    QString actor; // author of notes, sender of messages, actor of timeline events
    Personalisation::Values extraValues; // more placeholder values (e.g. playbook.name)
};

struct OutreachResult
{
    Domain::PlaybookStepKind kind = Domain::PlaybookStepKind::Task;
    std::optional<Domain::CsmTask> task;
    std::optional<Domain::Note> note;
    std::optional<QueuedMessage> message;
    QVariantMap summary; // what was written (ids, title/subject), for enrolment_step_runs.result
};

namespace Outreach {
// Validates an action's config by kind (wait is not an outreach action); errors name "<prefix>.<key>".
Status validate(
    Domain::PlaybookStepKind kind, const QVariantMap &config, const QString &prefix = QStringLiteral("config"));
// Writes the rows on the calling thread's connection, inside the caller's transaction.
Result<OutreachResult> perform(const Storage::Database &db, const QDateTime &now, const OutreachRequest &request);
// The recipient for a customer: `contactId` when given, else by `role`, else the primary contact.
Result<Recipient> recipient(const Storage::Database &db, const QString &customerId,
    std::optional<qint64> contactId = {}, std::optional<Domain::ContactRole> role = {});
} // namespace Outreach

namespace AdvocacyRules {
int pointsFor(Domain::ContributionKind kind);
int tierThreshold(Domain::AdvocateTier tier); // points where the tier starts
Domain::AdvocateTier tierFor(int points);
} // namespace AdvocacyRules

// ---- e-mail ----------------------------------------------------------------------------------------------------

struct EmailRequest
{
    QString customerId;
    QList<qint64> contactIds; // empty: by recipientRole, else the primary contact
    std::optional<Domain::ContactRole> recipientRole;
    std::optional<qint64> templateId; // either a template or subject + body
    QString subject;
    QString body;
    Domain::EmailBodyFormat bodyFormat = Domain::EmailBodyFormat::Text;
    QVariantMap variables; // custom placeholders
    QString sender; // who sends (the CSM); default the customer's owner
    QString requestKey; // optional caller idempotency key (1..100 characters)
};

struct EmailSendResult
{
    QList<QueuedMessage> messages;
    int queued = 0;
    int alreadyQueued = 0;
};

struct CommunicationListQuery
{
    QString customerId; // required
    std::optional<Domain::CommunicationChannel> channel;
    std::optional<Domain::CommunicationStatus> status;
    int limit = 25; // newest first
    QString cursor;
};

// ---- workflows ---------------------------------------------------------------------------------------------------

struct WorkflowRun
{
    qint64 workflowId = 0;
    QString workflowName;
    QString signal;
    int matched = 0;
    int fired = 0; // customers the actions ran for
    int inCooldown = 0;
    int actionsPerformed = 0;
    int actionsFailed = 0;
    QStringList errors; // "<customer>: <error>" (at most 50)
};

// ---- newsletters ---------------------------------------------------------------------------------------------------

struct NewsletterAudience
{
    qint64 newsletterId = 0;
    qint64 customers = 0; // audience customers (live, not churned)
    qint64 recipients = 0; // their live contacts with an e-mail address (and a wanted role)
    qint64 contactsWithoutEmail = 0; // contacts that would qualify but have no address
    QStringList description; // the criteria, in words
};

struct EditionSendResult
{
    Domain::NewsletterEdition edition;
    int queued = 0;
    int alreadyQueued = 0;
    int failed = 0; // recipients whose personalisation failed
    QStringList errors; // at most 50
};

// ---- community ---------------------------------------------------------------------------------------------------

struct CommunityMemberQuery
{
    QString customerId;
    std::optional<Domain::CommunityMemberStatus> status;
    int limit = 25;
    QString cursor;
};

struct CommunityPostQuery
{
    std::optional<qint64> memberId;
    std::optional<Domain::CommunityPostKind> kind;
    std::optional<Domain::CommunityPostStatus> status;
    int limit = 25; // newest first
    QString cursor;
};

struct CommunityContributor
{
    qint64 memberId = 0;
    QString handle;
    QString customerId;
    qint64 posts = 0;
    qint64 upvotes = 0;
};

// Posts in the period [from, to] (UTC days), members as of now.
struct CommunityStats
{
    QDate from;
    QDate to;
    bool hasData = false; // false: no member at all
    QString reason;
    QHash<QString, qint64> membersByStatus;
    qint64 posts = 0;
    QHash<QString, qint64> postsByKind;
    QHash<QString, qint64> postsByStatus;
    qint64 questions = 0;
    qint64 questionsAnswered = 0; // status answered
    std::optional<double> answerRate; // answered / questions; empty without questions
    std::optional<double> repliesPerPost; // mean reply_count; empty without posts
    QList<CommunityContributor> topContributors; // by posts in the period, at most 5
};

// ---- advocacy ---------------------------------------------------------------------------------------------------

struct AdvocateQuery
{
    QString customerId;
    std::optional<Domain::AdvocateTier> tier;
    std::optional<Domain::AdvocateStatus> status;
    int limit = 25; // most points first
    QString cursor;
};

struct AdvocateDetail
{
    Domain::Advocate advocate;
    QString contactName;
    QList<Domain::AdvocacyContribution> contributions; // newest first, at most 200
    std::optional<Domain::AdvocateTier> nextTier;
    int pointsToNextTier = 0;
};

struct ContributionResult
{
    Domain::AdvocacyContribution contribution;
    Domain::Advocate advocate; // with the new points and tier
    bool tierChanged = false;
    Domain::AdvocateTier previousTier = Domain::AdvocateTier::Bronze;
};

struct AdvocacySummary
{
    QDate from;
    QDate to;
    bool hasData = false;
    QString reason;
    qint64 advocates = 0; // live
    QHash<QString, qint64> byTier;
    QHash<QString, qint64> byStatus;
    qint64 totalPoints = 0;
    qint64 contributions = 0; // in the period
    QHash<QString, qint64> contributionsByKind;
    qint64 pointsInPeriod = 0;
};

// ---- executive reviews ---------------------------------------------------------------------------------------------

struct ExecutiveBrief
{
    QString customerId;
    QString customerName;
    QDate asOf;
    QString tier;
    double arr = 0;
    QString currency;

    struct Health
    {
        bool hasData = false;
        QString reason;
        double score = 0;
        QString band;
        QDate scoredOn;
        std::optional<double> change; // score − earlier score
        QDate comparedWith;
    } health;
    struct Usage
    {
        bool hasData = false;
        QString reason;
        qint64 events = 0;
        int activeDays = 0;
        double meanDailyActiveUsers = 0;
        qint64 previousEvents = 0;
        std::optional<double> eventsChange;
    } usage;
    struct Support
    {
        bool hasData = false;
        QString reason;
        qint64 opened = 0;
        qint64 openNow = 0;
        qint64 breached = 0;
        std::optional<double> meanCsat;
    } support;
    struct Nps
    {
        bool hasData = false;
        QString reason;
        qint64 responses = 0;
        qint64 promoters = 0;
        qint64 passives = 0;
        qint64 detractors = 0;
        double nps = 0; // −100..100
        int latestScore = 0;
        QDateTime latestAt;
    } nps;
    struct Renewal
    {
        bool hasData = false;
        QString reason;
        QDate date;
        qint64 daysUntil = 0;
        double arr = 0;
        std::optional<double> probability;
        QString stage; // empty when only customers.renewal_date is known
    } renewal;
    struct Expansion
    {
        bool hasData = false;
        QString reason;
        qint64 open = 0;
        double openEstimatedArr = 0;
        qint64 wonLastYear = 0;
        double wonArrLastYear = 0;
    } expansion;
    struct Churn
    {
        bool hasData = false;
        QString reason;
        double probability = 0;
        QString riskLevel;
        QDateTime predictedAt;
    } churn;

    QVariantMap toMap() const;
};

// NPS = % promoters − % detractors over all answers (DESIGN.md §4); empty for no answers.
std::optional<double> netPromoterScore(qint64 promoters, qint64 passives, qint64 detractors);

struct ReviewPreparation
{
    Domain::ExecutiveReview review;
    ExecutiveBrief brief;
};

struct ExecutiveReviewQuery
{
    QString customerId;
    std::optional<Domain::ExecutiveReviewStatus> status;
    bool upcomingOnly = false; // scheduled or prepared, scheduled_for ≥ now
    int limit = 25; // by scheduled_for (upcoming: soonest first; otherwise newest first)
    QString cursor;
};

// ---- the service ------------------------------------------------------------------------------------------------

class CommunicationService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CommunicationService)

public:
    static constexpr int kMaxLimit = 200;
    static constexpr int kMaxRecipientsPerEmail = 50;
    static constexpr int kMaxActions = 10;
    static constexpr int kMaxSections = 50;
    static constexpr int kDefaultCooldownDays = 30;

    CommunicationService(const Storage::Database &db, const Clock &clock, QObject *parent = nullptr);

    // ---- templates ----
    // Every placeholder in subject and body must be built in or listed in `variables`.
    Result<Domain::EmailTemplate> createTemplate(const Domain::EmailTemplate &emailTemplate);
    Result<Domain::EmailTemplate> updateTemplate(const Domain::EmailTemplate &emailTemplate);
    Status removeTemplate(qint64 templateId, int expectedVersion = 0);
    Result<Domain::EmailTemplate> emailTemplate(qint64 templateId) const;
    Result<Storage::Page<Domain::EmailTemplate>> listTemplates(int limit = 25, const QString &cursor = {}) const;

    // ---- e-mail ----
    // Renders and queues one e-mail per recipient (send_personalized_email). All or nothing: one recipient that
    // cannot be reached or personalised fails the call and nothing is queued.
    Result<EmailSendResult> sendPersonalizedEmail(const EmailRequest &request);
    Result<Storage::Page<Domain::Communication>> listCommunications(const CommunicationListQuery &query) const;

    // ---- workflows ----
    static Status validateWorkflow(const QVariantMap &triggerConfig, const QVariantList &actions);
    Result<Domain::CommunicationWorkflow> createWorkflow(const Domain::CommunicationWorkflow &workflow);
    Result<Domain::CommunicationWorkflow> updateWorkflow(const Domain::CommunicationWorkflow &workflow);
    Status removeWorkflow(qint64 workflowId, int expectedVersion = 0);
    Result<Domain::CommunicationWorkflow> workflow(qint64 workflowId) const;
    Result<Storage::Page<Domain::CommunicationWorkflow>> listWorkflows(
        int limit = 25, const QString &cursor = {}) const;
    // Runs every active workflow (or only `workflowId`, which must then be active).
    Result<QList<WorkflowRun>> runWorkflows(std::optional<qint64> workflowId = {});

    // ---- newsletters ----
    Result<Domain::Newsletter> createNewsletter(const Domain::Newsletter &newsletter);
    Result<Domain::Newsletter> updateNewsletter(const Domain::Newsletter &newsletter);
    Result<Domain::Newsletter> newsletter(qint64 newsletterId) const;
    Result<Storage::Page<Domain::Newsletter>> listNewsletters(int limit = 25, const QString &cursor = {}) const;
    Result<NewsletterAudience> audience(qint64 newsletterId) const;
    Result<Domain::NewsletterEdition> createEdition(const Domain::NewsletterEdition &edition);
    Result<Domain::NewsletterEdition> updateEdition(const Domain::NewsletterEdition &edition); // drafts only
    Result<Domain::NewsletterEdition> edition(qint64 editionId) const;
    Result<Storage::Page<Domain::NewsletterEdition>> listEditions(
        qint64 newsletterId, int limit = 25, const QString &cursor = {}) const;
    // draft → scheduled at `when` (not in the past); recipient_count = the audience's recipients now.
    Result<Domain::NewsletterEdition> scheduleEdition(qint64 editionId, const QDateTime &when);
    Result<EditionSendResult> sendEdition(qint64 editionId);
    // Sends every scheduled edition whose scheduled_for ≤ now.
    Result<QList<EditionSendResult>> sendDueEditions();

    // ---- community ----
    Result<Domain::CommunityMember> addMember(const Domain::CommunityMember &member);
    Result<Domain::CommunityMember> updateMember(const Domain::CommunityMember &member);
    Result<Domain::CommunityMember> member(qint64 memberId) const; // NotFound naming member_id
    Result<Storage::Page<Domain::CommunityMember>> listMembers(const CommunityMemberQuery &query = {}) const;
    Result<Domain::CommunityPost> createPost(const Domain::CommunityPost &post);
    Result<Domain::CommunityPost> updatePost(const Domain::CommunityPost &post);
    Result<Storage::Page<Domain::CommunityPost>> listPosts(const CommunityPostQuery &query = {}) const;
    Result<CommunityStats> communityStats(QDate from = {}, QDate to = {}) const; // default the last 90 days

    // ---- advocacy ----
    Result<Domain::Advocate> addAdvocate(const Domain::Advocate &advocate);
    // Status, contact and notes; points and tier stay derived.
    Result<Domain::Advocate> updateAdvocate(const Domain::Advocate &advocate);
    Result<AdvocateDetail> advocate(qint64 advocateId) const;
    Result<Storage::Page<Domain::Advocate>> listAdvocates(const AdvocateQuery &query = {}) const;
    Result<ContributionResult> recordContribution(
        qint64 advocateId, Domain::ContributionKind kind, QDate occurredOn, const QString &description = {});
    Status removeContribution(qint64 contributionId);
    Result<AdvocacySummary> advocacySummary(QDate from = {}, QDate to = {}) const; // default the last 365 days

    // ---- executive reviews ----
    Result<Domain::ExecutiveReview> scheduleReview(const Domain::ExecutiveReview &review);
    Result<ExecutiveBrief> brief(const QString &customerId) const; // the brief as of now, not stored
    Result<ReviewPreparation> prepareReview(qint64 reviewId);
    Result<Domain::ExecutiveReview> completeReview(
        qint64 reviewId, const QString &outcomes, const QVariantList &nextSteps = {});
    Result<Domain::ExecutiveReview> cancelReview(qint64 reviewId);
    Result<Domain::ExecutiveReview> review(qint64 reviewId) const;
    Result<Storage::Page<Domain::ExecutiveReview>> listReviews(const ExecutiveReviewQuery &query = {}) const;

Q_SIGNALS:
    void templatesChanged();
    void communicationQueued(const QString &customerId, qint64 communicationId);
    void workflowsChanged();
    void newslettersChanged();
    void communityChanged();
    void advocacyChanged(qint64 advocateId);
    void reviewChanged(qint64 reviewId, const QString &customerId);
    void customerActivity(const QString &customerId);

private:
    Status validateTemplatePlaceholders(const Domain::EmailTemplate &emailTemplate) const;
    Result<QList<Recipient>> audienceRecipients(const Domain::Newsletter &newsletter, NewsletterAudience *count) const;
    Status validateAudience(const QVariantMap &audience) const;
    Status recomputeAdvocate(qint64 advocateId, Domain::Advocate *out);

    const Storage::Database &m_db;
    const Clock &m_clock;
};

} // namespace Core
