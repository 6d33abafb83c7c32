-- CS Desk schema 0004: SLA policies, support tickets (mirrored from Zendesk), comments, routing,
-- knowledge base, customer portal settings. Full-text search over kb_articles is added in 0009.

-- One SLA policy per priority. A ticket is "at risk" once at_risk_ratio of its SLA time has elapsed.
CREATE TABLE sla_policies (
    id {{PK}},
    priority TEXT NOT NULL UNIQUE CHECK (priority IN ('p0','p1','p2','p3','p4')),
    first_response_minutes INTEGER NOT NULL CHECK (first_response_minutes > 0),
    resolution_minutes INTEGER NOT NULL CHECK (resolution_minutes > 0),
    at_risk_ratio {{REAL}} NOT NULL DEFAULT 0.8 CHECK (at_risk_ratio > 0 AND at_risk_ratio <= 1),
    business_hours_only {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (resolution_minutes >= first_response_minutes)
);

-- external_id = Zendesk ticket id. channel is free text (Zendesk via.channel has many values).
-- first_response_due_at / resolution_due_at are stamped from sla_policies when the ticket opens
-- or changes priority, so the SLA monitor can use an index instead of computing per row.
CREATE TABLE support_tickets (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    external_id TEXT CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 100),
    subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
    description TEXT,
    priority TEXT NOT NULL DEFAULT 'p3' CHECK (priority IN ('p0','p1','p2','p3','p4')),
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new','open','pending','on_hold','solved','closed')),
    channel TEXT CHECK (channel IS NULL OR length(channel) BETWEEN 1 AND 50),
    requester_contact_id {{ID}} REFERENCES contacts (id) ON DELETE SET NULL,
    assignee TEXT,
    assigned_team TEXT,
    category TEXT,
    tags {{JSON}} NOT NULL DEFAULT '[]',
    opened_at {{TS}} NOT NULL DEFAULT {{NOW}},
    first_response_at {{TS}},
    resolved_at {{TS}},
    closed_at {{TS}},
    first_response_due_at {{TS}},
    resolution_due_at {{TS}},
    csat INTEGER CHECK (csat IS NULL OR csat BETWEEN 1 AND 5),
    csat_comment TEXT,
    escalated {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (first_response_at IS NULL OR first_response_at >= opened_at),
    CHECK (resolved_at IS NULL OR resolved_at >= opened_at),
    CHECK (closed_at IS NULL OR closed_at >= opened_at)
);

CREATE UNIQUE INDEX ux_support_tickets_external_id ON support_tickets (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX idx_support_tickets_customer ON support_tickets (customer_id, opened_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_support_tickets_status ON support_tickets (status, priority) WHERE deleted_at IS NULL;
CREATE INDEX idx_support_tickets_opened ON support_tickets (opened_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_support_tickets_assignee ON support_tickets (assignee, status) WHERE deleted_at IS NULL;
CREATE INDEX idx_support_tickets_requester ON support_tickets (requester_contact_id);
CREATE INDEX idx_support_tickets_response_due ON support_tickets (first_response_due_at) WHERE deleted_at IS NULL AND first_response_at IS NULL AND status IN ('new','open','pending','on_hold');
CREATE INDEX idx_support_tickets_resolution_due ON support_tickets (resolution_due_at) WHERE deleted_at IS NULL AND status IN ('new','open','pending','on_hold');

CREATE TABLE ticket_comments (
    id {{PK}},
    ticket_id {{ID}} NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
    external_id TEXT CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 100),
    author TEXT,
    is_public {{BOOL}} NOT NULL DEFAULT {{TRUE}},
    body TEXT NOT NULL,
    commented_at {{TS}} NOT NULL DEFAULT {{NOW}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}}
);

CREATE INDEX idx_ticket_comments_ticket ON ticket_comments (ticket_id, commented_at);
CREATE UNIQUE INDEX ux_ticket_comments_external_id ON ticket_comments (external_id) WHERE external_id IS NOT NULL;

-- Ordered routing rules: first active rule (lowest position) whose conditions match wins.
CREATE TABLE routing_rules (
    id {{PK}},
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    position INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0),
    conditions {{JSON}} NOT NULL DEFAULT '{}',
    target_team TEXT,
    target_assignee TEXT,
    set_priority TEXT CHECK (set_priority IN ('p0','p1','p2','p3','p4')),
    is_active {{BOOL}} NOT NULL DEFAULT {{TRUE}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (target_team IS NOT NULL OR target_assignee IS NOT NULL)
);

CREATE INDEX idx_routing_rules_position ON routing_rules (position) WHERE deleted_at IS NULL;

CREATE TABLE kb_articles (
    id {{PK}},
    slug TEXT NOT NULL CHECK (length(slug) BETWEEN 1 AND 200),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    body TEXT NOT NULL DEFAULT '',
    tags {{JSON}} NOT NULL DEFAULT '[]',
    category TEXT,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','published','archived')),
    author TEXT,
    views INTEGER NOT NULL DEFAULT 0 CHECK (views >= 0),
    helpful_votes INTEGER NOT NULL DEFAULT 0 CHECK (helpful_votes >= 0),
    unhelpful_votes INTEGER NOT NULL DEFAULT 0 CHECK (unhelpful_votes >= 0),
    published_at {{TS}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE UNIQUE INDEX ux_kb_articles_slug ON kb_articles (slug) WHERE deleted_at IS NULL;
CREATE INDEX idx_kb_articles_status ON kb_articles (status, category) WHERE deleted_at IS NULL;

-- Per-customer portal configuration (one row per customer).
CREATE TABLE customer_portal_settings (
    id {{PK}},
    customer_id TEXT NOT NULL UNIQUE REFERENCES customers (id) ON DELETE CASCADE,
    is_enabled {{BOOL}} NOT NULL DEFAULT {{TRUE}},
    features {{JSON}} NOT NULL DEFAULT '{}',
    branding {{JSON}} NOT NULL DEFAULT '{}',
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);
