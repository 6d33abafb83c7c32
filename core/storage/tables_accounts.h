// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include "accounts.h"
#include "repository.h"

namespace Storage {

template<> struct TableTraits<Domain::Contact>
{
    static QString table() { return QStringLiteral("contacts"); }
    static QString singular() { return QStringLiteral("contact"); }
    static const QList<Column<Domain::Contact>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::Contract>
{
    static QString table() { return QStringLiteral("contracts"); }
    static QString singular() { return QStringLiteral("contract"); }
    static const QList<Column<Domain::Contract>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::CustomFieldDefinition>
{
    static QString table() { return QStringLiteral("custom_field_definitions"); }
    static QString singular() { return QStringLiteral("custom field definition"); }
    static const QList<Column<Domain::CustomFieldDefinition>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::Segment>
{
    static QString table() { return QStringLiteral("segments"); }
    static QString singular() { return QStringLiteral("segment"); }
    static const QList<Column<Domain::Segment>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::SegmentMember>
{
    static QString table() { return QStringLiteral("segment_members"); }
    static QString singular() { return QStringLiteral("segment member"); }
    static const QList<Column<Domain::SegmentMember>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

using ContactRepository = Repository<Domain::Contact>;
using ContractRepository = Repository<Domain::Contract>;
using CustomFieldDefinitionRepository = Repository<Domain::CustomFieldDefinition>;
using SegmentRepository = Repository<Domain::Segment>;
using SegmentMemberRepository = Repository<Domain::SegmentMember>;

} // namespace Storage
