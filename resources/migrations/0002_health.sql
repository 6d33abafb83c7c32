-- CS Desk schema 0002: features, usage, health scoring, churn model, lifecycle, adoption milestones.

CREATE TABLE features (
    id {{PK}},
    key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 100),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    category TEXT,
    description TEXT,
    is_premium {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE UNIQUE INDEX ux_features_key ON features (key) WHERE deleted_at IS NULL;

-- Raw product usage (Mixpanel, Intercom, CSV import). Append-only, about 10 M rows: kept lean.
-- feature holds a features.key by value (no foreign key: vendors send keys before the catalogue knows them).
CREATE TABLE usage_events (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    occurred_at {{TS}} NOT NULL,
    event_type TEXT NOT NULL CHECK (length(event_type) BETWEEN 1 AND 200),
    feature TEXT,
    user_ref TEXT,
    quantity {{REAL}} NOT NULL DEFAULT 1 CHECK (quantity >= 0),
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}}
);

CREATE INDEX idx_usage_events_customer_time ON usage_events (customer_id, occurred_at);
CREATE INDEX idx_usage_events_time ON usage_events (occurred_at);

-- Daily aggregate per customer, day and feature. feature = '' is the all-features row.
CREATE TABLE usage_daily (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    day {{DATE}} NOT NULL,
    feature TEXT NOT NULL DEFAULT '',
    events INTEGER NOT NULL DEFAULT 0 CHECK (events >= 0),
    active_users INTEGER NOT NULL DEFAULT 0 CHECK (active_users >= 0),
    quantity {{REAL}} NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    UNIQUE (customer_id, day, feature)
);

CREATE INDEX idx_usage_daily_day ON usage_daily (day, feature);

-- Versioned health scoring configuration. Rows are immutable versions: editing creates a new
-- version. Here "version" is the configuration version (no optimistic-concurrency column).
-- segment_id NULL = portfolio-wide. At most one active config per segment (and one global).
-- Segments are soft-deleted in practice. A hard delete drops its configs (CASCADE), never turns them global.
CREATE TABLE health_scoring_configs (
    id {{PK}},
    version INTEGER NOT NULL UNIQUE CHECK (version >= 1),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    segment_id {{ID}} REFERENCES segments (id) ON DELETE CASCADE,
    weights {{JSON}} NOT NULL DEFAULT '{}',
    green_threshold {{REAL}} NOT NULL DEFAULT 70 CHECK (green_threshold BETWEEN 0 AND 100),
    yellow_threshold {{REAL}} NOT NULL DEFAULT 40 CHECK (yellow_threshold BETWEEN 0 AND 100),
    lookback_days INTEGER NOT NULL DEFAULT 30 CHECK (lookback_days BETWEEN 1 AND 3650),
    is_active {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    note TEXT,
    created_by TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    CHECK (yellow_threshold < green_threshold)
);

CREATE UNIQUE INDEX ux_health_scoring_configs_active ON health_scoring_configs (coalesce(segment_id, 0)) WHERE is_active;

-- One score per customer per day. config_version = health_scoring_configs.version that produced it.
-- UNIQUE (customer_id, score_date) also serves "latest scores of one customer" (scanned backwards).
CREATE TABLE health_scores (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    score_date {{DATE}} NOT NULL,
    score {{REAL}} NOT NULL CHECK (score BETWEEN 0 AND 100),
    band TEXT NOT NULL CHECK (band IN ('green','yellow','red')),
    components {{JSON}} NOT NULL DEFAULT '{}',
    config_version INTEGER NOT NULL CHECK (config_version >= 1),
    computed_at {{TS}} NOT NULL DEFAULT {{NOW}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    UNIQUE (customer_id, score_date)
);

CREATE INDEX idx_health_scores_date_band ON health_scores (score_date, band);
CREATE INDEX idx_health_scores_date_score ON health_scores (score_date, score);

-- Churn model versions (logistic regression). Immutable, "version" is the model version.
-- source 'default' = built-in coefficients used before there is history.
CREATE TABLE churn_models (
    id {{PK}},
    version INTEGER NOT NULL UNIQUE CHECK (version >= 1),
    source TEXT NOT NULL DEFAULT 'trained' CHECK (source IN ('default','trained')),
    trained_at {{TS}} NOT NULL DEFAULT {{NOW}},
    sample_count INTEGER NOT NULL DEFAULT 0 CHECK (sample_count >= 0),
    churned_count INTEGER NOT NULL DEFAULT 0 CHECK (churned_count >= 0),
    retained_count INTEGER NOT NULL DEFAULT 0 CHECK (retained_count >= 0),
    cv_folds INTEGER CHECK (cv_folds IS NULL OR cv_folds >= 2),
    auc {{REAL}} CHECK (auc IS NULL OR auc BETWEEN 0 AND 1),
    coefficients {{JSON}} NOT NULL DEFAULT '{}',
    calibration {{JSON}} NOT NULL DEFAULT '[]',
    features {{JSON}} NOT NULL DEFAULT '[]',
    is_active {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    note TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    CHECK (churned_count + retained_count <= sample_count)
);

CREATE UNIQUE INDEX ux_churn_models_active ON churn_models (is_active) WHERE is_active;

-- Prediction history (append-only). model_version = churn_models.version.
CREATE TABLE churn_predictions (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    model_version INTEGER NOT NULL CHECK (model_version >= 1),
    probability {{REAL}} NOT NULL CHECK (probability BETWEEN 0 AND 1),
    risk_level TEXT NOT NULL CHECK (risk_level IN ('low','medium','high','critical')),
    drivers {{JSON}} NOT NULL DEFAULT '[]',
    predicted_at {{TS}} NOT NULL DEFAULT {{NOW}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}}
);

CREATE INDEX idx_churn_predictions_customer_time ON churn_predictions (customer_id, predicted_at DESC);
CREATE INDEX idx_churn_predictions_risk ON churn_predictions (risk_level, predicted_at DESC);

-- Lifecycle stage history (append-only). Stages as in customers.lifecycle_stage.
CREATE TABLE lifecycle_transitions (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    from_stage TEXT CHECK (from_stage IN ('onboarding','adoption','expansion','renewal','advocacy','at_risk','churned')),
    to_stage TEXT NOT NULL CHECK (to_stage IN ('onboarding','adoption','expansion','renewal','advocacy','at_risk','churned')),
    reason TEXT,
    actor TEXT,
    transitioned_at {{TS}} NOT NULL DEFAULT {{NOW}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    CHECK (from_stage IS NULL OR from_stage <> to_stage)
);

CREATE INDEX idx_lifecycle_transitions_customer_time ON lifecycle_transitions (customer_id, transitioned_at DESC);
CREATE INDEX idx_lifecycle_transitions_time ON lifecycle_transitions (transitioned_at, to_stage);

-- Adoption milestones reached by a customer (first login, 10 active users, key feature used, ...).
CREATE TABLE adoption_milestones (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    milestone_key TEXT NOT NULL CHECK (length(milestone_key) BETWEEN 1 AND 100),
    achieved_at {{TS}} NOT NULL DEFAULT {{NOW}},
    detail {{JSON}} NOT NULL DEFAULT '{}',
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    UNIQUE (customer_id, milestone_key)
);

CREATE INDEX idx_adoption_milestones_key ON adoption_milestones (milestone_key, achieved_at);
