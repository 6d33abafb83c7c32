// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// CsvImporter: every record kind, custom fields, per-line errors, all-or-nothing versus skip_invalid, insert versus
// upsert, mappings, progress and cancellation. Built twice: SQLite (label unit) and PostgreSQL (label pg).
#include <utility>

#include <QBuffer>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "columns.h"
#include "csvimporter.h"
#include "fakeclock.h"
#include "healthservice.h"
#include "sql.h"
#include "supportservice.h"
#include "tables_accounts.h"
#include "tables_customers.h"
#include "tables_feedback.h"
#include "tables_health.h"
#include "tables_support.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using Core::ImportKind;
using Core::ImportMode;
using Core::ImportOptions;

namespace {

qint64 count(Storage::Database &db, const QString &table, const QString &where = {})
{
    auto q
        = Storage::exec(db, u"SELECT COUNT(*) FROM "_s + table + (where.isEmpty() ? QString() : u" WHERE "_s + where));
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

ImportOptions options(ImportKind kind, ImportMode mode = ImportMode::Insert, bool skipInvalid = false)
{
    ImportOptions o;
    o.kind = kind;
    o.mode = mode;
    o.skipInvalid = skipInvalid;
    return o;
}

const QByteArray kCustomers = "id,name,tier,arr,status,churned_at,contract_start,renewal_date,plan,seats,region_code\n"
                              "acme,Acme Corp,enterprise,120000,active,,2025-01-01,2026-01-01,pro,40,12\n"
                              "globex,Globex,smb,9000.50,churned,2026-02-01,2024-06-01,,basic,,n/a\n"
                              "initech,Initech,Mid Market,30000,trial,,,,pro,12,7\n"_ba;

} // namespace

class TestCsvImporter : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestUtils::TestDatabase> m_db;
    TestUtils::FakeClock m_clock;
    std::unique_ptr<Core::CsvImporter> m_importer;

    Storage::Database &db() { return m_db->db(); }

    void importCustomersFixture()
    {
        auto report = m_importer->importCsv(kCustomers, options(ImportKind::Customers));
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QVERIFY(report->committed);
    }

    // usage_daily as text rows, in key order.
    QStringList dailyUsage()
    {
        QStringList rows;
        auto q = Storage::exec(db(),
            u"SELECT customer_id, day, feature, events, active_users, quantity FROM usage_daily "
            "ORDER BY customer_id, day, feature"_s);
        while (q && q->next()) {
            QDate day;
            Storage::Convert::fromSql(q->value(1), day);
            rows << u"%1 %2 '%3' %4 %5 %6"_s
                        .arg(q->value(0).toString(), day.toString(Qt::ISODate), q->value(2).toString(),
                            q->value(3).toString(), q->value(4).toString())
                        .arg(q->value(5).toDouble());
        }
        return rows;
    }

    // usage_daily as HealthService::rebuildDailyUsage() computes it from every event (April to June 2026).
    QStringList rebuiltDailyUsage()
    {
        Core::HealthService health(db(), m_clock);
        auto done = health.rebuildDailyUsage(QDate(2026, 4, 1), QDate(2026, 6, 30));
        return done ? dailyUsage() : QStringList { done.error().toString() };
    }

    // A table's indexes with their definitions.
    QStringList indexes(const QString &table)
    {
        const bool sqlite = db().dialect() == Storage::Dialect::Sqlite;
        auto q = Storage::exec(db(),
            sqlite ? u"SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                     "ORDER BY name"_s
                   : u"SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ? ORDER BY indexname"_s,
            { table });
        QStringList list;
        while (q && q->next())
            list << q->value(0).toString() + u": "_s + q->value(1).toString();
        return list;
    }

private Q_SLOTS:
    void init()
    {
        CS_REQUIRE_BACKEND();
        m_db = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_db->isOpen(), qPrintable(m_db->error()));
        m_importer = std::make_unique<Core::CsvImporter>(db(), m_clock);
    }

    void cleanup()
    {
        m_importer.reset();
        m_db.reset();
    }

    // Imported customers enter the renewal pipeline and the timeline as customers registered in the window do
    // (CustomerService::recordWritten): an open renewal for an active or trial customer's renewal date, moved along
    // by an upsert that changes the date; nothing of it stays when the file is refused.
    void importedCustomersJoinTheRenewalPipelineAndTimeline()
    {
        importCustomersFixture();
        const auto renewalRows = [this] {
            QStringList rows;
            auto q = Storage::exec(db(),
                u"SELECT id, customer_id, renewal_date, arr_current, stage FROM renewals WHERE deleted_at IS NULL "
                "ORDER BY customer_id, renewal_date"_s);
            while (q && q->next()) {
                QDate day;
                Storage::Convert::fromSql(q->value(2), day);
                rows << u"%1 %2 %3 %4 %5"_s.arg(q->value(0).toString(), q->value(1).toString(),
                    day.toString(Qt::ISODate), QString::number(q->value(3).toDouble()), q->value(4).toString());
            }
            return rows;
        };
        const auto titles = [this](const QString &customerId) {
            QStringList list;
            auto q = Storage::exec(
                db(), u"SELECT kind, title FROM timeline_events WHERE customer_id = ? ORDER BY id"_s, { customerId });
            while (q && q->next())
                list << q->value(0).toString() + u": "_s + q->value(1).toString();
            return list;
        };
        // acme (active, renewal 2026-01-01) renews; globex is churned; initech has no renewal date.
        QStringList renewals = renewalRows();
        QCOMPARE(renewals.size(), 1);
        const QString acmeRenewalId = renewals.first().section(u' ', 0, 0);
        QCOMPARE(renewals.first().section(u' ', 1), u"acme 2026-01-01 120000 upcoming"_s);
        QCOMPARE(titles(u"acme"_s),
            (QStringList { u"lifecycle: Customer registered: Acme Corp (enterprise, ARR 120000 USD)"_s,
                u"renewal: Renewal created for 2026-01-01 (ARR 120000 USD)"_s }));
        QCOMPARE(
            titles(u"globex"_s), (QStringList { u"lifecycle: Customer registered: Globex (smb, ARR 9000.50 USD)"_s }));
        QCOMPARE(count(db(), u"timeline_events"_s), 4);

        // An upsert that moves acme's renewal date moves its open renewal, as an edit in the window would.
        auto moved = m_importer->importCsv(
            "id,name,renewal_date\nacme,Acme Corp,2026-03-01\n"_ba, options(ImportKind::Customers, ImportMode::Upsert));
        QVERIFY2(moved, moved ? "" : qPrintable(moved.error().toString()));
        QCOMPARE(moved->updated, 1);
        renewals = renewalRows();
        QCOMPARE(renewals.size(), 1);
        QCOMPARE(renewals.first(), acmeRenewalId + u" acme 2026-03-01 120000 upcoming"_s);
        const QStringList acme = titles(u"acme"_s);
        QCOMPARE(acme.size(), 4);
        QCOMPARE(acme.at(2), u"contract: Profile changed: renewal_date 2026-01-01 → 2026-03-01"_s);
        QCOMPARE(acme.at(3), u"renewal: Renewal moved from 2026-01-01 to 2026-03-01"_s);

        // A refused file (an error, no skip_invalid) leaves no customer, renewal or event behind.
        auto refused = m_importer->importCsv(
            "id,name,renewal_date,arr\nnewco,NewCo,2026-09-01,100\nbad,Bad,,-5\n"_ba, options(ImportKind::Customers));
        QVERIFY(refused);
        QVERIFY(!refused->committed);
        QCOMPARE(count(db(), u"customers"_s, u"id = 'newco'"_s), 0);
        QCOMPARE(renewalRows().size(), 1);
        QCOMPARE(count(db(), u"timeline_events"_s), 6);
    }

    void customersWithCustomFields()
    {
        QSignalSpy imported(m_importer.get(), &Core::CsvImporter::recordsImported);
        auto report = m_importer->importCsv(kCustomers, options(ImportKind::Customers));
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QCOMPARE(report->read, 3);
        QCOMPARE(report->inserted, 3);
        QCOMPARE(report->updated, 0);
        QCOMPARE(report->skipped, 0);
        QCOMPARE(report->errorCount, 0);
        QVERIFY(report->committed);
        QCOMPARE(imported.size(), 1);
        QCOMPARE(report->columns.last(), u"custom.region_code"_s);

        Storage::CustomerRepository customers(db());
        auto acme = customers.get(u"acme"_s);
        QVERIFY(acme);
        QCOMPARE(acme->name, u"Acme Corp"_s);
        QCOMPARE(acme->tier, Domain::Tier::Enterprise);
        QCOMPARE(acme->arr, 120000.0);
        QCOMPARE(acme->contractStart, QDate(2025, 1, 1));
        QCOMPARE(acme->renewalDate, QDate(2026, 1, 1));
        QCOMPARE(acme->meta.version, 1);
        // plan: categorical text; seats: numeric (every non-empty value is a number); region_code: "n/a" → text.
        QCOMPARE(acme->customFields.value(u"plan"_s).typeId(), QMetaType::QString);
        QCOMPARE(acme->customFields.value(u"seats"_s).toDouble(), 40.0);
        QVERIFY(acme->customFields.value(u"seats"_s).typeId() != QMetaType::QString);
        QCOMPARE(acme->customFields.value(u"region_code"_s), QVariant(u"12"_s));
        auto globex = customers.get(u"globex"_s);
        QVERIFY(globex);
        QCOMPARE(globex->status, Domain::CustomerStatus::Churned);
        QCOMPARE(globex->churnedAt, QDate(2026, 2, 1));
        QCOMPARE(globex->arr, 9000.5);
        QVERIFY(!globex->customFields.contains(u"seats"_s)); // empty cell: not set
        auto initech = customers.get(u"initech"_s);
        QVERIFY(initech);
        QCOMPARE(initech->tier, Domain::Tier::MidMarket); // "Mid Market" read as mid_market

        QCOMPARE(report->customFields.size(), 3);
        QCOMPARE(count(db(), u"custom_field_definitions"_s), 3);
        QCOMPARE(count(db(), u"custom_field_definitions"_s, u"key = 'seats' AND data_type = 'numeric'"_s), 1);
        QCOMPARE(count(db(), u"custom_field_definitions"_s, u"key = 'plan' AND data_type = 'categorical'"_s), 1);
        QCOMPARE(count(db(), u"custom_field_definitions"_s, u"key = 'region_code' AND data_type = 'categorical'"_s), 1);
    }

    void errorsImportNothing_data()
    {
        QTest::addColumn<QByteArray>("csv");
        QTest::addColumn<QStringList>("errors");

        QTest::addRow("not a number") << "id,name,arr\na,A,1\nb,B,lots\n"_ba
                                      << QStringList { u"line 3, column arr (3): not a number"_s };
        QTest::addRow("bad enum") << "id,name,tier\na,A,gold\n"_ba
                                  << QStringList { u"line 2, column tier (3): is not one of strategic, enterprise, "
                                                   u"mid_market, smb"_s };
        QTest::addRow("required") << "name,id\nA,\n"_ba << QStringList { u"line 2, column id (2): is required"_s };
        QTest::addRow("bad date") << "id,name,renewal_date\na,A,2026-02-30\n"_ba
                                  << QStringList { u"line 2, column renewal_date (3): not a date (yyyy-MM-dd)"_s };
        QTest::addRow("record rule") << "id,name,status\na,A,churned\n"_ba
                                     << QStringList { u"line 2, churned_at: is required when status is churned"_s };
        QTest::addRow("two cells, one line") << "id,name,arr,tier\na,A,x,y\n"_ba
                                             << QStringList { u"line 2, column arr (3): not a number"_s,
                                                    u"line 2, column tier (4): is not one of strategic, "
                                                    u"enterprise, mid_market, smb"_s };
        QTest::addRow("ragged") << "id,name\na,A\nb\n"_ba
                                << QStringList { u"line 3: has 1 fields, the header has 2"_s };
        QTest::addRow("duplicate in file")
            << "id,name\na,A\nb,B\na,again\n"_ba
            << QStringList { u"line 4, column id (1): 'a' appears again (first on line 2)"_s };
        QTest::addRow("multi-line record") << "id,name,arr\n\"a\",\"two\nlines\",\nb,B,-5\n"_ba
                                           << QStringList { u"line 4, column arr (3): must be between 0 and 1e+12"_s };
    }

    void errorsImportNothing()
    {
        QFETCH(QByteArray, csv);
        QFETCH(QStringList, errors);
        auto report = m_importer->importCsv(csv, options(ImportKind::Customers));
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QStringList actual;
        for (const auto &e : report->errors)
            actual << e.toString();
        QCOMPARE(actual, errors);
        QCOMPARE(report->errorCount, errors.size());
        QVERIFY(!report->committed);
        QCOMPARE(report->inserted, 0);
        QCOMPARE(report->skipped, report->read);
        QCOMPARE(count(db(), u"customers"_s), 0);
    }

    void skipInvalidKeepsTheValidRows()
    {
        auto report = m_importer->importCsv(
            "id,name,arr\na,A,1\nb,B,lots\nc,C,3\n,D,4\n"_ba, options(ImportKind::Customers, ImportMode::Insert, true));
        QVERIFY(report);
        QVERIFY(report->committed);
        QCOMPARE(report->read, 4);
        QCOMPARE(report->inserted, 2);
        QCOMPARE(report->skipped, 2);
        QCOMPARE(report->errorCount, 2);
        QCOMPARE(report->errors.at(0).line, 3);
        QCOMPARE(report->errors.at(0).column, u"arr"_s);
        QCOMPARE(report->errors.at(0).columnNumber, 3);
        QCOMPARE(report->errors.at(1).line, 5);
        QCOMPARE(count(db(), u"customers"_s), 2);
        QCOMPARE(count(db(), u"customers"_s, u"id IN ('a', 'c')"_s), 2);
    }

    void errorListIsCapped()
    {
        QByteArray csv = "id,name,arr\n"_ba;
        for (int i = 0; i < 150; ++i)
            csv += "c" + QByteArray::number(i) + ",Name,bad\n";
        auto report = m_importer->importCsv(csv, options(ImportKind::Customers));
        QVERIFY(report);
        QCOMPARE(report->errors.size(), Core::ImportReport::kMaxErrors);
        QCOMPARE(report->errorCount, 150);
        QCOMPARE(report->errors.last().line, 101);
    }

    void insertRefusesExistingIds()
    {
        importCustomersFixture();
        auto report = m_importer->importCsv("id,name\nnew1,New\nacme,Acme again\n"_ba, options(ImportKind::Customers));
        QVERIFY(report);
        QVERIFY(!report->committed);
        QCOMPARE(report->errorCount, 1);
        QCOMPARE(report->errors.first().toString(),
            u"line 3, column id (1): customer 'acme' already exists (mode upsert updates it)"_s);
        QCOMPARE(count(db(), u"customers"_s), 3);
    }

    void upsertUpdatesOnlyTheFilesColumns()
    {
        importCustomersFixture();
        auto report = m_importer->importCsv("id,name,arr,plan\nacme,Acme Inc,150000,enterprise\nnewco,NewCo,10,\n"_ba,
            options(ImportKind::Customers, ImportMode::Upsert));
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QVERIFY(report->committed);
        QCOMPARE(report->updated, 1);
        QCOMPARE(report->inserted, 1);
        Storage::CustomerRepository customers(db());
        auto acme = customers.get(u"acme"_s);
        QVERIFY(acme);
        QCOMPARE(acme->name, u"Acme Inc"_s);
        QCOMPARE(acme->arr, 150000.0);
        QCOMPARE(acme->tier, Domain::Tier::Enterprise); // not in the file: kept
        QCOMPARE(acme->renewalDate, QDate(2026, 1, 1)); // kept
        QCOMPARE(acme->customFields.value(u"plan"_s).toString(), u"enterprise"_s);
        QCOMPARE(acme->customFields.value(u"seats"_s).toDouble(), 40.0); // kept
        QCOMPARE(acme->meta.version, 2);
        QCOMPARE(count(db(), u"customers"_s), 4);
    }

    void mappingAndHeaderSpelling()
    {
        ImportOptions o = options(ImportKind::Customers);
        o.mapping.insert(u"Account Name"_s, u"name"_s);
        o.mapping.insert(u"Account"_s, u"id"_s);
        auto report
            = m_importer->importCsv("Account,Account Name,Lifecycle Stage,Notes\nx1,X One,at_risk,hello\n"_ba, o);
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QVERIFY(report->committed);
        QCOMPARE(report->columns, (QStringList { u"id"_s, u"name"_s, u"lifecycle_stage"_s, u"custom.Notes"_s }));
        auto x1 = Storage::CustomerRepository(db()).get(u"x1"_s);
        QVERIFY(x1);
        QCOMPARE(x1->name, u"X One"_s);
        QCOMPARE(x1->lifecycleStage, Domain::LifecycleStage::AtRisk);
        QCOMPARE(x1->customFields.value(u"Notes"_s).toString(), u"hello"_s);
    }

    void fileLevelErrors_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QByteArray>("csv");
        QTest::addColumn<QString>("mappingFrom");
        QTest::addColumn<QString>("mappingTo");
        QTest::addColumn<int>("mode");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("messagePart");

        const int customers = int(ImportKind::Customers);
        QTest::addRow("empty") << customers << QByteArray() << QString() << QString() << 0 << u"csv"_s << u"is empty"_s;
        QTest::addRow("missing required")
            << customers << "id,company\n1,x\n"_ba << QString() << QString() << 0 << u"csv"_s << u"no column 'name'"_s;
        QTest::addRow("broken quotes") << customers << "id,name\n\"a,b\n"_ba << QString() << QString() << 0 << u"csv"_s
                                       << u"line 2, column 1"_s;
        QTest::addRow("invalid utf-8") << customers << "id,name\na,\xC3\x28\n"_ba << QString() << QString() << 0
                                       << u"csv"_s << u"line 2, column 2"_s;
        QTest::addRow("mapping names no column")
            << customers << "id,name\n"_ba << u"Nope"_s << u"name"_s << 0 << u"mapping.Nope"_s << u"no column"_s;
        QTest::addRow("mapping to unknown field") << int(ImportKind::Contacts) << "cid,name\n"_ba << u"cid"_s
                                                  << u"customer"_s << 0 << u"mapping.cid"_s << u"not a field"_s;
        QTest::addRow("two columns one field")
            << customers << "id,name,Name\n"_ba << QString() << QString() << 0 << u"csv"_s << u"both map to 'name'"_s;
        QTest::addRow("usage upsert") << int(ImportKind::UsageEvents) << "customer_id\n"_ba << QString() << QString()
                                      << 1 << u"mode"_s << u"append-only"_s;
        QTest::addRow("responses upsert") << int(ImportKind::SurveyResponses) << "customer_id\n"_ba << QString()
                                          << QString() << 1 << u"mode"_s << u"insert"_s;
    }

    void fileLevelErrors()
    {
        QFETCH(int, kind);
        QFETCH(QByteArray, csv);
        QFETCH(QString, mappingFrom);
        QFETCH(QString, mappingTo);
        QFETCH(int, mode);
        QFETCH(QString, field);
        QFETCH(QString, messagePart);
        ImportOptions o = options(ImportKind(kind), ImportMode(mode));
        if (!mappingFrom.isEmpty())
            o.mapping.insert(mappingFrom, mappingTo);
        auto report = m_importer->importCsv(csv, o);
        QVERIFY(!report);
        QCOMPARE(report.error().code, Core::ErrorCode::InvalidArgument);
        QCOMPARE(report.error().field, field);
        QVERIFY2(report.error().message.contains(messagePart), qPrintable(report.error().toString()));
    }

    void contacts()
    {
        importCustomersFixture();
        auto report = m_importer->importCsv("customer_id,name,email,role,is_primary,Shoe Size\n"
                                            "acme,Ada,ADA@acme.io,champion,yes,42\n"
                                            "acme,Bob,bob@acme.io,,no,\n"
                                            "globex,Gina,gina@globex.com,executive sponsor,true,\n"_ba,
            options(ImportKind::Contacts));
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QVERIFY(report->committed);
        QCOMPARE(report->inserted, 3);
        QCOMPARE(report->ignoredColumns, QStringList { u"Shoe Size"_s });
        QCOMPARE(count(db(), u"contacts"_s, u"email = 'ada@acme.io' AND is_primary AND role = 'champion'"_s), 1);

        // Problems: unknown customer, a second primary, an existing address (insert mode), a bad e-mail.
        report = m_importer->importCsv("customer_id,name,email,is_primary\n"
                                       "nobody,N,n@x.io,no\n"
                                       "acme,Carl,carl@acme.io,yes\n"
                                       "acme,Ada Again,ada@acme.io,no\n"
                                       "globex,Zed,not-an-address,no\n"_ba,
            options(ImportKind::Contacts));
        QVERIFY(report);
        QStringList messages;
        for (const auto &e : report->errors)
            messages << e.toString();
        QCOMPARE(messages,
            (QStringList { u"line 2, column customer_id (1): no customer with id 'nobody'"_s,
                u"line 3, column is_primary (4): customer 'acme' already has a primary contact"_s,
                u"line 4, column email (3): customer 'acme' already has a contact 'ada@acme.io' (mode "
                u"upsert updates it)"_s,
                report->errors.at(3).toString() }));
        QCOMPARE(report->errors.at(3).column, u"email"_s);
        QCOMPARE(count(db(), u"contacts"_s), 3);

        // Upsert matches on customer + e-mail and changes only the file's columns.
        report = m_importer->importCsv("customer_id,email,name,title\nacme,ada@acme.io,Ada L.,CTO\n"_ba,
            options(ImportKind::Contacts, ImportMode::Upsert));
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QCOMPARE(report->updated, 1);
        QCOMPARE(count(db(), u"contacts"_s,
                     u"email = 'ada@acme.io' AND title = 'CTO' AND name = 'Ada L.' AND is_primary AND version = 2"_s),
            1);
    }

    void usageEventsRebuildDailyUsage()
    {
        importCustomersFixture();
        QByteArray csv = "customer_id,occurred_at,event_type,feature,user_ref,quantity\n"_ba;
        for (int day = 1; day <= 10; ++day) {
            for (int k = 0; k < 3; ++k)
                csv += "acme,2026-05-" + QByteArray::number(day).rightJustified(2, '0') + "T10:0"
                    + QByteArray::number(k) + ":00Z,login,dashboard,u" + QByteArray::number(k) + ",1\n";
        }
        csv += "initech,2026-05-03,export,,,2.5\n";
        auto report = m_importer->importCsv(csv, options(ImportKind::UsageEvents));
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QVERIFY(report->committed);
        QCOMPARE(report->inserted, 31);
        QCOMPARE(count(db(), u"usage_events"_s), 31);
        QCOMPARE(count(db(), u"usage_events"_s, u"customer_id = 'initech' AND quantity = 2.5"_s), 1);
        QVERIFY(report->dailyUsageRowsRebuilt > 0);
        QCOMPARE(report->dailyUsageRowsRebuilt, count(db(), u"usage_daily"_s));
        QCOMPARE(count(db(), u"usage_daily"_s, u"customer_id = 'acme' AND feature = '' AND events = 3"_s), 10);

        report = m_importer->importCsv(
            "customer_id,occurred_at,event_type\nacme,yesterday,login\nacme,2026-05-01T10:00:00,x\n"_ba,
            options(ImportKind::UsageEvents));
        QVERIFY(report);
        QCOMPARE(report->errorCount, 2); // no zone: ambiguous, refused
        QCOMPARE(report->errors.at(1).column, u"occurred_at"_s);
        QCOMPARE(count(db(), u"usage_events"_s), 31);
    }

    // usage_daily after each import equals a full rebuild from usage_events (HealthService::rebuildDailyUsage), whether
    // the import's days were new (counted while reading) or already had events (recomputed in SQL); other days and
    // customers are left as they were.
    void usageImportsKeepDailyUsageExact()
    {
        importCustomersFixture();
        const auto daily = [this]() {
            QStringList rows;
            auto q = Storage::exec(db(),
                u"SELECT customer_id, day, feature, events, active_users, quantity FROM usage_daily "
                "ORDER BY customer_id, day, feature"_s);
            while (q && q->next()) {
                QDate day;
                Storage::Convert::fromSql(q->value(1), day);
                rows << u"%1 %2 '%3' %4 %5 %6"_s
                            .arg(q->value(0).toString(), day.toString(Qt::ISODate), q->value(2).toString(),
                                q->value(3).toString(), q->value(4).toString())
                            .arg(q->value(5).toDouble());
            }
            return rows;
        };
        const auto rebuilt = [&]() {
            Core::HealthService health(db(), m_clock);
            auto done = health.rebuildDailyUsage(QDate(2026, 4, 1), QDate(2026, 6, 30));
            return done ? daily() : QStringList { done.error().toString() };
        };
        const QByteArray header = "customer_id,occurred_at,event_type,feature,user_ref,quantity\n"_ba;
        const QList<QByteArray> files {
            // New days: counted from the file.
            header
                + "acme,2026-05-01T10:00:00Z,login,dashboard,u1,1\nacme,2026-05-01T11:00:00Z,login,dashboard,u1,2\n"
                  "acme,2026-05-01T12:00:00Z,export,reports,u2,0.5\nacme,2026-05-01T23:59:59.999Z,x,,,1\n"
                  "initech,2026-05-02T00:00:00Z,login,dashboard,u1,1\n"_ba,
            // 2026-05-01 already has events for acme: recomputed from every event of the day.
            header + "acme,2026-05-01T13:00:00Z,login,dashboard,u3,1\nacme,2026-05-03T08:00:00+02:00,login,,u1,4\n"_ba,
            // Other days again, while earlier days hold events.
            header
                + "initech,2026-05-20T09:00:00Z,login,reports,,1\ninitech,2026-05-20T10:00:00Z,login,reports,u9,1\n"_ba,
        };
        for (const QByteArray &file : files) {
            auto report = m_importer->importCsv(file, options(ImportKind::UsageEvents));
            QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
            QVERIFY(report->committed);
            QVERIFY(report->dailyUsageRowsRebuilt > 0);
            const QStringList imported = daily();
            QCOMPARE(imported, rebuilt());
        }
        QCOMPARE(daily(),
            QStringList({ u"acme 2026-05-01 '' 5 3 5.5"_s, u"acme 2026-05-01 'dashboard' 3 2 4"_s,
                u"acme 2026-05-01 'reports' 1 1 0.5"_s, u"acme 2026-05-03 '' 1 1 4"_s, u"initech 2026-05-02 '' 1 1 1"_s,
                u"initech 2026-05-02 'dashboard' 1 1 1"_s, u"initech 2026-05-20 '' 2 1 2"_s,
                u"initech 2026-05-20 'reports' 2 1 2"_s }));
    }

    // Files big enough that the importer builds usage_events' indexes after the rows (SQLite, more rows than the table
    // held), with every (customer, day) touched many times and out of order: usage_daily still equals a full rebuild,
    // the day counts are the ones the file holds, and the indexes are back as they were.
    void largeUsageImportsKeepDailyUsageExact()
    {
        importCustomersFixture();
        const QStringList indexesBefore = indexes(u"usage_events"_s);
        QVERIFY(indexesBefore.size() >= 2);
        const char *const customers[] = { "acme", "globex", "initech" };
        const char *const features[] = { "dashboard", "", "reports", "export" };
        QHash<QString, int> expectedPerDay; // "customer day" → events
        const auto file = [&](int rows, int firstDay, int days, quint32 seed) {
            QByteArray csv = "customer_id,occurred_at,event_type,feature,user_ref,quantity\n"_ba;
            quint32 x = seed;
            for (int i = 0; i < rows; ++i) {
                x = x * 1664525u + 1013904223u; // a fixed pseudo-random walk over customers, days and hours
                const char *customer = customers[(x >> 8) % 3];
                const int day = firstDay + int((x >> 12) % quint32(days));
                const QByteArray date = "2026-05-" + QByteArray::number(day).rightJustified(2, '0');
                csv += customer + ","_ba + date + "T" + QByteArray::number((x >> 20) % 24).rightJustified(2, '0') + ":"
                    + QByteArray::number(i % 60).rightJustified(2, '0') + ":00Z,login," + features[(x >> 4) % 4] + ",u"
                    + QByteArray::number((x >> 16) % 7) + "," + QByteArray::number((x >> 24) % 4) + ".25\n";
                ++expectedPerDay[QString::fromLatin1(customer) + u' ' + QString::fromLatin1(date)];
            }
            return csv;
        };
        // Fresh days into an empty table; fresh days again, now with 6,000 rows stored (the indexes go once the
        // import has written as many); then days that already hold events (usage_daily recomputed in SQL).
        const QList<QByteArray> files { file(6000, 1, 10, 7), file(7000, 11, 10, 11), file(5000, 5, 12, 13) };
        qint64 total = 0;
        for (const QByteArray &csv : files) {
            auto report = m_importer->importCsv(csv, options(ImportKind::UsageEvents));
            QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
            QVERIFY(report->committed);
            total += report->inserted;
            QCOMPARE(count(db(), u"usage_events"_s), total);
            QCOMPARE(indexes(u"usage_events"_s), indexesBefore);
            const QStringList imported = dailyUsage();
            QCOMPARE(imported, rebuiltDailyUsage());
        }
        QCOMPARE(total, 18000);
        for (auto it = expectedPerDay.cbegin(); it != expectedPerDay.cend(); ++it) {
            const QStringList key = it.key().split(u' ');
            auto q = Storage::exec(db(),
                u"SELECT events FROM usage_daily WHERE customer_id = ? AND day = ? AND feature = ''"_s,
                { key.at(0), Storage::Convert::toSql(QDate::fromString(key.at(1), Qt::ISODate)) });
            QVERIFY(q && q->next());
            QCOMPARE(q->value(0).toInt(), it.value());
        }
    }

    // An import that fails on its last line writes nothing: the events, usage_daily, the customers and every index
    // are as before — also when the importer had set the indexes aside for a big file.
    void bigFileFailingOnItsLastLineChangesNothing_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QByteArray>("csv");
        QByteArray usage = "customer_id,occurred_at,event_type,feature,user_ref,quantity\n"_ba;
        for (int i = 0; i < 5000; ++i)
            usage += (i % 2 ? "acme" : "initech") + ",2026-06-"_ba
                + QByteArray::number(1 + i % 9).rightJustified(2, '0') + "T10:00:00Z,login,dashboard,u"
                + QByteArray::number(i % 5) + ",1\n";
        QTest::addRow("usage, unknown customer")
            << int(ImportKind::UsageEvents) << (usage + "nobody,2026-06-01,x,,,1\n");
        QTest::addRow("usage, bad quantity") << int(ImportKind::UsageEvents) << (usage + "acme,2026-06-01,x,,,-1\n");
        QByteArray customers = "id,name,tier,arr\n"_ba;
        for (int i = 0; i < 5000; ++i)
            customers += "bulk-" + QByteArray::number(i) + ",Bulk " + QByteArray::number(i) + ",smb,"
                + QByteArray::number(i * 10) + "\n";
        QTest::addRow("customers, duplicate id") << int(ImportKind::Customers) << (customers + "bulk-7,Again,smb,1\n");
    }

    void bigFileFailingOnItsLastLineChangesNothing()
    {
        QFETCH(int, kind);
        QFETCH(QByteArray, csv);
        importCustomersFixture();
        auto first = m_importer->importCsv("customer_id,occurred_at,event_type,feature,user_ref,quantity\n"
                                           "acme,2026-06-01T09:00:00Z,login,dashboard,u1,1\n"
                                           "initech,2026-06-02T09:00:00Z,login,,u2,3\n"_ba,
            options(ImportKind::UsageEvents));
        QVERIFY(first && first->committed);
        const QStringList dailyBefore = dailyUsage();
        const QStringList eventIndexes = indexes(u"usage_events"_s);
        const QStringList customerIndexes = indexes(u"customers"_s);
        const qint64 events = count(db(), u"usage_events"_s);
        const qint64 customers = count(db(), u"customers"_s);

        auto report = m_importer->importCsv(csv, options(ImportKind(kind)));
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QVERIFY(!report->committed);
        QCOMPARE(report->errorCount, 1);
        QCOMPARE(report->errors.first().line, report->read + 1); // the header is line 1
        QCOMPARE(report->inserted, 0);
        QCOMPARE(report->dailyUsageRowsRebuilt, 0);
        QCOMPARE(count(db(), u"usage_events"_s), events);
        QCOMPARE(count(db(), u"customers"_s), customers);
        QCOMPARE(dailyUsage(), dailyBefore);
        QCOMPARE(indexes(u"usage_events"_s), eventIndexes);
        QCOMPARE(indexes(u"customers"_s), customerIndexes);
    }

    // The importer checks usage events' customers itself (SQLite's per-row foreign key lookups are off during the
    // import): a deleted customer's events are refused, and afterwards the connection enforces foreign keys again —
    // deleting a customer removes its events, an event for no customer is refused.
    void usageImportKeepsForeignKeys()
    {
        importCustomersFixture();
        QVERIFY(Storage::exec(db(), u"UPDATE customers SET deleted_at = created_at WHERE id = 'globex'"_s));
        auto report = m_importer->importCsv("customer_id,occurred_at,event_type\n"
                                            "acme,2026-05-01T10:00:00Z,login\nglobex,2026-05-01T10:00:00Z,login\n"_ba,
            options(ImportKind::UsageEvents, ImportMode::Insert, true));
        QVERIFY(report && report->committed);
        QCOMPARE(report->inserted, 1);
        QCOMPARE(report->errors.first().message, u"no customer with id 'globex'"_s);
        report = m_importer->importCsv("customer_id,occurred_at,event_type\ninitech,2026-05-02T10:00:00Z,login\n"_ba,
            options(ImportKind::UsageEvents));
        QVERIFY(report && report->committed);
        QCOMPARE(count(db(), u"usage_daily"_s, u"customer_id = 'initech'"_s), 1);

        QVERIFY(Storage::exec(db(), u"DELETE FROM customers WHERE id = 'initech'"_s));
        QCOMPARE(count(db(), u"usage_events"_s, u"customer_id = 'initech'"_s), 0);
        QCOMPARE(count(db(), u"usage_daily"_s, u"customer_id = 'initech'"_s), 0);
        QCOMPARE(count(db(), u"usage_events"_s, u"customer_id = 'acme'"_s), 1);
        QVERIFY(!Storage::exec(db(),
            u"INSERT INTO usage_events (customer_id, occurred_at, event_type) VALUES ('nobody', ?, 'x')"_s,
            { Storage::Convert::toSql(m_clock.now()) }));
    }

    // A customers file bigger than the table: the portfolio's indexes are built after the rows and answer as before.
    void bigCustomersImportKeepsItsIndexes()
    {
        importCustomersFixture();
        const QStringList before = indexes(u"customers"_s);
        QByteArray csv = "id,name,tier,arr,owner,renewal_date\n"_ba;
        static const char *const tiers[] = { "strategic", "enterprise", "mid_market", "smb" };
        for (int i = 0; i < 5000; ++i)
            csv += "bulk-" + QByteArray::number(i) + ",Bulk " + QByteArray::number(i) + "," + tiers[i % 4] + ","
                + QByteArray::number(i) + ",csm" + QByteArray::number(i % 7) + ",2027-0" + QByteArray::number(1 + i % 9)
                + "-01\n";
        auto report = m_importer->importCsv(csv, options(ImportKind::Customers));
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QVERIFY(report->committed);
        QCOMPARE(report->inserted, 5000);
        QCOMPARE(indexes(u"customers"_s), before);
        QCOMPARE(count(db(), u"customers"_s, u"tier = 'smb' AND deleted_at IS NULL"_s), 1250 + 1); // + globex
        QCOMPARE(count(db(), u"customers"_s, u"owner = 'csm3' AND deleted_at IS NULL"_s), 714);
        QCOMPARE(count(db(), u"customers"_s, u"lower(name) = 'bulk 4321' AND deleted_at IS NULL"_s), 1);
    }

    void usageTimes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QDateTime>("expected"); // invalid: refused
        const auto utc = [](int h, int m, int s, int ms) {
            return QDateTime(QDate(2026, 5, 1), QTime(h, m, s, ms), QTimeZone::utc());
        };
        QTest::addRow("zulu") << u"2026-05-01T10:00:00Z"_s << utc(10, 0, 0, 0);
        QTest::addRow("milliseconds") << u"2026-05-01T10:00:00.250Z"_s << utc(10, 0, 0, 250);
        QTest::addRow("space separator") << u"2026-05-01 10:00:00Z"_s << utc(10, 0, 0, 0);
        QTest::addRow("offset") << u"2026-05-01T12:30:00+02:00"_s << utc(10, 30, 0, 0);
        QTest::addRow("microseconds") << u"2026-05-01T10:00:00.123456Z"_s << utc(10, 0, 0, 123);
        QTest::addRow("date only") << u"2026-05-01"_s << utc(0, 0, 0, 0);
        QTest::addRow("no such day") << u"2026-02-30T10:00:00Z"_s << QDateTime();
        // ISO 8601 end of day, as Domain::parseIsoDateTime reads it: the next midnight.
        QTest::addRow("hour 24") << u"2026-05-01T24:00:00Z"_s
                                 << QDateTime(QDate(2026, 5, 2), QTime(0, 0), QTimeZone::utc());
        QTest::addRow("minute 60") << u"2026-05-01T10:60:00Z"_s << QDateTime();
        QTest::addRow("no zone") << u"2026-05-01T10:00:00"_s << QDateTime();
        QTest::addRow("letters") << u"2026-05-0xT10:00:00Z"_s << QDateTime();
    }

    void usageTimes()
    {
        QFETCH(QString, text);
        QFETCH(QDateTime, expected);
        importCustomersFixture();
        auto report = m_importer->importCsv(u"customer_id,occurred_at,event_type\nacme,%1,login\n"_s.arg(text).toUtf8(),
            options(ImportKind::UsageEvents));
        QVERIFY(report);
        QCOMPARE(report->committed, expected.isValid());
        if (!expected.isValid()) {
            QCOMPARE(report->errors.first().column, u"occurred_at"_s);
            return;
        }
        auto page = Storage::Repository<Domain::UsageEvent>(db()).list({});
        QVERIFY(page);
        QCOMPARE(page->items.size(), 1);
        QCOMPARE(page->items.first().occurredAt, expected);
    }

    void tickets()
    {
        importCustomersFixture();
        auto report = m_importer->importCsv("customer_id,external_id,subject,priority,status,tags,opened_at,csat\n"
                                            "acme,ZD-1,Cannot log in,p1,open,login;sso,2026-06-01T08:00:00Z,\n"
                                            "globex,,Invoice question,,,,,4\n"_ba,
            options(ImportKind::Tickets));
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QCOMPARE(report->inserted, 2);
        Storage::SupportTicketRepository tickets(db());
        Storage::ListQuery query;
        query.orderBy = u"id"_s;
        auto page = tickets.list(query);
        QVERIFY(page);
        QCOMPARE(page->items.size(), 2);
        QCOMPARE(page->items.at(0).tags, (QStringList { u"login"_s, u"sso"_s }));
        QCOMPARE(page->items.at(0).priority, Domain::TicketPriority::P1);
        QCOMPARE(page->items.at(1).openedAt, m_clock.now()); // no opened_at: now
        QCOMPARE(page->items.at(1).csat, 4);

        report = m_importer->importCsv("customer_id,external_id,subject,status\nacme,ZD-1,Cannot log in,solved\n"_ba,
            options(ImportKind::Tickets));
        QVERIFY(report);
        QCOMPARE(report->errorCount, 1);
        QCOMPARE(report->errors.first().column, u"external_id"_s);
        report = m_importer->importCsv("customer_id,external_id,subject,status\nacme,ZD-1,Cannot log in,solved\n"_ba,
            options(ImportKind::Tickets, ImportMode::Upsert));
        QVERIFY(report);
        QCOMPARE(report->updated, 1);
        QCOMPARE(
            count(db(), u"support_tickets"_s, u"external_id = 'ZD-1' AND status = 'solved' AND priority = 'p1'"_s), 1);
    }

    // Imported tickets get the SLA clocks createTicket and a status change give them (default policies, calendar
    // time): due times from opened_at, and a pause from the import for one waiting on the customer.
    void importedTicketsRunTheirSlaClocks()
    {
        importCustomersFixture();
        const QDateTime importedAt(QDate(2026, 6, 15), QTime(12, 0), QTimeZone::utc());
        m_clock.set(importedAt);
        Core::SupportService support(db(), m_clock);
        QVERIFY(support.ensureDefaultSlaPolicies()); // P0 5/60, P1 30/240, P2 120/1440, P3 240/2880 minutes
        auto report = m_importer->importCsv(
            "customer_id,external_id,subject,priority,status,opened_at,first_response_at,resolved_at\n"
            "acme,ZD-1,Down,p1,open,2026-06-15T10:00:00Z,,\n"
            "acme,ZD-2,Export,p2,pending,2026-06-15T08:00:00Z,2026-06-15T08:30:00Z,\n"
            "globex,ZD-3,Invoice,p3,solved,2026-06-01T09:00:00Z,2026-06-01T15:00:00Z,2026-06-02T09:00:00Z\n"
            "globex,ZD-4,Outage,p0,on_hold,2026-06-14T08:00:00Z,2026-06-14T08:03:00Z,\n"_ba,
            options(ImportKind::Tickets));
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QCOMPARE(report->inserted, 4);
        const auto utc = [](int day, int hour, int minute = 0) {
            return QDateTime(QDate(2026, 6, day), QTime(hour, minute), QTimeZone::utc());
        };
        const auto ticket = [&](const QString &externalId) {
            auto q = Storage::exec(db(), u"SELECT id FROM support_tickets WHERE external_id = ?"_s, { externalId });
            const qint64 id = q && q->next() ? q->value(0).toLongLong() : 0;
            auto t = Storage::SupportTicketRepository(db()).get(id);
            return t ? *t : Domain::SupportTicket {};
        };
        const auto sla = [&](const QString &externalId) {
            auto s = support.ticketSla(ticket(externalId).id);
            return s ? *s : Core::TicketSla {};
        };
        // ZD-1: 30 and 240 minutes from 10:00; unanswered at 12:00.
        QCOMPARE(ticket(u"ZD-1"_s).firstResponseDueAt, utc(15, 10, 30));
        QCOMPARE(ticket(u"ZD-1"_s).resolutionDueAt, utc(15, 14));
        QCOMPARE(sla(u"ZD-1"_s).firstResponse.state, Core::SlaState::Breached);
        QCOMPARE(sla(u"ZD-1"_s).resolution.state, Core::SlaState::OnTrack);
        // ZD-2: answered on time; waiting on the customer since the import, so no resolution due time yet.
        QCOMPARE(ticket(u"ZD-2"_s).firstResponseDueAt, utc(15, 10));
        QVERIFY(!ticket(u"ZD-2"_s).resolutionDueAt.isValid());
        QCOMPARE(sla(u"ZD-2"_s).firstResponse.state, Core::SlaState::Met);
        QCOMPARE(sla(u"ZD-2"_s).resolution.state, Core::SlaState::Paused);
        // ZD-3: answered after 6 h (target 4 h), resolved after 24 h (target 48 h).
        QCOMPARE(ticket(u"ZD-3"_s).firstResponseDueAt, utc(1, 13));
        QCOMPARE(ticket(u"ZD-3"_s).resolutionDueAt, utc(3, 9));
        QCOMPARE(sla(u"ZD-3"_s).firstResponse.state, Core::SlaState::Breached);
        QCOMPARE(sla(u"ZD-3"_s).resolution.state, Core::SlaState::Met);
        // ZD-4: its hour ran out the day before it was put on hold: the due time stays, breached.
        QCOMPARE(ticket(u"ZD-4"_s).resolutionDueAt, utc(14, 9));
        QCOMPARE(sla(u"ZD-4"_s).resolution.state, Core::SlaState::Breached);
        QCOMPARE(count(db(), u"ticket_sla_pauses"_s, u"ended_at IS NULL"_s), 2);
        auto pause = Storage::exec(db(),
            u"SELECT status, started_at FROM ticket_sla_pauses WHERE ticket_id = ? AND ended_at IS NULL"_s,
            { ticket(u"ZD-2"_s).id });
        QVERIFY(pause && pause->next());
        QCOMPARE(pause->value(0).toString(), u"pending"_s);
        QDateTime pausedAt;
        Storage::Convert::fromSql(pause->value(1), pausedAt);
        QCOMPARE(pausedAt, importedAt);

        // Two hours later the customer answers ZD-2 (an upsert): the pause ends and the resolution due time is the
        // target plus the 2 h it stood still.
        m_clock.set(importedAt.addSecs(2 * 3600));
        report = m_importer->importCsv("customer_id,external_id,subject,status\nacme,ZD-2,Export,open\n"_ba,
            options(ImportKind::Tickets, ImportMode::Upsert));
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QCOMPARE(report->updated, 1);
        QCOMPARE(count(db(), u"ticket_sla_pauses"_s, u"ended_at IS NULL"_s), 1); // ZD-4's
        QCOMPARE(ticket(u"ZD-2"_s).resolutionDueAt, utc(16, 10));
        QCOMPARE(sla(u"ZD-2"_s).resolution.state, Core::SlaState::OnTrack);

        // ZD-1 moves to a priority without a policy: no target any more, as a status change would leave it.
        QVERIFY(Storage::exec(db(), u"DELETE FROM sla_policies WHERE priority = 'p4'"_s));
        report = m_importer->importCsv("customer_id,external_id,subject,priority\nacme,ZD-1,Down,p4\n"_ba,
            options(ImportKind::Tickets, ImportMode::Upsert));
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QVERIFY(!ticket(u"ZD-1"_s).firstResponseDueAt.isValid());
        QVERIFY(!ticket(u"ZD-1"_s).resolutionDueAt.isValid());
        QCOMPARE(sla(u"ZD-1"_s).firstResponse.state, Core::SlaState::NoTarget);

        // ZD-5, solved at 11:00, is reopened by two imports (pending at 14:00, open at 16:00). It keeps its old
        // resolved_at (an import leaves empty cells alone), which must not end the pause: that lasts 14:00-16:00.
        report = m_importer->importCsv(
            "customer_id,external_id,subject,priority,status,opened_at,first_response_at,resolved_at\n"
            "acme,ZD-5,Login,p2,solved,2026-06-15T10:00:00Z,2026-06-15T10:30:00Z,2026-06-15T11:00:00Z\n"_ba,
            options(ImportKind::Tickets, ImportMode::Upsert));
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QCOMPARE(report->inserted, 1);
        QCOMPARE(ticket(u"ZD-5"_s).resolutionDueAt, utc(16, 10)); // 24 h
        for (const auto &[status, hour] : { std::pair { "pending"_ba, 14 }, std::pair { "open"_ba, 16 } }) {
            m_clock.set(utc(15, hour));
            const QByteArray csv = "customer_id,external_id,subject,status\nacme,ZD-5,Login,"_ba + status + '\n';
            report = m_importer->importCsv(csv, options(ImportKind::Tickets, ImportMode::Upsert));
            QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
            QCOMPARE(report->updated, 1);
        }
        QCOMPARE(ticket(u"ZD-5"_s).resolvedAt, utc(15, 11));
        QCOMPARE(ticket(u"ZD-5"_s).resolutionDueAt, utc(16, 12)); // plus the 2 h it waited
        m_clock.set(QDateTime(QDate(2026, 6, 15), QTime(12, 0), QTimeZone::utc()));
    }

    void surveyResponses()
    {
        importCustomersFixture();
        auto report = m_importer->importCsv("customer_id,kind,score,comment,responded_at,channel\n"
                                            "acme,nps,10,Love it,2026-05-01T12:00:00Z,email\n"
                                            "acme,nps,3,Slow,2026-05-02,in app\n"
                                            "globex,csat,4,,,\n"
                                            "globex,csat,9,,,\n"_ba,
            options(ImportKind::SurveyResponses, ImportMode::Insert, true));
        QVERIFY2(report, report ? "" : qPrintable(report.error().toString()));
        QCOMPARE(report->inserted, 3);
        QCOMPARE(report->errorCount, 1);
        QCOMPARE(report->errors.first().toString(),
            u"line 5, column score (3): must be between 1 and 5 for a csat answer"_s);
        QCOMPARE(count(db(), u"survey_responses"_s, u"kind = 'nps' AND nps_category = 'promoter'"_s), 1);
        QCOMPARE(
            count(db(), u"survey_responses"_s, u"kind = 'nps' AND nps_category = 'detractor' AND channel = 'in_app'"_s),
            1);
        QCOMPARE(count(db(), u"survey_responses"_s, u"kind = 'csat' AND nps_category IS NULL"_s), 1);
    }

    void progressAndCancellation()
    {
        QByteArray csv = "id,name\n"_ba;
        for (int i = 0; i < 50; ++i)
            csv += "c" + QByteArray::number(i) + ",Customer " + QByteArray::number(i) + "\n";
        ImportOptions o = options(ImportKind::Customers);
        o.progressEvery = 10;
        QList<qint64> seen;
        o.progress = [&seen](qint64 done, qint64 total, const QString &) {
            QVERIFY(done <= total);
            seen << done;
        };
        auto report = m_importer->importCsv(csv, o);
        QVERIFY(report);
        QVERIFY(seen.size() >= 5);
        QCOMPARE(seen.last(), csv.size());

        QBuffer device(&csv);
        QVERIFY(device.open(QIODevice::ReadOnly));
        o.mode = ImportMode::Upsert;
        int checks = 0;
        o.isCancelled = [&checks] { return ++checks >= 3; };
        auto cancelled = m_importer->importCsv(&device, o);
        QVERIFY(!cancelled);
        QCOMPARE(cancelled.error().code, Core::ErrorCode::Cancelled);
        QCOMPARE(count(db(), u"customers"_s), 50);
        QCOMPARE(count(db(), u"customers"_s, u"version > 1"_s), 0); // rolled back
    }

    void fieldNames()
    {
        QCOMPARE(Core::CsvImporter::requiredFields(ImportKind::Customers), (QStringList { u"id"_s, u"name"_s }));
        QVERIFY(Core::CsvImporter::fieldNames(ImportKind::Customers).contains(u"lifecycle_stage"_s));
        QCOMPARE(Core::CsvImporter::requiredFields(ImportKind::UsageEvents),
            (QStringList { u"customer_id"_s, u"occurred_at"_s, u"event_type"_s }));
    }
};

QTEST_GUILESS_MAIN(TestCsvImporter)
#include "tst_csvimporter.moc"
