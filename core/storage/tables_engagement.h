// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Storage of the engagement records (schema 0007) and the full-text search over notes (schema 0009).
#pragma once

#include <QList>

#include "engagement.h"
#include "repository.h"

namespace Storage {

template<> struct TableTraits<Domain::Playbook>
{
    static QString table() { return QStringLiteral("playbooks"); }
    static QString singular() { return QStringLiteral("playbook"); }
    static const QList<Column<Domain::Playbook>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};
using PlaybookRepository = Repository<Domain::Playbook>;

template<> struct TableTraits<Domain::PlaybookStep>
{
    static QString table() { return QStringLiteral("playbook_steps"); }
    static QString singular() { return QStringLiteral("playbook step"); }
    static const QList<Column<Domain::PlaybookStep>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};
using PlaybookStepRepository = Repository<Domain::PlaybookStep>;

template<> struct TableTraits<Domain::Campaign>
{
    static QString table() { return QStringLiteral("campaigns"); }
    static QString singular() { return QStringLiteral("campaign"); }
    static const QList<Column<Domain::Campaign>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};
using CampaignRepository = Repository<Domain::Campaign>;

template<> struct TableTraits<Domain::Enrolment>
{
    static QString table() { return QStringLiteral("enrolments"); }
    static QString singular() { return QStringLiteral("enrolment"); }
    static const QList<Column<Domain::Enrolment>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};
using EnrolmentRepository = Repository<Domain::Enrolment>;

template<> struct TableTraits<Domain::EnrolmentStepRun>
{
    static QString table() { return QStringLiteral("enrolment_step_runs"); }
    static QString singular() { return QStringLiteral("enrolment step run"); }
    static const QList<Column<Domain::EnrolmentStepRun>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};
using EnrolmentStepRunRepository = Repository<Domain::EnrolmentStepRun>;

template<> struct TableTraits<Domain::CsmTask>
{
    static QString table() { return QStringLiteral("tasks"); }
    static QString singular() { return QStringLiteral("task"); }
    static const QList<Column<Domain::CsmTask>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};
using CsmTaskRepository = Repository<Domain::CsmTask>;

template<> struct TableTraits<Domain::Note>
{
    static QString table() { return QStringLiteral("notes"); }
    static QString singular() { return QStringLiteral("note"); }
    static const QList<Column<Domain::Note>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};
using NoteRepository = Repository<Domain::Note>;

template<> struct TableTraits<Domain::EmailTemplate>
{
    static QString table() { return QStringLiteral("email_templates"); }
    static QString singular() { return QStringLiteral("email template"); }
    static const QList<Column<Domain::EmailTemplate>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};
using EmailTemplateRepository = Repository<Domain::EmailTemplate>;

template<> struct TableTraits<Domain::CommunicationWorkflow>
{
    static QString table() { return QStringLiteral("communication_workflows"); }
    static QString singular() { return QStringLiteral("communication workflow"); }
    static const QList<Column<Domain::CommunicationWorkflow>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};
using CommunicationWorkflowRepository = Repository<Domain::CommunicationWorkflow>;

template<> struct TableTraits<Domain::Communication>
{
    static QString table() { return QStringLiteral("communications"); }
    static QString singular() { return QStringLiteral("communication"); }
    static const QList<Column<Domain::Communication>> &columns();
    static constexpr bool versioned = false;
    static constexpr bool softDelete = false;
    static constexpr bool hasUpdatedAt = true;
};
using CommunicationRepository = Repository<Domain::Communication>;

template<> struct TableTraits<Domain::Newsletter>
{
    static QString table() { return QStringLiteral("newsletters"); }
    static QString singular() { return QStringLiteral("newsletter"); }
    static const QList<Column<Domain::Newsletter>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};
using NewsletterRepository = Repository<Domain::Newsletter>;

template<> struct TableTraits<Domain::NewsletterEdition>
{
    static QString table() { return QStringLiteral("newsletter_editions"); }
    static QString singular() { return QStringLiteral("newsletter edition"); }
    static const QList<Column<Domain::NewsletterEdition>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};
using NewsletterEditionRepository = Repository<Domain::NewsletterEdition>;

template<> struct TableTraits<Domain::CommunityMember>
{
    static QString table() { return QStringLiteral("community_members"); }
    static QString singular() { return QStringLiteral("community member"); }
    static const QList<Column<Domain::CommunityMember>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};
using CommunityMemberRepository = Repository<Domain::CommunityMember>;

template<> struct TableTraits<Domain::CommunityPost>
{
    static QString table() { return QStringLiteral("community_posts"); }
    static QString singular() { return QStringLiteral("community post"); }
    static const QList<Column<Domain::CommunityPost>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};
using CommunityPostRepository = Repository<Domain::CommunityPost>;

template<> struct TableTraits<Domain::Advocate>
{
    static QString table() { return QStringLiteral("advocates"); }
    static QString singular() { return QStringLiteral("advocate"); }
    static const QList<Column<Domain::Advocate>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};
using AdvocateRepository = Repository<Domain::Advocate>;

template<> struct TableTraits<Domain::AdvocacyContribution>
{
    static QString table() { return QStringLiteral("advocacy_contributions"); }
    static QString singular() { return QStringLiteral("advocacy contribution"); }
    static const QList<Column<Domain::AdvocacyContribution>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};
using AdvocacyContributionRepository = Repository<Domain::AdvocacyContribution>;

template<> struct TableTraits<Domain::ExecutiveReview>
{
    static QString table() { return QStringLiteral("executive_reviews"); }
    static QString singular() { return QStringLiteral("executive review"); }
    static const QList<Column<Domain::ExecutiveReview>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};
using ExecutiveReviewRepository = Repository<Domain::ExecutiveReview>;

template<> struct TableTraits<Domain::Escalation>
{
    static QString table() { return QStringLiteral("escalations"); }
    static QString singular() { return QStringLiteral("escalation"); }
    static const QList<Column<Domain::Escalation>> &columns();
    static constexpr bool versioned = true;
    static constexpr bool softDelete = true;
    static constexpr bool hasUpdatedAt = true;
};
using EscalationRepository = Repository<Domain::Escalation>;

// Notes whose body contains every word of `text` (stemmed, case-insensitive),
// best match first, soft-deleted notes left out; only those of `customerId` when given. FTS5 with bm25 on
// SQLite, tsvector/plainto_tsquery with ts_rank on PostgreSQL (whose english configuration also ignores stop
// words such as "the" or "not"). `text` is user input and never read as query syntax: quotes, *, ^, :, (),
// AND/OR/NOT/NEAR are plain text. Text without a word finds nothing; limit is 1..1000.
Core::Result<QList<Domain::Note>> searchNotes(
    const Database &db, const QString &text, int limit, const QString &customerId = {});

} // namespace Storage
