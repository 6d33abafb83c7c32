// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Repositories of the engagement records (schema 0007) and the notes search (0009). Built twice: against
// SQLite (label unit) and PostgreSQL (label pg). One migrated database is shared by every test; each test
// uses its own ids, names and customers.
#include <functional>
#include <memory>

#include <QSet>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>
#include <QTimeZone>

#include "sql.h"
#include "tables_customers.h"
#include "tables_engagement.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using namespace Domain;

namespace {

std::unique_ptr<TestUtils::TestDatabase> g_fixture;

Storage::Database &db()
{
    return g_fixture->db();
}

// Parent rows the samples point at, created once in initTestCase.
struct Parents
{
    QString customerId = u"acme"_s;
    qint64 contactId = 0;
    qint64 segmentId = 0;
    qint64 ticketId = 0;
    qint64 playbookId = 0;
    qint64 stepId = 0;
    qint64 campaignId = 0;
    qint64 enrolmentId = 0;
    qint64 templateId = 0;
    qint64 workflowId = 0;
    qint64 newsletterId = 0;
    qint64 memberId = 0;
    qint64 advocateId = 0;
} g;

QString serial()
{
    static int next = 0;
    return QString::number(++next);
}

// Millisecond precision: what both dialects keep.
QDateTime at(int minutes)
{
    return QDateTime(QDate(2026, 3, 2), QTime(9, 30, 15, 250), QTimeZone::utc()).addSecs(qint64(minutes) * 60);
}

qint64 count(const QString &table, const QString &where = {}, const QVariantList &bindings = {})
{
    auto q = Storage::exec(
        db(), u"SELECT COUNT(*) FROM "_s + table + (where.isEmpty() ? QString() : u" WHERE "_s + where), bindings);
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

// INSERT ... RETURNING id for parent rows of other areas, drained so that SQLite completes the statement.
qint64 insertReturningId(const QString &sql, const QVariantList &bindings)
{
    auto q = Storage::exec(db(), sql + u" RETURNING id"_s, bindings);
    if (!q || !q->next())
        return 0;
    const qint64 id = q->value(0).toLongLong();
    while (q->next()) { }
    return id;
}

qint64 newContact(const QString &customerId)
{
    const QString n = serial();
    return insertReturningId(u"INSERT INTO contacts (customer_id, name, email) VALUES (?, ?, ?)"_s,
        { customerId, QString(u"Contact "_s + n), u"contact%1@acme.example"_s.arg(n) });
}

bool createCustomer(const QString &id)
{
    Customer c;
    c.id = id;
    c.name = u"Customer "_s + id;
    return bool(Storage::CustomerRepository(db()).create(c));
}

// ---- one sample per type: every column set to something other than its default -------------------------------

template<typename T> T sample();

template<> Playbook sample<Playbook>()
{
    Playbook p;
    p.name = u"Save at-risk accounts "_s + serial();
    p.description = u"Health fell below 40 within two weeks"_s;
    p.triggerKind = PlaybookTrigger::HealthDrop;
    p.triggerConfig = { { u"threshold"_s, 40 }, { u"window_days"_s, 14 } };
    p.isActive = true;
    p.owner = u"dana@csdesk.example"_s;
    return p;
}

template<> PlaybookStep sample<PlaybookStep>()
{
    PlaybookStep s;
    s.playbookId = g.playbookId;
    s.position = 2;
    s.kind = PlaybookStepKind::Wait;
    s.name = u"Give them three days"_s;
    s.config = { { u"days"_s, 3 } };
    return s;
}

template<> Campaign sample<Campaign>()
{
    Campaign c;
    c.name = u"Q3 renewal push "_s + serial();
    c.description = u"Enterprise accounts renewing this quarter"_s;
    c.playbookId = g.playbookId;
    c.segmentId = g.segmentId;
    c.status = CampaignStatus::Active;
    c.audienceCriteria = { { u"tier"_s, u"enterprise"_s }, { u"renewal_within_days"_s, 90 } };
    c.startsOn = QDate(2026, 7, 1);
    c.endsOn = QDate(2026, 9, 30);
    c.owner = u"dana@csdesk.example"_s;
    return c;
}

template<> Enrolment sample<Enrolment>()
{
    Enrolment e;
    e.playbookId = g.playbookId;
    e.campaignId = g.campaignId;
    e.customerId = g.customerId;
    e.status = EnrolmentStatus::Exited;
    e.enrolledAt = at(0);
    e.enrolledBy = u"monitor:churn_risk"_s;
    e.triggerContext = { { u"health"_s, 35.5 }, { u"drop"_s, 22 } };
    e.currentStep = 2;
    e.nextStepAt = at(60 * 24);
    e.completedAt = at(60 * 48);
    e.exitReason = u"Renewed early"_s;
    return e;
}

template<> EnrolmentStepRun sample<EnrolmentStepRun>()
{
    EnrolmentStepRun r;
    r.enrolmentId = g.enrolmentId;
    r.stepId = g.stepId;
    r.stepPosition = 1;
    r.status = StepRunStatus::Succeeded;
    r.scheduledFor = at(10);
    r.ranAt = at(11);
    r.result = { { u"task_id"_s, 42 } };
    r.error = u"first attempt timed out"_s;
    return r;
}

template<> CsmTask sample<CsmTask>()
{
    CsmTask t;
    t.customerId = g.customerId;
    t.title = u"Call the new VP of Operations"_s;
    t.description = u"Champion left; find the new sponsor"_s;
    t.dueDate = QDate(2026, 3, 9);
    t.status = CsmTaskStatus::Done;
    t.priority = CsmTaskPriority::Urgent;
    t.owner = u"dana@csdesk.example"_s;
    t.source = CsmTaskSource::Playbook;
    t.sourceRef = u"enrolment:"_s + QString::number(g.enrolmentId);
    t.enrolmentId = g.enrolmentId;
    t.completedAt = at(5);
    return t;
}

template<> Note sample<Note>()
{
    Note n;
    n.customerId = g.customerId;
    n.body = u"Quarterly sync went well; they want the Salesforce integration"_s;
    n.author = u"dana@csdesk.example"_s;
    n.isPinned = true;
    return n;
}

template<> EmailTemplate sample<EmailTemplate>()
{
    EmailTemplate t;
    t.name = u"Renewal reminder "_s + serial();
    t.subject = u"Your renewal on {{renewal_date}}"_s;
    t.body = u"<p>Hi {{first_name}}, your plan renews on {{renewal_date}}.</p>"_s;
    t.bodyFormat = EmailBodyFormat::Html;
    t.variables = { u"first_name"_s, u"renewal_date"_s };
    return t;
}

template<> CommunicationWorkflow sample<CommunicationWorkflow>()
{
    CommunicationWorkflow w;
    w.name = u"Detractor follow-up "_s + serial();
    w.description = u"Reach out within a day of a detractor score"_s;
    w.triggerConfig = { { u"event"_s, u"detractor"_s } };
    w.actions = { QVariantMap { { u"type"_s, u"email"_s }, { u"template_id"_s, 7 } },
        QVariantMap { { u"type"_s, u"task"_s }, { u"title"_s, u"Call them"_s } } };
    w.isActive = true;
    w.lastTriggeredAt = at(3);
    return w;
}

template<> Communication sample<Communication>()
{
    Communication c;
    c.customerId = g.customerId;
    c.contactId = g.contactId;
    c.channel = CommunicationChannel::InApp;
    c.direction = CommunicationDirection::Inbound;
    c.subject = u"Question about SSO"_s;
    c.body = u"Can we enforce SAML for all users?"_s;
    c.templateId = g.templateId;
    c.workflowId = g.workflowId;
    c.enrolmentId = g.enrolmentId;
    c.status = CommunicationStatus::Opened;
    c.externalId = u"msg-"_s + serial();
    c.outboxIdempotencyKey = u"comm-"_s + serial();
    c.sender = u"ann@acme.example"_s;
    c.error = u"soft bounce on first try"_s;
    c.sentAt = at(1);
    c.lastEventAt = at(2);
    return c;
}

template<> Newsletter sample<Newsletter>()
{
    Newsletter n;
    n.name = u"Product digest "_s + serial();
    n.description = u"What shipped this month"_s;
    n.audience = { { u"segment_id"_s, g.segmentId } };
    n.schedule = { { u"cadence"_s, u"monthly"_s }, { u"day"_s, 1 } };
    n.templateId = g.templateId;
    n.isActive = false;
    return n;
}

template<> NewsletterEdition sample<NewsletterEdition>()
{
    NewsletterEdition e;
    e.newsletterId = g.newsletterId;
    e.title = u"June edition"_s;
    e.sections = { QVariantMap { { u"heading"_s, u"What's new"_s }, { u"body"_s, u"Dashboards"_s } } };
    e.status = NewsletterEditionStatus::Sent;
    e.scheduledFor = at(0);
    e.sentAt = at(5);
    e.recipientCount = 120;
    return e;
}

template<> CommunityMember sample<CommunityMember>()
{
    CommunityMember m;
    m.customerId = g.customerId;
    m.contactId = g.contactId;
    m.handle = u"ann_acme_"_s + serial();
    m.status = CommunityMemberStatus::Inactive;
    m.joinedAt = at(0);
    m.reputation = 17;
    return m;
}

template<> CommunityPost sample<CommunityPost>()
{
    CommunityPost p;
    p.memberId = g.memberId;
    p.title = u"Dark mode for dashboards"_s;
    p.body = u"Would help our night shift"_s;
    p.kind = CommunityPostKind::Idea;
    p.status = CommunityPostStatus::Answered;
    p.views = 40;
    p.replyCount = 3;
    p.upvotes = 9;
    p.postedAt = at(1);
    return p;
}

template<> Advocate sample<Advocate>()
{
    Advocate a;
    a.customerId = g.customerId;
    a.contactId = newContact(g.customerId); // a contact is an advocate at most once
    a.tier = AdvocateTier::Gold;
    a.points = 350;
    a.status = AdvocateStatus::Candidate;
    a.joinedOn = QDate(2026, 2, 1);
    a.notes = u"Spoke at the customer summit"_s;
    return a;
}

template<> AdvocacyContribution sample<AdvocacyContribution>()
{
    AdvocacyContribution c;
    c.advocateId = g.advocateId;
    c.kind = ContributionKind::CaseStudy;
    c.points = 100;
    c.occurredOn = QDate(2026, 4, 10);
    c.description = u"Published case study on onboarding time"_s;
    return c;
}

template<> ExecutiveReview sample<ExecutiveReview>()
{
    ExecutiveReview r;
    r.customerId = g.customerId;
    r.title = u"H1 executive review"_s;
    r.scheduledFor = at(100);
    r.status = ExecutiveReviewStatus::Completed;
    r.owner = u"dana@csdesk.example"_s;
    r.attendees = { u"ceo@acme.example"_s, u"Dana Smith"_s };
    r.agenda = { u"Outcomes so far"_s, u"Roadmap"_s };
    r.preparedBrief = { { u"health"_s, 72 }, { u"open_tickets"_s, 3 } };
    r.preparedAt = at(50);
    r.outcomes = u"Agreed to pilot the analytics add-on"_s;
    r.nextSteps = { QVariantMap { { u"action"_s, u"Send proposal"_s }, { u"owner"_s, u"dana"_s } } };
    r.completedAt = at(160);
    return r;
}

template<> Escalation sample<Escalation>()
{
    Escalation e;
    e.customerId = g.customerId;
    e.ticketId = g.ticketId;
    e.severity = EscalationSeverity::Critical;
    e.status = EscalationStatus::Closed;
    e.reason = u"Outage blocked month-end reporting"_s;
    e.owner = u"dana@csdesk.example"_s;
    e.resolution = u"Hotfix deployed, credits issued"_s;
    e.openedAt = at(0);
    e.resolvedAt = at(30);
    e.closedAt = at(60);
    return e;
}

// ---- generic checks driven by TableTraits ---------------------------------------------------------------------

template<typename T> QVariant keyOf(const T &record)
{
    for (const auto &c : Storage::TableTraits<T>::columns()) {
        if (c.flags & Storage::KeyColumn)
            return c.read(record);
    }
    return {};
}

// The first mapped column whose stored value differs, or empty. Compares what the repository writes, so
// every column is covered without naming each member here.
template<typename T> QString firstDifference(const T &expected, const T &actual, bool compareKey)
{
    for (const auto &c : Storage::TableTraits<T>::columns()) {
        if (!compareKey && (c.flags & Storage::KeyColumn))
            continue;
        const QVariant e = c.read(expected);
        const QVariant a = c.read(actual);
        if (e != a || e.isNull() != a.isNull())
            return u"%1: expected '%2', got '%3'"_s.arg(c.name, e.toString(), a.toString());
    }
    return {};
}

template<typename T> void checkLifecycle(const std::function<void(T &)> &change)
{
    using Traits = Storage::TableTraits<T>;
    Storage::Repository<T> repo(db());
    const T input = sample<T>();
    const T blank {};
    for (const auto &c : Traits::columns()) {
        if (c.flags & Storage::GeneratedKey)
            continue;
        QVERIFY2(c.read(input) != c.read(blank),
            qPrintable(u"the sample leaves %1 at its default, so the round trip proves nothing"_s.arg(c.name)));
    }

    auto created = repo.create(input);
    QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
    QVERIFY(keyOf(*created).toLongLong() > 0);
    QCOMPARE(created->meta.version, Traits::versioned ? 1 : 0);
    QVERIFY(created->meta.createdAt.isValid());
    QCOMPARE(created->meta.createdAt.timeSpec(), Qt::UTC);
    QVERIFY(!created->meta.isDeleted());
    QString diff = firstDifference(input, *created, false);
    QVERIFY2(diff.isEmpty(), qPrintable(u"create: "_s + diff));

    const QVariant key = keyOf(*created);
    auto got = repo.get(key);
    QVERIFY2(got, got ? "" : qPrintable(got.error().toString()));
    diff = firstDifference(*created, *got, true);
    QVERIFY2(diff.isEmpty(), qPrintable(u"get: "_s + diff));
    QCOMPARE(got->meta.createdAt, created->meta.createdAt);

    T changed = *got;
    change(changed);
    QVERIFY2(!firstDifference(changed, *got, true).isEmpty(), "the change must change a stored column");
    auto updated = repo.update(changed);
    QVERIFY2(updated, updated ? "" : qPrintable(updated.error().toString()));
    diff = firstDifference(changed, *updated, true);
    QVERIFY2(diff.isEmpty(), qPrintable(u"update: "_s + diff));
    QCOMPARE(updated->meta.version, Traits::versioned ? 2 : 0);
    QVERIFY(updated->meta.updatedAt >= created->meta.updatedAt);
    auto reread = repo.get(key);
    QVERIFY(reread);
    diff = firstDifference(*updated, *reread, true);
    QVERIFY2(diff.isEmpty(), qPrintable(u"get after update: "_s + diff));

    if constexpr (Traits::versioned) {
        // Another CSM still holds version 1: their save is refused and changes nothing.
        auto stale = repo.update(*got);
        QVERIFY(!stale);
        QCOMPARE(stale.error().code, Core::ErrorCode::Conflict);
        QCOMPARE(stale.error().field, u"version"_s);
        auto after = repo.get(key);
        QVERIFY(after);
        QVERIFY2(firstDifference(*updated, *after, true).isEmpty(), "a stale update changed the record");
    }

    Storage::ListQuery byKey;
    byKey.filters << Storage::Filter { Storage::Repository<T>::keyName(), Storage::Filter::Op::Eq, key };
    if constexpr (Traits::softDelete) {
        QVERIFY(repo.softDelete(key));
        QCOMPARE(repo.get(key).error().code, Core::ErrorCode::NotFound);
        auto hidden = repo.get(key, true);
        QVERIFY(hidden);
        QVERIFY(hidden->meta.isDeleted());
        auto page = repo.list(byKey);
        QVERIFY(page);
        QCOMPARE(page->total, qint64(0));
        byKey.includeDeleted = true;
        page = repo.list(byKey);
        QVERIFY(page);
        QCOMPARE(page->total, qint64(1));
    } else {
        auto page = repo.list(byKey);
        QVERIFY(page);
        QCOMPARE(page->total, qint64(1));
        QVERIFY(repo.remove(key));
        QCOMPARE(repo.get(key).error().code, Core::ErrorCode::NotFound);
    }
}

// Every column of the table is mapped or is bookkeeping the traits declare (search_vector, PostgreSQL's
// generated column, is never mapped), so no column is silently dropped and the flags match the table.
template<typename T> void checkColumnsMatchSchema()
{
    using Traits = Storage::TableTraits<T>;
    QStringList expected = Storage::Repository<T>::columnNames();
    expected << u"created_at"_s;
    if constexpr (Traits::hasUpdatedAt)
        expected << u"updated_at"_s;
    if constexpr (Traits::softDelete)
        expected << u"deleted_at"_s;
    if constexpr (Traits::versioned)
        expected << u"version"_s;
    const QSqlRecord record = db().connection().record(Traits::table());
    QStringList actual;
    for (int i = 0; i < record.count(); ++i) {
        if (record.fieldName(i) != u"search_vector"_s)
            actual << record.fieldName(i);
    }
    const QSet<QString> expectedSet(expected.cbegin(), expected.cend());
    const QSet<QString> actualSet(actual.cbegin(), actual.cend());
    QStringList unmapped = (actualSet - expectedSet).values();
    QStringList missing = (expectedSet - actualSet).values();
    unmapped.sort();
    missing.sort();
    QVERIFY2(unmapped.isEmpty() && missing.isEmpty(),
        qPrintable(u"columns not mapped: [%1]; mapped but not in %2: [%3]"_s.arg(
            unmapped.join(u", "), Traits::table(), missing.join(u", "))));
    QCOMPARE(actual.size(), expected.size()); // no column mapped twice
}

// One rejected record: validate() names the field, and the repository refuses it without writing a row.
struct BadCase
{
    const char *tag;
    QString field;
    std::function<Core::Status()> validate;
    std::function<Core::Status()> create;
    QString table;
};

template<typename T> BadCase bad(const char *tag, const QString &field, std::function<void(T &)> mutate)
{
    return { tag, field,
        [mutate] {
            T record = sample<T>();
            mutate(record);
            return record.validate();
        },
        [mutate]() -> Core::Status {
            T record = sample<T>();
            mutate(record);
            auto created = Storage::Repository<T>(db()).create(record);
            if (created)
                return {};
            return created.error();
        },
        Storage::TableTraits<T>::table() };
}

template<typename E> E unknownEnum()
{
    return static_cast<E>(42);
}

const QList<BadCase> &badCases()
{
    const QString n201(201, u'n');
    const QString t10001(10001, u't');
    static const QList<BadCase> cases {
        // playbooks
        bad<Playbook>("playbook: blank name", u"name"_s, [](auto &r) { r.name = u"  "_s; }),
        bad<Playbook>("playbook: long name", u"name"_s, [n201](auto &r) { r.name = n201; }),
        bad<Playbook>("playbook: long description", u"description"_s, [t10001](auto &r) { r.description = t10001; }),
        bad<Playbook>("playbook: unknown trigger", u"trigger_kind"_s,
            [](auto &r) { r.triggerKind = unknownEnum<PlaybookTrigger>(); }),
        bad<Playbook>("playbook: long owner", u"owner"_s, [n201](auto &r) { r.owner = n201; }),
        // playbook steps
        bad<PlaybookStep>("step: no playbook", u"playbook_id"_s, [](auto &r) { r.playbookId = 0; }),
        bad<PlaybookStep>("step: negative position", u"position"_s, [](auto &r) { r.position = -1; }),
        bad<PlaybookStep>("step: unknown kind", u"kind"_s, [](auto &r) { r.kind = unknownEnum<PlaybookStepKind>(); }),
        bad<PlaybookStep>("step: long name", u"name"_s, [n201](auto &r) { r.name = n201; }),
        bad<PlaybookStep>("step: task without title", u"config"_s,
            [](auto &r) {
                r.kind = PlaybookStepKind::Task;
                r.config = { { u"due_in_days"_s, 3 } };
            }),
        bad<PlaybookStep>("step: email without template", u"config"_s,
            [](auto &r) {
                r.kind = PlaybookStepKind::Email;
                r.config = { { u"template_id"_s, u"welcome"_s } };
            }),
        bad<PlaybookStep>("step: wait of a year and more", u"config"_s,
            [](auto &r) {
                r.config = { { u"days"_s, 400 } };
            }),
        // campaigns
        bad<Campaign>("campaign: blank name", u"name"_s, [](auto &r) { r.name.clear(); }),
        bad<Campaign>("campaign: long name", u"name"_s, [n201](auto &r) { r.name = n201; }),
        bad<Campaign>("campaign: long description", u"description"_s, [t10001](auto &r) { r.description = t10001; }),
        bad<Campaign>("campaign: bad playbook", u"playbook_id"_s, [](auto &r) { r.playbookId = 0; }),
        bad<Campaign>("campaign: bad segment", u"segment_id"_s, [](auto &r) { r.segmentId = -3; }),
        bad<Campaign>(
            "campaign: unknown status", u"status"_s, [](auto &r) { r.status = unknownEnum<CampaignStatus>(); }),
        bad<Campaign>(
            "campaign: ends before it starts", u"ends_on"_s, [](auto &r) { r.endsOn = r.startsOn.addDays(-1); }),
        bad<Campaign>("campaign: long owner", u"owner"_s, [n201](auto &r) { r.owner = n201; }),
        // enrolments
        bad<Enrolment>("enrolment: bad playbook", u"playbook_id"_s, [](auto &r) { r.playbookId = 0; }),
        bad<Enrolment>("enrolment: bad campaign", u"campaign_id"_s, [](auto &r) { r.campaignId = 0; }),
        bad<Enrolment>("enrolment: neither playbook nor campaign", u"playbook_id"_s,
            [](auto &r) {
                r.playbookId.reset();
                r.campaignId.reset();
            }),
        bad<Enrolment>("enrolment: bad customer", u"customer_id"_s, [](auto &r) { r.customerId = u"acme corp"_s; }),
        bad<Enrolment>(
            "enrolment: unknown status", u"status"_s, [](auto &r) { r.status = unknownEnum<EnrolmentStatus>(); }),
        bad<Enrolment>("enrolment: no enrolled_at", u"enrolled_at"_s, [](auto &r) { r.enrolledAt = {}; }),
        bad<Enrolment>("enrolment: long enrolled_by", u"enrolled_by"_s, [n201](auto &r) { r.enrolledBy = n201; }),
        bad<Enrolment>("enrolment: negative step", u"current_step"_s, [](auto &r) { r.currentStep = -1; }),
        bad<Enrolment>("enrolment: completed before enrolled", u"completed_at"_s,
            [](auto &r) { r.completedAt = r.enrolledAt.addMSecs(-1); }),
        bad<Enrolment>("enrolment: completed without completed_at", u"completed_at"_s,
            [](auto &r) {
                r.status = EnrolmentStatus::Completed;
                r.completedAt = {};
            }),
        bad<Enrolment>("enrolment: long exit reason", u"exit_reason"_s, [t10001](auto &r) { r.exitReason = t10001; }),
        // enrolment step runs
        bad<EnrolmentStepRun>("step run: no enrolment", u"enrolment_id"_s, [](auto &r) { r.enrolmentId = 0; }),
        bad<EnrolmentStepRun>("step run: bad step", u"step_id"_s, [](auto &r) { r.stepId = 0; }),
        bad<EnrolmentStepRun>("step run: negative position", u"step_position"_s, [](auto &r) { r.stepPosition = -2; }),
        bad<EnrolmentStepRun>(
            "step run: unknown status", u"status"_s, [](auto &r) { r.status = unknownEnum<StepRunStatus>(); }),
        bad<EnrolmentStepRun>("step run: failed without ran_at", u"ran_at"_s,
            [](auto &r) {
                r.status = StepRunStatus::Failed;
                r.ranAt = {};
            }),
        // tasks
        bad<CsmTask>("task: bad customer", u"customer_id"_s, [](auto &r) { r.customerId = u"a/b"_s; }),
        bad<CsmTask>("task: blank title", u"title"_s, [](auto &r) { r.title = u"\t"_s; }),
        bad<CsmTask>("task: long title", u"title"_s, [](auto &r) { r.title = QString(501, u'x'); }),
        bad<CsmTask>("task: long description", u"description"_s, [t10001](auto &r) { r.description = t10001; }),
        bad<CsmTask>("task: unknown status", u"status"_s, [](auto &r) { r.status = unknownEnum<CsmTaskStatus>(); }),
        bad<CsmTask>(
            "task: unknown priority", u"priority"_s, [](auto &r) { r.priority = unknownEnum<CsmTaskPriority>(); }),
        bad<CsmTask>("task: long owner", u"owner"_s, [n201](auto &r) { r.owner = n201; }),
        bad<CsmTask>("task: unknown source", u"source"_s, [](auto &r) { r.source = unknownEnum<CsmTaskSource>(); }),
        bad<CsmTask>("task: long source_ref", u"source_ref"_s, [n201](auto &r) { r.sourceRef = n201; }),
        bad<CsmTask>("task: bad enrolment", u"enrolment_id"_s, [](auto &r) { r.enrolmentId = 0; }),
        bad<CsmTask>("task: done without completed_at", u"completed_at"_s, [](auto &r) { r.completedAt = {}; }),
        // notes
        bad<Note>("note: no customer", u"customer_id"_s, [](auto &r) { r.customerId.clear(); }),
        bad<Note>("note: blank body", u"body"_s, [](auto &r) { r.body = u" \n "_s; }),
        bad<Note>("note: long body", u"body"_s, [](auto &r) { r.body = QString(200001, u'b'); }),
        bad<Note>("note: long author", u"author"_s, [n201](auto &r) { r.author = n201; }),
        // email templates
        bad<EmailTemplate>("template: blank name", u"name"_s, [](auto &r) { r.name.clear(); }),
        bad<EmailTemplate>("template: long name", u"name"_s, [n201](auto &r) { r.name = n201; }),
        bad<EmailTemplate>("template: blank subject", u"subject"_s, [](auto &r) { r.subject = u" "_s; }),
        bad<EmailTemplate>("template: long subject", u"subject"_s, [](auto &r) { r.subject = QString(501, u's'); }),
        bad<EmailTemplate>("template: empty body", u"body"_s, [](auto &r) { r.body.clear(); }),
        bad<EmailTemplate>("template: long body", u"body"_s, [](auto &r) { r.body = QString(200001, u'b'); }),
        bad<EmailTemplate>("template: unknown format", u"body_format"_s,
            [](auto &r) { r.bodyFormat = unknownEnum<EmailBodyFormat>(); }),
        bad<EmailTemplate>(
            "template: bad placeholder", u"variables"_s, [](auto &r) { r.variables << u"first name"_s; }),
        // communication workflows
        bad<CommunicationWorkflow>("workflow: blank name", u"name"_s, [](auto &r) { r.name.clear(); }),
        bad<CommunicationWorkflow>("workflow: long name", u"name"_s, [n201](auto &r) { r.name = n201; }),
        bad<CommunicationWorkflow>(
            "workflow: long description", u"description"_s, [t10001](auto &r) { r.description = t10001; }),
        bad<CommunicationWorkflow>(
            "workflow: action is not an object", u"actions"_s, [](auto &r) { r.actions << u"send email"_s; }),
        // communications
        bad<Communication>("communication: bad customer", u"customer_id"_s, [](auto &r) { r.customerId = u"é"_s; }),
        bad<Communication>("communication: bad contact", u"contact_id"_s, [](auto &r) { r.contactId = 0; }),
        bad<Communication>("communication: unknown channel", u"channel"_s,
            [](auto &r) { r.channel = unknownEnum<CommunicationChannel>(); }),
        bad<Communication>("communication: unknown direction", u"direction"_s,
            [](auto &r) { r.direction = unknownEnum<CommunicationDirection>(); }),
        bad<Communication>(
            "communication: subject over 998", u"subject"_s, [](auto &r) { r.subject = QString(999, u's'); }),
        bad<Communication>("communication: long body", u"body"_s, [](auto &r) { r.body = QString(200001, u'b'); }),
        bad<Communication>("communication: bad template", u"template_id"_s, [](auto &r) { r.templateId = 0; }),
        bad<Communication>("communication: bad workflow", u"workflow_id"_s, [](auto &r) { r.workflowId = -1; }),
        bad<Communication>("communication: bad enrolment", u"enrolment_id"_s, [](auto &r) { r.enrolmentId = 0; }),
        bad<Communication>("communication: unknown status", u"status"_s,
            [](auto &r) { r.status = unknownEnum<CommunicationStatus>(); }),
        bad<Communication>(
            "communication: long external id", u"external_id"_s, [n201](auto &r) { r.externalId = n201; }),
        bad<Communication>("communication: long outbox key", u"outbox_idempotency_key"_s,
            [n201](auto &r) { r.outboxIdempotencyKey = n201; }),
        bad<Communication>("communication: long sender", u"sender"_s, [](auto &r) { r.sender = QString(321, u's'); }),
        bad<Communication>("communication: delivered without sent_at", u"sent_at"_s,
            [](auto &r) {
                r.direction = CommunicationDirection::Outbound;
                r.status = CommunicationStatus::Delivered;
                r.sentAt = {};
            }),
        bad<Communication>("communication: event before sending", u"last_event_at"_s,
            [](auto &r) { r.lastEventAt = r.sentAt.addSecs(-1); }),
        // newsletters and editions
        bad<Newsletter>("newsletter: blank name", u"name"_s, [](auto &r) { r.name.clear(); }),
        bad<Newsletter>("newsletter: long name", u"name"_s, [n201](auto &r) { r.name = n201; }),
        bad<Newsletter>(
            "newsletter: long description", u"description"_s, [t10001](auto &r) { r.description = t10001; }),
        bad<Newsletter>("newsletter: bad template", u"template_id"_s, [](auto &r) { r.templateId = 0; }),
        bad<NewsletterEdition>("edition: no newsletter", u"newsletter_id"_s, [](auto &r) { r.newsletterId = 0; }),
        bad<NewsletterEdition>("edition: blank title", u"title"_s, [](auto &r) { r.title.clear(); }),
        bad<NewsletterEdition>("edition: long title", u"title"_s, [](auto &r) { r.title = QString(301, u't'); }),
        bad<NewsletterEdition>(
            "edition: unknown status", u"status"_s, [](auto &r) { r.status = unknownEnum<NewsletterEditionStatus>(); }),
        bad<NewsletterEdition>("edition: scheduled without time", u"scheduled_for"_s,
            [](auto &r) {
                r.status = NewsletterEditionStatus::Scheduled;
                r.scheduledFor = {};
            }),
        bad<NewsletterEdition>("edition: sent without sent_at", u"sent_at"_s, [](auto &r) { r.sentAt = {}; }),
        bad<NewsletterEdition>(
            "edition: negative recipients", u"recipient_count"_s, [](auto &r) { r.recipientCount = -1; }),
        // community
        bad<CommunityMember>("member: bad customer", u"customer_id"_s, [](auto &r) { r.customerId = u"a b"_s; }),
        bad<CommunityMember>("member: bad contact", u"contact_id"_s, [](auto &r) { r.contactId = 0; }),
        bad<CommunityMember>("member: blank handle", u"handle"_s, [](auto &r) { r.handle.clear(); }),
        bad<CommunityMember>("member: long handle", u"handle"_s, [](auto &r) { r.handle = QString(101, u'h'); }),
        bad<CommunityMember>(
            "member: unknown status", u"status"_s, [](auto &r) { r.status = unknownEnum<CommunityMemberStatus>(); }),
        bad<CommunityMember>("member: no joined_at", u"joined_at"_s, [](auto &r) { r.joinedAt = {}; }),
        bad<CommunityMember>("member: negative reputation", u"reputation"_s, [](auto &r) { r.reputation = -5; }),
        bad<CommunityPost>("post: no member", u"member_id"_s, [](auto &r) { r.memberId = 0; }),
        bad<CommunityPost>("post: blank title", u"title"_s, [](auto &r) { r.title.clear(); }),
        bad<CommunityPost>("post: long title", u"title"_s, [](auto &r) { r.title = QString(301, u't'); }),
        bad<CommunityPost>("post: long body", u"body"_s, [](auto &r) { r.body = QString(200001, u'b'); }),
        bad<CommunityPost>("post: unknown kind", u"kind"_s, [](auto &r) { r.kind = unknownEnum<CommunityPostKind>(); }),
        bad<CommunityPost>(
            "post: unknown status", u"status"_s, [](auto &r) { r.status = unknownEnum<CommunityPostStatus>(); }),
        bad<CommunityPost>("post: negative views", u"views"_s, [](auto &r) { r.views = -1; }),
        bad<CommunityPost>("post: negative replies", u"reply_count"_s, [](auto &r) { r.replyCount = -1; }),
        bad<CommunityPost>("post: negative upvotes", u"upvotes"_s, [](auto &r) { r.upvotes = -1; }),
        bad<CommunityPost>("post: no posted_at", u"posted_at"_s, [](auto &r) { r.postedAt = {}; }),
        // advocacy
        bad<Advocate>("advocate: bad customer", u"customer_id"_s, [](auto &r) { r.customerId = QString(101, u'c'); }),
        bad<Advocate>("advocate: bad contact", u"contact_id"_s, [](auto &r) { r.contactId = 0; }),
        bad<Advocate>("advocate: unknown tier", u"tier"_s, [](auto &r) { r.tier = unknownEnum<AdvocateTier>(); }),
        bad<Advocate>("advocate: negative points", u"points"_s, [](auto &r) { r.points = -10; }),
        bad<Advocate>(
            "advocate: unknown status", u"status"_s, [](auto &r) { r.status = unknownEnum<AdvocateStatus>(); }),
        bad<Advocate>("advocate: long notes", u"notes"_s, [t10001](auto &r) { r.notes = t10001; }),
        bad<AdvocacyContribution>("contribution: no advocate", u"advocate_id"_s, [](auto &r) { r.advocateId = 0; }),
        bad<AdvocacyContribution>(
            "contribution: unknown kind", u"kind"_s, [](auto &r) { r.kind = unknownEnum<ContributionKind>(); }),
        bad<AdvocacyContribution>("contribution: negative points", u"points"_s, [](auto &r) { r.points = -1; }),
        bad<AdvocacyContribution>("contribution: no date", u"occurred_on"_s, [](auto &r) { r.occurredOn = {}; }),
        bad<AdvocacyContribution>(
            "contribution: long description", u"description"_s, [t10001](auto &r) { r.description = t10001; }),
        // executive reviews
        bad<ExecutiveReview>("review: bad customer", u"customer_id"_s, [](auto &r) { r.customerId = u"x y"_s; }),
        bad<ExecutiveReview>("review: long title", u"title"_s, [](auto &r) { r.title = QString(301, u't'); }),
        bad<ExecutiveReview>("review: no scheduled_for", u"scheduled_for"_s, [](auto &r) { r.scheduledFor = {}; }),
        bad<ExecutiveReview>(
            "review: unknown status", u"status"_s, [](auto &r) { r.status = unknownEnum<ExecutiveReviewStatus>(); }),
        bad<ExecutiveReview>("review: long owner", u"owner"_s, [n201](auto &r) { r.owner = n201; }),
        bad<ExecutiveReview>("review: blank attendee", u"attendees"_s, [](auto &r) { r.attendees << u" "_s; }),
        bad<ExecutiveReview>("review: prepared without prepared_at", u"prepared_at"_s,
            [](auto &r) {
                r.status = ExecutiveReviewStatus::Prepared;
                r.preparedAt = {};
            }),
        bad<ExecutiveReview>("review: long outcomes", u"outcomes"_s, [t10001](auto &r) { r.outcomes = t10001; }),
        bad<ExecutiveReview>(
            "review: completed without completed_at", u"completed_at"_s, [](auto &r) { r.completedAt = {}; }),
        // escalations
        bad<Escalation>("escalation: bad customer", u"customer_id"_s, [](auto &r) { r.customerId = u"acme!"_s; }),
        bad<Escalation>("escalation: bad ticket", u"ticket_id"_s, [](auto &r) { r.ticketId = 0; }),
        bad<Escalation>("escalation: unknown severity", u"severity"_s,
            [](auto &r) { r.severity = unknownEnum<EscalationSeverity>(); }),
        bad<Escalation>(
            "escalation: unknown status", u"status"_s, [](auto &r) { r.status = unknownEnum<EscalationStatus>(); }),
        bad<Escalation>("escalation: blank reason", u"reason"_s, [](auto &r) { r.reason.clear(); }),
        bad<Escalation>("escalation: long reason", u"reason"_s, [](auto &r) { r.reason = QString(2001, u'r'); }),
        bad<Escalation>("escalation: long owner", u"owner"_s, [n201](auto &r) { r.owner = n201; }),
        bad<Escalation>("escalation: long resolution", u"resolution"_s, [t10001](auto &r) { r.resolution = t10001; }),
        bad<Escalation>("escalation: no opened_at", u"opened_at"_s, [](auto &r) { r.openedAt = {}; }),
        bad<Escalation>("escalation: resolved before opened", u"resolved_at"_s,
            [](auto &r) { r.resolvedAt = r.openedAt.addSecs(-60); }),
        bad<Escalation>(
            "escalation: closed before opened", u"closed_at"_s, [](auto &r) { r.closedAt = r.openedAt.addMSecs(-1); }),
        bad<Escalation>("escalation: resolved without resolved_at", u"resolved_at"_s,
            [](auto &r) {
                r.status = EscalationStatus::Resolved;
                r.resolvedAt = {};
            }),
        bad<Escalation>("escalation: closed without closed_at", u"closed_at"_s, [](auto &r) { r.closedAt = {}; }),
    };
    return cases;
}

// Rows that name a customer that does not exist: the foreign key refuses each.
struct ForeignKeyCase
{
    const char *tag;
    std::function<Core::Status()> create;
    QString table;
};

template<typename T> ForeignKeyCase orphan(const char *tag, std::function<void(T &)> mutate)
{
    return { tag,
        [mutate]() -> Core::Status {
            T record = sample<T>();
            mutate(record);
            auto created = Storage::Repository<T>(db()).create(record);
            if (created)
                return {};
            return created.error();
        },
        Storage::TableTraits<T>::table() };
}

const QList<ForeignKeyCase> &foreignKeyCases()
{
    static const QString nobody = u"nobody"_s;
    static const QList<ForeignKeyCase> cases {
        orphan<Enrolment>("enrolment", [](auto &r) { r.customerId = nobody; }),
        orphan<CsmTask>("task", [](auto &r) { r.customerId = nobody; }),
        orphan<Note>("note", [](auto &r) { r.customerId = nobody; }),
        orphan<Communication>("communication", [](auto &r) { r.customerId = nobody; }),
        orphan<CommunityMember>("community member", [](auto &r) { r.customerId = nobody; }),
        orphan<Advocate>("advocate",
            [](auto &r) {
                r.customerId = nobody;
                r.contactId.reset();
            }),
        orphan<ExecutiveReview>("executive review", [](auto &r) { r.customerId = nobody; }),
        orphan<Escalation>("escalation", [](auto &r) { r.customerId = nobody; }),
        orphan<PlaybookStep>("step of an unknown playbook", [](auto &r) { r.playbookId = 987654; }),
        orphan<CommunityPost>("post of an unknown member", [](auto &r) { r.memberId = 987654; }),
        orphan<Communication>("communication with an unknown contact", [](auto &r) { r.contactId = 987654; }),
        orphan<Escalation>("escalation of an unknown ticket", [](auto &r) { r.ticketId = 987654; }),
    };
    return cases;
}

template<typename T> qint64 createOrZero(const T &record)
{
    auto created = Storage::Repository<T>(db()).create(record);
    if (!created)
        qWarning("%s", qPrintable(created.error().toString()));
    return created ? created->id : 0;
}

// The notes searchNotes() runs over, all of customer `searchCustomer`; one of them soft-deleted.
const QString searchCustomer = u"fts-co"_s;

bool seedSearchNotes()
{
    if (!createCustomer(searchCustomer))
        return false;
    Storage::NoteRepository notes(db());
    const QStringList bodies { u"Renewal risk: champion left (NOT happy) after the \"SSO\" outage"_s,
        u"Invoices were paid late; finance asked about NEAR-term discount* options"_s,
        u"churn churn churn risk flagged"_s,
        u"Adoption is progressing across teams; training sessions, dashboards, reports and the "
        u"Salesforce and Slack integrations are live, though one churn signal showed up in March"_s,
        u"Café visit with their CFO"_s };
    for (const QString &body : bodies) {
        Note n;
        n.customerId = searchCustomer;
        n.body = body;
        if (!notes.create(n))
            return false;
    }
    Note deleted;
    deleted.customerId = searchCustomer;
    deleted.body = u"Zephyrine invoices, written by mistake"_s;
    auto created = notes.create(deleted);
    return created && notes.softDelete(created->id);
}

QStringList bodies(const QList<Note> &notes)
{
    QStringList out;
    for (const Note &n : notes)
        out << n.body;
    return out;
}

} // namespace

class TestRepositoriesEngagement final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        g_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(g_fixture->isOpen(), qPrintable(g_fixture->error()));
        QVERIFY(createCustomer(g.customerId));
        g.contactId = newContact(g.customerId);
        g.segmentId = insertReturningId(u"INSERT INTO segments (name) VALUES (?)"_s, { u"Enterprise"_s });
        g.ticketId = insertReturningId(u"INSERT INTO support_tickets (customer_id, subject) VALUES (?, ?)"_s,
            { g.customerId, u"Reports time out"_s });
        QVERIFY(g.contactId > 0 && g.segmentId > 0 && g.ticketId > 0);
        // Parents in dependency order: each sample refers to the ones created before it.
        QVERIFY((g.playbookId = createOrZero(sample<Playbook>())) > 0);
        QVERIFY((g.stepId = createOrZero(sample<PlaybookStep>())) > 0);
        QVERIFY((g.campaignId = createOrZero(sample<Campaign>())) > 0);
        QVERIFY((g.enrolmentId = createOrZero(sample<Enrolment>())) > 0);
        QVERIFY((g.templateId = createOrZero(sample<EmailTemplate>())) > 0);
        QVERIFY((g.workflowId = createOrZero(sample<CommunicationWorkflow>())) > 0);
        QVERIFY((g.newsletterId = createOrZero(sample<Newsletter>())) > 0);
        QVERIFY((g.memberId = createOrZero(sample<CommunityMember>())) > 0);
        QVERIFY((g.advocateId = createOrZero(sample<Advocate>())) > 0);
        QVERIFY(seedSearchNotes());
    }

    void cleanupTestCase() { g_fixture.reset(); }

    void columnsMatchTheSchema_data()
    {
        QTest::addColumn<int>("index");
        for (int i = 0; i < int(schemaChecks().size()); ++i)
            QTest::newRow(schemaChecks().at(i).first) << i;
    }

    void columnsMatchTheSchema()
    {
        QFETCH(int, index);
        schemaChecks().at(index).second();
    }

    void lifecycle_data()
    {
        QTest::addColumn<int>("index");
        for (int i = 0; i < int(lifecycles().size()); ++i)
            QTest::newRow(lifecycles().at(i).first) << i;
    }

    // Create → get keeps every column; update bumps the version; a stale update is a conflict; soft delete
    // hides the record (log tables: remove deletes it).
    void lifecycle()
    {
        QFETCH(int, index);
        lifecycles().at(index).second();
    }

    void rejectsBadInput_data()
    {
        QTest::addColumn<int>("index");
        for (int i = 0; i < int(badCases().size()); ++i)
            QTest::newRow(badCases().at(i).tag) << i;
    }

    void rejectsBadInput()
    {
        QFETCH(int, index);
        const BadCase &c = badCases().at(index);
        const Core::Status valid = c.validate();
        QVERIFY2(!valid, "validate() accepted the record");
        QCOMPARE(valid.error().code, Core::ErrorCode::InvalidArgument);
        QCOMPARE(valid.error().field, c.field);
        const qint64 before = count(c.table);
        const Core::Status created = c.create();
        QVERIFY2(!created, "the repository stored the record");
        QCOMPARE(created.error().code, Core::ErrorCode::InvalidArgument);
        QCOMPARE(created.error().field, c.field);
        QCOMPARE(count(c.table), before);
    }

    void refusesUnknownParents_data()
    {
        QTest::addColumn<int>("index");
        for (int i = 0; i < int(foreignKeyCases().size()); ++i)
            QTest::newRow(foreignKeyCases().at(i).tag) << i;
    }

    void refusesUnknownParents()
    {
        QFETCH(int, index);
        const ForeignKeyCase &c = foreignKeyCases().at(index);
        const qint64 before = count(c.table);
        const Core::Status created = c.create();
        QVERIFY2(!created, "the schema accepted a row whose parent does not exist");
        QCOMPARE(created.error().code, Core::ErrorCode::InvalidArgument);
        QCOMPARE(count(c.table), before);
    }

    void schemaRefusesWhatCodeWouldNot_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addRow("enrolment without playbook or campaign")
            << u"INSERT INTO enrolments (customer_id) VALUES ('acme')"_s;
        QTest::addRow("unknown trigger kind") << u"INSERT INTO playbooks (name, trigger_kind) VALUES ('x', 'whim')"_s;
        QTest::addRow("done task without completed_at")
            << u"INSERT INTO tasks (title, status) VALUES ('Call', 'done')"_s;
        QTest::addRow("campaign ending before it starts")
            << u"INSERT INTO campaigns (name, starts_on, ends_on) VALUES ('c', '2026-05-02', '2026-05-01')"_s;
        QTest::addRow("sent edition without sent_at")
            << u"INSERT INTO newsletter_editions (newsletter_id, title, status) VALUES (%1, 't', 'sent')"_s.arg(
                   g.newsletterId);
        QTest::addRow("escalation resolved before it opened")
            << u"INSERT INTO escalations (customer_id, reason, opened_at, resolved_at) VALUES ('acme', 'r', "
               u"'2026-05-02T00:00:00.000Z', '2026-05-01T00:00:00.000Z')"_s;
        QTest::addRow("negative advocate points")
            << u"INSERT INTO advocates (customer_id, points) VALUES ('acme', -1)"_s;
        QTest::addRow("empty note") << u"INSERT INTO notes (customer_id, body) VALUES ('acme', '')"_s;
    }

    void schemaRefusesWhatCodeWouldNot()
    {
        QFETCH(QString, sql);
        auto result = Storage::exec(db(), sql);
        QVERIFY2(!result, "the schema accepted a row it must refuse");
        QCOMPARE(result.error().code, Core::ErrorCode::InvalidArgument);
    }

    void liveNamesAreUniqueIgnoringCase()
    {
        Storage::PlaybookRepository repo(db());
        Playbook first = sample<Playbook>();
        first.name = u"Executive Sponsor Change"_s;
        auto created = repo.create(first);
        QVERIFY(created);
        Playbook second = sample<Playbook>();
        second.name = u"executive sponsor change"_s;
        auto duplicate = repo.create(second);
        QVERIFY(!duplicate);
        QCOMPARE(duplicate.error().code, Core::ErrorCode::AlreadyExists);
        // The unique index is on lower(name): both dialects still name the column.
        QCOMPARE(duplicate.error().field, u"name"_s);
        // Once the first is deleted, its name is free again.
        QVERIFY(repo.softDelete(created->id));
        QVERIFY(repo.create(second));

        // The same holds for handles of community members.
        Storage::CommunityMemberRepository members(db());
        CommunityMember m = sample<CommunityMember>();
        m.handle = u"Night_Owl"_s;
        QVERIFY(members.create(m));
        m.handle = u"night_owl"_s;
        QCOMPARE(members.create(m).error().code, Core::ErrorCode::AlreadyExists);
    }

    void oneActiveEnrolmentPerCustomerAndPlaybook()
    {
        Storage::EnrolmentRepository repo(db());
        const QString customer = u"enrolled-co"_s;
        QVERIFY(createCustomer(customer));
        Enrolment e = sample<Enrolment>();
        e.customerId = customer;
        e.campaignId.reset();
        e.status = EnrolmentStatus::Active;
        e.completedAt = {};
        auto first = repo.create(e);
        QVERIFY2(first, first ? "" : qPrintable(first.error().toString()));
        QCOMPARE(repo.create(e).error().code, Core::ErrorCode::AlreadyExists);
        // After the first run ends, the customer may be enrolled again.
        Enrolment finished = *first;
        finished.status = EnrolmentStatus::Completed;
        finished.completedAt = at(90);
        QVERIFY(repo.update(finished));
        QVERIFY(repo.create(e));
    }

    void externalMessageIdsAreUniquePerChannel()
    {
        Storage::CommunicationRepository repo(db());
        Communication c = sample<Communication>();
        c.externalId = u"sg-abc-123"_s;
        QVERIFY(repo.create(c));
        QCOMPARE(repo.create(c).error().code, Core::ErrorCode::AlreadyExists);
        c.channel = CommunicationChannel::Sms;
        QVERIFY(repo.create(c));
    }

    void removingACustomerRemovesTheirEngagement()
    {
        const QString leaving = u"leaving-co"_s;
        QVERIFY(createCustomer(leaving));
        const qint64 contact = newContact(leaving);
        Enrolment e = sample<Enrolment>();
        e.customerId = leaving;
        const qint64 enrolment = createOrZero(e);
        QVERIFY(enrolment > 0);
        EnrolmentStepRun run = sample<EnrolmentStepRun>();
        run.enrolmentId = enrolment;
        const qint64 runId = createOrZero(run);
        CsmTask t = sample<CsmTask>();
        t.customerId = leaving;
        t.enrolmentId = enrolment;
        Note n = sample<Note>();
        n.customerId = leaving;
        Communication c = sample<Communication>();
        c.customerId = leaving;
        c.contactId = contact;
        c.enrolmentId = enrolment;
        CommunityMember m = sample<CommunityMember>();
        m.customerId = leaving;
        m.contactId = contact;
        const qint64 member = createOrZero(m);
        CommunityPost p = sample<CommunityPost>();
        p.memberId = member;
        const qint64 post = createOrZero(p);
        Advocate a = sample<Advocate>();
        a.customerId = leaving;
        a.contactId = contact;
        const qint64 advocate = createOrZero(a);
        AdvocacyContribution ac = sample<AdvocacyContribution>();
        ac.advocateId = advocate;
        const qint64 contribution = createOrZero(ac);
        ExecutiveReview r = sample<ExecutiveReview>();
        r.customerId = leaving;
        Escalation es = sample<Escalation>();
        es.customerId = leaving;
        es.ticketId.reset();
        QVERIFY(runId > 0 && createOrZero(t) > 0 && createOrZero(n) > 0 && createOrZero(c) > 0 && post > 0
            && contribution > 0 && createOrZero(r) > 0 && createOrZero(es) > 0);

        const QStringList customerTables { u"enrolments"_s, u"tasks"_s, u"notes"_s, u"communications"_s,
            u"community_members"_s, u"advocates"_s, u"executive_reviews"_s, u"escalations"_s };
        for (const QString &table : customerTables)
            QVERIFY2(count(table, u"customer_id = ?"_s, { leaving }) >= 1, qPrintable(table));
        QVERIFY(Storage::CustomerRepository(db()).remove(leaving));
        for (const QString &table : customerTables)
            QVERIFY2(count(table, u"customer_id = ?"_s, { leaving }) == 0, qPrintable(table + u" kept rows"_s));
        // Grandchildren go with them.
        QCOMPARE(count(u"enrolment_step_runs"_s, u"id = ?"_s, { runId }), qint64(0));
        QCOMPARE(count(u"community_posts"_s, u"id = ?"_s, { post }), qint64(0));
        QCOMPARE(count(u"advocacy_contributions"_s, u"id = ?"_s, { contribution }), qint64(0));
        // Other customers keep theirs.
        QCOMPARE(count(u"enrolments"_s, u"id = ?"_s, { g.enrolmentId }), qint64(1));
        QCOMPARE(count(u"community_members"_s, u"id = ?"_s, { g.memberId }), qint64(1));
    }

    void removingAPlaybookCascadesToStepsAndEnrolments()
    {
        Storage::PlaybookRepository playbooks(db());
        const qint64 playbook = createOrZero(sample<Playbook>());
        QVERIFY(playbook > 0);
        PlaybookStep step = sample<PlaybookStep>();
        step.playbookId = playbook;
        const qint64 stepId = createOrZero(step);
        Campaign campaign = sample<Campaign>();
        campaign.playbookId = playbook;
        const qint64 campaignId = createOrZero(campaign);
        const QString customer = u"playbook-co"_s;
        QVERIFY(createCustomer(customer));
        Enrolment e = sample<Enrolment>();
        e.customerId = customer;
        e.playbookId = playbook;
        e.campaignId.reset();
        const qint64 enrolment = createOrZero(e);
        EnrolmentStepRun run = sample<EnrolmentStepRun>();
        run.enrolmentId = enrolment;
        run.stepId = stepId;
        const qint64 runId = createOrZero(run);
        CsmTask t = sample<CsmTask>();
        t.customerId = customer;
        t.enrolmentId = enrolment;
        const qint64 task = createOrZero(t);
        Communication c = sample<Communication>();
        c.customerId = customer;
        c.enrolmentId = enrolment;
        const qint64 communication = createOrZero(c);
        QVERIFY(stepId > 0 && campaignId > 0 && enrolment > 0 && runId > 0 && task > 0 && communication > 0);

        QVERIFY(playbooks.remove(playbook));
        QCOMPARE(count(u"playbook_steps"_s, u"id = ?"_s, { stepId }), qint64(0));
        QCOMPARE(count(u"enrolments"_s, u"id = ?"_s, { enrolment }), qint64(0));
        QCOMPARE(count(u"enrolment_step_runs"_s, u"id = ?"_s, { runId }), qint64(0));
        // Records that outlive the playbook lose the link, not themselves.
        auto campaignNow = Storage::CampaignRepository(db()).get(campaignId);
        QVERIFY(campaignNow);
        QVERIFY(!campaignNow->playbookId.has_value());
        auto taskNow = Storage::CsmTaskRepository(db()).get(task);
        QVERIFY(taskNow);
        QVERIFY(!taskNow->enrolmentId.has_value());
        auto communicationNow = Storage::CommunicationRepository(db()).get(communication);
        QVERIFY(communicationNow);
        QVERIFY(!communicationNow->enrolmentId.has_value());
    }

    void searchNotes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("expected"); // bodies' first words, best first
        QTest::addColumn<bool>("checkHits"); // false where the dialects legitimately differ (stop words)
        const auto row = [](const char *tag, const QString &text, const QStringList &expected, bool check = true) {
            QTest::newRow(tag) << text << expected << check;
        };
        row("plain word", u"outage"_s, { u"Renewal"_s });
        row("stemmed and case-folded", u"INVOICE"_s, { u"Invoices"_s });
        row("all words must match", u"renewal outage"_s, { u"Renewal"_s });
        row("ranked by relevance", u"churn"_s, { u"churn"_s, u"Adoption"_s });
        row("accented word", u"café"_s, { u"Café"_s });
        row("double quotes", u"\"SSO\""_s, { u"Renewal"_s });
        row("unbalanced quote", u"\"renewal"_s, { u"Renewal"_s });
        row("doubled quotes inside", u"he said \"\"champion\"\""_s, {});
        row("prefix star is text", u"champion*"_s, { u"Renewal"_s });
        row("caret is text", u"^renewal"_s, { u"Renewal"_s });
        row("NEAR and parentheses are text", u"NEAR(discount"_s, { u"Invoices"_s });
        row("minus is not NOT", u"risk -champion"_s, { u"Renewal"_s });
        row("OR is not an operator", u"invoices OR outage"_s, {});
        row("column filter is text", u"author:dana"_s, {});
        row("colon inside word", u"renewal:risk"_s, { u"Renewal"_s });
        row("operator keyword alone", u"NOT"_s, {}, false);
        row("AND alone", u"AND"_s, {}, false);
        row("only punctuation", u"*\"():^-+{}"_s, {});
        row("empty", QString(), {});
        row("soft-deleted notes are left out", u"zephyrine"_s, {});
    }

    void searchNotes()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, expected);
        QFETCH(bool, checkHits);
        const QString customer = searchCustomer;
        auto hits = Storage::searchNotes(db(), text, 10, customer);
        QVERIFY2(hits, hits ? "" : qPrintable(hits.error().toString()));
        if (!checkHits)
            return;
        QStringList firstWords;
        for (const QString &body : bodies(*hits))
            firstWords << body.section(u' ', 0, 0);
        QCOMPARE(firstWords, expected);
        for (const Note &n : *hits)
            QCOMPARE(n.customerId, customer);
    }

    void searchNotesAcrossCustomersAndAfterEdits()
    {
        Storage::NoteRepository notes(db());
        const QString a = u"search-a"_s;
        const QString b = u"search-b"_s;
        QVERIFY(createCustomer(a) && createCustomer(b));
        Note na;
        na.customerId = a;
        na.body = u"Quillwort rollout planned for the EMEA team"_s;
        Note nb = na;
        nb.customerId = b;
        auto createdA = notes.create(na);
        QVERIFY(createdA && notes.create(nb));

        auto all = Storage::searchNotes(db(), u"quillwort"_s, 10);
        QVERIFY(all);
        QCOMPARE(all->size(), 2);
        auto onlyA = Storage::searchNotes(db(), u"quillwort"_s, 10, a);
        QVERIFY(onlyA);
        QCOMPARE(onlyA->size(), 1);
        QCOMPARE(onlyA->constFirst().id, createdA->id);
        QCOMPARE(onlyA->constFirst().body, na.body); // a full record, not only the id
        auto limited = Storage::searchNotes(db(), u"quillwort"_s, 1);
        QVERIFY(limited);
        QCOMPARE(limited->size(), 1);

        // Edits reach the index, in both directions.
        Note edited = *createdA;
        edited.body = u"Rollout moved to the APAC team"_s;
        QVERIFY(notes.update(edited));
        auto after = Storage::searchNotes(db(), u"quillwort"_s, 10);
        QVERIFY(after);
        QCOMPARE(after->size(), 1);
        QCOMPARE(after->constFirst().customerId, b);
        auto apac = Storage::searchNotes(db(), u"apac"_s, 10, a);
        QVERIFY(apac);
        QCOMPARE(apac->size(), 1);

        // A restored note is found again.
        QVERIFY(notes.softDelete(createdA->id));
        QCOMPARE(Storage::searchNotes(db(), u"apac"_s, 10, a)->size(), 0);
        QVERIFY(notes.restore(createdA->id));
        QCOMPARE(Storage::searchNotes(db(), u"apac"_s, 10, a)->size(), 1);

        QCOMPARE(Storage::searchNotes(db(), u"apac"_s, 0).error().field, u"limit"_s);
        QCOMPARE(Storage::searchNotes(db(), u"apac"_s, 1001).error().field, u"limit"_s);
        QCOMPARE(Storage::searchNotes(db(), u"apac"_s, 10, u"not an id"_s).error().field, u"customer_id"_s);
    }

private:
    using Lifecycle = std::pair<const char *, std::function<void()>>;

    static const QList<Lifecycle> &schemaChecks()
    {
        static const QList<Lifecycle> list {
            { "Playbook", checkColumnsMatchSchema<Playbook> },
            { "PlaybookStep", checkColumnsMatchSchema<PlaybookStep> },
            { "Campaign", checkColumnsMatchSchema<Campaign> },
            { "Enrolment", checkColumnsMatchSchema<Enrolment> },
            { "EnrolmentStepRun", checkColumnsMatchSchema<EnrolmentStepRun> },
            { "CsmTask", checkColumnsMatchSchema<CsmTask> },
            { "Note", checkColumnsMatchSchema<Note> },
            { "EmailTemplate", checkColumnsMatchSchema<EmailTemplate> },
            { "CommunicationWorkflow", checkColumnsMatchSchema<CommunicationWorkflow> },
            { "Communication", checkColumnsMatchSchema<Communication> },
            { "Newsletter", checkColumnsMatchSchema<Newsletter> },
            { "NewsletterEdition", checkColumnsMatchSchema<NewsletterEdition> },
            { "CommunityMember", checkColumnsMatchSchema<CommunityMember> },
            { "CommunityPost", checkColumnsMatchSchema<CommunityPost> },
            { "Advocate", checkColumnsMatchSchema<Advocate> },
            { "AdvocacyContribution", checkColumnsMatchSchema<AdvocacyContribution> },
            { "ExecutiveReview", checkColumnsMatchSchema<ExecutiveReview> },
            { "Escalation", checkColumnsMatchSchema<Escalation> },
        };
        return list;
    }

    static const QList<Lifecycle> &lifecycles()
    {
        static const QList<Lifecycle> list {
            { "playbook",
                [] {
                    checkLifecycle<Playbook>([](auto &r) {
                        r.isActive = false;
                        r.name += u" (v2)"_s;
                    });
                } },
            { "playbook step",
                [] {
                    checkLifecycle<PlaybookStep>([](auto &r) {
                        r.kind = PlaybookStepKind::Email;
                        r.config = { { u"template_id"_s, g.templateId } };
                    });
                } },
            { "campaign",
                [] {
                    checkLifecycle<Campaign>([](auto &r) {
                        r.status = CampaignStatus::Paused;
                        r.segmentId.reset();
                    });
                } },
            { "enrolment",
                [] {
                    checkLifecycle<Enrolment>([](auto &r) {
                        r.currentStep = 3;
                        r.nextStepAt = {};
                    });
                } },
            { "enrolment step run",
                [] { checkLifecycle<EnrolmentStepRun>([](auto &r) { r.status = StepRunStatus::Skipped; }); } },
            { "task", [] { checkLifecycle<CsmTask>([](auto &r) { r.dueDate = r.dueDate.addDays(7); }); } },
            { "note",
                [] {
                    checkLifecycle<Note>([](auto &r) {
                        r.isPinned = false;
                        r.body += u" Follow up in May."_s;
                    });
                } },
            { "email template", [] { checkLifecycle<EmailTemplate>([](auto &r) { r.variables << u"csm.name"_s; }); } },
            { "communication workflow",
                [] {
                    checkLifecycle<CommunicationWorkflow>([](auto &r) {
                        r.actions.removeLast();
                        r.isActive = false;
                    });
                } },
            { "communication",
                [] {
                    checkLifecycle<Communication>([](auto &r) {
                        r.status = CommunicationStatus::Clicked;
                        r.lastEventAt = at(9);
                    });
                } },
            { "newsletter",
                [] {
                    checkLifecycle<Newsletter>([](auto &r) {
                        r.templateId.reset();
                        r.isActive = true;
                    });
                } },
            { "newsletter edition",
                [] { checkLifecycle<NewsletterEdition>([](auto &r) { r.recipientCount = 118; }); } },
            { "community member",
                [] {
                    checkLifecycle<CommunityMember>([](auto &r) {
                        r.reputation += 5;
                        r.contactId.reset();
                    });
                } },
            { "community post",
                [] {
                    checkLifecycle<CommunityPost>([](auto &r) {
                        r.views = 41;
                        r.status = CommunityPostStatus::Closed;
                    });
                } },
            { "advocate",
                [] {
                    checkLifecycle<Advocate>([](auto &r) {
                        r.tier = AdvocateTier::Platinum;
                        r.points = 1200;
                    });
                } },
            { "advocacy contribution",
                [] { checkLifecycle<AdvocacyContribution>([](auto &r) { r.occurredOn = QDate(2026, 4, 11); }); } },
            { "executive review",
                [] {
                    checkLifecycle<ExecutiveReview>([](auto &r) {
                        r.agenda.prepend(u"Welcome"_s);
                        r.nextSteps.clear();
                    });
                } },
            { "escalation",
                [] {
                    checkLifecycle<Escalation>([](auto &r) {
                        r.ticketId.reset();
                        r.resolution = u"Root cause fixed"_s;
                    });
                } },
        };
        return list;
    }
};

QTEST_GUILESS_MAIN(TestRepositoriesEngagement)
#include "tst_repositories_engagement.moc"
