// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QDate>
#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include "customer.h"
#include "enumnames.h"
#include "error.h"
#include "record.h"

// Onboarding (schema 0003): templates and their milestones, per-customer plans with milestones and tasks,
// training modules and sessions with attendees, certification programs and the certifications contacts earn.
namespace Domain {

enum class OnboardingComplexity { Low, Medium, High };
CS_ENUM_NAMES(OnboardingComplexity, { OnboardingComplexity::Low, "low" }, { OnboardingComplexity::Medium, "medium" },
    { OnboardingComplexity::High, "high" });

enum class OnboardingPlanStatus { NotStarted, InProgress, Completed, Stalled, Cancelled };
CS_ENUM_NAMES(OnboardingPlanStatus, { OnboardingPlanStatus::NotStarted, "not_started" },
    { OnboardingPlanStatus::InProgress, "in_progress" }, { OnboardingPlanStatus::Completed, "completed" },
    { OnboardingPlanStatus::Stalled, "stalled" }, { OnboardingPlanStatus::Cancelled, "cancelled" });

// Shared by plan milestones and tasks. "Overdue" is derived, never stored (see isOverdue()).
enum class OnboardingStepStatus { Pending, InProgress, Completed, Skipped };
CS_ENUM_NAMES(OnboardingStepStatus, { OnboardingStepStatus::Pending, "pending" },
    { OnboardingStepStatus::InProgress, "in_progress" }, { OnboardingStepStatus::Completed, "completed" },
    { OnboardingStepStatus::Skipped, "skipped" });

enum class TrainingFormat { Live, Webinar, SelfPaced, Workshop };
CS_ENUM_NAMES(TrainingFormat, { TrainingFormat::Live, "live" }, { TrainingFormat::Webinar, "webinar" },
    { TrainingFormat::SelfPaced, "self_paced" }, { TrainingFormat::Workshop, "workshop" });

enum class TrainingLevel { Beginner, Intermediate, Advanced };
CS_ENUM_NAMES(TrainingLevel, { TrainingLevel::Beginner, "beginner" }, { TrainingLevel::Intermediate, "intermediate" },
    { TrainingLevel::Advanced, "advanced" });

enum class TrainingSessionStatus { Scheduled, Completed, Cancelled };
CS_ENUM_NAMES(TrainingSessionStatus, { TrainingSessionStatus::Scheduled, "scheduled" },
    { TrainingSessionStatus::Completed, "completed" }, { TrainingSessionStatus::Cancelled, "cancelled" });

enum class CertificationStatus { InProgress, Certified, Revoked, Expired };
CS_ENUM_NAMES(CertificationStatus, { CertificationStatus::InProgress, "in_progress" },
    { CertificationStatus::Certified, "certified" }, { CertificationStatus::Revoked, "revoked" },
    { CertificationStatus::Expired, "expired" });

// A reusable onboarding recipe, picked by tier and complexity when a plan is created.
struct OnboardingTemplate
{
    qint64 id = 0;
    QString name;
    QString description;
    std::optional<Tier> tier; // nullopt = suits every tier
    OnboardingComplexity complexity = OnboardingComplexity::Medium;
    int targetTtvDays = 30; // target time to value, days from plan start
    bool isActive = true;
    RecordMeta meta;

    Core::Status validate() const;
};

// One milestone of a template; copied into a plan when the plan is created from the template.
struct OnboardingTemplateMilestone
{
    qint64 id = 0;
    qint64 templateId = 0;
    int position = 0; // ordering hint, not unique
    QString name;
    QString description;
    int offsetDays = 0; // due date = plan start + offset_days
    QStringList tasks; // task titles created under the milestone
    RecordMeta meta;

    Core::Status validate() const;
};

// A customer's onboarding: from kickoff to go-live, with the time to value it took.
struct OnboardingPlan
{
    qint64 id = 0;
    QString customerId;
    std::optional<qint64> templateId; // cleared when the template is deleted
    QString name;
    OnboardingPlanStatus status = OnboardingPlanStatus::NotStarted;
    QString owner;
    QDate startedOn;
    QDate targetGoLive;
    QDate completedOn;
    std::optional<int> targetTtvDays;
    std::optional<int> ttvDays; // actual time to value, once reached
    QVariantMap automation; // attached monitors (overdue items, no progress, low engagement) and their settings
    QString notes;
    RecordMeta meta;

    Core::Status validate() const;
};

struct OnboardingMilestone
{
    qint64 id = 0;
    qint64 planId = 0;
    std::optional<qint64> templateMilestoneId;
    int position = 0;
    QString name;
    QString description;
    QString owner;
    OnboardingStepStatus status = OnboardingStepStatus::Pending;
    QDate dueDate;
    QDateTime startedAt;
    QDateTime completedAt;
    RecordMeta meta;

    // Past its due date and neither completed nor skipped (schema 0003: derived, never stored).
    bool isOverdue(const QDate &today) const;
    Core::Status validate() const;
};

struct OnboardingTask
{
    qint64 id = 0;
    qint64 milestoneId = 0;
    int position = 0;
    QString title;
    QString description;
    QString owner;
    OnboardingStepStatus status = OnboardingStepStatus::Pending;
    QDate dueDate;
    QDateTime completedAt;
    RecordMeta meta;

    bool isOverdue(const QDate &today) const;
    Core::Status validate() const;
};

// A piece of training content (catalogue entry), delivered in sessions and grouped into certifications.
struct TrainingModule
{
    qint64 id = 0;
    QString name;
    QString description;
    TrainingFormat format = TrainingFormat::Live;
    std::optional<TrainingLevel> level;
    std::optional<int> durationMinutes;
    QString contentUrl; // http(s)
    RecordMeta meta;

    Core::Status validate() const;
};

// A training delivered (or to be delivered) to one customer.
struct TrainingSession
{
    qint64 id = 0;
    QString customerId;
    std::optional<qint64> moduleId;
    QString title;
    QDateTime scheduledAt;
    int durationMinutes = 60;
    QString trainer;
    QString location;
    TrainingSessionStatus status = TrainingSessionStatus::Scheduled;
    QString outcomeNotes;
    QDateTime completedAt;
    RecordMeta meta;

    Core::Status validate() const;
};

// A contact invited to a session (no version, no soft delete: removed outright).
struct TrainingAttendee
{
    qint64 id = 0;
    qint64 sessionId = 0;
    qint64 contactId = 0;
    bool attended = false;
    std::optional<double> score; // 0-100
    QString feedback;
    RecordMeta meta;

    Core::Status validate() const;
};

struct CertificationProgram
{
    qint64 id = 0;
    QString name;
    QString description;
    double passingScore = 80; // 0-100
    std::optional<int> validityDays; // nullopt = never expires
    bool isActive = true;
    RecordMeta meta;

    Core::Status validate() const;
};

// A training module that belongs to a certification program (no version, no soft delete).
struct CertificationProgramModule
{
    qint64 id = 0;
    qint64 programId = 0;
    qint64 moduleId = 0;
    int position = 0;
    bool isRequired = true;
    RecordMeta meta;

    Core::Status validate() const;
};

// A contact's certification in one program.
struct Certification
{
    qint64 id = 0;
    qint64 contactId = 0;
    qint64 programId = 0;
    CertificationStatus status = CertificationStatus::InProgress;
    std::optional<double> score; // 0-100
    QDateTime issuedAt;
    QDateTime expiresAt;
    QDateTime revokedAt;
    QString revokeReason;
    RecordMeta meta;

    Core::Status validate() const;
};

} // namespace Domain
