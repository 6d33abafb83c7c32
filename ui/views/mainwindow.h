// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QMainWindow>

class QAction;
class QDockWidget;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QTableView;

namespace Core {
class CustomerService;
}

namespace Ui {

class PortfolioModel;

// The main window: for now the portfolio table with a name filter and a count in the status bar, a menu bar, and
// room for the agent-activity dock. It knows nothing of the MCP server: the app adds the dock, sets the status line
// and answers settingsRequested(); without them (tests, no server) the window works on its own.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    MainWindow(Core::CustomerService &customers, const QString &databaseLabel, QWidget *parent = nullptr);

    QTableView *portfolioView() const { return m_view; }
    PortfolioModel *portfolioModel() const { return m_model; }
    QLineEdit *filterEdit() const { return m_filter; }
    QComboBox *tierFilter() const { return m_tierFilter; }
    QAction *settingsAction() const { return m_settingsAction; }
    QAction *quitAction() const { return m_quitAction; }
    // View → Agent activity: the dock's toggle once addAgentDock() ran, a disabled placeholder before.
    QAction *agentActivityAction() const { return m_agentActivityAction; }
    QMenu *viewMenu() const { return m_viewMenu; }
    QLabel *mcpStatusLabel() const { return m_mcpStatus; }

    // Docks the agent-activity panel at the bottom (it becomes the window's child) and hooks up View → Agent activity.
    void addAgentDock(QDockWidget *dock);
    QDockWidget *agentDock() const { return m_agentDock; }
    // "MCP: 127.0.0.1:47821" or "MCP off: <reason>"; empty hides it.
    void setMcpStatus(const QString &text, const QString &toolTip = {});

Q_SIGNALS:
    void settingsRequested();
    // The CSM closes the window: open approval prompts are answered (denied) before the app goes.
    void closing();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void updateCount(qint64 total);

    PortfolioModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    QLineEdit *m_filter = nullptr;
    QComboBox *m_tierFilter = nullptr;
    QLabel *m_count = nullptr;
    QLabel *m_mcpStatus = nullptr;
    QAction *m_settingsAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_agentActivityAction = nullptr;
    QMenu *m_viewMenu = nullptr;
    QDockWidget *m_agentDock = nullptr;
};

} // namespace Ui
