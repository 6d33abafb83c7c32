// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Repositories of usage, health scoring, churn model and lifecycle records (schema 0002). Built twice:
// against SQLite (label unit) and PostgreSQL (label pg).
#include <cmath>
#include <functional>
#include <memory>

#include <QSet>
#include <QSqlRecord>
#include <QTest>
#include <QTimeZone>

#include "sql.h"
#include "tables_accounts.h"
#include "tables_customers.h"
#include "tables_health.h"
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

qint64 countRows(Storage::Database &db, const QString &sql, const QVariantList &bindings = {})
{
    auto q = Storage::exec(db, sql, bindings);
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

template<typename T> qint64 countAll(Storage::Database &db)
{
    return countRows(db, u"SELECT COUNT(*) FROM "_s + Traits<T>::table());
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
            if (other.name != c.name)
                QVERIFY2(other.read(probe) == other.read(sample),
                    qPrintable(u"%1: writing %2 changes %3"_s.arg(Traits<T>::table(), c.name, other.name)));
        }
    }
}

// The mapped columns plus the bookkeeping the traits declare are exactly the table's columns.
template<typename T> void verifyMappingCoversTable(Storage::Database &db)
{
    QStringList expected = Storage::Repository<T>::columnNames();
    expected << u"created_at"_s;
    if (Traits<T>::hasUpdatedAt)
        expected << u"updated_at"_s;
    if (Traits<T>::softDelete)
        expected << u"deleted_at"_s;
    if (Traits<T>::versioned)
        expected << u"version"_s;
    const QSqlRecord record = db.connection().record(Traits<T>::table());
    QStringList actual;
    for (int i = 0; i < record.count(); ++i) {
        if (record.fieldName(i) != u"search_vector"_s) // PostgreSQL-only full-text column, never mapped
            actual << record.fieldName(i);
    }
    QVERIFY2(!actual.isEmpty(), qPrintable(u"no table "_s + Traits<T>::table()));
    expected.sort();
    actual.sort();
    QCOMPARE(expected, actual);
}

// create -> get keeps every field; update persists (and bumps the version of versioned types); a stale
// update is a Conflict; soft delete hides the record (or remove deletes it, for tables without deleted_at).
template<typename T>
void verifyLifecycle(Storage::Database &db, const T &sample, const std::function<void(T &)> &change)
{
    using Traits = Storage::TableTraits<T>;
    verifySampleSetsEveryColumn(sample);
    verifyColumnsAreIndependent(sample);
    verifyMappingCoversTable<T>(db);
    if (QTest::currentTestFailed())
        return;
    Storage::Repository<T> repo(db);

    auto created = repo.create(sample);
    QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
    QVERIFY(created->id > 0);
    QVERIFY(created->meta.createdAt.isValid());
    QCOMPARE(created->meta.createdAt.timeSpec(), Qt::UTC);
    QCOMPARE(created->meta.version, Traits::versioned ? 1 : 0);
    QVERIFY(!created->meta.isDeleted());

    auto got = repo.get(created->id);
    QVERIFY2(got, got ? "" : qPrintable(got.error().toString()));
    QCOMPARE(got->id, created->id);
    verifySameColumns(*got, sample);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(got->meta.createdAt, created->meta.createdAt);
    QCOMPARE(got->meta.updatedAt, created->meta.updatedAt);
    QCOMPARE(got->meta.version, created->meta.version);

    T changed = *got;
    change(changed);
    bool differs = false;
    for (const Storage::Column<T> &c : Traits::columns())
        differs = differs || c.read(changed) != c.read(*got);
    QVERIFY2(differs, "the change under test changes nothing");
    auto updated = repo.update(changed);
    QVERIFY2(updated, updated ? "" : qPrintable(updated.error().toString()));
    QCOMPARE(updated->meta.version, Traits::versioned ? 2 : 0);
    QVERIFY(updated->meta.updatedAt >= got->meta.updatedAt);
    auto reread = repo.get(created->id);
    QVERIFY(reread);
    verifySameColumns(*reread, changed);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(reread->meta.version, updated->meta.version);

    if constexpr (Traits::versioned) {
        T stale = *got; // still version 1
        change(stale);
        auto conflict = repo.update(stale);
        QVERIFY(!conflict);
        QCOMPARE(conflict.error().code, ErrorCode::Conflict);
        QCOMPARE(conflict.error().field, u"version"_s);
        QCOMPARE(repo.get(created->id)->meta.version, 2);
    }

    Storage::ListQuery byId;
    byId.filters << Storage::Filter { u"id"_s, Storage::Filter::Op::Eq, created->id };
    if constexpr (Traits::softDelete) {
        QCOMPARE(repo.softDelete(created->id, 1).error().code, ErrorCode::Conflict); // stale delete
        QVERIFY(repo.softDelete(created->id, 2));
        QCOMPARE(repo.get(created->id).error().code, ErrorCode::NotFound);
        auto hidden = repo.list(byId);
        QVERIFY(hidden);
        QCOMPARE(hidden->total, qint64(0));
        auto kept = repo.get(created->id, true);
        QVERIFY(kept);
        QVERIFY(kept->meta.isDeleted());
        QCOMPARE(kept->meta.version, 3);
        changed.meta.version = 3;
        QCOMPARE(repo.update(changed).error().code, ErrorCode::NotFound); // a deleted record cannot be edited
    } else {
        auto listed = repo.list(byId);
        QVERIFY(listed);
        QCOMPARE(listed->total, qint64(1));
        QVERIFY(repo.remove(created->id));
        QCOMPARE(repo.get(created->id).error().code, ErrorCode::NotFound);
        QCOMPARE(repo.remove(created->id).error().code, ErrorCode::NotFound);
    }
}

// The field validate() names for a bad record, after checking that the repository refuses it with the same
// field and writes nothing; otherwise a description of what went wrong.
template<typename T> QString rejectedField(Storage::Database &db, const T &record)
{
    const Core::Status valid = record.validate();
    if (valid)
        return u"<validate() accepted it>"_s;
    if (valid.error().code != ErrorCode::InvalidArgument)
        return u"<validate() gave code %1>"_s.arg(int(valid.error().code));
    const qint64 before = countAll<T>(db);
    auto created = Storage::Repository<T>(db).create(record);
    if (created)
        return u"<the repository stored it>"_s;
    if (created.error().field != valid.error().field)
        return u"<the repository named %1>"_s.arg(created.error().field);
    if (countAll<T>(db) != before)
        return u"<a row was written>"_s;
    return valid.error().field;
}

struct Case
{
    QString name;
    std::function<void()> run;
};

struct BadCase
{
    QString name;
    QString field;
    std::function<QString()> attempt;
};

template<typename T, typename F> T mutated(T record, F change)
{
    change(record);
    return record;
}

QDateTime utc(int y, int m, int d, int h, int min, int s, int ms = 0)
{
    return QDateTime(QDate(y, m, d), QTime(h, min, s, ms), QTimeZone::utc());
}

} // namespace

class TestRepositoriesHealth final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;

    Storage::Database &db() { return m_fixture->db(); }

    // A customer of its own for each test, so unique indexes of one test never meet another's rows.
    QString customer(const QString &id)
    {
        Storage::CustomerRepository repo(db());
        if (!repo.get(id, true)) {
            Customer c;
            c.id = id;
            c.name = u"Customer "_s + id;
            auto created = repo.create(c);
            if (!created)
                qWarning("cannot create customer %s: %s", qPrintable(id), qPrintable(created.error().toString()));
        }
        return id;
    }

    qint64 segment(const QString &name)
    {
        Segment s;
        s.name = name;
        auto created = Storage::SegmentRepository(db()).create(s);
        return created ? created->id : -1;
    }

    static ProductFeature sampleFeature(const QString &key)
    {
        ProductFeature f;
        f.key = key;
        f.name = u"Scheduled reports"_s;
        f.category = u"Analytics"_s;
        f.description = u"E-mailed PDF and CSV reports"_s;
        f.isPremium = true;
        return f;
    }

    static UsageEvent sampleEvent(const QString &customerId)
    {
        UsageEvent e;
        e.customerId = customerId;
        e.occurredAt = utc(2026, 3, 14, 23, 59, 58, 125);
        e.eventType = u"report_exported"_s;
        e.feature = u"reports"_s;
        e.userRef = u"mixpanel:u-123"_s;
        e.quantity = 2.5;
        return e;
    }

    static DailyUsage sampleDaily(const QString &customerId)
    {
        DailyUsage u;
        u.customerId = customerId;
        u.day = QDate(2026, 3, 14);
        u.feature = u"reports"_s;
        u.events = 42;
        u.activeUsers = 7;
        u.quantity = 55.5;
        return u;
    }

    static HealthScoringConfig sampleConfig(int version, std::optional<qint64> segmentId)
    {
        HealthScoringConfig c;
        c.configVersion = version;
        c.name = u"EMEA enterprise weighting"_s;
        c.segmentId = segmentId;
        c.weights = { { u"product_usage"_s, 0.4 }, { u"engagement"_s, 0.25 }, { u"support_burden"_s, 0.15 },
            { u"satisfaction"_s, 0.2 } };
        c.greenThreshold = 75;
        c.yellowThreshold = 45.5;
        c.lookbackDays = 60;
        c.isActive = true;
        c.note = u"Support weighs less for enterprise"_s;
        c.createdBy = u"dana@csdesk.example"_s;
        return c;
    }

    static HealthScore sampleScore(const QString &customerId, const QDate &day = QDate(2026, 3, 15))
    {
        HealthScore s;
        s.customerId = customerId;
        s.scoreDate = day;
        s.score = 63.25;
        s.band = HealthBand::Yellow;
        s.components = {
            { u"product_usage"_s,
                QVariantMap {
                    { u"score"_s, 58.5 }, { u"weight"_s, 0.4 }, { u"inputs"_s, QVariantMap { { u"dau"_s, 12 } } } } },
            { u"engagement"_s, QVariantMap { { u"score"_s, 66.9 }, { u"weight"_s, 0.6 } } },
        };
        s.configVersion = 3;
        s.computedAt = utc(2026, 3, 15, 2, 0, 0, 7);
        return s;
    }

    static ChurnModel sampleModel(int version)
    {
        ChurnModel m;
        m.modelVersion = version;
        m.source = ChurnModelSource::Default;
        m.trainedAt = utc(2026, 3, 1, 12, 30, 0, 500);
        m.sampleCount = 120;
        m.churnedCount = 20;
        m.retainedCount = 100;
        m.cvFolds = 5;
        m.auc = 0.81;
        m.coefficients = { { u"intercept"_s, -1.2 }, { u"health_score"_s, -0.045 }, { u"custom.seats"_s, 0.002 } };
        m.calibration = { QVariantMap { { u"bin"_s, 0 }, { u"predicted"_s, 0.05 }, { u"observed"_s, 0.04 } },
            QVariantMap { { u"bin"_s, 1 }, { u"predicted"_s, 0.35 }, { u"observed"_s, 0.4 } } };
        m.features = { u"health_score"_s, u"custom.seats"_s };
        m.isActive = true;
        m.note = u"Built-in coefficients"_s;
        return m;
    }

    static ChurnPrediction samplePrediction(const QString &customerId)
    {
        ChurnPrediction p;
        p.customerId = customerId;
        p.modelVersion = 2;
        p.probability = 0.37;
        p.riskLevel = ChurnRiskLevel::Medium;
        p.drivers = { QVariantMap { { u"feature"_s, u"health_score"_s }, { u"contribution"_s, 0.21 } },
            QVariantMap { { u"feature"_s, u"tickets_open"_s }, { u"contribution"_s, 0.08 } } };
        p.predictedAt = utc(2026, 3, 15, 3, 0, 0);
        return p;
    }

    static LifecycleTransition sampleTransition(const QString &customerId)
    {
        LifecycleTransition t;
        t.customerId = customerId;
        t.fromStage = LifecycleStage::Adoption;
        t.toStage = LifecycleStage::AtRisk;
        t.reason = u"Health red for 14 days"_s;
        t.actor = u"monitor:churn-risk"_s;
        t.transitionedAt = utc(2026, 3, 16, 8, 15, 0);
        return t;
    }

    static AdoptionMilestone sampleMilestone(const QString &customerId)
    {
        AdoptionMilestone m;
        m.customerId = customerId;
        m.milestoneKey = u"ten_active_users"_s;
        m.achievedAt = utc(2026, 2, 20, 10, 0, 0);
        m.detail = { { u"active_users"_s, 10 }, { u"first_seen"_s, u"2026-02-01"_s } };
        return m;
    }

    QList<Case> lifecycleCases()
    {
        return {
            { u"product feature"_s,
                [this] {
                    verifyLifecycle<ProductFeature>(db(), sampleFeature(u"reports"_s), [](ProductFeature &f) {
                        f.isPremium = false;
                        f.category.clear();
                    });
                } },
            { u"usage event"_s,
                [this] {
                    verifyLifecycle<UsageEvent>(db(), sampleEvent(customer(u"life-event"_s)), [](UsageEvent &e) {
                        e.feature.clear();
                        e.quantity = 0;
                    });
                } },
            { u"daily usage"_s,
                [this] {
                    verifyLifecycle<DailyUsage>(db(), sampleDaily(customer(u"life-daily"_s)), [](DailyUsage &u) {
                        u.events = 50;
                        u.activeUsers = 0;
                    });
                } },
            { u"health scoring config"_s,
                [this] {
                    verifyLifecycle<HealthScoringConfig>(
                        db(), sampleConfig(3, segment(u"life-config"_s)), [](HealthScoringConfig &c) {
                            c.isActive = false;
                            c.note = u"superseded by version 4"_s;
                        });
                } },
            { u"health score"_s,
                [this] {
                    verifyLifecycle<HealthScore>(db(), sampleScore(customer(u"life-score"_s)), [](HealthScore &s) {
                        s.score = 71;
                        s.band = HealthBand::Green;
                        s.components.remove(u"engagement"_s);
                    });
                } },
            { u"churn model"_s,
                [this] {
                    verifyLifecycle<ChurnModel>(db(), sampleModel(2), [](ChurnModel &m) {
                        m.isActive = false;
                        m.auc.reset();
                    });
                } },
            { u"churn prediction"_s,
                [this] {
                    verifyLifecycle<ChurnPrediction>(db(), samplePrediction(customer(u"life-prediction"_s)),
                        [](ChurnPrediction &p) { p.drivers.clear(); });
                } },
            { u"lifecycle transition"_s,
                [this] {
                    verifyLifecycle<LifecycleTransition>(db(), sampleTransition(customer(u"life-transition"_s)),
                        [](LifecycleTransition &t) { t.fromStage.reset(); });
                } },
            { u"adoption milestone"_s,
                [this] {
                    verifyLifecycle<AdoptionMilestone>(db(), sampleMilestone(customer(u"life-milestone"_s)),
                        [](AdoptionMilestone &m) { m.detail.clear(); });
                } },
        };
    }

    QList<BadCase> badCases()
    {
        const QString cid = customer(u"bad-inputs"_s);
        Storage::Database &d = db();
        const auto feature = [&d](auto f) { return rejectedField(d, mutated(sampleFeature(u"k"_s), f)); };
        const auto event = [&d, cid](auto f) { return rejectedField(d, mutated(sampleEvent(cid), f)); };
        const auto daily = [&d, cid](auto f) { return rejectedField(d, mutated(sampleDaily(cid), f)); };
        const auto config = [&d](auto f) { return rejectedField(d, mutated(sampleConfig(900, std::nullopt), f)); };
        const auto score = [&d, cid](auto f) { return rejectedField(d, mutated(sampleScore(cid), f)); };
        const auto model = [&d](auto f) { return rejectedField(d, mutated(sampleModel(900), f)); };
        const auto prediction = [&d, cid](auto f) { return rejectedField(d, mutated(samplePrediction(cid), f)); };
        const auto transition = [&d, cid](auto f) { return rejectedField(d, mutated(sampleTransition(cid), f)); };
        const auto milestone = [&d, cid](auto f) { return rejectedField(d, mutated(sampleMilestone(cid), f)); };
        return {
            { u"feature: empty key"_s, u"key"_s, [=] { return feature([](ProductFeature &f) { f.key.clear(); }); } },
            { u"feature: long key"_s, u"key"_s,
                [=] { return feature([](ProductFeature &f) { f.key = QString(101, u'k'); }); } },
            { u"feature: empty name"_s, u"name"_s,
                [=] { return feature([](ProductFeature &f) { f.name = u" "_s; }); } },
            { u"feature: long name"_s, u"name"_s,
                [=] { return feature([](ProductFeature &f) { f.name = QString(201, u'n'); }); } },
            { u"feature: long category"_s, u"category"_s,
                [=] { return feature([](ProductFeature &f) { f.category = QString(101, u'c'); }); } },

            { u"event: bad customer id"_s, u"customer_id"_s,
                [=] { return event([](UsageEvent &e) { e.customerId = u"acme corp"_s; }); } },
            { u"event: no time"_s, u"occurred_at"_s,
                [=] { return event([](UsageEvent &e) { e.occurredAt = QDateTime(); }); } },
            { u"event: no type"_s, u"event_type"_s, [=] { return event([](UsageEvent &e) { e.eventType.clear(); }); } },
            { u"event: long type"_s, u"event_type"_s,
                [=] { return event([](UsageEvent &e) { e.eventType = QString(201, u't'); }); } },
            { u"event: long feature"_s, u"feature"_s,
                [=] { return event([](UsageEvent &e) { e.feature = QString(101, u'f'); }); } },
            { u"event: long user"_s, u"user_ref"_s,
                [=] { return event([](UsageEvent &e) { e.userRef = QString(201, u'u'); }); } },
            { u"event: negative quantity"_s, u"quantity"_s,
                [=] { return event([](UsageEvent &e) { e.quantity = -1; }); } },
            { u"event: NaN quantity"_s, u"quantity"_s,
                [=] { return event([](UsageEvent &e) { e.quantity = std::nan(""); }); } },

            { u"daily: bad customer id"_s, u"customer_id"_s,
                [=] { return daily([](DailyUsage &u) { u.customerId.clear(); }); } },
            { u"daily: no day"_s, u"day"_s, [=] { return daily([](DailyUsage &u) { u.day = QDate(); }); } },
            { u"daily: long feature"_s, u"feature"_s,
                [=] { return daily([](DailyUsage &u) { u.feature = QString(101, u'f'); }); } },
            { u"daily: negative events"_s, u"events"_s, [=] { return daily([](DailyUsage &u) { u.events = -1; }); } },
            { u"daily: negative users"_s, u"active_users"_s,
                [=] { return daily([](DailyUsage &u) { u.activeUsers = -1; }); } },
            { u"daily: negative quantity"_s, u"quantity"_s,
                [=] { return daily([](DailyUsage &u) { u.quantity = -0.5; }); } },

            { u"config: version 0"_s, u"version"_s,
                [=] { return config([](HealthScoringConfig &c) { c.configVersion = 0; }); } },
            { u"config: empty name"_s, u"name"_s,
                [=] { return config([](HealthScoringConfig &c) { c.name.clear(); }); } },
            { u"config: long name"_s, u"name"_s,
                [=] { return config([](HealthScoringConfig &c) { c.name = QString(201, u'n'); }); } },
            { u"config: bad segment"_s, u"segment_id"_s,
                [=] { return config([](HealthScoringConfig &c) { c.segmentId = 0; }); } },
            { u"config: no weights"_s, u"weights"_s,
                [=] { return config([](HealthScoringConfig &c) { c.weights.clear(); }); } },
            { u"config: weights sum to 0.98"_s, u"weights"_s,
                [=] { return config([](HealthScoringConfig &c) { c.weights[u"satisfaction"_s] = 0.18; }); } },
            { u"config: weights sum to 1.02"_s, u"weights"_s,
                [=] { return config([](HealthScoringConfig &c) { c.weights[u"satisfaction"_s] = 0.22; }); } },
            { u"config: weight above 1"_s, u"weights"_s,
                [=] {
                    return config([](HealthScoringConfig &c) {
                        c.weights = { { u"product_usage"_s, 1.5 }, { u"engagement"_s, -0.5 } };
                    });
                } },
            { u"config: negative weight"_s, u"weights"_s,
                [=] {
                    return config([](HealthScoringConfig &c) {
                        c.weights = { { u"product_usage"_s, -0.1 }, { u"engagement"_s, 1.1 } };
                    });
                } },
            { u"config: weight as text"_s, u"weights"_s,
                [=] {
                    return config([](HealthScoringConfig &c) {
                        c.weights = { { u"product_usage"_s, u"0.5"_s }, { u"engagement"_s, 0.5 } };
                    });
                } },
            { u"config: bad component key"_s, u"weights"_s,
                [=] { return config([](HealthScoringConfig &c) {
                          c.weights = { { u"Product Usage"_s, 1.0 } };
                      }); } },
            { u"config: green above 100"_s, u"green_threshold"_s,
                [=] { return config([](HealthScoringConfig &c) { c.greenThreshold = 100.5; }); } },
            { u"config: yellow below 0"_s, u"yellow_threshold"_s,
                [=] { return config([](HealthScoringConfig &c) { c.yellowThreshold = -1; }); } },
            { u"config: yellow equal to green"_s, u"yellow_threshold"_s,
                [=] {
                    return config([](HealthScoringConfig &c) {
                        c.greenThreshold = 60;
                        c.yellowThreshold = 60;
                    });
                } },
            { u"config: yellow above green"_s, u"yellow_threshold"_s,
                [=] {
                    return config([](HealthScoringConfig &c) {
                        c.greenThreshold = 40;
                        c.yellowThreshold = 70;
                    });
                } },
            { u"config: lookback 0"_s, u"lookback_days"_s,
                [=] { return config([](HealthScoringConfig &c) { c.lookbackDays = 0; }); } },
            { u"config: lookback 11 years"_s, u"lookback_days"_s,
                [=] { return config([](HealthScoringConfig &c) { c.lookbackDays = 3651; }); } },
            { u"config: long created_by"_s, u"created_by"_s,
                [=] { return config([](HealthScoringConfig &c) { c.createdBy = QString(201, u'c'); }); } },

            { u"score: bad customer id"_s, u"customer_id"_s,
                [=] { return score([](HealthScore &s) { s.customerId = u"ü"_s; }); } },
            { u"score: no date"_s, u"score_date"_s,
                [=] { return score([](HealthScore &s) { s.scoreDate = QDate(); }); } },
            { u"score: above 100"_s, u"score"_s, [=] { return score([](HealthScore &s) { s.score = 100.01; }); } },
            { u"score: below 0"_s, u"score"_s, [=] { return score([](HealthScore &s) { s.score = -1; }); } },
            { u"score: unknown band"_s, u"band"_s,
                [=] { return score([](HealthScore &s) { s.band = static_cast<HealthBand>(9); }); } },
            { u"score: config version 0"_s, u"config_version"_s,
                [=] { return score([](HealthScore &s) { s.configVersion = 0; }); } },
            { u"score: no computed_at"_s, u"computed_at"_s,
                [=] { return score([](HealthScore &s) { s.computedAt = QDateTime(); }); } },
            { u"score: component not an object"_s, u"components"_s,
                [=] { return score([](HealthScore &s) { s.components[u"engagement"_s] = 66.9; }); } },
            { u"score: component score above 100"_s, u"components"_s,
                [=] {
                    return score([](HealthScore &s) {
                        s.components[u"engagement"_s] = QVariantMap { { u"score"_s, 120 }, { u"weight"_s, 0.6 } };
                    });
                } },
            { u"score: component without weight"_s, u"components"_s,
                [=] {
                    return score([](HealthScore &s) {
                        s.components[u"engagement"_s] = QVariantMap { { u"score"_s, 50 } };
                    });
                } },
            { u"score: component weight above 1"_s, u"components"_s,
                [=] {
                    return score([](HealthScore &s) {
                        s.components[u"engagement"_s] = QVariantMap { { u"score"_s, 50 }, { u"weight"_s, 2 } };
                    });
                } },

            { u"model: version 0"_s, u"version"_s, [=] { return model([](ChurnModel &m) { m.modelVersion = 0; }); } },
            { u"model: unknown source"_s, u"source"_s,
                [=] { return model([](ChurnModel &m) { m.source = static_cast<ChurnModelSource>(4); }); } },
            { u"model: no trained_at"_s, u"trained_at"_s,
                [=] { return model([](ChurnModel &m) { m.trainedAt = QDateTime(); }); } },
            { u"model: negative samples"_s, u"sample_count"_s,
                [=] {
                    return model([](ChurnModel &m) {
                        m.sampleCount = -1;
                        m.churnedCount = m.retainedCount = 0;
                    });
                } },
            { u"model: negative churned"_s, u"churned_count"_s,
                [=] { return model([](ChurnModel &m) { m.churnedCount = -1; }); } },
            { u"model: negative retained"_s, u"retained_count"_s,
                [=] { return model([](ChurnModel &m) { m.retainedCount = -1; }); } },
            { u"model: more outcomes than samples"_s, u"sample_count"_s,
                [=] { return model([](ChurnModel &m) { m.sampleCount = 119; }); } },
            { u"model: one fold"_s, u"cv_folds"_s, [=] { return model([](ChurnModel &m) { m.cvFolds = 1; }); } },
            { u"model: AUC above 1"_s, u"auc"_s, [=] { return model([](ChurnModel &m) { m.auc = 1.01; }); } },
            { u"model: coefficient as text"_s, u"coefficients"_s,
                [=] { return model([](ChurnModel &m) { m.coefficients[u"tier"_s] = u"high"_s; }); } },
            { u"model: empty feature name"_s, u"features"_s,
                [=] { return model([](ChurnModel &m) { m.features << u""_s; }); } },

            { u"prediction: bad customer id"_s, u"customer_id"_s,
                [=] { return prediction([](ChurnPrediction &p) { p.customerId = QString(101, u'x'); }); } },
            { u"prediction: model version 0"_s, u"model_version"_s,
                [=] { return prediction([](ChurnPrediction &p) { p.modelVersion = 0; }); } },
            { u"prediction: probability above 1"_s, u"probability"_s,
                [=] { return prediction([](ChurnPrediction &p) { p.probability = 1.0001; }); } },
            { u"prediction: probability below 0"_s, u"probability"_s,
                [=] { return prediction([](ChurnPrediction &p) { p.probability = -0.1; }); } },
            { u"prediction: unknown risk level"_s, u"risk_level"_s,
                [=] { return prediction([](ChurnPrediction &p) { p.riskLevel = static_cast<ChurnRiskLevel>(8); }); } },
            { u"prediction: no predicted_at"_s, u"predicted_at"_s,
                [=] { return prediction([](ChurnPrediction &p) { p.predictedAt = QDateTime(); }); } },

            { u"transition: bad customer id"_s, u"customer_id"_s,
                [=] { return transition([](LifecycleTransition &t) { t.customerId = u"a.b"_s; }); } },
            { u"transition: unknown from stage"_s, u"from_stage"_s,
                [=] {
                    return transition([](LifecycleTransition &t) { t.fromStage = static_cast<LifecycleStage>(42); });
                } },
            { u"transition: unknown to stage"_s, u"to_stage"_s,
                [=] {
                    return transition([](LifecycleTransition &t) { t.toStage = static_cast<LifecycleStage>(42); });
                } },
            { u"transition: to the same stage"_s, u"to_stage"_s,
                [=] { return transition([](LifecycleTransition &t) { t.fromStage = t.toStage; }); } },
            { u"transition: long actor"_s, u"actor"_s,
                [=] { return transition([](LifecycleTransition &t) { t.actor = QString(201, u'a'); }); } },
            { u"transition: no time"_s, u"transitioned_at"_s,
                [=] { return transition([](LifecycleTransition &t) { t.transitionedAt = QDateTime(); }); } },

            { u"milestone: bad customer id"_s, u"customer_id"_s,
                [=] { return milestone([](AdoptionMilestone &m) { m.customerId.clear(); }); } },
            { u"milestone: no key"_s, u"milestone_key"_s,
                [=] { return milestone([](AdoptionMilestone &m) { m.milestoneKey = u"  "_s; }); } },
            { u"milestone: long key"_s, u"milestone_key"_s,
                [=] { return milestone([](AdoptionMilestone &m) { m.milestoneKey = QString(101, u'm'); }); } },
            { u"milestone: no time"_s, u"achieved_at"_s,
                [=] { return milestone([](AdoptionMilestone &m) { m.achievedAt = QDateTime(); }); } },
        };
    }

    template<typename Cases> static void addRows(const Cases &cases)
    {
        QTest::addColumn<int>("index");
        for (int i = 0; i < cases.size(); ++i)
            QTest::addRow("%s", qPrintable(cases.at(i).name)) << i;
    }

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
    }

    void cleanupTestCase() { m_fixture.reset(); }

    void lifecycle_data() { addRows(lifecycleCases()); }
    void lifecycle()
    {
        QFETCH(int, index);
        lifecycleCases().at(index).run();
    }

    void rejectsBadInput_data() { addRows(badCases()); }
    void rejectsBadInput()
    {
        QFETCH(int, index);
        const BadCase bad = badCases().at(index);
        QCOMPARE(bad.attempt(), bad.field);
    }

    void weightsWithinTolerance_data()
    {
        QTest::addColumn<double>("last");
        QTest::addColumn<bool>("accepted");
        // product_usage 0.4 + engagement 0.25 + support_burden 0.15 + satisfaction `last`
        QTest::addRow("exactly 1") << 0.2 << true;
        QTest::addRow("0.991") << 0.191 << true;
        QTest::addRow("1.009") << 0.209 << true;
        QTest::addRow("0.989") << 0.189 << false;
        QTest::addRow("1.011") << 0.211 << false;
        QTest::addRow("a zero weight") << 0.2 << true;
    }

    void weightsWithinTolerance()
    {
        QFETCH(double, last);
        QFETCH(bool, accepted);
        HealthScoringConfig c = sampleConfig(1, std::nullopt);
        c.weights[u"satisfaction"_s] = last;
        if (QByteArray(QTest::currentDataTag()) == "a zero weight")
            c.weights[u"onboarding"_s] = 0;
        const Core::Status valid = c.validate();
        QCOMPARE(bool(valid), accepted);
        if (!accepted)
            QCOMPARE(valid.error().field, u"weights"_s);
    }

    void bandsFollowTheThresholds_data()
    {
        QTest::addColumn<double>("score");
        QTest::addColumn<HealthBand>("band");
        // DESIGN.md §4: green >= 70, yellow 40-69, red < 40 by default.
        QTest::addRow("100") << 100.0 << HealthBand::Green;
        QTest::addRow("70") << 70.0 << HealthBand::Green;
        QTest::addRow("69.99") << 69.99 << HealthBand::Yellow;
        QTest::addRow("40") << 40.0 << HealthBand::Yellow;
        QTest::addRow("39.99") << 39.99 << HealthBand::Red;
        QTest::addRow("0") << 0.0 << HealthBand::Red;
    }

    void bandsFollowTheThresholds()
    {
        QFETCH(double, score);
        QFETCH(HealthBand, band);
        const HealthScoringConfig defaults;
        QCOMPARE(defaults.greenThreshold, 70.0);
        QCOMPARE(defaults.yellowThreshold, 40.0);
        QCOMPARE(enumName(defaults.bandFor(score)), enumName(band));
    }

    void allFeaturesRowIsStoredAsEmptyText()
    {
        const QString cid = customer(u"all-features"_s);
        Storage::DailyUsageRepository repo(db());
        DailyUsage total = sampleDaily(cid);
        total.feature.clear();
        QVERIFY(total.isAllFeatures());
        auto created = repo.create(total);
        QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
        QVERIFY(created->isAllFeatures());
        QCOMPARE(
            countRows(db(), u"SELECT COUNT(*) FROM usage_daily WHERE customer_id = ? AND feature = ''"_s, { cid }), 1);
        // The unique key holds for the all-features row too (NULL would let a second one in).
        auto again = repo.create(total);
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::AlreadyExists);
        // One row per feature on the same day is fine.
        QVERIFY(repo.create(sampleDaily(cid)));
        Storage::ListQuery q;
        q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, cid }
                  << Storage::Filter { u"feature"_s, Storage::Filter::Op::Eq, QString(u""_s) };
        auto page = repo.list(q);
        QVERIFY(page);
        QCOMPARE(page->total, qint64(1));
        QCOMPARE(page->items.constFirst().events, 42);
    }

    void configVersionAndSegmentNeverChange()
    {
        Storage::HealthScoringConfigRepository repo(db());
        auto created = repo.create(sampleConfig(20, segment(u"immutable-config"_s)));
        QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
        HealthScoringConfig edited = *created;
        edited.configVersion = 21;
        edited.segmentId.reset();
        edited.isActive = false;
        auto updated = repo.update(edited);
        QVERIFY2(updated, updated ? "" : qPrintable(updated.error().toString()));
        QCOMPARE(updated->configVersion, 20);
        QCOMPARE(updated->segmentId, created->segmentId);
        QCOMPARE(updated->isActive, false);
        QCOMPARE(updated->meta.version, 0); // `version` is the config version, not a concurrency counter
    }

    void uniqueRules_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addRow("one live feature per key") << u"feature_key"_s;
        QTest::addRow("one score per customer per day") << u"score_day"_s;
        QTest::addRow("config versions are unique") << u"config_version"_s;
        QTest::addRow("one active portfolio-wide config") << u"active_global_config"_s;
        QTest::addRow("one active config per segment") << u"active_segment_config"_s;
        QTest::addRow("model versions are unique") << u"model_version"_s;
        QTest::addRow("one active churn model") << u"active_model"_s;
        QTest::addRow("a milestone is reached once") << u"milestone"_s;
    }

    void uniqueRules()
    {
        QFETCH(QString, rule);
        const QString cid = customer(u"unique-"_s + rule);
        Core::Status first;
        Core::Status second;
        std::function<Core::Status()> cleanUp = [] { return Core::Status(); };
        const auto status = [](auto result) -> Core::Status {
            if (!result)
                return result.error();
            return {};
        };
        if (rule == u"feature_key"_s) {
            Storage::ProductFeatureRepository repo(db());
            auto a = repo.create(sampleFeature(u"dashboards"_s));
            first = status(a);
            second = status(repo.create(sampleFeature(u"dashboards"_s)));
            if (a) {
                // Freed by a soft delete.
                QVERIFY(repo.softDelete(a->id));
                QVERIFY(repo.create(sampleFeature(u"dashboards"_s)));
            }
        } else if (rule == u"score_day"_s) {
            Storage::HealthScoreRepository repo(db());
            first = status(repo.create(sampleScore(cid)));
            second = status(repo.create(sampleScore(cid)));
            QVERIFY(repo.create(sampleScore(cid, QDate(2026, 3, 16))));
        } else if (rule == u"config_version"_s) {
            Storage::HealthScoringConfigRepository repo(db());
            HealthScoringConfig a = sampleConfig(30, std::nullopt);
            a.isActive = false;
            first = status(repo.create(a));
            second = status(repo.create(a));
        } else if (rule == u"active_global_config"_s) {
            Storage::HealthScoringConfigRepository repo(db());
            auto a = repo.create(sampleConfig(40, std::nullopt));
            first = status(a);
            second = status(repo.create(sampleConfig(41, std::nullopt)));
            // An active config for a segment does not compete with the global one.
            auto forSegment = repo.create(sampleConfig(42, segment(u"active-next-to-global"_s)));
            QVERIFY2(forSegment, forSegment ? "" : qPrintable(forSegment.error().toString()));
            if (a)
                cleanUp = [repo, id = a->id] { return repo.remove(id); };
        } else if (rule == u"active_segment_config"_s) {
            Storage::HealthScoringConfigRepository repo(db());
            const qint64 seg = segment(u"one-active"_s);
            first = status(repo.create(sampleConfig(50, seg)));
            second = status(repo.create(sampleConfig(51, seg)));
            HealthScoringConfig inactive = sampleConfig(52, seg);
            inactive.isActive = false;
            QVERIFY(repo.create(inactive));
        } else if (rule == u"model_version"_s) {
            Storage::ChurnModelRepository repo(db());
            ChurnModel m = sampleModel(60);
            m.isActive = false;
            first = status(repo.create(m));
            second = status(repo.create(m));
        } else if (rule == u"active_model"_s) {
            Storage::ChurnModelRepository repo(db());
            auto a = repo.create(sampleModel(70));
            first = status(a);
            second = status(repo.create(sampleModel(71)));
            if (a)
                cleanUp = [repo, id = a->id] { return repo.remove(id); };
        } else {
            Storage::AdoptionMilestoneRepository repo(db());
            first = status(repo.create(sampleMilestone(cid)));
            second = status(repo.create(sampleMilestone(cid)));
            QVERIFY(repo.create(
                mutated(sampleMilestone(cid), [](AdoptionMilestone &m) { m.milestoneKey = u"first_report"_s; })));
        }
        QVERIFY2(first, first ? "" : qPrintable(first.error().toString()));
        QVERIFY2(!second, "the duplicate was stored");
        QCOMPARE(second.error().code, ErrorCode::AlreadyExists);
        QVERIFY(cleanUp());
    }

    void unknownCustomerIsRefused_data()
    {
        QTest::addColumn<QString>("table");
        for (const char *table : { "usage_events", "usage_daily", "health_scores", "churn_predictions",
                 "lifecycle_transitions", "adoption_milestones" })
            QTest::newRow(table) << QString::fromLatin1(table);
    }

    void unknownCustomerIsRefused()
    {
        QFETCH(QString, table);
        const QString ghost = u"no-such-customer"_s;
        const qint64 before = countRows(db(), u"SELECT COUNT(*) FROM "_s + table);
        Core::Error error;
        const auto take = [&error](auto result) {
            if (!result)
                error = result.error();
            return bool(result);
        };
        bool stored = true;
        if (table == u"usage_events"_s)
            stored = take(Storage::UsageEventRepository(db()).create(sampleEvent(ghost)));
        else if (table == u"usage_daily"_s)
            stored = take(Storage::DailyUsageRepository(db()).create(sampleDaily(ghost)));
        else if (table == u"health_scores"_s)
            stored = take(Storage::HealthScoreRepository(db()).create(sampleScore(ghost)));
        else if (table == u"churn_predictions"_s)
            stored = take(Storage::ChurnPredictionRepository(db()).create(samplePrediction(ghost)));
        else if (table == u"lifecycle_transitions"_s)
            stored = take(Storage::LifecycleTransitionRepository(db()).create(sampleTransition(ghost)));
        else
            stored = take(Storage::AdoptionMilestoneRepository(db()).create(sampleMilestone(ghost)));
        QVERIFY2(!stored, "a row for an unknown customer was stored");
        QCOMPARE(error.code, ErrorCode::InvalidArgument);
        QVERIFY2(error.message.contains(u"does not exist"_s), qPrintable(error.toString()));
        QCOMPARE(countRows(db(), u"SELECT COUNT(*) FROM "_s + table), before);
    }

    void configForUnknownSegmentIsRefused()
    {
        HealthScoringConfig c = sampleConfig(80, 987654);
        auto created = Storage::HealthScoringConfigRepository(db()).create(c);
        QVERIFY(!created);
        QCOMPARE(created.error().code, ErrorCode::InvalidArgument);
    }

    void removingACustomerCascades()
    {
        const QString cid = customer(u"doomed"_s);
        QVERIFY(Storage::UsageEventRepository(db()).create(sampleEvent(cid)));
        QVERIFY(Storage::DailyUsageRepository(db()).create(sampleDaily(cid)));
        QVERIFY(Storage::HealthScoreRepository(db()).create(sampleScore(cid)));
        QVERIFY(Storage::ChurnPredictionRepository(db()).create(samplePrediction(cid)));
        QVERIFY(Storage::LifecycleTransitionRepository(db()).create(sampleTransition(cid)));
        QVERIFY(Storage::AdoptionMilestoneRepository(db()).create(sampleMilestone(cid)));
        const QStringList tables { u"usage_events"_s, u"usage_daily"_s, u"health_scores"_s, u"churn_predictions"_s,
            u"lifecycle_transitions"_s, u"adoption_milestones"_s };
        for (const QString &table : tables)
            QCOMPARE(countRows(db(), u"SELECT COUNT(*) FROM %1 WHERE customer_id = ?"_s.arg(table), { cid }), 1);
        QVERIFY(Storage::CustomerRepository(db()).remove(cid));
        for (const QString &table : tables)
            QCOMPARE(countRows(db(), u"SELECT COUNT(*) FROM %1 WHERE customer_id = ?"_s.arg(table), { cid }), 0);
    }

    // 0002: "A hard delete drops its configs (CASCADE), never turns them global."
    void removingASegmentDropsItsConfigs()
    {
        const qint64 seg = segment(u"hard-deleted"_s);
        Storage::HealthScoringConfigRepository repo(db());
        auto created = repo.create(sampleConfig(90, seg));
        QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
        QVERIFY(Storage::SegmentRepository(db()).remove(seg));
        QCOMPARE(repo.get(created->id).error().code, ErrorCode::NotFound);
        QCOMPARE(countRows(db(), u"SELECT COUNT(*) FROM health_scoring_configs WHERE version = 90"_s), 0);
    }

    void schemaRefusesWhatCodeWouldAlsoRefuse_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addRow("yellow above green")
            << u"INSERT INTO health_scoring_configs (version, name, green_threshold, yellow_threshold) VALUES (500, 'x', 40, 60)"_s;
        QTest::addRow("score above 100")
            << u"INSERT INTO health_scores (customer_id, score_date, score, band, config_version) VALUES ('schema', '2026-01-01', 100.5, 'green', 1)"_s;
        QTest::addRow("unknown band")
            << u"INSERT INTO health_scores (customer_id, score_date, score, band, config_version) VALUES ('schema', '2026-01-02', 50, 'amber', 1)"_s;
        QTest::addRow("probability above 1")
            << u"INSERT INTO churn_predictions (customer_id, model_version, probability, risk_level) VALUES ('schema', 1, 1.2, 'low')"_s;
        QTest::addRow("transition to the same stage")
            << u"INSERT INTO lifecycle_transitions (customer_id, from_stage, to_stage) VALUES ('schema', 'renewal', 'renewal')"_s;
        QTest::addRow("more outcomes than samples")
            << u"INSERT INTO churn_models (version, sample_count, churned_count, retained_count) VALUES (501, 10, 6, 6)"_s;
        QTest::addRow("negative quantity")
            << u"INSERT INTO usage_events (customer_id, occurred_at, event_type, quantity) VALUES ('schema', '2026-01-01T00:00:00.000Z', 'login', -1)"_s;
    }

    void schemaRefusesWhatCodeWouldAlsoRefuse()
    {
        QFETCH(QString, sql);
        customer(u"schema"_s);
        auto result = Storage::exec(db(), sql);
        QVERIFY2(!result, "the schema accepted a row it must refuse");
        QCOMPARE(result.error().code, ErrorCode::InvalidArgument);
    }

    void enumSpellingsMatchTheSchema()
    {
        // The schema's CHECK lists, in order (0002_health.sql).
        QCOMPARE(enumValues<HealthBand>(), (QStringList { u"green"_s, u"yellow"_s, u"red"_s }));
        QCOMPARE(enumValues<ChurnModelSource>(), (QStringList { u"default"_s, u"trained"_s }));
        QCOMPARE(enumValues<ChurnRiskLevel>(), (QStringList { u"low"_s, u"medium"_s, u"high"_s, u"critical"_s }));
        const QString cid = customer(u"spellings"_s);
        int day = 0;
        for (const QString &band : enumValues<HealthBand>()) {
            HealthScore s = sampleScore(cid, QDate(2025, 1, 1).addDays(++day));
            s.band = *enumFromString<HealthBand>(band);
            auto created = Storage::HealthScoreRepository(db()).create(s);
            QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
            QCOMPARE(enumName(created->band), band);
        }
        for (const QString &level : enumValues<ChurnRiskLevel>()) {
            ChurnPrediction p = samplePrediction(cid);
            p.riskLevel = *enumFromString<ChurnRiskLevel>(level);
            auto created = Storage::ChurnPredictionRepository(db()).create(p);
            QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
            QCOMPARE(enumName(created->riskLevel), level);
        }
        int version = 100;
        for (const QString &source : enumValues<ChurnModelSource>()) {
            ChurnModel m = sampleModel(++version);
            m.isActive = false;
            m.source = *enumFromString<ChurnModelSource>(source);
            auto created = Storage::ChurnModelRepository(db()).create(m);
            QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
            QCOMPARE(enumName(created->source), source);
        }
        // Every lifecycle stage, as from and as to (from_stage NULL for the first).
        std::optional<LifecycleStage> from;
        for (const QString &stage : enumValues<LifecycleStage>()) {
            LifecycleTransition t = sampleTransition(cid);
            t.fromStage = from;
            t.toStage = *enumFromString<LifecycleStage>(stage);
            auto created = Storage::LifecycleTransitionRepository(db()).create(t);
            QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
            QCOMPARE(created->fromStage.has_value(), from.has_value());
            if (from)
                QCOMPARE(enumName(*created->fromStage), enumName(*from));
            QCOMPARE(enumName(created->toStage), stage);
            from = t.toStage;
        }
    }

    void listsUsageEventsNewestFirstInPages()
    {
        const QString cid = customer(u"busy"_s);
        Storage::UsageEventRepository repo(db());
        for (int i = 0; i < 25; ++i) {
            UsageEvent e = sampleEvent(cid);
            e.occurredAt = utc(2026, 3, 1, 0, 0, 0).addSecs(qint64(i % 5) * 3600); // ties on occurred_at
            QVERIFY(repo.create(e));
        }
        Storage::ListQuery q;
        q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, cid };
        q.orderBy = u"occurred_at"_s;
        q.descending = true;
        q.limit = 4;
        QList<qint64> ids;
        QDateTime previous;
        do {
            auto page = repo.list(q);
            QVERIFY2(page, page ? "" : qPrintable(page.error().toString()));
            QCOMPARE(page->total, qint64(25));
            for (const UsageEvent &e : page->items) {
                QVERIFY(!previous.isValid() || e.occurredAt <= previous);
                previous = e.occurredAt;
                ids << e.id;
            }
            q.cursor = page->nextCursor;
        } while (!q.cursor.isEmpty());
        QCOMPARE(ids.size(), 25);
        QCOMPARE(QSet<qint64>(ids.cbegin(), ids.cend()).size(), 25);
    }
};

QTEST_GUILESS_MAIN(TestRepositoriesHealth)
#include "tst_repositories_health.moc"
