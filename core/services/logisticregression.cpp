// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "logisticregression.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace Core::Stats {

using namespace Qt::StringLiterals;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool isLabel(double y)
{
    return y == 0.0 || y == 1.0;
}

// In-place Cholesky factorisation A = L·Lᵀ of a symmetric n×n matrix (row-major, lower triangle used).
// False when A is not (numerically) positive definite.
bool cholesky(std::vector<double> &a, int n)
{
    for (int j = 0; j < n; ++j) {
        double d = a[std::size_t(j * n + j)];
        for (int k = 0; k < j; ++k)
            d -= a[std::size_t(j * n + k)] * a[std::size_t(j * n + k)];
        if (!(d > 0) || !std::isfinite(d))
            return false;
        const double l = std::sqrt(d);
        a[std::size_t(j * n + j)] = l;
        for (int i = j + 1; i < n; ++i) {
            double s = a[std::size_t(i * n + j)];
            for (int k = 0; k < j; ++k)
                s -= a[std::size_t(i * n + k)] * a[std::size_t(j * n + k)];
            a[std::size_t(i * n + j)] = s / l;
        }
    }
    return true;
}

// Solves L·Lᵀ·x = b with the factor from cholesky().
std::vector<double> choleskySolve(const std::vector<double> &l, int n, std::vector<double> b)
{
    for (int i = 0; i < n; ++i) {
        double s = b[std::size_t(i)];
        for (int k = 0; k < i; ++k)
            s -= l[std::size_t(i * n + k)] * b[std::size_t(k)];
        b[std::size_t(i)] = s / l[std::size_t(i * n + i)];
    }
    for (int i = n - 1; i >= 0; --i) {
        double s = b[std::size_t(i)];
        for (int k = i + 1; k < n; ++k)
            s -= l[std::size_t(k * n + i)] * b[std::size_t(k)];
        b[std::size_t(i)] = s / l[std::size_t(i * n + i)];
    }
    return b;
}

// θ = (β₀, β₁, …, β_p).
double linear(const std::vector<double> &theta, const double *z, int p)
{
    double eta = theta[0];
    for (int j = 0; j < p; ++j)
        eta += theta[std::size_t(j + 1)] * z[j];
    return eta;
}

double objectiveAt(const Matrix &z, const std::vector<double> &y, const std::vector<double> &w,
    const std::vector<double> &theta, double l2)
{
    const int p = z.cols();
    double f = 0;
    for (int i = 0; i < z.rows(); ++i) {
        const double eta = linear(theta, z.row(i), p);
        f += w[std::size_t(i)] * (softplus(eta) - y[std::size_t(i)] * eta);
    }
    double penalty = 0;
    for (int j = 1; j <= p; ++j)
        penalty += theta[std::size_t(j)] * theta[std::size_t(j)];
    return f + 0.5 * l2 * penalty;
}

quint64 splitMix64(quint64 z)
{
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::vector<int> allRows(int n)
{
    std::vector<int> rows(static_cast<std::size_t>(n), 0);
    std::iota(rows.begin(), rows.end(), 0);
    return rows;
}

} // namespace

// ------------------------------------------------------------------------------------------------------------
// Matrix

Matrix::Matrix(int rows, int cols, double fill)
    : m_rows(std::max(0, rows))
    , m_cols(std::max(0, cols))
    , m_values(std::size_t(m_rows) * std::size_t(m_cols), fill)
{ }

Matrix Matrix::fromRows(const std::vector<std::vector<double>> &rows)
{
    const int cols = rows.empty() ? 0 : int(rows.front().size());
    Matrix m(int(rows.size()), cols);
    for (int r = 0; r < m.rows(); ++r) {
        for (int c = 0; c < cols && c < int(rows[std::size_t(r)].size()); ++c)
            m(r, c) = rows[std::size_t(r)][std::size_t(c)];
    }
    return m;
}

Matrix Matrix::selectRows(const std::vector<int> &rows) const
{
    Matrix m(int(rows.size()), m_cols);
    for (int r = 0; r < m.rows(); ++r)
        std::copy_n(row(rows[std::size_t(r)]), m_cols,
            m.m_values.begin() + std::ptrdiff_t(std::size_t(r) * std::size_t(m_cols)));
    return m;
}

// ------------------------------------------------------------------------------------------------------------
// Link

double sigmoid(double z)
{
    // Two branches so that exp() never overflows.
    if (z >= 0)
        return 1.0 / (1.0 + std::exp(-z));
    const double e = std::exp(z);
    return e / (1.0 + e);
}

double softplus(double z)
{
    return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

double logit(double p)
{
    return std::log(p) - std::log1p(-p);
}

// ------------------------------------------------------------------------------------------------------------
// Standardiser

Standardiser Standardiser::fit(const Matrix &x, const std::vector<int> &rows)
{
    const std::vector<int> use = rows.empty() ? allRows(x.rows()) : rows;
    Standardiser s;
    s.means.assign(std::size_t(x.cols()), 0.0);
    s.sds.assign(std::size_t(x.cols()), 1.0);
    for (int c = 0; c < x.cols(); ++c) {
        double sum = 0;
        int n = 0;
        for (int r : use) {
            const double v = x(r, c);
            if (!std::isnan(v)) {
                sum += v;
                ++n;
            }
        }
        if (n == 0)
            continue;
        const double mean = sum / n;
        double ss = 0;
        for (int r : use) {
            const double v = x(r, c);
            if (!std::isnan(v))
                ss += (v - mean) * (v - mean);
        }
        const double sd = std::sqrt(ss / n);
        s.means[std::size_t(c)] = mean;
        // Relative threshold: a column that varies only by rounding noise is constant.
        s.sds[std::size_t(c)] = sd > 1e-12 * std::max(1.0, std::abs(mean)) ? sd : 1.0;
    }
    return s;
}

double Standardiser::z(int column, double value) const
{
    if (std::isnan(value))
        return 0.0;
    const double v = (value - means[std::size_t(column)]) / sds[std::size_t(column)];
    return clip > 0 ? std::clamp(v, -clip, clip) : v;
}

Matrix Standardiser::apply(const Matrix &x) const
{
    Matrix out(x.rows(), x.cols());
    for (int r = 0; r < x.rows(); ++r) {
        for (int c = 0; c < x.cols(); ++c)
            out(r, c) = z(c, x(r, c));
    }
    return out;
}

// ------------------------------------------------------------------------------------------------------------
// Fitting

double Model::linearPredictor(const double *z) const
{
    double eta = intercept;
    for (std::size_t j = 0; j < coefficients.size(); ++j)
        eta += coefficients[j] * z[j];
    return eta;
}

Result<Model> fitLogistic(const Matrix &z, const std::vector<double> &y, const std::vector<double> &weights,
    const FitOptions &options, const Model *start)
{
    const int n = z.rows();
    const int p = z.cols();
    if (n == 0)
        return Error::invalid(u"rows"_s, u"there are no examples to fit"_s);
    if (int(y.size()) != n)
        return Error::invalid(u"labels"_s, u"must hold one label per row (%1 rows, %2 labels)"_s.arg(n).arg(y.size()));
    if (!weights.empty() && int(weights.size()) != n)
        return Error::invalid(u"weights"_s, u"must hold one weight per row or be empty"_s);
    if (!(options.l2 >= 0) || !std::isfinite(options.l2))
        return Error::invalid(u"l2"_s, u"must be a finite number ≥ 0"_s);
    if (options.maxIterations < 1)
        return Error::invalid(u"max_iterations"_s, u"must be at least 1"_s);
    for (int i = 0; i < n; ++i) {
        if (!isLabel(y[std::size_t(i)]))
            return Error::invalid(u"labels"_s, u"row %1: a label must be 0 or 1"_s.arg(i));
        if (!weights.empty() && (!(weights[std::size_t(i)] >= 0) || !std::isfinite(weights[std::size_t(i)])))
            return Error::invalid(u"weights"_s, u"row %1: a weight must be a finite number ≥ 0"_s.arg(i));
        for (int j = 0; j < p; ++j) {
            if (!std::isfinite(z(i, j)))
                return Error::invalid(u"inputs"_s, u"row %1, column %2 is not a finite number"_s.arg(i).arg(j));
        }
    }
    std::vector<double> w = weights.empty() ? std::vector<double>(std::size_t(n), 1.0) : weights;

    const int k = p + 1;
    std::vector<double> theta(static_cast<std::size_t>(k), 0.0);
    if (start && int(start->coefficients.size()) == p) {
        theta[0] = start->intercept;
        std::copy(start->coefficients.begin(), start->coefficients.end(), theta.begin() + 1);
    } else {
        // Start at the weighted base rate: the intercept-only optimum, a few Newton steps closer to the answer.
        double wy = 0;
        double wsum = 0;
        for (int i = 0; i < n; ++i) {
            wy += w[std::size_t(i)] * y[std::size_t(i)];
            wsum += w[std::size_t(i)];
        }
        if (wsum > 0 && wy > 0 && wy < wsum)
            theta[0] = logit(wy / wsum);
    }

    Model model;
    double f = objectiveAt(z, y, w, theta, options.l2);
    std::vector<double> gradient(static_cast<std::size_t>(k));
    std::vector<double> hessian(std::size_t(k) * std::size_t(k));
    for (int iteration = 1; iteration <= options.maxIterations; ++iteration) {
        model.iterations = iteration;
        std::fill(gradient.begin(), gradient.end(), 0.0);
        std::fill(hessian.begin(), hessian.end(), 0.0);
        for (int i = 0; i < n; ++i) {
            const double *row = z.row(i);
            const double prob = sigmoid(linear(theta, row, p));
            const double wi = w[std::size_t(i)];
            const double r = wi * (prob - y[std::size_t(i)]);
            const double h = wi * prob * (1.0 - prob);
            gradient[0] += r;
            hessian[0] += h;
            for (int a = 0; a < p; ++a) {
                const double za = row[a];
                gradient[std::size_t(a + 1)] += r * za;
                const double hz = h * za;
                hessian[std::size_t((a + 1) * k)] += hz; // column 0 of row a+1 (lower triangle)
                double *hrow = hessian.data() + std::size_t((a + 1) * k + 1);
                for (int b = 0; b <= a; ++b)
                    hrow[b] += hz * row[b];
            }
        }
        for (int j = 1; j < k; ++j) {
            gradient[std::size_t(j)] += options.l2 * theta[std::size_t(j)];
            hessian[std::size_t(j * k + j)] += options.l2;
        }
        // A vanishing curvature on the intercept (every prediction at 0 or 1) would make H singular; a ridge far
        // below any real curvature keeps the factorisation defined without moving the optimum measurably.
        hessian[0] += 1e-12 * std::max(1.0, hessian[0]);
        std::vector<double> factor = hessian;
        if (!cholesky(factor, k))
            break; // not positive definite: λ = 0 on separable data, no finite optimum
        std::vector<double> minusGradient(gradient.size());
        std::transform(gradient.begin(), gradient.end(), minusGradient.begin(), [](double g) { return -g; });
        const std::vector<double> step = choleskySolve(factor, k, minusGradient);
        double slope = 0; // gᵀΔ < 0 for a descent direction
        for (int j = 0; j < k; ++j)
            slope += gradient[std::size_t(j)] * step[std::size_t(j)];

        // Step halving with the Armijo condition: Newton's full step can overshoot far from the optimum.
        double t = 1.0;
        std::vector<double> next(static_cast<std::size_t>(k));
        double fNext = f;
        bool accepted = false;
        for (int halving = 0; halving < 60; ++halving) {
            for (int j = 0; j < k; ++j)
                next[std::size_t(j)] = theta[std::size_t(j)] + t * step[std::size_t(j)];
            fNext = objectiveAt(z, y, w, next, options.l2);
            if (std::isfinite(fNext) && fNext <= f + 1e-4 * t * slope) {
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        double maxMove = 0;
        double maxTheta = 0;
        for (int j = 0; j < k; ++j) {
            maxMove = std::max(maxMove, std::abs(t * step[std::size_t(j)]));
            maxTheta = std::max(maxTheta, std::abs(theta[std::size_t(j)]));
        }
        if (!accepted) {
            // No decrease even for a tiny step: we are at the optimum to machine precision, or the problem has
            // no finite optimum. Only the first is convergence.
            model.converged = maxMove <= options.tolerance * (1.0 + maxTheta);
            break;
        }
        theta = next;
        f = fNext;
        if (maxMove <= options.tolerance * (1.0 + maxTheta)) {
            model.converged = true;
            break;
        }
    }
    model.intercept = theta[0];
    model.coefficients.assign(theta.begin() + 1, theta.end());
    model.objective = f;
    return model;
}

std::vector<double> balancedWeights(const std::vector<double> &y)
{
    const double n = double(y.size());
    const double positives = double(std::count(y.begin(), y.end(), 1.0));
    const double negatives = n - positives;
    std::vector<double> w(y.size(), 1.0);
    if (positives == 0 || negatives == 0)
        return w;
    for (std::size_t i = 0; i < y.size(); ++i)
        w[i] = y[i] == 1.0 ? n / (2.0 * positives) : n / (2.0 * negatives);
    return w;
}

double priorCorrectionFor(double positiveShare)
{
    return logit(positiveShare);
}

// ------------------------------------------------------------------------------------------------------------
// Metrics

std::optional<double> auc(const std::vector<double> &scores, const std::vector<double> &labels)
{
    const std::size_t n = std::min(scores.size(), labels.size());
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
    // Mann–Whitney U from the positives' rank sum, tied scores sharing their mean rank (each tied
    // positive/negative pair then counts ½).
    double positiveRankSum = 0;
    double positives = 0;
    std::size_t i = 0;
    while (i < n) {
        std::size_t j = i;
        while (j + 1 < n && scores[order[j + 1]] == scores[order[i]])
            ++j;
        const double midRank = (double(i) + double(j)) / 2.0 + 1.0;
        for (std::size_t t = i; t <= j; ++t) {
            if (labels[order[t]] == 1.0) {
                positiveRankSum += midRank;
                positives += 1;
            }
        }
        i = j + 1;
    }
    const double negatives = double(n) - positives;
    if (positives == 0 || negatives == 0)
        return std::nullopt;
    const double u = positiveRankSum - positives * (positives + 1) / 2.0;
    return u / (positives * negatives);
}

std::optional<double> brierScore(const std::vector<double> &probabilities, const std::vector<double> &labels)
{
    const std::size_t n = std::min(probabilities.size(), labels.size());
    if (n == 0)
        return std::nullopt;
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i)
        sum += (probabilities[i] - labels[i]) * (probabilities[i] - labels[i]);
    return sum / double(n);
}

std::optional<double> logLoss(
    const std::vector<double> &probabilities, const std::vector<double> &labels, const std::vector<double> &weights)
{
    const std::size_t n = std::min(probabilities.size(), labels.size());
    double sum = 0;
    double wsum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double w = weights.empty() ? 1.0 : weights[i];
        const double p = std::clamp(probabilities[i], 1e-15, 1.0 - 1e-15);
        sum -= w * (labels[i] == 1.0 ? std::log(p) : std::log1p(-p));
        wsum += w;
    }
    if (!(wsum > 0))
        return std::nullopt;
    return sum / wsum;
}

std::vector<CalibrationBin> calibrationBins(
    const std::vector<double> &probabilities, const std::vector<double> &labels, int bins)
{
    const int n = int(std::min(probabilities.size(), labels.size()));
    std::vector<CalibrationBin> table;
    if (n == 0 || bins < 1)
        return table;
    std::vector<int> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    // Stable on ties: equal predictions keep their input order, so the table is reproducible.
    std::stable_sort(order.begin(), order.end(),
        [&](int a, int b) { return probabilities[std::size_t(a)] < probabilities[std::size_t(b)]; });
    const int count = std::min(bins, n);
    for (int b = 0; b < count; ++b) {
        const int from = int(qint64(b) * n / count);
        const int to = int(qint64(b + 1) * n / count);
        CalibrationBin bin;
        bin.bin = b + 1;
        bin.count = to - from;
        bin.minPredicted = probabilities[std::size_t(order[std::size_t(from)])];
        bin.maxPredicted = probabilities[std::size_t(order[std::size_t(to - 1)])];
        double sumP = 0;
        double sumY = 0;
        for (int i = from; i < to; ++i) {
            sumP += probabilities[std::size_t(order[std::size_t(i)])];
            sumY += labels[std::size_t(order[std::size_t(i)])];
        }
        bin.meanPredicted = sumP / bin.count;
        bin.observedRate = sumY / bin.count;
        table.push_back(bin);
    }
    return table;
}

std::optional<MeanSd> meanAndSd(const std::vector<double> &values)
{
    if (values.empty())
        return std::nullopt;
    MeanSd out;
    out.count = int(values.size());
    out.mean = std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
    if (values.size() > 1) {
        double ss = 0;
        for (double v : values)
            ss += (v - out.mean) * (v - out.mean);
        out.sd = std::sqrt(ss / double(values.size() - 1));
    }
    return out;
}

// ------------------------------------------------------------------------------------------------------------
// Folds

quint64 stableHash(QStringView text, quint64 seed)
{
    quint64 h = 0xCBF29CE484222325ULL ^ splitMix64(seed); // FNV-1a 64 offset basis, keyed by the seed
    for (const QChar ch : text) {
        const char16_t unit = ch.unicode();
        h ^= quint64(unit & 0xFF);
        h *= 0x100000001B3ULL;
        h ^= quint64(unit >> 8);
        h *= 0x100000001B3ULL;
    }
    return splitMix64(h);
}

std::vector<int> stratifiedFolds(const std::vector<quint64> &keys, const std::vector<double> &labels, int folds)
{
    const std::size_t n = std::min(keys.size(), labels.size());
    std::vector<int> assignment(n, 0);
    if (folds < 1)
        return assignment;
    int dealt = 0;
    for (const double cls : { 1.0, 0.0 }) {
        std::vector<std::size_t> rows;
        for (std::size_t i = 0; i < n; ++i) {
            if ((labels[i] == 1.0) == (cls == 1.0))
                rows.push_back(i);
        }
        std::sort(rows.begin(), rows.end(),
            [&](std::size_t a, std::size_t b) { return keys[a] != keys[b] ? keys[a] < keys[b] : a < b; });
        for (std::size_t r : rows)
            assignment[r] = dealt++ % folds;
    }
    return assignment;
}

// ------------------------------------------------------------------------------------------------------------
// Training and cross-validation

double TrainedModel::probability(const double *rawRow) const
{
    std::vector<double> z(standardiser.means.size());
    for (std::size_t c = 0; c < z.size(); ++c)
        z[c] = standardiser.z(int(c), rawRow[c]);
    return model.probability(z.data());
}

Result<TrainedModel> train(const Matrix &x, const std::vector<double> &y, const std::vector<int> &rows, double l2,
    bool classWeighted, const FitOptions &options)
{
    const std::vector<int> use = rows.empty() ? allRows(x.rows()) : rows;
    TrainedModel trained;
    trained.standardiser = Standardiser::fit(x, use);
    const Matrix z = trained.standardiser.apply(x.selectRows(use));
    std::vector<double> labels;
    labels.reserve(use.size());
    for (int r : use)
        labels.push_back(y[std::size_t(r)]);
    const double positives = double(std::count(labels.begin(), labels.end(), 1.0));
    trained.positiveShare = labels.empty() ? 0 : positives / double(labels.size());
    FitOptions fitOptions = options;
    fitOptions.l2 = l2;
    auto fitted = fitLogistic(z, labels, classWeighted ? balancedWeights(labels) : std::vector<double> {}, fitOptions);
    if (!fitted)
        return fitted.error();
    trained.model = *fitted;
    trained.l2 = l2;
    if (classWeighted && positives > 0 && positives < double(labels.size()))
        trained.model.intercept += priorCorrectionFor(trained.positiveShare);
    return trained;
}

Result<double> selectL2(const Matrix &x, const std::vector<double> &y, const std::vector<quint64> &keys,
    const std::vector<int> &rows, const std::vector<double> &grid, int folds, bool classWeighted,
    const FitOptions &options)
{
    if (grid.empty())
        return Error::invalid(u"l2_grid"_s, u"needs at least one value"_s);
    if (grid.size() == 1)
        return grid.front();
    const std::vector<int> use = rows.empty() ? allRows(x.rows()) : rows;
    std::vector<quint64> subKeys;
    std::vector<double> subY;
    for (int r : use) {
        subKeys.push_back(keys[std::size_t(r)]);
        subY.push_back(y[std::size_t(r)]);
    }
    const int positives = int(std::count(subY.begin(), subY.end(), 1.0));
    const int negatives = int(subY.size()) - positives;
    if (folds < 2 || positives < folds || negatives < folds)
        return Error::invalid(u"folds"_s,
            u"needs at least %1 examples of each class to choose λ (%2 positive, %3 negative)"_s.arg(folds)
                .arg(positives)
                .arg(negatives));
    const std::vector<int> assignment = stratifiedFolds(subKeys, subY, folds);
    std::vector<int> positionOf(static_cast<std::size_t>(x.rows()), -1);
    for (std::size_t i = 0; i < use.size(); ++i)
        positionOf[std::size_t(use[i])] = int(i);
    // Ascending λ with warm starts: each fit begins at its smaller-λ neighbour's optimum.
    std::vector<double> sorted = grid;
    std::sort(sorted.begin(), sorted.end());
    double bestL2 = sorted.back();
    double bestLoss = std::numeric_limits<double>::infinity();
    std::vector<Model> warm(static_cast<std::size_t>(folds));
    std::vector<bool> haveWarm(static_cast<std::size_t>(folds), false);
    for (double l2 : sorted) {
        std::vector<double> probabilities(subY.size(), kNaN);
        for (int f = 0; f < folds; ++f) {
            std::vector<int> trainRows;
            std::vector<int> testRows;
            for (std::size_t i = 0; i < subY.size(); ++i)
                (assignment[i] == f ? testRows : trainRows).push_back(use[i]);
            const Standardiser s = Standardiser::fit(x, trainRows);
            const Matrix z = s.apply(x.selectRows(trainRows));
            std::vector<double> labels;
            for (int r : trainRows)
                labels.push_back(y[std::size_t(r)]);
            FitOptions fitOptions = options;
            fitOptions.l2 = l2;
            auto fitted = fitLogistic(z, labels, classWeighted ? balancedWeights(labels) : std::vector<double> {},
                fitOptions, haveWarm[std::size_t(f)] ? &warm[std::size_t(f)] : nullptr);
            if (!fitted)
                return fitted.error();
            warm[std::size_t(f)] = *fitted;
            haveWarm[std::size_t(f)] = true;
            const Matrix zTest = s.apply(x.selectRows(testRows));
            for (int t = 0; t < zTest.rows(); ++t)
                probabilities[std::size_t(positionOf[std::size_t(testRows[std::size_t(t)])])]
                    = fitted->probability(zTest.row(t));
        }
        // Scored with the training objective's own weighting (balanced when class-weighted), on the
        // uncorrected scale on which the models were fitted.
        const auto loss = logLoss(probabilities, subY, classWeighted ? balancedWeights(subY) : std::vector<double> {});
        if (loss && *loss <= bestLoss + 1e-12) {
            // `<=`: on a tie the later, larger λ wins.
            bestLoss = *loss;
            bestL2 = l2;
        }
    }
    return bestL2;
}

Result<CrossValidation> crossValidate(const Matrix &x, const std::vector<double> &y, const std::vector<quint64> &keys,
    const CrossValidationOptions &options)
{
    const int n = x.rows();
    if (int(y.size()) != n || int(keys.size()) != n)
        return Error::invalid(u"labels"_s, u"need one label and one key per row"_s);
    if (options.folds < 2)
        return Error::invalid(u"folds"_s, u"must be at least 2"_s);
    const int positives = int(std::count(y.begin(), y.end(), 1.0));
    const int negatives = n - positives;
    if (positives < options.folds || negatives < options.folds)
        return Error::invalid(u"folds"_s,
            u"%1 folds need at least %1 examples of each class (%2 positive, %3 negative)"_s.arg(options.folds)
                .arg(positives)
                .arg(negatives));
    if (options.l2Grid.empty())
        return Error::invalid(u"l2_grid"_s, u"needs at least one value"_s);

    CrossValidation cv;
    cv.folds = stratifiedFolds(keys, y, options.folds);
    cv.outOfFold.assign(std::size_t(n), kNaN);
    // The inner split must not coincide with the outer one: re-key.
    std::vector<quint64> innerKeys(keys.size());
    std::transform(keys.begin(), keys.end(), innerKeys.begin(), [](quint64 k) { return splitMix64(k ^ 0x5A17ULL); });
    for (int f = 0; f < options.folds; ++f) {
        std::vector<int> trainRows;
        std::vector<int> testRows;
        for (int i = 0; i < n; ++i)
            (cv.folds[std::size_t(i)] == f ? testRows : trainRows).push_back(i);
        double l2 = options.l2Grid.front();
        if (options.l2Grid.size() > 1) {
            int trainPositives = 0;
            for (int r : trainRows)
                trainPositives += y[std::size_t(r)] == 1.0 ? 1 : 0;
            const int trainNegatives = int(trainRows.size()) - trainPositives;
            if (trainPositives >= options.innerFolds && trainNegatives >= options.innerFolds) {
                auto chosen = selectL2(
                    x, y, innerKeys, trainRows, options.l2Grid, options.innerFolds, options.classWeighted, options.fit);
                if (!chosen)
                    return chosen.error();
                l2 = *chosen;
            } else {
                // Too few examples to split again: the middle of the grid.
                std::vector<double> sorted = options.l2Grid;
                std::sort(sorted.begin(), sorted.end());
                l2 = sorted[sorted.size() / 2];
            }
        }
        cv.foldL2.push_back(l2);
        auto trained = train(x, y, trainRows, l2, options.classWeighted, options.fit);
        if (!trained)
            return trained.error();
        cv.allConverged = cv.allConverged && trained->model.converged;
        std::vector<double> foldScores;
        std::vector<double> foldLabels;
        for (int r : testRows) {
            const double prob = trained->probability(x.row(r));
            cv.outOfFold[std::size_t(r)] = prob;
            foldScores.push_back(prob);
            foldLabels.push_back(y[std::size_t(r)]);
        }
        if (const auto a = auc(foldScores, foldLabels))
            cv.foldAuc.push_back(*a);
    }
    cv.aucMeanSd = meanAndSd(cv.foldAuc);
    cv.pooledAuc = auc(cv.outOfFold, y);
    return cv;
}

} // namespace Core::Stats
