// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include "repository.h"
#include "revenue.h"

namespace Storage {

template<> struct TableTraits<Domain::Renewal>
{
    static QString table() { return QStringLiteral("renewals"); }
    static QString singular() { return QStringLiteral("renewal"); }
    static const QList<Column<Domain::Renewal>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::ExpansionOpportunity>
{
    static QString table() { return QStringLiteral("expansion_opportunities"); }
    static QString singular() { return QStringLiteral("expansion opportunity"); }
    static const QList<Column<Domain::ExpansionOpportunity>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

// The ARR ledger is append-only: no version, no deleted_at.
template<> struct TableTraits<Domain::ArrMovement>
{
    static QString table() { return QStringLiteral("arr_movements"); }
    static QString singular() { return QStringLiteral("ARR movement"); }
    static const QList<Column<Domain::ArrMovement>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

using RenewalRepository = Repository<Domain::Renewal>;
using ExpansionOpportunityRepository = Repository<Domain::ExpansionOpportunity>;
using ArrMovementRepository = Repository<Domain::ArrMovement>;

} // namespace Storage
