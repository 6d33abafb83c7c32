-- CS Desk schema 0007: playbooks, campaigns, enrolments, tasks, notes, communications, newsletters,
-- community, advocacy, executive reviews, escalations. (Segments live in 0001.)

CREATE TABLE playbooks (
    id {{PK}},
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT,
    trigger_kind TEXT NOT NULL DEFAULT 'manual' CHECK (trigger_kind IN ('health_drop','usage_decline','detractor','renewal_risk','overdue_milestone','manual')),
    trigger_config {{JSON}} NOT NULL DEFAULT '{}',
    is_active {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    owner TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE UNIQUE INDEX ux_playbooks_name ON playbooks (lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX idx_playbooks_trigger ON playbooks (trigger_kind) WHERE deleted_at IS NULL AND is_active;

-- config examples: task {title, due_in_days}, email {template_id}, wait {days}.
CREATE TABLE playbook_steps (
    id {{PK}},
    playbook_id {{ID}} NOT NULL REFERENCES playbooks (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0),
    kind TEXT NOT NULL CHECK (kind IN ('task','note','email','message','wait')),
    name TEXT,
    config {{JSON}} NOT NULL DEFAULT '{}',
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE INDEX idx_playbook_steps_playbook ON playbook_steps (playbook_id, position) WHERE deleted_at IS NULL;

CREATE TABLE campaigns (
    id {{PK}},
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT,
    playbook_id {{ID}} REFERENCES playbooks (id) ON DELETE SET NULL,
    segment_id {{ID}} REFERENCES segments (id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','active','paused','completed')),
    audience_criteria {{JSON}} NOT NULL DEFAULT '{}',
    starts_on {{DATE}},
    ends_on {{DATE}},
    owner TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)
);

CREATE INDEX idx_campaigns_status ON campaigns (status) WHERE deleted_at IS NULL;
CREATE INDEX idx_campaigns_playbook ON campaigns (playbook_id);

-- A customer running through a playbook (directly or as part of a campaign).
-- current_step = position of the next step to run, next_step_at = when (waits).
CREATE TABLE enrolments (
    id {{PK}},
    playbook_id {{ID}} REFERENCES playbooks (id) ON DELETE CASCADE,
    campaign_id {{ID}} REFERENCES campaigns (id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','completed','exited','failed')),
    enrolled_at {{TS}} NOT NULL DEFAULT {{NOW}},
    enrolled_by TEXT,
    trigger_context {{JSON}} NOT NULL DEFAULT '{}',
    current_step INTEGER NOT NULL DEFAULT 0 CHECK (current_step >= 0),
    next_step_at {{TS}},
    completed_at {{TS}},
    exit_reason TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (playbook_id IS NOT NULL OR campaign_id IS NOT NULL),
    CHECK (completed_at IS NULL OR completed_at >= enrolled_at)
);

CREATE UNIQUE INDEX ux_enrolments_active_playbook ON enrolments (playbook_id, customer_id) WHERE status = 'active' AND playbook_id IS NOT NULL;
CREATE UNIQUE INDEX ux_enrolments_active_campaign ON enrolments (campaign_id, customer_id) WHERE status = 'active' AND campaign_id IS NOT NULL;
CREATE INDEX idx_enrolments_customer ON enrolments (customer_id, enrolled_at DESC);
CREATE INDEX idx_enrolments_due ON enrolments (next_step_at) WHERE status = 'active';
CREATE INDEX idx_enrolments_campaign ON enrolments (campaign_id, status);

-- Execution log of enrolment steps. step_position is a snapshot (the step may be edited later).
CREATE TABLE enrolment_step_runs (
    id {{PK}},
    enrolment_id {{ID}} NOT NULL REFERENCES enrolments (id) ON DELETE CASCADE,
    step_id {{ID}} REFERENCES playbook_steps (id) ON DELETE SET NULL,
    step_position INTEGER NOT NULL DEFAULT 0 CHECK (step_position >= 0),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','running','succeeded','failed','skipped')),
    scheduled_for {{TS}},
    ran_at {{TS}},
    result {{JSON}} NOT NULL DEFAULT '{}',
    error TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}}
);

CREATE INDEX idx_enrolment_step_runs_enrolment ON enrolment_step_runs (enrolment_id, step_position);
CREATE INDEX idx_enrolment_step_runs_pending ON enrolment_step_runs (scheduled_for) WHERE status = 'pending';
CREATE INDEX idx_enrolment_step_runs_step ON enrolment_step_runs (step_id);

-- Generic CSM task list. source_ref points at what created it (e.g. "alert:42", "enrolment:7").
CREATE TABLE tasks (
    id {{PK}},
    customer_id TEXT REFERENCES customers (id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    description TEXT,
    due_date {{DATE}},
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','cancelled')),
    priority TEXT NOT NULL DEFAULT 'medium' CHECK (priority IN ('low','medium','high','urgent')),
    owner TEXT,
    source TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual','playbook','monitor','agent','onboarding','renewal','support','import')),
    source_ref TEXT,
    enrolment_id {{ID}} REFERENCES enrolments (id) ON DELETE SET NULL,
    completed_at {{TS}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (status <> 'done' OR completed_at IS NOT NULL)
);

CREATE INDEX idx_tasks_customer ON tasks (customer_id, status) WHERE deleted_at IS NULL;
CREATE INDEX idx_tasks_open_due ON tasks (due_date) WHERE deleted_at IS NULL AND status = 'open';
CREATE INDEX idx_tasks_owner ON tasks (owner, status, due_date) WHERE deleted_at IS NULL;
CREATE INDEX idx_tasks_enrolment ON tasks (enrolment_id);

-- Free-text notes on a customer. Full-text search is added in 0009.
CREATE TABLE notes (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    body TEXT NOT NULL CHECK (length(body) >= 1),
    author TEXT,
    is_pinned {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE INDEX idx_notes_customer ON notes (customer_id, created_at DESC) WHERE deleted_at IS NULL;

CREATE TABLE email_templates (
    id {{PK}},
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
    body TEXT NOT NULL,
    body_format TEXT NOT NULL DEFAULT 'text' CHECK (body_format IN ('text','html')),
    variables {{JSON}} NOT NULL DEFAULT '[]',
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE UNIQUE INDEX ux_email_templates_name ON email_templates (lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE communication_workflows (
    id {{PK}},
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT,
    trigger_config {{JSON}} NOT NULL DEFAULT '{}',
    actions {{JSON}} NOT NULL DEFAULT '[]',
    is_active {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    last_triggered_at {{TS}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE UNIQUE INDEX ux_communication_workflows_name ON communication_workflows (lower(name)) WHERE deleted_at IS NULL;

-- Every message to or from a customer. Outbound e-mail is delivered through the outbox
-- (outbox_idempotency_key links the two). external_id = vendor message id (SendGrid sg_message_id).
CREATE TABLE communications (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    contact_id {{ID}} REFERENCES contacts (id) ON DELETE SET NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email','in_app','sms','call','meeting')),
    direction TEXT NOT NULL DEFAULT 'outbound' CHECK (direction IN ('outbound','inbound')),
    subject TEXT,
    body TEXT,
    template_id {{ID}} REFERENCES email_templates (id) ON DELETE SET NULL,
    workflow_id {{ID}} REFERENCES communication_workflows (id) ON DELETE SET NULL,
    enrolment_id {{ID}} REFERENCES enrolments (id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent','delivered','opened','clicked','bounced','failed')),
    external_id TEXT,
    outbox_idempotency_key TEXT,
    sender TEXT,
    error TEXT,
    sent_at {{TS}},
    last_event_at {{TS}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}}
);

CREATE INDEX idx_communications_customer ON communications (customer_id, created_at DESC);
CREATE INDEX idx_communications_contact ON communications (contact_id);
CREATE INDEX idx_communications_status ON communications (status, created_at);
CREATE UNIQUE INDEX ux_communications_external_id ON communications (channel, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX idx_communications_template ON communications (template_id);
CREATE INDEX idx_communications_enrolment ON communications (enrolment_id);

CREATE TABLE newsletters (
    id {{PK}},
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT,
    audience {{JSON}} NOT NULL DEFAULT '{}',
    schedule {{JSON}} NOT NULL DEFAULT '{}',
    template_id {{ID}} REFERENCES email_templates (id) ON DELETE SET NULL,
    is_active {{BOOL}} NOT NULL DEFAULT {{TRUE}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE UNIQUE INDEX ux_newsletters_name ON newsletters (lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE newsletter_editions (
    id {{PK}},
    newsletter_id {{ID}} NOT NULL REFERENCES newsletters (id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    sections {{JSON}} NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','scheduled','sent')),
    scheduled_for {{TS}},
    sent_at {{TS}},
    recipient_count INTEGER NOT NULL DEFAULT 0 CHECK (recipient_count >= 0),
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (status <> 'scheduled' OR scheduled_for IS NOT NULL),
    CHECK (status <> 'sent' OR sent_at IS NOT NULL)
);

CREATE INDEX idx_newsletter_editions_newsletter ON newsletter_editions (newsletter_id, created_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_newsletter_editions_scheduled ON newsletter_editions (scheduled_for) WHERE deleted_at IS NULL AND status = 'scheduled';

CREATE TABLE community_members (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    contact_id {{ID}} REFERENCES contacts (id) ON DELETE SET NULL,
    handle TEXT NOT NULL CHECK (length(handle) BETWEEN 1 AND 100),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive','banned')),
    joined_at {{TS}} NOT NULL DEFAULT {{NOW}},
    reputation INTEGER NOT NULL DEFAULT 0 CHECK (reputation >= 0),
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE UNIQUE INDEX ux_community_members_handle ON community_members (lower(handle)) WHERE deleted_at IS NULL;
CREATE INDEX idx_community_members_customer ON community_members (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_community_members_contact ON community_members (contact_id);

CREATE TABLE community_posts (
    id {{PK}},
    member_id {{ID}} NOT NULL REFERENCES community_members (id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    body TEXT,
    kind TEXT NOT NULL DEFAULT 'discussion' CHECK (kind IN ('question','idea','discussion')),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','answered','closed','archived')),
    views INTEGER NOT NULL DEFAULT 0 CHECK (views >= 0),
    reply_count INTEGER NOT NULL DEFAULT 0 CHECK (reply_count >= 0),
    upvotes INTEGER NOT NULL DEFAULT 0 CHECK (upvotes >= 0),
    posted_at {{TS}} NOT NULL DEFAULT {{NOW}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE INDEX idx_community_posts_member ON community_posts (member_id, posted_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_community_posts_kind ON community_posts (kind, status, posted_at DESC) WHERE deleted_at IS NULL;

CREATE TABLE advocates (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    contact_id {{ID}} REFERENCES contacts (id) ON DELETE SET NULL,
    tier TEXT NOT NULL DEFAULT 'bronze' CHECK (tier IN ('bronze','silver','gold','platinum')),
    points INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('candidate','active','inactive')),
    joined_on {{DATE}},
    notes TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE UNIQUE INDEX ux_advocates_contact ON advocates (contact_id) WHERE deleted_at IS NULL AND contact_id IS NOT NULL;
CREATE INDEX idx_advocates_customer ON advocates (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_advocates_tier ON advocates (tier, points DESC) WHERE deleted_at IS NULL;

CREATE TABLE advocacy_contributions (
    id {{PK}},
    advocate_id {{ID}} NOT NULL REFERENCES advocates (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('reference_call','case_study','review','referral','speaking','community')),
    points INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
    occurred_on {{DATE}} NOT NULL,
    description TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE INDEX idx_advocacy_contributions_advocate ON advocacy_contributions (advocate_id, occurred_on DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_advocacy_contributions_kind ON advocacy_contributions (kind, occurred_on) WHERE deleted_at IS NULL;

CREATE TABLE executive_reviews (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    title TEXT,
    scheduled_for {{TS}} NOT NULL,
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled','prepared','completed','cancelled')),
    owner TEXT,
    attendees {{JSON}} NOT NULL DEFAULT '[]',
    agenda {{JSON}} NOT NULL DEFAULT '[]',
    prepared_brief {{JSON}} NOT NULL DEFAULT '{}',
    prepared_at {{TS}},
    outcomes TEXT,
    next_steps {{JSON}} NOT NULL DEFAULT '[]',
    completed_at {{TS}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE INDEX idx_executive_reviews_customer ON executive_reviews (customer_id, scheduled_for DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_executive_reviews_upcoming ON executive_reviews (scheduled_for) WHERE deleted_at IS NULL AND status IN ('scheduled','prepared');

CREATE TABLE escalations (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    ticket_id {{ID}} REFERENCES support_tickets (id) ON DELETE SET NULL,
    severity TEXT NOT NULL DEFAULT 'medium' CHECK (severity IN ('low','medium','high','critical')),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','investigating','resolved','closed')),
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    owner TEXT,
    resolution TEXT,
    opened_at {{TS}} NOT NULL DEFAULT {{NOW}},
    resolved_at {{TS}},
    closed_at {{TS}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (resolved_at IS NULL OR resolved_at >= opened_at),
    CHECK (closed_at IS NULL OR closed_at >= opened_at)
);

CREATE INDEX idx_escalations_customer ON escalations (customer_id, opened_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_escalations_open ON escalations (severity, opened_at) WHERE deleted_at IS NULL AND status IN ('open','investigating');
CREATE INDEX idx_escalations_ticket ON escalations (ticket_id);
CREATE INDEX idx_escalations_owner ON escalations (owner, status) WHERE deleted_at IS NULL;
