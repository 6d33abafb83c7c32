// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "toolsupport.h"

#include <cmath>

#include <QJsonDocument>

#include "enumnames.h"
#include "isodate.h"
#include "jsonwriter.h"

using namespace Qt::StringLiterals;

namespace Mcp::Schema {

namespace {

QJsonObject described(QJsonObject schema, const QString &description)
{
    if (!description.isEmpty())
        schema.insert(u"description"_s, description);
    return schema;
}

QJsonObject objectOf(const QJsonObject &properties, const QStringList &required, bool closed)
{
    QJsonObject schema { { u"type"_s, u"object"_s }, { u"properties"_s, properties } };
    if (!required.isEmpty())
        schema.insert(u"required"_s, QJsonArray::fromStringList(required));
    if (closed)
        schema.insert(u"additionalProperties"_s, false);
    return schema;
}

QJsonObject propertiesOf(std::initializer_list<Property> properties)
{
    QJsonObject result;
    for (const Property &p : properties)
        result.insert(p.first, p.second);
    return result;
}

} // namespace

QJsonObject object(std::initializer_list<Property> properties, const QStringList &required)
{
    return objectOf(propertiesOf(properties), required, true);
}

QJsonObject object(const QJsonObject &properties, const QStringList &required)
{
    return objectOf(properties, required, true);
}

QJsonObject openObject(std::initializer_list<Property> properties, const QStringList &required)
{
    return objectOf(propertiesOf(properties), required, false);
}

QJsonObject string(const QString &description, int minLength, int maxLength)
{
    QJsonObject schema { { u"type"_s, u"string"_s } };
    if (minLength > 0)
        schema.insert(u"minLength"_s, minLength);
    if (maxLength > 0)
        schema.insert(u"maxLength"_s, maxLength);
    return described(schema, description);
}

QJsonObject pattern(const QString &description, const QString &regex, int maxLength)
{
    QJsonObject schema = string(description, 0, maxLength);
    schema.insert(u"pattern"_s, regex);
    return schema;
}

QJsonObject integer(const QString &description, std::optional<qint64> minimum, std::optional<qint64> maximum,
    std::optional<qint64> defaultValue)
{
    QJsonObject schema { { u"type"_s, u"integer"_s } };
    if (minimum)
        schema.insert(u"minimum"_s, *minimum);
    if (maximum)
        schema.insert(u"maximum"_s, *maximum);
    if (defaultValue)
        schema.insert(u"default"_s, *defaultValue);
    return described(schema, description);
}

QJsonObject number(const QString &description, std::optional<double> minimum, std::optional<double> maximum,
    std::optional<double> defaultValue)
{
    QJsonObject schema { { u"type"_s, u"number"_s } };
    if (minimum)
        schema.insert(u"minimum"_s, *minimum);
    if (maximum)
        schema.insert(u"maximum"_s, *maximum);
    if (defaultValue)
        schema.insert(u"default"_s, *defaultValue);
    return described(schema, description);
}

QJsonObject boolean(const QString &description, std::optional<bool> defaultValue)
{
    QJsonObject schema { { u"type"_s, u"boolean"_s } };
    if (defaultValue)
        schema.insert(u"default"_s, *defaultValue);
    return described(schema, description);
}

QJsonObject enumOf(const QString &description, const QStringList &values, const QString &defaultValue)
{
    QJsonObject schema { { u"type"_s, u"string"_s }, { u"enum"_s, QJsonArray::fromStringList(values) } };
    if (!defaultValue.isEmpty())
        schema.insert(u"default"_s, defaultValue);
    return described(schema, description);
}

QJsonObject date(const QString &description)
{
    return described({ { u"type"_s, u"string"_s }, { u"format"_s, u"date"_s } }, description);
}

QJsonObject dateTime(const QString &description)
{
    return described({ { u"type"_s, u"string"_s }, { u"format"_s, u"date-time"_s } }, description);
}

QJsonObject email(const QString &description)
{
    return described({ { u"type"_s, u"string"_s }, { u"format"_s, u"email"_s }, { u"maxLength"_s, 254 } }, description);
}

QJsonObject arrayOf(const QJsonObject &items, const QString &description, int maxItems)
{
    QJsonObject schema { { u"type"_s, u"array"_s }, { u"items"_s, items } };
    if (maxItems > 0)
        schema.insert(u"maxItems"_s, maxItems);
    return described(schema, description);
}

QJsonObject nullable(QJsonObject schema)
{
    const QJsonValue type = schema.value(u"type"_s);
    if (type.isString())
        schema.insert(u"type"_s, QJsonArray { type.toString(), u"null"_s });
    // An enum must list null too, or a null value would fail it.
    if (schema.contains(u"enum"_s)) {
        QJsonArray values = schema.value(u"enum"_s).toArray();
        values.append(QJsonValue::Null);
        schema.insert(u"enum"_s, values);
    }
    return schema;
}

QJsonObject anyObject(const QString &description)
{
    return described({ { u"type"_s, u"object"_s } }, description);
}

QJsonObject customerId(const QString &description)
{
    return pattern(description.isEmpty() ? u"The customer's id (client_id is accepted as an alias)."_s : description,
        u"^[a-zA-Z0-9_-]{1,100}$"_s);
}

QJsonObject withPaging(QJsonObject properties)
{
    properties.insert(u"limit"_s, integer(u"Items per page."_s, 1, ToolSupport::kMaxLimit, ToolSupport::kDefaultLimit));
    properties.insert(u"cursor"_s, string(u"next_cursor of the previous page; omit for the first page."_s, 0, 512));
    return properties;
}

QJsonObject listOutput(const QJsonObject &itemSchema, std::initializer_list<Property> extra)
{
    QJsonObject properties {
        { u"items"_s, arrayOf(itemSchema) },
        { u"total"_s, integer(u"How many items match, over all pages."_s, 0) },
        { u"next_cursor"_s, nullable(string(u"Pass as cursor for the next page; null on the last page."_s)) },
    };
    for (const Property &p : extra)
        properties.insert(p.first, p.second);
    return objectOf(properties, { u"items"_s, u"total"_s, u"next_cursor"_s }, false);
}

} // namespace Mcp::Schema

namespace Mcp::ToolSupport {

Storage::ListQuery pageQuery(const QJsonObject &arguments)
{
    Storage::ListQuery query;
    query.limit = arguments.value(u"limit"_s).toInt(kDefaultLimit);
    query.cursor = arguments.value(u"cursor"_s).toString();
    return query;
}

QJsonObject pageJson(const QJsonArray &items, qint64 total, const QString &nextCursor)
{
    return QJsonObject {
        { u"items"_s, items },
        { u"total"_s, total < 0 ? qint64(items.size()) : total },
        { u"next_cursor"_s, nextCursor.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(nextCursor) },
    };
}

void writePageEnd(Domain::JsonWriter &writer, qsizetype items, qint64 total, const QString &nextCursor)
{
    writer.key("next_cursor"_L1);
    if (nextCursor.isEmpty())
        writer.null();
    else
        writer.value(nextCursor);
    writer.key("total"_L1).value(total < 0 ? qint64(items) : total);
}

Core::Result<QJsonObject> pageOfArray(const QJsonArray &all, const QJsonObject &arguments)
{
    const int limit = arguments.value(u"limit"_s).toInt(kDefaultLimit);
    const QString cursor = arguments.value(u"cursor"_s).toString();
    qsizetype offset = 0;
    if (!cursor.isEmpty()) {
        // "o:<offset>" — short, and refusing anything else catches cursors from other tools.
        bool ok = false;
        offset = cursor.startsWith(u"o:"_s) ? cursor.mid(2).toLongLong(&ok) : -1;
        if (!ok || offset < 0 || offset > all.size())
            return Core::Error::invalid(u"cursor"_s, u"not a cursor this tool returned"_s);
    }
    QJsonArray items;
    for (qsizetype i = offset; i < all.size() && items.size() < limit; ++i)
        items.append(all.at(i));
    const qsizetype next = offset + items.size();
    return pageJson(items, all.size(), next < all.size() ? u"o:"_s + QString::number(next) : QString());
}

QJsonValue dateJson(const QDate &date)
{
    return date.isValid() ? QJsonValue(Domain::isoDate(date)) : QJsonValue(QJsonValue::Null);
}

QJsonValue dateTimeJson(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue(QJsonValue::Null);
}

QDate dateArgument(const QJsonObject &arguments, const QString &name)
{
    return QDate::fromString(arguments.value(name).toString(), Qt::ISODate);
}

double rounded(double value, int decimals)
{
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

Tool makeTool(const QString &toolset, QString name, QString title, QString description, QJsonObject input,
    QJsonObject output, ToolAnnotations annotations, bool writes, bool longRunning, ToolHandler handler)
{
    Tool tool;
    tool.name = std::move(name);
    tool.title = std::move(title);
    tool.description = std::move(description);
    tool.toolset = toolset;
    tool.inputSchema = std::move(input);
    tool.outputSchema = std::move(output);
    tool.annotations = annotations;
    tool.writes = writes;
    tool.longRunning = longRunning;
    tool.handler = std::move(handler);
    return tool;
}

void addTool(ToolRegistry &registry, Tool tool)
{
    const QString name = tool.name;
    if (const Core::Status added = registry.add(std::move(tool)); !added)
        qWarning("MCP tool %s not registered: %s", qPrintable(name), qPrintable(added.error().toString()));
}

void writeCustomerSummary(Domain::JsonWriter &w, const Domain::Customer &c)
{
    w.beginObject()
        .key("arr"_L1)
        .value(rounded(c.arr, 2))
        .key("company"_L1)
        .value(c.company)
        .key("currency"_L1)
        .value(c.currency)
        .key("customer_id"_L1)
        .value(c.id)
        .key("lifecycle_stage"_L1)
        .value(Domain::enumName(c.lifecycleStage))
        .key("name"_L1)
        .value(c.name)
        .key("owner"_L1)
        .value(c.owner)
        .key("renewal_date"_L1)
        .dateOrNull(c.renewalDate)
        .key("status"_L1)
        .value(Domain::enumName(c.status))
        .key("tier"_L1)
        .value(Domain::enumName(c.tier))
        .endObject();
}

const QStringList &customerSummaryColumns()
{
    static const QStringList columns { u"id"_s, u"name"_s, u"company"_s, u"tier"_s, u"status"_s, u"lifecycle_stage"_s,
        u"owner"_s, u"arr"_s, u"currency"_s, u"renewal_date"_s };
    return columns;
}

QJsonObject customerSummaryJson(const Domain::Customer &c)
{
    QByteArray json;
    Domain::JsonWriter writer(json);
    writeCustomerSummary(writer, c);
    return QJsonDocument::fromJson(json).object();
}

QJsonObject customerJson(const Domain::Customer &c)
{
    QJsonObject json = customerSummaryJson(c);
    json.insert(u"domain"_s, c.domain);
    json.insert(u"industry"_s, c.industry);
    json.insert(u"mrr"_s, rounded(c.mrr(), 2));
    json.insert(u"contract_type"_s,
        c.contractType == Domain::ContractType::None ? QJsonValue(QJsonValue::Null)
                                                     : QJsonValue(Domain::enumName(c.contractType)));
    json.insert(u"contract_start"_s, dateJson(c.contractStart));
    json.insert(u"contract_end"_s, dateJson(c.contractEnd));
    json.insert(u"churned_at"_s, dateJson(c.churnedAt));
    json.insert(u"custom_fields"_s, QJsonObject::fromVariantMap(c.customFields));
    json.insert(u"version"_s, c.meta.version);
    json.insert(u"created_at"_s, dateTimeJson(c.meta.createdAt));
    json.insert(u"updated_at"_s, dateTimeJson(c.meta.updatedAt));
    return json;
}

QJsonObject customerSummarySchema()
{
    using namespace Schema;
    return openObject(
        {
            { u"customer_id"_s, string({}) },
            { u"name"_s, string({}) },
            { u"company"_s, string({}) },
            { u"tier"_s, enumOf({}, Domain::enumValues<Domain::Tier>()) },
            { u"status"_s, enumOf({}, Domain::enumValues<Domain::CustomerStatus>()) },
            { u"lifecycle_stage"_s, enumOf({}, Domain::enumValues<Domain::LifecycleStage>()) },
            { u"owner"_s, string({}) },
            { u"arr"_s, number({}, 0.0) },
            { u"currency"_s, string({}) },
            { u"renewal_date"_s, nullable(date({})) },
        },
        { u"customer_id"_s, u"name"_s, u"tier"_s, u"status"_s, u"arr"_s });
}

QJsonObject customerSchema()
{
    using namespace Schema;
    QJsonObject schema = customerSummarySchema();
    QJsonObject properties = schema.value(u"properties"_s).toObject();
    properties.insert(u"domain"_s, string({}));
    properties.insert(u"industry"_s, string({}));
    properties.insert(u"mrr"_s, number({}, 0.0));
    QStringList contractTypes = Domain::enumValues<Domain::ContractType>();
    contractTypes.removeAll(QString());
    properties.insert(u"contract_type"_s, nullable(enumOf({}, contractTypes)));
    properties.insert(u"contract_start"_s, nullable(date({})));
    properties.insert(u"contract_end"_s, nullable(date({})));
    properties.insert(u"churned_at"_s, nullable(date({})));
    properties.insert(u"custom_fields"_s, anyObject(u"Imported fields beyond the standard ones."_s));
    properties.insert(u"version"_s, integer(u"Pass back to update tools (optimistic concurrency)."_s, 1));
    properties.insert(u"created_at"_s, dateTime({}));
    properties.insert(u"updated_at"_s, dateTime({}));
    schema.insert(u"properties"_s, properties);
    return schema;
}

} // namespace Mcp::ToolSupport
