// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include "database.h"
#include "error.h"

namespace Storage {

// Numbered schema migrations from resources/migrations (DESIGN.md §3). A file is either common to both
// dialects (`0003_support.sql`, with {{TOKENS}} for the few type names that differ) or one of a pair
// (`0009_kb_search.sqlite.sql` + `0009_kb_search.postgresql.sql`). Each migration runs in one transaction
// and is recorded in schema_migrations with a checksum.
class Migrator final {
public:
    struct Migration {
        int version = 0;
        QString name;
        QString sql; // after token substitution, for this dialect
        QString checksum;
    };

    explicit Migrator(const Database &db, QString directory = QStringLiteral(":/migrations"));

    // Applies every pending migration up to `upTo` (default: all). Refuses a database whose newest
    // recorded migration is unknown to this build.
    Core::Status migrate(int upTo = -1);

    Core::Result<QList<Migration>> available() const;
    int latestKnownVersion() const;

    // Exposed for tests: token substitution and statement splitting.
    static QString substituteTokens(const QString &sql, Dialect dialect);
    static QStringList splitStatements(const QString &sql);

private:
    Core::Status ensureBookkeeping();
    Core::Status apply(const Migration &migration);

    const Database &m_db;
    QString m_directory;
};

} // namespace Storage
