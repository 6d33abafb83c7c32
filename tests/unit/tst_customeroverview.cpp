// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Core::customerOverview (the composed value behind get_client_overview, customer://{id} and the detail view) and
// the CustomerService functions it and the MCP layer use: contracts, createWithContact, suggestIds. Each part of
// the overview must be what the owning service answers for the same question. Built twice: SQLite and PostgreSQL.
#include <QTest>
#include <QTimeZone>

#include "customeroverview.h"
#include "demoportfolio.h"
#include "fakeclock.h"
#include "services.h"
#include "sql.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;

namespace {

const QDate kToday(2026, 6, 15);

Domain::Customer customer(const QString &id, const QString &name)
{
    Domain::Customer c;
    c.id = id;
    c.name = name;
    c.tier = Domain::Tier::MidMarket;
    c.arr = 24000;
    return c;
}

} // namespace

class TestCustomerOverview : public QObject
{
    Q_OBJECT

private:
    TestUtils::FakeClock m_clock { QDateTime(kToday, QTime(12, 0), QTimeZone::utc()) };

private Q_SLOTS:
    void emptyCustomerSaysWhatIsMissing()
    {
        CS_REQUIRE_BACKEND();
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::Services services(fixture.db(), m_clock);
        QVERIFY(services.customers().create(customer(u"acme"_s, u"Acme"_s)).ok());

        auto o = Core::customerOverview(services, u"acme"_s, 5);
        QVERIFY2(o.ok(), qPrintable(o.ok() ? QString() : o.error().toString()));
        QCOMPARE(o->customer.name, u"Acme"_s);
        QVERIFY(!o->health.has_value());
        QVERIFY(!o->healthTrend.week.hasData);
        QVERIFY(!o->churnRisk.has_value());
        QCOMPARE(o->openTickets, 0);
        QVERIFY(!o->onboarding.has_value());
        QVERIFY(!o->nextRenewal.has_value());
        QVERIFY(o->contracts.isEmpty());
        QVERIFY(!o->currentContract.has_value());
    }

    void refusesUnknownCustomerAndBadCount_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<int>("items");
        QTest::addColumn<QString>("field");
        QTest::addColumn<int>("code");
        QTest::addRow("unknown") << u"nobody"_s << 5 << u"customer_id"_s << int(Core::ErrorCode::NotFound);
        QTest::addRow("negative items") << u"acme"_s << -1 << u"recent_timeline_items"_s
                                        << int(Core::ErrorCode::InvalidArgument);
        QTest::addRow("too many items") << u"acme"_s << 51 << u"recent_timeline_items"_s
                                        << int(Core::ErrorCode::InvalidArgument);
    }

    void refusesUnknownCustomerAndBadCount()
    {
        CS_REQUIRE_BACKEND();
        QFETCH(QString, id);
        QFETCH(int, items);
        QFETCH(QString, field);
        QFETCH(int, code);
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::Services services(fixture.db(), m_clock);
        QVERIFY(services.customers().create(customer(u"acme"_s, u"Acme"_s)).ok());
        auto o = Core::customerOverview(services, id, items);
        QVERIFY(!o.ok());
        QCOMPARE(o.error().field, field);
        QCOMPARE(int(o.error().code), code);
    }

    void deletedCustomerIsNotFound()
    {
        CS_REQUIRE_BACKEND();
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::Services services(fixture.db(), m_clock);
        QVERIFY(services.customers().create(customer(u"gone"_s, u"Gone"_s)).ok());
        QVERIFY(services.customers().remove(u"gone"_s).ok());
        auto o = Core::customerOverview(services, u"gone"_s);
        QVERIFY(!o.ok());
        QCOMPARE(o.error().code, Core::ErrorCode::NotFound);
    }

    void contractsNewestFirstWithCurrentOne()
    {
        CS_REQUIRE_BACKEND();
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::Services services(fixture.db(), m_clock);
        QVERIFY(services.customers().create(customer(u"acme"_s, u"Acme"_s)).ok());
        const auto addContract = [&](const QString &number, QDate start, QDate end, Domain::ContractStatus status) {
            auto q = Storage::exec(fixture.db(),
                u"INSERT INTO contracts (customer_id, contract_number, start_date, end_date, arr, currency, status) "
                u"VALUES (?, ?, ?, ?, ?, 'USD', ?)"_s,
                { u"acme"_s, number, start, end, 12000.0, Domain::enumName(status) });
            QVERIFY2(q.ok(), qPrintable(q.ok() ? QString() : q.error().toString()));
        };
        addContract(u"C-1"_s, QDate(2024, 1, 1), QDate(2025, 1, 1), Domain::ContractStatus::Expired);
        addContract(u"C-2"_s, QDate(2025, 1, 1), QDate(2027, 1, 1), Domain::ContractStatus::Active);
        addContract(u"C-3"_s, QDate(2027, 1, 1), QDate(2028, 1, 1), Domain::ContractStatus::Pending);
        addContract(u"C-0"_s, QDate(2023, 1, 1), QDate(2024, 1, 1), Domain::ContractStatus::Expired);

        auto list = services.customers().contracts(u"acme"_s, 10);
        QVERIFY(list.ok());
        QCOMPARE(list->size(), 4);
        QCOMPARE(list->at(0).contractNumber, u"C-3"_s);
        QCOMPARE(list->at(3).contractNumber, u"C-0"_s);
        QCOMPARE(services.customers().contracts(u"nobody"_s).error().field, u"customer_id"_s);

        auto o = Core::customerOverview(services, u"acme"_s);
        QVERIFY(o.ok());
        QCOMPARE(o->contracts.size(), Core::CustomerOverview::kContractsListed);
        QVERIFY(o->currentContract.has_value());
        QCOMPARE(o->currentContract->contractNumber, u"C-2"_s);
    }

    void createWithContactIsAllOrNothing()
    {
        CS_REQUIRE_BACKEND();
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::Services services(fixture.db(), m_clock);
        Domain::Contact contact;
        contact.name = u"Ada Admin"_s;
        contact.email = u"ada@acme.example"_s;
        auto made = services.customers().createWithContact(customer(u"acme"_s, u"Acme"_s), contact);
        QVERIFY2(made.ok(), qPrintable(made.ok() ? QString() : made.error().toString()));
        QVERIFY(made->primaryContact.has_value());
        auto contacts = services.customers().contacts(u"acme"_s);
        QVERIFY(contacts.ok());
        QCOMPARE(contacts->size(), 1);
        QVERIFY(contacts->at(0).isPrimary);
        QCOMPARE(contacts->at(0).email, u"ada@acme.example"_s);

        Domain::Contact bad;
        bad.name = QString(); // a contact needs a name
        bad.email = u"x@y.example"_s;
        auto refused = services.customers().createWithContact(customer(u"beta"_s, u"Beta"_s), bad);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().field.startsWith(u"primary_contact."_s), qPrintable(refused.error().toString()));
        QCOMPARE(services.customers().get(u"beta"_s).error().code, Core::ErrorCode::NotFound);
    }

    void suggestIdsRanksPrefixFirst()
    {
        CS_REQUIRE_BACKEND();
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::Services services(fixture.db(), m_clock);
        QVERIFY(services.customers().create(customer(u"zeta-acme"_s, u"Zeta"_s)).ok());
        QVERIFY(services.customers().create(customer(u"acme-2"_s, u"Acme Two"_s)).ok());
        QVERIFY(services.customers().create(customer(u"acme-1"_s, u"Acme One"_s)).ok());
        QVERIFY(services.customers().create(customer(u"c-9"_s, u"ACME Holdings"_s)).ok());
        QVERIFY(services.customers().create(customer(u"other"_s, u"Other"_s)).ok());
        QVERIFY(services.customers().create(customer(u"a_b"_s, u"Underscore"_s)).ok());
        QVERIFY(services.customers().create(customer(u"axb"_s, u"Not underscore"_s)).ok());

        auto ids = services.customers().suggestIds(u"Acme"_s, 10);
        QVERIFY(ids.ok());
        QCOMPARE(*ids, (QStringList { u"acme-1"_s, u"acme-2"_s, u"c-9"_s, u"zeta-acme"_s }));
        QCOMPARE(*services.customers().suggestIds(u"acme"_s, 1), QStringList { u"acme-1"_s });
        // '_' is a literal character, not a LIKE wildcard.
        QCOMPARE(*services.customers().suggestIds(u"a_"_s, 10), QStringList { u"a_b"_s });
        QCOMPARE(services.customers().suggestIds(QString(), 100)->size(), 7);
        QCOMPARE(services.customers().suggestIds(u"a"_s, 0).error().field, u"limit"_s);
    }

    // On a generated portfolio every part equals what the owning service answers.
    void demoPortfolioPartsComeFromTheServices()
    {
        CS_REQUIRE_BACKEND();
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::DemoPortfolio::Options options;
        options.customers = 60;
        options.seed = 777;
        options.today = kToday;
        options.usageEvents = 15'000;
        auto generated = Core::DemoPortfolio(fixture.db(), options).generate();
        QVERIFY2(generated.ok(), qPrintable(generated.ok() ? QString() : generated.error().toString()));
        Core::Services services(fixture.db(), m_clock);
        QVERIFY(services.health().recomputeAll().ok());
        QVERIFY(services.churn().scorePortfolio().ok());

        Storage::ListQuery all;
        all.limit = 100;
        auto customers = services.customers().list(all);
        QVERIFY(customers.ok());
        int withHealth = 0;
        int withTickets = 0;
        int withRenewal = 0;
        int withOnboarding = 0;
        for (const Domain::Customer &c : customers->items) {
            auto o = Core::customerOverview(services, c.id, 5);
            QVERIFY2(o.ok(), qPrintable(o.ok() ? QString() : o.error().toString()));
            auto score = services.health().latestScore(c.id);
            QVERIFY(score.ok());
            QCOMPARE(o->health.has_value(), score->has_value());
            if (o->health) {
                ++withHealth;
                QCOMPARE(o->health->score, (*score)->score);
                QCOMPARE(o->health->components, (*score)->components);
            }
            auto risk = services.churn().latestRisk(c.id);
            QVERIFY(risk.ok());
            QCOMPARE(o->churnRisk.has_value(), risk->has_value());
            if (o->churnRisk)
                QCOMPARE(o->churnRisk->probability, (*risk)->probability);
            auto count = Storage::exec(fixture.db(),
                u"SELECT COUNT(*) FROM support_tickets WHERE customer_id = ? AND deleted_at IS NULL AND status IN "
                u"('new', 'open', 'pending', 'on_hold')"_s,
                { c.id });
            QVERIFY(count.ok() && count->next());
            QCOMPARE(o->openTickets, count->value(0).toLongLong());
            QVERIFY(o->recentOpenTickets.size() <= Core::CustomerOverview::kOpenTicketsListed);
            withTickets += o->openTickets > 0 ? 1 : 0;
            Core::RenewalPipelineQuery rq;
            rq.customerId = c.id;
            rq.limit = 1;
            auto renewal = services.renewals().pipeline(rq);
            QVERIFY(renewal.ok());
            QCOMPARE(o->nextRenewal.has_value(), !renewal->items.isEmpty());
            if (o->nextRenewal) {
                ++withRenewal;
                QCOMPARE(o->nextRenewal->renewal.id, renewal->items.constFirst().renewal.id);
            }
            withOnboarding += o->onboarding ? 1 : 0;
            Core::TimelineQuery tq;
            tq.customerId = c.id;
            auto timeline = services.timeline().timeline(tq);
            QVERIFY(timeline.ok());
            QCOMPARE(o->timelineTotal, timeline->total);
            QCOMPARE(o->recentTimeline.size(), qMin<qsizetype>(5, timeline->total));
        }
        // The portfolio exercises every part (else the comparisons above prove little).
        QVERIFY(withHealth > 0);
        QVERIFY(withTickets > 0);
        QVERIFY(withRenewal > 0);
        QVERIFY(withOnboarding > 0);
    }
};

QTEST_GUILESS_MAIN(TestCustomerOverview)
#include "tst_customeroverview.moc"
