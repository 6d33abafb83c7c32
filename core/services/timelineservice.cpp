// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "timelineservice.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include "rows.h"
#include "sql.h"
#include "tables_engagement.h"
#include "tables_operations.h"
#include "transaction.h"

Q_LOGGING_CATEGORY(lcTimeline, "cs.services.timeline")

namespace Core {

using namespace Qt::StringLiterals;

namespace {

QString dayStart(const QDate &day)
{
    return day.toString(Qt::ISODate) + u"T00:00:00.000Z"_s;
}

Status requireLiveCustomer(const Storage::Database &db, const QString &customerId)
{
    if (customerId.isEmpty())
        return Error::invalid(u"customer_id"_s, u"is required"_s);
    auto q = Storage::exec(db, u"SELECT 1 FROM customers WHERE id = ? AND deleted_at IS NULL"_s, { customerId });
    if (!q)
        return q.error();
    if (!q->next())
        return Error::notFound(u"customer_id"_s, u"no customer with id '%1'"_s.arg(customerId));
    return {};
}

// The filter part of a query, as text, so that a cursor can only continue the query that produced it.
QString fingerprint(const TimelineQuery &query)
{
    QStringList kinds;
    for (Domain::TimelineEventKind kind : query.kinds)
        kinds << Domain::enumName(kind);
    kinds.sort();
    const QString text = query.customerId + u'|' + query.from.toString(Qt::ISODate) + u'|'
        + query.to.toString(Qt::ISODate) + u'|' + kinds.join(u',');
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha1).toHex().left(12));
}

// The cursor keeps the database's own text of the last row's occurred_at (full precision on both dialects:
// PostgreSQL keeps microseconds, which a round trip through QDateTime would cut to milliseconds and so skip
// rows) and its id.
QString encodeCursor(const QString &filter, const QString &occurredAtKey, qint64 id)
{
    const QJsonObject o { { u"f"_s, filter }, { u"t"_s, occurredAtKey }, { u"i"_s, QString::number(id) } };
    return QString::fromLatin1(QJsonDocument(o)
                                   .toJson(QJsonDocument::Compact)
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

struct DecodedCursor
{
    QString occurredAtKey;
    qint64 id = 0;
};

Result<DecodedCursor> decodeCursor(const QString &cursor, const QString &filter)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        cursor.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    const QJsonObject o = decoded ? QJsonDocument::fromJson(*decoded).object() : QJsonObject();
    bool idOk = false;
    DecodedCursor c { o.value(u"t"_s).toString(), o.value(u"i"_s).toString().toLongLong(&idOk) };
    if (!decoded || c.occurredAtKey.isEmpty() || !idOk)
        return Error::invalid(u"cursor"_s, u"is not a cursor this service handed out"_s);
    if (o.value(u"f"_s).toString() != filter)
        return Error::invalid(u"cursor"_s, u"belongs to another query (customer, dates or kinds differ)"_s);
    return c;
}

} // namespace

TimelineService::TimelineService(const Storage::Database &db, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
{ }

Result<TimelinePage> TimelineService::timeline(const TimelineQuery &query) const
{
    if (query.limit < 1 || query.limit > kMaxLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(kMaxLimit));
    if (query.from.isValid() && query.to.isValid() && query.to < query.from)
        return Error::invalid(u"to"_s, u"must not be before from"_s);
    for (Domain::TimelineEventKind kind : query.kinds) {
        if (!Domain::isKnown(kind))
            return Error::invalid(
                u"kinds"_s, u"must each be one of "_s + Domain::enumValues<Domain::TimelineEventKind>().join(u", "));
    }
    if (auto ok = requireLiveCustomer(m_db, query.customerId); !ok)
        return ok.error();

    // Conditions shared by the count, the kind counts and the page; all user values are bound.
    QString dateConditions;
    QVariantList dateBindings;
    if (query.from.isValid()) {
        dateConditions += u" AND occurred_at >= ?"_s;
        dateBindings << dayStart(query.from);
    }
    if (query.to.isValid()) {
        dateConditions += u" AND occurred_at < ?"_s;
        dateBindings << dayStart(query.to.addDays(1));
    }
    QString kindCondition;
    QVariantList kindBindings;
    if (!query.kinds.isEmpty()) {
        QStringList marks;
        for (Domain::TimelineEventKind kind : query.kinds) {
            marks << u"?"_s;
            kindBindings << Domain::enumName(kind);
        }
        kindCondition = u" AND kind IN (%1)"_s.arg(marks.join(u", "));
    }

    TimelinePage page;
    page.customerId = query.customerId;
    const QString base = u"FROM timeline_events WHERE customer_id = ?"_s + dateConditions;
    const QVariantList baseBindings = QVariantList { query.customerId } + dateBindings;

    {
        auto q = Storage::select(m_db, u"SELECT kind, COUNT(*) "_s + base + u" GROUP BY kind"_s, baseBindings);
        if (!q)
            return q.error();
        while (q->next()) {
            Domain::TimelineEventKind kind = Domain::TimelineEventKind::Other;
            qint64 count = 0;
            q->read(0, kind);
            q->read(1, count);
            page.kindCounts[kind] += count;
            if (query.kinds.isEmpty() || query.kinds.contains(kind))
                page.total += count;
        }
        if (q->error())
            return *q->error();
    }

    const QString filter = fingerprint(query);
    QString keyset;
    QVariantList keysetBindings;
    if (!query.cursor.isEmpty()) {
        auto cursor = decodeCursor(query.cursor, filter);
        if (!cursor)
            return cursor.error();
        // Newest first: rows strictly after (occurred_at, id) in descending order.
        keyset = u" AND (occurred_at < ? OR (occurred_at = ? AND id < ?))"_s;
        keysetBindings << cursor->occurredAtKey << cursor->occurredAtKey << cursor->id;
    }
    using Repo = Storage::TimelineEventRepository;
    const QString sql = u"SELECT %1, CAST(occurred_at AS TEXT) AS occurred_at_key "_s.arg(Repo::selectList()) + base
        + kindCondition + keyset + u" ORDER BY occurred_at DESC, id DESC LIMIT %1"_s.arg(query.limit + 1);
    auto rows = Storage::select(m_db, sql, baseBindings + kindBindings + keysetBindings);
    if (!rows)
        return rows.error();
    const Repo::RowLayout &layout = Repo::RowLayout::ofSelectList();
    static const int keyIndex = int(Repo::selectList().split(u", "_s).size()); // occurred_at_key, after the list
    QString lastKey;
    while (rows->next()) {
        if (page.items.size() == query.limit) {
            page.nextCursor = encodeCursor(filter, lastKey, page.items.constLast().id);
            break;
        }
        page.items << Repo::fromRow(*rows, layout);
        lastKey = rows->text(keyIndex);
    }
    if (rows->error())
        return *rows->error();
    return page;
}

Result<Domain::TimelineEvent> TimelineService::event(qint64 id) const
{
    return Storage::TimelineEventRepository(m_db).get(id);
}

Result<Domain::TimelineEvent> TimelineService::insert(const Storage::Database &db, const Domain::TimelineEvent &event)
{
    if (auto valid = event.validate(); !valid)
        return valid.error();
    if (auto ok = requireLiveCustomer(db, event.customerId); !ok)
        return ok.error();
    return Storage::TimelineEventRepository(db).create(event);
}

Status TimelineService::append(const Storage::Database &db, const QString &customerId, const QDateTime &occurredAt,
    Domain::TimelineEventKind kind, const QString &title, const QVariantMap &detail, const QString &sourceTable,
    const QString &sourceId, const QString &actor)
{
    Domain::TimelineEvent event;
    event.customerId = customerId;
    event.occurredAt = occurredAt;
    event.kind = kind;
    event.title = title.left(500);
    event.detail = detail;
    event.sourceTable = sourceTable;
    event.sourceId = sourceId;
    event.actor = actor;
    if (auto valid = event.validate(); !valid)
        return valid.error();
    auto created = Storage::TimelineEventRepository(db).create(event);
    if (!created)
        return created.error();
    return {};
}

Result<Domain::TimelineEvent> TimelineService::record(Domain::TimelineEvent event)
{
    if (!event.occurredAt.isValid())
        event.occurredAt = m_clock.now();
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto stored = insert(m_db, event);
    if (!stored)
        return stored.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT timelineChanged(stored->customerId);
    return stored;
}

void TimelineService::notifyChanged(const QString &customerId)
{
    Q_EMIT timelineChanged(customerId);
}

QString TimelineService::noteTitle(const QString &body)
{
    QString line;
    const QStringList lines = body.split(u'\n');
    for (const QString &candidate : lines) {
        line = candidate.simplified();
        if (!line.isEmpty())
            break;
    }
    if (line.size() > kNoteTitleLength)
        line = line.left(kNoteTitleLength - 1).trimmed() + u'…';
    return line;
}

Result<TimelineService::NoteResult> TimelineService::addNote(
    const QString &customerId, const QString &body, const QString &author, bool pinned)
{
    Domain::Note draft;
    draft.customerId = customerId;
    draft.body = body;
    draft.author = author.trimmed();
    draft.isPinned = pinned;
    if (body.trimmed().isEmpty())
        return Error::invalid(u"body"_s, u"is required"_s);
    if (auto valid = draft.validate(); !valid)
        return valid.error();

    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    if (auto ok = requireLiveCustomer(m_db, customerId); !ok)
        return ok.error();
    // The note and its timeline event carry the same instant (the clock's), so the timeline and the notes list
    // agree even under a test clock.
    const QDateTime now = m_clock.now();
    const QVariant at = Storage::Convert::toSql(now);
    using NoteRepo = Storage::NoteRepository;
    auto inserted = Storage::exec(m_db,
        u"INSERT INTO notes (customer_id, body, author, is_pinned, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
        "RETURNING %1"_s.arg(NoteRepo::selectList()),
        { customerId, body, Storage::Convert::toSql(draft.author), pinned, at, at });
    if (!inserted)
        return inserted.error();
    if (!inserted->next())
        return Error::storage(u"the note was not stored"_s);
    NoteResult result;
    result.note = NoteRepo::fromRow(*inserted, inserted->record());
    while (inserted->next()) { }

    Domain::TimelineEvent event;
    event.customerId = customerId;
    event.occurredAt = now;
    event.kind = Domain::TimelineEventKind::Note;
    event.title = noteTitle(body);
    event.detail = QVariantMap { { u"note_id"_s, result.note.id }, { u"pinned"_s, pinned },
        { u"excerpt"_s, body.size() > 500 ? body.left(499) + u'…' : body }, { u"length"_s, body.size() } };
    event.sourceTable = u"notes"_s;
    event.sourceId = QString::number(result.note.id);
    event.actor = draft.author;
    auto stored = insert(m_db, event);
    if (!stored)
        return stored.error();
    result.event = *stored;
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    qCDebug(lcTimeline) << "note" << result.note.id << "added to" << customerId;
    Q_EMIT timelineChanged(customerId);
    return result;
}

} // namespace Core
