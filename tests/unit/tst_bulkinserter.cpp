// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Storage::BulkInserter: typed and QVariant rows, NULLs, batching at the bound-parameter limit, constraint errors
// that name the field, and nothing left behind after a rollback. Built twice: SQLite (label unit, the native
// sqlite3 path) and PostgreSQL (label pg, the QSqlQuery path).
#include <QTest>
#include <QTimeZone>

#include "bulkinserter.h"
#include "columns.h"
#include "sql.h"
#include "testdatabase.h"
#include "transaction.h"

using namespace Qt::StringLiterals;

namespace {

qint64 count(Storage::Database &db, const QString &sql)
{
    auto q = Storage::exec(db, sql);
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

const QStringList kProbeColumns { u"n"_s, u"label"_s, u"amount"_s, u"flag"_s, u"day"_s, u"at"_s };

} // namespace

class TestBulkInserter : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestUtils::TestDatabase> m_db;

    Storage::Database &db() { return m_db->db(); }
    bool sqlite() { return db().dialect() == Storage::Dialect::Sqlite; }

    // A table with one column per bound type; `n` orders the rows read back.
    void createProbe()
    {
        const QString ddl = sqlite()
            ? u"CREATE TABLE probe (n INTEGER NOT NULL UNIQUE, label TEXT, amount REAL CHECK (amount >= 0), "
              "flag INTEGER, day TEXT, at TEXT)"_s
            : u"CREATE TABLE probe (n BIGINT NOT NULL UNIQUE, label TEXT, amount DOUBLE PRECISION CHECK (amount >= 0), "
              "flag BOOLEAN, day DATE, at TIMESTAMPTZ)"_s;
        auto created = Storage::exec(db(), ddl);
        QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
    }

    void addCustomer(const QString &id)
    {
        auto q = Storage::exec(db(), u"INSERT INTO customers (id, name) VALUES (?, ?)"_s, { id, id });
        QVERIFY2(q, q ? "" : qPrintable(q.error().toString()));
    }

private Q_SLOTS:
    void init()
    {
        CS_REQUIRE_BACKEND();
        m_db = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_db->isOpen(), qPrintable(m_db->error()));
    }

    void cleanup() { m_db.reset(); }

    void nativeOnSqliteOnly()
    {
        Storage::BulkInserter inserter(db(), u"customers"_s, { u"id"_s, u"name"_s });
        QCOMPARE(inserter.isNative(), sqlite());
    }

    // Every typed add() stores what Storage::Convert would, and reads back through Convert::fromSql.
    void typedValuesRoundTrip()
    {
        createProbe();
        const QDateTime utc(QDate(2026, 5, 1), QTime(9, 30, 15, 123), QTimeZone::utc());
        const QDateTime offset(QDate(2026, 1, 1), QTime(0, 30), QTimeZone(3600)); // 2025-12-31T23:30Z
        const QDateTime early(QDate(1969, 12, 31), QTime(23, 59, 59, 999), QTimeZone::utc()); // before the epoch
        const QString unicode = u"Zoë ✓ \U0001D11E"_s;
        {
            Storage::Transaction tx(db());
            Storage::BulkInserter inserter(db(), u"probe"_s, kProbeColumns, 2);
            inserter.add(qint64(1));
            inserter.add(u"plain"_s);
            inserter.add(0.1);
            inserter.add(true);
            inserter.add(QDate(2026, 2, 28));
            inserter.add(utc);
            QVERIFY(inserter.endRow());
            inserter.add(qint64(9007199254740993)); // 2^53 + 1: would not survive a double
            inserter.add(QStringView(unicode));
            inserter.add(1e300);
            inserter.add(false);
            inserter.add(QDate(999, 1, 2));
            inserter.add(offset);
            QVERIFY(inserter.endRow());
            inserter.add(-3); // int
            inserter.add(QStringView()); // '' — not NULL
            inserter.addNull();
            inserter.addNull();
            inserter.add(QDate()); // invalid: NULL
            inserter.add(early);
            QVERIFY(inserter.endRow());
            QVERIFY(inserter.flush());
            QCOMPARE(inserter.rowsWritten(), 3);
            QVERIFY(tx.commit());
        }
        auto q = Storage::exec(db(), u"SELECT n, label, amount, flag, day, at FROM probe ORDER BY n"_s);
        QVERIFY(q);
        struct Row
        {
            qint64 n;
            QString label;
            bool labelNull;
            std::optional<double> amount;
            QVariant flag;
            QDate day;
            QDateTime at;
        };
        QList<Row> rows;
        while (q->next()) {
            Row r;
            Storage::Convert::fromSql(q->value(0), r.n);
            r.labelNull = q->value(1).isNull();
            Storage::Convert::fromSql(q->value(1), r.label);
            Storage::Convert::fromSql(q->value(2), r.amount);
            r.flag = q->value(3);
            Storage::Convert::fromSql(q->value(4), r.day);
            Storage::Convert::fromSql(q->value(5), r.at);
            rows << r;
        }
        QCOMPARE(rows.size(), 3);
        QCOMPARE(rows.at(0).n, Q_INT64_C(-3));
        QCOMPARE(rows.at(0).label, QString());
        QVERIFY(!rows.at(0).labelNull);
        QVERIFY(!rows.at(0).amount);
        QVERIFY(rows.at(0).flag.isNull());
        QVERIFY(!rows.at(0).day.isValid());
        QCOMPARE(rows.at(0).at, early);
        QCOMPARE(rows.at(1).n, Q_INT64_C(1));
        QCOMPARE(rows.at(1).label, u"plain"_s);
        QVERIFY(rows.at(1).amount);
        QCOMPARE(*rows.at(1).amount, 0.1);
        bool flag = false;
        Storage::Convert::fromSql(rows.at(1).flag, flag);
        QVERIFY(flag);
        QCOMPARE(rows.at(1).day, QDate(2026, 2, 28));
        QCOMPARE(rows.at(1).at, utc);
        QCOMPARE(rows.at(2).n, Q_INT64_C(9007199254740993));
        QCOMPARE(rows.at(2).label, unicode);
        QVERIFY(rows.at(2).amount);
        QCOMPARE(*rows.at(2).amount, 1e300);
        Storage::Convert::fromSql(rows.at(2).flag, flag);
        QVERIFY(!flag);
        QCOMPARE(rows.at(2).day, QDate(999, 1, 2));
        QCOMPARE(rows.at(2).at, offset);
        if (sqlite()) {
            // The stored text is Convert's: UTC, milliseconds, Z.
            auto at = Storage::exec(db(), u"SELECT at FROM probe ORDER BY n"_s);
            QVERIFY(at && at->next());
            QCOMPARE(at->value(0).toString(), u"1969-12-31T23:59:59.999Z"_s);
            QVERIFY(at->next());
            QCOMPARE(at->value(0).toString(), Storage::Convert::toSql(utc).toString());
            QVERIFY(at->next());
            QCOMPARE(at->value(0).toString(), u"2025-12-31T23:30:00.000Z"_s);
        }
    }

    // The QVariant API on the native path stores exactly what Qt's QSQLITE driver stores for the same QVariant.
    void variantsStoreAsQtDriverDoes_data()
    {
        QTest::addColumn<QVariant>("value");
        QTest::addRow("int") << QVariant(-7);
        QTest::addRow("bool") << QVariant(true);
        QTest::addRow("uint") << QVariant(4000000000u);
        QTest::addRow("longlong") << QVariant(Q_INT64_C(-9007199254740993));
        QTest::addRow("double") << QVariant(2.5);
        QTest::addRow("string") << QVariant(u"Zoë"_s);
        QTest::addRow("empty string") << QVariant(QString(u""_s));
        QTest::addRow("null string") << QVariant(QString());
        QTest::addRow("typed null") << QVariant(QMetaType::fromType<double>());
        QTest::addRow("invalid variant") << QVariant();
        QTest::addRow("bytes") << QVariant(QByteArray("a\0b", 3));
        QTest::addRow("date") << QVariant(QDate(2026, 3, 4));
        QTest::addRow("invalid date") << QVariant(QDate());
        QTest::addRow("datetime") << QVariant(QDateTime(QDate(2026, 3, 4), QTime(5, 6, 7, 8), QTimeZone::utc()));
        QTest::addRow("time") << QVariant(QTime(5, 6, 7, 8));
        QTest::addRow("short") << QVariant::fromValue(short(12));
    }

    void variantsStoreAsQtDriverDoes()
    {
        QFETCH(QVariant, value);
        if (!sqlite())
            QSKIP("PostgreSQL rows go through QSqlQuery: there is no second path to compare");
        // No declared type: SQLite keeps the storage class of whatever was bound.
        QVERIFY(Storage::exec(db(), u"CREATE TABLE anyprobe (n INTEGER, v)"_s));
        QVERIFY(Storage::exec(db(), u"INSERT INTO anyprobe (n, v) VALUES (1, ?)"_s, { value }));
        Storage::BulkInserter inserter(db(), u"anyprobe"_s, { u"n"_s, u"v"_s });
        QVERIFY(inserter.isNative());
        QVERIFY(inserter.add(QVariantList { 2, value }));
        QVERIFY(inserter.flush());
        auto q = Storage::exec(db(), u"SELECT typeof(v), quote(v) FROM anyprobe ORDER BY n"_s);
        QVERIFY(q && q->next());
        const QString qtType = q->value(0).toString();
        const QString qtValue = q->value(1).toString();
        QVERIFY(q->next());
        QCOMPARE(q->value(0).toString(), qtType);
        QCOMPARE(q->value(1).toString(), qtValue);
    }

    // Rows per statement are capped so one statement never binds more parameters than the database allows; batches
    // split there and the tail goes in on flush(), every row exactly once.
    void batchesSplitAtTheParameterLimit_data()
    {
        QTest::addColumn<int>("requested");
        QTest::addColumn<int>("extraRows"); // relative to whole statements (negative: one statement less)
        QTest::addColumn<int>("statements");
        QTest::addRow("one below a statement") << 1'000'000 << -1 << 1;
        QTest::addRow("exactly one statement") << 1'000'000 << 0 << 1;
        QTest::addRow("one above") << 1'000'000 << 1 << 1;
        QTest::addRow("two statements and one") << 1'000'000 << 1 << 2;
        QTest::addRow("small statements") << 3 << 1 << 2;
        QTest::addRow("one row each") << 1 << 0 << 5;
    }

    void batchesSplitAtTheParameterLimit()
    {
        QFETCH(int, requested);
        QFETCH(int, extraRows);
        QFETCH(int, statements);
        createProbe();
        Storage::Transaction tx(db());
        Storage::BulkInserter inserter(db(), u"probe"_s, kProbeColumns, requested);
        const int perStatement = inserter.rowsPerStatement();
        QVERIFY(perStatement >= 1);
        QVERIFY(perStatement <= requested);
        if (requested > 1000)
            QVERIFY2(perStatement * int(kProbeColumns.size()) >= 999 - int(kProbeColumns.size()),
                "the limit cuts statements to SQLite's oldest minimum at worst");
        const int rows = perStatement * statements + extraRows;
        qint64 sum = 0;
        for (int i = 0; i < rows; ++i) {
            inserter.add(qint64(i));
            inserter.add(u"row %1"_s.arg(i));
            inserter.add(double(i) / 4);
            inserter.add(i % 2 == 0);
            inserter.add(QDate(2026, 1, 1).addDays(i % 365));
            inserter.add(QDateTime(QDate(2026, 1, 1), QTime(0, 0), QTimeZone::utc()).addSecs(i));
            QVERIFY(inserter.endRow());
            sum += i;
        }
        QCOMPARE(inserter.rowsWritten(), qint64(perStatement) * (rows / perStatement));
        QVERIFY(inserter.flush());
        QCOMPARE(inserter.rowsWritten(), rows);
        QVERIFY(tx.commit());
        QCOMPARE(count(db(), u"SELECT COUNT(*) FROM probe"_s), rows);
        QCOMPARE(count(db(), u"SELECT COALESCE(SUM(n), 0) FROM probe"_s), sum);
        QCOMPARE(count(db(), u"SELECT COUNT(*) FROM probe WHERE label = 'row ' || CAST(n AS TEXT)"_s), rows);
    }

    void wrongValueCountIsRefused()
    {
        createProbe();
        Storage::BulkInserter inserter(db(), u"probe"_s, kProbeColumns);
        inserter.add(qint64(1));
        inserter.add(u"short row"_s);
        const auto refused = inserter.endRow();
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, Core::ErrorCode::InvalidArgument);
        QCOMPARE(refused.error().field, u"probe"_s);
        QVERIFY(!inserter.add(QVariantList { 1, u"x"_s }));
        // The refused row left nothing behind: the next row is whole.
        QVERIFY(inserter.add(QVariantList { 2, u"whole"_s, 1.0, true, u"2026-01-01"_s, QVariant() }));
        QVERIFY(inserter.flush());
        QCOMPARE(count(db(), u"SELECT COUNT(*) FROM probe"_s), 1);
        QCOMPARE(count(db(), u"SELECT n FROM probe"_s), 2);
    }

    // A constraint the schema enforces comes back naming the field, from a full batch and from the flushed tail.
    void constraintFailureNamesTheField_data()
    {
        QTest::addColumn<QString>("broken");
        QTest::addColumn<bool>("inTail");
        QTest::addColumn<QString>("field");
        QTest::addColumn<Core::ErrorCode>("code");
        for (bool tail : { false, true }) {
            const char *where = tail ? "tail" : "batch";
            QTest::addRow("check, %s", where)
                << u"quantity"_s << tail << u"quantity"_s << Core::ErrorCode::InvalidArgument;
            QTest::addRow("not null, %s", where)
                << u"event_type"_s << tail << u"event_type"_s << Core::ErrorCode::InvalidArgument;
        }
    }

    void constraintFailureNamesTheField()
    {
        QFETCH(QString, broken);
        QFETCH(bool, inTail);
        QFETCH(QString, field);
        QFETCH(Core::ErrorCode, code);
        addCustomer(u"acme"_s);
        Storage::Transaction tx(db());
        Storage::BulkInserter inserter(
            db(), u"usage_events"_s, { u"customer_id"_s, u"occurred_at"_s, u"event_type"_s, u"quantity"_s }, 4);
        // Four rows make a statement: the broken row is in the first one, or in the two rows flush() writes.
        const int rows = inTail ? 6 : 4;
        const int brokenRow = inTail ? 5 : 2;
        Core::Status status;
        for (int i = 0; i < rows && status; ++i) {
            inserter.add(u"acme"_s);
            inserter.add(QDateTime(QDate(2026, 5, 1), QTime(10, i), QTimeZone::utc()));
            if (i == brokenRow && broken == u"event_type"_s)
                inserter.addNull();
            else
                inserter.add(u"login"_s);
            inserter.add(i == brokenRow && broken == u"quantity"_s ? -1.0 : 1.0);
            status = inserter.endRow();
        }
        if (status)
            status = inserter.flush();
        QVERIFY(!status);
        QCOMPARE(status.error().field, field);
        QCOMPARE(status.error().code, code);
        QVERIFY2(status.error().message.startsWith(u"usage_events: "_s), qPrintable(status.error().message));
        tx.rollback();
        QCOMPARE(count(db(), u"SELECT COUNT(*) FROM usage_events"_s), 0);
    }

    void uniqueViolationNamesTheLastKeyColumn()
    {
        addCustomer(u"acme"_s);
        Storage::Transaction tx(db());
        Storage::BulkInserter inserter(
            db(), u"usage_daily"_s, { u"customer_id"_s, u"day"_s, u"feature"_s, u"events"_s }, 8);
        for (int i = 0; i < 3; ++i) {
            inserter.add(u"acme"_s);
            inserter.add(QDate(2026, 5, 1));
            inserter.add(u"reports"_s);
            inserter.add(i);
            QVERIFY(inserter.endRow());
        }
        const auto status = inserter.flush();
        QVERIFY(!status);
        QCOMPARE(status.error().code, Core::ErrorCode::AlreadyExists);
        QCOMPARE(status.error().field, u"feature"_s);
    }

    // The caller's rollback takes back every row, including whole batches that were already written.
    void rollbackLeavesNothing()
    {
        createProbe();
        {
            Storage::Transaction tx(db());
            Storage::BulkInserter inserter(db(), u"probe"_s, kProbeColumns, 10);
            Core::Status status;
            for (int i = 0; i < 40 && status; ++i) {
                inserter.add(qint64(i == 31 ? 5 : i)); // n is unique: row 31 repeats row 5
                inserter.add(u"r"_s);
                inserter.add(1.0);
                inserter.add(true);
                inserter.addNull();
                inserter.addNull();
                status = inserter.endRow();
            }
            if (status)
                status = inserter.flush();
            QVERIFY(!status);
            QCOMPARE(status.error().code, Core::ErrorCode::AlreadyExists);
            QCOMPARE(status.error().field, u"n"_s);
            QCOMPARE(inserter.rowsWritten(), 30);
            tx.rollback();
        }
        QCOMPARE(count(db(), u"SELECT COUNT(*) FROM probe"_s), 0);
    }
};

QTEST_GUILESS_MAIN(TestBulkInserter)
#include "tst_bulkinserter.moc"
