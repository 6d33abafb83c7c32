// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlRecord>
#include <QVarLengthArray>

#include "columns.h"
#include "database.h"
#include "error.h"
#include "listquery.h"
#include "rows.h"
#include "sql.h"

namespace Storage {

namespace Detail {
// The SQL for a filter and its bindings; an Error naming the field when the column or operator is unusable.
Core::Status appendFilter(const Filter &filter, const QStringList &knownColumns, QStringList &conditions,
                          QVariantList &bindings);
QString encodeCursor(const QString &orderBy, bool descending, const QVariant &value, const QVariant &key);
struct DecodedCursor {
    QVariant value;
    QVariant key;
};
Core::Result<DecodedCursor> decodeCursor(const QString &cursor, const QString &orderBy, bool descending);
QString placeholders(int count);
} // namespace Detail

// Create / get / update / soft-delete / list for one stored type, driven by its TableTraits. Every write
// validates the record first (so errors name the field), and updates are optimistic: the caller's
// meta.version must still be the stored one, otherwise ErrorCode::Conflict and nothing is written.
template<typename T>
class Repository {
    using Traits = TableTraits<T>;

public:
    explicit Repository(const Database &db)
        : m_db(db)
    {
    }

    const Database &database() const { return m_db; }

    Core::Result<T> create(const T &record) const
    {
        if (auto valid = record.validate(); !valid)
            return valid.error();
        QStringList names;
        QVariantList values;
        for (const Column<T> &c : Traits::columns()) {
            if (c.flags & GeneratedKey)
                continue;
            names << c.name;
            values << c.read(record);
        }
        const QString sql = QStringLiteral("INSERT INTO %1 (%2) VALUES (%3) RETURNING %4")
                                .arg(Traits::table(), names.join(u", "), Detail::placeholders(int(names.size())),
                                     selectList());
        return fetchOne(sql, values, QString());
    }

    Core::Result<T> get(const QVariant &key, bool includeDeleted = false) const
    {
        QString sql = QStringLiteral("SELECT %1 FROM %2 WHERE %3 = ?").arg(selectList(), Traits::table(), keyName());
        if constexpr (Traits::softDelete) {
            if (!includeDeleted)
                sql += QStringLiteral(" AND deleted_at IS NULL");
        }
        return fetchOne(sql, { key }, notFoundMessage(key));
    }

    Core::Result<T> update(const T &record) const
    {
        if (auto valid = record.validate(); !valid)
            return valid.error();
        QStringList sets;
        QVariantList values;
        QVariant key;
        for (const Column<T> &c : Traits::columns()) {
            if (c.flags & KeyColumn) {
                key = c.read(record);
                continue;
            }
            if (c.flags & (GeneratedKey | Immutable))
                continue;
            sets << c.name + QStringLiteral(" = ?");
            values << c.read(record);
        }
        if constexpr (Traits::hasUpdatedAt)
            sets << QStringLiteral("updated_at = ") + nowExpression(m_db.dialect());
        QString where = keyName() + QStringLiteral(" = ?");
        values << key;
        if constexpr (Traits::versioned) {
            sets << QStringLiteral("version = version + 1");
            where += QStringLiteral(" AND version = ?");
            values << record.meta.version;
        }
        if constexpr (Traits::softDelete)
            where += QStringLiteral(" AND deleted_at IS NULL");
        const QString sql = QStringLiteral("UPDATE %1 SET %2 WHERE %3 RETURNING %4")
                                .arg(Traits::table(), sets.join(u", "), where, selectList());
        auto updated = fetchOne(sql, values, QString());
        if (updated.ok() || updated.error().code != Core::ErrorCode::NotFound)
            return updated;
        return explainMissedWrite(key, record.meta.version);
    }

    // Marks the record deleted (it disappears from get/list, its history stays). expectedVersion 0 = any.
    Core::Status softDelete(const QVariant &key, int expectedVersion = 0) const
        requires(Traits::softDelete)
    {
        return setDeleted(key, expectedVersion, true);
    }

    Core::Status restore(const QVariant &key) const
        requires(Traits::softDelete)
    {
        return setDeleted(key, 0, false);
    }

    // Removes the row for good (append-only tables and records a user cannot see).
    Core::Status remove(const QVariant &key) const
    {
        auto result = exec(m_db, QStringLiteral("DELETE FROM %1 WHERE %2 = ?").arg(Traits::table(), keyName()), { key });
        if (!result)
            return result.error();
        if (result->numRowsAffected() == 0)
            return Core::Error::notFound(keyName(), notFoundMessage(key));
        return {};
    }

    Core::Result<Page<T>> list(const ListQuery &query) const
    {
        if (query.limit < 1 || query.limit > 1000)
            return Core::Error::invalid(QStringLiteral("limit"), QStringLiteral("must be between 1 and 1000"));
        const QStringList &known = columnNames();
        const QString orderBy = query.orderBy.isEmpty() ? keyName() : query.orderBy;
        if (!known.contains(orderBy))
            return Core::Error::invalid(QStringLiteral("sort"), QStringLiteral("cannot sort by '%1'").arg(orderBy));

        QStringList conditions;
        QVariantList bindings;
        if constexpr (Traits::softDelete) {
            if (!query.includeDeleted)
                conditions << QStringLiteral("deleted_at IS NULL");
        }
        for (const Filter &filter : query.filters) {
            if (auto ok = Detail::appendFilter(filter, known, conditions, bindings); !ok)
                return ok.error();
        }
        if (!query.extraCondition.isEmpty()) {
            conditions << QLatin1Char('(') + query.extraCondition + QLatin1Char(')');
            bindings << query.extraBindings;
        }

        // Counted after the page, and only when the page is not the whole answer.
        QString countSql;
        const QVariantList countBindings = bindings;
        if (query.countTotal) {
            countSql = QStringLiteral("SELECT COUNT(*) FROM ") + Traits::table();
            if (!conditions.isEmpty())
                countSql += QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
        }

        // Keyset: rows strictly after (value, key). A NOT NULL sort column compares as a row value, which both
        // dialects answer from an index on (column, key); a nullable one sorts its NULLs last in both
        // directions, in (value IS NULL, value, key) order.
        const bool desc = query.descending;
        const QString cmp = desc ? QStringLiteral("<") : QStringLiteral(">");
        const bool sortByKey = orderBy == keyName();
        const bool sortNotNull = sortByKey || (columnFlags(orderBy) & NotNull);
        if (!query.cursor.isEmpty()) {
            auto decoded = Detail::decodeCursor(query.cursor, orderBy, desc);
            if (!decoded)
                return decoded.error();
            if (sortByKey) {
                conditions << QStringLiteral("%1 %2 ?").arg(keyName(), cmp);
                bindings << decoded->key;
            } else if (sortNotNull) {
                conditions << QStringLiteral("(%1, %2) %3 (?, ?)").arg(orderBy, keyName(), cmp);
                bindings << decoded->value << decoded->key;
            } else if (decoded->value.isNull()) {
                conditions << QStringLiteral("(%1 IS NULL AND %2 %3 ?)").arg(orderBy, keyName(), cmp);
                bindings << decoded->key;
            } else {
                conditions << QStringLiteral("(%1 IS NULL OR %1 %2 ? OR (%1 = ? AND %3 %2 ?))")
                                  .arg(orderBy, cmp, keyName());
                bindings << decoded->value << decoded->value << decoded->key;
            }
        }
        const QString direction = desc ? QStringLiteral(" DESC") : QString();
        std::optional<RowLayout> projection;
        if (!query.columns.isEmpty()) {
            QStringList selected;
            for (const QString &name : query.columns + QStringList { keyName(), orderBy }) {
                if (!known.contains(name))
                    return Core::Error::invalid(QStringLiteral("columns"), QStringLiteral("no column '%1'").arg(name));
                if (!selected.contains(name))
                    selected << name;
            }
            projection = RowLayout::ofColumns(selected);
        }
        QString sql = QStringLiteral("SELECT %1 FROM %2")
                          .arg(projection ? projection->selectList : selectList(), Traits::table());
        if (!conditions.isEmpty())
            sql += QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
        if (sortByKey)
            sql += QStringLiteral(" ORDER BY %1%2").arg(keyName(), direction);
        else if (sortNotNull)
            sql += QStringLiteral(" ORDER BY %1%2, %3%2").arg(orderBy, direction, keyName());
        else
            sql += QStringLiteral(" ORDER BY (%1 IS NULL), %1%2, %3%2").arg(orderBy, direction, keyName());
        sql += QStringLiteral(" LIMIT %1").arg(query.limit + 1);

        auto rows = select(m_db, sql, bindings);
        if (!rows)
            return rows.error();
        Page<T> page;
        page.items.reserve(query.limit);
        const RowLayout &layout = projection ? *projection : RowLayout::ofSelectList();
        const int sortIndex = layout.columns.at(known.indexOf(orderBy));
        const int keyIndex = layout.columns.at(known.indexOf(keyName()));
        QVariant lastSort;
        QVariant lastKey;
        while (rows->next()) {
            if (page.items.size() == query.limit) {
                page.nextCursor = Detail::encodeCursor(orderBy, desc, Convert::toCursorValue(lastSort),
                                                       Convert::toCursorValue(lastKey));
                break;
            }
            page.items << fromRow(*rows, layout);
            if (page.items.size() == query.limit) { // the cursor's position, should another row follow
                lastSort = rows->value(sortIndex);
                lastKey = rows->value(keyIndex);
            }
        }
        if (rows->error())
            return *rows->error();
        if (query.countTotal) {
            if (query.cursor.isEmpty() && page.nextCursor.isEmpty()) {
                page.total = page.items.size();
            } else {
                auto counted = count(m_db, countSql, countBindings);
                if (!counted)
                    return counted.error();
                page.total = *counted;
            }
        }
        return page;
    }

    // Where each mapped column sits in a query's record: looked up once per query, not once per row.
    struct RowLayout
    {
        // The layout of a query that selected exactly selectList(): every column where selectList() put it.
        static const RowLayout &ofSelectList()
        {
            static const RowLayout layout = [] {
                RowLayout l;
                int at = 0;
                for (qsizetype i = 0; i < Traits::columns().size(); ++i)
                    l.columns.append(at++);
                l.createdAt = at++;
                if constexpr (Traits::hasUpdatedAt)
                    l.updatedAt = at++;
                if constexpr (Traits::softDelete)
                    l.deletedAt = at++;
                if constexpr (Traits::versioned)
                    l.version = at++;
                return l;
            }();
            return layout;
        }
        // The layout of a query that selected `selected` (mapped columns, in that order) and no meta column.
        static RowLayout ofColumns(const QStringList &selected)
        {
            RowLayout l;
            for (const Column<T> &c : Traits::columns())
                l.columns.append(int(selected.indexOf(c.name)));
            l.selectList = selected.join(QStringLiteral(", "));
            return l;
        }
        explicit RowLayout(const QSqlRecord &rec)
        {
            for (const Column<T> &c : Traits::columns())
                columns.append(rec.indexOf(c.name));
            createdAt = rec.indexOf(QStringLiteral("created_at"));
            if constexpr (Traits::hasUpdatedAt)
                updatedAt = rec.indexOf(QStringLiteral("updated_at"));
            if constexpr (Traits::softDelete)
                deletedAt = rec.indexOf(QStringLiteral("deleted_at"));
            if constexpr (Traits::versioned)
                version = rec.indexOf(QStringLiteral("version"));
        }
        QVarLengthArray<int, 48> columns; // -1: not selected (the field keeps its default)
        QString selectList; // ofColumns() only
        int createdAt = -1;
        int updatedAt = -1;
        int deletedAt = -1;
        int version = -1;

    private:
        RowLayout() = default;
    };

    // Reads a row of a query that selected selectList(); for services that write their own SELECTs. A caller
    // reading many rows builds the RowLayout once and uses the overload below.
    static T fromRow(const QSqlQuery &row, const QSqlRecord &rec) { return fromRow(row, RowLayout(rec)); }

    static T fromRow(const QSqlQuery &row, const RowLayout &layout)
    {
        T record {};
        qsizetype i = 0;
        for (const Column<T> &c : Traits::columns()) {
            if (const int at = layout.columns.at(i++); at >= 0)
                c.write(record, row.value(at));
        }
        // A meta column the query did not select (-1) keeps its default.
        if (layout.createdAt >= 0)
            Convert::fromSql(row.value(layout.createdAt), record.meta.createdAt);
        if constexpr (Traits::hasUpdatedAt) {
            if (layout.updatedAt >= 0)
                Convert::fromSql(row.value(layout.updatedAt), record.meta.updatedAt);
        }
        if constexpr (Traits::softDelete) {
            if (layout.deletedAt >= 0)
                Convert::fromSql(row.value(layout.deletedAt), record.meta.deletedAt);
        }
        if constexpr (Traits::versioned) {
            if (layout.version >= 0)
                record.meta.version = row.value(layout.version).toInt();
        }
        return record;
    }

    // The same from a Rows: each column read without a QVariant where the column can (see Column::fetch).
    static T fromRow(const Rows &row, const RowLayout &layout)
    {
        T record {};
        qsizetype i = 0;
        for (const Column<T> &c : Traits::columns()) {
            const int at = layout.columns.at(i++);
            if (at < 0)
                continue;
            if (c.fetch)
                c.fetch(record, row, at);
            else
                c.write(record, row.value(at));
        }
        if (layout.createdAt >= 0)
            row.read(layout.createdAt, record.meta.createdAt);
        if constexpr (Traits::hasUpdatedAt) {
            if (layout.updatedAt >= 0)
                row.read(layout.updatedAt, record.meta.updatedAt);
        }
        if constexpr (Traits::softDelete) {
            if (layout.deletedAt >= 0)
                row.read(layout.deletedAt, record.meta.deletedAt);
        }
        if constexpr (Traits::versioned) {
            if (layout.version >= 0)
                row.read(layout.version, record.meta.version);
        }
        return record;
    }

    static const QString &selectList()
    {
        static const QString list = [] {
            QStringList names = columnNames();
            names << QStringLiteral("created_at");
            if constexpr (Traits::hasUpdatedAt)
                names << QStringLiteral("updated_at");
            if constexpr (Traits::softDelete)
                names << QStringLiteral("deleted_at");
            if constexpr (Traits::versioned)
                names << QStringLiteral("version");
            return names.join(QStringLiteral(", "));
        }();
        return list;
    }

    static const QStringList &columnNames()
    {
        static const QStringList names = [] {
            QStringList list;
            for (const Column<T> &c : Traits::columns())
                list << c.name;
            return list;
        }();
        return names;
    }

    static int columnFlags(const QString &name)
    {
        for (const Column<T> &c : Traits::columns()) {
            if (c.name == name)
                return c.flags;
        }
        return NoFlags;
    }

    static QString keyName()
    {
        for (const Column<T> &c : Traits::columns()) {
            if (c.flags & KeyColumn)
                return c.name;
        }
        return QStringLiteral("id");
    }

private:
    Core::Result<T> fetchOne(const QString &sql, const QVariantList &bindings, const QString &notFound) const
    {
        auto rows = select(m_db, sql, bindings);
        if (!rows)
            return rows.error();
        if (!rows->next()) {
            if (rows->error()) // a write's constraint, for one, fails on the first step
                return *rows->error();
            return Core::Error::notFound(keyName(), notFound);
        }
        T record = fromRow(*rows, RowLayout::ofSelectList());
        // Drain so that SQLite finishes the statement (a RETURNING statement is only complete once stepped
        // to the end) before a surrounding transaction commits.
        while (rows->next()) { }
        if (rows->error())
            return *rows->error();
        return record;
    }

    QString notFoundMessage(const QVariant &key) const
    {
        return QStringLiteral("no %1 with %2 '%3'").arg(Traits::singular(), keyName(), key.toString());
    }

    Core::Result<T> explainMissedWrite(const QVariant &key, int expectedVersion) const
    {
        if constexpr (Traits::versioned) {
            QString sql = QStringLiteral("SELECT version%1 FROM %2 WHERE %3 = ?")
                              .arg(Traits::softDelete ? QStringLiteral(", deleted_at") : QString(), Traits::table(),
                                   keyName());
            auto rows = exec(m_db, sql, { key });
            if (!rows)
                return rows.error();
            if (!rows->next() || (Traits::softDelete && !rows->value(1).isNull()))
                return Core::Error::notFound(keyName(), notFoundMessage(key));
            const int current = rows->value(0).toInt();
            return Core::Error::conflict(
                QStringLiteral("version"),
                QStringLiteral("this %1 was changed by someone else since it was read (you have version %2, "
                               "the stored one is %3); reload it and apply your change again")
                    .arg(Traits::singular())
                    .arg(expectedVersion)
                    .arg(current));
        } else {
            Q_UNUSED(expectedVersion)
            return Core::Error::notFound(keyName(), notFoundMessage(key));
        }
    }

    Core::Status setDeleted(const QVariant &key, int expectedVersion, bool deleted) const
    {
        const QString now = nowExpression(m_db.dialect());
        QString sql = QStringLiteral("UPDATE %1 SET deleted_at = %2, updated_at = %3%4 WHERE %5 = ? AND deleted_at IS %6")
                          .arg(Traits::table(), deleted ? now : QStringLiteral("NULL"), now,
                               Traits::versioned ? QStringLiteral(", version = version + 1") : QString(), keyName(),
                               deleted ? QStringLiteral("NULL") : QStringLiteral("NOT NULL"));
        QVariantList bindings { key };
        if (Traits::versioned && expectedVersion > 0) {
            sql += QStringLiteral(" AND version = ?");
            bindings << expectedVersion;
        }
        auto result = exec(m_db, sql, bindings);
        if (!result)
            return result.error();
        if (result->numRowsAffected() == 1)
            return {};
        if (deleted && expectedVersion > 0) {
            auto why = explainMissedWrite(key, expectedVersion);
            return why.error();
        }
        return Core::Error::notFound(keyName(), notFoundMessage(key));
    }

    const Database &m_db;
};

} // namespace Storage
