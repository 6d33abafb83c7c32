// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "application.h"

#include <cstdio>
#include <iostream>
#include <string>

#include <termios.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QTimer>

#include "customerservice.h"
#include "database.h"
#include "demoportfolio.h"
#include "keychainsecretstore.h"
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

void Application::finish(int exitCode)
{
    // Queued: the loop may not be running yet when a job fails early.
    QTimer::singleShot(0, QCoreApplication::instance(), [exitCode] { QCoreApplication::exit(exitCode); });
}

Core::SecretStore &Application::secrets()
{
    if (!m_secrets) {
        auto store = std::make_unique<Keychain::KeychainSecretStore>();
        m_secrets = store.get();
        m_secretStoreObject = std::move(store);
    }
    return *m_secrets;
}

QString Application::databasePasswordKey(const Storage::DatabaseUrl &url)
{
    return Core::SecretStore::key(u"database"_s,
                                  u"%1@%2:%3/%4"_s.arg(url.user, url.host).arg(url.port).arg(url.databaseName),
                                  u"password"_s);
}

void Application::start()
{
    m_url = m_commandLine.databaseUrl.isEmpty() ? Storage::DatabaseUrl::defaultUrl() : m_commandLine.databaseUrl;
    auto url = Storage::DatabaseUrl::parse(m_url);
    if (!url) {
        std::fprintf(stderr, "csdesk: %s\n", qPrintable(url.error().toString()));
        return finish(2);
    }
    if (m_commandLine.mode == CommandLine::Mode::StoreDatabasePassword)
        return storeDatabasePassword();
    if (url->dialect == Storage::Dialect::PostgreSql && url->passwordInUrl.isEmpty()) {
        // DESIGN.md §3: the PostgreSQL password comes from the SecretStore. No stored password is fine too
        // (trust or peer authentication); the server then says whether it wants one.
        secrets().readSecret(databasePasswordKey(*url), [this](Core::Result<QString> password) {
            openDatabase(password ? *password : QString());
        });
        return;
    }
    QTimer::singleShot(0, this, [this] { openDatabase({}); });
}

void Application::openDatabase(const QString &password)
{
    auto opened = Storage::Database::open(m_url, password);
    if (!opened) {
        std::fprintf(stderr, "csdesk: %s\n", qPrintable(opened.error().toString()));
        if (opened.error().message.contains(u"password"_s))
            std::fprintf(stderr, "csdesk: store the password with: csdesk --db %s --store-db-password\n",
                         qPrintable(m_url));
        return finish(1);
    }
    m_database = std::move(opened.value());
    m_customers = std::make_unique<Core::CustomerService>(*m_database);

    switch (m_commandLine.mode) {
    case CommandLine::Mode::GenerateDemo:
        return generateDemo();
    case CommandLine::Mode::Window:
        return openWindow();
    case CommandLine::Mode::StoreDatabasePassword:
        break;
    }
}

void Application::storeDatabasePassword()
{
    auto url = Storage::DatabaseUrl::parse(m_url);
    const bool tty = isatty(STDIN_FILENO);
    termios saved {};
    if (tty) {
        std::fprintf(stderr, "Password for %s: ", qPrintable(url->toDisplayString()));
        tcgetattr(STDIN_FILENO, &saved);
        termios silent = saved;
        silent.c_lflag &= ~tcflag_t(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &silent);
    }
    std::string line;
    std::getline(std::cin, line);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::fputc('\n', stderr);
    }
    const QString password = QString::fromStdString(line);
    if (password.isEmpty()) {
        std::fprintf(stderr, "csdesk: no password given; nothing stored\n");
        return finish(2);
    }
    secrets().writeSecret(databasePasswordKey(*url), password, [this](Core::Status stored) {
        if (!stored) {
            std::fprintf(stderr, "csdesk: the keyring refused the password: %s\n",
                         qPrintable(stored.error().toString()));
            return finish(1);
        }
        if (!m_secrets->isPersistent()) {
            std::fprintf(stderr, "csdesk: no desktop keyring is available, so the password cannot be kept\n");
            return finish(1);
        }
        std::fprintf(stderr, "csdesk: password stored in the desktop keyring\n");
        finish(0);
    });
}

void Application::generateDemo()
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
        return finish(1);
    }
    std::printf("%s\n", qPrintable(result->summary()));
    std::fflush(stdout);
    finish(0);
}

void Application::openWindow()
{
    m_window = std::make_unique<Ui::MainWindow>(*m_customers, m_database->url().toDisplayString());
    m_window->show();
}
