// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The monitors toolset (TOOLS.md "monitors"): the seven built-in monitors of MonitorService, which run on a schedule
// inside the app and raise alerts. The tool names are the old server's "autonomous worker" names.
#include "monitorservice.h"
#include "services.h"
#include "toolregistry.h"
#include "toolsupport.h"

using namespace Qt::StringLiterals;

namespace Mcp {

namespace {

using namespace Schema;
using ToolSupport::dateTimeJson;

const QString kToolset = u"monitors"_s;

Domain::MonitorKind kindArgument(const QJsonObject &arguments)
{
    return Domain::enumFromString<Domain::MonitorKind>(arguments.value(u"kind"_s).toString())
        .value_or(Domain::MonitorKind::ChurnRisk);
}

QJsonObject kindProperty()
{
    return enumOf(
        u"The monitor: churn_risk, usage_drop, onboarding, satisfaction (NPS/CSAT), sla, upsell or renewal."_s,
        Domain::enumValues<Domain::MonitorKind>());
}

QJsonObject runJson(const Domain::MonitorRun &run)
{
    return QJsonObject {
        { u"run_id"_s, run.id },
        { u"triggered_by"_s, Domain::enumName(run.triggeredBy) },
        { u"status"_s, Domain::enumName(run.status) },
        { u"started_at"_s, dateTimeJson(run.startedAt) },
        { u"finished_at"_s, dateTimeJson(run.finishedAt) },
        { u"customers_checked"_s, run.customersChecked },
        { u"alerts_raised"_s, run.alertsRaised },
        { u"error"_s, run.error.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(run.error) },
    };
}

QJsonObject runSchema()
{
    return openObject(
        {
            { u"run_id"_s, integer({}) },
            { u"triggered_by"_s, enumOf({}, Domain::enumValues<Domain::MonitorTrigger>()) },
            { u"status"_s, enumOf({}, Domain::enumValues<Domain::MonitorRunStatus>()) },
            { u"started_at"_s, dateTime({}) },
            { u"finished_at"_s, nullable(dateTime({})) },
            { u"customers_checked"_s, integer({}, 0) },
            { u"alerts_raised"_s, integer({}, 0) },
            { u"error"_s, nullable(string({})) },
        },
        { u"run_id"_s, u"status"_s, u"customers_checked"_s, u"alerts_raised"_s });
}

QJsonObject statusJson(const Core::MonitorStatus &s)
{
    const Domain::Monitor &m = s.monitor;
    return QJsonObject {
        { u"kind"_s, Domain::enumName(m.kind) },
        { u"name"_s, m.name },
        { u"description"_s, s.description },
        { u"configured"_s, true },
        { u"enabled"_s, m.isEnabled },
        { u"schedule_minutes"_s, m.scheduleMinutes },
        { u"config"_s, QJsonObject::fromVariantMap(s.effectiveConfig) },
        { u"running"_s, s.running },
        { u"last_run_at"_s, dateTimeJson(m.lastRunAt) },
        { u"next_run_at"_s, dateTimeJson(m.nextRunAt) },
        { u"last_status"_s,
            m.lastStatus == Domain::MonitorOutcome::None ? QJsonValue(QJsonValue::Null)
                                                         : QJsonValue(Domain::enumName(m.lastStatus)) },
        { u"last_error"_s, m.lastError.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(m.lastError) },
        { u"open_alerts"_s, s.openAlerts },
        { u"last_run"_s, s.lastRun ? QJsonValue(runJson(*s.lastRun)) : QJsonValue(QJsonValue::Null) },
    };
}

// A monitor that ensureDefaultMonitors() has not created yet: its definition, nothing invented.
QJsonObject definitionStatusJson(const Core::MonitorDefinition &d)
{
    return QJsonObject {
        { u"kind"_s, Domain::enumName(d.kind) },
        { u"name"_s, d.name },
        { u"description"_s, d.description },
        { u"configured"_s, false },
        { u"enabled"_s, false },
        { u"schedule_minutes"_s, d.defaultScheduleMinutes },
        { u"config"_s, QJsonObject::fromVariantMap(d.defaultConfig) },
        { u"running"_s, false },
        { u"last_run_at"_s, QJsonValue::Null },
        { u"next_run_at"_s, QJsonValue::Null },
        { u"last_status"_s, QJsonValue::Null },
        { u"last_error"_s, QJsonValue::Null },
        { u"open_alerts"_s, 0 },
        { u"last_run"_s, QJsonValue::Null },
    };
}

QJsonObject statusSchema()
{
    return openObject(
        {
            { u"kind"_s, enumOf({}, Domain::enumValues<Domain::MonitorKind>()) },
            { u"name"_s, string({}) },
            { u"description"_s, string({}) },
            { u"configured"_s, boolean(u"False until the monitor is set up (the app does so at start)."_s) },
            { u"enabled"_s, boolean({}) },
            { u"schedule_minutes"_s, integer({}, 1) },
            { u"config"_s, anyObject(u"Thresholds, every default filled in."_s) },
            { u"running"_s, boolean({}) },
            { u"last_run_at"_s, nullable(dateTime({})) },
            { u"next_run_at"_s, nullable(dateTime({})) },
            { u"last_status"_s, nullable(string({})) },
            { u"last_error"_s, nullable(string({})) },
            { u"open_alerts"_s, integer({}, 0) },
            { u"last_run"_s, nullable(runSchema()) },
        },
        { u"kind"_s, u"configured"_s, u"enabled"_s, u"schedule_minutes"_s, u"config"_s, u"open_alerts"_s });
}

QJsonObject alertJson(const Domain::Alert &a)
{
    return QJsonObject {
        { u"alert_id"_s, a.id },
        { u"customer_id"_s, a.customerId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(a.customerId) },
        { u"kind"_s, a.kind },
        { u"severity"_s, Domain::enumName(a.severity) },
        { u"status"_s, Domain::enumName(a.status) },
        { u"title"_s, a.title },
        { u"detail"_s, QJsonObject::fromVariantMap(a.detail) },
        { u"raised_at"_s, dateTimeJson(a.raisedAt) },
    };
}

QJsonObject alertSchema()
{
    return openObject(
        {
            { u"alert_id"_s, integer({}) },
            { u"customer_id"_s, nullable(string({})) },
            { u"kind"_s, string({}) },
            { u"severity"_s, enumOf({}, Domain::enumValues<Domain::AlertSeverity>()) },
            { u"status"_s, enumOf({}, Domain::enumValues<Domain::AlertStatus>()) },
            { u"title"_s, string({}) },
            { u"detail"_s, anyObject({}) },
            { u"raised_at"_s, dateTime({}) },
        },
        { u"alert_id"_s, u"kind"_s, u"severity"_s, u"status"_s, u"title"_s, u"raised_at"_s });
}

ToolResult listAvailableWorkers(const ToolCall &call)
{
    QJsonArray all;
    for (const Core::MonitorDefinition &d : Core::Monitors::definitions()) {
        all.append(QJsonObject {
            { u"kind"_s, Domain::enumName(d.kind) },
            { u"name"_s, d.name },
            { u"description"_s, d.description },
            { u"default_schedule_minutes"_s, d.defaultScheduleMinutes },
            { u"default_config"_s, QJsonObject::fromVariantMap(d.defaultConfig) },
        });
    }
    auto page = ToolSupport::pageOfArray(all, call.arguments);
    if (!page)
        return page.error();
    return *page;
}

ToolResult getAutonomousStatus(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    Core::MonitorService &service = call.services->monitors();
    auto statuses = service.monitors();
    if (!statuses)
        return statuses.error();
    QJsonArray monitors;
    for (const Core::MonitorStatus &s : std::as_const(*statuses))
        monitors.append(statusJson(s));

    QJsonObject result;
    if (statuses->isEmpty()) {
        // Nothing set up yet: no alerts can exist either (AlertQuery by kind would be NotFound).
        result = ToolSupport::pageJson({}, 0, {});
        result.insert(u"note"_s,
            u"no monitor is set up yet; configure_autonomous_worker or trigger_worker_now sets "
            u"them up with their defaults"_s);
    } else {
        Core::AlertQuery query;
        query.limit = args.value(u"limit"_s).toInt(ToolSupport::kDefaultLimit);
        query.cursor = args.value(u"cursor"_s).toString();
        if (args.contains(u"kind"_s))
            query.monitorKind = kindArgument(args);
        query.customerId = args.value(u"customer_id"_s).toString();
        if (args.contains(u"severity"_s))
            query.severity = Domain::enumFromString<Domain::AlertSeverity>(args.value(u"severity"_s).toString());
        if (args.contains(u"alert_status"_s)) {
            const QString status = args.value(u"alert_status"_s).toString();
            if (status == u"all"_s)
                query.includeResolved = true;
            else if (status != u"unresolved"_s)
                query.status = Domain::enumFromString<Domain::AlertStatus>(status);
        }
        auto alerts = service.alerts(query);
        if (!alerts)
            return alerts.error();
        QJsonArray items;
        for (const Domain::Alert &a : std::as_const(alerts->items))
            items.append(alertJson(a));
        result = ToolSupport::pageJson(items, alerts->total, alerts->nextCursor);
    }
    qint64 openAlerts = 0;
    int enabled = 0;
    for (const Core::MonitorStatus &s : std::as_const(*statuses)) {
        openAlerts += s.openAlerts;
        enabled += s.monitor.isEnabled ? 1 : 0;
    }
    result.insert(u"monitors"_s, monitors);
    result.insert(u"enabled_monitors"_s, enabled);
    result.insert(u"open_alerts"_s, openAlerts);
    return result;
}

ToolResult getWorkerConfig(const ToolCall &call)
{
    const Domain::MonitorKind kind = kindArgument(call.arguments);
    auto status = call.services->monitors().monitor(kind);
    if (!status) {
        if (status.error().code != Core::ErrorCode::NotFound)
            return status.error();
        return definitionStatusJson(Core::Monitors::definition(kind));
    }
    return statusJson(*status);
}

ToolResult configureAutonomousWorker(const ToolCall &call)
{
    const QJsonObject &args = call.arguments;
    if (!args.contains(u"enabled"_s) && !args.contains(u"schedule_minutes"_s) && !args.contains(u"config"_s))
        return Core::Error::invalid(u"enabled"_s, u"give at least one of enabled, schedule_minutes or config"_s);
    Core::MonitorService &service = call.services->monitors();
    if (auto ensured = service.ensureDefaultMonitors(); !ensured)
        return ensured.error();
    Core::MonitorSettings settings;
    if (args.contains(u"enabled"_s))
        settings.enabled = args.value(u"enabled"_s).toBool();
    if (args.contains(u"schedule_minutes"_s))
        settings.scheduleMinutes = args.value(u"schedule_minutes"_s).toInt();
    if (args.contains(u"config"_s))
        settings.config = args.value(u"config"_s).toObject().toVariantMap();
    settings.replaceConfig = args.value(u"replace_config"_s).toBool(false);
    const Domain::MonitorKind kind = kindArgument(args);
    auto configured = service.configure(kind, settings);
    if (!configured)
        return configured.error();
    auto status = service.monitor(kind);
    if (!status)
        return status.error();
    return statusJson(*status);
}

ToolResult triggerWorkerNow(const ToolCall &call)
{
    const Domain::MonitorKind kind = kindArgument(call.arguments);
    Core::MonitorService &service = call.services->monitors();
    call.progress(0, 2, u"preparing the %1 monitor"_s.arg(Domain::enumName(kind)));
    if (auto ensured = service.ensureDefaultMonitors(); !ensured)
        return ensured.error();
    if (call.cancelled())
        return Core::Error { Core::ErrorCode::Cancelled, {}, u"cancelled before the run started"_s };
    call.progress(1, 2, u"running the %1 monitor"_s.arg(Domain::enumName(kind)));
    auto run = service.runNow(kind, Domain::MonitorTrigger::Agent);
    if (!run)
        return run.error();
    call.progress(2, 2, u"done"_s);
    QJsonArray alerts;
    constexpr int kMaxAlertsShown = 50;
    for (qint64 id : std::as_const(run->alertIds)) {
        if (alerts.size() >= kMaxAlertsShown)
            break;
        auto alert = service.alert(id);
        if (!alert)
            return alert.error();
        alerts.append(alertJson(*alert));
    }
    return QJsonObject {
        { u"kind"_s, Domain::enumName(kind) },
        { u"run"_s, runJson(run->run) },
        { u"findings"_s, run->findings },
        { u"suppressed"_s, run->suppressed },
        { u"alerts_raised"_s, run->alertIds.size() },
        { u"alerts"_s, alerts },
    };
}

Tool makeTool(QString name, QString title, QString description, QJsonObject input, QJsonObject output,
    ToolAnnotations annotations, bool writes, bool longRunning, ToolHandler handler)
{
    return ToolSupport::makeTool(kToolset, std::move(name), std::move(title), std::move(description), std::move(input),
        std::move(output), annotations, writes, longRunning, std::move(handler));
}

} // namespace

void registerMonitorTools(ToolRegistry &registry)
{
    const auto add = [&registry](Tool tool) { ToolSupport::addTool(registry, std::move(tool)); };

    add(makeTool(u"list_available_workers"_s, u"List monitors"_s,
        u"Lists the built-in monitors (churn risk, usage drop, onboarding, NPS/CSAT, SLA, upsell, renewal) with what "
        u"each checks and its default schedule and thresholds. Use it to learn which monitors exist before configuring one."_s,
        object(withPaging({})),
        listOutput(openObject(
            {
                { u"kind"_s, enumOf({}, Domain::enumValues<Domain::MonitorKind>()) },
                { u"name"_s, string({}) },
                { u"description"_s, string({}) },
                { u"default_schedule_minutes"_s, integer({}, 1) },
                { u"default_config"_s, anyObject({}) },
            },
            { u"kind"_s, u"name"_s, u"description"_s, u"default_schedule_minutes"_s, u"default_config"_s })),
        {}, false, false, listAvailableWorkers));

    add(makeTool(u"get_autonomous_status"_s, u"Monitor status and alerts"_s,
        u"Shows every monitor's state (enabled, schedule, last and next run, open alerts) and pages through the alerts "
        u"they raised, newest first. Use it to see what the monitors found."_s,
        object(withPaging({
            { u"kind"_s, kindProperty() },
            { u"customer_id"_s, customerId(u"Only alerts about this customer."_s) },
            { u"severity"_s, enumOf(u"Only alerts of this severity."_s, Domain::enumValues<Domain::AlertSeverity>()) },
            { u"alert_status"_s,
                enumOf(
                    u"Which alerts: unresolved (open or acknowledged, the default), open, acknowledged, resolved or all."_s,
                    { u"unresolved"_s, u"open"_s, u"acknowledged"_s, u"resolved"_s, u"all"_s }, u"unresolved"_s) },
        })),
        listOutput(alertSchema(),
            {
                { u"monitors"_s, arrayOf(statusSchema()) },
                { u"enabled_monitors"_s, integer({}, 0) },
                { u"open_alerts"_s, integer(u"Unresolved alerts over every monitor."_s, 0) },
                { u"note"_s, string({}) },
            }),
        {}, false, false, getAutonomousStatus));

    add(makeTool(u"get_worker_config"_s, u"Monitor configuration"_s,
        u"Shows one monitor's schedule, thresholds (every default filled in), open alerts and last run. Use it before "
        u"changing a monitor with configure_autonomous_worker."_s,
        object({ { u"kind"_s, kindProperty() } }, { u"kind"_s }), statusSchema(), {}, false, false, getWorkerConfig));

    add(makeTool(u"configure_autonomous_worker"_s, u"Configure a monitor"_s,
        u"Enables or disables a monitor, changes how often it runs, or changes its thresholds (the keys given replace "
        u"the stored ones unless replace_config is set). Unknown or out-of-range thresholds are refused."_s,
        object(
            {
                { u"kind"_s, kindProperty() },
                { u"enabled"_s, boolean(u"Run on the schedule."_s) },
                { u"schedule_minutes"_s,
                    integer(u"Minutes between runs."_s, 1, Core::MonitorService::kMaxScheduleMinutes) },
                { u"config"_s,
                    anyObject(
                        u"Thresholds to set, e.g. {\"threshold\": 0.6} for churn_risk (see get_worker_config)."_s) },
                { u"replace_config"_s,
                    boolean(u"Replace the whole config instead of merging the keys given."_s, false) },
            },
            { u"kind"_s }),
        statusSchema(), { false, false, true, false }, true, false, configureAutonomousWorker));

    add(makeTool(u"trigger_worker_now"_s, u"Run a monitor now"_s,
        u"Runs one monitor at once (disabled ones too) and returns the run and the new alerts it raised; findings "
        u"whose "
        u"alert is still open or in cooldown are counted as suppressed. Use it to check the portfolio without waiting "
        u"for the schedule."_s,
        object({ { u"kind"_s, kindProperty() } }, { u"kind"_s }),
        openObject(
            {
                { u"kind"_s, enumOf({}, Domain::enumValues<Domain::MonitorKind>()) },
                { u"run"_s, runSchema() },
                { u"findings"_s, integer({}, 0) },
                { u"suppressed"_s, integer({}, 0) },
                { u"alerts_raised"_s, integer({}, 0) },
                { u"alerts"_s, arrayOf(alertSchema(), u"The new alerts (at most 50)."_s) },
            },
            { u"kind"_s, u"run"_s, u"findings"_s, u"suppressed"_s, u"alerts_raised"_s, u"alerts"_s }),
        { false, false, false, false }, true, true, triggerWorkerNow));
}

} // namespace Mcp
