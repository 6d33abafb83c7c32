// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "accounts.h"

#include "validation.h"

namespace Domain {

using namespace Qt::StringLiterals;

Core::Status Contact::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId)
        .required(u"name"_s, name)
        .maxLength(u"name"_s, name, 200)
        .email(u"email"_s, email)
        .maxLength(u"title"_s, title, 200)
        .enumValue(u"role"_s, role)
        .maxLength(u"phone"_s, phone, 50);
    return v.result();
}

std::optional<double> Contract::seatUtilisation() const
{
    if (!seatsPurchased || !seatsUsed || *seatsPurchased <= 0)
        return std::nullopt;
    return double(*seatsUsed) / double(*seatsPurchased);
}

Core::Status Contract::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId)
        .maxLength(u"contract_number"_s, contractNumber, 100)
        .check(startDate.isValid(), u"start_date"_s, u"is required"_s)
        .check(endDate.isValid(), u"end_date"_s, u"is required"_s)
        .dateOrder(u"end_date"_s, startDate, endDate)
        .range(u"arr"_s, arr, 0, 1e12)
        .currency(u"currency"_s, currency)
        .check(!seatsPurchased || *seatsPurchased >= 0, u"seats_purchased"_s, u"must not be negative"_s)
        .check(!seatsUsed || *seatsUsed >= 0, u"seats_used"_s, u"must not be negative"_s)
        .enumValue(u"status"_s, status)
        .enumValue(u"payment_status"_s, paymentStatus);
    return v.result();
}

Core::Status CustomFieldDefinition::validate() const
{
    Validator v;
    v.required(u"key"_s, key)
        .maxLength(u"key"_s, key, 64)
        .maxLength(u"label"_s, label, 200)
        .enumValue(u"data_type"_s, dataType);
    return v.result();
}

Core::Status Segment::validate() const
{
    Validator v;
    v.required(u"name"_s, name).maxLength(u"name"_s, name, 200).maxLength(u"owner"_s, owner, 200);
    for (auto it = criteria.cbegin(); it != criteria.cend(); ++it)
        v.check(!it.key().trimmed().isEmpty(), u"criteria"_s, u"keys must not be empty"_s);
    return v.result();
}

Core::Status SegmentMember::validate() const
{
    Validator v;
    v.positiveId(u"segment_id"_s, segmentId)
        .customerId(u"customer_id"_s, customerId)
        .maxLength(u"added_by"_s, addedBy, 200);
    return v.result();
}

} // namespace Domain
