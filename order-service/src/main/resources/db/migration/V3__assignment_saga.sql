-- Saga "assign order": one row per attempt to put an order on a task. Times come from the database
-- clock (UTC_TIMESTAMP(6)) so that deadline checkers on several instances agree on what is due.
CREATE TABLE assignment_saga (
    id            CHAR(36)     NOT NULL,
    order_id      VARCHAR(64)  NOT NULL,
    task_id       VARCHAR(64)  NOT NULL,
    order_version BIGINT       NOT NULL,
    status        VARCHAR(16)  NOT NULL,
    attempts      INT          NOT NULL,
    deadline_at   DATETIME(6)  NOT NULL,
    reason        VARCHAR(500) NULL,
    created_at    DATETIME(6)  NOT NULL,
    updated_at    DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_assignment_saga_due (status, deadline_at),
    KEY ix_assignment_saga_order (order_id, created_at),
    CONSTRAINT fk_assignment_saga_order FOREIGN KEY (order_id) REFERENCES fleet_order (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
