// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <array>
#include <optional>

#include <QDate>
#include <QDateTime>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include "clock.h"
#include "customer.h"
#include "database.h"
#include "error.h"
#include "health.h"

namespace Core {

class TimelineService;

// ============================================================================================================
// Engagement: product usage, feature adoption, lifecycle stages, adoption milestones, engagement anomalies
// (DESIGN.md §4 "usage events and daily usage aggregates"; tools track_usage_engagement, analyze_product_usage,
// track_feature_adoption, manage_lifecycle_stages, track_adoption_milestones, analyze_engagement_patterns).
// ============================================================================================================
//
// Days are UTC calendar days; ranges are inclusive at both ends. A "user" is a distinct usage_events.user_ref
// within one customer (events without a user_ref count as events, never as users); portfolio-wide, users are
// distinct (customer_id, user_ref) pairs.
//
// ---- Usage (usage()) --------------------------------------------------------------------------------------
// R = [from, to] (default: the 30 days ending today), n = its length; P = the n days before R.
//   events, quantity, active days (days with ≥ 1 event) over R;  events per day = events / n;
//   events per active day = events / active days (empty without an active day)
//   DAU         = Σ_{d∈R} users(d) / n  — mean daily active users, users(d) = distinct users on day d
//   WAU, MAU    = distinct users in the 7, resp. 30, days ending with `to`
//   stickiness  = (Σ users(d) over the 30 days ending with `to`) / 30 / MAU   (DAU/MAU, both over the same
//                 30 days, so the ratio does not depend on the length of R); empty when MAU = 0
//   trend       = relative change of events, active days and DAU between P and R: (R − P) / P, empty when the
//                 P value is 0 or usage began after P's first day (a partial period would fake growth);
//                 direction "growing" ≥ +5 %, "declining" ≤ −5 %, else "flat" (from the events change).
//   features    = per feature key: events, distinct users, customers (portfolio), share of the events that name
//                 a feature, and the change of events against P.
// Daily figures come from usage_daily (feature '' rows) when it agrees with usage_events over the days read (P, R
// and the 30 days ending `to`: same event count), else from usage_events directly (source says which;
// rebuildDailyUsage() brings usage_daily up to date). Distinct-user counts over several days (WAU, MAU, per feature)
// always come from usage_events, because daily distinct counts cannot be added up. Portfolio-wide figures leave out
// soft-deleted customers.
//
// ---- Feature adoption -------------------------------------------------------------------------------------
// Window W = [from, to] (default 30 days ending today). Active customers = live customers with ≥ 1 event in W.
//   adoption rate(feature) = customers with ≥ 1 event on the feature in W / active customers
//   breadth(customer)      = catalogue features used in W / live catalogue features (features table)
//   average breadth        = mean breadth over the active customers
// Per customer: every catalogue feature with its first and last use (all history up to `to`), use in W.
//
// ---- Lifecycle stages -------------------------------------------------------------------------------------
// The rule table (LifecycleRules::table(), evaluated in this order; the first rule whose `from` holds the
// current stage and whose condition holds proposes the move). Facts are as of the evaluation day D:
//   churned_status     any but churned → churned      customers.status is churned
//   win_back           churned → onboarding           customers.status is no longer churned
//   health_red         onboarding, adoption, expansion, renewal, advocacy → at_risk
//                                                      latest health score (dated D−30 … D) is red
//   recovered          at_risk → adoption             latest health score (dated D−30 … D) is green
//   onboarding_complete onboarding → adoption         an onboarding plan completed and none open, or no plan
//                                                      at all and ≥ 15 active days in the 30 days ending D
//   renewal_due        adoption, expansion, advocacy → renewal   renewal_date within D … D+90
//   renewed            renewal → adoption             renewal_date after D+90 (the next term is on file)
//   expansion_signal   adoption → expansion           an open expansion opportunity (identified, qualified,
//                                                      proposed)
//   expansion_closed   expansion → adoption           no open expansion opportunity
//   advocate           adoption, expansion → advocacy latest NPS answer (D−180 … D) ≥ 9 and latest health green
//   advocacy_lapsed    advocacy → adoption            latest NPS answer (D−180 … D) below 9
// transition() accepts a move when a rule for that (from, to) holds; any other move needs force = true and a
// reason. evaluateRules() only proposes; applying is transition() (or applyProposals()). A transition writes the
// customer's lifecycle_stage (optimistic: version), a lifecycle_transitions row and a `lifecycle` timeline event
// in one transaction; a move to churned also sets status churned and churned_at (D, unless set), a move out of
// churned sets status active and clears churned_at (the customer record allows churned_at only while churned;
// the date stays in lifecycle_transitions and on the timeline).
//
// ---- Adoption milestones (AdoptionMilestones::definitions()) ---------------------------------------------
//   first_usage         the first usage event (usage_events; achieved at its time)
//   five_daily_users    the first day with ≥ 5 distinct active users (usage_daily)
//   three_features      the first use of a third distinct feature (usage_events; achieved at that event)
//   events_1000         the day cumulative events reach 1,000 (usage_daily)
//   weekly_habit_8      8 consecutive ISO weeks (Monday–Sunday) each with ≥ 1 active day; achieved on the first
//                       active day of the 8th week (usage_daily)
//   active_streak_30    30 consecutive days each with ≥ 1 event; achieved on the 30th day (usage_daily)
// Day-based milestones are achieved at the end of that day (23:59:59.999 UTC, or now when that is earlier).
// Detection writes each (customer, key) once (adoption_milestones is UNIQUE on it) with a usage_milestone
// timeline event (source adoption_milestones "<customer>/<key>") dated when the milestone was reached;
// running it again writes nothing new.
//
// ---- Engagement patterns and anomalies -------------------------------------------------------------------
// D = asOf (default: yesterday, the last complete UTC day). Latest week = D−6 … D; baseline week k (k = 1…8)
// = D−7k−6 … D−7k. Metrics per week, from usage_events: events, and active users (distinct user_ref).
// Baseline weeks are those starting on or after the customer's first usage day; with fewer than 4 the answer is
// "not enough history". Over the baseline values x₁…x_m: mean μ and sample standard deviation
// s = √(Σ(xᵢ − μ)² / (m − 1)); z = (latest − μ) / s; drop when z < −2, spike when z > +2. When s = 0 (every
// baseline week equal) z is undefined: equal to μ is normal, anything else is a drop or spike "outside a
// constant baseline". A customer's overall signal is drop if either metric drops, else spike if either spikes.
// Patterns: events by weekday (Monday first) and hour (UTC) over the latest and baseline weeks.

namespace EngagementRules {
inline constexpr double kTrendFlatBand = 0.05; // |change| below 5 % = flat
inline constexpr int kStickinessDays = 30;
inline constexpr int kWauDays = 7;
inline constexpr int kMaxRangeDays = 366;
inline constexpr int kBaselineWeeks = 8;
inline constexpr int kMinBaselineWeeks = 4;
inline constexpr double kAnomalyZ = 2.0;
inline constexpr int kHealthMaxAgeDays = 30;
inline constexpr int kRenewalWindowDays = 90;
inline constexpr int kAdoptionActiveDays = 15; // of the 30 days ending D
inline constexpr int kAdoptionWindowDays = 30;
inline constexpr int kPromoterWindowDays = 180;
inline constexpr int kPromoterScore = 9;
} // namespace EngagementRules

// The formulas as pure functions (unit-tested with hand-computed values).
namespace EngagementMath {
struct MeanSd
{
    int n = 0;
    double mean = 0;
    double sd = 0; // sample standard deviation (n − 1); 0 for n = 1
};
std::optional<MeanSd> meanAndSd(const QList<double> &values); // empty for no values
std::optional<double> zScore(double value, const MeanSd &baseline); // empty when sd = 0
// (current − previous) / previous; empty when previous is 0.
std::optional<double> relativeChange(double current, double previous);
// "growing" / "declining" / "flat" for a relative change; empty text for no change figure.
QString direction(const std::optional<double> &change);
} // namespace EngagementMath

// ---- usage --------------------------------------------------------------------------------------------------

struct UsageQuery
{
    QString customerId; // empty = the whole portfolio
    QDate from; // default: to − 29
    QDate to; // default: today
    int topFeatures = 20; // 1..100 features listed, the rest summed in otherFeatures
};

struct UsageDay
{
    QDate day;
    qint64 events = 0;
    qint64 activeUsers = 0; // portfolio: Σ over customers
    double quantity = 0;
};

struct FeatureUsage
{
    QString feature; // the key
    QString name; // from the catalogue; empty when the key is not in it
    QString category;
    bool inCatalogue = false;
    qint64 events = 0;
    qint64 users = 0;
    qint64 customers = 0;
    double share = 0; // of the events in R that name a feature, 0..1
    qint64 previousEvents = 0; // in P
    std::optional<double> change; // of events against P
};

struct UsageReport
{
    QString customerId; // empty = portfolio
    QDate from;
    QDate to;
    int days = 0;
    QDate previousFrom;
    QDate previousTo;
    bool hasData = false; // false: no usage on record up to `to` (zero usage in R after earlier use is data)
    QString reason;
    QString source; // usage_daily | usage_events
    bool dailyUsageStale = false; // usage_daily disagreed with usage_events over the days read
    qint64 events = 0;
    double quantity = 0;
    int activeDays = 0;
    double eventsPerDay = 0;
    std::optional<double> eventsPerActiveDay;
    double dau = 0;
    qint64 wau = 0;
    qint64 mau = 0;
    std::optional<double> stickiness; // 0..1
    qint64 activeCustomers = 0; // portfolio: live customers with ≥ 1 event in R
    qint64 liveCustomers = 0; // portfolio: live customers
    QDate firstUsageDay; // of the customer (portfolio: of anyone), up to `to`
    // trend against P
    bool hasTrend = false;
    QString trendReason; // why there is no trend
    qint64 previousEvents = 0;
    int previousActiveDays = 0;
    double previousDau = 0;
    std::optional<double> eventsChange;
    std::optional<double> activeDaysChange;
    std::optional<double> dauChange;
    QString trend; // growing | declining | flat; empty without a trend
    QList<FeatureUsage> features; // most events first
    qint64 otherFeatures = 0; // feature keys used in R beyond topFeatures
    qint64 eventsWithoutFeature = 0;
    QList<UsageDay> series; // every day of R, oldest first, days without usage included
};

// ---- feature adoption ---------------------------------------------------------------------------------------

struct FeatureAdoptionRow
{
    QString feature;
    QString name;
    QString category;
    bool isPremium = false;
    bool inCatalogue = false;
    qint64 adoptingCustomers = 0;
    std::optional<double> adoptionRate; // adopting / active customers; empty without active customers
    qint64 events = 0;
    qint64 users = 0;
};

struct FeatureAdoptionReport
{
    QDate from;
    QDate to;
    bool hasData = false; // false: no active customer in the window
    QString reason;
    qint64 activeCustomers = 0;
    qint64 catalogueFeatures = 0;
    std::optional<double> averageBreadth; // empty without catalogue features or active customers
    QList<FeatureAdoptionRow> features; // catalogue features (most adopted first), then at most 50 unknown keys
};

struct CustomerFeature
{
    QString feature;
    QString name;
    QString category;
    bool isPremium = false;
    bool inCatalogue = false;
    QDateTime firstUsedAt; // invalid: never used (up to `to`)
    QDateTime lastUsedAt;
    qint64 eventsInWindow = 0;
    qint64 usersInWindow = 0;
    bool usedInWindow() const { return eventsInWindow > 0; }
};

struct CustomerFeatureAdoption
{
    QString customerId;
    QDate from;
    QDate to;
    bool hasData = false; // false: the customer has no usage on record up to `to`
    QString reason;
    int catalogueFeatures = 0;
    int adoptedEver = 0; // catalogue features ever used
    int usedInWindow = 0; // catalogue features used in the window
    std::optional<double> breadth; // usedInWindow / catalogueFeatures
    std::optional<double> breadthEver;
    QList<CustomerFeature> features; // catalogue order by name, then at most 50 keys outside the catalogue
};

// ---- lifecycle ----------------------------------------------------------------------------------------------

struct LifecycleFacts
{
    QDate asOf;
    Domain::LifecycleStage stage = Domain::LifecycleStage::Onboarding;
    Domain::CustomerStatus status = Domain::CustomerStatus::Active;
    std::optional<Domain::HealthBand> healthBand; // latest score dated asOf−30 … asOf
    QDate healthDate;
    QDate renewalDate;
    int openOnboardingPlans = 0; // not_started, in_progress, stalled
    int completedOnboardingPlans = 0;
    int activeDays30 = 0; // days with usage in the 30 days ending asOf
    int openExpansionOpportunities = 0;
    std::optional<int> latestNps; // latest NPS answer dated asOf−180 … asOf
    QDate latestNpsDate;
};

struct LifecycleRule
{
    QString key;
    QList<Domain::LifecycleStage> from;
    Domain::LifecycleStage to = Domain::LifecycleStage::Adoption;
    QString condition; // in words
};

struct LifecycleRuleCheck
{
    bool holds = false;
    QString evidence; // the facts that decided it, in words
};

namespace LifecycleRules {
const QList<LifecycleRule> &table();
const LifecycleRule *find(const QString &key);
LifecycleRuleCheck check(const LifecycleRule &rule, const LifecycleFacts &facts);
// The first rule (table order) that applies to the facts' stage and holds; nullptr when none.
const LifecycleRule *propose(const LifecycleFacts &facts, LifecycleRuleCheck *check = nullptr);
} // namespace LifecycleRules

struct LifecycleProposal
{
    QString customerId;
    QString customerName;
    Domain::LifecycleStage from = Domain::LifecycleStage::Onboarding;
    Domain::LifecycleStage to = Domain::LifecycleStage::Adoption;
    QString rule;
    QString evidence;
    int customerVersion = 0; // the version the proposal was computed on (pass to transition)
};

struct LifecycleEvaluation
{
    QDate asOf;
    qint64 customersEvaluated = 0;
    qint64 total = 0; // proposals in all pages
    QMap<QString, qint64> byRule;
    QList<LifecycleProposal> items; // by customer id
    QString nextCursor;
};

struct LifecycleAllowedMove
{
    Domain::LifecycleStage to = Domain::LifecycleStage::Adoption;
    QString rule;
    QString condition;
    bool holds = false;
    QString evidence;
};

struct LifecycleState
{
    QString customerId;
    Domain::LifecycleStage stage = Domain::LifecycleStage::Onboarding;
    int customerVersion = 0;
    QDateTime since; // the latest transition into the stage; invalid when there is no recorded transition
    LifecycleFacts facts;
    QList<LifecycleAllowedMove> moves; // the rules leaving the current stage, with whether each holds now
    QList<Domain::LifecycleTransition> history; // newest first, at most 100
    qint64 historyTotal = 0;
};

struct LifecycleTransitionRequest
{
    QString customerId;
    Domain::LifecycleStage to = Domain::LifecycleStage::Adoption;
    QString reason; // required when forced; otherwise the rule's evidence is recorded when empty
    QString actor;
    bool force = false;
    int expectedVersion = 0; // the customer version the caller saw; 0 = the current one
};

struct LifecycleTransitionResult
{
    Domain::LifecycleTransition transition;
    QString rule; // empty when forced
    bool forced = false;
    int customerVersion = 0; // after the write
    qint64 timelineEventId = 0;
};

struct LifecycleApplySummary
{
    int applied = 0;
    QList<QPair<QString, QString>> skipped; // customer id, why (the rule no longer holds, a concurrent edit, ...)
};

// ---- adoption milestones ------------------------------------------------------------------------------------

struct MilestoneDefinition
{
    QString key;
    QString title;
    QString definition;
};

namespace AdoptionMilestones {
const QList<MilestoneDefinition> &definitions();
} // namespace AdoptionMilestones

struct CustomerMilestone
{
    MilestoneDefinition definition;
    bool achieved = false;
    QDateTime achievedAt;
    QVariantMap detail;
};

struct CustomerMilestones
{
    QString customerId;
    int achieved = 0;
    QList<CustomerMilestone> milestones; // every definition, in definition order
};

struct MilestoneDetection
{
    QDateTime asOf;
    qint64 customersChecked = 0;
    qint64 written = 0;
    QMap<QString, qint64> writtenByKey;
    double seconds = 0;
};

struct MilestoneSummaryRow
{
    MilestoneDefinition definition;
    qint64 achievedCustomers = 0; // live customers
    qint64 liveCustomers = 0;
    std::optional<double> share;
    qint64 withContractStart = 0; // achievers with a contract_start on or before the achievement
    std::optional<double> medianDaysFromStart; // contract_start → achieved_at, over those
};

// ---- engagement patterns ------------------------------------------------------------------------------------

enum class EngagementSignal { Normal, Drop, Spike, NotEnoughHistory };

struct WeeklyEngagement
{
    QDate weekStart;
    QDate weekEnd;
    qint64 events = 0;
    qint64 activeUsers = 0;
    bool inBaseline = false; // starts on or after the first usage day (and is not the latest week)
};

struct MetricAssessment
{
    QString metric; // events | active_users
    double latest = 0;
    EngagementSignal signal = EngagementSignal::NotEnoughHistory;
    QString reason;
    int baselineWeeks = 0;
    double mean = 0;
    double sd = 0;
    std::optional<double> zScore;
};

namespace EngagementMath {
// The anomaly rule on one metric: latest against the baseline values (see the header comment).
MetricAssessment assess(const QString &metric, double latest, const QList<double> &baseline,
    int minWeeks = EngagementRules::kMinBaselineWeeks, double threshold = EngagementRules::kAnomalyZ);
EngagementSignal combine(const MetricAssessment &a, const MetricAssessment &b);
} // namespace EngagementMath

struct EngagementPattern
{
    QString customerId;
    QDate asOf;
    QDate firstUsageDay; // invalid: no usage on record
    EngagementSignal signal = EngagementSignal::NotEnoughHistory;
    QString reason;
    QList<WeeklyEngagement> weeks; // oldest first; the last one is the latest week
    MetricAssessment events;
    MetricAssessment activeUsers;
    bool hasTimePattern = false; // false: no events in the 9 weeks
    std::array<qint64, 7> eventsByWeekday {}; // Monday … Sunday
    std::array<qint64, 24> eventsByHour {}; // UTC hours
    int peakWeekday = -1; // 0 = Monday; -1 without events
    int peakHour = -1;
    double weekendShare = 0; // Saturday + Sunday events / all
};

struct CustomerAnomaly
{
    QString customerId;
    QString name;
    QString owner;
    Domain::Tier tier = Domain::Tier::Smb;
    double arr = 0;
    EngagementSignal signal = EngagementSignal::Normal;
    MetricAssessment events;
    MetricAssessment activeUsers;
    // The most extreme defined z-score among the metrics that carry the signal; empty when the signal comes only
    // from a constant baseline (those rank first: no week of the baseline was ever like this one).
    std::optional<double> worstZ;
};

struct AnomalyScan
{
    QDate asOf;
    qint64 customersScanned = 0; // live, not churned
    qint64 withBaseline = 0;
    qint64 notEnoughHistory = 0;
    qint64 drops = 0;
    qint64 spikes = 0;
    qint64 total = 0; // anomalies matching the filter
    QList<CustomerAnomaly> items; // worst drops first (then biggest spikes)
    QString nextCursor;
};

struct AnomalyQuery
{
    QDate asOf; // default: yesterday
    bool drops = true;
    bool spikes = true;
    int limit = 25; // 1..200
    QString cursor;
};

class EngagementService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EngagementService)

public:
    static constexpr int kMaxLimit = 200;
    static constexpr int kMaxIdsPerCall = 1000;

    // timeline (optional): told about timeline events this service writes, so open timelines refresh.
    EngagementService(const Storage::Database &db, const Clock &clock, TimelineService *timeline = nullptr,
        QObject *parent = nullptr);

    // ---- usage ----
    // Aggregates usage_events into usage_daily (per feature, and the all-features row '') for from..to
    // (inclusive, at most 10 years), replacing what was there for those days; one transaction. Returns the rows
    // written. (Same rule as HealthService::rebuildDailyUsage.)
    Result<qint64> rebuildDailyUsage(QDate from, QDate to);
    Result<UsageReport> usage(const UsageQuery &query) const;

    // ---- feature adoption ----
    Result<FeatureAdoptionReport> featureAdoption(QDate from = {}, QDate to = {}) const;
    Result<CustomerFeatureAdoption> customerFeatureAdoption(
        const QString &customerId, QDate from = {}, QDate to = {}) const;

    // ---- lifecycle ----
    Result<LifecycleFacts> lifecycleFacts(const QString &customerId, QDate asOf = {}) const;
    Result<LifecycleState> lifecycle(const QString &customerId) const;
    Result<LifecycleTransitionResult> transition(const LifecycleTransitionRequest &request);
    // Proposals for every live customer (or the given ones, at most kMaxIdsPerCall), paged by customer id.
    Result<LifecycleEvaluation> evaluateRules(
        const QStringList &customerIds = {}, int limit = 100, const QString &cursor = {}) const;
    // transition() for each proposal (not forced: a rule that no longer holds is skipped with the reason).
    Result<LifecycleApplySummary> applyProposals(const QList<LifecycleProposal> &proposals, const QString &actor);

    // ---- adoption milestones ----
    // Detects and records milestones for every live customer (or the given ones). Idempotent.
    Result<MilestoneDetection> detectMilestones(const QStringList &customerIds = {});
    Result<CustomerMilestones> milestones(const QString &customerId) const;
    Result<QList<MilestoneSummaryRow>> milestoneSummary() const;

    // ---- engagement patterns ----
    Result<EngagementPattern> engagementPattern(const QString &customerId, QDate asOf = {}) const;
    // Every live, not churned customer against its own baseline; the anomalies, worst drops first, paged.
    Result<AnomalyScan> anomalies(const AnomalyQuery &query = {}) const;

Q_SIGNALS:
    void customerChanged(const QString &customerId);
    void lifecycleChanged(const QString &customerId, Domain::LifecycleStage from, Domain::LifecycleStage to);
    void milestonesRecorded(qint64 count);
    void dailyUsageRebuilt(QDate from, QDate to);

private:
    Status requireCustomer(const QString &customerId) const;
    void notifyTimeline(const QString &customerId);

    const Storage::Database &m_db;
    const Clock &m_clock;
    TimelineService *m_timeline = nullptr;
};

QString signalName(EngagementSignal signal);

} // namespace Core
