-- The order state machine: the reason of the current status (rejection, failed delivery, cancellation)
-- and one history row per change, written in the same transaction as the change.
ALTER TABLE fleet_order ADD COLUMN status_reason VARCHAR(500) NULL AFTER task_id;

CREATE TABLE order_history (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    order_id    VARCHAR(64)  NOT NULL,
    version     BIGINT       NOT NULL,
    from_status VARCHAR(32)  NULL,
    to_status   VARCHAR(32)  NOT NULL,
    action      VARCHAR(32)  NOT NULL,
    reason      VARCHAR(500) NULL,
    occurred_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    -- one change per order version: a second writer of the same version is a bug, not history
    UNIQUE KEY uk_order_history_version (order_id, version),
    CONSTRAINT fk_order_history_order FOREIGN KEY (order_id) REFERENCES fleet_order (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
