// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "tables_revenue.h"

namespace Storage {

using namespace Qt::StringLiterals;
using Domain::ArrMovement;
using Domain::ExpansionOpportunity;
using Domain::Renewal;

const QList<Column<Renewal>> &TableTraits<Renewal>::columns()
{
    static const QList<Column<Renewal>> list {
        column(u"id"_s, &Renewal::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &Renewal::customerId, Immutable),
        column(u"contract_id"_s, &Renewal::contractId), // ON DELETE SET NULL, and may be linked later
        column(u"renewal_date"_s, &Renewal::renewalDate, NotNull),
        column(u"arr_current"_s, &Renewal::arrCurrent),
        column(u"arr_proposed"_s, &Renewal::arrProposed),
        column(u"probability"_s, &Renewal::probability),
        column(u"stage"_s, &Renewal::stage),
        column(u"outcome"_s, &Renewal::outcome),
        column(u"outcome_arr"_s, &Renewal::outcomeArr),
        column(u"closed_on"_s, &Renewal::closedOn),
        column(u"owner"_s, &Renewal::owner),
        column(u"checkpoint_180_done"_s, &Renewal::checkpoint180Done),
        column(u"checkpoint_90_done"_s, &Renewal::checkpoint90Done),
        column(u"notes"_s, &Renewal::notes),
    };
    return list;
}

const QList<Column<ExpansionOpportunity>> &TableTraits<ExpansionOpportunity>::columns()
{
    static const QList<Column<ExpansionOpportunity>> list {
        column(u"id"_s, &ExpansionOpportunity::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &ExpansionOpportunity::customerId, Immutable),
        column(u"kind"_s, &ExpansionOpportunity::kind),
        column(u"product"_s, &ExpansionOpportunity::product),
        column(u"title"_s, &ExpansionOpportunity::title),
        column(u"estimated_arr"_s, &ExpansionOpportunity::estimatedArr),
        column(u"score"_s, &ExpansionOpportunity::score),
        column(u"evidence"_s, &ExpansionOpportunity::evidence),
        column(u"stage"_s, &ExpansionOpportunity::stage),
        column(u"owner"_s, &ExpansionOpportunity::owner),
        column(u"won_arr"_s, &ExpansionOpportunity::wonArr),
        column(u"lost_reason"_s, &ExpansionOpportunity::lostReason),
        column(u"closed_on"_s, &ExpansionOpportunity::closedOn),
        column(u"notes"_s, &ExpansionOpportunity::notes),
    };
    return list;
}

const QList<Column<ArrMovement>> &TableTraits<ArrMovement>::columns()
{
    static const QList<Column<ArrMovement>> list {
        column(u"id"_s, &ArrMovement::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &ArrMovement::customerId, Immutable),
        column(u"movement_date"_s, &ArrMovement::movementDate, NotNull),
        column(u"kind"_s, &ArrMovement::kind),
        column(u"amount"_s, &ArrMovement::amount),
        column(u"arr_before"_s, &ArrMovement::arrBefore),
        column(u"arr_after"_s, &ArrMovement::arrAfter),
        column(u"reason"_s, &ArrMovement::reason),
        column(u"source_table"_s, &ArrMovement::sourceTable),
        column(u"source_id"_s, &ArrMovement::sourceId),
    };
    return list;
}

} // namespace Storage
