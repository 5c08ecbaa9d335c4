-- Reconciliation runs (order-service is the truth, assignment-service's links are compared against it) and the
-- drift each run confirmed, one row per affected order (or task, for counter mismatches).

CREATE TABLE reconciliation_run (
    id                     BIGINT        NOT NULL AUTO_INCREMENT,
    trigger_type           VARCHAR(16)   NOT NULL,
    -- scheduled runs only: the schedule slot (epoch seconds / interval); unique, so that instances firing
    -- at the same moment create one run, not several
    scheduled_slot         BIGINT        NULL,
    mode                   VARCHAR(16)   NOT NULL,
    scope                  VARCHAR(16)   NOT NULL,
    method                 VARCHAR(16)   NOT NULL,
    scope_order_count      INT           NULL,
    changed_since          DATETIME(6)   NULL,
    requested_by           VARCHAR(100)  NULL,
    instance               VARCHAR(200)  NOT NULL,
    status                 VARCHAR(16)   NOT NULL,
    started_at             DATETIME(6)   NOT NULL,
    finished_at            DATETIME(6)   NULL,
    orders_checked         BIGINT        NOT NULL DEFAULT 0,
    links_checked          BIGINT        NOT NULL DEFAULT 0,
    bucket_count           INT           NOT NULL DEFAULT 0,
    buckets_differing      INT           NOT NULL DEFAULT 0,
    rows_compared          BIGINT        NOT NULL DEFAULT 0,
    candidates             INT           NOT NULL DEFAULT 0,
    in_flight              INT           NOT NULL DEFAULT 0,
    unsettled              INT           NOT NULL DEFAULT 0,
    candidates_truncated   BOOLEAN       NOT NULL DEFAULT FALSE,
    drift_missing_link     INT           NOT NULL DEFAULT 0,
    drift_orphan_link      INT           NOT NULL DEFAULT 0,
    drift_stale_status     INT           NOT NULL DEFAULT 0,
    drift_wrong_task       INT           NOT NULL DEFAULT 0,
    drift_counter_mismatch INT           NOT NULL DEFAULT 0,
    repairs_published      INT           NOT NULL DEFAULT 0,
    repairs_recomputed     INT           NOT NULL DEFAULT 0,
    repairs_skipped        INT           NOT NULL DEFAULT 0,
    repairs_failed         INT           NOT NULL DEFAULT 0,
    error                  VARCHAR(2000) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_reconciliation_run_slot (scheduled_slot),
    KEY ix_reconciliation_run_status (status, id),
    CONSTRAINT ck_reconciliation_run_status CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED')),
    CONSTRAINT ck_reconciliation_run_mode CHECK (mode IN ('DRY_RUN', 'REPAIR'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE reconciliation_drift (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    run_id        BIGINT       NOT NULL,
    drift_type    VARCHAR(32)  NOT NULL,
    order_id      VARCHAR(64)  NULL,
    task_id       VARCHAR(64)  NULL,
    expected      VARCHAR(500) NULL,
    actual        VARCHAR(500) NULL,
    repair        VARCHAR(16)  NULL,
    repair_detail VARCHAR(500) NULL,
    PRIMARY KEY (id),
    KEY ix_reconciliation_drift_run (run_id, drift_type, id),
    KEY ix_reconciliation_drift_order (order_id),
    CONSTRAINT fk_reconciliation_drift_run FOREIGN KEY (run_id) REFERENCES reconciliation_run (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- changed-since scope pages through recently changed orders
CREATE INDEX ix_fleet_order_updated ON fleet_order (updated_at, id);
