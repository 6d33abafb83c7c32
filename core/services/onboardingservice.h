// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QDate>
#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>
#include <QVariantMap>

#include "accounts.h"
#include "clock.h"
#include "customer.h"
#include "error.h"
#include "listquery.h"
#include "onboarding.h"
#include "tables_onboarding.h"

namespace Core {

// ---- pure formulas, unit-tested with hand-computed values ------------------------------------------------------
namespace Onboarding {

// The p-th percentile (0 ≤ p ≤ 1) of the values by linear interpolation between closest ranks (the "type 7"
// definition of Hyndman & Fan, as in R's quantile(), numpy's default and Excel's PERCENTILE.INC):
// rank h = (n − 1)·p, value = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). Empty for no values.
std::optional<double> percentile(QList<double> values, double p);
std::optional<double> median(const QList<double> &values);
// Share (0..1) of the values at or below `value`: where one plan's TTV ranks in the portfolio. Empty for none.
std::optional<double> percentileRank(const QList<double> &values, double value);

// Progress, weighted by count: every milestone and every task counts one.
//     percent = 100 × (completed milestones + completed tasks) / (milestones + tasks)
// Skipped items are left out of both sides (they are not needed). Empty when nothing is left to count.
std::optional<double> progressPercent(
    int milestonesCompleted, int milestonesCounted, int tasksCompleted, int tasksCounted);

} // namespace Onboarding

enum class OnboardingRisk {
    NoSchedule, // nothing has a due date or target go-live to be late against
    OnTrack,
    AtRisk, // at least one overdue milestone or task
    OffTrack, // past the target go-live and not completed
    Completed,
    Cancelled,
};

} // namespace Core

namespace Domain {
CS_ENUM_NAMES(Core::OnboardingRisk, { Core::OnboardingRisk::NoSchedule, "no_schedule" },
    { Core::OnboardingRisk::OnTrack, "on_track" }, { Core::OnboardingRisk::AtRisk, "at_risk" },
    { Core::OnboardingRisk::OffTrack, "off_track" }, { Core::OnboardingRisk::Completed, "completed" },
    { Core::OnboardingRisk::Cancelled, "cancelled" });
} // namespace Domain

namespace Core {

// ---- templates ----------------------------------------------------------------------------------------------------

struct TemplateDetail
{
    Domain::OnboardingTemplate onboardingTemplate;
    QList<Domain::OnboardingTemplateMilestone> milestones; // by position
};

// ---- plans --------------------------------------------------------------------------------------------------------

struct PlanRequest
{
    QString customerId;
    std::optional<qint64> templateId; // empty = chosen by the customer's tier and `complexity`
    std::optional<Domain::OnboardingComplexity> complexity; // used when choosing a template
    QDate startOn; // invalid = today
    QString owner; // empty = the customer's owner
    QString name; // empty = "<template name> - <customer name>"
    QString actor;
};

struct PlanProgress
{
    int milestonesTotal = 0;
    int milestonesCompleted = 0;
    int milestonesSkipped = 0;
    int milestonesOverdue = 0;
    int tasksTotal = 0;
    int tasksCompleted = 0;
    int tasksSkipped = 0;
    int tasksOverdue = 0;
    std::optional<double> percent; // see Onboarding::progressPercent
    OnboardingRisk risk = OnboardingRisk::NoSchedule;
    std::optional<int> daysToTargetGoLive; // target − today; negative = past it
    std::optional<int> daysElapsed; // since the start (or until completion)
};

struct MilestoneDetail
{
    Domain::OnboardingMilestone milestone;
    QList<Domain::OnboardingTask> tasks;
    bool overdue = false;
};

struct PlanDetail
{
    Domain::OnboardingPlan plan;
    QString customerName;
    QList<MilestoneDetail> milestones; // by position
    PlanProgress progress;
};

struct PlanQuery
{
    QString customerId;
    QString owner;
    std::optional<Domain::OnboardingPlanStatus> status;
    bool openOnly = false; // not started, in progress or stalled
    int limit = 25; // 1..200
    QString cursor; // by plan id
};

struct PlanSummary
{
    Domain::OnboardingPlan plan;
    QString customerName;
    PlanProgress progress;
};

// ---- overdue items --------------------------------------------------------------------------------------------------

struct OverdueQuery
{
    std::optional<qint64> planId;
    QString customerId;
    QString owner; // the item's owner, else the plan's
    int limit = 50; // 1..200
};

struct OverdueItem
{
    QString kind; // "milestone" or "task"
    qint64 id = 0;
    qint64 planId = 0;
    QString customerId;
    QString customerName;
    QString name; // milestone name or task title
    QString milestoneName; // for a task, the milestone it belongs to
    QString owner;
    QDate dueDate;
    int daysOverdue = 0; // today − due date (≥ 1)
    Domain::OnboardingStepStatus status = Domain::OnboardingStepStatus::Pending;
};

// Past their due date and neither completed nor skipped, as of the Clock, in plans that are not completed
// or cancelled.
struct OverdueReport
{
    QDate today;
    int milestonesOverdue = 0;
    int tasksOverdue = 0;
    QList<OverdueItem> items; // most overdue first, up to the limit
};

// ---- time to value --------------------------------------------------------------------------------------------------

struct TtvQuery
{
    std::optional<qint64> templateId;
    std::optional<Domain::Tier> tier;
};

// TTV of completed plans (onboarding_plans.ttv_days, days from start to completion).
struct TtvBenchmark
{
    bool hasData = false;
    QString reason;
    int completedPlans = 0;
    std::optional<double> p25;
    std::optional<double> p50;
    std::optional<double> p75;
    std::optional<double> p90;
    std::optional<double> mean;
    int plansWithTarget = 0;
    int onTarget = 0; // ttv_days ≤ target_ttv_days
    std::optional<double> onTargetShare;
};

struct TtvReport
{
    Domain::OnboardingPlan plan;
    bool reached = false; // the plan is completed
    std::optional<int> actualDays; // ttv_days once reached
    std::optional<int> elapsedDays; // days since the start while in progress
    std::optional<int> targetDays;
    std::optional<int> daysOverTarget; // actual (or elapsed, once beyond the target) − target
    std::optional<double> portfolioPercentileRank; // share of completed plans at or below this TTV
    TtvBenchmark sameTemplate; // completed plans of the same template
    TtvBenchmark portfolio; // all completed plans
};

// ---- where time is lost (optimize_onboarding_process) ------------------------------------------------------------

struct TimeLossQuery
{
    std::optional<qint64> templateId;
    QDate completedFrom; // plans completed in [from, to]; invalid = open-ended
    QDate completedTo;
};

struct MilestoneTimeLoss
{
    int position = 0;
    QString name;
    int completed = 0; // completed milestones with a due date
    double medianDaysLate = 0; // completion day − due day; negative = early
    double meanDaysLate = 0;
    double p75DaysLate = 0;
    double shareOverdue = 0; // completed after their due day
    std::optional<double> medianDurationDays; // completion − start, where the start is recorded
};

struct TimeLossReport
{
    bool hasData = false;
    QString reason;
    int completedPlans = 0;
    QList<MilestoneTimeLoss> milestones; // most time lost (median days late) first
};

// ---- training
// --------------------------------------------------------------------------------------------------------

struct AttendeeOutcome
{
    qint64 contactId = 0;
    bool attended = false;
    std::optional<double> score; // 0..100
    QString feedback;
};

struct SessionOutcome
{
    qint64 sessionId = 0;
    QString outcomeNotes;
    QDateTime completedAt; // invalid = now; not in the future
    QList<AttendeeOutcome> attendees; // contacts not invited yet are added
    QString actor;
};

struct SessionDetail
{
    Domain::TrainingSession session;
    QList<Domain::TrainingAttendee> attendees;
    int attended = 0;
    std::optional<double> averageScore; // over attendees with a score
};

struct SessionQuery
{
    QString customerId;
    std::optional<Domain::TrainingSessionStatus> status;
    int limit = 25; // 1..200, by scheduled time, latest first
    QString cursor;
};

// ---- certifications
// ---------------------------------------------------------------------------------------------------

struct ProgramModule
{
    qint64 moduleId = 0;
    bool required = true;
};

struct ProgramDetail
{
    Domain::CertificationProgram program;
    QList<Domain::CertificationProgramModule> modules; // by position
};

struct CertificationQuery
{
    std::optional<qint64> programId;
    QString customerId;
    std::optional<qint64> contactId;
    int limit = 50; // 1..200
};

struct CertificationItem
{
    Domain::Certification certification;
    QString contactName;
    QString customerId;
    QString programName;
    // The status as of the Clock: a certified one past expires_at reads "expired" even before
    // expireCertifications() stores it.
    Domain::CertificationStatus effectiveStatus = Domain::CertificationStatus::InProgress;
};

struct CertificationTracking
{
    QDateTime asOf;
    int inProgress = 0;
    int certified = 0;
    int expired = 0;
    int revoked = 0;
    int expiringWithin30Days = 0;
    std::optional<double> averageScore; // of certified ones
    QList<CertificationItem> items; // newest first, up to the limit
    qint64 total = 0;
};

// Onboarding: templates by tier and complexity, plans with milestones and tasks created from a template,
// progress and overdue detection as of the Clock, time to value against the target and the portfolio, where
// time is lost across completed plans, training sessions and certification programs. Timeline events are
// written in the same transaction as the change they record.
class OnboardingService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OnboardingService)

public:
    OnboardingService(const Storage::Database &db, const Clock &clock, QObject *parent = nullptr);

    // ---- templates
    // Creates the default templates — only when called, never behind the caller's back — skipping any whose
    // name a live template already has. The set (name: tier/complexity, target TTV, milestones at day offsets):
    //   Strategic onboarding: strategic/high, 90 days — Kickoff and success plan 5, Architecture review 15,
    //     Integrations and data migration 35, Admin and champion training 50, Pilot team live 65,
    //     Company-wide go-live 90
    //   Enterprise onboarding: enterprise/high, 60 days — Kickoff 3, Technical setup 10, Integrations 25,
    //     Admin training 35, Team rollout 45, Go-live review 60
    //   Mid-market onboarding: mid_market/medium, 45 days — Kickoff 3, Technical setup 10, Data import 20,
    //     Team training 30, Go-live 45
    //   SMB quick start: smb/low, 21 days — Welcome call 2, Account setup 5, First workflow live 12, Team invited 21
    //   Self-serve trial: any tier/low, 14 days — Sign up and invite team 1, First dashboard 5, Trial review call 14
    // Each milestone carries two or three task titles. Returns the templates it created.
    Result<QList<TemplateDetail>> createDefaultTemplates();
    Result<TemplateDetail> createTemplate(const Domain::OnboardingTemplate &onboardingTemplate,
        const QList<Domain::OnboardingTemplateMilestone> &milestones);
    Result<TemplateDetail> templateDetail(qint64 templateId) const;
    // Live templates (at most 200), optionally of one tier (templates for any tier included) and complexity.
    Result<QList<Domain::OnboardingTemplate>> templates(std::optional<Domain::Tier> tier = {},
        std::optional<Domain::OnboardingComplexity> complexity = {}, bool activeOnly = true) const;
    // The active template for a tier and complexity: exact tier before any-tier ones; without a complexity,
    // the tier's own template of lowest complexity. NotFound naming `tier` when there is none.
    Result<TemplateDetail> chooseTemplate(
        Domain::Tier tier, std::optional<Domain::OnboardingComplexity> complexity = {}) const;

    // ---- plans
    Result<PlanDetail> createPlan(const PlanRequest &request);
    Result<PlanDetail> plan(qint64 planId) const;
    Result<Storage::Page<PlanSummary>> plans(const PlanQuery &query) const;
    // Status changes. Completing a milestone completes its open tasks; completing a milestone's last open task
    // completes the milestone; completing the plan's last open milestone completes the plan (completed_on =
    // today, ttv_days = days from start). Reopening an item of a completed plan reopens the plan. Milestone
    // completions (and plan completions) write timeline events.
    Result<PlanDetail> setMilestoneStatus(
        qint64 milestoneId, Domain::OnboardingStepStatus status, const QString &actor, int expectedVersion = 0);
    Result<PlanDetail> setTaskStatus(
        qint64 taskId, Domain::OnboardingStepStatus status, const QString &actor, int expectedVersion = 0);
    Result<PlanDetail> cancelPlan(qint64 planId, const QString &reason, const QString &actor);
    // Attaches monitors to a plan (activate_onboarding_automation). Known keys: overdue_items (bool),
    // no_progress_days (1..365), low_engagement (bool), notify (text). The monitors read them.
    Result<Domain::OnboardingPlan> setAutomation(qint64 planId, const QVariantMap &automation);

    Result<OverdueReport> overdueItems(const OverdueQuery &query) const;
    Result<TtvBenchmark> ttvBenchmark(const TtvQuery &query = {}) const;
    Result<TtvReport> timeToValue(qint64 planId) const;
    Result<TimeLossReport> whereTimeIsLost(const TimeLossQuery &query = {}) const;

    // ---- training
    Result<Domain::TrainingModule> createTrainingModule(const Domain::TrainingModule &module);
    Result<Storage::Page<Domain::TrainingModule>> trainingModules(int limit = 50, const QString &cursor = {}) const;
    // A scheduled session for a customer with invited contacts (who must be the customer's live contacts).
    Result<SessionDetail> scheduleTrainingSession(
        const Domain::TrainingSession &session, const QList<qint64> &contactIds);
    // Records the delivered session: status completed, outcome notes, attendance and scores, and a timeline event.
    Result<SessionDetail> recordTrainingSession(const SessionOutcome &outcome);
    Result<SessionDetail> cancelTrainingSession(qint64 sessionId, const QString &reason);
    Result<SessionDetail> trainingSession(qint64 sessionId) const;
    Result<Storage::Page<Domain::TrainingSession>> trainingSessions(const SessionQuery &query) const;

    // ---- certifications
    Result<ProgramDetail> createCertificationProgram(
        const Domain::CertificationProgram &program, const QList<ProgramModule> &modules);
    Result<ProgramDetail> certificationProgram(qint64 programId) const;
    Result<QList<ProgramDetail>> certificationPrograms(bool activeOnly = true) const; // at most 200
    // A contact starts working towards a program (status in_progress).
    Result<Domain::Certification> enrol(qint64 contactId, qint64 programId);
    // Issues the certification: the program must be active, the score at or above its passing score, and the
    // contact must have attended a completed session of every required module. expires_at = issue time +
    // validity_days. Writes a timeline event on the contact's customer.
    Result<Domain::Certification> issueCertification(
        qint64 contactId, qint64 programId, double score, const QString &actor);
    Result<Domain::Certification> revokeCertification(
        qint64 certificationId, const QString &reason, const QString &actor);
    Result<CertificationTracking> trackCertifications(const CertificationQuery &query = {}) const;
    // Stores status "expired" on certified ones past expires_at; returns how many changed.
    Result<int> expireCertifications();

Q_SIGNALS:
    void templatesChanged();
    void planChanged(qint64 planId, const QString &customerId);
    void trainingSessionChanged(qint64 sessionId, const QString &customerId);
    void certificationChanged(qint64 certificationId, qint64 contactId);
    void certificationsExpired(int count);

private:
    Result<PlanDetail> loadPlan(qint64 planId) const;
    Result<QList<PlanSummary>> summarise(const QList<Domain::OnboardingPlan> &plans) const;
    Result<SessionDetail> loadSession(qint64 sessionId) const;
    // Re-derives the plan's status from its milestones after a change; writes the completion event.
    Status settlePlan(qint64 planId, const QString &actor);

    const Storage::Database &m_db;
    const Clock &m_clock;
};

} // namespace Core
