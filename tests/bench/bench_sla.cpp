// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
//
// SLA clocks on business hours (Europe/Berlin, Mon-Fri 09:00-17:00, ten holidays a year).
//
//     bench_sla [--tickets N] [--calls M]
//
// Prints
//   BENCH sla_add_working_minutes_per_second <n> calls/s      3-day targets from starts spread over a year
//   BENCH sla_working_minutes_between_per_second <n> calls/s  spans of up to 60 days
//   BENCH sla_ten_year_target_microseconds <us> us            one 10-year target (weeks skipped arithmetically)
//   BENCH sla_breaches_seconds <s> s                          SupportService::slaBreaches over N open tickets on
//                                                             a business-hours policy, a quarter of them paused
//   BENCH sla_restamp_seconds <s> s                           restampOpenTickets over the same tickets
#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include "businesscalendar.h"
#include "clock.h"
#include "database.h"
#include "sql.h"
#include "supportservice.h"
#include "tables_customers.h"
#include "tables_support.h"
#include "transaction.h"

using namespace Qt::StringLiterals;

namespace {

class FixedClock final : public Core::Clock
{
public:
    QDateTime now() const override { return QDateTime(QDate(2026, 6, 15), QTime(12, 0), QTimeZone::utc()); }
};

Domain::SupportSchedule berlin()
{
    Domain::SupportSchedule s;
    s.timeZone = u"Europe/Berlin"_s;
    for (int day = 1; day <= 5; ++day)
        s.weeklyHours << Domain::WorkingHours { 0, 0, day, 540, 1020, {} };
    for (int year = 2025; year <= 2027; ++year) {
        for (const auto &[month, day] : { std::pair { 1, 1 }, { 5, 1 }, { 10, 3 }, { 12, 24 }, { 12, 25 }, { 12, 26 },
                 { 12, 31 }, { 4, 3 }, { 4, 6 }, { 5, 14 } })
            s.holidays << Domain::ScheduleHoliday { 0, 0, QDate(year, month, day), u"Holiday"_s, {} };
    }
    return s;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({ u"tickets"_s, u"Open tickets for the monitor run."_s, u"n"_s, u"20000"_s });
    parser.addOption({ u"calls"_s, u"Calendar calls per measurement."_s, u"n"_s, u"200000"_s });
    parser.process(app);
    const int tickets = parser.value(u"tickets"_s).toInt();
    const int calls = parser.value(u"calls"_s).toInt();

    auto calendar = Core::BusinessCalendar::fromSchedule(berlin());
    if (!calendar) {
        std::fprintf(stderr, "%s\n", qPrintable(calendar.error().toString()));
        return 1;
    }
    QRandomGenerator random(4711);
    const QDateTime origin(QDate(2026, 1, 1), QTime(0, 0), QTimeZone::utc());
    QList<QDateTime> starts;
    for (int i = 0; i < calls; ++i)
        starts << origin.addSecs(qint64(random.bounded(365 * 24 * 3600)));

    QElapsedTimer timer;
    qint64 sink = 0;
    timer.start();
    for (const QDateTime &start : std::as_const(starts))
        sink += calendar->addWorkingMinutes(start, 4320).toSecsSinceEpoch();
    double seconds = double(timer.nsecsElapsed()) / 1e9;
    std::printf("BENCH sla_add_working_minutes_per_second %.0f calls/s\n", calls / seconds);

    timer.restart();
    for (const QDateTime &start : std::as_const(starts))
        sink += calendar->workingMsecsBetween(start, start.addSecs(qint64(random.bounded(60 * 24 * 3600))));
    seconds = double(timer.nsecsElapsed()) / 1e9;
    std::printf("BENCH sla_working_minutes_between_per_second %.0f calls/s\n", calls / seconds);

    timer.restart();
    sink += calendar->addWorkingMinutes(origin, 10LL * 52 * 2400).toSecsSinceEpoch();
    std::printf("BENCH sla_ten_year_target_microseconds %.1f us\n", double(timer.nsecsElapsed()) / 1e3);

    // The monitor over stored tickets.
    QTemporaryDir dir;
    auto opened = Storage::Database::open(u"sqlite:"_s + dir.filePath(u"sla.db"_s));
    if (!opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.error().toString()));
        return 1;
    }
    Storage::Database &db = **opened;
    FixedClock clock;
    Core::SupportService support(db, clock);
    Domain::Customer customer;
    customer.id = u"acme"_s;
    customer.name = u"Acme"_s;
    if (!support.ensureDefaultSlaPolicies() || !Storage::CustomerRepository(db).create(customer)
        || !support.updateSupportSchedule(berlin())) {
        std::fprintf(stderr, "setup failed\n");
        return 1;
    }
    auto policies = support.slaPolicies();
    if (!policies)
        return 1;
    for (Domain::SlaPolicy policy : std::as_const(*policies)) {
        policy.businessHoursOnly = true;
        if (!support.updateSlaPolicy(policy))
            return 1;
    }
    {
        Storage::Transaction tx(db);
        Storage::SupportTicketRepository repo(db);
        const QDateTime now = clock.now();
        for (int i = 0; i < tickets; ++i) {
            Domain::SupportTicket t;
            t.customerId = customer.id;
            t.subject = u"Ticket %1"_s.arg(i);
            t.priority = Domain::TicketPriority(i % 5);
            t.status = i % 4 == 0 ? Domain::TicketStatus::Pending : Domain::TicketStatus::Open;
            t.openedAt = now.addSecs(-qint64(random.bounded(30 * 24 * 3600)));
            auto created = repo.create(t);
            if (!created)
                return 1;
            if (t.status == Domain::TicketStatus::Pending) {
                Domain::SlaPause pause;
                pause.ticketId = created->id;
                pause.status = t.status;
                pause.startedAt = t.openedAt.addSecs((now.toSecsSinceEpoch() - t.openedAt.toSecsSinceEpoch()) / 2);
                if (!Storage::SlaPauseRepository(db).create(pause))
                    return 1;
            }
        }
        if (!tx.commit())
            return 1;
    }
    timer.restart();
    auto restamped = support.restampOpenTickets();
    seconds = double(timer.nsecsElapsed()) / 1e9;
    if (!restamped)
        return 1;
    std::printf("BENCH sla_restamp_seconds %.3f s\n", seconds);
    timer.restart();
    auto report = support.slaBreaches(50, true);
    seconds = double(timer.nsecsElapsed()) / 1e9;
    if (!report)
        return 1;
    std::printf("BENCH sla_breaches_seconds %.3f s\n", seconds);
    std::printf("(%d tickets restamped; %d open, %d resolution breaches, %d at risk; checksum %lld)\n", *restamped,
        report->openTickets, report->resolutionBreached, report->atRisk, sink);
    return 0;
}
