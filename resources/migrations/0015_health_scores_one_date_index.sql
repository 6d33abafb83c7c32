-- health_scores had two indexes that start with score_date: (score_date, band) and (score_date, score). No query
-- filters or sorts on a score range within a day (segment score filters read each customer's latest row through
-- UNIQUE (customer_id, score_date)), so every query that used (score_date, score) -- MAX(score_date) up to a day,
-- the rows of one day, the latest day per customer in a date range -- uses (score_date, band) the same way
-- (same SEARCH, covering where it was covering; EXPLAIN QUERY PLAN on 100k customers, SQLite 3.40). Each index
-- costs the daily recompute an entry per scored customer (measured: ~15-20 % of the score insert each).
DROP INDEX IF EXISTS idx_health_scores_date_score;
