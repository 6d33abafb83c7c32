-- CS Desk schema 0014: the support schedule that business-hours-only SLA policies count (time zone, weekly working
-- intervals, holidays), and the periods a ticket's resolution clock was paused (pending / on hold).

-- One schedule per portfolio: the singleton column can only hold 1 and is unique.
CREATE TABLE support_schedules (
    id {{PK}},
    singleton INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
    time_zone TEXT NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 100),
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

-- [start_minute, end_minute) local time on a weekday (1 = Monday ... 7 = Sunday); overlaps are refused by the service.
CREATE TABLE support_schedule_hours (
    id {{PK}},
    schedule_id {{ID}} NOT NULL REFERENCES support_schedules (id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    CHECK (start_minute < end_minute),
    UNIQUE (schedule_id, weekday, start_minute)
);

CREATE TABLE support_schedule_holidays (
    id {{PK}},
    schedule_id {{ID}} NOT NULL REFERENCES support_schedules (id) ON DELETE CASCADE,
    holiday_date {{DATE}} NOT NULL,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    UNIQUE (schedule_id, holiday_date)
);

-- ended_at is NULL while the ticket is still paused; at most one open pause per ticket.
CREATE TABLE ticket_sla_pauses (
    id {{PK}},
    ticket_id {{ID}} NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('pending','on_hold')),
    started_at {{TS}} NOT NULL,
    ended_at {{TS}},
    created_at {{TS}} NOT NULL DEFAULT {{NOW}},
    updated_at {{TS}} NOT NULL DEFAULT {{NOW}},
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);

CREATE INDEX idx_ticket_sla_pauses_ticket ON ticket_sla_pauses (ticket_id, started_at);
CREATE UNIQUE INDEX ux_ticket_sla_pauses_open ON ticket_sla_pauses (ticket_id) WHERE ended_at IS NULL;
