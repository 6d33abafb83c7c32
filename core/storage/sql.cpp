// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "sql.h"

#include <QRegularExpression>

namespace Storage {

using namespace Qt::StringLiterals;

Core::Error errorFromSql(const QSqlError &error, const QString &context)
{
    const QString native = error.nativeErrorCode();
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    const QString prefix = context.isEmpty() ? QString() : context + u": "_s;

    // SQLite: "CHECK constraint failed: arr >= 0", "NOT NULL constraint failed: customers.name",
    // "UNIQUE constraint failed: contacts.customer_id, contacts.email", "FOREIGN KEY constraint failed".
    // PostgreSQL (SQLSTATE class 23): 23514 check, 23502 not null, 23505 unique, 23503 foreign key.
    static const QRegularExpression sqliteColumn(u"constraint failed: (?:\\w+\\.)?(\\w+)"_s);
    // PostgreSQL names column checks <table>_<column>_check and table checks <table>_check (or <table>_checkN).
    static const QRegularExpression pgCheck(u"relation \"(\\w+)\" violates check constraint \"(\\w+)\""_s);
    static const QRegularExpression pgNotNull(u"column \"(\\w+)\""_s);
    static const QRegularExpression pgKey(u"Key \\((.*)\\)=\\("_s);
    // SQLite names an expression index instead of columns: "UNIQUE constraint failed: index 'ux_playbooks_name'".
    static const QRegularExpression sqliteIndex(u"UNIQUE constraint failed: index '(\\w+)'"_s);
    static const QRegularExpression sqliteColumns(u"UNIQUE constraint failed: ([\\w., ]+)"_s);
    // The field of a multi-column key is its last column (customer_id, email → email) on both dialects, and
    // an expression such as lower(name) names its column.
    const auto lastColumn = [](const QString &list) {
        QString last = list.split(u',').last().trimmed();
        static const QRegularExpression call(u"^\\w+\\((\\w+)(?:::\\w+)?\\)$"_s);
        if (auto m = call.match(last); m.hasMatch())
            last = m.captured(1);
        return last.section(u'.', -1);
    };

    QString field;
    Core::ErrorCode code = Core::ErrorCode::Storage;
    QString message;
    const bool isCheck = text.contains(u"CHECK constraint failed"_s) || native == u"23514"_s;
    const bool isNotNull = text.contains(u"NOT NULL constraint failed"_s) || native == u"23502"_s;
    const bool isUnique = text.contains(u"UNIQUE constraint failed"_s) || native == u"23505"_s;
    const bool isForeignKey = text.contains(u"FOREIGN KEY constraint failed"_s) || native == u"23503"_s;
    if (isCheck || isNotNull || isUnique || isForeignKey) {
        if (auto m = sqliteIndex.match(text); m.hasMatch())
            field = m.captured(1).section(u'_', -1); // our indexes are named ux_<table>_<column>
        else if (auto m = sqliteColumns.match(text); isUnique && m.hasMatch())
            field = lastColumn(m.captured(1));
        else if (auto m = sqliteColumn.match(text); m.hasMatch())
            field = m.captured(1);
        else if (auto m = pgCheck.match(text); m.hasMatch()) {
            const QString table = m.captured(1) + u'_';
            QString constraint = m.captured(2);
            if (constraint.startsWith(table) && constraint.endsWith(u"_check"_s)) {
                constraint = constraint.mid(table.size());
                constraint.chop(6);
                field = constraint; // empty for a table-level check: no single field is at fault
            }
        }
        else if (auto m = pgKey.match(error.text()); m.hasMatch())
            field = lastColumn(m.captured(1));
        else if (auto m = pgNotNull.match(text); m.hasMatch())
            field = m.captured(1);
        if (isCheck) {
            code = Core::ErrorCode::InvalidArgument;
            message = u"is out of range or not an allowed value"_s;
        } else if (isNotNull) {
            code = Core::ErrorCode::InvalidArgument;
            message = u"is required"_s;
        } else if (isUnique) {
            code = Core::ErrorCode::AlreadyExists;
            message = u"is already taken"_s;
        } else {
            code = Core::ErrorCode::InvalidArgument;
            message = u"refers to a record that does not exist (or is still referenced)"_s;
        }
        return { code, field, prefix + message };
    }
    return Core::Error::storage(prefix + text);
}

Core::Result<QSqlQuery> exec(const Database &db, const QString &sql, const QVariantList &bindings)
{
    QSqlQuery query(db.connection());
    query.setForwardOnly(true);
    // Without bindings the statement runs directly: QPSQL prepares with PREPARE ... AS, which PostgreSQL
    // accepts only for SELECT/INSERT/UPDATE/DELETE/VALUES, not for the DDL the migrations run.
    if (bindings.isEmpty()) {
        if (!query.exec(sql))
            return errorFromSql(query.lastError());
        return query;
    }
    if (!query.prepare(sql))
        return errorFromSql(query.lastError());
    for (const QVariant &value : bindings)
        query.addBindValue(value);
    if (!query.exec())
        return errorFromSql(query.lastError());
    return query;
}

QString nowExpression(Dialect dialect)
{
    return dialect == Dialect::Sqlite ? u"strftime('%Y-%m-%dT%H:%M:%fZ','now')"_s : u"CURRENT_TIMESTAMP"_s;
}

} // namespace Storage
