// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// FeedbackService: the NPS / CSAT / CES formulas with hand-computed values, responses and detractor follow-ups,
// segments, sentiment, themes, product insights and voice-of-customer reports, on an empty database and on a
// generated demo portfolio. Built twice: SQLite (label unit) and PostgreSQL (label pg).
#include <memory>

#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "demoportfolio.h"
#include "feedbackservice.h"
#include "sql.h"
#include "tables_customers.h"
#include "tables_support.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using Core::FeedbackQuery;
using Core::TrendGranularity;
using Domain::SurveyKind;

namespace {

using OptDouble = std::optional<double>;

// A clock that stands still until the test moves it. (TestUtils::FakeClock's default argument uses
// QTimeZone::UTC, which Qt 6.4 does not have.)
class TestClock final : public Core::Clock
{
public:
    QDateTime now() const override { return m_now; }
    void set(const QDateTime &now) { m_now = now.toUTC(); }
    void advanceDays(int days) { m_now = m_now.addDays(days); }
    void advanceSecs(qint64 secs) { m_now = m_now.addSecs(secs); }

private:
    QDateTime m_now = QDateTime(QDate(2026, 6, 15), QTime(12, 0), QTimeZone::utc());
};

QDateTime at(const QString &iso)
{
    QDateTime t = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (t.timeSpec() == Qt::LocalTime)
        t.setTimeZone(QTimeZone::utc());
    return t.toUTC();
}

QDate day(const QString &iso)
{
    return QDate::fromString(iso, Qt::ISODate);
}

bool near(const OptDouble &actual, const OptDouble &expected, double eps = 1e-4)
{
    if (actual.has_value() != expected.has_value())
        return false;
    return !actual || std::abs(*actual - *expected) < eps;
}

QString show(const OptDouble &v)
{
    return v ? QString::number(*v, 'f', 6) : u"none"_s;
}

FeedbackQuery period(const QString &from, const QString &to, TrendGranularity g = TrendGranularity::Month)
{
    FeedbackQuery q;
    q.from = day(from);
    q.to = day(to);
    q.granularity = g;
    return q;
}

} // namespace

Q_DECLARE_METATYPE(OptDouble)

class TestFeedbackService final : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestClock m_clock; // 2026-06-15 12:00 UTC
    std::unique_ptr<Core::FeedbackService> m_service;

    Storage::Database &db() { return m_fixture->db(); }

    void addCustomer(const QString &id, Domain::Tier tier = Domain::Tier::Smb, const QString &industry = {},
        double arr = 0, const QString &owner = {})
    {
        Domain::Customer c;
        c.id = id;
        c.name = u"Customer "_s + id;
        c.tier = tier;
        c.industry = industry;
        c.arr = arr;
        c.owner = owner;
        auto created = Storage::CustomerRepository(db()).create(c);
        QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));
    }

    Core::Result<Core::RecordedResponse> answer(const QString &customer, SurveyKind kind, int score,
        const QString &when = {}, const QString &comment = {}, const QStringList &themes = {})
    {
        Core::NewSurveyResponse r;
        r.customerId = customer;
        r.kind = kind;
        r.score = score;
        r.comment = comment;
        r.themes = themes;
        if (!when.isEmpty())
            r.respondedAt = at(when);
        return m_service->recordResponse(r);
    }

    qint64 count(const QString &sql, const QVariantList &bindings = {})
    {
        auto q = Storage::exec(db(), sql, bindings);
        return q && q->next() ? q->value(0).toLongLong() : -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
    }

    void init()
    {
        m_clock.set(QDateTime(QDate(2026, 6, 15), QTime(12, 0), QTimeZone::utc()));
        m_service = std::make_unique<Core::FeedbackService>(db(), m_clock);
        for (const QString &table :
            { u"timeline_events"_s, u"product_insights"_s, u"voc_reports"_s, u"feedback_theme_rules"_s,
                u"survey_responses"_s, u"surveys"_s, u"support_tickets"_s, u"contacts"_s, u"customers"_s }) {
            auto cleared = Storage::exec(db(), u"DELETE FROM "_s + table);
            QVERIFY2(cleared, qPrintable(cleared ? QString() : cleared.error().toString()));
        }
    }

    // ---- formulas ---------------------------------------------------------------------------------------------

    void npsFormula_data()
    {
        QTest::addColumn<int>("promoters");
        QTest::addColumn<int>("passives");
        QTest::addColumn<int>("detractors");
        QTest::addColumn<OptDouble>("expected");
        QTest::addRow("no answers") << 0 << 0 << 0 << OptDouble();
        QTest::addRow("one promoter") << 1 << 0 << 0 << OptDouble(100.0);
        QTest::addRow("one detractor") << 0 << 0 << 1 << OptDouble(-100.0);
        QTest::addRow("one passive") << 0 << 1 << 0 << OptDouble(0.0);
        QTest::addRow("all equal") << 2 << 2 << 2 << OptDouble(0.0);
        // 5 of 10 promoters (50 %) - 2 of 10 detractors (20 %) = 30
        QTest::addRow("5/3/2") << 5 << 3 << 2 << OptDouble(30.0);
        // 1/3 - 2/3 = -33.33
        QTest::addRow("1/0/2") << 1 << 0 << 2 << OptDouble(-100.0 / 3.0);
    }

    void npsFormula()
    {
        QFETCH(int, promoters);
        QFETCH(int, passives);
        QFETCH(int, detractors);
        QFETCH(OptDouble, expected);
        const OptDouble actual = Core::FeedbackFormulas::nps(promoters, passives, detractors);
        QVERIFY2(near(actual, expected), qPrintable(show(actual)));
    }

    void csatAndCesFormulas_data()
    {
        QTest::addColumn<int>("satisfied");
        QTest::addColumn<int>("responses");
        QTest::addColumn<qint64>("scoreSum");
        QTest::addColumn<OptDouble>("csat");
        QTest::addColumn<OptDouble>("ces");
        QTest::addRow("no answers") << 0 << 0 << qint64(0) << OptDouble() << OptDouble();
        QTest::addRow("one answer") << 1 << 1 << qint64(7) << OptDouble(100.0) << OptDouble(7.0);
        QTest::addRow("none satisfied") << 0 << 4 << qint64(4) << OptDouble(0.0) << OptDouble(1.0);
        QTest::addRow("3 of 4") << 3 << 4 << qint64(10) << OptDouble(75.0) << OptDouble(2.5);
        QTest::addRow("2 of 3") << 2 << 3 << qint64(12) << OptDouble(200.0 / 3.0) << OptDouble(4.0);
    }

    void csatAndCesFormulas()
    {
        QFETCH(int, satisfied);
        QFETCH(int, responses);
        QFETCH(qint64, scoreSum);
        QFETCH(OptDouble, csat);
        QFETCH(OptDouble, ces);
        QVERIFY(near(Core::FeedbackFormulas::csatPercent(satisfied, responses), csat));
        QVERIFY(near(Core::FeedbackFormulas::cesMean(scoreSum, responses), ces));
    }

    void matchThemes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("expected");
        QTest::addRow("empty") << QString() << QStringList();
        QTest::addRow("word start, any ending") << u"So many Bugs!"_s << QStringList { u"Bugs"_s };
        QTest::addRow("not inside a word") << u"we debug it ourselves"_s << QStringList();
        QTest::addRow("phrase keyword") << u"Requests TIME OUT daily"_s << QStringList { u"Performance"_s };
        QTest::addRow("two rules, rule order") << u"slow and buggy"_s << QStringList { u"Performance"_s, u"Bugs"_s };
        QTest::addRow("inactive rule ignored") << u"invoice wrong"_s << QStringList();
    }

    void matchThemes()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, expected);
        Domain::FeedbackThemeRule perf;
        perf.theme = u"Performance"_s;
        perf.keywords = { u"slow"_s, u"time out"_s };
        Domain::FeedbackThemeRule bugs;
        bugs.theme = u"Bugs"_s;
        bugs.keywords = { u"bug"_s };
        Domain::FeedbackThemeRule billing;
        billing.theme = u"Billing"_s;
        billing.keywords = { u"invoice"_s };
        billing.isActive = false;
        QCOMPARE(Core::FeedbackFormulas::matchThemes(text, { perf, bugs, billing }), expected);
    }

    void insightKind_data()
    {
        QTest::addColumn<QString>("theme");
        QTest::addColumn<Domain::InsightKind>("kind");
        QTest::addRow("feature request") << u"Feature request"_s << Domain::InsightKind::FeatureRequest;
        QTest::addRow("snake case") << u"feature_request"_s << Domain::InsightKind::FeatureRequest;
        QTest::addRow("bugs") << u"Bugs"_s << Domain::InsightKind::Bug;
        QTest::addRow("performance") << u"Performance"_s << Domain::InsightKind::Performance;
        QTest::addRow("anything else") << u"Billing"_s << Domain::InsightKind::Other;
    }

    void insightKind()
    {
        QFETCH(QString, theme);
        QFETCH(Domain::InsightKind, kind);
        QCOMPARE(Core::FeedbackFormulas::insightKindForTheme(theme), kind);
    }

    void periodBuckets_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<TrendGranularity>("granularity");
        QTest::addColumn<QStringList>("expected"); // "start..end"
        QTest::addRow("one day") << u"2026-02-04"_s << u"2026-02-04"_s << TrendGranularity::Week
                                 << QStringList { u"2026-02-04..2026-02-04"_s };
        QTest::addRow("weeks clipped, Monday first")
            << u"2026-02-04"_s << u"2026-02-15"_s << TrendGranularity::Week
            << QStringList { u"2026-02-04..2026-02-08"_s, u"2026-02-09..2026-02-15"_s };
        QTest::addRow("months clipped") << u"2026-01-15"_s << u"2026-03-01"_s << TrendGranularity::Month
                                        << QStringList { u"2026-01-15..2026-01-31"_s, u"2026-02-01..2026-02-28"_s,
                                               u"2026-03-01..2026-03-01"_s };
    }

    void periodBuckets()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(TrendGranularity, granularity);
        QFETCH(QStringList, expected);
        QStringList actual;
        for (const auto &[start, end] : Core::Periods::buckets(day(from), day(to), granularity))
            actual << start.toString(Qt::ISODate) + u".."_s + end.toString(Qt::ISODate);
        QCOMPARE(actual, expected);
    }

    void periodValidation_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<TrendGranularity>("granularity");
        QTest::addColumn<QString>("field");
        QTest::addRow("missing from") << QString() << u"2026-01-01"_s << TrendGranularity::Month << u"from"_s;
        QTest::addRow("missing to") << u"2026-01-01"_s << QString() << TrendGranularity::Month << u"to"_s;
        QTest::addRow("reversed") << u"2026-02-01"_s << u"2026-01-01"_s << TrendGranularity::Month << u"to"_s;
        QTest::addRow("over ten years") << u"2016-01-01"_s << u"2026-01-11"_s << TrendGranularity::Week << u"to"_s;
        QTest::addRow("ten years") << u"2016-01-01"_s << u"2026-01-01"_s << TrendGranularity::Week << QString();
        QTest::addRow("fine") << u"2025-01-01"_s << u"2026-01-01"_s << TrendGranularity::Week << QString();
    }

    void periodValidation()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(TrendGranularity, granularity);
        QFETCH(QString, field);
        auto status = Core::Periods::validate(day(from), day(to), granularity);
        if (field.isEmpty()) {
            QVERIFY(status.ok());
        } else {
            QVERIFY(!status.ok());
            QCOMPARE(status.error().field, field);
        }
    }

    // ---- metrics from stored responses ------------------------------------------------------------------------

    void emptyDatabaseSaysNoResponses()
    {
        for (SurveyKind kind : { SurveyKind::Nps, SurveyKind::Csat, SurveyKind::Ces }) {
            auto trend = m_service->satisfactionTrend(kind, period(u"2026-01-01"_s, u"2026-03-31"_s));
            QVERIFY2(trend, qPrintable(trend ? QString() : trend.error().toString()));
            QCOMPARE(trend->overall.responses, 0);
            QVERIFY(!trend->overall.value);
            QCOMPARE(trend->overall.noDataReason, u"no responses"_s);
            QCOMPARE(trend->points.size(), 3);
            for (const Core::SatisfactionPoint &p : trend->points)
                QVERIFY(!p.figure.hasData());
        }
        auto bySegment = m_service->satisfactionBySegment(
            SurveyKind::Nps, period(u"2026-01-01"_s, u"2026-03-31"_s), Core::SegmentDimension::Tier);
        QVERIFY(bySegment);
        QVERIFY(bySegment->isEmpty());
        auto sentiment = m_service->sentimentSummary(period(u"2026-01-01"_s, u"2026-03-31"_s));
        QVERIFY(sentiment);
        QVERIFY(!sentiment->mean);
        QCOMPARE(sentiment->noDataReason, u"no responses in the period"_s);
        auto themes = m_service->themeReport(period(u"2026-01-01"_s, u"2026-03-31"_s));
        QVERIFY(themes);
        QVERIFY(themes->themes.isEmpty());
        QCOMPARE(themes->noDataReason, u"no survey responses or tickets in the period"_s);
    }

    void trendByMonth_data()
    {
        QTest::addColumn<SurveyKind>("kind");
        QTest::addColumn<QStringList>("answers"); // "timestamp=score"
        QTest::addColumn<QList<int>>("responsesPerMonth"); // Jan, Feb, Mar
        QTest::addColumn<QList<OptDouble>>("valuePerMonth");
        QTest::addColumn<OptDouble>("overall");

        // Jan: 10, 9 promoters, 8 passive, 6 and 0 detractors -> (2 - 2) / 5 = 0. Feb: one 9 -> 100. Mar: none.
        // The last instant of January and the first of February fall on their own side; April 1st 00:00 is out.
        // Overall: 3 promoters, 1 passive, 2 detractors -> (3 - 2) / 6 = 16.67
        QTest::addRow("nps") << SurveyKind::Nps
                             << QStringList { u"2026-01-05T10:00:00Z=10"_s, u"2026-01-10T10:00:00Z=9"_s,
                                    u"2026-01-20T10:00:00Z=8"_s, u"2026-01-25T10:00:00Z=6"_s,
                                    u"2026-01-31T23:59:59.999Z=0"_s, u"2026-02-01T00:00:00.000Z=9"_s,
                                    u"2026-04-01T00:00:00.000Z=0"_s }
                             << QList<int> { 5, 1, 0 } << QList<OptDouble> { 0.0, 100.0, OptDouble() }
                             << OptDouble(100.0 / 6.0);
        // CSAT: 5 and 4 satisfied, 3 and 1 not -> 50 %; March 31st 23:59:59.999 is in -> 1 of 1 = 100 %.
        // Overall 3 of 5 = 60 %.
        QTest::addRow("csat") << SurveyKind::Csat
                              << QStringList { u"2026-01-05T10:00:00Z=5"_s, u"2026-01-06T10:00:00Z=4"_s,
                                     u"2026-01-07T10:00:00Z=3"_s, u"2026-01-08T10:00:00Z=1"_s,
                                     u"2026-03-31T23:59:59.999Z=4"_s }
                              << QList<int> { 4, 0, 1 } << QList<OptDouble> { 50.0, OptDouble(), 100.0 }
                              << OptDouble(60.0);
        // CES: Jan 7, 1, 4 -> mean 4; Feb all equal 5, 5 -> 5. Overall 22 / 5 = 4.4.
        QTest::addRow("ces") << SurveyKind::Ces
                             << QStringList { u"2026-01-05T10:00:00Z=7"_s, u"2026-01-06T10:00:00Z=1"_s,
                                    u"2026-01-07T10:00:00Z=4"_s, u"2026-02-07T10:00:00Z=5"_s,
                                    u"2026-02-08T10:00:00Z=5"_s }
                             << QList<int> { 3, 2, 0 } << QList<OptDouble> { 4.0, 5.0, OptDouble() } << OptDouble(4.4);
    }

    void trendByMonth()
    {
        QFETCH(SurveyKind, kind);
        QFETCH(QStringList, answers);
        QFETCH(QList<int>, responsesPerMonth);
        QFETCH(QList<OptDouble>, valuePerMonth);
        QFETCH(OptDouble, overall);
        addCustomer(u"acme"_s);
        for (const QString &a : answers) {
            const QStringList parts = a.split(u'=');
            auto recorded = answer(u"acme"_s, kind, parts[1].toInt(), parts[0]);
            QVERIFY2(recorded, qPrintable(recorded ? QString() : recorded.error().toString()));
        }
        auto trend = m_service->satisfactionTrend(kind, period(u"2026-01-01"_s, u"2026-03-31"_s));
        QVERIFY2(trend, qPrintable(trend ? QString() : trend.error().toString()));
        QCOMPARE(trend->points.size(), 3);
        int total = 0;
        for (int i = 0; i < 3; ++i) {
            const Core::SatisfactionPoint &p = trend->points[i];
            QCOMPARE(p.figure.responses, responsesPerMonth[i]);
            QVERIFY2(
                near(p.figure.value, valuePerMonth[i]), qPrintable(u"month %1: %2"_s.arg(i).arg(show(p.figure.value))));
            QCOMPARE(p.figure.noDataReason.isEmpty(), p.figure.hasData());
            total += responsesPerMonth[i];
        }
        QCOMPARE(trend->points[1].periodStart, QDate(2026, 2, 1));
        QCOMPARE(trend->points[1].periodEnd, QDate(2026, 2, 28));
        QCOMPARE(trend->overall.responses, total);
        QVERIFY2(near(trend->overall.value, overall), qPrintable(show(trend->overall.value)));
    }

    void trendByWeek()
    {
        addCustomer(u"acme"_s);
        // Sunday night and Monday morning land in different ISO weeks on both dialects.
        QVERIFY(answer(u"acme"_s, SurveyKind::Nps, 10, u"2026-02-08T23:59:59.999Z"_s));
        QVERIFY(answer(u"acme"_s, SurveyKind::Nps, 0, u"2026-02-09T00:00:00.000Z"_s));
        QVERIFY(answer(u"acme"_s, SurveyKind::Nps, 9, u"2026-02-15T12:00:00.000Z"_s));
        auto trend = m_service->satisfactionTrend(
            SurveyKind::Nps, period(u"2026-02-04"_s, u"2026-02-15"_s, TrendGranularity::Week));
        QVERIFY(trend);
        QCOMPARE(trend->points.size(), 2);
        QCOMPARE(trend->points[0].periodStart, QDate(2026, 2, 4));
        QCOMPARE(trend->points[0].figure.responses, 1);
        QVERIFY(near(trend->points[0].figure.value, 100.0));
        QCOMPARE(trend->points[1].periodStart, QDate(2026, 2, 9));
        QCOMPARE(trend->points[1].figure.responses, 2);
        QVERIFY(near(trend->points[1].figure.value, 0.0)); // one promoter, one detractor
    }

    void bySegmentAndScope()
    {
        addCustomer(u"e1"_s, Domain::Tier::Enterprise, u"Software"_s);
        addCustomer(u"e2"_s, Domain::Tier::Enterprise);
        addCustomer(u"s1"_s, Domain::Tier::Smb, u"Retail"_s);
        QVERIFY(answer(u"e1"_s, SurveyKind::Nps, 10, u"2026-02-02T10:00:00Z"_s));
        QVERIFY(answer(u"e2"_s, SurveyKind::Nps, 6, u"2026-02-03T10:00:00Z"_s));
        QVERIFY(answer(u"s1"_s, SurveyKind::Nps, 9, u"2026-02-04T10:00:00Z"_s));
        QVERIFY(answer(u"s1"_s, SurveyKind::Nps, 8, u"2026-02-05T10:00:00Z"_s));
        const FeedbackQuery feb = period(u"2026-02-01"_s, u"2026-02-28"_s);

        auto tiers = m_service->satisfactionBySegment(SurveyKind::Nps, feb, Core::SegmentDimension::Tier);
        QVERIFY(tiers);
        QCOMPARE(tiers->size(), 2);
        QCOMPARE(tiers->at(0).segment, u"enterprise"_s); // 2 answers: 1 promoter, 1 detractor -> 0
        QCOMPARE(tiers->at(0).customers, 2);
        QVERIFY(near(tiers->at(0).figure.value, 0.0));
        QCOMPARE(tiers->at(1).segment, u"smb"_s); // 1 promoter, 1 passive -> 50
        QCOMPARE(tiers->at(1).customers, 1);
        QVERIFY(near(tiers->at(1).figure.value, 50.0));

        auto industries = m_service->satisfactionBySegment(SurveyKind::Nps, feb, Core::SegmentDimension::Industry);
        QVERIFY(industries);
        QCOMPARE(industries->size(), 3);
        QCOMPARE(industries->at(0).segment, u"Retail"_s);
        QVERIFY(near(industries->at(0).figure.value, 50.0));
        QCOMPARE(industries->at(1).segment, u"Software"_s);
        QVERIFY(near(industries->at(1).figure.value, 100.0));
        QCOMPARE(industries->at(2).segment, u"unspecified"_s);
        QVERIFY(near(industries->at(2).figure.value, -100.0));

        FeedbackQuery scoped = feb;
        scoped.scope.tiers = { Domain::Tier::Smb };
        auto smb = m_service->satisfactionTrend(SurveyKind::Nps, scoped);
        QVERIFY(smb);
        QCOMPARE(smb->overall.responses, 2);
        scoped.scope = {};
        scoped.scope.industries = { u"software"_s }; // case-insensitive
        auto software = m_service->satisfactionTrend(SurveyKind::Nps, scoped);
        QVERIFY(software);
        QCOMPARE(software->overall.responses, 1);
        scoped.scope = {};
        scoped.scope.customerIds = { u"e2"_s, u"s1"_s };
        auto listed = m_service->satisfactionTrend(SurveyKind::Nps, scoped);
        QVERIFY(listed);
        QCOMPARE(listed->overall.responses, 3);
        QVERIFY(near(listed->overall.value, 0.0)); // 9, 8, 6: (1 - 1) / 3
        scoped.scope.customerIds = { u"e2"_s, u"nobody"_s };
        auto unknown = m_service->satisfactionTrend(SurveyKind::Nps, scoped);
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().code, Core::ErrorCode::NotFound);
        QCOMPARE(unknown.error().field, u"customer_ids"_s);
        QVERIFY(unknown.error().message.contains(u"nobody"_s));
    }

    // ---- responses and follow-ups -----------------------------------------------------------------------------

    void npsCategoriesAndFollowUps_data()
    {
        QTest::addColumn<int>("score");
        QTest::addColumn<QString>("category");
        QTest::addColumn<bool>("followUp");
        QTest::addRow("0") << 0 << u"detractor"_s << true;
        QTest::addRow("6") << 6 << u"detractor"_s << true;
        QTest::addRow("7") << 7 << u"passive"_s << false;
        QTest::addRow("8") << 8 << u"passive"_s << false;
        QTest::addRow("9") << 9 << u"promoter"_s << false;
        QTest::addRow("10") << 10 << u"promoter"_s << false;
    }

    void npsCategoriesAndFollowUps()
    {
        QFETCH(int, score);
        QFETCH(QString, category);
        QFETCH(bool, followUp);
        addCustomer(u"acme"_s, Domain::Tier::Enterprise, {}, 1000, u"casey@csm.example"_s);
        QSignalSpy recorded(m_service.get(), &Core::FeedbackService::responseRecorded);
        auto r = answer(u"acme"_s, SurveyKind::Nps, score);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        QCOMPARE(recorded.size(), 1);
        QCOMPARE(Domain::enumName(*r->response.npsCategory), category);
        QCOMPARE(r->followUpOpened, followUp);
        QCOMPARE(r->response.followUpStatus, followUp ? Domain::FollowUpStatus::Open : Domain::FollowUpStatus::None);
        if (followUp) {
            QCOMPARE(r->response.followUpDue, m_clock.now().addDays(3));
            QCOMPARE(r->response.routedTo, u"casey@csm.example"_s);
        }
        // The timeline notes every answer; a detractor is named as one.
        auto events = Storage::exec(db(),
            u"SELECT title FROM timeline_events WHERE customer_id = 'acme' AND kind = 'feedback' AND source_id = ?"_s,
            { QString::number(r->response.id) });
        QVERIFY(events && events->next());
        const QString title = events->value(0).toString();
        QVERIFY2(title.startsWith(u"NPS %1/10 (%2)"_s.arg(score).arg(category)), qPrintable(title));
        QCOMPARE(title.contains(u"follow-up due"_s), followUp);
    }

    void responseStoresSentimentAndThemes()
    {
        addCustomer(u"acme"_s);
        Domain::FeedbackThemeRule rule;
        rule.theme = u"Performance"_s;
        rule.keywords = { u"slow"_s };
        QVERIFY(m_service->createThemeRule(rule));
        auto r = answer(u"acme"_s, SurveyKind::Csat, 2, {}, u"The app is very slow"_s, { u"mobile"_s, u" "_s });
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        // very slow: -1.5 * 1.5 = -2.25 -> -2.25 / sqrt(20.0625)
        QVERIFY(r->sentiment.hasSignal());
        QVERIFY(near(r->response.sentiment, -2.25 / std::sqrt(20.0625)));
        QCOMPARE(r->response.themes, (QStringList { u"mobile"_s, u"Performance"_s }));
        QCOMPARE(r->ruleThemes, QStringList { u"Performance"_s });
        QVERIFY(!r->response.npsCategory);
        // No sentiment-bearing words: stored as NULL, never as a neutral 0.
        auto plain = answer(u"acme"_s, SurveyKind::Csat, 4, {}, u"We use it for reports."_s);
        QVERIFY(plain);
        QVERIFY(!plain->response.sentiment);
        auto stored = m_service->response(plain->response.id);
        QVERIFY(stored);
        QVERIFY(!stored->sentiment);
    }

    void responseErrors_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<Core::ErrorCode>("code");
        QTest::addColumn<QString>("field");
        QTest::addRow("unknown customer") << u"unknown customer"_s << Core::ErrorCode::NotFound << u"customer_id"_s;
        QTest::addRow("no kind") << u"no kind"_s << Core::ErrorCode::InvalidArgument << u"kind"_s;
        QTest::addRow("nps 11") << u"nps 11"_s << Core::ErrorCode::InvalidArgument << u"score"_s;
        QTest::addRow("nps -1") << u"nps -1"_s << Core::ErrorCode::InvalidArgument << u"score"_s;
        QTest::addRow("csat 0") << u"csat 0"_s << Core::ErrorCode::InvalidArgument << u"score"_s;
        QTest::addRow("ces 8") << u"ces 8"_s << Core::ErrorCode::InvalidArgument << u"score"_s;
        QTest::addRow("future") << u"future"_s << Core::ErrorCode::InvalidArgument << u"responded_at"_s;
        QTest::addRow("unknown survey") << u"unknown survey"_s << Core::ErrorCode::NotFound << u"survey_id"_s;
        QTest::addRow("draft survey") << u"draft survey"_s << Core::ErrorCode::InvalidArgument << u"survey_id"_s;
        QTest::addRow("closed survey") << u"closed survey"_s << Core::ErrorCode::InvalidArgument << u"survey_id"_s;
        QTest::addRow("kind mismatch") << u"kind mismatch"_s << Core::ErrorCode::InvalidArgument << u"kind"_s;
        QTest::addRow("contact of another customer")
            << u"foreign contact"_s << Core::ErrorCode::InvalidArgument << u"contact_id"_s;
    }

    void responseErrors()
    {
        QFETCH(QString, what);
        QFETCH(Core::ErrorCode, code);
        QFETCH(QString, field);
        addCustomer(u"acme"_s);
        addCustomer(u"other"_s);
        auto makeSurvey = [&](Domain::SurveyStatus status) {
            Domain::Survey s;
            s.kind = SurveyKind::Nps;
            s.name = u"Relationship NPS"_s;
            s.question = u"How likely are you to recommend us?"_s;
            s.status = status;
            auto created = m_service->createSurvey(s);
            return created ? created->id : qint64(0);
        };
        Core::NewSurveyResponse r;
        r.customerId = u"acme"_s;
        r.kind = SurveyKind::Nps;
        r.score = 5;
        if (what == u"unknown customer"_s) {
            r.customerId = u"nobody"_s;
        } else if (what == u"no kind"_s) {
            r.kind.reset();
        } else if (what == u"nps 11"_s) {
            r.score = 11;
        } else if (what == u"nps -1"_s) {
            r.score = -1;
        } else if (what == u"csat 0"_s) {
            r.kind = SurveyKind::Csat;
            r.score = 0;
        } else if (what == u"ces 8"_s) {
            r.kind = SurveyKind::Ces;
            r.score = 8;
        } else if (what == u"future"_s) {
            r.respondedAt = m_clock.now().addSecs(60);
        } else if (what == u"unknown survey"_s) {
            r.surveyId = 999999;
        } else if (what == u"draft survey"_s) {
            r.surveyId = makeSurvey(Domain::SurveyStatus::Draft);
        } else if (what == u"closed survey"_s) {
            r.surveyId = makeSurvey(Domain::SurveyStatus::Closed);
        } else if (what == u"kind mismatch"_s) {
            r.surveyId = makeSurvey(Domain::SurveyStatus::Active);
            r.kind = SurveyKind::Csat;
            r.score = 3;
        } else if (what == u"foreign contact"_s) {
            auto contact = Storage::exec(
                db(), u"INSERT INTO contacts (customer_id, name) VALUES ('other', 'Someone Else') RETURNING id"_s);
            QVERIFY(contact && contact->next());
            r.contactId = contact->value(0).toLongLong();
            while (contact->next()) { }
        }
        auto result = m_service->recordResponse(r);
        QVERIFY(!result);
        QCOMPARE(result.error().code, code);
        QCOMPARE(result.error().field, field);
        QCOMPARE(count(u"SELECT COUNT(*) FROM survey_responses"_s), qint64(0));
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events"_s), qint64(0));
    }

    void surveyGivesKindAndChannel()
    {
        addCustomer(u"acme"_s);
        Domain::Survey s;
        s.kind = SurveyKind::Ces;
        s.name = u"Support effort"_s;
        s.question = u"How easy was it?"_s;
        s.status = Domain::SurveyStatus::Active;
        s.channel = Domain::FeedbackChannel::InApp;
        auto survey = m_service->createSurvey(s);
        QVERIFY(survey);
        Core::NewSurveyResponse r;
        r.customerId = u"acme"_s;
        r.surveyId = survey->id;
        r.score = 6;
        auto recorded = m_service->recordResponse(r);
        QVERIFY2(recorded, qPrintable(recorded ? QString() : recorded.error().toString()));
        QCOMPARE(recorded->response.kind, SurveyKind::Ces);
        QCOMPARE(recorded->response.channel, Domain::FeedbackChannel::InApp);
        QCOMPARE(recorded->response.surveyId, survey->id);
    }

    void followUpLifecycle()
    {
        addCustomer(u"acme"_s, Domain::Tier::Smb, {}, 0, u"casey@csm.example"_s);
        addCustomer(u"beta"_s, Domain::Tier::Smb, {}, 0, u"robin@csm.example"_s);
        auto detractor = answer(u"acme"_s, SurveyKind::Nps, 2, {}, u"Nobody follows up."_s);
        QVERIFY(detractor);
        QVERIFY(answer(u"beta"_s, SurveyKind::Nps, 5));
        QVERIFY(answer(u"beta"_s, SurveyKind::Nps, 10));

        Core::FollowUpQuery open;
        auto all = m_service->followUps(open);
        QVERIFY(all);
        QCOMPARE(all->total, qint64(2));
        Core::FollowUpQuery overdue;
        overdue.overdueOnly = true;
        QCOMPARE(m_service->followUps(overdue)->total, qint64(0));
        m_clock.advanceDays(3);
        QCOMPARE(m_service->followUps(overdue)->total, qint64(0)); // due exactly now: not yet overdue
        m_clock.advanceSecs(1);
        QCOMPARE(m_service->followUps(overdue)->total, qint64(2));
        Core::FollowUpQuery mine;
        mine.routedTo = u"casey@csm.example"_s;
        auto casey = m_service->followUps(mine);
        QVERIFY(casey);
        QCOMPARE(casey->total, qint64(1));
        QCOMPARE(casey->items.first().id, detractor->response.id);

        auto done = m_service->completeFollowUp(detractor->response.id, u"Called the admin"_s, u"casey"_s);
        QVERIFY2(done, qPrintable(done ? QString() : done.error().toString()));
        QCOMPARE(done->followUpStatus, Domain::FollowUpStatus::Done);
        QCOMPARE(m_service->followUps(open)->total, qint64(1));
        auto again = m_service->completeFollowUp(detractor->response.id, {}, u"casey"_s);
        QVERIFY(!again);
        QCOMPARE(again.error().field, u"follow_up_status"_s);
        auto missing = m_service->completeFollowUp(999999, {}, u"casey"_s);
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, Core::ErrorCode::NotFound);
        QCOMPARE(missing.error().field, u"response_id"_s);
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events WHERE customer_id = 'acme' AND kind = 'feedback'"_s),
            qint64(2)); // the answer and the follow-up
    }

    // ---- sentiment, themes, insights, VoC ---------------------------------------------------------------------

    void sentimentSummaryFromComments()
    {
        addCustomer(u"acme"_s);
        QVERIFY(answer(u"acme"_s, SurveyKind::Nps, 9, u"2026-02-02T10:00:00Z"_s, u"Good."_s));
        QVERIFY(answer(u"acme"_s, SurveyKind::Nps, 5, u"2026-02-03T10:00:00Z"_s, u"Not good"_s));
        QVERIFY(answer(u"acme"_s, SurveyKind::Nps, 7, u"2026-02-04T10:00:00Z"_s));
        QVERIFY(answer(u"acme"_s, SurveyKind::Nps, 7, u"2026-03-04T10:00:00Z"_s, u"The meeting is on Tuesday"_s));
        auto s = m_service->sentimentSummary(period(u"2026-02-01"_s, u"2026-03-31"_s), 5);
        QVERIFY2(s, qPrintable(s ? QString() : s.error().toString()));
        QCOMPARE(s->responses, 4);
        QCOMPARE(s->withComment, 3);
        QCOMPARE(s->scored, 2);
        // (0.458831 + -0.25) / 2
        QVERIFY(near(s->mean, (2.0 / std::sqrt(19.0) - 0.25) / 2.0, 1e-6));
        QCOMPARE(s->positive, 1);
        QCOMPARE(s->negative, 1);
        QCOMPARE(s->neutral, 0);
        QCOMPARE(s->trend.size(), 2);
        QCOMPARE(s->trend[0].scored, 2);
        QCOMPARE(s->trend[1].scored, 0);
        QVERIFY(!s->trend[1].mean); // March: a comment, but no measurable sentiment
        QCOMPARE(s->mostNegative.size(), 1);
        QCOMPARE(s->mostNegative[0].comment, u"Not good"_s);
        QCOMPARE(s->mostPositive.size(), 1);
        QCOMPARE(s->mostPositive[0].comment, u"Good."_s);
        QVERIFY(s->method.contains(u"Limitations"_s));

        auto march = m_service->sentimentSummary(period(u"2026-03-01"_s, u"2026-03-31"_s));
        QVERIFY(march);
        QVERIFY(!march->mean);
        QCOMPARE(march->noDataReason, u"no comment in the period carries a measurable sentiment"_s);
    }

    void themesInsightsAndVoc()
    {
        addCustomer(u"a"_s, Domain::Tier::Smb, {}, 1000);
        addCustomer(u"b"_s, Domain::Tier::Smb, {}, 2000);
        addCustomer(u"c"_s, Domain::Tier::Smb, {}, 500);
        Domain::FeedbackThemeRule perf;
        perf.theme = u"Performance"_s;
        perf.keywords = { u"slow"_s, u"time out"_s };
        QVERIFY(m_service->createThemeRule(perf));
        Domain::FeedbackThemeRule billing;
        billing.theme = u"Billing"_s;
        billing.keywords = { u"invoice"_s };
        QVERIFY(m_service->createThemeRule(billing));
        Domain::FeedbackThemeRule off;
        off.theme = u"Ignored"_s;
        off.keywords = { u"slow"_s };
        off.isActive = false;
        QVERIFY(m_service->createThemeRule(off));

        QVERIFY(answer(u"a"_s, SurveyKind::Nps, 3, u"2026-02-02T10:00:00Z"_s, u"The dashboard is slow"_s));
        QVERIFY(answer(u"b"_s, SurveyKind::Nps, 9, u"2026-02-03T10:00:00Z"_s, u"Fast, but exports are slow sometimes"_s,
            { u"exports"_s }));
        QVERIFY(answer(u"a"_s, SurveyKind::Csat, 2, u"2026-02-04T10:00:00Z"_s, u"Invoice was wrong"_s));
        Domain::SupportTicket ticket;
        ticket.customerId = u"c"_s;
        ticket.subject = u"Requests time out"_s;
        ticket.category = u"performance"_s;
        ticket.tags = { u"api"_s };
        ticket.openedAt = at(u"2026-02-05T10:00:00Z"_s);
        QVERIFY(Storage::SupportTicketRepository(db()).create(ticket));

        const FeedbackQuery feb = period(u"2026-02-01"_s, u"2026-02-28"_s);
        auto report = m_service->themeReport(feb, 25, true);
        QVERIFY2(report, qPrintable(report ? QString() : report.error().toString()));
        QCOMPARE(report->responsesConsidered, 3);
        QCOMPARE(report->ticketsConsidered, 1);
        QStringList names;
        for (const Core::ThemeSummary &t : report->themes)
            names << t.theme;
        // Performance: 3 customers; then the one-customer themes, one mention each, by name.
        QCOMPARE(names, (QStringList { u"Performance"_s, u"api"_s, u"Billing"_s, u"exports"_s }));
        const Core::ThemeSummary &p = report->themes[0];
        QCOMPARE(p.responseMentions, 2);
        QCOMPARE(p.ticketMentions, 1); // rule match and category "performance" are one theme
        QCOMPARE(p.mentions, 3);
        QCOMPARE(p.customerCount, 3);
        QCOMPARE(p.arrAffected, 3500.0);
        QCOMPARE(p.detractorMentions, 1);
        QCOMPARE(p.sentimentScored, 2);
        // "is slow": -1.5; "Fast, but ... slow": 0.75 - 2.25 = -1.5; both -1.5 / sqrt(17.25)
        QVERIFY(near(p.meanSentiment, -1.5 / std::sqrt(17.25), 1e-6));
        QCOMPARE(p.quotes.size(), 2);
        QCOMPARE(p.quotes[0].customerId, u"b"_s); // newest first
        QCOMPARE(report->themes[2].arrAffected, 1000.0);
        QVERIFY(!report->themes[2].meanSentiment); // "Invoice was wrong" has no lexicon term

        auto limited = m_service->themeReport(feb, 1, false);
        QVERIFY(limited);
        QCOMPARE(limited->totalThemes, 3); // without the ticket: Performance, Billing, exports
        QCOMPARE(limited->themes.size(), 1);
        QCOMPARE(limited->themes[0].customerCount, 2);

        // share_product_insights: first the themes raised by at least two customers.
        QSignalSpy changed(m_service.get(), &Core::FeedbackService::productInsightsChanged);
        auto shared = m_service->shareProductInsights(feb, u"product@example.com"_s, 2);
        QVERIFY2(shared, qPrintable(shared ? QString() : shared.error().toString()));
        QCOMPARE(shared->created.size(), 1);
        QCOMPARE(shared->updated.size(), 0);
        const Domain::ProductInsight insight = shared->created[0];
        QCOMPARE(insight.theme, u"Performance"_s);
        QCOMPARE(insight.kind, Domain::InsightKind::Performance);
        QCOMPARE(insight.status, Domain::InsightStatus::Shared);
        QCOMPARE(insight.customerCount, 3);
        QCOMPARE(insight.arrImpact, 3500.0);
        QCOMPARE(insight.evidence.size(), 3);
        QCOMPARE(insight.sharedWith, u"product@example.com"_s);
        QCOMPARE(insight.sharedAt, m_clock.now());
        QCOMPARE(changed.size(), 1);
        // Again with a lower bar: the Performance insight is refreshed, the others are new.
        auto again = m_service->shareProductInsights(feb, u"product@example.com"_s, 1);
        QVERIFY(again);
        QCOMPARE(again->updated.size(), 1);
        QCOMPARE(again->updated[0].id, insight.id);
        QCOMPARE(again->created.size(), 3);
        QCOMPARE(count(u"SELECT COUNT(*) FROM product_insights WHERE deleted_at IS NULL"_s), qint64(4));
        auto planned = m_service->setInsightStatus(insight.id, Domain::InsightStatus::Planned);
        QVERIFY(planned);
        QCOMPARE(planned->status, Domain::InsightStatus::Planned);
        auto noShare = m_service->shareProductInsights(feb, u"  "_s, 1);
        QVERIFY(!noShare);
        QCOMPARE(noShare.error().field, u"shared_with"_s);
        auto nothing = m_service->shareProductInsights(feb, u"product@example.com"_s, 4);
        QVERIFY(nothing);
        QVERIFY(nothing->created.isEmpty() && nothing->updated.isEmpty());
        QCOMPARE(nothing->basis.noDataReason, u"no theme was raised by at least 4 customer(s)"_s);

        // Voice of the customer for February, stored and read back.
        auto voc = m_service->generateVocReport(feb, {}, u"casey"_s);
        QVERIFY2(voc, qPrintable(voc ? QString() : voc.error().toString()));
        auto stored = m_service->vocReport(voc->id);
        QVERIFY(stored);
        QCOMPARE(stored->title, u"Voice of the customer 2026-02-01 to 2026-02-28"_s);
        QCOMPARE(stored->generatedAt, m_clock.now());
        const QVariantMap summary = stored->summary;
        QCOMPARE(summary.value(u"responses"_s).toInt(), 3);
        const QVariantMap nps = summary.value(u"nps"_s).toMap();
        QCOMPARE(nps.value(u"responses"_s).toInt(), 2);
        QCOMPARE(nps.value(u"value"_s).toDouble(), 0.0); // one promoter, one detractor
        const QVariantMap ces = summary.value(u"ces"_s).toMap();
        QCOMPARE(ces.value(u"responses"_s).toInt(), 0);
        QVERIFY(ces.value(u"value"_s).isNull());
        QCOMPARE(ces.value(u"no_data_reason"_s).toString(), u"no responses"_s);
        const QVariantList themes = summary.value(u"top_themes"_s).toList();
        QCOMPARE(themes.size(), 4);
        QCOMPARE(themes[0].toMap().value(u"theme"_s).toString(), u"Performance"_s);
        QCOMPARE(themes[0].toMap().value(u"arr_affected"_s).toDouble(), 3500.0);
        const QVariantMap followUps = summary.value(u"follow_ups"_s).toMap();
        QCOMPARE(followUps.value(u"opened"_s).toInt(), 1);
        QCOMPARE(followUps.value(u"overdue"_s).toInt(), 1); // due Feb 5th, now is June
        QCOMPARE(summary.value(u"quotes"_s).toMap().value(u"negative"_s).toList().size(), 2);
        auto reports = m_service->listVocReports(10);
        QVERIFY(reports);
        QCOMPARE(reports->total, qint64(1));
    }

    void vocOnEmptyDatabase()
    {
        auto voc = m_service->generateVocReport(period(u"2026-01-01"_s, u"2026-01-31"_s), u"January"_s, {});
        QVERIFY2(voc, qPrintable(voc ? QString() : voc.error().toString()));
        auto stored = m_service->vocReport(voc->id);
        QVERIFY(stored);
        const QVariantMap summary = stored->summary;
        QCOMPARE(summary.value(u"responses"_s).toInt(), 0);
        QCOMPARE(summary.value(u"no_data_reason"_s).toString(), u"no survey responses in the period"_s);
        QVERIFY(summary.value(u"nps"_s).toMap().value(u"value"_s).isNull());
        QVERIFY(summary.value(u"sentiment"_s).toMap().value(u"mean"_s).isNull());
        QVERIFY(summary.value(u"top_themes"_s).toList().isEmpty());
        auto missing = m_service->vocReport(999999);
        QVERIFY(!missing);
        QCOMPARE(missing.error().field, u"report_id"_s);
    }

    // ---- a generated demo portfolio ---------------------------------------------------------------------------

    void demoPortfolio()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::DemoPortfolio::Options options;
        options.customers = 40;
        options.seed = 20260615;
        options.today = QDate(2026, 6, 15);
        options.usageEvents = 2000;
        auto stats = Core::DemoPortfolio(fixture.db(), options).generate();
        QVERIFY2(stats, qPrintable(stats ? QString() : stats.error().toString()));
        Core::FeedbackService service(fixture.db(), m_clock);
        const FeedbackQuery year = period(u"2025-06-16"_s, u"2026-06-15"_s);

        // NPS equals the formula applied to the database's own counts.
        auto counts = Storage::exec(fixture.db(),
            u"SELECT COUNT(*), SUM(CASE WHEN score >= 9 THEN 1 ELSE 0 END), SUM(CASE WHEN score <= 6 THEN 1 ELSE 0 "
            u"END) "
            u"FROM survey_responses WHERE kind = 'nps' AND deleted_at IS NULL AND responded_at >= ? AND responded_at < ?"_s,
            { u"2025-06-16T00:00:00.000Z"_s, u"2026-06-16T00:00:00.000Z"_s });
        QVERIFY(counts && counts->next());
        const int total = counts->value(0).toInt();
        const int promoters = counts->value(1).toInt();
        const int detractors = counts->value(2).toInt();
        QVERIFY2(total > 20, qPrintable(QString::number(total)));
        auto nps = service.satisfactionTrend(SurveyKind::Nps, year);
        QVERIFY2(nps, qPrintable(nps ? QString() : nps.error().toString()));
        QCOMPARE(nps->overall.responses, total);
        QVERIFY(near(nps->overall.value, 100.0 * (promoters - detractors) / total, 1e-9));
        QCOMPARE(nps->points.size(), 13); // a partial June 2025, eleven months, a partial June 2026
        int monthsWithData = 0;
        for (const Core::SatisfactionPoint &p : nps->points)
            monthsWithData += p.figure.hasData() ? 1 : 0;
        QVERIFY(monthsWithData >= 6);
        auto tiers = service.satisfactionBySegment(SurveyKind::Nps, year, Core::SegmentDimension::Tier);
        QVERIFY(tiers);
        int tierTotal = 0;
        for (const Core::SegmentSatisfaction &s : *tiers)
            tierTotal += s.figure.responses;
        QCOMPARE(tierTotal, total);

        // The demo's comments were written to match the score: the scorer must see detractors as more negative.
        auto comments = Storage::exec(fixture.db(),
            u"SELECT nps_category, comment FROM survey_responses WHERE kind = 'nps' AND comment IS NOT NULL"_s);
        QVERIFY(comments);
        double promoterSum = 0;
        double detractorSum = 0;
        int promoterN = 0;
        int detractorN = 0;
        while (comments->next()) {
            const Core::SentimentResult r = Core::scoreSentiment(comments->value(1).toString());
            if (!r.hasSignal())
                continue;
            if (comments->value(0).toString() == u"promoter"_s) {
                promoterSum += r.score;
                ++promoterN;
            } else if (comments->value(0).toString() == u"detractor"_s) {
                detractorSum += r.score;
                ++detractorN;
            }
        }
        QVERIFY(promoterN > 0 && detractorN > 0);
        QVERIFY2(detractorSum / detractorN < -0.2 && promoterSum / promoterN > 0.2,
            qPrintable(u"detractors %1, promoters %2"_s.arg(detractorSum / detractorN).arg(promoterSum / promoterN)));

        auto sentiment = service.sentimentSummary(year);
        QVERIFY(sentiment);
        QVERIFY(sentiment->scored > 0 && sentiment->mean);
        QVERIFY(!sentiment->mostNegative.isEmpty() && *sentiment->mostNegative[0].sentiment < 0);
        QVERIFY(!sentiment->mostPositive.isEmpty() && *sentiment->mostPositive[0].sentiment > 0);

        // Themes: ticket categories count once per ticket; a keyword rule finds the performance complaints.
        Domain::FeedbackThemeRule perf;
        perf.theme = u"Performance"_s;
        perf.keywords = { u"slow"_s, u"performance"_s, u"outage"_s, u"timeout"_s };
        QVERIFY(service.createThemeRule(perf));
        auto themes = service.themeReport(year, 200, true);
        QVERIFY(themes);
        QVERIFY(!themes->themes.isEmpty());
        auto bugs = Storage::exec(fixture.db(),
            u"SELECT COUNT(*) FROM support_tickets WHERE category = 'bug' AND deleted_at IS NULL AND opened_at >= ? "
            u"AND opened_at < ?"_s,
            { u"2025-06-16T00:00:00.000Z"_s, u"2026-06-16T00:00:00.000Z"_s });
        QVERIFY(bugs && bugs->next());
        bool sawBug = false;
        bool sawPerformance = false;
        for (const Core::ThemeSummary &t : themes->themes) {
            if (t.theme == u"bug"_s) {
                sawBug = true;
                QCOMPARE(qint64(t.ticketMentions), bugs->value(0).toLongLong());
                QVERIFY(t.arrAffected > 0);
            }
            if (t.theme == u"Performance"_s) {
                sawPerformance = true;
                QVERIFY(t.responseMentions > 0);
                QVERIFY(t.meanSentiment && *t.meanSentiment < 0);
            }
        }
        QVERIFY(sawBug && sawPerformance);

        auto voc = service.generateVocReport(year, {}, u"test"_s);
        QVERIFY(voc);
        QVERIFY(voc->summary.value(u"responses"_s).toInt() >= total);
        QVERIFY(!voc->summary.value(u"top_themes"_s).toList().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestFeedbackService)
#include "tst_feedbackservice.moc"
