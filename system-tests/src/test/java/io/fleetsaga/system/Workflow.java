package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The dispatcher's and ops' steps against a {@link SystemStack}, for tests that need orders on tasks. */
final class Workflow {

    static final ObjectMapper JSON = new ObjectMapper();

    private final SystemStack stack;

    Workflow(SystemStack stack) {
        this.stack = stack;
    }

    String task(int capacity) {
        String taskId = "t-" + UUID.randomUUID();
        HttpResponse<String> created = stack.post(
                stack.assignmentService,
                "/api/tasks",
                "{\"taskId\":\"" + taskId + "\",\"courierId\":\"c-7\",\"capacity\":" + capacity + "}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return taskId;
    }

    String order() {
        String orderId = "o-" + UUID.randomUUID();
        HttpResponse<String> created =
                stack.post(stack.orderService, "/api/orders", "{\"orderId\":\"" + orderId + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return orderId;
    }

    /** Creates an order and assigns it to {@code taskId}; waits until the assignment is confirmed. */
    String assignedOrder(String taskId) {
        String orderId = order();
        HttpResponse<String> accepted = stack.post(
                stack.orderService, "/api/orders/" + orderId + "/assignment", "{\"taskId\":\"" + taskId + "\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> "ASSIGNED".equals(order(orderId).get("status").asText()));
        return orderId;
    }

    /** POSTs a status step ({@code pickup}, {@code delivery}, …) of an order; returns the response. */
    HttpResponse<String> step(String orderId, String step) {
        return stack.post(stack.orderService, "/api/orders/" + orderId + "/" + step, "{}");
    }

    JsonNode order(String orderId) throws Exception {
        return json(stack.get(stack.orderService, "/api/orders/" + orderId, SystemStack.DISPATCHER));
    }

    /** Starts a reconciliation run as ops ({@code body} e.g. {@code {"mode":"REPAIR"}}) and waits for its end. */
    JsonNode reconcile(String body) throws Exception {
        HttpResponse<String> started =
                stack.postAs(stack.orderService, "/api/ops/reconciliation/runs", body, SystemStack.OPS);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        long runId = JSON.readTree(started.body()).get("id").asLong();
        JsonNode[] run = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    run[0] = json(
                            stack.get(stack.orderService, "/api/ops/reconciliation/runs/" + runId, SystemStack.OPS));
                    return !"RUNNING".equals(run[0].get("status").asText());
                });
        assertThat(run[0].get("status").asText()).as(run[0].toString()).isEqualTo("COMPLETED");
        return run[0];
    }

    /** The run's drift entries (first 1000). */
    JsonNode drift(long runId) throws Exception {
        return json(stack.get(stack.orderService, "/api/ops/reconciliation/runs/" + runId + "/drift", SystemStack.OPS))
                .get("items");
    }

    /** The value of one sample of order-service's Prometheus scrape, e.g. {@code reconciliation_drift_orders}. */
    double metric(String name, String labels) {
        HttpResponse<String> scrape = stack.get(stack.orderService, "/actuator/prometheus", null);
        assertThat(scrape.statusCode()).isEqualTo(200);
        for (String line : scrape.body().split("\n")) {
            if (line.startsWith(name + "{") && line.contains(labels)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError(name + " with " + labels + " not in the scrape");
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
