// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

// JSON for the composed customer overview and the health/churn values that more than one of the core, health and
// retention toolsets (and the customer://{id} resource) return, so that every face spells them the same way.

#include <QJsonObject>

#include "churnservice.h"
#include "customeroverview.h"
#include "healthservice.h"

namespace Mcp::CsJson {

QJsonObject overviewJson(const Core::CustomerOverview &overview);
QJsonObject overviewSchema();

QJsonObject healthScoreJson(const Domain::HealthScore &score);
QJsonObject healthScoreSchema();
QJsonObject healthTrendJson(const Core::HealthTrend &trend);
QJsonObject healthTrendSchema();

QJsonObject churnRiskJson(const Core::ChurnRisk &risk);
QJsonObject churnRiskSchema();

QJsonObject timelineEventJson(const Domain::TimelineEvent &event);
QJsonObject timelineEventSchema();

// "criteria.tier" → "tier": service errors name criteria the way segment_customers spells them; tools whose
// arguments are the criteria themselves report the argument.
Core::Error withoutPrefix(Core::Error error, const QString &prefix);

} // namespace Mcp::CsJson
