// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The core toolset (register_client, get_client_overview, update_client_info, list_clients, get_client_timeline,
// record_contract, update_contract),
// the resources (customer://{id}, portfolio://summary, config://scoring) and the prompts (qbr_preparation,
// churn_review, renewal_brief): on an empty database (NotFound / "no data", never invented numbers), on a generated
// demo portfolio (the numbers equal what the services answer for the same question), with bad arguments (the error
// names the argument), and for writes, what the service reads back. Built twice: SQLite and PostgreSQL.
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimeZone>

#include "coretools.h"
#include "customeroverview.h"
#include "demoportfolio.h"
#include "promptregistry.h"
#include "resourceregistry.h"
#include "sql.h"
#include "toolsupport.h"
#include "tooltestkit.h"

using namespace Qt::StringLiterals;
using TestUtils::ToolHarness;

namespace {

const QDate kToday(2026, 6, 15);

QJsonObject obj(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

QJsonObject parse(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

std::unique_ptr<ToolHarness> makeHarness()
{
    auto h = std::make_unique<ToolHarness>(
        std::initializer_list<void (*)(Mcp::ToolRegistry &)> { &Mcp::registerCoreTools });
    h->clock.set(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    return h;
}

} // namespace

class TestToolsCore : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ToolHarness> m_demo; // 80 generated customers, scored
    Mcp::ResourceRegistry m_resources;
    Mcp::PromptRegistry m_prompts;
    QString m_richCustomer; // a live customer with a health score, a churn prediction and an open renewal

    Core::Services &demo() { return *m_demo->services; }

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        Mcp::registerCsResources(m_resources);
        Mcp::registerCsPrompts(m_prompts);
        m_demo = makeHarness();
        QVERIFY2(m_demo->isReady(), qPrintable(m_demo->db.error()));
        QCOMPARE(m_demo->registry.size(), 7);
        Core::DemoPortfolio::Options options;
        options.customers = 80;
        options.seed = 20261124;
        options.today = kToday;
        options.usageEvents = 20'000;
        auto generated = Core::DemoPortfolio(m_demo->db.db(), options).generate();
        QVERIFY2(generated.ok(), qPrintable(generated.ok() ? QString() : generated.error().toString()));
        QVERIFY(demo().health().recomputeAll().ok());
        QVERIFY(demo().churn().scorePortfolio().ok());
        Storage::ListQuery all;
        all.limit = 200;
        auto customers = demo().customers().list(all);
        QVERIFY(customers.ok());
        for (const Domain::Customer &c : customers->items) {
            if (c.status == Domain::CustomerStatus::Churned)
                continue;
            auto o = Core::customerOverview(demo(), c.id, 5);
            QVERIFY(o.ok());
            if (o->health && o->churnRisk && o->nextRenewal) {
                if (m_richCustomer.isEmpty())
                    m_richCustomer = c.id;
                if (o->openTickets > 0) {
                    m_richCustomer = c.id;
                    break;
                }
            }
        }
        QVERIFY2(!m_richCustomer.isEmpty(), "the demo portfolio has no customer with every part of the overview");
    }

    // ---- (a) empty database -----------------------------------------------------------------------------------

    void emptyDatabase_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QJsonObject>("args");
        QTest::addRow("overview") << u"get_client_overview"_s << obj(R"({"customer_id":"nobody"})");
        QTest::addRow("timeline") << u"get_client_timeline"_s << obj(R"({"customer_id":"nobody"})");
        QTest::addRow("update") << u"update_client_info"_s << obj(R"({"customer_id":"nobody","version":1,"name":"X"})");
    }

    void emptyDatabase()
    {
        QFETCH(QString, tool);
        QFETCH(QJsonObject, args);
        auto h = makeHarness();
        QVERIFY(h->isReady());
        const auto out = h->call(tool, args);
        QVERIFY(!out.ok);
        QCOMPARE(out.error.code, Core::ErrorCode::NotFound);
        QCOMPARE(out.error.field, u"customer_id"_s);
    }

    void emptyListIsEmpty()
    {
        auto h = makeHarness();
        QVERIFY(h->isReady());
        const auto out = h->call(u"list_clients"_s, {});
        CS_VERIFY_TOOL_OK(out);
        QCOMPARE(out.structured.value(u"total"_s).toInt(), 0);
        QVERIFY(out.structured.value(u"items"_s).toArray().isEmpty());
        QVERIFY(out.structured.value(u"next_cursor"_s).isNull());
    }

    void overviewOfANewCustomerHasNoInventedNumbers()
    {
        auto h = makeHarness();
        QVERIFY(h->isReady());
        CS_VERIFY_TOOL_OK(h->call(u"register_client"_s, obj(R"({"customer_id":"acme","name":"Acme"})")));
        const auto out = h->call(u"get_client_overview"_s, obj(R"({"customer_id":"acme"})"));
        CS_VERIFY_TOOL_OK(out);
        QVERIFY(out.structured.value(u"health"_s).isNull());
        QVERIFY(out.structured.value(u"churn_risk"_s).isNull());
        QVERIFY(out.structured.value(u"next_renewal"_s).isNull());
        QCOMPARE(out.structured.value(u"open_tickets"_s).toObject().value(u"count"_s).toInt(), 0);
        QVERIFY(!out.structured.value(u"health_trend"_s)
                     .toObject()
                     .value(u"week"_s)
                     .toObject()
                     .value(u"has_data"_s)
                     .toBool());
        QVERIFY(out.structured.value(u"notes"_s).toArray().size() >= 3);
    }

    // ---- (d) writes ---------------------------------------------------------------------------------------------

    void registerClientStoresCustomerAndContact()
    {
        auto h = makeHarness();
        QVERIFY(h->isReady());
        const auto out = h->call(u"register_client"_s,
            obj(R"({"client_id":"acme-1","name":"Acme","company":"Acme Inc","industry":"Retail","tier":"enterprise",
                    "arr":120000,"contract_type":"annual","contract_start":"2026-01-01","contract_end":"2026-12-31",
                    "renewal_date":"2026-12-31","owner":"alice",
                    "primary_contact":{"name":"Ada","email":"ada@acme.example","title":"CTO"}})"));
        CS_VERIFY_TOOL_OK(out);
        auto stored = h->services->customers().get(u"acme-1"_s);
        QVERIFY(stored.ok());
        QCOMPARE(stored->name, u"Acme"_s);
        QCOMPARE(stored->tier, Domain::Tier::Enterprise);
        QCOMPARE(stored->arr, 120000.0);
        QCOMPARE(stored->renewalDate, QDate(2026, 12, 31));
        QCOMPARE(stored->contractType, Domain::ContractType::Annual);
        QCOMPARE(stored->lifecycleStage, Domain::LifecycleStage::Onboarding); // the schema default
        auto contacts = h->services->customers().contacts(u"acme-1"_s);
        QVERIFY(contacts.ok());
        QCOMPARE(contacts->size(), 1);
        QCOMPARE(contacts->at(0).email, u"ada@acme.example"_s);
        QVERIFY(contacts->at(0).isPrimary);
        QCOMPARE(out.structured.value(u"customer"_s).toObject().value(u"version"_s).toInt(), stored->meta.version);

        const auto again = h->call(u"register_client"_s, obj(R"({"customer_id":"acme-1","name":"Acme again"})"));
        QVERIFY(!again.ok);
        QCOMPARE(again.error.code, Core::ErrorCode::AlreadyExists);
        QCOMPARE(again.error.field, u"customer_id"_s); // the argument's name, not the column's ("id")
    }

    void registerClientWithoutIdMakesOneFromTheName()
    {
        auto h = makeHarness();
        QVERIFY(h->isReady());
        const auto first = h->call(u"register_client"_s,
            obj(R"({"name":"Acme Corp","primary_contact":{"name":"Ada","email":"ada@acme.example"}})"));
        CS_VERIFY_TOOL_OK(first);
        QCOMPARE(first.structured.value(u"customer_id"_s).toString(), u"acme-corp"_s);
        QCOMPARE(first.structured.value(u"id_generated"_s).toBool(), true);
        QCOMPARE(first.structured.value(u"customer"_s).toObject().value(u"customer_id"_s).toString(), u"acme-corp"_s);
        QCOMPARE(h->services->customers().get(u"acme-corp"_s)->name, u"Acme Corp"_s);
        QCOMPARE(h->services->customers().contacts(u"acme-corp"_s)->size(), 1);

        const auto second = h->call(u"register_client"_s, obj(R"({"name":"ACME corp."})"));
        CS_VERIFY_TOOL_OK(second);
        QCOMPARE(second.structured.value(u"customer_id"_s).toString(), u"acme-corp-2"_s);
        QCOMPARE(h->services->customers().get(u"acme-corp-2"_s)->name, u"ACME corp."_s);

        const auto given = h->call(u"register_client"_s, obj(R"({"customer_id":"crm-0042","name":"Acme Corp"})"));
        CS_VERIFY_TOOL_OK(given);
        QCOMPARE(given.structured.value(u"customer_id"_s).toString(), u"crm-0042"_s);
        QCOMPARE(given.structured.value(u"id_generated"_s).toBool(), false);
    }

    void updateClientInfoIsOptimistic()
    {
        auto h = makeHarness();
        QVERIFY(h->isReady());
        CS_VERIFY_TOOL_OK(h->call(u"register_client"_s, obj(R"({"customer_id":"acme","name":"Acme","arr":1000})")));
        const int version = h->services->customers().get(u"acme"_s)->meta.version;
        QJsonObject args { { u"customer_id"_s, u"acme"_s }, { u"version"_s, version }, { u"arr"_s, 5000 },
            { u"owner"_s, u"bob"_s } };
        const auto out = h->call(u"update_client_info"_s, args);
        CS_VERIFY_TOOL_OK(out);
        auto stored = h->services->customers().get(u"acme"_s);
        QCOMPARE(stored->arr, 5000.0);
        QCOMPARE(stored->owner, u"bob"_s);
        QCOMPARE(stored->name, u"Acme"_s); // untouched
        QCOMPARE(stored->meta.version, version + 1);
        QCOMPARE(out.structured.value(u"changed_fields"_s).toArray().size(), 2);

        // The same call again carries a stale version: refused, nothing written.
        args.insert(u"arr"_s, 9000);
        const auto stale = h->call(u"update_client_info"_s, args);
        QVERIFY(!stale.ok);
        QCOMPARE(stale.error.code, Core::ErrorCode::Conflict);
        QCOMPARE(stale.error.field, u"version"_s);
        QCOMPARE(h->services->customers().get(u"acme"_s)->arr, 5000.0);

        const auto nothing
            = h->call(u"update_client_info"_s, { { u"customer_id"_s, u"acme"_s }, { u"version"_s, version + 1 } });
        QVERIFY(!nothing.ok);
        QCOMPARE(nothing.error.code, Core::ErrorCode::InvalidArgument);
    }

    void contractsThroughTheTools()
    {
        auto h = makeHarness();
        QVERIFY(h->isReady());
        CS_VERIFY_TOOL_OK(h->call(u"register_client"_s,
            obj(R"({"customer_id":"acme","name":"Acme","arr":60000,"renewal_date":"2026-12-31"})")));

        const auto recorded = h->call(u"record_contract"_s,
            obj(R"({"customer_id":"acme","contract_number":"SO-7","start_date":"2026-06-01","end_date":"2027-05-31",
                    "arr":60000,"seats_purchased":50,"seats_used":48,"payment_status":"current"})"));
        CS_VERIFY_TOOL_OK(recorded);
        const QJsonObject contract = recorded.structured.value(u"contract"_s).toObject();
        const qint64 contractId = contract.value(u"contract_id"_s).toInteger();
        QVERIFY(contractId > 0);
        QCOMPARE(contract.value(u"customer_id"_s).toString(), u"acme"_s);
        QCOMPARE(contract.value(u"status"_s).toString(), u"active"_s); // the schema default
        QCOMPARE(contract.value(u"auto_renew"_s).toBool(), false);
        QCOMPARE(contract.value(u"seat_utilisation"_s).toDouble(), 0.96);
        QCOMPARE(contract.value(u"version"_s).toInt(), 1);
        QCOMPARE(recorded.structured.value(u"customer_fields_updated"_s).toArray(),
            (QJsonArray { u"contract_start"_s, u"contract_end"_s, u"renewal_date"_s }));
        auto customer = h->services->customers().get(u"acme"_s);
        QVERIFY(customer.ok());
        QCOMPARE(customer->renewalDate, QDate(2027, 5, 31));
        QCOMPARE(customer->arr, 60000.0);

        // The overview shows it as the current contract.
        const auto overview = h->call(u"get_client_overview"_s, obj(R"({"customer_id":"acme"})"));
        CS_VERIFY_TOOL_OK(overview);
        const QJsonObject current = overview.structured.value(u"contract"_s).toObject().value(u"current"_s).toObject();
        QCOMPARE(current.value(u"contract_id"_s).toInteger(), contractId);
        QCOMPARE(current.value(u"seats_used"_s).toInt(), 48);

        // A licence count: seats in use go up; payment status cleared with "none".
        QJsonObject change { { u"contract_id"_s, contractId }, { u"version"_s, 1 }, { u"seats_used"_s, 55 },
            { u"payment_status"_s, u"none"_s } };
        const auto updated = h->call(u"update_contract"_s, change);
        CS_VERIFY_TOOL_OK(updated);
        const QJsonObject after = updated.structured.value(u"contract"_s).toObject();
        QCOMPARE(after.value(u"version"_s).toInt(), 2);
        QCOMPARE(after.value(u"seats_used"_s).toInt(), 55);
        QCOMPARE(after.value(u"seats_purchased"_s).toInt(), 50); // untouched
        QVERIFY(after.value(u"payment_status"_s).isNull());
        QCOMPARE(after.value(u"seat_utilisation"_s).toDouble(), 1.1);
        QVERIFY(updated.structured.value(u"customer_fields_updated"_s).toArray().isEmpty());
        auto stored = h->services->customers().contract(contractId);
        QVERIFY(stored.ok());
        QCOMPARE(stored->seatsUsed, std::optional<int>(55));
        QCOMPARE(stored->paymentStatus, Domain::PaymentStatus::None);

        // The same call again is stale: refused, nothing written.
        change.insert(u"seats_used"_s, 60);
        const auto stale = h->call(u"update_contract"_s, change);
        QVERIFY(!stale.ok);
        QCOMPARE(stale.error.code, Core::ErrorCode::Conflict);
        QCOMPARE(stale.error.field, u"version"_s);
        QCOMPARE(h->services->customers().contract(contractId)->seatsUsed, std::optional<int>(55));

        const auto nothing = h->call(u"update_contract"_s, { { u"contract_id"_s, contractId }, { u"version"_s, 2 } });
        QVERIFY(!nothing.ok);
        QCOMPARE(nothing.error.code, Core::ErrorCode::InvalidArgument);
        const auto missing = h->call(u"update_contract"_s, obj(R"({"contract_id":999999,"version":1,"seats_used":1})"));
        QVERIFY(!missing.ok);
        QCOMPARE(missing.error.code, Core::ErrorCode::NotFound);
        QCOMPARE(missing.error.field, u"contract_id"_s);
        const auto duplicate = h->call(u"record_contract"_s,
            obj(R"({"customer_id":"acme","contract_number":"SO-7","start_date":"2027-07-01","end_date":"2028-06-30"})"));
        QVERIFY(!duplicate.ok);
        QCOMPARE(duplicate.error.code, Core::ErrorCode::AlreadyExists);
        QCOMPARE(duplicate.error.field, u"contract_number"_s);
        const auto nobody = h->call(
            u"record_contract"_s, obj(R"({"customer_id":"nobody","start_date":"2026-01-01","end_date":"2027-01-01"})"));
        QVERIFY(!nobody.ok);
        QCOMPARE(nobody.error.code, Core::ErrorCode::NotFound);
        QCOMPARE(nobody.error.field, u"customer_id"_s);
    }

    // ---- (c) bad arguments --------------------------------------------------------------------------------------

    void badArguments_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QJsonObject>("args");
        QTest::addColumn<QString>("field");
        QTest::addRow("wrong type") << u"list_clients"_s << obj(R"({"limit":"ten"})") << u"limit"_s;
        QTest::addRow("limit too large") << u"list_clients"_s << obj(R"({"limit":201})") << u"limit"_s;
        QTest::addRow("unknown property") << u"list_clients"_s << obj(R"({"colour":"red"})") << u"colour"_s;
        QTest::addRow("bad enum") << u"list_clients"_s << obj(R"({"tier":"gold"})") << u"tier"_s;
        QTest::addRow("health out of range")
            << u"list_clients"_s << obj(R"({"health_score_min":101})") << u"health_score_min"_s;
        QTest::addRow("bad sort") << u"list_clients"_s << obj(R"({"sort":"colour"})") << u"sort"_s;
        QTest::addRow("foreign cursor") << u"list_clients"_s << obj(R"({"cursor":"o:5"})") << u"cursor"_s;
        QTest::addRow("bad date") << u"get_client_timeline"_s << obj(R"({"customer_id":"x","from":"2026-13-01"})")
                                  << u"from"_s;
        QTest::addRow("from after to") << u"get_client_timeline"_s
                                       << obj(R"({"customer_id":"x","from":"2026-05-01","to":"2026-04-01"})")
                                       << u"to"_s;
        QTest::addRow("bad kind") << u"get_client_timeline"_s << obj(R"({"customer_id":"x","kinds":["gossip"]})")
                                  << u"kinds[0]"_s;
        QTest::addRow("missing customer") << u"get_client_overview"_s << QJsonObject {} << u"customer_id"_s;
        QTest::addRow("bad customer id") << u"get_client_overview"_s << obj(R"({"customer_id":"a b"})")
                                         << u"customer_id"_s;
        QTest::addRow("too many timeline items")
            << u"get_client_overview"_s << obj(R"({"customer_id":"x","recent_timeline_items":51})")
            << u"recent_timeline_items"_s;
        QTest::addRow("negative arr") << u"register_client"_s << obj(R"({"customer_id":"n","name":"N","arr":-1})")
                                      << u"arr"_s;
        QTest::addRow("missing name") << u"register_client"_s << obj(R"({"customer_id":"n"})") << u"name"_s;
        QTest::addRow("bad email")
            << u"register_client"_s
            << obj(R"({"customer_id":"n","name":"N","primary_contact":{"name":"A","email":"nope"}})")
            << u"primary_contact.email"_s;
        QTest::addRow("bad currency") << u"register_client"_s
                                      << obj(R"({"customer_id":"n","name":"N","currency":"dollars"})") << u"currency"_s;
        QTest::addRow("missing version") << u"update_client_info"_s << obj(R"({"customer_id":"n","name":"N"})")
                                         << u"version"_s;
        QTest::addRow("two different ids")
            << u"get_client_overview"_s << obj(R"({"customer_id":"a","client_id":"b"})") << u"client_id"_s;
        QTest::addRow("contract without start")
            << u"record_contract"_s << obj(R"({"customer_id":"n","end_date":"2027-01-01"})") << u"start_date"_s;
        QTest::addRow("contract with negative seats")
            << u"record_contract"_s
            << obj(R"({"customer_id":"n","start_date":"2026-01-01","end_date":"2027-01-01","seats_used":-3})")
            << u"seats_used"_s;
        QTest::addRow("contract with a bad payment status")
            << u"record_contract"_s
            << obj(R"({"customer_id":"n","start_date":"2026-01-01","end_date":"2027-01-01","payment_status":"paid"})")
            << u"payment_status"_s;
        QTest::addRow("contract ending before it starts")
            << u"record_contract"_s << obj(R"({"customer_id":"%1","start_date":"2026-06-01",
                                                                "end_date":"2026-01-01"})")
            << u"end_date"_s;
        QTest::addRow("contract update without version")
            << u"update_contract"_s << obj(R"({"contract_id":1,"seats_used":3})") << u"version"_s;
        QTest::addRow("contract update of the customer")
            << u"update_contract"_s << obj(R"({"contract_id":1,"version":1,"customer_id":"x"})") << u"customer_id"_s;
    }

    void badArguments()
    {
        QFETCH(QString, tool);
        QFETCH(QJsonObject, args);
        QFETCH(QString, field);
        // "%1": a live customer of the demo portfolio, where the error is the service's, not the schema's.
        if (args.value(u"customer_id"_s).toString() == u"%1"_s)
            args.insert(u"customer_id"_s, m_richCustomer);
        const auto out = m_demo->call(tool, args);
        QVERIFY2(!out.ok, qPrintable(ToolHarness::dump(out.structured)));
        QCOMPARE(out.error.code, Core::ErrorCode::InvalidArgument);
        QCOMPARE(out.error.field, field);
    }

    // ---- (b) demo portfolio: the numbers are the services' -------------------------------------------------------

    void overviewEqualsTheServices()
    {
        const auto out = m_demo->call(u"get_client_overview"_s, { { u"client_id"_s, m_richCustomer } });
        CS_VERIFY_TOOL_OK(out);
        const QJsonObject &s = out.structured;
        auto score = demo().health().latestScore(m_richCustomer);
        QVERIFY(score.ok() && score->has_value());
        const QJsonObject health = s.value(u"health"_s).toObject();
        QCOMPARE(health.value(u"score"_s).toDouble(), Mcp::ToolSupport::rounded((*score)->score, 1));
        QCOMPARE(health.value(u"band"_s).toString(), Domain::enumName((*score)->band));
        QCOMPARE(health.value(u"config_version"_s).toInt(), (*score)->configVersion);
        QCOMPARE(health.value(u"components"_s).toObject(), QJsonObject::fromVariantMap((*score)->components));
        auto risk = demo().churn().latestRisk(m_richCustomer);
        QVERIFY(risk.ok() && risk->has_value());
        QCOMPARE(s.value(u"churn_risk"_s).toObject().value(u"probability"_s).toDouble(),
            Mcp::ToolSupport::rounded((*risk)->probability, 4));
        QCOMPARE(s.value(u"churn_risk"_s).toObject().value(u"drivers"_s).toArray().size(), (*risk)->drivers.size());
        auto overview = Core::customerOverview(demo(), m_richCustomer, 10);
        QVERIFY(overview.ok());
        QCOMPARE(s.value(u"open_tickets"_s).toObject().value(u"count"_s).toInteger(), overview->openTickets);
        QCOMPARE(s.value(u"next_renewal"_s).toObject().value(u"renewal_id"_s).toInteger(),
            overview->nextRenewal->renewal.id);
        QCOMPARE(s.value(u"customer"_s).toObject().value(u"arr"_s).toDouble(),
            Mcp::ToolSupport::rounded(overview->customer.arr, 2));
        QCOMPARE(s, Mcp::CsJson::overviewJson(*overview));
    }

    void listClientsEqualsTheSegmentService_data()
    {
        QTest::addColumn<QJsonObject>("args");
        QTest::addColumn<QString>("criteria");
        QTest::addRow("everyone") << QJsonObject {} << u"{}"_s;
        QTest::addRow("tier") << obj(R"({"tier":"enterprise"})") << u"{\"tier\":\"enterprise\"}"_s;
        QTest::addRow("red band") << obj(R"({"health_band":"red"})") << u"{\"health_band\":\"red\"}"_s;
        QTest::addRow("health range") << obj(R"({"health_score_min":40,"health_score_max":70})")
                                      << u"{\"health_score_min\":40,\"health_score_max\":70}"_s;
        QTest::addRow("renewal window") << obj(R"({"renewal_within_days":120})") << u"{\"renewal_within_days\":120}"_s;
        QTest::addRow("stage and status") << obj(R"({"lifecycle_stage":"adoption","status":"active"})")
                                          << u"{\"lifecycle_stage\":\"adoption\",\"status\":\"active\"}"_s;
    }

    void listClientsEqualsTheSegmentService()
    {
        QFETCH(QJsonObject, args);
        QFETCH(QString, criteria);
        args.insert(u"limit"_s, 7);
        args.insert(u"sort"_s, u"arr"_s);
        args.insert(u"order"_s, u"desc"_s);
        Core::SegmentPageQuery page;
        page.limit = 7;
        page.sort = u"arr"_s;
        page.descending = true;
        const QVariantMap map = QJsonDocument::fromJson(criteria.toUtf8()).object().toVariantMap();
        QStringList fromTool;
        QStringList fromService;
        for (int guard = 0; guard < 30; ++guard) {
            const auto out = m_demo->call(u"list_clients"_s, args);
            CS_VERIFY_TOOL_OK(out);
            auto expected = demo().segments().evaluate(map, page);
            QVERIFY(expected.ok());
            QCOMPARE(out.structured.value(u"total"_s).toInteger(), expected->total);
            for (const QJsonValue &item : out.structured.value(u"items"_s).toArray())
                fromTool << item.toObject().value(u"customer_id"_s).toString();
            for (const Domain::Customer &c : expected->items)
                fromService << c.id;
            if (out.structured.value(u"next_cursor"_s).isNull())
                break;
            args.insert(u"cursor"_s, out.structured.value(u"next_cursor"_s));
            page.cursor = expected->nextCursor;
        }
        QCOMPARE(fromTool, fromService);
        QVERIFY(!fromTool.isEmpty() || QTest::currentDataTag() != QByteArray("everyone"));
    }

    void listClientsWithinASegment()
    {
        Domain::Segment segment;
        segment.name = u"Enterprise accounts"_s;
        segment.criteria = { { u"tier"_s, u"enterprise"_s } };
        auto saved = demo().segments().create(segment);
        QVERIFY(saved.ok());
        const auto out = m_demo->call(
            u"list_clients"_s, { { u"segment_id"_s, saved->id }, { u"status"_s, u"active"_s }, { u"limit"_s, 200 } });
        CS_VERIFY_TOOL_OK(out);
        auto expected = demo().segments().evaluate({ { u"tier"_s, u"enterprise"_s }, { u"status"_s, u"active"_s } },
            Core::SegmentPageQuery { 200, {}, u"name"_s, false, {} });
        QVERIFY(expected.ok());
        QVERIFY(expected->total > 0);
        QCOMPARE(out.structured.value(u"total"_s).toInteger(), expected->total);
        for (const QJsonValue &item : out.structured.value(u"items"_s).toArray())
            QCOMPARE(item.toObject().value(u"tier"_s).toString(), u"enterprise"_s);
        QVERIFY(demo().segments().remove(saved->id).ok());
    }

    void unknownSegmentIsNotFound()
    {
        const auto out = m_demo->call(u"list_clients"_s, obj(R"({"segment_id":999999})"));
        QVERIFY(!out.ok);
        QCOMPARE(out.error.code, Core::ErrorCode::NotFound);
        QCOMPARE(out.error.field, u"segment_id"_s);
    }

    void timelineEqualsTheTimelineService()
    {
        Core::TimelineQuery q;
        q.customerId = m_richCustomer;
        q.limit = 200;
        auto all = demo().timeline().timeline(q);
        QVERIFY(all.ok());
        QVERIFY(all->total > 0);
        QJsonObject args { { u"customer_id"_s, m_richCustomer }, { u"limit"_s, 3 } };
        QList<qint64> ids;
        for (int guard = 0; guard < 100; ++guard) {
            const auto out = m_demo->call(u"get_client_timeline"_s, args);
            CS_VERIFY_TOOL_OK(out);
            QCOMPARE(out.structured.value(u"total"_s).toInteger(), all->total);
            for (const QJsonValue &e : out.structured.value(u"items"_s).toArray())
                ids << e.toObject().value(u"event_id"_s).toInteger();
            if (out.structured.value(u"next_cursor"_s).isNull())
                break;
            args.insert(u"cursor"_s, out.structured.value(u"next_cursor"_s));
        }
        QCOMPARE(ids.size(), all->items.size());
        for (int i = 0; i < ids.size(); ++i)
            QCOMPARE(ids.at(i), all->items.at(i).id);

        // Kinds and dates filter like the service does.
        const Domain::TimelineEventKind kind = all->items.constFirst().kind;
        const QDate day = all->items.constFirst().occurredAt.toUTC().date();
        q.kinds = { kind };
        q.from = day.addDays(-30);
        q.to = day;
        auto filtered = demo().timeline().timeline(q);
        QVERIFY(filtered.ok());
        const auto out = m_demo->call(u"get_client_timeline"_s,
            { { u"customer_id"_s, m_richCustomer }, { u"kinds"_s, QJsonArray { Domain::enumName(kind) } },
                { u"from"_s, q.from.toString(Qt::ISODate) }, { u"to"_s, day.toString(Qt::ISODate) } });
        CS_VERIFY_TOOL_OK(out);
        QCOMPARE(out.structured.value(u"total"_s).toInteger(), filtered->total);
        for (const QJsonValue &e : out.structured.value(u"items"_s).toArray())
            QCOMPARE(e.toObject().value(u"kind"_s).toString(), Domain::enumName(kind));
    }

    // ---- resources ----------------------------------------------------------------------------------------------

    void customerResourceIsTheOverview()
    {
        const QString uri = u"customer://"_s + m_richCustomer;
        const Mcp::ResourceFamily *family = m_resources.familyFor(uri);
        QVERIFY(family);
        QCOMPARE(family->uriTemplate, u"customer://{id}"_s);
        auto contents = family->read(demo(), uri);
        QVERIFY2(contents.ok(), qPrintable(contents.ok() ? QString() : contents.error().toString()));
        QCOMPARE(contents->size(), 1);
        QCOMPARE(contents->at(0).mimeType, u"application/json"_s);
        QCOMPARE(contents->at(0).uri, uri);
        auto overview = Core::customerOverview(demo(), m_richCustomer, 10);
        QVERIFY(overview.ok());
        QCOMPARE(parse(contents->at(0).text), Mcp::CsJson::overviewJson(*overview));

        auto missing = family->read(demo(), u"customer://nobody"_s);
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, Core::ErrorCode::NotFound);
        QVERIFY(!m_resources.familyFor(u"customer://has space"_s));
        QVERIFY(!m_resources.familyFor(u"other://x"_s));
    }

    void customerResourceListPagesOverEveryCustomer()
    {
        const Mcp::ResourceFamily *family = m_resources.familyForTemplate(u"customer://{id}"_s);
        QVERIFY(family && family->list);
        Storage::ListQuery all;
        all.limit = 1000;
        auto customers = demo().customers().list(all);
        QVERIFY(customers.ok());
        QStringList listed;
        QString cursor;
        for (int guard = 0; guard < 100; ++guard) {
            auto page = family->list(demo(), cursor, 17);
            QVERIFY2(page.ok(), qPrintable(page.ok() ? QString() : page.error().toString()));
            QVERIFY(page->items.size() <= 17);
            for (const Mcp::ResourceInfo &info : page->items) {
                QVERIFY(info.uri.startsWith(u"customer://"_s));
                QVERIFY(m_resources.familyFor(info.uri) == family);
                listed << info.name;
            }
            if (page->nextCursor.isEmpty())
                break;
            cursor = page->nextCursor;
        }
        QStringList expected;
        for (const Domain::Customer &c : customers->items)
            expected << c.id;
        QCOMPARE(listed, expected);
        auto bad = family->list(demo(), u"not-a-cursor"_s, 10);
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, Core::ErrorCode::InvalidArgument);
    }

    void customerIdCompletion()
    {
        const Mcp::ResourceFamily *family = m_resources.familyForTemplate(u"customer://{id}"_s);
        QVERIFY(family && family->complete);
        const QString prefix = m_richCustomer.left(3);
        const QStringList values = family->complete(demo(), u"id"_s, prefix);
        QVERIFY(!values.isEmpty());
        QVERIFY(values.size() <= 100);
        QVERIFY(values.contains(m_richCustomer));
        QCOMPARE(values, *demo().customers().suggestIds(prefix, 100));
        QVERIFY(family->complete(demo(), u"other"_s, prefix).isEmpty());
        QVERIFY(family->complete(demo(), u"id"_s, u"zzzz-no-such"_s).isEmpty());
    }

    void portfolioSummaryEqualsTheServices()
    {
        const Mcp::ResourceFamily *family = m_resources.familyFor(u"portfolio://summary"_s);
        QVERIFY(family);
        auto contents = family->read(demo(), u"portfolio://summary"_s);
        QVERIFY2(contents.ok(), qPrintable(contents.ok() ? QString() : contents.error().toString()));
        const QJsonObject s = parse(contents->at(0).text);
        auto live = demo().segments().summarize({ { u"status"_s, QVariantList { u"trial"_s, u"active"_s } } });
        QVERIFY(live.ok());
        QCOMPARE(s.value(u"customers"_s).toInteger(), live->customers);
        QCOMPARE(s.value(u"total_arr"_s).toDouble(), Mcp::ToolSupport::rounded(live->totalArr, 2));
        QCOMPARE(
            s.value(u"by_tier"_s).toObject().value(u"enterprise"_s).toInteger(), live->byTier.value(u"enterprise"_s));
        Core::ArrAtRiskQuery q;
        q.withinDays = 90;
        auto risk = demo().renewals().arrAtRisk(q);
        QVERIFY(risk.ok());
        const QJsonObject renewals = s.value(u"renewals_next_90_days"_s).toObject();
        QCOMPARE(renewals.value(u"renewals"_s).toInt(), risk->renewalsInWindow);
        QCOMPARE(renewals.value(u"arr_at_risk"_s).toDouble(), Mcp::ToolSupport::rounded(risk->arrAtRisk, 2));
        Core::FeedbackQuery fq;
        fq.from = kToday.addDays(-364);
        fq.to = kToday;
        auto nps = demo().feedback().satisfactionTrend(Domain::SurveyKind::Nps, fq);
        QVERIFY(nps.ok());
        const QJsonObject npsJson = s.value(u"nps_last_365_days"_s).toObject();
        QCOMPARE(npsJson.value(u"responses"_s).toInt(), nps->overall.responses);
        QVERIFY(nps->overall.value.has_value());
        QCOMPARE(npsJson.value(u"nps"_s).toDouble(), Mcp::ToolSupport::rounded(*nps->overall.value, 1));
        auto health = demo().health().portfolioSummary();
        QVERIFY(health.ok());
        QCOMPARE(s.value(u"health"_s).toObject().value(u"red"_s).toInteger(), health->red);
    }

    void portfolioSummaryOnAnEmptyDatabaseSaysNoData()
    {
        auto h = makeHarness();
        QVERIFY(h->isReady());
        auto contents = m_resources.familyFor(u"portfolio://summary"_s)->read(*h->services, u"portfolio://summary"_s);
        QVERIFY(contents.ok());
        const QJsonObject s = parse(contents->at(0).text);
        QCOMPARE(s.value(u"customers"_s).toInt(), 0);
        QCOMPARE(s.value(u"total_arr"_s).toDouble(), 0.0);
        QVERIFY(s.value(u"nps_last_365_days"_s).toObject().value(u"nps"_s).isNull());
        QCOMPARE(s.value(u"nps_last_365_days"_s).toObject().value(u"responses"_s).toInt(), 0);
        QVERIFY(!s.value(u"health"_s).toObject().value(u"has_data"_s).toBool());
    }

    void scoringConfigIsTheActiveOne()
    {
        const Mcp::ResourceFamily *family = m_resources.familyFor(u"config://scoring"_s);
        QVERIFY(family);
        auto contents = family->read(demo(), u"config://scoring"_s);
        QVERIFY(contents.ok());
        const QJsonObject s = parse(contents->at(0).text);
        auto config = demo().health().activeConfig();
        QVERIFY(config.ok());
        QCOMPARE(s.value(u"version"_s).toInt(), config->configVersion);
        QCOMPARE(s.value(u"weights"_s).toObject(), QJsonObject::fromVariantMap(config->weights));
        QCOMPARE(s.value(u"bands"_s).toObject().value(u"green_at_or_above"_s).toDouble(), config->greenThreshold);
        QCOMPARE(s.value(u"lookback_days"_s).toInt(), config->lookbackDays);
    }

    // ---- prompts ------------------------------------------------------------------------------------------------

    void promptsCarryTheRealNumbers_data()
    {
        QTest::addColumn<QString>("prompt");
        QTest::addRow("qbr") << u"qbr_preparation"_s;
        QTest::addRow("churn") << u"churn_review"_s;
        QTest::addRow("renewal") << u"renewal_brief"_s;
    }

    void promptsCarryTheRealNumbers()
    {
        QFETCH(QString, prompt);
        const Mcp::Prompt *p = m_prompts.find(prompt);
        QVERIFY(p);
        auto rendered = p->render(demo(), { { u"customer_id"_s, m_richCustomer } });
        QVERIFY2(rendered.ok(), qPrintable(rendered.ok() ? QString() : rendered.error().toString()));
        QVERIFY(rendered->messages.size() >= 2);
        const QString text = rendered->messages.at(0).content.value(u"text"_s).toString();
        auto customer = demo().customers().get(m_richCustomer);
        auto score = demo().health().latestScore(m_richCustomer);
        QVERIFY(customer.ok() && score.ok() && score->has_value());
        QVERIFY2(text.contains(QString::number(Mcp::ToolSupport::rounded(customer->arr, 2), 'f', 2)), qPrintable(text));
        QVERIFY2(text.contains(u"Health: "_s + QString::number((*score)->score, 'f', 1)), qPrintable(text));
        const QJsonObject resource = rendered->messages.constLast().content;
        QCOMPARE(resource.value(u"type"_s).toString(), u"resource"_s);
        QCOMPARE(
            resource.value(u"resource"_s).toObject().value(u"uri"_s).toString(), u"customer://"_s + m_richCustomer);

        auto missing = p->render(demo(), { { u"customer_id"_s, u"nobody"_s } });
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, Core::ErrorCode::NotFound);
        QCOMPARE(missing.error().field, u"customer_id"_s);
    }

    void churnReviewOfThePortfolioListsTheRiskiest()
    {
        auto rendered = m_prompts.find(u"churn_review"_s)->render(demo(), {});
        QVERIFY(rendered.ok());
        QCOMPARE(rendered->messages.size(), 1);
        const QString text = rendered->messages.at(0).content.value(u"text"_s).toString();
        Core::ChurnRiskQuery q;
        q.minimumLevel = Domain::ChurnRiskLevel::High;
        q.limit = 10;
        auto page = demo().churn().portfolioRisk(q);
        QVERIFY(page.ok());
        for (const Core::ChurnRisk &r : page->items)
            QVERIFY2(text.contains(r.customerId), qPrintable(text));
        if (page->items.isEmpty())
            QVERIFY(text.contains(u"No customer is at high or critical risk"_s));

        auto h = makeHarness();
        QVERIFY(h->isReady());
        auto empty = m_prompts.find(u"churn_review"_s)->render(*h->services, {});
        QVERIFY(empty.ok());
        QVERIFY(empty->messages.at(0).content.value(u"text"_s).toString().contains(u"No churn predictions"_s));
    }

    void qbrQuarterIsValidated()
    {
        const Mcp::Prompt *p = m_prompts.find(u"qbr_preparation"_s);
        auto bad = p->render(demo(), { { u"customer_id"_s, m_richCustomer }, { u"quarter"_s, u"Q2 2026"_s } });
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().field, u"quarter"_s);
        auto good = p->render(demo(), { { u"customer_id"_s, m_richCustomer }, { u"quarter"_s, u"2026-Q1"_s } });
        QVERIFY(good.ok());
        QVERIFY(good->description.contains(u"2026-01-01 to 2026-03-31"_s));
        QVERIFY(p->arguments.at(0).complete);
        QVERIFY(p->arguments.at(0).complete(demo(), m_richCustomer, {}).contains(m_richCustomer));
        // The quarter completes too: on 2026-06-15 the last full quarter (the default) first, then the current one,
        // then back two years; what was typed filters, in any case.
        const auto &complete = p->arguments.at(1).complete;
        QVERIFY(complete);
        const QStringList all = complete(demo(), {}, {});
        QCOMPARE(all.size(), 10);
        QCOMPARE(all.mid(0, 3), (QStringList { u"2026-Q1"_s, u"2026-Q2"_s, u"2025-Q4"_s }));
        QCOMPARE(all.last(), u"2024-Q1"_s);
        QCOMPARE(
            complete(demo(), u"2025"_s, {}), (QStringList { u"2025-Q4"_s, u"2025-Q3"_s, u"2025-Q2"_s, u"2025-Q1"_s }));
        QCOMPARE(complete(demo(), u"2024-q1"_s, {}), QStringList { u"2024-Q1"_s });
        for (const QString &q : all)
            QVERIFY2(
                p->render(demo(), { { u"customer_id"_s, m_richCustomer }, { u"quarter"_s, q } }).ok(), qPrintable(q));
    }

    void cleanupTestCase() { m_demo.reset(); }
};

QTEST_GUILESS_MAIN(TestToolsCore)
#include "tst_tools_core.moc"
