// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "application.h"

#include <cstdio>

#include <unistd.h>

#include <QElapsedTimer>

#include "customerservice.h"
#include "database.h"
#include "demoportfolio.h"
#include "mainwindow.h"

using namespace Qt::StringLiterals;

Application::Application(CommandLine commandLine, QObject *parent)
    : QObject(parent)
    , m_commandLine(std::move(commandLine))
{
}

Application::~Application()
{
    // Views go before the services they observe, services before the database they use.
    m_window.reset();
    m_customers.reset();
    m_database.reset();
}

int Application::start()
{
    const QString url = m_commandLine.databaseUrl.isEmpty() ? Storage::DatabaseUrl::defaultUrl()
                                                            : m_commandLine.databaseUrl;
    auto opened = Storage::Database::open(url);
    if (!opened) {
        std::fprintf(stderr, "csdesk: %s\n", qPrintable(opened.error().toString()));
        return 1;
    }
    m_database = std::move(opened.value());
    m_customers = std::make_unique<Core::CustomerService>(*m_database);

    switch (m_commandLine.mode) {
    case CommandLine::Mode::GenerateDemo:
        return generateDemo();
    case CommandLine::Mode::Window:
        return openWindow();
    }
    return 1;
}

int Application::generateDemo()
{
    Core::DemoPortfolio::Options options;
    options.customers = m_commandLine.demoCustomers;
    options.seed = m_commandLine.demoSeed;
    options.usageEvents = m_commandLine.demoUsageEvents;
    options.replaceExisting = m_commandLine.demoReplace;
    Core::DemoPortfolio generator(*m_database, options);
    // One progress line, rewritten in place on a terminal (and plain lines when piped to a log).
    const bool tty = isatty(fileno(stderr));
    auto result = generator.generate([tty](const QString &stage, qint64 done, qint64 total) {
        std::fprintf(stderr, tty ? "\r\033[K%s: %lld/%lld" : "%s: %lld/%lld\n", qPrintable(stage),
                     static_cast<long long>(done), static_cast<long long>(total));
    });
    if (tty)
        std::fputc('\n', stderr);
    if (!result) {
        std::fprintf(stderr, "csdesk: demo portfolio not generated: %s\n", qPrintable(result.error().toString()));
        return 1;
    }
    std::printf("%s\n", qPrintable(result->summary()));
    return 0;
}

int Application::openWindow()
{
    m_window = std::make_unique<Ui::MainWindow>(*m_customers, m_database->url().toDisplayString());
    m_window->show();
    return -1;
}
