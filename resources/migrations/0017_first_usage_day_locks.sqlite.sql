-- CS Desk schema 0017 (SQLite): the update trigger of 0016 runs only for rows that count. An update of a feature
-- row (feature <> '') or of a zero-event day that stays at zero events can neither lower nor raise a customer's
-- first usage day; 0016 ran the trigger body for them all the same. SQLite has one writer at a time, so there is
-- nothing to lock (PostgreSQL: 0017_first_usage_day_locks.postgresql.sql).

DROP TRIGGER usage_daily_first_day_au;

-- begin block
CREATE TRIGGER usage_daily_first_day_au AFTER UPDATE OF customer_id, day, feature, events ON usage_daily
WHEN ((old.feature = '' AND old.events > 0) OR (new.feature = '' AND new.events > 0))
     AND NOT (old.feature = '' AND old.events > 0 AND new.feature = '' AND new.events > 0
              AND old.customer_id = new.customer_id AND old.day = new.day) BEGIN
    UPDATE customers SET first_usage_day = (SELECT MIN(u.day) FROM usage_daily u
        WHERE u.customer_id = old.customer_id AND u.feature = '' AND u.events > 0)
    WHERE old.feature = '' AND old.events > 0 AND id = old.customer_id AND first_usage_day = old.day;
    UPDATE customers SET first_usage_day = new.day
    WHERE new.feature = '' AND new.events > 0 AND id = new.customer_id
        AND (first_usage_day IS NULL OR first_usage_day > new.day);
END;
-- end block
