// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "agentactivitypanel.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "agentactivitymodel.h"
#include "enumnames.h"

namespace Ui {

using namespace Qt::StringLiterals;

AgentActivityFilterProxy::AgentActivityFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{ }

void AgentActivityFilterProxy::setFilter(Filter filter)
{
    if (filter == m_filter)
        return;
    m_filter = filter;
    invalidateRowsFilter();
}

bool AgentActivityFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const auto raw = [&](int column) {
        return sourceModel()->index(sourceRow, column, sourceParent).data(AgentActivityModel::RawValueRole);
    };
    switch (m_filter) {
    case Filter::All:
        return true;
    case Filter::Writes:
        return raw(AgentActivityModel::Kind).toBool();
    case Filter::Errors:
        return raw(AgentActivityModel::Result).toBool();
    case Filter::Pending:
        return raw(AgentActivityModel::Approval).toString() == Domain::enumName(Domain::AgentApproval::Pending);
    }
    return true;
}

AgentActivityPanel::AgentActivityPanel(const Storage::Database &db, const Core::Clock &clock, QWidget *parent)
    : QDockWidget(tr("Agent activity"), parent)
    , m_model(new AgentActivityModel(db, clock, this))
    , m_proxy(new AgentActivityFilterProxy(this))
    , m_view(new QTableView)
    , m_filterBox(new QComboBox)
    , m_count(new QLabel)
    , m_details(new QPlainTextEdit)
{
    setObjectName(u"agentActivityDock"_s);
    m_proxy->setSourceModel(m_model);

    auto *contents = new QWidget;
    auto *layout = new QVBoxLayout(contents);
    layout->setContentsMargins(6, 6, 6, 6);
    auto *bar = new QHBoxLayout;
    auto *showLabel = new QLabel(tr("Show:"));
    showLabel->setBuddy(m_filterBox);
    m_filterBox->addItem(tr("All calls"), int(AgentActivityFilterProxy::Filter::All));
    m_filterBox->addItem(tr("Writes"), int(AgentActivityFilterProxy::Filter::Writes));
    m_filterBox->addItem(tr("Errors"), int(AgentActivityFilterProxy::Filter::Errors));
    m_filterBox->addItem(tr("Waiting for approval"), int(AgentActivityFilterProxy::Filter::Pending));
    bar->addWidget(showLabel);
    bar->addWidget(m_filterBox);
    bar->addStretch();
    bar->addWidget(m_count);
    layout->addLayout(bar);

    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->setVisible(false);
    m_view->verticalHeader()->setDefaultSectionSize(22);
    auto *header = m_view->horizontalHeader();
    header->setStretchLastSection(false);
    header->resizeSection(AgentActivityModel::Time, 80);
    header->resizeSection(AgentActivityModel::Client, 175);
    header->resizeSection(AgentActivityModel::Tool, 215);
    header->resizeSection(AgentActivityModel::Kind, 55);
    header->resizeSection(AgentActivityModel::Approval, 140);
    header->setSectionResizeMode(AgentActivityModel::Result, QHeaderView::Stretch);
    header->resizeSection(AgentActivityModel::Duration, 75);

    m_details->setReadOnly(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setPlaceholderText(tr("Select a call to see its arguments and result."));
    m_details->setLineWrapMode(QPlainTextEdit::NoWrap);

    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_view);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter, 1);
    setWidget(contents);

    connect(m_filterBox, &QComboBox::currentIndexChanged, this,
        [this] { m_proxy->setFilter(AgentActivityFilterProxy::Filter(m_filterBox->currentData().toInt())); });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &AgentActivityPanel::showDetails);
    // The selected call may change (approved, completed) while shown.
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this] {
        if (m_shownAction != 0)
            showDetails();
    });
    for (auto signal : { &QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved })
        connect(m_proxy, signal, this, &AgentActivityPanel::updateCount);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &AgentActivityPanel::updateCount);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &AgentActivityPanel::updateCount);
    updateCount();
}

void AgentActivityPanel::onActionRecorded(qint64 actionId)
{
    m_model->refreshAction(actionId);
}

void AgentActivityPanel::onApprovalChanged(qint64 actionId)
{
    m_model->refreshAction(actionId);
}

void AgentActivityPanel::updateCount()
{
    const int shown = m_proxy->rowCount();
    const QString more = m_model->canFetchMore({}) ? tr(" (scroll for older calls)") : QString();
    m_count->setText((shown == 1 ? tr("1 call") : tr("%1 calls").arg(QLocale().toString(shown))) + more);
}

void AgentActivityPanel::showDetails()
{
    const QModelIndex current = m_proxy->mapToSource(m_view->currentIndex());
    if (!current.isValid()) {
        m_shownAction = 0;
        m_details->clear();
        return;
    }
    const Domain::AgentAction a = m_model->action(current.row());
    m_shownAction = a.id;
    QStringList lines;
    lines << tr("%1 (%2) by %3%4")
                 .arg(a.tool, a.isWrite ? tr("write") : tr("read"), a.clientName,
                     a.clientVersion.isEmpty() ? QString() : u' ' + a.clientVersion);
    lines << tr("At: %1").arg(QLocale().toString(a.occurredAt.toLocalTime(), QLocale::LongFormat));
    if (!a.sessionId.isEmpty())
        lines << tr("Session: %1").arg(a.sessionId);
    switch (a.approval) {
    case Domain::AgentApproval::NotRequired:
        break;
    case Domain::AgentApproval::Pending:
        lines << tr("Approval: waiting for the CSM");
        break;
    case Domain::AgentApproval::Approved:
    case Domain::AgentApproval::Denied:
        lines << tr("Approval: %1 by %2 at %3")
                     .arg(a.approval == Domain::AgentApproval::Approved ? tr("approved") : tr("denied"),
                         a.approvedBy.isEmpty() ? tr("unknown") : a.approvedBy,
                         QLocale().toString(a.decidedAt.toLocalTime(), QLocale::ShortFormat));
        break;
    }
    if (a.durationMs && *a.durationMs >= 0)
        lines << tr("Duration: %1 ms").arg(*a.durationMs);
    if (a.approval != Domain::AgentApproval::Pending)
        lines << (a.isError ? tr("Result: error") : tr("Result: ok"));
    if (!a.resultSummary.isEmpty())
        lines << a.resultSummary;
    lines << QString() << tr("Arguments:");
    lines << QString::fromUtf8(QJsonDocument(QJsonObject::fromVariantMap(a.arguments)).toJson(QJsonDocument::Indented))
                 .trimmed();
    m_details->setPlainText(lines.join(u'\n'));
}

} // namespace Ui
