// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// TimelineService: the ordered, paged, filtered stream per customer; record/insert inside a caller's transaction;
// notes. Built twice: SQLite (label unit) and PostgreSQL (label pg).
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "demoportfolio.h"
#include "fakeclock.h"
#include "sql.h"
#include "tables_customers.h"
#include "tables_engagement.h"
#include "testdatabase.h"
#include "timelineservice.h"
#include "transaction.h"

using namespace Qt::StringLiterals;
using Core::ErrorCode;
using Domain::TimelineEventKind;

namespace {

QDateTime at(int y, int m, int d, int h = 12, int min = 0)
{
    return QDateTime(QDate(y, m, d), QTime(h, min), QTimeZone::utc());
}

qint64 count(Storage::Database &db, const QString &sql, const QVariantList &bindings = {})
{
    auto q = Storage::exec(db, sql, bindings);
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

Core::TimelineQuery tq(const QString &customer, QDate from = {}, QDate to = {}, QList<TimelineEventKind> kinds = {},
    int limit = 25, const QString &cursor = {})
{
    Core::TimelineQuery q;
    q.customerId = customer;
    q.from = from;
    q.to = to;
    q.kinds = kinds;
    q.limit = limit;
    q.cursor = cursor;
    return q;
}

} // namespace

class TestTimelineService : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestUtils::FakeClock m_clock { at(2026, 6, 15) };
    std::unique_ptr<Core::TimelineService> m_service;

    Storage::Database &db() { return m_fixture->db(); }

    void addCustomer(const QString &id)
    {
        Domain::Customer c;
        c.id = id;
        c.name = u"Customer "_s + id;
        auto created = Storage::CustomerRepository(db()).create(c);
        QVERIFY2(created.ok(), qPrintable(created.ok() ? QString() : created.error().toString()));
    }

    Domain::TimelineEvent event(
        const QString &customer, const QDateTime &when, TimelineEventKind kind, const QString &title)
    {
        Domain::TimelineEvent e;
        e.customerId = customer;
        e.occurredAt = when;
        e.kind = kind;
        e.title = title;
        return e;
    }

    // Seven events of acme (two at the same instant: the higher id is newer) and one of another customer.
    void seed()
    {
        const QList<Domain::TimelineEvent> events {
            event(u"acme"_s, at(2026, 1, 10), TimelineEventKind::Contract, u"e1 contract"_s),
            event(u"acme"_s, at(2026, 2, 1), TimelineEventKind::Ticket, u"e2 ticket"_s),
            event(u"acme"_s, at(2026, 3, 1, 9), TimelineEventKind::Note, u"e3 note"_s),
            event(u"acme"_s, at(2026, 3, 1, 9), TimelineEventKind::Email, u"e4 email"_s),
            event(u"acme"_s, at(2026, 3, 31, 23, 59), TimelineEventKind::Ticket, u"e5 ticket"_s),
            event(u"acme"_s, at(2026, 4, 1, 0, 0), TimelineEventKind::ScoreChange, u"e6 score"_s),
            event(u"acme"_s, at(2026, 6, 1), TimelineEventKind::Note, u"e7 note"_s),
            event(u"other"_s, at(2026, 3, 15), TimelineEventKind::Note, u"x other"_s),
        };
        for (const Domain::TimelineEvent &e : events) {
            auto stored = m_service->record(e);
            QVERIFY2(stored.ok(), qPrintable(stored.ok() ? QString() : stored.error().toString()));
        }
    }

    QStringList titles(const QList<Domain::TimelineEvent> &items)
    {
        QStringList out;
        for (const Domain::TimelineEvent &e : items)
            out << e.title.section(u' ', 0, 0);
        return out;
    }

private Q_SLOTS:
    // One database for the whole run (a fresh PostgreSQL database per test function would cost seconds each);
    // every test starts from an empty portfolio: deleting the customers cascades to their timeline and notes.
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
    }

    void init()
    {
        QVERIFY(Storage::exec(db(), u"DELETE FROM customers"_s).ok());
        QCOMPARE(count(db(), u"SELECT COUNT(*) FROM timeline_events"_s), 0);
        m_clock.set(at(2026, 6, 15));
        m_service = std::make_unique<Core::TimelineService>(db(), m_clock);
        addCustomer(u"acme"_s);
        addCustomer(u"other"_s);
        addCustomer(u"quiet"_s);
    }

    void cleanup() { m_service.reset(); }

    void cleanupTestCase() { m_fixture.reset(); }

    void emptyTimelineIsEmptyNotMadeUp()
    {
        auto page = m_service->timeline(tq(u"quiet"_s));
        QVERIFY(page.ok());
        QCOMPARE(page->total, 0);
        QVERIFY(page->items.isEmpty());
        QVERIFY(page->nextCursor.isEmpty());
        QVERIFY(page->kindCounts.isEmpty());
    }

    void unknownCustomerIsNotFound()
    {
        auto page = m_service->timeline(tq(u"nobody"_s));
        QVERIFY(!page.ok());
        QCOMPARE(page.error().code, ErrorCode::NotFound);
        QCOMPARE(page.error().field, u"customer_id"_s);
        // A soft-deleted customer has no timeline either.
        QVERIFY(Storage::CustomerRepository(db()).softDelete(u"quiet"_s).ok());
        auto deleted = m_service->timeline(tq(u"quiet"_s));
        QVERIFY(!deleted.ok());
        QCOMPARE(deleted.error().code, ErrorCode::NotFound);
    }

    void recordValidates_data()
    {
        QTest::addColumn<QString>("customer");
        QTest::addColumn<QString>("title");
        QTest::addColumn<QString>("sourceTable");
        QTest::addColumn<QString>("sourceId");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("field");
        QTest::addRow("no title") << u"acme"_s << QString() << QString() << QString() << int(ErrorCode::InvalidArgument)
                                  << u"title"_s;
        QTest::addRow("title too long") << u"acme"_s << QString(501, u'x') << QString() << QString()
                                        << int(ErrorCode::InvalidArgument) << u"title"_s;
        QTest::addRow("source id without table")
            << u"acme"_s << u"t"_s << QString() << u"7"_s << int(ErrorCode::InvalidArgument) << u"source_table"_s;
        QTest::addRow("no customer") << QString() << u"t"_s << QString() << QString() << int(ErrorCode::InvalidArgument)
                                     << u"customer_id"_s;
        QTest::addRow("unknown customer")
            << u"ghost"_s << u"t"_s << QString() << QString() << int(ErrorCode::NotFound) << u"customer_id"_s;
    }

    void recordValidates()
    {
        QFETCH(QString, customer);
        QFETCH(QString, title);
        QFETCH(QString, sourceTable);
        QFETCH(QString, sourceId);
        QFETCH(int, code);
        QFETCH(QString, field);
        Domain::TimelineEvent e = event(customer, at(2026, 6, 1), TimelineEventKind::Note, title);
        e.sourceTable = sourceTable;
        e.sourceId = sourceId;
        QSignalSpy spy(m_service.get(), &Core::TimelineService::timelineChanged);
        auto stored = m_service->record(e);
        QVERIFY(!stored.ok());
        QCOMPARE(int(stored.error().code), code);
        QCOMPARE(stored.error().field, field);
        QCOMPARE(spy.count(), 0);
        QCOMPARE(count(db(), u"SELECT COUNT(*) FROM timeline_events"_s), 0);
    }

    void recordDefaultsToNowAndSignals()
    {
        QSignalSpy spy(m_service.get(), &Core::TimelineService::timelineChanged);
        Domain::TimelineEvent e = event(u"acme"_s, QDateTime(), TimelineEventKind::Other, u"no time given"_s);
        auto stored = m_service->record(e);
        QVERIFY(stored.ok());
        QCOMPARE(stored->occurredAt, m_clock.now());
        QVERIFY(stored->id > 0);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toString(), u"acme"_s);
        auto back = m_service->event(stored->id);
        QVERIFY(back.ok());
        QCOMPARE(back->title, u"no time given"_s);
    }

    void newestFirstAndKeysetPaged_data()
    {
        QTest::addColumn<int>("limit");
        QTest::addColumn<QList<int>>("pageSizes");
        QTest::addRow("limit 3") << 3 << QList<int> { 3, 3, 1 };
        QTest::addRow("limit 7: one full page, no cursor") << 7 << QList<int> { 7 };
        QTest::addRow("limit 1") << 1 << QList<int> { 1, 1, 1, 1, 1, 1, 1 };
        QTest::addRow("limit 200") << 200 << QList<int> { 7 };
    }

    void newestFirstAndKeysetPaged()
    {
        QFETCH(int, limit);
        QFETCH(QList<int>, pageSizes);
        seed();
        Core::TimelineQuery q;
        q.customerId = u"acme"_s;
        q.limit = limit;
        QStringList all;
        QList<int> sizes;
        for (int guard = 0; guard < 20; ++guard) {
            auto page = m_service->timeline(q);
            QVERIFY2(page.ok(), qPrintable(page.ok() ? QString() : page.error().toString()));
            QCOMPARE(page->total, 7);
            sizes << int(page->items.size());
            all << titles(page->items);
            if (page->nextCursor.isEmpty())
                break;
            q.cursor = page->nextCursor;
        }
        QCOMPARE(sizes, pageSizes);
        // e3 and e4 share an instant: the later insert (higher id) comes first.
        QCOMPARE(all, (QStringList { u"e7"_s, u"e6"_s, u"e5"_s, u"e4"_s, u"e3"_s, u"e2"_s, u"e1"_s }));
    }

    void filters_data()
    {
        QTest::addColumn<QDate>("from");
        QTest::addColumn<QDate>("to");
        QTest::addColumn<QList<TimelineEventKind>>("kinds");
        QTest::addColumn<QStringList>("expected");
        QTest::addRow("no filter") << QDate() << QDate() << QList<TimelineEventKind> {}
                                   << QStringList { u"e7"_s, u"e6"_s, u"e5"_s, u"e4"_s, u"e3"_s, u"e2"_s, u"e1"_s };
        // Day boundaries in UTC: 2026-03-31 23:59 is in March, 2026-04-01 00:00 is not.
        QTest::addRow("March") << QDate(2026, 3, 1) << QDate(2026, 3, 31) << QList<TimelineEventKind> {}
                               << QStringList { u"e5"_s, u"e4"_s, u"e3"_s };
        QTest::addRow("from April") << QDate(2026, 4, 1) << QDate() << QList<TimelineEventKind> {}
                                    << QStringList { u"e7"_s, u"e6"_s };
        QTest::addRow("up to Feb 1") << QDate() << QDate(2026, 2, 1) << QList<TimelineEventKind> {}
                                     << QStringList { u"e2"_s, u"e1"_s };
        QTest::addRow("one day") << QDate(2026, 3, 1) << QDate(2026, 3, 1) << QList<TimelineEventKind> {}
                                 << QStringList { u"e4"_s, u"e3"_s };
        QTest::addRow("tickets") << QDate() << QDate() << QList<TimelineEventKind> { TimelineEventKind::Ticket }
                                 << QStringList { u"e5"_s, u"e2"_s };
        QTest::addRow("notes and emails in March")
            << QDate(2026, 3, 1) << QDate(2026, 3, 31)
            << QList<TimelineEventKind> { TimelineEventKind::Note, TimelineEventKind::Email }
            << QStringList { u"e4"_s, u"e3"_s };
        QTest::addRow("a kind with no events")
            << QDate() << QDate() << QList<TimelineEventKind> { TimelineEventKind::Renewal } << QStringList {};
        QTest::addRow("a range with no events")
            << QDate(2025, 1, 1) << QDate(2025, 12, 31) << QList<TimelineEventKind> {} << QStringList {};
    }

    void filters()
    {
        QFETCH(QDate, from);
        QFETCH(QDate, to);
        QFETCH(QList<TimelineEventKind>, kinds);
        QFETCH(QStringList, expected);
        seed();
        Core::TimelineQuery q = tq(u"acme"_s, from, to, kinds, 2, {});
        QStringList all;
        for (int guard = 0; guard < 10; ++guard) {
            auto page = m_service->timeline(q);
            QVERIFY2(page.ok(), qPrintable(page.ok() ? QString() : page.error().toString()));
            QCOMPARE(page->total, expected.size());
            all << titles(page->items);
            if (page->nextCursor.isEmpty())
                break;
            q.cursor = page->nextCursor;
        }
        QCOMPARE(all, expected);
    }

    void kindCountsIgnoreTheKindFilter()
    {
        seed();
        Core::TimelineQuery q
            = tq(u"acme"_s, QDate(2026, 3, 1), QDate(2026, 6, 30), { TimelineEventKind::Note }, 25, {});
        auto page = m_service->timeline(q);
        QVERIFY(page.ok());
        QCOMPARE(page->total, 2); // e3, e7
        QCOMPARE(page->kindCounts.value(TimelineEventKind::Note), 2);
        QCOMPARE(page->kindCounts.value(TimelineEventKind::Email), 1);
        QCOMPARE(page->kindCounts.value(TimelineEventKind::Ticket), 1);
        QCOMPARE(page->kindCounts.value(TimelineEventKind::ScoreChange), 1);
        QVERIFY(!page->kindCounts.contains(TimelineEventKind::Contract)); // January: outside the range
    }

    void badArguments_data()
    {
        QTest::addColumn<int>("limit");
        QTest::addColumn<QDate>("from");
        QTest::addColumn<QDate>("to");
        QTest::addColumn<QString>("cursor");
        QTest::addColumn<QString>("field");
        QTest::addRow("limit 0") << 0 << QDate() << QDate() << QString() << u"limit"_s;
        QTest::addRow("limit 201") << 201 << QDate() << QDate() << QString() << u"limit"_s;
        QTest::addRow("to before from") << 25 << QDate(2026, 5, 2) << QDate(2026, 5, 1) << QString() << u"to"_s;
        QTest::addRow("garbage cursor") << 25 << QDate() << QDate() << u"%%%not-base64"_s << u"cursor"_s;
        QTest::addRow("json but not ours") << 25 << QDate() << QDate() << u"e30"_s << u"cursor"_s;
    }

    void badArguments()
    {
        QFETCH(int, limit);
        QFETCH(QDate, from);
        QFETCH(QDate, to);
        QFETCH(QString, cursor);
        QFETCH(QString, field);
        auto page = m_service->timeline(tq(u"acme"_s, from, to, {}, limit, cursor));
        QVERIFY(!page.ok());
        QCOMPARE(page.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(page.error().field, field);
    }

    void cursorBelongsToItsQuery()
    {
        seed();
        auto first = m_service->timeline(tq(u"acme"_s, {}, {}, {}, 2, {}));
        QVERIFY(first.ok());
        QVERIFY(!first->nextCursor.isEmpty());
        auto other = m_service->timeline(tq(u"acme"_s, {}, {}, { TimelineEventKind::Note }, 2, first->nextCursor));
        QVERIFY(!other.ok());
        QCOMPARE(other.error().field, u"cursor"_s);
        auto otherCustomer = m_service->timeline(tq(u"other"_s, {}, {}, {}, 2, first->nextCursor));
        QVERIFY(!otherCustomer.ok());
        QCOMPARE(otherCustomer.error().field, u"cursor"_s);
    }

    void insertJoinsTheCallersTransaction()
    {
        QSignalSpy spy(m_service.get(), &Core::TimelineService::timelineChanged);
        {
            Storage::Transaction tx(db());
            QVERIFY(tx.isActive());
            auto stored = Core::TimelineService::insert(
                db(), event(u"acme"_s, at(2026, 6, 2), TimelineEventKind::Campaign, u"rolled back"_s));
            QVERIFY(stored.ok());
            tx.rollback();
        }
        QCOMPARE(count(db(), u"SELECT COUNT(*) FROM timeline_events"_s), 0);
        {
            Storage::Transaction tx(db());
            auto stored = Core::TimelineService::insert(
                db(), event(u"acme"_s, at(2026, 6, 2), TimelineEventKind::Campaign, u"committed"_s));
            QVERIFY(stored.ok());
            QVERIFY(tx.commit().ok());
        }
        QCOMPARE(count(db(), u"SELECT COUNT(*) FROM timeline_events"_s), 1);
        QCOMPARE(spy.count(), 0); // insert() never signals; the caller does after its commit
        m_service->notifyChanged(u"acme"_s);
        QCOMPARE(spy.count(), 1);
    }

    void noteTitle_data()
    {
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("title");
        QTest::addRow("first line") << u"Call went well\nThey want SSO"_s << u"Call went well"_s;
        QTest::addRow("leading blank lines, inner spaces") << u"\n  \n  spaced    out  \nrest"_s << u"spaced out"_s;
        QTest::addRow("exactly the limit") << QString(120, u'a') << QString(120, u'a');
        QTest::addRow("one over the limit") << QString(121, u'a') << QString(119, u'a') + u'…';
    }

    void noteTitle()
    {
        QFETCH(QString, body);
        QFETCH(QString, title);
        QCOMPARE(Core::TimelineService::noteTitle(body), title);
    }

    void addNoteWritesNoteAndEvent()
    {
        QSignalSpy spy(m_service.get(), &Core::TimelineService::timelineChanged);
        m_clock.set(at(2026, 6, 15, 8, 30));
        auto added = m_service->addNote(u"acme"_s, u"QBR booked\nAgenda: adoption of reports"_s, u"alice"_s, true);
        QVERIFY2(added.ok(), qPrintable(added.ok() ? QString() : added.error().toString()));
        QVERIFY(added->note.id > 0);
        QCOMPARE(added->note.author, u"alice"_s);
        QVERIFY(added->note.isPinned);
        QCOMPARE(added->note.meta.createdAt, at(2026, 6, 15, 8, 30));
        QCOMPARE(added->event.kind, TimelineEventKind::Note);
        QCOMPARE(added->event.title, u"QBR booked"_s);
        QCOMPARE(added->event.sourceTable, u"notes"_s);
        QCOMPARE(added->event.sourceId, QString::number(added->note.id));
        QCOMPARE(added->event.occurredAt, at(2026, 6, 15, 8, 30));
        QCOMPARE(added->event.actor, u"alice"_s);
        QCOMPARE(added->event.detail.value(u"excerpt"_s).toString(), u"QBR booked\nAgenda: adoption of reports"_s);
        QCOMPARE(spy.count(), 1);
        auto page = m_service->timeline(tq(u"acme"_s));
        QVERIFY(page.ok());
        QCOMPARE(page->total, 1);
        QCOMPARE(page->items.first().id, added->event.id);
        QCOMPARE(count(db(), u"SELECT COUNT(*) FROM notes WHERE customer_id = 'acme'"_s), 1);
    }

    void addNoteRefusesAndWritesNothing_data()
    {
        QTest::addColumn<QString>("customer");
        QTest::addColumn<QString>("body");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("field");
        QTest::addRow("empty body") << u"acme"_s << QString() << int(ErrorCode::InvalidArgument) << u"body"_s;
        QTest::addRow("blank body") << u"acme"_s << u" \n\t "_s << int(ErrorCode::InvalidArgument) << u"body"_s;
        QTest::addRow("unknown customer") << u"ghost"_s << u"hello"_s << int(ErrorCode::NotFound) << u"customer_id"_s;
    }

    void addNoteRefusesAndWritesNothing()
    {
        QFETCH(QString, customer);
        QFETCH(QString, body);
        QFETCH(int, code);
        QFETCH(QString, field);
        auto added = m_service->addNote(customer, body, u"alice"_s);
        QVERIFY(!added.ok());
        QCOMPARE(int(added.error().code), code);
        QCOMPARE(added.error().field, field);
        QCOMPARE(count(db(), u"SELECT COUNT(*) FROM notes"_s), 0);
        QCOMPARE(count(db(), u"SELECT COUNT(*) FROM timeline_events"_s), 0);
    }

    // On a generated portfolio: paging through a customer's whole timeline returns every stored event once,
    // newest first, and the kind counts add up to the total.
    void demoPortfolioTimeline()
    {
        Core::DemoPortfolio::Options options;
        options.customers = 25;
        options.seed = 4242;
        options.today = QDate(2026, 6, 15);
        options.usageEvents = 2000;
        options.replaceExisting = true;
        auto generated = Core::DemoPortfolio(db(), options).generate();
        QVERIFY2(generated.ok(), qPrintable(generated.ok() ? QString() : generated.error().toString()));
        auto busiest = Storage::exec(db(),
            u"SELECT customer_id, COUNT(*) AS n FROM timeline_events GROUP BY customer_id ORDER BY n DESC, customer_id LIMIT 1"_s);
        QVERIFY(busiest && busiest->next());
        const QString id = busiest->value(0).toString();
        const qint64 stored = busiest->value(1).toLongLong();
        QVERIFY(stored >= 2);

        Core::TimelineQuery q = tq(id, {}, {}, {}, 5, {});
        QList<qint64> ids;
        QDateTime previous;
        qint64 kindTotal = -1;
        for (int guard = 0; guard < 1000; ++guard) {
            auto page = m_service->timeline(q);
            QVERIFY2(page.ok(), qPrintable(page.ok() ? QString() : page.error().toString()));
            QCOMPARE(page->total, stored);
            if (kindTotal < 0) {
                kindTotal = 0;
                for (qint64 n : page->kindCounts)
                    kindTotal += n;
            }
            for (const Domain::TimelineEvent &e : page->items) {
                QVERIFY(!previous.isValid() || e.occurredAt <= previous);
                previous = e.occurredAt;
                QVERIFY(!ids.contains(e.id));
                ids << e.id;
            }
            if (page->nextCursor.isEmpty())
                break;
            q.cursor = page->nextCursor;
        }
        QCOMPARE(qint64(ids.size()), stored);
        QCOMPARE(kindTotal, stored);
        // The contract signature the generator records shows up under its kind.
        auto contracts = m_service->timeline(tq(id, {}, {}, { TimelineEventKind::Contract }, 25, {}));
        QVERIFY(contracts.ok());
        QCOMPARE(contracts->total,
            count(db(), u"SELECT COUNT(*) FROM timeline_events WHERE customer_id = ? AND kind = 'contract'"_s, { id }));
    }
};

QTEST_GUILESS_MAIN(TestTimelineService)
#include "tst_timelineservice.moc"
