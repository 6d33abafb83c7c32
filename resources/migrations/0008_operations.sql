-- CS Desk schema 0008: monitors and alerts, timeline, agent audit log, outbox, integration sync
-- state, app settings. Secrets (passwords, tokens, API keys) are never stored in the database.

-- One row per built-in monitor. running_since is set while a run is in progress (claim with
-- UPDATE ... WHERE running_since IS NULL).
CREATE TABLE monitors (
    id {{PK}},
    kind TEXT NOT NULL UNIQUE CHECK (kind IN ('churn_risk','usage_drop','onboarding','satisfaction','sla','upsell','renewal')),
    name TEXT,
    is_enabled {{BOOL}} NOT NULL DEFAULT {{TRUE}},
    schedule_minutes INTEGER NOT NULL DEFAULT 60 CHECK (schedule_minutes > 0),
    config {{JSON}} NOT NULL DEFAULT '{}',
    last_run_at {{TS}},
    next_run_at {{TS}},
    last_status TEXT CHECK (last_status IN ('succeeded','failed','cancelled')),
    last_error TEXT,
    running_since {{TS}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE INDEX idx_monitors_next_run ON monitors (next_run_at) WHERE is_enabled;

CREATE TABLE monitor_runs (
    id {{PK}},
    monitor_id {{ID}} NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    triggered_by TEXT NOT NULL DEFAULT 'schedule' CHECK (triggered_by IN ('schedule','manual','agent')),
    started_at {{TS}} NOT NULL DEFAULT {{NOW}},
    finished_at {{TS}},
    status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running','succeeded','failed','cancelled')),
    customers_checked INTEGER NOT NULL DEFAULT 0 CHECK (customers_checked >= 0),
    alerts_raised INTEGER NOT NULL DEFAULT 0 CHECK (alerts_raised >= 0),
    error TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    CHECK (finished_at IS NULL OR finished_at >= started_at)
);

CREATE INDEX idx_monitor_runs_monitor ON monitor_runs (monitor_id, started_at DESC);

-- kind is free text (usually the monitor kind or a finer sub-kind such as overdue_milestone).
-- dedupe_key: at most one unresolved (open or acknowledged) alert per key.
CREATE TABLE alerts (
    id {{PK}},
    monitor_id {{ID}} REFERENCES monitors (id) ON DELETE SET NULL,
    customer_id TEXT REFERENCES customers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
    severity TEXT NOT NULL DEFAULT 'warning' CHECK (severity IN ('info','warning','critical')),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    detail {{JSON}} NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','acknowledged','resolved')),
    dedupe_key TEXT CHECK (dedupe_key IS NULL OR length(dedupe_key) BETWEEN 1 AND 300),
    raised_at {{TS}} NOT NULL DEFAULT {{NOW}},
    acknowledged_at {{TS}},
    acknowledged_by TEXT,
    resolved_at {{TS}},
    resolved_by TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (status <> 'resolved' OR resolved_at IS NOT NULL)
);

CREATE UNIQUE INDEX ux_alerts_dedupe_open ON alerts (dedupe_key) WHERE dedupe_key IS NOT NULL AND status <> 'resolved';
CREATE INDEX idx_alerts_status ON alerts (status, raised_at DESC);
CREATE INDEX idx_alerts_customer ON alerts (customer_id, raised_at DESC);
CREATE INDEX idx_alerts_monitor ON alerts (monitor_id, raised_at DESC);

-- Every touch on a customer (append-only). source_table/source_id point at the originating row.
CREATE TABLE timeline_events (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    occurred_at {{TS}} NOT NULL DEFAULT {{NOW}},
    kind TEXT NOT NULL CHECK (kind IN ('note','email','ticket','usage_milestone','score_change','renewal','onboarding','feedback','campaign','lifecycle','contract','expansion','escalation','training','agent_action','other')),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    detail {{JSON}} NOT NULL DEFAULT '{}',
    source_table TEXT,
    source_id TEXT,
    actor TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}}
);

CREATE INDEX idx_timeline_events_customer_time ON timeline_events (customer_id, occurred_at DESC);
CREATE INDEX idx_timeline_events_customer_kind ON timeline_events (customer_id, kind, occurred_at DESC);
CREATE INDEX idx_timeline_events_source ON timeline_events (source_table, source_id) WHERE source_table IS NOT NULL;

-- Audit of MCP tool calls. arguments must already be redacted of anything secret.
-- approval: none (no approval needed), pending (waiting on the CSM), approved, denied.
CREATE TABLE agent_actions (
    id {{PK}},
    occurred_at {{TS}} NOT NULL DEFAULT {{NOW}},
    session_id TEXT,
    client_name TEXT,
    client_version TEXT,
    tool TEXT NOT NULL CHECK (length(tool) BETWEEN 1 AND 64),
    is_write {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    customer_id TEXT REFERENCES customers (id) ON DELETE SET NULL,
    arguments {{JSON}} NOT NULL DEFAULT '{}',
    result_summary TEXT,
    is_error {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    approval TEXT NOT NULL DEFAULT 'none' CHECK (approval IN ('none','pending','approved','denied')),
    approved_by TEXT,
    decided_at {{TS}},
    duration_ms INTEGER CHECK (duration_ms IS NULL OR duration_ms >= 0),
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}}
);

CREATE INDEX idx_agent_actions_time ON agent_actions (occurred_at DESC);
CREATE INDEX idx_agent_actions_pending ON agent_actions (occurred_at) WHERE approval = 'pending';
CREATE INDEX idx_agent_actions_session ON agent_actions (session_id, occurred_at);
CREATE INDEX idx_agent_actions_customer ON agent_actions (customer_id, occurred_at DESC) WHERE customer_id IS NOT NULL;
CREATE INDEX idx_agent_actions_tool ON agent_actions (tool, occurred_at DESC);

-- Persistent queue of outgoing actions, written in the same transaction as the change.
-- Claim: UPDATE ... SET status = 'in_flight' WHERE status = 'pending' AND next_attempt_at <= now.
CREATE TABLE outbox (
    id {{PK}},
    kind TEXT NOT NULL CHECK (kind IN ('email','ticket','note','event')),
    target TEXT NOT NULL CHECK (target IN ('zendesk','intercom','mixpanel','sendgrid')),
    customer_id TEXT REFERENCES customers (id) ON DELETE SET NULL,
    payload {{JSON}} NOT NULL DEFAULT '{}',
    idempotency_key TEXT NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','in_flight','delivered','failed','dead')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at {{TS}} NOT NULL DEFAULT {{NOW}},
    last_error TEXT,
    external_id TEXT,
    delivered_at {{TS}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    CHECK (status <> 'delivered' OR delivered_at IS NOT NULL)
);

CREATE INDEX idx_outbox_status_next ON outbox (status, next_attempt_at);
CREATE INDEX idx_outbox_customer ON outbox (customer_id, created_at DESC) WHERE customer_id IS NOT NULL;

-- Inbound sync position per integration and stream (e.g. zendesk/tickets incremental cursor).
CREATE TABLE integration_sync_state (
    id {{PK}},
    integration TEXT NOT NULL CHECK (integration IN ('zendesk','intercom','mixpanel','sendgrid')),
    stream TEXT NOT NULL CHECK (length(stream) BETWEEN 1 AND 100),
    sync_cursor TEXT,
    last_synced_at {{TS}},
    last_success_at {{TS}},
    last_status TEXT CHECK (last_status IN ('succeeded','failed')),
    last_error TEXT,
    items_synced INTEGER NOT NULL DEFAULT 0 CHECK (items_synced >= 0),
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    UNIQUE (integration, stream)
);

-- Non-secret settings only. The CHECK refuses the most obvious secret-looking keys.
CREATE TABLE app_settings (
    key TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 200),
    value TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    CHECK (lower(key) NOT LIKE '%password%' AND lower(key) NOT LIKE '%secret%' AND lower(key) NOT LIKE '%api_key%' AND lower(key) NOT LIKE '%apikey%' AND lower(key) NOT LIKE '%access_token%')
);
