package io.fleetsaga.order.idempotency.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetsaga.order.idempotency.IdempotencyClaim;
import io.fleetsaga.order.idempotency.IdempotencyKeys;
import io.fleetsaga.order.idempotency.IdempotencySettings;
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
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Honours the {@code Idempotency-Key} header on every mutating call ({@code POST, PUT, PATCH, DELETE}) of
 * {@code /api/**}. The header is optional; without it a request simply runs.
 *
 * <p><b>Guarantees.</b> A request is identified by its key (per caller, once the API authenticates) and its
 * hash (SHA-256 of method, path with query, and body bytes).
 * <ul>
 *   <li>The first request with a key runs; its response (status, body, {@code ETag}, {@code Location},
 *       content type) is stored — unless it is a server error (5xx), which frees the key for a retry.
 *   <li>The same request again gets the stored response, with {@code Idempotent-Replayed: true}; nothing
 *       runs a second time. This holds across instances and restarts, for {@code retention}.
 *   <li>A concurrent duplicate waits up to {@code in-progress-wait} for the first to finish and then gets
 *       the stored response; if it is still running, a 409 problem "request in progress".
 *   <li>The same key with a different request is a 422 problem; nothing runs.
 * </ul>
 * The key is claimed in its own committed insert <em>before</em> the request runs, so two requests can never
 * both run. The price: if the instance dies between the request's commit and storing its response, the
 * key stays "in progress" until {@code abandon-after}; a retry after that runs again, and the state machine
 * (an order changes status only once) answers it with a conflict instead of applying it twice.
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
    private final ObjectMapper mapper;

    IdempotencyFilter(IdempotencyKeys keys, IdempotencySettings settings, ObjectMapper mapper) {
        this.keys = keys;
        this.settings = settings;
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
                    response,
                    HttpStatus.BAD_REQUEST,
                    "Invalid idempotency key",
                    HEADER + " must have 1 to " + MAX_KEY_LENGTH + " characters");
            return;
        }
        byte[] body = readBody(request.getInputStream());
        if (body.length > settings.maxBodySize()) {
            problem(
                    response,
                    HttpStatus.PAYLOAD_TOO_LARGE,
                    "Request too large",
                    "a request with an " + HEADER + " may have at most " + settings.maxBodySize() + " bytes");
            return;
        }
        String principal = request.getRemoteUser() == null ? "" : request.getRemoteUser();
        String path =
                request.getRequestURI() + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        String hash = hash(request.getMethod(), path, body);

        IdempotencyClaim claim = claimWaiting(principal, key, hash, request.getMethod(), path);
        if (claim instanceof IdempotencyClaim.Claimed) {
            run(request, response, chain, body, principal, key);
        } else if (claim instanceof IdempotencyClaim.Completed completed) {
            replay(response, completed.response());
        } else if (claim instanceof IdempotencyClaim.Mismatch mismatch) {
            problem(
                    response,
                    HttpStatus.UNPROCESSABLE_ENTITY,
                    "Idempotency key reused",
                    "this " + HEADER + " was used for a different request (" + mismatch.method() + " " + mismatch.path()
                            + "); use a new key for a new request");
        } else {
            response.setHeader(HttpHeaders.RETRY_AFTER, "1");
            problem(
                    response,
                    HttpStatus.CONFLICT,
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
            String principal,
            String key)
            throws ServletException, IOException {
        ContentCachingResponseWrapper captured = new ContentCachingResponseWrapper(response);
        try {
            chain.doFilter(new CachedBodyRequest(request, body), captured);
        } catch (ServletException | IOException | RuntimeException e) {
            keys.release(principal, key);
            throw e;
        }
        try {
            if (captured.getStatus() >= 500) {
                keys.release(principal, key);
            } else {
                keys.complete(
                        principal,
                        key,
                        new StoredResponse(
                                captured.getStatus(),
                                captured.getContentType(),
                                captured.getHeader(HttpHeaders.ETAG),
                                captured.getHeader(HttpHeaders.LOCATION),
                                captured.getContentAsByteArray()));
            }
        } catch (RuntimeException e) {
            // the request itself succeeded; the key stays "in progress" until it may be taken over
            log.error("could not store the response for idempotency key {}: {}", key, e.toString());
        }
        captured.copyBodyToResponse();
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

    private void problem(HttpServletResponse response, HttpStatus status, String title, String detail)
            throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(mapper.writeValueAsBytes(problem));
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
