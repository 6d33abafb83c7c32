// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <memory>

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

namespace Mcp {

namespace Detail {
struct SchemaDocument;
} // namespace Detail

// One broken rule. `path` is the JSON Pointer (RFC 6901) of the offending value inside the instance ("" is the
// instance itself, "/items/3/score" a nested one); for a missing required property it points at the property
// that should be there. `message` starts with the field in the form an agent wrote it ("items[3].score: ...").
struct ValidationError
{
    QString path;
    QString keyword;
    QString message;

    friend bool operator==(const ValidationError &, const ValidationError &) = default;
};

struct ValidationResult
{
    QList<ValidationError> errors;

    bool isValid() const { return errors.isEmpty(); }
    // The messages joined by "; ", ready for an MCP `isError: true` text block.
    QString toString() const;
};

struct JsonSchemaOptions
{
    // JSON Schema 2020-12 validation §7.2.1: `format` is only an annotation by default. Our tools rely on it being
    // checked (dates, e-mail addresses), so by default the formats we know are asserted and an unknown format is
    // refused at compile time. Off: every format is an annotation and nothing is checked.
    bool assertFormats = true;
};

// A JSON Schema (draft 2020-12) compiled once and validated many times: every MCP tools/call checks its arguments
// against the tool's inputSchema before the handler runs.
//
// Supported: type, enum, const, multipleOf, maximum, exclusiveMaximum, minimum, exclusiveMinimum, maxLength,
// minLength, pattern, prefixItems, items, maxItems, minItems, uniqueItems, properties, required,
// additionalProperties, maxProperties, minProperties, allOf, anyOf, oneOf, not, format (date, time, date-time,
// email, uri), $defs, $ref to a JSON Pointer in the same document ("#", "#/$defs/name"), boolean schemas, and
// the annotations title, description, default, examples, deprecated, readOnly, writeOnly, $comment, $schema
// (2020-12 only) and $id (root only). Any other keyword makes compile() fail instead of being ignored, so a
// schema never promises a check that does not happen.
//
// Stricter than the specification, on purpose: a `default` of a top-level property must satisfy that property's
// schema (applyDefaults() would otherwise smuggle an invalid value past validation), and a $ref cycle that
// never descends into the instance is refused rather than looping.
//
// A value type: copies share the immutable compiled tree. Patterns are compiled eagerly; QRegularExpression is
// documented as reentrant only, so share one compiled schema between threads only behind your own guarantee.
class JsonSchema
{
public:
    // A null schema (what a failed compile() returns): validate() rejects every instance, so a tool whose schema
    // did not compile can never run with unchecked arguments.
    JsonSchema();

    // `schema` is an object or a boolean. On failure returns a null schema and, if `error` is given, a message
    // naming the schema location and the problem ("#/properties/since: unknown format \"week\"").
    static JsonSchema compile(const QJsonValue &schema, QString *error, const JsonSchemaOptions &options = {});

    bool isNull() const { return !d; }

    // Every broken rule (at most 64), or an empty list. A valid instance takes one quiet pass that builds no paths
    // or messages (Qt still allocates when it converts a string or runs a pattern); only a failing instance pays
    // for a second pass that collects the errors.
    ValidationResult validate(const QJsonValue &instance) const;
    // validate() without the errors: stops at the first broken rule.
    bool accepts(const QJsonValue &instance) const;

    // `arguments` with the `default` of every top-level property that is absent filled in (MCP tools read their
    // optional arguments after this, so a default lives in exactly one place: the schema).
    QJsonObject applyDefaults(const QJsonObject &arguments) const;

private:
    explicit JsonSchema(std::shared_ptr<const Detail::SchemaDocument> document);

    std::shared_ptr<const Detail::SchemaDocument> d;
};

} // namespace Mcp
