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
#include <QVariantMap>

#include "clock.h"
#include "database.h"
#include "engagement.h"
#include "error.h"
#include "listquery.h"

namespace Core {

// ============================================================================================================
// Playbooks, campaigns and enrolments (DESIGN.md §4 "retention campaigns and playbooks (triggers, steps,
// enrolments)"; tools execute_retention_campaign, automate_retention_campaigns)
// ============================================================================================================
//
// ---- Risk signals (RiskSignals) -----------------------------------------------------------------------------
// The five playbook triggers read stored data only. D = the clock's UTC day, now = the clock's instant. Only
// live customers that are not churned are considered. Every threshold comes from the playbook's trigger_config
// (validated: unknown keys and out-of-range values are refused, naming "trigger_config.<key>"); a key left out
// takes the documented default below. The monitors (monitorservice.h) call these same functions, so a usage
// drop means the same thing in a playbook and in an alert.
//
//   health_drop        {window_days 7 (1..90), drop_points 15 (1..100), to_red true}
//       current  = the customer's latest health_scores row dated D−w+1 … D
//       previous = its latest row dated D−2w+1 … D−w          (w = window_days: "a week earlier")
//       fires when previous − current ≥ drop_points, or (to_red) current band is red and previous was not.
//       Without both scores there is no comparison and nothing fires.
//   usage_decline      {recent_days 14 (1..90), baseline_days 28 (1..365), decline_percent 30 (1..100),
//                       metric "any" (events | active_users | any), min_baseline_events 20 (0..1e9)}
//       from usage_daily all-features rows (feature ''): R = D−r+1 … D, B = the b days before R.
//       rate(metric, window) = Σ metric over the window / days of the window (days without a row count as 0)
//       decline = 1 − rate(R) / rate(B), defined only when rate(B) > 0 (UsageDeclineMath::decline)
//       fires when Σ events(B) ≥ min_baseline_events (a noise floor) and the decline of the chosen metric (for
//       "any": of events or of mean daily active users) is ≥ decline_percent / 100. A customer whose usage
//       began inside B has a smaller baseline rate, so a young account is never flagged for "declining".
//   detractor          {lookback_days 30 (1..365), max_score 6 (0..6)}
//       an NPS survey response (not deleted) with score ≤ max_score answered from the start of D−n+1 up to now;
//       one match per customer, describing the latest such answer and how many there were.
//   renewal_risk       {within_days 90 (1..730), churn_probability 0.5 (0..1), red_band true,
//                       max_signal_age_days 30 (1..365)}
//       customers.renewal_date in D … D+within_days and (the latest health score dated within the last
//       max_signal_age_days days is red (when red_band), or the latest churn prediction made within that age
//       has probability ≥ churn_probability).
//   overdue_milestone  {grace_days 0 (0..90)}
//       an onboarding milestone pending or in progress, of a live plan that is not completed or cancelled,
//       whose due_date + grace_days is before D. One match per customer (count, oldest due date, names).
//
// Every trigger_config may also hold reenrol_after_days (default 30, 0..3650): a customer whose enrolment in
// the same playbook started less than that many days ago is not enrolled again by evaluateTriggers().
//
// ---- Steps --------------------------------------------------------------------------------------------------
// A playbook's live steps run in `position` order (positions are unique within a playbook). Step configs:
//   task     {title (required), description, due_in_days 0..365 (default 3), priority low|medium|high|urgent
//            (default medium), owner (default the customer's owner)}  → a tasks row (source playbook,
//            source_ref "enrolment:<id>", enrolment_id)
//   note     {body (required), pinned}                                 → a notes row
//   email    {template_id (required), recipient_role (a contact role; default the primary contact)}
//            → a communications row (queued) and an outbox row (kind email, target sendgrid)
//   message  {body (required), subject, recipient_role}                → a communications row (channel in_app,
//            queued) and an outbox row (kind event, target intercom, payload.operation "message": the schema's
//            outbox kinds have no "message"; Intercom's POST /messages sends in-app messages)
//   wait     {days 0..365}                                             → the next step is due `days` later
// Titles, bodies and subjects are personalised (communicationservice.h, Personalisation): an unknown
// placeholder or one without a value fails the step, it is never sent literally.
// The outbox idempotency key of a message step is "enrolment:<enrolment id>:step:<step id>", so a retried step
// never queues twice (DESIGN.md §6). Delivery is not done here: messages stay queued until the outbox worker
// (a later integration) sends them.
//
// runDueSteps() takes every active enrolment whose next_step_at ≤ now (its playbook live, its campaign, if any,
// not paused) and runs its next step; each step is one transaction: the enrolment is claimed with its version
// (a second runner, e.g. another desktop on the same PostgreSQL, finds the version changed and skips it), the
// step's rows, the enrolment_step_runs row, the enrolment's next position and the timeline events commit
// together. Steps that do not wait run on at once (at most kMaxStepsPerEnrolment per call). When no step is left
// the enrolment is completed. A step that fails (e.g. no contact with an e-mail address) is recorded as a
// failed run and the enrolment ends with status failed and the error as exit_reason.

// The numbers behind the usage-decline rule, as pure functions (unit-tested with hand-computed values).
namespace UsageDeclineMath {
// 1 − (recent / recentDays) / (baseline / baselineDays); empty when the baseline rate is 0 or a length is < 1.
std::optional<double> decline(double recentTotal, int recentDays, double baselineTotal, int baselineDays);
} // namespace UsageDeclineMath

namespace RiskSignals {

// Reads typed thresholds out of a JSON-like config; errors name "<prefix>.<key>".
class ConfigReader
{
public:
    ConfigReader(const QVariantMap &config, QString fieldPrefix);
    int integer(const QString &key, int defaultValue, int min, int max);
    double number(const QString &key, double defaultValue, double min, double max);
    bool boolean(const QString &key, bool defaultValue);
    QString choice(const QString &key, const QString &defaultValue, const QStringList &allowed);
    // Text of at most maxLength characters (trimmed); required: missing or blank is an error.
    QString text(const QString &key, bool required, int maxLength);
    // Refuses keys other than those read so far (call last). Keys in `alsoAllowed` are accepted unread.
    Status finish(const QStringList &alsoAllowed = {});
    // The first error so far (reading stops reporting after it).
    Status status() const;

private:
    const QVariant *take(const QString &key);
    QVariantMap m_config;
    QString m_prefix;
    QStringList m_known;
    std::optional<Error> m_error;
};

struct HealthDropRule
{
    int windowDays = 7;
    double dropPoints = 15;
    bool toRed = true;
    // Whether a pair of scores fires (the rule above, as a pure function).
    bool fires(
        double previousScore, const QString &previousBand, double currentScore, const QString &currentBand) const;
};

struct UsageDeclineRule
{
    int recentDays = 14;
    int baselineDays = 28;
    double declinePercent = 30;
    QString metric = QStringLiteral("any"); // events | active_users | any
    double minBaselineEvents = 20;
};

struct DetractorRule
{
    int lookbackDays = 30;
    int maxScore = 6;
};

struct RenewalRiskRule
{
    int withinDays = 90;
    double churnProbability = 0.5;
    bool redBand = true;
    int maxSignalAgeDays = 30;
};

struct OverdueMilestoneRule
{
    int graceDays = 0;
};

// Reads a rule's keys (defaults for the keys left out) through a reader, so a caller can add keys of its own
// before reader.finish() (the monitors do).
void read(ConfigReader &reader, HealthDropRule &rule);
void read(ConfigReader &reader, UsageDeclineRule &rule);
void read(ConfigReader &reader, DetractorRule &rule);
void read(ConfigReader &reader, RenewalRiskRule &rule);
void read(ConfigReader &reader, OverdueMilestoneRule &rule);
// Parsing with defaults; `prefix` is the field name errors use ("trigger_config", "config").
Result<HealthDropRule> healthDropRule(const QVariantMap &config, const QString &prefix);
Result<UsageDeclineRule> usageDeclineRule(const QVariantMap &config, const QString &prefix);
Result<DetractorRule> detractorRule(const QVariantMap &config, const QString &prefix);
Result<RenewalRiskRule> renewalRiskRule(const QVariantMap &config, const QString &prefix);
Result<OverdueMilestoneRule> overdueMilestoneRule(const QVariantMap &config, const QString &prefix);

QVariantMap toConfig(const HealthDropRule &rule);
QVariantMap toConfig(const UsageDeclineRule &rule);
QVariantMap toConfig(const DetractorRule &rule);
QVariantMap toConfig(const RenewalRiskRule &rule);
QVariantMap toConfig(const OverdueMilestoneRule &rule);

inline constexpr int kDefaultReenrolAfterDays = 30;

// Reads the keys of `kind`'s rule through `reader` and returns them with every default filled in (manual: none).
QVariantMap readRule(ConfigReader &reader, Domain::PlaybookTrigger kind);

// Validates a playbook trigger_config for `kind` (manual: only reenrol_after_days) and returns it with every
// default filled in.
Result<QVariantMap> normalizeTriggerConfig(
    Domain::PlaybookTrigger kind, const QVariantMap &config, const QString &prefix = QStringLiteral("trigger_config"));

// One customer for whom a signal holds, with the numbers that made it hold.
struct SignalMatch
{
    QString customerId;
    QString customerName;
    QString summary; // one line for a CSM, e.g. "health fell from 72.0 to 51.0 (−21.0) since 2026-06-08"
    QVariantMap context; // the figures (scores, dates as ISO text, counts), stored as trigger_context
};

Result<QList<SignalMatch>> healthDrop(const Storage::Database &db, const QDateTime &now, const HealthDropRule &rule);
Result<QList<SignalMatch>> usageDecline(
    const Storage::Database &db, const QDateTime &now, const UsageDeclineRule &rule);
Result<QList<SignalMatch>> detractors(const Storage::Database &db, const QDateTime &now, const DetractorRule &rule);
Result<QList<SignalMatch>> renewalRisk(const Storage::Database &db, const QDateTime &now, const RenewalRiskRule &rule);
Result<QList<SignalMatch>> overdueMilestones(
    const Storage::Database &db, const QDateTime &now, const OverdueMilestoneRule &rule);
// Parses the rule keys of `config` for `kind` (other keys are ignored here: validate a whole config with
// normalizeTriggerConfig) and evaluates it (manual → InvalidArgument: a manual playbook has no trigger).
Result<QList<SignalMatch>> evaluate(const Storage::Database &db, const QDateTime &now, Domain::PlaybookTrigger kind,
    const QVariantMap &config, const QString &prefix = QStringLiteral("trigger_config"));

} // namespace RiskSignals

// ---- value types ----------------------------------------------------------------------------------------------

struct PlaybookDetail
{
    Domain::Playbook playbook;
    QList<Domain::PlaybookStep> steps; // live steps in position order
};

struct PlaybookListQuery
{
    std::optional<bool> active;
    std::optional<Domain::PlaybookTrigger> triggerKind;
    int limit = 25; // 1..200
    QString cursor;
};

struct EnrolRequest
{
    QString customerId;
    qint64 playbookId = 0;
    std::optional<qint64> campaignId;
    QString enrolledBy;
    QVariantMap triggerContext;
};

struct EnrolOutcome
{
    Domain::Enrolment enrolment;
    bool alreadyEnrolled = false; // the customer was already actively enrolled: this is that enrolment
};

struct EnrolmentListQuery
{
    std::optional<qint64> playbookId;
    std::optional<qint64> campaignId;
    QString customerId;
    std::optional<Domain::EnrolmentStatus> status;
    int limit = 25; // 1..200, newest first
    QString cursor;
};

struct EnrolmentDetail
{
    Domain::Enrolment enrolment;
    QString playbookName;
    int stepCount = 0; // live steps of the playbook
    QList<Domain::EnrolmentStepRun> runs; // oldest first
};

// What one playbook's trigger found and did in evaluateTriggers().
struct TriggerEvaluation
{
    qint64 playbookId = 0;
    QString playbookName;
    Domain::PlaybookTrigger triggerKind = Domain::PlaybookTrigger::Manual;
    int matched = 0;
    int enrolled = 0;
    int alreadyEnrolled = 0; // active enrolment (including one a concurrent run just made)
    int recentlyEnrolled = 0; // an enrolment started within reenrol_after_days
    QList<qint64> enrolmentIds; // the new enrolments
    QString error; // set when this playbook's trigger could not be evaluated (the others still ran)
};

struct StepRunOptions
{
    std::optional<qint64> enrolmentId; // only this enrolment (still only when due)
    int limit = 500; // enrolments per call, 1..10000
};

struct StepRunReport
{
    int enrolmentsProcessed = 0;
    int stepsRun = 0;
    int stepsFailed = 0;
    int enrolmentsCompleted = 0;
    int enrolmentsFailed = 0;
    int tasksCreated = 0;
    int notesCreated = 0;
    int messagesQueued = 0;
    int skippedConcurrent = 0; // claimed by another runner meanwhile
    QList<Domain::EnrolmentStepRun> runs; // the step runs written (at most kMaxReportedRuns)
};

struct CampaignListQuery
{
    std::optional<Domain::CampaignStatus> status;
    int limit = 25;
    QString cursor;
};

struct CampaignLaunch
{
    Domain::Campaign campaign;
    int audience = 0; // customers the segment or criteria select (live, not churned)
    int enrolled = 0;
    int alreadyEnrolled = 0;
    QList<qint64> enrolmentIds;
};

// Counts over a playbook's or campaign's enrolments and what its steps produced.
struct EnrolmentStats
{
    bool hasData = false; // false: no enrolment yet
    QString reason;
    qint64 enrolments = 0;
    QHash<QString, qint64> byStatus; // active, completed, exited, failed
    qint64 stepRuns = 0;
    qint64 stepRunsSucceeded = 0;
    qint64 stepRunsFailed = 0;
    qint64 tasksCreated = 0;
    qint64 tasksDone = 0;
    qint64 messagesQueued = 0; // communications of these enrolments
    std::optional<double> completionRate; // completed / (completed + exited + failed); empty when none ended
};

// ---- the service ------------------------------------------------------------------------------------------------

class PlaybookService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PlaybookService)

public:
    static constexpr int kMaxLimit = 200;
    static constexpr int kMaxStepsPerEnrolment = 50;
    static constexpr int kMaxReportedRuns = 200;
    static constexpr int kDefaultTaskDueDays = 3;

    PlaybookService(const Storage::Database &db, const Clock &clock, QObject *parent = nullptr);

    // ---- playbooks ----
    // Validates the playbook, its trigger_config (normalised with defaults) and each step (config by kind,
    // unique positions; a step's position defaults to its index when all are 0). One transaction.
    Result<PlaybookDetail> createPlaybook(const Domain::Playbook &playbook, const QList<Domain::PlaybookStep> &steps);
    Result<PlaybookDetail> playbook(qint64 playbookId) const;
    Result<Storage::Page<Domain::Playbook>> listPlaybooks(const PlaybookListQuery &query = {}) const;
    // Optimistic (meta.version). trigger_config is validated again.
    Result<Domain::Playbook> updatePlaybook(const Domain::Playbook &playbook);
    // Soft delete; its active enrolments are exited ("playbook removed").
    Status removePlaybook(qint64 playbookId, int expectedVersion = 0);
    // Steps: position must be free in the playbook; config validated by kind.
    Result<Domain::PlaybookStep> addStep(const Domain::PlaybookStep &step);
    Result<Domain::PlaybookStep> updateStep(const Domain::PlaybookStep &step);
    Status removeStep(qint64 stepId, int expectedVersion = 0);
    // Checks a step's config as the runner will read it (errors name "config.<key>").
    static Status validateStepConfig(Domain::PlaybookStepKind kind, const QVariantMap &config);

    // ---- triggers ----
    // Who a trigger would match now, without enrolling anyone (preview for automate_retention_campaigns).
    Result<QList<RiskSignals::SignalMatch>> previewTrigger(
        Domain::PlaybookTrigger kind, const QVariantMap &config) const;
    // Evaluates every live, active playbook with a trigger (or only `playbookId`) and enrols the matching
    // customers not already actively enrolled (nor enrolled within reenrol_after_days).
    Result<QList<TriggerEvaluation>> evaluateTriggers(std::optional<qint64> playbookId = {});

    // ---- enrolments ----
    // Enrols one customer in a live, active playbook with at least one step (execute_retention_campaign). An
    // existing active enrolment is returned with alreadyEnrolled = true (never an error, never a second one).
    Result<EnrolOutcome> enrol(const EnrolRequest &request);
    Result<EnrolmentDetail> enrolment(qint64 enrolmentId) const;
    Result<Storage::Page<Domain::Enrolment>> listEnrolments(const EnrolmentListQuery &query = {}) const;
    // Ends an active enrolment (status exited, exit_reason required). Optimistic when expectedVersion > 0.
    Result<Domain::Enrolment> exitEnrolment(qint64 enrolmentId, const QString &reason, int expectedVersion = 0);
    Result<StepRunReport> runDueSteps(const StepRunOptions &options = {});
    Result<EnrolmentStats> playbookStats(qint64 playbookId) const;

    // ---- campaigns ----
    // A campaign runs a playbook over an audience: its segment_id, else audience_criteria (segment criteria,
    // segmentservice.h). Created as draft.
    Result<Domain::Campaign> createCampaign(const Domain::Campaign &campaign);
    Result<Domain::Campaign> campaign(qint64 campaignId) const;
    Result<Storage::Page<Domain::Campaign>> listCampaigns(const CampaignListQuery &query = {}) const;
    Result<Domain::Campaign> updateCampaign(const Domain::Campaign &campaign);
    // draft/paused → active: enrols the audience (live, not churned customers) in the campaign's playbook.
    // Needs a playbook with steps; refused before starts_on or after ends_on.
    Result<CampaignLaunch> launchCampaign(qint64 campaignId, const QString &launchedBy = {});
    // active → paused (steps wait), paused → active (no new enrolments), any → completed (active enrolments exit).
    Result<Domain::Campaign> setCampaignStatus(qint64 campaignId, Domain::CampaignStatus status);
    Result<EnrolmentStats> campaignStats(qint64 campaignId) const;

Q_SIGNALS:
    void playbookAdded(qint64 playbookId);
    void playbookChanged(qint64 playbookId);
    void playbookRemoved(qint64 playbookId);
    void campaignChanged(qint64 campaignId);
    void enrolmentChanged(qint64 enrolmentId, const QString &customerId);
    // Tasks, notes, communications or timeline rows of a customer were written by a step.
    void customerActivity(const QString &customerId);

private:
    struct StepOutcome;
    Result<EnrolOutcome> enrolLocked(const EnrolRequest &request, const Domain::Playbook &playbook);
    Result<StepOutcome> runNextStep(const Domain::Enrolment &enrolment);
    Status checkStepPosition(qint64 playbookId, int position, qint64 exceptStepId) const;
    Result<EnrolmentStats> stats(const QString &column, qint64 id) const;

    const Storage::Database &m_db;
    const Clock &m_clock;
};

} // namespace Core
