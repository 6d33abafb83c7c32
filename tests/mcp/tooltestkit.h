// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

// Calling MCP tools in tests the way the server does (validate → defaults → handler → check the output against
// the outputSchema), without a transport. Shared by every tst_tools_<toolset>.

#include <QJsonDocument>
#include <QTest>

#include "fakeclock.h"
#include "services.h"
#include "testdatabase.h"
#include "toolregistry.h"

namespace TestUtils {

struct ToolCallOutcome
{
    bool ok = false; // the handler succeeded (ToolOutput), and its structured content matches the outputSchema
    bool isToolError = false; // ToolOutput::isError (a tool-level failure reported as content)
    QJsonObject structured;
    Core::Error error; // when !ok: the handler's or the validation's error
    QString outputSchemaErrors; // non-empty: the handler answered something its outputSchema does not allow
};

class ToolHarness
{
public:
    // `registerFns`: the toolsets under test, e.g. { &Mcp::registerCoreTools }.
    explicit ToolHarness(std::initializer_list<void (*)(Mcp::ToolRegistry &)> registerFns)
    {
        for (auto fn : registerFns)
            fn(registry);
        if (db.isOpen())
            services = std::make_unique<Core::Services>(db.db(), clock);
    }

    bool isReady() const { return services != nullptr; }

    ToolCallOutcome call(const QString &name, const QJsonObject &arguments)
    {
        ToolCallOutcome outcome;
        const Mcp::RegisteredTool *tool = registry.find(name);
        if (!tool) {
            outcome.error = Core::Error::notFound(QStringLiteral("name"), QStringLiteral("no tool ") + name);
            return outcome;
        }
        auto prepared = registry.prepareArguments(*tool, arguments);
        if (!prepared) {
            outcome.error = prepared.error();
            return outcome;
        }
        Mcp::ToolCall call;
        call.arguments = *prepared;
        call.services = services.get();
        call.sessionId = QStringLiteral("test-session");
        call.clientName = QStringLiteral("tst");
        call.reportProgress = [this](double done, double total, const QString &message) {
            progress.append({ done, total, message });
        };
        call.isCancelled = [this] { return cancelRequested; };
        Mcp::ToolResult result = tool->tool.handler(call);
        if (!result) {
            outcome.error = result.error();
            return outcome;
        }
        outcome.structured = result->structuredObject();
        outcome.isToolError = result->isError;
        if (!tool->output.isNull() && !result->isError) {
            const Mcp::ValidationResult check = tool->output.validate(outcome.structured);
            if (!check.isValid()) {
                QStringList messages;
                for (const auto &e : check.errors)
                    messages << e.path + QStringLiteral(": ") + e.message;
                outcome.outputSchemaErrors = messages.join(QStringLiteral("; "));
                return outcome;
            }
        }
        outcome.ok = true;
        return outcome;
    }

    static QString dump(const QJsonObject &json) { return QString::fromUtf8(QJsonDocument(json).toJson()); }

    struct Progress
    {
        double done;
        double total;
        QString message;
    };

    TestDatabase db;
    FakeClock clock;
    Mcp::ToolRegistry registry;
    std::unique_ptr<Core::Services> services;
    QList<Progress> progress;
    bool cancelRequested = false;
};

} // namespace TestUtils

// QVERIFY that a call succeeded and matched its outputSchema, printing why not. `outcome` is evaluated once (it is
// often a call expression).
#define CS_VERIFY_TOOL_OK(outcome)                                                                                     \
    do {                                                                                                               \
        const TestUtils::ToolCallOutcome &csOutcome_ = (outcome);                                                      \
        QVERIFY2(csOutcome_.ok,                                                                                        \
            qPrintable(csOutcome_.outputSchemaErrors.isEmpty()                                                         \
                    ? csOutcome_.error.toString()                                                                      \
                    : QStringLiteral("output schema: ") + csOutcome_.outputSchemaErrors));                             \
    } while (false)
