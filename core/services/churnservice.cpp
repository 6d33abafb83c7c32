// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "churnservice.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSet>
#include <QSqlQuery>
#include <QSqlRecord>

#include "bulkinserter.h"
#include "columns.h"
#include "logisticregression.h"
#include "repository.h"
#include "sql.h"
#include "tables_health.h"
#include "timelineservice.h"
#include "transaction.h"

// How the churn model is built (DESIGN.md §4 "Churn risk")
// ----------------------------------------------------------
// Training set, free of leakage by construction:
//   * churned customers (churned_at set, not in the future): inputs as of cutoff = churned_at − horizon (30 days
//     by default), i.e. only what a CSM could have seen a month before the customer left;
//   * retained customers (status active, no churned_at): inputs as of a "matched" cutoff, one of the churned
//     customers' cutoffs picked by a seeded hash of the customer id (the first one after the customer's start),
//     so both classes are observed at the same points in the portfolio's history (same data coverage, same
//     season). Every such cutoff is ≤ today − horizon, so each retained example stayed at least `horizon` days
//     past its cutoff. A customer that started after every candidate cutoff falls back to today − horizon;
//   * left out (and counted in the report): trials, churned rows without churned_at, customers that had not
//     started before their cutoff.
// status and lifecycle_stage are not inputs (they record the outcome itself). Days to renewal is deliberately
// not an input either: customers mostly leave at a contract end, so a churned customer's cutoff sits about
// `horizon` days before one by construction; it would be a leak, not a signal. Custom fields are the one input
// without history (a snapshot of customers.custom_fields); one that separates the classes almost perfectly on
// its own (univariate AUC ≥ 0.98, e.g. a "cancellation_reason" only churned rows have) is left out as a probable
// leak.
//
// Fitting (logisticregression.h): inputs standardised (mean/sd stored with the model, missing → mean), class
// weights n/(2·n_class), L2 penalty λ chosen from {0.1, 0.3, 1, 3, 10, 30} by an inner 3-fold CV inside each
// outer fold (nested; beyond 3,000 examples, where its choice barely matters, once on a stratified subsample of
// 3,000), then the intercept prior-corrected to the training share of churned customers (King & Zeng 2001) so
// probabilities are on the portfolio's real scale. Reported: stratified k-fold CV AUC (mean ± sd over folds, and
// pooled), the Brier score and a decile calibration table of the out-of-fold predictions, coefficients per standard
// deviation. Folds come from stableHash(customer id, seed): the same history gives the same model.
//
// What p(churn) means: the training set holds the customers that churned during the recorded history next to
// those still with us, so p is calibrated to the portfolio's observed churn over that history (for a year of
// history: roughly "the chance this account is lost within a year, judged like the ones that left").
//
// Storage of the preprocessing: churn_models has no column for per-input standardisation, so each entry of
// `features` is a compact JSON object {key, kind, source, field, level, log1p, mean, sd} (the schema column is
// JSON; the domain type is a string list). Coefficients are keyed by `key`, plus "intercept".

namespace Core {

using namespace Qt::StringLiterals;
using Domain::ChurnModelSource;
using Domain::ChurnRiskLevel;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxLevels = 8; // categorical levels kept per field, the rest is "other"
constexpr int kMaxDrivers = 5;
constexpr double kMinDriverContribution = 0.01; // log-odds; smaller effects are not worth a line
constexpr double kMinCustomPresence = 0.2; // a custom field set for fewer customers is too sparse to learn from
constexpr double kLeakAuc = 0.98;
constexpr int kNestedLimit = 3000;
constexpr int kUsageCapDays = 90;
const QString kOther = u"*other*"_s;

// ------------------------------------------------------------------------------------------------------------
// What the database says about one customer as of a day

enum class UsageSource { None, Daily, Events };

struct RawFeatures
{
    QString customerId;
    QString name;
    QString owner;
    QString currency;
    QString status;
    QDate asOf;
    bool exists = false;

    bool usageKnown = false;
    double events30 = 0;
    double eventsPrev30 = 0;
    double activeDays30 = 0;
    QDate lastUse;

    bool ticketsKnown = false;
    double tickets90 = 0;
    double urgent90 = 0;
    double openTickets = 0;

    bool surveysKnown = false;
    std::optional<double> npsMean;
    int npsCount = 0;
    std::optional<double> csatMean;
    int csatCount = 0;

    std::optional<double> tenureMonths;
    std::optional<double> arr; // as of asOf
    double currentArr = 0;
    QString contractType;
    QString tier;
    QString industry;
    QVariantMap custom;

    QMap<QString, double> health; // component → score
    std::optional<double> healthScore;
    QDate healthDate;
};

std::optional<int> daysSinceLastUse(const RawFeatures &f)
{
    if (!f.usageKnown)
        return std::nullopt;
    if (!f.lastUse.isValid())
        return kUsageCapDays;
    return int(std::min<qint64>(kUsageCapDays, f.lastUse.daysTo(f.asOf)));
}

// Builtin numeric inputs on the model's scale (counts as log(1 + n): the tenth ticket says less than the first).
double builtinValue(const RawFeatures &f, const QString &field)
{
    const auto opt = [](const std::optional<double> &v) { return v ? *v : kNaN; };
    if (field == u"usage_events_30d"_s)
        return f.usageKnown ? std::log1p(f.events30) : kNaN;
    if (field == u"usage_trend_30d"_s)
        return f.usageKnown ? std::log((f.events30 + 1) / (f.eventsPrev30 + 1)) : kNaN;
    if (field == u"active_days_30d"_s)
        return f.usageKnown ? f.activeDays30 : kNaN;
    if (field == u"days_since_last_use"_s) {
        const auto d = daysSinceLastUse(f);
        return d ? double(*d) : kNaN;
    }
    if (field == u"tickets_90d"_s)
        return f.ticketsKnown ? std::log1p(f.tickets90) : kNaN;
    if (field == u"urgent_tickets_90d"_s)
        return f.ticketsKnown ? std::log1p(f.urgent90) : kNaN;
    if (field == u"open_tickets"_s)
        return f.ticketsKnown ? std::log1p(f.openTickets) : kNaN;
    if (field == u"nps_mean_180d"_s)
        return f.surveysKnown ? opt(f.npsMean) : kNaN;
    if (field == u"csat_mean_180d"_s)
        return f.surveysKnown ? opt(f.csatMean) : kNaN;
    if (field == u"tenure_months"_s)
        return f.tenureMonths ? std::log1p(*f.tenureMonths) : kNaN;
    if (field == u"arr"_s)
        return f.arr ? std::log(*f.arr) : kNaN;
    if (field == u"health_score"_s)
        return opt(f.healthScore);
    return kNaN;
}

const QStringList &builtinNumericFields()
{
    static const QStringList fields { u"usage_events_30d"_s, u"usage_trend_30d"_s, u"active_days_30d"_s,
        u"days_since_last_use"_s, u"tickets_90d"_s, u"urgent_tickets_90d"_s, u"open_tickets"_s, u"nps_mean_180d"_s,
        u"csat_mean_180d"_s, u"tenure_months"_s, u"arr"_s };
    return fields;
}

// Survey answers are given or not by the customer: not answering is itself a signal, kept as an indicator.
const QStringList &builtinIndicatorFields()
{
    static const QStringList fields { u"nps_mean_180d"_s, u"csat_mean_180d"_s };
    return fields;
}

const QStringList &builtinCategoricalFields()
{
    static const QStringList fields { u"contract_type"_s, u"tier"_s, u"industry"_s };
    return fields;
}

QString builtinCategory(const RawFeatures &f, const QString &field)
{
    if (field == u"contract_type"_s)
        return f.contractType;
    if (field == u"tier"_s)
        return f.tier;
    if (field == u"industry"_s)
        return f.industry;
    return {};
}

// A custom field value: a number (JSON number, or text that parses as one), a category (other text, booleans),
// or nothing (absent, null, empty, nested).
struct CustomValue
{
    bool present = false;
    bool numeric = false;
    double number = kNaN;
    QString text;
};

CustomValue customValue(const QVariantMap &custom, const QString &key)
{
    CustomValue out;
    const QVariant v = custom.value(key);
    if (!v.isValid() || v.isNull())
        return out;
    switch (v.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Double:
    case QMetaType::Float:
        if (!std::isfinite(v.toDouble()))
            return out;
        out.present = true;
        out.numeric = true;
        out.number = v.toDouble();
        out.text = QString::number(out.number);
        return out;
    case QMetaType::Bool:
        out.present = true;
        out.text = v.toBool() ? u"true"_s : u"false"_s;
        return out;
    case QMetaType::QString: {
        const QString text = v.toString().trimmed();
        if (text.isEmpty())
            return out;
        out.present = true;
        out.text = text;
        bool ok = false;
        const double number = text.toDouble(&ok); // C locale: "1.5", "-3", "2e3"
        if (ok && std::isfinite(number)) {
            out.numeric = true;
            out.number = number;
        }
        return out;
    }
    default:
        return out; // objects and arrays are not model inputs
    }
}

// ------------------------------------------------------------------------------------------------------------
// Model inputs and their stored form

enum class FeatureKind { Numeric, Missing, Level, Other };
enum class FeatureSource { Builtin, Health, Custom };

struct FeatureSpec
{
    QString key;
    FeatureKind kind = FeatureKind::Numeric;
    FeatureSource source = FeatureSource::Builtin;
    QString field;
    QString level;
    bool log1p = false;
    double mean = 0;
    double sd = 1;
    double coefficient = 0;
};

QString kindName(FeatureKind kind)
{
    switch (kind) {
    case FeatureKind::Numeric:
        return u"numeric"_s;
    case FeatureKind::Missing:
        return u"missing"_s;
    case FeatureKind::Level:
        return u"level"_s;
    case FeatureKind::Other:
        return u"other"_s;
    }
    return {};
}

QString sourceName(FeatureSource source)
{
    switch (source) {
    case FeatureSource::Builtin:
        return u"builtin"_s;
    case FeatureSource::Health:
        return u"health"_s;
    case FeatureSource::Custom:
        return u"custom"_s;
    }
    return {};
}

QString makeKey(FeatureKind kind, FeatureSource source, const QString &field, const QString &level = {})
{
    QString base = source == FeatureSource::Builtin ? field
        : source == FeatureSource::Health           ? u"health."_s + field
                                                    : u"custom."_s + field;
    switch (kind) {
    case FeatureKind::Numeric:
        return base;
    case FeatureKind::Missing:
        return base + u":missing"_s;
    case FeatureKind::Level:
        return base + u'=' + level;
    case FeatureKind::Other:
        return base + u'=' + kOther;
    }
    return base;
}

QString encodeSpec(const FeatureSpec &spec)
{
    QJsonObject o { { u"key"_s, spec.key }, { u"kind"_s, kindName(spec.kind) },
        { u"source"_s, sourceName(spec.source) }, { u"field"_s, spec.field }, { u"mean"_s, spec.mean },
        { u"sd"_s, spec.sd } };
    if (spec.kind == FeatureKind::Level)
        o.insert(u"level"_s, spec.level);
    if (spec.log1p)
        o.insert(u"log1p"_s, true);
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

std::optional<FeatureSpec> decodeSpec(const QString &text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
    if (!doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    FeatureSpec spec;
    spec.key = o.value(u"key"_s).toString();
    spec.field = o.value(u"field"_s).toString();
    spec.level = o.value(u"level"_s).toString();
    spec.log1p = o.value(u"log1p"_s).toBool(false);
    spec.mean = o.value(u"mean"_s).toDouble(kNaN);
    spec.sd = o.value(u"sd"_s).toDouble(kNaN);
    const QString kind = o.value(u"kind"_s).toString();
    const QString source = o.value(u"source"_s).toString();
    bool known = true;
    if (kind == u"numeric"_s)
        spec.kind = FeatureKind::Numeric;
    else if (kind == u"missing"_s)
        spec.kind = FeatureKind::Missing;
    else if (kind == u"level"_s)
        spec.kind = FeatureKind::Level;
    else if (kind == u"other"_s)
        spec.kind = FeatureKind::Other;
    else
        known = false;
    if (source == u"builtin"_s)
        spec.source = FeatureSource::Builtin;
    else if (source == u"health"_s)
        spec.source = FeatureSource::Health;
    else if (source == u"custom"_s)
        spec.source = FeatureSource::Custom;
    else
        known = false;
    if (!known || spec.key.isEmpty() || spec.field.isEmpty() || !std::isfinite(spec.mean) || !(spec.sd > 0))
        return std::nullopt;
    return spec;
}

// The levels a model knows per categorical field ("other" = present but none of them).
using LevelIndex = QHash<QString, QSet<QString>>;

QString fieldId(FeatureSource source, const QString &field)
{
    return sourceName(source) + u':' + field;
}

LevelIndex levelIndex(const QList<FeatureSpec> &specs)
{
    LevelIndex index;
    for (const FeatureSpec &s : specs) {
        if (s.kind == FeatureKind::Level)
            index[fieldId(s.source, s.field)].insert(s.level);
    }
    return index;
}

QString categoryOf(const FeatureSpec &spec, const RawFeatures &f)
{
    if (spec.source == FeatureSource::Builtin)
        return builtinCategory(f, spec.field);
    const CustomValue v = customValue(f.custom, spec.field);
    return v.present ? v.text : QString();
}

// The input's value on the model's scale, NaN when unknown (imputed with the mean by standardisation).
double specValue(const FeatureSpec &spec, const RawFeatures &f, const LevelIndex &levels)
{
    switch (spec.kind) {
    case FeatureKind::Numeric:
        if (spec.source == FeatureSource::Builtin)
            return builtinValue(f, spec.field);
        if (spec.source == FeatureSource::Health)
            return f.health.contains(spec.field) ? f.health.value(spec.field) : kNaN;
        {
            const CustomValue v = customValue(f.custom, spec.field);
            if (!v.present || !v.numeric)
                return kNaN;
            if (spec.log1p)
                return v.number > -1 ? std::log1p(v.number) : kNaN;
            return v.number;
        }
    case FeatureKind::Missing:
        if (spec.source == FeatureSource::Builtin) {
            if (!f.surveysKnown)
                return kNaN;
            return std::isnan(builtinValue(f, spec.field)) ? 1.0 : 0.0;
        }
        return customValue(f.custom, spec.field).present ? 0.0 : 1.0;
    case FeatureKind::Level:
        return categoryOf(spec, f) == spec.level ? 1.0 : 0.0;
    case FeatureKind::Other: {
        const QString category = categoryOf(spec, f);
        return !category.isEmpty() && !levels.value(fieldId(spec.source, spec.field)).contains(category) ? 1.0 : 0.0;
    }
    }
    return kNaN;
}

QString trimNumber(double v, int decimals)
{
    QString s = QString::number(v, 'f', decimals);
    if (s.contains(u'.')) {
        while (s.endsWith(u'0'))
            s.chop(1);
        if (s.endsWith(u'.'))
            s.chop(1);
    }
    return s == u"-0"_s ? u"0"_s : s;
}

QString plural(double n, const QString &one, const QString &many)
{
    return trimNumber(n, 0) + u' ' + (std::lround(n) == 1 ? one : many);
}

QString builtinLabel(const QString &field)
{
    static const QHash<QString, QString> labels {
        { u"usage_events_30d"_s, u"usage events in the last 30 days (log scale)"_s },
        { u"usage_trend_30d"_s, u"usage trend, last 30 vs previous 30 days"_s },
        { u"active_days_30d"_s, u"active days in the last 30"_s },
        { u"days_since_last_use"_s, u"days since last use (up to 90)"_s },
        { u"tickets_90d"_s, u"support tickets in the last 90 days (log scale)"_s },
        { u"urgent_tickets_90d"_s, u"urgent tickets (P0/P1 or escalated) in the last 90 days (log scale)"_s },
        { u"open_tickets"_s, u"open support tickets (log scale)"_s },
        { u"nps_mean_180d"_s, u"mean NPS answer in the last 180 days"_s },
        { u"csat_mean_180d"_s, u"mean CSAT answer (1–5) in the last 180 days"_s },
        { u"tenure_months"_s, u"tenure in months (log scale)"_s },
        { u"arr"_s, u"ARR (log scale)"_s },
        { u"health_score"_s, u"latest health score"_s },
        { u"contract_type"_s, u"contract type"_s },
        { u"tier"_s, u"tier"_s },
        { u"industry"_s, u"industry"_s },
    };
    return labels.value(field, field);
}

// The input in general terms (coefficient tables).
QString specLabel(const FeatureSpec &spec)
{
    const QString subject = spec.source == FeatureSource::Builtin ? builtinLabel(spec.field)
        : spec.source == FeatureSource::Health                    ? u"health component %1"_s.arg(spec.field)
                                                                  : u"custom field %1"_s.arg(spec.field);
    switch (spec.kind) {
    case FeatureKind::Numeric:
        return spec.log1p ? subject + u" (log scale)"_s : subject;
    case FeatureKind::Missing:
        if (spec.source == FeatureSource::Builtin)
            return spec.field == u"nps_mean_180d"_s ? u"no NPS answer in the last 180 days"_s
                                                    : u"no CSAT answer in the last 180 days"_s;
        return subject + u" not set"_s;
    case FeatureKind::Level:
        return subject + u" = "_s + spec.level;
    case FeatureKind::Other:
        return subject + u": a less common value"_s;
    }
    return subject;
}

// The input in the customer's own terms (drivers).
QString driverLabel(const FeatureSpec &spec, const RawFeatures &f)
{
    if (spec.source == FeatureSource::Builtin && spec.kind == FeatureKind::Numeric) {
        const QString &field = spec.field;
        if (field == u"usage_trend_30d"_s) {
            if (f.events30 == 0 && f.eventsPrev30 == 0)
                return u"no usage in the last 60 days"_s;
            if (f.eventsPrev30 == 0)
                return u"usage started in the last 30 days (%1, none in the 30 days before)"_s.arg(
                    plural(f.events30, u"event"_s, u"events"_s));
            const double change = (f.events30 - f.eventsPrev30) / f.eventsPrev30 * 100;
            if (std::abs(change) < 0.5)
                return u"usage flat vs previous 30 days"_s;
            return u"usage %1 %2% vs previous 30 days"_s.arg(
                change < 0 ? u"down"_s : u"up"_s, trimNumber(std::abs(change), 0));
        }
        if (field == u"usage_events_30d"_s)
            return u"%1 in the last 30 days"_s.arg(plural(f.events30, u"usage event"_s, u"usage events"_s));
        if (field == u"active_days_30d"_s)
            return u"active on %1 of the last 30 days"_s.arg(trimNumber(f.activeDays30, 0));
        if (field == u"days_since_last_use"_s) {
            const int days = daysSinceLastUse(f).value_or(kUsageCapDays);
            return days >= kUsageCapDays ? u"no usage in the last 90 days"_s
                                         : u"last used %1 ago"_s.arg(plural(days, u"day"_s, u"days"_s));
        }
        if (field == u"tickets_90d"_s)
            return u"%1 in the last 90 days"_s.arg(plural(f.tickets90, u"support ticket"_s, u"support tickets"_s));
        if (field == u"urgent_tickets_90d"_s)
            return u"%1 (P0/P1 or escalated) in the last 90 days"_s.arg(
                plural(f.urgent90, u"urgent ticket"_s, u"urgent tickets"_s));
        if (field == u"open_tickets"_s)
            return u"%1 open"_s.arg(plural(f.openTickets, u"ticket"_s, u"tickets"_s));
        if (field == u"nps_mean_180d"_s && f.npsMean)
            return u"NPS answers average %1 in the last 180 days (%2)"_s.arg(
                trimNumber(*f.npsMean, 1), plural(f.npsCount, u"answer"_s, u"answers"_s));
        if (field == u"csat_mean_180d"_s && f.csatMean)
            return u"CSAT answers average %1 of 5 in the last 180 days (%2)"_s.arg(
                trimNumber(*f.csatMean, 1), plural(f.csatCount, u"answer"_s, u"answers"_s));
        if (field == u"tenure_months"_s && f.tenureMonths)
            return u"customer for %1"_s.arg(plural(std::round(*f.tenureMonths), u"month"_s, u"months"_s));
        if (field == u"arr"_s && f.arr)
            return u"ARR %1 %2"_s.arg(trimNumber(*f.arr, 0), f.currency);
        if (field == u"health_score"_s && f.healthScore)
            return u"health score %1/100 on %2"_s.arg(
                trimNumber(*f.healthScore, 0), f.healthDate.toString(Qt::ISODate));
        return specLabel(spec);
    }
    if (spec.source == FeatureSource::Health && spec.kind == FeatureKind::Numeric && f.health.contains(spec.field))
        return u"health component %1 at %2/100"_s.arg(spec.field, trimNumber(f.health.value(spec.field), 0));
    if (spec.source == FeatureSource::Custom && spec.kind == FeatureKind::Numeric) {
        const CustomValue v = customValue(f.custom, spec.field);
        if (v.present)
            return u"%1 = %2"_s.arg(spec.field, trimNumber(v.number, 4));
    }
    if (spec.kind == FeatureKind::Missing)
        return specLabel(spec);
    if (spec.kind == FeatureKind::Level || spec.kind == FeatureKind::Other) {
        // "contract type monthly" for our own fields, "plan = basic" for an imported one.
        const bool builtin = spec.source == FeatureSource::Builtin;
        const QString subject = builtin ? builtinLabel(spec.field) : spec.field;
        const QString is = builtin ? u" "_s : u" = "_s;
        const QString category = categoryOf(spec, f);
        if (category.isEmpty())
            return u"%1 not set"_s.arg(subject);
        if (spec.kind == FeatureKind::Level && category != spec.level)
            return subject + is + category + u" (not %1)"_s.arg(spec.level);
        if (spec.kind == FeatureKind::Other)
            return subject + is + category + u" (a less common value)"_s;
        return subject + is + category;
    }
    return specLabel(spec);
}

// Why an input had no value for this customer (shown as "missing data", never as a number).
QString missingLabel(const FeatureSpec &spec, const RawFeatures &f)
{
    if (spec.source == FeatureSource::Health)
        return u"no health score in the 90 days before %1"_s.arg(f.asOf.toString(Qt::ISODate));
    if (spec.source == FeatureSource::Custom)
        return u"custom field %1 not set (or not a number)"_s.arg(spec.field);
    const QString &field = spec.field;
    if (field.startsWith(u"usage"_s) || field == u"active_days_30d"_s || field == u"days_since_last_use"_s)
        return u"no usage data in the portfolio"_s;
    if (field.contains(u"tickets"_s))
        return u"no support tickets in the portfolio"_s;
    if (field == u"nps_mean_180d"_s)
        return f.surveysKnown ? u"no NPS answer in the last 180 days"_s : u"no survey answers in the portfolio"_s;
    if (field == u"csat_mean_180d"_s)
        return f.surveysKnown ? u"no CSAT answer in the last 180 days"_s : u"no survey answers in the portfolio"_s;
    if (field == u"tenure_months"_s)
        return u"tenure unknown (no contract start date)"_s;
    if (field == u"arr"_s)
        return u"ARR unknown"_s;
    if (field == u"health_score"_s)
        return u"no health score in the 90 days before %1"_s.arg(f.asOf.toString(Qt::ISODate));
    return u"%1 unknown"_s.arg(builtinLabel(field));
}

// ------------------------------------------------------------------------------------------------------------
// The default model (version 1, source 'default'): used until the portfolio has enough history to train one.
// Coefficients are log-odds per "typical spread" of each input, set from CS domain reasoning, not data:
//   intercept logit(0.10): B2B SaaS loses on the order of 10 % of its accounts a year;
//   usage trend −0.5 per 0.7 (a halving of usage ≈ +0.5), active days −0.4 per 8 days: declining, sparse use
//     is the classic leading indicator;
//   NPS −0.5 per 2.5 points around 7, CSAT −0.3 per 0.8 around 4: detractors leave more often;
//   urgent tickets +0.3, all tickets +0.2 (log scale): escalations signal pain, volume alone less so;
//   latest health score −0.6 per 20 points around 60;
//   tenure −0.3 per 0.9 log-months around 18 months: young accounts churn more;
//   monthly contract +0.4, multi-year −0.4 (more and fewer exits to take).
// Centres and spreads are fixed, not estimated; an input without data contributes 0.
struct DefaultInput
{
    const char *field;
    FeatureKind kind;
    const char *level;
    double centre;
    double spread;
    double coefficient;
};
constexpr double kDefaultIntercept = -2.1972245773362196; // logit(0.10)
const DefaultInput kDefaultInputs[] = {
    { "usage_trend_30d", FeatureKind::Numeric, "", 0.0, 0.7, -0.5 },
    { "active_days_30d", FeatureKind::Numeric, "", 12.0, 8.0, -0.4 },
    { "nps_mean_180d", FeatureKind::Numeric, "", 7.0, 2.5, -0.5 },
    { "csat_mean_180d", FeatureKind::Numeric, "", 4.0, 0.8, -0.3 },
    { "urgent_tickets_90d", FeatureKind::Numeric, "", 0.0, 0.7, 0.3 },
    { "tickets_90d", FeatureKind::Numeric, "", 1.0986122886681098, 0.8, 0.2 }, // centre log(1 + 2)
    { "health_score", FeatureKind::Numeric, "", 60.0, 20.0, -0.6 },
    { "tenure_months", FeatureKind::Numeric, "", 2.9444389791664403, 0.9, -0.3 }, // centre log(1 + 18)
    { "contract_type", FeatureKind::Level, "monthly", 0.0, 1.0, 0.4 },
    { "contract_type", FeatureKind::Level, "multi_year", 0.0, 1.0, -0.4 },
};

const QString kDefaultCaveat = u"Untrained default model: its coefficients come from domain reasoning, not from this "
                               u"portfolio's history, and it has never been evaluated (no AUC). Train a model once at "
                               u"least 10 customers have churned and 10 have stayed."_s;

Domain::ChurnModel defaultModelRecord(const QDateTime &now)
{
    Domain::ChurnModel m;
    m.modelVersion = 1;
    m.source = ChurnModelSource::Default;
    m.trainedAt = now;
    m.coefficients.insert(u"intercept"_s, kDefaultIntercept);
    for (const DefaultInput &input : kDefaultInputs) {
        FeatureSpec spec;
        spec.kind = input.kind;
        spec.source = FeatureSource::Builtin;
        spec.field = QString::fromLatin1(input.field);
        spec.level = QString::fromLatin1(input.level);
        spec.key = makeKey(spec.kind, spec.source, spec.field, spec.level);
        spec.mean = input.centre;
        spec.sd = input.spread;
        m.features << encodeSpec(spec);
        m.coefficients.insert(spec.key, input.coefficient);
    }
    m.isActive = true;
    m.note = u"Default coefficients from domain reasoning (see ChurnService): base rate 10 % a year; usage trend, "
             u"active days, NPS, CSAT, tickets, health score, tenure and contract type. Not learned from data."_s;
    return m;
}

// ------------------------------------------------------------------------------------------------------------
// A model ready to score

struct LoadedModel
{
    Domain::ChurnModel record;
    double intercept = 0;
    QList<FeatureSpec> specs;
    LevelIndex levels;
};

Result<LoadedModel> loadModel(const Domain::ChurnModel &record)
{
    LoadedModel m;
    m.record = record;
    const auto bad = [&](const QString &why) {
        return Error::storage(u"churn model version %1 cannot be used: %2"_s.arg(record.modelVersion).arg(why));
    };
    if (!record.coefficients.contains(u"intercept"_s))
        return bad(u"it has no intercept"_s);
    m.intercept = record.coefficients.value(u"intercept"_s).toDouble();
    for (const QString &text : record.features) {
        auto spec = decodeSpec(text);
        if (!spec)
            return bad(u"unreadable input description '%1'"_s.arg(text.left(80)));
        if (!record.coefficients.contains(spec->key))
            return bad(u"no coefficient for input '%1'"_s.arg(spec->key));
        spec->coefficient = record.coefficients.value(spec->key).toDouble();
        m.specs << *spec;
    }
    m.levels = levelIndex(m.specs);
    return m;
}

ChurnModelInfo modelInfo(const LoadedModel &m)
{
    ChurnModelInfo info;
    const Domain::ChurnModel &r = m.record;
    info.version = r.modelVersion;
    info.source = r.source;
    info.isActive = r.isActive;
    info.trainedAt = r.trainedAt;
    info.sampleCount = r.sampleCount;
    info.churnedCount = r.churnedCount;
    info.retainedCount = r.retainedCount;
    info.cvFolds = r.cvFolds;
    info.cvAuc = r.auc;
    info.intercept = m.intercept;
    info.note = r.note;
    if (r.source == ChurnModelSource::Default)
        info.caveat = kDefaultCaveat;
    for (const FeatureSpec &s : m.specs)
        info.coefficients << ChurnCoefficient { s.key, specLabel(s), s.coefficient, std::exp(s.coefficient), s.mean,
            s.sd };
    std::stable_sort(
        info.coefficients.begin(), info.coefficients.end(), [](const ChurnCoefficient &a, const ChurnCoefficient &b) {
            return std::abs(a.coefficient) > std::abs(b.coefficient);
        });
    for (const QVariant &v : r.calibration) {
        const QVariantMap row = v.toMap();
        info.calibration << ChurnCalibrationRow { row.value(u"bin"_s).toInt(), row.value(u"count"_s).toInt(),
            row.value(u"min_predicted"_s).toDouble(), row.value(u"max_predicted"_s).toDouble(),
            row.value(u"mean_predicted"_s).toDouble(), row.value(u"observed_rate"_s).toDouble() };
    }
    return info;
}

ChurnRisk predict(const LoadedModel &m, const RawFeatures &f)
{
    ChurnRisk risk;
    risk.customerId = f.customerId;
    risk.customerName = f.name;
    risk.modelVersion = m.record.modelVersion;
    risk.modelSource = m.record.source;
    risk.asOf = f.asOf;
    double eta = m.intercept;
    QList<ChurnDriver> drivers;
    QSet<QString> missing;
    for (const FeatureSpec &s : m.specs) {
        const double value = specValue(s, f, m.levels);
        if (std::isnan(value)) {
            const QString why = missingLabel(s, f);
            if (!missing.contains(why)) {
                missing.insert(why);
                risk.missingData << why;
            }
            continue; // imputed with the mean: z = 0, no contribution
        }
        const double z = std::clamp((value - s.mean) / s.sd, -5.0, 5.0);
        const double contribution = s.coefficient * z;
        eta += contribution;
        if (std::abs(contribution) >= kMinDriverContribution) {
            ChurnDriver d;
            d.feature = s.key;
            d.label = driverLabel(s, f);
            d.contribution = contribution;
            if (s.kind == FeatureKind::Numeric)
                d.value = value;
            drivers << d;
        }
    }
    std::stable_sort(drivers.begin(), drivers.end(),
        [](const ChurnDriver &a, const ChurnDriver &b) { return std::abs(a.contribution) > std::abs(b.contribution); });
    risk.drivers = drivers.mid(0, kMaxDrivers);
    risk.probability = Stats::sigmoid(eta);
    risk.riskLevel = ChurnService::riskLevelFor(risk.probability);
    return risk;
}

QVariantList driversToVariant(const QList<ChurnDriver> &drivers)
{
    QVariantList list;
    for (const ChurnDriver &d : drivers) {
        QVariantMap m { { u"feature"_s, d.feature }, { u"label"_s, d.label },
            { u"contribution"_s, std::round(d.contribution * 1e4) / 1e4 } };
        if (d.value)
            m.insert(u"value"_s, *d.value);
        list << m;
    }
    return list;
}

QList<ChurnDriver> driversFromVariant(const QVariantList &list)
{
    QList<ChurnDriver> drivers;
    for (const QVariant &v : list) {
        const QVariantMap m = v.toMap();
        ChurnDriver d;
        d.feature = m.value(u"feature"_s).toString();
        d.label = m.value(u"label"_s).toString();
        d.contribution = m.value(u"contribution"_s).toDouble();
        if (m.contains(u"value"_s) && !m.value(u"value"_s).isNull())
            d.value = m.value(u"value"_s).toDouble();
        drivers << d;
    }
    return drivers;
}

// ------------------------------------------------------------------------------------------------------------
// Set-based feature queries over a temporary table of (customer, as-of day) points

struct Point
{
    QString customerId;
    QDate asOf;
};

bool exists(const Storage::Database &db, const QString &sql, Error &error)
{
    auto q = Storage::exec(db, sql);
    if (!q) {
        error = q.error();
        return false;
    }
    return q->next();
}

Status loadPoints(const Storage::Database &db, const QList<Point> &points)
{
    const bool pg = db.dialect() == Storage::Dialect::PostgreSql;
    const QString date = pg ? u"DATE"_s : u"TEXT"_s;
    // A temporary table lives in this connection only (each thread has its own, DESIGN.md §2), so concurrent
    // callers on other threads never see each other's points.
    auto created = Storage::exec(db,
        u"CREATE TEMPORARY TABLE IF NOT EXISTS churn_feature_points (customer_id TEXT PRIMARY KEY, cutoff %1 NOT NULL, "
        u"d30 %1 NOT NULL, d60 %1 NOT NULL, d90 %1 NOT NULL, d180 %1 NOT NULL, d365 %1 NOT NULL)"_s.arg(date));
    if (!created)
        return created.error();
    if (auto cleared = Storage::exec(db, u"DELETE FROM churn_feature_points"_s); !cleared)
        return cleared.error();
    Storage::BulkInserter inserter(db, u"churn_feature_points"_s,
        { u"customer_id"_s, u"cutoff"_s, u"d30"_s, u"d60"_s, u"d90"_s, u"d180"_s, u"d365"_s }, 128);
    for (const Point &p : points) {
        using Storage::Convert::toSql;
        if (auto ok
            = inserter.add({ p.customerId, toSql(p.asOf), toSql(p.asOf.addDays(-30)), toSql(p.asOf.addDays(-60)),
                toSql(p.asOf.addDays(-90)), toSql(p.asOf.addDays(-180)), toSql(p.asOf.addDays(-365)) });
            !ok)
            return ok;
    }
    return inserter.flush();
}

QDate minValid(const QDate &a, const QDate &b)
{
    if (!a.isValid())
        return b;
    if (!b.isValid())
        return a;
    return std::min(a, b);
}

// Inputs of every point, as of the start of its day: only rows dated before it (windows [D − n, D)). Each query walks
// the points and looks every customer up by index; CROSS JOIN fixes that order in SQLite, whose planner knows
// nothing about a fresh temporary table and would otherwise scan usage_daily or health_scores whole
// (PostgreSQL plans CROSS JOIN ... WHERE like an inner join).
Result<QHash<QString, RawFeatures>> computeFeatures(const Storage::Database &db, const QList<Point> &points)
{
    QHash<QString, RawFeatures> out;
    if (points.isEmpty())
        return out;
    Error error;
    UsageSource usage = UsageSource::None;
    if (exists(db, u"SELECT 1 FROM usage_daily WHERE feature = '' LIMIT 1"_s, error))
        usage = UsageSource::Daily;
    else if (error.message.isEmpty() && exists(db, u"SELECT 1 FROM usage_events LIMIT 1"_s, error))
        usage = UsageSource::Events;
    const bool tickets = error.message.isEmpty()
        && exists(db, u"SELECT 1 FROM support_tickets WHERE deleted_at IS NULL LIMIT 1"_s, error);
    const bool surveys = error.message.isEmpty()
        && exists(
            db, u"SELECT 1 FROM survey_responses WHERE deleted_at IS NULL AND kind IN ('nps','csat') LIMIT 1"_s, error);
    if (!error.message.isEmpty())
        return error;

    {
        // One transaction for the whole load: an SQLite statement outside one commits on its own.
        Storage::Transaction tx(db);
        if (!tx.isActive())
            return tx.beginError();
        if (auto loaded = loadPoints(db, points); !loaded)
            return loaded.error();
        if (auto committed = tx.commit(); !committed)
            return committed.error();
    }
    for (const Point &p : points) {
        RawFeatures f;
        f.customerId = p.customerId;
        f.asOf = p.asOf;
        f.usageKnown = usage != UsageSource::None;
        f.ticketsKnown = tickets;
        f.surveysKnown = surveys;
        out.insert(p.customerId, f);
    }
    using Storage::Convert::fromSql;

    // Profile, tenure, ARR as of the day (the ledger's last arr_after before it; customers.arr only for
    // customers without a ledger, and 0 as unknown: a churned row may hold 0 after the fact).
    {
        auto q = Storage::exec(db,
            u"SELECT p.customer_id, c.name, c.owner, c.currency, c.status, c.contract_type, c.tier, c.industry, c.arr, "
            u"c.contract_start, c.custom_fields, "
            u"(SELECT MIN(k.start_date) FROM contracts k WHERE k.customer_id = p.customer_id AND k.deleted_at IS "
            u"NULL), "
            u"(SELECT m.arr_after FROM arr_movements m WHERE m.customer_id = p.customer_id AND m.movement_date < "
            u"p.cutoff "
            u" ORDER BY m.movement_date DESC, m.id DESC LIMIT 1), "
            u"(SELECT 1 FROM arr_movements m WHERE m.customer_id = p.customer_id LIMIT 1) "
            u"FROM churn_feature_points p CROSS JOIN customers c WHERE c.id = p.customer_id AND c.deleted_at IS NULL"_s);
        if (!q)
            return q.error();
        while (q->next()) {
            RawFeatures &f = out[q->value(0).toString()];
            f.exists = true;
            fromSql(q->value(1), f.name);
            fromSql(q->value(2), f.owner);
            fromSql(q->value(3), f.currency);
            fromSql(q->value(4), f.status);
            fromSql(q->value(5), f.contractType);
            fromSql(q->value(6), f.tier);
            fromSql(q->value(7), f.industry);
            f.currentArr = q->value(8).toDouble();
            QDate contractStart;
            QDate firstContract;
            fromSql(q->value(9), contractStart);
            fromSql(q->value(10), f.custom);
            fromSql(q->value(11), firstContract);
            const QDate start = minValid(contractStart, firstContract);
            if (start.isValid())
                f.tenureMonths = std::max<qint64>(0, start.daysTo(f.asOf)) / (365.25 / 12.0);
            const bool hasLedger = !q->value(13).isNull();
            const double arr = hasLedger ? (q->value(12).isNull() ? 0.0 : q->value(12).toDouble()) : f.currentArr;
            if (arr > 0)
                f.arr = arr;
        }
    }

    // Usage: events in the last 30 days and the 30 before, active days, last active day (within 90 days).
    if (usage != UsageSource::None) {
        const bool pg = db.dialect() == Storage::Dialect::PostgreSql;
        const QString sql = usage == UsageSource::Daily
            ? u"SELECT p.customer_id, "
              u"SUM(CASE WHEN u.day >= p.d30 THEN u.events ELSE 0 END), "
              u"SUM(CASE WHEN u.day >= p.d60 AND u.day < p.d30 THEN u.events ELSE 0 END), "
              u"SUM(CASE WHEN u.day >= p.d30 AND u.events > 0 THEN 1 ELSE 0 END), "
              u"MAX(CASE WHEN u.events > 0 THEN u.day END) "
              u"FROM churn_feature_points p CROSS JOIN usage_daily u WHERE u.customer_id = p.customer_id AND u.feature "
              u"= '' "
              u"AND u.day >= p.d90 AND u.day < p.cutoff GROUP BY p.customer_id"_s
            : u"SELECT p.customer_id, "
              u"SUM(CASE WHEN e.occurred_at >= p.d30 THEN 1 ELSE 0 END), "
              u"SUM(CASE WHEN e.occurred_at >= p.d60 AND e.occurred_at < p.d30 THEN 1 ELSE 0 END), "
              u"COUNT(DISTINCT CASE WHEN e.occurred_at >= p.d30 THEN %1 END), "
              u"MAX(e.occurred_at) "
              u"FROM churn_feature_points p CROSS JOIN usage_events e WHERE e.customer_id = p.customer_id "
              u"AND e.occurred_at >= p.d90 AND e.occurred_at < p.cutoff GROUP BY p.customer_id"_s.arg(
                  pg ? u"CAST(e.occurred_at AS DATE)"_s : u"substr(e.occurred_at, 1, 10)"_s);
        auto q = Storage::exec(db, sql);
        if (!q)
            return q.error();
        while (q->next()) {
            RawFeatures &f = out[q->value(0).toString()];
            f.events30 = q->value(1).toDouble();
            f.eventsPrev30 = q->value(2).toDouble();
            f.activeDays30 = q->value(3).toDouble();
            fromSql(q->value(4), f.lastUse);
        }
    }

    // Tickets opened in the last 90 days, the urgent ones, and those open on the day (opened within a year).
    if (tickets) {
        auto q = Storage::exec(db,
            u"SELECT p.customer_id, "
            u"SUM(CASE WHEN t.opened_at >= p.d90 THEN 1 ELSE 0 END), "
            u"SUM(CASE WHEN t.opened_at >= p.d90 AND (t.priority IN ('p0','p1') OR t.escalated) THEN 1 ELSE 0 END), "
            u"SUM(CASE WHEN COALESCE(t.resolved_at, t.closed_at) >= p.cutoff THEN 1 "
            u"  WHEN COALESCE(t.resolved_at, t.closed_at) IS NULL AND t.status IN ('new','open','pending','on_hold') "
            u"  THEN 1 ELSE 0 END) "
            u"FROM churn_feature_points p CROSS JOIN support_tickets t WHERE t.customer_id = p.customer_id "
            u"AND t.deleted_at IS NULL AND t.opened_at >= p.d365 AND t.opened_at < p.cutoff "
            u"GROUP BY p.customer_id"_s);
        if (!q)
            return q.error();
        while (q->next()) {
            RawFeatures &f = out[q->value(0).toString()];
            f.tickets90 = q->value(1).toDouble();
            f.urgent90 = q->value(2).toDouble();
            f.openTickets = q->value(3).toDouble();
        }
    }

    // NPS and CSAT answers of the last 180 days.
    if (surveys) {
        auto q = Storage::exec(db,
            u"SELECT p.customer_id, "
            u"AVG(CASE WHEN s.kind = 'nps' THEN s.score * 1.0 END), SUM(CASE WHEN s.kind = 'nps' THEN 1 ELSE 0 END), "
            u"AVG(CASE WHEN s.kind = 'csat' THEN s.score * 1.0 END), SUM(CASE WHEN s.kind = 'csat' THEN 1 ELSE 0 END) "
            u"FROM churn_feature_points p CROSS JOIN survey_responses s WHERE s.customer_id = p.customer_id "
            u"AND s.deleted_at IS NULL AND s.responded_at >= p.d180 AND s.responded_at < p.cutoff "
            u"GROUP BY p.customer_id"_s);
        if (!q)
            return q.error();
        while (q->next()) {
            RawFeatures &f = out[q->value(0).toString()];
            if (!q->value(1).isNull())
                f.npsMean = q->value(1).toDouble();
            f.npsCount = q->value(2).toInt();
            if (!q->value(3).isNull())
                f.csatMean = q->value(3).toDouble();
            f.csatCount = q->value(4).toInt();
        }
    }

    // The latest health score dated before the day, within 90 days (HealthService writes one per day; its
    // components JSON holds {key: {score, weight, ...}}). Read from the table, not through HealthService.
    {
        auto q = Storage::exec(db,
            u"SELECT p.customer_id, h.score, h.components, h.score_date "
            u"FROM churn_feature_points p CROSS JOIN health_scores h WHERE h.customer_id = p.customer_id "
            u"AND h.score_date = (SELECT MAX(h2.score_date) FROM health_scores h2 WHERE h2.customer_id = p.customer_id "
            u"AND h2.score_date < p.cutoff AND h2.score_date >= p.d90)"_s);
        if (!q)
            return q.error();
        while (q->next()) {
            RawFeatures &f = out[q->value(0).toString()];
            f.healthScore = q->value(1).toDouble();
            fromSql(q->value(3), f.healthDate);
            QVariantMap components;
            fromSql(q->value(2), components);
            for (auto it = components.cbegin(); it != components.cend(); ++it) {
                const QVariant score = it.value().toMap().value(u"score"_s);
                bool ok = false;
                const double value = score.toDouble(&ok);
                if (ok && std::isfinite(value))
                    f.health.insert(it.key(), value);
            }
        }
    }
    static_cast<void>(
        Storage::exec(db, u"DELETE FROM churn_feature_points"_s)); // best effort: the next call clears it anyway
    return out;
}

// ------------------------------------------------------------------------------------------------------------
// Training-set construction

struct Example
{
    QString customerId;
    QDate cutoff;
    double label = 0;
};

struct TrainingSet
{
    QList<Example> examples;
    int churned = 0;
    int retained = 0;
    QStringList excluded;
};

Result<TrainingSet> trainingSet(const Storage::Database &db, const QDate &today, int horizon, quint64 seed)
{
    auto q = Storage::exec(db,
        u"SELECT c.id, c.status, c.churned_at, c.contract_start, "
        u"(SELECT MIN(k.start_date) FROM contracts k WHERE k.customer_id = c.id AND k.deleted_at IS NULL) "
        u"FROM customers c WHERE c.deleted_at IS NULL ORDER BY c.id"_s);
    if (!q)
        return q.error();
    struct Candidate
    {
        QString id;
        QDate start;
    };
    QList<Candidate> retained;
    TrainingSet set;
    int trials = 0;
    int churnedUndated = 0;
    int churnedFuture = 0;
    int churnedEarly = 0;
    int tooNew = 0;
    std::vector<QDate> cutoffs;
    while (q->next()) {
        const QString id = q->value(0).toString();
        const QString status = q->value(1).toString();
        QDate churnedAt;
        QDate contractStart;
        QDate firstContract;
        Storage::Convert::fromSql(q->value(2), churnedAt);
        Storage::Convert::fromSql(q->value(3), contractStart);
        Storage::Convert::fromSql(q->value(4), firstContract);
        const QDate start = minValid(contractStart, firstContract);
        if (churnedAt.isValid()) {
            if (churnedAt > today) {
                ++churnedFuture;
                continue;
            }
            const QDate cutoff = churnedAt.addDays(-horizon);
            if (start.isValid() && start >= cutoff) {
                ++churnedEarly;
                continue;
            }
            set.examples << Example { id, cutoff, 1.0 };
            cutoffs.push_back(cutoff);
        } else if (status == u"churned"_s) {
            ++churnedUndated;
        } else if (status == u"trial"_s) {
            ++trials;
        } else {
            retained << Candidate { id, start };
        }
    }
    std::sort(cutoffs.begin(), cutoffs.end());
    const QDate fallback = today.addDays(-horizon);
    for (const Candidate &c : retained) {
        QDate cutoff;
        if (!cutoffs.empty()) {
            const std::size_t m = cutoffs.size();
            const std::size_t first = std::size_t(Stats::stableHash(c.id, seed ^ 0xC07FULL) % m);
            for (std::size_t step = 0; step < m && !cutoff.isValid(); ++step) {
                const QDate candidate = cutoffs[(first + step) % m];
                if (!c.start.isValid() || c.start < candidate)
                    cutoff = candidate;
            }
        }
        if (!cutoff.isValid() && (!c.start.isValid() || c.start < fallback))
            cutoff = fallback;
        if (!cutoff.isValid()) {
            ++tooNew;
            continue;
        }
        set.examples << Example { c.id, cutoff, 0.0 };
    }
    for (const Example &e : set.examples)
        (e.label == 1.0 ? set.churned : set.retained) += 1;
    if (trials)
        set.excluded << u"%1 trial account(s): never under contract"_s.arg(trials);
    if (churnedUndated)
        set.excluded << u"%1 churned customer(s) without a churned_at date: no point in time to look back from"_s.arg(
            churnedUndated);
    if (churnedFuture)
        set.excluded << u"%1 customer(s) with a churned_at date in the future"_s.arg(churnedFuture);
    if (churnedEarly)
        set.excluded << u"%1 churned customer(s) that left within %2 days of starting: no history before the cutoff"_s
                            .arg(churnedEarly)
                            .arg(horizon);
    if (tooNew)
        set.excluded << u"%1 active customer(s) that started less than %2 days ago"_s.arg(tooNew).arg(horizon);
    return set;
}

// Sample skewness of the values (0 for fewer than 3 or no spread).
double skewness(const std::vector<double> &v)
{
    if (v.size() < 3)
        return 0;
    double mean = 0;
    for (double x : v)
        mean += x;
    mean /= double(v.size());
    double m2 = 0;
    double m3 = 0;
    for (double x : v) {
        m2 += (x - mean) * (x - mean);
        m3 += (x - mean) * (x - mean) * (x - mean);
    }
    m2 /= double(v.size());
    m3 /= double(v.size());
    return m2 > 0 ? m3 / std::pow(m2, 1.5) : 0;
}

// How well one custom field alone ranks churned above retained examples, as max(AUC, 1 − AUC) of the best of:
// whether it is set at all; its value (numeric fields, missing → mean); the churn rate of its group (level,
// "other" or unset) in these rows (categorical fields; groups are the model's own, each ≥ 5 rows, so the rate
// is not an artefact of tiny groups).
double customFieldSeparation(const QString &field, bool numeric, const QSet<QString> &levels,
    const QList<RawFeatures> &rows, const std::vector<double> &y)
{
    const auto separation = [&](const std::vector<double> &scores) {
        const double a = Stats::auc(scores, y).value_or(0.5);
        return std::max(a, 1 - a);
    };
    std::vector<double> presence;
    std::vector<CustomValue> values;
    for (const RawFeatures &f : rows) {
        values.push_back(customValue(f.custom, field));
        presence.push_back(values.back().present ? 1 : 0);
    }
    double best = separation(presence);
    if (numeric) {
        double sum = 0;
        int present = 0;
        for (const CustomValue &v : values) {
            if (v.present && v.numeric) {
                sum += v.number;
                ++present;
            }
        }
        const double mean = present ? sum / present : 0;
        std::vector<double> scores;
        for (const CustomValue &v : values)
            scores.push_back(v.present && v.numeric ? v.number : mean);
        return std::max(best, separation(scores));
    }
    QHash<QString, QPair<double, double>> groups; // group → (churned, rows)
    QStringList groupOf;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const QString group = !values[i].present ? QString()
            : levels.contains(values[i].text)    ? values[i].text
                                                 : kOther;
        groupOf << group;
        auto &g = groups[group];
        g.first += y[i];
        g.second += 1;
    }
    std::vector<double> scores;
    for (const QString &group : std::as_const(groupOf))
        scores.push_back(groups.value(group).first / groups.value(group).second);
    return std::max(best, separation(scores));
}

struct Candidates
{
    QList<FeatureSpec> specs;
    QStringList dropped;
};

// The most frequent levels (count ≥ 5 and ≥ 2 % of the rows, at most kMaxLevels; ties by name), and whether any
// present value falls outside them.
QStringList topLevels(const QHash<QString, int> &counts, int rows, bool &hasOther)
{
    QList<QPair<QString, int>> sorted;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        sorted << qMakePair(it.key(), it.value());
    std::sort(sorted.begin(), sorted.end(),
        [](const auto &a, const auto &b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    const int minimum = std::max(5, int(std::ceil(0.02 * rows)));
    QStringList levels;
    hasOther = false;
    for (const auto &entry : sorted) {
        if (levels.size() < kMaxLevels && entry.second >= minimum)
            levels << entry.first;
        else
            hasOther = true;
    }
    return levels;
}

// Every input the training rows can support, before standardisation.
Candidates candidateFeatures(const QList<RawFeatures> &rows)
{
    Candidates c;
    const int n = int(rows.size());
    for (const QString &field : builtinNumericFields())
        c.specs << FeatureSpec { makeKey(FeatureKind::Numeric, FeatureSource::Builtin, field), FeatureKind::Numeric,
            FeatureSource::Builtin, field, {}, false, 0, 1, 0 };
    for (const QString &field : builtinIndicatorFields())
        c.specs << FeatureSpec { makeKey(FeatureKind::Missing, FeatureSource::Builtin, field), FeatureKind::Missing,
            FeatureSource::Builtin, field, {}, false, 0, 1, 0 };
    for (const QString &field : builtinCategoricalFields()) {
        QHash<QString, int> counts;
        for (const RawFeatures &f : rows) {
            const QString v = builtinCategory(f, field);
            if (!v.isEmpty())
                ++counts[v];
        }
        bool hasOther = false;
        for (const QString &level : topLevels(counts, n, hasOther))
            c.specs << FeatureSpec { makeKey(FeatureKind::Level, FeatureSource::Builtin, field, level),
                FeatureKind::Level, FeatureSource::Builtin, field, level, false, 0, 1, 0 };
        if (hasOther)
            c.specs << FeatureSpec { makeKey(FeatureKind::Other, FeatureSource::Builtin, field), FeatureKind::Other,
                FeatureSource::Builtin, field, {}, false, 0, 1, 0 };
    }
    // Health components: whichever keys the scores carry, if present for enough rows.
    QMap<QString, int> components;
    for (const RawFeatures &f : rows) {
        for (auto it = f.health.cbegin(); it != f.health.cend(); ++it)
            ++components[it.key()];
    }
    for (auto it = components.cbegin(); it != components.cend(); ++it) {
        if (it.value() < kMinCustomPresence * n) {
            c.dropped << u"health.%1: scored for only %2 of %3 examples"_s.arg(it.key()).arg(it.value()).arg(n);
            continue;
        }
        c.specs << FeatureSpec { makeKey(FeatureKind::Numeric, FeatureSource::Health, it.key()), FeatureKind::Numeric,
            FeatureSource::Health, it.key(), {}, false, 0, 1, 0 };
    }
    // Custom fields: numeric when every present value parses as a number, else categorical.
    QMap<QString, int> present;
    QHash<QString, bool> numeric;
    for (const RawFeatures &f : rows) {
        for (auto it = f.custom.cbegin(); it != f.custom.cend(); ++it) {
            const CustomValue v = customValue(f.custom, it.key());
            if (!v.present)
                continue;
            ++present[it.key()];
            auto found = numeric.find(it.key());
            if (found == numeric.end())
                numeric.insert(it.key(), v.numeric);
            else
                *found = *found && v.numeric;
        }
    }
    for (auto it = present.cbegin(); it != present.cend(); ++it) {
        const QString &key = it.key();
        if (it.value() < kMinCustomPresence * n) {
            c.dropped << u"custom.%1: set for only %2 of %3 examples"_s.arg(key).arg(it.value()).arg(n);
            continue;
        }
        if (numeric.value(key)) {
            std::vector<double> values;
            for (const RawFeatures &f : rows) {
                const CustomValue v = customValue(f.custom, key);
                if (v.present)
                    values.push_back(v.number);
            }
            // Heavy right tails (employees, seats, revenue) on a log scale, so a few giants do not set the slope.
            const bool log1p = *std::min_element(values.begin(), values.end()) >= 0 && skewness(values) > 2.0;
            c.specs << FeatureSpec { makeKey(FeatureKind::Numeric, FeatureSource::Custom, key), FeatureKind::Numeric,
                FeatureSource::Custom, key, {}, log1p, 0, 1, 0 };
            if (it.value() < n)
                c.specs << FeatureSpec { makeKey(FeatureKind::Missing, FeatureSource::Custom, key),
                    FeatureKind::Missing, FeatureSource::Custom, key, {}, false, 0, 1, 0 };
        } else {
            QHash<QString, int> counts;
            for (const RawFeatures &f : rows) {
                const CustomValue v = customValue(f.custom, key);
                if (v.present)
                    ++counts[v.text];
            }
            bool hasOther = false;
            const QStringList levels = topLevels(counts, n, hasOther);
            if (levels.isEmpty()) {
                c.dropped << u"custom.%1: no value is shared by enough customers (%2 distinct values)"_s.arg(key).arg(
                    counts.size());
                continue;
            }
            for (const QString &level : levels)
                c.specs << FeatureSpec { makeKey(FeatureKind::Level, FeatureSource::Custom, key, level),
                    FeatureKind::Level, FeatureSource::Custom, key, level, false, 0, 1, 0 };
            if (hasOther)
                c.specs << FeatureSpec { makeKey(FeatureKind::Other, FeatureSource::Custom, key), FeatureKind::Other,
                    FeatureSource::Custom, key, {}, false, 0, 1, 0 };
        }
    }
    return c;
}

// ------------------------------------------------------------------------------------------------------------
// Storage helpers

Result<std::optional<Domain::ChurnModel>> fetchModel(
    const Storage::Database &db, const QString &where, const QVariantList &bindings)
{
    using Repo = Storage::ChurnModelRepository;
    auto q = Storage::exec(db, u"SELECT %1 FROM churn_models WHERE %2"_s.arg(Repo::selectList(), where), bindings);
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<Domain::ChurnModel>();
    const QSqlRecord rec = q->record();
    Domain::ChurnModel model = Repo::fromRow(*q, rec);
    while (q->next()) { }
    return std::optional<Domain::ChurnModel>(model);
}

Result<int> maxModelVersion(const Storage::Database &db)
{
    auto q = Storage::exec(db, u"SELECT MAX(version) FROM churn_models"_s);
    if (!q)
        return q.error();
    return q->next() && !q->value(0).isNull() ? q->value(0).toInt() : 0;
}

Result<Domain::ChurnModel> ensureActiveModel(const Storage::Database &db, const QDateTime &now)
{
    auto active = fetchModel(db, u"is_active = ?"_s, { true });
    if (!active)
        return active.error();
    if (*active)
        return **active;
    auto highest = maxModelVersion(db);
    if (!highest)
        return highest.error();
    if (*highest > 0)
        return Error::notFound(
            u"version"_s, u"no churn model is active (versions 1 to %1 exist); activate one"_s.arg(*highest));
    Storage::ChurnModelRepository repo(db);
    auto created = repo.create(defaultModelRecord(now));
    if (created)
        return *created;
    if (created.error().code != ErrorCode::AlreadyExists)
        return created.error();
    // Another connection stored version 1 at the same moment: use theirs.
    auto again = fetchModel(db, u"is_active = ?"_s, { true });
    if (!again)
        return again.error();
    if (!*again)
        return created.error();
    return **again;
}

} // namespace

// ------------------------------------------------------------------------------------------------------------

ChurnService::ChurnService(const Storage::Database &db, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
{ }

ChurnRiskLevel ChurnService::riskLevelFor(double probability)
{
    // Cut points on p(churn) against a typical base rate near 10 %: below 0.15 is at or near the base rate;
    // 0.15–0.30 up to three times it; 0.30–0.50 a real threat; from 0.50 the model expects a loss.
    if (probability >= 0.50)
        return ChurnRiskLevel::Critical;
    if (probability >= 0.30)
        return ChurnRiskLevel::High;
    if (probability >= 0.15)
        return ChurnRiskLevel::Medium;
    return ChurnRiskLevel::Low;
}

Result<ChurnModelInfo> ChurnService::activeModel()
{
    auto record = ensureActiveModel(m_db, m_clock.now());
    if (!record)
        return record.error();
    auto loaded = loadModel(*record);
    if (!loaded)
        return loaded.error();
    return modelInfo(*loaded);
}

Result<ChurnModelInfo> ChurnService::model(int version) const
{
    auto record = fetchModel(m_db, u"version = ?"_s, { version });
    if (!record)
        return record.error();
    if (!*record)
        return Error::notFound(u"version"_s, u"no churn model with version %1"_s.arg(version));
    auto loaded = loadModel(**record);
    if (!loaded)
        return loaded.error();
    return modelInfo(*loaded);
}

Result<QList<ChurnModelInfo>> ChurnService::models(int limit) const
{
    if (limit < 1 || limit > 100)
        return Error::invalid(u"limit"_s, u"must be between 1 and 100"_s);
    using Repo = Storage::ChurnModelRepository;
    auto q = Storage::exec(
        m_db, u"SELECT %1 FROM churn_models ORDER BY version DESC LIMIT %2"_s.arg(Repo::selectList()).arg(limit));
    if (!q)
        return q.error();
    QList<ChurnModelInfo> list;
    const QSqlRecord rec = q->record();
    while (q->next()) {
        auto loaded = loadModel(Repo::fromRow(*q, rec));
        if (!loaded)
            return loaded.error();
        list << modelInfo(*loaded);
    }
    return list;
}

Result<ChurnModelInfo> ChurnService::activateModel(int version)
{
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto record = fetchModel(m_db, u"version = ?"_s, { version });
    if (!record)
        return record.error();
    if (!*record)
        return Error::notFound(u"version"_s, u"no churn model with version %1"_s.arg(version));
    if (auto loaded = loadModel(**record); !loaded)
        return loaded.error();
    const QString now = Storage::nowExpression(m_db.dialect());
    if (auto off = Storage::exec(m_db,
            u"UPDATE churn_models SET is_active = ?, updated_at = %1 WHERE is_active = ?"_s.arg(now), { false, true });
        !off)
        return off.error();
    if (auto on = Storage::exec(m_db,
            u"UPDATE churn_models SET is_active = ?, updated_at = %1 WHERE version = ?"_s.arg(now), { true, version });
        !on)
        return on.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    Q_EMIT modelChanged(version);
    return model(version);
}

Result<ChurnTrainingReport> ChurnService::trainModel(const ChurnTrainingOptions &options)
{
    if (options.folds < 2 || options.folds > 10)
        return Error::invalid(u"folds"_s, u"must be between 2 and 10"_s);
    if (options.horizonDays < 7 || options.horizonDays > 365)
        return Error::invalid(u"horizon_days"_s, u"must be between 7 and 365"_s);
    if (options.l2 && (!(*options.l2 > 0) || *options.l2 > 1e6))
        return Error::invalid(u"l2"_s, u"must be greater than 0 and at most 1000000"_s);
    if (options.minimumPerClass < options.folds)
        return Error::invalid(
            u"minimum_per_class"_s, u"must be at least the number of folds (%1)"_s.arg(options.folds));

    const QDateTime now = m_clock.now();
    const QDate today = now.date();
    constexpr int kSteps = 5;
    // Between steps: tell the caller how far we are, and stop (nothing stored yet) when it cancelled.
    const auto step = [&options](int done, const QString &stage) -> Status {
        if (options.isCancelled && options.isCancelled())
            return Error { ErrorCode::Cancelled, {}, u"training was cancelled; no model was stored"_s };
        if (options.progress)
            options.progress(stage, done, kSteps);
        return {};
    };
    if (auto ok = step(0, u"selecting training examples"_s); !ok)
        return ok.error();
    // Version 1 is the default model, also when the first thing anyone does is train.
    if (auto ensured = ensureActiveModel(m_db, now); !ensured && ensured.error().code != ErrorCode::NotFound)
        return ensured.error();

    auto set = trainingSet(m_db, today, options.horizonDays, options.seed);
    if (!set)
        return set.error();
    if (set->churned < options.minimumPerClass || set->retained < options.minimumPerClass) {
        QString message = u"not enough history to train a churn model: %1 churned and %2 retained customers qualify, "
                          u"at least %3 of each are needed"_s.arg(set->churned)
                              .arg(set->retained)
                              .arg(options.minimumPerClass);
        if (!set->excluded.isEmpty())
            message += u" (left out: "_s + set->excluded.join(u"; "_s) + u')';
        return Error::invalid(QString(), message);
    }

    if (auto ok = step(1, u"computing model inputs"_s); !ok)
        return ok.error();
    QList<Point> points;
    for (const Example &e : set->examples)
        points << Point { e.customerId, e.cutoff };
    auto features = computeFeatures(m_db, points);
    if (!features)
        return features.error();
    QList<RawFeatures> rows;
    std::vector<double> y;
    std::vector<quint64> keys;
    for (const Example &e : set->examples) {
        rows << features->value(e.customerId);
        y.push_back(e.label);
        keys.push_back(Stats::stableHash(e.customerId, options.seed));
    }
    const int n = int(rows.size());

    // Candidate inputs → matrix; drop the ones without information, and custom fields that look like leaks.
    Candidates candidates = candidateFeatures(rows);
    QStringList dropped = candidates.dropped;
    QList<FeatureSpec> specs;
    std::vector<std::vector<double>> columns;
    {
        const LevelIndex levels = levelIndex(candidates.specs);
        QSet<QString> leakyFields;
        QHash<QString, double> leakAuc;
        QSet<QString> customFields;
        QSet<QString> numericFields;
        for (const FeatureSpec &spec : candidates.specs) {
            if (spec.source != FeatureSource::Custom)
                continue;
            customFields.insert(spec.field);
            if (spec.kind == FeatureKind::Numeric)
                numericFields.insert(spec.field);
        }
        for (const QString &field : std::as_const(customFields)) {
            const double separation = customFieldSeparation(
                field, numericFields.contains(field), levels.value(fieldId(FeatureSource::Custom, field)), rows, y);
            if (separation >= kLeakAuc) {
                leakyFields.insert(field);
                leakAuc.insert(field, separation);
            }
        }
        for (const FeatureSpec &spec : candidates.specs) {
            if (spec.source == FeatureSource::Custom && leakyFields.contains(spec.field))
                continue;
            std::vector<double> column(static_cast<std::size_t>(n));
            int present = 0;
            double minimum = std::numeric_limits<double>::infinity();
            double maximum = -std::numeric_limits<double>::infinity();
            for (int i = 0; i < n; ++i) {
                column[std::size_t(i)] = specValue(spec, rows[i], levels);
                if (!std::isnan(column[std::size_t(i)])) {
                    ++present;
                    minimum = std::min(minimum, column[std::size_t(i)]);
                    maximum = std::max(maximum, column[std::size_t(i)]);
                }
            }
            if (present == 0) {
                dropped << u"%1: no data"_s.arg(spec.key);
                continue;
            }
            if (maximum - minimum <= 1e-12 * std::max(1.0, std::abs(maximum))) {
                dropped << u"%1: the same for every example"_s.arg(spec.key);
                continue;
            }
            specs << spec;
            columns.push_back(std::move(column));
        }
        for (const QString &field : std::as_const(leakyFields)) {
            dropped << u"custom.%1: separates churned from retained almost perfectly on its own (AUC %2), which "
                       u"usually means it was recorded after the churn (a cancellation reason, say); left out as a "
                       u"probable leak"_s.arg(field, trimNumber(leakAuc.value(field), 3));
        }
    }
    if (specs.isEmpty())
        return Error::invalid(QString(),
            u"no usable model inputs: every candidate was empty, constant or left out (%1)"_s.arg(
                dropped.join(u"; "_s)));

    Stats::Matrix x(n, int(specs.size()));
    for (int j = 0; j < int(specs.size()); ++j) {
        for (int i = 0; i < n; ++i)
            x(i, j) = columns[std::size_t(j)][std::size_t(i)];
    }

    // λ: fixed, or from the grid by (nested) cross-validation.
    const std::vector<double> grid
        = options.l2 ? std::vector<double> { *options.l2 } : std::vector<double> { 0.1, 0.3, 1, 3, 10, 30 };
    Stats::FitOptions fit;
    Stats::CrossValidationOptions cvOptions;
    cvOptions.folds = options.folds;
    cvOptions.l2Grid = grid;
    cvOptions.innerFolds = 3;
    cvOptions.fit = fit;
    double finalL2 = grid.front();
    if (auto ok = step(2, u"choosing the regularisation"_s); !ok)
        return ok.error();
    if (grid.size() > 1) {
        // Beyond kNestedLimit examples λ barely matters and every fit is expensive: choose it once, on a
        // deterministic stratified subsample (the examples with the smallest fold keys, per class in proportion).
        std::vector<int> selectionRows;
        if (n > kNestedLimit) {
            for (const double cls : { 1.0, 0.0 }) {
                std::vector<int> members;
                for (int i = 0; i < n; ++i) {
                    if (y[std::size_t(i)] == cls)
                        members.push_back(i);
                }
                std::sort(members.begin(), members.end(),
                    [&](int a, int b) { return keys[std::size_t(a)] < keys[std::size_t(b)]; });
                const auto take = std::size_t(std::ceil(double(kNestedLimit) * double(members.size()) / n));
                selectionRows.insert(selectionRows.end(), members.begin(),
                    members.begin() + std::ptrdiff_t(std::min(take, members.size())));
            }
            std::sort(selectionRows.begin(), selectionRows.end());
        }
        auto chosen = Stats::selectL2(x, y, keys, selectionRows, grid, options.folds, true, fit);
        if (!chosen)
            return chosen.error();
        finalL2 = *chosen;
        if (n > kNestedLimit)
            cvOptions.l2Grid = { finalL2 };
    }
    if (auto ok = step(3, u"cross-validating"_s); !ok)
        return ok.error();
    auto cv = Stats::crossValidate(x, y, keys, cvOptions);
    if (!cv)
        return cv.error();
    if (auto ok = step(4, u"fitting and storing the model"_s); !ok)
        return ok.error();
    if (!cv->aucMeanSd)
        return Error::storage(u"cross-validation produced no fold with both classes"_s);
    auto trained = Stats::train(x, y, {}, finalL2, true, fit);
    if (!trained)
        return trained.error();

    // The model as stored.
    Domain::ChurnModel record;
    record.source = ChurnModelSource::Trained;
    record.trainedAt = now;
    record.sampleCount = n;
    record.churnedCount = set->churned;
    record.retainedCount = set->retained;
    record.cvFolds = options.folds;
    record.auc = std::clamp(cv->aucMeanSd->mean, 0.0, 1.0);
    record.coefficients.insert(u"intercept"_s, trained->model.intercept);
    for (int j = 0; j < int(specs.size()); ++j) {
        FeatureSpec &spec = specs[j];
        spec.mean = trained->standardiser.means[std::size_t(j)];
        spec.sd = trained->standardiser.sds[std::size_t(j)];
        spec.coefficient = trained->model.coefficients[std::size_t(j)];
        record.features << encodeSpec(spec);
        record.coefficients.insert(spec.key, spec.coefficient);
    }
    const auto bins = Stats::calibrationBins(cv->outOfFold, y, 10);
    for (const Stats::CalibrationBin &b : bins) {
        record.calibration << QVariantMap { { u"bin"_s, b.bin }, { u"count"_s, b.count },
            { u"min_predicted"_s, b.minPredicted }, { u"max_predicted"_s, b.maxPredicted },
            { u"mean_predicted"_s, b.meanPredicted }, { u"observed_rate"_s, b.observedRate } };
    }
    const double baseRate = double(set->churned) / n;
    record.note
        = u"Trained on %1 customers (%2 churned, %3 retained); inputs as of %4 days before churn (retained: "
          u"matched cutoffs); %5 inputs, class-weighted L2 logistic regression, λ = %6; %7-fold CV AUC %8 ± %9."_s
              .arg(n)
              .arg(set->churned)
              .arg(set->retained)
              .arg(options.horizonDays)
              .arg(specs.size())
              .arg(trimNumber(finalL2, 2))
              .arg(options.folds)
              .arg(trimNumber(cv->aucMeanSd->mean, 3), trimNumber(cv->aucMeanSd->sd, 3));
    if (!trained->model.converged)
        record.note += u" The final fit did not fully converge."_s;

    // Version numbers are taken inside the transaction; a concurrent trainer on another desktop (PostgreSQL)
    // can take the same one first, which the UNIQUE (version) turns into AlreadyExists: then try the next.
    Domain::ChurnModel stored;
    for (int attempt = 0;; ++attempt) {
        Storage::Transaction tx(m_db);
        if (!tx.isActive())
            return tx.beginError();
        auto highest = maxModelVersion(m_db);
        if (!highest)
            return highest.error();
        record.modelVersion = *highest + 1;
        record.isActive = options.activate;
        if (options.activate) {
            auto off = Storage::exec(m_db,
                u"UPDATE churn_models SET is_active = ?, updated_at = %1 WHERE is_active = ?"_s.arg(
                    Storage::nowExpression(m_db.dialect())),
                { false, true });
            if (!off)
                return off.error();
        }
        Storage::ChurnModelRepository repo(m_db);
        auto created = repo.create(record);
        if (!created) {
            if (created.error().code == ErrorCode::AlreadyExists && attempt < 3)
                continue;
            return created.error();
        }
        if (auto committed = tx.commit(); !committed)
            return committed.error();
        stored = *created;
        break;
    }
    record = stored;

    auto loaded = loadModel(record);
    if (!loaded)
        return loaded.error();
    ChurnTrainingReport report;
    report.model = modelInfo(*loaded);
    report.activated = options.activate;
    report.horizonDays = options.horizonDays;
    report.excluded = set->excluded;
    report.droppedFeatures = dropped;
    report.foldAuc = QList<double>(cv->foldAuc.begin(), cv->foldAuc.end());
    report.cvAucMean = cv->aucMeanSd->mean;
    report.cvAucSd = cv->aucMeanSd->sd;
    report.pooledAuc = cv->pooledAuc;
    report.brierScore = Stats::brierScore(cv->outOfFold, y);
    report.l2 = finalL2;
    report.foldL2 = QList<double>(cv->foldL2.begin(), cv->foldL2.end());
    report.baseRate = baseRate;
    report.converged = trained->model.converged;
    report.iterations = trained->model.iterations;
    report.topDrivers = report.model.coefficients.mid(0, 8);
    QStringList strongest;
    for (const ChurnCoefficient &c : report.topDrivers.mid(0, 3))
        strongest << u"%1 (%2 risk)"_s.arg(c.label, c.coefficient > 0 ? u"raises"_s : u"lowers"_s);
    report.summary
        = u"Model version %1 learned from %2 churned and %3 retained customers. Cross-validated AUC %4 ± %5 "
          u"over %6 folds (0.5 = guessing, 1 = perfect ranking). Strongest inputs: %7."_s.arg(record.modelVersion)
              .arg(set->churned)
              .arg(set->retained)
              .arg(trimNumber(report.cvAucMean, 3), trimNumber(report.cvAucSd, 3))
              .arg(options.folds)
              .arg(strongest.join(u"; "_s));
    if (options.progress)
        options.progress(u"done"_s, kSteps, kSteps);
    if (options.activate)
        Q_EMIT modelChanged(record.modelVersion);
    return report;
}

Result<ChurnRisk> ChurnService::assessAsOf(const QString &customerId, const QDate &asOf)
{
    if (!asOf.isValid())
        return Error::invalid(u"as_of"_s, u"must be a valid date"_s);
    if (asOf > m_clock.today())
        return Error::invalid(u"as_of"_s, u"must not be in the future"_s);
    auto record = ensureActiveModel(m_db, m_clock.now());
    if (!record)
        return record.error();
    auto loaded = loadModel(*record);
    if (!loaded)
        return loaded.error();
    auto features = computeFeatures(m_db, { Point { customerId, asOf } });
    if (!features)
        return features.error();
    const RawFeatures f = features->value(customerId);
    if (!f.exists)
        return Error::notFound(u"customer_id"_s, u"no customer with customer_id '%1'"_s.arg(customerId));
    return predict(*loaded, f);
}

namespace {

// A timeline event (kind score_change, source churn_predictions/<id>) for every prediction with id ≥ firstId whose
// risk level differs from the customer's previous prediction: one index seek per new prediction, one event per
// changed customer only. A first prediction has nothing to differ from and records nothing.
Status recordRiskLevelChanges(const Storage::Database &db, qint64 firstId)
{
    auto q = Storage::exec(db,
        u"SELECT p.id, p.customer_id, p.probability, p.risk_level, p.predicted_at, q.probability, q.risk_level "
        "FROM churn_predictions p JOIN churn_predictions q ON q.id = (SELECT q2.id FROM churn_predictions q2 "
        "WHERE q2.customer_id = p.customer_id AND (q2.predicted_at < p.predicted_at OR "
        "(q2.predicted_at = p.predicted_at AND q2.id < p.id)) ORDER BY q2.predicted_at DESC, q2.id DESC LIMIT 1) "
        "WHERE p.id >= ? AND q.risk_level <> p.risk_level ORDER BY p.id"_s,
        { firstId });
    if (!q)
        return q.error();
    struct Change
    {
        qint64 predictionId = 0;
        QString customerId;
        QDateTime at;
        ChurnRiskLevel level {};
        ChurnRiskLevel was {};
        double probability = 0;
        double previous = 0;
    };
    // Read to the end before the first timeline write: on PostgreSQL a statement run while this forward-only
    // result is still being read discards the rest of it (only the first changed customer got its event).
    QList<Change> changes;
    while (q->next()) {
        Change c;
        c.predictionId = q->value(0).toLongLong();
        c.customerId = q->value(1).toString();
        c.probability = q->value(2).toDouble();
        Storage::Convert::fromSql(q->value(3), c.level);
        Storage::Convert::fromSql(q->value(4), c.at);
        c.previous = q->value(5).toDouble();
        Storage::Convert::fromSql(q->value(6), c.was);
        changes << c;
    }
    const auto percent = [](double p) -> QString { return QString::number(qRound(p * 100)) + u'%'; };
    for (const Change &c : std::as_const(changes)) {
        const QString title
            = u"Churn risk %1 from %2 (%3) to %4 (%5)"_s.arg(int(c.level) > int(c.was) ? u"rose"_s : u"fell"_s,
                Domain::enumName(c.was), percent(c.previous), Domain::enumName(c.level), percent(c.probability));
        if (auto ok = TimelineService::append(db, c.customerId, c.at, Domain::TimelineEventKind::ScoreChange, title,
                { { u"risk_level"_s, Domain::enumName(c.level) }, { u"probability"_s, c.probability },
                    { u"previous_risk_level"_s, Domain::enumName(c.was) }, { u"previous_probability"_s, c.previous } },
                u"churn_predictions"_s, QString::number(c.predictionId), u"churn_service"_s);
            !ok)
            return ok;
    }
    return {};
}

Result<qint64> nextPredictionId(const Storage::Database &db)
{
    auto q = Storage::exec(db, u"SELECT COALESCE(MAX(id), 0) + 1 FROM churn_predictions"_s);
    if (!q)
        return q.error();
    return q->next() ? q->value(0).toLongLong() : 1;
}

} // namespace

Result<ChurnRisk> ChurnService::scoreCustomer(const QString &customerId)
{
    // Churn risk is about customers we can still lose.
    auto status
        = Storage::exec(m_db, u"SELECT status FROM customers WHERE id = ? AND deleted_at IS NULL"_s, { customerId });
    if (!status)
        return status.error();
    if (!status->next())
        return Error::notFound(u"customer_id"_s, u"no customer with customer_id '%1'"_s.arg(customerId));
    const QString current = status->value(0).toString();
    if (current != u"active"_s)
        return Error::invalid(u"customer_id"_s,
            u"customer '%1' is %2, not active: churn risk is scored for active customers only"_s.arg(
                customerId, current));
    auto risk = assessAsOf(customerId, m_clock.today());
    if (!risk)
        return risk;
    Domain::ChurnPrediction prediction;
    prediction.customerId = customerId;
    prediction.modelVersion = risk->modelVersion;
    prediction.probability = risk->probability;
    prediction.riskLevel = risk->riskLevel;
    prediction.drivers = driversToVariant(risk->drivers);
    prediction.predictedAt = m_clock.now();
    {
        Storage::Transaction tx(m_db);
        if (!tx.isActive())
            return tx.beginError();
        Storage::ChurnPredictionRepository repo(m_db);
        auto stored = repo.create(prediction);
        if (!stored)
            return stored.error();
        if (auto ok = recordRiskLevelChanges(m_db, stored->id); !ok)
            return ok.error();
        if (auto ok = tx.commit(); !ok)
            return ok.error();
        risk->predictedAt = stored->predictedAt;
    }
    Q_EMIT customerRiskChanged(customerId);
    return risk;
}

Result<ChurnPortfolioScoring> ChurnService::scorePortfolio(const ChurnScoringOptions &options)
{
    const auto cancelled = [&options] { return options.isCancelled && options.isCancelled(); };
    const auto report = [&options](const QString &stage, int done, int total) {
        if (options.progress)
            options.progress(stage, done, total);
    };
    const int progressEvery = std::max(1, options.progressEvery);
    const QDateTime now = m_clock.now();
    const QDate today = now.date();
    ChurnPortfolioScoring summary;
    summary.asOf = today;
    auto record = ensureActiveModel(m_db, now);
    if (!record)
        return record.error();
    auto loaded = loadModel(*record);
    if (!loaded)
        return loaded.error();
    summary.modelVersion = record->modelVersion;
    summary.modelSource = record->source;
    if (record->source == ChurnModelSource::Default)
        summary.caveat = kDefaultCaveat;

    auto ids
        = Storage::exec(m_db, u"SELECT id FROM customers WHERE deleted_at IS NULL AND status = 'active' ORDER BY id"_s);
    if (!ids)
        return ids.error();
    QList<Point> points;
    while (ids->next())
        points << Point { ids->value(0).toString(), today };
    if (points.isEmpty()) {
        summary.reason = u"no active customers to score"_s;
        return summary;
    }
    const int total = int(points.size());
    report(u"features"_s, 0, total);
    if (cancelled())
        return Error { ErrorCode::Cancelled, {}, u"portfolio scoring cancelled"_s };
    auto features = computeFeatures(m_db, points);
    if (!features)
        return features.error();

    double sumP = 0;
    {
        Storage::Transaction tx(m_db);
        if (!tx.isActive())
            return tx.beginError();
        auto firstNewId = nextPredictionId(m_db);
        if (!firstNewId)
            return firstNewId.error();
        Storage::BulkInserter inserter(m_db, u"churn_predictions"_s,
            { u"customer_id"_s, u"model_version"_s, u"probability"_s, u"risk_level"_s, u"drivers"_s,
                u"predicted_at"_s });
        using Storage::Convert::toSql;
        for (const Point &p : std::as_const(points)) {
            const RawFeatures f = features->value(p.customerId);
            const ChurnRisk risk = predict(*loaded, f);
            Domain::ChurnPrediction prediction;
            prediction.customerId = p.customerId;
            prediction.modelVersion = risk.modelVersion;
            prediction.probability = risk.probability;
            prediction.riskLevel = risk.riskLevel;
            prediction.drivers = driversToVariant(risk.drivers);
            prediction.predictedAt = now;
            if (auto valid = prediction.validate(); !valid)
                return valid.error();
            if (auto ok = inserter.add(
                    { toSql(prediction.customerId), toSql(prediction.modelVersion), toSql(prediction.probability),
                        toSql(prediction.riskLevel), toSql(prediction.drivers), toSql(prediction.predictedAt) });
                !ok)
                return ok.error();
            ++summary.scored;
            if (summary.scored % progressEvery == 0 && summary.scored < total) {
                report(u"scoring"_s, summary.scored, total);
                if (cancelled()) // the transaction rolls back: nothing stored
                    return Error { ErrorCode::Cancelled, {}, u"portfolio scoring cancelled"_s };
            }
            sumP += risk.probability;
            summary.arrWeightedRisk += risk.probability * f.currentArr;
            switch (risk.riskLevel) {
            case ChurnRiskLevel::Low:
                ++summary.low;
                break;
            case ChurnRiskLevel::Medium:
                ++summary.medium;
                break;
            case ChurnRiskLevel::High:
                ++summary.high;
                break;
            case ChurnRiskLevel::Critical:
                ++summary.critical;
                break;
            }
        }
        if (auto flushed = inserter.flush(); !flushed)
            return flushed.error();
        report(u"scoring"_s, total, total);
        if (auto recorded = recordRiskLevelChanges(m_db, *firstNewId); !recorded)
            return recorded.error();
        if (auto committed = tx.commit(); !committed)
            return committed.error();
    }
    summary.hasData = true;
    summary.predictedAt = now;
    summary.expectedChurnedCustomers = sumP;
    summary.meanProbability = sumP / summary.scored;
    Q_EMIT portfolioScored(summary.modelVersion);
    return summary;
}

Result<std::optional<ChurnRisk>> ChurnService::latestRisk(const QString &customerId) const
{
    auto customer
        = Storage::exec(m_db, u"SELECT name FROM customers WHERE id = ? AND deleted_at IS NULL"_s, { customerId });
    if (!customer)
        return customer.error();
    if (!customer->next())
        return Error::notFound(u"customer_id"_s, u"no customer with customer_id '%1'"_s.arg(customerId));
    const QString name = customer->value(0).toString();
    auto q = Storage::exec(m_db,
        u"SELECT p.model_version, p.probability, p.risk_level, p.drivers, p.predicted_at, m.source "
        u"FROM churn_predictions p LEFT JOIN churn_models m ON m.version = p.model_version "
        u"WHERE p.customer_id = ? ORDER BY p.predicted_at DESC, p.id DESC LIMIT 1"_s,
        { customerId });
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<ChurnRisk>();
    using Storage::Convert::fromSql;
    ChurnRisk risk;
    risk.customerId = customerId;
    risk.customerName = name;
    risk.modelVersion = q->value(0).toInt();
    risk.probability = q->value(1).toDouble();
    fromSql(q->value(2), risk.riskLevel);
    QVariantList drivers;
    fromSql(q->value(3), drivers);
    risk.drivers = driversFromVariant(drivers);
    fromSql(q->value(4), risk.predictedAt);
    risk.asOf = risk.predictedAt.date();
    fromSql(q->value(5), risk.modelSource);
    while (q->next()) { }
    return std::optional<ChurnRisk>(risk);
}

Result<ChurnRiskPage> ChurnService::portfolioRisk(const ChurnRiskQuery &query) const
{
    if (query.limit < 1 || query.limit > 200)
        return Error::invalid(u"limit"_s, u"must be between 1 and 200"_s);
    ChurnRiskPage page;
    auto active = fetchModel(m_db, u"is_active = ?"_s, { true });
    if (!active)
        return active.error();
    page.activeModelVersion = *active ? (*active)->modelVersion : 0;

    // The latest prediction of each live, active customer.
    QString where = u"c.deleted_at IS NULL AND c.status = 'active' AND p.id = (SELECT p2.id FROM churn_predictions p2 "
                    u"WHERE p2.customer_id = c.id ORDER BY p2.predicted_at DESC, p2.id DESC LIMIT 1)"_s;
    QVariantList bindings;
    if (query.minimumLevel) {
        QStringList levels;
        for (ChurnRiskLevel level :
            { ChurnRiskLevel::Low, ChurnRiskLevel::Medium, ChurnRiskLevel::High, ChurnRiskLevel::Critical }) {
            if (int(level) >= int(*query.minimumLevel)) {
                levels << u"?"_s;
                bindings << Domain::enumName(level);
            }
        }
        where += u" AND p.risk_level IN (%1)"_s.arg(levels.join(u", "_s));
    }
    if (!query.owner.isEmpty()) {
        where += u" AND c.owner = ?"_s;
        bindings << query.owner;
    }
    const QString from = u" FROM customers c JOIN churn_predictions p ON p.customer_id = c.id WHERE "_s;
    {
        auto counted = Storage::exec(m_db,
            u"SELECT COUNT(*), SUM(CASE WHEN p.model_version <> ? THEN 1 ELSE 0 END), MAX(p.predicted_at)"_s + from
                + where,
            QVariantList { page.activeModelVersion } + bindings);
        if (!counted)
            return counted.error();
        if (counted->next()) {
            page.total = counted->value(0).toLongLong();
            page.predictionsFromOtherModels = counted->value(1).toInt();
            Storage::Convert::fromSql(counted->value(2), page.latestPredictionAt);
        }
    }
    if (page.total == 0) {
        auto any = Storage::exec(m_db, u"SELECT 1 FROM churn_predictions LIMIT 1"_s);
        if (!any)
            return any.error();
        page.reason
            = any->next() ? u"no active customer matches"_s : u"no churn predictions yet: score the portfolio first"_s;
        return page;
    }
    page.hasData = true;

    QVariantList pageBindings = bindings;
    QString keyset;
    if (!query.cursor.isEmpty()) {
        auto decoded = Storage::Detail::decodeCursor(query.cursor, u"probability"_s, true);
        if (!decoded)
            return decoded.error();
        keyset = u" AND (p.probability < ? OR (p.probability = ? AND c.id > ?))"_s;
        pageBindings << decoded->value.toDouble() << decoded->value.toDouble() << decoded->key.toString();
    }
    auto q = Storage::exec(m_db,
        u"SELECT c.id, c.name, p.probability, p.risk_level, p.model_version, p.drivers, p.predicted_at, m.source"_s
            + u" FROM customers c JOIN churn_predictions p ON p.customer_id = c.id "_s
            + u"LEFT JOIN churn_models m ON m.version = p.model_version WHERE "_s + where + keyset
            + u" ORDER BY p.probability DESC, c.id ASC LIMIT %1"_s.arg(query.limit + 1),
        pageBindings);
    if (!q)
        return q.error();
    using Storage::Convert::fromSql;
    while (q->next()) {
        if (page.items.size() == query.limit) {
            const ChurnRisk &last = page.items.constLast();
            page.nextCursor = Storage::Detail::encodeCursor(u"probability"_s, true, last.probability, last.customerId);
            break;
        }
        ChurnRisk risk;
        risk.customerId = q->value(0).toString();
        risk.customerName = q->value(1).toString();
        risk.probability = q->value(2).toDouble();
        fromSql(q->value(3), risk.riskLevel);
        risk.modelVersion = q->value(4).toInt();
        QVariantList drivers;
        fromSql(q->value(5), drivers);
        risk.drivers = driversFromVariant(drivers);
        fromSql(q->value(6), risk.predictedAt);
        risk.asOf = risk.predictedAt.date();
        fromSql(q->value(7), risk.modelSource);
        page.items << risk;
    }
    return page;
}

} // namespace Core
