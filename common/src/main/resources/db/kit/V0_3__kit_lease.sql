-- Named leases with an owner token and a fencing counter (incident I-5).
CREATE TABLE lease (
    name          VARCHAR(100) NOT NULL,
    owner         VARCHAR(200) NULL,
    fencing_token BIGINT       NOT NULL DEFAULT 0,
    acquired_at   DATETIME(6)  NULL,
    expires_at    DATETIME(6)  NOT NULL,
    PRIMARY KEY (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
