-- Idempotency keys of mutating API calls: the first response is stored and replayed for a repeated
-- request with the same key. The primary key makes the claim of a key atomic across instances.
-- principal is '' until the API authenticates callers; then each caller has its own key space.
CREATE TABLE idempotency_key (
    principal             VARCHAR(100) NOT NULL,
    idem_key              VARCHAR(200) NOT NULL,
    request_hash          CHAR(64)     NOT NULL,
    method                VARCHAR(10)  NOT NULL,
    path                  VARCHAR(500) NOT NULL,
    status                VARCHAR(16)  NOT NULL,
    response_status       INT          NULL,
    response_content_type VARCHAR(200) NULL,
    response_etag         VARCHAR(100) NULL,
    response_location     VARCHAR(500) NULL,
    response_body         MEDIUMBLOB   NULL,
    created_at            DATETIME(6)  NOT NULL,
    completed_at          DATETIME(6)  NULL,
    PRIMARY KEY (principal, idem_key),
    KEY ix_idempotency_key_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
