// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
//
// libFuzzer target for Mcp::JsonSchema (our draft 2020-12 subset): every MCP tools/call checks an agent's arguments
// with it. The input is a schema document on the first line and an instance document after it (either may be any
// JSON value, not only an object). Never crashes or overflows the stack (ASan/UBSan), and checks what callers rely
// on: compile() gives a schema or an error message, never both or neither; a schema that did not compile rejects
// everything; validate() and accepts() agree; at most 64 errors, each with a keyword, a message that names the field
// ("items[3].score: ..."), and a JSON Pointer to a value of the instance (or, for a missing property, to a property
// of an object of the instance); the same answer twice; applyDefaults() only adds properties. Built with libFuzzer by
// tests/fuzz/CMakeLists.txt; the seed corpus is replayed in every build by fuzz_jsonschema_replay
// (tests/mcp/CMakeLists.txt).
#include <cstdint>
#include <optional>

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include "fuzzcheck.h"
#include "jsonschema.h"

using namespace Qt::StringLiterals;

namespace {

// Any JSON value (RFC 8259 allows scalars at the top): parsed inside an array of one.
std::optional<QJsonValue> parseValue(QByteArrayView bytes)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray("[") + bytes + ']', &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray() || doc.array().size() != 1)
        return std::nullopt;
    return doc.array().at(0);
}

// RFC 6901: the value `pointer` names in `root`, following all tokens but the last when `allowMissingLast` (a
// required property that is absent is named by where it should be).
bool resolves(const QJsonValue &root, const QString &pointer, bool allowMissingLast)
{
    if (pointer.isEmpty())
        return true;
    if (!pointer.startsWith(u'/'))
        return false;
    const QStringList tokens = pointer.mid(1).split(u'/');
    QJsonValue at = root;
    for (qsizetype i = 0; i < tokens.size(); ++i) {
        QString token = tokens.at(i);
        token.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
        const bool last = i == tokens.size() - 1;
        if (at.isObject()) {
            const QJsonObject object = at.toObject();
            if (!object.contains(token))
                return last && allowMissingLast;
            at = object.value(token);
        } else if (at.isArray()) {
            bool ok = false;
            const qsizetype index = token.toLongLong(&ok);
            if (!ok || index < 0 || index >= at.toArray().size())
                return false;
            at = at.toArray().at(index);
        } else {
            return false;
        }
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype newline = input.indexOf('\n');
    const std::optional<QJsonValue> schemaJson = parseValue(newline < 0 ? input : input.first(newline));
    if (!schemaJson)
        return 0;
    const std::optional<QJsonValue> instance
        = newline < 0 ? std::optional<QJsonValue>(QJsonValue(QJsonObject())) : parseValue(input.sliced(newline + 1));

    for (const bool assertFormats : { true, false }) {
        QString error = u"unset"_s;
        const Mcp::JsonSchema schema = Mcp::JsonSchema::compile(*schemaJson, &error, { assertFormats });
        FUZZ_CHECK(schema.isNull() == !error.isEmpty());
        FUZZ_CHECK(schema.isNull() || error.isEmpty());
        FUZZ_CHECK(!schema.isNull() || error.startsWith(u'#'));
        if (!instance)
            continue;

        const Mcp::ValidationResult result = schema.validate(*instance);
        const bool accepted = schema.accepts(*instance);
        FUZZ_CHECK(result.isValid() == accepted);
        FUZZ_CHECK(!schema.isNull() || !accepted);
        FUZZ_CHECK(result.errors.size() <= 64);
        for (const Mcp::ValidationError &e : result.errors) {
            FUZZ_CHECK(!e.keyword.isEmpty());
            FUZZ_CHECK(e.message.contains(u": "_s));
            FUZZ_CHECK(!e.path.isEmpty() || e.message.startsWith(u"(root): "_s));
            FUZZ_CHECK(resolves(*instance, e.path, e.keyword == u"required"_s));
        }
        FUZZ_CHECK(result.isValid() || !result.toString().isEmpty());
        FUZZ_CHECK(schema.validate(*instance).errors == result.errors);

        if (instance->isObject()) {
            const QJsonObject arguments = instance->toObject();
            const QJsonObject filled = schema.applyDefaults(arguments);
            FUZZ_CHECK(filled.size() >= arguments.size());
            for (auto it = arguments.constBegin(); it != arguments.constEnd(); ++it)
                FUZZ_CHECK(filled.value(it.key()) == it.value());
        }
    }
    return 0;
}
