// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "tables_feedback.h"

namespace Storage {

using namespace Qt::StringLiterals;
using namespace Domain;

const QList<Column<Survey>> &TableTraits<Survey>::columns()
{
    static const QList<Column<Survey>> list {
        column(u"id"_s, &Survey::id, KeyColumn | GeneratedKey),
        column(u"kind"_s, &Survey::kind),
        column(u"name"_s, &Survey::name),
        column(u"question"_s, &Survey::question),
        column(u"status"_s, &Survey::status),
        column(u"channel"_s, &Survey::channel),
        column(u"audience"_s, &Survey::audience),
        column(u"opens_at"_s, &Survey::opensAt),
        column(u"closes_at"_s, &Survey::closesAt),
    };
    return list;
}

const QList<Column<SurveyResponse>> &TableTraits<SurveyResponse>::columns()
{
    static const QList<Column<SurveyResponse>> list {
        column(u"id"_s, &SurveyResponse::id, KeyColumn | GeneratedKey),
        column(u"survey_id"_s, &SurveyResponse::surveyId),
        column(u"customer_id"_s, &SurveyResponse::customerId, Immutable),
        column(u"contact_id"_s, &SurveyResponse::contactId),
        column(u"kind"_s, &SurveyResponse::kind),
        column(u"score"_s, &SurveyResponse::score),
        column(u"nps_category"_s, &SurveyResponse::npsCategory),
        column(u"comment"_s, &SurveyResponse::comment),
        column(u"sentiment"_s, &SurveyResponse::sentiment),
        column(u"themes"_s, &SurveyResponse::themes),
        column(u"channel"_s, &SurveyResponse::channel),
        column(u"responded_at"_s, &SurveyResponse::respondedAt),
        column(u"follow_up_due"_s, &SurveyResponse::followUpDue),
        column(u"follow_up_status"_s, &SurveyResponse::followUpStatus),
        column(u"routed_to"_s, &SurveyResponse::routedTo),
    };
    return list;
}

const QList<Column<FeedbackThemeRule>> &TableTraits<FeedbackThemeRule>::columns()
{
    static const QList<Column<FeedbackThemeRule>> list {
        column(u"id"_s, &FeedbackThemeRule::id, KeyColumn | GeneratedKey),
        column(u"theme"_s, &FeedbackThemeRule::theme),
        column(u"keywords"_s, &FeedbackThemeRule::keywords),
        column(u"is_active"_s, &FeedbackThemeRule::isActive),
    };
    return list;
}

const QList<Column<ProductInsight>> &TableTraits<ProductInsight>::columns()
{
    static const QList<Column<ProductInsight>> list {
        column(u"id"_s, &ProductInsight::id, KeyColumn | GeneratedKey),
        column(u"title"_s, &ProductInsight::title),
        column(u"description"_s, &ProductInsight::description),
        column(u"kind"_s, &ProductInsight::kind),
        column(u"theme"_s, &ProductInsight::theme),
        column(u"status"_s, &ProductInsight::status),
        column(u"customer_count"_s, &ProductInsight::customerCount),
        column(u"arr_impact"_s, &ProductInsight::arrImpact),
        column(u"evidence"_s, &ProductInsight::evidence),
        column(u"shared_with"_s, &ProductInsight::sharedWith),
        column(u"shared_at"_s, &ProductInsight::sharedAt),
    };
    return list;
}

const QList<Column<VocReport>> &TableTraits<VocReport>::columns()
{
    static const QList<Column<VocReport>> list {
        column(u"id"_s, &VocReport::id, KeyColumn | GeneratedKey),
        column(u"title"_s, &VocReport::title),
        column(u"period_start"_s, &VocReport::periodStart),
        column(u"period_end"_s, &VocReport::periodEnd),
        column(u"summary"_s, &VocReport::summary),
        column(u"generated_by"_s, &VocReport::generatedBy),
        column(u"generated_at"_s, &VocReport::generatedAt),
    };
    return list;
}

} // namespace Storage
