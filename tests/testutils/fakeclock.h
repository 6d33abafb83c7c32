// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include "clock.h"

namespace TestUtils {

// A clock that stands still until a test moves it.
class FakeClock final : public Core::Clock {
public:
    explicit FakeClock(QDateTime now = QDateTime(QDate(2026, 6, 15), QTime(12, 0), Qt::UTC))
        : m_now(std::move(now))
    {
    }
    QDateTime now() const override { return m_now; }
    void set(const QDateTime &now) { m_now = now.toUTC(); }
    void advanceDays(int days) { m_now = m_now.addDays(days); }
    void advanceSecs(qint64 secs) { m_now = m_now.addSecs(secs); }

private:
    QDateTime m_now;
};

} // namespace TestUtils
