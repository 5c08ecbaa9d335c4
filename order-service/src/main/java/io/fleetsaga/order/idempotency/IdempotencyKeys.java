package io.fleetsaga.order.idempotency;

import java.time.Duration;
import java.util.List;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The {@code idempotency_key} table.
 *
 * <p><b>Guarantee:</b> of any number of concurrent requests with the same key (on any instance), exactly one
 * claims it: the claim is an {@code INSERT} under the primary key, committed on its own before the request
 * runs. The others see the row: a different request hash is a mismatch, a completed row is replayed, a
 * running one is reported in progress. A key whose request died without completing can be taken over
 * after {@link IdempotencySettings#abandonAfter()} by one conditional update. Times come from the database
 * clock.
 */
@Repository
public class IdempotencyKeys {

    private final JdbcTemplate jdbc;
    private final IdempotencySettings settings;

    IdempotencyKeys(JdbcTemplate jdbc, IdempotencySettings settings) {
        this.jdbc = jdbc;
        this.settings = settings;
    }

    /** Claims {@code key} for the request, or tells what happened to it before. Runs outside any transaction. */
    public IdempotencyClaim claim(String principal, String key, String requestHash, String method, String path) {
        try {
            jdbc.update(
                    "INSERT INTO idempotency_key (principal, idem_key, request_hash, method, path, status, created_at)"
                            + " VALUES (?, ?, ?, ?, ?, 'IN_PROGRESS', UTC_TIMESTAMP(6))",
                    principal,
                    key,
                    requestHash,
                    method,
                    path);
            return new IdempotencyClaim.Claimed();
        } catch (DuplicateKeyException taken) {
            return existing(principal, key, requestHash);
        }
    }

    private IdempotencyClaim existing(String principal, String key, String requestHash) {
        List<Row> rows = jdbc.query(
                "SELECT request_hash, method, path, status, response_status, response_content_type, response_etag,"
                        + " response_location, response_body FROM idempotency_key WHERE principal = ? AND idem_key = ?",
                (rs, n) -> new Row(
                        rs.getString("request_hash"),
                        rs.getString("method"),
                        rs.getString("path"),
                        rs.getString("status"),
                        new StoredResponse(
                                rs.getInt("response_status"),
                                rs.getString("response_content_type"),
                                rs.getString("response_etag"),
                                rs.getString("response_location"),
                                rs.getBytes("response_body"))),
                principal,
                key);
        if (rows.isEmpty()) {
            // released (the first request failed) between our insert and this read: the caller tries again
            return new IdempotencyClaim.InProgress();
        }
        Row row = rows.get(0);
        if (!row.requestHash().equals(requestHash)) {
            return new IdempotencyClaim.Mismatch(row.method(), row.path());
        }
        if ("COMPLETED".equals(row.status())) {
            return new IdempotencyClaim.Completed(row.response());
        }
        int takenOver = jdbc.update(
                "UPDATE idempotency_key SET created_at = UTC_TIMESTAMP(6) WHERE principal = ? AND idem_key = ?"
                        + " AND status = 'IN_PROGRESS' AND created_at < UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND",
                principal,
                key,
                settings.abandonAfter().toNanos() / 1000);
        return takenOver == 1 ? new IdempotencyClaim.Claimed() : new IdempotencyClaim.InProgress();
    }

    /** Stores the response of a claimed key. */
    public void complete(String principal, String key, StoredResponse response) {
        jdbc.update(
                "UPDATE idempotency_key SET status = 'COMPLETED', response_status = ?, response_content_type = ?,"
                        + " response_etag = ?, response_location = ?, response_body = ?, completed_at = UTC_TIMESTAMP(6)"
                        + " WHERE principal = ? AND idem_key = ? AND status = 'IN_PROGRESS'",
                response.status(),
                response.contentType(),
                response.etag(),
                response.location(),
                response.body(),
                principal,
                key);
    }

    /** Forgets a claimed key whose request failed with a server error, so that a retry runs again. */
    public void release(String principal, String key) {
        jdbc.update(
                "DELETE FROM idempotency_key WHERE principal = ? AND idem_key = ? AND status = 'IN_PROGRESS'",
                principal,
                key);
    }

    /** Deletes keys older than the retention, in chunks; the number deleted. */
    public int deleteExpired(int chunk) {
        long micros = settings.retention().toNanos() / 1000;
        int total = 0;
        int deleted;
        do {
            deleted = jdbc.update(
                    "DELETE FROM idempotency_key WHERE created_at < UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND LIMIT ?",
                    micros,
                    chunk);
            total += deleted;
        } while (deleted == chunk);
        return total;
    }

    Duration retention() {
        return settings.retention();
    }

    private record Row(String requestHash, String method, String path, String status, StoredResponse response) {}
}
