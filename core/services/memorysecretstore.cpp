// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "memorysecretstore.h"

#include <utility>

#include <QMutexLocker>
#include <QTimer>

namespace Core {

namespace {

// Hands `value` to `done` through the calling thread's event loop: never inside the call (a caller may still be
// setting up what the callback touches), and never on another thread. QTimer::singleShot without a context
// object is deliberate: Qt gives the functor a receiver on the current thread, and the answer must arrive even
// when this store is gone by then, because every callback runs exactly once.
template<typename Callback, typename Value> void answerLater(Callback done, Value value)
{
    if (!done)
        return;
    QTimer::singleShot(0, [done = std::move(done), value = std::move(value)]() { done(value); });
}

} // namespace

std::optional<Error> MemorySecretStore::checkKey(const QString &key)
{
    if (key.isEmpty())
        return Error::invalid(QStringLiteral("key"), QStringLiteral("A secret needs a key"));
    return std::nullopt;
}

void MemorySecretStore::readSecret(const QString &key, ReadCallback done)
{
    if (auto invalid = checkKey(key)) {
        answerLater(std::move(done), Result<QString>(std::move(*invalid)));
        return;
    }
    QMutexLocker lock(&m_mutex);
    const auto it = m_secrets.constFind(key);
    if (it == m_secrets.constEnd()) {
        lock.unlock();
        answerLater(std::move(done),
            Result<QString>(Error::notFound(QStringLiteral("key"), QStringLiteral("No secret stored for ") + key)));
        return;
    }
    Result<QString> found(*it);
    lock.unlock();
    answerLater(std::move(done), std::move(found));
}

void MemorySecretStore::writeSecret(const QString &key, const QString &secret, WriteCallback done)
{
    if (auto invalid = checkKey(key)) {
        answerLater(std::move(done), Status(std::move(*invalid)));
        return;
    }
    {
        QMutexLocker lock(&m_mutex);
        m_secrets.insert(key, secret);
    }
    answerLater(std::move(done), Status());
}

void MemorySecretStore::deleteSecret(const QString &key, WriteCallback done)
{
    if (auto invalid = checkKey(key)) {
        answerLater(std::move(done), Status(std::move(*invalid)));
        return;
    }
    {
        QMutexLocker lock(&m_mutex);
        // Deleting what is not there succeeds, as on the keyrings: the caller's goal (no secret) is met.
        m_secrets.remove(key);
    }
    answerLater(std::move(done), Status());
}

} // namespace Core
