// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Repositories of the support records (schema 0004: SLA policies, tickets, comments, routing rules, knowledge
// base with its full-text search from 0009, portal settings). Built twice: against SQLite (label unit) and
// PostgreSQL (label pg). One database is shared by every test function, so each test uses records of its own.
#include <functional>
#include <memory>

#include <QFile>
#include <QRegularExpression>
#include <QSqlRecord>
#include <QTest>
#include <QTimeZone>

#include "sql.h"
#include "tables_customers.h"
#include "tables_support.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using namespace Domain;
using Core::ErrorCode;

namespace {

template<typename T> using Traits = Storage::TableTraits<T>;

QString show(const QVariant &v)
{
    return v.isNull() ? u"NULL"_s : u"'%1'"_s.arg(v.toString());
}

QString describe(const Core::Status &status)
{
    return status ? QString() : status.error().toString();
}

template<typename T> QString describe(const Core::Result<T> &result)
{
    return result ? QString() : Core::Error::codeName(result.error().code) + u" "_s + result.error().toString();
}

qint64 countRows(Storage::Database &db, const QString &sql, const QVariantList &bindings = {})
{
    auto q = Storage::exec(db, sql, bindings);
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

QDateTime utc(int y, int m, int d, int h = 9, int min = 30, int s = 15, int ms = 250)
{
    return QDateTime(QDate(y, m, d), QTime(h, min, s, ms), QTimeZone::utc());
}

// Every mapped column (except the generated key) holds the same value, in the form the repository writes.
template<typename T> void verifySameColumns(const T &actual, const T &expected)
{
    for (const Storage::Column<T> &c : Traits<T>::columns()) {
        if (c.flags & Storage::GeneratedKey)
            continue;
        const QVariant a = c.read(actual);
        const QVariant e = c.read(expected);
        QVERIFY2(a == e && a.isNull() == e.isNull(),
            qPrintable(u"%1.%2: stored %3, expected %4"_s.arg(Traits<T>::table(), c.name, show(a), show(e))));
    }
}

// A round trip only proves something for columns whose sample value differs from the default.
template<typename T> void verifySampleSetsEveryColumn(const T &sample)
{
    const T defaults {};
    for (const Storage::Column<T> &c : Traits<T>::columns()) {
        if (c.flags & Storage::GeneratedKey)
            continue;
        QVERIFY2(c.read(sample) != c.read(defaults) || c.read(sample).isNull() != c.read(defaults).isNull(),
            qPrintable(u"the %1 sample leaves %2 at its default"_s.arg(Traits<T>::singular(), c.name)));
    }
}

// Writing one column changes only that column: no two columns share a member.
template<typename T> void verifyColumnsAreIndependent(const T &sample)
{
    const T defaults {};
    const auto &columns = Traits<T>::columns();
    for (const Storage::Column<T> &c : columns) {
        T probe = sample;
        c.write(probe, c.read(defaults));
        for (const Storage::Column<T> &other : columns) {
            if (other.name != c.name) {
                QVERIFY2(other.read(probe) == other.read(sample),
                    qPrintable(u"%1: writing %2 changes %3"_s.arg(Traits<T>::table(), c.name, other.name)));
            }
        }
    }
}

// The table's columns in the database are exactly the mapped ones plus the bookkeeping the traits declare
// (PostgreSQL's generated search_vector aside).
template<typename T> void verifyEveryColumnIsMapped(Storage::Database &db)
{
    const QSqlRecord record = db.connection().record(Traits<T>::table());
    QStringList actual;
    for (int i = 0; i < record.count(); ++i) {
        if (record.fieldName(i) != u"search_vector"_s)
            actual << record.fieldName(i);
    }
    QStringList expected { u"created_at"_s };
    for (const Storage::Column<T> &c : Traits<T>::columns())
        expected << c.name;
    if (Traits<T>::hasUpdatedAt)
        expected << u"updated_at"_s;
    if (Traits<T>::softDelete)
        expected << u"deleted_at"_s;
    if (Traits<T>::versioned)
        expected << u"version"_s;
    actual.sort();
    expected.sort();
    QCOMPARE(actual, expected);
}

// create -> get -> update (version bump) -> stale update (Conflict) -> soft delete / restore, or remove.
// `mutate` must change at least one mutable column and leave the record valid.
template<typename T>
void verifyLifecycle(Storage::Database &db, const T &sample, const std::function<void(T &)> &mutate)
{
    constexpr bool versioned = Traits<T>::versioned;
    Storage::Repository<T> repo(db);
    verifySampleSetsEveryColumn(sample);
    if (QTest::currentTestFailed())
        return;
    verifyColumnsAreIndependent(sample);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(sample.validate(), qPrintable(describe(sample.validate())));

    auto created = repo.create(sample);
    QVERIFY2(created, qPrintable(describe(created)));
    QVERIFY(created->id > 0);
    QCOMPARE(created->meta.version, versioned ? 1 : 0);
    QVERIFY(created->meta.createdAt.isValid());
    QCOMPARE(created->meta.createdAt.timeSpec(), Qt::UTC);
    QVERIFY(!created->meta.isDeleted());

    auto got = repo.get(created->id);
    QVERIFY2(got, qPrintable(describe(got)));
    verifySameColumns(*got, sample);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(got->meta.createdAt, created->meta.createdAt);

    Storage::ListQuery byId;
    byId.filters << Storage::Filter { u"id"_s, Storage::Filter::Op::Eq, created->id };
    auto listed = repo.list(byId);
    QVERIFY2(listed, qPrintable(describe(listed)));
    QCOMPARE(listed->total, qint64(1));
    verifySameColumns(listed->items.constFirst(), sample);
    if (QTest::currentTestFailed())
        return;

    T changed = *got;
    mutate(changed);
    QVERIFY2(changed.validate(), qPrintable(describe(changed.validate())));
    auto saved = repo.update(changed);
    QVERIFY2(saved, qPrintable(describe(saved)));
    QCOMPARE(saved->meta.version, versioned ? 2 : 0);
    QVERIFY(saved->meta.updatedAt >= got->meta.updatedAt);
    auto reread = repo.get(created->id);
    QVERIFY(reread);
    verifySameColumns(*reread, changed);
    if (QTest::currentTestFailed())
        return;
    bool anyChanged = false;
    for (const Storage::Column<T> &c : Traits<T>::columns())
        anyChanged = anyChanged || c.read(*reread) != c.read(*got);
    QVERIFY2(anyChanged, "the mutation changed nothing");

    if constexpr (versioned) {
        // Another CSM still holds version 1: their save must fail and change nothing.
        auto stale = repo.update(*got);
        QVERIFY(!stale);
        QCOMPARE(stale.error().code, ErrorCode::Conflict);
        QCOMPARE(stale.error().field, u"version"_s);
        verifySameColumns(*repo.get(created->id), changed);
        if (QTest::currentTestFailed())
            return;
    }

    if constexpr (Traits<T>::softDelete) {
        QVERIFY(repo.softDelete(created->id));
        QCOMPARE(repo.get(created->id).error().code, ErrorCode::NotFound);
        auto deleted = repo.get(created->id, true);
        QVERIFY(deleted);
        QVERIFY(deleted->meta.isDeleted());
        auto hidden = repo.list(byId);
        QVERIFY(hidden);
        QCOMPARE(hidden->total, qint64(0));
        QVERIFY(repo.restore(created->id));
        QVERIFY(repo.get(created->id));
    } else {
        QVERIFY(repo.remove(created->id));
        QCOMPARE(repo.get(created->id).error().code, ErrorCode::NotFound);
        QCOMPARE(repo.remove(created->id).error().code, ErrorCode::NotFound);
    }
}

// A record with only its required fields: the defaults and empty optionals come back as they were.
template<typename T> void verifyMinimalRoundTrip(Storage::Database &db, const T &minimal)
{
    Storage::Repository<T> repo(db);
    auto created = repo.create(minimal);
    QVERIFY2(created, qPrintable(describe(created)));
    auto got = repo.get(created->id);
    QVERIFY(got);
    verifySameColumns(*got, minimal);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(repo.remove(created->id));
}

// The values of `column IN (...)` in the CREATE TABLE statement of `table` in a migration.
QStringList checkList(const QString &migration, const QString &table, const QString &column)
{
    QFile file(u":/migrations/"_s + migration);
    if (!file.open(QIODevice::ReadOnly))
        return { u"<cannot read %1>"_s.arg(migration) };
    const QString sql = QString::fromUtf8(file.readAll());
    const qsizetype start = sql.indexOf(u"CREATE TABLE "_s + table + u" ("_s);
    const qsizetype end = sql.indexOf(u"\n);"_s, start);
    if (start < 0 || end < 0)
        return { u"<no table %1>"_s.arg(table) };
    const QRegularExpression re(u"CHECK \\(%1 IN \\(([^)]*)\\)\\)"_s.arg(column));
    const auto match = re.match(sql.mid(start, end - start));
    if (!match.hasMatch())
        return { u"<no CHECK list for %1.%2>"_s.arg(table, column) };
    QStringList values;
    for (const QString &quoted : match.captured(1).split(u','))
        values << quoted.trimmed().remove(u'\'');
    return values;
}

// One bad input: what validate() says, and what the repository says when asked to store it.
struct Attempt
{
    std::function<Core::Status()> validate;
    std::function<Core::Status()> create;
};

} // namespace

Q_DECLARE_METATYPE(Attempt)

class TestSupportRepositories final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    const QString m_customer = u"acme-support"_s;
    qint64 m_contactId = 0;
    qint64 m_ticketId = 0;
    int m_unique = 0;
    bool m_kbSeeded = false;

    Storage::Database &db() { return m_fixture->db(); }
    int next() { return ++m_unique; }

    qint64 insertContact(const QString &customerId, const QString &name)
    {
        auto q = Storage::exec(
            db(), u"INSERT INTO contacts (customer_id, name) VALUES (?, ?) RETURNING id"_s, { customerId, name });
        if (!q || !q->next())
            return 0;
        const qint64 id = q->value(0).toLongLong();
        while (q->next()) { }
        return id;
    }

    bool createCustomer(const QString &id)
    {
        Customer customer;
        customer.id = id;
        customer.name = id;
        return Storage::CustomerRepository(db()).create(customer).ok();
    }

    template<typename T> qint64 store(const T &record)
    {
        auto created = Storage::Repository<T>(db()).create(record);
        if (!created)
            qWarning("cannot store a %s: %s", qPrintable(Traits<T>::singular()), qPrintable(describe(created)));
        return created ? created->id : 0;
    }

    template<typename T> Attempt attempt(T record, const std::function<void(T &)> &mutate)
    {
        mutate(record);
        Storage::Database *database = &db();
        return { [record] { return record.validate(); },
            [record, database]() -> Core::Status {
                auto created = Storage::Repository<T>(*database).create(record);
                if (created)
                    return {};
                return created.error();
            } };
    }

    static SlaPolicy sampleSla()
    {
        SlaPolicy p;
        p.priority = TicketPriority::P1;
        p.firstResponseMinutes = 30;
        p.resolutionMinutes = 480;
        p.atRiskRatio = 0.75;
        p.businessHoursOnly = true;
        return p;
    }

    SupportTicket sampleTicket()
    {
        SupportTicket t;
        t.customerId = m_customer;
        t.externalId = u"zd-%1"_s.arg(next());
        t.subject = u"SSO login loops back to the sign-in page"_s;
        t.description = u"Since Monday's IdP change, users bounce between Okta and the app.\nSteps: …"_s;
        t.priority = TicketPriority::P0;
        t.status = TicketStatus::OnHold;
        t.channel = u"email"_s;
        t.requesterContactId = m_contactId;
        t.assignee = u"lee@csdesk.example"_s;
        t.assignedTeam = u"Tier 2"_s;
        t.category = u"authentication"_s;
        t.tags = { u"sso"_s, u"okta"_s, u"vip \"customer\""_s };
        // Written with an offset, read back as the same instant in UTC.
        t.openedAt = QDateTime(QDate(2026, 3, 2), QTime(10, 15, 30, 500), QTimeZone(-5 * 3600));
        t.firstResponseAt = utc(2026, 3, 2, 15, 40);
        t.resolvedAt = utc(2026, 3, 3, 12, 0);
        t.closedAt = utc(2026, 3, 5, 12, 0);
        t.firstResponseDueAt = utc(2026, 3, 2, 15, 45);
        t.resolutionDueAt = utc(2026, 3, 3, 15, 15);
        t.csat = 4;
        t.csatComment = u"Fixed, eventually"_s;
        t.escalated = true;
        return t;
    }

    TicketComment sampleComment()
    {
        TicketComment c;
        c.ticketId = m_ticketId;
        c.externalId = u"zdc-%1"_s.arg(next());
        c.author = u"Lee"_s;
        c.isPublic = false;
        c.body = u"Internal: the IdP sends an audience of 'app-staging'."_s;
        c.commentedAt = utc(2026, 3, 2, 16, 0);
        return c;
    }

    static RoutingRule sampleRule()
    {
        RoutingRule r;
        r.name = u"Enterprise SSO to Tier 2"_s;
        r.position = 3;
        r.conditions = { { u"category"_s, u"authentication"_s },
            { u"tier"_s, QVariantList { u"enterprise"_s, u"strategic"_s } }, { u"min_arr"_s, 50000.5 } };
        r.targetTeam = u"Tier 2"_s;
        r.targetAssignee = u"lee@csdesk.example"_s;
        r.setPriority = TicketPriority::P1;
        r.isActive = false;
        return r;
    }

    KbArticle sampleArticle()
    {
        KbArticle a;
        a.slug = u"reset-password-%1"_s.arg(next());
        a.title = u"Reset a password"_s;
        a.body = u"Open Settings → Security and choose “Reset”."_s;
        a.tags = { u"account"_s, u"security"_s };
        a.category = u"Accounts"_s;
        a.status = KbArticleStatus::Published;
        a.author = u"Kim"_s;
        a.views = 1200;
        a.helpfulVotes = 40;
        a.unhelpfulVotes = 3;
        a.publishedAt = utc(2026, 1, 20);
        return a;
    }

    CustomerPortalSettings samplePortal()
    {
        CustomerPortalSettings p;
        p.customerId = m_customer;
        p.isEnabled = false;
        p.features = { { u"tickets"_s, true }, { u"kb"_s, true }, { u"community"_s, false } };
        p.branding = { { u"primary_color"_s, u"#0055ff"_s }, { u"logo_url"_s, u"https://acme.example/logo.svg"_s } };
        return p;
    }

    QStringList slugsFor(const QString &text, int limit = 25)
    {
        auto hits = Storage::searchKbArticles(db(), text, limit);
        if (!hits)
            return { u"<error %1>"_s.arg(hits.error().toString()) };
        QStringList slugs;
        for (const KbArticle &a : std::as_const(*hits))
            slugs << a.slug;
        return slugs;
    }

    // Four articles, one of them soft-deleted, stored once for every row of searchesTheKnowledgeBase.
    void seedKnowledgeBase()
    {
        if (m_kbSeeded)
            return;
        KbArticle sso;
        sso.slug = u"kb-sso"_s;
        sso.title = u"Single sign-on"_s;
        sso.body = u"Configure SAML with Okta or Azure AD."_s;
        sso.tags = { u"authentication"_s, u"okta"_s };
        sso.status = KbArticleStatus::Published;
        KbArticle billing;
        billing.slug = u"kb-billing"_s;
        billing.title = u"Invoices"_s;
        billing.body = u"Download invoices and update the payment method."_s;
        billing.tags = { u"billing"_s };
        KbArticle scim;
        scim.slug = u"kb-scim"_s;
        scim.title = u"Provisioning with Okta"_s;
        scim.body = u"Use SCIM to provision users and groups."_s;
        KbArticle legacy;
        legacy.slug = u"kb-legacy"_s;
        legacy.title = u"Legacy Okta connector"_s;
        legacy.body = u"Okta Okta Okta invoices, single sign-on, SAML, Azure AD, provisioning."_s;
        for (const KbArticle &a : { sso, billing, scim })
            QVERIFY(store(a) > 0);
        const qint64 legacyId = store(legacy);
        QVERIFY(legacyId > 0);
        QVERIFY(Storage::KbArticleRepository(db()).softDelete(legacyId));
        m_kbSeeded = true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
        QVERIFY(createCustomer(m_customer));
        m_contactId = insertContact(m_customer, u"Rita Requester"_s);
        QVERIFY(m_contactId > 0);
        SupportTicket parent;
        parent.customerId = m_customer;
        parent.subject = u"Parent ticket"_s;
        parent.openedAt = utc(2026, 3, 1);
        QVERIFY((m_ticketId = store(parent)) > 0);
    }

    void cleanupTestCase() { m_fixture.reset(); }

    void everyColumnIsMapped()
    {
        verifyEveryColumnIsMapped<SlaPolicy>(db());
        verifyEveryColumnIsMapped<SupportTicket>(db());
        verifyEveryColumnIsMapped<TicketComment>(db());
        verifyEveryColumnIsMapped<RoutingRule>(db());
        verifyEveryColumnIsMapped<KbArticle>(db());
        verifyEveryColumnIsMapped<CustomerPortalSettings>(db());
    }

    void enumsMatchTheSchema_data()
    {
        QTest::addColumn<QString>("table");
        QTest::addColumn<QString>("column");
        QTest::addColumn<QStringList>("names");
        QTest::addRow("sla priority") << u"sla_policies"_s << u"priority"_s << enumValues<TicketPriority>();
        QTest::addRow("ticket priority") << u"support_tickets"_s << u"priority"_s << enumValues<TicketPriority>();
        QTest::addRow("ticket status") << u"support_tickets"_s << u"status"_s << enumValues<TicketStatus>();
        QTest::addRow("rule priority") << u"routing_rules"_s << u"set_priority"_s << enumValues<TicketPriority>();
        QTest::addRow("article status") << u"kb_articles"_s << u"status"_s << enumValues<KbArticleStatus>();
    }

    void enumsMatchTheSchema()
    {
        QFETCH(QString, table);
        QFETCH(QString, column);
        QFETCH(QStringList, names);
        QCOMPARE(names, checkList(u"0004_support.sql"_s, table, column));
    }

    void slaPolicyLifecycle()
    {
        verifyLifecycle<SlaPolicy>(db(), sampleSla(), [](SlaPolicy &p) {
            p.resolutionMinutes = 240;
            p.atRiskRatio = 1;
            p.businessHoursOnly = false;
        });
    }

    void supportTicketLifecycle()
    {
        verifyLifecycle<SupportTicket>(db(), sampleTicket(), [](SupportTicket &t) {
            t.status = TicketStatus::Closed;
            t.requesterContactId.reset();
            t.csat.reset();
            t.tags.clear();
            t.escalated = false;
        });
        if (QTest::currentTestFailed())
            return;
        SupportTicket minimal;
        minimal.customerId = m_customer;
        minimal.subject = u"Minimal ticket"_s;
        minimal.openedAt = utc(2026, 3, 9);
        verifyMinimalRoundTrip(db(), minimal);
    }

    void ticketCommentLifecycle()
    {
        verifyLifecycle<TicketComment>(db(), sampleComment(), [](TicketComment &c) {
            c.isPublic = true;
            c.body = u"Public: fixed by correcting the audience."_s;
        });
    }

    void routingRuleLifecycle()
    {
        verifyLifecycle<RoutingRule>(db(), sampleRule(), [](RoutingRule &r) {
            r.setPriority.reset();
            r.targetTeam.clear();
            r.conditions.remove(u"tier"_s);
        });
    }

    void kbArticleLifecycle()
    {
        verifyLifecycle<KbArticle>(db(), sampleArticle(), [](KbArticle &a) {
            a.status = KbArticleStatus::Archived;
            a.views += 1;
            a.tags << u"archived"_s;
        });
        if (QTest::currentTestFailed())
            return;
        KbArticle minimal;
        minimal.slug = u"minimal-%1"_s.arg(next());
        minimal.title = u"Minimal"_s;
        minimal.body = u"Text"_s;
        verifyMinimalRoundTrip(db(), minimal);
    }

    void customerPortalSettingsLifecycle()
    {
        verifyLifecycle<CustomerPortalSettings>(db(), samplePortal(), [](CustomerPortalSettings &p) {
            p.isEnabled = true;
            p.features[u"community"_s] = true;
            p.branding.clear();
        });
    }

    void rejectsBadInput_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<Attempt>("attempt");
        const QString tooLong201 = QString(201, u'x');

        QTest::addRow("sla: unknown priority")
            << u"priority"_s << attempt<SlaPolicy>(sampleSla(), [](auto &p) { p.priority = TicketPriority(9); });
        QTest::addRow("sla: zero first response")
            << u"first_response_minutes"_s
            << attempt<SlaPolicy>(sampleSla(), [](auto &p) { p.firstResponseMinutes = 0; });
        QTest::addRow("sla: zero resolution")
            << u"resolution_minutes"_s << attempt<SlaPolicy>(sampleSla(), [](auto &p) {
                   p.firstResponseMinutes = 1;
                   p.resolutionMinutes = 0;
               });
        QTest::addRow("sla: resolution before first response")
            << u"resolution_minutes"_s << attempt<SlaPolicy>(sampleSla(), [](auto &p) { p.resolutionMinutes = 29; });
        QTest::addRow("sla: at-risk ratio of 0")
            << u"at_risk_ratio"_s << attempt<SlaPolicy>(sampleSla(), [](auto &p) { p.atRiskRatio = 0; });
        QTest::addRow("sla: at-risk ratio above 1")
            << u"at_risk_ratio"_s << attempt<SlaPolicy>(sampleSla(), [](auto &p) { p.atRiskRatio = 1.01; });

        QTest::addRow("ticket: bad customer id")
            << u"customer_id"_s << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.customerId = u"a/b"_s; });
        QTest::addRow("ticket: external id too long")
            << u"external_id"_s
            << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.externalId = QString(101, u'9'); });
        QTest::addRow("ticket: blank subject")
            << u"subject"_s << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.subject = u" "_s; });
        QTest::addRow("ticket: subject too long")
            << u"subject"_s << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.subject = QString(501, u's'); });
        QTest::addRow("ticket: priority p5")
            << u"priority"_s << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.priority = TicketPriority(5); });
        QTest::addRow("ticket: unknown status")
            << u"status"_s << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.status = TicketStatus(6); });
        QTest::addRow("ticket: channel too long")
            << u"channel"_s << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.channel = QString(51, u'c'); });
        QTest::addRow("ticket: requester id 0")
            << u"requester_contact_id"_s
            << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.requesterContactId = 0; });
        QTest::addRow("ticket: assignee too long")
            << u"assignee"_s << attempt<SupportTicket>(sampleTicket(), [&](auto &t) { t.assignee = tooLong201; });
        QTest::addRow("ticket: blank tag")
            << u"tags"_s << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.tags << QString(); });
        QTest::addRow("ticket: not opened")
            << u"opened_at"_s << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.openedAt = QDateTime(); });
        QTest::addRow("ticket: answered before opened")
            << u"first_response_at"_s
            << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.firstResponseAt = t.openedAt.addMSecs(-1); });
        QTest::addRow("ticket: resolved before opened")
            << u"resolved_at"_s
            << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.resolvedAt = t.openedAt.addDays(-1); });
        QTest::addRow("ticket: closed before opened")
            << u"closed_at"_s
            << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.closedAt = t.openedAt.addDays(-1); });
        QTest::addRow("ticket: response due before opened")
            << u"first_response_due_at"_s
            << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.firstResponseDueAt = t.openedAt.addSecs(-1); });
        QTest::addRow("ticket: resolution due before opened")
            << u"resolution_due_at"_s
            << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.resolutionDueAt = t.openedAt.addSecs(-1); });
        QTest::addRow("ticket: csat of 0")
            << u"csat"_s << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.csat = 0; });
        QTest::addRow("ticket: csat of 6")
            << u"csat"_s << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.csat = 6; });

        QTest::addRow("comment: no ticket")
            << u"ticket_id"_s << attempt<TicketComment>(sampleComment(), [](auto &c) { c.ticketId = 0; });
        QTest::addRow("comment: blank body")
            << u"body"_s << attempt<TicketComment>(sampleComment(), [](auto &c) { c.body = u"\n"_s; });
        QTest::addRow("comment: author too long")
            << u"author"_s << attempt<TicketComment>(sampleComment(), [&](auto &c) { c.author = tooLong201; });
        QTest::addRow("comment: no time")
            << u"commented_at"_s
            << attempt<TicketComment>(sampleComment(), [](auto &c) { c.commentedAt = QDateTime(); });

        QTest::addRow("rule: blank name")
            << u"name"_s << attempt<RoutingRule>(sampleRule(), [](auto &r) { r.name.clear(); });
        QTest::addRow("rule: negative position")
            << u"position"_s << attempt<RoutingRule>(sampleRule(), [](auto &r) { r.position = -1; });
        QTest::addRow("rule: routes nowhere") << u"target_team"_s << attempt<RoutingRule>(sampleRule(), [](auto &r) {
            r.targetTeam.clear();
            r.targetAssignee.clear();
        });
        QTest::addRow("rule: unknown priority")
            << u"set_priority"_s
            << attempt<RoutingRule>(sampleRule(), [](auto &r) { r.setPriority = TicketPriority(7); });
        QTest::addRow("rule: blank condition key")
            << u"conditions"_s << attempt<RoutingRule>(sampleRule(), [](auto &r) { r.conditions.insert(u""_s, 1); });

        QTest::addRow("article: slug with spaces")
            << u"slug"_s << attempt<KbArticle>(sampleArticle(), [](auto &a) { a.slug = u"reset password"_s; });
        QTest::addRow("article: upper-case slug")
            << u"slug"_s << attempt<KbArticle>(sampleArticle(), [](auto &a) { a.slug = u"Reset"_s; });
        QTest::addRow("article: empty slug")
            << u"slug"_s << attempt<KbArticle>(sampleArticle(), [](auto &a) { a.slug.clear(); });
        QTest::addRow("article: blank title")
            << u"title"_s << attempt<KbArticle>(sampleArticle(), [](auto &a) { a.title.clear(); });
        QTest::addRow("article: title too long")
            << u"title"_s << attempt<KbArticle>(sampleArticle(), [](auto &a) { a.title = QString(301, u't'); });
        QTest::addRow("article: empty body")
            << u"body"_s << attempt<KbArticle>(sampleArticle(), [](auto &a) { a.body.clear(); });
        QTest::addRow("article: unknown status")
            << u"status"_s << attempt<KbArticle>(sampleArticle(), [](auto &a) { a.status = KbArticleStatus(3); });
        QTest::addRow("article: negative views")
            << u"views"_s << attempt<KbArticle>(sampleArticle(), [](auto &a) { a.views = -1; });
        QTest::addRow("article: negative helpful votes")
            << u"helpful_votes"_s << attempt<KbArticle>(sampleArticle(), [](auto &a) { a.helpfulVotes = -1; });
        QTest::addRow("article: negative unhelpful votes")
            << u"unhelpful_votes"_s << attempt<KbArticle>(sampleArticle(), [](auto &a) { a.unhelpfulVotes = -1; });
        QTest::addRow("article: blank tag")
            << u"tags"_s << attempt<KbArticle>(sampleArticle(), [](auto &a) { a.tags << u"  "_s; });

        QTest::addRow("portal: bad customer id")
            << u"customer_id"_s
            << attempt<CustomerPortalSettings>(samplePortal(), [](auto &p) { p.customerId = u"x y"_s; });
        QTest::addRow("portal: blank feature key")
            << u"features"_s
            << attempt<CustomerPortalSettings>(samplePortal(), [](auto &p) { p.features.insert(u" "_s, true); });
        QTest::addRow("portal: branding key too long")
            << u"branding"_s << attempt<CustomerPortalSettings>(samplePortal(), [](auto &p) {
                   p.branding.insert(QString(65, u'k'), u"x"_s);
               });
    }

    void rejectsBadInput()
    {
        QFETCH(QString, field);
        QFETCH(Attempt, attempt);
        // Caught in C++, naming the field...
        const Core::Status validated = attempt.validate();
        QVERIFY2(!validated, "validate() accepted it");
        QCOMPARE(validated.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(validated.error().field, field);
        // ...and so refused by the repository before anything reaches the database.
        const Core::Status stored = attempt.create();
        QVERIFY2(!stored, "the repository stored it");
        QCOMPARE(stored.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(stored.error().field, field);
        QCOMPARE(stored.error().message, validated.error().message);
    }

    void foreignKeysAreEnforced_data()
    {
        QTest::addColumn<Attempt>("attempt");
        QTest::addRow("ticket of an unknown customer")
            << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.customerId = u"nobody"_s; });
        QTest::addRow("ticket from an unknown requester")
            << attempt<SupportTicket>(sampleTicket(), [](auto &t) { t.requesterContactId = 987654; });
        QTest::addRow("comment on an unknown ticket")
            << attempt<TicketComment>(sampleComment(), [](auto &c) { c.ticketId = 987654; });
        QTest::addRow("portal of an unknown customer")
            << attempt<CustomerPortalSettings>(samplePortal(), [](auto &p) { p.customerId = u"nobody"_s; });
    }

    void foreignKeysAreEnforced()
    {
        QFETCH(Attempt, attempt);
        QVERIFY(attempt.validate());
        const Core::Status stored = attempt.create();
        QVERIFY2(!stored, "the schema accepted a dangling reference");
        QCOMPARE(stored.error().code, ErrorCode::InvalidArgument);
    }

    void uniqueConstraints()
    {
        // One SLA policy per priority.
        SlaPolicy p2 = sampleSla();
        p2.priority = TicketPriority::P2;
        QVERIFY(store(p2) > 0);
        QCOMPARE(Storage::SlaPolicyRepository(db()).create(p2).error().code, ErrorCode::AlreadyExists);

        // A Zendesk ticket is mirrored once.
        SupportTicket ticket = sampleTicket();
        QVERIFY(store(ticket) > 0);
        QCOMPARE(Storage::SupportTicketRepository(db()).create(ticket).error().code, ErrorCode::AlreadyExists);

        // Article slugs are unique among live articles; deleting one frees the slug.
        Storage::KbArticleRepository articles(db());
        KbArticle article = sampleArticle();
        auto first = articles.create(article);
        QVERIFY(first);
        QCOMPARE(articles.create(article).error().code, ErrorCode::AlreadyExists);
        QVERIFY(articles.softDelete(first->id));
        QVERIFY(articles.create(article));

        // One portal row per customer.
        QVERIFY(store(samplePortal()) > 0);
        QCOMPARE(Storage::CustomerPortalSettingsRepository(db()).create(samplePortal()).error().code,
            ErrorCode::AlreadyExists);
    }

    void removingTheRequesterKeepsTheTicket()
    {
        const qint64 contactId = insertContact(m_customer, u"Leaving Soon"_s);
        SupportTicket ticket = sampleTicket();
        ticket.requesterContactId = contactId;
        const qint64 ticketId = store(ticket);
        QVERIFY(contactId > 0 && ticketId > 0);
        QVERIFY(Storage::exec(db(), u"DELETE FROM contacts WHERE id = ?"_s, { contactId }));
        auto kept = Storage::SupportTicketRepository(db()).get(ticketId);
        QVERIFY(kept);
        QVERIFY(!kept->requesterContactId.has_value());
    }

    void removingTheCustomerCascades()
    {
        const QString id = u"cascade-support"_s;
        QVERIFY(createCustomer(id));
        SupportTicket ticket = sampleTicket();
        ticket.customerId = id;
        const qint64 ticketId = store(ticket);
        TicketComment comment = sampleComment();
        comment.ticketId = ticketId;
        const qint64 commentId = store(comment);
        CustomerPortalSettings portal = samplePortal();
        portal.customerId = id;
        const qint64 portalId = store(portal);
        QVERIFY(ticketId > 0 && commentId > 0 && portalId > 0);

        QVERIFY(Storage::CustomerRepository(db()).remove(id));
        const std::pair<QString, qint64> children[] = {
            { u"support_tickets"_s, ticketId },
            { u"ticket_comments"_s, commentId },
            { u"customer_portal_settings"_s, portalId },
        };
        for (const auto &[table, rowId] : children) {
            QVERIFY2(countRows(db(), u"SELECT COUNT(*) FROM %1 WHERE id = ?"_s.arg(table), { rowId }) == 0,
                qPrintable(table + u" kept a row of the removed customer"_s));
        }
        QVERIFY(Storage::SupportTicketRepository(db()).get(m_ticketId)); // other customers' tickets stay
    }

    void ticketOpenness_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("open");
        QTest::addRow("new") << int(TicketStatus::New) << true;
        QTest::addRow("open") << int(TicketStatus::Open) << true;
        QTest::addRow("pending") << int(TicketStatus::Pending) << true;
        QTest::addRow("on_hold") << int(TicketStatus::OnHold) << true;
        QTest::addRow("solved") << int(TicketStatus::Solved) << false;
        QTest::addRow("closed") << int(TicketStatus::Closed) << false;
    }

    void ticketOpenness()
    {
        QFETCH(int, status);
        QFETCH(bool, open);
        SupportTicket t;
        t.status = TicketStatus(status);
        QCOMPARE(t.isOpen(), open);
    }

    void fts5QueryQuotesEverything_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("query");
        QTest::addRow("plain words") << u"reset password"_s << u"\"reset\" \"password\""_s;
        QTest::addRow("inner quotes doubled") << u"say \"hi\""_s << u"\"say\" \"\"\"hi\"\"\""_s;
        QTest::addRow("operators are text") << u"sso NEAR okta*"_s << u"\"sso\" \"NEAR\" \"okta*\""_s;
        QTest::addRow("column filter is text") << u"title:invoices"_s << u"\"title:invoices\""_s;
        QTest::addRow("stop words dropped like plainto_tsquery")
            << u"okta OR (the) azure AND not"_s << u"\"okta\" \"azure\""_s;
        QTest::addRow("punctuation-only words dropped") << u"x - ( ) \" * ^ b2"_s << u"\"x\" \"b2\""_s;
        QTest::addRow("nothing searchable") << u" \" * ( - OR "_s << QString();
        QTest::addRow("whitespace of every kind") << u"\tsign-on\n\u00a0saml "_s << u"\"sign-on\" \"saml\""_s;
        QTest::addRow("non-latin") << u"Überweisung 請求書"_s << u"\"Überweisung\" \"請求書\""_s;
    }

    void fts5QueryQuotesEverything()
    {
        QFETCH(QString, text);
        QFETCH(QString, query);
        QCOMPARE(Storage::toFts5Query(text), query);
    }

    void searchesTheKnowledgeBase_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("limit");
        QTest::addColumn<QStringList>("slugs");
        QTest::addRow("one word") << u"invoices"_s << 25 << QStringList { u"kb-billing"_s };
        QTest::addRow("stemmed, any case") << u"INVOICE"_s << 25 << QStringList { u"kb-billing"_s };
        // A title hit outranks body and tag hits; the soft-deleted article never shows.
        QTest::addRow("ranked") << u"okta"_s << 25 << QStringList { u"kb-scim"_s, u"kb-sso"_s };
        QTest::addRow("limited") << u"okta"_s << 1 << QStringList { u"kb-scim"_s };
        QTest::addRow("all words must match") << u"okta provisioning"_s << 25 << QStringList { u"kb-scim"_s };
        QTest::addRow("tags are searched") << u"authentication"_s << 25 << QStringList { u"kb-sso"_s };
        QTest::addRow("hyphenated") << u"sign-on"_s << 25 << QStringList { u"kb-sso"_s };
        QTest::addRow("FTS5 syntax is plain text")
            << u"okta OR \"azure\" (saml) -ad*"_s << 25 << QStringList { u"kb-sso"_s };
        QTest::addRow("prefix star is not a wildcard") << u"invoice*"_s << 25 << QStringList { u"kb-billing"_s };
        QTest::addRow("column filter is not applied") << u"title:invoices"_s << 25 << QStringList {};
        QTest::addRow("NEAR is a word") << u"NEAR(okta saml)"_s << 25 << QStringList {};
        QTest::addRow("unbalanced quote and bracket") << u"\"saml (okta"_s << 25 << QStringList { u"kb-sso"_s };
        QTest::addRow("only syntax") << u"\" * ( ) - OR ^"_s << 25 << QStringList {};
        QTest::addRow("only stop words") << u"the and or"_s << 25 << QStringList {};
        QTest::addRow("no such word") << u"kubernetes"_s << 25 << QStringList {};
    }

    void searchesTheKnowledgeBase()
    {
        QFETCH(QString, text);
        QFETCH(int, limit);
        QFETCH(QStringList, slugs);
        seedKnowledgeBase();
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(slugsFor(text, limit), slugs);
    }

    void searchFollowsEdits()
    {
        Storage::KbArticleRepository articles(db());
        KbArticle article = sampleArticle();
        article.body = u"Rotate the webhook signing secret."_s;
        auto created = articles.create(article);
        QVERIFY(created);
        QCOMPARE(slugsFor(u"webhook"_s), QStringList { article.slug });
        KbArticle edited = *created;
        edited.body = u"Rotate the signing key of the event stream."_s;
        QVERIFY(articles.update(edited));
        QCOMPARE(slugsFor(u"webhook"_s), QStringList {});
        QCOMPARE(slugsFor(u"stream"_s), QStringList { article.slug });
        QVERIFY(articles.softDelete(created->id));
        QCOMPARE(slugsFor(u"stream"_s), QStringList {});
        QVERIFY(articles.restore(created->id));
        QCOMPARE(slugsFor(u"stream"_s), QStringList { article.slug });
        // Found articles come back whole.
        auto hits = Storage::searchKbArticles(db(), u"stream"_s, 5);
        QVERIFY(hits && hits->size() == 1);
        auto stored = articles.get(created->id);
        QVERIFY(stored);
        verifySameColumns(hits->constFirst(), *stored);
    }

    void searchRefusesBadArguments()
    {
        auto blank = Storage::searchKbArticles(db(), u"   "_s, 10);
        QVERIFY(!blank);
        QCOMPARE(blank.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(blank.error().field, u"query"_s);
        auto huge = Storage::searchKbArticles(db(), QString(1001, u'a'), 10);
        QVERIFY(!huge);
        QCOMPARE(huge.error().field, u"query"_s);
        for (int limit : { 0, 1001 }) {
            auto bad = Storage::searchKbArticles(db(), u"okta"_s, limit);
            QVERIFY(!bad);
            QCOMPARE(bad.error().field, u"limit"_s);
        }
    }
};

QTEST_GUILESS_MAIN(TestSupportRepositories)
#include "tst_repositories_support.moc"
