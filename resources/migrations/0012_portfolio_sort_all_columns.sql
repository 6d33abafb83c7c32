-- Portfolio sorting on the remaining columns (0010 covers name, arr and tier). Keyset pages order a NOT NULL
-- column as (column, id) and a nullable one as ((column IS NULL), column, id) — NULLs last in both directions —
-- so a nullable column needs an index on exactly those expressions, and a second one for the descending walk
-- ((column IS NULL) ascending, column and id descending), which no single index can give. Without them every
-- page of a 100,000-customer portfolio sorted by renewal date, owner or industry sorted the whole table
-- (measured on SQLite: 550 ms a page; with them under 10 ms). Same syntax in both dialects.
CREATE INDEX idx_customers_status_id ON customers (status, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_stage_id ON customers (lifecycle_stage, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_owner_sort ON customers ((owner IS NULL), owner, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_owner_sort_desc ON customers ((owner IS NULL) DESC, owner, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_industry_sort ON customers ((industry IS NULL), industry, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_industry_sort_desc ON customers ((industry IS NULL) DESC, industry, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_renewal_sort ON customers ((renewal_date IS NULL), renewal_date, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_renewal_sort_desc ON customers ((renewal_date IS NULL) DESC, renewal_date, id) WHERE deleted_at IS NULL;
