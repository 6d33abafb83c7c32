// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "renewalservice.h"

#include <algorithm>
#include <cmath>

#include <QHash>
#include <QSet>
#include <QSqlRecord>
#include <QTimeZone>

#include "servicesupport.h"
#include "sql.h"
#include "tables_accounts.h"
#include "tables_customers.h"
#include "tables_health.h"
#include "tables_operations.h"
#include "timelineservice.h"
#include "transaction.h"

namespace Core {

using namespace Qt::StringLiterals;
using Storage::Convert::fromSql;
using Storage::Convert::toSql;

namespace {

using ServiceSupport::dayOf;
using ServiceSupport::timeOf;

// Below half a cent two amounts of money are the same (the ARR ledger's own tolerance, revenue.cpp).
constexpr double MoneyEpsilon = 0.005;
constexpr int MaxListLimit = 200;
constexpr int MaxPeriods = 120;

// Renewal brief signal thresholds: a change is worth a sentence from 20 % (usage) or 10 points (health).
constexpr double UsageChangeWorthNoting = 0.20;
constexpr double HealthDropWorthNoting = 10;
constexpr double SeatUtilisationForExpansion = 0.90;
constexpr double LowRenewProbability = 0.5;
constexpr int ManyOpenTickets = 3;

const QString OpenTicketStatuses = u"('new','open','pending','on_hold')"_s;

QString money(double v)
{
    return QString::number(v, 'f', 2);
}

QString percent(double fraction)
{
    return QString::number(fraction * 100.0, 'f', 1) + u" %"_s;
}

Error withField(Error error, const QString &field)
{
    if (error.code == ErrorCode::NotFound)
        error.field = field;
    return error;
}

// The occurrence time of something that happened on `day`: now when it is today, else the start of that
// UTC day (the day is what the user told us; an hour would be invented).
QDateTime occurrenceOn(const QDate &day, const Clock &clock)
{
    if (day == clock.today())
        return clock.now();
    return QDateTime(day, QTime(0, 0), QTimeZone::utc());
}

QString amountText(double v)
{
    return QString::number(v, 'f', v == std::floor(v) ? 0 : 2);
}

// "stage upcoming → in_progress, date 2026-09-01 → 2026-10-01": what an update of an open renewal changed.
QStringList renewalChanges(const Domain::Renewal &a, const Domain::Renewal &b, QVariantMap &changes)
{
    QStringList parts;
    const auto add = [&](const QString &field, const QString &from, const QString &to) {
        if (from == to)
            return;
        parts << u"%1 %2 → %3"_s.arg(field, from.isEmpty() ? u"none"_s : from, to.isEmpty() ? u"none"_s : to);
        changes.insert(field, QVariantMap { { u"from"_s, from }, { u"to"_s, to } });
    };
    const auto optional = [](const std::optional<double> &v) { return v ? amountText(*v) : QString(); };
    add(u"stage"_s, Domain::enumName(a.stage), Domain::enumName(b.stage));
    add(u"renewal_date"_s, a.renewalDate.toString(Qt::ISODate), b.renewalDate.toString(Qt::ISODate));
    add(u"probability"_s, a.probability ? QString::number(*a.probability, 'f', 2) : QString(),
        b.probability ? QString::number(*b.probability, 'f', 2) : QString());
    add(u"arr_current"_s, amountText(a.arrCurrent), amountText(b.arrCurrent));
    add(u"arr_proposed"_s, optional(a.arrProposed), optional(b.arrProposed));
    add(u"owner"_s, a.owner, b.owner);
    return parts;
}

// The WHERE fragment (on the renewals table, unqualified) selecting renewals of live customers, optionally
// by renewal-date range, openness, owner (the renewal's, else the customer's) and tier.
struct Scope
{
    QString sql;
    QVariantList bindings;
};

Scope renewalScope(
    const QDate &from, const QDate &to, bool openOnly, const QString &owner, const std::optional<Domain::Tier> &tier)
{
    Scope s;
    QStringList parts { u"deleted_at IS NULL"_s };
    // A correlated EXISTS, not customer_id IN (SELECT id …): SQLite builds the IN list from every live customer for
    // each statement, which made one customer's renewals cost as much as the whole portfolio's.
    QString customers = u"SELECT 1 FROM customers c WHERE c.id = renewals.customer_id AND c.deleted_at IS NULL"_s;
    QVariantList customerBindings;
    if (tier) {
        customers += u" AND c.tier = ?"_s;
        customerBindings << toSql(*tier);
    }
    parts << u"EXISTS (%1)"_s.arg(customers);
    s.bindings << customerBindings;
    if (from.isValid()) {
        parts << u"renewal_date >= ?"_s;
        s.bindings << toSql(from);
    }
    if (to.isValid()) {
        parts << u"renewal_date <= ?"_s;
        s.bindings << toSql(to);
    }
    if (openOnly)
        parts << u"outcome IS NULL"_s;
    if (!owner.isEmpty()) {
        parts << u"(owner = ? OR (owner IS NULL AND customer_id IN (SELECT id FROM customers WHERE owner = ? AND "
                 "deleted_at IS NULL)))"_s;
        s.bindings << owner << owner;
    }
    s.sql = parts.join(u" AND "_s);
    return s;
}

Result<QList<Domain::Renewal>> selectRenewals(const Storage::Database &db, const Scope &scope, const QString &tail = {})
{
    using Repo = Storage::RenewalRepository;
    auto rows = Storage::exec(
        db, u"SELECT %1 FROM renewals WHERE %2 %3"_s.arg(Repo::selectList(), scope.sql, tail), scope.bindings);
    if (!rows)
        return rows.error();
    QList<Domain::Renewal> out;
    const QSqlRecord rec = rows->record();
    while (rows->next())
        out << Repo::fromRow(*rows, rec);
    return out;
}

struct LatestPrediction
{
    double probability = 0;
    QDateTime predictedAt;
};

// Latest churn prediction (as of `now`) per customer of `customerSubquery`.
Result<QHash<QString, LatestPrediction>> latestPredictions(
    const Storage::Database &db, const QString &customerSubquery, const QVariantList &bindings, const QDateTime &now)
{
    QVariantList all { toSql(now) };
    all << bindings;
    auto rows = Storage::exec(db,
        u"SELECT customer_id, probability, predicted_at FROM (SELECT customer_id, probability, predicted_at, "
        "ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY predicted_at DESC, id DESC) AS rn "
        "FROM churn_predictions WHERE predicted_at <= ? AND customer_id IN (%1)) latest WHERE rn = 1"_s.arg(
            customerSubquery),
        all);
    if (!rows)
        return rows.error();
    QHash<QString, LatestPrediction> out;
    while (rows->next())
        out.insert(rows->value(0).toString(), { rows->value(1).toDouble(), timeOf(rows->value(2)) });
    return out;
}

struct LatestHealth
{
    double score = 0;
    Domain::HealthBand band = Domain::HealthBand::Red;
    QDate date;
};

// Latest health score (dated on or before `today`) per customer of `customerSubquery`.
Result<QHash<QString, LatestHealth>> latestHealth(
    const Storage::Database &db, const QString &customerSubquery, const QVariantList &bindings, const QDate &today)
{
    QVariantList all { toSql(today) };
    all << bindings;
    auto rows = Storage::exec(db,
        u"SELECT h.customer_id, h.score, h.band, h.score_date FROM health_scores h JOIN "
        "(SELECT customer_id, MAX(score_date) AS latest FROM health_scores WHERE score_date <= ? AND customer_id "
        "IN (%1) GROUP BY customer_id) l ON l.customer_id = h.customer_id AND l.latest = h.score_date"_s.arg(
            customerSubquery),
        all);
    if (!rows)
        return rows.error();
    QHash<QString, LatestHealth> out;
    while (rows->next()) {
        LatestHealth h;
        h.score = rows->value(1).toDouble();
        fromSql(rows->value(2), h.band);
        h.date = dayOf(rows->value(3));
        out.insert(rows->value(0).toString(), h);
    }
    return out;
}

// "?, ?, ?" and the ids, for an IN list over a bounded page of ids.
QString idList(const QStringList &ids, QVariantList &bindings)
{
    for (const QString &id : ids)
        bindings << id;
    return Storage::Detail::placeholders(int(ids.size()));
}

bool validTier(const std::optional<Domain::Tier> &tier)
{
    return !tier || Domain::isKnown(*tier);
}

} // namespace

// ---- formulas ---------------------------------------------------------------------------------------------------

namespace Revenue {

std::optional<double> netRevenueRetention(double startArr, double expansion, double contraction, double churn)
{
    if (startArr <= MoneyEpsilon)
        return std::nullopt;
    return (startArr + expansion - contraction - churn) / startArr;
}

std::optional<double> grossRevenueRetention(double startArr, double contraction, double churn)
{
    if (startArr <= MoneyEpsilon)
        return std::nullopt;
    return std::clamp((startArr - contraction - churn) / startArr, 0.0, 1.0);
}

RenewProbability resolveRenewProbability(std::optional<double> latestChurnProbability, const QDateTime &predictedAt,
    std::optional<double> renewalProbability, const QDateTime &assessedAt)
{
    RenewProbability p;
    if (latestChurnProbability) {
        p.value = std::clamp(1.0 - *latestChurnProbability, 0.0, 1.0);
        p.source = RenewProbabilitySource::ChurnPrediction;
        p.assessedAt = predictedAt;
    } else if (renewalProbability) {
        p.value = std::clamp(*renewalProbability, 0.0, 1.0);
        p.source = RenewProbabilitySource::RenewalAssessment;
        p.assessedAt = assessedAt;
    }
    return p;
}

QDate periodStart(const QDate &day, PeriodGranularity granularity)
{
    switch (granularity) {
    case PeriodGranularity::Month:
        return QDate(day.year(), day.month(), 1);
    case PeriodGranularity::Quarter:
        return QDate(day.year(), ((day.month() - 1) / 3) * 3 + 1, 1);
    case PeriodGranularity::Year:
        break;
    }
    return QDate(day.year(), 1, 1);
}

QDate nextPeriodStart(const QDate &start, PeriodGranularity granularity)
{
    switch (granularity) {
    case PeriodGranularity::Month:
        return start.addMonths(1);
    case PeriodGranularity::Quarter:
        return start.addMonths(3);
    case PeriodGranularity::Year:
        break;
    }
    return start.addYears(1);
}

QString periodLabel(const QDate &start, PeriodGranularity granularity)
{
    switch (granularity) {
    case PeriodGranularity::Month:
        return start.toString(u"yyyy-MM"_s);
    case PeriodGranularity::Quarter:
        return u"%1-Q%2"_s.arg(start.year()).arg((start.month() - 1) / 3 + 1);
    case PeriodGranularity::Year:
        break;
    }
    return QString::number(start.year());
}

} // namespace Revenue

// ---- GRR / NRR from the ARR ledger --------------------------------------------------------------------------------

namespace {

struct LedgerRow
{
    QString customerId;
    double startArr = 0;
    double expansion = 0;
    double contraction = 0;
    double churn = 0;
    QDate firstNew;
    QDate firstMovement;
};

Status validatePeriod(const QDate &from, const QDate &to)
{
    if (!from.isValid())
        return Error::invalid(u"from"_s, u"is required (yyyy-MM-dd)"_s);
    if (!to.isValid())
        return Error::invalid(u"to"_s, u"is required (yyyy-MM-dd)"_s);
    if (to < from)
        return Error::invalid(u"to"_s, u"must not be before from"_s);
    return {};
}

// One row per customer with movements up to `to`: ARR before `from` and the movements dated in [from, to].
// One GROUP BY over the (movement_date, kind) index, whatever the size of the portfolio.
Result<QList<LedgerRow>> ledgerRows(
    const Storage::Database &db, const QDate &from, const QDate &to, const RetentionFilter &filter)
{
    QString customers = u"SELECT id FROM customers WHERE deleted_at IS NULL"_s;
    QVariantList bindings { toSql(from), toSql(from), toSql(from), toSql(from), toSql(to) };
    if (filter.tier) {
        customers += u" AND tier = ?"_s;
        bindings << toSql(*filter.tier);
    }
    if (!filter.owner.isEmpty()) {
        customers += u" AND owner = ?"_s;
        bindings << filter.owner;
    }
    auto rows = Storage::exec(db,
        u"SELECT customer_id,"
        " SUM(CASE WHEN movement_date < ? THEN (CASE WHEN kind IN ('contraction','churn') THEN -amount ELSE amount END)"
        " ELSE 0 END),"
        " SUM(CASE WHEN movement_date >= ? AND kind IN ('expansion','reactivation','new') THEN amount ELSE 0 END),"
        " SUM(CASE WHEN movement_date >= ? AND kind = 'contraction' THEN amount ELSE 0 END),"
        " SUM(CASE WHEN movement_date >= ? AND kind = 'churn' THEN amount ELSE 0 END),"
        " MIN(CASE WHEN kind = 'new' THEN movement_date END), MIN(movement_date)"
        " FROM arr_movements WHERE movement_date <= ? AND customer_id IN (%1) GROUP BY customer_id"_s.arg(customers),
        bindings);
    if (!rows)
        return rows.error();
    QList<LedgerRow> out;
    while (rows->next()) {
        LedgerRow r;
        r.customerId = rows->value(0).toString();
        r.startArr = rows->value(1).toDouble();
        r.expansion = rows->value(2).toDouble();
        r.contraction = rows->value(3).toDouble();
        r.churn = rows->value(4).toDouble();
        r.firstNew = dayOf(rows->value(5));
        r.firstMovement = dayOf(rows->value(6));
        out << r;
    }
    return out;
}

RetentionRates aggregate(const QList<LedgerRow> &rows, const QDate &from, const QDate &to, bool ledgerEmpty)
{
    RetentionRates r;
    r.from = from;
    r.to = to;
    for (const LedgerRow &row : rows) {
        if (row.startArr <= MoneyEpsilon)
            continue; // not active at period start: not in the cohort (DESIGN.md §4)
        ++r.cohortCustomers;
        r.startArr += row.startArr;
        r.expansionArr += row.expansion;
        r.contractionArr += row.contraction;
        r.churnArr += row.churn;
        if (row.startArr + row.expansion - row.contraction - row.churn <= MoneyEpsilon)
            ++r.churnedCustomers;
    }
    r.endArr = r.startArr + r.expansionArr - r.contractionArr - r.churnArr;
    r.nrr = Revenue::netRevenueRetention(r.startArr, r.expansionArr, r.contractionArr, r.churnArr);
    r.grr = Revenue::grossRevenueRetention(r.startArr, r.contractionArr, r.churnArr);
    r.hasData = r.cohortCustomers > 0 && r.nrr.has_value();
    if (!r.hasData) {
        r.reason = ledgerEmpty
            ? u"no ARR movements are recorded up to %1, so there is no cohort to measure"_s.arg(
                to.toString(Qt::ISODate))
            : u"no customer had ARR before %1 in the ARR ledger (arr_movements), so the period has no cohort"_s.arg(
                from.toString(Qt::ISODate));
    }
    return r;
}

} // namespace

Result<RetentionRates> measureRetention(
    const Storage::Database &db, const QDate &from, const QDate &to, const RetentionFilter &filter)
{
    if (auto ok = validatePeriod(from, to); !ok)
        return ok.error();
    if (!validTier(filter.tier))
        return Error::invalid(u"tier"_s, u"is not a known tier"_s);
    auto rows = ledgerRows(db, from, to, filter);
    if (!rows)
        return rows.error();
    RetentionRates r = aggregate(*rows, from, to, rows->isEmpty());
    QString outside
        = u"SELECT COUNT(*) FROM customers c WHERE c.deleted_at IS NULL AND c.status = 'active' AND c.arr > 0 "
          "AND NOT EXISTS (SELECT 1 FROM arr_movements m WHERE m.customer_id = c.id)"_s;
    QVariantList bindings;
    if (filter.tier) {
        outside += u" AND c.tier = ?"_s;
        bindings << toSql(*filter.tier);
    }
    if (!filter.owner.isEmpty()) {
        outside += u" AND c.owner = ?"_s;
        bindings << filter.owner;
    }
    auto counted = Storage::exec(db, outside, bindings);
    if (!counted)
        return counted.error();
    if (counted->next())
        r.customersOutsideLedger = counted->value(0).toInt();
    if (!r.hasData && r.customersOutsideLedger > 0)
        r.reason += u"; %1 active customer(s) have ARR but no ARR movements recorded"_s.arg(r.customersOutsideLedger);
    return r;
}

// ---- the service ----------------------------------------------------------------------------------------------------

RenewalService::RenewalService(const Storage::Database &db, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
    , m_renewals(db)
{ }

Result<QList<RenewalPipelineItem>> RenewalService::enrich(const QList<Domain::Renewal> &renewals) const
{
    QList<RenewalPipelineItem> items;
    if (renewals.isEmpty())
        return items;
    QStringList ids;
    for (const Domain::Renewal &r : renewals) {
        if (!ids.contains(r.customerId))
            ids << r.customerId;
    }
    QVariantList customerBindings;
    const QString in = idList(ids, customerBindings);

    struct CustomerInfo
    {
        QString name;
        Domain::Tier tier = Domain::Tier::Smb;
        QString owner;
    };
    QHash<QString, CustomerInfo> customers;
    auto rows = Storage::exec(
        m_db, u"SELECT id, name, tier, owner FROM customers WHERE id IN (%1)"_s.arg(in), customerBindings);
    if (!rows)
        return rows.error();
    while (rows->next()) {
        CustomerInfo c;
        c.name = rows->value(1).toString();
        fromSql(rows->value(2), c.tier);
        fromSql(rows->value(3), c.owner);
        customers.insert(rows->value(0).toString(), c);
    }
    auto predictions = latestPredictions(m_db, in, customerBindings, m_clock.now());
    if (!predictions)
        return predictions.error();
    auto health = latestHealth(m_db, in, customerBindings, m_clock.today());
    if (!health)
        return health.error();

    const QDate today = m_clock.today();
    for (const Domain::Renewal &r : renewals) {
        RenewalPipelineItem item;
        item.renewal = r;
        const CustomerInfo info = customers.value(r.customerId);
        item.customerName = info.name;
        item.tier = info.tier;
        item.customerOwner = info.owner;
        item.daysUntil = int(today.daysTo(r.renewalDate));
        const auto p = predictions->constFind(r.customerId);
        item.pRenew
            = Revenue::resolveRenewProbability(p != predictions->cend() ? std::optional(p->probability) : std::nullopt,
                p != predictions->cend() ? p->predictedAt : QDateTime(), r.probability, r.meta.updatedAt);
        if (item.pRenew.value)
            item.forecastArr = *item.pRenew.value * r.arrCurrent;
        if (const auto h = health->constFind(r.customerId); h != health->cend()) {
            item.healthScore = h->score;
            item.healthBand = h->band;
            item.healthScoreDate = h->date;
        }
        items << item;
    }
    return items;
}

Result<Storage::Page<RenewalPipelineItem>> RenewalService::pipeline(const RenewalPipelineQuery &query) const
{
    if (query.limit < 1 || query.limit > MaxListLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(MaxListLimit));
    if (query.from.isValid() && query.to.isValid() && query.to < query.from)
        return Error::invalid(u"to"_s, u"must not be before from"_s);
    if (query.stage && !Domain::isKnown(*query.stage))
        return Error::invalid(u"stage"_s, u"is not a known renewal stage"_s);
    Storage::ListQuery list;
    list.orderBy = u"renewal_date"_s;
    list.limit = query.limit;
    list.cursor = query.cursor;
    if (query.stage)
        list.filters << Storage::Filter { u"stage"_s, Storage::Filter::Op::Eq, toSql(*query.stage) };
    if (!query.customerId.isEmpty())
        list.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, query.customerId };
    const Scope scope = renewalScope(query.from, query.to, query.openOnly, query.owner, std::nullopt);
    list.extraCondition = scope.sql;
    list.extraBindings = scope.bindings;
    auto page = m_renewals.list(list);
    if (!page)
        return page.error();
    auto items = enrich(page->items);
    if (!items)
        return items.error();
    Storage::Page<RenewalPipelineItem> out;
    out.items = *items;
    out.total = page->total;
    out.nextCursor = page->nextCursor;
    return out;
}

Result<RenewalPipelineItem> RenewalService::renewal(qint64 renewalId) const
{
    auto r = m_renewals.get(renewalId);
    if (!r)
        return withField(r.error(), u"renewal_id"_s);
    auto items = enrich({ *r });
    if (!items)
        return items.error();
    return items->constFirst();
}

Result<Domain::Renewal> RenewalService::createRenewal(const Domain::Renewal &renewal)
{
    if (renewal.outcome != Domain::RenewalOutcome::None)
        return Error::invalid(u"outcome"_s, u"must be empty for a new renewal; close it with closeRenewal"_s);
    if (auto ok = renewal.validate(); !ok)
        return ok.error();
    if (auto c = Storage::CustomerRepository(m_db).get(renewal.customerId); !c)
        return withField(c.error(), u"customer_id"_s);
    Domain::Renewal created;
    {
        Storage::Transaction tx(m_db);
        if (!tx.isActive())
            return tx.beginError();
        auto stored = m_renewals.create(renewal);
        if (!stored)
            return stored.error();
        created = *stored;
        if (auto ok
            = TimelineService::append(m_db, created.customerId, m_clock.now(), Domain::TimelineEventKind::Renewal,
                u"Renewal created for %1 (ARR %2)"_s.arg(
                    created.renewalDate.toString(Qt::ISODate), amountText(created.arrCurrent)),
                { { u"renewal_date"_s, created.renewalDate.toString(Qt::ISODate) },
                    { u"arr_current"_s, created.arrCurrent }, { u"stage"_s, Domain::enumName(created.stage) } },
                u"renewals"_s, QString::number(created.id), {});
            !ok)
            return ok.error();
        if (auto ok = tx.commit(); !ok)
            return ok.error();
    }
    Q_EMIT renewalChanged(created.id, created.customerId);
    return created;
}

Result<Domain::Renewal> RenewalService::updateRenewal(const Domain::Renewal &renewal)
{
    auto stored = m_renewals.get(renewal.id);
    if (!stored)
        return withField(stored.error(), u"renewal_id"_s);
    if (stored->isClosed())
        return Error::invalid(u"renewal_id"_s,
            u"is closed (%1 on %2) and can no longer change"_s.arg(
                Domain::enumName(stored->outcome), stored->closedOn.toString(Qt::ISODate)));
    if (renewal.outcome != Domain::RenewalOutcome::None)
        return Error::invalid(u"outcome"_s, u"is set by closeRenewal, not by an update"_s);
    if (renewal.customerId != stored->customerId)
        return Error::invalid(u"customer_id"_s, u"cannot change: a renewal belongs to one customer"_s);
    Domain::Renewal updated;
    {
        Storage::Transaction tx(m_db);
        if (!tx.isActive())
            return tx.beginError();
        auto written = m_renewals.update(renewal);
        if (!written)
            return written.error();
        updated = *written;
        QVariantMap changes;
        const QStringList parts = renewalChanges(*stored, updated, changes);
        if (!parts.isEmpty()) {
            if (auto ok
                = TimelineService::append(m_db, updated.customerId, m_clock.now(), Domain::TimelineEventKind::Renewal,
                    u"Renewal of %1 updated: %2"_s.arg(updated.renewalDate.toString(Qt::ISODate), parts.join(u", "_s)),
                    { { u"changes"_s, changes } }, u"renewals"_s, QString::number(updated.id), {});
                !ok)
                return ok.error();
        }
        if (auto ok = tx.commit(); !ok)
            return ok.error();
    }
    Q_EMIT renewalChanged(updated.id, updated.customerId);
    return updated;
}

Result<RenewalForecast> RenewalService::forecast(const RenewalForecastQuery &query) const
{
    if (auto ok = validatePeriod(query.from, query.to); !ok)
        return ok.error();
    if (!validTier(query.tier))
        return Error::invalid(u"tier"_s, u"is not a known tier"_s);
    if (query.topLimit < 0 || query.topLimit > 100)
        return Error::invalid(u"top_limit"_s, u"must be between 0 and 100"_s);

    const Scope all = renewalScope(query.from, query.to, false, query.owner, query.tier);
    auto renewals = selectRenewals(m_db, all, u"ORDER BY renewal_date, id"_s);
    if (!renewals)
        return renewals.error();
    const Scope open = renewalScope(query.from, query.to, true, query.owner, query.tier);
    auto predictions = latestPredictions(
        m_db, u"SELECT customer_id FROM renewals WHERE "_s + open.sql, open.bindings, m_clock.now());
    if (!predictions)
        return predictions.error();

    RenewalForecast f;
    f.from = query.from;
    f.to = query.to;
    QMap<QString, RenewalForecastMonth> months;
    struct Loss
    {
        double expectedLoss; // (1 − p) × ARR; for unknown p, the whole ARR is uncertain
        bool known;
        int index;
    };
    QList<Loss> losses;
    for (int i = 0; i < renewals->size(); ++i) {
        const Domain::Renewal &r = renewals->at(i);
        if (r.isClosed()) {
            ++f.closedRenewals;
            f.closedArrUp += r.arrCurrent;
            if (r.outcome == Domain::RenewalOutcome::Churned)
                f.closedChurnedArr += r.arrCurrent;
            else
                f.closedRetainedArr += r.outcomeArr.value_or(r.arrCurrent);
            continue;
        }
        const auto p = predictions->constFind(r.customerId);
        const RenewProbability pr
            = Revenue::resolveRenewProbability(p != predictions->cend() ? std::optional(p->probability) : std::nullopt,
                p != predictions->cend() ? p->predictedAt : QDateTime(), r.probability, r.meta.updatedAt);
        const QString monthKey = r.renewalDate.toString(u"yyyy-MM"_s);
        RenewalForecastMonth &m = months[monthKey];
        m.month = monthKey;
        ++m.openRenewals;
        m.openArr += r.arrCurrent;
        ++f.openRenewals;
        f.openArr += r.arrCurrent;
        if (pr.value) {
            const double expected = *pr.value * r.arrCurrent;
            f.forecastArr += expected;
            f.expectedLossArr += r.arrCurrent - expected;
            ++f.renewalsWithProbability;
            f.arrWithProbability += r.arrCurrent;
            m.forecastArr += expected;
            if (pr.source == RenewProbabilitySource::ChurnPrediction)
                ++f.fromChurnPrediction;
            else
                ++f.fromRenewalAssessment;
            losses << Loss { r.arrCurrent - expected, true, i };
        } else {
            ++f.renewalsWithoutProbability;
            f.arrWithoutProbability += r.arrCurrent;
            m.arrWithoutProbability += r.arrCurrent;
            losses << Loss { r.arrCurrent, false, i };
        }
    }
    f.months = months.values();
    if (f.arrWithProbability > MoneyEpsilon)
        f.weightedProbability = f.forecastArr / f.arrWithProbability;
    f.hasData = f.openRenewals > 0 || f.closedRenewals > 0;
    if (!f.hasData) {
        f.reason = u"no renewals are due between %1 and %2"_s.arg(
            query.from.toString(Qt::ISODate), query.to.toString(Qt::ISODate));
    } else if (f.openRenewals > 0 && f.renewalsWithProbability == 0) {
        f.reason = u"none of the %1 open renewals has a churn prediction or an assessed probability yet, so no "
                   "forecast is stated; their ARR is in arr_without_probability"_s.arg(f.openRenewals);
    }

    // Known expected losses first (largest first), then renewals nobody has assessed (largest ARR first).
    std::stable_sort(losses.begin(), losses.end(), [](const Loss &a, const Loss &b) {
        if (a.known != b.known)
            return a.known;
        return a.expectedLoss > b.expectedLoss;
    });
    QList<Domain::Renewal> top;
    for (int i = 0; i < losses.size() && i < query.topLimit; ++i)
        top << renewals->at(losses.at(i).index);
    auto items = enrich(top);
    if (!items)
        return items.error();
    f.largestExpectedLosses = *items;
    return f;
}

Result<ArrAtRisk> RenewalService::arrAtRisk(const ArrAtRiskQuery &query) const
{
    if (query.withinDays < 1 || query.withinDays > 3650)
        return Error::invalid(u"within_days"_s, u"must be between 1 and 3650"_s);
    if (query.limit < 1 || query.limit > MaxListLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(MaxListLimit));
    const QDate today = m_clock.today();
    ArrAtRisk a;
    a.withinDays = query.withinDays;
    a.from = today;
    a.to = today.addDays(query.withinDays);

    const Scope scope = renewalScope(a.from, a.to, true, query.owner, std::nullopt);
    auto renewals = selectRenewals(m_db, scope);
    if (!renewals)
        return renewals.error();
    auto health = latestHealth(m_db, u"SELECT customer_id FROM renewals WHERE "_s + scope.sql, scope.bindings, today);
    if (!health)
        return health.error();

    QList<Domain::Renewal> red;
    for (const Domain::Renewal &r : *renewals) {
        ++a.renewalsInWindow;
        a.arrInWindow += r.arrCurrent;
        const auto h = health->constFind(r.customerId);
        if (h == health->cend()) {
            ++a.renewalsWithoutHealthScore;
            a.arrWithoutHealthScore += r.arrCurrent;
        } else if (h->band == Domain::HealthBand::Red) {
            ++a.redRenewals;
            a.arrAtRisk += r.arrCurrent;
            red << r;
        }
    }
    if (a.renewalsInWindow == 0) {
        a.reason = u"no open renewals are due between %1 and %2"_s.arg(
            a.from.toString(Qt::ISODate), a.to.toString(Qt::ISODate));
        return a;
    }
    if (a.renewalsWithoutHealthScore == a.renewalsInWindow) {
        a.reason = u"none of the %1 open renewals due by %2 has a health score yet, so ARR at risk cannot be "
                   "told"_s.arg(a.renewalsInWindow)
                       .arg(a.to.toString(Qt::ISODate));
        return a;
    }
    a.hasData = true;
    if (a.arrInWindow > MoneyEpsilon)
        a.shareOfWindowArr = a.arrAtRisk / a.arrInWindow;
    std::stable_sort(red.begin(), red.end(),
        [](const Domain::Renewal &x, const Domain::Renewal &y) { return x.arrCurrent > y.arrCurrent; });
    if (red.size() > query.limit)
        red.resize(query.limit);
    auto items = enrich(red);
    if (!items)
        return items.error();
    for (const RenewalPipelineItem &item : *items) {
        ArrAtRiskAccount account;
        account.renewalId = item.renewal.id;
        account.customerId = item.renewal.customerId;
        account.customerName = item.customerName;
        account.renewalDate = item.renewal.renewalDate;
        account.daysUntil = item.daysUntil;
        account.arr = item.renewal.arrCurrent;
        account.healthScore = item.healthScore.value_or(0);
        account.healthScoreDate = item.healthScoreDate;
        account.pRenew = item.pRenew;
        a.accounts << account;
    }
    return a;
}

Result<CheckpointReport> RenewalService::checkpointsDue(const CheckpointQuery &query) const
{
    if (query.limit < 1 || query.limit > MaxListLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(MaxListLimit));
    const QDate today = m_clock.today();
    // T−180 is due once today ≥ renewal_date − 180, i.e. renewal_date ≤ today + 180 (DESIGN.md §4).
    const QDate t180Horizon = today.addDays(180);
    const QDate t90Horizon = today.addDays(90);
    const Scope scope = renewalScope({}, {}, true, query.owner, std::nullopt);
    const QString missing = u"((NOT checkpoint_180_done AND renewal_date <= ?) OR (NOT checkpoint_90_done AND "
                            "renewal_date <= ?))"_s;
    QVariantList bindings = scope.bindings;
    bindings << toSql(t180Horizon) << toSql(t90Horizon);

    Storage::ListQuery list;
    list.orderBy = u"renewal_date"_s;
    list.limit = query.limit;
    list.cursor = query.cursor;
    list.extraCondition = scope.sql + u" AND "_s + missing;
    list.extraBindings = bindings;
    auto page = m_renewals.list(list);
    if (!page)
        return page.error();

    CheckpointReport report;
    report.today = today;
    report.total = page->total;
    report.nextCursor = page->nextCursor;
    QVariantList countBindings { toSql(t180Horizon), toSql(t90Horizon) };
    countBindings << bindings;
    auto counts = Storage::exec(m_db,
        u"SELECT SUM(CASE WHEN NOT checkpoint_180_done AND renewal_date <= ? THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN NOT checkpoint_90_done AND renewal_date <= ? THEN 1 ELSE 0 END) FROM renewals WHERE %1 AND %2"_s
            .arg(scope.sql, missing),
        countBindings);
    if (!counts)
        return counts.error();
    if (counts->next()) {
        report.t180Missing = counts->value(0).toInt();
        report.t90Missing = counts->value(1).toInt();
    }
    auto items = enrich(page->items);
    if (!items)
        return items.error();
    for (const RenewalPipelineItem &item : *items) {
        const Domain::Renewal &r = item.renewal;
        CheckpointDue due;
        due.renewalId = r.id;
        due.customerId = r.customerId;
        due.customerName = item.customerName;
        due.owner = r.owner.isEmpty() ? item.customerOwner : r.owner;
        due.renewalDate = r.renewalDate;
        due.daysUntil = item.daysUntil;
        due.arr = r.arrCurrent;
        due.t180Missing = !r.checkpoint180Done && r.renewalDate <= t180Horizon;
        due.t90Missing = !r.checkpoint90Done && r.renewalDate <= t90Horizon;
        if (due.t180Missing)
            due.daysSinceT180Due = int(r.renewalDate.addDays(-180).daysTo(today));
        if (due.t90Missing)
            due.daysSinceT90Due = int(r.renewalDate.addDays(-90).daysTo(today));
        report.items << due;
    }
    return report;
}

Result<Domain::Renewal> RenewalService::markCheckpointDone(
    qint64 renewalId, RenewalCheckpoint checkpoint, const QString &actor, const QString &note)
{
    if (!Domain::isKnown(checkpoint))
        return Error::invalid(u"checkpoint"_s, u"must be t180 or t90"_s);
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto stored = m_renewals.get(renewalId);
    if (!stored)
        return withField(stored.error(), u"renewal_id"_s);
    if (stored->isClosed())
        return Error::invalid(u"renewal_id"_s,
            u"is closed (%1 on %2): its checkpoints are over"_s.arg(
                Domain::enumName(stored->outcome), stored->closedOn.toString(Qt::ISODate)));
    Domain::Renewal r = *stored;
    bool &flag = checkpoint == RenewalCheckpoint::T180 ? r.checkpoint180Done : r.checkpoint90Done;
    if (flag)
        return r; // already held: idempotent, no second timeline event
    flag = true;
    auto updated = m_renewals.update(r);
    if (!updated)
        return updated.error();
    const int days = checkpoint == RenewalCheckpoint::T180 ? 180 : 90;
    QVariantMap detail { { u"checkpoint"_s, Domain::enumName(checkpoint) },
        { u"renewal_date"_s, r.renewalDate.toString(Qt::ISODate) },
        { u"days_before_renewal"_s, int(m_clock.today().daysTo(r.renewalDate)) }, { u"arr"_s, r.arrCurrent } };
    if (!note.isEmpty())
        detail.insert(u"note"_s, note);
    if (auto ok = TimelineService::append(m_db, r.customerId, m_clock.now(), Domain::TimelineEventKind::Renewal,
            u"Renewal checkpoint T-%1 held (renewal on %2)"_s.arg(days).arg(r.renewalDate.toString(Qt::ISODate)),
            detail, u"renewals"_s, QString::number(r.id), actor);
        !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT renewalChanged(updated->id, updated->customerId);
    return updated;
}

Result<Domain::Renewal> RenewalService::closeRenewal(const RenewalClosure &closure)
{
    using Domain::RenewalOutcome;
    if (closure.outcome == RenewalOutcome::None || !Domain::isKnown(closure.outcome))
        return Error::invalid(u"outcome"_s, u"must be renewed, expanded, downgraded or churned"_s);
    const QDate today = m_clock.today();
    const QDate closedOn = closure.closedOn.isValid() ? closure.closedOn : today;
    if (closedOn > today)
        return Error::invalid(u"closed_on"_s, u"must not be in the future"_s);

    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto stored = m_renewals.get(closure.renewalId);
    if (!stored)
        return withField(stored.error(), u"renewal_id"_s);
    if (closure.expectedVersion > 0 && closure.expectedVersion != stored->meta.version)
        return Error::conflict(u"version"_s,
            u"this renewal was changed since it was read (you have version %1, "
            "the stored one is %2); reload it"_s.arg(closure.expectedVersion)
                .arg(stored->meta.version));
    if (stored->isClosed())
        return Error::invalid(u"renewal_id"_s,
            u"is already closed (%1 on %2)"_s.arg(
                Domain::enumName(stored->outcome), stored->closedOn.toString(Qt::ISODate)));

    const double up = stored->arrCurrent;
    double after = 0;
    switch (closure.outcome) {
    case RenewalOutcome::Renewed:
        after = closure.outcomeArr.value_or(up);
        if (std::abs(after - up) > MoneyEpsilon)
            return Error::invalid(u"outcome_arr"_s,
                u"must equal arr_current (%1) for a renewal at the same ARR; use "
                "expanded or downgraded"_s.arg(money(up)));
        break;
    case RenewalOutcome::Expanded:
        if (!closure.outcomeArr || *closure.outcomeArr <= up + MoneyEpsilon)
            return Error::invalid(u"outcome_arr"_s, u"must be above arr_current (%1) when expanded"_s.arg(money(up)));
        after = *closure.outcomeArr;
        break;
    case RenewalOutcome::Downgraded:
        if (!closure.outcomeArr || *closure.outcomeArr >= up - MoneyEpsilon || *closure.outcomeArr <= MoneyEpsilon)
            return Error::invalid(u"outcome_arr"_s,
                u"must be above 0 and below arr_current (%1) when downgraded; a renewal to 0 is churned"_s.arg(
                    money(up)));
        after = *closure.outcomeArr;
        break;
    case RenewalOutcome::Churned:
        if (closure.outcomeArr && *closure.outcomeArr > MoneyEpsilon)
            return Error::invalid(u"outcome_arr"_s, u"must be 0 (or left out) when churned"_s);
        after = 0;
        break;
    case RenewalOutcome::None:
        break;
    }

    Domain::Renewal r = *stored;
    r.outcome = closure.outcome;
    r.stage = closure.outcome == RenewalOutcome::Churned ? Domain::RenewalStage::Churned
        : closure.outcome == RenewalOutcome::Downgraded  ? Domain::RenewalStage::Downgraded
                                                         : Domain::RenewalStage::Renewed;
    r.outcomeArr = after;
    r.closedOn = closedOn;
    if (!closure.notes.isEmpty())
        r.notes = r.notes.isEmpty() ? closure.notes : r.notes + u"\n"_s + closure.notes;
    auto updated = m_renewals.update(r);
    if (!updated)
        return updated.error();

    // The customer's ARR moves by the renewal's change; the ledger records the movement (DESIGN.md §4).
    Storage::CustomerRepository customers(m_db);
    auto customer = customers.get(r.customerId);
    if (!customer)
        return withField(customer.error(), u"customer_id"_s);
    Domain::Customer c = *customer;
    Domain::ArrMovement movement;
    movement.customerId = r.customerId;
    movement.movementDate = closedOn;
    movement.sourceTable = u"renewals"_s;
    movement.sourceId = QString::number(r.id);
    bool customerChanged = false;
    if (closure.outcome == RenewalOutcome::Churned) {
        // Churned accounts keep the ARR they had when they left (what was lost, as in the demo portfolio);
        // the ledger takes them to 0.
        movement.kind = Domain::ArrMovementKind::Churn;
        movement.amount = c.arr;
        movement.arrBefore = c.arr;
        movement.arrAfter = 0;
        movement.reason = u"Did not renew"_s;
        const Domain::LifecycleStage previous = c.lifecycleStage;
        c.status = Domain::CustomerStatus::Churned;
        c.churnedAt = closedOn;
        c.lifecycleStage = Domain::LifecycleStage::Churned;
        customerChanged = true;
        if (previous != Domain::LifecycleStage::Churned) {
            Domain::LifecycleTransition t;
            t.customerId = c.id;
            t.fromStage = previous;
            t.toStage = Domain::LifecycleStage::Churned;
            t.reason = u"Renewal closed as churned"_s;
            t.actor = closure.actor;
            t.transitionedAt = occurrenceOn(closedOn, m_clock);
            if (auto ok = Storage::LifecycleTransitionRepository(m_db).create(t); !ok)
                return ok.error();
        }
    } else if (std::abs(after - up) > MoneyEpsilon) {
        const double delta = after - up;
        const double newArr = std::max(0.0, c.arr + delta);
        movement.kind = delta > 0 ? Domain::ArrMovementKind::Expansion : Domain::ArrMovementKind::Contraction;
        movement.amount = std::abs(newArr - c.arr);
        movement.arrBefore = c.arr;
        movement.arrAfter = newArr;
        movement.reason = delta > 0 ? u"Renewed with expansion"_s : u"Renewed with a downgrade"_s;
        c.arr = newArr;
        customerChanged = true;
    }
    if (movement.amount > MoneyEpsilon) {
        if (auto ok = Storage::ArrMovementRepository(m_db).create(movement); !ok)
            return ok.error();
    }
    if (customerChanged) {
        if (auto ok = customers.update(c); !ok)
            return ok.error();
    }

    const QVariantMap detail { { u"outcome"_s, Domain::enumName(r.outcome) },
        { u"renewal_date"_s, r.renewalDate.toString(Qt::ISODate) }, { u"closed_on"_s, closedOn.toString(Qt::ISODate) },
        { u"arr_before"_s, up }, { u"arr_after"_s, after } };
    if (auto ok = TimelineService::append(m_db, r.customerId, occurrenceOn(closedOn, m_clock),
            Domain::TimelineEventKind::Renewal,
            u"Renewal closed: %1 (ARR %2 -> %3)"_s.arg(Domain::enumName(r.outcome), money(up), money(after)), detail,
            u"renewals"_s, QString::number(r.id), closure.actor);
        !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT renewalChanged(updated->id, updated->customerId);
    if (customerChanged)
        Q_EMIT customerArrChanged(updated->customerId);
    return updated;
}

Result<RetentionRates> RenewalService::retention(
    const QDate &from, const QDate &to, const RetentionFilter &filter) const
{
    auto r = measureRetention(m_db, from, to, filter);
    if (r) {
        r->label = u"%1..%2"_s.arg(from.toString(Qt::ISODate), to.toString(Qt::ISODate));
        if (from > m_clock.today() && !r->hasData)
            r->reason = u"the period starts after today"_s;
    }
    return r;
}

Result<QList<RetentionRates>> RenewalService::retentionByPeriod(
    const QDate &from, const QDate &to, PeriodGranularity granularity, const RetentionFilter &filter) const
{
    if (auto ok = validatePeriod(from, to); !ok)
        return ok.error();
    if (!Domain::isKnown(granularity))
        return Error::invalid(u"granularity"_s, u"must be month, quarter or year"_s);
    QList<QDate> starts;
    for (QDate s = Revenue::periodStart(from, granularity); s <= to; s = Revenue::nextPeriodStart(s, granularity)) {
        starts << s;
        if (starts.size() > MaxPeriods)
            return Error::invalid(
                u"from"_s, u"spans more than %1 periods; choose a coarser granularity"_s.arg(MaxPeriods));
    }
    const QDate today = m_clock.today();
    QList<RetentionRates> out;
    for (const QDate &start : starts) {
        // Whole calendar periods, except that the last one ends at `to` and none runs past today.
        const QDate end = std::min({ Revenue::nextPeriodStart(start, granularity).addDays(-1), to, today });
        RetentionRates r;
        if (start > today) {
            r.from = start;
            r.to = Revenue::nextPeriodStart(start, granularity).addDays(-1);
            r.reason = u"the period has not started yet"_s;
        } else {
            auto measured = measureRetention(m_db, start, end, filter);
            if (!measured)
                return measured.error();
            r = *measured;
        }
        r.label = Revenue::periodLabel(start, granularity);
        out << r;
    }
    return out;
}

Result<QList<RetentionRates>> RenewalService::retentionByCohort(
    const QDate &from, const QDate &to, PeriodGranularity cohortSize, const RetentionFilter &filter) const
{
    if (auto ok = validatePeriod(from, to); !ok)
        return ok.error();
    if (!Domain::isKnown(cohortSize))
        return Error::invalid(u"cohort_size"_s, u"must be month, quarter or year"_s);
    if (!validTier(filter.tier))
        return Error::invalid(u"tier"_s, u"is not a known tier"_s);
    auto rows = ledgerRows(m_db, from, to, filter);
    if (!rows)
        return rows.error();
    QMap<QDate, QList<LedgerRow>> cohorts;
    for (const LedgerRow &row : *rows) {
        if (row.startArr <= MoneyEpsilon)
            continue;
        const QDate acquired = row.firstNew.isValid() ? row.firstNew : row.firstMovement;
        cohorts[Revenue::periodStart(acquired, cohortSize)] << row;
    }
    QList<RetentionRates> out;
    for (auto it = cohorts.cbegin(); it != cohorts.cend(); ++it) {
        RetentionRates r = aggregate(it.value(), from, to, false);
        r.label = Revenue::periodLabel(it.key(), cohortSize);
        out << r;
    }
    if (out.size() > MaxPeriods) {
        // Bounded: the oldest cohorts are merged away rather than returning an unbounded list.
        out = out.mid(out.size() - MaxPeriods);
    }
    return out;
}

Result<RenewalBrief> RenewalService::renewalBriefForCustomer(const QString &customerId) const
{
    if (auto c = Storage::CustomerRepository(m_db).get(customerId); !c)
        return withField(c.error(), u"customer_id"_s);
    auto rows = Storage::exec(m_db,
        u"SELECT id FROM renewals WHERE customer_id = ? AND deleted_at IS NULL AND outcome IS NULL "
        "ORDER BY renewal_date, id LIMIT 1"_s,
        { customerId });
    if (!rows)
        return rows.error();
    if (!rows->next())
        return Error::notFound(u"customer_id"_s, u"customer '%1' has no open renewal"_s.arg(customerId));
    return renewalBrief(rows->value(0).toLongLong());
}

Result<RenewalBrief> RenewalService::renewalBrief(qint64 renewalId) const
{
    auto item = renewal(renewalId);
    if (!item)
        return item.error();
    auto customer = Storage::CustomerRepository(m_db).get(item->renewal.customerId);
    if (!customer)
        return withField(customer.error(), u"customer_id"_s);
    const QString id = customer->id;
    const QDate today = m_clock.today();

    RenewalBrief b;
    b.renewal = item->renewal;
    b.customerName = customer->name;
    b.tier = customer->tier;
    b.customerArr = customer->arr;
    b.daysUntil = item->daysUntil;
    b.pRenew = item->pRenew;

    // Health trend: the latest score and the scores in effect 30 and 90 days ago.
    const auto scoreOn = [&](const QDate &day) -> Result<std::optional<std::pair<QDate, double>>> {
        auto rows = Storage::exec(m_db,
            u"SELECT score_date, score, band FROM health_scores WHERE customer_id = ? AND score_date <= ? "
            "ORDER BY score_date DESC LIMIT 1"_s,
            { id, toSql(day) });
        if (!rows)
            return rows.error();
        if (!rows->next())
            return std::optional<std::pair<QDate, double>>();
        if (day == today)
            fromSql(rows->value(2), b.health.band);
        return std::optional(std::pair { dayOf(rows->value(0)), rows->value(1).toDouble() });
    };
    auto latest = scoreOn(today);
    if (!latest)
        return latest.error();
    if (*latest) {
        b.health.hasData = true;
        b.health.date = (*latest)->first;
        b.health.latest = (*latest)->second;
        auto ago30 = scoreOn(today.addDays(-30));
        if (!ago30)
            return ago30.error();
        auto ago90 = scoreOn(today.addDays(-90));
        if (!ago90)
            return ago90.error();
        if (*ago30) {
            b.health.score30DaysAgo = (*ago30)->second;
            b.health.change30 = b.health.latest - (*ago30)->second;
        }
        if (*ago90) {
            b.health.score90DaysAgo = (*ago90)->second;
            b.health.change90 = b.health.latest - (*ago90)->second;
        }
    } else {
        b.health.reason = u"no health score has been computed for this customer yet"_s;
    }

    // Usage trend from the daily all-features aggregates: the last 30 days against the 30 before.
    {
        const QDate split = today.addDays(-30);
        const QDate start = today.addDays(-60);
        auto rows = Storage::exec(m_db,
            u"SELECT SUM(CASE WHEN day > ? THEN events ELSE 0 END), SUM(CASE WHEN day <= ? THEN events ELSE 0 END), "
            "SUM(CASE WHEN day > ? THEN active_users ELSE 0 END), SUM(CASE WHEN day <= ? THEN active_users ELSE 0 "
            "END), "
            "COUNT(*) FROM usage_daily WHERE customer_id = ? AND feature = '' AND day > ? AND day <= ?"_s,
            { toSql(split), toSql(split), toSql(split), toSql(split), id, toSql(start), toSql(today) });
        if (!rows)
            return rows.error();
        if (rows->next() && rows->value(4).toLongLong() > 0) {
            b.usage.hasData = true;
            b.usage.events30 = rows->value(0).toLongLong();
            b.usage.eventsPrevious30 = rows->value(1).toLongLong();
            b.usage.averageDailyActiveUsers30 = rows->value(2).toDouble() / 30.0;
            b.usage.averageDailyActiveUsersPrevious30 = rows->value(3).toDouble() / 30.0;
            if (b.usage.eventsPrevious30 > 0)
                b.usage.eventsChange = double(b.usage.events30 - b.usage.eventsPrevious30) / b.usage.eventsPrevious30;
            if (b.usage.averageDailyActiveUsersPrevious30 > 0)
                b.usage.activeUsersChange
                    = (b.usage.averageDailyActiveUsers30 - b.usage.averageDailyActiveUsersPrevious30)
                    / b.usage.averageDailyActiveUsersPrevious30;
        } else {
            b.usage.reason = u"no daily usage is recorded for the last 60 days"_s;
        }
    }

    // Contract history; the current contract's seats.
    {
        Storage::ListQuery q;
        q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, id };
        q.orderBy = u"end_date"_s;
        q.descending = true;
        q.limit = 10;
        q.countTotal = false;
        auto contracts = Storage::ContractRepository(m_db).list(q);
        if (!contracts)
            return contracts.error();
        b.contracts = contracts->items;
        for (const Domain::Contract &k : b.contracts) {
            if (k.status == Domain::ContractStatus::Active) {
                b.usage.seatsPurchased = k.seatsPurchased;
                b.usage.seatsUsed = k.seatsUsed;
                b.usage.seatUtilisation = k.seatUtilisation();
                break;
            }
        }
    }

    // Support: open tickets now, and what the last 90 days looked like.
    {
        auto open = Storage::exec(m_db,
            u"SELECT COUNT(*), SUM(CASE WHEN priority IN ('p0','p1') THEN 1 ELSE 0 END), MIN(opened_at) FROM "
            "support_tickets WHERE customer_id = ? AND deleted_at IS NULL AND status IN %1"_s.arg(OpenTicketStatuses),
            { id });
        if (!open)
            return open.error();
        if (open->next()) {
            b.support.openTickets = open->value(0).toInt();
            b.support.openUrgentTickets = open->value(1).toInt();
            b.support.oldestOpenSince = timeOf(open->value(2));
        }
        auto recent = Storage::exec(m_db,
            u"SELECT COUNT(*), SUM(csat), COUNT(csat) FROM support_tickets WHERE customer_id = ? AND deleted_at IS "
            u"NULL "
            "AND opened_at >= ?"_s,
            { id, toSql(QDateTime(today.addDays(-90), QTime(0, 0), QTimeZone::utc())) });
        if (!recent)
            return recent.error();
        if (recent->next()) {
            b.support.ticketsOpened90 = recent->value(0).toInt();
            if (recent->value(2).toInt() > 0)
                b.support.averageCsat90 = recent->value(1).toDouble() / recent->value(2).toDouble();
        }
    }

    // NPS over the last year (DESIGN.md §4: % promoters 9–10 − % detractors 0–6).
    {
        auto rows = Storage::exec(m_db,
            u"SELECT score, responded_at FROM survey_responses WHERE customer_id = ? AND kind = 'nps' AND deleted_at "
            u"IS "
            "NULL AND responded_at > ? AND responded_at <= ? ORDER BY responded_at DESC, id DESC"_s,
            { id, toSql(m_clock.now().addDays(-365)), toSql(m_clock.now()) });
        if (!rows)
            return rows.error();
        while (rows->next()) {
            const int score = rows->value(0).toInt();
            if (b.nps.responses == 0) {
                b.nps.latestScore = score;
                b.nps.latestAt = timeOf(rows->value(1));
            }
            ++b.nps.responses;
            if (score >= 9)
                ++b.nps.promoters;
            else if (score >= 7)
                ++b.nps.passives;
            else
                ++b.nps.detractors;
        }
        b.nps.hasData = b.nps.responses > 0;
        if (b.nps.hasData)
            b.nps.nps = 100.0 * (b.nps.promoters - b.nps.detractors) / b.nps.responses;
        else
            b.nps.reason = u"no NPS response from this customer in the last 365 days"_s;
    }

    // Expansion signals, past renewals and the ARR ledger.
    {
        Storage::ListQuery q;
        q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, id }
                  << Storage::Filter { u"stage"_s, Storage::Filter::Op::In,
                         QVariantList { u"identified"_s, u"qualified"_s, u"proposed"_s } };
        q.orderBy = u"score"_s;
        q.descending = true;
        q.limit = 10;
        q.countTotal = false;
        auto opportunities = Storage::ExpansionOpportunityRepository(m_db).list(q);
        if (!opportunities)
            return opportunities.error();
        b.openOpportunities = opportunities->items;

        Storage::ListQuery pr;
        pr.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, id }
                   << Storage::Filter { u"outcome"_s, Storage::Filter::Op::NotNull, {} };
        pr.orderBy = u"renewal_date"_s;
        pr.descending = true;
        pr.limit = 10;
        pr.countTotal = false;
        auto past = m_renewals.list(pr);
        if (!past)
            return past.error();
        b.pastRenewals = past->items;

        Storage::ListQuery mq;
        mq.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, id };
        mq.orderBy = u"movement_date"_s;
        mq.descending = true;
        mq.limit = 10;
        mq.countTotal = false;
        auto movements = Storage::ArrMovementRepository(m_db).list(mq);
        if (!movements)
            return movements.error();
        b.arrMovements = movements->items;
    }

    // Signals: each one quotes the numbers it rests on; thresholds are the constants at the top of this file.
    const auto risk = [&](const QString &key, const QString &text) {
        b.evidenceSignals << BriefSignal { u"risk"_s, key, text };
    };
    const auto strength = [&](const QString &key, const QString &text) {
        b.evidenceSignals << BriefSignal { u"strength"_s, key, text };
    };
    if (b.health.hasData) {
        const QString scoreText = QString::number(b.health.latest, 'f', 0);
        if (b.health.band == Domain::HealthBand::Red)
            risk(u"health_red"_s, u"Health is red (%1 on %2)."_s.arg(scoreText, b.health.date.toString(Qt::ISODate)));
        else if (b.health.band == Domain::HealthBand::Green)
            strength(u"health_green"_s, u"Health is green (%1)."_s.arg(scoreText));
        if (b.health.change30 && *b.health.change30 <= -HealthDropWorthNoting)
            risk(u"health_drop"_s,
                u"Health fell %1 points in 30 days (%2 -> %3)."_s.arg(QString::number(-*b.health.change30, 'f', 0),
                    QString::number(*b.health.score30DaysAgo, 'f', 0), scoreText));
    }
    if (b.usage.eventsChange) {
        if (*b.usage.eventsChange <= -UsageChangeWorthNoting)
            risk(u"usage_decline"_s,
                u"Usage fell %1 over the last 30 days (%2 events vs %3 in the 30 before)."_s
                    .arg(percent(-*b.usage.eventsChange))
                    .arg(b.usage.events30)
                    .arg(b.usage.eventsPrevious30));
        else if (*b.usage.eventsChange >= UsageChangeWorthNoting)
            strength(u"usage_growth"_s,
                u"Usage grew %1 over the last 30 days (%2 events vs %3 in the 30 before)."_s
                    .arg(percent(*b.usage.eventsChange))
                    .arg(b.usage.events30)
                    .arg(b.usage.eventsPrevious30));
    }
    if (b.usage.seatUtilisation && *b.usage.seatUtilisation >= SeatUtilisationForExpansion)
        strength(u"seat_utilisation"_s,
            u"%1 of %2 purchased seats are in use (%3): room to expand."_s.arg(
                QString::number(b.usage.seatsUsed.value_or(0)), QString::number(b.usage.seatsPurchased.value_or(0)),
                percent(*b.usage.seatUtilisation)));
    if (b.support.openUrgentTickets > 0)
        risk(u"urgent_tickets"_s, u"%1 urgent (P0/P1) support ticket(s) are open."_s.arg(b.support.openUrgentTickets));
    else if (b.support.openTickets >= ManyOpenTickets)
        risk(u"open_tickets"_s, u"%1 support tickets are open."_s.arg(b.support.openTickets));
    if (b.nps.latestScore) {
        if (*b.nps.latestScore <= 6)
            risk(u"nps_detractor"_s,
                u"The latest NPS answer is a detractor (%1 on %2)."_s.arg(*b.nps.latestScore)
                    .arg(b.nps.latestAt.date().toString(Qt::ISODate)));
        else if (*b.nps.latestScore >= 9)
            strength(u"nps_promoter"_s,
                u"The latest NPS answer is a promoter (%1 on %2)."_s.arg(*b.nps.latestScore)
                    .arg(b.nps.latestAt.date().toString(Qt::ISODate)));
    }
    if (b.pRenew.value && *b.pRenew.value < LowRenewProbability)
        risk(u"low_renew_probability"_s,
            u"p(renew) is %1 (%2)."_s.arg(percent(*b.pRenew.value), Domain::enumName(b.pRenew.source)));
    if (!b.openOpportunities.isEmpty())
        strength(u"expansion_opportunities"_s,
            u"%1 open expansion opportunity(ies), best: %2."_s.arg(QString::number(b.openOpportunities.size()),
                b.openOpportunities.constFirst().title.isEmpty()
                    ? Domain::enumName(b.openOpportunities.constFirst().kind)
                    : b.openOpportunities.constFirst().title));
    for (const Domain::Contract &k : std::as_const(b.contracts)) {
        if (k.status == Domain::ContractStatus::Active
            && (k.paymentStatus == Domain::PaymentStatus::Late || k.paymentStatus == Domain::PaymentStatus::Overdue
                || k.paymentStatus == Domain::PaymentStatus::Failed)) {
            risk(u"payment"_s,
                u"Payment status of the current contract is %1."_s.arg(Domain::enumName(k.paymentStatus)));
            break;
        }
    }
    if (!b.pastRenewals.isEmpty()) {
        const Domain::Renewal &last = b.pastRenewals.constFirst();
        if (last.outcome == Domain::RenewalOutcome::Expanded)
            strength(u"expanded_last_renewal"_s,
                u"Expanded at the last renewal (%1 -> %2 on %3)."_s.arg(
                    money(last.arrCurrent), money(last.outcomeArr.value_or(0)), last.closedOn.toString(Qt::ISODate)));
        else if (last.outcome == Domain::RenewalOutcome::Downgraded)
            risk(u"downgraded_last_renewal"_s,
                u"Downgraded at the last renewal (%1 -> %2 on %3)."_s.arg(
                    money(last.arrCurrent), money(last.outcomeArr.value_or(0)), last.closedOn.toString(Qt::ISODate)));
    }
    if (b.daysUntil <= 180 && !b.renewal.checkpoint180Done)
        risk(u"checkpoint_t180_missing"_s, u"The T-180 renewal review has not been held."_s);
    if (b.daysUntil <= 90 && !b.renewal.checkpoint90Done)
        risk(u"checkpoint_t90_missing"_s, u"The T-90 renewal review has not been held."_s);
    return b;
}

} // namespace Core
