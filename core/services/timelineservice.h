// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QDate>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include "clock.h"
#include "database.h"
#include "engagement.h"
#include "error.h"
#include "operations.h"

namespace Core {

// ============================================================================================================
// The customer timeline (DESIGN.md §4 "timeline (every touch, note, email, ticket, score change)")
// ============================================================================================================
//
// timeline_events is the canonical, append-only log of every touch on and change of a customer: each service
// that changes something a CSM would want to see later (a note, an e-mail, a ticket, a score change, a
// lifecycle move, a renewal outcome, ...) inserts one row in the same transaction as the change itself, with
// source_table/source_id pointing at the row that caused it. The timeline read is therefore one ordered
// stream per customer: newest first by (occurred_at, id), keyset-paged, filterable by UTC day range and kinds.
//
// Writing from another service: call TimelineService::insert(db, event) on *your* thread, inside *your*
// Storage::Transaction, so the event commits or rolls back together with the change it describes (it uses
// the calling thread's connection, which is where your transaction lives). insert() sends no signal: after
// your commit, call notifyChanged(customerId) on the TimelineService object (or emit your own change signal
// that the composition root forwards), so that an open window reloads only once the row is visible to its own
// connection. record() is the convenience for a standalone write: insert in its own transaction, then signal.

// A filter and page over one customer's timeline.
struct TimelineQuery
{
    QString customerId; // required
    QDate from; // first UTC day included; invalid = from the beginning
    QDate to; // last UTC day included; invalid = up to the newest
    QList<Domain::TimelineEventKind> kinds; // empty = every kind
    int limit = 25; // 1..200
    QString cursor; // next_cursor of the previous page of the same query
};

struct TimelinePage
{
    QString customerId;
    QList<Domain::TimelineEvent> items; // newest first
    qint64 total = 0; // events matching the filter (all pages)
    QString nextCursor; // empty on the last page
    // How many events of each kind match the date range (kinds filter ignored), for filter chips. Kinds with
    // no event are absent.
    QHash<Domain::TimelineEventKind, qint64> kindCounts;
};

class TimelineService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelineService)

public:
    static constexpr int kMaxLimit = 200;
    static constexpr int kNoteTitleLength = 120; // the timeline title of a note is its first line, shortened

    TimelineService(const Storage::Database &db, const Clock &clock, QObject *parent = nullptr);

    // One page of a customer's timeline, newest first (get_client_timeline). Unknown or deleted customer →
    // NotFound naming customer_id; a cursor from another query → InvalidArgument naming cursor.
    Result<TimelinePage> timeline(const TimelineQuery &query) const;
    Result<Domain::TimelineEvent> event(qint64 id) const;

    // Validates the event (TimelineEvent::validate, and a live customer: NotFound naming customer_id) and
    // inserts it on the calling thread's connection — inside the caller's transaction when one is open. No
    // signal: see notifyChanged(). Returns the stored row (id, created_at).
    static Result<Domain::TimelineEvent> insert(const Storage::Database &db, const Domain::TimelineEvent &event);
    // The one way a service adds an event to the timeline inside its own transaction (after its change, on the
    // calling thread's connection): builds the event (title cut at 500 characters) and stores it. Unlike insert()
    // it does not require the customer to be live, so a removal can be recorded in the same transaction. No signal.
    static Status append(const Storage::Database &db, const QString &customerId, const QDateTime &occurredAt,
        Domain::TimelineEventKind kind, const QString &title, const QVariantMap &detail = {},
        const QString &sourceTable = {}, const QString &sourceId = {}, const QString &actor = {});
    // insert() in a transaction of its own, then timelineChanged(customerId). An occurredAt left invalid is
    // set to the clock's now.
    Result<Domain::TimelineEvent> record(Domain::TimelineEvent event);
    // Emits timelineChanged for a customer whose timeline a caller extended with insert() (after its commit).
    void notifyChanged(const QString &customerId);

    // A note on a customer: a notes row and a timeline event (kind note, source notes/<id>, title = first line
    // of the body) in one transaction, then timelineChanged. body is required (at most 200 000 characters,
    // Note::validate).
    struct NoteResult
    {
        Domain::Note note;
        Domain::TimelineEvent event;
    };
    Result<NoteResult> addNote(
        const QString &customerId, const QString &body, const QString &author, bool pinned = false);

    // The timeline title of a note body: its first non-empty line, trimmed, cut at kNoteTitleLength with "…".
    static QString noteTitle(const QString &body);

Q_SIGNALS:
    void timelineChanged(const QString &customerId);

private:
    const Storage::Database &m_db;
    const Clock &m_clock;
};

} // namespace Core
