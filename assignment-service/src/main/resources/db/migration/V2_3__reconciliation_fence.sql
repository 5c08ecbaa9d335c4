-- The highest fencing token seen per lease of a caller's singleton work (order-service's reconciliation run
-- lease): a write request carrying a lower token comes from a holder whose lease was taken over and is refused.
-- Kept here because the lease itself lives in order-service's database, which this service never reads.
CREATE TABLE reconciliation_fence (
    lease_name    VARCHAR(100) NOT NULL,
    highest_token BIGINT       NOT NULL,
    updated_at    DATETIME(6)  NOT NULL,
    PRIMARY KEY (lease_name),
    CONSTRAINT ck_reconciliation_fence_token CHECK (highest_token > 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
