// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QHash>
#include <QMutex>
#include <QString>

#include "secretstore.h"

namespace Core {

// A SecretStore that keeps secrets in this process only, so they are gone when it ends. It is what the keychain
// store falls back to when no keyring is reachable (DESIGN.md §6: say so, never a file), and what tests hand to
// services. It keeps the port's contract to the letter, so code tested against it behaves the same on a keyring:
// the callback runs later, once, on the thread that made the call (which must run an event loop).
// Thread-safe: one instance may be shared by the GUI, MCP and worker threads.
class MemorySecretStore final : public SecretStore
{
public:
    MemorySecretStore() = default;
    ~MemorySecretStore() override = default;
    Q_DISABLE_COPY_MOVE(MemorySecretStore)

    void readSecret(const QString &key, ReadCallback done) override;
    void writeSecret(const QString &key, const QString &secret, WriteCallback done) override;
    void deleteSecret(const QString &key, WriteCallback done) override;

    bool isPersistent() const override { return false; }

    // The key rule both stores apply, so they refuse alike: an empty key is InvalidArgument (field "key"), because
    // a keyring would otherwise file the secret under the bare service name where nothing finds it again.
    static std::optional<Error> checkKey(const QString &key);

private:
    mutable QMutex m_mutex;
    QHash<QString, QString> m_secrets;
};

} // namespace Core
