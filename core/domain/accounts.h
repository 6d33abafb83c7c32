// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QDate>
#include <QString>
#include <QVariantMap>

#include "enumnames.h"
#include "error.h"
#include "record.h"

// The records around a customer account (schema 0001): contacts, contracts, the custom field catalogue and
// saved segments. The customer itself lives in customer.h.
namespace Domain {

enum class ContactRole {
    None,
    Champion,
    ExecutiveSponsor,
    DecisionMaker,
    EconomicBuyer,
    Admin,
    Technical,
    Billing,
    EndUser,
    Other
};
CS_ENUM_NAMES(ContactRole, { ContactRole::None, "" }, { ContactRole::Champion, "champion" },
    { ContactRole::ExecutiveSponsor, "executive_sponsor" }, { ContactRole::DecisionMaker, "decision_maker" },
    { ContactRole::EconomicBuyer, "economic_buyer" }, { ContactRole::Admin, "admin" },
    { ContactRole::Technical, "technical" }, { ContactRole::Billing, "billing" }, { ContactRole::EndUser, "end_user" },
    { ContactRole::Other, "other" });

enum class ContractStatus { Active, Expired, Cancelled, Pending };
CS_ENUM_NAMES(ContractStatus, { ContractStatus::Active, "active" }, { ContractStatus::Expired, "expired" },
    { ContractStatus::Cancelled, "cancelled" }, { ContractStatus::Pending, "pending" });

enum class PaymentStatus { None, Current, Late, Overdue, Failed };
CS_ENUM_NAMES(PaymentStatus, { PaymentStatus::None, "" }, { PaymentStatus::Current, "current" },
    { PaymentStatus::Late, "late" }, { PaymentStatus::Overdue, "overdue" }, { PaymentStatus::Failed, "failed" });

enum class CustomFieldType { Numeric, Categorical };
CS_ENUM_NAMES(
    CustomFieldType, { CustomFieldType::Numeric, "numeric" }, { CustomFieldType::Categorical, "categorical" });

// A person at a customer account. At most one live contact per customer is primary, and an e-mail address
// belongs to one live contact per customer (both enforced by the schema's unique indexes).
struct Contact
{
    qint64 id = 0; // assigned on create
    QString customerId;
    QString name;
    QString email;
    QString title; // job title
    ContactRole role = ContactRole::None;
    bool isPrimary = false;
    QString phone;
    QString notes;
    RecordMeta meta;

    Core::Status validate() const;
};

// One signed contract of a customer; renewals refer to it.
struct Contract
{
    qint64 id = 0;
    QString customerId;
    QString contractNumber;
    QDate startDate;
    QDate endDate; // strictly after startDate
    double arr = 0;
    QString currency = QStringLiteral("USD");
    std::optional<int> seatsPurchased;
    std::optional<int> seatsUsed; // may exceed seatsPurchased: over-use is an expansion signal, not an error
    ContractStatus status = ContractStatus::Active;
    bool autoRenew = false;
    PaymentStatus paymentStatus = PaymentStatus::None;
    QString notes;
    RecordMeta meta;

    // Seats used per seat bought (the "seats used vs bought" input of the financial health component);
    // empty when either count is unknown or nothing was bought.
    std::optional<double> seatUtilisation() const;
    Core::Status validate() const;
};

// A key that occurs in customers.custom_fields, with how the churn model treats it.
struct CustomFieldDefinition
{
    qint64 id = 0;
    QString key; // as in Customer::customFields, so at most 64 characters like those keys
    QString label;
    CustomFieldType dataType = CustomFieldType::Categorical;
    QString description;
    RecordMeta meta;

    Core::Status validate() const;
};

// A saved filter over the portfolio. Dynamic segments evaluate `criteria`; static ones list their members
// in segment_members.
struct Segment
{
    qint64 id = 0;
    QString name; // unique (case-insensitive) among live segments
    QString description;
    QVariantMap criteria;
    bool isDynamic = true;
    QString owner;
    RecordMeta meta;

    Core::Status validate() const;
};

// Membership of a customer in a static segment.
struct SegmentMember
{
    qint64 id = 0;
    qint64 segmentId = 0;
    QString customerId;
    QString addedBy;
    RecordMeta meta; // created/updated only: membership rows are added and removed, never versioned

    Core::Status validate() const;
};

} // namespace Domain
