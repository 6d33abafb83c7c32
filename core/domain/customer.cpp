// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "customer.h"

#include "validation.h"

namespace Domain {

using namespace Qt::StringLiterals;

Core::Status Customer::validate() const
{
    Validator v;
    v.customerId(u"id"_s, id)
        .required(u"name"_s, name)
        .maxLength(u"name"_s, name, 200)
        .maxLength(u"company"_s, company, 200)
        .domainName(u"domain"_s, domain)
        .maxLength(u"industry"_s, industry, 100)
        .enumValue(u"tier"_s, tier)
        .enumValue(u"status"_s, status)
        .enumValue(u"lifecycle_stage"_s, lifecycleStage)
        .maxLength(u"owner"_s, owner, 200)
        .range(u"arr"_s, arr, 0, 1e12)
        .currency(u"currency"_s, currency)
        .dateOrder(u"contract_end"_s, contractStart, contractEnd)
        .check(status != CustomerStatus::Churned || churnedAt.isValid(), u"churned_at"_s,
               u"is required when status is churned"_s)
        .check(status == CustomerStatus::Churned || !churnedAt.isValid(), u"churned_at"_s,
               u"may only be set when status is churned"_s);
    for (auto it = customFields.cbegin(); it != customFields.cend(); ++it) {
        v.check(!it.key().trimmed().isEmpty() && it.key().size() <= 64, u"custom_fields"_s,
                u"keys must be 1 to 64 characters"_s);
    }
    return v.result();
}

} // namespace Domain
