// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include <algorithm>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QTest>

#include "jsonschema.h"

using namespace Qt::StringLiterals;
using Mcp::JsonSchema;
using Mcp::JsonSchemaOptions;
using Mcp::ValidationError;
using Mcp::ValidationResult;

// Declared before the JSON fixtures: moc 6.4 loses track of the class after some multi-line raw strings.
class TestJsonSchema final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void suite_data();
    void suite();
    void skipTableIsExact();

    void errorMessages_data();
    void errorMessages();
    void collectsEveryError();
    void errorsAreCapped();
    void validInstanceHasNoErrors();

    void compileRejects_data();
    void compileRejects();

    void refs_data();
    void refs();
    void ecmaPatterns_data();
    void ecmaPatterns();
    void exactIntegers();
    void uniqueItemsOnLongArrays();
    void formatAssertionCanBeTurnedOff();
    void deepNestingIsRefused();
    void longRefChainsCompile();
    void nullSchemaRejectsEverything();
    void applyDefaults();
    void copiesShareTheCompiledSchema();
};

namespace {

// The official JSON-Schema-Test-Suite (draft 2020-12) files of every keyword the validator claims. Each case in them
// must pass, except the groups listed in kSuiteSkips.
const char *const kSuiteFiles[] = {
    "type.json",
    "properties.json",
    "required.json",
    "additionalProperties.json",
    "enum.json",
    "const.json",
    "minimum.json",
    "maximum.json",
    "exclusiveMinimum.json",
    "exclusiveMaximum.json",
    "multipleOf.json",
    "minLength.json",
    "maxLength.json",
    "pattern.json",
    "items.json",
    "prefixItems.json",
    "minItems.json",
    "maxItems.json",
    "uniqueItems.json",
    "minProperties.json",
    "maxProperties.json",
    "anyOf.json",
    "oneOf.json",
    "allOf.json",
    "not.json",
    "boolean_schema.json",
    "defs.json",
    "optional/format/date.json",
    "optional/format/time.json",
    "optional/format/date-time.json",
    "optional/format/email.json",
    "optional/format/uri.json",
};

// Groups skipped because their schema relies on a keyword we deliberately do not support. Each entry names the group
// exactly; its cases are still run far enough to prove compile() refuses the schema for that very keyword, and an
// entry that no longer matches a group fails skipTableIsExact(). Nothing else may be skipped.
struct SuiteSkip
{
    const char *file;
    const char *group;
    const char *refusedKeyword; // what compile()'s error must mention
    const char *reason;
};

const SuiteSkip kSuiteSkips[] = {
    { "properties.json", "properties, patternProperties, additionalProperties interaction", "patternProperties",
        "patternProperties is not supported (compile() refuses it)" },
    { "additionalProperties.json", "additionalProperties being false does not allow other properties",
        "patternProperties", "patternProperties is not supported (compile() refuses it)" },
    { "additionalProperties.json", "non-ASCII pattern with additionalProperties", "patternProperties",
        "patternProperties is not supported (compile() refuses it)" },
    { "additionalProperties.json", "additionalProperties with propertyNames", "propertyNames",
        "propertyNames is not supported (compile() refuses it)" },
    { "additionalProperties.json", "dependentSchemas with additionalProperties", "dependentSchemas",
        "dependentSchemas is not supported (compile() refuses it)" },
    { "not.json", "collect annotations inside a 'not', even if collection is disabled", "unevaluatedProperties",
        "unevaluatedProperties is not supported (compile() refuses it)" },
    { "defs.json", "validate definition against metaschema", "https://json-schema.org/draft/2020-12/schema",
        "remote $ref (to the 2020-12 metaschema) is not supported: only references within the schema are" },
};

QString suiteDir()
{
    // SOURCE.md: an environment variable may point elsewhere; CMake passes the default location.
    const QString fromEnvironment = qEnvironmentVariable("CS_JSON_SCHEMA_TEST_SUITE_DIR");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
#ifdef CS_JSON_SCHEMA_TEST_SUITE_DIR
    return QStringLiteral(CS_JSON_SCHEMA_TEST_SUITE_DIR);
#else
    return {};
#endif
}

QString suiteMissingMessage()
{
    return u"JSON-Schema-Test-Suite not found (looked in \""_s + suiteDir()
        + u"\"): put it at ../shared/json-schema-test-suite/draft2020-12 next to the source tree or set "
          u"CS_JSON_SCHEMA_TEST_SUITE_DIR";
}

bool suiteAvailable()
{
    return !suiteDir().isEmpty() && QDir(suiteDir()).exists();
}

// Without the suite its cases skip, with the reason; where it must be there (CS_REQUIRE_SCHEMA_SUITE=1, set by
// tests/run-all.sh and so by CI) its absence fails instead, so a green run always means the suite ran.
#define SKIP_OR_FAIL_WITHOUT_SUITE()                                                                                   \
    do {                                                                                                               \
        if (!suiteAvailable()) {                                                                                       \
            if (qEnvironmentVariable("CS_REQUIRE_SCHEMA_SUITE") == u"1"_s)                                             \
                QFAIL(qPrintable(suiteMissingMessage()));                                                              \
            QSKIP(qPrintable(suiteMissingMessage()));                                                                  \
        }                                                                                                              \
    } while (false)

const SuiteSkip *findSkip(const QString &file, const QString &group)
{
    for (const SuiteSkip &skip : kSuiteSkips) {
        if (file == QLatin1String(skip.file) && group == QString::fromUtf8(skip.group))
            return &skip;
    }
    return nullptr;
}

QJsonArray loadSuiteFile(const QString &file, QString *error)
{
    QFile f(QDir(suiteDir()).filePath(file));
    if (!f.open(QIODevice::ReadOnly)) {
        *error = u"cannot open "_s + f.fileName();
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &parseError);
    if (!doc.isArray() || doc.array().isEmpty()) {
        *error = f.fileName() + u": not a list of test groups: " + parseError.errorString();
        return {};
    }
    return doc.array();
}

// Parses any JSON text, scalars included.
QJsonValue json(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text + "]", &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in the test: %s: %s", text.constData(), qPrintable(error.errorString()));
    return doc.array().first();
}

JsonSchema compileOrDie(const QByteArray &schemaText, const JsonSchemaOptions &options = {})
{
    QString error;
    const JsonSchema schema = JsonSchema::compile(json(schemaText), &error, options);
    if (schema.isNull())
        qFatal("schema did not compile: %s", qPrintable(error));
    return schema;
}

QString describe(const ValidationResult &result)
{
    QStringList lines;
    for (const ValidationError &e : result.errors)
        lines.append(u"{\""_s + e.path + u"\", " + e.keyword + u", \"" + e.message + u"\"}");
    return lines.isEmpty() ? u"valid"_s : lines.join(u"; ");
}

// A schema shaped like our tools' inputSchemas (TOOLS.md conventions).
const QByteArray kToolSchema = R"({
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": false,
    "required": ["customer_id"],
    "properties": {
        "customer_id": {"type": "string", "pattern": "^[a-zA-Z0-9_-]{1,100}$", "description": "Customer id"},
        "limit": {"type": "integer", "minimum": 1, "maximum": 200, "default": 25},
        "cursor": {"type": "string"},
        "since": {"type": "string", "format": "date"},
        "at": {"type": "string", "format": "date-time"},
        "tier": {"enum": ["enterprise", "mid_market", "smb"]},
        "contact_email": {"type": "string", "format": "email"},
        "website": {"type": "string", "format": "uri"},
        "score": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 100, "multipleOf": 0.5},
        "code": {"type": "string", "minLength": 2, "maxLength": 3},
        "tags": {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": true, "maxItems": 3},
        "items": {"type": "array", "minItems": 1,
                  "items": {"type": "object", "required": ["score"], "properties": {"score": {"type": "integer"}}}},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "channel": {"oneOf": [{"const": "email"}, {"type": "string", "maxLength": 5}]},
        "filters": {"type": "object", "minProperties": 1, "maxProperties": 2},
        "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false},
        "kind": {"const": "renewal"},
        "exclude": {"not": {"enum": ["churned"]}},
        "dry_run": {"type": "boolean", "default": false}
    }
})";

} // namespace

void TestJsonSchema::suite_data()
{
    QTest::addColumn<QJsonValue>("schema");
    QTest::addColumn<QJsonValue>("instance");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("skipReason");
    QTest::addColumn<QString>("refusedKeyword");
    QTest::addColumn<QString>("problem");

    if (!suiteAvailable()) {
        QTest::newRow("suite missing") << QJsonValue() << QJsonValue() << false << suiteMissingMessage() << QString()
                                       << QString();
        return;
    }
    for (const char *name : kSuiteFiles) {
        const QString file = QString::fromUtf8(name);
        QString error;
        const QJsonArray groups = loadSuiteFile(file, &error);
        if (groups.isEmpty()) {
            // A claimed file that vanished must fail, not silently test nothing.
            QTest::addRow("%s", name) << QJsonValue() << QJsonValue() << false << QString() << QString() << error;
            continue;
        }
        for (const QJsonValue &groupValue : groups) {
            const QJsonObject group = groupValue.toObject();
            const QString groupName = group.value(u"description"_s).toString();
            const SuiteSkip *skip = findSkip(file, groupName);
            for (const QJsonValue &caseValue : group.value(u"tests"_s).toArray()) {
                const QJsonObject testCase = caseValue.toObject();
                QTest::addRow("%s | %s | %s", name, qPrintable(groupName),
                    qPrintable(testCase.value(u"description"_s).toString()))
                    << group.value(u"schema"_s) << testCase.value(u"data"_s) << testCase.value(u"valid"_s).toBool()
                    << (skip ? QString::fromUtf8(skip->reason) : QString())
                    << (skip ? QString::fromUtf8(skip->refusedKeyword) : QString()) << QString();
            }
        }
    }
}

void TestJsonSchema::suite()
{
    QFETCH(QJsonValue, schema);
    QFETCH(QJsonValue, instance);
    QFETCH(bool, valid);
    QFETCH(QString, skipReason);
    QFETCH(QString, refusedKeyword);
    QFETCH(QString, problem);

    if (!problem.isEmpty())
        QFAIL(qPrintable(problem));
    SKIP_OR_FAIL_WITHOUT_SUITE();

    QString error;
    const JsonSchema compiled = JsonSchema::compile(schema, &error);
    if (!skipReason.isEmpty()) {
        // A skip stays honest only while the feature is really refused, and refused for the stated reason.
        QVERIFY2(compiled.isNull(), "this skipped group compiles now: run it instead (remove it from kSuiteSkips)");
        QVERIFY2(error.contains(refusedKeyword), qPrintable(error));
        QSKIP(qPrintable(skipReason));
    }
    QVERIFY2(!compiled.isNull(), qPrintable(error));

    const ValidationResult result = compiled.validate(instance);
    QVERIFY2(result.isValid() == valid,
        qPrintable(u"expected "_s + (valid ? u"valid"_s : u"invalid"_s) + u", got " + describe(result)));
    QCOMPARE(compiled.accepts(instance), valid);
    for (const ValidationError &e : result.errors) {
        QVERIFY(!e.keyword.isEmpty());
        QVERIFY(!e.message.isEmpty());
    }
}

void TestJsonSchema::skipTableIsExact()
{
    SKIP_OR_FAIL_WITHOUT_SUITE();
    for (const SuiteSkip &skip : kSuiteSkips) {
        QString error;
        const QJsonArray groups = loadSuiteFile(QString::fromUtf8(skip.file), &error);
        QVERIFY2(!groups.isEmpty(), qPrintable(error));
        const bool found = std::any_of(groups.begin(), groups.end(), [&](const QJsonValue &g) {
            return g.toObject().value(u"description"_s).toString() == QString::fromUtf8(skip.group);
        });
        QVERIFY2(found,
            qPrintable(u"kSuiteSkips names a group the suite no longer has: "_s + QString::fromUtf8(skip.file) + u" | "
                + QString::fromUtf8(skip.group)));
        QVERIFY2(std::any_of(std::begin(kSuiteFiles), std::end(kSuiteFiles),
                     [&](const char *f) { return qstrcmp(f, skip.file) == 0; }),
            skip.file);
    }
}

void TestJsonSchema::errorMessages_data()
{
    QTest::addColumn<QByteArray>("instance");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("keyword");
    QTest::addColumn<QString>("message");

    QTest::addRow("missing required") << QByteArray(R"({})") << u"/customer_id"_s << u"required"_s
                                      << u"customer_id: required property is missing"_s;
    QTest::addRow("above maximum") << QByteArray(R"({"customer_id": "c1", "limit": 500})") << u"/limit"_s
                                   << u"maximum"_s << u"limit: must be at most 200"_s;
    QTest::addRow("below minimum") << QByteArray(R"({"customer_id": "c1", "limit": 0})") << u"/limit"_s << u"minimum"_s
                                   << u"limit: must be at least 1"_s;
    QTest::addRow("string for integer") << QByteArray(R"({"customer_id": "c1", "limit": "10"})") << u"/limit"_s
                                        << u"type"_s << u"limit: must be an integer, not a string"_s;
    QTest::addRow("fraction for integer") << QByteArray(R"({"customer_id": "c1", "limit": 2.5})") << u"/limit"_s
                                          << u"type"_s << u"limit: must be an integer, not 2.5"_s;
    QTest::addRow("unknown property") << QByteArray(R"({"customer_id": "c1", "foo": 1})") << u"/foo"_s
                                      << u"additionalProperties"_s
                                      << u"foo: unknown property (additionalProperties is false)"_s;
    QTest::addRow("unknown property with a slash")
        << QByteArray(R"({"customer_id": "c1", "a/b~c": 1})") << u"/a~1b~0c"_s << u"additionalProperties"_s
        << u"a/b~c: unknown property (additionalProperties is false)"_s;
    QTest::addRow("pattern") << QByteArray(R"({"customer_id": "acme corp"})") << u"/customer_id"_s << u"pattern"_s
                             << u"customer_id: must match pattern ^[a-zA-Z0-9_-]{1,100}$"_s;
    // ECMA-262 '$' is the end of the input; PCRE's would also accept a trailing newline.
    QTest::addRow("pattern with trailing newline")
        << QByteArray(R"({"customer_id": "acme\n"})") << u"/customer_id"_s << u"pattern"_s
        << u"customer_id: must match pattern ^[a-zA-Z0-9_-]{1,100}$"_s;
    QTest::addRow("date not in calendar")
        << QByteArray(R"({"customer_id": "c1", "since": "2021-02-29"})") << u"/since"_s << u"format"_s
        << u"since: must be a valid date (RFC 3339 full-date, YYYY-MM-DD)"_s;
    QTest::addRow("date-time without offset")
        << QByteArray(R"({"customer_id": "c1", "at": "2026-03-01T10:00:00"})") << u"/at"_s << u"format"_s
        << u"at: must be a valid date-time (RFC 3339, YYYY-MM-DDTHH:MM:SS[.sss] followed by Z or ±HH:MM)"_s;
    QTest::addRow("email") << QByteArray(R"({"customer_id": "c1", "contact_email": "ann@"})") << u"/contact_email"_s
                           << u"format"_s << u"contact_email: must be a valid email address"_s;
    QTest::addRow("uri") << QByteArray(R"({"customer_id": "c1", "website": "www.example.com"})") << u"/website"_s
                         << u"format"_s << u"website: must be an absolute URI (RFC 3986)"_s;
    QTest::addRow("enum") << QByteArray(R"({"customer_id": "c1", "tier": "gold"})") << u"/tier"_s << u"enum"_s
                          << uR"(tier: must be one of "enterprise", "mid_market", "smb")"_s;
    QTest::addRow("exclusiveMinimum") << QByteArray(R"({"customer_id": "c1", "score": 0})") << u"/score"_s
                                      << u"exclusiveMinimum"_s << u"score: must be greater than 0"_s;
    QTest::addRow("exclusiveMaximum") << QByteArray(R"({"customer_id": "c1", "score": 100})") << u"/score"_s
                                      << u"exclusiveMaximum"_s << u"score: must be less than 100"_s;
    QTest::addRow("multipleOf") << QByteArray(R"({"customer_id": "c1", "score": 1.3})") << u"/score"_s
                                << u"multipleOf"_s << u"score: must be a multiple of 0.5"_s;
    QTest::addRow("minLength") << QByteArray(R"({"customer_id": "c1", "code": "a"})") << u"/code"_s << u"minLength"_s
                               << u"code: must be at least 2 characters long"_s;
    // Four code points, eight UTF-16 units: the limit counts characters.
    QTest::addRow("maxLength counts code points")
        << QByteArray(R"({"customer_id": "c1", "code": "\ud83d\udca9\ud83d\udca9\ud83d\udca9\ud83d\udca9"})")
        << u"/code"_s << u"maxLength"_s << u"code: must be at most 3 characters long"_s;
    QTest::addRow("uniqueItems") << QByteArray(R"({"customer_id": "c1", "tags": ["a", "b", "a"]})") << u"/tags"_s
                                 << u"uniqueItems"_s
                                 << u"tags: must not contain duplicates (items [0] and [2] are equal)"_s;
    QTest::addRow("maxItems") << QByteArray(R"({"customer_id": "c1", "tags": ["a", "b", "c", "d"]})") << u"/tags"_s
                              << u"maxItems"_s << u"tags: must contain at most 3 items"_s;
    QTest::addRow("minItems") << QByteArray(R"({"customer_id": "c1", "items": []})") << u"/items"_s << u"minItems"_s
                              << u"items: must contain at least 1 item"_s;
    QTest::addRow("item of an array") << QByteArray(R"({"customer_id": "c1", "tags": ["ok", ""]})") << u"/tags/1"_s
                                      << u"minLength"_s << u"tags[1]: must be at least 1 character long"_s;
    QTest::addRow("nested field") << QByteArray(
        R"({"customer_id": "c1", "items": [{"score": 1}, {"score": 2}, {"score": 3}, {"score": "x"}]})")
                                  << u"/items/3/score"_s << u"type"_s
                                  << u"items[3].score: must be an integer, not a string"_s;
    QTest::addRow("nested required") << QByteArray(R"({"customer_id": "c1", "items": [{}]})") << u"/items/0/score"_s
                                     << u"required"_s << u"items[0].score: required property is missing"_s;
    QTest::addRow("anyOf") << QByteArray(R"({"customer_id": "c1", "note": 5})") << u"/note"_s << u"anyOf"_s
                           << u"note: must match at least one alternative of anyOf: (1) must be a string, not a "_s
                              u"number; (2) must be null, not a number";
    QTest::addRow("oneOf matching two") << QByteArray(R"({"customer_id": "c1", "channel": "email"})") << u"/channel"_s
                                        << u"oneOf"_s
                                        << u"channel: must match exactly one alternative of oneOf, but matches "_s
                                           u"alternatives 1 and 2";
    QTest::addRow("oneOf matching none") << QByteArray(R"({"customer_id": "c1", "channel": "carrier pigeon"})")
                                         << u"/channel"_s << u"oneOf"_s
                                         << u"channel: must match exactly one alternative of oneOf, but matches "_s
                                            uR"(none: (1) must be equal to "email"; (2) must be at most 5 )"
                                            u"characters long";
    QTest::addRow("const") << QByteArray(R"({"customer_id": "c1", "kind": "upsell"})") << u"/kind"_s << u"const"_s
                           << uR"(kind: must be equal to "renewal")"_s;
    QTest::addRow("not") << QByteArray(R"({"customer_id": "c1", "exclude": "churned"})") << u"/exclude"_s << u"not"_s
                         << uR"(exclude: must not match the schema in "not")"_s;
    QTest::addRow("minProperties") << QByteArray(R"({"customer_id": "c1", "filters": {}})") << u"/filters"_s
                                   << u"minProperties"_s << u"filters: must have at least 1 property"_s;
    QTest::addRow("maxProperties") << QByteArray(R"({"customer_id": "c1", "filters": {"a": 1, "b": 2, "c": 3}})")
                                   << u"/filters"_s << u"maxProperties"_s
                                   << u"filters: must have at most 2 properties"_s;
    QTest::addRow("prefixItems") << QByteArray(R"({"customer_id": "c1", "pair": ["a", "b"]})") << u"/pair/1"_s
                                 << u"type"_s << u"pair[1]: must be an integer, not a string"_s;
    QTest::addRow("items false after prefixItems")
        << QByteArray(R"({"customer_id": "c1", "pair": ["a", 1, true]})") << u"/pair/2"_s << u"items"_s
        << u"pair[2]: unexpected item (at most 2 items are allowed)"_s;
    QTest::addRow("boolean for boolean") << QByteArray(R"({"customer_id": "c1", "dry_run": "yes"})") << u"/dry_run"_s
                                         << u"type"_s << u"dry_run: must be a boolean, not a string"_s;
    QTest::addRow("not an object") << QByteArray(R"(["c1"])") << QString() << u"type"_s
                                   << u"(root): must be an object, not an array"_s;
}

void TestJsonSchema::errorMessages()
{
    QFETCH(QByteArray, instance);
    QFETCH(QString, path);
    QFETCH(QString, keyword);
    QFETCH(QString, message);

    const JsonSchema schema = compileOrDie(kToolSchema);
    const ValidationResult result = schema.validate(json(instance));
    QVERIFY2(result.errors.size() == 1, qPrintable(describe(result)));
    QCOMPARE(result.errors.first().path, path);
    QCOMPARE(result.errors.first().keyword, keyword);
    QCOMPARE(result.errors.first().message, message);
    QCOMPARE(result.toString(), message);
    QVERIFY(!schema.accepts(json(instance)));
}

void TestJsonSchema::collectsEveryError()
{
    const JsonSchema schema = compileOrDie(kToolSchema);
    const ValidationResult result
        = schema.validate(json(R"({"limit": 500, "foo": true, "tags": ["x", "x"], "since": "yesterday"})"));
    QCOMPARE(result.errors.size(), 5);
    QStringList paths;
    for (const ValidationError &e : result.errors)
        paths.append(e.path + u' ' + e.keyword);
    paths.sort();
    QCOMPARE(paths,
        QStringList({ u"/customer_id required"_s, u"/foo additionalProperties"_s, u"/limit maximum"_s,
            u"/since format"_s, u"/tags uniqueItems"_s }));
}

void TestJsonSchema::errorsAreCapped()
{
    // A hostile call must not produce a megabyte of errors.
    const JsonSchema schema = compileOrDie(R"({"items": {"type": "integer"}})");
    QJsonArray many;
    for (int i = 0; i < 1000; ++i)
        many.append(u"x"_s);
    const ValidationResult result = schema.validate(many);
    QCOMPARE(result.errors.size(), 64);
    QCOMPARE(result.errors.last().path, u"/63"_s);
}

void TestJsonSchema::validInstanceHasNoErrors()
{
    const JsonSchema schema = compileOrDie(kToolSchema);
    const QJsonValue instance = json(R"({
        "customer_id": "acme-42", "limit": 200.0, "cursor": "", "since": "2024-02-29",
        "at": "2026-03-01T10:00:00.5+01:00", "tier": "smb", "contact_email": "ann.lee@example.co.uk",
        "website": "https://example.com/a?b=c#d", "score": 99.5, "code": "\ud83d\udca9\ud83d\udca9\ud83d\udca9",
        "tags": ["a", "b"], "items": [{"score": 3, "extra": true}], "note": null, "channel": "sms",
        "filters": {"tier": "smb"}, "pair": ["a", 1], "kind": "renewal", "exclude": "active", "dry_run": true
    })");
    const ValidationResult result = schema.validate(instance);
    QVERIFY2(result.isValid(), qPrintable(describe(result)));
    QVERIFY(schema.accepts(instance));
}

void TestJsonSchema::compileRejects_data()
{
    QTest::addColumn<QByteArray>("schema");
    QTest::addColumn<QString>("error");

    QTest::addRow("unsupported keyword") << QByteArray(R"({"properties": {"a": {"patternProperties": {}}}})")
                                         << uR"(#/properties/a: unsupported keyword "patternProperties")"_s;
    QTest::addRow("misspelt keyword") << QByteArray(R"({"maxLenght": 3})") << uR"(unsupported keyword "maxLenght")"_s;
    QTest::addRow("if/then/else") << QByteArray(R"({"if": true, "then": false})") << uR"(unsupported keyword "if")"_s;
    QTest::addRow("unevaluatedProperties")
        << QByteArray(R"({"unevaluatedProperties": false})") << uR"(unsupported keyword "unevaluatedProperties")"_s;
    QTest::addRow("$anchor") << QByteArray(R"({"$anchor": "a"})") << uR"(unsupported keyword "$anchor")"_s;
    QTest::addRow("$dynamicRef") << QByteArray(R"({"$dynamicRef": "#a"})") << uR"(unsupported keyword "$dynamicRef")"_s;
    QTest::addRow("draft-07 items array")
        << QByteArray(R"({"items": [{"type": "string"}]})") << uR"(use "prefixItems" for a tuple)"_s;
    QTest::addRow("remote $ref") << QByteArray(R"({"$ref": "https://example.com/schema.json"})")
                                 << u"only references within this schema"_s;
    QTest::addRow("anchor $ref") << QByteArray(R"({"$ref": "#foo"})") << u"$anchor is not supported"_s;
    QTest::addRow("dangling $ref") << QByteArray(R"({"$ref": "#/$defs/nope"})") << u"points at nothing"_s;
    QTest::addRow("bad pointer escape") << QByteArray(R"({"$defs": {"a": true}, "$ref": "#/$defs/~2"})")
                                        << u"not a valid JSON Pointer"_s;
    QTest::addRow("$ref to itself") << QByteArray(R"({"$ref": "#"})") << u"$ref cycle"_s;
    QTest::addRow("$ref cycle through $defs")
        << QByteArray(R"({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}})")
        << u"$ref cycle"_s;
    QTest::addRow("bad regex") << QByteArray(R"({"pattern": "(abc"})")
                               << uR"(#: "pattern" is not a valid regular expression)"_s;
    QTest::addRow("bad type name") << QByteArray(R"({"type": "int"})") << uR"("type" must name JSON types)"_s;
    QTest::addRow("duplicate type") << QByteArray(R"({"type": ["string", "string"]})")
                                    << uR"("type" lists string twice)"_s;
    QTest::addRow("negative minLength") << QByteArray(R"({"minLength": -1})")
                                        << uR"("minLength" must be a non-negative integer)"_s;
    QTest::addRow("fractional maxItems") << QByteArray(R"({"maxItems": 1.5})")
                                         << uR"("maxItems" must be a non-negative integer)"_s;
    QTest::addRow("zero multipleOf") << QByteArray(R"({"multipleOf": 0})")
                                     << uR"("multipleOf" must be greater than 0)"_s;
    QTest::addRow("string maximum") << QByteArray(R"({"maximum": "10"})") << uR"("maximum" must be a number)"_s;
    QTest::addRow("empty anyOf") << QByteArray(R"({"anyOf": []})")
                                 << uR"("anyOf" must be a non-empty array of schemas)"_s;
    QTest::addRow("non-schema property") << QByteArray(R"({"properties": {"a": 1}})")
                                         << u"#/properties/a: a schema must be an object or a boolean"_s;
    QTest::addRow("duplicate required") << QByteArray(R"({"required": ["a", "a"]})")
                                        << uR"("required" lists "a" twice)"_s;
    QTest::addRow("other dialect") << QByteArray(R"({"$schema": "http://json-schema.org/draft-07/schema#"})")
                                   << u"the only dialect supported"_s;
    QTest::addRow("embedded $id") << QByteArray(R"({"properties": {"a": {"$id": "https://example.com/a"}}})")
                                  << uR"("$id" is only supported on the root schema)"_s;
    QTest::addRow("unknown format") << QByteArray(R"({"format": "uuid"})") << uR"(unknown format "uuid")"_s;
    QTest::addRow("default breaks its schema")
        << QByteArray(R"({"properties": {"limit": {"type": "integer", "maximum": 200, "default": 500}}})")
        << u"#/properties/limit: the default 500 breaks the property's own schema: must be at most 200"_s;
    QTest::addRow("not a schema") << QByteArray(R"("string")") << u"#: a schema must be an object or a boolean"_s;
}

void TestJsonSchema::compileRejects()
{
    QFETCH(QByteArray, schema);
    QFETCH(QString, error);

    QString actual;
    const JsonSchema compiled = JsonSchema::compile(json(schema), &actual);
    QVERIFY(compiled.isNull());
    QVERIFY2(actual.contains(error), qPrintable(actual));
}

void TestJsonSchema::refs_data()
{
    QTest::addColumn<QByteArray>("schema");
    QTest::addColumn<QByteArray>("instance");
    QTest::addColumn<QString>("firstError"); // "" when valid: "path keyword"

    const QByteArray tree = R"({
        "type": "object", "required": ["name"],
        "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#"}}}
    })";
    QTest::addRow("recursive via #, valid")
        << tree << QByteArray(R"({"name": "a", "children": [{"name": "b"}]})") << QString();
    QTest::addRow("recursive via #, invalid deep")
        << tree << QByteArray(R"({"name": "a", "children": [{"name": "b", "children": [{"name": "c"}, {}]}]})")
        << u"/children/0/children/1/name required"_s;

    const QByteArray escaped = R"({
        "$defs": {"a/b": {"type": "integer"}, "c~d": {"type": "string"}, "e%f": {"type": "boolean"}},
        "properties": {"x": {"$ref": "#/$defs/a~1b"}, "y": {"$ref": "#/$defs/c~0d"}, "z": {"$ref": "#/$defs/e%25f"}}
    })";
    QTest::addRow("escaped pointers, valid") << escaped << QByteArray(R"({"x": 1, "y": "s", "z": true})") << QString();
    QTest::addRow("escaped pointers, ~1") << escaped << QByteArray(R"({"x": "1"})") << u"/x type"_s;
    QTest::addRow("escaped pointers, ~0") << escaped << QByteArray(R"({"y": 1})") << u"/y type"_s;
    QTest::addRow("escaped pointers, percent") << escaped << QByteArray(R"({"z": 1})") << u"/z type"_s;

    // 2020-12 core §8.2.3.1: $ref is an applicator like any other, its siblings still apply
    const QByteArray siblings = R"({"$defs": {"n": {"type": "integer"}}, "$ref": "#/$defs/n", "maximum": 5})";
    QTest::addRow("$ref siblings, valid") << siblings << QByteArray("4") << QString();
    QTest::addRow("$ref siblings, ref fails") << siblings << QByteArray("4.5") << u" type"_s;
    QTest::addRow("$ref siblings, sibling fails") << siblings << QByteArray("6") << u" maximum"_s;

    const QByteArray intoProperties = R"({"properties": {"a": {"type": "string"}, "b": {"$ref": "#/properties/a"}}})";
    QTest::addRow("$ref to a property schema") << intoProperties << QByteArray(R"({"b": 1})") << u"/b type"_s;
    const QByteArray intoArray = R"({"anyOf": [{"type": "null"}, {"$ref": "#/anyOf/0"}]})";
    QTest::addRow("$ref into an array") << intoArray << QByteArray("null") << QString();
}

void TestJsonSchema::refs()
{
    QFETCH(QByteArray, schema);
    QFETCH(QByteArray, instance);
    QFETCH(QString, firstError);

    const ValidationResult result = compileOrDie(schema).validate(json(instance));
    if (firstError.isEmpty()) {
        QVERIFY2(result.isValid(), qPrintable(describe(result)));
    } else {
        QVERIFY(!result.isValid());
        QCOMPARE(result.errors.first().path + u' ' + result.errors.first().keyword, firstError);
    }
}

void TestJsonSchema::ecmaPatterns_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("matches");

    // ECMA-262 semantics where PCRE2 differs (JSON Schema 2020-12 validation §6.3.3 specifies ECMA-262).
    QTest::addRow("$ is the very end") << u"^abc$"_s << u"abc\n"_s << false;
    QTest::addRow("$ still matches at the end") << u"^abc$"_s << u"abc"_s << true;
    QTest::addRow("unanchored search") << u"b+"_s << u"abbbc"_s << true;
    QTest::addRow("\\d is ASCII") << u"^\\d$"_s << u"৪"_s << false;
    QTest::addRow("\\w is ASCII") << u"^\\w$"_s << u"é"_s << false;
    QTest::addRow("\\s includes NBSP") << u"^\\s$"_s << u"\u00a0"_s << true;
    QTest::addRow("\\s includes BOM") << u"^\\s$"_s << u"\ufeff"_s << true;
    QTest::addRow("\\S excludes NBSP") << u"^\\S$"_s << u"\u00a0"_s << false;
    QTest::addRow(". is one code point") << u"^.$"_s << u"😀"_s << true;
    QTest::addRow(". excludes line terminators") << u"^.$"_s << u"\u2028"_s << false;
    QTest::addRow("\\uXXXX") << u"^\\u00e9$"_s << u"é"_s << true;
    QTest::addRow("\\u{...}") << u"^\\u{1F600}$"_s << u"😀"_s << true;
    QTest::addRow("surrogate pair escape") << u"^\\uD83D\\uDE00$"_s << u"😀"_s << true;
    QTest::addRow("\\p{Letter}") << u"^\\p{Letter}+$"_s << u"πa"_s << true;
    QTest::addRow("\\p{gc=Lu}") << u"^\\p{gc=Lu}$"_s << u"a"_s << false;
    QTest::addRow("\\P{Letter}") << u"^\\P{Letter}$"_s << u"1"_s << true;
    QTest::addRow("\\p{Script=Greek}") << u"^\\p{Script=Greek}$"_s << u"π"_s << true;
    QTest::addRow("[] matches nothing") << u"a[]"_s << u"a"_s << false;
    QTest::addRow("[^] matches anything") << u"^a[^]b$"_s << u"a\nb"_s << true;
    QTest::addRow("[[:alpha:]] is not POSIX") << u"^[[:alpha:]]$"_s << u"b"_s << false;
    QTest::addRow("[[:alpha:]] is a class then ]") << u"^[[:alpha:]]$"_s << u"a]"_s << true;
    QTest::addRow("backreference") << u"^(a+)-\\1$"_s << u"aa-aa"_s << true;
    QTest::addRow("named group") << u"^(?<y>\\d{4})-\\k<y>$"_s << u"2024-2024"_s << true;
    QTest::addRow("lookahead") << u"^(?!tmp_)\\w+$"_s << u"tmp_x"_s << false;
}

void TestJsonSchema::ecmaPatterns()
{
    QFETCH(QString, pattern);
    QFETCH(QString, text);
    QFETCH(bool, matches);

    QString error;
    const JsonSchema schema = JsonSchema::compile(QJsonObject { { u"pattern"_s, pattern } }, &error);
    QVERIFY2(!schema.isNull(), qPrintable(error));
    QCOMPARE(schema.accepts(text), matches);
}

void TestJsonSchema::exactIntegers()
{
    // Integers beyond 2^53 compare exactly; as doubles these two would be equal.
    const JsonSchema schema = compileOrDie(R"({"maximum": 9007199254740992})");
    QVERIFY(schema.accepts(json("9007199254740992")));
    QVERIFY(!schema.accepts(json("9007199254740993")));
    const JsonSchema constant = compileOrDie(R"({"const": 9007199254740993})");
    QVERIFY(!constant.accepts(json("9007199254740992")));
    QVERIFY(compileOrDie(R"({"multipleOf": 3})").accepts(json("9007199254740993")));
}

void TestJsonSchema::uniqueItemsOnLongArrays()
{
    // More than 16 items goes through the hashing path; equality still follows JSON rules.
    const JsonSchema schema = compileOrDie(R"({"uniqueItems": true})");
    QJsonArray items;
    for (int i = 0; i < 40; ++i)
        items.append(QJsonObject { { u"id"_s, i }, { u"tags"_s, QJsonArray { u"a"_s, i % 3 } } });
    QVERIFY(schema.accepts(items));
    items.append(json(R"({"tags": ["a", 2.0], "id": 5})")); // equal to item 5: order and 2 == 2.0 do not matter
    const ValidationResult result = schema.validate(items);
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors.first().message, u"(root): must not contain duplicates (items [5] and [40] are equal)"_s);
    QJsonArray booleans;
    for (int i = 0; i < 20; ++i)
        booleans.append(i);
    booleans.append(true); // true is not 1
    QVERIFY(schema.accepts(booleans));
}

void TestJsonSchema::formatAssertionCanBeTurnedOff()
{
    JsonSchemaOptions annotationOnly;
    annotationOnly.assertFormats = false;
    const JsonSchema lenient
        = compileOrDie(R"({"properties": {"d": {"format": "date"}, "u": {"format": "uuid"}}})", annotationOnly);
    QVERIFY(lenient.accepts(json(R"({"d": "not a date", "u": "whatever"})")));

    const JsonSchema strict = compileOrDie(R"({"format": "date"})");
    QVERIFY(!strict.accepts(json(R"("2026-13-01")")));
    QVERIFY(strict.accepts(json("42"))); // formats only constrain strings
}

void TestJsonSchema::deepNestingIsRefused()
{
    const JsonSchema schema = compileOrDie(R"({"items": {"$ref": "#"}})");
    QByteArray deep;
    for (int i = 0; i < 300; ++i)
        deep += '[';
    for (int i = 0; i < 300; ++i)
        deep += ']';
    const ValidationResult result = schema.validate(json(deep));
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors.first().keyword, u"depth"_s);
    QVERIFY(schema.accepts(json("[[[[[[]]]]]]")));
}

// A chain of $defs that refer to each other is as long as the schema is large: compiling it (the $ref cycle check)
// must not recurse once per link, or 100,000 links exhaust the stack (found by tests/fuzz/fuzz_jsonschema).
void TestJsonSchema::longRefChainsCompile()
{
    constexpr int kLinks = 100'000;
    const auto chain = [](bool closed) {
        QJsonObject defs;
        for (int i = 0; i < kLinks; ++i)
            defs.insert(u"a%1"_s.arg(i), QJsonObject { { u"$ref"_s, u"#/$defs/a%1"_s.arg(i + 1) } });
        defs.insert(u"a%1"_s.arg(kLinks),
            closed ? QJsonObject { { u"allOf"_s, QJsonArray { QJsonObject { { u"$ref"_s, u"#/$defs/a0"_s } } } } }
                   : QJsonObject { { u"type"_s, u"string"_s } });
        return QJsonObject { { u"$defs"_s, defs }, { u"$ref"_s, u"#/$defs/a0"_s } };
    };

    QString error;
    const JsonSchema open = JsonSchema::compile(chain(false), &error);
    QVERIFY2(!open.isNull(), qPrintable(error));
    // Validation follows at most 256 links (the depth cap), so this chain refuses every value, and says why.
    const ValidationResult result = open.validate(u"x"_s);
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors.first().keyword, u"depth"_s);

    const JsonSchema closed = JsonSchema::compile(chain(true), &error);
    QVERIFY(closed.isNull());
    QVERIFY2(error.contains(u"$ref cycle"_s), qPrintable(error));
}

void TestJsonSchema::nullSchemaRejectsEverything()
{
    QString error;
    const JsonSchema broken = JsonSchema::compile(json(R"({"type": "nope"})"), &error);
    QVERIFY(broken.isNull());
    QVERIFY(!error.isEmpty());
    QVERIFY(!broken.accepts(QJsonObject()));
    QCOMPARE(broken.validate(QJsonObject()).errors.size(), 1);
    QVERIFY(!JsonSchema().accepts(QJsonValue(1)));
}

void TestJsonSchema::applyDefaults()
{
    const JsonSchema schema = compileOrDie(kToolSchema);
    const QJsonObject filled = schema.applyDefaults(json(R"({"customer_id": "c1", "limit": 10})").toObject());
    QCOMPARE(filled.value(u"limit"_s).toInt(), 10); // present: kept
    QCOMPARE(filled.value(u"dry_run"_s), QJsonValue(false)); // absent: default
    QVERIFY(!filled.contains(u"cursor"_s)); // no default: stays absent
    QCOMPARE(schema.applyDefaults(QJsonObject()).value(u"limit"_s).toInt(), 25);
    const QJsonObject explicitNull = schema.applyDefaults(json(R"({"limit": null})").toObject());
    QCOMPARE(explicitNull.value(u"limit"_s), QJsonValue(QJsonValue::Null)); // null is a value, not an absence
    QVERIFY(schema.accepts(schema.applyDefaults(json(R"({"customer_id": "c1"})").toObject())));
}

void TestJsonSchema::copiesShareTheCompiledSchema()
{
    JsonSchema copy;
    {
        const JsonSchema original = compileOrDie(kToolSchema);
        copy = original;
    }
    QVERIFY(!copy.isNull());
    QVERIFY(copy.accepts(json(R"({"customer_id": "c1"})")));
    QVERIFY(!copy.accepts(json(R"({"customer_id": "c 1"})")));
}

QTEST_GUILESS_MAIN(TestJsonSchema)
#include "tst_jsonschema.moc"
