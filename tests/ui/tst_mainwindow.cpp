// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTest>

#include "bulkinserter.h"
#include "customerservice.h"
#include "mainwindow.h"
#include "portfoliomodel.h"
#include "screenshots.h"
#include "sql.h"
#include "testdatabase.h"
#include "transaction.h"

using namespace Qt::StringLiterals;

class TestMainWindow final : public QObject
{
    Q_OBJECT

private:
    static const int CustomerCount = 1234;

    // Customers named "Customer 0000".."Customer 1233" with ARR rising with the number, and every tenth
    // one in the logistics industry with "Logistics" in its name.
    static void fillPortfolio(Storage::Database &db)
    {
        Storage::Transaction tx(db);
        Storage::BulkInserter insert(db, u"customers"_s,
            { u"id"_s, u"name"_s, u"tier"_s, u"owner"_s, u"arr"_s, u"industry"_s, u"renewal_date"_s });
        const QStringList tiers { u"smb"_s, u"mid_market"_s, u"enterprise"_s, u"strategic"_s };
        for (int i = 0; i < CustomerCount; ++i) {
            const bool logistics = i % 10 == 0;
            QVERIFY(insert.add({ u"cust-%1"_s.arg(i, 4, 10, QLatin1Char('0')),
                logistics ? u"Northwind Logistics %1"_s.arg(i, 4, 10, QLatin1Char('0'))
                          : u"Customer %1"_s.arg(i, 4, 10, QLatin1Char('0')),
                tiers.at(i % 4), u"CSM %1"_s.arg(i % 7), 1000.0 * (i + 1), logistics ? u"Logistics"_s : u"Software"_s,
                QDate(2026, 1, 1).addDays(i % 365).toString(Qt::ISODate) }));
        }
        QVERIFY(insert.flush());
        QVERIFY(tx.commit());
    }

private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void portfolioOpensSortsAndFilters()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        fillPortfolio(fixture.db());
        Core::CustomerService customers(fixture.db());
        Ui::MainWindow window(customers, fixture.url());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        auto *model = window.portfolioModel();
        // Only the first page is loaded; the total is known.
        QCOMPARE(model->totalCount(), qint64(CustomerCount));
        QVERIFY2(model->rowCount() <= Ui::PortfolioModel::PageSize * 2, qPrintable(QString::number(model->rowCount())));
        QCOMPARE(model->index(0, Ui::PortfolioModel::Name).data().toString(), u"Customer 0001"_s);
        QVERIFY(window.statusBar()->findChild<QLabel *>()->text().contains(u"1,234"_s)
            || window.statusBar()->findChild<QLabel *>()->text().contains(u"1234"_s));

        // The model tester fetches everything it can (each check calls fetchMore), so it joins only now.
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Scrolling to the end fetches the rest, without duplicates.
        window.portfolioView()->scrollToBottom();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), CustomerCount, 10000);

        // Header click: ARR descending puts the biggest account first.
        window.portfolioView()->sortByColumn(Ui::PortfolioModel::Arr, Qt::DescendingOrder);
        QCOMPARE(model->index(0, Ui::PortfolioModel::Arr).data(Ui::PortfolioModel::RawValueRole).toDouble(),
            1000.0 * CustomerCount);
        QCOMPARE(model->index(0, Ui::PortfolioModel::Name).data(Ui::PortfolioModel::IdRole).toString(), u"cust-1233"_s);
        QCOMPARE(model->index(0, Ui::PortfolioModel::Arr).data().toString(), u"$1,234,000"_s);
        QCOMPARE(window.portfolioView()->verticalScrollBar()->value(), 0);
        QCOMPARE(model->index(0, Ui::PortfolioModel::Tier).data().toString(), u"Mid-market"_s);

        // Typing in the filter narrows the list (after the debounce).
        QTest::keyClicks(window.filterEdit(), u"logistics"_s);
        QTRY_COMPARE(model->totalCount(), qint64(124));
        QCOMPARE(model->index(0, Ui::PortfolioModel::Industry).data().toString(), u"Logistics"_s);

        // An agent (or another window) changing a customer refreshes the visible row.
        const QString topId = model->index(0, 0).data(Ui::PortfolioModel::IdRole).toString();
        auto customer = customers.get(topId);
        QVERIFY(customer);
        customer->owner = u"Renamed Owner"_s;
        QSignalSpy changed(model, &QAbstractItemModel::dataChanged);
        QVERIFY(customers.update(*customer));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(model->index(0, Ui::PortfolioModel::Owner).data().toString(), u"Renamed Owner"_s);

        window.filterEdit()->clear();
        QTRY_COMPARE(model->totalCount(), qint64(CustomerCount));

        // The tier filter: only that tier's customers, as many as the database holds; "All tiers" brings all back.
        auto midMarket = Storage::exec(
            fixture.db(), u"SELECT COUNT(*) FROM customers WHERE tier = 'mid_market' AND deleted_at IS NULL"_s);
        QVERIFY(midMarket && midMarket->next());
        const qint64 midMarketCount = midMarket->value(0).toLongLong();
        QVERIFY(midMarketCount > 0 && midMarketCount < CustomerCount);
        QCOMPARE(window.tierFilter()->itemText(0), u"All tiers"_s);
        window.tierFilter()->setCurrentIndex(window.tierFilter()->findText(u"Mid-market"_s));
        QTRY_COMPARE(model->totalCount(), midMarketCount);
        for (int row = 0; row < model->rowCount(); ++row)
            QCOMPARE(model->index(row, Ui::PortfolioModel::Tier).data().toString(), u"Mid-market"_s);
        window.tierFilter()->setCurrentIndex(0);
        QTRY_COMPARE(model->totalCount(), qint64(CustomerCount));
        window.portfolioView()->sortByColumn(Ui::PortfolioModel::Name, Qt::AscendingOrder);
        const QString path = TestUtils::screenshotDir() + u"/mainwindow-portfolio.png"_s;
        QVERIFY(window.grab().save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }

    // As the app runs it (DesktopComposition): the portfolio read on the model's own thread. A header click or a
    // filter keeps the rows on show until the new ones arrive, then the list and the count follow.
    void portfolioLoadsInTheBackground()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        fillPortfolio(fixture.db());
        Core::CustomerService customers(fixture.db());
        Ui::MainWindow window(customers, fixture.url());
        auto *model = window.portfolioModel();
        model->loadInBackground(fixture.db());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model->index(0, Ui::PortfolioModel::Name).data().toString(), u"Customer 0001"_s);

        QSignalSpy loaded(model, &Ui::PortfolioModel::loaded);
        window.portfolioView()->sortByColumn(Ui::PortfolioModel::Arr, Qt::DescendingOrder);
        QVERIFY(model->isLoading());
        QCOMPARE(model->index(0, Ui::PortfolioModel::Name).data().toString(), u"Customer 0001"_s);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(model->index(0, Ui::PortfolioModel::Name).data(Ui::PortfolioModel::IdRole).toString(), u"cust-1233"_s);
        QCOMPARE(model->index(0, Ui::PortfolioModel::Arr).data().toString(), u"$1,234,000"_s);
        QCOMPARE(window.portfolioView()->verticalScrollBar()->value(), 0);

        QTest::keyClicks(window.filterEdit(), u"logistics"_s);
        QTRY_COMPARE(model->totalCount(), qint64(124));
        QVERIFY(!model->isLoading());
        QCOMPARE(model->index(0, Ui::PortfolioModel::Industry).data().toString(), u"Logistics"_s);
        QCOMPARE(window.statusBar()->findChild<QLabel *>()->text(), u"124 customers"_s);
        // Scrolling to the end of the filtered list fetches its last page in the background as well.
        window.filterEdit()->clear();
        QTRY_COMPARE(model->totalCount(), qint64(CustomerCount));
        window.portfolioView()->scrollToBottom();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), CustomerCount, 10000);
        QCOMPARE(model->index(CustomerCount - 1, Ui::PortfolioModel::Name).data(Ui::PortfolioModel::IdRole).toString(),
            u"cust-0000"_s);
    }

    void emptyPortfolioSaysSo()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::CustomerService customers(fixture.db());
        Ui::MainWindow window(customers, fixture.url());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.portfolioModel()->rowCount(), 0);
        QCOMPARE(window.statusBar()->findChild<QLabel *>()->text(), u"No customers yet"_s);
        QVERIFY(window.grab().save(TestUtils::screenshotDir() + u"/mainwindow-empty.png"_s));
    }

    void menusAndMcpStatus()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::CustomerService customers(fixture.db());
        Ui::MainWindow window(customers, fixture.url());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QStringList menus;
        for (QAction *menu : window.menuBar()->actions())
            menus << menu->text();
        QCOMPARE(menus, (QStringList { u"&File"_s, u"&View"_s }));

        // File → Settings… (Ctrl+,) asks the app for the dialog; the window opens none itself.
        QCOMPARE(window.settingsAction()->shortcut(), QKeySequence(u"Ctrl+,"_s));
        QSignalSpy settings(&window, &Ui::MainWindow::settingsRequested);
        window.settingsAction()->trigger();
        QCOMPARE(settings.size(), 1);

        // Without MCP there is no dock: View → Agent activity is there but off, and no MCP status shows.
        QVERIFY(!window.agentActivityAction()->isEnabled());
        QVERIFY(!window.mcpStatusLabel()->isVisible());
        window.setMcpStatus(u"MCP off: port 47821 in use"_s);
        QVERIFY(window.mcpStatusLabel()->isVisible());
        QCOMPARE(window.mcpStatusLabel()->text(), u"MCP off: port 47821 in use"_s);
        // The count stays the first label of the status bar.
        QCOMPARE(window.statusBar()->findChild<QLabel *>()->text(), u"No customers yet"_s);

        auto *dock = new QDockWidget(u"Agent activity"_s);
        window.addAgentDock(dock);
        QVERIFY(window.agentActivityAction()->isEnabled());
        QVERIFY(window.viewMenu()->actions().contains(window.agentActivityAction()));
        QCOMPARE(window.viewMenu()->actions().size(), 1);
        QVERIFY(dock->isVisible());
        window.agentActivityAction()->trigger();
        QVERIFY(!dock->isVisible());

        // File → Quit closes the window, telling the app first (approval prompts are answered then).
        QSignalSpy closing(&window, &Ui::MainWindow::closing);
        window.quitAction()->trigger();
        QCOMPARE(closing.size(), 1);
        QVERIFY(!window.isVisible());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
