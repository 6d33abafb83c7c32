// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include <algorithm>
#include <optional>

#include <QAbstractItemModelTester>
#include <QDeadlineTimer>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include "bulkinserter.h"
#include "changefeed.h"
#include "customerservice.h"
#include "fakeclock.h"
#include "portfoliomodel.h"
#include "services.h"
#include "sql.h"
#include "testdatabase.h"
#include "transaction.h"

using namespace Qt::StringLiterals;

// The portfolio model pages through SQL (keyset pages of PageSize rows): whatever the sort and filter, walking
// every page must give each matching customer exactly once, in the order the column defines — ties broken by
// id, NULLs last in both directions — also when many rows share a sort value across a page boundary.
class TestPortfolioModel final : public QObject
{
    Q_OBJECT

private:
    static constexpr int CustomerCount = 1300; // more than two pages

    struct Row
    {
        QString id;
        QString name;
        QString tier;
        std::optional<QString> owner;
        double arr = 0;
        std::optional<QString> renewal;
    };

    // Few distinct values per column, so equal keys straddle every page boundary; every fifth owner and every
    // third renewal date missing; every tenth customer has "Logistics" (in some case) in its name.
    static QList<Row> portfolio()
    {
        const QStringList tiers { u"smb"_s, u"mid_market"_s, u"enterprise"_s, u"strategic"_s };
        QList<Row> rows;
        for (int i = 0; i < CustomerCount; ++i) {
            Row r;
            r.id = u"c-%1"_s.arg((i * 7919) % CustomerCount, 4, 10, QLatin1Char('0'));
            r.name = i % 10 == 0 ? (i % 20 == 0 ? u"Acme LOGISTICS %1"_s : u"Acme logistics %1"_s).arg(i % 13)
                                 : u"Acme %1"_s.arg(i % 37);
            r.tier = tiers.at(i % 4);
            if (i % 5 != 0)
                r.owner = u"CSM %1"_s.arg(i % 7);
            r.arr = 1000.0 * (i % 50);
            if (i % 3 != 0)
                r.renewal = QDate(2026, 1, 1).addDays(i % 40).toString(Qt::ISODate);
            rows << r;
        }
        return rows;
    }

    static void fill(Storage::Database &db, const QList<Row> &rows)
    {
        Storage::Transaction tx(db);
        Storage::BulkInserter insert(
            db, u"customers"_s, { u"id"_s, u"name"_s, u"tier"_s, u"owner"_s, u"arr"_s, u"renewal_date"_s });
        for (const Row &r : rows) {
            QVERIFY(insert.add({ r.id, r.name, r.tier, r.owner ? QVariant(*r.owner) : QVariant(), r.arr,
                r.renewal ? QVariant(*r.renewal) : QVariant() }));
        }
        QVERIFY(insert.flush());
        QVERIFY(tx.commit());
    }

    // The sort value of a row for a model column, as text that orders like the stored value; nullopt is NULL.
    static std::optional<QString> key(const Row &r, int column)
    {
        switch (column) {
        case Ui::PortfolioModel::Name:
            return r.name;
        case Ui::PortfolioModel::Tier:
            return r.tier;
        case Ui::PortfolioModel::Owner:
            return r.owner;
        case Ui::PortfolioModel::Arr:
            return u"%1"_s.arg(qint64(r.arr), 12, 10, QLatin1Char('0'));
        case Ui::PortfolioModel::RenewalDate:
            return r.renewal;
        default:
            return std::nullopt;
        }
    }

    static QStringList expectedIds(QList<Row> rows, int column, Qt::SortOrder order)
    {
        const bool desc = order == Qt::DescendingOrder;
        std::sort(rows.begin(), rows.end(), [&](const Row &a, const Row &b) {
            const auto ka = key(a, column);
            const auto kb = key(b, column);
            if (ka.has_value() != kb.has_value())
                return ka.has_value(); // NULLs last, both directions
            if (ka && *ka != *kb)
                return desc ? *ka > *kb : *ka < *kb;
            return desc ? a.id > b.id : a.id < b.id;
        });
        QStringList ids;
        for (const Row &r : rows)
            ids << r.id;
        return ids;
    }

    // Fetches every page the way a view scrolled to the end does and returns the ids in model order.
    static QStringList allIds(Ui::PortfolioModel &model)
    {
        // A fetch may already be on its way (the model tester asks for more too): wait for it as well.
        for (;;) {
            const int before = model.rowCount();
            if (model.canFetchMore({}))
                model.fetchMore({});
            QCoreApplication::processEvents(); // the page arrives on the next turn of the event loop
            if (model.rowCount() == before && !model.canFetchMore({}))
                break;
        }
        return shownIds(model);
    }

    static QStringList shownIds(const Ui::PortfolioModel &model)
    {
        QStringList ids;
        for (int row = 0; row < model.rowCount(); ++row)
            ids << model.index(row, 0).data(Ui::PortfolioModel::IdRole).toString();
        return ids;
    }

    // allIds() for a model that loads in the background: every page asked for, and waited for (at most 10 s).
    static QStringList allIdsLoadedInBackground(Ui::PortfolioModel &model)
    {
        const QDeadlineTimer deadline(10000);
        while ((model.canFetchMore({}) || model.isLoading() || model.isFetching()) && !deadline.hasExpired()) {
            if (model.canFetchMore({}))
                model.fetchMore({});
            QTest::qWait(1); // the page arrives from the model's thread
        }
        return shownIds(model);
    }

    // The first page of a sort or filter asked of a model that loads in the background; false when none came.
    static bool waitForLoaded(Ui::PortfolioModel &model)
    {
        if (!model.isLoading())
            return true;
        QSignalSpy loaded(&model, &Ui::PortfolioModel::loaded);
        return loaded.wait(10000);
    }

private Q_SLOTS:
    void initTestCase() { CS_REQUIRE_BACKEND(); }

    void pagesFollowTheSortAndFilter_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<Qt::SortOrder>("order");
        QTest::addColumn<QString>("nameFilter");
        QTest::addColumn<int>("tierIndex"); // a Domain::Tier, or -1 for every tier
        QTest::addColumn<bool>("background"); // the reads on the model's own thread (loadInBackground())
        const std::pair<int, const char *> columns[] = { { Ui::PortfolioModel::Name, "name" },
            { Ui::PortfolioModel::Tier, "tier" }, { Ui::PortfolioModel::Owner, "owner" },
            { Ui::PortfolioModel::Arr, "arr" }, { Ui::PortfolioModel::RenewalDate, "renewal" } };
        for (const auto &[column, name] : columns) {
            for (const Qt::SortOrder order : { Qt::AscendingOrder, Qt::DescendingOrder }) {
                const char *dir = order == Qt::AscendingOrder ? "asc" : "desc";
                for (const bool background : { false, true }) {
                    const char *where = background ? ", in the background" : "";
                    QTest::addRow("%s %s%s", name, dir, where) << column << order << QString() << -1 << background;
                    QTest::addRow("%s %s, name contains logistics%s", name, dir, where)
                        << column << order << u"Logistics"_s << -1 << background;
                    QTest::addRow("%s %s, enterprise tier%s", name, dir, where)
                        << column << order << QString() << int(Domain::Tier::Enterprise) << background;
                    QTest::addRow("%s %s, smb tier and name contains cme 1%s", name, dir, where)
                        << column << order << u"cme 1"_s << int(Domain::Tier::Smb) << background;
                }
            }
        }
    }

    void pagesFollowTheSortAndFilter()
    {
        QFETCH(int, column);
        QFETCH(Qt::SortOrder, order);
        QFETCH(QString, nameFilter);
        QFETCH(int, tierIndex);
        QFETCH(bool, background);
        const std::optional<Domain::Tier> tier
            = tierIndex < 0 ? std::nullopt : std::optional<Domain::Tier>(Domain::Tier(tierIndex));

        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        const QList<Row> rows = portfolio();
        fill(fixture.db(), rows);
        if (QTest::currentTestFailed())
            return;
        Core::CustomerService customers(fixture.db());
        Ui::PortfolioModel model(customers);
        if (background)
            model.loadInBackground(fixture.db());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QStringList firstPage = shownIds(model);
        model.setNameFilter(nameFilter);
        model.setTierFilter(tier);
        model.sort(column, order);
        if (background) {
            // Until the answer arrives, the rows on show stay the previous sort's.
            QCOMPARE(shownIds(model), firstPage);
            QVERIFY(waitForLoaded(model));
        }
        QVERIFY2(model.lastError().isEmpty(), qPrintable(model.lastError()));

        QList<Row> matching;
        for (const Row &r : rows) {
            const bool nameOk = r.name.contains(nameFilter, Qt::CaseInsensitive);
            const bool tierOk = !tier || r.tier == Domain::enumName(*tier);
            if (nameOk && tierOk)
                matching << r;
        }
        QVERIFY(!matching.isEmpty());
        QCOMPARE(model.totalCount(), qint64(matching.size()));
        QVERIFY(model.rowCount() <= Ui::PortfolioModel::PageSize);

        const QStringList ids = background ? allIdsLoadedInBackground(model) : allIds(model);
        QCOMPARE(QSet<QString>(ids.cbegin(), ids.cend()).size(), ids.size()); // no row twice
        QCOMPARE(ids, expectedIds(matching, column, order));
        QVERIFY2(model.lastError().isEmpty(), qPrintable(model.lastError()));
    }

    // The CSM types faster than the database answers: only the last filter's rows ever show, and a page asked for
    // under the previous sort is not appended to the new one.
    void aStaleAnswerIsDropped()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        const QList<Row> rows = portfolio();
        fill(fixture.db(), rows);
        if (QTest::currentTestFailed())
            return;
        Core::CustomerService customers(fixture.db());
        Ui::PortfolioModel model(customers);
        model.loadInBackground(fixture.db());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

        QSignalSpy totals(&model, &Ui::PortfolioModel::totalCountChanged);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.setNameFilter(u"nobody"_s);
        model.setNameFilter(u"logistics 1"_s);
        QVERIFY(waitForLoaded(model));
        QCOMPARE(resets.size(), 1);
        QCOMPARE(totals.size(), 1);
        QCOMPARE(totals.constFirst().constFirst().toLongLong(), qint64(40));
        QCOMPARE(model.rowCount(), 40);

        // A page on its way when the sort changes (asked for here, or by the model tester already): it belongs to the
        // name order and must not be appended to the ARR order. Answers come in the order asked, so a stale page
        // would arrive before the new sort's first one.
        model.setNameFilter({});
        QVERIFY(waitForLoaded(model));
        model.fetchMore({});
        QVERIFY(model.isFetching());
        model.sort(Ui::PortfolioModel::Arr, Qt::DescendingOrder);
        QVERIFY(!model.isFetching());
        QVERIFY(waitForLoaded(model));
        QCOMPARE(model.index(0, Ui::PortfolioModel::Arr).data(Ui::PortfolioModel::RawValueRole).toDouble(), 49000.0);
        QCOMPARE(allIdsLoadedInBackground(model), expectedIds(rows, Ui::PortfolioModel::Arr, Qt::DescendingOrder));
    }

    // A read that fails leaves the same trace with the reads on this thread or on the model's: no rows, a total of
    // 0 announced, and the error to show.
    void aFailedReadSurfaces_data()
    {
        QTest::addColumn<bool>("background");
        QTest::addRow("on the caller's thread") << false;
        QTest::addRow("in the background") << true;
    }

    void aFailedReadSurfaces()
    {
        QFETCH(bool, background);
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        fill(fixture.db(), portfolio());
        if (QTest::currentTestFailed())
            return;
        Core::CustomerService customers(fixture.db());
        Ui::PortfolioModel model(customers);
        if (background)
            model.loadInBackground(fixture.db());
        QCOMPARE(model.totalCount(), qint64(CustomerCount));
        QVERIFY(Storage::exec(fixture.db(), u"ALTER TABLE customers RENAME TO customers_gone"_s));
        QSignalSpy totals(&model, &Ui::PortfolioModel::totalCountChanged);
        model.setNameFilter(u"acme"_s);
        QVERIFY(waitForLoaded(model));
        QCOMPARE(totals.size(), 1);
        QCOMPARE(totals.constFirst().constFirst().toLongLong(), qint64(0));
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.canFetchMore({}));
        QVERIFY(!model.lastError().isEmpty());
        QVERIFY(Storage::exec(fixture.db(), u"ALTER TABLE customers_gone RENAME TO customers"_s));
    }

    void sortingAgainInTheSameOrderKeepsTheRows()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        fill(fixture.db(), portfolio());
        if (QTest::currentTestFailed())
            return;
        Core::CustomerService customers(fixture.db());
        Ui::PortfolioModel model(customers);
        model.sort(Ui::PortfolioModel::Arr, Qt::DescendingOrder);
        const QStringList before = allIds(model);
        QCOMPARE(before.size(), CustomerCount);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.sort(Ui::PortfolioModel::Arr, Qt::DescendingOrder);
        QCOMPARE(resets.size(), 0);
        QCOMPARE(model.rowCount(), CustomerCount);
        model.sort(Ui::PortfolioModel::Arr, Qt::AscendingOrder);
        QCOMPARE(resets.size(), 1);
        QCOMPARE(model.index(0, Ui::PortfolioModel::Arr).data(Ui::PortfolioModel::RawValueRole).toDouble(), 0.0);
    }

    // The MCP thread's services (a bundle of their own, another thread) report to the feed the model follows: a
    // customer they update is re-read on show, one they create appears — in the foreground and from the model's
    // loading thread alike.
    void changesOfAnotherThreadsServicesShow_data()
    {
        QTest::addColumn<bool>("background");
        QTest::addRow("foreground") << false;
        QTest::addRow("background") << true;
    }
    void changesOfAnotherThreadsServicesShow()
    {
        QFETCH(bool, background);
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::CustomerService customers(fixture.db());
        for (const QString &id : { u"acme"_s, u"globex"_s }) {
            Domain::Customer c;
            c.id = id;
            c.name = u"Customer "_s + id;
            c.arr = 1000;
            QVERIFY(customers.create(c));
        }
        Core::ChangeFeed::Options options;
        options.intervalMs = 20;
        Core::ChangeFeed feed(options);
        Ui::PortfolioModel model(customers);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        if (background)
            model.loadInBackground(fixture.db());
        model.observe(feed);
        QVERIFY(waitForLoaded(model));
        QCOMPARE(shownIds(model), (QStringList { u"acme"_s, u"globex"_s }));
        const auto arrOf = [&model](const QString &id) {
            for (int row = 0; row < model.rowCount(); ++row) {
                if (model.index(row, 0).data(Ui::PortfolioModel::IdRole).toString() == id)
                    return model.index(row, Ui::PortfolioModel::Arr).data(Ui::PortfolioModel::RawValueRole).toDouble();
            }
            return -1.0;
        };

        TestUtils::FakeClock clock;
        Storage::Database &db = fixture.db();
        bool updated = false;
        std::unique_ptr<QThread> mcp(QThread::create([&] {
            Core::Services services(db, clock, &feed);
            auto acme = services.customers().get(u"acme"_s);
            if (acme) {
                acme->arr = 5000;
                updated = services.customers().update(*acme).ok();
            }
            db.releaseThreadConnection();
        }));
        mcp->start();
        QVERIFY(mcp->wait(10000));
        QVERIFY(updated);
        QTRY_COMPARE_WITH_TIMEOUT(arrOf(u"acme"_s), 5000.0, 10000);
        QCOMPARE(arrOf(u"globex"_s), 1000.0);

        bool created = false;
        mcp.reset(QThread::create([&] {
            Core::Services services(db, clock, &feed);
            Domain::Customer c;
            c.id = u"initech"_s;
            c.name = u"Customer initech"_s;
            created = services.customers().create(c).ok();
            db.releaseThreadConnection();
        }));
        mcp->start();
        QVERIFY(mcp->wait(10000));
        QVERIFY(created);
        QTRY_COMPARE_WITH_TIMEOUT(shownIds(model), (QStringList { u"acme"_s, u"globex"_s, u"initech"_s }), 10000);
        QCOMPARE(model.totalCount(), 3);
    }

    void aShortFirstPageIsTheWholeCount()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        fill(fixture.db(), portfolio());
        if (QTest::currentTestFailed())
            return;
        Core::CustomerService customers(fixture.db());
        Ui::PortfolioModel model(customers);
        QCOMPARE(model.totalCount(), qint64(CustomerCount));
        model.setNameFilter(u"logistics 1"_s); // "… logistics 1", "… logistics 10" .. "12" in either case
        QVERIFY(!model.canFetchMore({}));
        QCOMPARE(model.totalCount(), qint64(model.rowCount()));
        QCOMPARE(model.totalCount(), qint64(40));
        model.setNameFilter(u"nobody"_s);
        QCOMPARE(model.totalCount(), qint64(0));
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestPortfolioModel)
#include "tst_portfoliomodel.moc"
