CREATE TABLE order_mirror (
    order_id      VARCHAR(64) NOT NULL,
    task_id       VARCHAR(64) NULL,
    status        VARCHAR(32) NOT NULL,
    order_version BIGINT      NOT NULL,
    updated_at    DATETIME(6) NOT NULL,
    PRIMARY KEY (order_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
