// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QString>

namespace Core {
struct ChangeBatch;
}

namespace Mcp {

// Which CS Desk resources a batch of committed changes (Core::ChangeFeed) makes stale, for
// notifications/resources/updated (MCP 2025-11-25 server/resources §Subscriptions): customer://{id} on any change of
// that customer's overview (record, health, churn, renewals, tickets, feedback, onboarding, timeline, ...),
// portfolio://summary on portfolio-level changes (customers added, removed or changed, ARR, health, churn, renewals,
// NPS), config://scoring when a scoring config was created or activated. False for any other URI.
bool csResourceChangedBy(const QString &uri, const Core::ChangeBatch &batch);
// Whether the list of resources changed (notifications/resources/list_changed): customers added or removed (one
// customer://{id} each), an import of customers among them.
bool csResourceListChangedBy(const Core::ChangeBatch &batch);

} // namespace Mcp
