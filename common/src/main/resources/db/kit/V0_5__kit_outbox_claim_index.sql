-- The relay's claim reads only pending rows, in id order (issue 13).
-- Before: ix_outbox_event_due (status, next_attempt_at, id) could not give id order, so the optimizer walked the
-- primary key past every SENT row kept for the retention period (7 days): 26,116 rows read to claim 100, and the
-- drain slowed as SENT rows piled up. (status, id, next_attempt_at) holds the pending rows in id order and lets the
-- due check run on the index.
-- The head check (no older unsent row of the same aggregate) and the reconciliation's per-order queries looked at
-- every row an aggregate ever had; with the status in the key they look only at its unsent rows (or its sent ones).
ALTER TABLE outbox_event
    DROP INDEX ix_outbox_event_due,
    DROP INDEX ix_outbox_event_aggregate,
    ADD INDEX ix_outbox_event_claim (status, id, next_attempt_at),
    ADD INDEX ix_outbox_event_aggregate (aggregate_type, aggregate_id, status, id);
