// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QDockWidget>
#include <QSortFilterProxyModel>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QTableView;

namespace Core {
class Clock;
}
namespace Storage {
class Database;
}

namespace Ui {

class AgentActivityModel;

// Which calls the panel lists. Filters the rows loaded so far; scrolling fetches more of the log.
class AgentActivityFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentActivityFilterProxy)

public:
    enum class Filter { All, Writes, Errors, Pending };

    explicit AgentActivityFilterProxy(QObject *parent = nullptr);
    void setFilter(Filter filter);
    Filter filter() const { return m_filter; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    Filter m_filter = Filter::All;
};

// The "Agent activity" dock: every MCP tool call of the CSM's assistants, newest first, with a filter and the
// selected call's arguments and result below the table.
class AgentActivityPanel final : public QDockWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentActivityPanel)

public:
    AgentActivityPanel(const Storage::Database &db, const Core::Clock &clock, QWidget *parent = nullptr);

    AgentActivityModel *model() const { return m_model; }
    AgentActivityFilterProxy *proxy() const { return m_proxy; }
    QTableView *view() const { return m_view; }
    QComboBox *filterBox() const { return m_filterBox; }
    QPlainTextEdit *details() const { return m_details; }

public Q_SLOTS:
    void onActionRecorded(qint64 actionId);
    void onApprovalChanged(qint64 actionId);

private:
    void showDetails();
    void updateCount();

    AgentActivityModel *m_model = nullptr;
    AgentActivityFilterProxy *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QComboBox *m_filterBox = nullptr;
    QLabel *m_count = nullptr;
    QPlainTextEdit *m_details = nullptr;
    qint64 m_shownAction = 0;
};

} // namespace Ui
