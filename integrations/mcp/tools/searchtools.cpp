// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The "beyond the old server" toolset (TOOLS.md): resolve_customer and search (SearchService), import_records (the
// desktop's CSV importer, CsvImporter) and train_churn_model (ChurnService::trainModel).
#include "csvimporter.h"
#include "searchservice.h"
#include "services.h"
#include "toolregistry.h"
#include "toolsupport.h"

using namespace Qt::StringLiterals;

namespace Mcp {

namespace {

using namespace Schema;
using ToolSupport::rounded;

const QString kToolset = u"search"_s;
// TOOLS.md import_records: "CSV text (≤ 4 MiB)".
constexpr qint64 kMaxCsvBytes = 4 * 1024 * 1024;

QJsonValue optNumber(const std::optional<double> &value, int decimals = 4)
{
    return value ? QJsonValue(rounded(*value, decimals)) : QJsonValue(QJsonValue::Null);
}

void addTool(ToolRegistry &registry, Tool tool)
{
    if (const Core::Status added = registry.add(std::move(tool)); !added)
        qWarning("registerSearchTools: %s", qPrintable(added.error().toString()));
}

// ---- resolve_customer ------------------------------------------------------------------------------------------

void addResolveCustomer(ToolRegistry &registry)
{
    Tool tool;
    tool.name = u"resolve_customer"_s;
    tool.title = u"Resolve a customer"_s;
    tool.description = u"Finds the customer a name, domain (or URL) or e-mail address refers to, best match first, "
                       u"with a score and the reason. Use it to get a customer_id when you only know a name."_s;
    tool.toolset = kToolset;
    tool.inputSchema = object(
        {
            { u"query"_s,
                string(
                    u"A customer name (typos are tolerated), a domain or URL, an e-mail address or an id."_s, 1, 320) },
            { u"limit"_s, integer(u"Most candidates to return."_s, 1, 20, 5) },
        },
        { u"query"_s });
    tool.outputSchema = openObject(
        {
            { u"query"_s, string({}) },
            { u"candidates"_s,
                arrayOf(openObject(
                    {
                        { u"customer_id"_s, string({}) },
                        { u"name"_s, string({}) },
                        { u"score"_s, number(u"0..1; 1 = exact id."_s, 0.0, 1.0) },
                        { u"reason"_s, enumOf({}, Domain::enumValues<Core::ResolveReason>()) },
                        { u"detail"_s, string({}) },
                        { u"customer"_s, ToolSupport::customerSummarySchema() },
                    },
                    { u"customer_id"_s, u"name"_s, u"score"_s, u"reason"_s, u"customer"_s })) },
            { u"total"_s, integer({}, 0) },
            { u"note"_s, nullable(string({})) },
        },
        { u"query"_s, u"candidates"_s, u"total"_s, u"note"_s });
    tool.handler = [](const ToolCall &call) -> ToolResult {
        const QString query = call.arguments.value(u"query"_s).toString();
        auto found = call.services->search().resolve(query, call.arguments.value(u"limit"_s).toInt(5));
        if (!found)
            return found.error();
        QJsonArray candidates;
        for (const Core::ResolveCandidate &c : std::as_const(*found)) {
            candidates.append(QJsonObject {
                { u"customer_id"_s, c.customer.id },
                { u"name"_s, c.customer.name },
                { u"score"_s, rounded(c.score, 3) },
                { u"reason"_s, Domain::enumName(c.reason) },
                { u"detail"_s, c.detail },
                { u"customer"_s, ToolSupport::customerSummaryJson(c.customer) },
            });
        }
        return QJsonObject {
            { u"query"_s, query },
            { u"candidates"_s, candidates },
            { u"total"_s, candidates.size() },
            { u"note"_s,
                candidates.isEmpty() ? QJsonValue(u"no customer matches this name, domain or e-mail address"_s)
                                     : QJsonValue(QJsonValue::Null) },
        };
    };
    addTool(registry, std::move(tool));
}

// ---- search ----------------------------------------------------------------------------------------------------

void addSearch(ToolRegistry &registry)
{
    Tool tool;
    tool.name = u"search"_s;
    tool.title = u"Search the portfolio"_s;
    tool.description = u"Searches customers, contacts, support tickets, notes and knowledge-base articles for text "
                       u"and returns typed hits with snippets, best first. Use it to find records before calling a "
                       u"get tool on them."_s;
    tool.toolset = kToolset;
    tool.inputSchema
        = object(withPaging({
                     { u"query"_s, string(u"The text to look for."_s, 1, 500) },
                     { u"kinds"_s,
                         arrayOf(enumOf({}, Domain::enumValues<Core::SearchKind>()),
                             u"Only these kinds of record; omit for all."_s, 5) },
                     { u"customer_id"_s, customerId(u"Only records of this customer (articles are then left out)."_s) },
                 }),
            { u"query"_s });
    tool.outputSchema = listOutput(
        openObject(
            {
                { u"kind"_s, enumOf({}, Domain::enumValues<Core::SearchKind>()) },
                { u"id"_s, string(u"The record's id (customer ids are text; pass numbers back as numbers)."_s) },
                { u"customer_id"_s, nullable(string({})) },
                { u"title"_s, string({}) },
                { u"snippet"_s, string({}) },
                { u"score"_s, number(u"0..1, higher is better."_s, 0.0, 1.0) },
            },
            { u"kind"_s, u"id"_s, u"customer_id"_s, u"title"_s, u"snippet"_s, u"score"_s }),
        {
            { u"truncated"_s, boolean(u"Some kind had more than 200 hits: refine the query."_s) },
            { u"note"_s, nullable(string({})) },
        });
    tool.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &args = call.arguments;
        Core::SearchQuery query;
        query.text = args.value(u"query"_s).toString();
        query.customerId = args.value(u"customer_id"_s).toString();
        query.limit = args.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
        query.cursor = args.value(u"cursor"_s).toString();
        const QJsonArray kinds = args.value(u"kinds"_s).toArray();
        for (const QJsonValue &kind : kinds) {
            if (auto k = Domain::enumFromString<Core::SearchKind>(kind.toString()); k && !query.kinds.contains(*k))
                query.kinds << *k;
        }
        auto page = call.services->search().search(query);
        if (!page)
            return page.error();
        QJsonArray items;
        for (const Core::SearchHit &hit : std::as_const(page->items)) {
            items.append(QJsonObject {
                { u"kind"_s, Domain::enumName(hit.kind) },
                { u"id"_s, hit.id },
                { u"customer_id"_s,
                    hit.customerId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(hit.customerId) },
                { u"title"_s, hit.title },
                { u"snippet"_s, hit.snippet },
                { u"score"_s, hit.score },
            });
        }
        QJsonObject result = ToolSupport::pageJson(items, page->total, page->nextCursor);
        result.insert(u"truncated"_s, page->truncated);
        result.insert(
            u"note"_s, page->total == 0 ? QJsonValue(u"nothing matches this text"_s) : QJsonValue(QJsonValue::Null));
        return result;
    };
    addTool(registry, std::move(tool));
}

// ---- import_records --------------------------------------------------------------------------------------------

QJsonObject importReportJson(const Core::ImportReport &r)
{
    QJsonArray errors;
    for (const Core::ImportLineError &e : r.errors) {
        errors.append(QJsonObject {
            { u"line"_s, e.line },
            { u"column"_s, e.column.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(e.column) },
            { u"column_number"_s, e.columnNumber > 0 ? QJsonValue(e.columnNumber) : QJsonValue(QJsonValue::Null) },
            { u"message"_s, e.message },
            { u"text"_s, e.toString() },
        });
    }
    QJsonArray customFields;
    for (const Core::ImportedCustomField &f : r.customFields)
        customFields.append(
            QJsonObject { { u"key"_s, f.key }, { u"data_type"_s, f.dataType }, { u"created"_s, f.created } });
    QString note;
    if (!r.committed)
        note = u"nothing was imported: the file has %1 error(s); fix them, or pass skip_invalid to import the valid "
               u"rows"_s.arg(r.errorCount);
    else if (r.read == 0)
        note = u"the file has a header but no records"_s;
    return QJsonObject {
        { u"kind"_s, Domain::enumName(r.kind) },
        { u"mode"_s, r.mode == Core::ImportMode::Upsert ? u"upsert"_s : u"insert"_s },
        { u"committed"_s, r.committed },
        { u"read"_s, r.read },
        { u"inserted"_s, r.inserted },
        { u"updated"_s, r.updated },
        { u"skipped"_s, r.skipped },
        { u"error_count"_s, r.errorCount },
        { u"errors"_s, errors },
        { u"errors_truncated"_s, r.errorCount > r.errors.size() },
        { u"columns"_s, QJsonArray::fromStringList(r.columns) },
        { u"ignored_columns"_s, QJsonArray::fromStringList(r.ignoredColumns) },
        { u"custom_fields"_s, customFields },
        { u"daily_usage_rows_rebuilt"_s, r.dailyUsageRowsRebuilt },
        { u"seconds"_s, rounded(r.seconds, 3) },
        { u"note"_s, note.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(note) },
    };
}

void addImportRecords(ToolRegistry &registry)
{
    QStringList kinds = Domain::enumValues<Core::ImportKind>();
    Tool tool;
    tool.name = u"import_records"_s;
    tool.title = u"Import records from CSV"_s;
    tool.description
        = u"Imports CSV text (first line = column names, at most 4 MiB) of customers, contacts, usage events, tickets "
          u"or survey responses with the desktop's importer; a file with errors imports nothing unless skip_invalid "
          u"is set. Columns named after fields map directly, `mapping` renames others, and extra columns of a "
          u"customers file become custom fields."_s;
    tool.toolset = kToolset;
    tool.inputSchema = object(
        {
            { u"csv"_s,
                string(u"The CSV text (RFC 4180, UTF-8, comma-separated, header row first)."_s, 1, int(kMaxCsvBytes)) },
            { u"kind"_s,
                enumOf(u"What the rows are. Fields: customers id*, name*, company, domain, industry, tier, "
                       u"arr, currency, status, lifecycle_stage, contract_type, contract_start, contract_end, "
                       u"renewal_date, churned_at, owner; contacts customer_id*, name*, email, title, role, "
                       u"is_primary, phone, notes; usage_events customer_id*, occurred_at*, event_type*, "
                       u"feature, user_ref, quantity; tickets customer_id*, subject*, external_id, "
                       u"description, priority, status, channel, assignee, assigned_team, category, tags, "
                       u"opened_at, first_response_at, resolved_at, closed_at, csat, csat_comment, "
                       u"escalated; survey_responses customer_id*, kind*, score*, comment, channel, "
                       u"responded_at, themes (* = required)."_s,
                    kinds) },
            { u"mapping"_s,
                QJsonObject {
                    { u"type"_s, u"object"_s },
                    { u"description"_s,
                        u"Column name in the file → field name, for columns not named after a field, e.g. "
                        u"{\"Account Name\": \"name\"}."_s },
                    { u"additionalProperties"_s, string({}, 1, 100) },
                    { u"maxProperties"_s, 200 },
                } },
            { u"skip_invalid"_s,
                boolean(u"Import the valid rows and report the invalid ones, instead of importing "
                        u"nothing when a row is invalid."_s,
                    false) },
            { u"mode"_s,
                enumOf(u"insert: a record whose key exists (customer id, contact e-mail per customer, ticket "
                       u"external_id) is an error; upsert: it is updated with the file's columns. Usage "
                       u"events and survey responses are insert only."_s,
                    { u"insert"_s, u"upsert"_s }, u"insert"_s) },
        },
        { u"csv"_s, u"kind"_s });
    tool.outputSchema = openObject(
        {
            { u"kind"_s, enumOf({}, kinds) },
            { u"mode"_s, enumOf({}, { u"insert"_s, u"upsert"_s }) },
            { u"committed"_s, boolean(u"False: nothing was written."_s) },
            { u"read"_s, integer(u"Records read (the header not counted)."_s, 0) },
            { u"inserted"_s, integer({}, 0) },
            { u"updated"_s, integer({}, 0) },
            { u"skipped"_s, integer({}, 0) },
            { u"error_count"_s, integer({}, 0) },
            { u"errors"_s,
                arrayOf(openObject(
                            {
                                { u"line"_s, integer({}, 1) },
                                { u"column"_s, nullable(string({})) },
                                { u"column_number"_s, nullable(integer({}, 1)) },
                                { u"message"_s, string({}) },
                                { u"text"_s, string({}) },
                            },
                            { u"line"_s, u"column"_s, u"message"_s }),
                    u"The first 100 errors."_s, Core::ImportReport::kMaxErrors) },
            { u"errors_truncated"_s, boolean({}) },
            { u"columns"_s, arrayOf(string({})) },
            { u"ignored_columns"_s, arrayOf(string({})) },
            { u"custom_fields"_s,
                arrayOf(openObject(
                    { { u"key"_s, string({}) }, { u"data_type"_s, enumOf({}, { u"numeric"_s, u"categorical"_s }) },
                        { u"created"_s, boolean({}) } },
                    { u"key"_s, u"data_type"_s })) },
            { u"daily_usage_rows_rebuilt"_s, integer({}, 0) },
            { u"seconds"_s, number({}, 0.0) },
            { u"note"_s, nullable(string({})) },
        },
        { u"kind"_s, u"committed"_s, u"read"_s, u"inserted"_s, u"updated"_s, u"skipped"_s, u"error_count"_s,
            u"errors"_s });
    tool.annotations.readOnly = false;
    tool.annotations.destructive = true; // upsert overwrites stored fields
    tool.annotations.idempotent = false;
    tool.writes = true;
    tool.longRunning = true;
    tool.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &args = call.arguments;
        Core::ImportOptions options;
        options.kind = Domain::enumFromString<Core::ImportKind>(args.value(u"kind"_s).toString())
                           .value_or(Core::ImportKind::Customers);
        options.mode
            = args.value(u"mode"_s).toString() == u"upsert"_s ? Core::ImportMode::Upsert : Core::ImportMode::Insert;
        options.skipInvalid = args.value(u"skip_invalid"_s).toBool(false);
        const QJsonObject mapping = args.value(u"mapping"_s).toObject();
        for (auto it = mapping.constBegin(); it != mapping.constEnd(); ++it)
            options.mapping.insert(it.key(), it.value().toString());
        options.limits.maxInputBytes = kMaxCsvBytes;
        options.progressEvery = 2000;
        options.progress = [&call](qint64 done, qint64 total, const QString &message) {
            call.progress(double(done), double(total), message);
        };
        options.isCancelled = [&call] { return call.cancelled(); };
        const QByteArray csv = args.value(u"csv"_s).toString().toUtf8();
        if (call.cancelled())
            return Core::Error { Core::ErrorCode::Cancelled, {}, u"cancelled before the import started"_s };
        auto report = call.services->importer().importCsv(csv, options);
        if (!report)
            return report.error();
        Mcp::ToolOutput output(importReportJson(*report));
        // Nothing was written: a failure the model must notice, with the per-line errors to fix.
        output.isError = !report->committed;
        return output;
    };
    addTool(registry, std::move(tool));
}

// ---- train_churn_model -----------------------------------------------------------------------------------------

void addTrainChurnModel(ToolRegistry &registry)
{
    Tool tool;
    tool.name = u"train_churn_model"_s;
    tool.title = u"Train the churn model"_s;
    tool.description = u"Retrains the churn-risk model on the portfolio's own history (churned customers vs those that "
                       u"stayed) and stores it as a new version; returns sample counts, k-fold cross-validated AUC, "
                       u"the calibration table and the strongest drivers. Use it after importing history."_s;
    tool.toolset = kToolset;
    tool.inputSchema = object({
        { u"folds"_s, integer(u"Cross-validation folds."_s, 2, 10, 5) },
        { u"horizon_days"_s,
            integer(u"A churned customer's inputs are taken this many days before its churn."_s, 7, 365, 30) },
        { u"activate"_s, boolean(u"Make the new version the active model."_s, true) },
    });
    const QJsonObject coefficient = openObject(
        {
            { u"feature"_s, string({}) },
            { u"label"_s, string({}) },
            { u"coefficient"_s, number(u"Per standard deviation of the input; > 0 raises the risk."_s) },
            { u"odds_ratio"_s, number({}, 0.0) },
        },
        { u"feature"_s, u"label"_s, u"coefficient"_s, u"odds_ratio"_s });
    tool.outputSchema = openObject(
        {
            { u"model_version"_s, integer({}, 1) },
            { u"activated"_s, boolean({}) },
            { u"trained_at"_s, nullable(dateTime({})) },
            { u"horizon_days"_s, integer({}, 7, 365) },
            { u"samples"_s,
                openObject({ { u"total"_s, integer({}, 0) }, { u"churned"_s, integer({}, 0) },
                               { u"retained"_s, integer({}, 0) }, { u"base_rate"_s, number({}, 0.0, 1.0) } },
                    { u"total"_s, u"churned"_s, u"retained"_s }) },
            { u"cross_validation"_s,
                openObject({ { u"folds"_s, integer({}, 2, 10) }, { u"auc_mean"_s, number({}, 0.0, 1.0) },
                               { u"auc_sd"_s, number({}, 0.0) }, { u"fold_auc"_s, arrayOf(number({}, 0.0, 1.0)) },
                               { u"pooled_auc"_s, nullable(number({}, 0.0, 1.0)) },
                               { u"brier_score"_s, nullable(number({}, 0.0, 1.0)) }, { u"l2"_s, number({}, 0.0) } },
                    { u"folds"_s, u"auc_mean"_s, u"auc_sd"_s, u"fold_auc"_s }) },
            { u"calibration"_s,
                arrayOf(openObject(
                    { { u"bin"_s, integer({}) }, { u"count"_s, integer({}, 0) },
                        { u"min_predicted"_s, number({}, 0.0, 1.0) }, { u"max_predicted"_s, number({}, 0.0, 1.0) },
                        { u"mean_predicted"_s, number({}, 0.0, 1.0) }, { u"observed_rate"_s, number({}, 0.0, 1.0) } },
                    { u"bin"_s, u"count"_s, u"mean_predicted"_s, u"observed_rate"_s })) },
            { u"drivers"_s, arrayOf(coefficient, u"The strongest inputs, strongest first."_s) },
            { u"dropped_features"_s, arrayOf(string({})) },
            { u"excluded"_s, arrayOf(string({})) },
            { u"converged"_s, boolean({}) },
            { u"summary"_s, string({}) },
        },
        { u"model_version"_s, u"activated"_s, u"samples"_s, u"cross_validation"_s, u"calibration"_s, u"drivers"_s,
            u"summary"_s });
    tool.annotations.readOnly = false;
    tool.annotations.destructive = false; // earlier versions are kept and can be re-activated
    tool.annotations.idempotent = false;
    tool.writes = true;
    tool.longRunning = true;
    tool.handler = [](const ToolCall &call) -> ToolResult {
        const QJsonObject &args = call.arguments;
        Core::ChurnTrainingOptions options;
        options.folds = args.value(u"folds"_s).toInt(5);
        options.horizonDays = args.value(u"horizon_days"_s).toInt(30);
        options.activate = args.value(u"activate"_s).toBool(true);
        options.progress = [&call](const QString &stage, int done, int total) { call.progress(done, total, stage); };
        options.isCancelled = [&call] { return call.cancelled(); };
        auto trained = call.services->churn().trainModel(options);
        if (!trained)
            return trained.error();
        const Core::ChurnTrainingReport &r = *trained;
        QJsonArray foldAuc;
        for (double auc : r.foldAuc)
            foldAuc.append(rounded(auc, 4));
        QJsonArray calibration;
        for (const Core::ChurnCalibrationRow &row : r.model.calibration) {
            calibration.append(QJsonObject {
                { u"bin"_s, row.bin },
                { u"count"_s, row.count },
                { u"min_predicted"_s, rounded(row.minPredicted, 4) },
                { u"max_predicted"_s, rounded(row.maxPredicted, 4) },
                { u"mean_predicted"_s, rounded(row.meanPredicted, 4) },
                { u"observed_rate"_s, rounded(row.observedRate, 4) },
            });
        }
        QJsonArray drivers;
        for (const Core::ChurnCoefficient &c : r.topDrivers) {
            drivers.append(QJsonObject {
                { u"feature"_s, c.feature },
                { u"label"_s, c.label },
                { u"coefficient"_s, rounded(c.coefficient, 4) },
                { u"odds_ratio"_s, rounded(c.oddsRatio, 4) },
            });
        }
        return QJsonObject {
            { u"model_version"_s, r.model.version },
            { u"activated"_s, r.activated },
            { u"trained_at"_s, ToolSupport::dateTimeJson(r.model.trainedAt) },
            { u"horizon_days"_s, r.horizonDays },
            { u"samples"_s,
                QJsonObject { { u"total"_s, r.model.sampleCount }, { u"churned"_s, r.model.churnedCount },
                    { u"retained"_s, r.model.retainedCount }, { u"base_rate"_s, rounded(r.baseRate, 4) } } },
            { u"cross_validation"_s,
                QJsonObject { { u"folds"_s, r.model.cvFolds.value_or(0) }, { u"auc_mean"_s, rounded(r.cvAucMean, 4) },
                    { u"auc_sd"_s, rounded(r.cvAucSd, 4) }, { u"fold_auc"_s, foldAuc },
                    { u"pooled_auc"_s, optNumber(r.pooledAuc) }, { u"brier_score"_s, optNumber(r.brierScore) },
                    { u"l2"_s, rounded(r.l2, 4) } } },
            { u"calibration"_s, calibration },
            { u"drivers"_s, drivers },
            { u"dropped_features"_s, QJsonArray::fromStringList(r.droppedFeatures) },
            { u"excluded"_s, QJsonArray::fromStringList(r.excluded) },
            { u"converged"_s, r.converged },
            { u"summary"_s, r.summary },
        };
    };
    addTool(registry, std::move(tool));
}

} // namespace

void registerSearchTools(ToolRegistry &registry)
{
    addResolveCustomer(registry);
    addSearch(registry);
    addImportRecords(registry);
    addTrainChurnModel(registry);
}

} // namespace Mcp
