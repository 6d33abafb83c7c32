// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <memory>

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QSet>
#include <QString>
#include <QThread>

namespace Storage {
class Database;
}

namespace Core {

// What changed, one value per kind of service change signal (DESIGN.md §2).
enum class ChangeTopic : quint8 {
    CustomerAdded,
    CustomerChanged,
    CustomerRemoved,
    HealthScore, // a customer's score, or (portfolioWide) a recompute
    ScoringConfig,
    ChurnRisk, // a customer's risk, or (portfolioWide) a scoring run
    ChurnModel,
    Renewal,
    Arr,
    Expansion,
    Onboarding,
    Feedback,
    SupportTicket,
    SupportSettings, // SLA policies, routing rules, knowledge base, portal settings
    Engagement,
    Lifecycle,
    Segment,
    Playbook,
    Campaign, // campaigns and enrolments
    Communication,
    Monitor,
    Alert,
    Timeline,
    Import,
    TopicCount
};
static_assert(int(ChangeTopic::TopicCount) <= 32, "ChangeBatch::topicMask holds one bit per topic");
// The ChangeBatch::topicMask bit of `topic`, and the mask of every topic.
constexpr quint32 topicBit(ChangeTopic topic)
{
    return 1u << int(topic);
}
constexpr quint32 kAllTopicsMask = (1u << int(ChangeTopic::TopicCount)) - 1;

// One committed change: its topic, the customer when there is one, the record (ticket, renewal, segment, ...) when
// there is one. `portfolioWide`: it touched many customers' data at once (a health recompute, an import, a usage
// rebuild); observers treat it as a change of every customer. Ids only: a change never carries data or secrets.
struct Change
{
    ChangeTopic topic = ChangeTopic::CustomerChanged;
    QString customerId;
    qint64 recordId = 0;
    bool portfolioWide = false;

    friend bool operator==(const Change &a, const Change &b)
    {
        return a.topic == b.topic && a.recordId == b.recordId && a.portfolioWide == b.portfolioWide
            && a.customerId == b.customerId;
    }
};
size_t qHash(const Change &change, size_t seed = 0) noexcept;

// What observers get: the distinct changes of one interval in the order first seen, or — when there were more than
// the feed lists — `overflowed` ("many changed": reload rather than refresh row by row), with the topics still known.
struct ChangeBatch
{
    QList<Change> changes; // empty when overflowed
    bool overflowed = false;
    quint32 topicMask = 0; // one bit per ChangeTopic present, overflowed or not

    bool hasTopic(ChangeTopic topic) const { return topicMask & (1u << int(topic)); }
    bool hasAnyTopic(std::initializer_list<ChangeTopic> topics) const;
    // Whether the data of customer `id` may have changed under one of `topics` (all topics when empty): a listed
    // change of that customer, a portfolio-wide change, or an overflowed batch with one of the topics.
    bool affectsCustomer(const QString &id, std::initializer_list<ChangeTopic> topics = {}) const;
    // The customers named by changes of `topics` (all topics when empty); portfolio-wide changes name none.
    QSet<QString> customerIds(std::initializer_list<ChangeTopic> topics = {}) const;
    // A portfolio-wide change of one of `topics` (all when empty) is in the batch, or it overflowed.
    bool portfolioWide(std::initializer_list<ChangeTopic> topics = {}) const;
};

// How the PostgreSQL listener stands (team mode, DESIGN.md §3); SQLite feeds stay Off.
enum class ListenerState { Off, Connecting, Listening, Reconnecting };

// The one place where every thread's services report a committed change, and where observers (the window's models,
// the MCP server, integrations) hear of them. publish() is thread-safe. Observers connect to changed() with a context
// object of theirs: it is emitted on the feed's own thread, so they get it queued on their own.
//
// Coalesced: the first change after a quiet interval is delivered at once; later ones wait for the interval to pass
// and arrive together, duplicates merged, at most one batch per interval — an agent writing 500 times a second or a
// recompute of 100,000 customers cost an observer ten batches a second, never one refresh per write (DESIGN.md §7:
// no GUI stall over 16 ms). More than `maxListed` distinct changes collapse to an overflowed batch.
//
// With a PostgreSQL database (listenTo()), each local batch is also sent as one NOTIFY on the `csdesk_changes`
// channel, and the feed LISTENs there on a connection of its own thread: batches of other processes (other desktops
// on the same portfolio) reach the observers like local ones. The payload holds the feed's origin id, topics and ids
// (never data), at most kMaxPayloadBytes; a batch too large for it is sent as overflowed. A lost listening connection
// is retried with a growing delay; after it comes back, observers get one overflowed batch (what changed meanwhile is
// unknown).
class ChangeFeed final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChangeFeed)

public:
    struct Options
    {
        int intervalMs = 100; // at most one batch per interval
        int maxListed = 1000; // beyond: an overflowed batch
        int listenerCheckMs = 2000; // how often the listening connection is checked
        int reconnectMinMs = 500; // first retry after the connection was lost; doubles up to reconnectMaxMs
        int reconnectMaxMs = 30000;
    };
    static constexpr int kMaxPayloadBytes = 7900; // PostgreSQL's NOTIFY limit is 8000 bytes
    static inline const QString kChannel = QStringLiteral("csdesk_changes");

    explicit ChangeFeed(QObject *parent = nullptr);
    explicit ChangeFeed(Options options, QObject *parent = nullptr);
    ~ChangeFeed() override; // stops the feed's thread (its connection with it); batches not yet sent are dropped

    // Thread-safe, from any thread, after the change committed (or inside its transaction).
    void publish(const Change &change);
    void publish(ChangeTopic topic, const QString &customerId = {}, qint64 recordId = 0, bool portfolioWide = false)
    {
        publish(Change { topic, customerId, recordId, portfolioWide });
    }

    // Team mode: when `db` is PostgreSQL, send local batches to and receive other processes' from the database's
    // channel (`db` must outlive the feed). Does nothing for SQLite. Call once, before changes are published.
    void listenTo(const Storage::Database &db);
    ListenerState listenerState() const;
    // The backend pid of the listening connection (0 when not listening): for diagnostics and tests.
    qint64 listenerBackendPid() const;
    // This feed's origin id in its payloads: its own NOTIFYs come back to it and are recognised by it.
    QString origin() const;

    // The NOTIFY payload of `batch` from `origin` (compact JSON of topics and ids); an overflowed one when the
    // listed changes do not fit in kMaxPayloadBytes. And back: false for a payload that is not one of ours.
    static QByteArray encodePayload(const QString &origin, const ChangeBatch &batch);
    static bool decodePayload(const QByteArray &payload, QString *origin, ChangeBatch *batch);

Q_SIGNALS:
    // On the feed's thread: connect with a context object (queued to the observer's thread).
    void changed(const Core::ChangeBatch &batch);
    // Team mode: the listener connected, lost its connection (`message` says why, without secrets), reconnected.
    void listenerStateChanged(Core::ListenerState state, const QString &message);

private:
    class Dispatcher;
    Options m_options;
    QThread m_thread;
    Dispatcher *m_dispatcher = nullptr; // lives on m_thread
};

} // namespace Core

Q_DECLARE_METATYPE(Core::ChangeBatch)
Q_DECLARE_METATYPE(Core::ListenerState)
