// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <functional>

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "error.h"

namespace Core {
class Services;
}

namespace Mcp {

struct PromptArgument
{
    QString name;
    QString title;
    QString description;
    bool required = false;
    // Optional: completion/complete for this argument (up to 100 values matching `prefix`, best first).
    // `context` holds the other arguments already chosen (MCP 2025-06-18 completion context).
    std::function<QStringList(Core::Services &services, const QString &prefix, const QHash<QString, QString> &context)>
        complete;
};

// One message of a prompts/get answer: role "user" or "assistant" and one content block ({"type":"text",...},
// an embedded resource, an image...).
struct PromptMessage
{
    QString role;
    QJsonObject content;

    static PromptMessage userText(const QString &text)
    {
        return { QStringLiteral("user"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("text") }, { QStringLiteral("text"), text } } };
    }
};

struct PromptResult
{
    QString description;
    QList<PromptMessage> messages;
};

struct Prompt
{
    QString name;
    QString title;
    QString description;
    QList<PromptArgument> arguments;
    // Arguments have been checked: every required one is present (else -32602 naming it) and unknown ones
    // refused. The messages are built from stored data (a QBR prompt carries the customer's real numbers).
    std::function<Core::Result<PromptResult>(Core::Services &services, const QHash<QString, QString> &arguments)>
        render;
};

class PromptRegistry
{
public:
    Core::Status add(Prompt prompt);
    const QList<Prompt> &prompts() const { return m_prompts; }
    const Prompt *find(const QString &name) const;

private:
    QList<Prompt> m_prompts;
};

// qbr_preparation, churn_review, renewal_brief (integrations/mcp/prompts/csprompts.cpp).
void registerCsPrompts(PromptRegistry &registry);

} // namespace Mcp
