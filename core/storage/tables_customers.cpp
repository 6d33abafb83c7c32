// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "tables_customers.h"

namespace Storage {

using namespace Qt::StringLiterals;
using Domain::Customer;

const QList<Column<Customer>> &TableTraits<Customer>::columns()
{
    static const QList<Column<Customer>> list {
        column(u"id"_s, &Customer::id, KeyColumn | Immutable | NotNull),
        column(u"name"_s, &Customer::name, NotNull),
        column(u"company"_s, &Customer::company),
        column(u"domain"_s, &Customer::domain),
        column(u"industry"_s, &Customer::industry),
        column(u"tier"_s, &Customer::tier, NotNull),
        column(u"status"_s, &Customer::status, NotNull),
        column(u"lifecycle_stage"_s, &Customer::lifecycleStage, NotNull),
        column(u"owner"_s, &Customer::owner),
        column(u"arr"_s, &Customer::arr, NotNull),
        column(u"currency"_s, &Customer::currency, NotNull),
        column(u"contract_type"_s, &Customer::contractType),
        column(u"contract_start"_s, &Customer::contractStart),
        column(u"contract_end"_s, &Customer::contractEnd),
        column(u"renewal_date"_s, &Customer::renewalDate),
        column(u"churned_at"_s, &Customer::churnedAt),
        column(u"custom_fields"_s, &Customer::customFields, NotNull),
    };
    return list;
}

} // namespace Storage
