// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Storage of the operational records (schema 0008).
#pragma once

#include "operations.h"
#include "repository.h"

namespace Storage {

template<> struct TableTraits<Domain::Monitor>
{
    static QString table() { return QStringLiteral("monitors"); }
    static QString singular() { return QStringLiteral("monitor"); }
    static const QList<Column<Domain::Monitor>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};
using MonitorRepository = Repository<Domain::Monitor>;

template<> struct TableTraits<Domain::MonitorRun>
{
    static QString table() { return QStringLiteral("monitor_runs"); }
    static QString singular() { return QStringLiteral("monitor run"); }
    static const QList<Column<Domain::MonitorRun>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};
using MonitorRunRepository = Repository<Domain::MonitorRun>;

template<> struct TableTraits<Domain::Alert>
{
    static QString table() { return QStringLiteral("alerts"); }
    static QString singular() { return QStringLiteral("alert"); }
    static const QList<Column<Domain::Alert>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};
using AlertRepository = Repository<Domain::Alert>;

template<> struct TableTraits<Domain::TimelineEvent>
{
    static QString table() { return QStringLiteral("timeline_events"); }
    static QString singular() { return QStringLiteral("timeline event"); }
    static const QList<Column<Domain::TimelineEvent>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};
using TimelineEventRepository = Repository<Domain::TimelineEvent>;

template<> struct TableTraits<Domain::AgentAction>
{
    static QString table() { return QStringLiteral("agent_actions"); }
    static QString singular() { return QStringLiteral("agent action"); }
    static const QList<Column<Domain::AgentAction>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};
using AgentActionRepository = Repository<Domain::AgentAction>;

template<> struct TableTraits<Domain::OutboxMessage>
{
    static QString table() { return QStringLiteral("outbox"); }
    static QString singular() { return QStringLiteral("outbox message"); }
    static const QList<Column<Domain::OutboxMessage>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};
using OutboxMessageRepository = Repository<Domain::OutboxMessage>;

template<> struct TableTraits<Domain::IntegrationSyncState>
{
    static QString table() { return QStringLiteral("integration_sync_state"); }
    static QString singular() { return QStringLiteral("integration sync state"); }
    static const QList<Column<Domain::IntegrationSyncState>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};
using IntegrationSyncStateRepository = Repository<Domain::IntegrationSyncState>;

template<> struct TableTraits<Domain::AppSetting>
{
    static QString table() { return QStringLiteral("app_settings"); }
    static QString singular() { return QStringLiteral("app setting"); }
    static const QList<Column<Domain::AppSetting>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};
using AppSettingRepository = Repository<Domain::AppSetting>;
} // namespace Storage
