// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "sqlitenative.h"

#include <sqlite3.h>

#include <QSqlError>
#include <QUuid>

#include "sql.h"

namespace Storage {

using namespace Qt::StringLiterals;

bool isNullForSql(const QVariant &value)
{
    if (value.isNull())
        return true;
    switch (value.typeId()) {
    case QMetaType::QString:
        return static_cast<const QString *>(value.constData())->isNull();
    case QMetaType::QByteArray:
        return static_cast<const QByteArray *>(value.constData())->isNull();
    case QMetaType::QDateTime:
        return !static_cast<const QDateTime *>(value.constData())->isValid();
    case QMetaType::QDate:
        return !static_cast<const QDate *>(value.constData())->isValid();
    case QMetaType::QTime:
        return !static_cast<const QTime *>(value.constData())->isValid();
    case QMetaType::QUuid:
        return static_cast<const QUuid *>(value.constData())->isNull();
    default:
        return false;
    }
}

Core::Error sqliteError(sqlite3 *handle, int code, const QString &context)
{
    const QSqlError error(u"Unable to fetch row"_s, QString::fromUtf8(sqlite3_errmsg(handle)),
        QSqlError::StatementError, QString::number(code));
    return errorFromSql(error, context);
}

} // namespace Storage
