// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// AgentActivityService: the audit of MCP tool calls and the "ask me first" approvals over agent_actions.
// Built twice: SQLite (label unit) and PostgreSQL (label pg).
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "agentactivityservice.h"
#include "customerservice.h"
#include "fakeclock.h"
#include "sql.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using Domain::AgentApproval;

class TestAgentActivityService : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestUtils::FakeClock m_clock { QDateTime(QDate(2026, 6, 15), QTime(12, 0), QTimeZone::utc()) };
    std::unique_ptr<Core::AgentActivityService> m_service;

    Core::AgentCall call(const QString &tool, const QJsonObject &arguments = {})
    {
        Core::AgentCall c;
        c.sessionId = u"session-1"_s;
        c.clientName = u"Claude Desktop"_s;
        c.clientVersion = u"0.9"_s;
        c.tool = tool;
        c.arguments = arguments;
        c.resultSummary = u"ok"_s;
        c.durationMs = 12;
        return c;
    }

private Q_SLOTS:
    void init()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
        m_service = std::make_unique<Core::AgentActivityService>(m_fixture->db(), m_clock);
    }

    void cleanup()
    {
        m_service.reset();
        m_fixture.reset();
    }

    void recordStoresTheCall()
    {
        Domain::Customer acme;
        acme.id = u"acme"_s;
        acme.name = u"Acme"_s;
        QVERIFY(Core::CustomerService(m_fixture->db()).create(acme).ok());
        QSignalSpy recorded(m_service.get(), &Core::AgentActivityService::actionRecorded);
        auto stored = m_service->record(
            call(u"update_client_info"_s, { { u"customer_id"_s, u"acme"_s }, { u"tier"_s, u"gold"_s } }));
        QVERIFY2(stored.ok(), qPrintable(stored.ok() ? QString() : stored.error().toString()));
        QCOMPARE(recorded.size(), 1);
        QCOMPARE(recorded.constFirst().at(0).toLongLong(), stored->id);

        auto read = m_service->action(stored->id);
        QVERIFY(read.ok());
        QCOMPARE(read->tool, u"update_client_info"_s);
        QCOMPARE(read->sessionId, u"session-1"_s);
        QCOMPARE(read->clientName, u"Claude Desktop"_s);
        QCOMPARE(read->clientVersion, u"0.9"_s);
        QVERIFY(read->isWrite);
        QCOMPARE(read->customerId, u"acme"_s);
        QCOMPARE(read->arguments.value(u"tier"_s).toString(), u"gold"_s);
        QCOMPARE(read->approval, AgentApproval::NotRequired);
        QCOMPARE(read->durationMs.value_or(-1), 12);
        QCOMPARE(read->occurredAt, m_clock.now());
    }

    void unknownCustomerIsNotLinked()
    {
        // agent_actions.customer_id is a foreign key; an agent's made-up id must not make the audit fail.
        auto stored = m_service->record(call(u"get_client_overview"_s, { { u"customer_id"_s, u"ghost"_s } }));
        QVERIFY(stored.ok());
        QVERIFY(stored->customerId.isEmpty());
        QCOMPARE(stored->arguments.value(u"customer_id"_s).toString(), u"ghost"_s);
    }

    void argumentsAreCapped_data()
    {
        QTest::addColumn<int>("padding");
        QTest::addColumn<bool>("truncated");
        QTest::addRow("small") << 100 << false;
        QTest::addRow("just under") << Core::AgentActivityService::kMaxArgumentsBytes - 64 << false;
        QTest::addRow("over") << Core::AgentActivityService::kMaxArgumentsBytes + 1 << true;
        QTest::addRow("4 MiB csv") << 4 * 1024 * 1024 << true;
    }

    void argumentsAreCapped()
    {
        QFETCH(int, padding);
        QFETCH(bool, truncated);
        // Multi-byte characters: the cut must not split one.
        const QJsonObject arguments { { u"csv"_s, QString(padding / 2, QChar(0x00E9)) } };
        auto stored = m_service->record(call(u"import_records"_s, arguments));
        QVERIFY(stored.ok());
        auto read = m_service->action(stored->id);
        QVERIFY(read.ok());
        const QByteArray json
            = QJsonDocument(QJsonObject::fromVariantMap(read->arguments)).toJson(QJsonDocument::Compact);
        QVERIFY(json.size() <= Core::AgentActivityService::kMaxArgumentsBytes);
        QCOMPARE(read->arguments.value(u"truncated"_s).toBool(), truncated);
        if (truncated) {
            QVERIFY(read->arguments.value(u"bytes"_s).toLongLong() > Core::AgentActivityService::kMaxArgumentsBytes);
            QVERIFY(read->arguments.value(u"prefix"_s).toString().startsWith(u"{\"csv\":\"\u00e9"_s));
            QVERIFY(!read->arguments.value(u"prefix"_s).toString().contains(QChar::ReplacementCharacter));
        } else {
            QCOMPARE(read->arguments.value(u"csv"_s).toString().size(), padding / 2);
        }
    }

    void approvalFlow_data()
    {
        QTest::addColumn<bool>("approved");
        QTest::addRow("approved") << true;
        QTest::addRow("denied") << false;
    }

    void approvalFlow()
    {
        QFETCH(bool, approved);
        QSignalSpy requested(m_service.get(), &Core::AgentActivityService::approvalRequested);
        QSignalSpy decided(m_service.get(), &Core::AgentActivityService::approvalDecided);
        auto pending = m_service->requestApproval(call(u"send_personalized_email"_s));
        QVERIFY(pending.ok());
        QCOMPARE(pending->approval, AgentApproval::Pending);
        QVERIFY(!pending->durationMs.has_value());
        QCOMPARE(requested.size(), 1);
        auto waiting = m_service->pendingApprovals();
        QVERIFY(waiting.ok());
        QCOMPARE(waiting->size(), 1);
        QCOMPARE(waiting->constFirst().id, pending->id);

        m_clock.advanceSecs(30);
        auto answer = m_service->decide(pending->id, approved, u"csm@example.com"_s);
        QVERIFY(answer.ok());
        QCOMPARE(answer->approval, approved ? AgentApproval::Approved : AgentApproval::Denied);
        QCOMPARE(answer->approvedBy, u"csm@example.com"_s);
        QCOMPARE(answer->decidedAt, m_clock.now());
        QCOMPARE(decided.size(), 1);
        QCOMPARE(decided.constFirst().at(1).toBool(), approved);
        QCOMPARE(m_service->pendingApprovals()->size(), 0);

        // A decision is final.
        auto again = m_service->decide(pending->id, !approved, u"someone else"_s);
        QVERIFY(!again.ok());
        QCOMPARE(again.error().code, Core::ErrorCode::Conflict);
        QCOMPARE(again.error().field, u"approval"_s);

        auto done = m_service->complete(pending->id, u"sent"_s, false, 250);
        QVERIFY(done.ok());
        auto read = m_service->action(pending->id);
        QCOMPARE(read->resultSummary, u"sent"_s);
        QCOMPARE(read->durationMs.value_or(-1), 250);
        QCOMPARE(read->approval, approved ? AgentApproval::Approved : AgentApproval::Denied);
    }

    void decideUnknownAction()
    {
        auto answer = m_service->decide(424242, true, u"csm"_s);
        QVERIFY(!answer.ok());
        QCOMPARE(answer.error().code, Core::ErrorCode::NotFound);
    }

    void recentIsNewestFirstAndPaged()
    {
        for (int i = 0; i < 7; ++i) {
            auto c = call(u"tool_%1"_s.arg(i));
            QVERIFY(m_service->record(c).ok());
            m_clock.advanceSecs(60);
        }
        QStringList tools;
        QString cursor;
        int pages = 0;
        do {
            auto page = m_service->recent(3, cursor);
            QVERIFY2(page.ok(), qPrintable(page.ok() ? QString() : page.error().toString()));
            QVERIFY(page->items.size() <= 3);
            QCOMPARE(page->total, -1); // not counted: the audit is paged by cursor only
            for (const auto &a : page->items)
                tools << a.tool;
            cursor = page->nextCursor;
            ++pages;
        } while (!cursor.isEmpty() && pages < 10);
        QCOMPARE(tools,
            (QStringList {
                u"tool_6"_s, u"tool_5"_s, u"tool_4"_s, u"tool_3"_s, u"tool_2"_s, u"tool_1"_s, u"tool_0"_s }));
        QCOMPARE(pages, 3);
        QCOMPARE(m_service->recent(0).error().field, u"limit"_s);
        QCOMPARE(m_service->recent(201).error().field, u"limit"_s);
    }
};

QTEST_GUILESS_MAIN(TestAgentActivityService)
#include "tst_agentactivityservice.moc"
