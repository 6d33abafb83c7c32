// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
//
// KeychainSecretStore against a real keyring, and without one. CI runs it inside a private session bus with an
// unlocked gnome-keyring (DESIGN.md §8):
//   dbus-run-session -- sh -c 'echo -n pass | gnome-keyring-daemon --unlock --components=secrets; ctest -L keychain'
// The no-keyring case runs the same binary again as a child process without any session bus, because GDBus and
// QtKeychain settle on their bus and backend once per process.
#include <atomic>
#include <optional>
#include <utility>

#include <QCoreApplication>
#include <QObject>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUuid>

#include "keychainsecretstore.h"

using Core::ErrorCode;
using Core::Result;
using Core::SecretStore;
using Core::Status;
using Keychain::KeychainSecretStore;

namespace {

const int WaitMs = 20000;
const char ChildMarker[] = "CS_KEYCHAIN_TEST_NO_BUS_CHILD";
const char ChildSecret[] = "child-secret-5d1e0c7b";

// Every callback the tests asked for, and every one that arrived: the port promises exactly one each.
std::atomic_int g_requests { 0 };
std::atomic_int g_answers { 0 };

// What went wrong, for a failure message; QVERIFY2 builds its message even when the check passes.
template<typename R> QByteArray why(const R &result)
{
    return result.ok() ? QByteArray() : result.error().toString().toUtf8();
}

bool keychainRequired()
{
    const QByteArray value = qgetenv("CS_REQUIRE_KEYCHAIN");
    return !value.isEmpty() && value != "0";
}

QString testKey(const QString &field)
{
    return SecretStore::key(QStringLiteral("test"), QUuid::createUuid().toString(QUuid::WithoutBraces), field);
}

// Starts one call and waits on the event loop for its answer; an answer that arrives inside the call is an error.
template<typename T, typename Start> T await(Start start)
{
    std::optional<T> answer;
    bool returned = false;
    bool early = false;
    ++g_requests;
    start([&](T value) {
        ++g_answers;
        early = early || !returned;
        answer.emplace(std::move(value));
    });
    returned = true;
    if (!QTest::qWaitFor([&] { return answer.has_value(); }, WaitMs))
        return T(Core::Error::storage(QStringLiteral("test: no answer within the wait")));
    if (early)
        return T(Core::Error::storage(QStringLiteral("test: the callback ran inside the call")));
    return std::move(*answer);
}

Result<QString> read(SecretStore &store, const QString &key)
{
    return await<Result<QString>>([&](auto done) { store.readSecret(key, done); });
}

Status write(SecretStore &store, const QString &key, const QString &secret)
{
    return await<Status>([&](auto done) { store.writeSecret(key, secret, done); });
}

Status remove(SecretStore &store, const QString &key)
{
    return await<Status>([&](auto done) { store.deleteSecret(key, done); });
}

// Reads from a worker thread; the answer must arrive on that thread, not on the store's.
struct ThreadedRead
{
    std::optional<Result<QString>> result;
    bool onCallingThread = false;
};

ThreadedRead readFromWorker(SecretStore &store, const QString &key)
{
    QThread worker;
    worker.start();
    QObject onWorker;
    onWorker.moveToThread(&worker);
    const auto stop = qScopeGuard([&] {
        worker.quit();
        worker.wait();
    });

    std::atomic_bool done { false };
    ThreadedRead outcome;
    ++g_requests;
    QMetaObject::invokeMethod(&onWorker, [&] {
        store.readSecret(key, [&](Result<QString> result) {
            ++g_answers;
            outcome.result.emplace(std::move(result));
            outcome.onCallingThread = QThread::currentThread() == &worker;
            done = true;
        });
    });
    if (!QTest::qWaitFor([&] { return done.load(); }, WaitMs))
        return {};
    return outcome;
}

} // namespace

class TestKeychainSecretStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripOnTheDesktopKeyring();
    void fallsBackToMemoryWithoutASessionBus();
};

// The half that runs in the child process, where no session bus can be found.
class NoBusChild final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keepsSecretsInMemoryForTheSession();
    void closingTheStoreCancelsCallsInFlight();
};

void TestKeychainSecretStore::roundTripOnTheDesktopKeyring()
{
    if (!qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS")) {
        if (keychainRequired())
            QFAIL("CS_REQUIRE_KEYCHAIN is set but DBUS_SESSION_BUS_ADDRESS is not: run the keychain tests inside "
                  "dbus-run-session with an unlocked gnome-keyring-daemon (DESIGN.md §8)");
        QSKIP("No D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset), so no keyring to test against. Run inside "
              "dbus-run-session with an unlocked gnome-keyring-daemon (DESIGN.md §8); set CS_REQUIRE_KEYCHAIN=1 to "
              "make this a failure instead of a skip");
    }

    KeychainSecretStore store;
    QSignalSpy lost(&store, &KeychainSecretStore::persistenceLost);
    const QString key = testKey(QStringLiteral("token"));
    // Leave nothing behind in a developer's own keyring, whatever happens below.
    const auto cleanup = qScopeGuard([&] { (void)remove(store, key); });

    const Status written = write(store, key, QStringLiteral("first-secret"));
    QVERIFY2(written.ok(), why(written).constData());
    if (!store.isPersistent()) {
        if (keychainRequired())
            QFAIL("The session bus has no usable secret service: the store fell back to memory");
        QSKIP("The session bus has no usable secret service (the store fell back to memory); set "
              "CS_REQUIRE_KEYCHAIN=1 to make this a failure");
    }

    Result<QString> got = read(store, key);
    QVERIFY2(got.ok(), why(got).constData());
    QCOMPARE(*got, QStringLiteral("first-secret"));

    // A second store starts with an empty memory map: finding the secret there proves it is in the keyring.
    KeychainSecretStore other;
    got = read(other, key);
    QVERIFY2(got.ok(), why(got).constData());
    QCOMPARE(*got, QStringLiteral("first-secret"));

    const Status overwritten = write(store, key, QStringLiteral("second-secret"));
    QVERIFY2(overwritten.ok(), why(overwritten).constData());
    got = read(other, key);
    QVERIFY2(got.ok(), why(got).constData());
    QCOMPARE(*got, QStringLiteral("second-secret"));

    // Services on the worker pool and the MCP thread ask too; their answers come back on their own thread.
    const ThreadedRead threaded = readFromWorker(store, key);
    QVERIFY2(threaded.result.has_value(), "no answer to the call from the worker thread");
    QVERIFY2(threaded.onCallingThread, "the answer did not arrive on the calling thread");
    QVERIFY(threaded.result->ok());
    QCOMPARE(**threaded.result, QStringLiteral("second-secret"));

    const Status deleted = remove(store, key);
    QVERIFY2(deleted.ok(), why(deleted).constData());
    got = read(store, key);
    QVERIFY(!got.ok());
    QCOMPARE(got.error().code, ErrorCode::NotFound);
    got = read(other, key);
    QVERIFY(!got.ok());
    QCOMPARE(got.error().code, ErrorCode::NotFound);

    const Status deletedAgain = remove(store, key);
    QVERIFY2(deletedAgain.ok(), why(deletedAgain).constData());
    got = read(store, testKey(QStringLiteral("never_written")));
    QVERIFY(!got.ok());
    QCOMPARE(got.error().code, ErrorCode::NotFound);

    QVERIFY(store.isPersistent());
    QCOMPARE(lost.count(), 0);
    QTest::qWait(100); // room for a stray second answer
    QCOMPARE(g_answers.load(), g_requests.load());
}

void TestKeychainSecretStore::fallsBackToMemoryWithoutASessionBus()
{
    QTemporaryDir runtimeDir;
    QVERIFY(runtimeDir.isValid());

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // Everything GDBus (libsecret) and QtKeychain use to find a session bus or pick a desktop's wallet.
    for (const char *name : { "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "XDG_CURRENT_DESKTOP",
             "DESKTOP_SESSION", "KDE_FULL_SESSION", "KDE_SESSION_VERSION", "GNOME_DESKTOP_SESSION_ID" })
        env.remove(QString::fromLatin1(name));
    // GDBus also tries $XDG_RUNTIME_DIR/bus; an empty directory has none.
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtimeDir.path());
    env.insert(QString::fromLatin1(ChildMarker), QStringLiteral("1"));
    // Debug output too, so that the check below covers every line the store might log.
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("cs.integrations.keychain.debug=true"));

    QProcess child;
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.start(QCoreApplication::applicationFilePath(), {});
    QVERIFY2(child.waitForStarted(), qPrintable(child.errorString()));
    QVERIFY2(child.waitForFinished(4 * WaitMs), "the child process did not finish");
    const QString output = QString::fromLocal8Bit(child.readAll());

    QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0, qPrintable(output));
    QVERIFY2(output.contains(QStringLiteral("PASS   : NoBusChild::keepsSecretsInMemoryForTheSession()")),
        qPrintable(output));
    // The user is told (through the log here, the UI elsewhere) that secrets do not survive the session ...
    QVERIFY2(output.contains(QStringLiteral("secrets are kept in memory only")), qPrintable(output));
    // ... and the secret itself is never logged.
    QVERIFY2(!output.contains(QString::fromLatin1(ChildSecret)), "a secret appeared in the log");
}

void NoBusChild::keepsSecretsInMemoryForTheSession()
{
    QVERIFY(!qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS"));
    KeychainSecretStore store;
    QSignalSpy lost(&store, &KeychainSecretStore::persistenceLost);
    const QString key = testKey(QStringLiteral("token"));

    // The first call finds no keyring (after the one retry) and still gets an answer: nothing stored yet.
    Result<QString> got = read(store, key);
    QVERIFY(!got.ok());
    QCOMPARE(got.error().code, ErrorCode::NotFound);
    QVERIFY(!store.isPersistent());
    QCOMPARE(lost.count(), 1);

    const Status written = write(store, key, QString::fromLatin1(ChildSecret));
    QVERIFY2(written.ok(), why(written).constData());
    got = read(store, key);
    QVERIFY2(got.ok(), why(got).constData());
    QVERIFY(*got == QString::fromLatin1(ChildSecret)); // QCOMPARE would print the secret on failure

    QVERIFY(write(store, key, QStringLiteral("second")).ok());
    got = read(store, key);
    QVERIFY2(got.ok(), why(got).constData());
    QCOMPARE(*got, QStringLiteral("second"));

    const ThreadedRead threaded = readFromWorker(store, key);
    QVERIFY2(threaded.result.has_value(), "no answer to the call from the worker thread");
    QVERIFY2(threaded.onCallingThread, "the answer did not arrive on the calling thread");
    QVERIFY(threaded.result->ok());
    QCOMPARE(**threaded.result, QStringLiteral("second"));

    QVERIFY(remove(store, key).ok());
    got = read(store, key);
    QVERIFY(!got.ok());
    QCOMPARE(got.error().code, ErrorCode::NotFound);

    // Memory is per store, never shared through a file: a second store knows nothing of the first one's secrets.
    KeychainSecretStore other;
    QVERIFY(write(store, key, QStringLiteral("only-in-the-first")).ok());
    got = read(other, key);
    QVERIFY(!got.ok());
    QCOMPARE(got.error().code, ErrorCode::NotFound);

    QCOMPARE(lost.count(), 1); // said once, not on every call
    QTest::qWait(100);
    QCOMPARE(g_answers.load(), g_requests.load());
}

void NoBusChild::closingTheStoreCancelsCallsInFlight()
{
    int calls = 0;
    std::optional<Status> answer;
    {
        // A fresh store still tries the keyring, so a job is in flight when the store goes away.
        KeychainSecretStore store;
        store.writeSecret(testKey(QStringLiteral("token")), QStringLiteral("x"), [&](Status status) {
            ++calls;
            answer.emplace(std::move(status));
        });
    }
    QTRY_COMPARE_WITH_TIMEOUT(calls, 1, WaitMs);
    QVERIFY(!answer->ok());
    QCOMPARE(answer->error().code, ErrorCode::Cancelled);
    // The orphaned job still finishes (and deletes itself) without reaching the dead store.
    QTest::qWait(1000);
    QCOMPARE(calls, 1);
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet(ChildMarker)) {
        NoBusChild child;
        return QTest::qExec(&child, argc, argv);
    }
    TestKeychainSecretStore test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_keychainsecretstore.moc"
