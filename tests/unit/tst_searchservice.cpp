// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// SearchService: resolve() by id, e-mail, domain, name and typo; search() across kinds with filters and paging.
// Built twice: SQLite (label unit) and PostgreSQL (label pg).
#include <QSet>
#include <QTest>
#include <QTimeZone>

#include "searchservice.h"
#include "tables_accounts.h"
#include "tables_customers.h"
#include "tables_engagement.h"
#include "tables_support.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using Core::ResolveReason;
using Core::SearchKind;

class TestSearchService : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestUtils::TestDatabase> m_db;
    Storage::Database &db() { return m_db->db(); }

    void addCustomer(const QString &id, const QString &name, const QString &domain, const QString &company = {})
    {
        Domain::Customer c;
        c.id = id;
        c.name = name;
        c.domain = domain;
        c.company = company;
        auto created = Storage::CustomerRepository(db()).create(c);
        QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
    }

    void portfolio()
    {
        addCustomer(u"acme"_s, u"Acme Corp"_s, u"acme.io"_s);
        addCustomer(u"acme-eu"_s, u"Acme Europe"_s, u"acme.eu"_s);
        addCustomer(u"globex"_s, u"Globex"_s, u"globex.com"_s, u"Globex Corporation"_s);
        addCustomer(u"initech"_s, u"Initech"_s, {});
        addCustomer(u"gone"_s, u"Gone Ltd"_s, u"gone.io"_s);
        QVERIFY(Storage::CustomerRepository(db()).softDelete(u"gone"_s));

        Domain::Contact ada;
        ada.customerId = u"acme"_s;
        ada.name = u"Ada Lovelace"_s;
        ada.email = u"ada@acme.io"_s;
        QVERIFY(Storage::ContactRepository(db()).create(ada));

        Domain::SupportTicket ticket;
        ticket.customerId = u"acme"_s;
        ticket.subject = u"Cannot log in to the dashboard"_s;
        ticket.description = u"Users see an SSO error after the identity provider changed."_s;
        ticket.openedAt = QDateTime(QDate(2026, 6, 1), QTime(9, 0), QTimeZone::utc());
        QVERIFY(Storage::SupportTicketRepository(db()).create(ticket));

        Domain::Note note;
        note.customerId = u"globex"_s;
        note.body = u"Renewal call went well; they want the SSO rollout next quarter."_s;
        QVERIFY(Storage::NoteRepository(db()).create(note));

        for (const auto &[slug, status] : { std::pair { u"configuring-sso"_s, Domain::KbArticleStatus::Published },
                 std::pair { u"sso-draft"_s, Domain::KbArticleStatus::Draft } }) {
            Domain::KbArticle article;
            article.slug = slug;
            article.title = u"Configuring SSO"_s;
            article.body = u"How to set up single sign-on (SSO) with your identity provider."_s;
            article.status = status;
            auto created = Storage::KbArticleRepository(db()).create(article);
            QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
        }
    }

private Q_SLOTS:
    void init()
    {
        CS_REQUIRE_BACKEND();
        m_db = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_db->isOpen(), qPrintable(m_db->error()));
    }

    void cleanup() { m_db.reset(); }

    void emptyPortfolio()
    {
        Core::SearchService search(db());
        auto resolved = search.resolve(u"Acme"_s);
        QVERIFY(resolved);
        QVERIFY(resolved->isEmpty());
        auto hits = search.search({ u"sso"_s, {}, {}, 25, {} });
        QVERIFY(hits);
        QCOMPARE(hits->total, 0);
        QVERIFY(hits->items.isEmpty());
        QVERIFY(hits->nextCursor.isEmpty());
    }

    void resolve_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("firstId");
        QTest::addColumn<int>("reason");
        QTest::addColumn<double>("score");
        QTest::addColumn<int>("count");

        QTest::addRow("exact id") << u"acme"_s << u"acme"_s << int(ResolveReason::ExactId) << 1.0 << 2;
        QTest::addRow("exact name, any case")
            << u"ACME CORP"_s << u"acme"_s << int(ResolveReason::ExactName) << 0.9 << 1;
        QTest::addRow("name prefix") << u"Acme E"_s << u"acme-eu"_s << int(ResolveReason::NamePrefix) << 0.75 << 2;
        QTest::addRow("name contains") << u"corp"_s << u"acme"_s << int(ResolveReason::NameContains) << 0.6 << 1;
        QTest::addRow("domain from a url")
            << u"https://www.acme.io/pricing"_s << u"acme"_s << int(ResolveReason::ExactDomain) << 0.95 << 1;
        QTest::addRow("contact e-mail") << u"Ada@Acme.io"_s << u"acme"_s << int(ResolveReason::ContactEmail) << 0.95
                                        << 1;
        QTest::addRow("e-mail domain") << u"someone@globex.com"_s << u"globex"_s << int(ResolveReason::EmailDomain)
                                       << 0.8 << 1;
        // "globx" vs "globex": one edit in six characters → similarity 5/6, score 0.55 × 5/6.
        QTest::addRow("typo") << u"Globx"_s << u"globex"_s << int(ResolveReason::Fuzzy) << 0.458 << 1;
        QTest::addRow("nothing") << u"zzzz"_s << QString() << 0 << 0.0 << 0;
        QTest::addRow("deleted customers are not offered") << u"gone.io"_s << QString() << 0 << 0.0 << 0;
    }

    void resolve()
    {
        QFETCH(QString, query);
        QFETCH(QString, firstId);
        QFETCH(int, reason);
        QFETCH(double, score);
        QFETCH(int, count);
        portfolio();
        Core::SearchService search(db());
        auto found = search.resolve(query, 10);
        QVERIFY2(found, found ? "" : qPrintable(found.error().toString()));
        QStringList ids;
        for (const auto &c : *found)
            ids << c.customer.id + u':' + Domain::enumName(c.reason);
        QCOMPARE(found->size(), count);
        if (count == 0)
            return;
        QCOMPARE(found->first().customer.id, firstId);
        QCOMPARE(int(found->first().reason), reason);
        QCOMPARE(found->first().score, score);
        QVERIFY(!found->first().detail.isEmpty());
    }

    void resolveRanksAndDeduplicates()
    {
        portfolio();
        auto found = Core::SearchService(db()).resolve(u"Acme"_s, 10);
        QVERIFY(found);
        // Both Acmes start with the text; each appears once, best first, ties by name.
        QCOMPARE(found->size(), 2);
        QCOMPARE(found->at(0).customer.id, u"acme"_s);
        QCOMPARE(found->at(1).customer.id, u"acme-eu"_s);
        QCOMPARE(found->at(0).reason, ResolveReason::NamePrefix);
        auto limited = Core::SearchService(db()).resolve(u"Acme"_s, 1);
        QVERIFY(limited);
        QCOMPARE(limited->size(), 1);
    }

    void resolveRefusesBadArguments_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("limit");
        QTest::addColumn<QString>("field");
        QTest::addRow("blank") << u"   "_s << 5 << u"query"_s;
        QTest::addRow("too long") << QString(321, u'a') << 5 << u"query"_s;
        QTest::addRow("limit 0") << u"acme"_s << 0 << u"limit"_s;
        QTest::addRow("limit 51") << u"acme"_s << 51 << u"limit"_s;
    }

    void resolveRefusesBadArguments()
    {
        QFETCH(QString, query);
        QFETCH(int, limit);
        QFETCH(QString, field);
        auto found = Core::SearchService(db()).resolve(query, limit);
        QVERIFY(!found);
        QCOMPARE(found.error().code, Core::ErrorCode::InvalidArgument);
        QCOMPARE(found.error().field, field);
    }

    void searchAcrossKinds()
    {
        portfolio();
        Core::SearchService search(db());
        auto page = search.search({ u"sso"_s, {}, {}, 25, {} });
        QVERIFY2(page, page ? "" : qPrintable(page.error().toString()));
        QStringList kinds;
        for (const auto &hit : page->items)
            kinds << Domain::enumName(hit.kind);
        // The published article (full text, title), the note (full text), the ticket (description); no draft.
        QCOMPARE(kinds, (QStringList { u"kb_article"_s, u"note"_s, u"ticket"_s }));
        QCOMPARE(page->total, 3);
        QCOMPARE(page->items.at(1).customerId, u"globex"_s);
        QVERIFY2(page->items.at(2).snippet.contains(u"SSO error"_s), qPrintable(page->items.at(2).snippet));
        QVERIFY(page->items.at(0).customerId.isEmpty());

        auto tickets = search.search({ u"sso"_s, { SearchKind::Ticket }, {}, 25, {} });
        QVERIFY(tickets);
        QCOMPARE(tickets->total, 1);
        QCOMPARE(tickets->items.first().kind, SearchKind::Ticket);

        auto ofGlobex = search.search({ u"sso"_s, {}, u"globex"_s, 25, {} });
        QVERIFY(ofGlobex);
        QCOMPARE(ofGlobex->total, 1); // the note; articles belong to no customer
        QCOMPARE(ofGlobex->items.first().kind, SearchKind::Note);

        auto people = search.search({ u"ada@"_s, {}, {}, 25, {} });
        QVERIFY(people);
        QCOMPARE(people->total, 1);
        QCOMPARE(people->items.first().kind, SearchKind::Contact);
        QCOMPARE(people->items.first().customerId, u"acme"_s);

        auto companies = search.search({ u"corporation"_s, { SearchKind::Customer }, {}, 25, {} });
        QVERIFY(companies);
        QCOMPARE(companies->total, 1);
        QCOMPARE(companies->items.first().id, u"globex"_s);

        // LIKE wildcards in the text are text.
        auto percent = search.search({ u"%"_s, {}, {}, 25, {} });
        QVERIFY(percent);
        QCOMPARE(percent->total, 0);
    }

    void searchPages()
    {
        for (int i = 0; i < 30; ++i)
            addCustomer(u"c%1"_s.arg(i, 2, 10, QChar(u'0')), u"Customer %1"_s.arg(i), {});
        Core::SearchService search(db());
        QSet<QString> seen;
        QString cursor;
        int pages = 0;
        do {
            auto page = search.search({ u"customer"_s, { SearchKind::Customer }, {}, 12, cursor });
            QVERIFY2(page, page ? "" : qPrintable(page.error().toString()));
            QCOMPARE(page->total, 30);
            for (const auto &hit : page->items)
                seen.insert(hit.id);
            cursor = page->nextCursor;
            ++pages;
        } while (!cursor.isEmpty() && pages < 10);
        QCOMPARE(pages, 3);
        QCOMPARE(seen.size(), 30);

        auto bad = search.search({ u"customer"_s, {}, {}, 12, u"o:3"_s });
        QVERIFY(!bad);
        QCOMPARE(bad.error().field, u"cursor"_s);
        auto badLimit = search.search({ u"customer"_s, {}, {}, 201, {} });
        QVERIFY(!badLimit);
        QCOMPARE(badLimit.error().field, u"limit"_s);
        auto blank = search.search({ u" "_s, {}, {}, 10, {} });
        QVERIFY(!blank);
        QCOMPARE(blank.error().field, u"query"_s);
    }

    void similarity_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<double>("expected");
        QTest::addRow("equal") << u"acme"_s << u"acme"_s << 1.0;
        QTest::addRow("one substitution") << u"acme"_s << u"acne"_s << 0.75;
        QTest::addRow("one insertion") << u"globex"_s << u"globx"_s << 5.0 / 6.0;
        QTest::addRow("nothing alike") << u"abc"_s << u"xyz"_s << 0.0;
        QTest::addRow("both empty") << QString() << QString() << 1.0;
    }

    void similarity()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(double, expected);
        QCOMPARE(Core::SearchService::similarity(a, b), expected);
    }
};

QTEST_GUILESS_MAIN(TestSearchService)
#include "tst_searchservice.moc"
