// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The storage suite: built twice, run against SQLite (label unit) and against a real PostgreSQL (label pg).
#include <atomic>

#include <QScopeGuard>
#include <QSqlQuery>
#include <QThread>
#include <QTest>

#include "migrator.h"
#include "sql.h"
#include "tables_customers.h"
#include "testdatabase.h"
#include "transaction.h"

using namespace Qt::StringLiterals;
using Domain::Customer;

class TestStorage final : public QObject {
    Q_OBJECT

private:
    static Customer sampleCustomer(const QString &id = u"acme-corp"_s)
    {
        Customer c;
        c.id = id;
        c.name = u"Acme Corporation"_s;
        c.domain = u"acme.example"_s;
        c.industry = u"Manufacturing"_s;
        c.tier = Domain::Tier::Enterprise;
        c.owner = u"dana@csdesk.example"_s;
        c.arr = 120000;
        c.contractType = Domain::ContractType::Annual;
        c.contractStart = QDate(2026, 1, 1);
        c.contractEnd = QDate(2026, 12, 31);
        c.renewalDate = QDate(2026, 12, 31);
        c.customFields = { { u"seats"_s, 250 }, { u"region"_s, u"EMEA"_s } };
        return c;
    }

    static qint64 count(Storage::Database &db, const QString &table)
    {
        auto q = Storage::exec(db, u"SELECT COUNT(*) FROM "_s + table);
        return q && q->next() ? q->value(0).toLongLong() : -1;
    }

private Q_SLOTS:
    void initTestCase() { CS_REQUIRE_BACKEND(); }

    void migratesFromEmpty()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::Migrator migrator(fixture.db());
        QVERIFY(migrator.latestKnownVersion() >= 9);
        QCOMPARE(fixture.db().schemaVersion(), migrator.latestKnownVersion());
        QCOMPARE(count(fixture.db(), u"schema_migrations"_s), qint64(migrator.available()->size()));
        // Every table of the domain is there and empty.
        for (const QString &table : { u"customers"_s, u"contacts"_s, u"usage_events"_s, u"health_scores"_s,
                                      u"support_tickets"_s, u"survey_responses"_s, u"renewals"_s, u"outbox"_s,
                                      u"timeline_events"_s, u"agent_actions"_s, u"kb_articles"_s })
            QCOMPARE(count(fixture.db(), table), qint64(0));
    }

    void reopeningIsIdempotent()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        const int version = fixture.db().schemaVersion();
        QVERIFY(fixture.reopen());
        QCOMPARE(fixture.db().schemaVersion(), version);
    }

    void migratesAnOlderDatabase()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        const QString url = fixture.createEmptyDatabaseUrl();
        {
            // What an older CS Desk left behind: schema version 1 only, with a customer in it.
            auto old = Storage::Database::open(url, {}, 1);
            QVERIFY2(old, old ? "" : qPrintable(old.error().toString()));
            QCOMPARE((*old)->schemaVersion(), 1);
            QVERIFY(!Storage::exec(**old, u"SELECT COUNT(*) FROM support_tickets"_s)); // not there yet
            QVERIFY(Storage::CustomerRepository(**old).create(sampleCustomer()));
        }
        auto upgraded = Storage::Database::open(url);
        QVERIFY2(upgraded, upgraded ? "" : qPrintable(upgraded.error().toString()));
        Storage::Migrator migrator(**upgraded);
        QCOMPARE((*upgraded)->schemaVersion(), migrator.latestKnownVersion());
        QVERIFY(Storage::CustomerRepository(**upgraded).get(u"acme-corp"_s));
        QCOMPARE(count(**upgraded, u"support_tickets"_s), qint64(0));
        QCOMPARE(count(**upgraded, u"schema_migrations"_s), qint64(migrator.available()->size()));
    }

    // customers.first_usage_day (migration 0016) = the earliest day of the customer's all-features usage_daily
    // rows with events > 0, kept by triggers whatever writes usage_daily. Each row: statements run in order after
    // a fixed start (a: 03-05 and 03-09 all-features, 03-01 a feature row; b: none), then the expected days.
    void firstUsageDayFollowsUsageRows_data()
    {
        QTest::addColumn<QStringList>("statements");
        QTest::addColumn<QString>("firstA");
        QTest::addColumn<QString>("firstB");
        const QString upsert = u"INSERT INTO usage_daily (customer_id, day, feature, events) VALUES (%1) "
                               "ON CONFLICT (customer_id, day, feature) DO UPDATE SET events = excluded.events"_s;
        QTest::newRow("as set up") << QStringList {} << u"2026-03-05"_s << QString();
        QTest::newRow("a later day leaves it")
            << QStringList { upsert.arg(u"'a', '2026-03-20', '', 4"_s) } << u"2026-03-05"_s << QString();
        QTest::newRow("an earlier day lowers it")
            << QStringList { upsert.arg(u"'a', '2026-02-27', '', 1"_s) } << u"2026-02-27"_s << QString();
        QTest::newRow("a feature row or zero events do not count")
            << QStringList { upsert.arg(u"'a', '2026-02-01', 'export', 9"_s), upsert.arg(u"'b', '2026-02-02', '', 0"_s) }
            << u"2026-03-05"_s << QString();
        QTest::newRow("first usage of another customer")
            << QStringList { upsert.arg(u"'b', '2026-04-01', '', 2"_s) } << u"2026-03-05"_s << u"2026-04-01"_s;
        QTest::newRow("zero-event day gains events")
            << QStringList { upsert.arg(u"'b', '2026-02-02', '', 0"_s), upsert.arg(u"'b', '2026-04-01', '', 1"_s),
                             upsert.arg(u"'b', '2026-02-02', '', 3"_s) }
            << u"2026-03-05"_s << u"2026-02-02"_s;
        QTest::newRow("more events on the first day change nothing")
            << QStringList { upsert.arg(u"'a', '2026-03-05', '', 50"_s) } << u"2026-03-05"_s << QString();
        QTest::newRow("first day drops to zero events")
            << QStringList { upsert.arg(u"'a', '2026-03-05', '', 0"_s) } << u"2026-03-09"_s << QString();
        QTest::newRow("first day deleted")
            << QStringList { u"DELETE FROM usage_daily WHERE customer_id = 'a' AND day = '2026-03-05'"_s }
            << u"2026-03-09"_s << QString();
        QTest::newRow("a later day deleted")
            << QStringList { u"DELETE FROM usage_daily WHERE customer_id = 'a' AND day = '2026-03-09'"_s }
            << u"2026-03-05"_s << QString();
        QTest::newRow("all usage deleted") << QStringList { u"DELETE FROM usage_daily"_s } << QString() << QString();
        QTest::newRow("first day moved later")
            << QStringList { u"UPDATE usage_daily SET day = '2026-03-12' WHERE customer_id = 'a' AND day = '2026-03-05'"_s }
            << u"2026-03-09"_s << QString();
        QTest::newRow("a day moved earlier")
            << QStringList { u"UPDATE usage_daily SET day = '2026-01-15' WHERE customer_id = 'a' AND day = '2026-03-09'"_s }
            << u"2026-01-15"_s << QString();
        QTest::newRow("first day becomes a feature row")
            << QStringList { u"UPDATE usage_daily SET feature = 'export' WHERE customer_id = 'a' AND day = '2026-03-05'"_s }
            << u"2026-03-09"_s << QString();
        QTest::newRow("rows move to another customer")
            << QStringList { u"UPDATE usage_daily SET customer_id = 'b' WHERE customer_id = 'a' AND day = '2026-03-05'"_s }
            << u"2026-03-09"_s << u"2026-03-05"_s;
        QTest::newRow("a rebuild of a range (delete, insert again)")
            << QStringList { u"DELETE FROM usage_daily WHERE day >= '2026-03-01' AND day <= '2026-03-31'"_s,
                             upsert.arg(u"'a', '2026-03-09', '', 3"_s) }
            << u"2026-03-09"_s << QString();
    }

    void firstUsageDayFollowsUsageRows()
    {
        QFETCH(QStringList, statements);
        QFETCH(QString, firstA);
        QFETCH(QString, firstB);
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::Database &db = fixture.db();
        QVERIFY(Storage::CustomerRepository(db).create(sampleCustomer(u"a"_s)));
        QVERIFY(Storage::CustomerRepository(db).create(sampleCustomer(u"b"_s)));
        const QStringList setUp {
            u"INSERT INTO usage_daily (customer_id, day, feature, events) VALUES ('a', '2026-03-09', '', 7)"_s,
            u"INSERT INTO usage_daily (customer_id, day, feature, events) VALUES ('a', '2026-03-05', '', 2)"_s,
            u"INSERT INTO usage_daily (customer_id, day, feature, events) VALUES ('a', '2026-03-01', 'export', 5)"_s,
        };
        for (const QString &sql : setUp + statements) {
            auto q = Storage::exec(db, sql);
            QVERIFY2(q, qPrintable(sql + u": "_s + (q ? QString() : q.error().toString())));
        }
        auto q = Storage::exec(db, u"SELECT id, CAST(first_usage_day AS TEXT) FROM customers ORDER BY id"_s);
        QVERIFY(q);
        QStringList days;
        while (q->next())
            days << q->value(1).toString();
        QCOMPARE(days, (QStringList { firstA, firstB }));
        // The rule itself, read from the rows: the triggers never disagree with it.
        auto rule = Storage::exec(db,
            u"SELECT c.id FROM customers c WHERE COALESCE(CAST(c.first_usage_day AS TEXT), '') <> COALESCE(("
            "SELECT CAST(MIN(u.day) AS TEXT) FROM usage_daily u WHERE u.customer_id = c.id AND u.feature = '' "
            "AND u.events > 0), '')"_s);
        QVERIFY(rule);
        QVERIFY2(!rule->next(), qPrintable(u"differs from the rows for "_s + rule->value(0).toString()));
    }

    void firstUsageDayIsFilledInOnUpgrade()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        const QString url = fixture.createEmptyDatabaseUrl();
        {
            // A portfolio from before migration 0016, with usage on record.
            auto old = Storage::Database::open(url, {}, 15);
            QVERIFY2(old, old ? "" : qPrintable(old.error().toString()));
            for (const QString &id : { u"a"_s, u"b"_s, u"c"_s })
                QVERIFY(Storage::CustomerRepository(**old).create(sampleCustomer(id)));
            QVERIFY(Storage::exec(**old,
                u"INSERT INTO usage_daily (customer_id, day, feature, events) VALUES ('a', '2026-05-02', '', 3), "
                "('a', '2026-04-30', '', 1), ('a', '2026-04-01', 'export', 2), ('b', '2026-04-03', '', 0), "
                "('b', '2026-06-01', '', 8)"_s));
        }
        auto upgraded = Storage::Database::open(url);
        QVERIFY2(upgraded, upgraded ? "" : qPrintable(upgraded.error().toString()));
        auto q = Storage::exec(**upgraded, u"SELECT CAST(first_usage_day AS TEXT) FROM customers ORDER BY id"_s);
        QVERIFY(q);
        QStringList days;
        while (q->next())
            days << q->value(0).toString();
        QCOMPARE(days, (QStringList { u"2026-04-30"_s, u"2026-06-01"_s, QString() }));
    }

    // Two desktops on one PostgreSQL portfolio: one removes customer a's first day (03-05, so the next is 03-09) and,
    // before it commits, another writes a's usage. Under READ COMMITTED neither sees the other's rows; migration 0017
    // makes the second wait for the first (an advisory lock usage writers take) so that its own look-up sees the
    // first's commit. Without it the first's answer (03-09) would stand. SQLite has one writer at a time: nothing to race.
    void firstUsageDayUnderConcurrentWriters_data()
    {
        QTest::addColumn<QString>("second");
        QTest::addColumn<QString>("expected");
        QTest::newRow("a day in between added")
            << u"INSERT INTO usage_daily (customer_id, day, feature, events) VALUES ('a', '2026-03-07', '', 1)"_s
            << u"2026-03-07"_s;
        QTest::newRow("the next day removed")
            << u"DELETE FROM usage_daily WHERE customer_id = 'a' AND day = '2026-03-09'"_s << u"2026-03-12"_s;
        QTest::newRow("the next day loses its events")
            << u"UPDATE usage_daily SET events = 0 WHERE customer_id = 'a' AND day = '2026-03-09'"_s << u"2026-03-12"_s;
    }

    void firstUsageDayUnderConcurrentWriters()
    {
        QFETCH(QString, second);
        QFETCH(QString, expected);
        if (TestUtils::backendUnderTest() != TestUtils::Backend::PostgreSql)
            QSKIP("PostgreSQL: concurrent writers");
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::Database &db = fixture.db();
        QVERIFY(Storage::CustomerRepository(db).create(sampleCustomer(u"a"_s)));
        QVERIFY(Storage::exec(db,
            u"INSERT INTO usage_daily (customer_id, day, feature, events) VALUES ('a', '2026-03-05', '', 2), "
            "('a', '2026-03-09', '', 7), ('a', '2026-03-12', '', 1)"_s));

        Storage::Transaction first(db);
        QVERIFY(first.isActive());
        QVERIFY(Storage::exec(db, u"DELETE FROM usage_daily WHERE customer_id = 'a' AND day = '2026-03-05'"_s));

        std::atomic<bool> done = false;
        QString secondError;
        std::unique_ptr<QThread> writer(QThread::create([&db, &second, &done, &secondError] {
            {
                Storage::Transaction tx(db);
                auto q = Storage::exec(db, second);
                const Core::Status committed = q ? tx.commit() : Core::Status(q.error());
                if (!committed.ok())
                    secondError = committed.error().toString();
            }
            db.releaseThreadConnection();
            done = true;
        }));
        writer->start();
        // Whatever fails below, the writer is waited for before the thread object and the captures go away.
        const auto joinWriter = qScopeGuard([&] {
            first.rollback();
            writer->wait();
        });
        // The second writer waits for the first's lock; give it time to (wrongly) finish otherwise.
        QVERIFY(!writer->wait(400));
        QVERIFY(!done);
        QVERIFY(first.commit().ok());
        QVERIFY(writer->wait(10'000));
        QVERIFY2(secondError.isEmpty(), qPrintable(secondError));

        auto q = Storage::exec(db, u"SELECT CAST(first_usage_day AS TEXT) FROM customers WHERE id = 'a'"_s);
        QVERIFY(q && q->next());
        QCOMPARE(q->value(0).toString(), expected);
    }

    void splitsStatementsAndBlocks()
    {
        const QString sql = u"-- a comment;\nCREATE TABLE a (x INTEGER);\n\n-- begin block\nCREATE TRIGGER t AFTER INSERT ON a "
                            u"BEGIN\n  UPDATE a SET x = 1;\n  UPDATE a SET x = 2;\nEND;\n-- end block\nINSERT INTO a VALUES (1);\n"_s;
        const QStringList statements = Storage::Migrator::splitStatements(sql);
        QCOMPARE(statements.size(), 3);
        QCOMPARE(statements.at(0), u"CREATE TABLE a (x INTEGER)"_s);
        QVERIFY(statements.at(1).startsWith(u"CREATE TRIGGER t"_s));
        QVERIFY(statements.at(1).contains(u"UPDATE a SET x = 2;"_s));
        QCOMPARE(statements.at(2), u"INSERT INTO a VALUES (1)"_s);
        QCOMPARE(Storage::Migrator::substituteTokens(u"id {{PK}}, at {{TS}} DEFAULT {{NOW}}"_s, Storage::Dialect::PostgreSql),
                 u"id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP"_s);
    }

    void parsesUrls_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("display");
        QTest::addRow("sqlite file") << u"sqlite:/tmp/p.db"_s << true << u"sqlite:/tmp/p.db"_s;
        QTest::addRow("sqlite triple slash") << u"sqlite:///tmp/p.db"_s << true << u"sqlite:/tmp/p.db"_s;
        QTest::addRow("postgres") << u"postgresql://cs@db.local:6543/portfolio"_s << true
                                  << u"postgresql://cs@db.local:6543/portfolio"_s;
        QTest::addRow("password never displayed") << u"postgresql://cs:s3cret@db.local/portfolio"_s << true
                                                  << u"postgresql://cs@db.local:5432/portfolio"_s;
        QTest::addRow("no database") << u"postgresql://cs@db.local:6543/"_s << false << QString();
        QTest::addRow("unknown scheme") << u"mysql://x/y"_s << false << QString();
        QTest::addRow("empty sqlite path") << u"sqlite:"_s << false << QString();
    }

    void parsesUrls()
    {
        QFETCH(QString, url);
        QFETCH(bool, valid);
        QFETCH(QString, display);
        auto parsed = Storage::DatabaseUrl::parse(url);
        QCOMPARE(parsed.ok(), valid);
        if (valid)
            QCOMPARE(parsed->toDisplayString(), display);
        else
            QCOMPARE(parsed.error().field, u"db"_s);
    }

    void refusesANewerSchema()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        QVERIFY(Storage::exec(fixture.db(),
                              u"INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'future', 'x')"_s));
        fixture.close();
        auto reopened = Storage::Database::open(fixture.url());
        QVERIFY(!reopened);
        QCOMPARE(reopened.error().code, Core::ErrorCode::Unsupported);
        QVERIFY2(reopened.error().message.contains(u"9999"_s), qPrintable(reopened.error().message));
        QVERIFY(reopened.error().message.contains(u"newer"_s));
    }

    void createGetRoundTrip()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::CustomerRepository repo(fixture.db());
        auto created = repo.create(sampleCustomer());
        QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
        QCOMPARE(created->meta.version, 1);
        QVERIFY(created->meta.createdAt.isValid());
        QCOMPARE(created->meta.createdAt.timeSpec(), Qt::UTC);
        auto got = repo.get(u"acme-corp"_s);
        QVERIFY(got);
        QCOMPARE(got->name, u"Acme Corporation"_s);
        QCOMPARE(got->tier, Domain::Tier::Enterprise);
        QCOMPARE(got->arr, 120000.0);
        QCOMPARE(got->contractEnd, QDate(2026, 12, 31));
        QCOMPARE(got->contractType, Domain::ContractType::Annual);
        QCOMPARE(got->customFields.value(u"seats"_s).toInt(), 250);
        QCOMPARE(got->customFields.value(u"region"_s).toString(), u"EMEA"_s);
        QVERIFY(got->company.isEmpty());
        QVERIFY(!got->churnedAt.isValid());
    }

    void rejectsBadInput_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<int>("code");
        using E = Core::ErrorCode;
        QTest::addRow("bad id") << u"id"_s << int(E::InvalidArgument);
        QTest::addRow("empty name") << u"name"_s << int(E::InvalidArgument);
        QTest::addRow("negative arr") << u"arr"_s << int(E::InvalidArgument);
        QTest::addRow("bad currency") << u"currency"_s << int(E::InvalidArgument);
        QTest::addRow("end before start") << u"contract_end"_s << int(E::InvalidArgument);
        QTest::addRow("unknown tier") << u"tier"_s << int(E::InvalidArgument);
        QTest::addRow("churned without date") << u"churned_at"_s << int(E::InvalidArgument);
        QTest::addRow("bad domain") << u"domain"_s << int(E::InvalidArgument);
        QTest::addRow("duplicate id") << u"id"_s << int(E::AlreadyExists);
    }

    void rejectsBadInput()
    {
        QFETCH(QString, field);
        QFETCH(int, code);
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::CustomerRepository repo(fixture.db());
        QVERIFY(repo.create(sampleCustomer(u"existing"_s)));
        Customer c = sampleCustomer(u"new-one"_s);
        const QString tag = QString::fromLatin1(QTest::currentDataTag());
        if (tag == u"bad id"_s)
            c.id = u"has space"_s;
        else if (tag == u"empty name"_s)
            c.name = u"  "_s;
        else if (tag == u"negative arr"_s)
            c.arr = -1;
        else if (tag == u"bad currency"_s)
            c.currency = u"usd"_s;
        else if (tag == u"end before start"_s)
            c.contractEnd = c.contractStart.addDays(-1);
        else if (tag == u"unknown tier"_s)
            c.tier = static_cast<Domain::Tier>(42);
        else if (tag == u"churned without date"_s)
            c.status = Domain::CustomerStatus::Churned;
        else if (tag == u"bad domain"_s)
            c.domain = u"not a domain"_s;
        else if (tag == u"duplicate id"_s)
            c.id = u"existing"_s;
        auto created = repo.create(c);
        QVERIFY(!created);
        QCOMPARE(int(created.error().code), code);
        QCOMPARE(created.error().field, field);
        // Nothing half-written.
        QCOMPARE(count(fixture.db(), u"customers"_s), qint64(1));
    }

    void schemaConstraintsRejectWhatCodeWouldNot_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addRow("arr below zero") << u"INSERT INTO customers (id, name, arr) VALUES ('x1', 'X', -5)"_s;
        QTest::addRow("unknown tier") << u"INSERT INTO customers (id, name, tier) VALUES ('x2', 'X', 'gold')"_s;
        QTest::addRow("contract end before start")
            << u"INSERT INTO customers (id, name, contract_start, contract_end) VALUES ('x3', 'X', '2026-05-01', '2026-01-01')"_s;
        QTest::addRow("health above 100")
            << u"INSERT INTO health_scores (customer_id, score_date, score, band, config_version) VALUES ('acme-corp', '2026-01-01', 101, 'green', 1)"_s;
        QTest::addRow("probability above 1")
            << u"INSERT INTO churn_predictions (customer_id, model_version, probability, risk_level) VALUES ('acme-corp', 1, 1.5, 'low')"_s;
        QTest::addRow("nps above 10")
            << u"INSERT INTO survey_responses (customer_id, kind, score, responded_at) VALUES ('acme-corp', 'nps', 11, '2026-01-01T00:00:00.000Z')"_s;
        QTest::addRow("csat of 0")
            << u"INSERT INTO survey_responses (customer_id, kind, score, responded_at) VALUES ('acme-corp', 'csat', 0, '2026-01-01T00:00:00.000Z')"_s;
        QTest::addRow("sentiment below -1")
            << u"INSERT INTO survey_responses (customer_id, kind, score, sentiment, responded_at) VALUES ('acme-corp', 'nps', 5, -1.5, '2026-01-01T00:00:00.000Z')"_s;
        QTest::addRow("unknown customer")
            << u"INSERT INTO contacts (customer_id, name, email) VALUES ('nobody', 'N', 'n@x.example')"_s;
        QTest::addRow("unknown ticket priority")
            << u"INSERT INTO support_tickets (customer_id, subject, priority, status, opened_at) VALUES ('acme-corp', 'S', 'p9', 'open', '2026-01-01T00:00:00.000Z')"_s;
        QTest::addRow("negative outbox attempts")
            << u"INSERT INTO outbox (kind, target, payload, idempotency_key, status, attempts) VALUES ('email', 'sendgrid', '{}', 'k1', 'pending', -1)"_s;
    }

    void schemaConstraintsRejectWhatCodeWouldNot()
    {
        QFETCH(QString, sql);
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        QVERIFY(Storage::CustomerRepository(fixture.db()).create(sampleCustomer()));
        auto result = Storage::exec(fixture.db(), sql);
        QVERIFY2(!result, "the schema accepted a row it must refuse");
        QVERIFY(result.error().code == Core::ErrorCode::InvalidArgument
                || result.error().code == Core::ErrorCode::AlreadyExists);
    }

    void constraintErrorsNameTheColumn_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<QString>("field");
        QTest::addRow("column check on a table with underscores")
            << u"INSERT INTO health_scores (customer_id, score_date, score, band, config_version) VALUES ('acme-corp', '2026-01-01', 101, 'green', 1)"_s
            << u"score"_s;
        QTest::addRow("column check on customers") << u"INSERT INTO customers (id, name, arr) VALUES ('x1', 'X', -5)"_s
                                                   << u"arr"_s;
        QTest::addRow("not null") << u"INSERT INTO customers (id) VALUES ('x2')"_s << u"name"_s;
        QTest::addRow("primary key taken") << u"INSERT INTO customers (id, name) VALUES ('acme-corp', 'Again')"_s
                                           << u"id"_s;
        // contacts: UNIQUE (customer_id, lower(email)) — a two-column expression index names its last column.
        QTest::addRow("expression unique index")
            << u"INSERT INTO contacts (customer_id, name, email) VALUES ('acme-corp', 'Ann Again', 'ANN@acme.example')"_s
            << u"email"_s;
    }

    void constraintErrorsNameTheColumn()
    {
        QFETCH(QString, sql);
        QFETCH(QString, field);
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        QVERIFY(Storage::CustomerRepository(fixture.db()).create(sampleCustomer()));
        QVERIFY(Storage::exec(fixture.db(),
                              u"INSERT INTO contacts (customer_id, name, email) VALUES ('acme-corp', 'Ann', 'ann@acme.example')"_s));
        auto result = Storage::exec(fixture.db(), sql);
        QVERIFY(!result);
        const bool unique = QByteArray(QTest::currentDataTag()).contains("unique")
            || QByteArray(QTest::currentDataTag()).contains("taken");
        QCOMPARE(result.error().code, unique ? Core::ErrorCode::AlreadyExists : Core::ErrorCode::InvalidArgument);
        QCOMPARE(result.error().field, field);
    }

    void staleUpdateIsAConflict()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::CustomerRepository repo(fixture.db());
        auto created = repo.create(sampleCustomer());
        QVERIFY(created);

        // Two CSMs read version 1; the first saves, the second's save must fail and change nothing.
        Customer first = *created;
        Customer second = *created;
        first.arr = 150000;
        auto saved = repo.update(first);
        QVERIFY2(saved, saved ? "" : qPrintable(saved.error().toString()));
        QCOMPARE(saved->meta.version, 2);
        QVERIFY(saved->meta.updatedAt >= created->meta.updatedAt);

        second.owner = u"sam@csdesk.example"_s;
        auto stale = repo.update(second);
        QVERIFY(!stale);
        QCOMPARE(stale.error().code, Core::ErrorCode::Conflict);
        QCOMPARE(stale.error().field, u"version"_s);
        QVERIFY(stale.error().message.contains(u"version 1"_s));

        auto stored = repo.get(u"acme-corp"_s);
        QVERIFY(stored);
        QCOMPARE(stored->arr, 150000.0);
        QCOMPARE(stored->owner, u"dana@csdesk.example"_s);
        QCOMPARE(stored->meta.version, 2);
    }

    void updateOfMissingIsNotFound()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::CustomerRepository repo(fixture.db());
        Customer ghost = sampleCustomer(u"ghost"_s);
        ghost.meta.version = 1;
        auto result = repo.update(ghost);
        QVERIFY(!result);
        QCOMPARE(result.error().code, Core::ErrorCode::NotFound);
    }

    void softDelete()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::CustomerRepository repo(fixture.db());
        QVERIFY(repo.create(sampleCustomer(u"a"_s)));
        QVERIFY(repo.create(sampleCustomer(u"b"_s)));
        QVERIFY(repo.softDelete(u"a"_s));
        QCOMPARE(repo.get(u"a"_s).error().code, Core::ErrorCode::NotFound);
        auto withDeleted = repo.get(u"a"_s, true);
        QVERIFY(withDeleted);
        QVERIFY(withDeleted->meta.isDeleted());
        QCOMPARE(withDeleted->meta.version, 2);
        auto page = repo.list({});
        QVERIFY(page);
        QCOMPARE(page->total, qint64(1));
        QCOMPARE(page->items.constFirst().id, u"b"_s);
        // The row is still there (history, timeline); deleting twice is NotFound; restore brings it back.
        QCOMPARE(count(fixture.db(), u"customers"_s), qint64(2));
        QCOMPARE(repo.softDelete(u"a"_s).error().code, Core::ErrorCode::NotFound);
        QVERIFY(repo.restore(u"a"_s));
        QVERIFY(repo.get(u"a"_s));
        // A stale delete is refused too.
        QCOMPARE(repo.softDelete(u"b"_s, 7).error().code, Core::ErrorCode::Conflict);
    }

    void paginationIsStable_data()
    {
        QTest::addColumn<QString>("orderBy");
        QTest::addColumn<bool>("descending");
        QTest::addRow("by id") << u"id"_s << false;
        QTest::addRow("by arr desc") << u"arr"_s << true;
        QTest::addRow("by renewal with nulls") << u"renewal_date"_s << false;
        QTest::addRow("by renewal desc with nulls") << u"renewal_date"_s << true;
        QTest::addRow("by tier (many ties)") << u"tier"_s << false;
    }

    void paginationIsStable()
    {
        QFETCH(QString, orderBy);
        QFETCH(bool, descending);
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::CustomerRepository repo(fixture.db());
        const QList<Domain::Tier> tiers { Domain::Tier::Smb, Domain::Tier::Enterprise, Domain::Tier::MidMarket };
        for (int i = 0; i < 53; ++i) {
            Customer c = sampleCustomer(u"c%1"_s.arg(i, 3, 10, QLatin1Char('0')));
            c.arr = (i % 7) * 1000; // ties
            c.tier = tiers.at(i % 3);
            c.renewalDate = i % 5 == 0 ? QDate() : QDate(2026, 1 + i % 12, 1);
            c.contractEnd = QDate();
            QVERIFY(repo.create(c));
        }
        Storage::ListQuery query;
        query.orderBy = orderBy;
        query.descending = descending;
        query.limit = 10;
        QStringList seen;
        int pages = 0;
        bool insertedMidway = false;
        do {
            auto page = repo.list(query);
            QVERIFY2(page, page ? "" : qPrintable(page.error().toString()));
            QCOMPARE(page->total, qint64(insertedMidway ? 54 : 53));
            for (const Customer &c : page->items)
                seen << c.id;
            query.cursor = page->nextCursor;
            if (++pages == 2 && !insertedMidway) {
                // A row inserted before the cursor position must not shift later pages.
                Customer early = sampleCustomer(u"a-new"_s);
                early.arr = descending ? 1e9 : 0;
                early.tier = Domain::Tier::Enterprise;
                early.renewalDate = QDate(2000, 1, 1);
                early.contractEnd = QDate();
                if (descending)
                    early.renewalDate = QDate(2100, 1, 1);
                QVERIFY(repo.create(early));
                insertedMidway = true;
            }
        } while (!query.cursor.isEmpty() && pages < 20);
        QCOMPARE(QSet<QString>(seen.cbegin(), seen.cend()).size(), seen.size()); // no duplicates
        for (int i = 0; i < 53; ++i)
            QVERIFY2(seen.contains(u"c%1"_s.arg(i, 3, 10, QLatin1Char('0'))), "a row was skipped");
    }

    void listFiltersAndRejectsUnknownFields()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::CustomerRepository repo(fixture.db());
        Customer a = sampleCustomer(u"a"_s);
        a.name = u"Alpha 100% Foods"_s;
        Customer b = sampleCustomer(u"b"_s);
        b.name = u"Beta Logistics"_s;
        b.tier = Domain::Tier::Smb;
        QVERIFY(repo.create(a));
        QVERIFY(repo.create(b));

        Storage::ListQuery q;
        q.filters << Storage::Filter { u"name"_s, Storage::Filter::Op::Contains, u"100%"_s };
        auto page = repo.list(q);
        QVERIFY(page);
        QCOMPARE(page->total, qint64(1));
        QCOMPARE(page->items.constFirst().id, u"a"_s);

        q.filters = { Storage::Filter { u"tier"_s, Storage::Filter::Op::In, QVariantList { u"smb"_s, u"strategic"_s } } };
        page = repo.list(q);
        QVERIFY(page);
        QCOMPARE(page->total, qint64(1));
        QCOMPARE(page->items.constFirst().id, u"b"_s);

        q.filters = { Storage::Filter { u"password; DROP TABLE customers"_s, Storage::Filter::Op::Eq, 1 } };
        page = repo.list(q);
        QVERIFY(!page);
        QCOMPARE(page.error().code, Core::ErrorCode::InvalidArgument);

        Storage::ListQuery badCursor;
        badCursor.cursor = u"not-a-cursor"_s;
        QCOMPARE(repo.list(badCursor).error().field, u"cursor"_s);
    }

    void transactionsRollBackAndNest()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::CustomerRepository repo(fixture.db());
        {
            Storage::Transaction tx(fixture.db());
            QVERIFY(tx.isActive());
            QVERIFY(repo.create(sampleCustomer(u"rolled-back"_s)));
        } // no commit
        QCOMPARE(count(fixture.db(), u"customers"_s), qint64(0));
        {
            Storage::Transaction outer(fixture.db());
            QVERIFY(repo.create(sampleCustomer(u"kept"_s)));
            {
                Storage::Transaction inner(fixture.db());
                QVERIFY(repo.create(sampleCustomer(u"inner-dropped"_s)));
                inner.rollback();
            }
            QVERIFY(outer.commit());
        }
        QCOMPARE(count(fixture.db(), u"customers"_s), qint64(1));
        QVERIFY(repo.get(u"kept"_s));
        QCOMPARE(fixture.db().transactionDepth(), 0);
    }

    void cascadeOnHardDelete()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::CustomerRepository repo(fixture.db());
        QVERIFY(repo.create(sampleCustomer()));
        QVERIFY(Storage::exec(fixture.db(),
                              u"INSERT INTO contacts (customer_id, name, email) VALUES ('acme-corp', 'Ann', 'ann@acme.example')"_s));
        QCOMPARE(count(fixture.db(), u"contacts"_s), qint64(1));
        QVERIFY(repo.remove(u"acme-corp"_s));
        QCOMPARE(count(fixture.db(), u"contacts"_s), qint64(0));
    }

    void fullTextSearchFindsArticles()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        QVERIFY(Storage::exec(fixture.db(),
                              u"INSERT INTO kb_articles (slug, title, body, status) VALUES ('sso', 'Single sign-on', "
                              u"'Configure SAML with Okta or Azure AD', 'published')"_s));
        QVERIFY(Storage::exec(fixture.db(),
                              u"INSERT INTO kb_articles (slug, title, body, status) VALUES ('billing', 'Invoices', "
                              u"'Download invoices and update the payment method', 'published')"_s));
        const QString sql = fixture.db().dialect() == Storage::Dialect::Sqlite
            ? u"SELECT a.slug FROM kb_articles_fts f JOIN kb_articles a ON a.id = f.rowid WHERE kb_articles_fts MATCH ?"_s
            : u"SELECT slug FROM kb_articles WHERE search_vector @@ plainto_tsquery('english', ?)"_s;
        auto hits = Storage::exec(fixture.db(), sql, { u"invoices"_s });
        QVERIFY2(hits, hits ? "" : qPrintable(hits.error().toString()));
        QVERIFY(hits->next());
        QCOMPARE(hits->value(0).toString(), u"billing"_s);
        QVERIFY(!hits->next());
        // Updates reach the index.
        QVERIFY(Storage::exec(fixture.db(), u"UPDATE kb_articles SET body = 'Okta invoices' WHERE slug = 'sso'"_s));
        hits = Storage::exec(fixture.db(), sql, { u"okta"_s });
        QVERIFY(hits && hits->next());
        QCOMPARE(hits->value(0).toString(), u"sso"_s);
    }

    void committedWritesSurviveReopen()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        QVERIFY(Storage::CustomerRepository(fixture.db()).create(sampleCustomer()));
        QVERIFY(fixture.reopen());
        QVERIFY(Storage::CustomerRepository(fixture.db()).get(u"acme-corp"_s));
    }
};

QTEST_GUILESS_MAIN(TestStorage)
#include "tst_storage.moc"
