-- The saga's current command (ARCHITECTURE rule 8, docs/order-api.md "The deadline rule"): an attempt's deadline
-- runs from the moment the broker acknowledged its command — outbox_event.sent_at of command_event_id, joined in
-- this same database — never from the saga's commit, so a broker outage cannot time a saga out.
--   command_event_id  event id of the current attempt's AssignOrderRequested in outbox_event (NULL: a saga
--                     started before this migration; it keeps its deadline_at)
--   reply_wait_us     how long the current attempt waits for the reply once its command is acknowledged, in
--                     microseconds (timeout plus the attempt's backoff)
--   deadline_at       from now on the *earliest* deadline of the attempt: its start plus reply_wait_us
ALTER TABLE assignment_saga
    ADD COLUMN command_event_id CHAR(36) NULL AFTER attempts,
    ADD COLUMN reply_wait_us    BIGINT   NULL AFTER command_event_id;
