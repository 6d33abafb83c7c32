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

void writeDigits(QChar *out, int value, int width)
{
    for (int i = width - 1; i >= 0; --i) {
        out[i] = QChar(char16_t(u'0' + value % 10));
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

QString isoDate(QDate date)
{
    if (!date.isValid() || date.year() < 1 || date.year() > 9999)
        return date.toString(Qt::ISODate);
    QString out(10, Qt::Uninitialized);
    QChar *p = out.data();
    writeDigits(p, date.year(), 4);
    p[4] = u'-';
    writeDigits(p + 5, date.month(), 2);
    p[7] = u'-';
    writeDigits(p + 8, date.day(), 2);
    return out;
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
