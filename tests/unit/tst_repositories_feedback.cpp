// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Repositories of the feedback records (schema 0006: surveys, responses, theme rules, product insights,
// voice-of-customer reports). Built twice: against SQLite (label unit) and
// PostgreSQL (label pg). One database is shared by every test function, so each test uses records of its own.
#include <functional>
#include <memory>

#include <QFile>
#include <QRegularExpression>
#include <QSqlRecord>
#include <QTest>
#include <QTimeZone>

#include "sql.h"
#include "tables_customers.h"
#include "tables_feedback.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using namespace Domain;
using Core::ErrorCode;

namespace {

template<typename T> using Traits = Storage::TableTraits<T>;

QString show(const QVariant &v)
{
    return v.isNull() ? u"NULL"_s : u"'%1'"_s.arg(v.toString());
}

QString describe(const Core::Status &status)
{
    return status ? QString() : status.error().toString();
}

template<typename T> QString describe(const Core::Result<T> &result)
{
    return result ? QString() : Core::Error::codeName(result.error().code) + u" "_s + result.error().toString();
}

qint64 countRows(Storage::Database &db, const QString &sql, const QVariantList &bindings = {})
{
    auto q = Storage::exec(db, sql, bindings);
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

QDateTime utc(int y, int m, int d, int h = 9, int min = 30, int s = 15, int ms = 250)
{
    return QDateTime(QDate(y, m, d), QTime(h, min, s, ms), QTimeZone::utc());
}

// Every mapped column (except the generated key) holds the same value, in the form the repository writes.
template<typename T> void verifySameColumns(const T &actual, const T &expected)
{
    for (const Storage::Column<T> &c : Traits<T>::columns()) {
        if (c.flags & Storage::GeneratedKey)
            continue;
        const QVariant a = c.read(actual);
        const QVariant e = c.read(expected);
        QVERIFY2(a == e && a.isNull() == e.isNull(),
            qPrintable(u"%1.%2: stored %3, expected %4"_s.arg(Traits<T>::table(), c.name, show(a), show(e))));
    }
}

// A round trip only proves something for columns whose sample value differs from the default.
template<typename T> void verifySampleSetsEveryColumn(const T &sample, const QStringList &leftAtDefault = {})
{
    const T defaults {};
    for (const Storage::Column<T> &c : Traits<T>::columns()) {
        if ((c.flags & Storage::GeneratedKey) || leftAtDefault.contains(c.name))
            continue;
        QVERIFY2(c.read(sample) != c.read(defaults) || c.read(sample).isNull() != c.read(defaults).isNull(),
            qPrintable(u"the %1 sample leaves %2 at its default"_s.arg(Traits<T>::singular(), c.name)));
    }
}

// Writing one column changes only that column: no two columns share a member.
template<typename T> void verifyColumnsAreIndependent(const T &sample)
{
    const T defaults {};
    const auto &columns = Traits<T>::columns();
    for (const Storage::Column<T> &c : columns) {
        T probe = sample;
        c.write(probe, c.read(defaults));
        for (const Storage::Column<T> &other : columns) {
            if (other.name != c.name) {
                QVERIFY2(other.read(probe) == other.read(sample),
                    qPrintable(u"%1: writing %2 changes %3"_s.arg(Traits<T>::table(), c.name, other.name)));
            }
        }
    }
}

// The table's columns in the database are exactly the mapped ones plus the bookkeeping the traits declare
// (PostgreSQL's generated search_vector aside).
template<typename T> void verifyEveryColumnIsMapped(Storage::Database &db)
{
    const QSqlRecord record = db.connection().record(Traits<T>::table());
    QStringList actual;
    for (int i = 0; i < record.count(); ++i) {
        if (record.fieldName(i) != u"search_vector"_s)
            actual << record.fieldName(i);
    }
    QStringList expected { u"created_at"_s };
    for (const Storage::Column<T> &c : Traits<T>::columns())
        expected << c.name;
    if (Traits<T>::hasUpdatedAt)
        expected << u"updated_at"_s;
    if (Traits<T>::softDelete)
        expected << u"deleted_at"_s;
    if (Traits<T>::versioned)
        expected << u"version"_s;
    actual.sort();
    expected.sort();
    QCOMPARE(actual, expected);
}

// create -> get -> update (version bump) -> stale update (Conflict) -> soft delete / restore, or remove.
// `mutate` must change at least one mutable column and leave the record valid. `leftAtDefault` names columns the
// sample cannot set to a non-default value (the caller round-trips them elsewhere).
template<typename T>
void verifyLifecycle(Storage::Database &db, const T &sample, const std::function<void(T &)> &mutate,
    const QStringList &leftAtDefault = {})
{
    constexpr bool versioned = Traits<T>::versioned;
    Storage::Repository<T> repo(db);
    verifySampleSetsEveryColumn(sample, leftAtDefault);
    if (QTest::currentTestFailed())
        return;
    verifyColumnsAreIndependent(sample);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(sample.validate(), qPrintable(describe(sample.validate())));

    auto created = repo.create(sample);
    QVERIFY2(created, qPrintable(describe(created)));
    QVERIFY(created->id > 0);
    QCOMPARE(created->meta.version, versioned ? 1 : 0);
    QVERIFY(created->meta.createdAt.isValid());
    QCOMPARE(created->meta.createdAt.timeSpec(), Qt::UTC);
    QVERIFY(!created->meta.isDeleted());

    auto got = repo.get(created->id);
    QVERIFY2(got, qPrintable(describe(got)));
    verifySameColumns(*got, sample);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(got->meta.createdAt, created->meta.createdAt);

    Storage::ListQuery byId;
    byId.filters << Storage::Filter { u"id"_s, Storage::Filter::Op::Eq, created->id };
    auto listed = repo.list(byId);
    QVERIFY2(listed, qPrintable(describe(listed)));
    QCOMPARE(listed->total, qint64(1));
    verifySameColumns(listed->items.constFirst(), sample);
    if (QTest::currentTestFailed())
        return;

    T changed = *got;
    mutate(changed);
    QVERIFY2(changed.validate(), qPrintable(describe(changed.validate())));
    auto saved = repo.update(changed);
    QVERIFY2(saved, qPrintable(describe(saved)));
    QCOMPARE(saved->meta.version, versioned ? 2 : 0);
    QVERIFY(saved->meta.updatedAt >= got->meta.updatedAt);
    auto reread = repo.get(created->id);
    QVERIFY(reread);
    verifySameColumns(*reread, changed);
    if (QTest::currentTestFailed())
        return;
    bool anyChanged = false;
    for (const Storage::Column<T> &c : Traits<T>::columns())
        anyChanged = anyChanged || c.read(*reread) != c.read(*got);
    QVERIFY2(anyChanged, "the mutation changed nothing");

    if constexpr (versioned) {
        // Another CSM still holds version 1: their save must fail and change nothing.
        auto stale = repo.update(*got);
        QVERIFY(!stale);
        QCOMPARE(stale.error().code, ErrorCode::Conflict);
        QCOMPARE(stale.error().field, u"version"_s);
        verifySameColumns(*repo.get(created->id), changed);
        if (QTest::currentTestFailed())
            return;
    }

    if constexpr (Traits<T>::softDelete) {
        QVERIFY(repo.softDelete(created->id));
        QCOMPARE(repo.get(created->id).error().code, ErrorCode::NotFound);
        auto deleted = repo.get(created->id, true);
        QVERIFY(deleted);
        QVERIFY(deleted->meta.isDeleted());
        auto hidden = repo.list(byId);
        QVERIFY(hidden);
        QCOMPARE(hidden->total, qint64(0));
        QVERIFY(repo.restore(created->id));
        QVERIFY(repo.get(created->id));
    } else {
        QVERIFY(repo.remove(created->id));
        QCOMPARE(repo.get(created->id).error().code, ErrorCode::NotFound);
        QCOMPARE(repo.remove(created->id).error().code, ErrorCode::NotFound);
    }
}

// A record with only its required fields: the defaults and empty optionals come back as they were.
template<typename T> void verifyMinimalRoundTrip(Storage::Database &db, const T &minimal)
{
    Storage::Repository<T> repo(db);
    auto created = repo.create(minimal);
    QVERIFY2(created, qPrintable(describe(created)));
    auto got = repo.get(created->id);
    QVERIFY(got);
    verifySameColumns(*got, minimal);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(repo.remove(created->id));
}

// The values of `column IN (...)` in the CREATE TABLE statement of `table` in a migration.
QStringList checkList(const QString &migration, const QString &table, const QString &column)
{
    QFile file(u":/migrations/"_s + migration);
    if (!file.open(QIODevice::ReadOnly))
        return { u"<cannot read %1>"_s.arg(migration) };
    const QString sql = QString::fromUtf8(file.readAll());
    const qsizetype start = sql.indexOf(u"CREATE TABLE "_s + table + u" ("_s);
    const qsizetype end = sql.indexOf(u"\n);"_s, start);
    if (start < 0 || end < 0)
        return { u"<no table %1>"_s.arg(table) };
    const QRegularExpression re(u"CHECK \\(%1 IN \\(([^)]*)\\)\\)"_s.arg(column));
    const auto match = re.match(sql.mid(start, end - start));
    if (!match.hasMatch())
        return { u"<no CHECK list for %1.%2>"_s.arg(table, column) };
    QStringList values;
    for (const QString &quoted : match.captured(1).split(u','))
        values << quoted.trimmed().remove(u'\'');
    return values;
}

// One bad input: what validate() says, and what the repository says when asked to store it.
struct Attempt
{
    std::function<Core::Status()> validate;
    std::function<Core::Status()> create;
};

} // namespace

Q_DECLARE_METATYPE(Attempt)

class TestFeedbackRepositories final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    const QString m_customer = u"acme-feedback"_s;
    qint64 m_contactId = 0;
    qint64 m_surveyId = 0;
    int m_unique = 0;

    Storage::Database &db() { return m_fixture->db(); }
    int next() { return ++m_unique; }

    qint64 insertContact(const QString &customerId, const QString &name)
    {
        auto q = Storage::exec(
            db(), u"INSERT INTO contacts (customer_id, name) VALUES (?, ?) RETURNING id"_s, { customerId, name });
        if (!q || !q->next())
            return 0;
        const qint64 id = q->value(0).toLongLong();
        while (q->next()) { }
        return id;
    }

    bool createCustomer(const QString &id)
    {
        Customer customer;
        customer.id = id;
        customer.name = id;
        return Storage::CustomerRepository(db()).create(customer).ok();
    }

    template<typename T> qint64 store(const T &record)
    {
        auto created = Storage::Repository<T>(db()).create(record);
        if (!created)
            qWarning("cannot store a %s: %s", qPrintable(Traits<T>::singular()), qPrintable(describe(created)));
        return created ? created->id : 0;
    }

    template<typename T> Attempt attempt(T record, const std::function<void(T &)> &mutate)
    {
        mutate(record);
        Storage::Database *database = &db();
        return { [record] { return record.validate(); },
            [record, database]() -> Core::Status {
                auto created = Storage::Repository<T>(*database).create(record);
                if (created)
                    return {};
                return created.error();
            } };
    }

    static Survey sampleSurvey()
    {
        Survey s;
        s.kind = SurveyKind::Csat;
        s.name = u"Post-onboarding CSAT"_s;
        s.question = u"How satisfied are you with your onboarding?"_s;
        s.status = SurveyStatus::Active;
        s.channel = FeedbackChannel::InApp;
        s.audience = { { u"segment"_s, u"new-logos"_s }, { u"tiers"_s, QVariantList { u"smb"_s } } };
        s.opensAt = utc(2026, 4, 1, 8, 0, 0, 0);
        s.closesAt = utc(2026, 4, 30, 18, 0, 0, 0);
        return s;
    }

    SurveyResponse sampleResponse()
    {
        SurveyResponse r;
        r.surveyId = m_surveyId;
        r.customerId = m_customer;
        r.contactId = m_contactId;
        r.kind = SurveyKind::Nps;
        r.score = 9;
        r.npsCategory = NpsCategory::Promoter;
        r.comment = u"Love the dashboards, \"exports\" could be faster"_s;
        r.sentiment = -0.25;
        r.themes = { u"reporting"_s, u"performance"_s };
        r.channel = FeedbackChannel::Sms;
        // Written with an offset, read back as the same instant in UTC.
        r.respondedAt = QDateTime(QDate(2026, 4, 3), QTime(23, 59, 59, 999), QTimeZone(5 * 3600 + 1800));
        r.followUpDue = utc(2026, 4, 10);
        r.followUpStatus = FollowUpStatus::Open;
        r.routedTo = u"dana@csdesk.example"_s;
        return r;
    }

    FeedbackThemeRule sampleThemeRule()
    {
        FeedbackThemeRule t;
        t.theme = u"Performance %1"_s.arg(next());
        t.keywords = { u"slow"_s, u"latency"_s, u"time out"_s };
        t.isActive = false;
        return t;
    }

    static ProductInsight sampleInsight()
    {
        ProductInsight p;
        p.title = u"Exports time out on large workspaces"_s;
        p.description = u"CSV exports above 50k rows fail after 30 s"_s;
        p.kind = InsightKind::Bug;
        p.theme = u"performance"_s;
        p.status = InsightStatus::Shared;
        p.customerCount = 12;
        p.arrImpact = 250000.5;
        p.evidence = { QVariantMap { { u"type"_s, u"ticket"_s }, { u"id"_s, 12 } },
            QVariantMap { { u"type"_s, u"response"_s }, { u"id"_s, 5 } } };
        p.sharedWith = u"product@csdesk.example"_s;
        p.sharedAt = utc(2026, 4, 12);
        return p;
    }

    static VocReport sampleReport()
    {
        VocReport v;
        v.title = u"Voice of the customer, Q1 2026"_s;
        v.periodStart = QDate(2026, 1, 1);
        v.periodEnd = QDate(2026, 3, 31);
        v.summary = { { u"nps"_s, 42.5 }, { u"responses"_s, 311 },
            { u"top_themes"_s, QVariantList { u"reporting"_s, u"sso"_s } } };
        v.generatedBy = u"agent:claude"_s;
        v.generatedAt = utc(2026, 4, 2);
        return v;
    }

    // A response inserted by hand, bypassing C++ validation, to probe the schema's own CHECKs.
    Core::Status insertRawResponse(SurveyKind kind, int score, const QVariant &category)
    {
        auto q = Storage::exec(db(),
            u"INSERT INTO survey_responses (customer_id, kind, score, nps_category, responded_at) "
            u"VALUES (?, ?, ?, ?, ?)"_s,
            { m_customer, enumName(kind), score, category, u"2026-04-01T00:00:00.000Z"_s });
        if (!q)
            return q.error();
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
        QVERIFY(createCustomer(m_customer));
        m_contactId = insertContact(m_customer, u"Paula Promoter"_s);
        QVERIFY(m_contactId > 0);
        Survey parent;
        parent.name = u"Parent survey"_s;
        parent.question = u"How likely are you to recommend us?"_s;
        QVERIFY((m_surveyId = store(parent)) > 0);
    }

    void cleanupTestCase() { m_fixture.reset(); }

    void everyColumnIsMapped()
    {
        verifyEveryColumnIsMapped<Survey>(db());
        verifyEveryColumnIsMapped<SurveyResponse>(db());
        verifyEveryColumnIsMapped<FeedbackThemeRule>(db());
        verifyEveryColumnIsMapped<ProductInsight>(db());
        verifyEveryColumnIsMapped<VocReport>(db());
    }

    void enumsMatchTheSchema_data()
    {
        QTest::addColumn<QString>("table");
        QTest::addColumn<QString>("column");
        QTest::addColumn<QStringList>("names");
        QTest::addRow("survey kind") << u"surveys"_s << u"kind"_s << enumValues<SurveyKind>();
        QTest::addRow("survey status") << u"surveys"_s << u"status"_s << enumValues<SurveyStatus>();
        QTest::addRow("survey channel") << u"surveys"_s << u"channel"_s << enumValues<FeedbackChannel>();
        QTest::addRow("response kind") << u"survey_responses"_s << u"kind"_s << enumValues<SurveyKind>();
        QTest::addRow("response nps category")
            << u"survey_responses"_s << u"nps_category"_s << enumValues<NpsCategory>();
        QTest::addRow("response channel") << u"survey_responses"_s << u"channel"_s << enumValues<FeedbackChannel>();
        QTest::addRow("response follow-up")
            << u"survey_responses"_s << u"follow_up_status"_s << enumValues<FollowUpStatus>();
        QTest::addRow("insight kind") << u"product_insights"_s << u"kind"_s << enumValues<InsightKind>();
        QTest::addRow("insight status") << u"product_insights"_s << u"status"_s << enumValues<InsightStatus>();
    }

    void enumsMatchTheSchema()
    {
        QFETCH(QString, table);
        QFETCH(QString, column);
        QFETCH(QStringList, names);
        QCOMPARE(names, checkList(u"0006_feedback.sql"_s, table, column));
    }

    void surveyLifecycle()
    {
        verifyLifecycle<Survey>(db(), sampleSurvey(), [](Survey &s) {
            s.status = SurveyStatus::Closed;
            s.channel.reset();
            s.closesAt = QDateTime();
        });
    }

    void surveyResponseLifecycle()
    {
        verifyLifecycle<SurveyResponse>(db(), sampleResponse(),
            [](SurveyResponse &r) {
                r.score = 3;
                r.npsCategory = npsCategory(3);
                r.sentiment.reset();
                r.surveyId.reset();
                r.followUpStatus = FollowUpStatus::Done;
            },
            // kind stays nps (the default) so that nps_category can be set; the minimal CSAT answer covers kind.
            { u"kind"_s });
        if (QTest::currentTestFailed())
            return;
        SurveyResponse minimal;
        minimal.customerId = m_customer;
        minimal.kind = SurveyKind::Csat;
        minimal.score = 4;
        minimal.respondedAt = utc(2026, 4, 5);
        verifyMinimalRoundTrip(db(), minimal);
    }

    void feedbackThemeRuleLifecycle()
    {
        verifyLifecycle<FeedbackThemeRule>(db(), sampleThemeRule(), [](FeedbackThemeRule &t) {
            t.keywords << u"sluggish"_s;
            t.isActive = true;
        });
    }

    void productInsightLifecycle()
    {
        verifyLifecycle<ProductInsight>(db(), sampleInsight(), [](ProductInsight &p) {
            p.status = InsightStatus::Planned;
            p.customerCount = 13;
            p.evidence.removeLast();
        });
        if (QTest::currentTestFailed())
            return;
        ProductInsight minimal;
        minimal.title = u"Minimal insight"_s;
        verifyMinimalRoundTrip(db(), minimal);
    }

    void vocReportLifecycle()
    {
        verifyLifecycle<VocReport>(db(), sampleReport(), [](VocReport &v) {
            v.title = u"Voice of the customer, Q1 2026 (corrected)"_s;
            v.periodEnd = v.periodStart; // a one-day report is allowed
        });
    }

    void npsCategoryFollowsTheScore_data()
    {
        QTest::addColumn<int>("score");
        QTest::addColumn<int>("category");
        for (int score = 0; score <= 10; ++score) {
            const NpsCategory expected = score >= 9 ? NpsCategory::Promoter
                : score >= 7                        ? NpsCategory::Passive
                                                    : NpsCategory::Detractor;
            QTest::addRow("%d", score) << score << int(expected);
        }
    }

    void npsCategoryFollowsTheScore()
    {
        QFETCH(int, score);
        QFETCH(int, category);
        QCOMPARE(int(npsCategory(score)), category);
        QCOMPARE(expectedNpsCategory(SurveyKind::Nps, score), std::optional<NpsCategory>(NpsCategory(category)));
        QVERIFY(!expectedNpsCategory(SurveyKind::Csat, score).has_value());
        QVERIFY(!expectedNpsCategory(SurveyKind::Ces, score).has_value());
    }

    // C++ and the schema agree on every score's fate, one step beyond each end of every scale.
    void scoreRangesAgreeWithTheSchema_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("score");
        QTest::addColumn<bool>("valid");
        const std::pair<SurveyKind, std::pair<int, int>> scales[]
            = { { SurveyKind::Nps, { 0, 10 } }, { SurveyKind::Csat, { 1, 5 } }, { SurveyKind::Ces, { 1, 7 } } };
        for (const auto &[kind, range] : scales) {
            QCOMPARE(surveyScoreRange(kind), range);
            for (int score = range.first - 1; score <= range.second + 1; ++score) {
                QTest::addRow("%s %d", qPrintable(enumName(kind)), score)
                    << int(kind) << score << (score >= range.first && score <= range.second);
            }
        }
    }

    void scoreRangesAgreeWithTheSchema()
    {
        QFETCH(int, kind);
        QFETCH(int, score);
        QFETCH(bool, valid);
        SurveyResponse r = sampleResponse();
        r.kind = SurveyKind(kind);
        r.score = score;
        r.npsCategory = expectedNpsCategory(r.kind, score);
        const Core::Status validated = r.validate();
        QCOMPARE(validated.ok(), valid);
        if (!valid)
            QCOMPARE(validated.error().field, u"score"_s);
        const QVariant category
            = r.npsCategory ? QVariant(enumName(*r.npsCategory)) : QVariant(QMetaType::fromType<QString>());
        const Core::Status raw = insertRawResponse(r.kind, score, category);
        QVERIFY2(raw.ok() == valid, qPrintable(raw ? u"the schema accepted it"_s : raw.error().toString()));
        if (!valid)
            QCOMPARE(raw.error().code, ErrorCode::InvalidArgument);
        if (valid)
            QVERIFY2(Storage::SurveyResponseRepository(db()).create(r), "the repository refused a valid answer");
    }

    void schemaRefusesAnInconsistentCategory_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("score");
        QTest::addColumn<QString>("category");
        QTest::addRow("nps 8 as promoter") << int(SurveyKind::Nps) << 8 << u"promoter"_s;
        QTest::addRow("nps 9 as passive") << int(SurveyKind::Nps) << 9 << u"passive"_s;
        QTest::addRow("nps 6 as passive") << int(SurveyKind::Nps) << 6 << u"passive"_s;
        QTest::addRow("nps 7 as detractor") << int(SurveyKind::Nps) << 7 << u"detractor"_s;
        QTest::addRow("csat with a category") << int(SurveyKind::Csat) << 5 << u"promoter"_s;
        QTest::addRow("ces with a category") << int(SurveyKind::Ces) << 2 << u"detractor"_s;
    }

    void schemaRefusesAnInconsistentCategory()
    {
        QFETCH(int, kind);
        QFETCH(int, score);
        QFETCH(QString, category);
        SurveyResponse r = sampleResponse();
        r.kind = SurveyKind(kind);
        r.score = score;
        r.npsCategory = enumFromString<NpsCategory>(category);
        const Core::Status validated = r.validate();
        QVERIFY(!validated);
        QCOMPARE(validated.error().field, u"nps_category"_s);
        const Core::Status raw = insertRawResponse(r.kind, score, category);
        QVERIFY2(!raw, "the schema accepted an inconsistent nps_category");
        QCOMPARE(raw.error().code, ErrorCode::InvalidArgument);
    }

    void rejectsBadInput_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<Attempt>("attempt");
        const QString tooLong201 = QString(201, u'x');

        QTest::addRow("survey: unknown kind")
            << u"kind"_s << attempt<Survey>(sampleSurvey(), [](auto &s) { s.kind = SurveyKind(3); });
        QTest::addRow("survey: blank name")
            << u"name"_s << attempt<Survey>(sampleSurvey(), [](auto &s) { s.name.clear(); });
        QTest::addRow("survey: name too long")
            << u"name"_s << attempt<Survey>(sampleSurvey(), [&](auto &s) { s.name = tooLong201; });
        QTest::addRow("survey: blank question")
            << u"question"_s << attempt<Survey>(sampleSurvey(), [](auto &s) { s.question = u" "_s; });
        QTest::addRow("survey: question too long")
            << u"question"_s << attempt<Survey>(sampleSurvey(), [](auto &s) { s.question = QString(1001, u'q'); });
        QTest::addRow("survey: unknown status")
            << u"status"_s << attempt<Survey>(sampleSurvey(), [](auto &s) { s.status = SurveyStatus(3); });
        QTest::addRow("survey: unknown channel")
            << u"channel"_s << attempt<Survey>(sampleSurvey(), [](auto &s) { s.channel = FeedbackChannel(6); });
        QTest::addRow("survey: closes when it opens")
            << u"closes_at"_s << attempt<Survey>(sampleSurvey(), [](auto &s) { s.closesAt = s.opensAt; });

        QTest::addRow("response: survey id 0")
            << u"survey_id"_s << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.surveyId = 0; });
        QTest::addRow("response: bad customer id")
            << u"customer_id"_s << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.customerId.clear(); });
        QTest::addRow("response: contact id 0")
            << u"contact_id"_s << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.contactId = 0; });
        QTest::addRow("response: unknown kind")
            << u"kind"_s << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.kind = SurveyKind(7); });
        QTest::addRow("response: nps 11") << u"score"_s << attempt<SurveyResponse>(sampleResponse(), [](auto &r) {
            r.score = 11;
            r.npsCategory = NpsCategory::Promoter;
        });
        QTest::addRow("response: nps -1") << u"score"_s << attempt<SurveyResponse>(sampleResponse(), [](auto &r) {
            r.score = -1;
            r.npsCategory.reset();
        });
        QTest::addRow("response: csat 0") << u"score"_s << attempt<SurveyResponse>(sampleResponse(), [](auto &r) {
            r.kind = SurveyKind::Csat;
            r.score = 0;
            r.npsCategory.reset();
        });
        QTest::addRow("response: csat 6") << u"score"_s << attempt<SurveyResponse>(sampleResponse(), [](auto &r) {
            r.kind = SurveyKind::Csat;
            r.score = 6;
            r.npsCategory.reset();
        });
        QTest::addRow("response: ces 8") << u"score"_s << attempt<SurveyResponse>(sampleResponse(), [](auto &r) {
            r.kind = SurveyKind::Ces;
            r.score = 8;
            r.npsCategory.reset();
        });
        QTest::addRow("response: nps 9 as passive")
            << u"nps_category"_s
            << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.npsCategory = NpsCategory::Passive; });
        QTest::addRow("response: nps without a category")
            << u"nps_category"_s << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.npsCategory.reset(); });
        QTest::addRow("response: csat with a category")
            << u"nps_category"_s << attempt<SurveyResponse>(sampleResponse(), [](auto &r) {
                   r.kind = SurveyKind::Csat;
                   r.score = 5;
               });
        QTest::addRow("response: unknown category")
            << u"nps_category"_s
            << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.npsCategory = NpsCategory(5); });
        QTest::addRow("response: sentiment above 1")
            << u"sentiment"_s << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.sentiment = 1.5; });
        QTest::addRow("response: sentiment below -1")
            << u"sentiment"_s << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.sentiment = -1.01; });
        QTest::addRow("response: blank theme")
            << u"themes"_s << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.themes << u""_s; });
        QTest::addRow("response: unknown channel")
            << u"channel"_s
            << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.channel = FeedbackChannel(9); });
        QTest::addRow("response: no answer time")
            << u"responded_at"_s
            << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.respondedAt = QDateTime(); });
        QTest::addRow("response: unknown follow-up status")
            << u"follow_up_status"_s
            << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.followUpStatus = FollowUpStatus(4); });
        QTest::addRow("response: routed_to too long")
            << u"routed_to"_s << attempt<SurveyResponse>(sampleResponse(), [&](auto &r) { r.routedTo = tooLong201; });

        QTest::addRow("theme rule: blank theme")
            << u"theme"_s << attempt<FeedbackThemeRule>(sampleThemeRule(), [](auto &t) { t.theme.clear(); });
        QTest::addRow("theme rule: theme too long")
            << u"theme"_s
            << attempt<FeedbackThemeRule>(sampleThemeRule(), [](auto &t) { t.theme = QString(101, u't'); });
        QTest::addRow("theme rule: blank keyword")
            << u"keywords"_s << attempt<FeedbackThemeRule>(sampleThemeRule(), [](auto &t) { t.keywords << u"  "_s; });

        QTest::addRow("insight: blank title")
            << u"title"_s << attempt<ProductInsight>(sampleInsight(), [](auto &p) { p.title.clear(); });
        QTest::addRow("insight: title too long")
            << u"title"_s << attempt<ProductInsight>(sampleInsight(), [](auto &p) { p.title = QString(301, u't'); });
        QTest::addRow("insight: unknown kind")
            << u"kind"_s << attempt<ProductInsight>(sampleInsight(), [](auto &p) { p.kind = InsightKind(7); });
        QTest::addRow("insight: theme too long")
            << u"theme"_s << attempt<ProductInsight>(sampleInsight(), [](auto &p) { p.theme = QString(101, u't'); });
        QTest::addRow("insight: unknown status")
            << u"status"_s << attempt<ProductInsight>(sampleInsight(), [](auto &p) { p.status = InsightStatus(6); });
        QTest::addRow("insight: negative customer count")
            << u"customer_count"_s << attempt<ProductInsight>(sampleInsight(), [](auto &p) { p.customerCount = -1; });
        QTest::addRow("insight: negative arr impact")
            << u"arr_impact"_s << attempt<ProductInsight>(sampleInsight(), [](auto &p) { p.arrImpact = -0.01; });
        QTest::addRow("insight: shared_with too long")
            << u"shared_with"_s
            << attempt<ProductInsight>(sampleInsight(), [&](auto &p) { p.sharedWith = tooLong201; });

        QTest::addRow("report: blank title")
            << u"title"_s << attempt<VocReport>(sampleReport(), [](auto &v) { v.title.clear(); });
        QTest::addRow("report: no period start")
            << u"period_start"_s << attempt<VocReport>(sampleReport(), [](auto &v) { v.periodStart = QDate(); });
        QTest::addRow("report: no period end")
            << u"period_end"_s << attempt<VocReport>(sampleReport(), [](auto &v) { v.periodEnd = QDate(); });
        QTest::addRow("report: ends before it starts")
            << u"period_end"_s
            << attempt<VocReport>(sampleReport(), [](auto &v) { v.periodEnd = v.periodStart.addDays(-1); });
        QTest::addRow("report: no generation time")
            << u"generated_at"_s << attempt<VocReport>(sampleReport(), [](auto &v) { v.generatedAt = QDateTime(); });
    }

    void rejectsBadInput()
    {
        QFETCH(QString, field);
        QFETCH(Attempt, attempt);
        // Caught in C++, naming the field...
        const Core::Status validated = attempt.validate();
        QVERIFY2(!validated, "validate() accepted it");
        QCOMPARE(validated.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(validated.error().field, field);
        // ...and so refused by the repository before anything reaches the database.
        const Core::Status stored = attempt.create();
        QVERIFY2(!stored, "the repository stored it");
        QCOMPARE(stored.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(stored.error().field, field);
        QCOMPARE(stored.error().message, validated.error().message);
    }

    void foreignKeysAreEnforced_data()
    {
        QTest::addColumn<Attempt>("attempt");
        QTest::addRow("response of an unknown customer")
            << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.customerId = u"nobody"_s; });
        QTest::addRow("response to an unknown survey")
            << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.surveyId = 987654; });
        QTest::addRow("response of an unknown contact")
            << attempt<SurveyResponse>(sampleResponse(), [](auto &r) { r.contactId = 987654; });
    }

    void foreignKeysAreEnforced()
    {
        QFETCH(Attempt, attempt);
        QVERIFY(attempt.validate());
        const Core::Status stored = attempt.create();
        QVERIFY2(!stored, "the schema accepted a dangling reference");
        QCOMPARE(stored.error().code, ErrorCode::InvalidArgument);
    }

    void themesAreUniqueIgnoringCase()
    {
        Storage::FeedbackThemeRuleRepository rules(db());
        FeedbackThemeRule rule = sampleThemeRule();
        rule.theme = u"Onboarding friction"_s;
        auto first = rules.create(rule);
        QVERIFY(first);
        rule.theme = u"ONBOARDING FRICTION"_s;
        QCOMPARE(rules.create(rule).error().code, ErrorCode::AlreadyExists);
        QVERIFY(rules.softDelete(first->id));
        QVERIFY(rules.create(rule));
    }

    void answersOutliveTheirSurveyAndContact()
    {
        Survey survey = sampleSurvey();
        const qint64 surveyId = store(survey);
        const qint64 contactId = insertContact(m_customer, u"Leaving Soon"_s);
        SurveyResponse response = sampleResponse();
        response.surveyId = surveyId;
        response.contactId = contactId;
        const qint64 responseId = store(response);
        QVERIFY(surveyId > 0 && contactId > 0 && responseId > 0);
        QVERIFY(Storage::SurveyRepository(db()).remove(surveyId));
        QVERIFY(Storage::exec(db(), u"DELETE FROM contacts WHERE id = ?"_s, { contactId }));
        auto kept = Storage::SurveyResponseRepository(db()).get(responseId);
        QVERIFY(kept);
        QVERIFY(!kept->surveyId.has_value());
        QVERIFY(!kept->contactId.has_value());
        QCOMPARE(kept->score, 9);
    }

    void removingTheCustomerCascades()
    {
        const QString id = u"cascade-feedback"_s;
        QVERIFY(createCustomer(id));
        SurveyResponse response = sampleResponse();
        response.customerId = id;
        response.contactId.reset();
        const qint64 responseId = store(response);
        QVERIFY(responseId > 0);
        QVERIFY(Storage::CustomerRepository(db()).remove(id));
        QCOMPARE(countRows(db(), u"SELECT COUNT(*) FROM survey_responses WHERE id = ?"_s, { responseId }), qint64(0));
        QVERIFY(Storage::SurveyRepository(db()).get(m_surveyId)); // the survey itself stays
    }
};

QTEST_GUILESS_MAIN(TestFeedbackRepositories)
#include "tst_repositories_feedback.moc"
