// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <functional>
#include <optional>

#include <QDate>
#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include "clock.h"
#include "database.h"
#include "error.h"
#include "health.h"

namespace Core {

// One reason behind a customer's churn risk: the model input, in words with the customer's own value, and how
// far it moves the log-odds (coefficient × standardised value; > 0 raises the risk).
struct ChurnDriver
{
    QString feature; // the model input, e.g. "usage_trend_30d", "custom.plan=basic"
    QString label; // e.g. "usage down 45% vs previous 30 days"
    double contribution = 0;
    std::optional<double> value; // the raw value (empty for a category)
};

// A churn-risk assessment of one customer.
struct ChurnRisk
{
    QString customerId;
    QString customerName;
    double probability = 0; // p(churn), see ChurnService for what it means
    Domain::ChurnRiskLevel riskLevel = Domain::ChurnRiskLevel::Low;
    int modelVersion = 0;
    Domain::ChurnModelSource modelSource = Domain::ChurnModelSource::Default;
    QList<ChurnDriver> drivers; // strongest first (by |contribution|), at most 5
    // Inputs without data, imputed with the model's mean ("no NPS answer in the last 180 days"); filled by fresh
    // assessments only (a stored prediction keeps its drivers, not this list).
    QStringList missingData;
    QDate asOf; // the day the inputs describe (windows end the day before)
    QDateTime predictedAt; // when stored; invalid for an assessment that was not stored
};

struct ChurnCalibrationRow
{
    int bin = 0;
    int count = 0;
    double minPredicted = 0;
    double maxPredicted = 0;
    double meanPredicted = 0;
    double observedRate = 0;
};

// One model input with its coefficient (per standard deviation of the input) and its standardisation.
struct ChurnCoefficient
{
    QString feature;
    QString label; // e.g. "usage trend, last 30 vs previous 30 days"
    double coefficient = 0;
    double oddsRatio = 1; // e^coefficient: risk odds multiply by this per standard deviation
    double mean = 0; // also the value a missing input is imputed with
    double sd = 1;
};

struct ChurnModelInfo
{
    int version = 0;
    Domain::ChurnModelSource source = Domain::ChurnModelSource::Default;
    bool isActive = false;
    QDateTime trainedAt;
    int sampleCount = 0;
    int churnedCount = 0;
    int retainedCount = 0;
    std::optional<int> cvFolds;
    std::optional<double> cvAuc; // mean over folds; empty for the default model (never evaluated)
    double intercept = 0;
    QList<ChurnCoefficient> coefficients; // strongest first
    QList<ChurnCalibrationRow> calibration;
    QString note; // how it was built
    QString caveat; // for the default model: it is untrained, say so wherever its numbers are shown
};

struct ChurnTrainingOptions
{
    int folds = 5; // 2..10
    int horizonDays = 30; // features of a churned customer are taken this many days before churned_at (7..365)
    std::optional<double> l2; // fixed λ; empty = chosen by nested cross-validation from a grid
    quint64 seed = 0x43534465736BULL; // fold assignment: stableHash(customer id, seed)
    bool activate = true; // make the new version the active model
    int minimumPerClass = 10; // refuse to train with fewer churned or retained examples
    // Long training (STYLE.md "Async work"): `progress` hears of each step (stage, step done, steps in all) and
    // `isCancelled` is asked between steps; a cancelled training stores nothing and returns ErrorCode::Cancelled.
    std::function<void(const QString &stage, int done, int total)> progress;
    std::function<bool()> isCancelled;
};

// Scoring the whole portfolio (identify_churn_risk rescore, the monitors): on 100k customers it takes seconds, so it
// reports progress and can be cancelled, like trainModel.
struct ChurnScoringOptions
{
    // Stages: "features" (0 of N customers, before the features are read), then "scoring" after every `progressEvery`
    // customers and once with N of N. Not called when there is no active customer.
    std::function<void(const QString &stage, int done, int total)> progress;
    // Asked before the features are read and between batches; a cancelled scoring stores nothing (the transaction
    // is rolled back) and returns ErrorCode::Cancelled.
    std::function<bool()> isCancelled;
    int progressEvery = 1000; // customers per progress report (1..)
};

struct ChurnTrainingReport
{
    ChurnModelInfo model;
    bool activated = false;
    int horizonDays = 30;
    QStringList excluded; // customers left out, with counts and why
    QStringList droppedFeatures; // candidate inputs not used, and why
    QList<double> foldAuc;
    double cvAucMean = 0;
    double cvAucSd = 0;
    std::optional<double> pooledAuc; // AUC of all out-of-fold predictions together
    std::optional<double> brierScore; // of the out-of-fold predictions
    double l2 = 0;
    QList<double> foldL2; // λ chosen inside each outer fold
    double baseRate = 0; // share of churned examples in the training set
    bool converged = false;
    int iterations = 0;
    QList<ChurnCoefficient> topDrivers; // the strongest inputs (up to 8)
    QString summary; // one paragraph a CSM can read
};

struct ChurnPortfolioScoring
{
    bool hasData = false;
    QString reason; // why there is nothing, when hasData is false
    int modelVersion = 0;
    Domain::ChurnModelSource modelSource = Domain::ChurnModelSource::Default;
    QString caveat;
    QDate asOf;
    QDateTime predictedAt;
    int scored = 0;
    int low = 0;
    int medium = 0;
    int high = 0;
    int critical = 0;
    double meanProbability = 0;
    double expectedChurnedCustomers = 0; // Σ p
    double arrWeightedRisk = 0; // Σ p × current ARR
};

struct ChurnRiskQuery
{
    std::optional<Domain::ChurnRiskLevel> minimumLevel; // e.g. High = high and critical
    QString owner; // the CSM; empty = everyone
    int limit = 25; // 1..200
    QString cursor;
};

struct ChurnRiskPage
{
    bool hasData = false;
    QString reason;
    QList<ChurnRisk> items; // highest probability first (ties by customer id)
    qint64 total = 0;
    QString nextCursor;
    int activeModelVersion = 0;
    int predictionsFromOtherModels = 0; // rows of this query predicted by a model other than the active one
    QDateTime latestPredictionAt;
};

// Churn risk (DESIGN.md §4 "Churn risk"; tools identify_churn_risk, train_churn_model, score_risk_factors,
// analyze_churn_postmortem): a class-weighted, L2-regularised logistic regression over what the portfolio
// knows about a customer, trained in the app on the portfolio's own history and evaluated by stratified
// k-fold cross-validation. Before there is a trained model, version 1 holds default coefficients from domain
// reasoning (source 'default'); every number it yields says that it is untrained.
//
// Inputs, all "as of" a day D and computed from rows dated before D (set-based queries):
//   usage_events_30d (log 1 + events in [D−30, D)), usage_trend_30d (ln((events last 30 d + 1) / (events the 30 d
//   before + 1))), active_days_30d, days_since_last_use (capped at 90) — from usage_daily (all-features rows), or
//   from usage_events when usage_daily is empty; tickets_90d, urgent_tickets_90d (P0/P1 or escalated),
//   open_tickets (log 1 + n); nps_mean_180d, csat_mean_180d (+ a "no answer" indicator); tenure_months
//   (log 1 + months since the first contract); arr (ln ARR as of D from the arr_movements ledger, else
//   customers.arr; 0 counts as unknown); contract_type, tier, industry (one-hot, up to 8 levels + other);
//   health.<component> (the latest health_scores row in [D−90, D), components JSON); custom.<field> from
//   customers.custom_fields (numeric when every value parses as a number — ln(1 + x) when non-negative and
//   skewed — with a "not set" indicator; else categorical: one-hot of the most frequent levels + other).
// A source with no rows at all in the portfolio (no usage imported, say) is missing for everyone, not zero.
// Missing values are imputed with the training mean (standardised value 0: no contribution).
class ChurnService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChurnService)

public:
    ChurnService(const Storage::Database &db, const Clock &clock, QObject *parent = nullptr);

    // Risk levels on p(churn): low < 0.15 ≤ medium < 0.30 ≤ high < 0.50 ≤ critical.
    static Domain::ChurnRiskLevel riskLevelFor(double probability);

    // The active model; on a database without any model, stores the default model as version 1 first.
    Result<ChurnModelInfo> activeModel();
    Result<ChurnModelInfo> model(int version) const;
    // Newest first, at most `limit` (1..100).
    Result<QList<ChurnModelInfo>> models(int limit = 25) const;
    // Makes an existing version the active one (e.g. back to an earlier model).
    Result<ChurnModelInfo> activateModel(int version);

    // Trains a new model version on the portfolio's history. InvalidArgument when there are fewer than
    // minimumPerClass churned or retained customers (the message says how many there are).
    Result<ChurnTrainingReport> trainModel(const ChurnTrainingOptions &options = {});

    // Scores one active customer now with the active model and stores the prediction.
    Result<ChurnRisk> scoreCustomer(const QString &customerId);
    // Scores every active customer now (one set-based pass) and stores one prediction each, in one transaction.
    Result<ChurnPortfolioScoring> scorePortfolio(const ChurnScoringOptions &options = {});
    // What the active model says about a customer as of a past day, e.g. 30 days before a churn (postmortem);
    // not stored. Works for churned customers too.
    Result<ChurnRisk> assessAsOf(const QString &customerId, const QDate &asOf);

    // The latest stored prediction of one customer; empty when it was never scored.
    Result<std::optional<ChurnRisk>> latestRisk(const QString &customerId) const;
    // The latest stored prediction of each active customer, highest risk first, paged.
    Result<ChurnRiskPage> portfolioRisk(const ChurnRiskQuery &query = {}) const;

Q_SIGNALS:
    void modelChanged(int version); // trained, or another version activated
    void portfolioScored(int modelVersion);
    void customerRiskChanged(const QString &customerId);

private:
    const Storage::Database &m_db;
    const Clock &m_clock;
};

} // namespace Core
