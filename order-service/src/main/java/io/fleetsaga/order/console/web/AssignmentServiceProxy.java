package io.fleetsaga.order.console.web;

import io.fleetsaga.common.web.Problems;
import io.fleetsaga.order.console.ConsoleSettings;
import io.fleetsaga.order.reconciliation.ReconciliationSettings;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The ops console's only way to assignment-service, which is another origin the browser must not call: a
 * pass-through of exactly the calls the console needs, under {@code /api/ops/assignment-service/} (role OPS here,
 * like every {@code /api/ops/**} call):
 *
 * <ul>
 *   <li>{@code GET api/tasks/{taskId}} — the task's real-time overview
 *   <li>{@code GET api/ops/outbox}, {@code GET api/ops/outbox/parked} — the backlog, the parked events
 *   <li>{@code POST api/ops/outbox/parked/{eventId}/requeue} — re-queue a parked event
 *   <li>{@code POST api/ops/outbox/parked/requeue} — re-queue parked events in bulk (filter in the query string)
 *   <li>{@code GET actuator/health} — health with the listener details
 *   <li>{@code GET api/ops/dead-letters}, {@code GET api/ops/dead-letters/{topic}/{partition}} — the dead-letter
 *       topics, a partition's dead letters
 *   <li>{@code POST api/ops/dead-letters/{topic}/{partition}/{offset}/replay}, {@code …/discard},
 *       {@code POST api/ops/dead-letters/replay} — replay or discard one, replay all (their query string — {@code
 *       force}, {@code topic}, {@code limit} — is passed on)
 * </ul>
 *
 * The caller's own {@code Authorization} (and {@code Accept}) header goes along — the same users exist in both
 * services, so assignment-service decides again what this user may do; the service's own identity (role SERVICE)
 * is never lent to a browser. Status, content type and body come back unchanged; a GET's query string is passed
 * on (of a POST only where the route says so), request bodies are not (no forwarded POST takes one). Any other method or path is a 404 problem and reaches
 * nothing; ids are restricted to the characters the services allow, so a path cannot climb out ({@code ..}) or
 * smuggle encoded characters. Unreachable: 502; no answer within {@code fleetsaga.console.proxy-timeout}: 504.
 */
@RestController
@RequestMapping(AssignmentServiceProxy.PREFIX + "/**")
class AssignmentServiceProxy {

    static final String PREFIX = "/api/ops/assignment-service";

    private static final Logger log = LoggerFactory.getLogger(AssignmentServiceProxy.class);

    /** An id segment as assignment-service accepts it, but never {@code .} or {@code ..} (no leading dot). */
    private static final String ID = "[A-Za-z0-9_:-][A-Za-z0-9._:-]{0,63}";

    private static final String UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

    /** A Kafka topic name (never {@code .} or {@code ..}), a partition, an offset. */
    private static final String TOPIC = "[A-Za-z0-9_-][A-Za-z0-9._-]{0,248}";

    private static final String PARTITION = "[0-9]{1,9}";
    private static final String OFFSET = "[0-9]{1,19}";
    private static final String DEAD_LETTER = "api/ops/dead-letters/" + TOPIC + "/" + PARTITION + "/" + OFFSET;

    private static final List<Route> ROUTES = List.of(
            new Route(HttpMethod.GET, "api/tasks/" + ID),
            new Route(HttpMethod.GET, "api/ops/outbox"),
            new Route(HttpMethod.GET, "api/ops/outbox/parked"),
            new Route(HttpMethod.POST, "api/ops/outbox/parked/" + UUID + "/requeue"),
            new Route(HttpMethod.POST, "api/ops/outbox/parked/requeue", true),
            new Route(HttpMethod.GET, "actuator/health"),
            new Route(HttpMethod.GET, "api/ops/dead-letters"),
            new Route(HttpMethod.GET, "api/ops/dead-letters/" + TOPIC + "/" + PARTITION),
            new Route(HttpMethod.POST, DEAD_LETTER + "/replay", true),
            new Route(HttpMethod.POST, DEAD_LETTER + "/discard"),
            new Route(HttpMethod.POST, "api/ops/dead-letters/replay", true));

    private final String baseUrl;
    private final Duration timeout;
    private final HttpClient http;

    AssignmentServiceProxy(ReconciliationSettings reconciliation, ConsoleSettings console) {
        String url = reconciliation.assignmentService().url().toString();
        this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.timeout = console.proxyTimeout();
        this.http = HttpClient.newBuilder()
                .connectTimeout(reconciliation.assignmentService().connectTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @RequestMapping
    ResponseEntity<?> forward(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length() + PREFIX.length());
        HttpMethod method = HttpMethod.valueOf(request.getMethod());
        Route route = path.startsWith("/")
                ? ROUTES.stream()
                        .filter(r -> r.matches(method, path.substring(1)))
                        .findFirst()
                        .orElse(null)
                : null;
        if (route == null) {
            return problem(
                    HttpStatus.NOT_FOUND,
                    "not-forwarded",
                    "Not forwarded",
                    method + " " + (path.length() > 200 ? path.substring(0, 200) + "…" : path)
                            + " is not passed to assignment-service; only " + ROUTES);
        }
        String query = method == HttpMethod.GET || route.query() ? request.getQueryString() : null;
        URI target;
        try {
            target = URI.create(baseUrl + path + (query == null ? "" : "?" + query));
        } catch (IllegalArgumentException e) {
            return problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", "malformed query string");
        }
        HttpRequest.Builder call = HttpRequest.newBuilder(target)
                .timeout(timeout)
                .method(method.name(), HttpRequest.BodyPublishers.noBody());
        for (String header : List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.ACCEPT)) {
            String value = request.getHeader(header);
            if (value != null) {
                call.header(header, value);
            }
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(call.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            log.warn("assignment-service did not answer {} {} within {}", method, path, timeout);
            return problem(
                    HttpStatus.GATEWAY_TIMEOUT,
                    "assignment-service-timeout",
                    "assignment-service did not answer",
                    "no answer from assignment-service within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            log.warn("assignment-service unreachable for {} {}: {}", method, path, e.toString());
            return unreachable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unreachable();
        }
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(response.statusCode());
        response.headers()
                .firstValue(HttpHeaders.CONTENT_TYPE)
                .ifPresent(type -> answer.header(HttpHeaders.CONTENT_TYPE, type));
        return answer.body(response.body());
    }

    private static ResponseEntity<ProblemDetail> unreachable() {
        return problem(
                HttpStatus.BAD_GATEWAY,
                "assignment-service-unreachable",
                "assignment-service unreachable",
                "assignment-service could not be reached");
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = Problems.of(status, type, title, detail);
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    /**
     * A forwarded call: the method and the path after the prefix (a regular expression); {@code query}: a POST's query
     * string is passed on too (a GET's always is).
     */
    private record Route(HttpMethod method, Pattern path, boolean query) {

        Route(HttpMethod method, String path) {
            this(method, Pattern.compile(path), false);
        }

        Route(HttpMethod method, String path, boolean query) {
            this(method, Pattern.compile(path), query);
        }

        boolean matches(HttpMethod method, String path) {
            return this.method.equals(method) && this.path.matcher(path).matches();
        }

        @Override
        public String toString() {
            return method + " "
                    + path.pattern()
                            .replace(ID, "{taskId}")
                            .replace(UUID, "{eventId}")
                            .replace(TOPIC, "{topic}")
                            .replace(PARTITION + "/" + OFFSET, "{partition}/{offset}")
                            .replace(PARTITION, "{partition}");
        }
    }
}
