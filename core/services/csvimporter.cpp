// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "csvimporter.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include <QElapsedTimer>
#include <QIODevice>
#include <QLocale>
#include <QSet>
#include <QSqlRecord>
#include <QTimeZone>

#include "bulkinserter.h"
#include "customerservice.h"
#include "sql.h"
#include "supportservice.h"
#include "tables_accounts.h"
#include "tables_customers.h"
#include "tables_feedback.h"
#include "tables_health.h"
#include "tables_operations.h"
#include "tables_revenue.h"
#include "tables_support.h"
#include "transaction.h"
#include "validation.h"

namespace Core {

using namespace Qt::StringLiterals;

QString ImportLineError::toString() const
{
    QString text = u"line %1"_s.arg(line);
    if (!column.isEmpty())
        text += columnNumber > 0 ? u", column %1 (%2)"_s.arg(column).arg(columnNumber) : u", "_s + column;
    return text + u": "_s + message;
}

namespace {

// ---- cell parsers: an empty optional / a message for text that is not a value of the type --------------------

std::optional<double> parseNumber(const QString &text)
{
    bool ok = false;
    const double value = QLocale::c().toDouble(text, &ok);
    if (!ok || !std::isfinite(value))
        return std::nullopt;
    return value;
}

// yyyy-MM-ddTHH:mm:ss[.zzz]Z, the shape exports almost always have, read without building strings; anything else
// goes through Domain::parseIsoDateTime (offsets, other fractions) with the same meaning.
std::optional<QDateTime> parseUtcTimeFast(const QString &text)
{
    const qsizetype n = text.size();
    if ((n != 20 && n != 24) || text.back() != u'Z')
        return std::nullopt;
    const QChar *c = text.constData();
    const auto digits = [c](int from, int count, int &out) {
        out = 0;
        for (int i = from; i < from + count; ++i) {
            const char16_t d = c[i].unicode();
            if (d < u'0' || d > u'9')
                return false;
            out = out * 10 + (d - u'0');
        }
        return true;
    };
    int y, mo, d, h, mi, sec, ms = 0;
    if (c[4] != u'-' || c[7] != u'-' || (c[10] != u'T' && c[10] != u' ') || c[13] != u':' || c[16] != u':')
        return std::nullopt;
    if (!digits(0, 4, y) || !digits(5, 2, mo) || !digits(8, 2, d) || !digits(11, 2, h) || !digits(14, 2, mi)
        || !digits(17, 2, sec))
        return std::nullopt;
    if (n == 24 && (c[19] != u'.' || !digits(20, 3, ms)))
        return std::nullopt;
    if (!QDate::isValid(y, mo, d) || !QTime::isValid(h, mi, sec, ms))
        return std::nullopt;
    return QDateTime(QDate(y, mo, d), QTime(h, mi, sec, ms), QTimeZone::utc());
}

std::optional<QDateTime> parseTime(const QString &text)
{
    if (auto t = parseUtcTimeFast(text))
        return t;
    if (auto t = Domain::parseIsoDateTime(text))
        return t;
    if (auto d = Domain::parseIsoDate(text))
        return QDateTime(*d, QTime(0, 0), QTimeZone::utc());
    return std::nullopt;
}

std::optional<bool> parseBool(const QString &text)
{
    const QString t = text.toLower();
    if (t == u"true"_s || t == u"yes"_s || t == u"y"_s || t == u"1"_s || t == u"t"_s)
        return true;
    if (t == u"false"_s || t == u"no"_s || t == u"n"_s || t == u"0"_s || t == u"f"_s)
        return false;
    return std::nullopt;
}

QStringList parseList(const QString &text)
{
    QStringList items;
    const QStringList parts = text.split(u';');
    for (const QString &part : parts) {
        const QString item = part.trimmed();
        if (!item.isEmpty() && !items.contains(item))
            items << item;
    }
    return items;
}

// Enum spellings are snake_case; "Mid Market" and "mid-market" are read as mid_market.
template<typename E> std::optional<E> parseEnum(const QString &text)
{
    QString t = text.toLower();
    t.replace(u' ', u'_').replace(u'-', u'_');
    if (t.isEmpty())
        return std::nullopt;
    return Domain::enumFromString<E>(t);
}

template<typename E> QString enumChoices()
{
    QStringList values = Domain::enumValues<E>();
    values.removeAll(QString());
    return u"is not one of "_s + values.join(u", "_s);
}

// ---- fields: a name and how a cell sets it on the record (returns why not, or an empty string) ------------------

template<typename T> using Setter = std::function<QString(const QString &text, T &record)>;

template<typename T> struct Field
{
    QString name;
    bool required = false;
    Setter<T> set;
};

template<typename T> Setter<T> text(QString T::*member)
{
    return [member](const QString &value, T &record) {
        record.*member = value;
        return QString();
    };
}

template<typename T> Setter<T> number(double T::*member)
{
    return [member](const QString &value, T &record) {
        const auto n = parseNumber(value);
        if (!n)
            return u"not a number"_s;
        record.*member = *n;
        return QString();
    };
}

template<typename T> Setter<T> optionalInt(std::optional<int> T::*member)
{
    return [member](const QString &value, T &record) {
        const auto n = parseNumber(value);
        if (!n || std::trunc(*n) != *n || std::abs(*n) > 1e9)
            return u"not a whole number"_s;
        record.*member = int(*n);
        return QString();
    };
}

template<typename T> Setter<T> date(QDate T::*member)
{
    return [member](const QString &value, T &record) {
        const auto d = Domain::parseIsoDate(value);
        if (!d)
            return u"not a date (yyyy-MM-dd)"_s;
        record.*member = *d;
        return QString();
    };
}

template<typename T> Setter<T> time(QDateTime T::*member)
{
    return [member](const QString &value, T &record) {
        const auto t = parseTime(value);
        if (!t)
            return u"not a time (RFC 3339, e.g. 2026-03-01T09:30:00Z, or a date yyyy-MM-dd)"_s;
        record.*member = *t;
        return QString();
    };
}

template<typename T> Setter<T> boolean(bool T::*member)
{
    return [member](const QString &value, T &record) {
        const auto b = parseBool(value);
        if (!b)
            return u"not true or false"_s;
        record.*member = *b;
        return QString();
    };
}

template<typename T> Setter<T> listOf(QStringList T::*member)
{
    return [member](const QString &value, T &record) {
        record.*member = parseList(value);
        return QString();
    };
}

template<typename T, typename E> Setter<T> enumeration(E T::*member)
{
    return [member](const QString &value, T &record) {
        const auto e = parseEnum<E>(value);
        if (!e)
            return enumChoices<E>();
        record.*member = *e;
        return QString();
    };
}

template<typename T, typename E> Setter<T> optionalEnumeration(std::optional<E> T::*member)
{
    return [member](const QString &value, T &record) {
        const auto e = parseEnum<E>(value);
        if (!e)
            return enumChoices<E>();
        record.*member = *e;
        return QString();
    };
}

const QList<Field<Domain::Customer>> &customerFields()
{
    using C = Domain::Customer;
    static const QList<Field<C>> list {
        { u"id"_s, true, text(&C::id) },
        { u"name"_s, true, text(&C::name) },
        { u"company"_s, false, text(&C::company) },
        { u"domain"_s, false, text(&C::domain) },
        { u"industry"_s, false, text(&C::industry) },
        { u"tier"_s, false, enumeration(&C::tier) },
        { u"arr"_s, false, number(&C::arr) },
        { u"currency"_s, false,
            [](const QString &value, C &record) {
                record.currency = value.toUpper();
                return QString();
            } },
        { u"status"_s, false, enumeration(&C::status) },
        { u"lifecycle_stage"_s, false, enumeration(&C::lifecycleStage) },
        { u"contract_type"_s, false, enumeration(&C::contractType) },
        { u"contract_start"_s, false, date(&C::contractStart) },
        { u"contract_end"_s, false, date(&C::contractEnd) },
        { u"renewal_date"_s, false, date(&C::renewalDate) },
        { u"churned_at"_s, false, date(&C::churnedAt) },
        { u"owner"_s, false, text(&C::owner) },
    };
    return list;
}

const QList<Field<Domain::Contact>> &contactFields()
{
    using C = Domain::Contact;
    static const QList<Field<C>> list {
        { u"customer_id"_s, true, text(&C::customerId) },
        { u"name"_s, true, text(&C::name) },
        { u"email"_s, false,
            [](const QString &value, C &record) {
                record.email = value.toLower();
                return QString();
            } },
        { u"title"_s, false, text(&C::title) },
        { u"role"_s, false, enumeration(&C::role) },
        { u"is_primary"_s, false, boolean(&C::isPrimary) },
        { u"phone"_s, false, text(&C::phone) },
        { u"notes"_s, false, text(&C::notes) },
    };
    return list;
}

const QList<Field<Domain::UsageEvent>> &usageFields()
{
    using U = Domain::UsageEvent;
    static const QList<Field<U>> list {
        { u"customer_id"_s, true, text(&U::customerId) },
        { u"occurred_at"_s, true, time(&U::occurredAt) },
        { u"event_type"_s, true, text(&U::eventType) },
        { u"feature"_s, false, text(&U::feature) },
        { u"user_ref"_s, false, text(&U::userRef) },
        { u"quantity"_s, false, number(&U::quantity) },
    };
    return list;
}

const QList<Field<Domain::SupportTicket>> &ticketFields()
{
    using S = Domain::SupportTicket;
    static const QList<Field<S>> list {
        { u"customer_id"_s, true, text(&S::customerId) },
        { u"subject"_s, true, text(&S::subject) },
        { u"external_id"_s, false, text(&S::externalId) },
        { u"description"_s, false, text(&S::description) },
        { u"priority"_s, false, enumeration(&S::priority) },
        { u"status"_s, false, enumeration(&S::status) },
        { u"channel"_s, false, text(&S::channel) },
        { u"assignee"_s, false, text(&S::assignee) },
        { u"assigned_team"_s, false, text(&S::assignedTeam) },
        { u"category"_s, false, text(&S::category) },
        { u"tags"_s, false, listOf(&S::tags) },
        { u"opened_at"_s, false, time(&S::openedAt) },
        { u"first_response_at"_s, false, time(&S::firstResponseAt) },
        { u"resolved_at"_s, false, time(&S::resolvedAt) },
        { u"closed_at"_s, false, time(&S::closedAt) },
        { u"csat"_s, false, optionalInt(&S::csat) },
        { u"csat_comment"_s, false, text(&S::csatComment) },
        { u"escalated"_s, false, boolean(&S::escalated) },
    };
    return list;
}

const QList<Field<Domain::SurveyResponse>> &responseFields()
{
    using R = Domain::SurveyResponse;
    static const QList<Field<R>> list {
        { u"customer_id"_s, true, text(&R::customerId) },
        { u"kind"_s, true, enumeration(&R::kind) },
        { u"score"_s, true,
            [](const QString &value, R &record) {
                const auto n = parseNumber(value);
                if (!n || std::trunc(*n) != *n || std::abs(*n) > 1000)
                    return u"not a whole number"_s;
                record.score = int(*n);
                return QString();
            } },
        { u"comment"_s, false, text(&R::comment) },
        { u"channel"_s, false, optionalEnumeration(&R::channel) },
        { u"responded_at"_s, false, time(&R::respondedAt) },
        { u"themes"_s, false, listOf(&R::themes) },
    };
    return list;
}

template<typename T> QStringList names(const QList<Field<T>> &fields, bool requiredOnly)
{
    QStringList result;
    for (const Field<T> &f : fields) {
        if (!requiredOnly || f.required)
            result << f.name;
    }
    return result;
}

// The columns of a stored type that an INSERT writes, and one record's values for them, in SQL form.
// created_at and updated_at are bound (the importer's clock, once per run) rather than left to the column default,
// which would evaluate strftime() twice per row on SQLite.
template<typename T> QStringList insertColumns()
{
    QStringList result;
    for (const auto &c : Storage::TableTraits<T>::columns()) {
        if (!(c.flags & Storage::GeneratedKey))
            result << c.name;
    }
    result << u"created_at"_s << u"updated_at"_s;
    return result;
}

// One record's values for insertColumns<T>() into the inserter, in SQL form.
template<typename T> Status insertRecord(Storage::BulkInserter &inserter, const T &record, const QVariant &stamp)
{
    for (const auto &c : Storage::TableTraits<T>::columns()) {
        if (!(c.flags & Storage::GeneratedKey))
            inserter.addValue(c.read(record));
    }
    inserter.addValue(stamp);
    inserter.addValue(stamp);
    return inserter.endRow();
}

// Statement sizes. On PostgreSQL (QSqlQuery) binding and parsing cost grows faster than linearly with the number of
// parameters of one statement, so moderate batches are faster than huge ones; on SQLite BulkInserter prepares once
// and binds natively, and wider statements measured no faster (the per-row cost is SQLite's b-tree inserts).
constexpr int kLookupBatch = 100;
int rowsPerStatement()
{
    static const int rows = qEnvironmentVariableIntValue("CS_IMPORT_ROWS_PER_STATEMENT");
    return rows > 0 ? rows : 16;
}

// ---- deferred indexes (SQLite) -----------------------------------------------------------------------------------

// A large import into a small table (a first load, a new portfolio) spends most of its time keeping the table's
// secondary indexes up to date one random b-tree insert at a time; building an index afterwards is one sort.
// So once an import has written at least as many rows as the table held before (and kMinRows), the table's plain
// indexes are dropped and, in restore(), created again from their own CREATE statements — all inside the import's
// transaction, so a rollback brings them back as they were. Only non-unique indexes made by CREATE INDEX are
// touched: UNIQUE ones (and the key's) keep checking every row as it goes in. Not on PostgreSQL, and not when the
// table has planner statistics (sqlite_stat1 rows would go with the index). Used where it measured faster
// (customers: 20 indexes; usage_events: 2), not for usage_daily, whose (day, feature) index sorts slower than it
// grows in the tally's day order.
class DeferredIndexes
{
public:
    static constexpr qint64 kMinRows = 4096;

    DeferredIndexes(const Storage::Database &db, QString table)
        : m_db(db)
        , m_table(std::move(table))
    {
        if (db.dialect() != Storage::Dialect::Sqlite) {
            m_threshold = -1;
            return;
        }
        // MAX(rowid): one b-tree descent, an upper bound of the rows stored.
        QSqlQuery q(db.connection());
        if (q.exec(u"SELECT COALESCE(MAX(rowid), 0) FROM \"%1\""_s.arg(m_table)) && q.next())
            m_threshold = std::max(kMinRows, q.value(0).toLongLong());
        else
            m_threshold = -1;
    }

    // Rows this import has written so far; drops the indexes when they reach the threshold.
    void rowsWritten(qint64 rows)
    {
        if (m_threshold >= 0 && rows >= m_threshold) {
            m_threshold = -1;
            drop();
        }
    }
    bool dropped() const { return !m_dropped.isEmpty(); }

    // Creates the dropped indexes again. Returns the error of a CREATE INDEX that failed.
    Status restore()
    {
        m_threshold = -1;
        QSqlQuery q(m_db.connection());
        while (!m_dropped.isEmpty()) {
            const QString sql = m_dropped.takeFirst();
            if (!q.exec(sql))
                return Storage::errorFromSql(q.lastError(), m_table);
        }
        return {};
    }

private:
    void drop()
    {
        QSqlQuery q(m_db.connection());
        if (q.exec(u"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"_s) && q.next()) {
            QSqlQuery stats(m_db.connection());
            stats.prepare(u"SELECT 1 FROM sqlite_stat1 WHERE tbl = ? LIMIT 1"_s);
            stats.addBindValue(m_table);
            if (!stats.exec() || stats.next())
                return;
        }
        q.prepare(u"SELECT m.name, m.sql FROM pragma_index_list(?) i JOIN sqlite_master m ON m.type = 'index' "
                  "AND m.name = i.name WHERE i.\"unique\" = 0 AND i.origin = 'c' AND m.sql IS NOT NULL "
                  "ORDER BY m.rowid"_s); // creation order, which the planner's ties follow
        q.addBindValue(m_table);
        if (!q.exec())
            return;
        QList<std::pair<QString, QString>> indexes;
        while (q.next())
            indexes.append({ q.value(0).toString(), q.value(1).toString() });
        q.finish();
        for (const auto &[name, sql] : std::as_const(indexes)) {
            QString quoted = name;
            quoted.replace(u'"', u"\"\""_s);
            // A failed DROP (a statement of this connection still reading the table) changes nothing: the rest
            // of the import just keeps the indexes up to date as it goes.
            if (!q.exec(u"DROP INDEX \"%1\""_s.arg(quoted)))
                return;
            m_dropped.append(sql);
        }
    }

    const Storage::Database &m_db;
    QString m_table;
    qint64 m_threshold = -1; // rows written that make the drop worth it; -1: never
    QStringList m_dropped; // CREATE INDEX statements, in the table's order
};

// ---- one run -----------------------------------------------------------------------------------------------------

// What every kind shares: the header, per-line errors, progress and cancellation, the row loop.
class Run
{
public:
    Run(const Storage::Database &db, const Clock &clock, CsvReader &reader, qint64 totalBytes,
        const ImportOptions &options)
        : db(db)
        , clock(clock)
        , reader(reader)
        , totalBytes(totalBytes)
        , options(options)
        , now(clock.now())
        , stamp(Storage::Convert::toSql(now))
    {
        report.kind = options.kind;
        report.mode = options.mode;
    }

    const Storage::Database &db;
    const Clock &clock;
    CsvReader &reader;
    qint64 totalBytes;
    const ImportOptions &options;
    const QDateTime now;
    const QVariant stamp; // created_at / updated_at of every inserted row (now)
    ImportReport report;
    QStringList header; // as written in the file
    QStringList targets; // the field each column maps to ("" = none)
    QList<int> fieldOf; // index into the kind's field list; -1 = custom field, -2 = ignored
    QHash<QString, int> columnOfField;
    bool rowFailed = false;

    void addError(qint64 line, int column, const QString &message)
    {
        ++report.errorCount;
        rowFailed = true;
        if (report.errors.size() >= ImportReport::kMaxErrors)
            return;
        ImportLineError e { line, {}, 0, message };
        if (column >= 0 && column < header.size()) {
            e.column = header.at(column);
            e.columnNumber = column + 1;
        }
        report.errors << e;
    }

    // A record-level Error (validate(), a key check) on the column that holds its field, when the file has it.
    void addFieldError(const CsvRow &row, const Error &error)
    {
        const int column = columnOfField.value(error.field, -1);
        if (column >= 0) {
            addError(row.fieldLines.value(column, row.line), column, error.message);
            return;
        }
        ++report.errorCount;
        rowFailed = true;
        if (report.errors.size() < ImportReport::kMaxErrors)
            report.errors << ImportLineError { row.line, error.field, 0, error.message };
    }

    // Reads the header and maps each column. Fatal problems (no header, a required column missing, a mapping
    // that names no column) are Errors: the file cannot be imported at all.
    template<typename T> Status readHeader(const QList<Field<T>> &fields, bool customFieldsAllowed)
    {
        CsvRow row;
        if (!reader.next(row)) {
            if (reader.error())
                return Error::invalid(u"csv"_s, reader.error()->toString());
            return Error::invalid(u"csv"_s, u"is empty: the first line must name the columns"_s);
        }
        QHash<QString, int> known;
        for (int i = 0; i < fields.size(); ++i)
            known.insert(fields.at(i).name, i);
        for (auto it = options.mapping.cbegin(); it != options.mapping.cend(); ++it) {
            if (!row.fields.contains(it.key()) && !row.fields.contains(it.key().trimmed()))
                return Error::invalid(u"mapping."_s + it.key(), u"the file has no column with this name"_s);
            if (!known.contains(it.value()) && !customFieldsAllowed)
                return Error::invalid(u"mapping."_s + it.key(),
                    u"'%1' is not a field of %2 (fields: %3)"_s.arg(
                        it.value(), Domain::enumName(options.kind), names(fields, false).join(u", "_s)));
        }
        for (int c = 0; c < row.fields.size(); ++c) {
            const QString name = row.fields.at(c).trimmed();
            header << name;
            QString target = options.mapping.value(row.fields.at(c), options.mapping.value(name, name));
            // Headers as people write them ("Lifecycle Stage") find their field too.
            if (!known.contains(target)) {
                QString normalised = target.toLower();
                normalised.replace(u' ', u'_').replace(u'-', u'_');
                if (known.contains(normalised))
                    target = normalised;
            }
            if (name.isEmpty() && !options.mapping.contains(row.fields.at(c))) {
                targets << QString();
                fieldOf << -2;
                report.ignoredColumns << u"(column %1, no name)"_s.arg(c + 1);
                continue;
            }
            if (columnOfField.contains(target))
                return Error::invalid(u"csv"_s,
                    u"line %1: columns %2 and %3 both map to '%4'"_s.arg(row.line)
                        .arg(columnOfField.value(target) + 1)
                        .arg(c + 1)
                        .arg(target));
            if (known.contains(target)) {
                fieldOf << known.value(target);
                targets << target;
                columnOfField.insert(target, c);
            } else if (customFieldsAllowed) {
                if (target.size() > 64)
                    return Error::invalid(u"csv"_s,
                        u"line %1, column %2: a custom field name is at most 64 characters"_s.arg(row.line).arg(c + 1));
                fieldOf << -1;
                targets << target;
                columnOfField.insert(target, c);
            } else {
                fieldOf << -2;
                targets << QString();
                report.ignoredColumns << name;
            }
        }
        for (const Field<T> &f : fields) {
            if (f.required && !columnOfField.contains(f.name))
                return Error::invalid(u"csv"_s,
                    u"line %1: no column '%2', which %3 need (columns: %4)"_s.arg(row.line).arg(
                        f.name, Domain::enumName(options.kind), header.join(u", "_s)));
        }
        for (int c = 0; c < header.size(); ++c) {
            report.columns << (fieldOf.at(c) == -2 ? u"(ignored)"_s
                    : fieldOf.at(c) == -1          ? u"custom."_s + targets.at(c)
                                                   : targets.at(c));
        }
        return {};
    }

    // The next data record, or false at the end; fatal CSV problems are returned through `status`.
    bool nextRow(CsvRow &row, Status &status)
    {
        rowFailed = false;
        if (!reader.next(row)) {
            if (reader.error())
                status = Error::invalid(u"csv"_s, reader.error()->toString());
            return false;
        }
        ++report.read;
        if (report.read % options.progressEvery == 0) {
            if (options.isCancelled && options.isCancelled()) {
                status = Error { ErrorCode::Cancelled, {}, u"the import was cancelled; nothing was written"_s };
                return false;
            }
            if (options.progress)
                options.progress(reader.bytesRead(), totalBytes, u"%1 rows read"_s.arg(report.read));
        }
        if (row.ragged)
            addError(row.line, -1, u"has %1 fields, the header has %2"_s.arg(row.fields.size()).arg(header.size()));
        return true;
    }

    // Sets the record's fields from the row's non-empty cells; empty required cells are errors.
    template<typename T> void apply(const CsvRow &row, const QList<Field<T>> &fields, T &record)
    {
        for (int c = 0; c < fieldOf.size() && c < row.fields.size(); ++c) {
            const int f = fieldOf.at(c);
            if (f < 0)
                continue;
            const QString value = row.fields.at(c).trimmed();
            if (value.isEmpty()) {
                if (fields.at(f).required)
                    addError(row.fieldLines.at(c), c, u"is required"_s);
                continue;
            }
            const QString why = fields.at(f).set(value, record);
            if (!why.isEmpty())
                addError(row.fieldLines.at(c), c, why);
        }
    }

    QString cell(const CsvRow &row, const QString &field) const
    {
        const int c = columnOfField.value(field, -1);
        return c >= 0 && c < row.fields.size() ? row.fields.at(c).trimmed() : QString();
    }

    Result<QSet<QString>> liveCustomerIds() const
    {
        auto rows = Storage::exec(db, u"SELECT id FROM customers WHERE deleted_at IS NULL"_s);
        if (!rows)
            return rows.error();
        QSet<QString> ids;
        while (rows->next())
            ids.insert(rows->value(0).toString());
        return ids;
    }

    bool finishRow()
    {
        if (rowFailed)
            ++report.skipped;
        return !rowFailed;
    }
};

// ---- customers ----------------------------------------------------------------------------------------------------

// What CustomerService::create() records beside each new customer, written in bulk: the open renewal of an active
// or trial customer's renewal date, then the timeline events (registered, renewal created). The customers are new,
// so no renewal of theirs exists yet.
Status recordNewCustomers(Run &run, const QList<Domain::Customer> &created)
{
    QHash<QString, Domain::Renewal> renewals; // customer id → its opening renewal
    {
        Storage::BulkInserter inserter(run.db, u"renewals"_s, insertColumns<Domain::Renewal>(), rowsPerStatement());
        for (const Domain::Customer &c : created) {
            if (auto renewal = CustomerService::openingRenewal(c)) {
                renewal->meta.createdAt = run.now;
                renewal->meta.updatedAt = run.now;
                renewal->meta.version = 1;
                if (auto ok = insertRecord(inserter, *renewal, run.stamp); !ok)
                    return ok;
                renewals.insert(c.id, *renewal);
            }
        }
        if (auto ok = inserter.flush(); !ok)
            return ok;
    }
    // Their ids, for the events' source.
    const QStringList ids = renewals.keys();
    for (qsizetype start = 0; start < ids.size(); start += kLookupBatch) {
        const QStringList batch = ids.mid(start, kLookupBatch);
        auto found = Storage::exec(run.db,
            u"SELECT customer_id, id FROM renewals WHERE deleted_at IS NULL AND customer_id IN (%1)"_s.arg(
                Storage::Detail::placeholders(int(batch.size()))),
            QVariantList(batch.cbegin(), batch.cend()));
        if (!found)
            return found.error();
        while (found->next())
            renewals[found->value(0).toString()].id = found->value(1).toLongLong();
    }
    Storage::BulkInserter events(
        run.db, u"timeline_events"_s, insertColumns<Domain::TimelineEvent>(), rowsPerStatement());
    DeferredIndexes indexes(run.db, u"timeline_events"_s);
    qint64 written = 0;
    const auto write = [&](const Domain::TimelineEvent &e) -> Status {
        if (auto valid = e.validate(); !valid)
            return valid;
        if (auto ok = insertRecord(events, e, run.stamp); !ok)
            return ok;
        indexes.rowsWritten(++written);
        return {};
    };
    for (const Domain::Customer &c : created) {
        if (auto ok = write(CustomerService::registeredEvent(c)); !ok)
            return ok;
        if (const auto renewal = renewals.constFind(c.id); renewal != renewals.cend()) {
            if (auto ok = write(CustomerService::renewalCreatedEvent(c, *renewal)); !ok)
                return ok;
        }
    }
    if (auto ok = events.flush(); !ok)
        return ok;
    return indexes.restore();
}

Status importCustomers(Run &run)
{
    const auto &fields = customerFields();
    if (auto ok = run.readHeader(fields, true); !ok)
        return ok;

    // Pass 1: read every record (custom field types depend on all of a column's values).
    QList<CsvRow> rows;
    CsvRow row;
    Status status;
    while (run.nextRow(row, status)) {
        if (run.rowFailed)
            ++run.report.skipped;
        else
            rows << row;
    }
    if (!status)
        return status;

    // Custom fields: numeric when every non-empty value parses as a number.
    QHash<int, bool> numeric;
    for (int c = 0; c < run.fieldOf.size(); ++c) {
        if (run.fieldOf.at(c) != -1)
            continue;
        bool allNumbers = true;
        for (const CsvRow &r : std::as_const(rows)) {
            const QString value = r.fields.at(c).trimmed();
            if (!value.isEmpty() && !parseNumber(value)) {
                allNumbers = false;
                break;
            }
        }
        numeric.insert(c, allNumbers);
        run.report.customFields << ImportedCustomField { run.targets.at(c),
            allNumbers ? u"numeric"_s : u"categorical"_s, false };
    }

    // The stored customers with the file's ids (deleted ones too: their id is taken).
    QHash<QString, Domain::Customer> existing;
    {
        QStringList ids;
        const int idColumn = run.columnOfField.value(u"id"_s);
        for (const CsvRow &r : std::as_const(rows))
            ids << r.fields.at(idColumn).trimmed();
        for (qsizetype start = 0; start < ids.size(); start += kLookupBatch) {
            const QStringList batch = ids.mid(start, kLookupBatch);
            auto found = Storage::exec(run.db,
                u"SELECT %1 FROM customers WHERE id IN (%2)"_s.arg(
                    Storage::CustomerRepository::selectList(), Storage::Detail::placeholders(int(batch.size()))),
                QVariantList(batch.cbegin(), batch.cend()));
            if (!found)
                return found.error();
            const QSqlRecord rec = found->record();
            while (found->next()) {
                Domain::Customer c = Storage::CustomerRepository::fromRow(*found, rec);
                existing.insert(c.id, c);
            }
        }
    }

    Storage::BulkInserter inserter(run.db, u"customers"_s, insertColumns<Domain::Customer>(), rowsPerStatement());
    DeferredIndexes indexes(run.db, u"customers"_s);
    Storage::CustomerRepository repository(run.db);
    QHash<QString, qint64> seen; // id → line
    qint64 written = 0;
    // For the timeline and the renewal pipeline, as CustomerService records them (after the loop).
    QList<Domain::Customer> created;
    QList<std::pair<Domain::Customer, Domain::Customer>> changed;
    for (const CsvRow &r : std::as_const(rows)) {
        run.rowFailed = false;
        const QString id = r.fields.at(run.columnOfField.value(u"id"_s)).trimmed();
        if (seen.contains(id)) {
            run.addError(r.line, run.columnOfField.value(u"id"_s),
                u"'%1' appears again (first on line %2)"_s.arg(id).arg(seen.value(id)));
            run.finishRow();
            continue;
        }
        seen.insert(id, r.line);
        const auto stored = existing.constFind(id);
        const bool update = stored != existing.cend();
        if (update && run.options.mode == ImportMode::Insert) {
            run.addError(r.line, run.columnOfField.value(u"id"_s),
                stored->meta.isDeleted() ? u"a deleted customer has the id '%1'"_s.arg(id)
                                         : u"customer '%1' already exists (mode upsert updates it)"_s.arg(id));
            run.finishRow();
            continue;
        }
        if (update && stored->meta.isDeleted()) {
            run.addError(r.line, run.columnOfField.value(u"id"_s),
                u"a deleted customer has the id '%1'; restore it first"_s.arg(id));
            run.finishRow();
            continue;
        }
        Domain::Customer customer = update ? *stored : Domain::Customer {};
        run.apply(r, fields, customer);
        for (auto it = numeric.cbegin(); it != numeric.cend(); ++it) {
            const QString value = r.fields.at(it.key()).trimmed();
            const QString &key = run.targets.at(it.key());
            if (value.isEmpty())
                customer.customFields.remove(key);
            else
                customer.customFields.insert(key, it.value() ? QVariant(*parseNumber(value)) : QVariant(value));
        }
        if (!run.rowFailed) {
            if (auto valid = customer.validate(); !valid)
                run.addFieldError(r, valid.error());
        }
        if (!run.finishRow())
            continue;
        if (update) {
            auto updated = repository.update(customer);
            if (!updated) {
                if (updated.error().code != ErrorCode::InvalidArgument)
                    return updated.error();
                run.addFieldError(r, updated.error());
                run.finishRow();
                continue;
            }
            ++run.report.updated;
            changed.append({ *stored, *updated });
        } else {
            if (auto ok = insertRecord(inserter, customer, run.stamp); !ok)
                return ok;
            indexes.rowsWritten(++run.report.inserted);
            customer.meta.createdAt = run.now;
            customer.meta.updatedAt = run.now;
            customer.meta.version = 1;
            created.append(customer);
        }
        if (++written % run.options.progressEvery == 0) {
            if (run.options.isCancelled && run.options.isCancelled())
                return Error { ErrorCode::Cancelled, {}, u"the import was cancelled; nothing was written"_s };
            if (run.options.progress)
                run.options.progress(written, rows.size(), u"%1 customers written"_s.arg(written));
        }
    }
    if (auto ok = inserter.flush(); !ok)
        return ok;
    if (auto ok = indexes.restore(); !ok)
        return ok;
    if (auto ok = recordNewCustomers(run, created); !ok)
        return ok;
    if (auto ok = CustomerService::recordUpdated(run.db, changed); !ok)
        return ok;

    // The custom field catalogue the churn model reads.
    for (ImportedCustomField &field : run.report.customFields) {
        auto found = Storage::exec(run.db,
            u"SELECT COUNT(*) FROM custom_field_definitions WHERE key = ? AND "
            u"deleted_at IS NULL"_s,
            { field.key });
        if (!found)
            return found.error();
        if (found->next() && found->value(0).toLongLong() > 0)
            continue;
        Domain::CustomFieldDefinition definition;
        definition.key = field.key;
        definition.label = field.key;
        definition.dataType
            = field.dataType == u"numeric"_s ? Domain::CustomFieldType::Numeric : Domain::CustomFieldType::Categorical;
        definition.description = u"created by a CSV import"_s;
        auto created = Storage::Repository<Domain::CustomFieldDefinition>(run.db).create(definition);
        if (!created)
            return created.error();
        field.created = true;
    }
    return {};
}

// ---- contacts -----------------------------------------------------------------------------------------------------

QString contactKey(const QString &customerId, const QString &email)
{
    return customerId + u'\x1f' + email.toLower();
}

Status importContacts(Run &run)
{
    const auto &fields = contactFields();
    if (auto ok = run.readHeader(fields, false); !ok)
        return ok;
    auto customers = run.liveCustomerIds();
    if (!customers)
        return customers.error();
    QHash<QString, qint64> byEmail; // stored live contacts
    QSet<QString> withPrimary;
    {
        auto rows = Storage::exec(
            run.db, u"SELECT id, customer_id, email, is_primary FROM contacts WHERE deleted_at IS NULL"_s);
        if (!rows)
            return rows.error();
        while (rows->next()) {
            if (!rows->value(2).isNull())
                byEmail.insert(
                    contactKey(rows->value(1).toString(), rows->value(2).toString()), rows->value(0).toLongLong());
            bool primary = false;
            Storage::Convert::fromSql(rows->value(3), primary);
            if (primary)
                withPrimary.insert(rows->value(1).toString());
        }
    }
    Storage::ContactRepository repository(run.db);
    Storage::BulkInserter inserter(run.db, u"contacts"_s, insertColumns<Domain::Contact>(), rowsPerStatement());
    QHash<QString, qint64> seen; // key → line
    CsvRow row;
    Status status;
    while (run.nextRow(row, status)) {
        if (run.rowFailed) {
            run.finishRow();
            continue;
        }
        Domain::Contact contact;
        run.apply(row, fields, contact);
        if (!run.rowFailed && !customers->contains(contact.customerId))
            run.addError(row.fieldLines.at(run.columnOfField.value(u"customer_id"_s)),
                run.columnOfField.value(u"customer_id"_s), u"no customer with id '%1'"_s.arg(contact.customerId));
        std::optional<qint64> storedId;
        if (!run.rowFailed && !contact.email.isEmpty()) {
            const QString key = contactKey(contact.customerId, contact.email);
            const int column = run.columnOfField.value(u"email"_s);
            if (seen.contains(key)) {
                run.addError(row.fieldLines.at(column), column,
                    u"'%1' appears again for this customer (first on line %2)"_s.arg(contact.email)
                        .arg(seen.value(key)));
            } else {
                seen.insert(key, row.line);
                if (byEmail.contains(key)) {
                    if (run.options.mode == ImportMode::Insert)
                        run.addError(row.fieldLines.at(column), column,
                            u"customer '%1' already has a contact '%2' (mode upsert updates it)"_s.arg(
                                contact.customerId, contact.email));
                    else
                        storedId = byEmail.value(key);
                }
            }
        }
        if (storedId) {
            auto stored = repository.get(*storedId);
            if (!stored)
                return stored.error();
            contact = *stored;
            run.apply(row, fields, contact);
        }
        if (!run.rowFailed && contact.isPrimary && withPrimary.contains(contact.customerId)) {
            const bool samePrimary = storedId && repository.get(*storedId).value().isPrimary;
            if (!samePrimary)
                run.addError(row.fieldLines.at(run.columnOfField.value(u"is_primary"_s)),
                    run.columnOfField.value(u"is_primary"_s),
                    u"customer '%1' already has a primary contact"_s.arg(contact.customerId));
        }
        if (!run.rowFailed) {
            if (auto valid = contact.validate(); !valid)
                run.addFieldError(row, valid.error());
        }
        if (!run.finishRow())
            continue;
        if (contact.isPrimary)
            withPrimary.insert(contact.customerId);
        if (storedId) {
            auto updated = repository.update(contact);
            if (!updated)
                return updated.error();
            ++run.report.updated;
        } else {
            if (auto ok = insertRecord(inserter, contact, run.stamp); !ok)
                return ok;
            ++run.report.inserted;
        }
    }
    if (!status)
        return status;
    return inserter.flush();
}

// ---- usage events -------------------------------------------------------------------------------------------------

// The usage_events columns importUsage() binds, in its order (the table's own columns of Domain::UsageEvent).
const QStringList &usageColumns()
{
    static const QStringList columns { u"customer_id"_s, u"occurred_at"_s, u"event_type"_s, u"feature"_s, u"user_ref"_s,
        u"quantity"_s, u"created_at"_s, u"updated_at"_s };
    return columns;
}

// Text as Convert::toSql(QString) stores it: empty is NULL.
void addText(Storage::BulkInserter &inserter, const QString &text)
{
    if (text.isEmpty())
        inserter.addNull();
    else
        inserter.add(QStringView(text));
}

// The typed form of insertRecord() for the big kind: no QVariant per value.
Status insertUsage(Storage::BulkInserter &inserter, const Domain::UsageEvent &event, const QVariant &stamp)
{
    addText(inserter, event.customerId);
    inserter.add(event.occurredAt);
    addText(inserter, event.eventType);
    addText(inserter, event.feature);
    addText(inserter, event.userRef);
    inserter.add(event.quantity);
    inserter.addValue(stamp);
    inserter.addValue(stamp);
    return inserter.endRow();
}

constexpr qint64 kMsPerDay = 86'400'000;
constexpr qint64 kJulianDayOfEpoch = 2440588; // 1970-01-01
constexpr qint64 kJulianDayOfYear1 = 1721426; // 0001-01-01: years 1..9999 are stored as yyyy-MM-dd...
constexpr qint64 kJulianDayAfterYear9999 = 5373485; // 10000-01-01

// The usage_daily columns both refresh paths write.
const QStringList &dailyColumns()
{
    static const QStringList columns { u"customer_id"_s, u"day"_s, u"feature"_s, u"events"_s, u"active_users"_s,
        u"quantity"_s, u"created_at"_s, u"updated_at"_s };
    return columns;
}

// The daily aggregates of HealthService::rebuildDailyUsage(): per feature, and the all-features row (feature '')
// that health and the usage views read; events without a feature count only in the all-features row;
// active_users = distinct user_ref of the day.
QString dailyUpsert()
{
    return u"ON CONFLICT (customer_id, day, feature) DO UPDATE SET events = excluded.events, "
           "active_users = excluded.active_users, quantity = excluded.quantity, "
           "updated_at = excluded.updated_at"_s;
}

// Brings usage_daily up to date for the (customer, day) pairs that received events with an id above `lastIdBefore`
// (this import's), from all their events, in one set-based statement; the rest of the table is left alone.
// Returns the rows inserted or updated.
Result<qint64> refreshDailyUsage(const Storage::Database &db, qint64 lastIdBefore, const QVariant &stamp)
{
    const bool sqlite = db.dialect() == Storage::Dialect::Sqlite;
    const QString day
        = sqlite ? u"substr(n.occurred_at, 1, 10)"_s : u"CAST((n.occurred_at AT TIME ZONE 'UTC') AS DATE)"_s;
    // Timestamps are stored as UTC text in SQLite (Storage::Convert) and compare as text; timestamptz in PostgreSQL.
    const QString inDay = sqlite
        ? u"e.occurred_at >= t.day || 'T00:00:00.000Z' AND e.occurred_at < date(t.day, '+1 day') || 'T00:00:00.000Z'"_s
        : u"e.occurred_at >= (CAST(t.day AS timestamp) AT TIME ZONE 'UTC') "
          "AND e.occurred_at < (CAST(t.day + 1 AS timestamp) AT TIME ZONE 'UTC')"_s;
    const QString stampParameter = sqlite ? u"?"_s : u"CAST(? AS TIMESTAMPTZ)"_s;
    // "WHERE true" before ON CONFLICT: SQLite would otherwise read ON as a join constraint (sqlite.org/lang_upsert).
    const QString sql
        = u"WITH touched AS (SELECT DISTINCT n.customer_id, %1 AS day FROM usage_events n WHERE n.id > ?), "
          "ev AS (SELECT t.customer_id, t.day, e.feature, e.user_ref, e.quantity FROM touched t "
          "JOIN usage_events e ON e.customer_id = t.customer_id AND %2) "
          "INSERT INTO usage_daily (%3) "
          "SELECT customer_id, day, feature, events, active_users, quantity, %4, %4 FROM ("
          "SELECT customer_id, day, feature, COUNT(*) AS events, COUNT(DISTINCT user_ref) AS active_users, "
          "SUM(quantity) AS quantity FROM ev WHERE feature IS NOT NULL AND feature <> '' "
          "GROUP BY customer_id, day, feature "
          "UNION ALL "
          "SELECT customer_id, day, '', COUNT(*), COUNT(DISTINCT user_ref), SUM(quantity) FROM ev "
          "GROUP BY customer_id, day) agg WHERE true "_s.arg(day, inDay, dailyColumns().join(u", "_s), stampParameter)
        + dailyUpsert();
    auto done = Storage::exec(db, sql, { lastIdBefore, stamp, stamp });
    if (!done)
        return done.error();
    return qint64(done->numRowsAffected());
}

// The same aggregates counted from the imported events as they stream by. They are the whole truth for a
// (customer, day) only when no event of that day was stored before the import, which importUsage() checks before
// writing them; then the refresh costs one sorted upsert and no second pass over usage_events.
class DailyUsageTally
{
public:
    void add(const Domain::UsageEvent &event)
    {
        const qint64 ms = event.occurredAt.toMSecsSinceEpoch();
        const qint64 day = ms / kMsPerDay - (ms % kMsPerDay < 0 ? 1 : 0) + kJulianDayOfEpoch;
        if (day < kJulianDayOfYear1 || day >= kJulianDayAfterYear9999) {
            m_complete = false; // stored as +10000-... or -0001-...: leave those to SQL's substr()
            return;
        }
        m_first = std::min(m_first, day);
        m_last = std::max(m_last, day);
        // Strings become small numbers once, so the per-event work is two lookups of integer keys.
        const int customer = intern(m_customerIds, m_customers, event.customerId);
        const int user = event.userRef.isEmpty() ? -1 // NULL in the table: COUNT(DISTINCT) skips it
                                                 : intern(m_userIds, m_users, event.userRef);
        if (!event.feature.isEmpty())
            count(Key { qint32(day), customer, 1 + intern(m_featureIds, m_features, event.feature) }, event.quantity,
                user);
        count(Key { qint32(day), customer, 0 }, event.quantity, user);
    }

    bool complete() const { return m_complete; }
    bool isEmpty() const { return m_tallies.empty(); }
    QDate first() const { return QDate::fromJulianDay(m_first); }
    QDate last() const { return QDate::fromJulianDay(m_last); }

    // Upserts the rows in (day, customer, feature) order. Returns the rows written.
    Result<qint64> write(const Storage::Database &db, const QVariant &stamp, int rowsPerStatement)
    {
        // active_users: the distinct (tally, user) pairs.
        std::sort(m_userOf.begin(), m_userOf.end());
        m_userOf.erase(std::unique(m_userOf.begin(), m_userOf.end()), m_userOf.end());
        for (const quint64 pair : m_userOf)
            ++m_tallies[std::size_t(pair >> 32)].users;
        m_userOf = {};
        // Text order of the ids, as a number per id, so the sort below compares integers only.
        const std::vector<int> customerRank = ranks(m_customers);
        std::vector<int> featureRank = ranks(m_features);
        featureRank.insert(featureRank.begin(), -1); // feature 0, the all-features row '', sorts first
        std::vector<std::size_t> order(m_tallies.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        // Day first: two of usage_daily's three indexes ((day, feature) and the all-features (day, customer_id, ...))
        // then grow at their ends; measured ~10 % faster than customer first. (Dropping those two and building them
        // afterwards, as DeferredIndexes does, measured slower here: sorting 280k (day, feature) keys cost more.)
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            const Key &x = m_tallies[a].key;
            const Key &y = m_tallies[b].key;
            if (x.day != y.day)
                return x.day < y.day;
            if (x.customer != y.customer)
                return customerRank[std::size_t(x.customer)] < customerRank[std::size_t(y.customer)];
            return featureRank[std::size_t(x.feature)] < featureRank[std::size_t(y.feature)];
        });
        Storage::BulkInserter inserter(db, u"usage_daily"_s, dailyColumns(), rowsPerStatement, dailyUpsert());
        for (const std::size_t i : order) {
            const Tally &t = m_tallies[i];
            inserter.add(QStringView(m_customers[std::size_t(t.key.customer)]));
            inserter.add(QDate::fromJulianDay(t.key.day));
            // '' for the all-features row, never NULL
            inserter.add(
                t.key.feature == 0 ? QStringView(u"") : QStringView(m_features[std::size_t(t.key.feature - 1)]));
            inserter.add(t.events);
            inserter.add(t.users);
            inserter.add(t.quantity);
            inserter.addValue(stamp);
            inserter.addValue(stamp);
            if (auto ok = inserter.endRow(); !ok)
                return ok.error();
        }
        if (auto ok = inserter.flush(); !ok)
            return ok.error();
        return inserter.rowsWritten();
    }

private:
    struct Key
    {
        qint32 day = 0; // Julian day
        qint32 customer = 0; // index into m_customers
        qint32 feature = 0; // 0: all features, else 1 + index into m_features
        bool operator==(const Key &other) const
        {
            return day == other.day && customer == other.customer && feature == other.feature;
        }
        friend size_t qHash(const Key &key, size_t seed = 0)
        {
            return qHashMulti(seed, key.day, key.customer, key.feature);
        }
    };
    struct Tally
    {
        Key key;
        qint64 events = 0;
        qint64 users = 0;
        double quantity = 0; // summed in file order, as SUM() adds the rows of a fresh import
    };

    static int intern(QHash<QString, int> &ids, std::vector<QString> &strings, const QString &text)
    {
        auto it = ids.constFind(text);
        if (it == ids.cend()) {
            it = ids.insert(text, int(strings.size()));
            strings.push_back(text);
        }
        return *it;
    }

    // rank[i] = position of strings[i] in QString::compare order (the order of the old string keys).
    static std::vector<int> ranks(const std::vector<QString> &strings)
    {
        std::vector<int> byText(strings.size());
        for (std::size_t i = 0; i < byText.size(); ++i)
            byText[i] = int(i);
        std::sort(byText.begin(), byText.end(), [&strings](int a, int b) {
            return QString::compare(strings[std::size_t(a)], strings[std::size_t(b)]) < 0;
        });
        std::vector<int> rank(strings.size());
        for (std::size_t r = 0; r < byText.size(); ++r)
            rank[std::size_t(byText[r])] = int(r);
        return rank;
    }

    void count(const Key &key, double quantity, int user)
    {
        auto it = m_index.constFind(key);
        if (it == m_index.cend()) {
            it = m_index.insert(key, quint32(m_tallies.size()));
            m_tallies.push_back(Tally { key, 0, 0, 0 });
        }
        const quint32 i = *it;
        Tally &t = m_tallies[i];
        ++t.events;
        t.quantity += quantity;
        if (user >= 0)
            m_userOf.push_back(quint64(i) << 32 | quint32(user));
    }

    QHash<Key, quint32> m_index; // into m_tallies
    std::vector<Tally> m_tallies;
    QHash<QString, int> m_customerIds;
    std::vector<QString> m_customers;
    QHash<QString, int> m_featureIds;
    std::vector<QString> m_features;
    QHash<QString, int> m_userIds;
    std::vector<QString> m_users;
    std::vector<quint64> m_userOf; // tally << 32 | user: sorted and made unique to count users
    qint64 m_first = std::numeric_limits<qint64>::max();
    qint64 m_last = std::numeric_limits<qint64>::min();
    bool m_complete = true;
};

// Whether usage_events held any event on the days [first, last] before this import (ids up to `lastIdBefore`).
Result<bool> earlierEventsOnDays(const Storage::Database &db, QDate first, QDate last, qint64 lastIdBefore)
{
    if (lastIdBefore <= 0)
        return false;
    const auto dayStart = [](QDate day) -> QString { return day.toString(Qt::ISODate) + u"T00:00:00.000Z"_s; };
    auto q = Storage::exec(db,
        u"SELECT 1 FROM usage_events WHERE occurred_at >= ? AND occurred_at < ? AND id <= ? LIMIT 1"_s,
        { dayStart(first), dayStart(last.addDays(1)), lastIdBefore });
    if (!q)
        return q.error();
    return q->next();
}

Status importUsage(Run &run)
{
    if (run.options.mode == ImportMode::Upsert)
        return Error::invalid(u"mode"_s, u"usage events are append-only: use insert"_s);
    const auto &fields = usageFields();
    if (auto ok = run.readHeader(fields, false); !ok)
        return ok;
    auto customers = run.liveCustomerIds();
    if (!customers)
        return customers.error();
    // The events this import adds get ids above this one (SQLite rowids and PostgreSQL identities only grow).
    qint64 lastIdBefore = 0;
    {
        auto q = Storage::exec(run.db, u"SELECT COALESCE(MAX(id), 0) FROM usage_events"_s);
        if (!q)
            return q.error();
        if (q->next())
            lastIdBefore = q->value(0).toLongLong();
    }
    Storage::BulkInserter inserter(run.db, u"usage_events"_s, usageColumns(), rowsPerStatement());
    DeferredIndexes indexes(run.db, u"usage_events"_s);
    DailyUsageTally tally;
    CsvRow row;
    Status status;
    const int customerColumn = run.columnOfField.value(u"customer_id"_s);
    while (run.nextRow(row, status)) {
        if (run.rowFailed) {
            run.finishRow();
            continue;
        }
        Domain::UsageEvent event;
        run.apply(row, fields, event);
        if (!run.rowFailed && !customers->contains(event.customerId))
            run.addError(
                row.fieldLines.at(customerColumn), customerColumn, u"no customer with id '%1'"_s.arg(event.customerId));
        if (!run.rowFailed) {
            if (auto valid = event.validate(); !valid)
                run.addFieldError(row, valid.error());
        }
        if (!run.finishRow())
            continue;
        if (auto ok = insertUsage(inserter, event, run.stamp); !ok)
            return ok;
        tally.add(event);
        indexes.rowsWritten(++run.report.inserted);
    }
    if (!status)
        return status;
    if (auto ok = inserter.flush(); !ok)
        return ok;
    // Before anything below reads usage_events by customer or time.
    if (auto ok = indexes.restore(); !ok)
        return ok;
    // The daily aggregates the health score, segments and monitors read, for the (customer, day) pairs the file
    // touched. Not when the import is going to be rolled back anyway (errors without skipInvalid).
    if (run.report.inserted > 0 && (run.report.errorCount == 0 || run.options.skipInvalid)) {
        QElapsedTimer dailyTimer;
        dailyTimer.start();
        bool fromTally = tally.complete() && !tally.isEmpty();
        if (fromTally) {
            auto earlier = earlierEventsOnDays(run.db, tally.first(), tally.last(), lastIdBefore);
            if (!earlier)
                return earlier.error();
            fromTally = !*earlier;
        }
        auto refreshed = fromTally ? tally.write(run.db, run.stamp, rowsPerStatement())
                                   : refreshDailyUsage(run.db, lastIdBefore, run.stamp);
        if (!refreshed)
            return refreshed.error();
        run.report.dailyUsageRowsRebuilt = *refreshed;
        run.report.dailyUsageSeconds = double(dailyTimer.nsecsElapsed()) / 1e9;
    }
    return {};
}

// ---- tickets ------------------------------------------------------------------------------------------------------

Status importTickets(Run &run)
{
    const auto &fields = ticketFields();
    if (auto ok = run.readHeader(fields, false); !ok)
        return ok;
    auto customers = run.liveCustomerIds();
    if (!customers)
        return customers.error();
    QHash<QString, qint64> byExternalId;
    {
        auto rows
            = Storage::exec(run.db, u"SELECT id, external_id FROM support_tickets WHERE external_id IS NOT NULL"_s);
        if (!rows)
            return rows.error();
        while (rows->next())
            byExternalId.insert(rows->value(1).toString(), rows->value(0).toLongLong());
    }
    // The rows inserted below get ids from here on (SQLite: max(rowid) + 1; PostgreSQL: the identity, which the
    // demo generator and every writer keep past the ids in use).
    qint64 firstNewId = 1;
    {
        auto last = Storage::exec(run.db, u"SELECT COALESCE(MAX(id), 0) FROM support_tickets"_s);
        if (!last)
            return last.error();
        if (last->next())
            firstNewId = last->value(0).toLongLong() + 1;
    }
    QList<ImportedTicketUpdate> updatedBefore; // as they were, for their SLA clocks
    Storage::SupportTicketRepository repository(run.db);
    Storage::BulkInserter inserter(
        run.db, u"support_tickets"_s, insertColumns<Domain::SupportTicket>(), rowsPerStatement());
    const QDateTime now = run.clock.now();
    QHash<QString, qint64> seen;
    CsvRow row;
    Status status;
    const int customerColumn = run.columnOfField.value(u"customer_id"_s);
    const int externalColumn = run.columnOfField.value(u"external_id"_s, -1);
    while (run.nextRow(row, status)) {
        if (run.rowFailed) {
            run.finishRow();
            continue;
        }
        Domain::SupportTicket ticket;
        ticket.openedAt = now;
        run.apply(row, fields, ticket);
        if (!run.rowFailed && !customers->contains(ticket.customerId))
            run.addError(row.fieldLines.at(customerColumn), customerColumn,
                u"no customer with id '%1'"_s.arg(ticket.customerId));
        std::optional<qint64> storedId;
        ImportedTicketUpdate before;
        if (!run.rowFailed && !ticket.externalId.isEmpty()) {
            if (seen.contains(ticket.externalId)) {
                run.addError(row.fieldLines.at(externalColumn), externalColumn,
                    u"'%1' appears again (first on line %2)"_s.arg(ticket.externalId)
                        .arg(seen.value(ticket.externalId)));
            } else {
                seen.insert(ticket.externalId, row.line);
                if (byExternalId.contains(ticket.externalId)) {
                    if (run.options.mode == ImportMode::Insert)
                        run.addError(row.fieldLines.at(externalColumn), externalColumn,
                            u"a ticket with external id '%1' already exists (mode upsert updates it)"_s.arg(
                                ticket.externalId));
                    else
                        storedId = byExternalId.value(ticket.externalId);
                }
            }
        }
        if (storedId) {
            auto stored = repository.get(*storedId, true);
            if (!stored)
                return stored.error();
            if (stored->customerId != ticket.customerId) {
                run.addError(row.fieldLines.at(customerColumn), customerColumn,
                    u"ticket '%1' belongs to customer '%2'"_s.arg(ticket.externalId, stored->customerId));
            } else {
                ticket = *stored;
                before = { stored->id, stored->priority, stored->status, stored->openedAt };
                run.apply(row, fields, ticket);
            }
        }
        if (!run.rowFailed) {
            if (auto valid = ticket.validate(); !valid)
                run.addFieldError(row, valid.error());
        }
        if (!run.finishRow())
            continue;
        if (storedId) {
            auto updated = repository.update(ticket);
            if (!updated)
                return updated.error();
            updatedBefore << before;
            ++run.report.updated;
        } else {
            if (auto ok = insertRecord(inserter, ticket, run.stamp); !ok)
                return ok;
            ++run.report.inserted;
        }
    }
    if (!status)
        return status;
    if (auto ok = inserter.flush(); !ok)
        return ok;
    // Their SLA clocks, as createTicket and a status change would have set them: due times, and a pause for those
    // waiting on the customer.
    if (run.report.inserted + run.report.updated > 0) {
        if (auto settled = SupportService(run.db, run.clock).settleImportedTickets(firstNewId, updatedBefore); !settled)
            return settled.error();
    }
    return {};
}

// ---- survey responses ---------------------------------------------------------------------------------------------

Status importResponses(Run &run)
{
    if (run.options.mode == ImportMode::Upsert)
        return Error::invalid(u"mode"_s, u"survey responses have no key to match on: use insert"_s);
    const auto &fields = responseFields();
    if (auto ok = run.readHeader(fields, false); !ok)
        return ok;
    auto customers = run.liveCustomerIds();
    if (!customers)
        return customers.error();
    Storage::BulkInserter inserter(
        run.db, u"survey_responses"_s, insertColumns<Domain::SurveyResponse>(), rowsPerStatement());
    const QDateTime now = run.clock.now();
    CsvRow row;
    Status status;
    const int customerColumn = run.columnOfField.value(u"customer_id"_s);
    while (run.nextRow(row, status)) {
        if (run.rowFailed) {
            run.finishRow();
            continue;
        }
        Domain::SurveyResponse response;
        response.respondedAt = now;
        run.apply(row, fields, response);
        response.npsCategory = Domain::expectedNpsCategory(response.kind, response.score);
        if (!run.rowFailed && !customers->contains(response.customerId))
            run.addError(row.fieldLines.at(customerColumn), customerColumn,
                u"no customer with id '%1'"_s.arg(response.customerId));
        if (!run.rowFailed) {
            if (auto valid = response.validate(); !valid)
                run.addFieldError(row, valid.error());
        }
        if (!run.finishRow())
            continue;
        if (auto ok = insertRecord(inserter, response, run.stamp); !ok)
            return ok;
        ++run.report.inserted;
    }
    if (!status)
        return status;
    return inserter.flush();
}

// Usage events (and the usage_daily rows made from them) have one foreign key, customer_id, and importUsage() checks
// every value against the live customers it read inside the import's own transaction — stricter than the key
// (deleted customers are refused too) and from the same snapshot the writes commit on. SQLite would look each one
// up again per row in usage_events and in usage_daily (measured ~12 % and ~30 % of their inserts), so the
// connection's checks are off for that import and back on after it. PRAGMA foreign_keys is a no-op inside a
// transaction: an import that runs inside a caller's transaction keeps the checks. SQLite only.
class ForeignKeyChecksOff
{
public:
    ForeignKeyChecksOff(const Storage::Database &db, bool wanted)
        : m_db(db)
    {
        if (!wanted || db.dialect() != Storage::Dialect::Sqlite)
            return;
        QSqlQuery q(db.connection());
        if (!q.exec(u"PRAGMA foreign_keys"_s) || !q.next() || q.value(0).toInt() != 1)
            return;
        q.finish();
        m_restore = q.exec(u"PRAGMA foreign_keys = OFF"_s);
    }
    ~ForeignKeyChecksOff()
    {
        if (m_restore)
            QSqlQuery(m_db.connection()).exec(u"PRAGMA foreign_keys = ON"_s);
    }
    Q_DISABLE_COPY_MOVE(ForeignKeyChecksOff)

private:
    const Storage::Database &m_db;
    bool m_restore = false;
};

} // namespace

CsvImporter::CsvImporter(const Storage::Database &db, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
{ }

QStringList CsvImporter::fieldNames(ImportKind kind)
{
    switch (kind) {
    case ImportKind::Customers:
        return names(customerFields(), false);
    case ImportKind::Contacts:
        return names(contactFields(), false);
    case ImportKind::UsageEvents:
        return names(usageFields(), false);
    case ImportKind::Tickets:
        return names(ticketFields(), false);
    case ImportKind::SurveyResponses:
        return names(responseFields(), false);
    }
    return {};
}

QStringList CsvImporter::requiredFields(ImportKind kind)
{
    switch (kind) {
    case ImportKind::Customers:
        return names(customerFields(), true);
    case ImportKind::Contacts:
        return names(contactFields(), true);
    case ImportKind::UsageEvents:
        return names(usageFields(), true);
    case ImportKind::Tickets:
        return names(ticketFields(), true);
    case ImportKind::SurveyResponses:
        return names(responseFields(), true);
    }
    return {};
}

Result<ImportReport> CsvImporter::importCsv(QByteArrayView csv, const ImportOptions &options)
{
    CsvReader reader(csv, options.limits);
    return run(reader, csv.size(), options);
}

Result<ImportReport> CsvImporter::importCsv(QIODevice *device, const ImportOptions &options)
{
    if (!device || !device->isReadable())
        return Error::invalid(u"csv"_s, u"cannot read the file"_s);
    CsvReader reader(device, options.limits);
    return run(reader, device->isSequential() ? -1 : device->size(), options);
}

Result<ImportReport> CsvImporter::run(CsvReader &reader, qint64 totalBytes, const ImportOptions &options)
{
    if (options.progressEvery < 1)
        return Error::invalid(u"progress_every"_s, u"must be at least 1"_s);
    QElapsedTimer timer;
    timer.start();
    Run run(m_db, m_clock, reader, totalBytes, options);
    // Declared before the transaction, so foreign keys are back on once it has ended.
    ForeignKeyChecksOff foreignKeysOff(m_db, options.kind == ImportKind::UsageEvents);
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    Status status;
    switch (options.kind) {
    case ImportKind::Customers:
        status = importCustomers(run);
        break;
    case ImportKind::Contacts:
        status = importContacts(run);
        break;
    case ImportKind::UsageEvents:
        status = importUsage(run);
        break;
    case ImportKind::Tickets:
        status = importTickets(run);
        break;
    case ImportKind::SurveyResponses:
        status = importResponses(run);
        break;
    }
    if (!status) {
        tx.rollback();
        return status.error();
    }
    ImportReport report = std::move(run.report);
    if (report.errorCount > 0 && !options.skipInvalid) {
        // All or nothing: the file has errors, so nothing it holds is kept.
        tx.rollback();
        report.skipped = report.read;
        report.inserted = 0;
        report.updated = 0;
        report.dailyUsageRowsRebuilt = 0;
        for (ImportedCustomField &field : report.customFields)
            field.created = false;
        report.committed = false;
    } else {
        if (auto ok = tx.commit(); !ok)
            return ok.error();
        report.committed = true;
    }
    report.seconds = double(timer.nsecsElapsed()) / 1e9;
    if (options.progress)
        options.progress(reader.bytesRead(), totalBytes, u"%1 rows read"_s.arg(report.read));
    if (report.committed && (report.inserted > 0 || report.updated > 0))
        Q_EMIT recordsImported(options.kind, report.inserted, report.updated);
    return report;
}

} // namespace Core
