// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <memory>

#include <QString>
#include <QTemporaryDir>

#include "database.h"

namespace TestUtils {

// Which database a test executable runs against: SQLite unless CS_TEST_DATABASE=postgresql, in which case
// CS_TEST_PG_URL names a server (postgresql://postgres@127.0.0.1:PORT/postgres) on which each fixture
// creates, and afterwards drops, a database of its own.
enum class Backend { Sqlite, PostgreSql };
Backend backendUnderTest();
QString backendName();

// Returns an empty string when the backend is usable, else why not. When CS_REQUIRE_PG=1 a test should
// fail rather than skip on that reason (CI sets it).
QString backendUnavailableReason();
bool backendRequired();

// A fresh, migrated, empty portfolio database for one test, removed on destruction.
class TestDatabase final {
public:
    TestDatabase();
    ~TestDatabase();
    Q_DISABLE_COPY_MOVE(TestDatabase)

    bool isOpen() const { return m_db != nullptr; }
    QString error() const { return m_error; }
    Storage::Database &db() { return *m_db; }
    QString url() const { return m_url; }
    // Opens a second Database object on the same portfolio (another desktop, or a reopen after a crash).
    std::unique_ptr<Storage::Database> openAgain() const;
    // Drops the Database object (closing this thread's connection) without deleting the data.
    void close() { m_db.reset(); }
    bool reopen();

    // The URL of a fresh, unmigrated database (for migration tests); removed with this fixture.
    QString createEmptyDatabaseUrl();

private:
    QString m_url;
    QString m_error;
    QTemporaryDir m_dir;
    QStringList m_pgDatabases;
    std::unique_ptr<Storage::Database> m_db;
};

} // namespace TestUtils

// In a test function: QSKIP (or QFAIL when the backend is required) when the backend is unavailable.
#define CS_REQUIRE_BACKEND()                                                                                       \
    do {                                                                                                           \
        const QString reason_ = TestUtils::backendUnavailableReason();                                             \
        if (!reason_.isEmpty()) {                                                                                  \
            if (TestUtils::backendRequired())                                                                      \
                QFAIL(qPrintable(reason_));                                                                        \
            QSKIP(qPrintable(reason_));                                                                            \
        }                                                                                                          \
    } while (false)
