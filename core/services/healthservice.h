// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <functional>
#include <optional>

#include <QDate>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include "clock.h"
#include "database.h"
#include "error.h"
#include "health.h"

namespace Core {

// ============================================================================================================
// Health score (DESIGN.md §4 "Health score")
// ============================================================================================================
//
// Six components, each normalised to 0–100 from stored records. Notation: D = the scored day (`asOf`, UTC),
// L = the config's lookback_days, W = the L days ending with D (D−L+1 … D), P = the L days before W
// (D−2L+1 … D−L), S = the 3·L days ending with D. "On record" means any row dated on or before D. A component
// whose data is missing is *excluded* (never scored 0 or 50) and the remaining weights are renormalised:
//
//     score = Σ (w_i · s_i) / Σ w_i   over the included components with a configured weight w_i > 0.
//
// A customer with no included component gets no score at all (no row; "no data yet").
//
// usage — product use, from usage_daily all-features rows (feature ''):
//     included when the customer has usage on record (first active day F ≤ D).
//     frequency  = min(1, active_days(W) / (tracked_days / 7)), tracked_days = days of W on or after F:
//                  active on one day a week on average (a weekly-active account) maps to 1, none to 0.
//     trend      = min(1, events(W) / events(P)), only when usage was on record for all of P (F ≤ first day
//                  of P) and events(P) > 0: holding or growing volume maps to 1, falling to zero maps to 0.
//     usage      = 100 · mean(frequency, trend)  (100 · frequency when trend is not available).
//
// engagement — breadth of use and two-way contact:
//     seat_breadth = min(1, peak_daily_users(W) / (kBreadthSeatShare · seats_purchased)), when the active
//                    contracts name seats_purchased > 0 and usage is on record. usage_daily keeps distinct
//                    users per day, so the busiest day's active users stand for "users reached"; a quarter of
//                    the purchased seats active on one day maps to 1. (Distinct users over the whole window
//                    would need a scan of the raw usage_events on every recompute.)
//     touches      = min(1, touches(W) / (kTouchesPer30Days · L / 30)), touches = survey responses + inbound
//                    communications + meetings in W; included when the customer has any such touch on record.
//                    Two a month map to 1, none to 0.
//     engagement   = 100 · mean of the available sub-signals.
//
// support — support burden, inverted: tickets opened in W (support_tickets, not deleted), escalations and
// SLA breaches among them, plus escalation records without a ticket opened in W:
//     points = tickets + kBreachPoints · breached + kEscalationPoints · escalated
//     size   = max(10, seats_purchased) / 10 when seats are known, else max(10 000, ARR) / 10 000
//     rate   = points · (30 / L) / size          (points per 10 seats, or per $10k ARR, per 30 days)
//     support = 100 · max(0, 1 − rate / kSupportRateAtZero); included when the customer has any ticket or
//     escalation on record (a customer we hold no support data for is not "burden-free", it is unknown).
//     A ticket is breached when its first-response or resolution due time passed before the end of D and the
//     response/resolution came later (or not at all).
//
// satisfaction — survey answers in S (surveys run quarterly; one lookback would leave most customers without a
// reading) and ratings of the tickets opened in W: NPS 0–10 → 10·score, CSAT 1–5 → 25·(score − 1), ticket
// CSAT 1–5 → 25·(csat − 1); satisfaction = mean over all those answers. CES is left out: whether 7 means
// "easy" or "hard" depends on how the question was worded. Excluded when there is no answer.
//
// financial — contracts covering D (start_date ≤ D ≤ end_date, not cancelled, not deleted), summed:
//     seat_utilisation = min(1, Σ seats_used / Σ seats_purchased) when both are known
//     payment          = worst payment_status: current 1, late 0.5, overdue 0.2, failed 0
//     financial        = 100 · mean of the available sub-signals; excluded without a covering contract that
//                        has either. seats_used and payment_status are current snapshots (no history).
//
// onboarding — milestone completion against due dates, for plans that are open (not cancelled, started on or
// before D) or were completed within W: over the milestones due on or before D (skipped ones left out)
//     onboarding = 100 · (on_time + 0.5 · late) / due
// on_time = completed by the end of its due day (and by the end of D), late = completed after the due day
// but by the end of D, the rest are overdue (0). Excluded without such a plan or while no milestone is due.
//
// Component scores are rounded to 0.1 and the total is computed from the rounded components (so the
// contributions shown add up to the score), then rounded to 0.1. The band comes from the config
// (green ≥ green_threshold, yellow ≥ yellow_threshold, red below).
//
// Configuration: health_scoring_configs rows are immutable versions. The first use on a database without any
// creates version 1 from defaultConfig(); a new config gets the next version and, when activated, replaces the
// active one of its scope (portfolio-wide, or one static segment). A customer in static segments with an
// active config is scored with the highest such version, everyone else with the portfolio-wide one. Every
// stored score records config_version.
//
// History: one health_scores row per customer and day (UPSERT on (customer_id, score_date)); its components
// JSON holds {score, weight} per included component, weight being the effective (renormalised) weight.
// A customer's first stored score, and a score that changes band or moves by kTimelineMinChange points or more
// against the customer's previous stored score, is recorded on the timeline (kind score_change, source
// health_scores "<date>/<customer>").

// The component keys, in the order explanations list them.
namespace HealthComponents {
inline const QString Usage = QStringLiteral("usage");
inline const QString Engagement = QStringLiteral("engagement");
inline const QString Support = QStringLiteral("support");
inline const QString Satisfaction = QStringLiteral("satisfaction");
inline const QString Financial = QStringLiteral("financial");
inline const QString Onboarding = QStringLiteral("onboarding");
QStringList all();
} // namespace HealthComponents

// The normalisation constants of the formulas above, in one place.
namespace HealthRules {
inline constexpr double kActiveDaysPerWeekForFullUsage = 1.0;
inline constexpr double kBreadthSeatShare = 0.25;
inline constexpr double kTouchesPer30Days = 2.0;
inline constexpr double kBreachPoints = 2.0;
inline constexpr double kEscalationPoints = 3.0;
inline constexpr double kSupportRateAtZero = 3.0;
inline constexpr double kLatePaymentFactor = 0.5;
inline constexpr double kOverduePaymentFactor = 0.2;
inline constexpr double kLateMilestoneCredit = 0.5;
inline constexpr int kSatisfactionWindowFactor = 3;
inline constexpr double kTimelineMinChange = 10.0;
inline constexpr double kTrendStableBand = 5.0; // |change| below this over a trend window = stable
} // namespace HealthRules

// The raw numbers one customer's components are computed from (all counts over the windows defined above).
struct HealthInputs
{
    enum class Payment { Unknown, Current, Late, Overdue, Failed };

    QDate asOf;
    int lookbackDays = 30;
    // usage and engagement (usage_daily)
    QDate firstUsageDay; // invalid: no usage on record
    int activeDays = 0; // in W
    qint64 events = 0; // in W
    qint64 previousEvents = 0; // in P
    int peakDailyUsers = 0; // in W
    int touches = 0; // in W
    bool touchesOnRecord = false; // any survey answer, inbound message or meeting on record
    // support
    bool supportOnRecord = false; // any ticket or escalation on record
    int tickets = 0; // opened in W
    int breachedTickets = 0;
    int escalations = 0;
    // satisfaction (S)
    int npsAnswers = 0;
    double npsSum = 0;
    int csatAnswers = 0;
    double csatSum = 0;
    int ticketCsatAnswers = 0; // ratings of tickets opened in W

    double ticketCsatSum = 0;
    // financial and size
    double arr = 0;
    std::optional<qint64> seatsPurchased; // Σ over the contracts covering D
    std::optional<qint64> seatsUsed;
    Payment payment = Payment::Unknown;
    // onboarding
    int onboardingPlans = 0;
    int milestonesDue = 0;
    int milestonesOnTime = 0;
    int milestonesLate = 0;

    QVariantMap toMap(const QString &component) const; // the raw inputs one component used
};

// The formulas, as pure functions of the inputs (unit-tested with hand-computed values). Each returns the
// unrounded 0–100 score, or nothing when the component has no data.
namespace HealthFormulas {
std::optional<double> usage(const HealthInputs &in);
std::optional<double> engagement(const HealthInputs &in);
std::optional<double> support(const HealthInputs &in);
std::optional<double> satisfaction(const HealthInputs &in);
std::optional<double> financial(const HealthInputs &in);
std::optional<double> onboarding(const HealthInputs &in);
std::optional<double> component(const QString &key, const HealthInputs &in);
// Why a component is excluded (empty when it is included).
QString exclusionReason(const QString &key, const HealthInputs &in);
double round1(double value);
} // namespace HealthFormulas

// One component of one customer's score.
struct HealthComponent
{
    QString key;
    bool included = false;
    double score = 0; // 0..100 (rounded to 0.1), meaningful only when included
    double configuredWeight = 0; // as in the config
    double weight = 0; // effective, after renormalisation over the included components; 0 when excluded
    double contribution = 0; // weight · score: the points this component adds to the total
    QString reason; // excluded: why; included: what was measured
    QVariantMap inputs; // the raw numbers behind it (counts, dates as ISO text)
};

// How one component's contribution changed between two scores.
struct HealthComponentMove
{
    QString key;
    std::optional<double> scoreBefore; // empty: the component was not part of the earlier score
    std::optional<double> scoreNow;
    double contributionBefore = 0;
    double contributionNow = 0;
    double change = 0; // contributionNow − contributionBefore, in score points
};

// The score of one customer on one day with its explanation.
struct HealthExplanation
{
    QString customerId;
    QDate asOf;
    bool hasData = false; // false: no component has data (or the customer is churned); see reason
    QString reason;
    double score = 0;
    Domain::HealthBand band = Domain::HealthBand::Red;
    int configVersion = 0;
    QString configName;
    int lookbackDays = 0;
    double greenThreshold = 0;
    double yellowThreshold = 0;
    QList<HealthComponent> components; // all six, in HealthComponents::all() order
    // What moved the score since last week: against the latest stored score dated 7 or more days earlier.
    bool hasComparison = false;
    QString comparisonReason; // why there is no comparison
    QDate comparedWith;
    double previousScore = 0;
    Domain::HealthBand previousBand = Domain::HealthBand::Red;
    double scoreChange = 0;
    QList<HealthComponentMove> moves; // largest |change| first; components that did not move are left out
    bool stored = false; // written to health_scores by this call
};

struct HealthTrendPoint
{
    QDate day;
    double score = 0;
    Domain::HealthBand band = Domain::HealthBand::Red;
};

// Stored daily scores over the `days` ending with asOf.
struct HealthTrend
{
    int days = 0;
    bool hasData = false; // false with fewer than two scores in the window
    QString reason;
    QList<HealthTrendPoint> points; // oldest first, at most `days`
    double firstScore = 0;
    double lastScore = 0;
    double change = 0; // last − first
    double slopePerDay = 0; // least squares over the points
    double minScore = 0;
    double maxScore = 0;
    QString direction; // improving | declining | stable (|change| < kTrendStableBand)
};

struct HealthTrends
{
    QString customerId;
    QDate asOf;
    HealthTrend week; // 7 days
    HealthTrend month; // 30 days
};

// The portfolio's stored scores on one day.
struct PortfolioHealth
{
    QDate scoreDate; // the latest day with scores on or before the requested one
    bool hasData = false;
    QString reason;
    qint64 scored = 0;
    qint64 green = 0;
    qint64 yellow = 0;
    qint64 red = 0;
    qint64 liveCustomers = 0; // live, not churned: scored + those without data
    double averageScore = 0;
};

struct RecomputeSummary
{
    QDate asOf;
    qint64 customers = 0; // live customers considered
    qint64 scored = 0;
    qint64 unscored = 0; // no component had data
    qint64 green = 0;
    qint64 yellow = 0;
    qint64 red = 0;
    qint64 timelineEvents = 0; // first scores, band changes and moves ≥ kTimelineMinChange
    qint64 dailyUsageRowsRebuilt = 0; // usage_daily rows rebuilt from usage_events first (see recomputeAll)
    QList<int> configVersions; // the config versions used
    double seconds = 0;
};

// Progress (stage, done, total) and cancellation for long recomputes (STYLE.md "Async work").
struct RecomputeControl
{
    std::function<void(const QString &stage, qint64 done, qint64 total)> progress;
    std::function<bool()> isCancelled;
    // true: a whole-portfolio recompute on SQLite reads its inputs on two connections (this thread's and a helper
    // thread's). Same results. Off by default: on the shared 2-core build machine (load 3–5) it cost more CPU
    // than it saved wall time; worth re-measuring on an idle multi-core machine (bench_health --parallel-reads).
    bool parallelReads = false;
};

// Health scores: computation, history, trend, explanation and the versioned scoring configuration. The window
// and the MCP tools (calculate_health_score, get_client_overview, config://scoring) call these same methods.
class HealthService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthService)

public:
    HealthService(const Storage::Database &db, const Clock &clock, QObject *parent = nullptr);

    // ---- configuration ----
    // Version 1 of a fresh portfolio: weights usage 0.30, engagement 0.15, support 0.15, satisfaction 0.20,
    // financial 0.10, onboarding 0.10; green ≥ 70, yellow ≥ 40; lookback 30 days.
    static Domain::HealthScoringConfig defaultConfig();
    // The active config for a segment (empty = portfolio-wide; a segment without its own falls back to it).
    // Creates version 1 when the table is empty.
    Result<Domain::HealthScoringConfig> activeConfig(std::optional<qint64> segmentId = {});
    Result<Domain::HealthScoringConfig> config(int version) const;
    Result<QList<Domain::HealthScoringConfig>> configs(int limit = 50) const; // newest first, limit 1..500
    // Stores `draft` (name, segment_id, weights, thresholds, lookback_days, note, created_by; version and
    // is_active are assigned) as the next version; weights must name known components and sum to 1 ± 0.01.
    // Per-segment configs need a live static segment.
    Result<Domain::HealthScoringConfig> createConfig(const Domain::HealthScoringConfig &draft, bool activate = true);
    Result<Domain::HealthScoringConfig> activateConfig(int version);

    // ---- computing and storing ----
    // Scores every live customer for asOf (default: today) with set-based queries, writes health_scores in one
    // transaction, records band changes on the timeline. When usage_daily holds nothing for the windows but
    // usage_events does (e.g. after a raw import), usage_daily is first rebuilt from the events (same
    // transaction). Cancelled (ErrorCode::Cancelled) = nothing written.
    Result<RecomputeSummary> recomputeAll(QDate asOf = {}, const RecomputeControl &control = {});
    // The same for some customers (after their data changed). Unknown ids → NotFound naming customer_ids.
    Result<RecomputeSummary> recomputeCustomers(
        const QStringList &customerIds, QDate asOf = {}, const RecomputeControl &control = {});
    // Aggregates usage_events into usage_daily (per feature and the all-features row) for from..to, replacing
    // what was there for those days. Returns the number of usage_daily rows written.
    Result<qint64> rebuildDailyUsage(QDate from, QDate to);

    // ---- reading ----
    // Computes (does not store) the score of one customer with its explanation and the moves since last week.
    Result<HealthExplanation> explain(const QString &customerId, QDate asOf = {});
    // Computes, stores (as recomputeCustomers) and explains.
    Result<HealthExplanation> calculate(const QString &customerId, QDate asOf = {});
    // The latest stored score on or before `onOrBefore` (default: today); empty when there is none.
    Result<std::optional<Domain::HealthScore>> latestScore(const QString &customerId, QDate onOrBefore = {}) const;
    // Stored scores from..to (inclusive), oldest first, at most `limit` (1..1000).
    Result<QList<Domain::HealthScore>> history(const QString &customerId, QDate from, QDate to, int limit = 400) const;
    Result<HealthTrends> trend(const QString &customerId, QDate asOf = {}) const;
    Result<PortfolioHealth> portfolioSummary(QDate asOf = {}) const;

Q_SIGNALS:
    // After a committed recompute of the whole portfolio: the number of customers scored (views reload). A
    // customer-scoped one emits customerScoreChanged for each customer it covered instead, so that an agent
    // scoring one customer does not make every open view reload the portfolio.
    void scoresRecomputed(int count);
    void customerScoreChanged(const QString &customerId);
    // A config version was created or activated (including the default version 1 on first use).
    void scoringConfigChanged(int version);

private:
    Result<RecomputeSummary> recompute(const QStringList *customerIds, QDate asOf, const RecomputeControl &control);
    Status ensureDefaultConfig();
    Status requireCustomer(const QString &customerId) const;
    QDate dayOrToday(QDate day) const;

    const Storage::Database &m_db;
    const Clock &m_clock;
};

} // namespace Core
