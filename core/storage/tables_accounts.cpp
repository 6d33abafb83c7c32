// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "tables_accounts.h"

namespace Storage {

using namespace Qt::StringLiterals;
using Domain::Contact;
using Domain::Contract;
using Domain::CustomFieldDefinition;
using Domain::Segment;
using Domain::SegmentMember;

const QList<Column<Contact>> &TableTraits<Contact>::columns()
{
    static const QList<Column<Contact>> list {
        column(u"id"_s, &Contact::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &Contact::customerId, Immutable),
        column(u"name"_s, &Contact::name),
        column(u"email"_s, &Contact::email),
        column(u"title"_s, &Contact::title),
        column(u"role"_s, &Contact::role),
        column(u"is_primary"_s, &Contact::isPrimary),
        column(u"phone"_s, &Contact::phone),
        column(u"notes"_s, &Contact::notes),
    };
    return list;
}

const QList<Column<Contract>> &TableTraits<Contract>::columns()
{
    static const QList<Column<Contract>> list {
        column(u"id"_s, &Contract::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &Contract::customerId, Immutable),
        column(u"contract_number"_s, &Contract::contractNumber),
        column(u"start_date"_s, &Contract::startDate, NotNull),
        column(u"end_date"_s, &Contract::endDate, NotNull),
        column(u"arr"_s, &Contract::arr),
        column(u"currency"_s, &Contract::currency),
        column(u"seats_purchased"_s, &Contract::seatsPurchased),
        column(u"seats_used"_s, &Contract::seatsUsed),
        column(u"status"_s, &Contract::status),
        column(u"auto_renew"_s, &Contract::autoRenew),
        column(u"payment_status"_s, &Contract::paymentStatus),
        column(u"notes"_s, &Contract::notes),
    };
    return list;
}

const QList<Column<CustomFieldDefinition>> &TableTraits<CustomFieldDefinition>::columns()
{
    static const QList<Column<CustomFieldDefinition>> list {
        column(u"id"_s, &CustomFieldDefinition::id, KeyColumn | GeneratedKey),
        column(u"key"_s, &CustomFieldDefinition::key),
        column(u"label"_s, &CustomFieldDefinition::label),
        column(u"data_type"_s, &CustomFieldDefinition::dataType),
        column(u"description"_s, &CustomFieldDefinition::description),
    };
    return list;
}

const QList<Column<Segment>> &TableTraits<Segment>::columns()
{
    static const QList<Column<Segment>> list {
        column(u"id"_s, &Segment::id, KeyColumn | GeneratedKey),
        column(u"name"_s, &Segment::name),
        column(u"description"_s, &Segment::description),
        column(u"criteria"_s, &Segment::criteria),
        column(u"is_dynamic"_s, &Segment::isDynamic),
        column(u"owner"_s, &Segment::owner),
    };
    return list;
}

const QList<Column<SegmentMember>> &TableTraits<SegmentMember>::columns()
{
    static const QList<Column<SegmentMember>> list {
        column(u"id"_s, &SegmentMember::id, KeyColumn | GeneratedKey),
        column(u"segment_id"_s, &SegmentMember::segmentId, Immutable),
        column(u"customer_id"_s, &SegmentMember::customerId, Immutable),
        column(u"added_by"_s, &SegmentMember::addedBy),
    };
    return list;
}

} // namespace Storage
