// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Domain::isoDate / fromIsoDate / fromIsoDateTime: the hand-written fast paths must give exactly what Qt's ISO
// formatting and parsing give, and fall back to Qt for everything else.
#include <QTest>

#include "isodate.h"

using namespace Qt::StringLiterals;

class TestIsoDate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writesWhatQtWrites_data()
    {
        QTest::addColumn<QDate>("date");
        QTest::addRow("ordinary") << QDate(2026, 11, 24);
        QTest::addRow("first day") << QDate(1, 1, 1);
        QTest::addRow("last day") << QDate(9999, 12, 31);
        QTest::addRow("leap day") << QDate(2024, 2, 29);
        QTest::addRow("single digits") << QDate(2007, 3, 4);
        QTest::addRow("year 10000") << QDate(10000, 1, 1);
        QTest::addRow("before year 1") << QDate(-5, 6, 7);
        QTest::addRow("invalid") << QDate();
    }
    void writesWhatQtWrites()
    {
        QFETCH(QDate, date);
        QCOMPARE(Domain::isoDate(date), date.toString(Qt::ISODate));
    }

    void readsDates_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QDate>("expected");
        QTest::addRow("ordinary") << u"2026-11-24"_s << QDate(2026, 11, 24);
        QTest::addRow("leap day") << u"2024-02-29"_s << QDate(2024, 2, 29);
        QTest::addRow("no such day") << u"2023-02-29"_s << QDate();
        QTest::addRow("month 13") << u"2026-13-01"_s << QDate();
        QTest::addRow("day 00") << u"2026-01-00"_s << QDate();
        QTest::addRow("year 0000") << u"0000-01-01"_s << QDate::fromString(u"0000-01-01"_s, Qt::ISODate);
        QTest::addRow("letters") << u"2026-1a-01"_s << QDate();
        QTest::addRow("slashes") << u"2026/11/24"_s << QDate::fromString(u"2026/11/24"_s, Qt::ISODate);
        QTest::addRow("empty") << QString() << QDate();
        QTest::addRow("short") << u"2026-1-2"_s << QDate::fromString(u"2026-1-2"_s, Qt::ISODate);
    }
    void readsDates()
    {
        QFETCH(QString, text);
        QFETCH(QDate, expected);
        QCOMPARE(Domain::fromIsoDate(text), expected);
        QCOMPARE(Domain::fromIsoDate(text), QDate::fromString(text, Qt::ISODate));
    }

    void readsDateTimes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addRow("stored form") << u"2026-11-24T21:37:01.123Z"_s;
        QTest::addRow("midnight") << u"2026-01-01T00:00:00.000Z"_s;
        QTest::addRow("last millisecond") << u"2026-12-31T23:59:59.999Z"_s;
        QTest::addRow("hour 24") << u"2026-12-31T24:00:00.000Z"_s;
        QTest::addRow("minute 60") << u"2026-12-31T10:60:00.000Z"_s;
        QTest::addRow("no such day") << u"2023-02-29T10:00:00.000Z"_s;
        QTest::addRow("offset, fallback") << u"2026-11-24T21:37:01.123+02:00"_s;
        QTest::addRow("no milliseconds, fallback") << u"2026-11-24T21:37:01Z"_s;
        QTest::addRow("no zone, fallback") << u"2026-11-24T21:37:01.123"_s;
        QTest::addRow("garbage") << u"not a time at all, 24 ch"_s;
    }
    void readsDateTimes()
    {
        QFETCH(QString, text);
        const QDateTime ours = Domain::fromIsoDateTime(text);
        const QDateTime qts = QDateTime::fromString(text, Qt::ISODateWithMs);
        QCOMPARE(ours.isValid(), qts.isValid());
        QCOMPARE(ours, qts);
        QCOMPARE(ours.timeSpec(), qts.timeSpec());
        QCOMPARE(ours.toString(Qt::ISODateWithMs), qts.toString(Qt::ISODateWithMs));
    }
};

QTEST_GUILESS_MAIN(TestIsoDate)
#include "tst_isodate.moc"
