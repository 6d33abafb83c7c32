// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// CommunicationService: personalisation (unknown placeholders are errors), e-mail through the outbox with
// deterministic idempotency keys, trigger → action workflows with a cooldown, newsletters (audience, schedule,
// one queued message per recipient), community and advocacy figures (points and tiers), executive reviews
// prepared from data, on an empty database and on a generated demo portfolio. Built twice: SQLite (label unit)
// and PostgreSQL (label pg).
#include <cmath>
#include <memory>

#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "communicationservice.h"
#include "demoportfolio.h"
#include "sql.h"
#include "tables_engagement.h"
#include "tables_operations.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using namespace Domain;
using Core::ErrorCode;

namespace {

class TestClock final : public Core::Clock
{
public:
    QDateTime now() const override { return m_now; }
    void set(const QDateTime &now) { m_now = now.toUTC(); }
    void advanceDays(int days) { m_now = m_now.addDays(days); }

private:
    QDateTime m_now;
};

const QDate Today(2026, 6, 15);
const QDateTime Now(Today, QTime(12, 0), QTimeZone::utc());

#define CHECK_OK(expr)                                                                                                 \
    do {                                                                                                               \
        const auto &result_ = (expr);                                                                                  \
        QVERIFY2(result_.ok(), result_.ok() ? "" : qPrintable(result_.error().toString()));                            \
    } while (false)

Core::Personalisation::Values sampleValues()
{
    Core::Personalisation::Values v;
    for (const QString &key : Core::Personalisation::builtInPlaceholders())
        v.insert(key, QString());
    v[u"customer.name"_s] = u"Acme Corp"_s;
    v[u"contact.first_name"_s] = u"Ada"_s;
    v[u"csm.name"_s] = u""_s; // a customer without an owner
    v[u"offer"_s] = u"20 %"_s;
    return v;
}

} // namespace

class TestCommunicationService final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestClock m_clock;

    Storage::Database &db() { return m_fixture->db(); }

    void sql(const QString &statement, const QVariantList &bindings = {})
    {
        auto r = Storage::exec(db(), statement, bindings);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().toString() + u" in "_s + statement));
    }

    qint64 count(const QString &statement, const QVariantList &bindings = {})
    {
        auto r = Storage::exec(db(), statement, bindings);
        if (!r || !r->next()) {
            qWarning() << (r ? u"no row"_s : r.error().toString()) << statement;
            return -1;
        }
        return r->value(0).toLongLong();
    }

    qint64 insertId(const QString &statement, const QVariantList &bindings)
    {
        auto r = Storage::exec(db(), statement + u" RETURNING id"_s, bindings);
        if (!r || !r->next()) {
            qWarning() << (r ? u"no id"_s : r.error().toString()) << statement;
            return 0;
        }
        return r->value(0).toLongLong();
    }

    void customer(const QString &id, const QString &owner = u"Dana Scully"_s, const QString &tier = u"enterprise"_s,
        const QString &status = u"active"_s)
    {
        sql(u"INSERT INTO customers (id, name, owner, tier, status, arr, churned_at) VALUES (?, ?, ?, ?, ?, 50000, ?)"_s,
            { id, u"%1 Corp"_s.arg(id), Storage::Convert::toSql(owner), tier, status,
                Storage::Convert::toSql(status == u"churned"_s ? Today.addDays(-3) : QDate()) });
    }

    qint64 contact(const QString &customerId, const QString &name, const QString &email, bool primary = true,
        const QString &role = {})
    {
        return insertId(u"INSERT INTO contacts (customer_id, name, email, is_primary, role) VALUES (?, ?, ?, ?, ?)"_s,
            { customerId, name, Storage::Convert::toSql(email), primary, Storage::Convert::toSql(role) });
    }

    qint64 makeTemplate(Core::CommunicationService &service, const QString &name, const QString &subject,
        const QString &body, const QStringList &variables = {})
    {
        EmailTemplate t;
        t.name = name;
        t.subject = subject;
        t.body = body;
        t.variables = variables;
        auto created = service.createTemplate(t);
        if (!created) {
            qWarning() << created.error().toString();
            return 0;
        }
        return created->id;
    }

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
    }

    void init()
    {
        m_clock.set(Now);
        for (const QString &table : { u"outbox"_s, u"communication_workflows"_s, u"newsletters"_s, u"email_templates"_s,
                 u"customers"_s, u"segments"_s })
            sql(u"DELETE FROM "_s + table);
    }

    void cleanupTestCase() { m_fixture.reset(); }

    // ---- pure functions -------------------------------------------------------------------------------------------

    void render_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("error"); // part of the error message; empty = renders
        QTest::addRow("plain") << u"Hello"_s << u"Hello"_s << QString();
        QTest::addRow("two placeholders")
            << u"Hi {{contact.first_name}} at {{customer.name}}"_s << u"Hi Ada at Acme Corp"_s << QString();
        QTest::addRow("spaces inside braces") << u"{{ customer.name }}!"_s << u"Acme Corp!"_s << QString();
        QTest::addRow("repeated and adjacent") << u"{{offer}}{{offer}}"_s << u"20 %20 %"_s << QString();
        QTest::addRow("unknown") << u"Dear {{customer.nickname}}"_s << QString()
                                 << u"unknown placeholder {{customer.nickname}}"_s;
        QTest::addRow("known without a value") << u"From {{csm.name}}"_s << QString() << u"{{csm.name}} has no value"_s;
        QTest::addRow("context placeholder outside its context")
            << u"{{edition.title}}"_s << QString() << u"{{edition.title}} has no value"_s;
        QTest::addRow("not a name") << u"{{first name}}"_s << QString() << u"is not a placeholder"_s;
        QTest::addRow("single braces are text") << u"{customer.name}"_s << u"{customer.name}"_s << QString();
    }
    void render()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QFETCH(QString, error);
        auto rendered = Core::Personalisation::render(text, sampleValues(), u"body"_s);
        QCOMPARE(rendered.ok(), error.isEmpty());
        if (rendered) {
            QCOMPARE(*rendered, expected);
        } else {
            QCOMPARE(rendered.error().field, u"body"_s);
            QVERIFY2(rendered.error().message.contains(error), qPrintable(rendered.error().message));
        }
    }

    void placeholdersIn()
    {
        QCOMPARE(Core::Personalisation::placeholdersIn(u"{{a}} {{ b.c }} {{a}}"_s), QStringList({ u"a"_s, u"b.c"_s }));
        QVERIFY(Core::Personalisation::placeholdersIn(u"none"_s).isEmpty());
    }

    void advocacyTiers_data()
    {
        QTest::addColumn<int>("points");
        QTest::addColumn<QString>("tier");
        QTest::addRow("none") << 0 << u"bronze"_s;
        QTest::addRow("99") << 99 << u"bronze"_s;
        QTest::addRow("100") << 100 << u"silver"_s;
        QTest::addRow("249") << 249 << u"silver"_s;
        QTest::addRow("250") << 250 << u"gold"_s;
        QTest::addRow("499") << 499 << u"gold"_s;
        QTest::addRow("500") << 500 << u"platinum"_s;
        QTest::addRow("5000") << 5000 << u"platinum"_s;
    }
    void advocacyTiers()
    {
        QFETCH(int, points);
        QFETCH(QString, tier);
        QCOMPARE(Domain::enumName(Core::AdvocacyRules::tierFor(points)), tier);
    }

    void contributionPoints()
    {
        using K = ContributionKind;
        QCOMPARE(Core::AdvocacyRules::pointsFor(K::ReferenceCall), 50);
        QCOMPARE(Core::AdvocacyRules::pointsFor(K::CaseStudy), 100);
        QCOMPARE(Core::AdvocacyRules::pointsFor(K::Review), 30);
        QCOMPARE(Core::AdvocacyRules::pointsFor(K::Referral), 75);
        QCOMPARE(Core::AdvocacyRules::pointsFor(K::Speaking), 80);
        QCOMPARE(Core::AdvocacyRules::pointsFor(K::Community), 10);
    }

    void netPromoterScore_data()
    {
        QTest::addColumn<qint64>("promoters");
        QTest::addColumn<qint64>("passives");
        QTest::addColumn<qint64>("detractors");
        QTest::addColumn<double>("nps"); // NaN = none
        QTest::addRow("typical") << qint64(5) << qint64(3) << qint64(2) << 30.0;
        QTest::addRow("no answers") << qint64(0) << qint64(0) << qint64(0) << std::nan("");
        QTest::addRow("one promoter") << qint64(1) << qint64(0) << qint64(0) << 100.0;
        QTest::addRow("all detractors") << qint64(0) << qint64(0) << qint64(3) << -100.0;
        QTest::addRow("all equal") << qint64(2) << qint64(2) << qint64(2) << 0.0;
        QTest::addRow("passives only") << qint64(0) << qint64(4) << qint64(0) << 0.0;
    }
    void netPromoterScore()
    {
        QFETCH(qint64, promoters);
        QFETCH(qint64, passives);
        QFETCH(qint64, detractors);
        QFETCH(double, nps);
        const auto value = Core::netPromoterScore(promoters, passives, detractors);
        QCOMPARE(value.has_value(), !std::isnan(nps));
        if (value)
            QCOMPARE(*value, nps);
    }

    // ---- templates and e-mail ------------------------------------------------------------------------------------

    void templates()
    {
        Core::CommunicationService service(db(), m_clock);
        EmailTemplate t;
        t.name = u"Renewal"_s;
        t.subject = u"Your renewal, {{contact.first_name}}"_s;
        t.body = u"{{csm.name}} here: {{offer}} off if you renew"_s;
        auto unknown = service.createTemplate(t);
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().field, u"body"_s);
        QVERIFY(unknown.error().message.contains(u"{{offer}}"_s));
        t.variables = { u"offer"_s };
        auto created = service.createTemplate(t);
        CHECK_OK(created);
        auto duplicate = service.createTemplate(t);
        QVERIFY(!duplicate);
        QCOMPARE(duplicate.error().code, ErrorCode::AlreadyExists);
        auto list = service.listTemplates();
        CHECK_OK(list);
        QCOMPARE(list->total, 1);
        CHECK_OK(service.removeTemplate(created->id));
        QCOMPARE(service.emailTemplate(created->id).error().field, u"template_id"_s);
    }

    void sendPersonalizedEmail()
    {
        customer(u"ACME"_s);
        customer(u"OTHER"_s);
        const qint64 ada = contact(u"ACME"_s, u"Ada Lovelace"_s, u"ada@acme.test"_s);
        const qint64 grace = contact(u"ACME"_s, u"Grace Hopper"_s, u"grace@acme.test"_s, false, u"champion"_s);
        const qint64 noMail = contact(u"ACME"_s, u"Nomail Person"_s, QString(), false);
        const qint64 foreign = contact(u"OTHER"_s, u"Olga Other"_s, u"olga@other.test"_s);
        Core::CommunicationService service(db(), m_clock);
        const qint64 templateId = makeTemplate(service, u"Offer"_s, u"An offer for {{customer.name}}"_s,
            u"Dear {{contact.first_name}}, {{offer}} off. {{csm.name}}"_s, { u"offer"_s });
        QSignalSpy queuedSpy(&service, &Core::CommunicationService::communicationQueued);

        Core::EmailRequest request;
        request.customerId = u"ACME"_s;
        request.templateId = templateId;
        request.variables = { { u"offer"_s, 20 } };
        auto sent = service.sendPersonalizedEmail(request);
        CHECK_OK(sent);
        QCOMPARE(sent->queued, 1);
        QCOMPARE(queuedSpy.count(), 1);
        const auto &m = sent->messages.first();
        QCOMPARE(*m.communication.contactId, ada); // the primary contact by default
        QCOMPARE(m.communication.subject, u"An offer for ACME Corp"_s);
        QCOMPARE(m.communication.body, u"Dear Ada, 20 off. Dana Scully"_s);
        QCOMPARE(m.communication.status, CommunicationStatus::Queued);
        QCOMPARE(m.communication.sender, u"Dana Scully"_s);
        QCOMPARE(m.outbox.kind, OutboxKind::Email);
        QCOMPARE(m.outbox.target, IntegrationVendor::Sendgrid);
        QCOMPARE(m.outbox.status, OutboxStatus::Pending);
        QCOMPARE(m.outbox.payload.value(u"to"_s).toString(), u"ada@acme.test"_s);
        QCOMPARE(m.outbox.payload.value(u"communication_id"_s).toLongLong(), m.communication.id);
        QCOMPARE(m.outbox.idempotencyKey, m.communication.outboxIdempotencyKey);
        QVERIFY(m.outbox.idempotencyKey.startsWith(u"email:ACME:%1:"_s.arg(ada)));
        QVERIFY(m.outbox.idempotencyKey.endsWith(u":2026-06-15"_s));
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events WHERE customer_id = 'ACME' AND kind = 'email' AND "
                       "source_table = 'communications'"_s),
            1);

        // The same e-mail again the same day (an agent's retry) queues nothing new.
        auto retry = service.sendPersonalizedEmail(request);
        CHECK_OK(retry);
        QCOMPARE(retry->queued, 0);
        QCOMPARE(retry->alreadyQueued, 1);
        QCOMPARE(retry->messages.first().communication.id, m.communication.id);
        QCOMPARE(count(u"SELECT COUNT(*) FROM outbox"_s), 1);
        // A caller key makes its own idempotency.
        request.requestKey = u"campaign-42"_s;
        auto keyed = service.sendPersonalizedEmail(request);
        CHECK_OK(keyed);
        QCOMPARE(keyed->messages.first().outbox.idempotencyKey, u"email:req:campaign-42:contact:%1"_s.arg(ada));
        CHECK_OK(service.sendPersonalizedEmail(request));
        QCOMPARE(count(u"SELECT COUNT(*) FROM outbox"_s), 2);

        // By role; explicit contacts; all-or-nothing on an unreachable one.
        Core::EmailRequest byRole;
        byRole.customerId = u"ACME"_s;
        byRole.recipientRole = ContactRole::Champion;
        byRole.subject = u"Hello {{contact.first_name}}"_s;
        byRole.body = u"Thanks for championing us at {{customer.name}}."_s;
        auto champion = service.sendPersonalizedEmail(byRole);
        CHECK_OK(champion);
        QCOMPARE(*champion->messages.first().communication.contactId, grace);
        QCOMPARE(champion->messages.first().communication.subject, u"Hello Grace"_s);

        const qint64 before = count(u"SELECT COUNT(*) FROM outbox"_s);
        Core::EmailRequest many = byRole;
        many.recipientRole.reset();
        many.contactIds = { ada, noMail };
        auto partial = service.sendPersonalizedEmail(many);
        QVERIFY(!partial);
        QCOMPARE(partial.error().field, u"contact_ids"_s);
        many.contactIds = { ada, foreign };
        auto stranger = service.sendPersonalizedEmail(many);
        QVERIFY(!stranger);
        QCOMPARE(stranger.error().field, u"contact_ids"_s);
        Core::EmailRequest unknown = byRole;
        unknown.body = u"{{discount}} for you"_s;
        auto literal = service.sendPersonalizedEmail(unknown);
        QVERIFY(!literal);
        QCOMPARE(literal.error().field, u"body"_s);
        QVERIFY(literal.error().message.contains(u"{{discount}}"_s));
        QCOMPARE(count(u"SELECT COUNT(*) FROM outbox"_s), before); // nothing queued by the failed calls

        Core::EmailRequest both = request;
        both.subject = u"x"_s;
        QCOMPARE(service.sendPersonalizedEmail(both).error().field, u"template_id"_s);
        Core::EmailRequest nobody;
        nobody.customerId = u"NOPE"_s;
        nobody.subject = u"x"_s;
        nobody.body = u"y"_s;
        auto missing = service.sendPersonalizedEmail(nobody);
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        QCOMPARE(missing.error().field, u"customer_id"_s);

        auto page = service.listCommunications({ u"ACME"_s, {}, {}, 25, {} });
        CHECK_OK(page);
        QCOMPARE(page->total, 3);
    }

    // ---- workflows
    // ---------------------------------------------------------------------------------------------------

    void validateWorkflow_data()
    {
        QTest::addColumn<QVariantMap>("trigger");
        QTest::addColumn<QVariantList>("actions");
        QTest::addColumn<QString>("errorField");
        const QVariantList task { QVariantMap { { u"type"_s, u"create_task"_s }, { u"title"_s, u"Call"_s } } };
        QTest::addRow("valid") << QVariantMap { { u"signal"_s, u"detractor"_s } } << task << QString();
        QTest::addRow("no signal") << QVariantMap() << task << u"trigger_config.signal"_s;
        QTest::addRow("manual is no signal")
            << QVariantMap { { u"signal"_s, u"manual"_s } } << task << u"trigger_config.signal"_s;
        QTest::addRow("threshold of another signal") << QVariantMap { { u"signal"_s, u"detractor"_s },
            { u"drop_points"_s, 10 } } << task << u"trigger_config.drop_points"_s;
        QTest::addRow("cooldown 0") << QVariantMap { { u"signal"_s, u"detractor"_s }, { u"cooldown_days"_s, 0 } }
                                    << task << u"trigger_config.cooldown_days"_s;
        QTest::addRow("no actions") << QVariantMap { { u"signal"_s, u"detractor"_s } } << QVariantList()
                                    << u"actions"_s;
        QTest::addRow("bad type") << QVariantMap { { u"signal"_s, u"detractor"_s } }
                                  << QVariantList { QVariantMap { { u"type"_s, u"fax"_s } } } << u"actions[0].type"_s;
        QTest::addRow("task without title")
            << QVariantMap { { u"signal"_s, u"detractor"_s } }
            << QVariantList { QVariantMap { { u"type"_s, u"create_task"_s } } } << u"actions[0].title"_s;
        QTest::addRow("e-mail without template")
            << QVariantMap { { u"signal"_s, u"usage_decline"_s } }
            << QVariantList { QVariantMap { { u"type"_s, u"send_email"_s } } } << u"actions[0].template_id"_s;
        QTest::addRow("unknown role") << QVariantMap { { u"signal"_s, u"usage_decline"_s } }
                                      << QVariantList { QVariantMap { { u"type"_s, u"send_email"_s },
                                             { u"template_id"_s, 1 }, { u"recipient_role"_s, u"boss"_s } } }
                                      << u"actions[0].recipient_role"_s;
    }
    void validateWorkflow()
    {
        QFETCH(QVariantMap, trigger);
        QFETCH(QVariantList, actions);
        QFETCH(QString, errorField);
        auto ok = Core::CommunicationService::validateWorkflow(trigger, actions);
        QCOMPARE(ok.ok(), errorField.isEmpty());
        if (!ok)
            QCOMPARE(ok.error().field, errorField);
    }

    void runWorkflows()
    {
        customer(u"SAD"_s);
        customer(u"HAPPY"_s);
        contact(u"SAD"_s, u"Sam Sad"_s, u"sam@sad.test"_s);
        contact(u"HAPPY"_s, u"Hal Happy"_s, u"hal@happy.test"_s);
        sql(u"INSERT INTO survey_responses (customer_id, kind, score, responded_at) VALUES ('SAD', 'nps', 3, ?)"_s,
            { Storage::Convert::toSql(Now.addDays(-2)) });
        sql(u"INSERT INTO survey_responses (customer_id, kind, score, responded_at) VALUES ('HAPPY', 'nps', 10, ?)"_s,
            { Storage::Convert::toSql(Now.addDays(-2)) });
        Core::CommunicationService service(db(), m_clock);
        const qint64 templateId = makeTemplate(
            service, u"Sorry"_s, u"We hear you, {{contact.first_name}}"_s, u"{{csm.name}} will call you."_s);
        CommunicationWorkflow w;
        w.name = u"Detractor recovery"_s;
        w.isActive = true;
        w.triggerConfig = { { u"signal"_s, u"detractor"_s }, { u"lookback_days"_s, 7 } };
        w.actions = { QVariantMap { { u"type"_s, u"send_email"_s }, { u"template_id"_s, templateId } },
            QVariantMap { { u"type"_s, u"create_task"_s }, { u"title"_s, u"Call {{customer.name}}"_s },
                { u"priority"_s, u"urgent"_s } } };
        auto created = service.createWorkflow(w);
        CHECK_OK(created);
        QCOMPARE(created->triggerConfig.value(u"cooldown_days"_s).toInt(), 30); // normalised with defaults
        QCOMPARE(created->triggerConfig.value(u"max_score"_s).toInt(), 6);

        auto runs = service.runWorkflows();
        CHECK_OK(runs);
        QCOMPARE(runs->size(), 1);
        const auto &run = runs->first();
        QCOMPARE(run.matched, 1);
        QCOMPARE(run.fired, 1);
        QCOMPARE(run.actionsPerformed, 2);
        QCOMPARE(count(u"SELECT COUNT(*) FROM communications WHERE customer_id = 'SAD' AND workflow_id = ?"_s,
                     { created->id }),
            1);
        QCOMPARE(
            count(u"SELECT COUNT(*) FROM tasks WHERE customer_id = 'SAD' AND priority = 'urgent' AND source_ref = ?"_s,
                { u"workflow:%1"_s.arg(created->id) }),
            1);
        QCOMPARE(count(u"SELECT COUNT(*) FROM outbox WHERE idempotency_key = ?"_s,
                     { u"workflow:%1:SAD:0:2026-06-15"_s.arg(created->id) }),
            1);
        auto stamped = service.workflow(created->id);
        CHECK_OK(stamped);
        QCOMPARE(stamped->lastTriggeredAt, Now);

        // Within the cooldown the same customer is left alone.
        m_clock.advanceDays(1);
        auto again = service.runWorkflows(created->id);
        CHECK_OK(again);
        QCOMPARE(again->first().inCooldown, 1);
        QCOMPARE(again->first().fired, 0);
        QCOMPARE(count(u"SELECT COUNT(*) FROM outbox"_s), 1);

        CommunicationWorkflow off = *stamped;
        off.isActive = false;
        CHECK_OK(service.updateWorkflow(off));
        QCOMPARE(service.runWorkflows(created->id).error().field, u"workflow_id"_s);
    }

    // ---- newsletters
    // -------------------------------------------------------------------------------------------------

    void newsletters()
    {
        customer(u"E1"_s, u"Dana"_s, u"enterprise"_s);
        customer(u"E2"_s, u"Dana"_s, u"enterprise"_s);
        customer(u"E3"_s, u"Dana"_s, u"enterprise"_s, u"churned"_s);
        customer(u"S1"_s, u"Dana"_s, u"smb"_s);
        contact(u"E1"_s, u"Anna Admin"_s, u"anna@e1.test"_s, true, u"admin"_s);
        contact(u"E1"_s, u"Bert Buyer"_s, u"bert@e1.test"_s, false, u"economic_buyer"_s);
        contact(u"E2"_s, u"Cleo Admin"_s, QString(), true, u"admin"_s); // no address
        contact(u"E2"_s, u"Dirk Admin"_s, u"dirk@e2.test"_s, false, u"admin"_s);
        contact(u"E3"_s, u"Eve Admin"_s, u"eve@e3.test"_s, true, u"admin"_s); // churned customer
        contact(u"S1"_s, u"Finn Admin"_s, u"finn@s1.test"_s, true, u"admin"_s); // not in the audience
        Core::CommunicationService service(db(), m_clock);

        Newsletter n;
        n.name = u"Admin digest"_s;
        n.audience = { { u"criteria"_s, QVariantMap { { u"tier"_s, u"enterprise"_s } } },
            { u"contact_roles"_s, QVariantList { u"admin"_s } } };
        n.schedule = { { u"cadence"_s, u"monthly"_s }, { u"day"_s, 1 } };
        auto created = service.createNewsletter(n);
        CHECK_OK(created);
        Newsletter bad = n;
        bad.name = u"Bad"_s;
        bad.audience = { { u"contact_roles"_s, QVariantList { u"ceo"_s } } };
        QCOMPARE(service.createNewsletter(bad).error().field, u"audience.contact_roles"_s);
        bad.audience = {};
        bad.schedule = { { u"cadence"_s, u"weekly"_s }, { u"day"_s, 9 } };
        QCOMPARE(service.createNewsletter(bad).error().field, u"schedule.day"_s);

        auto audience = service.audience(created->id);
        CHECK_OK(audience);
        QCOMPARE(audience->customers, 2); // E1, E2 (E3 churned, S1 smb)
        QCOMPARE(audience->recipients, 2); // Anna, Dirk
        QCOMPARE(audience->contactsWithoutEmail, 1); // Cleo

        NewsletterEdition e;
        e.newsletterId = created->id;
        e.title = u"June"_s;
        e.sections = { QVariantMap { { u"heading"_s, u"New"_s }, { u"body"_s, u"Reports for {{customer.name}}"_s } },
            QVariantMap { { u"body"_s, u"See you, {{contact.first_name}}"_s } } };
        auto edition = service.createEdition(e);
        CHECK_OK(edition);
        NewsletterEdition badEdition = e;
        badEdition.sections = { QVariantMap { { u"heading"_s, u"No body"_s } } };
        QCOMPARE(service.createEdition(badEdition).error().field, u"sections[0].body"_s);
        QCOMPARE(service.scheduleEdition(edition->id, Now.addDays(-1)).error().field, u"scheduled_for"_s);
        auto scheduled = service.scheduleEdition(edition->id, Now.addDays(2));
        CHECK_OK(scheduled);
        QCOMPARE(scheduled->status, NewsletterEditionStatus::Scheduled);
        QCOMPARE(scheduled->recipientCount, 2);

        auto early = service.sendDueEditions();
        CHECK_OK(early);
        QVERIFY(early->isEmpty());
        m_clock.advanceDays(2);
        auto due = service.sendDueEditions();
        CHECK_OK(due);
        QCOMPARE(due->size(), 1);
        QCOMPARE(due->first().queued, 2);
        QCOMPARE(due->first().edition.status, NewsletterEditionStatus::Sent);
        QCOMPARE(due->first().edition.recipientCount, 2);
        auto body = Storage::exec(db(), u"SELECT body, subject FROM communications WHERE customer_id = 'E1'"_s);
        QVERIFY(body && body->next());
        QCOMPARE(body->value(0).toString(), u"New\n\nReports for E1 Corp\n\nSee you, Anna"_s);
        QCOMPARE(body->value(1).toString(), u"June"_s);
        QCOMPARE(count(u"SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE ?"_s,
                     { u"newsletter_edition:%1:contact:%"_s.arg(edition->id) }),
            2);
        QCOMPARE(service.sendEdition(edition->id).error().field, u"status"_s); // sent once

        // With a template: {{edition.title}} and {{edition.content}} stand for the edition.
        const qint64 templateId = makeTemplate(service, u"Digest"_s, u"{{edition.title}} for {{customer.name}}"_s,
            u"Hi {{contact.first_name}}\n\n{{edition.content}}"_s);
        Newsletter templated = *service.newsletter(created->id);
        templated.templateId = templateId;
        CHECK_OK(service.updateNewsletter(templated));
        NewsletterEdition july = e;
        july.title = u"July"_s;
        july.sections = { QVariantMap { { u"body"_s, u"Summer release for {{customer.name}}"_s } } };
        auto second = service.createEdition(july);
        CHECK_OK(second);
        auto sent = service.sendEdition(second->id);
        CHECK_OK(sent);
        QCOMPARE(sent->queued, 2);
        auto templatedMail = Storage::exec(db(),
            u"SELECT subject, body FROM communications WHERE customer_id = 'E2' AND template_id = ?"_s, { templateId });
        QVERIFY(templatedMail && templatedMail->next());
        QCOMPARE(templatedMail->value(0).toString(), u"July for E2 Corp"_s);
        QCOMPARE(templatedMail->value(1).toString(), u"Hi Dirk\n\nSummer release for E2 Corp"_s);
    }

    // ---- community and advocacy
    // --------------------------------------------------------------------------------------

    void community()
    {
        Core::CommunicationService service(db(), m_clock);
        auto empty = service.communityStats();
        CHECK_OK(empty);
        QVERIFY(!empty->hasData);
        QVERIFY(!empty->reason.isEmpty());

        customer(u"K1"_s);
        customer(u"K2"_s);
        const qint64 other = contact(u"K2"_s, u"Kim"_s, u"kim@k2.test"_s);
        CommunityMember m;
        m.customerId = u"K1"_s;
        m.handle = u"ada"_s;
        auto ada = service.addMember(m);
        CHECK_OK(ada);
        QCOMPARE(ada->joinedAt, Now);
        m.handle = u"ADA"_s;
        QCOMPARE(service.addMember(m).error().code, ErrorCode::AlreadyExists);
        m.handle = u"kim"_s;
        m.contactId = other; // a contact of K2, not of K1
        QCOMPARE(service.addMember(m).error().field, u"contact_id"_s);
        m.customerId = u"K2"_s;
        auto kim = service.addMember(m);
        CHECK_OK(kim);

        auto post = [&](qint64 member, CommunityPostKind kind, CommunityPostStatus status, int replies, int upvotes,
                        int daysAgo) {
            CommunityPost p;
            p.memberId = member;
            p.title = u"Post"_s;
            p.kind = kind;
            p.status = status;
            p.replyCount = replies;
            p.upvotes = upvotes;
            p.postedAt = Now.addDays(-daysAgo);
            auto created = service.createPost(p);
            QVERIFY2(created.ok(), created.ok() ? "" : qPrintable(created.error().toString()));
        };
        using K = CommunityPostKind;
        using S = CommunityPostStatus;
        post(ada->id, K::Question, S::Answered, 4, 3, 1);
        post(ada->id, K::Question, S::Open, 0, 0, 2);
        post(ada->id, K::Idea, S::Open, 2, 10, 5);
        post(kim->id, K::Question, S::Answered, 6, 1, 3);
        post(kim->id, K::Discussion, S::Closed, 3, 0, 200); // outside the 90 days
        auto stats = service.communityStats();
        CHECK_OK(stats);
        QVERIFY(stats->hasData);
        QCOMPARE(stats->membersByStatus.value(u"active"_s), 2);
        QCOMPARE(stats->posts, 4);
        QCOMPARE(stats->questions, 3);
        QCOMPARE(stats->questionsAnswered, 2);
        QCOMPARE(*stats->answerRate, 2.0 / 3.0);
        QCOMPARE(*stats->repliesPerPost, 12.0 / 4.0);
        QCOMPARE(stats->topContributors.first().handle, u"ada"_s);
        QCOMPARE(stats->topContributors.first().posts, 3);
        QCOMPARE(stats->topContributors.first().upvotes, 13);

        CommunityMember banned = *kim;
        banned.status = CommunityMemberStatus::Banned;
        CHECK_OK(service.updateMember(banned));
        auto reread = service.member(kim->id);
        CHECK_OK(reread);
        QCOMPARE(reread->status, CommunityMemberStatus::Banned);
        QCOMPARE(reread->handle, u"kim"_s);
        QCOMPARE(reread->customerId, u"K2"_s);
        QCOMPARE(service.member(kim->id + 1000).error().code, ErrorCode::NotFound);
        QCOMPARE(service.member(kim->id + 1000).error().field, u"member_id"_s);
        CommunityPost p;
        p.memberId = kim->id;
        p.title = u"Spam"_s;
        QCOMPARE(service.createPost(p).error().field, u"member_id"_s);
    }

    void advocacy()
    {
        customer(u"ADV"_s);
        const qint64 champion = contact(u"ADV"_s, u"Cara Champion"_s, u"cara@adv.test"_s);
        Core::CommunicationService service(db(), m_clock);
        auto empty = service.advocacySummary();
        CHECK_OK(empty);
        QVERIFY(!empty->hasData);

        Advocate a;
        a.customerId = u"ADV"_s;
        a.contactId = champion;
        a.points = 999; // derived: ignored
        auto advocate = service.addAdvocate(a);
        CHECK_OK(advocate);
        QCOMPARE(advocate->points, 0);
        QCOMPARE(advocate->tier, AdvocateTier::Bronze);
        QCOMPARE(service.addAdvocate(a).error().code, ErrorCode::AlreadyExists);

        using K = ContributionKind;
        auto r1 = service.recordContribution(advocate->id, K::CaseStudy, Today.addDays(-30), u"Case study"_s);
        CHECK_OK(r1);
        QCOMPARE(r1->advocate.points, 100);
        QCOMPARE(r1->advocate.tier, AdvocateTier::Silver);
        QVERIFY(r1->tierChanged);
        auto r2 = service.recordContribution(advocate->id, K::Review, Today.addDays(-20));
        CHECK_OK(r2);
        QCOMPARE(r2->advocate.points, 130);
        QVERIFY(!r2->tierChanged);
        auto r3 = service.recordContribution(advocate->id, K::Speaking, Today.addDays(-10));
        CHECK_OK(r3);
        QCOMPARE(r3->advocate.points, 210);
        auto r4 = service.recordContribution(advocate->id, K::Referral, Today);
        CHECK_OK(r4);
        QCOMPARE(r4->advocate.points, 285);
        QCOMPARE(r4->advocate.tier, AdvocateTier::Gold);
        QCOMPARE(service.recordContribution(advocate->id, K::Review, Today.addDays(1)).error().field, u"occurred_on"_s);

        auto detail = service.advocate(advocate->id);
        CHECK_OK(detail);
        QCOMPARE(detail->contributions.size(), 4);
        QCOMPARE(detail->contactName, u"Cara Champion"_s);
        QCOMPARE(*detail->nextTier, AdvocateTier::Platinum);
        QCOMPARE(detail->pointsToNextTier, 215);

        CHECK_OK(service.removeContribution(r1->contribution.id)); // 285 − 100
        auto after = service.advocate(advocate->id);
        CHECK_OK(after);
        QCOMPARE(after->advocate.points, 185);
        QCOMPARE(after->advocate.tier, AdvocateTier::Silver);

        auto summary = service.advocacySummary();
        CHECK_OK(summary);
        QVERIFY(summary->hasData);
        QCOMPARE(summary->advocates, 1);
        QCOMPARE(summary->byTier.value(u"silver"_s), 1);
        QCOMPARE(summary->contributions, 3);
        QCOMPARE(summary->pointsInPeriod, 185);
        QCOMPARE(summary->totalPoints, 185);
        QCOMPARE(
            count(
                u"SELECT COUNT(*) FROM timeline_events WHERE customer_id = 'ADV' AND source_table = 'advocacy_contributions'"_s),
            4);
    }

    // ---- executive reviews ------------------------------------------------------------------------------------------

    void executiveReview()
    {
        customer(u"EBR"_s);
        customer(u"BLANK"_s);
        // health: 62 today against 70 thirty days earlier
        sql(u"INSERT INTO health_scores (customer_id, score_date, score, band, config_version) VALUES ('EBR', ?, 62, 'yellow', 1)"_s,
            { Storage::Convert::toSql(Today) });
        sql(u"INSERT INTO health_scores (customer_id, score_date, score, band, config_version) VALUES ('EBR', ?, 70, 'green', 1)"_s,
            { Storage::Convert::toSql(Today.addDays(-30)) });
        // usage: 10 days × 12 events (3 users) in the last 30 days, 20 days × 10 events before
        for (int i = 0; i < 10; ++i)
            sql(u"INSERT INTO usage_daily (customer_id, day, feature, events, active_users) VALUES ('EBR', ?, '', 12, 3)"_s,
                { Storage::Convert::toSql(Today.addDays(-i)) });
        for (int i = 30; i < 50; ++i)
            sql(u"INSERT INTO usage_daily (customer_id, day, feature, events, active_users) VALUES ('EBR', ?, '', 10, 2)"_s,
                { Storage::Convert::toSql(Today.addDays(-i)) });
        // tickets: two in the period (one breached, CSAT 4 and 2), one older and still open
        sql(u"INSERT INTO support_tickets (customer_id, subject, status, opened_at, first_response_due_at, "
            u"first_response_at, csat) "
            "VALUES ('EBR', 'a', 'solved', ?, ?, ?, 4)"_s,
            { Storage::Convert::toSql(Now.addDays(-10)), Storage::Convert::toSql(Now.addDays(-10).addSecs(3600)),
                Storage::Convert::toSql(Now.addDays(-10).addSecs(7200)) });
        sql(u"INSERT INTO support_tickets (customer_id, subject, status, opened_at, csat) VALUES ('EBR', 'b', 'closed', ?, 2)"_s,
            { Storage::Convert::toSql(Now.addDays(-20)) });
        sql(u"INSERT INTO support_tickets (customer_id, subject, status, opened_at) VALUES ('EBR', 'c', 'open', ?)"_s,
            { Storage::Convert::toSql(Now.addDays(-120)) });
        // NPS: 9, 10, 7, 3, 6 → 2 promoters, 1 passive, 2 detractors → 0; one older answer left out
        int day = 1;
        for (int score : { 9, 10, 7, 3, 6 })
            sql(u"INSERT INTO survey_responses (customer_id, kind, score, responded_at) VALUES ('EBR', 'nps', ?, ?)"_s,
                { score, Storage::Convert::toSql(Now.addDays(-(day++) * 10)) });
        sql(u"INSERT INTO survey_responses (customer_id, kind, score, responded_at) VALUES ('EBR', 'nps', 0, ?)"_s,
            { Storage::Convert::toSql(Now.addDays(-200)) });
        sql(u"INSERT INTO renewals (customer_id, renewal_date, arr_current, probability, stage) VALUES ('EBR', ?, 48000, 0.7, 'in_progress')"_s,
            { Storage::Convert::toSql(Today.addDays(75)) });
        sql(u"INSERT INTO expansion_opportunities (customer_id, kind, product, estimated_arr, stage) VALUES ('EBR', 'upsell', 'A', 5000, 'qualified')"_s);
        sql(u"INSERT INTO expansion_opportunities (customer_id, kind, product, estimated_arr, won_arr, stage, "
            u"closed_on) VALUES "
            "('EBR', 'upsell', 'B', 3000, 3500, 'won', ?)"_s,
            { Storage::Convert::toSql(Today.addDays(-100)) });
        sql(u"INSERT INTO churn_predictions (customer_id, model_version, probability, risk_level, predicted_at) VALUES ('EBR', 1, 0.35, 'medium', ?)"_s,
            { Storage::Convert::toSql(Now.addDays(-1)) });

        Core::CommunicationService service(db(), m_clock);
        ExecutiveReview r;
        r.customerId = u"EBR"_s;
        r.scheduledFor = Now.addDays(7);
        r.attendees = { u"cfo@ebr.test"_s };
        r.agenda = { u"Value delivered"_s, u"Renewal"_s };
        auto scheduled = service.scheduleReview(r);
        CHECK_OK(scheduled);
        QCOMPARE(scheduled->status, ExecutiveReviewStatus::Scheduled);
        auto prepared = service.prepareReview(scheduled->id);
        CHECK_OK(prepared);
        const Core::ExecutiveBrief &b = prepared->brief;
        QVERIFY(b.health.hasData);
        QCOMPARE(b.health.score, 62.0);
        QCOMPARE(*b.health.change, -8.0);
        QCOMPARE(b.health.comparedWith, Today.addDays(-30));
        QVERIFY(b.usage.hasData);
        QCOMPARE(b.usage.events, 120);
        QCOMPARE(b.usage.activeDays, 10);
        QCOMPARE(b.usage.meanDailyActiveUsers, 1.0); // 30 user-days / 30 days
        QCOMPARE(b.usage.previousEvents, 200);
        QCOMPARE(*b.usage.eventsChange, -0.4);
        QVERIFY(b.support.hasData);
        QCOMPARE(b.support.opened, 2);
        QCOMPARE(b.support.openNow, 1);
        QCOMPARE(b.support.breached, 1);
        QCOMPARE(*b.support.meanCsat, 3.0);
        QVERIFY(b.nps.hasData);
        QCOMPARE(b.nps.responses, 5);
        QCOMPARE(b.nps.nps, 0.0);
        QCOMPARE(b.nps.latestScore, 9);
        QVERIFY(b.renewal.hasData);
        QCOMPARE(b.renewal.daysUntil, 75);
        QCOMPARE(*b.renewal.probability, 0.7);
        QVERIFY(b.expansion.hasData);
        QCOMPARE(b.expansion.open, 1);
        QCOMPARE(b.expansion.openEstimatedArr, 5000.0);
        QCOMPARE(b.expansion.wonArrLastYear, 3500.0);
        QVERIFY(b.churn.hasData);
        QCOMPARE(b.churn.probability, 0.35);
        QCOMPARE(prepared->review.status, ExecutiveReviewStatus::Prepared);
        QCOMPARE(prepared->review.preparedBrief.value(u"nps"_s).toMap().value(u"nps"_s).toDouble(), 0.0);
        auto stored = service.review(scheduled->id);
        CHECK_OK(stored);
        QCOMPARE(stored->preparedBrief.value(u"usage"_s).toMap().value(u"events"_s).toLongLong(), 120);

        // No data: every part says so, no number stands in.
        auto blank = service.brief(u"BLANK"_s);
        CHECK_OK(blank);
        for (bool has : { blank->health.hasData, blank->usage.hasData, blank->support.hasData, blank->nps.hasData,
                 blank->renewal.hasData, blank->expansion.hasData, blank->churn.hasData })
            QVERIFY(!has);
        QVERIFY(!blank->health.reason.isEmpty());
        QVERIFY(!blank->toMap().value(u"nps"_s).toMap().contains(u"nps"_s));

        QCOMPARE(service.completeReview(scheduled->id, QString()).error().field, u"outcomes"_s);
        QCOMPARE(
            service.completeReview(scheduled->id, u"ok"_s, { QVariantMap { { u"owner"_s, u"x"_s } } }).error().field,
            u"next_steps[0].action"_s);
        auto completed = service.completeReview(scheduled->id, u"Agreed on a 3-year renewal"_s,
            { QVariantMap { { u"action"_s, u"Send proposal"_s }, { u"due"_s, u"2026-06-30"_s } } });
        CHECK_OK(completed);
        QCOMPARE(completed->status, ExecutiveReviewStatus::Completed);
        QCOMPARE(completed->completedAt, Now);
        QCOMPARE(service.prepareReview(scheduled->id).error().field, u"status"_s);

        ExecutiveReview next = r;
        next.scheduledFor = Now.addDays(90);
        CHECK_OK(service.scheduleReview(next));
        auto upcoming = service.listReviews({ u"EBR"_s, {}, true, 25, {} });
        CHECK_OK(upcoming);
        QCOMPARE(upcoming->total, 1);
        auto all = service.listReviews({ u"EBR"_s, {}, false, 25, {} });
        CHECK_OK(all);
        QCOMPARE(all->total, 2);
    }

    // ---- demo portfolio
    // ----------------------------------------------------------------------------------------------

    void demoPortfolio()
    {
        Core::DemoPortfolio::Options options;
        options.customers = 40;
        options.seed = 31337;
        options.today = Today;
        options.usageEvents = 8000;
        options.replaceExisting = true;
        CHECK_OK(Core::DemoPortfolio(db(), options).generate());
        Core::CommunicationService service(db(), m_clock);

        // Briefs for every live customer: the parts with data agree with the tables they come from.
        auto q = Storage::exec(db(), u"SELECT id FROM customers WHERE status <> 'churned' ORDER BY id"_s);
        QVERIFY(q);
        QStringList ids;
        while (q->next())
            ids << q->value(0).toString();
        QVERIFY(!ids.isEmpty());
        int withUsage = 0;
        int withNps = 0;
        for (const QString &id : ids) {
            auto b = service.brief(id);
            CHECK_OK(b);
            const qint64 events
                = count(u"SELECT COALESCE(SUM(events), 0) FROM usage_daily WHERE customer_id = ? AND feature = '' "
                        "AND day >= ? AND day <= ?"_s,
                    { id, Storage::Convert::toSql(Today.addDays(-29)), Storage::Convert::toSql(Today) });
            if (b->usage.hasData) {
                ++withUsage;
                QCOMPARE(b->usage.events, events);
            }
            if (b->nps.hasData) {
                ++withNps;
                QVERIFY(b->nps.nps >= -100 && b->nps.nps <= 100);
                QCOMPARE(b->nps.promoters + b->nps.passives + b->nps.detractors, b->nps.responses);
            } else {
                QVERIFY(!b->nps.reason.isEmpty());
            }
            QVERIFY(!b->health.hasData); // the demo stores no health scores: said, not invented
        }
        QVERIFY(withUsage > 0);
        QVERIFY(withNps > 0);

        // A newsletter to everyone reaches every live contact with an address of a customer that is not churned.
        Newsletter n;
        n.name = u"Everyone"_s;
        auto created = service.createNewsletter(n);
        CHECK_OK(created);
        auto audience = service.audience(created->id);
        CHECK_OK(audience);
        QCOMPARE(audience->recipients,
            count(u"SELECT COUNT(*) FROM contacts ct JOIN customers c ON c.id = ct.customer_id WHERE ct.deleted_at IS "
                  u"NULL "
                  "AND ct.email IS NOT NULL AND c.deleted_at IS NULL AND c.status <> 'churned'"_s));
        QVERIFY(audience->recipients > 0);
    }
};

QTEST_GUILESS_MAIN(TestCommunicationService)
#include "tst_communicationservice.moc"
