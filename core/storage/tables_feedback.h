// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include "feedback.h"
#include "repository.h"

namespace Storage {

template<> struct TableTraits<Domain::Survey>
{
    static QString table() { return QStringLiteral("surveys"); }
    static QString singular() { return QStringLiteral("survey"); }
    static const QList<Column<Domain::Survey>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::SurveyResponse>
{
    static QString table() { return QStringLiteral("survey_responses"); }
    static QString singular() { return QStringLiteral("survey response"); }
    static const QList<Column<Domain::SurveyResponse>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::FeedbackThemeRule>
{
    static QString table() { return QStringLiteral("feedback_theme_rules"); }
    static QString singular() { return QStringLiteral("feedback theme rule"); }
    static const QList<Column<Domain::FeedbackThemeRule>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::ProductInsight>
{
    static QString table() { return QStringLiteral("product_insights"); }
    static QString singular() { return QStringLiteral("product insight"); }
    static const QList<Column<Domain::ProductInsight>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::VocReport>
{
    static QString table() { return QStringLiteral("voc_reports"); }
    static QString singular() { return QStringLiteral("voice-of-customer report"); }
    static const QList<Column<Domain::VocReport>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

using SurveyRepository = Repository<Domain::Survey>;
using SurveyResponseRepository = Repository<Domain::SurveyResponse>;
using FeedbackThemeRuleRepository = Repository<Domain::FeedbackThemeRule>;
using ProductInsightRepository = Repository<Domain::ProductInsight>;
using VocReportRepository = Repository<Domain::VocReport>;

} // namespace Storage
