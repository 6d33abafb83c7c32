// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>
#include <utility>

#include <QDate>
#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QVariantList>
#include <QVariantMap>

#include "enumnames.h"
#include "error.h"
#include "record.h"

// Feedback (schema 0006): NPS / CSAT / CES surveys and their responses, the keyword rules that tag feedback
// with themes, insights shared with the product team and voice-of-customer reports.
namespace Domain {

enum class SurveyKind { Nps, Csat, Ces };
CS_ENUM_NAMES(SurveyKind, { SurveyKind::Nps, "nps" }, { SurveyKind::Csat, "csat" }, { SurveyKind::Ces, "ces" });

enum class SurveyStatus { Draft, Active, Closed };
CS_ENUM_NAMES(SurveyStatus, { SurveyStatus::Draft, "draft" }, { SurveyStatus::Active, "active" },
    { SurveyStatus::Closed, "closed" });

enum class FeedbackChannel { Email, InApp, Sms, Web, Call, Other };
CS_ENUM_NAMES(FeedbackChannel, { FeedbackChannel::Email, "email" }, { FeedbackChannel::InApp, "in_app" },
    { FeedbackChannel::Sms, "sms" }, { FeedbackChannel::Web, "web" }, { FeedbackChannel::Call, "call" },
    { FeedbackChannel::Other, "other" });

enum class NpsCategory { Promoter, Passive, Detractor };
CS_ENUM_NAMES(NpsCategory, { NpsCategory::Promoter, "promoter" }, { NpsCategory::Passive, "passive" },
    { NpsCategory::Detractor, "detractor" });

enum class FollowUpStatus { None, Open, Done };
CS_ENUM_NAMES(FollowUpStatus, { FollowUpStatus::None, "none" }, { FollowUpStatus::Open, "open" },
    { FollowUpStatus::Done, "done" });

enum class InsightKind { FeatureRequest, Bug, Usability, Performance, Pricing, Praise, Other };
CS_ENUM_NAMES(InsightKind, { InsightKind::FeatureRequest, "feature_request" }, { InsightKind::Bug, "bug" },
    { InsightKind::Usability, "usability" }, { InsightKind::Performance, "performance" },
    { InsightKind::Pricing, "pricing" }, { InsightKind::Praise, "praise" }, { InsightKind::Other, "other" });

enum class InsightStatus { New, Shared, Acknowledged, Planned, Shipped, Declined };
CS_ENUM_NAMES(InsightStatus, { InsightStatus::New, "new" }, { InsightStatus::Shared, "shared" },
    { InsightStatus::Acknowledged, "acknowledged" }, { InsightStatus::Planned, "planned" },
    { InsightStatus::Shipped, "shipped" }, { InsightStatus::Declined, "declined" });

// The answer scale of a survey kind, inclusive: NPS 0-10, CSAT 1-5, CES 1-7 (DESIGN.md §4).
std::pair<int, int> surveyScoreRange(SurveyKind kind);

// NPS bucket of a 0-10 answer: promoter 9-10, passive 7-8, detractor 0-6 (DESIGN.md §4).
NpsCategory npsCategory(int score);

// What a response's nps_category must be: npsCategory(score) for an NPS answer in range, else none (CSAT and CES
// have no category).
std::optional<NpsCategory> expectedNpsCategory(SurveyKind kind, int score);

struct Survey
{
    qint64 id = 0;
    SurveyKind kind = SurveyKind::Nps;
    QString name;
    QString question;
    SurveyStatus status = SurveyStatus::Draft;
    std::optional<FeedbackChannel> channel;
    QVariantMap audience; // who is asked (segment, tiers, contact roles ...)
    QDateTime opensAt;
    QDateTime closesAt;
    RecordMeta meta;

    Core::Status validate() const;
};

// One answer. nps_category is stored (for indexes and reports) but always equals expectedNpsCategory().
struct SurveyResponse
{
    qint64 id = 0;
    std::optional<qint64> surveyId; // cleared when the survey is deleted; imported answers may have none
    QString customerId;
    std::optional<qint64> contactId;
    SurveyKind kind = SurveyKind::Nps;
    int score = 0;
    std::optional<NpsCategory> npsCategory;
    QString comment;
    std::optional<double> sentiment; // -1 (negative) .. 1 (positive)
    QStringList themes;
    std::optional<FeedbackChannel> channel;
    QDateTime respondedAt; // required; the services stamp it from their Clock
    QDateTime followUpDue;
    FollowUpStatus followUpStatus = FollowUpStatus::None;
    QString routedTo;
    RecordMeta meta;

    Core::Status validate() const;
};

// Tags feedback whose text contains one of the keywords with the theme.
struct FeedbackThemeRule
{
    qint64 id = 0;
    QString theme; // unique (case-insensitive) among live rules
    QStringList keywords;
    bool isActive = true;
    RecordMeta meta;

    Core::Status validate() const;
};

struct ProductInsight
{
    qint64 id = 0;
    QString title;
    QString description;
    InsightKind kind = InsightKind::FeatureRequest;
    QString theme;
    InsightStatus status = InsightStatus::New;
    int customerCount = 0;
    double arrImpact = 0; // ARR of the customers asking
    QVariantList evidence; // references to responses, tickets, notes
    QString sharedWith;
    QDateTime sharedAt;
    RecordMeta meta;

    Core::Status validate() const;
};

// A generated voice-of-customer report: a snapshot, never edited (no version, no soft delete).
struct VocReport
{
    qint64 id = 0;
    QString title;
    QDate periodStart;
    QDate periodEnd;
    QVariantMap summary;
    QString generatedBy;
    QDateTime generatedAt; // required
    RecordMeta meta;

    Core::Status validate() const;
};

} // namespace Domain
