// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantList>

namespace Storage {

struct Filter {
    enum class Op { Eq, Ne, Lt, Le, Gt, Ge, In, Contains, IsNull, NotNull };
    QString column; // must be a mapped column of the table; anything else is refused
    Op op = Op::Eq;
    QVariant value; // for In: a QVariantList
};

// One page of a list. Keyset pagination (stable under concurrent inserts, no OFFSET scans): the cursor
// remembers the last row's sort value and key, and belongs to the query that produced it.
struct ListQuery {
    QList<Filter> filters;
    QString orderBy; // a mapped column; empty = the key
    bool descending = false;
    int limit = 25; // 1..1000
    QString cursor;
    bool includeDeleted = false;
    bool countTotal = true;
    // A condition written by core code (never by a user), e.g. a sub-select on the latest health score.
    QString extraCondition;
    QVariantList extraBindings;
    // Mapped columns to read; empty = every column. The key and the sort column are read too. The other fields of
    // each item keep their defaults, and so does its meta (created/updated/deleted, version): for a caller that
    // shows a few fields of many rows (MCP list_clients reads 10 of a customer's 21).
    QStringList columns;
};

template<typename T>
struct Page {
    QList<T> items;
    qint64 total = -1; // -1 when not counted
    QString nextCursor; // empty on the last page
};

} // namespace Storage
