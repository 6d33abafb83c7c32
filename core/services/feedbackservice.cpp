// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "feedbackservice.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <QHash>
#include <QSet>
#include <QSqlRecord>
#include <QTimeZone>

#include "sql.h"
#include "tables_customers.h"
#include "tables_operations.h"
#include "transaction.h"

namespace Core {

using namespace Qt::StringLiterals;
using Domain::enumName;

// ---- formulas -----------------------------------------------------------------------------------------------

namespace FeedbackFormulas {

std::optional<double> nps(int promoters, int passives, int detractors)
{
    const int total = promoters + passives + detractors;
    if (total <= 0)
        return std::nullopt;
    // DESIGN.md §4: NPS = % promoters (9-10) - % detractors (0-6); passives count in the denominator only.
    return 100.0 * double(promoters - detractors) / double(total);
}

std::optional<double> csatPercent(int satisfied, int responses)
{
    if (responses <= 0)
        return std::nullopt;
    return 100.0 * double(satisfied) / double(responses); // DESIGN.md §4: % of 4-5 answers on 1-5
}

std::optional<double> cesMean(qint64 scoreSum, int responses)
{
    if (responses <= 0)
        return std::nullopt;
    return double(scoreSum) / double(responses); // DESIGN.md §4: CES = mean
}

QStringList matchThemes(const QString &text, const QList<Domain::FeedbackThemeRule> &rules)
{
    QStringList themes;
    if (text.isEmpty())
        return themes;
    const QString haystack = text.toLower();
    for (const Domain::FeedbackThemeRule &rule : rules) {
        if (!rule.isActive)
            continue;
        bool matched = false;
        for (const QString &keyword : rule.keywords) {
            const QString needle = keyword.trimmed().toLower();
            if (needle.isEmpty())
                continue;
            for (qsizetype at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
                if (at == 0 || !haystack.at(at - 1).isLetterOrNumber()) {
                    matched = true;
                    break;
                }
            }
            if (matched)
                break;
        }
        if (matched && !themes.contains(rule.theme, Qt::CaseInsensitive))
            themes << rule.theme;
    }
    return themes;
}

Domain::InsightKind insightKindForTheme(const QString &theme)
{
    QString key = theme.trimmed().toLower();
    key.replace(u' ', u'_');
    key.replace(u'-', u'_');
    if (key == u"feature_requests"_s || key == u"feature"_s)
        key = u"feature_request"_s;
    if (key == u"bugs"_s)
        key = u"bug"_s;
    return Domain::enumFromString<Domain::InsightKind>(key).value_or(Domain::InsightKind::Other);
}

} // namespace FeedbackFormulas

// ---- periods and scope --------------------------------------------------------------------------------------

namespace Periods {

Status validate(const QDate &from, const QDate &to, TrendGranularity granularity)
{
    Q_UNUSED(granularity) // ten years are at most 523 weeks: every granularity stays bounded
    if (!from.isValid())
        return Error::invalid(u"from"_s, u"is required (yyyy-MM-dd)"_s);
    if (!to.isValid())
        return Error::invalid(u"to"_s, u"is required (yyyy-MM-dd)"_s);
    if (to < from)
        return Error::invalid(u"to"_s, u"must not be before from"_s);
    if (from.daysTo(to) > 3660)
        return Error::invalid(u"to"_s, u"the period must be at most ten years"_s);
    return {};
}

QDate bucketStart(const QDate &day, TrendGranularity granularity)
{
    if (granularity == TrendGranularity::Week)
        return day.addDays(1 - day.dayOfWeek());
    return QDate(day.year(), day.month(), 1);
}

QList<std::pair<QDate, QDate>> buckets(const QDate &from, const QDate &to, TrendGranularity granularity)
{
    QList<std::pair<QDate, QDate>> list;
    if (!from.isValid() || !to.isValid() || to < from)
        return list;
    for (QDate start = bucketStart(from, granularity); start <= to;) {
        const QDate next = granularity == TrendGranularity::Week ? start.addDays(7) : start.addMonths(1);
        list.append({ std::max(start, from), std::min(next.addDays(-1), to) });
        start = next;
        if (list.size() > 1000)
            break;
    }
    return list;
}

std::pair<QVariant, QVariant> timeRange(const QDate &from, const QDate &to)
{
    return { Storage::Convert::toSql(QDateTime(from, QTime(0, 0), QTimeZone::utc())),
        Storage::Convert::toSql(QDateTime(to.addDays(1), QTime(0, 0), QTimeZone::utc())) };
}

QString bucketSql(Storage::Dialect dialect, const QString &column, TrendGranularity granularity)
{
    if (dialect == Storage::Dialect::Sqlite) {
        // Timestamps are ISO 8601 text in UTC; 'weekday 0' moves to the next Sunday (or stays), -6 days is Monday.
        return granularity == TrendGranularity::Week ? u"date(%1, 'weekday 0', '-6 days')"_s.arg(column)
                                                     : u"strftime('%Y-%m-01', %1)"_s.arg(column);
    }
    return u"to_char(date_trunc('%1', %2 AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"_s.arg(
        granularity == TrendGranularity::Week ? u"week"_s : u"month"_s, column);
}

Result<QString> scopeCondition(
    const Storage::Database &db, const CustomerScope &scope, const QString &alias, QVariantList &bindings)
{
    QStringList conditions;
    if (!scope.customerIds.isEmpty()) {
        if (scope.customerIds.size() > 1000)
            return Error::invalid(u"customer_ids"_s, u"at most 1000 customer ids"_s);
        QStringList ids;
        for (const QString &id : scope.customerIds) {
            if (!ids.contains(id))
                ids << id;
        }
        const QString marks = QStringList(ids.size(), u"?"_s).join(u", "_s);
        QVariantList idBindings;
        for (const QString &id : ids)
            idBindings << id;
        auto found = Storage::exec(
            db, u"SELECT id FROM customers WHERE deleted_at IS NULL AND id IN (%1)"_s.arg(marks), idBindings);
        if (!found)
            return found.error();
        QSet<QString> known;
        while (found->next())
            known.insert(found->value(0).toString());
        QStringList missing;
        for (const QString &id : ids) {
            if (!known.contains(id))
                missing << id;
        }
        if (!missing.isEmpty()) {
            return Error::notFound(u"customer_ids"_s,
                u"no customer with id %1"_s.arg(missing.mid(0, 10).join(u", "_s)
                    + (missing.size() > 10 ? u" and %1 more"_s.arg(missing.size() - 10) : QString())));
        }
        conditions << u"%1.id IN (%2)"_s.arg(alias, marks);
        bindings << idBindings;
    }
    if (!scope.tiers.isEmpty()) {
        QStringList marks;
        for (Domain::Tier tier : scope.tiers) {
            if (!Domain::isKnown(tier))
                return Error::invalid(u"tiers"_s, u"is not one of "_s + Domain::enumValues<Domain::Tier>().join(u", "));
            marks << u"?"_s;
            bindings << enumName(tier);
        }
        conditions << u"%1.tier IN (%2)"_s.arg(alias, marks.join(u", "_s));
    }
    if (!scope.industries.isEmpty()) {
        QStringList marks;
        for (const QString &industry : scope.industries) {
            if (industry.trimmed().isEmpty())
                return Error::invalid(u"industries"_s, u"entries must not be empty"_s);
            marks << u"?"_s;
            bindings << industry.trimmed().toLower();
        }
        conditions << u"lower(%1.industry) IN (%2)"_s.arg(alias, marks.join(u", "_s));
    }
    return conditions.join(u" AND "_s);
}

} // namespace Periods

// ---- helpers ------------------------------------------------------------------------------------------------

namespace {

constexpr int kMaxRules = 1000;
constexpr int kEvidencePerTheme = 50;

Status validateQuery(const FeedbackQuery &query)
{
    return Periods::validate(query.from, query.to, query.granularity);
}

SatisfactionFigure makeFigure(
    Domain::SurveyKind kind, int responses, int promoters, int passives, int detractors, int satisfied, qint64 scoreSum)
{
    SatisfactionFigure f;
    f.kind = kind;
    f.responses = responses;
    switch (kind) {
    case Domain::SurveyKind::Nps:
        f.promoters = promoters;
        f.passives = passives;
        f.detractors = detractors;
        f.value = FeedbackFormulas::nps(promoters, passives, detractors);
        break;
    case Domain::SurveyKind::Csat:
        f.satisfied = satisfied;
        f.value = FeedbackFormulas::csatPercent(satisfied, responses);
        break;
    case Domain::SurveyKind::Ces:
        f.scoreSum = scoreSum;
        f.value = FeedbackFormulas::cesMean(scoreSum, responses);
        break;
    }
    if (!f.value)
        f.noDataReason = u"no responses"_s;
    return f;
}

void addInto(SatisfactionFigure &total, const SatisfactionFigure &part)
{
    total.responses += part.responses;
    total.promoters += part.promoters;
    total.passives += part.passives;
    total.detractors += part.detractors;
    total.satisfied += part.satisfied;
    total.scoreSum += part.scoreSum;
}

SatisfactionFigure finish(SatisfactionFigure f)
{
    return makeFigure(f.kind, f.responses, f.promoters, f.passives, f.detractors, f.satisfied, f.scoreSum);
}

QVariant optionalNumber(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant();
}

QVariantMap figureMap(const SatisfactionFigure &f)
{
    QVariantMap m { { u"kind"_s, enumName(f.kind) }, { u"responses"_s, f.responses },
        { u"value"_s, optionalNumber(f.value) } };
    if (f.kind == Domain::SurveyKind::Nps) {
        m.insert(u"promoters"_s, f.promoters);
        m.insert(u"passives"_s, f.passives);
        m.insert(u"detractors"_s, f.detractors);
    } else if (f.kind == Domain::SurveyKind::Csat) {
        m.insert(u"satisfied"_s, f.satisfied);
    }
    if (!f.value)
        m.insert(u"no_data_reason"_s, f.noDataReason);
    return m;
}

QVariantMap quoteMap(const FeedbackQuote &q)
{
    return { { u"response_id"_s, q.responseId }, { u"customer_id"_s, q.customerId },
        { u"customer_name"_s, q.customerName }, { u"kind"_s, enumName(q.kind) }, { u"score"_s, q.score },
        { u"comment"_s, q.comment }, { u"sentiment"_s, optionalNumber(q.sentiment) },
        { u"responded_at"_s, q.respondedAt.toUTC().toString(Qt::ISODateWithMs) } };
}

QString clipTitle(const QString &title)
{
    return title.size() <= 500 ? title : title.left(497) + u"..."_s;
}

// The stored sentiment, else the comment's score now (rows stored without one: imports, the demo portfolio).
std::optional<double> sentimentOf(const QVariant &stored, const QString &comment)
{
    if (!stored.isNull())
        return stored.toDouble();
    if (comment.isEmpty())
        return std::nullopt;
    const SentimentResult s = scoreSentiment(comment);
    return s.hasSignal() ? std::optional<double>(s.score) : std::nullopt;
}

Result<QList<Domain::FeedbackThemeRule>> loadRules(const Storage::Database &db, bool includeInactive)
{
    Storage::ListQuery q;
    q.limit = kMaxRules;
    q.countTotal = false;
    q.orderBy = u"id"_s;
    if (!includeInactive)
        q.filters << Storage::Filter { u"is_active"_s, Storage::Filter::Op::Eq, true };
    auto page = Storage::FeedbackThemeRuleRepository(db).list(q);
    if (!page)
        return page.error();
    return page->items;
}

// The themes of the period, before sorting and limiting, with the evidence ids behind each.
struct ThemeAccumulator
{
    QString display;
    int responseMentions = 0;
    int ticketMentions = 0;
    int detractorMentions = 0;
    QHash<QString, double> customers; // id -> ARR
    double sentimentSum = 0;
    int sentimentScored = 0;
    QList<FeedbackQuote> quotes;
    QVariantList evidence;
};

struct ThemeScan
{
    int responses = 0;
    int tickets = 0;
    QHash<QString, ThemeAccumulator> themes; // lower-case theme -> accumulator
};

void addTheme(ThemeScan &scan, const QString &theme, const std::function<void(ThemeAccumulator &)> &update)
{
    const QString key = theme.trimmed().toLower();
    if (key.isEmpty())
        return;
    auto it = scan.themes.find(key);
    if (it == scan.themes.end()) {
        it = scan.themes.insert(key, ThemeAccumulator {});
        it->display = theme.trimmed();
    }
    update(*it);
}

// Rule spellings win over tag spellings, so "Performance" and "performance" are one theme shown one way.
QStringList mergeThemes(const QStringList &tags, const QStringList &ruleThemes)
{
    QStringList merged = ruleThemes;
    for (const QString &tag : tags) {
        if (!tag.trimmed().isEmpty() && !merged.contains(tag.trimmed(), Qt::CaseInsensitive))
            merged << tag.trimmed();
    }
    return merged;
}

Result<ThemeScan> scanThemes(const Storage::Database &db, const FeedbackQuery &query, bool includeTickets)
{
    auto rules = loadRules(db, false);
    if (!rules)
        return rules.error();
    ThemeScan scan;
    const auto [start, end] = Periods::timeRange(query.from, query.to);

    {
        QVariantList bindings { start, end };
        auto scope = Periods::scopeCondition(db, query.scope, u"c"_s, bindings);
        if (!scope)
            return scope.error();
        const QString sql = u"SELECT r.id, r.customer_id, c.name, c.arr, r.kind, r.score, r.nps_category, r.comment, "
                            u"r.sentiment, r.themes, r.responded_at FROM survey_responses r "
                            u"JOIN customers c ON c.id = r.customer_id "
                            u"WHERE r.deleted_at IS NULL AND c.deleted_at IS NULL AND r.responded_at >= ? "
                            u"AND r.responded_at < ? %1 ORDER BY r.responded_at DESC, r.id DESC"_s.arg(
                                scope->isEmpty() ? QString() : u"AND "_s + *scope);
        auto rows = Storage::exec(db, sql, bindings);
        if (!rows)
            return rows.error();
        while (rows->next()) {
            ++scan.responses;
            FeedbackQuote quote;
            quote.responseId = rows->value(0).toLongLong();
            quote.customerId = rows->value(1).toString();
            quote.customerName = rows->value(2).toString();
            const double arr = rows->value(3).toDouble();
            Storage::Convert::fromSql(rows->value(4), quote.kind);
            quote.score = rows->value(5).toInt();
            const bool detractor = rows->value(6).toString() == u"detractor"_s;
            quote.comment = rows->value(7).toString();
            quote.sentiment = sentimentOf(rows->value(8), quote.comment);
            QStringList tags;
            Storage::Convert::fromSql(rows->value(9), tags);
            Storage::Convert::fromSql(rows->value(10), quote.respondedAt);
            const QStringList themes = mergeThemes(tags, FeedbackFormulas::matchThemes(quote.comment, *rules));
            for (const QString &theme : themes) {
                addTheme(scan, theme, [&](ThemeAccumulator &a) {
                    ++a.responseMentions;
                    if (detractor)
                        ++a.detractorMentions;
                    a.customers.insert(quote.customerId, arr);
                    if (quote.sentiment) {
                        a.sentimentSum += *quote.sentiment;
                        ++a.sentimentScored;
                    }
                    if (!quote.comment.isEmpty() && a.quotes.size() < 3)
                        a.quotes << quote;
                    if (a.evidence.size() < kEvidencePerTheme) {
                        a.evidence << QVariantMap { { u"source"_s, u"survey_responses"_s },
                            { u"id"_s, quote.responseId }, { u"customer_id"_s, quote.customerId } };
                    }
                });
            }
        }
    }

    if (includeTickets) {
        QVariantList bindings { start, end };
        auto scope = Periods::scopeCondition(db, query.scope, u"c"_s, bindings);
        if (!scope)
            return scope.error();
        const QString sql = u"SELECT t.id, t.customer_id, c.arr, t.subject, t.description, t.tags, t.category "
                            u"FROM support_tickets t JOIN customers c ON c.id = t.customer_id "
                            u"WHERE t.deleted_at IS NULL AND c.deleted_at IS NULL AND t.opened_at >= ? "
                            u"AND t.opened_at < ? %1 ORDER BY t.opened_at DESC, t.id DESC"_s.arg(
                                scope->isEmpty() ? QString() : u"AND "_s + *scope);
        auto rows = Storage::exec(db, sql, bindings);
        if (!rows)
            return rows.error();
        while (rows->next()) {
            ++scan.tickets;
            const qint64 id = rows->value(0).toLongLong();
            const QString customerId = rows->value(1).toString();
            const double arr = rows->value(2).toDouble();
            const QString text = rows->value(3).toString() + u"\n"_s + rows->value(4).toString();
            QStringList tags;
            Storage::Convert::fromSql(rows->value(5), tags);
            const QString category = rows->value(6).toString();
            if (!category.isEmpty())
                tags.prepend(category);
            const QStringList themes = mergeThemes(tags, FeedbackFormulas::matchThemes(text, *rules));
            for (const QString &theme : themes) {
                addTheme(scan, theme, [&](ThemeAccumulator &a) {
                    ++a.ticketMentions;
                    a.customers.insert(customerId, arr);
                    if (a.evidence.size() < kEvidencePerTheme) {
                        a.evidence << QVariantMap { { u"source"_s, u"support_tickets"_s }, { u"id"_s, id },
                            { u"customer_id"_s, customerId } };
                    }
                });
            }
        }
    }
    return scan;
}

ThemeSummary summarise(const ThemeAccumulator &a)
{
    ThemeSummary s;
    s.theme = a.display;
    s.responseMentions = a.responseMentions;
    s.ticketMentions = a.ticketMentions;
    s.mentions = a.responseMentions + a.ticketMentions;
    s.detractorMentions = a.detractorMentions;
    s.customerCount = int(a.customers.size());
    for (double arr : a.customers)
        s.arrAffected += arr;
    s.sentimentScored = a.sentimentScored;
    if (a.sentimentScored > 0)
        s.meanSentiment = a.sentimentSum / a.sentimentScored;
    s.quotes = a.quotes;
    return s;
}

// Most customers first, then most mentions, then by name, so equal inputs give equal reports.
QList<std::pair<ThemeSummary, const ThemeAccumulator *>> rankedThemes(const ThemeScan &scan)
{
    QList<std::pair<ThemeSummary, const ThemeAccumulator *>> ranked;
    for (auto it = scan.themes.cbegin(); it != scan.themes.cend(); ++it)
        ranked.append({ summarise(it.value()), &it.value() });
    std::sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) {
        if (a.first.customerCount != b.first.customerCount)
            return a.first.customerCount > b.first.customerCount;
        if (a.first.mentions != b.first.mentions)
            return a.first.mentions > b.first.mentions;
        return a.first.theme.toLower() < b.first.theme.toLower();
    });
    return ranked;
}

Status checkLimit(int limit, int max = 200)
{
    if (limit < 1 || limit > max)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(max));
    return {};
}

} // namespace

// ---- the service --------------------------------------------------------------------------------------------

FeedbackService::FeedbackService(const Storage::Database &db, const Clock &clock, Options options, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
    , m_options(options)
{ }

FeedbackService::FeedbackService(const Storage::Database &db, const Clock &clock, QObject *parent)
    : FeedbackService(db, clock, Options {}, parent)
{ }

Result<Domain::Survey> FeedbackService::createSurvey(const Domain::Survey &survey)
{
    auto created = Storage::SurveyRepository(m_db).create(survey);
    if (created)
        Q_EMIT surveyChanged(created->id);
    return created;
}

Result<Domain::Survey> FeedbackService::updateSurvey(const Domain::Survey &survey)
{
    auto updated = Storage::SurveyRepository(m_db).update(survey);
    if (updated)
        Q_EMIT surveyChanged(updated->id);
    return updated;
}

Result<Domain::Survey> FeedbackService::survey(qint64 id) const
{
    auto found = Storage::SurveyRepository(m_db).get(id);
    if (!found && found.error().code == ErrorCode::NotFound)
        return Error::notFound(u"survey_id"_s, u"no survey with id %1"_s.arg(id));
    return found;
}

Result<Storage::Page<Domain::Survey>> FeedbackService::listSurveys(const Storage::ListQuery &query) const
{
    return Storage::SurveyRepository(m_db).list(query);
}

Result<RecordedResponse> FeedbackService::recordResponse(const NewSurveyResponse &input)
{
    const QDateTime now = m_clock.now();
    auto customer = Storage::CustomerRepository(m_db).get(input.customerId);
    if (!customer) {
        if (customer.error().code == ErrorCode::NotFound)
            return Error::notFound(u"customer_id"_s, u"no customer with id '%1'"_s.arg(input.customerId));
        return customer.error();
    }

    Domain::SurveyResponse r;
    r.customerId = input.customerId;
    r.surveyId = input.surveyId;
    r.contactId = input.contactId;
    r.score = input.score;
    r.comment = input.comment.trimmed();
    r.channel = input.channel;
    if (input.surveyId) {
        auto s = survey(*input.surveyId);
        if (!s)
            return s.error();
        if (s->status == Domain::SurveyStatus::Draft)
            return Error::invalid(u"survey_id"_s, u"survey %1 is a draft: activate it to collect answers"_s.arg(s->id));
        if (s->status == Domain::SurveyStatus::Closed)
            return Error::invalid(u"survey_id"_s, u"survey %1 is closed"_s.arg(s->id));
        if (input.kind && *input.kind != s->kind) {
            return Error::invalid(u"kind"_s,
                u"survey %1 is a %2 survey, not %3"_s.arg(s->id).arg(enumName(s->kind), enumName(*input.kind)));
        }
        r.kind = s->kind;
        if (!r.channel)
            r.channel = s->channel;
    } else if (input.kind) {
        r.kind = *input.kind;
    } else {
        return Error::invalid(u"kind"_s, u"is required when no survey_id is given (nps, csat or ces)"_s);
    }
    r.respondedAt = input.respondedAt.isValid() ? input.respondedAt.toUTC() : now;
    if (r.respondedAt > now)
        return Error::invalid(u"responded_at"_s, u"must not be in the future"_s);
    if (input.contactId) {
        auto contact = Storage::exec(
            m_db, u"SELECT customer_id FROM contacts WHERE id = ? AND deleted_at IS NULL"_s, { *input.contactId });
        if (!contact)
            return contact.error();
        if (!contact->next())
            return Error::notFound(u"contact_id"_s, u"no contact with id %1"_s.arg(*input.contactId));
        if (contact->value(0).toString() != input.customerId) {
            return Error::invalid(u"contact_id"_s, u"contact %1 belongs to another customer"_s.arg(*input.contactId));
        }
    }
    r.npsCategory = Domain::expectedNpsCategory(r.kind, r.score);

    RecordedResponse result;
    result.sentiment = scoreSentiment(r.comment);
    if (result.sentiment.hasSignal())
        r.sentiment = result.sentiment.score;
    auto rules = loadRules(m_db, false);
    if (!rules)
        return rules.error();
    result.ruleThemes = FeedbackFormulas::matchThemes(r.comment, *rules);
    // The caller's tags first, as given, then what the keyword rules add.
    for (const QString &t : input.themes) {
        if (!t.trimmed().isEmpty() && !r.themes.contains(t.trimmed(), Qt::CaseInsensitive))
            r.themes << t.trimmed();
    }
    for (const QString &t : result.ruleThemes) {
        if (!r.themes.contains(t, Qt::CaseInsensitive))
            r.themes << t;
    }

    if (r.npsCategory == Domain::NpsCategory::Detractor) {
        r.followUpStatus = Domain::FollowUpStatus::Open;
        r.followUpDue = r.respondedAt.addDays(m_options.detractorFollowUpDays);
        r.routedTo = customer->owner;
        result.followUpOpened = true;
    }
    if (auto valid = r.validate(); !valid)
        return valid.error();

    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto created = Storage::SurveyResponseRepository(m_db).create(r);
    if (!created)
        return created.error();

    Domain::TimelineEvent event;
    event.customerId = r.customerId;
    event.occurredAt = r.respondedAt;
    event.kind = Domain::TimelineEventKind::Feedback;
    const auto [low, high] = Domain::surveyScoreRange(r.kind);
    Q_UNUSED(low)
    QString title = u"%1 %2/%3"_s.arg(enumName(r.kind).toUpper()).arg(r.score).arg(high);
    if (r.npsCategory)
        title += u" (%1)"_s.arg(enumName(*r.npsCategory));
    if (result.followUpOpened) {
        title += u": follow-up due %1%2"_s.arg(r.followUpDue.date().toString(Qt::ISODate),
            r.routedTo.isEmpty() ? u" (no CSM assigned)"_s : u", "_s + r.routedTo);
    }
    event.title = clipTitle(title);
    event.detail = { { u"kind"_s, enumName(r.kind) }, { u"score"_s, r.score },
        { u"nps_category"_s, r.npsCategory ? QVariant(enumName(*r.npsCategory)) : QVariant() },
        { u"detractor"_s, r.npsCategory == Domain::NpsCategory::Detractor },
        { u"sentiment"_s, optionalNumber(r.sentiment) }, { u"themes"_s, r.themes },
        { u"follow_up_due"_s,
            r.followUpDue.isValid() ? QVariant(r.followUpDue.toString(Qt::ISODateWithMs)) : QVariant() },
        { u"routed_to"_s, r.routedTo.isEmpty() ? QVariant() : QVariant(r.routedTo) } };
    if (!r.comment.isEmpty())
        event.detail.insert(u"comment"_s, r.comment.left(1000));
    event.sourceTable = u"survey_responses"_s;
    event.sourceId = QString::number(created->id);
    if (auto logged = Storage::TimelineEventRepository(m_db).create(event); !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();

    result.response = *created;
    Q_EMIT responseRecorded(created->customerId, created->id);
    if (result.followUpOpened)
        Q_EMIT followUpChanged(created->customerId, created->id);
    return result;
}

Result<Domain::SurveyResponse> FeedbackService::response(qint64 id) const
{
    auto found = Storage::SurveyResponseRepository(m_db).get(id);
    if (!found && found.error().code == ErrorCode::NotFound)
        return Error::notFound(u"response_id"_s, u"no survey response with id %1"_s.arg(id));
    return found;
}

Result<Storage::Page<Domain::SurveyResponse>> FeedbackService::listResponses(const Storage::ListQuery &query) const
{
    return Storage::SurveyResponseRepository(m_db).list(query);
}

Result<Storage::Page<Domain::SurveyResponse>> FeedbackService::followUps(const FollowUpQuery &query) const
{
    if (auto ok = checkLimit(query.limit); !ok)
        return ok.error();
    Storage::ListQuery q;
    q.limit = query.limit;
    q.cursor = query.cursor;
    q.orderBy = u"follow_up_due"_s;
    q.filters << Storage::Filter { u"follow_up_status"_s, Storage::Filter::Op::Eq,
        Storage::Convert::toSql(Domain::FollowUpStatus::Open) };
    if (query.overdueOnly) {
        q.filters << Storage::Filter { u"follow_up_due"_s, Storage::Filter::Op::Lt,
            Storage::Convert::toSql(m_clock.now()) };
    }
    if (!query.routedTo.isEmpty())
        q.filters << Storage::Filter { u"routed_to"_s, Storage::Filter::Op::Eq, query.routedTo };
    if (!query.customerId.isEmpty())
        q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, query.customerId };
    return Storage::SurveyResponseRepository(m_db).list(q);
}

Result<Domain::SurveyResponse> FeedbackService::completeFollowUp(
    qint64 responseId, const QString &note, const QString &actor, int expectedVersion)
{
    auto r = response(responseId);
    if (!r)
        return r.error();
    if (r->followUpStatus != Domain::FollowUpStatus::Open)
        return Error::invalid(u"follow_up_status"_s, u"response %1 has no open follow-up"_s.arg(responseId));
    if (expectedVersion > 0)
        r->meta.version = expectedVersion;
    r->followUpStatus = Domain::FollowUpStatus::Done;

    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto updated = Storage::SurveyResponseRepository(m_db).update(*r);
    if (!updated)
        return updated.error();
    Domain::TimelineEvent event;
    event.customerId = updated->customerId;
    event.occurredAt = m_clock.now();
    event.kind = Domain::TimelineEventKind::Feedback;
    event.title = clipTitle(u"Follow-up done on %1 %2"_s.arg(enumName(updated->kind).toUpper()).arg(updated->score)
        + (note.trimmed().isEmpty() ? QString() : u": "_s + note.trimmed()));
    event.detail = { { u"response_id"_s, updated->id }, { u"note"_s, note.trimmed() },
        { u"due"_s, updated->followUpDue.toString(Qt::ISODateWithMs) },
        { u"overdue"_s, updated->followUpDue.isValid() && event.occurredAt > updated->followUpDue } };
    event.sourceTable = u"survey_responses"_s;
    event.sourceId = QString::number(updated->id);
    event.actor = actor.left(200);
    if (auto logged = Storage::TimelineEventRepository(m_db).create(event); !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    Q_EMIT followUpChanged(updated->customerId, updated->id);
    return updated;
}

Result<SatisfactionTrend> FeedbackService::satisfactionTrend(Domain::SurveyKind kind, const FeedbackQuery &query) const
{
    if (!Domain::isKnown(kind))
        return Error::invalid(u"kind"_s, u"is not one of nps, csat, ces"_s);
    if (auto ok = validateQuery(query); !ok)
        return ok.error();
    const auto [start, end] = Periods::timeRange(query.from, query.to);
    QVariantList bindings { enumName(kind), start, end };
    auto scope = Periods::scopeCondition(m_db, query.scope, u"c"_s, bindings);
    if (!scope)
        return scope.error();
    // One GROUP BY over the (kind, responded_at) index; the counts behind every formula come back together.
    const QString sql = u"SELECT %1 AS bucket, COUNT(*), "
                        u"SUM(CASE WHEN r.score >= 9 THEN 1 ELSE 0 END), "
                        u"SUM(CASE WHEN r.score BETWEEN 7 AND 8 THEN 1 ELSE 0 END), "
                        u"SUM(CASE WHEN r.score <= 6 THEN 1 ELSE 0 END), "
                        u"SUM(CASE WHEN r.score >= 4 THEN 1 ELSE 0 END), SUM(r.score) "
                        u"FROM survey_responses r JOIN customers c ON c.id = r.customer_id "
                        u"WHERE r.deleted_at IS NULL AND c.deleted_at IS NULL AND r.kind = ? "
                        u"AND r.responded_at >= ? AND r.responded_at < ? %2 GROUP BY bucket"_s.arg(
                            Periods::bucketSql(m_db.dialect(), u"r.responded_at"_s, query.granularity),
                            scope->isEmpty() ? QString() : u"AND "_s + *scope);
    auto rows = Storage::exec(m_db, sql, bindings);
    if (!rows)
        return rows.error();
    QHash<QDate, SatisfactionFigure> byBucket;
    while (rows->next()) {
        const QDate bucket = QDate::fromString(rows->value(0).toString(), Qt::ISODate);
        byBucket.insert(bucket,
            makeFigure(kind, rows->value(1).toInt(), rows->value(2).toInt(), rows->value(3).toInt(),
                rows->value(4).toInt(), rows->value(5).toInt(), rows->value(6).toLongLong()));
    }

    SatisfactionTrend trend;
    trend.kind = kind;
    trend.from = query.from;
    trend.to = query.to;
    trend.granularity = query.granularity;
    SatisfactionFigure total;
    total.kind = kind;
    for (const auto &[from, to] : Periods::buckets(query.from, query.to, query.granularity)) {
        const QDate key = Periods::bucketStart(from, query.granularity);
        SatisfactionPoint point { from, to, byBucket.value(key, makeFigure(kind, 0, 0, 0, 0, 0, 0)) };
        point.figure.kind = kind;
        addInto(total, point.figure);
        trend.points << point;
    }
    trend.overall = finish(total);
    return trend;
}

Result<QList<SegmentSatisfaction>> FeedbackService::satisfactionBySegment(
    Domain::SurveyKind kind, const FeedbackQuery &query, SegmentDimension dimension) const
{
    if (!Domain::isKnown(kind))
        return Error::invalid(u"kind"_s, u"is not one of nps, csat, ces"_s);
    if (auto ok = validateQuery(query); !ok)
        return ok.error();
    const auto [start, end] = Periods::timeRange(query.from, query.to);
    QVariantList bindings { enumName(kind), start, end };
    auto scope = Periods::scopeCondition(m_db, query.scope, u"c"_s, bindings);
    if (!scope)
        return scope.error();
    const QString column = dimension == SegmentDimension::Tier ? u"c.tier"_s : u"COALESCE(c.industry, '')"_s;
    const QString sql = u"SELECT %1 AS segment, COUNT(*), "
                        u"SUM(CASE WHEN r.score >= 9 THEN 1 ELSE 0 END), "
                        u"SUM(CASE WHEN r.score BETWEEN 7 AND 8 THEN 1 ELSE 0 END), "
                        u"SUM(CASE WHEN r.score <= 6 THEN 1 ELSE 0 END), "
                        u"SUM(CASE WHEN r.score >= 4 THEN 1 ELSE 0 END), SUM(r.score), COUNT(DISTINCT r.customer_id) "
                        u"FROM survey_responses r JOIN customers c ON c.id = r.customer_id "
                        u"WHERE r.deleted_at IS NULL AND c.deleted_at IS NULL AND r.kind = ? "
                        u"AND r.responded_at >= ? AND r.responded_at < ? %2 GROUP BY segment"_s.arg(
                            column, scope->isEmpty() ? QString() : u"AND "_s + *scope);
    auto rows = Storage::exec(m_db, sql, bindings);
    if (!rows)
        return rows.error();
    QList<SegmentSatisfaction> list;
    while (rows->next()) {
        SegmentSatisfaction s;
        s.segment = rows->value(0).toString();
        if (s.segment.isEmpty())
            s.segment = u"unspecified"_s;
        s.figure = makeFigure(kind, rows->value(1).toInt(), rows->value(2).toInt(), rows->value(3).toInt(),
            rows->value(4).toInt(), rows->value(5).toInt(), rows->value(6).toLongLong());
        s.customers = rows->value(7).toInt();
        list << s;
    }
    std::sort(list.begin(), list.end(), [](const SegmentSatisfaction &a, const SegmentSatisfaction &b) {
        if (a.figure.responses != b.figure.responses)
            return a.figure.responses > b.figure.responses;
        return a.segment < b.segment;
    });
    return list;
}

Result<SentimentSummary> FeedbackService::sentimentSummary(const FeedbackQuery &query, int quoteLimit) const
{
    if (auto ok = validateQuery(query); !ok)
        return ok.error();
    if (quoteLimit < 0 || quoteLimit > 50)
        return Error::invalid(u"quote_limit"_s, u"must be between 0 and 50"_s);
    const auto [start, end] = Periods::timeRange(query.from, query.to);
    QVariantList bindings { start, end };
    auto scope = Periods::scopeCondition(m_db, query.scope, u"c"_s, bindings);
    if (!scope)
        return scope.error();
    const QString sql = u"SELECT r.id, r.customer_id, c.name, r.kind, r.score, r.comment, r.sentiment, r.responded_at "
                        u"FROM survey_responses r JOIN customers c ON c.id = r.customer_id "
                        u"WHERE r.deleted_at IS NULL AND c.deleted_at IS NULL AND r.responded_at >= ? "
                        u"AND r.responded_at < ? %1 ORDER BY r.responded_at DESC, r.id DESC"_s.arg(
                            scope->isEmpty() ? QString() : u"AND "_s + *scope);
    auto rows = Storage::exec(m_db, sql, bindings);
    if (!rows)
        return rows.error();

    SentimentSummary summary;
    summary.from = query.from;
    summary.to = query.to;
    summary.method = sentimentMethodSummary();
    const auto buckets = Periods::buckets(query.from, query.to, query.granularity);
    QHash<QDate, int> bucketIndex;
    QList<double> bucketSums(buckets.size(), 0.0);
    for (const auto &[from, to] : buckets) {
        bucketIndex.insert(Periods::bucketStart(from, query.granularity), int(summary.trend.size()));
        SentimentPoint point;
        point.periodStart = from;
        point.periodEnd = to;
        summary.trend << point;
    }
    QList<FeedbackQuote> scored;
    double sum = 0;
    while (rows->next()) {
        ++summary.responses;
        FeedbackQuote q;
        q.responseId = rows->value(0).toLongLong();
        q.customerId = rows->value(1).toString();
        q.customerName = rows->value(2).toString();
        Storage::Convert::fromSql(rows->value(3), q.kind);
        q.score = rows->value(4).toInt();
        q.comment = rows->value(5).toString();
        Storage::Convert::fromSql(rows->value(7), q.respondedAt);
        if (!q.comment.isEmpty())
            ++summary.withComment;
        q.sentiment = sentimentOf(rows->value(6), q.comment);
        if (!q.sentiment)
            continue;
        const double s = *q.sentiment;
        ++summary.scored;
        sum += s;
        const int label = s >= 0.05 ? 1 : s <= -0.05 ? -1 : 0;
        (label > 0 ? summary.positive : label < 0 ? summary.negative : summary.neutral)++;
        const int index = bucketIndex.value(Periods::bucketStart(q.respondedAt.date(), query.granularity), -1);
        if (index >= 0) {
            SentimentPoint &p = summary.trend[index];
            ++p.scored;
            bucketSums[index] += s;
            (label > 0 ? p.positive : label < 0 ? p.negative : p.neutral)++;
        }
        if (!q.comment.isEmpty())
            scored << q;
    }
    for (qsizetype i = 0; i < summary.trend.size(); ++i) {
        if (summary.trend[i].scored > 0)
            summary.trend[i].mean = bucketSums[i] / summary.trend[i].scored;
    }
    if (summary.scored > 0) {
        summary.mean = sum / summary.scored;
    } else {
        summary.noDataReason = summary.responses == 0 ? u"no responses in the period"_s
            : summary.withComment == 0                ? u"no response in the period has a comment"_s
                                                      : u"no comment in the period carries a measurable sentiment"_s;
    }
    // Stable: equal sentiment keeps the newest first (the scan order).
    std::stable_sort(scored.begin(), scored.end(),
        [](const FeedbackQuote &a, const FeedbackQuote &b) { return *a.sentiment < *b.sentiment; });
    for (const FeedbackQuote &q : scored) {
        if (summary.mostNegative.size() >= quoteLimit || *q.sentiment > -0.05)
            break;
        summary.mostNegative << q;
    }
    std::stable_sort(scored.begin(), scored.end(),
        [](const FeedbackQuote &a, const FeedbackQuote &b) { return *a.sentiment > *b.sentiment; });
    for (const FeedbackQuote &q : scored) {
        if (summary.mostPositive.size() >= quoteLimit || *q.sentiment < 0.05)
            break;
        summary.mostPositive << q;
    }
    return summary;
}

Result<Domain::FeedbackThemeRule> FeedbackService::createThemeRule(const Domain::FeedbackThemeRule &rule)
{
    if (rule.keywords.isEmpty())
        return Error::invalid(u"keywords"_s, u"at least one keyword is required"_s);
    auto created = Storage::FeedbackThemeRuleRepository(m_db).create(rule);
    if (created)
        Q_EMIT themeRulesChanged();
    return created;
}

Result<Domain::FeedbackThemeRule> FeedbackService::updateThemeRule(const Domain::FeedbackThemeRule &rule)
{
    if (rule.keywords.isEmpty())
        return Error::invalid(u"keywords"_s, u"at least one keyword is required"_s);
    auto updated = Storage::FeedbackThemeRuleRepository(m_db).update(rule);
    if (!updated && updated.error().code == ErrorCode::NotFound)
        return Error::notFound(u"rule_id"_s, u"no feedback theme rule with id %1"_s.arg(rule.id));
    if (updated)
        Q_EMIT themeRulesChanged();
    return updated;
}

Status FeedbackService::removeThemeRule(qint64 id, int expectedVersion)
{
    auto removed = Storage::FeedbackThemeRuleRepository(m_db).softDelete(id, expectedVersion);
    if (!removed && removed.error().code == ErrorCode::NotFound)
        return Error::notFound(u"rule_id"_s, u"no feedback theme rule with id %1"_s.arg(id));
    if (removed)
        Q_EMIT themeRulesChanged();
    return removed;
}

Result<QList<Domain::FeedbackThemeRule>> FeedbackService::themeRules(bool includeInactive) const
{
    return loadRules(m_db, includeInactive);
}

Result<ThemeReport> FeedbackService::themeReport(const FeedbackQuery &query, int limit, bool includeTickets) const
{
    if (auto ok = validateQuery(query); !ok)
        return ok.error();
    if (auto ok = checkLimit(limit); !ok)
        return ok.error();
    auto scan = scanThemes(m_db, query, includeTickets);
    if (!scan)
        return scan.error();
    ThemeReport report;
    report.from = query.from;
    report.to = query.to;
    report.responsesConsidered = scan->responses;
    report.ticketsConsidered = scan->tickets;
    const auto ranked = rankedThemes(*scan);
    report.totalThemes = int(ranked.size());
    for (const auto &entry : ranked) {
        if (report.themes.size() >= limit)
            break;
        report.themes << entry.first;
    }
    if (report.themes.isEmpty()) {
        report.noDataReason = scan->responses + scan->tickets == 0
            ? (includeTickets ? u"no survey responses or tickets in the period"_s
                              : u"no survey responses in the period"_s)
            : u"no tag, category or keyword rule matched the period's feedback"_s;
    }
    return report;
}

Result<InsightShareResult> FeedbackService::shareProductInsights(
    const FeedbackQuery &query, const QString &sharedWith, int minCustomers, int limit)
{
    if (auto ok = validateQuery(query); !ok)
        return ok.error();
    if (sharedWith.trimmed().isEmpty())
        return Error::invalid(u"shared_with"_s, u"is required: who receives the insights"_s);
    if (minCustomers < 1)
        return Error::invalid(u"min_customers"_s, u"must be at least 1"_s);
    if (auto ok = checkLimit(limit); !ok)
        return ok.error();
    auto scan = scanThemes(m_db, query, true);
    if (!scan)
        return scan.error();

    InsightShareResult result;
    result.basis.from = query.from;
    result.basis.to = query.to;
    result.basis.responsesConsidered = scan->responses;
    result.basis.ticketsConsidered = scan->tickets;
    const auto ranked = rankedThemes(*scan);
    result.basis.totalThemes = int(ranked.size());
    const QDateTime now = m_clock.now();
    Storage::ProductInsightRepository insights(m_db);

    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    for (const auto &[summary, acc] : ranked) {
        if (result.basis.themes.size() >= limit || summary.customerCount < minCustomers)
            break; // ranked by customers first: nothing after this one qualifies
        result.basis.themes << summary;
        QString description = u"%1 mention(s) from %2 customer(s) between %3 and %4: %5 survey response(s), %6 "
                              u"ticket(s)"_s.arg(summary.mentions)
                                  .arg(summary.customerCount)
                                  .arg(query.from.toString(Qt::ISODate), query.to.toString(Qt::ISODate))
                                  .arg(summary.responseMentions)
                                  .arg(summary.ticketMentions);
        if (summary.meanSentiment)
            description += u"; mean comment sentiment %1"_s.arg(*summary.meanSentiment, 0, 'f', 2);
        if (summary.detractorMentions > 0)
            description += u"; %1 from NPS detractors"_s.arg(summary.detractorMentions);
        description += u"."_s;

        auto existing = Storage::exec(m_db,
            u"SELECT %1 FROM product_insights WHERE deleted_at IS NULL AND lower(theme) = ? "
            u"AND status NOT IN ('shipped', 'declined') ORDER BY id LIMIT 1"_s.arg(
                Storage::ProductInsightRepository::selectList()),
            { summary.theme.toLower() });
        if (!existing)
            return existing.error();
        std::optional<Domain::ProductInsight> found;
        if (existing->next())
            found = Storage::ProductInsightRepository::fromRow(*existing, existing->record());
        while (existing->next()) { }

        Domain::ProductInsight insight = found.value_or(Domain::ProductInsight {});
        if (!found) {
            insight.title = clipTitle(u"Customer theme: "_s + summary.theme).left(300);
            insight.theme = summary.theme.left(100);
            insight.kind = FeedbackFormulas::insightKindForTheme(summary.theme);
        }
        insight.description = description;
        insight.customerCount = summary.customerCount;
        insight.arrImpact = summary.arrAffected;
        insight.evidence = acc->evidence;
        insight.sharedWith = sharedWith.trimmed().left(200);
        insight.sharedAt = now;
        if (insight.status == Domain::InsightStatus::New)
            insight.status = Domain::InsightStatus::Shared;
        if (found) {
            auto updated = insights.update(insight);
            if (!updated)
                return updated.error();
            result.updated << *updated;
        } else {
            insight.status = Domain::InsightStatus::Shared;
            auto created = insights.create(insight);
            if (!created)
                return created.error();
            result.created << *created;
        }
    }
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    if (result.basis.themes.isEmpty()) {
        result.basis.noDataReason = scan->responses + scan->tickets == 0
            ? u"no survey responses or tickets in the period"_s
            : u"no theme was raised by at least %1 customer(s)"_s.arg(minCustomers);
    } else {
        Q_EMIT productInsightsChanged();
    }
    return result;
}

Result<Storage::Page<Domain::ProductInsight>> FeedbackService::listProductInsights(
    const Storage::ListQuery &query) const
{
    return Storage::ProductInsightRepository(m_db).list(query);
}

Result<Domain::ProductInsight> FeedbackService::setInsightStatus(
    qint64 id, Domain::InsightStatus status, int expectedVersion)
{
    Storage::ProductInsightRepository repo(m_db);
    auto insight = repo.get(id);
    if (!insight) {
        if (insight.error().code == ErrorCode::NotFound)
            return Error::notFound(u"insight_id"_s, u"no product insight with id %1"_s.arg(id));
        return insight.error();
    }
    if (expectedVersion > 0)
        insight->meta.version = expectedVersion;
    insight->status = status;
    auto updated = repo.update(*insight);
    if (updated)
        Q_EMIT productInsightsChanged();
    return updated;
}

Result<Domain::VocReport> FeedbackService::generateVocReport(
    const FeedbackQuery &query, const QString &title, const QString &generatedBy)
{
    if (auto ok = validateQuery(query); !ok)
        return ok.error();
    QVariantMap summary;
    summary.insert(u"period"_s,
        QVariantMap { { u"from"_s, query.from.toString(Qt::ISODate) }, { u"to"_s, query.to.toString(Qt::ISODate) },
            { u"granularity"_s, enumName(query.granularity) } });
    QVariantMap scope;
    if (!query.scope.customerIds.isEmpty())
        scope.insert(u"customer_ids"_s, query.scope.customerIds);
    if (!query.scope.tiers.isEmpty()) {
        QStringList tiers;
        for (Domain::Tier t : query.scope.tiers)
            tiers << enumName(t);
        scope.insert(u"tiers"_s, tiers);
    }
    if (!query.scope.industries.isEmpty())
        scope.insert(u"industries"_s, query.scope.industries);
    summary.insert(u"scope"_s, scope);

    int responses = 0;
    for (Domain::SurveyKind kind : { Domain::SurveyKind::Nps, Domain::SurveyKind::Csat, Domain::SurveyKind::Ces }) {
        auto trend = satisfactionTrend(kind, query);
        if (!trend)
            return trend.error();
        responses += trend->overall.responses;
        summary.insert(enumName(kind), figureMap(trend->overall));
        QVariantList points;
        for (const SatisfactionPoint &p : trend->points) {
            points << QVariantMap { { u"period_start"_s, p.periodStart.toString(Qt::ISODate) },
                { u"period_end"_s, p.periodEnd.toString(Qt::ISODate) }, { u"responses"_s, p.figure.responses },
                { u"value"_s, optionalNumber(p.figure.value) } };
        }
        summary.insert(enumName(kind) + u"_trend"_s, points);
    }
    summary.insert(u"responses"_s, responses);

    auto themes = themeReport(query, 10, true);
    if (!themes)
        return themes.error();
    QVariantList topThemes;
    for (const ThemeSummary &t : themes->themes) {
        topThemes << QVariantMap { { u"theme"_s, t.theme }, { u"mentions"_s, t.mentions },
            { u"response_mentions"_s, t.responseMentions }, { u"ticket_mentions"_s, t.ticketMentions },
            { u"detractor_mentions"_s, t.detractorMentions }, { u"customers"_s, t.customerCount },
            { u"arr_affected"_s, t.arrAffected }, { u"mean_sentiment"_s, optionalNumber(t.meanSentiment) } };
    }
    summary.insert(u"top_themes"_s, topThemes);
    summary.insert(u"tickets_considered"_s, themes->ticketsConsidered);

    auto sentiment = sentimentSummary(query, 5);
    if (!sentiment)
        return sentiment.error();
    QVariantMap s { { u"comments"_s, sentiment->withComment }, { u"scored"_s, sentiment->scored },
        { u"mean"_s, optionalNumber(sentiment->mean) }, { u"positive"_s, sentiment->positive },
        { u"neutral"_s, sentiment->neutral }, { u"negative"_s, sentiment->negative } };
    if (!sentiment->mean)
        s.insert(u"no_data_reason"_s, sentiment->noDataReason);
    summary.insert(u"sentiment"_s, s);
    QVariantList sentimentTrend;
    for (const SentimentPoint &p : sentiment->trend) {
        sentimentTrend << QVariantMap { { u"period_start"_s, p.periodStart.toString(Qt::ISODate) },
            { u"period_end"_s, p.periodEnd.toString(Qt::ISODate) }, { u"scored"_s, p.scored },
            { u"mean"_s, optionalNumber(p.mean) } };
    }
    summary.insert(u"sentiment_trend"_s, sentimentTrend);
    QVariantList negative;
    QVariantList positive;
    for (const FeedbackQuote &q : sentiment->mostNegative)
        negative << quoteMap(q);
    for (const FeedbackQuote &q : sentiment->mostPositive)
        positive << quoteMap(q);
    summary.insert(u"quotes"_s, QVariantMap { { u"negative"_s, negative }, { u"positive"_s, positive } });

    // Follow-ups of the period's detractors, as they stand now.
    {
        const auto [start, end] = Periods::timeRange(query.from, query.to);
        QVariantList bindings { Storage::Convert::toSql(m_clock.now()), start, end };
        auto scopeSql = Periods::scopeCondition(m_db, query.scope, u"c"_s, bindings);
        if (!scopeSql)
            return scopeSql.error();
        auto rows = Storage::exec(m_db,
            u"SELECT COUNT(*), SUM(CASE WHEN r.follow_up_status = 'open' THEN 1 ELSE 0 END), "
            u"SUM(CASE WHEN r.follow_up_status = 'open' AND r.follow_up_due < ? THEN 1 ELSE 0 END) "
            u"FROM survey_responses r JOIN customers c ON c.id = r.customer_id WHERE r.deleted_at IS NULL "
            u"AND c.deleted_at IS NULL AND r.follow_up_status <> 'none' AND r.responded_at >= ? "
            u"AND r.responded_at < ? %1"_s.arg(scopeSql->isEmpty() ? QString() : u"AND "_s + *scopeSql),
            bindings);
        if (!rows)
            return rows.error();
        QVariantMap followUps { { u"opened"_s, 0 }, { u"open"_s, 0 }, { u"overdue"_s, 0 } };
        if (rows->next()) {
            followUps = { { u"opened"_s, rows->value(0).toInt() }, { u"open"_s, rows->value(1).toInt() },
                { u"overdue"_s, rows->value(2).toInt() } };
        }
        summary.insert(u"follow_ups"_s, followUps);
    }
    summary.insert(u"sentiment_method"_s, sentimentMethodSummary());
    if (responses == 0)
        summary.insert(u"no_data_reason"_s, u"no survey responses in the period"_s);

    Domain::VocReport report;
    report.title = title.trimmed().isEmpty()
        ? u"Voice of the customer %1 to %2"_s.arg(query.from.toString(Qt::ISODate), query.to.toString(Qt::ISODate))
        : title.trimmed();
    report.periodStart = query.from;
    report.periodEnd = query.to;
    report.summary = summary;
    report.generatedBy = generatedBy.trimmed();
    report.generatedAt = m_clock.now();
    auto created = Storage::VocReportRepository(m_db).create(report);
    if (created)
        Q_EMIT vocReportGenerated(created->id);
    return created;
}

Result<Domain::VocReport> FeedbackService::vocReport(qint64 id) const
{
    auto found = Storage::VocReportRepository(m_db).get(id);
    if (!found && found.error().code == ErrorCode::NotFound)
        return Error::notFound(u"report_id"_s, u"no voice-of-customer report with id %1"_s.arg(id));
    return found;
}

Result<Storage::Page<Domain::VocReport>> FeedbackService::listVocReports(int limit, const QString &cursor) const
{
    if (auto ok = checkLimit(limit); !ok)
        return ok.error();
    Storage::ListQuery q;
    q.limit = limit;
    q.cursor = cursor;
    q.descending = true;
    return Storage::VocReportRepository(m_db).list(q);
}

} // namespace Core
