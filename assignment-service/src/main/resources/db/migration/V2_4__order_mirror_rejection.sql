-- The last "assign order" command assignment-service refused for the order (issue 9, failure mode 3): the saga that
-- sent it is identified by the order version it carries (each saga starts at a new version), and a re-sent command of
-- that saga gets the same refusal again instead of a new decision — so a re-send that arrives after the task got
-- room cannot link an order that order-service is about to compensate (courier told "added", then "removed").
ALTER TABLE order_mirror
    ADD COLUMN rejected_version BIGINT       NULL,
    ADD COLUMN rejection_reason VARCHAR(32)  NULL,
    ADD COLUMN rejection_detail VARCHAR(500) NULL;
