// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "support.h"

#include <QRegularExpression>

#include "validation.h"

namespace Domain {

using namespace Qt::StringLiterals;

namespace {
constexpr int MaxLongText = 100000; // ticket descriptions, comment and article bodies mirrored from Zendesk

// Validator::dateOrder covers calendar dates; the same rule for timestamps, mirroring the schema's CHECKs.
void timeOrder(Validator &v, const QString &laterField, const QDateTime &earlier, const QDateTime &later)
{
    if (earlier.isValid() && later.isValid()) {
        v.check(
            later >= earlier, laterField, u"must not be before %1"_s.arg(earlier.toUTC().toString(Qt::ISODateWithMs)));
    }
}

void tagList(Validator &v, const QString &field, const QStringList &tags)
{
    for (const QString &tag : tags)
        v.check(!tag.trimmed().isEmpty() && tag.size() <= 100, field, u"each tag must be 1 to 100 characters"_s);
}

const QRegularExpression &slugPattern()
{
    static const QRegularExpression re(u"^[a-z0-9][a-z0-9_-]{0,199}$"_s);
    return re;
}
} // namespace

Core::Status SlaPolicy::validate() const
{
    Validator v;
    v.enumValue(u"priority"_s, priority)
        .range(u"first_response_minutes"_s, firstResponseMinutes, 1, 525600)
        .range(u"resolution_minutes"_s, resolutionMinutes, 1, 525600)
        .check(resolutionMinutes >= firstResponseMinutes, u"resolution_minutes"_s,
            u"must not be shorter than first_response_minutes"_s)
        .check(atRiskRatio > 0 && atRiskRatio <= 1, u"at_risk_ratio"_s, u"must be above 0 and at most 1"_s);
    return v.result();
}

bool SupportTicket::isOpen() const
{
    return status == TicketStatus::New || status == TicketStatus::Open || status == TicketStatus::Pending
        || status == TicketStatus::OnHold;
}

Core::Status SupportTicket::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId)
        .maxLength(u"external_id"_s, externalId, 100)
        .required(u"subject"_s, subject)
        .maxLength(u"subject"_s, subject, 500)
        .maxLength(u"description"_s, description, MaxLongText)
        .enumValue(u"priority"_s, priority)
        .enumValue(u"status"_s, status)
        .maxLength(u"channel"_s, channel, 50);
    if (requesterContactId)
        v.positiveId(u"requester_contact_id"_s, *requesterContactId);
    v.maxLength(u"assignee"_s, assignee, 200)
        .maxLength(u"assigned_team"_s, assignedTeam, 200)
        .maxLength(u"category"_s, category, 200);
    tagList(v, u"tags"_s, tags);
    v.check(openedAt.isValid(), u"opened_at"_s, u"is required"_s);
    timeOrder(v, u"first_response_at"_s, openedAt, firstResponseAt);
    timeOrder(v, u"resolved_at"_s, openedAt, resolvedAt);
    timeOrder(v, u"closed_at"_s, openedAt, closedAt);
    timeOrder(v, u"first_response_due_at"_s, openedAt, firstResponseDueAt);
    timeOrder(v, u"resolution_due_at"_s, openedAt, resolutionDueAt);
    if (csat)
        v.range(u"csat"_s, *csat, 1, 5);
    v.maxLength(u"csat_comment"_s, csatComment, 10000);
    return v.result();
}

Core::Status TicketComment::validate() const
{
    Validator v;
    v.positiveId(u"ticket_id"_s, ticketId)
        .maxLength(u"external_id"_s, externalId, 100)
        .maxLength(u"author"_s, author, 200)
        .required(u"body"_s, body)
        .maxLength(u"body"_s, body, MaxLongText)
        .check(commentedAt.isValid(), u"commented_at"_s, u"is required"_s);
    return v.result();
}

Core::Status RoutingRule::validate() const
{
    Validator v;
    v.required(u"name"_s, name)
        .maxLength(u"name"_s, name, 200)
        .check(position >= 0, u"position"_s, u"must not be negative"_s)
        .check(!targetTeam.isEmpty() || !targetAssignee.isEmpty(), u"target_team"_s,
            u"or target_assignee is required: a rule must route somewhere"_s)
        .maxLength(u"target_team"_s, targetTeam, 200)
        .maxLength(u"target_assignee"_s, targetAssignee, 200);
    if (setPriority)
        v.enumValue(u"set_priority"_s, *setPriority);
    for (auto it = conditions.cbegin(); it != conditions.cend(); ++it) {
        v.check(!it.key().trimmed().isEmpty() && it.key().size() <= 64, u"conditions"_s,
            u"keys must be 1 to 64 characters"_s);
    }
    return v.result();
}

Core::Status KbArticle::validate() const
{
    Validator v;
    v.check(slugPattern().match(slug).hasMatch(), u"slug"_s,
         u"must be 1 to 200 lower-case letters, digits, '-' or '_', starting with a letter or digit"_s)
        .required(u"title"_s, title)
        .maxLength(u"title"_s, title, 300)
        // The schema allows '' (NOT NULL DEFAULT ''), but Storage::Convert writes an empty QString as NULL,
        // so an empty body could not be stored anyway: refuse it here, naming the field.
        .required(u"body"_s, body)
        .maxLength(u"body"_s, body, MaxLongText)
        .maxLength(u"category"_s, category, 200)
        .enumValue(u"status"_s, status)
        .maxLength(u"author"_s, author, 200)
        .check(views >= 0, u"views"_s, u"must not be negative"_s)
        .check(helpfulVotes >= 0, u"helpful_votes"_s, u"must not be negative"_s)
        .check(unhelpfulVotes >= 0, u"unhelpful_votes"_s, u"must not be negative"_s);
    tagList(v, u"tags"_s, tags);
    return v.result();
}

Core::Status CustomerPortalSettings::validate() const
{
    Validator v;
    v.customerId(u"customer_id"_s, customerId);
    for (auto it = features.cbegin(); it != features.cend(); ++it) {
        v.check(!it.key().trimmed().isEmpty() && it.key().size() <= 64, u"features"_s,
            u"keys must be 1 to 64 characters"_s);
    }
    for (auto it = branding.cbegin(); it != branding.cend(); ++it) {
        v.check(!it.key().trimmed().isEmpty() && it.key().size() <= 64, u"branding"_s,
            u"keys must be 1 to 64 characters"_s);
    }
    return v.result();
}

} // namespace Domain
