// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "customerservice.h"

#include <cmath>

#include <QSet>

#include "sql.h"
#include "tables_accounts.h"
#include "tables_revenue.h"
#include "timelineservice.h"
#include "transaction.h"

using namespace Qt::StringLiterals;

namespace Core {

namespace {

// ---- the customer record on the timeline and in the renewal pipeline (same transaction as the change) ----

QString dateText(const QDate &d)
{
    return d.isValid() ? d.toString(Qt::ISODate) : QString();
}

QString amountText(double v)
{
    return QString::number(v, 'f', v == std::floor(v) ? 0 : 2);
}

// The fields a CSM reads in a change title with their old and new values; the others are only named.
struct FieldChange
{
    QString field;
    QVariant from;
    QVariant to;
    bool important = false;
};

QList<FieldChange> changedFields(const Domain::Customer &a, const Domain::Customer &b)
{
    QList<FieldChange> out;
    const auto add = [&](const QString &field, const QVariant &from, const QVariant &to, bool important) {
        if (from != to)
            out << FieldChange { field, from, to, important };
    };
    add(u"tier"_s, Domain::enumName(a.tier), Domain::enumName(b.tier), true);
    add(u"arr"_s, a.arr, b.arr, true);
    add(u"owner"_s, a.owner, b.owner, true);
    add(u"status"_s, Domain::enumName(a.status), Domain::enumName(b.status), true);
    add(u"renewal_date"_s, dateText(a.renewalDate), dateText(b.renewalDate), true);
    add(u"name"_s, a.name, b.name, false);
    add(u"company"_s, a.company, b.company, false);
    add(u"domain"_s, a.domain, b.domain, false);
    add(u"industry"_s, a.industry, b.industry, false);
    add(u"lifecycle_stage"_s, Domain::enumName(a.lifecycleStage), Domain::enumName(b.lifecycleStage), false);
    add(u"currency"_s, a.currency, b.currency, false);
    add(u"contract_type"_s, Domain::enumName(a.contractType), Domain::enumName(b.contractType), false);
    add(u"contract_start"_s, dateText(a.contractStart), dateText(b.contractStart), false);
    add(u"contract_end"_s, dateText(a.contractEnd), dateText(b.contractEnd), false);
    add(u"churned_at"_s, dateText(a.churnedAt), dateText(b.churnedAt), false);
    add(u"custom_fields"_s, a.customFields, b.customFields, false);
    return out;
}

QString valueText(const FieldChange &c, const QVariant &v)
{
    if (c.field == u"arr"_s)
        return amountText(v.toDouble());
    const QString text = v.toString();
    return text.isEmpty() ? u"none"_s : text;
}

Status appendEvent(const Storage::Database &db, const Domain::TimelineEvent &e)
{
    return TimelineService::append(
        db, e.customerId, e.occurredAt, e.kind, e.title, e.detail, e.sourceTable, e.sourceId, e.actor);
}

// "Profile changed: tier smb → enterprise, ARR 1000 → 2000, name": old → new for the important fields.
Status recordChanged(const Storage::Database &db, const Domain::Customer &before, const Domain::Customer &after)
{
    const QList<FieldChange> changes = changedFields(before, after);
    if (changes.isEmpty())
        return {};
    QStringList parts;
    QStringList fields;
    QVariantMap values;
    for (const FieldChange &c : changes) {
        fields << c.field;
        if (!c.important) {
            parts << c.field;
            continue;
        }
        const QString label = c.field == u"arr"_s ? u"ARR"_s : c.field;
        parts << u"%1 %2 → %3"_s.arg(label, valueText(c, c.from), valueText(c, c.to));
        values.insert(c.field, QVariantMap { { u"from"_s, c.from }, { u"to"_s, c.to } });
    }
    const bool statusChanged = before.status != after.status;
    return TimelineService::append(db, after.id, after.meta.updatedAt,
        statusChanged ? Domain::TimelineEventKind::Lifecycle : Domain::TimelineEventKind::Contract,
        u"Profile changed: "_s + parts.join(u", "_s),
        { { u"changed"_s, fields }, { u"changes"_s, values }, { u"version"_s, after.meta.version } }, u"customers"_s,
        after.id);
}

// The customer's renewal_date in the renewal pipeline: an active or trial customer with a renewal date has a live
// renewal for it. Nothing happens when one already exists for that date; when the date moved, the open renewal
// of the old date moves with it; otherwise an upcoming renewal is created with the customer's ARR.
Status syncRenewal(const Storage::Database &db, const Domain::Customer *before, const Domain::Customer &after)
{
    if (!CustomerService::openingRenewal(after))
        return {};
    auto existing = Storage::exec(db,
        u"SELECT id FROM renewals WHERE customer_id = ? AND renewal_date = ? AND deleted_at IS NULL"_s,
        { after.id, dateText(after.renewalDate) });
    if (!existing)
        return existing.error();
    if (existing->next())
        return {};
    Storage::RenewalRepository renewals(db);
    if (before && before->renewalDate.isValid() && before->renewalDate != after.renewalDate) {
        auto open = Storage::exec(db,
            u"SELECT id FROM renewals WHERE customer_id = ? AND renewal_date = ? AND deleted_at IS NULL "
            "AND outcome IS NULL"_s,
            { after.id, dateText(before->renewalDate) });
        if (!open)
            return open.error();
        if (open->next()) {
            auto renewal = renewals.get(open->value(0));
            if (!renewal)
                return renewal.error();
            renewal->renewalDate = after.renewalDate;
            auto moved = renewals.update(*renewal);
            if (!moved)
                return moved.error();
            return TimelineService::append(db, after.id, moved->meta.updatedAt, Domain::TimelineEventKind::Renewal,
                u"Renewal moved from %1 to %2"_s.arg(dateText(before->renewalDate), dateText(after.renewalDate)),
                { { u"from"_s, dateText(before->renewalDate) }, { u"to"_s, dateText(after.renewalDate) },
                    { u"stage"_s, Domain::enumName(moved->stage) } },
                u"renewals"_s, QString::number(moved->id));
        }
    }
    auto created = renewals.create(*CustomerService::openingRenewal(after));
    if (!created)
        return created.error();
    return appendEvent(db, CustomerService::renewalCreatedEvent(after, *created));
}

// ---- contracts on the timeline ----

QString contractLabel(const Domain::Contract &c)
{
    return c.contractNumber.isEmpty() ? u"#"_s + QString::number(c.id) : c.contractNumber;
}

QString seatsText(const Domain::Contract &c)
{
    if (c.seatsPurchased && c.seatsUsed)
        return u"%1 of %2 seats used"_s.arg(*c.seatsUsed).arg(*c.seatsPurchased);
    if (c.seatsPurchased)
        return u"%1 seats"_s.arg(*c.seatsPurchased);
    if (c.seatsUsed)
        return u"%1 seats used"_s.arg(*c.seatsUsed);
    return {};
}

QVariant optionalValue(const std::optional<int> &v)
{
    return v ? QVariant(*v) : QVariant();
}

QVariantMap contractDetail(const Domain::Contract &c)
{
    QVariantMap detail { { u"start_date"_s, dateText(c.startDate) }, { u"end_date"_s, dateText(c.endDate) },
        { u"arr"_s, c.arr }, { u"currency"_s, c.currency }, { u"status"_s, Domain::enumName(c.status) },
        { u"auto_renew"_s, c.autoRenew } };
    if (!c.contractNumber.isEmpty())
        detail.insert(u"contract_number"_s, c.contractNumber);
    if (c.seatsPurchased)
        detail.insert(u"seats_purchased"_s, *c.seatsPurchased);
    if (c.seatsUsed)
        detail.insert(u"seats_used"_s, *c.seatsUsed);
    if (c.paymentStatus != Domain::PaymentStatus::None)
        detail.insert(u"payment_status"_s, Domain::enumName(c.paymentStatus));
    return detail;
}

// The contract fields a change title names with old → new (text form), in a CSM's order of interest.
QList<FieldChange> changedContractFields(const Domain::Contract &a, const Domain::Contract &b)
{
    QList<FieldChange> out;
    const auto add = [&](const QString &field, const QVariant &from, const QVariant &to) {
        if (from != to)
            out << FieldChange { field, from, to, true };
    };
    add(u"seats_used"_s, optionalValue(a.seatsUsed), optionalValue(b.seatsUsed));
    add(u"seats_purchased"_s, optionalValue(a.seatsPurchased), optionalValue(b.seatsPurchased));
    add(u"status"_s, Domain::enumName(a.status), Domain::enumName(b.status));
    add(u"payment_status"_s, Domain::enumName(a.paymentStatus), Domain::enumName(b.paymentStatus));
    add(u"arr"_s, a.arr, b.arr);
    add(u"currency"_s, a.currency, b.currency);
    add(u"start_date"_s, dateText(a.startDate), dateText(b.startDate));
    add(u"end_date"_s, dateText(a.endDate), dateText(b.endDate));
    add(u"auto_renew"_s, a.autoRenew, b.autoRenew);
    add(u"contract_number"_s, a.contractNumber, b.contractNumber);
    add(u"notes"_s, a.notes, b.notes);
    return out;
}

QString contractValueText(const FieldChange &c, const QVariant &v)
{
    if (c.field == u"arr"_s)
        return amountText(v.toDouble());
    if (c.field == u"auto_renew"_s)
        return v.toBool() ? u"on"_s : u"off"_s;
    if (c.field == u"notes"_s)
        return {};
    const QString text = v.isValid() ? v.toString() : QString();
    return text.isEmpty() ? u"none"_s : text;
}

Status recordContractEvent(const Storage::Database &db, const Domain::Contract *before, const Domain::Contract &after)
{
    if (!before) {
        QStringList parts { u"%1 – %2"_s.arg(dateText(after.startDate), dateText(after.endDate)),
            u"ARR %1 %2"_s.arg(amountText(after.arr), after.currency) };
        if (const QString seats = seatsText(after); !seats.isEmpty())
            parts << seats;
        if (after.status != Domain::ContractStatus::Active)
            parts << Domain::enumName(after.status);
        return TimelineService::append(db, after.customerId, after.meta.createdAt, Domain::TimelineEventKind::Contract,
            u"Contract %1 recorded: %2"_s.arg(contractLabel(after), parts.join(u", "_s)), contractDetail(after),
            u"contracts"_s, QString::number(after.id));
    }
    QStringList parts;
    QVariantMap changes;
    for (const FieldChange &c : changedContractFields(*before, after)) {
        const QString label = c.field == u"arr"_s ? u"ARR"_s : QString(c.field).replace(u'_', u' ');
        parts << (c.field == u"notes"_s
                ? label
                : u"%1 %2 → %3"_s.arg(label, contractValueText(c, c.from), contractValueText(c, c.to)));
        changes.insert(c.field, QVariantMap { { u"from"_s, c.from }, { u"to"_s, c.to } });
    }
    QVariantMap detail = contractDetail(after);
    detail.insert(u"changes"_s, changes);
    detail.insert(u"version"_s, after.meta.version);
    return TimelineService::append(db, after.customerId, after.meta.updatedAt, Domain::TimelineEventKind::Contract,
        u"Contract %1 changed: %2"_s.arg(contractLabel(after), parts.join(u", "_s)), detail, u"contracts"_s,
        QString::number(after.id));
}

bool sameContract(const Domain::Contract &a, const Domain::Contract &b)
{
    return changedContractFields(a, b).isEmpty();
}

// A live contract of the customer with this number, other than `exceptId`.
Status checkContractNumberFree(const Storage::Database &db, const Domain::Contract &c, qint64 exceptId)
{
    if (c.contractNumber.isEmpty())
        return {};
    auto q = Storage::exec(db,
        u"SELECT id FROM contracts WHERE customer_id = ? AND contract_number = ? AND deleted_at IS NULL AND id <> ?"_s,
        { c.customerId, c.contractNumber, exceptId });
    if (!q)
        return q.error();
    if (q->next())
        return Error { ErrorCode::AlreadyExists, u"contract_number"_s,
            u"customer \"%1\" already has contract %2 (contract_id %3)"_s.arg(
                c.customerId, c.contractNumber, q->value(0).toString()) };
    return {};
}

} // namespace

CustomerService::CustomerService(const Storage::Database &db, QObject *parent)
    : QObject(parent)
    , m_customers(db)
{ }

Domain::TimelineEvent CustomerService::registeredEvent(const Domain::Customer &c)
{
    QVariantMap detail { { u"tier"_s, Domain::enumName(c.tier) }, { u"status"_s, Domain::enumName(c.status) },
        { u"arr"_s, c.arr }, { u"currency"_s, c.currency } };
    if (!c.owner.isEmpty())
        detail.insert(u"owner"_s, c.owner);
    if (c.renewalDate.isValid())
        detail.insert(u"renewal_date"_s, dateText(c.renewalDate));
    Domain::TimelineEvent e;
    e.customerId = c.id;
    e.occurredAt = c.meta.createdAt;
    e.kind = Domain::TimelineEventKind::Lifecycle;
    e.title = u"Customer registered: %1 (%2, ARR %3 %4)"_s.arg(
        c.name, Domain::enumName(c.tier), amountText(c.arr), c.currency);
    e.detail = detail;
    e.sourceTable = u"customers"_s;
    e.sourceId = c.id;
    return e;
}

std::optional<Domain::Renewal> CustomerService::openingRenewal(const Domain::Customer &c)
{
    if (!c.renewalDate.isValid()
        || (c.status != Domain::CustomerStatus::Active && c.status != Domain::CustomerStatus::Trial))
        return std::nullopt;
    Domain::Renewal renewal;
    renewal.customerId = c.id;
    renewal.renewalDate = c.renewalDate;
    renewal.arrCurrent = c.arr;
    renewal.stage = Domain::RenewalStage::Upcoming;
    renewal.owner = c.owner;
    return renewal;
}

Domain::TimelineEvent CustomerService::renewalCreatedEvent(const Domain::Customer &c, const Domain::Renewal &renewal)
{
    Domain::TimelineEvent e;
    e.customerId = c.id;
    e.occurredAt = renewal.meta.createdAt;
    e.kind = Domain::TimelineEventKind::Renewal;
    e.title = u"Renewal created for %1 (ARR %2 %3)"_s.arg(
        dateText(renewal.renewalDate), amountText(renewal.arrCurrent), c.currency);
    e.detail = { { u"renewal_date"_s, dateText(renewal.renewalDate) }, { u"arr_current"_s, renewal.arrCurrent },
        { u"stage"_s, Domain::enumName(renewal.stage) } };
    e.sourceTable = u"renewals"_s;
    e.sourceId = QString::number(renewal.id);
    return e;
}

Status CustomerService::recordUpdated(
    const Storage::Database &db, const QList<std::pair<Domain::Customer, Domain::Customer>> &updated)
{
    for (const auto &[before, after] : updated) {
        if (auto ok = recordChanged(db, before, after); !ok)
            return ok;
        if (auto ok = syncRenewal(db, &before, after); !ok)
            return ok;
    }
    return {};
}

Result<Domain::Customer> CustomerService::create(const Domain::Customer &customer)
{
    auto registered = createWithContact(customer, std::nullopt);
    if (!registered)
        return registered.error();
    return registered->customer;
}

QString CustomerService::slugForId(const QString &name)
{
    // NFKD splits "é" into "e" + a combining accent, which the filter below drops.
    const QString decomposed = name.normalized(QString::NormalizationForm_KD).toLower();
    QString slug;
    slug.reserve(decomposed.size());
    bool pendingDash = false;
    for (const QChar ch : decomposed) {
        if (ch.category() == QChar::Mark_NonSpacing)
            continue;
        if ((ch >= u'a' && ch <= u'z') || (ch >= u'0' && ch <= u'9')) {
            if (pendingDash && !slug.isEmpty())
                slug += u'-';
            pendingDash = false;
            slug += ch;
        } else {
            pendingDash = true;
        }
    }
    if (slug.size() > kMaxSlugLength) {
        slug.truncate(kMaxSlugLength);
        while (slug.endsWith(u'-'))
            slug.chop(1);
    }
    return slug.isEmpty() ? u"customer"_s : slug;
}

Result<QString> CustomerService::suggestNewId(const QString &name) const
{
    const QString slug = slugForId(name);
    // One query for the slug and every "<slug>-<anything>"; the slug holds no LIKE wildcard ([a-z0-9-] only).
    auto q = Storage::exec(m_customers.database(),
        u"SELECT lower(id) FROM customers WHERE lower(id) = ? OR lower(id) LIKE ?"_s,
        { slug, QString(slug + u"-%"_s) });
    if (!q)
        return q.error();
    QSet<QString> taken;
    while (q->next())
        taken.insert(q->value(0).toString());
    if (!taken.contains(slug))
        return slug;
    for (qint64 n = 2;; ++n) {
        const QString candidate = slug + u'-' + QString::number(n);
        if (!taken.contains(candidate))
            return candidate;
    }
}

Result<CustomerService::Registered> CustomerService::createWithContact(
    const Domain::Customer &customer, std::optional<Domain::Contact> primaryContact)
{
    if (!customer.id.isEmpty())
        return createRegistered(customer, std::move(primaryContact));
    if (customer.name.trimmed().isEmpty())
        return Error::invalid(u"name"_s, u"is required (the id is made from it)"_s);
    // Another desktop may take the same id between suggestNewId() and the insert (PostgreSQL team mode): the
    // insert then fails with AlreadyExists and we ask again, a few times.
    constexpr int kAttempts = 3;
    for (int attempt = 1;; ++attempt) {
        auto id = suggestNewId(customer.name);
        if (!id)
            return id.error();
        Domain::Customer withId = customer;
        withId.id = *id;
        auto created = createRegistered(withId, primaryContact);
        if (created || created.error().code != ErrorCode::AlreadyExists || attempt == kAttempts)
            return created;
    }
}

Result<CustomerService::Registered> CustomerService::createRegistered(
    const Domain::Customer &customer, std::optional<Domain::Contact> primaryContact)
{
    Registered out;
    {
        Storage::Transaction tx(m_customers.database());
        if (!tx.isActive())
            return tx.beginError();
        auto created = m_customers.create(customer);
        if (!created)
            return created.error();
        out.customer = *created;
        if (auto ok = appendEvent(m_customers.database(), registeredEvent(*created)); !ok)
            return ok.error();
        if (auto ok = syncRenewal(m_customers.database(), nullptr, *created); !ok)
            return ok.error();
        if (primaryContact) {
            primaryContact->customerId = created->id;
            primaryContact->isPrimary = true;
            auto contact = Storage::ContactRepository(m_customers.database()).create(*primaryContact);
            if (!contact) {
                Error e = contact.error();
                if (!e.field.isEmpty())
                    e.field = u"primary_contact."_s + e.field;
                return e;
            }
            out.primaryContact = *contact;
        }
        if (auto committed = tx.commit(); !committed)
            return committed.error();
    }
    Q_EMIT customerAdded(out.customer.id);
    return out;
}

Result<QList<Domain::Contact>> CustomerService::contacts(const QString &customerId, int limit) const
{
    if (limit < 1 || limit > 200)
        return Error::invalid(u"limit"_s, u"must be between 1 and 200"_s);
    Storage::ListQuery query;
    query.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, customerId };
    query.orderBy = u"name"_s;
    query.limit = limit;
    query.countTotal = false;
    auto page = Storage::ContactRepository(m_customers.database()).list(query);
    if (!page)
        return page.error();
    QList<Domain::Contact> out;
    for (const auto &c : page->items)
        if (c.isPrimary)
            out << c;
    for (const auto &c : page->items)
        if (!c.isPrimary)
            out << c;
    return out;
}

Result<Domain::Customer> CustomerService::get(const QString &id) const
{
    return m_customers.get(id);
}

Result<Domain::Customer> CustomerService::update(const Domain::Customer &customer)
{
    Domain::Customer updated;
    {
        Storage::Transaction tx(m_customers.database());
        if (!tx.isActive())
            return tx.beginError();
        auto before = m_customers.get(customer.id);
        auto stored = m_customers.update(customer);
        if (!stored)
            return stored.error();
        if (!before) // cannot happen once the update found the row; keep the repository's answer
            return before.error();
        if (auto ok = recordChanged(m_customers.database(), *before, *stored); !ok)
            return ok.error();
        if (auto ok = syncRenewal(m_customers.database(), &*before, *stored); !ok)
            return ok.error();
        if (auto ok = tx.commit(); !ok)
            return ok.error();
        updated = *stored;
    }
    Q_EMIT customerChanged(updated.id);
    return updated;
}

Status CustomerService::remove(const QString &id, int expectedVersion)
{
    {
        Storage::Transaction tx(m_customers.database());
        if (!tx.isActive())
            return tx.beginError();
        if (auto removed = m_customers.softDelete(id, expectedVersion); !removed)
            return removed;
        auto gone = m_customers.get(id, true);
        if (!gone)
            return gone.error();
        if (auto ok = TimelineService::append(m_customers.database(), id, gone->meta.deletedAt,
                Domain::TimelineEventKind::Lifecycle, u"Customer removed: "_s + gone->name,
                { { u"arr"_s, gone->arr }, { u"status"_s, Domain::enumName(gone->status) } }, u"customers"_s, id);
            !ok)
            return ok.error();
        if (auto ok = tx.commit(); !ok)
            return ok;
    }
    Q_EMIT customerRemoved(id);
    return {};
}

Result<Storage::Page<Domain::Customer>> CustomerService::list(const Storage::ListQuery &query) const
{
    return m_customers.list(query);
}

Result<qint64> CustomerService::count(const Storage::ListQuery &query) const
{
    // The repository counts alongside a page; a one-row page from the start of the query's own (indexed) order
    // costs next to nothing beside the count.
    Storage::ListQuery counting = query;
    counting.cursor.clear();
    counting.limit = 1;
    counting.countTotal = true;
    auto page = m_customers.list(counting);
    if (!page)
        return page.error();
    return page->total;
}

Result<QStringList> CustomerService::suggestIds(const QString &prefix, int limit) const
{
    if (limit < 1 || limit > 100)
        return Error::invalid(u"limit"_s, u"must be between 1 and 100"_s);
    // LIKE patterns with the user's text escaped: '%' and '_' in an id are literal characters.
    QString escaped = prefix.toLower();
    escaped.replace(u"\\"_s, u"\\\\"_s).replace(u"%"_s, u"\\%"_s).replace(u"_"_s, u"\\_"_s);
    const QString starts = escaped + u'%';
    const QString contains = u'%' + escaped + u'%';
    const QString sql = uR"(SELECT id FROM customers
WHERE deleted_at IS NULL AND (LOWER(id) LIKE ? ESCAPE '\' OR LOWER(name) LIKE ? ESCAPE '\')
ORDER BY CASE WHEN LOWER(id) LIKE ? ESCAPE '\' THEN 0
              WHEN LOWER(name) LIKE ? ESCAPE '\' THEN 1
              WHEN LOWER(id) LIKE ? ESCAPE '\' THEN 2
              ELSE 3 END, id
LIMIT ?)"_s;
    auto q = Storage::exec(m_customers.database(), sql, { contains, contains, starts, starts, contains, limit });
    if (!q)
        return q.error();
    QStringList ids;
    while (q->next())
        ids << q->value(0).toString();
    return ids;
}

Result<QList<Domain::Contract>> CustomerService::contracts(const QString &customerId, int limit) const
{
    if (limit < 1 || limit > 200)
        return Error::invalid(u"limit"_s, u"must be between 1 and 200"_s);
    if (auto customer = m_customers.get(customerId); !customer)
        return Error::notFound(u"customer_id"_s, customer.error().message);
    Storage::ListQuery query;
    query.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, customerId };
    query.orderBy = u"start_date"_s;
    query.descending = true;
    query.limit = limit;
    query.countTotal = false;
    auto page = Storage::ContractRepository(m_customers.database()).list(query);
    if (!page)
        return page.error();
    return page->items;
}

Result<Domain::Contract> CustomerService::contract(qint64 contractId) const
{
    auto c = Storage::ContractRepository(m_customers.database()).get(contractId);
    if (!c && c.error().code == ErrorCode::NotFound)
        return Error::notFound(u"contract_id"_s, u"no contract with id %1"_s.arg(contractId));
    return c;
}

Status CustomerService::followCurrentContract(const Domain::Contract &contract, QStringList &fieldsUpdated)
{
    const Storage::Database &db = m_customers.database();
    auto current = Storage::exec(db,
        u"SELECT id FROM contracts WHERE customer_id = ? AND deleted_at IS NULL AND status = 'active' "
        "ORDER BY end_date DESC, start_date DESC, id DESC LIMIT 1"_s,
        { contract.customerId });
    if (!current)
        return current.error();
    if (!current->next() || current->value(0).toLongLong() != contract.id)
        return {};
    auto before = m_customers.get(contract.customerId);
    if (!before)
        return before.error();
    if (before->status != Domain::CustomerStatus::Active && before->status != Domain::CustomerStatus::Trial)
        return {};
    Domain::Customer after = *before;
    after.contractStart = contract.startDate;
    after.contractEnd = contract.endDate;
    after.renewalDate = contract.endDate;
    if (after.contractStart != before->contractStart)
        fieldsUpdated << u"contract_start"_s;
    if (after.contractEnd != before->contractEnd)
        fieldsUpdated << u"contract_end"_s;
    if (after.renewalDate != before->renewalDate)
        fieldsUpdated << u"renewal_date"_s;
    if (fieldsUpdated.isEmpty())
        return {};
    auto stored = m_customers.update(after);
    if (!stored)
        return stored.error();
    if (auto ok = recordChanged(db, *before, *stored); !ok)
        return ok;
    return syncRenewal(db, &*before, *stored);
}

Result<CustomerService::ContractWritten> CustomerService::recordContract(const Domain::Contract &contract)
{
    const Storage::Database &db = m_customers.database();
    Storage::Transaction tx(db);
    if (!tx.isActive())
        return tx.beginError();
    if (auto customer = m_customers.get(contract.customerId); !customer) {
        if (customer.error().code == ErrorCode::NotFound)
            return Error::notFound(u"customer_id"_s, u"no customer with id \"%1\""_s.arg(contract.customerId));
        return customer.error();
    }
    if (auto ok = contract.validate(); !ok)
        return ok.error();
    if (auto ok = checkContractNumberFree(db, contract, 0); !ok)
        return ok.error();
    Domain::Contract fresh = contract;
    fresh.id = 0;
    auto created = Storage::ContractRepository(db).create(fresh);
    if (!created)
        return created.error();
    return completeContractWrite(tx, nullptr, *created);
}

Result<CustomerService::ContractWritten> CustomerService::updateContract(const Domain::Contract &contract)
{
    const Storage::Database &db = m_customers.database();
    Storage::Transaction tx(db);
    if (!tx.isActive())
        return tx.beginError();
    Storage::ContractRepository contracts(db);
    auto before = contracts.get(contract.id);
    if (!before) {
        if (before.error().code == ErrorCode::NotFound)
            return Error::notFound(u"contract_id"_s, u"no contract with id %1"_s.arg(contract.id));
        return before.error();
    }
    if (contract.customerId != before->customerId)
        return Error::invalid(u"customer_id"_s,
            u"contract %1 belongs to customer \"%2\"; a contract cannot move to another customer"_s.arg(
                QString::number(contract.id), before->customerId));
    if (contract.meta.version != before->meta.version)
        return Error::conflict(u"version"_s,
            u"the contract changed since version %1 (it is now version %2); read it again and reapply your "
            u"change"_s.arg(contract.meta.version)
                .arg(before->meta.version));
    if (auto ok = contract.validate(); !ok)
        return ok.error();
    if (sameContract(*before, contract))
        return ContractWritten { *before, {} }; // nothing to write: no new version, no event
    if (auto ok = checkContractNumberFree(db, contract, contract.id); !ok)
        return ok.error();
    auto stored = contracts.update(contract);
    if (!stored)
        return stored.error();
    return completeContractWrite(tx, &*before, *stored);
}

Result<CustomerService::ContractWritten> CustomerService::completeContractWrite(
    Storage::Transaction &tx, const Domain::Contract *before, const Domain::Contract &stored)
{
    ContractWritten out { stored, {} };
    if (auto ok = recordContractEvent(m_customers.database(), before, stored); !ok)
        return ok.error();
    if (auto ok = followCurrentContract(stored, out.customerFieldsUpdated); !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT customerChanged(stored.customerId);
    return out;
}

} // namespace Core
