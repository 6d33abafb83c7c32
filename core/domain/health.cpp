// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "health.h"

#include <cmath>

#include <QRegularExpression>

#include "validation.h"

namespace Domain {

using namespace Qt::StringLiterals;

namespace {
// A JSON number as QJsonValue::toVariant() hands it out (or a number a caller put in); text that merely
// looks like a number is not one.
bool isNumber(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Double:
    case QMetaType::Float:
        return std::isfinite(value.toDouble());
    default:
        return false;
    }
}

bool isNumberIn(const QVariant &value, double min, double max)
{
    return isNumber(value) && value.toDouble() >= min && value.toDouble() <= max;
}

// Health component keys are snake_case identifiers (the same words the explanation and the MCP tools use).
bool isComponentKey(const QString &key)
{
    static const QRegularExpression re(u"^[a-z][a-z0-9_]{0,63}$"_s);
    return re.match(key).hasMatch();
}
} // namespace

Core::Status ProductFeature::validate() const
{
    Validator v;
    v.required(u"key"_s, key)
        .maxLength(u"key"_s, key, 100)
        .required(u"name"_s, name)
        .maxLength(u"name"_s, name, 200)
        .maxLength(u"category"_s, category, 100);
    return v.result();
}

Core::Status UsageEvent::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId)
        .check(occurredAt.isValid(), u"occurred_at"_s, u"is required"_s)
        .required(u"event_type"_s, eventType)
        .maxLength(u"event_type"_s, eventType, 200)
        .maxLength(u"feature"_s, feature, 100)
        .maxLength(u"user_ref"_s, userRef, 200)
        .range(u"quantity"_s, quantity, 0, 1e12);
    return v.result();
}

Core::Status DailyUsage::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId)
        .check(day.isValid(), u"day"_s, u"is required"_s)
        .maxLength(u"feature"_s, feature, 100)
        .check(events >= 0, u"events"_s, u"must not be negative"_s)
        .check(activeUsers >= 0, u"active_users"_s, u"must not be negative"_s)
        .range(u"quantity"_s, quantity, 0, 1e12);
    return v.result();
}

HealthBand HealthScoringConfig::bandFor(double score) const
{
    if (score >= greenThreshold)
        return HealthBand::Green;
    if (score >= yellowThreshold)
        return HealthBand::Yellow;
    return HealthBand::Red;
}

Core::Status HealthScoringConfig::validate() const
{
    Validator v;
    v.check(configVersion >= 1, u"version"_s, u"must be at least 1"_s)
        .required(u"name"_s, name)
        .maxLength(u"name"_s, name, 200)
        .check(!segmentId || *segmentId > 0, u"segment_id"_s, u"must reference an existing segment"_s)
        .check(!weights.isEmpty(), u"weights"_s, u"must give at least one component a weight"_s);
    double sum = 0;
    for (auto it = weights.cbegin(); it != weights.cend(); ++it) {
        v.check(isComponentKey(it.key()), u"weights"_s,
             u"component '%1' must be a snake_case name of at most 64 characters"_s.arg(it.key()))
            .check(isNumberIn(it.value(), 0, 1), u"weights"_s,
                u"the weight of '%1' must be a number between 0 and 1"_s.arg(it.key()));
        sum += it.value().toDouble();
    }
    v.check(weights.isEmpty() || std::abs(sum - 1.0) <= 0.01 + 1e-9, u"weights"_s, u"must sum to 1 (±0.01), not %1"_s.arg(sum))
        .range(u"green_threshold"_s, greenThreshold, 0, 100)
        .range(u"yellow_threshold"_s, yellowThreshold, 0, 100)
        .check(yellowThreshold < greenThreshold, u"yellow_threshold"_s,
            u"must be below green_threshold (%1)"_s.arg(greenThreshold))
        .check(lookbackDays >= 1 && lookbackDays <= 3650, u"lookback_days"_s, u"must be between 1 and 3650"_s)
        .maxLength(u"created_by"_s, createdBy, 200);
    return v.result();
}

Core::Status HealthScore::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId)
        .check(scoreDate.isValid(), u"score_date"_s, u"is required"_s)
        .range(u"score"_s, score, 0, 100)
        .enumValue(u"band"_s, band)
        .check(configVersion >= 1, u"config_version"_s, u"must be at least 1"_s)
        .check(computedAt.isValid(), u"computed_at"_s, u"is required"_s);
    for (auto it = components.cbegin(); it != components.cend(); ++it) {
        const QVariantMap component = it.value().toMap();
        v.check(isComponentKey(it.key()), u"components"_s,
             u"component '%1' must be a snake_case name of at most 64 characters"_s.arg(it.key()))
            .check(it.value().typeId() == QMetaType::QVariantMap, u"components"_s,
                u"component '%1' must be an object with score and weight"_s.arg(it.key()))
            .check(isNumberIn(component.value(u"score"_s), 0, 100), u"components"_s,
                u"the score of '%1' must be a number between 0 and 100"_s.arg(it.key()))
            .check(isNumberIn(component.value(u"weight"_s), 0, 1), u"components"_s,
                u"the weight of '%1' must be a number between 0 and 1"_s.arg(it.key()));
    }
    return v.result();
}

Core::Status ChurnModel::validate() const
{
    Validator v;
    v.check(modelVersion >= 1, u"version"_s, u"must be at least 1"_s)
        .enumValue(u"source"_s, source)
        .check(trainedAt.isValid(), u"trained_at"_s, u"is required"_s)
        .check(sampleCount >= 0, u"sample_count"_s, u"must not be negative"_s)
        .check(churnedCount >= 0, u"churned_count"_s, u"must not be negative"_s)
        .check(retainedCount >= 0, u"retained_count"_s, u"must not be negative"_s)
        .check(qint64(churnedCount) + retainedCount <= sampleCount, u"sample_count"_s,
            u"must be at least churned_count + retained_count"_s)
        .check(!cvFolds || *cvFolds >= 2, u"cv_folds"_s, u"must be at least 2"_s)
        .range(u"auc"_s, auc, 0, 1);
    for (auto it = coefficients.cbegin(); it != coefficients.cend(); ++it) {
        v.check(!it.key().trimmed().isEmpty(), u"coefficients"_s, u"keys must not be empty"_s)
            .check(isNumber(it.value()), u"coefficients"_s, u"'%1' must be a number"_s.arg(it.key()));
    }
    for (const QString &feature : features)
        v.check(!feature.trimmed().isEmpty(), u"features"_s, u"names must not be empty"_s);
    return v.result();
}

Core::Status ChurnPrediction::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId)
        .check(modelVersion >= 1, u"model_version"_s, u"must be at least 1"_s)
        .range(u"probability"_s, probability, 0, 1)
        .enumValue(u"risk_level"_s, riskLevel)
        .check(predictedAt.isValid(), u"predicted_at"_s, u"is required"_s);
    return v.result();
}

Core::Status LifecycleTransition::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId);
    if (fromStage)
        v.enumValue(u"from_stage"_s, *fromStage);
    v.enumValue(u"to_stage"_s, toStage)
        .check(!fromStage || *fromStage != toStage, u"to_stage"_s, u"must differ from from_stage"_s)
        .maxLength(u"actor"_s, actor, 200)
        .check(transitionedAt.isValid(), u"transitioned_at"_s, u"is required"_s);
    return v.result();
}

Core::Status AdoptionMilestone::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId)
        .required(u"milestone_key"_s, milestoneKey)
        .maxLength(u"milestone_key"_s, milestoneKey, 100)
        .check(achievedAt.isValid(), u"achieved_at"_s, u"is required"_s);
    return v.result();
}

} // namespace Domain
