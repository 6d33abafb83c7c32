// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Repositories of the operational records (schema 0008). Built twice: against SQLite (label unit) and
// PostgreSQL (label pg). One migrated database is shared by every test; each test uses its own ids and keys.
#include <functional>
#include <memory>

#include <QSet>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>
#include <QTimeZone>

#include "sql.h"
#include "tables_customers.h"
#include "tables_operations.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using namespace Domain;

namespace {

std::unique_ptr<TestUtils::TestDatabase> g_fixture;

Storage::Database &db()
{
    return g_fixture->db();
}

struct Parents
{
    QString customerId = u"acme"_s;
    qint64 monitorId = 0;
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

bool createCustomer(const QString &id)
{
    Customer c;
    c.id = id;
    c.name = u"Customer "_s + id;
    return bool(Storage::CustomerRepository(db()).create(c));
}

// ---- one sample per type: every column set to something other than its default -------------------------------

template<typename T> T sample();

template<> Monitor sample<Monitor>()
{
    Monitor m;
    m.kind = MonitorKind::Upsell;
    m.name = u"Upsell signals"_s;
    m.isEnabled = false;
    m.scheduleMinutes = 15;
    m.config = { { u"seat_utilisation"_s, 0.9 } };
    m.lastRunAt = at(0);
    m.nextRunAt = at(15);
    m.lastStatus = MonitorOutcome::Failed;
    m.lastError = u"query timed out"_s;
    m.runningSince = at(16);
    return m;
}

template<> MonitorRun sample<MonitorRun>()
{
    MonitorRun r;
    r.monitorId = g.monitorId;
    r.triggeredBy = MonitorTrigger::Agent;
    r.startedAt = at(0);
    r.finishedAt = at(2);
    r.status = MonitorRunStatus::Succeeded;
    r.customersChecked = 120;
    r.alertsRaised = 3;
    r.error = u"2 customers skipped: no usage data"_s;
    return r;
}

template<> Alert sample<Alert>()
{
    Alert a;
    a.monitorId = g.monitorId;
    a.customerId = g.customerId;
    a.kind = u"usage_drop"_s;
    a.severity = AlertSeverity::Critical;
    a.title = u"Weekly active users down 45 %"_s;
    a.detail = { { u"drop_pct"_s, 45.5 }, { u"baseline"_s, 220 } };
    a.status = AlertStatus::Resolved;
    a.dedupeKey = u"usage_drop:acme:"_s + serial();
    a.raisedAt = at(0);
    a.acknowledgedAt = at(5);
    a.acknowledgedBy = u"dana@csdesk.example"_s;
    a.resolvedAt = at(10);
    a.resolvedBy = u"sam@csdesk.example"_s;
    return a;
}

template<> TimelineEvent sample<TimelineEvent>()
{
    TimelineEvent e;
    e.customerId = g.customerId;
    e.occurredAt = at(0);
    e.kind = TimelineEventKind::ScoreChange;
    e.title = u"Health fell from 72 to 58"_s;
    e.detail = { { u"from"_s, 72 }, { u"to"_s, 58 } };
    e.sourceTable = u"health_scores"_s;
    e.sourceId = u"17"_s;
    e.actor = u"system"_s;
    return e;
}

template<> AgentAction sample<AgentAction>()
{
    AgentAction a;
    a.occurredAt = at(0);
    a.sessionId = u"9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"_s;
    a.clientName = u"claude-desktop"_s;
    a.clientVersion = u"1.2.0"_s;
    a.tool = u"update_client_info"_s;
    a.isWrite = true;
    a.customerId = g.customerId;
    a.arguments = { { u"customer_id"_s, g.customerId }, { u"tier"_s, u"enterprise"_s } };
    a.resultSummary = u"version 3 → 4"_s;
    a.isError = true;
    a.approval = AgentApproval::Approved;
    a.approvedBy = u"dana@csdesk.example"_s;
    a.decidedAt = at(1);
    a.durationMs = 42;
    return a;
}

template<> OutboxMessage sample<OutboxMessage>()
{
    OutboxMessage m;
    m.kind = OutboxKind::Ticket;
    m.target = IntegrationVendor::Zendesk;
    m.customerId = g.customerId;
    m.payload = { { u"subject"_s, u"Reports time out"_s }, { u"priority"_s, u"high"_s } };
    m.idempotencyKey = u"ticket:"_s + serial();
    m.status = OutboxStatus::Delivered;
    m.attempts = 2;
    m.nextAttemptAt = at(1);
    m.lastError = u"503 Service Unavailable"_s;
    m.externalId = u"zd-"_s + serial();
    m.deliveredAt = at(2);
    return m;
}

template<> IntegrationSyncState sample<IntegrationSyncState>()
{
    IntegrationSyncState s;
    s.integration = IntegrationVendor::Mixpanel;
    s.stream = u"events-"_s + serial();
    s.syncCursor = u"1719000000"_s;
    s.lastSyncedAt = at(0);
    s.lastSuccessAt = at(-60);
    s.lastStatus = SyncOutcome::Failed;
    s.lastError = u"429 Too Many Requests"_s;
    s.itemsSynced = 5000;
    return s;
}

template<> AppSetting sample<AppSetting>()
{
    AppSetting s;
    s.key = u"ui.theme."_s + serial();
    s.value = u"dark"_s;
    return s;
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

// The first mapped column whose stored value differs, or empty.
template<typename T> QString firstDifference(const T &expected, const T &actual, bool compareKey)
{
    for (const auto &c : Storage::TableTraits<T>::columns()) {
        if (!compareKey && (c.flags & Storage::GeneratedKey))
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
    QCOMPARE(created->meta.version, Traits::versioned ? 1 : 0);
    QVERIFY(created->meta.createdAt.isValid());
    QCOMPARE(created->meta.createdAt.timeSpec(), Qt::UTC);
    QString diff = firstDifference(input, *created, false);
    QVERIFY2(diff.isEmpty(), qPrintable(u"create: "_s + diff));

    const QVariant key = keyOf(*created);
    QVERIFY(!key.isNull());
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
        auto stale = repo.update(*got);
        QVERIFY(!stale);
        QCOMPARE(stale.error().code, Core::ErrorCode::Conflict);
        QCOMPARE(stale.error().field, u"version"_s);
        auto after = repo.get(key);
        QVERIFY(after);
        QVERIFY2(firstDifference(*updated, *after, true).isEmpty(), "a stale update changed the record");
    }
    static_assert(!Traits::softDelete, "no table of schema 0008 has soft delete");

    Storage::ListQuery byKey;
    byKey.filters << Storage::Filter { Storage::Repository<T>::keyName(), Storage::Filter::Op::Eq, key };
    auto page = repo.list(byKey);
    QVERIFY(page);
    QCOMPARE(page->total, qint64(1));
    QVERIFY(repo.remove(key));
    QCOMPARE(repo.get(key).error().code, Core::ErrorCode::NotFound);
    QCOMPARE(repo.remove(key).error().code, Core::ErrorCode::NotFound);
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
        // monitors
        bad<Monitor>("monitor: unknown kind", u"kind"_s, [](auto &r) { r.kind = unknownEnum<MonitorKind>(); }),
        bad<Monitor>("monitor: long name", u"name"_s, [n201](auto &r) { r.name = n201; }),
        bad<Monitor>("monitor: zero schedule", u"schedule_minutes"_s, [](auto &r) { r.scheduleMinutes = 0; }),
        bad<Monitor>("monitor: schedule over 30 days", u"schedule_minutes"_s,
            [](auto &r) { r.scheduleMinutes = 30 * 24 * 60 + 1; }),
        bad<Monitor>("monitor: unknown last status", u"last_status"_s,
            [](auto &r) { r.lastStatus = unknownEnum<MonitorOutcome>(); }),
        // monitor runs
        bad<MonitorRun>("run: no monitor", u"monitor_id"_s, [](auto &r) { r.monitorId = 0; }),
        bad<MonitorRun>(
            "run: unknown trigger", u"triggered_by"_s, [](auto &r) { r.triggeredBy = unknownEnum<MonitorTrigger>(); }),
        bad<MonitorRun>("run: no started_at", u"started_at"_s, [](auto &r) { r.startedAt = {}; }),
        bad<MonitorRun>(
            "run: finished before started", u"finished_at"_s, [](auto &r) { r.finishedAt = r.startedAt.addMSecs(-1); }),
        bad<MonitorRun>(
            "run: unknown status", u"status"_s, [](auto &r) { r.status = unknownEnum<MonitorRunStatus>(); }),
        bad<MonitorRun>("run: over without finished_at", u"finished_at"_s,
            [](auto &r) {
                r.status = MonitorRunStatus::Cancelled;
                r.finishedAt = {};
            }),
        bad<MonitorRun>("run: negative customers", u"customers_checked"_s, [](auto &r) { r.customersChecked = -1; }),
        bad<MonitorRun>("run: negative alerts", u"alerts_raised"_s, [](auto &r) { r.alertsRaised = -1; }),
        // alerts
        bad<Alert>("alert: bad monitor", u"monitor_id"_s, [](auto &r) { r.monitorId = 0; }),
        bad<Alert>("alert: bad customer", u"customer_id"_s, [](auto &r) { r.customerId = u"acme corp"_s; }),
        bad<Alert>("alert: blank kind", u"kind"_s, [](auto &r) { r.kind = u" "_s; }),
        bad<Alert>("alert: long kind", u"kind"_s, [](auto &r) { r.kind = QString(101, u'k'); }),
        bad<Alert>(
            "alert: unknown severity", u"severity"_s, [](auto &r) { r.severity = unknownEnum<AlertSeverity>(); }),
        bad<Alert>("alert: blank title", u"title"_s, [](auto &r) { r.title.clear(); }),
        bad<Alert>("alert: long title", u"title"_s, [](auto &r) { r.title = QString(501, u't'); }),
        bad<Alert>("alert: unknown status", u"status"_s, [](auto &r) { r.status = unknownEnum<AlertStatus>(); }),
        bad<Alert>("alert: long dedupe key", u"dedupe_key"_s, [](auto &r) { r.dedupeKey = QString(301, u'd'); }),
        bad<Alert>("alert: no raised_at", u"raised_at"_s, [](auto &r) { r.raisedAt = {}; }),
        bad<Alert>("alert: acknowledged before raised", u"acknowledged_at"_s,
            [](auto &r) { r.acknowledgedAt = r.raisedAt.addSecs(-1); }),
        bad<Alert>(
            "alert: resolved before raised", u"resolved_at"_s, [](auto &r) { r.resolvedAt = r.raisedAt.addSecs(-1); }),
        bad<Alert>("alert: acknowledged without acknowledged_at", u"acknowledged_at"_s,
            [](auto &r) {
                r.status = AlertStatus::Acknowledged;
                r.acknowledgedAt = {};
            }),
        bad<Alert>("alert: long acknowledged_by", u"acknowledged_by"_s, [n201](auto &r) { r.acknowledgedBy = n201; }),
        bad<Alert>("alert: resolved without resolved_at", u"resolved_at"_s, [](auto &r) { r.resolvedAt = {}; }),
        bad<Alert>("alert: long resolved_by", u"resolved_by"_s, [n201](auto &r) { r.resolvedBy = n201; }),
        // timeline
        bad<TimelineEvent>("timeline: no customer", u"customer_id"_s, [](auto &r) { r.customerId.clear(); }),
        bad<TimelineEvent>("timeline: no occurred_at", u"occurred_at"_s, [](auto &r) { r.occurredAt = {}; }),
        bad<TimelineEvent>(
            "timeline: unknown kind", u"kind"_s, [](auto &r) { r.kind = unknownEnum<TimelineEventKind>(); }),
        bad<TimelineEvent>("timeline: blank title", u"title"_s, [](auto &r) { r.title.clear(); }),
        bad<TimelineEvent>("timeline: long title", u"title"_s, [](auto &r) { r.title = QString(501, u't'); }),
        bad<TimelineEvent>(
            "timeline: long source table", u"source_table"_s, [](auto &r) { r.sourceTable = QString(101, u's'); }),
        bad<TimelineEvent>("timeline: long source id", u"source_id"_s, [n201](auto &r) { r.sourceId = n201; }),
        bad<TimelineEvent>(
            "timeline: source id without table", u"source_table"_s, [](auto &r) { r.sourceTable.clear(); }),
        bad<TimelineEvent>("timeline: long actor", u"actor"_s, [n201](auto &r) { r.actor = n201; }),
        // agent actions
        bad<AgentAction>("agent: no occurred_at", u"occurred_at"_s, [](auto &r) { r.occurredAt = {}; }),
        bad<AgentAction>("agent: long session", u"session_id"_s, [n201](auto &r) { r.sessionId = n201; }),
        bad<AgentAction>("agent: long client name", u"client_name"_s, [n201](auto &r) { r.clientName = n201; }),
        bad<AgentAction>(
            "agent: long client version", u"client_version"_s, [](auto &r) { r.clientVersion = QString(101, u'v'); }),
        bad<AgentAction>("agent: tool with a space", u"tool"_s, [](auto &r) { r.tool = u"get client"_s; }),
        bad<AgentAction>("agent: no tool", u"tool"_s, [](auto &r) { r.tool.clear(); }),
        bad<AgentAction>("agent: tool of 65 characters", u"tool"_s, [](auto &r) { r.tool = QString(65, u't'); }),
        bad<AgentAction>("agent: bad customer", u"customer_id"_s, [](auto &r) { r.customerId = u"a;b"_s; }),
        bad<AgentAction>(
            "agent: long result summary", u"result_summary"_s, [t10001](auto &r) { r.resultSummary = t10001; }),
        bad<AgentAction>(
            "agent: unknown approval", u"approval"_s, [](auto &r) { r.approval = unknownEnum<AgentApproval>(); }),
        bad<AgentAction>("agent: a read waiting for approval", u"approval"_s,
            [](auto &r) {
                r.isWrite = false;
                r.approval = AgentApproval::Pending;
            }),
        bad<AgentAction>("agent: long approved_by", u"approved_by"_s, [n201](auto &r) { r.approvedBy = n201; }),
        bad<AgentAction>("agent: denied without decided_at", u"decided_at"_s,
            [](auto &r) {
                r.approval = AgentApproval::Denied;
                r.decidedAt = {};
            }),
        bad<AgentAction>(
            "agent: decided before the call", u"decided_at"_s, [](auto &r) { r.decidedAt = r.occurredAt.addSecs(-1); }),
        bad<AgentAction>("agent: negative duration", u"duration_ms"_s, [](auto &r) { r.durationMs = -1; }),
        // outbox
        bad<OutboxMessage>("outbox: unknown kind", u"kind"_s, [](auto &r) { r.kind = unknownEnum<OutboxKind>(); }),
        bad<OutboxMessage>(
            "outbox: unknown target", u"target"_s, [](auto &r) { r.target = unknownEnum<IntegrationVendor>(); }),
        bad<OutboxMessage>("outbox: bad customer", u"customer_id"_s, [](auto &r) { r.customerId = u"ä"_s; }),
        bad<OutboxMessage>(
            "outbox: no idempotency key", u"idempotency_key"_s, [](auto &r) { r.idempotencyKey.clear(); }),
        bad<OutboxMessage>(
            "outbox: long idempotency key", u"idempotency_key"_s, [n201](auto &r) { r.idempotencyKey = n201; }),
        bad<OutboxMessage>(
            "outbox: unknown status", u"status"_s, [](auto &r) { r.status = unknownEnum<OutboxStatus>(); }),
        bad<OutboxMessage>("outbox: negative attempts", u"attempts"_s, [](auto &r) { r.attempts = -1; }),
        bad<OutboxMessage>("outbox: no next attempt", u"next_attempt_at"_s, [](auto &r) { r.nextAttemptAt = {}; }),
        bad<OutboxMessage>("outbox: long external id", u"external_id"_s, [n201](auto &r) { r.externalId = n201; }),
        bad<OutboxMessage>(
            "outbox: delivered without delivered_at", u"delivered_at"_s, [](auto &r) { r.deliveredAt = {}; }),
        // sync state
        bad<IntegrationSyncState>("sync: unknown integration", u"integration"_s,
            [](auto &r) { r.integration = unknownEnum<IntegrationVendor>(); }),
        bad<IntegrationSyncState>("sync: blank stream", u"stream"_s, [](auto &r) { r.stream.clear(); }),
        bad<IntegrationSyncState>("sync: long stream", u"stream"_s, [](auto &r) { r.stream = QString(101, u's'); }),
        bad<IntegrationSyncState>(
            "sync: unknown last status", u"last_status"_s, [](auto &r) { r.lastStatus = unknownEnum<SyncOutcome>(); }),
        bad<IntegrationSyncState>("sync: negative items", u"items_synced"_s, [](auto &r) { r.itemsSynced = -1; }),
        // settings
        bad<AppSetting>("setting: blank key", u"key"_s, [](auto &r) { r.key = u" "_s; }),
        bad<AppSetting>("setting: long key", u"key"_s, [n201](auto &r) { r.key = n201; }),
        bad<AppSetting>("setting: long value", u"value"_s, [](auto &r) { r.value = QString(100001, u'v'); }),
        bad<AppSetting>("setting: api key", u"key"_s, [](auto &r) { r.key = u"zendesk.api_key"_s; }),
        bad<AppSetting>("setting: ApiKey", u"key"_s, [](auto &r) { r.key = u"sendgrid.ApiKey"_s; }),
        bad<AppSetting>("setting: password", u"key"_s, [](auto &r) { r.key = u"SMTP_PASSWORD"_s; }),
        bad<AppSetting>("setting: secret", u"key"_s, [](auto &r) { r.key = u"oauth.client_secret"_s; }),
        bad<AppSetting>("setting: bearer token", u"key"_s, [](auto &r) { r.key = u"mcp.bearer_token"_s; }),
        bad<AppSetting>("setting: credentials", u"key"_s, [](auto &r) { r.key = u"db.credentials"_s; }),
        bad<AppSetting>("setting: private key", u"key"_s, [](auto &r) { r.key = u"sso.private-key"_s; }),
    };
    return cases;
}

} // namespace

class TestRepositoriesOperations final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        g_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(g_fixture->isOpen(), qPrintable(g_fixture->error()));
        QVERIFY(createCustomer(g.customerId));
        Monitor churn = sample<Monitor>();
        churn.kind = MonitorKind::ChurnRisk;
        auto created = Storage::MonitorRepository(db()).create(churn);
        QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
        g.monitorId = created->id;
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

    // Create → get keeps every column; update bumps the version (versioned tables) or leaves it at 0; a stale
    // update is a conflict; remove deletes the row.
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

    void schemaRefusesSecretLookingSettings_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<bool>("refused");
        QTest::addRow("api_key") << u"zendesk.api_key"_s << true;
        QTest::addRow("api-key (LIKE's _ is any character)") << u"zendesk.api-key"_s << true;
        QTest::addRow("apikey") << u"mixpanel.apikey"_s << true;
        QTest::addRow("upper-case password") << u"SMTP_PASSWORD"_s << true;
        QTest::addRow("secret") << u"oauth.client_secret"_s << true;
        QTest::addRow("access_token") << u"intercom.access_token"_s << true;
        QTest::addRow("harmless") << u"ui.window.geometry"_s << false;
        QTest::addRow("harmless with key in it") << u"keyboard.shortcuts"_s << false;
    }

    // The schema's last line of defence, written around the repository; and the C++ rule refuses at least
    // everything the schema does.
    void schemaRefusesSecretLookingSettings()
    {
        QFETCH(QString, key);
        QFETCH(bool, refused);
        auto inserted = Storage::exec(db(), u"INSERT INTO app_settings (key, value) VALUES (?, 'x')"_s, { key });
        QCOMPARE(!inserted, refused);
        if (refused)
            QCOMPARE(inserted.error().code, Core::ErrorCode::InvalidArgument);
        QCOMPARE(isSecretLookingSettingKey(key), refused);
        AppSetting s;
        s.key = key;
        s.value = u"x"_s;
        QCOMPARE(!s.validate(), refused);
    }

    void schemaRefusesWhatCodeWouldNot_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addRow("unknown monitor kind") << u"INSERT INTO monitors (kind) VALUES ('vibes')"_s;
        QTest::addRow("zero schedule") << u"INSERT INTO monitors (kind, schedule_minutes) VALUES ('sla', 0)"_s;
        QTest::addRow("resolved alert without resolved_at")
            << u"INSERT INTO alerts (kind, title, status) VALUES ('k', 't', 'resolved')"_s;
        QTest::addRow("run finished before it started")
            << u"INSERT INTO monitor_runs (monitor_id, started_at, finished_at) VALUES (%1, "
               u"'2026-05-02T00:00:00.000Z', '2026-05-01T00:00:00.000Z')"_s.arg(g.monitorId);
        QTest::addRow("unknown timeline kind")
            << u"INSERT INTO timeline_events (customer_id, kind, title) VALUES ('acme', 'gossip', 't')"_s;
        QTest::addRow("unknown approval") << u"INSERT INTO agent_actions (tool, approval) VALUES ('t', 'maybe')"_s;
        QTest::addRow("delivered without delivered_at")
            << u"INSERT INTO outbox (kind, target, idempotency_key, status) VALUES ('email', 'sendgrid', 'k-x', "
               u"'delivered')"_s;
        QTest::addRow("unknown integration")
            << u"INSERT INTO integration_sync_state (integration, stream) VALUES ('salesforce', 's')"_s;
        QTest::addRow("empty setting key") << u"INSERT INTO app_settings (key) VALUES ('')"_s;
    }

    void schemaRefusesWhatCodeWouldNot()
    {
        QFETCH(QString, sql);
        auto result = Storage::exec(db(), sql);
        QVERIFY2(!result, "the schema accepted a row it must refuse");
        QCOMPARE(result.error().code, Core::ErrorCode::InvalidArgument);
    }

    void uniqueKeys()
    {
        // One row per monitor kind.
        Monitor second = sample<Monitor>();
        second.kind = MonitorKind::ChurnRisk;
        auto duplicateMonitor = Storage::MonitorRepository(db()).create(second);
        QCOMPARE(duplicateMonitor.error().code, Core::ErrorCode::AlreadyExists);
        QCOMPARE(duplicateMonitor.error().field, u"kind"_s);

        // An outgoing action is enqueued once: the same idempotency key again is refused.
        Storage::OutboxMessageRepository outbox(db());
        OutboxMessage message = sample<OutboxMessage>();
        QVERIFY(outbox.create(message));
        auto again = outbox.create(message);
        QCOMPARE(again.error().code, Core::ErrorCode::AlreadyExists);
        QCOMPARE(again.error().field, u"idempotency_key"_s);

        // One sync position per integration and stream.
        Storage::IntegrationSyncStateRepository sync(db());
        IntegrationSyncState state = sample<IntegrationSyncState>();
        QVERIFY(sync.create(state));
        QCOMPARE(sync.create(state).error().code, Core::ErrorCode::AlreadyExists);
        state.integration = IntegrationVendor::Intercom;
        QVERIFY(sync.create(state));

        // Settings are keyed by their text.
        Storage::AppSettingRepository settings(db());
        AppSetting setting = sample<AppSetting>();
        QVERIFY(settings.create(setting));
        auto duplicateSetting = settings.create(setting);
        QCOMPARE(duplicateSetting.error().code, Core::ErrorCode::AlreadyExists);
        QCOMPARE(duplicateSetting.error().field, u"key"_s);
    }

    void oneUnresolvedAlertPerDedupeKey()
    {
        Storage::AlertRepository alerts(db());
        Alert open = sample<Alert>();
        open.dedupeKey = u"sla:acme:ticket-7"_s;
        open.status = AlertStatus::Open;
        open.acknowledgedAt = {};
        open.resolvedAt = {};
        auto first = alerts.create(open);
        QVERIFY2(first, first ? "" : qPrintable(first.error().toString()));
        QCOMPARE(alerts.create(open).error().code, Core::ErrorCode::AlreadyExists);
        // Once resolved, the same condition may raise a new alert.
        Alert resolved = *first;
        resolved.status = AlertStatus::Resolved;
        resolved.resolvedAt = at(30);
        QVERIFY(alerts.update(resolved));
        QVERIFY(alerts.create(open));
    }

    void settingsPageByTextKey()
    {
        Storage::AppSettingRepository settings(db());
        const QStringList keys { u"paging.e"_s, u"paging.a"_s, u"paging.d"_s, u"paging.b"_s, u"paging.c"_s };
        for (const QString &key : keys)
            QVERIFY(settings.create({ key, u"v-"_s + key, {} }));
        auto one = settings.get(u"paging.d"_s);
        QVERIFY(one);
        QCOMPARE(one->value, u"v-paging.d"_s);

        Storage::ListQuery query;
        query.filters << Storage::Filter { u"key"_s, Storage::Filter::Op::Contains, u"paging."_s };
        query.limit = 2;
        QStringList seen;
        for (int pages = 0; pages < 5; ++pages) {
            auto page = settings.list(query);
            QVERIFY2(page, page ? "" : qPrintable(page.error().toString()));
            QCOMPARE(page->total, qint64(5));
            for (const AppSetting &s : page->items)
                seen << s.key;
            query.cursor = page->nextCursor;
            if (query.cursor.isEmpty())
                break;
        }
        QCOMPARE(seen, (QStringList { u"paging.a"_s, u"paging.b"_s, u"paging.c"_s, u"paging.d"_s, u"paging.e"_s }));
    }

    void removingACustomerRemovesOrUnlinksTheirRecords()
    {
        const QString leaving = u"leaving-co"_s;
        QVERIFY(createCustomer(leaving));
        Alert alert = sample<Alert>();
        alert.customerId = leaving;
        TimelineEvent event = sample<TimelineEvent>();
        event.customerId = leaving;
        AgentAction action = sample<AgentAction>();
        action.customerId = leaving;
        OutboxMessage message = sample<OutboxMessage>();
        message.customerId = leaving;
        auto alertId = Storage::AlertRepository(db()).create(alert);
        auto eventId = Storage::TimelineEventRepository(db()).create(event);
        auto actionId = Storage::AgentActionRepository(db()).create(action);
        auto messageId = Storage::OutboxMessageRepository(db()).create(message);
        QVERIFY(alertId && eventId && actionId && messageId);

        QVERIFY(Storage::CustomerRepository(db()).remove(leaving));
        QCOMPARE(count(u"alerts"_s, u"id = ?"_s, { alertId->id }), qint64(0));
        QCOMPARE(count(u"timeline_events"_s, u"id = ?"_s, { eventId->id }), qint64(0));
        // The audit trail and the outbox outlive the customer; they only lose the link.
        auto actionNow = Storage::AgentActionRepository(db()).get(actionId->id);
        QVERIFY(actionNow);
        QVERIFY(actionNow->customerId.isEmpty());
        QCOMPARE(actionNow->tool, action.tool);
        auto messageNow = Storage::OutboxMessageRepository(db()).get(messageId->id);
        QVERIFY(messageNow);
        QVERIFY(messageNow->customerId.isEmpty());
    }

    void refusesUnknownParents_data()
    {
        QTest::addColumn<QString>("table");
        QTest::addRow("alert") << u"alerts"_s;
        QTest::addRow("timeline event") << u"timeline_events"_s;
        QTest::addRow("agent action") << u"agent_actions"_s;
        QTest::addRow("outbox message") << u"outbox"_s;
        QTest::addRow("monitor run") << u"monitor_runs"_s;
    }

    void refusesUnknownParents()
    {
        QFETCH(QString, table);
        const qint64 before = count(table);
        Core::Error error;
        const auto fail = [&error](const auto &created) {
            if (!created)
                error = created.error();
            return !created;
        };
        bool refused = false;
        if (table == u"alerts"_s) {
            Alert a = sample<Alert>();
            a.customerId = u"nobody"_s;
            refused = fail(Storage::AlertRepository(db()).create(a));
        } else if (table == u"timeline_events"_s) {
            TimelineEvent e = sample<TimelineEvent>();
            e.customerId = u"nobody"_s;
            refused = fail(Storage::TimelineEventRepository(db()).create(e));
        } else if (table == u"agent_actions"_s) {
            AgentAction a = sample<AgentAction>();
            a.customerId = u"nobody"_s;
            refused = fail(Storage::AgentActionRepository(db()).create(a));
        } else if (table == u"outbox"_s) {
            OutboxMessage m = sample<OutboxMessage>();
            m.customerId = u"nobody"_s;
            refused = fail(Storage::OutboxMessageRepository(db()).create(m));
        } else {
            MonitorRun r = sample<MonitorRun>();
            r.monitorId = 987654;
            refused = fail(Storage::MonitorRunRepository(db()).create(r));
        }
        QVERIFY2(refused, "the schema accepted a row whose parent does not exist");
        QCOMPARE(error.code, Core::ErrorCode::InvalidArgument);
        QCOMPARE(count(table), before);
    }

    void removingAMonitorRemovesItsRunsAndKeepsItsAlerts()
    {
        Monitor sla = sample<Monitor>();
        sla.kind = MonitorKind::Sla;
        auto monitor = Storage::MonitorRepository(db()).create(sla);
        QVERIFY(monitor);
        MonitorRun run = sample<MonitorRun>();
        run.monitorId = monitor->id;
        auto runId = Storage::MonitorRunRepository(db()).create(run);
        Alert alert = sample<Alert>();
        alert.monitorId = monitor->id;
        auto alertId = Storage::AlertRepository(db()).create(alert);
        QVERIFY(runId && alertId);
        QVERIFY(Storage::MonitorRepository(db()).remove(monitor->id));
        QCOMPARE(count(u"monitor_runs"_s, u"id = ?"_s, { runId->id }), qint64(0));
        auto alertNow = Storage::AlertRepository(db()).get(alertId->id);
        QVERIFY(alertNow);
        QVERIFY(!alertNow->monitorId.has_value());
    }

private:
    using Lifecycle = std::pair<const char *, std::function<void()>>;

    static const QList<Lifecycle> &schemaChecks()
    {
        static const QList<Lifecycle> list {
            { "Monitor", checkColumnsMatchSchema<Monitor> },
            { "MonitorRun", checkColumnsMatchSchema<MonitorRun> },
            { "Alert", checkColumnsMatchSchema<Alert> },
            { "TimelineEvent", checkColumnsMatchSchema<TimelineEvent> },
            { "AgentAction", checkColumnsMatchSchema<AgentAction> },
            { "OutboxMessage", checkColumnsMatchSchema<OutboxMessage> },
            { "IntegrationSyncState", checkColumnsMatchSchema<IntegrationSyncState> },
            { "AppSetting", checkColumnsMatchSchema<AppSetting> },
        };
        return list;
    }

    static const QList<Lifecycle> &lifecycles()
    {
        static const QList<Lifecycle> list {
            { "monitor",
                [] {
                    checkLifecycle<Monitor>([](auto &r) {
                        r.isEnabled = true;
                        r.runningSince = {};
                        r.lastStatus = MonitorOutcome::Succeeded;
                    });
                } },
            { "monitor run", [] { checkLifecycle<MonitorRun>([](auto &r) { r.alertsRaised = 4; }); } },
            { "alert", [] { checkLifecycle<Alert>([](auto &r) { r.detail.insert(u"note"_s, u"seasonal"_s); }); } },
            { "timeline event",
                [] { checkLifecycle<TimelineEvent>([](auto &r) { r.title = u"Health fell to 57"_s; }); } },
            { "agent action", [] { checkLifecycle<AgentAction>([](auto &r) { r.durationMs.reset(); }); } },
            { "outbox message",
                [] {
                    checkLifecycle<OutboxMessage>([](auto &r) {
                        r.attempts = 3;
                        r.status = OutboxStatus::Dead;
                        r.deliveredAt = {};
                    });
                } },
            { "integration sync state",
                [] {
                    checkLifecycle<IntegrationSyncState>([](auto &r) {
                        r.syncCursor = u"1719003600"_s;
                        r.lastStatus = SyncOutcome::Succeeded;
                        r.lastError.clear();
                    });
                } },
            { "app setting", [] { checkLifecycle<AppSetting>([](auto &r) { r.value = u"light"_s; }); } },
        };
        return list;
    }
};

QTEST_GUILESS_MAIN(TestRepositoriesOperations)
#include "tst_repositories_operations.moc"
