-- CS Desk schema 0005: renewals pipeline, expansion opportunities, ARR movements (GRR/NRR).
-- Money is in the customer's currency (customers.currency), always >= 0.

-- stage tracks the pipeline, outcome records how it ended (set together with closed_on).
-- probability = p(renew), NULL when not assessed yet.
CREATE TABLE renewals (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    contract_id {{ID}} REFERENCES contracts (id) ON DELETE SET NULL,
    renewal_date {{DATE}} NOT NULL,
    arr_current {{REAL}} NOT NULL DEFAULT 0 CHECK (arr_current >= 0),
    arr_proposed {{REAL}} CHECK (arr_proposed IS NULL OR arr_proposed >= 0),
    probability {{REAL}} CHECK (probability IS NULL OR probability BETWEEN 0 AND 1),
    stage TEXT NOT NULL DEFAULT 'upcoming' CHECK (stage IN ('upcoming','in_progress','committed','renewed','churned','downgraded')),
    outcome TEXT CHECK (outcome IN ('renewed','expanded','downgraded','churned')),
    outcome_arr {{REAL}} CHECK (outcome_arr IS NULL OR outcome_arr >= 0),
    closed_on {{DATE}},
    owner TEXT,
    checkpoint_180_done {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    checkpoint_90_done {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    notes TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (outcome IS NULL OR closed_on IS NOT NULL)
);

CREATE UNIQUE INDEX ux_renewals_customer_date ON renewals (customer_id, renewal_date) WHERE deleted_at IS NULL;
CREATE INDEX idx_renewals_date ON renewals (renewal_date) WHERE deleted_at IS NULL;
CREATE INDEX idx_renewals_stage ON renewals (stage, renewal_date) WHERE deleted_at IS NULL;
CREATE INDEX idx_renewals_owner ON renewals (owner) WHERE deleted_at IS NULL;
CREATE INDEX idx_renewals_contract ON renewals (contract_id);

CREATE TABLE expansion_opportunities (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('upsell','cross_sell','expansion')),
    product TEXT,
    title TEXT,
    estimated_arr {{REAL}} NOT NULL DEFAULT 0 CHECK (estimated_arr >= 0),
    score {{REAL}} CHECK (score IS NULL OR score BETWEEN 0 AND 100),
    evidence {{JSON}} NOT NULL DEFAULT '[]',
    stage TEXT NOT NULL DEFAULT 'identified' CHECK (stage IN ('identified','qualified','proposed','won','lost')),
    owner TEXT,
    won_arr {{REAL}} CHECK (won_arr IS NULL OR won_arr >= 0),
    lost_reason TEXT,
    closed_on {{DATE}},
    notes TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (closed_on IS NULL OR stage IN ('won','lost'))
);

CREATE INDEX idx_expansion_opportunities_customer ON expansion_opportunities (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_expansion_opportunities_stage ON expansion_opportunities (stage, kind) WHERE deleted_at IS NULL;
CREATE INDEX idx_expansion_opportunities_score ON expansion_opportunities (score DESC) WHERE deleted_at IS NULL AND stage IN ('identified','qualified','proposed');
-- Re-running the identify_* tools must not duplicate an open opportunity (product NULL counts as '').
CREATE UNIQUE INDEX ux_expansion_opportunities_open ON expansion_opportunities (customer_id, kind, coalesce(product, '')) WHERE deleted_at IS NULL AND stage IN ('identified','qualified','proposed');

-- ARR movement ledger (append-only). amount is the magnitude (>= 0), the sign comes from kind.
CREATE TABLE arr_movements (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    movement_date {{DATE}} NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('new','expansion','contraction','churn','reactivation')),
    amount {{REAL}} NOT NULL CHECK (amount >= 0),
    arr_before {{REAL}} CHECK (arr_before IS NULL OR arr_before >= 0),
    arr_after {{REAL}} CHECK (arr_after IS NULL OR arr_after >= 0),
    reason TEXT,
    source_table TEXT,
    source_id TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}}
);

CREATE INDEX idx_arr_movements_date ON arr_movements (movement_date, kind);
CREATE INDEX idx_arr_movements_customer ON arr_movements (customer_id, movement_date);
