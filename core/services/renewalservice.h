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
#include "health.h"
#include "listquery.h"
#include "revenue.h"
#include "tables_revenue.h"

namespace Core {

// Where the p(renew) of one renewal came from (DESIGN.md §4, renewal forecast).
enum class RenewProbabilitySource {
    ChurnPrediction, // 1 − p(churn) of the customer's latest churn prediction (as of the Clock)
    RenewalAssessment, // the renewal's own stored probability (a CSM's or agent's assessment)
    Unknown, // neither exists: the forecast counts this ARR as "without probability", never guesses
};

enum class RenewalCheckpoint { T180, T90 };

// Period length of a GRR/NRR series and of acquisition cohorts.
enum class PeriodGranularity { Month, Quarter, Year };

} // namespace Core

namespace Domain {
CS_ENUM_NAMES(Core::RenewProbabilitySource, { Core::RenewProbabilitySource::ChurnPrediction, "churn_prediction" },
    { Core::RenewProbabilitySource::RenewalAssessment, "renewal_assessment" },
    { Core::RenewProbabilitySource::Unknown, "unknown" });
CS_ENUM_NAMES(
    Core::RenewalCheckpoint, { Core::RenewalCheckpoint::T180, "t180" }, { Core::RenewalCheckpoint::T90, "t90" });
CS_ENUM_NAMES(Core::PeriodGranularity, { Core::PeriodGranularity::Month, "month" },
    { Core::PeriodGranularity::Quarter, "quarter" }, { Core::PeriodGranularity::Year, "year" });
} // namespace Domain

namespace Core {

struct RenewProbability
{
    std::optional<double> value; // p(renew), 0..1; empty = unknown
    RenewProbabilitySource source = RenewProbabilitySource::Unknown;
    QDateTime assessedAt; // when the prediction was made / the renewal last assessed
};

// ---- pure formulas (DESIGN.md §4), unit-tested with hand-computed values --------------------------------------
namespace Revenue {
// NRR = (start ARR + expansion − contraction − churn) / start ARR; empty when start ARR is 0 (no cohort).
std::optional<double> netRevenueRetention(double startArr, double expansion, double contraction, double churn);
// GRR = (start − contraction − churn) / start, never above 100 % (expansion is not in it) and, for a cohort
// that lost more than it started with (it expanded first, then churned), floored at 0.
std::optional<double> grossRevenueRetention(double startArr, double contraction, double churn);
// p(renew) by the rule of the issue: the latest churn prediction wins, then the renewal's own probability.
RenewProbability resolveRenewProbability(std::optional<double> latestChurnProbability, const QDateTime &predictedAt,
    std::optional<double> renewalProbability, const QDateTime &assessedAt);
// The first day of the period (month, quarter or year) that contains `day`, and the first day of the next one.
QDate periodStart(const QDate &day, PeriodGranularity granularity);
QDate nextPeriodStart(const QDate &start, PeriodGranularity granularity);
// "2026-03", "2026-Q1", "2026".
QString periodLabel(const QDate &start, PeriodGranularity granularity);
} // namespace Revenue

// ---- the pipeline ---------------------------------------------------------------------------------------------

struct RenewalPipelineQuery
{
    QDate from; // renewal_date range, inclusive; invalid = open-ended
    QDate to;
    bool openOnly = true; // only renewals without an outcome
    std::optional<Domain::RenewalStage> stage;
    QString owner; // the renewal's owner, or the customer's owner when the renewal has none
    QString customerId;
    int limit = 25; // 1..200
    QString cursor;
};

struct RenewalPipelineItem
{
    Domain::Renewal renewal;
    QString customerName;
    Domain::Tier tier = Domain::Tier::Smb;
    QString customerOwner;
    int daysUntil = 0; // renewal date − today; negative = past its date and still open
    RenewProbability pRenew;
    std::optional<double> forecastArr; // p(renew) × arr_current, when p is known
    std::optional<double> healthScore; // latest health score (as of the Clock), when one exists
    std::optional<Domain::HealthBand> healthBand;
    QDate healthScoreDate;
};

// ---- forecast -------------------------------------------------------------------------------------------------

struct RenewalForecastQuery
{
    QDate from; // required: renewals due in [from, to]
    QDate to;
    QString owner;
    std::optional<Domain::Tier> tier;
    int topLimit = 10; // how many of the largest expected losses to list (0..100)
};

struct RenewalForecastMonth
{
    QString month; // yyyy-MM
    int openRenewals = 0;
    double openArr = 0;
    double forecastArr = 0;
    double arrWithoutProbability = 0;
};

// Renewal forecast = Σ p(renew) × ARR over the open renewals due in the period (DESIGN.md §4). ARR whose p is
// unknown is reported apart (arrWithoutProbability), not folded in at a guessed probability.
struct RenewalForecast
{
    bool hasData = false;
    QString reason; // why there is nothing to forecast, when hasData is false
    QDate from;
    QDate to;
    int openRenewals = 0;
    double openArr = 0;
    double forecastArr = 0; // Σ p × arr_current over renewals with a known p
    double expectedLossArr = 0; // Σ (1 − p) × arr_current over the same renewals
    int renewalsWithProbability = 0;
    double arrWithProbability = 0;
    int renewalsWithoutProbability = 0;
    double arrWithoutProbability = 0;
    std::optional<double> weightedProbability; // forecastArr / arrWithProbability
    int fromChurnPrediction = 0;
    int fromRenewalAssessment = 0;
    // Renewals of the period that already closed (actuals, not forecast).
    int closedRenewals = 0;
    double closedArrUp = 0; // their arr_current
    double closedRetainedArr = 0; // outcome_arr of renewed, expanded and downgraded ones
    double closedChurnedArr = 0; // arr_current of churned ones
    QList<RenewalForecastMonth> months;
    QList<RenewalPipelineItem> largestExpectedLosses; // open renewals by (1 − p) × ARR, then unknown p by ARR
};

// ---- ARR at risk ------------------------------------------------------------------------------------------------

struct ArrAtRiskQuery
{
    int withinDays = 90; // renewals dated today .. today + withinDays (1..3650)
    QString owner;
    int limit = 25; // accounts listed (1..200)
};

struct ArrAtRiskAccount
{
    qint64 renewalId = 0;
    QString customerId;
    QString customerName;
    QDate renewalDate;
    int daysUntil = 0;
    double arr = 0;
    double healthScore = 0;
    QDate healthScoreDate;
    RenewProbability pRenew;
};

// ARR at risk = ARR of red-band accounts (latest health score) renewing within N days (DESIGN.md §4).
struct ArrAtRisk
{
    bool hasData = false;
    QString reason;
    int withinDays = 0;
    QDate from;
    QDate to;
    int renewalsInWindow = 0;
    double arrInWindow = 0;
    int redRenewals = 0;
    double arrAtRisk = 0;
    std::optional<double> shareOfWindowArr; // arrAtRisk / arrInWindow
    int renewalsWithoutHealthScore = 0; // their ARR is not known to be safe or at risk
    double arrWithoutHealthScore = 0;
    QList<ArrAtRiskAccount> accounts; // largest ARR first, up to the query's limit
};

// ---- checkpoints ------------------------------------------------------------------------------------------------

struct CheckpointQuery
{
    QString owner;
    int limit = 50; // 1..200
    QString cursor;
};

// An open renewal at or past T−180 and/or T−90 whose review has not been held.
struct CheckpointDue
{
    qint64 renewalId = 0;
    QString customerId;
    QString customerName;
    QString owner;
    QDate renewalDate;
    int daysUntil = 0;
    double arr = 0;
    bool t180Missing = false; // today ≥ renewal date − 180 and not done
    bool t90Missing = false; // today ≥ renewal date − 90 and not done
    int daysSinceT180Due = 0; // today − (renewal date − 180), when t180Missing
    int daysSinceT90Due = 0;
};

struct CheckpointReport
{
    QDate today;
    QList<CheckpointDue> items; // by renewal date, soonest first
    qint64 total = 0; // renewals with at least one missing checkpoint
    int t180Missing = 0;
    int t90Missing = 0;
    QString nextCursor;
};

// ---- closing a renewal --------------------------------------------------------------------------------------------

struct RenewalClosure
{
    qint64 renewalId = 0;
    Domain::RenewalOutcome outcome = Domain::RenewalOutcome::None; // required
    // The ARR after the renewal. renewed: defaults to arr_current (and must equal it); expanded: above
    // arr_current; downgraded: between 0 and arr_current; churned: 0 (the default).
    std::optional<double> outcomeArr;
    QDate closedOn; // invalid = today; never in the future
    QString actor;
    QString notes; // appended to the renewal's notes
    int expectedVersion = 0; // 0 = any
};

// ---- GRR / NRR ------------------------------------------------------------------------------------------------------

struct RetentionFilter
{
    std::optional<Domain::Tier> tier;
    QString owner;
};

// GRR and NRR of one period from the ARR ledger (arr_movements), DESIGN.md §4. The cohort is the customers
// active at period start: ARR from their movements dated before `from` above zero. Movements dated in
// [from, to] change it: expansion (plus reactivation, should a cohort member come back within the period),
// contraction and churn. Customers that start during the period are not in it.
struct RetentionRates
{
    bool hasData = false;
    QString reason;
    QString label; // the period ("2026-Q1"), or the cohort in a cohort breakdown
    QDate from;
    QDate to;
    int cohortCustomers = 0;
    double startArr = 0;
    double expansionArr = 0;
    double contractionArr = 0;
    double churnArr = 0;
    double endArr = 0; // startArr + expansion − contraction − churn
    int churnedCustomers = 0; // cohort members at ARR 0 at the end of the period
    // Active customers with ARR but no movement in the ledger at all (e.g. imported without history): they cannot
    // be in any cohort, so the rates leave them out; this says how many.
    int customersOutsideLedger = 0;
    std::optional<double> nrr; // fraction: 1.0 = 100 %
    std::optional<double> grr;
};

// ---- renewal brief (negotiate_renewals)
// ------------------------------------------------------------------------------

struct BriefSignal
{
    QString kind; // "risk" or "strength"
    QString key; // e.g. "usage_decline", stable for agents
    QString text; // one sentence quoting the numbers
};

struct RenewalBrief
{
    Domain::Renewal renewal;
    QString customerName;
    Domain::Tier tier = Domain::Tier::Smb;
    double customerArr = 0;
    int daysUntil = 0;
    RenewProbability pRenew;

    struct Health
    {
        bool hasData = false;
        QString reason;
        double latest = 0;
        Domain::HealthBand band = Domain::HealthBand::Red;
        QDate date;
        std::optional<double> score30DaysAgo; // latest score dated on or before today − 30
        std::optional<double> score90DaysAgo;
        std::optional<double> change30; // points
        std::optional<double> change90;
    } health;

    struct Usage
    {
        bool hasData = false;
        QString reason;
        qint64 events30 = 0; // last 30 days (today − 29 .. today)
        qint64 eventsPrevious30 = 0; // the 30 days before
        double averageDailyActiveUsers30 = 0;
        double averageDailyActiveUsersPrevious30 = 0;
        std::optional<double> eventsChange; // fraction: −0.25 = 25 % fewer events
        std::optional<double> activeUsersChange;
        std::optional<int> seatsPurchased; // the current contract's
        std::optional<int> seatsUsed;
        std::optional<double> seatUtilisation;
    } usage;

    struct Support
    {
        int openTickets = 0;
        int openUrgentTickets = 0; // p0 and p1
        int ticketsOpened90 = 0;
        QDateTime oldestOpenSince;
        std::optional<double> averageCsat90; // 1..5, tickets rated in the last 90 days
    } support;

    struct Nps
    {
        bool hasData = false;
        QString reason;
        int responses = 0; // last 365 days
        int promoters = 0;
        int passives = 0;
        int detractors = 0;
        std::optional<double> nps; // % promoters − % detractors, −100..100 (DESIGN.md §4)
        std::optional<int> latestScore;
        QDateTime latestAt;
    } nps;

    QList<Domain::ExpansionOpportunity> openOpportunities; // up to 10, best score first
    QList<Domain::Contract> contracts; // up to 10, newest first
    QList<Domain::Renewal> pastRenewals; // closed, up to 10, newest first
    QList<Domain::ArrMovement> arrMovements; // up to 10, newest first
    QList<BriefSignal> evidenceSignals; // risks and strengths, each quoting its numbers
};

// Renewals: the pipeline, the forecast, ARR at risk, T−180/T−90 checkpoints, closing renewals (with their ARR
// movement and timeline event), GRR/NRR and the renewal brief. Every number is read from the portfolio
// database; "now" comes from the Clock.
class RenewalService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RenewalService)

public:
    RenewalService(const Storage::Database &db, const Clock &clock, QObject *parent = nullptr);

    Result<Storage::Page<RenewalPipelineItem>> pipeline(const RenewalPipelineQuery &query) const;
    Result<RenewalPipelineItem> renewal(qint64 renewalId) const;
    // A new open renewal of a customer (no outcome: use closeRenewal()).
    Result<Domain::Renewal> createRenewal(const Domain::Renewal &renewal);
    // Changes an open renewal (stage among the open ones, date, probability, proposed ARR, owner, notes).
    // Optimistic: renewal.meta.version must be the stored one.
    Result<Domain::Renewal> updateRenewal(const Domain::Renewal &renewal);

    Result<RenewalForecast> forecast(const RenewalForecastQuery &query) const;
    Result<ArrAtRisk> arrAtRisk(const ArrAtRiskQuery &query) const;

    Result<CheckpointReport> checkpointsDue(const CheckpointQuery &query) const;
    // Marks a checkpoint review as held and writes a timeline event, in one transaction. Marking one that is
    // already done changes nothing (no second event).
    Result<Domain::Renewal> markCheckpointDone(
        qint64 renewalId, RenewalCheckpoint checkpoint, const QString &actor, const QString &note = {});

    // Closes a renewal in one transaction: the renewal's stage/outcome, an ARR movement for any change
    // (expansion, contraction or churn), the customer's ARR (or churned status) and a timeline event.
    Result<Domain::Renewal> closeRenewal(const RenewalClosure &closure);

    Result<RetentionRates> retention(const QDate &from, const QDate &to, const RetentionFilter &filter = {}) const;
    // One RetentionRates per calendar period overlapping [from, to] (at most 120): each measured over its whole
    // calendar span, except that none runs past `to` or today; periods that start after today say so.
    Result<QList<RetentionRates>> retentionByPeriod(
        const QDate &from, const QDate &to, PeriodGranularity granularity, const RetentionFilter &filter = {}) const;
    // The period [from, to] broken down by acquisition cohort: customers grouped by the period of their first
    // "new" ARR movement (their first movement when they have none).
    Result<QList<RetentionRates>> retentionByCohort(
        const QDate &from, const QDate &to, PeriodGranularity cohortSize, const RetentionFilter &filter = {}) const;

    Result<RenewalBrief> renewalBrief(qint64 renewalId) const;
    // The brief of the customer's next open renewal (NotFound naming customer_id when there is none).
    Result<RenewalBrief> renewalBriefForCustomer(const QString &customerId) const;

Q_SIGNALS:
    void renewalChanged(qint64 renewalId, const QString &customerId);
    void customerArrChanged(const QString &customerId);

private:
    Result<QList<RenewalPipelineItem>> enrich(const QList<Domain::Renewal> &renewals) const;

    const Storage::Database &m_db;
    const Clock &m_clock;
    Storage::RenewalRepository m_renewals;
};

// GRR/NRR of [from, to] from the ARR ledger; shared with ExpansionService (lifetime value uses 1 − GRR of the
// trailing year as the annual churn rate).
Result<RetentionRates> measureRetention(
    const Storage::Database &db, const QDate &from, const QDate &to, const RetentionFilter &filter);

} // namespace Core
