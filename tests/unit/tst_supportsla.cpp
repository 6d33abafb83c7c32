// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// SupportService SLA clocks on business hours with pauses: the ticket lifecycle (open -> pending -> open -> resolve)
// with the stored due times and states at each step, the pause of an imported ticket, restamping on policy and
// schedule changes, the SLA monitor and attainment, the schedule API and its validation. Hand-computed: the
// schedule is Mon-Fri 09:00-17:00 Europe/Berlin, which in June (CEST, UTC+2) is 07:00-15:00 UTC; 2026-06-15 is a
// Monday. Built twice: SQLite (label unit) and PostgreSQL (label pg).
#include <functional>
#include <memory>

#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "sql.h"
#include "supportservice.h"
#include "tables_customers.h"
#include "tables_support.h"
#include "testdatabase.h"
#include "transaction.h"

using namespace Qt::StringLiterals;
using Core::SlaState;
using Domain::TicketPriority;
using Domain::TicketStatus;

namespace {

class TestClock final : public Core::Clock
{
public:
    QDateTime now() const override { return m_now; }
    void set(const QDateTime &now) { m_now = now.toUTC(); }

private:
    QDateTime m_now;
};

QDateTime at(const QString &iso)
{
    if (iso.isEmpty())
        return {};
    QDateTime t = QDateTime::fromString(iso, Qt::ISODateWithMs);
    t.setTimeZone(QTimeZone::utc());
    return t;
}

QString iso(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(u"yyyy-MM-ddTHH:mm:ss"_s) : QString();
}

Domain::SupportSchedule berlinWeek()
{
    Domain::SupportSchedule s;
    s.timeZone = u"Europe/Berlin"_s;
    for (int day = 1; day <= 5; ++day)
        s.weeklyHours << Domain::WorkingHours { 0, 0, day, 540, 1020, {} };
    return s;
}

} // namespace

class TestSupportSla final : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestClock m_clock;
    std::unique_ptr<Core::SupportService> m_service;

    Storage::Database &db() { return m_fixture->db(); }

    qint64 count(const QString &sql, const QVariantList &bindings = {})
    {
        auto q = Storage::exec(db(), sql, bindings);
        return q && q->next() ? q->value(0).toLongLong() : -1;
    }

    // p2: first response 60 min, resolution 480 min (8 h), at risk above 80 %.
    void setPolicy(bool businessHours, int resolutionMinutes = 480)
    {
        auto policies = m_service->slaPolicies();
        QVERIFY(policies);
        Domain::SlaPolicy p2 = policies->at(2);
        QCOMPARE(p2.priority, TicketPriority::P2);
        p2.firstResponseMinutes = 60;
        p2.resolutionMinutes = resolutionMinutes;
        p2.businessHoursOnly = businessHours;
        auto updated = m_service->updateSlaPolicy(p2);
        QVERIFY2(updated, qPrintable(updated ? QString() : updated.error().toString()));
    }

    qint64 openTicket(const QString &when)
    {
        m_clock.set(at(when));
        Core::NewTicket input;
        input.customerId = u"acme"_s;
        input.subject = u"Export fails"_s;
        input.priority = TicketPriority::P2;
        input.assignee = u"sam"_s;
        auto created = m_service->createTicket(input);
        if (!created)
            qWarning() << created.error().toString();
        return created ? created->ticket.id : 0;
    }

    bool setStatus(qint64 id, TicketStatus status, const QString &when)
    {
        m_clock.set(at(when));
        Core::TicketChanges changes;
        changes.status = status;
        auto updated = m_service->updateTicket(id, changes, u"sam"_s);
        if (!updated)
            qWarning() << updated.error().toString();
        return updated.ok();
    }

    Domain::SupportTicket stored(qint64 id)
    {
        auto t = Storage::SupportTicketRepository(db()).get(id);
        return t ? *t : Domain::SupportTicket {};
    }

    Core::TicketSla slaAt(qint64 id, const QString &when)
    {
        m_clock.set(at(when));
        auto sla = m_service->ticketSla(id);
        return sla ? *sla : Core::TicketSla {};
    }

    // A row the importer writes itself (no clocks yet), as the CSV import does before settleImportedTickets().
    qint64 importRow(TicketStatus status, const QString &openedAt, const QString &resolvedAt = {})
    {
        Domain::SupportTicket t;
        t.customerId = u"acme"_s;
        t.subject = u"Imported"_s;
        t.priority = TicketPriority::P2;
        t.status = status;
        t.openedAt = at(openedAt);
        t.resolvedAt = at(resolvedAt);
        auto created = Storage::SupportTicketRepository(db()).create(t);
        return created ? created->id : 0;
    }

    // A pending P2 ticket opened at 08:00 and imported at 10:00, when its pause starts (policy 60 / 480 min).
    qint64 importedPendingAtTen()
    {
        setPolicy(false);
        const qint64 id = importRow(TicketStatus::Pending, u"2026-06-15T08:00:00"_s);
        m_clock.set(at(u"2026-06-15T10:00:00"_s));
        auto settled = m_service->settleImportedTickets(id, {});
        if (!settled)
            qWarning() << settled.error().toString();
        return settled ? id : 0;
    }

    // The importer's update of a stored ticket: the row rewritten, then settled with what it was before.
    Core::ImportedTicketUpdate reimport(qint64 id, const std::function<void(Domain::SupportTicket &)> &change)
    {
        Domain::SupportTicket t = stored(id);
        const Core::ImportedTicketUpdate before { t.id, t.priority, t.status, t.openedAt };
        change(t);
        auto updated = Storage::SupportTicketRepository(db()).update(t);
        if (!updated)
            qWarning() << updated.error().toString();
        return before;
    }

    QList<std::pair<QString, QString>> pausesOf(qint64 id) // (status, "started..ended"), oldest first
    {
        QList<std::pair<QString, QString>> out;
        auto q = Storage::exec(db(),
            u"SELECT status, started_at, ended_at FROM ticket_sla_pauses WHERE ticket_id = ? ORDER BY id"_s, { id });
        while (q && q->next()) {
            QDateTime started;
            QDateTime ended;
            Storage::Convert::fromSql(q->value(1), started);
            Storage::Convert::fromSql(q->value(2), ended);
            out.append({ q->value(0).toString(), iso(started) + u".."_s + iso(ended) });
        }
        return out;
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
        m_clock.set(at(u"2026-06-15T06:00:00"_s));
        m_service = std::make_unique<Core::SupportService>(db(), m_clock);
        for (const QString &table : { u"timeline_events"_s, u"outbox"_s, u"ticket_sla_pauses"_s, u"ticket_comments"_s,
                 u"support_tickets"_s, u"sla_policies"_s, u"support_schedules"_s, u"customers"_s }) {
            auto cleared = Storage::exec(db(), u"DELETE FROM "_s + table);
            QVERIFY2(cleared, qPrintable(cleared ? QString() : cleared.error().toString()));
        }
        Domain::Customer c;
        c.id = u"acme"_s;
        c.name = u"Acme"_s;
        QVERIFY(Storage::CustomerRepository(db()).create(c));
        QVERIFY(m_service->ensureDefaultSlaPolicies());
        auto schedule = m_service->updateSupportSchedule(berlinWeek());
        QVERIFY2(schedule, qPrintable(schedule ? QString() : schedule.error().toString()));
    }

    // ---- the lifecycle ----------------------------------------------------------------------------------------

    void lifecycle_data()
    {
        QTest::addColumn<bool>("businessHours");
        QTest::addColumn<QString>("resolutionDue"); // stamped at opening
        QTest::addColumn<QString>("resumedDue"); // after two hours pending
        QTest::addColumn<QString>("checkAt");
        QTest::addColumn<qint64>("elapsedAtCheck"); // working minutes, pause excluded
        QTest::addColumn<qint64>("leftAtCheck");
        QTest::addColumn<QString>("resolveAt");

        // Opened Mon 08:00Z, answered 08:30Z (first response due 09:00Z), pending 10:00-12:00Z.
        // Calendar time: due 08:00 + 8 h = 16:00Z, then 2 h later 18:00Z. At 17:00Z: 9 h - 2 h = 420 min elapsed,
        // 60 left (87.5 % > 80 %: at risk). Resolved 17:15Z: met (it would have breached without the pause).
        QTest::addRow("calendar time") << false << u"2026-06-15T16:00:00"_s << u"2026-06-15T18:00:00"_s
                                       << u"2026-06-15T17:00:00"_s << 420LL << 60LL << u"2026-06-15T17:15:00"_s;
        // Business hours 07:00-15:00Z: 7 h on Monday from 08:00Z, 1 h on Tuesday -> Tue 08:00Z; the 2 working
        // hours pending -> Tue 10:00Z. At Tue 09:30Z: Monday 7 h - 2 h = 300 + Tuesday 150 = 450 min, 30 left
        // (93.75 %: at risk). Resolved Tue 09:45Z: met.
        QTest::addRow("business hours") << true << u"2026-06-16T08:00:00"_s << u"2026-06-16T10:00:00"_s
                                        << u"2026-06-16T09:30:00"_s << 450LL << 30LL << u"2026-06-16T09:45:00"_s;
    }

    void lifecycle()
    {
        QFETCH(bool, businessHours);
        QFETCH(QString, resolutionDue);
        QFETCH(QString, resumedDue);
        QFETCH(QString, checkAt);
        QFETCH(qint64, elapsedAtCheck);
        QFETCH(qint64, leftAtCheck);
        QFETCH(QString, resolveAt);
        setPolicy(businessHours);

        const qint64 id = openTicket(u"2026-06-15T08:00:00"_s);
        QVERIFY(id > 0);
        QCOMPARE(iso(stored(id).firstResponseDueAt), u"2026-06-15T09:00:00"_s);
        QCOMPARE(iso(stored(id).resolutionDueAt), resolutionDue);

        m_clock.set(at(u"2026-06-15T08:30:00"_s));
        QVERIFY(m_service->addComment(id, { u"Looking into it"_s, u"sam"_s, Core::CommentAuthor::Agent, true }));

        // pending: the resolution clock stands still, its due time is unknown (NULL in the table)
        QVERIFY(setStatus(id, TicketStatus::Pending, u"2026-06-15T10:00:00"_s));
        QVERIFY(!stored(id).resolutionDueAt.isValid());
        QCOMPARE(
            count(u"SELECT COUNT(*) FROM ticket_sla_pauses WHERE ticket_id = ? AND ended_at IS NULL"_s, { id }), 1);
        Core::TicketSla sla = slaAt(id, u"2026-06-15T11:00:00"_s);
        QCOMPARE(sla.firstResponse.state, SlaState::Met);
        QCOMPARE(sla.resolution.state, SlaState::Paused);
        QCOMPARE(sla.resolution.elapsedMinutes, 120); // 08:00-10:00, working time either way
        QCOMPARE(sla.resolution.targetMinutes, 480);
        QCOMPARE(sla.resolution.minutesLeft, 360);
        QCOMPARE(sla.resolution.pausedMinutes, 60);
        QCOMPARE(sla.resolution.businessHours, businessHours);

        // open again after two hours: the due time moves later by the paused working time
        QVERIFY(setStatus(id, TicketStatus::Open, u"2026-06-15T12:00:00"_s));
        QCOMPARE(iso(stored(id).resolutionDueAt), resumedDue);
        QCOMPARE(iso(stored(id).firstResponseDueAt), u"2026-06-15T09:00:00"_s); // never paused
        QCOMPARE(
            count(u"SELECT COUNT(*) FROM ticket_sla_pauses WHERE ticket_id = ? AND ended_at IS NOT NULL"_s, { id }), 1);
        sla = slaAt(id, u"2026-06-15T12:00:00"_s);
        QCOMPARE(sla.resolution.state, SlaState::OnTrack);
        QCOMPARE(sla.resolution.elapsedMinutes, 120);
        QCOMPARE(sla.resolution.pausedMinutes, 120);

        sla = slaAt(id, checkAt);
        QCOMPARE(sla.resolution.state, SlaState::AtRisk);
        QCOMPARE(sla.resolution.elapsedMinutes, elapsedAtCheck);
        QCOMPARE(sla.resolution.minutesLeft, leftAtCheck);
        QVERIFY(qAbs(*sla.resolution.elapsedRatio - double(elapsedAtCheck) / 480.0) < 1e-9);

        m_clock.set(at(resolveAt));
        auto resolved = m_service->resolveTicket(id, {}, u"sam"_s);
        QVERIFY(resolved);
        QCOMPARE(iso(resolved->resolutionDueAt), resumedDue);
        sla = slaAt(id, u"2026-06-20T00:00:00"_s);
        QCOMPARE(sla.resolution.state, SlaState::Met);
        QCOMPARE(sla.firstResponse.state, SlaState::Met);

        // attainment uses the same rule; the median resolution time leaves the pause out
        auto perf = m_service->supportPerformance(QDate(2026, 6, 15), QDate(2026, 6, 19));
        QVERIFY(perf);
        QCOMPARE(perf->resolution.met, 1);
        QCOMPARE(perf->resolution.breached, 0);
        QCOMPARE(perf->resolutionTime.medianMinutes, std::optional<double>(elapsedAtCheck + 15));
    }

    // A ticket resolved from pending: the pause ends at the resolution and the due time is known again.
    void resolvedWhilePending()
    {
        setPolicy(false);
        const qint64 id = openTicket(u"2026-06-15T08:00:00"_s);
        QVERIFY(setStatus(id, TicketStatus::Pending, u"2026-06-15T10:00:00"_s));
        m_clock.set(at(u"2026-06-15T20:00:00"_s)); // after the unpaused due time (16:00Z)
        auto resolved = m_service->resolveTicket(id, u"Fixed"_s, u"sam"_s);
        QVERIFY(resolved);
        // 2 h elapsed before the pause, 10 h paused: due 16:00Z + 10 h = Tue 02:00Z
        QCOMPARE(iso(resolved->resolutionDueAt), u"2026-06-16T02:00:00"_s);
        QCOMPARE(
            count(u"SELECT COUNT(*) FROM ticket_sla_pauses WHERE ticket_id = ? AND ended_at IS NULL"_s, { id }), 0);
        QCOMPARE(slaAt(id, u"2026-06-20T00:00:00"_s).resolution.state, SlaState::Met);
        // the first response (the note, at 20:00Z) was never paused: late
        QCOMPARE(slaAt(id, u"2026-06-20T00:00:00"_s).firstResponse.state, SlaState::Breached);
    }

    // pending -> on_hold is two pause periods back to back; reopening a solved ticket restamps.
    void pendingToOnHold()
    {
        setPolicy(false);
        const qint64 id = openTicket(u"2026-06-15T08:00:00"_s);
        QVERIFY(setStatus(id, TicketStatus::Pending, u"2026-06-15T09:00:00"_s));
        QVERIFY(setStatus(id, TicketStatus::OnHold, u"2026-06-15T10:00:00"_s));
        QCOMPARE(count(u"SELECT COUNT(*) FROM ticket_sla_pauses WHERE ticket_id = ?"_s, { id }), 2);
        QCOMPARE(count(u"SELECT COUNT(*) FROM ticket_sla_pauses WHERE ticket_id = ? AND status = 'on_hold' AND "
                       u"ended_at IS NULL"_s,
                     { id }),
            1);
        QVERIFY(!stored(id).resolutionDueAt.isValid());
        QVERIFY(setStatus(id, TicketStatus::Open, u"2026-06-15T11:30:00"_s));
        QCOMPARE(iso(stored(id).resolutionDueAt), u"2026-06-15T18:30:00"_s); // 16:00 + 2.5 h paused
    }

    // A clock that ran out before the pause stays breached: pausing does not forgive it.
    void breachedBeforePause()
    {
        setPolicy(false);
        const qint64 id = openTicket(u"2026-06-15T08:00:00"_s);
        QVERIFY(setStatus(id, TicketStatus::Pending, u"2026-06-15T17:00:00"_s));
        QCOMPARE(iso(stored(id).resolutionDueAt), u"2026-06-15T16:00:00"_s);
        const Core::TicketSla sla = slaAt(id, u"2026-06-15T18:00:00"_s);
        QCOMPARE(sla.resolution.state, SlaState::Breached);
    }

    // ---- the monitor ------------------------------------------------------------------------------------------

    void monitorSkipsPausedResolution()
    {
        setPolicy(false);
        const qint64 paused = openTicket(u"2026-06-15T08:00:00"_s);
        const qint64 running = openTicket(u"2026-06-15T08:00:00"_s);
        const qint64 answeredLate = openTicket(u"2026-06-15T08:00:00"_s);
        QVERIFY(setStatus(paused, TicketStatus::Pending, u"2026-06-15T09:30:00"_s));
        m_clock.set(at(u"2026-06-15T08:30:00"_s));
        QVERIFY(m_service->addComment(running, { u"On it"_s, u"sam"_s, Core::CommentAuthor::Agent, true }));
        // now Tue 12:00Z: all three are past the unpaused resolution due time (Mon 16:00Z)
        m_clock.set(at(u"2026-06-16T12:00:00"_s));
        auto report = m_service->slaBreaches(50, true);
        QVERIFY(report);
        QCOMPARE(report->openTickets, 3);
        QCOMPARE(report->resolutionBreached, 2); // running and answeredLate; the paused one cannot breach
        QCOMPARE(report->firstResponseBreached, 2); // paused (never answered: first response is not paused) and late
        QList<qint64> ids;
        for (const Core::SlaWatchItem &item : std::as_const(report->items))
            ids << item.ticketId;
        QCOMPARE(ids.size(), 3);
        for (const Core::SlaWatchItem &item : std::as_const(report->items)) {
            if (item.ticketId == paused)
                QCOMPARE(item.sla.resolution.state, SlaState::Paused);
        }
        // The stored columns the health and communication services read in SQL agree: a resolution breach is a
        // passed resolution_due_at, and the paused ticket has none.
        QCOMPARE(count(u"SELECT COUNT(*) FROM support_tickets WHERE resolution_due_at < ? AND resolved_at IS NULL"_s,
                     { Storage::Convert::toSql(at(u"2026-06-16T12:00:00"_s)) }),
            2);
        Q_UNUSED(answeredLate)
    }

    // ---- imports ----------------------------------------------------------------------------------------------

    // What an importer (CSV, a sync) writes: rows without due times, then settleImportedTickets() in its transaction.
    void importedPendingTicket()
    {
        setPolicy(false);
        Domain::SupportTicket t;
        t.customerId = u"acme"_s;
        t.subject = u"Imported"_s;
        t.priority = TicketPriority::P2;
        t.status = TicketStatus::Pending;
        t.openedAt = at(u"2026-06-15T08:00:00"_s);
        auto created = Storage::SupportTicketRepository(db()).create(t);
        QVERIFY(created);
        const qint64 id = created->id;
        m_clock.set(at(u"2026-06-15T10:00:00"_s)); // imported at 10:00: it waits from then on
        auto settled = m_service->settleImportedTickets(id, {});
        QVERIFY2(settled, qPrintable(settled ? QString() : settled.error().toString()));
        QCOMPARE(*settled, 1);
        QCOMPARE(iso(stored(id).firstResponseDueAt), u"2026-06-15T09:00:00"_s);
        QVERIFY(!stored(id).resolutionDueAt.isValid());
        // Imported again, still pending: no second pause, nothing to restamp.
        m_clock.set(at(u"2026-06-15T10:30:00"_s));
        settled = m_service->settleImportedTickets(
            id + 1, { { id, TicketPriority::P2, TicketStatus::Pending, at(u"2026-06-15T08:00:00"_s) } });
        QVERIFY(settled);
        QCOMPARE(*settled, 0);
        QCOMPARE(count(u"SELECT COUNT(*) FROM ticket_sla_pauses WHERE ticket_id = ?"_s, { id }), 1);
        QCOMPARE(slaAt(id, u"2026-06-15T20:00:00"_s).resolution.state, SlaState::Paused);
        QVERIFY(setStatus(id, TicketStatus::Open, u"2026-06-15T11:00:00"_s));
        QCOMPARE(iso(stored(id).resolutionDueAt), u"2026-06-15T17:00:00"_s); // 08:00 + 8 h + one hour paused
    }

    // A pending ticket put on hold by an import: the pending pause ends and an on-hold one begins, as a status
    // change records them; the resolution clock stays stopped.
    void importedWaitingStatusChange()
    {
        const qint64 id = importedPendingAtTen();
        QVERIFY(id > 0);
        m_clock.set(at(u"2026-06-15T11:00:00"_s));
        const auto before = reimport(id, [](Domain::SupportTicket &t) { t.status = TicketStatus::OnHold; });
        auto settled = m_service->settleImportedTickets(id + 1, { before });
        QVERIFY2(settled, qPrintable(settled ? QString() : settled.error().toString()));
        QCOMPARE(*settled, 0); // still waiting: no resolution due time before or after
        const QList<std::pair<QString, QString>> expected { { u"pending"_s,
                                                                u"2026-06-15T10:00:00..2026-06-15T11:00:00"_s },
            { u"on_hold"_s, u"2026-06-15T11:00:00.."_s } };
        QCOMPARE(pausesOf(id), expected);
        QCOMPARE(slaAt(id, u"2026-06-15T20:00:00"_s).resolution.state, SlaState::Paused);
        // Still on hold on the next import: nothing moves.
        m_clock.set(at(u"2026-06-15T12:00:00"_s));
        const auto again = reimport(id, [](Domain::SupportTicket &) {});
        settled = m_service->settleImportedTickets(id + 1, { again });
        QVERIFY(settled);
        QCOMPARE(*settled, 0);
        QCOMPARE(pausesOf(id), expected);
    }

    // Solved (per the CSV) at 10:30 while waiting, imported at 12:00: the pause ends when it was solved, so the
    // resolution clock counts from 10:30, not the import's time.
    void importedSolvedWhileWaiting()
    {
        const qint64 id = importedPendingAtTen();
        QVERIFY(id > 0);
        m_clock.set(at(u"2026-06-15T12:00:00"_s));
        const auto before = reimport(id, [](Domain::SupportTicket &t) {
            t.status = TicketStatus::Solved;
            t.resolvedAt = at(u"2026-06-15T10:30:00"_s);
        });
        auto settled = m_service->settleImportedTickets(id + 1, { before });
        QVERIFY2(settled, qPrintable(settled ? QString() : settled.error().toString()));
        QCOMPARE(*settled, 1);
        const QList<std::pair<QString, QString>> expected { { u"pending"_s,
            u"2026-06-15T10:00:00..2026-06-15T10:30:00"_s } };
        QCOMPARE(pausesOf(id), expected);
        // 8 h from 08:00 plus the half hour it waited.
        QCOMPARE(iso(stored(id).resolutionDueAt), u"2026-06-15T16:30:00"_s);
        // Solved before the pause began (a late import): the pause is empty rather than reversed.
        const qint64 late = importRow(TicketStatus::Pending, u"2026-06-15T08:00:00"_s);
        QVERIFY(m_service->settleImportedTickets(late, {}));
        m_clock.set(at(u"2026-06-15T13:00:00"_s));
        const auto lateBefore = reimport(late, [](Domain::SupportTicket &t) {
            t.status = TicketStatus::Solved;
            t.resolvedAt = at(u"2026-06-15T09:00:00"_s);
        });
        QVERIFY(m_service->settleImportedTickets(late + 1, { lateBefore }));
        const QList<std::pair<QString, QString>> empty { { u"pending"_s,
            u"2026-06-15T12:00:00..2026-06-15T12:00:00"_s } };
        QCOMPARE(pausesOf(late), empty);
    }

    // A solved ticket reopened by imports keeps its old resolved_at (an import leaves empty cells alone): that date
    // must not end the later pause, which ends when the import learns the customer answered.
    void importedReopenedKeepsStaleResolvedAt()
    {
        setPolicy(false);
        const qint64 id = importRow(TicketStatus::Solved, u"2026-06-15T08:00:00"_s, u"2026-06-15T09:00:00"_s);
        m_clock.set(at(u"2026-06-15T10:00:00"_s));
        QVERIFY(m_service->settleImportedTickets(id, {}));
        auto before = reimport(id, [](Domain::SupportTicket &t) { t.status = TicketStatus::Pending; });
        QVERIFY(m_service->settleImportedTickets(id + 1, { before }));
        m_clock.set(at(u"2026-06-15T12:00:00"_s));
        before = reimport(id, [](Domain::SupportTicket &t) { t.status = TicketStatus::Open; });
        QCOMPARE(stored(id).resolvedAt, at(u"2026-06-15T09:00:00"_s));
        auto settled = m_service->settleImportedTickets(id + 1, { before });
        QVERIFY2(settled, qPrintable(settled ? QString() : settled.error().toString()));
        const QList<std::pair<QString, QString>> expected { { u"pending"_s,
            u"2026-06-15T10:00:00..2026-06-15T12:00:00"_s } };
        QCOMPARE(pausesOf(id), expected);
        QCOMPARE(iso(stored(id).resolutionDueAt), u"2026-06-15T18:00:00"_s); // 16:00 plus the two hours it waited
        // Listed twice (another bulk writer): the first entry is the state before, the second is ignored.
        m_clock.set(at(u"2026-06-15T13:00:00"_s));
        const auto first = reimport(id, [](Domain::SupportTicket &t) { t.priority = TicketPriority::P3; });
        Core::ImportedTicketUpdate second = first;
        second.priority = TicketPriority::P3;
        settled = m_service->settleImportedTickets(id + 1, { first, second });
        QVERIFY(settled);
        QCOMPARE(*settled, 1);
        QCOMPARE(iso(stored(id).firstResponseDueAt), u"2026-06-15T12:00:00"_s); // P3: 240 min from 08:00
    }

    // An import that rewrites a ticket without touching its clocks leaves its stamps alone, even when the policy
    // changed since (a solved ticket keeps its history, as restampOpenTickets() leaves it); a new priority or
    // opened_at, or a reopening, restamps.
    void importedUpdateRestampsOnlyWhatMoved_data()
    {
        QTest::addColumn<int>("change"); // 0 subject only, 1 priority, 2 opened_at, 3 reopened
        QTest::addColumn<QString>("firstResponseDue");
        QTest::addColumn<QString>("resolutionDue");
        // Stamped under 60/480 min: Mon 09:00 / 16:00. The policy is now 60/240 min.
        QTest::addRow("subject only") << 0 << u"2026-06-15T09:00:00"_s << u"2026-06-15T16:00:00"_s;
        // P3 has the default policy: 240 / 2880 min from 08:00.
        QTest::addRow("priority") << 1 << u"2026-06-15T12:00:00"_s << u"2026-06-17T08:00:00"_s;
        QTest::addRow("opened_at") << 2 << u"2026-06-15T10:00:00"_s << u"2026-06-15T13:00:00"_s;
        QTest::addRow("reopened") << 3 << u"2026-06-15T09:00:00"_s << u"2026-06-15T12:00:00"_s;
    }

    void importedUpdateRestampsOnlyWhatMoved()
    {
        QFETCH(int, change);
        QFETCH(QString, firstResponseDue);
        QFETCH(QString, resolutionDue);
        setPolicy(false);
        const qint64 id = importRow(TicketStatus::Solved, u"2026-06-15T08:00:00"_s, u"2026-06-15T11:00:00"_s);
        m_clock.set(at(u"2026-06-15T12:00:00"_s));
        QVERIFY(m_service->settleImportedTickets(id, {}));
        QCOMPARE(iso(stored(id).resolutionDueAt), u"2026-06-15T16:00:00"_s);
        setPolicy(false, 240);
        QCOMPARE(iso(stored(id).resolutionDueAt), u"2026-06-15T16:00:00"_s); // solved: not restamped
        const auto before = reimport(id, [&](Domain::SupportTicket &t) {
            t.subject = u"Renamed"_s;
            if (change == 1)
                t.priority = TicketPriority::P3;
            if (change == 2)
                t.openedAt = at(u"2026-06-15T09:00:00"_s);
            if (change == 3) {
                t.status = TicketStatus::Open;
                t.resolvedAt = {};
            }
        });
        auto settled = m_service->settleImportedTickets(id + 1, { before });
        QVERIFY2(settled, qPrintable(settled ? QString() : settled.error().toString()));
        QCOMPARE(*settled, change == 0 ? 0 : 1);
        QCOMPARE(iso(stored(id).firstResponseDueAt), firstResponseDue);
        QCOMPARE(iso(stored(id).resolutionDueAt), resolutionDue);
    }

    // More tickets than one statement binds (500 a chunk): every new and every updated one is settled.
    void importedTicketsInChunks()
    {
        setPolicy(false);
        constexpr int kTickets = 1203;
        m_clock.set(at(u"2026-06-15T07:00:00"_s));
        QList<qint64> ids;
        {
            Storage::Transaction tx(db());
            for (int i = 0; i < kTickets; ++i)
                ids << importRow(i % 2 ? TicketStatus::Pending : TicketStatus::Open, u"2026-06-15T08:00:00"_s);
            QVERIFY(tx.commit());
        }
        QVERIFY(!ids.contains(0));
        m_clock.set(at(u"2026-06-15T10:00:00"_s));
        auto settled = m_service->settleImportedTickets(ids.first(), {});
        QVERIFY(settled);
        QCOMPARE(*settled, kTickets);
        QCOMPARE(count(u"SELECT COUNT(*) FROM support_tickets WHERE first_response_due_at IS NULL"_s), 0);
        QCOMPARE(count(u"SELECT COUNT(*) FROM ticket_sla_pauses WHERE ended_at IS NULL"_s), kTickets / 2);
        // All answered by the customer an hour later: every pause ends, every waiting ticket is restamped.
        m_clock.set(at(u"2026-06-15T11:00:00"_s));
        QList<Core::ImportedTicketUpdate> updated;
        {
            Storage::Transaction tx(db());
            for (const qint64 id : std::as_const(ids))
                updated << reimport(id, [](Domain::SupportTicket &t) { t.status = TicketStatus::Open; });
            QVERIFY(tx.commit());
        }
        settled = m_service->settleImportedTickets(ids.last() + 1, updated);
        QVERIFY(settled);
        QCOMPARE(*settled, kTickets / 2);
        QCOMPARE(count(u"SELECT COUNT(*) FROM ticket_sla_pauses WHERE ended_at IS NULL"_s), 0);
        QCOMPARE(count(u"SELECT COUNT(*) FROM support_tickets WHERE resolution_due_at = ?"_s,
                     { Storage::Convert::toSql(at(u"2026-06-15T17:00:00"_s)) }),
            kTickets / 2); // 16:00 plus the hour they waited
    }

    // ---- restamping -------------------------------------------------------------------------------------------

    void restampOnPolicyChange()
    {
        setPolicy(false);
        const qint64 open = openTicket(u"2026-06-15T08:00:00"_s);
        const qint64 solved = openTicket(u"2026-06-15T08:00:00"_s);
        m_clock.set(at(u"2026-06-15T09:00:00"_s));
        QVERIFY(m_service->resolveTicket(solved, {}, u"sam"_s));
        QSignalSpy changed(m_service.get(), &Core::SupportService::slaPoliciesChanged);
        auto policies = m_service->slaPolicies();
        Domain::SlaPolicy p2 = policies->at(2);
        p2.businessHoursOnly = true;
        auto updated = m_service->updateSlaPolicy(p2);
        QVERIFY(updated);
        QCOMPARE(updated->restampedTickets, 1); // the solved one keeps its history
        QCOMPARE(changed.size(), 1);
        QCOMPARE(iso(stored(open).resolutionDueAt), u"2026-06-16T08:00:00"_s); // business hours now
        QCOMPARE(iso(stored(solved).resolutionDueAt), u"2026-06-15T16:00:00"_s);
        QCOMPARE(stored(open).meta.version, 1); // a recalculation does not bump the version
        // the same policy again: nothing moves
        p2 = m_service->slaPolicies()->at(2);
        QCOMPARE(m_service->updateSlaPolicy(p2)->restampedTickets, 0);
    }

    void restampOnScheduleChange_data()
    {
        QTest::addColumn<int>("change"); // 0 holiday on Tuesday, 1 a longer Monday, 2 New York
        QTest::addColumn<QString>("due");
        // due Tue 08:00Z before: 7 h on Monday (08:00-15:00Z), 1 h on Tuesday from 07:00Z
        // a Tuesday holiday: the last hour is on Wednesday: Wed 08:00Z
        QTest::addRow("holiday") << 0 << u"2026-06-17T08:00:00"_s;
        // Monday until 18:00 local (16:00Z): 8 h on Monday, due Mon 16:00Z
        QTest::addRow("longer Monday") << 1 << u"2026-06-15T16:00:00"_s;
        // New York 09:00-17:00 EDT = 13:00-21:00Z: Monday 8 h from 13:00Z, due Mon 21:00Z
        QTest::addRow("another zone") << 2 << u"2026-06-15T21:00:00"_s;
    }

    void restampOnScheduleChange()
    {
        QFETCH(int, change);
        QFETCH(QString, due);
        setPolicy(true);
        const qint64 id = openTicket(u"2026-06-15T08:00:00"_s);
        QCOMPARE(iso(stored(id).resolutionDueAt), u"2026-06-16T08:00:00"_s);
        Core::Result<Core::ScheduleUpdate> updated = Core::Error::storage(QString());
        m_clock.set(at(u"2026-06-15T09:00:00"_s));
        if (change == 0) {
            updated = m_service->addHoliday(QDate(2026, 6, 16), u"Company day"_s);
        } else {
            Domain::SupportSchedule s = *m_service->supportSchedule().value();
            if (change == 1)
                s.weeklyHours[0].endMinute = 1080;
            else
                s.timeZone = u"America/New_York"_s;
            updated = m_service->updateSupportSchedule(s);
        }
        QVERIFY2(updated, qPrintable(updated ? QString() : updated.error().toString()));
        QCOMPARE(updated->restampedTickets, 1);
        QCOMPARE(iso(stored(id).resolutionDueAt), due);
    }

    // ---- the schedule API -------------------------------------------------------------------------------------

    void defaultSchedule()
    {
        QVERIFY(Storage::exec(db(), u"DELETE FROM support_schedules"_s));
        QVERIFY(!m_service->supportSchedule().value());
        QSignalSpy changed(m_service.get(), &Core::SupportService::slaPoliciesChanged);
        QCOMPARE(*m_service->ensureDefaultSlaPolicies(), 0); // the policies exist; the schedule is created
        QCOMPARE(changed.size(), 1);
        auto schedule = m_service->supportSchedule();
        QVERIFY(schedule && *schedule);
        const Domain::SupportSchedule &s = **schedule;
        QVERIFY(QTimeZone::isTimeZoneIdAvailable(s.timeZone.toUtf8()));
        QCOMPARE(s.weeklyHours.size(), 5);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(s.weeklyHours[i].weekday, i + 1);
            QCOMPARE(s.weeklyHours[i].startMinute, 540);
            QCOMPARE(s.weeklyHours[i].endMinute, 1020);
        }
        QVERIFY(s.holidays.isEmpty());
        QCOMPARE(*m_service->ensureDefaultSupportSchedule(), 0);
    }

    void scheduleErrors_data()
    {
        QTest::addColumn<int>("what");
        QTest::addColumn<QString>("field");
        QTest::addRow("bad zone") << 0 << u"time_zone"_s;
        QTest::addRow("start after end") << 1 << u"weekly_hours"_s;
        QTest::addRow("overlap") << 2 << u"weekly_hours"_s;
        QTest::addRow("empty week") << 3 << u"weekly_hours"_s;
        QTest::addRow("duplicate holiday") << 4 << u"holidays"_s;
        QTest::addRow("stale version") << 5 << u"version"_s;
        QTest::addRow("holiday twice") << 6 << u"date"_s;
        QTest::addRow("remove a day that is no holiday") << 7 << u"date"_s;
        QTest::addRow("holiday without a name") << 8 << u"name"_s;
    }

    void scheduleErrors()
    {
        QFETCH(int, what);
        QFETCH(QString, field);
        const Domain::SupportSchedule before = *m_service->supportSchedule().value();
        Domain::SupportSchedule s = before;
        Core::Result<Core::ScheduleUpdate> result = Core::Error::storage(QString());
        const Domain::ScheduleHoliday xmas { 0, 0, QDate(2026, 12, 25), u"Christmas"_s, {} };
        switch (what) {
        case 0:
            s.timeZone = u"Mars/Olympus_Mons"_s;
            break;
        case 1:
            s.weeklyHours[0].startMinute = 1020;
            s.weeklyHours[0].endMinute = 540;
            break;
        case 2:
            s.weeklyHours << Domain::WorkingHours { 0, 0, 1, 960, 1080, {} };
            break;
        case 3:
            s.weeklyHours.clear();
            break;
        case 4:
            s.holidays = { xmas, xmas };
            break;
        case 5:
            s.meta.version = before.meta.version + 5;
            break;
        default:
            break;
        }
        if (what <= 5) {
            result = m_service->updateSupportSchedule(s);
        } else if (what == 6) {
            QVERIFY(m_service->addHoliday(xmas.date, xmas.name));
            result = m_service->addHoliday(xmas.date, u"Again"_s);
        } else if (what == 7) {
            result = m_service->removeHoliday(QDate(2026, 12, 26));
        } else {
            result = m_service->addHoliday(QDate(2026, 12, 31), u"  "_s);
        }
        QVERIFY(!result);
        QCOMPARE(result.error().field, field);
        // nothing was written
        const Domain::SupportSchedule after = *m_service->supportSchedule().value();
        QCOMPARE(after.timeZone, before.timeZone);
        QCOMPARE(after.weeklyHours.size(), before.weeklyHours.size());
    }

    void holidays()
    {
        auto added = m_service->addHoliday(QDate(2026, 12, 25), u"Christmas"_s);
        QVERIFY(added);
        QCOMPARE(added->schedule.holidays.size(), 1);
        QCOMPARE(added->schedule.holidays[0].name, u"Christmas"_s);
        QVERIFY(m_service->addHoliday(QDate(2026, 12, 24), u"Christmas Eve"_s));
        auto schedule = m_service->supportSchedule().value();
        QCOMPARE(schedule->holidays.size(), 2);
        QCOMPARE(schedule->holidays[0].date, QDate(2026, 12, 24)); // by date
        auto removed = m_service->removeHoliday(QDate(2026, 12, 25));
        QVERIFY(removed);
        QCOMPARE(removed->schedule.holidays.size(), 1);
        QCOMPARE(removed->schedule.holidays[0].date, QDate(2026, 12, 24));
        QCOMPARE(removed->schedule.weeklyHours.size(), 5);
    }
};

QTEST_GUILESS_MAIN(TestSupportSla)
#include "tst_supportsla.moc"
