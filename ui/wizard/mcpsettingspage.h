// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace Ui {

// One toolset of the MCP server as the settings page lists it (filled by the app from the server's registry).
struct ToolsetRow
{
    QString name;
    int tools = 0;
    int writeTools = 0;
    QStringList toolNames;
};

// What the "AI assistants (MCP)" page edits. The app loads it from QSettings and saves it back; the token is not
// part of it (secrets never reach QSettings; the page shows the token it is given).
struct McpSettings
{
    int port = 47821;
    QStringList enabledToolsets; // empty = every toolset
    QSet<QString> askFirstToolsets;
    QList<ToolsetRow> toolsets; // what there is to choose from

    bool operator==(const McpSettings &other) const
    {
        return port == other.port && enabledToolsets == other.enabledToolsets
            && askFirstToolsets == other.askFirstToolsets;
    }
};

// The settings page for the CSM's AI assistants: the endpoint, its bearer token with copy-paste configuration for
// common clients (DESIGN.md §5), and which toolsets are offered and which ask first.
class McpSettingsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(McpSettingsPage)

public:
    enum Snippet { ClaudeDesktop, VsCode, Curl, SnippetCount };
    enum ToolsetColumn { EnabledColumn, NameColumn, ToolsColumn, WriteToolsColumn, AskFirstColumn, ToolsetColumnCount };

    explicit McpSettingsPage(QWidget *parent = nullptr);

    void setSettings(const McpSettings &settings);
    McpSettings settings() const;
    // False when no toolset is enabled (nothing to offer; the dialog refuses to save that).
    bool isValid() const;

    // The token clients must send; empty when there is none (the server is off, or no keyring answered yet).
    void setToken(const QString &token);
    QString token() const { return m_token; }
    // A line under the endpoint: running, off and why.
    void setServerStatus(const QString &status);

    QString endpointUrl() const;
    QString snippet(Snippet which) const; // as shown (the token or `<token>`)
    static QString snippetText(Snippet which, const QString &url, const QString &token);

    QSpinBox *portBox() const { return m_port; }
    QLineEdit *tokenEdit() const { return m_tokenEdit; }
    QPushButton *showTokenButton() const { return m_showToken; }
    QPushButton *copyTokenButton() const { return m_copyToken; }
    QPushButton *newTokenButton() const { return m_newToken; }
    QPushButton *copySnippetButton(Snippet which) const { return m_copySnippet.at(which); }
    QPlainTextEdit *snippetEdit(Snippet which) const { return m_snippets.at(which); }
    QTableWidget *toolsetTable() const { return m_toolsets; }
    QLabel *endpointLabel() const { return m_endpoint; }

    static QString tokenPlaceholder() { return QStringLiteral("<token>"); }

Q_SIGNALS:
    // The CSM confirmed "New token…": the app makes one, stores it, hands it to the server and calls setToken().
    void newTokenRequested();
    void changed();

private:
    void updateEndpoint();
    void updateSnippets();
    void updateTokenField();
    void confirmNewToken();
    void toolsetToggled(int row);

    QSpinBox *m_port = nullptr;
    QLabel *m_endpoint = nullptr;
    QLabel *m_status = nullptr;
    QLineEdit *m_tokenEdit = nullptr;
    QPushButton *m_showToken = nullptr;
    QPushButton *m_copyToken = nullptr;
    QPushButton *m_newToken = nullptr;
    QList<QPlainTextEdit *> m_snippets;
    QList<QPushButton *> m_copySnippet;
    QTableWidget *m_toolsets = nullptr;
    QLabel *m_toolsetWarning = nullptr;
    QList<ToolsetRow> m_rows;
    QString m_token;
    bool m_filling = false;
};

} // namespace Ui

Q_DECLARE_METATYPE(Ui::McpSettings)
