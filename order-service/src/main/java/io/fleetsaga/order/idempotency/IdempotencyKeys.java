package io.fleetsaga.order.idempotency;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The {@code idempotency_key} table (and {@code idempotency_item}, the applied items of a batch).
 *
 * <p><b>Guarantees.</b>
 * <ul>
 *   <li>Of any number of concurrent requests with the same key (on any instance), exactly one holds it: the claim
 *       is an {@code INSERT} under the primary key, committed on its own before the request runs, with a fresh
 *       claim token. The others see the row: a different request hash is a mismatch, a completed row is
 *       replayed, a running one is in progress.
 *   <li>A successful request stores its response <em>in its own transaction</em> ({@link #completeWithEffect}),
 *       under its claim token: the effect and the outcome commit together or not at all. So a key that is still
 *       {@code IN_PROGRESS} has nothing committed under it, and a claim older than
 *       {@link IdempotencySettings#abandonAfter()} may be taken over (one conditional update, a new token)
 *       without ever running a committed request again. If the first request was not dead but slow, its
 *       transaction finds its token gone and rolls back ({@link IdempotencyClaimLostException}): one of the two
 *       commits, never both.
 *   <li>Outcomes without an effect (a final 4xx) are stored after the request ({@link #completeAfter}), under
 *       the claim token as well.
 * </ul>
 * Times come from the database clock.
 */
@Repository
public class IdempotencyKeys {

    private static final String IN_PROGRESS = "IN_PROGRESS";
    private static final String COMPLETED = "COMPLETED";

    private final JdbcTemplate jdbc;
    private final IdempotencySettings settings;

    IdempotencyKeys(JdbcTemplate jdbc, IdempotencySettings settings) {
        this.jdbc = jdbc;
        this.settings = settings;
    }

    /** Claims {@code key} for the request, or tells what happened to it before. Runs outside any transaction. */
    public IdempotencyClaim claim(String principal, String key, String requestHash, String method, String path) {
        String token = UUID.randomUUID().toString();
        try {
            jdbc.update(
                    "INSERT INTO idempotency_key (principal, idem_key, request_hash, method, path, status,"
                            + " claim_token, created_at) VALUES (?, ?, ?, ?, ?, '" + IN_PROGRESS
                            + "', ?, UTC_TIMESTAMP(6))",
                    principal,
                    key,
                    requestHash,
                    method,
                    path,
                    token);
            return new IdempotencyClaim.Claimed(new IdempotentRequest(principal, key, requestHash, token), false);
        } catch (DuplicateKeyException taken) {
            return existing(principal, key, requestHash, token);
        }
    }

    private IdempotencyClaim existing(String principal, String key, String requestHash, String token) {
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
            // released (the first request's outcome was not final) between our insert and this read: try again
            return new IdempotencyClaim.InProgress();
        }
        Row row = rows.get(0);
        if (!row.requestHash().equals(requestHash)) {
            return new IdempotencyClaim.Mismatch(row.method(), row.path());
        }
        if (COMPLETED.equals(row.status())) {
            return new IdempotencyClaim.Completed(row.response());
        }
        // IN_PROGRESS: nothing is committed under the key (the outcome commits with the effect), so a claim
        // abandoned long enough ago may run again; a new token makes the old claimer's transaction roll back
        int takenOver = jdbc.update(
                "UPDATE idempotency_key SET claim_token = ?, created_at = UTC_TIMESTAMP(6)"
                        + " WHERE principal = ? AND idem_key = ? AND status = '" + IN_PROGRESS + "'"
                        + " AND created_at < UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND",
                token,
                principal,
                key,
                settings.abandonAfter().toNanos() / 1000);
        return takenOver == 1
                ? new IdempotencyClaim.Claimed(new IdempotentRequest(principal, key, requestHash, token), true)
                : new IdempotencyClaim.InProgress();
    }

    /**
     * Stores the response of a request <em>in the request's own transaction</em>, so that it commits with the
     * request's effect or not at all.
     *
     * @throws IdempotencyClaimLostException when the request no longer holds its claim (taken over by a retry):
     *     the caller's transaction must roll back
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void completeWithEffect(IdempotentRequest request, StoredResponse response) {
        if (store(request, response) != 1) {
            throw new IdempotencyClaimLostException(request);
        }
    }

    /**
     * Stores the final response of a request that committed nothing (a 4xx), or whose effects recorded
     * themselves (a batch), after the request. Runs outside any transaction.
     *
     * @return false when the request no longer holds its claim (nothing stored)
     */
    public boolean completeAfter(IdempotentRequest request, StoredResponse response) {
        return store(request, response) == 1;
    }

    private int store(IdempotentRequest request, StoredResponse response) {
        return jdbc.update(
                "UPDATE idempotency_key SET status = '" + COMPLETED + "', response_status = ?,"
                        + " response_content_type = ?, response_etag = ?, response_location = ?, response_body = ?,"
                        + " completed_at = UTC_TIMESTAMP(6)"
                        + " WHERE principal = ? AND idem_key = ? AND claim_token = ? AND status = '" + IN_PROGRESS
                        + "'",
                response.status(),
                response.contentType(),
                response.etag(),
                response.location(),
                response.body(),
                request.principal(),
                request.key(),
                request.claimToken());
    }

    /**
     * Frees the key of a request whose outcome is not final (5xx, or a retryable 4xx such as a 409 with
     * {@code Retry-After}), so that a retry runs again. Only the holder of the claim frees it; a completed key is
     * never freed. Runs outside any transaction.
     *
     * @return whether the key was freed
     */
    public boolean release(IdempotentRequest request) {
        return 1
                == jdbc.update(
                        "DELETE FROM idempotency_key WHERE principal = ? AND idem_key = ? AND claim_token = ?"
                                + " AND status = '" + IN_PROGRESS + "'",
                        request.principal(),
                        request.key(),
                        request.claimToken());
    }

    /**
     * Records the result of one applied item of a batch <em>in the item's own transaction</em>, after checking
     * (and locking until that transaction ends) that the batch still holds its claim.
     *
     * @throws IdempotencyClaimLostException when the batch's claim was taken over: the item's transaction must
     *     roll back
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void recordItem(IdempotentRequest request, int index, byte[] result) {
        List<String> held = jdbc.queryForList(
                "SELECT claim_token FROM idempotency_key WHERE principal = ? AND idem_key = ? AND claim_token = ?"
                        + " AND status = '" + IN_PROGRESS + "' FOR UPDATE",
                String.class,
                request.principal(),
                request.key(),
                request.claimToken());
        if (held.isEmpty()) {
            throw new IdempotencyClaimLostException(request);
        }
        jdbc.update(
                "INSERT INTO idempotency_item (principal, idem_key, request_hash, item_index, result, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))",
                request.principal(),
                request.key(),
                request.requestHash(),
                index,
                result);
    }

    /** The recorded items of earlier runs of the same batch with the same key, by index. */
    public Map<Integer, byte[]> items(IdempotentRequest request) {
        Map<Integer, byte[]> items = new HashMap<>();
        jdbc.query(
                "SELECT item_index, result FROM idempotency_item WHERE principal = ? AND idem_key = ?"
                        + " AND request_hash = ?",
                rs -> {
                    items.put(rs.getInt("item_index"), rs.getBytes("result"));
                },
                request.principal(),
                request.key(),
                request.requestHash());
        return items;
    }

    /** Deletes keys and batch items older than the retention, in chunks; the number deleted. */
    public int deleteExpired(int chunk) {
        return deleteExpired("idempotency_key", chunk) + deleteExpired("idempotency_item", chunk);
    }

    private int deleteExpired(String table, int chunk) {
        long micros = settings.retention().toNanos() / 1000;
        int total = 0;
        int deleted;
        do {
            deleted = jdbc.update(
                    "DELETE FROM " + table + " WHERE created_at < UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND LIMIT ?",
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
