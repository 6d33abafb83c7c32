// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "isodate.h"

namespace Domain {

namespace {

// The value of `count` decimal digits at text[at…], or -1 when one of them is not a digit.
int digits(QStringView text, qsizetype at, int count)
{
    int value = 0;
    for (int i = 0; i < count; ++i) {
        const char16_t c = text[at + i].unicode();
        if (c < u'0' || c > u'9')
            return -1;
        value = value * 10 + int(c - u'0');
    }
    return value;
}

void writeDigits(char16_t *out, int value, int width)
{
    for (int i = width - 1; i >= 0; --i) {
        out[i] = char16_t(u'0' + value % 10);
        value /= 10;
    }
}

QDate exactDate(QStringView text)
{
    if (text.size() != 10 || text[4] != u'-' || text[7] != u'-')
        return {};
    const int y = digits(text, 0, 4), m = digits(text, 5, 2), d = digits(text, 8, 2);
    if (y < 1 || m < 0 || d < 0)
        return {};
    return QDate(y, m, d); // invalid when the day does not exist
}

} // namespace

bool writeIsoDate(char16_t *out, QDate date)
{
    int y = 0, m = 0, d = 0;
    date.getDate(&y, &m, &d);
    if (!date.isValid() || y < 1 || y > 9999)
        return false;
    writeDigits(out, y, 4);
    out[4] = u'-';
    writeDigits(out + 5, m, 2);
    out[7] = u'-';
    writeDigits(out + 8, d, 2);
    return true;
}

bool writeIsoDateTime(char16_t *out, const QDateTime &time)
{
    if (!time.isValid())
        return false;
    // The same text as toUTC().toString(Qt::ISODateWithMs), from the milliseconds since the epoch.
    constexpr qint64 msPerDay = 86'400'000;
    const qint64 ms = time.toMSecsSinceEpoch();
    const qint64 days = ms / msPerDay - (ms % msPerDay < 0 ? 1 : 0);
    const int msInDay = int(ms - days * msPerDay);
    if (!writeIsoDate(out, QDate::fromJulianDay(days + 2440588))) // 1970-01-01
        return false;
    out[10] = u'T';
    writeDigits(out + 11, msInDay / 3'600'000, 2);
    out[13] = u':';
    writeDigits(out + 14, msInDay / 60'000 % 60, 2);
    out[16] = u':';
    writeDigits(out + 17, msInDay / 1000 % 60, 2);
    out[19] = u'.';
    writeDigits(out + 20, msInDay % 1000, 3);
    out[23] = u'Z';
    return true;
}

QString isoDate(QDate date)
{
    char16_t text[10];
    if (!writeIsoDate(text, date))
        return date.toString(Qt::ISODate);
    return QStringView(text, 10).toString();
}

QDate fromIsoDate(QStringView text)
{
    if (const QDate date = exactDate(text); date.isValid())
        return date;
    return QDate::fromString(text.toString(), Qt::ISODate);
}

QDateTime fromIsoDateTime(QStringView text)
{
    // yyyy-MM-ddTHH:mm:ss.zzzZ
    if (text.size() == 24 && text[10] == u'T' && text[13] == u':' && text[16] == u':' && text[19] == u'.'
        && text[23] == u'Z') {
        const QDate date = exactDate(text.first(10));
        const int h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2), ms = digits(text, 20, 3);
        if (date.isValid() && h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 60 && ms >= 0)
            return QDateTime(date, QTime(h, mi, s, ms), Qt::UTC); // what fromString makes of a Z suffix
    }
    return QDateTime::fromString(text.toString(), Qt::ISODateWithMs);
}

} // namespace Domain
