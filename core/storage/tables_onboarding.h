// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include "onboarding.h"
#include "repository.h"

namespace Storage {

template<> struct TableTraits<Domain::OnboardingTemplate>
{
    static QString table() { return QStringLiteral("onboarding_templates"); }
    static QString singular() { return QStringLiteral("onboarding template"); }
    static const QList<Column<Domain::OnboardingTemplate>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::OnboardingTemplateMilestone>
{
    static QString table() { return QStringLiteral("onboarding_template_milestones"); }
    static QString singular() { return QStringLiteral("onboarding template milestone"); }
    static const QList<Column<Domain::OnboardingTemplateMilestone>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::OnboardingPlan>
{
    static QString table() { return QStringLiteral("onboarding_plans"); }
    static QString singular() { return QStringLiteral("onboarding plan"); }
    static const QList<Column<Domain::OnboardingPlan>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::OnboardingMilestone>
{
    static QString table() { return QStringLiteral("onboarding_milestones"); }
    static QString singular() { return QStringLiteral("onboarding milestone"); }
    static const QList<Column<Domain::OnboardingMilestone>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::OnboardingTask>
{
    static QString table() { return QStringLiteral("onboarding_tasks"); }
    static QString singular() { return QStringLiteral("onboarding task"); }
    static const QList<Column<Domain::OnboardingTask>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::TrainingModule>
{
    static QString table() { return QStringLiteral("training_modules"); }
    static QString singular() { return QStringLiteral("training module"); }
    static const QList<Column<Domain::TrainingModule>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::TrainingSession>
{
    static QString table() { return QStringLiteral("training_sessions"); }
    static QString singular() { return QStringLiteral("training session"); }
    static const QList<Column<Domain::TrainingSession>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::TrainingAttendee>
{
    static QString table() { return QStringLiteral("training_attendees"); }
    static QString singular() { return QStringLiteral("training attendee"); }
    static const QList<Column<Domain::TrainingAttendee>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::CertificationProgram>
{
    static QString table() { return QStringLiteral("certification_programs"); }
    static QString singular() { return QStringLiteral("certification program"); }
    static const QList<Column<Domain::CertificationProgram>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::CertificationProgramModule>
{
    static QString table() { return QStringLiteral("certification_program_modules"); }
    static QString singular() { return QStringLiteral("certification program module"); }
    static const QList<Column<Domain::CertificationProgramModule>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};

template<> struct TableTraits<Domain::Certification>
{
    static QString table() { return QStringLiteral("certifications"); }
    static QString singular() { return QStringLiteral("certification"); }
    static const QList<Column<Domain::Certification>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};

using OnboardingTemplateRepository = Repository<Domain::OnboardingTemplate>;
using OnboardingTemplateMilestoneRepository = Repository<Domain::OnboardingTemplateMilestone>;
using OnboardingPlanRepository = Repository<Domain::OnboardingPlan>;
using OnboardingMilestoneRepository = Repository<Domain::OnboardingMilestone>;
using OnboardingTaskRepository = Repository<Domain::OnboardingTask>;
using TrainingModuleRepository = Repository<Domain::TrainingModule>;
using TrainingSessionRepository = Repository<Domain::TrainingSession>;
using TrainingAttendeeRepository = Repository<Domain::TrainingAttendee>;
using CertificationProgramRepository = Repository<Domain::CertificationProgram>;
using CertificationProgramModuleRepository = Repository<Domain::CertificationProgramModule>;
using CertificationRepository = Repository<Domain::Certification>;

} // namespace Storage
