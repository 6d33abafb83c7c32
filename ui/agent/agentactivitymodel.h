// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QTimer>

#include "agentactivityservice.h"

namespace Ui {

// The agent audit (DESIGN.md §5 "Write tools are audited … and shown in the agent-activity panel"), newest first.
// Reads through an AgentActivityService of its own on the GUI thread (its own database connection; the MCP thread
// records through another). Rows arrive a page at a time (keyset cursor); refresh() re-reads only the first page and
// merges it, and is coalesced so an agent making a thousand calls a second costs the GUI one small query per tick.
class AgentActivityModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentActivityModel)

public:
    enum Column { Time, Client, Tool, Kind, Approval, Result, Duration, ColumnCount };
    enum Role { RawValueRole = Qt::UserRole, SortRole, IdRole };

    static constexpr int PageSize = 100;
    static constexpr int CoalesceMs = 50; // within DESIGN.md §7's budget: one refresh per 50 ms at most

    AgentActivityModel(const Storage::Database &db, const Core::Clock &clock, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    // The call shown in `row` (an invalid default when out of range).
    Domain::AgentAction action(int row) const;
    int rowOfAction(qint64 actionId) const; // -1 when not loaded

    QString lastError() const { return m_lastError; }

public Q_SLOTS:
    // Something was recorded or decided: re-read the first page soon (bursts collapse into one read).
    void refresh();
    // The same, at once (tests; the coalescing timer ends here).
    void refreshNow();
    // One call changed (approved, denied, completed): re-read its row if it is loaded, and the first page.
    void refreshAction(qint64 actionId);

private:
    void loadFirstPage();
    void setError(const QString &message);

    Core::AgentActivityService m_service;
    const Core::Clock &m_clock;
    QList<Domain::AgentAction> m_rows;
    QString m_cursor;
    bool m_exhausted = false;
    bool m_loaded = false;
    QTimer m_refreshTimer;
    QString m_lastError;
};

} // namespace Ui
