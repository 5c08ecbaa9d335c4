package io.fleetsaga.order.idempotency.web;

import io.fleetsaga.common.web.Problems;
import io.fleetsaga.order.idempotency.IdempotencyClaim;
import io.fleetsaga.order.idempotency.IdempotencyKeys;
import io.fleetsaga.order.idempotency.IdempotencyMetrics;
import io.fleetsaga.order.idempotency.IdempotencyMetrics.Result;
import io.fleetsaga.order.idempotency.IdempotencyMetrics.StoreFailure;
import io.fleetsaga.order.idempotency.IdempotencySettings;
import io.fleetsaga.order.idempotency.IdempotentRequest;
import io.fleetsaga.order.idempotency.StoredResponse;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;
import tools.jackson.databind.ObjectMapper;

/**
 * Honours the {@code Idempotency-Key} header on every mutating call ({@code POST, PUT, PATCH, DELETE}) of
 * {@code /api/**}. The header is optional; without it a request simply runs.
 *
 * <p><b>Guarantees.</b> A request is identified by its key (per caller) and its hash (SHA-256 of method, path
 * with query, and body bytes).
 * <ul>
 *   <li>The key is claimed (an {@code INSERT} under the primary key, with a claim token) before the request runs,
 *       so two requests with one key never run at the same time.
 *   <li>A request that changes something stores its response (status, body, {@code ETag}, {@code Location},
 *       content type) <em>in the transaction of its effect</em> ({@link IdempotentResponses}): the effect and the
 *       stored response commit together. A retry after a crash between that commit and the HTTP response —
 *       whenever it comes — gets the stored response; nothing runs twice.
 *   <li>Only final outcomes are stored: 2xx and the 4xx that a retry cannot change. A 5xx, a 408/425/429 and any
 *       response with {@code Retry-After} (a 409 "concurrent modification", a 503) free the key, so that the
 *       client's retry runs again; so does a response its controller marked {@link IdempotentResponses#notFinal}
 *       (a batch with transient item errors). A final 4xx committed nothing and is stored after the request; if
 *       that fails, the failure is counted ({@code idempotency_store_failures_total}), logged as an error, and
 *       the key freed — running the request again is safe because nothing of it was committed.
 *   <li>The same request again gets the stored response, with {@code Idempotent-Replayed: true}, across instances
 *       and restarts, for {@code retention}. A concurrent duplicate waits up to {@code in-progress-wait} for the
 *       first to finish and then gets the stored response, or a 409 problem "request in progress" with
 *       {@code Retry-After}.
 *   <li>A key still in progress has, by construction, nothing committed under it: after {@code abandon-after} a
 *       retry takes it over (new token) and runs. If the first request was not dead but slow, its transaction
 *       finds its token gone and rolls back (409 "request in progress"), so only one of them commits.
 *   <li>The same key with a different request is a 422 problem; nothing runs.
 * </ul>
 * Requests that do not store their response with their effect (the ops commands; a batch, whose items record
 * themselves) have a 2xx stored after the request: for them a crash between their commit and that store lets a
 * retry after {@code abandon-after} run them again (docs/order-api.md).
 *
 * <p>Runs after authentication (default filter order), so {@code getRemoteUser()} is the caller.
 */
@Component
class IdempotencyFilter extends OncePerRequestFilter {

    static final String HEADER = "Idempotency-Key";
    static final String REPLAYED = "Idempotent-Replayed";
    private static final int MAX_KEY_LENGTH = 200;
    private static final long POLL_MILLIS = 50;
    private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");

    private static final Logger log = LoggerFactory.getLogger(IdempotencyFilter.class);

    private final IdempotencyKeys keys;
    private final IdempotencySettings settings;
    private final IdempotencyMetrics metrics;
    private final ObjectMapper mapper;

    IdempotencyFilter(
            IdempotencyKeys keys, IdempotencySettings settings, IdempotencyMetrics metrics, ObjectMapper mapper) {
        this.keys = keys;
        this.settings = settings;
        this.metrics = metrics;
        this.mapper = mapper;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return request.getHeader(HEADER) == null
                || !MUTATING.contains(request.getMethod())
                || !request.getRequestURI().startsWith(request.getContextPath() + "/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key = request.getHeader(HEADER).strip();
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            problem(
                    request,
                    response,
                    HttpStatus.BAD_REQUEST,
                    "invalid-idempotency-key",
                    "Invalid idempotency key",
                    HEADER + " must have 1 to " + MAX_KEY_LENGTH + " characters");
            return;
        }
        byte[] body = readBody(request.getInputStream());
        if (body.length > settings.maxBodySize()) {
            problem(
                    request,
                    response,
                    HttpStatus.PAYLOAD_TOO_LARGE,
                    "content-too-large",
                    "Request too large",
                    "a request with an " + HEADER + " may have at most " + settings.maxBodySize() + " bytes");
            return;
        }
        String principal = request.getRemoteUser() == null ? "" : request.getRemoteUser();
        String path =
                request.getRequestURI() + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        String hash = hash(request.getMethod(), path, body);

        IdempotencyClaim claim = claimWaiting(principal, key, hash, request.getMethod(), path);
        if (claim instanceof IdempotencyClaim.Claimed claimed) {
            metrics.counted(claimed.tookOver() ? Result.TOOK_OVER : Result.CLAIMED);
            run(request, response, chain, body, claimed.request());
        } else if (claim instanceof IdempotencyClaim.Completed completed) {
            metrics.counted(Result.REPLAYED);
            replay(response, completed.response());
        } else if (claim instanceof IdempotencyClaim.Mismatch mismatch) {
            metrics.counted(Result.MISMATCH);
            problem(
                    request,
                    response,
                    HttpStatus.UNPROCESSABLE_CONTENT,
                    "idempotency-key-reused",
                    "Idempotency key reused",
                    "this " + HEADER + " was used for a different request (" + mismatch.method() + " " + mismatch.path()
                            + "); use a new key for a new request");
        } else {
            metrics.counted(Result.IN_PROGRESS);
            response.setHeader(HttpHeaders.RETRY_AFTER, "1");
            problem(
                    request,
                    response,
                    HttpStatus.CONFLICT,
                    "request-in-progress",
                    "Request in progress",
                    "a request with this " + HEADER + " is still running; retry later to get its response");
        }
    }

    private IdempotencyClaim claimWaiting(String principal, String key, String hash, String method, String path)
            throws IOException {
        long deadline = System.nanoTime() + settings.inProgressWait().toNanos();
        IdempotencyClaim claim = keys.claim(principal, key, hash, method, path);
        while (claim instanceof IdempotencyClaim.InProgress && System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for a concurrent request with the same key", e);
            }
            claim = keys.claim(principal, key, hash, method, path);
        }
        return claim;
    }

    private void run(
            HttpServletRequest request,
            HttpServletResponse response,
            FilterChain chain,
            byte[] body,
            IdempotentRequest claim)
            throws ServletException, IOException {
        ContentCachingResponseWrapper captured = new ContentCachingResponseWrapper(response);
        request.setAttribute(IdempotentResponses.CLAIM, claim);
        try {
            chain.doFilter(new CachedBodyRequest(request, body), captured);
        } catch (ServletException | IOException | RuntimeException e) {
            // whatever committed stored its response with it (and then this deletes nothing)
            release(claim);
            throw e;
        }
        if (Boolean.TRUE.equals(request.getAttribute(IdempotentResponses.STORED_WITH_EFFECT))) {
            // stored in the transaction of the effect: nothing left that could fail
        } else if (!isFinal(captured) || Boolean.TRUE.equals(request.getAttribute(IdempotentResponses.NOT_FINAL))) {
            release(claim);
        } else {
            storeAfter(claim, captured);
        }
        captured.copyBodyToResponse();
    }

    /** 2xx and the 4xx a retry cannot change; a 5xx, 408/425/429 or anything with {@code Retry-After} is not. */
    private static boolean isFinal(ContentCachingResponseWrapper captured) {
        int status = captured.getStatus();
        return status < 500
                && status != 408
                && status != 425
                && status != 429
                && captured.getHeader(HttpHeaders.RETRY_AFTER) == null;
    }

    /**
     * Stores a final response that no transaction stored: a 4xx (nothing was committed) or a 2xx of a request
     * whose effects recorded themselves (a batch's items) or that has no effect transaction of its own.
     */
    private void storeAfter(IdempotentRequest claim, ContentCachingResponseWrapper captured) {
        int status = captured.getStatus();
        try {
            boolean stored = keys.completeAfter(
                    claim,
                    new StoredResponse(
                            status,
                            captured.getContentType(),
                            captured.getHeader(HttpHeaders.ETAG),
                            captured.getHeader(HttpHeaders.LOCATION),
                            captured.getContentAsByteArray()));
            if (!stored) {
                log.warn(
                        "the {} response for idempotency key {} was not stored: a retry took the key over",
                        status,
                        claim.key());
            }
        } catch (RuntimeException e) {
            if (status >= 400) {
                metrics.storeFailed(StoreFailure.FINAL_4XX);
                log.error(
                        "could not store the {} response for idempotency key {}; freeing the key (the request"
                                + " committed nothing, a retry runs it again): {}",
                        status,
                        claim.key(),
                        e.toString());
                release(claim);
            } else {
                metrics.storeFailed(StoreFailure.AFTER_EFFECT);
                log.error(
                        "could not store the {} response for idempotency key {}; the key stays in progress and a"
                                + " retry takes it over after {}: {}",
                        status,
                        claim.key(),
                        settings.abandonAfter(),
                        e.toString());
            }
        }
    }

    /** Frees the key for a retry; if even that fails, the key is taken over after {@code abandon-after}. */
    private void release(IdempotentRequest claim) {
        try {
            if (keys.release(claim)) {
                metrics.counted(Result.RELEASED);
            }
        } catch (RuntimeException e) {
            log.error(
                    "could not free idempotency key {} (its outcome was not final); a retry takes it over after {}:"
                            + " {}",
                    claim.key(),
                    settings.abandonAfter(),
                    e.toString());
        }
    }

    private static void replay(HttpServletResponse response, StoredResponse stored) throws IOException {
        response.setStatus(stored.status());
        if (stored.contentType() != null) {
            response.setContentType(stored.contentType());
        }
        if (stored.etag() != null) {
            response.setHeader(HttpHeaders.ETAG, stored.etag());
        }
        if (stored.location() != null) {
            response.setHeader(HttpHeaders.LOCATION, stored.location());
        }
        response.setHeader(REPLAYED, "true");
        byte[] body = stored.body() == null ? new byte[0] : stored.body();
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private void problem(
            HttpServletRequest request,
            HttpServletResponse response,
            HttpStatus status,
            String name,
            String title,
            String detail)
            throws IOException {
        Problems.write(request, response, Problems.of(status, name, title, detail), mapper);
    }

    private byte[] readBody(InputStream in) throws IOException {
        return in.readNBytes(settings.maxBodySize() + 1);
    }

    private static String hash(String method, String path, byte[] body) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((method + "\n" + path + "\n").getBytes(StandardCharsets.UTF_8));
            digest.update(body);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
