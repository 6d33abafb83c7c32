// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Storage::Rows / Storage::select(): on SQLite the rows are stepped natively, so every value read must be exactly what
// QSqlQuery (Qt's QSQLITE driver) and Convert::fromSql make of it — each storage class, NULL, empty and non-ASCII
// text, big integers, dates and times with and without a zone, JSON, enums — and every binding must bind what
// QSqlQuery binds. Also: statements lent and given back through the connection's cache, a read ended when its Rows
// goes, a Rows that outlives its connection, and errors (bad SQL, a failed write, a wrong number of bindings). Built
// twice: SQLite (unit) and PostgreSQL (pg), where Rows reads through a Query.
#include <QJsonDocument>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include "columns.h"
#include "customer.h"
#include "rows.h"
#include "sql.h"
#include "statementcache.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(QVariant)

class TestRows : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestUtils::TestDatabase> m_db;

    Storage::Database &db() { return m_db->db(); }
    bool sqlite() const { return m_db->db().dialect() == Storage::Dialect::Sqlite; }

    // What QSqlQuery answers for `sql`, first column of the first row.
    QVariant qtValue(const QString &sql, const QVariantList &bindings = {})
    {
        QSqlQuery q(db().connection());
        if (!q.prepare(sql))
            return QVariant(u"prepare failed: "_s + q.lastError().text());
        for (qsizetype i = 0; i < bindings.size(); ++i)
            q.bindValue(int(i), bindings.at(i));
        if (!q.exec() || !q.next())
            return QVariant(u"exec failed: "_s + q.lastError().text());
        return q.value(0);
    }

    template<typename V> static void compareRead(const Storage::Rows &rows, const QVariant &qt, const char *what)
    {
        V expected {};
        V actual {};
        Storage::Convert::fromSql(qt, expected);
        rows.read(0, actual);
        if (!(actual == expected))
            QFAIL(qPrintable(u"read as %1 differs"_s.arg(QLatin1StringView(what))));
    }

private Q_SLOTS:
    // One database for the whole run (a PostgreSQL database per data row would take a minute); each test that makes
    // the probe table drops it again.
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_db = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_db->isOpen(), qPrintable(m_db->error()));
    }

    void cleanup()
    {
        if (m_db)
            QVERIFY(Storage::exec(db(), u"DROP TABLE IF EXISTS probe"_s));
    }

    void cleanupTestCase() { m_db.reset(); }

    void readsAsQtDoes_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<bool>("portable"); // also valid PostgreSQL
        QTest::newRow("text") << u"'hello'"_s << true;
        QTest::newRow("empty text") << u"''"_s << true;
        QTest::newRow("null") << u"NULL"_s << true;
        QTest::newRow("non-ASCII") << u"'Zoë — 北京 ✓ 🚀'"_s << true;
        QTest::newRow("integer") << u"42"_s << true;
        QTest::newRow("negative integer") << u"-7"_s << true;
        QTest::newRow("int64 min") << u"-9223372036854775808"_s << false;
        QTest::newRow("beyond int") << u"4294967296"_s << true;
        QTest::newRow("zero") << u"0"_s << true;
        QTest::newRow("one") << u"1"_s << true;
        QTest::newRow("real") << u"2.5"_s << true;
        QTest::newRow("real to round") << u"3.7"_s << true;
        QTest::newRow("huge real") << u"1e300"_s << false;
        QTest::newRow("blob") << u"x'00ff41'"_s << false;
        QTest::newRow("numeric text") << u"'12'"_s << true;
        QTest::newRow("text t") << u"'t'"_s << true;
        QTest::newRow("text true") << u"'true'"_s << true;
        QTest::newRow("date") << u"'2026-11-25'"_s << true;
        QTest::newRow("impossible date") << u"'2026-02-30'"_s << true;
        QTest::newRow("date with time") << u"'2026-11-25T10:11:12.123Z'"_s << true;
        QTest::newRow("time without zone") << u"'2026-11-25T10:11:12'"_s << true;
        QTest::newRow("time with offset") << u"'2026-11-25T10:11:12.5+02:00'"_s << true;
        // The stored timestamp format (the columns' DEFAULT), from a fixed instant: 'now' would differ between the
        // two reads compared.
        QTest::newRow("sqlite timestamp") << u"strftime('%Y-%m-%dT%H:%M:%fZ','2026-11-25 10:11:12.345')"_s << false;
        QTest::newRow("long ASCII text") << u"'%1'"_s.arg(QString(200, u'x')) << true;
        QTest::newRow("json object") << u"'{\"a\":1,\"b\":[1,\"two\"],\"c\":{\"d\":null}}'"_s << true;
        QTest::newRow("json list") << u"'[\"x\",\"y\",3]'"_s << true;
        QTest::newRow("not json") << u"'{not json'"_s << true;
        QTest::newRow("enum name") << u"'mid_market'"_s << true;
        QTest::newRow("unknown enum name") << u"'platinum'"_s << true;
        QTest::newRow("contract type") << u"'annual'"_s << true;
    }

    void readsAsQtDoes()
    {
        QFETCH(QString, expression);
        QFETCH(bool, portable);
        if (!sqlite() && !portable)
            QSKIP("SQLite literal");
        const QString sql = u"SELECT "_s + expression;
        const QVariant qt = qtValue(sql);
        auto rows = Storage::select(db(), sql);
        QVERIFY2(rows, qPrintable(rows ? QString() : rows.error().toString()));
        QVERIFY(rows->next());

        const QVariant native = rows->value(0);
        QCOMPARE(native.typeId(), qt.typeId());
        QCOMPARE(native.isNull(), qt.isNull());
        QCOMPARE(native, qt);
        QCOMPARE(rows->isNull(0), qt.isNull());
        QCOMPARE(rows->text(0), qt.isNull() ? QString() : qt.toString());
        QCOMPARE(rows->text(0).isNull(), qt.isNull() || qt.toString().isNull());

        compareRead<QString>(*rows, qt, "QString");
        compareRead<int>(*rows, qt, "int");
        compareRead<qint64>(*rows, qt, "qint64");
        compareRead<double>(*rows, qt, "double");
        compareRead<bool>(*rows, qt, "bool");
        compareRead<std::optional<int>>(*rows, qt, "optional<int>");
        compareRead<std::optional<qint64>>(*rows, qt, "optional<qint64>");
        compareRead<std::optional<double>>(*rows, qt, "optional<double>");
        compareRead<QDate>(*rows, qt, "QDate");
        compareRead<QDateTime>(*rows, qt, "QDateTime");
        compareRead<QVariantMap>(*rows, qt, "QVariantMap");
        compareRead<QVariantList>(*rows, qt, "QVariantList");
        compareRead<QStringList>(*rows, qt, "QStringList");
        compareRead<Domain::Tier>(*rows, qt, "Tier");
        compareRead<Domain::ContractType>(*rows, qt, "ContractType (has an empty name)");
        compareRead<std::optional<Domain::Tier>>(*rows, qt, "optional<Tier>");
        // A date-time read keeps its time spec too (== compares instants only).
        QDateTime expected;
        QDateTime actual;
        Storage::Convert::fromSql(qt, expected);
        rows->read(0, actual);
        QCOMPARE(actual.timeSpec(), expected.timeSpec());
        QVERIFY(!rows->next());
        QVERIFY(!rows->error());
    }

    void bindsAsQtDoes_data()
    {
        QTest::addColumn<QVariant>("value");
        QTest::newRow("text") << QVariant(u"hello"_s);
        QTest::newRow("empty text") << QVariant(QString(u""_s));
        QTest::newRow("null text") << QVariant(QString());
        QTest::newRow("typed null") << QVariant(QMetaType::fromType<qint64>());
        QTest::newRow("non-ASCII text") << QVariant(u"Zoë — 北京 ✓ 🚀"_s);
        QTest::newRow("int") << QVariant(-12);
        QTest::newRow("uint") << QVariant(4000000000u);
        QTest::newRow("qint64") << QVariant(qint64(1) << 40);
        QTest::newRow("double") << QVariant(0.1);
        QTest::newRow("bool true") << QVariant(true);
        QTest::newRow("bool false") << QVariant(false);
        QTest::newRow("date") << QVariant(QDate(2026, 11, 25));
        QTest::newRow("invalid date") << QVariant(QDate());
        QTest::newRow("utc date-time") << QVariant(QDateTime(QDate(2026, 11, 25), QTime(1, 2, 3, 4), Qt::UTC));
        QTest::newRow("offset date-time")
            << QVariant(QDateTime(QDate(2026, 11, 25), QTime(1, 2, 3), Qt::OffsetFromUTC, 3600));
        QTest::newRow("time") << QVariant(QTime(13, 14, 15, 16));
        QTest::newRow("bytes") << QVariant(QByteArray("\0\x01zz", 4));
    }

    void bindsAsQtDoes()
    {
        QFETCH(QVariant, value);
        if (!sqlite())
            QSKIP("SQLite binding rules: PostgreSQL binds through QSqlQuery either way");
        // The stored class and the value SQLite sees are the same whichever way the value was bound.
        const QString sql = u"SELECT typeof(?), ?"_s;
        const QVariant qtType = qtValue(sql, { value, value });
        QSqlQuery q(db().connection());
        QVERIFY(q.prepare(sql));
        q.bindValue(0, value);
        q.bindValue(1, value);
        QVERIFY(q.exec() && q.next());
        auto rows = Storage::select(db(), sql, { value, value });
        QVERIFY(rows);
        QVERIFY(rows->next());
        QCOMPARE(rows->value(0), qtType);
        QCOMPARE(rows->value(1), q.value(1));
    }

    void statementsAreLentAndGivenBack()
    {
        QVERIFY(Storage::exec(db(), u"CREATE TABLE probe (n INTEGER NOT NULL)"_s));
        for (int n = 1; n <= 3; ++n)
            QVERIFY(Storage::exec(db(), u"INSERT INTO probe (n) VALUES (?)"_s, { n }));
        const QString sql = u"SELECT n FROM probe WHERE n >= ? ORDER BY n"_s;
        const int cachedBefore = sqlite() ? db().statementCache()->nativeSize() : 0;
        // The same SQL twice at once: each read gets a statement of its own. (Qt's PostgreSQL driver streams a
        // forward-only result and drops it when the next statement runs: no interleaved reads there.)
        if (sqlite()) {
            auto first = Storage::select(db(), sql, { 1 });
            auto second = Storage::select(db(), sql, { 2 });
            QVERIFY(first && second);
            QVERIFY(first->next());
            QVERIFY(second->next());
            qint64 a = 0;
            qint64 b = 0;
            first->read(0, a);
            second->read(0, b);
            QCOMPARE(a, 1);
            QCOMPARE(b, 2);
            QVERIFY(first->next());
            first->read(0, a);
            QCOMPARE(a, 2);
        }
        if (sqlite())
            QCOMPARE(db().statementCache()->nativeSize(), cachedBefore + 1); // one kept, the other finalised
        // Reused with new bindings, and a moved Rows reads on.
        auto again = Storage::select(db(), sql, { 3 });
        QVERIFY(again);
        Storage::Rows moved = std::move(*again);
        QVERIFY(moved.next());
        QCOMPARE(moved.value(0).toLongLong(), 3);
        QVERIFY(!moved.next());
        QVERIFY(!moved.error());
    }

    void givingBackEndsTheRead()
    {
        if (!sqlite())
            QSKIP("SQLite read snapshots");
        QVERIFY(Storage::exec(db(), u"CREATE TABLE probe (n INTEGER NOT NULL)"_s));
        for (int n = 1; n <= 3; ++n)
            QVERIFY(Storage::exec(db(), u"INSERT INTO probe (n) VALUES (?)"_s, { n }));
        const QString sql = u"SELECT COUNT(*) FROM probe"_s;
        {
            auto rows = Storage::select(db(), u"SELECT n FROM probe"_s);
            QVERIFY(rows && rows->next()); // left mid-read: its snapshot must not outlive it
        }
        Storage::Database &database = db();
        bool inserted = false;
        std::unique_ptr<QThread> writer(QThread::create([&database, &inserted] {
            inserted = bool(Storage::exec(database, u"INSERT INTO probe (n) VALUES (4)"_s));
            database.releaseThreadConnection();
        }));
        writer->start();
        QVERIFY(writer->wait(10'000));
        QVERIFY(inserted);
        auto counted = Storage::select(db(), sql);
        QVERIFY(counted && counted->next());
        QCOMPARE(counted->value(0).toLongLong(), 4);
    }

    void rowsMayOutliveTheirConnection()
    {
        QVERIFY(Storage::exec(db(), u"CREATE TABLE probe (n INTEGER NOT NULL)"_s));
        QVERIFY(Storage::exec(db(), u"INSERT INTO probe (n) VALUES (1), (2)"_s));
        auto rows = Storage::select(db(), u"SELECT n FROM probe ORDER BY n"_s);
        QVERIFY(rows && rows->next());
        db().releaseThreadConnection(); // finalises what the cache lent; the Rows must leave it alone
        rows = Storage::select(db(), u"SELECT n FROM probe ORDER BY n DESC"_s); // the old Rows ends here
        QVERIFY(rows && rows->next());
        QCOMPARE(rows->value(0).toLongLong(), 2);
    }

    void errorsAreReported()
    {
        QVERIFY(Storage::exec(db(), u"CREATE TABLE probe (n INTEGER NOT NULL UNIQUE CHECK (n > 0))"_s));
        QVERIFY(Storage::exec(db(), u"INSERT INTO probe (n) VALUES (1)"_s));

        auto bad = Storage::select(db(), u"SELECT nope FROM probe"_s);
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, Core::ErrorCode::Storage);

        if (sqlite()) {
            auto miscounted = Storage::select(db(), u"SELECT n FROM probe WHERE n = ?"_s, { 1, 2 });
            QVERIFY(!miscounted);
            QVERIFY(miscounted.error().message.contains(u"parameters"_s));
        }

        // A write that breaks a constraint fails on its first step, with the error exec() would give.
        for (int n : { 1, -1 }) {
            const QString sql = u"INSERT INTO probe (n) VALUES (?) RETURNING n"_s;
            auto viaExec = Storage::exec(db(), sql, { n });
            QVERIFY(!viaExec);
            auto rows = Storage::select(db(), sql, { n });
            if (!rows) { // PostgreSQL: the statement runs when it is executed
                QCOMPARE(rows.error().code, viaExec.error().code);
                QCOMPARE(rows.error().field, viaExec.error().field);
                continue;
            }
            QVERIFY(!rows->next());
            QVERIFY(rows->error());
            QCOMPARE(rows->error()->code, viaExec.error().code);
            QCOMPARE(rows->error()->field, viaExec.error().field);
            QCOMPARE(rows->error()->field, u"n"_s);
            QVERIFY(!rows->next()); // stays failed
        }
        auto count = Storage::select(db(), u"SELECT COUNT(*) FROM probe"_s);
        QVERIFY(count && count->next());
        QCOMPARE(count->value(0).toLongLong(), 1);
    }
};

QTEST_GUILESS_MAIN(TestRows)
#include "tst_rows.moc"
