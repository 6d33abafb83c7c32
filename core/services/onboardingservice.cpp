// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "onboardingservice.h"

#include <algorithm>
#include <cmath>

#include <QHash>
#include <QMap>
#include <QSet>
#include <QSqlRecord>
#include <QTimeZone>

#include "servicesupport.h"
#include "sql.h"
#include "tables_accounts.h"
#include "tables_customers.h"
#include "tables_operations.h"
#include "timelineservice.h"
#include "transaction.h"

namespace Core {

using namespace Qt::StringLiterals;
using Domain::OnboardingPlanStatus;
using Domain::OnboardingStepStatus;
using Storage::Convert::fromSql;
using Storage::Convert::toSql;

namespace {

using ServiceSupport::dayOf;
using ServiceSupport::timeOf;

constexpr int MaxListLimit = 200;
const QString OpenPlanStatuses = u"('not_started','in_progress','stalled')"_s;
const QString OpenStepStatuses = u"('pending','in_progress')"_s;

Error withField(Error error, const QString &field)
{
    if (error.code == ErrorCode::NotFound)
        error.field = field;
    return error;
}

bool isOpenStep(OnboardingStepStatus s)
{
    return s == OnboardingStepStatus::Pending || s == OnboardingStepStatus::InProgress;
}

bool isDoneStep(OnboardingStepStatus s)
{
    return s == OnboardingStepStatus::Completed || s == OnboardingStepStatus::Skipped;
}

bool isOpenPlan(OnboardingPlanStatus s)
{
    return s == OnboardingPlanStatus::NotStarted || s == OnboardingPlanStatus::InProgress
        || s == OnboardingPlanStatus::Stalled;
}

template<typename T>
Result<QList<T>> listAll(const Storage::Database &db, const QList<Storage::Filter> &filters, const QString &orderBy)
{
    Storage::ListQuery q;
    q.filters = filters;
    q.orderBy = orderBy;
    q.limit = 1000;
    q.countTotal = false;
    QList<T> out;
    for (;;) {
        auto page = Storage::Repository<T>(db).list(q);
        if (!page)
            return page.error();
        out << page->items;
        if (page->nextCursor.isEmpty())
            return out;
        q.cursor = page->nextCursor;
    }
}

OnboardingRisk riskOf(const Domain::OnboardingPlan &plan, int overdue, bool anyDueDate, const QDate &today)
{
    if (plan.status == OnboardingPlanStatus::Cancelled)
        return OnboardingRisk::Cancelled;
    if (plan.status == OnboardingPlanStatus::Completed)
        return OnboardingRisk::Completed;
    if (plan.targetGoLive.isValid() && today > plan.targetGoLive)
        return OnboardingRisk::OffTrack;
    if (overdue > 0)
        return OnboardingRisk::AtRisk;
    if (!anyDueDate && !plan.targetGoLive.isValid())
        return OnboardingRisk::NoSchedule;
    return OnboardingRisk::OnTrack;
}

void fillSchedule(PlanProgress &p, const Domain::OnboardingPlan &plan, const QDate &today)
{
    if (plan.targetGoLive.isValid() && isOpenPlan(plan.status))
        p.daysToTargetGoLive = int(today.daysTo(plan.targetGoLive));
    if (plan.startedOn.isValid()) {
        if (plan.status == OnboardingPlanStatus::Completed && plan.completedOn.isValid())
            p.daysElapsed = int(plan.startedOn.daysTo(plan.completedOn));
        else if (plan.startedOn <= today)
            p.daysElapsed = int(plan.startedOn.daysTo(today));
    }
}

// The default templates createDefaultTemplates() writes (documented in onboardingservice.h).
struct DefaultMilestone
{
    const char *name;
    int offsetDays;
    const char *tasks[3];
};
struct DefaultTemplate
{
    const char *name;
    const char *description;
    const char *tier; // nullptr = any tier
    const char *complexity;
    int targetTtvDays;
    DefaultMilestone milestones[6];
};
constexpr DefaultTemplate kDefaultTemplates[] = {
    { "Strategic onboarding", "White-glove rollout with a success plan, architecture review and phased go-live.",
        "strategic", "high", 90,
        { { "Kickoff and success plan", 5, { "Run kickoff meeting", "Agree success criteria", "Share project plan" } },
            { "Architecture review", 15,
                { "Review SSO and security requirements", "Confirm data residency", "Sign off architecture" } },
            { "Integrations and data migration", 35,
                { "Connect CRM integration", "Migrate historical data", "Validate imported records" } },
            { "Admin and champion training", 50,
                { "Train administrators", "Train champions", "Publish internal guide" } },
            { "Pilot team live", 65, { "Launch pilot team", "Collect pilot feedback", "Fix pilot blockers" } },
            { "Company-wide go-live", 90,
                { "Roll out to all teams", "Executive go-live review", "Hand over to adoption plan" } } } },
    { "Enterprise onboarding", "Structured rollout for enterprise accounts with integrations and admin training.",
        "enterprise", "high", 60,
        { { "Kickoff", 3, { "Run kickoff meeting", "Agree success criteria", "Share project plan" } },
            { "Technical setup", 10, { "Configure SSO", "Set up workspaces", "Invite administrators" } },
            { "Integrations", 25, { "Connect CRM integration", "Connect data warehouse", "Test data sync" } },
            { "Admin training", 35, { "Train administrators", "Record training session", "Share admin checklist" } },
            { "Team rollout", 45, { "Invite all users", "Run team training", "Set up first dashboards" } },
            { "Go-live review", 60, { "Review adoption metrics", "Confirm success criteria", "Plan first QBR" } } } },
    { "Mid-market onboarding", "Guided setup for mid-market teams: configuration, data import and training.",
        "mid_market", "medium", 45,
        { { "Kickoff", 3, { "Run kickoff call", "Agree goals", "Share onboarding plan" } },
            { "Technical setup", 10, { "Create workspace", "Invite administrators", "Configure permissions" } },
            { "Data import", 20, { "Prepare import file", "Import data", "Validate records" } },
            { "Team training", 30, { "Run team training", "Share how-to guides", "Set up first workflow" } },
            { "Go-live", 45, { "Invite all users", "Review first month usage", "Hand over to CSM" } },
            { nullptr, 0, { nullptr, nullptr, nullptr } } } },
    { "SMB quick start", "Light-touch onboarding for small teams: welcome call, setup and first workflow.", "smb",
        "low", 21,
        { { "Welcome call", 2, { "Run welcome call", "Share quick start guide", nullptr } },
            { "Account setup", 5, { "Create workspace", "Import contacts", nullptr } },
            { "First workflow live", 12, { "Build first workflow", "Create first dashboard", nullptr } },
            { "Team invited", 21, { "Invite the team", "Check first week usage", nullptr } },
            { nullptr, 0, { nullptr, nullptr, nullptr } }, { nullptr, 0, { nullptr, nullptr, nullptr } } } },
    { "Self-serve trial", "Trial accounts: sign-up, first value and a review call before conversion.", nullptr, "low",
        14,
        { { "Sign up and invite team", 1, { "Verify e-mail", "Invite teammates", nullptr } },
            { "First dashboard", 5, { "Connect a data source", "Create first dashboard", nullptr } },
            { "Trial review call", 14, { "Book review call", "Send proposal", nullptr } },
            { nullptr, 0, { nullptr, nullptr, nullptr } }, { nullptr, 0, { nullptr, nullptr, nullptr } },
            { nullptr, 0, { nullptr, nullptr, nullptr } } } },
};

int complexityRank(Domain::OnboardingComplexity c)
{
    switch (c) {
    case Domain::OnboardingComplexity::Low:
        return 0;
    case Domain::OnboardingComplexity::Medium:
        return 1;
    case Domain::OnboardingComplexity::High:
        break;
    }
    return 2;
}

} // namespace

// ---- formulas ---------------------------------------------------------------------------------------------------

namespace Onboarding {

std::optional<double> percentile(QList<double> values, double p)
{
    if (values.isEmpty() || !(p >= 0 && p <= 1))
        return std::nullopt;
    std::sort(values.begin(), values.end());
    const double h = double(values.size() - 1) * p;
    const qsizetype lower = qsizetype(std::floor(h));
    const qsizetype upper = std::min(lower + 1, values.size() - 1);
    return values.at(lower) + (h - double(lower)) * (values.at(upper) - values.at(lower));
}

std::optional<double> median(const QList<double> &values)
{
    return percentile(values, 0.5);
}

std::optional<double> percentileRank(const QList<double> &values, double value)
{
    if (values.isEmpty())
        return std::nullopt;
    const auto atOrBelow = std::count_if(values.cbegin(), values.cend(), [value](double v) { return v <= value; });
    return double(atOrBelow) / double(values.size());
}

std::optional<double> progressPercent(
    int milestonesCompleted, int milestonesCounted, int tasksCompleted, int tasksCounted)
{
    const int counted = milestonesCounted + tasksCounted;
    if (counted <= 0)
        return std::nullopt;
    return 100.0 * double(milestonesCompleted + tasksCompleted) / double(counted);
}

} // namespace Onboarding

OnboardingService::OnboardingService(const Storage::Database &db, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
{ }

// ---- templates ----------------------------------------------------------------------------------------------------

namespace {
// Writes a template and its milestones on the caller's transaction.
Result<TemplateDetail> insertTemplate(const Storage::Database &db, const Domain::OnboardingTemplate &onboardingTemplate,
    const QList<Domain::OnboardingTemplateMilestone> &milestones)
{
    if (auto ok = onboardingTemplate.validate(); !ok)
        return ok.error();
    if (milestones.isEmpty())
        return Error::invalid(u"milestones"_s, u"a template needs at least one milestone"_s);
    auto taken = Storage::exec(db,
        u"SELECT COUNT(*) FROM onboarding_templates WHERE lower(name) = lower(?) AND deleted_at IS NULL"_s,
        { onboardingTemplate.name });
    if (!taken)
        return taken.error();
    if (taken->next() && taken->value(0).toLongLong() > 0)
        return Error { ErrorCode::AlreadyExists, u"name"_s,
            u"a template named '%1' already exists"_s.arg(onboardingTemplate.name) };
    auto created = Storage::OnboardingTemplateRepository(db).create(onboardingTemplate);
    if (!created)
        return created.error();
    TemplateDetail detail;
    detail.onboardingTemplate = *created;
    Storage::OnboardingTemplateMilestoneRepository repo(db);
    for (int i = 0; i < milestones.size(); ++i) {
        Domain::OnboardingTemplateMilestone m = milestones.at(i);
        m.templateId = created->id;
        if (m.position == 0)
            m.position = i; // unset positions keep the given order
        auto stored = repo.create(m);
        if (!stored) {
            Error e = stored.error();
            if (e.field != u"template_id"_s)
                e.field = u"milestones[%1].%2"_s.arg(i).arg(e.field);
            return e;
        }
        detail.milestones << *stored;
    }
    std::stable_sort(detail.milestones.begin(), detail.milestones.end(),
        [](const auto &a, const auto &b) { return a.position < b.position; });
    return detail;
}
} // namespace

Result<TemplateDetail> OnboardingService::createTemplate(
    const Domain::OnboardingTemplate &onboardingTemplate, const QList<Domain::OnboardingTemplateMilestone> &milestones)
{
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto detail = insertTemplate(m_db, onboardingTemplate, milestones);
    if (!detail)
        return detail.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT templatesChanged();
    return detail;
}

Result<QList<TemplateDetail>> OnboardingService::createDefaultTemplates()
{
    QList<TemplateDetail> created;
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    for (const DefaultTemplate &def : kDefaultTemplates) {
        const QString name = QString::fromLatin1(def.name);
        auto taken = Storage::exec(m_db,
            u"SELECT COUNT(*) FROM onboarding_templates WHERE lower(name) = lower(?) AND deleted_at IS NULL"_s,
            { name });
        if (!taken)
            return taken.error();
        if (taken->next() && taken->value(0).toLongLong() > 0)
            continue;
        Domain::OnboardingTemplate t;
        t.name = name;
        t.description = QString::fromLatin1(def.description);
        if (def.tier)
            t.tier = Domain::enumFromString<Domain::Tier>(QString::fromLatin1(def.tier));
        t.complexity = Domain::enumFromString<Domain::OnboardingComplexity>(QString::fromLatin1(def.complexity))
                           .value_or(Domain::OnboardingComplexity::Medium);
        t.targetTtvDays = def.targetTtvDays;
        t.isActive = true;
        QList<Domain::OnboardingTemplateMilestone> milestones;
        for (int i = 0; i < 6 && def.milestones[i].name; ++i) {
            Domain::OnboardingTemplateMilestone m;
            m.position = i;
            m.name = QString::fromLatin1(def.milestones[i].name);
            m.offsetDays = def.milestones[i].offsetDays;
            for (int k = 0; k < 3 && def.milestones[i].tasks[k]; ++k)
                m.tasks << QString::fromLatin1(def.milestones[i].tasks[k]);
            milestones << m;
        }
        auto detail = insertTemplate(m_db, t, milestones);
        if (!detail)
            return detail.error();
        created << *detail;
    }
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    if (!created.isEmpty())
        Q_EMIT templatesChanged();
    return created;
}

Result<TemplateDetail> OnboardingService::templateDetail(qint64 templateId) const
{
    auto t = Storage::OnboardingTemplateRepository(m_db).get(templateId);
    if (!t)
        return withField(t.error(), u"template_id"_s);
    auto milestones = listAll<Domain::OnboardingTemplateMilestone>(
        m_db, { Storage::Filter { u"template_id"_s, Storage::Filter::Op::Eq, templateId } }, u"position"_s);
    if (!milestones)
        return milestones.error();
    return TemplateDetail { *t, *milestones };
}

Result<QList<Domain::OnboardingTemplate>> OnboardingService::templates(
    std::optional<Domain::Tier> tier, std::optional<Domain::OnboardingComplexity> complexity, bool activeOnly) const
{
    if (tier && !Domain::isKnown(*tier))
        return Error::invalid(u"tier"_s, u"is not a known tier"_s);
    if (complexity && !Domain::isKnown(*complexity))
        return Error::invalid(u"complexity"_s, u"must be low, medium or high"_s);
    Storage::ListQuery q;
    q.orderBy = u"name"_s;
    q.limit = MaxListLimit;
    q.countTotal = false;
    QStringList conditions;
    if (tier) {
        conditions << u"(tier = ? OR tier IS NULL)"_s;
        q.extraBindings << toSql(*tier);
    }
    if (complexity)
        q.filters << Storage::Filter { u"complexity"_s, Storage::Filter::Op::Eq, toSql(*complexity) };
    if (activeOnly)
        conditions << u"is_active"_s;
    q.extraCondition = conditions.join(u" AND "_s);
    auto page = Storage::OnboardingTemplateRepository(m_db).list(q);
    if (!page)
        return page.error();
    return page->items;
}

Result<TemplateDetail> OnboardingService::chooseTemplate(
    Domain::Tier tier, std::optional<Domain::OnboardingComplexity> complexity) const
{
    auto candidates = templates(tier, std::nullopt, true);
    if (!candidates)
        return candidates.error();
    const Domain::OnboardingTemplate *best = nullptr;
    const auto rank = [&](const Domain::OnboardingTemplate &t) {
        // Lower is better: the exact tier before any-tier templates; then the asked complexity (or, with none
        // asked, the lowest one); then the id, so the choice is stable.
        const int tierRank = t.tier ? 0 : 1;
        const int complexityMiss = complexity ? (t.complexity == *complexity ? 0 : 10) : complexityRank(t.complexity);
        return std::pair { tierRank * 100 + complexityMiss, t.id };
    };
    for (const Domain::OnboardingTemplate &t : *candidates) {
        if (complexity && t.complexity != *complexity)
            continue;
        if (!best || rank(t) < rank(*best))
            best = &t;
    }
    if (!best)
        return Error::notFound(u"tier"_s,
            u"no active onboarding template for tier %1%2; create one, or call createDefaultTemplates()"_s.arg(
                Domain::enumName(tier),
                complexity ? u" and complexity %1"_s.arg(Domain::enumName(*complexity)) : QString()));
    return templateDetail(best->id);
}

// ---- plans
// ------------------------------------------------------------------------------------------------------------

Result<PlanDetail> OnboardingService::loadPlan(qint64 planId) const
{
    auto plan = Storage::OnboardingPlanRepository(m_db).get(planId);
    if (!plan)
        return withField(plan.error(), u"plan_id"_s);
    PlanDetail detail;
    detail.plan = *plan;
    auto customer = Storage::CustomerRepository(m_db).get(plan->customerId, true);
    if (customer)
        detail.customerName = customer->name;
    auto milestones = listAll<Domain::OnboardingMilestone>(
        m_db, { Storage::Filter { u"plan_id"_s, Storage::Filter::Op::Eq, planId } }, u"position"_s);
    if (!milestones)
        return milestones.error();
    auto tasks = Storage::exec(m_db,
        u"SELECT %1 FROM onboarding_tasks WHERE deleted_at IS NULL AND milestone_id IN (SELECT id FROM "
        "onboarding_milestones WHERE plan_id = ? AND deleted_at IS NULL) ORDER BY milestone_id, position, id"_s.arg(
            Storage::OnboardingTaskRepository::selectList()),
        { planId });
    if (!tasks)
        return tasks.error();
    QHash<qint64, QList<Domain::OnboardingTask>> byMilestone;
    const QSqlRecord rec = tasks->record();
    while (tasks->next()) {
        const Domain::OnboardingTask t = Storage::OnboardingTaskRepository::fromRow(*tasks, rec);
        byMilestone[t.milestoneId] << t;
    }
    const QDate today = m_clock.today();
    const bool open = isOpenPlan(plan->status);
    PlanProgress &p = detail.progress;
    bool anyDueDate = false;
    for (const Domain::OnboardingMilestone &m : *milestones) {
        MilestoneDetail md;
        md.milestone = m;
        md.tasks = byMilestone.value(m.id);
        md.overdue = open && m.isOverdue(today);
        anyDueDate = anyDueDate || m.dueDate.isValid();
        ++p.milestonesTotal;
        p.milestonesCompleted += m.status == OnboardingStepStatus::Completed ? 1 : 0;
        p.milestonesSkipped += m.status == OnboardingStepStatus::Skipped ? 1 : 0;
        p.milestonesOverdue += md.overdue ? 1 : 0;
        for (const Domain::OnboardingTask &t : std::as_const(md.tasks)) {
            ++p.tasksTotal;
            p.tasksCompleted += t.status == OnboardingStepStatus::Completed ? 1 : 0;
            p.tasksSkipped += t.status == OnboardingStepStatus::Skipped ? 1 : 0;
            p.tasksOverdue += open && t.isOverdue(today) ? 1 : 0;
            anyDueDate = anyDueDate || t.dueDate.isValid();
        }
        detail.milestones << md;
    }
    p.percent = Onboarding::progressPercent(p.milestonesCompleted, p.milestonesTotal - p.milestonesSkipped,
        p.tasksCompleted, p.tasksTotal - p.tasksSkipped);
    p.risk = riskOf(*plan, p.milestonesOverdue + p.tasksOverdue, anyDueDate, today);
    fillSchedule(p, *plan, today);
    return detail;
}

Result<PlanDetail> OnboardingService::plan(qint64 planId) const
{
    return loadPlan(planId);
}

Result<PlanDetail> OnboardingService::createPlan(const PlanRequest &request)
{
    auto customer = Storage::CustomerRepository(m_db).get(request.customerId);
    if (!customer)
        return withField(customer.error(), u"customer_id"_s);
    if (customer->status == Domain::CustomerStatus::Churned)
        return Error::invalid(u"customer_id"_s, u"has churned: there is nothing to onboard"_s);
    if (request.complexity && !Domain::isKnown(*request.complexity))
        return Error::invalid(u"complexity"_s, u"must be low, medium or high"_s);
    const QDate today = m_clock.today();
    const QDate start = request.startOn.isValid() ? request.startOn : today;

    TemplateDetail chosen;
    if (request.templateId) {
        auto t = templateDetail(*request.templateId);
        if (!t)
            return t.error();
        if (!t->onboardingTemplate.isActive)
            return Error::invalid(u"template_id"_s, u"is inactive"_s);
        chosen = *t;
    } else {
        auto t = chooseTemplate(customer->tier, request.complexity);
        if (!t)
            return t.error();
        chosen = *t;
    }

    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto existing = Storage::exec(m_db,
        u"SELECT id FROM onboarding_plans WHERE customer_id = ? AND deleted_at IS NULL AND status IN %1 ORDER BY id "
        "LIMIT 1"_s.arg(OpenPlanStatuses),
        { customer->id });
    if (!existing)
        return existing.error();
    if (existing->next())
        return Error { ErrorCode::AlreadyExists, u"customer_id"_s,
            u"already has an open onboarding plan (plan_id %1); complete or cancel it first"_s.arg(
                existing->value(0).toLongLong()) };

    Domain::OnboardingPlan plan;
    plan.customerId = customer->id;
    plan.templateId = chosen.onboardingTemplate.id;
    plan.name = request.name.isEmpty() ? QString(chosen.onboardingTemplate.name + u" - "_s + customer->name).left(200)
                                       : request.name;
    plan.status = start <= today ? OnboardingPlanStatus::InProgress : OnboardingPlanStatus::NotStarted;
    plan.owner = request.owner.isEmpty() ? customer->owner : request.owner;
    plan.startedOn = start;
    plan.targetTtvDays = chosen.onboardingTemplate.targetTtvDays;
    plan.targetGoLive = start.addDays(chosen.onboardingTemplate.targetTtvDays);
    auto created = Storage::OnboardingPlanRepository(m_db).create(plan);
    if (!created)
        return created.error();
    Storage::OnboardingMilestoneRepository milestones(m_db);
    Storage::OnboardingTaskRepository tasks(m_db);
    for (const Domain::OnboardingTemplateMilestone &tm : std::as_const(chosen.milestones)) {
        Domain::OnboardingMilestone m;
        m.planId = created->id;
        m.templateMilestoneId = tm.id;
        m.position = tm.position;
        m.name = tm.name;
        m.description = tm.description;
        m.owner = plan.owner;
        m.dueDate = start.addDays(tm.offsetDays);
        auto storedMilestone = milestones.create(m);
        if (!storedMilestone)
            return storedMilestone.error();
        for (int k = 0; k < tm.tasks.size(); ++k) {
            Domain::OnboardingTask t;
            t.milestoneId = storedMilestone->id;
            t.position = k;
            t.title = tm.tasks.at(k);
            t.owner = plan.owner;
            t.dueDate = m.dueDate;
            if (auto ok = tasks.create(t); !ok)
                return ok.error();
        }
    }
    if (auto ok = TimelineService::append(m_db, customer->id, m_clock.now(), Domain::TimelineEventKind::Onboarding,
            u"Onboarding plan created: %1"_s.arg(plan.name),
            { { u"template"_s, chosen.onboardingTemplate.name }, { u"started_on"_s, start.toString(Qt::ISODate) },
                { u"target_go_live"_s, plan.targetGoLive.toString(Qt::ISODate) },
                { u"milestones"_s, int(chosen.milestones.size()) } },
            u"onboarding_plans"_s, QString::number(created->id), request.actor);
        !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT planChanged(created->id, created->customerId);
    return loadPlan(created->id);
}

Result<QList<PlanSummary>> OnboardingService::summarise(const QList<Domain::OnboardingPlan> &plans) const
{
    QList<PlanSummary> out;
    if (plans.isEmpty())
        return out;
    QVariantList ids;
    QStringList customerIds;
    for (const Domain::OnboardingPlan &p : plans) {
        ids << p.id;
        if (!customerIds.contains(p.customerId))
            customerIds << p.customerId;
    }
    const QString in = Storage::Detail::placeholders(int(ids.size()));
    const QDate today = m_clock.today();
    struct Counts
    {
        int total = 0, completed = 0, skipped = 0, overdue = 0, withDue = 0;
    };
    QHash<qint64, Counts> milestoneCounts;
    QHash<qint64, Counts> taskCounts;
    const auto count = [&](const QString &sql, QHash<qint64, Counts> &into) -> Status {
        QVariantList b { toSql(today) };
        b << ids;
        auto rows = Storage::exec(m_db, sql.arg(in), b);
        if (!rows)
            return rows.error();
        while (rows->next()) {
            Counts c;
            c.total = rows->value(1).toInt();
            c.completed = rows->value(2).toInt();
            c.skipped = rows->value(3).toInt();
            c.overdue = rows->value(4).toInt();
            c.withDue = rows->value(5).toInt();
            into.insert(rows->value(0).toLongLong(), c);
        }
        return {};
    };
    // One GROUP BY per level for the whole page (set-based, not one query per plan).
    if (auto ok = count(u"SELECT plan_id, COUNT(*), SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), "
                        "SUM(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END), SUM(CASE WHEN status IN ('pending',"
                        "'in_progress') AND due_date < ? THEN 1 ELSE 0 END), SUM(CASE WHEN due_date IS NOT NULL THEN 1 "
                        "ELSE 0 END) FROM onboarding_milestones WHERE deleted_at IS NULL AND plan_id IN (%1) GROUP BY "
                        "plan_id"_s,
            milestoneCounts);
        !ok)
        return ok.error();
    if (auto ok = count(u"SELECT m.plan_id, COUNT(*), SUM(CASE WHEN t.status = 'completed' THEN 1 ELSE 0 END), "
                        "SUM(CASE WHEN t.status = 'skipped' THEN 1 ELSE 0 END), SUM(CASE WHEN t.status IN ('pending',"
                        "'in_progress') AND t.due_date < ? THEN 1 ELSE 0 END), SUM(CASE WHEN t.due_date IS NOT NULL "
                        "THEN 1 ELSE 0 END) FROM onboarding_tasks t JOIN onboarding_milestones m ON m.id = "
                        "t.milestone_id WHERE t.deleted_at IS NULL AND m.deleted_at IS NULL AND m.plan_id IN (%1) "
                        "GROUP BY m.plan_id"_s,
            taskCounts);
        !ok)
        return ok.error();
    QHash<QString, QString> names;
    {
        QVariantList b;
        for (const QString &id : std::as_const(customerIds))
            b << id;
        auto rows = Storage::exec(m_db,
            u"SELECT id, name FROM customers WHERE id IN (%1)"_s.arg(Storage::Detail::placeholders(int(b.size()))), b);
        if (!rows)
            return rows.error();
        while (rows->next())
            names.insert(rows->value(0).toString(), rows->value(1).toString());
    }
    for (const Domain::OnboardingPlan &plan : plans) {
        PlanSummary s;
        s.plan = plan;
        s.customerName = names.value(plan.customerId);
        const Counts m = milestoneCounts.value(plan.id);
        const Counts t = taskCounts.value(plan.id);
        const bool open = isOpenPlan(plan.status);
        PlanProgress &p = s.progress;
        p.milestonesTotal = m.total;
        p.milestonesCompleted = m.completed;
        p.milestonesSkipped = m.skipped;
        p.milestonesOverdue = open ? m.overdue : 0;
        p.tasksTotal = t.total;
        p.tasksCompleted = t.completed;
        p.tasksSkipped = t.skipped;
        p.tasksOverdue = open ? t.overdue : 0;
        p.percent = Onboarding::progressPercent(m.completed, m.total - m.skipped, t.completed, t.total - t.skipped);
        p.risk = riskOf(plan, p.milestonesOverdue + p.tasksOverdue, m.withDue + t.withDue > 0, today);
        fillSchedule(p, plan, today);
        out << s;
    }
    return out;
}

Result<Storage::Page<PlanSummary>> OnboardingService::plans(const PlanQuery &query) const
{
    if (query.limit < 1 || query.limit > MaxListLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(MaxListLimit));
    if (query.status && !Domain::isKnown(*query.status))
        return Error::invalid(u"status"_s, u"is not a known plan status"_s);
    Storage::ListQuery q;
    q.limit = query.limit;
    q.cursor = query.cursor;
    if (!query.customerId.isEmpty())
        q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, query.customerId };
    if (!query.owner.isEmpty())
        q.filters << Storage::Filter { u"owner"_s, Storage::Filter::Op::Eq, query.owner };
    if (query.status)
        q.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq, toSql(*query.status) };
    // Correlated: an IN (SELECT id …) list would be built from every live customer for each call.
    q.extraCondition = u"EXISTS (SELECT 1 FROM customers c WHERE c.id = onboarding_plans.customer_id AND "
                       u"c.deleted_at IS NULL)"_s;
    if (query.openOnly)
        q.extraCondition += u" AND status IN "_s + OpenPlanStatuses;
    auto page = Storage::OnboardingPlanRepository(m_db).list(q);
    if (!page)
        return page.error();
    auto items = summarise(page->items);
    if (!items)
        return items.error();
    Storage::Page<PlanSummary> out;
    out.items = *items;
    out.total = page->total;
    out.nextCursor = page->nextCursor;
    return out;
}

Status OnboardingService::settlePlan(qint64 planId, const QString &actor)
{
    Storage::OnboardingPlanRepository plans(m_db);
    auto stored = plans.get(planId);
    if (!stored)
        return withField(stored.error(), u"plan_id"_s);
    auto counts = Storage::exec(m_db,
        u"SELECT COUNT(*), SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), SUM(CASE WHEN status IN ('completed',"
        "'skipped') THEN 1 ELSE 0 END), SUM(CASE WHEN status IN ('in_progress','completed') THEN 1 ELSE 0 END) FROM "
        "onboarding_milestones WHERE plan_id = ? AND deleted_at IS NULL"_s,
        { planId });
    if (!counts)
        return counts.error();
    int total = 0, completed = 0, done = 0, started = 0;
    if (counts->next()) {
        total = counts->value(0).toInt();
        completed = counts->value(1).toInt();
        done = counts->value(2).toInt();
        started = counts->value(3).toInt();
    }
    Domain::OnboardingPlan plan = *stored;
    const QDate today = m_clock.today();
    const bool allDone = total > 0 && done == total && completed > 0;
    bool completedNow = false;
    if (allDone && plan.status != OnboardingPlanStatus::Completed && plan.status != OnboardingPlanStatus::Cancelled) {
        if (!plan.startedOn.isValid() || plan.startedOn > today)
            plan.startedOn = today; // work was done, so it has started
        plan.status = OnboardingPlanStatus::Completed;
        plan.completedOn = today;
        plan.ttvDays = int(plan.startedOn.daysTo(today)); // time to value: start to completion
        completedNow = true;
    } else if (!allDone && plan.status == OnboardingPlanStatus::Completed) {
        plan.status = OnboardingPlanStatus::InProgress;
        plan.completedOn = QDate();
        plan.ttvDays.reset();
    } else if (plan.status == OnboardingPlanStatus::NotStarted && started > 0) {
        plan.status = OnboardingPlanStatus::InProgress;
        if (plan.startedOn.isValid() && plan.startedOn > today)
            plan.startedOn = today;
    } else {
        return {};
    }
    auto updated = plans.update(plan);
    if (!updated)
        return updated.error();
    if (completedNow) {
        QVariantMap detail { { u"ttv_days"_s, *plan.ttvDays },
            { u"started_on"_s, plan.startedOn.toString(Qt::ISODate) },
            { u"completed_on"_s, today.toString(Qt::ISODate) } };
        if (plan.targetTtvDays)
            detail.insert(u"target_ttv_days"_s, *plan.targetTtvDays);
        if (auto ok
            = TimelineService::append(m_db, plan.customerId, m_clock.now(), Domain::TimelineEventKind::Onboarding,
                plan.targetTtvDays
                    ? u"Onboarding completed in %1 days (target %2)"_s.arg(*plan.ttvDays).arg(*plan.targetTtvDays)
                    : u"Onboarding completed in %1 days"_s.arg(*plan.ttvDays),
                detail, u"onboarding_plans"_s, QString::number(plan.id), actor);
            !ok)
            return ok;
    }
    return {};
}

Result<PlanDetail> OnboardingService::setMilestoneStatus(
    qint64 milestoneId, OnboardingStepStatus status, const QString &actor, int expectedVersion)
{
    if (!Domain::isKnown(status))
        return Error::invalid(u"status"_s, u"must be pending, in_progress, completed or skipped"_s);
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    Storage::OnboardingMilestoneRepository milestones(m_db);
    auto stored = milestones.get(milestoneId);
    if (!stored)
        return withField(stored.error(), u"milestone_id"_s);
    if (expectedVersion > 0 && expectedVersion != stored->meta.version)
        return Error::conflict(u"version"_s,
            u"this milestone was changed since it was read (you have version %1, the "
            "stored one is %2); reload it"_s.arg(expectedVersion)
                .arg(stored->meta.version));
    auto plan = Storage::OnboardingPlanRepository(m_db).get(stored->planId);
    if (!plan)
        return withField(plan.error(), u"plan_id"_s);
    if (plan->status == OnboardingPlanStatus::Cancelled)
        return Error::invalid(u"milestone_id"_s, u"belongs to a cancelled plan"_s);
    if (stored->status == status)
        return loadPlan(plan->id); // nothing to change: idempotent

    const QDateTime now = m_clock.now();
    Domain::OnboardingMilestone m = *stored;
    m.status = status;
    switch (status) {
    case OnboardingStepStatus::InProgress:
        if (!m.startedAt.isValid())
            m.startedAt = now;
        m.completedAt = QDateTime();
        break;
    case OnboardingStepStatus::Completed:
        if (m.startedAt.isValid() && m.startedAt > now)
            m.startedAt = now;
        m.completedAt = now;
        break;
    case OnboardingStepStatus::Pending:
    case OnboardingStepStatus::Skipped:
        m.completedAt = QDateTime();
        break;
    }
    if (auto ok = milestones.update(m); !ok)
        return ok.error();
    // A milestone reached (or skipped) takes its open tasks with it.
    if (status == OnboardingStepStatus::Completed || status == OnboardingStepStatus::Skipped) {
        auto tasks = listAll<Domain::OnboardingTask>(
            m_db, { Storage::Filter { u"milestone_id"_s, Storage::Filter::Op::Eq, milestoneId } }, u"position"_s);
        if (!tasks)
            return tasks.error();
        Storage::OnboardingTaskRepository taskRepo(m_db);
        for (Domain::OnboardingTask t : *tasks) {
            if (!isOpenStep(t.status))
                continue;
            t.status = status;
            t.completedAt = status == OnboardingStepStatus::Completed ? now : QDateTime();
            if (auto ok = taskRepo.update(t); !ok)
                return ok.error();
        }
    }
    if (status == OnboardingStepStatus::Completed) {
        QVariantMap detail { { u"milestone"_s, m.name }, { u"plan_id"_s, m.planId } };
        if (m.dueDate.isValid()) {
            detail.insert(u"due_date"_s, m.dueDate.toString(Qt::ISODate));
            detail.insert(u"days_late"_s, qint64(std::max<qint64>(0, m.dueDate.daysTo(now.date()))));
        }
        if (auto ok = TimelineService::append(m_db, plan->customerId, now, Domain::TimelineEventKind::Onboarding,
                u"Onboarding milestone completed: %1"_s.arg(m.name), detail, u"onboarding_milestones"_s,
                QString::number(m.id), actor);
            !ok)
            return ok.error();
    }
    if (auto ok = settlePlan(plan->id, actor); !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT planChanged(plan->id, plan->customerId);
    return loadPlan(plan->id);
}

Result<PlanDetail> OnboardingService::setTaskStatus(
    qint64 taskId, OnboardingStepStatus status, const QString &actor, int expectedVersion)
{
    if (!Domain::isKnown(status))
        return Error::invalid(u"status"_s, u"must be pending, in_progress, completed or skipped"_s);
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    Storage::OnboardingTaskRepository tasks(m_db);
    auto stored = tasks.get(taskId);
    if (!stored)
        return withField(stored.error(), u"task_id"_s);
    if (expectedVersion > 0 && expectedVersion != stored->meta.version)
        return Error::conflict(u"version"_s,
            u"this task was changed since it was read (you have version %1, the "
            "stored one is %2); reload it"_s.arg(expectedVersion)
                .arg(stored->meta.version));
    Storage::OnboardingMilestoneRepository milestones(m_db);
    auto milestone = milestones.get(stored->milestoneId);
    if (!milestone)
        return withField(milestone.error(), u"milestone_id"_s);
    auto plan = Storage::OnboardingPlanRepository(m_db).get(milestone->planId);
    if (!plan)
        return withField(plan.error(), u"plan_id"_s);
    if (plan->status == OnboardingPlanStatus::Cancelled)
        return Error::invalid(u"task_id"_s, u"belongs to a cancelled plan"_s);
    if (stored->status == status)
        return loadPlan(plan->id);

    const QDateTime now = m_clock.now();
    Domain::OnboardingTask t = *stored;
    t.status = status;
    t.completedAt = status == OnboardingStepStatus::Completed ? now : QDateTime();
    if (auto ok = tasks.update(t); !ok)
        return ok.error();

    auto siblings = listAll<Domain::OnboardingTask>(
        m_db, { Storage::Filter { u"milestone_id"_s, Storage::Filter::Op::Eq, milestone->id } }, u"position"_s);
    if (!siblings)
        return siblings.error();
    int done = 0, completed = 0;
    for (const Domain::OnboardingTask &s : *siblings) {
        done += isDoneStep(s.status) ? 1 : 0;
        completed += s.status == OnboardingStepStatus::Completed ? 1 : 0;
    }
    Domain::OnboardingMilestone m = *milestone;
    bool milestoneCompleted = false;
    if (done == siblings->size() && completed > 0 && m.status != OnboardingStepStatus::Completed
        && m.status != OnboardingStepStatus::Skipped) {
        // The last open task done: the milestone is reached.
        m.status = OnboardingStepStatus::Completed;
        if (m.startedAt.isValid() && m.startedAt > now)
            m.startedAt = now;
        m.completedAt = now;
        milestoneCompleted = true;
    } else if (isOpenStep(status) && isDoneStep(m.status)) {
        m.status = OnboardingStepStatus::InProgress; // work reopened under a finished milestone
        m.completedAt = QDateTime();
        if (!m.startedAt.isValid())
            m.startedAt = now;
    } else if (status != OnboardingStepStatus::Pending && m.status == OnboardingStepStatus::Pending) {
        m.status = OnboardingStepStatus::InProgress;
        m.startedAt = now;
    }
    if (m.status != milestone->status) {
        if (auto ok = milestones.update(m); !ok)
            return ok.error();
    }
    if (milestoneCompleted) {
        QVariantMap detail { { u"milestone"_s, m.name }, { u"plan_id"_s, m.planId } };
        if (m.dueDate.isValid()) {
            detail.insert(u"due_date"_s, m.dueDate.toString(Qt::ISODate));
            detail.insert(u"days_late"_s, qint64(std::max<qint64>(0, m.dueDate.daysTo(now.date()))));
        }
        if (auto ok = TimelineService::append(m_db, plan->customerId, now, Domain::TimelineEventKind::Onboarding,
                u"Onboarding milestone completed: %1"_s.arg(m.name), detail, u"onboarding_milestones"_s,
                QString::number(m.id), actor);
            !ok)
            return ok.error();
    }
    if (auto ok = settlePlan(plan->id, actor); !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT planChanged(plan->id, plan->customerId);
    return loadPlan(plan->id);
}

Result<PlanDetail> OnboardingService::cancelPlan(qint64 planId, const QString &reason, const QString &actor)
{
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    Storage::OnboardingPlanRepository plans(m_db);
    auto stored = plans.get(planId);
    if (!stored)
        return withField(stored.error(), u"plan_id"_s);
    if (!isOpenPlan(stored->status))
        return Error::invalid(
            u"plan_id"_s, u"is %1 and can no longer be cancelled"_s.arg(Domain::enumName(stored->status)));
    Domain::OnboardingPlan plan = *stored;
    plan.status = OnboardingPlanStatus::Cancelled;
    if (!reason.isEmpty())
        plan.notes = plan.notes.isEmpty() ? reason : plan.notes + u"\n"_s + reason;
    if (auto ok = plans.update(plan); !ok)
        return ok.error();
    if (auto ok = TimelineService::append(m_db, plan.customerId, m_clock.now(), Domain::TimelineEventKind::Onboarding,
            u"Onboarding plan cancelled: %1"_s.arg(plan.name), { { u"reason"_s, reason } }, u"onboarding_plans"_s,
            QString::number(plan.id), actor);
        !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT planChanged(plan.id, plan.customerId);
    return loadPlan(plan.id);
}

Result<Domain::OnboardingPlan> OnboardingService::setAutomation(qint64 planId, const QVariantMap &automation)
{
    for (auto it = automation.cbegin(); it != automation.cend(); ++it) {
        const QString &key = it.key();
        const QVariant &v = it.value();
        if (key == u"overdue_items"_s || key == u"low_engagement"_s) {
            if (v.typeId() != QMetaType::Bool)
                return Error::invalid(u"automation."_s + key, u"must be true or false"_s);
        } else if (key == u"no_progress_days"_s) {
            bool ok = false;
            const int days = v.toInt(&ok);
            if (!ok || days < 1 || days > 365 || v.typeId() == QMetaType::Bool)
                return Error::invalid(u"automation."_s + key, u"must be a number of days from 1 to 365"_s);
        } else if (key == u"notify"_s) {
            if (v.typeId() != QMetaType::QString || v.toString().size() > 200)
                return Error::invalid(u"automation."_s + key, u"must be text of at most 200 characters"_s);
        } else {
            return Error::invalid(u"automation"_s,
                u"has the unknown key '%1' (known: overdue_items, no_progress_days, low_engagement, notify)"_s.arg(
                    key));
        }
    }
    Storage::OnboardingPlanRepository plans(m_db);
    auto stored = plans.get(planId);
    if (!stored)
        return withField(stored.error(), u"plan_id"_s);
    Domain::OnboardingPlan plan = *stored;
    plan.automation = automation;
    auto updated = plans.update(plan);
    if (updated)
        Q_EMIT planChanged(updated->id, updated->customerId);
    return updated;
}

// ---- overdue, TTV, where time is lost -------------------------------------------------------------------------------

Result<OverdueReport> OnboardingService::overdueItems(const OverdueQuery &query) const
{
    if (query.limit < 1 || query.limit > MaxListLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(MaxListLimit));
    const QDate today = m_clock.today();
    OverdueReport report;
    report.today = today;

    // Shared conditions on p (plan) and c (customer); the item alias is i.
    QString conditions = u"p.deleted_at IS NULL AND c.deleted_at IS NULL AND p.status IN %1 AND i.deleted_at IS NULL "
                         "AND i.status IN %2 AND i.due_date < ?"_s.arg(OpenPlanStatuses, OpenStepStatuses);
    QVariantList bindings { toSql(today) };
    if (query.planId) {
        conditions += u" AND p.id = ?"_s;
        bindings << *query.planId;
    }
    if (!query.customerId.isEmpty()) {
        conditions += u" AND p.customer_id = ?"_s;
        bindings << query.customerId;
    }
    if (!query.owner.isEmpty()) {
        conditions += u" AND COALESCE(i.owner, p.owner) = ?"_s;
        bindings << query.owner;
    }
    const QString milestoneFrom = u"FROM onboarding_milestones i JOIN onboarding_plans p ON p.id = i.plan_id JOIN "
                                  "customers c ON c.id = p.customer_id WHERE "_s
        + conditions;
    const QString taskFrom
        = u"FROM onboarding_tasks i JOIN onboarding_milestones m ON m.id = i.milestone_id AND "
          "m.deleted_at IS NULL JOIN onboarding_plans p ON p.id = m.plan_id JOIN customers c ON c.id "
          "= p.customer_id WHERE "_s
        + conditions;
    auto mc = Storage::exec(m_db, u"SELECT COUNT(*) "_s + milestoneFrom, bindings);
    if (!mc)
        return mc.error();
    if (mc->next())
        report.milestonesOverdue = mc->value(0).toInt();
    auto tc = Storage::exec(m_db, u"SELECT COUNT(*) "_s + taskFrom, bindings);
    if (!tc)
        return tc.error();
    if (tc->next())
        report.tasksOverdue = tc->value(0).toInt();

    const auto read = [&](const QString &sql, const QString &kind) -> Status {
        auto rows = Storage::exec(m_db, sql, bindings);
        if (!rows)
            return rows.error();
        while (rows->next()) {
            OverdueItem item;
            item.kind = kind;
            item.id = rows->value(0).toLongLong();
            item.planId = rows->value(1).toLongLong();
            item.customerId = rows->value(2).toString();
            item.customerName = rows->value(3).toString();
            item.name = rows->value(4).toString();
            fromSql(rows->value(5), item.owner);
            item.dueDate = dayOf(rows->value(6));
            fromSql(rows->value(7), item.status);
            fromSql(rows->value(8), item.milestoneName);
            item.daysOverdue = int(item.dueDate.daysTo(today));
            report.items << item;
        }
        return {};
    };
    const QString limit = QString::number(query.limit);
    if (auto ok = read(u"SELECT i.id, p.id, p.customer_id, c.name, i.name, COALESCE(i.owner, p.owner), i.due_date, "
                       "i.status, NULL "_s
                + milestoneFrom + u" ORDER BY i.due_date, i.id LIMIT "_s + limit,
            u"milestone"_s);
        !ok)
        return ok.error();
    if (auto ok = read(u"SELECT i.id, p.id, p.customer_id, c.name, i.title, COALESCE(i.owner, p.owner), i.due_date, "
                       "i.status, m.name "_s
                + taskFrom + u" ORDER BY i.due_date, i.id LIMIT "_s + limit,
            u"task"_s);
        !ok)
        return ok.error();
    std::stable_sort(report.items.begin(), report.items.end(), [](const OverdueItem &a, const OverdueItem &b) {
        if (a.dueDate != b.dueDate)
            return a.dueDate < b.dueDate;
        return a.kind < b.kind; // milestones before their tasks
    });
    if (report.items.size() > query.limit)
        report.items.resize(query.limit);
    return report;
}

namespace {

TtvBenchmark benchmarkOf(const QList<double> &ttv, int withTarget, int onTarget)
{
    TtvBenchmark b;
    b.completedPlans = int(ttv.size());
    b.plansWithTarget = withTarget;
    b.onTarget = onTarget;
    if (ttv.isEmpty()) {
        b.reason = u"no completed onboarding plan records a time to value yet"_s;
        return b;
    }
    b.hasData = true;
    b.p25 = Onboarding::percentile(ttv, 0.25);
    b.p50 = Onboarding::percentile(ttv, 0.50);
    b.p75 = Onboarding::percentile(ttv, 0.75);
    b.p90 = Onboarding::percentile(ttv, 0.90);
    double sum = 0;
    for (double v : ttv)
        sum += v;
    b.mean = sum / double(ttv.size());
    if (withTarget > 0)
        b.onTargetShare = double(onTarget) / double(withTarget);
    return b;
}

} // namespace

Result<TtvBenchmark> OnboardingService::ttvBenchmark(const TtvQuery &query) const
{
    if (query.tier && !Domain::isKnown(*query.tier))
        return Error::invalid(u"tier"_s, u"is not a known tier"_s);
    QString sql = u"SELECT ttv_days, target_ttv_days FROM onboarding_plans WHERE deleted_at IS NULL AND status = "
                  "'completed' AND ttv_days IS NOT NULL AND customer_id IN (SELECT id FROM customers WHERE deleted_at "
                  "IS NULL%1)"_s.arg(query.tier ? u" AND tier = ?"_s : QString());
    QVariantList bindings;
    if (query.tier)
        bindings << toSql(*query.tier);
    if (query.templateId) {
        sql += u" AND template_id = ?"_s;
        bindings << *query.templateId;
    }
    auto rows = Storage::exec(m_db, sql, bindings);
    if (!rows)
        return rows.error();
    QList<double> ttv;
    int withTarget = 0, onTarget = 0;
    while (rows->next()) {
        const int days = rows->value(0).toInt();
        ttv << days;
        if (!rows->value(1).isNull()) {
            ++withTarget;
            onTarget += days <= rows->value(1).toInt() ? 1 : 0;
        }
    }
    return benchmarkOf(ttv, withTarget, onTarget);
}

Result<TtvReport> OnboardingService::timeToValue(qint64 planId) const
{
    auto plan = Storage::OnboardingPlanRepository(m_db).get(planId);
    if (!plan)
        return withField(plan.error(), u"plan_id"_s);
    const QDate today = m_clock.today();
    TtvReport r;
    r.plan = *plan;
    r.targetDays = plan->targetTtvDays;
    r.reached = plan->status == OnboardingPlanStatus::Completed && plan->ttvDays.has_value();
    if (r.reached)
        r.actualDays = plan->ttvDays;
    else if (plan->startedOn.isValid() && plan->startedOn <= today && isOpenPlan(plan->status))
        r.elapsedDays = int(plan->startedOn.daysTo(today));
    if (r.targetDays) {
        if (r.actualDays)
            r.daysOverTarget = *r.actualDays - *r.targetDays;
        else if (r.elapsedDays && *r.elapsedDays > *r.targetDays)
            r.daysOverTarget = *r.elapsedDays - *r.targetDays; // already late, and still counting
    }
    auto portfolio = ttvBenchmark({});
    if (!portfolio)
        return portfolio.error();
    r.portfolio = *portfolio;
    if (plan->templateId) {
        auto same = ttvBenchmark(TtvQuery { plan->templateId, std::nullopt });
        if (!same)
            return same.error();
        r.sameTemplate = *same;
    } else {
        r.sameTemplate.reason = u"the plan was not created from a template"_s;
    }
    if (r.portfolio.hasData && (r.actualDays || r.elapsedDays)) {
        auto rows = Storage::exec(m_db,
            u"SELECT ttv_days FROM onboarding_plans WHERE deleted_at IS NULL AND status = 'completed' AND ttv_days IS "
            "NOT NULL AND customer_id IN (SELECT id FROM customers WHERE deleted_at IS NULL)"_s);
        if (!rows)
            return rows.error();
        QList<double> all;
        while (rows->next())
            all << rows->value(0).toDouble();
        r.portfolioPercentileRank = Onboarding::percentileRank(all, r.actualDays ? *r.actualDays : *r.elapsedDays);
    }
    return r;
}

Result<TimeLossReport> OnboardingService::whereTimeIsLost(const TimeLossQuery &query) const
{
    if (query.completedFrom.isValid() && query.completedTo.isValid() && query.completedTo < query.completedFrom)
        return Error::invalid(u"completed_to"_s, u"must not be before completed_from"_s);
    QString planConditions = u"p.deleted_at IS NULL AND p.status = 'completed' AND p.customer_id IN (SELECT id FROM "
                             "customers WHERE deleted_at IS NULL)"_s;
    QVariantList bindings;
    if (query.templateId) {
        planConditions += u" AND p.template_id = ?"_s;
        bindings << *query.templateId;
    }
    if (query.completedFrom.isValid()) {
        planConditions += u" AND p.completed_on >= ?"_s;
        bindings << toSql(query.completedFrom);
    }
    if (query.completedTo.isValid()) {
        planConditions += u" AND p.completed_on <= ?"_s;
        bindings << toSql(query.completedTo);
    }
    TimeLossReport report;
    auto plans = Storage::exec(m_db, u"SELECT COUNT(*) FROM onboarding_plans p WHERE "_s + planConditions, bindings);
    if (!plans)
        return plans.error();
    if (plans->next())
        report.completedPlans = plans->value(0).toInt();
    auto rows = Storage::exec(m_db,
        u"SELECT m.position, m.name, m.due_date, m.started_at, m.completed_at FROM onboarding_milestones m JOIN "
        "onboarding_plans p ON p.id = m.plan_id WHERE m.deleted_at IS NULL AND m.status = 'completed' AND m.due_date "
        "IS NOT NULL AND m.completed_at IS NOT NULL AND "_s
            + planConditions,
        bindings);
    if (!rows)
        return rows.error();
    struct Group
    {
        int position = 0;
        QString name;
        QList<double> late;
        QList<double> durations;
        int overdue = 0;
    };
    QMap<std::pair<int, QString>, Group> groups;
    while (rows->next()) {
        const int position = rows->value(0).toInt();
        const QString name = rows->value(1).toString();
        const QDate due = dayOf(rows->value(2));
        const QDateTime started = timeOf(rows->value(3));
        const QDateTime completed = timeOf(rows->value(4));
        Group &g = groups[{ position, name }];
        g.position = position;
        g.name = name;
        // Calendar days in UTC (DESIGN.md: day boundaries in UTC): done on its due day is 0 days late.
        const qint64 late = due.daysTo(completed.toUTC().date());
        g.late << double(late);
        g.overdue += late > 0 ? 1 : 0;
        if (started.isValid())
            g.durations << double(started.toUTC().date().daysTo(completed.toUTC().date()));
    }
    for (const Group &g : std::as_const(groups)) {
        MilestoneTimeLoss t;
        t.position = g.position;
        t.name = g.name;
        t.completed = int(g.late.size());
        t.medianDaysLate = Onboarding::median(g.late).value_or(0);
        t.p75DaysLate = Onboarding::percentile(g.late, 0.75).value_or(0);
        double sum = 0;
        for (double v : g.late)
            sum += v;
        t.meanDaysLate = sum / double(g.late.size());
        t.shareOverdue = double(g.overdue) / double(g.late.size());
        t.medianDurationDays = Onboarding::median(g.durations);
        report.milestones << t;
    }
    std::stable_sort(
        report.milestones.begin(), report.milestones.end(), [](const MilestoneTimeLoss &a, const MilestoneTimeLoss &b) {
            if (a.medianDaysLate != b.medianDaysLate)
                return a.medianDaysLate > b.medianDaysLate;
            if (a.shareOverdue != b.shareOverdue)
                return a.shareOverdue > b.shareOverdue;
            return a.position < b.position;
        });
    report.hasData = !report.milestones.isEmpty();
    if (!report.hasData)
        report.reason = report.completedPlans == 0
            ? u"no completed onboarding plan to learn from yet"_s
            : u"the completed plans have no completed milestones with due dates"_s;
    return report;
}

// ---- training
// --------------------------------------------------------------------------------------------------------

Result<Domain::TrainingModule> OnboardingService::createTrainingModule(const Domain::TrainingModule &module)
{
    if (auto ok = module.validate(); !ok)
        return ok.error();
    auto taken = Storage::exec(m_db,
        u"SELECT COUNT(*) FROM training_modules WHERE lower(name) = lower(?) AND deleted_at IS NULL"_s,
        { module.name });
    if (!taken)
        return taken.error();
    if (taken->next() && taken->value(0).toLongLong() > 0)
        return Error { ErrorCode::AlreadyExists, u"name"_s,
            u"a training module named '%1' already exists"_s.arg(module.name) };
    return Storage::TrainingModuleRepository(m_db).create(module);
}

Result<Storage::Page<Domain::TrainingModule>> OnboardingService::trainingModules(int limit, const QString &cursor) const
{
    if (limit < 1 || limit > MaxListLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(MaxListLimit));
    Storage::ListQuery q;
    q.orderBy = u"name"_s;
    q.limit = limit;
    q.cursor = cursor;
    return Storage::TrainingModuleRepository(m_db).list(q);
}

Result<SessionDetail> OnboardingService::loadSession(qint64 sessionId) const
{
    auto session = Storage::TrainingSessionRepository(m_db).get(sessionId);
    if (!session)
        return withField(session.error(), u"session_id"_s);
    auto attendees = listAll<Domain::TrainingAttendee>(
        m_db, { Storage::Filter { u"session_id"_s, Storage::Filter::Op::Eq, sessionId } }, u"id"_s);
    if (!attendees)
        return attendees.error();
    SessionDetail d;
    d.session = *session;
    d.attendees = *attendees;
    double sum = 0;
    int scored = 0;
    for (const Domain::TrainingAttendee &a : d.attendees) {
        d.attended += a.attended ? 1 : 0;
        if (a.score) {
            sum += *a.score;
            ++scored;
        }
    }
    if (scored > 0)
        d.averageScore = sum / scored;
    return d;
}

namespace {
// The ids among `contactIds` that are not live contacts of `customerId`.
Result<QList<qint64>> foreignContacts(
    const Storage::Database &db, const QString &customerId, const QList<qint64> &contactIds)
{
    QList<qint64> missing;
    if (contactIds.isEmpty())
        return missing;
    QVariantList bindings { customerId };
    for (qint64 id : contactIds)
        bindings << id;
    auto rows = Storage::exec(db,
        u"SELECT id FROM contacts WHERE customer_id = ? AND deleted_at IS NULL AND id IN (%1)"_s.arg(
            Storage::Detail::placeholders(int(contactIds.size()))),
        bindings);
    if (!rows)
        return rows.error();
    QSet<qint64> found;
    while (rows->next())
        found.insert(rows->value(0).toLongLong());
    for (qint64 id : contactIds) {
        if (!found.contains(id))
            missing << id;
    }
    return missing;
}
} // namespace

Result<SessionDetail> OnboardingService::scheduleTrainingSession(
    const Domain::TrainingSession &session, const QList<qint64> &contactIds)
{
    if (session.status != Domain::TrainingSessionStatus::Scheduled)
        return Error::invalid(u"status"_s, u"a new session is scheduled; record it once delivered"_s);
    if (auto ok = session.validate(); !ok)
        return ok.error();
    if (auto c = Storage::CustomerRepository(m_db).get(session.customerId); !c)
        return withField(c.error(), u"customer_id"_s);
    if (session.moduleId) {
        if (auto m = Storage::TrainingModuleRepository(m_db).get(*session.moduleId); !m)
            return withField(m.error(), u"module_id"_s);
    }
    QList<qint64> invited;
    for (qint64 id : contactIds) {
        if (!invited.contains(id))
            invited << id;
    }
    if (invited.size() > 500)
        return Error::invalid(u"contact_ids"_s, u"at most 500 attendees per session"_s);
    auto foreign = foreignContacts(m_db, session.customerId, invited);
    if (!foreign)
        return foreign.error();
    if (!foreign->isEmpty())
        return Error::invalid(u"contact_ids"_s,
            u"contact %1 is not a contact of customer '%2'"_s.arg(
                QString::number(foreign->constFirst()), session.customerId));
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto created = Storage::TrainingSessionRepository(m_db).create(session);
    if (!created)
        return created.error();
    Storage::TrainingAttendeeRepository attendees(m_db);
    for (qint64 id : std::as_const(invited)) {
        Domain::TrainingAttendee a;
        a.sessionId = created->id;
        a.contactId = id;
        if (auto ok = attendees.create(a); !ok)
            return ok.error();
    }
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT trainingSessionChanged(created->id, created->customerId);
    return loadSession(created->id);
}

Result<SessionDetail> OnboardingService::recordTrainingSession(const SessionOutcome &outcome)
{
    const QDateTime now = m_clock.now();
    const QDateTime completedAt = outcome.completedAt.isValid() ? outcome.completedAt.toUTC() : now;
    if (completedAt > now)
        return Error::invalid(u"completed_at"_s, u"must not be in the future"_s);
    for (int i = 0; i < outcome.attendees.size(); ++i) {
        const AttendeeOutcome &a = outcome.attendees.at(i);
        if (a.score && !(*a.score >= 0 && *a.score <= 100))
            return Error::invalid(u"attendees[%1].score"_s.arg(i), u"must be between 0 and 100"_s);
        if (a.score && !a.attended)
            return Error::invalid(u"attendees[%1].score"_s.arg(i), u"is only for contacts who attended"_s);
    }
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    Storage::TrainingSessionRepository sessions(m_db);
    auto stored = sessions.get(outcome.sessionId);
    if (!stored)
        return withField(stored.error(), u"session_id"_s);
    if (stored->status == Domain::TrainingSessionStatus::Cancelled)
        return Error::invalid(u"session_id"_s, u"was cancelled"_s);
    if (completedAt < stored->scheduledAt)
        return Error::invalid(u"completed_at"_s, u"must not be before the session's scheduled_at"_s);
    QList<qint64> contactIds;
    for (const AttendeeOutcome &a : outcome.attendees)
        contactIds << a.contactId;
    auto foreign = foreignContacts(m_db, stored->customerId, contactIds);
    if (!foreign)
        return foreign.error();
    if (!foreign->isEmpty())
        return Error::invalid(u"attendees"_s,
            u"contact %1 is not a contact of customer '%2'"_s.arg(
                QString::number(foreign->constFirst()), stored->customerId));
    const bool firstRecord = stored->status == Domain::TrainingSessionStatus::Scheduled;

    auto existing = listAll<Domain::TrainingAttendee>(
        m_db, { Storage::Filter { u"session_id"_s, Storage::Filter::Op::Eq, stored->id } }, u"id"_s);
    if (!existing)
        return existing.error();
    QHash<qint64, Domain::TrainingAttendee> byContact;
    for (const Domain::TrainingAttendee &a : *existing)
        byContact.insert(a.contactId, a);
    Storage::TrainingAttendeeRepository attendees(m_db);
    for (const AttendeeOutcome &o : outcome.attendees) {
        Domain::TrainingAttendee a = byContact.value(o.contactId);
        a.sessionId = stored->id;
        a.contactId = o.contactId;
        a.attended = o.attended;
        a.score = o.score;
        a.feedback = o.feedback;
        auto written = a.id > 0 ? attendees.update(a) : attendees.create(a);
        if (!written)
            return written.error();
    }
    Domain::TrainingSession s = *stored;
    s.status = Domain::TrainingSessionStatus::Completed;
    s.completedAt = completedAt;
    if (!outcome.outcomeNotes.isEmpty())
        s.outcomeNotes = outcome.outcomeNotes;
    if (auto ok = sessions.update(s); !ok)
        return ok.error();
    if (firstRecord) {
        auto detail = loadSession(s.id);
        if (!detail)
            return detail.error();
        QVariantMap info { { u"invited"_s, int(detail->attendees.size()) }, { u"attended"_s, detail->attended } };
        QString title = u"Training delivered: %1 (%2 of %3 attended"_s.arg(s.title)
                            .arg(detail->attended)
                            .arg(detail->attendees.size());
        if (detail->averageScore) {
            info.insert(u"average_score"_s, *detail->averageScore);
            title += u", average score %1"_s.arg(QString::number(*detail->averageScore, 'f', 1));
        }
        title += u")"_s;
        if (!s.outcomeNotes.isEmpty())
            info.insert(u"outcome"_s, s.outcomeNotes);
        if (auto ok = TimelineService::append(m_db, s.customerId, completedAt, Domain::TimelineEventKind::Training,
                title, info, u"training_sessions"_s, QString::number(s.id), outcome.actor);
            !ok)
            return ok.error();
    }
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT trainingSessionChanged(s.id, s.customerId);
    return loadSession(s.id);
}

Result<SessionDetail> OnboardingService::cancelTrainingSession(qint64 sessionId, const QString &reason)
{
    Storage::TrainingSessionRepository sessions(m_db);
    auto stored = sessions.get(sessionId);
    if (!stored)
        return withField(stored.error(), u"session_id"_s);
    if (stored->status != Domain::TrainingSessionStatus::Scheduled)
        return Error::invalid(
            u"session_id"_s, u"is %1 and can no longer be cancelled"_s.arg(Domain::enumName(stored->status)));
    Domain::TrainingSession s = *stored;
    s.status = Domain::TrainingSessionStatus::Cancelled;
    if (!reason.isEmpty())
        s.outcomeNotes = reason;
    if (auto ok = sessions.update(s); !ok)
        return ok.error();
    Q_EMIT trainingSessionChanged(s.id, s.customerId);
    return loadSession(s.id);
}

Result<SessionDetail> OnboardingService::trainingSession(qint64 sessionId) const
{
    return loadSession(sessionId);
}

Result<Storage::Page<Domain::TrainingSession>> OnboardingService::trainingSessions(const SessionQuery &query) const
{
    if (query.limit < 1 || query.limit > MaxListLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(MaxListLimit));
    if (query.status && !Domain::isKnown(*query.status))
        return Error::invalid(u"status"_s, u"is not a known session status"_s);
    Storage::ListQuery q;
    q.orderBy = u"scheduled_at"_s;
    q.descending = true;
    q.limit = query.limit;
    q.cursor = query.cursor;
    if (!query.customerId.isEmpty())
        q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, query.customerId };
    if (query.status)
        q.filters << Storage::Filter { u"status"_s, Storage::Filter::Op::Eq, toSql(*query.status) };
    return Storage::TrainingSessionRepository(m_db).list(q);
}

// ---- certifications
// ---------------------------------------------------------------------------------------------------

Result<ProgramDetail> OnboardingService::createCertificationProgram(
    const Domain::CertificationProgram &program, const QList<ProgramModule> &modules)
{
    if (auto ok = program.validate(); !ok)
        return ok.error();
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto taken = Storage::exec(m_db,
        u"SELECT COUNT(*) FROM certification_programs WHERE lower(name) = lower(?) AND deleted_at IS NULL"_s,
        { program.name });
    if (!taken)
        return taken.error();
    if (taken->next() && taken->value(0).toLongLong() > 0)
        return Error { ErrorCode::AlreadyExists, u"name"_s,
            u"a certification program named '%1' already exists"_s.arg(program.name) };
    QSet<qint64> seen;
    for (int i = 0; i < modules.size(); ++i) {
        if (seen.contains(modules.at(i).moduleId))
            return Error::invalid(u"modules[%1].module_id"_s.arg(i), u"is listed twice"_s);
        seen.insert(modules.at(i).moduleId);
        if (auto m = Storage::TrainingModuleRepository(m_db).get(modules.at(i).moduleId); !m)
            return withField(m.error(), u"modules[%1].module_id"_s.arg(i));
    }
    auto created = Storage::CertificationProgramRepository(m_db).create(program);
    if (!created)
        return created.error();
    ProgramDetail detail;
    detail.program = *created;
    Storage::CertificationProgramModuleRepository repo(m_db);
    for (int i = 0; i < modules.size(); ++i) {
        Domain::CertificationProgramModule pm;
        pm.programId = created->id;
        pm.moduleId = modules.at(i).moduleId;
        pm.position = i;
        pm.isRequired = modules.at(i).required;
        auto stored = repo.create(pm);
        if (!stored)
            return stored.error();
        detail.modules << *stored;
    }
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    return detail;
}

Result<ProgramDetail> OnboardingService::certificationProgram(qint64 programId) const
{
    auto program = Storage::CertificationProgramRepository(m_db).get(programId);
    if (!program)
        return withField(program.error(), u"program_id"_s);
    auto modules = listAll<Domain::CertificationProgramModule>(
        m_db, { Storage::Filter { u"program_id"_s, Storage::Filter::Op::Eq, programId } }, u"position"_s);
    if (!modules)
        return modules.error();
    return ProgramDetail { *program, *modules };
}

Result<QList<ProgramDetail>> OnboardingService::certificationPrograms(bool activeOnly) const
{
    Storage::ListQuery q;
    q.orderBy = u"name"_s;
    q.limit = MaxListLimit;
    q.countTotal = false;
    if (activeOnly)
        q.extraCondition = u"is_active"_s;
    auto page = Storage::CertificationProgramRepository(m_db).list(q);
    if (!page)
        return page.error();
    QList<ProgramDetail> out;
    if (page->items.isEmpty())
        return out;
    QVariantList ids;
    for (const Domain::CertificationProgram &p : page->items)
        ids << p.id;
    auto modules = listAll<Domain::CertificationProgramModule>(
        m_db, { Storage::Filter { u"program_id"_s, Storage::Filter::Op::In, ids } }, u"position"_s);
    if (!modules)
        return modules.error();
    for (const Domain::CertificationProgram &p : page->items) {
        ProgramDetail d { p, {} };
        for (const Domain::CertificationProgramModule &m : *modules) {
            if (m.programId == p.id)
                d.modules << m;
        }
        out << d;
    }
    return out;
}

namespace {
Result<std::optional<Domain::Certification>> liveCertification(
    const Storage::Database &db, qint64 contactId, qint64 programId)
{
    using Repo = Storage::CertificationRepository;
    auto rows = Storage::exec(db,
        u"SELECT %1 FROM certifications WHERE contact_id = ? AND program_id = ? AND deleted_at IS NULL AND status IN "
        "('in_progress','certified') ORDER BY id DESC LIMIT 1"_s.arg(Repo::selectList()),
        { contactId, programId });
    if (!rows)
        return rows.error();
    if (!rows->next())
        return std::optional<Domain::Certification>();
    const QSqlRecord rec = rows->record();
    return std::optional(Repo::fromRow(*rows, rec));
}
} // namespace

Result<Domain::Certification> OnboardingService::enrol(qint64 contactId, qint64 programId)
{
    auto contact = Storage::ContactRepository(m_db).get(contactId);
    if (!contact)
        return withField(contact.error(), u"contact_id"_s);
    auto program = Storage::CertificationProgramRepository(m_db).get(programId);
    if (!program)
        return withField(program.error(), u"program_id"_s);
    if (!program->isActive)
        return Error::invalid(u"program_id"_s, u"is not active"_s);
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    auto live = liveCertification(m_db, contactId, programId);
    if (!live)
        return live.error();
    const QDateTime now = m_clock.now();
    if (*live) {
        const Domain::Certification &c = **live;
        if (c.status == Domain::CertificationStatus::InProgress)
            return c; // already enrolled
        if (!c.expiresAt.isValid() || c.expiresAt > now)
            return Error { ErrorCode::AlreadyExists, u"contact_id"_s, u"already holds this certification"_s };
        Domain::Certification expired = c;
        expired.status = Domain::CertificationStatus::Expired;
        if (auto ok = Storage::CertificationRepository(m_db).update(expired); !ok)
            return ok.error();
    }
    Domain::Certification c;
    c.contactId = contactId;
    c.programId = programId;
    c.status = Domain::CertificationStatus::InProgress;
    auto created = Storage::CertificationRepository(m_db).create(c);
    if (!created)
        return created.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT certificationChanged(created->id, contactId);
    return created;
}

Result<Domain::Certification> OnboardingService::issueCertification(
    qint64 contactId, qint64 programId, double score, const QString &actor)
{
    if (!(score >= 0 && score <= 100))
        return Error::invalid(u"score"_s, u"must be between 0 and 100"_s);
    auto contact = Storage::ContactRepository(m_db).get(contactId);
    if (!contact)
        return withField(contact.error(), u"contact_id"_s);
    auto program = Storage::CertificationProgramRepository(m_db).get(programId);
    if (!program)
        return withField(program.error(), u"program_id"_s);
    if (!program->isActive)
        return Error::invalid(u"program_id"_s, u"is not active"_s);
    if (score < program->passingScore)
        return Error::invalid(u"score"_s,
            u"%1 is below the passing score of %2"_s.arg(
                QString::number(score), QString::number(program->passingScore)));
    // Required modules: the contact attended a completed session of each.
    auto missing = Storage::exec(m_db,
        u"SELECT tm.name FROM certification_program_modules pm JOIN training_modules tm ON tm.id = pm.module_id WHERE "
        "pm.program_id = ? AND pm.is_required AND tm.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM "
        "training_attendees ta JOIN training_sessions ts ON ts.id = ta.session_id WHERE ta.contact_id = ? AND "
        "ta.attended AND ts.module_id = pm.module_id AND ts.status = 'completed' AND ts.deleted_at IS NULL) ORDER BY "
        "pm.position"_s,
        { programId, contactId });
    if (!missing)
        return missing.error();
    QStringList absent;
    while (missing->next())
        absent << missing->value(0).toString();
    if (!absent.isEmpty())
        return Error::invalid(u"contact_id"_s,
            u"has not attended a completed session of the required module(s): %1"_s.arg(absent.join(u", "_s)));

    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    const QDateTime now = m_clock.now();
    Storage::CertificationRepository repo(m_db);
    auto live = liveCertification(m_db, contactId, programId);
    if (!live)
        return live.error();
    Domain::Certification c;
    c.contactId = contactId;
    c.programId = programId;
    if (*live) {
        const Domain::Certification &held = **live;
        if (held.status == Domain::CertificationStatus::Certified) {
            if (!held.expiresAt.isValid() || held.expiresAt > now)
                return Error { ErrorCode::AlreadyExists, u"contact_id"_s,
                    held.expiresAt.isValid()
                        ? u"already holds this certification (until %1)"_s.arg(held.expiresAt.toString(Qt::ISODate))
                        : u"already holds this certification"_s };
            Domain::Certification expired = held;
            expired.status = Domain::CertificationStatus::Expired;
            if (auto ok = repo.update(expired); !ok)
                return ok.error();
        } else {
            c = held; // the enrolment becomes the certification
        }
    }
    c.status = Domain::CertificationStatus::Certified;
    c.score = score;
    c.issuedAt = now;
    c.expiresAt = program->validityDays ? now.addDays(*program->validityDays) : QDateTime();
    auto written = c.id > 0 ? repo.update(c) : repo.create(c);
    if (!written)
        return written.error();
    QVariantMap detail { { u"program"_s, program->name }, { u"contact"_s, contact->name },
        { u"contact_id"_s, contactId }, { u"score"_s, score }, { u"passing_score"_s, program->passingScore } };
    if (written->expiresAt.isValid())
        detail.insert(u"expires_at"_s, written->expiresAt.toString(Qt::ISODateWithMs));
    if (auto ok = TimelineService::append(m_db, contact->customerId, now, Domain::TimelineEventKind::Training,
            u"Certification issued: %1 to %2 (score %3)"_s.arg(program->name, contact->name, QString::number(score)),
            detail, u"certifications"_s, QString::number(written->id), actor);
        !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT certificationChanged(written->id, contactId);
    return written;
}

Result<Domain::Certification> OnboardingService::revokeCertification(
    qint64 certificationId, const QString &reason, const QString &actor)
{
    if (reason.trimmed().isEmpty())
        return Error::invalid(u"reason"_s, u"is required to revoke a certification"_s);
    Storage::Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginError();
    Storage::CertificationRepository repo(m_db);
    auto stored = repo.get(certificationId);
    if (!stored)
        return withField(stored.error(), u"certification_id"_s);
    if (stored->status != Domain::CertificationStatus::Certified)
        return Error::invalid(u"certification_id"_s, u"is %1, not certified"_s.arg(Domain::enumName(stored->status)));
    auto contact = Storage::ContactRepository(m_db).get(stored->contactId, true);
    if (!contact)
        return withField(contact.error(), u"contact_id"_s);
    auto program = Storage::CertificationProgramRepository(m_db).get(stored->programId, true);
    if (!program)
        return withField(program.error(), u"program_id"_s);
    Domain::Certification c = *stored;
    c.status = Domain::CertificationStatus::Revoked;
    c.revokedAt = m_clock.now();
    c.revokeReason = reason;
    auto updated = repo.update(c);
    if (!updated)
        return updated.error();
    if (auto ok = TimelineService::append(m_db, contact->customerId, c.revokedAt, Domain::TimelineEventKind::Training,
            u"Certification revoked: %1 of %2"_s.arg(program->name, contact->name),
            { { u"program"_s, program->name }, { u"contact_id"_s, c.contactId }, { u"reason"_s, reason } },
            u"certifications"_s, QString::number(c.id), actor);
        !ok)
        return ok.error();
    if (auto ok = tx.commit(); !ok)
        return ok.error();
    Q_EMIT certificationChanged(updated->id, updated->contactId);
    return updated;
}

Result<CertificationTracking> OnboardingService::trackCertifications(const CertificationQuery &query) const
{
    if (query.limit < 1 || query.limit > MaxListLimit)
        return Error::invalid(u"limit"_s, u"must be between 1 and %1"_s.arg(MaxListLimit));
    const QDateTime now = m_clock.now();
    QString where = u"deleted_at IS NULL AND contact_id IN (SELECT id FROM contacts WHERE deleted_at IS NULL%1)"_s.arg(
        query.customerId.isEmpty() ? QString() : u" AND customer_id = ?"_s);
    QVariantList bindings;
    if (!query.customerId.isEmpty())
        bindings << query.customerId;
    if (query.programId) {
        where += u" AND program_id = ?"_s;
        bindings << *query.programId;
    }
    if (query.contactId) {
        where += u" AND contact_id = ?"_s;
        bindings << *query.contactId;
    }
    CertificationTracking t;
    t.asOf = now;
    const QVariant nowSql = toSql(now);
    QVariantList countBindings { nowSql, nowSql, nowSql, toSql(now.addDays(30)), nowSql, nowSql };
    countBindings << bindings;
    auto counts = Storage::exec(m_db,
        u"SELECT COUNT(*), SUM(CASE WHEN status = 'in_progress' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN status = 'certified' AND (expires_at IS NULL OR expires_at > ?) THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN status = 'expired' OR (status = 'certified' AND expires_at <= ?) THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN status = 'revoked' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN status = 'certified' AND expires_at > ? AND expires_at <= ? THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN status = 'certified' AND (expires_at IS NULL OR expires_at > ?) THEN score END), "
        "COUNT(CASE WHEN status = 'certified' AND (expires_at IS NULL OR expires_at > ?) THEN score END) "
        "FROM certifications WHERE "_s
            + where,
        countBindings);
    if (!counts)
        return counts.error();
    if (counts->next()) {
        t.total = counts->value(0).toLongLong();
        t.inProgress = counts->value(1).toInt();
        t.certified = counts->value(2).toInt();
        t.expired = counts->value(3).toInt();
        t.revoked = counts->value(4).toInt();
        t.expiringWithin30Days = counts->value(5).toInt();
        if (counts->value(7).toInt() > 0)
            t.averageScore = counts->value(6).toDouble() / counts->value(7).toDouble();
    }
    using Repo = Storage::CertificationRepository;
    auto rows = Storage::exec(m_db,
        u"SELECT %1 FROM certifications WHERE %2 ORDER BY created_at DESC, id DESC LIMIT %3"_s.arg(
            Repo::selectList(), where, QString::number(query.limit)),
        bindings);
    if (!rows)
        return rows.error();
    const QSqlRecord rec = rows->record();
    QVariantList contactIds;
    QVariantList programIds;
    while (rows->next()) {
        CertificationItem item;
        item.certification = Repo::fromRow(*rows, rec);
        item.effectiveStatus = item.certification.status;
        if (item.effectiveStatus == Domain::CertificationStatus::Certified && item.certification.expiresAt.isValid()
            && item.certification.expiresAt <= now)
            item.effectiveStatus = Domain::CertificationStatus::Expired;
        contactIds << item.certification.contactId;
        programIds << item.certification.programId;
        t.items << item;
    }
    if (!t.items.isEmpty()) {
        QHash<qint64, std::pair<QString, QString>> contacts;
        auto cr = Storage::exec(m_db,
            u"SELECT id, name, customer_id FROM contacts WHERE id IN (%1)"_s.arg(
                Storage::Detail::placeholders(int(contactIds.size()))),
            contactIds);
        if (!cr)
            return cr.error();
        while (cr->next())
            contacts.insert(cr->value(0).toLongLong(), { cr->value(1).toString(), cr->value(2).toString() });
        QHash<qint64, QString> programs;
        auto pr = Storage::exec(m_db,
            u"SELECT id, name FROM certification_programs WHERE id IN (%1)"_s.arg(
                Storage::Detail::placeholders(int(programIds.size()))),
            programIds);
        if (!pr)
            return pr.error();
        while (pr->next())
            programs.insert(pr->value(0).toLongLong(), pr->value(1).toString());
        for (CertificationItem &item : t.items) {
            const auto c = contacts.value(item.certification.contactId);
            item.contactName = c.first;
            item.customerId = c.second;
            item.programName = programs.value(item.certification.programId);
        }
    }
    return t;
}

Result<int> OnboardingService::expireCertifications()
{
    auto updated = Storage::exec(m_db,
        u"UPDATE certifications SET status = 'expired', updated_at = %1, version = version + 1 WHERE deleted_at IS "
        u"NULL "
        "AND status = 'certified' AND expires_at IS NOT NULL AND expires_at <= ?"_s.arg(
            Storage::nowExpression(m_db.dialect())),
        { toSql(m_clock.now()) });
    if (!updated)
        return updated.error();
    const int count = updated->numRowsAffected();
    if (count > 0)
        Q_EMIT certificationsExpired(count);
    return count;
}

} // namespace Core
