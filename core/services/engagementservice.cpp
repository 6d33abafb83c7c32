// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "engagementservice.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSet>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTimeZone>

#include "bulkinserter.h"
#include "sql.h"
#include "tables_customers.h"
#include "tables_health.h"
#include "timelineservice.h"
#include "transaction.h"

Q_LOGGING_CATEGORY(lcEngagement, "cs.services.engagement")

namespace Core {

using namespace Qt::StringLiterals;
using Domain::LifecycleStage;

// ------------------------------------------------------------------------------------------------------------
// Formulas

namespace EngagementMath {

std::optional<MeanSd> meanAndSd(const QList<double> &values)
{
    if (values.isEmpty())
        return std::nullopt;
    MeanSd out;
    out.n = int(values.size());
    double sum = 0;
    for (double v : values)
        sum += v;
    out.mean = sum / out.n;
    if (out.n > 1) {
        double squares = 0;
        for (double v : values)
            squares += (v - out.mean) * (v - out.mean);
        out.sd = std::sqrt(squares / (out.n - 1));
    }
    return out;
}

std::optional<double> zScore(double value, const MeanSd &baseline)
{
    // Below this the baseline is constant up to rounding noise of the mean.
    if (baseline.sd <= 1e-12 * std::max(1.0, std::abs(baseline.mean)))
        return std::nullopt;
    return (value - baseline.mean) / baseline.sd;
}

std::optional<double> relativeChange(double current, double previous)
{
    if (previous == 0)
        return std::nullopt;
    return (current - previous) / previous;
}

QString direction(const std::optional<double> &change)
{
    if (!change)
        return {};
    if (*change >= EngagementRules::kTrendFlatBand)
        return u"growing"_s;
    if (*change <= -EngagementRules::kTrendFlatBand)
        return u"declining"_s;
    return u"flat"_s;
}

MetricAssessment assess(
    const QString &metric, double latest, const QList<double> &baseline, int minWeeks, double threshold)
{
    MetricAssessment a;
    a.metric = metric;
    a.latest = latest;
    a.baselineWeeks = int(baseline.size());
    if (baseline.size() < minWeeks) {
        a.signal = EngagementSignal::NotEnoughHistory;
        a.reason = u"%1 baseline week(s) on record, %2 needed"_s.arg(baseline.size()).arg(minWeeks);
        return a;
    }
    const MeanSd stats = *meanAndSd(baseline);
    a.mean = stats.mean;
    a.sd = stats.sd;
    a.zScore = zScore(latest, stats);
    if (a.zScore) {
        if (*a.zScore < -threshold)
            a.signal = EngagementSignal::Drop;
        else if (*a.zScore > threshold)
            a.signal = EngagementSignal::Spike;
        else
            a.signal = EngagementSignal::Normal;
        a.reason = u"z = %1 against a mean of %2 (sd %3) over %4 weeks"_s.arg(*a.zScore, 0, 'f', 2)
                       .arg(stats.mean, 0, 'f', 1)
                       .arg(stats.sd, 0, 'f', 1)
                       .arg(stats.n);
        return a;
    }
    if (latest == stats.mean) {
        a.signal = EngagementSignal::Normal;
        a.reason = u"equal to a constant baseline of %1"_s.arg(stats.mean);
    } else {
        a.signal = latest < stats.mean ? EngagementSignal::Drop : EngagementSignal::Spike;
        a.reason = u"%1 is outside a constant baseline of %2 (every one of %3 weeks)"_s.arg(latest)
                       .arg(stats.mean)
                       .arg(stats.n);
    }
    return a;
}

EngagementSignal combine(const MetricAssessment &a, const MetricAssessment &b)
{
    if (a.signal == EngagementSignal::Drop || b.signal == EngagementSignal::Drop)
        return EngagementSignal::Drop;
    if (a.signal == EngagementSignal::Spike || b.signal == EngagementSignal::Spike)
        return EngagementSignal::Spike;
    if (a.signal == EngagementSignal::NotEnoughHistory || b.signal == EngagementSignal::NotEnoughHistory)
        return EngagementSignal::NotEnoughHistory;
    return EngagementSignal::Normal;
}

} // namespace EngagementMath

QString signalName(EngagementSignal signal)
{
    switch (signal) {
    case EngagementSignal::Normal:
        return u"normal"_s;
    case EngagementSignal::Drop:
        return u"drop"_s;
    case EngagementSignal::Spike:
        return u"spike"_s;
    case EngagementSignal::NotEnoughHistory:
        return u"not_enough_history"_s;
    }
    return {};
}

// ------------------------------------------------------------------------------------------------------------
// Lifecycle rules

namespace LifecycleRules {

namespace {
QString healthEvidence(const LifecycleFacts &f)
{
    if (!f.healthBand)
        return u"no health score dated %1 to %2"_s.arg(
            f.asOf.addDays(-EngagementRules::kHealthMaxAgeDays).toString(Qt::ISODate), f.asOf.toString(Qt::ISODate));
    return u"latest health score (%1) is %2"_s.arg(f.healthDate.toString(Qt::ISODate), Domain::enumName(*f.healthBand));
}

QString npsEvidence(const LifecycleFacts &f)
{
    if (!f.latestNps)
        return u"no NPS answer since %1"_s.arg(
            f.asOf.addDays(-EngagementRules::kPromoterWindowDays).toString(Qt::ISODate));
    return u"latest NPS answer (%1) is %2"_s.arg(f.latestNpsDate.toString(Qt::ISODate)).arg(*f.latestNps);
}

QString renewalEvidence(const LifecycleFacts &f)
{
    if (!f.renewalDate.isValid())
        return u"no renewal date on record"_s;
    return u"renewal date %1 (%2 days from %3)"_s.arg(f.renewalDate.toString(Qt::ISODate))
        .arg(f.asOf.daysTo(f.renewalDate))
        .arg(f.asOf.toString(Qt::ISODate));
}
} // namespace

const QList<LifecycleRule> &table()
{
    using S = LifecycleStage;
    static const QList<LifecycleRule> rules {
        { u"churned_status"_s, { S::Onboarding, S::Adoption, S::Expansion, S::Renewal, S::Advocacy, S::AtRisk },
            S::Churned, u"the customer's status is churned"_s },
        { u"win_back"_s, { S::Churned }, S::Onboarding, u"the customer's status is no longer churned"_s },
        { u"health_red"_s, { S::Onboarding, S::Adoption, S::Expansion, S::Renewal, S::Advocacy }, S::AtRisk,
            u"the latest health score of the last %1 days is red"_s.arg(EngagementRules::kHealthMaxAgeDays) },
        { u"recovered"_s, { S::AtRisk }, S::Adoption,
            u"the latest health score of the last %1 days is green"_s.arg(EngagementRules::kHealthMaxAgeDays) },
        { u"onboarding_complete"_s, { S::Onboarding }, S::Adoption,
            u"an onboarding plan is completed and none is open, or there is no plan and the customer was active on "
            "at least %1 of the last %2 days"_s.arg(EngagementRules::kAdoptionActiveDays)
                .arg(EngagementRules::kAdoptionWindowDays) },
        { u"renewal_due"_s, { S::Adoption, S::Expansion, S::Advocacy }, S::Renewal,
            u"the renewal date is within the next %1 days"_s.arg(EngagementRules::kRenewalWindowDays) },
        { u"renewed"_s, { S::Renewal }, S::Adoption,
            u"the renewal date is more than %1 days away (the next term is on file)"_s.arg(
                EngagementRules::kRenewalWindowDays) },
        { u"expansion_signal"_s, { S::Adoption }, S::Expansion,
            u"an expansion opportunity is open (identified, qualified or proposed)"_s },
        { u"expansion_closed"_s, { S::Expansion }, S::Adoption, u"no expansion opportunity is open"_s },
        { u"advocate"_s, { S::Adoption, S::Expansion }, S::Advocacy,
            u"the latest NPS answer of the last %1 days is %2 or more and the latest health score is green"_s
                .arg(EngagementRules::kPromoterWindowDays)
                .arg(EngagementRules::kPromoterScore) },
        { u"advocacy_lapsed"_s, { S::Advocacy }, S::Adoption,
            u"the latest NPS answer of the last %1 days is below %2"_s.arg(EngagementRules::kPromoterWindowDays)
                .arg(EngagementRules::kPromoterScore) },
    };
    return rules;
}

const LifecycleRule *find(const QString &key)
{
    for (const LifecycleRule &rule : table()) {
        if (rule.key == key)
            return &rule;
    }
    return nullptr;
}

LifecycleRuleCheck check(const LifecycleRule &rule, const LifecycleFacts &f)
{
    using Domain::CustomerStatus;
    using Domain::HealthBand;
    LifecycleRuleCheck c;
    const QString &k = rule.key;
    if (k == u"churned_status"_s) {
        c.holds = f.status == CustomerStatus::Churned;
        c.evidence = u"status is %1"_s.arg(Domain::enumName(f.status));
    } else if (k == u"win_back"_s) {
        c.holds = f.status != CustomerStatus::Churned;
        c.evidence = u"status is %1"_s.arg(Domain::enumName(f.status));
    } else if (k == u"health_red"_s) {
        c.holds = f.healthBand == HealthBand::Red;
        c.evidence = healthEvidence(f);
    } else if (k == u"recovered"_s) {
        c.holds = f.healthBand == HealthBand::Green;
        c.evidence = healthEvidence(f);
    } else if (k == u"onboarding_complete"_s) {
        const bool planDone = f.completedOnboardingPlans > 0 && f.openOnboardingPlans == 0;
        const bool noPlan = f.completedOnboardingPlans == 0 && f.openOnboardingPlans == 0;
        const bool active = f.activeDays30 >= EngagementRules::kAdoptionActiveDays;
        c.holds = planDone || (noPlan && active);
        c.evidence = u"%1 completed and %2 open onboarding plan(s); active on %3 of the last %4 days"_s
                         .arg(f.completedOnboardingPlans)
                         .arg(f.openOnboardingPlans)
                         .arg(f.activeDays30)
                         .arg(EngagementRules::kAdoptionWindowDays);
    } else if (k == u"renewal_due"_s) {
        c.holds = f.renewalDate.isValid() && f.renewalDate >= f.asOf
            && f.renewalDate <= f.asOf.addDays(EngagementRules::kRenewalWindowDays);
        c.evidence = renewalEvidence(f);
    } else if (k == u"renewed"_s) {
        c.holds = f.renewalDate.isValid() && f.renewalDate > f.asOf.addDays(EngagementRules::kRenewalWindowDays);
        c.evidence = renewalEvidence(f);
    } else if (k == u"expansion_signal"_s) {
        c.holds = f.openExpansionOpportunities > 0;
        c.evidence = u"%1 open expansion opportunit%2"_s.arg(f.openExpansionOpportunities)
                         .arg(f.openExpansionOpportunities == 1 ? u"y"_s : u"ies"_s);
    } else if (k == u"expansion_closed"_s) {
        c.holds = f.openExpansionOpportunities == 0;
        c.evidence = u"%1 open expansion opportunit%2"_s.arg(f.openExpansionOpportunities)
                         .arg(f.openExpansionOpportunities == 1 ? u"y"_s : u"ies"_s);
    } else if (k == u"advocate"_s) {
        c.holds = f.latestNps && *f.latestNps >= EngagementRules::kPromoterScore && f.healthBand == HealthBand::Green;
        c.evidence = npsEvidence(f) + u"; "_s + healthEvidence(f);
    } else if (k == u"advocacy_lapsed"_s) {
        c.holds = f.latestNps && *f.latestNps < EngagementRules::kPromoterScore;
        c.evidence = npsEvidence(f);
    }
    return c;
}

const LifecycleRule *propose(const LifecycleFacts &facts, LifecycleRuleCheck *out)
{
    for (const LifecycleRule &rule : table()) {
        if (!rule.from.contains(facts.stage))
            continue;
        const LifecycleRuleCheck c = check(rule, facts);
        if (c.holds) {
            if (out)
                *out = c;
            return &rule;
        }
    }
    return nullptr;
}

} // namespace LifecycleRules

// ------------------------------------------------------------------------------------------------------------
// Milestones

namespace AdoptionMilestones {
const QList<MilestoneDefinition> &definitions()
{
    static const QList<MilestoneDefinition> list {
        { u"first_usage"_s, u"First product use"_s, u"the customer's first usage event"_s },
        { u"five_daily_users"_s, u"5 users on one day"_s,
            u"the first day with at least 5 distinct active users (usage_daily)"_s },
        { u"three_features"_s, u"3 features adopted"_s, u"the first use of a third distinct feature (usage_events)"_s },
        { u"events_1000"_s, u"1,000 events"_s, u"the day cumulative usage events reach 1,000 (usage_daily)"_s },
        { u"weekly_habit_8"_s, u"8-week usage habit"_s,
            u"8 consecutive ISO weeks (Monday to Sunday, UTC) each with at least one active day; reached on the "
            "first active day of the 8th week (usage_daily)"_s },
        { u"active_streak_30"_s, u"30-day active streak"_s,
            u"30 consecutive days each with at least one usage event; reached on the 30th day (usage_daily)"_s },
    };
    return list;
}
} // namespace AdoptionMilestones

// ------------------------------------------------------------------------------------------------------------
// Helpers

namespace {

QString dateText(const QDate &day)
{
    return day.toString(Qt::ISODate);
}

QString dayStart(const QDate &day)
{
    return dateText(day) + u"T00:00:00.000Z"_s;
}

bool isSqlite(const Storage::Database &db)
{
    return db.dialect() == Storage::Dialect::Sqlite;
}

// The UTC day of a timestamp column, as a DATE on PostgreSQL and 'YYYY-MM-DD' text on SQLite.
QString dayOf(const Storage::Database &db, const QString &column)
{
    return isSqlite(db) ? u"substr(%1, 1, 10)"_s.arg(column) : u"CAST((%1 AT TIME ZONE 'UTC') AS DATE)"_s.arg(column);
}

// Whole days from a date column (or expression) to the bound date `?`: ? − day.
QString daysBefore(const Storage::Database &db, const QString &dayExpression)
{
    return isSqlite(db) ? u"CAST(julianday(?) - julianday(%1) AS INTEGER)"_s.arg(dayExpression)
                        : u"(CAST(? AS DATE) - %1)"_s.arg(dayExpression);
}

QString placeholders(qsizetype n)
{
    QStringList m;
    for (qsizetype i = 0; i < n; ++i)
        m << u"?"_s;
    return m.join(u", "_s);
}

QDateTime toDateTime(const QVariant &v)
{
    QDateTime t;
    Storage::Convert::fromSql(v, t);
    return t;
}

QDate toDate(const QVariant &v)
{
    QDate d;
    Storage::Convert::fromSql(v, d);
    return d;
}

// The customers a portfolio-wide figure covers.
const QString kLiveCustomers = u"SELECT id FROM customers WHERE deleted_at IS NULL"_s;

// Feature keys outside the catalogue listed at most (most used first, resp. by key).
constexpr qsizetype kMaxUnknownFeatures = 50;

Result<QStringList> cleanIds(const QStringList &ids, int max)
{
    QStringList out;
    QSet<QString> seen;
    for (const QString &raw : ids) {
        const QString id = raw.trimmed();
        if (id.isEmpty())
            return Error::invalid(u"customer_ids"_s, u"must not contain empty ids"_s);
        if (!seen.contains(id)) {
            seen.insert(id);
            out << id;
        }
    }
    if (out.size() > max)
        return Error::invalid(u"customer_ids"_s, u"may name at most %1 customers per call"_s.arg(max));
    return out;
}

Status requireLiveIds(const Storage::Database &db, const QStringList &ids)
{
    if (ids.isEmpty())
        return {};
    QVariantList b;
    for (const QString &id : ids)
        b << id;
    auto q = Storage::exec(
        db, u"SELECT id FROM customers WHERE deleted_at IS NULL AND id IN (%1)"_s.arg(placeholders(ids.size())), b);
    if (!q)
        return q.error();
    QSet<QString> found;
    while (q->next())
        found.insert(q->value(0).toString());
    QStringList missing;
    for (const QString &id : ids) {
        if (!found.contains(id))
            missing << id;
    }
    if (!missing.isEmpty())
        return Error::notFound(u"customer_ids"_s, u"no customer with id %1"_s.arg(missing.mid(0, 5).join(u", "_s)));
    return {};
}

QString encodeCursor(const QJsonObject &o)
{
    return QString::fromLatin1(QJsonDocument(o)
                                   .toJson(QJsonDocument::Compact)
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

Result<QJsonObject> decodeCursor(const QString &cursor)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        cursor.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return Error::invalid(u"cursor"_s, u"is not a cursor this service handed out"_s);
    const QJsonDocument doc = QJsonDocument::fromJson(*decoded);
    if (!doc.isObject())
        return Error::invalid(u"cursor"_s, u"is not a cursor this service handed out"_s);
    return doc.object();
}

Result<std::pair<QDate, QDate>> resolveRange(QDate from, QDate to, QDate today, int defaultDays)
{
    if (!to.isValid())
        to = today;
    if (!from.isValid())
        from = to.addDays(1 - defaultDays);
    if (to < from)
        return Error::invalid(u"to"_s, u"must not be before from"_s);
    if (from.daysTo(to) + 1 > EngagementRules::kMaxRangeDays)
        return Error::invalid(u"from"_s, u"the range may span at most %1 days"_s.arg(EngagementRules::kMaxRangeDays));
    return std::pair { from, to };
}

} // namespace

// ------------------------------------------------------------------------------------------------------------

EngagementService::EngagementService(
    const Storage::Database &db, const Clock &clock, TimelineService *timeline, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
    , m_timeline(timeline)
{ }

Status EngagementService::requireCustomer(const QString &customerId) const
{
    if (customerId.isEmpty())
        return Error::invalid(u"customer_id"_s, u"is required"_s);
    auto q = Storage::exec(m_db, u"SELECT 1 FROM customers WHERE id = ? AND deleted_at IS NULL"_s, { customerId });
    if (!q)
        return q.error();
    if (!q->next())
        return Error::notFound(u"customer_id"_s, u"no customer with id '%1'"_s.arg(customerId));
    return {};
}

void EngagementService::notifyTimeline(const QString &customerId)
{
    if (m_timeline)
        m_timeline->notifyChanged(customerId);
}

// ------------------------------------------------------------------------------------------------------------
// Usage

Result<qint64> EngagementService::rebuildDailyUsage(QDate from, QDate to)
{
    if (!from.isValid())
        return Error::invalid(u"from"_s, u"is required"_s);
    if (!to.isValid())
        return Error::invalid(u"to"_s, u"is required"_s);
    if (to < from)
        return Error::invalid(u"to"_s, u"must not be before from"_s);
    if (from.daysTo(to) > 3660)
        return Error::invalid(u"to"_s, u"the range may span at most 10 years"_s);
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    if (auto del = Storage::exec(
            m_db, u"DELETE FROM usage_daily WHERE day >= ? AND day <= ?"_s, { dateText(from), dateText(to) });
        !del)
        return del.error();
    const QString day = dayOf(m_db, u"e.occurred_at"_s);
    // Per feature, plus the all-features row (feature ''); events without a feature count only in the latter.
    // active_users = distinct user_ref of the day. One INSERT … SELECT: set-based, no row passes through C++.
    const QString sql = u"INSERT INTO usage_daily (customer_id, day, feature, events, active_users, quantity) "
                        "SELECT e.customer_id, %1, e.feature, COUNT(*), COUNT(DISTINCT e.user_ref), SUM(e.quantity) "
                        "FROM usage_events e WHERE e.occurred_at >= ? AND e.occurred_at < ? "
                        "AND e.feature IS NOT NULL AND e.feature <> '' GROUP BY e.customer_id, %1, e.feature "
                        "UNION ALL "
                        "SELECT e.customer_id, %1, '', COUNT(*), COUNT(DISTINCT e.user_ref), SUM(e.quantity) "
                        "FROM usage_events e WHERE e.occurred_at >= ? AND e.occurred_at < ? "
                        "GROUP BY e.customer_id, %1"_s.arg(day);
    const QString start = dayStart(from);
    const QString end = dayStart(to.addDays(1));
    auto ins = Storage::exec(m_db, sql, { start, end, start, end });
    if (!ins)
        return ins.error();
    const qint64 rows = ins->numRowsAffected();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT dailyUsageRebuilt(from, to);
    return rows;
}

Result<UsageReport> EngagementService::usage(const UsageQuery &query) const
{
    using namespace EngagementRules;
    if (query.topFeatures < 1 || query.topFeatures > 100)
        return Error::invalid(u"top_features"_s, u"must be between 1 and 100"_s);
    const bool portfolio = query.customerId.isEmpty();
    if (!portfolio) {
        if (auto ok = requireCustomer(query.customerId); !ok)
            return ok.error();
    }
    auto range = resolveRange(query.from, query.to, m_clock.today(), 30);
    if (!range)
        return range.error();
    UsageReport r;
    r.customerId = query.customerId;
    r.from = range->first;
    r.to = range->second;
    r.days = int(r.from.daysTo(r.to) + 1);
    r.previousTo = r.from.addDays(-1);
    r.previousFrom = r.from.addDays(-r.days);
    const QDate stickyFrom = r.to.addDays(1 - kStickinessDays);
    const QDate seriesFrom = std::min(r.previousFrom, stickyFrom);

    // Which customers: one, or the live portfolio. The filter is fixed SQL; the id is bound.
    const QString dailyFilter = portfolio ? u"u.customer_id IN (%1)"_s.arg(kLiveCustomers) : u"u.customer_id = ?"_s;
    const QString eventFilter = portfolio ? u"e.customer_id IN (%1)"_s.arg(kLiveCustomers) : u"e.customer_id = ?"_s;
    const QVariantList who = portfolio ? QVariantList {} : QVariantList { query.customerId };

    // First usage up to `to` (one index seek either way).
    {
        auto q = Storage::exec(m_db,
            u"SELECT MIN(e.occurred_at) FROM usage_events e WHERE e.occurred_at < ? AND "_s + eventFilter,
            QVariantList { dayStart(r.to.addDays(1)) } + who);
        if (!q)
            return q.error();
        if (q->next() && !q->value(0).isNull())
            r.firstUsageDay = toDateTime(q->value(0)).date();
    }
    if (portfolio) {
        auto q = Storage::exec(m_db, u"SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL"_s);
        if (!q)
            return q.error();
        if (q->next())
            r.liveCustomers = q->value(0).toLongLong();
    }
    if (!r.firstUsageDay.isValid()) {
        r.reason = portfolio ? u"no usage events on record up to %1"_s.arg(dateText(r.to))
                             : u"no usage events on record for this customer up to %1"_s.arg(dateText(r.to));
        r.trendReason = r.reason;
        return r;
    }
    r.hasData = true;

    // Does usage_daily agree with usage_events over the days we read? Same event count = use the aggregate.
    const QVariantList seriesDays { dateText(seriesFrom), dateText(r.to) };
    const QVariantList seriesTimes { dayStart(seriesFrom), dayStart(r.to.addDays(1)) };
    qint64 dailyEvents = 0;
    qint64 rawEvents = 0;
    {
        auto q = Storage::exec(m_db,
            u"SELECT COALESCE(SUM(u.events), 0) FROM usage_daily u WHERE u.feature = '' AND u.day >= ? AND u.day <= ? AND "_s
                + dailyFilter,
            seriesDays + who);
        if (!q)
            return q.error();
        if (q->next())
            dailyEvents = q->value(0).toLongLong();
        auto e = Storage::exec(m_db,
            u"SELECT COUNT(*) FROM usage_events e WHERE e.occurred_at >= ? AND e.occurred_at < ? AND "_s + eventFilter,
            seriesTimes + who);
        if (!e)
            return e.error();
        if (e->next())
            rawEvents = e->value(0).toLongLong();
    }
    QMap<QDate, UsageDay> days;
    Storage::Query dailyRows;
    if (dailyEvents == rawEvents) {
        r.source = u"usage_daily"_s;
        auto q = Storage::exec(m_db,
            u"SELECT u.day, SUM(u.events), SUM(u.active_users), SUM(u.quantity) FROM usage_daily u "
            "WHERE u.feature = '' AND u.day >= ? AND u.day <= ? AND "_s
                + dailyFilter + u" GROUP BY u.day"_s,
            seriesDays + who);
        if (!q)
            return q.error();
        dailyRows = std::move(*q);
    } else {
        r.source = u"usage_events"_s;
        r.dailyUsageStale = true;
        const QString day = dayOf(m_db, u"e.occurred_at"_s);
        // Distinct users per customer and day, then summed over customers (a user belongs to one customer).
        auto q = Storage::exec(m_db,
            u"SELECT d, SUM(n), SUM(users), SUM(q) FROM (SELECT %1 AS d, e.customer_id, COUNT(*) AS n, "
            "COUNT(DISTINCT e.user_ref) AS users, SUM(e.quantity) AS q FROM usage_events e "
            "WHERE e.occurred_at >= ? AND e.occurred_at < ? AND %2 GROUP BY %1, e.customer_id) x GROUP BY d"_s.arg(
                day, eventFilter),
            seriesTimes + who);
        if (!q)
            return q.error();
        dailyRows = std::move(*q);
        qCInfo(lcEngagement) << "usage_daily disagrees with usage_events from" << seriesFrom << "to" << r.to << "("
                             << dailyEvents << "vs" << rawEvents << "events); reading usage_events";
    }
    while (dailyRows.next()) {
        UsageDay d;
        d.day = toDate(dailyRows.value(0));
        d.events = dailyRows.value(1).toLongLong();
        d.activeUsers = dailyRows.value(2).toLongLong();
        d.quantity = dailyRows.value(3).toDouble();
        days.insert(d.day, d);
    }

    // Sums over a range of the daily map.
    struct Sums
    {
        qint64 events = 0;
        qint64 userDays = 0;
        double quantity = 0;
        int activeDays = 0;
    };
    const auto sums = [&days](QDate a, QDate b) {
        Sums s;
        for (auto it = days.lowerBound(a); it != days.cend() && it.key() <= b; ++it) {
            s.events += it->events;
            s.userDays += it->activeUsers;
            s.quantity += it->quantity;
            if (it->events > 0)
                ++s.activeDays;
        }
        return s;
    };
    const Sums cur = sums(r.from, r.to);
    r.events = cur.events;
    r.quantity = cur.quantity;
    r.activeDays = cur.activeDays;
    r.eventsPerDay = double(cur.events) / r.days;
    if (cur.activeDays > 0)
        r.eventsPerActiveDay = double(cur.events) / cur.activeDays;
    r.dau = double(cur.userDays) / r.days;
    for (QDate d = r.from; d <= r.to; d = d.addDays(1))
        r.series << days.value(d, UsageDay { d, 0, 0, 0 });

    // WAU / MAU: distinct users over 7 and 30 days, from the raw events.
    {
        const QDate wauFrom = r.to.addDays(1 - kWauDays);
        auto q = Storage::exec(m_db,
            u"SELECT COUNT(DISTINCT CASE WHEN e.occurred_at >= ? THEN e.customer_id || '/' || e.user_ref END), "
            "COUNT(DISTINCT e.customer_id || '/' || e.user_ref) FROM usage_events e "
            "WHERE e.occurred_at >= ? AND e.occurred_at < ? AND e.user_ref IS NOT NULL AND "_s
                + eventFilter,
            QVariantList { dayStart(wauFrom), dayStart(stickyFrom), dayStart(r.to.addDays(1)) } + who);
        if (!q)
            return q.error();
        if (q->next()) {
            r.wau = q->value(0).toLongLong();
            r.mau = q->value(1).toLongLong();
        }
    }
    if (r.mau > 0) {
        const Sums sticky = sums(stickyFrom, r.to);
        r.stickiness = double(sticky.userDays) / kStickinessDays / double(r.mau);
    }

    // Trend against the previous period of the same length.
    const Sums prev = sums(r.previousFrom, r.previousTo);
    r.previousEvents = prev.events;
    r.previousActiveDays = prev.activeDays;
    r.previousDau = double(prev.userDays) / r.days;
    if (r.firstUsageDay > r.previousFrom) {
        r.trendReason = u"usage began on %1, after the start of the previous period (%2)"_s.arg(
            dateText(r.firstUsageDay), dateText(r.previousFrom));
    } else if (prev.events == 0) {
        r.trendReason
            = u"no usage in the previous period (%1 to %2)"_s.arg(dateText(r.previousFrom), dateText(r.previousTo));
    } else {
        r.hasTrend = true;
        r.eventsChange = EngagementMath::relativeChange(double(cur.events), double(prev.events));
        r.activeDaysChange = EngagementMath::relativeChange(cur.activeDays, prev.activeDays);
        r.dauChange = EngagementMath::relativeChange(r.dau, r.previousDau);
        r.trend = EngagementMath::direction(r.eventsChange);
    }

    // Active customers (portfolio).
    if (portfolio) {
        auto q = Storage::exec(m_db,
            u"SELECT COUNT(DISTINCT e.customer_id) FROM usage_events e WHERE e.occurred_at >= ? AND e.occurred_at < ? AND "_s
                + eventFilter,
            QVariantList { dayStart(r.from), dayStart(r.to.addDays(1)) });
        if (!q)
            return q.error();
        if (q->next())
            r.activeCustomers = q->value(0).toLongLong();
    }

    // Feature breakdown over R, with the events of P per feature.
    QHash<QString, std::pair<QString, QString>> catalogue;
    {
        auto q = Storage::exec(m_db, u"SELECT key, name, category FROM features WHERE deleted_at IS NULL"_s);
        if (!q)
            return q.error();
        while (q->next())
            catalogue.insert(q->value(0).toString(), { q->value(1).toString(), q->value(2).toString() });
    }
    QHash<QString, qint64> previousByFeature;
    {
        auto q = Storage::exec(m_db,
            u"SELECT e.feature, COUNT(*) FROM usage_events e WHERE e.occurred_at >= ? AND e.occurred_at < ? "
            "AND e.feature IS NOT NULL AND e.feature <> '' AND "_s
                + eventFilter + u" GROUP BY e.feature"_s,
            QVariantList { dayStart(r.previousFrom), dayStart(r.from) } + who);
        if (!q)
            return q.error();
        while (q->next())
            previousByFeature.insert(q->value(0).toString(), q->value(1).toLongLong());
    }
    QList<FeatureUsage> features;
    qint64 featureEvents = 0;
    {
        auto q = Storage::exec(m_db,
            u"SELECT COALESCE(e.feature, ''), COUNT(*), COUNT(DISTINCT e.customer_id || '/' || e.user_ref), "
            "COUNT(DISTINCT e.customer_id) FROM usage_events e WHERE e.occurred_at >= ? AND e.occurred_at < ? AND "_s
                + eventFilter + u" GROUP BY COALESCE(e.feature, '')"_s,
            QVariantList { dayStart(r.from), dayStart(r.to.addDays(1)) } + who);
        if (!q)
            return q.error();
        while (q->next()) {
            const QString key = q->value(0).toString();
            if (key.isEmpty()) {
                r.eventsWithoutFeature += q->value(1).toLongLong();
                continue;
            }
            FeatureUsage f;
            f.feature = key;
            f.events = q->value(1).toLongLong();
            f.users = q->value(2).toLongLong();
            f.customers = q->value(3).toLongLong();
            if (const auto it = catalogue.constFind(key); it != catalogue.cend()) {
                f.inCatalogue = true;
                f.name = it->first;
                f.category = it->second;
            }
            f.previousEvents = previousByFeature.value(key);
            if (r.hasTrend)
                f.change = EngagementMath::relativeChange(double(f.events), double(f.previousEvents));
            featureEvents += f.events;
            features << f;
        }
    }
    std::sort(features.begin(), features.end(), [](const FeatureUsage &a, const FeatureUsage &b) {
        return a.events != b.events ? a.events > b.events : a.feature < b.feature;
    });
    for (FeatureUsage &f : features)
        f.share = featureEvents > 0 ? double(f.events) / double(featureEvents) : 0;
    if (features.size() > query.topFeatures) {
        r.otherFeatures = features.size() - query.topFeatures;
        features.resize(query.topFeatures);
    }
    r.features = features;
    return r;
}

// ------------------------------------------------------------------------------------------------------------
// Feature adoption

Result<FeatureAdoptionReport> EngagementService::featureAdoption(QDate from, QDate to) const
{
    auto range = resolveRange(from, to, m_clock.today(), 30);
    if (!range)
        return range.error();
    FeatureAdoptionReport r;
    r.from = range->first;
    r.to = range->second;
    const QVariantList window { dayStart(r.from), dayStart(r.to.addDays(1)) };
    const QString inWindow
        = u"e.occurred_at >= ? AND e.occurred_at < ? AND e.customer_id IN (%1)"_s.arg(kLiveCustomers);

    struct CatalogueEntry
    {
        QString name;
        QString category;
        bool premium = false;
    };
    QMap<QString, CatalogueEntry> catalogue;
    {
        auto q
            = Storage::exec(m_db, u"SELECT key, name, category, is_premium FROM features WHERE deleted_at IS NULL"_s);
        if (!q)
            return q.error();
        while (q->next()) {
            bool premium = false;
            Storage::Convert::fromSql(q->value(3), premium);
            catalogue.insert(q->value(0).toString(), { q->value(1).toString(), q->value(2).toString(), premium });
        }
    }
    r.catalogueFeatures = catalogue.size();
    {
        auto q = Storage::exec(
            m_db, u"SELECT COUNT(DISTINCT e.customer_id) FROM usage_events e WHERE "_s + inWindow, window);
        if (!q)
            return q.error();
        if (q->next())
            r.activeCustomers = q->value(0).toLongLong();
    }
    QHash<QString, FeatureAdoptionRow> used;
    {
        auto q = Storage::exec(m_db,
            u"SELECT e.feature, COUNT(DISTINCT e.customer_id), COUNT(*), COUNT(DISTINCT e.customer_id || '/' || "
            u"e.user_ref) "
            "FROM usage_events e WHERE e.feature IS NOT NULL AND e.feature <> '' AND "_s
                + inWindow + u" GROUP BY e.feature"_s,
            window);
        if (!q)
            return q.error();
        while (q->next()) {
            FeatureAdoptionRow row;
            row.feature = q->value(0).toString();
            row.adoptingCustomers = q->value(1).toLongLong();
            row.events = q->value(2).toLongLong();
            row.users = q->value(3).toLongLong();
            used.insert(row.feature, row);
        }
    }
    if (r.activeCustomers == 0)
        r.reason = u"no customer used the product between %1 and %2"_s.arg(dateText(r.from), dateText(r.to));
    r.hasData = r.activeCustomers > 0;

    QList<FeatureAdoptionRow> known;
    for (auto it = catalogue.cbegin(); it != catalogue.cend(); ++it) {
        FeatureAdoptionRow row = used.take(it.key());
        row.feature = it.key();
        row.name = it->name;
        row.category = it->category;
        row.isPremium = it->premium;
        row.inCatalogue = true;
        known << row;
    }
    QList<FeatureAdoptionRow> unknown = used.values();
    const auto byAdoption = [](const FeatureAdoptionRow &a, const FeatureAdoptionRow &b) {
        return a.adoptingCustomers != b.adoptingCustomers ? a.adoptingCustomers > b.adoptingCustomers
                                                          : a.feature < b.feature;
    };
    std::sort(known.begin(), known.end(), byAdoption);
    std::sort(unknown.begin(), unknown.end(), byAdoption);
    if (unknown.size() > kMaxUnknownFeatures)
        unknown.resize(kMaxUnknownFeatures); // bounded: vendors can send any number of keys
    for (FeatureAdoptionRow &row : known) {
        if (r.activeCustomers > 0)
            row.adoptionRate = double(row.adoptingCustomers) / double(r.activeCustomers);
    }
    for (FeatureAdoptionRow &row : unknown) {
        if (r.activeCustomers > 0)
            row.adoptionRate = double(row.adoptingCustomers) / double(r.activeCustomers);
    }
    r.features = known + unknown;

    // Breadth: Σ over active customers of catalogue features used, / (active customers · catalogue size);
    // an active customer that used no catalogue feature adds 0.
    if (r.activeCustomers > 0 && r.catalogueFeatures > 0) {
        auto q = Storage::exec(m_db,
            u"SELECT COUNT(*) FROM (SELECT DISTINCT e.customer_id, e.feature FROM usage_events e "
            "JOIN features f ON f.key = e.feature AND f.deleted_at IS NULL WHERE "_s
                + inWindow + u") x"_s,
            window);
        if (!q)
            return q.error();
        if (q->next())
            r.averageBreadth = q->value(0).toDouble() / (double(r.activeCustomers) * double(r.catalogueFeatures));
    }
    return r;
}

Result<CustomerFeatureAdoption> EngagementService::customerFeatureAdoption(
    const QString &customerId, QDate from, QDate to) const
{
    if (auto ok = requireCustomer(customerId); !ok)
        return ok.error();
    auto range = resolveRange(from, to, m_clock.today(), 30);
    if (!range)
        return range.error();
    CustomerFeatureAdoption r;
    r.customerId = customerId;
    r.from = range->first;
    r.to = range->second;
    const QString windowStart = dayStart(r.from);
    const QString end = dayStart(r.to.addDays(1));
    {
        auto q = Storage::exec(m_db,
            u"SELECT MIN(occurred_at) FROM usage_events WHERE customer_id = ? AND occurred_at < ?"_s,
            { customerId, end });
        if (!q)
            return q.error();
        r.hasData = q->next() && !q->value(0).isNull();
    }
    if (!r.hasData)
        r.reason = u"no usage events on record for this customer up to %1"_s.arg(dateText(r.to));

    QHash<QString, CustomerFeature> used;
    if (r.hasData) {
        auto q = Storage::exec(m_db,
            u"SELECT feature, MIN(occurred_at), MAX(occurred_at), SUM(CASE WHEN occurred_at >= ? THEN 1 ELSE 0 END), "
            "COUNT(DISTINCT CASE WHEN occurred_at >= ? THEN user_ref END) FROM usage_events "
            "WHERE customer_id = ? AND occurred_at < ? AND feature IS NOT NULL AND feature <> '' GROUP BY feature"_s,
            { windowStart, windowStart, customerId, end });
        if (!q)
            return q.error();
        while (q->next()) {
            CustomerFeature f;
            f.feature = q->value(0).toString();
            f.firstUsedAt = toDateTime(q->value(1));
            f.lastUsedAt = toDateTime(q->value(2));
            f.eventsInWindow = q->value(3).toLongLong();
            f.usersInWindow = q->value(4).toLongLong();
            used.insert(f.feature, f);
        }
    }
    auto q = Storage::exec(
        m_db, u"SELECT key, name, category, is_premium FROM features WHERE deleted_at IS NULL ORDER BY name, key"_s);
    if (!q)
        return q.error();
    while (q->next()) {
        CustomerFeature f = used.take(q->value(0).toString());
        f.feature = q->value(0).toString();
        f.name = q->value(1).toString();
        f.category = q->value(2).toString();
        Storage::Convert::fromSql(q->value(3), f.isPremium);
        f.inCatalogue = true;
        ++r.catalogueFeatures;
        if (f.firstUsedAt.isValid())
            ++r.adoptedEver;
        if (f.usedInWindow())
            ++r.usedInWindow;
        r.features << f;
    }
    QList<CustomerFeature> unknown = used.values();
    std::sort(unknown.begin(), unknown.end(),
        [](const CustomerFeature &a, const CustomerFeature &b) { return a.feature < b.feature; });
    if (unknown.size() > kMaxUnknownFeatures)
        unknown.resize(kMaxUnknownFeatures); // bounded: vendors can send any number of keys
    r.features << unknown;
    if (r.hasData && r.catalogueFeatures > 0) {
        r.breadth = double(r.usedInWindow) / r.catalogueFeatures;
        r.breadthEver = double(r.adoptedEver) / r.catalogueFeatures;
    }
    return r;
}

// ------------------------------------------------------------------------------------------------------------
// Lifecycle

namespace {

struct CustomerFacts
{
    QString id;
    QString name;
    int version = 0;
    QDate churnedAt;
    LifecycleFacts facts;
};

// The facts of the lifecycle rules for every live customer (or the given ones) in one query: a handful of
// correlated look-ups per customer, each an index seek (health_scores UNIQUE (customer_id, score_date),
// onboarding_plans / expansion_opportunities / survey_responses by customer, usage_daily's unique key).
Result<QList<CustomerFacts>> loadLifecycleFacts(const Storage::Database &db, const QStringList *ids, QDate asOf)
{
    using namespace EngagementRules;
    const QString d = dateText(asOf);
    const QString npsFrom = dayStart(asOf.addDays(-kPromoterWindowDays));
    const QString npsTo = dayStart(asOf.addDays(1));
    // Bindings in the order the placeholders appear: health date, usage window, the two NPS look-ups, ids.
    QVariantList b { d, dateText(asOf.addDays(1 - kAdoptionWindowDays)), d, npsFrom, npsTo, npsFrom, npsTo };
    QString filter;
    if (ids) {
        filter = u" AND c.id IN (%1)"_s.arg(placeholders(ids->size()));
        for (const QString &id : *ids)
            b << id;
    }
    // (r.kind || '') keeps SQLite's planner on the (customer_id, responded_at) index: without statistics it
    // prefers (kind, responded_at), which reads every NPS answer of the window once per customer.
    const QString nps = u"FROM survey_responses r WHERE r.customer_id = c.id AND r.deleted_at IS NULL "
                        "AND (r.kind || '') = 'nps' AND r.responded_at >= ? AND r.responded_at < ? "
                        "ORDER BY r.responded_at DESC LIMIT 1"_s;
    const QString sql
        = u"SELECT c.id, c.name, c.version, c.lifecycle_stage, c.status, c.renewal_date, c.churned_at, "
          "(SELECT h.band || '|' || CAST(h.score_date AS TEXT) FROM health_scores h WHERE h.customer_id = c.id "
          "AND h.score_date <= ? ORDER BY h.score_date DESC LIMIT 1), "
          "(SELECT COUNT(*) FROM onboarding_plans p WHERE p.customer_id = c.id AND p.deleted_at IS NULL "
          "AND p.status IN ('not_started', 'in_progress', 'stalled')), "
          "(SELECT COUNT(*) FROM onboarding_plans p WHERE p.customer_id = c.id AND p.deleted_at IS NULL "
          "AND p.status = 'completed'), "
          "(SELECT COUNT(*) FROM usage_daily u WHERE u.customer_id = c.id AND u.feature = '' AND u.events > 0 "
          "AND u.day >= ? AND u.day <= ?), "
          "(SELECT COUNT(*) FROM expansion_opportunities o WHERE o.customer_id = c.id AND o.deleted_at IS NULL "
          "AND o.stage IN ('identified', 'qualified', 'proposed')), "
          "(SELECT r.score "_s
        + nps + u"), (SELECT r.responded_at "_s + nps + u") FROM customers c WHERE c.deleted_at IS NULL"_s + filter;
    auto q = Storage::exec(db, sql, b);
    if (!q)
        return q.error();
    QList<CustomerFacts> out;
    while (q->next()) {
        CustomerFacts c;
        c.id = q->value(0).toString();
        c.name = q->value(1).toString();
        c.version = q->value(2).toInt();
        LifecycleFacts &f = c.facts;
        f.asOf = asOf;
        Storage::Convert::fromSql(q->value(3), f.stage);
        Storage::Convert::fromSql(q->value(4), f.status);
        f.renewalDate = toDate(q->value(5));
        c.churnedAt = toDate(q->value(6));
        if (!q->value(7).isNull()) {
            const QStringList parts = q->value(7).toString().split(u'|');
            if (parts.size() == 2) {
                const QDate day = QDate::fromString(parts.at(1).left(10), Qt::ISODate);
                Domain::HealthBand band = Domain::HealthBand::Red;
                Storage::Convert::fromSql(parts.at(0), band);
                if (day.isValid() && day >= asOf.addDays(-kHealthMaxAgeDays)) {
                    f.healthBand = band;
                    f.healthDate = day;
                }
            }
        }
        f.openOnboardingPlans = q->value(8).toInt();
        f.completedOnboardingPlans = q->value(9).toInt();
        f.activeDays30 = q->value(10).toInt();
        f.openExpansionOpportunities = q->value(11).toInt();
        if (!q->value(12).isNull()) {
            f.latestNps = q->value(12).toInt();
            f.latestNpsDate = toDateTime(q->value(13)).date();
        }
        out << c;
    }
    // Code-point order of the ids (the database's collation may differ between dialects).
    std::sort(out.begin(), out.end(), [](const CustomerFacts &a, const CustomerFacts &b) { return a.id < b.id; });
    return out;
}

} // namespace

Result<LifecycleFacts> EngagementService::lifecycleFacts(const QString &customerId, QDate asOf) const
{
    if (auto ok = requireCustomer(customerId); !ok)
        return ok.error();
    const QStringList ids { customerId };
    auto facts = loadLifecycleFacts(m_db, &ids, asOf.isValid() ? asOf : m_clock.today());
    if (!facts)
        return facts.error();
    if (facts->isEmpty())
        return Error::notFound(u"customer_id"_s, u"no customer with id '%1'"_s.arg(customerId));
    return facts->first().facts;
}

Result<LifecycleState> EngagementService::lifecycle(const QString &customerId) const
{
    if (auto ok = requireCustomer(customerId); !ok)
        return ok.error();
    const QStringList ids { customerId };
    auto facts = loadLifecycleFacts(m_db, &ids, m_clock.today());
    if (!facts)
        return facts.error();
    if (facts->isEmpty())
        return Error::notFound(u"customer_id"_s, u"no customer with id '%1'"_s.arg(customerId));
    const CustomerFacts &c = facts->first();
    LifecycleState s;
    s.customerId = customerId;
    s.stage = c.facts.stage;
    s.customerVersion = c.version;
    s.facts = c.facts;
    for (const LifecycleRule &rule : LifecycleRules::table()) {
        if (!rule.from.contains(s.stage))
            continue;
        const LifecycleRuleCheck check = LifecycleRules::check(rule, c.facts);
        s.moves << LifecycleAllowedMove { rule.to, rule.key, rule.condition, check.holds, check.evidence };
    }
    using Repo = Storage::LifecycleTransitionRepository;
    auto rows = Storage::exec(m_db,
        u"SELECT %1 FROM lifecycle_transitions WHERE customer_id = ? ORDER BY transitioned_at DESC, id DESC LIMIT 100"_s
            .arg(Repo::selectList()),
        { customerId });
    if (!rows)
        return rows.error();
    const QSqlRecord rec = rows->record();
    while (rows->next())
        s.history << Repo::fromRow(*rows, rec);
    auto count
        = Storage::exec(m_db, u"SELECT COUNT(*) FROM lifecycle_transitions WHERE customer_id = ?"_s, { customerId });
    if (!count)
        return count.error();
    if (count->next())
        s.historyTotal = count->value(0).toLongLong();
    if (!s.history.isEmpty() && s.history.first().toStage == s.stage)
        s.since = s.history.first().transitionedAt;
    return s;
}

Result<LifecycleTransitionResult> EngagementService::transition(const LifecycleTransitionRequest &request)
{
    if (!Domain::isKnown(request.to))
        return Error::invalid(u"to_stage"_s, u"is not one of "_s + Domain::enumValues<LifecycleStage>().join(u", "));
    if (request.reason.size() > 2000)
        return Error::invalid(u"reason"_s, u"must be at most 2000 characters"_s);
    if (request.actor.size() > 200)
        return Error::invalid(u"actor"_s, u"must be at most 200 characters"_s);
    if (auto ok = requireCustomer(request.customerId); !ok)
        return ok.error();

    const QDateTime now = m_clock.now();
    const QDate today = now.date();
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    const QStringList ids { request.customerId };
    auto loaded = loadLifecycleFacts(m_db, &ids, today);
    if (!loaded)
        return loaded.error();
    if (loaded->isEmpty())
        return Error::notFound(u"customer_id"_s, u"no customer with id '%1'"_s.arg(request.customerId));
    const CustomerFacts c = loaded->first();
    const LifecycleStage from = c.facts.stage;
    if (request.expectedVersion > 0 && request.expectedVersion != c.version)
        return Error::conflict(u"version"_s,
            u"this customer was changed by someone else since it was read (you have version %1, the stored one is "
            "%2); reload it and apply your change again"_s.arg(request.expectedVersion)
                .arg(c.version));
    if (from == request.to)
        return Error::invalid(u"to_stage"_s, u"is already the customer's stage (%1)"_s.arg(Domain::enumName(from)));

    // Which rule allows the move?
    const LifecycleRule *rule = nullptr;
    LifecycleRuleCheck evidence;
    QStringList unmet;
    for (const LifecycleRule &candidate : LifecycleRules::table()) {
        if (!candidate.from.contains(from) || candidate.to != request.to)
            continue;
        const LifecycleRuleCheck check = LifecycleRules::check(candidate, c.facts);
        if (check.holds) {
            rule = &candidate;
            evidence = check;
            break;
        }
        unmet << u"rule %1 needs: %2 (now: %3)"_s.arg(candidate.key, candidate.condition, check.evidence);
    }
    if (!rule) {
        if (!request.force) {
            QString message;
            if (!unmet.isEmpty()) {
                message = unmet.join(u"; "_s);
            } else {
                QStringList allowed;
                for (const LifecycleRule &r : LifecycleRules::table()) {
                    if (r.from.contains(from))
                        allowed << u"%1 (%2)"_s.arg(Domain::enumName(r.to), r.key);
                }
                message = u"no rule moves a customer from %1 to %2; from %1 the rules allow: %3"_s.arg(
                    Domain::enumName(from), Domain::enumName(request.to), allowed.join(u", "_s));
            }
            return Error::invalid(u"to_stage"_s, message + u". Pass force with a reason to override."_s);
        }
        if (request.reason.trimmed().isEmpty())
            return Error::invalid(u"reason"_s, u"is required to force a move that no rule allows"_s);
    }

    QString reason = request.reason.trimmed();
    if (rule) {
        const QString because = u"rule %1: %2"_s.arg(rule->key, evidence.evidence);
        reason = reason.isEmpty() ? because : reason + u" ("_s + because + u")"_s;
    }

    // The customer row: stage, and status/churned_at where the stage implies them (see the header).
    QString statusSet;
    QVariantList statusBindings;
    if (request.to == LifecycleStage::Churned) {
        statusSet = u", status = 'churned', churned_at = ?"_s;
        statusBindings << dateText(c.churnedAt.isValid() ? c.churnedAt : today);
    } else if (from == LifecycleStage::Churned) {
        statusSet = u", status = 'active', churned_at = NULL"_s;
    }
    auto updated = Storage::exec(m_db,
        u"UPDATE customers SET lifecycle_stage = ?%1, updated_at = %2, version = version + 1 "
        "WHERE id = ? AND version = ? AND deleted_at IS NULL RETURNING version"_s.arg(
            statusSet, Storage::nowExpression(m_db.dialect())),
        QVariantList { Domain::enumName(request.to) } + statusBindings
            + QVariantList { request.customerId, c.version });
    if (!updated)
        return updated.error();
    if (!updated->next())
        return Error::conflict(u"version"_s,
            u"this customer was changed by someone else while the move was being written; reload and try again"_s);
    LifecycleTransitionResult result;
    result.customerVersion = updated->value(0).toInt();
    while (updated->next()) { }

    Domain::LifecycleTransition t;
    t.customerId = request.customerId;
    t.fromStage = from;
    t.toStage = request.to;
    t.reason = reason;
    t.actor = request.actor.trimmed();
    t.transitionedAt = now;
    auto stored = Storage::LifecycleTransitionRepository(m_db).create(t);
    if (!stored)
        return stored.error();
    result.transition = *stored;
    result.rule = rule ? rule->key : QString();
    result.forced = !rule;

    Domain::TimelineEvent event;
    event.customerId = request.customerId;
    event.occurredAt = now;
    event.kind = Domain::TimelineEventKind::Lifecycle;
    event.title = u"Lifecycle: %1 → %2"_s.arg(Domain::enumName(from), Domain::enumName(request.to));
    event.detail
        = QVariantMap { { u"from_stage"_s, Domain::enumName(from) }, { u"to_stage"_s, Domain::enumName(request.to) },
              { u"rule"_s, result.rule }, { u"forced"_s, result.forced }, { u"reason"_s, reason } };
    event.sourceTable = u"lifecycle_transitions"_s;
    event.sourceId = QString::number(stored->id);
    event.actor = t.actor;
    auto recorded = TimelineService::insert(m_db, event);
    if (!recorded)
        return recorded.error();
    result.timelineEventId = recorded->id;
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    qCInfo(lcEngagement) << "lifecycle" << request.customerId << Domain::enumName(from) << "->"
                         << Domain::enumName(request.to) << (result.forced ? "(forced)" : qPrintable(result.rule));
    Q_EMIT customerChanged(request.customerId);
    Q_EMIT lifecycleChanged(request.customerId, from, request.to);
    notifyTimeline(request.customerId);
    return result;
}

Result<LifecycleEvaluation> EngagementService::evaluateRules(
    const QStringList &customerIds, int limit, const QString &cursor) const
{
    if (limit < 1 || limit > kMaxLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(kMaxLimit));
    auto ids = cleanIds(customerIds, kMaxIdsPerCall);
    if (!ids)
        return ids.error();
    if (auto ok = requireLiveIds(m_db, *ids); !ok)
        return ok.error();
    QString after;
    if (!cursor.isEmpty()) {
        auto decoded = decodeCursor(cursor);
        if (!decoded)
            return decoded.error();
        after = decoded->value(u"after"_s).toString();
        if (after.isEmpty() || decoded->value(u"kind"_s).toString() != u"lifecycle"_s)
            return Error::invalid(u"cursor"_s, u"is not a cursor of this list"_s);
    }
    LifecycleEvaluation out;
    out.asOf = m_clock.today();
    auto facts = loadLifecycleFacts(m_db, ids->isEmpty() ? nullptr : &*ids, out.asOf);
    if (!facts)
        return facts.error();
    out.customersEvaluated = facts->size();
    for (const CustomerFacts &c : std::as_const(*facts)) {
        LifecycleRuleCheck check;
        const LifecycleRule *rule = LifecycleRules::propose(c.facts, &check);
        if (!rule)
            continue;
        ++out.total;
        ++out.byRule[rule->key];
        if (!after.isEmpty() && c.id <= after)
            continue; // facts come sorted by id (code points), as the cursor compares
        if (out.items.size() == limit) {
            if (out.nextCursor.isEmpty())
                out.nextCursor = encodeCursor(
                    QJsonObject { { u"kind"_s, u"lifecycle"_s }, { u"after"_s, out.items.constLast().customerId } });
            continue;
        }
        out.items << LifecycleProposal { c.id, c.name, c.facts.stage, rule->to, rule->key, check.evidence, c.version };
    }
    return out;
}

Result<LifecycleApplySummary> EngagementService::applyProposals(
    const QList<LifecycleProposal> &proposals, const QString &actor)
{
    if (proposals.size() > kMaxIdsPerCall)
        return Error::invalid(u"proposals"_s, u"at most %1 per call"_s.arg(kMaxIdsPerCall));
    LifecycleApplySummary summary;
    for (const LifecycleProposal &p : proposals) {
        LifecycleTransitionRequest request;
        request.customerId = p.customerId;
        request.to = p.to;
        request.actor = actor;
        request.expectedVersion = p.customerVersion;
        auto done = transition(request);
        if (done)
            ++summary.applied;
        else
            summary.skipped << qMakePair(p.customerId, done.error().toString());
    }
    return summary;
}

// ------------------------------------------------------------------------------------------------------------
// Adoption milestones

namespace {

struct MilestoneCandidate
{
    QString customerId;
    QString key;
    QDateTime achievedAt;
    QVariantMap detail;
};

} // namespace

Result<MilestoneDetection> EngagementService::detectMilestones(const QStringList &customerIds)
{
    QElapsedTimer timer;
    timer.start();
    auto ids = cleanIds(customerIds, kMaxIdsPerCall);
    if (!ids)
        return ids.error();
    if (auto ok = requireLiveIds(m_db, *ids); !ok)
        return ok.error();
    MilestoneDetection out;
    out.asOf = m_clock.now();
    const QDate today = out.asOf.date();
    const QVariant nowText = Storage::Convert::toSql(out.asOf);
    const QVariant todayText = dateText(today);
    const bool sqlite = isSqlite(m_db);

    {
        QVariantList b;
        for (const QString &id : *ids)
            b << id;
        auto q = Storage::exec(m_db,
            u"SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL"_s
                + (ids->isEmpty() ? QString() : u" AND id IN (%1)"_s.arg(placeholders(ids->size()))),
            b);
        if (!q)
            return q.error();
        if (q->next())
            out.customersChecked = q->value(0).toLongLong();
    }

    // The customers still without milestone `key` (live, and among the given ids): "todo(key)".
    const auto todo = [&](const QString &key, QVariantList &b) {
        b << key;
        QString sql = u"SELECT c.id FROM customers c WHERE c.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM "
                      "adoption_milestones m WHERE m.customer_id = c.id AND m.milestone_key = ?)"_s;
        if (!ids->isEmpty()) {
            sql += u" AND c.id IN (%1)"_s.arg(placeholders(ids->size()));
            for (const QString &id : *ids)
                b << id;
        }
        return sql;
    };
    // A day-based milestone is reached by the end of its day (not later than now).
    const auto endOfDay = [&](const QDate &day) {
        const QDateTime end(day, QTime(23, 59, 59, 999), QTimeZone::utc());
        return std::min(end, out.asOf);
    };
    QList<MilestoneCandidate> found;
    const auto run = [&](const QString &key, const QString &sql, const QVariantList &b,
                         const std::function<MilestoneCandidate(const QSqlQuery &)> &read) -> Status {
        QElapsedTimer step;
        step.start();
        auto q = Storage::exec(m_db, sql, b);
        if (!q)
            return q.error();
        qsizetype before = found.size();
        while (q->next()) {
            MilestoneCandidate c = read(*q);
            c.key = key;
            if (c.achievedAt.isValid())
                found << c;
        }
        qCDebug(lcEngagement) << "milestone" << key << found.size() - before << "found in" << step.elapsed() << "ms";
        return {};
    };

    // first_usage
    {
        QVariantList b { nowText };
        const QString t = todo(u"first_usage"_s, b);
        const QString sql = u"SELECT e.customer_id, MIN(e.occurred_at) FROM usage_events e WHERE e.occurred_at <= ? "
                            "AND e.customer_id IN (%1) GROUP BY e.customer_id"_s.arg(t);
        if (auto ok = run(u"first_usage"_s, sql, b,
                [&](const QSqlQuery &q) {
                    const QDateTime at = toDateTime(q.value(1));
                    return MilestoneCandidate { q.value(0).toString(), {}, at,
                        { { u"first_event_at"_s, Storage::Convert::toSql(at) } } };
                });
            !ok)
            return ok.error();
    }
    // five_daily_users
    {
        QVariantList b { todayText };
        const QString t = todo(u"five_daily_users"_s, b);
        const QString sql
            = u"SELECT u.customer_id, MIN(u.day) FROM usage_daily u WHERE u.feature = '' "
              "AND u.active_users >= 5 AND u.day <= ? AND u.customer_id IN (%1) GROUP BY u.customer_id"_s.arg(t);
        if (auto ok = run(u"five_daily_users"_s, sql, b,
                [&](const QSqlQuery &q) {
                    const QDate day = toDate(q.value(1));
                    return MilestoneCandidate { q.value(0).toString(), {}, endOfDay(day),
                        { { u"day"_s, dateText(day) }, { u"threshold_users"_s, 5 } } };
                });
            !ok)
            return ok.error();
    }
    // three_features: each feature's first use, then the third of them per customer.
    {
        QVariantList b { nowText };
        const QString t = todo(u"three_features"_s, b);
        const QString sql
            = u"SELECT customer_id, feature, first_at FROM (SELECT customer_id, feature, first_at, ROW_NUMBER() OVER "
              "(PARTITION BY customer_id ORDER BY first_at, feature) AS rn FROM (SELECT e.customer_id, e.feature, "
              "MIN(e.occurred_at) AS first_at FROM usage_events e WHERE e.feature IS NOT NULL AND e.feature <> '' "
              "AND e.occurred_at <= ? AND e.customer_id IN (%1) GROUP BY e.customer_id, e.feature) f) r WHERE rn = 3"_s
                  .arg(t);
        if (auto ok = run(u"three_features"_s, sql, b,
                [&](const QSqlQuery &q) {
                    return MilestoneCandidate { q.value(0).toString(), {}, toDateTime(q.value(2)),
                        { { u"third_feature"_s, q.value(1).toString() } } };
                });
            !ok)
            return ok.error();
    }
    // events_1000: running total over the days.
    {
        QVariantList b { todayText };
        const QString t = todo(u"events_1000"_s, b);
        const QString sql
            = u"SELECT customer_id, MIN(day) FROM (SELECT u.customer_id, u.day, SUM(u.events) OVER (PARTITION BY "
              "u.customer_id ORDER BY u.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total FROM "
              "usage_daily u "
              "WHERE u.feature = '' AND u.day <= ? AND u.customer_id IN (%1)) x WHERE total >= 1000 GROUP BY customer_id"_s
                  .arg(t);
        if (auto ok = run(u"events_1000"_s, sql, b,
                [&](const QSqlQuery &q) {
                    const QDate day = toDate(q.value(1));
                    return MilestoneCandidate { q.value(0).toString(), {}, endOfDay(day),
                        { { u"day"_s, dateText(day) }, { u"threshold_events"_s, 1000 } } };
                });
            !ok)
            return ok.error();
    }
    // Runs of consecutive periods (gaps and islands): index − ROW_NUMBER() is constant within a run, so the
    // n-th member of a run is the row with position n in its (customer, island) partition.
    // `periods` lists (customer_id, idx, first_day) once per customer and period.
    const auto islands = [&](const QString &key, const QString &periods, int length,
                             const std::function<QVariantMap(const QDate &)> &detail) -> Status {
        QVariantList b { todayText };
        const QString t = todo(key, b);
        const QString sql
            = u"SELECT customer_id, MIN(first_day) FROM (SELECT customer_id, first_day, ROW_NUMBER() OVER "
              "(PARTITION BY customer_id, grp ORDER BY idx) AS pos FROM (SELECT customer_id, idx, first_day, "
              "idx - ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY idx) AS grp FROM (%1) p) g) r "
              "WHERE pos = %2 GROUP BY customer_id"_s.arg(periods.arg(t))
                  .arg(length);
        return run(key, sql, b, [&](const QSqlQuery &q) {
            const QDate day = toDate(q.value(1));
            return MilestoneCandidate { q.value(0).toString(), {}, endOfDay(day), detail(day) };
        });
    };
    // Week numbers count Monday-based weeks from Monday 1970-01-05; day numbers count days. usage_daily holds one
    // all-features row per customer and day, so days need no grouping; weeks take their first active day.
    const QString weekIndex = sqlite ? u"CAST((julianday(u.day) - julianday('1970-01-05')) / 7 AS INTEGER)"_s
                                     : u"((u.day - DATE '1970-01-05') / 7)"_s;
    const QString dayIndex = sqlite ? u"CAST(julianday(u.day) AS INTEGER)"_s : u"(u.day - DATE '1970-01-01')"_s;
    const QString activeRows = u"FROM usage_daily u WHERE u.feature = '' AND u.events > 0 AND u.day <= ? "
                               "AND u.customer_id IN (%1)"_s;
    const QString weeks = u"SELECT u.customer_id, %1 AS idx, MIN(u.day) AS first_day "_s.arg(weekIndex) + activeRows
        + u" GROUP BY u.customer_id, %1"_s.arg(weekIndex);
    const QString days = u"SELECT u.customer_id, %1 AS idx, u.day AS first_day "_s.arg(dayIndex) + activeRows;
    if (auto ok = islands(u"weekly_habit_8"_s, weeks, 8,
            [](const QDate &day) {
                return QVariantMap { { u"day"_s, dateText(day) },
                    { u"first_week_start"_s, dateText(day.addDays(1 - day.dayOfWeek()).addDays(-49)) },
                    { u"weeks"_s, 8 } };
            });
        !ok)
        return ok.error();
    // Day streaks: consecutive days form an island whose first day plus 29 is the 30th day; one window pass
    // and a GROUP BY instead of numbering every day of every island.
    {
        QVariantList b { todayText };
        const QString t = todo(u"active_streak_30"_s, b);
        const QString sql
            = u"SELECT customer_id, MIN(first_day) FROM (SELECT customer_id, first_day, idx - ROW_NUMBER() "
              "OVER (PARTITION BY customer_id ORDER BY idx) AS grp FROM (%1) p) g GROUP BY customer_id, grp "
              "HAVING COUNT(*) >= 30"_s.arg(days.arg(t));
        QHash<QString, QDate> earliest;
        auto q = Storage::exec(m_db, sql, b);
        if (!q)
            return q.error();
        while (q->next()) {
            const QString id = q->value(0).toString();
            const QDate start = toDate(q->value(1));
            if (start.isValid() && (!earliest.contains(id) || start < earliest.value(id)))
                earliest.insert(id, start);
        }
        for (auto it = earliest.cbegin(); it != earliest.cend(); ++it) {
            const QDate day = it.value().addDays(29);
            found << MilestoneCandidate { it.key(), u"active_streak_30"_s, endOfDay(day),
                { { u"day"_s, dateText(day) }, { u"streak_start"_s, dateText(it.value()) }, { u"days"_s, 30 } } };
        }
    }

    // Write: the milestones and their timeline events, in one transaction.
    QHash<QString, QString> titles;
    for (const MilestoneDefinition &d : AdoptionMilestones::definitions())
        titles.insert(d.key, d.title);
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    Storage::BulkInserter milestones(
        m_db, u"adoption_milestones"_s, { u"customer_id"_s, u"milestone_key"_s, u"achieved_at"_s, u"detail"_s });
    Storage::BulkInserter timeline(m_db, u"timeline_events"_s,
        { u"customer_id"_s, u"occurred_at"_s, u"kind"_s, u"title"_s, u"detail"_s, u"source_table"_s, u"source_id"_s });
    QSet<QString> touched;
    for (const MilestoneCandidate &c : std::as_const(found)) {
        const QVariant at = Storage::Convert::toSql(c.achievedAt);
        if (auto ok = milestones.add({ c.customerId, c.key, at, Storage::Convert::toSql(c.detail) }); !ok)
            return ok.error();
        QVariantMap detail = c.detail;
        detail.insert(u"milestone"_s, c.key);
        if (auto ok
            = timeline.add({ c.customerId, at, u"usage_milestone"_s, QString(u"Milestone: "_s + titles.value(c.key)),
                Storage::Convert::toSql(detail), u"adoption_milestones"_s, QString(c.customerId + u'/' + c.key) });
            !ok)
            return ok.error();
        ++out.writtenByKey[c.key];
        touched.insert(c.customerId);
    }
    if (auto ok = milestones.flush(); !ok)
        return ok.error();
    if (auto ok = timeline.flush(); !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    out.written = found.size();
    out.seconds = double(timer.elapsed()) / 1000.0;
    qCInfo(lcEngagement) << "milestones:" << out.written << "new for" << out.customersChecked << "customers in"
                         << out.seconds << "s";
    if (out.written > 0) {
        Q_EMIT milestonesRecorded(out.written);
        for (const QString &id : std::as_const(touched))
            notifyTimeline(id);
    }
    return out;
}

Result<CustomerMilestones> EngagementService::milestones(const QString &customerId) const
{
    if (auto ok = requireCustomer(customerId); !ok)
        return ok.error();
    using Repo = Storage::AdoptionMilestoneRepository;
    auto rows = Storage::exec(m_db,
        u"SELECT %1 FROM adoption_milestones WHERE customer_id = ? ORDER BY achieved_at, id"_s.arg(Repo::selectList()),
        { customerId });
    if (!rows)
        return rows.error();
    QMap<QString, Domain::AdoptionMilestone> stored;
    QStringList order;
    const QSqlRecord rec = rows->record();
    while (rows->next()) {
        const Domain::AdoptionMilestone m = Repo::fromRow(*rows, rec);
        stored.insert(m.milestoneKey, m);
        order << m.milestoneKey;
    }
    CustomerMilestones out;
    out.customerId = customerId;
    for (const MilestoneDefinition &d : AdoptionMilestones::definitions()) {
        CustomerMilestone m;
        m.definition = d;
        if (const auto it = stored.constFind(d.key); it != stored.cend()) {
            m.achieved = true;
            m.achievedAt = it->achievedAt;
            m.detail = it->detail;
            ++out.achieved;
            stored.remove(d.key);
        }
        out.milestones << m;
    }
    // Milestones other writers recorded under keys we do not define: shown as they are.
    for (const QString &key : std::as_const(order)) {
        if (!stored.contains(key))
            continue;
        const Domain::AdoptionMilestone &a = stored[key];
        out.milestones << CustomerMilestone { { key, key, u"recorded outside the built-in definitions"_s }, true,
            a.achievedAt, a.detail };
        ++out.achieved;
    }
    return out;
}

Result<QList<MilestoneSummaryRow>> EngagementService::milestoneSummary() const
{
    qint64 live = 0;
    {
        auto q = Storage::exec(m_db, u"SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL"_s);
        if (!q)
            return q.error();
        if (q->next())
            live = q->value(0).toLongLong();
    }
    QHash<QString, qint64> achieved;
    QHash<QString, QList<qint64>> daysFromStart;
    auto q = Storage::exec(m_db,
        u"SELECT m.milestone_key, c.contract_start, m.achieved_at FROM adoption_milestones m "
        "JOIN customers c ON c.id = m.customer_id AND c.deleted_at IS NULL"_s);
    if (!q)
        return q.error();
    while (q->next()) {
        const QString key = q->value(0).toString();
        ++achieved[key];
        const QDate start = toDate(q->value(1));
        const QDate at = toDateTime(q->value(2)).date();
        if (start.isValid() && at.isValid() && start <= at)
            daysFromStart[key] << start.daysTo(at);
    }
    QList<MilestoneSummaryRow> out;
    for (const MilestoneDefinition &d : AdoptionMilestones::definitions()) {
        MilestoneSummaryRow row;
        row.definition = d;
        row.liveCustomers = live;
        row.achievedCustomers = achieved.value(d.key);
        if (live > 0)
            row.share = double(row.achievedCustomers) / double(live);
        QList<qint64> days = daysFromStart.value(d.key);
        row.withContractStart = days.size();
        if (!days.isEmpty()) {
            std::sort(days.begin(), days.end());
            const qsizetype n = days.size();
            row.medianDaysFromStart = n % 2 ? double(days.at(n / 2)) : (days.at(n / 2 - 1) + days.at(n / 2)) / 2.0;
        }
        out << row;
    }
    return out;
}

// ------------------------------------------------------------------------------------------------------------
// Engagement patterns and anomalies

namespace {

constexpr int kWeeksRead = EngagementRules::kBaselineWeeks + 1;

// Weekly events and distinct users per customer over the 9 weeks ending D, from usage_events. Week index
// 0 = D−6 … D, k = D−7k−6 … D−7k.
struct WeeklyRow
{
    qint64 events = 0;
    qint64 users = 0;
};

QString weeklySql(const Storage::Database &db, const QString &customerFilter)
{
    const QString week = u"(%1 / 7)"_s.arg(daysBefore(db, dayOf(db, u"e.occurred_at"_s)));
    return u"SELECT e.customer_id, %1 AS wk, COUNT(*), COUNT(DISTINCT e.user_ref) FROM usage_events e "
           "WHERE e.occurred_at >= ? AND e.occurred_at < ? AND %2 GROUP BY 1, 2"_s.arg(week, customerFilter);
}

// Assesses one customer from its weekly rows and first usage day.
void assessWeeks(QDate D, QDate firstUsage, const std::array<WeeklyRow, kWeeksRead> &rows,
    QList<WeeklyEngagement> *weeks, MetricAssessment &events, MetricAssessment &users, EngagementSignal &signal,
    QString &reason)
{
    QList<double> baselineEvents;
    QList<double> baselineUsers;
    for (int k = kWeeksRead - 1; k >= 0; --k) {
        WeeklyEngagement w;
        w.weekEnd = D.addDays(-7 * k);
        w.weekStart = w.weekEnd.addDays(-6);
        w.events = rows[std::size_t(k)].events;
        w.activeUsers = rows[std::size_t(k)].users;
        w.inBaseline = k > 0 && firstUsage.isValid() && w.weekStart >= firstUsage;
        if (w.inBaseline) {
            baselineEvents << double(w.events);
            baselineUsers << double(w.activeUsers);
        }
        if (weeks)
            *weeks << w;
    }
    events = EngagementMath::assess(u"events"_s, double(rows[0].events), baselineEvents);
    users = EngagementMath::assess(u"active_users"_s, double(rows[0].users), baselineUsers);
    signal = EngagementMath::combine(events, users);
    if (!firstUsage.isValid())
        reason = u"no usage on record up to %1"_s.arg(dateText(D));
    else if (signal == EngagementSignal::NotEnoughHistory)
        reason = u"usage on record since %1: %2 full baseline week(s), %3 needed"_s.arg(dateText(firstUsage))
                     .arg(baselineEvents.size())
                     .arg(EngagementRules::kMinBaselineWeeks);
    else if (signal == EngagementSignal::Normal)
        reason = u"within ±%1 standard deviations of the customer's own baseline"_s.arg(EngagementRules::kAnomalyZ);
    else
        reason = (events.signal == signal ? u"events: "_s + events.reason : u"active users: "_s + users.reason);
}

} // namespace

Result<EngagementPattern> EngagementService::engagementPattern(const QString &customerId, QDate asOf) const
{
    if (auto ok = requireCustomer(customerId); !ok)
        return ok.error();
    EngagementPattern p;
    p.customerId = customerId;
    p.asOf = asOf.isValid() ? asOf : m_clock.today().addDays(-1);
    const QDate D = p.asOf;
    const QString start = dayStart(D.addDays(1 - 7 * kWeeksRead));
    const QString end = dayStart(D.addDays(1));
    {
        auto q = Storage::exec(m_db,
            u"SELECT MIN(occurred_at) FROM usage_events WHERE customer_id = ? AND occurred_at < ?"_s,
            { customerId, end });
        if (!q)
            return q.error();
        if (q->next() && !q->value(0).isNull())
            p.firstUsageDay = toDateTime(q->value(0)).date();
    }
    std::array<WeeklyRow, kWeeksRead> rows {};
    {
        auto q = Storage::exec(m_db, weeklySql(m_db, u"e.customer_id = ?"_s), { dateText(D), start, end, customerId });
        if (!q)
            return q.error();
        while (q->next()) {
            const int k = q->value(1).toInt();
            if (k >= 0 && k < kWeeksRead)
                rows[std::size_t(k)] = { q->value(2).toLongLong(), q->value(3).toLongLong() };
        }
    }
    assessWeeks(D, p.firstUsageDay, rows, &p.weeks, p.events, p.activeUsers, p.signal, p.reason);

    // Weekday and hour of the events of the 9 weeks (UTC).
    const QString weekday = isSqlite(m_db)
        ? u"((CAST(strftime('%w', occurred_at) AS INTEGER) + 6) % 7)"_s
        : u"(CAST(EXTRACT(ISODOW FROM (occurred_at AT TIME ZONE 'UTC')) AS INTEGER) - 1)"_s;
    const QString hour = isSqlite(m_db) ? u"CAST(strftime('%H', occurred_at) AS INTEGER)"_s
                                        : u"CAST(EXTRACT(HOUR FROM (occurred_at AT TIME ZONE 'UTC')) AS INTEGER)"_s;
    auto q = Storage::exec(m_db,
        u"SELECT %1 AS wd, %2 AS hr, COUNT(*) FROM usage_events WHERE customer_id = ? AND occurred_at >= ? "
        "AND occurred_at < ? GROUP BY %1, %2"_s.arg(weekday, hour),
        { customerId, start, end });
    if (!q)
        return q.error();
    qint64 total = 0;
    while (q->next()) {
        const int wd = q->value(0).toInt();
        const int hr = q->value(1).toInt();
        const qint64 n = q->value(2).toLongLong();
        if (wd < 0 || wd > 6 || hr < 0 || hr > 23)
            continue;
        p.eventsByWeekday[std::size_t(wd)] += n;
        p.eventsByHour[std::size_t(hr)] += n;
        total += n;
    }
    if (total > 0) {
        p.hasTimePattern = true;
        p.peakWeekday
            = int(std::max_element(p.eventsByWeekday.begin(), p.eventsByWeekday.end()) - p.eventsByWeekday.begin());
        p.peakHour = int(std::max_element(p.eventsByHour.begin(), p.eventsByHour.end()) - p.eventsByHour.begin());
        p.weekendShare = double(p.eventsByWeekday[5] + p.eventsByWeekday[6]) / double(total);
    }
    return p;
}

Result<AnomalyScan> EngagementService::anomalies(const AnomalyQuery &query) const
{
    if (query.limit < 1 || query.limit > kMaxLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(kMaxLimit));
    if (!query.drops && !query.spikes)
        return Error::invalid(u"signals"_s, u"ask for drops, spikes or both"_s);
    AnomalyScan scan;
    scan.asOf = query.asOf.isValid() ? query.asOf : m_clock.today().addDays(-1);
    const QDate D = scan.asOf;
    const QString filterKey = u"%1|%2|%3"_s.arg(dateText(D)).arg(query.drops).arg(query.spikes);
    double afterKey = 0;
    QString afterId;
    if (!query.cursor.isEmpty()) {
        auto decoded = decodeCursor(query.cursor);
        if (!decoded)
            return decoded.error();
        if (decoded->value(u"f"_s).toString() != filterKey)
            return Error::invalid(u"cursor"_s, u"belongs to another query (as_of or signals differ)"_s);
        afterKey = decoded->value(u"k"_s).toDouble();
        afterId = decoded->value(u"i"_s).toString();
    }
    const QString end = dayStart(D.addDays(1));
    const QString start = dayStart(D.addDays(1 - 7 * kWeeksRead));

    struct Row
    {
        CustomerAnomaly a;
        QDate firstUsage;
        std::array<WeeklyRow, kWeeksRead> weeks {};
    };
    QList<Row> customers;
    QHash<QString, qsizetype> index;
    {
        // First usage per customer: one index seek on (customer_id, occurred_at) each.
        auto q = Storage::exec(m_db,
            u"SELECT c.id, c.name, c.owner, c.tier, c.arr, (SELECT MIN(e.occurred_at) FROM usage_events e "
            "WHERE e.customer_id = c.id AND e.occurred_at < ?) FROM customers c WHERE c.deleted_at IS NULL "
            "AND c.status <> 'churned' ORDER BY c.id"_s,
            { end });
        if (!q)
            return q.error();
        while (q->next()) {
            Row r;
            r.a.customerId = q->value(0).toString();
            r.a.name = q->value(1).toString();
            r.a.owner = q->value(2).toString();
            Storage::Convert::fromSql(q->value(3), r.a.tier);
            r.a.arr = q->value(4).toDouble();
            if (!q->value(5).isNull())
                r.firstUsage = toDateTime(q->value(5)).date();
            index.insert(r.a.customerId, customers.size());
            customers << r;
        }
    }
    {
        auto q = Storage::exec(m_db,
            weeklySql(m_db,
                u"e.customer_id IN (SELECT id FROM customers WHERE deleted_at IS NULL AND status <> 'churned')"_s),
            { dateText(D), start, end });
        if (!q)
            return q.error();
        while (q->next()) {
            const qsizetype i = index.value(q->value(0).toString(), -1);
            const int k = q->value(1).toInt();
            if (i < 0 || k < 0 || k >= kWeeksRead)
                continue;
            customers[i].weeks[std::size_t(k)] = { q->value(2).toLongLong(), q->value(3).toLongLong() };
        }
    }
    scan.customersScanned = customers.size();
    struct Ranked
    {
        double key; // ascending: every drop (by z) before every spike (by −z)
        CustomerAnomaly a;
    };
    QList<Ranked> ranked;
    for (Row &r : customers) {
        QString reason;
        assessWeeks(D, r.firstUsage, r.weeks, nullptr, r.a.events, r.a.activeUsers, r.a.signal, reason);
        if (r.a.signal == EngagementSignal::NotEnoughHistory) {
            ++scan.notEnoughHistory;
            continue;
        }
        ++scan.withBaseline;
        if (r.a.signal == EngagementSignal::Normal)
            continue;
        const bool drop = r.a.signal == EngagementSignal::Drop;
        drop ? ++scan.drops : ++scan.spikes;
        if ((drop && !query.drops) || (!drop && !query.spikes))
            continue;
        for (const MetricAssessment *m : { &r.a.events, &r.a.activeUsers }) {
            if (m->signal != r.a.signal || !m->zScore)
                continue;
            if (!r.a.worstZ || (drop ? *m->zScore < *r.a.worstZ : *m->zScore > *r.a.worstZ))
                r.a.worstZ = m->zScore;
        }
        // Sort key: drops by z ascending, then spikes by z descending; a constant-baseline breach (no z) first
        // within its kind.
        const double z = r.a.worstZ ? *r.a.worstZ : (drop ? -1e6 : 1e6);
        ranked << Ranked { drop ? z - 1e7 : -z, r.a };
    }
    std::sort(ranked.begin(), ranked.end(), [](const Ranked &x, const Ranked &y) {
        return x.key != y.key ? x.key < y.key : x.a.customerId < y.a.customerId;
    });
    scan.total = ranked.size();
    for (qsizetype i = 0; i < ranked.size(); ++i) {
        const Ranked &r = ranked.at(i);
        if (!afterId.isEmpty() && (r.key < afterKey || (r.key == afterKey && r.a.customerId <= afterId)))
            continue;
        if (scan.items.size() == query.limit) {
            const Ranked &last = ranked.at(i - 1);
            scan.nextCursor = encodeCursor(
                QJsonObject { { u"f"_s, filterKey }, { u"k"_s, last.key }, { u"i"_s, last.a.customerId } });
            break;
        }
        scan.items << r.a;
    }
    return scan;
}

} // namespace Core
