// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QDate>
#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include "clock.h"
#include "customer.h"
#include "feedback.h"
#include "listquery.h"
#include "sentiment.h"
#include "tables_feedback.h"

namespace Core {

// Which customers a figure covers; every set field narrows it (AND), an empty scope is the whole portfolio.
// Saved segments (Domain::Segment, criteria JSON) are evaluated by the segment service: pass the member ids it
// returns as customerIds. tiers/industries are the ad-hoc filter for "by segment" questions without a saved one.
// Soft-deleted customers are never counted; churned customers are (their answers were real).
struct CustomerScope
{
    QStringList customerIds; // at most 1000; unknown ids are an error naming customer_ids
    QList<Domain::Tier> tiers;
    QStringList industries; // case-insensitive

    bool isEmpty() const { return customerIds.isEmpty() && tiers.isEmpty() && industries.isEmpty(); }
};

enum class TrendGranularity { Week, Month };

// A period of calendar days in UTC, both ends inclusive, split into ISO weeks (Monday first) or calendar months.
struct FeedbackQuery
{
    QDate from;
    QDate to;
    CustomerScope scope;
    TrendGranularity granularity = TrendGranularity::Month;
};

enum class SegmentDimension { Tier, Industry };

// One NPS / CSAT / CES figure with the counts behind it (DESIGN.md §4). value is empty when there were no
// responses ("no responses", never 0).
struct SatisfactionFigure
{
    Domain::SurveyKind kind = Domain::SurveyKind::Nps;
    int responses = 0;
    std::optional<double> value; // NPS -100..100; CSAT % satisfied 0..100; CES mean on 1..7
    int promoters = 0; // NPS 9-10
    int passives = 0; // NPS 7-8
    int detractors = 0; // NPS 0-6
    int satisfied = 0; // CSAT 4-5
    qint64 scoreSum = 0; // CES: the sum behind the mean
    QString noDataReason; // "no responses" when value is empty

    bool hasData() const { return value.has_value(); }
};

struct SatisfactionPoint
{
    QDate periodStart; // clipped to the query's range
    QDate periodEnd;
    SatisfactionFigure figure;
};

struct SatisfactionTrend
{
    Domain::SurveyKind kind = Domain::SurveyKind::Nps;
    QDate from;
    QDate to;
    TrendGranularity granularity = TrendGranularity::Month;
    SatisfactionFigure overall;
    QList<SatisfactionPoint> points; // every period of the range, the empty ones included
};

struct SegmentSatisfaction
{
    QString segment; // the tier's snake_case name or the industry ("unspecified" when a customer has none)
    int customers = 0; // customers who answered
    SatisfactionFigure figure;
};

// A comment worth reading, with where it came from.
struct FeedbackQuote
{
    qint64 responseId = 0;
    QString customerId;
    QString customerName;
    Domain::SurveyKind kind = Domain::SurveyKind::Nps;
    int score = 0;
    QString comment;
    std::optional<double> sentiment;
    QDateTime respondedAt;
};

struct SentimentPoint
{
    QDate periodStart;
    QDate periodEnd;
    int scored = 0;
    std::optional<double> mean;
    int positive = 0;
    int neutral = 0;
    int negative = 0;
};

// Sentiment of survey comments in a period. A response's sentiment is the stored one (stamped by
// recordResponse()) or, for rows stored without one (imports, the demo), scoreSentiment() of its comment now.
struct SentimentSummary
{
    QDate from;
    QDate to;
    int responses = 0; // all responses in the period and scope
    int withComment = 0;
    int scored = 0; // comments with a sentiment signal
    std::optional<double> mean; // mean sentiment of the scored ones, -1..1
    int positive = 0; // >= 0.05
    int neutral = 0;
    int negative = 0; // <= -0.05
    QString noDataReason;
    QList<SentimentPoint> trend;
    QList<FeedbackQuote> mostNegative; // up to quoteLimit, most negative first
    QList<FeedbackQuote> mostPositive;
    QString method; // sentimentMethodSummary()
};

// One theme across survey comments and support tickets.
struct ThemeSummary
{
    QString theme;
    int mentions = 0; // responses + tickets
    int responseMentions = 0;
    int ticketMentions = 0;
    int detractorMentions = 0; // NPS detractors among the responses
    int customerCount = 0; // distinct customers
    double arrAffected = 0; // Σ current ARR of those customers
    std::optional<double> meanSentiment; // over the responses with a sentiment signal
    int sentimentScored = 0;
    QList<FeedbackQuote> quotes; // up to 3, newest first
};

// Themes are a response's stored tags plus the active keyword rules matched on its comment now, and a ticket's
// tags and category plus the rules matched on its subject and description: new rules apply to old feedback.
struct ThemeReport
{
    QDate from;
    QDate to;
    int responsesConsidered = 0;
    int ticketsConsidered = 0;
    int totalThemes = 0; // before the limit
    QList<ThemeSummary> themes; // most customers first, then most mentions
    QString noDataReason;
};

struct InsightShareResult
{
    QList<Domain::ProductInsight> created;
    QList<Domain::ProductInsight> updated;
    ThemeReport basis;
};

// What recordResponse() needs. kind comes from the survey when survey_id is given (a different kind is an error).
struct NewSurveyResponse
{
    std::optional<qint64> surveyId;
    QString customerId;
    std::optional<qint64> contactId;
    std::optional<Domain::SurveyKind> kind;
    int score = -1;
    QString comment;
    QStringList themes; // tags the caller already knows; keyword rules add theirs
    std::optional<Domain::FeedbackChannel> channel;
    QDateTime respondedAt; // invalid = now (Clock); never in the future
};

struct RecordedResponse
{
    Domain::SurveyResponse response;
    SentimentResult sentiment;
    QStringList ruleThemes; // the themes the keyword rules added
    bool followUpOpened = false;
};

struct FollowUpQuery
{
    bool overdueOnly = false; // due before now
    QString routedTo; // empty = anyone
    QString customerId;
    int limit = 25; // 1..200
    QString cursor;
};

// The formulas, pure, so that their unit tests can hand-compute every expected value (DESIGN.md §4).
namespace FeedbackFormulas {
// NPS = % promoters (9-10) - % detractors (0-6) over all answers; empty when there are none.
std::optional<double> nps(int promoters, int passives, int detractors);
// CSAT = % of answers that are 4 or 5 on the 1-5 scale.
std::optional<double> csatPercent(int satisfied, int responses);
// CES = mean answer (1-7).
std::optional<double> cesMean(qint64 scoreSum, int responses);
// The active rules whose keywords occur in text, in rule order. A keyword matches case-insensitively where a
// word starts, and may continue ("bug" matches "bugs" and "buggy", not "debug"); a keyword may span words.
QStringList matchThemes(const QString &text, const QList<Domain::FeedbackThemeRule> &rules);
// The insight kind a theme stands for: a theme named like an InsightKind (feature_request, "Feature request",
// bug, performance, usability, pricing, praise) is that kind; anything else is other.
Domain::InsightKind insightKindForTheme(const QString &theme);
} // namespace FeedbackFormulas

// Period and scope plumbing shared by the feedback and support analytics (so both bucket and filter alike).
namespace Periods {
// from/to present and ordered, at most ten years (so at most 523 weekly buckets).
Status validate(const QDate &from, const QDate &to, TrendGranularity granularity);
// Monday of the ISO week, or the first of the month.
QDate bucketStart(const QDate &day, TrendGranularity granularity);
// Every bucket touching [from, to], clipped to it: (start, end) inclusive.
QList<std::pair<QDate, QDate>> buckets(const QDate &from, const QDate &to, TrendGranularity granularity);
// [from 00:00 UTC, to + 1 day 00:00 UTC) as bindable timestamps.
std::pair<QVariant, QVariant> timeRange(const QDate &from, const QDate &to);
// A text expression yyyy-MM-dd of the bucket start of a timestamp column, in the database's dialect.
QString bucketSql(Storage::Dialect dialect, const QString &column, TrendGranularity granularity);
// The condition (to AND into a WHERE) restricting the customers table aliased `alias` to the scope; checks that
// every listed customer id exists (ErrorCode::NotFound naming customer_ids). Empty when the scope is empty.
Result<QString> scopeCondition(
    const Storage::Database &db, const CustomerScope &scope, const QString &alias, QVariantList &bindings);
} // namespace Periods

// Feedback: surveys and their responses, NPS / CSAT / CES over time and by segment, sentiment, themes, detractor
// follow-ups, product insights and voice-of-customer reports. Every figure is computed from stored responses (and
// tickets, for themes); a period without data answers "no responses", never a number.
class FeedbackService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FeedbackService)

public:
    struct Options
    {
        int detractorFollowUpDays = 3; // an NPS detractor gets a follow-up due this many days after answering
    };

    FeedbackService(const Storage::Database &db, const Clock &clock, Options options, QObject *parent = nullptr);
    FeedbackService(const Storage::Database &db, const Clock &clock, QObject *parent = nullptr);

    // ---- surveys
    Result<Domain::Survey> createSurvey(const Domain::Survey &survey);
    Result<Domain::Survey> updateSurvey(const Domain::Survey &survey); // optimistic (meta.version)
    Result<Domain::Survey> survey(qint64 id) const;
    Result<Storage::Page<Domain::Survey>> listSurveys(const Storage::ListQuery &query) const;

    // ---- responses (collect_feedback)
    // Stores one answer with its NPS category, sentiment (when the comment has a signal), themes and, for an NPS
    // detractor, an open follow-up due in detractorFollowUpDays routed to the account's CSM; writes a feedback
    // event on the customer's timeline in the same transaction.
    Result<RecordedResponse> recordResponse(const NewSurveyResponse &input);
    Result<Domain::SurveyResponse> response(qint64 id) const;
    Result<Storage::Page<Domain::SurveyResponse>> listResponses(const Storage::ListQuery &query) const;
    // Open follow-ups, earliest due first.
    Result<Storage::Page<Domain::SurveyResponse>> followUps(const FollowUpQuery &query) const;
    // Marks a follow-up done and notes it on the timeline. expectedVersion 0 = the stored one.
    Result<Domain::SurveyResponse> completeFollowUp(
        qint64 responseId, const QString &note, const QString &actor, int expectedVersion = 0);

    // ---- metrics (monitor_satisfaction, track_cs_metrics)
    Result<SatisfactionTrend> satisfactionTrend(Domain::SurveyKind kind, const FeedbackQuery &query) const;
    // One figure per tier or industry (those with answers), most responses first.
    Result<QList<SegmentSatisfaction>> satisfactionBySegment(
        Domain::SurveyKind kind, const FeedbackQuery &query, SegmentDimension dimension) const;

    // ---- sentiment (analyze_feedback_sentiment)
    SentimentResult analyzeText(const QString &text) const { return scoreSentiment(text); }
    Result<SentimentSummary> sentimentSummary(const FeedbackQuery &query, int quoteLimit = 5) const;

    // ---- themes
    Result<Domain::FeedbackThemeRule> createThemeRule(const Domain::FeedbackThemeRule &rule);
    Result<Domain::FeedbackThemeRule> updateThemeRule(const Domain::FeedbackThemeRule &rule);
    Status removeThemeRule(qint64 id, int expectedVersion = 0);
    Result<QList<Domain::FeedbackThemeRule>> themeRules(bool includeInactive = true) const; // at most 1000
    Result<ThemeReport> themeReport(const FeedbackQuery &query, int limit = 25, bool includeTickets = true) const;

    // ---- product insights (share_product_insights)
    // Turns the period's themes raised by at least minCustomers customers into product insights: a live insight
    // with the same theme (not shipped or declined) is refreshed with the new counts, ARR and evidence, otherwise
    // one is created; all are marked shared with sharedWith at now.
    Result<InsightShareResult> shareProductInsights(
        const FeedbackQuery &query, const QString &sharedWith, int minCustomers = 1, int limit = 25);
    Result<Storage::Page<Domain::ProductInsight>> listProductInsights(const Storage::ListQuery &query) const;
    Result<Domain::ProductInsight> setInsightStatus(qint64 id, Domain::InsightStatus status, int expectedVersion = 0);

    // ---- voice of customer (manage_voice_of_customer)
    // Builds and stores a snapshot: responses and NPS/CSAT/CES of the period, top themes, the sentiment trend,
    // quotes (most negative and most positive), follow-up state and the sentiment method.
    Result<Domain::VocReport> generateVocReport(
        const FeedbackQuery &query, const QString &title, const QString &generatedBy);
    Result<Domain::VocReport> vocReport(qint64 id) const;
    Result<Storage::Page<Domain::VocReport>> listVocReports(int limit = 25, const QString &cursor = {}) const;

Q_SIGNALS:
    void surveyChanged(qint64 surveyId);
    void responseRecorded(const QString &customerId, qint64 responseId);
    void followUpChanged(const QString &customerId, qint64 responseId);
    void themeRulesChanged();
    void productInsightsChanged();
    void vocReportGenerated(qint64 reportId);

private:
    const Storage::Database &m_db;
    const Clock &m_clock;
    Options m_options;
};

} // namespace Core

namespace Domain {
CS_ENUM_NAMES(
    Core::TrendGranularity, { Core::TrendGranularity::Week, "week" }, { Core::TrendGranularity::Month, "month" });
CS_ENUM_NAMES(
    Core::SegmentDimension, { Core::SegmentDimension::Tier, "tier" }, { Core::SegmentDimension::Industry, "industry" });
} // namespace Domain
