-- What ops did with a dead letter (a record of a <topic>.DLT topic): replayed it to its original topic or
-- discarded it. A Kafka record cannot be marked, so this row is what makes a dead letter "handled": the
-- kafka_dead_letters_pending gauge counts the records of each dead-letter topic without a row here, a replay of
-- all skips records that have one, and the primary key lets only one instance act on a record at a time.
-- action: REPLAYING (claimed, publishing), REPLAYED, DISCARDED. Times from the database clock (UTC).
CREATE TABLE dead_letter_action (
    topic           VARCHAR(249)  NOT NULL,
    kafka_partition INT           NOT NULL,
    kafka_offset    BIGINT        NOT NULL,
    action          VARCHAR(16)   NOT NULL,
    acted_at        DATETIME(6)   NOT NULL,
    replays         INT           NOT NULL DEFAULT 0,
    replayed_to     VARCHAR(300)  NULL,
    PRIMARY KEY (topic, kafka_partition, kafka_offset)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
