// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// SupportService: SLA clocks and attainment with hand-computed values, validated ticket transitions, the Zendesk
// outbox, routing, escalations, the knowledge base and support analytics, on an empty database and on a generated
// demo portfolio. Built twice: SQLite (label unit) and PostgreSQL (label pg).
#include <memory>

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "demoportfolio.h"
#include "sql.h"
#include "supportservice.h"
#include "tables_customers.h"
#include "tables_support.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using Core::SlaState;
using Domain::TicketPriority;
using Domain::TicketStatus;

namespace {

using OptDouble = std::optional<double>;

// A clock that stands still until the test moves it. (TestUtils::FakeClock's default argument uses
// QTimeZone::UTC, which Qt 6.4 does not have.)
class TestClock final : public Core::Clock
{
public:
    QDateTime now() const override { return m_now; }
    void set(const QDateTime &now) { m_now = now.toUTC(); }
    void advanceSecs(qint64 secs) { m_now = m_now.addSecs(secs); }

private:
    QDateTime m_now = QDateTime(QDate(2026, 6, 15), QTime(12, 0), QTimeZone::utc());
};

QDateTime at(const QString &iso)
{
    if (iso.isEmpty())
        return {};
    QDateTime t = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (t.timeSpec() == Qt::LocalTime)
        t.setTimeZone(QTimeZone::utc());
    return t.toUTC();
}

bool near(const OptDouble &actual, const OptDouble &expected, double eps = 1e-6)
{
    if (actual.has_value() != expected.has_value())
        return false;
    return !actual || std::abs(*actual - *expected) < eps;
}

QString show(const OptDouble &v)
{
    return v ? QString::number(*v, 'f', 6) : u"none"_s;
}

QVariantMap json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object().toVariantMap();
}

} // namespace

Q_DECLARE_METATYPE(OptDouble)

class TestSupportService final : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestClock m_clock;
    std::unique_ptr<Core::SupportService> m_service;

    Storage::Database &db() { return m_fixture->db(); }

    void addCustomer(const QString &id, Domain::Tier tier = Domain::Tier::Smb)
    {
        Domain::Customer c;
        c.id = id;
        c.name = u"Customer "_s + id;
        c.tier = tier;
        auto created = Storage::CustomerRepository(db()).create(c);
        QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));
    }

    qint64 count(const QString &sql, const QVariantList &bindings = {})
    {
        auto q = Storage::exec(db(), sql, bindings);
        return q && q->next() ? q->value(0).toLongLong() : -1;
    }

    Core::NewTicket newTicket(const QString &customer, const QString &subject = u"Cannot export"_s)
    {
        Core::NewTicket t;
        t.customerId = customer;
        t.subject = subject;
        return t;
    }

    // A stored ticket in a given state, written straight through the repository.
    qint64 storedTicket(TicketStatus status, const QString &customer = u"acme"_s)
    {
        Domain::SupportTicket t;
        t.customerId = customer;
        t.subject = u"Stored ticket"_s;
        t.priority = TicketPriority::P2;
        t.status = status;
        t.openedAt = at(u"2026-06-10T10:00:00Z"_s);
        t.firstResponseDueAt = t.openedAt.addSecs(120 * 60);
        t.resolutionDueAt = t.openedAt.addSecs(1440 * 60);
        if (status == TicketStatus::Solved || status == TicketStatus::Closed)
            t.resolvedAt = at(u"2026-06-10T12:00:00Z"_s);
        if (status == TicketStatus::Closed)
            t.closedAt = at(u"2026-06-12T12:00:00Z"_s);
        auto created = Storage::SupportTicketRepository(db()).create(t);
        return created ? created->id : 0;
    }

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
    }

    void init()
    {
        m_clock.set(QDateTime(QDate(2026, 6, 15), QTime(12, 0), QTimeZone::utc()));
        m_service = std::make_unique<Core::SupportService>(db(), m_clock);
        for (const QString &table : { u"timeline_events"_s, u"outbox"_s, u"escalations"_s, u"ticket_comments"_s,
                 u"support_tickets"_s, u"routing_rules"_s, u"kb_articles"_s, u"sla_policies"_s,
                 u"customer_portal_settings"_s, u"customers"_s }) {
            auto cleared = Storage::exec(db(), u"DELETE FROM "_s + table);
            QVERIFY2(cleared, qPrintable(cleared ? QString() : cleared.error().toString()));
        }
        addCustomer(u"acme"_s);
    }

    // ---- formulas ---------------------------------------------------------------------------------------------

    void slaClock_data()
    {
        QTest::addColumn<QString>("due");
        QTest::addColumn<QString>("done");
        QTest::addColumn<QString>("now");
        QTest::addColumn<double>("ratio");
        QTest::addColumn<SlaState>("state");
        QTest::addColumn<OptDouble>("elapsed");
        QTest::addColumn<int>("minutesLeft"); // -9999: none

        // opened 10:00, a 60-minute target (due 11:00)
        QTest::addRow("no target") << QString() << QString() << u"2026-06-10T10:30:00Z"_s << 0.8 << SlaState::NoTarget
                                   << OptDouble() << -9999;
        QTest::addRow("met early") << u"2026-06-10T11:00:00Z"_s << u"2026-06-10T10:30:00Z"_s
                                   << u"2026-06-15T00:00:00Z"_s << 0.8 << SlaState::Met << OptDouble(0.5) << -9999;
        QTest::addRow("met at the due instant")
            << u"2026-06-10T11:00:00Z"_s << u"2026-06-10T11:00:00Z"_s << u"2026-06-15T00:00:00Z"_s << 0.8
            << SlaState::Met << OptDouble(1.0) << -9999;
        QTest::addRow("one second late") << u"2026-06-10T11:00:00Z"_s << u"2026-06-10T11:00:01Z"_s
                                         << u"2026-06-15T00:00:00Z"_s << 0.8 << SlaState::Breached
                                         << OptDouble(3601.0 / 3600.0) << -9999;
        QTest::addRow("running at exactly 80 percent")
            << u"2026-06-10T11:00:00Z"_s << QString() << u"2026-06-10T10:48:00Z"_s << 0.8 << SlaState::OnTrack
            << OptDouble(0.8) << 12;
        QTest::addRow("running just above 80 percent")
            << u"2026-06-10T11:00:00Z"_s << QString() << u"2026-06-10T10:48:01Z"_s << 0.8 << SlaState::AtRisk
            << OptDouble(2881.0 / 3600.0) << 11;
        QTest::addRow("running at the due instant")
            << u"2026-06-10T11:00:00Z"_s << QString() << u"2026-06-10T11:00:00Z"_s << 0.8 << SlaState::AtRisk
            << OptDouble(1.0) << 0;
        QTest::addRow("overdue by 30 s") << u"2026-06-10T11:00:00Z"_s << QString() << u"2026-06-10T11:00:30Z"_s << 0.8
                                         << SlaState::Breached << OptDouble(3630.0 / 3600.0) << -1;
        QTest::addRow("policy ratio 0.5") << u"2026-06-10T11:00:00Z"_s << QString() << u"2026-06-10T10:31:00Z"_s << 0.5
                                          << SlaState::AtRisk << OptDouble(31.0 / 60.0) << 29;
    }

    void slaClock()
    {
        QFETCH(QString, due);
        QFETCH(QString, done);
        QFETCH(QString, now);
        QFETCH(double, ratio);
        QFETCH(SlaState, state);
        QFETCH(OptDouble, elapsed);
        QFETCH(int, minutesLeft);
        const Core::SlaClock c
            = Core::SupportFormulas::slaClock(at(u"2026-06-10T10:00:00Z"_s), at(due), at(done), ratio, at(now));
        QCOMPARE(c.state, state);
        QVERIFY2(near(c.elapsedRatio, elapsed), qPrintable(show(c.elapsedRatio)));
        if (minutesLeft == -9999)
            QVERIFY(!c.minutesLeft);
        else
            QCOMPARE(c.minutesLeft, std::optional<qint64>(minutesLeft));
    }

    void firstResponseFallsBackToResolution()
    {
        Domain::SupportTicket t;
        t.openedAt = at(u"2026-06-10T10:00:00Z"_s);
        t.firstResponseDueAt = at(u"2026-06-10T10:30:00Z"_s);
        t.resolutionDueAt = at(u"2026-06-10T14:00:00Z"_s);
        t.resolvedAt = at(u"2026-06-10T11:00:00Z"_s); // solved without an earlier reply, 60 minutes in
        const Core::TicketSla sla = Core::SupportFormulas::ticketSla(t, 0.8, at(u"2026-06-15T00:00:00Z"_s));
        QCOMPARE(sla.firstResponse.state, SlaState::Breached);
        QCOMPARE(sla.firstResponse.doneAt, t.resolvedAt);
        QCOMPARE(sla.resolution.state, SlaState::Met);
    }

    void median_data()
    {
        QTest::addColumn<QList<double>>("values");
        QTest::addColumn<OptDouble>("expected");
        QTest::addRow("none") << QList<double>() << OptDouble();
        QTest::addRow("one") << QList<double> { 5 } << OptDouble(5.0);
        QTest::addRow("odd, unsorted") << QList<double> { 3, 1, 2 } << OptDouble(2.0);
        QTest::addRow("even: mean of the middle two") << QList<double> { 4, 1, 3, 2 } << OptDouble(2.5);
        QTest::addRow("all equal") << QList<double> { 7, 7, 7 } << OptDouble(7.0);
    }

    void median()
    {
        QFETCH(QList<double>, values);
        QFETCH(OptDouble, expected);
        QVERIFY(near(Core::SupportFormulas::median(values), expected));
    }

    void attainment_data()
    {
        QTest::addColumn<int>("met");
        QTest::addColumn<int>("breached");
        QTest::addColumn<OptDouble>("expected");
        QTest::addRow("no outcome yet") << 0 << 0 << OptDouble();
        QTest::addRow("one met") << 1 << 0 << OptDouble(100.0);
        QTest::addRow("all breached") << 0 << 2 << OptDouble(0.0);
        QTest::addRow("3 of 4") << 3 << 1 << OptDouble(75.0);
    }

    void attainment()
    {
        QFETCH(int, met);
        QFETCH(int, breached);
        QFETCH(OptDouble, expected);
        QVERIFY(near(Core::SupportFormulas::attainmentPercent(met, breached), expected));
    }

    void routingMatches_data()
    {
        QTest::addColumn<QVariantMap>("conditions");
        QTest::addColumn<bool>("expected");
        QTest::addRow("empty matches all") << QVariantMap() << true;
        QTest::addRow("category, case-insensitive") << json(R"({"category": "BILLING"})") << true;
        QTest::addRow("priority list, no match") << json(R"({"priority": ["p0", "p1"]})") << false;
        QTest::addRow("priority list, match") << json(R"({"priority": ["p2", "p3"]})") << true;
        QTest::addRow("any tag") << json(R"({"tags": ["vip", "renewal"]})") << true;
        QTest::addRow("text in the description") << json(R"({"text_contains": "refund"})") << true;
        QTest::addRow("all keys must match") << json(R"({"tier": "enterprise", "category": "bug"})") << false;
        QTest::addRow("tier and industry") << json(R"({"tier": "enterprise", "industry": "retail"})") << true;
        QTest::addRow("unknown key never matches") << json(R"({"region": "emea"})") << false;
    }

    void routingMatches()
    {
        QFETCH(QVariantMap, conditions);
        QFETCH(bool, expected);
        Core::TicketFacts facts;
        facts.customerId = u"acme"_s;
        facts.priority = TicketPriority::P2;
        facts.category = u"billing"_s;
        facts.channel = u"email"_s;
        facts.tags = { u"VIP"_s };
        facts.subject = u"Invoice question"_s;
        facts.description = u"We would like a Refund for unused seats."_s;
        facts.tier = u"enterprise"_s;
        facts.industry = u"Retail"_s;
        QCOMPARE(Core::Routing::matches(conditions, facts), expected);
    }

    void routingConditionsValidated_data()
    {
        QTest::addColumn<QVariantMap>("conditions");
        QTest::addColumn<bool>("ok");
        QTest::addRow("valid") << json(R"({"priority": ["p0"], "tier": "smb", "text_contains": ["down"]})") << true;
        QTest::addRow("unknown key") << json(R"({"region": "emea"})") << false;
        QTest::addRow("empty list") << json(R"({"category": []})") << false;
        QTest::addRow("blank value") << json(R"({"category": " "})") << false;
        QTest::addRow("bad priority") << json(R"({"priority": "urgent"})") << false;
        QTest::addRow("bad tier") << json(R"({"tier": "gold"})") << false;
    }

    void routingConditionsValidated()
    {
        QFETCH(QVariantMap, conditions);
        QFETCH(bool, ok);
        auto status = Core::Routing::validateConditions(conditions);
        QCOMPARE(status.ok(), ok);
        if (!ok)
            QCOMPARE(status.error().field, u"conditions"_s);
    }

    // ---- SLA policies -----------------------------------------------------------------------------------------

    void defaultPolicies()
    {
        QSignalSpy changed(m_service.get(), &Core::SupportService::slaPoliciesChanged);
        auto created = m_service->ensureDefaultSlaPolicies();
        QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));
        QCOMPARE(*created, 5);
        QCOMPARE(changed.size(), 1);
        auto policies = m_service->slaPolicies();
        QVERIFY(policies);
        QCOMPARE(policies->size(), 5);
        const int expected[5][2] = { { 5, 60 }, { 30, 240 }, { 120, 1440 }, { 240, 2880 }, { 480, 4320 } };
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(policies->at(i).priority, TicketPriority(i));
            QCOMPARE(policies->at(i).firstResponseMinutes, expected[i][0]);
            QCOMPARE(policies->at(i).resolutionMinutes, expected[i][1]);
            QCOMPARE(policies->at(i).atRiskRatio, 0.8);
        }
        QCOMPARE(*m_service->ensureDefaultSlaPolicies(), 0); // idempotent
        Domain::SlaPolicy p0 = policies->at(0);
        p0.firstResponseMinutes = 10;
        QVERIFY(m_service->updateSlaPolicy(p0));
        QVERIFY(Storage::exec(db(), u"DELETE FROM sla_policies WHERE priority <> 'p0'"_s));
        QCOMPARE(*m_service->ensureDefaultSlaPolicies(), 4); // an existing policy is kept as it is
        QCOMPARE(m_service->slaPolicies()->at(0).firstResponseMinutes, 10);
        Domain::SlaPolicy businessHours = m_service->slaPolicies()->at(1);
        businessHours.businessHoursOnly = true;
        auto accepted = m_service->updateSlaPolicy(businessHours);
        QVERIFY2(accepted, qPrintable(accepted ? QString() : accepted.error().toString()));
        QVERIFY(accepted->policy.businessHoursOnly);
        QCOMPARE(accepted->restampedTickets, 0); // no open p1 ticket
        QVERIFY(m_service->slaPolicies()->at(1).businessHoursOnly);
    }

    // ---- tickets ----------------------------------------------------------------------------------------------

    void createStampsSlaAndTimeline()
    {
        QVERIFY(m_service->ensureDefaultSlaPolicies());
        QSignalSpy created(m_service.get(), &Core::SupportService::ticketCreated);
        Core::NewTicket input = newTicket(u"acme"_s);
        input.priority = TicketPriority::P1;
        input.actor = u"casey"_s;
        auto t = m_service->createTicket(input);
        QVERIFY2(t, qPrintable(t ? QString() : t.error().toString()));
        QCOMPARE(created.size(), 1);
        QCOMPARE(t->ticket.status, TicketStatus::New);
        QCOMPARE(t->ticket.openedAt, m_clock.now());
        QCOMPARE(t->ticket.firstResponseDueAt, m_clock.now().addSecs(30 * 60));
        QCOMPARE(t->ticket.resolutionDueAt, m_clock.now().addSecs(240 * 60));
        QVERIFY(t->slaNote.isEmpty());
        QVERIFY(!t->mirroredToZendesk);
        QCOMPARE(count(u"SELECT COUNT(*) FROM outbox"_s), qint64(0)); // no Zendesk configured: nothing piles up
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'ticket' AND title = ? AND actor = ?"_s,
                     { u"Ticket opened: Cannot export"_s, u"casey"_s }),
            qint64(1));

        auto unknown = m_service->createTicket(newTicket(u"nobody"_s));
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().code, Core::ErrorCode::NotFound);
        QCOMPARE(unknown.error().field, u"customer_id"_s);
        auto blank = m_service->createTicket(newTicket(u"acme"_s, u"  "_s));
        QVERIFY(!blank);
        QCOMPARE(blank.error().field, u"subject"_s);
        QCOMPARE(count(u"SELECT COUNT(*) FROM support_tickets"_s), qint64(1));
    }

    void createWithoutPolicySaysSo()
    {
        auto t = m_service->createTicket(newTicket(u"acme"_s));
        QVERIFY(t);
        QVERIFY(!t->ticket.firstResponseDueAt.isValid());
        QVERIFY(t->slaNote.contains(u"no SLA policy for p3"_s));
        auto sla = m_service->ticketSla(t->ticket.id);
        QVERIFY(sla);
        QCOMPARE(sla->firstResponse.state, SlaState::NoTarget);
    }

    void zendeskMirrorInTheSameTransaction()
    {
        QVERIFY(m_service->ensureDefaultSlaPolicies());
        Core::SupportService mirrored(db(), m_clock, Core::SupportService::Options { true });
        auto first = mirrored.createTicket(newTicket(u"acme"_s));
        QVERIFY2(first, qPrintable(first ? QString() : first.error().toString()));
        QVERIFY(first->mirroredToZendesk);
        auto row
            = Storage::exec(db(), u"SELECT kind, target, customer_id, idempotency_key, status, payload FROM outbox"_s);
        QVERIFY(row && row->next());
        QCOMPARE(row->value(0).toString(), u"ticket"_s);
        QCOMPARE(row->value(1).toString(), u"zendesk"_s);
        QCOMPARE(row->value(2).toString(), u"acme"_s);
        QCOMPARE(row->value(3).toString(), u"zendesk:ticket:%1:create:1"_s.arg(first->ticket.id));
        QCOMPARE(row->value(4).toString(), u"pending"_s);
        const QVariantMap payload = QJsonDocument::fromJson(row->value(5).toString().toUtf8()).object().toVariantMap();
        QCOMPARE(payload.value(u"action"_s).toString(), u"create"_s);
        QCOMPARE(payload.value(u"ticket"_s).toMap().value(u"subject"_s).toString(), u"Cannot export"_s);
        while (row->next()) { }

        // Every later change is mirrored with its own key; a rating is not (Zendesk takes it from the requester).
        QVERIFY(mirrored.addComment(first->ticket.id, { u"Looking into it"_s, u"sam"_s }));
        QVERIFY(mirrored.resolveTicket(first->ticket.id, {}, u"sam"_s));
        QVERIFY(mirrored.rateTicket(first->ticket.id, 5, {}));
        QCOMPARE(count(u"SELECT COUNT(*) FROM outbox"_s), qint64(3));

        // The outbox row is part of the ticket's transaction: if it cannot be written, no ticket exists.
        QVERIFY(Storage::exec(db(),
            u"INSERT INTO outbox (kind, target, idempotency_key, next_attempt_at) VALUES ('ticket', 'zendesk', ?, ?)"_s,
            { u"zendesk:ticket:%1:create:1"_s.arg(first->ticket.id + 1), u"2026-06-15T12:00:00.000Z"_s }));
        const qint64 tickets = count(u"SELECT COUNT(*) FROM support_tickets"_s);
        const qint64 events = count(u"SELECT COUNT(*) FROM timeline_events"_s);
        auto second = mirrored.createTicket(newTicket(u"acme"_s, u"Second"_s));
        QVERIFY(!second);
        QCOMPARE(count(u"SELECT COUNT(*) FROM support_tickets"_s), tickets);
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events"_s), events);
    }

    void transitions_data()
    {
        QTest::addColumn<TicketStatus>("from");
        QTest::addColumn<QString>("action");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<TicketStatus>("to");

        for (TicketStatus s : { TicketStatus::New, TicketStatus::Open, TicketStatus::Pending, TicketStatus::OnHold })
            QTest::addRow("resolve %s", qPrintable(Domain::enumName(s)))
                << s << u"resolve"_s << true << TicketStatus::Solved;
        QTest::addRow("resolve solved") << TicketStatus::Solved << u"resolve"_s << false << TicketStatus::Solved;
        QTest::addRow("cannot resolve a closed ticket")
            << TicketStatus::Closed << u"resolve"_s << false << TicketStatus::Closed;
        QTest::addRow("close solved") << TicketStatus::Solved << u"close"_s << true << TicketStatus::Closed;
        QTest::addRow("close open") << TicketStatus::Open << u"close"_s << false << TicketStatus::Open;
        QTest::addRow("close closed") << TicketStatus::Closed << u"close"_s << false << TicketStatus::Closed;
        QTest::addRow("reopen solved") << TicketStatus::Solved << u"reopen"_s << true << TicketStatus::Open;
        QTest::addRow("reopen closed") << TicketStatus::Closed << u"reopen"_s << false << TicketStatus::Closed;
        QTest::addRow("reopen open") << TicketStatus::Open << u"reopen"_s << false << TicketStatus::Open;
        QTest::addRow("escalate pending") << TicketStatus::Pending << u"escalate"_s << true << TicketStatus::Pending;
        QTest::addRow("escalate solved") << TicketStatus::Solved << u"escalate"_s << false << TicketStatus::Solved;
        QTest::addRow("escalate closed") << TicketStatus::Closed << u"escalate"_s << false << TicketStatus::Closed;
        QTest::addRow("comment solved") << TicketStatus::Solved << u"comment"_s << true << TicketStatus::Solved;
        QTest::addRow("comment closed") << TicketStatus::Closed << u"comment"_s << false << TicketStatus::Closed;
        QTest::addRow("rate open") << TicketStatus::Open << u"rate"_s << false << TicketStatus::Open;
        QTest::addRow("rate solved") << TicketStatus::Solved << u"rate"_s << true << TicketStatus::Solved;
        QTest::addRow("rate closed") << TicketStatus::Closed << u"rate"_s << true << TicketStatus::Closed;
        QTest::addRow("set pending on open") << TicketStatus::Open << u"pending"_s << true << TicketStatus::Pending;
        QTest::addRow("set pending on solved") << TicketStatus::Solved << u"pending"_s << false << TicketStatus::Solved;
        QTest::addRow("update closed") << TicketStatus::Closed << u"pending"_s << false << TicketStatus::Closed;
        QTest::addRow("set solved through update") << TicketStatus::Open << u"solved"_s << false << TicketStatus::Open;
    }

    void transitions()
    {
        QFETCH(TicketStatus, from);
        QFETCH(QString, action);
        QFETCH(bool, ok);
        QFETCH(TicketStatus, to);
        const qint64 id = storedTicket(from);
        QVERIFY(id > 0);
        Core::Status result;
        if (action == u"resolve"_s) {
            auto r = m_service->resolveTicket(id, {}, u"sam"_s);
            result = r ? Core::Status() : Core::Status(r.error());
        } else if (action == u"close"_s) {
            auto r = m_service->closeTicket(id, u"sam"_s);
            result = r ? Core::Status() : Core::Status(r.error());
        } else if (action == u"reopen"_s) {
            auto r = m_service->reopenTicket(id, u"still broken"_s, u"sam"_s);
            result = r ? Core::Status() : Core::Status(r.error());
        } else if (action == u"escalate"_s) {
            auto r = m_service->escalateTicket(
                id, u"Blocks the rollout"_s, Domain::EscalationSeverity::High, u"lee"_s, u"sam"_s);
            result = r ? Core::Status() : Core::Status(r.error());
        } else if (action == u"comment"_s) {
            auto r = m_service->addComment(id, { u"A note"_s, u"sam"_s, Core::CommentAuthor::Agent, false });
            result = r ? Core::Status() : Core::Status(r.error());
        } else if (action == u"rate"_s) {
            auto r = m_service->rateTicket(id, 4, u"Thanks"_s);
            result = r ? Core::Status() : Core::Status(r.error());
        } else {
            Core::TicketChanges changes;
            changes.status = *Domain::enumFromString<TicketStatus>(action);
            auto r = m_service->updateTicket(id, changes, u"sam"_s);
            result = r ? Core::Status() : Core::Status(r.error());
        }
        QCOMPARE(result.ok(), ok);
        if (!ok) {
            QCOMPARE(result.error().code, Core::ErrorCode::InvalidArgument);
            QCOMPARE(result.error().field, u"status"_s);
        }
        auto stored = m_service->ticket(id);
        QVERIFY(stored);
        QCOMPARE(stored->ticket.status, to);
        if (!ok && from == TicketStatus::Closed)
            QVERIFY(result.error().message.contains(u"closed"_s));
    }

    void resolveReopenAndComments()
    {
        QVERIFY(m_service->ensureDefaultSlaPolicies());
        auto t = m_service->createTicket(newTicket(u"acme"_s));
        QVERIFY(t);
        const qint64 id = t->ticket.id;
        // A private note is not a response; a public agent reply is, and opens the ticket.
        m_clock.advanceSecs(600);
        QVERIFY(m_service->addComment(id, { u"internal: check logs"_s, u"sam"_s, Core::CommentAuthor::Agent, false }));
        QVERIFY(!m_service->ticket(id)->ticket.firstResponseAt.isValid());
        m_clock.advanceSecs(600);
        QVERIFY(m_service->addComment(id, { u"We are on it"_s, u"sam"_s }));
        auto detail = m_service->ticket(id);
        QVERIFY(detail);
        QCOMPARE(detail->ticket.firstResponseAt, m_clock.now());
        QCOMPARE(detail->ticket.status, TicketStatus::Open);
        QCOMPARE(detail->sla.firstResponse.state, SlaState::Met); // 20 minutes against 240
        QCOMPARE(detail->commentCount, 2);
        QCOMPARE(detail->comments.first().body, u"internal: check logs"_s);

        Core::TicketChanges pending;
        pending.status = TicketStatus::Pending;
        QVERIFY(m_service->updateTicket(id, pending, u"sam"_s));
        QVERIFY(m_service->addComment(id, { u"Here is the file"_s, u"customer"_s, Core::CommentAuthor::Customer }));
        QCOMPARE(m_service->ticket(id)->ticket.status, TicketStatus::Open); // the customer answered

        m_clock.advanceSecs(3600);
        auto solved = m_service->resolveTicket(id, u"Fixed in 4.2"_s, u"sam"_s);
        QVERIFY2(solved, qPrintable(solved ? QString() : solved.error().toString()));
        QCOMPARE(solved->status, TicketStatus::Solved);
        QCOMPARE(solved->resolvedAt, m_clock.now());
        QCOMPARE(m_service->ticket(id)->commentCount, 4);
        QCOMPARE(
            count(u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'ticket' AND title LIKE 'Ticket resolved%'"_s),
            qint64(1));
        auto reopened = m_service->reopenTicket(id, u"Still failing"_s, u"sam"_s);
        QVERIFY(reopened);
        QCOMPARE(reopened->status, TicketStatus::Open);
        QVERIFY(!reopened->resolvedAt.isValid());

        // Optimistic concurrency: a stale version is refused.
        Core::TicketChanges subject;
        subject.subject = u"Export fails for large files"_s;
        auto stale = m_service->updateTicket(id, subject, u"sam"_s, solved->meta.version);
        QVERIFY(!stale);
        QCOMPARE(stale.error().code, Core::ErrorCode::Conflict);
        auto fresh = m_service->updateTicket(id, subject, u"sam"_s, reopened->meta.version);
        QVERIFY(fresh);
        QCOMPARE(fresh->subject, u"Export fails for large files"_s);

        // A priority change re-stamps the targets from opened_at.
        Core::TicketChanges urgent;
        urgent.priority = TicketPriority::P0;
        auto p0 = m_service->updateTicket(id, urgent, u"sam"_s);
        QVERIFY(p0);
        QCOMPARE(p0->firstResponseDueAt, p0->openedAt.addSecs(5 * 60));
        QCOMPARE(p0->resolutionDueAt, p0->openedAt.addSecs(60 * 60));
        auto missing = m_service->resolveTicket(999999, {}, u"sam"_s);
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, Core::ErrorCode::NotFound);
        QCOMPARE(missing.error().field, u"ticket_id"_s);
    }

    void escalationAndRating()
    {
        const qint64 id = storedTicket(TicketStatus::Open);
        auto noReason = m_service->escalateTicket(id, u" "_s, Domain::EscalationSeverity::High, {}, u"sam"_s);
        QVERIFY(!noReason);
        QCOMPARE(noReason.error().field, u"reason"_s);
        auto escalated = m_service->escalateTicket(
            id, u"Exec complaint"_s, Domain::EscalationSeverity::Critical, u"lee@csm.example"_s, u"sam"_s);
        QVERIFY2(escalated, qPrintable(escalated ? QString() : escalated.error().toString()));
        QVERIFY(escalated->ticket.escalated);
        QVERIFY(escalated->ticket.tags.contains(u"escalated"_s));
        QCOMPARE(escalated->escalation.ticketId, id);
        QCOMPARE(escalated->escalation.severity, Domain::EscalationSeverity::Critical);
        QCOMPARE(escalated->escalation.status, Domain::EscalationStatus::Open);
        QCOMPARE(escalated->escalation.openedAt, m_clock.now());
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'escalation' AND source_id = ?"_s,
                     { QString::number(id) }),
            qint64(1));
        auto twice = m_service->escalateTicket(id, u"Again"_s, Domain::EscalationSeverity::High, {}, u"sam"_s);
        QVERIFY(!twice);
        QCOMPARE(twice.error().code, Core::ErrorCode::AlreadyExists);
        QCOMPARE(m_service->escalations(id)->size(), 1);

        QVERIFY(m_service->resolveTicket(id, {}, u"sam"_s));
        auto badRating = m_service->rateTicket(id, 6, {});
        QVERIFY(!badRating);
        QCOMPARE(badRating.error().field, u"csat"_s);
        auto rated = m_service->rateTicket(id, 2, u"Took too long"_s);
        QVERIFY(rated);
        QCOMPARE(rated->csat, std::optional<int>(2));
        QCOMPARE(m_service->rateTicket(id, 4, {})->csat, std::optional<int>(4)); // a later rating replaces it
    }

    void escalationLifecycle()
    {
        auto unknown
            = m_service->openEscalation({ u"nobody"_s, u"Exec complaint"_s, Domain::EscalationSeverity::High, {}, {} });
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().field, u"customer_id"_s);
        auto noReason = m_service->openEscalation({ u"acme"_s, u"  "_s, Domain::EscalationSeverity::High, {}, {} });
        QVERIFY(!noReason);
        QCOMPARE(noReason.error().field, u"reason"_s);

        QSignalSpy changed(m_service.get(), &Core::SupportService::escalationChanged);
        auto opened = m_service->openEscalation(
            { u"acme"_s, u"CFO unhappy with the rollout"_s, Domain::EscalationSeverity::High, u"lee"_s, u"casey"_s });
        QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().toString()));
        QCOMPARE(opened->status, Domain::EscalationStatus::Open);
        QVERIFY(!opened->ticketId);
        QCOMPARE(changed.size(), 1);

        Core::EscalationChanges investigate;
        investigate.status = Domain::EscalationStatus::Investigating;
        investigate.owner = u"robin"_s;
        auto investigating = m_service->updateEscalation(opened->id, investigate, u"casey"_s);
        QVERIFY(investigating);
        QCOMPARE(investigating->owner, u"robin"_s);
        auto stale = m_service->updateEscalation(opened->id, investigate, u"casey"_s, opened->meta.version);
        QVERIFY(!stale);
        QCOMPARE(stale.error().code, Core::ErrorCode::Conflict);

        Core::EscalationChanges resolve;
        resolve.status = Domain::EscalationStatus::Resolved;
        auto noResolution = m_service->updateEscalation(opened->id, resolve, u"casey"_s);
        QVERIFY(!noResolution);
        QCOMPARE(noResolution.error().field, u"resolution"_s);
        m_clock.advanceSecs(7200);
        resolve.resolution = u"Weekly exec sync agreed"_s;
        auto resolved = m_service->updateEscalation(opened->id, resolve, u"casey"_s);
        QVERIFY(resolved);
        QCOMPARE(resolved->resolvedAt, m_clock.now());
        QCOMPARE(
            count(u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'escalation' AND source_table = 'escalations'"_s),
            qint64(2)); // opened, resolved

        auto reopened = m_service->updateEscalation(opened->id, investigate, u"casey"_s);
        QVERIFY(reopened);
        QVERIFY(!reopened->resolvedAt.isValid());
        Core::EscalationChanges close;
        close.status = Domain::EscalationStatus::Closed;
        auto closed = m_service->updateEscalation(opened->id, close, u"casey"_s);
        QVERIFY(closed);
        QCOMPARE(closed->closedAt, m_clock.now());
        QCOMPARE(closed->resolvedAt, m_clock.now()); // the resolution text was already there
        auto final = m_service->updateEscalation(opened->id, investigate, u"casey"_s);
        QVERIFY(!final);
        QCOMPARE(final.error().field, u"status"_s);

        // A ticket can be escalated again once its escalation is resolved.
        const qint64 ticket = storedTicket(TicketStatus::Open);
        auto first = m_service->escalateTicket(ticket, u"Blocker"_s, Domain::EscalationSeverity::High, {}, u"sam"_s);
        QVERIFY(first);
        Core::EscalationChanges done;
        done.status = Domain::EscalationStatus::Resolved;
        done.resolution = u"Hotfix shipped"_s;
        QVERIFY(m_service->updateEscalation(first->escalation.id, done, u"sam"_s));
        QVERIFY(m_service->escalateTicket(ticket, u"Regressed"_s, Domain::EscalationSeverity::High, {}, u"sam"_s));
        Storage::ListQuery open;
        open.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq, u"open"_s };
        auto list = m_service->listEscalations(open);
        QVERIFY(list);
        QCOMPARE(list->total, qint64(1));
        QCOMPARE(m_service->escalations(ticket)->size(), 2);
    }

    void portalSettings()
    {
        auto none = m_service->portalSettings(u"acme"_s);
        QVERIFY(none);
        QVERIFY(!none->has_value()); // never configured: no invented defaults
        auto unknown = m_service->portalSettings(u"nobody"_s);
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().field, u"customer_id"_s);

        Domain::CustomerPortalSettings settings;
        settings.customerId = u"acme"_s;
        settings.features = { { u"tickets"_s, true }, { u"kb"_s, true } };
        settings.branding = { { u"primary_color"_s, u"#0055aa"_s } };
        auto saved = m_service->savePortalSettings(settings);
        QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().toString()));
        QCOMPARE(saved->meta.version, 1);
        auto blind = m_service->savePortalSettings(settings); // version 0: would overwrite blindly
        QVERIFY(!blind);
        QCOMPARE(blind.error().code, Core::ErrorCode::Conflict);
        Domain::CustomerPortalSettings change = *saved;
        change.isEnabled = false;
        auto updated = m_service->savePortalSettings(change);
        QVERIFY(updated);
        QCOMPARE(updated->meta.version, 2);
        auto read = m_service->portalSettings(u"acme"_s);
        QVERIFY(read && read->has_value());
        QCOMPARE((*read)->isEnabled, false);
        QCOMPARE((*read)->branding.value(u"primary_color"_s).toString(), u"#0055aa"_s);
    }

    // ---- SLA monitor ------------------------------------------------------------------------------------------

    void slaBreaches()
    {
        QVERIFY(m_service->ensureDefaultSlaPolicies());
        const QDateTime now = m_clock.now();
        const auto openAt = [&](const QString &subject, qint64 minutesAgo) {
            m_clock.set(now.addSecs(-minutesAgo * 60));
            Core::NewTicket t = newTicket(u"acme"_s, subject);
            t.priority = TicketPriority::P2; // 120 / 1440 minutes
            auto created = m_service->createTicket(t);
            return created ? created->ticket.id : qint64(0);
        };
        const qint64 breached = openAt(u"three hours ago"_s, 180); // first response 60 min overdue
        const qint64 atRisk = openAt(u"100 minutes ago"_s, 100); // 100 / 120 = 83 % > 80 %
        const qint64 onTrack = openAt(u"ten minutes ago"_s, 10);
        const qint64 solved = openAt(u"solved"_s, 300);
        m_clock.set(now.addSecs(-60));
        QVERIFY(m_service->resolveTicket(solved, u"done"_s, u"sam"_s));
        m_clock.set(now);
        Q_UNUSED(onTrack)

        auto report = m_service->slaBreaches(50, true);
        QVERIFY2(report, qPrintable(report ? QString() : report.error().toString()));
        QCOMPARE(report->asOf, now);
        QCOMPARE(report->openTickets, 3);
        QCOMPARE(report->firstResponseBreached, 1);
        QCOMPARE(report->resolutionBreached, 0);
        QCOMPARE(report->atRisk, 1);
        QCOMPARE(report->items.size(), 2);
        QCOMPARE(report->items[0].ticketId, breached);
        QCOMPARE(report->items[0].sla.firstResponse.minutesLeft, std::optional<qint64>(-60));
        QCOMPARE(report->items[1].ticketId, atRisk);
        QCOMPARE(report->items[1].sla.firstResponse.state, SlaState::AtRisk);
        auto breachedOnly = m_service->slaBreaches(50, false);
        QVERIFY(breachedOnly);
        QCOMPARE(breachedOnly->items.size(), 1);
        QCOMPARE(breachedOnly->atRisk, 1); // still counted
        Core::CustomerScope other;
        addCustomer(u"beta"_s);
        other.customerIds = { u"beta"_s };
        QCOMPARE(m_service->slaBreaches(50, true, other)->openTickets, 0);
    }

    // ---- routing ----------------------------------------------------------------------------------------------

    void routing()
    {
        QVERIFY(m_service->ensureDefaultSlaPolicies());
        addCustomer(u"big"_s, Domain::Tier::Enterprise);
        // Created before any rule: they stay unassigned.
        auto early = m_service->createTicket(newTicket(u"acme"_s, u"Invoice is wrong"_s));
        QVERIFY(early);
        QVERIFY(!early->routing.matched);
        QCOMPARE(early->ticket.status, TicketStatus::New);

        const auto rule
            = [&](const QString &name, int position, const char *conditions, const QString &team,
                  const QString &assignee = {}, std::optional<TicketPriority> priority = {}, bool active = true) {
                  Domain::RoutingRule r;
                  r.name = name;
                  r.position = position;
                  r.conditions = json(conditions);
                  r.targetTeam = team;
                  r.targetAssignee = assignee;
                  r.setPriority = priority;
                  r.isActive = active;
                  auto created = m_service->createRoutingRule(r);
                  QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));
              };
        rule(u"Disabled catch-all"_s, 0, "{}", u"Nobody"_s, {}, {}, false);
        rule(u"Enterprise outage"_s, 1, R"({"tier": "enterprise", "text_contains": ["outage", "down"]})", u"Tier 2"_s,
            u"alice"_s, TicketPriority::P0);
        rule(u"Billing"_s, 2, R"({"text_contains": "invoice"})", u"Billing"_s);
        rule(u"Everything else"_s, 3, "{}", u"Tier 1"_s);
        Domain::RoutingRule bad;
        bad.name = u"Bad"_s;
        bad.targetTeam = u"X"_s;
        bad.conditions = json(R"({"region": "emea"})");
        auto refused = m_service->createRoutingRule(bad);
        QVERIFY(!refused);
        QCOMPARE(refused.error().field, u"conditions"_s);

        // Both the outage rule and the billing rule match: the lower position wins, and sets p0.
        auto outage = m_service->createTicket(newTicket(u"big"_s, u"Site is down, invoice page too"_s));
        QVERIFY(outage);
        QVERIFY(outage->routing.matched);
        QCOMPARE(outage->routing.ruleName, u"Enterprise outage"_s);
        QCOMPARE(outage->ticket.assignee, u"alice"_s);
        QCOMPARE(outage->ticket.assignedTeam, u"Tier 2"_s);
        QCOMPARE(outage->ticket.priority, TicketPriority::P0);
        QCOMPARE(outage->ticket.status, TicketStatus::Open); // assigned
        QCOMPARE(outage->ticket.firstResponseDueAt, m_clock.now().addSecs(5 * 60));
        // An explicit priority wins over the rule's.
        Core::NewTicket explicitPriority = newTicket(u"big"_s, u"Reports down"_s);
        explicitPriority.priority = TicketPriority::P3;
        QCOMPARE(m_service->createTicket(explicitPriority)->ticket.priority, TicketPriority::P3);
        auto billing = m_service->createTicket(newTicket(u"acme"_s, u"Invoice twice"_s));
        QVERIFY(billing);
        QCOMPARE(billing->ticket.assignedTeam, u"Billing"_s);
        QCOMPARE(billing->ticket.status, TicketStatus::New); // a team, nobody yet
        auto other = m_service->createTicket(newTicket(u"acme"_s, u"How do I add users?"_s));
        QCOMPARE(other->ticket.assignedTeam, u"Tier 1"_s);
        Core::NewTicket assigned = newTicket(u"acme"_s, u"Invoice for May"_s);
        assigned.assignee = u"bob"_s;
        auto manual = m_service->createTicket(assigned);
        QVERIFY(!manual->routing.matched);
        QCOMPARE(manual->ticket.assignee, u"bob"_s);
        QVERIFY(manual->ticket.assignedTeam.isEmpty());

        // A dry run decides without writing; the batch routes what is still unassigned.
        auto dry = m_service->routeTicket(early->ticket.id, false);
        QVERIFY(dry);
        QCOMPARE(dry->ruleName, u"Billing"_s);
        QVERIFY(m_service->ticket(early->ticket.id)->ticket.assignedTeam.isEmpty());
        auto batch = m_service->routeUnassignedTickets(100);
        QVERIFY(batch);
        QCOMPARE(batch->examined, 1);
        QCOMPARE(batch->routed, 1);
        QCOMPARE(m_service->ticket(early->ticket.id)->ticket.assignedTeam, u"Billing"_s);
        QCOMPARE(m_service->routeUnassignedTickets(100)->examined, 0);
    }

    // ---- knowledge base ---------------------------------------------------------------------------------------

    void knowledgeBase()
    {
        auto empty = m_service->searchArticles(u"export"_s);
        QVERIFY(empty);
        QVERIFY(empty->isEmpty());
        auto blank = m_service->searchArticles(u"  "_s);
        QVERIFY(!blank);
        QCOMPARE(blank.error().field, u"query"_s);

        Domain::KbArticle published;
        published.slug = u"export-large-files"_s;
        published.title = u"Exporting large files"_s;
        published.body = u"Use the background export for reports over 10,000 rows."_s;
        published.status = Domain::KbArticleStatus::Published;
        auto a = m_service->createArticle(published);
        QVERIFY2(a, qPrintable(a ? QString() : a.error().toString()));
        QCOMPARE(a->publishedAt, m_clock.now());
        Domain::KbArticle draft = published;
        draft.slug = u"export-draft"_s;
        draft.title = u"Export scheduling (draft)"_s;
        draft.status = Domain::KbArticleStatus::Draft;
        auto d = m_service->createArticle(draft);
        QVERIFY(d);
        QVERIFY(!d->publishedAt.isValid());

        auto found = m_service->searchArticles(u"export"_s);
        QVERIFY(found);
        QCOMPARE(found->size(), 1);
        QCOMPARE(found->first().slug, u"export-large-files"_s);
        QCOMPARE(m_service->searchArticles(u"export"_s, 25, true)->size(), 2);
        QCOMPARE(m_service->articleBySlug(u"export-draft"_s)->id, d->id);

        QVERIFY(m_service->recordArticleView(a->id));
        QVERIFY(m_service->voteArticle(a->id, true));
        QVERIFY(m_service->voteArticle(a->id, false));
        auto counted = m_service->article(a->id);
        QVERIFY(counted);
        QCOMPARE(counted->views, 1);
        QCOMPARE(counted->helpfulVotes, 1);
        QCOMPARE(counted->unhelpfulVotes, 1);
        QCOMPARE(counted->meta.version, a->meta.version); // an editor's copy stays current

        QVERIFY(m_service->removeArticle(a->id));
        QVERIFY(m_service->searchArticles(u"export"_s)->isEmpty());
        auto gone = m_service->recordArticleView(a->id);
        QVERIFY(!gone);
        QCOMPARE(gone.error().field, u"article_id"_s);
    }

    // ---- analytics --------------------------------------------------------------------------------------------

    void performanceOnEmptyDatabase()
    {
        auto perf = m_service->supportPerformance(QDate(2026, 6, 1), QDate(2026, 6, 15));
        QVERIFY2(perf, qPrintable(perf ? QString() : perf.error().toString()));
        QCOMPARE(perf->opened, 0);
        QCOMPARE(perf->noDataReason, u"no tickets were opened in the period"_s);
        QVERIFY(!perf->firstResponse.percent);
        QVERIFY(!perf->csat.percent);
        QVERIFY(!perf->firstResponseTime.medianMinutes);
        QCOMPARE(perf->backlog.size(), 5);
        QCOMPARE(perf->backlogTotal, 0);
        QCOMPARE(perf->weekly.size(), 3);
    }

    void performanceHandComputed()
    {
        QVERIFY(m_service->ensureDefaultSlaPolicies());
        struct Row
        {
            TicketPriority priority;
            const char *opened;
            const char *firstResponse;
            const char *resolved;
            int csat;
        };
        // p1 30/240, p2 120/1440, p3 240/2880, p4 480/4320 minutes
        const Row rows[] = {
            { TicketPriority::P2, "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z", "2026-06-01T20:00:00Z", 5 },
            { TicketPriority::P2, "2026-06-02T10:00:00Z", "2026-06-02T13:00:00Z", "2026-06-04T10:00:00Z", 2 },
            { TicketPriority::P1, "2026-06-08T09:00:00Z", "", "2026-06-08T10:00:00Z", 0 },
            { TicketPriority::P3, "2026-06-09T09:00:00Z", "", "", 0 },
            { TicketPriority::P4, "2026-06-15T11:00:00Z", "", "", 0 },
            { TicketPriority::P2, "2026-05-31T23:59:59Z", "", "", 0 }, // before the period: backlog only
        };
        const int minutes[5][2] = { { 5, 60 }, { 30, 240 }, { 120, 1440 }, { 240, 2880 }, { 480, 4320 } };
        QList<qint64> ids;
        for (const Row &r : rows) {
            Domain::SupportTicket t;
            t.customerId = u"acme"_s;
            t.subject = u"Ticket"_s;
            t.priority = r.priority;
            t.openedAt = at(QString::fromLatin1(r.opened));
            t.firstResponseAt = at(QString::fromLatin1(r.firstResponse));
            t.resolvedAt = at(QString::fromLatin1(r.resolved));
            t.status = t.resolvedAt.isValid() ? TicketStatus::Solved : TicketStatus::Open;
            t.firstResponseDueAt = t.openedAt.addSecs(minutes[int(r.priority)][0] * 60);
            t.resolutionDueAt = t.openedAt.addSecs(minutes[int(r.priority)][1] * 60);
            if (r.csat > 0)
                t.csat = r.csat;
            auto created = Storage::SupportTicketRepository(db()).create(t);
            QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));
            ids << created->id;
        }
        QVERIFY(m_service->escalateTicket(ids[3], u"Aging"_s, Domain::EscalationSeverity::Medium, {}, u"sam"_s));

        auto perf = m_service->supportPerformance(QDate(2026, 6, 1), QDate(2026, 6, 15));
        QVERIFY2(perf, qPrintable(perf ? QString() : perf.error().toString()));
        QCOMPARE(perf->opened, 5);
        QCOMPARE(perf->resolved, 3);
        QCOMPARE(perf->escalated, 1);
        // First response: met 60 min (p2); breached 180 > 120, 60 (solved unanswered) > 30, p3 unanswered > 240;
        // the p4 opened an hour ago is still running -> 1 / 4 = 25 %.
        QCOMPARE(perf->firstResponse.met, 1);
        QCOMPARE(perf->firstResponse.breached, 3);
        QCOMPARE(perf->firstResponse.running, 1);
        QVERIFY(near(perf->firstResponse.percent, 25.0));
        // Resolution: met 600 <= 1440 and 60 <= 240; breached 2880 > 1440 and the p3 past 2880 -> 50 %.
        QCOMPARE(perf->resolution.met, 2);
        QCOMPARE(perf->resolution.breached, 2);
        QVERIFY(near(perf->resolution.percent, 50.0));
        // CSAT of rated tickets: 5 and 2 -> 1 of 2 satisfied, mean 3.5.
        QCOMPARE(perf->csat.rated, 2);
        QVERIFY(near(perf->csat.percent, 50.0));
        QVERIFY(near(perf->csat.mean, 3.5));
        // Medians: first response 60, 180, 60 -> 60; resolution 600, 2880, 60 -> 600.
        QCOMPARE(perf->firstResponseTime.count, 3);
        QVERIFY(near(perf->firstResponseTime.medianMinutes, 60.0));
        QCOMPARE(perf->resolutionTime.count, 3);
        QVERIFY(near(perf->resolutionTime.medianMinutes, 600.0));
        // Weeks: Jun 1-7, 8-14, 15.
        QCOMPARE(perf->weekly.size(), 3);
        QCOMPARE(perf->weekly[0].opened, 2);
        QVERIFY(near(perf->weekly[0].firstResponse.percent, 50.0));
        QVERIFY(near(perf->weekly[0].csat.percent, 50.0));
        QCOMPARE(perf->weekly[1].opened, 2);
        QVERIFY(near(perf->weekly[1].firstResponse.percent, 0.0));
        QVERIFY(near(perf->weekly[1].resolution.percent, 50.0));
        QVERIFY(!perf->weekly[1].csat.percent);
        QCOMPARE(perf->weekly[2].opened, 1);
        QVERIFY(!perf->weekly[2].firstResponse.percent); // only a running clock: no outcome yet
        // Backlog now (Jun 15 12:00): p2 from May 31 (15 days), p3 from Jun 9 (6 days), p4 from an hour ago.
        QCOMPARE(perf->backlogTotal, 3);
        QCOMPARE(perf->backlog[2].sevenToThirtyDays, 1);
        QCOMPARE(perf->backlog[3].threeToSevenDays, 1);
        QCOMPARE(perf->backlog[4].underOneDay, 1);
        QCOMPARE(perf->backlog[0].total, 0);
    }

    // ---- a generated demo portfolio ---------------------------------------------------------------------------

    void demoPortfolio()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::DemoPortfolio::Options options;
        options.customers = 40;
        options.seed = 20260615;
        options.today = QDate(2026, 6, 15);
        options.usageEvents = 2000;
        auto stats = Core::DemoPortfolio(fixture.db(), options).generate();
        QVERIFY2(stats, qPrintable(stats ? QString() : stats.error().toString()));
        Core::SupportService service(fixture.db(), m_clock);
        QCOMPARE(*service.ensureDefaultSlaPolicies(), 0); // the demo brought its policies

        const QVariantList range { u"2026-03-18T00:00:00.000Z"_s, u"2026-06-16T00:00:00.000Z"_s };
        auto perf = service.supportPerformance(QDate(2026, 3, 18), QDate(2026, 6, 15));
        QVERIFY2(perf, qPrintable(perf ? QString() : perf.error().toString()));
        const auto sql = [&](const QString &text, const QVariantList &bindings) {
            auto q = Storage::exec(fixture.db(), text, bindings);
            return q && q->next() ? q->value(0).toLongLong() : -1;
        };
        const QString inRange
            = u" FROM support_tickets WHERE deleted_at IS NULL AND opened_at >= ? AND opened_at < ?"_s;
        QVERIFY(perf->opened > 20);
        QCOMPARE(qint64(perf->opened), sql(u"SELECT COUNT(*)"_s + inRange, range));
        // Attainment, recounted straight from the stored timestamps.
        QCOMPARE(qint64(perf->firstResponse.met),
            sql(u"SELECT COUNT(*)"_s + inRange
                    + u" AND COALESCE(first_response_at, resolved_at) <= first_response_due_at"_s,
                range));
        QCOMPARE(qint64(perf->resolution.met),
            sql(u"SELECT COUNT(*)"_s + inRange + u" AND resolved_at <= resolution_due_at"_s, range));
        QVERIFY(perf->firstResponse.percent && *perf->firstResponse.percent > 50 && *perf->firstResponse.percent < 100);
        QCOMPARE(qint64(perf->csat.rated), sql(u"SELECT COUNT(csat)"_s + inRange, range));
        QCOMPARE(qint64(perf->csat.satisfied), sql(u"SELECT COUNT(*)"_s + inRange + u" AND csat >= 4"_s, range));
        QVERIFY(perf->firstResponseTime.medianMinutes && *perf->firstResponseTime.medianMinutes > 0);
        QCOMPARE(qint64(perf->backlogTotal),
            sql(u"SELECT COUNT(*) FROM support_tickets WHERE deleted_at IS NULL AND status IN ('new', 'open', "
                u"'pending', "
                u"'on_hold') AND customer_id IS NOT NULL"_s,
                QVariantList {}));
        QCOMPARE(perf->weekly.size(), 14);
        int weeklyOpened = 0;
        for (const Core::SupportWeek &w : perf->weekly)
            weeklyOpened += w.opened;
        QCOMPARE(weeklyOpened, perf->opened);

        auto breaches = service.slaBreaches(10);
        QVERIFY(breaches);
        QCOMPARE(breaches->openTickets, perf->backlogTotal);
        // The demo has no knowledge base: the search says so instead of inventing articles.
        auto kb = service.searchArticles(u"export"_s);
        QVERIFY(kb);
        QVERIFY(kb->isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSupportService)
#include "tst_supportservice.moc"
