// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QDialog>

#include "mcpsettingspage.h"

class QDialogButtonBox;
class QTabWidget;

namespace Ui {

// The Settings dialog: one tab per area. For now "AI assistants (MCP)"; further pages join through addPage(). It
// edits plain values handed in and out (it reads no QSettings and no keyring): the app loads, saves and applies.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    explicit SettingsDialog(const McpSettings &mcp, QWidget *parent = nullptr);

    // Another page (it becomes a child of the dialog); returns its tab index.
    int addPage(QWidget *page, const QString &title);

    McpSettingsPage *mcpPage() const { return m_mcp; }
    McpSettings mcpSettings() const;
    QTabWidget *tabs() const { return m_tabs; }
    QDialogButtonBox *buttons() const { return m_buttons; }

Q_SIGNALS:
    // OK or Apply with valid settings: the app saves them and applies what can change at run time.
    void mcpSettingsApplied(const Ui::McpSettings &settings);
    void newMcpTokenRequested();

private:
    void apply();
    void updateButtons();

    QTabWidget *m_tabs = nullptr;
    McpSettingsPage *m_mcp = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace Ui
