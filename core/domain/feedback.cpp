// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "feedback.h"

#include "validation.h"

namespace Domain {

using namespace Qt::StringLiterals;

namespace {
constexpr int MaxDescription = 10000;

void wordList(Validator &v, const QString &field, const QStringList &words)
{
    for (const QString &word : words)
        v.check(!word.trimmed().isEmpty() && word.size() <= 100, field, u"each entry must be 1 to 100 characters"_s);
}
} // namespace

std::pair<int, int> surveyScoreRange(SurveyKind kind)
{
    switch (kind) {
    case SurveyKind::Nps:
        return { 0, 10 };
    case SurveyKind::Csat:
        return { 1, 5 };
    case SurveyKind::Ces:
        return { 1, 7 };
    }
    return { 0, -1 }; // an unknown kind accepts no score
}

NpsCategory npsCategory(int score)
{
    if (score >= 9)
        return NpsCategory::Promoter;
    if (score >= 7)
        return NpsCategory::Passive;
    return NpsCategory::Detractor;
}

std::optional<NpsCategory> expectedNpsCategory(SurveyKind kind, int score)
{
    const auto [low, high] = surveyScoreRange(kind);
    if (kind != SurveyKind::Nps || score < low || score > high)
        return std::nullopt;
    return npsCategory(score);
}

Core::Status Survey::validate() const
{
    Validator v;
    v.enumValue(u"kind"_s, kind)
        .required(u"name"_s, name)
        .maxLength(u"name"_s, name, 200)
        .required(u"question"_s, question)
        .maxLength(u"question"_s, question, 1000)
        .enumValue(u"status"_s, status);
    if (channel)
        v.enumValue(u"channel"_s, *channel);
    if (opensAt.isValid() && closesAt.isValid()) {
        v.check(
            closesAt > opensAt, u"closes_at"_s, u"must be after %1"_s.arg(opensAt.toUTC().toString(Qt::ISODateWithMs)));
    }
    return v.result();
}

Core::Status SurveyResponse::validate() const
{
    Validator v;
    if (surveyId)
        v.positiveId(u"survey_id"_s, *surveyId);
    v.customerId(u"customer_id"_s, customerId);
    if (contactId)
        v.positiveId(u"contact_id"_s, *contactId);
    v.enumValue(u"kind"_s, kind);
    const auto [low, high] = surveyScoreRange(kind);
    v.check(score >= low && score <= high, u"score"_s,
        u"must be between %1 and %2 for a %3 answer"_s.arg(low).arg(high).arg(enumName(kind)));
    if (npsCategory)
        v.enumValue(u"nps_category"_s, *npsCategory);
    const std::optional<NpsCategory> expected = expectedNpsCategory(kind, score);
    if (npsCategory != expected) {
        v.check(false, u"nps_category"_s,
            expected ? u"must be %1 for an NPS score of %2"_s.arg(enumName(*expected)).arg(score)
                     : u"must be empty for a %1 answer"_s.arg(enumName(kind)));
    }
    v.maxLength(u"comment"_s, comment, MaxDescription).range(u"sentiment"_s, sentiment, -1, 1);
    wordList(v, u"themes"_s, themes);
    if (channel)
        v.enumValue(u"channel"_s, *channel);
    v.check(respondedAt.isValid(), u"responded_at"_s, u"is required"_s)
        .enumValue(u"follow_up_status"_s, followUpStatus)
        .maxLength(u"routed_to"_s, routedTo, 200);
    return v.result();
}

Core::Status FeedbackThemeRule::validate() const
{
    Validator v;
    v.required(u"theme"_s, theme).maxLength(u"theme"_s, theme, 100);
    wordList(v, u"keywords"_s, keywords);
    return v.result();
}

Core::Status ProductInsight::validate() const
{
    Validator v;
    v.required(u"title"_s, title)
        .maxLength(u"title"_s, title, 300)
        .maxLength(u"description"_s, description, MaxDescription)
        .enumValue(u"kind"_s, kind)
        .maxLength(u"theme"_s, theme, 100)
        .enumValue(u"status"_s, status)
        .check(customerCount >= 0, u"customer_count"_s, u"must not be negative"_s)
        .range(u"arr_impact"_s, arrImpact, 0, 1e12)
        .maxLength(u"shared_with"_s, sharedWith, 200);
    return v.result();
}

Core::Status VocReport::validate() const
{
    Validator v;
    v.required(u"title"_s, title)
        .maxLength(u"title"_s, title, 300)
        .check(periodStart.isValid(), u"period_start"_s, u"is required"_s)
        .check(periodEnd.isValid(), u"period_end"_s, u"is required"_s)
        .dateOrder(u"period_end"_s, periodStart, periodEnd, false)
        .maxLength(u"generated_by"_s, generatedBy, 200)
        .check(generatedAt.isValid(), u"generated_at"_s, u"is required"_s);
    return v.result();
}

} // namespace Domain
