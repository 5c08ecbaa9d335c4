package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 9, failure mode 8: reconciliation while assignment-service catches up a backlog. Events that order-service
 * published but assignment-service has not yet applied are in flight, however long ago they were published: a run
 * counts a difference as drift only once assignment-service's consumer has applied everything published before the
 * order was seen, and reports the rest as lagging.
 */
class ReconciliationBacklogIT {

    static final int ORDERS = 16;

    static SystemStack stack;
    static Workflow flow;

    @BeforeAll
    static void start() {
        stack = SystemStack.start(Map.of(), Map.of("fleetsaga.reconciliation.grace-period", "1s"), 1);
        flow = new Workflow(stack);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aRunRightAfterTheConsumerRestartsReportsNoDriftAndTheBacklogAsLagging() throws Exception {
        String task = flow.task(ORDERS);
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            String orderId = flow.order();
            HttpResponse<String> accepted = stack.post(
                    stack.orderService, "/api/orders/" + orderId + "/assignment", "{\"taskId\":\"" + task + "\"}");
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            orders.add(orderId);
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> countLinks(task, "ASSIGNED") == ORDERS);
        assertThat(flow.reconcile("{}").get("driftTotal").asInt()).isZero();

        // assignment-service is down while every order is picked up and delivered: 2 × 16 events wait in Kafka
        stack.stopAssignmentService();
        for (String orderId : orders) {
            assertThat(flow.step(orderId, "pickup").statusCode()).isEqualTo(200);
            assertThat(flow.step(orderId, "delivery").statusCode()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        SystemStack.count(stack.ordersDb, "SELECT COUNT(*) FROM outbox_event WHERE status <> 'SENT'")
                                == 0);
        // back, consuming one record per second per partition: the backlog takes a while to drain
        stack.restartAssignmentService(Map.of(
                "spring.kafka.consumer.max-poll-records", "1", "spring.kafka.listener.idle-between-polls", "1s"));

        JsonNode run = flow.reconcile("{}");
        System.out.printf(
                "reconciliation during a consumer backlog: candidates %s, drift %s, lagging %s, unsettled %s;"
                        + " links DELIVERED at the end of the run: %d of %d%n",
                run.get("candidates"),
                run.get("driftTotal"),
                run.get("lagging"),
                run.get("unsettled"),
                countLinks(task, "DELIVERED"),
                ORDERS);
        assertThat(run.get("driftTotal").asInt()).as(run.toString()).isZero();
        assertThat(run.path("lagging").asInt()).as(run.toString()).isPositive();
        int lagging = run.get("lagging").asInt();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(flow.metric("reconciliation_lagging_orders", ""))
                        .isEqualTo(lagging));

        // it catches up by itself: every link ends as order-service says, and a run finds nothing left
        await().atMost(Duration.ofSeconds(120)).until(() -> countLinks(task, "DELIVERED") == ORDERS);
        JsonNode after = flow.reconcile("{}");
        assertThat(after.get("driftTotal").asInt()).as(after.toString()).isZero();
        assertThat(after.get("lagging").asInt()).as(after.toString()).isZero();
        assertThat(after.get("candidates").asInt()).as(after.toString()).isZero();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(flow.metric("reconciliation_lagging_orders", ""))
                        .isZero());
    }

    private static long countLinks(String task, String status) {
        return SystemStack.count(
                stack.assignmentsDb,
                "SELECT COUNT(*) FROM task_order_link WHERE task_id = ? AND order_status = ?",
                task,
                status);
    }
}
