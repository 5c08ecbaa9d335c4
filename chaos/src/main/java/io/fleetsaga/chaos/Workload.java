package io.fleetsaga.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * Dispatchers at work over HTTP: creates tasks and orders, assigns orders, moves them through every transition
 * (pickup, delivery, failed delivery, receipt from hold in batches, cancellation), sends some requests twice with the
 * same {@code Idempotency-Key} and some conflicting updates of one order at the same moment. Every choice comes from
 * one seeded {@link Random} per client, so a seed replays the same decisions (the timing of a distributed system does
 * not replay). Runs at a fixed total rate until {@link #stop()}.
 */
final class Workload {

    /**
     * @param clients concurrent dispatcher clients
     * @param ratePerSecond total operations per second (all clients together)
     * @param tasks tasks the orders are spread over
     * @param activeOrders orders in flight at a time (finished ones are replaced by new ones)
     * @param duplicateShare share of requests sent twice at once with the same key
     * @param conflictShare share of steps raced by a conflicting step on the same order
     */
    record Shape(
            int clients,
            double ratePerSecond,
            int tasks,
            int activeOrders,
            double duplicateShare,
            double conflictShare) {}

    /** What the workload believes of one order, from its own acknowledged answers. */
    static final class Tracked {
        final String id;
        volatile String status;
        volatile String taskId;
        final AtomicBoolean busy = new AtomicBoolean();
        volatile long pendingSince;

        Tracked(String id, String status) {
            this.id = id;
            this.status = status;
        }
    }

    /** Threads for the second of two requests sent at the same instant. */
    private static final ExecutorService SIDE = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dispatcher-race");
        t.setDaemon(true);
        return t;
    });

    private final Api api;
    private final String prefix;
    private final String tag;
    private final long seed;
    private final Shape shape;
    private final List<String> tasks = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Assignments sent per task: a task takes at most {@link #TASK_CAPACITY} orders (delivered ones included). */
    private final Map<String, AtomicInteger> assignmentsPerTask = new ConcurrentHashMap<>();
    /** Every task the workload opened, also the full ones it no longer assigns to. */
    private final List<String> allTasks = new java.util.concurrent.CopyOnWriteArrayList<>();

    static final int TASK_CAPACITY = 1000;
    /** Assignments after which a task is replaced by a new one, well before it is full (a long run fills tasks). */
    static final int TASK_ROTATION = 800;

    private final Map<String, Tracked> orders = new ConcurrentHashMap<>();
    private final List<Tracked> active = new java.util.concurrent.CopyOnWriteArrayList<>();
    /**
     * Orders waiting for their assignment (a saga in flight): out of {@link #active}, so that a long outage, when
     * sagas wait for the broker, fills the backlog instead of stalling the dispatchers; looked at again now and then.
     */
    private final java.util.Queue<Tracked> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong issued = new AtomicLong();
    private final AtomicInteger created = new AtomicInteger();
    private ExecutorService executor;
    private CountDownLatch done;
    private long startedNanos;

    /**
     * @param prefix the run's prefix of order ids and keys (the checker selects the run's orders by it)
     * @param tag tells this workload's orders and keys from another's in the same run
     */
    Workload(Api api, String prefix, String tag, long seed, Shape shape) {
        this.api = api;
        this.prefix = prefix;
        this.tag = tag;
        this.seed = seed;
        this.shape = shape;
    }

    /** Every order the workload created (ids), for the checker. */
    List<String> orderIds() {
        return List.copyOf(orders.keySet());
    }

    List<String> taskIds() {
        return List.copyOf(allTasks);
    }

    /** Creates the tasks, then starts the clients. */
    void start() {
        Random random = new Random(seed);
        for (int i = 0; i < shape.tasks(); i++) {
            tasks.add(createTask(prefix + "-" + tag + "t" + i, "c-" + random.nextInt(1000), TASK_CAPACITY, random));
        }
        running.set(true);
        executor = Executors.newFixedThreadPool(shape.clients() * 2, r -> {
            Thread t = new Thread(r, "dispatcher");
            t.setDaemon(true);
            return t;
        });
        done = new CountDownLatch(shape.clients());
        startedNanos = System.nanoTime();
        for (int c = 0; c < shape.clients(); c++) {
            Random clientRandom = new Random(seed * 31 + c);
            executor.execute(() -> {
                try {
                    while (running.get()) {
                        pace();
                        if (!running.get()) {
                            break;
                        }
                        step(clientRandom);
                    }
                } finally {
                    done.countDown();
                }
            });
        }
    }

    /** Stops issuing new operations and waits for the ones under way (bounded). */
    void stop() {
        running.set(false);
        if (executor == null) {
            return;
        }
        try {
            done.await(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }

    /**
     * A task with room, as a dispatcher would pick one: every task takes {@link #TASK_CAPACITY} orders and keeps its
     * delivered ones, so a task that got {@link #TASK_ROTATION} assignments is replaced by a new task (a long run
     * would otherwise fill every task and turn assignments into TASK_FULL compensations).
     */
    String openTask(Random random) {
        int index = random.nextInt(tasks.size());
        String task = tasks.get(index);
        if (assignmentsPerTask.computeIfAbsent(task, t -> new AtomicInteger()).incrementAndGet() > TASK_ROTATION) {
            synchronized (tasks) {
                if (tasks.contains(task)) {
                    String next = createTask(
                            prefix + "-" + tag + "t" + allTasks.size(),
                            "c-" + random.nextInt(1000),
                            TASK_CAPACITY,
                            random);
                    tasks.set(tasks.indexOf(task), next);
                }
            }
            return tasks.get(index);
        }
        return task;
    }

    /** Creates a task (retried with one key until it exists). */
    String createTask(String taskId, String courierId, int capacity, Random random) {
        String key = key(random);
        Api.Answer answer = api.assignment(
                "create-task",
                taskId,
                "/api/tasks",
                "{\"taskId\":\"" + taskId + "\",\"courierId\":\"" + courierId + "\",\"capacity\":" + capacity + "}",
                key);
        if (!answer.ok()) {
            throw new IllegalStateException("cannot create task " + taskId + ": " + answer);
        }
        allTasks.add(taskId);
        return taskId;
    }

    /** Creates an order; returns it, or null when not acknowledged. */
    Tracked createOrder(Random random) {
        String id = prefix + "-" + tag + created.incrementAndGet();
        Tracked order = new Tracked(id, "UNKNOWN");
        orders.put(id, order);
        Api.Answer answer = api.order("create", id, "/api/orders", "{\"orderId\":\"" + id + "\"}", key(random));
        if (answer.ok()) {
            order.status = "CREATED";
        } else {
            refresh(order);
        }
        return order;
    }

    private void pace() {
        long n = issued.getAndIncrement();
        long due = startedNanos + (long) (n * 1e9 / shape.ratePerSecond());
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait); // the workload's rate
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.set(false);
            }
        }
    }

    private void step(Random random) {
        // every tenth step looks at an order waiting for its assignment (during an outage thousands may wait)
        Tracked waiting = random.nextInt(10) == 0 ? pending.peek() : null;
        if (waiting != null
                && System.nanoTime() - waiting.pendingSince
                        > Duration.ofSeconds(2).toNanos()
                && pending.remove(waiting)) {
            refresh(waiting);
            if ("ASSIGNMENT_PENDING".equals(waiting.status)) {
                waiting.pendingSince = System.nanoTime();
                pending.add(waiting);
            } else if (!"UNKNOWN".equals(waiting.status)) {
                active.add(waiting);
            }
            return;
        }
        if (active.size() < shape.activeOrders()) {
            Tracked order = createOrder(random);
            if (!"UNKNOWN".equals(order.status)) {
                active.add(order);
            }
            return;
        }
        if (random.nextDouble() < 0.08) {
            batchReceive(random);
            return;
        }
        Tracked order = active.get(random.nextInt(active.size()));
        if (!order.busy.compareAndSet(false, true)) {
            return;
        }
        try {
            advance(order, random);
            if ("DELIVERED".equals(order.status) || "CANCELLED".equals(order.status)) {
                active.remove(order);
            } else if ("ASSIGNMENT_PENDING".equals(order.status) && active.remove(order)) {
                pending.add(order);
            }
        } finally {
            order.busy.set(false);
        }
    }

    /** The order's next step by what the workload believes its status is. */
    void advance(Tracked order, Random random) {
        if (random.nextDouble() < 0.03) {
            transition(order, "cancellation", "{\"reason\":\"customer cancelled\"}", random);
            return;
        }
        switch (order.status) {
            case "CREATED", "RECEIVED" -> assign(order, openTask(random), random);
            case "ASSIGNMENT_PENDING" -> {
                if (System.nanoTime() - order.pendingSince
                        > Duration.ofMillis(500).toNanos()) {
                    refresh(order);
                }
            }
            case "ASSIGNED" -> transition(order, "pickup", "{}", random);
            case "DELIVERING" -> {
                if (random.nextDouble() < 0.3) {
                    transition(order, "delivery-failure", "{\"reason\":\"nobody home\"}", random);
                } else {
                    transition(order, "delivery", "{}", random);
                }
            }
            case "ON_HOLD" -> transition(order, "receipt", "{}", random);
            default -> refresh(order);
        }
    }

    void assign(Tracked order, String taskId, Random random) {
        Api.Answer answer = api.order(
                "assign",
                order.id,
                "/api/orders/" + order.id + "/assignment",
                "{\"taskId\":\"" + taskId + "\"}",
                key(random));
        if (answer.ok()) {
            order.status = "ASSIGNMENT_PENDING";
            order.taskId = taskId;
            order.pendingSince = System.nanoTime();
        } else {
            refresh(order);
        }
    }

    /** One transition; some are sent twice at once with the same key, some raced by a conflicting one. */
    void transition(Tracked order, String step, String body, Random random) {
        String key = key(random);
        String path = "/api/orders/" + order.id + "/" + step;
        double dice = random.nextDouble();
        if (dice < shape.duplicateShare()) {
            Api.Answer[] answers = concurrently(
                    () -> api.order(step, order.id, path, body, key), () -> api.order(step, order.id, path, body, key));
            take(order, answers[0].ok() ? answers[0] : answers[1]);
        } else if (dice < shape.duplicateShare() + shape.conflictShare()) {
            String other = "cancellation".equals(step) ? "pickup" : "cancellation";
            String otherBody = "cancellation".equals(other) ? "{\"reason\":\"raced\"}" : "{}";
            String otherKey = key(random);
            concurrently(
                    () -> api.order(step, order.id, path, body, key),
                    () -> api.order(other, order.id, "/api/orders/" + order.id + "/" + other, otherBody, otherKey));
            refresh(order);
        } else {
            take(order, api.order(step, order.id, path, body, key));
        }
    }

    /** Sends {@code step} of {@code order} twice at the same instant under two keys: one wins, one loses a race. */
    void race(Tracked order, String step, Random random) {
        String path = "/api/orders/" + order.id + "/" + step;
        String first = key(random);
        String second = key(random);
        concurrently(
                () -> api.order(step, order.id, path, "{}", first),
                () -> api.order(step, order.id, path, "{}", second));
        refresh(order);
    }

    /** Receives every order the workload believes ON_HOLD (up to 50) back at the hub in one batch. */
    void batchReceive(Random random) {
        List<Tracked> held = new ArrayList<>();
        for (Tracked order : active) {
            if (held.size() < 50 && "ON_HOLD".equals(order.status) && order.busy.compareAndSet(false, true)) {
                held.add(order);
            }
        }
        if (held.isEmpty()) {
            return;
        }
        try {
            receive(held, random);
        } finally {
            held.forEach(o -> o.busy.set(false));
        }
    }

    /** One batch status change RECEIVE of {@code held}; applies the per-item results. */
    void receive(List<Tracked> held, Random random) {
        batch(held, "RECEIVE", null, random);
    }

    /**
     * One batch status change ({@code POST /api/orders/status-changes}) of {@code action} for every order of {@code
     * held}; each item is recorded as an operation of its own (kind {@code item:<action>}, key {@code <batch
     * key>#<index>}), and the per-item results are applied to what the workload believes.
     */
    void batch(List<Tracked> held, String action, String reason, Random random) {
        StringBuilder body = new StringBuilder("{\"changes\":[");
        for (int i = 0; i < held.size(); i++) {
            body.append(i == 0 ? "" : ",")
                    .append("{\"orderId\":\"")
                    .append(held.get(i).id)
                    .append("\",\"action\":\"")
                    .append(action)
                    .append(reason == null ? "\"}" : "\",\"reason\":\"" + reason + "\"}");
        }
        body.append("]}");
        String key = key(random);
        java.time.Instant invoked = java.time.Instant.now();
        Api.Answer answer =
                api.order("batch:" + action, held.get(0).id, "/api/orders/status-changes", body.toString(), key);
        JsonNode results = answer.ok() ? answer.json().get("results") : null;
        for (int i = 0; i < held.size(); i++) {
            Tracked order = held.get(i);
            JsonNode item = results == null ? null : results.get(i);
            String outcome = item == null ? null : item.path("outcome").asText();
            History.Outcome itemOutcome = item == null
                    ? answer.outcome() == History.Outcome.REJECTED ? History.Outcome.REJECTED : History.Outcome.UNKNOWN
                    : switch (outcome) {
                        case "APPLIED" -> History.Outcome.OK;
                        case "ERROR" -> History.Outcome.UNKNOWN;
                        default -> History.Outcome.REJECTED;
                    };
            Long version = item != null && item.hasNonNull("version")
                    ? item.get("version").asLong()
                    : null;
            String status = item != null && item.hasNonNull("status")
                    ? item.get("status").asText()
                    : null;
            // one entry per item, under the batch's key and the item's index: the checker counts items like requests
            api.history()
                    .record(new History.Op(
                            api.history().nextId(),
                            "item:" + action,
                            order.id,
                            key + "#" + i,
                            1,
                            0,
                            invoked,
                            0,
                            itemOutcome,
                            answer.status(),
                            itemOutcome == History.Outcome.OK ? version : null,
                            status,
                            outcome));
            if (itemOutcome == History.Outcome.OK) {
                order.status = status;
            } else {
                refresh(order);
            }
        }
    }

    private void take(Tracked order, Api.Answer answer) {
        if (answer.ok()) {
            JsonNode json = answer.json();
            order.status = json.get("status").asText();
        } else {
            refresh(order);
        }
    }

    /** Reads the order's real status (after an answer that did not tell it). */
    void refresh(Tracked order) {
        try {
            Api.Answer answer = api.read("/api/orders/" + order.id);
            if (answer.ok()) {
                JsonNode json = answer.json();
                order.status = json.get("status").asText();
                order.taskId = json.hasNonNull("taskId") ? json.get("taskId").asText() : null;
                if ("ASSIGNMENT_PENDING".equals(order.status)) {
                    order.pendingSince = System.nanoTime();
                }
            } else if (answer.status() == 404) {
                order.status = "CREATED".equals(order.status) ? "CREATED" : "UNKNOWN";
                active.remove(order);
            }
        } catch (RuntimeException e) {
            // no instance answered: try again on the next step
        }
    }

    private Api.Answer[] concurrently(
            java.util.function.Supplier<Api.Answer> a, java.util.function.Supplier<Api.Answer> b) {
        var first = java.util.concurrent.CompletableFuture.supplyAsync(a, SIDE);
        var second = java.util.concurrent.CompletableFuture.supplyAsync(b, SIDE);
        return new Api.Answer[] {first.join(), second.join()};
    }

    /** An idempotency key: the run's prefix (keys are per caller, and one stack serves many runs) and a seeded UUID. */
    String key(Random random) {
        return prefix + "-" + tag + "-" + new UUID(random.nextLong(), random.nextLong());
    }

    /** Operations issued so far. */
    long issued() {
        return issued.get();
    }

    Map<String, Tracked> tracked() {
        return orders;
    }
}
