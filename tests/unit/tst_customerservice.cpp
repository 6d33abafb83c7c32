// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// CustomerService: registering, changing and removing a customer writes its timeline events, and the customer's
// renewal_date keeps an open renewal in the pipeline — each in the same transaction as the change. Built twice:
// SQLite (label unit) and PostgreSQL (label pg).
#include <memory>

#include <QSignalSpy>
#include <QTest>

#include "customerservice.h"
#include "sql.h"
#include "tables_accounts.h"
#include "tables_revenue.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using namespace Domain;

namespace {

// Evaluates `expr` once (it may be a write) and fails with the error's text.
#define CHECK_OK(expr)                                                                                                 \
    do {                                                                                                               \
        const auto &result_ = (expr);                                                                                  \
        QVERIFY2(result_.ok(), result_.ok() ? "" : qPrintable(result_.error().toString()));                            \
    } while (false)

struct Event
{
    QString kind;
    QString title;
    QVariantMap detail;
    QString sourceTable;
    QString sourceId;
};

struct RenewalRow
{
    qint64 id = 0;
    QString date;
    QString stage;
    double arr = 0;
};

} // namespace

class TestCustomerService final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;

    Storage::Database &db() { return m_fixture->db(); }

    static Customer draft(const QString &id, CustomerStatus status = CustomerStatus::Active,
        const QDate &renewalDate = QDate(2027, 3, 31), double arr = 24000)
    {
        Customer c;
        c.id = id;
        c.name = u"Customer "_s + id;
        c.tier = Tier::MidMarket;
        c.status = status;
        c.owner = u"dana"_s;
        c.arr = arr;
        c.renewalDate = renewalDate;
        return c;
    }

    QList<Event> events(const QString &customerId)
    {
        QList<Event> out;
        auto q = Storage::exec(db(),
            u"SELECT kind, title, detail, source_table, source_id FROM timeline_events WHERE customer_id = ? "
            "ORDER BY id"_s,
            { customerId });
        if (!q)
            qWarning("%s", qPrintable(q.error().toString()));
        while (q && q->next()) {
            Event e;
            e.kind = q->value(0).toString();
            e.title = q->value(1).toString();
            Storage::Convert::fromSql(q->value(2), e.detail);
            e.sourceTable = q->value(3).toString();
            e.sourceId = q->value(4).toString();
            out << e;
        }
        return out;
    }

    QList<RenewalRow> renewals(const QString &customerId)
    {
        QList<RenewalRow> out;
        auto q = Storage::exec(db(),
            u"SELECT id, renewal_date, stage, arr_current FROM renewals WHERE customer_id = ? AND deleted_at IS NULL "
            "ORDER BY renewal_date"_s,
            { customerId });
        while (q && q->next()) {
            QDate date;
            Storage::Convert::fromSql(q->value(1), date);
            out << RenewalRow { q->value(0).toLongLong(), date.toString(Qt::ISODate), q->value(2).toString(),
                q->value(3).toDouble() };
        }
        return out;
    }

private Q_SLOTS:
    void init()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
    }

    void cleanup() { m_fixture.reset(); }

    void registeringRecordsTheCustomerAndItsRenewal()
    {
        Core::CustomerService service(db());
        auto created = service.create(draft(u"acme"_s));
        CHECK_OK(created);

        const QList<RenewalRow> rows = renewals(u"acme"_s);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().date, u"2027-03-31"_s);
        QCOMPARE(rows.first().stage, u"upcoming"_s);
        QCOMPARE(rows.first().arr, 24000.0);

        const QList<Event> timeline = events(u"acme"_s);
        QCOMPARE(timeline.size(), 2);
        QCOMPARE(timeline.at(0).kind, u"lifecycle"_s);
        QCOMPARE(timeline.at(0).title, u"Customer registered: Customer acme (mid_market, ARR 24000 USD)"_s);
        QCOMPARE(timeline.at(0).detail.value(u"renewal_date"_s).toString(), u"2027-03-31"_s);
        QCOMPARE(timeline.at(0).sourceTable, u"customers"_s);
        QCOMPARE(timeline.at(1).kind, u"renewal"_s);
        QCOMPARE(timeline.at(1).title, u"Renewal created for 2027-03-31 (ARR 24000 USD)"_s);
        QCOMPARE(timeline.at(1).sourceId, QString::number(rows.first().id));
    }

    void renewalOnlyForRenewingCustomers_data()
    {
        QTest::addColumn<CustomerStatus>("status");
        QTest::addColumn<QDate>("renewalDate");
        QTest::addColumn<int>("renewals");
        QTest::addRow("active") << CustomerStatus::Active << QDate(2027, 1, 1) << 1;
        QTest::addRow("trial") << CustomerStatus::Trial << QDate(2027, 1, 1) << 1;
        QTest::addRow("churned") << CustomerStatus::Churned << QDate(2027, 1, 1) << 0;
        QTest::addRow("no renewal date") << CustomerStatus::Active << QDate() << 0;
    }

    void renewalOnlyForRenewingCustomers()
    {
        QFETCH(CustomerStatus, status);
        QFETCH(QDate, renewalDate);
        QFETCH(int, renewals);
        Customer c = draft(u"beta"_s, status, renewalDate);
        if (status == CustomerStatus::Churned)
            c.churnedAt = QDate(2026, 5, 1);
        Core::CustomerService service(db());
        CHECK_OK(service.create(c));
        QCOMPARE(this->renewals(u"beta"_s).size(), renewals);
    }

    void profileChangeNamesOldAndNewValues()
    {
        Core::CustomerService service(db());
        auto created = service.create(draft(u"acme"_s));
        CHECK_OK(created);
        Customer c = *created;
        c.tier = Tier::Enterprise;
        c.arr = 30000;
        c.industry = u"Retail"_s;
        auto updated = service.update(c);
        CHECK_OK(updated);

        const QList<Event> timeline = events(u"acme"_s);
        QCOMPARE(timeline.size(), 3);
        const Event &changed = timeline.last();
        QCOMPARE(changed.kind, u"contract"_s);
        QCOMPARE(changed.title, u"Profile changed: tier mid_market → enterprise, ARR 24000 → 30000, industry"_s);
        QCOMPARE(
            changed.detail.value(u"changed"_s).toStringList(), (QStringList { u"tier"_s, u"arr"_s, u"industry"_s }));
        const QVariantMap tier = changed.detail.value(u"changes"_s).toMap().value(u"tier"_s).toMap();
        QCOMPARE(tier.value(u"from"_s).toString(), u"mid_market"_s);
        QCOMPARE(tier.value(u"to"_s).toString(), u"enterprise"_s);

        // A status change is a lifecycle event; an update that changes nothing records nothing.
        Customer paused = *updated;
        paused.status = CustomerStatus::Trial;
        auto pausedStored = service.update(paused);
        CHECK_OK(pausedStored);
        QCOMPARE(events(u"acme"_s).size(), 4);
        QCOMPARE(events(u"acme"_s).last().kind, u"lifecycle"_s);
        QCOMPARE(events(u"acme"_s).last().title, u"Profile changed: status active → trial"_s);
        CHECK_OK(service.update(*pausedStored));
        QCOMPARE(events(u"acme"_s).size(), 4);
    }

    void renewalDateChangeMovesTheOpenRenewal()
    {
        Core::CustomerService service(db());
        auto created = service.create(draft(u"acme"_s));
        CHECK_OK(created);
        const qint64 renewalId = renewals(u"acme"_s).first().id;
        Customer c = *created;
        c.renewalDate = QDate(2027, 6, 30);
        CHECK_OK(service.update(c));

        const QList<RenewalRow> rows = renewals(u"acme"_s);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().id, renewalId);
        QCOMPARE(rows.first().date, u"2027-06-30"_s);
        const QList<Event> timeline = events(u"acme"_s);
        QCOMPARE(timeline.last().kind, u"renewal"_s);
        QCOMPARE(timeline.last().title, u"Renewal moved from 2027-03-31 to 2027-06-30"_s);
    }

    void existingRenewalForTheDateIsKept()
    {
        // A customer registered without a date gets one later, for which a renewal already exists.
        Core::CustomerService service(db());
        auto created = service.create(draft(u"acme"_s, CustomerStatus::Active, QDate()));
        CHECK_OK(created);
        Renewal r;
        r.customerId = u"acme"_s;
        r.renewalDate = QDate(2027, 3, 31);
        r.arrCurrent = 20000;
        auto existing = Storage::RenewalRepository(db()).create(r);
        CHECK_OK(existing);
        Customer c = *created;
        c.renewalDate = QDate(2027, 3, 31);
        CHECK_OK(service.update(c));
        const QList<RenewalRow> rows = renewals(u"acme"_s);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().id, existing->id);
        QCOMPARE(rows.first().arr, 20000.0);
    }

    void slugForId_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("slug");
        QTest::addRow("words") << u"Acme Corp"_s << u"acme-corp"_s;
        QTest::addRow("punctuation runs") << u"  Acme, Corp. (EMEA) "_s << u"acme-corp-emea"_s;
        QTest::addRow("digits kept") << u"Route 66 Diner"_s << u"route-66-diner"_s;
        QTest::addRow("accents dropped") << u"Société Générale"_s << u"societe-generale"_s;
        QTest::addRow("underscore is a separator") << u"big_data__inc"_s << u"big-data-inc"_s;
        QTest::addRow("nothing usable") << u"日本株式会社"_s << u"customer"_s;
        QTest::addRow("only punctuation") << u"!!!"_s << u"customer"_s;
        // 40 × "ab " → "ab-ab-…": cut at 80 characters, never ending in '-'.
        QTest::addRow("long") << u"ab "_s.repeated(40) << QString(u"ab-"_s.repeated(26) + u"ab"_s);
    }

    void slugForId()
    {
        QFETCH(QString, name);
        QFETCH(QString, slug);
        const QString got = Core::CustomerService::slugForId(name);
        QCOMPARE(got, slug);
        QVERIFY(got.size() <= Core::CustomerService::kMaxSlugLength);
    }

    void emptyIdIsMadeFromTheNameWithASuffixOnCollision()
    {
        Core::CustomerService service(db());
        Customer c = draft(QString());
        c.name = u"Acme Corp"_s;
        auto suggested = service.suggestNewId(c.name);
        CHECK_OK(suggested);
        QCOMPARE(*suggested, u"acme-corp"_s);

        auto first = service.create(c);
        CHECK_OK(first);
        QCOMPARE(first->id, u"acme-corp"_s);
        QCOMPARE(service.get(u"acme-corp"_s)->name, u"Acme Corp"_s);

        c.name = u"ACME corp!"_s; // same slug
        auto second = service.create(c);
        CHECK_OK(second);
        QCOMPARE(second->id, u"acme-corp-2"_s);

        // A removed customer still holds its id; an id given in other case is taken too; unrelated longer ids
        // ("acme-corporate") do not matter.
        CHECK_OK(service.remove(u"acme-corp-2"_s));
        CHECK_OK(service.create(draft(u"ACME-CORP-3"_s)));
        CHECK_OK(service.create(draft(u"acme-corporate"_s)));
        c.name = u"Acme  Corp"_s;
        auto third = service.create(c);
        CHECK_OK(third);
        QCOMPARE(third->id, u"acme-corp-4"_s);
        QCOMPARE(*service.suggestNewId(u"acme corp"_s), u"acme-corp-5"_s);

        // A given id is used as is and still collides as before.
        auto taken = service.create(draft(u"acme-corp"_s));
        QVERIFY(!taken.ok());
        QCOMPARE(taken.error().code, Core::ErrorCode::AlreadyExists);

        Customer nameless = draft(QString());
        nameless.name = u"  "_s;
        auto refused = service.create(nameless);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().field, u"name"_s);
    }

    void removingRecordsTheRemoval()
    {
        Core::CustomerService service(db());
        auto created = service.create(draft(u"acme"_s, CustomerStatus::Active, QDate()));
        CHECK_OK(created);
        CHECK_OK(service.remove(u"acme"_s));
        const QList<Event> timeline = events(u"acme"_s);
        QCOMPARE(timeline.size(), 2);
        QCOMPARE(timeline.last().kind, u"lifecycle"_s);
        QCOMPARE(timeline.last().title, u"Customer removed: Customer acme"_s);
        // A failed removal (wrong version) writes nothing.
        auto other = service.create(draft(u"beta"_s, CustomerStatus::Active, QDate()));
        CHECK_OK(other);
        QVERIFY(!service.remove(u"beta"_s, other->meta.version + 5).ok());
        QCOMPARE(events(u"beta"_s).size(), 1);
    }

    // ---- contracts

    static Contract contractDraft(
        const QString &customerId, const QDate &start, const QDate &end, ContractStatus status = ContractStatus::Active)
    {
        Contract k;
        k.customerId = customerId;
        k.startDate = start;
        k.endDate = end;
        k.arr = 24000;
        k.status = status;
        return k;
    }

    void recordingTheCurrentContractMovesTheCustomerAlong()
    {
        Core::CustomerService service(db());
        CHECK_OK(service.create(draft(u"acme"_s)));
        const qint64 renewalId = renewals(u"acme"_s).first().id;
        QSignalSpy changed(&service, &Core::CustomerService::customerChanged);

        Contract k = contractDraft(u"acme"_s, QDate(2026, 4, 1), QDate(2027, 4, 1));
        k.contractNumber = u"C-1"_s;
        k.seatsPurchased = 50;
        k.seatsUsed = 40;
        k.paymentStatus = PaymentStatus::Current;
        auto recorded = service.recordContract(k);
        CHECK_OK(recorded);
        QVERIFY(recorded->contract.id > 0);
        QCOMPARE(recorded->contract.meta.version, 1);
        QCOMPARE(recorded->contract.seatsUsed, std::optional<int>(40));
        QCOMPARE(recorded->customerFieldsUpdated,
            (QStringList { u"contract_start"_s, u"contract_end"_s, u"renewal_date"_s }));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().first().toString(), u"acme"_s);

        auto customer = service.get(u"acme"_s);
        CHECK_OK(customer);
        QCOMPARE(customer->contractStart, QDate(2026, 4, 1));
        QCOMPARE(customer->contractEnd, QDate(2027, 4, 1));
        QCOMPARE(customer->renewalDate, QDate(2027, 4, 1));
        QCOMPARE(customer->arr, 24000.0); // ARR is not the contract's to change
        const QList<RenewalRow> rows = renewals(u"acme"_s);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().id, renewalId);
        QCOMPARE(rows.first().date, u"2027-04-01"_s);

        const QList<Event> timeline = events(u"acme"_s);
        QCOMPARE(timeline.size(), 5);
        QCOMPARE(timeline.at(2).kind, u"contract"_s);
        QCOMPARE(timeline.at(2).title,
            u"Contract C-1 recorded: 2026-04-01 – 2027-04-01, ARR 24000 USD, 40 of 50 seats used"_s);
        QCOMPARE(timeline.at(2).sourceTable, u"contracts"_s);
        QCOMPARE(timeline.at(2).sourceId, QString::number(recorded->contract.id));
        QCOMPARE(timeline.at(2).detail.value(u"seats_purchased"_s).toInt(), 50);
        QCOMPARE(timeline.at(2).detail.value(u"payment_status"_s).toString(), u"current"_s);
        QCOMPARE(timeline.at(3).title,
            u"Profile changed: renewal_date 2027-03-31 → 2027-04-01, contract_start, contract_end"_s);
        QCOMPARE(timeline.at(4).title, u"Renewal moved from 2027-03-31 to 2027-04-01"_s);

        // The same contract read back.
        auto read = service.contract(recorded->contract.id);
        CHECK_OK(read);
        QCOMPARE(read->contractNumber, u"C-1"_s);
        QCOMPARE(read->paymentStatus, PaymentStatus::Current);
    }

    void onlyTheCurrentContractOfARenewingCustomerIsFollowed_data()
    {
        QTest::addColumn<CustomerStatus>("customerStatus");
        QTest::addColumn<ContractStatus>("contractStatus");
        QTest::addColumn<QDate>("end");
        QTest::addColumn<QStringList>("updated");
        // An active contract ending 2027-06-30 is on file.
        QTest::addRow("ends later") << CustomerStatus::Active << ContractStatus::Active << QDate(2027, 9, 30)
                                    << QStringList { u"contract_start"_s, u"contract_end"_s, u"renewal_date"_s };
        QTest::addRow("ends earlier") << CustomerStatus::Active << ContractStatus::Active << QDate(2027, 3, 1)
                                      << QStringList {};
        QTest::addRow("expired") << CustomerStatus::Active << ContractStatus::Expired << QDate(2027, 9, 30)
                                 << QStringList {};
        QTest::addRow("pending") << CustomerStatus::Active << ContractStatus::Pending << QDate(2027, 9, 30)
                                 << QStringList {};
        QTest::addRow("trial customer") << CustomerStatus::Trial << ContractStatus::Active << QDate(2027, 9, 30)
                                        << QStringList { u"contract_start"_s, u"contract_end"_s, u"renewal_date"_s };
        QTest::addRow("churned customer")
            << CustomerStatus::Churned << ContractStatus::Active << QDate(2027, 9, 30) << QStringList {};
    }

    void onlyTheCurrentContractOfARenewingCustomerIsFollowed()
    {
        QFETCH(CustomerStatus, customerStatus);
        QFETCH(ContractStatus, contractStatus);
        QFETCH(QDate, end);
        QFETCH(QStringList, updated);
        Core::CustomerService service(db());
        CHECK_OK(service.create(draft(u"acme"_s, CustomerStatus::Active, QDate(2027, 6, 30))));
        CHECK_OK(service.recordContract(contractDraft(u"acme"_s, QDate(2026, 7, 1), QDate(2027, 6, 30))));
        if (customerStatus != CustomerStatus::Active) {
            auto c = service.get(u"acme"_s);
            CHECK_OK(c);
            Customer changed = *c;
            changed.status = customerStatus;
            if (customerStatus == CustomerStatus::Churned)
                changed.churnedAt = QDate(2026, 9, 1);
            CHECK_OK(service.update(changed));
        }
        auto before = service.get(u"acme"_s);
        CHECK_OK(before);
        auto recorded = service.recordContract(contractDraft(u"acme"_s, QDate(2026, 10, 1), end, contractStatus));
        CHECK_OK(recorded);
        QCOMPARE(recorded->customerFieldsUpdated, updated);
        auto after = service.get(u"acme"_s);
        CHECK_OK(after);
        QCOMPARE(after->renewalDate, updated.isEmpty() ? before->renewalDate : end);
        QCOMPARE(after->meta.version, before->meta.version + (updated.isEmpty() ? 0 : 1));
    }

    void changingAContractNamesOldAndNewValues()
    {
        Core::CustomerService service(db());
        CHECK_OK(service.create(draft(u"acme"_s, CustomerStatus::Active, QDate(2027, 4, 1))));
        Contract k = contractDraft(u"acme"_s, QDate(2026, 4, 1), QDate(2027, 4, 1));
        k.seatsPurchased = 50;
        k.seatsUsed = 40;
        auto recorded = service.recordContract(k);
        CHECK_OK(recorded);
        QCOMPARE(recorded->customerFieldsUpdated, (QStringList { u"contract_start"_s, u"contract_end"_s }));
        const int eventsBefore = int(events(u"acme"_s).size());

        Contract changed = recorded->contract;
        changed.seatsUsed = 48;
        changed.paymentStatus = PaymentStatus::Late;
        changed.autoRenew = true;
        QSignalSpy spy(&service, &Core::CustomerService::customerChanged);
        auto updated = service.updateContract(changed);
        CHECK_OK(updated);
        QCOMPARE(updated->contract.meta.version, 2);
        QCOMPARE(updated->contract.seatsUsed, std::optional<int>(48));
        QVERIFY(updated->customerFieldsUpdated.isEmpty());
        QCOMPARE(spy.size(), 1);
        QList<Event> timeline = events(u"acme"_s);
        QCOMPARE(timeline.size(), eventsBefore + 1);
        const QString label = u"#"_s + QString::number(recorded->contract.id);
        QCOMPARE(timeline.last().title,
            u"Contract %1 changed: seats used 40 → 48, payment status none → late, auto renew off → on"_s.arg(label));
        QCOMPARE(timeline.last().detail.value(u"changes"_s).toMap().keys(),
            (QStringList { u"auto_renew"_s, u"payment_status"_s, u"seats_used"_s }));

        // Writing what is stored changes nothing: no new version, no event, no signal.
        auto same = service.updateContract(updated->contract);
        CHECK_OK(same);
        QCOMPARE(same->contract.meta.version, 2);
        QCOMPARE(events(u"acme"_s).size(), eventsBefore + 1);
        QCOMPARE(spy.size(), 1);

        // A stale version is refused and writes nothing.
        Contract stale = recorded->contract;
        stale.seatsUsed = 10;
        auto refused = service.updateContract(stale);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, Core::ErrorCode::Conflict);
        QCOMPARE(refused.error().field, u"version"_s);
        auto stored = service.contract(recorded->contract.id);
        CHECK_OK(stored);
        QCOMPARE(stored->seatsUsed, std::optional<int>(48));
    }

    void badContractsAreRefusedAndWriteNothing_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<Core::ErrorCode>("code");
        QTest::addColumn<QString>("field");
        QTest::addRow("unknown customer") << u"unknown customer"_s << Core::ErrorCode::NotFound << u"customer_id"_s;
        QTest::addRow("removed customer") << u"removed customer"_s << Core::ErrorCode::NotFound << u"customer_id"_s;
        QTest::addRow("end before start") << u"end before start"_s << Core::ErrorCode::InvalidArgument << u"end_date"_s;
        QTest::addRow("negative seats") << u"negative seats"_s << Core::ErrorCode::InvalidArgument << u"seats_used"_s;
        QTest::addRow("bad currency") << u"bad currency"_s << Core::ErrorCode::InvalidArgument << u"currency"_s;
        QTest::addRow("number taken") << u"number taken"_s << Core::ErrorCode::AlreadyExists << u"contract_number"_s;
        QTest::addRow("unknown contract") << u"unknown contract"_s << Core::ErrorCode::NotFound << u"contract_id"_s;
        QTest::addRow("other customer") << u"other customer"_s << Core::ErrorCode::InvalidArgument << u"customer_id"_s;
        QTest::addRow("number taken on update")
            << u"number taken on update"_s << Core::ErrorCode::AlreadyExists << u"contract_number"_s;
    }

    void badContractsAreRefusedAndWriteNothing()
    {
        QFETCH(QString, what);
        QFETCH(Core::ErrorCode, code);
        QFETCH(QString, field);
        Core::CustomerService service(db());
        CHECK_OK(service.create(draft(u"acme"_s)));
        CHECK_OK(service.create(draft(u"beta"_s)));
        CHECK_OK(service.create(draft(u"gone"_s)));
        CHECK_OK(service.remove(u"gone"_s));
        Contract first = contractDraft(u"acme"_s, QDate(2026, 1, 1), QDate(2026, 12, 31), ContractStatus::Expired);
        first.contractNumber = u"C-1"_s;
        auto existing = service.recordContract(first);
        CHECK_OK(existing);
        Contract second = contractDraft(u"acme"_s, QDate(2026, 1, 1), QDate(2026, 12, 31), ContractStatus::Expired);
        second.contractNumber = u"C-2"_s;
        auto other = service.recordContract(second);
        CHECK_OK(other);
        const auto countRows = [this] {
            auto q = Storage::exec(db(), u"SELECT COUNT(*), MAX(version) FROM contracts"_s);
            return q && q->next() ? q->value(0).toInt() * 100 + q->value(1).toInt() : -1;
        };
        const int rowsBefore = countRows();
        const qsizetype eventsBefore = events(u"acme"_s).size();

        Contract k = contractDraft(u"acme"_s, QDate(2027, 1, 1), QDate(2027, 12, 31));
        Core::Result<Core::CustomerService::ContractWritten> result = Core::Error::invalid({}, {});
        if (what == u"unknown customer"_s) {
            k.customerId = u"nobody"_s;
            result = service.recordContract(k);
        } else if (what == u"removed customer"_s) {
            k.customerId = u"gone"_s;
            result = service.recordContract(k);
        } else if (what == u"end before start"_s) {
            k.endDate = QDate(2026, 6, 1);
            result = service.recordContract(k);
        } else if (what == u"negative seats"_s) {
            k.seatsUsed = -1;
            result = service.recordContract(k);
        } else if (what == u"bad currency"_s) {
            k.currency = u"usd"_s;
            result = service.recordContract(k);
        } else if (what == u"number taken"_s) {
            k.contractNumber = u"C-1"_s;
            result = service.recordContract(k);
        } else if (what == u"unknown contract"_s) {
            Contract missing = existing->contract;
            missing.id += 1000;
            result = service.updateContract(missing);
        } else if (what == u"other customer"_s) {
            Contract moved = existing->contract;
            moved.customerId = u"beta"_s;
            result = service.updateContract(moved);
        } else if (what == u"number taken on update"_s) {
            Contract renamed = other->contract;
            renamed.contractNumber = u"C-1"_s;
            result = service.updateContract(renamed);
        }
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, code);
        QCOMPARE(result.error().field, field);
        QCOMPARE(countRows(), rowsBefore);
        QCOMPARE(events(u"acme"_s).size(), eventsBefore);
    }
};

QTEST_GUILESS_MAIN(TestCustomerService)
#include "tst_customerservice.moc"
