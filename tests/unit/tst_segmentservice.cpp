// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// SegmentService: value tiers (percentile arithmetic by hand), criteria validation and evaluation on a small
// hand-built portfolio, saved dynamic and static segments, and a generated demo portfolio. Built twice: SQLite
// (label unit) and PostgreSQL (label pg).
#include <algorithm>

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "demoportfolio.h"
#include "fakeclock.h"
#include "segmentservice.h"
#include "sql.h"
#include "tables_customers.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using Core::ErrorCode;
using Core::ValueTier;

namespace {

const QDate kToday(2026, 6, 15);

QVariantMap json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object().toVariantMap();
}

qint64 count(Storage::Database &db, const QString &sql, const QVariantList &bindings = {})
{
    auto q = Storage::exec(db, sql, bindings);
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

QString why(const Core::Error &e)
{
    return e.toString();
}

} // namespace

class TestSegmentService : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestUtils::FakeClock m_clock { QDateTime(kToday, QTime(12, 0), QTimeZone::utc()) };
    std::unique_ptr<Core::SegmentService> m_service;

    Storage::Database &db() { return m_fixture->db(); }

    void addCustomer(const QString &id, Domain::Tier tier, const QString &industry, Domain::LifecycleStage stage,
        Domain::CustomerStatus status, const QString &owner, double arr, QDate renewal, const QVariantMap &custom)
    {
        Domain::Customer c;
        c.id = id;
        c.name = u"Customer "_s + id;
        c.tier = tier;
        c.industry = industry;
        c.lifecycleStage = stage;
        c.status = status;
        c.owner = owner;
        c.arr = arr;
        c.renewalDate = renewal;
        c.customFields = custom;
        if (status == Domain::CustomerStatus::Churned)
            c.churnedAt = QDate(2026, 3, 1);
        auto created = Storage::CustomerRepository(db()).create(c);
        QVERIFY2(created.ok(), qPrintable(created.ok() ? QString() : why(created.error())));
    }

    void addScore(const QString &id, QDate day, double score, const QString &band)
    {
        auto q = Storage::exec(db(),
            u"INSERT INTO health_scores (customer_id, score_date, score, band, components, config_version) "
            "VALUES (?, ?, ?, ?, '{}', 1)"_s,
            { id, day.toString(Qt::ISODate), score, band });
        QVERIFY2(q.ok(), qPrintable(q.ok() ? QString() : why(q.error())));
    }

    void addActiveDays(const QString &id, QDate last, int days)
    {
        for (int i = 0; i < days; ++i) {
            auto q = Storage::exec(db(),
                u"INSERT INTO usage_daily (customer_id, day, feature, events, active_users, quantity) "
                "VALUES (?, ?, '', 3, 1, 3)"_s,
                { id, last.addDays(-i).toString(Qt::ISODate) });
            QVERIFY(q.ok());
        }
    }

    // The hand-built portfolio every evaluate row refers to (today = 2026-06-15):
    //   c01 enterprise Fintech   adoption  active  alice 120 000  renews 07-01 (+16)  EMEA, seats 50, beta
    //       health: red 30 (06-01), green 82 (06-14); usage: the 20 days ending today
    //   c02 smb        fintech   onboarding trial  Bob        0   —                  emea, seats "many"
    //       health: yellow 55 (06-14); usage: 05-17, 05-18, 06-05
    //   c03 mid_market Retail    at_risk   active  alice  30 000  renews 09-10 (+87)  NA, seats 10
    //       health: red 30 (06-12)
    //   c04 strategic  Healthcare renewal  active  carol 500 000  renews 06-15 (+0)
    //       no health score; usage: the 30 days ending today
    //   c05 enterprise Retail    churned   churned alice  80 000  —                  health red 10 (03-01)
    //   c06 smb        Fintech   adoption  active  bob     5 000  renews 12-31       seats 5
    //       health: yellow 69.9 (06-10), green 70 (06-16, after today: not yet the latest)
    //   c07 enterprise Fintech   (soft-deleted)
    void seedPortfolio()
    {
        using Domain::CustomerStatus;
        using Domain::LifecycleStage;
        using Domain::Tier;
        addCustomer(u"c01"_s, Tier::Enterprise, u"Fintech"_s, LifecycleStage::Adoption, CustomerStatus::Active,
            u"alice"_s, 120000, QDate(2026, 7, 1), json("{\"region\":\"EMEA\",\"seats\":50,\"beta\":true}"));
        addCustomer(u"c02"_s, Tier::Smb, u"fintech"_s, LifecycleStage::Onboarding, CustomerStatus::Trial, u"Bob"_s, 0,
            QDate(), json("{\"region\":\"emea\",\"seats\":\"many\"}"));
        addCustomer(u"c03"_s, Tier::MidMarket, u"Retail"_s, LifecycleStage::AtRisk, CustomerStatus::Active, u"alice"_s,
            30000, QDate(2026, 9, 10), json("{\"region\":\"NA\",\"seats\":10}"));
        addCustomer(u"c04"_s, Tier::Strategic, u"Healthcare"_s, LifecycleStage::Renewal, CustomerStatus::Active,
            u"carol"_s, 500000, kToday, {});
        addCustomer(u"c05"_s, Tier::Enterprise, u"Retail"_s, LifecycleStage::Churned, CustomerStatus::Churned,
            u"alice"_s, 80000, QDate(), {});
        addCustomer(u"c06"_s, Tier::Smb, u"Fintech"_s, LifecycleStage::Adoption, CustomerStatus::Active, u"bob"_s, 5000,
            QDate(2026, 12, 31), json("{\"seats\":5}"));
        addCustomer(u"c07"_s, Tier::Enterprise, u"Fintech"_s, LifecycleStage::Adoption, CustomerStatus::Active,
            u"alice"_s, 900000, QDate(2026, 7, 1), {});
        QVERIFY(Storage::CustomerRepository(db()).softDelete(u"c07"_s).ok());
        addScore(u"c01"_s, QDate(2026, 6, 1), 30, u"red"_s);
        addScore(u"c01"_s, QDate(2026, 6, 14), 82, u"green"_s);
        addScore(u"c02"_s, QDate(2026, 6, 14), 55, u"yellow"_s);
        addScore(u"c03"_s, QDate(2026, 6, 12), 30, u"red"_s);
        addScore(u"c05"_s, QDate(2026, 3, 1), 10, u"red"_s);
        addScore(u"c06"_s, QDate(2026, 6, 10), 69.9, u"yellow"_s);
        addScore(u"c06"_s, QDate(2026, 6, 16), 70, u"green"_s);
        addScore(u"c07"_s, QDate(2026, 6, 14), 90, u"green"_s);
        addActiveDays(u"c01"_s, kToday, 20);
        addActiveDays(u"c02"_s, QDate(2026, 5, 18), 2);
        addActiveDays(u"c02"_s, QDate(2026, 6, 5), 1);
        addActiveDays(u"c04"_s, kToday, 30);
        addActiveDays(u"c07"_s, kToday, 30);
    }

    QStringList ids(const QList<Domain::Customer> &customers)
    {
        QStringList out;
        for (const Domain::Customer &c : customers)
            out << c.id;
        out.sort();
        return out;
    }

    // Every id the criteria select, across pages of 2.
    QStringList evaluateAll(const QVariantMap &criteria, qint64 *total = nullptr)
    {
        Core::SegmentPageQuery page;
        page.limit = 2;
        QStringList out;
        for (int guard = 0; guard < 20; ++guard) {
            auto result = m_service->evaluate(criteria, page);
            if (!result.ok()) {
                qWarning() << why(result.error());
                return { u"<error>"_s };
            }
            if (total)
                *total = result->total;
            for (const Domain::Customer &c : result->items)
                out << c.id;
            if (result->nextCursor.isEmpty())
                break;
            page.cursor = result->nextCursor;
        }
        out.sort();
        return out;
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
        QVERIFY(Storage::exec(db(), u"DELETE FROM segments"_s).ok());
        QVERIFY(Storage::exec(db(), u"DELETE FROM customers"_s).ok());
        m_clock.set(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
        m_service = std::make_unique<Core::SegmentService>(db(), m_clock);
    }

    void cleanup() { m_service.reset(); }
    void cleanupTestCase() { m_fixture.reset(); }

    // ---- value tier arithmetic ----

    void thresholds_data()
    {
        QTest::addColumn<QList<double>>("sorted");
        QTest::addColumn<QVariant>("platinum");
        QTest::addColumn<QVariant>("gold");
        QTest::addColumn<QVariant>("silver");
        const QVariant none;
        QTest::addRow("no values") << QList<double> {} << none << none << none;
        QTest::addRow("one value: bronze only") << QList<double> { 100 } << none << none << none;
        // n = 10, 1..10: platinum m = 9 → above x₉ = 9 → 10; gold m = 7 → 8; silver m = 4 → 5.
        QTest::addRow("1..10") << QList<double> { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 } << QVariant(10.0) << QVariant(8.0)
                               << QVariant(5.0);
        // n = 20, 1..20: m = 18 → 19; m = 14 → 15; m = 8 → 9 (2 / 4 / 6 / 8 customers: 10/20/30/40 %).
        QList<double> twenty;
        for (int i = 1; i <= 20; ++i)
            twenty << i;
        QTest::addRow("1..20") << twenty << QVariant(19.0) << QVariant(15.0) << QVariant(9.0);
        QTest::addRow("all equal: nobody ranks above anyone") << QList<double> { 5, 5, 5, 5 } << none << none << none;
        // Ties: x = 2 ×8 then 10. Every cut falls inside the run of 2s, so the next ARR (10) starts each tier;
        // gold and silver start where platinum does and are empty.
        QTest::addRow("ties") << QList<double> { 1, 2, 2, 2, 2, 2, 2, 2, 2, 10 } << QVariant(10.0) << QVariant(10.0)
                              << QVariant(10.0);
        // n = 3: platinum m = ⌈2.7⌉ = 3 → above the maximum: empty; gold m = ⌈2.1⌉ = 3: empty; silver m = ⌈1.2⌉ = 2
        // → above 20 → 30.
        QTest::addRow("three") << QList<double> { 10, 20, 30 } << none << none << QVariant(30.0);
    }

    void thresholds()
    {
        QFETCH(QList<double>, sorted);
        QFETCH(QVariant, platinum);
        QFETCH(QVariant, gold);
        QFETCH(QVariant, silver);
        const auto t = Core::ValueTierMath::thresholds(sorted);
        const auto same = [](const std::optional<double> &actual, const QVariant &expected) {
            return expected.isNull() ? !actual.has_value() : (actual && *actual == expected.toDouble());
        };
        QVERIFY(same(t.platinum, platinum));
        QVERIFY(same(t.gold, gold));
        QVERIFY(same(t.silver, silver));
    }

    void tierFor_data()
    {
        QTest::addColumn<QList<double>>("sorted");
        QTest::addColumn<double>("arr");
        QTest::addColumn<ValueTier>("tier");
        QTest::addColumn<double>("percentileRank");
        const QList<double> ten { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
        QTest::addRow("top of ten") << ten << 10.0 << ValueTier::Platinum << 0.9;
        QTest::addRow("ninth of ten") << ten << 9.0 << ValueTier::Gold << 0.8;
        QTest::addRow("gold boundary") << ten << 8.0 << ValueTier::Gold << 0.7;
        QTest::addRow("silver top") << ten << 7.0 << ValueTier::Silver << 0.6;
        QTest::addRow("silver boundary") << ten << 5.0 << ValueTier::Silver << 0.4;
        QTest::addRow("bronze top") << ten << 4.0 << ValueTier::Bronze << 0.3;
        QTest::addRow("bottom") << ten << 1.0 << ValueTier::Bronze << 0.0;
        const QList<double> ties { 1, 2, 2, 2, 2, 2, 2, 2, 2, 10 };
        QTest::addRow("a tie ranks together") << ties << 2.0 << ValueTier::Bronze << 0.1;
        QTest::addRow("above the tie") << ties << 10.0 << ValueTier::Platinum << 0.9;
        QTest::addRow("single customer") << QList<double> { 100 } << 100.0 << ValueTier::Bronze << 0.0;
    }

    void tierFor()
    {
        QFETCH(QList<double>, sorted);
        QFETCH(double, arr);
        QFETCH(ValueTier, tier);
        QFETCH(double, percentileRank);
        QCOMPARE(Core::ValueTierMath::tierFor(arr, Core::ValueTierMath::thresholds(sorted)), tier);
        QCOMPARE(*Core::ValueTierMath::percentileRank(sorted, arr), percentileRank);
    }

    // ---- criteria ----

    void validateCriteria_data()
    {
        QTest::addColumn<QString>("criteria");
        QTest::addColumn<QString>("field"); // empty = valid
        QTest::addRow("empty") << u"{}"_s << QString();
        QTest::addRow("tier") << u"{\"tier\":\"enterprise\"}"_s << QString();
        QTest::addRow("tiers") << u"{\"tier\":[\"enterprise\",\"smb\"]}"_s << QString();
        QTest::addRow("unknown tier") << u"{\"tier\":[\"enterprise\",\"gold\"]}"_s << u"criteria.tier"_s;
        QTest::addRow("empty list") << u"{\"tier\":[]}"_s << u"criteria.tier"_s;
        QTest::addRow("number for a name") << u"{\"tier\":5}"_s << u"criteria.tier"_s;
        QTest::addRow("unknown criterion") << u"{\"colour\":\"red\"}"_s << u"criteria.colour"_s;
        QTest::addRow("negative arr") << u"{\"arr_min\":-1}"_s << u"criteria.arr_min"_s;
        QTest::addRow("arr as text") << u"{\"arr_min\":\"100\"}"_s << u"criteria.arr_min"_s;
        QTest::addRow("arr bounds crossed") << u"{\"arr_min\":100,\"arr_max\":50}"_s << u"criteria.arr_max"_s;
        QTest::addRow("arr bounds equal") << u"{\"arr_min\":100,\"arr_max\":100}"_s << QString();
        QTest::addRow("bad band") << u"{\"health_band\":\"purple\"}"_s << u"criteria.health_band"_s;
        QTest::addRow("score over 100") << u"{\"health_score_max\":101}"_s << u"criteria.health_score_max"_s;
        QTest::addRow("score bounds") << u"{\"health_score_min\":0,\"health_score_max\":100}"_s << QString();
        QTest::addRow("fractional days") << u"{\"renewal_within_days\":2.5}"_s << u"criteria.renewal_within_days"_s;
        QTest::addRow("too many days") << u"{\"renewal_within_days\":3651}"_s << u"criteria.renewal_within_days"_s;
        QTest::addRow("window alone") << u"{\"active_days_window\":10}"_s << u"criteria.active_days_window"_s;
        QTest::addRow("bound beyond window")
            << u"{\"active_days_min\":20,\"active_days_window\":10}"_s << u"criteria.active_days_min"_s;
        QTest::addRow("active days range") << u"{\"active_days_min\":2,\"active_days_max\":5}"_s << QString();
        QTest::addRow("custom equals") << u"{\"custom_fields\":[{\"key\":\"region\",\"equals\":\"EMEA\"}]}"_s
                                       << QString();
        QTest::addRow("custom without test")
            << u"{\"custom_fields\":[{\"key\":\"region\"}]}"_s << u"criteria.custom_fields[0]"_s;
        QTest::addRow("custom range crossed")
            << u"{\"custom_fields\":[{\"key\":\"a\",\"equals\":1},{\"key\":\"seats\",\"min\":5,\"max\":1}]}"_s
            << u"criteria.custom_fields[1].max"_s;
        QTest::addRow("custom key with a quote") << u"{\"custom_fields\":[{\"key\":\"bad\\\"key\",\"equals\":\"x\"}]}"_s
                                                 << u"criteria.custom_fields[0].key"_s;
        QTest::addRow("custom equals and range")
            << u"{\"custom_fields\":[{\"key\":\"x\",\"equals\":\"a\",\"min\":1}]}"_s << u"criteria.custom_fields[0]"_s;
        QTest::addRow("custom unknown member")
            << u"{\"custom_fields\":[{\"key\":\"x\",\"like\":\"a\"}]}"_s << u"criteria.custom_fields[0].like"_s;
        QTest::addRow("custom not a list") << u"{\"custom_fields\":{\"key\":\"x\"}}"_s << u"criteria.custom_fields"_s;
        QTest::addRow("bad value tier") << u"{\"value_tier\":\"diamond\"}"_s << u"criteria.value_tier"_s;
    }

    void validateCriteria()
    {
        QFETCH(QString, criteria);
        QFETCH(QString, field);
        const QVariantMap parsed = QJsonDocument::fromJson(criteria.toUtf8()).object().toVariantMap();
        const Core::Status status = Core::SegmentService::validateCriteria(parsed);
        if (field.isEmpty()) {
            QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : why(status.error())));
        } else {
            QVERIFY(!status.ok());
            QCOMPARE(status.error().code, ErrorCode::InvalidArgument);
            QCOMPARE(status.error().field, field);
        }
    }

    void evaluate_data()
    {
        QTest::addColumn<QString>("criteria");
        QTest::addColumn<QStringList>("expected");
        const auto list = [](const char *text) { return QString::fromLatin1(text).split(u' ', Qt::SkipEmptyParts); };
        QTest::addRow("everyone live") << u"{}"_s << list("c01 c02 c03 c04 c05 c06");
        QTest::addRow("tier") << u"{\"tier\":\"enterprise\"}"_s << list("c01 c05");
        QTest::addRow("industry, any case") << u"{\"industry\":\"FINTECH\"}"_s << list("c01 c02 c06");
        QTest::addRow("stages") << u"{\"lifecycle_stage\":[\"at_risk\",\"renewal\"]}"_s << list("c03 c04");
        QTest::addRow("status") << u"{\"status\":\"churned\"}"_s << list("c05");
        QTest::addRow("owner, any case") << u"{\"owner\":\"ALICE\"}"_s << list("c01 c03 c05");
        QTest::addRow("arr, inclusive bounds") << u"{\"arr_min\":30000,\"arr_max\":120000}"_s << list("c01 c03 c05");
        QTest::addRow("latest band green") << u"{\"health_band\":\"green\"}"_s << list("c01");
        QTest::addRow("latest band red") << u"{\"health_band\":\"red\"}"_s << list("c03 c05");
        QTest::addRow("score range, inclusive")
            << u"{\"health_score_min\":55,\"health_score_max\":82}"_s << list("c01 c02 c06");
        QTest::addRow("renewal today") << u"{\"renewal_within_days\":0}"_s << list("c04");
        QTest::addRow("renewal in 16 days") << u"{\"renewal_within_days\":16}"_s << list("c01 c04");
        QTest::addRow("renewal in 90 days") << u"{\"renewal_within_days\":90}"_s << list("c01 c03 c04");
        QTest::addRow("active at least 20 of 30") << u"{\"active_days_min\":20}"_s << list("c01 c04");
        QTest::addRow("active at most 3 of 30") << u"{\"active_days_max\":3}"_s << list("c02 c03 c05 c06");
        QTest::addRow("active in the last week")
            << u"{\"active_days_min\":1,\"active_days_window\":7}"_s << list("c01 c04");
        QTest::addRow("custom text, any case")
            << u"{\"custom_fields\":[{\"key\":\"region\",\"equals\":\"emea\"}]}"_s << list("c01 c02");
        QTest::addRow("custom numeric range")
            << u"{\"custom_fields\":[{\"key\":\"seats\",\"min\":10}]}"_s << list("c01 c03");
        QTest::addRow("custom number") << u"{\"custom_fields\":[{\"key\":\"seats\",\"equals\":5}]}"_s << list("c06");
        QTest::addRow("custom boolean") << u"{\"custom_fields\":[{\"key\":\"beta\",\"equals\":true}]}"_s << list("c01");
        QTest::addRow("custom key nobody has")
            << u"{\"custom_fields\":[{\"key\":\"nope\",\"equals\":\"x\"}]}"_s << QStringList {};
        // Ranked: c06 5 000, c03 30 000, c01 120 000, c04 500 000 (c02 has no ARR, c05 churned).
        // n = 4: platinum m = 4 → empty; gold m = 3 → 500 000; silver m = 2 → 120 000.
        QTest::addRow("platinum is empty") << u"{\"value_tier\":\"platinum\"}"_s << QStringList {};
        QTest::addRow("gold") << u"{\"value_tier\":\"gold\"}"_s << list("c04");
        QTest::addRow("silver") << u"{\"value_tier\":\"silver\"}"_s << list("c01");
        QTest::addRow("bronze") << u"{\"value_tier\":\"bronze\"}"_s << list("c03 c06");
        QTest::addRow("gold or bronze") << u"{\"value_tier\":[\"gold\",\"bronze\"]}"_s << list("c03 c04 c06");
        QTest::addRow("combined") << u"{\"tier\":\"enterprise\",\"status\":\"active\",\"health_band\":\"green\"}"_s
                                  << list("c01");
        QTest::addRow("nothing matches") << u"{\"tier\":\"strategic\",\"owner\":\"alice\"}"_s << QStringList {};
    }

    void evaluate()
    {
        QFETCH(QString, criteria);
        QFETCH(QStringList, expected);
        seedPortfolio();
        qint64 total = -1;
        const QStringList actual
            = evaluateAll(QJsonDocument::fromJson(criteria.toUtf8()).object().toVariantMap(), &total);
        QCOMPARE(actual, expected);
        QCOMPARE(total, expected.size());
    }

    // list_clients: ad-hoc criteria within a saved segment's members.
    void evaluateInSegment()
    {
        seedPortfolio();
        Domain::Segment fintech;
        fintech.name = u"Fintech accounts"_s;
        fintech.isDynamic = true;
        fintech.criteria = json("{\"industry\":\"fintech\"}");
        auto dynamicSegment = m_service->create(fintech);
        QVERIFY2(dynamicSegment.ok(), qPrintable(dynamicSegment.ok() ? QString() : why(dynamicSegment.error())));
        Core::SegmentPageQuery page;
        page.limit = 10;
        page.sort = u"id"_s;
        auto inSegment = m_service->evaluateInSegment(dynamicSegment->id, json("{\"owner\":\"bob\"}"), page);
        QVERIFY(inSegment.ok());
        QCOMPARE(ids(inSegment->items), (QStringList { u"c02"_s, u"c06"_s }));
        QCOMPARE(inSegment->total, 2);

        Domain::Segment picked;
        picked.name = u"Picked"_s;
        picked.isDynamic = false;
        auto staticSegment = m_service->create(picked);
        QVERIFY(staticSegment.ok());
        QVERIFY(m_service->addMembers(staticSegment->id, { u"c01"_s, u"c03"_s, u"c04"_s }).ok());
        auto redMembers = m_service->evaluateInSegment(staticSegment->id, json("{\"health_band\":\"red\"}"), page);
        QVERIFY(redMembers.ok());
        QCOMPARE(ids(redMembers->items), QStringList { u"c03"_s });
        auto everyone = m_service->evaluateInSegment(staticSegment->id, {}, page);
        QVERIFY(everyone.ok());
        QCOMPARE(everyone->total, 3);

        auto unknown = m_service->evaluateInSegment(987654, {}, page);
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().field, u"segment_id"_s);
        auto badCriteria = m_service->evaluateInSegment(staticSegment->id, json("{\"colour\":\"red\"}"), page);
        QVERIFY(!badCriteria.ok());
        QVERIFY(badCriteria.error().field.startsWith(u"criteria"_s));
    }

    void evaluatePagesSorted()
    {
        seedPortfolio();
        Core::SegmentPageQuery page;
        page.limit = 4;
        page.sort = u"arr"_s;
        page.descending = true;
        auto first = m_service->evaluate({}, page);
        QVERIFY(first.ok());
        QCOMPARE(first->total, 6);
        QStringList order;
        for (const Domain::Customer &c : first->items)
            order << c.id;
        QCOMPARE(order, (QStringList { u"c04"_s, u"c01"_s, u"c05"_s, u"c03"_s }));
        page.cursor = first->nextCursor;
        auto second = m_service->evaluate({}, page);
        QVERIFY(second.ok());
        order.clear();
        for (const Domain::Customer &c : second->items)
            order << c.id;
        QCOMPARE(order, (QStringList { u"c06"_s, u"c02"_s }));
        QVERIFY(second->nextCursor.isEmpty());
        page.sort = u"colour"_s;
        auto bad = m_service->evaluate({}, page);
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().field, u"sort"_s);
    }

    void summary()
    {
        seedPortfolio();
        auto s = m_service->summarize({});
        QVERIFY(s.ok());
        QCOMPARE(s->customers, 6);
        QCOMPARE(s->totalArr, 735000.0); // 120 000 + 0 + 30 000 + 500 000 + 80 000 + 5 000
        QCOMPARE(*s->averageArr, 122500.0);
        QCOMPARE(s->byTier.value(u"enterprise"_s), 2);
        QCOMPARE(s->byLifecycleStage.value(u"adoption"_s), 2);
        QCOMPARE(s->byHealthBand.value(u"green"_s), 1); // c01
        QCOMPARE(s->byHealthBand.value(u"yellow"_s), 2); // c02, c06 (its green score is dated tomorrow)
        QCOMPARE(s->byHealthBand.value(u"red"_s), 2); // c03, c05
        QCOMPARE(s->byHealthBand.value(u"unscored"_s), 1); // c04
        auto none = m_service->summarize(json("{\"tier\":\"strategic\",\"owner\":\"alice\"}"));
        QVERIFY(none.ok());
        QCOMPARE(none->customers, 0);
        QVERIFY(!none->averageArr.has_value());
    }

    void valueTierReport()
    {
        auto empty = m_service->valueTiers();
        QVERIFY(empty.ok());
        QVERIFY(!empty->hasData);
        QVERIFY(!empty->reason.isEmpty());
        QCOMPARE(empty->rankedCustomers, 0);

        seedPortfolio();
        auto r = m_service->valueTiers();
        QVERIFY(r.ok());
        QVERIFY(r->hasData);
        QCOMPARE(r->rankedCustomers, 4);
        QCOMPARE(r->unrankedCustomers, 1); // c02: ARR 0
        QCOMPARE(r->totalArr, 655000.0);
        QCOMPARE(r->tiers.size(), 4);
        QCOMPARE(r->tiers[0].tier, ValueTier::Platinum);
        QCOMPARE(r->tiers[0].customers, 0);
        QVERIFY(!r->tiers[0].minArr.has_value());
        QCOMPARE(r->tiers[1].customers, 1);
        QCOMPARE(*r->tiers[1].minArr, 500000.0);
        QVERIFY(!r->tiers[1].maxArr.has_value());
        QCOMPARE(r->tiers[1].shareOfArr, 500000.0 / 655000.0);
        QCOMPARE(r->tiers[2].customers, 1);
        QCOMPARE(*r->tiers[2].minArr, 120000.0);
        QCOMPARE(*r->tiers[2].maxArr, 500000.0);
        QCOMPARE(r->tiers[3].customers, 2);
        QCOMPARE(r->tiers[3].totalArr, 35000.0);
        QCOMPARE(*r->tiers[3].minArr, 5000.0);
        QCOMPARE(*r->tiers[3].maxArr, 120000.0);

        auto c04 = m_service->valueTierOf(u"c04"_s);
        QVERIFY(c04.ok());
        QVERIFY(c04->ranked);
        QCOMPARE(c04->tier, ValueTier::Gold);
        QCOMPARE(c04->percentileRank, 0.75);
        auto c02 = m_service->valueTierOf(u"c02"_s);
        QVERIFY(c02.ok());
        QVERIFY(!c02->ranked);
        QVERIFY(!c02->reason.isEmpty());
        auto c05 = m_service->valueTierOf(u"c05"_s);
        QVERIFY(c05.ok());
        QVERIFY(!c05->ranked);
        auto ghost = m_service->valueTierOf(u"c07"_s);
        QVERIFY(!ghost.ok());
        QCOMPARE(ghost.error().field, u"customer_id"_s);
    }

    // ---- saved segments ----

    void dynamicSegmentLifecycle()
    {
        seedPortfolio();
        QSignalSpy added(m_service.get(), &Core::SegmentService::segmentAdded);
        QSignalSpy changed(m_service.get(), &Core::SegmentService::segmentChanged);
        QSignalSpy removed(m_service.get(), &Core::SegmentService::segmentRemoved);
        Domain::Segment s;
        s.name = u"Fintech at risk"_s;
        s.criteria = json("{\"industry\":\"fintech\",\"health_band\":[\"red\",\"yellow\"]}");
        s.owner = u"alice"_s;
        auto created = m_service->create(s);
        QVERIFY2(created.ok(), qPrintable(created.ok() ? QString() : why(created.error())));
        QCOMPARE(added.count(), 1);
        auto members = m_service->members(created->id);
        QVERIFY(members.ok());
        QCOMPARE(ids(members->items), (QStringList { u"c02"_s, u"c06"_s }));

        Domain::Segment twin = s;
        twin.name = u"FINTECH AT RISK"_s;
        auto duplicate = m_service->create(twin);
        QVERIFY(!duplicate.ok());
        QCOMPARE(duplicate.error().code, ErrorCode::AlreadyExists);
        QCOMPARE(duplicate.error().field, u"name"_s);

        Domain::Segment broken = s;
        broken.name = u"Broken"_s;
        broken.criteria = json("{\"health_band\":\"blue\"}");
        auto refused = m_service->create(broken);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().field, u"criteria.health_band"_s);

        Domain::Segment edit = *created;
        edit.criteria = json("{\"industry\":\"fintech\"}");
        auto updated = m_service->update(edit);
        QVERIFY(updated.ok());
        QCOMPARE(changed.count(), 1);
        auto stale = m_service->update(edit); // still carries the old version
        QVERIFY(!stale.ok());
        QCOMPARE(stale.error().code, ErrorCode::Conflict);
        Domain::Segment flip = *updated;
        flip.isDynamic = false;
        flip.criteria = {};
        auto flipped = m_service->update(flip);
        QVERIFY(!flipped.ok());
        QCOMPARE(flipped.error().field, u"is_dynamic"_s);

        auto compiled = m_service->compileSegment(created->id);
        QVERIFY(compiled.ok());
        Storage::ListQuery q;
        q.extraCondition = compiled->condition;
        q.extraBindings = compiled->bindings;
        auto viaRepository = Storage::CustomerRepository(db()).list(q);
        QVERIFY(viaRepository.ok());
        QCOMPARE(ids(viaRepository->items), (QStringList { u"c01"_s, u"c02"_s, u"c06"_s }));

        auto memberships = m_service->segmentsOf(u"c06"_s);
        QVERIFY(memberships.ok());
        QCOMPARE(memberships->size(), 1);
        QCOMPARE(memberships->first().segmentId, created->id);
        QVERIFY(m_service->segmentsOf(u"c04"_s)->isEmpty());

        QVERIFY(m_service->remove(created->id, updated->meta.version).ok());
        QCOMPARE(removed.count(), 1);
        auto gone = m_service->get(created->id);
        QVERIFY(!gone.ok());
        QCOMPARE(gone.error().code, ErrorCode::NotFound);
        QCOMPARE(gone.error().field, u"segment_id"_s);
        auto listed = m_service->list();
        QVERIFY(listed.ok());
        QCOMPARE(listed->total, 0);
    }

    void staticSegmentMembers()
    {
        seedPortfolio();
        Domain::Segment s;
        s.name = u"QBR this quarter"_s;
        s.isDynamic = false;
        s.criteria = json("{\"tier\":\"smb\"}");
        auto refused = m_service->create(s);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().field, u"criteria"_s);
        s.criteria = {};
        auto created = m_service->create(s);
        QVERIFY(created.ok());
        QSignalSpy membersChanged(m_service.get(), &Core::SegmentService::membersChanged);

        auto unknown = m_service->addMembers(created->id, { u"c01"_s, u"ghost"_s, u"c07"_s });
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().code, ErrorCode::NotFound);
        QCOMPARE(unknown.error().field, u"customer_ids"_s);
        QCOMPARE(count(db(), u"SELECT COUNT(*) FROM segment_members"_s), 0);

        auto added = m_service->addMembers(created->id, { u"c01"_s, u"c03"_s, u"c01"_s }, u"alice"_s);
        QVERIFY(added.ok());
        QCOMPARE(*added, 2);
        auto again = m_service->addMembers(created->id, { u"c03"_s, u"c04"_s });
        QVERIFY(again.ok());
        QCOMPARE(*again, 1);
        QCOMPARE(membersChanged.count(), 2);
        auto members = m_service->members(created->id);
        QVERIFY(members.ok());
        QCOMPARE(ids(members->items), (QStringList { u"c01"_s, u"c03"_s, u"c04"_s }));
        auto removedCount = m_service->removeMembers(created->id, { u"c03"_s, u"c05"_s });
        QVERIFY(removedCount.ok());
        QCOMPARE(*removedCount, 1);
        QCOMPARE(ids(m_service->members(created->id)->items), (QStringList { u"c01"_s, u"c04"_s }));
        auto summary = m_service->summarizeSegment(created->id);
        QVERIFY(summary.ok());
        QCOMPARE(summary->customers, 2);
        QCOMPARE(summary->totalArr, 620000.0);

        Domain::Segment dynamic;
        dynamic.name = u"Dynamic"_s;
        auto dyn = m_service->create(dynamic);
        QVERIFY(dyn.ok());
        auto notStatic = m_service->addMembers(dyn->id, { u"c01"_s });
        QVERIFY(!notStatic.ok());
        QCOMPARE(notStatic.error().field, u"segment_id"_s);
        auto memberships = m_service->segmentsOf(u"c01"_s);
        QVERIFY(memberships.ok());
        QCOMPARE(memberships->size(), 2); // the static one and the everyone-matching dynamic one
    }

    void snapshotFreezesTheResult()
    {
        seedPortfolio();
        auto frozen
            = m_service->snapshot(u"Alice's book"_s, json("{\"owner\":\"alice\",\"status\":\"active\"}"), u"alice"_s);
        QVERIFY2(frozen.ok(), qPrintable(frozen.ok() ? QString() : why(frozen.error())));
        QVERIFY(!frozen->isDynamic);
        QVERIFY(frozen->criteria.isEmpty());
        QVERIFY(frozen->description.contains(u"owner is alice"_s));
        QCOMPARE(ids(m_service->members(frozen->id)->items), (QStringList { u"c01"_s, u"c03"_s }));
        // Later changes to the portfolio do not move a static segment.
        QVERIFY(Storage::exec(db(), u"UPDATE customers SET owner = 'alice' WHERE id = 'c06'"_s).ok());
        QCOMPARE(ids(m_service->members(frozen->id)->items), (QStringList { u"c01"_s, u"c03"_s }));
        auto invalid = m_service->snapshot(u"Nope"_s, json("{\"tier\":\"gold\"}"));
        QVERIFY(!invalid.ok());
        QCOMPARE(invalid.error().field, u"criteria.tier"_s);
    }

    // ---- a generated portfolio ----

    void demoPortfolio()
    {
        Core::DemoPortfolio::Options options;
        options.customers = 60;
        options.seed = 777;
        options.today = kToday;
        options.usageEvents = 3000;
        options.replaceExisting = true;
        auto generated = Core::DemoPortfolio(db(), options).generate();
        QVERIFY2(generated.ok(), qPrintable(generated.ok() ? QString() : why(generated.error())));

        auto r = m_service->valueTiers();
        QVERIFY(r.ok());
        QVERIFY(r->hasData);
        const qint64 liveNotChurned
            = count(db(), u"SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL AND status <> 'churned'"_s);
        QCOMPARE(r->rankedCustomers + r->unrankedCustomers, liveNotChurned);
        qint64 inTiers = 0;
        double arr = 0;
        for (const Core::ValueTierBand &band : r->tiers) {
            inTiers += band.customers;
            arr += band.totalArr;
            // The percentile rule: a tier never holds more than its share of the ranked customers (ties can
            // only push customers down).
            const int share = band.tier == ValueTier::Platinum ? 10 : band.tier == ValueTier::Gold ? 20 : 30;
            if (band.tier != ValueTier::Bronze)
                QVERIFY2(band.customers * 100 <= qint64(share + 1) * r->rankedCustomers + 100,
                    qPrintable(u"%1 holds %2 of %3"_s.arg(Domain::enumName(band.tier))
                                   .arg(band.customers)
                                   .arg(r->rankedCustomers)));
        }
        QCOMPARE(inTiers, r->rankedCustomers);
        QVERIFY(qAbs(arr - r->totalArr) < 0.01);
        QVERIFY(r->tiers[0].customers > 0);
        // Platinum accounts hold a larger share of ARR than of customers: the tiers rank real revenue.
        QVERIFY(r->tiers[0].shareOfArr > double(r->tiers[0].customers) / double(r->rankedCustomers));

        // The criterion and the report agree.
        qint64 total = -1;
        evaluateAll(json("{\"value_tier\":\"platinum\"}"), &total);
        QCOMPARE(total, r->tiers[0].customers);
        evaluateAll(json("{\"tier\":\"enterprise\"}"), &total);
        QCOMPARE(
            total, count(db(), u"SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL AND tier = 'enterprise'"_s));
        evaluateAll(json("{\"renewal_within_days\":90,\"status\":\"active\"}"), &total);
        QCOMPARE(total,
            count(db(),
                u"SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL AND status = 'active' AND renewal_date >= ? "
                "AND renewal_date <= ?"_s,
                { kToday.toString(Qt::ISODate), kToday.addDays(90).toString(Qt::ISODate) }));
        QVERIFY(total > 0);
        auto summary = m_service->summarize(json("{\"active_days_min\":1}"));
        QVERIFY(summary.ok());
        QVERIFY(summary->customers > 0);
        QVERIFY(summary->customers
            <= liveNotChurned + count(db(), u"SELECT COUNT(*) FROM customers WHERE status = 'churned'"_s));
    }
};

QTEST_GUILESS_MAIN(TestSegmentService)
#include "tst_segmentservice.moc"
