// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The communication toolset (TOOLS.md "communication"): personalised e-mail through the outbox, trigger → action
// workflows, the community, the advocacy programme, executive reviews and newsletters — CommunicationService does
// the work; nothing here talks to a vendor (the outbox worker delivers later).
#include "communicationservice.h"
#include "services.h"
#include "toolregistry.h"
#include "toolsupport.h"

using namespace Qt::StringLiterals;

namespace Mcp {

namespace {

using namespace Schema;
using ToolSupport::dateJson;
using ToolSupport::dateTimeJson;
using ToolSupport::rounded;

const QString kToolset = u"communication"_s;

QJsonValue optText(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

QJsonValue optId(const std::optional<qint64> &id)
{
    return id ? QJsonValue(*id) : QJsonValue(QJsonValue::Null);
}

QStringList stringList(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &v : value.toArray())
        list << v.toString();
    return list;
}

Core::Status require(const QJsonObject &args, const QStringList &fields, const QString &action)
{
    for (const QString &field : fields) {
        if (!args.contains(field))
            return Core::Error::invalid(field, u"required when action is "_s + action);
    }
    return {};
}

QDateTime dateTimeArgument(const QJsonObject &args, const QString &name)
{
    return QDateTime::fromString(args.value(name).toString(), Qt::ISODateWithMs);
}

template<typename T, typename F> QJsonObject pageOf(const Storage::Page<T> &page, F &&toJson, const QString &action)
{
    QJsonArray items;
    for (const T &item : page.items)
        items.append(toJson(item));
    QJsonObject result = ToolSupport::pageJson(items, page.total, page.nextCursor);
    result.insert(u"action"_s, action);
    return result;
}

QJsonObject withAction(QJsonObject json, const QString &action)
{
    json.insert(u"action"_s, action);
    return json;
}

// An action-dispatching tool's output: `action` plus whatever the action answers (items/total/next_cursor for
// lists, one record otherwise).
QJsonObject actionOutput(std::initializer_list<Property> extra)
{
    QJsonObject properties {
        { u"action"_s, string({}) },
        { u"items"_s, arrayOf(anyObject({})) },
        { u"total"_s, integer({}, 0) },
        { u"next_cursor"_s, nullable(string({})) },
        { u"note"_s, string({}) },
    };
    for (const Property &p : extra)
        properties.insert(p.first, p.second);
    QJsonObject schema { { u"type"_s, u"object"_s }, { u"properties"_s, properties } };
    schema.insert(u"required"_s, QJsonArray { u"action"_s });
    return schema;
}

// ---- e-mail ----------------------------------------------------------------------------------------------------

QJsonObject communicationJson(const Domain::Communication &c)
{
    return QJsonObject {
        { u"communication_id"_s, c.id },
        { u"customer_id"_s, c.customerId },
        { u"contact_id"_s, optId(c.contactId) },
        { u"channel"_s, Domain::enumName(c.channel) },
        { u"subject"_s, c.subject },
        { u"status"_s, Domain::enumName(c.status) },
        { u"template_id"_s, optId(c.templateId) },
        { u"sender"_s, optText(c.sender) },
        { u"outbox_key"_s, optText(c.outboxIdempotencyKey) },
        { u"created_at"_s, dateTimeJson(c.meta.createdAt) },
    };
}

QJsonObject templateJson(const Domain::EmailTemplate &t)
{
    return QJsonObject {
        { u"template_id"_s, t.id },
        { u"name"_s, t.name },
        { u"subject"_s, t.subject },
        { u"body"_s, t.body },
        { u"body_format"_s, Domain::enumName(t.bodyFormat) },
        { u"variables"_s, QJsonArray::fromStringList(t.variables) },
        { u"version"_s, t.meta.version },
    };
}

ToolResult sendPersonalizedEmail(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QString action = args.value(u"action"_s).toString(u"send"_s);
    Core::CommunicationService &service = call.services->communication();
    if (action == u"list_templates"_s) {
        auto page = service.listTemplates(
            args.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit), args.value(u"cursor"_s).toString());
        if (!page)
            return page.error();
        return pageOf(*page, templateJson, action);
    }
    if (action == u"create_template"_s) {
        if (auto ok = require(args, { u"name"_s, u"subject"_s, u"body"_s }, action); !ok)
            return ok.error();
        Domain::EmailTemplate t;
        t.name = args.value(u"name"_s).toString();
        t.subject = args.value(u"subject"_s).toString();
        t.body = args.value(u"body"_s).toString();
        t.bodyFormat = Domain::enumFromString<Domain::EmailBodyFormat>(args.value(u"body_format"_s).toString(u"text"_s))
                           .value_or(Domain::EmailBodyFormat::Text);
        t.variables = stringList(args.value(u"template_variables"_s));
        auto created = service.createTemplate(t);
        if (!created)
            return created.error();
        return QJsonObject { { u"action"_s, action }, { u"template"_s, templateJson(*created) } };
    }
    if (action == u"list_sent"_s) {
        if (auto ok = require(args, { u"customer_id"_s }, action); !ok)
            return ok.error();
        Core::CommunicationListQuery query;
        query.customerId = args.value(u"customer_id"_s).toString();
        query.limit = args.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
        query.cursor = args.value(u"cursor"_s).toString();
        auto page = service.listCommunications(query);
        if (!page)
            return page.error();
        return pageOf(*page, communicationJson, action);
    }

    // send
    if (auto ok = require(args, { u"customer_id"_s }, action); !ok)
        return ok.error();
    if (!args.contains(u"template_id"_s) && (!args.contains(u"subject"_s) || !args.contains(u"body"_s)))
        return Core::Error::invalid(
            args.contains(u"subject"_s) ? u"body"_s : u"subject"_s, u"give template_id, or subject and body"_s);
    Core::EmailRequest request;
    request.customerId = args.value(u"customer_id"_s).toString();
    for (const QJsonValue &id : args.value(u"contact_ids"_s).toArray())
        request.contactIds << id.toInteger();
    if (args.contains(u"recipient_role"_s))
        request.recipientRole = Domain::enumFromString<Domain::ContactRole>(args.value(u"recipient_role"_s).toString());
    if (args.contains(u"template_id"_s))
        request.templateId = args.value(u"template_id"_s).toInteger();
    request.subject = args.value(u"subject"_s).toString();
    request.body = args.value(u"body"_s).toString();
    request.bodyFormat
        = Domain::enumFromString<Domain::EmailBodyFormat>(args.value(u"body_format"_s).toString(u"text"_s))
              .value_or(Domain::EmailBodyFormat::Text);
    request.variables = args.value(u"variables"_s).toObject().toVariantMap();
    request.sender = args.value(u"sender"_s).toString();
    request.requestKey = args.value(u"request_key"_s).toString();
    auto sent = service.sendPersonalizedEmail(request);
    if (!sent)
        return sent.error();
    QJsonArray messages;
    for (const Core::QueuedMessage &m : std::as_const(sent->messages)) {
        QJsonObject json = communicationJson(m.communication);
        json.insert(u"to"_s, m.outbox.payload.value(u"to"_s).toString());
        json.insert(u"outbox_id"_s, m.outbox.id);
        json.insert(u"outbox_status"_s, Domain::enumName(m.outbox.status));
        json.insert(u"already_queued"_s, m.alreadyQueued);
        messages.append(json);
    }
    return QJsonObject {
        { u"action"_s, action },
        { u"queued"_s, sent->queued },
        { u"already_queued"_s, sent->alreadyQueued },
        { u"messages"_s, messages },
        { u"note"_s, u"queued in the outbox; the SendGrid adapter delivers it in the background"_s },
    };
}

// ---- workflows ---------------------------------------------------------------------------------------------------

QJsonObject workflowJson(const Domain::CommunicationWorkflow &w)
{
    return QJsonObject {
        { u"workflow_id"_s, w.id },
        { u"name"_s, w.name },
        { u"description"_s, w.description },
        { u"trigger"_s, QJsonObject::fromVariantMap(w.triggerConfig) },
        { u"actions"_s, QJsonArray::fromVariantList(w.actions) },
        { u"active"_s, w.isActive },
        { u"last_triggered_at"_s, dateTimeJson(w.lastTriggeredAt) },
        { u"version"_s, w.meta.version },
    };
}

ToolResult automateCommunications(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QString action = args.value(u"action"_s).toString();
    Core::CommunicationService &service = call.services->communication();
    if (action == u"list"_s) {
        auto page = service.listWorkflows(
            args.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit), args.value(u"cursor"_s).toString());
        if (!page)
            return page.error();
        return pageOf(*page, workflowJson, action);
    }
    if (action == u"create"_s) {
        if (auto ok = require(args, { u"name"_s, u"trigger"_s, u"actions"_s }, action); !ok)
            return ok.error();
        Domain::CommunicationWorkflow w;
        w.name = args.value(u"name"_s).toString();
        w.description = args.value(u"description"_s).toString();
        w.triggerConfig = args.value(u"trigger"_s).toObject().toVariantMap();
        w.actions = args.value(u"actions"_s).toArray().toVariantList();
        w.isActive = args.value(u"active"_s).toBool(false);
        auto created = service.createWorkflow(w);
        if (!created)
            return created.error();
        return QJsonObject { { u"action"_s, action }, { u"workflow"_s, workflowJson(*created) } };
    }
    if (action == u"run"_s) {
        std::optional<qint64> id;
        if (args.contains(u"workflow_id"_s))
            id = args.value(u"workflow_id"_s).toInteger();
        auto runs = service.runWorkflows(id);
        if (!runs)
            return runs.error();
        QJsonArray items;
        for (const Core::WorkflowRun &r : std::as_const(*runs)) {
            items.append(QJsonObject { { u"workflow_id"_s, r.workflowId }, { u"name"_s, r.workflowName },
                { u"signal"_s, r.signal }, { u"matched"_s, r.matched }, { u"fired"_s, r.fired },
                { u"in_cooldown"_s, r.inCooldown }, { u"actions_performed"_s, r.actionsPerformed },
                { u"actions_failed"_s, r.actionsFailed }, { u"errors"_s, QJsonArray::fromStringList(r.errors) } });
        }
        QJsonObject result = withAction(ToolSupport::pageJson(items, items.size(), {}), action);
        if (items.isEmpty())
            result.insert(u"note"_s, u"no active workflow"_s);
        return result;
    }
    if (auto ok = require(args, { u"workflow_id"_s }, action); !ok)
        return ok.error();
    const qint64 id = args.value(u"workflow_id"_s).toInteger();
    if (action == u"remove"_s) {
        if (auto removed = service.removeWorkflow(id, args.value(u"version"_s).toInt(0)); !removed)
            return removed.error();
        return QJsonObject { { u"action"_s, action }, { u"removed_workflow_id"_s, id } };
    }
    auto stored = service.workflow(id);
    if (!stored)
        return stored.error();
    if (action == u"get"_s)
        return QJsonObject { { u"action"_s, action }, { u"workflow"_s, workflowJson(*stored) } };
    // enable, disable, update
    Domain::CommunicationWorkflow w = *stored;
    if (args.contains(u"version"_s))
        w.meta.version = args.value(u"version"_s).toInt();
    if (action == u"enable"_s || action == u"disable"_s) {
        w.isActive = action == u"enable"_s;
    } else {
        if (args.contains(u"name"_s))
            w.name = args.value(u"name"_s).toString();
        if (args.contains(u"description"_s))
            w.description = args.value(u"description"_s).toString();
        if (args.contains(u"trigger"_s))
            w.triggerConfig = args.value(u"trigger"_s).toObject().toVariantMap();
        if (args.contains(u"actions"_s))
            w.actions = args.value(u"actions"_s).toArray().toVariantList();
        if (args.contains(u"active"_s))
            w.isActive = args.value(u"active"_s).toBool();
    }
    auto updated = service.updateWorkflow(w);
    if (!updated)
        return updated.error();
    return QJsonObject { { u"action"_s, action }, { u"workflow"_s, workflowJson(*updated) } };
}

// ---- community ---------------------------------------------------------------------------------------------------

QJsonObject memberJson(const Domain::CommunityMember &m)
{
    return QJsonObject {
        { u"member_id"_s, m.id },
        { u"customer_id"_s, m.customerId },
        { u"contact_id"_s, optId(m.contactId) },
        { u"handle"_s, m.handle },
        { u"status"_s, Domain::enumName(m.status) },
        { u"joined_at"_s, dateTimeJson(m.joinedAt) },
        { u"reputation"_s, m.reputation },
        { u"version"_s, m.meta.version },
    };
}

QJsonObject postJson(const Domain::CommunityPost &p)
{
    return QJsonObject {
        { u"post_id"_s, p.id },
        { u"member_id"_s, p.memberId },
        { u"title"_s, p.title },
        { u"kind"_s, Domain::enumName(p.kind) },
        { u"status"_s, Domain::enumName(p.status) },
        { u"views"_s, p.views },
        { u"reply_count"_s, p.replyCount },
        { u"upvotes"_s, p.upvotes },
        { u"posted_at"_s, dateTimeJson(p.postedAt) },
        { u"version"_s, p.meta.version },
    };
}

QJsonObject countsJson(const QHash<QString, qint64> &counts)
{
    QJsonObject json;
    for (auto it = counts.constBegin(); it != counts.constEnd(); ++it)
        json.insert(it.key(), it.value());
    return json;
}

ToolResult manageCommunity(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QString action = args.value(u"action"_s).toString();
    Core::CommunicationService &service = call.services->communication();
    if (action == u"stats"_s) {
        auto stats = service.communityStats(
            ToolSupport::dateArgument(args, u"from"_s), ToolSupport::dateArgument(args, u"to"_s));
        if (!stats)
            return stats.error();
        const Core::CommunityStats &s = *stats;
        QJsonArray top;
        for (const Core::CommunityContributor &c : s.topContributors)
            top.append(QJsonObject { { u"member_id"_s, c.memberId }, { u"handle"_s, c.handle },
                { u"customer_id"_s, c.customerId }, { u"posts"_s, c.posts }, { u"upvotes"_s, c.upvotes } });
        return QJsonObject {
            { u"action"_s, action },
            { u"stats"_s,
                QJsonObject {
                    { u"from"_s, dateJson(s.from) },
                    { u"to"_s, dateJson(s.to) },
                    { u"has_data"_s, s.hasData },
                    { u"note"_s, optText(s.reason) },
                    { u"members_by_status"_s, countsJson(s.membersByStatus) },
                    { u"posts"_s, s.posts },
                    { u"posts_by_kind"_s, countsJson(s.postsByKind) },
                    { u"posts_by_status"_s, countsJson(s.postsByStatus) },
                    { u"questions"_s, s.questions },
                    { u"questions_answered"_s, s.questionsAnswered },
                    { u"answer_rate"_s,
                        s.answerRate ? QJsonValue(rounded(*s.answerRate, 4)) : QJsonValue(QJsonValue::Null) },
                    { u"replies_per_post"_s,
                        s.repliesPerPost ? QJsonValue(rounded(*s.repliesPerPost, 2)) : QJsonValue(QJsonValue::Null) },
                    { u"top_contributors"_s, top },
                } },
        };
    }
    if (action == u"list_members"_s) {
        Core::CommunityMemberQuery query;
        query.customerId = args.value(u"customer_id"_s).toString();
        if (args.contains(u"member_status"_s))
            query.status
                = Domain::enumFromString<Domain::CommunityMemberStatus>(args.value(u"member_status"_s).toString());
        query.limit = args.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
        query.cursor = args.value(u"cursor"_s).toString();
        auto page = service.listMembers(query);
        if (!page)
            return page.error();
        return pageOf(*page, memberJson, action);
    }
    if (action == u"list_posts"_s) {
        Core::CommunityPostQuery query;
        if (args.contains(u"member_id"_s))
            query.memberId = args.value(u"member_id"_s).toInteger();
        if (args.contains(u"kind"_s))
            query.kind = Domain::enumFromString<Domain::CommunityPostKind>(args.value(u"kind"_s).toString());
        if (args.contains(u"post_status"_s))
            query.status = Domain::enumFromString<Domain::CommunityPostStatus>(args.value(u"post_status"_s).toString());
        query.limit = args.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
        query.cursor = args.value(u"cursor"_s).toString();
        auto page = service.listPosts(query);
        if (!page)
            return page.error();
        return pageOf(*page, postJson, action);
    }
    if (action == u"add_member"_s) {
        if (auto ok = require(args, { u"customer_id"_s, u"handle"_s }, action); !ok)
            return ok.error();
        Domain::CommunityMember m;
        m.customerId = args.value(u"customer_id"_s).toString();
        if (args.contains(u"contact_id"_s))
            m.contactId = args.value(u"contact_id"_s).toInteger();
        m.handle = args.value(u"handle"_s).toString();
        m.joinedAt = call.services->clock().now();
        auto added = service.addMember(m);
        if (!added)
            return added.error();
        return QJsonObject { { u"action"_s, action }, { u"member"_s, memberJson(*added) } };
    }
    if (action == u"update_member"_s) {
        if (auto ok = require(args, { u"member_id"_s, u"version"_s }, action); !ok)
            return ok.error();
        auto stored = service.member(args.value(u"member_id"_s).toInteger());
        if (!stored)
            return stored.error();
        Domain::CommunityMember m = *stored;
        m.meta.version = args.value(u"version"_s).toInt();
        if (args.contains(u"handle"_s))
            m.handle = args.value(u"handle"_s).toString();
        if (args.contains(u"member_status"_s))
            m.status
                = *Domain::enumFromString<Domain::CommunityMemberStatus>(args.value(u"member_status"_s).toString());
        auto updated = service.updateMember(m);
        if (!updated)
            return updated.error();
        return QJsonObject { { u"action"_s, action }, { u"member"_s, memberJson(*updated) } };
    }
    // create_post
    if (auto ok = require(args, { u"member_id"_s, u"title"_s }, action); !ok)
        return ok.error();
    Domain::CommunityPost p;
    p.memberId = args.value(u"member_id"_s).toInteger();
    p.title = args.value(u"title"_s).toString();
    p.body = args.value(u"body"_s).toString();
    p.kind = Domain::enumFromString<Domain::CommunityPostKind>(args.value(u"kind"_s).toString(u"discussion"_s))
                 .value_or(Domain::CommunityPostKind::Discussion);
    p.postedAt = call.services->clock().now();
    auto created = service.createPost(p);
    if (!created)
        return created.error();
    return QJsonObject { { u"action"_s, action }, { u"post"_s, postJson(*created) } };
}

// ---- advocacy ------------------------------------------------------------------------------------------------------

QJsonObject advocateJson(const Domain::Advocate &a)
{
    return QJsonObject {
        { u"advocate_id"_s, a.id },
        { u"customer_id"_s, a.customerId },
        { u"contact_id"_s, optId(a.contactId) },
        { u"tier"_s, Domain::enumName(a.tier) },
        { u"points"_s, a.points },
        { u"status"_s, Domain::enumName(a.status) },
        { u"joined_on"_s, dateJson(a.joinedOn) },
        { u"notes"_s, a.notes },
        { u"version"_s, a.meta.version },
    };
}

QJsonObject contributionJson(const Domain::AdvocacyContribution &c)
{
    return QJsonObject {
        { u"contribution_id"_s, c.id },
        { u"advocate_id"_s, c.advocateId },
        { u"kind"_s, Domain::enumName(c.kind) },
        { u"points"_s, c.points },
        { u"occurred_on"_s, dateJson(c.occurredOn) },
        { u"description"_s, c.description },
    };
}

ToolResult advocateDetail(Core::CommunicationService &service, qint64 id, const QString &action, QJsonObject extra = {})
{
    auto detail = service.advocate(id);
    if (!detail)
        return detail.error();
    QJsonObject json = advocateJson(detail->advocate);
    json.insert(u"contact_name"_s, optText(detail->contactName));
    QJsonArray contributions;
    for (const Domain::AdvocacyContribution &c : std::as_const(detail->contributions)) {
        if (contributions.size() >= 50)
            break;
        contributions.append(contributionJson(c));
    }
    json.insert(u"contributions"_s, contributions);
    json.insert(u"next_tier"_s,
        detail->nextTier ? QJsonValue(Domain::enumName(*detail->nextTier)) : QJsonValue(QJsonValue::Null));
    json.insert(u"points_to_next_tier"_s, detail->pointsToNextTier);
    QJsonObject result { { u"action"_s, action }, { u"advocate"_s, json } };
    for (auto it = extra.constBegin(); it != extra.constEnd(); ++it)
        result.insert(it.key(), it.value());
    return result;
}

ToolResult manageAdvocacyProgram(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QString action = args.value(u"action"_s).toString();
    Core::CommunicationService &service = call.services->communication();
    if (action == u"summary"_s) {
        auto summary = service.advocacySummary(
            ToolSupport::dateArgument(args, u"from"_s), ToolSupport::dateArgument(args, u"to"_s));
        if (!summary)
            return summary.error();
        const Core::AdvocacySummary &s = *summary;
        return QJsonObject { { u"action"_s, action },
            { u"summary"_s,
                QJsonObject { { u"from"_s, dateJson(s.from) }, { u"to"_s, dateJson(s.to) },
                    { u"has_data"_s, s.hasData }, { u"note"_s, optText(s.reason) }, { u"advocates"_s, s.advocates },
                    { u"by_tier"_s, countsJson(s.byTier) }, { u"by_status"_s, countsJson(s.byStatus) },
                    { u"total_points"_s, s.totalPoints }, { u"contributions"_s, s.contributions },
                    { u"contributions_by_kind"_s, countsJson(s.contributionsByKind) },
                    { u"points_in_period"_s, s.pointsInPeriod } } } };
    }
    if (action == u"list"_s) {
        Core::AdvocateQuery query;
        query.customerId = args.value(u"customer_id"_s).toString();
        if (args.contains(u"tier"_s))
            query.tier = Domain::enumFromString<Domain::AdvocateTier>(args.value(u"tier"_s).toString());
        if (args.contains(u"status"_s))
            query.status = Domain::enumFromString<Domain::AdvocateStatus>(args.value(u"status"_s).toString());
        query.limit = args.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
        query.cursor = args.value(u"cursor"_s).toString();
        auto page = service.listAdvocates(query);
        if (!page)
            return page.error();
        return pageOf(*page, advocateJson, action);
    }
    if (action == u"add"_s) {
        if (auto ok = require(args, { u"customer_id"_s }, action); !ok)
            return ok.error();
        Domain::Advocate a;
        a.customerId = args.value(u"customer_id"_s).toString();
        if (args.contains(u"contact_id"_s))
            a.contactId = args.value(u"contact_id"_s).toInteger();
        a.status = Domain::enumFromString<Domain::AdvocateStatus>(args.value(u"status"_s).toString(u"active"_s))
                       .value_or(Domain::AdvocateStatus::Active);
        a.joinedOn = call.services->clock().now().toUTC().date();
        a.notes = args.value(u"notes"_s).toString();
        auto added = service.addAdvocate(a);
        if (!added)
            return added.error();
        return advocateDetail(service, added->id, action);
    }
    if (action == u"remove_contribution"_s) {
        if (auto ok = require(args, { u"contribution_id"_s }, action); !ok)
            return ok.error();
        if (auto removed = service.removeContribution(args.value(u"contribution_id"_s).toInteger()); !removed)
            return removed.error();
        return QJsonObject { { u"action"_s, action },
            { u"removed_contribution_id"_s, args.value(u"contribution_id"_s) } };
    }
    if (auto ok = require(args, { u"advocate_id"_s }, action); !ok)
        return ok.error();
    const qint64 id = args.value(u"advocate_id"_s).toInteger();
    if (action == u"get"_s)
        return advocateDetail(service, id, action);
    if (action == u"record_contribution"_s) {
        if (auto ok = require(args, { u"kind"_s }, action); !ok)
            return ok.error();
        QDate on = ToolSupport::dateArgument(args, u"occurred_on"_s);
        if (!on.isValid())
            on = call.services->clock().now().toUTC().date();
        auto recorded = service.recordContribution(id,
            *Domain::enumFromString<Domain::ContributionKind>(args.value(u"kind"_s).toString()), on,
            args.value(u"description"_s).toString());
        if (!recorded)
            return recorded.error();
        return advocateDetail(service, id, action,
            { { u"contribution"_s, contributionJson(recorded->contribution) },
                { u"tier_changed"_s, recorded->tierChanged },
                { u"previous_tier"_s, Domain::enumName(recorded->previousTier) } });
    }
    // update
    if (auto ok = require(args, { u"version"_s }, action); !ok)
        return ok.error();
    auto stored = service.advocate(id);
    if (!stored)
        return stored.error();
    Domain::Advocate a = stored->advocate;
    a.meta.version = args.value(u"version"_s).toInt();
    if (args.contains(u"status"_s))
        a.status = *Domain::enumFromString<Domain::AdvocateStatus>(args.value(u"status"_s).toString());
    if (args.contains(u"contact_id"_s))
        a.contactId = args.value(u"contact_id"_s).toInteger();
    if (args.contains(u"notes"_s))
        a.notes = args.value(u"notes"_s).toString();
    auto updated = service.updateAdvocate(a);
    if (!updated)
        return updated.error();
    return advocateDetail(service, id, action);
}

// ---- executive reviews -------------------------------------------------------------------------------------------

QJsonObject reviewJson(const Domain::ExecutiveReview &r, bool withBrief)
{
    QJsonObject json {
        { u"review_id"_s, r.id },
        { u"customer_id"_s, r.customerId },
        { u"title"_s, r.title },
        { u"scheduled_for"_s, dateTimeJson(r.scheduledFor) },
        { u"status"_s, Domain::enumName(r.status) },
        { u"owner"_s, optText(r.owner) },
        { u"attendees"_s, QJsonArray::fromStringList(r.attendees) },
        { u"agenda"_s, QJsonArray::fromStringList(r.agenda) },
        { u"prepared_at"_s, dateTimeJson(r.preparedAt) },
        { u"outcomes"_s, optText(r.outcomes) },
        { u"next_steps"_s, QJsonArray::fromVariantList(r.nextSteps) },
        { u"completed_at"_s, dateTimeJson(r.completedAt) },
    };
    if (withBrief)
        json.insert(u"prepared_brief"_s,
            r.preparedBrief.isEmpty() ? QJsonValue(QJsonValue::Null)
                                      : QJsonValue(QJsonObject::fromVariantMap(r.preparedBrief)));
    return json;
}

ToolResult conductExecutiveReview(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QString action = args.value(u"action"_s).toString();
    Core::CommunicationService &service = call.services->communication();
    if (action == u"list"_s) {
        Core::ExecutiveReviewQuery query;
        query.customerId = args.value(u"customer_id"_s).toString();
        if (args.contains(u"status"_s))
            query.status = Domain::enumFromString<Domain::ExecutiveReviewStatus>(args.value(u"status"_s).toString());
        query.upcomingOnly = args.value(u"upcoming_only"_s).toBool(false);
        query.limit = args.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
        query.cursor = args.value(u"cursor"_s).toString();
        auto page = service.listReviews(query);
        if (!page)
            return page.error();
        return pageOf(
            *page, [](const Domain::ExecutiveReview &r) { return reviewJson(r, false); }, action);
    }
    if (action == u"brief"_s) {
        if (auto ok = require(args, { u"customer_id"_s }, action); !ok)
            return ok.error();
        auto brief = service.brief(args.value(u"customer_id"_s).toString());
        if (!brief)
            return brief.error();
        return QJsonObject { { u"action"_s, action }, { u"brief"_s, QJsonObject::fromVariantMap(brief->toMap()) } };
    }
    if (action == u"schedule"_s) {
        if (auto ok = require(args, { u"customer_id"_s, u"title"_s, u"scheduled_for"_s }, action); !ok)
            return ok.error();
        Domain::ExecutiveReview r;
        r.customerId = args.value(u"customer_id"_s).toString();
        r.title = args.value(u"title"_s).toString();
        r.scheduledFor = dateTimeArgument(args, u"scheduled_for"_s);
        r.owner = args.value(u"owner"_s).toString();
        r.attendees = stringList(args.value(u"attendees"_s));
        r.agenda = stringList(args.value(u"agenda"_s));
        auto scheduled = service.scheduleReview(r);
        if (!scheduled)
            return scheduled.error();
        return QJsonObject { { u"action"_s, action }, { u"review"_s, reviewJson(*scheduled, true) } };
    }
    if (auto ok = require(args, { u"review_id"_s }, action); !ok)
        return ok.error();
    const qint64 id = args.value(u"review_id"_s).toInteger();
    Core::Result<Domain::ExecutiveReview> review = Core::Error::storage({});
    if (action == u"get"_s) {
        review = service.review(id);
    } else if (action == u"prepare"_s) {
        auto prepared = service.prepareReview(id);
        if (!prepared)
            return prepared.error();
        review = prepared->review;
    } else if (action == u"complete"_s) {
        if (auto ok = require(args, { u"outcomes"_s }, action); !ok)
            return ok.error();
        review = service.completeReview(
            id, args.value(u"outcomes"_s).toString(), args.value(u"next_steps"_s).toArray().toVariantList());
    } else {
        review = service.cancelReview(id);
    }
    if (!review)
        return review.error();
    return QJsonObject { { u"action"_s, action }, { u"review"_s, reviewJson(*review, true) } };
}

// ---- newsletters ---------------------------------------------------------------------------------------------------

QJsonObject newsletterJson(const Domain::Newsletter &n)
{
    return QJsonObject {
        { u"newsletter_id"_s, n.id },
        { u"name"_s, n.name },
        { u"description"_s, n.description },
        { u"audience"_s, QJsonObject::fromVariantMap(n.audience) },
        { u"schedule"_s, QJsonObject::fromVariantMap(n.schedule) },
        { u"template_id"_s, optId(n.templateId) },
        { u"active"_s, n.isActive },
        { u"version"_s, n.meta.version },
    };
}

QJsonObject editionJson(const Domain::NewsletterEdition &e)
{
    return QJsonObject {
        { u"edition_id"_s, e.id },
        { u"newsletter_id"_s, e.newsletterId },
        { u"title"_s, e.title },
        { u"sections"_s, QJsonArray::fromVariantList(e.sections) },
        { u"status"_s, Domain::enumName(e.status) },
        { u"scheduled_for"_s, dateTimeJson(e.scheduledFor) },
        { u"sent_at"_s, dateTimeJson(e.sentAt) },
        { u"recipient_count"_s, e.recipientCount },
        { u"version"_s, e.meta.version },
    };
}

ToolResult automateNewsletters(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QString action = args.value(u"action"_s).toString();
    Core::CommunicationService &service = call.services->communication();
    const int limit = args.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
    const QString cursor = args.value(u"cursor"_s).toString();
    if (action == u"list"_s) {
        auto page = service.listNewsletters(limit, cursor);
        if (!page)
            return page.error();
        return pageOf(*page, newsletterJson, action);
    }
    if (action == u"create"_s) {
        if (auto ok = require(args, { u"name"_s }, action); !ok)
            return ok.error();
        Domain::Newsletter n;
        n.name = args.value(u"name"_s).toString();
        n.description = args.value(u"description"_s).toString();
        n.audience = args.value(u"audience"_s).toObject().toVariantMap();
        n.schedule = args.value(u"schedule"_s).toObject().toVariantMap();
        if (n.schedule.isEmpty())
            n.schedule.insert(u"cadence"_s, u"none"_s);
        if (args.contains(u"template_id"_s))
            n.templateId = args.value(u"template_id"_s).toInteger();
        auto created = service.createNewsletter(n);
        if (!created)
            return created.error();
        return QJsonObject { { u"action"_s, action }, { u"newsletter"_s, newsletterJson(*created) } };
    }
    if (action == u"list_editions"_s || action == u"audience"_s || action == u"create_edition"_s) {
        if (auto ok = require(args, { u"newsletter_id"_s }, action); !ok)
            return ok.error();
        const qint64 newsletterId = args.value(u"newsletter_id"_s).toInteger();
        if (action == u"list_editions"_s) {
            auto page = service.listEditions(newsletterId, limit, cursor);
            if (!page)
                return page.error();
            return pageOf(*page, editionJson, action);
        }
        if (action == u"audience"_s) {
            auto audience = service.audience(newsletterId);
            if (!audience)
                return audience.error();
            return QJsonObject { { u"action"_s, action },
                { u"audience"_s,
                    QJsonObject { { u"newsletter_id"_s, audience->newsletterId },
                        { u"customers"_s, audience->customers }, { u"recipients"_s, audience->recipients },
                        { u"contacts_without_email"_s, audience->contactsWithoutEmail },
                        { u"criteria"_s, QJsonArray::fromStringList(audience->description) } } } };
        }
        if (auto ok = require(args, { u"title"_s, u"sections"_s }, action); !ok)
            return ok.error();
        Domain::NewsletterEdition e;
        e.newsletterId = newsletterId;
        e.title = args.value(u"title"_s).toString();
        e.sections = args.value(u"sections"_s).toArray().toVariantList();
        auto created = service.createEdition(e);
        if (!created)
            return created.error();
        return QJsonObject { { u"action"_s, action }, { u"edition"_s, editionJson(*created) } };
    }
    if (auto ok = require(args, { u"edition_id"_s }, action); !ok)
        return ok.error();
    const qint64 editionId = args.value(u"edition_id"_s).toInteger();
    if (action == u"schedule_edition"_s) {
        if (auto ok = require(args, { u"scheduled_for"_s }, action); !ok)
            return ok.error();
        auto scheduled = service.scheduleEdition(editionId, dateTimeArgument(args, u"scheduled_for"_s));
        if (!scheduled)
            return scheduled.error();
        return QJsonObject { { u"action"_s, action }, { u"edition"_s, editionJson(*scheduled) } };
    }
    if (action == u"send_edition"_s) {
        auto sent = service.sendEdition(editionId);
        if (!sent)
            return sent.error();
        return QJsonObject { { u"action"_s, action }, { u"edition"_s, editionJson(sent->edition) },
            { u"queued"_s, sent->queued }, { u"already_queued"_s, sent->alreadyQueued }, { u"failed"_s, sent->failed },
            { u"errors"_s, QJsonArray::fromStringList(sent->errors) },
            { u"note"_s, u"queued in the outbox; the SendGrid adapter delivers it in the background"_s } };
    }
    auto edition = service.edition(editionId);
    if (!edition)
        return edition.error();
    return QJsonObject { { u"action"_s, action }, { u"edition"_s, editionJson(*edition) } };
}

Tool makeTool(QString name, QString title, QString description, QJsonObject input, QJsonObject output,
    ToolAnnotations annotations, bool writes, bool longRunning, ToolHandler handler)
{
    return ToolSupport::makeTool(kToolset, std::move(name), std::move(title), std::move(description), std::move(input),
        std::move(output), annotations, writes, longRunning, std::move(handler));
}

} // namespace

void registerCommunicationTools(ToolRegistry &registry)
{
    const auto add = [&registry](Tool tool) { ToolSupport::addTool(registry, std::move(tool)); };
    const ToolAnnotations writes { false, false, false, false };
    QStringList roles = Domain::enumValues<Domain::ContactRole>();
    roles.removeAll(QString());
    roles.removeAll(u"none"_s);

    add(makeTool(u"send_personalized_email"_s, u"Send a personalised e-mail"_s,
        u"Queues a personalised e-mail to real contacts of a customer (by contact ids, by role, else the primary "
        u"contact) from a template or subject + body with {{placeholders}} such as {{contact.first_name}} and "
        u"{{customer.renewal_date}}; the outbox delivers it through SendGrid. Also lists templates, creates one, or "
        u"lists what was sent to a customer."_s,
        object(withPaging({
            { u"action"_s,
                enumOf({}, { u"send"_s, u"list_templates"_s, u"create_template"_s, u"list_sent"_s }, u"send"_s) },
            { u"customer_id"_s, customerId() },
            { u"contact_ids"_s,
                arrayOf(integer({}, 1), u"Recipients (live contacts of the customer with an e-mail address)."_s,
                    Core::CommunicationService::kMaxRecipientsPerEmail) },
            { u"recipient_role"_s, enumOf(u"The first contact with this role."_s, roles) },
            { u"template_id"_s, integer({}, 1) },
            { u"name"_s, string(u"create_template: the template's name."_s, 1, 200) },
            { u"subject"_s, string({}, 1, 500) },
            { u"body"_s, string({}, 1, 100000) },
            { u"body_format"_s, enumOf({}, Domain::enumValues<Domain::EmailBodyFormat>(), u"text"_s) },
            { u"variables"_s, anyObject(u"Your own placeholders: {\"offer\": \"20 % off\"}."_s) },
            { u"template_variables"_s, arrayOf(string({}, 1, 64), u"create_template: placeholders it uses."_s, 50) },
            { u"sender"_s, string(u"Who sends (default the customer's CSM)."_s, 1, 200) },
            { u"request_key"_s,
                string(u"Idempotency key: a repeat with the same key queues nothing twice."_s, 1, 100) },
        })),
        actionOutput({ { u"queued"_s, integer({}, 0) }, { u"already_queued"_s, integer({}, 0) },
            { u"messages"_s, arrayOf(anyObject({})) }, { u"template"_s, anyObject({}) } }),
        { false, false, false, true }, true, false, sendPersonalizedEmail));

    add(makeTool(u"automate_communications"_s, u"Communication workflows"_s,
        u"Creates, lists, reads, updates, enables, disables, removes and runs trigger → action workflows: a signal "
        u"(health_drop, usage_decline, detractor, renewal_risk, overdue_milestone) with thresholds and a cooldown, "
        u"and 1-10 actions (send_email, send_message, create_task, add_note)."_s,
        object(withPaging({
                   { u"action"_s,
                       enumOf({},
                           { u"create"_s, u"list"_s, u"get"_s, u"update"_s, u"enable"_s, u"disable"_s, u"remove"_s,
                               u"run"_s }) },
                   { u"workflow_id"_s, integer({}, 1) },
                   { u"name"_s, string({}, 1, 200) },
                   { u"description"_s, string({}, 0, 2000) },
                   { u"trigger"_s, anyObject(u"{\"signal\": \"health_drop\", …thresholds, \"cooldown_days\": 30}"_s) },
                   { u"actions"_s,
                       arrayOf(anyObject(u"{\"type\": \"send_email\", \"template_id\": 3, …}"_s), {},
                           Core::CommunicationService::kMaxActions) },
                   { u"active"_s, boolean({}) },
                   { u"version"_s, integer({}, 0) },
               }),
            { u"action"_s }),
        actionOutput({ { u"workflow"_s, anyObject({}) }, { u"removed_workflow_id"_s, integer({}) } }), writes, true,
        false, automateCommunications));

    add(makeTool(u"manage_community"_s, u"Community"_s,
        u"Manages the customer community: adds and updates members, creates posts (questions, ideas, discussions), "
        u"lists members and posts, and reports activity (posts, answer rate, top contributors) for a period."_s,
        object(withPaging({
                   { u"action"_s,
                       enumOf({},
                           { u"stats"_s, u"list_members"_s, u"list_posts"_s, u"add_member"_s, u"update_member"_s,
                               u"create_post"_s }) },
                   { u"customer_id"_s, customerId() },
                   { u"contact_id"_s, integer({}, 1) },
                   { u"member_id"_s, integer({}, 1) },
                   { u"handle"_s, string({}, 1, 100) },
                   { u"member_status"_s, enumOf({}, Domain::enumValues<Domain::CommunityMemberStatus>()) },
                   { u"title"_s, string({}, 1, 300) },
                   { u"body"_s, string({}, 0, 50000) },
                   { u"kind"_s, enumOf({}, Domain::enumValues<Domain::CommunityPostKind>()) },
                   { u"post_status"_s, enumOf({}, Domain::enumValues<Domain::CommunityPostStatus>()) },
                   { u"from"_s, date(u"stats: first day (default 90 days ago)."_s) },
                   { u"to"_s, date({}) },
                   { u"version"_s, integer({}, 0) },
               }),
            { u"action"_s }),
        actionOutput({ { u"stats"_s, anyObject({}) }, { u"member"_s, anyObject({}) }, { u"post"_s, anyObject({}) } }),
        writes, true, false, manageCommunity));

    add(makeTool(u"manage_advocacy_program"_s, u"Advocacy programme"_s,
        u"Runs the advocacy programme: adds advocates, records contributions (reference_call 50, case_study 100, "
        u"review 30, referral 75, speaking 80, community 10 points), whose sum sets the tier (silver ≥ 100, gold ≥ "
        u"250, platinum ≥ 500); lists advocates and summarises the programme."_s,
        object(withPaging({
                   { u"action"_s,
                       enumOf({},
                           { u"summary"_s, u"list"_s, u"get"_s, u"add"_s, u"update"_s, u"record_contribution"_s,
                               u"remove_contribution"_s }) },
                   { u"advocate_id"_s, integer({}, 1) },
                   { u"customer_id"_s, customerId() },
                   { u"contact_id"_s, integer({}, 1) },
                   { u"tier"_s, enumOf({}, Domain::enumValues<Domain::AdvocateTier>()) },
                   { u"status"_s, enumOf({}, Domain::enumValues<Domain::AdvocateStatus>()) },
                   { u"notes"_s, string({}, 0, 5000) },
                   { u"kind"_s, enumOf({}, Domain::enumValues<Domain::ContributionKind>()) },
                   { u"occurred_on"_s, date({}) },
                   { u"description"_s, string({}, 0, 2000) },
                   { u"contribution_id"_s, integer({}, 1) },
                   { u"from"_s, date({}) },
                   { u"to"_s, date({}) },
                   { u"version"_s, integer({}, 0) },
               }),
            { u"action"_s }),
        actionOutput({ { u"summary"_s, anyObject({}) }, { u"advocate"_s, anyObject({}) },
            { u"contribution"_s, anyObject({}) }, { u"tier_changed"_s, boolean({}) } }),
        writes, true, false, manageAdvocacyProgram));

    add(makeTool(u"conduct_executive_review"_s, u"Executive business review"_s,
        u"Schedules an executive review, prepares it from stored data (health, usage, support, NPS, renewal, "
        u"expansion, churn risk — each saying when there is no data), completes it with outcomes and next steps, "
        u"cancels it, or lists reviews; brief shows the data as of now without storing it."_s,
        object(
            withPaging({
                { u"action"_s,
                    enumOf({},
                        { u"schedule"_s, u"prepare"_s, u"complete"_s, u"cancel"_s, u"get"_s, u"list"_s, u"brief"_s }) },
                { u"review_id"_s, integer({}, 1) },
                { u"customer_id"_s, customerId() },
                { u"title"_s, string({}, 1, 300) },
                { u"scheduled_for"_s, dateTime({}) },
                { u"owner"_s, string({}, 1, 200) },
                { u"attendees"_s, arrayOf(string({}, 1, 254), {}, 50) },
                { u"agenda"_s, arrayOf(string({}, 1, 500), {}, 50) },
                { u"outcomes"_s, string({}, 1, 20000) },
                { u"next_steps"_s, arrayOf(anyObject(u"{\"action\", \"owner\", \"due\"}"_s), {}, 50) },
                { u"status"_s, enumOf({}, Domain::enumValues<Domain::ExecutiveReviewStatus>()) },
                { u"upcoming_only"_s, boolean({}, false) },
            }),
            { u"action"_s }),
        actionOutput({ { u"review"_s, anyObject({}) }, { u"brief"_s, anyObject({}) } }), writes, true, false,
        conductExecutiveReview));

    add(makeTool(u"automate_newsletters"_s, u"Newsletters"_s,
        u"Creates newsletters (audience: everyone, a saved segment or criteria, optionally contact roles; schedule "
        u"cadence), shows the audience, writes editions with sections, schedules them and sends them through the "
        u"outbox (one personalised e-mail per recipient, never twice)."_s,
        object(withPaging({
                   { u"action"_s,
                       enumOf({},
                           { u"create"_s, u"list"_s, u"audience"_s, u"create_edition"_s, u"list_editions"_s,
                               u"get_edition"_s, u"schedule_edition"_s, u"send_edition"_s }) },
                   { u"newsletter_id"_s, integer({}, 1) },
                   { u"edition_id"_s, integer({}, 1) },
                   { u"name"_s, string({}, 1, 200) },
                   { u"description"_s, string({}, 0, 2000) },
                   { u"audience"_s,
                       anyObject(u"{} | {\"segment_id\": N} | {\"criteria\": {…}}, plus \"contact_roles\"."_s) },
                   { u"schedule"_s, anyObject(u"{\"cadence\": \"monthly\", \"day\": 1}"_s) },
                   { u"template_id"_s, integer({}, 1) },
                   { u"title"_s, string({}, 1, 300) },
                   { u"sections"_s,
                       arrayOf(anyObject(u"{\"heading\", \"body\"}"_s), {}, Core::CommunicationService::kMaxSections) },
                   { u"scheduled_for"_s, dateTime({}) },
               }),
            { u"action"_s }),
        actionOutput({ { u"newsletter"_s, anyObject({}) }, { u"edition"_s, anyObject({}) },
            { u"audience"_s, anyObject({}) }, { u"queued"_s, integer({}, 0) } }),
        { false, false, false, true }, true, false, automateNewsletters));
}

} // namespace Mcp
