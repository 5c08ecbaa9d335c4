package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.infra.EmbeddedMariaDb;
import io.fleetsaga.infra.RealInfrastructure;
import io.fleetsaga.infra.ServiceProcess;
import io.fleetsaga.infra.TcpProxy;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A database that does not answer (issue 9, failure modes 5 and 9), with small timeouts (socket 3 s, pool 1 s):
 * frozen with SIGSTOP, or every connection black-holed by a TCP proxy (half-open, as after a network partition).
 * During the outage HTTP requests fail fast with 503, {@code Retry-After} and problem details, and the watchdog
 * flags the relay that cannot complete a poll; after it, relay, listeners and leases resume by themselves: an
 * order is assigned end to end, a reconciliation run (lease taken, renewed, released) completes, the watchdog
 * clears.
 */
class DatabaseOutageIT {

    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(1);
    /** A request during the outage must be answered within this: one statement cut by the socket timeout, one wait for a connection, margin. */
    private static final Duration FAST = SOCKET_TIMEOUT.plus(CONNECTION_TIMEOUT).plusSeconds(3);

    static TcpProxy proxy;
    static SystemStack stack;
    static Workflow workflow;
    static EmbeddedMariaDb database;

    @BeforeAll
    static void start() {
        RealInfrastructure infra = RealInfrastructure.get();
        Assumptions.assumeTrue(infra.database() instanceof EmbeddedMariaDb, "needs the embedded database to freeze it");
        database = (EmbeddedMariaDb) infra.database();
        proxy = TcpProxy.start("127.0.0.1", database.port());
        Map<String, String> small = Map.of(
                "spring.datasource.hikari.data-source-properties.socketTimeout",
                        String.valueOf(SOCKET_TIMEOUT.toMillis()),
                "spring.datasource.hikari.data-source-properties.connectTimeout", "1000",
                "spring.datasource.hikari.connection-timeout", String.valueOf(CONNECTION_TIMEOUT.toMillis()),
                "spring.datasource.hikari.validation-timeout", "500",
                "fleetsaga.watchdog.check-interval", "500ms",
                "fleetsaga.watchdog.bounds.outbox-relay-kafka", "2s",
                "fleetsaga.consumer.health.check-interval", "500ms");
        stack = SystemStack.start(
                small,
                Map.of("fleetsaga.reconciliation.lease-ttl", "6s", "fleetsaga.idempotency.abandon-after", "3s"),
                1,
                url -> url.replace("127.0.0.1:" + database.port() + "/", "127.0.0.1:" + proxy.port() + "/"));
        workflow = new Workflow(stack);
    }

    @AfterAll
    static void stop() {
        if (database != null) {
            database.resume();
        }
        if (stack != null) {
            stack.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void aFrozenDatabaseAnswers503FastAndEveryLoopResumesAfterIt() throws Exception {
        String taskId = workflow.task(1000);
        workflow.assignedOrder(taskId);

        database.pause();
        long frozen = System.nanoTime();
        try {
            duringTheOutage();
            // longer than the socket timeout, so that every statement in flight was cut
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> System.nanoTime() - frozen
                            > SOCKET_TIMEOUT.plusSeconds(3).toNanos());
        } finally {
            database.resume();
        }

        afterTheOutage(taskId);
    }

    @Test
    void aBlackHoledDatabaseConnectionAnswers503FastAndEveryLoopResumesAfterIt() throws Exception {
        String taskId = workflow.task(1000);
        workflow.assignedOrder(taskId);

        proxy.blackHole();
        long cut = System.nanoTime();
        try {
            duringTheOutage();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> System.nanoTime() - cut
                            > SOCKET_TIMEOUT.plusSeconds(3).toNanos());
        } finally {
            proxy.restore();
        }

        afterTheOutage(taskId);
    }

    /** An order created with an Idempotency-Key during the outage (answered 503), retried after it. */
    private static String keyedOrder;

    private static String keyedKey;

    private static void duringTheOutage() {
        // the key is claimed in a filter before any controller: its 503 must not be a container error, and must
        // leave the key free for the client's retry
        keyedOrder = "o-keyed-" + UUID.randomUUID();
        keyedKey = "k-outage-" + UUID.randomUUID();
        answers503Fast(
                stack.orderService,
                "/api/orders",
                "{\"orderId\":\"" + keyedOrder + "\"}",
                Map.of("Idempotency-Key", keyedKey));
        for (int i = 0; i < 2; i++) {
            answers503Fast(stack.orderService, "/api/orders", "{\"orderId\":\"o-" + UUID.randomUUID() + "\"}");
            answers503Fast(
                    stack.assignmentService,
                    "/api/tasks",
                    "{\"taskId\":\"t-" + UUID.randomUUID() + "\",\"courierId\":\"c-1\",\"capacity\":5}");
        }
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> stalled(stack.orderService, "outbox-relay-kafka") == 1.0
                        && stalled(stack.assignmentService, "outbox-relay-kafka") == 1.0);
    }

    private static void afterTheOutage(String taskId) throws Exception {
        // The claim's INSERT may reach a frozen database late and commit after the 503: the key then stays "in
        // progress" (nothing committed under it) until abandon-after, and the client's retry — 409 with Retry-After
        // meanwhile, or 503 while the pool still meets half-open connections — creates the order once.
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    HttpResponse<String> retried = stack.post(
                            stack.orderService,
                            "/api/orders",
                            "{\"orderId\":\"" + keyedOrder + "\"}",
                            Map.of("Idempotency-Key", keyedKey));
                    if (retried.statusCode() == 409 || retried.statusCode() == 503) {
                        assertThat(retried.headers().firstValue("Retry-After"))
                                .as(retried.body())
                                .isPresent();
                        return false;
                    }
                    assertThat(retried.statusCode()).as(retried.body()).isEqualTo(201);
                    return true;
                });
        JsonNode keyed = workflow.order(keyedOrder);
        assertThat(keyed.get("status").asText()).isEqualTo("CREATED");
        assertThat(keyed.get("history")).as("created once, nothing else").hasSize(1);
        // relay (order-service) -> listener (assignment-service) -> relay (assignment-service) -> listener (saga)
        String orderId = workflow.order();
        HttpResponse<String> accepted = stack.post(
                stack.orderService, "/api/orders/" + orderId + "/assignment", "{\"taskId\":\"" + taskId + "\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() ->
                        "ASSIGNED".equals(workflow.order(orderId).get("status").asText()));
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> stalled(stack.orderService, "outbox-relay-kafka") == 0.0
                        && stalled(stack.assignmentService, "outbox-relay-kafka") == 0.0
                        && stalled(stack.assignmentService, "kafka-listener-order-events") == 0.0);
        // the lease is taken, renewed while the run goes on, released
        workflow.reconcile("{}");
    }

    private static void answers503Fast(ServiceProcess service, String path, String json) {
        answers503Fast(service, path, json, Map.of());
    }

    private static void answers503Fast(ServiceProcess service, String path, String json, Map<String, String> headers) {
        long started = System.nanoTime();
        HttpResponse<String> response = stack.post(service, path, json, headers);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf(
                "[DatabaseOutageIT] %s %s during the outage: %d in %d ms%n",
                service.name(), path, response.statusCode(), took.toMillis());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).contains("urn:fleet-saga:problem:database-unavailable");
        assertThat(took).isLessThan(FAST);
    }

    /** {@code fleetsaga_background_task_stalled{task}} of a service, NaN when absent. */
    private static double stalled(ServiceProcess service, String task) {
        HttpResponse<String> scrape = stack.get(service, "/actuator/prometheus", null);
        for (String line : scrape.body().split("\n")) {
            if (line.startsWith("fleetsaga_background_task_stalled{") && line.contains("task=\"" + task + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }
}
