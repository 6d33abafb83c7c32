// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <memory>

#include <QSqlDatabase>
#include <QString>
#include <QThreadStorage>

#include "error.h"

namespace Storage {

class StatementCache;

enum class Dialect { Sqlite, PostgreSql };

// `sqlite:<path>` or `postgresql://user@host:port/db` (DESIGN.md §3). A password never travels in the URL we
// store or log: it comes from the SecretStore and is handed to open() separately.
struct DatabaseUrl
{
    Dialect dialect = Dialect::Sqlite;
    QString path; // SQLite file
    QString host;
    int port = 5432;
    QString user;
    QString databaseName;
    QString passwordInUrl; // accepted for ad-hoc use (tests, CLI); never printed by toDisplayString()

    static Core::Result<DatabaseUrl> parse(const QString &url);
    // The SQLite file under QStandardPaths::AppDataLocation.
    static QString defaultUrl();
    QString toDisplayString() const;
};

// One portfolio database. Owns one connection per thread that uses it (Qt Sql connections are per thread,
// DESIGN.md §2): the GUI thread, the MCP thread and each worker call connection() and get their own.
class Database final
{
public:
    ~Database();
    Q_DISABLE_COPY_MOVE(Database)

    // Opens (creating an SQLite file if needed) and migrates to the newest schema this build knows.
    // A database whose schema is newer than this build is refused with ErrorCode::Unsupported.
    // `migrateUpTo` stops at an older schema version (tests of upgrades from older databases); -1 = newest.
    static Core::Result<std::unique_ptr<Database>> open(
        const QString &url, const QString &password = {}, int migrateUpTo = -1);

    Dialect dialect() const { return m_url.dialect; }
    const DatabaseUrl &url() const { return m_url; }

    // The calling thread's connection, opened and configured on first use. Released when the thread ends.
    QSqlDatabase connection() const;
    // Closes the calling thread's connection now (workers call this before they finish).
    void releaseThreadConnection() const;

    // Nesting depth of Transaction objects on the calling thread's connection.
    int &transactionDepth() const;
    // The prepared statements of the calling thread's connection (exec() reuses them); null when the thread has
    // no connection. Dropped with the connection.
    std::shared_ptr<StatementCache> statementCache() const;

    int schemaVersion() const;

private:
    Database(DatabaseUrl url, QString password);
    Core::Status openThreadConnection() const;

    struct ThreadConnection;
    DatabaseUrl m_url;
    QString m_password;
    QString m_instanceTag;
    mutable QThreadStorage<ThreadConnection *> m_connections;
};

} // namespace Storage
