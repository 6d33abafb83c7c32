// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QObject>

#include "customer.h"
#include "tables_customers.h"

namespace Core {

// Customers: the one place both faces (window and MCP) create, read, change and delete accounts.
// Emits change signals so open views refresh when anyone, an agent included, changes the portfolio.
class CustomerService final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CustomerService)

public:
    explicit CustomerService(const Storage::Database &db, QObject *parent = nullptr);

    Result<Domain::Customer> create(const Domain::Customer &customer);
    Result<Domain::Customer> get(const QString &id) const;
    // Optimistic: `customer.meta.version` must be the stored version, else ErrorCode::Conflict.
    Result<Domain::Customer> update(const Domain::Customer &customer);
    Status remove(const QString &id, int expectedVersion = 0);
    Result<Storage::Page<Domain::Customer>> list(const Storage::ListQuery &query) const;

Q_SIGNALS:
    void customerAdded(const QString &id);
    void customerChanged(const QString &id);
    void customerRemoved(const QString &id);

private:
    Storage::CustomerRepository m_customers;
};

} // namespace Core
