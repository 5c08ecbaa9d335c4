package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walking skeleton, end to end: order-service commits an order and its outbox event in one
 * transaction, its relay publishes the event, assignment-service consumes it through its inbox and commits
 * its own effect. Two service processes, two databases, one real broker.
 */
class WalkingSkeletonIT {

    static SystemStack stack;

    @BeforeAll
    static void startServices() {
        stack = SystemStack.start(Map.of());
    }

    @AfterAll
    static void stopServices() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void anOrderCreatedInOrderServiceArrivesInAssignmentServiceThroughOutboxKafkaAndInbox() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String orderId = "order-" + UUID.randomUUID();
            ids.add(orderId);
            HttpResponse<String> created =
                    stack.post(stack.orderService, "/api/orders", "{\"orderId\":\"" + orderId + "\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        }

        await().atMost(Duration.ofSeconds(60))
                .until(() -> SystemStack.count(stack.assignmentsDb, "SELECT COUNT(*) FROM inbox_message") >= 5);
        for (String id : ids) {
            assertThat(SystemStack.query(stack.ordersDb, "SELECT status FROM outbox_event WHERE aggregate_id = ?", id))
                    .containsOnly(Map.of("status", "SENT"));
        }
        assertThat(SystemStack.count(
                        stack.assignmentsDb,
                        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                                + " AND table_name = 'fleet_order'"))
                .as("assignment-service's database has none of order-service's tables")
                .isZero();
    }

    @Test
    void bothServicesExposeOpenHealthGroupsAndPrometheusMetrics() {
        for (var service : List.of(stack.orderService, stack.assignmentService)) {
            assertThat(stack.get(service, "/actuator/health/liveness", null).statusCode())
                    .isEqualTo(200);
            HttpResponse<String> metrics = stack.get(service, "/actuator/prometheus", null);
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("outbox_events_pending{application=\"" + service.name() + "\"")
                    .contains("outbox_oldest_pending_age_seconds")
                    .contains("outbox_events_parked");
        }
    }

    @Test
    void theApiWantsCredentialsAndTheRightRole() {
        HttpResponse<String> anonymous = stack.get(stack.orderService, "/api/orders/x", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(stack.get(stack.orderService, "/api/orders/unknown", SystemStack.OPS)
                        .statusCode())
                .isEqualTo(404);
    }
}
