// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Opening the app on a large portfolio (DESIGN.md §7): time until the main window shows its first page, sort and
// filter times, and the resident memory afterwards. Uses the real MainWindow on the offscreen platform.
//     bench_portfolioview --db sqlite:/path/portfolio.db        (an existing portfolio, e.g. a demo of 100,000)
//     bench_portfolioview --customers 2000                       (generates a small one in a temporary folder)
#include <cstdio>

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

void bench(const char *name, double value, const char *unit)
{
    std::printf("BENCH %s %.3f %s\n", name, value, unit);
    std::fflush(stdout);
}
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
    auto *model = window.portfolioModel();
    std::printf(
        "portfolio: %lld customers, %d rows loaded\n", static_cast<long long>(model->totalCount()), model->rowCount());
    bench("portfolio_open_ms", openMs, "ms");

    const auto timed = [&](const char *name, auto &&action) {
        QElapsedTimer t;
        t.start();
        action();
        QCoreApplication::processEvents();
        bench(name, double(t.nsecsElapsed()) / 1e6, "ms");
    };
    timed("portfolio_sort_arr_desc_ms",
        [&] { window.portfolioView()->sortByColumn(Ui::PortfolioModel::Arr, Qt::DescendingOrder); });
    timed("portfolio_sort_name_ms",
        [&] { window.portfolioView()->sortByColumn(Ui::PortfolioModel::Name, Qt::AscendingOrder); });
    timed("portfolio_sort_renewal_ms",
        [&] { window.portfolioView()->sortByColumn(Ui::PortfolioModel::RenewalDate, Qt::AscendingOrder); });
    timed("portfolio_filter_ms", [&] { model->setNameFilter(u"logistics"_s); });
    std::printf("filter matched %lld customers\n", static_cast<long long>(model->totalCount()));
    timed("portfolio_filter_clear_ms", [&] { model->setNameFilter(QString()); });
    timed("portfolio_scroll_next_page_ms", [&] {
        window.portfolioView()->scrollToBottom();
        QCoreApplication::processEvents();
    });
    bench("portfolio_rss_mb", residentMegabytes(), "MB");
    bench("portfolio_rss_growth_mb", residentMegabytes() - rssBefore, "MB");
    return model->totalCount() > 0 ? 0 : 1;
}
