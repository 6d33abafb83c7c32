// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "portfoliomodel.h"

#include <QHash>
#include <QLocale>

namespace Ui {

using namespace Qt::StringLiterals;

namespace {
QString sqlColumn(int column)
{
    switch (column) {
    case PortfolioModel::Name:
        return u"name"_s;
    case PortfolioModel::Tier:
        return u"tier"_s;
    case PortfolioModel::Status:
        return u"status"_s;
    case PortfolioModel::Stage:
        return u"lifecycle_stage"_s;
    case PortfolioModel::Owner:
        return u"owner"_s;
    case PortfolioModel::Arr:
        return u"arr"_s;
    case PortfolioModel::RenewalDate:
        return u"renewal_date"_s;
    case PortfolioModel::Industry:
        return u"industry"_s;
    default:
        return u"name"_s;
    }
}

} // namespace

QString PortfolioModel::tierLabel(Domain::Tier tier)
{
    switch (tier) {
    case Domain::Tier::Strategic:
        return PortfolioModel::tr("Strategic");
    case Domain::Tier::Enterprise:
        return PortfolioModel::tr("Enterprise");
    case Domain::Tier::MidMarket:
        return PortfolioModel::tr("Mid-market");
    case Domain::Tier::Smb:
        return PortfolioModel::tr("SMB");
    }
    return {};
}

namespace {

QString humanise(const QString &snake)
{
    QString text = snake;
    text.replace(u'_', u' ');
    if (!text.isEmpty())
        text[0] = text[0].toUpper();
    return text;
}
} // namespace

QString formatMoney(double amount, const QString &currency)
{
    // The few currencies whose symbol nobody misreads get it; every other amount is shown with its ISO code.
    static const QHash<QString, QString> symbols { { u"USD"_s, u"$"_s }, { u"EUR"_s, u"€"_s }, { u"GBP"_s, u"£"_s },
        { u"JPY"_s, u"¥"_s } };
    const QString number = QLocale().toString(amount, 'f', 0);
    const auto symbol = symbols.constFind(currency);
    if (symbol != symbols.cend())
        return *symbol + number;
    return number + u' ' + currency;
}

PortfolioModel::PortfolioModel(Core::CustomerService &customers, QObject *parent)
    : QAbstractTableModel(parent)
    , m_customers(customers)
{
    connect(&m_customers, &Core::CustomerService::customerChanged, this, &PortfolioModel::refreshRow);
    connect(&m_customers, &Core::CustomerService::customerAdded, this, &PortfolioModel::reload);
    connect(&m_customers, &Core::CustomerService::customerRemoved, this, &PortfolioModel::reload);
    reload();
}

int PortfolioModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int PortfolioModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PortfolioModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Domain::Customer &c = m_rows.at(index.row());
    if (role == IdRole)
        return c.id;
    if (role == Qt::TextAlignmentRole && index.column() == Arr)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    const bool raw = role == RawValueRole || role == SortRole;
    if (!raw && role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Name:
        return c.name;
    case Tier:
        return raw ? QVariant(Domain::enumName(c.tier)) : QVariant(tierLabel(c.tier));
    case Status:
        return raw ? QVariant(Domain::enumName(c.status)) : QVariant(humanise(Domain::enumName(c.status)));
    case Stage:
        return raw ? QVariant(Domain::enumName(c.lifecycleStage))
                   : QVariant(humanise(Domain::enumName(c.lifecycleStage)));
    case Owner:
        return c.owner;
    case Arr:
        return raw ? QVariant(c.arr) : QVariant(formatMoney(c.arr, c.currency));
    case RenewalDate:
        return raw ? QVariant(c.renewalDate) : QVariant(c.renewalDate.toString(Qt::ISODate)); // unambiguous;
    case Industry:
        return c.industry;
    default:
        return {};
    }
}

QVariant PortfolioModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Customer");
    case Tier:
        return tr("Tier");
    case Status:
        return tr("Status");
    case Stage:
        return tr("Lifecycle stage");
    case Owner:
        return tr("Owner");
    case Arr:
        return tr("ARR");
    case RenewalDate:
        return tr("Renewal");
    case Industry:
        return tr("Industry");
    default:
        return {};
    }
}

Storage::ListQuery PortfolioModel::baseQuery() const
{
    Storage::ListQuery query;
    query.orderBy = sqlColumn(m_sortColumn);
    query.descending = m_sortOrder == Qt::DescendingOrder;
    query.limit = PageSize;
    if (!m_nameFilter.isEmpty())
        query.filters << Storage::Filter { u"name"_s, Storage::Filter::Op::Contains, m_nameFilter };
    if (m_tierFilter)
        query.filters << Storage::Filter { u"tier"_s, Storage::Filter::Op::Eq, Domain::enumName(*m_tierFilter) };
    return query;
}

bool PortfolioModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_exhausted && !m_fetchQueued;
}

void PortfolioModel::fetchMore(const QModelIndex &parent)
{
    if (parent.isValid() || m_exhausted || m_fetchQueued)
        return;
    // Rows arrive on the next turn of the event loop, not inside the caller: views (and the model tester)
    // call fetchMore from their own change handlers, where inserting rows re-enters them.
    m_fetchQueued = true;
    QMetaObject::invokeMethod(this, &PortfolioModel::fetchNextPage, Qt::QueuedConnection);
}

void PortfolioModel::fetchNextPage()
{
    if (!m_fetchQueued)
        return; // a reload came first
    m_fetchQueued = false;
    if (m_exhausted)
        return;
    Storage::ListQuery query = baseQuery();
    query.cursor = m_cursor;
    query.countTotal = false;
    auto page = m_customers.list(query);
    if (!page) {
        m_lastError = page.error().toString();
        m_exhausted = true;
        return;
    }
    if (page->items.isEmpty()) {
        m_exhausted = true;
        return;
    }
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + page->items.size() - 1));
    m_rows << page->items;
    endInsertRows();
    m_cursor = page->nextCursor;
    m_exhausted = m_cursor.isEmpty();
}

void PortfolioModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= ColumnCount)
        return;
    const bool same = column == m_sortColumn && order == m_sortOrder;
    m_sortColumn = column;
    m_sortOrder = order;
    if (!same) // a view re-applying the order it shows asks for nothing new
        reload();
}

void PortfolioModel::setNameFilter(const QString &text)
{
    if (text == m_nameFilter)
        return;
    m_nameFilter = text;
    reload();
}

void PortfolioModel::setTierFilter(std::optional<Domain::Tier> tier)
{
    if (tier == m_tierFilter)
        return;
    m_tierFilter = tier;
    reload();
}

void PortfolioModel::reload()
{
    beginResetModel();
    m_fetchQueued = false;
    m_rows.clear();
    m_cursor.clear();
    m_exhausted = false;
    m_lastError.clear();
    Storage::ListQuery query = baseQuery();
    query.countTotal = false;
    auto page = m_customers.list(query);
    if (page) {
        m_rows = page->items;
        m_cursor = page->nextCursor;
        m_exhausted = m_cursor.isEmpty();
        m_total = m_rows.size();
        if (!m_exhausted) {
            auto counted = m_customers.count(query);
            if (counted)
                m_total = *counted;
            else
                m_lastError = counted.error().toString();
        }
    } else {
        m_lastError = page.error().toString();
        m_exhausted = true;
        m_total = 0;
    }
    endResetModel();
    Q_EMIT totalCountChanged(m_total);
}

void PortfolioModel::refreshRow(const QString &id)
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).id != id)
            continue;
        auto fresh = m_customers.get(id);
        if (!fresh)
            return;
        m_rows[row] = *fresh;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
}

} // namespace Ui
