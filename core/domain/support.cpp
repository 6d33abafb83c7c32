// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "support.h"

#include <algorithm>

#include <QRegularExpression>
#include <QSet>
#include <QTimeZone>

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

Core::Status WorkingHours::validate() const
{
    Validator v;
    v.range(u"weekday"_s, weekday, 1, 7)
        .range(u"start_minute"_s, startMinute, 0, 1439)
        .range(u"end_minute"_s, endMinute, 1, 1440)
        .check(startMinute < endMinute, u"end_minute"_s, u"must be after start_minute"_s);
    return v.result();
}

Core::Status ScheduleHoliday::validate() const
{
    Validator v;
    v.check(date.isValid(), u"date"_s, u"is required"_s).required(u"name"_s, name).maxLength(u"name"_s, name, 200);
    return v.result();
}

Core::Status SlaPause::validate() const
{
    Validator v;
    v.check(status == TicketStatus::Pending || status == TicketStatus::OnHold, u"status"_s,
         u"a pause is pending or on_hold"_s)
        .check(startedAt.isValid(), u"started_at"_s, u"is required"_s);
    timeOrder(v, u"ended_at"_s, startedAt, endedAt);
    return v.result();
}

Core::Status SupportSchedule::validate() const
{
    if (timeZone.trimmed().isEmpty())
        return Core::Error::invalid(u"time_zone"_s, u"is required (an IANA time zone such as Europe/Berlin)"_s);
    if (!QTimeZone::isTimeZoneIdAvailable(timeZone.toUtf8()))
        return Core::Error::invalid(u"time_zone"_s, u"'%1' is not a known IANA time zone"_s.arg(timeZone));
    if (weeklyHours.isEmpty())
        return Core::Error::invalid(u"weekly_hours"_s, u"must have at least one working interval"_s);
    if (weeklyHours.size() > 100)
        return Core::Error::invalid(u"weekly_hours"_s, u"at most 100 working intervals"_s);
    QList<WorkingHours> sorted = weeklyHours;
    std::sort(sorted.begin(), sorted.end(), [](const WorkingHours &a, const WorkingHours &b) {
        return a.weekday != b.weekday ? a.weekday < b.weekday : a.startMinute < b.startMinute;
    });
    for (qsizetype i = 0; i < sorted.size(); ++i) {
        const WorkingHours &h = sorted.at(i);
        if (h.weekday < 1 || h.weekday > 7)
            return Core::Error::invalid(
                u"weekly_hours"_s, u"weekday %1 is not 1 (Monday) to 7 (Sunday)"_s.arg(h.weekday));
        if (h.startMinute < 0 || h.startMinute > 1439 || h.endMinute < 1 || h.endMinute > 1440)
            return Core::Error::invalid(u"weekly_hours"_s,
                u"minutes must lie within the day: start 0 to 1439, end 1 to 1440 (weekday %1)"_s.arg(h.weekday));
        if (h.startMinute >= h.endMinute) {
            return Core::Error::invalid(u"weekly_hours"_s,
                u"start must be before end (weekday %1: %2 >= %3)"_s.arg(h.weekday)
                    .arg(h.startMinute)
                    .arg(h.endMinute));
        }
        if (i > 0 && sorted.at(i - 1).weekday == h.weekday && sorted.at(i - 1).endMinute > h.startMinute) {
            return Core::Error::invalid(u"weekly_hours"_s,
                u"intervals overlap on weekday %1 (%2-%3 and %4-%5)"_s.arg(h.weekday)
                    .arg(sorted.at(i - 1).startMinute)
                    .arg(sorted.at(i - 1).endMinute)
                    .arg(h.startMinute)
                    .arg(h.endMinute));
        }
    }
    if (holidays.size() > 1000)
        return Core::Error::invalid(u"holidays"_s, u"at most 1000 holidays"_s);
    QSet<QDate> seen;
    for (const ScheduleHoliday &h : holidays) {
        if (!h.date.isValid())
            return Core::Error::invalid(u"holidays"_s, u"each holiday needs a valid date"_s);
        if (h.name.trimmed().isEmpty() || h.name.size() > 200)
            return Core::Error::invalid(u"holidays"_s,
                u"the holiday on %1 needs a name of 1 to 200 characters"_s.arg(h.date.toString(Qt::ISODate)));
        if (seen.contains(h.date))
            return Core::Error::invalid(u"holidays"_s, u"%1 is listed twice"_s.arg(h.date.toString(Qt::ISODate)));
        seen.insert(h.date);
    }
    return {};
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
