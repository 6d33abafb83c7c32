// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "application.h"

#include <cstdio>
#include <iostream>
#include <string>

#include <termios.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QMessageBox>
#include <QSettings>
#include <QTimer>

#include "accesstoken.h"
#include "clock.h"
#include "database.h"
#include "demoportfolio.h"
#include "desktopcomposition.h"
#include "keychainsecretstore.h"
#include "mainwindow.h"
#include "mcphost.h"
#include "services.h"
#include "settingsdialog.h"

using namespace Qt::StringLiterals;

Application::Application(CommandLine commandLine, QObject *parent)
    : QObject(parent)
    , m_commandLine(std::move(commandLine))
{ }

Application::~Application()
{
    // Views go before the services they observe, services before the database they use; the MCP thread is
    // joined before the database goes.
    m_mcp.reset();
    m_window = nullptr;
    m_desktop.reset(); // denies prompts still open (the server is gone; nobody waits for them), closes the window
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
    return Core::SecretStore::key(
        u"database"_s, u"%1@%2:%3/%4"_s.arg(url.user, url.host).arg(url.port).arg(url.databaseName), u"password"_s);
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
    if (m_commandLine.mode == CommandLine::Mode::PrintMcpToken)
        return printMcpToken();
    if (url->dialect == Storage::Dialect::PostgreSql && url->passwordInUrl.isEmpty()) {
        // DESIGN.md §3: the PostgreSQL password comes from the SecretStore. No stored password is fine too
        // (trust or peer authentication); the server then says whether it wants one.
        secrets().readSecret(databasePasswordKey(*url),
            [this](Core::Result<QString> password) { openDatabase(password ? *password : QString()); });
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
            std::fprintf(
                stderr, "csdesk: store the password with: csdesk --db %s --store-db-password\n", qPrintable(m_url));
        return finish(1);
    }
    m_database = std::move(opened.value());

    switch (m_commandLine.mode) {
    case CommandLine::Mode::GenerateDemo:
        return generateDemo();
    case CommandLine::Mode::Window: {
        // First-run defaults (templates, scoring config, SLA policies, monitors, playbooks) before the window reads.
        Core::SystemClock clock;
        Core::Services services(*m_database, clock);
        if (auto ok = services.ensureDefaults(); !ok) {
            std::fprintf(stderr, "csdesk: %s\n", qPrintable(ok.error().toString()));
            return finish(1);
        }
        openWindow();
        return startMcp();
    }
    case CommandLine::Mode::Headless:
    case CommandLine::Mode::McpStdio:
        return startMcp();
    case CommandLine::Mode::StoreDatabasePassword:
    case CommandLine::Mode::PrintMcpToken:
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
            std::fprintf(
                stderr, "csdesk: the keyring refused the password: %s\n", qPrintable(stored.error().toString()));
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
    if (!m_clock)
        m_clock = std::make_unique<Core::SystemClock>();
    m_desktop = std::make_unique<DesktopComposition>(*m_database, *m_clock);
    m_window = &m_desktop->window();
    connect(m_window, &Ui::MainWindow::settingsRequested, this, &Application::openSettings);
    setMcpStatus(tr("MCP: starting…"));
    m_window->show();
}

void Application::setMcpStatus(const QString &status, const QString &toolTip)
{
    m_mcpStatus = status;
    if (m_window)
        m_window->setMcpStatus(status, toolTip);
    if (m_settingsDialog)
        m_settingsDialog->mcpPage()->setServerStatus(status);
}

Ui::McpSettings Application::loadMcpSettings()
{
    QSettings settings;
    Ui::McpSettings mcp;
    mcp.port = int(settings.value(u"mcp/port"_s, CommandLine::kDefaultMcpPort).toUInt());
    QStringList known;
    for (const Mcp::McpHost::ToolsetInfo &info : Mcp::McpHost::toolsets()) {
        mcp.toolsets.append(Ui::ToolsetRow { info.name, info.tools, info.writeTools, info.toolNames });
        known.append(info.name);
    }
    // Names this version does not know (a setting from another version) are dropped, not fatal.
    for (const QString &name : settings.value(u"mcp/toolsets"_s).toStringList()) {
        if (known.contains(name))
            mcp.enabledToolsets.append(name);
    }
    for (const QString &name : settings.value(u"mcp/askFirst"_s).toStringList()) {
        if (known.contains(name))
            mcp.askFirstToolsets.insert(name);
    }
    return mcp;
}

void Application::saveMcpSettings(const Ui::McpSettings &mcp)
{
    QSettings settings;
    settings.setValue(u"mcp/port"_s, mcp.port);
    settings.setValue(u"mcp/toolsets"_s, mcp.enabledToolsets);
    QStringList askFirst(mcp.askFirstToolsets.cbegin(), mcp.askFirstToolsets.cend());
    askFirst.sort();
    settings.setValue(u"mcp/askFirst"_s, askFirst);
}

void Application::openSettings()
{
    if (m_settingsDialog) {
        m_settingsDialog->raise();
        m_settingsDialog->activateWindow();
        return;
    }
    m_settingsDialog = new Ui::SettingsDialog(loadMcpSettings(), m_window);
    m_settingsDialog->setAttribute(Qt::WA_DeleteOnClose);
    m_settingsDialog->mcpPage()->setToken(m_mcpToken);
    m_settingsDialog->mcpPage()->setServerStatus(m_mcpStatus);
    connect(m_settingsDialog, &Ui::SettingsDialog::mcpSettingsApplied, this, &Application::applyMcpSettings);
    connect(m_settingsDialog, &Ui::SettingsDialog::newMcpTokenRequested, this, &Application::makeNewMcpToken);
    m_settingsDialog->show();
}

void Application::applyMcpSettings(const Ui::McpSettings &settings)
{
    saveMcpSettings(settings);
    // Toolsets and "ask me first" apply at once; the port after a restart (the dialog says so).
    if (m_mcp) {
        m_mcp->setEnabledToolsets(
            m_commandLine.mcpToolsets.isEmpty() ? settings.enabledToolsets : m_commandLine.mcpToolsets);
        // --mcp-ask-first, like --mcp-toolsets, holds for the whole run: Apply must not loosen it to the saved set.
        m_mcp->setAskFirstToolsets(m_commandLine.mcpAskFirst.value_or(settings.askFirstToolsets));
    }
}

void Application::makeNewMcpToken()
{
    const QString token = Mcp::AccessToken::generate();
    secrets().writeSecret(Mcp::AccessToken::secretKey(), token, [this, token](Core::Status stored) {
        QWidget *parent = m_settingsDialog ? static_cast<QWidget *>(m_settingsDialog.data()) : m_window;
        if (!stored) {
            QMessageBox::warning(parent, tr("New MCP token"),
                tr("The keyring refused the new token (%1). The current token stays in use.")
                    .arg(stored.error().toString()));
            return;
        }
        m_mcpToken = token;
        if (m_mcp)
            m_mcp->setToken(token);
        if (m_settingsDialog)
            m_settingsDialog->mcpPage()->setToken(token);
        if (!m_secrets->isPersistent())
            QMessageBox::information(parent, tr("New MCP token"),
                tr("No desktop keyring is available, so the new token lasts only until CS Desk quits."));
        else if (qEnvironmentVariableIsSet(Mcp::AccessToken::kEnvironmentVariable))
            QMessageBox::information(parent, tr("New MCP token"),
                tr("%1 is set in the environment: the next start uses that token again, not this one.")
                    .arg(QString::fromLatin1(Mcp::AccessToken::kEnvironmentVariable)));
    });
}

void Application::printMcpToken()
{
    Mcp::AccessToken::obtain(secrets(), [this](Core::Result<Mcp::AccessToken::Obtained> obtained) {
        if (!obtained) {
            std::fprintf(stderr, "csdesk: no MCP token: %s\n", qPrintable(obtained.error().toString()));
            return finish(1);
        }
        if (obtained->source == Mcp::AccessToken::Obtained::Source::GeneratedForSession) {
            std::fprintf(stderr,
                "csdesk: no desktop keyring is available, so no token can be kept; set %s for "
                "--headless instead\n",
                Mcp::AccessToken::kEnvironmentVariable);
            return finish(1);
        }
        // Asked for explicitly: the one place the token is printed (never into a log).
        std::printf("%s\n", qPrintable(obtained->token));
        std::fflush(stdout);
        finish(0);
    });
}

void Application::startMcp()
{
    const bool stdio = m_commandLine.mode == CommandLine::Mode::McpStdio;
    if (stdio || m_commandLine.mcpNoAuth) {
        if (!stdio)
            std::fprintf(stderr, "csdesk: WARNING: --mcp-no-auth: the MCP endpoint accepts calls without a token\n");
        return startMcpWithToken({});
    }
    Mcp::AccessToken::obtain(secrets(), [this](Core::Result<Mcp::AccessToken::Obtained> obtained) {
        const bool headless = m_commandLine.mode == CommandLine::Mode::Headless;
        if (!obtained) {
            std::fprintf(stderr, "csdesk: MCP server not started: %s\n", qPrintable(obtained.error().toString()));
            setMcpStatus(tr("MCP off: %1").arg(obtained.error().message));
            return headless ? finish(1) : void();
        }
        if (headless && obtained->source == Mcp::AccessToken::Obtained::Source::GeneratedForSession) {
            // Nobody could learn a token made up for this run: say how to give one instead.
            std::fprintf(stderr,
                "csdesk: no desktop keyring is available to keep the MCP token; set %s to the "
                "token clients will send\n",
                Mcp::AccessToken::kEnvironmentVariable);
            return finish(1);
        }
        if (headless && obtained->source == Mcp::AccessToken::Obtained::Source::GeneratedAndStored)
            std::fprintf(stderr,
                "csdesk: made a new MCP token and stored it in the desktop keyring; "
                "`csdesk --print-mcp-token` shows it\n");
        startMcpWithToken(obtained->token);
    });
}

void Application::startMcpWithToken(const QString &token)
{
    if (!m_clock)
        m_clock = std::make_unique<Core::SystemClock>();
    Mcp::McpHostOptions options;
    options.transport = m_commandLine.mode == CommandLine::Mode::McpStdio ? Mcp::McpHostOptions::Transport::Stdio
                                                                          : Mcp::McpHostOptions::Transport::Http;
    // The port: --mcp-port, else the setting the desktop's settings dialog writes, else the default.
    const QVariant configured = QSettings().value(u"mcp/port"_s, CommandLine::kDefaultMcpPort);
    options.port = m_commandLine.mcpPort.value_or(quint16(configured.toUInt()));
    options.token = token;
    options.toolsets = m_commandLine.mcpToolsets;
    options.conformanceFixtures = m_commandLine.conformanceFixtures;
    options.version = QCoreApplication::applicationVersion();
    const bool window = m_commandLine.mode == CommandLine::Mode::Window;
    // The profile the CSM saved in the settings holds wherever the server runs (window, headless, stdio): a toolset
    // switched off or marked "ask me first" there is not open to an assistant that starts `csdesk --mcp-stdio`.
    // --mcp-toolsets and --mcp-ask-first win over the saved choice.
    const Ui::McpSettings settings = loadMcpSettings();
    if (options.toolsets.isEmpty())
        options.toolsets = settings.enabledToolsets;
    options.askFirstToolsets = m_commandLine.mcpAskFirst.value_or(settings.askFirstToolsets);
    if (window) {
        m_mcpToken = token;
        // Under the window: approvals prompt there, the audit reaches its dock, the server's threads yield to it.
        m_mcp = m_desktop->createMcpHost(options);
    } else {
        // Headless and stdio: no gate ("ask me first" calls are refused with a message that says why), the threads'
        // priority left alone.
        m_mcp = std::make_unique<Mcp::McpHost>(*m_database, *m_clock, options);
    }
    connect(m_mcp.get(), &Mcp::McpHost::started, this, [this](quint16 port) {
        if (m_commandLine.mode == CommandLine::Mode::McpStdio)
            return; // stdout is the protocol's
        setMcpStatus(tr("MCP: 127.0.0.1:%1").arg(port), u"http://127.0.0.1:%1/mcp"_s.arg(port));
        // The line tests and scripts wait for (with --mcp-port 0 it is the only way to learn the port).
        std::fprintf(stderr, "csdesk: MCP endpoint http://127.0.0.1:%u/mcp\n", unsigned(port));
    });
    connect(m_mcp.get(), &Mcp::McpHost::failed, this, [this, window](const QString &message) {
        std::fprintf(stderr, "csdesk: MCP server not started: %s\n", qPrintable(message));
        setMcpStatus(tr("MCP off: %1").arg(message), message);
        if (!window)
            finish(1);
    });
    connect(m_mcp.get(), &Mcp::McpHost::finished, this, [this] { finish(0); });
    m_mcp->start();
}
