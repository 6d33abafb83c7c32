// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The churn model's arithmetic (core/services/logisticregression.h): every expected value below is computed by
// hand (closed forms of the logistic MLE, or a one-dimensional score equation solved by bisection), never by
// running the code under test.
#include <cmath>
#include <limits>

#include <QTest>

#include "logisticregression.h"

using namespace Qt::StringLiterals;
using namespace Core::Stats;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kLn3 = std::log(3.0);

std::vector<double> toVector(const QList<double> &list)
{
    return std::vector<double>(list.begin(), list.end());
}

Matrix column(const QList<double> &values)
{
    Matrix m(int(values.size()), 1);
    for (int i = 0; i < values.size(); ++i)
        m(i, 0) = values[i];
    return m;
}
} // namespace

class TestLogisticRegression : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void link_data();
    void link();
    void standardiser();
    void standardiserImputesAndClips();
    void fitClosedForm_data();
    void fitClosedForm();
    void fitL2ScoreEquation_data();
    void fitL2ScoreEquation();
    void fitSeparable();
    void fitNearSeparable();
    void fitRejectsBadInput_data();
    void fitRejectsBadInput();
    void balancedWeightsAndPriorCorrection();
    void auc_data();
    void auc();
    void brierAndLogLoss();
    void calibration_data();
    void calibration();
    void meanAndSd_data();
    void meanAndSd();
    void stableHash_data();
    void stableHash();
    void stratifiedFolds_data();
    void stratifiedFolds();
    void stratifiedFoldsIgnoreRowOrder();
    void crossValidationFindsSignal();
    void crossValidationRefusesTooFewExamples();
    void selectL2PrefersStrongPenaltyOnNoise();
};

void TestLogisticRegression::link_data()
{
    QTest::addColumn<double>("z");
    QTest::addColumn<double>("sigmoid");
    QTest::addColumn<double>("softplus");
    QTest::addRow("zero") << 0.0 << 0.5 << std::log(2.0);
    QTest::addRow("ln 3") << kLn3 << 0.75 << std::log(4.0); // 1/(1+1/3); log(1+3)
    QTest::addRow("-ln 3") << -kLn3 << 0.25 << std::log(4.0 / 3.0);
    QTest::addRow("large positive, no overflow") << 1000.0 << 1.0 << 1000.0;
    QTest::addRow("large negative, no overflow") << -1000.0 << 0.0 << 0.0;
}

void TestLogisticRegression::link()
{
    QFETCH(double, z);
    QFETCH(double, sigmoid);
    QFETCH(double, softplus);
    QVERIFY(std::abs(Core::Stats::sigmoid(z) - sigmoid) < 1e-12);
    QVERIFY(std::abs(Core::Stats::softplus(z) - softplus) < 1e-12);
    if (sigmoid > 0 && sigmoid < 1)
        QVERIFY(std::abs(logit(sigmoid) - z) < 1e-12);
}

void TestLogisticRegression::standardiser()
{
    // The textbook sample: mean 5, population sd 2.
    const Matrix x = column({ 2, 4, 4, 4, 5, 5, 7, 9 });
    const Standardiser s = Standardiser::fit(x);
    QCOMPARE(s.means.at(0), 5.0);
    QCOMPARE(s.sds.at(0), 2.0);
    QCOMPARE(s.z(0, 9), 2.0);
    QCOMPARE(s.z(0, 4), -0.5);
    // Fitted on a subset of rows: {2, 4} → mean 3, sd 1.
    const Standardiser sub = Standardiser::fit(x, { 0, 1 });
    QCOMPARE(sub.means.at(0), 3.0);
    QCOMPARE(sub.sds.at(0), 1.0);
}

void TestLogisticRegression::standardiserImputesAndClips()
{
    Matrix x(4, 3);
    const double rows[4][3] = { { 1, 7, kNaN }, { 3, 7, kNaN }, { kNaN, 7, kNaN }, { 2, 7, kNaN } };
    for (int r = 0; r < 4; ++r) {
        for (int c = 0; c < 3; ++c)
            x(r, c) = rows[r][c];
    }
    const Standardiser s = Standardiser::fit(x);
    // Column 0: present values {1, 3, 2} → mean 2, sd √(2/3); the missing row becomes the mean (z = 0).
    QCOMPARE(s.means.at(0), 2.0);
    QVERIFY(std::abs(s.sds.at(0) - std::sqrt(2.0 / 3.0)) < 1e-12);
    QCOMPARE(s.z(0, kNaN), 0.0);
    // Constant column: sd 1, so it cannot move a model.
    QCOMPARE(s.sds.at(1), 1.0);
    QCOMPARE(s.z(1, 7), 0.0);
    // Entirely missing column: mean 0, sd 1, every z 0.
    QCOMPARE(s.means.at(2), 0.0);
    QCOMPARE(s.apply(x)(0, 2), 0.0);
    // An extreme value is clipped at ±5 sd.
    QCOMPARE(s.z(0, 1000), 5.0);
    QCOMPARE(s.z(0, -1000), -5.0);
}

void TestLogisticRegression::fitClosedForm_data()
{
    // With one binary input and no penalty the MLE reproduces the two groups' observed rates:
    // β₀ = logit(rate at x = 0), β₁ = logit(rate at x = 1) − logit(rate at x = 0).
    QTest::addColumn<QList<double>>("x");
    QTest::addColumn<QList<double>>("y");
    QTest::addColumn<QList<double>>("weights");
    QTest::addColumn<double>("intercept");
    QTest::addColumn<double>("slope");
    QTest::addRow("1/4 vs 3/4") << QList<double> { 0, 0, 0, 0, 1, 1, 1, 1 } << QList<double> { 1, 0, 0, 0, 1, 1, 1, 0 }
                                << QList<double> {} << -kLn3 << 2 * kLn3;
    QTest::addRow("1/2 vs 1/2: no effect")
        << QList<double> { 0, 0, 1, 1 } << QList<double> { 1, 0, 1, 0 } << QList<double> {} << 0.0 << 0.0;
    // Weights act as repeated rows: x = 0 → 3/(3+1+1+1) = 1/2; x = 1 → 3/4.
    QTest::addRow("weighted") << QList<double> { 0, 0, 0, 0, 1, 1, 1, 1 } << QList<double> { 1, 0, 0, 0, 1, 1, 1, 0 }
                              << QList<double> { 3, 1, 1, 1, 1, 1, 1, 1 } << 0.0 << kLn3;
    // Zero weight removes a row: x = 1 keeps 2 positives of 3 rows; rates 1/4 and 2/3, slope ln 2 + ln 3.
    QTest::addRow("zero weight drops a row")
        << QList<double> { 0, 0, 0, 0, 1, 1, 1, 1 } << QList<double> { 1, 0, 0, 0, 1, 1, 0, 0 }
        << QList<double> { 1, 1, 1, 1, 1, 1, 1, 0 } << -kLn3 << std::log(2.0) + kLn3;
}

void TestLogisticRegression::fitClosedForm()
{
    QFETCH(QList<double>, x);
    QFETCH(QList<double>, y);
    QFETCH(QList<double>, weights);
    QFETCH(double, intercept);
    QFETCH(double, slope);
    FitOptions options;
    options.l2 = 0;
    auto model = fitLogistic(column(x), toVector(y), toVector(weights), options);
    QVERIFY2(model.ok(), qPrintable(model.ok() ? QString() : model.error().toString()));
    QVERIFY(model->converged);
    QVERIFY2(std::abs(model->intercept - intercept) < 1e-7, qPrintable(QString::number(model->intercept)));
    QVERIFY2(
        std::abs(model->coefficients.at(0) - slope) < 1e-7, qPrintable(QString::number(model->coefficients.at(0))));
}

void TestLogisticRegression::fitL2ScoreEquation_data()
{
    // x = −1 (1 of 4 positive) and x = +1 (3 of 4): by symmetry β₀ = 0 and the slope b solves the penalised
    // score equation Σ xᵢ(yᵢ − σ(b·xᵢ)) = λ·b, i.e. 2·(3 − 4σ(b)) = λ·b (solved by bisection by hand).
    QTest::addColumn<double>("l2");
    QTest::addColumn<double>("slope");
    QTest::addRow("λ = 0: ln 3") << 0.0 << kLn3;
    QTest::addRow("λ = 2") << 2.0 << 0.5052400863;
    QTest::addRow("λ = 8") << 8.0 << 0.2001330667;
}

void TestLogisticRegression::fitL2ScoreEquation()
{
    QFETCH(double, l2);
    QFETCH(double, slope);
    FitOptions options;
    options.l2 = l2;
    auto model = fitLogistic(column({ -1, -1, -1, -1, 1, 1, 1, 1 }), { 1, 0, 0, 0, 1, 1, 1, 0 }, {}, options);
    QVERIFY(model.ok());
    QVERIFY(model->converged);
    QVERIFY(std::abs(model->intercept) < 1e-9);
    QVERIFY2(std::abs(model->coefficients.at(0) - slope) < 1e-8,
        qPrintable(QString::number(model->coefficients.at(0), 'g', 12)));
}

void TestLogisticRegression::fitSeparable()
{
    // Perfectly separated: without a penalty the likelihood keeps growing as the slope does, so there is no
    // finite optimum and the fit must say so rather than return the last iterate as an answer.
    const Matrix x = column({ -2, -1, 1, 2 });
    const std::vector<double> y { 0, 0, 1, 1 };
    FitOptions unpenalised;
    unpenalised.l2 = 0;
    auto diverging = fitLogistic(x, y, {}, unpenalised);
    QVERIFY(diverging.ok());
    QVERIFY(!diverging->converged);

    // With λ = 1 the optimum exists: β₀ = 0 by symmetry and 4σ(−2b) + 2σ(−b) = b, b = 1.0065943149 (by hand),
    // so p(x = 2) = σ(2b) = 0.8821748600.
    FitOptions penalised;
    penalised.l2 = 1;
    auto model = fitLogistic(x, y, {}, penalised);
    QVERIFY(model.ok());
    QVERIFY(model->converged);
    QVERIFY(std::abs(model->coefficients.at(0) - 1.0065943149) < 1e-8);
    const double two = 2;
    QVERIFY(std::abs(model->probability(&two) - 0.8821748600) < 1e-8);
}

void TestLogisticRegression::fitNearSeparable()
{
    // One overlapping pair: a finite MLE exists without a penalty. The MLE's score equations say
    // Σ pᵢ = Σ yᵢ = 3 and Σ xᵢ·pᵢ = Σ xᵢ·yᵢ = −0.5 + 1 + 2 = 2.5; the ranking puts 8 of the 9
    // (positive, negative) pairs in order (only x = −0.5 vs x = 0.5 is reversed): AUC 8/9.
    const QList<double> xs { -2, -1, -0.5, 0.5, 1, 2 };
    const std::vector<double> y { 0, 0, 1, 0, 1, 1 };
    FitOptions options;
    options.l2 = 0;
    auto model = fitLogistic(column(xs), y, {}, options);
    QVERIFY(model.ok());
    QVERIFY(model->converged);
    QVERIFY(model->coefficients.at(0) > 0);
    double sumP = 0;
    double sumXP = 0;
    std::vector<double> scores;
    for (double x : xs) {
        const double p = model->probability(&x);
        sumP += p;
        sumXP += x * p;
        scores.push_back(p);
    }
    QVERIFY(std::abs(sumP - 3.0) < 1e-8);
    QVERIFY(std::abs(sumXP - 2.5) < 1e-8);
    QVERIFY(std::abs(*Core::Stats::auc(scores, y) - 8.0 / 9.0) < 1e-12);
}

void TestLogisticRegression::fitRejectsBadInput_data()
{
    QTest::addColumn<QList<double>>("x");
    QTest::addColumn<QList<double>>("y");
    QTest::addColumn<QList<double>>("weights");
    QTest::addColumn<double>("l2");
    QTest::addColumn<QString>("field");
    QTest::addRow("no rows") << QList<double> {} << QList<double> {} << QList<double> {} << 1.0 << u"rows"_s;
    QTest::addRow("label 2") << QList<double> { 1, 2 } << QList<double> { 0, 2 } << QList<double> {} << 1.0
                             << u"labels"_s;
    QTest::addRow("missing label") << QList<double> { 1, 2 } << QList<double> { 0 } << QList<double> {} << 1.0
                                   << u"labels"_s;
    QTest::addRow("NaN input") << QList<double> { 1, kNaN } << QList<double> { 0, 1 } << QList<double> {} << 1.0
                               << u"inputs"_s;
    QTest::addRow("negative weight") << QList<double> { 1, 2 } << QList<double> { 0, 1 } << QList<double> { 1, -1 }
                                     << 1.0 << u"weights"_s;
    QTest::addRow("negative λ") << QList<double> { 1, 2 } << QList<double> { 0, 1 } << QList<double> {} << -1.0
                                << u"l2"_s;
}

void TestLogisticRegression::fitRejectsBadInput()
{
    QFETCH(QList<double>, x);
    QFETCH(QList<double>, y);
    QFETCH(QList<double>, weights);
    QFETCH(double, l2);
    QFETCH(QString, field);
    FitOptions options;
    options.l2 = l2;
    auto model = fitLogistic(column(x), toVector(y), toVector(weights), options);
    QVERIFY(!model.ok());
    QCOMPARE(model.error().code, Core::ErrorCode::InvalidArgument);
    QCOMPARE(model.error().field, field);
}

void TestLogisticRegression::balancedWeightsAndPriorCorrection()
{
    // n = 4, one positive: weights n/(2·1) = 2 and n/(2·3) = 2/3; each class then weighs n/2 = 2.
    const std::vector<double> y { 1, 0, 0, 0 };
    const std::vector<double> w = balancedWeights(y);
    QCOMPARE(w.at(0), 2.0);
    QVERIFY(std::abs(w.at(1) - 2.0 / 3.0) < 1e-15);
    // One class only: nothing to balance.
    QCOMPARE(balancedWeights({ 0, 0 }), (std::vector<double> { 1, 1 }));

    // Intercept-only, balanced: the weighted fit sees a 50 % rate (β₀ = 0); the prior correction logit(1/4)
    // = −ln 3 brings the probability back to the observed 25 %.
    auto trained = train(Matrix(4, 0), y, {}, 1.0, true);
    QVERIFY(trained.ok());
    QVERIFY(std::abs(trained->model.intercept + kLn3) < 1e-9);
    QVERIFY(std::abs(trained->probability(nullptr) - 0.25) < 1e-9);
    QCOMPARE(trained->positiveShare, 0.25);
    QVERIFY(std::abs(priorCorrectionFor(0.25) + kLn3) < 1e-15);
}

void TestLogisticRegression::auc_data()
{
    QTest::addColumn<QList<double>>("scores");
    QTest::addColumn<QList<double>>("labels");
    QTest::addColumn<double>("expected"); // −1 = undefined
    QTest::addRow("perfect") << QList<double> { 0.1, 0.2, 0.8, 0.9 } << QList<double> { 0, 0, 1, 1 } << 1.0;
    QTest::addRow("reversed") << QList<double> { 0.1, 0.2, 0.8, 0.9 } << QList<double> { 1, 1, 0, 0 } << 0.0;
    QTest::addRow("all equal scores") << QList<double> { 0.3, 0.3, 0.3, 0.3, 0.3 } << QList<double> { 0, 1, 0, 1, 0 }
                                      << 0.5;
    // Pairs (pos, neg): (0.8,0.5)=1 (0.8,0.2)=1 (0.5,0.5)=½ (0.5,0.2)=1 → 3.5/4.
    QTest::addRow("one tie") << QList<double> { 0.8, 0.5, 0.5, 0.2 } << QList<double> { 1, 1, 0, 0 } << 0.875;
    // (0.35 vs 0.1)=1 (0.35 vs 0.4)=0 (0.8 vs both)=2 → 3/4.
    QTest::addRow("one pair reversed") << QList<double> { 0.1, 0.4, 0.35, 0.8 } << QList<double> { 0, 0, 1, 1 } << 0.75;
    QTest::addRow("single pair tied") << QList<double> { 0.7, 0.7 } << QList<double> { 1, 0 } << 0.5;
    // Unsorted input, 2 positives × 3 negatives: 0.9 beats all 3, 0.4 beats 0.3 and ties 0.4 → 4.5/6.
    QTest::addRow("unsorted with tie") << QList<double> { 0.4, 0.9, 0.3, 0.4, 0.95 } << QList<double> { 0, 1, 0, 1, 0 }
                                       << 3.5 / 6.0;
    QTest::addRow("only positives") << QList<double> { 0.1, 0.2 } << QList<double> { 1, 1 } << -1.0;
    QTest::addRow("no data") << QList<double> {} << QList<double> {} << -1.0;
}

void TestLogisticRegression::auc()
{
    QFETCH(QList<double>, scores);
    QFETCH(QList<double>, labels);
    QFETCH(double, expected);
    const auto a = Core::Stats::auc(toVector(scores), toVector(labels));
    if (expected < 0) {
        QVERIFY(!a.has_value());
        return;
    }
    QVERIFY(a.has_value());
    QVERIFY2(std::abs(*a - expected) < 1e-12, qPrintable(QString::number(*a)));
}

void TestLogisticRegression::brierAndLogLoss()
{
    // ((0.9 − 1)² + (0.2 − 0)²) / 2 = (0.01 + 0.04) / 2.
    QVERIFY(std::abs(*brierScore({ 0.9, 0.2 }, { 1, 0 }) - 0.025) < 1e-15);
    QVERIFY(!brierScore({}, {}).has_value());
    // −ln 0.5 for a coin flip; weights 3:1 on −ln 0.75 and −ln 0.5.
    QVERIFY(std::abs(*logLoss({ 0.5 }, { 1 }, {}) - std::log(2.0)) < 1e-15);
    const double expected = (3 * -std::log(0.75) + 1 * -std::log(0.5)) / 4;
    QVERIFY(std::abs(*logLoss({ 0.75, 0.5 }, { 1, 0 }, { 3, 1 }) - expected) < 1e-15);
    QVERIFY(!logLoss({}, {}, {}).has_value());
    // Certainty that is wrong costs a large but finite amount (clamped at 1e-15).
    QVERIFY(std::isfinite(*logLoss({ 0.0 }, { 1 }, {})));
}

void TestLogisticRegression::calibration_data()
{
    QTest::addColumn<QList<double>>("predictions");
    QTest::addColumn<QList<double>>("labels");
    QTest::addColumn<int>("bins");
    // One row per bin: count, min, max, mean predicted, observed rate.
    QTest::addColumn<QList<QList<double>>>("expected");
    // n = 5, 2 bins: positions [0, 2) and [2, 5) of the sorted predictions (input deliberately unsorted).
    QTest::addRow("uneven split") << QList<double> { 0.9, 0.1, 0.5, 0.2, 0.7 } << QList<double> { 1, 0, 1, 0, 0 } << 2
                                  << QList<QList<double>> { { 2, 0.1, 0.2, 0.15, 0.0 },
                                         { 3, 0.5, 0.9, 0.7, 2.0 / 3.0 } };
    // Fewer examples than bins: one bin per example.
    QTest::addRow("three points, deciles")
        << QList<double> { 0.3, 0.1, 0.2 } << QList<double> { 1, 0, 0 } << 10
        << QList<QList<double>> { { 1, 0.1, 0.1, 0.1, 0 }, { 1, 0.2, 0.2, 0.2, 0 }, { 1, 0.3, 0.3, 0.3, 1 } };
    QTest::addRow("all equal") << QList<double> { 0.4, 0.4, 0.4, 0.4 } << QList<double> { 1, 0, 0, 1 } << 1
                               << QList<QList<double>> { { 4, 0.4, 0.4, 0.4, 0.5 } };
    QTest::addRow("no data") << QList<double> {} << QList<double> {} << 10 << QList<QList<double>> {};
}

void TestLogisticRegression::calibration()
{
    QFETCH(QList<double>, predictions);
    QFETCH(QList<double>, labels);
    QFETCH(int, bins);
    QFETCH(QList<QList<double>>, expected);
    const auto table = calibrationBins(toVector(predictions), toVector(labels), bins);
    QCOMPARE(int(table.size()), int(expected.size()));
    for (int b = 0; b < int(table.size()); ++b) {
        const CalibrationBin &bin = table[std::size_t(b)];
        QCOMPARE(bin.bin, b + 1);
        QCOMPARE(bin.count, int(expected[b][0]));
        QVERIFY(std::abs(bin.minPredicted - expected[b][1]) < 1e-12);
        QVERIFY(std::abs(bin.maxPredicted - expected[b][2]) < 1e-12);
        QVERIFY(std::abs(bin.meanPredicted - expected[b][3]) < 1e-12);
        QVERIFY(std::abs(bin.observedRate - expected[b][4]) < 1e-12);
    }
}

void TestLogisticRegression::meanAndSd_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<double>("mean"); // NaN = no result
    QTest::addColumn<double>("sd");
    QTest::addRow("1..4") << QList<double> { 1, 2, 3, 4 } << 2.5 << std::sqrt(5.0 / 3.0);
    QTest::addRow("one value") << QList<double> { 0.8 } << 0.8 << 0.0;
    QTest::addRow("all equal") << QList<double> { 0.7, 0.7, 0.7 } << 0.7 << 0.0;
    QTest::addRow("none") << QList<double> {} << kNaN << kNaN;
}

void TestLogisticRegression::meanAndSd()
{
    QFETCH(QList<double>, values);
    QFETCH(double, mean);
    QFETCH(double, sd);
    const auto result = Core::Stats::meanAndSd(toVector(values));
    if (std::isnan(mean)) {
        QVERIFY(!result.has_value());
        return;
    }
    QVERIFY(result.has_value());
    QVERIFY(std::abs(result->mean - mean) < 1e-12);
    QVERIFY(std::abs(result->sd - sd) < 1e-12);
    QCOMPARE(result->count, int(values.size()));
}

void TestLogisticRegression::stableHash_data()
{
    // Expected values from an independent implementation (Python: FNV-1a 64 over the UTF-16LE bytes, basis
    // XOR SplitMix64(seed), finished with SplitMix64), so a change to the fold assignment cannot slip in.
    QTest::addColumn<QString>("text");
    QTest::addColumn<quint64>("seed");
    QTest::addColumn<quint64>("expected");
    QTest::addRow("id, seed 0") << u"acme-001"_s << quint64(0) << quint64(17111577738897494372ULL);
    QTest::addRow("id, seed 42") << u"acme-001"_s << quint64(42) << quint64(3933808594295297683ULL);
    QTest::addRow("empty") << QString() << quint64(0) << quint64(6566800829925814604ULL);
    QTest::addRow("non-Latin") << u"ü€"_s << quint64(7) << quint64(15938745709425741506ULL);
}

void TestLogisticRegression::stableHash()
{
    QFETCH(QString, text);
    QFETCH(quint64, seed);
    QFETCH(quint64, expected);
    QCOMPARE(Core::Stats::stableHash(text, seed), expected);
}

void TestLogisticRegression::stratifiedFolds_data()
{
    QTest::addColumn<int>("positives");
    QTest::addColumn<int>("negatives");
    QTest::addColumn<int>("folds");
    QTest::addColumn<QList<int>>("positivesPerFold");
    QTest::addColumn<QList<int>>("sizePerFold");
    QTest::addRow("10/20 in 5") << 10 << 20 << 5 << QList<int> { 2, 2, 2, 2, 2 } << QList<int> { 6, 6, 6, 6, 6 };
    // 10 positives dealt 0,1,2,0,…: 4,3,3; the 20 negatives continue at fold 1: 6,7,7 → sizes 10,10,10.
    QTest::addRow("10/20 in 3") << 10 << 20 << 3 << QList<int> { 4, 3, 3 } << QList<int> { 10, 10, 10 };
    QTest::addRow("3/3 in 2") << 3 << 3 << 2 << QList<int> { 2, 1 } << QList<int> { 3, 3 };
}

void TestLogisticRegression::stratifiedFolds()
{
    QFETCH(int, positives);
    QFETCH(int, negatives);
    QFETCH(int, folds);
    QFETCH(QList<int>, positivesPerFold);
    QFETCH(QList<int>, sizePerFold);
    std::vector<quint64> keys;
    std::vector<double> labels;
    for (int i = 0; i < positives + negatives; ++i) {
        keys.push_back(Core::Stats::stableHash(u"c-%1"_s.arg(i), 1));
        labels.push_back(i < positives ? 1 : 0);
    }
    const std::vector<int> assignment = Core::Stats::stratifiedFolds(keys, labels, folds);
    QList<int> pos(folds, 0);
    QList<int> size(folds, 0);
    for (std::size_t i = 0; i < assignment.size(); ++i) {
        QVERIFY(assignment[i] >= 0 && assignment[i] < folds);
        ++size[assignment[i]];
        if (labels[i] == 1)
            ++pos[assignment[i]];
    }
    QCOMPARE(pos, positivesPerFold);
    QCOMPARE(size, sizePerFold);
}

void TestLogisticRegression::stratifiedFoldsIgnoreRowOrder()
{
    std::vector<quint64> keys;
    std::vector<double> labels;
    for (int i = 0; i < 30; ++i) {
        keys.push_back(Core::Stats::stableHash(u"customer-%1"_s.arg(i), 9));
        labels.push_back(i % 3 == 0 ? 1 : 0);
    }
    const std::vector<int> forward = Core::Stats::stratifiedFolds(keys, labels, 5);
    std::vector<quint64> reversedKeys(keys.rbegin(), keys.rend());
    std::vector<double> reversedLabels(labels.rbegin(), labels.rend());
    const std::vector<int> backward = Core::Stats::stratifiedFolds(reversedKeys, reversedLabels, 5);
    for (std::size_t i = 0; i < keys.size(); ++i)
        QCOMPARE(backward[keys.size() - 1 - i], forward[i]);
    // Another seed deals differently (otherwise the seed would be decoration).
    std::vector<quint64> otherKeys;
    for (int i = 0; i < 30; ++i)
        otherKeys.push_back(Core::Stats::stableHash(u"customer-%1"_s.arg(i), 10));
    QVERIFY(Core::Stats::stratifiedFolds(otherKeys, labels, 5) != forward);
}

void TestLogisticRegression::crossValidationFindsSignal()
{
    // 80 rows: column 0 carries the signal with one overlap per ten rows, column 1 is a repeating pattern
    // unrelated to the label, column 2 has gaps (NaN, imputed inside each fold).
    Matrix x(80, 3);
    std::vector<double> y;
    std::vector<quint64> keys;
    for (int i = 0; i < 80; ++i) {
        const double signal = (i % 10) / 10.0;
        const bool positive = (signal >= 0.6) != (i % 20 == 0); // every 20th row flips: not separable
        x(i, 0) = signal;
        x(i, 1) = (i * 7) % 5;
        x(i, 2) = i % 4 == 0 ? kNaN : double(i % 3);
        y.push_back(positive ? 1 : 0);
        keys.push_back(Core::Stats::stableHash(u"row-%1"_s.arg(i), 3));
    }
    CrossValidationOptions options;
    options.folds = 4;
    options.l2Grid = { 0.1, 1, 10 };
    auto cv = crossValidate(x, y, keys, options);
    QVERIFY2(cv.ok(), qPrintable(cv.ok() ? QString() : cv.error().toString()));
    QCOMPARE(int(cv->foldAuc.size()), 4);
    QVERIFY(cv->aucMeanSd.has_value());
    QVERIFY2(cv->aucMeanSd->mean > 0.85, qPrintable(QString::number(cv->aucMeanSd->mean)));
    QVERIFY(cv->pooledAuc.has_value() && *cv->pooledAuc > 0.85);
    QVERIFY(cv->allConverged);
    for (double l2 : cv->foldL2)
        QVERIFY(l2 == 0.1 || l2 == 1 || l2 == 10);
    for (double p : cv->outOfFold)
        QVERIFY(p > 0 && p < 1);
    // Deterministic: the same inputs give the same out-of-fold predictions.
    auto again = crossValidate(x, y, keys, options);
    QVERIFY(again.ok());
    QCOMPARE(again->outOfFold, cv->outOfFold);
}

void TestLogisticRegression::crossValidationRefusesTooFewExamples()
{
    Matrix x = column({ 1, 2, 3, 4, 5, 6 });
    std::vector<double> y { 1, 1, 0, 0, 0, 0 };
    std::vector<quint64> keys { 1, 2, 3, 4, 5, 6 };
    CrossValidationOptions options;
    options.folds = 3; // only 2 positives
    auto cv = crossValidate(x, y, keys, options);
    QVERIFY(!cv.ok());
    QCOMPARE(cv.error().field, u"folds"_s);
    options.folds = 1;
    QCOMPARE(crossValidate(x, y, keys, options).error().field, u"folds"_s);
}

void TestLogisticRegression::selectL2PrefersStrongPenaltyOnNoise()
{
    // Both classes have exactly the same inputs {1, …, 10}: any slope a fold learns is noise, so the largest λ
    // (slope ≈ 0, p ≈ the base rate) must have the lowest out-of-fold loss.
    Matrix x(40, 1);
    std::vector<double> y;
    std::vector<quint64> keys;
    for (int i = 0; i < 40; ++i) {
        x(i, 0) = (i % 10) + 1;
        y.push_back(i < 20 ? 1 : 0);
        keys.push_back(Core::Stats::stableHash(u"n-%1"_s.arg(i), 5));
    }
    auto chosen = selectL2(x, y, keys, {}, { 0.01, 1, 100 }, 4, true);
    QVERIFY(chosen.ok());
    QCOMPARE(*chosen, 100.0);
}

QTEST_APPLESS_MAIN(TestLogisticRegression)
#include "tst_logisticregression.moc"
