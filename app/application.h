// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <memory>

#include <QObject>
#include <QPointer>

#include "commandline.h"

namespace Core {
class SecretStore;
class SystemClock;
} // namespace Core
namespace Mcp {
class McpHost;
}
namespace Storage {
class Database;
struct DatabaseUrl;
} // namespace Storage
namespace Ui {
class MainWindow;
class SettingsDialog;
struct McpSettings;
} // namespace Ui
class DesktopComposition;

// Composition root: builds every object in order, wires them, and owns their lifetimes (DESIGN.md §1).
// Nothing below app/ reaches for a global; what an object needs is handed to it here.
class Application final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Application)

public:
    explicit Application(CommandLine commandLine, QObject *parent = nullptr);
    ~Application() override;

    // Starts the mode the command line asked for. Everything runs inside the event loop (the keyring answers
    // asynchronously); a command-line job ends the loop with its exit code.
    void start();

private:
    void openDatabase(const QString &password);
    void storeDatabasePassword();
    void generateDemo();
    void openWindow();
    // The MCP server: Streamable HTTP (window and --headless) or stdio (--mcp-stdio).
    void startMcp();
    void startMcpWithToken(const QString &token);
    void printMcpToken();
    void setMcpStatus(const QString &status, const QString &toolTip = {});
    // The desktop's MCP settings (QSettings mcp/port, mcp/toolsets, mcp/askFirst; never the token).
    static Ui::McpSettings loadMcpSettings();
    static void saveMcpSettings(const Ui::McpSettings &settings);
    void openSettings();
    void applyMcpSettings(const Ui::McpSettings &settings);
    void makeNewMcpToken();
    void finish(int exitCode);
    Core::SecretStore &secrets();
    static QString databasePasswordKey(const Storage::DatabaseUrl &url);

    CommandLine m_commandLine;
    QString m_url;
    std::unique_ptr<QObject> m_secretStoreObject; // the QtKeychain store, built only when a secret is needed
    Core::SecretStore *m_secrets = nullptr;
    std::unique_ptr<Storage::Database> m_database;
    std::unique_ptr<Core::SystemClock> m_clock;
    // Window mode: the window with its agent-activity dock and approval prompts (DesktopComposition); the settings
    // dialog.
    std::unique_ptr<DesktopComposition> m_desktop;
    Ui::MainWindow *m_window = nullptr; // m_desktop's
    std::unique_ptr<Mcp::McpHost> m_mcp;
    QPointer<Ui::SettingsDialog> m_settingsDialog;
    QString m_mcpToken; // what the settings page shows; never logged or written to QSettings
    QString m_mcpStatus;
};
