// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QDate>
#include <QTimeZone>
#include <QDateTime>

namespace Core {

// Port: "now". Services never call QDateTime::currentDateTime() themselves, so tests (and the demo
// generator) run at a fixed instant.
class Clock {
public:
    virtual ~Clock() = default;
    virtual QDateTime now() const = 0; // UTC
    QDate today() const { return now().date(); }
};

class SystemClock final : public Clock {
public:
    QDateTime now() const override { return QDateTime::currentDateTimeUtc(); }
};

} // namespace Core
