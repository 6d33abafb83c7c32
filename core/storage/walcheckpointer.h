// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include <QString>

#include "error.h"

struct sqlite3;

namespace Storage {

class Database;

// Background WAL checkpoints for one SQLite file database (DESIGN.md §3). Private to core/storage.
//
// SQLite's automatic checkpoint runs inside whichever commit takes the WAL over wal_autocheckpoint pages: that
// commit copies every frame back into the database file and fsyncs it (measured on 100k customers, the daily health
// recompute's commit: 0.39 → 0.23 s CPU, 0.67 → 0.40 s wall with this thread doing it instead). Here it is off on every
// connection of the database; each connection's WAL hook (called after its commit, the write lock already released)
// only records the WAL's size and wakes this thread when it has grown by `signalPages`. The thread checkpoints on its
// own connection:
// - PASSIVE: never waits for a lock and never blocks a writer or a reader; copies the frames no reader still
//   needs. The next writer after a complete pass starts the WAL again from its beginning.
// - TRUNCATE after a complete pass when the WAL file has grown over `truncateBytes` (one large transaction), and
//   on stop(): waits at most `blockMs` for writers and readers, then cuts the file to zero.
// - a writer that commits without pause never lets the WAL start over (a pass beside it never finds everything
//   copied when the next write begins): when the WAL stays at `restartPages` or more across a whole pass, the
//   committing connection copies the rest itself between two transactions, as SQLite's automatic checkpoint would.
// - while idle it looks every `idlePollMs` for frames left over (commits below the signal size, or frames a
//   reader held back) and checkpoints them.
// Durability is SQLite's: WAL + synchronous=NORMAL keeps every committed transaction in the WAL file until a
// checkpoint has copied and synced it, so a kill -9 at any moment (also in the middle of a pass) loses nothing.
// stop() (the Database's destructor) runs a last TRUNCATE checkpoint.
class WalCheckpointer final
{
public:
    struct Options
    {
        int signalPages = 1000; // SQLite's default wal_autocheckpoint
        int restartPages = 4000; // WAL size past which a writer checkpoints itself when the thread cannot keep up
        std::int64_t truncateBytes = std::int64_t(64) << 20;
        int blockMs = 100; // the longest a TRUNCATE waits for a writer or reader (and holds writers back)
        int idlePollMs = 1000;
    };

    explicit WalCheckpointer(QString path, Options options);
    explicit WalCheckpointer(QString path)
        : WalCheckpointer(std::move(path), Options {})
    { }
    ~WalCheckpointer();
    Q_DISABLE_COPY_MOVE(WalCheckpointer)

    // Makes `connection` (a connection of this database) leave its checkpoints to this object: automatic checkpoint
    // off, WAL hook installed, the WAL file cut back to truncateBytes whenever it starts again. This object must
    // outlive the connection (connections hold a shared_ptr to it).
    Core::Status attach(sqlite3 *connection);
    // Opens the thread's own connection and starts the thread (idempotent). Connections attached before only record
    // their commits until then.
    Core::Status start();
    // Stops the thread after a last checkpoint (idempotent; also on destruction).
    void stop();

    // Diagnostics (tests): completed checkpoint passes, and those that left frames behind for a reader.
    std::int64_t passes() const { return m_passes.load(); }
    std::int64_t incompletePasses() const { return m_incomplete.load(); }
    std::int64_t inlinePasses() const { return m_inlinePasses.load(); }
    std::int64_t truncations() const { return m_truncations.load(); }
    const Options &options() const { return m_options; }

private:
    static int onCommit(void *self, sqlite3 *connection, const char *schema, int pages);
    void run(sqlite3 *connection);
    // One pass on the thread's connection; `finalPass` also truncates whatever the size.
    void checkpoint(sqlite3 *connection, bool finalPass);
    std::int64_t walFileSize() const;

    const QString m_path;
    const Options m_options;
    QString m_walPath; // set by start()
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_started = false;
    std::atomic<int> m_walPages { 0 }; // the WAL size the last commit reported (frames)
    std::atomic<int> m_copiedFrames { 0 }; // frames the last pass found in the database file
    int m_lastLogFrames = 0; // the WAL size the last pass found (the thread's own)
    std::atomic<bool> m_signalled { false };
    std::atomic<bool> m_inPass { false }; // the thread is checkpointing
    std::atomic<std::int64_t> m_passes { 0 };
    std::atomic<std::int64_t> m_incomplete { 0 };
    std::atomic<std::int64_t> m_inlinePasses { 0 };
    std::atomic<std::int64_t> m_passAtRestartSize { -1 }; // m_passes when the WAL reached restartPages
    std::atomic<std::int64_t> m_truncations { 0 };
};

// The checkpointer of `db`: null for PostgreSQL and for SQLite databases without a file.
std::shared_ptr<WalCheckpointer> walCheckpointer(const Database &db);

} // namespace Storage
