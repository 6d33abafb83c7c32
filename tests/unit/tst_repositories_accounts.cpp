// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Repositories of the account records (schema 0001: contacts, contracts, custom field definitions, segments,
// segment members). Built twice: against SQLite (label unit) and PostgreSQL (label pg).
#include <functional>
#include <memory>

#include <QSqlRecord>
#include <QTest>

#include "sql.h"
#include "tables_accounts.h"
#include "tables_customers.h"
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

} // namespace

class TestRepositoriesAccounts final : public QObject
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

    static Contact sampleContact(const QString &customerId)
    {
        Contact c;
        c.customerId = customerId;
        c.name = u"Ann Ödegaard"_s;
        c.email = u"ann.odegaard@acme.example"_s;
        c.title = u"VP Operations"_s;
        c.role = ContactRole::ExecutiveSponsor;
        c.isPrimary = true;
        c.phone = u"+47 22 33 44 55"_s;
        c.notes = u"Prefers e-mail; QBR every quarter."_s;
        return c;
    }

    static Contract sampleContract(const QString &customerId)
    {
        Contract c;
        c.customerId = customerId;
        c.contractNumber = u"C-2026-0042"_s;
        c.startDate = QDate(2026, 2, 1);
        c.endDate = QDate(2027, 1, 31);
        c.arr = 84500.5;
        c.currency = u"EUR"_s;
        c.seatsPurchased = 120;
        c.seatsUsed = 0; // zero is a value, not NULL
        c.status = ContractStatus::Pending;
        c.autoRenew = true;
        c.paymentStatus = PaymentStatus::Late;
        c.notes = u"Net 60"_s;
        return c;
    }

    static CustomFieldDefinition sampleFieldDefinition(const QString &key)
    {
        CustomFieldDefinition d;
        d.key = key;
        d.label = u"Seats in use"_s;
        d.dataType = CustomFieldType::Numeric;
        d.description = u"Imported from the billing CSV"_s;
        return d;
    }

    static Segment sampleSegment(const QString &name)
    {
        Segment s;
        s.name = name;
        s.description = u"Enterprise accounts in EMEA renewing this year"_s;
        s.criteria = { { u"tier"_s, QVariantList { u"enterprise"_s, u"strategic"_s } }, { u"health_max"_s, 69.5 },
            { u"custom"_s, QVariantMap { { u"region"_s, u"EMEA"_s } } } };
        s.isDynamic = false;
        s.owner = u"dana@csdesk.example"_s;
        return s;
    }

    qint64 createSegment(const QString &name)
    {
        auto created = Storage::SegmentRepository(db()).create(sampleSegment(name));
        return created ? created->id : -1;
    }

    QList<Case> lifecycleCases()
    {
        return {
            { u"contact"_s,
                [this] {
                    verifyLifecycle<Contact>(db(), sampleContact(customer(u"life-contact"_s)), [](Contact &c) {
                        c.email = u"ann@acme.example"_s;
                        c.role = ContactRole::Champion;
                        c.isPrimary = false;
                        c.phone.clear();
                    });
                } },
            { u"contract"_s,
                [this] {
                    verifyLifecycle<Contract>(db(), sampleContract(customer(u"life-contract"_s)), [](Contract &c) {
                        c.endDate = QDate(2028, 1, 31);
                        c.seatsUsed = 97;
                        c.seatsPurchased.reset();
                        c.paymentStatus = PaymentStatus::None;
                        c.status = ContractStatus::Active;
                    });
                } },
            { u"custom field definition"_s,
                [this] {
                    verifyLifecycle<CustomFieldDefinition>(
                        db(), sampleFieldDefinition(u"seats_in_use"_s), [](CustomFieldDefinition &d) {
                            d.dataType = CustomFieldType::Categorical;
                            d.label.clear();
                        });
                } },
            { u"segment"_s,
                [this] {
                    verifyLifecycle<Segment>(db(), sampleSegment(u"EMEA renewals"_s), [](Segment &s) {
                        s.isDynamic = true;
                        s.criteria.insert(u"owner"_s, u"sam"_s);
                    });
                } },
            { u"segment member"_s,
                [this] {
                    SegmentMember m;
                    m.segmentId = createSegment(u"Static list"_s);
                    m.customerId = customer(u"life-member"_s);
                    m.addedBy = u"dana"_s;
                    verifyLifecycle<SegmentMember>(db(), m, [](SegmentMember &s) { s.addedBy = u"agent"_s; });
                } },
        };
    }

    QList<BadCase> badCases()
    {
        const QString cid = customer(u"bad-inputs"_s);
        const auto contact = [cid](const std::function<void(Contact &)> &f) {
            Contact c = sampleContact(cid);
            f(c);
            return c;
        };
        const auto contract = [cid](const std::function<void(Contract &)> &f) {
            Contract c = sampleContract(cid);
            f(c);
            return c;
        };
        Storage::Database &d = db();
        return {
            { u"contact: bad customer id"_s, u"customer_id"_s,
                [&d, contact] { return rejectedField(d, contact([](Contact &c) { c.customerId = u"a b"_s; })); } },
            { u"contact: no customer"_s, u"customer_id"_s,
                [&d, contact] { return rejectedField(d, contact([](Contact &c) { c.customerId.clear(); })); } },
            { u"contact: blank name"_s, u"name"_s,
                [&d, contact] { return rejectedField(d, contact([](Contact &c) { c.name = u"   "_s; })); } },
            { u"contact: long name"_s, u"name"_s,
                [&d, contact] { return rejectedField(d, contact([](Contact &c) { c.name = QString(201, u'n'); })); } },
            { u"contact: bad email"_s, u"email"_s,
                [&d, contact] { return rejectedField(d, contact([](Contact &c) { c.email = u"ann@"_s; })); } },
            { u"contact: long title"_s, u"title"_s,
                [&d, contact] { return rejectedField(d, contact([](Contact &c) { c.title = QString(201, u't'); })); } },
            { u"contact: unknown role"_s, u"role"_s,
                [&d, contact] {
                    return rejectedField(d, contact([](Contact &c) { c.role = static_cast<ContactRole>(99); }));
                } },
            { u"contact: long phone"_s, u"phone"_s,
                [&d, contact] { return rejectedField(d, contact([](Contact &c) { c.phone = QString(51, u'1'); })); } },

            { u"contract: bad customer id"_s, u"customer_id"_s,
                [&d, contract] { return rejectedField(d, contract([](Contract &c) { c.customerId = u"x/y"_s; })); } },
            { u"contract: long number"_s, u"contract_number"_s,
                [&d, contract] {
                    return rejectedField(d, contract([](Contract &c) { c.contractNumber = QString(101, u'9'); }));
                } },
            { u"contract: no start"_s, u"start_date"_s,
                [&d, contract] { return rejectedField(d, contract([](Contract &c) { c.startDate = QDate(); })); } },
            { u"contract: no end"_s, u"end_date"_s,
                [&d, contract] { return rejectedField(d, contract([](Contract &c) { c.endDate = QDate(); })); } },
            { u"contract: end on start"_s, u"end_date"_s,
                [&d, contract] { return rejectedField(d, contract([](Contract &c) { c.endDate = c.startDate; })); } },
            { u"contract: negative arr"_s, u"arr"_s,
                [&d, contract] { return rejectedField(d, contract([](Contract &c) { c.arr = -0.01; })); } },
            { u"contract: bad currency"_s, u"currency"_s,
                [&d, contract] { return rejectedField(d, contract([](Contract &c) { c.currency = u"EURO"_s; })); } },
            { u"contract: negative seats purchased"_s, u"seats_purchased"_s,
                [&d, contract] { return rejectedField(d, contract([](Contract &c) { c.seatsPurchased = -1; })); } },
            { u"contract: negative seats used"_s, u"seats_used"_s,
                [&d, contract] { return rejectedField(d, contract([](Contract &c) { c.seatsUsed = -3; })); } },
            { u"contract: unknown status"_s, u"status"_s,
                [&d, contract] {
                    return rejectedField(d, contract([](Contract &c) { c.status = static_cast<ContractStatus>(7); }));
                } },
            { u"contract: unknown payment status"_s, u"payment_status"_s,
                [&d, contract] {
                    return rejectedField(
                        d, contract([](Contract &c) { c.paymentStatus = static_cast<PaymentStatus>(7); }));
                } },

            { u"field definition: empty key"_s, u"key"_s,
                [&d] { return rejectedField(d, sampleFieldDefinition(u" "_s)); } },
            { u"field definition: key longer than a custom field key"_s, u"key"_s,
                [&d] { return rejectedField(d, sampleFieldDefinition(QString(65, u'k'))); } },
            { u"field definition: long label"_s, u"label"_s,
                [&d] {
                    CustomFieldDefinition f = sampleFieldDefinition(u"k"_s);
                    f.label = QString(201, u'l');
                    return rejectedField(d, f);
                } },
            { u"field definition: unknown data type"_s, u"data_type"_s,
                [&d] {
                    CustomFieldDefinition f = sampleFieldDefinition(u"k"_s);
                    f.dataType = static_cast<CustomFieldType>(5);
                    return rejectedField(d, f);
                } },

            { u"segment: empty name"_s, u"name"_s, [&d] { return rejectedField(d, sampleSegment(QString())); } },
            { u"segment: long name"_s, u"name"_s,
                [&d] { return rejectedField(d, sampleSegment(QString(201, u's'))); } },
            { u"segment: long owner"_s, u"owner"_s,
                [&d] {
                    Segment s = sampleSegment(u"s"_s);
                    s.owner = QString(201, u'o');
                    return rejectedField(d, s);
                } },
            { u"segment: empty criteria key"_s, u"criteria"_s,
                [&d] {
                    Segment s = sampleSegment(u"s"_s);
                    s.criteria.insert(u" "_s, 1);
                    return rejectedField(d, s);
                } },

            { u"segment member: no segment"_s, u"segment_id"_s,
                [&d, cid] {
                    SegmentMember m;
                    m.customerId = cid;
                    return rejectedField(d, m);
                } },
            { u"segment member: bad customer id"_s, u"customer_id"_s,
                [&d] {
                    SegmentMember m;
                    m.segmentId = 1;
                    m.customerId = QString(101, u'c');
                    return rejectedField(d, m);
                } },
            { u"segment member: long added_by"_s, u"added_by"_s,
                [&d, cid] {
                    SegmentMember m;
                    m.segmentId = 1;
                    m.customerId = cid;
                    m.addedBy = QString(201, u'a');
                    return rejectedField(d, m);
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

    void updateValidatesToo()
    {
        Storage::ContactRepository repo(db());
        auto created = repo.create(sampleContact(customer(u"update-validates"_s)));
        QVERIFY(created);
        Contact bad = *created;
        bad.email = u"not an address"_s;
        auto refused = repo.update(bad);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(refused.error().field, u"email"_s);
        QCOMPARE(repo.get(created->id)->email, created->email);
    }

    void customerIdNeverMoves()
    {
        Storage::ContactRepository repo(db());
        auto created = repo.create(sampleContact(customer(u"immutable-a"_s)));
        QVERIFY(created);
        Contact moved = *created;
        moved.customerId = customer(u"immutable-b"_s);
        moved.name = u"Ann O."_s;
        auto updated = repo.update(moved);
        QVERIFY(updated);
        QCOMPARE(updated->customerId, u"immutable-a"_s);
        QCOMPARE(updated->name, u"Ann O."_s);
    }

    void seatUtilisation()
    {
        Contract c = sampleContract(u"x"_s);
        c.seatsPurchased = 200;
        c.seatsUsed = 150;
        QCOMPARE(c.seatUtilisation().value_or(-1), 0.75);
        c.seatsUsed = 260; // over-use is allowed and shows as > 1
        QVERIFY(c.validate());
        QCOMPARE(c.seatUtilisation().value_or(-1), 1.3);
        c.seatsPurchased = 0;
        QVERIFY(!c.seatUtilisation());
        c.seatsPurchased.reset();
        QVERIFY(!c.seatUtilisation());
    }

    void unknownCustomerIsRefused_data()
    {
        QTest::addColumn<QString>("table");
        QTest::addRow("contacts") << u"contacts"_s;
        QTest::addRow("contracts") << u"contracts"_s;
        QTest::addRow("segment_members") << u"segment_members"_s;
    }

    void unknownCustomerIsRefused()
    {
        QFETCH(QString, table);
        const QString ghost = u"no-such-customer"_s;
        Core::Error error;
        qint64 before = 0;
        if (table == u"contacts"_s) {
            before = countAll<Contact>(db());
            auto r = Storage::ContactRepository(db()).create(sampleContact(ghost));
            QVERIFY(!r);
            error = r.error();
            QCOMPARE(countAll<Contact>(db()), before);
        } else if (table == u"contracts"_s) {
            before = countAll<Contract>(db());
            auto r = Storage::ContractRepository(db()).create(sampleContract(ghost));
            QVERIFY(!r);
            error = r.error();
            QCOMPARE(countAll<Contract>(db()), before);
        } else {
            SegmentMember m;
            m.segmentId = createSegment(u"fk-check"_s);
            QVERIFY(m.segmentId > 0);
            m.customerId = ghost;
            auto r = Storage::SegmentMemberRepository(db()).create(m);
            QVERIFY(!r);
            error = r.error();
            m.customerId = customer(u"fk-member"_s);
            m.segmentId = 987654; // and no such segment either
            auto r2 = Storage::SegmentMemberRepository(db()).create(m);
            QVERIFY(!r2);
            QCOMPARE(r2.error().code, ErrorCode::InvalidArgument);
        }
        QCOMPARE(error.code, ErrorCode::InvalidArgument);
        QVERIFY2(error.message.contains(u"does not exist"_s), qPrintable(error.toString()));
    }

    void removingACustomerCascades()
    {
        const QString cid = customer(u"doomed"_s);
        QVERIFY(Storage::ContactRepository(db()).create(sampleContact(cid)));
        QVERIFY(Storage::ContractRepository(db()).create(sampleContract(cid)));
        SegmentMember m;
        m.segmentId = createSegment(u"cascade"_s);
        m.customerId = cid;
        QVERIFY(Storage::SegmentMemberRepository(db()).create(m));
        const QStringList tables { u"contacts"_s, u"contracts"_s, u"segment_members"_s };
        for (const QString &table : tables)
            QCOMPARE(countRows(db(), u"SELECT COUNT(*) FROM %1 WHERE customer_id = ?"_s.arg(table), { cid }), 1);
        QVERIFY(Storage::CustomerRepository(db()).remove(cid));
        for (const QString &table : tables)
            QCOMPARE(countRows(db(), u"SELECT COUNT(*) FROM %1 WHERE customer_id = ?"_s.arg(table), { cid }), 0);
        // The segment itself is not the customer's and stays.
        QVERIFY(Storage::SegmentRepository(db()).get(m.segmentId));
    }

    void removingASegmentRemovesItsMembers()
    {
        SegmentMember m;
        m.segmentId = createSegment(u"short-lived"_s);
        m.customerId = customer(u"member-of-short-lived"_s);
        QVERIFY(Storage::SegmentMemberRepository(db()).create(m));
        QVERIFY(Storage::SegmentRepository(db()).remove(m.segmentId));
        QCOMPARE(countRows(db(), u"SELECT COUNT(*) FROM segment_members WHERE segment_id = ?"_s, { m.segmentId }), 0);
        QVERIFY(Storage::CustomerRepository(db()).get(m.customerId));
    }

    void uniqueRules_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addRow("one primary contact per customer") << u"primary"_s;
        QTest::addRow("one contact per e-mail (any case) per customer") << u"email"_s;
        QTest::addRow("contract numbers unique per customer") << u"contract_number"_s;
        QTest::addRow("field definition keys unique") << u"field_key"_s;
        QTest::addRow("segment names unique (any case)") << u"segment_name"_s;
        QTest::addRow("a customer is in a segment once") << u"member"_s;
    }

    // The unique indexes hold among live rows and free the value once the holder is soft-deleted.
    void uniqueRules()
    {
        QFETCH(QString, rule);
        const QString cid = customer(u"unique-"_s + rule);
        std::function<Core::Status()> first;
        std::function<Core::Status()> second;
        std::function<Core::Status()> deleteFirst;
        qint64 firstId = 0;
        const auto keep = [&firstId](auto result) -> Core::Status {
            if (!result)
                return result.error();
            firstId = result->id;
            return {};
        };
        const auto status = [](auto result) -> Core::Status {
            if (!result)
                return result.error();
            return {};
        };
        if (rule == u"primary"_s) {
            Contact a = sampleContact(cid);
            Contact b = sampleContact(cid);
            b.email = u"bob@acme.example"_s;
            first = [&, a] { return keep(Storage::ContactRepository(db()).create(a)); };
            second = [&, b] { return status(Storage::ContactRepository(db()).create(b)); };
            deleteFirst = [&] { return Storage::ContactRepository(db()).softDelete(firstId); };
        } else if (rule == u"email"_s) {
            Contact a = sampleContact(cid);
            Contact b = sampleContact(cid);
            b.isPrimary = false;
            b.email = a.email.toUpper();
            first = [&, a] { return keep(Storage::ContactRepository(db()).create(a)); };
            second = [&, b] { return status(Storage::ContactRepository(db()).create(b)); };
            deleteFirst = [&] { return Storage::ContactRepository(db()).softDelete(firstId); };
        } else if (rule == u"contract_number"_s) {
            Contract a = sampleContract(cid);
            first = [&, a] { return keep(Storage::ContractRepository(db()).create(a)); };
            second = [&, a] { return status(Storage::ContractRepository(db()).create(a)); };
            deleteFirst = [&] { return Storage::ContractRepository(db()).softDelete(firstId); };
        } else if (rule == u"field_key"_s) {
            const CustomFieldDefinition f = sampleFieldDefinition(u"unique_key"_s);
            first = [&, f] { return keep(Storage::CustomFieldDefinitionRepository(db()).create(f)); };
            second = [&, f] { return status(Storage::CustomFieldDefinitionRepository(db()).create(f)); };
            deleteFirst = [&] { return Storage::CustomFieldDefinitionRepository(db()).softDelete(firstId); };
        } else if (rule == u"segment_name"_s) {
            first = [&] { return keep(Storage::SegmentRepository(db()).create(sampleSegment(u"Churn Watch"_s))); };
            second = [&] { return status(Storage::SegmentRepository(db()).create(sampleSegment(u"churn watch"_s))); };
            deleteFirst = [&] { return Storage::SegmentRepository(db()).softDelete(firstId); };
        } else {
            SegmentMember m;
            m.segmentId = createSegment(u"members once"_s);
            m.customerId = cid;
            first = [&, m] { return keep(Storage::SegmentMemberRepository(db()).create(m)); };
            second = [&, m] { return status(Storage::SegmentMemberRepository(db()).create(m)); };
            deleteFirst = [&] { return Storage::SegmentMemberRepository(db()).remove(firstId); };
        }
        const Core::Status created = first();
        QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
        const Core::Status duplicate = second();
        QVERIFY2(!duplicate, "the duplicate was stored");
        QCOMPARE(duplicate.error().code, ErrorCode::AlreadyExists);
        QVERIFY(deleteFirst());
        const Core::Status again = second();
        QVERIFY2(again, again ? "" : qPrintable(again.error().toString()));
    }

    void schemaRefusesWhatCodeWouldAlsoRefuse_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addRow("contract ending before it starts")
            << u"INSERT INTO contracts (customer_id, start_date, end_date) VALUES ('schema', '2026-05-01', '2026-04-01')"_s;
        QTest::addRow("unknown contact role")
            << u"INSERT INTO contacts (customer_id, name, role) VALUES ('schema', 'X', 'boss')"_s;
        QTest::addRow("unknown payment status")
            << u"INSERT INTO contracts (customer_id, start_date, end_date, payment_status) VALUES ('schema', '2026-01-01', '2027-01-01', 'paid')"_s;
        QTest::addRow("negative seats")
            << u"INSERT INTO contracts (customer_id, start_date, end_date, seats_used) VALUES ('schema', '2026-01-01', '2027-01-01', -1)"_s;
        QTest::addRow("unknown field data type")
            << u"INSERT INTO custom_field_definitions (key, data_type) VALUES ('k_schema', 'date')"_s;
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
        // The schema's CHECK lists, in order (0001_customers.sql).
        QCOMPARE(enumValues<ContactRole>(),
            (QStringList { u""_s, u"champion"_s, u"executive_sponsor"_s, u"decision_maker"_s, u"economic_buyer"_s,
                u"admin"_s, u"technical"_s, u"billing"_s, u"end_user"_s, u"other"_s }));
        QCOMPARE(
            enumValues<ContractStatus>(), (QStringList { u"active"_s, u"expired"_s, u"cancelled"_s, u"pending"_s }));
        QCOMPARE(
            enumValues<PaymentStatus>(), (QStringList { u""_s, u"current"_s, u"late"_s, u"overdue"_s, u"failed"_s }));
        QCOMPARE(enumValues<CustomFieldType>(), (QStringList { u"numeric"_s, u"categorical"_s }));
        // Every spelling is accepted by the database.
        const QString cid = customer(u"spellings"_s);
        int n = 0;
        for (const QString &role : enumValues<ContactRole>()) {
            Contact c = sampleContact(cid);
            c.isPrimary = false;
            c.email = u"p%1@acme.example"_s.arg(++n);
            c.role = *enumFromString<ContactRole>(role);
            auto created = Storage::ContactRepository(db()).create(c);
            QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
            QCOMPARE(created->role, c.role);
        }
        for (const QString &payment : enumValues<PaymentStatus>()) {
            for (const QString &status : enumValues<ContractStatus>()) {
                Contract c = sampleContract(cid);
                c.contractNumber = u"N-%1"_s.arg(++n);
                c.paymentStatus = *enumFromString<PaymentStatus>(payment);
                c.status = *enumFromString<ContractStatus>(status);
                auto created = Storage::ContractRepository(db()).create(c);
                QVERIFY2(created, created ? "" : qPrintable(created.error().toString()));
                QCOMPARE(created->paymentStatus, c.paymentStatus);
                QCOMPARE(created->status, c.status);
            }
        }
    }

    void listReadsOnlyTheColumnsAsked()
    {
        Storage::CustomerRepository repo(db());
        for (int i = 0; i < 5; ++i) {
            Customer c;
            c.id = u"proj-%1"_s.arg(i);
            c.name = u"Projected %1"_s.arg(i);
            c.industry = u"Logistics"_s;
            c.arr = 1000.0 * ((i * 3) % 5); // 0, 3000, 1000, 4000, 2000: an order that is not the ids'
            c.customFields = { { u"region"_s, u"EMEA"_s } };
            QVERIFY(repo.create(c));
        }
        Storage::ListQuery q;
        q.extraCondition = u"id LIKE 'proj-%'"_s;
        q.orderBy = u"arr"_s;
        q.descending = true;
        q.limit = 2;
        const auto readAll = [&repo](Storage::ListQuery query) {
            QList<Customer> all;
            qint64 total = -1;
            do {
                auto page = repo.list(query);
                if (!page)
                    qWarning("%s", qPrintable(page.error().toString()));
                if (!page)
                    return std::pair { QList<Customer>(), qint64(-2) };
                all << page->items;
                total = page->total;
                query.cursor = page->nextCursor;
            } while (!query.cursor.isEmpty());
            return std::pair { all, total };
        };
        const auto [full, fullTotal] = readAll(q);
        q.columns = { u"name"_s }; // the key (id) and the sort column (arr) come along
        const auto [projected, projectedTotal] = readAll(q);
        QCOMPARE(fullTotal, qint64(5));
        QCOMPARE(projectedTotal, qint64(5));
        QCOMPARE(projected.size(), 5);
        for (qsizetype i = 0; i < projected.size(); ++i) {
            const Customer &p = projected.at(i);
            QCOMPARE(p.id, full.at(i).id); // same rows, same order, across the same pages
            QCOMPARE(p.name, full.at(i).name);
            QCOMPARE(p.arr, full.at(i).arr);
            QCOMPARE(full.at(i).industry, u"Logistics"_s);
            QVERIFY(p.industry.isEmpty()); // not asked for: the default
            QVERIFY(p.customFields.isEmpty());
            QCOMPARE(p.meta.version, 0);
            QVERIFY(!p.meta.createdAt.isValid());
            QVERIFY(full.at(i).meta.createdAt.isValid());
        }
        QCOMPARE(projected.first().arr, 4000.0);
        QCOMPARE(projected.last().arr, 0.0);

        q.columns = { u"name"_s, u"no_such_column"_s };
        q.cursor.clear();
        auto refused = repo.list(q);
        QVERIFY(!refused);
        QCOMPARE(refused.error().field, u"columns"_s);
        QVERIFY2(refused.error().message.contains(u"no_such_column"_s), qPrintable(refused.error().message));
    }

    void listsContactsOfOneCustomerInPages()
    {
        const QString cid = customer(u"paged"_s);
        Storage::ContactRepository repo(db());
        for (int i = 0; i < 7; ++i) {
            Contact c = sampleContact(cid);
            c.isPrimary = i == 0;
            c.name = u"Contact %1"_s.arg(i);
            c.email = u"c%1@paged.example"_s.arg(i);
            QVERIFY(repo.create(c));
        }
        Storage::ListQuery q;
        q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, cid };
        q.orderBy = u"name"_s;
        q.limit = 3;
        QStringList names;
        do {
            auto page = repo.list(q);
            QVERIFY2(page, page ? "" : qPrintable(page.error().toString()));
            QCOMPARE(page->total, qint64(7));
            for (const Contact &c : page->items)
                names << c.name;
            q.cursor = page->nextCursor;
        } while (!q.cursor.isEmpty());
        QCOMPARE(names.size(), 7);
        QCOMPARE(names.first(), u"Contact 0"_s);
        QCOMPARE(names.last(), u"Contact 6"_s);
    }
};

QTEST_GUILESS_MAIN(TestRepositoriesAccounts)
#include "tst_repositories_accounts.moc"
