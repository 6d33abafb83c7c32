// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include "customer.h"
#include "repository.h"

namespace Storage {

template<>
struct TableTraits<Domain::Customer> {
    static QString table() { return QStringLiteral("customers"); }
    static QString singular() { return QStringLiteral("customer"); }
    static const QList<Column<Domain::Customer>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

using CustomerRepository = Repository<Domain::Customer>;

} // namespace Storage
