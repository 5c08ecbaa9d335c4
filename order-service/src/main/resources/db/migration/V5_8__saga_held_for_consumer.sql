-- A saga held because assignment-service's consumer had not consumed its command yet (the deadline checker's
-- WAIT_FOR_CONSUMER). The first check that then finds the command consumed gives the reply a whole reply wait from
-- that moment (and clears the mark) instead of acting at once: the consumer may have consumed the command a moment
-- ago, and its reply is still on its way. A new attempt clears it too.
ALTER TABLE assignment_saga
    ADD COLUMN held_for_consumer BOOLEAN NOT NULL DEFAULT FALSE AFTER deadline_at;
