-- Assignment tasks (a courier's batch) and one link row per order on a task.
-- order_mirror (V1) stays the per-order version guard for EVERY order, linked or not: a state older than
-- the one held there is never applied, so an order that left its task cannot be put back by a late event.

CREATE TABLE assignment_task (
    id              VARCHAR(64) NOT NULL,
    courier_id      VARCHAR(64) NOT NULL,
    capacity        INT         NOT NULL,
    status          VARCHAR(16) NOT NULL,
    -- changed only by atomic increments (assigned_count = assigned_count + ?), never read-modify-write
    assigned_count  INT         NOT NULL DEFAULT 0,
    delivered_count INT         NOT NULL DEFAULT 0,
    created_at      DATETIME(6) NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    closed_at       DATETIME(6) NULL,
    PRIMARY KEY (id),
    KEY ix_assignment_task_courier (courier_id),
    CONSTRAINT ck_assignment_task_status CHECK (status IN ('OPEN', 'CLOSED')),
    CONSTRAINT ck_assignment_task_capacity CHECK (capacity > 0),
    -- a wrong delta fails loudly (and is retried, then dead-lettered) instead of drifting silently
    CONSTRAINT ck_assignment_task_counters
        CHECK (assigned_count >= 0 AND delivered_count >= 0 AND delivered_count <= assigned_count)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The primary key on order_id makes "an order is on at most one task" a database rule.
CREATE TABLE task_order_link (
    order_id      VARCHAR(64) NOT NULL,
    task_id       VARCHAR(64) NOT NULL,
    order_status  VARCHAR(32) NOT NULL,
    order_version BIGINT      NOT NULL,
    linked_at     DATETIME(6) NOT NULL,
    updated_at    DATETIME(6) NOT NULL,
    PRIMARY KEY (order_id),
    KEY ix_task_order_link_task (task_id, order_id),
    CONSTRAINT fk_task_order_link_task FOREIGN KEY (task_id) REFERENCES assignment_task (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
