-- Health recompute reads every customer's survey answers and support tickets over a date window (surveys: 3·L
-- days, tickets: L days). Covering indexes on exactly the columns those two GROUP BY queries read let them be
-- answered from the index alone instead of one table look-up per row (measured on 100k customers / 10 M usage
-- events, SQLite: 73k survey answers 0.58 s → 0.21 s CPU, 37k tickets 0.41 s → 0.15 s CPU).
-- deleted_at is the last column although the partial index only holds NULLs there: SQLite before 3.44 counts a
-- column that the query names only in the partial index's WHERE term as not covered.
CREATE INDEX idx_survey_responses_health ON survey_responses (kind, responded_at, customer_id, score, deleted_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_support_tickets_health ON support_tickets (opened_at, customer_id, escalated, csat, first_response_due_at, first_response_at, resolution_due_at, resolved_at, closed_at, deleted_at) WHERE deleted_at IS NULL;
