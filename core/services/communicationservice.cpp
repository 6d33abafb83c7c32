// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "communicationservice.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QCryptographicHash>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>
#include <QSqlRecord>
#include <QTimeZone>

#include "playbookservice.h"
#include "segmentservice.h"
#include "servicesupport.h"
#include "sql.h"
#include "tables_engagement.h"
#include "tables_operations.h"
#include "timelineservice.h"
#include "transaction.h"
#include "validation.h"

Q_LOGGING_CATEGORY(lcCommunications, "cs.services.communications")

namespace Core {

using namespace Qt::StringLiterals;
using Domain::PlaybookStepKind;

namespace {

using ServiceSupport::dayOf;
using ServiceSupport::isoDay;
using ServiceSupport::sqlDay;
using ServiceSupport::sqlTime;
using ServiceSupport::startOfDay;
using ServiceSupport::timeOf;

QString isoTime(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

Status checkLimit(int limit, int max)
{
    if (limit < 1 || limit > max)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(max));
    return {};
}

Result<qint64> countOf(const Storage::Database &db, const QString &sql, const QVariantList &bindings)
{
    auto q = Storage::exec(db, sql, bindings);
    if (!q)
        return q.error();
    return q->next() ? q->value(0).toLongLong() : qint64(0);
}

Status requireLiveCustomer(const Storage::Database &db, const QString &customerId)
{
    if (customerId.isEmpty())
        return Error::invalid(u"customer_id"_s, u"is required"_s);
    auto n = countOf(db, u"SELECT COUNT(*) FROM customers WHERE id = ? AND deleted_at IS NULL"_s, { customerId });
    if (!n)
        return n.error();
    if (*n == 0)
        return Error::notFound(u"customer_id"_s, u"no customer with id '%1'"_s.arg(customerId));
    return {};
}

// The contact must be a live contact of the customer.
Status requireContactOf(const Storage::Database &db, std::optional<qint64> contactId, const QString &customerId)
{
    if (!contactId)
        return {};
    auto q
        = Storage::exec(db, u"SELECT customer_id FROM contacts WHERE id = ? AND deleted_at IS NULL"_s, { *contactId });
    if (!q)
        return q.error();
    if (!q->next())
        return Error::notFound(u"contact_id"_s, u"no contact with id %1"_s.arg(*contactId));
    if (q->value(0).toString() != customerId)
        return Error::invalid(
            u"contact_id"_s, u"contact %1 is not a contact of customer '%2'"_s.arg(*contactId).arg(customerId));
    return {};
}

Status insertTimeline(const Storage::Database &db, const QString &customerId, const QDateTime &at,
    Domain::TimelineEventKind kind, const QString &title, const QVariantMap &detail, const QString &sourceTable,
    const QString &sourceId, const QString &actor)
{
    Domain::TimelineEvent event;
    event.customerId = customerId;
    event.occurredAt = at;
    event.kind = kind;
    event.title = title.left(500);
    event.detail = detail;
    event.sourceTable = sourceTable;
    event.sourceId = sourceId;
    event.actor = actor.left(200);
    auto inserted = TimelineService::insert(db, event);
    if (!inserted)
        return inserted.error();
    return {};
}

// Placeholders that only exist in some contexts (a playbook step, a newsletter edition): known names, but
// without a value anywhere else.
const QStringList &contextPlaceholders()
{
    static const QStringList names { u"playbook.name"_s, u"edition.title"_s, u"edition.content"_s };
    return names;
}

const QRegularExpression &placeholderPattern()
{
    static const QRegularExpression re(u"\\{\\{\\s*([^{}]*?)\\s*\\}\\}"_s);
    return re;
}

QStringList contactRoleNames()
{
    QStringList names = Domain::enumValues<Domain::ContactRole>();
    names.removeAll(QString());
    return names;
}

const QString kLiveCustomerRecipientColumns = u"ct.id, ct.name, ct.email, ct.title, cu.id, cu.name, cu.company, "
                                              "cu.industry, cu.tier, cu.renewal_date, cu.arr, cu.owner"_s;

// A Recipient from a row selected with kLiveCustomerRecipientColumns.
Recipient recipientFromRow(const QSqlQuery &q)
{
    Recipient r;
    r.contactId = q.value(0).toLongLong();
    r.contactName = q.value(1).toString();
    r.email = q.value(2).toString();
    r.customerId = q.value(4).toString();
    r.customerName = q.value(5).toString();
    const QString name = r.contactName.simplified();
    const qsizetype space = name.indexOf(u' ');
    Personalisation::Values &v = r.values;
    for (const QString &key : Personalisation::builtInPlaceholders())
        v.insert(key, QString());
    v[u"customer.id"_s] = r.customerId;
    v[u"customer.name"_s] = r.customerName;
    v[u"customer.company"_s] = q.value(6).toString();
    v[u"customer.industry"_s] = q.value(7).toString();
    v[u"customer.tier"_s] = q.value(8).toString();
    v[u"customer.renewal_date"_s] = isoDay(dayOf(q.value(9)));
    v[u"customer.arr"_s] = QString::number(qRound64(q.value(10).toDouble()));
    v[u"csm.name"_s] = q.value(11).toString();
    v[u"contact.name"_s] = name;
    v[u"contact.first_name"_s] = space < 0 ? name : name.left(space);
    v[u"contact.last_name"_s] = space < 0 ? QString() : name.mid(space + 1);
    v[u"contact.email"_s] = r.email;
    v[u"contact.title"_s] = q.value(3).toString();
    return r;
}

// The customer-only values (tasks and notes have no recipient).
Result<Personalisation::Values> customerValues(const Storage::Database &db, const QString &customerId, QString *owner)
{
    auto q = Storage::exec(db,
        u"SELECT id, name, company, industry, tier, renewal_date, arr, owner FROM customers WHERE id = ? AND "
        "deleted_at IS NULL"_s,
        { customerId });
    if (!q)
        return q.error();
    if (!q->next())
        return Error::notFound(u"customer_id"_s, u"no customer with id '%1'"_s.arg(customerId));
    Personalisation::Values v;
    for (const QString &key : Personalisation::builtInPlaceholders())
        v.insert(key, QString());
    v[u"customer.id"_s] = q->value(0).toString();
    v[u"customer.name"_s] = q->value(1).toString();
    v[u"customer.company"_s] = q->value(2).toString();
    v[u"customer.industry"_s] = q->value(3).toString();
    v[u"customer.tier"_s] = q->value(4).toString();
    v[u"customer.renewal_date"_s] = isoDay(dayOf(q->value(5)));
    v[u"customer.arr"_s] = QString::number(qRound64(q->value(6).toDouble()));
    v[u"csm.name"_s] = q->value(7).toString();
    if (owner)
        *owner = q->value(7).toString();
    return v;
}

struct Outgoing
{
    Recipient recipient;
    Domain::CommunicationChannel channel = Domain::CommunicationChannel::Email;
    QString subject;
    QString body;
    Domain::EmailBodyFormat format = Domain::EmailBodyFormat::Text;
    std::optional<qint64> templateId;
    std::optional<qint64> workflowId;
    std::optional<qint64> enrolmentId;
    QString sender;
    QString idempotencyKey;
};

// The outbox write (DESIGN.md §6): the communications row, the outbox row and the timeline event, on the
// calling thread's connection so that they commit with the caller's change. An idempotency key already in the
// outbox means this message was queued before: nothing is written and the earlier rows are returned.
Result<QueuedMessage> queueMessage(const Storage::Database &db, const QDateTime &now, const Outgoing &out)
{
    if (out.idempotencyKey.isEmpty() || out.idempotencyKey.size() > 200)
        return Error::invalid(u"idempotency_key"_s, u"must be 1 to 200 characters"_s);
    using OutboxRepo = Storage::OutboxMessageRepository;
    using CommRepo = Storage::CommunicationRepository;
    QueuedMessage queued;
    {
        auto q = Storage::exec(db, u"SELECT %1 FROM outbox WHERE idempotency_key = ?"_s.arg(OutboxRepo::selectList()),
            { out.idempotencyKey });
        if (!q)
            return q.error();
        const QSqlRecord rec = q->record();
        if (q->next()) {
            queued.outbox = OutboxRepo::fromRow(*q, rec);
            queued.alreadyQueued = true;
            auto c = Storage::exec(db,
                u"SELECT %1 FROM communications WHERE outbox_idempotency_key = ? ORDER BY id LIMIT 1"_s.arg(
                    CommRepo::selectList()),
                { out.idempotencyKey });
            if (!c)
                return c.error();
            const QSqlRecord crec = c->record();
            if (c->next())
                queued.communication = CommRepo::fromRow(*c, crec);
            return queued;
        }
    }
    const bool email = out.channel == Domain::CommunicationChannel::Email;
    Domain::Communication comm;
    comm.customerId = out.recipient.customerId;
    comm.contactId = out.recipient.contactId;
    comm.channel = out.channel;
    comm.direction = Domain::CommunicationDirection::Outbound;
    comm.subject = out.subject;
    comm.body = out.body;
    comm.templateId = out.templateId;
    comm.workflowId = out.workflowId;
    comm.enrolmentId = out.enrolmentId;
    comm.status = Domain::CommunicationStatus::Queued;
    comm.outboxIdempotencyKey = out.idempotencyKey;
    comm.sender = out.sender.left(320);
    auto created = CommRepo(db).create(comm);
    if (!created)
        return created.error();
    queued.communication = *created;

    Domain::OutboxMessage message;
    message.kind = email ? Domain::OutboxKind::Email : Domain::OutboxKind::Event;
    message.target = email ? Domain::IntegrationVendor::Sendgrid : Domain::IntegrationVendor::Intercom;
    message.customerId = out.recipient.customerId;
    message.idempotencyKey = out.idempotencyKey;
    message.status = Domain::OutboxStatus::Pending;
    message.nextAttemptAt = now;
    QVariantMap payload { { u"to"_s, out.recipient.email }, { u"to_name"_s, out.recipient.contactName },
        { u"subject"_s, out.subject }, { u"body"_s, out.body }, { u"customer_id"_s, out.recipient.customerId },
        { u"contact_id"_s, out.recipient.contactId }, { u"communication_id"_s, created->id } };
    if (email) {
        payload.insert(u"body_format"_s, Domain::enumName(out.format));
        if (out.templateId)
            payload.insert(u"template_id"_s, *out.templateId);
    } else {
        payload.insert(u"operation"_s, u"message"_s);
        payload.insert(u"message_type"_s, u"inapp"_s);
    }
    message.payload = payload;
    auto outbox = OutboxRepo(db).create(message);
    if (!outbox)
        return outbox.error();
    queued.outbox = *outbox;

    const QString what = email ? u"E-mail"_s : u"In-app message"_s;
    const QString title = out.subject.isEmpty()
        ? u"%1 queued to %2"_s.arg(what, out.recipient.contactName)
        : u"%1 queued to %2: %3"_s.arg(what, out.recipient.contactName, out.subject);
    QVariantMap detail { { u"communication_id"_s, created->id }, { u"contact_id"_s, out.recipient.contactId },
        { u"to"_s, out.recipient.email }, { u"status"_s, u"queued"_s },
        { u"channel"_s, Domain::enumName(out.channel) } };
    if (out.templateId)
        detail.insert(u"template_id"_s, *out.templateId);
    if (auto ok = insertTimeline(db, out.recipient.customerId, now,
            email ? Domain::TimelineEventKind::Email : Domain::TimelineEventKind::Other, title, detail,
            u"communications"_s, QString::number(created->id), out.sender);
        !ok)
        return ok.error();
    return queued;
}

QString sectionsText(const QVariantList &sections)
{
    QStringList parts;
    for (const QVariant &s : sections) {
        const QVariantMap m = s.toMap();
        const QString heading = m.value(u"heading"_s).toString().trimmed();
        const QString body = m.value(u"body"_s).toString().trimmed();
        parts << (heading.isEmpty() ? body : heading + u"\n\n"_s + body);
    }
    return parts.join(u"\n\n"_s);
}

Status validateSections(const QVariantList &sections)
{
    if (sections.size() > CommunicationService::kMaxSections)
        return Error::invalid(u"sections"_s, u"at most %1 sections"_s.arg(CommunicationService::kMaxSections));
    for (int i = 0; i < sections.size(); ++i) {
        if (sections[i].typeId() != QMetaType::QVariantMap)
            return Error::invalid(u"sections[%1]"_s.arg(i), u"must be an object {heading, body}"_s);
        RiskSignals::ConfigReader r(sections[i].toMap(), u"sections[%1]"_s.arg(i));
        r.text(u"heading"_s, false, 200);
        r.text(u"body"_s, true, 50000);
        if (auto ok = r.finish(); !ok)
            return ok;
    }
    return {};
}

} // namespace

// ==== personalisation ================================================================================================

namespace Personalisation {

QStringList builtInPlaceholders()
{
    return { u"customer.id"_s, u"customer.name"_s, u"customer.company"_s, u"customer.industry"_s, u"customer.tier"_s,
        u"customer.renewal_date"_s, u"customer.arr"_s, u"contact.name"_s, u"contact.first_name"_s,
        u"contact.last_name"_s, u"contact.email"_s, u"contact.title"_s, u"csm.name"_s };
}

QStringList placeholdersIn(const QString &text)
{
    QStringList names;
    auto it = placeholderPattern().globalMatch(text);
    while (it.hasNext()) {
        const QString name = it.next().captured(1);
        if (!names.contains(name))
            names << name;
    }
    return names;
}

Result<QString> render(const QString &text, const Values &values, const QString &field)
{
    static const QRegularExpression validName(u"^[A-Za-z_][A-Za-z0-9_.]{0,63}$"_s);
    QString out;
    out.reserve(text.size());
    qsizetype last = 0;
    auto it = placeholderPattern().globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        const QString name = m.captured(1);
        if (!validName.match(name).hasMatch())
            return Error::invalid(
                field, u"'%1' is not a placeholder (use {{name}} with letters, digits, _ and .)"_s.arg(m.captured(0)));
        auto value = values.constFind(name);
        const bool known = value != values.constEnd() || builtInPlaceholders().contains(name)
            || contextPlaceholders().contains(name);
        if (!known)
            return Error::invalid(field, u"unknown placeholder {{%1}}"_s.arg(name));
        if (value == values.constEnd() || value->isEmpty())
            return Error::invalid(field, u"placeholder {{%1}} has no value here"_s.arg(name));
        out += QStringView(text).mid(last, m.capturedStart(0) - last);
        out += *value;
        last = m.capturedEnd(0);
    }
    out += QStringView(text).mid(last);
    return out;
}

Result<Values> customVariables(const QVariantMap &variables, const QString &field)
{
    static const QRegularExpression plainName(u"^[A-Za-z_][A-Za-z0-9_]{0,63}$"_s);
    Values values;
    for (auto it = variables.constBegin(); it != variables.constEnd(); ++it) {
        const QString key = field + u'.' + it.key();
        if (!plainName.match(it.key()).hasMatch())
            return Error::invalid(key, u"is not a variable name (letters, digits and _, at most 64)"_s);
        QString value;
        switch (it->typeId()) {
        case QMetaType::QString:
            value = it->toString();
            break;
        case QMetaType::Int:
        case QMetaType::LongLong:
        case QMetaType::UInt:
        case QMetaType::ULongLong:
            value = QString::number(it->toLongLong());
            break;
        case QMetaType::Double: {
            const double d = it->toDouble();
            value = d == std::floor(d) && std::abs(d) < 1e15 ? QString::number(qint64(d)) : QString::number(d);
            break;
        }
        default:
            return Error::invalid(key, u"must be text or a number"_s);
        }
        if (value.size() > 10000)
            return Error::invalid(key, u"must be at most 10000 characters"_s);
        values.insert(it.key(), value);
    }
    return values;
}

} // namespace Personalisation

// ==== outreach actions ===============================================================================================

namespace Outreach {

Status validate(PlaybookStepKind kind, const QVariantMap &config, const QString &prefix)
{
    RiskSignals::ConfigReader r(config, prefix);
    switch (kind) {
    case PlaybookStepKind::Task:
        r.text(u"title"_s, true, 500);
        r.text(u"description"_s, false, 10000);
        r.integer(u"due_in_days"_s, PlaybookService::kDefaultTaskDueDays, 0, 365);
        r.choice(u"priority"_s, u"medium"_s, Domain::enumValues<Domain::CsmTaskPriority>());
        r.text(u"owner"_s, false, 200);
        break;
    case PlaybookStepKind::Note:
        r.text(u"body"_s, true, 200000);
        r.boolean(u"pinned"_s, false);
        break;
    case PlaybookStepKind::Email:
        if (!config.contains(u"template_id"_s))
            return Error::invalid(prefix + u".template_id"_s, u"is required for an e-mail"_s);
        r.integer(u"template_id"_s, 0, 1, std::numeric_limits<int>::max());
        r.choice(u"recipient_role"_s, u"primary"_s, contactRoleNames() << u"primary"_s);
        break;
    case PlaybookStepKind::Message:
        r.text(u"body"_s, true, 50000);
        r.text(u"subject"_s, false, 998);
        r.choice(u"recipient_role"_s, u"primary"_s, contactRoleNames() << u"primary"_s);
        break;
    case PlaybookStepKind::Wait:
        return Error::invalid(prefix, u"a wait is not an outreach action"_s);
    }
    return r.finish();
}

Result<Recipient> recipient(const Storage::Database &db, const QString &customerId, std::optional<qint64> contactId,
    std::optional<Domain::ContactRole> role)
{
    if (auto ok = requireLiveCustomer(db, customerId); !ok)
        return ok.error();
    const QString base = u"SELECT "_s + kLiveCustomerRecipientColumns
        + u" FROM contacts ct JOIN customers cu ON cu.id = ct.customer_id WHERE ct.deleted_at IS NULL "
          "AND cu.deleted_at IS NULL AND ct.customer_id = ?"_s;
    if (contactId) {
        auto q = Storage::exec(db, base + u" AND ct.id = ?"_s, { customerId, *contactId });
        if (!q)
            return q.error();
        if (!q->next())
            return Error::notFound(
                u"contact_id"_s, u"no live contact with id %1 at customer '%2'"_s.arg(*contactId).arg(customerId));
        Recipient r = recipientFromRow(*q);
        if (r.email.isEmpty())
            return Error::invalid(
                u"contact_id"_s, u"contact %1 (%2) has no e-mail address"_s.arg(*contactId).arg(r.contactName));
        return r;
    }
    if (role && *role != Domain::ContactRole::None) {
        auto q = Storage::exec(db,
            base + u" AND ct.role = ? AND ct.email IS NOT NULL ORDER BY ct.is_primary DESC, ct.id LIMIT 1"_s,
            { customerId, Domain::enumName(*role) });
        if (!q)
            return q.error();
        if (!q->next())
            return Error::invalid(u"recipient_role"_s,
                u"customer '%1' has no contact with role %2 and an e-mail address"_s.arg(
                    customerId, Domain::enumName(*role)));
        return recipientFromRow(*q);
    }
    auto q = Storage::exec(db, base + u" AND ct.is_primary"_s, { customerId });
    if (!q)
        return q.error();
    if (!q->next())
        return Error::invalid(u"contact_id"_s,
            u"customer '%1' has no primary contact; name the recipient (contact or role)"_s.arg(customerId));
    Recipient r = recipientFromRow(*q);
    if (r.email.isEmpty())
        return Error::invalid(u"contact_id"_s,
            u"the primary contact of customer '%1' (%2) has no e-mail address"_s.arg(customerId, r.contactName));
    return r;
}

Result<OutreachResult> perform(const Storage::Database &db, const QDateTime &now, const OutreachRequest &request)
{
    if (auto ok = validate(request.kind, request.config, u"config"_s); !ok)
        return ok.error();
    const QVariantMap &c = request.config;
    OutreachResult result;
    result.kind = request.kind;
    result.summary.insert(u"kind"_s, Domain::enumName(request.kind));

    if (request.kind == PlaybookStepKind::Task || request.kind == PlaybookStepKind::Note) {
        QString owner;
        auto values = customerValues(db, request.customerId, &owner);
        if (!values)
            return values.error();
        for (auto it = request.extraValues.constBegin(); it != request.extraValues.constEnd(); ++it)
            values->insert(it.key(), it.value());
        if (request.kind == PlaybookStepKind::Task) {
            auto title = Personalisation::render(c.value(u"title"_s).toString().trimmed(), *values, u"config.title"_s);
            if (!title)
                return title.error();
            auto description
                = Personalisation::render(c.value(u"description"_s).toString(), *values, u"config.description"_s);
            if (!description)
                return description.error();
            Domain::CsmTask task;
            task.customerId = request.customerId;
            task.title = title->left(500);
            task.description = *description;
            task.dueDate = now.date().addDays(c.value(u"due_in_days"_s, PlaybookService::kDefaultTaskDueDays).toInt());
            task.priority
                = Domain::enumFromString<Domain::CsmTaskPriority>(c.value(u"priority"_s, u"medium"_s).toString())
                      .value_or(Domain::CsmTaskPriority::Medium);
            const QString configuredOwner = c.value(u"owner"_s).toString().trimmed();
            task.owner = configuredOwner.isEmpty() ? owner : configuredOwner;
            task.source = request.taskSource;
            task.sourceRef = request.sourceRef;
            task.enrolmentId = request.enrolmentId;
            auto created = Storage::CsmTaskRepository(db).create(task);
            if (!created)
                return created.error();
            if (auto ok = insertTimeline(db, request.customerId, now, Domain::TimelineEventKind::Campaign,
                    u"Task created: %1"_s.arg(created->title),
                    { { u"task_id"_s, created->id }, { u"due_date"_s, isoDay(created->dueDate) },
                        { u"priority"_s, Domain::enumName(created->priority) },
                        { u"source_ref"_s, request.sourceRef } },
                    u"tasks"_s, QString::number(created->id), request.actor);
                !ok)
                return ok.error();
            result.task = *created;
            result.summary.insert(u"task_id"_s, created->id);
            result.summary.insert(u"title"_s, created->title);
            result.summary.insert(u"due_date"_s, isoDay(created->dueDate));
            return result;
        }
        auto body = Personalisation::render(c.value(u"body"_s).toString().trimmed(), *values, u"config.body"_s);
        if (!body)
            return body.error();
        Domain::Note note;
        note.customerId = request.customerId;
        note.body = *body;
        note.author = request.actor.left(200);
        note.isPinned = c.value(u"pinned"_s).toBool();
        auto created = Storage::NoteRepository(db).create(note);
        if (!created)
            return created.error();
        if (auto ok = insertTimeline(db, request.customerId, now, Domain::TimelineEventKind::Note,
                TimelineService::noteTitle(created->body), { { u"note_id"_s, created->id } }, u"notes"_s,
                QString::number(created->id), request.actor);
            !ok)
            return ok.error();
        result.note = *created;
        result.summary.insert(u"note_id"_s, created->id);
        return result;
    }

    // e-mail and in-app message
    if (request.idempotencyKey.isEmpty())
        return Error::invalid(u"idempotency_key"_s, u"is required for a message"_s);
    std::optional<Domain::ContactRole> role;
    const QString roleName = c.value(u"recipient_role"_s, u"primary"_s).toString();
    if (roleName != u"primary"_s)
        role = Domain::enumFromString<Domain::ContactRole>(roleName);
    auto to = recipient(db, request.customerId, std::nullopt, role);
    if (!to)
        return to.error();
    for (auto it = request.extraValues.constBegin(); it != request.extraValues.constEnd(); ++it)
        to->values.insert(it.key(), it.value());
    Outgoing out;
    out.recipient = *to;
    out.enrolmentId = request.enrolmentId;
    out.workflowId = request.workflowId;
    out.sender = to->values.value(u"csm.name"_s).isEmpty() ? request.actor : to->values.value(u"csm.name"_s);
    out.idempotencyKey = request.idempotencyKey;
    if (request.kind == PlaybookStepKind::Email) {
        const qint64 templateId = c.value(u"template_id"_s).toLongLong();
        auto t = Storage::EmailTemplateRepository(db).get(templateId);
        if (!t)
            return Error::notFound(u"config.template_id"_s, u"no e-mail template with id %1"_s.arg(templateId));
        auto subject = Personalisation::render(t->subject, to->values, u"subject"_s);
        if (!subject)
            return subject.error();
        auto body = Personalisation::render(t->body, to->values, u"body"_s);
        if (!body)
            return body.error();
        out.channel = Domain::CommunicationChannel::Email;
        out.subject = subject->left(998);
        out.body = *body;
        out.format = t->bodyFormat;
        out.templateId = t->id;
    } else {
        auto subject
            = Personalisation::render(c.value(u"subject"_s).toString().trimmed(), to->values, u"config.subject"_s);
        if (!subject)
            return subject.error();
        auto body = Personalisation::render(c.value(u"body"_s).toString().trimmed(), to->values, u"config.body"_s);
        if (!body)
            return body.error();
        out.channel = Domain::CommunicationChannel::InApp;
        out.subject = *subject;
        out.body = *body;
    }
    auto queued = queueMessage(db, now, out);
    if (!queued)
        return queued.error();
    result.message = *queued;
    result.summary.insert(u"communication_id"_s, queued->communication.id);
    result.summary.insert(u"outbox_id"_s, queued->outbox.id);
    result.summary.insert(u"idempotency_key"_s, queued->outbox.idempotencyKey);
    result.summary.insert(u"contact_id"_s, to->contactId);
    result.summary.insert(u"to"_s, to->email);
    result.summary.insert(u"subject"_s, queued->communication.subject);
    result.summary.insert(u"already_queued"_s, queued->alreadyQueued);
    return result;
}

} // namespace Outreach

// ==== advocacy rules =================================================================================================

namespace AdvocacyRules {

int pointsFor(Domain::ContributionKind kind)
{
    using K = Domain::ContributionKind;
    switch (kind) {
    case K::ReferenceCall:
        return 50;
    case K::CaseStudy:
        return 100;
    case K::Review:
        return 30;
    case K::Referral:
        return 75;
    case K::Speaking:
        return 80;
    case K::Community:
        return 10;
    }
    return 0;
}

int tierThreshold(Domain::AdvocateTier tier)
{
    switch (tier) {
    case Domain::AdvocateTier::Bronze:
        return 0;
    case Domain::AdvocateTier::Silver:
        return 100;
    case Domain::AdvocateTier::Gold:
        return 250;
    case Domain::AdvocateTier::Platinum:
        return 500;
    }
    return 0;
}

Domain::AdvocateTier tierFor(int points)
{
    using T = Domain::AdvocateTier;
    for (T tier : { T::Platinum, T::Gold, T::Silver }) {
        if (points >= tierThreshold(tier))
            return tier;
    }
    return T::Bronze;
}

} // namespace AdvocacyRules

std::optional<double> netPromoterScore(qint64 promoters, qint64 passives, qint64 detractors)
{
    const qint64 n = promoters + passives + detractors;
    if (n <= 0)
        return std::nullopt;
    return 100.0 * double(promoters - detractors) / double(n);
}

QVariantMap ExecutiveBrief::toMap() const
{
    auto opt = [](const std::optional<double> &v) { return v ? QVariant(*v) : QVariant(); };
    QVariantMap m { { u"customer_id"_s, customerId }, { u"customer_name"_s, customerName },
        { u"as_of"_s, isoDay(asOf) }, { u"tier"_s, tier }, { u"arr"_s, arr }, { u"currency"_s, currency } };
    QVariantMap h { { u"has_data"_s, health.hasData } };
    if (health.hasData) {
        h.insert(u"score"_s, health.score);
        h.insert(u"band"_s, health.band);
        h.insert(u"scored_on"_s, isoDay(health.scoredOn));
        h.insert(u"change"_s, opt(health.change));
        h.insert(u"compared_with"_s, isoDay(health.comparedWith));
    } else {
        h.insert(u"reason"_s, health.reason);
    }
    m.insert(u"health"_s, h);
    QVariantMap u { { u"has_data"_s, usage.hasData } };
    if (usage.hasData) {
        u.insert(u"events"_s, usage.events);
        u.insert(u"active_days"_s, usage.activeDays);
        u.insert(u"mean_daily_active_users"_s, usage.meanDailyActiveUsers);
        u.insert(u"previous_events"_s, usage.previousEvents);
        u.insert(u"events_change"_s, opt(usage.eventsChange));
    } else {
        u.insert(u"reason"_s, usage.reason);
    }
    m.insert(u"usage"_s, u);
    QVariantMap s { { u"has_data"_s, support.hasData } };
    if (support.hasData) {
        s.insert(u"opened"_s, support.opened);
        s.insert(u"open_now"_s, support.openNow);
        s.insert(u"breached"_s, support.breached);
        s.insert(u"mean_csat"_s, opt(support.meanCsat));
    } else {
        s.insert(u"reason"_s, support.reason);
    }
    m.insert(u"support"_s, s);
    QVariantMap n { { u"has_data"_s, nps.hasData } };
    if (nps.hasData) {
        n.insert(u"responses"_s, nps.responses);
        n.insert(u"promoters"_s, nps.promoters);
        n.insert(u"passives"_s, nps.passives);
        n.insert(u"detractors"_s, nps.detractors);
        n.insert(u"nps"_s, nps.nps);
        n.insert(u"latest_score"_s, nps.latestScore);
        n.insert(u"latest_at"_s, isoTime(nps.latestAt));
    } else {
        n.insert(u"reason"_s, nps.reason);
    }
    m.insert(u"nps"_s, n);
    QVariantMap r { { u"has_data"_s, renewal.hasData } };
    if (renewal.hasData) {
        r.insert(u"date"_s, isoDay(renewal.date));
        r.insert(u"days_until"_s, renewal.daysUntil);
        r.insert(u"arr"_s, renewal.arr);
        r.insert(u"probability"_s, opt(renewal.probability));
        r.insert(u"stage"_s, renewal.stage);
    } else {
        r.insert(u"reason"_s, renewal.reason);
    }
    m.insert(u"renewal"_s, r);
    QVariantMap e { { u"has_data"_s, expansion.hasData } };
    if (expansion.hasData) {
        e.insert(u"open"_s, expansion.open);
        e.insert(u"open_estimated_arr"_s, expansion.openEstimatedArr);
        e.insert(u"won_last_year"_s, expansion.wonLastYear);
        e.insert(u"won_arr_last_year"_s, expansion.wonArrLastYear);
    } else {
        e.insert(u"reason"_s, expansion.reason);
    }
    m.insert(u"expansion"_s, e);
    QVariantMap c { { u"has_data"_s, churn.hasData } };
    if (churn.hasData) {
        c.insert(u"probability"_s, churn.probability);
        c.insert(u"risk_level"_s, churn.riskLevel);
        c.insert(u"predicted_at"_s, isoTime(churn.predictedAt));
    } else {
        c.insert(u"reason"_s, churn.reason);
    }
    m.insert(u"churn"_s, c);
    return m;
}

// ==== CommunicationService ===========================================================================================

CommunicationService::CommunicationService(const Storage::Database &db, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
{ }

// ---- templates -----------------------------------------------------------------------------------------------------

Status CommunicationService::validateTemplatePlaceholders(const Domain::EmailTemplate &t) const
{
    const QStringList builtIn = Personalisation::builtInPlaceholders() + contextPlaceholders();
    for (const QString &field : { u"subject"_s, u"body"_s }) {
        const QString &text = field == u"subject"_s ? t.subject : t.body;
        for (const QString &name : Personalisation::placeholdersIn(text)) {
            if (!builtIn.contains(name) && !t.variables.contains(name))
                return Error::invalid(field,
                    u"unknown placeholder {{%1}}: use a built-in one (%2) or list it in variables"_s.arg(
                        name, Personalisation::builtInPlaceholders().join(u", ")));
        }
    }
    return {};
}

Result<Domain::EmailTemplate> CommunicationService::createTemplate(const Domain::EmailTemplate &emailTemplate)
{
    if (auto ok = emailTemplate.validate(); !ok)
        return ok.error();
    if (auto ok = validateTemplatePlaceholders(emailTemplate); !ok)
        return ok.error();
    auto n
        = countOf(m_db, u"SELECT COUNT(*) FROM email_templates WHERE lower(name) = lower(?) AND deleted_at IS NULL"_s,
            { emailTemplate.name });
    if (!n)
        return n.error();
    if (*n > 0)
        return Error { ErrorCode::AlreadyExists, u"name"_s,
            u"a template named '%1' already exists"_s.arg(emailTemplate.name) };
    auto created = Storage::EmailTemplateRepository(m_db).create(emailTemplate);
    if (created)
        Q_EMIT templatesChanged();
    return created;
}

Result<Domain::EmailTemplate> CommunicationService::updateTemplate(const Domain::EmailTemplate &emailTemplate)
{
    if (auto ok = emailTemplate.validate(); !ok)
        return ok.error();
    if (auto ok = validateTemplatePlaceholders(emailTemplate); !ok)
        return ok.error();
    Storage::EmailTemplateRepository templates(m_db);
    if (auto existing = templates.get(emailTemplate.id); !existing)
        return Error::notFound(u"template_id"_s, u"no e-mail template with id %1"_s.arg(emailTemplate.id));
    auto n = countOf(m_db,
        u"SELECT COUNT(*) FROM email_templates WHERE lower(name) = lower(?) AND deleted_at IS NULL AND id <> ?"_s,
        { emailTemplate.name, emailTemplate.id });
    if (!n)
        return n.error();
    if (*n > 0)
        return Error { ErrorCode::AlreadyExists, u"name"_s,
            u"a template named '%1' already exists"_s.arg(emailTemplate.name) };
    auto updated = templates.update(emailTemplate);
    if (updated)
        Q_EMIT templatesChanged();
    return updated;
}

Status CommunicationService::removeTemplate(qint64 templateId, int expectedVersion)
{
    auto removed = Storage::EmailTemplateRepository(m_db).softDelete(templateId, expectedVersion);
    if (!removed && removed.error().code == ErrorCode::NotFound)
        return Error::notFound(u"template_id"_s, u"no e-mail template with id %1"_s.arg(templateId));
    if (removed)
        Q_EMIT templatesChanged();
    return removed;
}

Result<Domain::EmailTemplate> CommunicationService::emailTemplate(qint64 templateId) const
{
    auto t = Storage::EmailTemplateRepository(m_db).get(templateId);
    if (!t)
        return Error::notFound(u"template_id"_s, u"no e-mail template with id %1"_s.arg(templateId));
    return t;
}

Result<Storage::Page<Domain::EmailTemplate>> CommunicationService::listTemplates(int limit, const QString &cursor) const
{
    if (auto ok = checkLimit(limit, kMaxLimit); !ok)
        return ok.error();
    Storage::ListQuery q;
    q.limit = limit;
    q.cursor = cursor;
    q.orderBy = u"name"_s;
    return Storage::EmailTemplateRepository(m_db).list(q);
}

// ---- e-mail --------------------------------------------------------------------------------------------------------

Result<EmailSendResult> CommunicationService::sendPersonalizedEmail(const EmailRequest &request)
{
    if (auto ok = requireLiveCustomer(m_db, request.customerId); !ok)
        return ok.error();
    static const QRegularExpression keyPattern(u"^[A-Za-z0-9_.:-]{1,100}$"_s);
    if (!request.requestKey.isEmpty() && !keyPattern.match(request.requestKey).hasMatch())
        return Error::invalid(u"request_key"_s, u"must be 1 to 100 letters, digits, _ . : or -"_s);
    if (request.contactIds.size() > kMaxRecipientsPerEmail)
        return Error::invalid(u"contact_ids"_s, u"at most %1 recipients per call"_s.arg(kMaxRecipientsPerEmail));

    QString subjectText = request.subject.trimmed();
    QString bodyText = request.body;
    Domain::EmailBodyFormat format = request.bodyFormat;
    std::optional<qint64> templateId;
    if (request.templateId) {
        if (!subjectText.isEmpty() || !bodyText.trimmed().isEmpty())
            return Error::invalid(u"template_id"_s, u"give either a template or a subject and body, not both"_s);
        auto t = Storage::EmailTemplateRepository(m_db).get(*request.templateId);
        if (!t)
            return Error::notFound(u"template_id"_s, u"no e-mail template with id %1"_s.arg(*request.templateId));
        subjectText = t->subject;
        bodyText = t->body;
        format = t->bodyFormat;
        templateId = t->id;
    } else {
        if (subjectText.isEmpty())
            return Error::invalid(u"subject"_s, u"is required (or give a template_id)"_s);
        if (subjectText.size() > 998)
            return Error::invalid(u"subject"_s, u"must be at most 998 characters"_s);
        if (bodyText.trimmed().isEmpty())
            return Error::invalid(u"body"_s, u"is required (or give a template_id)"_s);
        if (bodyText.size() > 200000)
            return Error::invalid(u"body"_s, u"must be at most 200000 characters"_s);
    }
    auto custom = Personalisation::customVariables(request.variables);
    if (!custom)
        return custom.error();
    for (auto it = custom->constBegin(); it != custom->constEnd(); ++it) {
        if (Personalisation::builtInPlaceholders().contains(it.key()))
            return Error::invalid(u"variables."_s + it.key(), u"is a built-in placeholder"_s);
    }

    QList<Recipient> recipients;
    if (!request.contactIds.isEmpty()) {
        QSet<qint64> seen;
        for (qint64 contactId : request.contactIds) {
            if (seen.contains(contactId))
                continue;
            seen.insert(contactId);
            auto r = Outreach::recipient(m_db, request.customerId, contactId);
            if (!r)
                return Error { r.error().code, u"contact_ids"_s, r.error().message };
            recipients << *r;
        }
    } else {
        auto r = Outreach::recipient(m_db, request.customerId, std::nullopt, request.recipientRole);
        if (!r)
            return r.error();
        recipients << *r;
    }

    const QDateTime now = m_clock.now();
    QList<Outgoing> outgoing;
    for (Recipient &r : recipients) {
        for (auto it = custom->constBegin(); it != custom->constEnd(); ++it)
            r.values.insert(it.key(), it.value());
        auto subject = Personalisation::render(subjectText, r.values, u"subject"_s);
        if (!subject)
            return Error { subject.error().code, subject.error().field,
                subject.error().message + u" (recipient %1)"_s.arg(r.contactName) };
        auto body = Personalisation::render(bodyText, r.values, u"body"_s);
        if (!body)
            return Error { body.error().code, body.error().field,
                body.error().message + u" (recipient %1)"_s.arg(r.contactName) };
        Outgoing out;
        out.recipient = r;
        out.channel = Domain::CommunicationChannel::Email;
        out.subject = subject->left(998);
        out.body = *body;
        out.format = format;
        out.templateId = templateId;
        out.sender = request.sender.isEmpty() ? r.values.value(u"csm.name"_s) : request.sender;
        if (!request.requestKey.isEmpty()) {
            out.idempotencyKey = u"email:req:%1:contact:%2"_s.arg(request.requestKey).arg(r.contactId);
        } else {
            // Same message to the same contact on the same UTC day = the same send (an agent's retry).
            const QByteArray digest
                = QCryptographicHash::hash((out.subject + u'\n' + out.body).toUtf8(), QCryptographicHash::Sha1)
                      .toHex()
                      .left(16);
            out.idempotencyKey = u"email:%1:%2:%3:%4"_s.arg(request.customerId)
                                     .arg(r.contactId)
                                     .arg(QString::fromLatin1(digest), isoDay(now.date()))
                                     .left(200);
        }
        outgoing << out;
    }

    EmailSendResult result;
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    for (const Outgoing &out : std::as_const(outgoing)) {
        auto queued = queueMessage(m_db, now, out);
        if (!queued)
            return queued.error();
        if (queued->alreadyQueued)
            ++result.alreadyQueued;
        else
            ++result.queued;
        result.messages << *queued;
    }
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    for (const QueuedMessage &m : std::as_const(result.messages)) {
        if (!m.alreadyQueued)
            Q_EMIT communicationQueued(m.communication.customerId, m.communication.id);
    }
    if (result.queued > 0)
        Q_EMIT customerActivity(request.customerId);
    return result;
}

Result<Storage::Page<Domain::Communication>> CommunicationService::listCommunications(
    const CommunicationListQuery &query) const
{
    if (auto ok = checkLimit(query.limit, kMaxLimit); !ok)
        return ok.error();
    if (auto ok = requireLiveCustomer(m_db, query.customerId); !ok)
        return ok.error();
    Storage::ListQuery q;
    q.limit = query.limit;
    q.cursor = query.cursor;
    q.descending = true;
    q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, query.customerId };
    if (query.channel)
        q.filters << Storage::Filter { u"channel"_s, Storage::Filter::Op::Eq, Domain::enumName(*query.channel) };
    if (query.status)
        q.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq, Domain::enumName(*query.status) };
    return Storage::CommunicationRepository(m_db).list(q);
}

// ---- workflows
// -------------------------------------------------------------------------------------------------------

namespace {

const QHash<QString, PlaybookStepKind> &actionKinds()
{
    static const QHash<QString, PlaybookStepKind> kinds { { u"send_email"_s, PlaybookStepKind::Email },
        { u"send_message"_s, PlaybookStepKind::Message }, { u"create_task"_s, PlaybookStepKind::Task },
        { u"add_note"_s, PlaybookStepKind::Note } };
    return kinds;
}

struct WorkflowTrigger
{
    Domain::PlaybookTrigger signal = Domain::PlaybookTrigger::Manual;
    QVariantMap normalized; // signal, the rule's keys, cooldown_days
    int cooldownDays = CommunicationService::kDefaultCooldownDays;
};

Result<WorkflowTrigger> parseWorkflowTrigger(const QVariantMap &config)
{
    RiskSignals::ConfigReader r(config, u"trigger_config"_s);
    QStringList signalNames = Domain::enumValues<Domain::PlaybookTrigger>();
    signalNames.removeAll(u"manual"_s);
    const QString signal = r.choice(u"signal"_s, QString(), signalNames);
    if (auto ok = r.status(); !ok)
        return ok.error();
    WorkflowTrigger t;
    t.signal = *Domain::enumFromString<Domain::PlaybookTrigger>(signal);
    t.normalized = RiskSignals::readRule(r, t.signal);
    t.cooldownDays = r.integer(u"cooldown_days"_s, CommunicationService::kDefaultCooldownDays, 1, 365);
    if (auto ok = r.finish(); !ok)
        return ok.error();
    t.normalized.insert(u"signal"_s, signal);
    t.normalized.insert(u"cooldown_days"_s, t.cooldownDays);
    return t;
}

struct WorkflowAction
{
    PlaybookStepKind kind = PlaybookStepKind::Task;
    QVariantMap config; // without "type"
};

Result<QList<WorkflowAction>> parseActions(const QVariantList &actions)
{
    if (actions.isEmpty())
        return Error::invalid(u"actions"_s, u"at least one action is required"_s);
    if (actions.size() > CommunicationService::kMaxActions)
        return Error::invalid(u"actions"_s, u"at most %1 actions"_s.arg(CommunicationService::kMaxActions));
    QList<WorkflowAction> parsed;
    for (int i = 0; i < actions.size(); ++i) {
        const QString field = u"actions[%1]"_s.arg(i);
        if (actions[i].typeId() != QMetaType::QVariantMap)
            return Error::invalid(field, u"must be an object"_s);
        QVariantMap config = actions[i].toMap();
        const QString type = config.take(u"type"_s).toString();
        auto kind = actionKinds().constFind(type);
        if (kind == actionKinds().constEnd()) {
            QStringList names = actionKinds().keys();
            names.sort();
            return Error::invalid(field + u".type"_s, u"must be one of %1"_s.arg(names.join(u", ")));
        }
        if (auto ok = Outreach::validate(*kind, config, field); !ok)
            return ok.error();
        parsed << WorkflowAction { *kind, config };
    }
    return parsed;
}

} // namespace

Status CommunicationService::validateWorkflow(const QVariantMap &triggerConfig, const QVariantList &actions)
{
    auto trigger = parseWorkflowTrigger(triggerConfig);
    if (!trigger)
        return trigger.error();
    auto parsed = parseActions(actions);
    if (!parsed)
        return parsed.error();
    return {};
}

Result<Domain::CommunicationWorkflow> CommunicationService::createWorkflow(
    const Domain::CommunicationWorkflow &workflow)
{
    Domain::CommunicationWorkflow w = workflow;
    if (auto ok = w.validate(); !ok)
        return ok.error();
    auto trigger = parseWorkflowTrigger(w.triggerConfig);
    if (!trigger)
        return trigger.error();
    if (auto parsed = parseActions(w.actions); !parsed)
        return parsed.error();
    w.triggerConfig = trigger->normalized;
    w.lastTriggeredAt = QDateTime();
    auto n = countOf(m_db,
        u"SELECT COUNT(*) FROM communication_workflows WHERE lower(name) = lower(?) AND deleted_at IS NULL"_s,
        { w.name });
    if (!n)
        return n.error();
    if (*n > 0)
        return Error { ErrorCode::AlreadyExists, u"name"_s, u"a workflow named '%1' already exists"_s.arg(w.name) };
    auto created = Storage::CommunicationWorkflowRepository(m_db).create(w);
    if (created)
        Q_EMIT workflowsChanged();
    return created;
}

Result<Domain::CommunicationWorkflow> CommunicationService::updateWorkflow(
    const Domain::CommunicationWorkflow &workflow)
{
    Domain::CommunicationWorkflow w = workflow;
    if (auto ok = w.validate(); !ok)
        return ok.error();
    auto trigger = parseWorkflowTrigger(w.triggerConfig);
    if (!trigger)
        return trigger.error();
    if (auto parsed = parseActions(w.actions); !parsed)
        return parsed.error();
    w.triggerConfig = trigger->normalized;
    Storage::CommunicationWorkflowRepository workflows(m_db);
    auto existing = workflows.get(w.id);
    if (!existing)
        return Error::notFound(u"workflow_id"_s, u"no workflow with id %1"_s.arg(w.id));
    w.lastTriggeredAt = existing->lastTriggeredAt;
    auto n = countOf(m_db,
        u"SELECT COUNT(*) FROM communication_workflows WHERE lower(name) = lower(?) AND deleted_at IS NULL AND id <> ?"_s,
        { w.name, w.id });
    if (!n)
        return n.error();
    if (*n > 0)
        return Error { ErrorCode::AlreadyExists, u"name"_s, u"a workflow named '%1' already exists"_s.arg(w.name) };
    auto updated = workflows.update(w);
    if (updated)
        Q_EMIT workflowsChanged();
    return updated;
}

Status CommunicationService::removeWorkflow(qint64 workflowId, int expectedVersion)
{
    auto removed = Storage::CommunicationWorkflowRepository(m_db).softDelete(workflowId, expectedVersion);
    if (!removed && removed.error().code == ErrorCode::NotFound)
        return Error::notFound(u"workflow_id"_s, u"no workflow with id %1"_s.arg(workflowId));
    if (removed)
        Q_EMIT workflowsChanged();
    return removed;
}

Result<Domain::CommunicationWorkflow> CommunicationService::workflow(qint64 workflowId) const
{
    auto w = Storage::CommunicationWorkflowRepository(m_db).get(workflowId);
    if (!w)
        return Error::notFound(u"workflow_id"_s, u"no workflow with id %1"_s.arg(workflowId));
    return w;
}

Result<Storage::Page<Domain::CommunicationWorkflow>> CommunicationService::listWorkflows(
    int limit, const QString &cursor) const
{
    if (auto ok = checkLimit(limit, kMaxLimit); !ok)
        return ok.error();
    Storage::ListQuery q;
    q.limit = limit;
    q.cursor = cursor;
    q.orderBy = u"name"_s;
    return Storage::CommunicationWorkflowRepository(m_db).list(q);
}

Result<QList<WorkflowRun>> CommunicationService::runWorkflows(std::optional<qint64> workflowId)
{
    using Repo = Storage::CommunicationWorkflowRepository;
    QString sql
        = u"SELECT %1 FROM communication_workflows WHERE deleted_at IS NULL AND is_active"_s.arg(Repo::selectList());
    QVariantList bindings;
    if (workflowId) {
        auto w = Repo(m_db).get(*workflowId);
        if (!w)
            return Error::notFound(u"workflow_id"_s, u"no workflow with id %1"_s.arg(*workflowId));
        if (!w->isActive)
            return Error::invalid(u"workflow_id"_s, u"the workflow is not active"_s);
        sql += u" AND id = ?"_s;
        bindings << *workflowId;
    }
    sql += u" ORDER BY id"_s;
    auto q = Storage::exec(m_db, sql, bindings);
    if (!q)
        return q.error();
    QList<Domain::CommunicationWorkflow> workflows;
    const QSqlRecord rec = q->record();
    while (q->next())
        workflows << Repo::fromRow(*q, rec);

    const QDateTime now = m_clock.now();
    const QString today = isoDay(now.date());
    QList<WorkflowRun> runs;
    QSet<QString> touched;
    QList<QPair<QString, qint64>> queuedMessages;
    for (const Domain::CommunicationWorkflow &w : std::as_const(workflows)) {
        WorkflowRun run;
        run.workflowId = w.id;
        run.workflowName = w.name;
        auto trigger = parseWorkflowTrigger(w.triggerConfig);
        auto actions = parseActions(w.actions);
        if (!trigger || !actions) {
            run.errors << (trigger ? actions.error().toString() : trigger.error().toString());
            runs << run;
            continue;
        }
        run.signal = Domain::enumName(trigger->signal);
        auto matches = RiskSignals::evaluate(m_db, now, trigger->signal, trigger->normalized);
        if (!matches) {
            run.errors << matches.error().toString();
            runs << run;
            continue;
        }
        run.matched = int(matches->size());
        auto recent = Storage::exec(m_db,
            u"SELECT DISTINCT customer_id FROM timeline_events WHERE source_table = 'communication_workflows' "
            "AND source_id = ? AND occurred_at >= ?"_s,
            { QString::number(w.id), sqlTime(now.addDays(-trigger->cooldownDays)) });
        if (!recent)
            return recent.error();
        QSet<QString> cooling;
        while (recent->next())
            cooling.insert(recent->value(0).toString());

        for (const RiskSignals::SignalMatch &m : std::as_const(*matches)) {
            if (cooling.contains(m.customerId)) {
                ++run.inCooldown;
                continue;
            }
            Storage::Transaction tx(m_db);
            if (!tx.isActive())
                return tx.beginError();
            int performed = 0;
            QVariantList done;
            for (int i = 0; i < actions->size(); ++i) {
                const WorkflowAction &a = actions->at(i);
                OutreachRequest request;
                request.customerId = m.customerId;
                request.kind = a.kind;
                request.config = a.config;
                request.idempotencyKey
                    = u"workflow:%1:%2:%3:%4"_s.arg(w.id).arg(m.customerId).arg(i).arg(today).left(200);
                request.taskSource = Domain::CsmTaskSource::Playbook;
                request.sourceRef = u"workflow:%1"_s.arg(w.id);
                request.workflowId = w.id;
                request.actor = u"workflow:%1"_s.arg(w.name).left(200);
                Storage::Transaction action(m_db);
                if (!action.isActive())
                    return action.beginError();
                auto result = Outreach::perform(m_db, now, request);
                if (!result) {
                    action.rollback();
                    if (result.error().code == ErrorCode::Storage)
                        return result.error();
                    ++run.actionsFailed;
                    if (run.errors.size() < 50)
                        run.errors << u"%1: actions[%2]: %3"_s.arg(m.customerId).arg(i).arg(result.error().toString());
                    continue;
                }
                if (auto ok = action.commit(); !ok)
                    return ok.error();
                ++performed;
                done << result->summary;
                if (result->message && !result->message->alreadyQueued)
                    queuedMessages << qMakePair(m.customerId, result->message->communication.id);
            }
            if (performed == 0) {
                tx.rollback();
                continue;
            }
            if (auto ok = insertTimeline(m_db, m.customerId, now, Domain::TimelineEventKind::Campaign,
                    u"Workflow “%1” ran: %2"_s.arg(w.name, m.summary),
                    { { u"workflow_id"_s, w.id }, { u"signal"_s, m.context }, { u"actions"_s, done } },
                    u"communication_workflows"_s, QString::number(w.id), u"workflow:%1"_s.arg(w.name));
                !ok)
                return ok.error();
            if (auto ok = tx.commit(); !ok)
                return ok.error();
            run.actionsPerformed += performed;
            ++run.fired;
            touched.insert(m.customerId);
        }
        if (run.fired > 0) {
            auto stamped = Storage::exec(m_db,
                u"UPDATE communication_workflows SET last_triggered_at = ?, updated_at = %1 WHERE id = ?"_s.arg(
                    Storage::nowExpression(m_db.dialect())),
                { sqlTime(now), w.id });
            if (!stamped)
                return stamped.error();
        }
        runs << run;
    }
    for (const auto &[customerId, communicationId] : std::as_const(queuedMessages))
        Q_EMIT communicationQueued(customerId, communicationId);
    for (const QString &customerId : std::as_const(touched))
        Q_EMIT customerActivity(customerId);
    if (!touched.isEmpty())
        Q_EMIT workflowsChanged();
    return runs;
}

// ---- newsletters
// -----------------------------------------------------------------------------------------------------

Status CommunicationService::validateAudience(const QVariantMap &audience) const
{
    for (auto it = audience.constBegin(); it != audience.constEnd(); ++it) {
        if (it.key() != u"segment_id"_s && it.key() != u"criteria"_s && it.key() != u"contact_roles"_s)
            return Error::invalid(
                u"audience."_s + it.key(), u"is not a known setting (known: contact_roles, criteria, segment_id)"_s);
    }
    if (audience.contains(u"segment_id"_s) && audience.contains(u"criteria"_s))
        return Error::invalid(u"audience"_s, u"give either segment_id or criteria, not both"_s);
    if (audience.contains(u"segment_id"_s)) {
        RiskSignals::ConfigReader r(audience, u"audience"_s);
        const int segmentId = r.integer(u"segment_id"_s, 0, 1, std::numeric_limits<int>::max());
        if (auto ok = r.status(); !ok)
            return ok;
        auto n = countOf(m_db, u"SELECT COUNT(*) FROM segments WHERE id = ? AND deleted_at IS NULL"_s, { segmentId });
        if (!n)
            return n.error();
        if (*n == 0)
            return Error::notFound(u"audience.segment_id"_s, u"no segment with id %1"_s.arg(segmentId));
    }
    if (audience.contains(u"criteria"_s)) {
        if (audience.value(u"criteria"_s).typeId() != QMetaType::QVariantMap)
            return Error::invalid(u"audience.criteria"_s, u"must be an object of segment criteria"_s);
        if (auto ok = SegmentService::validateCriteria(audience.value(u"criteria"_s).toMap()); !ok)
            return Error { ok.error().code, u"audience."_s + ok.error().field, ok.error().message };
    }
    if (audience.contains(u"contact_roles"_s)) {
        const QVariant roles = audience.value(u"contact_roles"_s);
        if (roles.typeId() != QMetaType::QVariantList && roles.typeId() != QMetaType::QStringList)
            return Error::invalid(u"audience.contact_roles"_s, u"must be a list of contact roles"_s);
        for (const QVariant &role : roles.toList()) {
            if (!contactRoleNames().contains(role.toString()))
                return Error::invalid(u"audience.contact_roles"_s,
                    u"'%1' is not one of %2"_s.arg(role.toString(), contactRoleNames().join(u", ")));
        }
    }
    return {};
}

namespace {

Result<QVariantMap> normalizeSchedule(const QVariantMap &schedule)
{
    RiskSignals::ConfigReader r(schedule, u"schedule"_s);
    const QString cadence = r.choice(u"cadence"_s, u"none"_s, { u"none"_s, u"weekly"_s, u"monthly"_s, u"quarterly"_s });
    int day = 0;
    if (cadence == u"weekly"_s)
        day = r.integer(u"day"_s, 1, 1, 7);
    else if (cadence != u"none"_s)
        day = r.integer(u"day"_s, 1, 1, 28);
    if (auto ok = r.finish(); !ok)
        return ok.error();
    QVariantMap normalized { { u"cadence"_s, cadence } };
    if (day > 0)
        normalized.insert(u"day"_s, day);
    return normalized;
}

} // namespace

Result<Domain::Newsletter> CommunicationService::createNewsletter(const Domain::Newsletter &newsletter)
{
    Domain::Newsletter n = newsletter;
    if (auto ok = n.validate(); !ok)
        return ok.error();
    if (auto ok = validateAudience(n.audience); !ok)
        return ok.error();
    auto schedule = normalizeSchedule(n.schedule);
    if (!schedule)
        return schedule.error();
    n.schedule = *schedule;
    if (n.templateId) {
        if (auto t = Storage::EmailTemplateRepository(m_db).get(*n.templateId); !t)
            return Error::notFound(u"template_id"_s, u"no e-mail template with id %1"_s.arg(*n.templateId));
    }
    auto taken = countOf(
        m_db, u"SELECT COUNT(*) FROM newsletters WHERE lower(name) = lower(?) AND deleted_at IS NULL"_s, { n.name });
    if (!taken)
        return taken.error();
    if (*taken > 0)
        return Error { ErrorCode::AlreadyExists, u"name"_s, u"a newsletter named '%1' already exists"_s.arg(n.name) };
    auto created = Storage::NewsletterRepository(m_db).create(n);
    if (created)
        Q_EMIT newslettersChanged();
    return created;
}

Result<Domain::Newsletter> CommunicationService::updateNewsletter(const Domain::Newsletter &newsletter)
{
    Domain::Newsletter n = newsletter;
    if (auto ok = n.validate(); !ok)
        return ok.error();
    if (auto ok = validateAudience(n.audience); !ok)
        return ok.error();
    auto schedule = normalizeSchedule(n.schedule);
    if (!schedule)
        return schedule.error();
    n.schedule = *schedule;
    Storage::NewsletterRepository newsletters(m_db);
    if (auto existing = newsletters.get(n.id); !existing)
        return Error::notFound(u"newsletter_id"_s, u"no newsletter with id %1"_s.arg(n.id));
    if (n.templateId) {
        if (auto t = Storage::EmailTemplateRepository(m_db).get(*n.templateId); !t)
            return Error::notFound(u"template_id"_s, u"no e-mail template with id %1"_s.arg(*n.templateId));
    }
    auto taken = countOf(m_db,
        u"SELECT COUNT(*) FROM newsletters WHERE lower(name) = lower(?) AND deleted_at IS NULL AND id <> ?"_s,
        { n.name, n.id });
    if (!taken)
        return taken.error();
    if (*taken > 0)
        return Error { ErrorCode::AlreadyExists, u"name"_s, u"a newsletter named '%1' already exists"_s.arg(n.name) };
    auto updated = newsletters.update(n);
    if (updated)
        Q_EMIT newslettersChanged();
    return updated;
}

Result<Domain::Newsletter> CommunicationService::newsletter(qint64 newsletterId) const
{
    auto n = Storage::NewsletterRepository(m_db).get(newsletterId);
    if (!n)
        return Error::notFound(u"newsletter_id"_s, u"no newsletter with id %1"_s.arg(newsletterId));
    return n;
}

Result<Storage::Page<Domain::Newsletter>> CommunicationService::listNewsletters(int limit, const QString &cursor) const
{
    if (auto ok = checkLimit(limit, kMaxLimit); !ok)
        return ok.error();
    Storage::ListQuery q;
    q.limit = limit;
    q.cursor = cursor;
    q.orderBy = u"name"_s;
    return Storage::NewsletterRepository(m_db).list(q);
}

Result<QList<Recipient>> CommunicationService::audienceRecipients(
    const Domain::Newsletter &newsletter, NewsletterAudience *count) const
{
    SegmentService segments(m_db, m_clock);
    const QVariantMap &a = newsletter.audience;
    auto compiled = a.contains(u"segment_id"_s) ? segments.compileSegment(a.value(u"segment_id"_s).toLongLong())
                                                : segments.compile(a.value(u"criteria"_s).toMap());
    if (!compiled)
        return compiled.error();
    const QString audienceCustomers
        = u"SELECT id FROM customers WHERE (%1) AND deleted_at IS NULL AND status <> 'churned'"_s.arg(
            compiled->condition);
    QString roleCondition;
    QVariantList roleBindings;
    const QVariantList roles = a.value(u"contact_roles"_s).toList();
    if (!roles.isEmpty()) {
        QStringList marks;
        for (const QVariant &role : roles) {
            marks << u"?"_s;
            roleBindings << role.toString();
        }
        roleCondition = u" AND ct.role IN (%1)"_s.arg(marks.join(u", "));
    }
    if (count) {
        count->newsletterId = newsletter.id;
        count->description = compiled->description;
        auto customers = countOf(m_db, u"SELECT COUNT(*) FROM ("_s + audienceCustomers + u") a"_s, compiled->bindings);
        if (!customers)
            return customers.error();
        count->customers = *customers;
        auto withoutEmail = countOf(m_db,
            u"SELECT COUNT(*) FROM contacts ct WHERE ct.deleted_at IS NULL AND ct.email IS NULL AND ct.customer_id IN ("_s
                + audienceCustomers + u")"_s + roleCondition,
            compiled->bindings + roleBindings);
        if (!withoutEmail)
            return withoutEmail.error();
        count->contactsWithoutEmail = *withoutEmail;
    }
    auto q = Storage::exec(m_db,
        u"SELECT "_s + kLiveCustomerRecipientColumns
            + u" FROM contacts ct JOIN customers cu ON cu.id = ct.customer_id WHERE ct.deleted_at IS NULL AND "
              "ct.email IS NOT NULL AND ct.customer_id IN ("_s
            + audienceCustomers + u")"_s + roleCondition + u" ORDER BY ct.customer_id, ct.id"_s,
        compiled->bindings + roleBindings);
    if (!q)
        return q.error();
    QList<Recipient> recipients;
    while (q->next())
        recipients << recipientFromRow(*q);
    if (count)
        count->recipients = recipients.size();
    return recipients;
}

Result<NewsletterAudience> CommunicationService::audience(qint64 newsletterId) const
{
    auto n = newsletter(newsletterId);
    if (!n)
        return n.error();
    NewsletterAudience count;
    auto recipients = audienceRecipients(*n, &count);
    if (!recipients)
        return recipients.error();
    return count;
}

Result<Domain::NewsletterEdition> CommunicationService::createEdition(const Domain::NewsletterEdition &edition)
{
    Domain::NewsletterEdition e = edition;
    e.status = Domain::NewsletterEditionStatus::Draft;
    e.scheduledFor = QDateTime();
    e.sentAt = QDateTime();
    e.recipientCount = 0;
    if (auto ok = e.validate(); !ok)
        return ok.error();
    if (auto ok = validateSections(e.sections); !ok)
        return ok.error();
    if (auto n = Storage::NewsletterRepository(m_db).get(e.newsletterId); !n)
        return Error::notFound(u"newsletter_id"_s, u"no newsletter with id %1"_s.arg(e.newsletterId));
    auto created = Storage::NewsletterEditionRepository(m_db).create(e);
    if (created)
        Q_EMIT newslettersChanged();
    return created;
}

Result<Domain::NewsletterEdition> CommunicationService::updateEdition(const Domain::NewsletterEdition &edition)
{
    Storage::NewsletterEditionRepository editions(m_db);
    auto existing = editions.get(edition.id);
    if (!existing)
        return Error::notFound(u"edition_id"_s, u"no newsletter edition with id %1"_s.arg(edition.id));
    if (existing->status == Domain::NewsletterEditionStatus::Sent)
        return Error::invalid(u"status"_s, u"a sent edition cannot change"_s);
    Domain::NewsletterEdition e = edition;
    e.newsletterId = existing->newsletterId;
    e.status = existing->status;
    e.scheduledFor = existing->scheduledFor;
    e.sentAt = existing->sentAt;
    e.recipientCount = existing->recipientCount;
    if (auto ok = e.validate(); !ok)
        return ok.error();
    if (auto ok = validateSections(e.sections); !ok)
        return ok.error();
    auto updated = editions.update(e);
    if (updated)
        Q_EMIT newslettersChanged();
    return updated;
}

Result<Domain::NewsletterEdition> CommunicationService::edition(qint64 editionId) const
{
    auto e = Storage::NewsletterEditionRepository(m_db).get(editionId);
    if (!e)
        return Error::notFound(u"edition_id"_s, u"no newsletter edition with id %1"_s.arg(editionId));
    return e;
}

Result<Storage::Page<Domain::NewsletterEdition>> CommunicationService::listEditions(
    qint64 newsletterId, int limit, const QString &cursor) const
{
    if (auto ok = checkLimit(limit, kMaxLimit); !ok)
        return ok.error();
    if (auto n = newsletter(newsletterId); !n)
        return n.error();
    Storage::ListQuery q;
    q.limit = limit;
    q.cursor = cursor;
    q.descending = true;
    q.filters << Storage::Filter { u"newsletter_id"_s, Storage::Filter::Op::Eq, newsletterId };
    return Storage::NewsletterEditionRepository(m_db).list(q);
}

Result<Domain::NewsletterEdition> CommunicationService::scheduleEdition(qint64 editionId, const QDateTime &when)
{
    Storage::NewsletterEditionRepository editions(m_db);
    auto e = editions.get(editionId);
    if (!e)
        return Error::notFound(u"edition_id"_s, u"no newsletter edition with id %1"_s.arg(editionId));
    if (e->status == Domain::NewsletterEditionStatus::Sent)
        return Error::invalid(u"status"_s, u"the edition was already sent"_s);
    if (!when.isValid())
        return Error::invalid(u"scheduled_for"_s, u"is required"_s);
    if (when < m_clock.now().addSecs(-60))
        return Error::invalid(u"scheduled_for"_s, u"is in the past"_s);
    if (e->sections.isEmpty())
        return Error::invalid(u"sections"_s, u"an edition needs at least one section before it is scheduled"_s);
    auto n = newsletter(e->newsletterId);
    if (!n)
        return n.error();
    NewsletterAudience count;
    auto recipients = audienceRecipients(*n, &count);
    if (!recipients)
        return recipients.error();
    Domain::NewsletterEdition changed = *e;
    changed.status = Domain::NewsletterEditionStatus::Scheduled;
    changed.scheduledFor = when.toUTC();
    changed.recipientCount = int(count.recipients);
    auto updated = editions.update(changed);
    if (updated)
        Q_EMIT newslettersChanged();
    return updated;
}

Result<EditionSendResult> CommunicationService::sendEdition(qint64 editionId)
{
    Storage::NewsletterEditionRepository editions(m_db);
    auto e = editions.get(editionId);
    if (!e)
        return Error::notFound(u"edition_id"_s, u"no newsletter edition with id %1"_s.arg(editionId));
    if (e->status == Domain::NewsletterEditionStatus::Sent)
        return Error::invalid(u"status"_s, u"the edition was already sent"_s);
    if (e->sections.isEmpty())
        return Error::invalid(u"sections"_s, u"an edition needs at least one section"_s);
    auto n = newsletter(e->newsletterId);
    if (!n)
        return n.error();
    if (!n->isActive)
        return Error::invalid(u"newsletter_id"_s, u"the newsletter is not active"_s);
    auto recipients = audienceRecipients(*n, nullptr);
    if (!recipients)
        return recipients.error();
    if (recipients->isEmpty())
        return Error::invalid(u"audience"_s, u"the audience has no contact with an e-mail address"_s);

    QString subjectText = e->title;
    QString bodyText = sectionsText(e->sections);
    Domain::EmailBodyFormat format = Domain::EmailBodyFormat::Text;
    std::optional<qint64> templateId;
    if (n->templateId) {
        auto t = Storage::EmailTemplateRepository(m_db).get(*n->templateId);
        if (!t)
            return Error::notFound(u"template_id"_s, u"the newsletter's template %1 is gone"_s.arg(*n->templateId));
        subjectText = t->subject;
        bodyText = t->body;
        format = t->bodyFormat;
        templateId = t->id;
    }
    const QString content = sectionsText(e->sections);
    const QDateTime now = m_clock.now();
    EditionSendResult result;
    QList<QPair<QString, qint64>> queuedIds;
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    for (Recipient r : std::as_const(*recipients)) {
        // The sections are personalised first, so that a placeholder inside them is never sent literally when
        // a template carries them as {{edition.content}}.
        auto personalContent = Personalisation::render(content, r.values, u"sections"_s);
        if (personalContent)
            r.values.insert(u"edition.content"_s, *personalContent);
        r.values.insert(u"edition.title"_s, e->title);
        auto subject = personalContent ? Personalisation::render(subjectText, r.values, u"subject"_s)
                                       : Result<QString>(personalContent.error());
        auto body = subject ? Personalisation::render(bodyText, r.values, u"body"_s) : Result<QString>(subject.error());
        if (!subject || !body) {
            ++result.failed;
            if (result.errors.size() < 50)
                result.errors << u"%1 (contact %2): %3"_s.arg(r.customerId)
                                     .arg(r.contactId)
                                     .arg((subject ? body.error() : subject.error()).toString());
            continue;
        }
        Outgoing out;
        out.recipient = r;
        out.channel = Domain::CommunicationChannel::Email;
        out.subject = subject->left(998);
        out.body = *body;
        out.format = format;
        out.templateId = templateId;
        out.sender = r.values.value(u"csm.name"_s);
        out.idempotencyKey = u"newsletter_edition:%1:contact:%2"_s.arg(editionId).arg(r.contactId);
        auto queued = queueMessage(m_db, now, out);
        if (!queued)
            return queued.error();
        if (queued->alreadyQueued) {
            ++result.alreadyQueued;
        } else {
            ++result.queued;
            queuedIds << qMakePair(r.customerId, queued->communication.id);
        }
    }
    Domain::NewsletterEdition changed = *e;
    changed.status = Domain::NewsletterEditionStatus::Sent;
    changed.sentAt = now;
    if (!changed.scheduledFor.isValid())
        changed.scheduledFor = now;
    changed.recipientCount = result.queued + result.alreadyQueued;
    auto updated = editions.update(changed);
    if (!updated)
        return updated.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    result.edition = *updated;
    QSet<QString> customers;
    for (const auto &[customerId, communicationId] : std::as_const(queuedIds)) {
        Q_EMIT communicationQueued(customerId, communicationId);
        customers.insert(customerId);
    }
    for (const QString &customerId : std::as_const(customers))
        Q_EMIT customerActivity(customerId);
    Q_EMIT newslettersChanged();
    return result;
}

Result<QList<EditionSendResult>> CommunicationService::sendDueEditions()
{
    auto q = Storage::exec(m_db,
        u"SELECT id FROM newsletter_editions WHERE deleted_at IS NULL AND status = 'scheduled' AND scheduled_for <= ? "
        "ORDER BY scheduled_for, id"_s,
        { sqlTime(m_clock.now()) });
    if (!q)
        return q.error();
    QList<qint64> due;
    while (q->next())
        due << q->value(0).toLongLong();
    QList<EditionSendResult> results;
    for (qint64 id : std::as_const(due)) {
        auto sent = sendEdition(id);
        if (!sent) {
            if (sent.error().code == ErrorCode::Storage)
                return sent.error();
            qCWarning(lcCommunications) << "newsletter edition" << id << "not sent:" << sent.error().toString();
            EditionSendResult failed;
            if (auto e = edition(id))
                failed.edition = *e;
            failed.errors << sent.error().toString();
            results << failed;
            continue;
        }
        results << *sent;
    }
    return results;
}

// ---- community
// -------------------------------------------------------------------------------------------------------

Result<Domain::CommunityMember> CommunicationService::addMember(const Domain::CommunityMember &member)
{
    Domain::CommunityMember m = member;
    m.handle = m.handle.trimmed();
    if (!m.joinedAt.isValid())
        m.joinedAt = m_clock.now();
    if (auto ok = m.validate(); !ok)
        return ok.error();
    if (auto ok = requireLiveCustomer(m_db, m.customerId); !ok)
        return ok.error();
    if (auto ok = requireContactOf(m_db, m.contactId, m.customerId); !ok)
        return ok.error();
    auto taken = countOf(m_db,
        u"SELECT COUNT(*) FROM community_members WHERE lower(handle) = lower(?) AND deleted_at IS NULL"_s,
        { m.handle });
    if (!taken)
        return taken.error();
    if (*taken > 0)
        return Error { ErrorCode::AlreadyExists, u"handle"_s, u"the handle '%1' is taken"_s.arg(m.handle) };
    auto created = Storage::CommunityMemberRepository(m_db).create(m);
    if (created)
        Q_EMIT communityChanged();
    return created;
}

Result<Domain::CommunityMember> CommunicationService::updateMember(const Domain::CommunityMember &member)
{
    Domain::CommunityMember m = member;
    m.handle = m.handle.trimmed();
    if (auto ok = m.validate(); !ok)
        return ok.error();
    Storage::CommunityMemberRepository members(m_db);
    auto existing = members.get(m.id);
    if (!existing)
        return Error::notFound(u"member_id"_s, u"no community member with id %1"_s.arg(m.id));
    m.customerId = existing->customerId;
    if (auto ok = requireContactOf(m_db, m.contactId, m.customerId); !ok)
        return ok.error();
    auto taken = countOf(m_db,
        u"SELECT COUNT(*) FROM community_members WHERE lower(handle) = lower(?) AND deleted_at IS NULL AND id <> ?"_s,
        { m.handle, m.id });
    if (!taken)
        return taken.error();
    if (*taken > 0)
        return Error { ErrorCode::AlreadyExists, u"handle"_s, u"the handle '%1' is taken"_s.arg(m.handle) };
    auto updated = members.update(m);
    if (updated)
        Q_EMIT communityChanged();
    return updated;
}

Result<Domain::CommunityMember> CommunicationService::member(qint64 memberId) const
{
    auto member = Storage::CommunityMemberRepository(m_db).get(memberId);
    if (!member && member.error().code == ErrorCode::NotFound)
        return Error::notFound(u"member_id"_s, u"no community member with id %1"_s.arg(memberId));
    return member;
}

Result<Storage::Page<Domain::CommunityMember>> CommunicationService::listMembers(
    const CommunityMemberQuery &query) const
{
    if (auto ok = checkLimit(query.limit, kMaxLimit); !ok)
        return ok.error();
    Storage::ListQuery q;
    q.limit = query.limit;
    q.cursor = query.cursor;
    q.orderBy = u"handle"_s;
    if (!query.customerId.isEmpty())
        q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, query.customerId };
    if (query.status)
        q.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq, Domain::enumName(*query.status) };
    return Storage::CommunityMemberRepository(m_db).list(q);
}

Result<Domain::CommunityPost> CommunicationService::createPost(const Domain::CommunityPost &post)
{
    Domain::CommunityPost p = post;
    if (!p.postedAt.isValid())
        p.postedAt = m_clock.now();
    if (auto ok = p.validate(); !ok)
        return ok.error();
    auto member = Storage::CommunityMemberRepository(m_db).get(p.memberId);
    if (!member)
        return Error::notFound(u"member_id"_s, u"no community member with id %1"_s.arg(p.memberId));
    if (member->status != Domain::CommunityMemberStatus::Active)
        return Error::invalid(u"member_id"_s, u"the member is %1"_s.arg(Domain::enumName(member->status)));
    auto created = Storage::CommunityPostRepository(m_db).create(p);
    if (created)
        Q_EMIT communityChanged();
    return created;
}

Result<Domain::CommunityPost> CommunicationService::updatePost(const Domain::CommunityPost &post)
{
    if (auto ok = post.validate(); !ok)
        return ok.error();
    Storage::CommunityPostRepository posts(m_db);
    if (auto existing = posts.get(post.id); !existing)
        return Error::notFound(u"post_id"_s, u"no community post with id %1"_s.arg(post.id));
    auto updated = posts.update(post);
    if (updated)
        Q_EMIT communityChanged();
    return updated;
}

Result<Storage::Page<Domain::CommunityPost>> CommunicationService::listPosts(const CommunityPostQuery &query) const
{
    if (auto ok = checkLimit(query.limit, kMaxLimit); !ok)
        return ok.error();
    Storage::ListQuery q;
    q.limit = query.limit;
    q.cursor = query.cursor;
    q.descending = true;
    if (query.memberId)
        q.filters << Storage::Filter { u"member_id"_s, Storage::Filter::Op::Eq, *query.memberId };
    if (query.kind)
        q.filters << Storage::Filter { u"kind"_s, Storage::Filter::Op::Eq, Domain::enumName(*query.kind) };
    if (query.status)
        q.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq, Domain::enumName(*query.status) };
    return Storage::CommunityPostRepository(m_db).list(q);
}

Result<CommunityStats> CommunicationService::communityStats(QDate from, QDate to) const
{
    CommunityStats s;
    s.to = to.isValid() ? to : m_clock.today();
    s.from = from.isValid() ? from : s.to.addDays(-89);
    if (s.from > s.to)
        return Error::invalid(u"from"_s, u"must not be after to"_s);
    auto members = Storage::exec(
        m_db, u"SELECT status, COUNT(*) FROM community_members WHERE deleted_at IS NULL GROUP BY status"_s);
    if (!members)
        return members.error();
    qint64 memberCount = 0;
    while (members->next()) {
        s.membersByStatus.insert(members->value(0).toString(), members->value(1).toLongLong());
        memberCount += members->value(1).toLongLong();
    }
    if (memberCount == 0) {
        s.reason = u"no community members yet"_s;
        return s;
    }
    s.hasData = true;
    const QVariantList period { sqlTime(startOfDay(s.from)), sqlTime(startOfDay(s.to.addDays(1))) };
    auto posts = Storage::exec(m_db,
        u"SELECT p.kind, p.status, COUNT(*), SUM(p.reply_count) FROM community_posts p JOIN community_members m ON "
        "m.id = p.member_id WHERE p.deleted_at IS NULL AND m.deleted_at IS NULL AND p.posted_at >= ? AND "
        "p.posted_at < ? GROUP BY p.kind, p.status"_s,
        period);
    if (!posts)
        return posts.error();
    qint64 replies = 0;
    while (posts->next()) {
        const QString kind = posts->value(0).toString();
        const QString status = posts->value(1).toString();
        const qint64 n = posts->value(2).toLongLong();
        s.posts += n;
        replies += posts->value(3).toLongLong();
        s.postsByKind[kind] += n;
        s.postsByStatus[status] += n;
        if (kind == u"question"_s) {
            s.questions += n;
            if (status == u"answered"_s)
                s.questionsAnswered += n;
        }
    }
    if (s.questions > 0)
        s.answerRate = double(s.questionsAnswered) / double(s.questions);
    if (s.posts > 0)
        s.repliesPerPost = double(replies) / double(s.posts);
    auto top = Storage::exec(m_db,
        u"SELECT m.id, m.handle, m.customer_id, COUNT(*), SUM(p.upvotes) FROM community_posts p JOIN "
        "community_members m ON m.id = p.member_id WHERE p.deleted_at IS NULL AND m.deleted_at IS NULL AND "
        "p.posted_at >= ? AND p.posted_at < ? GROUP BY m.id, m.handle, m.customer_id "
        "ORDER BY COUNT(*) DESC, SUM(p.upvotes) DESC, m.id LIMIT 5"_s,
        period);
    if (!top)
        return top.error();
    while (top->next()) {
        s.topContributors << CommunityContributor { top->value(0).toLongLong(), top->value(1).toString(),
            top->value(2).toString(), top->value(3).toLongLong(), top->value(4).toLongLong() };
    }
    return s;
}

// ---- advocacy
// --------------------------------------------------------------------------------------------------------

Status CommunicationService::recomputeAdvocate(qint64 advocateId, Domain::Advocate *out)
{
    auto points = countOf(m_db,
        u"SELECT COALESCE(SUM(points), 0) FROM advocacy_contributions WHERE advocate_id = ? AND deleted_at IS NULL"_s,
        { advocateId });
    if (!points)
        return points.error();
    const int total = int(std::min<qint64>(*points, std::numeric_limits<int>::max()));
    auto updated = Storage::exec(m_db,
        u"UPDATE advocates SET points = ?, tier = ?, version = version + 1, updated_at = %1 WHERE id = ?"_s.arg(
            Storage::nowExpression(m_db.dialect())),
        { total, Domain::enumName(AdvocacyRules::tierFor(total)), advocateId });
    if (!updated)
        return updated.error();
    if (out) {
        auto a = Storage::AdvocateRepository(m_db).get(advocateId);
        if (!a)
            return a.error();
        *out = *a;
    }
    return {};
}

Result<Domain::Advocate> CommunicationService::addAdvocate(const Domain::Advocate &advocate)
{
    Domain::Advocate a = advocate;
    a.points = 0;
    a.tier = AdvocacyRules::tierFor(0);
    if (!a.joinedOn.isValid())
        a.joinedOn = m_clock.today();
    if (auto ok = a.validate(); !ok)
        return ok.error();
    if (auto ok = requireLiveCustomer(m_db, a.customerId); !ok)
        return ok.error();
    if (auto ok = requireContactOf(m_db, a.contactId, a.customerId); !ok)
        return ok.error();
    if (a.contactId) {
        auto taken = countOf(
            m_db, u"SELECT COUNT(*) FROM advocates WHERE contact_id = ? AND deleted_at IS NULL"_s, { *a.contactId });
        if (!taken)
            return taken.error();
        if (*taken > 0)
            return Error { ErrorCode::AlreadyExists, u"contact_id"_s, u"this contact is already an advocate"_s };
    }
    auto created = Storage::AdvocateRepository(m_db).create(a);
    if (created)
        Q_EMIT advocacyChanged(created->id);
    return created;
}

Result<Domain::Advocate> CommunicationService::updateAdvocate(const Domain::Advocate &advocate)
{
    Storage::AdvocateRepository advocates(m_db);
    auto existing = advocates.get(advocate.id);
    if (!existing)
        return Error::notFound(u"advocate_id"_s, u"no advocate with id %1"_s.arg(advocate.id));
    Domain::Advocate a = advocate;
    a.customerId = existing->customerId;
    a.points = existing->points;
    a.tier = existing->tier;
    if (auto ok = a.validate(); !ok)
        return ok.error();
    if (auto ok = requireContactOf(m_db, a.contactId, a.customerId); !ok)
        return ok.error();
    if (a.contactId) {
        auto taken
            = countOf(m_db, u"SELECT COUNT(*) FROM advocates WHERE contact_id = ? AND deleted_at IS NULL AND id <> ?"_s,
                { *a.contactId, a.id });
        if (!taken)
            return taken.error();
        if (*taken > 0)
            return Error { ErrorCode::AlreadyExists, u"contact_id"_s, u"this contact is already an advocate"_s };
    }
    auto updated = advocates.update(a);
    if (updated)
        Q_EMIT advocacyChanged(a.id);
    return updated;
}

Result<AdvocateDetail> CommunicationService::advocate(qint64 advocateId) const
{
    auto a = Storage::AdvocateRepository(m_db).get(advocateId);
    if (!a)
        return Error::notFound(u"advocate_id"_s, u"no advocate with id %1"_s.arg(advocateId));
    AdvocateDetail d;
    d.advocate = *a;
    if (a->contactId) {
        auto q = Storage::exec(m_db, u"SELECT name FROM contacts WHERE id = ?"_s, { *a->contactId });
        if (!q)
            return q.error();
        if (q->next())
            d.contactName = q->value(0).toString();
    }
    using Repo = Storage::AdvocacyContributionRepository;
    auto q = Storage::exec(m_db,
        u"SELECT %1 FROM advocacy_contributions WHERE advocate_id = ? AND deleted_at IS NULL ORDER BY occurred_on "
        u"DESC, "
        "id DESC LIMIT 200"_s.arg(Repo::selectList()),
        { advocateId });
    if (!q)
        return q.error();
    const QSqlRecord rec = q->record();
    while (q->next())
        d.contributions << Repo::fromRow(*q, rec);
    using T = Domain::AdvocateTier;
    for (T tier : { T::Silver, T::Gold, T::Platinum }) {
        if (a->points < AdvocacyRules::tierThreshold(tier)) {
            d.nextTier = tier;
            d.pointsToNextTier = AdvocacyRules::tierThreshold(tier) - a->points;
            break;
        }
    }
    return d;
}

Result<Storage::Page<Domain::Advocate>> CommunicationService::listAdvocates(const AdvocateQuery &query) const
{
    if (auto ok = checkLimit(query.limit, kMaxLimit); !ok)
        return ok.error();
    Storage::ListQuery q;
    q.limit = query.limit;
    q.cursor = query.cursor;
    q.orderBy = u"points"_s;
    q.descending = true;
    if (!query.customerId.isEmpty())
        q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, query.customerId };
    if (query.tier)
        q.filters << Storage::Filter { u"tier"_s, Storage::Filter::Op::Eq, Domain::enumName(*query.tier) };
    if (query.status)
        q.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq, Domain::enumName(*query.status) };
    return Storage::AdvocateRepository(m_db).list(q);
}

Result<ContributionResult> CommunicationService::recordContribution(
    qint64 advocateId, Domain::ContributionKind kind, QDate occurredOn, const QString &description)
{
    if (!Domain::isKnown(kind))
        return Error::invalid(
            u"kind"_s, u"is not one of "_s + Domain::enumValues<Domain::ContributionKind>().join(u", "));
    if (!occurredOn.isValid())
        occurredOn = m_clock.today();
    if (occurredOn > m_clock.today())
        return Error::invalid(u"occurred_on"_s, u"is in the future"_s);
    auto a = Storage::AdvocateRepository(m_db).get(advocateId);
    if (!a)
        return Error::notFound(u"advocate_id"_s, u"no advocate with id %1"_s.arg(advocateId));
    Domain::AdvocacyContribution c;
    c.advocateId = advocateId;
    c.kind = kind;
    c.points = AdvocacyRules::pointsFor(kind);
    c.occurredOn = occurredOn;
    c.description = description.trimmed();
    if (auto ok = c.validate(); !ok)
        return ok.error();
    ContributionResult result;
    result.previousTier = a->tier;
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto created = Storage::AdvocacyContributionRepository(m_db).create(c);
    if (!created)
        return created.error();
    if (auto ok = recomputeAdvocate(advocateId, &result.advocate); !ok)
        return ok.error();
    result.contribution = *created;
    result.tierChanged = result.advocate.tier != result.previousTier;
    QString title = u"Advocacy: %1 (+%2 points, %3 in total)"_s.arg(Domain::enumName(kind))
                        .arg(c.points)
                        .arg(result.advocate.points);
    if (result.tierChanged)
        title += u", now %1"_s.arg(Domain::enumName(result.advocate.tier));
    if (auto ok = insertTimeline(m_db, a->customerId, m_clock.now(), Domain::TimelineEventKind::Other, title,
            { { u"advocate_id"_s, advocateId }, { u"contribution_id"_s, created->id }, { u"points"_s, c.points },
                { u"tier"_s, Domain::enumName(result.advocate.tier) } },
            u"advocacy_contributions"_s, QString::number(created->id), QString());
        !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT advocacyChanged(advocateId);
    Q_EMIT customerActivity(a->customerId);
    return result;
}

Status CommunicationService::removeContribution(qint64 contributionId)
{
    auto c = Storage::AdvocacyContributionRepository(m_db).get(contributionId);
    if (!c)
        return Error::notFound(u"contribution_id"_s, u"no contribution with id %1"_s.arg(contributionId));
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    if (auto ok = Storage::AdvocacyContributionRepository(m_db).softDelete(contributionId); !ok)
        return ok;
    if (auto ok = recomputeAdvocate(c->advocateId, nullptr); !ok)
        return ok;
    if (auto ok = tx.commit(); !ok)
        return ok;
    Q_EMIT advocacyChanged(c->advocateId);
    return {};
}

Result<AdvocacySummary> CommunicationService::advocacySummary(QDate from, QDate to) const
{
    AdvocacySummary s;
    s.to = to.isValid() ? to : m_clock.today();
    s.from = from.isValid() ? from : s.to.addDays(-364);
    if (s.from > s.to)
        return Error::invalid(u"from"_s, u"must not be after to"_s);
    auto q = Storage::exec(m_db,
        u"SELECT tier, status, COUNT(*), COALESCE(SUM(points), 0) FROM advocates WHERE deleted_at IS NULL GROUP BY tier, status"_s);
    if (!q)
        return q.error();
    while (q->next()) {
        const qint64 n = q->value(2).toLongLong();
        s.advocates += n;
        s.byTier[q->value(0).toString()] += n;
        s.byStatus[q->value(1).toString()] += n;
        s.totalPoints += q->value(3).toLongLong();
    }
    if (s.advocates == 0) {
        s.reason = u"no advocates yet"_s;
        return s;
    }
    s.hasData = true;
    auto c = Storage::exec(m_db,
        u"SELECT c.kind, COUNT(*), COALESCE(SUM(c.points), 0) FROM advocacy_contributions c JOIN advocates a ON "
        "a.id = c.advocate_id WHERE c.deleted_at IS NULL AND a.deleted_at IS NULL AND c.occurred_on >= ? AND "
        "c.occurred_on <= ? GROUP BY c.kind"_s,
        { sqlDay(s.from), sqlDay(s.to) });
    if (!c)
        return c.error();
    while (c->next()) {
        s.contributionsByKind.insert(c->value(0).toString(), c->value(1).toLongLong());
        s.contributions += c->value(1).toLongLong();
        s.pointsInPeriod += c->value(2).toLongLong();
    }
    return s;
}

// ---- executive reviews
// -----------------------------------------------------------------------------------------------

Result<Domain::ExecutiveReview> CommunicationService::scheduleReview(const Domain::ExecutiveReview &review)
{
    Domain::ExecutiveReview r = review;
    r.status = Domain::ExecutiveReviewStatus::Scheduled;
    r.preparedBrief = {};
    r.preparedAt = QDateTime();
    r.completedAt = QDateTime();
    r.outcomes.clear();
    r.nextSteps.clear();
    if (r.title.trimmed().isEmpty())
        r.title = u"Executive business review"_s;
    if (auto ok = r.validate(); !ok)
        return ok.error();
    if (auto ok = requireLiveCustomer(m_db, r.customerId); !ok)
        return ok.error();
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto created = Storage::ExecutiveReviewRepository(m_db).create(r);
    if (!created)
        return created.error();
    if (auto ok = insertTimeline(m_db, r.customerId, m_clock.now(), Domain::TimelineEventKind::Other,
            u"%1 scheduled for %2"_s.arg(created->title, isoDay(created->scheduledFor.date())),
            { { u"review_id"_s, created->id }, { u"scheduled_for"_s, isoTime(created->scheduledFor) } },
            u"executive_reviews"_s, QString::number(created->id), r.owner);
        !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT reviewChanged(created->id, created->customerId);
    Q_EMIT customerActivity(created->customerId);
    return created;
}

Result<ExecutiveBrief> CommunicationService::brief(const QString &customerId) const
{
    const QDateTime now = m_clock.now();
    const QDate d = now.date();
    ExecutiveBrief b;
    b.asOf = d;
    {
        auto q = Storage::exec(m_db,
            u"SELECT name, tier, arr, currency, renewal_date FROM customers WHERE id = ? AND deleted_at IS NULL"_s,
            { customerId });
        if (!q)
            return q.error();
        if (!q->next())
            return Error::notFound(u"customer_id"_s, u"no customer with id '%1'"_s.arg(customerId));
        b.customerId = customerId;
        b.customerName = q->value(0).toString();
        b.tier = q->value(1).toString();
        b.arr = q->value(2).toDouble();
        b.currency = q->value(3).toString();
    }
    // health: latest score D−30 … D, compared with the latest score 30 to 60 days before it
    {
        auto q = Storage::exec(m_db,
            u"SELECT score, band, score_date FROM health_scores WHERE customer_id = ? AND score_date >= ? AND "
            "score_date <= ? ORDER BY score_date DESC LIMIT 1"_s,
            { customerId, sqlDay(d.addDays(-30)), sqlDay(d) });
        if (!q)
            return q.error();
        if (q->next()) {
            b.health.hasData = true;
            b.health.score = q->value(0).toDouble();
            b.health.band = q->value(1).toString();
            b.health.scoredOn = dayOf(q->value(2));
            auto earlier = Storage::exec(m_db,
                u"SELECT score, score_date FROM health_scores WHERE customer_id = ? AND score_date >= ? AND "
                "score_date <= ? ORDER BY score_date DESC LIMIT 1"_s,
                { customerId, sqlDay(b.health.scoredOn.addDays(-60)), sqlDay(b.health.scoredOn.addDays(-30)) });
            if (!earlier)
                return earlier.error();
            if (earlier->next()) {
                b.health.change = std::round((b.health.score - earlier->value(0).toDouble()) * 10.0) / 10.0;
                b.health.comparedWith = dayOf(earlier->value(1));
            }
        } else {
            b.health.reason = u"no health score in the last 30 days"_s;
        }
    }
    // usage: D−29 … D against D−59 … D−30
    {
        auto onRecord
            = countOf(m_db, u"SELECT COUNT(*) FROM usage_daily WHERE customer_id = ? AND feature = '' AND day <= ?"_s,
                { customerId, sqlDay(d) });
        if (!onRecord)
            return onRecord.error();
        if (*onRecord == 0) {
            b.usage.reason = u"no product usage on record"_s;
        } else {
            auto q = Storage::exec(m_db,
                u"SELECT COALESCE(SUM(CASE WHEN day >= ? THEN events ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN day >= ? AND events > 0 THEN 1 ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN day >= ? THEN active_users ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN day < ? THEN events ELSE 0 END), 0) "
                "FROM usage_daily WHERE customer_id = ? AND feature = '' AND day >= ? AND day <= ?"_s,
                { sqlDay(d.addDays(-29)), sqlDay(d.addDays(-29)), sqlDay(d.addDays(-29)), sqlDay(d.addDays(-29)),
                    customerId, sqlDay(d.addDays(-59)), sqlDay(d) });
            if (!q)
                return q.error();
            q->next();
            b.usage.hasData = true;
            b.usage.events = q->value(0).toLongLong();
            b.usage.activeDays = q->value(1).toInt();
            b.usage.meanDailyActiveUsers = q->value(2).toDouble() / 30.0;
            b.usage.previousEvents = q->value(3).toLongLong();
            if (b.usage.previousEvents > 0)
                b.usage.eventsChange = double(b.usage.events - b.usage.previousEvents) / double(b.usage.previousEvents);
        }
    }
    // support: tickets opened D−89 … D
    {
        auto onRecord = countOf(m_db,
            u"SELECT COUNT(*) FROM support_tickets WHERE customer_id = ? AND deleted_at IS NULL"_s, { customerId });
        if (!onRecord)
            return onRecord.error();
        if (*onRecord == 0) {
            b.support.reason = u"no support tickets on record"_s;
        } else {
            const QVariant nowSql = sqlTime(now);
            auto q = Storage::exec(m_db,
                u"SELECT COUNT(*), "
                "COALESCE(SUM(CASE WHEN (first_response_due_at IS NOT NULL AND ((first_response_at IS NULL AND "
                "first_response_due_at < ?) OR first_response_at > first_response_due_at)) OR "
                "(resolution_due_at IS NOT NULL AND ((resolved_at IS NULL AND resolution_due_at < ?) OR "
                "resolved_at > resolution_due_at)) THEN 1 ELSE 0 END), 0), "
                "SUM(csat), COUNT(csat) FROM support_tickets WHERE customer_id = ? AND deleted_at IS NULL AND "
                "opened_at >= ? AND opened_at <= ?"_s,
                { nowSql, nowSql, customerId, sqlTime(startOfDay(d.addDays(-89))), nowSql });
            if (!q)
                return q.error();
            q->next();
            b.support.hasData = true;
            b.support.opened = q->value(0).toLongLong();
            b.support.breached = q->value(1).toLongLong();
            if (q->value(3).toLongLong() > 0)
                b.support.meanCsat = q->value(2).toDouble() / q->value(3).toDouble();
            auto open = countOf(m_db,
                u"SELECT COUNT(*) FROM support_tickets WHERE customer_id = ? AND deleted_at IS NULL AND status IN "
                "('new','open','pending','on_hold')"_s,
                { customerId });
            if (!open)
                return open.error();
            b.support.openNow = *open;
        }
    }
    // NPS: answers D−179 … now
    {
        auto q = Storage::exec(m_db,
            u"SELECT score, responded_at FROM survey_responses WHERE customer_id = ? AND kind = 'nps' AND "
            "deleted_at IS NULL AND responded_at >= ? AND responded_at <= ? ORDER BY responded_at DESC, id DESC"_s,
            { customerId, sqlTime(startOfDay(d.addDays(-179))), sqlTime(now) });
        if (!q)
            return q.error();
        while (q->next()) {
            const int score = q->value(0).toInt();
            if (b.nps.responses == 0) {
                b.nps.latestScore = score;
                b.nps.latestAt = timeOf(q->value(1));
            }
            ++b.nps.responses;
            if (score >= 9)
                ++b.nps.promoters;
            else if (score >= 7)
                ++b.nps.passives;
            else
                ++b.nps.detractors;
        }
        if (auto nps = netPromoterScore(b.nps.promoters, b.nps.passives, b.nps.detractors)) {
            b.nps.hasData = true;
            b.nps.nps = *nps;
        } else {
            b.nps.reason = u"no NPS answer in the last 180 days"_s;
        }
    }
    // renewal: next open renewal, else the customer's renewal date
    {
        auto q = Storage::exec(m_db,
            u"SELECT renewal_date, arr_current, probability, stage FROM renewals WHERE customer_id = ? AND "
            "deleted_at IS NULL AND stage IN ('upcoming','in_progress','committed') AND renewal_date >= ? "
            "ORDER BY renewal_date LIMIT 1"_s,
            { customerId, sqlDay(d) });
        if (!q)
            return q.error();
        if (q->next()) {
            b.renewal.hasData = true;
            b.renewal.date = dayOf(q->value(0));
            b.renewal.arr = q->value(1).toDouble();
            if (!q->value(2).isNull())
                b.renewal.probability = q->value(2).toDouble();
            b.renewal.stage = q->value(3).toString();
        } else {
            auto c
                = Storage::exec(m_db, u"SELECT renewal_date, arr FROM customers WHERE id = ? AND renewal_date >= ?"_s,
                    { customerId, sqlDay(d) });
            if (!c)
                return c.error();
            if (c->next()) {
                b.renewal.hasData = true;
                b.renewal.date = dayOf(c->value(0));
                b.renewal.arr = c->value(1).toDouble();
            } else {
                b.renewal.reason = u"no upcoming renewal on record"_s;
            }
        }
        if (b.renewal.hasData)
            b.renewal.daysUntil = d.daysTo(b.renewal.date);
    }
    // expansion
    {
        auto q = Storage::exec(m_db,
            u"SELECT COUNT(*), "
            "COALESCE(SUM(CASE WHEN stage IN ('identified','qualified','proposed') THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN stage IN ('identified','qualified','proposed') THEN estimated_arr ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN stage = 'won' AND closed_on >= ? AND closed_on <= ? THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN stage = 'won' AND closed_on >= ? AND closed_on <= ? THEN "
            "COALESCE(won_arr, estimated_arr) ELSE 0 END), 0) "
            "FROM expansion_opportunities WHERE customer_id = ? AND deleted_at IS NULL"_s,
            { sqlDay(d.addDays(-364)), sqlDay(d), sqlDay(d.addDays(-364)), sqlDay(d), customerId });
        if (!q)
            return q.error();
        q->next();
        if (q->value(0).toLongLong() == 0) {
            b.expansion.reason = u"no expansion opportunities on record"_s;
        } else {
            b.expansion.hasData = true;
            b.expansion.open = q->value(1).toLongLong();
            b.expansion.openEstimatedArr = q->value(2).toDouble();
            b.expansion.wonLastYear = q->value(3).toLongLong();
            b.expansion.wonArrLastYear = q->value(4).toDouble();
        }
    }
    // churn risk
    {
        auto q = Storage::exec(m_db,
            u"SELECT probability, risk_level, predicted_at FROM churn_predictions WHERE customer_id = ? AND "
            "predicted_at <= ? ORDER BY predicted_at DESC, id DESC LIMIT 1"_s,
            { customerId, sqlTime(now) });
        if (!q)
            return q.error();
        if (q->next()) {
            b.churn.hasData = true;
            b.churn.probability = q->value(0).toDouble();
            b.churn.riskLevel = q->value(1).toString();
            b.churn.predictedAt = timeOf(q->value(2));
        } else {
            b.churn.reason = u"no churn prediction on record"_s;
        }
    }
    return b;
}

Result<ReviewPreparation> CommunicationService::prepareReview(qint64 reviewId)
{
    Storage::ExecutiveReviewRepository reviews(m_db);
    auto r = reviews.get(reviewId);
    if (!r)
        return Error::notFound(u"review_id"_s, u"no executive review with id %1"_s.arg(reviewId));
    if (r->status != Domain::ExecutiveReviewStatus::Scheduled && r->status != Domain::ExecutiveReviewStatus::Prepared)
        return Error::invalid(u"status"_s, u"a %1 review cannot be prepared"_s.arg(Domain::enumName(r->status)));
    auto b = brief(r->customerId);
    if (!b)
        return b.error();
    Domain::ExecutiveReview changed = *r;
    changed.status = Domain::ExecutiveReviewStatus::Prepared;
    changed.preparedBrief = b->toMap();
    changed.preparedAt = m_clock.now();
    auto updated = reviews.update(changed);
    if (!updated)
        return updated.error();
    Q_EMIT reviewChanged(reviewId, r->customerId);
    return ReviewPreparation { *updated, *b };
}

Result<Domain::ExecutiveReview> CommunicationService::completeReview(
    qint64 reviewId, const QString &outcomes, const QVariantList &nextSteps)
{
    Storage::ExecutiveReviewRepository reviews(m_db);
    auto r = reviews.get(reviewId);
    if (!r)
        return Error::notFound(u"review_id"_s, u"no executive review with id %1"_s.arg(reviewId));
    if (r->status != Domain::ExecutiveReviewStatus::Scheduled && r->status != Domain::ExecutiveReviewStatus::Prepared)
        return Error::invalid(u"status"_s, u"a %1 review cannot be completed"_s.arg(Domain::enumName(r->status)));
    if (outcomes.trimmed().isEmpty())
        return Error::invalid(u"outcomes"_s, u"is required to complete a review"_s);
    if (nextSteps.size() > 50)
        return Error::invalid(u"next_steps"_s, u"at most 50 items"_s);
    QVariantList steps;
    for (int i = 0; i < nextSteps.size(); ++i) {
        const QString field = u"next_steps[%1]"_s.arg(i);
        if (nextSteps[i].typeId() != QMetaType::QVariantMap)
            return Error::invalid(field, u"must be an object {action, owner, due}"_s);
        const QVariantMap item = nextSteps[i].toMap();
        RiskSignals::ConfigReader reader(item, field);
        const QString action = reader.text(u"action"_s, true, 1000);
        const QString owner = reader.text(u"owner"_s, false, 200);
        const QString due = reader.text(u"due"_s, false, 10);
        if (auto ok = reader.finish(); !ok)
            return ok.error();
        if (!due.isEmpty() && !Domain::parseIsoDate(due))
            return Error::invalid(field + u".due"_s, u"must be a date (yyyy-MM-dd)"_s);
        QVariantMap normalized { { u"action"_s, action } };
        if (!owner.isEmpty())
            normalized.insert(u"owner"_s, owner);
        if (!due.isEmpty())
            normalized.insert(u"due"_s, due);
        steps << normalized;
    }
    Domain::ExecutiveReview changed = *r;
    changed.status = Domain::ExecutiveReviewStatus::Completed;
    changed.outcomes = outcomes.trimmed();
    changed.nextSteps = steps;
    changed.completedAt = m_clock.now();
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto updated = reviews.update(changed);
    if (!updated)
        return updated.error();
    if (auto ok = insertTimeline(m_db, r->customerId, changed.completedAt, Domain::TimelineEventKind::Other,
            u"%1 completed"_s.arg(r->title.isEmpty() ? u"Executive review"_s : r->title),
            { { u"review_id"_s, reviewId }, { u"outcomes"_s, changed.outcomes.left(2000) },
                { u"next_steps"_s, steps } },
            u"executive_reviews"_s, QString::number(reviewId), r->owner);
        !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT reviewChanged(reviewId, r->customerId);
    Q_EMIT customerActivity(r->customerId);
    return updated;
}

Result<Domain::ExecutiveReview> CommunicationService::cancelReview(qint64 reviewId)
{
    Storage::ExecutiveReviewRepository reviews(m_db);
    auto r = reviews.get(reviewId);
    if (!r)
        return Error::notFound(u"review_id"_s, u"no executive review with id %1"_s.arg(reviewId));
    if (r->status != Domain::ExecutiveReviewStatus::Scheduled && r->status != Domain::ExecutiveReviewStatus::Prepared)
        return Error::invalid(u"status"_s, u"a %1 review cannot be cancelled"_s.arg(Domain::enumName(r->status)));
    Domain::ExecutiveReview changed = *r;
    changed.status = Domain::ExecutiveReviewStatus::Cancelled;
    auto updated = reviews.update(changed);
    if (updated)
        Q_EMIT reviewChanged(reviewId, r->customerId);
    return updated;
}

Result<Domain::ExecutiveReview> CommunicationService::review(qint64 reviewId) const
{
    auto r = Storage::ExecutiveReviewRepository(m_db).get(reviewId);
    if (!r)
        return Error::notFound(u"review_id"_s, u"no executive review with id %1"_s.arg(reviewId));
    return r;
}

Result<Storage::Page<Domain::ExecutiveReview>> CommunicationService::listReviews(
    const ExecutiveReviewQuery &query) const
{
    if (auto ok = checkLimit(query.limit, kMaxLimit); !ok)
        return ok.error();
    Storage::ListQuery q;
    q.limit = query.limit;
    q.cursor = query.cursor;
    q.orderBy = u"scheduled_for"_s;
    q.descending = !query.upcomingOnly;
    if (!query.customerId.isEmpty())
        q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, query.customerId };
    if (query.status)
        q.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq, Domain::enumName(*query.status) };
    if (query.upcomingOnly) {
        q.extraCondition = u"status IN ('scheduled','prepared') AND scheduled_for >= ?"_s;
        q.extraBindings << sqlTime(m_clock.now());
    }
    return Storage::ExecutiveReviewRepository(m_db).list(q);
}

} // namespace Core
