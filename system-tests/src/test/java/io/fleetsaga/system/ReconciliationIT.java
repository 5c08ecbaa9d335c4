package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.infra.Concurrently;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Reconciliation across both running services (issue 4, tests 1, 2 and 4): drift injected straight into
 * assignment-service's database — as a bug or a manual fix would — is found with the right order ids and types,
 * repaired through the event path and confirmed gone by the next run; a run during concurrent updates reports no
 * drift; the ops API is for ops only.
 */
class ReconciliationIT {

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
    void eachInjectedDriftTypeIsReportedWithItsOrdersThenRepairedAndConfirmedGone() throws Exception {
        String taskA = flow.task(20);
        String taskB = flow.task(20);
        String taskC = flow.task(20);
        String missing = flow.assignedOrder(taskA);
        String stale = flow.assignedOrder(taskA);
        String moved = flow.assignedOrder(taskA);
        String orphan = flow.order(); // CREATED, on no task
        String untouched = flow.assignedOrder(taskC);
        assertThat(flow.step(stale, "pickup").statusCode()).isEqualTo(200);
        awaitNoDrift();

        String db = stack.assignmentsDb;
        // missing link: the link row is gone (counters adjusted, so that only the link is wrong)
        assertThat(SystemStack.update(db, "DELETE FROM task_order_link WHERE order_id = ?", missing))
                .isOne();
        SystemStack.update(db, "UPDATE assignment_task SET assigned_count = assigned_count - 1 WHERE id = ?", taskA);
        // orphan link: an order on no task is linked
        SystemStack.update(
                db,
                "INSERT INTO task_order_link (order_id, task_id, order_status, order_version, linked_at, updated_at)"
                        + " VALUES (?, ?, 'ASSIGNED', 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                orphan,
                taskA);
        SystemStack.update(db, "UPDATE assignment_task SET assigned_count = assigned_count + 1 WHERE id = ?", taskA);
        // stale status: DELIVERING in order-service, the link still shows ASSIGNED one version back
        assertThat(SystemStack.update(
                        db,
                        "UPDATE task_order_link SET order_status = 'ASSIGNED', order_version = order_version - 1"
                                + " WHERE order_id = ? AND order_status = 'DELIVERING'",
                        stale))
                .isOne();
        // wrong task: the link moved to task B (counters moved with it)
        SystemStack.update(db, "UPDATE task_order_link SET task_id = ? WHERE order_id = ?", taskB, moved);
        SystemStack.update(db, "UPDATE assignment_task SET assigned_count = assigned_count - 1 WHERE id = ?", taskA);
        SystemStack.update(db, "UPDATE assignment_task SET assigned_count = assigned_count + 1 WHERE id = ?", taskB);
        // counter mismatch: task C counts three orders it does not have
        SystemStack.update(db, "UPDATE assignment_task SET assigned_count = assigned_count + 3 WHERE id = ?", taskC);

        JsonNode dryRun = flow.reconcile("{\"mode\":\"DRY_RUN\"}");
        assertThat(dryRun.get("drift").toString())
                .isEqualTo("{\"MISSING_LINK\":1,\"ORPHAN_LINK\":1,\"STALE_STATUS\":1,\"WRONG_TASK\":1,"
                        + "\"COUNTER_MISMATCH\":1,\"BLOCKED\":0}");
        Map<String, String> byType = new HashMap<>();
        for (JsonNode entry : flow.drift(dryRun.get("id").asLong())) {
            String subject = entry.get("type").asText().equals("COUNTER_MISMATCH")
                    ? entry.get("taskId").asText()
                    : entry.get("orderId").asText();
            assertThat(byType.put(entry.get("type").asText(), subject)).isNull();
            assertThat(entry.get("repair").isNull()).isTrue();
        }
        assertThat(byType)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "MISSING_LINK", missing,
                        "ORPHAN_LINK", orphan,
                        "STALE_STATUS", stale,
                        "WRONG_TASK", moved,
                        "COUNTER_MISMATCH", taskC));
        assertThat(byType).doesNotContainValue(untouched);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(flow.metric("reconciliation_drift_orders", "type=\"wrong_task\""))
                        .isEqualTo(1.0));
        // a dry run changes nothing
        assertThat(SystemStack.count(db, "SELECT COUNT(*) FROM task_order_link WHERE order_id = ?", missing))
                .isZero();

        JsonNode repair = flow.reconcile("{\"mode\":\"REPAIR\"}");
        assertThat(repair.get("driftTotal").asInt()).isEqualTo(5);
        assertThat(repair.get("repairs").toString())
                .isEqualTo("{\"PUBLISHED\":4,\"RECOMPUTED\":1,\"SKIPPED\":0,\"FAILED\":0}");

        JsonNode confirmed = awaitNoDrift();
        assertThat(confirmed.get("id").asLong()).isGreaterThan(repair.get("id").asLong());
        assertThat(SystemStack.query(
                        db, "SELECT task_id, order_status FROM task_order_link WHERE order_id = ?", missing))
                .containsExactly(Map.of("task_id", taskA, "order_status", "ASSIGNED"));
        assertThat(SystemStack.count(db, "SELECT COUNT(*) FROM task_order_link WHERE order_id = ?", orphan))
                .isZero();
        assertThat(SystemStack.query(db, "SELECT task_id, order_status FROM task_order_link WHERE order_id = ?", stale))
                .containsExactly(Map.of("task_id", taskA, "order_status", "DELIVERING"));
        assertThat(SystemStack.query(db, "SELECT task_id FROM task_order_link WHERE order_id = ?", moved))
                .containsExactly(Map.of("task_id", taskA));
        String counters = "SELECT assigned_count FROM assignment_task WHERE id = ?";
        assertThat(SystemStack.count(db, counters, taskA)).isEqualTo(3); // missing, stale and moved are back
        assertThat(SystemStack.count(db, counters, taskB)).isZero();
        assertThat(SystemStack.count(db, counters, taskC)).isOne();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String type :
                    List.of("missing_link", "orphan_link", "stale_status", "wrong_task", "counter_mismatch")) {
                assertThat(flow.metric("reconciliation_drift_orders", "type=\"" + type + "\""))
                        .as(type)
                        .isZero();
            }
        });
    }

    /**
     * Issue 9, failure mode 2: an order whose outbox head is parked is held back for good — its later events wait
     * behind the parked one. Reconciliation reports it as BLOCKED with the parked event (also when both sides
     * agree, as long as nothing changed after the parked event), never as "still moving"; a repair supersedes the
     * parked state event by the order's current state, the events behind it flow, and the next run finds nothing.
     */
    @Test
    void anOrderHeldBackByAParkedEventIsReportedBlockedRepairedAndGoneInTheNextRun() throws Exception {
        String task = flow.task(20);
        String heldBack = flow.assignedOrder(task);
        String agreeing = flow.assignedOrder(task);
        awaitNoDrift();
        // the order's next state event parked (e.g. the broker refused it) and two later changes wait behind it
        String heldBackEvent = park(heldBack);
        assertThat(flow.step(heldBack, "pickup").statusCode()).isEqualTo(200);
        assertThat(flow.step(heldBack, "delivery").statusCode()).isEqualTo(200);
        // a parked head with nothing behind it: both sides agree, yet the order can publish nothing more
        String agreeingEvent = park(agreeing);

        JsonNode dryRun = flow.reconcile("{}");
        assertThat(dryRun.path("drift").path("BLOCKED").asInt())
                .as(dryRun.toString())
                .isEqualTo(2);
        assertThat(dryRun.get("driftTotal").asInt()).as(dryRun.toString()).isEqualTo(2);
        assertThat(dryRun.get("unsettled").asInt()).isZero();
        Map<String, JsonNode> blocked = new HashMap<>();
        for (JsonNode entry : flow.drift(dryRun.get("id").asLong())) {
            assertThat(entry.get("type").asText()).isEqualTo("BLOCKED");
            blocked.put(entry.get("orderId").asText(), entry);
        }
        assertThat(blocked).containsOnlyKeys(heldBack, agreeing);
        JsonNode event = blocked.get(heldBack).get("event");
        assertThat(event.get("eventId").asText()).isEqualTo(heldBackEvent);
        assertThat(event.get("eventType").asText()).isEqualTo("OrderStateChanged");
        assertThat(event.get("error").asText()).contains("RecordTooLargeException");
        assertThat(blocked.get(heldBack).get("expected").asText()).contains("DELIVERED");
        assertThat(blocked.get(agreeing).get("event").get("eventId").asText()).isEqualTo(agreeingEvent);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(flow.metric("reconciliation_drift_orders", "type=\"blocked\""))
                        .isEqualTo(2.0));

        JsonNode repair = flow.reconcile("{\"mode\":\"REPAIR\"}");
        assertThat(repair.get("drift").get("BLOCKED").asInt()).isEqualTo(2);
        assertThat(repair.get("repairs").get("PUBLISHED").asInt()).isEqualTo(2);

        JsonNode confirmed = awaitNoDrift();
        assertThat(confirmed.get("drift").get("BLOCKED").asInt()).isZero();
        assertThat(SystemStack.query(
                        stack.assignmentsDb,
                        "SELECT task_id, order_status FROM task_order_link WHERE order_id = ?",
                        heldBack))
                .containsExactly(Map.of("task_id", task, "order_status", "DELIVERED"));
        assertThat(SystemStack.count(
                        stack.ordersDb,
                        "SELECT COUNT(*) FROM outbox_event WHERE aggregate_id IN (?, ?) AND status <> 'SENT'",
                        heldBack,
                        agreeing))
                .isZero();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(flow.metric("reconciliation_drift_orders", "type=\"blocked\""))
                        .isZero());
    }

    /**
     * Parks a state event of {@code orderId} carrying its current state, as the relay does with a record the
     * broker refuses; returns its event id.
     */
    private static String park(String orderId) throws Exception {
        JsonNode order = flow.order(orderId);
        String eventId = java.util.UUID.randomUUID().toString();
        String payload = Workflow.JSON
                .createObjectNode()
                .put("orderId", orderId)
                .put("taskId", order.get("taskId").asText())
                .put("status", order.get("status").asText())
                .put("version", order.get("version").asLong())
                .toString();
        SystemStack.update(
                stack.ordersDb,
                "INSERT INTO outbox_event (event_id, topic, aggregate_type, aggregate_id, aggregate_version,"
                        + " event_type, occurred_at, payload, status, attempts, created_at, next_attempt_at,"
                        + " last_error, parked_at) VALUES (?, 'fleet.order.events', 'FleetOrder', ?, ?,"
                        + " 'OrderStateChanged', UTC_TIMESTAMP(6), ?, 'PARKED', 1, UTC_TIMESTAMP(6),"
                        + " UTC_TIMESTAMP(6), 'org.apache.kafka.common.errors.RecordTooLargeException: The message"
                        + " is 1048700 bytes when serialized which is larger than 1048576', UTC_TIMESTAMP(6))",
                eventId,
                orderId,
                order.get("version").asLong(),
                payload);
        return eventId;
    }

    @Test
    void aRunDuringConcurrentUpdatesReportsNoDriftWhenThereIsNone() throws Exception {
        List<String> tasks = List.of(flow.task(1000), flow.task(1000), flow.task(1000));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger changes = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService load = Executors.newFixedThreadPool(6);
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            workers.add(load.submit(() -> {
                while (running.get()) {
                    try {
                        driveOneOrder(tasks.get(ThreadLocalRandom.current().nextInt(tasks.size())), running, changes);
                    } catch (Exception | AssertionError e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        List<JsonNode> runs = new ArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> changes.get() >= 30);
            for (int i = 0; i < 4; i++) {
                runs.add(flow.reconcile("{}"));
            }
        } finally {
            running.set(false);
            load.shutdown();
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        assertThat(failures).isEmpty();
        assertThat(changes.get()).isGreaterThan(60);
        for (JsonNode run : runs) {
            assertThat(run.get("driftTotal").asInt()).as(run.toString()).isZero();
            assertThat(run.get("ordersChecked").asLong()).isPositive();
        }
        System.out.printf(
                "reconciliation under load: %d order changes; candidates per run %s, in flight %s, unsettled %s%n",
                changes.get(),
                runs.stream().map(r -> r.get("candidates").asText()).toList(),
                runs.stream().map(r -> r.get("inFlight").asText()).toList(),
                runs.stream().map(r -> r.get("unsettled").asText()).toList());
        awaitNoDrift();
    }

    @Test
    void theOpsEndpointsAreForOpsOnly() {
        String runs = "/api/ops/reconciliation/runs";
        assertThat(stack.postAs(stack.orderService, runs, "{}", null).statusCode())
                .isEqualTo(401);
        assertThat(stack.postAs(stack.orderService, runs, "{}", SystemStack.DISPATCHER)
                        .statusCode())
                .isEqualTo(403);
        assertThat(stack.get(stack.orderService, runs, null).statusCode()).isEqualTo(401);
        assertThat(stack.get(stack.orderService, runs, SystemStack.DISPATCHER).statusCode())
                .isEqualTo(403);
        assertThat(stack.get(stack.orderService, runs + "/1", SystemStack.DISPATCHER)
                        .statusCode())
                .isEqualTo(403);
        assertThat(stack.get(stack.orderService, runs, SystemStack.OPS).statusCode())
                .isEqualTo(200);
        assertThat(stack.get(
                                stack.assignmentService,
                                "/internal/reconciliation/digests?bucketCount=16",
                                SystemStack.OPS)
                        .statusCode())
                .isEqualTo(403);
        assertThat(stack.postAs(stack.orderService, runs, "{\"scope\":\"ORDERS\"}", SystemStack.OPS)
                        .statusCode())
                .isEqualTo(400);
        assertThat(stack.postAs(stack.orderService, runs, "{\"mode\":\"FIX_EVERYTHING\"}", SystemStack.OPS)
                        .statusCode())
                .isEqualTo(400);
        assertThat(stack.get(stack.orderService, runs + "/987654321", SystemStack.OPS)
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void startsAtTheSameMomentNeverRunTogether() throws Exception {
        awaitNoDrift();
        long before = SystemStack.count(stack.ordersDb, "SELECT COALESCE(MAX(id), 0) FROM reconciliation_run");
        List<Integer> statuses = Concurrently.times(
                4,
                () -> stack.postAs(stack.orderService, "/api/ops/reconciliation/runs", "{}", SystemStack.OPS)
                        .statusCode());
        assertThat(statuses).containsOnly(202, 409).contains(202);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> SystemStack.count(
                                stack.ordersDb, "SELECT COUNT(*) FROM reconciliation_run WHERE status = 'RUNNING'")
                        == 0);
        List<Map<String, Object>> runs = SystemStack.query(
                stack.ordersDb,
                "SELECT id, started_at, finished_at FROM reconciliation_run WHERE id > ? ORDER BY started_at",
                before);
        assertThat(runs).hasSize((int) statuses.stream().filter(s -> s == 202).count());
        for (int i = 1; i < runs.size(); i++) {
            assertThat((LocalDateTime) runs.get(i).get("started_at"))
                    .as("run %s overlaps the run before", runs.get(i).get("id"))
                    .isAfterOrEqualTo((LocalDateTime) runs.get(i - 1).get("finished_at"));
        }
    }

    /** One order through assign → pickup → delivery (or a failed delivery and receipt), as a dispatcher would. */
    private static void driveOneOrder(String taskId, AtomicBoolean running, AtomicInteger changes) throws Exception {
        String orderId = flow.order();
        changes.incrementAndGet();
        assertThat(stack.post(
                                stack.orderService,
                                "/api/orders/" + orderId + "/assignment",
                                "{\"taskId\":\"" + taskId + "\"}")
                        .statusCode())
                .isEqualTo(202);
        changes.incrementAndGet();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> !running.get()
                        || "ASSIGNED".equals(flow.order(orderId).get("status").asText()));
        if (!running.get()) {
            return;
        }
        for (String step : ThreadLocalRandom.current().nextBoolean()
                ? List.of("pickup", "delivery")
                : List.of("pickup", "delivery-failure", "receipt")) {
            String body = step.equals("delivery-failure") ? "{\"reason\":\"nobody home\"}" : "{}";
            int status = stack.post(stack.orderService, "/api/orders/" + orderId + "/" + step, body)
                    .statusCode();
            assertThat(status).as(step).isEqualTo(200);
            changes.incrementAndGet();
        }
    }

    /** Runs dry runs until one reports no drift (the system converged); returns it. */
    private static JsonNode awaitNoDrift() {
        JsonNode[] run = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    run[0] = flow.reconcile("{}");
                    return run[0].get("driftTotal").asInt() == 0;
                });
        return run[0];
    }
}
