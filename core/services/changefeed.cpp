// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "changefeed.h"

#include <algorithm>

#include <QElapsedTimer>
#include <QHash>
#include <QLoggingCategory>
#include <QMutex>
#include <QSqlDriver>
#include <QTimer>
#include <QUuid>

#include "database.h"
#include "sql.h"

Q_LOGGING_CATEGORY(lcChangeFeed, "cs.services.changefeed")

namespace Core {

using namespace Qt::StringLiterals;

size_t qHash(const Change &change, size_t seed) noexcept
{
    return qHashMulti(seed, int(change.topic), change.customerId, change.recordId, change.portfolioWide);
}

namespace {

quint32 maskOf(std::initializer_list<ChangeTopic> topics)
{
    if (topics.size() == 0)
        return ~0u;
    quint32 mask = 0;
    for (ChangeTopic topic : topics)
        mask |= topicBit(topic);
    return mask;
}

// The distinct changes of one interval (first seen first), collapsing to "overflowed" beyond `maxListed`.
class Accumulator
{
public:
    void add(const Change &change, int maxListed)
    {
        m_mask |= topicBit(change.topic);
        if (m_overflowed || m_seen.contains(change))
            return;
        if (m_changes.size() >= maxListed) {
            markOverflowed(0);
            return;
        }
        m_seen.insert(change);
        m_changes.append(change);
    }
    void markOverflowed(quint32 mask)
    {
        m_mask |= mask;
        m_overflowed = true;
        m_changes.clear();
        m_seen.clear();
    }
    void add(const ChangeBatch &batch, int maxListed)
    {
        if (batch.overflowed) {
            markOverflowed(batch.topicMask);
            return;
        }
        for (const Change &change : batch.changes)
            add(change, maxListed);
    }
    bool isEmpty() const { return m_mask == 0; }
    ChangeBatch take()
    {
        ChangeBatch batch;
        batch.changes = std::exchange(m_changes, {});
        batch.overflowed = std::exchange(m_overflowed, false);
        batch.topicMask = std::exchange(m_mask, 0);
        m_seen.clear();
        return batch;
    }

private:
    QList<Change> m_changes;
    QSet<Change> m_seen;
    bool m_overflowed = false;
    quint32 m_mask = 0;
};

} // namespace

bool ChangeBatch::hasAnyTopic(std::initializer_list<ChangeTopic> topics) const
{
    return topicMask & maskOf(topics);
}

bool ChangeBatch::affectsCustomer(const QString &id, std::initializer_list<ChangeTopic> topics) const
{
    const quint32 mask = maskOf(topics);
    if (overflowed)
        return topicMask & mask;
    return std::any_of(changes.cbegin(), changes.cend(),
        [&](const Change &c) { return (topicBit(c.topic) & mask) && (c.portfolioWide || c.customerId == id); });
}

QSet<QString> ChangeBatch::customerIds(std::initializer_list<ChangeTopic> topics) const
{
    const quint32 mask = maskOf(topics);
    QSet<QString> ids;
    for (const Change &c : changes) {
        if ((topicBit(c.topic) & mask) && !c.customerId.isEmpty())
            ids.insert(c.customerId);
    }
    return ids;
}

bool ChangeBatch::portfolioWide(std::initializer_list<ChangeTopic> topics) const
{
    const quint32 mask = maskOf(topics);
    if (overflowed)
        return topicMask & mask;
    return std::any_of(changes.cbegin(), changes.cend(),
        [&](const Change &c) { return c.portfolioWide && (topicBit(c.topic) & mask); });
}

// ---- the feed's thread ---------------------------------------------------------------------------------------

class ChangeFeed::Dispatcher final : public QObject
{
public:
    Dispatcher(ChangeFeed *feed, Options options)
        : m_feed(feed)
        , m_options(options)
        , m_origin(QUuid::createUuid().toString(QUuid::WithoutBraces))
    { }

    ~Dispatcher() override
    {
        // Runs on the feed's thread (deleted there before it ends): the listening connection goes with it.
        if (m_db)
            m_db->releaseThreadConnection();
    }

    const QString &origin() const { return m_origin; }

    // Any thread.
    void publish(const Change &change)
    {
        QMutexLocker lock(&m_mutex);
        m_pending.add(change, m_options.maxListed);
        if (m_db)
            m_local.add(change, m_options.maxListed);
        scheduleLocked();
    }

    void setDatabase(const Storage::Database *db)
    {
        QMutexLocker lock(&m_mutex);
        m_db = db;
    }

    ListenerState state() const
    {
        QMutexLocker lock(&m_mutex);
        return m_state;
    }
    qint64 backendPid() const
    {
        QMutexLocker lock(&m_mutex);
        return m_backendPid;
    }

    // The feed's thread, once: starts listening.
    void startListening()
    {
        m_check = new QTimer(this);
        m_check->setInterval(m_options.listenerCheckMs);
        QObject::connect(m_check, &QTimer::timeout, this, [this] { checkListener(); });
        m_retry = new QTimer(this);
        m_retry->setSingleShot(true);
        QObject::connect(m_retry, &QTimer::timeout, this, [this] { connectListener(); });
        setState(ListenerState::Connecting, {});
        connectListener();
    }

private:
    // With m_mutex held: the first change of a quiet period is flushed on the next turn of the feed's loop.
    void scheduleLocked()
    {
        if (m_scheduled)
            return;
        m_scheduled = true;
        QMetaObject::invokeMethod(
            this, [this] { schedule(); }, Qt::QueuedConnection);
    }

    void schedule()
    {
        const qint64 sinceLast = m_lastFlush.isValid() ? m_lastFlush.elapsed() : m_options.intervalMs;
        if (sinceLast >= m_options.intervalMs)
            return flush();
        if (!m_flushTimer) {
            m_flushTimer = new QTimer(this);
            m_flushTimer->setSingleShot(true);
            m_flushTimer->setTimerType(Qt::PreciseTimer);
            QObject::connect(m_flushTimer, &QTimer::timeout, this, [this] { flush(); });
        }
        m_flushTimer->start(int(m_options.intervalMs - sinceLast));
    }

    void flush()
    {
        ChangeBatch batch;
        ChangeBatch local;
        {
            QMutexLocker lock(&m_mutex);
            m_scheduled = false;
            batch = m_pending.take();
            local = m_local.take();
        }
        if (batch.topicMask == 0)
            return;
        m_lastFlush.start();
        Q_EMIT m_feed->changed(batch);
        if (local.topicMask != 0 && m_state == ListenerState::Listening)
            notify(local);
    }

    void notify(const ChangeBatch &local)
    {
        // One NOTIFY per batch; PostgreSQL delivers it to every listener, this one included (recognised by origin).
        auto sent = Storage::exec(
            *m_db, u"SELECT pg_notify(?, ?)"_s, { kChannel, QString::fromUtf8(encodePayload(m_origin, local)) });
        if (!sent) {
            qCWarning(lcChangeFeed) << "could not tell other desktops of a change:" << sent.error().message;
            checkListener(); // a lost connection is retried; any other failure costs only this batch
        }
    }

    void onNotification(const QString &name, const QVariant &payload)
    {
        if (name != kChannel)
            return;
        QString origin;
        ChangeBatch batch;
        if (!decodePayload(payload.toString().toUtf8(), &origin, &batch)) {
            qCDebug(lcChangeFeed) << "ignored a notification that is not a change batch";
            return;
        }
        if (origin == m_origin)
            return; // our own NOTIFY: delivered when it was published
        QMutexLocker lock(&m_mutex);
        m_pending.add(batch, m_options.maxListed);
        scheduleLocked();
    }

    void connectListener()
    {
        QSqlDatabase connection = m_db->connection();
        QSqlDriver *driver = connection.isOpen() ? connection.driver() : nullptr;
        if (!driver || !driver->subscribeToNotification(kChannel)) {
            const QString why = driver ? driver->lastError().text() : u"cannot connect to the database"_s;
            m_db->releaseThreadConnection();
            return retryLater(why);
        }
        QObject::connect(driver, &QSqlDriver::notification, this,
            [this](const QString &name, QSqlDriver::NotificationSource, const QVariant &payload) {
                onNotification(name, payload);
            });
        auto pid = Storage::exec(*m_db, u"SELECT pg_backend_pid()"_s);
        qint64 backendPid = 0;
        if (pid && pid->next())
            backendPid = pid->value(0).toLongLong();
        {
            QMutexLocker lock(&m_mutex);
            m_backendPid = backendPid;
        }
        const bool resumed = m_state == ListenerState::Reconnecting;
        m_retryDelayMs = 0;
        m_check->start();
        setState(ListenerState::Listening, {});
        if (resumed) {
            qCInfo(lcChangeFeed) << "listening for changes again";
            // What other desktops changed while we were away is unknown: observers reload.
            QMutexLocker lock(&m_mutex);
            m_pending.markOverflowed(kAllTopicsMask);
            scheduleLocked();
        }
    }

    void checkListener()
    {
        if (m_state != ListenerState::Listening)
            return;
        auto alive = Storage::exec(*m_db, u"SELECT 1"_s);
        if (!alive)
            lost(alive.error().message.isEmpty() ? u"the connection was closed"_s : alive.error().message);
    }

    void lost(const QString &why)
    {
        if (m_state != ListenerState::Listening)
            return;
        m_check->stop();
        {
            QMutexLocker lock(&m_mutex);
            m_backendPid = 0;
        }
        m_db->releaseThreadConnection();
        retryLater(why);
    }

    void retryLater(const QString &why)
    {
        if (m_state != ListenerState::Reconnecting) {
            // Logged once per outage; the retries are quiet until it is back.
            qCWarning(lcChangeFeed) << "lost the connection that listens for other desktops' changes:" << why
                                    << "- retrying";
            setState(ListenerState::Reconnecting, why);
        }
        m_retryDelayMs
            = m_retryDelayMs == 0 ? m_options.reconnectMinMs : std::min(m_retryDelayMs * 2, m_options.reconnectMaxMs);
        m_retry->start(m_retryDelayMs);
    }

    void setState(ListenerState state, const QString &message)
    {
        {
            QMutexLocker lock(&m_mutex);
            m_state = state;
        }
        Q_EMIT m_feed->listenerStateChanged(state, message);
    }

    ChangeFeed *m_feed;
    const Options m_options;
    const QString m_origin;
    mutable QMutex m_mutex;
    Accumulator m_pending; // what observers get next (local and remote)
    Accumulator m_local; // what the next NOTIFY sends (local only: remote batches are not sent back)
    bool m_scheduled = false;
    const Storage::Database *m_db = nullptr;
    ListenerState m_state = ListenerState::Off;
    qint64 m_backendPid = 0;
    // The feed's thread only.
    QElapsedTimer m_lastFlush;
    QTimer *m_flushTimer = nullptr;
    QTimer *m_check = nullptr;
    QTimer *m_retry = nullptr;
    int m_retryDelayMs = 0;
};

// ---- ChangeFeed ----------------------------------------------------------------------------------------------

ChangeFeed::ChangeFeed(QObject *parent)
    : ChangeFeed(Options {}, parent)
{ }

ChangeFeed::ChangeFeed(Options options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    qRegisterMetaType<Core::ChangeBatch>();
    qRegisterMetaType<Core::ListenerState>();
    m_options.intervalMs = std::max(0, m_options.intervalMs);
    m_options.maxListed = std::max(1, m_options.maxListed);
    m_options.listenerCheckMs = std::max(10, m_options.listenerCheckMs);
    m_options.reconnectMinMs = std::max(10, m_options.reconnectMinMs);
    m_options.reconnectMaxMs = std::max(m_options.reconnectMinMs, m_options.reconnectMaxMs);
    m_dispatcher = new Dispatcher(this, m_options);
    m_thread.setObjectName(u"change feed"_s);
    m_dispatcher->moveToThread(&m_thread);
    m_thread.start();
}

ChangeFeed::~ChangeFeed()
{
    // Deleted on its own thread (its timers and connection belong there), before the thread ends.
    QMetaObject::invokeMethod(
        m_dispatcher, [dispatcher = m_dispatcher] { delete dispatcher; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void ChangeFeed::publish(const Change &change)
{
    m_dispatcher->publish(change);
}

void ChangeFeed::listenTo(const Storage::Database &db)
{
    if (db.dialect() != Storage::Dialect::PostgreSql)
        return;
    m_dispatcher->setDatabase(&db);
    QMetaObject::invokeMethod(m_dispatcher, [dispatcher = m_dispatcher] { dispatcher->startListening(); });
}

ListenerState ChangeFeed::listenerState() const
{
    return m_dispatcher->state();
}

qint64 ChangeFeed::listenerBackendPid() const
{
    return m_dispatcher->backendPid();
}

QString ChangeFeed::origin() const
{
    return m_dispatcher->origin();
}

} // namespace Core
