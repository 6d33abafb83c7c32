// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "conformancefixtures.h"

#include <cmath>
#include <numbers>

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QThread>

#include "promptregistry.h"
#include "resourceregistry.h"
#include "toolregistry.h"

using namespace Qt::StringLiterals;

namespace Mcp {

namespace {

const QString kToolset = u"conformance"_s;

// A 1×1 red RGBA PNG (IHDR, one IDAT, IEND; CRCs checked) — what the suite asks for.
QByteArray redPixelPng()
{
    return QByteArray::fromBase64(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");
}

// 0.1 s of a 440 Hz tone, 8 kHz mono 16-bit PCM in a RIFF/WAVE container.
QByteArray shortWav()
{
    constexpr int rate = 8000;
    constexpr int samples = 800;
    QByteArray pcm;
    pcm.reserve(samples * 2);
    for (int i = 0; i < samples; ++i) {
        const auto value = static_cast<qint16>(8000 * std::sin(2 * std::numbers::pi * 440 * i / rate));
        pcm.append(char(value & 0xff)).append(char((value >> 8) & 0xff));
    }
    const auto le32 = [](quint32 v) {
        QByteArray b(4, Qt::Uninitialized);
        for (int i = 0; i < 4; ++i)
            b[i] = char((v >> (8 * i)) & 0xff);
        return b;
    };
    const auto le16 = [](quint16 v) { return QByteArray { char(v & 0xff), char((v >> 8) & 0xff) }; };
    QByteArray wav;
    wav += "RIFF" + le32(quint32(36 + pcm.size())) + "WAVE";
    wav += "fmt " + le32(16) + le16(1) + le16(1) + le32(rate) + le32(rate * 2) + le16(2) + le16(16);
    wav += "data" + le32(quint32(pcm.size())) + pcm;
    return wav;
}

QJsonObject text(const QString &value)
{
    return { { u"type"_s, u"text"_s }, { u"text"_s, value } };
}

QJsonObject image()
{
    return { { u"type"_s, u"image"_s }, { u"data"_s, QString::fromLatin1(redPixelPng().toBase64()) },
        { u"mimeType"_s, u"image/png"_s } };
}

QJsonObject embedded(const QString &uri, const QString &mimeType, const QString &body)
{
    return { { u"type"_s, u"resource"_s },
        { u"resource"_s, QJsonObject { { u"uri"_s, uri }, { u"mimeType"_s, mimeType }, { u"text"_s, body } } } };
}

QJsonObject noArguments()
{
    return { { u"type"_s, u"object"_s }, { u"properties"_s, QJsonObject() }, { u"additionalProperties"_s, false } };
}

Tool fixtureTool(const QString &name, const QString &description, std::function<ToolOutput(const ToolCall &)> body)
{
    Tool tool;
    tool.name = name;
    tool.title = name;
    tool.description = description;
    tool.toolset = kToolset;
    tool.inputSchema = noArguments();
    tool.handler = [body = std::move(body)](const ToolCall &call) -> ToolResult { return body(call); };
    return tool;
}

ToolOutput contentOnly(QJsonArray content, bool isError = false)
{
    ToolOutput output;
    output.content = std::move(content);
    output.isError = isError;
    return output;
}

void registerTools(ToolRegistry &tools)
{
    const auto add = [&tools](Tool tool) {
        const Core::Status added = tools.add(std::move(tool));
        Q_ASSERT_X(
            added.ok(), "registerConformanceFixtures", qPrintable(added.ok() ? QString() : added.error().message));
    };
    add(fixtureTool(u"test_simple_text"_s, u"Returns one text block."_s,
        [](const ToolCall &) { return contentOnly({ text(u"This is a simple text response for testing."_s) }); }));
    add(fixtureTool(u"test_image_content"_s, u"Returns a 1x1 PNG image."_s,
        [](const ToolCall &) { return contentOnly({ image() }); }));
    add(fixtureTool(u"test_audio_content"_s, u"Returns a short WAV tone."_s, [](const ToolCall &) {
        return contentOnly({ QJsonObject { { u"type"_s, u"audio"_s },
            { u"data"_s, QString::fromLatin1(shortWav().toBase64()) }, { u"mimeType"_s, u"audio/wav"_s } } });
    }));
    add(fixtureTool(u"test_embedded_resource"_s, u"Returns an embedded text resource."_s, [](const ToolCall &) {
        return contentOnly(
            { embedded(u"test://embedded-resource"_s, u"text/plain"_s, u"This is an embedded resource content."_s) });
    }));
    add(fixtureTool(
        u"test_multiple_content_types"_s, u"Returns text, an image and a resource."_s, [](const ToolCall &) {
            const QString json = QString::fromUtf8(QJsonDocument(
                QJsonObject { { u"test"_s, u"data"_s },
                    { u"value"_s, 123 } }).toJson(QJsonDocument::Compact));
            return contentOnly({ text(u"Multiple content types test:"_s), image(),
                embedded(u"test://mixed-content-resource"_s, u"application/json"_s, json) });
        }));
    add(fixtureTool(u"test_error_handling"_s, u"Always fails with isError."_s, [](const ToolCall &) {
        return contentOnly({ text(u"This tool intentionally returns an error for testing"_s) }, true);
    }));

    // The two tools with pauses run on a worker thread (longRunning), as our real long tools do, so the pauses
    // exercise notification delivery from a worker while the MCP thread keeps serving.
    Tool logging = fixtureTool(
        u"test_tool_with_logging"_s, u"Sends three info log messages while it runs."_s, [](const ToolCall &call) {
            call.log(u"info"_s, u"Tool execution started"_s);
            QThread::msleep(50);
            call.log(u"info"_s, u"Tool processing data"_s);
            QThread::msleep(50);
            call.log(u"info"_s, u"Tool execution completed"_s);
            return contentOnly({ text(u"Tool with logging executed successfully"_s) });
        });
    logging.longRunning = true;
    add(std::move(logging));
    Tool progress = fixtureTool(
        u"test_tool_with_progress"_s, u"Reports progress 0, 50 and 100 of 100."_s, [](const ToolCall &call) {
            for (int step = 0; step <= 100; step += 50) {
                if (call.cancelled())
                    return contentOnly({ text(u"cancelled"_s) }, true);
                call.progress(step, 100);
                if (step < 100)
                    QThread::msleep(50);
            }
            return contentOnly({ text(u"Tool with progress executed successfully"_s) });
        });
    progress.longRunning = true;
    add(std::move(progress));

    // SEP-1613: the listing keeps $schema, $defs and additionalProperties as declared.
    Tool schemaTool = fixtureTool(
        u"json_schema_2020_12_tool"_s, u"Tool with JSON Schema 2020-12 features"_s, [](const ToolCall &call) {
            return contentOnly(
                { text(QString::fromUtf8(QJsonDocument(call.arguments).toJson(QJsonDocument::Compact))) });
        });
    const QJsonObject stringType { { u"type"_s, u"string"_s } };
    schemaTool.inputSchema = QJsonObject {
        { u"$schema"_s, u"https://json-schema.org/draft/2020-12/schema"_s },
        { u"type"_s, u"object"_s },
        { u"$defs"_s,
            QJsonObject { { u"address"_s,
                QJsonObject { { u"type"_s, u"object"_s },
                    { u"properties"_s, QJsonObject { { u"street"_s, stringType }, { u"city"_s, stringType } } } } } } },
        { u"properties"_s,
            QJsonObject {
                { u"name"_s, stringType }, { u"address"_s, QJsonObject { { u"$ref"_s, u"#/$defs/address"_s } } } } },
        { u"additionalProperties"_s, false },
    };
    add(std::move(schemaTool));
}

ResourceFamily fixedText(const QString &uri, const QString &name, const QString &description, const QString &body)
{
    ResourceFamily family;
    family.name = name;
    family.title = name;
    family.description = description;
    family.mimeType = u"text/plain"_s;
    family.uri = uri;
    family.read = [uri, body](Core::Services &, const QString &) -> Core::Result<QList<ResourceContent>> {
        return QList<ResourceContent> { ResourceContent { uri, u"text/plain"_s, body, {}, false } };
    };
    return family;
}

void registerResources(ResourceRegistry &resources)
{
    const auto add = [&resources](ResourceFamily family) {
        const Core::Status added = resources.add(std::move(family));
        Q_ASSERT(added.ok());
    };
    add(fixedText(u"test://static-text"_s, u"static-text"_s, u"A static text resource for the conformance suite."_s,
        u"This is the content of the static text resource."_s));
    add(fixedText(u"test://watched-resource"_s, u"watched-resource"_s,
        u"A resource clients subscribe to in the conformance suite."_s, u"Watched resource content."_s));

    ResourceFamily binary;
    binary.name = u"static-binary"_s;
    binary.title = binary.name;
    binary.description = u"A static binary resource (a 1x1 PNG) for the conformance suite."_s;
    binary.mimeType = u"image/png"_s;
    binary.uri = u"test://static-binary"_s;
    binary.read = [](Core::Services &, const QString &uri) -> Core::Result<QList<ResourceContent>> {
        return QList<ResourceContent> { ResourceContent { uri, u"image/png"_s, {}, redPixelPng(), true } };
    };
    add(std::move(binary));

    ResourceFamily templated;
    templated.name = u"template-data"_s;
    templated.title = templated.name;
    templated.description = u"A resource template whose {id} is substituted into the answer."_s;
    templated.mimeType = u"application/json"_s;
    templated.uriTemplate = u"test://template/{id}/data"_s;
    static const QRegularExpression shape(u"^test://template/([^/]+)/data$"_s);
    templated.matches = [](const QString &uri) { return shape.match(uri).hasMatch(); };
    templated.read = [](Core::Services &, const QString &uri) -> Core::Result<QList<ResourceContent>> {
        const QString id = shape.match(uri).captured(1);
        const QJsonObject body { { u"id"_s, id }, { u"templateTest"_s, true },
            { u"data"_s, QString(u"Data for ID: "_s + id) } };
        return QList<ResourceContent> { ResourceContent { uri, u"application/json"_s,
            QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Compact)), {}, false } };
    };
    add(std::move(templated));
}

void registerPrompts(PromptRegistry &prompts)
{
    const auto add = [&prompts](Prompt prompt) {
        const Core::Status added = prompts.add(std::move(prompt));
        Q_ASSERT(added.ok());
    };
    add(Prompt { u"test_simple_prompt"_s, u"Simple prompt"_s, u"A prompt without arguments."_s, {},
        [](Core::Services &, const QHash<QString, QString> &) -> Core::Result<PromptResult> {
            return PromptResult { {}, { PromptMessage::userText(u"This is a simple prompt for testing."_s) } };
        } });

    PromptArgument arg1 { u"arg1"_s, u"First argument"_s, u"First test argument"_s, true, {} };
    // Completion candidates for the suite's completion-complete scenario (it asks for arg1 = "test"/"par").
    arg1.complete = [](Core::Services &, const QString &prefix, const QHash<QString, QString> &) {
        QStringList values;
        const QStringList candidates { u"paris"_s, u"park"_s, u"party"_s, u"test"_s, u"testing"_s };
        for (const QString &candidate : candidates) {
            if (candidate.startsWith(prefix, Qt::CaseInsensitive))
                values.append(candidate);
        }
        return values;
    };
    add(Prompt { u"test_prompt_with_arguments"_s, u"Prompt with arguments"_s,
        u"A prompt with two required arguments."_s,
        { arg1, PromptArgument { u"arg2"_s, u"Second argument"_s, u"Second test argument"_s, true, {} } },
        [](Core::Services &, const QHash<QString, QString> &args) -> Core::Result<PromptResult> {
            return PromptResult { {},
                { PromptMessage::userText(u"Prompt with arguments: arg1='"_s + args.value(u"arg1"_s) + u"', arg2='"_s
                    + args.value(u"arg2"_s) + u"'"_s) } };
        } });
    add(Prompt { u"test_prompt_with_embedded_resource"_s, u"Prompt with an embedded resource"_s,
        u"A prompt that embeds the resource it is given."_s,
        { PromptArgument { u"resourceUri"_s, u"Resource URI"_s, u"URI of the resource to embed"_s, true, {} } },
        [](Core::Services &, const QHash<QString, QString> &args) -> Core::Result<PromptResult> {
            return PromptResult { {},
                { PromptMessage { u"user"_s,
                      embedded(
                          args.value(u"resourceUri"_s), u"text/plain"_s, u"Embedded resource content for testing."_s) },
                    PromptMessage::userText(u"Please process the embedded resource above."_s) } };
        } });
    add(Prompt { u"test_prompt_with_image"_s, u"Prompt with an image"_s, u"A prompt that carries an image."_s, {},
        [](Core::Services &, const QHash<QString, QString> &) -> Core::Result<PromptResult> {
            return PromptResult { {},
                { PromptMessage { u"user"_s, image() },
                    PromptMessage::userText(u"Please analyze the image above."_s) } };
        } });
}

} // namespace

void registerConformanceFixtures(ToolRegistry &tools, ResourceRegistry &resources, PromptRegistry &prompts)
{
    registerTools(tools);
    registerResources(resources);
    registerPrompts(prompts);
}

} // namespace Mcp
