package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The saga "assign order" across both running services: a task that is full, closed or unknown refuses
 * the link and the order is compensated back to CREATED, with the reason visible in its saga state; an
 * open task with room confirms it and counts it.
 */
class AssignmentCompensationIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static SystemStack stack;

    @BeforeAll
    static void start() {
        stack = SystemStack.start(Map.of());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aFullTaskConfirmsTheFirstOrderAndCompensatesTheSecond() throws Exception {
        String taskId = task(1);
        String first = order();
        String second = order();

        assign(first, taskId);
        JsonNode confirmed = awaitSaga(first, "CONFIRMED");
        assertThat(confirmed.get("status").asText()).isEqualTo("ASSIGNED");
        assertThat(confirmed.get("taskId").asText()).isEqualTo(taskId);

        assign(second, taskId);
        JsonNode compensated = awaitSaga(second, "COMPENSATED");
        assertThat(compensated.get("status").asText()).isEqualTo("CREATED");
        assertThat(compensated.get("taskId").isNull()).isTrue();
        assertThat(compensated.get("statusReason").asText()).startsWith("TASK_FULL");
        assertThat(compensated.get("assignment").get("reason").asText()).startsWith("TASK_FULL");

        JsonNode overview = json(stack.get(stack.assignmentService, "/api/tasks/" + taskId, SystemStack.OPS));
        assertThat(overview.get("assignedCount").asInt()).isEqualTo(1);
    }

    @Test
    void aClosedOrUnknownTaskCompensatesWithItsReason() throws Exception {
        String closed = task(5);
        assertThat(stack.post(stack.assignmentService, "/api/tasks/" + closed + "/closure", "{}")
                        .statusCode())
                .isEqualTo(200);
        String toClosed = order();
        String toUnknown = order();

        assign(toClosed, closed);
        assign(toUnknown, "t-does-not-exist");

        assertThat(awaitSaga(toClosed, "COMPENSATED").get("statusReason").asText())
                .startsWith("TASK_CLOSED");
        assertThat(awaitSaga(toUnknown, "COMPENSATED").get("statusReason").asText())
                .startsWith("TASK_NOT_FOUND");
        assertThat(json(stack.get(stack.assignmentService, "/api/tasks/" + closed, SystemStack.OPS))
                        .get("assignedCount")
                        .asInt())
                .isZero();
    }

    private static String task(int capacity) {
        String taskId = "t-" + UUID.randomUUID();
        HttpResponse<String> created = stack.post(
                stack.assignmentService,
                "/api/tasks",
                "{\"taskId\":\"" + taskId + "\",\"courierId\":\"c-7\",\"capacity\":" + capacity + "}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return taskId;
    }

    private static String order() {
        String orderId = "o-" + UUID.randomUUID();
        HttpResponse<String> created =
                stack.post(stack.orderService, "/api/orders", "{\"orderId\":\"" + orderId + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return orderId;
    }

    private static void assign(String orderId, String taskId) {
        HttpResponse<String> accepted = stack.post(
                stack.orderService, "/api/orders/" + orderId + "/assignment", "{\"taskId\":\"" + taskId + "\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    }

    /** Waits until the order's latest saga has {@code status}; returns the order with its saga state. */
    private static JsonNode awaitSaga(String orderId, String status) {
        JsonNode[] order = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            order[0] = json(stack.get(stack.orderService, "/api/orders/" + orderId, SystemStack.DISPATCHER));
            JsonNode saga = order[0].get("assignment");
            return saga != null
                    && !saga.isNull()
                    && status.equals(saga.get("status").asText());
        });
        return order[0];
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
