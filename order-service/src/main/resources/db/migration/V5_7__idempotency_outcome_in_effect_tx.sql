-- Idempotency keys whose outcome commits with the request's own effect (docs/order-api.md, "Idempotency-Key").
--
-- claim_token names the one request that currently holds an IN_PROGRESS key: the claim (INSERT) and a
-- takeover of a stale claim each write a new token, and the request's transaction completes the key only
-- under its own token (UPDATE … WHERE claim_token = ?; no row: its claim was taken over and the transaction
-- rolls back). NULL for keys claimed before this migration.
ALTER TABLE idempotency_key ADD COLUMN claim_token CHAR(36) NULL;

-- The applied items of a batch of status changes (POST /api/orders/status-changes) sent with an
-- Idempotency-Key, one row per item, written in the item's own transaction: a retry of the same batch with
-- the same key replays these items and runs only the others.
CREATE TABLE idempotency_item (
    principal    VARCHAR(100) NOT NULL,
    idem_key     VARCHAR(200) NOT NULL,
    request_hash CHAR(64)     NOT NULL,
    item_index   INT          NOT NULL,
    result       MEDIUMBLOB   NOT NULL,
    created_at   DATETIME(6)  NOT NULL,
    PRIMARY KEY (principal, idem_key, request_hash, item_index),
    KEY ix_idempotency_item_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
