package io.fleetsaga.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The dispatcher's setup calls before the load (tasks and orders), over the public API like the load itself. */
final class Dispatcher {

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String authorization;

    Dispatcher(String user, String password) {
        this.authorization =
                "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code POST /api/tasks} on assignment-service. */
    void createTask(URI assignmentService, String taskId, int capacity) throws IOException, InterruptedException {
        post(
                assignmentService.resolve("/api/tasks"),
                "{\"taskId\":\"" + taskId + "\",\"courierId\":\"c-" + taskId + "\",\"capacity\":" + capacity + "}");
    }

    /** {@code POST /api/orders} on order-service, {@code threads} at a time. */
    void createOrders(URI orderService, List<String> orderIds, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (String id : orderIds) {
                done.add(pool.submit(() -> {
                    post(orderService.resolve("/api/orders"), "{\"orderId\":\"" + id + "\"}");
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private void post(URI uri, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri)
                        .header("Authorization", authorization)
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201 && response.statusCode() != 200) {
            throw new IllegalStateException(
                    "POST " + uri + " " + body + " → " + response.statusCode() + " " + response.body());
        }
    }
}
