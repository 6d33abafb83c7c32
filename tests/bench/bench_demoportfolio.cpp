// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Demo portfolio generation into a fresh SQLite file (DESIGN.md §7 sizes: 100,000 customers, 10 M usage events).
//     bench_demoportfolio [customers [usage-events]]
// Prints `BENCH <name> <value> <unit>` lines; `#` lines are per-stage timings for whoever reads the log.
#include <cstdio>

#include <sys/resource.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

#include "database.h"
#include "demoportfolio.h"

using namespace Qt::StringLiterals;

namespace {
double cpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double peakRssMb()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0; // kilobytes on Linux
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    Core::DemoPortfolio::Options options;
    options.customers = args.size() > 1 ? args.at(1).toInt() : 100'000;
    options.usageEvents = args.size() > 2 ? args.at(2).toLongLong() : 10'000'000;
    options.today = QDate(2026, 6, 30); // fixed, so every run builds the same portfolio
    if (options.customers < 1 || options.usageEvents < 0) {
        std::fprintf(stderr, "usage: bench_demoportfolio [customers [usage-events]]\n");
        return 2;
    }

    QTemporaryDir dir;
    const QString path = dir.filePath(u"bench.db"_s);
    auto opened = Storage::Database::open(u"sqlite:"_s + path);
    if (!opened) {
        std::fprintf(stderr, "cannot open %s: %s\n", qPrintable(path), qPrintable(opened.error().toString()));
        return 1;
    }
    std::unique_ptr<Storage::Database> db = std::move(opened.value());

    // Stage durations come from the progress callback: a stage ends when the next one reports.
    QElapsedTimer clock;
    clock.start();
    QString stage;
    qint64 stageStarted = 0;
    double stageCpu = 0;
    qint64 usageMs = 0;
    const auto endStage = [&] {
        if (stage.isEmpty())
            return;
        const qint64 ms = clock.elapsed() - stageStarted;
        if (stage == u"usage events"_s)
            usageMs = ms;
        const double cpu = cpuSeconds();
        std::printf("# stage %-24s %8.2f s wall %8.2f s cpu\n", qPrintable(stage), double(ms) / 1000.0, cpu - stageCpu);
        std::fflush(stdout);
    };
    Core::DemoPortfolio generator(*db, options);
    auto result = generator.generate([&](const QString &name, qint64 done, qint64 total) {
        if (name != stage) {
            endStage();
            stage = name;
            stageStarted = clock.elapsed();
            stageCpu = cpuSeconds();
        }
        std::fprintf(stderr, "\r\033[K%s: %lld/%lld", qPrintable(name), static_cast<long long>(done),
            static_cast<long long>(total));
    });
    endStage();
    std::fputc('\n', stderr);
    const double seconds = double(clock.elapsed()) / 1000.0;
    if (!result) {
        std::fprintf(stderr, "generation failed: %s\n", qPrintable(result.error().toString()));
        return 1;
    }
    db.reset(); // closes the connection: the WAL is checkpointed into the file we measure
    const double sizeMb = double(QFileInfo(path).size() + QFileInfo(path + u"-wal"_s).size()) / (1024.0 * 1024.0);

    // On a shared machine wall time depends on the neighbours; CPU time is the generator's own cost.
    std::printf("# %s\n# cpu %.1f s\n", qPrintable(result->summary()), cpuSeconds());
    std::printf("BENCH demo_generate_seconds %.2f s\n", seconds);
    std::printf("BENCH demo_usage_events_rows_per_second %.0f rows/s\n",
        usageMs > 0 ? double(result->usageEvents) * 1000.0 / double(usageMs) : 0.0);
    std::printf(
        "BENCH demo_total_rows_per_second %.0f rows/s\n", seconds > 0 ? double(result->totalRows) / seconds : 0.0);
    std::printf("BENCH demo_db_size_mb %.1f MB\n", sizeMb);
    std::printf("BENCH demo_peak_rss_mb %.1f MB\n", peakRssMb());
    return 0;
}
