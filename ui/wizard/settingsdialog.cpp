// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "settingsdialog.h"

#include <QDialogButtonBox>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

namespace Ui {

using namespace Qt::StringLiterals;

SettingsDialog::SettingsDialog(const McpSettings &mcp, QWidget *parent)
    : QDialog(parent)
    , m_tabs(new QTabWidget)
    , m_mcp(new McpSettingsPage)
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::Apply))
{
    setObjectName(u"settingsDialog"_s);
    setWindowTitle(tr("Settings"));
    resize(780, 700);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_buttons);
    m_mcp->setSettings(mcp);
    addPage(m_mcp, tr("AI assistants (MCP)"));

    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        apply();
        accept();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, &SettingsDialog::apply);
    connect(m_mcp, &McpSettingsPage::changed, this, &SettingsDialog::updateButtons);
    connect(m_mcp, &McpSettingsPage::newTokenRequested, this, &SettingsDialog::newMcpTokenRequested);
    updateButtons();
    resize(780, sizeHint().height());
}

int SettingsDialog::addPage(QWidget *page, const QString &title)
{
    return m_tabs->addTab(page, title);
}

McpSettings SettingsDialog::mcpSettings() const
{
    return m_mcp->settings();
}

void SettingsDialog::apply()
{
    if (m_mcp->isValid())
        Q_EMIT mcpSettingsApplied(m_mcp->settings());
}

void SettingsDialog::updateButtons()
{
    const bool valid = m_mcp->isValid();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(valid);
    m_buttons->button(QDialogButtonBox::Apply)->setEnabled(valid);
}

} // namespace Ui
