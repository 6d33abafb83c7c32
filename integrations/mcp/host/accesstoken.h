// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <functional>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include "error.h"

namespace Core {
class SecretStore;
}

namespace Mcp {

// The MCP endpoint's bearer token (DESIGN.md §5): generated on first run, kept only through the SecretStore (the
// desktop keyring), shown in the window for copy-paste into a client's configuration. CSDESK_MCP_TOKEN in the
// environment overrides it (headless use, tests). Never logged.
class AccessToken
{
public:
    static constexpr const char *kEnvironmentVariable = "CSDESK_MCP_TOKEN";

    // 256 random bits from the system CSPRNG, base64url without padding (43 characters).
    static QString generate();
    static QString secretKey(); // "csdesk:mcp:server:token"

    // Constant-time comparison: the time taken does not depend on where the first difference is.
    static bool equals(QByteArrayView presented, QByteArrayView expected);

    struct Obtained
    {
        QString token;
        enum class Source { Environment, Keyring, GeneratedAndStored, GeneratedForSession } source;
    };
    // The token to require: from the environment, else the keyring, else a new one (stored in the keyring when
    // one is reachable; otherwise it lives for this session only and `source` says so). `done` runs once.
    static void obtain(Core::SecretStore &store, std::function<void(Core::Result<Obtained>)> done);
};

} // namespace Mcp
