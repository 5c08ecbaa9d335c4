package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Issue 5, observability: one dispatcher request followed by its trace id through order-service's outbox, Kafka,
 * assignment-service (its handling, its logs, its reply in its outbox) and back into order-service.
 *
 * <p>order-service logs JSON ({@code logging.structured.format.console=ecs}), assignment-service the text pattern, so
 * both formats are shown to carry the trace, order and event ids. The per-event DEBUG line of the kit and Spring MVC's
 * DEBUG line about the request body are switched on to have a line inside each handling.
 */
class TracingIT {

    static SystemStack stack;
    static Workflow workflow;

    @BeforeAll
    static void startServices() {
        stack = SystemStack.start(
                Map.of("logging.level.io.fleetsaga.common.tracing", "DEBUG"),
                Map.of(
                        "logging.structured.format.console", "ecs",
                        "logging.level.org.springframework.web.servlet.mvc.method.annotation", "DEBUG"),
                1);
        workflow = new Workflow(stack);
    }

    @AfterAll
    static void stopServices() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aDispatcherRequestsTraceTravelsThroughBothServicesTheirOutboxesAndTheirLogs() throws Exception {
        String taskId = workflow.task(2);
        String orderId = workflow.order();
        String traceId = hex(32);
        String incomingSpanId = hex(16);
        Map<String, Object> creation =
                outbox(stack.ordersDb, "1 = 1", orderId).get(0); // the create request's: another trace
        long created = (Long) creation.get("aggregate_version");

        HttpResponse<String> accepted = stack.post(
                stack.orderService,
                "/api/orders/" + orderId + "/assignment",
                "{\"taskId\":\"" + taskId + "\"}",
                Map.of("traceparent", "00-" + traceId + "-" + incomingSpanId + "-01"));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

        // order-service: the request's state change and command carry the dispatcher's trace
        List<Map<String, Object>> requested = outbox(
                stack.ordersDb,
                "event_type IN ('OrderStateChanged', 'AssignOrderRequested') AND aggregate_version = " + (created + 1),
                orderId);
        assertThat(requested)
                .extracting(row -> row.get("event_type"))
                .containsExactlyInAnyOrder("OrderStateChanged", "AssignOrderRequested");
        assertThat(requested).allSatisfy(row -> assertThat(traceIdOf(row)).isEqualTo(traceId));
        assertThat(traceIdOf(creation)).isNotEqualTo(traceId);
        String commandEventId = requested.stream()
                .filter(row -> "AssignOrderRequested".equals(row.get("event_type")))
                .map(row -> (String) row.get("event_id"))
                .findFirst()
                .orElseThrow();

        // assignment-service: its reply carries the same trace
        await().atMost(Duration.ofSeconds(60))
                .until(() -> !outbox(stack.assignmentsDb, "event_type = 'OrderLinked'", orderId)
                        .isEmpty());
        Map<String, Object> reply = outbox(stack.assignmentsDb, "event_type = 'OrderLinked'", orderId)
                .get(0);
        assertThat(traceIdOf(reply)).isEqualTo(traceId);
        String replyEventId = (String) reply.get("event_id");

        // ... and its log names the trace, the order and the command it handled (text pattern)
        await().atMost(Duration.ofSeconds(30))
                .until(() -> lines(stack.assignmentService.log()).stream()
                        .anyMatch(line ->
                                line.contains(traceId) && line.contains(orderId) && line.contains(commandEventId)));

        // back in order-service: the reply is handled in the same trace, and so is the order's next state change
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        "ASSIGNED".equals(workflow.order(orderId).get("status").asText()));
        assertThat(outbox(
                        stack.ordersDb,
                        "event_type = 'OrderStateChanged' AND aggregate_version = " + (created + 2),
                        orderId))
                .singleElement()
                .satisfies(assigned -> assertThat(traceIdOf(assigned)).isEqualTo(traceId));

        // order-service's JSON log: a line of the request (order id, no event) and one of the reply's handling
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<JsonNode> traced = jsonLines(stack.orderService.log()).stream()
                    .filter(line -> traceId.equals(line.path("traceId").asText()))
                    .toList();
            assertThat(traced)
                    .anySatisfy(line -> {
                        assertThat(line.path("orderId").asText()).isEqualTo(orderId);
                        assertThat(line.has("eventId")).isFalse();
                    })
                    .anySatisfy(line -> {
                        assertThat(line.path("orderId").asText()).isEqualTo(orderId);
                        assertThat(line.path("eventId").asText()).isEqualTo(replyEventId);
                        assertThat(line.path("spanId").asText()).hasSize(16);
                    });
        });
    }

    private static List<Map<String, Object>> outbox(String schema, String condition, String orderId) {
        return SystemStack.query(
                schema,
                "SELECT event_id, event_type, aggregate_version, traceparent FROM outbox_event"
                        + " WHERE aggregate_type = 'FleetOrder' AND aggregate_id = ? AND " + condition
                        + " ORDER BY id",
                orderId);
    }

    /** The trace id of a row's W3C traceparent ({@code 00-<trace id>-<span id>-<flags>}). */
    private static String traceIdOf(Map<String, Object> row) {
        String traceparent = (String) row.get("traceparent");
        assertThat(traceparent).as("traceparent of %s", row).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
        return traceparent.split("-")[1];
    }

    private static List<String> lines(Path log) {
        try {
            return Files.readAllLines(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JsonNode> jsonLines(Path log) {
        List<JsonNode> json = new ArrayList<>();
        for (String line : lines(log)) {
            if (line.startsWith("{")) {
                try {
                    json.add(Workflow.JSON.readTree(line));
                } catch (JacksonException e) {
                    // a line still being written, or not a log event
                }
            }
        }
        return json;
    }

    private static String hex(int digits) {
        StringBuilder hex = new StringBuilder();
        while (hex.length() < digits) {
            hex.append(String.format("%016x", ThreadLocalRandom.current().nextLong() | 1));
        }
        return hex.substring(0, digits);
    }
}
