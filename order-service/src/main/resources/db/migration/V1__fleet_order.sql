CREATE TABLE fleet_order (
    id         VARCHAR(64) NOT NULL,
    status     VARCHAR(32) NOT NULL,
    task_id    VARCHAR(64) NULL,
    version    BIGINT      NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY ix_fleet_order_task (task_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
