// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "agentactivitymodel.h"

#include <QBrush>
#include <QColor>
#include <QHash>
#include <QLocale>

#include "enumnames.h"

namespace Ui {

using namespace Qt::StringLiterals;

namespace {

QString approvalLabel(Domain::AgentApproval approval)
{
    switch (approval) {
    case Domain::AgentApproval::NotRequired:
        return AgentActivityModel::tr("—");
    case Domain::AgentApproval::Pending:
        return AgentActivityModel::tr("Pending");
    case Domain::AgentApproval::Approved:
        return AgentActivityModel::tr("Approved");
    case Domain::AgentApproval::Denied:
        return AgentActivityModel::tr("Denied");
    }
    return {};
}

// The first line of a summary, short enough for a table cell; the tooltip has all of it.
QString shortSummary(const QString &summary)
{
    QString line = summary.section(u'\n', 0, 0).simplified();
    if (line.size() > 160)
        line = line.left(159) + u'…';
    return line;
}

QString resultLabel(const Domain::AgentAction &a)
{
    if (a.approval == Domain::AgentApproval::Pending)
        return AgentActivityModel::tr("Waiting for the CSM");
    if (!a.durationMs && a.resultSummary.isEmpty())
        return {};
    const QString summary = shortSummary(a.resultSummary);
    if (a.approval == Domain::AgentApproval::Denied)
        return summary.isEmpty() ? AgentActivityModel::tr("Not run")
                                 : AgentActivityModel::tr("Not run — %1").arg(summary);
    const QString status = a.isError ? AgentActivityModel::tr("Error") : AgentActivityModel::tr("OK");
    return summary.isEmpty() ? status : status + u" — "_s + summary;
}

QString durationLabel(const std::optional<int> &ms)
{
    if (!ms || *ms < 0)
        return {};
    if (*ms < 1000)
        return AgentActivityModel::tr("%1 ms").arg(*ms);
    return AgentActivityModel::tr("%1 s").arg(QLocale().toString(*ms / 1000.0, 'f', 1));
}

bool sameOutcome(const Domain::AgentAction &a, const Domain::AgentAction &b)
{
    return a.approval == b.approval && a.approvedBy == b.approvedBy && a.decidedAt == b.decidedAt
        && a.resultSummary == b.resultSummary && a.isError == b.isError && a.durationMs == b.durationMs;
}

} // namespace

AgentActivityModel::AgentActivityModel(const Storage::Database &db, const Core::Clock &clock, QObject *parent)
    : QAbstractTableModel(parent)
    , m_service(db, clock)
    , m_clock(clock)
{
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(CoalesceMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &AgentActivityModel::loadFirstPage);
    loadFirstPage();
}

int AgentActivityModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AgentActivityModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AgentActivityModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Domain::AgentAction &a = m_rows.at(index.row());
    if (role == IdRole)
        return a.id;
    if (role == RawValueRole || role == SortRole) {
        switch (index.column()) {
        case Time:
            return a.occurredAt;
        case Client:
            return a.clientName;
        case Tool:
            return a.tool;
        case Kind:
            return a.isWrite;
        case Approval:
            return Domain::enumName(a.approval);
        case Result:
            // A failure of the tool; a denied call did not run (the Approval column says why).
            return a.isError && a.approval != Domain::AgentApproval::Denied;
        case Duration:
            return a.durationMs ? QVariant(*a.durationMs) : QVariant();
        default:
            return {};
        }
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Time: {
            const QDateTime local = a.occurredAt.toLocalTime();
            const QString time = local.time().toString(u"HH:mm:ss"_s);
            if (local.date() == m_clock.now().toLocalTime().date())
                return time;
            return QString(QLocale().toString(local.date(), QLocale::ShortFormat) + u' ' + time);
        }
        case Client:
            return a.clientVersion.isEmpty() ? a.clientName : QString(a.clientName + u' ' + a.clientVersion);
        case Tool:
            return a.tool;
        case Kind:
            return a.isWrite ? tr("Write") : tr("Read");
        case Approval:
            if (a.approval == Domain::AgentApproval::Approved || a.approval == Domain::AgentApproval::Denied) {
                if (!a.approvedBy.isEmpty())
                    return tr("%1 by %2").arg(approvalLabel(a.approval), a.approvedBy);
            }
            return approvalLabel(a.approval);
        case Result:
            return resultLabel(a);
        case Duration:
            return durationLabel(a.durationMs);
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == Result && !a.resultSummary.isEmpty())
            return a.resultSummary;
        if (index.column() == Time)
            return QLocale().toString(a.occurredAt.toLocalTime(), QLocale::LongFormat);
        return {};
    }
    if (role == Qt::ForegroundRole) {
        if (a.isError && a.approval != Domain::AgentApproval::Denied && index.column() == Result)
            return QBrush(QColor(0xb0, 0x1c, 0x1c));
        if (a.approval == Domain::AgentApproval::Pending && index.column() == Approval)
            return QBrush(QColor(0xa0, 0x5a, 0x00));
        if (a.approval == Domain::AgentApproval::Denied && index.column() == Approval)
            return QBrush(QColor(0xb0, 0x1c, 0x1c));
        return {};
    }
    if (role == Qt::TextAlignmentRole && index.column() == Duration)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant AgentActivityModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time:
        return tr("Time");
    case Client:
        return tr("Client");
    case Tool:
        return tr("Tool");
    case Kind:
        return tr("Kind");
    case Approval:
        return tr("Approval");
    case Result:
        return tr("Result");
    case Duration:
        return tr("Duration");
    default:
        return {};
    }
}

bool AgentActivityModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_loaded && !m_exhausted;
}

void AgentActivityModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    auto page = m_service.recent(PageSize, m_cursor);
    if (!page)
        return setError(page.error().toString());
    // Rows already shown (recorded while we paged, and merged in at the top since) are not shown twice.
    QSet<qint64> shown;
    for (const Domain::AgentAction &a : std::as_const(m_rows))
        shown.insert(a.id);
    QList<Domain::AgentAction> fresh;
    for (const Domain::AgentAction &a : std::as_const(page->items)) {
        if (!shown.contains(a.id))
            fresh.append(a);
    }
    m_cursor = page->nextCursor;
    m_exhausted = m_cursor.isEmpty();
    if (fresh.isEmpty())
        return;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + fresh.size() - 1));
    m_rows.append(fresh);
    endInsertRows();
}

Domain::AgentAction AgentActivityModel::action(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : Domain::AgentAction {};
}

int AgentActivityModel::rowOfAction(qint64 actionId) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).id == actionId)
            return row;
    }
    return -1;
}

void AgentActivityModel::refresh()
{
    // Not restarted while running: a steady stream of calls still refreshes every CoalesceMs.
    if (!m_refreshTimer.isActive())
        m_refreshTimer.start();
}

void AgentActivityModel::refreshNow()
{
    m_refreshTimer.stop();
    loadFirstPage();
}

void AgentActivityModel::refreshAction(qint64 actionId)
{
    const int row = rowOfAction(actionId);
    if (row >= PageSize) {
        // Beyond the first page the merge does not reach: re-read this row alone.
        if (auto a = m_service.action(actionId); a && !sameOutcome(*a, m_rows.at(row))) {
            m_rows[row] = *a;
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        }
    }
    refresh();
}

void AgentActivityModel::loadFirstPage()
{
    auto page = m_service.recent(PageSize);
    if (!page)
        return setError(page.error().toString());
    m_lastError.clear();
    const QList<Domain::AgentAction> &items = page->items;

    // Where the previously newest rows are now.
    QHash<qint64, int> loaded;
    for (int row = 0; row < qMin(int(m_rows.size()), PageSize); ++row)
        loaded.insert(m_rows.at(row).id, row);
    int fresh = 0;
    while (fresh < items.size() && !loaded.contains(items.at(fresh).id))
        ++fresh;

    if (!m_loaded || m_rows.isEmpty() || (fresh == items.size() && fresh > 0)) {
        // First load, or more new calls than a page since the last look: start over from the top.
        beginResetModel();
        m_rows = items;
        m_cursor = page->nextCursor;
        m_exhausted = m_cursor.isEmpty();
        m_loaded = true;
        endResetModel();
        return;
    }
    if (fresh > 0) {
        beginInsertRows({}, 0, fresh - 1);
        m_rows.insert(0, fresh, Domain::AgentAction {});
        for (int i = 0; i < fresh; ++i)
            m_rows[i] = items.at(i);
        endInsertRows();
    }
    for (int i = fresh; i < items.size(); ++i) {
        const auto it = loaded.constFind(items.at(i).id);
        if (it == loaded.cend())
            continue;
        const int row = *it + fresh;
        if (!sameOutcome(m_rows.at(row), items.at(i))) {
            m_rows[row] = items.at(i);
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        }
    }
}

void AgentActivityModel::setError(const QString &message)
{
    m_lastError = message;
    qWarning("agent activity: %s", qPrintable(message));
}

} // namespace Ui
