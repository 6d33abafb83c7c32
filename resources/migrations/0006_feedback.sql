-- CS Desk schema 0006: surveys (NPS, CSAT, CES), responses, theme rules, product insights, VoC reports.

CREATE TABLE surveys (
    id {{PK}},
    kind TEXT NOT NULL CHECK (kind IN ('nps','csat','ces')),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    question TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 1000),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','active','closed')),
    channel TEXT CHECK (channel IN ('email','in_app','sms','web','call','other')),
    audience {{JSON}} NOT NULL DEFAULT '{}',
    opens_at {{TS}},
    closes_at {{TS}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at)
);

CREATE INDEX idx_surveys_status ON surveys (status, kind) WHERE deleted_at IS NULL;

-- Score range depends on kind: nps 0-10, csat 1-5, ces 1-7.
-- nps_category is derived in C++ (promoter 9-10, passive 7-8, detractor 0-6), NULL for csat/ces.
CREATE TABLE survey_responses (
    id {{PK}},
    survey_id {{ID}} REFERENCES surveys (id) ON DELETE SET NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    contact_id {{ID}} REFERENCES contacts (id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN ('nps','csat','ces')),
    score INTEGER NOT NULL,
    nps_category TEXT CHECK (nps_category IN ('promoter','passive','detractor')),
    comment TEXT,
    sentiment {{REAL}} CHECK (sentiment IS NULL OR sentiment BETWEEN -1 AND 1),
    themes {{JSON}} NOT NULL DEFAULT '[]',
    channel TEXT CHECK (channel IN ('email','in_app','sms','web','call','other')),
    responded_at {{TS}} NOT NULL DEFAULT {{NOW}},
    follow_up_due {{TS}},
    follow_up_status TEXT NOT NULL DEFAULT 'none' CHECK (follow_up_status IN ('none','open','done')),
    routed_to TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK ((kind = 'nps' AND score BETWEEN 0 AND 10) OR (kind = 'csat' AND score BETWEEN 1 AND 5) OR (kind = 'ces' AND score BETWEEN 1 AND 7)),
    CHECK (nps_category IS NULL OR (kind = 'nps' AND ((nps_category = 'promoter' AND score >= 9) OR (nps_category = 'passive' AND score BETWEEN 7 AND 8) OR (nps_category = 'detractor' AND score <= 6))))
);

CREATE INDEX idx_survey_responses_customer ON survey_responses (customer_id, responded_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_survey_responses_kind_time ON survey_responses (kind, responded_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_survey_responses_survey ON survey_responses (survey_id);
CREATE INDEX idx_survey_responses_contact ON survey_responses (contact_id);
CREATE INDEX idx_survey_responses_follow_up ON survey_responses (follow_up_due) WHERE deleted_at IS NULL AND follow_up_status = 'open';

-- Keyword rules that tag responses and tickets with themes.
CREATE TABLE feedback_theme_rules (
    id {{PK}},
    theme TEXT NOT NULL CHECK (length(theme) BETWEEN 1 AND 100),
    keywords {{JSON}} NOT NULL DEFAULT '[]',
    is_active {{BOOL}} NOT NULL DEFAULT {{TRUE}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE UNIQUE INDEX ux_feedback_theme_rules_theme ON feedback_theme_rules (lower(theme)) WHERE deleted_at IS NULL;

-- Insights shared with the product team (share_product_insights, manage_voice_of_customer).
CREATE TABLE product_insights (
    id {{PK}},
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description TEXT,
    kind TEXT NOT NULL DEFAULT 'feature_request' CHECK (kind IN ('feature_request','bug','usability','performance','pricing','praise','other')),
    theme TEXT,
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new','shared','acknowledged','planned','shipped','declined')),
    customer_count INTEGER NOT NULL DEFAULT 0 CHECK (customer_count >= 0),
    arr_impact {{REAL}} NOT NULL DEFAULT 0 CHECK (arr_impact >= 0),
    evidence {{JSON}} NOT NULL DEFAULT '[]',
    shared_with TEXT,
    shared_at {{TS}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE INDEX idx_product_insights_status ON product_insights (status, kind) WHERE deleted_at IS NULL;
CREATE INDEX idx_product_insights_theme ON product_insights (theme) WHERE deleted_at IS NULL;

-- Generated voice-of-customer reports (snapshots, not edited).
CREATE TABLE voc_reports (
    id {{PK}},
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    period_start {{DATE}} NOT NULL,
    period_end {{DATE}} NOT NULL,
    summary {{JSON}} NOT NULL DEFAULT '{}',
    generated_by TEXT,
    generated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    CHECK (period_end >= period_start)
);

CREATE INDEX idx_voc_reports_period ON voc_reports (period_end DESC);
