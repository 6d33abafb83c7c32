// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "testdatabase.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include <QMutex>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>

namespace TestUtils {

using namespace Qt::StringLiterals;

Backend backendUnderTest()
{
    return qEnvironmentVariable("CS_TEST_DATABASE") == u"postgresql"_s ? Backend::PostgreSql : Backend::Sqlite;
}

QString backendName()
{
    return backendUnderTest() == Backend::PostgreSql ? u"PostgreSQL"_s : u"SQLite"_s;
}

bool backendRequired()
{
    return qEnvironmentVariable("CS_REQUIRE_PG") == u"1"_s;
}

namespace {
// Runs one administrative statement on the server's maintenance database.
QString adminExec(const QString &statement)
{
    const QUrl url(qEnvironmentVariable("CS_TEST_PG_URL"));
    const QString name = u"csdesk-test-admin-%1"_s.arg(QRandomGenerator::global()->generate());
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setUserName(url.userName());
        db.setPassword(url.password());
        db.setDatabaseName(url.path().mid(1).isEmpty() ? u"postgres"_s : url.path().mid(1));
        if (!db.open()) {
            error = db.lastError().text();
        } else {
            QSqlQuery q(db);
            if (!q.exec(statement))
                error = q.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return error;
}

QString pgUrlFor(const QString &database)
{
    QUrl url(qEnvironmentVariable("CS_TEST_PG_URL"));
    url.setPath(u"/"_s + database);
    return url.toString();
}
} // namespace

QString backendUnavailableReason()
{
    if (backendUnderTest() == Backend::Sqlite)
        return {};
    if (qEnvironmentVariableIsEmpty("CS_TEST_PG_URL"))
        return u"CS_TEST_PG_URL is not set: no PostgreSQL server to test against (.ci/run starts one)"_s;
    static const QString reason = [] {
        const QString error = adminExec(u"SELECT 1"_s);
        return error.isEmpty() ? QString() : u"PostgreSQL at CS_TEST_PG_URL is unreachable: "_s + error;
    }();
    return reason;
}

namespace {

std::atomic<QtMessageHandler> g_previousHandler = nullptr;

// Qt's PostgreSQL driver reads a forward-only result one row at a time; a statement run on the same connection
// before the last row was read discards the rest, says so in a warning, and the reading loop just ends early (rows
// silently lost: tst_churnservice riskLevelChangeOnTheTimeline, tst_csvimporter importedTicketsRunTheirSlaClocks).
// In the tests that warning is fatal, whichever test and code path runs into it: passed on as a QtFatalMsg (QTest
// logs it against the running test function), then abort.
void failOnLostResults(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QtMessageHandler previous = g_previousHandler.load();
    const auto pass = [&](QtMsgType t, const QString &m) {
        if (previous)
            previous(t, context, m);
        else // only while guardAgainstLostResults() is between installing and storing, on another thread
            std::fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(t, context, m)));
    };
    if (message.contains(u"Query results lost"_s)) {
        pass(QtFatalMsg,
            message + u" — a statement ran while a forward-only PostgreSQL result was still being read: read the "
                      u"rows to the end first"_s);
        std::abort();
    }
    pass(type, message);
}

// On top of whatever handles messages now. QTest installs its own when a suite starts (after a fixture that is a
// member of the test object was made), so every TestDatabase checks again.
void guardAgainstLostResults()
{
    static QBasicMutex mutex;
    QMutexLocker lock(&mutex);
    const QtMessageHandler current = qInstallMessageHandler(failOnLostResults);
    if (current != failOnLostResults)
        g_previousHandler.store(current);
}

} // namespace

TestDatabase::TestDatabase()
{
    guardAgainstLostResults();
    if (!backendUnavailableReason().isEmpty()) {
        m_error = backendUnavailableReason();
        return;
    }
    if (backendUnderTest() == Backend::Sqlite)
        m_url = u"sqlite:"_s + m_dir.filePath(u"portfolio.db"_s);
    else
        m_url = createEmptyDatabaseUrl();
    if (m_url.isEmpty())
        return;
    auto opened = Storage::Database::open(m_url);
    if (!opened) {
        m_error = opened.error().toString();
        return;
    }
    m_db = std::move(opened.value());
}

TestDatabase::~TestDatabase()
{
    m_db.reset();
    for (const QString &name : std::as_const(m_pgDatabases))
        adminExec(u"DROP DATABASE IF EXISTS %1 WITH (FORCE)"_s.arg(name));
}

QString TestDatabase::createEmptyDatabaseUrl()
{
    if (backendUnderTest() == Backend::Sqlite)
        return u"sqlite:"_s + m_dir.filePath(u"extra-%1.db"_s.arg(QRandomGenerator::global()->generate()));
    const QString name = u"csdesk_test_%1"_s.arg(QRandomGenerator::global()->generate64() & 0xffffffffffffULL, 0, 16);
    if (const QString error = adminExec(u"CREATE DATABASE %1"_s.arg(name)); !error.isEmpty()) {
        m_error = u"cannot create test database: "_s + error;
        return {};
    }
    m_pgDatabases << name;
    return pgUrlFor(name);
}

std::unique_ptr<Storage::Database> TestDatabase::openAgain() const
{
    auto opened = Storage::Database::open(m_url);
    if (!opened)
        return nullptr;
    return std::move(opened.value());
}

bool TestDatabase::reopen()
{
    m_db.reset();
    auto opened = Storage::Database::open(m_url);
    if (!opened) {
        m_error = opened.error().toString();
        return false;
    }
    m_db = std::move(opened.value());
    return true;
}

} // namespace TestUtils
