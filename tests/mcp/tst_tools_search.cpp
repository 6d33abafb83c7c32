// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The "search" toolset (resolve_customer, search, import_records, train_churn_model): on an empty database (a plain
// "no data" answer, never invented numbers), on a generated demo portfolio (the tool answers what the services answer
// for the same question), with bad arguments (the error names the argument), and for the writes, what the services
// read back. Built twice: SQLite and PostgreSQL.
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimeZone>

#include "demoportfolio.h"
#include "sql.h"
#include "tables_accounts.h"
#include "tooltestkit.h"

using namespace Qt::StringLiterals;
using TestUtils::ToolHarness;

namespace {

const QDate kToday(2026, 6, 15);

QJsonObject obj(const char *json)
{
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(json));
    Q_ASSERT(doc.isObject());
    return doc.object();
}

std::unique_ptr<ToolHarness> makeHarness()
{
    auto h = std::make_unique<ToolHarness>(
        std::initializer_list<void (*)(Mcp::ToolRegistry &)> { &Mcp::registerSearchTools });
    h->clock.set(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    return h;
}

qint64 count(Storage::Database &db, const QString &table, const QString &where = {})
{
    auto q
        = Storage::exec(db, u"SELECT COUNT(*) FROM "_s + table + (where.isEmpty() ? QString() : u" WHERE "_s + where));
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

// The structured content of an isError result still has to match the outputSchema.
QString outputSchemaErrors(ToolHarness &h, const QString &tool, const QJsonObject &structured)
{
    const Mcp::ValidationResult check = h.registry.find(tool)->output.validate(structured);
    QStringList messages;
    for (const auto &e : check.errors)
        messages << e.path + u": "_s + e.message;
    return messages.join(u"; "_s);
}

} // namespace

class TestToolsSearch : public QObject
{
    Q_OBJECT

    std::unique_ptr<ToolHarness> m_demo;
    Core::Services &demo() { return *m_demo->services; }

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_demo = makeHarness();
        QVERIFY2(m_demo->isReady(), qPrintable(m_demo->db.error()));
        QCOMPARE(m_demo->registry.size(), 4);
        Core::DemoPortfolio::Options options;
        options.customers = 150;
        options.seed = 20261124;
        options.today = kToday;
        options.usageEvents = 20'000;
        auto generated = Core::DemoPortfolio(m_demo->db.db(), options).generate();
        QVERIFY2(generated.ok(), qPrintable(generated.ok() ? QString() : generated.error().toString()));
    }

    void registration()
    {
        for (const auto *tool : m_demo->registry.tools()) {
            QCOMPARE(tool->tool.toolset, u"search"_s);
            QVERIFY(!tool->output.isNull());
        }
        const auto *import = m_demo->registry.find(u"import_records"_s);
        QVERIFY(import->tool.writes && import->tool.longRunning && !import->tool.annotations.readOnly);
        const auto *train = m_demo->registry.find(u"train_churn_model"_s);
        QVERIFY(train->tool.writes && train->tool.longRunning && !train->tool.annotations.readOnly);
        QVERIFY(m_demo->registry.find(u"resolve_customer"_s)->tool.annotations.readOnly);
        QVERIFY(m_demo->registry.find(u"search"_s)->tool.annotations.readOnly);
    }

    // ---- (a) empty database ----------------------------------------------------------------------------------------

    void emptyDatabase()
    {
        auto h = makeHarness();
        QVERIFY(h->isReady());
        auto resolved = h->call(u"resolve_customer"_s, obj(R"({"query":"Acme"})"));
        CS_VERIFY_TOOL_OK(resolved);
        QCOMPARE(resolved.structured.value(u"total"_s).toInt(), 0);
        QVERIFY(resolved.structured.value(u"candidates"_s).toArray().isEmpty());
        QVERIFY(resolved.structured.value(u"note"_s).isString());

        auto found = h->call(u"search"_s, obj(R"({"query":"sso"})"));
        CS_VERIFY_TOOL_OK(found);
        QCOMPARE(found.structured.value(u"total"_s).toInt(), 0);
        QVERIFY(found.structured.value(u"next_cursor"_s).isNull());
        QVERIFY(found.structured.value(u"note"_s).isString());

        auto headerOnly = h->call(u"import_records"_s, obj(R"({"csv":"id,name\n","kind":"customers"})"));
        CS_VERIFY_TOOL_OK(headerOnly);
        QCOMPARE(headerOnly.structured.value(u"read"_s).toInt(), 0);
        QVERIFY(headerOnly.structured.value(u"note"_s).isString());

        // No history: a plain refusal that says how much history there is, no model.
        auto trained = h->call(u"train_churn_model"_s, {});
        QVERIFY(!trained.ok);
        QCOMPARE(trained.error.code, Core::ErrorCode::InvalidArgument);
        QVERIFY2(trained.error.message.contains(u"not enough history"_s), qPrintable(trained.error.toString()));
        QVERIFY2(trained.error.message.contains(u"0 churned and 0 retained"_s), qPrintable(trained.error.toString()));
    }

    // ---- (b) the demo portfolio: the same answers as the services ----------------------------------------------

    void resolveMatchesTheService_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("how");
        QTest::addRow("name") << 3 << u"name"_s;
        QTest::addRow("name prefix") << 10 << u"prefix"_s;
        QTest::addRow("domain") << 20 << u"domain"_s;
        QTest::addRow("typo") << 30 << u"typo"_s;
        QTest::addRow("contact e-mail") << 40 << u"email"_s;
    }

    void resolveMatchesTheService()
    {
        QFETCH(int, which);
        QFETCH(QString, how);
        Storage::ListQuery all;
        all.limit = 200;
        auto customers = demo().customers().list(all);
        QVERIFY(customers.ok());
        const Domain::Customer &c = customers->items.at(which);
        QString query = c.name;
        if (how == u"prefix"_s)
            query = c.name.left(5);
        else if (how == u"domain"_s)
            query = u"https://"_s + c.domain + u"/login"_s;
        else if (how == u"typo"_s)
            query = c.name.left(c.name.size() - 1) + u'x';
        else if (how == u"email"_s) {
            Storage::ListQuery contacts;
            contacts.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, c.id };
            auto people = Storage::ContactRepository(m_demo->db.db()).list(contacts);
            QVERIFY(people.ok());
            QVERIFY(!people->items.isEmpty());
            query = people->items.first().email.toUpper();
        }
        auto outcome = m_demo->call(u"resolve_customer"_s, QJsonObject { { u"query"_s, query }, { u"limit"_s, 10 } });
        CS_VERIFY_TOOL_OK(outcome);
        auto expected = demo().search().resolve(query, 10);
        QVERIFY(expected.ok());
        const QJsonArray candidates = outcome.structured.value(u"candidates"_s).toArray();
        QCOMPARE(candidates.size(), expected->size());
        QVERIFY2(!candidates.isEmpty(), qPrintable(query));
        for (int i = 0; i < candidates.size(); ++i) {
            const QJsonObject got = candidates.at(i).toObject();
            QCOMPARE(got.value(u"customer_id"_s).toString(), expected->at(i).customer.id);
            QCOMPARE(got.value(u"score"_s).toDouble(), expected->at(i).score);
            QCOMPARE(got.value(u"reason"_s).toString(), Domain::enumName(expected->at(i).reason));
            QCOMPARE(got.value(u"customer"_s).toObject().value(u"arr"_s).toDouble(),
                std::round(expected->at(i).customer.arr * 100) / 100);
        }
        // The customer asked for is among the candidates (first, except for a typo among similar names).
        bool present = false;
        for (const QJsonValue &v : candidates)
            present = present || v.toObject().value(u"customer_id"_s).toString() == c.id;
        QVERIFY2(present || (how == u"prefix"_s && candidates.size() == 10), qPrintable(query));
        if (how != u"typo"_s && how != u"prefix"_s)
            QCOMPARE(candidates.first().toObject().value(u"customer_id"_s).toString(), c.id);
    }

    void searchMatchesTheService()
    {
        // A word from a real ticket subject, paged through: every page equals the service's page.
        auto tickets = Storage::exec(m_demo->db.db(), u"SELECT subject FROM support_tickets ORDER BY id LIMIT 1"_s);
        QVERIFY(tickets.ok() && tickets->next());
        const QString word = tickets->value(0).toString().split(u' ').first();
        QString cursor;
        int pages = 0;
        qint64 seen = 0;
        do {
            QJsonObject args { { u"query"_s, word }, { u"limit"_s, 7 } };
            if (!cursor.isEmpty())
                args.insert(u"cursor"_s, cursor);
            auto outcome = m_demo->call(u"search"_s, args);
            CS_VERIFY_TOOL_OK(outcome);
            auto expected = demo().search().search({ word, {}, {}, 7, cursor });
            QVERIFY(expected.ok());
            const QJsonArray items = outcome.structured.value(u"items"_s).toArray();
            QCOMPARE(outcome.structured.value(u"total"_s).toInteger(), expected->total);
            QCOMPARE(items.size(), expected->items.size());
            for (int i = 0; i < items.size(); ++i) {
                const QJsonObject got = items.at(i).toObject();
                QCOMPARE(got.value(u"kind"_s).toString(), Domain::enumName(expected->items.at(i).kind));
                QCOMPARE(got.value(u"id"_s).toString(), expected->items.at(i).id);
                QCOMPARE(got.value(u"score"_s).toDouble(), expected->items.at(i).score);
            }
            seen += items.size();
            cursor = outcome.structured.value(u"next_cursor"_s).toString();
            QCOMPARE(cursor, expected->nextCursor);
            ++pages;
        } while (!cursor.isEmpty() && pages < 50);
        QVERIFY2(seen > 0, qPrintable(word));
        auto all = demo().search().search({ word, {}, {}, 200, {} });
        QVERIFY(all.ok());
        QCOMPARE(seen, all->total);

        // Kinds and customer filters reach the service.
        auto onlyTickets = m_demo->call(
            u"search"_s, QJsonObject { { u"query"_s, word }, { u"kinds"_s, QJsonArray { u"ticket"_s } } });
        CS_VERIFY_TOOL_OK(onlyTickets);
        for (const QJsonValue &v : onlyTickets.structured.value(u"items"_s).toArray())
            QCOMPARE(v.toObject().value(u"kind"_s).toString(), u"ticket"_s);
    }

    void trainMatchesTheStoredModel()
    {
        m_demo->progress.clear();
        auto outcome = m_demo->call(u"train_churn_model"_s, obj(R"({"folds":4})"));
        CS_VERIFY_TOOL_OK(outcome);
        const QJsonObject &r = outcome.structured;
        const int version = r.value(u"model_version"_s).toInt();
        auto stored = demo().churn().model(version);
        QVERIFY(stored.ok());
        auto active = demo().churn().activeModel();
        QVERIFY(active.ok());
        QCOMPARE(active->version, version);
        QCOMPARE(r.value(u"samples"_s).toObject().value(u"total"_s).toInt(), stored->sampleCount);
        QCOMPARE(r.value(u"samples"_s).toObject().value(u"churned"_s).toInt(), stored->churnedCount);
        QCOMPARE(r.value(u"samples"_s).toObject().value(u"retained"_s).toInt(), stored->retainedCount);
        const QJsonObject cv = r.value(u"cross_validation"_s).toObject();
        QCOMPARE(cv.value(u"folds"_s).toInt(), 4);
        QCOMPARE(cv.value(u"fold_auc"_s).toArray().size(), 4);
        QCOMPARE(cv.value(u"auc_mean"_s).toDouble(), std::round(stored->cvAuc.value_or(-1) * 10000) / 10000);
        const QJsonArray calibration = r.value(u"calibration"_s).toArray();
        QCOMPARE(calibration.size(), stored->calibration.size());
        int binned = 0;
        for (int i = 0; i < calibration.size(); ++i) {
            QCOMPARE(calibration.at(i).toObject().value(u"count"_s).toInt(), stored->calibration.at(i).count);
            binned += stored->calibration.at(i).count;
        }
        QCOMPARE(binned, stored->sampleCount);
        const QJsonArray drivers = r.value(u"drivers"_s).toArray();
        QVERIFY(!drivers.isEmpty());
        for (int i = 0; i < drivers.size(); ++i)
            QCOMPARE(drivers.at(i).toObject().value(u"feature"_s).toString(), stored->coefficients.at(i).feature);
        // Progress went through every training step.
        QVERIFY(m_demo->progress.size() >= 5);
        QCOMPARE(m_demo->progress.last().done, m_demo->progress.last().total);

        // Cancelled: nothing stored, the active model stays.
        m_demo->cancelRequested = true;
        auto cancelled = m_demo->call(u"train_churn_model"_s, {});
        m_demo->cancelRequested = false;
        QVERIFY(!cancelled.ok);
        QCOMPARE(cancelled.error.code, Core::ErrorCode::Cancelled);
        QCOMPARE(demo().churn().activeModel()->version, version);
        QCOMPARE(demo().churn().models(100)->size(), version);
    }

    // ---- (c) bad arguments name the argument ------------------------------------------------------------------

    void badArguments_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QJsonObject>("args");
        QTest::addColumn<QString>("field");

        QTest::addRow("resolve: missing query") << u"resolve_customer"_s << obj("{}") << u"query"_s;
        QTest::addRow("resolve: wrong type") << u"resolve_customer"_s << obj(R"({"query":5})") << u"query"_s;
        QTest::addRow("resolve: blank") << u"resolve_customer"_s << obj(R"({"query":"  "})") << u"query"_s;
        QTest::addRow("resolve: limit range")
            << u"resolve_customer"_s << obj(R"({"query":"a","limit":21})") << u"limit"_s;
        QTest::addRow("resolve: unknown property")
            << u"resolve_customer"_s << obj(R"({"query":"a","name":"b"})") << u"name"_s;
        QTest::addRow("search: bad kind") << u"search"_s << obj(R"({"query":"a","kinds":["planet"]})") << u"kinds[0]"_s;
        QTest::addRow("search: limit range") << u"search"_s << obj(R"({"query":"a","limit":201})") << u"limit"_s;
        QTest::addRow("search: bad customer id")
            << u"search"_s << obj(R"({"query":"a","customer_id":"no spaces"})") << u"customer_id"_s;
        QTest::addRow("search: foreign cursor") << u"search"_s << obj(R"({"query":"a","cursor":"o:5"})") << u"cursor"_s;
        QTest::addRow("import: bad kind") << u"import_records"_s << obj(R"({"csv":"a","kind":"planets"})") << u"kind"_s;
        QTest::addRow("import: bad mode")
            << u"import_records"_s << obj(R"({"csv":"id,name\n","kind":"customers","mode":"merge"})") << u"mode"_s;
        QTest::addRow("import: mapping value type")
            << u"import_records"_s << obj(R"({"csv":"id,name\n","kind":"customers","mapping":{"a":5}})")
            << u"mapping.a"_s;
        QTest::addRow("import: empty csv")
            << u"import_records"_s << obj(R"({"csv":"","kind":"customers"})") << u"csv"_s;
        QTest::addRow("import: skip_invalid type")
            << u"import_records"_s << obj(R"({"csv":"x","kind":"customers","skip_invalid":"yes"})")
            << u"skip_invalid"_s;
        QTest::addRow("import: unknown property")
            << u"import_records"_s << obj(R"({"csv":"x","kind":"customers","dry_run":true})") << u"dry_run"_s;
        QTest::addRow("import: missing column")
            << u"import_records"_s << obj(R"({"csv":"id,company\n1,x\n","kind":"customers"})") << u"csv"_s;
        QTest::addRow("import: mapping names no column")
            << u"import_records"_s << obj(R"({"csv":"id,name\n","kind":"customers","mapping":{"X":"id"}})")
            << u"mapping.X"_s;
        QTest::addRow("import: upsert of events")
            << u"import_records"_s << obj(R"({"csv":"x\n","kind":"usage_events","mode":"upsert"})") << u"mode"_s;
        QTest::addRow("train: folds range") << u"train_churn_model"_s << obj(R"({"folds":1})") << u"folds"_s;
        QTest::addRow("train: horizon range")
            << u"train_churn_model"_s << obj(R"({"horizon_days":400})") << u"horizon_days"_s;
        QTest::addRow("train: wrong type") << u"train_churn_model"_s << obj(R"({"activate":"no"})") << u"activate"_s;
    }

    void badArguments()
    {
        QFETCH(QString, tool);
        QFETCH(QJsonObject, args);
        QFETCH(QString, field);
        auto h = makeHarness();
        QVERIFY(h->isReady());
        auto outcome = h->call(tool, args);
        QVERIFY2(!outcome.ok, qPrintable(ToolHarness::dump(outcome.structured)));
        QCOMPARE(outcome.error.code, Core::ErrorCode::InvalidArgument);
        QVERIFY2(outcome.error.field == field || outcome.error.message.contains(field),
            qPrintable(outcome.error.toString()));
        QCOMPARE(count(h->db.db(), u"customers"_s), 0);
    }

    // ---- (d) writes: read back through the services ---------------------------------------------------------

    void importCustomersReadsBack()
    {
        auto h = makeHarness();
        QVERIFY(h->isReady());
        const QJsonObject args {
            { u"csv"_s,
                u"Account,name,tier,arr,plan,seats\n"
                u"a1,Alpha,enterprise,50000,pro,10\n"
                u"a2,Beta,smb,1200,basic,3\n"_s },
            { u"kind"_s, u"customers"_s },
            { u"mapping"_s, QJsonObject { { u"Account"_s, u"id"_s } } },
        };
        auto outcome = h->call(u"import_records"_s, args);
        CS_VERIFY_TOOL_OK(outcome);
        QVERIFY(!outcome.isToolError);
        QCOMPARE(outcome.structured.value(u"inserted"_s).toInt(), 2);
        QCOMPARE(outcome.structured.value(u"committed"_s).toBool(), true);
        auto alpha = h->services->customers().get(u"a1"_s);
        QVERIFY(alpha.ok());
        QCOMPARE(alpha->name, u"Alpha"_s);
        QCOMPARE(alpha->arr, 50000.0);
        QCOMPARE(alpha->customFields.value(u"seats"_s).toDouble(), 10.0);
        QCOMPARE(alpha->customFields.value(u"plan"_s).toString(), u"pro"_s);
        const QJsonArray custom = outcome.structured.value(u"custom_fields"_s).toArray();
        QCOMPARE(custom.size(), 2);

        // Upsert changes the stored record; the service reads the new value.
        auto upsert = h->call(u"import_records"_s,
            obj(R"({"csv":"id,name,arr\na1,Alpha,65000\n","kind":"customers",)"
                R"("mode":"upsert"})"));
        CS_VERIFY_TOOL_OK(upsert);
        QCOMPARE(upsert.structured.value(u"updated"_s).toInt(), 1);
        QCOMPARE(h->services->customers().get(u"a1"_s)->arr, 65000.0);
        QCOMPARE(h->services->customers().get(u"a1"_s)->meta.version, 2);
    }

    void importWithErrorsWritesNothing()
    {
        auto h = makeHarness();
        QVERIFY(h->isReady());
        const QJsonObject args { { u"csv"_s, u"id,name,arr\nok1,Fine,10\nbad,Broken,ten\n"_s },
            { u"kind"_s, u"customers"_s } };
        auto outcome = h->call(u"import_records"_s, args);
        QVERIFY(outcome.ok);
        QVERIFY(outcome.isToolError);
        const QString schemaErrors = outcomeSchema(*h, outcome.structured);
        QVERIFY2(schemaErrors.isEmpty(), qPrintable(schemaErrors));
        QCOMPARE(outcome.structured.value(u"committed"_s).toBool(), false);
        QCOMPARE(outcome.structured.value(u"inserted"_s).toInt(), 0);
        const QJsonObject error = outcome.structured.value(u"errors"_s).toArray().first().toObject();
        QCOMPARE(error.value(u"line"_s).toInt(), 3);
        QCOMPARE(error.value(u"column"_s).toString(), u"arr"_s);
        QCOMPARE(error.value(u"column_number"_s).toInt(), 3);
        QCOMPARE(error.value(u"text"_s).toString(), u"line 3, column arr (3): not a number"_s);
        QVERIFY(!h->services->customers().get(u"ok1"_s).ok());

        QJsonObject skipping = args;
        skipping.insert(u"skip_invalid"_s, true);
        auto partial = h->call(u"import_records"_s, skipping);
        CS_VERIFY_TOOL_OK(partial);
        QVERIFY(!partial.isToolError);
        QCOMPARE(partial.structured.value(u"inserted"_s).toInt(), 1);
        QCOMPARE(partial.structured.value(u"skipped"_s).toInt(), 1);
        QVERIFY(h->services->customers().get(u"ok1"_s).ok());
        QVERIFY(!h->services->customers().get(u"bad"_s).ok());
    }

    void importChildRecordsOnTheDemo()
    {
        auto h = makeHarness();
        QVERIFY(h->isReady());
        QVERIFY(h->call(u"import_records"_s, obj(R"({"csv":"id,name\nc1,One\nc2,Two\n","kind":"customers"})")).ok);
        auto contacts = h->call(u"import_records"_s,
            obj(R"({"csv":"customer_id,name,email\nc1,Ann,ann@one.io\nc2,Bo,bo@two.io\n",)"
                R"("kind":"contacts"})"));
        CS_VERIFY_TOOL_OK(contacts);
        QCOMPARE(contacts.structured.value(u"inserted"_s).toInt(), 2);
        auto resolved = h->services->search().resolve(u"bo@two.io"_s);
        QVERIFY(resolved.ok());
        QCOMPARE(resolved->first().customer.id, u"c2"_s);

        auto events = h->call(u"import_records"_s,
            obj(R"({"csv":"customer_id,occurred_at,event_type\nc1,2026-06-01T10:00:00Z,login\n)"
                R"(c1,2026-06-02T10:00:00Z,login\n","kind":"usage_events"})"));
        CS_VERIFY_TOOL_OK(events);
        QCOMPARE(events.structured.value(u"inserted"_s).toInt(), 2);
        QCOMPARE(count(h->db.db(), u"usage_events"_s, u"customer_id = 'c1'"_s), 2);
        QVERIFY(events.structured.value(u"daily_usage_rows_rebuilt"_s).toInt() > 0);

        auto tickets = h->call(u"import_records"_s,
            obj(R"({"csv":"customer_id,subject,external_id\nc1,Printer on fire,Z-9\n","kind":"tickets"})"));
        CS_VERIFY_TOOL_OK(tickets);
        auto found = h->services->search().search({ u"printer"_s, { Core::SearchKind::Ticket }, {}, 5, {} });
        QVERIFY(found.ok());
        QCOMPARE(found->total, 1);

        auto responses = h->call(u"import_records"_s,
            obj(R"({"csv":"customer_id,kind,score\nc1,nps,9\nc2,nps,2\n","kind":"survey_responses"})"));
        CS_VERIFY_TOOL_OK(responses);
        QCOMPARE(count(h->db.db(), u"survey_responses"_s, u"nps_category = 'promoter'"_s), 1);
        QCOMPARE(count(h->db.db(), u"survey_responses"_s, u"nps_category = 'detractor'"_s), 1);
    }

    void importProgressCancellationAndSize()
    {
        auto h = makeHarness();
        QVERIFY(h->isReady());
        QString csv = u"id,name\n"_s;
        for (int i = 0; i < 5000; ++i)
            csv += u"c%1,Customer %1\n"_s.arg(i);
        auto outcome = h->call(u"import_records"_s, QJsonObject { { u"csv"_s, csv }, { u"kind"_s, u"customers"_s } });
        CS_VERIFY_TOOL_OK(outcome);
        QVERIFY(h->progress.size() >= 2);
        QCOMPARE(h->progress.last().done, h->progress.last().total);
        QCOMPARE(count(h->db.db(), u"customers"_s), 5000);

        h->cancelRequested = true;
        auto cancelled = h->call(u"import_records"_s,
            QJsonObject { { u"csv"_s, csv.replace(u",Customer"_s, u",Renamed"_s) }, { u"kind"_s, u"customers"_s },
                { u"mode"_s, u"upsert"_s } });
        h->cancelRequested = false;
        QVERIFY(!cancelled.ok);
        QCOMPARE(cancelled.error.code, Core::ErrorCode::Cancelled);
        QCOMPARE(count(h->db.db(), u"customers"_s, u"name LIKE 'Renamed%'"_s), 0);

        // 4 MiB is counted in bytes of UTF-8: 2.2 M two-byte characters pass the schema's length and are refused.
        QString big = u"id,name\nx,"_s + QString(2'200'000, QChar(0xE9)) + u'\n';
        auto tooBig = h->call(u"import_records"_s, QJsonObject { { u"csv"_s, big }, { u"kind"_s, u"customers"_s } });
        QVERIFY(!tooBig.ok);
        QCOMPARE(tooBig.error.field, u"csv"_s);
        QVERIFY2(tooBig.error.message.contains(u"4 MiB"_s), qPrintable(tooBig.error.toString()));
    }

private:
    static QString outcomeSchema(ToolHarness &h, const QJsonObject &structured)
    {
        return outputSchemaErrors(h, u"import_records"_s, structured);
    }
};

QTEST_GUILESS_MAIN(TestToolsSearch)
#include "tst_tools_search.moc"
