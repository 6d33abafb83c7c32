// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The background WAL checkpointer of SQLite file databases (core/storage/walcheckpointer.h). Built twice: against
// PostgreSQL (label pg) it checks that there is none.
#include <atomic>

#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include "sql.h"
#include "testdatabase.h"
#include "transaction.h"
#include "walcheckpointer.h"

using namespace Qt::StringLiterals;

class TestWalCheckpointer final : public QObject
{
    Q_OBJECT

private:
    static QString filePath(const TestUtils::TestDatabase &fixture)
    {
        return fixture.url().mid(int(qstrlen("sqlite:")));
    }
    static qint64 walSize(const TestUtils::TestDatabase &fixture)
    {
        const QFileInfo wal(filePath(fixture) + u"-wal"_s);
        return wal.exists() ? wal.size() : 0;
    }
    static bool createTable(Storage::Database &db)
    {
        return bool(Storage::exec(db, u"CREATE TABLE wal_probe (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)"_s));
    }
    // One committed transaction of `rows` rows of `bytes` bytes each.
    static bool commitRows(Storage::Database &db, int rows, int bytes)
    {
        Storage::Transaction tx(db);
        if (!tx.isActive())
            return false;
        for (int i = 0; i < rows; ++i) {
            if (!Storage::exec(db, u"INSERT INTO wal_probe (payload) VALUES (?)"_s, { QByteArray(bytes, 'x') }))
                return false;
        }
        return bool(tx.commit());
    }
    static qint64 scalar(Storage::Database &db, const QString &sql)
    {
        auto q = Storage::exec(db, sql);
        return q && q->next() ? q->value(0).toLongLong() : -1;
    }
    static bool isSqlite() { return TestUtils::backendUnderTest() == TestUtils::Backend::Sqlite; }

private Q_SLOTS:
    void initTestCase() { CS_REQUIRE_BACKEND(); }

    // SQLite's automatic checkpoint is off on every connection (this thread's and another thread's): the checkpoints
    // are the background thread's. PostgreSQL has no WAL file of ours and no checkpointer.
    void takesOverTheCheckpoints()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        const auto checkpointer = Storage::walCheckpointer(fixture.db());
        if (!isSqlite()) {
            QVERIFY(!checkpointer);
            return;
        }
        QVERIFY(checkpointer);
        QCOMPARE(scalar(fixture.db(), u"PRAGMA wal_autocheckpoint"_s), qint64(0));
        auto mode = Storage::exec(fixture.db(), u"PRAGMA journal_mode"_s);
        QVERIFY(mode && mode->next());
        QCOMPARE(mode->value(0).toString(), u"wal"_s);
        qint64 otherThread = -1;
        std::unique_ptr<QThread> worker(QThread::create([&] {
            otherThread = scalar(fixture.db(), u"PRAGMA wal_autocheckpoint"_s);
            fixture.db().releaseThreadConnection();
        }));
        worker->start();
        QVERIFY(worker->wait(30000));
        QCOMPARE(otherThread, qint64(0));
    }

    // Many small commits from one thread: without checkpoints the WAL would hold all of them (20 × ~4.4 MB); with the
    // checkpointer passing between bursts, a writer starts the WAL again from the beginning after each pass, so the
    // file never grows much past one burst.
    void walStaysBoundedUnderSteadyWrites()
    {
        if (!isSqlite())
            QSKIP("SQLite only");
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::Database &db = fixture.db();
        const auto checkpointer = Storage::walCheckpointer(db);
        QVERIFY(checkpointer);
        QVERIFY(createTable(db));
        constexpr int kBursts = 20;
        constexpr int kCommitsPerBurst = 100;
        constexpr int kBytes = 40 * 1024; // ~11 pages a commit: a burst is past the 1000-page signal
        constexpr qint64 kBurstBytes = qint64(kCommitsPerBurst) * kBytes;
        qint64 largestWal = 0;
        for (int burst = 0; burst < kBursts; ++burst) {
            const qint64 passesBefore = checkpointer->passes();
            for (int i = 0; i < kCommitsPerBurst; ++i) {
                QVERIFY(commitRows(db, 1, kBytes));
                largestWal = std::max(largestWal, walSize(fixture));
            }
            QTRY_VERIFY_WITH_TIMEOUT(checkpointer->passes() > passesBefore, 30000);
        }
        QCOMPARE(scalar(db, u"SELECT COUNT(*) FROM wal_probe"_s), qint64(kBursts * kCommitsPerBurst));
        // At most the restart threshold plus what was committed while a pass ran (no reader here); 80 MB unbounded.
        const qint64 bound = checkpointer->options().restartPages * scalar(db, u"PRAGMA page_size"_s) + 2 * kBurstBytes;
        QVERIFY2(largestWal < bound, qPrintable(u"WAL grew to %1 bytes (bound %2)"_s.arg(largestWal).arg(bound)));
        QVERIFY(largestWal > 0);
    }

    // One transaction larger than truncateBytes (a first-ever health recompute writes ~300 MB): once it is copied
    // back, the WAL file is cut to zero rather than left at that size.
    void truncatesAfterALargeTransaction()
    {
        if (!isSqlite())
            QSKIP("SQLite only");
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::Database &db = fixture.db();
        const auto checkpointer = Storage::walCheckpointer(db);
        QVERIFY(checkpointer);
        QVERIFY(createTable(db));
        const qint64 limit = checkpointer->options().truncateBytes;
        constexpr int kBytes = 256 * 1024;
        const int rows = int(limit / kBytes) + 16;
        QVERIFY(commitRows(db, rows, kBytes));
        QVERIFY(walSize(fixture) > limit);
        QTRY_VERIFY_WITH_TIMEOUT(checkpointer->truncations() > 0, 30000);
        QCOMPARE(walSize(fixture), qint64(0));
        QCOMPARE(scalar(db, u"SELECT COUNT(*) FROM wal_probe"_s), qint64(rows));
    }

    // Readers on other connections keep seeing every committed row, in commit order, while checkpoints copy the WAL
    // underneath them; a pass that a reader holds back finishes later.
    void readersSeeCommittedDataDuringCheckpoints()
    {
        if (!isSqlite())
            QSKIP("SQLite only");
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Storage::Database &db = fixture.db();
        const auto checkpointer = Storage::walCheckpointer(db);
        QVERIFY(checkpointer);
        QVERIFY(createTable(db));
        std::atomic<bool> writing { true };
        std::atomic<int> reads { 0 };
        std::atomic<int> violations { 0 };
        std::atomic<qint64> lastSeen { 0 };
        std::unique_ptr<QThread> reader(QThread::create([&] {
            qint64 previous = 0;
            const auto readOnce = [&] {
                auto q = Storage::exec(db, u"SELECT COUNT(*), COALESCE(MAX(id), 0) FROM wal_probe"_s);
                if (!q || !q->next()) {
                    ++violations;
                    return;
                }
                const qint64 count = q->value(0).toLongLong();
                // rows are inserted one per commit with ids 1, 2, 3, ...: a snapshot holds exactly 1..count
                if (count != q->value(1).toLongLong() || count < previous)
                    ++violations;
                previous = count;
                ++reads;
            };
            while (writing.load())
                readOnce();
            readOnce();
            lastSeen = previous;
            db.releaseThreadConnection();
        }));
        reader->start();
        constexpr int kCommits = 3000;
        for (int i = 0; i < kCommits; ++i)
            QVERIFY(commitRows(db, 1, 8 * 1024)); // ~3 pages a commit: several checkpoint signals
        QTRY_VERIFY_WITH_TIMEOUT(checkpointer->passes() > 0, 30000);
        writing = false;
        QVERIFY(reader->wait(60000));
        QCOMPARE(violations.load(), 0);
        QVERIFY(reads.load() > 0);
        QCOMPARE(lastSeen.load(), qint64(kCommits));
        // Another Database object (another desktop on the same file) sees everything too.
        auto again = fixture.openAgain();
        QVERIFY(again);
        QCOMPARE(scalar(*again, u"SELECT COUNT(*) FROM wal_probe"_s), qint64(kCommits));
    }

    // Closing the Database checkpoints what is left: with another connection still open (so SQLite's own
    // checkpoint-on-last-close does not happen), the WAL is empty afterwards and the rows are in the database file.
    void closeCheckpointsTheWal()
    {
        if (!isSqlite())
            QSKIP("SQLite only");
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        QVERIFY(createTable(fixture.db()));
        QVERIFY(commitRows(fixture.db(), 50, 4096)); // below the signal size: still in the WAL
        QVERIFY(walSize(fixture) > 0);
        const QString name = u"tst_walcheckpointer_other"_s;
        {
            QSqlDatabase other = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            other.setDatabaseName(filePath(fixture));
            QVERIFY(other.open());
            QSqlQuery q(other);
            // a first read opens the WAL on this connection (it holds the file from then on)
            QVERIFY(q.exec(u"SELECT COUNT(*) FROM wal_probe"_s) && q.next());
            QCOMPARE(q.value(0).toLongLong(), qint64(50));
            q.finish();
            fixture.close();
            QVERIFY(QFileInfo::exists(filePath(fixture) + u"-wal"_s)); // not removed: `other` still has it open
            QCOMPARE(walSize(fixture), qint64(0));
            QVERIFY(q.exec(u"SELECT COUNT(*) FROM wal_probe"_s) && q.next());
            QCOMPARE(q.value(0).toLongLong(), qint64(50));
            q.finish();
            other.close();
        }
        QSqlDatabase::removeDatabase(name);
        QVERIFY(fixture.reopen());
        QCOMPARE(scalar(fixture.db(), u"SELECT COUNT(*) FROM wal_probe"_s), qint64(50));
    }
};

QTEST_GUILESS_MAIN(TestWalCheckpointer)
#include "tst_walcheckpointer.moc"
