// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include "health.h"
#include "repository.h"

namespace Storage {

template<> struct TableTraits<Domain::ProductFeature>
{
    static QString table() { return QStringLiteral("features"); }
    static QString singular() { return QStringLiteral("product feature"); }
    static const QList<Column<Domain::ProductFeature>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

// Append-only history tables (usage, scores, predictions, transitions): no version, no deleted_at.
template<> struct TableTraits<Domain::UsageEvent>
{
    static QString table() { return QStringLiteral("usage_events"); }
    static QString singular() { return QStringLiteral("usage event"); }
    static const QList<Column<Domain::UsageEvent>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::DailyUsage>
{
    static QString table() { return QStringLiteral("usage_daily"); }
    static QString singular() { return QStringLiteral("daily usage row"); }
    static const QList<Column<Domain::DailyUsage>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

// The `version` column of health_scoring_configs and churn_models numbers immutable configuration/model
// versions; it is mapped as a plain column, not as the optimistic-concurrency version (versioned = false).
template<> struct TableTraits<Domain::HealthScoringConfig>
{
    static QString table() { return QStringLiteral("health_scoring_configs"); }
    static QString singular() { return QStringLiteral("health scoring config"); }
    static const QList<Column<Domain::HealthScoringConfig>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::HealthScore>
{
    static QString table() { return QStringLiteral("health_scores"); }
    static QString singular() { return QStringLiteral("health score"); }
    static const QList<Column<Domain::HealthScore>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::ChurnModel>
{
    static QString table() { return QStringLiteral("churn_models"); }
    static QString singular() { return QStringLiteral("churn model"); }
    static const QList<Column<Domain::ChurnModel>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::ChurnPrediction>
{
    static QString table() { return QStringLiteral("churn_predictions"); }
    static QString singular() { return QStringLiteral("churn prediction"); }
    static const QList<Column<Domain::ChurnPrediction>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::LifecycleTransition>
{
    static QString table() { return QStringLiteral("lifecycle_transitions"); }
    static QString singular() { return QStringLiteral("lifecycle transition"); }
    static const QList<Column<Domain::LifecycleTransition>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::AdoptionMilestone>
{
    static QString table() { return QStringLiteral("adoption_milestones"); }
    static QString singular() { return QStringLiteral("adoption milestone"); }
    static const QList<Column<Domain::AdoptionMilestone>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

using ProductFeatureRepository = Repository<Domain::ProductFeature>;
using UsageEventRepository = Repository<Domain::UsageEvent>;
using DailyUsageRepository = Repository<Domain::DailyUsage>;
using HealthScoringConfigRepository = Repository<Domain::HealthScoringConfig>;
using HealthScoreRepository = Repository<Domain::HealthScore>;
using ChurnModelRepository = Repository<Domain::ChurnModel>;
using ChurnPredictionRepository = Repository<Domain::ChurnPrediction>;
using LifecycleTransitionRepository = Repository<Domain::LifecycleTransition>;
using AdoptionMilestoneRepository = Repository<Domain::AdoptionMilestone>;

} // namespace Storage
