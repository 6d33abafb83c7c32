// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "tables_health.h"

namespace Storage {

using namespace Qt::StringLiterals;
using Domain::AdoptionMilestone;
using Domain::ChurnModel;
using Domain::ChurnPrediction;
using Domain::DailyUsage;
using Domain::HealthScore;
using Domain::HealthScoringConfig;
using Domain::LifecycleTransition;
using Domain::ProductFeature;
using Domain::UsageEvent;

const QList<Column<ProductFeature>> &TableTraits<ProductFeature>::columns()
{
    static const QList<Column<ProductFeature>> list {
        column(u"id"_s, &ProductFeature::id, KeyColumn | GeneratedKey),
        column(u"key"_s, &ProductFeature::key),
        column(u"name"_s, &ProductFeature::name),
        column(u"category"_s, &ProductFeature::category),
        column(u"description"_s, &ProductFeature::description),
        column(u"is_premium"_s, &ProductFeature::isPremium),
    };
    return list;
}

const QList<Column<UsageEvent>> &TableTraits<UsageEvent>::columns()
{
    static const QList<Column<UsageEvent>> list {
        column(u"id"_s, &UsageEvent::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &UsageEvent::customerId, Immutable),
        column(u"occurred_at"_s, &UsageEvent::occurredAt),
        column(u"event_type"_s, &UsageEvent::eventType),
        column(u"feature"_s, &UsageEvent::feature),
        column(u"user_ref"_s, &UsageEvent::userRef),
        column(u"quantity"_s, &UsageEvent::quantity),
    };
    return list;
}

const QList<Column<DailyUsage>> &TableTraits<DailyUsage>::columns()
{
    static const QList<Column<DailyUsage>> list {
        column(u"id"_s, &DailyUsage::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &DailyUsage::customerId, Immutable),
        column(u"day"_s, &DailyUsage::day),
        column(u"feature"_s, &DailyUsage::feature, NotNull),
        column(u"events"_s, &DailyUsage::events),
        column(u"active_users"_s, &DailyUsage::activeUsers),
        column(u"quantity"_s, &DailyUsage::quantity),
    };
    return list;
}

const QList<Column<HealthScoringConfig>> &TableTraits<HealthScoringConfig>::columns()
{
    static const QList<Column<HealthScoringConfig>> list {
        column(u"id"_s, &HealthScoringConfig::id, KeyColumn | GeneratedKey),
        column(u"version"_s, &HealthScoringConfig::configVersion, Immutable),
        column(u"name"_s, &HealthScoringConfig::name),
        column(u"segment_id"_s, &HealthScoringConfig::segmentId, Immutable),
        column(u"weights"_s, &HealthScoringConfig::weights),
        column(u"green_threshold"_s, &HealthScoringConfig::greenThreshold),
        column(u"yellow_threshold"_s, &HealthScoringConfig::yellowThreshold),
        column(u"lookback_days"_s, &HealthScoringConfig::lookbackDays),
        column(u"is_active"_s, &HealthScoringConfig::isActive),
        column(u"note"_s, &HealthScoringConfig::note),
        column(u"created_by"_s, &HealthScoringConfig::createdBy),
    };
    return list;
}

const QList<Column<HealthScore>> &TableTraits<HealthScore>::columns()
{
    static const QList<Column<HealthScore>> list {
        column(u"id"_s, &HealthScore::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &HealthScore::customerId, Immutable),
        column(u"score_date"_s, &HealthScore::scoreDate),
        column(u"score"_s, &HealthScore::score),
        column(u"band"_s, &HealthScore::band),
        column(u"components"_s, &HealthScore::components),
        column(u"config_version"_s, &HealthScore::configVersion),
        column(u"computed_at"_s, &HealthScore::computedAt),
    };
    return list;
}

const QList<Column<ChurnModel>> &TableTraits<ChurnModel>::columns()
{
    static const QList<Column<ChurnModel>> list {
        column(u"id"_s, &ChurnModel::id, KeyColumn | GeneratedKey),
        column(u"version"_s, &ChurnModel::modelVersion, Immutable),
        column(u"source"_s, &ChurnModel::source),
        column(u"trained_at"_s, &ChurnModel::trainedAt),
        column(u"sample_count"_s, &ChurnModel::sampleCount),
        column(u"churned_count"_s, &ChurnModel::churnedCount),
        column(u"retained_count"_s, &ChurnModel::retainedCount),
        column(u"cv_folds"_s, &ChurnModel::cvFolds),
        column(u"auc"_s, &ChurnModel::auc),
        column(u"coefficients"_s, &ChurnModel::coefficients),
        column(u"calibration"_s, &ChurnModel::calibration),
        column(u"features"_s, &ChurnModel::features),
        column(u"is_active"_s, &ChurnModel::isActive),
        column(u"note"_s, &ChurnModel::note),
    };
    return list;
}

const QList<Column<ChurnPrediction>> &TableTraits<ChurnPrediction>::columns()
{
    static const QList<Column<ChurnPrediction>> list {
        column(u"id"_s, &ChurnPrediction::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &ChurnPrediction::customerId, Immutable),
        column(u"model_version"_s, &ChurnPrediction::modelVersion),
        column(u"probability"_s, &ChurnPrediction::probability),
        column(u"risk_level"_s, &ChurnPrediction::riskLevel),
        column(u"drivers"_s, &ChurnPrediction::drivers),
        column(u"predicted_at"_s, &ChurnPrediction::predictedAt),
    };
    return list;
}

const QList<Column<LifecycleTransition>> &TableTraits<LifecycleTransition>::columns()
{
    static const QList<Column<LifecycleTransition>> list {
        column(u"id"_s, &LifecycleTransition::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &LifecycleTransition::customerId, Immutable),
        column(u"from_stage"_s, &LifecycleTransition::fromStage),
        column(u"to_stage"_s, &LifecycleTransition::toStage),
        column(u"reason"_s, &LifecycleTransition::reason),
        column(u"actor"_s, &LifecycleTransition::actor),
        column(u"transitioned_at"_s, &LifecycleTransition::transitionedAt),
    };
    return list;
}

const QList<Column<AdoptionMilestone>> &TableTraits<AdoptionMilestone>::columns()
{
    static const QList<Column<AdoptionMilestone>> list {
        column(u"id"_s, &AdoptionMilestone::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &AdoptionMilestone::customerId, Immutable),
        column(u"milestone_key"_s, &AdoptionMilestone::milestoneKey),
        column(u"achieved_at"_s, &AdoptionMilestone::achievedAt),
        column(u"detail"_s, &AdoptionMilestone::detail),
    };
    return list;
}

} // namespace Storage
