// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include <atomic>
#include <optional>

#include <QObject>
#include <QScopeGuard>
#include <QTest>
#include <QThread>

#include "memorysecretstore.h"

using Core::ErrorCode;
using Core::MemorySecretStore;
using Core::Result;
using Core::SecretStore;
using Core::Status;

namespace {

const int WaitMs = 5000;

// What went wrong, for a failure message; QVERIFY2 builds its message even when the check passes.
template<typename R> QByteArray why(const R &result)
{
    return result.ok() ? QByteArray() : result.error().toString().toUtf8();
}

// One call's answer, and how it arrived: the port promises "later, once, on the caller's thread".
template<typename T> struct Answer
{
    std::optional<T> value;
    int calls = 0;
    bool beforeReturn = false; // the callback ran inside the call
};

} // namespace

class TestMemorySecretStore final : public QObject
{
    Q_OBJECT

private:
    // Each helper waits on the event loop for the callback, and checks it came after the call returned.
    Result<QString> read(SecretStore &store, const QString &key);
    Status write(SecretStore &store, const QString &key, const QString &secret);
    Status remove(SecretStore &store, const QString &key);

private Q_SLOTS:
    void writeThenReadReturnsTheSecret();
    void overwriteReplacesTheSecret();
    void deleteForgetsTheSecret();
    void readingAMissingKeyIsNotFound();
    void deletingAMissingKeySucceeds();
    void keysAreIndependent();
    void emptyKeyIsRefused_data();
    void emptyKeyIsRefused();
    void callbackRunsLaterAndExactlyOnce();
    void callbackRunsOnTheCallersThread();
    void isNeverPersistent();
};

Result<QString> TestMemorySecretStore::read(SecretStore &store, const QString &key)
{
    Answer<Result<QString>> answer;
    bool returned = false;
    store.readSecret(key, [&](Result<QString> result) {
        ++answer.calls;
        answer.beforeReturn = !returned;
        answer.value.emplace(std::move(result));
    });
    returned = true;
    if (!QTest::qWaitFor([&] { return answer.calls > 0; }, WaitMs))
        return Core::Error::storage(QStringLiteral("test: no answer within the wait"));
    if (answer.beforeReturn)
        return Core::Error::storage(QStringLiteral("test: callback ran inside the call"));
    return *answer.value;
}

Status TestMemorySecretStore::write(SecretStore &store, const QString &key, const QString &secret)
{
    Answer<Status> answer;
    bool returned = false;
    store.writeSecret(key, secret, [&](Status status) {
        ++answer.calls;
        answer.beforeReturn = !returned;
        answer.value.emplace(std::move(status));
    });
    returned = true;
    if (!QTest::qWaitFor([&] { return answer.calls > 0; }, WaitMs))
        return Core::Error::storage(QStringLiteral("test: no answer within the wait"));
    if (answer.beforeReturn)
        return Core::Error::storage(QStringLiteral("test: callback ran inside the call"));
    return *answer.value;
}

Status TestMemorySecretStore::remove(SecretStore &store, const QString &key)
{
    Answer<Status> answer;
    bool returned = false;
    store.deleteSecret(key, [&](Status status) {
        ++answer.calls;
        answer.beforeReturn = !returned;
        answer.value.emplace(std::move(status));
    });
    returned = true;
    if (!QTest::qWaitFor([&] { return answer.calls > 0; }, WaitMs))
        return Core::Error::storage(QStringLiteral("test: no answer within the wait"));
    if (answer.beforeReturn)
        return Core::Error::storage(QStringLiteral("test: callback ran inside the call"));
    return *answer.value;
}

void TestMemorySecretStore::writeThenReadReturnsTheSecret()
{
    MemorySecretStore store;
    const QString key = SecretStore::key(QStringLiteral("zendesk"), QStringLiteral("acme"), QStringLiteral("token"));
    const Status written = write(store, key, QStringLiteral("s3cr3t-token"));
    QVERIFY2(written.ok(), why(written).constData());

    const Result<QString> got = read(store, key);
    QVERIFY2(got.ok(), why(got).constData());
    QCOMPARE(*got, QStringLiteral("s3cr3t-token"));
}

void TestMemorySecretStore::overwriteReplacesTheSecret()
{
    MemorySecretStore store;
    const QString key = SecretStore::key(QStringLiteral("sendgrid"), QStringLiteral("main"), QStringLiteral("api_key"));
    QVERIFY(write(store, key, QStringLiteral("first")).ok());
    QVERIFY(write(store, key, QStringLiteral("second")).ok());

    const Result<QString> got = read(store, key);
    QVERIFY2(got.ok(), why(got).constData());
    QCOMPARE(*got, QStringLiteral("second"));
}

void TestMemorySecretStore::deleteForgetsTheSecret()
{
    MemorySecretStore store;
    const QString key = SecretStore::key(QStringLiteral("intercom"), QStringLiteral("eu"), QStringLiteral("token"));
    QVERIFY(write(store, key, QStringLiteral("to-be-forgotten")).ok());
    const Status deleted = remove(store, key);
    QVERIFY2(deleted.ok(), why(deleted).constData());

    const Result<QString> got = read(store, key);
    QVERIFY(!got.ok());
    QCOMPARE(got.error().code, ErrorCode::NotFound);
}

void TestMemorySecretStore::readingAMissingKeyIsNotFound()
{
    MemorySecretStore store;
    const Result<QString> got = read(store, QStringLiteral("csdesk:mixpanel:none:secret"));
    QVERIFY(!got.ok());
    QCOMPARE(got.error().code, ErrorCode::NotFound);
    QCOMPARE(got.error().field, QStringLiteral("key"));
}

void TestMemorySecretStore::deletingAMissingKeySucceeds()
{
    MemorySecretStore store;
    const Status deleted = remove(store, QStringLiteral("csdesk:mixpanel:none:secret"));
    QVERIFY2(deleted.ok(), why(deleted).constData());
}

void TestMemorySecretStore::keysAreIndependent()
{
    MemorySecretStore store;
    const QString a = SecretStore::key(QStringLiteral("zendesk"), QStringLiteral("a"), QStringLiteral("token"));
    const QString b = SecretStore::key(QStringLiteral("zendesk"), QStringLiteral("b"), QStringLiteral("token"));
    QVERIFY(write(store, a, QStringLiteral("token-a")).ok());
    QVERIFY(write(store, b, QStringLiteral("token-b")).ok());
    QVERIFY(remove(store, a).ok());

    QCOMPARE(read(store, a).error().code, ErrorCode::NotFound);
    const Result<QString> other = read(store, b);
    QVERIFY2(other.ok(), why(other).constData());
    QCOMPARE(*other, QStringLiteral("token-b"));
}

void TestMemorySecretStore::emptyKeyIsRefused_data()
{
    QTest::addColumn<int>("operation");
    QTest::addRow("read") << 0;
    QTest::addRow("write") << 1;
    QTest::addRow("delete") << 2;
}

void TestMemorySecretStore::emptyKeyIsRefused()
{
    QFETCH(int, operation);
    MemorySecretStore store;
    std::optional<Core::Error> error;
    switch (operation) {
    case 0: {
        const Result<QString> got = read(store, QString());
        QVERIFY(!got.ok());
        error = got.error();
        break;
    }
    case 1: {
        const Status written = write(store, QString(), QStringLiteral("x"));
        QVERIFY(!written.ok());
        error = written.error();
        break;
    }
    default: {
        const Status deleted = remove(store, QString());
        QVERIFY(!deleted.ok());
        error = deleted.error();
        break;
    }
    }
    QCOMPARE(error->code, ErrorCode::InvalidArgument);
    QCOMPARE(error->field, QStringLiteral("key"));
}

void TestMemorySecretStore::callbackRunsLaterAndExactlyOnce()
{
    MemorySecretStore store;
    const QString key = QStringLiteral("csdesk:zendesk:acme:token");
    int writes = 0;
    int reads = 0;
    int deletes = 0;
    store.writeSecret(key, QStringLiteral("v"), [&](Status) { ++writes; });
    store.readSecret(key, [&](Result<QString>) { ++reads; });
    store.deleteSecret(key, [&](Status) { ++deletes; });
    // Nothing may have run yet: a caller is allowed to finish setting up before its callback fires.
    QCOMPARE(writes, 0);
    QCOMPARE(reads, 0);
    QCOMPARE(deletes, 0);

    QTRY_VERIFY_WITH_TIMEOUT(writes == 1 && reads == 1 && deletes == 1, WaitMs);
    // Let the event loop run on to catch a second delivery.
    QTest::qWait(50);
    QCOMPARE(writes, 1);
    QCOMPARE(reads, 1);
    QCOMPARE(deletes, 1);
}

void TestMemorySecretStore::callbackRunsOnTheCallersThread()
{
    MemorySecretStore store;
    QVERIFY(write(store, QStringLiteral("csdesk:zendesk:acme:token"), QStringLiteral("v")).ok());

    QThread worker;
    worker.start();
    QObject onWorker;
    onWorker.moveToThread(&worker);
    const auto stopWorker = qScopeGuard([&] {
        worker.quit();
        worker.wait();
    });

    std::atomic<QThread *> calledOn { nullptr };
    std::atomic_int calls { 0 };
    QMetaObject::invokeMethod(&onWorker, [&] {
        store.readSecret(QStringLiteral("csdesk:zendesk:acme:token"), [&](Result<QString> result) {
            if (result.ok() && *result == QStringLiteral("v"))
                calledOn = QThread::currentThread();
            ++calls;
        });
    });
    QTRY_COMPARE_WITH_TIMEOUT(calls.load(), 1, WaitMs);
    QCOMPARE(calledOn.load(), &worker);
}

void TestMemorySecretStore::isNeverPersistent()
{
    // The UI reads this to warn that secrets die with the process.
    MemorySecretStore store;
    QVERIFY(!store.isPersistent());
}

QTEST_GUILESS_MAIN(TestMemorySecretStore)
#include "tst_memorysecretstore.moc"
