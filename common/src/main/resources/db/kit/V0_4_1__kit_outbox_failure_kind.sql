-- Whose fault the last failure of an outbox row was (TRANSPORT, RECORD, UNKNOWN) and its short reason
-- (e.g. RecordTooLargeException, HTTP 400): parked rows are listed and requeued in bulk by reason.
ALTER TABLE outbox_event
    ADD COLUMN failure_kind   VARCHAR(16)  NULL,
    ADD COLUMN failure_reason VARCHAR(100) NULL;

-- Parked rows, listed and requeued by id (keyset paging), by reason and by aggregate.
CREATE INDEX ix_outbox_event_parked ON outbox_event (status, failure_reason, id);
