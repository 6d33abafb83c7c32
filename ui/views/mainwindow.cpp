// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "mainwindow.h"

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
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
    , m_mcpStatus(new QLabel(this))
{
    setWindowTitle(tr("CS Desk — Portfolio"));
    resize(1200, 760);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    m_settingsAction = file->addAction(tr("&Settings…"), this, &MainWindow::settingsRequested);
    m_settingsAction->setObjectName(QStringLiteral("settingsAction"));
    m_settingsAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+,")));
    m_settingsAction->setMenuRole(QAction::PreferencesRole);
    file->addSeparator();
    m_quitAction = file->addAction(tr("&Quit"), this, &QWidget::close);
    m_quitAction->setObjectName(QStringLiteral("quitAction"));
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_agentActivityAction = m_viewMenu->addAction(tr("&Agent activity"));
    m_agentActivityAction->setEnabled(false); // until the app adds the dock

    auto *toolbar = addToolBar(tr("Portfolio"));
    toolbar->setObjectName(QStringLiteral("portfolioToolBar"));
    toolbar->setMovable(false);
    m_filter->setPlaceholderText(tr("Filter customers by name…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMaximumWidth(360);
    toolbar->addWidget(m_filter);
    m_tierFilter = new QComboBox(this);
    m_tierFilter->setObjectName(QStringLiteral("tierFilter"));
    m_tierFilter->setToolTip(tr("Show only customers of one tier"));
    m_tierFilter->addItem(tr("All tiers"));
    for (const Domain::Tier tier :
        { Domain::Tier::Strategic, Domain::Tier::Enterprise, Domain::Tier::MidMarket, Domain::Tier::Smb })
        m_tierFilter->addItem(PortfolioModel::tierLabel(tier), int(tier));
    toolbar->addWidget(m_tierFilter);
    connect(m_tierFilter, &QComboBox::currentIndexChanged, this, [this] {
        const QVariant tier = m_tierFilter->currentData();
        m_model->setTierFilter(tier.isValid() ? std::optional(Domain::Tier(tier.toInt())) : std::nullopt);
    });

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
    m_mcpStatus->setObjectName(QStringLiteral("mcpStatus"));
    m_mcpStatus->setVisible(false);
    statusBar()->addPermanentWidget(m_mcpStatus);
    statusBar()->addPermanentWidget(new QLabel(databaseLabel, this));
    connect(m_model, &PortfolioModel::totalCountChanged, this, &MainWindow::updateCount);
    // A new sort or filter starts at the top of the list, not where the previous one was scrolled to.
    connect(m_model, &QAbstractItemModel::modelReset, m_view, &QAbstractItemView::scrollToTop);
    updateCount(m_model->totalCount());
}

void MainWindow::addAgentDock(QDockWidget *dock)
{
    if (m_agentDock)
        return;
    m_agentDock = dock;
    dock->setParent(this);
    dock->setAllowedAreas(Qt::BottomDockWidgetArea | Qt::RightDockWidgetArea);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    dock->show(); // also when the window is already on screen
    resizeDocks({ dock }, { 300 }, Qt::Vertical);
    QAction *toggle = dock->toggleViewAction();
    toggle->setText(tr("&Agent activity"));
    toggle->setObjectName(QStringLiteral("agentActivityAction"));
    toggle->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+A")));
    m_viewMenu->insertAction(m_agentActivityAction, toggle);
    m_viewMenu->removeAction(m_agentActivityAction);
    delete m_agentActivityAction;
    m_agentActivityAction = toggle;
}

void MainWindow::setMcpStatus(const QString &text, const QString &toolTip)
{
    m_mcpStatus->setText(text);
    m_mcpStatus->setToolTip(toolTip);
    m_mcpStatus->setVisible(!text.isEmpty());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    Q_EMIT closing();
    QMainWindow::closeEvent(event);
}

void MainWindow::updateCount(qint64 total)
{
    if (!m_model->lastError().isEmpty())
        m_count->setText(tr("Could not load the portfolio: %1").arg(m_model->lastError()));
    else if (total == 0)
        m_count->setText(m_filter->text().isEmpty() && m_tierFilter->currentIndex() == 0
                ? tr("No customers yet")
                : tr("No customer matches the filter"));
    else
        m_count->setText(total == 1 ? tr("1 customer") : tr("%1 customers").arg(QLocale().toString(total)));
}

} // namespace Ui
