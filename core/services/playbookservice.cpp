// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "playbookservice.h"

#include <algorithm>
#include <cmath>

#include <QLoggingCategory>
#include <QSet>
#include <QSqlRecord>
#include <QTimeZone>

#include "communicationservice.h"
#include "segmentservice.h"
#include "servicesupport.h"
#include "sql.h"
#include "tables_engagement.h"
#include "tables_operations.h"
#include "timelineservice.h"
#include "transaction.h"

Q_LOGGING_CATEGORY(lcPlaybooks, "cs.services.playbooks")

namespace Core {

using namespace Qt::StringLiterals;
using Domain::PlaybookTrigger;

namespace {

// Floating-point slack for threshold comparisons of values rounded to 0.1 (health scores) or computed ratios.
constexpr double kEpsilon = 1e-9;

using ServiceSupport::dayOf;
using ServiceSupport::isoDay;
using ServiceSupport::sqlDay;
using ServiceSupport::sqlTime;
using ServiceSupport::startOfDay;
using ServiceSupport::timeOf;

QString isoTime(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

double round1(double v)
{
    return std::round(v * 10.0) / 10.0;
}

// Live customers that are not churned: the population every trigger looks at.
const QString kLiveCustomer = u"c.deleted_at IS NULL AND c.status <> 'churned'"_s;

bool isNumber(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Double:
    case QMetaType::Float:
        return true;
    default:
        return false;
    }
}

Status requireLiveCustomer(const Storage::Database &db, const QString &customerId)
{
    if (customerId.isEmpty())
        return Error::invalid(u"customer_id"_s, u"is required"_s);
    auto q = Storage::exec(db, u"SELECT 1 FROM customers WHERE id = ? AND deleted_at IS NULL"_s, { customerId });
    if (!q)
        return q.error();
    if (!q->next())
        return Error::notFound(u"customer_id"_s, u"no customer with id '%1'"_s.arg(customerId));
    return {};
}

Result<qint64> countOf(const Storage::Database &db, const QString &sql, const QVariantList &bindings)
{
    auto q = Storage::exec(db, sql, bindings);
    if (!q)
        return q.error();
    return q->next() ? q->value(0).toLongLong() : qint64(0);
}

Status checkLimit(int limit, int max)
{
    if (limit < 1 || limit > max)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(max));
    return {};
}

} // namespace

// ---- usage decline math ----------------------------------------------------------------------------------------

namespace UsageDeclineMath {
std::optional<double> decline(double recentTotal, int recentDays, double baselineTotal, int baselineDays)
{
    if (recentDays < 1 || baselineDays < 1)
        return std::nullopt;
    const double baselineRate = baselineTotal / baselineDays;
    if (baselineRate <= 0)
        return std::nullopt;
    return 1.0 - (recentTotal / recentDays) / baselineRate;
}
} // namespace UsageDeclineMath

namespace RiskSignals {

// ---- config reader ---------------------------------------------------------------------------------------------

ConfigReader::ConfigReader(const QVariantMap &config, QString fieldPrefix)
    : m_config(config)
    , m_prefix(std::move(fieldPrefix))
{ }

const QVariant *ConfigReader::take(const QString &key)
{
    if (!m_known.contains(key))
        m_known << key;
    auto it = m_config.constFind(key);
    if (it == m_config.constEnd() || it->isNull())
        return nullptr;
    return &*it;
}

int ConfigReader::integer(const QString &key, int defaultValue, int min, int max)
{
    const QVariant *v = take(key);
    if (!v)
        return defaultValue;
    const double d = v->toDouble();
    if (!isNumber(*v) || d != std::floor(d) || d < min || d > max) {
        if (!m_error)
            m_error = Error::invalid(
                m_prefix + u'.' + key, u"must be a whole number between %1 and %2"_s.arg(min).arg(max));
        return defaultValue;
    }
    return int(d);
}

double ConfigReader::number(const QString &key, double defaultValue, double min, double max)
{
    const QVariant *v = take(key);
    if (!v)
        return defaultValue;
    const double d = v->toDouble();
    if (!isNumber(*v) || !std::isfinite(d) || d < min || d > max) {
        if (!m_error)
            m_error = Error::invalid(m_prefix + u'.' + key, u"must be a number between %1 and %2"_s.arg(min).arg(max));
        return defaultValue;
    }
    return d;
}

bool ConfigReader::boolean(const QString &key, bool defaultValue)
{
    const QVariant *v = take(key);
    if (!v)
        return defaultValue;
    if (v->typeId() != QMetaType::Bool) {
        if (!m_error)
            m_error = Error::invalid(m_prefix + u'.' + key, u"must be true or false"_s);
        return defaultValue;
    }
    return v->toBool();
}

QString ConfigReader::choice(const QString &key, const QString &defaultValue, const QStringList &allowed)
{
    const QVariant *v = take(key);
    if (!v) {
        if (defaultValue.isEmpty() && !m_error)
            m_error = Error::invalid(m_prefix + u'.' + key, u"is required (one of %1)"_s.arg(allowed.join(u", ")));
        return defaultValue;
    }
    const QString text = v->toString();
    if (v->typeId() != QMetaType::QString || !allowed.contains(text)) {
        if (!m_error)
            m_error = Error::invalid(m_prefix + u'.' + key, u"must be one of %1"_s.arg(allowed.join(u", ")));
        return defaultValue;
    }
    return text;
}

QString ConfigReader::text(const QString &key, bool required, int maxLength)
{
    const QVariant *v = take(key);
    const QString value = v ? v->toString().trimmed() : QString();
    if (v && v->typeId() != QMetaType::QString) {
        if (!m_error)
            m_error = Error::invalid(m_prefix + u'.' + key, u"must be text"_s);
        return {};
    }
    if (required && value.isEmpty()) {
        if (!m_error)
            m_error = Error::invalid(m_prefix + u'.' + key, u"is required"_s);
        return {};
    }
    if (value.size() > maxLength) {
        if (!m_error)
            m_error = Error::invalid(m_prefix + u'.' + key, u"must be at most %1 characters"_s.arg(maxLength));
        return {};
    }
    return value;
}

Status ConfigReader::status() const
{
    if (m_error)
        return *m_error;
    return {};
}

Status ConfigReader::finish(const QStringList &alsoAllowed)
{
    if (m_error)
        return *m_error;
    for (auto it = m_config.constBegin(); it != m_config.constEnd(); ++it) {
        if (!m_known.contains(it.key()) && !alsoAllowed.contains(it.key())) {
            QStringList known = m_known + alsoAllowed;
            known.sort();
            return Error::invalid(m_prefix + u'.' + it.key(),
                u"is not a known setting (known: %1)"_s.arg(known.isEmpty() ? u"none"_s : known.join(u", ")));
        }
    }
    return {};
}

// ---- rules -----------------------------------------------------------------------------------------------------

bool HealthDropRule::fires(
    double previousScore, const QString &previousBand, double currentScore, const QString &currentBand) const
{
    if (previousScore - currentScore >= dropPoints - kEpsilon)
        return true;
    return toRed && currentBand == u"red"_s && previousBand != u"red"_s;
}

void read(ConfigReader &r, HealthDropRule &rule)
{
    rule.windowDays = r.integer(u"window_days"_s, 7, 1, 90);
    rule.dropPoints = r.number(u"drop_points"_s, 15, 1, 100);
    rule.toRed = r.boolean(u"to_red"_s, true);
}

void read(ConfigReader &r, UsageDeclineRule &rule)
{
    rule.recentDays = r.integer(u"recent_days"_s, 14, 1, 90);
    rule.baselineDays = r.integer(u"baseline_days"_s, 28, 1, 365);
    rule.declinePercent = r.number(u"decline_percent"_s, 30, 1, 100);
    rule.metric = r.choice(u"metric"_s, u"any"_s, { u"events"_s, u"active_users"_s, u"any"_s });
    rule.minBaselineEvents = r.number(u"min_baseline_events"_s, 20, 0, 1e9);
}

void read(ConfigReader &r, DetractorRule &rule)
{
    rule.lookbackDays = r.integer(u"lookback_days"_s, 30, 1, 365);
    rule.maxScore = r.integer(u"max_score"_s, 6, 0, 6);
}

void read(ConfigReader &r, RenewalRiskRule &rule)
{
    rule.withinDays = r.integer(u"within_days"_s, 90, 1, 730);
    rule.churnProbability = r.number(u"churn_probability"_s, 0.5, 0, 1);
    rule.redBand = r.boolean(u"red_band"_s, true);
    rule.maxSignalAgeDays = r.integer(u"max_signal_age_days"_s, 30, 1, 365);
}

void read(ConfigReader &r, OverdueMilestoneRule &rule)
{
    rule.graceDays = r.integer(u"grace_days"_s, 0, 0, 90);
}

template<typename Rule> Result<Rule> parseRule(const QVariantMap &config, const QString &prefix)
{
    ConfigReader r(config, prefix);
    Rule rule;
    read(r, rule);
    if (auto ok = r.finish(); !ok)
        return ok.error();
    return rule;
}

Result<HealthDropRule> healthDropRule(const QVariantMap &config, const QString &prefix)
{
    return parseRule<HealthDropRule>(config, prefix);
}
Result<UsageDeclineRule> usageDeclineRule(const QVariantMap &config, const QString &prefix)
{
    return parseRule<UsageDeclineRule>(config, prefix);
}
Result<DetractorRule> detractorRule(const QVariantMap &config, const QString &prefix)
{
    return parseRule<DetractorRule>(config, prefix);
}
Result<RenewalRiskRule> renewalRiskRule(const QVariantMap &config, const QString &prefix)
{
    return parseRule<RenewalRiskRule>(config, prefix);
}
Result<OverdueMilestoneRule> overdueMilestoneRule(const QVariantMap &config, const QString &prefix)
{
    return parseRule<OverdueMilestoneRule>(config, prefix);
}

QVariantMap toConfig(const HealthDropRule &rule)
{
    return { { u"window_days"_s, rule.windowDays }, { u"drop_points"_s, rule.dropPoints },
        { u"to_red"_s, rule.toRed } };
}
QVariantMap toConfig(const UsageDeclineRule &rule)
{
    return { { u"recent_days"_s, rule.recentDays }, { u"baseline_days"_s, rule.baselineDays },
        { u"decline_percent"_s, rule.declinePercent }, { u"metric"_s, rule.metric },
        { u"min_baseline_events"_s, rule.minBaselineEvents } };
}
QVariantMap toConfig(const DetractorRule &rule)
{
    return { { u"lookback_days"_s, rule.lookbackDays }, { u"max_score"_s, rule.maxScore } };
}
QVariantMap toConfig(const RenewalRiskRule &rule)
{
    return { { u"within_days"_s, rule.withinDays }, { u"churn_probability"_s, rule.churnProbability },
        { u"red_band"_s, rule.redBand }, { u"max_signal_age_days"_s, rule.maxSignalAgeDays } };
}
QVariantMap toConfig(const OverdueMilestoneRule &rule)
{
    return { { u"grace_days"_s, rule.graceDays } };
}

QVariantMap readRule(ConfigReader &reader, PlaybookTrigger kind)
{
    switch (kind) {
    case PlaybookTrigger::HealthDrop: {
        HealthDropRule rule;
        read(reader, rule);
        return toConfig(rule);
    }
    case PlaybookTrigger::UsageDecline: {
        UsageDeclineRule rule;
        read(reader, rule);
        return toConfig(rule);
    }
    case PlaybookTrigger::Detractor: {
        DetractorRule rule;
        read(reader, rule);
        return toConfig(rule);
    }
    case PlaybookTrigger::RenewalRisk: {
        RenewalRiskRule rule;
        read(reader, rule);
        return toConfig(rule);
    }
    case PlaybookTrigger::OverdueMilestone: {
        OverdueMilestoneRule rule;
        read(reader, rule);
        return toConfig(rule);
    }
    case PlaybookTrigger::Manual:
        break;
    }
    return {};
}

Result<QVariantMap> normalizeTriggerConfig(PlaybookTrigger kind, const QVariantMap &config, const QString &prefix)
{
    ConfigReader r(config, prefix);
    QVariantMap normalized = readRule(r, kind);
    normalized.insert(u"reenrol_after_days"_s, r.integer(u"reenrol_after_days"_s, kDefaultReenrolAfterDays, 0, 3650));
    if (auto ok = r.finish(); !ok)
        return ok.error();
    return normalized;
}

// ---- evaluation ----------------------------------------------------------------------------------------------------

Result<QList<SignalMatch>> healthDrop(const Storage::Database &db, const QDateTime &now, const HealthDropRule &rule)
{
    // current: latest score in D−w+1 … D; previous: latest score in D−2w+1 … D−w (see the header).
    const QDate d = now.toUTC().date();
    const int w = rule.windowDays;
    const QString latestIn = u"(SELECT customer_id, MAX(score_date) AS d FROM health_scores "
                             "WHERE score_date >= ? AND score_date <= ? GROUP BY customer_id)"_s;
    const QString sql = u"SELECT c.id, c.name, cur.score_date, cur.score, cur.band, prev.score_date, prev.score, "
                        "prev.band FROM "_s
        + latestIn + u" cm JOIN health_scores cur ON cur.customer_id = cm.customer_id AND cur.score_date = cm.d JOIN "_s
        + latestIn
        + u" pm ON pm.customer_id = cm.customer_id JOIN health_scores prev ON prev.customer_id = pm.customer_id "
          "AND prev.score_date = pm.d JOIN customers c ON c.id = cm.customer_id WHERE "_s
        + kLiveCustomer + u" ORDER BY c.id"_s;
    auto q = Storage::exec(
        db, sql, { sqlDay(d.addDays(-w + 1)), sqlDay(d), sqlDay(d.addDays(-2 * w + 1)), sqlDay(d.addDays(-w)) });
    if (!q)
        return q.error();
    QList<SignalMatch> matches;
    while (q->next()) {
        const double current = q->value(3).toDouble();
        const QString currentBand = q->value(4).toString();
        const double previous = q->value(6).toDouble();
        const QString previousBand = q->value(7).toString();
        if (!rule.fires(previous, previousBand, current, currentBand))
            continue;
        SignalMatch m;
        m.customerId = q->value(0).toString();
        m.customerName = q->value(1).toString();
        const QDate currentDay = dayOf(q->value(2));
        const QDate previousDay = dayOf(q->value(5));
        const double drop = round1(previous - current);
        m.context = { { u"signal"_s, u"health_drop"_s }, { u"current_score"_s, current },
            { u"current_band"_s, currentBand }, { u"current_date"_s, isoDay(currentDay) },
            { u"previous_score"_s, previous }, { u"previous_band"_s, previousBand },
            { u"previous_date"_s, isoDay(previousDay) }, { u"drop_points"_s, drop } };
        m.summary = u"health fell from %1 (%2) on %3 to %4 (%5) on %6"_s.arg(QString::number(previous, 'f', 1),
            previousBand, isoDay(previousDay), QString::number(current, 'f', 1), currentBand, isoDay(currentDay));
        matches << m;
    }
    return matches;
}

Result<QList<SignalMatch>> usageDecline(const Storage::Database &db, const QDateTime &now, const UsageDeclineRule &rule)
{
    const QDate d = now.toUTC().date();
    const QDate recentFrom = d.addDays(-rule.recentDays + 1);
    const QDate baselineFrom = recentFrom.addDays(-rule.baselineDays);
    const QString sql = u"SELECT u.customer_id, c.name, "
                        "SUM(CASE WHEN u.day >= ? THEN u.events ELSE 0 END), "
                        "SUM(CASE WHEN u.day < ? THEN u.events ELSE 0 END), "
                        "SUM(CASE WHEN u.day >= ? THEN u.active_users ELSE 0 END), "
                        "SUM(CASE WHEN u.day < ? THEN u.active_users ELSE 0 END) "
                        "FROM usage_daily u JOIN customers c ON c.id = u.customer_id "
                        "WHERE u.feature = '' AND u.day >= ? AND u.day <= ? AND "_s
        + kLiveCustomer + u" GROUP BY u.customer_id, c.name ORDER BY u.customer_id"_s;
    auto q = Storage::exec(db, sql,
        { sqlDay(recentFrom), sqlDay(recentFrom), sqlDay(recentFrom), sqlDay(recentFrom), sqlDay(baselineFrom),
            sqlDay(d) });
    if (!q)
        return q.error();
    const double threshold = rule.declinePercent / 100.0;
    QList<SignalMatch> matches;
    while (q->next()) {
        const double recentEvents = q->value(2).toDouble();
        const double baselineEvents = q->value(3).toDouble();
        const double recentUsers = q->value(4).toDouble();
        const double baselineUsers = q->value(5).toDouble();
        if (baselineEvents < rule.minBaselineEvents)
            continue;
        const auto eventsDecline
            = UsageDeclineMath::decline(recentEvents, rule.recentDays, baselineEvents, rule.baselineDays);
        const auto usersDecline
            = UsageDeclineMath::decline(recentUsers, rule.recentDays, baselineUsers, rule.baselineDays);
        const bool eventsFire = eventsDecline && *eventsDecline >= threshold - kEpsilon;
        const bool usersFire = usersDecline && *usersDecline >= threshold - kEpsilon;
        const bool fires = rule.metric == u"events"_s ? eventsFire
            : rule.metric == u"active_users"_s        ? usersFire
                                                      : (eventsFire || usersFire);
        if (!fires)
            continue;
        SignalMatch m;
        m.customerId = q->value(0).toString();
        m.customerName = q->value(1).toString();
        const double recentRate = recentEvents / rule.recentDays;
        const double baselineRate = baselineEvents / rule.baselineDays;
        m.context = { { u"signal"_s, u"usage_decline"_s }, { u"recent_from"_s, isoDay(recentFrom) },
            { u"recent_to"_s, isoDay(d) }, { u"baseline_from"_s, isoDay(baselineFrom) },
            { u"baseline_to"_s, isoDay(recentFrom.addDays(-1)) }, { u"recent_events"_s, recentEvents },
            { u"baseline_events"_s, baselineEvents }, { u"recent_events_per_day"_s, recentRate },
            { u"baseline_events_per_day"_s, baselineRate },
            { u"recent_mean_daily_users"_s, recentUsers / rule.recentDays },
            { u"baseline_mean_daily_users"_s, baselineUsers / rule.baselineDays } };
        if (eventsDecline)
            m.context.insert(u"events_decline_percent"_s, round1(*eventsDecline * 100));
        if (usersDecline)
            m.context.insert(u"active_users_decline_percent"_s, round1(*usersDecline * 100));
        const bool describeUsers = usersFire && !(eventsFire && rule.metric != u"active_users"_s);
        if (describeUsers) {
            m.summary = u"mean daily active users fell %1 % (%2 → %3) over the last %4 days against the %5 before"_s
                            .arg(QString::number(*usersDecline * 100, 'f', 1),
                                QString::number(baselineUsers / rule.baselineDays, 'f', 1),
                                QString::number(recentUsers / rule.recentDays, 'f', 1))
                            .arg(rule.recentDays)
                            .arg(rule.baselineDays);
        } else {
            m.summary = u"events per day fell %1 % (%2 → %3) over the last %4 days against the %5 before"_s
                            .arg(QString::number(*eventsDecline * 100, 'f', 1), QString::number(baselineRate, 'f', 1),
                                QString::number(recentRate, 'f', 1))
                            .arg(rule.recentDays)
                            .arg(rule.baselineDays);
        }
        matches << m;
    }
    return matches;
}

Result<QList<SignalMatch>> detractors(const Storage::Database &db, const QDateTime &now, const DetractorRule &rule)
{
    const QDate d = now.toUTC().date();
    const QDateTime from = startOfDay(d.addDays(-rule.lookbackDays + 1));
    const QString sql = u"SELECT c.id, c.name, r.id, r.score, r.responded_at, r.comment FROM survey_responses r "
                        "JOIN customers c ON c.id = r.customer_id WHERE r.kind = 'nps' AND r.deleted_at IS NULL "
                        "AND r.score <= ? AND r.responded_at >= ? AND r.responded_at <= ? AND "_s
        + kLiveCustomer + u" ORDER BY c.id, r.responded_at DESC, r.id DESC"_s;
    auto q = Storage::exec(db, sql, { rule.maxScore, sqlTime(from), sqlTime(now) });
    if (!q)
        return q.error();
    QList<SignalMatch> matches;
    while (q->next()) {
        const QString customerId = q->value(0).toString();
        if (!matches.isEmpty() && matches.last().customerId == customerId) {
            auto &context = matches.last().context;
            context[u"detractor_responses"_s] = context.value(u"detractor_responses"_s).toInt() + 1;
            continue;
        }
        SignalMatch m;
        m.customerId = customerId;
        m.customerName = q->value(1).toString();
        const QDateTime at = timeOf(q->value(4));
        m.context = { { u"signal"_s, u"detractor"_s }, { u"response_id"_s, q->value(2).toLongLong() },
            { u"score"_s, q->value(3).toInt() }, { u"responded_at"_s, isoTime(at) },
            { u"comment"_s, q->value(5).toString() }, { u"detractor_responses"_s, 1 },
            { u"lookback_from"_s, isoTime(from) } };
        m.summary = u"NPS answer %1 on %2"_s.arg(q->value(3).toInt()).arg(isoDay(at.date()));
        matches << m;
    }
    for (SignalMatch &m : matches) {
        const int n = m.context.value(u"detractor_responses"_s).toInt();
        if (n > 1)
            m.summary += u" (%1 detractor answers in the last %2 days)"_s.arg(n).arg(rule.lookbackDays);
    }
    return matches;
}

Result<QList<SignalMatch>> renewalRisk(const Storage::Database &db, const QDateTime &now, const RenewalRiskRule &rule)
{
    const QDate d = now.toUTC().date();
    const QString sql
        = u"SELECT c.id, c.name, c.renewal_date, c.arr, h.score, h.band, h.score_date, p.probability, p.predicted_at "
          "FROM customers c "
          "LEFT JOIN (SELECT customer_id, MAX(score_date) AS d FROM health_scores WHERE score_date >= ? AND "
          "score_date <= ? GROUP BY customer_id) hm ON hm.customer_id = c.id "
          "LEFT JOIN health_scores h ON h.customer_id = hm.customer_id AND h.score_date = hm.d "
          "LEFT JOIN (SELECT customer_id, MAX(predicted_at) AS t FROM churn_predictions WHERE predicted_at >= ? AND "
          "predicted_at <= ? GROUP BY customer_id) pm ON pm.customer_id = c.id "
          "LEFT JOIN churn_predictions p ON p.customer_id = pm.customer_id AND p.predicted_at = pm.t "
          "WHERE "_s
        + kLiveCustomer + u" AND c.renewal_date >= ? AND c.renewal_date <= ? ORDER BY c.id, p.id DESC"_s;
    auto q = Storage::exec(db, sql,
        { sqlDay(d.addDays(-rule.maxSignalAgeDays)), sqlDay(d), sqlTime(now.addDays(-rule.maxSignalAgeDays)),
            sqlTime(now), sqlDay(d), sqlDay(d.addDays(rule.withinDays)) });
    if (!q)
        return q.error();
    QList<SignalMatch> matches;
    QString last;
    while (q->next()) {
        const QString customerId = q->value(0).toString();
        if (customerId == last)
            continue; // a second prediction with the same instant
        last = customerId;
        const bool hasScore = !q->value(4).isNull();
        const bool hasPrediction = !q->value(7).isNull();
        const bool red = rule.redBand && hasScore && q->value(5).toString() == u"red"_s;
        const bool likely = hasPrediction && q->value(7).toDouble() >= rule.churnProbability - kEpsilon;
        if (!red && !likely)
            continue;
        SignalMatch m;
        m.customerId = customerId;
        m.customerName = q->value(1).toString();
        const QDate renewal = dayOf(q->value(2));
        m.context = { { u"signal"_s, u"renewal_risk"_s }, { u"renewal_date"_s, isoDay(renewal) },
            { u"days_to_renewal"_s, d.daysTo(renewal) }, { u"arr"_s, q->value(3).toDouble() }, { u"red_band"_s, red },
            { u"churn_probability_reached"_s, likely } };
        QStringList why;
        if (hasScore) {
            m.context.insert(u"health_score"_s, q->value(4).toDouble());
            m.context.insert(u"health_band"_s, q->value(5).toString());
            m.context.insert(u"health_date"_s, isoDay(dayOf(q->value(6))));
        }
        if (hasPrediction) {
            m.context.insert(u"churn_probability"_s, q->value(7).toDouble());
            m.context.insert(u"predicted_at"_s, isoTime(timeOf(q->value(8))));
        }
        if (red)
            why << u"health red (%1)"_s.arg(QString::number(q->value(4).toDouble(), 'f', 1));
        if (likely)
            why << u"churn probability %1 %"_s.arg(QString::number(q->value(7).toDouble() * 100, 'f', 0));
        m.summary = u"renews on %1 (in %2 days) with %3"_s.arg(isoDay(renewal))
                        .arg(d.daysTo(renewal))
                        .arg(why.join(u" and "_s));
        matches << m;
    }
    return matches;
}

Result<QList<SignalMatch>> overdueMilestones(
    const Storage::Database &db, const QDateTime &now, const OverdueMilestoneRule &rule)
{
    const QDate d = now.toUTC().date();
    const QString sql = u"SELECT c.id, c.name, m.id, m.name, m.due_date, p.id, p.name FROM onboarding_milestones m "
                        "JOIN onboarding_plans p ON p.id = m.plan_id JOIN customers c ON c.id = p.customer_id "
                        "WHERE m.deleted_at IS NULL AND m.status IN ('pending','in_progress') AND m.due_date < ? "
                        "AND p.deleted_at IS NULL AND p.status IN ('not_started','in_progress','stalled') AND "_s
        + kLiveCustomer + u" ORDER BY c.id, m.due_date, m.id"_s;
    auto q = Storage::exec(db, sql, { sqlDay(d.addDays(-rule.graceDays)) });
    if (!q)
        return q.error();
    QList<SignalMatch> matches;
    while (q->next()) {
        const QString customerId = q->value(0).toString();
        const QString milestone = q->value(3).toString();
        if (matches.isEmpty() || matches.last().customerId != customerId) {
            SignalMatch m;
            m.customerId = customerId;
            m.customerName = q->value(1).toString();
            const QDate due = dayOf(q->value(4));
            m.context = { { u"signal"_s, u"overdue_milestone"_s }, { u"overdue_milestones"_s, 0 },
                { u"oldest_due_date"_s, isoDay(due) }, { u"days_overdue"_s, due.daysTo(d) },
                { u"oldest_milestone_id"_s, q->value(2).toLongLong() }, { u"plan_id"_s, q->value(5).toLongLong() },
                { u"plan_name"_s, q->value(6).toString() }, { u"milestones"_s, QStringList() } };
            matches << m;
        }
        auto &context = matches.last().context;
        context[u"overdue_milestones"_s] = context.value(u"overdue_milestones"_s).toInt() + 1;
        QStringList names = context.value(u"milestones"_s).toStringList();
        if (names.size() < 5)
            names << milestone;
        context[u"milestones"_s] = names;
    }
    for (SignalMatch &m : matches) {
        const int n = m.context.value(u"overdue_milestones"_s).toInt();
        m.summary = u"%1 onboarding milestone%2 overdue, the oldest (%3) due %4 (%5 days ago)"_s.arg(n)
                        .arg(n == 1 ? QString() : u"s"_s)
                        .arg(m.context.value(u"milestones"_s).toStringList().value(0),
                            m.context.value(u"oldest_due_date"_s).toString())
                        .arg(m.context.value(u"days_overdue"_s).toLongLong());
    }
    return matches;
}

Result<QList<SignalMatch>> evaluate(const Storage::Database &db, const QDateTime &now, PlaybookTrigger kind,
    const QVariantMap &config, const QString &prefix)
{
    ConfigReader r(config, prefix);
    switch (kind) {
    case PlaybookTrigger::HealthDrop: {
        HealthDropRule rule;
        read(r, rule);
        if (auto ok = r.status(); !ok)
            return ok.error();
        return healthDrop(db, now, rule);
    }
    case PlaybookTrigger::UsageDecline: {
        UsageDeclineRule rule;
        read(r, rule);
        if (auto ok = r.status(); !ok)
            return ok.error();
        return usageDecline(db, now, rule);
    }
    case PlaybookTrigger::Detractor: {
        DetractorRule rule;
        read(r, rule);
        if (auto ok = r.status(); !ok)
            return ok.error();
        return detractors(db, now, rule);
    }
    case PlaybookTrigger::RenewalRisk: {
        RenewalRiskRule rule;
        read(r, rule);
        if (auto ok = r.status(); !ok)
            return ok.error();
        return renewalRisk(db, now, rule);
    }
    case PlaybookTrigger::OverdueMilestone: {
        OverdueMilestoneRule rule;
        read(r, rule);
        if (auto ok = r.status(); !ok)
            return ok.error();
        return overdueMilestones(db, now, rule);
    }
    case PlaybookTrigger::Manual:
        break;
    }
    return Error::invalid(u"trigger_kind"_s, u"a manual playbook has no trigger to evaluate"_s);
}

} // namespace RiskSignals

// ==== PlaybookService ===============================================================================================

struct PlaybookService::StepOutcome
{
    enum class Kind { Ran, Completed, Failed, Concurrent, NothingDue };
    Kind kind = Kind::NothingDue;
    Domain::Enrolment enrolment;
    std::optional<Domain::EnrolmentStepRun> run;
    std::optional<OutreachResult> outreach;
};

PlaybookService::PlaybookService(const Storage::Database &db, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
{ }

namespace {

Status requireUniquePlaybookName(const Storage::Database &db, const QString &name, qint64 exceptId)
{
    auto n = countOf(db,
        u"SELECT COUNT(*) FROM playbooks WHERE lower(name) = lower(?) AND deleted_at IS NULL AND id <> ?"_s,
        { name.trimmed(), exceptId });
    if (!n)
        return n.error();
    if (*n > 0)
        return Error { ErrorCode::AlreadyExists, u"name"_s, u"a playbook named '%1' already exists"_s.arg(name) };
    return {};
}

Result<QList<Domain::PlaybookStep>> liveSteps(const Storage::Database &db, qint64 playbookId)
{
    using Repo = Storage::PlaybookStepRepository;
    auto q = Storage::exec(db,
        u"SELECT %1 FROM playbook_steps WHERE playbook_id = ? AND deleted_at IS NULL ORDER BY position, id"_s.arg(
            Repo::selectList()),
        { playbookId });
    if (!q)
        return q.error();
    QList<Domain::PlaybookStep> steps;
    const QSqlRecord rec = q->record();
    while (q->next())
        steps << Repo::fromRow(*q, rec);
    return steps;
}

Result<std::optional<Domain::Enrolment>> activeEnrolment(
    const Storage::Database &db, const QString &column, qint64 id, const QString &customerId)
{
    using Repo = Storage::EnrolmentRepository;
    auto q = Storage::exec(db,
        u"SELECT %1 FROM enrolments WHERE %2 = ? AND customer_id = ? AND status = 'active'"_s.arg(
            Repo::selectList(), column),
        { id, customerId });
    if (!q)
        return q.error();
    const QSqlRecord rec = q->record();
    std::optional<Domain::Enrolment> found;
    if (q->next())
        found = Repo::fromRow(*q, rec);
    while (q->next()) { }
    return found;
}

Status insertTimeline(const Storage::Database &db, const QString &customerId, const QDateTime &at,
    Domain::TimelineEventKind kind, const QString &title, const QVariantMap &detail, const QString &sourceTable,
    const QString &sourceId, const QString &actor)
{
    Domain::TimelineEvent event;
    event.customerId = customerId;
    event.occurredAt = at;
    event.kind = kind;
    event.title = title.left(500);
    event.detail = detail;
    event.sourceTable = sourceTable;
    event.sourceId = sourceId;
    event.actor = actor;
    auto inserted = TimelineService::insert(db, event);
    if (!inserted)
        return inserted.error();
    return {};
}

} // namespace

Status PlaybookService::validateStepConfig(Domain::PlaybookStepKind kind, const QVariantMap &config)
{
    if (kind == Domain::PlaybookStepKind::Wait) {
        RiskSignals::ConfigReader r(config, u"config"_s);
        if (!config.contains(u"days"_s))
            return Error::invalid(u"config.days"_s, u"is required for a wait step (0 to 365)"_s);
        r.integer(u"days"_s, 0, 0, 365);
        return r.finish();
    }
    return Outreach::validate(kind, config, u"config"_s);
}

Status PlaybookService::checkStepPosition(qint64 playbookId, int position, qint64 exceptStepId) const
{
    auto n = countOf(m_db,
        u"SELECT COUNT(*) FROM playbook_steps WHERE playbook_id = ? AND position = ? AND deleted_at IS NULL AND id <> ?"_s,
        { playbookId, position, exceptStepId });
    if (!n)
        return n.error();
    if (*n > 0)
        return Error { ErrorCode::AlreadyExists, u"position"_s,
            u"the playbook already has a step at position %1"_s.arg(position) };
    return {};
}

Result<PlaybookDetail> PlaybookService::createPlaybook(
    const Domain::Playbook &playbook, const QList<Domain::PlaybookStep> &steps)
{
    Domain::Playbook p = playbook;
    p.name = p.name.trimmed();
    if (auto ok = p.validate(); !ok)
        return ok.error();
    auto config = RiskSignals::normalizeTriggerConfig(p.triggerKind, p.triggerConfig);
    if (!config)
        return config.error();
    p.triggerConfig = *config;
    if (steps.size() > 200)
        return Error::invalid(u"steps"_s, u"a playbook has at most 200 steps"_s);

    // Positions: as given, or the list order when every position was left at 0.
    QList<Domain::PlaybookStep> ordered = steps;
    const bool allZero = std::all_of(ordered.cbegin(), ordered.cend(), [](const auto &s) { return s.position == 0; });
    QSet<int> seen;
    for (int i = 0; i < ordered.size(); ++i) {
        Domain::PlaybookStep &s = ordered[i];
        if (allZero)
            s.position = i;
        s.playbookId = 1; // placeholder for validate(); the real id is set below
        const QString field = u"steps[%1]"_s.arg(i);
        if (auto ok = s.validate(); !ok)
            return Error { ok.error().code, field + u'.' + ok.error().field, ok.error().message };
        if (auto ok = validateStepConfig(s.kind, s.config); !ok)
            return Error { ok.error().code, field + u'.' + ok.error().field, ok.error().message };
        if (seen.contains(s.position))
            return Error::invalid(field + u".position"_s, u"position %1 is used twice"_s.arg(s.position));
        seen.insert(s.position);
    }

    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    if (auto ok = requireUniquePlaybookName(m_db, p.name, 0); !ok)
        return ok.error();
    Storage::PlaybookRepository playbooks(m_db);
    auto created = playbooks.create(p);
    if (!created)
        return created.error();
    PlaybookDetail detail;
    detail.playbook = *created;
    Storage::PlaybookStepRepository stepRepo(m_db);
    for (Domain::PlaybookStep s : ordered) {
        s.playbookId = created->id;
        auto step = stepRepo.create(s);
        if (!step)
            return step.error();
        detail.steps << *step;
    }
    std::sort(
        detail.steps.begin(), detail.steps.end(), [](const auto &a, const auto &b) { return a.position < b.position; });
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT playbookAdded(created->id);
    return detail;
}

Result<PlaybookDetail> PlaybookService::playbook(qint64 playbookId) const
{
    auto p = Storage::PlaybookRepository(m_db).get(playbookId);
    if (!p)
        return Error::notFound(u"playbook_id"_s, u"no playbook with id %1"_s.arg(playbookId));
    auto steps = liveSteps(m_db, playbookId);
    if (!steps)
        return steps.error();
    return PlaybookDetail { *p, *steps };
}

Result<Storage::Page<Domain::Playbook>> PlaybookService::listPlaybooks(const PlaybookListQuery &query) const
{
    if (auto ok = checkLimit(query.limit, kMaxLimit); !ok)
        return ok.error();
    Storage::ListQuery q;
    q.limit = query.limit;
    q.cursor = query.cursor;
    q.orderBy = u"name"_s;
    if (query.active)
        q.filters << Storage::Filter { u"is_active"_s, Storage::Filter::Op::Eq, *query.active };
    if (query.triggerKind)
        q.filters << Storage::Filter { u"trigger_kind"_s, Storage::Filter::Op::Eq,
            Domain::enumName(*query.triggerKind) };
    return Storage::PlaybookRepository(m_db).list(q);
}

Result<Domain::Playbook> PlaybookService::updatePlaybook(const Domain::Playbook &playbook)
{
    Domain::Playbook p = playbook;
    p.name = p.name.trimmed();
    if (auto ok = p.validate(); !ok)
        return ok.error();
    auto config = RiskSignals::normalizeTriggerConfig(p.triggerKind, p.triggerConfig);
    if (!config)
        return config.error();
    p.triggerConfig = *config;
    Storage::PlaybookRepository playbooks(m_db);
    if (auto existing = playbooks.get(p.id); !existing)
        return Error::notFound(u"playbook_id"_s, u"no playbook with id %1"_s.arg(p.id));
    if (auto ok = requireUniquePlaybookName(m_db, p.name, p.id); !ok)
        return ok.error();
    auto updated = playbooks.update(p);
    if (updated)
        Q_EMIT playbookChanged(p.id);
    return updated;
}

Status PlaybookService::removePlaybook(qint64 playbookId, int expectedVersion)
{
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    Storage::PlaybookRepository playbooks(m_db);
    if (auto removed = playbooks.softDelete(playbookId, expectedVersion); !removed) {
        if (removed.error().code == ErrorCode::NotFound)
            return Error::notFound(u"playbook_id"_s, u"no playbook with id %1"_s.arg(playbookId));
        return removed.error();
    }
    auto exited = Storage::exec(m_db,
        u"UPDATE enrolments SET status = 'exited', exit_reason = 'playbook removed', next_step_at = NULL, "
        "version = version + 1, updated_at = %1 WHERE playbook_id = ? AND status = 'active'"_s.arg(
            Storage::nowExpression(m_db.dialect())),
        { playbookId });
    if (!exited)
        return exited.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT playbookRemoved(playbookId);
    return {};
}

Result<Domain::PlaybookStep> PlaybookService::addStep(const Domain::PlaybookStep &step)
{
    if (auto ok = step.validate(); !ok)
        return ok.error();
    if (auto ok = validateStepConfig(step.kind, step.config); !ok)
        return ok.error();
    if (auto p = Storage::PlaybookRepository(m_db).get(step.playbookId); !p)
        return Error::notFound(u"playbook_id"_s, u"no playbook with id %1"_s.arg(step.playbookId));
    if (auto ok = checkStepPosition(step.playbookId, step.position, 0); !ok)
        return ok.error();
    auto created = Storage::PlaybookStepRepository(m_db).create(step);
    if (created)
        Q_EMIT playbookChanged(step.playbookId);
    return created;
}

Result<Domain::PlaybookStep> PlaybookService::updateStep(const Domain::PlaybookStep &step)
{
    if (auto ok = step.validate(); !ok)
        return ok.error();
    if (auto ok = validateStepConfig(step.kind, step.config); !ok)
        return ok.error();
    Storage::PlaybookStepRepository steps(m_db);
    auto existing = steps.get(step.id);
    if (!existing)
        return Error::notFound(u"step_id"_s, u"no playbook step with id %1"_s.arg(step.id));
    if (existing->playbookId != step.playbookId)
        return Error::invalid(u"playbook_id"_s, u"a step cannot move to another playbook"_s);
    if (auto ok = checkStepPosition(step.playbookId, step.position, step.id); !ok)
        return ok.error();
    auto updated = steps.update(step);
    if (updated)
        Q_EMIT playbookChanged(step.playbookId);
    return updated;
}

Status PlaybookService::removeStep(qint64 stepId, int expectedVersion)
{
    Storage::PlaybookStepRepository steps(m_db);
    auto existing = steps.get(stepId);
    if (!existing)
        return Error::notFound(u"step_id"_s, u"no playbook step with id %1"_s.arg(stepId));
    auto removed = steps.softDelete(stepId, expectedVersion);
    if (removed)
        Q_EMIT playbookChanged(existing->playbookId);
    return removed;
}

// ---- triggers ------------------------------------------------------------------------------------------------------

Result<QList<RiskSignals::SignalMatch>> PlaybookService::previewTrigger(
    PlaybookTrigger kind, const QVariantMap &config) const
{
    auto normalized = RiskSignals::normalizeTriggerConfig(kind, config);
    if (!normalized)
        return normalized.error();
    return RiskSignals::evaluate(m_db, m_clock.now(), kind, *normalized);
}

Result<QList<TriggerEvaluation>> PlaybookService::evaluateTriggers(std::optional<qint64> playbookId)
{
    using Repo = Storage::PlaybookRepository;
    QString sql = u"SELECT %1 FROM playbooks WHERE deleted_at IS NULL AND is_active AND trigger_kind <> 'manual'"_s.arg(
        Repo::selectList());
    QVariantList bindings;
    if (playbookId) {
        auto p = Repo(m_db).get(*playbookId);
        if (!p)
            return Error::notFound(u"playbook_id"_s, u"no playbook with id %1"_s.arg(*playbookId));
        if (!p->isActive)
            return Error::invalid(u"playbook_id"_s, u"the playbook is not active"_s);
        if (p->triggerKind == PlaybookTrigger::Manual)
            return Error::invalid(u"playbook_id"_s, u"a manual playbook has no trigger to evaluate"_s);
        sql += u" AND id = ?"_s;
        bindings << *playbookId;
    }
    sql += u" ORDER BY id"_s;
    auto q = Storage::exec(m_db, sql, bindings);
    if (!q)
        return q.error();
    QList<Domain::Playbook> playbooks;
    const QSqlRecord rec = q->record();
    while (q->next())
        playbooks << Repo::fromRow(*q, rec);

    const QDateTime now = m_clock.now();
    QList<TriggerEvaluation> evaluations;
    QSet<QString> touched;
    for (const Domain::Playbook &p : playbooks) {
        TriggerEvaluation e;
        e.playbookId = p.id;
        e.playbookName = p.name;
        e.triggerKind = p.triggerKind;
        auto config = RiskSignals::normalizeTriggerConfig(p.triggerKind, p.triggerConfig);
        auto steps = liveSteps(m_db, p.id);
        if (!config) {
            e.error = config.error().toString();
        } else if (!steps) {
            e.error = steps.error().toString();
        } else if (steps->isEmpty()) {
            e.error = u"the playbook has no steps"_s;
        }
        if (!e.error.isEmpty()) {
            evaluations << e;
            continue;
        }
        auto matches = RiskSignals::evaluate(m_db, now, p.triggerKind, *config);
        if (!matches) {
            e.error = matches.error().toString();
            evaluations << e;
            continue;
        }
        e.matched = int(matches->size());
        const int reenrolDays = config->value(u"reenrol_after_days"_s).toInt();
        auto existing = Storage::exec(m_db,
            u"SELECT customer_id, status FROM enrolments WHERE playbook_id = ? AND (status = 'active' OR "
            "enrolled_at > ?)"_s,
            { p.id, sqlTime(now.addDays(-reenrolDays)) });
        if (!existing)
            return existing.error();
        QSet<QString> active;
        QSet<QString> recent;
        while (existing->next()) {
            if (existing->value(1).toString() == u"active"_s)
                active.insert(existing->value(0).toString());
            else
                recent.insert(existing->value(0).toString());
        }
        for (const RiskSignals::SignalMatch &m : *matches) {
            if (active.contains(m.customerId)) {
                ++e.alreadyEnrolled;
                continue;
            }
            if (recent.contains(m.customerId)) {
                ++e.recentlyEnrolled;
                continue;
            }
            EnrolRequest request;
            request.customerId = m.customerId;
            request.playbookId = p.id;
            request.enrolledBy = u"trigger:%1"_s.arg(Domain::enumName(p.triggerKind));
            request.triggerContext = m.context;
            request.triggerContext.insert(u"summary"_s, m.summary);
            auto outcome = enrolLocked(request, p);
            if (!outcome)
                return outcome.error();
            if (outcome->alreadyEnrolled) {
                ++e.alreadyEnrolled;
            } else {
                ++e.enrolled;
                e.enrolmentIds << outcome->enrolment.id;
                touched.insert(m.customerId);
                Q_EMIT enrolmentChanged(outcome->enrolment.id, m.customerId);
            }
        }
        evaluations << e;
    }
    for (const QString &customerId : std::as_const(touched))
        Q_EMIT customerActivity(customerId);
    return evaluations;
}

// ---- enrolments ----------------------------------------------------------------------------------------------------

Result<EnrolOutcome> PlaybookService::enrolLocked(const EnrolRequest &request, const Domain::Playbook &playbook)
{
    const QDateTime now = m_clock.now();
    auto first = Storage::exec(m_db,
        u"SELECT MIN(position) FROM playbook_steps WHERE playbook_id = ? AND deleted_at IS NULL"_s, { playbook.id });
    if (!first)
        return first.error();
    const int firstPosition = first->next() && !first->value(0).isNull() ? first->value(0).toInt() : 0;

    Domain::Enrolment e;
    e.playbookId = playbook.id;
    e.campaignId = request.campaignId;
    e.customerId = request.customerId;
    e.status = Domain::EnrolmentStatus::Active;
    e.enrolledAt = now;
    e.enrolledBy = request.enrolledBy;
    e.triggerContext = request.triggerContext;
    e.currentStep = firstPosition;
    e.nextStepAt = now;

    {
        Storage::Transaction tx(m_db);
        if (!tx.isActive())
            return tx.beginError();
        auto created = Storage::EnrolmentRepository(m_db).create(e);
        if (created) {
            const QString summary = request.triggerContext.value(u"summary"_s).toString();
            if (auto ok = insertTimeline(m_db, e.customerId, now, Domain::TimelineEventKind::Campaign,
                    u"Enrolled in playbook “%1”"_s.arg(playbook.name),
                    { { u"playbook_id"_s, playbook.id }, { u"enrolment_id"_s, created->id },
                        { u"trigger"_s, Domain::enumName(playbook.triggerKind) }, { u"summary"_s, summary } },
                    u"enrolments"_s, QString::number(created->id), request.enrolledBy);
                !ok)
                return ok.error();
            if (auto ok = tx.commit(); !ok)
                return ok.error();
            return EnrolOutcome { *created, false };
        }
        if (created.error().code != ErrorCode::AlreadyExists)
            return created.error();
        // The partial unique index ux_enrolments_active_playbook: another runner enrolled this customer between
        // our check and our insert. That is "already enrolled", not an error.
        tx.rollback();
    }
    auto existing = activeEnrolment(m_db, u"playbook_id"_s, playbook.id, request.customerId);
    if (!existing)
        return existing.error();
    if (!existing->has_value())
        return Error::storage(u"the enrolment conflicted with an active one that is gone now; try again"_s);
    return EnrolOutcome { **existing, true };
}

Result<EnrolOutcome> PlaybookService::enrol(const EnrolRequest &request)
{
    if (auto ok = requireLiveCustomer(m_db, request.customerId); !ok)
        return ok.error();
    auto p = Storage::PlaybookRepository(m_db).get(request.playbookId);
    if (!p)
        return Error::notFound(u"playbook_id"_s, u"no playbook with id %1"_s.arg(request.playbookId));
    auto steps = liveSteps(m_db, p->id);
    if (!steps)
        return steps.error();
    if (steps->isEmpty())
        return Error::invalid(u"playbook_id"_s, u"the playbook has no steps"_s);
    if (request.campaignId) {
        auto c = Storage::CampaignRepository(m_db).get(*request.campaignId);
        if (!c)
            return Error::notFound(u"campaign_id"_s, u"no campaign with id %1"_s.arg(*request.campaignId));
    }
    auto existing = activeEnrolment(m_db, u"playbook_id"_s, p->id, request.customerId);
    if (!existing)
        return existing.error();
    if (existing->has_value())
        return EnrolOutcome { **existing, true };
    auto outcome = enrolLocked(request, *p);
    if (outcome && !outcome->alreadyEnrolled) {
        Q_EMIT enrolmentChanged(outcome->enrolment.id, request.customerId);
        Q_EMIT customerActivity(request.customerId);
    }
    return outcome;
}

Result<EnrolmentDetail> PlaybookService::enrolment(qint64 enrolmentId) const
{
    auto e = Storage::EnrolmentRepository(m_db).get(enrolmentId);
    if (!e)
        return Error::notFound(u"enrolment_id"_s, u"no enrolment with id %1"_s.arg(enrolmentId));
    EnrolmentDetail detail;
    detail.enrolment = *e;
    if (e->playbookId) {
        auto p = Storage::PlaybookRepository(m_db).get(*e->playbookId, true);
        if (p)
            detail.playbookName = p->name;
        auto steps = liveSteps(m_db, *e->playbookId);
        if (!steps)
            return steps.error();
        detail.stepCount = int(steps->size());
    }
    using Repo = Storage::EnrolmentStepRunRepository;
    auto q = Storage::exec(m_db,
        u"SELECT %1 FROM enrolment_step_runs WHERE enrolment_id = ? ORDER BY id LIMIT 1000"_s.arg(Repo::selectList()),
        { enrolmentId });
    if (!q)
        return q.error();
    const QSqlRecord rec = q->record();
    while (q->next())
        detail.runs << Repo::fromRow(*q, rec);
    return detail;
}

Result<Storage::Page<Domain::Enrolment>> PlaybookService::listEnrolments(const EnrolmentListQuery &query) const
{
    if (auto ok = checkLimit(query.limit, kMaxLimit); !ok)
        return ok.error();
    Storage::ListQuery q;
    q.limit = query.limit;
    q.cursor = query.cursor;
    q.descending = true;
    if (query.playbookId)
        q.filters << Storage::Filter { u"playbook_id"_s, Storage::Filter::Op::Eq, *query.playbookId };
    if (query.campaignId)
        q.filters << Storage::Filter { u"campaign_id"_s, Storage::Filter::Op::Eq, *query.campaignId };
    if (!query.customerId.isEmpty())
        q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, query.customerId };
    if (query.status)
        q.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq, Domain::enumName(*query.status) };
    return Storage::EnrolmentRepository(m_db).list(q);
}

Result<Domain::Enrolment> PlaybookService::exitEnrolment(qint64 enrolmentId, const QString &reason, int expectedVersion)
{
    const QString why = reason.trimmed();
    if (why.isEmpty())
        return Error::invalid(u"exit_reason"_s, u"is required"_s);
    if (why.size() > 10000)
        return Error::invalid(u"exit_reason"_s, u"must be at most 10000 characters"_s);
    Storage::EnrolmentRepository enrolments(m_db);
    auto e = enrolments.get(enrolmentId);
    if (!e)
        return Error::notFound(u"enrolment_id"_s, u"no enrolment with id %1"_s.arg(enrolmentId));
    if (e->status != Domain::EnrolmentStatus::Active)
        return Error::invalid(u"status"_s, u"the enrolment is already %1"_s.arg(Domain::enumName(e->status)));
    if (expectedVersion > 0 && e->meta.version != expectedVersion)
        return Error::conflict(u"version"_s,
            u"this enrolment was changed since it was read (you have version %1, the stored one is %2)"_s
                .arg(expectedVersion)
                .arg(e->meta.version));
    Domain::Enrolment changed = *e;
    changed.status = Domain::EnrolmentStatus::Exited;
    changed.exitReason = why;
    changed.nextStepAt = QDateTime();
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto updated = enrolments.update(changed);
    if (!updated)
        return updated.error();
    QString playbookName;
    if (e->playbookId) {
        if (auto p = Storage::PlaybookRepository(m_db).get(*e->playbookId, true))
            playbookName = p->name;
    }
    if (auto ok = insertTimeline(m_db, e->customerId, m_clock.now(), Domain::TimelineEventKind::Campaign,
            u"Left playbook “%1”: %2"_s.arg(playbookName, why), { { u"enrolment_id"_s, enrolmentId } }, u"enrolments"_s,
            QString::number(enrolmentId), QString());
        !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT enrolmentChanged(enrolmentId, e->customerId);
    Q_EMIT customerActivity(e->customerId);
    return *updated;
}

Result<PlaybookService::StepOutcome> PlaybookService::runNextStep(const Domain::Enrolment &enrolment)
{
    const QDateTime now = m_clock.now();
    StepOutcome outcome;
    outcome.enrolment = enrolment;
    if (!enrolment.playbookId)
        return Error::invalid(u"playbook_id"_s, u"enrolment %1 has no playbook"_s.arg(enrolment.id));
    const qint64 playbookId = *enrolment.playbookId;
    auto p = Storage::PlaybookRepository(m_db).get(playbookId, true);
    if (!p)
        return p.error();

    using StepRepo = Storage::PlaybookStepRepository;
    auto next = Storage::exec(m_db,
        u"SELECT %1 FROM playbook_steps WHERE playbook_id = ? AND deleted_at IS NULL AND position >= ? "
        "ORDER BY position, id LIMIT 1"_s.arg(StepRepo::selectList()),
        { playbookId, enrolment.currentStep });
    if (!next)
        return next.error();
    std::optional<Domain::PlaybookStep> step;
    const QSqlRecord stepRec = next->record();
    if (next->next())
        step = StepRepo::fromRow(*next, stepRec);
    while (next->next()) { }

    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    // Claim: only the runner that moves the version on from the one it read goes ahead (PostgreSQL holds the
    // row lock until commit, so a concurrent runner waits here and then finds the version changed).
    auto claim = Storage::exec(m_db,
        u"UPDATE enrolments SET version = version + 1, updated_at = %1 WHERE id = ? AND version = ? AND status = 'active'"_s
            .arg(Storage::nowExpression(m_db.dialect())),
        { enrolment.id, enrolment.meta.version });
    if (!claim)
        return claim.error();
    if (claim->numRowsAffected() != 1) {
        tx.rollback();
        outcome.kind = StepOutcome::Kind::Concurrent;
        return outcome;
    }

    const QString enrolmentRef = u"enrolment:%1"_s.arg(enrolment.id);
    const QString actor = u"playbook:%1"_s.arg(p->name).left(200);
    if (!step) {
        auto done = Storage::exec(m_db,
            u"UPDATE enrolments SET status = 'completed', completed_at = ?, next_step_at = NULL WHERE id = ?"_s,
            { sqlTime(std::max(now, enrolment.enrolledAt)), enrolment.id });
        if (!done)
            return done.error();
        if (auto ok = insertTimeline(m_db, enrolment.customerId, now, Domain::TimelineEventKind::Campaign,
                u"Completed playbook “%1”"_s.arg(p->name), { { u"enrolment_id"_s, enrolment.id } }, u"enrolments"_s,
                QString::number(enrolment.id), actor);
            !ok)
            return ok.error();
        if (auto ok = tx.commit(); !ok)
            return ok.error();
        outcome.kind = StepOutcome::Kind::Completed;
    } else {
        Domain::EnrolmentStepRun run;
        run.enrolmentId = enrolment.id;
        run.stepId = step->id;
        run.stepPosition = step->position;
        run.scheduledFor = enrolment.nextStepAt;
        run.ranAt = now;
        QDateTime nextAt = now;
        QString failure;
        if (step->kind == Domain::PlaybookStepKind::Wait) {
            const int days = step->config.value(u"days"_s).toInt();
            nextAt = now.addDays(days);
            run.result = { { u"kind"_s, u"wait"_s }, { u"days"_s, days }, { u"next_step_at"_s, isoTime(nextAt) } };
        } else {
            OutreachRequest request;
            request.customerId = enrolment.customerId;
            request.kind = step->kind;
            request.config = step->config;
            request.idempotencyKey = u"enrolment:%1:step:%2"_s.arg(enrolment.id).arg(step->id);
            request.taskSource = Domain::CsmTaskSource::Playbook;
            request.sourceRef = enrolmentRef;
            request.enrolmentId = enrolment.id;
            request.actor = actor;
            request.extraValues.insert(u"playbook.name"_s, p->name);
            // A savepoint, so that a step that fails half-way leaves no rows behind and (on PostgreSQL) the
            // transaction usable for recording the failure.
            Storage::Transaction inner(m_db);
            if (!inner.isActive())
                return inner.beginError();
            auto performed = Outreach::perform(m_db, now, request);
            if (performed) {
                if (auto ok = inner.commit(); !ok)
                    return ok.error();
                run.result = performed->summary;
                outcome.outreach = *performed;
            } else {
                inner.rollback();
                if (performed.error().code == ErrorCode::Storage)
                    return performed.error(); // the database failed: leave the step due, try again later
                failure = performed.error().toString();
            }
        }
        run.status = failure.isEmpty() ? Domain::StepRunStatus::Succeeded : Domain::StepRunStatus::Failed;
        run.error = failure;
        auto storedRun = Storage::EnrolmentStepRunRepository(m_db).create(run);
        if (!storedRun)
            return storedRun.error();
        outcome.run = *storedRun;
        if (failure.isEmpty()) {
            auto moved = Storage::exec(m_db, u"UPDATE enrolments SET current_step = ?, next_step_at = ? WHERE id = ?"_s,
                { step->position + 1, sqlTime(nextAt), enrolment.id });
            if (!moved)
                return moved.error();
            outcome.kind = StepOutcome::Kind::Ran;
        } else {
            const QString reason = u"step %1 (%2) failed: %3"_s.arg(step->position)
                                       .arg(Domain::enumName(step->kind), failure)
                                       .left(10000);
            auto failed = Storage::exec(m_db,
                u"UPDATE enrolments SET status = 'failed', exit_reason = ?, next_step_at = NULL WHERE id = ?"_s,
                { reason, enrolment.id });
            if (!failed)
                return failed.error();
            if (auto ok = insertTimeline(m_db, enrolment.customerId, now, Domain::TimelineEventKind::Campaign,
                    u"Playbook “%1” stopped: %2"_s.arg(p->name, failure),
                    { { u"enrolment_id"_s, enrolment.id }, { u"step_id"_s, step->id } }, u"enrolments"_s,
                    QString::number(enrolment.id), actor);
                !ok)
                return ok.error();
            outcome.kind = StepOutcome::Kind::Failed;
        }
        if (auto ok = tx.commit(); !ok)
            return ok.error();
    }
    auto reread = Storage::EnrolmentRepository(m_db).get(enrolment.id);
    if (!reread)
        return reread.error();
    outcome.enrolment = *reread;
    return outcome;
}

Result<StepRunReport> PlaybookService::runDueSteps(const StepRunOptions &options)
{
    if (options.limit < 1 || options.limit > 10000)
        return Error::invalid(u"limit"_s, u"must be between 1 and 10000"_s);
    const QDateTime now = m_clock.now();
    using Repo = Storage::EnrolmentRepository;
    QString sql = u"SELECT %1 FROM enrolments WHERE status = 'active' AND next_step_at <= ? "
                  "AND (campaign_id IS NULL OR EXISTS (SELECT 1 FROM campaigns k WHERE k.id = enrolments.campaign_id "
                  "AND k.status = 'active' AND k.deleted_at IS NULL)) "
                  "AND (playbook_id IS NULL OR EXISTS (SELECT 1 FROM playbooks p WHERE p.id = enrolments.playbook_id "
                  "AND p.deleted_at IS NULL))"_s.arg(Repo::selectList());
    QVariantList bindings { sqlTime(now) };
    if (options.enrolmentId) {
        if (auto e = Repo(m_db).get(*options.enrolmentId); !e)
            return Error::notFound(u"enrolment_id"_s, u"no enrolment with id %1"_s.arg(*options.enrolmentId));
        sql += u" AND id = ?"_s;
        bindings << *options.enrolmentId;
    }
    sql += u" ORDER BY next_step_at, id LIMIT %1"_s.arg(options.limit);
    auto q = Storage::exec(m_db, sql, bindings);
    if (!q)
        return q.error();
    QList<Domain::Enrolment> due;
    const QSqlRecord rec = q->record();
    while (q->next())
        due << Repo::fromRow(*q, rec);

    StepRunReport report;
    for (const Domain::Enrolment &start : std::as_const(due)) {
        ++report.enrolmentsProcessed;
        Domain::Enrolment current = start;
        bool touched = false;
        for (int i = 0; i < kMaxStepsPerEnrolment; ++i) {
            auto outcome = runNextStep(current);
            if (!outcome) {
                qCWarning(lcPlaybooks) << "enrolment" << current.id << "step failed:" << outcome.error().toString();
                return outcome.error();
            }
            if (outcome->kind == StepOutcome::Kind::Concurrent) {
                ++report.skippedConcurrent;
                break;
            }
            touched = true;
            if (outcome->run) {
                ++report.stepsRun;
                if (outcome->run->status == Domain::StepRunStatus::Failed)
                    ++report.stepsFailed;
                if (report.runs.size() < kMaxReportedRuns)
                    report.runs << *outcome->run;
            }
            if (outcome->outreach) {
                if (outcome->outreach->task)
                    ++report.tasksCreated;
                if (outcome->outreach->note)
                    ++report.notesCreated;
                if (outcome->outreach->message && !outcome->outreach->message->alreadyQueued)
                    ++report.messagesQueued;
            }
            current = outcome->enrolment;
            if (outcome->kind == StepOutcome::Kind::Completed) {
                ++report.enrolmentsCompleted;
                break;
            }
            if (outcome->kind == StepOutcome::Kind::Failed) {
                ++report.enrolmentsFailed;
                break;
            }
            // Against the clock now, not the start of the call: a step that does not wait makes the next one due
            // at the instant it ran.
            if (current.status != Domain::EnrolmentStatus::Active || !current.nextStepAt.isValid()
                || current.nextStepAt > m_clock.now())
                break;
        }
        if (touched) {
            Q_EMIT enrolmentChanged(current.id, current.customerId);
            Q_EMIT customerActivity(current.customerId);
        }
    }
    return report;
}

Result<EnrolmentStats> PlaybookService::stats(const QString &column, qint64 id) const
{
    EnrolmentStats s;
    auto q = Storage::exec(
        m_db, u"SELECT status, COUNT(*) FROM enrolments WHERE %1 = ? GROUP BY status"_s.arg(column), { id });
    if (!q)
        return q.error();
    while (q->next()) {
        const qint64 n = q->value(1).toLongLong();
        s.byStatus.insert(q->value(0).toString(), n);
        s.enrolments += n;
    }
    if (s.enrolments == 0) {
        s.reason = u"no enrolment yet"_s;
        return s;
    }
    s.hasData = true;
    auto runs = Storage::exec(m_db,
        u"SELECT COUNT(*), SUM(CASE WHEN r.status = 'succeeded' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.status = 'failed' THEN 1 ELSE 0 END) FROM enrolment_step_runs r "
        "JOIN enrolments e ON e.id = r.enrolment_id WHERE e.%1 = ?"_s.arg(column),
        { id });
    if (!runs)
        return runs.error();
    if (runs->next()) {
        s.stepRuns = runs->value(0).toLongLong();
        s.stepRunsSucceeded = runs->value(1).toLongLong();
        s.stepRunsFailed = runs->value(2).toLongLong();
    }
    auto tasks = Storage::exec(m_db,
        u"SELECT COUNT(*), SUM(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END) FROM tasks t "
        "JOIN enrolments e ON e.id = t.enrolment_id WHERE e.%1 = ? AND t.deleted_at IS NULL"_s.arg(column),
        { id });
    if (!tasks)
        return tasks.error();
    if (tasks->next()) {
        s.tasksCreated = tasks->value(0).toLongLong();
        s.tasksDone = tasks->value(1).toLongLong();
    }
    auto messages = countOf(m_db,
        u"SELECT COUNT(*) FROM communications m JOIN enrolments e ON e.id = m.enrolment_id WHERE e.%1 = ?"_s.arg(
            column),
        { id });
    if (!messages)
        return messages.error();
    s.messagesQueued = *messages;
    const qint64 ended
        = s.byStatus.value(u"completed"_s) + s.byStatus.value(u"exited"_s) + s.byStatus.value(u"failed"_s);
    if (ended > 0)
        s.completionRate = double(s.byStatus.value(u"completed"_s)) / double(ended);
    return s;
}

Result<EnrolmentStats> PlaybookService::playbookStats(qint64 playbookId) const
{
    if (auto p = Storage::PlaybookRepository(m_db).get(playbookId, true); !p)
        return Error::notFound(u"playbook_id"_s, u"no playbook with id %1"_s.arg(playbookId));
    return stats(u"playbook_id"_s, playbookId);
}

// ---- campaigns ------------------------------------------------------------------------------------------------------

namespace {

Status checkCampaignReferences(const Storage::Database &db, const Domain::Campaign &c)
{
    if (c.playbookId) {
        if (auto p = Storage::PlaybookRepository(db).get(*c.playbookId); !p)
            return Error::notFound(u"playbook_id"_s, u"no playbook with id %1"_s.arg(*c.playbookId));
    }
    if (c.segmentId) {
        auto n = countOf(db, u"SELECT COUNT(*) FROM segments WHERE id = ? AND deleted_at IS NULL"_s, { *c.segmentId });
        if (!n)
            return n.error();
        if (*n == 0)
            return Error::notFound(u"segment_id"_s, u"no segment with id %1"_s.arg(*c.segmentId));
        if (!c.audienceCriteria.isEmpty())
            return Error::invalid(u"audience_criteria"_s, u"give either segment_id or audience_criteria, not both"_s);
    } else if (auto ok = SegmentService::validateCriteria(c.audienceCriteria); !ok) {
        const Error e = ok.error();
        return Error { e.code,
            u"audience_criteria"_s + (e.field.startsWith(u"criteria"_s) ? e.field.mid(8) : QString()), e.message };
    }
    return {};
}

} // namespace

Result<Domain::Campaign> PlaybookService::createCampaign(const Domain::Campaign &campaign)
{
    Domain::Campaign c = campaign;
    c.status = Domain::CampaignStatus::Draft;
    if (auto ok = c.validate(); !ok)
        return ok.error();
    if (auto ok = checkCampaignReferences(m_db, c); !ok)
        return ok.error();
    auto created = Storage::CampaignRepository(m_db).create(c);
    if (created)
        Q_EMIT campaignChanged(created->id);
    return created;
}

Result<Domain::Campaign> PlaybookService::campaign(qint64 campaignId) const
{
    auto c = Storage::CampaignRepository(m_db).get(campaignId);
    if (!c)
        return Error::notFound(u"campaign_id"_s, u"no campaign with id %1"_s.arg(campaignId));
    return c;
}

Result<Storage::Page<Domain::Campaign>> PlaybookService::listCampaigns(const CampaignListQuery &query) const
{
    if (auto ok = checkLimit(query.limit, kMaxLimit); !ok)
        return ok.error();
    Storage::ListQuery q;
    q.limit = query.limit;
    q.cursor = query.cursor;
    q.descending = true;
    if (query.status)
        q.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq, Domain::enumName(*query.status) };
    return Storage::CampaignRepository(m_db).list(q);
}

Result<Domain::Campaign> PlaybookService::updateCampaign(const Domain::Campaign &campaign)
{
    Storage::CampaignRepository campaigns(m_db);
    auto existing = campaigns.get(campaign.id);
    if (!existing)
        return Error::notFound(u"campaign_id"_s, u"no campaign with id %1"_s.arg(campaign.id));
    if (campaign.status != existing->status)
        return Error::invalid(u"status"_s, u"change the status with launch, pause, resume or complete"_s);
    if (auto ok = campaign.validate(); !ok)
        return ok.error();
    if (auto ok = checkCampaignReferences(m_db, campaign); !ok)
        return ok.error();
    auto updated = campaigns.update(campaign);
    if (updated)
        Q_EMIT campaignChanged(campaign.id);
    return updated;
}

Result<CampaignLaunch> PlaybookService::launchCampaign(qint64 campaignId, const QString &launchedBy)
{
    Storage::CampaignRepository campaigns(m_db);
    auto c = campaigns.get(campaignId);
    if (!c)
        return Error::notFound(u"campaign_id"_s, u"no campaign with id %1"_s.arg(campaignId));
    if (c->status != Domain::CampaignStatus::Draft)
        return Error::invalid(
            u"status"_s, u"the campaign is %1; only a draft campaign is launched"_s.arg(Domain::enumName(c->status)));
    if (!c->playbookId)
        return Error::invalid(u"playbook_id"_s, u"the campaign needs a playbook before it can be launched"_s);
    const QDate today = m_clock.today();
    if (c->startsOn.isValid() && c->startsOn > today)
        return Error::invalid(u"starts_on"_s, u"the campaign starts on %1"_s.arg(isoDay(c->startsOn)));
    if (c->endsOn.isValid() && c->endsOn < today)
        return Error::invalid(u"ends_on"_s, u"the campaign ended on %1"_s.arg(isoDay(c->endsOn)));
    auto p = Storage::PlaybookRepository(m_db).get(*c->playbookId);
    if (!p)
        return Error::notFound(u"playbook_id"_s, u"no playbook with id %1"_s.arg(*c->playbookId));
    auto steps = liveSteps(m_db, p->id);
    if (!steps)
        return steps.error();
    if (steps->isEmpty())
        return Error::invalid(u"playbook_id"_s, u"the playbook has no steps"_s);

    SegmentService segments(m_db, m_clock);
    auto compiled = c->segmentId ? segments.compileSegment(*c->segmentId) : segments.compile(c->audienceCriteria);
    if (!compiled)
        return compiled.error();
    auto audience = Storage::exec(m_db,
        u"SELECT id FROM customers WHERE (%1) AND deleted_at IS NULL AND status <> 'churned' ORDER BY id"_s.arg(
            compiled->condition),
        compiled->bindings);
    if (!audience)
        return audience.error();
    QStringList customerIds;
    while (audience->next())
        customerIds << audience->value(0).toString();

    CampaignLaunch launch;
    launch.audience = int(customerIds.size());
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto active = Storage::exec(
        m_db, u"SELECT customer_id FROM enrolments WHERE playbook_id = ? AND status = 'active'"_s, { p->id });
    if (!active)
        return active.error();
    QSet<QString> enrolled;
    while (active->next())
        enrolled.insert(active->value(0).toString());
    for (const QString &customerId : std::as_const(customerIds)) {
        if (enrolled.contains(customerId)) {
            ++launch.alreadyEnrolled;
            continue;
        }
        EnrolRequest request;
        request.customerId = customerId;
        request.playbookId = p->id;
        request.campaignId = campaignId;
        request.enrolledBy = launchedBy.isEmpty() ? u"campaign:%1"_s.arg(campaignId) : launchedBy;
        request.triggerContext = { { u"campaign_id"_s, campaignId }, { u"campaign"_s, c->name } };
        auto outcome = enrolLocked(request, *p);
        if (!outcome)
            return outcome.error();
        if (outcome->alreadyEnrolled) {
            ++launch.alreadyEnrolled;
        } else {
            ++launch.enrolled;
            launch.enrolmentIds << outcome->enrolment.id;
        }
    }
    Domain::Campaign changed = *c;
    changed.status = Domain::CampaignStatus::Active;
    if (!changed.startsOn.isValid())
        changed.startsOn = today;
    auto updated = campaigns.update(changed);
    if (!updated)
        return updated.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    launch.campaign = *updated;
    Q_EMIT campaignChanged(campaignId);
    for (const QString &customerId : std::as_const(customerIds))
        Q_EMIT customerActivity(customerId);
    return launch;
}

Result<Domain::Campaign> PlaybookService::setCampaignStatus(qint64 campaignId, Domain::CampaignStatus status)
{
    using S = Domain::CampaignStatus;
    Storage::CampaignRepository campaigns(m_db);
    auto c = campaigns.get(campaignId);
    if (!c)
        return Error::notFound(u"campaign_id"_s, u"no campaign with id %1"_s.arg(campaignId));
    const bool allowed = (status == S::Paused && c->status == S::Active)
        || (status == S::Active && c->status == S::Paused) || (status == S::Completed && c->status != S::Completed);
    if (!allowed)
        return Error::invalid(u"status"_s,
            u"a %1 campaign cannot become %2 (launch a draft to make it active)"_s.arg(
                Domain::enumName(c->status), Domain::enumName(status)));
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    Domain::Campaign changed = *c;
    changed.status = status;
    if (status == S::Completed) {
        if (!changed.endsOn.isValid() || changed.endsOn > m_clock.today())
            changed.endsOn = std::max(m_clock.today(), changed.startsOn.isValid() ? changed.startsOn : m_clock.today());
        auto exited = Storage::exec(m_db,
            u"UPDATE enrolments SET status = 'exited', exit_reason = 'campaign completed', next_step_at = NULL, "
            "version = version + 1, updated_at = %1 WHERE campaign_id = ? AND status = 'active'"_s.arg(
                Storage::nowExpression(m_db.dialect())),
            { campaignId });
        if (!exited)
            return exited.error();
    }
    auto updated = campaigns.update(changed);
    if (!updated)
        return updated.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT campaignChanged(campaignId);
    return updated;
}

Result<EnrolmentStats> PlaybookService::campaignStats(qint64 campaignId) const
{
    if (auto c = Storage::CampaignRepository(m_db).get(campaignId, true); !c)
        return Error::notFound(u"campaign_id"_s, u"no campaign with id %1"_s.arg(campaignId));
    return stats(u"campaign_id"_s, campaignId);
}

} // namespace Core
