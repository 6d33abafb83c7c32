// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <functional>

#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include "clock.h"
#include "csvreader.h"
#include "database.h"
#include "enumnames.h"
#include "error.h"

class QIODevice;

namespace Core {

enum class ImportKind { Customers, Contacts, UsageEvents, Tickets, SurveyResponses };
} // namespace Core

namespace Domain {
CS_ENUM_NAMES(Core::ImportKind, { Core::ImportKind::Customers, "customers" },
    { Core::ImportKind::Contacts, "contacts" }, { Core::ImportKind::UsageEvents, "usage_events" },
    { Core::ImportKind::Tickets, "tickets" }, { Core::ImportKind::SurveyResponses, "survey_responses" });
} // namespace Domain

namespace Core {

// What happens to a record whose key is already stored (customers: id; contacts: customer_id + e-mail; tickets:
// external_id). Insert refuses it (a per-line error); upsert updates the stored record with the columns the file
// has and leaves the others as they are. Usage events and survey responses have no natural key: insert only.
enum class ImportMode { Insert, Upsert };

struct ImportOptions
{
    ImportKind kind = ImportKind::Customers;
    ImportMode mode = ImportMode::Insert;
    // Valid rows go in and the invalid ones are reported; without it, a file with any error imports nothing.
    bool skipInvalid = false;
    // CSV header → field name, for columns not already named after a field ("Account Name" → "name").
    QHash<QString, QString> mapping;
    CsvReader::Limits limits; // the MCP tool caps the input at 4 MiB
    // Progress every `progressEvery` rows: (done, total, message); done/total in bytes while reading, in rows
    // while writing the second pass of a customers file.
    std::function<void(qint64 done, qint64 total, const QString &message)> progress;
    int progressEvery = 5000;
    // Checked every `progressEvery` rows; when true the import stops and nothing is written (ErrorCode::Cancelled).
    std::function<bool()> isCancelled;
};

// One rejected line: "line 7, column arr (4): not a number". `column` is the header as written in the file (empty
// for a problem with the whole record), columnNumber 1-based (0 when no single column is at fault).
struct ImportLineError
{
    qint64 line = 0;
    QString column;
    int columnNumber = 0;
    QString message;

    QString toString() const;
};

struct ImportedCustomField
{
    QString key;
    QString dataType; // numeric | categorical
    bool created = false; // new in custom_field_definitions
};

struct ImportReport
{
    ImportKind kind = ImportKind::Customers;
    ImportMode mode = ImportMode::Insert;
    qint64 read = 0; // data records read (the header not counted)
    qint64 inserted = 0;
    qint64 updated = 0;
    qint64 skipped = 0; // invalid records left out (skip_invalid), or every record when nothing was written
    bool committed = false; // false: nothing was written (errors without skip_invalid)
    QList<ImportLineError> errors; // the first kMaxErrors
    qint64 errorCount = 0; // all of them
    QStringList columns; // the field each column went to, in file order ("custom.plan", "(ignored)")
    QStringList ignoredColumns;
    QList<ImportedCustomField> customFields;
    qint64 dailyUsageRowsRebuilt = 0; // usage events: usage_daily rows refreshed for the (customer, day) pairs imported
    double seconds = 0;
    double dailyUsageSeconds = 0; // of `seconds`, spent refreshing usage_daily

    static constexpr int kMaxErrors = 100;
};

// The CSV import of both faces (the desktop's import dialog and the MCP tool import_records): one header row, then
// one record per row. Columns named after a field of the record map directly, `mapping` renames others; in a
// customers file every other column becomes a custom field (numeric when every non-empty value parses as a number,
// else categorical, and listed in custom_field_definitions); in other files other columns are ignored and reported.
// Every record is checked as the repositories would (same validate(), referenced customers must exist, keys unique)
// and each problem becomes a per-line error. Everything happens in one transaction: all or nothing unless
// skipInvalid. Rows go in through Storage::BulkInserter (multi-row INSERTs), so large files import fast.
//
// Fields per kind (dates yyyy-MM-dd; times RFC 3339 or a date, read as midnight UTC; lists separated by ';'):
//   customers         id*, name*, company, domain, industry, tier, arr, currency, status, lifecycle_stage,
//                     contract_type, contract_start, contract_end, renewal_date, churned_at, owner
//   contacts          customer_id*, name*, email, title, role, is_primary, phone, notes
//   usage_events      customer_id*, occurred_at*, event_type*, feature, user_ref, quantity
//   tickets           customer_id*, subject*, external_id, description, priority, status, channel, assignee,
//                     assigned_team, category, tags, opened_at (default now), first_response_at, resolved_at,
//                     closed_at, csat, csat_comment, escalated
//   survey_responses  customer_id*, kind*, score*, comment, channel, responded_at (default now), themes
class CsvImporter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CsvImporter)

public:
    CsvImporter(const Storage::Database &db, const Clock &clock, QObject *parent = nullptr);

    // The field names a kind accepts (required ones first), for mappings and the import dialog.
    static QStringList fieldNames(ImportKind kind);
    static QStringList requiredFields(ImportKind kind);

    // InvalidArgument naming `csv` for a file that cannot be read at all (not CSV, no header, a required column
    // missing, oversized), naming `mapping` or `mode` for bad options; Cancelled when options.isCancelled said so.
    // Per-record problems are not errors: they are in the report.
    Result<ImportReport> importCsv(QByteArrayView csv, const ImportOptions &options);
    Result<ImportReport> importCsv(QIODevice *device, const ImportOptions &options);

Q_SIGNALS:
    // After a committed import, so open views reload.
    void recordsImported(Core::ImportKind kind, qint64 inserted, qint64 updated);

private:
    Result<ImportReport> run(CsvReader &reader, qint64 totalBytes, const ImportOptions &options);

    const Storage::Database &m_db;
    const Clock &m_clock;
};

} // namespace Core
