// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QSqlDatabase>

struct sqlite3;

namespace Storage {

// The sqlite3 handle behind a QSQLITE connection (for the few paths that talk to SQLite directly: BulkInserter's
// binding, count()'s data version); nullptr for any other driver. Private to core/storage.
sqlite3 *sqliteHandle(const QSqlDatabase &connection);

} // namespace Storage
