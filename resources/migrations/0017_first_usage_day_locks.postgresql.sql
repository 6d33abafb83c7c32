-- CS Desk schema 0017 (PostgreSQL): customers.first_usage_day stays exact when several desktops write usage at once.
-- Under READ COMMITTED the 0016 function could leave it wrong: one transaction removes a customer's first day and
-- looks up the next one, while another, not yet committed, adds a day in between (or removes that next day). Each
-- statement sees only what was committed when it began, the one that finds nothing to change takes no lock, and the
-- first transaction's answer wins. Now the function first takes a transaction-level advisory lock, one for the whole
-- portfolio (7415926536; the migrator's is 7415926535): transactions that write usage rows which count take turns,
-- and the next statement, with a fresh snapshot, sees what the other committed. One lock rather than the customer
-- rows: a usage import touching 100k customers would otherwise hold 100k row locks until it commits, and every edit
-- of one of those customers would wait for it (and two imports could deadlock on them). Only usage writers wait for
-- each other; taking the lock again in the same transaction costs nothing. The update trigger also skips rows that
-- count neither before nor after (feature rows, zero-event days), as in the SQLite twin. Last, values 0016 may have
-- left wrong are put right once.

-- begin block
CREATE OR REPLACE FUNCTION usage_daily_first_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7415926536);
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.feature = '' AND OLD.events > 0 THEN
        UPDATE customers SET first_usage_day = (SELECT MIN(u.day) FROM usage_daily u
            WHERE u.customer_id = OLD.customer_id AND u.feature = '' AND u.events > 0)
        WHERE id = OLD.customer_id AND first_usage_day = OLD.day;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.feature = '' AND NEW.events > 0 THEN
        UPDATE customers SET first_usage_day = NEW.day
        WHERE id = NEW.customer_id AND (first_usage_day IS NULL OR first_usage_day > NEW.day);
    END IF;
    RETURN NULL;
END;
$$;
-- end block

DROP TRIGGER usage_daily_first_day_au ON usage_daily;

CREATE TRIGGER usage_daily_first_day_au AFTER UPDATE OF customer_id, day, feature, events ON usage_daily FOR EACH ROW
    WHEN (((OLD.feature = '' AND OLD.events > 0) OR (NEW.feature = '' AND NEW.events > 0))
          AND NOT (OLD.feature = '' AND OLD.events > 0 AND NEW.feature = '' AND NEW.events > 0
                   AND OLD.customer_id = NEW.customer_id AND OLD.day = NEW.day))
    EXECUTE FUNCTION usage_daily_first_day();

UPDATE customers SET first_usage_day = (SELECT MIN(u.day) FROM usage_daily u
    WHERE u.customer_id = customers.id AND u.feature = '' AND u.events > 0)
WHERE first_usage_day IS DISTINCT FROM (SELECT MIN(u.day) FROM usage_daily u
    WHERE u.customer_id = customers.id AND u.feature = '' AND u.events > 0);
