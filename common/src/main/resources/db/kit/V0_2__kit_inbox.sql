-- Inbox of the fleet-saga reliability kit: one row per (consumer, message) processed.
-- Written in the same transaction as the handler's effect; the primary key turns a
-- redelivered message into a duplicate-key error, which means "already done".
CREATE TABLE inbox_message (
    consumer     VARCHAR(100) NOT NULL,
    message_id   CHAR(36)     NOT NULL,
    processed_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (consumer, message_id),
    KEY ix_inbox_message_processed_at (processed_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
