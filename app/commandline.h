// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QSet>
#include <QString>
#include <QStringList>

// What the user asked for on the command line, parsed and checked before anything is built.
struct CommandLine
{
    enum class Mode { Window, GenerateDemo, StoreDatabasePassword, Headless, McpStdio, PrintMcpToken };
    Mode mode = Mode::Window;
    QString databaseUrl; // empty = the default SQLite file
    int demoCustomers = 0;
    quint32 demoSeed = 20261124;
    qint64 demoUsageEvents = -1; // -1 = the generator's realistic default (~100 per customer)
    bool demoReplace = false;

    // The MCP server (DESIGN.md §5). Window and Headless serve Streamable HTTP on 127.0.0.1:mcpPort; McpStdio
    // serves the stdio transport and nothing else.
    static constexpr quint16 kDefaultMcpPort = 47821;
    std::optional<quint16> mcpPort; // unset: the setting (default kDefaultMcpPort); 0 = an ephemeral port
    QStringList mcpToolsets; // empty = every toolset
    // Toolsets whose write tools need the CSM's approval (empty list: none); unset = the saved setting.
    std::optional<QSet<QString>> mcpAskFirst;
    bool conformanceFixtures = false; // register the conformance suite's fixtures (headless only)
    bool mcpNoAuth = false; // no bearer token (headless only; for the conformance suite's client)

    // Parses QCoreApplication::arguments(). On --help/--version or an error, `exitCode` is set and the
    // message has been printed.
    static CommandLine parse(const QStringList &arguments, std::optional<int> *exitCode);
};
