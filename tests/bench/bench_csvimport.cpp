// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// CSV import into a fresh SQLite file (DESIGN.md §7: ≥ 200,000 rows/s), measured end to end: parsing, validation,
// custom-field typing and the inserts, in one transaction, as the desktop and import_records run it.
//     bench_csvimport [customers [usage-events]]
// Prints `BENCH <name> <value> <unit>` lines; `#` lines are details for whoever reads the log.
#include <cstdio>

#include <sys/resource.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimeZone>

#include "csvimporter.h"
#include "csvreader.h"
#include "database.h"

using namespace Qt::StringLiterals;

namespace {

class FixedClock final : public Core::Clock
{
public:
    QDateTime now() const override { return QDateTime(QDate(2026, 6, 30), QTime(12, 0), QTimeZone::utc()); }
};

// On a shared machine wall time depends on the neighbours; CPU time is the importer's own cost.
double cpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

QByteArray customersCsv(int n)
{
    static const char *const tiers[] = { "strategic", "enterprise", "mid_market", "smb" };
    static const char *const plans[] = { "basic", "pro", "enterprise" };
    QByteArray csv = "id,name,company,domain,industry,tier,arr,status,lifecycle_stage,owner,contract_start,"
                     "renewal_date,plan,seats,nps_last\n";
    csv.reserve(qsizetype(n) * 140);
    for (int i = 0; i < n; ++i) {
        const QByteArray id = "cust-" + QByteArray::number(i);
        csv += id + ",\"Customer " + QByteArray::number(i) + ", Inc\",Company " + QByteArray::number(i % 977) + ",c"
            + QByteArray::number(i) + ".example.com,Software," + tiers[i % 4] + ","
            + QByteArray::number(1000 + (i * 37) % 250000) + ".5,active,adoption,csm" + QByteArray::number(i % 25)
            + ",2025-0" + QByteArray::number(1 + i % 9) + "-15,2026-1" + QByteArray::number(i % 3) + "-01,"
            + plans[i % 3] + "," + QByteArray::number(5 + i % 400) + "," + QByteArray::number(i % 11) + "\n";
    }
    return csv;
}

QByteArray usageCsv(qint64 n, int customers)
{
    static const char *const features[] = { "dashboard", "reports", "export", "api", "alerts" };
    QByteArray csv = "customer_id,occurred_at,event_type,feature,user_ref,quantity\n";
    csv.reserve(n * 80);
    for (qint64 i = 0; i < n; ++i) {
        const int day = 1 + int(i % 28);
        csv += "cust-" + QByteArray::number(i % customers) + ",2026-05-"
            + QByteArray::number(day).rightJustified(2, '0') + "T" + QByteArray::number(i % 24).rightJustified(2, '0')
            + ":15:00Z,feature_used," + features[i % 5] + ",u" + QByteArray::number(i % 50) + ",1\n";
    }
    return csv;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int customers = args.size() > 1 ? args.at(1).toInt() : 100'000;
    const qint64 events = args.size() > 2 ? args.at(2).toLongLong() : 1'000'000;
    if (customers < 1 || events < 0) {
        std::fprintf(stderr, "usage: bench_csvimport [customers [usage-events]]\n");
        return 2;
    }
    QTemporaryDir dir;
    auto opened = Storage::Database::open(u"sqlite:"_s + dir.filePath(u"bench.db"_s));
    if (!opened) {
        std::fprintf(stderr, "cannot open the database: %s\n", qPrintable(opened.error().toString()));
        return 1;
    }
    std::unique_ptr<Storage::Database> db = std::move(opened.value());
    FixedClock clock;
    Core::CsvImporter importer(*db, clock);

    const QByteArray customerFile = customersCsv(customers);
    const QByteArray usageFile = usageCsv(events, customers);

    // The reader alone, for scale.
    {
        QElapsedTimer t;
        t.start();
        Core::CsvReader reader(usageFile);
        Core::CsvRow row;
        qint64 rows = 0;
        while (reader.next(row))
            ++rows;
        const double s = double(t.nsecsElapsed()) / 1e9;
        std::printf("BENCH csv_parse_rows_per_second %.0f rows/s\n", s > 0 ? double(rows) / s : 0.0);
        std::printf("BENCH csv_parse_mb_per_second %.1f MB/s\n", s > 0 ? double(usageFile.size()) / 1e6 / s : 0.0);
    }

    qint64 totalRows = 0;
    double totalSeconds = 0;
    double totalCpu = 0;
    const auto run = [&](const char *name, const QByteArray &csv, Core::ImportKind kind) {
        Core::ImportOptions options;
        options.kind = kind;
        QElapsedTimer t;
        t.start();
        const double cpuBefore = cpuSeconds();
        auto report = importer.importCsv(csv, options);
        const double s = double(t.nsecsElapsed()) / 1e9;
        const double cpu = cpuSeconds() - cpuBefore;
        if (!report || !report->committed) {
            std::fprintf(stderr, "%s import failed: %s\n", name,
                report ? qPrintable(report->errors.value(0).toString()) : qPrintable(report.error().toString()));
            return false;
        }
        std::printf("# %s: %lld rows, %.1f MB, %.2f s (usage_daily rows rebuilt: %lld)\n", name,
            static_cast<long long>(report->inserted), double(csv.size()) / 1e6, s,
            static_cast<long long>(report->dailyUsageRowsRebuilt));
        std::printf(
            "BENCH csv_import_%s_rows_per_second %.0f rows/s\n", name, s > 0 ? double(report->inserted) / s : 0.0);
        std::printf("BENCH csv_import_%s_rows_per_cpu_second %.0f rows/s\n", name,
            cpu > 0 ? double(report->inserted) / cpu : 0.0);
        if (report->dailyUsageRowsRebuilt > 0) {
            // The same import without its usage_daily refresh (wall time), to show where the time goes.
            const double rest = s - report->dailyUsageSeconds;
            std::printf("# %s: usage_daily refresh %.2f s\n", name, report->dailyUsageSeconds);
            std::printf("BENCH csv_import_%s_without_daily_rows_per_second %.0f rows/s\n", name,
                rest > 0 ? double(report->inserted) / rest : 0.0);
        }
        totalRows += report->inserted;
        totalSeconds += s;
        totalCpu += cpu;
        return true;
    };
    if (!run("customers", customerFile, Core::ImportKind::Customers))
        return 1;
    if (events > 0 && !run("usage_events", usageFile, Core::ImportKind::UsageEvents))
        return 1;
    std::printf(
        "BENCH csv_import_rows_per_second %.0f rows/s\n", totalSeconds > 0 ? double(totalRows) / totalSeconds : 0.0);
    std::printf(
        "BENCH csv_import_rows_per_cpu_second %.0f rows/s\n", totalCpu > 0 ? double(totalRows) / totalCpu : 0.0);
    return 0;
}
