// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
//
// Full health recompute of a portfolio (DESIGN.md §7: 100,000 customers with 10 M usage events ≤ 3 s on
// SQLite).
//
//     bench_health [--customers N] [--events M] [--db FILE] [--runs K] [--day YYYY-MM-DD | --next-day]
//                  [--parallel-reads]
//
// Without --db the portfolio is generated (Core::DemoPortfolio, fixed seed and day) into a temporary SQLite
// file. With --db FILE an existing portfolio is reused (generated there first if the file has no customers),
// so the full size need not be regenerated for every run; the scored day is then the last day with usage.
// Prints `BENCH health_recompute_seconds <s> s` and `BENCH health_recompute_customers_per_second <n>
// customers/s` for the first run (no scores stored for the day yet), and the same for the rerun (upsert over
// the day's rows) when --runs is above 1.
//
// Which day is scored, and what the first run starts from:
//   - default: the last day with usage (a generated portfolio: its "today"); the day's scores and every
//     score_change event are removed first, so on a never-scored portfolio the first run is the first-ever
//     scoring (every customer's first score, one timeline event each);
//   - --day D: day D, the same clean-up;
//   - --next-day: the daily run the app makes: the day after the latest stored score day (yesterday's scores
//     exist, today's rows are new, events only for customers whose score moved); only that day's rows and
//     events are removed first, earlier days are kept.
#include <cstdio>
#include <ctime>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QTemporaryDir>

#include "clock.h"
#include "database.h"
#include "demoportfolio.h"
#include "healthservice.h"
#include "sql.h"

using namespace Qt::StringLiterals;

namespace {

class FixedClock final : public Core::Clock
{
public:
    explicit FixedClock(QDateTime now)
        : m_now(std::move(now))
    { }
    QDateTime now() const override { return m_now; }

private:
    QDateTime m_now;
};

qint64 scalar(const Storage::Database &db, const QString &sql)
{
    auto q = Storage::exec(db, sql);
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Times a full health recompute (DESIGN.md §7)."_s);
    parser.addHelpOption();
    const QCommandLineOption customersOption(
        u"customers"_s, u"Customers to generate (default 100000)."_s, u"N"_s, u"100000"_s);
    const QCommandLineOption eventsOption(
        u"events"_s, u"Usage events to generate (default 10000000)."_s, u"M"_s, u"10000000"_s);
    const QCommandLineOption dbOption(
        u"db"_s, u"SQLite file to reuse (generated there if it has no customers)."_s, u"file"_s);
    const QCommandLineOption runsOption(u"runs"_s, u"Recomputes of the same day (default 2)."_s, u"K"_s, u"2"_s);
    const QCommandLineOption dayOption(u"day"_s, u"Day to score (default: the last day with usage)."_s, u"date"_s);
    const QCommandLineOption nextDayOption(
        u"next-day"_s, u"Score the day after the latest stored score day, keeping the earlier days (the daily run)."_s);
    const QCommandLineOption parallelOption(
        u"parallel-reads"_s, u"Read the inputs on two connections (RecomputeControl::parallelReads)."_s);
    parser.addOptions(
        { customersOption, eventsOption, dbOption, runsOption, dayOption, nextDayOption, parallelOption });
    parser.process(app);
    // The per-stage read times of the parallel reading (cs.core.health debug lines), next to the stage lines below.
    QLoggingCategory::setFilterRules(u"cs.core.health.debug=true"_s);
    if (parser.isSet(dayOption) && parser.isSet(nextDayOption)) {
        std::fprintf(stderr, "bench_health: --day and --next-day exclude each other\n");
        return 1;
    }

    QTemporaryDir dir;
    const QString path = parser.isSet(dbOption) ? parser.value(dbOption) : dir.filePath(u"bench_health.db"_s);
    auto opened = Storage::Database::open(u"sqlite:"_s + path);
    if (!opened) {
        std::fprintf(stderr, "bench_health: %s\n", qPrintable(opened.error().toString()));
        return 1;
    }
    Storage::Database &db = **opened;

    // The portfolio's "today" for a generated portfolio; a reused one is scored on its last day with usage.
    QDate today(2026, 6, 15);
    if (scalar(db, u"SELECT COUNT(*) FROM customers"_s) <= 0) {
        Core::DemoPortfolio::Options options;
        options.customers = parser.value(customersOption).toInt();
        options.usageEvents = parser.value(eventsOption).toLongLong();
        options.today = today;
        Core::DemoPortfolio demo(db, options);
        std::fprintf(stderr, "bench_health: generating %d customers, %lld usage events into %s\n", options.customers,
            static_cast<long long>(options.usageEvents), qPrintable(path));
        auto stats = demo.generate();
        if (!stats) {
            std::fprintf(stderr, "bench_health: %s\n", qPrintable(stats.error().toString()));
            return 1;
        }
        std::fprintf(stderr, "bench_health: %s\n", qPrintable(stats->summary()));
    } else {
        auto q = Storage::exec(db, u"SELECT MAX(day) FROM usage_daily"_s);
        if (q && q->next() && !q->value(0).isNull())
            today = QDate::fromString(q->value(0).toString().left(10), Qt::ISODate);
    }
    const bool nextDay = parser.isSet(nextDayOption);
    if (parser.isSet(dayOption)) {
        today = QDate::fromString(parser.value(dayOption), Qt::ISODate);
        if (!today.isValid()) {
            std::fprintf(stderr, "bench_health: --day wants YYYY-MM-DD\n");
            return 1;
        }
    } else if (nextDay) {
        auto q = Storage::exec(db, u"SELECT MAX(score_date) FROM health_scores"_s);
        if (!q || !q->next() || q->value(0).isNull()) {
            std::fprintf(stderr, "bench_health: --next-day needs a portfolio with stored scores\n");
            return 1;
        }
        today = QDate::fromString(q->value(0).toString().left(10), Qt::ISODate).addDays(1);
    }
    const qint64 customers = scalar(db, u"SELECT COUNT(*) FROM customers"_s);
    const qint64 events = scalar(db, u"SELECT COUNT(*) FROM usage_events"_s);
    std::fprintf(stderr, "bench_health: %lld customers, %lld usage events, scoring %s\n",
        static_cast<long long>(customers), static_cast<long long>(events), qPrintable(today.toString(Qt::ISODate)));

    FixedClock clock(QDateTime(today, QTime(23, 0), QTimeZone::utc()));
    Core::HealthService health(db, clock);
    // Created outside the timed runs: a fresh database has no config until first use.
    if (auto config = health.activeConfig(); !config) {
        std::fprintf(stderr, "bench_health: %s\n", qPrintable(config.error().toString()));
        return 1;
    }

    // A reused portfolio may hold the day's scores from an earlier run: the first run starts from none (and, unless
    // this is the daily run, from no score_change event at all).
    const QString dayText = today.toString(Qt::ISODate);
    const QList<std::pair<QString, QVariantList>> cleanUp = nextDay
        ? QList<std::pair<QString, QVariantList>> { { u"DELETE FROM health_scores WHERE score_date = ?"_s,
                                                        { dayText } },
              { u"DELETE FROM timeline_events WHERE kind = 'score_change' AND source_table = 'health_scores' "
                "AND source_id >= ? AND source_id < ?"_s,
                  { QString(dayText + u'/'), QString(dayText + u'0') } } }
        : QList<std::pair<QString, QVariantList>> { { u"DELETE FROM health_scores WHERE score_date = ?"_s,
                                                        { dayText } },
              { u"DELETE FROM timeline_events WHERE kind = 'score_change' AND source_table = 'health_scores'"_s, {} } };
    for (const auto &[sql, bindings] : cleanUp) {
        if (auto ok = Storage::exec(db, sql, bindings); !ok) {
            std::fprintf(stderr, "bench_health: %s\n", qPrintable(ok.error().toString()));
            return 1;
        }
    }

    const int runs = std::max(1, parser.value(runsOption).toInt());
    for (int run = 0; run < runs; ++run) {
        QElapsedTimer timer;
        timer.start();
        // Where the time goes: wall and CPU seconds per stage, on stderr (on a busy machine the CPU time is the
        // steadier figure).
        const std::clock_t cpuStart = std::clock();
        QString stage;
        qint64 stageStart = 0;
        std::clock_t stageCpu = cpuStart;
        const auto printStage = [&] {
            std::fprintf(stderr, "bench_health:   %-36s %7.3f s wall %7.3f s cpu\n", qPrintable(stage),
                (timer.nsecsElapsed() - stageStart) / 1e9, double(std::clock() - stageCpu) / CLOCKS_PER_SEC);
        };
        Core::RecomputeControl control;
        control.parallelReads = parser.isSet(parallelOption);
        control.progress = [&](const QString &next, qint64, qint64) {
            if (next == stage)
                return;
            if (!stage.isEmpty())
                printStage();
            stage = next;
            stageStart = timer.nsecsElapsed();
            stageCpu = std::clock();
        };
        auto summary = health.recomputeAll(today, control);
        if (!stage.isEmpty())
            printStage();
        const double cpuSeconds = double(std::clock() - cpuStart) / CLOCKS_PER_SEC;
        const double seconds = timer.nsecsElapsed() / 1e9;
        if (!summary) {
            std::fprintf(stderr, "bench_health: %s\n", qPrintable(summary.error().toString()));
            return 1;
        }
        const QString suffix = run == 0 ? QString() : u"_rerun"_s;
        std::printf("BENCH health_recompute%s_seconds %.3f s\n", qPrintable(suffix), seconds);
        std::printf("BENCH health_recompute%s_customers_per_second %.0f customers/s\n", qPrintable(suffix),
            double(summary->customers) / seconds);
        std::printf("BENCH health_recompute%s_cpu_seconds %.3f s\n", qPrintable(suffix), cpuSeconds);
        std::fprintf(stderr,
            "bench_health: run %d: %lld live customers, %lld scored (%lld green, %lld yellow, %lld red), %lld "
            "without data, %lld timeline events\n",
            run + 1, static_cast<long long>(summary->customers), static_cast<long long>(summary->scored),
            static_cast<long long>(summary->green), static_cast<long long>(summary->yellow),
            static_cast<long long>(summary->red), static_cast<long long>(summary->unscored),
            static_cast<long long>(summary->timelineEvents));
    }
    return 0;
}
