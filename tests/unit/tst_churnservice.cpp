// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// ChurnService: inputs as of a day, the default model, training on hand-built "imported" histories and on the
// demo portfolio, predictions and the paged portfolio list. Built twice: SQLite (label unit) and PostgreSQL
// (label pg). Expected probabilities are computed by hand from the documented default coefficients.
#include <cmath>

#include <QElapsedTimer>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include "bulkinserter.h"
#include "churnservice.h"
#include "columns.h"
#include "demoportfolio.h"
#include "fakeclock.h"
#include "logisticregression.h"
#include "sql.h"
#include "testdatabase.h"
#include "transaction.h"

using namespace Qt::StringLiterals;
using Core::ChurnService;
using Core::ErrorCode;
using Domain::ChurnModelSource;
using Domain::ChurnRiskLevel;
using Storage::Convert::toSql;

namespace {

const QDate kToday(2026, 6, 15);

double sigmoid(double z)
{
    return 1.0 / (1.0 + std::exp(-z));
}

// A uniform number in [0, 1) fixed by a name: the hand-built histories are the same on every run.
double uniform(const QString &name, quint64 seed)
{
    return double(Core::Stats::stableHash(name, seed) >> 11) / 9007199254740992.0;
}

struct CustomerRow
{
    QString id;
    QString status = u"active"_s;
    QString contractType = u"annual"_s;
    double arr = 12000;
    QDate contractStart;
    QDate churnedAt;
    QVariantMap custom;
    QString owner = u"alex"_s;
};

bool insertCustomer(Storage::Database &db, const CustomerRow &c)
{
    auto q = Storage::exec(db,
        u"INSERT INTO customers (id, name, status, lifecycle_stage, contract_type, arr, contract_start, churned_at, "
        u"custom_fields, owner, tier, industry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'smb', 'Software')"_s,
        { c.id, QString(u"Customer "_s + c.id), c.status, c.status == u"churned"_s ? u"churned"_s : u"adoption"_s,
            c.contractType.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(c.contractType), c.arr,
            toSql(c.contractStart), toSql(c.churnedAt), toSql(c.custom), c.owner });
    if (!q)
        qWarning() << q.error().toString();
    return q.ok();
}

bool exec(Storage::Database &db, const QString &sql, const QVariantList &bindings = {})
{
    auto q = Storage::exec(db, sql, bindings);
    if (!q)
        qWarning() << sql << q.error().toString();
    return q.ok();
}

bool addUsage(Storage::Database &db, const QString &id, const QDate &day, int events)
{
    return exec(db,
        u"INSERT INTO usage_daily (customer_id, day, feature, events, active_users) VALUES (?, ?, '', ?, 1)"_s,
        { id, toSql(day), events });
}

bool addTicket(Storage::Database &db, const QString &id, const QDateTime &opened, const QString &priority,
    const QString &status, const QDateTime &resolved, bool escalated)
{
    return exec(db,
        u"INSERT INTO support_tickets (customer_id, subject, priority, status, opened_at, resolved_at, escalated) "
        u"VALUES (?, 'Help', ?, ?, ?, ?, ?)"_s,
        { id, priority, status, toSql(opened), toSql(resolved), escalated });
}

bool addSurvey(Storage::Database &db, const QString &id, const QString &kind, int score, const QDateTime &at)
{
    QVariant category(QMetaType::fromType<QString>());
    if (kind == u"nps"_s)
        category = score >= 9 ? u"promoter"_s : score >= 7 ? u"passive"_s : u"detractor"_s;
    return exec(db,
        u"INSERT INTO survey_responses (customer_id, kind, score, nps_category, responded_at) VALUES (?, ?, ?, ?, ?)"_s,
        { id, kind, score, category, toSql(at) });
}

bool addHealth(Storage::Database &db, const QString &id, const QDate &day, double score, const QVariantMap &components)
{
    const QString band = score >= 70 ? u"green"_s : score >= 40 ? u"yellow"_s : u"red"_s;
    return exec(db,
        u"INSERT INTO health_scores (customer_id, score_date, score, band, components, config_version) "
        u"VALUES (?, ?, ?, ?, ?, 1)"_s,
        { id, toSql(day), score, band, toSql(components) });
}

QDateTime at(int y, int m, int d, int hour = 10)
{
    return QDateTime(QDate(y, m, d), QTime(hour, 0), QTimeZone::utc());
}

qint64 count(Storage::Database &db, const QString &sql)
{
    auto q = Storage::exec(db, sql);
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

const Core::ChurnCoefficient *coefficient(const Core::ChurnModelInfo &model, const QString &feature)
{
    for (const Core::ChurnCoefficient &c : model.coefficients) {
        if (c.feature == feature)
            return &c;
    }
    return nullptr;
}

QString describe(const Core::ChurnTrainingReport &r)
{
    QStringList lines;
    lines << r.summary;
    lines << u"λ %1, Brier %2, pooled AUC %3"_s.arg(r.l2).arg(r.brierScore.value_or(-1)).arg(r.pooledAuc.value_or(-1));
    for (const Core::ChurnCoefficient &c : r.model.coefficients.mid(0, 8))
        lines << u"  %1 %2"_s.arg(c.feature, -36).arg(c.coefficient, 0, 'f', 3);
    for (const Core::ChurnCalibrationRow &b : r.model.calibration)
        lines << u"  bin %1 n=%2 predicted %3 observed %4"_s.arg(b.bin)
                     .arg(b.count)
                     .arg(b.meanPredicted, 0, 'f', 3)
                     .arg(b.observedRate, 0, 'f', 3);
    lines << u"  dropped: "_s + r.droppedFeatures.join(u" | "_s);
    lines << u"  excluded: "_s + r.excluded.join(u" | "_s);
    return lines.join(u'\n');
}

} // namespace

class TestChurnService : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void riskLevels_data();
    void riskLevels();
    void emptyDatabase();
    void defaultModelOnHandBuiltCustomer();
    void noDataIsNotZero();
    void refusesTrainingWithTooLittleHistory();
    void trainingLooksBeforeTheCutoff();
    void learnsFromHealthComponents();
    void learnsFromImportedNumericField();
    void learnsFromImportedCategoryAndDropsLeaks();
    void demoPortfolio();
    void riskLevelChangeOnTheTimeline();
    void portfolioListArguments();
    void trainingReportsProgressAndStopsWhenCancelled();
    void portfolioScoringReportsProgressAndStopsWhenCancelled();
};

void TestChurnService::riskLevels_data()
{
    QTest::addColumn<double>("probability");
    QTest::addColumn<ChurnRiskLevel>("level");
    QTest::addRow("0") << 0.0 << ChurnRiskLevel::Low;
    QTest::addRow("just below 0.15") << 0.1499 << ChurnRiskLevel::Low;
    QTest::addRow("0.15") << 0.15 << ChurnRiskLevel::Medium;
    QTest::addRow("just below 0.30") << 0.2999 << ChurnRiskLevel::Medium;
    QTest::addRow("0.30") << 0.30 << ChurnRiskLevel::High;
    QTest::addRow("just below 0.50") << 0.4999 << ChurnRiskLevel::High;
    QTest::addRow("0.50") << 0.50 << ChurnRiskLevel::Critical;
    QTest::addRow("1") << 1.0 << ChurnRiskLevel::Critical;
}

void TestChurnService::riskLevels()
{
    QFETCH(double, probability);
    QFETCH(ChurnRiskLevel, level);
    QCOMPARE(ChurnService::riskLevelFor(probability), level);
}

void TestChurnService::emptyDatabase()
{
    CS_REQUIRE_BACKEND();
    TestUtils::TestDatabase fixture;
    QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
    Storage::Database &db = fixture.db();
    TestUtils::FakeClock clock(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    ChurnService service(db, clock);

    // Before any history: the default model, stored once as version 1, and honest about being untrained.
    auto model = service.activeModel();
    QVERIFY2(model.ok(), qPrintable(model.ok() ? QString() : model.error().toString()));
    QCOMPARE(model->version, 1);
    QCOMPARE(model->source, ChurnModelSource::Default);
    QVERIFY(model->isActive);
    QVERIFY(!model->cvAuc.has_value());
    QVERIFY(model->caveat.contains(u"Untrained"_s));
    QCOMPARE(model->coefficients.size(), 10);
    QVERIFY(std::abs(model->intercept - std::log(0.1 / 0.9)) < 1e-12);
    QVERIFY(service.activeModel().ok());
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM churn_models"_s), 1);
    auto listed = service.models();
    QVERIFY(listed.ok());
    QCOMPARE(listed->size(), 1);

    auto trained = service.trainModel();
    QVERIFY(!trained.ok());
    QCOMPARE(trained.error().code, ErrorCode::InvalidArgument);
    QVERIFY2(trained.error().message.contains(u"0 churned and 0 retained"_s), qPrintable(trained.error().message));

    auto scored = service.scorePortfolio();
    QVERIFY(scored.ok());
    QVERIFY(!scored->hasData);
    QCOMPARE(scored->reason, u"no active customers to score"_s);
    QCOMPARE(scored->scored, 0);

    auto page = service.portfolioRisk();
    QVERIFY(page.ok());
    QVERIFY(!page->hasData);
    QVERIFY(page->reason.contains(u"no churn predictions yet"_s));
    QCOMPARE(page->total, 0);

    QCOMPARE(service.latestRisk(u"nobody"_s).error().field, u"customer_id"_s);
    QCOMPARE(service.scoreCustomer(u"nobody"_s).error().code, ErrorCode::NotFound);
    QCOMPARE(service.model(7).error().field, u"version"_s);
    QCOMPARE(service.activateModel(7).error().code, ErrorCode::NotFound);
}

void TestChurnService::defaultModelOnHandBuiltCustomer()
{
    CS_REQUIRE_BACKEND();
    TestUtils::TestDatabase fixture;
    QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
    Storage::Database &db = fixture.db();
    TestUtils::FakeClock clock(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    ChurnService service(db, clock);

    CustomerRow c;
    c.id = u"acme"_s;
    c.contractType = u"monthly"_s;
    c.contractStart = QDate(2024, 6, 15); // 730 days: 730 / (365.25/12) = 23.98 months
    QVERIFY(insertCustomer(db, c));
    // Usage: 40 events in the 30 days before the previous 30 (from 2026-04-16), 10 in the last 30 (from
    // 2026-05-16) on 2 days, the last on 2026-06-10; rows on the day itself and before the 90-day window ignored.
    QVERIFY(addUsage(db, c.id, QDate(2026, 3, 1), 50));
    QVERIFY(addUsage(db, c.id, QDate(2026, 4, 20), 20));
    QVERIFY(addUsage(db, c.id, QDate(2026, 5, 1), 20));
    QVERIFY(addUsage(db, c.id, QDate(2026, 5, 20), 4));
    QVERIFY(addUsage(db, c.id, QDate(2026, 6, 10), 6));
    QVERIFY(addUsage(db, c.id, kToday, 100));
    // Tickets since 2026-03-17 (90 days): T1 p1 solved, T2 escalated p3 resolved after the day (open on it),
    // T3 p2 open; T4 from January still open (counts as open, not as recent); T5 opened on the day (ignored).
    QVERIFY(addTicket(db, c.id, at(2026, 4, 1), u"p1"_s, u"solved"_s, at(2026, 4, 5), false));
    QVERIFY(addTicket(db, c.id, at(2026, 5, 1), u"p3"_s, u"solved"_s, at(2026, 6, 20), true));
    QVERIFY(addTicket(db, c.id, at(2026, 6, 1), u"p2"_s, u"open"_s, QDateTime(), false));
    QVERIFY(addTicket(db, c.id, at(2026, 1, 10), u"p3"_s, u"open"_s, QDateTime(), false));
    QVERIFY(addTicket(db, c.id, at(2026, 6, 15, 8), u"p0"_s, u"open"_s, QDateTime(), true));
    // NPS 4 and 7 within 180 days (mean 5.5); a 10 from before the window ignored. No CSAT.
    QVERIFY(addSurvey(db, c.id, u"nps"_s, 4, at(2026, 2, 1)));
    QVERIFY(addSurvey(db, c.id, u"nps"_s, 7, at(2026, 5, 2)));
    QVERIFY(addSurvey(db, c.id, u"nps"_s, 10, at(2025, 11, 1)));
    // Health: the latest score before the day (35 on 06-10) counts; the day's own (30) and later ones do not.
    QVERIFY(addHealth(db, c.id, QDate(2026, 6, 10), 35,
        { { u"product_usage"_s, QVariantMap { { u"score"_s, 20 }, { u"weight"_s, 1 } } } }));
    QVERIFY(addHealth(
        db, c.id, kToday, 30, { { u"product_usage"_s, QVariantMap { { u"score"_s, 10 }, { u"weight"_s, 1 } } } }));
    QVERIFY(addHealth(db, c.id, kToday.addDays(1), 90, {}));

    // By hand, default coefficients × standardised inputs:
    //   usage trend ln(11/41) = −1.3157 → −0.5 × (−1.3157/0.7)            = +0.9397691385
    //   health 35 → −0.6 × (35 − 60)/20                                   = +0.75
    //   active days 2 → −0.4 × (2 − 12)/8                                 = +0.5
    //   urgent tickets 2 → 0.3 × ln 3/0.7                                 = +0.4708338380
    //   monthly contract                                                  = +0.4
    //   NPS 5.5 → −0.5 × (5.5 − 7)/2.5                                    = +0.3
    //   tickets 3 → 0.2 × (ln 4 − ln 3)/0.8                               = +0.0719205181
    //   tenure 23.98 months → −0.3 × (ln 24.98 − ln 19)/0.9               = −0.0912598485
    //   CSAT: no answer, imputed (0); intercept ln(0.1/0.9)
    // η = 1.1440390688, p = σ(η) = 0.7584204449 → critical.
    auto risk = service.assessAsOf(c.id, kToday);
    QVERIFY2(risk.ok(), qPrintable(risk.ok() ? QString() : risk.error().toString()));
    QVERIFY2(
        std::abs(risk->probability - 0.7584204449) < 1e-8, qPrintable(QString::number(risk->probability, 'g', 12)));
    QCOMPARE(risk->riskLevel, ChurnRiskLevel::Critical);
    QCOMPARE(risk->modelVersion, 1);
    QCOMPARE(risk->modelSource, ChurnModelSource::Default);
    QVERIFY(!risk->predictedAt.isValid());
    const QStringList expectedLabels { u"usage down 75% vs previous 30 days"_s, u"health score 35/100 on 2026-06-10"_s,
        u"active on 2 of the last 30 days"_s, u"2 urgent tickets (P0/P1 or escalated) in the last 90 days"_s,
        u"contract type monthly"_s };
    const QList<double> expectedContributions { 0.9397691385, 0.75, 0.5, 0.4708338380, 0.4 };
    QCOMPARE(risk->drivers.size(), 5);
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(risk->drivers[i].label, expectedLabels[i]);
        QVERIFY(std::abs(risk->drivers[i].contribution - expectedContributions[i]) < 1e-8);
    }
    QVERIFY(risk->drivers[0].value.has_value());
    QVERIFY(std::abs(*risk->drivers[0].value - std::log(11.0 / 41.0)) < 1e-12);
    QCOMPARE(risk->missingData, QStringList { u"no CSAT answer in the last 180 days"_s });

    // Stored with the model version, and read back the same.
    QSignalSpy changed(&service, &ChurnService::customerRiskChanged);
    auto stored = service.scoreCustomer(c.id);
    QVERIFY(stored.ok());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(stored->predictedAt, clock.now());
    auto latest = service.latestRisk(c.id);
    QVERIFY(latest.ok() && latest->has_value());
    QCOMPARE((*latest)->modelVersion, 1);
    QVERIFY(std::abs((*latest)->probability - 0.7584204449) < 1e-8);
    QCOMPARE((*latest)->drivers.size(), 5);
    QCOMPARE((*latest)->drivers[0].label, expectedLabels[0]);
    QCOMPARE((*latest)->modelSource, ChurnModelSource::Default);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM churn_predictions WHERE model_version = 1"_s), 1);

    // A past day sees only what was there then: on 2026-05-01 the last 30 days (04-01 .. 04-30) hold the 20
    // events of 04-20 (the 20 of 05-01 are on the day itself), the 30 before (03-02 .. 03-31) none.
    auto earlier = service.assessAsOf(c.id, QDate(2026, 5, 1));
    QVERIFY(earlier.ok());
    QVERIFY(std::any_of(earlier->drivers.cbegin(), earlier->drivers.cend(), [](const Core::ChurnDriver &d) {
        return d.label == u"usage started in the last 30 days (20 events, none in the 30 days before)"_s;
    }));
    QCOMPARE(service.assessAsOf(c.id, kToday.addDays(1)).error().field, u"as_of"_s);
}

void TestChurnService::noDataIsNotZero()
{
    CS_REQUIRE_BACKEND();
    TestUtils::TestDatabase fixture;
    QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
    Storage::Database &db = fixture.db();
    TestUtils::FakeClock clock(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    ChurnService service(db, clock);

    CustomerRow quiet;
    quiet.id = u"quiet"_s; // annual contract, no start date: nothing the default model can use
    QVERIFY(insertCustomer(db, quiet));
    auto risk = service.assessAsOf(quiet.id, kToday);
    QVERIFY(risk.ok());
    // Nothing known: every input imputed, the probability is the documented base rate, and no driver invented.
    QVERIFY(std::abs(risk->probability - 0.1) < 1e-12);
    QCOMPARE(risk->riskLevel, ChurnRiskLevel::Low);
    QVERIFY(risk->drivers.isEmpty());
    QVERIFY(risk->missingData.contains(u"no usage data in the portfolio"_s));
    QVERIFY(risk->missingData.contains(u"no support tickets in the portfolio"_s));
    QVERIFY(risk->missingData.contains(u"no survey answers in the portfolio"_s));
    QVERIFY(risk->missingData.contains(u"tenure unknown (no contract start date)"_s));

    // Once the portfolio has usage data, this customer's lack of it is a fact: 0 active days → +0.6 (by hand:
    // −0.4 × (0 − 12)/8); trend ln(1/1) = 0 adds nothing. p = σ(ln(1/9) + 0.6) = 0.1683698760.
    CustomerRow busy;
    busy.id = u"busy"_s;
    QVERIFY(insertCustomer(db, busy));
    QVERIFY(addUsage(db, busy.id, QDate(2026, 6, 1), 10));
    risk = service.assessAsOf(quiet.id, kToday);
    QVERIFY(risk.ok());
    QVERIFY(std::abs(risk->probability - 0.1683698760) < 1e-9);
    QCOMPARE(risk->drivers.size(), 1);
    QCOMPARE(risk->drivers[0].label, u"active on 0 of the last 30 days"_s);
    QVERIFY(!risk->missingData.contains(u"no usage data in the portfolio"_s));
}

void TestChurnService::refusesTrainingWithTooLittleHistory()
{
    CS_REQUIRE_BACKEND();
    TestUtils::TestDatabase fixture;
    QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
    Storage::Database &db = fixture.db();
    TestUtils::FakeClock clock(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    ChurnService service(db, clock);
    for (int i = 0; i < 9; ++i) {
        CustomerRow c;
        c.id = u"gone-%1"_s.arg(i);
        c.status = u"churned"_s;
        c.contractStart = QDate(2025, 1, 1);
        c.churnedAt = kToday.addDays(-10 - 7 * i);
        QVERIFY(insertCustomer(db, c));
    }
    for (int i = 0; i < 20; ++i) {
        CustomerRow c;
        c.id = u"here-%1"_s.arg(i);
        c.contractStart = QDate(2025, 1, 1);
        QVERIFY(insertCustomer(db, c));
    }
    CustomerRow undated;
    undated.id = u"undated"_s;
    undated.status = u"churned"_s;
    QVERIFY(insertCustomer(db, undated));
    CustomerRow trial;
    trial.id = u"trial"_s;
    trial.status = u"trial"_s;
    QVERIFY(insertCustomer(db, trial));

    auto trained = service.trainModel();
    QVERIFY(!trained.ok());
    QCOMPARE(trained.error().code, ErrorCode::InvalidArgument);
    const QString message = trained.error().message;
    QVERIFY2(
        message.contains(u"9 churned and 20 retained customers qualify, at least 10 of each"_s), qPrintable(message));
    QVERIFY2(message.contains(u"1 churned customer(s) without a churned_at date"_s), qPrintable(message));
    QVERIFY2(message.contains(u"1 trial account(s)"_s), qPrintable(message));
    // The default model is version 1 even when training is the first thing anyone tries; nothing else stored.
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM churn_models"_s), 1);

    Core::ChurnTrainingOptions bad;
    bad.folds = 1;
    QCOMPARE(service.trainModel(bad).error().field, u"folds"_s);
    bad = {};
    bad.horizonDays = 3;
    QCOMPARE(service.trainModel(bad).error().field, u"horizon_days"_s);
    bad = {};
    bad.l2 = -1;
    QCOMPARE(service.trainModel(bad).error().field, u"l2"_s);
}

void TestChurnService::trainingLooksBeforeTheCutoff()
{
    CS_REQUIRE_BACKEND();
    TestUtils::TestDatabase fixture;
    QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
    Storage::Database &db = fixture.db();
    TestUtils::FakeClock clock(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    ChurnService service(db, clock);

    // 24 churned, 24 retained, the same usage pattern — except that churned customers stop using the product
    // 25 days before they leave, i.e. after a 30-day cutoff. A model that looked past the cutoff would separate
    // them perfectly; ours must not see it with horizon 30, and must see it with horizon 7.
    const QDate historyStart(2025, 9, 1);
    {
        Storage::Transaction tx(db);
        Storage::BulkInserter usage(db, u"usage_daily"_s, { u"customer_id"_s, u"day"_s, u"feature"_s, u"events"_s });
        for (int i = 0; i < 48; ++i) {
            CustomerRow c;
            c.id = u"c-%1"_s.arg(i, 2, 10, QChar(u'0'));
            c.contractStart = QDate(2025, 6, 1);
            const bool churned = i % 2 == 0;
            QDate lastUse = kToday.addDays(-1);
            if (churned) {
                c.status = u"churned"_s;
                c.churnedAt = kToday.addDays(-20 - 4 * i);
                lastUse = c.churnedAt.addDays(-26);
            }
            QVERIFY(insertCustomer(db, c));
            for (QDate d = historyStart.addDays(i % 2 == 0 ? i % 3 : (i - 1) % 3); d <= lastUse; d = d.addDays(2)) {
                const int events = 3 + int(Core::Stats::stableHash(QString(c.id + d.toString(Qt::ISODate)), 1) % 3);
                QVERIFY(usage.add({ c.id, toSql(d), QString(u""_s), events }).ok());
            }
        }
        QVERIFY(usage.flush().ok());
        QVERIFY(tx.commit().ok());
    }

    auto blind = service.trainModel();
    QVERIFY2(blind.ok(), qPrintable(blind.ok() ? QString() : blind.error().toString()));
    qInfo().noquote() << "horizon 30:" << describe(*blind);
    QCOMPARE(blind->model.churnedCount, 24);
    QCOMPARE(blind->model.retainedCount, 24);
    QCOMPARE(blind->model.version, 2);
    QVERIFY2(blind->cvAucMean < 0.75, qPrintable(QString::number(blind->cvAucMean)));

    Core::ChurnTrainingOptions shortHorizon;
    shortHorizon.horizonDays = 7;
    auto seeing = service.trainModel(shortHorizon);
    QVERIFY(seeing.ok());
    qInfo().noquote() << "horizon 7:" << describe(*seeing);
    QVERIFY2(seeing->cvAucMean > 0.9, qPrintable(QString::number(seeing->cvAucMean)));
    QCOMPARE(seeing->model.version, 3);
}

void TestChurnService::learnsFromHealthComponents()
{
    CS_REQUIRE_BACKEND();
    TestUtils::TestDatabase fixture;
    QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
    Storage::Database &db = fixture.db();
    TestUtils::FakeClock clock(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    ChurnService service(db, clock);

    // Weekly health scores as HealthService stores them (components JSON, read straight from health_scores):
    // product_usage sits in [35, 65) for customers that later churn and in [55, 85) for those that stay; an
    // "onboarding" component exists for one customer in ten only. From each churner's cutoff day on (the day
    // itself included) its scores drop to 5, which the model must never see.
    {
        Storage::Transaction tx(db);
        Storage::BulkInserter scores(db, u"health_scores"_s,
            { u"customer_id"_s, u"score_date"_s, u"score"_s, u"band"_s, u"components"_s, u"config_version"_s });
        for (int i = 0; i < 60; ++i) {
            CustomerRow c;
            c.id = u"h-%1"_s.arg(i, 2, 10, QChar(u'0'));
            c.contractStart = QDate(2025, 1, 1);
            const bool churned = i % 2 == 0;
            QDate last = kToday.addDays(-1);
            if (churned) {
                c.status = u"churned"_s;
                c.churnedAt = kToday.addDays(-20 - 5 * i);
                last = c.churnedAt;
            }
            QVERIFY(insertCustomer(db, c));
            // Weekly, plus the day before each churner's cutoff and the cutoff day itself.
            QList<QDate> days;
            for (QDate d(2025, 6, 1); d <= last; d = d.addDays(7))
                days << d;
            if (churned) {
                days.removeAll(c.churnedAt.addDays(-31));
                days.removeAll(c.churnedAt.addDays(-30));
                days << c.churnedAt.addDays(-31) << c.churnedAt.addDays(-30);
            }
            for (const QDate &d : std::as_const(days)) {
                const double base = (churned ? 35 : 55) + double(Core::Stats::stableHash(c.id, 31) % 30);
                const double usage = churned && d >= c.churnedAt.addDays(-30) ? 5 : base;
                QVariantMap components { { u"product_usage"_s,
                    QVariantMap { { u"score"_s, usage }, { u"weight"_s, 1 } } } };
                if (i % 10 == 1)
                    components.insert(u"onboarding"_s, QVariantMap { { u"score"_s, 50 }, { u"weight"_s, 0 } });
                QVERIFY(scores
                            .add({ c.id, toSql(d), usage,
                                usage >= 70       ? u"green"_s
                                    : usage >= 40 ? u"yellow"_s
                                                  : u"red"_s,
                                toSql(components), 1 })
                            .ok());
            }
        }
        QVERIFY(scores.flush().ok());
        QVERIFY(tx.commit().ok());
    }
    auto report = service.trainModel();
    QVERIFY2(report.ok(), qPrintable(report.ok() ? QString() : report.error().toString()));
    qInfo().noquote() << "health components:" << describe(*report);
    const Core::ChurnCoefficient *usage = coefficient(report->model, u"health.product_usage"_s);
    QVERIFY(usage);
    QVERIFY(usage->coefficient < 0);
    QCOMPARE(usage->label, u"health component product_usage"_s);
    QCOMPARE(report->model.coefficients.first().feature, u"health.product_usage"_s);
    // Overlapping ranges: good, not perfect — perfect would mean the post-cutoff drop leaked in.
    QVERIFY2(report->cvAucMean > 0.75 && report->cvAucMean < 0.99, qPrintable(QString::number(report->cvAucMean)));
    QVERIFY2(report->droppedFeatures.contains(u"health.onboarding: scored for only 6 of 60 examples"_s),
        qPrintable(report->droppedFeatures.join(u" | "_s)));
}

void TestChurnService::learnsFromImportedNumericField()
{
    CS_REQUIRE_BACKEND();
    TestUtils::TestDatabase fixture;
    QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
    Storage::Database &db = fixture.db();
    TestUtils::FakeClock clock(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    ChurnService service(db, clock);

    // An "imported" history with none of our usage, tickets or surveys: churn is driven by a custom field
    // seats_utilisation (p = σ(2.5 − 7u)), some values stored as text, next to an unrelated region field.
    int churned = 0;
    {
        Storage::Transaction tx(db);
        for (int i = 0; i < 160; ++i) {
            CustomerRow c;
            c.id = u"imp-%1"_s.arg(i, 3, 10, QChar(u'0'));
            c.contractStart = kToday.addDays(-800);
            c.arr = 5000 + 1000 * (i % 17);
            const double u = 0.05 + 0.95 * uniform(c.id, 11);
            const bool leaves = uniform(c.id, 12) < sigmoid(2.5 - 7 * u);
            const double rounded = std::round(u * 100) / 100;
            c.custom.insert(
                u"seats_utilisation"_s, i % 4 == 0 ? QVariant(QString::number(rounded)) : QVariant(rounded));
            c.custom.insert(u"region"_s, QStringList { u"NA"_s, u"EMEA"_s, u"APAC"_s }.at(i % 3));
            if (leaves) {
                c.status = u"churned"_s;
                c.churnedAt = kToday.addDays(-(20 + int(Core::Stats::stableHash(c.id, 13) % 300)));
                ++churned;
            }
            QVERIFY(insertCustomer(db, c));
        }
        QVERIFY(tx.commit().ok());
    }
    QVERIFY2(churned >= 20 && churned <= 140, qPrintable(QString::number(churned)));

    QSignalSpy modelSpy(&service, &ChurnService::modelChanged);
    auto report = service.trainModel();
    QVERIFY2(report.ok(), qPrintable(report.ok() ? QString() : report.error().toString()));
    qInfo().noquote() << "imported, numeric:" << describe(*report);
    QCOMPARE(modelSpy.count(), 1);
    QCOMPARE(report->model.churnedCount, churned);
    QCOMPARE(report->model.retainedCount, 160 - churned);
    QCOMPARE(report->model.sampleCount, 160);
    QCOMPARE(report->model.source, ChurnModelSource::Trained);
    QCOMPARE(report->model.cvFolds, std::optional<int>(5));
    QVERIFY2(report->cvAucMean > 0.7, qPrintable(QString::number(report->cvAucMean)));
    QCOMPARE(report->foldAuc.size(), 5);
    QVERIFY(report->converged);
    // The field that drives churn is the strongest input, and lowers the risk as it grows.
    QCOMPARE(report->model.coefficients.first().feature, u"custom.seats_utilisation"_s);
    QVERIFY(report->model.coefficients.first().coefficient < 0);
    QCOMPARE(report->topDrivers.first().feature, u"custom.seats_utilisation"_s);
    // Sources this history does not have are reported, not scored as zeros.
    QVERIFY(report->droppedFeatures.contains(u"usage_trend_30d: no data"_s));
    QVERIFY(report->droppedFeatures.contains(u"contract_type=annual: the same for every example"_s));
    // The calibration table covers every example, deciles of out-of-fold predictions.
    QCOMPARE(report->model.calibration.size(), 10);
    int binned = 0;
    for (const Core::ChurnCalibrationRow &b : report->model.calibration)
        binned += b.count;
    QCOMPARE(binned, 160);
    QVERIFY(report->brierScore.has_value());

    // Same history, same model: folds come from a seeded hash of the ids, nothing is random.
    auto again = service.trainModel();
    QVERIFY(again.ok());
    QCOMPARE(again->model.version, report->model.version + 1);
    QCOMPARE(again->cvAucMean, report->cvAucMean);
    QCOMPARE(again->l2, report->l2);
    QCOMPARE(again->model.coefficients.size(), report->model.coefficients.size());
    for (int i = 0; i < report->model.coefficients.size(); ++i) {
        QCOMPARE(again->model.coefficients[i].feature, report->model.coefficients[i].feature);
        QCOMPARE(again->model.coefficients[i].coefficient, report->model.coefficients[i].coefficient);
    }
    // Another seed deals other folds: the estimate moves a little, the model stays the same kind.
    Core::ChurnTrainingOptions reseeded;
    reseeded.seed = 7;
    auto other = service.trainModel(reseeded);
    QVERIFY(other.ok());
    QVERIFY(other->foldAuc != report->foldAuc);
    QCOMPARE(other->model.coefficients.first().feature, u"custom.seats_utilisation"_s);

    // Two new active customers: low utilisation is riskier, and the driver says why in the field's words.
    CustomerRow low;
    low.id = u"new-low"_s;
    low.contractStart = kToday.addDays(-400);
    low.custom.insert(u"seats_utilisation"_s, 0.1);
    CustomerRow high = low;
    high.id = u"new-high"_s;
    high.custom.insert(u"seats_utilisation"_s, 0.95);
    QVERIFY(insertCustomer(db, low));
    QVERIFY(insertCustomer(db, high));
    auto lowRisk = service.scoreCustomer(low.id);
    auto highRisk = service.scoreCustomer(high.id);
    QVERIFY(lowRisk.ok() && highRisk.ok());
    QVERIFY2(lowRisk->probability > highRisk->probability + 0.2,
        qPrintable(u"%1 vs %2"_s.arg(lowRisk->probability).arg(highRisk->probability)));
    QCOMPARE(lowRisk->modelVersion, other->model.version);
    QCOMPARE(lowRisk->drivers.first().label, u"seats_utilisation = 0.1"_s);
    QVERIFY(lowRisk->drivers.first().contribution > 0);
}

void TestChurnService::learnsFromImportedCategoryAndDropsLeaks()
{
    CS_REQUIRE_BACKEND();
    TestUtils::TestDatabase fixture;
    QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
    Storage::Database &db = fixture.db();
    TestUtils::FakeClock clock(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    ChurnService service(db, clock);

    // Churn driven by a categorical plan (basic 50 %, pro 15 %, enterprise 5 %). The file also carries a
    // cancellation_reason only churned rows have (a leak) and a unique account reference (no shared value).
    const QStringList plans { u"basic"_s, u"pro"_s, u"enterprise"_s };
    const double rates[] = { 0.5, 0.15, 0.05 };
    {
        Storage::Transaction tx(db);
        for (int i = 0; i < 210; ++i) {
            CustomerRow c;
            c.id = u"cat-%1"_s.arg(i, 3, 10, QChar(u'0'));
            c.contractStart = kToday.addDays(-900 + i);
            const int plan = i % 3;
            c.custom.insert(u"plan"_s, plans[plan]);
            c.custom.insert(u"account_ref"_s, u"REF-%1"_s.arg(i * 7919));
            if (uniform(c.id, 21) < rates[plan]) {
                c.status = u"churned"_s;
                c.churnedAt = kToday.addDays(-(15 + int(Core::Stats::stableHash(c.id, 22) % 250)));
                c.custom.insert(u"cancellation_reason"_s, i % 2 ? u"price"_s : u"product"_s);
            }
            QVERIFY(insertCustomer(db, c));
        }
        QVERIFY(tx.commit().ok());
    }
    auto report = service.trainModel();
    QVERIFY2(report.ok(), qPrintable(report.ok() ? QString() : report.error().toString()));
    qInfo().noquote() << "imported, categorical:" << describe(*report);
    QVERIFY2(report->cvAucMean > 0.65, qPrintable(QString::number(report->cvAucMean)));
    const Core::ChurnCoefficient *basic = coefficient(report->model, u"custom.plan=basic"_s);
    QVERIFY(basic);
    QVERIFY(basic->coefficient > 0);
    QCOMPARE(basic->label, u"custom field plan = basic"_s);
    double strongestPositive = 0;
    QString strongestFeature;
    for (const Core::ChurnCoefficient &c : report->model.coefficients) {
        if (c.coefficient > strongestPositive) {
            strongestPositive = c.coefficient;
            strongestFeature = c.feature;
        }
    }
    QCOMPARE(strongestFeature, u"custom.plan=basic"_s);
    const Core::ChurnCoefficient *enterprise = coefficient(report->model, u"custom.plan=enterprise"_s);
    QVERIFY(enterprise && enterprise->coefficient < 0);
    // The leak and the identifier are not inputs, and the report says why.
    for (const Core::ChurnCoefficient &c : report->model.coefficients) {
        QVERIFY2(!c.feature.startsWith(u"custom.cancellation_reason"_s), qPrintable(c.feature));
        QVERIFY2(!c.feature.startsWith(u"custom.account_ref"_s), qPrintable(c.feature));
    }
    const QString dropped = report->droppedFeatures.join(u'\n');
    QVERIFY2(dropped.contains(u"custom.cancellation_reason: separates churned from retained almost perfectly"_s),
        qPrintable(dropped));
    QVERIFY2(dropped.contains(u"probable leak"_s), qPrintable(dropped));
    QVERIFY2(dropped.contains(u"custom.account_ref: no value is shared by enough customers"_s), qPrintable(dropped));

    // A new customer on the basic plan: the plan is its main driver, in the file's own words.
    CustomerRow newcomer;
    newcomer.id = u"newcomer"_s;
    newcomer.contractStart = kToday.addDays(-500);
    newcomer.custom.insert(u"plan"_s, u"basic"_s);
    QVERIFY(insertCustomer(db, newcomer));
    auto risk = service.scoreCustomer(newcomer.id);
    QVERIFY(risk.ok());
    QCOMPARE(risk->drivers.first().feature, u"custom.plan=basic"_s);
    QCOMPARE(risk->drivers.first().label, u"plan = basic"_s);
    QVERIFY(risk->drivers.first().contribution > 0);
}

void TestChurnService::riskLevelChangeOnTheTimeline()
{
    CS_REQUIRE_BACKEND();
    TestUtils::TestDatabase fixture;
    QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
    Storage::Database &db = fixture.db();
    TestUtils::FakeClock clock(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    ChurnService service(db, clock);
    CustomerRow quiet;
    quiet.id = u"quiet"_s; // nothing known: p = 0.1, low (noDataIsNotZero)
    QVERIFY(insertCustomer(db, quiet));
    const QString events = u"SELECT COUNT(*) FROM timeline_events WHERE customer_id = 'quiet'"_s;

    // A first prediction has nothing to change from.
    QVERIFY(service.scoreCustomer(quiet.id).ok());
    QCOMPARE(count(db, events), 0);
    // Yesterday's prediction said high (0.62): today's low is a change, recorded once.
    QVERIFY(Storage::exec(db,
        u"UPDATE churn_predictions SET risk_level = 'high', probability = 0.62, predicted_at = ? "
        "WHERE customer_id = 'quiet'"_s,
        { toSql(clock.now().addDays(-1)) })
                .ok());
    QVERIFY(service.scoreCustomer(quiet.id).ok());
    QCOMPARE(count(db, events), 1);
    auto q = Storage::exec(db, u"SELECT kind, title, source_table FROM timeline_events WHERE customer_id = 'quiet'"_s);
    QVERIFY(q.ok() && q->next());
    QCOMPARE(q->value(0).toString(), u"score_change"_s);
    QCOMPARE(q->value(1).toString(), u"Churn risk fell from high (62%) to low (10%)"_s);
    QCOMPARE(q->value(2).toString(), u"churn_predictions"_s);
    // Low again, by the customer and by the portfolio run: no more events.
    QVERIFY(service.scoreCustomer(quiet.id).ok());
    QVERIFY(service.scorePortfolio().ok());
    QCOMPARE(count(db, events), 1);
    // The portfolio run records a change too.
    QVERIFY(Storage::exec(db,
        u"UPDATE churn_predictions SET risk_level = 'critical', probability = 0.9 WHERE id = "
        "(SELECT MAX(id) FROM churn_predictions)"_s)
                .ok());
    QVERIFY(service.scorePortfolio().ok());
    QCOMPARE(count(db, events), 2);

    // Many customers change in one portfolio run: each gets its event (on PostgreSQL the events were once written
    // while the changes were still being read, which cut the read short after the first customer).
    for (const QString &id : { u"second"_s, u"third"_s }) {
        CustomerRow more;
        more.id = id;
        QVERIFY(insertCustomer(db, more));
    }
    QVERIFY(service.scorePortfolio().ok()); // their first predictions: nothing to change from
    QVERIFY(Storage::exec(db,
        u"UPDATE churn_predictions SET risk_level = 'critical', probability = 0.9 WHERE id IN "
        "(SELECT MAX(id) FROM churn_predictions GROUP BY customer_id)"_s)
                .ok());
    QVERIFY(service.scorePortfolio().ok());
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'score_change'"_s), 5);
    // quiet fell from critical once before.
    for (const auto &[id, expected] : { std::pair(u"quiet"_s, 2), std::pair(u"second"_s, 1), std::pair(u"third"_s, 1) })
        QCOMPARE(count(db, u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'score_change' AND customer_id = '%1' "
                           "AND title LIKE 'Churn risk fell from critical%'"_s.arg(id)),
            expected);
}

void TestChurnService::demoPortfolio()
{
    CS_REQUIRE_BACKEND();
    TestUtils::TestDatabase fixture;
    QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
    Storage::Database &db = fixture.db();
    TestUtils::FakeClock clock(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    ChurnService service(db, clock);

    Core::DemoPortfolio::Options options;
    options.customers = 240;
    options.seed = 20261124;
    options.today = kToday;
    QElapsedTimer timer;
    timer.start();
    auto generated = Core::DemoPortfolio(db, options).generate();
    QVERIFY2(generated.ok(), qPrintable(generated.ok() ? QString() : generated.error().toString()));
    qInfo().noquote() << generated->summary() << "in" << timer.elapsed() << "ms";

    timer.restart();
    auto report = service.trainModel();
    QVERIFY2(report.ok(), qPrintable(report.ok() ? QString() : report.error().toString()));
    qInfo().noquote() << "demo:" << describe(*report) << "\ntrained in" << timer.elapsed() << "ms";
    QVERIFY(report->model.churnedCount >= 10);
    QVERIFY(report->model.retainedCount >= 10);
    QVERIFY2(report->cvAucMean > 0.65, qPrintable(QString::number(report->cvAucMean)));
    QVERIFY(report->pooledAuc.has_value() && *report->pooledAuc > 0.6);
    QCOMPARE(report->model.version, 2);
    QVERIFY(report->model.isActive);

    timer.restart();
    QSignalSpy scoredSpy(&service, &ChurnService::portfolioScored);
    auto scoring = service.scorePortfolio();
    QVERIFY2(scoring.ok(), qPrintable(scoring.ok() ? QString() : scoring.error().toString()));
    qInfo().noquote() << u"scored %1 customers in %2 ms: low %3, medium %4, high %5, critical %6, mean p %7"_s
                             .arg(scoring->scored)
                             .arg(timer.elapsed())
                             .arg(scoring->low)
                             .arg(scoring->medium)
                             .arg(scoring->high)
                             .arg(scoring->critical)
                             .arg(scoring->meanProbability, 0, 'f', 3);
    QVERIFY(scoring->hasData);
    QCOMPARE(scoredSpy.count(), 1);
    const qint64 active = count(db, u"SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL AND status = 'active'"_s);
    QCOMPARE(qint64(scoring->scored), active);
    QCOMPARE(scoring->low + scoring->medium + scoring->high + scoring->critical, scoring->scored);
    QCOMPARE(scoring->modelVersion, 2);
    QVERIFY(scoring->caveat.isEmpty());
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM churn_predictions WHERE model_version = 2"_s), active);

    // Paged, highest risk first, every active customer exactly once.
    Core::ChurnRiskQuery query;
    query.limit = 40;
    QSet<QString> seen;
    double previous = 2;
    qint64 total = -1;
    int pages = 0;
    do {
        auto page = service.portfolioRisk(query);
        QVERIFY2(page.ok(), qPrintable(page.ok() ? QString() : page.error().toString()));
        QVERIFY(page->hasData);
        total = page->total;
        QCOMPARE(page->activeModelVersion, 2);
        QCOMPARE(page->predictionsFromOtherModels, 0);
        for (const Core::ChurnRisk &r : page->items) {
            QVERIFY(r.probability <= previous);
            previous = r.probability;
            QVERIFY2(!seen.contains(r.customerId), qPrintable(r.customerId));
            seen.insert(r.customerId);
            QCOMPARE(r.modelVersion, 2);
            QCOMPARE(r.modelSource, ChurnModelSource::Trained);
        }
        if (pages == 0) {
            const Core::ChurnRisk &top = page->items.first();
            QVERIFY(!top.drivers.isEmpty());
            QVERIFY(!top.drivers.first().label.isEmpty());
            qInfo().noquote() << "riskiest:" << top.customerId << top.probability << Domain::enumName(top.riskLevel);
            for (const Core::ChurnDriver &d : top.drivers)
                qInfo().noquote() << "   " << d.label << d.contribution;
        }
        query.cursor = page->nextCursor;
        ++pages;
    } while (!query.cursor.isEmpty());
    QCOMPARE(total, active);
    QCOMPARE(qint64(seen.size()), active);

    // The riskiest accounts of the list are riskier than the portfolio's mean.
    Core::ChurnRiskQuery risky;
    risky.minimumLevel = ChurnRiskLevel::High;
    auto riskyPage = service.portfolioRisk(risky);
    QVERIFY(riskyPage.ok());
    QCOMPARE(riskyPage->total, qint64(scoring->high + scoring->critical));
    for (const Core::ChurnRisk &r : riskyPage->items)
        QVERIFY(r.riskLevel == ChurnRiskLevel::High || r.riskLevel == ChurnRiskLevel::Critical);

    // A churned customer: not scored, but the postmortem view of 30 days before the churn works.
    auto q = Storage::exec(db, u"SELECT id, churned_at FROM customers WHERE status = 'churned' ORDER BY id LIMIT 1"_s);
    QVERIFY(q && q->next());
    const QString gone = q->value(0).toString();
    QDate churnedAt;
    Storage::Convert::fromSql(q->value(1), churnedAt);
    QCOMPARE(service.scoreCustomer(gone).error().field, u"customer_id"_s);
    auto postmortem = service.assessAsOf(gone, churnedAt.addDays(-30));
    QVERIFY(postmortem.ok());
    QCOMPARE(postmortem->asOf, churnedAt.addDays(-30));

    // Back to the default model: the list then reports predictions made by another model.
    QSignalSpy modelSpy(&service, &ChurnService::modelChanged);
    auto reverted = service.activateModel(1);
    QVERIFY(reverted.ok());
    QCOMPARE(modelSpy.count(), 1);
    QVERIFY(reverted->isActive);
    QCOMPARE(service.activeModel()->version, 1);
    auto stale = service.portfolioRisk();
    QVERIFY(stale.ok());
    QCOMPARE(stale->activeModelVersion, 1);
    QCOMPARE(qint64(stale->predictionsFromOtherModels), active);
}

void TestChurnService::portfolioListArguments()
{
    CS_REQUIRE_BACKEND();
    TestUtils::TestDatabase fixture;
    QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
    Storage::Database &db = fixture.db();
    TestUtils::FakeClock clock(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    ChurnService service(db, clock);
    // Three customers with the default model: monthly (+0.4), multi-year (−0.4), annual (0), no other data:
    // p = σ(ln(1/9) ± 0.4) and 0.1 exactly.
    const QList<QPair<QString, QString>> customers { { u"m"_s, u"monthly"_s }, { u"y"_s, u"multi_year"_s },
        { u"a"_s, u"annual"_s } };
    for (const auto &[id, type] : customers) {
        CustomerRow c;
        c.id = id;
        c.contractType = type;
        c.owner = id == u"m"_s ? u"sam"_s : u"alex"_s;
        QVERIFY(insertCustomer(db, c));
    }
    auto scoring = service.scorePortfolio();
    QVERIFY(scoring.ok());
    QCOMPARE(scoring->scored, 3);
    QVERIFY(scoring->caveat.contains(u"Untrained"_s));
    const double pm = sigmoid(std::log(1.0 / 9.0) + 0.4);
    const double py = sigmoid(std::log(1.0 / 9.0) - 0.4);
    QVERIFY(std::abs(scoring->meanProbability - (pm + py + 0.1) / 3) < 1e-12);
    QVERIFY(std::abs(scoring->arrWeightedRisk - 12000 * (pm + py + 0.1)) < 1e-6);
    QCOMPARE(scoring->low, 3); // p(m) = σ(−1.797) = 0.1421 < 0.15

    Core::ChurnRiskQuery query;
    query.limit = 2;
    auto first = service.portfolioRisk(query);
    QVERIFY(first.ok());
    QCOMPARE(first->total, 3);
    QCOMPARE(first->items.size(), 2);
    QCOMPARE(first->items[0].customerId, u"m"_s);
    QCOMPARE(first->items[1].customerId, u"a"_s);
    QVERIFY(!first->nextCursor.isEmpty());
    query.cursor = first->nextCursor;
    auto second = service.portfolioRisk(query);
    QVERIFY(second.ok());
    QCOMPARE(second->items.size(), 1);
    QCOMPARE(second->items[0].customerId, u"y"_s);
    QVERIFY(second->nextCursor.isEmpty());

    Core::ChurnRiskQuery mine;
    mine.owner = u"sam"_s;
    auto owned = service.portfolioRisk(mine);
    QVERIFY(owned.ok());
    QCOMPARE(owned->total, 1);
    QCOMPARE(owned->items[0].customerId, u"m"_s);

    Core::ChurnRiskQuery bad;
    bad.limit = 0;
    QCOMPARE(service.portfolioRisk(bad).error().field, u"limit"_s);
    bad.limit = 201;
    QCOMPARE(service.portfolioRisk(bad).error().field, u"limit"_s);
    bad = {};
    bad.cursor = u"not-a-cursor"_s;
    QCOMPARE(service.portfolioRisk(bad).error().field, u"cursor"_s);
    QCOMPARE(service.models(0).error().field, u"limit"_s);
}

void TestChurnService::trainingReportsProgressAndStopsWhenCancelled()
{
    CS_REQUIRE_BACKEND();
    TestUtils::TestDatabase fixture;
    QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
    Storage::Database &db = fixture.db();
    TestUtils::FakeClock clock(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    ChurnService service(db, clock);
    {
        Storage::Transaction tx(db);
        for (int i = 0; i < 80; ++i) {
            CustomerRow c;
            c.id = u"p-%1"_s.arg(i, 3, 10, QChar(u'0'));
            c.contractStart = kToday.addDays(-800);
            const double u = 0.05 + 0.95 * uniform(c.id, 11);
            c.custom.insert(u"seats_utilisation"_s, std::round(u * 100) / 100);
            if (i % 3 == 0) {
                c.status = u"churned"_s;
                c.churnedAt = kToday.addDays(-(20 + i));
            }
            QVERIFY(insertCustomer(db, c));
        }
        QVERIFY(tx.commit().ok());
    }

    // Progress: every step once, in order, ending at done == total.
    Core::ChurnTrainingOptions options;
    QList<int> steps;
    QStringList stages;
    options.progress = [&](const QString &stage, int done, int total) {
        QCOMPARE(total, 5);
        steps << done;
        stages << stage;
    };
    auto trained = service.trainModel(options);
    QVERIFY2(trained.ok(), qPrintable(trained.ok() ? QString() : trained.error().toString()));
    QCOMPARE(steps, (QList<int> { 0, 1, 2, 3, 4, 5 }));
    QCOMPARE(stages.last(), u"done"_s);
    const int version = trained->model.version;

    // Cancelled after the second step: no new version, the active model unchanged, no modelChanged.
    QSignalSpy modelSpy(&service, &ChurnService::modelChanged);
    int asked = 0;
    options.progress = {};
    options.isCancelled = [&asked] { return ++asked > 2; };
    auto cancelled = service.trainModel(options);
    QVERIFY(!cancelled.ok());
    QCOMPARE(cancelled.error().code, Core::ErrorCode::Cancelled);
    QCOMPARE(asked, 3);
    QCOMPARE(modelSpy.count(), 0);
    auto active = service.activeModel();
    QVERIFY(active.ok());
    QCOMPARE(active->version, version);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM churn_models"_s), qint64(version));
}

void TestChurnService::portfolioScoringReportsProgressAndStopsWhenCancelled()
{
    CS_REQUIRE_BACKEND();
    TestUtils::TestDatabase fixture;
    QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
    Storage::Database &db = fixture.db();
    TestUtils::FakeClock clock(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    ChurnService service(db, clock);
    {
        Storage::Transaction tx(db);
        for (int i = 0; i < 25; ++i) {
            CustomerRow c;
            c.id = u"s-%1"_s.arg(i, 3, 10, QChar(u'0'));
            c.contractStart = kToday.addDays(-400);
            if (i % 5 == 0) { // churned customers are not scored
                c.status = u"churned"_s;
                c.churnedAt = kToday.addDays(-30);
            }
            QVERIFY(insertCustomer(db, c));
        }
        QVERIFY(tx.commit().ok());
    }

    // Cancelled at the third question (after 2 × 8 of 20 customers): nothing stored, no signal.
    QSignalSpy scoredSpy(&service, &ChurnService::portfolioScored);
    Core::ChurnScoringOptions options;
    options.progressEvery = 8;
    QList<QPair<QString, int>> seen;
    options.progress = [&seen](const QString &stage, int done, int total) {
        QCOMPARE(total, 20);
        seen << qMakePair(stage, done);
    };
    int asked = 0;
    options.isCancelled = [&asked] { return ++asked > 2; };
    auto cancelled = service.scorePortfolio(options);
    QVERIFY(!cancelled.ok());
    QCOMPARE(cancelled.error().code, Core::ErrorCode::Cancelled);
    QCOMPARE(asked, 3);
    QCOMPARE(seen, (QList<QPair<QString, int>> { { u"features"_s, 0 }, { u"scoring"_s, 8 }, { u"scoring"_s, 16 } }));
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM churn_predictions"_s), 0);
    QCOMPARE(scoredSpy.count(), 0);

    // Not cancelled: every step in order, ending at done == total, and every active customer stored once.
    seen.clear();
    options.isCancelled = [] { return false; };
    auto scored = service.scorePortfolio(options);
    QVERIFY2(scored.ok(), qPrintable(scored.ok() ? QString() : scored.error().toString()));
    QCOMPARE(scored->scored, 20);
    QCOMPARE(seen,
        (QList<QPair<QString, int>> {
            { u"features"_s, 0 }, { u"scoring"_s, 8 }, { u"scoring"_s, 16 }, { u"scoring"_s, 20 } }));
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM churn_predictions"_s), 20);
    QCOMPARE(scoredSpy.count(), 1);
}

QTEST_GUILESS_MAIN(TestChurnService)
#include "tst_churnservice.moc"
