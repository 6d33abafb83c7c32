// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The communication, support and monitors toolsets, called the way the server calls them (validate → handler →
// outputSchema): on an empty portfolio, on a demo portfolio (the tool's numbers equal the service's), with bad
// arguments, and every write read back through the services. Runs on SQLite and (tst_tools_operations_pg)
// PostgreSQL.
#include <QJsonArray>
#include <QSqlQuery>
#include <QTest>

#include "demoportfolio.h"
#include "sql.h"
#include "tooltestkit.h"

using namespace Qt::StringLiterals;
using TestUtils::ToolHarness;

namespace {

const QDate kToday(2026, 6, 15); // the FakeClock's day

QJsonValue at(const QJsonObject &json, const QString &path)
{
    QJsonValue value = json;
    for (const QString &step : path.split(u'.'))
        value = value.toObject().value(step);
    return value;
}

const QStringList kCommunicationTools = { u"send_personalized_email"_s, u"automate_communications"_s,
    u"manage_community"_s, u"manage_advocacy_program"_s, u"conduct_executive_review"_s, u"automate_newsletters"_s };
const QStringList kSupportTools = { u"handle_support_ticket"_s, u"route_tickets"_s, u"manage_knowledge_base"_s,
    u"update_knowledge_base"_s, u"manage_customer_portal"_s, u"analyze_support_performance"_s, u"manage_sla"_s };
const QStringList kMonitorTools = { u"get_autonomous_status"_s, u"configure_autonomous_worker"_s,
    u"trigger_worker_now"_s, u"get_worker_config"_s, u"list_available_workers"_s };

std::unique_ptr<ToolHarness> makeHarness()
{
    return std::make_unique<ToolHarness>(std::initializer_list<void (*)(Mcp::ToolRegistry &)> {
        &Mcp::registerCommunicationTools, &Mcp::registerSupportTools, &Mcp::registerMonitorTools });
}

} // namespace

class TstToolsOperations : public QObject
{
    Q_OBJECT

    std::unique_ptr<ToolHarness> m_demo;
    QString m_customer; // an active demo customer with a contact that has an e-mail address
    qint64 m_contact = 0;

    ToolHarness &demo() { return *m_demo; }

    // The outbox row queued under an idempotency key: kind, target, status, customer.
    QStringList outboxRow(const QString &key)
    {
        auto q = Storage::exec(demo().db.db(),
            u"SELECT kind, target, status, customer_id FROM outbox WHERE idempotency_key = ?"_s, { key });
        if (!q || !q->next())
            return {};
        return { q->value(0).toString(), q->value(1).toString(), q->value(2).toString(), q->value(3).toString() };
    }

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_demo = makeHarness();
        QVERIFY2(m_demo->isReady(), qPrintable(m_demo->db.error()));
        Core::DemoPortfolio::Options options;
        options.customers = 80;
        options.seed = 4711;
        options.today = kToday;
        options.usageEvents = 20'000;
        auto stats = Core::DemoPortfolio(m_demo->db.db(), options).generate();
        QVERIFY2(stats.ok(), stats.ok() ? "" : qPrintable(stats.error().toString()));

        Storage::ListQuery query;
        query.limit = 200;
        query.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq, u"active"_s };
        auto customers = demo().services->customers().list(query);
        QVERIFY(customers.ok());
        for (const Domain::Customer &c : std::as_const(customers->items)) {
            if (c.owner.isEmpty())
                continue;
            auto contacts = demo().services->customers().contacts(c.id);
            QVERIFY(contacts.ok());
            for (const Domain::Contact &contact : std::as_const(*contacts)) {
                if (!contact.email.isEmpty()) {
                    m_customer = c.id;
                    m_contact = contact.id;
                    break;
                }
            }
            if (!m_customer.isEmpty())
                break;
        }
        QVERIFY2(!m_customer.isEmpty(), "the demo portfolio has an active customer with an e-mail contact");
    }

    void cleanupTestCase() { m_demo.reset(); }

    void registration()
    {
        QVERIFY2(demo().registry.registrationErrors().isEmpty(),
            qPrintable(demo().registry.registrationErrors().join(u'\n')));
        const auto tools = demo().registry.tools();
        QCOMPARE(tools.size(), kCommunicationTools.size() + kSupportTools.size() + kMonitorTools.size());
        for (const QString &name : kCommunicationTools + kSupportTools + kMonitorTools) {
            const Mcp::RegisteredTool *tool = demo().registry.find(name);
            QVERIFY2(tool, qPrintable(name));
            QVERIFY2(!tool->output.isNull(), qPrintable(name));
            QCOMPARE(tool->tool.annotations.readOnly, !tool->tool.writes);
        }
        QVERIFY(demo().registry.find(u"trigger_worker_now"_s)->tool.longRunning);
    }

    // (a) an empty portfolio: a plain "no data" answer.
    void emptyPortfolio_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QJsonObject>("args");
        QTest::addColumn<QString>("path"); // must be null / false / 0
        const auto action = [](const QString &a) { return QJsonObject { { u"action"_s, a } }; };
        QTest::addRow("status") << u"get_autonomous_status"_s << QJsonObject {} << u"open_alerts"_s;
        QTest::addRow("trigger") << u"trigger_worker_now"_s << QJsonObject { { u"kind"_s, u"churn_risk"_s } }
                                 << u"alerts_raised"_s;
        QTest::addRow("config") << u"get_worker_config"_s << QJsonObject { { u"kind"_s, u"sla"_s } } << u"configured"_s;
        QTest::addRow("tickets") << u"handle_support_ticket"_s << action(u"list"_s) << u"total"_s;
        QTest::addRow("route") << u"route_tickets"_s << action(u"route"_s) << u"examined"_s;
        QTest::addRow("rules") << u"route_tickets"_s << action(u"list_rules"_s) << u"total"_s;
        QTest::addRow("kb search") << u"manage_knowledge_base"_s
                                   << QJsonObject { { u"action"_s, u"search"_s }, { u"query"_s, u"password"_s } }
                                   << u"total"_s;
        QTest::addRow("support performance") << u"analyze_support_performance"_s << QJsonObject {} << u"opened"_s;
        QTest::addRow("support csat") << u"analyze_support_performance"_s << QJsonObject {} << u"csat.percent"_s;
        QTest::addRow("templates") << u"send_personalized_email"_s << action(u"list_templates"_s) << u"total"_s;
        QTest::addRow("workflows") << u"automate_communications"_s << action(u"list"_s) << u"total"_s;
        QTest::addRow("run workflows") << u"automate_communications"_s << action(u"run"_s) << u"total"_s;
        QTest::addRow("community") << u"manage_community"_s << action(u"stats"_s) << u"stats.has_data"_s;
        QTest::addRow("community answer rate") << u"manage_community"_s << action(u"stats"_s) << u"stats.answer_rate"_s;
        QTest::addRow("advocacy") << u"manage_advocacy_program"_s << action(u"summary"_s) << u"summary.has_data"_s;
        QTest::addRow("reviews") << u"conduct_executive_review"_s << action(u"list"_s) << u"total"_s;
        QTest::addRow("newsletters") << u"automate_newsletters"_s << action(u"list"_s) << u"total"_s;
    }

    void emptyPortfolio()
    {
        QFETCH(QString, tool);
        QFETCH(QJsonObject, args);
        QFETCH(QString, path);
        auto h = makeHarness();
        QVERIFY(h->isReady());
        const auto outcome = h->call(tool, args);
        CS_VERIFY_TOOL_OK(outcome);
        const QJsonValue value = at(outcome.structured, path);
        QVERIFY2(value.isNull() || value == QJsonValue(false) || value == QJsonValue(0),
            qPrintable(ToolHarness::dump(outcome.structured)));
    }

    void emptyPortfolioUnknownCustomer_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QJsonObject>("args");
        QTest::addRow("email") << u"send_personalized_email"_s
                               << QJsonObject { { u"customer_id"_s, u"nobody"_s }, { u"subject"_s, u"Hi"_s },
                                      { u"body"_s, u"Hello"_s } };
        QTest::addRow("ticket") << u"handle_support_ticket"_s
                                << QJsonObject { { u"action"_s, u"create"_s }, { u"customer_id"_s, u"nobody"_s },
                                       { u"subject"_s, u"Broken"_s } };
        QTest::addRow("brief") << u"conduct_executive_review"_s
                               << QJsonObject { { u"action"_s, u"brief"_s }, { u"customer_id"_s, u"nobody"_s } };
        QTest::addRow("portal") << u"manage_customer_portal"_s << QJsonObject { { u"customer_id"_s, u"nobody"_s } };
        QTest::addRow("support") << u"analyze_support_performance"_s
                                 << QJsonObject { { u"customer_id"_s, u"nobody"_s } };
    }

    void emptyPortfolioUnknownCustomer()
    {
        QFETCH(QString, tool);
        QFETCH(QJsonObject, args);
        auto h = makeHarness();
        QVERIFY(h->isReady());
        const auto outcome = h->call(tool, args);
        QVERIFY2(!outcome.ok, qPrintable(ToolHarness::dump(outcome.structured)));
        QCOMPARE(outcome.error.code, Core::ErrorCode::NotFound);
        QCOMPARE(outcome.error.field, u"customer_id"_s);
    }

    // (c) bad arguments name the field.
    void badArguments_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QJsonObject>("args");
        QTest::addColumn<QString>("field");
        QTest::addRow("bad kind") << u"get_worker_config"_s << QJsonObject { { u"kind"_s, u"cpu"_s } } << u"kind"_s;
        QTest::addRow("missing kind") << u"trigger_worker_now"_s << QJsonObject {} << u"kind"_s;
        QTest::addRow("schedule range") << u"configure_autonomous_worker"_s
                                        << QJsonObject { { u"kind"_s, u"sla"_s }, { u"schedule_minutes"_s, 0 } }
                                        << u"schedule_minutes"_s;
        QTest::addRow("nothing to configure")
            << u"configure_autonomous_worker"_s << QJsonObject { { u"kind"_s, u"sla"_s } } << u"enabled"_s;
        QTest::addRow("unknown threshold")
            << u"configure_autonomous_worker"_s
            << QJsonObject { { u"kind"_s, u"churn_risk"_s }, { u"config"_s, QJsonObject { { u"colour"_s, 1 } } } }
            << u"config.colour"_s;
        QTest::addRow("enabled type") << u"configure_autonomous_worker"_s
                                      << QJsonObject { { u"kind"_s, u"sla"_s }, { u"enabled"_s, u"yes"_s } }
                                      << u"enabled"_s;
        QTest::addRow("alert status") << u"get_autonomous_status"_s << QJsonObject { { u"alert_status"_s, u"gone"_s } }
                                      << u"alert_status"_s;
        QTest::addRow("limit") << u"list_available_workers"_s << QJsonObject { { u"limit"_s, 0 } } << u"limit"_s;
        QTest::addRow("unknown property")
            << u"handle_support_ticket"_s << QJsonObject { { u"action"_s, u"list"_s }, { u"colour"_s, 1 } }
            << u"colour"_s;
        QTest::addRow("ticket action") << u"handle_support_ticket"_s << QJsonObject { { u"action"_s, u"delete"_s } }
                                       << u"action"_s;
        QTest::addRow("ticket subject") << u"handle_support_ticket"_s
                                        << QJsonObject { { u"action"_s, u"create"_s }, { u"customer_id"_s, u"c1"_s } }
                                        << u"subject"_s;
        QTest::addRow("ticket id") << u"handle_support_ticket"_s << QJsonObject { { u"action"_s, u"resolve"_s } }
                                   << u"ticket_id"_s;
        QTest::addRow("csat range") << u"handle_support_ticket"_s
                                    << QJsonObject { { u"action"_s, u"rate"_s }, { u"ticket_id"_s, 1 },
                                           { u"csat"_s, 6 } }
                                    << u"csat"_s;
        QTest::addRow("priority enum") << u"handle_support_ticket"_s
                                       << QJsonObject { { u"action"_s, u"list"_s }, { u"priority"_s, u"urgent"_s } }
                                       << u"priority"_s;
        QTest::addRow("kb query") << u"manage_knowledge_base"_s << QJsonObject { { u"action"_s, u"search"_s } }
                                  << u"query"_s;
        QTest::addRow("kb slug") << u"update_knowledge_base"_s
                                 << QJsonObject { { u"action"_s, u"create"_s }, { u"slug"_s, u"Bad Slug"_s },
                                        { u"title"_s, u"t"_s }, { u"body"_s, u"b"_s } }
                                 << u"slug"_s;
        QTest::addRow("kb version") << u"update_knowledge_base"_s
                                    << QJsonObject { { u"action"_s, u"publish"_s }, { u"article_id"_s, 1 } }
                                    << u"version"_s;
        QTest::addRow("bad date") << u"analyze_support_performance"_s << QJsonObject { { u"from"_s, u"yesterday"_s } }
                                  << u"from"_s;
        QTest::addRow("to before from") << u"analyze_support_performance"_s
                                        << QJsonObject { { u"from"_s, u"2026-05-01"_s }, { u"to"_s, u"2026-04-01"_s } }
                                        << u"to"_s;
        QTest::addRow("sla priority") << u"manage_sla"_s << QJsonObject { { u"action"_s, u"update_policy"_s } }
                                      << u"priority"_s;
        QTest::addRow("sla nothing to change")
            << u"manage_sla"_s << QJsonObject { { u"action"_s, u"update_schedule"_s } } << u"weekly_hours"_s;
        QTest::addRow("sla zone") << u"manage_sla"_s
                                  << QJsonObject { { u"action"_s, u"update_schedule"_s },
                                         { u"time_zone"_s, u"Europe/Atlantis"_s } }
                                  << u"time_zone"_s;
        QTest::addRow("sla ratio") << u"manage_sla"_s
                                   << QJsonObject { { u"action"_s, u"update_policy"_s }, { u"priority"_s, u"p1"_s },
                                          { u"at_risk_ratio"_s, 1.5 } }
                                   << u"at_risk_ratio"_s;
        QTest::addRow("holiday name") << u"manage_sla"_s
                                      << QJsonObject { { u"action"_s, u"add_holiday"_s },
                                             { u"date"_s, u"2026-12-24"_s } }
                                      << u"name"_s;
        QTest::addRow("portal customer") << u"manage_customer_portal"_s << QJsonObject {} << u"customer_id"_s;
        QTest::addRow("email body") << u"send_personalized_email"_s
                                    << QJsonObject { { u"customer_id"_s, u"c1"_s }, { u"subject"_s, u"Hi"_s } }
                                    << u"body"_s;
        QTest::addRow("email role") << u"send_personalized_email"_s
                                    << QJsonObject { { u"customer_id"_s, u"c1"_s }, { u"recipient_role"_s, u"ceo"_s } }
                                    << u"recipient_role"_s;
        QTest::addRow("workflow fields") << u"automate_communications"_s
                                         << QJsonObject { { u"action"_s, u"create"_s }, { u"name"_s, u"w"_s } }
                                         << u"trigger"_s;
        QTest::addRow("contribution kind") << u"manage_advocacy_program"_s
                                           << QJsonObject { { u"action"_s, u"record_contribution"_s },
                                                  { u"advocate_id"_s, 1 }, { u"kind"_s, u"tweet"_s } }
                                           << u"kind"_s;
        QTest::addRow("review time") << u"conduct_executive_review"_s
                                     << QJsonObject { { u"action"_s, u"schedule"_s }, { u"customer_id"_s, u"c1"_s },
                                            { u"title"_s, u"QBR"_s }, { u"scheduled_for"_s, u"soon"_s } }
                                     << u"scheduled_for"_s;
        QTest::addRow("edition id") << u"automate_newsletters"_s << QJsonObject { { u"action"_s, u"send_edition"_s } }
                                    << u"edition_id"_s;
        QTest::addRow("community handle")
            << u"manage_community"_s << QJsonObject { { u"action"_s, u"add_member"_s }, { u"customer_id"_s, u"c1"_s } }
            << u"handle"_s;
    }

    void badArguments()
    {
        QFETCH(QString, tool);
        QFETCH(QJsonObject, args);
        QFETCH(QString, field);
        const auto outcome = demo().call(tool, args);
        QVERIFY2(!outcome.ok, qPrintable(ToolHarness::dump(outcome.structured)));
        QCOMPARE(outcome.error.code, Core::ErrorCode::InvalidArgument);
        QCOMPARE(outcome.error.field, field);
    }

    // (b) the tool's numbers are the service's numbers.
    void supportPerformanceMatchesService()
    {
        auto performance = demo().services->support().supportPerformance(kToday.addDays(-89), kToday);
        QVERIFY(performance.ok());
        QVERIFY2(performance->opened > 0, "the demo portfolio has tickets");
        const auto outcome = demo().call(u"analyze_support_performance"_s, {});
        CS_VERIFY_TOOL_OK(outcome);
        const QJsonObject &s = outcome.structured;
        QCOMPARE(s[u"opened"_s].toInt(), performance->opened);
        QCOMPARE(s[u"resolved"_s].toInt(), performance->resolved);
        QCOMPARE(s[u"backlog_total"_s].toInt(), performance->backlogTotal);
        QCOMPARE(at(s, u"first_response_sla.met"_s).toInt(), performance->firstResponse.met);
        QCOMPARE(at(s, u"csat.rated"_s).toInt(), performance->csat.rated);
        QCOMPARE(s[u"weekly"_s].toArray().size(), performance->weekly.size());
    }

    void ticketListMatchesService()
    {
        Storage::ListQuery query;
        query.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq, u"open"_s };
        auto page = demo().services->support().listTickets(query);
        QVERIFY(page.ok());
        const auto outcome
            = demo().call(u"handle_support_ticket"_s, { { u"action"_s, u"list"_s }, { u"status"_s, u"open"_s } });
        CS_VERIFY_TOOL_OK(outcome);
        QCOMPARE(outcome.structured[u"total"_s].toInteger(), page->total);
    }

    void executiveBriefMatchesService()
    {
        auto brief = demo().services->communication().brief(m_customer);
        QVERIFY(brief.ok());
        const auto outcome = demo().call(
            u"conduct_executive_review"_s, { { u"action"_s, u"brief"_s }, { u"customer_id"_s, m_customer } });
        CS_VERIFY_TOOL_OK(outcome);
        QCOMPARE(at(outcome.structured, u"brief"_s).toObject(), QJsonObject::fromVariantMap(brief->toMap()));
    }

    void workersMatchService()
    {
        const auto outcome = demo().call(u"list_available_workers"_s, {});
        CS_VERIFY_TOOL_OK(outcome);
        const auto definitions = Core::Monitors::definitions();
        QCOMPARE(outcome.structured[u"total"_s].toInt(), definitions.size());
        QCOMPARE(definitions.size(), 7);
        const QJsonArray items = outcome.structured[u"items"_s].toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            QCOMPARE(items.at(i)[u"kind"_s].toString(), Domain::enumName(definitions.at(i).kind));
            QCOMPARE(items.at(i)[u"default_config"_s].toObject(),
                QJsonObject::fromVariantMap(definitions.at(i).defaultConfig));
        }
    }

    void triggerWorkerAndStatus_data()
    {
        QTest::addColumn<QString>("kind");
        for (const QString &kind : Domain::enumValues<Domain::MonitorKind>())
            QTest::addRow("%s", qPrintable(kind)) << kind;
    }

    void triggerWorkerAndStatus()
    {
        QFETCH(QString, kind);
        demo().progress.clear();
        const auto outcome = demo().call(u"trigger_worker_now"_s, { { u"kind"_s, kind } });
        CS_VERIFY_TOOL_OK(outcome);
        QVERIFY(!demo().progress.isEmpty());
        QCOMPARE(demo().progress.constLast().done, demo().progress.constLast().total);
        const QJsonObject &s = outcome.structured;
        const auto monitorKind = *Domain::enumFromString<Domain::MonitorKind>(kind);
        // The run is stored, and the alerts it raised are the service's.
        auto runs = demo().services->monitors().runs(monitorKind, 1);
        QVERIFY(runs.ok() && !runs->items.isEmpty());
        QCOMPARE(at(s, u"run.run_id"_s).toInteger(), runs->items.first().id);
        QCOMPARE(at(s, u"run.alerts_raised"_s).toInt(), runs->items.first().alertsRaised);
        QCOMPARE(s[u"alerts_raised"_s].toInt(), runs->items.first().alertsRaised);
        Core::AlertQuery query;
        query.monitorKind = monitorKind;
        query.limit = 200;
        auto alerts = demo().services->monitors().alerts(query);
        QVERIFY(alerts.ok());
        for (const QJsonValue &alert : s[u"alerts"_s].toArray()) {
            auto stored = demo().services->monitors().alert(alert[u"alert_id"_s].toInteger());
            QVERIFY(stored.ok());
            QCOMPARE(stored->title, alert[u"title"_s].toString());
        }
        const auto status = demo().call(u"get_autonomous_status"_s, { { u"kind"_s, kind }, { u"limit"_s, 200 } });
        CS_VERIFY_TOOL_OK(status);
        QCOMPARE(status.structured[u"total"_s].toInteger(), alerts->total);
        QCOMPARE(status.structured[u"monitors"_s].toArray().size(), 7);
        // A second run at once finds the same things: they are suppressed, not raised again.
        const auto again = demo().call(u"trigger_worker_now"_s, { { u"kind"_s, kind } });
        CS_VERIFY_TOOL_OK(again);
        QCOMPARE(again.structured[u"alerts_raised"_s].toInt(), 0);
    }

    void triggerWorkerCancelled()
    {
        demo().cancelRequested = true;
        const auto outcome = demo().call(u"trigger_worker_now"_s, { { u"kind"_s, u"sla"_s } });
        demo().cancelRequested = false;
        QVERIFY(!outcome.ok);
        QCOMPARE(outcome.error.code, Core::ErrorCode::Cancelled);
    }

    // (d) writes, read back through the services.
    void configureWorker()
    {
        const auto outcome = demo().call(u"configure_autonomous_worker"_s,
            { { u"kind"_s, u"churn_risk"_s }, { u"enabled"_s, false }, { u"schedule_minutes"_s, 120 },
                { u"config"_s, QJsonObject { { u"threshold"_s, 0.6 } } } });
        CS_VERIFY_TOOL_OK(outcome);
        auto stored = demo().services->monitors().monitor(Domain::MonitorKind::ChurnRisk);
        QVERIFY(stored.ok());
        QVERIFY(!stored->monitor.isEnabled);
        QCOMPARE(stored->monitor.scheduleMinutes, 120);
        QCOMPARE(stored->effectiveConfig.value(u"threshold"_s).toDouble(), 0.6);
        const auto config = demo().call(u"get_worker_config"_s, { { u"kind"_s, u"churn_risk"_s } });
        CS_VERIFY_TOOL_OK(config);
        QCOMPARE(config.structured[u"enabled"_s].toBool(), false);
        QCOMPARE(at(config.structured, u"config.threshold"_s).toDouble(), 0.6);
        const auto bad = demo().call(u"configure_autonomous_worker"_s,
            { { u"kind"_s, u"churn_risk"_s }, { u"config"_s, QJsonObject { { u"threshold"_s, 2 } } } });
        QVERIFY(!bad.ok);
        QCOMPARE(bad.error.field, u"config.threshold"_s);
    }

    void sendEmailQueuesOutbox()
    {
        const auto outcome = demo().call(u"send_personalized_email"_s,
            { { u"customer_id"_s, m_customer }, { u"contact_ids"_s, QJsonArray { m_contact } },
                { u"subject"_s, u"Hello {{contact.first_name}}"_s },
                { u"body"_s, u"Your renewal for {{customer.name}}: {{offer}}"_s },
                { u"variables"_s, QJsonObject { { u"offer"_s, u"a review call"_s } } },
                { u"request_key"_s, u"tst-email-1"_s } });
        CS_VERIFY_TOOL_OK(outcome);
        QCOMPARE(outcome.structured[u"queued"_s].toInt(), 1);
        const QJsonObject message = outcome.structured[u"messages"_s].toArray().first().toObject();
        QCOMPARE(message[u"contact_id"_s].toInteger(), m_contact);
        QVERIFY(!message[u"subject"_s].toString().contains(u"{{"_s));
        const QStringList row = outboxRow(message[u"outbox_key"_s].toString());
        QCOMPARE(row, (QStringList { u"email"_s, u"sendgrid"_s, u"pending"_s, m_customer }));
        Core::CommunicationListQuery query;
        query.customerId = m_customer;
        auto sent = demo().services->communication().listCommunications(query);
        QVERIFY(sent.ok());
        QCOMPARE(sent->items.first().id, message[u"communication_id"_s].toInteger());
        // The same request key queues nothing twice.
        const auto again = demo().call(u"send_personalized_email"_s,
            { { u"customer_id"_s, m_customer }, { u"contact_ids"_s, QJsonArray { m_contact } },
                { u"subject"_s, u"Hello {{contact.first_name}}"_s },
                { u"body"_s, u"Your renewal for {{customer.name}}: {{offer}}"_s },
                { u"variables"_s, QJsonObject { { u"offer"_s, u"a review call"_s } } },
                { u"request_key"_s, u"tst-email-1"_s } });
        CS_VERIFY_TOOL_OK(again);
        QCOMPARE(again.structured[u"queued"_s].toInt(), 0);
        QCOMPARE(again.structured[u"already_queued"_s].toInt(), 1);
        // An unknown placeholder is refused, naming it; nothing is queued.
        const auto bad = demo().call(u"send_personalized_email"_s,
            { { u"customer_id"_s, m_customer }, { u"subject"_s, u"Hi {{nickname}}"_s }, { u"body"_s, u"x"_s } });
        QVERIFY(!bad.ok);
        QCOMPARE(bad.error.code, Core::ErrorCode::InvalidArgument);
    }

    void ticketLifecycle()
    {
        const auto created = demo().call(u"handle_support_ticket"_s,
            { { u"action"_s, u"create"_s }, { u"customer_id"_s, m_customer }, { u"subject"_s, u"Export fails"_s },
                { u"priority"_s, u"p1"_s }, { u"tags"_s, QJsonArray { u"export"_s } } });
        CS_VERIFY_TOOL_OK(created);
        // The app's services run without a Zendesk account here: nothing is mirrored, and the tool says so.
        QCOMPARE(created.structured[u"mirrored_to_zendesk"_s].toBool(), false);
        const qint64 id = at(created.structured, u"ticket.ticket_id"_s).toInteger();
        auto stored = demo().services->support().ticket(id);
        QVERIFY(stored.ok());
        QCOMPARE(stored->ticket.subject, u"Export fails"_s);
        QCOMPARE(stored->ticket.priority, Domain::TicketPriority::P1);

        const auto comment = demo().call(u"handle_support_ticket"_s,
            { { u"action"_s, u"comment"_s }, { u"ticket_id"_s, id }, { u"body"_s, u"Looking"_s } });
        CS_VERIFY_TOOL_OK(comment);
        QCOMPARE(at(comment.structured, u"ticket.comment_count"_s).toInt(), 1);
        const auto resolved = demo().call(u"handle_support_ticket"_s,
            { { u"action"_s, u"resolve"_s }, { u"ticket_id"_s, id }, { u"note"_s, u"Fixed"_s } });
        CS_VERIFY_TOOL_OK(resolved);
        const auto rated = demo().call(
            u"handle_support_ticket"_s, { { u"action"_s, u"rate"_s }, { u"ticket_id"_s, id }, { u"csat"_s, 5 } });
        CS_VERIFY_TOOL_OK(rated);
        const auto closed
            = demo().call(u"handle_support_ticket"_s, { { u"action"_s, u"close"_s }, { u"ticket_id"_s, id } });
        CS_VERIFY_TOOL_OK(closed);
        stored = demo().services->support().ticket(id);
        QVERIFY(stored.ok());
        QCOMPARE(stored->ticket.status, Domain::TicketStatus::Closed);
        QCOMPARE(stored->ticket.csat, std::optional<int>(5));
        QCOMPARE(stored->commentCount, 2); // the comment and the resolution note
        // Closed tickets are read-only: the service refuses, the tool passes that on.
        const auto reopen
            = demo().call(u"handle_support_ticket"_s, { { u"action"_s, u"reopen"_s }, { u"ticket_id"_s, id } });
        QVERIFY(!reopen.ok);
        const auto missing
            = demo().call(u"handle_support_ticket"_s, { { u"action"_s, u"get"_s }, { u"ticket_id"_s, 99999999 } });
        QCOMPARE(missing.error.code, Core::ErrorCode::NotFound);
    }

    void manageSla()
    {
        Core::SupportService &support = demo().services->support();
        const auto got = demo().call(u"manage_sla"_s, {});
        CS_VERIFY_TOOL_OK(got);
        auto policies = support.slaPolicies();
        QVERIFY(policies.ok());
        QCOMPARE(got.structured[u"policies"_s].toArray().size(), policies->size());
        const QJsonObject p0 = got.structured[u"policies"_s].toArray().at(0).toObject();
        QCOMPARE(p0[u"resolution_minutes"_s].toInt(), policies->at(0).resolutionMinutes);

        // a split business day in Berlin: 3 h + 4 h on five days
        QJsonArray hours;
        for (int day = 1; day <= 5; ++day) {
            hours.append(QJsonObject { { u"weekday"_s, day }, { u"start"_s, u"09:00"_s }, { u"end"_s, u"12:00"_s } });
            hours.append(QJsonObject { { u"weekday"_s, day }, { u"start"_s, u"13:00"_s }, { u"end"_s, u"17:00"_s } });
        }
        const auto set = demo().call(u"manage_sla"_s,
            { { u"action"_s, u"update_schedule"_s }, { u"time_zone"_s, u"Europe/Berlin"_s },
                { u"weekly_hours"_s, hours } });
        CS_VERIFY_TOOL_OK(set);
        QCOMPARE(at(set.structured, u"schedule.weekly_working_minutes"_s).toInt(), 5 * 420);
        auto schedule = support.supportSchedule();
        QVERIFY(schedule.ok() && *schedule);
        QCOMPARE((*schedule)->timeZone, u"Europe/Berlin"_s);
        QCOMPARE((*schedule)->weeklyHours.size(), 10);
        QCOMPARE((*schedule)->weeklyHours.at(1).startMinute, 13 * 60);

        // p4 on business hours: every open p4 ticket gets new due times (3 calendar days are not 9 working days)
        auto openP4 = Storage::exec(demo().db.db(),
            u"SELECT COUNT(*) FROM support_tickets WHERE deleted_at IS NULL AND priority = 'p4' AND status IN "
            u"('new', 'open', 'pending', 'on_hold')"_s);
        QVERIFY(openP4.ok() && openP4->next());
        QVERIFY2(openP4->value(0).toInt() > 0, "the demo portfolio has open p4 tickets");
        const auto policy = demo().call(u"manage_sla"_s,
            { { u"action"_s, u"update_policy"_s }, { u"priority"_s, u"p4"_s }, { u"business_hours_only"_s, true } });
        CS_VERIFY_TOOL_OK(policy);
        QCOMPARE(policy.structured[u"restamped_tickets"_s].toInt(), openP4->value(0).toInt());
        QCOMPARE(at(policy.structured, u"policy.business_hours_only"_s).toBool(), true);
        QVERIFY(support.slaPolicies()->at(4).businessHoursOnly);
        QCOMPARE(*support.restampOpenTickets({ Domain::TicketPriority::P4 }), 0); // all up to date

        const auto added = demo().call(u"manage_sla"_s,
            { { u"action"_s, u"add_holiday"_s }, { u"date"_s, u"2026-12-24"_s }, { u"name"_s, u"Christmas Eve"_s } });
        CS_VERIFY_TOOL_OK(added);
        QCOMPARE(at(added.structured, u"schedule.holidays"_s).toArray().size(), 1);
        QCOMPARE((*support.supportSchedule())->holidays.at(0).date, QDate(2026, 12, 24));
        const auto twice = demo().call(u"manage_sla"_s,
            { { u"action"_s, u"add_holiday"_s }, { u"date"_s, u"2026-12-24"_s }, { u"name"_s, u"Again"_s } });
        QVERIFY(!twice.ok);
        QCOMPARE(twice.error.field, u"date"_s);
        const auto removed
            = demo().call(u"manage_sla"_s, { { u"action"_s, u"remove_holiday"_s }, { u"date"_s, u"2026-12-24"_s } });
        CS_VERIFY_TOOL_OK(removed);
        QVERIFY((*support.supportSchedule())->holidays.isEmpty());

        // the service's rules, with the field named
        const auto backwards = demo().call(u"manage_sla"_s,
            { { u"action"_s, u"update_schedule"_s },
                { u"weekly_hours"_s,
                    QJsonArray { QJsonObject {
                        { u"weekday"_s, 1 }, { u"start"_s, u"17:00"_s }, { u"end"_s, u"09:00"_s } } } } });
        QVERIFY(!backwards.ok);
        QCOMPARE(backwards.error.field, u"weekly_hours"_s);
        const auto badTime = demo().call(u"manage_sla"_s,
            { { u"action"_s, u"update_schedule"_s },
                { u"weekly_hours"_s,
                    QJsonArray {
                        QJsonObject { { u"weekday"_s, 1 }, { u"start"_s, u"9am"_s }, { u"end"_s, u"17:00"_s } } } } });
        QVERIFY(!badTime.ok);
        QCOMPARE(badTime.error.code, Core::ErrorCode::InvalidArgument);
        QVERIFY2(badTime.error.field.startsWith(u"weekly_hours"_s), qPrintable(badTime.error.field));
        const auto shortResolution = demo().call(u"manage_sla"_s,
            { { u"action"_s, u"update_policy"_s }, { u"priority"_s, u"p4"_s }, { u"first_response_minutes"_s, 9000 } });
        QVERIFY(!shortResolution.ok);
        QCOMPARE(shortResolution.error.field, u"resolution_minutes"_s);

        // back to calendar time for the other tests
        CS_VERIFY_TOOL_OK(demo().call(u"manage_sla"_s,
            { { u"action"_s, u"update_policy"_s }, { u"priority"_s, u"p4"_s }, { u"business_hours_only"_s, false } }));
    }

    void routingRules()
    {
        const auto rule = demo().call(u"route_tickets"_s,
            { { u"action"_s, u"create_rule"_s }, { u"name"_s, u"Exports to data team"_s },
                { u"conditions"_s, QJsonObject { { u"text_contains"_s, u"export"_s } } },
                { u"target_team"_s, u"data"_s } });
        CS_VERIFY_TOOL_OK(rule);
        auto rules = demo().services->support().routingRules();
        QVERIFY(rules.ok());
        QCOMPARE(rules->constLast().name, u"Exports to data team"_s);
        const auto created = demo().call(u"handle_support_ticket"_s,
            { { u"action"_s, u"create"_s }, { u"customer_id"_s, m_customer },
                { u"subject"_s, u"CSV export is empty"_s } });
        CS_VERIFY_TOOL_OK(created);
        QCOMPARE(created.structured[u"routed_by_rule"_s].toString(), u"Exports to data team"_s);
        const qint64 id = at(created.structured, u"ticket.ticket_id"_s).toInteger();
        auto stored = demo().services->support().ticket(id);
        QVERIFY(stored.ok());
        QCOMPARE(stored->ticket.assignedTeam, u"data"_s);
        const auto dryRun = demo().call(
            u"route_tickets"_s, { { u"action"_s, u"route"_s }, { u"ticket_id"_s, id }, { u"apply"_s, false } });
        CS_VERIFY_TOOL_OK(dryRun);
        QCOMPARE(dryRun.structured[u"routed"_s].toInt(), 1);
    }

    void knowledgeBase()
    {
        const auto created = demo().call(u"update_knowledge_base"_s,
            { { u"action"_s, u"create"_s }, { u"slug"_s, u"reset-sso"_s },
                { u"title"_s, u"Resetting single sign-on"_s },
                { u"body"_s, u"How to reset the SAML configuration of your workspace."_s },
                { u"tags"_s, QJsonArray { u"sso"_s } } });
        CS_VERIFY_TOOL_OK(created);
        const qint64 id = at(created.structured, u"article.article_id"_s).toInteger();
        const int version = at(created.structured, u"article.version"_s).toInt();
        // A draft is not found by default.
        const auto draftSearch
            = demo().call(u"manage_knowledge_base"_s, { { u"action"_s, u"search"_s }, { u"query"_s, u"SAML"_s } });
        CS_VERIFY_TOOL_OK(draftSearch);
        QCOMPARE(draftSearch.structured[u"total"_s].toInt(), 0);
        const auto published = demo().call(u"update_knowledge_base"_s,
            { { u"action"_s, u"publish"_s }, { u"article_id"_s, id }, { u"version"_s, version } });
        CS_VERIFY_TOOL_OK(published);
        auto stored = demo().services->support().article(id);
        QVERIFY(stored.ok());
        QCOMPARE(stored->status, Domain::KbArticleStatus::Published);
        QVERIFY(stored->publishedAt.isValid());
        // A stale version is a conflict.
        const auto stale = demo().call(u"update_knowledge_base"_s,
            { { u"action"_s, u"archive"_s }, { u"article_id"_s, id }, { u"version"_s, version } });
        QCOMPARE(stale.error.code, Core::ErrorCode::Conflict);
        auto found = demo().services->support().searchArticles(u"SAML"_s);
        QVERIFY(found.ok());
        const auto search
            = demo().call(u"manage_knowledge_base"_s, { { u"action"_s, u"search"_s }, { u"query"_s, u"SAML"_s } });
        CS_VERIFY_TOOL_OK(search);
        QCOMPARE(search.structured[u"total"_s].toInt(), found->size());
        QCOMPARE(search.structured[u"items"_s].toArray().first()[u"article_id"_s].toInteger(), id);
        const auto vote = demo().call(u"update_knowledge_base"_s,
            { { u"action"_s, u"vote"_s }, { u"article_id"_s, id }, { u"helpful"_s, true } });
        CS_VERIFY_TOOL_OK(vote);
        QCOMPARE(demo().services->support().article(id)->helpfulVotes, 1);
    }

    void customerPortal()
    {
        const auto empty = demo().call(u"manage_customer_portal"_s, { { u"customer_id"_s, m_customer } });
        CS_VERIFY_TOOL_OK(empty);
        QCOMPARE(empty.structured[u"configured"_s].toBool(), false);
        const auto configured = demo().call(u"manage_customer_portal"_s,
            { { u"action"_s, u"configure"_s }, { u"customer_id"_s, m_customer },
                { u"features"_s, QJsonObject { { u"tickets"_s, true } } },
                { u"branding"_s, QJsonObject { { u"primary_color"_s, u"#0055aa"_s } } } });
        CS_VERIFY_TOOL_OK(configured);
        auto stored = demo().services->support().portalSettings(m_customer);
        QVERIFY(stored.ok() && stored->has_value());
        QCOMPARE((*stored)->features.value(u"tickets"_s).toBool(), true);
        QCOMPARE((*stored)->branding.value(u"primary_color"_s).toString(), u"#0055aa"_s);
        const auto noVersion = demo().call(u"manage_customer_portal"_s,
            { { u"action"_s, u"configure"_s }, { u"customer_id"_s, m_customer }, { u"enabled"_s, false } });
        QCOMPARE(noVersion.error.field, u"version"_s);
        const auto merged = demo().call(u"manage_customer_portal"_s,
            { { u"action"_s, u"configure"_s }, { u"customer_id"_s, m_customer },
                { u"features"_s, QJsonObject { { u"knowledge_base"_s, false } } },
                { u"version"_s, configured.structured[u"version"_s].toInt() } });
        CS_VERIFY_TOOL_OK(merged);
        stored = demo().services->support().portalSettings(m_customer);
        QCOMPARE((*stored)->features.size(), 2);
    }

    void workflows()
    {
        const auto created = demo().call(u"automate_communications"_s,
            { { u"action"_s, u"create"_s }, { u"name"_s, u"Detractor follow-up"_s },
                { u"trigger"_s, QJsonObject { { u"signal"_s, u"detractor"_s } } },
                { u"actions"_s,
                    QJsonArray { QJsonObject { { u"type"_s, u"create_task"_s }, { u"title"_s, u"Call them"_s } } } } });
        CS_VERIFY_TOOL_OK(created);
        const qint64 id = at(created.structured, u"workflow.workflow_id"_s).toInteger();
        auto stored = demo().services->communication().workflow(id);
        QVERIFY(stored.ok());
        QVERIFY(!stored->isActive);
        const auto enabled
            = demo().call(u"automate_communications"_s, { { u"action"_s, u"enable"_s }, { u"workflow_id"_s, id } });
        CS_VERIFY_TOOL_OK(enabled);
        QVERIFY(demo().services->communication().workflow(id)->isActive);
        const auto run
            = demo().call(u"automate_communications"_s, { { u"action"_s, u"run"_s }, { u"workflow_id"_s, id } });
        CS_VERIFY_TOOL_OK(run);
        const QJsonObject result = run.structured[u"items"_s].toArray().first().toObject();
        QCOMPARE(result[u"workflow_id"_s].toInteger(), id);
        QCOMPARE(
            result[u"fired"_s].toInt(), result[u"actions_performed"_s].toInt() + result[u"actions_failed"_s].toInt());
        const auto bad = demo().call(u"automate_communications"_s,
            { { u"action"_s, u"create"_s }, { u"name"_s, u"x"_s },
                { u"trigger"_s, QJsonObject { { u"signal"_s, u"full_moon"_s } } },
                { u"actions"_s, QJsonArray { QJsonObject { { u"type"_s, u"create_task"_s } } } } });
        QVERIFY(!bad.ok);
        QVERIFY(bad.error.field.startsWith(u"trigger"_s));
    }

    void advocacy()
    {
        const auto added = demo().call(u"manage_advocacy_program"_s,
            { { u"action"_s, u"add"_s }, { u"customer_id"_s, m_customer }, { u"contact_id"_s, m_contact } });
        CS_VERIFY_TOOL_OK(added);
        const qint64 id = at(added.structured, u"advocate.advocate_id"_s).toInteger();
        for (const QString &kind : { u"case_study"_s, u"referral"_s }) {
            const auto recorded = demo().call(u"manage_advocacy_program"_s,
                { { u"action"_s, u"record_contribution"_s }, { u"advocate_id"_s, id }, { u"kind"_s, kind } });
            CS_VERIFY_TOOL_OK(recorded);
        }
        auto stored = demo().services->communication().advocate(id);
        QVERIFY(stored.ok());
        QCOMPARE(stored->advocate.points, 175);
        QCOMPARE(stored->advocate.tier, Domain::AdvocateTier::Silver);
        const auto get
            = demo().call(u"manage_advocacy_program"_s, { { u"action"_s, u"get"_s }, { u"advocate_id"_s, id } });
        CS_VERIFY_TOOL_OK(get);
        QCOMPARE(at(get.structured, u"advocate.points"_s).toInt(), 175);
        QCOMPARE(at(get.structured, u"advocate.points_to_next_tier"_s).toInt(), stored->pointsToNextTier);
        auto summary = demo().services->communication().advocacySummary();
        QVERIFY(summary.ok());
        const auto tool = demo().call(u"manage_advocacy_program"_s, { { u"action"_s, u"summary"_s } });
        CS_VERIFY_TOOL_OK(tool);
        QCOMPARE(at(tool.structured, u"summary.total_points"_s).toInteger(), summary->totalPoints);
    }

    void community()
    {
        const auto member = demo().call(u"manage_community"_s,
            { { u"action"_s, u"add_member"_s }, { u"customer_id"_s, m_customer }, { u"handle"_s, u"tst-member"_s } });
        CS_VERIFY_TOOL_OK(member);
        const qint64 id = at(member.structured, u"member.member_id"_s).toInteger();
        const auto post = demo().call(u"manage_community"_s,
            { { u"action"_s, u"create_post"_s }, { u"member_id"_s, id }, { u"title"_s, u"How do I export?"_s },
                { u"kind"_s, u"question"_s } });
        CS_VERIFY_TOOL_OK(post);
        const auto banned = demo().call(u"manage_community"_s,
            { { u"action"_s, u"update_member"_s }, { u"member_id"_s, id }, { u"member_status"_s, u"banned"_s },
                { u"version"_s, at(member.structured, u"member.version"_s) } });
        CS_VERIFY_TOOL_OK(banned);
        auto stored = demo().services->communication().member(id);
        QVERIFY(stored.ok());
        QCOMPARE(stored->status, Domain::CommunityMemberStatus::Banned);
        QCOMPARE(stored->handle, u"tst-member"_s);
        auto stats = demo().services->communication().communityStats();
        QVERIFY(stats.ok());
        const auto tool = demo().call(u"manage_community"_s, { { u"action"_s, u"stats"_s } });
        CS_VERIFY_TOOL_OK(tool);
        QCOMPARE(at(tool.structured, u"stats.questions"_s).toInteger(), stats->questions);
        QVERIFY(stats->questions >= 1);
    }

    void executiveReview()
    {
        const auto scheduled = demo().call(u"conduct_executive_review"_s,
            { { u"action"_s, u"schedule"_s }, { u"customer_id"_s, m_customer }, { u"title"_s, u"Q3 EBR"_s },
                { u"scheduled_for"_s, u"2026-07-01T15:00:00Z"_s },
                { u"agenda"_s, QJsonArray { u"adoption"_s, u"renewal"_s } } });
        CS_VERIFY_TOOL_OK(scheduled);
        const qint64 id = at(scheduled.structured, u"review.review_id"_s).toInteger();
        const auto prepared
            = demo().call(u"conduct_executive_review"_s, { { u"action"_s, u"prepare"_s }, { u"review_id"_s, id } });
        CS_VERIFY_TOOL_OK(prepared);
        auto stored = demo().services->communication().review(id);
        QVERIFY(stored.ok());
        QCOMPARE(stored->status, Domain::ExecutiveReviewStatus::Prepared);
        QCOMPARE(at(prepared.structured, u"review.prepared_brief"_s).toObject(),
            QJsonObject::fromVariantMap(stored->preparedBrief));
        const auto completed = demo().call(u"conduct_executive_review"_s,
            { { u"action"_s, u"complete"_s }, { u"review_id"_s, id }, { u"outcomes"_s, u"Agreed on a rollout plan"_s },
                { u"next_steps"_s, QJsonArray { QJsonObject { { u"action"_s, u"send plan"_s } } } } });
        CS_VERIFY_TOOL_OK(completed);
        stored = demo().services->communication().review(id);
        QCOMPARE(stored->status, Domain::ExecutiveReviewStatus::Completed);
        QCOMPARE(stored->outcomes, u"Agreed on a rollout plan"_s);
        const auto list = demo().call(
            u"conduct_executive_review"_s, { { u"action"_s, u"list"_s }, { u"customer_id"_s, m_customer } });
        CS_VERIFY_TOOL_OK(list);
        QCOMPARE(list.structured[u"items"_s].toArray().first()[u"review_id"_s].toInteger(), id);
    }

    void newsletter()
    {
        const auto all = demo().call(
            u"automate_newsletters"_s, { { u"action"_s, u"create"_s }, { u"name"_s, u"Product news"_s } });
        CS_VERIFY_TOOL_OK(all);
        const qint64 newsletterId = at(all.structured, u"newsletter.newsletter_id"_s).toInteger();
        auto audience = demo().services->communication().audience(newsletterId);
        QVERIFY(audience.ok());
        const auto toolAudience = demo().call(
            u"automate_newsletters"_s, { { u"action"_s, u"audience"_s }, { u"newsletter_id"_s, newsletterId } });
        CS_VERIFY_TOOL_OK(toolAudience);
        QCOMPARE(at(toolAudience.structured, u"audience.recipients"_s).toInteger(), audience->recipients);
        QVERIFY(audience->recipients > 0);
        const auto edition = demo().call(u"automate_newsletters"_s,
            { { u"action"_s, u"create_edition"_s }, { u"newsletter_id"_s, newsletterId }, { u"title"_s, u"June"_s },
                { u"sections"_s,
                    QJsonArray { QJsonObject { { u"heading"_s, u"New"_s }, { u"body"_s, u"Exports"_s } } } } });
        CS_VERIFY_TOOL_OK(edition);
        const qint64 editionId = at(edition.structured, u"edition.edition_id"_s).toInteger();
        const auto sent = demo().call(
            u"automate_newsletters"_s, { { u"action"_s, u"send_edition"_s }, { u"edition_id"_s, editionId } });
        CS_VERIFY_TOOL_OK(sent);
        auto stored = demo().services->communication().edition(editionId);
        QVERIFY(stored.ok());
        QCOMPARE(stored->status, Domain::NewsletterEditionStatus::Sent);
        QCOMPARE(sent.structured[u"queued"_s].toInt(), stored->recipientCount);
        auto q = Storage::exec(demo().db.db(), u"SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE ?"_s,
            { u"newsletter_edition:%1:%"_s.arg(editionId) });
        QVERIFY(q && q->next());
        QCOMPARE(q->value(0).toInt(), stored->recipientCount);
    }
};

QTEST_GUILESS_MAIN(TstToolsOperations)
#include "tst_tools_operations.moc"
