// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "walcheckpointer.h"

#include <chrono>

#include <sqlite3.h>

#include <QFileInfo>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcStorage)

namespace Storage {

using namespace Qt::StringLiterals;

WalCheckpointer::WalCheckpointer(QString path, Options options)
    : m_path(std::move(path))
    , m_options(options)
{ }

WalCheckpointer::~WalCheckpointer()
{
    stop();
}

Core::Status WalCheckpointer::attach(sqlite3 *connection)
{
    if (!connection)
        return Core::Error::storage(u"no SQLite connection to attach the WAL checkpointer to"_s);
    // The pragma first: it installs SQLite's own hook (or none); ours replaces it below. journal_size_limit cuts
    // the WAL file back when a writer starts it again after a complete checkpoint (one large transaction would
    // otherwise leave a file of its size behind).
    const QByteArray pragmas
        = "PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=" + QByteArray::number(m_options.truncateBytes);
    char *message = nullptr;
    if (sqlite3_exec(connection, pragmas.constData(), nullptr, nullptr, &message) != SQLITE_OK) {
        const QString reason = QString::fromUtf8(message);
        sqlite3_free(message);
        return Core::Error::storage(u"cannot hand the checkpoints to the WAL checkpointer: %1"_s.arg(reason));
    }
    sqlite3_wal_hook(connection, &WalCheckpointer::onCommit, this);
    return {};
}

// Runs on the committing thread after its commit, the write lock released: record and, past the threshold, wake the
// thread. No I/O here, except when the thread cannot keep up (below).
int WalCheckpointer::onCommit(void *self, sqlite3 *connection, const char *schema, int pages)
{
    auto *c = static_cast<WalCheckpointer *>(self);
    const int before = c->m_walPages.exchange(pages);
    // Frames already copied by the last pass do not count again, unless the WAL started over since (fewer frames).
    const int copied = c->m_copiedFrames.load();
    const int fresh = pages < before || pages < copied ? pages : pages - copied;
    if (fresh >= c->m_options.signalPages && !c->m_signalled.exchange(true)) {
        const std::lock_guard lock(c->m_mutex);
        c->m_wake.notify_one();
    }
    // A writer that commits all the time never lets the WAL start over: a pass running beside it never finds every
    // frame copied when the next write begins. When the WAL has stayed at restartPages or more across a whole pass
    // of the thread, this commit copies the rest itself as SQLite's automatic checkpoint would (PASSIVE, between two
    // of its transactions), and its next transaction starts the WAL again. One large transaction (the health
    // recompute) only crosses the threshold once and leaves the work to the thread.
    if (pages < c->m_options.restartPages) {
        c->m_passAtRestartSize.store(-1);
    } else {
        const std::int64_t passes = c->m_passes.load();
        std::int64_t since = -1;
        if (!c->m_passAtRestartSize.compare_exchange_strong(since, passes) && passes > since && !c->m_inPass.load()) {
            // Busy (the thread's pass is running) or held back by a reader: tried again on the next commit.
            int logFrames = 0;
            int copiedNow = 0;
            ++c->m_inlinePasses;
            if (sqlite3_wal_checkpoint_v2(connection, schema, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copiedNow)
                    == SQLITE_OK
                && copiedNow == logFrames)
                c->m_passAtRestartSize.store(-1);
        }
    }
    return SQLITE_OK;
}

Core::Status WalCheckpointer::start()
{
    const std::lock_guard lock(m_mutex);
    if (m_started)
        return {};
    sqlite3 *connection = nullptr;
    const QByteArray file = m_path.toUtf8();
    if (const int rc = sqlite3_open_v2(file.constData(), &connection, SQLITE_OPEN_READWRITE, nullptr);
        rc != SQLITE_OK) {
        const QString reason = QString::fromUtf8(connection ? sqlite3_errmsg(connection) : sqlite3_errstr(rc));
        sqlite3_close_v2(connection);
        return Core::Error::storage(u"cannot open %1 for WAL checkpoints: %2"_s.arg(m_path, reason));
    }
    // The checkpoint syncs the WAL before and the database file after copying (as any checkpoint does with
    // synchronous=NORMAL); no busy handler, so a pass never waits for a lock (busy_timeout stays 0).
    sqlite3_exec(connection, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
    if (const char *wal = sqlite3_filename_wal(sqlite3_db_filename(connection, "main")))
        m_walPath = QString::fromUtf8(wal);
    m_started = true;
    m_thread = std::thread([this, connection] { run(connection); });
    return {};
}

void WalCheckpointer::stop()
{
    {
        const std::lock_guard lock(m_mutex);
        if (!m_started || m_stopping)
            return;
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable())
        m_thread.join();
}

void WalCheckpointer::run(sqlite3 *connection)
{
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        m_wake.wait_for(
            lock, std::chrono::milliseconds(m_options.idlePollMs), [this] { return m_stopping || m_signalled.load(); });
        if (m_stopping)
            break;
        lock.unlock();
        const bool signalled = m_signalled.exchange(false);
        // Idle: frames committed below the signal size, or held back by a reader in the last pass.
        const bool leftOver = m_walPages.load() != m_lastLogFrames || m_copiedFrames.load() < m_lastLogFrames;
        // A writer that has taken over (see onCommit) is not run into; the idle look still covers it when it stops.
        const std::int64_t since = m_passAtRestartSize.load();
        const bool writerCopies = since >= 0 && m_passes.load() > since;
        if ((signalled && !writerCopies) || (!signalled && leftOver)) {
            m_inPass = true;
            checkpoint(connection, false);
            m_inPass = false;
        }
        lock.lock();
    }
    lock.unlock();
    checkpoint(connection, true);
    sqlite3_close_v2(connection);
}

void WalCheckpointer::checkpoint(sqlite3 *connection, bool finalPass)
{
    int logFrames = 0;
    int copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(connection, nullptr, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied);
    if (rc != SQLITE_OK) {
        // SQLITE_BUSY: another connection is checkpointing (one closing as the last of the file); tried again later.
        if (rc != SQLITE_BUSY)
            qCWarning(lcStorage) << "WAL checkpoint of" << m_path << "failed:" << sqlite3_errmsg(connection);
        return;
    }
    m_lastLogFrames = logFrames;
    m_copiedFrames.store(copied);
    ++m_passes;
    if (copied < logFrames) {
        ++m_incomplete; // a reader still reads an older snapshot, or a writer went on: the rest on a later pass
        return;
    }
    if (logFrames <= 0 || !(finalPass || walFileSize() > m_options.truncateBytes))
        return; // the next writer starts the WAL again from its beginning
    // Everything is in the database file: cut the WAL file to zero. Waits at most blockMs for a writer to finish
    // and for readers to move on (and holds writers back that long at most).
    sqlite3_busy_timeout(connection, m_options.blockMs);
    rc = sqlite3_wal_checkpoint_v2(connection, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &logFrames, &copied);
    sqlite3_busy_timeout(connection, 0);
    if (rc == SQLITE_OK) {
        ++m_truncations;
        m_lastLogFrames = 0;
        m_copiedFrames.store(0);
        m_walPages.store(0);
    }
}

std::int64_t WalCheckpointer::walFileSize() const
{
    return m_walPath.isEmpty() ? 0 : QFileInfo(m_walPath).size();
}

} // namespace Storage
