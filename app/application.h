// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <memory>

#include <QObject>

#include "commandline.h"

namespace Core {
class CustomerService;
}
namespace Storage {
class Database;
}
namespace Ui {
class MainWindow;
}

// Composition root: builds every object in order, wires them, and owns their lifetimes (DESIGN.md §1).
// Nothing below app/ reaches for a global; what an object needs is handed to it here.
class Application final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Application)

public:
    explicit Application(CommandLine commandLine, QObject *parent = nullptr);
    ~Application() override;

    // Starts the mode the command line asked for; returns the process exit code when it is already known
    // (a command-line job that ran to the end), or -1 when the event loop should run.
    int start();

private:
    int generateDemo();
    int openWindow();

    CommandLine m_commandLine;
    std::unique_ptr<Storage::Database> m_database;
    std::unique_ptr<Core::CustomerService> m_customers;
    std::unique_ptr<Ui::MainWindow> m_window;
};
