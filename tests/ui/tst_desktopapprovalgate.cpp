// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include <atomic>
#include <thread>

#include <QApplication>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QWidget>

#include "approvalprompt.h"
#include "desktopapprovalgate.h"
#include "fakeclock.h"
#include "mcpserver.h"
#include "promptregistry.h"
#include "resourceregistry.h"
#include "services.h"
#include "sql.h"
#include "testdatabase.h"
#include "toolregistry.h"

using namespace Qt::StringLiterals;

namespace {

// What the server's `done` saw, from whichever thread called it.
struct Outcome
{
    std::atomic_int calls { 0 };
    std::atomic_bool approved { false };
    QString decidedBy;
    QString reason;
    QThread *thread = nullptr;
};

Mcp::ApprovalRequest request(qint64 actionId)
{
    return Mcp::ApprovalRequest { actionId, u"session-7"_s, u"Claude Desktop"_s, u"register_client"_s,
        u"Register a customer"_s, u"core"_s, QJsonObject { { u"name"_s, u"Initech"_s } } };
}

// Asks from a thread of its own, as the MCP thread does.
void requestFromAnotherThread(const std::shared_ptr<Mcp::ApprovalGate> &gate, qint64 actionId, Outcome &outcome)
{
    std::thread mcpThread([&] {
        gate->requestApproval(request(actionId), [&outcome](Mcp::ApprovalDecision decision) {
            outcome.decidedBy = decision.decidedBy;
            outcome.reason = decision.reason;
            outcome.thread = QThread::currentThread();
            outcome.approved = decision.approved;
            ++outcome.calls;
        });
    });
    mcpThread.join();
}

class RecordingChannel final : public Mcp::ReplyChannel
{
public:
    void send(const QJsonObject &message) override
    {
        if (message.contains(u"id"_s))
            responses.append(message);
    }
    void sendBatch(const QJsonArray &) override { }
    bool canStream() const override { return false; }
    QList<QJsonObject> responses;
};

QJsonObject req(int id, const QString &method, const QJsonObject &params)
{
    return QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, id }, { u"method"_s, method },
        { u"params"_s, params } };
}

} // namespace

class TestDesktopApprovalGate final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void answers_data()
    {
        QTest::addColumn<QString>("how"); // allow | deny | deny-reason | escape | window-closes | app-goes
        QTest::addColumn<bool>("approved");
        QTest::addColumn<QString>("reason");
        QTest::addRow("allow") << u"allow"_s << true << QString();
        QTest::addRow("deny") << u"deny"_s << false << QString();
        QTest::addRow("deny with reason") << u"deny-reason"_s << false << u"wrong customer"_s;
        QTest::addRow("escape") << u"escape"_s << false << QString();
        QTest::addRow("window closes") << u"window-closes"_s << false << u"the desktop app closed"_s;
        QTest::addRow("prompt parent destroyed") << u"parent-destroyed"_s << false << u"the desktop app closed"_s;
        QTest::addRow("app goes") << u"app-goes"_s << false << u"the desktop app closed"_s;
    }

    void answers()
    {
        QFETCH(QString, how);
        QFETCH(bool, approved);
        QFETCH(QString, reason);
        auto window = std::make_unique<QWidget>();
        auto approvals = std::make_unique<DesktopApprovals>(window.get());
        QSignalSpy shown(approvals.get(), &DesktopApprovals::promptShown);
        Outcome outcome;
        requestFromAnotherThread(approvals->gate(), 42, outcome);
        // The prompt appears on the GUI thread once the event loop runs.
        QVERIFY(shown.wait());
        Ui::ApprovalPrompt *prompt = approvals->prompt(42);
        QVERIFY(prompt);
        QCOMPARE(prompt->thread(), QThread::currentThread());
        QVERIFY(prompt->isVisible());
        QCOMPARE(prompt->item().clientName, u"Claude Desktop"_s);
        QCOMPARE(prompt->item().toolset, u"core"_s);
        QCOMPARE(prompt->argumentLines(), QStringList { u"name: Initech"_s });
        QCOMPARE(outcome.calls.load(), 0);
        QCOMPARE(approvals->pendingCount(), 1);

        if (how == u"allow"_s) {
            QTest::mouseClick(prompt->allowButton(), Qt::LeftButton);
        } else if (how == u"deny"_s) {
            QTest::mouseClick(prompt->denyButton(), Qt::LeftButton);
        } else if (how == u"deny-reason"_s) {
            prompt->reasonEdit()->setText(reason);
            QTest::mouseClick(prompt->denyButton(), Qt::LeftButton);
        } else if (how == u"escape"_s) {
            QTest::keyClick(prompt, Qt::Key_Escape);
        } else if (how == u"window-closes"_s) {
            approvals->closeAll(DesktopApprovals::closedReason());
        } else if (how == u"parent-destroyed"_s) {
            window.reset();
        } else {
            approvals.reset();
        }
        QCOMPARE(outcome.calls.load(), 1);
        QCOMPARE(outcome.approved.load(), approved);
        QCOMPARE(outcome.reason, reason);
        QCOMPARE(outcome.decidedBy, DesktopApprovals::decidedBy());
        QVERIFY(!outcome.decidedBy.isEmpty());
        QCOMPARE(outcome.thread, QThread::currentThread());
        if (approvals)
            QCOMPARE(approvals->pendingCount(), 0);
        // Nothing answers twice: not the prompt's own closing, not the app going afterwards.
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        approvals.reset();
        window.reset();
        QCOMPARE(outcome.calls.load(), 1);
    }

    void withdrawClosesWithoutAnswer()
    {
        QWidget window;
        DesktopApprovals approvals(&window);
        approvals.setWithdrawCloseDelay(0);
        QSignalSpy shown(&approvals, &DesktopApprovals::promptShown);
        QSignalSpy finished(&approvals, &DesktopApprovals::promptFinished);
        Outcome outcome;
        requestFromAnotherThread(approvals.gate(), 7, outcome);
        QVERIFY(shown.wait());
        QPointer<Ui::ApprovalPrompt> prompt = approvals.prompt(7);
        QVERIFY(prompt);
        std::thread([gate = approvals.gate()] { gate->withdraw(7); }).join();
        QVERIFY(finished.wait());
        QVERIFY(!prompt || !prompt->isVisible());
        QCOMPARE(approvals.pendingCount(), 0);
        // The server ignores answers after a withdrawal, so none is sent.
        QCOMPARE(outcome.calls.load(), 0);
    }

    void gateOutlivingTheWindowRefuses()
    {
        std::shared_ptr<Mcp::ApprovalGate> gate;
        {
            DesktopApprovals approvals;
            gate = approvals.gate();
        }
        Outcome outcome;
        requestFromAnotherThread(gate, 9, outcome);
        QCOMPARE(outcome.calls.load(), 1);
        QCOMPARE(outcome.approved.load(), false);
        QCOMPARE(outcome.reason, u"the desktop app closed"_s);
        gate->withdraw(9); // harmless
    }

    // The whole path: an agent's write call in an "ask me first" toolset waits in the server until the CSM clicks
    // Allow in the prompt; then the tool runs and the audit shows who approved it.
    void endToEnd_data()
    {
        QTest::addColumn<bool>("allow");
        QTest::addRow("allowed") << true;
        QTest::addRow("denied") << false;
    }

    void endToEnd()
    {
        QFETCH(bool, allow);
        CS_REQUIRE_BACKEND();
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        TestUtils::FakeClock clock;
        Core::Services services(fixture.db(), clock);
        Mcp::ToolRegistry tools;
        QCOMPARE(Mcp::registerAllTools(tools), QStringList());
        Mcp::ResourceRegistry resources;
        Mcp::PromptRegistry prompts;
        Mcp::ServerOptions options;
        options.askFirstToolsets = { u"core"_s };
        Mcp::Server server(tools, resources, prompts, services, options);
        QWidget window;
        DesktopApprovals approvals(&window);
        server.setApprovalGate(approvals.gate());
        QSignalSpy shown(&approvals, &DesktopApprovals::promptShown);

        Mcp::Session *session = server.createSession();
        auto init = std::make_shared<RecordingChannel>();
        server.handleMessage(session,
            req(0, u"initialize"_s,
                { { u"protocolVersion"_s, u"2025-11-25"_s }, { u"capabilities"_s, QJsonObject {} },
                    { u"clientInfo"_s,
                        QJsonObject { { u"name"_s, u"Claude Desktop"_s }, { u"version"_s, u"0.9"_s } } } }),
            init);
        QCOMPARE(init->responses.size(), 1);

        auto channel = std::make_shared<RecordingChannel>();
        server.handleMessage(session,
            req(1, u"tools/call"_s,
                { { u"name"_s, u"register_client"_s },
                    { u"arguments"_s,
                        QJsonObject { { u"name"_s, u"Initech"_s }, { u"customer_id"_s, u"initech"_s } } } }),
            channel);
        QVERIFY(shown.wait());
        // Held: no answer, no customer, a pending audit row.
        QCOMPARE(channel->responses.size(), 0);
        QVERIFY(!services.customers().get(u"initech"_s).ok());
        QCOMPARE(server.activity().pendingApprovals()->size(), 1);
        Ui::ApprovalPrompt *prompt = approvals.prompt(server.activity().pendingApprovals()->constFirst().id);
        QVERIFY(prompt);
        QCOMPARE(prompt->item().tool, u"register_client"_s);
        QCOMPARE(prompt->item().toolTitle, u"Register a customer"_s);
        QCOMPARE(prompt->item().clientName, u"Claude Desktop"_s);
        QVERIFY(prompt->argumentLines().contains(u"name: Initech"_s));

        if (!allow)
            prompt->reasonEdit()->setText(u"not a real customer"_s);
        QTest::mouseClick(allow ? prompt->allowButton() : prompt->denyButton(), Qt::LeftButton);
        QTRY_COMPARE(channel->responses.size(), 1);
        const QJsonObject result = channel->responses.constFirst().value(u"result"_s).toObject();
        QCOMPARE(result.value(u"isError"_s).toBool(), !allow);
        QCOMPARE(services.customers().get(u"initech"_s).ok(), allow);
        if (!allow) {
            const QString text = result.value(u"content"_s).toArray().at(0).toObject().value(u"text"_s).toString();
            QVERIFY2(text.contains(u"not a real customer"_s), qPrintable(text));
        }
        auto audit = Storage::exec(fixture.db(), u"SELECT approval, approved_by, tool FROM agent_actions"_s);
        QVERIFY(audit && audit->next());
        QCOMPARE(audit->value(0).toString(), allow ? u"approved"_s : u"denied"_s);
        QCOMPARE(audit->value(1).toString(), DesktopApprovals::decidedBy());
        QCOMPARE(audit->value(2).toString(), u"register_client"_s);
        QVERIFY(!audit->next());
        QCOMPARE(approvals.pendingCount(), 0);
    }
};

QTEST_MAIN(TestDesktopApprovalGate)
#include "tst_desktopapprovalgate.moc"
