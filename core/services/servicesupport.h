// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

// Small conversions the services share when they write SQL by hand: dates and times to and from the values the
// storage layer binds (Storage::Convert, one spelling for both dialects), and UTC day boundaries.

#include <QDate>
#include <QDateTime>
#include <QTimeZone>
#include <QVariant>

#include "columns.h"

namespace Core::ServiceSupport {

inline QVariant sqlDay(const QDate &day)
{
    return Storage::Convert::toSql(day);
}

inline QVariant sqlTime(const QDateTime &time)
{
    return Storage::Convert::toSql(time);
}

inline QDateTime startOfDay(const QDate &day)
{
    return QDateTime(day, QTime(0, 0), QTimeZone::utc());
}

inline QDate dayOf(const QVariant &value)
{
    QDate day;
    Storage::Convert::fromSql(value, day);
    return day;
}

inline QDateTime timeOf(const QVariant &value)
{
    QDateTime time;
    Storage::Convert::fromSql(value, time);
    return time;
}

inline QString isoDay(const QDate &day)
{
    return day.toString(Qt::ISODate);
}

} // namespace Core::ServiceSupport
