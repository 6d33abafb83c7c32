// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "engagement.h"

#include <QRegularExpression>

#include "validation.h"

namespace Domain {

using namespace Qt::StringLiterals;

namespace {
constexpr int NameMax = 200; // names, owners, authors: the schema's limit on names
constexpr int TextMax = 10000; // descriptions and other free text
constexpr int BodyMax = 200000; // note, post and template bodies

void requiredTime(Validator &v, const QString &field, const QDateTime &value)
{
    v.check(value.isValid(), field, u"is required"_s);
}

// The schema's CHECK (later IS NULL OR later >= earlier), in C++ so the message names the field.
void notBefore(Validator &v, const QString &laterField, const QDateTime &later, const QString &earlierField,
    const QDateTime &earlier)
{
    v.check(!later.isValid() || !earlier.isValid() || later >= earlier, laterField,
        u"must not be before "_s + earlierField);
}

void optionalId(Validator &v, const QString &field, const std::optional<qint64> &id)
{
    if (id)
        v.positiveId(field, *id);
}

void optionalCustomerId(Validator &v, const QString &field, const QString &id)
{
    if (!id.isEmpty())
        v.customerId(field, id);
}

void notNegative(Validator &v, const QString &field, int value)
{
    v.check(value >= 0, field, u"must not be negative"_s);
}

bool isNumber(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Double:
        return true;
    default:
        return false;
    }
}

bool allObjects(const QVariantList &items)
{
    for (const QVariant &item : items) {
        if (item.typeId() != QMetaType::QVariantMap)
            return false;
    }
    return true;
}
} // namespace

Core::Status Playbook::validate() const
{
    Validator v;
    v.required(u"name"_s, name)
        .maxLength(u"name"_s, name, NameMax)
        .maxLength(u"description"_s, description, TextMax)
        .enumValue(u"trigger_kind"_s, triggerKind)
        .maxLength(u"owner"_s, owner, NameMax);
    return v.result();
}

Core::Status PlaybookStep::validate() const
{
    Validator v;
    v.positiveId(u"playbook_id"_s, playbookId)
        .range(u"position"_s, position, 0, 10000)
        .enumValue(u"kind"_s, kind)
        .maxLength(u"name"_s, name, NameMax);
    // The step runner reads these keys; a step it cannot run is refused when it is written, not when it is due.
    switch (kind) {
    case PlaybookStepKind::Task:
        v.check(!config.value(u"title"_s).toString().trimmed().isEmpty(), u"config"_s, u"a task step needs a title"_s);
        break;
    case PlaybookStepKind::Email: {
        const QVariant templateId = config.value(u"template_id"_s);
        v.check(isNumber(templateId) && templateId.toDouble() >= 1
                && templateId.toDouble() == double(templateId.toLongLong()),
            u"config"_s, u"an email step needs a template_id"_s);
        break;
    }
    case PlaybookStepKind::Wait: {
        const QVariant days = config.value(u"days"_s);
        v.check(isNumber(days) && days.toDouble() >= 0 && days.toDouble() <= 365, u"config"_s,
            u"a wait step needs days between 0 and 365"_s);
        break;
    }
    case PlaybookStepKind::Note:
    case PlaybookStepKind::Message:
        break;
    }
    return v.result();
}

Core::Status Campaign::validate() const
{
    Validator v;
    v.required(u"name"_s, name).maxLength(u"name"_s, name, NameMax).maxLength(u"description"_s, description, TextMax);
    optionalId(v, u"playbook_id"_s, playbookId);
    optionalId(v, u"segment_id"_s, segmentId);
    v.enumValue(u"status"_s, status)
        .dateOrder(u"ends_on"_s, startsOn, endsOn, false)
        .maxLength(u"owner"_s, owner, NameMax);
    return v.result();
}

Core::Status Enrolment::validate() const
{
    Validator v;
    optionalId(v, u"playbook_id"_s, playbookId);
    optionalId(v, u"campaign_id"_s, campaignId);
    v.check(playbookId.has_value() || campaignId.has_value(), u"playbook_id"_s,
         u"is required unless the enrolment belongs to a campaign"_s)
        .customerId(u"customer_id"_s, customerId)
        .enumValue(u"status"_s, status);
    requiredTime(v, u"enrolled_at"_s, enrolledAt);
    v.maxLength(u"enrolled_by"_s, enrolledBy, NameMax);
    notNegative(v, u"current_step"_s, currentStep);
    notBefore(v, u"completed_at"_s, completedAt, u"enrolled_at"_s, enrolledAt);
    v.check(status != EnrolmentStatus::Completed || completedAt.isValid(), u"completed_at"_s,
         u"is required when status is completed"_s)
        .maxLength(u"exit_reason"_s, exitReason, TextMax);
    return v.result();
}

Core::Status EnrolmentStepRun::validate() const
{
    Validator v;
    v.positiveId(u"enrolment_id"_s, enrolmentId);
    optionalId(v, u"step_id"_s, stepId);
    notNegative(v, u"step_position"_s, stepPosition);
    v.enumValue(u"status"_s, status)
        .check(!(status == StepRunStatus::Succeeded || status == StepRunStatus::Failed) || ranAt.isValid(), u"ran_at"_s,
            u"is required once the step has run"_s);
    return v.result();
}

Core::Status CsmTask::validate() const
{
    Validator v;
    optionalCustomerId(v, u"customer_id"_s, customerId);
    v.required(u"title"_s, title)
        .maxLength(u"title"_s, title, 500)
        .maxLength(u"description"_s, description, TextMax)
        .enumValue(u"status"_s, status)
        .enumValue(u"priority"_s, priority)
        .maxLength(u"owner"_s, owner, NameMax)
        .enumValue(u"source"_s, source)
        .maxLength(u"source_ref"_s, sourceRef, NameMax);
    optionalId(v, u"enrolment_id"_s, enrolmentId);
    v.check(status != CsmTaskStatus::Done || completedAt.isValid(), u"completed_at"_s,
        u"is required when status is done"_s);
    return v.result();
}

Core::Status Note::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId)
        .required(u"body"_s, body)
        .maxLength(u"body"_s, body, BodyMax)
        .maxLength(u"author"_s, author, NameMax);
    return v.result();
}

Core::Status EmailTemplate::validate() const
{
    static const QRegularExpression variableName(u"^[A-Za-z_][A-Za-z0-9_.]{0,63}$"_s);
    Validator v;
    v.required(u"name"_s, name)
        .maxLength(u"name"_s, name, NameMax)
        .required(u"subject"_s, subject)
        .maxLength(u"subject"_s, subject, 500)
        .required(u"body"_s, body)
        .maxLength(u"body"_s, body, BodyMax)
        .enumValue(u"body_format"_s, bodyFormat);
    for (const QString &variable : variables) {
        v.check(variableName.match(variable).hasMatch(), u"variables"_s,
            u"'%1' is not a placeholder name (letters, digits, _ and ., at most 64)"_s.arg(variable));
    }
    return v.result();
}

Core::Status CommunicationWorkflow::validate() const
{
    Validator v;
    v.required(u"name"_s, name)
        .maxLength(u"name"_s, name, NameMax)
        .maxLength(u"description"_s, description, TextMax)
        .check(allObjects(actions), u"actions"_s, u"each action must be an object"_s);
    return v.result();
}

Core::Status Communication::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId);
    optionalId(v, u"contact_id"_s, contactId);
    v.enumValue(u"channel"_s, channel)
        .enumValue(u"direction"_s, direction)
        .maxLength(u"subject"_s, subject, 998) // RFC 5322 §2.1.1: a header line is at most 998 characters
        .maxLength(u"body"_s, body, BodyMax);
    optionalId(v, u"template_id"_s, templateId);
    optionalId(v, u"workflow_id"_s, workflowId);
    optionalId(v, u"enrolment_id"_s, enrolmentId);
    const bool reachedRecipient = status == CommunicationStatus::Sent || status == CommunicationStatus::Delivered
        || status == CommunicationStatus::Opened || status == CommunicationStatus::Clicked;
    v.enumValue(u"status"_s, status)
        .maxLength(u"external_id"_s, externalId, NameMax)
        .maxLength(u"outbox_idempotency_key"_s, outboxIdempotencyKey, 200)
        .maxLength(u"sender"_s, sender, 320)
        .check(direction != CommunicationDirection::Outbound || !reachedRecipient || sentAt.isValid(), u"sent_at"_s,
            u"is required once an outbound message is sent"_s);
    notBefore(v, u"last_event_at"_s, lastEventAt, u"sent_at"_s, sentAt);
    return v.result();
}

Core::Status Newsletter::validate() const
{
    Validator v;
    v.required(u"name"_s, name).maxLength(u"name"_s, name, NameMax).maxLength(u"description"_s, description, TextMax);
    optionalId(v, u"template_id"_s, templateId);
    return v.result();
}

Core::Status NewsletterEdition::validate() const
{
    Validator v;
    v.positiveId(u"newsletter_id"_s, newsletterId)
        .required(u"title"_s, title)
        .maxLength(u"title"_s, title, 300)
        .enumValue(u"status"_s, status)
        .check(status != NewsletterEditionStatus::Scheduled || scheduledFor.isValid(), u"scheduled_for"_s,
            u"is required when status is scheduled"_s)
        .check(status != NewsletterEditionStatus::Sent || sentAt.isValid(), u"sent_at"_s,
            u"is required when status is sent"_s);
    notNegative(v, u"recipient_count"_s, recipientCount);
    return v.result();
}

Core::Status CommunityMember::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId);
    optionalId(v, u"contact_id"_s, contactId);
    v.required(u"handle"_s, handle).maxLength(u"handle"_s, handle, 100).enumValue(u"status"_s, status);
    requiredTime(v, u"joined_at"_s, joinedAt);
    notNegative(v, u"reputation"_s, reputation);
    return v.result();
}

Core::Status CommunityPost::validate() const
{
    Validator v;
    v.positiveId(u"member_id"_s, memberId)
        .required(u"title"_s, title)
        .maxLength(u"title"_s, title, 300)
        .maxLength(u"body"_s, body, BodyMax)
        .enumValue(u"kind"_s, kind)
        .enumValue(u"status"_s, status);
    notNegative(v, u"views"_s, views);
    notNegative(v, u"reply_count"_s, replyCount);
    notNegative(v, u"upvotes"_s, upvotes);
    requiredTime(v, u"posted_at"_s, postedAt);
    return v.result();
}

Core::Status Advocate::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId);
    optionalId(v, u"contact_id"_s, contactId);
    v.enumValue(u"tier"_s, tier);
    notNegative(v, u"points"_s, points);
    v.enumValue(u"status"_s, status).maxLength(u"notes"_s, notes, TextMax);
    return v.result();
}

Core::Status AdvocacyContribution::validate() const
{
    Validator v;
    v.positiveId(u"advocate_id"_s, advocateId).enumValue(u"kind"_s, kind);
    notNegative(v, u"points"_s, points);
    v.check(occurredOn.isValid(), u"occurred_on"_s, u"is required"_s).maxLength(u"description"_s, description, TextMax);
    return v.result();
}

Core::Status ExecutiveReview::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId).maxLength(u"title"_s, title, 300);
    requiredTime(v, u"scheduled_for"_s, scheduledFor);
    v.enumValue(u"status"_s, status).maxLength(u"owner"_s, owner, NameMax);
    for (const QString &attendee : attendees) {
        v.check(!attendee.trimmed().isEmpty() && attendee.size() <= 320, u"attendees"_s,
            u"each attendee must be 1 to 320 characters"_s);
    }
    v.check(status != ExecutiveReviewStatus::Prepared || preparedAt.isValid(), u"prepared_at"_s,
         u"is required when status is prepared"_s)
        .maxLength(u"outcomes"_s, outcomes, TextMax)
        .check(status != ExecutiveReviewStatus::Completed || completedAt.isValid(), u"completed_at"_s,
            u"is required when status is completed"_s);
    return v.result();
}

Core::Status Escalation::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId);
    optionalId(v, u"ticket_id"_s, ticketId);
    v.enumValue(u"severity"_s, severity)
        .enumValue(u"status"_s, status)
        .required(u"reason"_s, reason)
        .maxLength(u"reason"_s, reason, 2000)
        .maxLength(u"owner"_s, owner, NameMax)
        .maxLength(u"resolution"_s, resolution, TextMax);
    requiredTime(v, u"opened_at"_s, openedAt);
    notBefore(v, u"resolved_at"_s, resolvedAt, u"opened_at"_s, openedAt);
    notBefore(v, u"closed_at"_s, closedAt, u"opened_at"_s, openedAt);
    v.check(status != EscalationStatus::Resolved || resolvedAt.isValid(), u"resolved_at"_s,
         u"is required when status is resolved"_s)
        .check(status != EscalationStatus::Closed || closedAt.isValid(), u"closed_at"_s,
            u"is required when status is closed"_s);
    return v.result();
}

} // namespace Domain
