// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "customerservice.h"

namespace Core {

CustomerService::CustomerService(const Storage::Database &db, QObject *parent)
    : QObject(parent)
    , m_customers(db)
{
}

Result<Domain::Customer> CustomerService::create(const Domain::Customer &customer)
{
    auto created = m_customers.create(customer);
    if (created)
        Q_EMIT customerAdded(created->id);
    return created;
}

Result<Domain::Customer> CustomerService::get(const QString &id) const
{
    return m_customers.get(id);
}

Result<Domain::Customer> CustomerService::update(const Domain::Customer &customer)
{
    auto updated = m_customers.update(customer);
    if (updated)
        Q_EMIT customerChanged(updated->id);
    return updated;
}

Status CustomerService::remove(const QString &id, int expectedVersion)
{
    auto removed = m_customers.softDelete(id, expectedVersion);
    if (removed)
        Q_EMIT customerRemoved(id);
    return removed;
}

Result<Storage::Page<Domain::Customer>> CustomerService::list(const Storage::ListQuery &query) const
{
    return m_customers.list(query);
}

} // namespace Core
