// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QDate>
#include <QString>
#include <QVariantMap>

#include "enumnames.h"
#include "error.h"
#include "record.h"

namespace Domain {

enum class Tier { Strategic, Enterprise, MidMarket, Smb };
CS_ENUM_NAMES(Tier, { Tier::Strategic, "strategic" }, { Tier::Enterprise, "enterprise" },
              { Tier::MidMarket, "mid_market" }, { Tier::Smb, "smb" });

enum class CustomerStatus { Trial, Active, Churned };
CS_ENUM_NAMES(CustomerStatus, { CustomerStatus::Trial, "trial" }, { CustomerStatus::Active, "active" },
              { CustomerStatus::Churned, "churned" });

enum class LifecycleStage { Onboarding, Adoption, Expansion, Renewal, Advocacy, AtRisk, Churned };
CS_ENUM_NAMES(LifecycleStage, { LifecycleStage::Onboarding, "onboarding" }, { LifecycleStage::Adoption, "adoption" },
              { LifecycleStage::Expansion, "expansion" }, { LifecycleStage::Renewal, "renewal" },
              { LifecycleStage::Advocacy, "advocacy" }, { LifecycleStage::AtRisk, "at_risk" },
              { LifecycleStage::Churned, "churned" });

enum class ContractType { None, Monthly, Annual, MultiYear };
CS_ENUM_NAMES(ContractType, { ContractType::None, "" }, { ContractType::Monthly, "monthly" },
              { ContractType::Annual, "annual" }, { ContractType::MultiYear, "multi_year" });

// An account in the portfolio.
struct Customer {
    QString id; // user-visible, ^[a-zA-Z0-9_-]{1,100}$
    QString name;
    QString company;
    QString domain;
    QString industry;
    Tier tier = Tier::Smb;
    CustomerStatus status = CustomerStatus::Active;
    LifecycleStage lifecycleStage = LifecycleStage::Onboarding;
    QString owner; // the CSM who owns the account
    double arr = 0; // annual recurring revenue, in `currency`
    QString currency = QStringLiteral("USD");
    ContractType contractType = ContractType::None;
    QDate contractStart;
    QDate contractEnd;
    QDate renewalDate;
    QDate churnedAt;
    QVariantMap customFields; // numbers stay numbers (numeric custom fields feed the churn model)
    RecordMeta meta;

    double mrr() const { return arr / 12.0; }
    Core::Status validate() const;
};

} // namespace Domain
