-- CS Desk schema 0016 (SQLite): each customer's first day with usage, kept on the customer row.
-- customers.first_usage_day = MIN(usage_daily.day) over the customer's all-features rows (feature = '') with
-- events > 0; NULL while there are none. The health recompute needs it for every live customer; read from
-- usage_daily it cost one index seek per customer into a different leaf page each (~43k pages, 177 MB on 100k
-- customers / 10 M events: a third of the daily run's reads). Triggers keep it exact for every writer (service,
-- CSV import, rebuilds, integrations): a qualifying row can only lower it; removing or disqualifying the row of
-- the first day looks the next one up. A row that stays qualifying on the same day and customer (the usual
-- upsert that adds events) runs no trigger body. PostgreSQL: the same in 0016_first_usage_day.postgresql.sql.

ALTER TABLE customers ADD COLUMN first_usage_day TEXT;

UPDATE customers SET first_usage_day = (SELECT MIN(u.day) FROM usage_daily u
    WHERE u.customer_id = customers.id AND u.feature = '' AND u.events > 0);

-- begin block
CREATE TRIGGER usage_daily_first_day_ai AFTER INSERT ON usage_daily
WHEN new.feature = '' AND new.events > 0 BEGIN
    UPDATE customers SET first_usage_day = new.day
    WHERE id = new.customer_id AND (first_usage_day IS NULL OR first_usage_day > new.day);
END;
-- end block

-- begin block
CREATE TRIGGER usage_daily_first_day_au AFTER UPDATE OF customer_id, day, feature, events ON usage_daily
WHEN NOT (old.feature = '' AND old.events > 0 AND new.feature = '' AND new.events > 0
          AND old.customer_id = new.customer_id AND old.day = new.day) BEGIN
    UPDATE customers SET first_usage_day = (SELECT MIN(u.day) FROM usage_daily u
        WHERE u.customer_id = old.customer_id AND u.feature = '' AND u.events > 0)
    WHERE old.feature = '' AND old.events > 0 AND id = old.customer_id AND first_usage_day = old.day;
    UPDATE customers SET first_usage_day = new.day
    WHERE new.feature = '' AND new.events > 0 AND id = new.customer_id
        AND (first_usage_day IS NULL OR first_usage_day > new.day);
END;
-- end block

-- begin block
CREATE TRIGGER usage_daily_first_day_ad AFTER DELETE ON usage_daily
WHEN old.feature = '' AND old.events > 0 BEGIN
    UPDATE customers SET first_usage_day = (SELECT MIN(u.day) FROM usage_daily u
        WHERE u.customer_id = old.customer_id AND u.feature = '' AND u.events > 0)
    WHERE id = old.customer_id AND first_usage_day = old.day;
END;
-- end block
