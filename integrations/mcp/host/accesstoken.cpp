// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "accesstoken.h"

#include <array>

#include <QRandomGenerator>

#include "secretstore.h"

using namespace Qt::StringLiterals;

namespace Mcp {

QString AccessToken::generate()
{
    std::array<quint32, 8> words {};
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    const QByteArray bytes(reinterpret_cast<const char *>(words.data()), qsizetype(sizeof(words)));
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString AccessToken::secretKey()
{
    return Core::SecretStore::key(u"mcp"_s, u"server"_s, u"token"_s);
}

bool AccessToken::equals(QByteArrayView presented, QByteArrayView expected)
{
    // Walk the expected token in full whatever was presented; fold every difference (and the length) into one
    // accumulator, and branch only at the end.
    unsigned diff = presented.size() == expected.size() ? 0u : 1u;
    const qsizetype n = expected.size();
    for (qsizetype i = 0; i < n; ++i) {
        const auto a = static_cast<unsigned char>(i < presented.size() ? presented[i] : 0);
        const auto b = static_cast<unsigned char>(expected[i]);
        diff |= unsigned(a ^ b);
    }
    return diff == 0 && n > 0;
}

void AccessToken::obtain(Core::SecretStore &store, std::function<void(Core::Result<Obtained>)> done)
{
    const QString fromEnvironment = qEnvironmentVariable(kEnvironmentVariable);
    if (!fromEnvironment.isEmpty()) {
        if (fromEnvironment.size() < 16)
            return done(Core::Error::invalid(
                QString::fromLatin1(kEnvironmentVariable), u"the token must be at least 16 characters long"_s));
        return done(Obtained { fromEnvironment, Obtained::Source::Environment });
    }
    store.readSecret(secretKey(), [&store, done](Core::Result<QString> stored) {
        if (stored && !stored->isEmpty())
            return done(Obtained { *stored, Obtained::Source::Keyring });
        if (!stored && stored.error().code != Core::ErrorCode::NotFound && store.isPersistent())
            return done(stored.error());
        const QString token = generate();
        if (!store.isPersistent())
            return done(Obtained { token, Obtained::Source::GeneratedForSession });
        store.writeSecret(secretKey(), token, [token, done](Core::Status written) {
            if (!written)
                return done(written.error());
            done(Obtained { token, Obtained::Source::GeneratedAndStored });
        });
    });
}

} // namespace Mcp
