// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "commandline.h"

#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>

using namespace Qt::StringLiterals;

CommandLine CommandLine::parse(const QStringList &arguments, std::optional<int> *exitCode)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"CS Desk: a customer-success workbench with an MCP server for your local AI assistant."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption db(u"db"_s,
        u"Portfolio database: sqlite:<file> or postgresql://user@host:port/db "
        u"(default: the SQLite file in the app data folder)."_s,
        u"url"_s);
    const QCommandLineOption generateDemo(
        u"generate-demo"_s, u"Build a realistic demo portfolio of N customers in --db and exit."_s, u"N"_s);
    const QCommandLineOption seed(u"seed"_s, u"Seed of the demo generator (same seed, same portfolio)."_s, u"number"_s);
    const QCommandLineOption events(u"usage-events"_s,
        u"Total usage events of the demo portfolio (default: about 100 per customer)."_s, u"count"_s);
    const QCommandLineOption replace(u"replace"_s, u"Let --generate-demo empty a database that has customers."_s);
    const QCommandLineOption storePassword(u"store-db-password"_s,
        u"Read the PostgreSQL password of --db from standard input and keep it in the desktop keyring."_s);
    const QCommandLineOption headless(u"headless"_s,
        u"Run without a window: serve the MCP endpoint (Streamable HTTP on 127.0.0.1) "
        u"until stopped."_s);
    const QCommandLineOption stdio(u"mcp-stdio"_s,
        u"Serve MCP over standard input/output (for clients that start their servers); "
        u"standard output carries nothing but the protocol."_s);
    const QCommandLineOption port(u"mcp-port"_s,
        u"Port of the MCP endpoint on 127.0.0.1 (default: the setting, else %1; 0 picks a "
        u"free port and prints it)."_s.arg(kDefaultMcpPort),
        u"port"_s);
    const QCommandLineOption toolsets(u"mcp-toolsets"_s,
        u"Comma-separated toolsets the MCP server offers (default: all): core, "
        u"onboarding, health, retention, communication, support, expansion, feedback, "
        u"monitors, search."_s,
        u"list"_s);
    const QCommandLineOption askFirst(u"mcp-ask-first"_s,
        u"Comma-separated toolsets whose write tools need the CSM's approval, or \"none\" (default: the setting, "
        u"Settings → AI assistants → Ask me first). In the window such a call waits for the CSM; headless and over "
        u"stdio, where nobody can approve, it is refused."_s,
        u"list"_s);
    const QCommandLineOption fixtures(u"conformance-fixtures"_s,
        u"Also register the MCP conformance suite's test tools, resources and prompts "
        u"(for testing; needs --headless or --mcp-stdio)."_s);
    const QCommandLineOption noAuth(u"mcp-no-auth"_s,
        u"Do not require the bearer token (for the conformance suite's client, which "
        u"cannot send one; needs --headless or --mcp-stdio)."_s);
    const QCommandLineOption printToken(u"print-mcp-token"_s,
        u"Print the MCP endpoint's bearer token (from the desktop keyring; made on "
        u"first use) for a client's configuration, and exit."_s);
    parser.addOptions({ db, generateDemo, seed, events, replace, storePassword, headless, stdio, port, toolsets,
        askFirst, fixtures, noAuth, printToken });

    CommandLine cl;
    const auto fail = [&](const QString &message) {
        std::fprintf(stderr, "csdesk: %s\n", qPrintable(message));
        *exitCode = 2;
        return cl;
    };
    if (!parser.parse(arguments))
        return fail(parser.errorText());
    if (parser.isSet(u"help"_s)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        *exitCode = 0;
        return cl;
    }
    if (parser.isSet(u"version"_s)) {
        std::printf("csdesk %s\n", qPrintable(QCoreApplication::applicationVersion()));
        *exitCode = 0;
        return cl;
    }
    if (!parser.positionalArguments().isEmpty())
        return fail(u"unexpected argument '%1' (see --help)"_s.arg(parser.positionalArguments().constFirst()));
    cl.databaseUrl = parser.value(db);
    if (parser.isSet(generateDemo)) {
        bool ok = false;
        cl.demoCustomers = parser.value(generateDemo).toInt(&ok);
        if (!ok || cl.demoCustomers < 1 || cl.demoCustomers > 1'000'000)
            return fail(u"--generate-demo takes a number of customers from 1 to 1000000"_s);
        cl.mode = Mode::GenerateDemo;
    }
    if (parser.isSet(seed)) {
        bool ok = false;
        cl.demoSeed = parser.value(seed).toUInt(&ok);
        if (!ok)
            return fail(u"--seed takes a non-negative whole number"_s);
    }
    if (parser.isSet(events)) {
        bool ok = false;
        cl.demoUsageEvents = parser.value(events).toLongLong(&ok);
        if (!ok || cl.demoUsageEvents < 0)
            return fail(u"--usage-events takes a non-negative whole number"_s);
    }
    cl.demoReplace = parser.isSet(replace);
    if (parser.isSet(storePassword)) {
        if (cl.mode == Mode::GenerateDemo)
            return fail(u"--store-db-password and --generate-demo do not go together"_s);
        if (!cl.databaseUrl.startsWith(u"postgres"_s))
            return fail(u"--store-db-password needs --db postgresql://user@host:port/database"_s);
        cl.mode = Mode::StoreDatabasePassword;
    }
    if (parser.isSet(headless) || parser.isSet(stdio)) {
        if (cl.mode != Mode::Window)
            return fail(u"--headless and --mcp-stdio do not go with --generate-demo or --store-db-password"_s);
        if (parser.isSet(headless) && parser.isSet(stdio))
            return fail(u"choose one of --headless and --mcp-stdio"_s);
        cl.mode = parser.isSet(headless) ? Mode::Headless : Mode::McpStdio;
    }
    if (parser.isSet(printToken)) {
        if (cl.mode != Mode::Window)
            return fail(u"--print-mcp-token goes alone"_s);
        cl.mode = Mode::PrintMcpToken;
    }
    if (parser.isSet(port)) {
        bool ok = false;
        const uint value = parser.value(port).toUInt(&ok);
        if (!ok || value > 65535)
            return fail(u"--mcp-port takes a port number from 0 to 65535"_s);
        if (cl.mode == Mode::McpStdio)
            return fail(u"--mcp-port has no meaning with --mcp-stdio"_s);
        cl.mcpPort = quint16(value);
    }
    // A comma-separated list of toolset names, each trimmed.
    const auto toolsetNames = [&parser](const QCommandLineOption &option) {
        QStringList names;
        for (const QString &name : parser.value(option).split(u',', Qt::SkipEmptyParts))
            names.append(name.trimmed());
        return names;
    };
    if (parser.isSet(toolsets)) {
        cl.mcpToolsets = toolsetNames(toolsets);
        if (cl.mcpToolsets.isEmpty())
            return fail(u"--mcp-toolsets needs at least one toolset name"_s);
    }
    if (parser.isSet(askFirst)) {
        const QStringList names = toolsetNames(askFirst);
        if (names.isEmpty())
            return fail(u"--mcp-ask-first needs toolset names, or \"none\""_s);
        cl.mcpAskFirst
            = names == QStringList { u"none"_s } ? QSet<QString>() : QSet<QString>(names.cbegin(), names.cend());
    }
    cl.conformanceFixtures = parser.isSet(fixtures);
    cl.mcpNoAuth = parser.isSet(noAuth);
    if ((cl.conformanceFixtures || cl.mcpNoAuth) && cl.mode != Mode::Headless && cl.mode != Mode::McpStdio)
        return fail(u"--conformance-fixtures and --mcp-no-auth need --headless or --mcp-stdio"_s);
    return cl;
}
