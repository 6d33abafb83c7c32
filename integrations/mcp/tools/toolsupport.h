// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

// What every tool source file shares, so the toolsets never repeat each other: schema building blocks that keep the
// TOOLS.md conventions (closed objects, customer_id, limit ≤ 200 / cursor, lists answering items/total/next_cursor)
// and JSON for the domain types more than one toolset returns.

#include <initializer_list>
#include <optional>
#include <utility>

#include <QDate>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include "customer.h"
#include "listquery.h"
#include "toolregistry.h"

namespace Mcp::Schema {

using Property = std::pair<QString, QJsonObject>;

// {"type":"object","properties":{...},"required":[...],"additionalProperties":false}
QJsonObject object(std::initializer_list<Property> properties, const QStringList &required = {});
QJsonObject object(const QJsonObject &properties, const QStringList &required = {});
// An object whose members are described but not closed (for outputs that grow new fields).
QJsonObject openObject(std::initializer_list<Property> properties, const QStringList &required = {});

QJsonObject string(const QString &description, int minLength = 0, int maxLength = 0);
QJsonObject pattern(const QString &description, const QString &regex, int maxLength = 0);
QJsonObject integer(const QString &description, std::optional<qint64> minimum = {}, std::optional<qint64> maximum = {},
    std::optional<qint64> defaultValue = {});
QJsonObject number(const QString &description, std::optional<double> minimum = {}, std::optional<double> maximum = {},
    std::optional<double> defaultValue = {});
QJsonObject boolean(const QString &description, std::optional<bool> defaultValue = {});
QJsonObject enumOf(const QString &description, const QStringList &values, const QString &defaultValue = {});
QJsonObject date(const QString &description); // format date (YYYY-MM-DD)
QJsonObject dateTime(const QString &description); // format date-time (RFC 3339)
QJsonObject email(const QString &description);
QJsonObject arrayOf(const QJsonObject &items, const QString &description = {}, int maxItems = 0);
// A value that may also be null in output (["string","null"] etc.).
QJsonObject nullable(QJsonObject schema);
// Any JSON object (a free-form map), e.g. custom fields.
QJsonObject anyObject(const QString &description);

// customer_id: ^[a-zA-Z0-9_-]{1,100}$ ("client_id" is accepted as an alias by the registry).
QJsonObject customerId(const QString &description = {});
// `limit` (1..200, default 25) and `cursor`, added to a tool's input properties.
QJsonObject withPaging(QJsonObject properties);
// Output of a list tool: {items: [itemSchema], total, next_cursor}.
QJsonObject listOutput(const QJsonObject &itemSchema, std::initializer_list<Property> extra = {});

} // namespace Mcp::Schema

namespace Domain {
class JsonWriter;
}

namespace Mcp::ToolSupport {

inline constexpr int kDefaultLimit = 25;
inline constexpr int kMaxLimit = 200;

// A Storage::ListQuery with limit and cursor taken from validated arguments.
Storage::ListQuery pageQuery(const QJsonObject &arguments);
// {items, total, next_cursor} (next_cursor null on the last page).
QJsonObject pageJson(const QJsonArray &items, qint64 total, const QString &nextCursor);
// The same page's next_cursor and total keys, for a page written with a JsonWriter (`items` written before them).
void writePageEnd(Domain::JsonWriter &writer, qsizetype items, qint64 total, const QString &nextCursor);
// Paging over an in-memory list a service computed (rankings, opportunities): the cursor is the offset, opaque to
// the client and checked (a cursor that is not ours → InvalidArgument naming `cursor`).
Core::Result<QJsonObject> pageOfArray(const QJsonArray &all, const QJsonObject &arguments);

// Dates and times as the schemas declare them; an invalid QDate/QDateTime becomes null.
QJsonValue dateJson(const QDate &date);
QJsonValue dateTimeJson(const QDateTime &time);
// Optional date argument ("" or absent → invalid QDate; the schema has already checked the format).
QDate dateArgument(const QJsonObject &arguments, const QString &name);

// Customers as list tools show them (compact) and as get tools show them (every stored field). The summary is
// written once, by writeCustomerSummary (list_clients writes its page straight as bytes); customerSummaryJson reads
// that back as an object for answers built as objects.
void writeCustomerSummary(Domain::JsonWriter &writer, const Domain::Customer &customer);
// The customer columns writeCustomerSummary reads: a list that writes only summaries reads only these.
const QStringList &customerSummaryColumns();
QJsonObject customerSummaryJson(const Domain::Customer &customer);
QJsonObject customerJson(const Domain::Customer &customer);
QJsonObject customerSummarySchema();
QJsonObject customerSchema();

// A value as a nicely rounded JSON number (money to cents, ratios to 4 places) so answers stay short.
double rounded(double value, int decimals);

// A Tool from its parts, for the toolsets that declare their tools in one call each.
Tool makeTool(const QString &toolset, QString name, QString title, QString description, QJsonObject input,
    QJsonObject output, ToolAnnotations annotations, bool writes, bool longRunning, ToolHandler handler);
// Registers `tool`; a refusal is logged here and recorded by the registry (registerAllTools() reports it and the
// server does not start).
void addTool(ToolRegistry &registry, Tool tool);

} // namespace Mcp::ToolSupport
