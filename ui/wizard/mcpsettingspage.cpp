// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "mcpsettingspage.h"

#include <QClipboard>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace Ui {

using namespace Qt::StringLiterals;

QString McpSettingsPage::snippetText(Snippet which, const QString &url, const QString &token)
{
    // The token is base64url (AccessToken::generate), so it needs no escaping inside JSON or shell quotes.
    switch (which) {
    case ClaudeDesktop:
        return uR"({
  "mcpServers": {
    "csdesk": {
      "url": "%1",
      "headers": {
        "Authorization": "Bearer %2"
      }
    }
  }
})"_s.arg(url, token);
    case VsCode:
        return uR"({
  "servers": {
    "csdesk": {
      "type": "http",
      "url": "%1",
      "headers": {
        "Authorization": "Bearer %2"
      }
    }
  }
})"_s.arg(url, token);
    case Curl:
        return uR"(curl -sS %1 \
  -H 'Authorization: Bearer %2' \
  -H 'Content-Type: application/json' \
  -H 'Accept: application/json, text/event-stream' \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1.0"}}}')"_s
            .arg(url, token);
    case SnippetCount:
        break;
    }
    return {};
}

McpSettingsPage::McpSettingsPage(QWidget *parent)
    : QWidget(parent)
    , m_port(new QSpinBox)
    , m_endpoint(new QLabel)
    , m_status(new QLabel)
    , m_tokenEdit(new QLineEdit)
    , m_showToken(new QPushButton(tr("Show")))
    , m_copyToken(new QPushButton(tr("Copy")))
    , m_newToken(new QPushButton(tr("New token…")))
    , m_toolsets(new QTableWidget(0, ToolsetColumnCount))
    , m_toolsetWarning(new QLabel)
{
    setObjectName(u"mcpSettingsPage"_s);
    auto *layout = new QVBoxLayout(this);

    auto *intro = new QLabel(tr("Your AI assistant (Claude Desktop, VS Code, …) can work on your portfolio through "
                                "CS Desk's MCP endpoint on this computer."));
    intro->setWordWrap(true);
    layout->addWidget(intro);

    // Endpoint and token.
    auto *server = new QGroupBox(tr("Endpoint"));
    auto *form = new QFormLayout(server);
    m_port->setRange(1024, 65535);
    m_port->setValue(47821);
    auto *portRow = new QHBoxLayout;
    portRow->addWidget(m_port);
    auto *restartNote = new QLabel(tr("A new port applies after a restart."));
    restartNote->setEnabled(false);
    portRow->addWidget(restartNote);
    portRow->addStretch();
    form->addRow(tr("Port:"), portRow);
    m_endpoint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_endpoint->setObjectName(u"mcpEndpoint"_s);
    form->addRow(tr("URL:"), m_endpoint);
    m_status->setVisible(false);
    m_status->setWordWrap(true);
    form->addRow(QString(), m_status);

    m_tokenEdit->setReadOnly(true);
    m_tokenEdit->setEchoMode(QLineEdit::Password);
    m_tokenEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_tokenEdit->setMinimumWidth(300);
    m_showToken->setCheckable(true);
    m_copyToken->setToolTip(tr("Copy the token to the clipboard"));
    m_newToken->setToolTip(tr("Replace the token; every client then needs the new one"));
    auto *tokenRow = new QHBoxLayout;
    tokenRow->addWidget(m_tokenEdit, 1);
    tokenRow->addWidget(m_showToken);
    tokenRow->addWidget(m_copyToken);
    tokenRow->addWidget(m_newToken);
    form->addRow(tr("Token:"), tokenRow);
    auto *tokenNote = new QLabel(tr("Clients send it as \"Authorization: Bearer <token>\". It is kept in the desktop "
                                    "keyring, never in a settings file."));
    tokenNote->setEnabled(false);
    form->addRow(QString(), tokenNote);
    layout->addWidget(server);

    // Copy-paste configuration for common clients.
    auto *clients = new QGroupBox(tr("Client configuration"));
    auto *clientsLayout = new QVBoxLayout(clients);
    auto *snippetTabs = new QTabWidget;
    const QStringList titles { tr("Claude Desktop"), tr("VS Code"), tr("curl") };
    const QStringList hints { tr("Add to claude_desktop_config.json:"), tr("Save as .vscode/mcp.json:"),
        tr("Check the endpoint from a terminal (answers with the server's capabilities):") };
    for (int i = 0; i < SnippetCount; ++i) {
        auto *tab = new QWidget;
        auto *grid = new QGridLayout(tab);
        auto *hint = new QLabel(hints.at(i));
        auto *edit = new QPlainTextEdit;
        edit->setReadOnly(true);
        edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        edit->setLineWrapMode(QPlainTextEdit::NoWrap);
        edit->setFixedHeight(170);
        auto *copy = new QPushButton(tr("Copy"));
        copy->setToolTip(tr("Copy this configuration, with the token, to the clipboard"));
        grid->addWidget(hint, 0, 0);
        grid->addWidget(copy, 0, 1, Qt::AlignRight);
        grid->addWidget(edit, 1, 0, 1, 2);
        snippetTabs->addTab(tab, titles.at(i));
        m_snippets.append(edit);
        m_copySnippet.append(copy);
        connect(copy, &QPushButton::clicked, this, [this, i] {
            QGuiApplication::clipboard()->setText(
                snippetText(Snippet(i), endpointUrl(), m_token.isEmpty() ? tokenPlaceholder() : m_token));
        });
    }
    clientsLayout->addWidget(snippetTabs);
    layout->addWidget(clients);

    // Toolsets.
    auto *toolsets = new QGroupBox(tr("Toolsets"));
    auto *toolsetsLayout = new QVBoxLayout(toolsets);
    auto *toolsetsNote = new QLabel(tr("Assistants see only the tools of enabled toolsets. With \"Ask me first\", "
                                       "each change an assistant makes waits until you allow it. The same choices "
                                       "hold when CS Desk serves assistants without this window (headless, or over "
                                       "stdio); there nobody can allow a change, so it is refused."));
    toolsetsNote->setWordWrap(true);
    toolsetsLayout->addWidget(toolsetsNote);
    m_toolsets->setHorizontalHeaderLabels(
        { tr("Enabled"), tr("Toolset"), tr("Tools"), tr("Writes"), tr("Ask me first") });
    m_toolsets->verticalHeader()->setVisible(false);
    m_toolsets->verticalHeader()->setDefaultSectionSize(22);
    m_toolsets->setSelectionMode(QAbstractItemView::NoSelection);
    m_toolsets->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_toolsets->setAlternatingRowColors(true);
    m_toolsets->horizontalHeader()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    for (int c : { EnabledColumn, ToolsColumn, WriteToolsColumn, AskFirstColumn })
        m_toolsets->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_toolsets->setMinimumHeight(200);
    toolsetsLayout->addWidget(m_toolsets, 1);
    m_toolsetWarning->setText(tr("Enable at least one toolset."));
    m_toolsetWarning->setStyleSheet(u"color: #b01c1c"_s);
    m_toolsetWarning->setVisible(false);
    toolsetsLayout->addWidget(m_toolsetWarning);
    layout->addWidget(toolsets, 1);

    connect(m_port, &QSpinBox::valueChanged, this, [this] {
        updateEndpoint();
        Q_EMIT changed();
    });
    connect(m_showToken, &QPushButton::toggled, this, [this] {
        updateTokenField();
        updateSnippets();
    });
    connect(m_copyToken, &QPushButton::clicked, this, [this] {
        if (!m_token.isEmpty())
            QGuiApplication::clipboard()->setText(m_token);
    });
    connect(m_newToken, &QPushButton::clicked, this, &McpSettingsPage::confirmNewToken);
    connect(m_toolsets, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (!m_filling)
            toolsetToggled(item->row());
    });
    updateEndpoint();
    updateTokenField();
}

void McpSettingsPage::setSettings(const McpSettings &settings)
{
    m_filling = true;
    m_port->setValue(settings.port);
    m_rows = settings.toolsets;
    m_toolsets->setRowCount(int(m_rows.size()));
    for (int row = 0; row < m_rows.size(); ++row) {
        const ToolsetRow &t = m_rows.at(row);
        auto *enabled = new QTableWidgetItem;
        enabled->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        const bool on = settings.enabledToolsets.isEmpty() || settings.enabledToolsets.contains(t.name);
        enabled->setCheckState(on ? Qt::Checked : Qt::Unchecked);
        m_toolsets->setItem(row, EnabledColumn, enabled);
        auto *name = new QTableWidgetItem(t.name);
        name->setFlags(Qt::ItemIsEnabled);
        name->setToolTip(t.toolNames.join(u", "_s));
        m_toolsets->setItem(row, NameColumn, name);
        auto *tools = new QTableWidgetItem(QString::number(t.tools));
        tools->setFlags(Qt::ItemIsEnabled);
        tools->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_toolsets->setItem(row, ToolsColumn, tools);
        auto *writes = new QTableWidgetItem(QString::number(t.writeTools));
        writes->setFlags(Qt::ItemIsEnabled);
        writes->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_toolsets->setItem(row, WriteToolsColumn, writes);
        auto *askFirst = new QTableWidgetItem;
        if (t.writeTools > 0) {
            askFirst->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
            askFirst->setCheckState(settings.askFirstToolsets.contains(t.name) ? Qt::Checked : Qt::Unchecked);
        } else {
            // Read-only toolsets never change anything, so there is nothing to ask about.
            askFirst->setFlags(Qt::ItemIsUserCheckable);
            askFirst->setCheckState(Qt::Unchecked);
            askFirst->setToolTip(tr("Read-only: nothing to approve"));
        }
        m_toolsets->setItem(row, AskFirstColumn, askFirst);
    }
    m_filling = false;
    // Every toolset in view without scrolling (there are about a dozen).
    m_toolsets->setMinimumHeight(qMin(420,
        m_toolsets->horizontalHeader()->sizeHint().height() + int(m_rows.size()) * 22 + 2 * m_toolsets->frameWidth()
            + 6));
    updateEndpoint();
    m_toolsetWarning->setVisible(!isValid());
}

McpSettings McpSettingsPage::settings() const
{
    McpSettings s;
    s.port = m_port->value();
    s.toolsets = m_rows;
    bool all = true;
    for (int row = 0; row < m_rows.size(); ++row) {
        const QString &name = m_rows.at(row).name;
        if (m_toolsets->item(row, EnabledColumn)->checkState() == Qt::Checked)
            s.enabledToolsets.append(name);
        else
            all = false;
        if (m_rows.at(row).writeTools > 0 && m_toolsets->item(row, AskFirstColumn)->checkState() == Qt::Checked)
            s.askFirstToolsets.insert(name);
    }
    if (all)
        s.enabledToolsets.clear(); // every toolset, including ones a later version adds
    return s;
}

bool McpSettingsPage::isValid() const
{
    if (m_rows.isEmpty())
        return true;
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_toolsets->item(row, EnabledColumn)->checkState() == Qt::Checked)
            return true;
    }
    return false;
}

void McpSettingsPage::toolsetToggled(int row)
{
    Q_UNUSED(row)
    m_toolsetWarning->setVisible(!isValid());
    Q_EMIT changed();
}

void McpSettingsPage::setToken(const QString &token)
{
    m_token = token;
    updateTokenField();
    updateSnippets();
}

void McpSettingsPage::setServerStatus(const QString &status)
{
    m_status->setText(status);
    m_status->setVisible(!status.isEmpty());
}

QString McpSettingsPage::endpointUrl() const
{
    return u"http://127.0.0.1:%1/mcp"_s.arg(m_port->value());
}

QString McpSettingsPage::snippet(Snippet which) const
{
    return m_snippets.at(which)->toPlainText();
}

void McpSettingsPage::updateEndpoint()
{
    m_endpoint->setText(endpointUrl());
    updateSnippets();
}

void McpSettingsPage::updateSnippets()
{
    const bool show = m_showToken->isChecked() && !m_token.isEmpty();
    for (int i = 0; i < m_snippets.size(); ++i)
        m_snippets.at(i)->setPlainText(snippetText(Snippet(i), endpointUrl(), show ? m_token : tokenPlaceholder()));
}

void McpSettingsPage::updateTokenField()
{
    const bool show = m_showToken->isChecked();
    m_showToken->setText(show ? tr("Hide") : tr("Show"));
    m_tokenEdit->setEchoMode(show ? QLineEdit::Normal : QLineEdit::Password);
    m_tokenEdit->setText(m_token);
    m_tokenEdit->setPlaceholderText(tr("No token (the MCP server is not running)"));
    m_copyToken->setEnabled(!m_token.isEmpty());
    m_showToken->setEnabled(!m_token.isEmpty());
}

void McpSettingsPage::confirmNewToken()
{
    QMessageBox box(QMessageBox::Warning, tr("New MCP token"),
        tr("Make a new token? Every assistant configured with the current one loses access until you paste the new "
           "one into its configuration."),
        QMessageBox::NoButton, this);
    box.setObjectName(u"newTokenConfirmation"_s);
    QPushButton *replace = box.addButton(tr("Make a new token"), QMessageBox::DestructiveRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() == replace)
        Q_EMIT newTokenRequested();
}

} // namespace Ui
