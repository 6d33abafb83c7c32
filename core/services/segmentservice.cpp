// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "segmentservice.h"

#include <algorithm>
#include <cmath>

#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>
#include <QSqlQuery>
#include <QSqlRecord>

#include "health.h"
#include "sql.h"
#include "tables_accounts.h"
#include "tables_customers.h"
#include "transaction.h"

Q_LOGGING_CATEGORY(lcSegments, "cs.services.segments")

namespace Core {

using namespace Qt::StringLiterals;

// ------------------------------------------------------------------------------------------------------------
// Value tiers

namespace ValueTierMath {

int cutPercent(ValueTier tier)
{
    switch (tier) {
    case ValueTier::Platinum:
        return 90;
    case ValueTier::Gold:
        return 70;
    case ValueTier::Silver:
        return 40;
    case ValueTier::Bronze:
        return 0;
    }
    return 0;
}

std::optional<double> threshold(const QList<double> &sortedArr, int cut)
{
    const qint64 n = sortedArr.size();
    if (n == 0)
        return std::nullopt;
    // m = ⌈cut·n/100⌉ in integers (no floating-point surprises at exact multiples).
    const qint64 m = (qint64(cut) * n + 99) / 100;
    if (m <= 0)
        return sortedArr.first();
    const double below = sortedArr.at(m - 1);
    const auto it = std::upper_bound(sortedArr.cbegin(), sortedArr.cend(), below);
    if (it == sortedArr.cend())
        return std::nullopt;
    return *it;
}

Thresholds thresholds(const QList<double> &sortedArr)
{
    return { threshold(sortedArr, cutPercent(ValueTier::Platinum)), threshold(sortedArr, cutPercent(ValueTier::Gold)),
        threshold(sortedArr, cutPercent(ValueTier::Silver)) };
}

ValueTier tierFor(double arr, const Thresholds &t)
{
    if (t.platinum && arr >= *t.platinum)
        return ValueTier::Platinum;
    if (t.gold && arr >= *t.gold)
        return ValueTier::Gold;
    if (t.silver && arr >= *t.silver)
        return ValueTier::Silver;
    return ValueTier::Bronze;
}

std::optional<double> percentileRank(const QList<double> &sortedArr, double arr)
{
    if (sortedArr.isEmpty())
        return std::nullopt;
    const auto below = std::lower_bound(sortedArr.cbegin(), sortedArr.cend(), arr) - sortedArr.cbegin();
    return double(below) / double(sortedArr.size());
}

} // namespace ValueTierMath

namespace {

const QList<ValueTier> kTiersTopDown { ValueTier::Platinum, ValueTier::Gold, ValueTier::Silver, ValueTier::Bronze };

// The ARR range [lo, hi) of each tier under thresholds (hi empty = unbounded); nothing when the tier is empty.
struct TierRange
{
    double lo = 0;
    std::optional<double> hi;
    bool exclusiveLo = false; // bronze: ARR > 0
};

std::optional<TierRange> rangeOf(ValueTier tier, const ValueTierMath::Thresholds &t)
{
    const std::optional<double> byTier[] = { t.platinum, t.gold, t.silver };
    const int index = int(kTiersTopDown.indexOf(tier));
    // The next higher tier that exists bounds this one from above.
    std::optional<double> hi;
    for (int i = index - 1; i >= 0; --i) {
        if (byTier[i]) {
            hi = byTier[i];
            break;
        }
    }
    if (tier == ValueTier::Bronze)
        return TierRange { 0, hi, true };
    if (!byTier[index])
        return std::nullopt;
    if (hi && *hi <= *byTier[index])
        return std::nullopt; // the higher tier starts at the same ARR: this one is empty
    return TierRange { *byTier[index], hi, false };
}

// The ranked population of the value tiers (see the header), over the unaliased customers table.
const QString kRankedCondition = u"deleted_at IS NULL AND status <> 'churned' AND arr > 0"_s;

QString dateText(const QDate &day)
{
    return day.toString(Qt::ISODate);
}

// ------------------------------------------------------------------------------------------------------------
// Criteria

const QStringList kCriteriaKeys { u"tier"_s, u"industry"_s, u"lifecycle_stage"_s, u"status"_s, u"owner"_s, u"arr_min"_s,
    u"arr_max"_s, u"health_band"_s, u"health_score_min"_s, u"health_score_max"_s, u"renewal_within_days"_s,
    u"active_days_min"_s, u"active_days_max"_s, u"active_days_window"_s, u"value_tier"_s, u"custom_fields"_s };

constexpr int kMaxValuesPerCriterion = 100;
constexpr int kMaxCustomFieldCriteria = 20;
constexpr int kDefaultActiveDaysWindow = 30;

QString field(const QString &key)
{
    return u"criteria."_s + key;
}

bool isNumber(const QVariant &v)
{
    switch (v.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Double:
    case QMetaType::Float:
        return !v.isNull() && std::isfinite(v.toDouble());
    default:
        return false;
    }
}

Result<double> number(const QVariant &v, const QString &name, double min, double max, bool integer = false)
{
    if (!isNumber(v))
        return Error::invalid(name, integer ? u"must be an integer"_s : u"must be a number"_s);
    const double value = v.toDouble();
    if (integer && value != std::floor(value))
        return Error::invalid(name, u"must be an integer"_s);
    if (value < min || value > max)
        return Error::invalid(name, u"must be between %1 and %2"_s.arg(min).arg(max));
    return value;
}

// A string or an array of strings; each non-empty, at most kMaxValuesPerCriterion.
Result<QStringList> strings(const QVariant &v, const QString &name)
{
    QStringList out;
    if (v.typeId() == QMetaType::QString) {
        out << v.toString();
    } else if (v.typeId() == QMetaType::QVariantList || v.typeId() == QMetaType::QStringList) {
        const QVariantList list = v.toList();
        if (list.isEmpty())
            return Error::invalid(name, u"must name at least one value"_s);
        if (list.size() > kMaxValuesPerCriterion)
            return Error::invalid(name, u"may name at most %1 values"_s.arg(kMaxValuesPerCriterion));
        for (const QVariant &item : list) {
            if (item.typeId() != QMetaType::QString)
                return Error::invalid(name, u"must be a string or an array of strings"_s);
            out << item.toString();
        }
    } else {
        return Error::invalid(name, u"must be a string or an array of strings"_s);
    }
    for (QString &s : out) {
        s = s.trimmed();
        if (s.isEmpty())
            return Error::invalid(name, u"must not contain empty values"_s);
        if (s.size() > 200)
            return Error::invalid(name, u"values must be at most 200 characters"_s);
    }
    out.removeDuplicates();
    return out;
}

template<typename E> Result<QStringList> enumStrings(const QVariant &v, const QString &name)
{
    auto values = strings(v, name);
    if (!values)
        return values.error();
    for (const QString &s : *values) {
        if (!Domain::enumFromString<E>(s) || s.isEmpty())
            return Error::invalid(name, u"'%1' is not one of %2"_s.arg(s, Domain::enumValues<E>().join(u", ")));
    }
    return values;
}

QString marks(qsizetype count)
{
    QStringList m;
    for (qsizetype i = 0; i < count; ++i)
        m << u"?"_s;
    return m.join(u", "_s);
}

bool isValidCustomFieldKey(const QString &key)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9_ .\\-]{1,64}$"_s);
    return pattern.match(key).hasMatch();
}

// One custom-field criterion, parsed.
struct CustomFieldCriterion
{
    QString key;
    enum class Kind { EqualsText, EqualsNumber, EqualsBool, Range } kind = Kind::Range;
    QString text;
    double number = 0;
    bool boolean = false;
    std::optional<double> min;
    std::optional<double> max;
};

Result<QList<CustomFieldCriterion>> customFieldCriteria(const QVariant &v)
{
    const QString name = field(u"custom_fields"_s);
    if (v.typeId() != QMetaType::QVariantList)
        return Error::invalid(name, u"must be an array of {key, equals} or {key, min, max} objects"_s);
    const QVariantList list = v.toList();
    if (list.isEmpty())
        return Error::invalid(name, u"must hold at least one condition"_s);
    if (list.size() > kMaxCustomFieldCriteria)
        return Error::invalid(name, u"may hold at most %1 conditions"_s.arg(kMaxCustomFieldCriteria));
    QList<CustomFieldCriterion> out;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString item = u"%1[%2]"_s.arg(name).arg(i);
        if (list.at(i).typeId() != QMetaType::QVariantMap)
            return Error::invalid(item, u"must be an object {key, equals} or {key, min, max}"_s);
        const QVariantMap m = list.at(i).toMap();
        for (auto it = m.cbegin(); it != m.cend(); ++it) {
            if (it.key() != u"key"_s && it.key() != u"equals"_s && it.key() != u"min"_s && it.key() != u"max"_s)
                return Error::invalid(
                    item + u'.' + it.key(), u"is not known; use key with equals, or key with min/max"_s);
        }
        CustomFieldCriterion c;
        const QVariant key = m.value(u"key"_s);
        if (key.typeId() != QMetaType::QString || !isValidCustomFieldKey(key.toString()))
            return Error::invalid(
                item + u".key"_s, u"must be 1 to 64 characters of letters, digits, space, '_', '-' and '.'"_s);
        c.key = key.toString();
        const bool hasEquals = m.contains(u"equals"_s);
        const bool hasRange = m.contains(u"min"_s) || m.contains(u"max"_s);
        if (hasEquals == hasRange)
            return Error::invalid(item, u"needs either equals, or min and/or max"_s);
        if (hasEquals) {
            const QVariant eq = m.value(u"equals"_s);
            if (eq.typeId() == QMetaType::Bool) {
                c.kind = CustomFieldCriterion::Kind::EqualsBool;
                c.boolean = eq.toBool();
            } else if (isNumber(eq)) {
                c.kind = CustomFieldCriterion::Kind::EqualsNumber;
                c.number = eq.toDouble();
            } else if (eq.typeId() == QMetaType::QString && !eq.toString().isEmpty() && eq.toString().size() <= 500) {
                c.kind = CustomFieldCriterion::Kind::EqualsText;
                c.text = eq.toString();
            } else {
                return Error::invalid(
                    item + u".equals"_s, u"must be a non-empty string (≤ 500), a number or a boolean"_s);
            }
        } else {
            c.kind = CustomFieldCriterion::Kind::Range;
            for (const QString &bound : { u"min"_s, u"max"_s }) {
                if (!m.contains(bound))
                    continue;
                auto value = number(m.value(bound), item + u'.' + bound, -1e15, 1e15);
                if (!value)
                    return value.error();
                (bound == u"min"_s ? c.min : c.max) = *value;
            }
            if (c.min && c.max && *c.min > *c.max)
                return Error::invalid(item + u".max"_s, u"must not be below min"_s);
        }
        out << c;
    }
    return out;
}

// Builds the condition. Every user value goes into `bindings`; only fixed SQL text is concatenated.
class CriteriaCompiler
{
public:
    CriteriaCompiler(Storage::Dialect dialect, QDate today)
        : m_dialect(dialect)
        , m_today(today)
    { }

    // Everything except value_tier (which needs thresholds from the database): validates as it goes.
    Status compile(const QVariantMap &criteria)
    {
        for (auto it = criteria.cbegin(); it != criteria.cend(); ++it) {
            if (!kCriteriaKeys.contains(it.key()))
                return Error::invalid(
                    field(it.key()), u"is not a known criterion; known: %1"_s.arg(kCriteriaKeys.join(u", ")));
        }
        if (auto ok = inList<Domain::Tier>(criteria, u"tier"_s, u"tier"_s); !ok)
            return ok;
        if (auto ok = textIn(criteria, u"industry"_s, u"industry"_s); !ok)
            return ok;
        if (auto ok = inList<Domain::LifecycleStage>(criteria, u"lifecycle_stage"_s, u"lifecycle_stage"_s); !ok)
            return ok;
        if (auto ok = inList<Domain::CustomerStatus>(criteria, u"status"_s, u"status"_s); !ok)
            return ok;
        if (auto ok = textIn(criteria, u"owner"_s, u"owner"_s); !ok)
            return ok;
        if (auto ok = arr(criteria); !ok)
            return ok;
        if (auto ok = health(criteria); !ok)
            return ok;
        if (auto ok = renewal(criteria); !ok)
            return ok;
        if (auto ok = activeDays(criteria); !ok)
            return ok;
        if (criteria.contains(u"value_tier"_s)) {
            auto tiers = enumStrings<ValueTier>(criteria.value(u"value_tier"_s), field(u"value_tier"_s));
            if (!tiers)
                return tiers.error();
            valueTiers = *tiers;
        }
        if (criteria.contains(u"custom_fields"_s)) {
            auto parsed = customFieldCriteria(criteria.value(u"custom_fields"_s));
            if (!parsed)
                return parsed.error();
            for (const CustomFieldCriterion &c : *parsed)
                customField(c);
        }
        return {};
    }

    // value_tier, once the thresholds are known.
    void addValueTiers(const ValueTierMath::Thresholds &t)
    {
        QStringList alternatives;
        QStringList names;
        for (const QString &name : std::as_const(valueTiers)) {
            const ValueTier tier = *Domain::enumFromString<ValueTier>(name);
            names << name;
            const auto range = rangeOf(tier, t);
            if (!range)
                continue; // an empty tier selects nobody
            QString condition = range->exclusiveLo ? u"arr > ?"_s : u"arr >= ?"_s;
            m_bindings << range->lo;
            if (range->hi) {
                condition += u" AND arr < ?"_s;
                m_bindings << *range->hi;
            }
            alternatives << u"("_s + condition + u")"_s;
        }
        m_conditions << u"(status <> 'churned' AND arr > 0 AND (%1))"_s.arg(
            alternatives.isEmpty() ? u"1 = 0"_s : alternatives.join(u" OR "_s));
        m_description << u"value tier is %1"_s.arg(names.join(u" or "_s));
    }

    CompiledCriteria result() const
    {
        CompiledCriteria out;
        out.condition = m_conditions.isEmpty() ? u"1 = 1"_s : m_conditions.join(u" AND "_s);
        out.bindings = m_bindings;
        out.description = m_description.isEmpty() ? QStringList { u"every live customer"_s } : m_description;
        return out;
    }

    QStringList valueTiers;

private:
    template<typename E> Status inList(const QVariantMap &c, const QString &key, const QString &column)
    {
        if (!c.contains(key))
            return {};
        auto values = enumStrings<E>(c.value(key), field(key));
        if (!values)
            return values.error();
        m_conditions << u"%1 IN (%2)"_s.arg(column, marks(values->size()));
        for (const QString &v : *values)
            m_bindings << v;
        m_description << u"%1 is %2"_s.arg(key, values->join(u" or "_s));
        return {};
    }

    Status textIn(const QVariantMap &c, const QString &key, const QString &column)
    {
        if (!c.contains(key))
            return {};
        auto values = strings(c.value(key), field(key));
        if (!values)
            return values.error();
        QStringList alternatives;
        for (const QString &v : *values) {
            alternatives << u"lower(%1) = lower(?)"_s.arg(column);
            m_bindings << v;
        }
        m_conditions << u"(%1)"_s.arg(alternatives.join(u" OR "_s));
        m_description << u"%1 is %2"_s.arg(key, values->join(u" or "_s));
        return {};
    }

    Status arr(const QVariantMap &c)
    {
        std::optional<double> min;
        std::optional<double> max;
        if (c.contains(u"arr_min"_s)) {
            auto v = number(c.value(u"arr_min"_s), field(u"arr_min"_s), 0, 1e12);
            if (!v)
                return v.error();
            min = *v;
        }
        if (c.contains(u"arr_max"_s)) {
            auto v = number(c.value(u"arr_max"_s), field(u"arr_max"_s), 0, 1e12);
            if (!v)
                return v.error();
            max = *v;
        }
        if (min && max && *min > *max)
            return Error::invalid(field(u"arr_max"_s), u"must not be below arr_min"_s);
        if (min) {
            m_conditions << u"arr >= ?"_s;
            m_bindings << *min;
            m_description << u"ARR at least %1"_s.arg(*min, 0, 'f', 0);
        }
        if (max) {
            m_conditions << u"arr <= ?"_s;
            m_bindings << *max;
            m_description << u"ARR at most %1"_s.arg(*max, 0, 'f', 0);
        }
        return {};
    }

    Status health(const QVariantMap &c)
    {
        QStringList parts;
        QVariantList b;
        if (c.contains(u"health_band"_s)) {
            auto bands = enumStrings<Domain::HealthBand>(c.value(u"health_band"_s), field(u"health_band"_s));
            if (!bands)
                return bands.error();
            parts << u"h.band IN (%1)"_s.arg(marks(bands->size()));
            for (const QString &v : *bands)
                b << v;
            m_description << u"latest health band is %1"_s.arg(bands->join(u" or "_s));
        }
        std::optional<double> min;
        std::optional<double> max;
        if (c.contains(u"health_score_min"_s)) {
            auto v = number(c.value(u"health_score_min"_s), field(u"health_score_min"_s), 0, 100);
            if (!v)
                return v.error();
            min = *v;
        }
        if (c.contains(u"health_score_max"_s)) {
            auto v = number(c.value(u"health_score_max"_s), field(u"health_score_max"_s), 0, 100);
            if (!v)
                return v.error();
            max = *v;
        }
        if (min && max && *min > *max)
            return Error::invalid(field(u"health_score_max"_s), u"must not be below health_score_min"_s);
        if (min) {
            parts << u"h.score >= ?"_s;
            b << *min;
            m_description << u"latest health score at least %1"_s.arg(*min);
        }
        if (max) {
            parts << u"h.score <= ?"_s;
            b << *max;
            m_description << u"latest health score at most %1"_s.arg(*max);
        }
        if (parts.isEmpty())
            return {};
        // The latest stored score on or before today, found through UNIQUE (customer_id, score_date).
        m_conditions << u"EXISTS (SELECT 1 FROM health_scores h WHERE h.id = (SELECT h2.id FROM health_scores h2 "
                        "WHERE h2.customer_id = customers.id AND h2.score_date <= ? ORDER BY h2.score_date DESC "
                        "LIMIT 1) AND %1)"_s.arg(parts.join(u" AND "_s));
        m_bindings << dateText(m_today);
        m_bindings << b;
        return {};
    }

    Status renewal(const QVariantMap &c)
    {
        if (!c.contains(u"renewal_within_days"_s))
            return {};
        auto days = number(c.value(u"renewal_within_days"_s), field(u"renewal_within_days"_s), 0, 3650, true);
        if (!days)
            return days.error();
        m_conditions << u"renewal_date IS NOT NULL AND renewal_date >= ? AND renewal_date <= ?"_s;
        m_bindings << dateText(m_today) << dateText(m_today.addDays(qint64(*days)));
        m_description << u"renewal within %1 days (%2 to %3)"_s.arg(int(*days))
                             .arg(dateText(m_today), dateText(m_today.addDays(qint64(*days))));
        return {};
    }

    Status activeDays(const QVariantMap &c)
    {
        std::optional<int> min;
        std::optional<int> max;
        int window = kDefaultActiveDaysWindow;
        if (c.contains(u"active_days_window"_s)) {
            auto v = number(c.value(u"active_days_window"_s), field(u"active_days_window"_s), 1, 365, true);
            if (!v)
                return v.error();
            window = int(*v);
        }
        if (c.contains(u"active_days_min"_s)) {
            auto v = number(c.value(u"active_days_min"_s), field(u"active_days_min"_s), 0, 365, true);
            if (!v)
                return v.error();
            min = int(*v);
        }
        if (c.contains(u"active_days_max"_s)) {
            auto v = number(c.value(u"active_days_max"_s), field(u"active_days_max"_s), 0, 365, true);
            if (!v)
                return v.error();
            max = int(*v);
        }
        if (!min && !max) {
            if (c.contains(u"active_days_window"_s))
                return Error::invalid(field(u"active_days_window"_s), u"needs active_days_min or active_days_max"_s);
            return {};
        }
        if (min && max && *min > *max)
            return Error::invalid(field(u"active_days_max"_s), u"must not be below active_days_min"_s);
        if ((min && *min > window) || (max && *max > window))
            return Error::invalid(field(min && *min > window ? u"active_days_min"_s : u"active_days_max"_s),
                u"must not exceed active_days_window (%1)"_s.arg(window));
        const QString count = u"(SELECT COUNT(*) FROM usage_daily u WHERE u.customer_id = customers.id "
                              "AND u.feature = '' AND u.events > 0 AND u.day >= ? AND u.day <= ?)"_s;
        const QDate first = m_today.addDays(1 - window);
        if (min) {
            m_conditions << count + u" >= ?"_s;
            m_bindings << dateText(first) << dateText(m_today) << *min;
        }
        if (max) {
            m_conditions << count + u" <= ?"_s;
            m_bindings << dateText(first) << dateText(m_today) << *max;
        }
        m_description << u"active on %1 of the last %2 days"_s
                             .arg(min && max ? u"%1 to %2"_s.arg(*min).arg(*max)
                                     : min   ? u"at least %1"_s.arg(*min)
                                             : u"at most %1"_s.arg(*max))
                             .arg(window);
        return {};
    }

    void customField(const CustomFieldCriterion &c)
    {
        const bool sqlite = m_dialect == Storage::Dialect::Sqlite;
        // The key is bound: as a JSON path on SQLite ($."key" — the key's characters are restricted so it
        // cannot leave the quotes), as the text operand of -> / ->> on PostgreSQL.
        const QVariant path = sqlite ? QVariant(u"$.\""_s + c.key + u"\""_s) : QVariant(c.key);
        const QString type
            = sqlite ? u"json_type(custom_fields, ?)"_s : u"jsonb_typeof(custom_fields -> CAST(? AS TEXT))"_s;
        const QString value = sqlite ? u"json_extract(custom_fields, ?)"_s : u"(custom_fields ->> CAST(? AS TEXT))"_s;
        // CASE guarantees that a non-number is never cast (PostgreSQL would fail the whole query).
        const QString numeric = sqlite
            ? u"CASE WHEN %1 IN ('integer', 'real') THEN %2 END"_s.arg(type, value)
            : u"CASE WHEN %1 = 'number' THEN CAST(%2 AS DOUBLE PRECISION) END"_s.arg(type, value);
        switch (c.kind) {
        case CustomFieldCriterion::Kind::EqualsText:
            m_conditions << u"CASE WHEN %1 = %2 THEN lower(%3) END = lower(?)"_s.arg(
                type, sqlite ? u"'text'"_s : u"'string'"_s, value);
            m_bindings << path << path << c.text;
            m_description << u"custom field %1 is \"%2\""_s.arg(c.key, c.text);
            break;
        case CustomFieldCriterion::Kind::EqualsNumber:
            m_conditions << numeric + u" = ?"_s;
            m_bindings << path << path << c.number;
            m_description << u"custom field %1 = %2"_s.arg(c.key).arg(c.number);
            break;
        case CustomFieldCriterion::Kind::EqualsBool:
            // SQLite's json_type says 'true' / 'false'; PostgreSQL's ->> renders a boolean as 'true' / 'false'.
            if (sqlite) {
                m_conditions << type + u" = ?"_s;
                m_bindings << path << (c.boolean ? u"true"_s : u"false"_s);
            } else {
                m_conditions << u"CASE WHEN %1 = 'boolean' THEN %2 END = ?"_s.arg(type, value);
                m_bindings << path << path << (c.boolean ? u"true"_s : u"false"_s);
            }
            m_description << u"custom field %1 is %2"_s.arg(c.key, c.boolean ? u"true"_s : u"false"_s);
            break;
        case CustomFieldCriterion::Kind::Range:
            if (c.min) {
                m_conditions << numeric + u" >= ?"_s;
                m_bindings << path << path << *c.min;
            }
            if (c.max) {
                m_conditions << numeric + u" <= ?"_s;
                m_bindings << path << path << *c.max;
            }
            m_description << u"custom field %1 %2"_s.arg(c.key,
                c.min && c.max ? u"between %1 and %2"_s.arg(*c.min).arg(*c.max)
                    : c.min    ? u"at least %1"_s.arg(*c.min)
                               : u"at most %1"_s.arg(*c.max));
            break;
        }
    }

    Storage::Dialect m_dialect;
    QDate m_today;
    QStringList m_conditions;
    QVariantList m_bindings;
    QStringList m_description;
};

const QString kSegmentMembersCondition = u"id IN (SELECT customer_id FROM segment_members WHERE segment_id = ?)"_s;

const QStringList kSortColumns { u"name"_s, u"arr"_s, u"renewal_date"_s, u"tier"_s, u"id"_s };

} // namespace

// ------------------------------------------------------------------------------------------------------------

SegmentService::SegmentService(const Storage::Database &db, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
{ }

QStringList SegmentService::criteriaKeys()
{
    return kCriteriaKeys;
}

Status SegmentService::validateCriteria(const QVariantMap &criteria)
{
    CriteriaCompiler compiler(Storage::Dialect::Sqlite, QDate(2000, 1, 1));
    return compiler.compile(criteria);
}

Result<CompiledCriteria> SegmentService::compile(const QVariantMap &criteria) const
{
    CriteriaCompiler compiler(m_db.dialect(), m_clock.today());
    if (auto ok = compiler.compile(criteria); !ok)
        return ok.error();
    if (!compiler.valueTiers.isEmpty()) {
        auto values = rankedArr();
        if (!values)
            return values.error();
        compiler.addValueTiers(ValueTierMath::thresholds(*values));
    }
    return compiler.result();
}

Result<SegmentCustomers> SegmentService::page(const CompiledCriteria &compiled, const SegmentPageQuery &query) const
{
    if (query.limit < 1 || query.limit > kMaxLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(kMaxLimit));
    if (!kSortColumns.contains(query.sort))
        return Error::invalid(u"sort"_s, u"must be one of "_s + kSortColumns.join(u", "));
    Storage::ListQuery list;
    list.orderBy = query.sort;
    list.descending = query.descending;
    list.limit = query.limit;
    list.cursor = query.cursor;
    list.extraCondition = compiled.condition;
    list.extraBindings = compiled.bindings;
    list.columns = query.columns;
    auto rows = Storage::CustomerRepository(m_db).list(list);
    if (!rows)
        return rows.error();
    SegmentCustomers out;
    out.items = rows->items;
    out.total = rows->total;
    out.nextCursor = rows->nextCursor;
    out.description = compiled.description;
    return out;
}

Result<SegmentCustomers> SegmentService::evaluate(const QVariantMap &criteria, const SegmentPageQuery &query) const
{
    auto compiled = compile(criteria);
    if (!compiled)
        return compiled.error();
    return page(*compiled, query);
}

Result<SegmentCustomers> SegmentService::evaluateInSegment(
    qint64 segmentId, const QVariantMap &criteria, const SegmentPageQuery &query) const
{
    auto segment = compileSegment(segmentId);
    if (!segment)
        return segment.error();
    auto compiled = compile(criteria);
    if (!compiled)
        return compiled.error();
    CompiledCriteria both;
    both.condition = u"("_s + segment->condition + u") AND ("_s + compiled->condition + u")"_s;
    both.bindings = segment->bindings + compiled->bindings;
    both.description = segment->description + compiled->description;
    return page(both, query);
}

Result<SegmentSummary> SegmentService::summary(const CompiledCriteria &compiled) const
{
    SegmentSummary out;
    out.asOf = m_clock.today();
    out.description = compiled.description;
    const QString where = u" FROM customers WHERE deleted_at IS NULL AND ("_s + compiled.condition + u")"_s;
    {
        auto q = Storage::exec(m_db,
            u"SELECT tier, lifecycle_stage, COUNT(*), COALESCE(SUM(arr), 0)"_s + where
                + u" GROUP BY tier, lifecycle_stage"_s,
            compiled.bindings);
        if (!q)
            return q.error();
        while (q->next()) {
            const qint64 n = q->value(2).toLongLong();
            out.customers += n;
            out.totalArr += q->value(3).toDouble();
            out.byTier[q->value(0).toString()] += n;
            out.byLifecycleStage[q->value(1).toString()] += n;
        }
    }
    if (out.customers > 0)
        out.averageArr = out.totalArr / double(out.customers);
    {
        auto q = Storage::exec(m_db,
            u"SELECT COALESCE((SELECT h.band FROM health_scores h WHERE h.customer_id = customers.id "
            "AND h.score_date <= ? ORDER BY h.score_date DESC LIMIT 1), 'unscored') AS band, COUNT(*)"_s
                + where + u" GROUP BY band"_s,
            QVariantList { dateText(out.asOf) } + compiled.bindings);
        if (!q)
            return q.error();
        while (q->next())
            out.byHealthBand[q->value(0).toString()] += q->value(1).toLongLong();
    }
    return out;
}

Result<SegmentSummary> SegmentService::summarize(const QVariantMap &criteria) const
{
    auto compiled = compile(criteria);
    if (!compiled)
        return compiled.error();
    return summary(*compiled);
}

// ------------------------------------------------------------------------------------------------------------
// Saved segments

Status SegmentService::requireUniqueName(const QString &name, qint64 exceptId) const
{
    auto q = Storage::exec(m_db,
        u"SELECT id FROM segments WHERE lower(name) = lower(?) AND deleted_at IS NULL AND id <> ?"_s,
        { name, exceptId });
    if (!q)
        return q.error();
    if (q->next())
        return Error { ErrorCode::AlreadyExists, u"name"_s,
            u"a segment named '%1' already exists (segment %2)"_s.arg(name).arg(q->value(0).toLongLong()) };
    return {};
}

namespace {
Status validateSegment(const Domain::Segment &s)
{
    if (auto ok = s.validate(); !ok)
        return ok;
    if (s.name.trimmed().isEmpty())
        return Error::invalid(u"name"_s, u"is required"_s);
    if (!s.isDynamic) {
        if (!s.criteria.isEmpty())
            return Error::invalid(
                u"criteria"_s, u"must be empty for a static segment (its members are listed, not computed)"_s);
        return {};
    }
    return SegmentService::validateCriteria(s.criteria);
}
} // namespace

Result<Domain::Segment> SegmentService::create(const Domain::Segment &segment)
{
    Domain::Segment draft = segment;
    draft.id = 0;
    draft.name = draft.name.trimmed();
    if (auto ok = validateSegment(draft); !ok)
        return ok.error();
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    if (auto ok = requireUniqueName(draft.name, 0); !ok)
        return ok.error();
    auto created = Storage::SegmentRepository(m_db).create(draft);
    if (!created)
        return created.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT segmentAdded(created->id);
    return created;
}

Result<Domain::Segment> SegmentService::update(const Domain::Segment &segment)
{
    Domain::Segment draft = segment;
    draft.name = draft.name.trimmed();
    if (auto ok = validateSegment(draft); !ok)
        return ok.error();
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto stored = get(draft.id);
    if (!stored)
        return stored.error();
    if (stored->isDynamic != draft.isDynamic)
        return Error::invalid(
            u"is_dynamic"_s, u"cannot change; create a new segment (snapshot() freezes a dynamic segment's members)"_s);
    if (auto ok = requireUniqueName(draft.name, draft.id); !ok)
        return ok.error();
    auto updated = Storage::SegmentRepository(m_db).update(draft);
    if (!updated)
        return updated.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT segmentChanged(updated->id);
    return updated;
}

Status SegmentService::remove(qint64 segmentId, int expectedVersion)
{
    auto removed = Storage::SegmentRepository(m_db).softDelete(segmentId, expectedVersion);
    if (!removed) {
        Error e = removed.error();
        if (e.code == ErrorCode::NotFound)
            e.field = u"segment_id"_s;
        return e;
    }
    Q_EMIT segmentRemoved(segmentId);
    return {};
}

Result<Domain::Segment> SegmentService::get(qint64 segmentId) const
{
    auto s = Storage::SegmentRepository(m_db).get(segmentId);
    if (!s && s.error().code == ErrorCode::NotFound)
        return Error::notFound(u"segment_id"_s, u"no segment with id %1"_s.arg(segmentId));
    return s;
}

Result<Storage::Page<Domain::Segment>> SegmentService::list(int limit, const QString &cursor) const
{
    if (limit < 1 || limit > kMaxLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(kMaxLimit));
    Storage::ListQuery q;
    q.orderBy = u"name"_s;
    q.limit = limit;
    q.cursor = cursor;
    return Storage::SegmentRepository(m_db).list(q);
}

Result<CompiledCriteria> SegmentService::compileSegment(qint64 segmentId) const
{
    auto s = get(segmentId);
    if (!s)
        return s.error();
    if (s->isDynamic) {
        auto compiled = compile(s->criteria);
        if (!compiled)
            return compiled.error();
        compiled->description.prepend(u"segment \"%1\""_s.arg(s->name));
        return compiled;
    }
    CompiledCriteria c;
    c.condition = kSegmentMembersCondition;
    c.bindings << segmentId;
    c.description << u"member of static segment \"%1\""_s.arg(s->name);
    return c;
}

Result<SegmentCustomers> SegmentService::members(qint64 segmentId, const SegmentPageQuery &query) const
{
    auto compiled = compileSegment(segmentId);
    if (!compiled)
        return compiled.error();
    return page(*compiled, query);
}

Result<SegmentSummary> SegmentService::summarizeSegment(qint64 segmentId) const
{
    auto compiled = compileSegment(segmentId);
    if (!compiled)
        return compiled.error();
    return summary(*compiled);
}

namespace {
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
    if (out.isEmpty())
        return Error::invalid(u"customer_ids"_s, u"must name at least one customer"_s);
    if (out.size() > max)
        return Error::invalid(u"customer_ids"_s, u"may name at most %1 customers per call"_s.arg(max));
    return out;
}
} // namespace

Result<int> SegmentService::addMembers(qint64 segmentId, const QStringList &customerIds, const QString &addedBy)
{
    auto ids = cleanIds(customerIds, kMaxIdsPerCall);
    if (!ids)
        return ids.error();
    if (addedBy.size() > 200)
        return Error::invalid(u"added_by"_s, u"must be at most 200 characters"_s);
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto s = get(segmentId);
    if (!s)
        return s.error();
    if (s->isDynamic)
        return Error::invalid(u"segment_id"_s, u"is a dynamic segment: its members follow its criteria"_s);
    QVariantList b;
    for (const QString &id : *ids)
        b << id;
    {
        auto q = Storage::exec(
            m_db, u"SELECT id FROM customers WHERE deleted_at IS NULL AND id IN (%1)"_s.arg(marks(ids->size())), b);
        if (!q)
            return q.error();
        QSet<QString> found;
        while (q->next())
            found.insert(q->value(0).toString());
        QStringList missing;
        for (const QString &id : *ids) {
            if (!found.contains(id))
                missing << id;
        }
        if (!missing.isEmpty())
            return Error::notFound(u"customer_ids"_s,
                u"no customer with id %1"_s.arg(missing.mid(0, 5).join(u", "_s))
                    + (missing.size() > 5 ? u" (and %1 more)"_s.arg(missing.size() - 5) : QString()));
    }
    auto inserted = Storage::exec(m_db,
        u"INSERT INTO segment_members (segment_id, customer_id, added_by) SELECT ?, c.id, ? FROM customers c "
        "WHERE c.id IN (%1) AND NOT EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = ? "
        "AND m.customer_id = c.id)"_s.arg(marks(ids->size())),
        QVariantList { segmentId, Storage::Convert::toSql(addedBy.trimmed()) } + b + QVariantList { segmentId });
    if (!inserted)
        return inserted.error();
    const int added = inserted->numRowsAffected();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    if (added > 0)
        Q_EMIT membersChanged(segmentId);
    return added;
}

Result<int> SegmentService::removeMembers(qint64 segmentId, const QStringList &customerIds)
{
    auto ids = cleanIds(customerIds, kMaxIdsPerCall);
    if (!ids)
        return ids.error();
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto s = get(segmentId);
    if (!s)
        return s.error();
    if (s->isDynamic)
        return Error::invalid(u"segment_id"_s, u"is a dynamic segment: its members follow its criteria"_s);
    QVariantList b { segmentId };
    for (const QString &id : *ids)
        b << id;
    auto removed = Storage::exec(
        m_db, u"DELETE FROM segment_members WHERE segment_id = ? AND customer_id IN (%1)"_s.arg(marks(ids->size())), b);
    if (!removed)
        return removed.error();
    const int count = removed->numRowsAffected();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    if (count > 0)
        Q_EMIT membersChanged(segmentId);
    return count;
}

Result<Domain::Segment> SegmentService::snapshot(
    const QString &name, const QVariantMap &criteria, const QString &owner, const QString &description)
{
    auto compiled = compile(criteria);
    if (!compiled)
        return compiled.error();
    Domain::Segment draft;
    draft.name = name.trimmed();
    draft.isDynamic = false;
    draft.owner = owner.trimmed();
    draft.description = description.isEmpty()
        ? u"Snapshot of %1 taken %2"_s.arg(compiled->description.join(u"; "_s), dateText(m_clock.today()))
        : description;
    if (auto ok = validateSegment(draft); !ok)
        return ok.error();
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    if (auto ok = requireUniqueName(draft.name, 0); !ok)
        return ok.error();
    auto created = Storage::SegmentRepository(m_db).create(draft);
    if (!created)
        return created.error();
    auto inserted = Storage::exec(m_db,
        u"INSERT INTO segment_members (segment_id, customer_id, added_by) SELECT ?, id, ? FROM customers "
        "WHERE deleted_at IS NULL AND ("_s
            + compiled->condition + u")"_s,
        QVariantList { created->id, Storage::Convert::toSql(draft.owner) } + compiled->bindings);
    if (!inserted)
        return inserted.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    qCInfo(lcSegments) << "snapshot segment" << created->id << "with" << inserted->numRowsAffected() << "members";
    Q_EMIT segmentAdded(created->id);
    return created;
}

Result<QList<SegmentMembership>> SegmentService::segmentsOf(const QString &customerId) const
{
    {
        auto q = Storage::exec(m_db, u"SELECT 1 FROM customers WHERE id = ? AND deleted_at IS NULL"_s, { customerId });
        if (!q)
            return q.error();
        if (!q->next())
            return Error::notFound(u"customer_id"_s, u"no customer with id '%1'"_s.arg(customerId));
    }
    QSet<qint64> staticMember;
    {
        auto q = Storage::exec(m_db, u"SELECT segment_id FROM segment_members WHERE customer_id = ?"_s, { customerId });
        if (!q)
            return q.error();
        while (q->next())
            staticMember.insert(q->value(0).toLongLong());
    }
    using Repo = Storage::SegmentRepository;
    auto rows = Storage::exec(m_db,
        u"SELECT %1 FROM segments WHERE deleted_at IS NULL ORDER BY lower(name), id LIMIT 1000"_s.arg(
            Repo::selectList()));
    if (!rows)
        return rows.error();
    QList<Domain::Segment> segments;
    const QSqlRecord rec = rows->record();
    while (rows->next())
        segments << Repo::fromRow(*rows, rec);

    // Value-tier thresholds once for every dynamic segment that needs them.
    std::optional<ValueTierMath::Thresholds> thresholds;
    QList<SegmentMembership> out;
    for (const Domain::Segment &s : std::as_const(segments)) {
        bool member = false;
        if (!s.isDynamic) {
            member = staticMember.contains(s.id);
        } else {
            CriteriaCompiler compiler(m_db.dialect(), m_clock.today());
            if (auto ok = compiler.compile(s.criteria); !ok) {
                qCWarning(lcSegments) << "segment" << s.id << "has invalid criteria:" << ok.error().toString();
                continue; // a broken saved segment must not hide the others
            }
            if (!compiler.valueTiers.isEmpty()) {
                if (!thresholds) {
                    auto values = rankedArr();
                    if (!values)
                        return values.error();
                    thresholds = ValueTierMath::thresholds(*values);
                }
                compiler.addValueTiers(*thresholds);
            }
            const CompiledCriteria c = compiler.result();
            auto q = Storage::exec(m_db,
                u"SELECT 1 FROM customers WHERE id = ? AND deleted_at IS NULL AND ("_s + c.condition + u")"_s,
                QVariantList { customerId } + c.bindings);
            if (!q)
                return q.error();
            member = q->next();
        }
        if (member)
            out << SegmentMembership { s.id, s.name, s.isDynamic };
    }
    return out;
}

// ------------------------------------------------------------------------------------------------------------
// Value tiers

Result<QList<double>> SegmentService::rankedArr() const
{
    auto q = Storage::exec(m_db, u"SELECT arr FROM customers WHERE "_s + kRankedCondition + u" ORDER BY arr"_s);
    if (!q)
        return q.error();
    QList<double> values;
    while (q->next())
        values << q->value(0).toDouble();
    return values;
}

Result<ValueTierReport> SegmentService::valueTiers() const
{
    ValueTierReport report;
    report.asOf = m_clock.today();
    auto values = rankedArr();
    if (!values)
        return values.error();
    {
        auto q = Storage::exec(
            m_db, u"SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL AND status <> 'churned' AND arr <= 0"_s);
        if (!q)
            return q.error();
        if (q->next())
            report.unrankedCustomers = q->value(0).toLongLong();
    }
    report.rankedCustomers = values->size();
    if (values->isEmpty()) {
        report.reason = u"no live, not churned customer has ARR on record"_s;
        return report;
    }
    report.hasData = true;
    const ValueTierMath::Thresholds t = ValueTierMath::thresholds(*values);
    for (ValueTier tier : kTiersTopDown) {
        ValueTierBand band;
        band.tier = tier;
        band.cutPercent = ValueTierMath::cutPercent(tier);
        if (const auto range = rangeOf(tier, t)) {
            band.minArr = tier == ValueTier::Bronze ? values->first() : range->lo;
            band.maxArr = range->hi;
        }
        report.tiers << band;
    }
    for (double arr : std::as_const(*values)) {
        report.totalArr += arr;
        ValueTierBand &band = report.tiers[kTiersTopDown.indexOf(ValueTierMath::tierFor(arr, t))];
        ++band.customers;
        band.totalArr += arr;
    }
    for (ValueTierBand &band : report.tiers) {
        band.shareOfArr = report.totalArr > 0 ? band.totalArr / report.totalArr : 0;
        if (band.customers == 0) {
            band.minArr.reset();
            band.maxArr.reset();
        }
    }
    return report;
}

Result<CustomerValueTier> SegmentService::valueTierOf(const QString &customerId) const
{
    auto customer = Storage::CustomerRepository(m_db).get(customerId);
    if (!customer) {
        Error e = customer.error();
        if (e.code == ErrorCode::NotFound)
            e.field = u"customer_id"_s;
        return e;
    }
    CustomerValueTier out;
    out.customerId = customerId;
    out.arr = customer->arr;
    if (customer->status == Domain::CustomerStatus::Churned) {
        out.reason = u"churned customers are not ranked"_s;
        return out;
    }
    if (customer->arr <= 0) {
        out.reason = u"no ARR on record to rank"_s;
        return out;
    }
    auto values = rankedArr();
    if (!values)
        return values.error();
    out.ranked = true;
    out.rankedCustomers = values->size();
    out.tier = ValueTierMath::tierFor(customer->arr, ValueTierMath::thresholds(*values));
    out.percentileRank = ValueTierMath::percentileRank(*values, customer->arr).value_or(0);
    return out;
}

} // namespace Core
