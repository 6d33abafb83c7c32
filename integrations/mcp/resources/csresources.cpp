// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The CS Desk resources (DESIGN.md §5): customer://{id} (the composed customer overview, the same JSON as
// get_client_overview), portfolio://summary and config://scoring. Every number comes from the core services.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include "csresources.h"

#include "changefeed.h"
#include "coretools.h"
#include "customeroverview.h"
#include "enumnames.h"
#include "resourceregistry.h"
#include "services.h"
#include "toolsupport.h"

using namespace Qt::StringLiterals;

namespace Mcp {

namespace {

const QString kJson = u"application/json"_s;
const QString kCustomerScheme = u"customer://"_s;

QString customerIdOf(const QString &uri)
{
    static const QRegularExpression id(u"^[a-zA-Z0-9_-]{1,100}$"_s);
    if (!uri.startsWith(kCustomerScheme))
        return {};
    const QString rest = uri.mid(kCustomerScheme.size());
    return id.match(rest).hasMatch() ? rest : QString();
}

QList<ResourceContent> jsonContent(const QString &uri, const QJsonObject &json)
{
    ResourceContent content;
    content.uri = uri;
    content.mimeType = kJson;
    content.text = QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented));
    return { content };
}

QJsonObject countsJson(const QMap<QString, qint64> &counts)
{
    QJsonObject json;
    for (auto it = counts.begin(); it != counts.end(); ++it)
        json.insert(it.key(), it.value());
    return json;
}

ResourceFamily customerFamily()
{
    ResourceFamily f;
    f.name = u"customer"_s;
    f.title = u"Customer overview"_s;
    f.description = u"One customer: profile, contract, health with components and trend, churn risk with drivers, "
                    u"open tickets, onboarding, next renewal and recent timeline (as get_client_overview)."_s;
    f.mimeType = kJson;
    f.uriTemplate = u"customer://{id}"_s;
    f.matches = [](const QString &uri) { return !customerIdOf(uri).isEmpty(); };
    f.read = [](Core::Services &services, const QString &uri) -> Core::Result<QList<ResourceContent>> {
        auto overview = Core::customerOverview(services, customerIdOf(uri), 10);
        if (!overview)
            return overview.error();
        return jsonContent(uri, CsJson::overviewJson(*overview));
    };
    f.list = [](Core::Services &services, const QString &cursor, int limit) -> Core::Result<ResourcePage> {
        Storage::ListQuery q;
        q.limit = qBound(1, limit, ToolSupport::kMaxLimit);
        q.cursor = cursor;
        q.countTotal = false;
        auto page = services.customers().list(q);
        if (!page) {
            if (page.error().code == Core::ErrorCode::InvalidArgument)
                return Core::Error::invalid(u"cursor"_s, u"not a cursor of this resource list"_s);
            return page.error();
        }
        ResourcePage out;
        for (const Domain::Customer &c : page->items) {
            ResourceInfo info;
            info.uri = kCustomerScheme + c.id;
            info.name = c.id;
            info.title = c.name;
            info.description
                = u"%1 · %2 · ARR %3 %4"_s.arg(Domain::enumName(c.tier), Domain::enumName(c.lifecycleStage))
                      .arg(ToolSupport::rounded(c.arr, 2))
                      .arg(c.currency);
            info.mimeType = kJson;
            out.items << info;
        }
        out.nextCursor = page->nextCursor;
        return out;
    };
    f.complete = [](Core::Services &services, const QString &argument, const QString &prefix) -> QStringList {
        if (argument != u"id"_s)
            return {};
        auto ids = services.customers().suggestIds(prefix, 100);
        return ids ? *ids : QStringList();
    };
    return f;
}

// The portfolio in numbers. Live customers that have not churned are "the portfolio"; churned ones are counted
// apart. Every figure comes from the service that owns it (segments, health, renewals, feedback).
Core::Result<QJsonObject> portfolioSummary(Core::Services &services)
{
    const QDate today = services.clock().today();
    auto live = services.segments().summarize({ { u"status"_s, QVariantList { u"trial"_s, u"active"_s } } });
    if (!live)
        return live.error();
    auto churned = services.segments().summarize({ { u"status"_s, u"churned"_s } });
    if (!churned)
        return churned.error();
    auto health = services.health().portfolioSummary();
    if (!health)
        return health.error();
    Core::ArrAtRiskQuery riskQuery;
    riskQuery.withinDays = 90;
    riskQuery.limit = 5;
    auto atRisk = services.renewals().arrAtRisk(riskQuery);
    if (!atRisk)
        return atRisk.error();
    Core::FeedbackQuery npsQuery;
    npsQuery.from = today.addDays(-364);
    npsQuery.to = today;
    auto nps = services.feedback().satisfactionTrend(Domain::SurveyKind::Nps, npsQuery);
    if (!nps)
        return nps.error();

    QJsonObject healthJson { { u"has_data"_s, health->hasData } };
    if (health->hasData) {
        healthJson.insert(u"score_date"_s, ToolSupport::dateJson(health->scoreDate));
        healthJson.insert(u"scored"_s, health->scored);
        healthJson.insert(u"average_score"_s, ToolSupport::rounded(health->averageScore, 1));
        healthJson.insert(u"green"_s, health->green);
        healthJson.insert(u"yellow"_s, health->yellow);
        healthJson.insert(u"red"_s, health->red);
    } else {
        healthJson.insert(u"note"_s, health->reason);
    }
    QJsonArray riskAccounts;
    for (const Core::ArrAtRiskAccount &a : atRisk->accounts) {
        riskAccounts.append(QJsonObject { { u"customer_id"_s, a.customerId }, { u"name"_s, a.customerName },
            { u"renewal_date"_s, ToolSupport::dateJson(a.renewalDate) }, { u"arr"_s, ToolSupport::rounded(a.arr, 2) },
            { u"health_score"_s, ToolSupport::rounded(a.healthScore, 1) } });
    }
    const Core::SatisfactionFigure &f = nps->overall;
    QJsonObject npsJson {
        { u"from"_s, ToolSupport::dateJson(nps->from) },
        { u"to"_s, ToolSupport::dateJson(nps->to) },
        { u"responses"_s, f.responses },
        { u"nps"_s, f.value ? QJsonValue(ToolSupport::rounded(*f.value, 1)) : QJsonValue(QJsonValue::Null) },
        { u"promoters"_s, f.promoters },
        { u"passives"_s, f.passives },
        { u"detractors"_s, f.detractors },
    };
    if (!f.value)
        npsJson.insert(u"note"_s, u"no NPS responses in the last 365 days"_s);

    return QJsonObject {
        { u"as_of"_s, ToolSupport::dateJson(today) },
        { u"customers"_s, live->customers },
        { u"churned_customers"_s, churned->customers },
        { u"total_arr"_s, ToolSupport::rounded(live->totalArr, 2) },
        { u"by_tier"_s, countsJson(live->byTier) },
        { u"by_lifecycle_stage"_s, countsJson(live->byLifecycleStage) },
        { u"by_health_band"_s, countsJson(live->byHealthBand) },
        { u"health"_s, healthJson },
        { u"renewals_next_90_days"_s,
            QJsonObject {
                { u"renewals"_s, atRisk->renewalsInWindow },
                { u"arr"_s, ToolSupport::rounded(atRisk->arrInWindow, 2) },
                { u"red_renewals"_s, atRisk->redRenewals },
                { u"arr_at_risk"_s, ToolSupport::rounded(atRisk->arrAtRisk, 2) },
                { u"renewals_without_health_score"_s, atRisk->renewalsWithoutHealthScore },
                { u"arr_without_health_score"_s, ToolSupport::rounded(atRisk->arrWithoutHealthScore, 2) },
                { u"largest_at_risk"_s, riskAccounts },
            } },
        { u"nps_last_365_days"_s, npsJson },
    };
}

ResourceFamily portfolioFamily()
{
    ResourceFamily f;
    f.name = u"portfolio-summary"_s;
    f.title = u"Portfolio summary"_s;
    f.description = u"Customers by tier, lifecycle stage and health band; total ARR; renewals and ARR at risk in the "
                    u"next 90 days; NPS over the last year."_s;
    f.mimeType = kJson;
    f.uri = u"portfolio://summary"_s;
    f.matches = [uri = f.uri](const QString &candidate) { return candidate == uri; };
    f.read = [](Core::Services &services, const QString &uri) -> Core::Result<QList<ResourceContent>> {
        auto summary = portfolioSummary(services);
        if (!summary)
            return summary.error();
        return jsonContent(uri, *summary);
    };
    return f;
}

ResourceFamily scoringFamily()
{
    ResourceFamily f;
    f.name = u"scoring-config"_s;
    f.title = u"Health scoring configuration"_s;
    f.description = u"The active portfolio-wide health scoring configuration: component weights, band thresholds, "
                    u"lookback window and version (every stored score records the version that produced it)."_s;
    f.mimeType = kJson;
    f.uri = u"config://scoring"_s;
    f.matches = [uri = f.uri](const QString &candidate) { return candidate == uri; };
    f.read = [](Core::Services &services, const QString &uri) -> Core::Result<QList<ResourceContent>> {
        auto config = services.health().activeConfig();
        if (!config)
            return config.error();
        return jsonContent(uri,
            QJsonObject {
                { u"version"_s, config->configVersion },
                { u"name"_s, config->name },
                { u"weights"_s, QJsonObject::fromVariantMap(config->weights) },
                { u"bands"_s,
                    QJsonObject { { u"green_at_or_above"_s, config->greenThreshold },
                        { u"yellow_at_or_above"_s, config->yellowThreshold } } },
                { u"lookback_days"_s, config->lookbackDays },
                { u"note"_s, config->note },
                { u"created_at"_s, ToolSupport::dateTimeJson(config->meta.createdAt) },
            });
    };
    return f;
}

} // namespace

void registerCsResources(ResourceRegistry &registry)
{
    for (ResourceFamily f : { customerFamily(), portfolioFamily(), scoringFamily() }) {
        if (auto added = registry.add(std::move(f)); !added)
            qWarning("resources: %s", qPrintable(added.error().toString()));
    }
}

bool csResourceChangedBy(const QString &uri, const Core::ChangeBatch &batch)
{
    using T = Core::ChangeTopic;
    if (const QString id = customerIdOf(uri); !id.isEmpty()) {
        // Everything get_client_overview shows of one customer.
        return batch.affectsCustomer(id,
            { T::CustomerAdded, T::CustomerChanged, T::CustomerRemoved, T::HealthScore, T::ChurnRisk, T::Renewal,
                T::Arr, T::Expansion, T::Onboarding, T::Feedback, T::SupportTicket, T::Engagement, T::Lifecycle,
                T::Timeline, T::Import, T::Playbook, T::Campaign, T::Communication });
    }
    if (uri == u"portfolio://summary"_s) {
        return batch.hasAnyTopic({ T::CustomerAdded, T::CustomerChanged, T::CustomerRemoved, T::HealthScore,
            T::ChurnRisk, T::Renewal, T::Arr, T::Feedback, T::Lifecycle, T::Engagement, T::Import });
    }
    if (uri == u"config://scoring"_s)
        return batch.hasTopic(T::ScoringConfig);
    return false;
}

bool csResourceListChangedBy(const Core::ChangeBatch &batch)
{
    using T = Core::ChangeTopic;
    if (batch.hasAnyTopic({ T::CustomerAdded, T::CustomerRemoved }))
        return true;
    if (!batch.hasTopic(T::Import))
        return false;
    if (batch.overflowed)
        return true;
    return std::any_of(batch.changes.cbegin(), batch.changes.cend(), [](const Core::Change &c) {
        return c.topic == T::Import && c.recordId == qint64(Core::ImportKind::Customers);
    });
}

} // namespace Mcp
