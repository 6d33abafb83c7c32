// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "tables_onboarding.h"

namespace Storage {

using namespace Qt::StringLiterals;
using namespace Domain;

const QList<Column<OnboardingTemplate>> &TableTraits<OnboardingTemplate>::columns()
{
    static const QList<Column<OnboardingTemplate>> list {
        column(u"id"_s, &OnboardingTemplate::id, KeyColumn | GeneratedKey),
        column(u"name"_s, &OnboardingTemplate::name),
        column(u"description"_s, &OnboardingTemplate::description),
        column(u"tier"_s, &OnboardingTemplate::tier),
        column(u"complexity"_s, &OnboardingTemplate::complexity),
        column(u"target_ttv_days"_s, &OnboardingTemplate::targetTtvDays),
        column(u"is_active"_s, &OnboardingTemplate::isActive),
    };
    return list;
}

const QList<Column<OnboardingTemplateMilestone>> &TableTraits<OnboardingTemplateMilestone>::columns()
{
    static const QList<Column<OnboardingTemplateMilestone>> list {
        column(u"id"_s, &OnboardingTemplateMilestone::id, KeyColumn | GeneratedKey),
        column(u"template_id"_s, &OnboardingTemplateMilestone::templateId, Immutable),
        column(u"position"_s, &OnboardingTemplateMilestone::position),
        column(u"name"_s, &OnboardingTemplateMilestone::name),
        column(u"description"_s, &OnboardingTemplateMilestone::description),
        column(u"offset_days"_s, &OnboardingTemplateMilestone::offsetDays),
        column(u"tasks"_s, &OnboardingTemplateMilestone::tasks),
    };
    return list;
}

const QList<Column<OnboardingPlan>> &TableTraits<OnboardingPlan>::columns()
{
    static const QList<Column<OnboardingPlan>> list {
        column(u"id"_s, &OnboardingPlan::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &OnboardingPlan::customerId, Immutable),
        column(u"template_id"_s, &OnboardingPlan::templateId),
        column(u"name"_s, &OnboardingPlan::name),
        column(u"status"_s, &OnboardingPlan::status),
        column(u"owner"_s, &OnboardingPlan::owner),
        column(u"started_on"_s, &OnboardingPlan::startedOn),
        column(u"target_go_live"_s, &OnboardingPlan::targetGoLive),
        column(u"completed_on"_s, &OnboardingPlan::completedOn),
        column(u"target_ttv_days"_s, &OnboardingPlan::targetTtvDays),
        column(u"ttv_days"_s, &OnboardingPlan::ttvDays),
        column(u"automation"_s, &OnboardingPlan::automation),
        column(u"notes"_s, &OnboardingPlan::notes),
    };
    return list;
}

const QList<Column<OnboardingMilestone>> &TableTraits<OnboardingMilestone>::columns()
{
    static const QList<Column<OnboardingMilestone>> list {
        column(u"id"_s, &OnboardingMilestone::id, KeyColumn | GeneratedKey),
        column(u"plan_id"_s, &OnboardingMilestone::planId, Immutable),
        column(u"template_milestone_id"_s, &OnboardingMilestone::templateMilestoneId),
        column(u"position"_s, &OnboardingMilestone::position),
        column(u"name"_s, &OnboardingMilestone::name),
        column(u"description"_s, &OnboardingMilestone::description),
        column(u"owner"_s, &OnboardingMilestone::owner),
        column(u"status"_s, &OnboardingMilestone::status),
        column(u"due_date"_s, &OnboardingMilestone::dueDate),
        column(u"started_at"_s, &OnboardingMilestone::startedAt),
        column(u"completed_at"_s, &OnboardingMilestone::completedAt),
    };
    return list;
}

const QList<Column<OnboardingTask>> &TableTraits<OnboardingTask>::columns()
{
    static const QList<Column<OnboardingTask>> list {
        column(u"id"_s, &OnboardingTask::id, KeyColumn | GeneratedKey),
        column(u"milestone_id"_s, &OnboardingTask::milestoneId, Immutable),
        column(u"position"_s, &OnboardingTask::position),
        column(u"title"_s, &OnboardingTask::title),
        column(u"description"_s, &OnboardingTask::description),
        column(u"owner"_s, &OnboardingTask::owner),
        column(u"status"_s, &OnboardingTask::status),
        column(u"due_date"_s, &OnboardingTask::dueDate),
        column(u"completed_at"_s, &OnboardingTask::completedAt),
    };
    return list;
}

const QList<Column<TrainingModule>> &TableTraits<TrainingModule>::columns()
{
    static const QList<Column<TrainingModule>> list {
        column(u"id"_s, &TrainingModule::id, KeyColumn | GeneratedKey),
        column(u"name"_s, &TrainingModule::name),
        column(u"description"_s, &TrainingModule::description),
        column(u"format"_s, &TrainingModule::format),
        column(u"level"_s, &TrainingModule::level),
        column(u"duration_minutes"_s, &TrainingModule::durationMinutes),
        column(u"content_url"_s, &TrainingModule::contentUrl),
    };
    return list;
}

const QList<Column<TrainingSession>> &TableTraits<TrainingSession>::columns()
{
    static const QList<Column<TrainingSession>> list {
        column(u"id"_s, &TrainingSession::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &TrainingSession::customerId, Immutable),
        column(u"module_id"_s, &TrainingSession::moduleId),
        column(u"title"_s, &TrainingSession::title),
        column(u"scheduled_at"_s, &TrainingSession::scheduledAt, NotNull),
        column(u"duration_minutes"_s, &TrainingSession::durationMinutes),
        column(u"trainer"_s, &TrainingSession::trainer),
        column(u"location"_s, &TrainingSession::location),
        column(u"status"_s, &TrainingSession::status),
        column(u"outcome_notes"_s, &TrainingSession::outcomeNotes),
        column(u"completed_at"_s, &TrainingSession::completedAt),
    };
    return list;
}

const QList<Column<TrainingAttendee>> &TableTraits<TrainingAttendee>::columns()
{
    static const QList<Column<TrainingAttendee>> list {
        column(u"id"_s, &TrainingAttendee::id, KeyColumn | GeneratedKey),
        column(u"session_id"_s, &TrainingAttendee::sessionId, Immutable),
        column(u"contact_id"_s, &TrainingAttendee::contactId, Immutable),
        column(u"attended"_s, &TrainingAttendee::attended),
        column(u"score"_s, &TrainingAttendee::score),
        column(u"feedback"_s, &TrainingAttendee::feedback),
    };
    return list;
}

const QList<Column<CertificationProgram>> &TableTraits<CertificationProgram>::columns()
{
    static const QList<Column<CertificationProgram>> list {
        column(u"id"_s, &CertificationProgram::id, KeyColumn | GeneratedKey),
        column(u"name"_s, &CertificationProgram::name),
        column(u"description"_s, &CertificationProgram::description),
        column(u"passing_score"_s, &CertificationProgram::passingScore),
        column(u"validity_days"_s, &CertificationProgram::validityDays),
        column(u"is_active"_s, &CertificationProgram::isActive),
    };
    return list;
}

const QList<Column<CertificationProgramModule>> &TableTraits<CertificationProgramModule>::columns()
{
    static const QList<Column<CertificationProgramModule>> list {
        column(u"id"_s, &CertificationProgramModule::id, KeyColumn | GeneratedKey),
        column(u"program_id"_s, &CertificationProgramModule::programId, Immutable),
        column(u"module_id"_s, &CertificationProgramModule::moduleId, Immutable),
        column(u"position"_s, &CertificationProgramModule::position),
        column(u"is_required"_s, &CertificationProgramModule::isRequired),
    };
    return list;
}

const QList<Column<Certification>> &TableTraits<Certification>::columns()
{
    static const QList<Column<Certification>> list {
        column(u"id"_s, &Certification::id, KeyColumn | GeneratedKey),
        column(u"contact_id"_s, &Certification::contactId, Immutable),
        column(u"program_id"_s, &Certification::programId, Immutable),
        column(u"status"_s, &Certification::status),
        column(u"score"_s, &Certification::score),
        column(u"issued_at"_s, &Certification::issuedAt),
        column(u"expires_at"_s, &Certification::expiresAt),
        column(u"revoked_at"_s, &Certification::revokedAt),
        column(u"revoke_reason"_s, &Certification::revokeReason),
    };
    return list;
}

} // namespace Storage
