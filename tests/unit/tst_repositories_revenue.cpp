// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Repositories of the renewals pipeline, expansion opportunities and the ARR ledger (schema 0005). Built
// twice: against SQLite (label unit) and PostgreSQL (label pg).
#include <functional>
#include <memory>

#include <QSqlRecord>
#include <QTest>

#include "sql.h"
#include "tables_accounts.h"
#include "tables_customers.h"
#include "tables_revenue.h"
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

} // namespace

class TestRepositoriesRevenue final : public QObject
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

    qint64 contract(const QString &customerId)
    {
        Contract c;
        c.customerId = customerId;
        c.startDate = QDate(2025, 7, 1);
        c.endDate = QDate(2026, 6, 30);
        c.arr = 100000;
        auto created = Storage::ContractRepository(db()).create(c);
        return created ? created->id : -1;
    }

    static Renewal sampleRenewal(const QString &customerId, std::optional<qint64> contractId)
    {
        Renewal r;
        r.customerId = customerId;
        r.contractId = contractId;
        r.renewalDate = QDate(2026, 6, 30);
        r.arrCurrent = 100000;
        r.arrProposed = 110000.5;
        r.probability = 0.85;
        r.stage = RenewalStage::Renewed;
        r.outcome = RenewalOutcome::Expanded;
        r.outcomeArr = 108000;
        r.closedOn = QDate(2026, 6, 12);
        r.owner = u"dana@csdesk.example"_s;
        r.checkpoint180Done = true;
        r.checkpoint90Done = true;
        r.notes = u"Signed two weeks early with the analytics add-on"_s;
        return r;
    }

    // An open renewal: the base of the bad-input rows.
    static Renewal openRenewal(const QString &customerId)
    {
        Renewal r = sampleRenewal(customerId, std::nullopt);
        r.stage = RenewalStage::InProgress;
        r.outcome = RenewalOutcome::None;
        r.outcomeArr.reset();
        r.closedOn = QDate();
        return r;
    }

    static ExpansionOpportunity sampleOpportunity(const QString &customerId)
    {
        ExpansionOpportunity o;
        o.customerId = customerId;
        o.kind = ExpansionKind::CrossSell;
        o.product = u"Analytics add-on"_s;
        o.title = u"Analytics for the EMEA team"_s;
        o.estimatedArr = 24000;
        o.score = 82.5;
        o.evidence = { QVariantMap { { u"signal"_s, u"seat_utilisation"_s }, { u"value"_s, 1.12 } },
            u"Asked for CSV exports in 3 tickets"_s };
        o.stage = ExpansionStage::Won;
        o.owner = u"sam@csdesk.example"_s;
        o.wonArr = 20000;
        o.lostReason = u"Lost on budget in Q1, reopened in Q2"_s;
        o.closedOn = QDate(2026, 5, 2);
        o.notes = u"Procurement needed a security review"_s;
        return o;
    }

    static ArrMovement sampleMovement(const QString &customerId)
    {
        ArrMovement m;
        m.customerId = customerId;
        m.movementDate = QDate(2026, 6, 12);
        m.kind = ArrMovementKind::Expansion;
        m.amount = 12000.25;
        m.arrBefore = 100000;
        m.arrAfter = 112000.25;
        m.reason = u"Renewal with add-on"_s;
        m.sourceTable = u"renewals"_s;
        m.sourceId = u"42"_s;
        return m;
    }

    QList<Case> lifecycleCases()
    {
        return {
            { u"renewal"_s,
                [this] {
                    const QString cid = customer(u"life-renewal"_s);
                    verifyLifecycle<Renewal>(db(), sampleRenewal(cid, contract(cid)), [](Renewal &r) {
                        // Reopened: back in the pipeline, not assessed yet.
                        r.stage = RenewalStage::InProgress;
                        r.outcome = RenewalOutcome::None;
                        r.outcomeArr.reset();
                        r.closedOn = QDate();
                        r.probability.reset();
                        r.contractId.reset();
                    });
                } },
            { u"expansion opportunity"_s,
                [this] {
                    verifyLifecycle<ExpansionOpportunity>(
                        db(), sampleOpportunity(customer(u"life-expansion"_s)), [](ExpansionOpportunity &o) {
                            o.stage = ExpansionStage::Proposed;
                            o.wonArr.reset();
                            o.closedOn = QDate();
                            o.evidence.clear();
                        });
                } },
            { u"ARR movement"_s,
                [this] {
                    verifyLifecycle<ArrMovement>(
                        db(), sampleMovement(customer(u"life-movement"_s)), [](ArrMovement &m) {
                            m.reason = u"Corrected"_s;
                            m.arrBefore.reset();
                        });
                } },
        };
    }

    QList<BadCase> badCases()
    {
        const QString cid = customer(u"bad-inputs"_s);
        Storage::Database &d = db();
        const auto renewal = [&d, cid](auto f) { return rejectedField(d, mutated(openRenewal(cid), f)); };
        const auto opportunity = [&d, cid](auto f) { return rejectedField(d, mutated(sampleOpportunity(cid), f)); };
        const auto movement = [&d, cid](auto f) { return rejectedField(d, mutated(sampleMovement(cid), f)); };
        return {
            { u"renewal: bad customer id"_s, u"customer_id"_s,
                [=] { return renewal([](Renewal &r) { r.customerId = u"a b"_s; }); } },
            { u"renewal: contract id 0"_s, u"contract_id"_s,
                [=] { return renewal([](Renewal &r) { r.contractId = 0; }); } },
            { u"renewal: no date"_s, u"renewal_date"_s,
                [=] { return renewal([](Renewal &r) { r.renewalDate = QDate(); }); } },
            { u"renewal: negative current ARR"_s, u"arr_current"_s,
                [=] { return renewal([](Renewal &r) { r.arrCurrent = -1; }); } },
            { u"renewal: negative proposed ARR"_s, u"arr_proposed"_s,
                [=] { return renewal([](Renewal &r) { r.arrProposed = -1; }); } },
            { u"renewal: probability above 1"_s, u"probability"_s,
                [=] { return renewal([](Renewal &r) { r.probability = 1.5; }); } },
            { u"renewal: probability below 0"_s, u"probability"_s,
                [=] { return renewal([](Renewal &r) { r.probability = -0.01; }); } },
            { u"renewal: unknown stage"_s, u"stage"_s,
                [=] { return renewal([](Renewal &r) { r.stage = static_cast<RenewalStage>(17); }); } },
            { u"renewal: unknown outcome"_s, u"outcome"_s,
                [=] { return renewal([](Renewal &r) { r.outcome = static_cast<RenewalOutcome>(17); }); } },
            { u"renewal: negative outcome ARR"_s, u"outcome_arr"_s,
                [=] {
                    return renewal([](Renewal &r) {
                        r.stage = RenewalStage::Renewed;
                        r.outcome = RenewalOutcome::Renewed;
                        r.closedOn = QDate(2026, 6, 1);
                        r.outcomeArr = -5;
                    });
                } },
            { u"renewal: long owner"_s, u"owner"_s,
                [=] { return renewal([](Renewal &r) { r.owner = QString(201, u'o'); }); } },
            { u"renewal: outcome while open"_s, u"outcome"_s,
                [=] {
                    return renewal([](Renewal &r) {
                        r.outcome = RenewalOutcome::Renewed;
                        r.closedOn = QDate(2026, 6, 1);
                    });
                } },
            { u"renewal: closed without outcome"_s, u"outcome"_s,
                [=] { return renewal([](Renewal &r) { r.stage = RenewalStage::Churned; }); } },
            { u"renewal: churned stage, renewed outcome"_s, u"outcome"_s,
                [=] {
                    return renewal([](Renewal &r) {
                        r.stage = RenewalStage::Churned;
                        r.outcome = RenewalOutcome::Renewed;
                        r.closedOn = QDate(2026, 6, 1);
                    });
                } },
            { u"renewal: outcome without closed_on"_s, u"closed_on"_s,
                [=] {
                    return renewal([](Renewal &r) {
                        r.stage = RenewalStage::Downgraded;
                        r.outcome = RenewalOutcome::Downgraded;
                    });
                } },
            { u"renewal: closed_on while open"_s, u"closed_on"_s,
                [=] { return renewal([](Renewal &r) { r.closedOn = QDate(2026, 6, 1); }); } },
            { u"renewal: outcome ARR while open"_s, u"outcome_arr"_s,
                [=] { return renewal([](Renewal &r) { r.outcomeArr = 90000; }); } },

            { u"opportunity: bad customer id"_s, u"customer_id"_s,
                [=] { return opportunity([](ExpansionOpportunity &o) { o.customerId.clear(); }); } },
            { u"opportunity: unknown kind"_s, u"kind"_s,
                [=] { return opportunity([](ExpansionOpportunity &o) { o.kind = static_cast<ExpansionKind>(9); }); } },
            { u"opportunity: long product"_s, u"product"_s,
                [=] { return opportunity([](ExpansionOpportunity &o) { o.product = QString(201, u'p'); }); } },
            { u"opportunity: long title"_s, u"title"_s,
                [=] { return opportunity([](ExpansionOpportunity &o) { o.title = QString(201, u't'); }); } },
            { u"opportunity: negative estimate"_s, u"estimated_arr"_s,
                [=] { return opportunity([](ExpansionOpportunity &o) { o.estimatedArr = -100; }); } },
            { u"opportunity: score above 100"_s, u"score"_s,
                [=] { return opportunity([](ExpansionOpportunity &o) { o.score = 101; }); } },
            { u"opportunity: unknown stage"_s, u"stage"_s,
                [=] {
                    return opportunity([](ExpansionOpportunity &o) { o.stage = static_cast<ExpansionStage>(9); });
                } },
            { u"opportunity: long owner"_s, u"owner"_s,
                [=] { return opportunity([](ExpansionOpportunity &o) { o.owner = QString(201, u'o'); }); } },
            { u"opportunity: negative won ARR"_s, u"won_arr"_s,
                [=] { return opportunity([](ExpansionOpportunity &o) { o.wonArr = -1; }); } },
            { u"opportunity: won ARR when lost"_s, u"won_arr"_s,
                [=] { return opportunity([](ExpansionOpportunity &o) { o.stage = ExpansionStage::Lost; }); } },
            { u"opportunity: closed while open"_s, u"closed_on"_s,
                [=] {
                    return opportunity([](ExpansionOpportunity &o) {
                        o.stage = ExpansionStage::Qualified;
                        o.wonArr.reset();
                    });
                } },

            { u"movement: bad customer id"_s, u"customer_id"_s,
                [=] { return movement([](ArrMovement &m) { m.customerId = u"x?"_s; }); } },
            { u"movement: no date"_s, u"movement_date"_s,
                [=] { return movement([](ArrMovement &m) { m.movementDate = QDate(); }); } },
            { u"movement: unknown kind"_s, u"kind"_s,
                [=] { return movement([](ArrMovement &m) { m.kind = static_cast<ArrMovementKind>(9); }); } },
            { u"movement: negative amount"_s, u"amount"_s,
                [=] { return movement([](ArrMovement &m) { m.amount = -12000.25; }); } },
            { u"movement: negative ARR before"_s, u"arr_before"_s,
                [=] { return movement([](ArrMovement &m) { m.arrBefore = -1; }); } },
            { u"movement: negative ARR after"_s, u"arr_after"_s,
                [=] {
                    return movement([](ArrMovement &m) {
                        m.arrBefore.reset();
                        m.arrAfter = -1;
                    });
                } },
            { u"movement: long source table"_s, u"source_table"_s,
                [=] { return movement([](ArrMovement &m) { m.sourceTable = QString(101, u's'); }); } },
            { u"movement: long source id"_s, u"source_id"_s,
                [=] { return movement([](ArrMovement &m) { m.sourceId = QString(201, u'i'); }); } },
            { u"movement: after does not add up"_s, u"arr_after"_s,
                [=] { return movement([](ArrMovement &m) { m.arrAfter = 112000.26; }); } },
            { u"movement: new business from non-zero ARR"_s, u"arr_before"_s,
                [=] { return movement([](ArrMovement &m) { m.kind = ArrMovementKind::New; }); } },
            { u"movement: churn leaving ARR"_s, u"arr_after"_s,
                [=] {
                    return movement([](ArrMovement &m) {
                        m.kind = ArrMovementKind::Churn;
                        m.arrBefore.reset();
                        m.arrAfter = 5;
                    });
                } },
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

    void renewalStageAndOutcomeAgree_data()
    {
        QTest::addColumn<int>("stage");
        QTest::addColumn<int>("outcome");
        QTest::addColumn<bool>("valid");
        for (const QString &s : enumValues<RenewalStage>()) {
            for (const QString &o : enumValues<RenewalOutcome>()) {
                const RenewalStage stage = *enumFromString<RenewalStage>(s);
                const RenewalOutcome outcome = *enumFromString<RenewalOutcome>(o);
                bool valid = false;
                switch (stage) {
                case RenewalStage::Upcoming:
                case RenewalStage::InProgress:
                case RenewalStage::Committed:
                    valid = outcome == RenewalOutcome::None;
                    break;
                case RenewalStage::Renewed:
                    valid = outcome == RenewalOutcome::Renewed || outcome == RenewalOutcome::Expanded;
                    break;
                case RenewalStage::Churned:
                    valid = outcome == RenewalOutcome::Churned;
                    break;
                case RenewalStage::Downgraded:
                    valid = outcome == RenewalOutcome::Downgraded;
                    break;
                }
                QTest::addRow("%s/%s", qPrintable(s), o.isEmpty() ? "none" : qPrintable(o))
                    << int(stage) << int(outcome) << valid;
            }
        }
    }

    void renewalStageAndOutcomeAgree()
    {
        QFETCH(int, stage);
        QFETCH(int, outcome);
        QFETCH(bool, valid);
        Renewal r = openRenewal(u"c"_s);
        r.stage = static_cast<RenewalStage>(stage);
        r.outcome = static_cast<RenewalOutcome>(outcome);
        if (r.outcome != RenewalOutcome::None)
            r.closedOn = QDate(2026, 6, 1);
        const Core::Status status = r.validate();
        QCOMPARE(bool(status), valid);
        if (!valid)
            QCOMPARE(status.error().field, u"outcome"_s);
        QCOMPARE(r.isClosed(), r.outcome != RenewalOutcome::None);
    }

    void renewalForecastTerm()
    {
        Renewal r = openRenewal(u"c"_s);
        r.arrCurrent = 120000;
        r.probability = 0.75;
        QCOMPARE(r.forecastArr().value_or(-1), 90000.0);
        r.probability.reset(); // not assessed: no term, not a zero
        QVERIFY(!r.forecastArr());
    }

    void arrMovementArithmetic_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<double>("amount");
        QTest::addColumn<double>("before"); // -1 = unknown
        QTest::addColumn<double>("after"); // -1 = unknown
        QTest::addColumn<double>("signedAmount");
        QTest::addColumn<QString>("badField"); // empty = valid
        QTest::addRow("new") << u"new"_s << 5000.0 << 0.0 << 5000.0 << 5000.0 << QString();
        QTest::addRow("new, before unknown") << u"new"_s << 5000.0 << -1.0 << 5000.0 << 5000.0 << QString();
        QTest::addRow("expansion") << u"expansion"_s << 20.0 << 100.0 << 120.0 << 20.0 << QString();
        QTest::addRow("expansion within half a cent")
            << u"expansion"_s << 20.0 << 100.0 << 120.004 << 20.0 << QString();
        QTest::addRow("expansion off by a cent") << u"expansion"_s << 20.0 << 100.0 << 120.01 << 20.0 << u"arr_after"_s;
        QTest::addRow("expansion going down") << u"expansion"_s << 20.0 << 100.0 << 80.0 << 20.0 << u"arr_after"_s;
        QTest::addRow("contraction") << u"contraction"_s << 30.0 << 100.0 << 70.0 << -30.0 << QString();
        QTest::addRow("contraction going up") << u"contraction"_s << 30.0 << 100.0 << 130.0 << -30.0 << u"arr_after"_s;
        QTest::addRow("contraction below zero")
            << u"contraction"_s << 130.0 << 100.0 << -1.0 << -130.0 << QString(); // after unknown: no check
        QTest::addRow("churn") << u"churn"_s << 100.0 << 100.0 << 0.0 << -100.0 << QString();
        QTest::addRow("churn of part") << u"churn"_s << 60.0 << 100.0 << 40.0 << -60.0 << u"arr_after"_s;
        QTest::addRow("churn of more than there was")
            << u"churn"_s << 160.0 << 100.0 << 0.0 << -160.0 << u"arr_after"_s;
        QTest::addRow("reactivation") << u"reactivation"_s << 80.0 << 0.0 << 80.0 << 80.0 << QString();
        QTest::addRow("reactivation of a live customer")
            << u"reactivation"_s << 80.0 << 10.0 << 90.0 << 80.0 << u"arr_before"_s;
    }

    void arrMovementArithmetic()
    {
        QFETCH(QString, kind);
        QFETCH(double, amount);
        QFETCH(double, before);
        QFETCH(double, after);
        QFETCH(double, signedAmount);
        QFETCH(QString, badField);
        ArrMovement m = sampleMovement(u"c"_s);
        m.kind = *enumFromString<ArrMovementKind>(kind);
        m.amount = amount;
        m.arrBefore = before < 0 ? std::nullopt : std::optional<double>(before);
        m.arrAfter = after < 0 ? std::nullopt : std::optional<double>(after);
        QCOMPARE(m.signedAmount(), signedAmount);
        const Core::Status status = m.validate();
        QVERIFY2(bool(status) == badField.isEmpty(), status ? "accepted" : qPrintable(status.error().toString()));
        if (!status)
            QCOMPARE(status.error().field, badField);
    }

    void unknownCustomerIsRefused_data()
    {
        QTest::addColumn<QString>("table");
        for (const char *table : { "renewals", "expansion_opportunities", "arr_movements" })
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
        if (table == u"renewals"_s)
            stored = take(Storage::RenewalRepository(db()).create(openRenewal(ghost)));
        else if (table == u"expansion_opportunities"_s)
            stored = take(Storage::ExpansionOpportunityRepository(db()).create(sampleOpportunity(ghost)));
        else
            stored = take(Storage::ArrMovementRepository(db()).create(sampleMovement(ghost)));
        QVERIFY2(!stored, "a row for an unknown customer was stored");
        QCOMPARE(error.code, ErrorCode::InvalidArgument);
        QVERIFY2(error.message.contains(u"does not exist"_s), qPrintable(error.toString()));
        QCOMPARE(countRows(db(), u"SELECT COUNT(*) FROM "_s + table), before);
    }

    void renewalOfUnknownContractIsRefused()
    {
        Renewal r = openRenewal(customer(u"ghost-contract"_s));
        r.contractId = 987654;
        auto created = Storage::RenewalRepository(db()).create(r);
        QVERIFY(!created);
        QCOMPARE(created.error().code, ErrorCode::InvalidArgument);
    }

    void removingACustomerCascades()
    {
        const QString cid = customer(u"doomed"_s);
        QVERIFY(Storage::RenewalRepository(db()).create(sampleRenewal(cid, contract(cid))));
        QVERIFY(Storage::ExpansionOpportunityRepository(db()).create(sampleOpportunity(cid)));
        QVERIFY(Storage::ArrMovementRepository(db()).create(sampleMovement(cid)));
        const QStringList tables { u"renewals"_s, u"expansion_opportunities"_s, u"arr_movements"_s, u"contracts"_s };
        for (const QString &table : tables)
            QCOMPARE(countRows(db(), u"SELECT COUNT(*) FROM %1 WHERE customer_id = ?"_s.arg(table), { cid }), 1);
        QVERIFY(Storage::CustomerRepository(db()).remove(cid));
        for (const QString &table : tables)
            QCOMPARE(countRows(db(), u"SELECT COUNT(*) FROM %1 WHERE customer_id = ?"_s.arg(table), { cid }), 0);
    }

    // renewals.contract_id is ON DELETE SET NULL: the renewal outlives a removed contract.
    void removingAContractKeepsItsRenewal()
    {
        const QString cid = customer(u"contract-removed"_s);
        const qint64 contractId = contract(cid);
        QVERIFY(contractId > 0);
        Storage::RenewalRepository repo(db());
        auto created = repo.create(sampleRenewal(cid, contractId));
        QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
        QCOMPARE(created->contractId.value_or(-1), contractId);
        QVERIFY(Storage::ContractRepository(db()).remove(contractId));
        auto kept = repo.get(created->id);
        QVERIFY(kept);
        QVERIFY(!kept->contractId.has_value());
        QCOMPARE(kept->arrCurrent, created->arrCurrent);
    }

    void uniqueRules_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addRow("one live renewal per customer and date") << u"renewal"_s;
        QTest::addRow("one open opportunity per customer, kind and product") << u"opportunity"_s;
        QTest::addRow("an empty product counts as one product") << u"opportunity_no_product"_s;
    }

    void uniqueRules()
    {
        QFETCH(QString, rule);
        const QString cid = customer(u"unique-"_s + rule);
        if (rule == u"renewal"_s) {
            Storage::RenewalRepository repo(db());
            auto first = repo.create(openRenewal(cid));
            QVERIFY(first);
            auto duplicate = repo.create(openRenewal(cid));
            QVERIFY(!duplicate);
            QCOMPARE(duplicate.error().code, ErrorCode::AlreadyExists);
            QVERIFY(
                repo.create(mutated(openRenewal(cid), [](Renewal &r) { r.renewalDate = r.renewalDate.addYears(1); })));
            QVERIFY(repo.softDelete(first->id));
            QVERIFY(repo.create(openRenewal(cid))); // freed by the soft delete
            return;
        }
        Storage::ExpansionOpportunityRepository repo(db());
        ExpansionOpportunity open = sampleOpportunity(cid);
        open.stage = ExpansionStage::Identified;
        open.wonArr.reset();
        open.closedOn = QDate();
        if (rule == u"opportunity_no_product"_s)
            open.product.clear();
        // A won opportunity for the same product does not block a new open one.
        QVERIFY(repo.create(
            mutated(sampleOpportunity(cid), [&open](ExpansionOpportunity &o) { o.product = open.product; })));
        auto first = repo.create(open);
        QVERIFY2(first, first ? "" : qPrintable(first.error().toString()));
        auto duplicate
            = repo.create(mutated(open, [](ExpansionOpportunity &o) { o.stage = ExpansionStage::Proposed; }));
        QVERIFY(!duplicate);
        QCOMPARE(duplicate.error().code, ErrorCode::AlreadyExists);
        QVERIFY(repo.create(mutated(open, [](ExpansionOpportunity &o) { o.kind = ExpansionKind::Upsell; })));
        // Closing the first frees the slot.
        ExpansionOpportunity lost = *first;
        lost.stage = ExpansionStage::Lost;
        lost.lostReason = u"No budget"_s;
        lost.closedOn = QDate(2026, 4, 1);
        QVERIFY(repo.update(lost));
        QVERIFY(repo.create(open));
    }

    void schemaRefusesWhatCodeWouldAlsoRefuse_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addRow("outcome without closed_on")
            << u"INSERT INTO renewals (customer_id, renewal_date, stage, outcome) VALUES ('schema', '2026-01-01', 'renewed', 'renewed')"_s;
        QTest::addRow("renewal probability above 1")
            << u"INSERT INTO renewals (customer_id, renewal_date, probability) VALUES ('schema', '2026-01-02', 1.1)"_s;
        QTest::addRow("unknown renewal stage")
            << u"INSERT INTO renewals (customer_id, renewal_date, stage) VALUES ('schema', '2026-01-03', 'lost')"_s;
        QTest::addRow("open opportunity with closed_on")
            << u"INSERT INTO expansion_opportunities (customer_id, kind, stage, closed_on) VALUES ('schema', 'upsell', 'proposed', '2026-01-01')"_s;
        QTest::addRow("unknown opportunity kind")
            << u"INSERT INTO expansion_opportunities (customer_id, kind) VALUES ('schema', 'resell')"_s;
        QTest::addRow("opportunity score above 100")
            << u"INSERT INTO expansion_opportunities (customer_id, kind, score) VALUES ('schema', 'upsell', 100.5)"_s;
        QTest::addRow("negative movement")
            << u"INSERT INTO arr_movements (customer_id, movement_date, kind, amount) VALUES ('schema', '2026-01-01', 'churn', -10)"_s;
        QTest::addRow("unknown movement kind")
            << u"INSERT INTO arr_movements (customer_id, movement_date, kind, amount) VALUES ('schema', '2026-01-01', 'upgrade', 10)"_s;
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
        // The schema's CHECK lists, in order (0005_revenue.sql).
        QCOMPARE(enumValues<RenewalStage>(),
            (QStringList {
                u"upcoming"_s, u"in_progress"_s, u"committed"_s, u"renewed"_s, u"churned"_s, u"downgraded"_s }));
        QCOMPARE(enumValues<RenewalOutcome>(),
            (QStringList { u""_s, u"renewed"_s, u"expanded"_s, u"downgraded"_s, u"churned"_s }));
        QCOMPARE(enumValues<ExpansionKind>(), (QStringList { u"upsell"_s, u"cross_sell"_s, u"expansion"_s }));
        QCOMPARE(enumValues<ExpansionStage>(),
            (QStringList { u"identified"_s, u"qualified"_s, u"proposed"_s, u"won"_s, u"lost"_s }));
        QCOMPARE(enumValues<ArrMovementKind>(),
            (QStringList { u"new"_s, u"expansion"_s, u"contraction"_s, u"churn"_s, u"reactivation"_s }));

        const QString cid = customer(u"spellings"_s);
        int n = 0;
        for (const QString &kind : enumValues<ExpansionKind>()) {
            for (const QString &stage : enumValues<ExpansionStage>()) {
                ExpansionOpportunity o = sampleOpportunity(cid);
                o.product = u"P%1"_s.arg(++n);
                o.kind = *enumFromString<ExpansionKind>(kind);
                o.stage = *enumFromString<ExpansionStage>(stage);
                if (o.stage != ExpansionStage::Won)
                    o.wonArr.reset();
                if (o.isOpen())
                    o.closedOn = QDate();
                auto created = Storage::ExpansionOpportunityRepository(db()).create(o);
                QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
                QCOMPARE(enumName(created->kind), kind);
                QCOMPARE(enumName(created->stage), stage);
            }
        }
        for (const QString &kind : enumValues<ArrMovementKind>()) {
            ArrMovement m = sampleMovement(cid);
            m.kind = *enumFromString<ArrMovementKind>(kind);
            m.arrBefore.reset();
            m.arrAfter.reset();
            auto created = Storage::ArrMovementRepository(db()).create(m);
            QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
            QCOMPARE(enumName(created->kind), kind);
        }
        // Every legal (stage, outcome) pair is accepted by the schema.
        QDate date(2030, 1, 1);
        for (const QString &s : enumValues<RenewalStage>()) {
            for (const QString &o : enumValues<RenewalOutcome>()) {
                Renewal r = openRenewal(cid);
                r.renewalDate = date = date.addDays(1);
                r.stage = *enumFromString<RenewalStage>(s);
                r.outcome = *enumFromString<RenewalOutcome>(o);
                if (r.isClosed())
                    r.closedOn = date;
                if (!r.validate())
                    continue;
                auto created = Storage::RenewalRepository(db()).create(r);
                QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
                QCOMPARE(enumName(created->stage), s);
                QCOMPARE(enumName(created->outcome), o);
            }
        }
    }

    void listsRenewalsDueInAWindow()
    {
        const QString cid = customer(u"window"_s);
        Storage::RenewalRepository repo(db());
        for (int i = 0; i < 6; ++i) {
            Renewal r = openRenewal(cid);
            r.renewalDate = QDate(2027, 1, 1).addMonths(i);
            QVERIFY(repo.create(r));
        }
        Storage::ListQuery q;
        q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, cid }
                  << Storage::Filter { u"renewal_date"_s, Storage::Filter::Op::Ge, u"2027-02-01"_s }
                  << Storage::Filter { u"renewal_date"_s, Storage::Filter::Op::Lt, u"2027-05-01"_s };
        q.orderBy = u"renewal_date"_s;
        auto page = repo.list(q);
        QVERIFY2(page, page ? "" : qPrintable(page.error().toString()));
        QCOMPARE(page->total, qint64(3));
        QCOMPARE(page->items.at(0).renewalDate, QDate(2027, 2, 1));
        QCOMPARE(page->items.at(2).renewalDate, QDate(2027, 4, 1));
    }
};

QTEST_GUILESS_MAIN(TestRepositoriesRevenue)
#include "tst_repositories_revenue.moc"
