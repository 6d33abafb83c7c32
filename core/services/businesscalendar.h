// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <array>

#include <QDate>
#include <QDateTime>
#include <QList>
#include <QTimeZone>

#include "error.h"
#include "support.h"

namespace Core {

// Working time of a support schedule, for SLA clocks that count business hours (Zendesk "business hours" SLAs).
// Pure: no database. Instants are converted to the schedule's time zone through QTimeZone, so a 09:00-17:00 day is
// 8 working hours on the days the clocks go forward or back too; an interval that spans a transition counts the
// real elapsed time. Holidays have no working time. Milliseconds are kept: 09:00:30 + 60 working minutes is
// 10:00:30.
//
// A default-constructed calendar is always open: working time is calendar time (the policies that do not count
// business hours use it, so one code path serves both).
class BusinessCalendar
{
public:
    BusinessCalendar() = default; // always open
    // Validates the schedule (Domain::SupportSchedule::validate: errors name the field).
    static Result<BusinessCalendar> fromSchedule(const Domain::SupportSchedule &schedule);

    bool isAlwaysOpen() const { return m_alwaysOpen; }
    QTimeZone timeZone() const { return m_zone; }
    qint64 weeklyWorkingMinutes() const { return m_weekMsecs / 60000; }

    // The instant the given amount of working time after start has elapsed: the earliest t >= start with
    // workingMsecsBetween(start, t) == amount. A start outside working hours counts from the next opening;
    // 0 (or less) returns start. Whole weeks without a holiday or a time-zone transition are skipped
    // arithmetically, so a target of years takes a handful of steps.
    QDateTime addWorkingMinutes(const QDateTime &start, qint64 minutes) const;
    QDateTime addWorkingMsecs(const QDateTime &start, qint64 msecs) const;
    // Working time in [a, b); 0 when b <= a. Minutes are rounded down.
    qint64 workingMsecsBetween(const QDateTime &a, const QDateTime &b) const;
    qint64 workingMinutesBetween(const QDateTime &a, const QDateTime &b) const;

private:
    struct Span
    {
        qint64 start;
        qint64 end;
    };
    QList<Span> spansOf(QDate day) const; // the working intervals of a local day as epoch milliseconds
    qint64 startOfDay(QDate day) const;
    qint64 localToMsecs(QDate day, int minute) const;
    // Whole weeks from day on in which no holiday falls and no time-zone transition happens.
    qint64 uniformWeeksFrom(QDate day) const;
    QDate localDate(qint64 msecs) const;

    bool m_alwaysOpen = true;
    QTimeZone m_zone;
    std::array<QList<std::pair<int, int>>, 8> m_hours; // [weekday 1..7] -> sorted [start, end) minutes
    QList<QDate> m_holidays; // sorted
    qint64 m_weekMsecs = 0; // nominal working time of a week without holidays or transitions
};

} // namespace Core
