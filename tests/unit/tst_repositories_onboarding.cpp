// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Repositories of the onboarding records (schema 0003: templates, plans, milestones, tasks, training,
// certification). Built twice: against SQLite (label unit) and PostgreSQL (label pg). One database is shared by
// every test function (a PostgreSQL fixture costs ~0.3 s), so each test uses records of its own.
#include <functional>
#include <memory>

#include <QFile>
#include <QRegularExpression>
#include <QSqlRecord>
#include <QTest>
#include <QTimeZone>

#include "sql.h"
#include "tables_customers.h"
#include "tables_onboarding.h"
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
template<typename T> void verifySampleSetsEveryColumn(const T &sample)
{
    const T defaults {};
    for (const Storage::Column<T> &c : Traits<T>::columns()) {
        if (c.flags & Storage::GeneratedKey)
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
// `mutate` must change at least one mutable column and leave the record valid.
template<typename T>
void verifyLifecycle(Storage::Database &db, const T &sample, const std::function<void(T &)> &mutate)
{
    constexpr bool versioned = Traits<T>::versioned;
    Storage::Repository<T> repo(db);
    verifySampleSetsEveryColumn(sample);
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

class TestOnboardingRepositories final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    const QString m_customer = u"acme-onboarding"_s;
    qint64 m_contactId = 0;
    qint64 m_templateId = 0;
    qint64 m_templateMilestoneId = 0;
    qint64 m_planId = 0;
    qint64 m_milestoneId = 0;
    qint64 m_moduleId = 0;
    qint64 m_sessionId = 0;
    qint64 m_programId = 0;
    int m_unique = 0;

    Storage::Database &db() { return m_fixture->db(); }
    QString unique(const QString &prefix) { return u"%1 %2"_s.arg(prefix).arg(++m_unique); }

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

    OnboardingTemplate sampleTemplate()
    {
        OnboardingTemplate t;
        t.name = unique(u"Enterprise rollout"_s);
        t.description = u"Kickoff, SSO, data import, admin training, go-live"_s;
        t.tier = Tier::Enterprise;
        t.complexity = OnboardingComplexity::High;
        t.targetTtvDays = 45;
        t.isActive = false;
        return t;
    }

    OnboardingTemplateMilestone sampleTemplateMilestone()
    {
        OnboardingTemplateMilestone m;
        m.templateId = m_templateId;
        m.position = 2;
        m.name = u"Single sign-on"_s;
        m.description = u"Connect the identity provider"_s;
        m.offsetDays = 14;
        m.tasks = { u"Collect SAML metadata"_s, u"Test with a pilot group"_s, u"Ünïcödé \"quoted\" task"_s };
        return m;
    }

    OnboardingPlan samplePlan()
    {
        OnboardingPlan p;
        p.customerId = m_customer;
        p.templateId = m_templateId;
        p.name = unique(u"Acme onboarding"_s);
        p.status = OnboardingPlanStatus::InProgress;
        p.owner = u"dana@csdesk.example"_s;
        p.startedOn = QDate(2026, 2, 1);
        p.targetGoLive = QDate(2026, 3, 15);
        p.completedOn = QDate(2026, 3, 10);
        p.targetTtvDays = 40;
        p.ttvDays = 37;
        p.automation = { { u"overdue_items"_s, true }, { u"no_progress_days"_s, 7.5 },
            { u"notify"_s, QVariantList { u"dana"_s, u"sam"_s } } };
        p.notes = u"Champion is on leave in March"_s;
        return p;
    }

    OnboardingMilestone sampleMilestone()
    {
        OnboardingMilestone m;
        m.planId = m_planId;
        m.templateMilestoneId = m_templateMilestoneId;
        m.position = 1;
        m.name = u"Data import"_s;
        m.description = u"Historical tickets and accounts"_s;
        m.owner = u"sam@csdesk.example"_s;
        m.status = OnboardingStepStatus::Completed;
        m.dueDate = QDate(2026, 2, 20);
        // Written with an offset, read back as the same instant in UTC.
        m.startedAt = QDateTime(QDate(2026, 2, 10), QTime(8, 0, 0, 125), QTimeZone(2 * 3600));
        m.completedAt = utc(2026, 2, 18);
        return m;
    }

    OnboardingTask sampleTask()
    {
        OnboardingTask t;
        t.milestoneId = m_milestoneId;
        t.position = 3;
        t.title = u"Export accounts from the old CRM"_s;
        t.description = u"CSV, UTF-8"_s;
        t.owner = u"it@acme.example"_s;
        t.status = OnboardingStepStatus::Completed;
        t.dueDate = QDate(2026, 2, 12);
        t.completedAt = utc(2026, 2, 11);
        return t;
    }

    TrainingModule sampleModule()
    {
        TrainingModule m;
        m.name = unique(u"Admin essentials"_s);
        m.description = u"Roles, permissions, SSO"_s;
        m.format = TrainingFormat::SelfPaced;
        m.level = TrainingLevel::Intermediate;
        m.durationMinutes = 90;
        m.contentUrl = u"https://learn.example.com/admin?lang=en"_s;
        return m;
    }

    TrainingSession sampleSession()
    {
        TrainingSession s;
        s.customerId = m_customer;
        s.moduleId = m_moduleId;
        s.title = u"Admin training, cohort 1"_s;
        s.scheduledAt = utc(2026, 2, 5, 14, 0, 0, 0);
        s.durationMinutes = 120;
        s.trainer = u"Lee"_s;
        s.location = u"Zoom"_s;
        s.status = TrainingSessionStatus::Completed;
        s.outcomeNotes = u"All admins can manage roles"_s;
        s.completedAt = utc(2026, 2, 5, 16, 5, 0, 0);
        return s;
    }

    TrainingAttendee sampleAttendee()
    {
        TrainingAttendee a;
        a.sessionId = m_sessionId;
        a.contactId = m_contactId;
        a.attended = true;
        a.score = 87.5;
        a.feedback = u"Great pace"_s;
        return a;
    }

    CertificationProgram sampleProgram()
    {
        CertificationProgram p;
        p.name = unique(u"Certified admin"_s);
        p.description = u"Three modules and an exam"_s;
        p.passingScore = 72.5;
        p.validityDays = 365;
        p.isActive = false;
        return p;
    }

    CertificationProgramModule sampleProgramModule()
    {
        CertificationProgramModule m;
        m.programId = m_programId;
        m.moduleId = m_moduleId;
        m.position = 4;
        m.isRequired = false;
        return m;
    }

    Certification sampleCertification()
    {
        Certification c;
        c.contactId = m_contactId;
        c.programId = m_programId;
        c.status = CertificationStatus::Revoked;
        c.score = 91.25;
        c.issuedAt = utc(2026, 1, 10);
        c.expiresAt = utc(2027, 1, 10);
        c.revokedAt = utc(2026, 6, 1);
        c.revokeReason = u"Exam retaken by someone else"_s;
        return c;
    }

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
        Customer customer;
        customer.id = m_customer;
        customer.name = u"Acme Onboarding Inc."_s;
        QVERIFY(Storage::CustomerRepository(db()).create(customer));
        m_contactId = insertContact(m_customer, u"Ann Admin"_s);
        QVERIFY(m_contactId > 0);

        OnboardingTemplate tmpl;
        tmpl.name = u"Parent template"_s;
        QVERIFY((m_templateId = store(tmpl)) > 0);
        OnboardingTemplateMilestone tm;
        tm.templateId = m_templateId;
        tm.name = u"Parent template milestone"_s;
        QVERIFY((m_templateMilestoneId = store(tm)) > 0);
        OnboardingPlan plan;
        plan.customerId = m_customer;
        plan.name = u"Parent plan"_s;
        QVERIFY((m_planId = store(plan)) > 0);
        OnboardingMilestone milestone;
        milestone.planId = m_planId;
        milestone.name = u"Parent milestone"_s;
        QVERIFY((m_milestoneId = store(milestone)) > 0);
        TrainingModule module;
        module.name = u"Parent module"_s;
        QVERIFY((m_moduleId = store(module)) > 0);
        TrainingSession session;
        session.customerId = m_customer;
        session.title = u"Parent session"_s;
        session.scheduledAt = utc(2026, 1, 5);
        QVERIFY((m_sessionId = store(session)) > 0);
        CertificationProgram program;
        program.name = u"Parent program"_s;
        QVERIFY((m_programId = store(program)) > 0);
    }

    void cleanupTestCase() { m_fixture.reset(); }

    void everyColumnIsMapped()
    {
        verifyEveryColumnIsMapped<OnboardingTemplate>(db());
        verifyEveryColumnIsMapped<OnboardingTemplateMilestone>(db());
        verifyEveryColumnIsMapped<OnboardingPlan>(db());
        verifyEveryColumnIsMapped<OnboardingMilestone>(db());
        verifyEveryColumnIsMapped<OnboardingTask>(db());
        verifyEveryColumnIsMapped<TrainingModule>(db());
        verifyEveryColumnIsMapped<TrainingSession>(db());
        verifyEveryColumnIsMapped<TrainingAttendee>(db());
        verifyEveryColumnIsMapped<CertificationProgram>(db());
        verifyEveryColumnIsMapped<CertificationProgramModule>(db());
        verifyEveryColumnIsMapped<Certification>(db());
    }

    void enumsMatchTheSchema_data()
    {
        QTest::addColumn<QString>("table");
        QTest::addColumn<QString>("column");
        QTest::addColumn<QStringList>("names");
        QTest::addRow("template tier") << u"onboarding_templates"_s << u"tier"_s << enumValues<Tier>();
        QTest::addRow("template complexity")
            << u"onboarding_templates"_s << u"complexity"_s << enumValues<OnboardingComplexity>();
        QTest::addRow("plan status") << u"onboarding_plans"_s << u"status"_s << enumValues<OnboardingPlanStatus>();
        QTest::addRow("milestone status")
            << u"onboarding_milestones"_s << u"status"_s << enumValues<OnboardingStepStatus>();
        QTest::addRow("task status") << u"onboarding_tasks"_s << u"status"_s << enumValues<OnboardingStepStatus>();
        QTest::addRow("module format") << u"training_modules"_s << u"format"_s << enumValues<TrainingFormat>();
        QTest::addRow("module level") << u"training_modules"_s << u"level"_s << enumValues<TrainingLevel>();
        QTest::addRow("session status") << u"training_sessions"_s << u"status"_s << enumValues<TrainingSessionStatus>();
        QTest::addRow("certification status")
            << u"certifications"_s << u"status"_s << enumValues<CertificationStatus>();
    }

    void enumsMatchTheSchema()
    {
        QFETCH(QString, table);
        QFETCH(QString, column);
        QFETCH(QStringList, names);
        QCOMPARE(names, checkList(u"0003_onboarding.sql"_s, table, column));
    }

    void templateLifecycle()
    {
        verifyLifecycle<OnboardingTemplate>(db(), sampleTemplate(), [](OnboardingTemplate &t) {
            t.tier.reset();
            t.complexity = OnboardingComplexity::Low;
            t.isActive = true;
        });
        if (QTest::currentTestFailed())
            return;
        OnboardingTemplate minimal;
        minimal.name = unique(u"Minimal template"_s);
        verifyMinimalRoundTrip(db(), minimal);
    }

    void templateMilestoneLifecycle()
    {
        verifyLifecycle<OnboardingTemplateMilestone>(
            db(), sampleTemplateMilestone(), [](OnboardingTemplateMilestone &m) {
                m.tasks.removeFirst();
                m.offsetDays = 21;
            });
    }

    void planLifecycle()
    {
        verifyLifecycle<OnboardingPlan>(db(), samplePlan(), [](OnboardingPlan &p) {
            p.status = OnboardingPlanStatus::Completed;
            p.templateId.reset();
            p.ttvDays = 0;
            p.automation.remove(u"notify"_s);
        });
        if (QTest::currentTestFailed())
            return;
        OnboardingPlan minimal;
        minimal.customerId = m_customer;
        minimal.name = u"Minimal plan"_s;
        verifyMinimalRoundTrip(db(), minimal);
    }

    void milestoneLifecycle()
    {
        verifyLifecycle<OnboardingMilestone>(db(), sampleMilestone(), [](OnboardingMilestone &m) {
            m.status = OnboardingStepStatus::Skipped;
            m.completedAt = QDateTime();
            m.templateMilestoneId.reset();
        });
    }

    void taskLifecycle()
    {
        verifyLifecycle<OnboardingTask>(db(), sampleTask(), [](OnboardingTask &t) {
            t.status = OnboardingStepStatus::InProgress;
            t.completedAt = QDateTime();
            t.dueDate = QDate();
        });
    }

    void trainingModuleLifecycle()
    {
        verifyLifecycle<TrainingModule>(db(), sampleModule(), [](TrainingModule &m) {
            m.level.reset();
            m.durationMinutes.reset();
            m.format = TrainingFormat::Workshop;
        });
        if (QTest::currentTestFailed())
            return;
        TrainingModule minimal;
        minimal.name = unique(u"Minimal module"_s);
        verifyMinimalRoundTrip(db(), minimal);
    }

    void trainingSessionLifecycle()
    {
        verifyLifecycle<TrainingSession>(db(), sampleSession(), [](TrainingSession &s) {
            s.status = TrainingSessionStatus::Cancelled;
            s.completedAt = QDateTime();
            s.moduleId.reset();
        });
    }

    void trainingAttendeeLifecycle()
    {
        verifyLifecycle<TrainingAttendee>(db(), sampleAttendee(), [](TrainingAttendee &a) {
            a.attended = false;
            a.score.reset();
        });
    }

    void certificationProgramLifecycle()
    {
        verifyLifecycle<CertificationProgram>(db(), sampleProgram(), [](CertificationProgram &p) {
            p.passingScore = 100;
            p.validityDays.reset();
        });
        if (QTest::currentTestFailed())
            return;
        CertificationProgram minimal;
        minimal.name = unique(u"Minimal program"_s);
        verifyMinimalRoundTrip(db(), minimal);
    }

    void certificationProgramModuleLifecycle()
    {
        verifyLifecycle<CertificationProgramModule>(db(), sampleProgramModule(), [](CertificationProgramModule &m) {
            m.isRequired = true;
            m.position = 0;
        });
    }

    void certificationLifecycle()
    {
        verifyLifecycle<Certification>(db(), sampleCertification(), [](Certification &c) {
            c.revokeReason = u"Appeal pending"_s;
            c.expiresAt = QDateTime();
        });
    }

    void rejectsBadInput_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<Attempt>("attempt");
        const QString tooLong201 = QString(201, u'x');

        QTest::addRow("template: blank name")
            << u"name"_s << attempt<OnboardingTemplate>(sampleTemplate(), [](auto &t) { t.name = u"  "_s; });
        QTest::addRow("template: name too long")
            << u"name"_s << attempt<OnboardingTemplate>(sampleTemplate(), [&](auto &t) { t.name = tooLong201; });
        QTest::addRow("template: unknown tier")
            << u"tier"_s << attempt<OnboardingTemplate>(sampleTemplate(), [](auto &t) { t.tier = Tier(42); });
        QTest::addRow("template: unknown complexity")
            << u"complexity"_s
            << attempt<OnboardingTemplate>(sampleTemplate(), [](auto &t) { t.complexity = OnboardingComplexity(42); });
        QTest::addRow("template: zero target ttv")
            << u"target_ttv_days"_s
            << attempt<OnboardingTemplate>(sampleTemplate(), [](auto &t) { t.targetTtvDays = 0; });
        QTest::addRow("template: description too long")
            << u"description"_s
            << attempt<OnboardingTemplate>(sampleTemplate(), [](auto &t) { t.description = QString(10001, u'd'); });

        QTest::addRow("template milestone: no template")
            << u"template_id"_s
            << attempt<OnboardingTemplateMilestone>(sampleTemplateMilestone(), [](auto &m) { m.templateId = 0; });
        QTest::addRow("template milestone: negative position")
            << u"position"_s
            << attempt<OnboardingTemplateMilestone>(sampleTemplateMilestone(), [](auto &m) { m.position = -1; });
        QTest::addRow("template milestone: blank name")
            << u"name"_s
            << attempt<OnboardingTemplateMilestone>(sampleTemplateMilestone(), [](auto &m) { m.name.clear(); });
        QTest::addRow("template milestone: negative offset")
            << u"offset_days"_s
            << attempt<OnboardingTemplateMilestone>(sampleTemplateMilestone(), [](auto &m) { m.offsetDays = -1; });
        QTest::addRow("template milestone: blank task title")
            << u"tasks"_s
            << attempt<OnboardingTemplateMilestone>(sampleTemplateMilestone(), [](auto &m) { m.tasks << u" "_s; });

        QTest::addRow("plan: bad customer id")
            << u"customer_id"_s << attempt<OnboardingPlan>(samplePlan(), [](auto &p) { p.customerId = u"no such"_s; });
        QTest::addRow("plan: template id 0")
            << u"template_id"_s << attempt<OnboardingPlan>(samplePlan(), [](auto &p) { p.templateId = 0; });
        QTest::addRow("plan: blank name")
            << u"name"_s << attempt<OnboardingPlan>(samplePlan(), [](auto &p) { p.name.clear(); });
        QTest::addRow("plan: unknown status")
            << u"status"_s
            << attempt<OnboardingPlan>(samplePlan(), [](auto &p) { p.status = OnboardingPlanStatus(9); });
        QTest::addRow("plan: owner too long")
            << u"owner"_s << attempt<OnboardingPlan>(samplePlan(), [&](auto &p) { p.owner = tooLong201; });
        QTest::addRow("plan: go-live before start")
            << u"target_go_live"_s
            << attempt<OnboardingPlan>(samplePlan(), [](auto &p) { p.targetGoLive = p.startedOn.addDays(-1); });
        QTest::addRow("plan: completed before start")
            << u"completed_on"_s
            << attempt<OnboardingPlan>(samplePlan(), [](auto &p) { p.completedOn = p.startedOn.addDays(-1); });
        QTest::addRow("plan: completed without a date")
            << u"completed_on"_s << attempt<OnboardingPlan>(samplePlan(), [](auto &p) {
                   p.status = OnboardingPlanStatus::Completed;
                   p.completedOn = QDate();
               });
        QTest::addRow("plan: zero target ttv")
            << u"target_ttv_days"_s << attempt<OnboardingPlan>(samplePlan(), [](auto &p) { p.targetTtvDays = 0; });
        QTest::addRow("plan: negative ttv")
            << u"ttv_days"_s << attempt<OnboardingPlan>(samplePlan(), [](auto &p) { p.ttvDays = -1; });

        QTest::addRow("milestone: no plan")
            << u"plan_id"_s << attempt<OnboardingMilestone>(sampleMilestone(), [](auto &m) { m.planId = 0; });
        QTest::addRow("milestone: negative template milestone")
            << u"template_milestone_id"_s
            << attempt<OnboardingMilestone>(sampleMilestone(), [](auto &m) { m.templateMilestoneId = -5; });
        QTest::addRow("milestone: blank name")
            << u"name"_s << attempt<OnboardingMilestone>(sampleMilestone(), [](auto &m) { m.name = u"\t"_s; });
        QTest::addRow("milestone: unknown status")
            << u"status"_s
            << attempt<OnboardingMilestone>(sampleMilestone(), [](auto &m) { m.status = OnboardingStepStatus(9); });
        QTest::addRow("milestone: completed without a time")
            << u"completed_at"_s
            << attempt<OnboardingMilestone>(sampleMilestone(), [](auto &m) { m.completedAt = QDateTime(); });
        QTest::addRow("milestone: completed before started")
            << u"completed_at"_s << attempt<OnboardingMilestone>(sampleMilestone(), [](auto &m) {
                   m.completedAt = m.startedAt.addMSecs(-1);
               });

        QTest::addRow("task: no milestone")
            << u"milestone_id"_s << attempt<OnboardingTask>(sampleTask(), [](auto &t) { t.milestoneId = 0; });
        QTest::addRow("task: negative position")
            << u"position"_s << attempt<OnboardingTask>(sampleTask(), [](auto &t) { t.position = -3; });
        QTest::addRow("task: blank title")
            << u"title"_s << attempt<OnboardingTask>(sampleTask(), [](auto &t) { t.title.clear(); });
        QTest::addRow("task: title too long")
            << u"title"_s << attempt<OnboardingTask>(sampleTask(), [](auto &t) { t.title = QString(501, u't'); });
        QTest::addRow("task: unknown status")
            << u"status"_s
            << attempt<OnboardingTask>(sampleTask(), [](auto &t) { t.status = OnboardingStepStatus(7); });
        QTest::addRow("task: completed without a time")
            << u"completed_at"_s << attempt<OnboardingTask>(sampleTask(), [](auto &t) { t.completedAt = QDateTime(); });

        QTest::addRow("module: blank name")
            << u"name"_s << attempt<TrainingModule>(sampleModule(), [](auto &m) { m.name.clear(); });
        QTest::addRow("module: unknown format")
            << u"format"_s << attempt<TrainingModule>(sampleModule(), [](auto &m) { m.format = TrainingFormat(9); });
        QTest::addRow("module: unknown level")
            << u"level"_s << attempt<TrainingModule>(sampleModule(), [](auto &m) { m.level = TrainingLevel(9); });
        QTest::addRow("module: zero duration")
            << u"duration_minutes"_s << attempt<TrainingModule>(sampleModule(), [](auto &m) { m.durationMinutes = 0; });
        QTest::addRow("module: ftp url") << u"content_url"_s << attempt<TrainingModule>(sampleModule(), [](auto &m) {
            m.contentUrl = u"ftp://learn.example.com/x"_s;
        });
        QTest::addRow("module: not a url")
            << u"content_url"_s
            << attempt<TrainingModule>(sampleModule(), [](auto &m) { m.contentUrl = u"see the wiki"_s; });

        QTest::addRow("session: bad customer id")
            << u"customer_id"_s << attempt<TrainingSession>(sampleSession(), [](auto &s) { s.customerId.clear(); });
        QTest::addRow("session: module id 0")
            << u"module_id"_s << attempt<TrainingSession>(sampleSession(), [](auto &s) { s.moduleId = 0; });
        QTest::addRow("session: blank title")
            << u"title"_s << attempt<TrainingSession>(sampleSession(), [](auto &s) { s.title.clear(); });
        QTest::addRow("session: not scheduled")
            << u"scheduled_at"_s
            << attempt<TrainingSession>(sampleSession(), [](auto &s) { s.scheduledAt = QDateTime(); });
        QTest::addRow("session: zero duration")
            << u"duration_minutes"_s
            << attempt<TrainingSession>(sampleSession(), [](auto &s) { s.durationMinutes = 0; });
        QTest::addRow("session: longer than a day")
            << u"duration_minutes"_s
            << attempt<TrainingSession>(sampleSession(), [](auto &s) { s.durationMinutes = 1441; });
        QTest::addRow("session: unknown status")
            << u"status"_s
            << attempt<TrainingSession>(sampleSession(), [](auto &s) { s.status = TrainingSessionStatus(5); });
        QTest::addRow("session: completed before it was held")
            << u"completed_at"_s
            << attempt<TrainingSession>(sampleSession(), [](auto &s) { s.completedAt = s.scheduledAt.addSecs(-60); });

        QTest::addRow("attendee: no session")
            << u"session_id"_s << attempt<TrainingAttendee>(sampleAttendee(), [](auto &a) { a.sessionId = 0; });
        QTest::addRow("attendee: no contact")
            << u"contact_id"_s << attempt<TrainingAttendee>(sampleAttendee(), [](auto &a) { a.contactId = -1; });
        QTest::addRow("attendee: score above 100")
            << u"score"_s << attempt<TrainingAttendee>(sampleAttendee(), [](auto &a) { a.score = 100.5; });
        QTest::addRow("attendee: negative score")
            << u"score"_s << attempt<TrainingAttendee>(sampleAttendee(), [](auto &a) { a.score = -1; });

        QTest::addRow("program: blank name")
            << u"name"_s << attempt<CertificationProgram>(sampleProgram(), [](auto &p) { p.name.clear(); });
        QTest::addRow("program: passing score above 100")
            << u"passing_score"_s
            << attempt<CertificationProgram>(sampleProgram(), [](auto &p) { p.passingScore = 101; });
        QTest::addRow("program: zero validity")
            << u"validity_days"_s
            << attempt<CertificationProgram>(sampleProgram(), [](auto &p) { p.validityDays = 0; });

        QTest::addRow("program module: no program")
            << u"program_id"_s
            << attempt<CertificationProgramModule>(sampleProgramModule(), [](auto &m) { m.programId = 0; });
        QTest::addRow("program module: no module")
            << u"module_id"_s
            << attempt<CertificationProgramModule>(sampleProgramModule(), [](auto &m) { m.moduleId = 0; });
        QTest::addRow("program module: negative position")
            << u"position"_s
            << attempt<CertificationProgramModule>(sampleProgramModule(), [](auto &m) { m.position = -1; });

        QTest::addRow("certification: no contact")
            << u"contact_id"_s << attempt<Certification>(sampleCertification(), [](auto &c) { c.contactId = 0; });
        QTest::addRow("certification: no program")
            << u"program_id"_s << attempt<Certification>(sampleCertification(), [](auto &c) { c.programId = 0; });
        QTest::addRow("certification: unknown status")
            << u"status"_s
            << attempt<Certification>(sampleCertification(), [](auto &c) { c.status = CertificationStatus(8); });
        QTest::addRow("certification: score above 100")
            << u"score"_s << attempt<Certification>(sampleCertification(), [](auto &c) { c.score = 100.01; });
        QTest::addRow("certification: certified without issue time")
            << u"issued_at"_s << attempt<Certification>(sampleCertification(), [](auto &c) {
                   c.status = CertificationStatus::Certified;
                   c.issuedAt = QDateTime();
                   c.expiresAt = QDateTime();
               });
        QTest::addRow("certification: revoked without revoke time")
            << u"revoked_at"_s
            << attempt<Certification>(sampleCertification(), [](auto &c) { c.revokedAt = QDateTime(); });
        QTest::addRow("certification: expires when issued")
            << u"expires_at"_s
            << attempt<Certification>(sampleCertification(), [](auto &c) { c.expiresAt = c.issuedAt; });
        QTest::addRow("certification: revoke reason too long")
            << u"revoke_reason"_s
            << attempt<Certification>(sampleCertification(), [](auto &c) { c.revokeReason = QString(1001, u'r'); });
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
        QTest::addRow("plan of an unknown customer")
            << attempt<OnboardingPlan>(samplePlan(), [](auto &p) { p.customerId = u"nobody"_s; });
        QTest::addRow("plan from an unknown template")
            << attempt<OnboardingPlan>(samplePlan(), [](auto &p) { p.templateId = 987654; });
        QTest::addRow("milestone of an unknown plan")
            << attempt<OnboardingMilestone>(sampleMilestone(), [](auto &m) { m.planId = 987654; });
        QTest::addRow("task of an unknown milestone")
            << attempt<OnboardingTask>(sampleTask(), [](auto &t) { t.milestoneId = 987654; });
        QTest::addRow("session of an unknown customer")
            << attempt<TrainingSession>(sampleSession(), [](auto &s) { s.customerId = u"nobody"_s; });
        QTest::addRow("attendee who is no contact")
            << attempt<TrainingAttendee>(sampleAttendee(), [](auto &a) { a.contactId = 987654; });
        QTest::addRow("certification in an unknown program")
            << attempt<Certification>(sampleCertification(), [](auto &c) { c.programId = 987654; });
    }

    void foreignKeysAreEnforced()
    {
        QFETCH(Attempt, attempt);
        QVERIFY(attempt.validate());
        const Core::Status stored = attempt.create();
        QVERIFY2(!stored, "the schema accepted a dangling reference");
        QCOMPARE(stored.error().code, ErrorCode::InvalidArgument);
    }

    void uniqueConstraints()
    {
        // Template names are unique among live templates, ignoring case; a deleted one frees its name.
        Storage::OnboardingTemplateRepository templates(db());
        OnboardingTemplate first = sampleTemplate();
        first.name = u"Unique Rollout"_s;
        auto created = templates.create(first);
        QVERIFY2(created, qPrintable(describe(created)));
        OnboardingTemplate second = first;
        second.name = u"unique rollout"_s;
        QCOMPARE(templates.create(second).error().code, ErrorCode::AlreadyExists);
        QVERIFY(templates.softDelete(created->id));
        QVERIFY(templates.create(second));

        // One attendance row per contact and session.
        Storage::TrainingAttendeeRepository attendees(db());
        QVERIFY(attendees.create(sampleAttendee()));
        QCOMPARE(attendees.create(sampleAttendee()).error().code, ErrorCode::AlreadyExists);

        // One live certification per contact and program; a revoked one does not count.
        Storage::CertificationRepository certifications(db());
        Certification live = sampleCertification();
        live.status = CertificationStatus::InProgress;
        live.revokedAt = QDateTime();
        QVERIFY(certifications.create(live));
        QCOMPARE(certifications.create(live).error().code, ErrorCode::AlreadyExists);
        QVERIFY(certifications.create(sampleCertification())); // revoked
    }

    void immutableColumnsStay()
    {
        Storage::CustomerRepository customers(db());
        Customer other;
        other.id = u"other-co"_s;
        other.name = u"Other Co"_s;
        QVERIFY(customers.create(other));
        Storage::OnboardingPlanRepository plans(db());
        auto plan = plans.create(samplePlan());
        QVERIFY(plan);
        OnboardingPlan moved = *plan;
        moved.customerId = u"other-co"_s;
        moved.notes = u"tried to move it"_s;
        auto saved = plans.update(moved);
        QVERIFY2(saved, qPrintable(describe(saved)));
        QCOMPARE(saved->customerId, m_customer);
        QCOMPARE(saved->notes, u"tried to move it"_s);
    }

    void deletingAReferencedRecordClearsOrCascades()
    {
        // Removing a template keeps the plans made from it (template_id becomes NULL), and their milestones
        // lose the link to the template milestone.
        OnboardingTemplate tmpl = sampleTemplate();
        const qint64 templateId = store(tmpl);
        QVERIFY(templateId > 0);
        OnboardingTemplateMilestone tm = sampleTemplateMilestone();
        tm.templateId = templateId;
        const qint64 templateMilestoneId = store(tm);
        OnboardingPlan plan = samplePlan();
        plan.templateId = templateId;
        const qint64 planId = store(plan);
        OnboardingMilestone milestone = sampleMilestone();
        milestone.planId = planId;
        milestone.templateMilestoneId = templateMilestoneId;
        const qint64 milestoneId = store(milestone);
        QVERIFY(templateMilestoneId > 0 && planId > 0 && milestoneId > 0);
        QVERIFY(Storage::OnboardingTemplateRepository(db()).remove(templateId));
        auto orphanPlan = Storage::OnboardingPlanRepository(db()).get(planId);
        QVERIFY(orphanPlan);
        QVERIFY(!orphanPlan->templateId.has_value());
        auto orphanMilestone = Storage::OnboardingMilestoneRepository(db()).get(milestoneId);
        QVERIFY(orphanMilestone);
        QVERIFY(!orphanMilestone->templateMilestoneId.has_value());
        QCOMPARE(countRows(db(), u"SELECT COUNT(*) FROM onboarding_template_milestones WHERE template_id = ?"_s,
                     { templateId }),
            qint64(0));

        // Removing a training module keeps its sessions and drops it from certification programs.
        const qint64 moduleId = store(sampleModule());
        TrainingSession session = sampleSession();
        session.moduleId = moduleId;
        const qint64 sessionId = store(session);
        CertificationProgramModule link = sampleProgramModule();
        link.moduleId = moduleId;
        QVERIFY(store(link) > 0);
        QVERIFY(Storage::TrainingModuleRepository(db()).remove(moduleId));
        auto orphanSession = Storage::TrainingSessionRepository(db()).get(sessionId);
        QVERIFY(orphanSession);
        QVERIFY(!orphanSession->moduleId.has_value());
        QCOMPARE(
            countRows(db(), u"SELECT COUNT(*) FROM certification_program_modules WHERE module_id = ?"_s, { moduleId }),
            qint64(0));
    }

    void removingTheCustomerCascades()
    {
        const QString id = u"cascade-co"_s;
        Customer customer;
        customer.id = id;
        customer.name = u"Cascade Co"_s;
        QVERIFY(Storage::CustomerRepository(db()).create(customer));
        const qint64 contactId = insertContact(id, u"Cas Cade"_s);
        OnboardingPlan plan = samplePlan();
        plan.customerId = id;
        const qint64 planId = store(plan);
        OnboardingMilestone milestone = sampleMilestone();
        milestone.planId = planId;
        const qint64 milestoneId = store(milestone);
        OnboardingTask task = sampleTask();
        task.milestoneId = milestoneId;
        const qint64 taskId = store(task);
        TrainingSession session = sampleSession();
        session.customerId = id;
        const qint64 sessionId = store(session);
        TrainingAttendee attendee = sampleAttendee();
        attendee.sessionId = sessionId;
        attendee.contactId = contactId;
        const qint64 attendeeId = store(attendee);
        Certification certification = sampleCertification();
        certification.contactId = contactId;
        const qint64 certificationId = store(certification);
        QVERIFY(contactId > 0 && planId > 0 && milestoneId > 0 && taskId > 0 && sessionId > 0 && attendeeId > 0
            && certificationId > 0);

        QVERIFY(Storage::CustomerRepository(db()).remove(id));
        const std::pair<QString, qint64> children[] = {
            { u"onboarding_plans"_s, planId },
            { u"onboarding_milestones"_s, milestoneId },
            { u"onboarding_tasks"_s, taskId },
            { u"training_sessions"_s, sessionId },
            { u"training_attendees"_s, attendeeId },
            { u"certifications"_s, certificationId },
        };
        for (const auto &[table, rowId] : children) {
            QVERIFY2(countRows(db(), u"SELECT COUNT(*) FROM %1 WHERE id = ?"_s.arg(table), { rowId }) == 0,
                qPrintable(table + u" kept a row of the removed customer"_s));
        }
        // Shared catalogue records are untouched.
        QVERIFY(Storage::CertificationProgramRepository(db()).get(m_programId));
        QVERIFY(Storage::TrainingModuleRepository(db()).get(m_moduleId));
    }

    void overdueIsDerived_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QDate>("due");
        QTest::addColumn<bool>("overdue");
        QTest::addRow("pending, past due") << int(OnboardingStepStatus::Pending) << QDate(2026, 3, 1) << true;
        QTest::addRow("in progress, past due") << int(OnboardingStepStatus::InProgress) << QDate(2026, 3, 1) << true;
        QTest::addRow("pending, due today") << int(OnboardingStepStatus::Pending) << QDate(2026, 3, 10) << false;
        QTest::addRow("pending, no due date") << int(OnboardingStepStatus::Pending) << QDate() << false;
        QTest::addRow("completed, past due") << int(OnboardingStepStatus::Completed) << QDate(2026, 3, 1) << false;
        QTest::addRow("skipped, past due") << int(OnboardingStepStatus::Skipped) << QDate(2026, 3, 1) << false;
    }

    void overdueIsDerived()
    {
        QFETCH(int, status);
        QFETCH(QDate, due);
        QFETCH(bool, overdue);
        const QDate today(2026, 3, 10);
        OnboardingMilestone milestone;
        milestone.status = OnboardingStepStatus(status);
        milestone.dueDate = due;
        QCOMPARE(milestone.isOverdue(today), overdue);
        OnboardingTask task;
        task.status = OnboardingStepStatus(status);
        task.dueDate = due;
        QCOMPARE(task.isOverdue(today), overdue);
    }
};

QTEST_GUILESS_MAIN(TestOnboardingRepositories)
#include "tst_repositories_onboarding.moc"
