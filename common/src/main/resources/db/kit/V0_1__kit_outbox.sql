-- Transactional outbox of the fleet-saga reliability kit.
-- Rows are appended in the business transaction and published by the relay.
-- Times are UTC and come from the database clock (UTC_TIMESTAMP(6)), so that several
-- relay instances share one clock.
CREATE TABLE outbox_event (
    id                BIGINT        NOT NULL AUTO_INCREMENT,
    event_id          CHAR(36)      NOT NULL,
    topic             VARCHAR(249)  NOT NULL,
    aggregate_type    VARCHAR(100)  NOT NULL,
    aggregate_id      VARCHAR(200)  NOT NULL,
    aggregate_version BIGINT        NULL,
    event_type        VARCHAR(200)  NOT NULL,
    occurred_at       DATETIME(6)   NOT NULL,
    traceparent       VARCHAR(100)  NULL,
    payload           LONGTEXT      NOT NULL,
    status            VARCHAR(16)   NOT NULL,
    attempts          INT           NOT NULL DEFAULT 0,
    created_at        DATETIME(6)   NOT NULL,
    next_attempt_at   DATETIME(6)   NOT NULL,
    claim_token       CHAR(36)      NULL,
    last_error        VARCHAR(2000) NULL,
    sent_at           DATETIME(6)   NULL,
    parked_at         DATETIME(6)   NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_outbox_event_event_id (event_id),
    KEY ix_outbox_event_due (status, next_attempt_at, id),
    KEY ix_outbox_event_aggregate (aggregate_type, aggregate_id, id),
    KEY ix_outbox_event_sent (status, sent_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
