// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QMainWindow>

class QLabel;
class QLineEdit;
class QTableView;

namespace Core {
class CustomerService;
}

namespace Ui {

class PortfolioModel;

// The main window: for now the portfolio table with a name filter and a count in the status bar.
class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    MainWindow(Core::CustomerService &customers, const QString &databaseLabel, QWidget *parent = nullptr);

    QTableView *portfolioView() const { return m_view; }
    PortfolioModel *portfolioModel() const { return m_model; }
    QLineEdit *filterEdit() const { return m_filter; }

private:
    void updateCount(qint64 total);

    PortfolioModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_count = nullptr;
};

} // namespace Ui
