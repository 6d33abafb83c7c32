// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>
#include <utility>

#include <QObject>

#include <QStringList>

#include "accounts.h"
#include "customer.h"
#include "operations.h"
#include "revenue.h"
#include "tables_customers.h"

namespace Storage {
class Transaction;
}

namespace Core {

// Customers: the one place both faces (window and MCP) create, read, change and delete accounts.
// Emits change signals so open views refresh when anyone, an agent included, changes the portfolio.
class CustomerService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CustomerService)

public:
    explicit CustomerService(const Storage::Database &db, QObject *parent = nullptr);

    // An empty customer.id is generated from the name (suggestNewId); the stored customer carries the id chosen.
    Result<Domain::Customer> create(const Domain::Customer &customer);
    // A customer and its primary contact in one transaction (register_client): both or neither. The contact's
    // customer_id is set to the customer's and it is marked primary; errors on the contact name the field as
    // "primary_contact.<field>".
    struct Registered
    {
        Domain::Customer customer;
        std::optional<Domain::Contact> primaryContact;
    };
    Result<Registered> createWithContact(
        const Domain::Customer &customer, std::optional<Domain::Contact> primaryContact);

    // A readable id for a new customer named `name`: the name's slug (lower-case ASCII letters and digits, every
    // other run of characters one '-', accents dropped, at most kMaxSlugLength characters, "customer" when nothing
    // is left), or the slug with the first free suffix "-2", "-3", ... when the slug is taken by any customer,
    // removed ones included (their ids still hold their rows). Compared case-insensitively.
    static constexpr int kMaxSlugLength = 80;
    static QString slugForId(const QString &name);
    Result<QString> suggestNewId(const QString &name) const;
    // The customer's live contacts, primary first, then by name; at most `limit` (1..200).
    Result<QList<Domain::Contact>> contacts(const QString &customerId, int limit = 50) const;
    Result<Domain::Customer> get(const QString &id) const;
    // Optimistic: `customer.meta.version` must be the stored version, else ErrorCode::Conflict.
    Result<Domain::Customer> update(const Domain::Customer &customer);
    Status remove(const QString &id, int expectedVersion = 0);
    Result<Storage::Page<Domain::Customer>> list(const Storage::ListQuery &query) const;
    // How many customers list(query) would page through, all pages together (the query's cursor, order and
    // limit play no part).
    Result<qint64> count(const Storage::ListQuery &query) const;

    // Completion of customer ids (MCP completion/complete, the id box of the window): live customers whose id or
    // name starts with or contains `prefix` (case-insensitive), best first — id starts with it, then name starts
    // with it, then id contains it, then name contains it; ties by id. An empty prefix lists the first ids.
    // `limit` 1..100.
    Result<QStringList> suggestIds(const QString &prefix, int limit = 100) const;
    // The customer's contracts (not deleted), newest start first, at most `limit` (1..200). NotFound naming
    // customer_id for an unknown customer.
    Result<QList<Domain::Contract>> contracts(const QString &customerId, int limit = 10) const;
    Result<Domain::Contract> contract(qint64 contractId) const;

    // What create() records beside a new customer — its timeline event, and for an active or trial customer with a
    // renewal date the open renewal (nullopt otherwise) with that renewal's event once stored — for bulk writers
    // (CsvImporter) that store many customers at once in their own transaction.
    static Domain::TimelineEvent registeredEvent(const Domain::Customer &customer);
    static std::optional<Domain::Renewal> openingRenewal(const Domain::Customer &customer);
    static Domain::TimelineEvent renewalCreatedEvent(const Domain::Customer &customer, const Domain::Renewal &renewal);
    // What update() records beside a changed customer ("Profile changed: ..." on the timeline, the open renewal
    // following the renewal date), for customers a bulk writer updated in the caller's transaction: each pair is the
    // customer as stored before and the stored result. No signal: the caller emits its own.
    static Status recordUpdated(
        const Storage::Database &db, const QList<std::pair<Domain::Customer, Domain::Customer>> &updated);

    // Contracts: what was signed (dates, ARR, seats bought and used, payment status); the financial health
    // component, the overview and upsell detection read them. When the contract written is the customer's current
    // one (active, ending last) and the customer renews (active or trial), the customer's contract_start,
    // contract_end and renewal_date follow it, and the renewal pipeline follows the renewal date as on any profile
    // change. The customer's ARR is left alone: ARR moves through update() or a closed renewal, which keep the ARR
    // ledger. One transaction and one timeline event each; customerChanged after the commit.
    struct ContractWritten
    {
        Domain::Contract contract;
        QStringList customerFieldsUpdated; // of contract_start, contract_end, renewal_date
    };
    // NotFound naming customer_id for an unknown or removed customer; AlreadyExists naming contract_number when
    // the customer has a live contract with that number.
    Result<ContractWritten> recordContract(const Domain::Contract &contract);
    // Optimistic like update(): contract.meta.version must be the stored version, else Conflict naming version.
    // The customer cannot change (customer_id names the contract's customer).
    Result<ContractWritten> updateContract(const Domain::Contract &contract);

Q_SIGNALS:
    void customerAdded(const QString &id);
    void customerChanged(const QString &id);
    void customerRemoved(const QString &id);

private:
    Result<Registered> createRegistered(
        const Domain::Customer &customer, std::optional<Domain::Contact> primaryContact);
    Status followCurrentContract(const Domain::Contract &contract, QStringList &fieldsUpdated);
    // The rest of a contract write inside `tx`: its timeline event, the customer following its current contract,
    // the commit, then customerChanged.
    Result<ContractWritten> completeContractWrite(
        Storage::Transaction &tx, const Domain::Contract *before, const Domain::Contract &stored);

    Storage::CustomerRepository m_customers;
};

} // namespace Core
