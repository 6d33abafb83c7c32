// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QDir>
#include <QString>

namespace TestUtils {

// Where GUI tests save the screenshots of the windows they render offscreen: $CS_SCREENSHOT_DIR (ctest sets it to
// <build>/screenshots), else ./screenshots. Created on first use.
inline QString screenshotDir()
{
    const QString dir = qEnvironmentVariableIsSet("CS_SCREENSHOT_DIR")
        ? qEnvironmentVariable("CS_SCREENSHOT_DIR")
        : QDir::currentPath() + QStringLiteral("/screenshots");
    QDir().mkpath(dir);
    return dir;
}

} // namespace TestUtils
