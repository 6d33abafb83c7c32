-- Portfolio sorting: the list views and list tools page through customers ordered by a column and the id
-- (keyset pagination). Indexes on (column, id) let both dialects walk the order instead of sorting 100k rows
-- for every page.
CREATE INDEX idx_customers_name_id ON customers (name, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_arr_id ON customers (arr, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_tier_id ON customers (tier, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_renewal_id ON customers (renewal_date, id) WHERE deleted_at IS NULL;
