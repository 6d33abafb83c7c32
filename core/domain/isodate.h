// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QDate>
#include <QDateTime>
#include <QString>
#include <QStringView>

namespace Domain {

// The two text forms every date and time takes in CS Desk (storage, MCP, CSV): `yyyy-MM-dd` and UTC
// `yyyy-MM-ddTHH:mm:ss.zzzZ`. Same answers as QDate/QDateTime's Qt::ISODate / Qt::ISODateWithMs, written and read
// by hand for the common case because they run for every date of every row a list returns.

// Writers into a caller's buffer (no QString): yyyy-MM-dd into out[0..9], and the UTC
// yyyy-MM-ddTHH:mm:ss.zzzZ of `time` into out[0..23]. False, with nothing written, when the value is invalid or its
// (UTC) year is outside 1..9999.
bool writeIsoDate(char16_t *out, QDate date);
bool writeIsoDateTime(char16_t *out, const QDateTime &time);

// yyyy-MM-dd for years 1..9999; anything else (invalid, other years) as QDate::toString(Qt::ISODate) writes it.
QString isoDate(QDate date);
// The date of `text` when it is exactly yyyy-MM-dd (a real day); else QDate::fromString(text, Qt::ISODate).
QDate fromIsoDate(QStringView text);
// UTC yyyy-MM-ddTHH:mm:ss.zzzZ when `text` is exactly that; else QDateTime::fromString(text, Qt::ISODateWithMs).
QDateTime fromIsoDateTime(QStringView text);

} // namespace Domain
