// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// OnboardingService: templates (created only on request), plans with milestones and tasks, progress, overdue items
// as of the clock, time to value against the portfolio's percentiles, where time is lost, training sessions and
// certifications — against hand-computed values. Built twice: SQLite (label unit) and PostgreSQL (label pg).
#include <cmath>
#include <memory>

#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "demoportfolio.h"
#include "fakeclock.h"
#include "onboardingservice.h"
#include "sql.h"
#include "tables_accounts.h"
#include "tables_customers.h"
#include "tables_onboarding.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using namespace Domain;
using Core::ErrorCode;

namespace {

const QDate Today(2026, 6, 15);

// Noon UTC of a day: the tests' "now".
QDateTime noon(const QDate &day)
{
    return QDateTime(day, QTime(12, 0), QTimeZone::utc());
}

// Request structs filled field by field (-Wmissing-field-initializers refuses partial aggregate initialisation).
Core::PlanRequest planRequest(const QString &customerId, const QDate &startOn = {},
    std::optional<OnboardingComplexity> complexity = {}, std::optional<qint64> templateId = {})
{
    Core::PlanRequest r;
    r.customerId = customerId;
    r.startOn = startOn;
    r.complexity = complexity;
    r.templateId = templateId;
    r.actor = u"dana"_s;
    return r;
}

Core::OverdueQuery overdueOf(qint64 planId)
{
    Core::OverdueQuery q;
    q.planId = planId;
    return q;
}

Core::TtvQuery ttvOf(Tier tier)
{
    Core::TtvQuery q;
    q.tier = tier;
    return q;
}

Core::TimeLossQuery completedBetween(const QDate &from, const QDate &to)
{
    Core::TimeLossQuery q;
    q.completedFrom = from;
    q.completedTo = to;
    return q;
}

Core::AttendeeOutcome attendee(
    qint64 contactId, bool attended, std::optional<double> score = {}, const QString &feedback = {})
{
    Core::AttendeeOutcome a;
    a.contactId = contactId;
    a.attended = attended;
    a.score = score;
    a.feedback = feedback;
    return a;
}

Core::SessionQuery sessionsOf(const QString &customerId)
{
    Core::SessionQuery q;
    q.customerId = customerId;
    return q;
}

Core::ProgramModule requiredModule(qint64 moduleId)
{
    Core::ProgramModule m;
    m.moduleId = moduleId;
    m.required = true;
    return m;
}

Core::CertificationQuery certificationsOf(qint64 programId, const QString &customerId = {})
{
    Core::CertificationQuery q;
    q.programId = programId;
    q.customerId = customerId;
    return q;
}

bool near(double a, double b)
{
    return std::abs(a - b) < 1e-6;
}

QDateTime at(const QDate &day, int hour = 10)
{
    return QDateTime(day, QTime(hour, 0), QTimeZone::utc());
}

// Evaluates `expr` once (it may be a write) and fails with the error's text.
#define CHECK_OK(expr)                                                                                                 \
    do {                                                                                                               \
        const auto &result_ = (expr);                                                                                  \
        QVERIFY2(result_.ok(), result_.ok() ? "" : qPrintable(result_.error().toString()));                            \
    } while (false)

} // namespace

class TestOnboardingService final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestUtils::FakeClock m_clock { noon(Today) };

    Storage::Database &db() { return m_fixture->db(); }

    void customer(const QString &id, Tier tier = Tier::Enterprise)
    {
        Customer c;
        c.id = id;
        c.name = u"Customer "_s + id;
        c.tier = tier;
        c.owner = u"dana"_s;
        auto created = Storage::CustomerRepository(db()).create(c);
        if (!created)
            qWarning("customer %s: %s", qPrintable(id), qPrintable(created.error().toString()));
    }

    qint64 contact(const QString &customerId, const QString &name)
    {
        Contact c;
        c.customerId = customerId;
        c.name = name;
        c.email = name.toLower() + u"@example.com"_s;
        auto created = Storage::ContactRepository(db()).create(c);
        if (!created)
            qWarning("contact: %s", qPrintable(created.error().toString()));
        return created ? created->id : -1;
    }

    // A completed (or in-progress) plan written directly, for the TTV and time-loss statistics.
    qint64 storedPlan(const QString &customerId, std::optional<int> ttv, std::optional<int> target,
        const QDate &start = QDate(2026, 1, 1), std::optional<qint64> templateId = {})
    {
        OnboardingPlan p;
        p.customerId = customerId;
        p.templateId = templateId;
        p.name = u"Plan "_s + customerId;
        p.startedOn = start;
        p.targetTtvDays = target;
        if (ttv) {
            p.status = OnboardingPlanStatus::Completed;
            p.completedOn = start.addDays(*ttv);
            p.ttvDays = ttv;
        } else {
            p.status = OnboardingPlanStatus::InProgress;
        }
        auto created = Storage::OnboardingPlanRepository(db()).create(p);
        if (!created)
            qWarning("plan: %s", qPrintable(created.error().toString()));
        return created ? created->id : -1;
    }

    void storedMilestone(qint64 planId, int position, const QString &name, const QDate &due, const QDateTime &completed,
        const QDateTime &started = {})
    {
        OnboardingMilestone m;
        m.planId = planId;
        m.position = position;
        m.name = name;
        m.dueDate = due;
        m.status = OnboardingStepStatus::Completed;
        m.startedAt = started;
        m.completedAt = completed;
        auto created = Storage::OnboardingMilestoneRepository(db()).create(m);
        if (!created)
            qWarning("milestone: %s", qPrintable(created.error().toString()));
    }

    qint64 count(const QString &statement, const QVariantList &bindings = {})
    {
        auto q = Storage::exec(db(), statement, bindings);
        return q && q->next() ? q->value(0).toLongLong() : -1;
    }

    void sql(const QString &statement)
    {
        auto q = Storage::exec(db(), statement);
        if (!q)
            qWarning("%s: %s", qPrintable(statement), qPrintable(q.error().toString()));
    }

    const Core::MilestoneDetail *milestoneNamed(const Core::PlanDetail &plan, const QString &name)
    {
        for (const Core::MilestoneDetail &m : plan.milestones) {
            if (m.milestone.name == name)
                return &m;
        }
        return nullptr;
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
        m_clock.set(noon(Today));
        for (const QString &table : { u"customers"_s, u"onboarding_templates"_s, u"training_modules"_s,
                 u"certification_programs"_s, u"features"_s, u"surveys"_s })
            sql(u"DELETE FROM "_s + table);
    }

    void cleanupTestCase() { m_fixture.reset(); }

    // ---- pure formulas ------------------------------------------------------------------------------------------

    void percentile_data()
    {
        QTest::addColumn<QList<double>>("values");
        QTest::addColumn<double>("p");
        QTest::addColumn<double>("expected"); // -1 = none
        const QList<double> five { 50, 15, 40, 20, 35 }; // sorted: 15 20 35 40 50
        QTest::addRow("p25 of five") << five << 0.25 << 20.0; // rank 1
        QTest::addRow("median of five") << five << 0.5 << 35.0;
        QTest::addRow("p90 interpolates") << five << 0.9 << 46.0; // rank 3.6: 40 + 0.6 × 10
        QTest::addRow("p0 is the minimum") << five << 0.0 << 15.0;
        QTest::addRow("p100 is the maximum") << five << 1.0 << 50.0;
        QTest::addRow("median of an even count") << QList<double> { 1, 2, 3, 4 } << 0.5 << 2.5;
        QTest::addRow("one value") << QList<double> { 7 } << 0.75 << 7.0;
        QTest::addRow("all equal") << QList<double> { 3, 3, 3 } << 0.9 << 3.0;
        QTest::addRow("no values") << QList<double> {} << 0.5 << -1.0;
        QTest::addRow("p out of range") << five << 1.5 << -1.0;
    }
    void percentile()
    {
        QFETCH(QList<double>, values);
        QFETCH(double, p);
        QFETCH(double, expected);
        const auto v = Core::Onboarding::percentile(values, p);
        QCOMPARE(v.has_value(), expected >= 0);
        if (v)
            QVERIFY2(near(*v, expected), qPrintable(QString::number(*v)));
    }

    void percentileRank_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<double>("expected");
        QTest::addRow("below all") << 5.0 << 0.0;
        QTest::addRow("ties count as at or below") << 20.0 << 0.5;
        QTest::addRow("between") << 25.0 << 0.5;
        QTest::addRow("the largest") << 40.0 << 1.0;
    }
    void percentileRank()
    {
        QFETCH(double, value);
        QFETCH(double, expected);
        const auto r = Core::Onboarding::percentileRank({ 10, 20, 30, 40 }, value);
        QVERIFY(r && near(*r, expected));
        QVERIFY(!Core::Onboarding::percentileRank({}, value));
    }

    void progressPercent_data()
    {
        QTest::addColumn<int>("milestonesDone");
        QTest::addColumn<int>("milestones");
        QTest::addColumn<int>("tasksDone");
        QTest::addColumn<int>("tasks");
        QTest::addColumn<double>("expected"); // -1 = none
        QTest::addRow("half") << 2 << 4 << 3 << 6 << 50.0;
        QTest::addRow("weighted by count") << 1 << 6 << 3 << 18 << 100.0 * 4 / 24;
        QTest::addRow("all done") << 4 << 4 << 12 << 12 << 100.0;
        QTest::addRow("no tasks") << 1 << 3 << 0 << 0 << 100.0 / 3;
        QTest::addRow("nothing to count") << 0 << 0 << 0 << 0 << -1.0;
    }
    void progressPercent()
    {
        QFETCH(int, milestonesDone);
        QFETCH(int, milestones);
        QFETCH(int, tasksDone);
        QFETCH(int, tasks);
        QFETCH(double, expected);
        const auto p = Core::Onboarding::progressPercent(milestonesDone, milestones, tasksDone, tasks);
        QCOMPARE(p.has_value(), expected >= 0);
        if (p)
            QVERIFY(near(*p, expected));
    }

    // ---- templates ------------------------------------------------------------------------------------------------

    void templates()
    {
        Core::OnboardingService service(db(), m_clock);
        // Nothing is created behind the caller's back.
        auto none = service.templates();
        CHECK_OK(none);
        QVERIFY(none->isEmpty());
        auto missing = service.chooseTemplate(Tier::Smb);
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        QCOMPARE(missing.error().field, u"tier"_s);

        auto created = service.createDefaultTemplates();
        CHECK_OK(created);
        QCOMPARE(created->size(), 5);
        auto again = service.createDefaultTemplates();
        CHECK_OK(again);
        QCOMPARE(again->size(), 0);
        QCOMPARE(count(u"SELECT COUNT(*) FROM onboarding_templates"_s), 5);
        QCOMPARE(count(u"SELECT COUNT(*) FROM onboarding_template_milestones"_s), 6 + 6 + 5 + 4 + 3);

        auto enterpriseOnes = service.templates(Tier::Enterprise);
        CHECK_OK(enterpriseOnes);
        QCOMPARE(enterpriseOnes->size(), 2); // its own and the any-tier trial

        auto enterprise = service.chooseTemplate(Tier::Enterprise);
        CHECK_OK(enterprise);
        QCOMPARE(enterprise->onboardingTemplate.name, u"Enterprise onboarding"_s);
        QCOMPARE(enterprise->milestones.size(), 6);
        QCOMPARE(enterprise->milestones.at(1).name, u"Technical setup"_s);
        QCOMPARE(enterprise->milestones.at(1).offsetDays, 10);
        QCOMPARE(enterprise->milestones.at(0).tasks.size(), 3);
        auto smb = service.chooseTemplate(Tier::Smb, OnboardingComplexity::Low);
        CHECK_OK(smb);
        QCOMPARE(smb->onboardingTemplate.name, u"SMB quick start"_s);
        auto strategicLow = service.chooseTemplate(Tier::Strategic, OnboardingComplexity::Low);
        CHECK_OK(strategicLow);
        QCOMPARE(strategicLow->onboardingTemplate.name, u"Self-serve trial"_s);
        auto none2 = service.chooseTemplate(Tier::MidMarket, OnboardingComplexity::High);
        QVERIFY(!none2);
        QCOMPARE(none2.error().field, u"tier"_s);

        OnboardingTemplate t;
        t.name = u"enterprise ONBOARDING"_s;
        OnboardingTemplateMilestone m;
        m.name = u"Kickoff"_s;
        auto duplicate = service.createTemplate(t, { m });
        QVERIFY(!duplicate);
        QCOMPARE(duplicate.error().code, ErrorCode::AlreadyExists);
        QCOMPARE(duplicate.error().field, u"name"_s);
        t.name = u"Empty"_s;
        auto empty = service.createTemplate(t, {});
        QVERIFY(!empty);
        QCOMPARE(empty.error().field, u"milestones"_s);
    }

    // ---- plans
    // -----------------------------------------------------------------------------------------------------------

    void createPlan()
    {
        customer(u"A"_s);
        customer(u"B"_s);
        customer(u"C"_s, Tier::MidMarket);
        Core::OnboardingService service(db(), m_clock);
        CHECK_OK(service.createDefaultTemplates());
        QSignalSpy changed(&service, &Core::OnboardingService::planChanged);

        auto plan = service.createPlan(planRequest(u"A"_s, QDate(2026, 6, 1)));
        CHECK_OK(plan);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(plan->plan.status, OnboardingPlanStatus::InProgress);
        QCOMPARE(plan->plan.name, u"Enterprise onboarding - Customer A"_s);
        QCOMPARE(plan->plan.owner, u"dana"_s);
        QCOMPARE(plan->plan.targetTtvDays, 60);
        QCOMPARE(plan->plan.targetGoLive, QDate(2026, 7, 31));
        QCOMPARE(plan->milestones.size(), 6);
        const QList<QDate> due { QDate(2026, 6, 4), QDate(2026, 6, 11), QDate(2026, 6, 26), QDate(2026, 7, 6),
            QDate(2026, 7, 16), QDate(2026, 7, 31) };
        for (int i = 0; i < 6; ++i) {
            QCOMPARE(plan->milestones.at(i).milestone.dueDate, due.at(i));
            QCOMPARE(plan->milestones.at(i).tasks.size(), 3);
            QCOMPARE(plan->milestones.at(i).tasks.at(0).dueDate, due.at(i));
        }
        QCOMPARE(plan->progress.milestonesTotal, 6);
        QCOMPARE(plan->progress.tasksTotal, 18);
        QVERIFY(near(*plan->progress.percent, 0));
        QCOMPARE(plan->progress.milestonesOverdue, 2); // due 06-04 and 06-11
        QCOMPARE(plan->progress.tasksOverdue, 6);
        QCOMPARE(plan->progress.risk, Core::OnboardingRisk::AtRisk);
        QCOMPARE(*plan->progress.daysToTargetGoLive, 46);
        QCOMPARE(*plan->progress.daysElapsed, 14);
        QCOMPARE(count(u"SELECT COUNT(*) FROM onboarding_tasks"_s), 18);
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'onboarding' AND customer_id = 'A'"_s), 1);

        auto twice = service.createPlan(planRequest(u"A"_s));
        QVERIFY(!twice);
        QCOMPARE(twice.error().code, ErrorCode::AlreadyExists);
        QCOMPARE(twice.error().field, u"customer_id"_s);

        auto later = service.createPlan(planRequest(u"B"_s, Today.addDays(7)));
        CHECK_OK(later);
        QCOMPARE(later->plan.status, OnboardingPlanStatus::NotStarted);
        QCOMPARE(later->progress.milestonesOverdue, 0);
        QCOMPARE(later->progress.risk, Core::OnboardingRisk::OnTrack);

        auto noTemplate = service.createPlan(planRequest(u"C"_s, {}, OnboardingComplexity::High));
        QVERIFY(!noTemplate);
        QCOMPARE(noTemplate.error().field, u"tier"_s);
        auto unknown = service.createPlan(planRequest(u"nobody"_s));
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().field, u"customer_id"_s);
        auto badTemplate = service.createPlan(planRequest(u"C"_s, {}, {}, 987654));
        QVERIFY(!badTemplate);
        QCOMPARE(badTemplate.error().field, u"template_id"_s);
    }

    void progressAndOverdue()
    {
        customer(u"A"_s);
        Core::OnboardingService service(db(), m_clock);
        CHECK_OK(service.createDefaultTemplates());
        auto plan = service.createPlan(planRequest(u"A"_s, QDate(2026, 6, 1)));
        CHECK_OK(plan);
        const qint64 planId = plan->plan.id;

        // Completing a milestone completes its tasks and writes a timeline event.
        auto afterKickoff = service.setMilestoneStatus(
            milestoneNamed(*plan, u"Kickoff"_s)->milestone.id, OnboardingStepStatus::Completed, u"dana"_s);
        CHECK_OK(afterKickoff);
        QCOMPARE(afterKickoff->progress.milestonesCompleted, 1);
        QCOMPARE(afterKickoff->progress.tasksCompleted, 3);
        QVERIFY(near(*afterKickoff->progress.percent, 100.0 * 4 / 24));
        QCOMPARE(afterKickoff->progress.milestonesOverdue, 1);
        QCOMPARE(afterKickoff->progress.tasksOverdue, 3);
        const QString milestoneEvents = u"SELECT COUNT(*) FROM timeline_events WHERE source_table = "
                                        "'onboarding_milestones'"_s;
        QCOMPARE(count(milestoneEvents), 1);

        auto overdue = service.overdueItems({});
        CHECK_OK(overdue);
        QCOMPARE(overdue->milestonesOverdue, 1);
        QCOMPARE(overdue->tasksOverdue, 3);
        QCOMPARE(overdue->items.size(), 4);
        QCOMPARE(overdue->items.at(0).kind, u"milestone"_s);
        QCOMPARE(overdue->items.at(0).name, u"Technical setup"_s);
        QCOMPARE(overdue->items.at(0).daysOverdue, 4);
        QCOMPARE(overdue->items.at(1).kind, u"task"_s);
        QCOMPARE(overdue->items.at(1).milestoneName, u"Technical setup"_s);
        QCOMPARE(overdue->items.at(1).customerName, u"Customer A"_s);

        // Boundary: due today is not overdue; the day after it is, by one day.
        m_clock.set(noon(QDate(2026, 6, 11)));
        auto onTheDay = service.overdueItems({});
        CHECK_OK(onTheDay);
        QCOMPARE(onTheDay->milestonesOverdue + onTheDay->tasksOverdue, 0);
        m_clock.set(noon(QDate(2026, 6, 12)));
        auto dayAfter = service.overdueItems(overdueOf(planId));
        CHECK_OK(dayAfter);
        QCOMPARE(dayAfter->milestonesOverdue, 1);
        QCOMPARE(dayAfter->items.at(0).daysOverdue, 1);
        m_clock.set(noon(Today));

        // The last open task of a milestone completes it.
        const Core::MilestoneDetail *setup = milestoneNamed(*afterKickoff, u"Technical setup"_s);
        Core::PlanDetail latest = *afterKickoff;
        for (const OnboardingTask &t : setup->tasks) {
            auto step = service.setTaskStatus(t.id, OnboardingStepStatus::Completed, u"dana"_s);
            CHECK_OK(step);
            latest = *step;
        }
        QCOMPARE(milestoneNamed(latest, u"Technical setup"_s)->milestone.status, OnboardingStepStatus::Completed);
        QCOMPARE(count(milestoneEvents), 2);
        QVERIFY(near(*latest.progress.percent, 100.0 * 8 / 24));
        QCOMPARE(latest.progress.risk, Core::OnboardingRisk::OnTrack);

        // The list view computes the same progress with set-based SQL.
        Core::PlanQuery q;
        q.openOnly = true;
        auto list = service.plans(q);
        CHECK_OK(list);
        QCOMPARE(list->total, 1);
        QVERIFY(near(*list->items.at(0).progress.percent, *latest.progress.percent));
        QCOMPARE(list->items.at(0).progress.milestonesOverdue, 0);
        QCOMPARE(list->items.at(0).customerName, u"Customer A"_s);

        auto bad = service.setTaskStatus(987654, OnboardingStepStatus::Completed, {});
        QVERIFY(!bad);
        QCOMPARE(bad.error().field, u"task_id"_s);
    }

    void completionAndTimeToValue()
    {
        customer(u"A"_s);
        Core::OnboardingService service(db(), m_clock);
        CHECK_OK(service.createDefaultTemplates());
        auto plan = service.createPlan(planRequest(u"A"_s, QDate(2026, 6, 1)));
        CHECK_OK(plan);
        Core::PlanDetail latest = *plan;
        for (const Core::MilestoneDetail &m : plan->milestones) {
            auto step = service.setMilestoneStatus(m.milestone.id, OnboardingStepStatus::Completed, u"dana"_s);
            CHECK_OK(step);
            latest = *step;
        }
        QCOMPARE(latest.plan.status, OnboardingPlanStatus::Completed);
        QCOMPARE(latest.plan.completedOn, Today);
        QCOMPARE(latest.plan.ttvDays, 14);
        QVERIFY(near(*latest.progress.percent, 100));
        QCOMPARE(latest.progress.risk, Core::OnboardingRisk::Completed);
        QCOMPARE(count(u"SELECT COUNT(*) FROM timeline_events WHERE source_table = 'onboarding_plans'"_s), 2);

        auto ttv = service.timeToValue(latest.plan.id);
        CHECK_OK(ttv);
        QVERIFY(ttv->reached);
        QCOMPARE(*ttv->actualDays, 14);
        QCOMPARE(*ttv->targetDays, 60);
        QCOMPARE(*ttv->daysOverTarget, -46);
        QCOMPARE(ttv->portfolio.completedPlans, 1);
        QVERIFY(near(*ttv->portfolioPercentileRank, 1.0));

        // Reopening a milestone reopens the plan.
        auto reopened = service.setMilestoneStatus(
            latest.milestones.constLast().milestone.id, OnboardingStepStatus::InProgress, u"dana"_s);
        CHECK_OK(reopened);
        QCOMPARE(reopened->plan.status, OnboardingPlanStatus::InProgress);
        QVERIFY(!reopened->plan.ttvDays);
        QVERIFY(!reopened->plan.completedOn.isValid());

        auto cancelled = service.cancelPlan(latest.plan.id, u"Customer paused the project"_s, u"dana"_s);
        CHECK_OK(cancelled);
        QCOMPARE(cancelled->progress.risk, Core::OnboardingRisk::Cancelled);
        auto closed = service.setMilestoneStatus(
            latest.milestones.constFirst().milestone.id, OnboardingStepStatus::Pending, u"dana"_s);
        QVERIFY(!closed);
        QCOMPARE(closed.error().field, u"milestone_id"_s);
    }

    void ttvBenchmark()
    {
        Core::OnboardingService service(db(), m_clock);
        auto empty = service.ttvBenchmark();
        CHECK_OK(empty);
        QVERIFY(!empty->hasData);
        QVERIFY(!empty->p50);

        const QList<int> ttv { 10, 20, 30, 40, 50 };
        QList<qint64> ids;
        for (int i = 0; i < ttv.size(); ++i) {
            const QString id = u"T%1"_s.arg(i);
            customer(id, i < 2 ? Tier::Smb : Tier::Enterprise);
            ids << storedPlan(id, ttv.at(i), 30);
        }
        customer(u"Open"_s);
        const qint64 open = storedPlan(u"Open"_s, std::nullopt, 30, Today.addDays(-45));

        auto b = service.ttvBenchmark();
        CHECK_OK(b);
        QVERIFY(b->hasData);
        QCOMPARE(b->completedPlans, 5);
        QVERIFY(near(*b->p25, 20));
        QVERIFY(near(*b->p50, 30));
        QVERIFY(near(*b->p75, 40));
        QVERIFY(near(*b->p90, 46));
        QVERIFY(near(*b->mean, 30));
        QCOMPARE(b->onTarget, 3);
        QVERIFY(near(*b->onTargetShare, 0.6));

        auto smb = service.ttvBenchmark(ttvOf(Tier::Smb));
        CHECK_OK(smb);
        QCOMPARE(smb->completedPlans, 2);
        QVERIFY(near(*smb->p50, 15));

        auto slow = service.timeToValue(ids.at(3));
        CHECK_OK(slow);
        QCOMPARE(*slow->actualDays, 40);
        QCOMPARE(*slow->daysOverTarget, 10);
        QVERIFY(near(*slow->portfolioPercentileRank, 0.8));
        QVERIFY(!slow->sameTemplate.hasData);

        auto running = service.timeToValue(open);
        CHECK_OK(running);
        QVERIFY(!running->reached);
        QCOMPARE(*running->elapsedDays, 45);
        QCOMPARE(*running->daysOverTarget, 15);
        QVERIFY(near(*running->portfolioPercentileRank, 0.8)); // already slower than 4 of 5 completed plans
    }

    void whereTimeIsLost()
    {
        Core::OnboardingService service(db(), m_clock);
        auto empty = service.whereTimeIsLost();
        CHECK_OK(empty);
        QVERIFY(!empty->hasData);
        QVERIFY(empty->reason.contains(u"no completed"_s));

        customer(u"P1"_s);
        customer(u"P2"_s);
        customer(u"P3"_s);
        const qint64 p1 = storedPlan(u"P1"_s, 30, 30, QDate(2026, 4, 25));
        const qint64 p2 = storedPlan(u"P2"_s, 30, 30, QDate(2026, 4, 25));
        const qint64 p3 = storedPlan(u"P3"_s, std::nullopt, 30, QDate(2026, 4, 25));
        storedMilestone(p1, 0, u"Kickoff"_s, QDate(2026, 5, 1), at(QDate(2026, 5, 1)), at(QDate(2026, 4, 29)));
        storedMilestone(p1, 1, u"Setup"_s, QDate(2026, 5, 10), at(QDate(2026, 5, 20)));
        storedMilestone(p2, 0, u"Kickoff"_s, QDate(2026, 5, 1), at(QDate(2026, 5, 3)));
        storedMilestone(p2, 1, u"Setup"_s, QDate(2026, 5, 10), at(QDate(2026, 5, 15)));
        storedMilestone(p3, 0, u"Kickoff"_s, QDate(2026, 5, 1), at(QDate(2026, 5, 30))); // plan still open

        auto r = service.whereTimeIsLost();
        CHECK_OK(r);
        QVERIFY(r->hasData);
        QCOMPARE(r->completedPlans, 2);
        QCOMPARE(r->milestones.size(), 2);
        const Core::MilestoneTimeLoss &setup = r->milestones.at(0); // most time lost first
        QCOMPARE(setup.name, u"Setup"_s);
        QCOMPARE(setup.position, 1);
        QCOMPARE(setup.completed, 2);
        QVERIFY(near(setup.medianDaysLate, 7.5)); // 10 and 5 days late
        QVERIFY(near(setup.meanDaysLate, 7.5));
        QVERIFY(near(setup.p75DaysLate, 8.75));
        QVERIFY(near(setup.shareOverdue, 1.0));
        QVERIFY(!setup.medianDurationDays);
        const Core::MilestoneTimeLoss &kickoff = r->milestones.at(1);
        QVERIFY(near(kickoff.medianDaysLate, 1)); // on the day, and 2 days late
        QVERIFY(near(kickoff.shareOverdue, 0.5));
        QVERIFY(near(*kickoff.medianDurationDays, 2));

        auto window = service.whereTimeIsLost(completedBetween(QDate(2026, 6, 1), QDate(2026, 6, 30)));
        CHECK_OK(window);
        QVERIFY(!window->hasData); // both completed on 2026-05-25
    }

    void automation()
    {
        customer(u"A"_s);
        Core::OnboardingService service(db(), m_clock);
        CHECK_OK(service.createDefaultTemplates());
        auto plan = service.createPlan(planRequest(u"A"_s));
        CHECK_OK(plan);
        const QVariantMap settings { { u"overdue_items"_s, true }, { u"no_progress_days"_s, 7 },
            { u"notify"_s, u"dana"_s } };
        auto set = service.setAutomation(plan->plan.id, settings);
        CHECK_OK(set);
        QCOMPARE(set->automation.value(u"no_progress_days"_s).toInt(), 7);
        auto unknownKey = service.setAutomation(plan->plan.id, { { u"send_gifts"_s, true } });
        QVERIFY(!unknownKey);
        QCOMPARE(unknownKey.error().field, u"automation"_s);
        auto badDays = service.setAutomation(plan->plan.id, { { u"no_progress_days"_s, 0 } });
        QVERIFY(!badDays);
        QCOMPARE(badDays.error().field, u"automation.no_progress_days"_s);
    }

    // ---- training and certification
    // ------------------------------------------------------------------------------------

    void trainingAndCertification()
    {
        customer(u"A"_s);
        customer(u"B"_s);
        const qint64 ana = contact(u"A"_s, u"Ana"_s);
        const qint64 ben = contact(u"A"_s, u"Ben"_s);
        const qint64 stranger = contact(u"B"_s, u"Cleo"_s);
        Core::OnboardingService service(db(), m_clock);

        TrainingModule module;
        module.name = u"Admin basics"_s;
        auto m = service.createTrainingModule(module);
        CHECK_OK(m);
        auto dup = service.createTrainingModule(module);
        QVERIFY(!dup);
        QCOMPARE(dup.error().code, ErrorCode::AlreadyExists);

        TrainingSession session;
        session.customerId = u"A"_s;
        session.moduleId = m->id;
        session.title = u"Admin training"_s;
        session.scheduledAt = at(Today.addDays(-2));
        auto foreign = service.scheduleTrainingSession(session, { ana, stranger });
        QVERIFY(!foreign);
        QCOMPARE(foreign.error().field, u"contact_ids"_s);
        auto scheduled = service.scheduleTrainingSession(session, { ana, ben, ana });
        CHECK_OK(scheduled);
        QCOMPARE(scheduled->attendees.size(), 2);
        QCOMPARE(scheduled->attended, 0);

        Core::SessionOutcome outcome;
        outcome.sessionId = scheduled->session.id;
        outcome.outcomeNotes = u"Admins can manage users now"_s;
        outcome.attendees = { attendee(ana, true, 90, u"Great"_s), attendee(ben, false, 70) };
        auto scoreWithoutAttending = service.recordTrainingSession(outcome);
        QVERIFY(!scoreWithoutAttending);
        QCOMPARE(scoreWithoutAttending.error().field, u"attendees[1].score"_s);
        outcome.attendees = { attendee(ana, true, 90, u"Great"_s), attendee(ben, false) };
        auto recorded = service.recordTrainingSession(outcome);
        CHECK_OK(recorded);
        QCOMPARE(recorded->session.status, TrainingSessionStatus::Completed);
        QCOMPARE(recorded->attended, 1);
        QVERIFY(near(*recorded->averageScore, 90));
        const QString trainingEvents = u"SELECT COUNT(*) FROM timeline_events WHERE kind = 'training'"_s;
        QCOMPARE(count(trainingEvents), 1);
        auto cancel = service.cancelTrainingSession(recorded->session.id, u"late"_s);
        QVERIFY(!cancel);
        QCOMPARE(cancel.error().field, u"session_id"_s);
        auto sessions = service.trainingSessions(sessionsOf(u"A"_s));
        CHECK_OK(sessions);
        QCOMPARE(sessions->total, 1);

        CertificationProgram program;
        program.name = u"Certified admin"_s;
        program.passingScore = 80;
        program.validityDays = 365;
        auto p = service.createCertificationProgram(program, { requiredModule(m->id) });
        CHECK_OK(p);
        QCOMPARE(p->modules.size(), 1);

        auto notTrained = service.issueCertification(ben, p->program.id, 95, u"dana"_s);
        QVERIFY(!notTrained);
        QCOMPARE(notTrained.error().field, u"contact_id"_s);
        QVERIFY(notTrained.error().message.contains(u"Admin basics"_s));
        auto failed = service.issueCertification(ana, p->program.id, 75, u"dana"_s);
        QVERIFY(!failed);
        QCOMPARE(failed.error().field, u"score"_s);
        auto cert = service.issueCertification(ana, p->program.id, 85, u"dana"_s);
        CHECK_OK(cert);
        QCOMPARE(cert->status, CertificationStatus::Certified);
        QCOMPARE(cert->issuedAt, m_clock.now());
        QCOMPARE(cert->expiresAt, m_clock.now().addDays(365));
        QCOMPARE(count(trainingEvents), 2);
        auto twice = service.issueCertification(ana, p->program.id, 90, u"dana"_s);
        QVERIFY(!twice);
        QCOMPARE(twice.error().code, ErrorCode::AlreadyExists);

        auto tracked = service.trackCertifications(certificationsOf(p->program.id));
        CHECK_OK(tracked);
        QCOMPARE(tracked->certified, 1);
        QCOMPARE(tracked->expiringWithin30Days, 0);
        QVERIFY(near(*tracked->averageScore, 85));
        QCOMPARE(tracked->items.at(0).contactName, u"Ana"_s);
        QCOMPARE(tracked->items.at(0).customerId, u"A"_s);

        m_clock.set(noon(Today.addDays(340)));
        auto soon = service.trackCertifications({});
        CHECK_OK(soon);
        QCOMPARE(soon->expiringWithin30Days, 1);
        m_clock.set(noon(Today.addDays(366)));
        auto lapsed = service.trackCertifications({});
        CHECK_OK(lapsed);
        QCOMPARE(lapsed->certified, 0);
        QCOMPARE(lapsed->expired, 1);
        QCOMPARE(lapsed->items.at(0).effectiveStatus, CertificationStatus::Expired);
        auto expired = service.expireCertifications();
        CHECK_OK(expired);
        QCOMPARE(*expired, 1);
        QCOMPARE(count(u"SELECT COUNT(*) FROM certifications WHERE status = 'expired'"_s), 1);

        auto renewed = service.issueCertification(ana, p->program.id, 92, u"dana"_s);
        CHECK_OK(renewed);
        QVERIFY(renewed->id != cert->id);
        auto enrolled = service.enrol(ben, p->program.id);
        CHECK_OK(enrolled);
        QCOMPARE(enrolled->status, CertificationStatus::InProgress);

        auto noReason = service.revokeCertification(renewed->id, {}, u"dana"_s);
        QVERIFY(!noReason);
        QCOMPARE(noReason.error().field, u"reason"_s);
        auto revoked = service.revokeCertification(renewed->id, u"Shared exam answers"_s, u"dana"_s);
        CHECK_OK(revoked);
        QCOMPARE(revoked->status, CertificationStatus::Revoked);
        QCOMPARE(count(trainingEvents), 4);
        auto after = service.trackCertifications(certificationsOf(p->program.id, u"A"_s));
        CHECK_OK(after);
        QCOMPARE(after->revoked, 1);
        QCOMPARE(after->inProgress, 1);
        QCOMPARE(after->expired, 1);
        QCOMPARE(after->total, 3);
    }

    // ---- demo portfolio
    // ----------------------------------------------------------------------------------------------------

    void demoPortfolio()
    {
        Core::DemoPortfolio::Options options;
        options.customers = 60;
        options.seed = 4242;
        options.today = Today;
        options.usageEvents = 3000;
        options.replaceExisting = true;
        auto stats = Core::DemoPortfolio(db(), options).generate();
        CHECK_OK(stats);
        Core::OnboardingService service(db(), m_clock);

        // The demo brings its own templates under the default names: nothing to add.
        auto defaults = service.createDefaultTemplates();
        CHECK_OK(defaults);
        QCOMPARE(defaults->size(), 0);
        for (Tier tier : { Tier::Strategic, Tier::Enterprise, Tier::MidMarket, Tier::Smb })
            CHECK_OK(service.chooseTemplate(tier));

        auto ttv = service.ttvBenchmark();
        CHECK_OK(ttv);
        QVERIFY2(ttv->hasData, qPrintable(ttv->reason));
        QVERIFY(*ttv->p25 <= *ttv->p50 && *ttv->p50 <= *ttv->p75 && *ttv->p75 <= *ttv->p90);
        QCOMPARE(qint64(ttv->completedPlans),
            count(u"SELECT COUNT(*) FROM onboarding_plans WHERE status = 'completed' AND ttv_days IS NOT NULL"_s));

        auto lost = service.whereTimeIsLost();
        CHECK_OK(lost);
        QVERIFY2(lost->hasData, qPrintable(lost->reason));
        for (const Core::MilestoneTimeLoss &m : lost->milestones)
            QVERIFY(m.shareOverdue >= 0 && m.shareOverdue <= 1 && m.completed > 0);

        auto overdue = service.overdueItems({});
        CHECK_OK(overdue);
        QCOMPARE(qint64(overdue->milestonesOverdue),
            count(u"SELECT COUNT(*) FROM onboarding_milestones m JOIN onboarding_plans p ON p.id = m.plan_id WHERE "
                  "p.status IN ('not_started','in_progress','stalled') AND m.status IN ('pending','in_progress') AND "
                  "m.due_date < ?"_s,
                { Storage::Convert::toSql(Today) }));

        Core::PlanQuery q;
        q.limit = 200;
        auto plans = service.plans(q);
        CHECK_OK(plans);
        QCOMPARE(plans->total, count(u"SELECT COUNT(*) FROM onboarding_plans"_s));
        for (const Core::PlanSummary &s : plans->items) {
            if (s.progress.percent)
                QVERIFY(*s.progress.percent >= 0 && *s.progress.percent <= 100);
            auto detail = service.plan(s.plan.id);
            CHECK_OK(detail);
            QCOMPARE(detail->progress.milestonesOverdue, s.progress.milestonesOverdue);
            QCOMPARE(detail->progress.tasksCompleted, s.progress.tasksCompleted);
        }
    }
};

QTEST_GUILESS_MAIN(TestOnboardingService)
#include "tst_onboardingservice.moc"
