// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QString>

#include "memorysecretstore.h"
#include "secretstore.h"

namespace QKeychain {
class Job;
}

namespace Keychain {

// Core::SecretStore on the desktop keyring through QtKeychain (Secret Service on Linux, Keychain on macOS,
// Credential Manager on Windows), under the service name "csdesk".
//
// A keyring that answers with a generic error gets one more try after a short pause, because on Linux the secret
// service is often still starting or unlocking when the app asks first (ownCloud's pattern). When the keyring is
// unreachable — no backend, or still a generic error on the second try — the store keeps secrets in memory for
// the rest of the session, isPersistent() turns false and persistenceLost() is emitted so the UI can say so
// (DESIGN.md §6). Secrets never go to a file: QtKeychain's plain-text QSettings fallback stays off.
//
// Callbacks run exactly once, later, on the thread that made the call, which needs a running event loop. Calls
// may come from any thread; the keyring work itself happens on the thread this object lives in. Destroying the
// store answers calls still in flight with ErrorCode::Cancelled.
class KeychainSecretStore final : public QObject, public Core::SecretStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeychainSecretStore)

public:
    explicit KeychainSecretStore(QObject *parent = nullptr);
    ~KeychainSecretStore() override;

    void readSecret(const QString &key, ReadCallback done) override;
    void writeSecret(const QString &key, const QString &secret, WriteCallback done) override;
    void deleteSecret(const QString &key, WriteCallback done) override;

    bool isPersistent() const override;

    static QString serviceName();

Q_SIGNALS:
    // Emitted once, on this object's thread, when the keyring turned out unreachable: from then on secrets live
    // in memory only, until the app quits.
    void persistenceLost();

private:
    struct Operation;
    using OperationPtr = std::shared_ptr<Operation>;

    void submit(OperationPtr op);
    void run(const OperationPtr &op);
    void startJob(const OperationPtr &op);
    void onJobFinished(const OperationPtr &op, const QKeychain::Job &job);
    void runInMemory(const OperationPtr &op);
    void fallBackToMemory(const QString &reason);
    void finish(const OperationPtr &op, Core::Result<QString> result);
    void finish(const OperationPtr &op, Core::Status status);
    void fail(const OperationPtr &op, Core::Error error);
    bool takePending(const OperationPtr &op);

    static constexpr std::chrono::milliseconds RetryDelay { 500 };

    std::atomic_bool m_persistent { true };
    Core::MemorySecretStore m_memory;
    QMutex m_pendingMutex; // calls may be queued from other threads
    QHash<const Operation *, OperationPtr> m_pending; // asked, not yet answered
};

} // namespace Keychain
