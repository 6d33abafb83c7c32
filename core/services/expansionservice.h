// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QDate>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantList>

#include "clock.h"
#include "customer.h"
#include "error.h"
#include "listquery.h"
#include "renewalservice.h"
#include "revenue.h"
#include "tables_revenue.h"

namespace Core {

// ---- pure formulas, unit-tested with hand-computed values ------------------------------------------------------
namespace Expansion {

// Seat utilisation from which an upsell of seats is suggested, and the utilisation a purchase should bring the
// account back to (20 % headroom).
inline constexpr double UpsellUtilisation = 0.90;
inline constexpr double HeadroomUtilisation = 0.80;
// Cross-sell: a premium feature is suggested when at least this share of the customer's active tier peers
// (at least MinPeers of them) used it in the last 90 days.
inline constexpr double CrossSellPeerAdoption = 0.25;
inline constexpr int CrossSellMinPeers = 5;
// Expansion to another team: average daily active users of the last 30 days at least 20 % above the 30
// before, from an average of at least one active user a day.
inline constexpr double ExpansionActiveUserGrowth = 0.20;
// Score weights (renormalised over the parts that have data, like the health score, DESIGN.md §4).
inline constexpr double SignalWeight = 0.5;
inline constexpr double HealthWeight = 0.3;
inline constexpr double TenureWeight = 0.2;
inline constexpr int FullTenureDays = 730; // two years as a customer counts fully

// score = 100 × (0.5 × signal + 0.3 × health / 100 + 0.2 × min(tenure days / 730, 1)) / (sum of the weights of
// the parts present). Health and tenure are left out (not scored 0) when unknown.
double opportunityScore(double signalStrength, std::optional<double> healthScore, std::optional<int> tenureDays);
// Upsell signal: 0 at 80 % seat utilisation, 1 at 120 % and above: clamp((u − 0.8) / 0.4, 0, 1).
double upsellSignal(double utilisation);
// Seats to buy so that the seats in use fill 80 % of those bought: ceil(used / 0.8) − purchased, at least 0.
int seatsForHeadroom(int seatsUsed, int seatsPurchased);
// Expansion signal from active-user growth g (0.25 = +25 %): clamp(g / 0.5, 0, 1).
double expansionSignal(double activeUserGrowth);
// The median of the values; empty for an empty list (no data, not 0).
std::optional<double> median(QList<double> values);
// Lifetime value = ARR × gross margin / annual churn rate; empty when the churn rate is 0 (an unbounded
// lifetime is not a number we state) or the inputs are out of range.
std::optional<double> lifetimeValue(double arr, double grossMargin, double annualChurnRate);

} // namespace Expansion

// ---- detection ------------------------------------------------------------------------------------------------

struct ExpansionScanQuery
{
    QList<Domain::ExpansionKind> kinds; // empty = upsell, cross-sell and expansion
    QString customerId; // empty = the whole portfolio
    double minScore = 0; // 0..100
    // Record each candidate as an opportunity (stage identified), or refresh the score and evidence of an open
    // one still at stage identified. Re-running never duplicates (one open opportunity per customer, kind and
    // product).
    bool persist = false;
    int limit = 25; // 1..200 candidates returned (all of them are persisted when persist is set)
};

struct ExpansionCandidate
{
    QString customerId;
    QString customerName;
    Domain::Tier tier = Domain::Tier::Smb;
    double customerArr = 0;
    Domain::ExpansionKind kind = Domain::ExpansionKind::Upsell;
    QString product; // "seats", a premium feature key, or "new_team"
    QString title;
    std::optional<double> estimatedArr; // empty when the data gives no basis for an estimate
    QString estimateBasis; // how estimatedArr was computed, or why there is none
    double score = 0; // 0..100, see Expansion::opportunityScore
    QVariantList evidence; // [{signal, value, detail}], the data points behind the candidate
    std::optional<qint64> opportunityId; // the open (or just recorded) opportunity for it
    QString opportunityStage;
};

struct ExpansionScan
{
    bool hasData = false;
    QString reason;
    QDate asOf;
    int customersScanned = 0; // active, live customers looked at
    int skippedRedHealth = 0; // not pitched to: latest health band is red
    qint64 total = 0; // candidates at or above minScore
    int upsell = 0;
    int crossSell = 0;
    int expansion = 0;
    QList<ExpansionCandidate> items; // best score first, up to limit
    int created = 0; // with persist: new opportunities
    int refreshed = 0; // with persist: open "identified" opportunities whose score/evidence were updated
    QStringList notes; // signals that could not be assessed (and why), and data-source fallbacks used
};

// ---- the opportunity pipeline ---------------------------------------------------------------------------------

struct OpportunityQuery
{
    QString customerId;
    std::optional<Domain::ExpansionKind> kind;
    std::optional<Domain::ExpansionStage> stage;
    bool openOnly = true;
    int limit = 25; // 1..200; best score first
    QString cursor;
};

struct OpportunityUpdate
{
    qint64 opportunityId = 0;
    Domain::ExpansionStage stage = Domain::ExpansionStage::Qualified;
    std::optional<double> wonArr; // required (> 0) when won: the ARR added
    QString lostReason; // required when lost
    QDate closedOn; // won/lost: invalid = today; never in the future
    QString actor;
    QString notes; // appended
    int expectedVersion = 0; // 0 = any
};

// A change of a customer's ARR outside a renewal (mid-term seats, price change): expansion/contraction tracking.
struct ArrChange
{
    QString customerId;
    double newArr = 0; // > 0; a churn goes through RenewalService::closeRenewal
    QDate effectiveOn; // invalid = today; never in the future
    QString reason;
    QString actor;
};

// ---- track_revenue_expansion ---------------------------------------------------------------------------------------

struct ArrMovementTotals
{
    QString label;
    QDate from;
    QDate to;
    int movements = 0;
    double newArr = 0;
    double expansionArr = 0;
    double reactivationArr = 0;
    double contractionArr = 0;
    double churnArr = 0;
    double netArr = 0; // new + expansion + reactivation − contraction − churn
};

struct CustomerArrChange
{
    QString customerId;
    QString customerName;
    double netArr = 0;
};

struct RevenueExpansionReport
{
    bool hasData = false;
    QString reason;
    ArrMovementTotals total;
    QList<ArrMovementTotals> periods;
    QList<CustomerArrChange> topExpanders; // up to 10, largest net gain in the period
    QList<CustomerArrChange> topContractors; // up to 10, largest net loss
    // The opportunity pipeline now, and what closed in the period.
    int openOpportunities = 0;
    double openEstimatedArr = 0;
    int openUpsell = 0;
    int openCrossSell = 0;
    int openExpansion = 0;
    int wonInPeriod = 0;
    double wonArrInPeriod = 0;
    int lostInPeriod = 0;
    std::optional<double> winRate; // won / (won + lost) closed in the period
};

// ---- lifetime value (optimize_customer_lifetime_value) -------------------------------------------------------------

struct LifetimeValueQuery
{
    std::optional<double> grossMargin; // 0 < m ≤ 1; empty = the stored setting revenue.gross_margin
    QString customerId; // empty = the portfolio (average active customer) and each tier
};

struct TierLifetimeValue
{
    Domain::Tier tier = Domain::Tier::Smb;
    int activeCustomers = 0;
    double averageArr = 0;
    std::optional<double> annualChurnRate; // the tier's own trailing-year gross ARR churn
    std::optional<double> ltv;
    QString reason; // why ltv is empty
};

// LTV = ARR × gross margin / annual churn rate. The annual churn rate is the portfolio's own gross ARR churn over
// the trailing year, 1 − GRR(today − 1 year + 1 day .. today) from the ARR ledger: what the cohort active a year
// ago lost to contraction and churn, over what it started with. No history a year back, a churn rate of 0 (an
// unbounded lifetime) or no configured gross margin: no LTV, and `reason` says which.
struct LifetimeValue
{
    bool hasData = false;
    QString reason;
    QString formula;
    std::optional<double> grossMargin;
    QString grossMarginSource; // "argument" or "setting"; empty when not configured
    RetentionRates churnBasis; // the trailing-year GRR/NRR the churn rate comes from
    std::optional<double> annualChurnRate;
    std::optional<double> expectedLifetimeYears; // 1 / annual churn rate
    QString customerId;
    int activeCustomers = 0; // portfolio: active customers with ARR
    double arr = 0; // the customer's ARR, or the average ARR of active customers
    std::optional<double> ltv;
    QList<TierLifetimeValue> byTier; // portfolio only
};

// Expansion: upsell / cross-sell / expansion opportunities detected from data (seat utilisation, feature
// adoption, active-user growth, health, tenure), the opportunity pipeline, ARR expansion/contraction tracking
// and customer lifetime value.
class ExpansionService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExpansionService)

public:
    ExpansionService(const Storage::Database &db, const Clock &clock, QObject *parent = nullptr);

    Result<ExpansionScan> identifyOpportunities(const ExpansionScanQuery &query);

    Result<Storage::Page<Domain::ExpansionOpportunity>> opportunities(const OpportunityQuery &query) const;
    Result<Domain::ExpansionOpportunity> opportunity(qint64 opportunityId) const;
    // A manually found opportunity (open stages only).
    Result<Domain::ExpansionOpportunity> createOpportunity(const Domain::ExpansionOpportunity &opportunity);
    // Moves an open opportunity along; won adds an expansion ARR movement, raises the customer's ARR and writes
    // a timeline event, lost records the reason and a timeline event — in one transaction.
    Result<Domain::ExpansionOpportunity> updateOpportunityStage(const OpportunityUpdate &update);

    // Records a mid-term ARR change: an expansion or contraction movement (reactivation/new from 0), the
    // customer's new ARR and a timeline event, in one transaction.
    Result<Domain::ArrMovement> recordArrChange(const ArrChange &change);
    Result<RevenueExpansionReport> revenueExpansion(
        const QDate &from, const QDate &to, PeriodGranularity granularity = PeriodGranularity::Month) const;

    Result<LifetimeValue> lifetimeValue(const LifetimeValueQuery &query) const;
    // The gross margin lifetime value uses unless a call passes one (app setting revenue.gross_margin).
    Status setGrossMargin(double grossMargin);
    Result<std::optional<double>> grossMargin() const;

Q_SIGNALS:
    void opportunityChanged(qint64 opportunityId, const QString &customerId);
    void opportunitiesIdentified(int created, int refreshed);
    void customerArrChanged(const QString &customerId);

private:
    const Storage::Database &m_db;
    const Clock &m_clock;
    Storage::ExpansionOpportunityRepository m_opportunities;
};

} // namespace Core
