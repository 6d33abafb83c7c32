// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QDate>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantList>
#include <QVariantMap>

#include "accounts.h"
#include "clock.h"
#include "customer.h"
#include "database.h"
#include "enumnames.h"
#include "error.h"
#include "listquery.h"

namespace Core {

// ============================================================================================================
// Segments: saved filters over the portfolio (DESIGN.md §4 "segments (saved filters)"), and value tiers
// ============================================================================================================
//
// Criteria (segments.criteria, and the `criteria` argument of segment_customers) are a JSON object; every
// criterion given narrows the result (AND), an empty object is every live customer (churned ones included
// unless `status` says otherwise). "One or more" criteria take a string or an array of strings (any of them).
//
//   tier                  one or more of strategic, enterprise, mid_market, smb
//   industry              one or more industries (case-insensitive exact match)
//   lifecycle_stage       one or more of onboarding, adoption, expansion, renewal, advocacy, at_risk, churned
//   status                one or more of trial, active, churned
//   owner                 one or more CSM owners (case-insensitive exact match)
//   arr_min, arr_max      ARR bounds, inclusive, ≥ 0, arr_min ≤ arr_max
//   health_band           one or more of green, yellow, red — of the customer's latest stored health score on or
//                         before today; customers without a score match no health criterion
//   health_score_min, health_score_max   bounds on that latest score, inclusive, 0..100
//   renewal_within_days   integer 0..3650: renewal_date between today and today + N days (inclusive)
//   active_days_min, active_days_max     bounds (inclusive, ≥ 0) on the number of days with product usage
//                         (usage_daily all-features rows with events > 0) in the window ending today;
//   active_days_window    that window in days, 1..365, default 30 (only together with a bound)
//   value_tier            one or more of platinum, gold, silver, bronze (see value tiers below)
//   custom_fields         array of {key, equals} or {key, min, max}: a custom field equal to a string
//                         (case-insensitive), a number or a boolean, or a numeric custom field within bounds
//                         (inclusive; fields holding non-numbers never match a range). key: 1–64 characters of
//                         letters, digits, space, '_', '-' and '.'.
//
// Validation names the criterion at fault (field "criteria.<name>", "criteria.custom_fields[i].min"); unknown
// criteria are refused, never ignored. Criteria compile to one SQL condition over the `customers` table with
// every user value bound as a parameter (compile()); list_clients can reuse it for its segment filter.
//
// Dynamic segments evaluate their criteria at read time. Static segments have empty criteria and list their
// members in segment_members (addMembers / removeMembers, or snapshot() to freeze a criteria result).
//
// Value tiers (segment_by_value_tier): customers are ranked by ARR among the *ranked population* — live,
// not churned, ARR > 0 (customers with ARR 0 are "unranked": no revenue on record to rank). A customer's
// percentile rank is PR = (number of ranked customers with a strictly lower ARR) / n, so equal ARR always
// means the same tier:
//     platinum  PR ≥ 0.90   (the top 10 %)
//     gold      PR ≥ 0.70   (the next 20 %)
//     silver    PR ≥ 0.40   (the next 30 %)
//     bronze    below       (the bottom 40 %)
// As ARR thresholds: the tier with cut c ∈ {90, 70, 40} starts at the smallest ARR strictly above the m-th
// smallest ARR, m = ⌈c·n/100⌉ (ValueTierMath::threshold); a tier whose cut falls inside a run of equal ARR at
// the top can be empty.

enum class ValueTier { Platinum, Gold, Silver, Bronze };

} // namespace Core

namespace Domain {
CS_ENUM_NAMES(Core::ValueTier, { Core::ValueTier::Platinum, "platinum" }, { Core::ValueTier::Gold, "gold" },
    { Core::ValueTier::Silver, "silver" }, { Core::ValueTier::Bronze, "bronze" });
} // namespace Domain

namespace Core {

namespace ValueTierMath {
// The percentile cut (in %) where each tier starts; bronze starts at 0.
int cutPercent(ValueTier tier);
// The ARR where the tier with cut `cutPercent` starts, over ARRs sorted ascending (all > 0); empty when the
// tier is empty (the cut lies inside the top run of equal values) or there are no values. cut 0 → smallest.
std::optional<double> threshold(const QList<double> &sortedArr, int cutPercent);
struct Thresholds
{
    std::optional<double> platinum;
    std::optional<double> gold;
    std::optional<double> silver;
};
Thresholds thresholds(const QList<double> &sortedArr);
// The tier of an ARR > 0 under the thresholds (the highest tier whose threshold it reaches).
ValueTier tierFor(double arr, const Thresholds &t);
// PR = count(values < arr) / n over sorted values; empty for no values.
std::optional<double> percentileRank(const QList<double> &sortedArr, double arr);
} // namespace ValueTierMath

struct ValueTierBand
{
    ValueTier tier = ValueTier::Bronze;
    int cutPercent = 0;
    std::optional<double> minArr; // inclusive; empty when the tier is empty
    std::optional<double> maxArr; // exclusive (the next tier's minArr); empty for the top non-empty tier
    qint64 customers = 0;
    double totalArr = 0;
    double shareOfArr = 0; // totalArr / ranked ARR, 0..1
};

struct ValueTierReport
{
    QDate asOf;
    bool hasData = false; // false: no live, not churned customer with ARR > 0
    QString reason;
    qint64 rankedCustomers = 0;
    qint64 unrankedCustomers = 0; // live, not churned, ARR 0
    double totalArr = 0; // of the ranked customers
    QList<ValueTierBand> tiers; // platinum, gold, silver, bronze
};

struct CustomerValueTier
{
    QString customerId;
    bool ranked = false; // false: churned or ARR 0; see reason
    QString reason;
    ValueTier tier = ValueTier::Bronze;
    double arr = 0;
    double percentileRank = 0; // 0..1
    qint64 rankedCustomers = 0;
};

// Criteria compiled to SQL: a condition over the unaliased `customers` table and its bound values.
struct CompiledCriteria
{
    QString condition; // "1 = 1" for empty criteria
    QVariantList bindings;
    QStringList description; // one human line per criterion, e.g. "tier is enterprise or strategic"
};

struct SegmentPageQuery
{
    int limit = 25; // 1..200
    QString cursor;
    QString sort = QStringLiteral("name"); // name | arr | renewal_date | tier | id
    bool descending = false;
    // Customer columns to read (Storage::ListQuery::columns); empty = all. The items' other fields stay default.
    QStringList columns;
};

struct SegmentCustomers
{
    QList<Domain::Customer> items;
    qint64 total = 0;
    QString nextCursor;
    QStringList description; // what the criteria select, in words
};

// Counts over everyone the criteria select.
struct SegmentSummary
{
    QDate asOf;
    qint64 customers = 0;
    double totalArr = 0;
    std::optional<double> averageArr; // empty for no customers
    QMap<QString, qint64> byTier; // tier name -> customers
    QMap<QString, qint64> byLifecycleStage;
    QMap<QString, qint64> byHealthBand; // latest score's band; "unscored" for customers without a score
    QStringList description;
};

struct SegmentMembership
{
    qint64 segmentId = 0;
    QString name;
    bool isDynamic = true;
};

class SegmentService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SegmentService)

public:
    static constexpr int kMaxLimit = 200;
    static constexpr int kMaxIdsPerCall = 1000;

    SegmentService(const Storage::Database &db, const Clock &clock, QObject *parent = nullptr);

    // ---- criteria ----
    static QStringList criteriaKeys();
    // Structure and ranges only (no database). Field names as "criteria.<name>".
    static Status validateCriteria(const QVariantMap &criteria);
    // Validates and compiles for today (renewal and usage windows, health as of today, value tier thresholds).
    Result<CompiledCriteria> compile(const QVariantMap &criteria) const;
    // The customers the criteria select, one page (segment_customers with ad-hoc criteria).
    Result<SegmentCustomers> evaluate(const QVariantMap &criteria, const SegmentPageQuery &page = {}) const;
    // The same, restricted to the members of a saved segment (list_clients: ad-hoc filters and a segment together).
    Result<SegmentCustomers> evaluateInSegment(
        qint64 segmentId, const QVariantMap &criteria, const SegmentPageQuery &page = {}) const;
    Result<SegmentSummary> summarize(const QVariantMap &criteria) const;

    // ---- saved segments ----
    // Name required and unique among live segments (case-insensitive; AlreadyExists naming name). Dynamic:
    // criteria validated. Static: criteria must be empty.
    Result<Domain::Segment> create(const Domain::Segment &segment);
    // Optimistic (meta.version); is_dynamic cannot change.
    Result<Domain::Segment> update(const Domain::Segment &segment);
    Status remove(qint64 segmentId, int expectedVersion = 0);
    Result<Domain::Segment> get(qint64 segmentId) const;
    // Saved segments by name, keyset-paged (limit 1..200).
    Result<Storage::Page<Domain::Segment>> list(int limit = 50, const QString &cursor = {}) const;
    // Members of a saved segment (dynamic: its criteria now; static: segment_members).
    Result<SegmentCustomers> members(qint64 segmentId, const SegmentPageQuery &page = {}) const;
    Result<SegmentSummary> summarizeSegment(qint64 segmentId) const;
    // The condition selecting a saved segment's members (for list_clients' segment filter).
    Result<CompiledCriteria> compileSegment(qint64 segmentId) const;
    // Static segments: adds live customers (already members are skipped); returns how many were added.
    // Unknown or deleted ids → NotFound naming customer_ids (nothing added). At most kMaxIdsPerCall ids.
    Result<int> addMembers(qint64 segmentId, const QStringList &customerIds, const QString &addedBy = {});
    Result<int> removeMembers(qint64 segmentId, const QStringList &customerIds);
    // A new static segment holding exactly the customers the criteria select now.
    Result<Domain::Segment> snapshot(
        const QString &name, const QVariantMap &criteria, const QString &owner = {}, const QString &description = {});
    // The saved segments a customer belongs to now (static memberships and dynamic criteria), by name.
    Result<QList<SegmentMembership>> segmentsOf(const QString &customerId) const;

    // ---- value tiers ----
    Result<ValueTierReport> valueTiers() const;
    Result<CustomerValueTier> valueTierOf(const QString &customerId) const;

Q_SIGNALS:
    void segmentAdded(qint64 segmentId);
    void segmentChanged(qint64 segmentId);
    void segmentRemoved(qint64 segmentId);
    void membersChanged(qint64 segmentId);

private:
    Result<QList<double>> rankedArr() const;
    Result<SegmentCustomers> page(const CompiledCriteria &compiled, const SegmentPageQuery &page) const;
    Result<SegmentSummary> summary(const CompiledCriteria &compiled) const;
    Status requireUniqueName(const QString &name, qint64 exceptId) const;

    const Storage::Database &m_db;
    const Clock &m_clock;
};

} // namespace Core
