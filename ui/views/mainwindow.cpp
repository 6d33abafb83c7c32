// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "mainwindow.h"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "portfoliomodel.h"

namespace Ui {

MainWindow::MainWindow(Core::CustomerService &customers, const QString &databaseLabel, QWidget *parent)
    : QMainWindow(parent)
    , m_model(new PortfolioModel(customers, this))
    , m_view(new QTableView(this))
    , m_filter(new QLineEdit(this))
    , m_count(new QLabel(this))
{
    setWindowTitle(tr("CS Desk — Portfolio"));
    resize(1200, 760);

    auto *toolbar = addToolBar(tr("Portfolio"));
    toolbar->setObjectName(QStringLiteral("portfolioToolBar"));
    toolbar->setMovable(false);
    m_filter->setPlaceholderText(tr("Filter customers by name…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMaximumWidth(360);
    toolbar->addWidget(m_filter);

    // Filter after a short pause in typing, so a fast typist does not query once per key.
    auto *debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(150);
    connect(m_filter, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    connect(debounce, &QTimer::timeout, this, [this] { m_model->setNameFilter(m_filter->text().trimmed()); });

    m_view->setModel(m_model);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(PortfolioModel::Name, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->setVisible(false);
    m_view->verticalHeader()->setDefaultSectionSize(24);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->resizeSection(PortfolioModel::Name, 280);
    m_view->horizontalHeader()->resizeSection(PortfolioModel::Owner, 170);
    m_view->horizontalHeader()->resizeSection(PortfolioModel::Arr, 130);
    setCentralWidget(m_view);

    statusBar()->addWidget(m_count);
    statusBar()->addPermanentWidget(new QLabel(databaseLabel, this));
    connect(m_model, &PortfolioModel::totalCountChanged, this, &MainWindow::updateCount);
    // A new sort or filter starts at the top of the list, not where the previous one was scrolled to.
    connect(m_model, &QAbstractItemModel::modelReset, m_view, &QAbstractItemView::scrollToTop);
    updateCount(m_model->totalCount());
}

void MainWindow::updateCount(qint64 total)
{
    if (!m_model->lastError().isEmpty())
        m_count->setText(tr("Could not load the portfolio: %1").arg(m_model->lastError()));
    else if (total == 0)
        m_count->setText(m_filter->text().isEmpty() ? tr("No customers yet") : tr("No customer matches the filter"));
    else
        m_count->setText(total == 1 ? tr("1 customer") : tr("%1 customers").arg(QLocale().toString(total)));
}

} // namespace Ui
