// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Opening the app on a large portfolio (DESIGN.md §7): time until the main window shows its first page, sort and
// filter times, scrolling to the end, and the resident memory afterwards. Uses the real MainWindow on the offscreen
// platform. Every step prints its wall time (`<name>_ms`) and the CPU time of the process (`<name>_cpu_ms`): the
// machine is shared, so the CPU figure is the one to compare between runs.
//     bench_portfolioview --db sqlite:/path/portfolio.db        (an existing portfolio, e.g. a demo of 100,000)
//     bench_portfolioview --customers 2000                       (generates a small one in a temporary folder)
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iterator>

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "customerservice.h"
#include "database.h"
#include "demoportfolio.h"
#include "mainwindow.h"
#include "portfoliomodel.h"

using namespace Qt::StringLiterals;

namespace {
double residentMegabytes()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return -1;
}

void bench(const QByteArray &name, double value, const char *unit)
{
    std::printf("BENCH %s %.3f %s\n", name.constData(), value, unit);
    std::fflush(stdout);
}

double cpuMilliseconds()
{
    timespec ts {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// Column names as the BENCH lines spell them, in PortfolioModel::Column order.
const char *const kColumnNames[] = { "name", "tier", "status", "stage", "owner", "arr", "renewal", "industry" };
static_assert(std::size(kColumnNames) == Ui::PortfolioModel::ColumnCount);
} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption dbOption(u"db"_s, u"An existing portfolio database URL."_s, u"url"_s);
    const QCommandLineOption customersOption(
        u"customers"_s, u"Generate a portfolio of N customers."_s, u"N"_s, u"2000"_s);
    parser.addOptions({ dbOption, customersOption });
    parser.process(app);

    QTemporaryDir dir;
    QString url = parser.value(dbOption);
    if (url.isEmpty()) {
        url = u"sqlite:"_s + dir.filePath(u"portfolio.db"_s);
        auto db = Storage::Database::open(url);
        if (!db) {
            std::fprintf(stderr, "%s\n", qPrintable(db.error().toString()));
            return 1;
        }
        Core::DemoPortfolio::Options options;
        options.customers = parser.value(customersOption).toInt();
        options.usageEvents = options.customers * 10;
        options.today = QDate(2026, 11, 24);
        if (auto generated = Core::DemoPortfolio(**db, options).generate(); !generated) {
            std::fprintf(stderr, "%s\n", qPrintable(generated.error().toString()));
            return 1;
        }
    }

    const double rssBefore = residentMegabytes();
    QElapsedTimer timer;
    timer.start();
    const double cpuStart = cpuMilliseconds();
    auto opened = Storage::Database::open(url);
    if (!opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.error().toString()));
        return 1;
    }
    Core::CustomerService customers(**opened);
    Ui::MainWindow window(customers, url);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return 1;
    QCoreApplication::processEvents();
    const double openMs = double(timer.nsecsElapsed()) / 1e6;
    const double openCpuMs = cpuMilliseconds() - cpuStart;
    auto *model = window.portfolioModel();
    auto *view = window.portfolioView();
    std::printf(
        "portfolio: %lld customers, %d rows loaded\n", static_cast<long long>(model->totalCount()), model->rowCount());
    bench("portfolio_open_ms", openMs, "ms");
    bench("portfolio_open_cpu_ms", openCpuMs, "ms");

    // One user action and the event-loop turn that shows its result.
    const auto timed = [&](const QByteArray &name, auto &&action) {
        QElapsedTimer t;
        t.start();
        const double cpu = cpuMilliseconds();
        action();
        QCoreApplication::processEvents();
        bench(name + "_ms", double(t.nsecsElapsed()) / 1e6, "ms");
        bench(name + "_cpu_ms", cpuMilliseconds() - cpu, "ms");
    };
    const auto sortBy
        = [&](int column, Qt::SortOrder order) { return [view, column, order] { view->sortByColumn(column, order); }; };

    // Every column in both directions (a header click); the last one leaves the list by name.
    for (int column = Ui::PortfolioModel::ColumnCount - 1; column >= 0; --column) {
        for (const Qt::SortOrder order : { Qt::DescendingOrder, Qt::AscendingOrder }) {
            timed(
                QByteArray("portfolio_sort_") + kColumnNames[column] + (order == Qt::AscendingOrder ? "_asc" : "_desc"),
                sortBy(column, order));
        }
    }
    // The first row's first word is a prefix a CSM would type; "logistics" is a word inside many names;
    // "zzqx" matches nothing, so the whole portfolio is searched.
    const QString prefix = model->index(0, Ui::PortfolioModel::Name).data().toString().section(u' ', 0, 0).toLower();
    timed("portfolio_filter_prefix", [&] { model->setNameFilter(prefix); });
    std::printf(
        "prefix '%s' matched %lld customers\n", qPrintable(prefix), static_cast<long long>(model->totalCount()));
    timed("portfolio_filter", [&] { model->setNameFilter(u"logistics"_s); });
    std::printf("filter matched %lld customers\n", static_cast<long long>(model->totalCount()));
    timed("portfolio_filter_nomatch", [&] { model->setNameFilter(u"zzqx"_s); });
    timed("portfolio_filter_clear", [&] { model->setNameFilter(QString()); });
    timed("portfolio_filter_tier", [&] { model->setTierFilter(Domain::Tier::Enterprise); });
    std::printf("tier matched %lld customers\n", static_cast<long long>(model->totalCount()));
    timed("portfolio_filter_tier_sort_arr_desc", sortBy(Ui::PortfolioModel::Arr, Qt::DescendingOrder));
    timed("portfolio_filter_tier_substring", [&] { model->setNameFilter(u"logistics"_s); });
    std::printf("tier + substring matched %lld customers\n", static_cast<long long>(model->totalCount()));
    timed("portfolio_filter_tier_clear", [&] {
        model->setNameFilter(QString());
        model->setTierFilter(std::nullopt);
    });
    timed("portfolio_sort_renewal_asc_again", sortBy(Ui::PortfolioModel::RenewalDate, Qt::AscendingOrder));

    timed("portfolio_scroll_next_page", [&] {
        view->scrollToBottom();
        QCoreApplication::processEvents();
    });
    // Dragging the scroll bar to the end again and again, in the opening order, until every row is there: the
    // slowest page, and the whole walk.
    timed("portfolio_sort_name_asc_again", sortBy(Ui::PortfolioModel::Name, Qt::AscendingOrder));
    double slowestPageMs = 0;
    double slowestPageCpuMs = 0;
    int pages = 0;
    QElapsedTimer all;
    all.start();
    const double allCpu = cpuMilliseconds();
    while (model->canFetchMore({}) && pages < 100000) {
        QElapsedTimer t;
        t.start();
        const double cpu = cpuMilliseconds();
        view->scrollToBottom();
        QCoreApplication::processEvents();
        slowestPageMs = std::max(slowestPageMs, double(t.nsecsElapsed()) / 1e6);
        slowestPageCpuMs = std::max(slowestPageCpuMs, cpuMilliseconds() - cpu);
        ++pages;
    }
    std::printf("scrolled to the end: %d rows in %d more pages\n", model->rowCount(), pages);
    bench("portfolio_scroll_page_max_ms", slowestPageMs, "ms");
    bench("portfolio_scroll_page_max_cpu_ms", slowestPageCpuMs, "ms");
    bench("portfolio_scroll_to_end_ms", double(all.nsecsElapsed()) / 1e6, "ms");
    bench("portfolio_scroll_to_end_cpu_ms", cpuMilliseconds() - allCpu, "ms");
    bench("portfolio_rss_mb", residentMegabytes(), "MB");
    bench("portfolio_rss_growth_mb", residentMegabytes() - rssBefore, "MB");
    return model->totalCount() > 0 && model->rowCount() == model->totalCount() ? 0 : 1;
}
