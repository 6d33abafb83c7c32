-- CS Desk schema 0003: onboarding templates, plans, milestones, tasks, training, certification.
-- Position columns are ordering hints, deliberately not unique (reordering rewrites them freely).

CREATE TABLE onboarding_templates (
    id {{PK}},
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT,
    tier TEXT CHECK (tier IN ('strategic','enterprise','mid_market','smb')),
    complexity TEXT NOT NULL DEFAULT 'medium' CHECK (complexity IN ('low','medium','high')),
    target_ttv_days INTEGER NOT NULL DEFAULT 30 CHECK (target_ttv_days > 0),
    is_active {{BOOL}} NOT NULL DEFAULT {{TRUE}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE UNIQUE INDEX ux_onboarding_templates_name ON onboarding_templates (lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX idx_onboarding_templates_tier ON onboarding_templates (tier, complexity) WHERE deleted_at IS NULL;

-- Milestones of a template. offset_days = due date offset from the plan start. tasks = JSON list of task titles.
CREATE TABLE onboarding_template_milestones (
    id {{PK}},
    template_id {{ID}} NOT NULL REFERENCES onboarding_templates (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT,
    offset_days INTEGER NOT NULL DEFAULT 0 CHECK (offset_days >= 0),
    tasks {{JSON}} NOT NULL DEFAULT '[]',
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}}
);

CREATE INDEX idx_onboarding_template_milestones_template ON onboarding_template_milestones (template_id, position);

CREATE TABLE onboarding_plans (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    template_id {{ID}} REFERENCES onboarding_templates (id) ON DELETE SET NULL,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status TEXT NOT NULL DEFAULT 'not_started' CHECK (status IN ('not_started','in_progress','completed','stalled','cancelled')),
    owner TEXT,
    started_on {{DATE}},
    target_go_live {{DATE}},
    completed_on {{DATE}},
    target_ttv_days INTEGER CHECK (target_ttv_days IS NULL OR target_ttv_days > 0),
    ttv_days INTEGER CHECK (ttv_days IS NULL OR ttv_days >= 0),
    automation {{JSON}} NOT NULL DEFAULT '{}',
    notes TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (target_go_live IS NULL OR started_on IS NULL OR target_go_live >= started_on),
    CHECK (completed_on IS NULL OR started_on IS NULL OR completed_on >= started_on),
    CHECK (status <> 'completed' OR completed_on IS NOT NULL)
);

CREATE INDEX idx_onboarding_plans_customer ON onboarding_plans (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_onboarding_plans_status ON onboarding_plans (status) WHERE deleted_at IS NULL;
CREATE INDEX idx_onboarding_plans_go_live ON onboarding_plans (target_go_live) WHERE deleted_at IS NULL AND status IN ('not_started','in_progress','stalled');
CREATE INDEX idx_onboarding_plans_owner ON onboarding_plans (owner) WHERE deleted_at IS NULL;
CREATE INDEX idx_onboarding_plans_template ON onboarding_plans (template_id);

-- Status "overdue" is derived (due_date passed and not completed/skipped), never stored.
CREATE TABLE onboarding_milestones (
    id {{PK}},
    plan_id {{ID}} NOT NULL REFERENCES onboarding_plans (id) ON DELETE CASCADE,
    template_milestone_id {{ID}} REFERENCES onboarding_template_milestones (id) ON DELETE SET NULL,
    position INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT,
    owner TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','in_progress','completed','skipped')),
    due_date {{DATE}},
    started_at {{TS}},
    completed_at {{TS}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (status <> 'completed' OR completed_at IS NOT NULL),
    CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at)
);

CREATE INDEX idx_onboarding_milestones_plan ON onboarding_milestones (plan_id, position) WHERE deleted_at IS NULL;
CREATE INDEX idx_onboarding_milestones_open_due ON onboarding_milestones (due_date) WHERE deleted_at IS NULL AND status IN ('pending','in_progress');
CREATE INDEX idx_onboarding_milestones_template_milestone ON onboarding_milestones (template_milestone_id);

CREATE TABLE onboarding_tasks (
    id {{PK}},
    milestone_id {{ID}} NOT NULL REFERENCES onboarding_milestones (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    description TEXT,
    owner TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','in_progress','completed','skipped')),
    due_date {{DATE}},
    completed_at {{TS}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (status <> 'completed' OR completed_at IS NOT NULL)
);

CREATE INDEX idx_onboarding_tasks_milestone ON onboarding_tasks (milestone_id, position) WHERE deleted_at IS NULL;
CREATE INDEX idx_onboarding_tasks_open_due ON onboarding_tasks (due_date) WHERE deleted_at IS NULL AND status IN ('pending','in_progress');
CREATE INDEX idx_onboarding_tasks_owner ON onboarding_tasks (owner, status) WHERE deleted_at IS NULL;

CREATE TABLE training_modules (
    id {{PK}},
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT,
    format TEXT NOT NULL DEFAULT 'live' CHECK (format IN ('live','webinar','self_paced','workshop')),
    level TEXT CHECK (level IN ('beginner','intermediate','advanced')),
    duration_minutes INTEGER CHECK (duration_minutes IS NULL OR duration_minutes > 0),
    content_url TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE UNIQUE INDEX ux_training_modules_name ON training_modules (lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE training_sessions (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    module_id {{ID}} REFERENCES training_modules (id) ON DELETE SET NULL,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    scheduled_at {{TS}} NOT NULL,
    duration_minutes INTEGER NOT NULL DEFAULT 60 CHECK (duration_minutes BETWEEN 1 AND 1440),
    trainer TEXT,
    location TEXT,
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled','completed','cancelled')),
    outcome_notes TEXT,
    completed_at {{TS}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE INDEX idx_training_sessions_customer ON training_sessions (customer_id, scheduled_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_training_sessions_upcoming ON training_sessions (scheduled_at) WHERE deleted_at IS NULL AND status = 'scheduled';
CREATE INDEX idx_training_sessions_module ON training_sessions (module_id);

CREATE TABLE training_attendees (
    id {{PK}},
    session_id {{ID}} NOT NULL REFERENCES training_sessions (id) ON DELETE CASCADE,
    contact_id {{ID}} NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    attended {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    score {{REAL}} CHECK (score IS NULL OR score BETWEEN 0 AND 100),
    feedback TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    UNIQUE (session_id, contact_id)
);

CREATE INDEX idx_training_attendees_contact ON training_attendees (contact_id);

CREATE TABLE certification_programs (
    id {{PK}},
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT,
    passing_score {{REAL}} NOT NULL DEFAULT 80 CHECK (passing_score BETWEEN 0 AND 100),
    validity_days INTEGER CHECK (validity_days IS NULL OR validity_days > 0),
    is_active {{BOOL}} NOT NULL DEFAULT {{TRUE}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE UNIQUE INDEX ux_certification_programs_name ON certification_programs (lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE certification_program_modules (
    id {{PK}},
    program_id {{ID}} NOT NULL REFERENCES certification_programs (id) ON DELETE CASCADE,
    module_id {{ID}} NOT NULL REFERENCES training_modules (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0),
    is_required {{BOOL}} NOT NULL DEFAULT {{TRUE}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    UNIQUE (program_id, module_id)
);

CREATE INDEX idx_certification_program_modules_module ON certification_program_modules (module_id);

CREATE TABLE certifications (
    id {{PK}},
    contact_id {{ID}} NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    program_id {{ID}} NOT NULL REFERENCES certification_programs (id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'in_progress' CHECK (status IN ('in_progress','certified','revoked','expired')),
    score {{REAL}} CHECK (score IS NULL OR score BETWEEN 0 AND 100),
    issued_at {{TS}},
    expires_at {{TS}},
    revoked_at {{TS}},
    revoke_reason TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (status <> 'certified' OR issued_at IS NOT NULL),
    CHECK (status <> 'revoked' OR revoked_at IS NOT NULL),
    CHECK (expires_at IS NULL OR issued_at IS NULL OR expires_at > issued_at)
);

-- One live (in progress or certified) certification per contact and program.
CREATE UNIQUE INDEX ux_certifications_live ON certifications (contact_id, program_id) WHERE deleted_at IS NULL AND status IN ('in_progress','certified');
CREATE INDEX idx_certifications_program ON certifications (program_id, status) WHERE deleted_at IS NULL;
CREATE INDEX idx_certifications_expiry ON certifications (expires_at) WHERE deleted_at IS NULL AND status = 'certified';
