-- CS Desk schema 0001: customers, contacts, contracts, custom field catalogue, segments.
-- Common file for SQLite and PostgreSQL (dialect tokens substituted by the migration runner).
-- Conventions: created_at/updated_at everywhere, deleted_at + version on user-editable records.
-- The application sets updated_at and bumps version on every UPDATE (no triggers do it).

CREATE TABLE customers (
    id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 100),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    company TEXT,
    domain TEXT,
    industry TEXT,
    tier TEXT NOT NULL DEFAULT 'smb' CHECK (tier IN ('strategic','enterprise','mid_market','smb')),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('trial','active','churned')),
    lifecycle_stage TEXT NOT NULL DEFAULT 'onboarding' CHECK (lifecycle_stage IN ('onboarding','adoption','expansion','renewal','advocacy','at_risk','churned')),
    owner TEXT,
    arr {{REAL}} NOT NULL DEFAULT 0 CHECK (arr >= 0),
    currency TEXT NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3),
    contract_type TEXT CHECK (contract_type IN ('monthly','annual','multi_year')),
    contract_start {{DATE}},
    contract_end {{DATE}},
    renewal_date {{DATE}},
    churned_at {{DATE}},
    custom_fields {{JSON}} NOT NULL DEFAULT '{}',
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (contract_end IS NULL OR contract_start IS NULL OR contract_end > contract_start)
);

CREATE INDEX idx_customers_tier ON customers (tier) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_status ON customers (status) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_owner ON customers (owner) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_renewal_date ON customers (renewal_date) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_lifecycle_stage ON customers (lifecycle_stage) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_lower_name ON customers (lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_lower_domain ON customers (lower(domain)) WHERE deleted_at IS NULL AND domain IS NOT NULL;
CREATE INDEX idx_customers_industry ON customers (industry) WHERE deleted_at IS NULL;

-- Catalogue of custom field keys found in customers.custom_fields (CSV import creates them:
-- numeric when every value parses as a number, else categorical). Feeds the churn model features.
CREATE TABLE custom_field_definitions (
    id {{PK}},
    key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 100),
    label TEXT,
    data_type TEXT NOT NULL DEFAULT 'categorical' CHECK (data_type IN ('numeric','categorical')),
    description TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE UNIQUE INDEX ux_custom_field_definitions_key ON custom_field_definitions (key) WHERE deleted_at IS NULL;

CREATE TABLE contacts (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email TEXT CHECK (email IS NULL OR length(email) BETWEEN 3 AND 320),
    title TEXT,
    role TEXT CHECK (role IN ('champion','executive_sponsor','decision_maker','economic_buyer','admin','technical','billing','end_user','other')),
    is_primary {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    phone TEXT CHECK (phone IS NULL OR length(phone) <= 50),
    notes TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE INDEX idx_contacts_customer ON contacts (customer_id) WHERE deleted_at IS NULL;
-- One e-mail address per customer (case-insensitive) among live contacts.
CREATE UNIQUE INDEX ux_contacts_customer_email ON contacts (customer_id, lower(email)) WHERE deleted_at IS NULL AND email IS NOT NULL;
-- resolve_customer: e-mail to customer across the portfolio.
CREATE INDEX idx_contacts_lower_email ON contacts (lower(email)) WHERE deleted_at IS NULL AND email IS NOT NULL;
CREATE INDEX idx_contacts_lower_name ON contacts (lower(name)) WHERE deleted_at IS NULL;
-- At most one primary contact per customer.
CREATE UNIQUE INDEX ux_contacts_primary ON contacts (customer_id) WHERE is_primary AND deleted_at IS NULL;

CREATE TABLE contracts (
    id {{PK}},
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    contract_number TEXT CHECK (contract_number IS NULL OR length(contract_number) BETWEEN 1 AND 100),
    start_date {{DATE}} NOT NULL,
    end_date {{DATE}} NOT NULL,
    arr {{REAL}} NOT NULL DEFAULT 0 CHECK (arr >= 0),
    currency TEXT NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3),
    seats_purchased INTEGER CHECK (seats_purchased IS NULL OR seats_purchased >= 0),
    seats_used INTEGER CHECK (seats_used IS NULL OR seats_used >= 0),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','expired','cancelled','pending')),
    auto_renew {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    payment_status TEXT CHECK (payment_status IN ('current','late','overdue','failed')),
    notes TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (end_date > start_date)
);

CREATE INDEX idx_contracts_customer ON contracts (customer_id, end_date DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_contracts_end_date ON contracts (end_date) WHERE deleted_at IS NULL;
CREATE INDEX idx_contracts_status ON contracts (status) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX ux_contracts_number ON contracts (customer_id, contract_number) WHERE deleted_at IS NULL AND contract_number IS NOT NULL;

-- Saved filters. Dynamic segments evaluate criteria, static ones list members in segment_members.
CREATE TABLE segments (
    id {{PK}},
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT,
    criteria {{JSON}} NOT NULL DEFAULT '{}',
    is_dynamic {{BOOL}} NOT NULL DEFAULT {{TRUE}},
    owner TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    deleted_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE UNIQUE INDEX ux_segments_name ON segments (lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE segment_members (
    id {{PK}},
    segment_id {{ID}} NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    added_by TEXT,
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    UNIQUE (segment_id, customer_id)
);

CREATE INDEX idx_segment_members_customer ON segment_members (customer_id);
