// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "businesscalendar.h"

#include <algorithm>
#include <limits>

namespace Core {

namespace {
constexpr qint64 kMinute = 60000;
constexpr int kHorizonYears = 1000; // no SLA target is that long: beyond it the due time is unknown (invalid)
} // namespace

Result<BusinessCalendar> BusinessCalendar::fromSchedule(const Domain::SupportSchedule &schedule)
{
    if (auto valid = schedule.validate(); !valid)
        return valid.error();
    BusinessCalendar cal;
    cal.m_alwaysOpen = false;
    cal.m_zone = QTimeZone(schedule.timeZone.toUtf8());
    for (const Domain::WorkingHours &h : schedule.weeklyHours) {
        cal.m_hours[size_t(h.weekday)].append({ h.startMinute, h.endMinute });
        cal.m_weekMsecs += qint64(h.endMinute - h.startMinute) * kMinute;
    }
    for (auto &day : cal.m_hours)
        std::sort(day.begin(), day.end());
    for (const Domain::ScheduleHoliday &h : schedule.holidays)
        cal.m_holidays.append(h.date);
    std::sort(cal.m_holidays.begin(), cal.m_holidays.end());
    return cal;
}

qint64 BusinessCalendar::localToMsecs(QDate day, int minute) const
{
    const QTime time(minute / 60, minute % 60);
    const QDateTime local(day, time, m_zone);
    if (local.isValid())
        return local.toMSecsSinceEpoch();
    // A local time in a spring-forward gap: read it with the offset in force before the gap, which lands the
    // same distance after the gap (02:30 in Berlin on the last Sunday of March is 03:30 CEST).
    const QDateTime asUtc(day, time, QTimeZone::utc());
    return asUtc.toMSecsSinceEpoch() - qint64(m_zone.offsetFromUtc(asUtc.addDays(-1))) * 1000;
}

qint64 BusinessCalendar::startOfDay(QDate day) const
{
    return localToMsecs(day, 0);
}

QDate BusinessCalendar::localDate(qint64 msecs) const
{
    return QDateTime::fromMSecsSinceEpoch(msecs, m_zone).date();
}

QList<BusinessCalendar::Span> BusinessCalendar::spansOf(QDate day) const
{
    QList<Span> spans;
    if (std::binary_search(m_holidays.cbegin(), m_holidays.cend(), day))
        return spans;
    for (const auto &[from, to] : m_hours[size_t(day.dayOfWeek())]) {
        const qint64 start = localToMsecs(day, from);
        const qint64 end = to >= 1440 ? startOfDay(day.addDays(1)) : localToMsecs(day, to);
        if (end > start)
            spans.append({ start, end });
    }
    return spans;
}

qint64 BusinessCalendar::uniformWeeksFrom(QDate day) const
{
    qint64 days = std::numeric_limits<qint64>::max();
    const auto holiday = std::lower_bound(m_holidays.cbegin(), m_holidays.cend(), day);
    if (holiday != m_holidays.cend())
        days = day.daysTo(*holiday);
    // A transition from the day before on: the local day of a transition instant can be off by one around midnight.
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(startOfDay(day.addDays(-1)), QTimeZone::utc());
    const QTimeZone::OffsetData next = m_zone.nextTransition(from);
    if (next.atUtc.isValid())
        days = std::min(days, std::max<qint64>(0, day.daysTo(localDate(next.atUtc.toMSecsSinceEpoch())) - 1));
    return days == std::numeric_limits<qint64>::max() ? days : days / 7;
}

QDateTime BusinessCalendar::addWorkingMinutes(const QDateTime &start, qint64 minutes) const
{
    return addWorkingMsecs(start, minutes * kMinute);
}

QDateTime BusinessCalendar::addWorkingMsecs(const QDateTime &start, qint64 msecs) const
{
    if (!start.isValid() || msecs <= 0)
        return start;
    if (m_alwaysOpen)
        return start.addMSecs(msecs);
    if (m_weekMsecs <= 0)
        return {}; // unreachable: validation refuses a week without working time
    const qint64 origin = start.toMSecsSinceEpoch();
    qint64 remaining = msecs;
    QDate day = localDate(origin);
    const QDate horizon = day.addYears(kHorizonYears);
    while (day <= horizon) {
        for (const Span &span : spansOf(day)) {
            const qint64 from = std::max(span.start, origin);
            if (from >= span.end)
                continue;
            if (remaining <= span.end - from)
                return QDateTime::fromMSecsSinceEpoch(from + remaining, QTimeZone::utc());
            remaining -= span.end - from;
        }
        day = day.addDays(1);
        // Every later day lies wholly after start: skip whole uniform weeks, leaving at least one millisecond so
        // that the due instant is found in the spans (a target ending exactly at a closing time is that closing
        // time, not the next opening).
        const qint64 wanted = (remaining - 1) / m_weekMsecs;
        const qint64 weeks = wanted > 0 ? std::min(uniformWeeksFrom(day), wanted) : 0;
        if (weeks > 0) {
            remaining -= weeks * m_weekMsecs;
            day = day.addDays(weeks * 7);
        }
    }
    return {};
}

qint64 BusinessCalendar::workingMsecsBetween(const QDateTime &a, const QDateTime &b) const
{
    if (!a.isValid() || !b.isValid() || b <= a)
        return 0;
    const qint64 from = a.toMSecsSinceEpoch();
    const qint64 to = b.toMSecsSinceEpoch();
    if (m_alwaysOpen)
        return to - from;
    const QDate last = localDate(to);
    qint64 total = 0;
    for (QDate day = localDate(from); day <= last;) {
        for (const Span &span : spansOf(day))
            total += std::max<qint64>(0, std::min(span.end, to) - std::max(span.start, from));
        day = day.addDays(1);
        // Whole weeks strictly after a's day and before b's day lie entirely inside [a, b).
        const qint64 wanted = day.daysTo(last) / 7;
        const qint64 weeks = wanted > 0 ? std::min(uniformWeeksFrom(day), wanted) : 0;
        if (weeks > 0) {
            total += weeks * m_weekMsecs;
            day = day.addDays(weeks * 7);
        }
    }
    return total;
}

qint64 BusinessCalendar::workingMinutesBetween(const QDateTime &a, const QDateTime &b) const
{
    return workingMsecsBetween(a, b) / kMinute;
}

} // namespace Core
