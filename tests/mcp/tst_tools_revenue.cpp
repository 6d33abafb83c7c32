// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The expansion and feedback toolsets, called the way the server calls them (validate → handler → outputSchema),
// on an empty portfolio, on a demo portfolio (the tool's numbers must equal the service's for the same question)
// and with bad arguments. Runs on SQLite and (tst_tools_revenue_pg) PostgreSQL.
#include <QJsonArray>
#include <QTest>

#include "demoportfolio.h"
#include "tooltestkit.h"

using namespace Qt::StringLiterals;
using TestUtils::ToolHarness;

namespace {

const QDate kToday(2026, 6, 15); // the FakeClock's day

// "a.b.c" inside a JSON object.
QJsonValue at(const QJsonObject &json, const QString &path)
{
    QJsonValue value = json;
    for (const QString &step : path.split(u'.'))
        value = value.toObject().value(step);
    return value;
}

double money(double value)
{
    return std::round(value * 100.0) / 100.0;
}

const QStringList kExpansionTools = { u"identify_upsell_opportunities"_s, u"identify_crosssell_opportunities"_s,
    u"identify_expansion_opportunities"_s, u"track_renewals"_s, u"forecast_renewals"_s, u"negotiate_renewals"_s,
    u"track_revenue_expansion"_s, u"optimize_customer_lifetime_value"_s };
const QStringList kFeedbackTools = { u"collect_feedback"_s, u"analyze_feedback_sentiment"_s,
    u"share_product_insights"_s, u"track_cs_metrics"_s, u"analyze_product_usage"_s, u"manage_voice_of_customer"_s };

} // namespace

class TstToolsRevenue : public QObject
{
    Q_OBJECT

    std::unique_ptr<ToolHarness> m_demo;

    ToolHarness &demo() { return *m_demo; }

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_demo = std::make_unique<ToolHarness>(std::initializer_list<void (*)(Mcp::ToolRegistry &)> {
            &Mcp::registerExpansionTools, &Mcp::registerFeedbackTools });
        QVERIFY2(m_demo->isReady(), qPrintable(m_demo->db.error()));
        Core::DemoPortfolio::Options options;
        options.customers = 80;
        options.seed = 777;
        options.today = kToday;
        options.usageEvents = 20'000;
        auto stats = Core::DemoPortfolio(m_demo->db.db(), options).generate();
        QVERIFY2(stats.ok(), stats.ok() ? "" : qPrintable(stats.error().toString()));
    }

    void cleanupTestCase() { m_demo.reset(); }

    void registration()
    {
        QVERIFY2(demo().registry.registrationErrors().isEmpty(),
            qPrintable(demo().registry.registrationErrors().join(u'\n')));
        const auto tools = demo().registry.tools();
        QCOMPARE(tools.size(), kExpansionTools.size() + kFeedbackTools.size());
        for (const QString &name : kExpansionTools + kFeedbackTools) {
            const Mcp::RegisteredTool *tool = demo().registry.find(name);
            QVERIFY2(tool, qPrintable(name));
            QVERIFY2(!tool->output.isNull(), qPrintable(name));
            QCOMPARE(tool->tool.toolset, kExpansionTools.contains(name) ? u"expansion"_s : u"feedback"_s);
            // Read-only tools never claim to write, and writers are not read-only.
            QCOMPARE(tool->tool.annotations.readOnly, !tool->tool.writes);
        }
    }

    // (a) an empty portfolio: a plain "no data" answer, never a number.
    void emptyPortfolio_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QJsonObject>("args");
        QTest::addColumn<QString>("path"); // must be null / false / 0 / empty
        QTest::addRow("upsell") << u"identify_upsell_opportunities"_s << QJsonObject {} << u"total"_s;
        QTest::addRow("crosssell") << u"identify_crosssell_opportunities"_s << QJsonObject {} << u"total"_s;
        QTest::addRow("expansion") << u"identify_expansion_opportunities"_s << QJsonObject {} << u"total"_s;
        QTest::addRow("renewals") << u"track_renewals"_s << QJsonObject {} << u"total"_s;
        QTest::addRow("forecast") << u"forecast_renewals"_s << QJsonObject {} << u"forecast.has_data"_s;
        QTest::addRow("forecast grr") << u"forecast_renewals"_s << QJsonObject {} << u"retention.grr"_s;
        QTest::addRow("revenue expansion") << u"track_revenue_expansion"_s << QJsonObject {} << u"has_data"_s;
        QTest::addRow("ltv") << u"optimize_customer_lifetime_value"_s << QJsonObject {} << u"ltv"_s;
        QTest::addRow("responses") << u"collect_feedback"_s << QJsonObject { { u"action"_s, u"list"_s } } << u"total"_s;
        QTest::addRow("sentiment") << u"analyze_feedback_sentiment"_s << QJsonObject {} << u"mean"_s;
        QTest::addRow("insights") << u"share_product_insights"_s << QJsonObject { { u"shared_with"_s, u"product"_s } }
                                  << u"total"_s;
        QTest::addRow("nps") << u"track_cs_metrics"_s << QJsonObject {} << u"metrics.nps.value"_s;
        QTest::addRow("csat") << u"track_cs_metrics"_s << QJsonObject {} << u"metrics.csat.value"_s;
        QTest::addRow("churn rate") << u"track_cs_metrics"_s << QJsonObject {} << u"metrics.churn_rate.value"_s;
        QTest::addRow("support csat") << u"track_cs_metrics"_s << QJsonObject {}
                                      << u"metrics.support_satisfaction.value"_s;
        QTest::addRow("ttv") << u"track_cs_metrics"_s << QJsonObject {} << u"metrics.time_to_value.value"_s;
        QTest::addRow("adoption") << u"track_cs_metrics"_s << QJsonObject {} << u"metrics.adoption.value"_s;
        QTest::addRow("engagement") << u"track_cs_metrics"_s << QJsonObject {} << u"metrics.engagement.value"_s;
        QTest::addRow("health") << u"track_cs_metrics"_s << QJsonObject {} << u"metrics.health.value"_s;
        QTest::addRow("usage") << u"analyze_product_usage"_s << QJsonObject {} << u"has_data"_s;
        QTest::addRow("voc list") << u"manage_voice_of_customer"_s << QJsonObject { { u"action"_s, u"list"_s } }
                                  << u"total"_s;
    }

    void emptyPortfolio()
    {
        QFETCH(QString, tool);
        QFETCH(QJsonObject, args);
        QFETCH(QString, path);
        ToolHarness h { &Mcp::registerExpansionTools, &Mcp::registerFeedbackTools };
        QVERIFY(h.isReady());
        const auto outcome = h.call(tool, args);
        CS_VERIFY_TOOL_OK(outcome);
        const QJsonValue value = at(outcome.structured, path);
        QVERIFY2(value.isNull() || value == QJsonValue(false) || value == QJsonValue(0),
            qPrintable(h.dump(outcome.structured)));
    }

    void emptyPortfolioUnknownCustomer_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QJsonObject>("args");
        const QJsonObject nobody { { u"customer_id"_s, u"nobody"_s } };
        QTest::addRow("brief") << u"negotiate_renewals"_s << nobody;
        QTest::addRow("ltv") << u"optimize_customer_lifetime_value"_s << nobody;
        QTest::addRow("record") << u"collect_feedback"_s
                                << QJsonObject { { u"action"_s, u"record"_s }, { u"customer_id"_s, u"nobody"_s },
                                       { u"kind"_s, u"nps"_s }, { u"score"_s, 9 } };
        QTest::addRow("sentiment") << u"analyze_feedback_sentiment"_s << nobody;
    }

    void emptyPortfolioUnknownCustomer()
    {
        QFETCH(QString, tool);
        QFETCH(QJsonObject, args);
        ToolHarness h { &Mcp::registerExpansionTools, &Mcp::registerFeedbackTools };
        QVERIFY(h.isReady());
        const auto outcome = h.call(tool, args);
        QVERIFY2(!outcome.ok, qPrintable(h.dump(outcome.structured)));
        QCOMPARE(outcome.error.code, Core::ErrorCode::NotFound);
        QCOMPARE(outcome.error.field, u"customer_id"_s);
    }

    // (c) bad arguments name the field.
    void badArguments_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QJsonObject>("args");
        QTest::addColumn<QString>("field");
        QTest::addRow("limit too big") << u"track_renewals"_s << QJsonObject { { u"limit"_s, 201 } } << u"limit"_s;
        QTest::addRow("limit wrong type")
            << u"identify_upsell_opportunities"_s << QJsonObject { { u"limit"_s, u"ten"_s } } << u"limit"_s;
        QTest::addRow("min_score range") << u"identify_crosssell_opportunities"_s
                                         << QJsonObject { { u"min_score"_s, 101 } } << u"min_score"_s;
        QTest::addRow("unknown property") << u"forecast_renewals"_s << QJsonObject { { u"bogus"_s, 1 } } << u"bogus"_s;
        QTest::addRow("bad date") << u"forecast_renewals"_s << QJsonObject { { u"from"_s, u"2026-13-01"_s } }
                                  << u"from"_s;
        QTest::addRow("to before from") << u"track_revenue_expansion"_s
                                        << QJsonObject { { u"from"_s, u"2026-05-01"_s }, { u"to"_s, u"2026-04-01"_s } }
                                        << u"to"_s;
        QTest::addRow("bad enum") << u"track_revenue_expansion"_s << QJsonObject { { u"granularity"_s, u"day"_s } }
                                  << u"granularity"_s;
        QTest::addRow("bad tier") << u"forecast_renewals"_s << QJsonObject { { u"tier"_s, u"gold"_s } } << u"tier"_s;
        QTest::addRow("margin range") << u"optimize_customer_lifetime_value"_s
                                      << QJsonObject { { u"gross_margin"_s, 1.5 } } << u"gross_margin"_s;
        QTest::addRow("brief needs one") << u"negotiate_renewals"_s << QJsonObject {} << u"renewal_id"_s;
        QTest::addRow("bad customer id") << u"negotiate_renewals"_s << QJsonObject { { u"customer_id"_s, u"a b"_s } }
                                         << u"customer_id"_s;
        QTest::addRow("record needs score")
            << u"collect_feedback"_s << QJsonObject { { u"action"_s, u"record"_s }, { u"customer_id"_s, u"c1"_s } }
            << u"score"_s;
        QTest::addRow("missing action") << u"collect_feedback"_s << QJsonObject {} << u"action"_s;
        QTest::addRow("bad action") << u"manage_voice_of_customer"_s << QJsonObject { { u"action"_s, u"delete"_s } }
                                    << u"action"_s;
        QTest::addRow("voc title") << u"manage_voice_of_customer"_s << QJsonObject { { u"action"_s, u"generate"_s } }
                                   << u"title"_s;
        QTest::addRow("voc get id") << u"manage_voice_of_customer"_s << QJsonObject { { u"action"_s, u"get"_s } }
                                    << u"report_id"_s;
        QTest::addRow("share needs audience") << u"share_product_insights"_s << QJsonObject {} << u"shared_with"_s;
        QTest::addRow("metrics enum") << u"track_cs_metrics"_s
                                      << QJsonObject { { u"metrics"_s, QJsonArray { u"mrr"_s } } } << u"metrics[0]"_s;
        QTest::addRow("health is portfolio-wide")
            << u"track_cs_metrics"_s
            << QJsonObject { { u"metrics"_s, QJsonArray { u"health"_s } }, { u"tiers"_s, QJsonArray { u"smb"_s } } }
            << u"metrics"_s;
        QTest::addRow("granularity") << u"track_cs_metrics"_s << QJsonObject { { u"granularity"_s, u"year"_s } }
                                     << u"granularity"_s;
        QTest::addRow("top features") << u"analyze_product_usage"_s << QJsonObject { { u"top_features"_s, 0 } }
                                      << u"top_features"_s;
        QTest::addRow("cursor not ours") << u"identify_upsell_opportunities"_s
                                         << QJsonObject { { u"cursor"_s, u"xyz"_s } } << u"cursor"_s;
    }

    void badArguments()
    {
        QFETCH(QString, tool);
        QFETCH(QJsonObject, args);
        QFETCH(QString, field);
        const auto outcome = demo().call(tool, args);
        QVERIFY2(!outcome.ok, qPrintable(ToolHarness::dump(outcome.structured)));
        QCOMPARE(outcome.error.code, Core::ErrorCode::InvalidArgument);
        QCOMPARE(outcome.error.field, field);
    }

    // (b) the tool's numbers are the service's numbers.
    void opportunitiesMatchService_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QList<Domain::ExpansionKind>>("kinds");
        QTest::addRow("upsell") << u"identify_upsell_opportunities"_s
                                << QList<Domain::ExpansionKind> { Domain::ExpansionKind::Upsell };
        QTest::addRow("crosssell") << u"identify_crosssell_opportunities"_s
                                   << QList<Domain::ExpansionKind> { Domain::ExpansionKind::CrossSell };
        QTest::addRow("all") << u"identify_expansion_opportunities"_s
                             << QList<Domain::ExpansionKind> { Domain::ExpansionKind::Upsell,
                                    Domain::ExpansionKind::CrossSell, Domain::ExpansionKind::Expansion };
    }

    void opportunitiesMatchService()
    {
        QFETCH(QString, tool);
        QFETCH(QList<Domain::ExpansionKind>, kinds);
        Core::ExpansionScanQuery query;
        query.kinds = kinds;
        query.limit = 200;
        auto scan = demo().services->expansion().identifyOpportunities(query);
        QVERIFY(scan.ok());
        const auto outcome = demo().call(tool, { { u"limit"_s, 5 } });
        CS_VERIFY_TOOL_OK(outcome);
        QCOMPARE(outcome.structured.value(u"total"_s).toInteger(), scan->total);
        QCOMPARE(outcome.structured.value(u"customers_scanned"_s).toInt(), scan->customersScanned);
        const QJsonArray items = outcome.structured.value(u"items"_s).toArray();
        QCOMPARE(items.size(), std::min<qsizetype>(5, scan->items.size()));
        for (qsizetype i = 0; i < items.size(); ++i) {
            QCOMPARE(items.at(i)[u"customer_id"_s].toString(), scan->items.at(i).customerId);
            QCOMPARE(items.at(i)[u"product"_s].toString(), scan->items.at(i).product);
            QCOMPARE(items.at(i)[u"score"_s].toDouble(), money(scan->items.at(i).score));
        }
        if (scan->items.size() > 5) {
            const QString cursor = outcome.structured.value(u"next_cursor"_s).toString();
            QVERIFY(!cursor.isEmpty());
            const auto next = demo().call(tool, { { u"limit"_s, 5 }, { u"cursor"_s, cursor } });
            CS_VERIFY_TOOL_OK(next);
            QCOMPARE(next.structured[u"items"_s].toArray().first()[u"customer_id"_s].toString(),
                scan->items.at(5).customerId);
        }
        if (kinds.size() == 1)
            QCOMPARE(
                outcome.structured.value(kinds.first() == Domain::ExpansionKind::Upsell ? u"upsell"_s : u"cross_sell"_s)
                    .toInt(),
                int(scan->total));
    }

    void renewalsMatchService()
    {
        Core::RenewalPipelineQuery query;
        query.limit = 10;
        auto page = demo().services->renewals().pipeline(query);
        QVERIFY(page.ok());
        QVERIFY2(page->total > 0, "the demo portfolio has open renewals");
        const auto outcome = demo().call(u"track_renewals"_s, { { u"limit"_s, 10 } });
        CS_VERIFY_TOOL_OK(outcome);
        QCOMPARE(outcome.structured[u"total"_s].toInteger(), page->total);
        const QJsonArray items = outcome.structured[u"items"_s].toArray();
        QCOMPARE(items.size(), page->items.size());
        for (qsizetype i = 0; i < items.size(); ++i) {
            QCOMPARE(items.at(i)[u"renewal_id"_s].toInteger(), page->items.at(i).renewal.id);
            QCOMPARE(items.at(i)[u"arr_current"_s].toDouble(), money(page->items.at(i).renewal.arrCurrent));
            const auto &forecast = page->items.at(i).forecastArr;
            QCOMPARE(items.at(i)[u"forecast_arr"_s].isNull(), !forecast.has_value());
            if (forecast)
                QCOMPARE(items.at(i)[u"forecast_arr"_s].toDouble(), money(*forecast));
        }
    }

    void forecastMatchesService()
    {
        Core::RenewalForecastQuery query;
        query.from = kToday;
        query.to = kToday.addDays(179);
        auto forecast = demo().services->renewals().forecast(query);
        QVERIFY(forecast.ok());
        Core::ArrAtRiskQuery risk;
        risk.withinDays = 120;
        auto atRisk = demo().services->renewals().arrAtRisk(risk);
        QVERIFY(atRisk.ok());
        auto retention = demo().services->renewals().retention(kToday.addYears(-1).addDays(1), kToday);
        QVERIFY(retention.ok());

        const auto outcome = demo().call(u"forecast_renewals"_s,
            { { u"to"_s, kToday.addDays(179).toString(Qt::ISODate) }, { u"at_risk_within_days"_s, 120 } });
        CS_VERIFY_TOOL_OK(outcome);
        const QJsonObject &s = outcome.structured;
        QVERIFY(forecast->hasData);
        QCOMPARE(at(s, u"forecast.open_renewals"_s).toInt(), forecast->openRenewals);
        QCOMPARE(at(s, u"forecast.open_arr"_s).toDouble(), money(forecast->openArr));
        QCOMPARE(at(s, u"forecast.forecast_arr"_s).toDouble(), money(forecast->forecastArr));
        QCOMPARE(at(s, u"forecast.arr_without_probability"_s).toDouble(), money(forecast->arrWithoutProbability));
        QCOMPARE(at(s, u"arr_at_risk.arr_at_risk"_s).toDouble(), money(atRisk->arrAtRisk));
        QCOMPARE(at(s, u"arr_at_risk.red_renewals"_s).toInt(), atRisk->redRenewals);
        QCOMPARE(at(s, u"retention.has_data"_s).toBool(), retention->hasData);
        QCOMPARE(at(s, u"retention.grr"_s).isNull(), !retention->grr.has_value());
        if (retention->grr) {
            QCOMPARE(at(s, u"retention.grr"_s).toDouble(), std::round(*retention->grr * 1e4) / 1e4);
            QCOMPARE(at(s, u"retention.nrr"_s).toDouble(), std::round(*retention->nrr * 1e4) / 1e4);
        }
    }

    void renewalBriefMatchesService()
    {
        Core::RenewalPipelineQuery query;
        query.limit = 1;
        auto page = demo().services->renewals().pipeline(query);
        QVERIFY(page.ok() && !page->items.isEmpty());
        const qint64 renewalId = page->items.first().renewal.id;
        auto brief = demo().services->renewals().renewalBrief(renewalId);
        QVERIFY(brief.ok());
        const auto outcome = demo().call(u"negotiate_renewals"_s, { { u"renewal_id"_s, renewalId } });
        CS_VERIFY_TOOL_OK(outcome);
        const QJsonObject &s = outcome.structured;
        QCOMPARE(at(s, u"renewal.renewal_id"_s).toInteger(), renewalId);
        QCOMPARE(at(s, u"usage.events_30_days"_s).toInteger(), brief->usage.events30);
        QCOMPARE(at(s, u"support.open_tickets"_s).toInt(), brief->support.openTickets);
        QCOMPARE(at(s, u"nps.responses"_s).toInt(), brief->nps.responses);
        QCOMPARE(s[u"evidence"_s].toArray().size(), brief->evidenceSignals.size());
        // The customer form answers the same brief.
        const auto byCustomer = demo().call(u"negotiate_renewals"_s, { { u"client_id"_s, brief->renewal.customerId } });
        CS_VERIFY_TOOL_OK(byCustomer);
        auto customerBrief = demo().services->renewals().renewalBriefForCustomer(brief->renewal.customerId);
        QVERIFY(customerBrief.ok());
        QCOMPARE(at(byCustomer.structured, u"renewal.renewal_id"_s).toInteger(), customerBrief->renewal.id);
    }

    void revenueExpansionMatchesService()
    {
        auto report = demo().services->expansion().revenueExpansion(
            kToday.addYears(-1).addDays(1), kToday, Core::PeriodGranularity::Quarter);
        QVERIFY(report.ok());
        const auto outcome = demo().call(u"track_revenue_expansion"_s, { { u"granularity"_s, u"quarter"_s } });
        CS_VERIFY_TOOL_OK(outcome);
        const QJsonObject &s = outcome.structured;
        QCOMPARE(s[u"has_data"_s].toBool(), report->hasData);
        QCOMPARE(at(s, u"total.net_arr"_s).toDouble(), money(report->total.netArr));
        QCOMPARE(at(s, u"total.expansion_arr"_s).toDouble(), money(report->total.expansionArr));
        QCOMPARE(at(s, u"total.churn_arr"_s).toDouble(), money(report->total.churnArr));
        QCOMPARE(s[u"periods"_s].toArray().size(), report->periods.size());
        QCOMPARE(s[u"open_opportunities"_s].toInt(), report->openOpportunities);
    }

    void lifetimeValueMatchesService()
    {
        Core::LifetimeValueQuery query;
        query.grossMargin = 0.8;
        auto ltv = demo().services->expansion().lifetimeValue(query);
        QVERIFY(ltv.ok());
        const auto outcome = demo().call(u"optimize_customer_lifetime_value"_s, { { u"gross_margin"_s, 0.8 } });
        CS_VERIFY_TOOL_OK(outcome);
        const QJsonObject &s = outcome.structured;
        QCOMPARE(s[u"has_data"_s].toBool(), ltv->hasData);
        QCOMPARE(s[u"ltv"_s].isNull(), !ltv->ltv.has_value());
        if (ltv->ltv)
            QCOMPARE(s[u"ltv"_s].toDouble(), money(*ltv->ltv));
        QCOMPARE(s[u"by_tier"_s].toArray().size(), ltv->byTier.size());
        QCOMPARE(s[u"active_customers"_s].toInt(), ltv->activeCustomers);
    }

    void satisfactionMatchesService()
    {
        Core::FeedbackQuery query;
        query.from = kToday.addDays(-179);
        query.to = kToday;
        const auto outcome = demo().call(u"track_cs_metrics"_s,
            { { u"from"_s, query.from.toString(Qt::ISODate) },
                { u"metrics"_s, QJsonArray { u"nps"_s, u"csat"_s, u"retention_rate"_s } } });
        CS_VERIFY_TOOL_OK(outcome);
        const QJsonObject metrics = outcome.structured[u"metrics"_s].toObject();
        QCOMPARE(metrics.size(), 3);
        for (const auto kind : { Domain::SurveyKind::Nps, Domain::SurveyKind::Csat }) {
            auto trend = demo().services->feedback().satisfactionTrend(kind, query);
            QVERIFY(trend.ok());
            const QJsonObject m = metrics[Domain::enumName(kind)].toObject();
            QCOMPARE(m[u"responses"_s].toInt(), trend->overall.responses);
            QCOMPARE(m[u"value"_s].isNull(), !trend->overall.value.has_value());
            if (trend->overall.value)
                QCOMPARE(m[u"value"_s].toDouble(), money(*trend->overall.value));
            QCOMPARE(m[u"over_time"_s].toArray().size(), trend->points.size());
        }
        QVERIFY2(metrics[u"nps"_s][u"responses"_s].toInt() > 0, "the demo portfolio has NPS answers");
        auto retention = demo().services->renewals().retention(query.from, query.to);
        QVERIFY(retention.ok());
        const QJsonObject r = metrics[u"retention_rate"_s].toObject();
        QCOMPARE(r[u"value"_s].isNull(), !retention->grr.has_value());
        if (retention->grr)
            QCOMPARE(r[u"value"_s].toDouble(), std::round(*retention->grr * 1e4) / 1e4);
    }

    void portfolioMetricsMatchService()
    {
        CS_VERIFY_TOOL_OK(demo().call(u"track_cs_metrics"_s, {})); // every metric at once answers
        const QString from = kToday.addDays(-89).toString(Qt::ISODate);
        const auto outcome = demo().call(u"track_cs_metrics"_s,
            { { u"from"_s, from },
                { u"metrics"_s, QJsonArray { u"time_to_value"_s, u"adoption"_s, u"engagement"_s, u"health"_s } } });
        CS_VERIFY_TOOL_OK(outcome);
        const QJsonObject metrics = outcome.structured[u"metrics"_s].toObject();
        auto ttv = demo().services->onboarding().ttvBenchmark({});
        QVERIFY(ttv.ok());
        QCOMPARE(at(metrics, u"time_to_value.completed_plans"_s).toInt(), ttv->completedPlans);
        QCOMPARE(at(metrics, u"time_to_value.value"_s).isNull(), !ttv->p50.has_value());
        if (ttv->p50)
            QCOMPARE(at(metrics, u"time_to_value.value"_s).toDouble(), std::round(*ttv->p50 * 10) / 10);
        auto adoption = demo().services->engagement().featureAdoption(kToday.addDays(-89), kToday);
        QVERIFY(adoption.ok());
        QCOMPARE(at(metrics, u"adoption.active_customers"_s).toInteger(), adoption->activeCustomers);
        Core::UsageQuery usageQuery;
        usageQuery.from = kToday.addDays(-89);
        usageQuery.to = kToday;
        auto usage = demo().services->engagement().usage(usageQuery);
        QVERIFY(usage.ok());
        QCOMPARE(at(metrics, u"engagement.value"_s).toDouble(), money(usage->dau));
        QCOMPARE(at(metrics, u"engagement.mau"_s).toInteger(), usage->mau);
        auto health = demo().services->health().portfolioSummary(kToday);
        QVERIFY(health.ok());
        QCOMPARE(at(metrics, u"health.scored"_s).toInteger(), health->scored);
        QCOMPARE(at(metrics, u"health.value"_s).isNull(), !health->hasData);
        QCOMPARE(at(metrics, u"health.over_time"_s).toArray().size(), 4); // Mar (clipped), Apr, May, Jun (clipped)
    }

    void sentimentMatchesService()
    {
        Core::FeedbackQuery query;
        query.from = kToday.addDays(-364);
        query.to = kToday;
        auto summary = demo().services->feedback().sentimentSummary(query, 3);
        QVERIFY(summary.ok());
        const auto outcome = demo().call(u"analyze_feedback_sentiment"_s,
            { { u"from"_s, query.from.toString(Qt::ISODate) }, { u"quote_limit"_s, 3 } });
        CS_VERIFY_TOOL_OK(outcome);
        const QJsonObject &s = outcome.structured;
        QCOMPARE(s[u"responses"_s].toInt(), summary->responses);
        QCOMPARE(s[u"scored"_s].toInt(), summary->scored);
        QCOMPARE(s[u"negative"_s].toInt(), summary->negative);
        QCOMPARE(s[u"mean"_s].isNull(), !summary->mean.has_value());
        QCOMPARE(s[u"most_negative"_s].toArray().size(), summary->mostNegative.size());
    }

    void productUsageMatchesService()
    {
        Core::UsageQuery query;
        auto report = demo().services->engagement().usage(query);
        QVERIFY(report.ok());
        const auto outcome = demo().call(u"analyze_product_usage"_s, { { u"include_series"_s, false } });
        CS_VERIFY_TOOL_OK(outcome);
        const QJsonObject &s = outcome.structured;
        QVERIFY(report->hasData);
        QCOMPARE(s[u"events"_s].toInteger(), report->events);
        QCOMPARE(s[u"mau"_s].toInteger(), report->mau);
        QCOMPARE(s[u"features"_s].toArray().size(), report->features.size());
        QVERIFY(s[u"series"_s].toArray().isEmpty());
    }

    // (d) writes, read back through the services.
    void recordFeedback()
    {
        auto customers = demo().services->customers().list({});
        QVERIFY(customers.ok() && !customers->items.isEmpty());
        const QString id = customers->items.first().id;
        const auto outcome = demo().call(u"collect_feedback"_s,
            { { u"action"_s, u"record"_s }, { u"customer_id"_s, id }, { u"kind"_s, u"nps"_s }, { u"score"_s, 3 },
                { u"comment"_s, u"Support is slow and buggy"_s } });
        CS_VERIFY_TOOL_OK(outcome);
        const qint64 responseId = at(outcome.structured, u"response.response_id"_s).toInteger();
        auto stored = demo().services->feedback().response(responseId);
        QVERIFY(stored.ok());
        QCOMPARE(stored->customerId, id);
        QCOMPARE(stored->score, 3);
        QCOMPARE(stored->npsCategory, Domain::NpsCategory::Detractor);
        QCOMPARE(
            outcome.structured[u"follow_up_opened"_s].toBool(), stored->followUpStatus == Domain::FollowUpStatus::Open);

        // A CSAT score out of its 1-5 range is the service's error, naming score.
        const auto bad = demo().call(u"collect_feedback"_s,
            { { u"action"_s, u"record"_s }, { u"customer_id"_s, id }, { u"kind"_s, u"csat"_s }, { u"score"_s, 9 } });
        QVERIFY(!bad.ok);
        QCOMPARE(bad.error.field, u"score"_s);

        const auto list = demo().call(u"collect_feedback"_s, { { u"action"_s, u"list"_s }, { u"customer_id"_s, id } });
        CS_VERIFY_TOOL_OK(list);
        QCOMPARE(list.structured[u"items"_s].toArray().first()[u"response_id"_s].toInteger(), responseId);
    }

    void recordOpportunities()
    {
        const auto outcome = demo().call(u"identify_expansion_opportunities"_s, { { u"record"_s, true } });
        CS_VERIFY_TOOL_OK(outcome);
        QVERIFY(outcome.structured[u"recorded_new"_s].toInt() > 0);
        // Every candidate now has an open opportunity (new, refreshed, or one a CSM already moved along).
        for (const QJsonValue &item : outcome.structured[u"items"_s].toArray()) {
            QVERIFY2(!item[u"opportunity_id"_s].isNull(), qPrintable(item[u"customer_id"_s].toString()));
            auto stored = demo().services->expansion().opportunity(item[u"opportunity_id"_s].toInteger());
            QVERIFY(stored.ok());
            QCOMPARE(stored->customerId, item[u"customer_id"_s].toString());
            QCOMPARE(Domain::enumName(stored->kind), item[u"kind"_s].toString());
            QCOMPARE(stored->product, item[u"product"_s].toString());
            QVERIFY(stored->isOpen());
            QCOMPARE(Domain::enumName(stored->stage), item[u"opportunity_stage"_s].toString());
        }
        // Idempotent: a second run records nothing new.
        const auto again = demo().call(u"identify_expansion_opportunities"_s, { { u"record"_s, true } });
        CS_VERIFY_TOOL_OK(again);
        QCOMPARE(again.structured[u"recorded_new"_s].toInt(), 0);
    }

    void shareInsightsAndVoc()
    {
        const QString from = kToday.addDays(-364).toString(Qt::ISODate);
        const auto shared = demo().call(
            u"share_product_insights"_s, { { u"from"_s, from }, { u"shared_with"_s, u"product team"_s } });
        CS_VERIFY_TOOL_OK(shared);
        Storage::ListQuery query;
        query.limit = 200;
        auto insights = demo().services->feedback().listProductInsights(query);
        QVERIFY(insights.ok());
        QCOMPARE(
            insights->items.size(), shared.structured[u"created"_s].toInt() + shared.structured[u"updated"_s].toInt());
        for (const Domain::ProductInsight &i : std::as_const(insights->items))
            QCOMPARE(i.sharedWith, u"product team"_s);

        const auto voc = demo().call(u"manage_voice_of_customer"_s,
            { { u"action"_s, u"generate"_s }, { u"title"_s, u"Q2 voice"_s }, { u"from"_s, from } });
        CS_VERIFY_TOOL_OK(voc);
        const qint64 reportId = at(voc.structured, u"report.report_id"_s).toInteger();
        auto stored = demo().services->feedback().vocReport(reportId);
        QVERIFY(stored.ok());
        QCOMPARE(stored->title, u"Q2 voice"_s);
        QCOMPARE(stored->periodStart, kToday.addDays(-364));
        const auto get
            = demo().call(u"manage_voice_of_customer"_s, { { u"action"_s, u"get"_s }, { u"report_id"_s, reportId } });
        CS_VERIFY_TOOL_OK(get);
        QCOMPARE(at(get.structured, u"report.summary"_s).toObject(), QJsonObject::fromVariantMap(stored->summary));
        const auto missing = demo().call(
            u"manage_voice_of_customer"_s, { { u"action"_s, u"get"_s }, { u"report_id"_s, reportId + 1000 } });
        QCOMPARE(missing.error.code, Core::ErrorCode::NotFound);
    }
};

QTEST_GUILESS_MAIN(TstToolsRevenue)
#include "tst_tools_revenue.moc"
