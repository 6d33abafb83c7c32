// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include <optional>

#include <sys/resource.h>
#include <unistd.h>

#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QThread>

#include "agentactivitypanel.h"
#include "bulkinserter.h"
#include "changefeed.h"
#include "clock.h"
#include "customerservice.h"
#include "desktopapprovalgate.h"
#include "desktopcomposition.h"
#include "mainwindow.h"
#include "mcphost.h"
#include "portfoliomodel.h"
#include "services.h"
#include "testdatabase.h"
#include "transaction.h"

using namespace Qt::StringLiterals;

// The desktop as the app composes it (DesktopComposition, shared with bench_guistall): the window with its agent
// dock and approval prompts, the portfolio read off the GUI thread, and an MCP server whose threads yield the CPU to
// the window's — while the headless server's threads keep the priority they were started with.
class TestDesktopComposition final : public QObject
{
    Q_OBJECT

private:
    static constexpr int CustomerCount = 700; // more than a page

    static void fill(Storage::Database &db)
    {
        Storage::Transaction tx(db);
        Storage::BulkInserter insert(db, u"customers"_s, { u"id"_s, u"name"_s, u"tier"_s, u"arr"_s });
        for (int i = 0; i < CustomerCount; ++i)
            QVERIFY(insert.add({ u"cust-%1"_s.arg(i, 4, 10, QLatin1Char('0')),
                u"Customer %1"_s.arg(i, 4, 10, QLatin1Char('0')), u"smb"_s, 100.0 * (i + 1) }));
        QVERIFY(insert.flush());
        QVERIFY(tx.commit());
    }

    // The niceness of this process's thread called `name` (/proc/self/task/*/comm, stat field 19; proc(5)).
    static std::optional<int> threadNiceness(const QByteArray &name)
    {
        for (const QString &tid : QDir(u"/proc/self/task"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            QFile comm(u"/proc/self/task/"_s + tid + u"/comm"_s);
            if (!comm.open(QIODevice::ReadOnly) || comm.readAll().trimmed() != name)
                continue;
            QFile stat(u"/proc/self/task/"_s + tid + u"/stat"_s);
            if (!stat.open(QIODevice::ReadOnly))
                return std::nullopt;
            const QByteArray text = stat.readAll();
            const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
            if (fields.size() < 17)
                return std::nullopt;
            return fields.at(16).toInt(); // field 19, counted from field 3 (after the name)
        }
        return std::nullopt;
    }

private Q_SLOTS:
    void initTestCase() { CS_REQUIRE_BACKEND(); }

    void theWindowHasItsDockAndReadsThePortfolioInTheBackground()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        fill(fixture.db());
        Core::SystemClock clock;
        DesktopComposition desktop(fixture.db(), clock);
        desktop.window().show();
        QVERIFY(QTest::qWaitForWindowExposed(&desktop.window()));
        QCOMPARE(desktop.window().agentDock(), &desktop.agentPanel());
        QVERIFY(desktop.window().agentActivityAction()->isEnabled());

        auto *model = desktop.window().portfolioModel();
        QCOMPARE(model->totalCount(), qint64(CustomerCount));
        QSignalSpy loaded(model, &Ui::PortfolioModel::loaded);
        desktop.window().portfolioView()->sortByColumn(Ui::PortfolioModel::Arr, Qt::DescendingOrder);
        QVERIFY(model->isLoading()); // asked of the model's thread, not read here
        QCOMPARE(model->index(0, 0).data(Ui::PortfolioModel::IdRole).toString(), u"cust-0000"_s);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(model->index(0, 0).data(Ui::PortfolioModel::IdRole).toString(), u"cust-0699"_s);
    }

    // A write of another thread's services reporting to the desktop's feed (as the MCP server's do) shows in the open
    // window: the portfolio follows the feed, not only the GUI thread's own CustomerService.
    void anotherThreadsWriteShowsInTheWindow()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        fill(fixture.db());
        Core::SystemClock clock;
        DesktopComposition desktop(fixture.db(), clock);
        QCOMPARE(desktop.services().changeFeed(), &desktop.changeFeed());
        auto *model = desktop.window().portfolioModel();
        QCOMPARE(model->totalCount(), qint64(CustomerCount));
        QCOMPARE(model->index(0, 0).data(Ui::PortfolioModel::IdRole).toString(), u"cust-0000"_s);

        Storage::Database &db = fixture.db();
        Core::ChangeFeed *feed = &desktop.changeFeed();
        bool written = false;
        std::unique_ptr<QThread> mcp(QThread::create([&] {
            Core::Services services(db, clock, feed);
            Domain::Customer first;
            first.id = u"aaa-new"_s;
            first.name = u"Aaa new customer"_s; // sorts first by name
            auto renamed = services.customers().get(u"cust-0001"_s);
            written = services.customers().create(first).ok() && renamed;
            if (written) {
                renamed->owner = u"agent"_s;
                written = services.customers().update(*renamed).ok();
            }
            db.releaseThreadConnection();
        }));
        mcp->start();
        QVERIFY(mcp->wait(10000));
        QVERIFY(written);
        QTRY_COMPARE_WITH_TIMEOUT(model->totalCount(), qint64(CustomerCount + 1), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(model->index(0, 0).data(Ui::PortfolioModel::IdRole).toString(), u"aaa-new"_s, 10000);
        QCOMPARE(model->index(2, 0).data(Ui::PortfolioModel::IdRole).toString(), u"cust-0001"_s);
        QCOMPARE(model->index(2, Ui::PortfolioModel::Owner).data().toString(), u"agent"_s);
    }

    void theServersThreadsYieldToTheWindow_data()
    {
        QTest::addColumn<bool>("underTheWindow");
        QTest::addColumn<int>("nicerBy");
        QTest::addRow("under the window") << true << DesktopComposition::kMcpNiceness;
        QTest::addRow("headless") << false << 0;
    }

    void theServersThreadsYieldToTheWindow()
    {
        QFETCH(bool, underTheWindow);
        QFETCH(int, nicerBy);
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::SystemClock clock;
        DesktopComposition desktop(fixture.db(), clock);
        Mcp::McpHostOptions options;
        options.port = 0;
        options.token = u"test-token"_s;
        std::unique_ptr<Mcp::McpHost> host = underTheWindow
            ? desktop.createMcpHost(options)
            : std::make_unique<Mcp::McpHost>(fixture.db(), clock, options);
        QSignalSpy started(host.get(), &Mcp::McpHost::started);
        host->start();
        QVERIFY(started.wait(10000));

        errno = 0;
        const int own = getpriority(PRIO_PROCESS, id_t(gettid()));
        QCOMPARE(errno, 0);
        QCOMPARE(threadNiceness("mcp"), std::optional<int>(std::min(own + nicerBy, 19)));
        // This (the GUI) thread keeps its own.
        QCOMPARE(getpriority(PRIO_PROCESS, id_t(gettid())), own);
    }
};

QTEST_MAIN(TestDesktopComposition)
#include "tst_desktopcomposition.moc"
