package io.fleetsaga.chaos;

import io.fleetsaga.chaos.History.Op;
import io.fleetsaga.chaos.History.Outcome;
import io.fleetsaga.infra.FleetStack;
import io.fleetsaga.infra.WebhookReceiver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The promises of fleet-saga, checked after quiescence against the recorded history, both databases, the broker and
 * the courier webhook receiver. Each check returns an {@link Invariant} with evidence (order ids, rows) when it fails.
 */
final class Checker {

    /** One invariant's verdict; {@code evidence} lists at most {@link #MAX_EVIDENCE} violations. */
    record Invariant(String name, String promise, boolean passed, long violations, List<String> evidence) {}

    static final int MAX_EVIDENCE = 20;

    /** Workload operation kinds → the history action they cause (a batch item's kind is {@code item:<action>}). */
    static final Map<String, String> ACTIONS = Map.of(
            "create", "CREATE",
            "assign", "ASSIGN",
            "pickup", "PICK_UP",
            "delivery", "DELIVER",
            "delivery-failure", "FAIL_DELIVERY",
            "receipt", "RECEIVE",
            "cancellation", "CANCEL");

    private static final Set<String> ON_TASK = Set.of("ASSIGNED", "DELIVERING", "DELIVERED", "ON_HOLD");

    private final Probe probe;
    private final String orders = FleetStack.ORDERS_SCHEMA;
    private final String assignments = FleetStack.ASSIGNMENTS_SCHEMA;

    Checker(Probe probe) {
        this.probe = probe;
    }

    /**
     * Every check.
     *
     * @param prefix the scenario's order ids start with it; the history checks are about these orders
     * @param ops the scenario's history
     * @param deadLettersBefore dead letters per DLT topic before the scenario
     * @param allowParked whether the scenario forces permanent failures (then parked rows need a reason)
     * @param reconciliationPort an order-service instance for the reconciliation dry run
     */
    List<Invariant> checkAll(
            String prefix,
            List<Op> ops,
            WebhookReceiver receiver,
            Map<String, Long> deadLettersBefore,
            boolean allowParked,
            Api api,
            int reconciliationPort) {
        List<Invariant> results = new ArrayList<>();
        results.add(acknowledgedExactlyOnce(prefix, ops));
        results.add(historyExplained(prefix, ops));
        results.add(stateChangeWithItsEvent());
        results.add(linksMatchOrders());
        results.add(countersMatchLinks());
        results.add(sagasOnce(prefix));
        results.add(noStuckSaga(prefix));
        results.add(notificationsOnce(receiver));
        results.add(nothingLost(allowParked));
        results.add(noDeadLetters(deadLettersBefore));
        results.add(reconciliationZeroDrift(api, reconciliationPort));
        return results;
    }

    /**
     * Each acknowledged change is in the order's history exactly once, at the version its answer named; no change
     * is there more often than requests could have made it (an idempotency key counts once however often sent).
     */
    Invariant acknowledgedExactlyOnce(String prefix, List<Op> ops) {
        Map<String, Map<Long, String>> history = histories(prefix);
        // per order and action: keys acknowledged / keys that may have applied
        Map<String, Map<String, Set<String>>> acknowledged = new HashMap<>();
        Map<String, Map<String, Set<String>>> possible = new HashMap<>();
        List<String> evidence = new ArrayList<>();
        long violations = 0;
        for (Op op : ops) {
            String action = op.kind().startsWith("item:") ? op.kind().substring(5) : ACTIONS.get(op.kind());
            if (action == null || op.key() == null) {
                continue;
            }
            if (op.outcome() == Outcome.OK) {
                acknowledged
                        .computeIfAbsent(op.subject(), k -> new HashMap<>())
                        .computeIfAbsent(action, k -> new HashSet<>())
                        .add(op.key());
                if (op.version() != null) {
                    String recorded =
                            history.getOrDefault(op.subject(), Map.of()).get(op.version());
                    if (!action.equals(recorded)) {
                        violations++;
                        add(
                                evidence,
                                op.subject() + ": " + op.kind() + " (key " + op.key() + ") acknowledged at version "
                                        + op.version() + ", history has " + recorded + " there");
                    }
                }
            }
            if (op.outcome() == Outcome.OK || op.outcome() == Outcome.UNKNOWN) {
                possible.computeIfAbsent(op.subject(), k -> new HashMap<>())
                        .computeIfAbsent(action, k -> new HashSet<>())
                        .add(op.key());
            }
        }
        Set<String> subjects = new HashSet<>(history.keySet());
        subjects.addAll(acknowledged.keySet());
        for (String order : subjects) {
            Map<String, Integer> inHistory = new HashMap<>();
            history.getOrDefault(order, Map.of()).values().forEach(a -> inHistory.merge(a, 1, Integer::sum));
            for (String action : new HashSet<>(ACTIONS.values())) {
                int ack = acknowledged
                        .getOrDefault(order, Map.of())
                        .getOrDefault(action, Set.of())
                        .size();
                int max = possible.getOrDefault(order, Map.of())
                        .getOrDefault(action, Set.of())
                        .size();
                int db = inHistory.getOrDefault(action, 0);
                if (db < ack || db > max) {
                    violations++;
                    add(
                            evidence,
                            order + ": " + action + " ×" + db + " in history, " + ack + " acknowledged, at most " + max
                                    + " requests could have made it");
                }
            }
        }
        return new Invariant(
                "acknowledged-changes-exactly-once",
                "every acknowledged change is reflected exactly once; nothing is applied more often than requested",
                violations == 0,
                violations,
                evidence);
    }

    /**
     * Every order's history is a chain (versions 0…n, each step from the previous status) ending in the order's
     * row, and every saga step in it follows an assignment; every order of the scenario was created by a request.
     */
    Invariant historyExplained(String prefix, List<Op> ops) {
        Set<String> createRequested = new HashSet<>();
        for (Op op : ops) {
            if ("create".equals(op.kind()) && op.outcome() != Outcome.REJECTED && op.outcome() != Outcome.FAILED) {
                createRequested.add(op.subject());
            }
        }
        List<Map<String, Object>> rows = probe.query(
                orders,
                "SELECT h.order_id, h.version, h.from_status, h.to_status, h.action, o.status, o.version AS ov"
                        + " FROM order_history h JOIN fleet_order o ON o.id = h.order_id WHERE h.order_id LIKE ?"
                        + " ORDER BY h.order_id, h.version",
                prefix + "-%");
        List<String> evidence = new ArrayList<>();
        long violations = 0;
        String current = null;
        long expectedVersion = -1;
        String lastStatus = null;
        boolean pending = false;
        Map<String, Object> last = null;
        for (Map<String, Object> row : rows) {
            String order = (String) row.get("order_id");
            if (!order.equals(current)) {
                violations += finish(last, lastStatus, expectedVersion, evidence);
                current = order;
                expectedVersion = -1; // a new order's first entry is version 0
                lastStatus = null;
                pending = false;
                if (!createRequested.contains(order)) {
                    violations++;
                    add(evidence, order + " exists, but no create request for it could have succeeded");
                }
            }
            long version = (Long) row.get("version");
            String action = (String) row.get("action");
            if (version != expectedVersion + 1 || !Objects.equals(row.get("from_status"), lastStatus)) {
                violations++;
                add(
                        evidence,
                        order + " v" + version + " " + action + ": from " + row.get("from_status")
                                + ", but the previous entry is v" + expectedVersion + " " + lastStatus);
            }
            if ("ASSIGN".equals(action)) {
                pending = true;
            } else if ("CONFIRM_ASSIGNMENT".equals(action) || "COMPENSATE_ASSIGNMENT".equals(action)) {
                if (!pending) {
                    violations++;
                    add(evidence, order + " v" + version + " " + action + " without a running assignment");
                }
                pending = false;
            } else if ("CANCEL".equals(action)) {
                pending = false;
            }
            expectedVersion = version;
            lastStatus = (String) row.get("to_status");
            last = row;
        }
        violations += finish(last, lastStatus, expectedVersion, evidence);
        return new Invariant(
                "history-explained",
                "every order's history is an unbroken chain of requested changes and saga steps, ending in its row",
                violations == 0,
                violations,
                evidence);
    }

    private static int finish(Map<String, Object> row, String lastStatus, long lastVersion, List<String> evidence) {
        if (row == null) {
            return 0;
        }
        if (!Objects.equals(row.get("status"), lastStatus) || (Long) row.get("ov") != lastVersion) {
            add(
                    evidence,
                    row.get("order_id") + " is " + row.get("status") + " v" + row.get("ov") + ", its history ends at "
                            + lastStatus + " v" + lastVersion);
            return 1;
        }
        return 0;
    }

    /** Every history entry has its OrderStateChanged event in the outbox, and every such event its entry (I-3). */
    Invariant stateChangeWithItsEvent() {
        List<Map<String, Object>> missing = probe.query(
                orders,
                "SELECT h.order_id, h.version, h.action FROM order_history h LEFT JOIN outbox_event e"
                        + " ON e.aggregate_type = 'FleetOrder' AND e.aggregate_id = h.order_id"
                        + " AND e.aggregate_version = h.version AND e.event_type = 'OrderStateChanged'"
                        + " WHERE e.id IS NULL LIMIT 100");
        List<Map<String, Object>> orphaned = probe.query(
                orders,
                "SELECT e.aggregate_id, e.aggregate_version FROM outbox_event e LEFT JOIN order_history h"
                        + " ON h.order_id = e.aggregate_id AND h.version = e.aggregate_version"
                        + " WHERE e.event_type = 'OrderStateChanged' AND h.id IS NULL LIMIT 100");
        List<String> evidence = new ArrayList<>();
        missing.forEach(r -> add(
                evidence,
                r.get("order_id") + " v" + r.get("version") + " " + r.get("action")
                        + " has no OrderStateChanged in the outbox"));
        orphaned.forEach(r -> add(
                evidence,
                "OrderStateChanged of " + r.get("aggregate_id") + " v" + r.get("aggregate_version")
                        + " without its history entry"));
        long violations = missing.size() + orphaned.size();
        return new Invariant(
                "state-change-with-its-event",
                "a state change and its outbox event commit together or not at all",
                violations == 0,
                violations,
                evidence);
    }

    /** Each link mirrors its order's task, status and version; no link exists that should not (all orders). */
    Invariant linksMatchOrders() {
        Map<String, Map<String, Object>> links = new HashMap<>();
        for (Map<String, Object> link : probe.query(
                assignments, "SELECT order_id, task_id, order_status, order_version FROM task_order_link")) {
            links.put((String) link.get("order_id"), link);
        }
        Map<String, Map<String, Object>> mirrors = new HashMap<>();
        for (Map<String, Object> m : probe.query(assignments, "SELECT order_id, order_version FROM order_mirror")) {
            mirrors.put((String) m.get("order_id"), m);
        }
        List<String> evidence = new ArrayList<>();
        long violations = 0;
        for (Map<String, Object> order : probe.query(orders, "SELECT id, status, task_id, version FROM fleet_order")) {
            String id = (String) order.get("id");
            String status = (String) order.get("status");
            Map<String, Object> link = links.remove(id);
            Map<String, Object> mirror = mirrors.get(id);
            if (mirror == null || !Objects.equals(mirror.get("order_version"), order.get("version"))) {
                violations++;
                add(
                        evidence,
                        id + " v" + order.get("version") + ": assignment-service holds "
                                + (mirror == null ? "no state" : "v" + mirror.get("order_version")));
            }
            boolean shouldLink = ON_TASK.contains(status) && order.get("task_id") != null;
            if (shouldLink) {
                if (link == null
                        || !Objects.equals(link.get("task_id"), order.get("task_id"))
                        || !Objects.equals(link.get("order_status"), status)
                        || !Objects.equals(link.get("order_version"), order.get("version"))) {
                    violations++;
                    add(
                            evidence,
                            id + " is " + status + " v" + order.get("version") + " on " + order.get("task_id")
                                    + ", link: " + describe(link));
                }
            } else if (link != null && !"ASSIGNMENT_PENDING".equals(status)) {
                violations++;
                add(
                        evidence,
                        id + " is " + status + " (task " + order.get("task_id") + ") but linked: " + describe(link));
            }
        }
        for (Map<String, Object> orphan : links.values()) {
            violations++;
            add(evidence, "link without an order: " + describe(orphan));
        }
        return new Invariant(
                "links-match-orders",
                "each link's task, status and version equal order-service's; no link exists that should not",
                violations == 0,
                violations,
                evidence);
    }

    private static String describe(Map<String, Object> link) {
        return link == null
                ? "none"
                : link.get("task_id") + " " + link.get("order_status") + " v" + link.get("order_version");
    }

    /** Each task's counters equal what its links imply. */
    Invariant countersMatchLinks() {
        List<Map<String, Object>> wrong = probe.query(
                assignments,
                "SELECT t.id, t.assigned_count, t.delivered_count, COUNT(l.order_id) AS links,"
                        + " COALESCE(SUM(l.order_status = 'DELIVERED'), 0) AS delivered"
                        + " FROM assignment_task t LEFT JOIN task_order_link l ON l.task_id = t.id"
                        + " GROUP BY t.id, t.assigned_count, t.delivered_count"
                        + " HAVING t.assigned_count <> COUNT(l.order_id)"
                        + " OR t.delivered_count <> COALESCE(SUM(l.order_status = 'DELIVERED'), 0)");
        List<String> evidence = new ArrayList<>();
        wrong.forEach(r -> add(
                evidence,
                r.get("id") + ": assigned " + r.get("assigned_count") + " / delivered " + r.get("delivered_count")
                        + ", links imply " + r.get("links") + " / " + r.get("delivered")));
        return new Invariant(
                "counters-match-links", "counters equal what the links imply", wrong.isEmpty(), wrong.size(), evidence);
    }

    /** One saga per assignment, each resolved once: confirmations and compensations match the sagas' outcomes. */
    Invariant sagasOnce(String prefix) {
        List<Map<String, Object>> rows = probe.query(
                orders,
                "SELECT o.id,"
                        + " (SELECT COUNT(*) FROM order_history h WHERE h.order_id = o.id AND h.action = 'ASSIGN') AS assigns,"
                        + " (SELECT COUNT(*) FROM order_history h WHERE h.order_id = o.id"
                        + "   AND h.action = 'CONFIRM_ASSIGNMENT') AS confirms,"
                        + " (SELECT COUNT(*) FROM order_history h WHERE h.order_id = o.id"
                        + "   AND h.action = 'COMPENSATE_ASSIGNMENT') AS compensations,"
                        + " (SELECT COUNT(*) FROM assignment_saga s WHERE s.order_id = o.id) AS sagas,"
                        + " (SELECT COUNT(*) FROM assignment_saga s WHERE s.order_id = o.id"
                        + "   AND s.status = 'CONFIRMED') AS confirmed"
                        + " FROM fleet_order o WHERE o.id LIKE ?",
                prefix + "-%");
        List<String> evidence = new ArrayList<>();
        long violations = 0;
        for (Map<String, Object> r : rows) {
            long assigns = (Long) r.get("assigns");
            long confirms = (Long) r.get("confirms");
            long compensations = (Long) r.get("compensations");
            if ((Long) r.get("sagas") != assigns
                    || (Long) r.get("confirmed") != confirms
                    || confirms + compensations > assigns) {
                violations++;
                add(
                        evidence,
                        r.get("id") + ": " + assigns + " assignments, " + r.get("sagas") + " sagas ("
                                + r.get("confirmed") + " confirmed), " + confirms + " confirmations and "
                                + compensations
                                + " compensations in its history");
            }
        }
        return new Invariant(
                "saga-steps-once",
                "one saga per assignment, each confirmed or compensated at most once",
                violations == 0,
                violations,
                evidence);
    }

    /**
     * No saga of the scenario's orders still running or stuck, no order of the scenario still waiting for its
     * assignment (scoped to the scenario, so that one scenario's verdict does not carry into the next).
     */
    Invariant noStuckSaga(String prefix) {
        List<Map<String, Object>> sagas = probe.query(
                orders,
                "SELECT id, order_id, status, attempts, reason FROM assignment_saga WHERE status IN ('STARTED','STUCK')"
                        + " AND order_id LIKE ? LIMIT 100",
                prefix + "-%");
        List<Map<String, Object>> pendingOrders = probe.query(
                orders,
                "SELECT id FROM fleet_order WHERE status = 'ASSIGNMENT_PENDING' AND id LIKE ? LIMIT 100",
                prefix + "-%");
        List<String> evidence = new ArrayList<>();
        sagas.forEach(s -> add(
                evidence,
                "saga " + s.get("id") + " of " + s.get("order_id") + " is " + s.get("status") + " after "
                        + s.get("attempts") + " attempts: " + s.get("reason")));
        pendingOrders.forEach(o -> add(evidence, o.get("id") + " still ASSIGNMENT_PENDING"));
        long violations = sagas.size() + pendingOrders.size();
        return new Invariant(
                "no-stuck-saga",
                "every saga ends; no order waits for its assignment",
                violations == 0,
                violations,
                evidence);
    }

    /**
     * Courier notifications: every notification row was delivered, none applied twice, no two notifications of one
     * change, and the notifications of each order add up to the task it is on (or none).
     */
    Invariant notificationsOnce(WebhookReceiver receiver) {
        Map<String, String> applied = receiver.applied();
        List<String> evidence = new ArrayList<>();
        long violations = 0;
        Map<String, String> byChange = new HashMap<>();
        Map<String, Map<String, Integer>> netPerOrder = new TreeMap<>();
        for (Map.Entry<String, String> e : applied.entrySet()) {
            var body = Api.parse(e.getValue());
            String order = body.path("orderId").asText();
            String change = body.path("change").asText();
            String task = body.path("taskId").asText();
            String identity = order + "/" + task + "/" + change + "/v"
                    + body.path("orderVersion").asLong();
            String other = byChange.putIfAbsent(identity, e.getKey());
            if (other != null) {
                violations++;
                add(evidence, "two notifications of " + identity + ": " + other + " and " + e.getKey());
            }
            netPerOrder
                    .computeIfAbsent(order, k -> new HashMap<>())
                    .merge(task, "ORDER_ADDED".equals(change) ? 1 : -1, Integer::sum);
        }
        List<Map<String, Object>> rows = probe.query(
                assignments, "SELECT event_id, status, last_error FROM outbox_event WHERE topic = 'webhook:courier'");
        for (Map<String, Object> row : rows) {
            if (!"SENT".equals(row.get("status")) || !applied.containsKey((String) row.get("event_id"))) {
                violations++;
                add(
                        evidence,
                        "notification " + row.get("event_id") + " is " + row.get("status")
                                + (applied.containsKey((String) row.get("event_id"))
                                        ? ""
                                        : ", never applied by the receiver")
                                + (row.get("last_error") == null ? "" : " (" + row.get("last_error") + ")"));
            }
        }
        if (!rows.isEmpty()) {
            Map<String, String> linked = new HashMap<>();
            probe.query(assignments, "SELECT order_id, task_id FROM task_order_link")
                    .forEach(l -> linked.put((String) l.get("order_id"), (String) l.get("task_id")));
            for (var e : netPerOrder.entrySet()) {
                for (var t : e.getValue().entrySet()) {
                    int expected = t.getKey().equals(linked.get(e.getKey())) ? 1 : 0;
                    if (t.getValue() != expected) {
                        violations++;
                        add(
                                evidence,
                                e.getKey() + " on " + t.getKey() + ": added − removed = " + t.getValue()
                                        + ", the link says " + expected);
                    }
                }
            }
        }
        return new Invariant(
                "courier-notifications-once",
                "every courier notification delivered and applied once; they add up to the links",
                violations == 0,
                violations,
                evidence);
    }

    /** Every outbox row sent; parked only with a reason, and only where the scenario forces a permanent failure. */
    Invariant nothingLost(boolean allowParked) {
        List<String> evidence = new ArrayList<>();
        long violations = 0;
        for (String schema : List.of(orders, assignments)) {
            for (Map<String, Object> row : probe.query(
                    schema,
                    "SELECT id, topic, aggregate_id, event_type, status, failure_reason, last_error FROM outbox_event"
                            + " WHERE status <> 'SENT' LIMIT 100")) {
                boolean acceptable =
                        allowParked && "PARKED".equals(row.get("status")) && row.get("failure_reason") != null;
                if (!acceptable) {
                    violations++;
                    add(
                            evidence,
                            schema + " outbox #" + row.get("id") + " " + row.get("event_type") + " of "
                                    + row.get("aggregate_id") + " → " + row.get("topic") + " is " + row.get("status")
                                    + ": "
                                    + row.get("failure_reason") + " " + row.get("last_error"));
                }
            }
        }
        return new Invariant(
                "nothing-lost",
                "every outbox row is sent (parked only when forced, with a reason)",
                violations == 0,
                violations,
                evidence);
    }

    /** No record was dead-lettered during the scenario. */
    Invariant noDeadLetters(Map<String, Long> before) {
        Map<String, Long> now = probe.deadLetters();
        List<String> evidence = new ArrayList<>();
        long violations = 0;
        for (var e : now.entrySet()) {
            long added = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (added > 0) {
                violations += added;
                add(evidence, added + " new record(s) in " + e.getKey());
            }
        }
        return new Invariant("no-dead-letters", "no record dead-lettered", violations == 0, violations, evidence);
    }

    /** A reconciliation dry run (all orders, digests) finds no drift of any kind. */
    Invariant reconciliationZeroDrift(Api api, int port) {
        List<String> evidence = new ArrayList<>();
        Api.Answer started = api.ops(port, "/api/ops/reconciliation/runs", "{\"mode\":\"DRY_RUN\"}");
        if (started.status() != 202) {
            add(evidence, "could not start a dry run: " + started.status() + " " + started.body());
            return new Invariant("reconciliation-zero-drift", "a dry run reports zero drift", false, 1, evidence);
        }
        long runId = started.json().get("id").asLong();
        var run = new Object() {
            tools.jackson.databind.JsonNode report;
        };
        boolean finished = Probe.await(java.time.Duration.ofMinutes(3), () -> {
            run.report =
                    api.opsRead(port, "/api/ops/reconciliation/runs/" + runId).json();
            return !"RUNNING".equals(run.report.get("status").asText());
        });
        if (!finished || !"COMPLETED".equals(run.report.get("status").asText())) {
            add(evidence, "run " + runId + " did not complete: " + run.report);
            return new Invariant("reconciliation-zero-drift", "a dry run reports zero drift", false, 1, evidence);
        }
        long drift = run.report.get("driftTotal").asLong();
        long unsettled = run.report.path("unsettled").asLong();
        if (drift > 0 || unsettled > 0) {
            add(evidence, "run " + runId + ": drift " + run.report.get("drift") + ", unsettled " + unsettled);
            Api.Answer entries = api.opsRead(port, "/api/ops/reconciliation/runs/" + runId + "/drift");
            add(evidence, entries.body().length() > 1500 ? entries.body().substring(0, 1500) : entries.body());
        }
        return new Invariant(
                "reconciliation-zero-drift",
                "a reconciliation dry run reports zero drift",
                drift == 0 && unsettled == 0,
                drift + unsettled,
                evidence);
    }

    /** order id → version → action, for the scenario's orders. */
    private Map<String, Map<Long, String>> histories(String prefix) {
        Map<String, Map<Long, String>> all = new LinkedHashMap<>();
        for (Map<String, Object> row : probe.query(
                orders, "SELECT order_id, version, action FROM order_history WHERE order_id LIKE ?", prefix + "-%")) {
            all.computeIfAbsent((String) row.get("order_id"), k -> new HashMap<>())
                    .put((Long) row.get("version"), (String) row.get("action"));
        }
        return all;
    }

    private static void add(List<String> evidence, String line) {
        if (evidence.size() < MAX_EVIDENCE) {
            evidence.add(line);
        }
    }
}
