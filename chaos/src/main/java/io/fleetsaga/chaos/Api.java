package io.fleetsaga.chaos;

import io.fleetsaga.chaos.History.Outcome;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The dispatchers' HTTP client: calls one of a service's instances (round robin, like a load balancer), records
 * every call in the {@link History}, and retries what a well-behaved client retries — a failure that changed nothing
 * and an unknown outcome, always with the same {@code Idempotency-Key}, with exponential backoff and on the next
 * instance.
 */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One answer (or none). */
    record Answer(Outcome outcome, int status, String body, String retryAfter) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JacksonException e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }

        boolean ok() {
            return outcome == Outcome.OK;
        }
    }

    private final HttpClient http;
    private final History history;
    private final Supplier<List<Integer>> orderPorts;
    private final Supplier<List<Integer>> assignmentPorts;
    private final String authorization;
    private final String opsAuthorization;
    private final Duration requestTimeout;
    private final int maxAttempts;
    private final AtomicInteger roundRobin = new AtomicInteger();

    Api(
            History history,
            Supplier<List<Integer>> orderPorts,
            Supplier<List<Integer>> assignmentPorts,
            String user,
            String opsUser,
            String password,
            Duration requestTimeout,
            int maxAttempts) {
        this.history = history;
        this.orderPorts = orderPorts;
        this.assignmentPorts = assignmentPorts;
        this.authorization = basic(user, password);
        this.opsAuthorization = basic(opsUser, password);
        this.requestTimeout = requestTimeout;
        this.maxAttempts = maxAttempts;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** {@code json} as a tree, or an empty object when it is not JSON. */
    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JacksonException e) {
            return JSON.createObjectNode();
        }
    }

    History history() {
        return history;
    }

    /** POSTs to order-service as dispatcher, retrying as described in the class comment. */
    Answer order(String kind, String subject, String path, String body, String key) {
        return call(kind, subject, orderPorts, "POST", path, body, key, authorization);
    }

    /** POSTs to assignment-service as dispatcher. */
    Answer assignment(String kind, String subject, String path, String body, String key) {
        return call(kind, subject, assignmentPorts, "POST", path, body, key, authorization);
    }

    /** GETs from order-service as ops (not recorded: reads change nothing). */
    Answer read(String path) {
        return once(orderPorts, "GET", path, null, null, opsAuthorization);
    }

    /** POSTs to order-service as ops, once, unrecorded (reconciliation runs of the checker). */
    Answer ops(int port, String path, String body) {
        return once(() -> List.of(port), "POST", path, body, null, opsAuthorization);
    }

    /** GETs from one order-service instance as ops, unrecorded. */
    Answer opsRead(int port, String path) {
        return once(() -> List.of(port), "GET", path, null, null, opsAuthorization);
    }

    private Answer call(
            String kind,
            String subject,
            Supplier<List<Integer>> ports,
            String method,
            String path,
            String body,
            String key,
            String auth) {
        Answer answer = null;
        int previous = -1;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            // a retry goes to another instance than the one that just failed (as a load balancer's retry would)
            int port = pick(ports, previous);
            previous = port;
            Instant invoked = Instant.now();
            long started = System.nanoTime();
            answer = send(port, method, path, body, key, auth);
            long latency = (System.nanoTime() - started) / 1_000_000;
            Long version = null;
            String toStatus = null;
            if (answer.ok() && answer.body() != null && answer.body().startsWith("{")) {
                try {
                    JsonNode json = JSON.readTree(answer.body());
                    JsonNode order = json.has("order") ? json.get("order") : json;
                    version = order.hasNonNull("version") ? order.get("version").asLong() : null;
                    toStatus = order.hasNonNull("status") ? order.get("status").asText() : null;
                } catch (JacksonException e) {
                    // recorded without version
                }
            }
            history.record(new History.Op(
                    history.nextId(),
                    kind,
                    subject,
                    key,
                    attempt,
                    port,
                    invoked,
                    latency,
                    answer.outcome(),
                    answer.status(),
                    version,
                    toStatus,
                    excerpt(answer.body())));
            if (answer.outcome() == Outcome.OK || answer.outcome() == Outcome.REJECTED || key == null) {
                return answer;
            }
            backoff(attempt, answer.retryAfter());
        }
        return answer;
    }

    private Answer once(
            Supplier<List<Integer>> ports, String method, String path, String body, String key, String auth) {
        return send(pick(ports), method, path, body, key, auth);
    }

    private int pick(Supplier<List<Integer>> ports) {
        return pick(ports, -1);
    }

    /** The next instance in round-robin order, never {@code avoid} when there is another one. */
    private int pick(Supplier<List<Integer>> ports, int avoid) {
        List<Integer> live = ports.get();
        if (live.isEmpty()) {
            throw new IllegalStateException("no instance to call");
        }
        int port = live.get(Math.floorMod(roundRobin.getAndIncrement(), live.size()));
        if (port == avoid && live.size() > 1) {
            port = live.get(Math.floorMod(live.indexOf(port) + 1, live.size()));
        }
        return port;
    }

    private Answer send(int port, String method, String path, String body, String key, String auth) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(requestTimeout)
                .header("Authorization", auth)
                .header("Accept", "application/json, application/problem+json");
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        if ("POST".equals(method)) {
            request.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body == null ? "{}" : body));
        } else {
            request.GET();
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(
                    classify(response),
                    response.statusCode(),
                    response.body(),
                    response.headers().firstValue("Retry-After").orElse(null));
        } catch (ConnectException e) {
            return new Answer(Outcome.FAILED, 0, "connection refused: " + e.getMessage(), null);
        } catch (HttpTimeoutException e) {
            return new Answer(Outcome.UNKNOWN, 0, "timeout: " + e.getMessage(), null);
        } catch (IOException e) {
            // sent, then the connection broke: it may have run
            return new Answer(Outcome.UNKNOWN, 0, e.getClass().getSimpleName() + ": " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(Outcome.UNKNOWN, 0, "interrupted", null);
        }
    }

    /**
     * 2xx ok; 503 and 409 with {@code Retry-After} changed nothing (the API's promise); other 4xx are final; other
     * 5xx unknown.
     */
    static Outcome classify(HttpResponse<String> response) {
        int status = response.statusCode();
        boolean retryAfter = response.headers().firstValue("Retry-After").isPresent();
        if (status >= 200 && status < 300) {
            return Outcome.OK;
        }
        if (status == 503 || (status == 409 && retryAfter)) {
            return Outcome.FAILED;
        }
        if (status >= 400 && status < 500) {
            return Outcome.REJECTED;
        }
        return Outcome.UNKNOWN;
    }

    private static void backoff(int attempt, String retryAfter) {
        long millis = Math.min(2000, 200L << Math.min(attempt - 1, 4));
        if (retryAfter != null) {
            try {
                millis = Math.max(millis, Math.min(5000, Long.parseLong(retryAfter.strip()) * 1000));
            } catch (NumberFormatException e) {
                // an HTTP date: keep ours
            }
        }
        try {
            Thread.sleep(millis); // the client's retry backoff
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String excerpt(String body) {
        if (body == null) {
            return null;
        }
        return body.length() <= 300 ? body : body.substring(0, 300) + "…";
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
