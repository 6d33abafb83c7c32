// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The health, retention and onboarding toolsets: on an empty database (NotFound naming the argument, or an answer
// that says there is no data), on a generated demo portfolio (the tool's numbers equal the service's answer to the
// same question), with bad arguments (the error names the argument), and for writes, what the services read back.
// Built twice: SQLite and PostgreSQL.
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimeZone>

#include "demoportfolio.h"
#include "journey.h"
#include "sql.h"
#include "toolsupport.h"
#include "tooltestkit.h"

using namespace Qt::StringLiterals;
using TestUtils::ToolHarness;

namespace {

const QDate kToday(2026, 6, 15);

QJsonObject obj(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

// "a.b" in a JSON object.
QJsonValue at(const QJsonObject &json, const QString &path)
{
    QJsonValue v = json;
    for (const QString &step : path.split(u'.'))
        v = v.toObject().value(step);
    return v;
}

std::unique_ptr<ToolHarness> makeHarness()
{
    auto h = std::make_unique<ToolHarness>(std::initializer_list<void (*)(Mcp::ToolRegistry &)> {
        &Mcp::registerHealthTools, &Mcp::registerRetentionTools, &Mcp::registerOnboardingTools });
    h->clock.set(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
    return h;
}

qint64 count(Storage::Database &db, const QString &sql, const QVariantList &bindings = {})
{
    auto q = Storage::exec(db, sql, bindings);
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

} // namespace

#define CALL_OK(var, tool, args)                                                                                       \
    const auto var = m_demo->call(tool, args);                                                                         \
    CS_VERIFY_TOOL_OK(var)

class TestToolsHealth : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ToolHarness> m_demo;
    QString m_active; // a live, active customer with usage and contacts
    QString m_churned; // a churned customer

    Core::Services &demo() { return *m_demo->services; }

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_demo = makeHarness();
        QVERIFY2(m_demo->isReady(), qPrintable(m_demo->db.error()));
        Core::DemoPortfolio::Options options;
        options.customers = 80;
        options.seed = 20261124;
        options.today = kToday;
        options.usageEvents = 20'000;
        auto generated = Core::DemoPortfolio(m_demo->db.db(), options).generate();
        QVERIFY2(generated.ok(), qPrintable(generated.ok() ? QString() : generated.error().toString()));
        QVERIFY(demo().health().recomputeAll().ok());
        QVERIFY(demo().churn().scorePortfolio().ok());
        Storage::ListQuery all;
        all.limit = 200;
        auto customers = demo().customers().list(all);
        QVERIFY(customers.ok());
        for (const Domain::Customer &c : customers->items) {
            if (c.status == Domain::CustomerStatus::Churned && c.churnedAt.isValid() && m_churned.isEmpty())
                m_churned = c.id;
            if (c.status == Domain::CustomerStatus::Active && m_active.isEmpty()) {
                Core::UsageQuery q;
                q.customerId = c.id;
                auto usage = demo().engagement().usage(q);
                auto contacts = demo().customers().contacts(c.id);
                if (usage.ok() && usage->events > 0 && contacts.ok() && !contacts->isEmpty())
                    m_active = c.id;
            }
        }
        QVERIFY(!m_active.isEmpty());
        QVERIFY(!m_churned.isEmpty());
    }

    void everyToolIsRegisteredWithAnOutputSchema()
    {
        const QStringList expected { u"track_usage_engagement"_s, u"calculate_health_score"_s, u"segment_customers"_s,
            u"track_feature_adoption"_s, u"manage_lifecycle_stages"_s, u"track_adoption_milestones"_s,
            u"segment_by_value_tier"_s, u"analyze_engagement_patterns"_s, u"identify_churn_risk"_s,
            u"execute_retention_campaign"_s, u"monitor_satisfaction"_s, u"manage_escalations"_s,
            u"analyze_churn_postmortem"_s, u"score_risk_factors"_s, u"automate_retention_campaigns"_s,
            u"create_onboarding_plan"_s, u"activate_onboarding_automation"_s, u"deliver_training_session"_s,
            u"manage_certification_program"_s, u"optimize_onboarding_process"_s, u"optimize_time_to_value"_s,
            u"track_onboarding_progress"_s, u"map_customer_journey"_s };
        QCOMPARE(m_demo->registry.size(), expected.size());
        for (const QString &name : expected) {
            const Mcp::RegisteredTool *t = m_demo->registry.find(name);
            QVERIFY2(t, qPrintable(name));
            QVERIFY2(!t->tool.outputSchema.isEmpty(), qPrintable(name));
            QVERIFY2(t->tool.writes != t->tool.annotations.readOnly, qPrintable(name));
        }
        QCOMPARE(m_demo->registry.toolsets(), (QStringList { u"health"_s, u"retention"_s, u"onboarding"_s }));
    }

    // ---- (a) empty database -----------------------------------------------------------------------------------

    void emptyDatabase_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QJsonObject>("args");
        QTest::addColumn<QString>("notFoundField"); // empty: the call succeeds and `key` says "no data"
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        const auto nf = [](const char *tool, const char *args, const QString &field = u"customer_id"_s) {
            QTest::addRow("%s %s", tool, args)
                << QString::fromLatin1(tool) << obj(args) << field << QString() << QJsonValue();
        };
        const auto none = [](const char *tool, const char *args, const char *key, QJsonValue value) {
            QTest::addRow("%s %s", tool, args)
                << QString::fromLatin1(tool) << obj(args) << QString() << QString::fromLatin1(key) << value;
        };
        nf("track_usage_engagement", R"({"customer_id":"nobody"})");
        nf("calculate_health_score", R"({"customer_id":"nobody"})");
        nf("track_feature_adoption", R"({"customer_id":"nobody"})");
        nf("manage_lifecycle_stages", R"({"action":"get","customer_id":"nobody"})");
        nf("track_adoption_milestones", R"({"action":"get","customer_id":"nobody"})");
        nf("segment_by_value_tier", R"({"customer_id":"nobody"})");
        nf("analyze_engagement_patterns", R"({"customer_id":"nobody"})");
        nf("identify_churn_risk", R"({"customer_id":"nobody"})");
        nf("score_risk_factors", R"({"customer_id":"nobody"})");
        nf("analyze_churn_postmortem", R"({"customer_id":"nobody"})");
        nf("monitor_satisfaction", R"({"customer_id":"nobody"})");
        nf("manage_escalations", R"({"action":"open","customer_id":"nobody","reason":"angry"})");
        nf("create_onboarding_plan", R"({"customer_id":"nobody"})");
        nf("track_onboarding_progress", R"({"customer_id":"nobody"})");
        nf("execute_retention_campaign", R"({"customer_id":"nobody","playbook_id":1})");
        nf("activate_onboarding_automation", R"({"plan_id":99})", u"plan_id"_s);
        nf("automate_retention_campaigns", R"({"action":"get","playbook_id":7})", u"playbook_id"_s);
        nf("map_customer_journey", R"({"customer_id":"nobody"})");
        nf("automate_retention_campaigns", R"({"action":"activate","playbook_id":7})", u"playbook_id"_s);
        none("track_usage_engagement", "{}", "has_data", false);
        none("calculate_health_score", R"({"scope":"portfolio"})", "scored", 0);
        none("segment_customers", R"({"action":"evaluate"})", "total", 0);
        none("track_feature_adoption", "{}", "has_data", false);
        none("manage_lifecycle_stages", R"({"action":"evaluate"})", "total", 0);
        none("track_adoption_milestones", R"({"action":"detect"})", "recorded", 0);
        none("segment_by_value_tier", "{}", "has_data", false);
        none("analyze_engagement_patterns", "{}", "total", 0);
        none("identify_churn_risk", "{}", "has_data", false);
        none("score_risk_factors", "{}", "model.source", u"default"_s);
        none("monitor_satisfaction", "{}", "overall.value", QJsonValue(QJsonValue::Null));
        none("manage_escalations", R"({"action":"list"})", "total", 0);
        none("automate_retention_campaigns", R"({"action":"list"})", "total", 0);
        none("track_onboarding_progress", "{}", "total", 0);
        none("optimize_time_to_value", "{}", "benchmark.has_data", false);
        none("optimize_onboarding_process", "{}", "has_data", false);
        none("deliver_training_session", R"({"action":"list"})", "total", 0);
        none("manage_certification_program", R"({"action":"track"})", "total", 0);
    }

    void emptyDatabase()
    {
        QFETCH(QString, tool);
        QFETCH(QJsonObject, args);
        QFETCH(QString, notFoundField);
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        auto h = makeHarness();
        QVERIFY(h->isReady());
        const auto out = h->call(tool, args);
        if (!notFoundField.isEmpty()) {
            QVERIFY2(!out.ok, qPrintable(ToolHarness::dump(out.structured)));
            QCOMPARE(out.error.code, Core::ErrorCode::NotFound);
            QCOMPARE(out.error.field, notFoundField);
            return;
        }
        CS_VERIFY_TOOL_OK(out);
        QVERIFY2(out.structured.contains(key.section(u'.', 0, 0)), qPrintable(ToolHarness::dump(out.structured)));
        QCOMPARE(at(out.structured, key), value);
    }

    // ---- (c) bad arguments --------------------------------------------------------------------------------------

    void badArguments_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QJsonObject>("args");
        QTest::addColumn<QString>("field");
        const auto row = [](const char *name, const char *tool, const char *args, const char *field) {
            QTest::addRow("%s", name) << QString::fromLatin1(tool) << obj(args) << QString::fromLatin1(field);
        };
        row("usage: bad date", "track_usage_engagement", R"({"from":"yesterday"})", "from");
        row("usage: top out of range", "track_usage_engagement", R"({"top_features":0})", "top_features");
        row("usage: unknown property", "track_usage_engagement", R"({"customer":"x"})", "customer");
        row("health: bad scope", "calculate_health_score", R"({"scope":"world"})", "scope");
        row("health: customer scope needs id", "calculate_health_score", R"({"scope":"customer"})", "customer_id");
        row("health: portfolio takes no id", "calculate_health_score", R"({"scope":"portfolio","customer_id":"x"})",
            "customer_id");
        row("health: wrong type", "calculate_health_score", R"({"customer_id":"x","store":"yes"})", "store");
        row("segments: bad action", "segment_customers", R"({"action":"drop"})", "action");
        row("segments: bad criterion", "segment_customers", R"({"action":"evaluate","criteria":{"colour":"red"}})",
            "criteria.colour");
        row("segments: save needs name", "segment_customers", R"({"action":"save"})", "name");
        row("segments: members need id", "segment_customers", R"({"action":"members"})", "segment_id");
        row("segments: limit", "segment_customers", R"({"action":"evaluate","limit":500})", "limit");
        row("lifecycle: transition needs stage", "manage_lifecycle_stages",
            R"({"action":"transition","customer_id":"x"})", "to_stage");
        row("lifecycle: bad stage", "manage_lifecycle_stages",
            R"({"action":"transition","customer_id":"x","to_stage":"heaven"})", "to_stage");
        row("lifecycle: get needs customer", "manage_lifecycle_stages", R"({"action":"get"})", "customer_id");
        row("milestones: get needs customer", "track_adoption_milestones", R"({"action":"get"})", "customer_id");
        row("patterns: bad signals", "analyze_engagement_patterns", R"({"signals":"all"})", "signals");
        row("patterns: foreign cursor", "analyze_engagement_patterns", R"({"cursor":"o:3"})", "cursor");
        row("churn: bad level", "identify_churn_risk", R"({"min_level":"extreme"})", "min_level");
        row("factors: too many", "score_risk_factors", R"({"factors":101})", "factors");
        row("postmortem: missing id", "analyze_churn_postmortem", "{}", "customer_id");
        row("postmortem: days out of range", "analyze_churn_postmortem", R"({"customer_id":"x","days_before":0})",
            "days_before");
        row("satisfaction: bad metric", "monitor_satisfaction", R"({"metric":"happiness"})", "metric");
        row("satisfaction: from after to", "monitor_satisfaction", R"({"from":"2026-06-01","to":"2026-05-01"})",
            "from");
        row("campaign: missing playbook", "execute_retention_campaign", R"({"customer_id":"x"})", "playbook_id");
        row("campaign: playbook not integer", "execute_retention_campaign",
            R"({"customer_id":"x","playbook_id":"one"})", "playbook_id");
        row("escalations: open needs reason", "manage_escalations", R"({"action":"open","customer_id":"x"})", "reason");
        row("escalations: update needs id", "manage_escalations", R"({"action":"update"})", "escalation_id");
        row("escalations: bad severity", "manage_escalations", R"({"action":"list","severity":"meh"})", "severity");
        row("automation: preview needs trigger", "automate_retention_campaigns", R"({"action":"preview"})", "trigger");
        row("automation: create needs name", "automate_retention_campaigns",
            R"({"action":"create","steps":[{"kind":"note","config":{"body":"b"}}]})", "name");
        row("automation: create needs steps", "automate_retention_campaigns", R"({"action":"create","name":"n"})",
            "steps");
        row("automation: create with no step", "automate_retention_campaigns",
            R"({"action":"create","name":"n","steps":[]})", "steps");
        row("automation: bad step kind", "automate_retention_campaigns",
            R"({"action":"create","name":"n","steps":[{"kind":"call","config":{}}]})", "steps[0].kind");
        row("automation: step config checked", "automate_retention_campaigns",
            R"({"action":"create","name":"n","steps":[{"kind":"task","config":{"title":"t","priority":"asap"}}]})",
            "steps[0].config.priority");
        row("automation: error names the caller's step", "automate_retention_campaigns",
            R"({"action":"create","name":"n","steps":[{"kind":"note","body":"b","delay_days":3},)"
            R"({"kind":"task","config":{"title":"t","priority":"asap"}}]})",
            "steps[1].config.priority");
        row("automation: delay with position", "automate_retention_campaigns",
            R"({"action":"create","name":"n","steps":[{"kind":"note","body":"b","delay_days":3,"position":1}]})",
            "steps[0].delay_days");
        row("automation: shorthand contradicts config", "automate_retention_campaigns",
            R"({"action":"create","name":"n","steps":[{"kind":"note","body":"b","config":{"body":"c"}}]})",
            "steps[0].body");
        row("automation: bad shorthand priority", "automate_retention_campaigns",
            R"({"action":"create","name":"n","steps":[{"kind":"task","title":"t","priority":"asap"}]})",
            "steps[0].priority");
        row("automation: bad trigger config", "automate_retention_campaigns",
            R"({"action":"create","name":"n","trigger":"health_drop","trigger_config":{"drop_points":0},)"
            R"("steps":[{"kind":"note","config":{"body":"b"}}]})",
            "trigger_config.drop_points");
        row("automation: get needs playbook", "automate_retention_campaigns", R"({"action":"get"})", "playbook_id");
        row("automation: deactivate needs playbook", "automate_retention_campaigns", R"({"action":"deactivate"})",
            "playbook_id");
        row("automation: bad version", "automate_retention_campaigns",
            R"({"action":"activate","playbook_id":1,"version":0})", "version");
        row("plan: bad complexity", "create_onboarding_plan", R"({"customer_id":"x","complexity":"extreme"})",
            "complexity");
        row("plan: bad start", "create_onboarding_plan", R"({"customer_id":"x","start_on":"2026-02-30"})", "start_on");
        row("automation: days out of range", "activate_onboarding_automation", R"({"plan_id":1,"no_progress_days":0})",
            "no_progress_days");
        row("training: schedule needs title", "deliver_training_session",
            R"({"action":"schedule","customer_id":"x","scheduled_at":"2026-07-01T10:00:00Z"})", "title");
        row("training: bad time", "deliver_training_session",
            R"({"action":"schedule","customer_id":"x","title":"t","scheduled_at":"tomorrow"})", "scheduled_at");
        row("training: record needs session", "deliver_training_session", R"({"action":"record"})", "session_id");
        row("certification: issue needs score", "manage_certification_program",
            R"({"action":"issue","contact_id":1,"program_id":1})", "score");
        row("certification: score out of range", "manage_certification_program",
            R"({"action":"issue","contact_id":1,"program_id":1,"score":101})", "score");
        row("ttv: tier", "optimize_time_to_value", R"({"tier":"gold"})", "tier");
        row("process: bad date", "optimize_onboarding_process", R"({"completed_from":"01/02/2026"})", "completed_from");
        row("progress: unknown property", "track_onboarding_progress", R"({"plan":1})", "plan");
        row("journey: missing id", "map_customer_journey", "{}", "customer_id");
        row("journey: bad date", "map_customer_journey", R"({"customer_id":"x","from":"2026-13-01"})", "from");
        row("journey: unknown property", "map_customer_journey", R"({"customer_id":"x","stage":"all"})", "stage");
        row("journey: from after to", "map_customer_journey",
            R"({"customer_id":"x","from":"2026-06-02","to":"2026-06-01"})", "from");
        row("journey: period too long", "map_customer_journey",
            R"({"customer_id":"x","from":"2023-01-01","to":"2026-06-01"})", "from");
    }

    void badArguments()
    {
        QFETCH(QString, tool);
        QFETCH(QJsonObject, args);
        QFETCH(QString, field);
        const auto out = m_demo->call(tool, args);
        QVERIFY2(!out.ok, qPrintable(ToolHarness::dump(out.structured)));
        QCOMPARE(out.error.code, Core::ErrorCode::InvalidArgument);
        QCOMPARE(out.error.field, field);
    }

    // ---- (b) demo portfolio: the numbers are the services' -------------------------------------------------------

    void usageEqualsTheService()
    {
        for (const QString &id : { m_active, QString() }) {
            QJsonObject args { { u"from"_s, u"2026-05-01"_s }, { u"to"_s, u"2026-05-31"_s } };
            if (!id.isEmpty())
                args.insert(u"customer_id"_s, id);
            CALL_OK(out, u"track_usage_engagement"_s, args);
            Core::UsageQuery q;
            q.customerId = id;
            q.from = QDate(2026, 5, 1);
            q.to = QDate(2026, 5, 31);
            q.topFeatures = 10;
            auto r = demo().engagement().usage(q);
            QVERIFY(r.ok());
            QVERIFY(r->hasData);
            QCOMPARE(out.structured.value(u"events"_s).toInteger(), r->events);
            QCOMPARE(out.structured.value(u"mau"_s).toInteger(), r->mau);
            QCOMPARE(out.structured.value(u"active_days"_s).toInt(), r->activeDays);
            QCOMPARE(out.structured.value(u"dau"_s).toDouble(), Mcp::ToolSupport::rounded(r->dau, 2));
            QCOMPARE(out.structured.value(u"features"_s).toArray().size(), r->features.size());
        }
    }

    void healthScoreOfOneCustomerIsStored()
    {
        CALL_OK(explained, u"calculate_health_score"_s,
            (QJsonObject { { u"customer_id"_s, m_active }, { u"store"_s, false } }));
        auto e = demo().health().explain(m_active);
        QVERIFY(e.ok() && e->hasData);
        QCOMPARE(explained.structured.value(u"score"_s).toDouble(), Mcp::ToolSupport::rounded(e->score, 1));
        QCOMPARE(explained.structured.value(u"config_version"_s).toInt(), e->configVersion);
        QCOMPARE(explained.structured.value(u"components"_s).toArray().size(), e->components.size());
        QCOMPARE(explained.structured.value(u"stored"_s).toBool(), false);

        const QString day = u"2026-06-14"_s;
        CALL_OK(
            stored, u"calculate_health_score"_s, (QJsonObject { { u"customer_id"_s, m_active }, { u"as_of"_s, day } }));
        QVERIFY(stored.structured.value(u"stored"_s).toBool());
        auto latest = demo().health().latestScore(m_active, QDate(2026, 6, 14));
        QVERIFY(latest.ok() && latest->has_value());
        QCOMPARE((*latest)->scoreDate, QDate(2026, 6, 14));
        QCOMPARE(stored.structured.value(u"score"_s).toDouble(), Mcp::ToolSupport::rounded((*latest)->score, 1));
        auto trend = demo().health().trend(m_active, QDate(2026, 6, 14));
        QVERIFY(trend.ok());
        QCOMPARE(at(stored.structured, u"trend.month.has_data"_s).toBool(), trend->month.hasData);
    }

    void portfolioRecomputeReportsProgressAndCancels()
    {
        m_demo->progress.clear();
        CALL_OK(out, u"calculate_health_score"_s, obj(R"({"scope":"portfolio"})"));
        auto summary = demo().health().portfolioSummary();
        QVERIFY(summary.ok());
        QCOMPARE(out.structured.value(u"scored"_s).toInteger(), summary->scored);
        QCOMPARE(out.structured.value(u"red"_s).toInteger(), summary->red);
        QCOMPARE(out.structured.value(u"green"_s).toInteger(), summary->green);
        QVERIFY(!m_demo->progress.isEmpty());
        QVERIFY(m_demo->registry.find(u"calculate_health_score"_s)->tool.longRunning);

        m_demo->cancelRequested = true;
        const auto cancelled = m_demo->call(u"calculate_health_score"_s, obj(R"({"scope":"portfolio"})"));
        m_demo->cancelRequested = false;
        QVERIFY(!cancelled.ok);
        QCOMPARE(cancelled.error.code, Core::ErrorCode::Cancelled);
    }

    void segmentsEqualTheService()
    {
        const QVariantMap criteria { { u"tier"_s, u"enterprise"_s }, { u"status"_s, u"active"_s } };
        CALL_OK(listed, u"segment_customers"_s,
            (QJsonObject { { u"action"_s, u"evaluate"_s }, { u"criteria"_s, QJsonObject::fromVariantMap(criteria) },
                { u"limit"_s, 200 } }));
        Core::SegmentPageQuery page;
        page.limit = 200;
        auto r = demo().segments().evaluate(criteria, page);
        QVERIFY(r.ok());
        QCOMPARE(listed.structured.value(u"total"_s).toInteger(), r->total);
        QCOMPARE(listed.structured.value(u"items"_s).toArray().size(), r->items.size());

        CALL_OK(summary, u"segment_customers"_s,
            (QJsonObject {
                { u"action"_s, u"summarize"_s }, { u"criteria"_s, QJsonObject::fromVariantMap(criteria) } }));
        auto s = demo().segments().summarize(criteria);
        QVERIFY(s.ok());
        QCOMPARE(summary.structured.value(u"customers"_s).toInteger(), s->customers);
        QCOMPARE(summary.structured.value(u"total_arr"_s).toDouble(), Mcp::ToolSupport::rounded(s->totalArr, 2));

        CALL_OK(saved, u"segment_customers"_s,
            (QJsonObject { { u"action"_s, u"save"_s }, { u"name"_s, u"Active enterprise"_s },
                { u"criteria"_s, QJsonObject::fromVariantMap(criteria) } }));
        const qint64 id = at(saved.structured, u"segment.segment_id"_s).toInteger();
        auto back = demo().segments().get(id);
        QVERIFY(back.ok());
        QCOMPARE(back->name, u"Active enterprise"_s);
        QCOMPARE(back->criteria.value(u"tier"_s).toString(), u"enterprise"_s);
        CALL_OK(
            members, u"segment_customers"_s, (QJsonObject { { u"action"_s, u"members"_s }, { u"segment_id"_s, id } }));
        QCOMPARE(members.structured.value(u"total"_s).toInteger(), r->total);
        QVERIFY(demo().segments().remove(id).ok());
    }

    void featureAdoptionEqualsTheService()
    {
        CALL_OK(portfolio, u"track_feature_adoption"_s, QJsonObject {});
        auto r = demo().engagement().featureAdoption();
        QVERIFY(r.ok());
        QCOMPARE(portfolio.structured.value(u"active_customers"_s).toInteger(), r->activeCustomers);
        QCOMPARE(portfolio.structured.value(u"total"_s).toInteger(), r->features.size());
        if (!r->features.isEmpty())
            QCOMPARE(at(portfolio.structured, u"items"_s)
                         .toArray()
                         .at(0)
                         .toObject()
                         .value(u"adopting_customers"_s)
                         .toInteger(),
                r->features.constFirst().adoptingCustomers);
        CALL_OK(one, u"track_feature_adoption"_s, (QJsonObject { { u"customer_id"_s, m_active } }));
        auto c = demo().engagement().customerFeatureAdoption(m_active);
        QVERIFY(c.ok());
        QCOMPARE(one.structured.value(u"used_in_window"_s).toInt(), c->usedInWindow);
        QCOMPARE(one.structured.value(u"adopted_ever"_s).toInt(), c->adoptedEver);
    }

    void lifecycleGetAndForcedTransitionAreStored()
    {
        CALL_OK(got, u"manage_lifecycle_stages"_s,
            (QJsonObject { { u"action"_s, u"get"_s }, { u"customer_id"_s, m_active } }));
        auto customer = demo().customers().get(m_active);
        QVERIFY(customer.ok());
        QCOMPARE(got.structured.value(u"stage"_s).toString(), Domain::enumName(customer->lifecycleStage));
        const QString target
            = customer->lifecycleStage == Domain::LifecycleStage::Advocacy ? u"renewal"_s : u"advocacy"_s;
        const auto refused = m_demo->call(u"manage_lifecycle_stages"_s,
            { { u"action"_s, u"transition"_s }, { u"customer_id"_s, m_active }, { u"to_stage"_s, target },
                { u"force"_s, true } });
        QVERIFY(!refused.ok); // forcing needs a reason
        CALL_OK(moved, u"manage_lifecycle_stages"_s,
            (QJsonObject { { u"action"_s, u"transition"_s }, { u"customer_id"_s, m_active }, { u"to_stage"_s, target },
                { u"force"_s, true }, { u"reason"_s, u"test: agreed with the CSM"_s } }));
        auto after = demo().customers().get(m_active);
        QCOMPARE(Domain::enumName(after->lifecycleStage), target);
        auto state = demo().engagement().lifecycle(m_active);
        QVERIFY(state.ok());
        QCOMPARE(state->history.constFirst().reason, u"test: agreed with the CSM"_s);
        QCOMPARE(moved.structured.value(u"version"_s).toInt(), after->meta.version);

        CALL_OK(evaluated, u"manage_lifecycle_stages"_s,
            (QJsonObject { { u"action"_s, u"evaluate"_s }, { u"limit"_s, 5 } }));
        auto proposals = demo().engagement().evaluateRules({}, 5);
        QVERIFY(proposals.ok());
        QCOMPARE(evaluated.structured.value(u"total"_s).toInteger(), proposals->total);
        CALL_OK(rules, u"manage_lifecycle_stages"_s, obj(R"({"action":"rules"})"));
        QCOMPARE(rules.structured.value(u"rules"_s).toArray().size(), Core::LifecycleRules::table().size());
    }

    void milestonesAreDetectedAndRead()
    {
        CALL_OK(detected, u"track_adoption_milestones"_s, (QJsonObject { { u"action"_s, u"detect"_s } }));
        CALL_OK(one, u"track_adoption_milestones"_s,
            (QJsonObject { { u"action"_s, u"get"_s }, { u"customer_id"_s, m_active } }));
        auto m = demo().engagement().milestones(m_active);
        QVERIFY(m.ok());
        QCOMPARE(one.structured.value(u"achieved"_s).toInt(), m->achieved);
        QVERIFY(m->achieved > 0); // the customer has usage: at least its first use is recorded
        CALL_OK(summary, u"track_adoption_milestones"_s, (QJsonObject { { u"action"_s, u"summary"_s } }));
        auto s = demo().engagement().milestoneSummary();
        QVERIFY(s.ok());
        const QJsonArray rows = summary.structured.value(u"milestones"_s).toArray();
        QCOMPARE(rows.size(), s->size());
        for (int i = 0; i < rows.size(); ++i)
            QCOMPARE(rows.at(i).toObject().value(u"achieved_customers"_s).toInteger(), s->at(i).achievedCustomers);
        // Idempotent: detecting again records nothing new.
        CALL_OK(again, u"track_adoption_milestones"_s, (QJsonObject { { u"action"_s, u"detect"_s } }));
        QCOMPARE(again.structured.value(u"recorded"_s).toInt(), 0);
        Q_UNUSED(detected);
    }

    void valueTiersEqualTheService()
    {
        CALL_OK(table, u"segment_by_value_tier"_s, QJsonObject {});
        auto r = demo().segments().valueTiers();
        QVERIFY(r.ok() && r->hasData);
        QCOMPARE(table.structured.value(u"ranked_customers"_s).toInteger(), r->rankedCustomers);
        const QJsonArray tiers = table.structured.value(u"tiers"_s).toArray();
        QCOMPARE(tiers.size(), r->tiers.size());
        for (int i = 0; i < tiers.size(); ++i)
            QCOMPARE(tiers.at(i).toObject().value(u"customers"_s).toInteger(), r->tiers.at(i).customers);
        CALL_OK(one, u"segment_by_value_tier"_s, (QJsonObject { { u"customer_id"_s, m_active } }));
        auto c = demo().segments().valueTierOf(m_active);
        QVERIFY(c.ok());
        QCOMPARE(one.structured.value(u"ranked"_s).toBool(), c->ranked);
        if (c->ranked)
            QCOMPARE(one.structured.value(u"tier"_s).toString(), Domain::enumName(c->tier));
    }

    void engagementPatternsEqualTheService()
    {
        CALL_OK(one, u"analyze_engagement_patterns"_s, (QJsonObject { { u"customer_id"_s, m_active } }));
        auto p = demo().engagement().engagementPattern(m_active);
        QVERIFY(p.ok());
        QCOMPARE(one.structured.value(u"signal"_s).toString(), Core::signalName(p->signal));
        QCOMPARE(one.structured.value(u"weeks"_s).toArray().size(), p->weeks.size());
        CALL_OK(scan, u"analyze_engagement_patterns"_s, (QJsonObject { { u"limit"_s, 5 } }));
        Core::AnomalyQuery q;
        q.limit = 5;
        auto s = demo().engagement().anomalies(q);
        QVERIFY(s.ok());
        QCOMPARE(scan.structured.value(u"total"_s).toInteger(), s->total);
        QCOMPARE(scan.structured.value(u"customers_scanned"_s).toInteger(), s->customersScanned);
    }

    void churnRiskEqualsTheService()
    {
        CALL_OK(ranking, u"identify_churn_risk"_s, (QJsonObject { { u"limit"_s, 10 } }));
        Core::ChurnRiskQuery q;
        q.minimumLevel = Domain::ChurnRiskLevel::Low;
        q.limit = 10;
        auto page = demo().churn().portfolioRisk(q);
        QVERIFY(page.ok() && page->hasData);
        QCOMPARE(ranking.structured.value(u"total"_s).toInteger(), page->total);
        const QJsonArray items = ranking.structured.value(u"items"_s).toArray();
        QCOMPARE(items.size(), page->items.size());
        for (int i = 0; i < items.size(); ++i) {
            QCOMPARE(items.at(i).toObject().value(u"customer_id"_s).toString(), page->items.at(i).customerId);
            QCOMPARE(items.at(i).toObject().value(u"probability"_s).toDouble(),
                Mcp::ToolSupport::rounded(page->items.at(i).probability, 4));
        }
        CALL_OK(one, u"identify_churn_risk"_s, (QJsonObject { { u"customer_id"_s, m_active } }));
        auto stored = demo().churn().latestRisk(m_active);
        QVERIFY(stored.ok() && stored->has_value());
        QCOMPARE(
            at(one.structured, u"risk.probability"_s).toDouble(), Mcp::ToolSupport::rounded((*stored)->probability, 4));
        QCOMPARE(one.structured.value(u"model_version"_s).toInt(), (*stored)->modelVersion);
    }

    // rescore: progress comes from ChurnService::scorePortfolio (features, then customers scored of the active
    // ones); a cancelled rescore stores no prediction.
    void churnRescoreReportsProgressAndCancels()
    {
        const qint64 active = count(
            m_demo->db.db(), u"SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL AND status = 'active'"_s);
        QVERIFY(active > 0);
        const qint64 before = count(m_demo->db.db(), u"SELECT COUNT(*) FROM churn_predictions"_s);
        m_demo->progress.clear();
        m_demo->cancelRequested = true;
        const auto cancelled = m_demo->call(u"identify_churn_risk"_s, obj(R"({"rescore":true})"));
        m_demo->cancelRequested = false;
        QVERIFY(!cancelled.ok);
        QCOMPARE(cancelled.error.code, Core::ErrorCode::Cancelled);
        QCOMPARE(count(m_demo->db.db(), u"SELECT COUNT(*) FROM churn_predictions"_s), before);

        m_demo->progress.clear();
        CALL_OK(out, u"identify_churn_risk"_s, obj(R"({"rescore":true})"));
        QCOMPARE(at(out.structured, u"scoring.scored"_s).toInteger(), active);
        QCOMPARE(count(m_demo->db.db(), u"SELECT COUNT(*) FROM churn_predictions"_s), before + active);
        QVERIFY(m_demo->progress.size() >= 2);
        QCOMPARE(m_demo->progress.first().done, 0.0);
        QCOMPARE(m_demo->progress.first().total, double(active));
        QCOMPARE(m_demo->progress.last().done, double(active));
        QCOMPARE(m_demo->progress.last().total, double(active));
        for (qsizetype i = 1; i < m_demo->progress.size(); ++i)
            QVERIFY(m_demo->progress.at(i).done >= m_demo->progress.at(i - 1).done);
    }

    void riskFactorsAndPostmortemEqualTheService()
    {
        CALL_OK(
            factors, u"score_risk_factors"_s, (QJsonObject { { u"customer_id"_s, m_active }, { u"factors"_s, 5 } }));
        auto model = demo().churn().activeModel();
        QVERIFY(model.ok());
        const QJsonArray listed = at(factors.structured, u"model.factors"_s).toArray();
        QCOMPARE(listed.size(), qMin<qsizetype>(5, model->coefficients.size()));
        QCOMPARE(listed.at(0).toObject().value(u"feature"_s).toString(), model->coefficients.constFirst().feature);
        auto now = demo().churn().assessAsOf(m_active, kToday);
        QVERIFY(now.ok());
        QCOMPARE(at(factors.structured, u"customer.probability"_s).toDouble(),
            Mcp::ToolSupport::rounded(now->probability, 4));

        CALL_OK(pm, u"analyze_churn_postmortem"_s, (QJsonObject { { u"customer_id"_s, m_churned } }));
        auto churned = demo().customers().get(m_churned);
        auto before = demo().churn().assessAsOf(m_churned, churned->churnedAt.addDays(-30));
        QVERIFY(before.ok());
        QCOMPARE(at(pm.structured, u"assessment.probability"_s).toDouble(),
            Mcp::ToolSupport::rounded(before->probability, 4));
        auto history = demo().health().history(m_churned, churned->churnedAt.addDays(-90), churned->churnedAt, 100);
        QVERIFY(history.ok());
        QCOMPARE(pm.structured.value(u"health_before"_s).toArray().size(), history->size());
        const auto notChurned = m_demo->call(u"analyze_churn_postmortem"_s, { { u"customer_id"_s, m_active } });
        QVERIFY(!notChurned.ok);
        QCOMPARE(notChurned.error.field, u"customer_id"_s);
    }

    void satisfactionEqualsTheService()
    {
        CALL_OK(out, u"monitor_satisfaction"_s, obj(R"({"metric":"nps","from":"2025-07-01","to":"2026-06-15"})"));
        Core::FeedbackQuery q;
        q.from = QDate(2025, 7, 1);
        q.to = kToday;
        auto r = demo().feedback().satisfactionTrend(Domain::SurveyKind::Nps, q);
        QVERIFY(r.ok() && r->overall.value);
        QCOMPARE(at(out.structured, u"overall.responses"_s).toInt(), r->overall.responses);
        QCOMPARE(at(out.structured, u"overall.value"_s).toDouble(), Mcp::ToolSupport::rounded(*r->overall.value, 1));
        QCOMPARE(out.structured.value(u"points"_s).toArray().size(), r->points.size());
    }

    void retentionCampaignMakesTasksAndOutboxMessages()
    {
        Domain::Playbook p;
        p.name = u"Save the account"_s;
        p.isActive = true;
        Domain::PlaybookStep task;
        task.kind = Domain::PlaybookStepKind::Task;
        task.name = u"Call the sponsor"_s;
        task.config = { { u"title"_s, u"Call the executive sponsor"_s }, { u"due_in_days"_s, 2 } };
        Domain::PlaybookStep message;
        message.kind = Domain::PlaybookStepKind::Message;
        message.name = u"Nudge"_s;
        message.config = { { u"body"_s, u"We would love to hear how it is going"_s } };
        auto playbook = demo().playbooks().createPlaybook(p, { task, message });
        QVERIFY2(playbook.ok(), qPrintable(playbook.ok() ? QString() : playbook.error().toString()));
        const qint64 tasksBefore
            = count(m_demo->db.db(), u"SELECT COUNT(*) FROM tasks WHERE customer_id = ?"_s, { m_active });
        const qint64 outboxBefore = count(m_demo->db.db(), u"SELECT COUNT(*) FROM outbox"_s);

        CALL_OK(out, u"execute_retention_campaign"_s,
            (QJsonObject { { u"customer_id"_s, m_active }, { u"playbook_id"_s, playbook->playbook.id },
                { u"reason"_s, u"health dropped"_s } }));
        QCOMPARE(out.structured.value(u"tasks_created"_s).toInt(), 1);
        QCOMPARE(out.structured.value(u"messages_queued"_s).toInt(), 1);
        QCOMPARE(out.structured.value(u"already_enrolled"_s).toBool(), false);
        QCOMPARE(count(m_demo->db.db(), u"SELECT COUNT(*) FROM tasks WHERE customer_id = ? AND title = ?"_s,
                     { m_active, u"Call the executive sponsor"_s }),
            1);
        QCOMPARE(count(m_demo->db.db(), u"SELECT COUNT(*) FROM tasks WHERE customer_id = ?"_s, { m_active }),
            tasksBefore + 1);
        QCOMPARE(count(m_demo->db.db(), u"SELECT COUNT(*) FROM outbox"_s), outboxBefore + 1);
        auto enrolment = demo().playbooks().enrolment(out.structured.value(u"enrolment_id"_s).toInteger());
        QVERIFY(enrolment.ok());
        QCOMPARE(enrolment->enrolment.customerId, m_active);
        QCOMPARE(enrolment->enrolment.triggerContext.value(u"reason"_s).toString(), u"health dropped"_s);
        QCOMPARE(out.structured.value(u"status"_s).toString(), Domain::enumName(enrolment->enrolment.status));

        CALL_OK(listed, u"automate_retention_campaigns"_s, obj(R"({"action":"list"})"));
        auto playbooks = demo().playbooks().listPlaybooks();
        QVERIFY(playbooks.ok());
        QCOMPARE(listed.structured.value(u"total"_s).toInteger(), playbooks->total);
        CALL_OK(preview, u"automate_retention_campaigns"_s,
            obj(R"({"action":"preview","trigger":"health_drop","trigger_config":{"drop_points":10},"limit":200})"));
        auto matches
            = demo().playbooks().previewTrigger(Domain::PlaybookTrigger::HealthDrop, { { u"drop_points"_s, 10 } });
        QVERIFY(matches.ok());
        QCOMPARE(preview.structured.value(u"total"_s).toInteger(), matches->size());
    }

    // automate_retention_campaigns create → execute_retention_campaign: the playbook, its steps, the enrolment, the
    // CSM task and the queued e-mail (communications + outbox) are all read back from storage.
    void playbookCreatedByToolRunsAnEmailCampaign()
    {
        Domain::EmailTemplate tpl;
        tpl.name = u"Retention check-in"_s;
        tpl.subject = u"How is it going?"_s;
        tpl.body = u"We would like to help your team get more out of the product."_s;
        auto storedTemplate = demo().communication().createTemplate(tpl);
        QVERIFY2(storedTemplate.ok(), qPrintable(storedTemplate.ok() ? QString() : storedTemplate.error().toString()));

        QJsonObject args {
            { u"action"_s, u"create"_s },
            { u"name"_s, u"Win back the sponsor"_s },
            { u"description"_s, u"Call, write, and follow up a week later"_s },
            { u"trigger"_s, u"health_drop"_s },
            { u"trigger_config"_s, QJsonObject { { u"drop_points"_s, 12 } } },
            { u"steps"_s,
                QJsonArray {
                    QJsonObject { { u"kind"_s, u"task"_s }, { u"name"_s, u"Call"_s },
                        { u"config"_s,
                            QJsonObject { { u"title"_s, u"Call the sponsor of {{customer.name}}"_s },
                                { u"due_in_days"_s, 2 }, { u"priority"_s, u"high"_s } } } },
                    QJsonObject { { u"kind"_s, u"email"_s }, { u"name"_s, u"Write"_s },
                        { u"config"_s, QJsonObject { { u"template_id"_s, storedTemplate->id } } } },
                    // The caller's shorthand: settings on the step itself, and a delay (a wait step before it).
                    QJsonObject { { u"kind"_s, u"task"_s }, { u"name"_s, u"Follow up"_s }, { u"delay_days"_s, 7 },
                        { u"title"_s, u"Follow up on the check-in"_s }, { u"assignee"_s, u"dana"_s } },
                } },
        };
        CALL_OK(created, u"automate_retention_campaigns"_s, args);
        const qint64 playbookId = at(created.structured, u"playbook.playbook_id"_s).toInteger();
        auto stored = demo().playbooks().playbook(playbookId);
        QVERIFY(stored.ok());
        QCOMPARE(stored->playbook.name, u"Win back the sponsor"_s);
        QCOMPARE(stored->playbook.triggerKind, Domain::PlaybookTrigger::HealthDrop);
        QCOMPARE(stored->playbook.triggerConfig.value(u"drop_points"_s).toInt(), 12);
        QCOMPARE(stored->playbook.triggerConfig.value(u"window_days"_s).toInt(), 7); // default filled in
        QVERIFY(stored->playbook.isActive);
        QCOMPARE(stored->steps.size(), 4);
        QCOMPARE(stored->steps.at(1).kind, Domain::PlaybookStepKind::Email);
        QCOMPARE(stored->steps.at(1).config.value(u"template_id"_s).toLongLong(), storedTemplate->id);
        QCOMPARE(stored->steps.at(2).kind, Domain::PlaybookStepKind::Wait);
        QCOMPARE(stored->steps.at(2).config.value(u"days"_s).toInt(), 7);
        QCOMPARE(stored->steps.at(3).config.value(u"title"_s).toString(), u"Follow up on the check-in"_s);
        QCOMPARE(stored->steps.at(3).config.value(u"owner"_s).toString(), u"dana"_s);
        QCOMPARE(created.structured.value(u"playbook"_s).toObject().value(u"steps"_s).toArray().size(), 4);

        CALL_OK(before, u"automate_retention_campaigns"_s,
            (QJsonObject { { u"action"_s, u"get"_s }, { u"playbook_id"_s, playbookId } }));
        QCOMPARE(at(before.structured, u"playbook.enrolment_stats.has_data"_s).toBool(), false);
        QCOMPARE(at(before.structured, u"playbook.enrolment_stats.enrolments"_s).toInteger(), 0);

        CALL_OK(run, u"execute_retention_campaign"_s,
            (QJsonObject {
                { u"customer_id"_s, m_active }, { u"playbook_id"_s, playbookId }, { u"run_due_steps"_s, true } }));
        QCOMPARE(run.structured.value(u"steps_run"_s).toInt(), 3); // task, email, wait; the follow-up waits 7 days
        QCOMPARE(run.structured.value(u"tasks_created"_s).toInt(), 1);
        QCOMPARE(run.structured.value(u"messages_queued"_s).toInt(), 1);
        QCOMPARE(run.structured.value(u"status"_s).toString(), u"active"_s);
        const qint64 enrolmentId = run.structured.value(u"enrolment_id"_s).toInteger();
        auto enrolment = demo().playbooks().enrolment(enrolmentId);
        QVERIFY(enrolment.ok());
        QCOMPARE(enrolment->runs.size(), 3);
        QCOMPARE(enrolment->enrolment.status, Domain::EnrolmentStatus::Active);
        QCOMPARE(enrolment->enrolment.nextStepAt, m_demo->clock.now().addDays(7));

        // The e-mail: a queued communication from the template, and its outbox row (kind email, to SendGrid).
        Core::CommunicationListQuery cq;
        cq.customerId = m_active;
        cq.channel = Domain::CommunicationChannel::Email;
        cq.limit = 200;
        auto comms = demo().communication().listCommunications(cq);
        QVERIFY(comms.ok());
        const auto sent = std::find_if(comms->items.cbegin(), comms->items.cend(),
            [&](const Domain::Communication &c) { return c.enrolmentId == enrolmentId; });
        QVERIFY(sent != comms->items.cend());
        QCOMPARE(sent->templateId, std::optional<qint64>(storedTemplate->id));
        QCOMPARE(sent->subject, u"How is it going?"_s);
        QCOMPARE(sent->status, Domain::CommunicationStatus::Queued);
        const QString key = u"enrolment:%1:step:%2"_s.arg(enrolmentId).arg(stored->steps.at(1).id);
        QCOMPARE(sent->outboxIdempotencyKey, key);
        QCOMPARE(
            count(m_demo->db.db(),
                u"SELECT COUNT(*) FROM outbox WHERE idempotency_key = ? AND kind = 'email' AND target = 'sendgrid' "
                "AND status = 'pending' AND customer_id = ?"_s,
                { key, m_active }),
            1);
        // The task, personalised, for this enrolment.
        auto customer = demo().customers().get(m_active);
        QVERIFY(customer.ok());
        QCOMPARE(count(m_demo->db.db(),
                     u"SELECT COUNT(*) FROM tasks WHERE customer_id = ? AND enrolment_id = ? AND title = ? "
                     "AND priority = 'high'"_s,
                     { m_active, enrolmentId, QString(u"Call the sponsor of "_s + customer->name) }),
            1);
        QCOMPARE(count(m_demo->db.db(), u"SELECT COUNT(*) FROM tasks WHERE enrolment_id = ?"_s, { enrolmentId }), 1);

        // get: the enrolment stats are the service's.
        CALL_OK(after, u"automate_retention_campaigns"_s,
            (QJsonObject { { u"action"_s, u"get"_s }, { u"playbook_id"_s, playbookId } }));
        auto stats = demo().playbooks().playbookStats(playbookId);
        QVERIFY(stats.ok());
        QCOMPARE(at(after.structured, u"playbook.enrolment_stats.enrolments"_s).toInteger(), stats->enrolments);
        QCOMPARE(stats->enrolments, 1);
        QCOMPARE(at(after.structured, u"playbook.enrolment_stats.step_runs"_s).toInteger(), stats->stepRuns);
        QCOMPARE(at(after.structured, u"playbook.enrolment_stats.tasks_created"_s).toInteger(), stats->tasksCreated);
        QCOMPARE(
            at(after.structured, u"playbook.enrolment_stats.messages_queued"_s).toInteger(), stats->messagesQueued);

        // deactivate: a stale version is refused naming `version`; the current one is stored.
        const int version = stored->playbook.meta.version;
        const auto stale = m_demo->call(u"automate_retention_campaigns"_s,
            QJsonObject {
                { u"action"_s, u"deactivate"_s }, { u"playbook_id"_s, playbookId }, { u"version"_s, version + 5 } });
        QVERIFY(!stale.ok);
        QCOMPARE(stale.error.code, Core::ErrorCode::Conflict);
        QCOMPARE(stale.error.field, u"version"_s);
        QVERIFY(demo().playbooks().playbook(playbookId)->playbook.isActive);
        CALL_OK(off, u"automate_retention_campaigns"_s,
            (QJsonObject {
                { u"action"_s, u"deactivate"_s }, { u"playbook_id"_s, playbookId }, { u"version"_s, version } }));
        QCOMPARE(at(off.structured, u"playbook.active"_s).toBool(), false);
        QVERIFY(!demo().playbooks().playbook(playbookId)->playbook.isActive);
        CALL_OK(on, u"automate_retention_campaigns"_s,
            (QJsonObject { { u"action"_s, u"activate"_s }, { u"playbook_id"_s, playbookId } }));
        QVERIFY(demo().playbooks().playbook(playbookId)->playbook.isActive);
        QCOMPARE(at(on.structured, u"playbook.version"_s).toInt(),
            demo().playbooks().playbook(playbookId)->playbook.meta.version);
    }

    void escalationsAreStored()
    {
        CALL_OK(opened, u"manage_escalations"_s,
            (QJsonObject { { u"action"_s, u"open"_s }, { u"customer_id"_s, m_active },
                { u"reason"_s, u"Executive complaint about outages"_s }, { u"severity"_s, u"high"_s } }));
        const qint64 id = at(opened.structured, u"escalation.escalation_id"_s).toInteger();
        auto stored = demo().support().escalation(id);
        QVERIFY(stored.ok());
        QCOMPARE(stored->reason, u"Executive complaint about outages"_s);
        QCOMPARE(stored->severity, Domain::EscalationSeverity::High);
        CALL_OK(updated, u"manage_escalations"_s,
            (QJsonObject {
                { u"action"_s, u"update"_s }, { u"escalation_id"_s, id }, { u"status"_s, u"investigating"_s } }));
        QCOMPARE(demo().support().escalation(id)->status, Domain::EscalationStatus::Investigating);
        CALL_OK(listed, u"manage_escalations"_s,
            (QJsonObject { { u"action"_s, u"list"_s }, { u"customer_id"_s, m_active } }));
        Storage::ListQuery q;
        q.filters << Storage::Filter { u"customer_id"_s, Storage::Filter::Op::Eq, m_active };
        auto page = demo().support().listEscalations(q);
        QVERIFY(page.ok());
        QCOMPARE(listed.structured.value(u"total"_s).toInteger(), page->total);
        Q_UNUSED(updated);
    }

    void onboardingPlanIsCreatedTrackedAndAutomated()
    {
        auto templates = demo().onboarding().templates();
        QVERIFY(templates.ok());
        if (templates->isEmpty())
            QVERIFY(demo().onboarding().createDefaultTemplates().ok());
        CALL_OK(created, u"create_onboarding_plan"_s,
            (QJsonObject {
                { u"customer_id"_s, m_active }, { u"start_on"_s, u"2026-06-01"_s }, { u"complexity"_s, u"low"_s } }));
        const qint64 planId = created.structured.value(u"plan_id"_s).toInteger();
        auto plan = demo().onboarding().plan(planId);
        QVERIFY(plan.ok());
        QCOMPARE(plan->plan.customerId, m_active);
        QCOMPARE(plan->plan.startedOn, QDate(2026, 6, 1));
        QCOMPARE(created.structured.value(u"milestones"_s).toArray().size(), plan->milestones.size());

        CALL_OK(progress, u"track_onboarding_progress"_s, (QJsonObject { { u"plan_id"_s, planId } }));
        QCOMPARE(at(progress.structured, u"progress.milestones_overdue"_s).toInt(), plan->progress.milestonesOverdue);
        QCOMPARE(at(progress.structured, u"progress.risk"_s).toString(), Domain::enumName(plan->progress.risk));
        CALL_OK(plans, u"track_onboarding_progress"_s, (QJsonObject { { u"customer_id"_s, m_active } }));
        Core::PlanQuery pq;
        pq.customerId = m_active;
        auto page = demo().onboarding().plans(pq);
        QVERIFY(page.ok());
        QCOMPARE(plans.structured.value(u"total"_s).toInteger(), page->total);

        CALL_OK(automated, u"activate_onboarding_automation"_s,
            (QJsonObject { { u"plan_id"_s, planId }, { u"no_progress_days"_s, 10 }, { u"low_engagement"_s, true } }));
        auto after = demo().onboarding().plan(planId);
        QCOMPARE(after->plan.automation.value(u"no_progress_days"_s).toInt(), 10);
        QCOMPARE(after->plan.automation.value(u"low_engagement"_s).toBool(), true);
        Q_UNUSED(automated);

        CALL_OK(ttv, u"optimize_time_to_value"_s, (QJsonObject { { u"plan_id"_s, planId } }));
        auto report = demo().onboarding().timeToValue(planId);
        QVERIFY(report.ok());
        QCOMPARE(ttv.structured.value(u"reached"_s).toBool(), report->reached);
        QCOMPARE(at(ttv.structured, u"benchmark.completed_plans"_s).toInt(), report->portfolio.completedPlans);
    }

    void onboardingBenchmarksEqualTheService()
    {
        CALL_OK(ttv, u"optimize_time_to_value"_s, QJsonObject {});
        auto b = demo().onboarding().ttvBenchmark();
        QVERIFY(b.ok());
        QCOMPARE(at(ttv.structured, u"benchmark.completed_plans"_s).toInt(), b->completedPlans);
        if (b->p50)
            QCOMPARE(at(ttv.structured, u"benchmark.p50"_s).toDouble(), Mcp::ToolSupport::rounded(*b->p50, 1));
        CALL_OK(loss, u"optimize_onboarding_process"_s, QJsonObject {});
        auto l = demo().onboarding().whereTimeIsLost();
        QVERIFY(l.ok());
        QCOMPARE(loss.structured.value(u"completed_plans"_s).toInt(), l->completedPlans);
        QCOMPARE(loss.structured.value(u"milestones"_s).toArray().size(), l->milestones.size());
        CALL_OK(certs, u"manage_certification_program"_s, obj(R"({"action":"track"})"));
        auto t = demo().onboarding().trackCertifications();
        QVERIFY(t.ok());
        QCOMPARE(certs.structured.value(u"total"_s).toInteger(), t->total);
        CALL_OK(programs, u"manage_certification_program"_s, obj(R"({"action":"programs"})"));
        QCOMPARE(programs.structured.value(u"programs"_s).toArray().size(),
            demo().onboarding().certificationPrograms(false)->size());
    }

    void customerJourneyEqualsTheService()
    {
        // Adoption milestones are written by detection; make sure there are some to show.
        QVERIFY(demo().engagement().detectMilestones({ m_active }).ok());
        CALL_OK(out, u"map_customer_journey"_s, (QJsonObject { { u"customer_id"_s, m_active } }));
        Core::JourneyQuery q;
        q.customerId = m_active;
        auto j = Core::customerJourney(demo(), q);
        QVERIFY2(j.ok(), qPrintable(j.ok() ? QString() : j.error().toString()));
        QCOMPARE(out.structured.value(u"from"_s).toString(), j->from.toString(Qt::ISODate));
        QCOMPARE(out.structured.value(u"to"_s).toString(), kToday.toString(Qt::ISODate));
        QCOMPARE(at(out.structured, u"stage.current"_s).toString(), Domain::enumName(j->stage));
        QCOMPARE(at(out.structured, u"stage.changes"_s).toInteger(), j->stageChanges);
        QCOMPARE(at(out.structured, u"stage.history"_s).toArray().size(), j->stageHistory.size());
        QVERIFY(j->touchpointTotal > 0);
        QCOMPARE(at(out.structured, u"touchpoints.total"_s).toInt(), j->touchpointTotal);
        const QJsonArray groups = at(out.structured, u"touchpoints.by_kind_and_month"_s).toArray();
        QCOMPARE(groups.size(), j->touchpoints.size());
        int sum = 0;
        for (int i = 0; i < groups.size(); ++i) {
            const QJsonObject g = groups.at(i).toObject();
            QCOMPARE(g.value(u"month"_s).toString(), j->touchpoints.at(i).month);
            QCOMPARE(g.value(u"kind"_s).toString(), Domain::enumName(j->touchpoints.at(i).kind));
            QCOMPARE(g.value(u"count"_s).toInt(), j->touchpoints.at(i).count);
            sum += g.value(u"count"_s).toInt();
        }
        QCOMPARE(sum, j->touchpointTotal);
        auto timeline = demo().timeline().timeline(Core::TimelineQuery { m_active, j->from, j->to, {}, 1, {} });
        QVERIFY(timeline.ok());
        QCOMPARE(qint64(j->touchpointTotal), timeline->total);
        QVERIFY(!j->milestones.isEmpty());
        QCOMPARE(out.structured.value(u"milestones"_s).toArray().size(), j->milestones.size());
        auto adoption = demo().engagement().milestones(m_active);
        QVERIFY(adoption.ok());
        QCOMPARE(out.structured.value(u"adoption_milestones_defined"_s).toInt(), int(adoption->milestones.size()));
        QCOMPARE(at(out.structured, u"experience.nps.responses"_s).toInt(), j->nps.overall.responses);
        QCOMPARE(at(out.structured, u"experience.nps.value"_s).isNull(), !j->nps.overall.value.has_value());
        if (j->nps.overall.value)
            QCOMPARE(at(out.structured, u"experience.nps.value"_s).toDouble(),
                Mcp::ToolSupport::rounded(*j->nps.overall.value, 1));
        QCOMPARE(at(out.structured, u"experience.csat.responses"_s).toInt(), j->csat.overall.responses);
        QCOMPARE(at(out.structured, u"experience.support.tickets_opened"_s).toInt(), j->support.opened);
        QCOMPARE(at(out.structured, u"experience.support.first_response_sla_percent"_s).isNull(),
            !j->support.firstResponse.percent.has_value());
        QCOMPARE(at(out.structured, u"experience.health.month.has_data"_s).toBool(), j->health.month.hasData);
        if (j->health.month.hasData)
            QCOMPARE(at(out.structured, u"experience.health.month.change"_s).toDouble(),
                Mcp::ToolSupport::rounded(j->health.month.change, 1));
    }

    void trainingSessionIsScheduledAndRecorded()
    {
        auto contacts = demo().customers().contacts(m_active);
        QVERIFY(contacts.ok() && !contacts->isEmpty());
        const qint64 contact = contacts->constFirst().id;
        CALL_OK(scheduled, u"deliver_training_session"_s,
            (QJsonObject { { u"action"_s, u"schedule"_s }, { u"customer_id"_s, m_active },
                { u"title"_s, u"Admin basics"_s }, { u"scheduled_at"_s, u"2026-06-20T09:00:00Z"_s },
                { u"contact_ids"_s, QJsonArray { contact } } }));
        const qint64 id = scheduled.structured.value(u"session_id"_s).toInteger();
        auto stored = demo().onboarding().trainingSession(id);
        QVERIFY(stored.ok());
        QCOMPARE(stored->session.title, u"Admin basics"_s);
        QCOMPARE(stored->attendees.size(), 1);
        m_demo->clock.set(QDateTime(QDate(2026, 6, 20), QTime(12, 0), QTimeZone::utc()));
        const auto recorded = m_demo->call(u"deliver_training_session"_s,
            { { u"action"_s, u"record"_s }, { u"session_id"_s, id }, { u"outcome_notes"_s, u"Went well"_s },
                { u"attendees"_s, QJsonArray { QJsonObject { { u"contact_id"_s, contact }, { u"score"_s, 92 } } } } });
        m_demo->clock.set(QDateTime(kToday, QTime(12, 0), QTimeZone::utc()));
        CS_VERIFY_TOOL_OK(recorded);
        auto after = demo().onboarding().trainingSession(id);
        QCOMPARE(after->session.status, Domain::TrainingSessionStatus::Completed);
        QCOMPARE(after->attended, 1);
        QVERIFY(after->averageScore.has_value());
        QCOMPARE(*after->averageScore, 92.0);
    }

    void cleanupTestCase() { m_demo.reset(); }
};

QTEST_GUILESS_MAIN(TestToolsHealth)
#include "tst_tools_health.moc"
