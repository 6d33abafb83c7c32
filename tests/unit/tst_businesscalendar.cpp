// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// BusinessCalendar: working-time arithmetic over a support schedule, hand-computed. Berlin is UTC+1 (CET) in winter
// and UTC+2 (CEST) in summer, switching on 2026-03-29 and 2026-10-25; New York is UTC-5 (EST) / UTC-4 (EDT),
// switching on 2026-03-08 and 2026-11-01. 2026-06-15 is a Monday.
#include <QTest>
#include <QTimeZone>

#include "businesscalendar.h"

using namespace Qt::StringLiterals;
using Domain::ScheduleHoliday;
using Domain::SupportSchedule;
using Domain::WorkingHours;

namespace {

// "mon-fri 09:00-17:00", "daily 09:00-17:00", "split" (Mon-Fri 09-12 + 13-17), "sunday" (Sun 00:00-24:00),
// "gap" (daily 02:30-04:00); an optional holiday.
SupportSchedule schedule(const QString &kind, const QString &zone, const QDate &holiday = {})
{
    SupportSchedule s;
    s.timeZone = zone;
    const auto add = [&s](int day, int from, int to) { s.weeklyHours << WorkingHours { 0, 0, day, from, to, {} }; };
    for (int day = 1; day <= 7; ++day) {
        if (kind == u"mon-fri"_s && day <= 5)
            add(day, 540, 1020);
        else if (kind == u"daily"_s)
            add(day, 540, 1020);
        else if (kind == u"split"_s && day <= 5) {
            add(day, 540, 720);
            add(day, 780, 1020);
        } else if (kind == u"sunday"_s && day == 7)
            add(day, 0, 1440);
        else if (kind == u"gap"_s)
            add(day, 150, 240);
    }
    if (holiday.isValid())
        s.holidays << ScheduleHoliday { 0, 0, holiday, u"Holiday"_s, {} };
    return s;
}

Core::BusinessCalendar calendar(const SupportSchedule &s)
{
    auto cal = Core::BusinessCalendar::fromSchedule(s);
    if (!cal)
        qFatal("%s", qPrintable(cal.error().toString()));
    return *cal;
}

QDateTime utc(const QString &iso)
{
    QDateTime t = QDateTime::fromString(iso, Qt::ISODateWithMs);
    t.setTimeZone(QTimeZone::utc());
    return t;
}

} // namespace

class TestBusinessCalendar final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addWorkingMinutes_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QDate>("holiday");
        QTest::addColumn<QString>("start"); // UTC
        QTest::addColumn<qint64>("minutes");
        QTest::addColumn<QString>("due"); // UTC
        const QString berlin = u"Europe/Berlin"_s;
        const QString ny = u"America/New_York"_s;
        const QDate none;

        // Mon 10:00 CEST + 2 h = 12:00 CEST
        QTest::addRow("same day") << u"mon-fri"_s << berlin << none << u"2026-06-15T08:00:00"_s << 120LL
                                  << u"2026-06-15T10:00:00"_s;
        // Mon 16:00 CEST: 1 h left that day, 1 h Tuesday from 09:00 -> Tue 10:00 CEST
        QTest::addRow("overnight") << u"mon-fri"_s << berlin << none << u"2026-06-15T14:00:00"_s << 120LL
                                   << u"2026-06-16T08:00:00"_s;
        // Fri 16:30 CEST: 30 min Friday, 30 min Monday -> Mon 09:30 CEST
        QTest::addRow("weekend") << u"mon-fri"_s << berlin << none << u"2026-06-19T14:30:00"_s << 60LL
                                 << u"2026-06-22T07:30:00"_s;
        // Saturday 10:00 counts from Monday's opening: Mon 10:00 CEST
        QTest::addRow("start on a weekend")
            << u"mon-fri"_s << berlin << none << u"2026-06-20T08:00:00"_s << 60LL << u"2026-06-22T08:00:00"_s;
        // Mon 07:00 CEST counts from 09:00: 09:30 CEST
        QTest::addRow("start before opening")
            << u"mon-fri"_s << berlin << none << u"2026-06-15T05:00:00"_s << 30LL << u"2026-06-15T07:30:00"_s;
        QTest::addRow("zero minutes") << u"mon-fri"_s << berlin << none << u"2026-06-20T08:00:00"_s << 0LL
                                      << u"2026-06-20T08:00:00"_s;
        // a whole day from the opening ends at the closing time, not at the next opening
        QTest::addRow("ends at closing") << u"mon-fri"_s << berlin << none << u"2026-06-15T07:00:00"_s << 480LL
                                         << u"2026-06-15T15:00:00"_s;
        QTest::addRow("seconds kept") << u"mon-fri"_s << berlin << none << u"2026-06-15T07:00:30"_s << 60LL
                                      << u"2026-06-15T08:00:30"_s;
        // Mon 16:59:30 CEST: 30 s Monday, 30 s Tuesday -> Tue 09:00:30 CEST
        QTest::addRow("seconds carried") << u"mon-fri"_s << berlin << none << u"2026-06-15T14:59:30"_s << 1LL
                                         << u"2026-06-16T07:00:30"_s;
        // Tuesday is a holiday: Mon 16:00 + 2 h = 1 h Monday, 1 h Wednesday -> Wed 10:00 CEST
        QTest::addRow("holiday") << u"mon-fri"_s << berlin << QDate(2026, 6, 16) << u"2026-06-15T14:00:00"_s << 120LL
                                 << u"2026-06-17T08:00:00"_s;
        // 09:00-12:00 + 13:00-17:00: Mon 11:30 CEST + 1 h = 30 min to noon, 30 min after lunch -> 13:30 CEST
        QTest::addRow("split day") << u"split"_s << berlin << none << u"2026-06-15T09:30:00"_s << 60LL
                                   << u"2026-06-15T11:30:00"_s;
        QTest::addRow("split day, whole day")
            << u"split"_s << berlin << none << u"2026-06-15T07:00:00"_s << 420LL << u"2026-06-15T15:00:00"_s;
        // 52 weeks of 2400 min from Mon 2026-01-05 09:00 CET end on Fri 2027-01-01 17:00 CET (both DST changes
        // crossed); 520 weeks on Fri 2035-12-21 17:00 CET.
        QTest::addRow("a year") << u"mon-fri"_s << berlin << none << u"2026-01-05T08:00:00"_s << 52LL * 2400
                                << u"2027-01-01T16:00:00"_s;
        QTest::addRow("ten years") << u"mon-fri"_s << berlin << none << u"2026-01-05T08:00:00"_s << 520LL * 2400
                                   << u"2035-12-21T16:00:00"_s;
        // A holiday in the middle of a long target moves it by one working day: 2026-12-24 is a Thursday, so the
        // year ends on Mon 2027-01-04 17:00 CET.
        QTest::addRow("a year with a holiday") << u"mon-fri"_s << berlin << QDate(2026, 12, 24)
                                               << u"2026-01-05T08:00:00"_s << 52LL * 2400 << u"2027-01-04T16:00:00"_s;
        // DST days keep 8 working hours (daily 09:00-17:00)
        QTest::addRow("Berlin spring day")
            << u"daily"_s << berlin << none << u"2026-03-29T07:00:00"_s << 480LL << u"2026-03-29T15:00:00"_s;
        QTest::addRow("Berlin spring, Sat to Sun")
            << u"daily"_s << berlin << none << u"2026-03-28T08:00:00"_s << 960LL << u"2026-03-29T15:00:00"_s;
        QTest::addRow("Berlin fall day") << u"daily"_s << berlin << none << u"2026-10-25T08:00:00"_s << 480LL
                                         << u"2026-10-25T16:00:00"_s;
        QTest::addRow("Berlin fall, Sat to Sun")
            << u"daily"_s << berlin << none << u"2026-10-24T07:00:00"_s << 960LL << u"2026-10-25T16:00:00"_s;
        QTest::addRow("New York spring day")
            << u"daily"_s << ny << none << u"2026-03-08T13:00:00"_s << 480LL << u"2026-03-08T21:00:00"_s;
        QTest::addRow("New York spring, Sat to Sun")
            << u"daily"_s << ny << none << u"2026-03-07T14:00:00"_s << 960LL << u"2026-03-08T21:00:00"_s;
        QTest::addRow("New York fall day")
            << u"daily"_s << ny << none << u"2026-11-01T14:00:00"_s << 480LL << u"2026-11-01T22:00:00"_s;
        QTest::addRow("New York fall, Sat to Sun")
            << u"daily"_s << ny << none << u"2026-10-31T13:00:00"_s << 960LL << u"2026-11-01T22:00:00"_s;
        // An all-day Sunday on the spring-forward day is 23 real hours: Sun 00:00 CET + 23 h = Mon 00:00 CEST
        QTest::addRow("23-hour day") << u"sunday"_s << berlin << none << u"2026-03-28T23:00:00"_s << 1380LL
                                     << u"2026-03-29T22:00:00"_s;
        // 02:30 does not exist on 2026-03-29 in Berlin: the interval opens at 03:30 CEST (01:30Z) and closes 04:00
        QTest::addRow("opening in the DST gap")
            << u"gap"_s << berlin << none << u"2026-03-29T00:00:00"_s << 30LL << u"2026-03-29T02:00:00"_s;
    }

    void addWorkingMinutes()
    {
        QFETCH(QString, kind);
        QFETCH(QString, zone);
        QFETCH(QDate, holiday);
        QFETCH(QString, start);
        QFETCH(qint64, minutes);
        QFETCH(QString, due);
        const Core::BusinessCalendar cal = calendar(schedule(kind, zone, holiday));
        const QDateTime result = cal.addWorkingMinutes(utc(start), minutes);
        QCOMPARE(result.toUTC().toString(Qt::ISODate), utc(due).toUTC().toString(Qt::ISODate));
        // and back: the working time between start and due is the target
        QCOMPARE(cal.workingMinutesBetween(utc(start), result), minutes);
    }

    void workingMinutesBetween_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QDate>("holiday");
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<qint64>("msecs");
        const QString berlin = u"Europe/Berlin"_s;
        const QDate none;
        constexpr qint64 min = 60000;

        // Fri 16:00 CEST -> Mon 10:00 CEST: 1 h Friday, 1 h Monday
        QTest::addRow("over a weekend") << u"mon-fri"_s << berlin << none << u"2026-06-19T14:00:00"_s
                                        << u"2026-06-22T08:00:00"_s << 120 * min;
        QTest::addRow("a week") << u"mon-fri"_s << berlin << none << u"2026-06-15T00:00:00"_s
                                << u"2026-06-22T00:00:00"_s << 2400 * min;
        QTest::addRow("a week with a holiday") << u"mon-fri"_s << berlin << QDate(2026, 6, 16)
                                               << u"2026-06-15T00:00:00"_s << u"2026-06-22T00:00:00"_s << 1920 * min;
        QTest::addRow("outside hours only")
            << u"mon-fri"_s << berlin << none << u"2026-06-15T16:00:00"_s << u"2026-06-16T06:00:00"_s << 0LL;
        QTest::addRow("reversed") << u"mon-fri"_s << berlin << none << u"2026-06-16T08:00:00"_s
                                  << u"2026-06-15T08:00:00"_s << 0LL;
        QTest::addRow("seconds") << u"mon-fri"_s << berlin << none << u"2026-06-15T07:00:00"_s
                                 << u"2026-06-15T07:00:59"_s << 59000LL;
        // Mon 08:00 -> 18:00 CEST on the split day: 3 h + 4 h
        QTest::addRow("split day") << u"split"_s << berlin << none << u"2026-06-15T06:00:00"_s
                                   << u"2026-06-15T16:00:00"_s << 420 * min;
        // 52 whole weeks across both DST changes
        QTest::addRow("a year") << u"mon-fri"_s << berlin << none << u"2026-01-05T00:00:00"_s
                                << u"2027-01-04T00:00:00"_s << 52 * 2400 * min;
        QTest::addRow("Berlin spring weekend")
            << u"daily"_s << berlin << none << u"2026-03-27T23:00:00"_s << u"2026-03-29T22:00:00"_s << 960 * min;
        QTest::addRow("Berlin fall weekend")
            << u"daily"_s << berlin << none << u"2026-10-23T22:00:00"_s << u"2026-10-25T23:00:00"_s << 960 * min;
        QTest::addRow("New York fall weekend") << u"daily"_s << u"America/New_York"_s << none
                                               << u"2026-10-31T04:00:00"_s << u"2026-11-02T05:00:00"_s << 960 * min;
        QTest::addRow("23-hour Sunday") << u"sunday"_s << berlin << none << u"2026-03-28T00:00:00"_s
                                        << u"2026-03-31T00:00:00"_s << 1380 * min;
        QTest::addRow("25-hour Sunday") << u"sunday"_s << berlin << none << u"2026-10-24T00:00:00"_s
                                        << u"2026-10-27T00:00:00"_s << 1500 * min;
    }

    void workingMinutesBetween()
    {
        QFETCH(QString, kind);
        QFETCH(QString, zone);
        QFETCH(QDate, holiday);
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(qint64, msecs);
        const Core::BusinessCalendar cal = calendar(schedule(kind, zone, holiday));
        QCOMPARE(cal.workingMsecsBetween(utc(from), utc(to)), msecs);
        QCOMPARE(cal.workingMinutesBetween(utc(from), utc(to)), msecs / 60000);
    }

    void alwaysOpen()
    {
        const Core::BusinessCalendar cal;
        QVERIFY(cal.isAlwaysOpen());
        QCOMPARE(cal.addWorkingMinutes(utc(u"2026-06-20T08:00:00"_s), 90), utc(u"2026-06-20T09:30:00"_s));
        QCOMPARE(cal.workingMinutesBetween(utc(u"2026-06-19T08:00:00"_s), utc(u"2026-06-22T08:00:00"_s)), 3 * 1440);
    }

    void validation_data()
    {
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QList<int>>("hours"); // weekday, start, end, ...
        QTest::addColumn<QList<QDate>>("holidays");
        QTest::addColumn<QString>("field"); // empty: valid
        const QList<int> week { 1, 540, 1020, 2, 540, 1020 };
        QTest::addRow("valid") << u"Europe/Berlin"_s << week << QList<QDate> { QDate(2026, 12, 25) } << QString();
        QTest::addRow("unknown zone") << u"Europe/Atlantis"_s << week << QList<QDate>() << u"time_zone"_s;
        QTest::addRow("blank zone") << u" "_s << week << QList<QDate>() << u"time_zone"_s;
        QTest::addRow("start after end") << u"UTC"_s << QList<int> { 1, 1020, 540 } << QList<QDate>()
                                         << u"weekly_hours"_s;
        QTest::addRow("empty interval") << u"UTC"_s << QList<int> { 1, 540, 540 } << QList<QDate>()
                                        << u"weekly_hours"_s;
        QTest::addRow("overlap") << u"UTC"_s << QList<int> { 1, 540, 720, 1, 700, 1020 } << QList<QDate>()
                                 << u"weekly_hours"_s;
        QTest::addRow("touching is fine")
            << u"UTC"_s << QList<int> { 1, 540, 720, 1, 720, 1020 } << QList<QDate>() << QString();
        QTest::addRow("empty week") << u"UTC"_s << QList<int>() << QList<QDate>() << u"weekly_hours"_s;
        QTest::addRow("weekday 8") << u"UTC"_s << QList<int> { 8, 540, 1020 } << QList<QDate>() << u"weekly_hours"_s;
        QTest::addRow("past midnight") << u"UTC"_s << QList<int> { 1, 540, 1441 } << QList<QDate>()
                                       << u"weekly_hours"_s;
        QTest::addRow("duplicate holiday")
            << u"UTC"_s << week << QList<QDate> { QDate(2026, 12, 25), QDate(2026, 12, 25) } << u"holidays"_s;
    }

    void validation()
    {
        QFETCH(QString, zone);
        QFETCH(QList<int>, hours);
        QFETCH(QList<QDate>, holidays);
        QFETCH(QString, field);
        SupportSchedule s;
        s.timeZone = zone;
        for (qsizetype i = 0; i + 2 < hours.size(); i += 3)
            s.weeklyHours << WorkingHours { 0, 0, hours[i], hours[i + 1], hours[i + 2], {} };
        for (const QDate &d : holidays)
            s.holidays << ScheduleHoliday { 0, 0, d, u"Christmas"_s, {} };
        auto cal = Core::BusinessCalendar::fromSchedule(s);
        QCOMPARE(cal.ok(), field.isEmpty());
        if (!field.isEmpty())
            QCOMPARE(cal.error().field, field);
    }
};

QTEST_APPLESS_MAIN(TestBusinessCalendar)
#include "tst_businesscalendar.moc"
