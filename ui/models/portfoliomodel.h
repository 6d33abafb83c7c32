// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <atomic>
#include <memory>
#include <optional>

#include <QAbstractTableModel>
#include <QThread>

#include "customerservice.h"

namespace Core {
class ChangeFeed;
struct ChangeBatch;
} // namespace Core
namespace Storage {
class Database;
}

namespace Ui {

// "$120,000", "€9,500", "48,000 CHF": whole units, the locale's grouping.
QString formatMoney(double amount, const QString &currency);

// The portfolio as a table. Rows arrive a page at a time (canFetchMore/fetchMore over keyset pages), and
// sorting and name filtering happen in SQL, so a 100,000-customer portfolio opens without loading it whole.
// Every sortable column has an index on its keyset order (migrations 0010 and 0012), so a page costs the same
// at the top and at the end of the list.
//
// By default every page is read on the caller's (the GUI) thread, before sort(), a filter setter or fetchMore()
// returns. After loadInBackground() the reads run on a thread of the model's own (DESIGN.md §2: the GUI thread never
// waits on a long query): a new sort or filter keeps the rows on show until the answer arrives, and an answer to a
// sort or filter that has changed since is dropped.
class PortfolioModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PortfolioModel)

public:
    enum Column { Name, Tier, Status, Stage, Owner, Arr, RenewalDate, Industry, ColumnCount };
    enum Role { RawValueRole = Qt::UserRole, SortRole, IdRole };

    explicit PortfolioModel(Core::CustomerService &customers, QObject *parent = nullptr);
    ~PortfolioModel() override; // joins the loading thread, if any

    // From now on, reads pages on a thread of the model's own, with its own connection to `db` (the database
    // `customers` works on; it must outlive the model). Rows refreshed after a change are read there too.
    void loadInBackground(const Storage::Database &db);
    // From now on, follows `feed` (which must outlive the model) instead of `customers`' own signals: changes made by
    // any thread's services (an agent's through the MCP server) or another desktop show here. Changed customers on
    // show are re-read (at most one batch per feed interval); added or removed customers, an import or "many
    // changed" reload the rows, keeping the sort and filter.
    void observe(Core::ChangeFeed &feed);
    // The rows of the latest sort or filter are on their way (only after loadInBackground(); loaded() follows).
    bool isLoading() const { return m_resetPending; }
    // A further page asked for by fetchMore() is on its way.
    bool isFetching() const { return m_fetchQueued; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    // Case-insensitive substring of the customer name; empty shows everyone.
    void setNameFilter(const QString &text);
    // Only customers of this tier; nullopt shows every tier.
    void setTierFilter(std::optional<Domain::Tier> tier);
    // How the Tier column and the window's tier filter name a tier.
    static QString tierLabel(Domain::Tier tier);
    // Customers matching the current filter, including rows not fetched yet (counted only when the first page
    // is full: a shorter first page is the whole answer).
    qint64 totalCount() const { return m_total; }
    QString lastError() const { return m_lastError; }

    static constexpr int PageSize = 500;

Q_SIGNALS:
    void totalCountChanged(qint64 total);
    // loadInBackground(): the answer to the latest sort or filter is on show (also when it failed: lastError()).
    void loaded();

private:
    class Loader;
    // One read: the first page of a (re)load with its count, or the next page after `query.cursor`.
    struct Answer
    {
        quint64 generation = 0;
        bool reset = true;
        QList<Domain::Customer> rows;
        QString cursor;
        qint64 total = 0;
        QString error;
    };
    static Answer read(const Core::CustomerService &customers, const Storage::ListQuery &query, bool reset);
    void reload();
    void fetchNextPage();
    // Reads `query` on the loader (background) or here, and applies the answer for the current generation.
    void request(const Storage::ListQuery &query, bool reset);
    void apply(const Answer &answer);
    void onChanges(const Core::ChangeBatch &batch);
    // Re-reads the rows on show among `ids` (on the loader when there is one) and puts them in place.
    void refreshRows(const QSet<QString> &ids);
    void applyRefreshed(const QList<Domain::Customer> &customers);
    Storage::ListQuery baseQuery() const;
    Storage::ListQuery nextPageQuery() const;

    Core::CustomerService &m_customers;
    QList<Domain::Customer> m_rows;
    QString m_cursor;
    bool m_exhausted = false;
    bool m_fetchQueued = false;
    qint64 m_total = 0;
    QString m_nameFilter;
    std::optional<Domain::Tier> m_tierFilter;
    int m_sortColumn = Name;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    QString m_lastError;
    // Which sort and filter the rows belong to: bumped by every reload; answers of an older one are dropped.
    quint64 m_generation = 0;
    bool m_resetPending = false;
    bool m_background = false;
    std::shared_ptr<std::atomic<quint64>> m_latestGeneration; // read by the loader: skips superseded requests
    QThread m_thread;
    Loader *m_loader = nullptr; // lives on m_thread
    QList<QMetaObject::Connection> m_serviceConnections; // to m_customers' signals, until observe()
};

} // namespace Ui
