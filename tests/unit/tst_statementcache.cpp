// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Storage::exec's per-connection statement cache: a statement is reused, lent to one Query at a time (a second
// use of the same SQL while the first is read gets its own), handed back reset (so the connection sees what
// other connections committed meanwhile), bounded, and never kept after a failure; and Storage::count()'s memo
// follows every change. Built twice: SQLite (unit) and PostgreSQL (pg).
#include <QTest>
#include <QThread>

#include "sql.h"
#include "statementcache.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;

class TestStatementCache : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestUtils::TestDatabase> m_db;

    Storage::Database &db() { return m_db->db(); }
    int cached() { return db().statementCache()->size(); }

    void insertFromAnotherThread(int n)
    {
        Storage::Database &database = db();
        bool ok = false;
        std::unique_ptr<QThread> writer(QThread::create([&database, n, &ok] {
            ok = bool(Storage::exec(database, u"INSERT INTO probe (n) VALUES (?)"_s, { n }));
            database.releaseThreadConnection();
        }));
        writer->start();
        QVERIFY(writer->wait(10'000));
        QVERIFY(ok);
    }

    qint64 countProbe()
    {
        auto q = Storage::exec(db(), u"SELECT COUNT(*) FROM probe WHERE n > ?"_s, { 0 });
        return q && q->next() ? q->value(0).toLongLong() : -1;
    }

private Q_SLOTS:
    void init()
    {
        CS_REQUIRE_BACKEND();
        m_db = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_db->isOpen(), qPrintable(m_db->error()));
        QVERIFY(Storage::exec(db(), u"CREATE TABLE probe (n INTEGER NOT NULL UNIQUE)"_s));
        for (int n = 1; n <= 5; ++n)
            QVERIFY(Storage::exec(db(), u"INSERT INTO probe (n) VALUES (?)"_s, { n }));
        db().statementCache()->clear();
    }

    void cleanup() { m_db.reset(); }

    void reusedWithNewBindings()
    {
        const QString sql = u"SELECT n FROM probe WHERE n >= ? ORDER BY n"_s;
        {
            auto q = Storage::exec(db(), sql, { 2 });
            QVERIFY(q);
            QCOMPARE(cached(), 0); // lent out
            QVERIFY(q->next());
            QCOMPARE(q->value(0).toInt(), 2);
        }
        QCOMPARE(cached(), 1); // back
        auto q = Storage::exec(db(), sql, { 4 });
        QVERIFY(q);
        QCOMPARE(cached(), 0);
        QList<int> seen;
        while (q->next())
            seen << q->value(0).toInt();
        QCOMPARE(seen, (QList<int> { 4, 5 }));
    }

    void sameSqlTwiceAtOnce()
    {
        if (db().dialect() != Storage::Dialect::Sqlite)
            QSKIP("QPSQL reads a forward-only result row by row: one statement at a time per connection");
        const QString sql = u"SELECT n FROM probe WHERE n >= ? ORDER BY n"_s;
        auto outer = Storage::exec(db(), sql, { 1 });
        QVERIFY(outer);
        QList<int> pairs;
        while (outer->next()) {
            auto inner = Storage::exec(db(), sql, { outer->value(0).toInt() + 3 });
            QVERIFY(inner);
            int innerCount = 0;
            while (inner->next())
                ++innerCount;
            pairs << outer->value(0).toInt() * 10 + innerCount;
        }
        // Every outer row read, each inner query independent of the outer one.
        QCOMPARE(pairs, (QList<int> { 12, 21, 30, 40, 50 }));
        *outer = Storage::Query();
        QCOMPARE(cached(), 1);
    }

    void movedQueryGivesBackOnce()
    {
        const QString sql = u"SELECT n FROM probe WHERE n = ?"_s;
        {
            auto q = Storage::exec(db(), sql, { 3 });
            QVERIFY(q);
            Storage::Query moved = std::move(*q);
            QVERIFY(moved.next());
            QCOMPARE(moved.value(0).toInt(), 3);
            Storage::Query again;
            again = std::move(moved);
            QCOMPARE(cached(), 0);
        }
        QCOMPARE(cached(), 1);
    }

    // A statement left half-read must not hold the connection on an old snapshot: once its Query ends, a commit
    // from another connection is visible to the next statement.
    void handedBackResetSeesOtherCommits()
    {
        {
            auto partial = Storage::exec(db(), u"SELECT n FROM probe WHERE n > ? ORDER BY n"_s, { 0 });
            QVERIFY(partial);
            QVERIFY(partial->next()); // four rows left unread
        }
        QCOMPARE(countProbe(), 5);
        insertFromAnotherThread(6);
        QCOMPARE(countProbe(), 6);
        {
            auto partial = Storage::exec(db(), u"SELECT n FROM probe WHERE n > ? ORDER BY n"_s, { 0 });
            QVERIFY(partial && partial->next());
        }
        insertFromAnotherThread(7);
        QCOMPARE(countProbe(), 7);
    }

    void failedStatementIsNotKept()
    {
        const QString sql = u"INSERT INTO probe (n) VALUES (?)"_s;
        auto duplicate = Storage::exec(db(), sql, { 1 });
        QVERIFY(!duplicate);
        QCOMPARE(duplicate.error().field, u"n"_s);
        QCOMPARE(cached(), 0);
        QVERIFY(Storage::exec(db(), sql, { 8 }));
        QCOMPARE(cached(), 1);
        QCOMPARE(countProbe(), 6);
    }

    void boundedByCapacity()
    {
        const int distinct = Storage::StatementCache::kCapacity + 40;
        for (int i = 0; i < distinct; ++i) {
            auto q = Storage::exec(db(), u"SELECT n + %1 FROM probe WHERE n = ?"_s.arg(i), { 1 });
            QVERIFY(q && q->next());
            QCOMPARE(q->value(0).toInt(), 1 + i);
        }
        QVERIFY(cached() <= Storage::StatementCache::kCapacity);
        QVERIFY(cached() >= Storage::StatementCache::kCapacity / 2);
        // The newest statements stayed.
        auto q = Storage::exec(db(), u"SELECT n + %1 FROM probe WHERE n = ?"_s.arg(distinct - 1), { 2 });
        QVERIFY(q && q->next());
        QCOMPARE(q->value(0).toInt(), 2 + distinct - 1);
    }

    void ddlAndTransactionControlRunDirectly()
    {
        QVERIFY(Storage::exec(db(), u"CREATE TABLE other (x INTEGER)"_s));
        QVERIFY(Storage::exec(db(), u"DROP TABLE other"_s));
        QCOMPARE(cached(), 0);
    }

    // Storage::count(): remembered on SQLite while nothing changed, so every change must show in the next answer —
    // this connection's own writes, another connection's commits, and a rollback of our own rows.
    void countSeesEveryChange()
    {
        // n + 0.0: the bound value is compared as a number on both dialects (PostgreSQL would make it an integer).
        const QString sql = u"SELECT COUNT(*) FROM probe WHERE n + 0.0 > ?"_s;
        const auto counted = [&](const QVariant &above) {
            auto n = Storage::count(db(), sql, { above });
            return n ? *n : qint64(-1);
        };
        QCOMPARE(counted(0), 5);
        QCOMPARE(counted(0), 5); // again, unchanged
        QCOMPARE(counted(3), 2); // another binding, another answer
        QCOMPARE(counted(2.5), 3);
        QCOMPARE(counted(2.5000000000000004), 3);
        QCOMPARE(counted(4.999999999999999), 1);

        QVERIFY(Storage::exec(db(), u"INSERT INTO probe (n) VALUES (?)"_s, { 6 })); // this connection
        QCOMPARE(counted(0), 6);
        QCOMPARE(counted(3), 3);
        insertFromAnotherThread(7); // another connection
        QCOMPARE(counted(0), 7);
        QVERIFY(Storage::exec(db(), u"UPDATE probe SET n = 0 WHERE n = ?"_s, { 1 })); // a row leaves the range
        QCOMPARE(counted(0), 6);
        QVERIFY(Storage::exec(db(), u"DELETE FROM probe WHERE n = ?"_s, { 7 }));
        QCOMPARE(counted(0), 5);

        // Our own uncommitted rows count inside the transaction, and are gone after the rollback.
        QVERIFY(Storage::exec(db(), u"BEGIN"_s));
        QVERIFY(Storage::exec(db(), u"INSERT INTO probe (n) VALUES (?)"_s, { 8 }));
        QCOMPARE(counted(0), 6);
        QVERIFY(Storage::exec(db(), u"ROLLBACK"_s));
        QCOMPARE(counted(0), 5);
        QVERIFY(Storage::exec(db(), u"BEGIN"_s));
        QVERIFY(Storage::exec(db(), u"DELETE FROM probe WHERE n = ?"_s, { 6 }));
        QVERIFY(Storage::exec(db(), u"ROLLBACK"_s));
        QCOMPARE(counted(0), 5);

        auto bad = Storage::count(db(), u"SELECT COUNT(*) FROM no_such_table"_s);
        QVERIFY(!bad);
    }

    void droppedWithTheConnection()
    {
        QVERIFY(Storage::exec(db(), u"SELECT n FROM probe WHERE n = ?"_s, { 1 }));
        std::weak_ptr<Storage::StatementCache> weak = db().statementCache();
        QVERIFY(!weak.expired());
        db().releaseThreadConnection();
        QVERIFY(weak.expired());
        QCOMPARE(countProbe(), 5); // a new connection, a new cache
    }
};

QTEST_GUILESS_MAIN(TestStatementCache)
#include "tst_statementcache.moc"
