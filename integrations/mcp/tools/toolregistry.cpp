// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "toolregistry.h"

#include <QJsonArray>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Mcp {

namespace {

// "/filters/0/tier" → "filters[0].tier": the way a person (or a model) names a field.
QString fieldName(const QString &pointer)
{
    QString field;
    const QStringList steps = pointer.split(u'/', Qt::SkipEmptyParts);
    for (const QString &raw : steps) {
        QString step = raw;
        step.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
        bool isIndex = false;
        step.toInt(&isIndex);
        if (isIndex)
            field += u'[' + step + u']';
        else
            field += (field.isEmpty() ? QString() : u"."_s) + step;
    }
    return field;
}

QJsonObject annotationsJson(const Tool &tool)
{
    return QJsonObject {
        { u"title"_s, tool.title },
        { u"readOnlyHint"_s, tool.annotations.readOnly },
        { u"destructiveHint"_s, tool.annotations.destructive },
        { u"idempotentHint"_s, tool.annotations.idempotent },
        { u"openWorldHint"_s, tool.annotations.openWorld },
    };
}

} // namespace

bool ToolRegistry::isValidName(const QString &name)
{
    static const QRegularExpression pattern(u"^[a-zA-Z0-9_-]{1,64}$"_s);
    return pattern.match(name).hasMatch();
}

Core::Status ToolRegistry::add(Tool tool)
{
    Core::Status added = addChecked(std::move(tool));
    if (!added)
        m_errors.append(added.error().message);
    return added;
}

Core::Status ToolRegistry::addChecked(Tool tool)
{
    const auto refuse = [&tool](const QString &field, const QString &why) -> Core::Status {
        return Core::Error::invalid(field, u"tool \""_s + tool.name + u"\": "_s + why);
    };
    if (!isValidName(tool.name))
        return refuse(u"name"_s, u"name must match ^[a-zA-Z0-9_-]{1,64}$"_s);
    if (m_byName.contains(tool.name))
        return refuse(u"name"_s, u"registered twice"_s);
    if (tool.title.isEmpty() || tool.description.isEmpty())
        return refuse(u"description"_s, u"title and description are required"_s);
    if (tool.toolset.isEmpty())
        return refuse(u"toolset"_s, u"no toolset"_s);
    if (!tool.handler)
        return refuse(u"handler"_s, u"no handler"_s);
    if (tool.inputSchema.value(u"type"_s).toString() != u"object"_s
        || tool.inputSchema.value(u"additionalProperties"_s) != QJsonValue(false))
        return refuse(u"inputSchema"_s, u"inputSchema must be an object schema with additionalProperties: false"_s);
    if (!tool.outputSchema.isEmpty() && tool.outputSchema.value(u"type"_s).toString() != u"object"_s)
        return refuse(u"outputSchema"_s, u"outputSchema must be an object schema"_s);

    auto registered = std::make_unique<RegisteredTool>();
    QString error;
    registered->input = JsonSchema::compile(tool.inputSchema, &error);
    if (registered->input.isNull())
        return refuse(u"inputSchema"_s, error);
    if (!tool.outputSchema.isEmpty()) {
        registered->output = JsonSchema::compile(tool.outputSchema, &error);
        if (registered->output.isNull())
            return refuse(u"outputSchema"_s, error);
    }

    registered->descriptor = QJsonObject {
        { u"name"_s, tool.name },
        { u"title"_s, tool.title },
        { u"description"_s, tool.description },
        { u"inputSchema"_s, tool.inputSchema },
        { u"annotations"_s, annotationsJson(tool) },
    };
    if (!tool.outputSchema.isEmpty())
        registered->descriptor.insert(u"outputSchema"_s, tool.outputSchema);
    registered->tool = std::move(tool);
    m_byName.insert(registered->tool.name, registered.get());
    m_tools.push_back(std::move(registered));
    return {};
}

const RegisteredTool *ToolRegistry::find(const QString &name) const
{
    return m_byName.value(name, nullptr);
}

QList<const RegisteredTool *> ToolRegistry::tools(const QStringList &toolsets) const
{
    QList<const RegisteredTool *> result;
    result.reserve(qsizetype(m_tools.size()));
    for (const auto &tool : m_tools) {
        if (toolsets.isEmpty() || toolsets.contains(tool->tool.toolset))
            result.append(tool.get());
    }
    return result;
}

QStringList ToolRegistry::toolsets() const
{
    QStringList names;
    for (const auto &tool : m_tools) {
        if (!names.contains(tool->tool.toolset))
            names.append(tool->tool.toolset);
    }
    return names;
}

Core::Result<QJsonObject> ToolRegistry::prepareArguments(const RegisteredTool &tool, const QJsonObject &arguments) const
{
    QJsonObject args = arguments;
    // TOOLS.md: `client_id` is accepted as an alias of `customer_id` so prompts written for the old server work.
    static const QString kAlias = u"client_id"_s;
    static const QString kCustomerId = u"customer_id"_s;
    if (args.contains(kAlias) && tool.tool.inputSchema.value(u"properties"_s).toObject().contains(kCustomerId)
        && !tool.tool.inputSchema.value(u"properties"_s).toObject().contains(kAlias)) {
        const QJsonValue alias = args.take(kAlias);
        if (args.contains(kCustomerId) && args.value(kCustomerId) != alias)
            return Core::Error::invalid(kAlias, u"client_id and customer_id name different customers; send one"_s);
        args.insert(kCustomerId, alias);
    }
    const ValidationResult validation = tool.input.validate(args);
    if (!validation.isValid()) {
        // The validator's messages already start with the value's name ("limit: must be at most 200").
        QStringList messages;
        for (const ValidationError &e : validation.errors)
            messages.append(e.message);
        return Core::Error::invalid(fieldName(validation.errors.constFirst().path), messages.join(u"; "_s));
    }
    return tool.input.applyDefaults(args);
}

} // namespace Mcp
