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
    const QCommandLineOption generateDemo(u"generate-demo"_s,
                                          u"Build a realistic demo portfolio of N customers in --db and exit."_s,
                                          u"N"_s);
    const QCommandLineOption seed(u"seed"_s, u"Seed of the demo generator (same seed, same portfolio)."_s,
                                  u"number"_s);
    const QCommandLineOption events(u"usage-events"_s,
                                    u"Total usage events of the demo portfolio (default: about 100 per customer)."_s,
                                    u"count"_s);
    const QCommandLineOption replace(u"replace"_s, u"Let --generate-demo empty a database that has customers."_s);
    const QCommandLineOption storePassword(
        u"store-db-password"_s,
        u"Read the PostgreSQL password of --db from standard input and keep it in the desktop keyring."_s);
    parser.addOptions({ db, generateDemo, seed, events, replace, storePassword });

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
    return cl;
}
