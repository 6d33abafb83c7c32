-- CS Desk schema 0016 (PostgreSQL): each customer's first day with usage, kept on the customer row.
-- customers.first_usage_day = MIN(usage_daily.day) over the customer's all-features rows (feature = '') with
-- events > 0; NULL while there are none. Why, and the rules: 0016_first_usage_day.sqlite.sql. The WHEN clauses
-- keep the usual upsert that adds events to a qualifying row from calling the function at all.

ALTER TABLE customers ADD COLUMN first_usage_day DATE;

UPDATE customers SET first_usage_day = (SELECT MIN(u.day) FROM usage_daily u
    WHERE u.customer_id = customers.id AND u.feature = '' AND u.events > 0);

-- begin block
CREATE FUNCTION usage_daily_first_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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

CREATE TRIGGER usage_daily_first_day_ai AFTER INSERT ON usage_daily FOR EACH ROW
    WHEN (NEW.feature = '' AND NEW.events > 0) EXECUTE FUNCTION usage_daily_first_day();

CREATE TRIGGER usage_daily_first_day_au AFTER UPDATE OF customer_id, day, feature, events ON usage_daily FOR EACH ROW
    WHEN (NOT (OLD.feature = '' AND OLD.events > 0 AND NEW.feature = '' AND NEW.events > 0
               AND OLD.customer_id = NEW.customer_id AND OLD.day = NEW.day))
    EXECUTE FUNCTION usage_daily_first_day();

CREATE TRIGGER usage_daily_first_day_ad AFTER DELETE ON usage_daily FOR EACH ROW
    WHEN (OLD.feature = '' AND OLD.events > 0) EXECUTE FUNCTION usage_daily_first_day();
