// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "portfoliomodel.h"

#include <QHash>
#include <QLocale>

#include "changefeed.h"
#include "database.h"

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

// The reads of loadInBackground(), on the model's thread with a CustomerService (and so a connection) of their own.
class PortfolioModel::Loader final : public QObject
{
public:
    Loader(const Storage::Database &db, std::shared_ptr<std::atomic<quint64>> latestGeneration)
        : m_db(db)
        , m_latestGeneration(std::move(latestGeneration))
    { }
    ~Loader() override
    {
        m_customers.reset();
        m_db.releaseThreadConnection(); // runs on the loader's thread (deleted there before it ends)
    }

    // `model` outlives every call: its destructor joins this thread first (and drops answers still queued to it).
    void load(PortfolioModel *model, quint64 generation, const Storage::ListQuery &query, bool reset)
    {
        // A sort or filter asked for since: its own request is queued behind this one, so this one need not run.
        if (generation != m_latestGeneration->load())
            return;
        if (!m_customers)
            m_customers = std::make_unique<Core::CustomerService>(m_db);
        Answer answer = read(*m_customers, query, reset);
        answer.generation = generation;
        QMetaObject::invokeMethod(
            model, [model, answer = std::move(answer)] { model->apply(answer); }, Qt::QueuedConnection);
    }

    void refresh(PortfolioModel *model, const QStringList &ids)
    {
        if (!m_customers)
            m_customers = std::make_unique<Core::CustomerService>(m_db);
        QList<Domain::Customer> fresh = readCustomers(*m_customers, ids);
        QMetaObject::invokeMethod(
            model, [model, fresh = std::move(fresh)] { model->applyRefreshed(fresh); }, Qt::QueuedConnection);
    }

    // The customers of `ids` still there (a removed one is left out: its removal reloads the rows).
    static QList<Domain::Customer> readCustomers(const Core::CustomerService &customers, const QStringList &ids)
    {
        QList<Domain::Customer> fresh;
        fresh.reserve(ids.size());
        for (const QString &id : ids) {
            if (auto customer = customers.get(id))
                fresh.append(std::move(*customer));
        }
        return fresh;
    }

private:
    const Storage::Database &m_db;
    std::shared_ptr<std::atomic<quint64>> m_latestGeneration;
    std::unique_ptr<Core::CustomerService> m_customers;
};

PortfolioModel::PortfolioModel(Core::CustomerService &customers, QObject *parent)
    : QAbstractTableModel(parent)
    , m_customers(customers)
{
    m_serviceConnections = {
        connect(&m_customers, &Core::CustomerService::customerChanged, this,
            [this](const QString &id) { refreshRows({ id }); }),
        connect(&m_customers, &Core::CustomerService::customerAdded, this, &PortfolioModel::reload),
        connect(&m_customers, &Core::CustomerService::customerRemoved, this, &PortfolioModel::reload),
    };
    reload();
}

PortfolioModel::~PortfolioModel()
{
    if (!m_loader)
        return;
    // The loader goes on its own thread (its connection with it); answers still queued to this model die with it.
    QMetaObject::invokeMethod(m_loader, &QObject::deleteLater);
    m_thread.quit();
    m_thread.wait();
}

void PortfolioModel::loadInBackground(const Storage::Database &db)
{
    if (m_loader)
        return;
    m_background = true;
    m_latestGeneration = std::make_shared<std::atomic<quint64>>(m_generation);
    m_thread.setObjectName(QStringLiteral("portfolio loader"));
    m_loader = new Loader(db, m_latestGeneration);
    m_loader->moveToThread(&m_thread);
    m_thread.start();
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
    return !parent.isValid() && !m_exhausted && !m_fetchQueued && !m_resetPending;
}

void PortfolioModel::fetchMore(const QModelIndex &parent)
{
    if (parent.isValid() || m_exhausted || m_fetchQueued || m_resetPending)
        return;
    m_fetchQueued = true;
    if (m_background)
        return request(nextPageQuery(), false);
    // Rows arrive on the next turn of the event loop, not inside the caller: views (and the model tester)
    // call fetchMore from their own change handlers, where inserting rows re-enters them.
    QMetaObject::invokeMethod(this, &PortfolioModel::fetchNextPage, Qt::QueuedConnection);
}

void PortfolioModel::fetchNextPage()
{
    if (!m_fetchQueued)
        return; // a reload came first
    if (m_exhausted) {
        m_fetchQueued = false;
        return;
    }
    request(nextPageQuery(), false);
}

Storage::ListQuery PortfolioModel::nextPageQuery() const
{
    Storage::ListQuery query = baseQuery();
    query.cursor = m_cursor;
    query.countTotal = false;
    return query;
}

void PortfolioModel::request(const Storage::ListQuery &query, bool reset)
{
    if (m_background) {
        QMetaObject::invokeMethod(m_loader, [loader = m_loader, model = this, generation = m_generation, query, reset] {
            loader->load(model, generation, query, reset);
        });
        return;
    }
    Answer answer = read(m_customers, query, reset);
    answer.generation = m_generation;
    apply(answer);
}

PortfolioModel::Answer PortfolioModel::read(
    const Core::CustomerService &customers, const Storage::ListQuery &query, bool reset)
{
    Answer answer;
    answer.reset = reset;
    auto page = customers.list(query);
    if (!page) {
        answer.error = page.error().toString();
        return answer;
    }
    answer.rows = std::move(page->items);
    answer.cursor = page->nextCursor;
    answer.total = answer.rows.size();
    if (reset && !answer.cursor.isEmpty()) {
        // A full first page: count the rest (a shorter one is the whole answer).
        auto counted = customers.count(query);
        if (counted)
            answer.total = *counted;
        else
            answer.error = counted.error().toString();
    }
    return answer;
}

void PortfolioModel::apply(const Answer &answer)
{
    if (answer.generation != m_generation)
        return; // the sort or filter changed since it was asked for
    if (!answer.reset) {
        if (!m_fetchQueued)
            return;
        m_fetchQueued = false;
        if (!answer.error.isEmpty()) {
            m_lastError = answer.error;
            m_exhausted = true;
            return;
        }
        if (answer.rows.isEmpty()) {
            m_exhausted = true;
            return;
        }
        // The cursor moves before the views hear of the rows: they (and the model tester) ask for the next page from
        // their rowsInserted handlers, and with the reads in the background that request takes the cursor at once.
        m_cursor = answer.cursor;
        m_exhausted = m_cursor.isEmpty();
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + answer.rows.size() - 1));
        m_rows << answer.rows;
        endInsertRows();
        return;
    }
    const bool pending = m_resetPending;
    beginResetModel();
    m_resetPending = false;
    m_fetchQueued = false;
    m_rows = answer.rows;
    m_cursor = answer.cursor;
    // A page that failed to load is the end of the list; a count that failed leaves the page's rows on show.
    m_exhausted = m_cursor.isEmpty() || (m_rows.isEmpty() && !answer.error.isEmpty());
    m_total = m_rows.isEmpty() && !answer.error.isEmpty() ? 0 : answer.total;
    m_lastError = answer.error;
    endResetModel();
    Q_EMIT totalCountChanged(m_total);
    if (pending)
        Q_EMIT loaded();
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
    ++m_generation; // whatever is on its way for the previous sort or filter is dropped
    m_fetchQueued = false;
    Storage::ListQuery query = baseQuery();
    query.countTotal = false; // counted apart, only when the first page is full (read())
    if (m_background) {
        // The rows on show stay until the answer arrives (apply()).
        m_resetPending = true;
        m_latestGeneration->store(m_generation);
    }
    request(query, true);
}

void PortfolioModel::observe(Core::ChangeFeed &feed)
{
    // The feed carries this thread's changes too: the service's own signals would refresh twice.
    for (const QMetaObject::Connection &connection : std::as_const(m_serviceConnections))
        disconnect(connection);
    m_serviceConnections.clear();
    connect(&feed, &Core::ChangeFeed::changed, this, &PortfolioModel::onChanges);
}

void PortfolioModel::onChanges(const Core::ChangeBatch &batch)
{
    using T = Core::ChangeTopic;
    // What a row shows: the customer record, its lifecycle stage, ARR and renewal date.
    const auto rowTopics = { T::CustomerChanged, T::Lifecycle, T::Engagement, T::Arr, T::Renewal };
    const bool rowsComeOrGo = batch.hasAnyTopic({ T::CustomerAdded, T::CustomerRemoved, T::Import });
    if (rowsComeOrGo || (batch.overflowed && batch.hasAnyTopic(rowTopics)))
        return reload();
    refreshRows(batch.customerIds(rowTopics));
}

void PortfolioModel::refreshRows(const QSet<QString> &ids)
{
    if (ids.isEmpty())
        return;
    QStringList shown;
    for (const Domain::Customer &row : std::as_const(m_rows)) {
        if (ids.contains(row.id))
            shown.append(row.id);
    }
    if (shown.isEmpty())
        return;
    if (m_background) {
        QMetaObject::invokeMethod(
            m_loader, [loader = m_loader, model = this, shown] { loader->refresh(model, shown); });
        return;
    }
    applyRefreshed(Loader::readCustomers(m_customers, shown));
}

void PortfolioModel::applyRefreshed(const QList<Domain::Customer> &customers)
{
    // By id: a reload or a further page may have moved the rows since they were asked for.
    QHash<QString, int> rowOf;
    rowOf.reserve(m_rows.size());
    for (int row = 0; row < m_rows.size(); ++row)
        rowOf.insert(m_rows.at(row).id, row);
    for (const Domain::Customer &customer : customers) {
        const auto row = rowOf.constFind(customer.id);
        if (row == rowOf.cend())
            continue;
        m_rows[*row] = customer;
        Q_EMIT dataChanged(index(*row, 0), index(*row, ColumnCount - 1));
    }
}

} // namespace Ui
