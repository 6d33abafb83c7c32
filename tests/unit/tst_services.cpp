// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Core::Services::ensureDefaults(): a fresh portfolio gets its first-run defaults (onboarding templates, health
// scoring config, SLA policies, the seven monitors, three retention playbooks) and a second call changes nothing.
// Built twice: SQLite (label unit) and PostgreSQL (label pg).
#include <memory>

#include <QTest>

#include "fakeclock.h"
#include "services.h"
#include "sql.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using namespace Domain;

class TestServices final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestUtils::FakeClock m_clock;

    Storage::Database &db() { return m_fixture->db(); }

    qint64 count(const QString &sql)
    {
        auto q = Storage::exec(db(), sql);
        if (!q || !q->next()) {
            qWarning("%s: %s", qPrintable(sql), q ? "no row" : qPrintable(q.error().toString()));
            return -1;
        }
        return q->value(0).toLongLong();
    }

    // Every table ensureDefaults() writes, with its row count and latest change.
    QStringList snapshot()
    {
        QStringList out;
        for (const QString &table :
            { u"onboarding_templates"_s, u"onboarding_template_milestones"_s, u"health_scoring_configs"_s,
                u"sla_policies"_s, u"monitors"_s, u"playbooks"_s, u"playbook_steps"_s, u"email_templates"_s }) {
            auto q = Storage::exec(db(), u"SELECT COUNT(*), MAX(updated_at) FROM "_s + table);
            if (q && q->next())
                out << table + u' ' + q->value(0).toString() + u' ' + q->value(1).toString();
            else
                out << table + u" unreadable"_s;
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

    void freshDatabaseGetsTheDefaults()
    {
        Core::Services services(db(), m_clock);
        QCOMPARE(count(u"SELECT COUNT(*) FROM onboarding_templates"_s), 0);
        auto ok = services.ensureDefaults();
        QVERIFY2(ok.ok(), ok.ok() ? "" : qPrintable(ok.error().toString()));

        // onboardingservice.h lists five default templates; healthservice.h version 1; supportservice.h P0..P4.
        QCOMPARE(count(u"SELECT COUNT(*) FROM onboarding_templates WHERE deleted_at IS NULL"_s), 5);
        QCOMPARE(count(u"SELECT COUNT(*) FROM health_scoring_configs WHERE is_active"_s), 1);
        QCOMPARE(count(u"SELECT COUNT(*) FROM sla_policies"_s), 5);
        QCOMPARE(count(u"SELECT COUNT(*) FROM monitors"_s), 7);

        auto playbooks = services.playbooks().listPlaybooks();
        QVERIFY(playbooks.ok());
        QCOMPARE(playbooks->items.size(), 3);
        QHash<QString, PlaybookTrigger> triggers;
        for (const Playbook &p : playbooks->items)
            triggers.insert(p.name, p.triggerKind);
        QCOMPARE(triggers.value(u"Health drop rescue"_s), PlaybookTrigger::HealthDrop);
        QCOMPARE(triggers.value(u"Detractor follow-up"_s), PlaybookTrigger::Detractor);
        QCOMPARE(triggers.value(u"Renewal risk save"_s), PlaybookTrigger::RenewalRisk);
        // Each has a task and an e-mail step, the e-mail naming a template that exists.
        for (const Playbook &p : playbooks->items) {
            auto detail = services.playbooks().playbook(p.id);
            QVERIFY(detail.ok());
            bool task = false;
            bool email = false;
            for (const PlaybookStep &step : detail->steps) {
                task = task || step.kind == PlaybookStepKind::Task;
                if (step.kind == PlaybookStepKind::Email) {
                    email = true;
                    QVERIFY(
                        services.communication().emailTemplate(step.config.value(u"template_id"_s).toLongLong()).ok());
                }
            }
            QVERIFY2(task && email, qPrintable(p.name));
        }

        // A second call changes nothing.
        const QStringList before = snapshot();
        m_clock.advanceDays(1);
        auto again = services.ensureDefaults();
        QVERIFY2(again.ok(), again.ok() ? "" : qPrintable(again.error().toString()));
        QCOMPARE(snapshot(), before);
    }

    void existingSetupIsNotDuplicated()
    {
        Core::Services services(db(), m_clock);
        // The CSM's own playbook and one template of their own: no standard playbooks, no default templates.
        Playbook own;
        own.name = u"My playbook"_s;
        own.triggerKind = PlaybookTrigger::Manual;
        PlaybookStep note;
        note.position = 1;
        note.kind = PlaybookStepKind::Note;
        note.name = u"Note"_s;
        note.config = { { u"body"_s, u"Check in"_s } };
        QVERIFY(services.playbooks().createPlaybook(own, { note }).ok());
        OnboardingTemplate onboarding;
        onboarding.name = u"Our onboarding"_s;
        onboarding.targetTtvDays = 30;
        OnboardingTemplateMilestone kickoff;
        kickoff.name = u"Kickoff"_s;
        kickoff.position = 1;
        kickoff.offsetDays = 1;
        auto created = services.onboarding().createTemplate(onboarding, { kickoff });
        QVERIFY2(created.ok(), created.ok() ? "" : qPrintable(created.error().toString()));

        QVERIFY(services.ensureDefaults().ok());
        QCOMPARE(count(u"SELECT COUNT(*) FROM playbooks"_s), 1);
        QCOMPARE(count(u"SELECT COUNT(*) FROM onboarding_templates"_s), 1);
        QCOMPARE(count(u"SELECT COUNT(*) FROM monitors"_s), 7);
    }
};

QTEST_GUILESS_MAIN(TestServices)
#include "tst_services.moc"
