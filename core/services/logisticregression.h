// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>
#include <vector>

#include <QStringView>

#include "error.h"

// Regularised logistic regression and the metrics that judge it: pure arithmetic (no database, no Qt Sql), so
// it is unit-tested on hand-computed values and reusable beyond churn (DESIGN.md §4 "Churn risk").
//
// The model: p(y = 1 | x) = σ(β₀ + Σⱼ βⱼ·zⱼ), with zⱼ the standardised inputs. Fitted by minimising
//     Σᵢ wᵢ·[log(1 + e^ηᵢ) − yᵢ·ηᵢ] + (λ/2)·Σⱼ βⱼ²        (ηᵢ = β₀ + Σⱼ βⱼ·zᵢⱼ, intercept not penalised)
// with Newton–Raphson (= iteratively reweighted least squares, Hastie/Tibshirani/Friedman, ESL §4.4.1) and
// step halving, so every step decreases the objective. With λ > 0 the objective is strictly convex and the
// minimum exists even for separable data; with λ = 0 and separable data it does not, and the fit says so
// (converged = false) instead of returning whatever the last iteration held.
namespace Core::Stats {

// Dense row-major matrix: one row per example, one column per model input, no intercept column.
// NaN marks a missing value (the Standardiser imputes it with the column mean).
class Matrix
{
public:
    Matrix() = default;
    Matrix(int rows, int cols, double fill = 0.0);
    static Matrix fromRows(const std::vector<std::vector<double>> &rows);

    int rows() const { return m_rows; }
    int cols() const { return m_cols; }
    double operator()(int r, int c) const { return m_values[std::size_t(r) * std::size_t(m_cols) + std::size_t(c)]; }
    double &operator()(int r, int c) { return m_values[std::size_t(r) * std::size_t(m_cols) + std::size_t(c)]; }
    const double *row(int r) const { return m_values.data() + std::size_t(r) * std::size_t(m_cols); }
    Matrix selectRows(const std::vector<int> &rows) const;

private:
    int m_rows = 0;
    int m_cols = 0;
    std::vector<double> m_values;
};

double sigmoid(double z);
double softplus(double z); // log(1 + e^z) without overflow
double logit(double p); // log(p / (1 − p)); ±inf at 0 and 1

// z = (x − mean) / sd per column, with the population standard deviation (divisor n, like scikit-learn's
// StandardScaler) over the values present. A missing value (NaN) becomes z = 0, i.e. it is imputed with the
// column mean; a constant (or entirely missing) column gets sd = 1, so all its z are 0 and it cannot move the
// model. z is clipped to ±clip so one extreme value (a typo in an imported file) cannot dominate a prediction.
struct Standardiser
{
    std::vector<double> means;
    std::vector<double> sds;
    double clip = 5.0;

    // Over `rows` of x (every row when empty).
    static Standardiser fit(const Matrix &x, const std::vector<int> &rows = {});
    double z(int column, double value) const;
    Matrix apply(const Matrix &x) const;
};

struct FitOptions
{
    double l2 = 1.0; // λ, in units of (weighted) examples; must be ≥ 0
    int maxIterations = 100;
    double tolerance = 1e-9; // converged when no coefficient moves more than tolerance·(1 + max|θ|)
};

struct Model
{
    double intercept = 0;
    std::vector<double> coefficients; // one per column of the standardised inputs
    bool converged = false;
    int iterations = 0;
    double objective = 0; // the minimised penalised, weighted negative log-likelihood

    double linearPredictor(const double *z) const;
    double probability(const double *z) const { return sigmoid(linearPredictor(z)); }
};

// z: standardised inputs without NaN; y: 0 or 1; weights: ≥ 0 per row (empty = all 1). `start` warm-starts
// (a neighbouring λ's solution when scanning a grid). Invalid input is an InvalidArgument naming it.
Result<Model> fitLogistic(const Matrix &z, const std::vector<double> &y, const std::vector<double> &weights,
    const FitOptions &options, const Model *start = nullptr);

// Class weights n / (2·n_class): both classes then weigh n/2 in total, so a rare class (churners are 5–15 % of
// a portfolio) is not drowned by the common one (King & Zeng 2001, "Logistic regression in rare events data").
std::vector<double> balancedWeights(const std::vector<double> &y);

// After a balanced-weight fit the model behaves as if half the examples were positive. Adding logit(π), with π
// the true share of positives, to the intercept restores probabilities on the real scale (King & Zeng 2001,
// prior correction: β₀ − ln[((1 − τ)/τ)·(ȳ/(1 − ȳ))] with τ = π and the weighted ȳ = ½).
double priorCorrectionFor(double positiveShare);

// Area under the ROC curve as the Mann–Whitney statistic: the share of (positive, negative) pairs in which the
// positive scores higher, a tie counting ½ (Hanley & McNeil 1982). Computed from mid-ranks in O(n log n).
// Empty when either class is absent (the AUC is undefined, not 0.5).
std::optional<double> auc(const std::vector<double> &scores, const std::vector<double> &labels);

// Mean squared error of probabilities (Brier 1950). Empty for no examples.
std::optional<double> brierScore(const std::vector<double> &probabilities, const std::vector<double> &labels);

// Weighted mean negative log-likelihood, probabilities clamped to [1e-15, 1 − 1e-15]. Empty for no weight.
std::optional<double> logLoss(
    const std::vector<double> &probabilities, const std::vector<double> &labels, const std::vector<double> &weights);

// Reliability table: examples sorted by predicted probability and split into `bins` groups of (nearly) equal
// size, bin b holding sorted positions [⌊b·n/B⌋, ⌊(b+1)·n/B⌋) with B = min(bins, n); per bin the mean prediction
// next to the observed positive rate (deciles when bins = 10; DeGroot & Fienberg 1983).
struct CalibrationBin
{
    int bin = 0; // 1-based
    int count = 0;
    double minPredicted = 0;
    double maxPredicted = 0;
    double meanPredicted = 0;
    double observedRate = 0;
};
std::vector<CalibrationBin> calibrationBins(
    const std::vector<double> &probabilities, const std::vector<double> &labels, int bins = 10);

// Mean and sample standard deviation (divisor n − 1; 0 for a single value). Empty for no values.
struct MeanSd
{
    double mean = 0;
    double sd = 0;
    int count = 0;
};
std::optional<MeanSd> meanAndSd(const std::vector<double> &values);

// A platform-independent 64-bit hash of text (FNV-1a over UTF-16 code units, finished with SplitMix64), so a
// customer lands in the same cross-validation fold on every machine and in every run with the same seed.
quint64 stableHash(QStringView text, quint64 seed);

// Stratified, deterministic k-fold assignment: within each class, rows sorted by (key, row) are dealt to folds
// 0, 1, …, k−1, 0, …; the negatives continue where the positives stopped, so fold sizes differ by at most one
// and every fold holds ⌊n_class/k⌋ or ⌈n_class/k⌉ of each class. The order of the input rows does not matter.
std::vector<int> stratifiedFolds(const std::vector<quint64> &keys, const std::vector<double> &labels, int folds);

// What training does with raw inputs (NaN = missing): standardise on the training rows, weigh the classes,
// fit, and correct the intercept to the training rows' share of positives.
struct TrainedModel
{
    Standardiser standardiser;
    Model model; // intercept already prior-corrected when class-weighted
    double l2 = 0;
    double positiveShare = 0;

    double probability(const double *rawRow) const;
};
Result<TrainedModel> train(const Matrix &x, const std::vector<double> &y, const std::vector<int> &rows, double l2,
    bool classWeighted, const FitOptions &options = {});

struct CrossValidationOptions
{
    int folds = 5;
    // One value: fixed λ. Several: λ chosen inside each training fold by an inner stratified CV (nested, so the
    // reported AUC is not biased upwards by the choice), by the lowest class-weighted log-loss.
    std::vector<double> l2Grid { 1.0 };
    int innerFolds = 3;
    bool classWeighted = true;
    FitOptions fit;
};

struct CrossValidation
{
    std::vector<int> folds; // fold of each row
    std::vector<double> outOfFold; // each row's probability from the model that did not see it
    std::vector<double> foldAuc; // per fold (a fold without both classes is skipped)
    std::optional<MeanSd> aucMeanSd; // mean ± sample sd over folds
    std::optional<double> pooledAuc; // AUC of all out-of-fold predictions together
    std::vector<double> foldL2; // λ used in each fold
    bool allConverged = true;
};

// keys: one stable hash per row (stableHash of the customer id) that fixes the fold assignment.
Result<CrossValidation> crossValidate(const Matrix &x, const std::vector<double> &y, const std::vector<quint64> &keys,
    const CrossValidationOptions &options);

// The λ of `grid` with the lowest out-of-fold class-weighted log-loss over a stratified CV of `rows` (ties: the
// larger λ, the simpler model).
Result<double> selectL2(const Matrix &x, const std::vector<double> &y, const std::vector<quint64> &keys,
    const std::vector<int> &rows, const std::vector<double> &grid, int folds, bool classWeighted,
    const FitOptions &options = {});

} // namespace Core::Stats
