// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "tables_engagement.h"

#include <QRegularExpression>

#include "sql.h"
#include "validation.h"

namespace Storage {

using namespace Qt::StringLiterals;
using namespace Domain;

const QList<Column<Playbook>> &TableTraits<Playbook>::columns()
{
    static const QList<Column<Playbook>> list {
        column(u"id"_s, &Playbook::id, KeyColumn | GeneratedKey),
        column(u"name"_s, &Playbook::name),
        column(u"description"_s, &Playbook::description),
        column(u"trigger_kind"_s, &Playbook::triggerKind),
        column(u"trigger_config"_s, &Playbook::triggerConfig),
        column(u"is_active"_s, &Playbook::isActive),
        column(u"owner"_s, &Playbook::owner),
    };
    return list;
}

const QList<Column<PlaybookStep>> &TableTraits<PlaybookStep>::columns()
{
    static const QList<Column<PlaybookStep>> list {
        column(u"id"_s, &PlaybookStep::id, KeyColumn | GeneratedKey),
        column(u"playbook_id"_s, &PlaybookStep::playbookId, Immutable),
        column(u"position"_s, &PlaybookStep::position),
        column(u"kind"_s, &PlaybookStep::kind),
        column(u"name"_s, &PlaybookStep::name),
        column(u"config"_s, &PlaybookStep::config),
    };
    return list;
}

const QList<Column<Campaign>> &TableTraits<Campaign>::columns()
{
    static const QList<Column<Campaign>> list {
        column(u"id"_s, &Campaign::id, KeyColumn | GeneratedKey),
        column(u"name"_s, &Campaign::name),
        column(u"description"_s, &Campaign::description),
        column(u"playbook_id"_s, &Campaign::playbookId),
        column(u"segment_id"_s, &Campaign::segmentId),
        column(u"status"_s, &Campaign::status),
        column(u"audience_criteria"_s, &Campaign::audienceCriteria),
        column(u"starts_on"_s, &Campaign::startsOn),
        column(u"ends_on"_s, &Campaign::endsOn),
        column(u"owner"_s, &Campaign::owner),
    };
    return list;
}

const QList<Column<Enrolment>> &TableTraits<Enrolment>::columns()
{
    static const QList<Column<Enrolment>> list {
        column(u"id"_s, &Enrolment::id, KeyColumn | GeneratedKey),
        column(u"playbook_id"_s, &Enrolment::playbookId, Immutable),
        column(u"campaign_id"_s, &Enrolment::campaignId, Immutable),
        column(u"customer_id"_s, &Enrolment::customerId, Immutable),
        column(u"status"_s, &Enrolment::status),
        column(u"enrolled_at"_s, &Enrolment::enrolledAt),
        column(u"enrolled_by"_s, &Enrolment::enrolledBy),
        column(u"trigger_context"_s, &Enrolment::triggerContext),
        column(u"current_step"_s, &Enrolment::currentStep),
        column(u"next_step_at"_s, &Enrolment::nextStepAt),
        column(u"completed_at"_s, &Enrolment::completedAt),
        column(u"exit_reason"_s, &Enrolment::exitReason),
    };
    return list;
}

const QList<Column<EnrolmentStepRun>> &TableTraits<EnrolmentStepRun>::columns()
{
    static const QList<Column<EnrolmentStepRun>> list {
        column(u"id"_s, &EnrolmentStepRun::id, KeyColumn | GeneratedKey),
        column(u"enrolment_id"_s, &EnrolmentStepRun::enrolmentId, Immutable),
        column(u"step_id"_s, &EnrolmentStepRun::stepId, Immutable),
        column(u"step_position"_s, &EnrolmentStepRun::stepPosition),
        column(u"status"_s, &EnrolmentStepRun::status),
        column(u"scheduled_for"_s, &EnrolmentStepRun::scheduledFor),
        column(u"ran_at"_s, &EnrolmentStepRun::ranAt),
        column(u"result"_s, &EnrolmentStepRun::result),
        column(u"error"_s, &EnrolmentStepRun::error),
    };
    return list;
}

const QList<Column<CsmTask>> &TableTraits<CsmTask>::columns()
{
    static const QList<Column<CsmTask>> list {
        column(u"id"_s, &CsmTask::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &CsmTask::customerId, Immutable),
        column(u"title"_s, &CsmTask::title),
        column(u"description"_s, &CsmTask::description),
        column(u"due_date"_s, &CsmTask::dueDate),
        column(u"status"_s, &CsmTask::status),
        column(u"priority"_s, &CsmTask::priority),
        column(u"owner"_s, &CsmTask::owner),
        column(u"source"_s, &CsmTask::source),
        column(u"source_ref"_s, &CsmTask::sourceRef),
        column(u"enrolment_id"_s, &CsmTask::enrolmentId, Immutable),
        column(u"completed_at"_s, &CsmTask::completedAt),
    };
    return list;
}

const QList<Column<Note>> &TableTraits<Note>::columns()
{
    // search_vector (PostgreSQL only, generated) is deliberately not mapped.
    static const QList<Column<Note>> list {
        column(u"id"_s, &Note::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &Note::customerId, Immutable),
        column(u"body"_s, &Note::body),
        column(u"author"_s, &Note::author),
        column(u"is_pinned"_s, &Note::isPinned),
    };
    return list;
}

const QList<Column<EmailTemplate>> &TableTraits<EmailTemplate>::columns()
{
    static const QList<Column<EmailTemplate>> list {
        column(u"id"_s, &EmailTemplate::id, KeyColumn | GeneratedKey),
        column(u"name"_s, &EmailTemplate::name),
        column(u"subject"_s, &EmailTemplate::subject),
        column(u"body"_s, &EmailTemplate::body),
        column(u"body_format"_s, &EmailTemplate::bodyFormat),
        column(u"variables"_s, &EmailTemplate::variables),
    };
    return list;
}

const QList<Column<CommunicationWorkflow>> &TableTraits<CommunicationWorkflow>::columns()
{
    static const QList<Column<CommunicationWorkflow>> list {
        column(u"id"_s, &CommunicationWorkflow::id, KeyColumn | GeneratedKey),
        column(u"name"_s, &CommunicationWorkflow::name),
        column(u"description"_s, &CommunicationWorkflow::description),
        column(u"trigger_config"_s, &CommunicationWorkflow::triggerConfig),
        column(u"actions"_s, &CommunicationWorkflow::actions),
        column(u"is_active"_s, &CommunicationWorkflow::isActive),
        column(u"last_triggered_at"_s, &CommunicationWorkflow::lastTriggeredAt),
    };
    return list;
}

const QList<Column<Communication>> &TableTraits<Communication>::columns()
{
    static const QList<Column<Communication>> list {
        column(u"id"_s, &Communication::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &Communication::customerId, Immutable),
        column(u"contact_id"_s, &Communication::contactId, Immutable),
        column(u"channel"_s, &Communication::channel),
        column(u"direction"_s, &Communication::direction),
        column(u"subject"_s, &Communication::subject),
        column(u"body"_s, &Communication::body),
        column(u"template_id"_s, &Communication::templateId, Immutable),
        column(u"workflow_id"_s, &Communication::workflowId, Immutable),
        column(u"enrolment_id"_s, &Communication::enrolmentId, Immutable),
        column(u"status"_s, &Communication::status),
        column(u"external_id"_s, &Communication::externalId),
        column(u"outbox_idempotency_key"_s, &Communication::outboxIdempotencyKey),
        column(u"sender"_s, &Communication::sender),
        column(u"error"_s, &Communication::error),
        column(u"sent_at"_s, &Communication::sentAt),
        column(u"last_event_at"_s, &Communication::lastEventAt),
    };
    return list;
}

const QList<Column<Newsletter>> &TableTraits<Newsletter>::columns()
{
    static const QList<Column<Newsletter>> list {
        column(u"id"_s, &Newsletter::id, KeyColumn | GeneratedKey),
        column(u"name"_s, &Newsletter::name),
        column(u"description"_s, &Newsletter::description),
        column(u"audience"_s, &Newsletter::audience),
        column(u"schedule"_s, &Newsletter::schedule),
        column(u"template_id"_s, &Newsletter::templateId),
        column(u"is_active"_s, &Newsletter::isActive),
    };
    return list;
}

const QList<Column<NewsletterEdition>> &TableTraits<NewsletterEdition>::columns()
{
    static const QList<Column<NewsletterEdition>> list {
        column(u"id"_s, &NewsletterEdition::id, KeyColumn | GeneratedKey),
        column(u"newsletter_id"_s, &NewsletterEdition::newsletterId, Immutable),
        column(u"title"_s, &NewsletterEdition::title),
        column(u"sections"_s, &NewsletterEdition::sections),
        column(u"status"_s, &NewsletterEdition::status),
        column(u"scheduled_for"_s, &NewsletterEdition::scheduledFor),
        column(u"sent_at"_s, &NewsletterEdition::sentAt),
        column(u"recipient_count"_s, &NewsletterEdition::recipientCount),
    };
    return list;
}

const QList<Column<CommunityMember>> &TableTraits<CommunityMember>::columns()
{
    static const QList<Column<CommunityMember>> list {
        column(u"id"_s, &CommunityMember::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &CommunityMember::customerId, Immutable),
        column(u"contact_id"_s, &CommunityMember::contactId),
        column(u"handle"_s, &CommunityMember::handle),
        column(u"status"_s, &CommunityMember::status),
        column(u"joined_at"_s, &CommunityMember::joinedAt),
        column(u"reputation"_s, &CommunityMember::reputation),
    };
    return list;
}

const QList<Column<CommunityPost>> &TableTraits<CommunityPost>::columns()
{
    static const QList<Column<CommunityPost>> list {
        column(u"id"_s, &CommunityPost::id, KeyColumn | GeneratedKey),
        column(u"member_id"_s, &CommunityPost::memberId, Immutable),
        column(u"title"_s, &CommunityPost::title),
        column(u"body"_s, &CommunityPost::body),
        column(u"kind"_s, &CommunityPost::kind),
        column(u"status"_s, &CommunityPost::status),
        column(u"views"_s, &CommunityPost::views),
        column(u"reply_count"_s, &CommunityPost::replyCount),
        column(u"upvotes"_s, &CommunityPost::upvotes),
        column(u"posted_at"_s, &CommunityPost::postedAt),
    };
    return list;
}

const QList<Column<Advocate>> &TableTraits<Advocate>::columns()
{
    static const QList<Column<Advocate>> list {
        column(u"id"_s, &Advocate::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &Advocate::customerId, Immutable),
        column(u"contact_id"_s, &Advocate::contactId),
        column(u"tier"_s, &Advocate::tier),
        column(u"points"_s, &Advocate::points, NotNull),
        column(u"status"_s, &Advocate::status),
        column(u"joined_on"_s, &Advocate::joinedOn),
        column(u"notes"_s, &Advocate::notes),
    };
    return list;
}

const QList<Column<AdvocacyContribution>> &TableTraits<AdvocacyContribution>::columns()
{
    static const QList<Column<AdvocacyContribution>> list {
        column(u"id"_s, &AdvocacyContribution::id, KeyColumn | GeneratedKey),
        column(u"advocate_id"_s, &AdvocacyContribution::advocateId, Immutable),
        column(u"kind"_s, &AdvocacyContribution::kind),
        column(u"points"_s, &AdvocacyContribution::points),
        column(u"occurred_on"_s, &AdvocacyContribution::occurredOn),
        column(u"description"_s, &AdvocacyContribution::description),
    };
    return list;
}

const QList<Column<ExecutiveReview>> &TableTraits<ExecutiveReview>::columns()
{
    static const QList<Column<ExecutiveReview>> list {
        column(u"id"_s, &ExecutiveReview::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &ExecutiveReview::customerId, Immutable),
        column(u"title"_s, &ExecutiveReview::title),
        column(u"scheduled_for"_s, &ExecutiveReview::scheduledFor, NotNull),
        column(u"status"_s, &ExecutiveReview::status),
        column(u"owner"_s, &ExecutiveReview::owner),
        column(u"attendees"_s, &ExecutiveReview::attendees),
        column(u"agenda"_s, &ExecutiveReview::agenda),
        column(u"prepared_brief"_s, &ExecutiveReview::preparedBrief),
        column(u"prepared_at"_s, &ExecutiveReview::preparedAt),
        column(u"outcomes"_s, &ExecutiveReview::outcomes),
        column(u"next_steps"_s, &ExecutiveReview::nextSteps),
        column(u"completed_at"_s, &ExecutiveReview::completedAt),
    };
    return list;
}

const QList<Column<Escalation>> &TableTraits<Escalation>::columns()
{
    static const QList<Column<Escalation>> list {
        column(u"id"_s, &Escalation::id, KeyColumn | GeneratedKey),
        column(u"customer_id"_s, &Escalation::customerId, Immutable),
        column(u"ticket_id"_s, &Escalation::ticketId),
        column(u"severity"_s, &Escalation::severity),
        column(u"status"_s, &Escalation::status),
        column(u"reason"_s, &Escalation::reason),
        column(u"owner"_s, &Escalation::owner),
        column(u"resolution"_s, &Escalation::resolution),
        column(u"opened_at"_s, &Escalation::openedAt, NotNull),
        column(u"resolved_at"_s, &Escalation::resolvedAt),
        column(u"closed_at"_s, &Escalation::closedAt),
    };
    return list;
}

namespace {
// The words of user text as FTS5's unicode61 tokenizer sees them: runs of letters, digits and combining marks;
// everything else separates words. Quoting each word on its own (rather than each whitespace-separated piece)
// keeps the meaning "all of these words" on both dialects: a quoted piece such as "sign-on" would be a phrase.
QStringList searchWords(const QString &text)
{
    static const QRegularExpression separators(u"[^\\p{L}\\p{N}\\p{M}]+"_s);
    return text.split(separators, Qt::SkipEmptyParts);
}

// Each word becomes an FTS5 string ("...", inner quotes doubled), so AND/OR/NOT/NEAR, column filters,
// prefixes (*), initial-token (^) and parentheses in user text are matched as text, never run as syntax.
// Strings separated by spaces are implicitly ANDed (SQLite FTS5 §3, "Full-text Query Syntax").
QString fts5MatchExpression(const QStringList &words)
{
    QStringList quoted;
    for (QString word : words)
        quoted << u'"' + word.replace(u'"', u"\"\""_s) + u'"';
    return quoted.join(u' ');
}
} // namespace

Core::Result<QList<Note>> searchNotes(const Database &db, const QString &text, int limit, const QString &customerId)
{
    if (limit < 1 || limit > 1000)
        return Core::Error::invalid(u"limit"_s, u"must be between 1 and 1000"_s);
    if (!customerId.isEmpty() && !isValidCustomerId(customerId))
        return Core::Error::invalid(u"customer_id"_s, u"must match ^[a-zA-Z0-9_-]{1,100}$"_s);
    const QStringList words = searchWords(text);
    if (words.isEmpty())
        return QList<Note>();

    QString sql;
    QVariantList bindings;
    const QString customerCondition = customerId.isEmpty() ? QString() : u" AND customer_id = ?"_s;
    if (db.dialect() == Dialect::Sqlite) {
        // notes_fts is an external-content table: soft-deleted notes stay indexed, so join and filter.
        sql = u"SELECT %1 FROM notes JOIN (SELECT rowid AS hit_id, bm25(notes_fts) AS hit_rank FROM notes_fts "
              u"WHERE notes_fts MATCH ?) hits ON hits.hit_id = notes.id WHERE notes.deleted_at IS NULL%2 "
              u"ORDER BY hits.hit_rank, notes.id LIMIT %3"_s.arg(NoteRepository::selectList(), customerCondition)
                  .arg(limit);
        bindings << fts5MatchExpression(words);
        if (!customerId.isEmpty())
            bindings << customerId;
    } else {
        // plainto_tsquery parses the text with the same parser that built search_vector and ignores every
        // operator character, so the user's text is passed as it is (bound, never spliced).
        sql = u"SELECT %1 FROM notes WHERE search_vector @@ plainto_tsquery('english', ?) AND deleted_at IS NULL%2 "
              u"ORDER BY ts_rank(search_vector, plainto_tsquery('english', ?)) DESC, id LIMIT %3"_s
                  .arg(NoteRepository::selectList(), customerCondition)
                  .arg(limit);
        bindings << text;
        if (!customerId.isEmpty())
            bindings << customerId;
        bindings << text;
    }
    auto rows = exec(db, sql, bindings);
    if (!rows)
        return rows.error();
    QList<Note> notes;
    const QSqlRecord rec = rows->record();
    while (rows->next())
        notes << NoteRepository::fromRow(*rows, rec);
    return notes;
}

} // namespace Storage
