// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <functional>

#include <QString>

#include "error.h"

namespace Core {

// Port: where credentials live (DESIGN.md §6). The only implementation outside tests is the QtKeychain one
// in integrations/keychain; secrets never reach the database, QSettings or logs. Keys are named
// `csdesk:<integration>:<account>:<field>`. Calls are asynchronous because desktop keyrings are: the
// callback runs later on the caller's thread, exactly once.
class SecretStore {
public:
    virtual ~SecretStore() = default;

    using ReadCallback = std::function<void(Result<QString>)>; // NotFound when the key has no secret
    using WriteCallback = std::function<void(Status)>;

    virtual void readSecret(const QString &key, ReadCallback done) = 0;
    virtual void writeSecret(const QString &key, const QString &secret, WriteCallback done) = 0;
    virtual void deleteSecret(const QString &key, WriteCallback done) = 0;

    // False when no keyring is reachable and secrets are only kept in memory for this session: the UI says so.
    virtual bool isPersistent() const = 0;

    static QString key(const QString &integration, const QString &account, const QString &field)
    {
        return QStringLiteral("csdesk:") + integration + u':' + account + u':' + field;
    }
};

} // namespace Core
