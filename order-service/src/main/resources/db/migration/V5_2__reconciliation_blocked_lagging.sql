-- Issue 9: an order held back by a parked outbox event is drift of its own type (BLOCKED), reported with that
-- event; a difference the consumer had not yet caught up with when the run ended is counted as lagging, apart
-- from drift and from orders that kept changing (unsettled).

ALTER TABLE reconciliation_run
    ADD COLUMN drift_blocked INT NOT NULL DEFAULT 0,
    ADD COLUMN lagging       INT NOT NULL DEFAULT 0;

-- BLOCKED entries: the parked event that holds the order back (id, type, the order version it carries, its error)
ALTER TABLE reconciliation_drift
    ADD COLUMN event_id      CHAR(36)     NULL,
    ADD COLUMN event_type    VARCHAR(200) NULL,
    ADD COLUMN event_version BIGINT       NULL,
    ADD COLUMN event_error   VARCHAR(500) NULL;
