// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QDate>
#include <QString>
#include <QVariantList>

#include "enumnames.h"
#include "error.h"
#include "record.h"

// Renewals pipeline, expansion opportunities and the ARR ledger behind GRR/NRR (schema 0005, DESIGN.md §4).
// Money is in the customer's currency and never negative.
namespace Domain {

enum class RenewalStage { Upcoming, InProgress, Committed, Renewed, Churned, Downgraded };
CS_ENUM_NAMES(RenewalStage, { RenewalStage::Upcoming, "upcoming" }, { RenewalStage::InProgress, "in_progress" },
    { RenewalStage::Committed, "committed" }, { RenewalStage::Renewed, "renewed" },
    { RenewalStage::Churned, "churned" }, { RenewalStage::Downgraded, "downgraded" });

enum class RenewalOutcome { None, Renewed, Expanded, Downgraded, Churned };
CS_ENUM_NAMES(RenewalOutcome, { RenewalOutcome::None, "" }, { RenewalOutcome::Renewed, "renewed" },
    { RenewalOutcome::Expanded, "expanded" }, { RenewalOutcome::Downgraded, "downgraded" },
    { RenewalOutcome::Churned, "churned" });

enum class ExpansionKind { Upsell, CrossSell, Expansion };
CS_ENUM_NAMES(ExpansionKind, { ExpansionKind::Upsell, "upsell" }, { ExpansionKind::CrossSell, "cross_sell" },
    { ExpansionKind::Expansion, "expansion" });

enum class ExpansionStage { Identified, Qualified, Proposed, Won, Lost };
CS_ENUM_NAMES(ExpansionStage, { ExpansionStage::Identified, "identified" }, { ExpansionStage::Qualified, "qualified" },
    { ExpansionStage::Proposed, "proposed" }, { ExpansionStage::Won, "won" }, { ExpansionStage::Lost, "lost" });

enum class ArrMovementKind { New, Expansion, Contraction, Churn, Reactivation };
CS_ENUM_NAMES(ArrMovementKind, { ArrMovementKind::New, "new" }, { ArrMovementKind::Expansion, "expansion" },
    { ArrMovementKind::Contraction, "contraction" }, { ArrMovementKind::Churn, "churn" },
    { ArrMovementKind::Reactivation, "reactivation" });

// One renewal of a customer in the pipeline. `stage` tracks the pipeline; once it reaches renewed, churned
// or downgraded, `outcome` and `closedOn` record how it ended (renewed or expanded for stage renewed).
struct Renewal
{
    qint64 id = 0;
    QString customerId;
    std::optional<qint64> contractId; // cleared by the database when the contract is removed
    QDate renewalDate; // one live renewal per customer and date
    double arrCurrent = 0;
    std::optional<double> arrProposed;
    std::optional<double> probability; // p(renew), 0..1; empty until assessed
    RenewalStage stage = RenewalStage::Upcoming;
    RenewalOutcome outcome = RenewalOutcome::None;
    std::optional<double> outcomeArr;
    QDate closedOn;
    QString owner;
    bool checkpoint180Done = false; // T-180 days review held
    bool checkpoint90Done = false; // T-90 days review held
    QString notes;
    RecordMeta meta;

    bool isClosed() const { return outcome != RenewalOutcome::None; }
    // This renewal's term of the renewal forecast, p(renew) x ARR (DESIGN.md §4); empty until assessed.
    std::optional<double> forecastArr() const;
    Core::Status validate() const;
};

// An upsell, cross-sell or expansion opportunity at a customer.
struct ExpansionOpportunity
{
    qint64 id = 0;
    QString customerId;
    ExpansionKind kind = ExpansionKind::Upsell;
    QString product; // one open opportunity per customer, kind and product
    QString title;
    double estimatedArr = 0;
    std::optional<double> score; // 0..100
    QVariantList evidence; // the data points that suggested it
    ExpansionStage stage = ExpansionStage::Identified;
    QString owner;
    std::optional<double> wonArr; // only once won
    QString lostReason;
    QDate closedOn; // only once won or lost
    QString notes;
    RecordMeta meta;

    bool isOpen() const { return stage != ExpansionStage::Won && stage != ExpansionStage::Lost; }
    Core::Status validate() const;
};

// One entry of the ARR ledger (append-only): `amount` is the magnitude, the direction comes from `kind`.
struct ArrMovement
{
    qint64 id = 0;
    QString customerId;
    QDate movementDate;
    ArrMovementKind kind = ArrMovementKind::New;
    double amount = 0;
    std::optional<double> arrBefore;
    std::optional<double> arrAfter; // when both are known: arrAfter = arrBefore + signedAmount()
    QString reason;
    QString sourceTable; // the record that caused it (e.g. "renewals"), for drill-down
    QString sourceId;
    RecordMeta meta;

    // +amount for new, expansion and reactivation; -amount for contraction and churn.
    double signedAmount() const;
    Core::Status validate() const;
};

} // namespace Domain
