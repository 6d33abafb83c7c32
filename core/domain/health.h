// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QDate>
#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QVariantList>
#include <QVariantMap>

#include "customer.h"
#include "enumnames.h"
#include "error.h"
#include "record.h"

// Product usage, health scoring, the churn model and lifecycle history (schema 0002, DESIGN.md §4).
namespace Domain {

enum class HealthBand { Green, Yellow, Red };
CS_ENUM_NAMES(HealthBand, { HealthBand::Green, "green" }, { HealthBand::Yellow, "yellow" }, { HealthBand::Red, "red" });

enum class ChurnModelSource { Default, Trained };
CS_ENUM_NAMES(ChurnModelSource, { ChurnModelSource::Default, "default" }, { ChurnModelSource::Trained, "trained" });

enum class ChurnRiskLevel { Low, Medium, High, Critical };
CS_ENUM_NAMES(ChurnRiskLevel, { ChurnRiskLevel::Low, "low" }, { ChurnRiskLevel::Medium, "medium" },
    { ChurnRiskLevel::High, "high" }, { ChurnRiskLevel::Critical, "critical" });

// The catalogue of product features that usage events name by key.
struct ProductFeature
{
    qint64 id = 0;
    QString key; // unique among live features; usage_events.feature holds it by value
    QString name;
    QString category;
    QString description;
    bool isPremium = false;
    RecordMeta meta;

    Core::Status validate() const;
};

// One raw product-usage event. Append-only and by far the largest table (about 10 M rows), so this type
// carries nothing beyond its columns.
struct UsageEvent
{
    qint64 id = 0;
    QString customerId;
    QDateTime occurredAt;
    QString eventType;
    QString feature; // a ProductFeature key, possibly not (yet) in the catalogue
    QString userRef; // the vendor's id of the end user, for active-user counts
    double quantity = 1;
    RecordMeta meta;

    Core::Status validate() const;
};

// Usage of one customer on one day, per feature; feature "" is the all-features row.
struct DailyUsage
{
    qint64 id = 0;
    QString customerId;
    QDate day;
    QString feature; // empty = all features (stored as '', not NULL, so the unique key holds)
    int events = 0;
    int activeUsers = 0;
    double quantity = 0;
    RecordMeta meta;

    bool isAllFeatures() const { return feature.isEmpty(); }
    Core::Status validate() const;
};

// One version of the health scoring configuration (DESIGN.md §4 "Health score"). Versions are immutable:
// a change is a new row with the next configVersion; only isActive moves between versions.
struct HealthScoringConfig
{
    qint64 id = 0;
    int configVersion = 1; // the `version` column: the configuration version every HealthScore records
    QString name;
    std::optional<qint64> segmentId; // empty = portfolio-wide
    QVariantMap weights; // component key -> weight in 0..1, summing to 1 (±0.01)
    double greenThreshold = 70; // green at or above
    double yellowThreshold = 40; // yellow at or above, below green; red below
    int lookbackDays = 30;
    bool isActive = false;
    QString note;
    QString createdBy;
    RecordMeta meta; // version stays 0: this table has no optimistic-concurrency column

    HealthBand bandFor(double score) const;
    Core::Status validate() const;
};

// The health of one customer on one day.
struct HealthScore
{
    qint64 id = 0;
    QString customerId;
    QDate scoreDate;
    double score = 0; // 0..100
    HealthBand band = HealthBand::Red;
    QVariantMap components; // component key -> {score: 0..100, weight: 0..1, ...}; components without data are absent
    int configVersion = 1;
    QDateTime computedAt = QDateTime::currentDateTimeUtc();
    RecordMeta meta;

    Core::Status validate() const;
};

// One version of the logistic churn model. Immutable like the scoring configs; one version is active.
struct ChurnModel
{
    qint64 id = 0;
    int modelVersion = 1; // the `version` column
    ChurnModelSource source = ChurnModelSource::Trained;
    QDateTime trainedAt = QDateTime::currentDateTimeUtc();
    int sampleCount = 0;
    int churnedCount = 0;
    int retainedCount = 0;
    std::optional<int> cvFolds;
    std::optional<double> auc; // cross-validated, 0..1
    QVariantMap coefficients; // feature (or "intercept") -> coefficient
    QVariantList calibration; // calibration table rows
    QStringList features; // model inputs, in order
    bool isActive = false;
    QString note;
    RecordMeta meta; // version stays 0: this table has no optimistic-concurrency column

    Core::Status validate() const;
};

// One churn-risk prediction for a customer (append-only history).
struct ChurnPrediction
{
    qint64 id = 0;
    QString customerId;
    int modelVersion = 1;
    double probability = 0; // p(churn), 0..1
    ChurnRiskLevel riskLevel = ChurnRiskLevel::Low;
    QVariantList drivers; // the strongest per-customer drivers
    QDateTime predictedAt = QDateTime::currentDateTimeUtc();
    RecordMeta meta;

    Core::Status validate() const;
};

// A change of a customer's lifecycle stage (append-only history).
struct LifecycleTransition
{
    qint64 id = 0;
    QString customerId;
    std::optional<LifecycleStage> fromStage; // empty for the first stage a customer gets
    LifecycleStage toStage = LifecycleStage::Onboarding;
    QString reason;
    QString actor;
    QDateTime transitionedAt = QDateTime::currentDateTimeUtc();
    RecordMeta meta;

    Core::Status validate() const;
};

// An adoption milestone a customer reached (first login, 10 active users, key feature used, ...).
struct AdoptionMilestone
{
    qint64 id = 0;
    QString customerId;
    QString milestoneKey; // once per customer
    QDateTime achievedAt = QDateTime::currentDateTimeUtc();
    QVariantMap detail;
    RecordMeta meta;

    Core::Status validate() const;
};

} // namespace Domain
