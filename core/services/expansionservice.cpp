// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "expansionservice.h"

#include <algorithm>
#include <cmath>

#include <QHash>
#include <QMap>
#include <QSet>
#include <QSqlRecord>
#include <QTimeZone>

#include "servicesupport.h"
#include "sql.h"
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

constexpr double MoneyEpsilon = 0.005; // the ARR ledger's tolerance (revenue.cpp)
constexpr int MaxListLimit = 200;
constexpr int MaxPeriods = 120;
constexpr int TopMovers = 10;
const QString GrossMarginSetting = u"revenue.gross_margin"_s;
const QString LiveCustomers = u"SELECT id FROM customers WHERE deleted_at IS NULL"_s;
const QString OpenStages = u"('identified','qualified','proposed')"_s;

QString money(double v)
{
    return QString::number(v, 'f', 2);
}

Error withField(Error error, const QString &field)
{
    if (error.code == ErrorCode::NotFound)
        error.field = field;
    return error;
}

QDateTime occurrenceOn(const QDate &day, const Clock &clock)
{
    if (day == clock.today())
        return clock.now();
    return QDateTime(day, QTime(0, 0), QTimeZone::utc());
}

// How the timeline names an opportunity: its title, else its kind.
QString displayName(const Domain::ExpansionOpportunity &o)
{
    return o.title.isEmpty() ? Domain::enumName(o.kind) : o.title;
}

// The timeline's mark of a new opportunity (kind expansion, source expansion_opportunities/<id>), written in the
// transaction that stores it: the customer's story shows when the opening was found, as it shows its win or loss.
Status recordOpened(const Storage::Database &db, const Clock &clock, const Domain::ExpansionOpportunity &o)
{
    const QString what = displayName(o);
    QVariantMap detail { { u"kind"_s, Domain::enumName(o.kind) }, { u"product"_s, o.product },
        { u"stage"_s, Domain::enumName(o.stage) }, { u"estimated_arr"_s, o.estimatedArr } };
    if (o.score)
        detail.insert(u"score"_s, *o.score);
    const QString title = o.estimatedArr > 0
        ? u"Expansion opportunity %1: %2 (est. %3 ARR)"_s.arg(Domain::enumName(o.stage), what, money(o.estimatedArr))
        : u"Expansion opportunity %1: %2"_s.arg(Domain::enumName(o.stage), what);
    return TimelineService::append(db, o.customerId, clock.now(), Domain::TimelineEventKind::Expansion, title, detail,
        u"expansion_opportunities"_s, QString::number(o.id));
}

QVariantMap evidence(const QString &signal, const QVariant &value, const QString &detail)
{
    return { { u"signal"_s, signal }, { u"value"_s, value }, { u"detail"_s, detail } };
}

QString opportunityKey(const QString &customerId, Domain::ExpansionKind kind, const QString &product)
{
    return customerId + u'|' + Domain::enumName(kind) + u'|' + product;
}

} // namespace

// ---- formulas ---------------------------------------------------------------------------------------------------

namespace Expansion {

double opportunityScore(double signalStrength, std::optional<double> healthScore, std::optional<int> tenureDays)
{
    double weighted = SignalWeight * std::clamp(signalStrength, 0.0, 1.0);
    double weights = SignalWeight;
    if (healthScore) {
        weighted += HealthWeight * std::clamp(*healthScore / 100.0, 0.0, 1.0);
        weights += HealthWeight;
    }
    if (tenureDays) {
        weighted += TenureWeight * std::clamp(double(*tenureDays) / FullTenureDays, 0.0, 1.0);
        weights += TenureWeight;
    }
    return 100.0 * weighted / weights;
}

double upsellSignal(double utilisation)
{
    return std::clamp((utilisation - HeadroomUtilisation) / 0.4, 0.0, 1.0);
}

int seatsForHeadroom(int seatsUsed, int seatsPurchased)
{
    if (seatsUsed <= 0)
        return 0;
    // ceil(used / 0.8) in integers: ceil(5 × used / 4), so that 80 / 0.8 is exactly 100.
    const qint64 needed = (qint64(seatsUsed) * 5 + 3) / 4;
    return int(std::max<qint64>(0, needed - seatsPurchased));
}

double expansionSignal(double activeUserGrowth)
{
    return std::clamp(activeUserGrowth / 0.5, 0.0, 1.0);
}

std::optional<double> median(QList<double> values)
{
    if (values.isEmpty())
        return std::nullopt;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 == 1 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2.0;
}

std::optional<double> lifetimeValue(double arr, double grossMargin, double annualChurnRate)
{
    if (arr < 0 || grossMargin <= 0 || grossMargin > 1 || annualChurnRate <= 0 || annualChurnRate > 1)
        return std::nullopt;
    return arr * grossMargin / annualChurnRate;
}

} // namespace Expansion

ExpansionService::ExpansionService(const Storage::Database &db, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
    , m_opportunities(db)
{ }

// ---- detection ----------------------------------------------------------------------------------------------------

Result<ExpansionScan> ExpansionService::identifyOpportunities(const ExpansionScanQuery &query)
{
    using Domain::ExpansionKind;
    if (query.limit < 1 || query.limit > MaxListLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(MaxListLimit));
    if (!(query.minScore >= 0 && query.minScore <= 100))
        return Error::invalid(u"min_score"_s, u"must be between 0 and 100"_s);
    QList<ExpansionKind> kinds;
    for (ExpansionKind k : query.kinds) {
        if (!Domain::isKnown(k))
            return Error::invalid(u"kinds"_s, u"holds an unknown opportunity kind"_s);
        if (!kinds.contains(k))
            kinds << k;
    }
    if (kinds.isEmpty())
        kinds = { ExpansionKind::Upsell, ExpansionKind::CrossSell, ExpansionKind::Expansion };
    if (!query.customerId.isEmpty()) {
        if (auto c = Storage::CustomerRepository(m_db).get(query.customerId); !c)
            return withField(c.error(), u"customer_id"_s);
    }

    const QDate today = m_clock.today();
    const QDate day30 = today.addDays(-30);
    const QDate day60 = today.addDays(-60);
    const QDate day90 = today.addDays(-90);
    ExpansionScan scan;
    scan.asOf = today;

    // The scanned customers: active and live (a trial converting is not an expansion; churned ones are gone).
    QString scope = u"SELECT id FROM customers WHERE deleted_at IS NULL AND status = 'active'"_s;
    QVariantList scopeBindings;
    if (!query.customerId.isEmpty()) {
        scope += u" AND id = ?"_s;
        scopeBindings << query.customerId;
    }
    struct Account
    {
        QString name;
        Domain::Tier tier = Domain::Tier::Smb;
        double arr = 0;
        QString owner;
        QDate since;
        std::optional<double> health;
        Domain::HealthBand band = Domain::HealthBand::Green;
        QDate healthDate;
        // current contract
        std::optional<int> seatsPurchased;
        std::optional<int> seatsUsed;
        double contractArr = 0;
        bool hasContract = false;
        // usage
        bool active = false;
        double activeUsers30 = 0;
        double activeUsersPrevious30 = 0;
        QSet<QString> premiumUsed;
    };
    QHash<QString, Account> accounts;
    QStringList order;
    {
        auto rows = Storage::exec(m_db,
            u"SELECT id, name, tier, arr, owner, contract_start FROM customers WHERE id IN (%1) ORDER BY id"_s.arg(
                scope),
            scopeBindings);
        if (!rows)
            return rows.error();
        while (rows->next()) {
            Account a;
            a.name = rows->value(1).toString();
            fromSql(rows->value(2), a.tier);
            a.arr = rows->value(3).toDouble();
            fromSql(rows->value(4), a.owner);
            a.since = dayOf(rows->value(5));
            order << rows->value(0).toString();
            accounts.insert(order.constLast(), a);
        }
    }
    scan.customersScanned = int(order.size());
    if (order.isEmpty()) {
        scan.reason = query.customerId.isEmpty() ? u"there are no active customers to look at"_s
                                                 : u"customer '%1' is not active"_s.arg(query.customerId);
        return scan;
    }

    // Latest health score as of today.
    {
        QVariantList b { toSql(today) };
        b << scopeBindings;
        auto rows = Storage::exec(m_db,
            u"SELECT h.customer_id, h.score, h.band, h.score_date FROM health_scores h JOIN (SELECT customer_id, "
            "MAX(score_date) AS latest FROM health_scores WHERE score_date <= ? AND customer_id IN (%1) GROUP BY "
            "customer_id) l ON l.customer_id = h.customer_id AND l.latest = h.score_date"_s.arg(scope),
            b);
        if (!rows)
            return rows.error();
        while (rows->next()) {
            auto it = accounts.find(rows->value(0).toString());
            if (it == accounts.end())
                continue;
            it->health = rows->value(1).toDouble();
            fromSql(rows->value(2), it->band);
            it->healthDate = dayOf(rows->value(3));
        }
    }
    // Tenure from the first contract (the customer's contract_start when no contract is recorded).
    {
        auto rows = Storage::exec(m_db,
            u"SELECT customer_id, MIN(start_date) FROM contracts WHERE deleted_at IS NULL AND customer_id IN (%1) "
            "GROUP BY customer_id"_s.arg(scope),
            scopeBindings);
        if (!rows)
            return rows.error();
        while (rows->next()) {
            auto it = accounts.find(rows->value(0).toString());
            const QDate first = dayOf(rows->value(1));
            if (it != accounts.end() && first.isValid() && (!it->since.isValid() || first < it->since))
                it->since = first;
        }
    }
    // The current contract: the active one ending last.
    int contractsWithSeats = 0;
    {
        auto rows = Storage::exec(m_db,
            u"SELECT customer_id, arr, seats_purchased, seats_used FROM contracts WHERE deleted_at IS NULL AND status "
            u"= "
            "'active' AND customer_id IN (%1) ORDER BY customer_id, end_date DESC, id DESC"_s.arg(scope),
            scopeBindings);
        if (!rows)
            return rows.error();
        while (rows->next()) {
            auto it = accounts.find(rows->value(0).toString());
            if (it == accounts.end() || it->hasContract)
                continue;
            it->hasContract = true;
            it->contractArr = rows->value(1).toDouble();
            fromSql(rows->value(2), it->seatsPurchased);
            fromSql(rows->value(3), it->seatsUsed);
            if (it->seatsPurchased && *it->seatsPurchased > 0 && it->seatsUsed)
                ++contractsWithSeats;
        }
    }
    // Usage: activity over 90 days and daily active users of the last 30 days against the 30 before.
    int activeCustomers = 0;
    {
        QVariantList b { toSql(day30), toSql(day60), toSql(day30), toSql(day90), toSql(today) };
        b << scopeBindings;
        auto rows = Storage::exec(m_db,
            u"SELECT customer_id, SUM(CASE WHEN day > ? THEN active_users ELSE 0 END), SUM(CASE WHEN day > ? AND day "
            "<= ? THEN active_users ELSE 0 END), SUM(events) FROM usage_daily WHERE feature = '' AND day > ? AND day "
            "<= ? AND customer_id IN (%1) GROUP BY customer_id"_s.arg(scope),
            b);
        if (!rows)
            return rows.error();
        while (rows->next()) {
            auto it = accounts.find(rows->value(0).toString());
            if (it == accounts.end())
                continue;
            it->activeUsers30 = rows->value(1).toDouble() / 30.0;
            it->activeUsersPrevious30 = rows->value(2).toDouble() / 30.0;
            it->active = rows->value(3).toLongLong() > 0;
            activeCustomers += it->active ? 1 : 0;
        }
    }
    // Premium features: the catalogue, which ones each scanned customer used, and adoption among tier peers
    // (peers are the whole portfolio's active customers of the tier, whatever the scan's scope).
    QList<std::pair<QString, QString>> premium; // key, name
    QHash<QString, int> tierPeers; // by tier name
    QHash<QString, int> tierAdopters; // "tier|feature"
    if (kinds.contains(ExpansionKind::CrossSell)) {
        auto features = Storage::exec(
            m_db, u"SELECT key, name FROM features WHERE is_premium AND deleted_at IS NULL ORDER BY key"_s);
        if (!features)
            return features.error();
        while (features->next())
            premium << std::pair { features->value(0).toString(), features->value(1).toString() };
        if (!premium.isEmpty()) {
            const QVariantList window { toSql(day90), toSql(today) };
            auto peers = Storage::exec(m_db,
                u"SELECT c.tier, COUNT(DISTINCT u.customer_id) FROM usage_daily u JOIN customers c ON c.id = "
                "u.customer_id WHERE u.feature = '' AND u.day > ? AND u.day <= ? AND u.events > 0 AND c.deleted_at "
                "IS NULL AND c.status = 'active' GROUP BY c.tier"_s,
                window);
            if (!peers)
                return peers.error();
            while (peers->next()) {
                tierPeers.insert(peers->value(0).toString(), peers->value(1).toInt());
            }
            // Feature use: the per-feature daily aggregates when they exist for the window, else the raw events
            // (some sources, the demo portfolio among them, aggregate only the all-features row).
            const QString premiumKeys = u"SELECT key FROM features WHERE is_premium AND deleted_at IS NULL"_s;
            auto perFeature = Storage::exec(m_db,
                u"SELECT COUNT(*) FROM usage_daily WHERE day > ? AND day <= ? AND feature IN (%1)"_s.arg(premiumKeys),
                window);
            if (!perFeature)
                return perFeature.error();
            const bool fromDaily = perFeature->next() && perFeature->value(0).toLongLong() > 0;
            if (!fromDaily)
                scan.notes << u"premium feature use read from raw usage events: there are no per-feature daily "
                              "aggregates for the last 90 days"_s;
            QString use;
            QVariantList useBindings;
            if (fromDaily) {
                use = u"SELECT customer_id, feature FROM usage_daily WHERE feature IN (%1) AND day > ? AND day <= ? "
                      "AND events > 0"_s.arg(premiumKeys);
                useBindings = window;
            } else {
                use = u"SELECT customer_id, feature FROM usage_events WHERE feature IN (%1) AND occurred_at >= ? AND "
                      "occurred_at < ?"_s.arg(premiumKeys);
                useBindings = { toSql(QDateTime(day90.addDays(1), QTime(0, 0), QTimeZone::utc())),
                    toSql(QDateTime(today.addDays(1), QTime(0, 0), QTimeZone::utc())) };
            }
            auto adopters = Storage::exec(m_db,
                u"SELECT c.tier, u.feature, COUNT(DISTINCT u.customer_id) FROM (%1) u JOIN customers c ON c.id = "
                "u.customer_id WHERE c.deleted_at IS NULL AND c.status = 'active' AND c.id IN (SELECT customer_id FROM "
                "usage_daily WHERE feature = '' AND day > ? AND day <= ? AND events > 0) GROUP BY c.tier, u.feature"_s
                    .arg(use),
                useBindings + window);
            if (!adopters)
                return adopters.error();
            while (adopters->next())
                tierAdopters.insert(
                    adopters->value(0).toString() + u'|' + adopters->value(1).toString(), adopters->value(2).toInt());
            QVariantList b = useBindings;
            b << scopeBindings;
            auto used = Storage::exec(m_db,
                u"SELECT DISTINCT u.customer_id, u.feature FROM (%1) u WHERE u.customer_id IN (%2)"_s.arg(use, scope),
                b);
            if (!used)
                return used.error();
            while (used->next()) {
                auto it = accounts.find(used->value(0).toString());
                if (it != accounts.end())
                    it->premiumUsed.insert(used->value(1).toString());
            }
        }
    }
    // Estimates for cross-sell and expansion: the median share of ARR that won deals of the kind added, from
    // the ledger movements those deals caused.
    QHash<QString, QList<double>> wonShares; // by kind name
    {
        auto rows = Storage::exec(m_db,
            u"SELECT o.kind, m.amount, m.arr_before FROM expansion_opportunities o JOIN arr_movements m ON "
            "m.customer_id = o.customer_id AND m.source_table = 'expansion_opportunities' AND m.source_id = "
            "CAST(o.id AS TEXT) WHERE o.stage = 'won' AND o.deleted_at IS NULL AND m.kind = 'expansion' AND "
            "m.arr_before > 0"_s);
        if (!rows)
            return rows.error();
        while (rows->next()) {
            wonShares[rows->value(0).toString()] << rows->value(1).toDouble() / rows->value(2).toDouble();
        }
    }
    // Open opportunities, so a candidate links to (and never duplicates) one.
    struct Open
    {
        qint64 id = 0;
        QString stage;
    };
    QHash<QString, Open> open;
    {
        auto rows = Storage::exec(m_db,
            u"SELECT id, customer_id, kind, product, stage FROM expansion_opportunities WHERE deleted_at IS NULL AND "
            "stage IN %1 AND customer_id IN (%2)"_s.arg(OpenStages, scope),
            scopeBindings);
        if (!rows)
            return rows.error();
        while (rows->next()) {
            ExpansionKind kind = ExpansionKind::Upsell;
            fromSql(rows->value(2), kind);
            QString product;
            fromSql(rows->value(3), product);
            open.insert(opportunityKey(rows->value(1).toString(), kind, product),
                { rows->value(0).toLongLong(), rows->value(4).toString() });
        }
    }

    if (kinds.contains(ExpansionKind::Upsell) && contractsWithSeats == 0)
        scan.notes << u"no active contract records seats purchased and used: upsell was not assessed"_s;
    if ((kinds.contains(ExpansionKind::CrossSell) || kinds.contains(ExpansionKind::Expansion)) && activeCustomers == 0)
        scan.notes << u"no usage is recorded in the last 90 days: cross-sell and expansion were not assessed"_s;
    if (kinds.contains(ExpansionKind::CrossSell) && premium.isEmpty())
        scan.notes << u"no premium features in the feature catalogue: cross-sell was not assessed"_s;

    const auto shareEstimate = [&](ExpansionKind kind, double arr, ExpansionCandidate &c) {
        const QList<double> shares = wonShares.value(Domain::enumName(kind));
        const auto m = Expansion::median(shares);
        if (m && arr > MoneyEpsilon) {
            c.estimatedArr = std::round(arr * *m * 100.0) / 100.0;
            c.estimateBasis = u"ARR × median share added by %1 won %2 deal(s) (%3 %)"_s.arg(shares.size())
                                  .arg(Domain::enumName(kind))
                                  .arg(QString::number(*m * 100.0, 'f', 1));
        } else {
            c.estimateBasis = arr > MoneyEpsilon
                ? u"no won %1 deal in the ARR ledger to estimate from"_s.arg(Domain::enumName(kind))
                : u"the customer has no ARR to estimate from"_s;
        }
    };

    QList<ExpansionCandidate> candidates;
    for (const QString &id : std::as_const(order)) {
        const Account &a = *accounts.constFind(id);
        if (a.health && a.band == Domain::HealthBand::Red) {
            ++scan.skippedRedHealth; // a red account needs saving before selling
            continue;
        }
        std::optional<int> tenure;
        if (a.since.isValid() && a.since <= today)
            tenure = int(a.since.daysTo(today));
        QVariantList common;
        if (a.health)
            common << evidence(u"health_score"_s, *a.health,
                u"latest health %1 (%2) on %3"_s.arg(
                    QString::number(*a.health, 'f', 0), Domain::enumName(a.band), a.healthDate.toString(Qt::ISODate)));
        if (tenure)
            common << evidence(u"tenure_days"_s, *tenure, u"customer since %1"_s.arg(a.since.toString(Qt::ISODate)));

        const auto add = [&](ExpansionKind kind, const QString &product, const QString &title, double signal,
                             QVariantList points, ExpansionCandidate c) {
            c.customerId = id;
            c.customerName = a.name;
            c.tier = a.tier;
            c.customerArr = a.arr;
            c.kind = kind;
            c.product = product;
            c.title = title;
            c.score = std::round(Expansion::opportunityScore(signal, a.health, tenure) * 10.0) / 10.0;
            points << common;
            c.evidence = points;
            if (const auto o = open.constFind(opportunityKey(id, kind, product)); o != open.cend()) {
                c.opportunityId = o->id;
                c.opportunityStage = o->stage;
            }
            if (c.score + 1e-9 >= query.minScore)
                candidates << c;
        };

        if (kinds.contains(ExpansionKind::Upsell) && a.seatsPurchased && *a.seatsPurchased > 0 && a.seatsUsed) {
            const double utilisation = double(*a.seatsUsed) / *a.seatsPurchased;
            if (utilisation >= Expansion::UpsellUtilisation) {
                ExpansionCandidate c;
                const int seats = Expansion::seatsForHeadroom(*a.seatsUsed, *a.seatsPurchased);
                if (a.contractArr > MoneyEpsilon) {
                    const double seatPrice = a.contractArr / *a.seatsPurchased;
                    c.estimatedArr = std::round(seats * seatPrice * 100.0) / 100.0;
                    c.estimateBasis = u"%1 seat(s) to bring utilisation to 80 % × %2 per seat (contract ARR / seats "
                                      "purchased)"_s.arg(seats)
                                          .arg(money(seatPrice));
                } else {
                    c.estimateBasis = u"the current contract has no ARR to price a seat from"_s;
                }
                add(ExpansionKind::Upsell, u"seats"_s, u"Additional seats"_s, Expansion::upsellSignal(utilisation),
                    { evidence(u"seat_utilisation"_s, std::round(utilisation * 1000.0) / 1000.0,
                        u"%1 of %2 purchased seats in use"_s.arg(*a.seatsUsed).arg(*a.seatsPurchased)) },
                    c);
            }
        }
        if (kinds.contains(ExpansionKind::CrossSell) && a.active) {
            const int peers
                = tierPeers.value(Domain::enumName(a.tier)) - 1; // the customer is active, hence one of its tier's
            for (const auto &[key, name] : std::as_const(premium)) {
                if (a.premiumUsed.contains(key) || peers < Expansion::CrossSellMinPeers)
                    continue;
                const int adopters = tierAdopters.value(Domain::enumName(a.tier) + u'|' + key);
                const double share = double(adopters) / peers;
                if (share < Expansion::CrossSellPeerAdoption)
                    continue;
                ExpansionCandidate c;
                shareEstimate(ExpansionKind::CrossSell, a.arr, c);
                add(ExpansionKind::CrossSell, key, u"Cross-sell "_s + name, share,
                    { evidence(u"feature_not_adopted"_s, key, u"%1 not used in the last 90 days"_s.arg(name)),
                        evidence(u"peer_adoption"_s, std::round(share * 1000.0) / 1000.0,
                            u"used by %1 of %2 other active %3 customers in the last 90 days"_s.arg(adopters)
                                .arg(peers)
                                .arg(Domain::enumName(a.tier))) },
                    c);
            }
        }
        if (kinds.contains(ExpansionKind::Expansion) && a.activeUsersPrevious30 >= 1.0) {
            const double growth = (a.activeUsers30 - a.activeUsersPrevious30) / a.activeUsersPrevious30;
            if (growth >= Expansion::ExpansionActiveUserGrowth) {
                ExpansionCandidate c;
                shareEstimate(ExpansionKind::Expansion, a.arr, c);
                add(ExpansionKind::Expansion, u"new_team"_s, u"Rollout to another team"_s,
                    Expansion::expansionSignal(growth),
                    { evidence(u"active_user_growth"_s, std::round(growth * 1000.0) / 1000.0,
                        u"average daily active users %1 in the last 30 days vs %2 in the 30 before"_s.arg(
                            QString::number(a.activeUsers30, 'f', 1),
                            QString::number(a.activeUsersPrevious30, 'f', 1))) },
                    c);
            }
        }
    }

    std::stable_sort(
        candidates.begin(), candidates.end(), [](const ExpansionCandidate &x, const ExpansionCandidate &y) {
            if (x.score != y.score)
                return x.score > y.score;
            return x.estimatedArr.value_or(0) > y.estimatedArr.value_or(0);
        });
    scan.hasData = true;
    scan.total = candidates.size();
    for (const ExpansionCandidate &c : std::as_const(candidates)) {
        scan.upsell += c.kind == ExpansionKind::Upsell ? 1 : 0;
        scan.crossSell += c.kind == ExpansionKind::CrossSell ? 1 : 0;
        scan.expansion += c.kind == ExpansionKind::Expansion ? 1 : 0;
    }

    if (query.persist && !candidates.isEmpty()) {
        Storage::Transaction tx(m_db);
        if (!tx.isActive())
            return tx.beginError();
        for (ExpansionCandidate &c : candidates) {
            QVariantList ev = c.evidence;
            ev << evidence(
                u"estimate_basis"_s, c.estimatedArr ? QVariant(*c.estimatedArr) : QVariant(), c.estimateBasis);
            if (c.opportunityId) {
                if (c.opportunityStage != u"identified"_s)
                    continue; // a CSM is working it: leave their numbers alone
                auto stored = m_opportunities.get(*c.opportunityId);
                if (!stored)
                    return stored.error();
                Domain::ExpansionOpportunity o = *stored;
                o.score = c.score;
                o.evidence = ev;
                if (c.estimatedArr)
                    o.estimatedArr = *c.estimatedArr;
                if (auto ok = m_opportunities.update(o); !ok)
                    return ok.error();
                ++scan.refreshed;
                continue;
            }
            Domain::ExpansionOpportunity o;
            o.customerId = c.customerId;
            o.kind = c.kind;
            o.product = c.product;
            o.title = c.title;
            // The column is NOT NULL: 0 with the evidence saying there was no basis, never a guessed amount.
            o.estimatedArr = c.estimatedArr.value_or(0);
            o.score = c.score;
            o.evidence = ev;
            o.stage = Domain::ExpansionStage::Identified;
            o.owner = accounts.value(c.customerId).owner;
            auto created = m_opportunities.create(o);
            if (!created)
                return created.error();
            if (auto ok = recordOpened(m_db, m_clock, *created); !ok)
                return ok.error();
            c.opportunityId = created->id;
            c.opportunityStage = u"identified"_s;
            ++scan.created;
        }
        if (auto ok = tx.commit(); !ok)
            return ok.error();
        if (scan.created + scan.refreshed > 0)
            Q_EMIT opportunitiesIdentified(scan.created, scan.refreshed);
    }
    scan.items = candidates.mid(0, query.limit);
    return scan;
}

// ---- pipeline -------------------------------------------------------------------------------------------------------

Result<Storage::Page<Domain::ExpansionOpportunity>> ExpansionService::opportunities(const OpportunityQuery &query) const
{
    if (query.limit < 1 || query.limit > MaxListLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(MaxListLimit));
    if (query.kind && !Domain::isKnown(*query.kind))
        return Error::invalid(u"kind"_s, u"is not a known opportunity kind"_s);
    if (query.stage && !Domain::isKnown(*query.stage))
        return Error::invalid(u"stage"_s, u"is not a known opportunity stage"_s);
    Storage::ListQuery list;
    list.orderBy = u"score"_s;
    list.descending = true;
    list.limit = query.limit;
    list.cursor = query.cursor;
    if (!query.customerId.isEmpty())
        list.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, query.customerId };
    if (query.kind)
        list.filters << Storage::Filter { u"kind"_s, Storage::Filter::Op::Eq, toSql(*query.kind) };
    if (query.stage)
        list.filters << Storage::Filter { u"stage"_s, Storage::Filter::Op::Eq, toSql(*query.stage) };
    list.extraCondition = u"customer_id IN (%1)"_s.arg(LiveCustomers);
    if (query.openOnly)
        list.extraCondition += u" AND stage IN "_s + OpenStages;
    return m_opportunities.list(list);
}

Result<Domain::ExpansionOpportunity> ExpansionService::opportunity(qint64 opportunityId) const
{
    auto o = m_opportunities.get(opportunityId);
    if (!o)
        return withField(o.error(), u"opportunity_id"_s);
    return o;
}

Result<Domain::ExpansionOpportunity> ExpansionService::createOpportunity(
    const Domain::ExpansionOpportunity &opportunity)
{
    if (!opportunity.isOpen())
        return Error::invalid(u"stage"_s, u"a new opportunity is identified, qualified or proposed"_s);
    if (auto ok = opportunity.validate(); !ok)
        return ok.error();
    if (auto c = Storage::CustomerRepository(m_db).get(opportunity.customerId); !c)
        return withField(c.error(), u"customer_id"_s);
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto created = m_opportunities.create(opportunity);
    if (!created)
        return created.error();
    if (auto ok = recordOpened(m_db, m_clock, *created); !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT opportunityChanged(created->id, created->customerId);
    return created;
}

Result<Domain::ExpansionOpportunity> ExpansionService::updateOpportunityStage(const OpportunityUpdate &update)
{
    using Domain::ExpansionStage;
    if (!Domain::isKnown(update.stage))
        return Error::invalid(u"stage"_s, u"is not a known opportunity stage"_s);
    const QDate today = m_clock.today();
    const QDate closedOn = update.closedOn.isValid() ? update.closedOn : today;
    if (closedOn > today)
        return Error::invalid(u"closed_on"_s, u"must not be in the future"_s);

    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto stored = m_opportunities.get(update.opportunityId);
    if (!stored)
        return withField(stored.error(), u"opportunity_id"_s);
    if (update.expectedVersion > 0 && update.expectedVersion != stored->meta.version)
        return Error::conflict(u"version"_s,
            u"this opportunity was changed since it was read (you have version %1, "
            "the stored one is %2); reload it"_s.arg(update.expectedVersion)
                .arg(stored->meta.version));
    if (!stored->isOpen())
        return Error::invalid(
            u"opportunity_id"_s, u"is already %1 and can no longer change"_s.arg(Domain::enumName(stored->stage)));
    Domain::ExpansionOpportunity o = *stored;
    o.stage = update.stage;
    if (!update.notes.isEmpty())
        o.notes = o.notes.isEmpty() ? update.notes : o.notes + u"\n"_s + update.notes;
    bool arrChanged = false;
    if (update.stage == ExpansionStage::Won) {
        if (!update.wonArr || *update.wonArr <= MoneyEpsilon)
            return Error::invalid(u"won_arr"_s, u"is required and above 0 when the opportunity is won"_s);
        o.wonArr = *update.wonArr;
        o.closedOn = closedOn;
        Storage::CustomerRepository customers(m_db);
        auto customer = customers.get(o.customerId);
        if (!customer)
            return withField(customer.error(), u"customer_id"_s);
        Domain::Customer c = *customer;
        Domain::ArrMovement m;
        m.customerId = c.id;
        m.movementDate = closedOn;
        m.kind = Domain::ArrMovementKind::Expansion;
        m.amount = *update.wonArr;
        m.arrBefore = c.arr;
        m.arrAfter = c.arr + *update.wonArr;
        m.reason = o.title.isEmpty() ? u"Expansion won"_s : o.title;
        m.sourceTable = u"expansion_opportunities"_s;
        m.sourceId = QString::number(o.id);
        if (auto ok = Storage::ArrMovementRepository(m_db).create(m); !ok)
            return ok.error();
        c.arr += *update.wonArr;
        if (auto ok = customers.update(c); !ok)
            return ok.error();
        arrChanged = true;
    } else if (update.stage == ExpansionStage::Lost) {
        if (update.lostReason.trimmed().isEmpty())
            return Error::invalid(u"lost_reason"_s, u"is required when the opportunity is lost"_s);
        o.lostReason = update.lostReason;
        o.closedOn = closedOn;
    }
    auto updated = m_opportunities.update(o);
    if (!updated)
        return updated.error();
    if (!updated->isOpen()) {
        const bool won = updated->stage == ExpansionStage::Won;
        const QString what = displayName(*updated);
        QVariantMap detail { { u"kind"_s, Domain::enumName(updated->kind) }, { u"product"_s, updated->product },
            { u"stage"_s, Domain::enumName(updated->stage) } };
        if (won)
            detail.insert(u"won_arr"_s, *updated->wonArr);
        else
            detail.insert(u"lost_reason"_s, updated->lostReason);
        if (auto ok = TimelineService::append(m_db, updated->customerId, occurrenceOn(closedOn, m_clock),
                Domain::TimelineEventKind::Expansion,
                won ? u"Expansion won: %1 (+%2 ARR)"_s.arg(what, money(*updated->wonArr))
                    : u"Expansion lost: %1 (%2)"_s.arg(what, updated->lostReason),
                detail, u"expansion_opportunities"_s, QString::number(updated->id), update.actor);
            !ok)
            return ok.error();
    }
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT opportunityChanged(updated->id, updated->customerId);
    if (arrChanged)
        Q_EMIT customerArrChanged(updated->customerId);
    return updated;
}

// ---- ARR tracking ---------------------------------------------------------------------------------------------------

Result<Domain::ArrMovement> ExpansionService::recordArrChange(const ArrChange &change)
{
    if (!(change.newArr > MoneyEpsilon) || change.newArr > 1e12)
        return Error::invalid(u"new_arr"_s, u"must be above 0 (a churn is recorded by closing the renewal)"_s);
    const QDate today = m_clock.today();
    const QDate on = change.effectiveOn.isValid() ? change.effectiveOn : today;
    if (on > today)
        return Error::invalid(u"effective_on"_s, u"must not be in the future"_s);

    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    Storage::CustomerRepository customers(m_db);
    auto customer = customers.get(change.customerId);
    if (!customer)
        return withField(customer.error(), u"customer_id"_s);
    Domain::Customer c = *customer;
    auto history = Storage::exec(m_db, u"SELECT COUNT(*) FROM arr_movements WHERE customer_id = ?"_s, { c.id });
    if (!history)
        return history.error();
    const bool hasHistory = history->next() && history->value(0).toLongLong() > 0;

    Domain::ArrMovement m;
    m.customerId = c.id;
    m.movementDate = on;
    m.reason = change.reason;
    m.sourceTable = u"customers"_s;
    m.sourceId = c.id;
    Domain::TimelineEventKind timelineKind = Domain::TimelineEventKind::Contract;
    if (c.status == Domain::CustomerStatus::Churned || c.arr <= MoneyEpsilon) {
        // From nothing: a customer's first ARR, or a churned one coming back.
        m.kind = c.status == Domain::CustomerStatus::Churned || hasHistory ? Domain::ArrMovementKind::Reactivation
                                                                           : Domain::ArrMovementKind::New;
        m.amount = change.newArr;
        m.arrBefore = 0;
        m.arrAfter = change.newArr;
        if (c.status == Domain::CustomerStatus::Churned) {
            const Domain::LifecycleStage previous = c.lifecycleStage;
            c.status = Domain::CustomerStatus::Active;
            c.churnedAt = QDate();
            c.lifecycleStage = Domain::LifecycleStage::Adoption;
            if (previous != c.lifecycleStage) {
                Domain::LifecycleTransition t;
                t.customerId = c.id;
                t.fromStage = previous;
                t.toStage = c.lifecycleStage;
                t.reason = u"ARR reactivated"_s;
                t.actor = change.actor;
                t.transitionedAt = occurrenceOn(on, m_clock);
                if (auto ok = Storage::LifecycleTransitionRepository(m_db).create(t); !ok)
                    return ok.error();
            }
        }
    } else {
        const double delta = change.newArr - c.arr;
        if (std::abs(delta) <= MoneyEpsilon)
            return Error::invalid(u"new_arr"_s, u"equals the current ARR (%1): nothing to record"_s.arg(money(c.arr)));
        m.kind = delta > 0 ? Domain::ArrMovementKind::Expansion : Domain::ArrMovementKind::Contraction;
        m.amount = std::abs(delta);
        m.arrBefore = c.arr;
        m.arrAfter = change.newArr;
        if (delta > 0)
            timelineKind = Domain::TimelineEventKind::Expansion;
    }
    auto created = Storage::ArrMovementRepository(m_db).create(m);
    if (!created)
        return created.error();
    c.arr = change.newArr;
    if (auto ok = customers.update(c); !ok)
        return ok.error();
    const QVariantMap detail { { u"kind"_s, Domain::enumName(m.kind) }, { u"arr_before"_s, *m.arrBefore },
        { u"arr_after"_s, *m.arrAfter }, { u"reason"_s, change.reason } };
    if (auto ok = TimelineService::append(m_db, c.id, occurrenceOn(on, m_clock), timelineKind,
            u"ARR %1: %2 -> %3"_s.arg(Domain::enumName(m.kind), money(*m.arrBefore), money(change.newArr)), detail,
            u"arr_movements"_s, QString::number(created->id), change.actor);
        !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT customerArrChanged(c.id);
    return created;
}

Result<RevenueExpansionReport> ExpansionService::revenueExpansion(
    const QDate &from, const QDate &to, PeriodGranularity granularity) const
{
    if (!from.isValid())
        return Error::invalid(u"from"_s, u"is required (yyyy-MM-dd)"_s);
    if (!to.isValid())
        return Error::invalid(u"to"_s, u"is required (yyyy-MM-dd)"_s);
    if (to < from)
        return Error::invalid(u"to"_s, u"must not be before from"_s);
    if (!Domain::isKnown(granularity))
        return Error::invalid(u"granularity"_s, u"must be month, quarter or year"_s);

    RevenueExpansionReport report;
    report.total.label = u"%1..%2"_s.arg(from.toString(Qt::ISODate), to.toString(Qt::ISODate));
    report.total.from = from;
    report.total.to = to;
    QMap<QDate, ArrMovementTotals> periods;
    for (QDate s = Revenue::periodStart(from, granularity); s <= to; s = Revenue::nextPeriodStart(s, granularity)) {
        ArrMovementTotals t;
        t.label = Revenue::periodLabel(s, granularity);
        t.from = std::max(s, from);
        t.to = std::min(Revenue::nextPeriodStart(s, granularity).addDays(-1), to);
        periods.insert(s, t);
        if (periods.size() > MaxPeriods)
            return Error::invalid(
                u"from"_s, u"spans more than %1 periods; choose a coarser granularity"_s.arg(MaxPeriods));
    }
    const auto addTo = [](ArrMovementTotals &t, const QString &kind, double amount, int count) {
        t.movements += count;
        if (kind == u"new"_s)
            t.newArr += amount;
        else if (kind == u"expansion"_s)
            t.expansionArr += amount;
        else if (kind == u"reactivation"_s)
            t.reactivationArr += amount;
        else if (kind == u"contraction"_s)
            t.contractionArr += amount;
        else if (kind == u"churn"_s)
            t.churnArr += amount;
        t.netArr = t.newArr + t.expansionArr + t.reactivationArr - t.contractionArr - t.churnArr;
    };
    const QVariantList range { toSql(from), toSql(to) };
    {
        auto rows = Storage::exec(m_db,
            u"SELECT movement_date, kind, SUM(amount), COUNT(*) FROM arr_movements WHERE movement_date >= ? AND "
            "movement_date <= ? AND customer_id IN (%1) GROUP BY movement_date, kind"_s.arg(LiveCustomers),
            range);
        if (!rows)
            return rows.error();
        while (rows->next()) {
            const QDate day = dayOf(rows->value(0));
            const QString kind = rows->value(1).toString();
            const double amount = rows->value(2).toDouble();
            const int count = rows->value(3).toInt();
            addTo(report.total, kind, amount, count);
            addTo(periods[Revenue::periodStart(day, granularity)], kind, amount, count);
        }
    }
    report.periods = periods.values();

    // Largest net movers, new business left out (it is acquisition, not expansion).
    const QString net = u"SUM(CASE WHEN kind IN ('contraction','churn') THEN -amount WHEN kind IN ('expansion',"
                        "'reactivation') THEN amount ELSE 0 END)"_s;
    const auto movers = [&](bool gains) -> Result<QList<CustomerArrChange>> {
        auto rows = Storage::exec(m_db,
            u"SELECT m.customer_id, %1, c.name FROM arr_movements m JOIN customers c ON c.id = m.customer_id WHERE "
            "m.movement_date >= ? AND m.movement_date <= ? AND c.deleted_at IS NULL GROUP BY m.customer_id, c.name "
            "HAVING %1 %2 0 ORDER BY %1 %3, m.customer_id LIMIT %4"_s
                .arg(net, gains ? u">"_s : u"<"_s, gains ? u"DESC"_s : u"ASC"_s)
                .arg(TopMovers),
            range);
        if (!rows)
            return rows.error();
        QList<CustomerArrChange> out;
        while (rows->next())
            out << CustomerArrChange { rows->value(0).toString(), rows->value(2).toString(),
                rows->value(1).toDouble() };
        return out;
    };
    auto gains = movers(true);
    if (!gains)
        return gains.error();
    report.topExpanders = *gains;
    auto losses = movers(false);
    if (!losses)
        return losses.error();
    report.topContractors = *losses;

    {
        auto rows = Storage::exec(m_db,
            u"SELECT kind, COUNT(*), SUM(estimated_arr) FROM expansion_opportunities WHERE deleted_at IS NULL AND "
            "stage IN %1 AND customer_id IN (%2) GROUP BY kind"_s.arg(OpenStages, LiveCustomers));
        if (!rows)
            return rows.error();
        while (rows->next()) {
            const QString kind = rows->value(0).toString();
            const int count = rows->value(1).toInt();
            report.openOpportunities += count;
            report.openEstimatedArr += rows->value(2).toDouble();
            if (kind == u"upsell"_s)
                report.openUpsell = count;
            else if (kind == u"cross_sell"_s)
                report.openCrossSell = count;
            else
                report.openExpansion = count;
        }
        auto closed = Storage::exec(m_db,
            u"SELECT stage, COUNT(*), SUM(won_arr) FROM expansion_opportunities WHERE deleted_at IS NULL AND stage IN "
            "('won','lost') AND closed_on >= ? AND closed_on <= ? AND customer_id IN (%1) GROUP BY stage"_s.arg(
                LiveCustomers),
            range);
        if (!closed)
            return closed.error();
        while (closed->next()) {
            if (closed->value(0).toString() == u"won"_s) {
                report.wonInPeriod = closed->value(1).toInt();
                report.wonArrInPeriod = closed->value(2).toDouble();
            } else {
                report.lostInPeriod = closed->value(1).toInt();
            }
        }
        if (report.wonInPeriod + report.lostInPeriod > 0)
            report.winRate = double(report.wonInPeriod) / (report.wonInPeriod + report.lostInPeriod);
    }
    report.hasData = report.total.movements > 0 || report.openOpportunities > 0 || report.winRate.has_value();
    if (!report.hasData)
        report.reason = u"no ARR movements between %1 and %2 and no expansion opportunities"_s.arg(
            from.toString(Qt::ISODate), to.toString(Qt::ISODate));
    return report;
}

// ---- lifetime value -------------------------------------------------------------------------------------------------

Status ExpansionService::setGrossMargin(double grossMargin)
{
    if (!(grossMargin > 0 && grossMargin <= 1))
        return Error::invalid(u"gross_margin"_s, u"must be above 0 and at most 1 (0.8 = 80 %)"_s);
    Storage::AppSettingRepository settings(m_db);
    Domain::AppSetting s;
    s.key = GrossMarginSetting;
    s.value = QString::number(grossMargin, 'g', 10);
    auto stored = settings.get(s.key);
    if (stored) {
        if (auto ok = settings.update(s); !ok)
            return ok.error();
    } else if (stored.error().code == ErrorCode::NotFound) {
        if (auto ok = settings.create(s); !ok)
            return ok.error();
    } else {
        return stored.error();
    }
    return {};
}

Result<std::optional<double>> ExpansionService::grossMargin() const
{
    auto stored = Storage::AppSettingRepository(m_db).get(GrossMarginSetting);
    if (!stored) {
        if (stored.error().code == ErrorCode::NotFound)
            return std::optional<double>();
        return stored.error();
    }
    bool ok = false;
    const double value = stored->value.toDouble(&ok);
    if (!ok || !(value > 0 && value <= 1))
        return Error::invalid(u"gross_margin"_s,
            u"the stored setting %1 is not a margin between 0 and 1: '%2'"_s.arg(GrossMarginSetting, stored->value));
    return std::optional(value);
}

Result<LifetimeValue> ExpansionService::lifetimeValue(const LifetimeValueQuery &query) const
{
    LifetimeValue v;
    if (query.grossMargin) {
        if (!(*query.grossMargin > 0 && *query.grossMargin <= 1))
            return Error::invalid(u"gross_margin"_s, u"must be above 0 and at most 1 (0.8 = 80 %)"_s);
        v.grossMargin = query.grossMargin;
        v.grossMarginSource = u"argument"_s;
    } else {
        auto stored = grossMargin();
        if (!stored)
            return stored.error();
        if (*stored) {
            v.grossMargin = *stored;
            v.grossMarginSource = u"setting"_s;
        }
    }
    const QDate today = m_clock.today();
    const QDate from = today.addYears(-1).addDays(1);
    v.formula = u"LTV = ARR × gross margin / annual churn rate; annual churn rate = 1 − GRR over %1..%2 from the "
                "ARR ledger (gross ARR lost to contraction and churn by the customers active on %1)"_s.arg(
                    from.toString(Qt::ISODate), today.toString(Qt::ISODate));

    if (!query.customerId.isEmpty()) {
        auto customer = Storage::CustomerRepository(m_db).get(query.customerId);
        if (!customer)
            return withField(customer.error(), u"customer_id"_s);
        v.customerId = customer->id;
        v.arr = customer->arr;
        v.activeCustomers = customer->status == Domain::CustomerStatus::Active ? 1 : 0;
    } else {
        auto rows = Storage::exec(m_db,
            u"SELECT tier, COUNT(*), SUM(arr) FROM customers WHERE deleted_at IS NULL AND status = 'active' AND arr > "
            u"0 "
            "GROUP BY tier"_s);
        if (!rows)
            return rows.error();
        double total = 0;
        while (rows->next()) {
            TierLifetimeValue t;
            fromSql(rows->value(0), t.tier);
            t.activeCustomers = rows->value(1).toInt();
            t.averageArr = t.activeCustomers > 0 ? rows->value(2).toDouble() / t.activeCustomers : 0;
            v.activeCustomers += t.activeCustomers;
            total += rows->value(2).toDouble();
            v.byTier << t;
        }
        if (v.activeCustomers > 0)
            v.arr = total / v.activeCustomers;
    }

    auto basis = measureRetention(m_db, from, today, {});
    if (!basis)
        return basis.error();
    v.churnBasis = *basis;
    v.churnBasis.label = u"%1..%2"_s.arg(from.toString(Qt::ISODate), today.toString(Qt::ISODate));
    if (basis->grr) {
        v.annualChurnRate = 1.0 - *basis->grr;
        if (*v.annualChurnRate > 1e-9)
            v.expectedLifetimeYears = 1.0 / *v.annualChurnRate;
    }

    for (TierLifetimeValue &t : v.byTier) {
        auto tierBasis = measureRetention(m_db, from, today, RetentionFilter { t.tier, {} });
        if (!tierBasis)
            return tierBasis.error();
        if (tierBasis->grr)
            t.annualChurnRate = 1.0 - *tierBasis->grr;
        if (!v.grossMargin)
            t.reason = u"no gross margin is configured"_s;
        else if (!t.annualChurnRate)
            t.reason = tierBasis->reason;
        else if (*t.annualChurnRate <= 1e-9)
            t.reason = u"the tier lost no ARR in the trailing year: its lifetime is unbounded, so no LTV is stated"_s;
        else
            t.ltv = Expansion::lifetimeValue(t.averageArr, *v.grossMargin, *t.annualChurnRate);
    }

    if (!v.grossMargin) {
        v.reason
            = u"no gross margin is configured: pass gross_margin or store it with setGrossMargin (setting %1)"_s.arg(
                GrossMarginSetting);
    } else if (!v.annualChurnRate) {
        v.reason = u"no annual churn rate: %1"_s.arg(basis->reason);
    } else if (*v.annualChurnRate <= 1e-9) {
        v.reason = u"the portfolio lost no ARR in the trailing year: the churn-based lifetime is unbounded, so no LTV "
                   "is stated"_s;
    } else if (!query.customerId.isEmpty() && v.activeCustomers == 0) {
        v.reason = u"customer '%1' is not active"_s.arg(query.customerId);
    } else if (query.customerId.isEmpty() && v.activeCustomers == 0) {
        v.reason = u"there are no active customers with ARR"_s;
    } else {
        v.ltv = Expansion::lifetimeValue(v.arr, *v.grossMargin, *v.annualChurnRate);
    }
    v.hasData = v.ltv.has_value();
    return v;
}

} // namespace Core
