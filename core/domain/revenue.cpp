// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "revenue.h"

#include <cmath>

#include <QStringList>

#include "validation.h"

namespace Domain {

using namespace Qt::StringLiterals;

namespace {
constexpr double MaxMoney = 1e12;
// Ledger amounts are currency values: a rounding difference below half a cent is not a disagreement.
constexpr double MoneyTolerance = 0.005;

// Which outcomes can close a renewal that reached `stage` (empty: the renewal is still open).
QList<RenewalOutcome> outcomesFor(RenewalStage stage)
{
    switch (stage) {
    case RenewalStage::Renewed:
        return { RenewalOutcome::Renewed, RenewalOutcome::Expanded };
    case RenewalStage::Churned:
        return { RenewalOutcome::Churned };
    case RenewalStage::Downgraded:
        return { RenewalOutcome::Downgraded };
    case RenewalStage::Upcoming:
    case RenewalStage::InProgress:
    case RenewalStage::Committed:
        break;
    }
    return {};
}
} // namespace

std::optional<double> Renewal::forecastArr() const
{
    if (!probability)
        return std::nullopt;
    return *probability * arrCurrent;
}

Core::Status Renewal::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId)
        .check(!contractId || *contractId > 0, u"contract_id"_s, u"must reference an existing contract"_s)
        .check(renewalDate.isValid(), u"renewal_date"_s, u"is required"_s)
        .range(u"arr_current"_s, arrCurrent, 0, MaxMoney)
        .range(u"arr_proposed"_s, arrProposed, 0, MaxMoney)
        .range(u"probability"_s, probability, 0, 1)
        .enumValue(u"stage"_s, stage)
        .enumValue(u"outcome"_s, outcome)
        .range(u"outcome_arr"_s, outcomeArr, 0, MaxMoney)
        .maxLength(u"owner"_s, owner, 200);
    if (!v.ok())
        return v.result();

    const QList<RenewalOutcome> allowed = outcomesFor(stage);
    if (allowed.isEmpty()) {
        v.check(outcome == RenewalOutcome::None, u"outcome"_s,
            u"must be empty while the renewal is open (stage %1)"_s.arg(enumName(stage)));
    } else {
        QStringList names;
        for (RenewalOutcome o : allowed)
            names << enumName(o);
        v.check(allowed.contains(outcome), u"outcome"_s,
            u"must be %1 when stage is %2"_s.arg(names.join(u" or "), enumName(stage)));
    }
    v.check(outcome == RenewalOutcome::None || closedOn.isValid(), u"closed_on"_s,
         u"is required once the renewal has an outcome"_s)
        .check(outcome != RenewalOutcome::None || !closedOn.isValid(), u"closed_on"_s,
            u"may only be set together with an outcome"_s)
        .check(outcome != RenewalOutcome::None || !outcomeArr, u"outcome_arr"_s,
            u"may only be set together with an outcome"_s);
    return v.result();
}

Core::Status ExpansionOpportunity::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId)
        .enumValue(u"kind"_s, kind)
        .maxLength(u"product"_s, product, 200)
        .maxLength(u"title"_s, title, 200)
        .range(u"estimated_arr"_s, estimatedArr, 0, MaxMoney)
        .range(u"score"_s, score, 0, 100)
        .enumValue(u"stage"_s, stage)
        .maxLength(u"owner"_s, owner, 200)
        .range(u"won_arr"_s, wonArr, 0, MaxMoney)
        .check(!wonArr || stage == ExpansionStage::Won, u"won_arr"_s, u"may only be set once the opportunity is won"_s)
        .check(
            !closedOn.isValid() || !isOpen(), u"closed_on"_s, u"may only be set once the opportunity is won or lost"_s);
    return v.result();
}

double ArrMovement::signedAmount() const
{
    switch (kind) {
    case ArrMovementKind::Contraction:
    case ArrMovementKind::Churn:
        return -amount;
    case ArrMovementKind::New:
    case ArrMovementKind::Expansion:
    case ArrMovementKind::Reactivation:
        break;
    }
    return amount;
}

Core::Status ArrMovement::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId)
        .check(movementDate.isValid(), u"movement_date"_s, u"is required"_s)
        .enumValue(u"kind"_s, kind)
        .range(u"amount"_s, amount, 0, MaxMoney)
        .range(u"arr_before"_s, arrBefore, 0, MaxMoney)
        .range(u"arr_after"_s, arrAfter, 0, MaxMoney)
        .maxLength(u"source_table"_s, sourceTable, 100)
        .maxLength(u"source_id"_s, sourceId, 200);
    // New and reactivated customers start from nothing; a churn ends at nothing.
    const bool fromZero = kind == ArrMovementKind::New || kind == ArrMovementKind::Reactivation;
    v.check(!fromZero || !arrBefore || *arrBefore <= MoneyTolerance, u"arr_before"_s,
         u"must be 0 for a %1 movement"_s.arg(enumName(kind)))
        .check(kind != ArrMovementKind::Churn || !arrAfter || *arrAfter <= MoneyTolerance, u"arr_after"_s,
            u"must be 0 after a churn"_s)
        .check(!arrBefore || !arrAfter || std::abs(*arrBefore + signedAmount() - *arrAfter) <= MoneyTolerance,
            u"arr_after"_s, u"must equal arr_before %1 amount"_s.arg(signedAmount() < 0 ? u"minus"_s : u"plus"_s));
    return v.result();
}

} // namespace Domain
