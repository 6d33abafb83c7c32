// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Core::customerJourney (map_customer_journey): one customer's stage history, touchpoints by kind and month,
// milestones and experience metrics, assembled from the services on hand-made data. Built twice: SQLite (label
// unit) and PostgreSQL (label pg).
#include <memory>

#include <QTest>
#include <QTimeZone>

#include "fakeclock.h"
#include "journey.h"
#include "services.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;
using namespace Domain;

namespace {

const QDate kToday(2026, 6, 15);

QDateTime utc(int y, int m, int d, int h = 12)
{
    return QDateTime(QDate(y, m, d), QTime(h, 0), QTimeZone::utc());
}

#define CHECK_OK(expr)                                                                                                 \
    do {                                                                                                               \
        const auto &result_ = (expr);                                                                                  \
        QVERIFY2(result_.ok(), result_.ok() ? "" : qPrintable(result_.error().toString()));                            \
    } while (false)

} // namespace

class TestJourney final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    TestUtils::FakeClock m_clock;
    std::unique_ptr<Core::Services> m_services;

    Core::Services &services() { return *m_services; }

    void record(const QDateTime &at, TimelineEventKind kind, const QString &title)
    {
        TimelineEvent e;
        e.customerId = u"j1"_s;
        e.occurredAt = at;
        e.kind = kind;
        e.title = title;
        auto recorded = services().timeline().record(e);
        QVERIFY2(recorded.ok(), qPrintable(recorded.ok() ? QString() : recorded.error().toString()));
    }

private Q_SLOTS:
    void init()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
        m_clock.set(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
        m_services = std::make_unique<Core::Services>(m_fixture->db(), m_clock);
        Customer c;
        c.id = u"j1"_s;
        c.name = u"Journey Co"_s;
        c.tier = Tier::MidMarket;
        c.owner = u"dana"_s;
        CHECK_OK(services().customers().create(c));
    }

    void cleanup()
    {
        m_services.reset();
        m_fixture.reset();
    }

    void unknownCustomerAndBadPeriod()
    {
        Core::JourneyQuery q;
        q.customerId = u"nobody"_s;
        auto missing = Core::customerJourney(services(), q);
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, Core::ErrorCode::NotFound);
        QCOMPARE(missing.error().field, u"customer_id"_s);
        q.customerId = u"j1"_s;
        q.from = QDate(2026, 6, 2);
        q.to = QDate(2026, 6, 1);
        auto reversed = Core::customerJourney(services(), q);
        QVERIFY(!reversed.ok());
        QCOMPARE(reversed.error().field, u"from"_s);
    }

    void nothingStoredIsSaidPlainly()
    {
        Core::JourneyQuery q;
        q.customerId = u"j1"_s;
        q.from = QDate(2025, 1, 1);
        q.to = QDate(2025, 3, 31);
        auto j = Core::customerJourney(services(), q);
        CHECK_OK(j);
        QCOMPARE(j->customerName, u"Journey Co"_s);
        QCOMPARE(j->stage, LifecycleStage::Onboarding);
        QCOMPARE(j->touchpointTotal, 0);
        QVERIFY(j->touchpoints.isEmpty());
        QVERIFY(j->milestones.isEmpty());
        QCOMPARE(j->nps.overall.responses, 0);
        QVERIFY(!j->nps.overall.value.has_value());
        QVERIFY(!j->csat.overall.value.has_value());
        QCOMPARE(j->support.opened, 0);
        QVERIFY(!j->support.firstResponse.percent.has_value());
        QVERIFY(!j->health.month.hasData);
        // Defaults: to = the clock's day, from = 364 days before.
        q.from = {};
        q.to = {};
        auto defaults = Core::customerJourney(services(), q);
        CHECK_OK(defaults);
        QCOMPARE(defaults->to, kToday);
        QCOMPARE(defaults->from, kToday.addDays(-364));
    }

    void stagesTouchpointsAndMilestones()
    {
        // Touchpoints in Q1 2025; the last one is just outside the period.
        record(utc(2025, 1, 10, 9), TimelineEventKind::Note, u"Kick-off notes"_s);
        record(utc(2025, 1, 10, 15), TimelineEventKind::Note, u"Follow-up notes"_s);
        record(utc(2025, 1, 20), TimelineEventKind::Email, u"Welcome e-mail"_s);
        record(utc(2025, 2, 5), TimelineEventKind::Note, u"Check-in"_s);
        record(utc(2025, 3, 31, 23), TimelineEventKind::Email, u"Quarter close"_s);
        record(utc(2025, 4, 1, 0), TimelineEventKind::Email, u"Outside the period"_s);

        Core::LifecycleTransitionRequest move;
        move.customerId = u"j1"_s;
        move.to = LifecycleStage::Adoption;
        move.force = true;
        move.reason = u"Go-live done"_s;
        move.actor = u"dana"_s;
        CHECK_OK(services().engagement().transition(move));

        CHECK_OK(services().onboarding().createDefaultTemplates());
        Core::PlanRequest planRequest;
        planRequest.customerId = u"j1"_s;
        planRequest.startOn = kToday.addDays(-10);
        auto created = services().onboarding().createPlan(planRequest);
        CHECK_OK(created);
        QVERIFY(!created->milestones.isEmpty());
        const OnboardingMilestone first = created->milestones.first().milestone;
        CHECK_OK(services().onboarding().setMilestoneStatus(first.id, OnboardingStepStatus::Completed, u"dana"_s));

        Core::JourneyQuery q;
        q.customerId = u"j1"_s;
        q.from = QDate(2025, 1, 1);
        q.to = QDate(2025, 3, 31);
        auto j = Core::customerJourney(services(), q);
        CHECK_OK(j);

        // Stage: the service's state, history oldest first.
        auto lifecycle = services().engagement().lifecycle(u"j1"_s);
        CHECK_OK(lifecycle);
        QCOMPARE(j->stage, LifecycleStage::Adoption);
        QCOMPARE(j->stageSince, lifecycle->since);
        QCOMPARE(j->stageChanges, lifecycle->historyTotal);
        QVERIFY(!j->stageHistory.isEmpty());
        QCOMPARE(j->stageHistory.size(), lifecycle->history.size());
        QCOMPARE(j->stageHistory.last().to, LifecycleStage::Adoption);
        QCOMPARE(j->stageHistory.last().reason, u"Go-live done"_s);
        QCOMPARE(j->stageHistory.last().from, std::optional<LifecycleStage>(LifecycleStage::Onboarding));

        // Touchpoints: newest month first, then by kind name; counts and the newest occurrence.
        QCOMPARE(j->touchpointTotal, 5);
        QCOMPARE(j->touchpoints.size(), 4);
        const auto check = [&](int i, const char *month, TimelineEventKind kind, int count, const QDateTime &last) {
            const Core::TouchpointGroup &g = j->touchpoints.at(i);
            return g.month == QLatin1StringView(month) && g.kind == kind && g.count == count && g.last == last;
        };
        QVERIFY(check(0, "2025-03", TimelineEventKind::Email, 1, utc(2025, 3, 31, 23)));
        QVERIFY(check(1, "2025-02", TimelineEventKind::Note, 1, utc(2025, 2, 5)));
        QVERIFY(check(2, "2025-01", TimelineEventKind::Email, 1, utc(2025, 1, 20)));
        QVERIFY(check(3, "2025-01", TimelineEventKind::Note, 2, utc(2025, 1, 10, 15)));

        // Milestones: the completed onboarding milestone (no usage: no adoption milestone), with its date.
        auto adoption = services().engagement().milestones(u"j1"_s);
        CHECK_OK(adoption);
        QCOMPARE(j->adoptionMilestonesDefined, int(adoption->milestones.size()));
        QCOMPARE(j->milestones.size(), 1);
        QCOMPARE(j->milestones.first().source, u"onboarding"_s);
        QCOMPARE(j->milestones.first().title, first.name);
        auto stored = services().onboarding().plan(created->plan.id);
        CHECK_OK(stored);
        QCOMPARE(j->milestones.first().reachedAt, stored->milestones.first().milestone.completedAt);
        QVERIFY(j->milestones.first().reachedAt.isValid());
    }
};

QTEST_GUILESS_MAIN(TestJourney)
#include "tst_journey.moc"
