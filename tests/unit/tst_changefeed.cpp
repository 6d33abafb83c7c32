// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Core::ChangeFeed: changes published from any thread reach observers queued on their own thread, coalesced (one
// batch per interval, duplicates merged, "many" beyond the list limit, the first change of a quiet period at once);
// every service signal of a Services bundle reaches its feed; and on PostgreSQL (the pg twin) two feeds on two
// Database objects — two desktops — hear each other's changes exactly once over LISTEN/NOTIFY, also after the
// listening connection was killed. Built twice: SQLite (label unit) and PostgreSQL (label pg).
#include <algorithm>
#include <memory>

#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include "changefeed.h"
#include "fakeclock.h"
#include "services.h"
#include "sql.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using Core::Change;
using Core::ChangeBatch;
using Core::ChangeFeed;
using Core::ChangeTopic;

Q_DECLARE_METATYPE(Core::ChangeTopic)

namespace {

// Collects the batches a feed delivers, on the thread this object lives on (the test's).
class Observer final : public QObject
{
public:
    explicit Observer(ChangeFeed &feed)
    {
        connect(&feed, &ChangeFeed::changed, this, [this](const ChangeBatch &batch) {
            if (QThread::currentThread() != thread())
                wrongThread = true;
            batches.append(batch);
        });
    }

    // Waits (generously) until `done` holds for what arrived.
    template<typename Done> bool waitUntil(Done done, int timeoutMs = 10000)
    {
        return QTest::qWaitFor([&] { return done(); }, timeoutMs);
    }
    bool waitForBatches(int count)
    {
        return waitUntil([&] { return batches.size() >= count; });
    }
    bool seen(const Change &change) const
    {
        for (const ChangeBatch &batch : batches) {
            if (batch.changes.contains(change))
                return true;
        }
        return false;
    }

    QList<ChangeBatch> batches;
    bool wrongThread = false;
};

Domain::Customer draft(const QString &id)
{
    Domain::Customer c;
    c.id = id;
    c.name = u"Customer "_s + id;
    c.tier = Domain::Tier::MidMarket;
    c.status = Domain::CustomerStatus::Active;
    c.owner = u"dana"_s;
    c.arr = 24000;
    c.renewalDate = QDate(2027, 3, 31);
    return c;
}

ChangeFeed::Options options(int intervalMs, int maxListed = 1000)
{
    ChangeFeed::Options o;
    o.intervalMs = intervalMs;
    o.maxListed = maxListed;
    o.listenerCheckMs = 100;
    o.reconnectMinMs = 50;
    o.reconnectMaxMs = 400;
    return o;
}

// Waits (up to 10 s) until every feed listens on its channel: each connects on its own thread.
bool waitUntilListening(std::initializer_list<const ChangeFeed *> feeds)
{
    return QTest::qWaitFor(
        [&] {
            return std::all_of(feeds.begin(), feeds.end(),
                [](const ChangeFeed *feed) { return feed->listenerState() == Core::ListenerState::Listening; });
        },
        10000);
}

} // namespace

class TestChangeFeed final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void publishedFromThreadsArriveQueuedAndMerged()
    {
        ChangeFeed feed(options(50));
        Observer observer(feed);
        // Four threads, each publishing its 50 customers four times over: 800 publishes, 200 distinct changes.
        QList<QThread *> threads;
        for (int t = 0; t < 4; ++t) {
            threads << QThread::create([&feed, t] {
                for (int round = 0; round < 4; ++round) {
                    for (int i = 0; i < 50; ++i)
                        feed.publish(ChangeTopic::CustomerChanged, u"c-%1-%2"_s.arg(t).arg(i));
                }
            });
            threads.last()->start();
        }
        for (QThread *thread : std::as_const(threads)) {
            QVERIFY(thread->wait(10000));
            delete thread;
        }
        const auto distinct = [&] {
            QSet<QString> ids;
            for (const ChangeBatch &batch : std::as_const(observer.batches))
                ids.unite(batch.customerIds());
            return ids;
        };
        QVERIFY(observer.waitUntil([&] { return distinct().size() == 200; }));
        QVERIFY(!observer.wrongThread);
        for (const ChangeBatch &batch : std::as_const(observer.batches)) {
            QVERIFY(!batch.overflowed);
            QCOMPARE(QSet<Change>(batch.changes.cbegin(), batch.changes.cend()).size(), batch.changes.size());
            QVERIFY(batch.hasTopic(ChangeTopic::CustomerChanged));
            QVERIFY(!batch.hasTopic(ChangeTopic::CustomerAdded));
        }
        // Merged: never one batch per publish.
        QVERIFY(observer.batches.size() < 800);
    }

    void burstWithinIntervalIsOneBatchInOrder()
    {
        ChangeFeed feed(options(1500));
        Observer observer(feed);
        feed.publish(ChangeTopic::CustomerAdded, u"a"_s);
        QVERIFY(observer.waitForBatches(1));
        QCOMPARE(observer.batches.at(0).changes, (QList<Change> { { ChangeTopic::CustomerAdded, u"a"_s } }));
        // Within the interval after that batch: held back and merged into the next one.
        feed.publish(ChangeTopic::CustomerChanged, u"b"_s);
        feed.publish(ChangeTopic::SupportTicket, u"c"_s, 7);
        feed.publish(ChangeTopic::CustomerChanged, u"b"_s);
        feed.publish(ChangeTopic::SupportTicket, u"c"_s, 7);
        feed.publish(ChangeTopic::CustomerAdded, u"a"_s);
        QVERIFY(observer.waitForBatches(2));
        const QList<Change> expected { { ChangeTopic::CustomerChanged, u"b"_s },
            { ChangeTopic::SupportTicket, u"c"_s, 7 }, { ChangeTopic::CustomerAdded, u"a"_s } };
        QCOMPARE(observer.batches.at(1).changes, expected);
        QVERIFY(!observer.batches.at(1).overflowed);
    }

    void idleFeedDeliversFirstChangeWithoutWaitingAnInterval()
    {
        // An interval far longer than the wait: only a prompt first delivery can pass.
        ChangeFeed feed(options(10 * 60 * 1000));
        Observer observer(feed);
        feed.publish(ChangeTopic::ScoringConfig, {}, 3);
        QVERIFY(observer.waitForBatches(1));
        QCOMPARE(observer.batches.at(0).changes, (QList<Change> { { ChangeTopic::ScoringConfig, {}, 3 } }));
    }

    void bigBurstCollapsesToMany()
    {
        ChangeFeed feed(options(1500, 10));
        Observer observer(feed);
        feed.publish(ChangeTopic::Timeline, u"first"_s);
        QVERIFY(observer.waitForBatches(1));
        for (int i = 0; i < 11; ++i)
            feed.publish(ChangeTopic::CustomerChanged, u"c%1"_s.arg(i));
        feed.publish(ChangeTopic::ScoringConfig, {}, 2);
        QVERIFY(observer.waitForBatches(2));
        const ChangeBatch &many = observer.batches.at(1);
        QVERIFY(many.overflowed);
        QVERIFY(many.changes.isEmpty());
        QVERIFY(many.hasTopic(ChangeTopic::CustomerChanged));
        QVERIFY(many.hasTopic(ChangeTopic::ScoringConfig));
        QVERIFY(!many.hasTopic(ChangeTopic::Timeline));
        QVERIFY(many.affectsCustomer(u"anyone"_s, { ChangeTopic::CustomerChanged }));
        QVERIFY(!many.affectsCustomer(u"anyone"_s, { ChangeTopic::Renewal }));
        // Exactly the limit still lists.
        for (int i = 0; i < 10; ++i)
            feed.publish(ChangeTopic::CustomerChanged, u"d%1"_s.arg(i));
        QVERIFY(observer.waitForBatches(3));
        QVERIFY(!observer.batches.at(2).overflowed);
        QCOMPARE(observer.batches.at(2).changes.size(), 10);
    }

    void batchQueries_data()
    {
        QTest::addColumn<QList<Change>>("changes");
        QTest::addColumn<bool>("affectsAcme");
        QTest::addColumn<bool>("affectsAcmeHealth");
        QTest::addColumn<QStringList>("ids");
        QTest::addColumn<bool>("wide");

        QTest::addRow("acme changed") << QList<Change> { { ChangeTopic::CustomerChanged, u"acme"_s } } << true << false
                                      << QStringList { u"acme"_s } << false;
        QTest::addRow("other customer") << QList<Change> { { ChangeTopic::HealthScore, u"globex"_s } } << false << false
                                        << QStringList { u"globex"_s } << false;
        QTest::addRow("recompute of the portfolio")
            << QList<Change> { { ChangeTopic::HealthScore, {}, 0, true } } << true << true << QStringList {} << true;
        QTest::addRow("acme's score and a config")
            << QList<Change> { { ChangeTopic::HealthScore, u"acme"_s }, { ChangeTopic::ScoringConfig, {}, 2 } } << true
            << true << QStringList { u"acme"_s } << false;
        QTest::addRow("a segment (no customer)")
            << QList<Change> { { ChangeTopic::Segment, {}, 4 } } << false << false << QStringList {} << false;
    }
    void batchQueries()
    {
        QFETCH(QList<Change>, changes);
        ChangeBatch batch;
        batch.changes = changes;
        for (const Change &c : changes)
            batch.topicMask |= 1u << int(c.topic);
        QTEST(batch.affectsCustomer(u"acme"_s), "affectsAcme");
        QTEST(batch.affectsCustomer(u"acme"_s, { ChangeTopic::HealthScore }), "affectsAcmeHealth");
        QFETCH(QStringList, ids);
        QCOMPARE(batch.customerIds(), QSet<QString>(ids.cbegin(), ids.cend()));
        QTEST(batch.portfolioWide(), "wide");
    }

    void payloadRoundTripAndCollapse()
    {
        ChangeBatch batch;
        batch.changes = { { ChangeTopic::CustomerChanged, u"acme"_s }, { ChangeTopic::SupportTicket, u"acme"_s, 42 },
            { ChangeTopic::HealthScore, {}, 0, true } };
        batch.topicMask = (1u << int(ChangeTopic::CustomerChanged)) | (1u << int(ChangeTopic::SupportTicket))
            | (1u << int(ChangeTopic::HealthScore));
        const QByteArray payload = ChangeFeed::encodePayload(u"origin-1"_s, batch);
        QString origin;
        ChangeBatch back;
        QVERIFY(ChangeFeed::decodePayload(payload, &origin, &back));
        QCOMPARE(origin, u"origin-1"_s);
        QCOMPARE(back.changes, batch.changes);
        QCOMPARE(back.topicMask, batch.topicMask);
        QVERIFY(!back.overflowed);

        // 200 changes of 60-character ids do not fit in a NOTIFY: sent as "many", with the topics.
        ChangeBatch big;
        for (int i = 0; i < 200; ++i)
            big.changes.append({ ChangeTopic::CustomerChanged, u"customer-%1"_s.arg(i).leftJustified(60, u'x') });
        big.topicMask = 1u << int(ChangeTopic::CustomerChanged);
        const QByteArray bigPayload = ChangeFeed::encodePayload(u"origin-2"_s, big);
        QVERIFY(bigPayload.size() <= ChangeFeed::kMaxPayloadBytes);
        QVERIFY(ChangeFeed::decodePayload(bigPayload, &origin, &back));
        QVERIFY(back.overflowed);
        QVERIFY(back.changes.isEmpty());
        QCOMPARE(back.topicMask, big.topicMask);

        QVERIFY(!ChangeFeed::decodePayload("not json", &origin, &back));
        QVERIFY(!ChangeFeed::decodePayload(R"({"v":1,"o":"x","m":1,"c":[[99,"a",0,0]]})", &origin, &back));
        QVERIFY(!ChangeFeed::decodePayload(R"({"v":2,"o":"x","m":1})", &origin, &back));
    }

    void servicesReportToFeed_data()
    {
        QTest::addColumn<QString>("call");
        QTest::addColumn<Core::ChangeTopic>("topic");
        QTest::addColumn<QString>("customerId");
        QTest::addColumn<bool>("hasRecord");
        QTest::addColumn<bool>("portfolioWide");

        QTest::addRow("create customer") << u"create"_s << ChangeTopic::CustomerAdded << u"globex"_s << false << false;
        QTest::addRow("update customer") << u"update"_s << ChangeTopic::CustomerChanged << u"acme"_s << false << false;
        QTest::addRow("remove customer") << u"remove"_s << ChangeTopic::CustomerRemoved << u"acme"_s << false << false;
        QTest::addRow("recompute one customer: its score")
            << u"recompute"_s << ChangeTopic::HealthScore << u"acme"_s << false << false;
        QTest::addRow("recompute of the portfolio")
            << u"recompute all"_s << ChangeTopic::HealthScore << QString() << false << true;
        QTest::addRow("new scoring config") << u"config"_s << ChangeTopic::ScoringConfig << QString() << true << false;
        QTest::addRow("churn risk of a customer")
            << u"churn"_s << ChangeTopic::ChurnRisk << u"acme"_s << false << false;
        QTest::addRow("support ticket") << u"ticket"_s << ChangeTopic::SupportTicket << u"acme"_s << true << false;
        QTest::addRow("renewal") << u"renewal"_s << ChangeTopic::Renewal << u"acme"_s << true << false;
        QTest::addRow("note on the timeline") << u"note"_s << ChangeTopic::Timeline << u"acme"_s << false << false;
        QTest::addRow("segment") << u"segment"_s << ChangeTopic::Segment << QString() << true << false;
        QTest::addRow("lifecycle stage") << u"lifecycle"_s << ChangeTopic::Lifecycle << u"acme"_s << false << false;
        QTest::addRow("expansion opportunity")
            << u"expansion"_s << ChangeTopic::Expansion << u"acme"_s << true << false;
        QTest::addRow("e-mail template") << u"template"_s << ChangeTopic::Communication << QString() << false << false;
        // The import kind (customers = 0) is the record.
        QTest::addRow("customer import") << u"import"_s << ChangeTopic::Import << QString() << false << true;
    }
    void servicesReportToFeed()
    {
        CS_REQUIRE_BACKEND();
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        TestUtils::FakeClock clock;
        {
            Core::Services setup(fixture.db(), clock); // no feed: behaves as before
            QVERIFY(setup.ensureDefaults());
            QVERIFY(setup.customers().create(draft(u"acme"_s)));
        }
        ChangeFeed feed(options(0));
        Observer observer(feed);
        Core::Services services(fixture.db(), clock, &feed);
        QCOMPARE(services.changeFeed(), &feed);

        QFETCH(QString, call);
        qint64 recordId = 0;
        if (call == u"create") {
            QVERIFY(services.customers().create(draft(u"globex"_s)));
        } else if (call == u"update") {
            auto acme = services.customers().get(u"acme"_s);
            QVERIFY(acme);
            acme->arr = 30000;
            QVERIFY(services.customers().update(*acme));
        } else if (call == u"remove") {
            QVERIFY(services.customers().remove(u"acme"_s));
        } else if (call == u"recompute") {
            QVERIFY(services.health().recomputeCustomers({ u"acme"_s }));
        } else if (call == u"recompute all") {
            QVERIFY(services.health().recomputeAll());
        } else if (call == u"config") {
            auto config = services.health().activeConfig();
            QVERIFY(config);
            auto created = services.health().createConfig(*config);
            QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));
            recordId = created->configVersion;
        } else if (call == u"churn") {
            QVERIFY(services.churn().scoreCustomer(u"acme"_s));
        } else if (call == u"ticket") {
            Core::NewTicket ticket;
            ticket.customerId = u"acme"_s;
            ticket.subject = u"Export fails"_s;
            auto created = services.support().createTicket(ticket);
            QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));
            recordId = created->ticket.id;
        } else if (call == u"renewal") {
            Domain::Renewal renewal;
            renewal.customerId = u"acme"_s;
            renewal.renewalDate = QDate(2028, 3, 31);
            renewal.arrCurrent = 24000;
            auto created = services.renewals().createRenewal(renewal);
            QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));
            recordId = created->id;
        } else if (call == u"note") {
            QVERIFY(services.timeline().addNote(u"acme"_s, u"Called the sponsor"_s, u"dana"_s));
        } else if (call == u"segment") {
            Domain::Segment segment;
            segment.name = u"Strategic accounts"_s;
            segment.criteria = { { u"tier"_s, u"strategic"_s } };
            auto created = services.segments().create(segment);
            QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));
            recordId = created->id;
        } else if (call == u"lifecycle") {
            Core::LifecycleTransitionRequest request;
            request.customerId = u"acme"_s;
            request.to = Domain::LifecycleStage::Renewal;
            request.force = true;
            request.reason = u"renewal talks started"_s;
            auto moved = services.engagement().transition(request);
            QVERIFY2(moved, qPrintable(moved ? QString() : moved.error().toString()));
        } else if (call == u"expansion") {
            Domain::ExpansionOpportunity opportunity;
            opportunity.customerId = u"acme"_s;
            opportunity.product = u"analytics"_s;
            opportunity.title = u"Analytics add-on"_s;
            opportunity.estimatedArr = 6000;
            auto created = services.expansion().createOpportunity(opportunity);
            QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));
            recordId = created->id;
        } else if (call == u"template") {
            Domain::EmailTemplate email;
            email.name = u"Check-in"_s;
            email.subject = u"Checking in"_s;
            email.body = u"Hello"_s;
            auto created = services.communication().createTemplate(email);
            QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));
        } else if (call == u"import") {
            Core::ImportOptions import;
            import.kind = Core::ImportKind::Customers;
            auto imported = services.importer().importCsv("id,name\nnewco,New Co\n", import);
            QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().toString()));
        } else {
            QFAIL("unknown call");
        }

        QFETCH(Core::ChangeTopic, topic);
        QFETCH(QString, customerId);
        QFETCH(bool, hasRecord);
        QFETCH(bool, portfolioWide);
        QVERIFY(!hasRecord || recordId > 0);
        const Change expected { topic, customerId, hasRecord ? recordId : 0, portfolioWide };
        // The change reaches the feed; with a recomputation's record (the number scored) compared loosely.
        QVERIFY2(observer.waitUntil([&] {
            if (observer.seen(expected))
                return true;
            for (const ChangeBatch &batch : std::as_const(observer.batches)) {
                for (const Change &c : batch.changes) {
                    if (c.topic == topic && c.customerId == customerId && c.portfolioWide == portfolioWide
                        && portfolioWide && !hasRecord)
                        return true;
                }
            }
            return false;
        }),
            qPrintable(u"no change of topic %1 for '%2'"_s.arg(int(topic)).arg(customerId)));
        QVERIFY(!observer.wrongThread);
        if (call == u"recompute") {
            // Scoring one customer is not a change of the whole portfolio (open views would reload everything).
            for (const ChangeBatch &batch : std::as_const(observer.batches)) {
                for (const Change &c : batch.changes)
                    QVERIFY2(!c.portfolioWide, qPrintable(u"portfolio-wide change of topic %1"_s.arg(int(c.topic))));
            }
        }
    }

    // ---- PostgreSQL: two desktops ----------------------------------------------------------------------------

    void twoDesktopsHearEachOtherOnce()
    {
        CS_REQUIRE_BACKEND();
        if (TestUtils::backendUnderTest() != TestUtils::Backend::PostgreSql)
            QSKIP("LISTEN/NOTIFY is PostgreSQL's (team mode); the pg twin runs this");
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        std::unique_ptr<Storage::Database> other = fixture.openAgain();
        QVERIFY(other);

        ChangeFeed a(options(20));
        ChangeFeed b(options(20));
        a.listenTo(fixture.db());
        b.listenTo(*other);
        QVERIFY(waitUntilListening({ &a, &b }));
        QVERIFY(a.origin() != b.origin());
        Observer atA(a);
        Observer atB(b);

        a.publish(ChangeTopic::CustomerChanged, u"acme"_s);
        QVERIFY(atB.waitForBatches(1));
        QCOMPARE(atB.batches.at(0).changes, (QList<Change> { { ChangeTopic::CustomerChanged, u"acme"_s } }));
        QCOMPARE(atA.batches.size(), 1); // its own, locally

        // B answers; when A hears it, an echo of A's own NOTIFY (sent before) would have arrived already.
        b.publish(ChangeTopic::SupportTicket, u"globex"_s, 9);
        QVERIFY(atA.waitForBatches(2));
        QCOMPARE(atA.batches.at(1).changes, (QList<Change> { { ChangeTopic::SupportTicket, u"globex"_s, 9 } }));
        QVERIFY(atB.waitForBatches(2)); // its own
        QCOMPARE(atB.batches.at(1).changes, (QList<Change> { { ChangeTopic::SupportTicket, u"globex"_s, 9 } }));

        // A batch too large for one NOTIFY reaches the other desktop as "many".
        for (int i = 0; i < 300; ++i)
            a.publish(ChangeTopic::CustomerChanged, u"customer-%1"_s.arg(i).leftJustified(50, u'x'));
        QVERIFY(atB.waitUntil([&] {
            for (const ChangeBatch &batch : std::as_const(atB.batches)) {
                if (batch.overflowed && batch.hasTopic(ChangeTopic::CustomerChanged))
                    return true;
            }
            return false;
        }));
        // Remote batches are not sent on: A never hears its own changes back from B.
        b.publish(ChangeTopic::Segment, {}, 1);
        QVERIFY(atA.waitUntil([&] { return atA.seen({ ChangeTopic::Segment, {}, 1 }); }));
        for (const ChangeBatch &batch : std::as_const(atA.batches).mid(2)) {
            if (!batch.overflowed)
                QVERIFY(!batch.customerIds().contains(u"acme"_s));
        }
        QVERIFY(!atA.wrongThread);
        QVERIFY(!atB.wrongThread);
    }

    void listenerSurvivesItsConnectionBeingKilled()
    {
        CS_REQUIRE_BACKEND();
        if (TestUtils::backendUnderTest() != TestUtils::Backend::PostgreSql)
            QSKIP("LISTEN/NOTIFY is PostgreSQL's (team mode); the pg twin runs this");
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        std::unique_ptr<Storage::Database> other = fixture.openAgain();
        QVERIFY(other);
        ChangeFeed a(options(20));
        ChangeFeed b(options(20));
        QSignalSpy aState(&a, &ChangeFeed::listenerStateChanged);
        a.listenTo(fixture.db());
        b.listenTo(*other);
        QVERIFY(waitUntilListening({ &a, &b }));
        const qint64 pid = a.listenerBackendPid();
        QVERIFY(pid > 0);
        Observer atA(a);

        auto killed = Storage::exec(fixture.db(), u"SELECT pg_terminate_backend(?)"_s, { pid });
        QVERIFY2(killed, qPrintable(killed ? QString() : killed.error().toString()));
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const QList<QVariant> &state : std::as_const(aState)) {
                    if (state.at(0).value<Core::ListenerState>() == Core::ListenerState::Reconnecting)
                        return true;
                }
                return false;
            },
            10000));
        QVERIFY(waitUntilListening({ &a }));
        QVERIFY(a.listenerBackendPid() > 0);
        QVERIFY(a.listenerBackendPid() != pid);
        // Back: observers are told to reload (what changed meanwhile is unknown), and B's changes arrive again.
        QVERIFY(atA.waitUntil([&] { return !atA.batches.isEmpty() && atA.batches.constFirst().overflowed; }));
        b.publish(ChangeTopic::CustomerChanged, u"initech"_s);
        QVERIFY(atA.waitUntil([&] { return atA.seen({ ChangeTopic::CustomerChanged, u"initech"_s }); }));
    }
};

QTEST_GUILESS_MAIN(TestChangeFeed)
#include "tst_changefeed.moc"
