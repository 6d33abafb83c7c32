// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "database.h"

#include "sqlitehandle.h"
#include "statementcache.h"
#include "walcheckpointer.h"

#include <atomic>
#include <mutex>
#include <unordered_map>

#include <sqlite3.h>

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QThread>
#include <QUrl>

#include "migrator.h"

Q_LOGGING_CATEGORY(lcStorage, "cs.core.storage")

namespace Storage {

using namespace Qt::StringLiterals;

struct Database::ThreadConnection
{
    QString name;
    QSqlDatabase handle; // kept, so that connection() needs no look-up in Qt's global (locked) connection list
    int transactionDepth = 0;
    std::shared_ptr<StatementCache> statements = std::make_shared<StatementCache>();
    // Its WAL hook points at the checkpointer, which must outlive the connection (closed first, below).
    std::shared_ptr<WalCheckpointer> checkpointer;
    ~ThreadConnection()
    {
        statements.reset(); // statements still lent out finalise with their Query
        if (handle.isOpen())
            handle.close();
        handle = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
    }
};

Core::Result<DatabaseUrl> DatabaseUrl::parse(const QString &text)
{
    DatabaseUrl url;
    if (text.startsWith(u"sqlite:"_s)) {
        url.dialect = Dialect::Sqlite;
        url.path = text.mid(7);
        if (url.path.startsWith(u"//"_s)) // sqlite:///abs/path
            url.path = url.path.mid(2);
        if (url.path.isEmpty())
            return Core::Error::invalid(u"db"_s, u"sqlite: URL needs a file path, e.g. sqlite:/home/me/portfolio.db"_s);
        return url;
    }
    if (text.startsWith(u"postgresql://"_s) || text.startsWith(u"postgres://"_s)) {
        const QUrl qurl(text, QUrl::StrictMode);
        if (!qurl.isValid() || qurl.host().isEmpty())
            return Core::Error::invalid(u"db"_s, u"is not a valid postgresql://user@host:port/database URL"_s);
        url.dialect = Dialect::PostgreSql;
        url.host = qurl.host();
        url.port = qurl.port(5432);
        url.user = qurl.userName();
        url.passwordInUrl = qurl.password();
        url.databaseName = qurl.path().mid(1);
        if (url.databaseName.isEmpty())
            return Core::Error::invalid(u"db"_s, u"postgresql URL needs a database name after the port"_s);
        return url;
    }
    return Core::Error::invalid(u"db"_s, u"must start with sqlite: or postgresql://"_s);
}

QString DatabaseUrl::defaultUrl()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return u"sqlite:"_s + dir + u"/portfolio.db"_s;
}

QString DatabaseUrl::toDisplayString() const
{
    if (dialect == Dialect::Sqlite)
        return u"sqlite:"_s + path;
    return u"postgresql://%1@%2:%3/%4"_s.arg(user, host).arg(port).arg(databaseName);
}

namespace {
std::atomic<int> s_instanceCounter { 0 };

// The WAL checkpointer of each open SQLite file database, kept here rather than in Database (database.h is included
// everywhere). Looked up when a thread opens its connection.
std::mutex s_checkpointersMutex;
std::unordered_map<const Database *, std::shared_ptr<WalCheckpointer>> s_checkpointers;
} // namespace

std::shared_ptr<WalCheckpointer> walCheckpointer(const Database &db)
{
    const std::lock_guard lock(s_checkpointersMutex);
    const auto it = s_checkpointers.find(&db);
    return it == s_checkpointers.end() ? nullptr : it->second;
}

Database::Database(DatabaseUrl url, QString password)
    : m_url(std::move(url))
    , m_password(std::move(password))
    , m_instanceTag(u"csdesk-db-%1"_s.arg(++s_instanceCounter))
{ }

Database::~Database()
{
    // Other threads' connections are released when those threads end; ours goes now.
    releaseThreadConnection();
    std::shared_ptr<WalCheckpointer> checkpointer;
    {
        const std::lock_guard lock(s_checkpointersMutex);
        if (const auto it = s_checkpointers.find(this); it != s_checkpointers.end()) {
            checkpointer = std::move(it->second);
            s_checkpointers.erase(it);
        }
    }
    if (checkpointer)
        checkpointer->stop(); // a last checkpoint: the WAL's frames into the database file
}

Core::Result<std::unique_ptr<Database>> Database::open(const QString &urlText, const QString &password, int migrateUpTo)
{
    auto url = DatabaseUrl::parse(urlText);
    if (!url)
        return url.error();
    if (url->dialect == Dialect::Sqlite) {
        const QFileInfo info(url->path);
        if (!QDir().mkpath(info.absolutePath()))
            return Core::Error::invalid(u"db"_s, u"cannot create the folder %1"_s.arg(info.absolutePath()));
    }
    const QString effectivePassword = password.isEmpty() ? url->passwordInUrl : password;
    std::unique_ptr<Database> db(new Database(*url, effectivePassword));
    if (auto opened = db->openThreadConnection(); !opened)
        return opened.error();
    Migrator migrator(*db);
    if (auto migrated = migrator.migrate(migrateUpTo); !migrated)
        return migrated.error();
    if (url->dialect == Dialect::Sqlite) {
        // Checkpoints in the background from now on (see WalCheckpointer): only for a file database (an in-memory
        // or temporary one has no WAL), which this first connection tells.
        sqlite3 *handle = sqliteHandle(db->connection());
        const char *file = handle ? sqlite3_db_filename(handle, "main") : nullptr;
        if (file && *file) {
            auto checkpointer = std::make_shared<WalCheckpointer>(QString::fromUtf8(file));
            if (auto started = checkpointer->start(); !started) {
                // SQLite's automatic checkpoint stays on: slower commits, nothing lost.
                qCWarning(lcStorage) << started.error().toString();
            } else if (auto attached = checkpointer->attach(handle); !attached) {
                qCWarning(lcStorage) << attached.error().toString();
                sqlite3_wal_autocheckpoint(handle, 1000); // SQLite's default
            } else {
                db->m_connections.localData()->checkpointer = checkpointer;
                const std::lock_guard lock(s_checkpointersMutex);
                s_checkpointers[db.get()] = std::move(checkpointer);
            }
        }
    }
    return db;
}

Core::Status Database::openThreadConnection() const
{
    if (m_connections.hasLocalData())
        return {};
    auto *conn = new ThreadConnection;
    conn->name = u"%1-%2"_s.arg(m_instanceTag).arg(quintptr(QThread::currentThreadId()), 0, 16);
    QSqlDatabase db;
    if (m_url.dialect == Dialect::Sqlite) {
        db = QSqlDatabase::addDatabase(u"QSQLITE"_s, conn->name);
        db.setDatabaseName(m_url.path);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=10000"_s);
    } else {
        db = QSqlDatabase::addDatabase(u"QPSQL"_s, conn->name);
        db.setHostName(m_url.host);
        db.setPort(m_url.port);
        db.setUserName(m_url.user);
        db.setPassword(m_password);
        db.setDatabaseName(m_url.databaseName);
        db.setConnectOptions(u"connect_timeout=10;application_name=csdesk"_s);
    }
    conn->handle = db;
    m_connections.setLocalData(conn);
    if (!db.open()) {
        const QString reason = db.lastError().text();
        m_connections.setLocalData(nullptr); // deletes conn, removing the connection
        return Core::Error::storage(u"cannot open %1: %2"_s.arg(m_url.toDisplayString(), reason));
    }
    QSqlQuery q(db);
    if (m_url.dialect == Dialect::Sqlite) {
        // WAL + synchronous=NORMAL: a committed transaction survives a kill -9 of the app (DESIGN.md §3);
        // foreign keys are off by default in SQLite and must be enabled per connection.
        const QString pragmas[] = {
            u"PRAGMA journal_mode=WAL"_s,
            u"PRAGMA synchronous=NORMAL"_s,
            u"PRAGMA foreign_keys=ON"_s,
            u"PRAGMA busy_timeout=10000"_s,
            u"PRAGMA temp_store=MEMORY"_s,
            u"PRAGMA cache_size=-65536"_s,
        };
        for (const QString &pragma : pragmas) {
            if (!q.exec(pragma))
                return Core::Error::storage(u"%1 failed: %2"_s.arg(pragma, q.lastError().text()));
        }
        // Checkpoints are the checkpointer's (none yet while open() sets the database up: SQLite's automatic one).
        if (auto checkpointer = walCheckpointer(*this)) {
            if (auto attached = checkpointer->attach(sqliteHandle(db)); !attached)
                return attached;
            conn->checkpointer = std::move(checkpointer);
        }
    } else {
        if (!q.exec(u"SET client_min_messages TO warning"_s) || !q.exec(u"SET TIME ZONE 'UTC'"_s))
            return Core::Error::storage(u"cannot set the session time zone: %1"_s.arg(q.lastError().text()));
    }
    return {};
}

QSqlDatabase Database::connection() const
{
    if (!m_connections.hasLocalData()) {
        if (auto opened = openThreadConnection(); !opened)
            qCWarning(lcStorage) << opened.error().toString();
    }
    if (!m_connections.hasLocalData())
        return {};
    return m_connections.localData()->handle;
}

std::shared_ptr<StatementCache> Database::statementCache() const
{
    if (!m_connections.hasLocalData())
        connection();
    return m_connections.hasLocalData() ? m_connections.localData()->statements : nullptr;
}

void Database::releaseThreadConnection() const
{
    if (m_connections.hasLocalData())
        m_connections.setLocalData(nullptr);
}

int &Database::transactionDepth() const
{
    if (!m_connections.hasLocalData())
        connection();
    Q_ASSERT(m_connections.hasLocalData());
    return m_connections.localData()->transactionDepth;
}

int Database::schemaVersion() const
{
    QSqlQuery q(connection());
    if (q.exec(u"SELECT COALESCE(MAX(version), 0) FROM schema_migrations"_s) && q.next())
        return q.value(0).toInt();
    return 0;
}

} // namespace Storage
