// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "onboarding.h"

#include <QUrl>

#include "validation.h"

namespace Domain {

using namespace Qt::StringLiterals;

namespace {
constexpr int MaxDescription = 10000;
constexpr int MaxDays = 3650; // ten years: anything longer is a typo, not an onboarding

// Validator::dateOrder covers calendar dates; the same rule for timestamps, mirroring the schema's CHECKs.
void timeOrder(Validator &v, const QString &laterField, const QDateTime &earlier, const QDateTime &later, bool strictly)
{
    if (!earlier.isValid() || !later.isValid())
        return;
    const bool ok = strictly ? later > earlier : later >= earlier;
    v.check(ok, laterField,
        (strictly ? u"must be after %1"_s : u"must not be before %1"_s)
            .arg(earlier.toUTC().toString(Qt::ISODateWithMs)));
}

void optionalId(Validator &v, const QString &field, const std::optional<qint64> &id)
{
    if (id)
        v.positiveId(field, *id);
}

bool isStepOverdue(OnboardingStepStatus status, const QDate &due, const QDate &today)
{
    return due.isValid() && today.isValid() && due < today && status != OnboardingStepStatus::Completed
        && status != OnboardingStepStatus::Skipped;
}
} // namespace

Core::Status OnboardingTemplate::validate() const
{
    Validator v;
    v.required(u"name"_s, name)
        .maxLength(u"name"_s, name, 200)
        .maxLength(u"description"_s, description, MaxDescription);
    if (tier)
        v.enumValue(u"tier"_s, *tier);
    v.enumValue(u"complexity"_s, complexity).range(u"target_ttv_days"_s, targetTtvDays, 1, MaxDays);
    return v.result();
}

Core::Status OnboardingTemplateMilestone::validate() const
{
    Validator v;
    v.positiveId(u"template_id"_s, templateId)
        .check(position >= 0, u"position"_s, u"must not be negative"_s)
        .required(u"name"_s, name)
        .maxLength(u"name"_s, name, 200)
        .maxLength(u"description"_s, description, MaxDescription)
        .range(u"offset_days"_s, offsetDays, 0, MaxDays);
    for (const QString &task : tasks) {
        v.check(!task.trimmed().isEmpty() && task.size() <= 500, u"tasks"_s,
            u"each task title must be 1 to 500 characters"_s);
    }
    return v.result();
}

Core::Status OnboardingPlan::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId);
    optionalId(v, u"template_id"_s, templateId);
    v.required(u"name"_s, name)
        .maxLength(u"name"_s, name, 200)
        .enumValue(u"status"_s, status)
        .maxLength(u"owner"_s, owner, 200)
        .dateOrder(u"target_go_live"_s, startedOn, targetGoLive, false)
        .dateOrder(u"completed_on"_s, startedOn, completedOn, false)
        .check(status != OnboardingPlanStatus::Completed || completedOn.isValid(), u"completed_on"_s,
            u"is required when status is completed"_s);
    if (targetTtvDays)
        v.range(u"target_ttv_days"_s, *targetTtvDays, 1, MaxDays);
    if (ttvDays)
        v.range(u"ttv_days"_s, *ttvDays, 0, MaxDays);
    v.maxLength(u"notes"_s, notes, MaxDescription);
    return v.result();
}

bool OnboardingMilestone::isOverdue(const QDate &today) const
{
    return isStepOverdue(status, dueDate, today);
}

Core::Status OnboardingMilestone::validate() const
{
    Validator v;
    v.positiveId(u"plan_id"_s, planId);
    optionalId(v, u"template_milestone_id"_s, templateMilestoneId);
    v.check(position >= 0, u"position"_s, u"must not be negative"_s)
        .required(u"name"_s, name)
        .maxLength(u"name"_s, name, 200)
        .maxLength(u"description"_s, description, MaxDescription)
        .maxLength(u"owner"_s, owner, 200)
        .enumValue(u"status"_s, status)
        .check(status != OnboardingStepStatus::Completed || completedAt.isValid(), u"completed_at"_s,
            u"is required when status is completed"_s);
    timeOrder(v, u"completed_at"_s, startedAt, completedAt, false);
    return v.result();
}

bool OnboardingTask::isOverdue(const QDate &today) const
{
    return isStepOverdue(status, dueDate, today);
}

Core::Status OnboardingTask::validate() const
{
    Validator v;
    v.positiveId(u"milestone_id"_s, milestoneId)
        .check(position >= 0, u"position"_s, u"must not be negative"_s)
        .required(u"title"_s, title)
        .maxLength(u"title"_s, title, 500)
        .maxLength(u"description"_s, description, MaxDescription)
        .maxLength(u"owner"_s, owner, 200)
        .enumValue(u"status"_s, status)
        .check(status != OnboardingStepStatus::Completed || completedAt.isValid(), u"completed_at"_s,
            u"is required when status is completed"_s);
    return v.result();
}

Core::Status TrainingModule::validate() const
{
    Validator v;
    v.required(u"name"_s, name)
        .maxLength(u"name"_s, name, 200)
        .maxLength(u"description"_s, description, MaxDescription)
        .enumValue(u"format"_s, format);
    if (level)
        v.enumValue(u"level"_s, *level);
    if (durationMinutes)
        v.range(u"duration_minutes"_s, *durationMinutes, 1, 100000);
    if (!contentUrl.isEmpty()) {
        const QUrl url(contentUrl, QUrl::StrictMode);
        v.maxLength(u"content_url"_s, contentUrl, 2000)
            .check(url.isValid() && (url.scheme() == u"https"_s || url.scheme() == u"http"_s) && !url.host().isEmpty(),
                u"content_url"_s, u"must be an http or https URL"_s);
    }
    return v.result();
}

Core::Status TrainingSession::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId);
    optionalId(v, u"module_id"_s, moduleId);
    v.required(u"title"_s, title)
        .maxLength(u"title"_s, title, 200)
        .check(scheduledAt.isValid(), u"scheduled_at"_s, u"is required"_s)
        .range(u"duration_minutes"_s, durationMinutes, 1, 1440)
        .maxLength(u"trainer"_s, trainer, 200)
        .maxLength(u"location"_s, location, 500)
        .enumValue(u"status"_s, status)
        .maxLength(u"outcome_notes"_s, outcomeNotes, MaxDescription);
    timeOrder(v, u"completed_at"_s, scheduledAt, completedAt, false);
    return v.result();
}

Core::Status TrainingAttendee::validate() const
{
    Validator v;
    v.positiveId(u"session_id"_s, sessionId)
        .positiveId(u"contact_id"_s, contactId)
        .range(u"score"_s, score, 0, 100)
        .maxLength(u"feedback"_s, feedback, MaxDescription);
    return v.result();
}

Core::Status CertificationProgram::validate() const
{
    Validator v;
    v.required(u"name"_s, name)
        .maxLength(u"name"_s, name, 200)
        .maxLength(u"description"_s, description, MaxDescription)
        .range(u"passing_score"_s, passingScore, 0, 100);
    if (validityDays)
        v.range(u"validity_days"_s, *validityDays, 1, MaxDays);
    return v.result();
}

Core::Status CertificationProgramModule::validate() const
{
    Validator v;
    v.positiveId(u"program_id"_s, programId)
        .positiveId(u"module_id"_s, moduleId)
        .check(position >= 0, u"position"_s, u"must not be negative"_s);
    return v.result();
}

Core::Status Certification::validate() const
{
    Validator v;
    v.positiveId(u"contact_id"_s, contactId)
        .positiveId(u"program_id"_s, programId)
        .enumValue(u"status"_s, status)
        .range(u"score"_s, score, 0, 100)
        .check(status != CertificationStatus::Certified || issuedAt.isValid(), u"issued_at"_s,
            u"is required when status is certified"_s)
        .check(status != CertificationStatus::Revoked || revokedAt.isValid(), u"revoked_at"_s,
            u"is required when status is revoked"_s);
    timeOrder(v, u"expires_at"_s, issuedAt, expiresAt, true);
    v.maxLength(u"revoke_reason"_s, revokeReason, 1000);
    return v.result();
}

} // namespace Domain
