package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incident I-1, reproduced end to end: one task with 200 assigned orders; 16 threads deliver half of them
 * and receive the other half back from hold (one by one and in courier batches) at once, mixed with
 * duplicate requests. After quiescence every order's status is mirrored exactly in its link, the task's
 * counters equal what the links imply, nothing is parked or dead-lettered, and no request got a 5xx.
 */
class HotTaskIncidentIT {

    private static final Logger log = LoggerFactory.getLogger(HotTaskIncidentIT.class);
    static final int ORDERS = 200;
    static final int THREADS = 16;

    static SystemStack stack;

    @BeforeAll
    static void start() {
        stack = SystemStack.start(Map.of("spring.kafka.listener.concurrency", "3"));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void concurrentDeliveriesAndReceiptsOnOneHotTaskConverge() throws Exception {
        String taskId = "t-" + UUID.randomUUID();
        HttpResponse<String> task = stack.post(
                stack.assignmentService,
                "/api/tasks",
                "{\"taskId\":\"" + taskId + "\",\"courierId\":\"courier-1\",\"capacity\":" + ORDERS + "}");
        assertThat(task.statusCode()).as(task.body()).isEqualTo(201);
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            orders.add("o-" + i + "-" + UUID.randomUUID().toString().substring(0, 8));
        }
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();

        // set-up: create, assign, pick up; half of them fail delivery and go on hold
        parallel(orders, id -> stack.post(stack.orderService, "/api/orders", "{\"orderId\":\"" + id + "\"}"), 201);
        parallel(
                orders,
                id -> stack.post(
                        stack.orderService, "/api/orders/" + id + "/assignment", "{\"taskId\":\"" + taskId + "\"}"),
                202);
        await().atMost(Duration.ofSeconds(120)).until(() -> countOrders("ASSIGNED") == ORDERS);
        parallel(orders, id -> stack.post(stack.orderService, "/api/orders/" + id + "/pickup", "{}"), 200);
        List<String> toDeliver = orders.subList(0, ORDERS / 2);
        List<String> toReceive = orders.subList(ORDERS / 2, ORDERS);
        parallel(
                toReceive,
                id -> stack.post(
                        stack.orderService, "/api/orders/" + id + "/delivery-failure", "{\"reason\":\"nobody home\"}"),
                200);

        // the incident: everything at once on one task, with duplicates
        List<Runnable> work = new ArrayList<>();
        for (String id : toDeliver) {
            String key = "deliver-" + id;
            for (int copy = 0; copy < 2; copy++) { // the same request twice: applied once, answered twice
                work.add(() -> record(
                        statuses,
                        stack.post(
                                stack.orderService,
                                "/api/orders/" + id + "/delivery",
                                "{}",
                                Map.of("Idempotency-Key", key))));
            }
        }
        List<String> individually = toReceive.subList(0, toReceive.size() / 2);
        for (String id : individually) {
            work.add(() -> record(statuses, stack.post(stack.orderService, "/api/orders/" + id + "/receipt", "{}")));
            // a repeat without a key: the state machine refuses it (409), it is never applied twice
            work.add(() -> record(statuses, stack.post(stack.orderService, "/api/orders/" + id + "/receipt", "{}")));
        }
        List<String> inBatches = toReceive.subList(toReceive.size() / 2, toReceive.size());
        for (int from = 0; from < inBatches.size(); from += 10) {
            List<String> chunk = inBatches.subList(from, Math.min(from + 10, inBatches.size()));
            String body = batch(chunk);
            String key = "batch-" + UUID.randomUUID();
            for (int copy = 0; copy < 2; copy++) {
                work.add(() -> record(
                        statuses,
                        stack.post(
                                stack.orderService,
                                "/api/orders/status-changes",
                                body,
                                Map.of("Idempotency-Key", key))));
            }
        }
        Collections.shuffle(work);
        long started = System.nanoTime();
        runAll(work);

        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(this::converged);
        Duration converged = Duration.ofNanos(System.nanoTime() - started);

        assertThat(statuses.keySet()).as("HTTP statuses seen: %s", statuses).allMatch(status -> status < 500);
        assertThat(countOrders("DELIVERED")).isEqualTo(ORDERS / 2);
        assertThat(countOrders("RECEIVED")).isEqualTo(ORDERS / 2);
        assertThat(SystemStack.query(
                        stack.assignmentsDb,
                        "SELECT assigned_count, delivered_count FROM assignment_task WHERE id = ?",
                        taskId))
                .containsExactly(Map.of("assigned_count", (long) ORDERS / 2, "delivered_count", (long) ORDERS / 2));
        assertThat(SystemStack.count(
                        stack.assignmentsDb,
                        "SELECT COUNT(*) FROM task_order_link WHERE task_id = ? AND order_status = 'DELIVERED'",
                        taskId))
                .isEqualTo(ORDERS / 2);
        for (String schema : List.of(stack.ordersDb, stack.assignmentsDb)) {
            assertThat(SystemStack.count(schema, "SELECT COUNT(*) FROM outbox_event WHERE status = 'PARKED'"))
                    .as("parked in %s", schema)
                    .isZero();
        }
        for (var service : List.of(stack.orderService, stack.assignmentService)) {
            assertThat(stack.get(service, "/actuator/prometheus", null).body())
                    .as("nothing dead-lettered by %s", service.name())
                    .doesNotContain("kafka_dead_letters_total{");
        }
        log.info(
                "I-1 reproduction: {} orders on one task, {} threads, {} requests, statuses {}, converged in {} ms;"
                        + " retries: {}",
                ORDERS,
                THREADS,
                work.size(),
                statuses,
                converged.toMillis(),
                retryMetrics());
    }

    /** Every order's current status and version is what its link mirrors, and the counters match the links. */
    private boolean converged() {
        Map<String, String> truth = new java.util.HashMap<>();
        for (Map<String, Object> row :
                SystemStack.query(stack.ordersDb, "SELECT id, status, version, task_id FROM fleet_order")) {
            truth.put((String) row.get("id"), row.get("status") + "@" + row.get("version"));
        }
        Map<String, String> mirrored = new java.util.HashMap<>();
        for (Map<String, Object> row : SystemStack.query(
                stack.assignmentsDb, "SELECT order_id, order_status, order_version FROM task_order_link")) {
            mirrored.put((String) row.get("order_id"), row.get("order_status") + "@" + row.get("order_version"));
        }
        for (Map.Entry<String, String> order : truth.entrySet()) {
            boolean linked = order.getValue().startsWith("DELIVERED@");
            if (linked
                    ? !order.getValue().equals(mirrored.get(order.getKey()))
                    : mirrored.containsKey(order.getKey())) {
                return false;
            }
        }
        return SystemStack.count(stack.ordersDb, "SELECT COUNT(*) FROM outbox_event WHERE status <> 'SENT'") == 0
                && SystemStack.count(stack.assignmentsDb, "SELECT COUNT(*) FROM outbox_event WHERE status <> 'SENT'")
                        == 0
                && SystemStack.count(
                                stack.assignmentsDb,
                                "SELECT COUNT(*) FROM assignment_task t WHERE t.assigned_count <> (SELECT COUNT(*)"
                                        + " FROM task_order_link l WHERE l.task_id = t.id) OR t.delivered_count <>"
                                        + " (SELECT COUNT(*) FROM task_order_link l WHERE l.task_id = t.id"
                                        + " AND l.order_status = 'DELIVERED')")
                        == 0;
    }

    /** The retry-related series of both services, for the record of what converging cost. */
    private static List<String> retryMetrics() {
        List<String> lines = new ArrayList<>();
        for (var service : List.of(stack.orderService, stack.assignmentService)) {
            for (String line :
                    stack.get(service, "/actuator/prometheus", null).body().split("\n")) {
                if (!line.startsWith("#")
                        && (line.startsWith("orders_write_")
                                || line.startsWith("outbox_publish_failures_total")
                                || line.startsWith("inbox_duplicates_total")
                                || (line.startsWith("spring_kafka_listener_seconds_count")
                                        && line.contains("failure")))) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }

    private long countOrders(String status) {
        return SystemStack.count(stack.ordersDb, "SELECT COUNT(*) FROM fleet_order WHERE status = ?", status);
    }

    private static String batch(List<String> ids) {
        StringBuilder json = new StringBuilder("{\"changes\":[");
        for (int i = 0; i < ids.size(); i++) {
            json.append(i == 0 ? "" : ",")
                    .append("{\"orderId\":\"")
                    .append(ids.get(i))
                    .append("\",\"action\":\"RECEIVE\"}");
        }
        return json.append("]}").toString();
    }

    private static void record(Map<Integer, AtomicInteger> statuses, HttpResponse<String> response) {
        statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger())
                .incrementAndGet();
        if (response.statusCode() >= 500) {
            log.error("5xx: {} {}", response.statusCode(), response.body());
        }
    }

    private static void parallel(List<String> ids, Function<String, HttpResponse<String>> call, int expected)
            throws Exception {
        List<Runnable> work = new ArrayList<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        for (String id : ids) {
            work.add(() -> {
                HttpResponse<String> response = call.apply(id);
                if (response.statusCode() != expected) {
                    failures.add(id + ": " + response.statusCode() + " " + response.body());
                }
            });
        }
        runAll(work);
        assertThat(failures).isEmpty();
    }

    private static void runAll(List<Runnable> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Runnable runnable : work) {
                futures.add(pool.submit(runnable));
            }
            for (Future<?> future : futures) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
