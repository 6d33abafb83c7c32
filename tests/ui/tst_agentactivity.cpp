// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QLocale>
#include <QPlainTextEdit>
#include <QSet>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include "agentactivitymodel.h"
#include "agentactivitypanel.h"
#include "agentactivityservice.h"
#include "customerservice.h"
#include "fakeclock.h"
#include "mainwindow.h"
#include "screenshots.h"
#include "testdatabase.h"
#include "transaction.h"

using namespace Qt::StringLiterals;

namespace {

using TestUtils::screenshotDir;

Core::AgentCall call(const QString &tool, bool write, const QJsonObject &arguments = {}, const QString &summary = {},
    bool error = false, int durationMs = 12, const QString &client = u"Claude Desktop"_s)
{
    Core::AgentCall c;
    c.sessionId = u"session-1"_s;
    c.clientName = client;
    c.clientVersion = u"0.9.3"_s;
    c.tool = tool;
    c.isWrite = write;
    c.arguments = arguments;
    c.resultSummary = summary;
    c.isError = error;
    c.durationMs = durationMs;
    return c;
}

} // namespace

class TestAgentActivity final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestUtils::FakeClock m_clock;
    std::unique_ptr<Core::AgentActivityService> m_service; // the "MCP side" that records

    // One call of each kind, a second apart, oldest first: read ok, write ok, read error, write approved and run,
    // write denied, write pending. Returns their ids in that order.
    void recordMix(QList<qint64> &ids)
    {
        auto add = [&](Core::Result<Domain::AgentAction> r) {
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().toString()));
            ids << r->id;
            m_clock.advanceSecs(1);
        };
        add(m_service->record(call(u"list_clients"_s, false, { { u"limit"_s, 20 } }, u"20 of 312 customers"_s)));
        add(m_service->record(call(
            u"update_client_info"_s, true, { { u"customer_id"_s, u"acme"_s } }, u"Acme Corp updated"_s, false, 31)));
        add(m_service->record(call(u"get_client_overview"_s, false, { { u"customer_id"_s, u"nope"_s } },
            u"customer_id: no customer \"nope\"\nsecond line"_s, true, 3)));
        {
            auto pending = m_service->requestApproval(call(u"send_personalized_email"_s, true,
                { { u"customer_id"_s, u"acme"_s }, { u"subject"_s, u"Your QBR"_s } }, {}, false, -1));
            QVERIFY(pending.ok());
            QVERIFY(m_service->decide(pending->id, true, u"alice"_s).ok());
            QVERIFY(m_service->complete(pending->id, u"email queued"_s, false, 140).ok());
            ids << pending->id;
            m_clock.advanceSecs(1);
        }
        {
            auto pending = m_service->requestApproval(
                call(u"handle_support_ticket"_s, true, { { u"action"_s, u"close"_s } }, {}, false, -1));
            QVERIFY(pending.ok());
            QVERIFY(m_service->decide(pending->id, false, u"alice"_s).ok());
            ids << pending->id;
            m_clock.advanceSecs(1);
        }
        add(m_service->requestApproval(
            call(u"execute_retention_campaign"_s, true, { { u"customer_id"_s, u"globex"_s } }, {}, false, -1)));
    }

private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void init()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
        m_clock.set(QDateTime(QDate(2026, 6, 15), QTime(12, 0), Qt::UTC));
        m_service = std::make_unique<Core::AgentActivityService>(m_fixture->db(), m_clock);
    }

    void cleanup()
    {
        m_service.reset();
        m_fixture.reset();
    }

    void columns_data()
    {
        QTest::addColumn<int>("row");
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("approval");
        QTest::addColumn<QString>("result");
        QTest::addColumn<QString>("duration");
        // Newest first.
        QTest::addRow("pending") << 0 << u"execute_retention_campaign"_s << u"Write"_s << u"Pending"_s
                                 << u"Waiting for the CSM"_s << QString();
        QTest::addRow("denied") << 1 << u"handle_support_ticket"_s << u"Write"_s << u"Denied by alice"_s
                                << u"Not run — denied"_s << QString();
        QTest::addRow("approved") << 2 << u"send_personalized_email"_s << u"Write"_s << u"Approved by alice"_s
                                  << u"OK — email queued"_s << u"140 ms"_s;
        QTest::addRow("error") << 3 << u"get_client_overview"_s << u"Read"_s << u"—"_s
                               << u"Error — customer_id: no customer \"nope\""_s << u"3 ms"_s;
        QTest::addRow("write") << 4 << u"update_client_info"_s << u"Write"_s << u"—"_s << u"OK — Acme Corp updated"_s
                               << u"31 ms"_s;
        QTest::addRow("read") << 5 << u"list_clients"_s << u"Read"_s << u"—"_s << u"OK — 20 of 312 customers"_s
                              << u"12 ms"_s;
    }

    void columns()
    {
        QFETCH(int, row);
        QFETCH(QString, tool);
        QFETCH(QString, kind);
        QFETCH(QString, approval);
        QFETCH(QString, result);
        QFETCH(QString, duration);
        QList<qint64> ids;
        recordMix(ids);
        QCOMPARE(ids.size(), 6);
        Ui::AgentActivityModel model(m_fixture->db(), m_clock);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 6);
        QCOMPARE(model.columnCount(), int(Ui::AgentActivityModel::ColumnCount));
        auto text = [&](int column) { return model.index(row, column).data().toString(); };
        QCOMPARE(text(Ui::AgentActivityModel::Tool), tool);
        QCOMPARE(text(Ui::AgentActivityModel::Kind), kind);
        QCOMPARE(text(Ui::AgentActivityModel::Approval), approval);
        QCOMPARE(text(Ui::AgentActivityModel::Result), result);
        QCOMPARE(text(Ui::AgentActivityModel::Duration), duration);
        QCOMPARE(text(Ui::AgentActivityModel::Client), u"Claude Desktop 0.9.3"_s);
        // Today's calls show the local time of day.
        const QDateTime at = QDateTime(QDate(2026, 6, 15), QTime(12, 0), Qt::UTC).addSecs(5 - row);
        QCOMPARE(text(Ui::AgentActivityModel::Time), at.toLocalTime().time().toString(u"HH:mm:ss"_s));
        QCOMPARE(model.index(row, 0).data(Ui::AgentActivityModel::IdRole).toLongLong(), ids.at(5 - row));
        QCOMPARE(model.headerData(Ui::AgentActivityModel::Approval, Qt::Horizontal).toString(), u"Approval"_s);
    }

    void olderDaysShowTheDate()
    {
        QVERIFY(m_service->record(call(u"list_clients"_s, false)).ok());
        m_clock.advanceDays(3);
        Ui::AgentActivityModel model(m_fixture->db(), m_clock);
        const QString text = model.index(0, Ui::AgentActivityModel::Time).data().toString();
        const QDate localDay = QDateTime(QDate(2026, 6, 15), QTime(12, 0), Qt::UTC).toLocalTime().date();
        QVERIFY2(text.startsWith(QLocale().toString(localDay, QLocale::ShortFormat)), qPrintable(text));
    }

    void fetchMoreAcrossPages()
    {
        {
            Storage::Transaction tx(m_fixture->db());
            for (int i = 0; i < 250; ++i) {
                QVERIFY(m_service->record(call(u"list_clients"_s, false, { { u"n"_s, i } })).ok());
                m_clock.advanceSecs(1);
            }
            QVERIFY(tx.commit());
        }
        Ui::AgentActivityModel model(m_fixture->db(), m_clock);
        QCOMPARE(model.rowCount(), Ui::AgentActivityModel::PageSize);
        QVERIFY(model.canFetchMore({}));
        model.fetchMore({});
        QCOMPARE(model.rowCount(), 200);
        model.fetchMore({});
        QCOMPARE(model.rowCount(), 250);
        QVERIFY(!model.canFetchMore({}));
        // Newest first, every call once.
        QSet<qint64> seen;
        for (int row = 0; row < model.rowCount(); ++row) {
            const Domain::AgentAction a = model.action(row);
            QCOMPARE(a.arguments.value(u"n"_s).toInt(), 249 - row);
            seen.insert(a.id);
        }
        QCOMPARE(seen.size(), 250);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    }

    void refreshMergesNewAndChangedCalls()
    {
        QList<qint64> ids;
        recordMix(ids);
        QCOMPARE(ids.size(), 6);
        Ui::AgentActivityModel model(m_fixture->db(), m_clock);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        // A burst of calls and a burst of notifications: one read, one insert at the top.
        for (int i = 0; i < 5; ++i) {
            QVERIFY(m_service->record(call(u"get_client_overview"_s, false, { { u"n"_s, i } })).ok());
            m_clock.advanceSecs(1);
        }
        for (int i = 0; i < 1000; ++i)
            model.refresh();
        QCOMPARE(model.rowCount(), 6); // nothing read yet: the GUI returns to its loop at once
        QTRY_COMPARE(model.rowCount(), 11);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(model.action(0).arguments.value(u"n"_s).toInt(), 4);

        // The CSM approves the pending call (it is now row 5): its row changes in place.
        const qint64 pendingId = ids.last();
        QCOMPARE(model.rowOfAction(pendingId), 5);
        QVERIFY(m_service->decide(pendingId, true, u"bob"_s).ok());
        model.refreshAction(pendingId);
        model.refreshNow();
        QCOMPARE(changed.size(), 1);
        QCOMPARE(model.index(5, Ui::AgentActivityModel::Approval).data().toString(), u"Approved by bob"_s);
        QCOMPARE(model.rowCount(), 11);
    }

    void moreThanAPageOfNewCallsStartsOver()
    {
        QVERIFY(m_service->record(call(u"list_clients"_s, false)).ok());
        Ui::AgentActivityModel model(m_fixture->db(), m_clock);
        QCOMPARE(model.rowCount(), 1);
        {
            Storage::Transaction tx(m_fixture->db());
            for (int i = 0; i < 150; ++i) {
                m_clock.advanceSecs(1);
                QVERIFY(m_service->record(call(u"get_client_overview"_s, false, { { u"n"_s, i } })).ok());
            }
            QVERIFY(tx.commit());
        }
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.refreshNow();
        QCOMPARE(reset.size(), 1);
        QCOMPARE(model.rowCount(), Ui::AgentActivityModel::PageSize);
        QCOMPARE(model.action(0).arguments.value(u"n"_s).toInt(), 149);
        QVERIFY(model.canFetchMore({}));
        model.fetchMore({});
        QCOMPARE(model.rowCount(), 151);
    }

    void filter_data()
    {
        QTest::addColumn<int>("filter");
        QTest::addColumn<QStringList>("tools");
        QTest::addRow("all") << int(Ui::AgentActivityFilterProxy::Filter::All)
                             << QStringList { u"execute_retention_campaign"_s, u"handle_support_ticket"_s,
                                    u"send_personalized_email"_s, u"get_client_overview"_s, u"update_client_info"_s,
                                    u"list_clients"_s };
        QTest::addRow("writes") << int(Ui::AgentActivityFilterProxy::Filter::Writes)
                                << QStringList { u"execute_retention_campaign"_s, u"handle_support_ticket"_s,
                                       u"send_personalized_email"_s, u"update_client_info"_s };
        QTest::addRow("errors") << int(Ui::AgentActivityFilterProxy::Filter::Errors)
                                << QStringList { u"get_client_overview"_s };
        QTest::addRow("pending") << int(Ui::AgentActivityFilterProxy::Filter::Pending)
                                 << QStringList { u"execute_retention_campaign"_s };
    }

    void filter()
    {
        QFETCH(int, filter);
        QFETCH(QStringList, tools);
        QList<qint64> ids;
        recordMix(ids);
        QCOMPARE(ids.size(), 6);
        Ui::AgentActivityPanel panel(m_fixture->db(), m_clock);
        QAbstractItemModelTester tester(panel.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int index = panel.filterBox()->findData(filter);
        QVERIFY(index >= 0);
        panel.filterBox()->setCurrentIndex(index);
        QStringList shown;
        for (int row = 0; row < panel.proxy()->rowCount(); ++row)
            shown << panel.proxy()->index(row, Ui::AgentActivityModel::Tool).data().toString();
        QCOMPARE(shown, tools);
    }

    void panelShowsDetailsAndRenders()
    {
        // A realistic morning: an assistant preparing a QBR and a renewal, with one change held for the CSM.
        const QList<std::tuple<QString, bool, QJsonObject, QString, bool, int, QString>> calls {
            { u"list_clients"_s, false, { { u"renewal_within_days"_s, 90 }, { u"limit"_s, 25 } },
                u"25 of 48 customers renewing within 90 days"_s, false, 18, u"Claude Desktop"_s },
            { u"get_client_overview"_s, false, { { u"customer_id"_s, u"acme-corp"_s } },
                u"Acme Corp: health 64 (yellow), renewal 2026-08-31"_s, false, 22, u"Claude Desktop"_s },
            { u"calculate_health_score"_s, false, { { u"customer_id"_s, u"acme-corp"_s } },
                u"64 (yellow), down 9 since last week: usage −18"_s, false, 41, u"Claude Desktop"_s },
            { u"identify_churn_risk"_s, false, { { u"customer_id"_s, u"acme-corp"_s } },
                u"p(churn) 0.31: usage decline, 2 open escalations"_s, false, 57, u"Claude Desktop"_s },
            { u"get_client_timeline"_s, false,
                { { u"customer_id"_s, u"globex"_s }, { u"types"_s, QJsonArray { u"ticket"_s } } },
                u"customer_id: no customer \"globex\""_s, true, 4, u"Visual Studio Code"_s },
            { u"resolve_customer"_s, false, { { u"query"_s, u"Globex"_s } }, u"globex-inc (Globex Inc.)"_s, false, 9,
                u"Visual Studio Code"_s },
            { u"update_client_info"_s, true,
                { { u"customer_id"_s, u"globex-inc"_s }, { u"owner"_s, u"Dana Scully"_s } },
                u"Globex Inc. updated (version 7)"_s, false, 35, u"Visual Studio Code"_s },
            { u"handle_support_ticket"_s, true,
                { { u"action"_s, u"comment"_s }, { u"ticket_id"_s, 4821 }, { u"body"_s, u"Workaround attached."_s } },
                u"ticket 4821: comment added (mirrored to Zendesk)"_s, false, 212, u"Claude Desktop"_s },
        };
        for (const auto &[tool, write, args, summary, error, ms, client] : calls) {
            QVERIFY(m_service->record(call(tool, write, args, summary, error, ms, client)).ok());
            m_clock.advanceSecs(37);
        }
        auto approved = m_service->requestApproval(call(u"send_personalized_email"_s, true,
            { { u"customer_id"_s, u"acme-corp"_s }, { u"contact_id"_s, u"c-1042"_s },
                { u"subject"_s, u"Preparing our quarterly business review"_s } },
            {}, false, -1));
        QVERIFY(approved.ok());
        QVERIFY(m_service->decide(approved->id, true, u"alice"_s).ok());
        QVERIFY(m_service->complete(approved->id, u"email queued for jane@acme.example"_s, false, 188).ok());
        m_clock.advanceSecs(41);
        QVERIFY(
            m_service
                ->requestApproval(call(u"execute_retention_campaign"_s, true,
                    { { u"customer_id"_s, u"acme-corp"_s }, { u"playbook"_s, u"renewal-risk-90"_s } }, {}, false, -1))
                .ok());

        Core::CustomerService customers(m_fixture->db());
        Ui::MainWindow window(customers, m_fixture->url());
        auto *panel = new Ui::AgentActivityPanel(m_fixture->db(), m_clock);
        window.addAgentDock(panel);
        window.resize(1280, 860);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.resizeDocks({ panel }, { 520 }, Qt::Vertical);
        QCOMPARE(window.agentDock(), panel);
        QCOMPARE(panel->windowTitle(), u"Agent activity"_s);
        QVERIFY(window.agentActivityAction()->isEnabled());
        QVERIFY(window.agentActivityAction()->isChecked());
        QCOMPARE(panel->model()->rowCount(), 10);

        // Selecting the approved email shows its arguments as indented JSON and its result.
        panel->view()->selectRow(1);
        const QString details = panel->details()->toPlainText();
        QVERIFY2(details.contains(u"send_personalized_email (write) by Claude Desktop 0.9.3"_s), qPrintable(details));
        QVERIFY2(details.contains(u"Approval: approved by alice"_s), qPrintable(details));
        QVERIFY2(details.contains(u"email queued for jane@acme.example"_s), qPrintable(details));
        QVERIFY2(details.contains(u"{\n    \"contact_id\": \"c-1042\",\n"_s), qPrintable(details));

        // A new call reaches the panel through its slot.
        m_clock.advanceSecs(5);
        auto recorded = m_service->record(call(u"list_clients"_s, false, {}, u"48 customers"_s));
        QVERIFY(recorded.ok());
        panel->onActionRecorded(recorded->id);
        QTRY_COMPARE(panel->model()->rowCount(), 11);
        // The selection stays on the same call.
        QCOMPARE(panel->proxy()->mapToSource(panel->view()->currentIndex()).row(), 2);

        // View → Agent activity hides and shows the dock.
        window.agentActivityAction()->trigger();
        QVERIFY(!panel->isVisible());
        window.agentActivityAction()->trigger();
        QVERIFY(panel->isVisible());

        const QString path = screenshotDir() + u"/agent-activity.png"_s;
        QVERIFY(window.grab().save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }
};

QTEST_MAIN(TestAgentActivity)
#include "tst_agentactivity.moc"
