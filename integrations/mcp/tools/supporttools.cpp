// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The support toolset (TOOLS.md "support"): tickets with their SLA clocks, routing rules, the knowledge base, per-
// customer portal settings and support analytics, all through SupportService.
#include <algorithm>

#include <QLocale>

#include "services.h"
#include "supportservice.h"
#include "toolregistry.h"
#include "toolsupport.h"

using namespace Qt::StringLiterals;

namespace Mcp {

namespace {

using namespace Schema;
using ToolSupport::dateJson;
using ToolSupport::dateTimeJson;
using ToolSupport::rounded;

const QString kToolset = u"support"_s;

QJsonValue optNumber(const std::optional<double> &value, int decimals = 4)
{
    return value ? QJsonValue(rounded(*value, decimals)) : QJsonValue(QJsonValue::Null);
}

QJsonValue optText(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

QString actorOf(const ToolCall &call)
{
    return call.clientName.isEmpty() ? u"agent"_s : u"agent:"_s + call.clientName;
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

// ---- tickets ---------------------------------------------------------------------------------------------------

QJsonObject clockJson(const Core::SlaClock &c)
{
    return QJsonObject {
        { u"state"_s, Domain::enumName(c.state) },
        { u"due_at"_s, dateTimeJson(c.dueAt) },
        { u"done_at"_s, dateTimeJson(c.doneAt) },
        { u"elapsed_ratio"_s, optNumber(c.elapsedRatio, 3) },
        { u"minutes_left"_s, c.minutesLeft ? QJsonValue(*c.minutesLeft) : QJsonValue(QJsonValue::Null) },
        { u"target_minutes"_s, c.targetMinutes ? QJsonValue(*c.targetMinutes) : QJsonValue(QJsonValue::Null) },
        { u"elapsed_minutes"_s, c.elapsedMinutes },
        { u"paused_minutes"_s, c.pausedMinutes },
        { u"business_hours"_s, c.businessHours },
    };
}

QJsonObject clockSchema()
{
    return openObject(
        {
            { u"state"_s,
                enumOf(u"paused: resolution only, while the ticket is pending or on hold (cannot breach)."_s,
                    Domain::enumValues<Core::SlaState>()) },
            { u"due_at"_s, nullable(dateTime(u"null without a target, or while paused."_s)) },
            { u"done_at"_s, nullable(dateTime({})) },
            { u"elapsed_ratio"_s, nullable(number({})) },
            { u"minutes_left"_s, nullable(integer(u"Working minutes left; 0 or less once overdue."_s)) },
            { u"target_minutes"_s, nullable(integer({}, 0)) },
            { u"elapsed_minutes"_s, integer(u"Working minutes, paused time excluded."_s) },
            { u"paused_minutes"_s, integer({}, 0) },
            { u"business_hours"_s, boolean(u"Counted on the support schedule's business hours."_s) },
        },
        { u"state"_s });
}

QJsonObject ticketJson(const Domain::SupportTicket &t)
{
    return QJsonObject {
        { u"ticket_id"_s, t.id },
        { u"customer_id"_s, t.customerId },
        { u"external_id"_s, optText(t.externalId) },
        { u"subject"_s, t.subject },
        { u"priority"_s, Domain::enumName(t.priority) },
        { u"status"_s, Domain::enumName(t.status) },
        { u"channel"_s, optText(t.channel) },
        { u"assignee"_s, optText(t.assignee) },
        { u"assigned_team"_s, optText(t.assignedTeam) },
        { u"category"_s, optText(t.category) },
        { u"tags"_s, QJsonArray::fromStringList(t.tags) },
        { u"opened_at"_s, dateTimeJson(t.openedAt) },
        { u"first_response_at"_s, dateTimeJson(t.firstResponseAt) },
        { u"resolved_at"_s, dateTimeJson(t.resolvedAt) },
        { u"closed_at"_s, dateTimeJson(t.closedAt) },
        { u"first_response_due_at"_s, dateTimeJson(t.firstResponseDueAt) },
        { u"resolution_due_at"_s, dateTimeJson(t.resolutionDueAt) },
        { u"csat"_s, t.csat ? QJsonValue(*t.csat) : QJsonValue(QJsonValue::Null) },
        { u"escalated"_s, t.escalated },
        { u"version"_s, t.meta.version },
    };
}

QJsonObject ticketSchema()
{
    return openObject(
        {
            { u"ticket_id"_s, integer({}) },
            { u"customer_id"_s, string({}) },
            { u"subject"_s, string({}) },
            { u"priority"_s, enumOf({}, Domain::enumValues<Domain::TicketPriority>()) },
            { u"status"_s, enumOf({}, Domain::enumValues<Domain::TicketStatus>()) },
            { u"tags"_s, arrayOf(string({})) },
            { u"opened_at"_s, dateTime({}) },
            { u"csat"_s, nullable(integer({}, 1, 5)) },
            { u"escalated"_s, boolean({}) },
            { u"version"_s, integer({}, 0) },
            { u"sla"_s, openObject({ { u"first_response"_s, clockSchema() }, { u"resolution"_s, clockSchema() } }) },
        },
        { u"ticket_id"_s, u"customer_id"_s, u"subject"_s, u"priority"_s, u"status"_s, u"version"_s });
}

QJsonObject escalationJson(const Domain::Escalation &e)
{
    return QJsonObject {
        { u"escalation_id"_s, e.id },
        { u"severity"_s, Domain::enumName(e.severity) },
        { u"status"_s, Domain::enumName(e.status) },
        { u"reason"_s, e.reason },
        { u"owner"_s, optText(e.owner) },
        { u"opened_at"_s, dateTimeJson(e.openedAt) },
    };
}

ToolResult ticketDetail(Core::SupportService &support, qint64 id, const QString &action, QJsonObject extra = {})
{
    auto detail = support.ticket(id);
    if (!detail)
        return detail.error();
    QJsonObject ticket = ticketJson(detail->ticket);
    ticket.insert(u"description"_s, detail->ticket.description);
    ticket.insert(u"csat_comment"_s, optText(detail->ticket.csatComment));
    ticket.insert(u"sla"_s,
        QJsonObject { { u"first_response"_s, clockJson(detail->sla.firstResponse) },
            { u"resolution"_s, clockJson(detail->sla.resolution) } });
    QJsonArray comments;
    // The latest 20 comments: enough to act on, bounded.
    const qsizetype first = std::max<qsizetype>(0, detail->comments.size() - 20);
    for (qsizetype i = first; i < detail->comments.size(); ++i) {
        const Domain::TicketComment &c = detail->comments.at(i);
        comments.append(QJsonObject { { u"comment_id"_s, c.id }, { u"author"_s, c.author }, { u"public"_s, c.isPublic },
            { u"body"_s, c.body }, { u"commented_at"_s, dateTimeJson(c.commentedAt) } });
    }
    ticket.insert(u"comments"_s, comments);
    ticket.insert(u"comment_count"_s, detail->commentCount);
    QJsonArray escalations;
    for (const Domain::Escalation &e : std::as_const(detail->escalations))
        escalations.append(escalationJson(e));
    ticket.insert(u"escalations"_s, escalations);
    QJsonObject result { { u"action"_s, action }, { u"ticket"_s, ticket } };
    for (auto it = extra.constBegin(); it != extra.constEnd(); ++it)
        result.insert(it.key(), it.value());
    return result;
}

ToolResult handleSupportTicket(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QString action = args.value(u"action"_s).toString();
    Core::SupportService &support = call.services->support();
    const QString actor = actorOf(call);
    const qint64 ticketId = args.value(u"ticket_id"_s).toInteger();
    const int version = args.value(u"version"_s).toInt(0);

    if (action == u"list"_s) {
        Storage::ListQuery query = ToolSupport::pageQuery(args);
        query.orderBy = u"opened_at"_s;
        query.descending = true;
        if (args.contains(u"customer_id"_s))
            query.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq,
                args.value(u"customer_id"_s).toString() };
        if (args.contains(u"status"_s))
            query.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq,
                args.value(u"status"_s).toString() };
        if (args.contains(u"priority"_s))
            query.filters << Storage::Filter { u"priority"_s, Storage::Filter::Op::Eq,
                args.value(u"priority"_s).toString() };
        auto page = support.listTickets(query);
        if (!page)
            return page.error();
        QJsonArray items;
        for (const Domain::SupportTicket &t : std::as_const(page->items))
            items.append(ticketJson(t));
        QJsonObject result = ToolSupport::pageJson(items, page->total, page->nextCursor);
        result.insert(u"action"_s, action);
        return result;
    }

    if (action == u"create"_s) {
        if (auto ok = require(args, { u"customer_id"_s, u"subject"_s }, action); !ok)
            return ok.error();
        Core::NewTicket ticket;
        ticket.customerId = args.value(u"customer_id"_s).toString();
        ticket.subject = args.value(u"subject"_s).toString();
        ticket.description = args.value(u"description"_s).toString();
        if (args.contains(u"priority"_s))
            ticket.priority = Domain::enumFromString<Domain::TicketPriority>(args.value(u"priority"_s).toString());
        ticket.channel = args.value(u"channel"_s).toString(u"api"_s);
        if (args.contains(u"requester_contact_id"_s))
            ticket.requesterContactId = args.value(u"requester_contact_id"_s).toInteger();
        ticket.category = args.value(u"category"_s).toString();
        ticket.tags = stringList(args.value(u"tags"_s));
        ticket.assignee = args.value(u"assignee"_s).toString();
        ticket.assignedTeam = args.value(u"assigned_team"_s).toString();
        ticket.actor = actor;
        auto created = support.createTicket(ticket);
        if (!created)
            return created.error();
        return ticketDetail(support, created->ticket.id, action,
            { { u"routed_by_rule"_s,
                  created->routing.matched ? QJsonValue(created->routing.ruleName) : QJsonValue(QJsonValue::Null) },
                { u"mirrored_to_zendesk"_s, created->mirroredToZendesk },
                { u"sla_note"_s, optText(created->slaNote) } });
    }

    if (!args.contains(u"ticket_id"_s))
        return Core::Error::invalid(u"ticket_id"_s, u"required when action is "_s + action);

    if (action == u"get"_s)
        return ticketDetail(support, ticketId, action);

    if (action == u"update"_s) {
        Core::TicketChanges changes;
        if (args.contains(u"subject"_s))
            changes.subject = args.value(u"subject"_s).toString();
        if (args.contains(u"description"_s))
            changes.description = args.value(u"description"_s).toString();
        if (args.contains(u"priority"_s))
            changes.priority = Domain::enumFromString<Domain::TicketPriority>(args.value(u"priority"_s).toString());
        if (args.contains(u"status"_s))
            changes.status = Domain::enumFromString<Domain::TicketStatus>(args.value(u"status"_s).toString());
        if (args.contains(u"assignee"_s))
            changes.assignee = args.value(u"assignee"_s).toString();
        if (args.contains(u"assigned_team"_s))
            changes.assignedTeam = args.value(u"assigned_team"_s).toString();
        if (args.contains(u"category"_s))
            changes.category = args.value(u"category"_s).toString();
        if (args.contains(u"tags"_s))
            changes.tags = stringList(args.value(u"tags"_s));
        auto updated = support.updateTicket(ticketId, changes, actor, version);
        if (!updated)
            return updated.error();
    } else if (action == u"resolve"_s) {
        auto resolved = support.resolveTicket(ticketId, args.value(u"note"_s).toString(), actor, version);
        if (!resolved)
            return resolved.error();
    } else if (action == u"close"_s) {
        auto closed = support.closeTicket(ticketId, actor, version);
        if (!closed)
            return closed.error();
    } else if (action == u"reopen"_s) {
        auto reopened = support.reopenTicket(ticketId, args.value(u"note"_s).toString(), actor, version);
        if (!reopened)
            return reopened.error();
    } else if (action == u"escalate"_s) {
        if (auto ok = require(args, { u"reason"_s }, action); !ok)
            return ok.error();
        const auto severity
            = Domain::enumFromString<Domain::EscalationSeverity>(args.value(u"severity"_s).toString(u"medium"_s))
                  .value_or(Domain::EscalationSeverity::Medium);
        auto escalated = support.escalateTicket(
            ticketId, args.value(u"reason"_s).toString(), severity, args.value(u"owner"_s).toString(), actor);
        if (!escalated)
            return escalated.error();
    } else if (action == u"comment"_s) {
        if (auto ok = require(args, { u"body"_s }, action); !ok)
            return ok.error();
        Core::NewComment comment;
        comment.body = args.value(u"body"_s).toString();
        comment.author = actor;
        comment.isPublic = args.value(u"public"_s).toBool(true);
        auto added = support.addComment(ticketId, comment);
        if (!added)
            return added.error();
    } else if (action == u"rate"_s) {
        if (auto ok = require(args, { u"csat"_s }, action); !ok)
            return ok.error();
        auto rated = support.rateTicket(ticketId, args.value(u"csat"_s).toInt(), args.value(u"note"_s).toString());
        if (!rated)
            return rated.error();
    }
    return ticketDetail(support, ticketId, action);
}

// ---- routing -----------------------------------------------------------------------------------------------------

QJsonObject decisionJson(const Core::RoutingDecision &d)
{
    return QJsonObject {
        { u"matched"_s, d.matched },
        { u"rule_id"_s, d.matched ? QJsonValue(d.ruleId) : QJsonValue(QJsonValue::Null) },
        { u"rule_name"_s, optText(d.ruleName) },
        { u"assignee"_s, optText(d.assignee) },
        { u"team"_s, optText(d.team) },
        { u"priority"_s, d.priority ? QJsonValue(Domain::enumName(*d.priority)) : QJsonValue(QJsonValue::Null) },
    };
}

QJsonObject ruleJson(const Domain::RoutingRule &r)
{
    return QJsonObject {
        { u"rule_id"_s, r.id },
        { u"name"_s, r.name },
        { u"position"_s, r.position },
        { u"conditions"_s, QJsonObject::fromVariantMap(r.conditions) },
        { u"target_team"_s, optText(r.targetTeam) },
        { u"target_assignee"_s, optText(r.targetAssignee) },
        { u"set_priority"_s,
            r.setPriority ? QJsonValue(Domain::enumName(*r.setPriority)) : QJsonValue(QJsonValue::Null) },
        { u"active"_s, r.isActive },
        { u"version"_s, r.meta.version },
    };
}

ToolResult routeTickets(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QString action = args.value(u"action"_s).toString();
    Core::SupportService &support = call.services->support();
    QJsonObject result { { u"action"_s, action } };
    if (action == u"route"_s) {
        const bool apply = args.value(u"apply"_s).toBool(true);
        if (args.contains(u"ticket_id"_s)) {
            auto decision = support.routeTicket(args.value(u"ticket_id"_s).toInteger(), apply);
            if (!decision)
                return decision.error();
            result.insert(u"examined"_s, 1);
            result.insert(u"routed"_s, decision->matched ? 1 : 0);
            result.insert(u"unmatched"_s, decision->matched ? 0 : 1);
            result.insert(u"decisions"_s,
                QJsonArray { QJsonObject {
                    { u"ticket_id"_s, args.value(u"ticket_id"_s) }, { u"decision"_s, decisionJson(*decision) } } });
            return result;
        }
        if (!apply)
            return Core::Error::invalid(u"apply"_s, u"a dry run needs ticket_id"_s);
        auto batch = support.routeUnassignedTickets(args.value(u"limit"_s).toInt(100));
        if (!batch)
            return batch.error();
        QJsonArray decisions;
        for (const auto &[id, decision] : std::as_const(batch->decisions))
            decisions.append(QJsonObject { { u"ticket_id"_s, id }, { u"decision"_s, decisionJson(decision) } });
        result.insert(u"examined"_s, batch->examined);
        result.insert(u"routed"_s, batch->routed);
        result.insert(u"unmatched"_s, batch->unmatched);
        result.insert(u"decisions"_s, decisions);
        if (batch->examined == 0)
            result.insert(u"note"_s, u"no open ticket without assignee and team"_s);
        return result;
    }
    if (action == u"create_rule"_s) {
        if (auto ok = require(args, { u"name"_s }, action); !ok)
            return ok.error();
        Domain::RoutingRule rule;
        rule.name = args.value(u"name"_s).toString();
        rule.position = args.value(u"position"_s).toInt(0);
        rule.conditions = args.value(u"conditions"_s).toObject().toVariantMap();
        rule.targetTeam = args.value(u"target_team"_s).toString();
        rule.targetAssignee = args.value(u"target_assignee"_s).toString();
        if (args.contains(u"set_priority"_s))
            rule.setPriority = Domain::enumFromString<Domain::TicketPriority>(args.value(u"set_priority"_s).toString());
        rule.isActive = args.value(u"active"_s).toBool(true);
        auto created = support.createRoutingRule(rule);
        if (!created)
            return created.error();
        result.insert(u"rule"_s, ruleJson(*created));
        return result;
    }
    if (action == u"remove_rule"_s) {
        if (auto ok = require(args, { u"rule_id"_s }, action); !ok)
            return ok.error();
        if (auto removed
            = support.removeRoutingRule(args.value(u"rule_id"_s).toInteger(), args.value(u"version"_s).toInt(0));
            !removed)
            return removed.error();
        result.insert(u"removed_rule_id"_s, args.value(u"rule_id"_s));
        return result;
    }
    // list_rules
    auto rules = support.routingRules(true);
    if (!rules)
        return rules.error();
    QJsonArray all;
    for (const Domain::RoutingRule &r : std::as_const(*rules))
        all.append(ruleJson(r));
    auto page = ToolSupport::pageOfArray(all, args);
    if (!page)
        return page.error();
    for (auto it = page->constBegin(); it != page->constEnd(); ++it)
        result.insert(it.key(), it.value());
    return result;
}

// ---- knowledge base ----------------------------------------------------------------------------------------------

QJsonObject articleJson(const Domain::KbArticle &a, bool withBody)
{
    QJsonObject json {
        { u"article_id"_s, a.id },
        { u"slug"_s, a.slug },
        { u"title"_s, a.title },
        { u"category"_s, optText(a.category) },
        { u"tags"_s, QJsonArray::fromStringList(a.tags) },
        { u"status"_s, Domain::enumName(a.status) },
        { u"author"_s, optText(a.author) },
        { u"views"_s, a.views },
        { u"helpful_votes"_s, a.helpfulVotes },
        { u"unhelpful_votes"_s, a.unhelpfulVotes },
        { u"published_at"_s, dateTimeJson(a.publishedAt) },
        { u"version"_s, a.meta.version },
    };
    if (withBody)
        json.insert(u"body"_s, a.body);
    return json;
}

QJsonObject articleSchema()
{
    return openObject(
        {
            { u"article_id"_s, integer({}) },
            { u"slug"_s, string({}) },
            { u"title"_s, string({}) },
            { u"status"_s, enumOf({}, Domain::enumValues<Domain::KbArticleStatus>()) },
            { u"tags"_s, arrayOf(string({})) },
            { u"views"_s, integer({}, 0) },
            { u"version"_s, integer({}, 0) },
            { u"body"_s, string({}) },
        },
        { u"article_id"_s, u"slug"_s, u"title"_s, u"status"_s, u"version"_s });
}

ToolResult manageKnowledgeBase(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QString action = args.value(u"action"_s).toString();
    Core::SupportService &support = call.services->support();
    if (action == u"get"_s) {
        if (!args.contains(u"article_id"_s) && !args.contains(u"slug"_s))
            return Core::Error::invalid(u"article_id"_s, u"article_id or slug is required when action is get"_s);
        auto article = args.contains(u"article_id"_s) ? support.article(args.value(u"article_id"_s).toInteger())
                                                      : support.articleBySlug(args.value(u"slug"_s).toString());
        if (!article)
            return article.error();
        return QJsonObject { { u"action"_s, action }, { u"article"_s, articleJson(*article, true) } };
    }
    QJsonObject result;
    if (action == u"search"_s) {
        if (auto ok = require(args, { u"query"_s }, action); !ok)
            return ok.error();
        // Ranked by relevance, so paged in memory over the best 200.
        auto found = support.searchArticles(args.value(u"query"_s).toString(), ToolSupport::kMaxLimit,
            args.value(u"include_unpublished"_s).toBool(false));
        if (!found)
            return found.error();
        QJsonArray all;
        for (const Domain::KbArticle &a : std::as_const(*found))
            all.append(articleJson(a, false));
        auto page = ToolSupport::pageOfArray(all, args);
        if (!page)
            return page.error();
        result = *page;
        if (all.isEmpty())
            result.insert(u"note"_s, u"no article matches"_s);
    } else {
        Storage::ListQuery query = ToolSupport::pageQuery(args);
        if (args.contains(u"status"_s))
            query.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq,
                args.value(u"status"_s).toString() };
        if (args.contains(u"category"_s))
            query.filters << Storage::Filter { u"category"_s, Storage::Filter::Op::Eq,
                args.value(u"category"_s).toString() };
        auto page = support.listArticles(query);
        if (!page)
            return page.error();
        QJsonArray items;
        for (const Domain::KbArticle &a : std::as_const(page->items))
            items.append(articleJson(a, false));
        result = ToolSupport::pageJson(items, page->total, page->nextCursor);
    }
    result.insert(u"action"_s, action);
    return result;
}

ToolResult updateKnowledgeBase(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QString action = args.value(u"action"_s).toString();
    Core::SupportService &support = call.services->support();
    if (action == u"create"_s) {
        if (auto ok = require(args, { u"slug"_s, u"title"_s, u"body"_s }, action); !ok)
            return ok.error();
        Domain::KbArticle article;
        article.slug = args.value(u"slug"_s).toString();
        article.title = args.value(u"title"_s).toString();
        article.body = args.value(u"body"_s).toString();
        article.tags = stringList(args.value(u"tags"_s));
        article.category = args.value(u"category"_s).toString();
        article.status = Domain::enumFromString<Domain::KbArticleStatus>(args.value(u"status"_s).toString(u"draft"_s))
                             .value_or(Domain::KbArticleStatus::Draft);
        article.author = args.value(u"author"_s).toString(actorOf(call));
        auto created = support.createArticle(article);
        if (!created)
            return created.error();
        return QJsonObject { { u"action"_s, action }, { u"article"_s, articleJson(*created, true) } };
    }
    if (auto ok = require(args, { u"article_id"_s }, action); !ok)
        return ok.error();
    const qint64 id = args.value(u"article_id"_s).toInteger();
    if (action == u"remove"_s) {
        if (auto removed = support.removeArticle(id, args.value(u"version"_s).toInt(0)); !removed)
            return removed.error();
        return QJsonObject { { u"action"_s, action }, { u"removed_article_id"_s, id } };
    }
    if (action == u"vote"_s) {
        if (auto ok = require(args, { u"helpful"_s }, action); !ok)
            return ok.error();
        if (auto voted = support.voteArticle(id, args.value(u"helpful"_s).toBool()); !voted)
            return voted.error();
    } else {
        // update, publish, archive: optimistic concurrency on the article's version.
        if (auto ok = require(args, { u"version"_s }, action); !ok)
            return ok.error();
        auto stored = support.article(id);
        if (!stored)
            return stored.error();
        Domain::KbArticle article = *stored;
        article.meta.version = args.value(u"version"_s).toInt();
        if (action == u"publish"_s)
            article.status = Domain::KbArticleStatus::Published;
        else if (action == u"archive"_s)
            article.status = Domain::KbArticleStatus::Archived;
        else {
            if (args.contains(u"slug"_s))
                article.slug = args.value(u"slug"_s).toString();
            if (args.contains(u"title"_s))
                article.title = args.value(u"title"_s).toString();
            if (args.contains(u"body"_s))
                article.body = args.value(u"body"_s).toString();
            if (args.contains(u"tags"_s))
                article.tags = stringList(args.value(u"tags"_s));
            if (args.contains(u"category"_s))
                article.category = args.value(u"category"_s).toString();
            if (args.contains(u"status"_s))
                article.status = *Domain::enumFromString<Domain::KbArticleStatus>(args.value(u"status"_s).toString());
        }
        auto updated = support.updateArticle(article);
        if (!updated)
            return updated.error();
    }
    auto article = support.article(id);
    if (!article)
        return article.error();
    return QJsonObject { { u"action"_s, action }, { u"article"_s, articleJson(*article, true) } };
}

// ---- customer portal ---------------------------------------------------------------------------------------------

QJsonObject portalJson(const Domain::CustomerPortalSettings &s)
{
    return QJsonObject {
        { u"configured"_s, true },
        { u"customer_id"_s, s.customerId },
        { u"enabled"_s, s.isEnabled },
        { u"features"_s, QJsonObject::fromVariantMap(s.features) },
        { u"branding"_s, QJsonObject::fromVariantMap(s.branding) },
        { u"version"_s, s.meta.version },
    };
}

ToolResult manageCustomerPortal(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QString action = args.value(u"action"_s).toString();
    const QString customer = args.value(u"customer_id"_s).toString();
    Core::SupportService &support = call.services->support();
    auto stored = support.portalSettings(customer);
    if (!stored)
        return stored.error();
    if (action == u"get"_s) {
        if (!*stored)
            return QJsonObject { { u"action"_s, action }, { u"configured"_s, false }, { u"customer_id"_s, customer },
                { u"note"_s, u"this customer's portal was never configured"_s } };
        QJsonObject json = portalJson(**stored);
        json.insert(u"action"_s, action);
        return json;
    }
    if (!args.contains(u"enabled"_s) && !args.contains(u"features"_s) && !args.contains(u"branding"_s))
        return Core::Error::invalid(u"features"_s, u"give at least one of enabled, features or branding"_s);
    Domain::CustomerPortalSettings settings;
    if (*stored) {
        settings = **stored;
        if (!args.contains(u"version"_s))
            return Core::Error::invalid(u"version"_s, u"required to change a configured portal (from action get)"_s);
        settings.meta.version = args.value(u"version"_s).toInt();
    } else {
        settings.customerId = customer;
    }
    if (args.contains(u"enabled"_s))
        settings.isEnabled = args.value(u"enabled"_s).toBool();
    const bool replace = args.value(u"replace"_s).toBool(false);
    const auto merge = [replace](QVariantMap &target, const QJsonObject &given) {
        if (replace)
            target.clear();
        for (auto it = given.constBegin(); it != given.constEnd(); ++it)
            target.insert(it.key(), it.value().toVariant());
    };
    if (args.contains(u"features"_s))
        merge(settings.features, args.value(u"features"_s).toObject());
    if (args.contains(u"branding"_s))
        merge(settings.branding, args.value(u"branding"_s).toObject());
    auto saved = support.savePortalSettings(settings);
    if (!saved)
        return saved.error();
    QJsonObject json = portalJson(*saved);
    json.insert(u"action"_s, action);
    return json;
}

// ---- SLA policies and the support schedule -----------------------------------------------------------------------

QString clockTime(int minute)
{
    return u"%1:%2"_s.arg(minute / 60, 2, 10, QChar(u'0')).arg(minute % 60, 2, 10, QChar(u'0'));
}

int minuteOf(const QString &hhmm)
{
    return hhmm.left(2).toInt() * 60 + hhmm.mid(3, 2).toInt(); // the schema's pattern checked HH:MM
}

QJsonObject policyJson(const Domain::SlaPolicy &p)
{
    return QJsonObject {
        { u"policy_id"_s, p.id },
        { u"priority"_s, Domain::enumName(p.priority) },
        { u"first_response_minutes"_s, p.firstResponseMinutes },
        { u"resolution_minutes"_s, p.resolutionMinutes },
        { u"at_risk_ratio"_s, rounded(p.atRiskRatio, 4) },
        { u"business_hours_only"_s, p.businessHoursOnly },
        { u"version"_s, p.meta.version },
    };
}

QJsonObject scheduleJson(const Domain::SupportSchedule &s)
{
    QJsonArray hours;
    qint64 weekly = 0;
    for (const Domain::WorkingHours &h : s.weeklyHours) {
        hours.append(QJsonObject { { u"weekday"_s, h.weekday },
            { u"day"_s, QLocale::c().dayName(h.weekday, QLocale::LongFormat).toLower() },
            { u"start"_s, clockTime(h.startMinute) }, { u"end"_s, clockTime(h.endMinute) } });
        weekly += h.endMinute - h.startMinute;
    }
    QJsonArray holidays;
    for (const Domain::ScheduleHoliday &h : s.holidays)
        holidays.append(QJsonObject { { u"date"_s, dateJson(h.date) }, { u"name"_s, h.name } });
    return QJsonObject { { u"time_zone"_s, s.timeZone }, { u"weekly_hours"_s, hours }, { u"holidays"_s, holidays },
        { u"weekly_working_minutes"_s, weekly }, { u"version"_s, s.meta.version } };
}

QJsonObject policySchema()
{
    return openObject(
        {
            { u"policy_id"_s, integer({}) },
            { u"priority"_s, enumOf({}, Domain::enumValues<Domain::TicketPriority>()) },
            { u"first_response_minutes"_s, integer({}, 1) },
            { u"resolution_minutes"_s, integer({}, 1) },
            { u"at_risk_ratio"_s, number({}, 0.0, 1.0) },
            { u"business_hours_only"_s, boolean({}) },
            { u"version"_s, integer({}, 0) },
        },
        { u"priority"_s, u"first_response_minutes"_s, u"resolution_minutes"_s, u"business_hours_only"_s,
            u"version"_s });
}

QJsonObject scheduleSchema()
{
    return openObject(
        {
            { u"time_zone"_s, string({}) },
            { u"weekly_hours"_s,
                arrayOf(openObject({ { u"weekday"_s, integer({}, 1, 7) }, { u"day"_s, string({}) },
                                       { u"start"_s, string({}) }, { u"end"_s, string({}) } },
                    { u"weekday"_s, u"start"_s, u"end"_s })) },
            { u"holidays"_s,
                arrayOf(openObject({ { u"date"_s, date({}) }, { u"name"_s, string({}) } }, { u"date"_s, u"name"_s })) },
            { u"weekly_working_minutes"_s, integer({}, 0) },
            { u"version"_s, integer({}, 0) },
        },
        { u"time_zone"_s, u"weekly_hours"_s, u"holidays"_s, u"version"_s });
}

ToolResult manageSla(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    const QString action = args.value(u"action"_s).toString(u"get"_s);
    Core::SupportService &support = call.services->support();
    const int version = args.value(u"version"_s).toInt(0);
    QJsonObject result { { u"action"_s, action } };

    if (action == u"update_policy"_s) {
        if (auto ok = require(args, { u"priority"_s }, action); !ok)
            return ok.error();
        if (!args.contains(u"first_response_minutes"_s) && !args.contains(u"resolution_minutes"_s)
            && !args.contains(u"at_risk_ratio"_s) && !args.contains(u"business_hours_only"_s)) {
            return Core::Error::invalid(u"first_response_minutes"_s,
                u"give at least one of first_response_minutes, resolution_minutes, at_risk_ratio or "
                u"business_hours_only"_s);
        }
        auto policies = support.slaPolicies();
        if (!policies)
            return policies.error();
        const QString priority = args.value(u"priority"_s).toString();
        const auto found = std::find_if(policies->cbegin(), policies->cend(),
            [&](const Domain::SlaPolicy &p) { return Domain::enumName(p.priority) == priority; });
        if (found == policies->cend())
            return Core::Error::notFound(u"priority"_s, u"there is no SLA policy for "_s + priority);
        Domain::SlaPolicy policy = *found;
        if (version > 0)
            policy.meta.version = version;
        if (args.contains(u"first_response_minutes"_s))
            policy.firstResponseMinutes = args.value(u"first_response_minutes"_s).toInt();
        if (args.contains(u"resolution_minutes"_s))
            policy.resolutionMinutes = args.value(u"resolution_minutes"_s).toInt();
        if (args.contains(u"at_risk_ratio"_s))
            policy.atRiskRatio = args.value(u"at_risk_ratio"_s).toDouble();
        if (args.contains(u"business_hours_only"_s))
            policy.businessHoursOnly = args.value(u"business_hours_only"_s).toBool();
        auto updated = support.updateSlaPolicy(policy);
        if (!updated)
            return updated.error();
        result.insert(u"policy"_s, policyJson(updated->policy));
        result.insert(u"restamped_tickets"_s, updated->restampedTickets);
    } else if (action == u"update_schedule"_s || action == u"add_holiday"_s || action == u"remove_holiday"_s) {
        Core::Result<Core::ScheduleUpdate> updated = Core::Error::storage(QString());
        if (action == u"update_schedule"_s) {
            if (!args.contains(u"time_zone"_s) && !args.contains(u"weekly_hours"_s) && !args.contains(u"holidays"_s))
                return Core::Error::invalid(
                    u"weekly_hours"_s, u"give at least one of time_zone, weekly_hours or holidays"_s);
            auto stored = support.supportSchedule();
            if (!stored)
                return stored.error();
            Domain::SupportSchedule schedule = stored->value_or(Domain::SupportSchedule {});
            schedule.meta.version = version;
            if (args.contains(u"time_zone"_s))
                schedule.timeZone = args.value(u"time_zone"_s).toString();
            if (args.contains(u"weekly_hours"_s)) {
                schedule.weeklyHours.clear();
                for (const QJsonValue &v : args.value(u"weekly_hours"_s).toArray()) {
                    const QJsonObject h = v.toObject();
                    schedule.weeklyHours << Domain::WorkingHours { 0, 0, h.value(u"weekday"_s).toInt(),
                        minuteOf(h.value(u"start"_s).toString()), minuteOf(h.value(u"end"_s).toString()), {} };
                }
            }
            if (args.contains(u"holidays"_s)) {
                schedule.holidays.clear();
                for (const QJsonValue &v : args.value(u"holidays"_s).toArray()) {
                    const QJsonObject h = v.toObject();
                    schedule.holidays << Domain::ScheduleHoliday { 0, 0,
                        QDate::fromString(h.value(u"date"_s).toString(), Qt::ISODate), h.value(u"name"_s).toString(),
                        {} };
                }
            }
            updated = support.updateSupportSchedule(schedule);
        } else {
            if (auto ok = require(args, { u"date"_s }, action); !ok)
                return ok.error();
            const QDate date = ToolSupport::dateArgument(args, u"date"_s);
            if (action == u"add_holiday"_s) {
                if (auto ok = require(args, { u"name"_s }, action); !ok)
                    return ok.error();
                updated = support.addHoliday(date, args.value(u"name"_s).toString(), version);
            } else {
                updated = support.removeHoliday(date, version);
            }
        }
        if (!updated)
            return updated.error();
        result.insert(u"schedule"_s, scheduleJson(updated->schedule));
        result.insert(u"restamped_tickets"_s, updated->restampedTickets);
    } else {
        auto policies = support.slaPolicies();
        if (!policies)
            return policies.error();
        QJsonArray all;
        for (const Domain::SlaPolicy &p : std::as_const(*policies))
            all.append(policyJson(p));
        result.insert(u"policies"_s, all);
        auto schedule = support.supportSchedule();
        if (!schedule)
            return schedule.error();
        result.insert(u"schedule"_s, *schedule ? QJsonValue(scheduleJson(**schedule)) : QJsonValue(QJsonValue::Null));
        if (policies->isEmpty())
            result.insert(u"note"_s, u"no SLA policies yet: tickets get no SLA target"_s);
    }
    return result;
}

// ---- analytics ---------------------------------------------------------------------------------------------------

QJsonObject attainmentJson(const Core::SlaAttainment &a)
{
    return QJsonObject { { u"met"_s, a.met }, { u"breached"_s, a.breached }, { u"running"_s, a.running },
        { u"without_target"_s, a.withoutTarget }, { u"percent"_s, optNumber(a.percent, 2) } };
}

QJsonObject csatJson(const Core::TicketCsat &c)
{
    return QJsonObject { { u"rated"_s, c.rated }, { u"satisfied"_s, c.satisfied },
        { u"percent"_s, optNumber(c.percent, 2) }, { u"mean"_s, optNumber(c.mean, 2) } };
}

QJsonObject durationJson(const Core::DurationStats &d)
{
    return QJsonObject { { u"count"_s, d.count }, { u"median_minutes"_s, optNumber(d.medianMinutes, 1) } };
}

ToolResult analyzeSupportPerformance(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    QDate to = ToolSupport::dateArgument(args, u"to"_s);
    if (!to.isValid())
        to = call.services->clock().now().toUTC().date();
    QDate from = ToolSupport::dateArgument(args, u"from"_s);
    if (!from.isValid())
        from = to.addDays(-89);
    Core::CustomerScope scope;
    if (args.contains(u"customer_id"_s))
        scope.customerIds << args.value(u"customer_id"_s).toString();
    for (const QJsonValue &tier : args.value(u"tiers"_s).toArray()) {
        if (auto t = Domain::enumFromString<Domain::Tier>(tier.toString()))
            scope.tiers << *t;
    }
    scope.industries = stringList(args.value(u"industries"_s));
    auto performance = call.services->support().supportPerformance(from, to, scope);
    if (!performance) {
        Core::Error error = performance.error();
        if (error.field == u"customer_ids"_s)
            error.field = u"customer_id"_s;
        return error;
    }
    const Core::SupportPerformance &p = *performance;
    QJsonArray backlog;
    for (const Core::BacklogRow &b : p.backlog) {
        backlog.append(QJsonObject { { u"priority"_s, Domain::enumName(b.priority) }, { u"total"_s, b.total },
            { u"under_1_day"_s, b.underOneDay }, { u"1_to_3_days"_s, b.oneToThreeDays },
            { u"3_to_7_days"_s, b.threeToSevenDays }, { u"7_to_30_days"_s, b.sevenToThirtyDays },
            { u"over_30_days"_s, b.overThirtyDays } });
    }
    QJsonArray weekly;
    for (const Core::SupportWeek &w : p.weekly) {
        weekly.append(QJsonObject { { u"week_start"_s, dateJson(w.weekStart) }, { u"week_end"_s, dateJson(w.weekEnd) },
            { u"opened"_s, w.opened }, { u"resolved"_s, w.resolved },
            { u"first_response_sla_percent"_s, optNumber(w.firstResponse.percent, 2) },
            { u"resolution_sla_percent"_s, optNumber(w.resolution.percent, 2) },
            { u"csat_percent"_s, optNumber(w.csat.percent, 2) },
            { u"median_first_response_minutes"_s, optNumber(w.firstResponseTime.medianMinutes, 1) },
            { u"median_resolution_minutes"_s, optNumber(w.resolutionTime.medianMinutes, 1) } });
    }
    return QJsonObject {
        { u"from"_s, dateJson(p.from) },
        { u"to"_s, dateJson(p.to) },
        { u"as_of"_s, dateTimeJson(p.asOf) },
        { u"opened"_s, p.opened },
        { u"resolved"_s, p.resolved },
        { u"escalated"_s, p.escalated },
        { u"first_response_sla"_s, attainmentJson(p.firstResponse) },
        { u"resolution_sla"_s, attainmentJson(p.resolution) },
        { u"csat"_s, csatJson(p.csat) },
        { u"first_response_time"_s, durationJson(p.firstResponseTime) },
        { u"resolution_time"_s, durationJson(p.resolutionTime) },
        { u"backlog_total"_s, p.backlogTotal },
        { u"backlog"_s, backlog },
        { u"weekly"_s, weekly },
        { u"note"_s, optText(p.noDataReason) },
    };
}

Tool makeTool(QString name, QString title, QString description, QJsonObject input, QJsonObject output,
    ToolAnnotations annotations, bool writes, bool longRunning, ToolHandler handler)
{
    return ToolSupport::makeTool(kToolset, std::move(name), std::move(title), std::move(description), std::move(input),
        std::move(output), annotations, writes, longRunning, std::move(handler));
}

} // namespace

void registerSupportTools(ToolRegistry &registry)
{
    const auto add = [&registry](Tool tool) { ToolSupport::addTool(registry, std::move(tool)); };
    const ToolAnnotations readOnly;
    const QJsonObject tags = arrayOf(string({}, 1, 100), {}, 50);

    add(makeTool(u"handle_support_ticket"_s, u"Handle a support ticket"_s,
        u"Creates, reads, lists, updates, resolves, closes, reopens, escalates, comments on or rates a support "
        u"ticket, with SLA clocks stamped from the policies and routing rules applied on create. Zendesk mirroring "
        u"happens only when a Zendesk account is configured (mirrored_to_zendesk says so)."_s,
        object(withPaging({
                   { u"action"_s,
                       enumOf({},
                           { u"create"_s, u"get"_s, u"list"_s, u"update"_s, u"resolve"_s, u"close"_s, u"reopen"_s,
                               u"escalate"_s, u"comment"_s, u"rate"_s }) },
                   { u"ticket_id"_s, integer({}, 1) },
                   { u"customer_id"_s, customerId() },
                   { u"subject"_s, string({}, 1, 500) },
                   { u"description"_s, string({}, 0, 20000) },
                   { u"priority"_s, enumOf(u"p0 most urgent."_s, Domain::enumValues<Domain::TicketPriority>()) },
                   { u"status"_s,
                       enumOf(u"update: new, open, pending or on_hold; list: filter."_s,
                           Domain::enumValues<Domain::TicketStatus>()) },
                   { u"channel"_s, string({}, 1, 50) },
                   { u"requester_contact_id"_s, integer({}, 1) },
                   { u"category"_s, string({}, 0, 100) },
                   { u"tags"_s, tags },
                   { u"assignee"_s, string({}, 0, 200) },
                   { u"assigned_team"_s, string({}, 0, 200) },
                   { u"note"_s,
                       string(u"resolve: public note; reopen: reason; rate: the customer's comment."_s, 0, 5000) },
                   { u"reason"_s, string(u"escalate: why."_s, 1, 2000) },
                   { u"severity"_s, enumOf({}, Domain::enumValues<Domain::EscalationSeverity>(), u"medium"_s) },
                   { u"owner"_s, string({}, 0, 200) },
                   { u"body"_s, string(u"comment: the text."_s, 1, 20000) },
                   { u"public"_s, boolean(u"comment: visible to the customer."_s, true) },
                   { u"csat"_s, integer(u"rate: 1-5."_s, 1, 5) },
                   { u"version"_s, integer(u"The ticket version you read (optimistic concurrency); 0 = any."_s, 0) },
               }),
            { u"action"_s }),
        openObject(
            {
                { u"action"_s, string({}) },
                { u"ticket"_s, ticketSchema() },
                { u"items"_s, arrayOf(ticketSchema()) },
                { u"total"_s, integer({}, 0) },
                { u"next_cursor"_s, nullable(string({})) },
                { u"mirrored_to_zendesk"_s, boolean({}) },
            },
            { u"action"_s }),
        { false, false, false, false }, true, false, handleSupportTicket));

    add(makeTool(u"route_tickets"_s, u"Route tickets"_s,
        u"Routes tickets with the ordered routing rules (first active match wins: team, assignee, priority): one "
        u"ticket (apply false = dry run) or every open ticket without assignee and team; also lists, creates and "
        u"removes rules."_s,
        object(withPaging({
                   { u"action"_s, enumOf({}, { u"route"_s, u"list_rules"_s, u"create_rule"_s, u"remove_rule"_s }) },
                   { u"ticket_id"_s, integer({}, 1) },
                   { u"apply"_s, boolean(u"route: apply the decision (false: only show it)."_s, true) },
                   { u"rule_id"_s, integer({}, 1) },
                   { u"name"_s, string({}, 1, 200) },
                   { u"position"_s, integer({}, 0, 100000) },
                   { u"conditions"_s,
                       anyObject(u"Keys priority, category, channel, customer_id, tier, industry, tags, text_contains; "
                                 u"each a string or list of strings."_s) },
                   { u"target_team"_s, string({}, 1, 200) },
                   { u"target_assignee"_s, string({}, 1, 200) },
                   { u"set_priority"_s, enumOf({}, Domain::enumValues<Domain::TicketPriority>()) },
                   { u"active"_s, boolean({}, true) },
                   { u"version"_s, integer({}, 0) },
               }),
            { u"action"_s }),
        openObject(
            {
                { u"action"_s, string({}) },
                { u"examined"_s, integer({}, 0) },
                { u"routed"_s, integer({}, 0) },
                { u"unmatched"_s, integer({}, 0) },
                { u"decisions"_s, arrayOf(anyObject({})) },
                { u"rule"_s, anyObject({}) },
                { u"items"_s, arrayOf(anyObject({})) },
                { u"total"_s, integer({}, 0) },
                { u"next_cursor"_s, nullable(string({})) },
            },
            { u"action"_s }),
        { false, false, false, false }, true, false, routeTickets));

    add(makeTool(u"manage_knowledge_base"_s, u"Knowledge base"_s,
        u"Searches the knowledge base (full text: title above body above tags, best match first), lists "
        u"articles by status or category, or reads one article by id or slug."_s,
        object(withPaging({
            { u"action"_s, enumOf({}, { u"search"_s, u"list"_s, u"get"_s }, u"search"_s) },
            { u"query"_s, string(u"search: the words to find."_s, 1, 500) },
            { u"include_unpublished"_s, boolean(u"search: drafts and archived articles too."_s, false) },
            { u"status"_s, enumOf({}, Domain::enumValues<Domain::KbArticleStatus>()) },
            { u"category"_s, string({}, 1, 100) },
            { u"article_id"_s, integer({}, 1) },
            { u"slug"_s, string({}, 1, 200) },
        })),
        openObject(
            {
                { u"action"_s, string({}) },
                { u"article"_s, articleSchema() },
                { u"items"_s, arrayOf(articleSchema()) },
                { u"total"_s, integer({}, 0) },
                { u"next_cursor"_s, nullable(string({})) },
                { u"note"_s, string({}) },
            },
            { u"action"_s }),
        readOnly, false, false, manageKnowledgeBase));

    add(makeTool(u"update_knowledge_base"_s, u"Edit the knowledge base"_s,
        u"Creates, edits, publishes, archives or removes a knowledge-base article, or records a helpful / "
        u"unhelpful vote. Edits need the version you read (a stale version is refused)."_s,
        object(
            {
                { u"action"_s,
                    enumOf({}, { u"create"_s, u"update"_s, u"publish"_s, u"archive"_s, u"remove"_s, u"vote"_s }) },
                { u"article_id"_s, integer({}, 1) },
                { u"slug"_s, pattern(u"Lower-case letters, digits, - and _."_s, u"^[a-z0-9_-]+$"_s, 200) },
                { u"title"_s, string({}, 1, 300) },
                { u"body"_s, string({}, 1, 200000) },
                { u"tags"_s, tags },
                { u"category"_s, string({}, 0, 100) },
                { u"status"_s, enumOf({}, Domain::enumValues<Domain::KbArticleStatus>()) },
                { u"author"_s, string({}, 1, 200) },
                { u"helpful"_s, boolean(u"vote: helpful (true) or not."_s) },
                { u"version"_s, integer({}, 0) },
            },
            { u"action"_s }),
        openObject({ { u"action"_s, string({}) }, { u"article"_s, articleSchema() },
                       { u"removed_article_id"_s, integer({}) } },
            { u"action"_s }),
        { false, true, false, false }, true, false, updateKnowledgeBase));

    add(makeTool(u"manage_customer_portal"_s, u"Customer portal settings"_s,
        u"Reads or changes one customer's portal: on/off, the features it shows and its branding (logo, "
        u"colours). Changes merge into the stored maps unless replace is set; a configured portal needs the "
        u"version you read."_s,
        object(
            {
                { u"action"_s, enumOf({}, { u"get"_s, u"configure"_s }, u"get"_s) },
                { u"customer_id"_s, customerId() },
                { u"enabled"_s, boolean({}) },
                { u"features"_s, anyObject(u"e.g. {\"knowledge_base\": true, \"tickets\": true}"_s) },
                { u"branding"_s, anyObject(u"e.g. {\"logo_url\": \"…\", \"primary_color\": \"#0055aa\"}"_s) },
                { u"replace"_s, boolean(u"Replace features/branding instead of merging."_s, false) },
                { u"version"_s, integer({}, 0) },
            },
            { u"customer_id"_s }),
        openObject(
            {
                { u"action"_s, string({}) },
                { u"configured"_s, boolean({}) },
                { u"customer_id"_s, string({}) },
                { u"enabled"_s, boolean({}) },
                { u"features"_s, anyObject({}) },
                { u"branding"_s, anyObject({}) },
                { u"version"_s, integer({}, 0) },
                { u"note"_s, string({}) },
            },
            { u"action"_s, u"configured"_s, u"customer_id"_s }),
        { false, false, true, false }, true, false, manageCustomerPortal));

    const QJsonObject clock = pattern(
        u"HH:MM, 24-hour local time (24:00 = end of day)."_s, u"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"_s, 5);
    add(makeTool(u"manage_sla"_s, u"SLA policies and support schedule"_s,
        u"Reads or changes the SLA policies (first response / resolution minutes per priority, at-risk ratio, "
        u"business hours only) and the support schedule business-hour clocks count (time zone, weekly hours, "
        u"holidays). Changes restamp the due times of the open tickets concerned (restamped_tickets)."_s,
        object({
            { u"action"_s,
                enumOf({},
                    { u"get"_s, u"update_policy"_s, u"update_schedule"_s, u"add_holiday"_s, u"remove_holiday"_s },
                    u"get"_s) },
            { u"priority"_s,
                enumOf(u"update_policy: the policy's priority."_s, Domain::enumValues<Domain::TicketPriority>()) },
            { u"first_response_minutes"_s, integer({}, 1, 525600) },
            { u"resolution_minutes"_s, integer(u"Not shorter than first_response_minutes."_s, 1, 525600) },
            { u"at_risk_ratio"_s, number(u"At risk once this share of the target has elapsed (0-1]."_s, 0.01, 1.0) },
            { u"business_hours_only"_s, boolean(u"Count the support schedule's hours instead of calendar time."_s) },
            { u"time_zone"_s, string(u"update_schedule: IANA time zone, e.g. Europe/Berlin."_s, 1, 100) },
            { u"weekly_hours"_s,
                arrayOf(object({ { u"weekday"_s, integer(u"1 = Monday ... 7 = Sunday."_s, 1, 7) },
                                   { u"start"_s, clock }, { u"end"_s, clock } },
                            { u"weekday"_s, u"start"_s, u"end"_s }),
                    u"update_schedule: replaces the working intervals; at least one, none overlapping."_s, 100) },
            { u"holidays"_s,
                arrayOf(
                    object({ { u"date"_s, date({}) }, { u"name"_s, string({}, 1, 200) } }, { u"date"_s, u"name"_s }),
                    u"update_schedule: replaces the holidays."_s, 1000) },
            { u"date"_s, date(u"add_holiday / remove_holiday."_s) },
            { u"name"_s, string(u"add_holiday: e.g. Christmas Day."_s, 1, 200) },
            { u"version"_s,
                integer(u"The policy's (update_policy) or the schedule's version you read; 0 = the stored one."_s, 0) },
        }),
        openObject(
            {
                { u"action"_s, string({}) },
                { u"policies"_s, arrayOf(policySchema()) },
                { u"policy"_s, policySchema() },
                { u"schedule"_s, nullable(scheduleSchema()) },
                { u"restamped_tickets"_s, integer(u"Open tickets whose due times moved."_s, 0) },
                { u"note"_s, string({}) },
            },
            { u"action"_s }),
        { false, false, false, false }, true, false, manageSla));

    add(makeTool(u"analyze_support_performance"_s, u"Support performance"_s,
        u"Analyses the tickets opened in a period (default the last 90 days): SLA attainment for first response "
        u"and resolution, CSAT, median times, escalations, weekly trend, and the open backlog by priority and age."_s,
        object({
            { u"from"_s, date({}) },
            { u"to"_s, date({}) },
            { u"customer_id"_s, customerId() },
            { u"tiers"_s, arrayOf(enumOf({}, Domain::enumValues<Domain::Tier>()), {}, 10) },
            { u"industries"_s, arrayOf(string({}, 1, 100), {}, 50) },
        }),
        openObject(
            {
                { u"opened"_s, integer({}, 0) },
                { u"resolved"_s, integer({}, 0) },
                { u"escalated"_s, integer({}, 0) },
                { u"first_response_sla"_s, anyObject({}) },
                { u"resolution_sla"_s, anyObject({}) },
                { u"csat"_s, anyObject({}) },
                { u"backlog_total"_s, integer({}, 0) },
                { u"backlog"_s, arrayOf(anyObject({})) },
                { u"weekly"_s, arrayOf(anyObject({})) },
                { u"note"_s, nullable(string({})) },
            },
            { u"opened"_s, u"resolved"_s, u"first_response_sla"_s, u"csat"_s, u"backlog_total"_s }),
        readOnly, false, false, analyzeSupportPerformance));
}

} // namespace Mcp
