-- CS Desk schema 0017 (PostgreSQL): customers.first_usage_day stays exact when several desktops write usage at once.
-- Under READ COMMITTED the 0016 function could leave it wrong: one transaction removes a customer's first day and
-- looks up the next one, while another, not yet committed, adds a day in between (or removes that next day). Each
-- statement sees only what was committed when it began, the one that finds nothing to change takes no lock, and the
-- first transaction's answer wins. Now every run of the function first locks the customer row (FOR NO KEY UPDATE:
-- no conflict with inserts of rows that refer to the customer): two transactions touching one customer's first day
-- take turns, and the next statement, with a fresh snapshot, sees what the other committed. A transaction holds the
-- lock until it ends; a second lock of the same row by the same transaction costs nothing. The update trigger also
-- skips rows that count neither before nor after (feature rows, zero-event days), as in the SQLite twin.

-- begin block
CREATE OR REPLACE FUNCTION usage_daily_first_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.feature = '' AND OLD.events > 0 THEN
        PERFORM 1 FROM customers WHERE id = OLD.customer_id FOR NO KEY UPDATE;
        UPDATE customers SET first_usage_day = (SELECT MIN(u.day) FROM usage_daily u
            WHERE u.customer_id = OLD.customer_id AND u.feature = '' AND u.events > 0)
        WHERE id = OLD.customer_id AND first_usage_day = OLD.day;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.feature = '' AND NEW.events > 0 THEN
        PERFORM 1 FROM customers WHERE id = NEW.customer_id FOR NO KEY UPDATE;
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
