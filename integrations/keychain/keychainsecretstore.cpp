// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "keychainsecretstore.h"

#include <utility>

#include <QLoggingCategory>
#include <QMutexLocker>
#include <QPointer>
#include <QThread>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace Keychain {

namespace {

Q_LOGGING_CATEGORY(lcKeychain, "cs.integrations.keychain")

// Queues `done(value)` to `context`, a QObject made on the caller's thread for this one call, so the callback
// runs there through its event loop — never inside the call, never on the keyring's thread — and then lets the
// context go.
template<typename Callback, typename Value> void deliver(QObject *context, Callback done, Value value)
{
    QMetaObject::invokeMethod(
        context,
        [context, done = std::move(done), value = std::move(value)]() {
            if (done)
                done(value);
            context->deleteLater();
        },
        Qt::QueuedConnection);
}

} // namespace

struct KeychainSecretStore::Operation
{
    enum class Kind { Read, Write, Delete };

    Kind kind = Kind::Read;
    QString key;
    QString secret; // Write only; dropped once answered
    bool retried = false;
    QObject *replyContext = nullptr; // lives on the caller's thread
    ReadCallback readDone;
    WriteCallback writeDone;
};

KeychainSecretStore::KeychainSecretStore(QObject *parent)
    : QObject(parent)
{ }

KeychainSecretStore::~KeychainSecretStore()
{
    // Jobs still in flight are not deleted: libsecret holds a raw pointer to each until it answers, and they
    // delete themselves then (autoDelete). Their callers hear "cancelled" now, so every callback still runs once.
    QHash<const Operation *, OperationPtr> pending;
    {
        QMutexLocker lock(&m_pendingMutex);
        pending.swap(m_pending);
    }
    const Core::Error cancelled { Core::ErrorCode::Cancelled, {}, QStringLiteral("The secret store was closed") };
    for (const OperationPtr &op : std::as_const(pending)) {
        if (op->kind == Operation::Kind::Read)
            deliver(op->replyContext, std::move(op->readDone), Core::Result<QString>(cancelled));
        else
            deliver(op->replyContext, std::move(op->writeDone), Core::Status(cancelled));
    }
}

QString KeychainSecretStore::serviceName()
{
    return QStringLiteral("csdesk");
}

bool KeychainSecretStore::isPersistent() const
{
    return m_persistent.load();
}

void KeychainSecretStore::readSecret(const QString &key, ReadCallback done)
{
    auto op = std::make_shared<Operation>();
    op->kind = Operation::Kind::Read;
    op->key = key;
    op->readDone = std::move(done);
    submit(std::move(op));
}

void KeychainSecretStore::writeSecret(const QString &key, const QString &secret, WriteCallback done)
{
    auto op = std::make_shared<Operation>();
    op->kind = Operation::Kind::Write;
    op->key = key;
    op->secret = secret;
    op->writeDone = std::move(done);
    submit(std::move(op));
}

void KeychainSecretStore::deleteSecret(const QString &key, WriteCallback done)
{
    auto op = std::make_shared<Operation>();
    op->kind = Operation::Kind::Delete;
    op->key = key;
    op->writeDone = std::move(done);
    submit(std::move(op));
}

void KeychainSecretStore::submit(OperationPtr op)
{
    // Made here, so it belongs to the calling thread: the answer is queued to it from whichever thread finishes
    // the work, and arrives even if this store is gone by then.
    op->replyContext = new QObject;
    {
        QMutexLocker lock(&m_pendingMutex);
        m_pending.insert(op.get(), op);
    }
    if (QThread::currentThread() == thread()) {
        run(op);
    } else {
        // QtKeychain jobs and the memory fallback belong to this object's thread. Should the store be destroyed
        // before this runs, the destructor answers the pending call instead.
        QMetaObject::invokeMethod(
            this, [this, op] { run(op); }, Qt::QueuedConnection);
    }
}

void KeychainSecretStore::run(const OperationPtr &op)
{
    if (auto invalid = Core::MemorySecretStore::checkKey(op->key)) {
        fail(op, std::move(*invalid));
        return;
    }
    if (!m_persistent.load()) {
        runInMemory(op);
        return;
    }
    startJob(op);
}

void KeychainSecretStore::startJob(const OperationPtr &op)
{
    // No parent on purpose: libsecret keeps a raw pointer to the job until it answers, so a job must be able to
    // outlive this store; autoDelete frees it once it has finished.
    QKeychain::Job *job = nullptr;
    switch (op->kind) {
    case Operation::Kind::Read:
        job = new QKeychain::ReadPasswordJob(serviceName());
        break;
    case Operation::Kind::Write: {
        auto *write = new QKeychain::WritePasswordJob(serviceName());
        write->setTextData(op->secret);
        job = write;
        break;
    }
    case Operation::Kind::Delete:
        job = new QKeychain::DeletePasswordJob(serviceName());
        break;
    }
    job->setKey(op->key);
    job->setAutoDelete(true);
    // Off is QtKeychain's default; said out loud because its fallback is a plain-text QSettings file (DESIGN.md §6).
    job->setInsecureFallback(false);
    connect(job, &QKeychain::Job::finished, this, [this, op](QKeychain::Job *done) { onJobFinished(op, *done); });
    job->start();
}

void KeychainSecretStore::onJobFinished(const OperationPtr &op, const QKeychain::Job &job)
{
    const QKeychain::Error error = job.error();
    switch (error) {
    case QKeychain::NoError:
        if (op->kind == Operation::Kind::Read) {
            const auto *read = qobject_cast<const QKeychain::ReadPasswordJob *>(&job);
            finish(op, Core::Result<QString>(read->textData()));
        } else {
            finish(op, Core::Status());
        }
        return;
    case QKeychain::EntryNotFound:
        if (op->kind == Operation::Kind::Delete) {
            // Nothing to delete is what the caller wanted; the stores agree on that.
            finish(op, Core::Status());
            return;
        }
        if (op->kind == Operation::Kind::Read) {
            fail(op, Core::Error::notFound(QStringLiteral("key"), QStringLiteral("No secret stored for ") + op->key));
            return;
        }
        break;
    case QKeychain::NoBackendAvailable:
        fallBackToMemory(job.errorString());
        runInMemory(op);
        return;
    case QKeychain::OtherError:
    case QKeychain::AccessDenied:
        if (!op->retried) {
            // On Linux the secret service may still be starting or unlocking the login keyring when the app asks
            // first; ownCloud's desktop client found that one more try after a pause is enough.
            op->retried = true;
            qCDebug(lcKeychain) << "Keyring error, trying once more:" << job.errorString();
            QTimer::singleShot(RetryDelay, this, [this, op] { run(op); });
            return;
        }
        if (error == QKeychain::OtherError) {
            // Still failing: no session bus, no secret service, no usable collection. The session goes on in memory.
            fallBackToMemory(job.errorString());
            runInMemory(op);
            return;
        }
        // The keyring is there but stays locked: that is the user's to fix, and quietly keeping the secret in
        // memory would hide it from them.
        fail(op, Core::Error::storage(QStringLiteral("The keyring is locked or refused access: ") + job.errorString()));
        return;
    case QKeychain::AccessDeniedByUser:
        fail(op, Core::Error { Core::ErrorCode::Cancelled, {}, QStringLiteral("Access to the keyring was refused") });
        return;
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::NotImplemented:
        break;
    }
    fail(op, Core::Error::storage(QStringLiteral("The keyring failed: ") + job.errorString()));
}

void KeychainSecretStore::runInMemory(const OperationPtr &op)
{
    // The memory store answers on this thread through the event loop; by then this store may be gone, and its
    // destructor has answered the call already.
    QPointer<KeychainSecretStore> self(this);
    switch (op->kind) {
    case Operation::Kind::Read:
        m_memory.readSecret(op->key, [self, op](Core::Result<QString> result) {
            if (self)
                self->finish(op, std::move(result));
        });
        return;
    case Operation::Kind::Write:
        m_memory.writeSecret(op->key, op->secret, [self, op](Core::Status status) {
            if (self)
                self->finish(op, std::move(status));
        });
        return;
    case Operation::Kind::Delete:
        m_memory.deleteSecret(op->key, [self, op](Core::Status status) {
            if (self)
                self->finish(op, std::move(status));
        });
        return;
    }
}

void KeychainSecretStore::fallBackToMemory(const QString &reason)
{
    if (!m_persistent.exchange(false))
        return;
    // `reason` is QtKeychain's error text, never a secret; the secrets themselves are never logged.
    qCWarning(lcKeychain).noquote() << QStringLiteral("No keyring reachable (") + reason
            + u"): secrets are kept in memory only, for this session, and must be entered again after a restart";
    Q_EMIT persistenceLost();
}

bool KeychainSecretStore::takePending(const OperationPtr &op)
{
    QMutexLocker lock(&m_pendingMutex);
    return m_pending.remove(op.get()) > 0;
}

void KeychainSecretStore::finish(const OperationPtr &op, Core::Result<QString> result)
{
    if (!takePending(op))
        return; // answered already, when the store was closed
    op->secret.clear();
    deliver(op->replyContext, std::move(op->readDone), std::move(result));
}

void KeychainSecretStore::finish(const OperationPtr &op, Core::Status status)
{
    if (!takePending(op))
        return;
    op->secret.clear();
    deliver(op->replyContext, std::move(op->writeDone), std::move(status));
}

void KeychainSecretStore::fail(const OperationPtr &op, Core::Error error)
{
    if (op->kind == Operation::Kind::Read)
        finish(op, Core::Result<QString>(std::move(error)));
    else
        finish(op, Core::Status(std::move(error)));
}

} // namespace Keychain
