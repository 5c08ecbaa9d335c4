package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.infra.KafkaBrokerProcess;
import io.fleetsaga.infra.WebhookReceiver;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Incident I-4 across both services (issue 9, failure mode 3; ARCHITECTURE rule 8): the broker is frozen for longer
 * than all attempts of a saga together while dispatchers assign orders. Both services run as processes on a broker of
 * this test's own, assignment-service notifies the courier app (a {@link WebhookReceiver}) through its webhook lane.
 * No saga may give up, every order must end ASSIGNED, and the courier must hear "order added" exactly once per order —
 * never "added" then "removed" from a stale command followed by the saga's compensation.
 *
 * <p>Saga settings: an attempt waits 3 s, the second is the last, so a deadline that ran from the saga's commit would
 * give up about 6.3 s after the assignment; the broker stays frozen (SIGSTOP), or stopped, for 12 s.
 */
class AssignmentBrokerOutageIT {

    static final Duration OUTAGE = Duration.ofSeconds(12);
    static final int ORDERS = 6;

    static KafkaBrokerProcess broker;
    static WebhookReceiver courierApp;
    static SystemStack stack;
    static Workflow flow;

    @BeforeAll
    static void start() throws Exception {
        broker = KafkaBrokerProcess.start(Files.createTempDirectory("system-saga-outage-broker"));
        courierApp = WebhookReceiver.start();
        stack = SystemStack.start(Map.ofEntries(
                Map.entry("spring.kafka.bootstrap-servers", broker.bootstrapServers()),
                Map.entry(
                        "fleetsaga.outbox.webhooks.courier.url",
                        courierApp.url().toString()),
                Map.entry("fleetsaga.outbox.webhooks.courier.connect-timeout", "500ms"),
                Map.entry("fleetsaga.outbox.webhooks.courier.request-timeout", "1s"),
                Map.entry("fleetsaga.outbox.retry.initial-delay", "100ms"),
                Map.entry("fleetsaga.outbox.retry.max-delay", "1s"),
                Map.entry("fleetsaga.outbox.kafka.max-block", "1s"),
                Map.entry("fleetsaga.outbox.kafka.delivery-timeout", "2s"),
                Map.entry("fleetsaga.outbox.publish-timeout", "3s"),
                Map.entry("fleetsaga.outbox.claim-timeout", "5s"),
                Map.entry("fleetsaga.saga.timeout", "3s"),
                Map.entry("fleetsaga.saga.max-attempts", "2"),
                Map.entry("fleetsaga.saga.backoff.initial-delay", "100ms"),
                Map.entry("fleetsaga.saga.backoff.max-delay", "300ms"),
                Map.entry("fleetsaga.saga.check-interval", "200ms")));
        flow = new Workflow(stack);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (courierApp != null) {
            courierApp.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aFrozenBrokerLongerThanAllAttemptsUndoesNoAssignmentAndEachCourierHearsOnce() throws Exception {
        String taskId = flow.task(ORDERS + 1);
        String before = flow.assignedOrder(taskId); // the path works, the listeners have their partitions
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            orders.add(flow.order());
        }

        broker.pause();
        try {
            for (String orderId : orders) {
                HttpResponse<String> accepted = stack.post(
                        stack.orderService,
                        "/api/orders/" + orderId + "/assignment",
                        "{\"taskId\":\"" + taskId + "\"}");
                assertThat(accepted.statusCode())
                        .as("the request path never waits for the broker: %s", accepted.body())
                        .isEqualTo(202);
            }
            await().during(OUTAGE)
                    .atMost(OUTAGE.plusSeconds(20))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> stillWaiting(orders));
        } finally {
            broker.resume();
        }

        for (String orderId : orders) {
            await().atMost(Duration.ofSeconds(90))
                    .until(() ->
                            "ASSIGNED".equals(flow.order(orderId).get("status").asText()));
            JsonNode order = flow.order(orderId);
            assertThat(order.at("/assignment/status").asText()).isEqualTo("CONFIRMED");
            assertThat(actions(order))
                    .as("never compensated")
                    .containsExactly("CREATE", "ASSIGN", "CONFIRM_ASSIGNMENT");
        }
        assertThat(SystemStack.count(
                        stack.ordersDb,
                        "SELECT COUNT(*) FROM assignment_saga WHERE status IN ('STUCK', 'COMPENSATED')"))
                .isZero();

        List<String> all = new ArrayList<>(orders);
        all.add(before);
        await().atMost(Duration.ofSeconds(60)).until(() -> unsentNotifications() == 0);
        Map<String, List<String>> changesPerOrder = courierApp.applied().values().stream()
                .map(AssignmentBrokerOutageIT::json)
                .filter(n -> all.contains(n.path("orderId").asText()))
                .collect(Collectors.groupingBy(
                        n -> n.path("orderId").asText(),
                        Collectors.mapping(n -> n.path("change").asText(), Collectors.toList())));
        assertThat(changesPerOrder.keySet()).containsExactlyInAnyOrderElementsOf(all);
        assertThat(changesPerOrder)
                .as("each courier told once that the order was added, never that it was removed")
                .allSatisfy((orderId, changes) -> assertThat(changes).containsExactly("ORDER_ADDED"));
        JsonNode overview = Workflow.json(stack.get(stack.assignmentService, "/api/tasks/" + taskId, SystemStack.OPS));
        assertThat(overview.get("assignedCount").asInt()).isEqualTo(all.size());
    }

    @Test
    void aStoppedBrokerLongerThanAllAttemptsUndoesNoAssignmentEither() throws Exception {
        String taskId = flow.task(ORDERS);
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            orders.add(flow.order());
        }

        broker.stop(); // graceful: the cluster is gone, connections refused
        try {
            for (String orderId : orders) {
                assertThat(stack.post(
                                        stack.orderService,
                                        "/api/orders/" + orderId + "/assignment",
                                        "{\"taskId\":\"" + taskId + "\"}")
                                .statusCode())
                        .isEqualTo(202);
            }
            await().during(OUTAGE)
                    .atMost(OUTAGE.plusSeconds(20))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> stillWaiting(orders));
        } finally {
            broker.restart();
        }

        for (String orderId : orders) {
            await().atMost(Duration.ofSeconds(120))
                    .until(() ->
                            "ASSIGNED".equals(flow.order(orderId).get("status").asText()));
            assertThat(actions(flow.order(orderId))).containsExactly("CREATE", "ASSIGN", "CONFIRM_ASSIGNMENT");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> unsentNotifications() == 0);
        assertThat(courierApp.applied().values().stream()
                        .map(AssignmentBrokerOutageIT::json)
                        .filter(n -> orders.contains(n.path("orderId").asText()))
                        .map(n -> n.path("change").asText()))
                .as("one ORDER_ADDED per order, nothing removed")
                .hasSize(ORDERS)
                .containsOnly("ORDER_ADDED");
    }

    /** Every order still waits for its assignment and every saga still runs. */
    private static boolean stillWaiting(List<String> orders) throws Exception {
        for (String orderId : orders) {
            JsonNode order = flow.order(orderId);
            if (!"ASSIGNMENT_PENDING".equals(order.get("status").asText())
                    || !"STARTED".equals(order.at("/assignment/status").asText())) {
                return false;
            }
        }
        return true;
    }

    private static long unsentNotifications() {
        return SystemStack.count(
                stack.assignmentsDb,
                "SELECT COUNT(*) FROM outbox_event WHERE event_type = 'CourierTaskChanged' AND status <> 'SENT'");
    }

    private static JsonNode json(String body) {
        return Workflow.JSON.readTree(body);
    }

    private static List<String> actions(JsonNode order) {
        List<String> actions = new ArrayList<>();
        order.get("history").forEach(h -> actions.add(h.get("action").asText()));
        return actions;
    }
}
