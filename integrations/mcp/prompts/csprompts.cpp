// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The CS Desk prompts (DESIGN.md §5): qbr_preparation, churn_review, renewal_brief. Each renders user messages that
// carry the customer's real numbers from the services (so the assistant starts from facts, not guesses), names the
// tools to call for more, and embeds the customer://{id} resource where one customer is concerned.
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include "coretools.h"
#include "customeroverview.h"
#include "enumnames.h"
#include "promptregistry.h"
#include "services.h"
#include "toolsupport.h"

using namespace Qt::StringLiterals;

namespace Mcp {

namespace {

QString money(double value, const QString &currency)
{
    return u"%1 %2"_s.arg(QString::number(ToolSupport::rounded(value, 2), 'f', 2), currency);
}

QString percent(double fraction)
{
    return QString::number(ToolSupport::rounded(fraction * 100.0, 1), 'f', 1) + u" %"_s;
}

PromptArgument customerArgument(bool required)
{
    PromptArgument a;
    a.name = u"customer_id"_s;
    a.title = u"Customer"_s;
    a.description = required ? u"The customer's id."_s : u"The customer's id; omit for the whole portfolio."_s;
    a.required = required;
    a.complete = [](Core::Services &services, const QString &prefix, const QHash<QString, QString> &) {
        auto ids = services.customers().suggestIds(prefix, 100);
        return ids ? *ids : QStringList();
    };
    return a;
}

PromptMessage embeddedOverview(const Core::CustomerOverview &overview)
{
    return { u"user"_s,
        QJsonObject {
            { u"type"_s, u"resource"_s },
            { u"resource"_s,
                QJsonObject {
                    { u"uri"_s, QString(u"customer://"_s + overview.customer.id) },
                    { u"mimeType"_s, u"application/json"_s },
                    { u"text"_s,
                        QString::fromUtf8(
                            QJsonDocument(CsJson::overviewJson(overview)).toJson(QJsonDocument::Compact)) },
                } },
        } };
}

// The facts of the overview every prompt about one customer starts from, one line each.
QStringList overviewLines(const Core::CustomerOverview &o)
{
    const Domain::Customer &c = o.customer;
    QStringList lines;
    lines << u"Customer: %1 (id %2), tier %3, lifecycle stage %4, status %5, owner %6."_s.arg(c.name, c.id,
        Domain::enumName(c.tier), Domain::enumName(c.lifecycleStage), Domain::enumName(c.status),
        c.owner.isEmpty() ? u"unassigned"_s : c.owner);
    lines << u"ARR: %1; renewal date: %2."_s.arg(
        money(c.arr, c.currency), c.renewalDate.isValid() ? c.renewalDate.toString(Qt::ISODate) : u"not set"_s);
    if (o.health) {
        lines << u"Health: %1 (%2) on %3, scoring config version %4."_s
                     .arg(QString::number(o.health->score, 'f', 1), Domain::enumName(o.health->band),
                         o.health->scoreDate.toString(Qt::ISODate))
                     .arg(o.health->configVersion);
        for (const Core::HealthTrend *t : { &o.healthTrend.week, &o.healthTrend.month }) {
            if (t->hasData)
                lines << u"Health trend over %1 days: %2 (%3 points)."_s.arg(t->days).arg(
                    t->direction, QString::number(t->change, 'f', 1));
        }
    } else {
        lines << u"Health: no score stored yet."_s;
    }
    if (o.churnRisk) {
        QStringList drivers;
        for (const Core::ChurnDriver &d : o.churnRisk->drivers)
            drivers << d.label;
        lines << u"Churn risk: %1 (%2), model version %3 (%4)%5."_s
                     .arg(percent(o.churnRisk->probability), Domain::enumName(o.churnRisk->riskLevel))
                     .arg(o.churnRisk->modelVersion)
                     .arg(Domain::enumName(o.churnRisk->modelSource),
                         drivers.isEmpty() ? QString() : u"; drivers: "_s + drivers.join(u"; "_s));
    } else {
        lines << u"Churn risk: no prediction stored yet."_s;
    }
    lines << u"Open support tickets: %1."_s.arg(o.openTickets);
    if (o.onboarding) {
        lines << u"Onboarding: plan \"%1\" is %2, %3 complete, risk %4."_s.arg(o.onboarding->plan.name,
            Domain::enumName(o.onboarding->plan.status),
            o.onboarding->progress.percent ? QString::number(*o.onboarding->progress.percent, 'f', 1) + u" %"_s
                                           : u"an unknown share"_s,
            Domain::enumName(o.onboarding->progress.risk));
    }
    if (o.nextRenewal) {
        lines << u"Next renewal: %1 (in %2 days), %3 up for renewal, stage %4%5."_s
                     .arg(o.nextRenewal->renewal.renewalDate.toString(Qt::ISODate))
                     .arg(o.nextRenewal->daysUntil)
                     .arg(money(o.nextRenewal->renewal.arrCurrent, c.currency),
                         Domain::enumName(o.nextRenewal->renewal.stage),
                         o.nextRenewal->pRenew.value ? u", p(renew) "_s + percent(*o.nextRenewal->pRenew.value)
                                                     : QString());
    } else {
        lines << u"Next renewal: none open on file."_s;
    }
    return lines;
}

Core::Result<Core::CustomerOverview> overviewFor(Core::Services &services, const QString &customerId)
{
    return Core::customerOverview(services, customerId, 10);
}

// "2026-Q2" → [2026-04-01, 2026-06-30]; empty → the last full quarter before today.
Core::Result<std::pair<QDate, QDate>> quarterRange(const QString &quarter, const QDate &today)
{
    int year = 0;
    int q = 0;
    if (quarter.isEmpty()) {
        const int current = (today.month() - 1) / 3; // 0-based quarter of today
        year = current == 0 ? today.year() - 1 : today.year();
        q = current == 0 ? 4 : current;
    } else {
        static const QRegularExpression shape(u"^(\\d{4})-Q([1-4])$"_s);
        const auto m = shape.match(quarter);
        if (!m.hasMatch())
            return Core::Error::invalid(u"quarter"_s, u"must look like 2026-Q2"_s);
        year = m.captured(1).toInt();
        q = m.captured(2).toInt();
    }
    const QDate from(year, (q - 1) * 3 + 1, 1);
    return std::pair { from, from.addMonths(3).addDays(-1) };
}

Prompt qbrPreparation()
{
    Prompt p;
    p.name = u"qbr_preparation"_s;
    p.title = u"Prepare a QBR"_s;
    p.description = u"Prepares a quarterly business review for one customer from its stored health, usage, "
                    u"support, satisfaction and renewal data."_s;
    PromptArgument quarter;
    quarter.name = u"quarter"_s;
    quarter.title = u"Quarter"_s;
    quarter.description = u"The quarter to review, e.g. 2026-Q2; default: the last full quarter."_s;
    // The last full quarter (the default) first, then the current one, then the two years before (MCP "Completion":
    // best first), filtered by what was typed, case-insensitively.
    quarter.complete = [](Core::Services &services, const QString &prefix, const QHash<QString, QString> &) {
        const QDate today = services.clock().today();
        const auto name = [](int index) { return u"%1-Q%2"_s.arg(index / 4).arg(index % 4 + 1); };
        const int current = today.year() * 4 + (today.month() - 1) / 3;
        QStringList values;
        for (const int index : { current - 1, current })
            values << name(index);
        for (int index = current - 2; index >= current - 9; --index)
            values << name(index);
        values.removeIf([&prefix](const QString &v) { return !v.startsWith(prefix, Qt::CaseInsensitive); });
        return values;
    };
    p.arguments = { customerArgument(true), quarter };
    p.render = [](Core::Services &services, const QHash<QString, QString> &args) -> Core::Result<PromptResult> {
        const QString id = args.value(u"customer_id"_s);
        auto overview = overviewFor(services, id);
        if (!overview)
            return overview.error();
        auto range = quarterRange(args.value(u"quarter"_s), services.clock().today());
        if (!range)
            return range.error();
        const auto [from, to] = *range;
        Core::UsageQuery usageQuery;
        usageQuery.customerId = id;
        usageQuery.from = from;
        usageQuery.to = to;
        usageQuery.topFeatures = 5;
        auto usage = services.engagement().usage(usageQuery);
        if (!usage)
            return usage.error();
        Core::FeedbackQuery npsQuery;
        npsQuery.from = from;
        npsQuery.to = to;
        npsQuery.scope.customerIds = { id };
        auto nps = services.feedback().satisfactionTrend(Domain::SurveyKind::Nps, npsQuery);
        if (!nps)
            return nps.error();

        QStringList lines;
        lines << u"Prepare a quarterly business review for %1 covering %2 to %3. Use only the facts below and "
                 u"what the tools return; say plainly where data is missing."_s.arg(
                     overview->customer.name, from.toString(Qt::ISODate), to.toString(Qt::ISODate));
        lines << QString();
        lines << overviewLines(*overview);
        if (usage->hasData) {
            QStringList features;
            for (const Core::FeatureUsage &f : usage->features)
                features << u"%1 (%2 events)"_s.arg(f.name.isEmpty() ? f.feature : f.name).arg(f.events);
            lines << u"Usage in the quarter: %1 events on %2 active days, %3 monthly active users at its end%4%5."_s
                         .arg(usage->events)
                         .arg(usage->activeDays)
                         .arg(usage->mau)
                         .arg(usage->eventsChange
                                 ? u", events "_s + percent(*usage->eventsChange) + u" against the quarter before"_s
                                 : QString(),
                             features.isEmpty() ? QString() : u"; top features: "_s + features.join(u", "_s));
        } else {
            lines << u"Usage in the quarter: %1."_s.arg(usage->reason);
        }
        if (nps->overall.value)
            lines << u"NPS in the quarter: %1 from %2 responses."_s.arg(QString::number(*nps->overall.value, 'f', 1))
                         .arg(nps->overall.responses);
        else
            lines << u"NPS in the quarter: no responses."_s;
        lines << QString();
        lines << u"Structure: outcomes achieved, adoption and usage, support experience, health and risks, renewal "
                 u"and expansion, agreed next steps. For more detail call calculate_health_score, "
                 u"track_usage_engagement, track_feature_adoption, monitor_satisfaction, get_client_timeline and "
                 u"identify_churn_risk with customer_id %1."_s.arg(id);
        PromptResult result;
        result.description = u"QBR preparation for %1 (%2 to %3)"_s.arg(
            overview->customer.name, from.toString(Qt::ISODate), to.toString(Qt::ISODate));
        result.messages << PromptMessage::userText(lines.join(u'\n')) << embeddedOverview(*overview);
        return result;
    };
    return p;
}

Prompt churnReview()
{
    Prompt p;
    p.name = u"churn_review"_s;
    p.title = u"Review churn risk"_s;
    p.description = u"Reviews churn risk for one customer (its risk drivers and account facts) or, without a "
                    u"customer, the portfolio's highest-risk accounts."_s;
    p.arguments = { customerArgument(false) };
    p.render = [](Core::Services &services, const QHash<QString, QString> &args) -> Core::Result<PromptResult> {
        const QString id = args.value(u"customer_id"_s);
        PromptResult result;
        if (!id.isEmpty()) {
            auto overview = overviewFor(services, id);
            if (!overview)
                return overview.error();
            QStringList lines;
            lines << u"Review the churn risk of %1 and propose a retention plan. Explain which drivers matter, "
                     u"what the data shows, and what to do in the next 30 days."_s.arg(overview->customer.name);
            lines << QString() << overviewLines(*overview) << QString();
            lines << u"For more: identify_churn_risk and score_risk_factors (customer_id %1) for the model's view, "
                     u"analyze_engagement_patterns for usage drops, get_client_timeline for recent touches, and "
                     u"execute_retention_campaign to enrol the customer in a playbook."_s.arg(id);
            result.description = u"Churn review of %1"_s.arg(overview->customer.name);
            result.messages << PromptMessage::userText(lines.join(u'\n')) << embeddedOverview(*overview);
            return result;
        }
        Core::ChurnRiskQuery query;
        query.minimumLevel = Domain::ChurnRiskLevel::High;
        query.limit = 10;
        auto page = services.churn().portfolioRisk(query);
        if (!page)
            return page.error();
        QStringList lines;
        lines << u"Review the portfolio's churn risk and propose where the CSM team should act first."_s;
        lines << QString();
        if (!page->hasData) {
            lines << u"No churn predictions are stored yet (%1). Call identify_churn_risk to score the portfolio "
                     u"first."_s.arg(page->reason);
        } else if (page->items.isEmpty()) {
            lines << u"No customer is at high or critical risk in the latest predictions (model version %1)."_s.arg(
                page->activeModelVersion);
        } else {
            lines << u"The %1 highest-risk customers of %2 at high or critical risk (model version %3):"_s
                         .arg(page->items.size())
                         .arg(page->total)
                         .arg(page->activeModelVersion);
            for (const Core::ChurnRisk &r : page->items) {
                QStringList drivers;
                for (const Core::ChurnDriver &d : r.drivers)
                    drivers << d.label;
                lines << u"- %1 (%2): p(churn) %3, %4; drivers: %5"_s.arg(r.customerName, r.customerId,
                    percent(r.probability), Domain::enumName(r.riskLevel),
                    drivers.isEmpty() ? u"none recorded"_s : drivers.join(u"; "_s));
            }
        }
        lines << QString();
        lines << u"For more: identify_churn_risk (paged ranking, or one customer with drivers), get_client_overview, "
                 u"analyze_churn_postmortem for customers already lost, and execute_retention_campaign."_s;
        result.description = u"Portfolio churn review"_s;
        result.messages << PromptMessage::userText(lines.join(u'\n'));
        return result;
    };
    return p;
}

Prompt renewalBrief()
{
    Prompt p;
    p.name = u"renewal_brief"_s;
    p.title = u"Renewal brief"_s;
    p.description = u"A renewal brief for one customer: its open renewal, health, usage, support, NPS and the "
                    u"risks and strengths the data shows."_s;
    p.arguments = { customerArgument(true) };
    p.render = [](Core::Services &services, const QHash<QString, QString> &args) -> Core::Result<PromptResult> {
        const QString id = args.value(u"customer_id"_s);
        auto overview = overviewFor(services, id);
        if (!overview)
            return overview.error();
        QStringList lines;
        lines << u"Write a renewal brief for %1: where the renewal stands, the evidence for and against renewing, "
                 u"and the negotiation plan."_s.arg(overview->customer.name);
        lines << QString() << overviewLines(*overview);
        auto brief = services.renewals().renewalBriefForCustomer(id);
        if (brief) {
            const Core::RenewalBrief &b = *brief;
            lines << u"Usage: %1 events in the last 30 days against %2 in the 30 before."_s.arg(b.usage.events30)
                         .arg(b.usage.eventsPrevious30);
            lines << u"Support: %1 open tickets (%2 urgent), %3 opened in 90 days."_s.arg(b.support.openTickets)
                         .arg(b.support.openUrgentTickets)
                         .arg(b.support.ticketsOpened90);
            if (b.nps.nps)
                lines << u"NPS (last 365 days): %1 from %2 responses."_s.arg(QString::number(*b.nps.nps, 'f', 1))
                             .arg(b.nps.responses);
            for (const Core::BriefSignal &s : b.evidenceSignals)
                lines << u"%1: %2"_s.arg(s.kind == u"risk"_s ? u"Risk"_s : u"Strength"_s, s.text);
        } else if (brief.error().code == Core::ErrorCode::NotFound) {
            lines << u"There is no open renewal on file for this customer; say so and base the brief on the account "
                     u"facts."_s;
        } else {
            return brief.error();
        }
        lines << QString();
        lines << u"For more: negotiate_renewals and track_renewals (customer_id %1), forecast_renewals for the "
                 u"portfolio view, identify_expansion_opportunities, and get_client_timeline."_s.arg(id);
        PromptResult result;
        result.description = u"Renewal brief for %1"_s.arg(overview->customer.name);
        result.messages << PromptMessage::userText(lines.join(u'\n')) << embeddedOverview(*overview);
        return result;
    };
    return p;
}

} // namespace

void registerCsPrompts(PromptRegistry &registry)
{
    for (Prompt p : { qbrPreparation(), churnReview(), renewalBrief() }) {
        if (auto added = registry.add(std::move(p)); !added)
            qWarning("prompts: %s", qPrintable(added.error().toString()));
    }
}

} // namespace Mcp
