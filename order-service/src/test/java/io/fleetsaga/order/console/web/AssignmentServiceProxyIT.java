package io.fleetsaga.order.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fleetsaga.infra.SpringInfrastructure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The ops console's pass-through to assignment-service, against a stub assignment-service: exactly the console's
 * calls are forwarded, with the caller's own credentials, and come back unchanged; everything else reaches nothing.
 * Also: the console's static files are open, its data is not, and health details are for OPS only.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.kafka.consumer.group-id=order-service-console-proxy-it",
            "fleetsaga.console.proxy-timeout=3s"
        })
@DirtiesContext
class AssignmentServiceProxyIT {

    private static final String PREFIX = "/api/ops/assignment-service/";
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    static final StubAssignmentService stub = new StubAssignmentService();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SpringInfrastructure.register(
                registry, "order_console_" + UUID.randomUUID().toString().substring(0, 8));
        registry.add("fleetsaga.reconciliation.assignment-service.url", stub::url);
    }

    @AfterAll
    static void stopStub() {
        stub.close();
    }

    @LocalServerPort
    int port;

    @BeforeEach
    void resetStub() {
        stub.reset();
    }

    @Test
    void forwardsATaskOverviewWithTheCallersOwnCredentialsAndReturnsItUnchanged() {
        stub.answer("/api/tasks/t-1", 200, "application/json", "{\"taskId\":\"t-1\",\"assignedCount\":2}");

        HttpResponse<String> response = call("GET", PREFIX + "api/tasks/t-1", "ops", "ops-test");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{\"taskId\":\"t-1\",\"assignedCount\":2}");
        assertThat(stub.calls()).singleElement().satisfies(call -> {
            assertThat(call.method()).isEqualTo("GET");
            assertThat(call.uri()).isEqualTo("/api/tasks/t-1");
            assertThat(call.authorization()).isEqualTo(basic("ops", "ops-test"));
        });
    }

    @Test
    void passesErrorsAndOtherContentTypesThroughUnchanged() {
        String problem = "{\"title\":\"Task not found\",\"status\":404,\"detail\":\"no task t-404\"}";
        stub.answer("/api/tasks/t-404", 404, "application/problem+json", problem);
        String health = "{\"status\":\"DOWN\",\"components\":{\"kafkaListeners\":{\"status\":\"DOWN\"}}}";
        stub.answer("/actuator/health", 503, "application/vnd.spring-boot.actuator.v3+json", health);

        HttpResponse<String> missing = call("GET", PREFIX + "api/tasks/t-404", "ops", "ops-test");
        HttpResponse<String> down = call("GET", PREFIX + "actuator/health", "ops", "ops-test");

        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(missing.body()).isEqualTo(problem);
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.headers().firstValue("Content-Type")).hasValue("application/vnd.spring-boot.actuator.v3+json");
        assertThat(down.body()).isEqualTo(health);
    }

    @Test
    void forwardsTheOutboxReadsWithTheirQueryAndTheRequeueAsAPost() {
        String eventId = UUID.randomUUID().toString();
        stub.answer("/api/ops/outbox", 200, "application/json", "{\"pending\":0}");
        stub.answer("/api/ops/outbox/parked", 200, "application/json", "{\"events\":[]}");
        stub.answer(
                "/api/ops/outbox/parked/" + eventId + "/requeue",
                200,
                "application/json",
                "{\"eventId\":\"" + eventId + "\",\"status\":\"PENDING\"}");
        stub.answer("/api/ops/outbox/parked/requeue", 200, "application/json", "{\"requeued\":3,\"more\":false}");

        assertThat(call("GET", PREFIX + "api/ops/outbox", "ops", "ops-test").statusCode())
                .isEqualTo(200);
        assertThat(call("GET", PREFIX + "api/ops/outbox/parked?limit=5", "ops", "ops-test")
                        .body())
                .isEqualTo("{\"events\":[]}");
        HttpResponse<String> requeued =
                call("POST", PREFIX + "api/ops/outbox/parked/" + eventId + "/requeue", "ops", "ops-test");

        assertThat(requeued.statusCode()).isEqualTo(200);
        assertThat(requeued.body()).contains("PENDING");
        assertThat(call("POST", PREFIX + "api/ops/outbox/parked/requeue?reason=HTTP%20400&limit=10", "ops", "ops-test")
                        .body())
                .as("a bulk requeue with its filter in the query string")
                .contains("\"requeued\":3");
        assertThat(stub.calls())
                .extracting(StubAssignmentService.Call::method, StubAssignmentService.Call::uri)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("GET", "/api/ops/outbox"),
                        org.assertj.core.groups.Tuple.tuple("GET", "/api/ops/outbox/parked?limit=5"),
                        org.assertj.core.groups.Tuple.tuple("POST", "/api/ops/outbox/parked/" + eventId + "/requeue"),
                        org.assertj.core.groups.Tuple.tuple(
                                "POST", "/api/ops/outbox/parked/requeue?reason=HTTP%20400&limit=10"));
    }

    @Test
    void forwardsTheDeadLetterCallsWithTheirQuery() {
        String dlt = "fleet.order.events.DLT";
        stub.answer("/api/ops/dead-letters", 200, "application/json", "{\"topics\":[]}");
        stub.answer("/api/ops/dead-letters/" + dlt + "/2", 200, "application/json", "{\"records\":[]}");
        stub.answer("/api/ops/dead-letters/" + dlt + "/2/17/replay", 200, "application/json", "{\"offset\":9}");
        stub.answer("/api/ops/dead-letters/" + dlt + "/2/18/discard", 200, "application/json", "{}");
        stub.answer("/api/ops/dead-letters/replay", 200, "application/json", "{\"replayed\":1}");

        assertThat(call("GET", PREFIX + "api/ops/dead-letters", "ops", "ops-test")
                        .statusCode())
                .isEqualTo(200);
        assertThat(call("GET", PREFIX + "api/ops/dead-letters/" + dlt + "/2?from=5&limit=20", "ops", "ops-test")
                        .body())
                .isEqualTo("{\"records\":[]}");
        assertThat(call("POST", PREFIX + "api/ops/dead-letters/" + dlt + "/2/17/replay?force=true", "ops", "ops-test")
                        .body())
                .isEqualTo("{\"offset\":9}");
        assertThat(call("POST", PREFIX + "api/ops/dead-letters/" + dlt + "/2/18/discard", "ops", "ops-test")
                        .statusCode())
                .isEqualTo(200);
        assertThat(call("POST", PREFIX + "api/ops/dead-letters/replay?topic=" + dlt + "&limit=10", "ops", "ops-test")
                        .body())
                .isEqualTo("{\"replayed\":1}");
        assertThat(stub.calls())
                .extracting(StubAssignmentService.Call::method, StubAssignmentService.Call::uri)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("GET", "/api/ops/dead-letters"),
                        org.assertj.core.groups.Tuple.tuple(
                                "GET", "/api/ops/dead-letters/" + dlt + "/2?from=5&limit=20"),
                        org.assertj.core.groups.Tuple.tuple(
                                "POST", "/api/ops/dead-letters/" + dlt + "/2/17/replay?force=true"),
                        org.assertj.core.groups.Tuple.tuple("POST", "/api/ops/dead-letters/" + dlt + "/2/18/discard"),
                        org.assertj.core.groups.Tuple.tuple(
                                "POST", "/api/ops/dead-letters/replay?topic=" + dlt + "&limit=10"));
    }

    @Test
    void refusesEveryOtherCallWithA404ProblemAndReachesNothing() {
        String eventId = UUID.randomUUID().toString();
        List<String[]> refused = List.of(
                new String[] {"GET", "internal/reconciliation/digests?bucketCount=16"},
                new String[] {"POST", "internal/reconciliation/counter-recompute"},
                new String[] {"POST", "api/tasks"},
                new String[] {"POST", "api/tasks/t-1"},
                new String[] {"POST", "api/tasks/t-1/closure"},
                new String[] {"GET", "api/tasks/t-1/closure"},
                new String[] {"GET", "api/tasks/"},
                new String[] {"GET", "api/tasks/.hidden"},
                new String[] {"GET", "api/ops/outbox/parked/" + eventId + "/requeue"},
                new String[] {"POST", "api/ops/outbox/parked/not-an-event-id/requeue"},
                new String[] {"POST", "api/ops/outbox"},
                new String[] {"GET", "actuator/prometheus"},
                new String[] {"GET", "actuator/env"},
                new String[] {"GET", "actuator/health/liveness"},
                new String[] {"GET", ""},
                new String[] {"DELETE", "api/tasks/t-1"},
                new String[] {"GET", "api/ops/dead-letters/replay"},
                new String[] {"POST", "api/ops/dead-letters"},
                new String[] {"GET", "api/ops/dead-letters/fleet.order.events.DLT/0/1/replay"},
                new String[] {"POST", "api/ops/dead-letters/fleet.order.events.DLT/x/1/replay"},
                new String[] {"POST", "api/ops/dead-letters/fleet.order.events.DLT/0/1/delete"},
                new String[] {"DELETE", "api/ops/dead-letters/fleet.order.events.DLT/0/1"});
        for (String[] request : refused) {
            HttpResponse<String> response = call(request[0], PREFIX + request[1], "ops", "ops-test");
            assertThat(response.statusCode())
                    .as("%s %s", request[0], request[1])
                    .isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.body()).contains("urn:fleet-saga:problem:not-forwarded");
        }
        // paths that try to climb out are stopped before they reach the proxy (request firewall) or by it
        for (String path : List.of(
                "api/tasks/..", "api/tasks/%2e%2e", "api/tasks/t-1%2Fclosure", "api/tasks/..%2F..%2Finternal")) {
            assertThat(call("GET", PREFIX + path, "ops", "ops-test").statusCode())
                    .as(path)
                    .isIn(400, 404);
        }
        assertThat(stub.calls()).isEmpty();
    }

    @Test
    void isForOpsOnly() {
        stub.answer("/api/tasks/t-1", 200, "application/json", "{}");

        assertThat(call("GET", PREFIX + "api/tasks/t-1", null, null).statusCode())
                .isEqualTo(401);
        assertThat(call("GET", PREFIX + "api/tasks/t-1", "ops", "wrong").statusCode())
                .isEqualTo(401);
        assertThat(call("GET", PREFIX + "api/tasks/t-1", "dispatcher", "dispatcher-test")
                        .statusCode())
                .isEqualTo(403);
        assertThat(stub.calls()).isEmpty();
    }

    @Test
    void answers502WhenAssignmentServiceDropsTheConnection() {
        stub.dropConnections("/api/ops/outbox");

        HttpResponse<String> response = call("GET", PREFIX + "api/ops/outbox", "ops", "ops-test");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("urn:fleet-saga:problem:assignment-service-unreachable");
    }

    @Test
    void theConsolesFilesAreOpenButNotItsData() {
        HttpResponse<String> page = call("GET", "/console/", null, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("<script type=\"module\" src=\"console.js\"></script>");
        HttpResponse<String> folder = call("GET", "/console", null, null);
        assertThat(folder.statusCode()).isEqualTo(302);
        assertThat(folder.headers().firstValue("Location"))
                .hasValueSatisfying(location -> assertThat(location).endsWith("/console/"));
        for (String file : List.of("/console/console.js", "/console/console.css", "/console/index.html")) {
            assertThat(call("GET", file, null, null).statusCode()).as(file).isEqualTo(200);
        }
        assertThat(call("POST", "/console/", null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/ops/outbox", null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/ops/reconciliation/runs", "dispatcher", "dispatcher-test")
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void healthDetailsAreShownToOpsOnly() {
        assertThat(call("GET", "/actuator/health", "ops", "ops-test").body()).contains("\"components\"");
        assertThat(call("GET", "/actuator/health", null, null).body()).doesNotContain("\"components\"");
        assertThat(call("GET", "/actuator/health", "dispatcher", "dispatcher-test")
                        .body())
                .doesNotContain("\"components\"");
    }

    private HttpResponse<String> call(String method, String path, String user, String password) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (user != null) {
            request.header("Authorization", basic(user, password));
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** assignment-service as a JDK HTTP server on 127.0.0.1: scripted answers per path, every call recorded. */
    static final class StubAssignmentService implements AutoCloseable {

        record Call(String method, String uri, String authorization) {}

        private record Answer(int status, String contentType, String body) {}

        private final HttpServer server;
        private final List<Call> calls = new CopyOnWriteArrayList<>();
        private final Map<String, Answer> answers = new ConcurrentHashMap<>();
        private final Map<String, Boolean> dropped = new ConcurrentHashMap<>();

        StubAssignmentService() {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", this::handle);
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void answer(String path, int status, String contentType, String body) {
            answers.put(path, new Answer(status, contentType, body));
        }

        void dropConnections(String path) {
            dropped.put(path, true);
        }

        List<Call> calls() {
            return List.copyOf(calls);
        }

        void reset() {
            calls.clear();
            answers.clear();
            dropped.clear();
        }

        private void handle(HttpExchange exchange) throws IOException {
            URI uri = exchange.getRequestURI();
            calls.add(new Call(
                    exchange.getRequestMethod(),
                    uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()),
                    exchange.getRequestHeaders().getFirst("Authorization")));
            if (dropped.containsKey(uri.getPath())) {
                exchange.close(); // no status line: the caller sees a broken connection
                return;
            }
            Answer answer = answers.getOrDefault(uri.getPath(), new Answer(500, "text/plain", "not scripted"));
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            exchange.sendResponseHeaders(answer.status(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
