// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "error.h"
#include "jsonschema.h"

namespace Core {
class Services;
}

namespace Mcp {

// MCP tool annotations (spec "Tools" §Tool Annotations). Hints for the client, never a security boundary: the
// server enforces what matters (audit, "ask me first") from Tool::writes, not from these.
struct ToolAnnotations
{
    bool readOnly = true;
    bool destructive = false;
    bool idempotent = true;
    bool openWorld = false; // true only where the tool reaches a vendor
};

// One call of a tool, as the handler sees it. `arguments` have been validated against the tool's inputSchema and
// have every top-level default filled in; `client_id` has already been renamed to `customer_id`.
struct ToolCall
{
    QJsonObject arguments;
    Core::Services *services = nullptr; // the services of the thread the handler runs on
    QString sessionId;
    QString clientName; // clientInfo.name from initialize, for the audit log

    // Long tools: report how far they are (`total` may be unknown: <= 0). The protocol layer turns this into
    // notifications/progress only when the client sent a progressToken; otherwise it costs nothing.
    std::function<void(double progress, double total, const QString &message)> reportProgress;
    // True once the client cancelled the request (notifications/cancelled). A long tool checks it between steps
    // and returns Core::ErrorCode::Cancelled; the protocol layer then sends nothing (spec: no response).
    std::function<bool()> isCancelled;
    // Log messages for the client (notifications/message, "Logging" utility): `level` is an RFC 5424 name
    // ("debug", "info", "notice", "warning", "error", ...). Delivered only when the session's logging/setLevel
    // allows it; costs nothing otherwise. Never pass secrets.
    std::function<void(const QString &level, const QJsonValue &data)> reportLog;

    void progress(double done, double total, const QString &message = {}) const
    {
        if (reportProgress)
            reportProgress(done, total, message);
    }
    bool cancelled() const { return isCancelled && isCancelled(); }
    void log(const QString &level, const QJsonValue &data) const
    {
        if (reportLog)
            reportLog(level, data);
    }
};

// What a handler returns. Our tools answer `structured` (the structuredContent object; it must match the tool's
// outputSchema, tests check that) and the protocol layer adds the same JSON as a text block. A tool that needs
// other content (images, embedded resources: the conformance fixtures) fills `content` itself. `isError` is a
// tool-level failure the tool reports as content (MCP "Tools" §Error Handling).
//
// A tool on the hot path may write its structuredContent as bytes instead (ToolOutput::serialized, with JsonWriter):
// `structuredJson` then holds the compact JSON of that object and `structured` stays empty; structuredObject() reads
// either.
struct ToolOutput
{
    QJsonObject structured;
    QByteArray structuredJson;
    QJsonArray content;
    bool isError = false;

    ToolOutput() = default;
    ToolOutput(QJsonObject structuredContent) // NOLINT(google-explicit-constructor): handlers `return QJsonObject{...}`
        : structured(std::move(structuredContent))
    { }
    static ToolOutput serialized(QByteArray json)
    {
        ToolOutput output;
        output.structuredJson = std::move(json);
        return output;
    }
    QJsonObject structuredObject() const
    {
        return structuredJson.isEmpty() ? structured : QJsonDocument::fromJson(structuredJson).object();
    }
};

// A ToolOutput or an Error. InvalidArgument/NotFound/Conflict/AlreadyExists become `isError: true` results naming
// `field` so the model can correct itself; Storage errors do too, with a message that leaks no SQL; Cancelled
// means the client cancelled and nothing is sent.
class ToolResult : public Core::Result<ToolOutput>
{
public:
    using Core::Result<ToolOutput>::Result;
    ToolResult(QJsonObject structured) // NOLINT(google-explicit-constructor)
        : Core::Result<ToolOutput>(ToolOutput(std::move(structured)))
    { }
};

using ToolHandler = std::function<ToolResult(const ToolCall &call)>;

struct Tool
{
    QString name; // ^[a-zA-Z0-9_-]{1,64}$
    QString title;
    QString description;
    QString toolset; // "core", "onboarding", "health", "retention", "communication", "support", "expansion",
                     // "feedback", "monitors", "search"; the conformance fixtures use "conformance"
    QJsonObject inputSchema; // JSON Schema 2020-12, type object, additionalProperties false
    QJsonObject outputSchema; // type object; empty only for the conformance fixtures (tests check ours have one)
    ToolAnnotations annotations;
    bool writes = false; // changes stored data: audited, may need the CSM's approval ("ask me first")
    bool longRunning = false; // runs on a worker thread with its own Services; progress and cancellation
    ToolHandler handler;
};

struct RegisteredTool
{
    Tool tool;
    JsonSchema input;
    JsonSchema output; // null when the tool has no outputSchema
    // The MCP `Tool` object as tools/list shows it (name, title, description, inputSchema, outputSchema,
    // annotations), built once.
    QJsonObject descriptor;
};

// All tools, declared once. Registration fails (and says why) for a bad or duplicate name, a schema our validator
// cannot compile, an input schema that is not a closed object, or a missing handler; tst_mcptools registers every
// tool and checks that nothing failed.
class ToolRegistry
{
public:
    Core::Status add(Tool tool);
    // Every refusal of add() so far ("tool \"x\": ..."), so a registration function that only logs a failure
    // cannot hide it: registerAllTools() returns these and the server refuses to start with any.
    const QStringList &registrationErrors() const { return m_errors; }

    const RegisteredTool *find(const QString &name) const;
    // Registration order, restricted to `toolsets` (empty = every toolset).
    QList<const RegisteredTool *> tools(const QStringList &toolsets = {}) const;
    QStringList toolsets() const;
    int size() const { return int(m_tools.size()); }

    // Validation and the `client_id` alias, in one place for every tool: returns the arguments with defaults
    // applied, or an InvalidArgument error naming the field ("limit: must be at most 200").
    Core::Result<QJsonObject> prepareArguments(const RegisteredTool &tool, const QJsonObject &arguments) const;

    static bool isValidName(const QString &name);

private:
    Core::Status addChecked(Tool tool);

    std::vector<std::unique_ptr<RegisteredTool>> m_tools;
    QStringList m_errors;
    QHash<QString, const RegisteredTool *> m_byName;
};

// Registration functions, one per toolset source file (integrations/mcp/tools/<toolset>tools.cpp).
void registerCoreTools(ToolRegistry &registry);
void registerOnboardingTools(ToolRegistry &registry);
void registerHealthTools(ToolRegistry &registry);
void registerRetentionTools(ToolRegistry &registry);
void registerCommunicationTools(ToolRegistry &registry);
void registerSupportTools(ToolRegistry &registry);
void registerExpansionTools(ToolRegistry &registry);
void registerFeedbackTools(ToolRegistry &registry);
void registerMonitorTools(ToolRegistry &registry);
void registerSearchTools(ToolRegistry &registry); // resolve_customer, search, import_records, train_churn_model
// Every toolset above; returns the errors of tools that failed to register (empty when all is well).
QStringList registerAllTools(ToolRegistry &registry);

} // namespace Mcp
