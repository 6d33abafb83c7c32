// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QString>
#include <QStringList>

// What the user asked for on the command line, parsed and checked before anything is built.
struct CommandLine {
    enum class Mode { Window, GenerateDemo, StoreDatabasePassword };
    Mode mode = Mode::Window;
    QString databaseUrl; // empty = the default SQLite file
    int demoCustomers = 0;
    quint32 demoSeed = 20261124;
    qint64 demoUsageEvents = -1; // -1 = the generator's realistic default (~100 per customer)
    bool demoReplace = false;

    // Parses QCoreApplication::arguments(). On --help/--version or an error, `exitCode` is set and the
    // message has been printed.
    static CommandLine parse(const QStringList &arguments, std::optional<int> *exitCode);
};
