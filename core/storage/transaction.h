// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include "database.h"
#include "error.h"

namespace Storage {

// A unit of work on the calling thread's connection: rolled back unless commit() succeeds. Nested
// transactions become savepoints, so a service can compose repository calls (and the outbox row they cause)
// into one atomic write (DESIGN.md §6: the outbox row is written in the same transaction as the change).
class Transaction final {
public:
    explicit Transaction(const Database &db);
    ~Transaction();
    Q_DISABLE_COPY_MOVE(Transaction)

    // False when BEGIN itself failed (e.g. the database is locked beyond busy_timeout).
    bool isActive() const { return m_active; }
    const Core::Error &beginError() const { return m_beginError; }

    Core::Status commit();
    void rollback();

private:
    const Database &m_db;
    int m_depth = 0;
    bool m_active = false;
    Core::Error m_beginError;
};

} // namespace Storage
