package io.fleetsaga.launcher;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps orders moving in the local stack so that there is something to look at: it opens courier tasks, creates
 * orders, assigns them, and moves them on as a dispatcher would — pick-up, delivery, now and then a failed
 * delivery and the parcel's return to the hub, a cancellation — through the public HTTP API only, as the
 * {@code dispatcher} user. A full task is closed and replaced. Progress is printed every minute.
 *
 * <p>Rate: {@code FLEET_SAGA_SIMULATOR_RATE} new orders per minute (default 30); {@code FLEET_SAGA_SIMULATOR=off}
 * turns it off. Failures (a service restarting, a 409 from a race with the real world) are counted and skipped.
 */
final class DispatcherSimulator implements AutoCloseable {

    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([A-Z_]+)\"");
    private static final int TASK_CAPACITY = 25;
    private static final int OPEN_TASKS = 3;

    private final URI orders;
    private final URI assignments;
    private final String authorization;
    private final int ordersPerMinute;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private final Random random = new Random();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "dispatcher-simulator");
        thread.setDaemon(true);
        return thread;
    });
    /** order id → last known status, for the orders still moving */
    private final Map<String, String> active = new LinkedHashMap<>();
    /** task id → orders assigned to it by the simulator */
    private final Map<String, Integer> tasks = new LinkedHashMap<>();

    private final String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    private long created;
    private long delivered;
    private long returned;
    private long cancelled;
    private long failures;
    private int sequence;

    DispatcherSimulator(
            URI orderService,
            URI assignmentService,
            String user,
            String password,
            int ordersPerMinute,
            PrintStream out) {
        this.orders = orderService;
        this.assignments = assignmentService;
        this.authorization =
                "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.ordersPerMinute = ordersPerMinute;
        this.out = out;
    }

    void start() {
        long period = Math.max(100, 60_000L / Math.max(1, ordersPerMinute));
        timer.scheduleWithFixedDelay(this::safeStep, 0, period, TimeUnit.MILLISECONDS);
        timer.scheduleAtFixedRate(this::report, 60, 60, TimeUnit.SECONDS);
    }

    private void safeStep() {
        try {
            step();
        } catch (RuntimeException e) {
            failures++;
        }
    }

    private void step() {
        ensureOpenTasks();
        String orderId = "sim-" + run + "-" + (++sequence);
        if (post(orders, "/api/orders", "{\"orderId\":\"" + orderId + "\"}") == 201) {
            created++;
            assign(orderId);
        }
        advance();
    }

    private void ensureOpenTasks() {
        while (tasks.size() < OPEN_TASKS) {
            String taskId = "sim-task-" + run + "-" + (++sequence);
            String body = "{\"taskId\":\"" + taskId + "\",\"courierId\":\"courier-" + (1 + random.nextInt(9))
                    + "\",\"capacity\":" + TASK_CAPACITY + "}";
            if (post(assignments, "/api/tasks", body) != 201) {
                failures++;
                return;
            }
            tasks.put(taskId, 0);
        }
    }

    private void assign(String orderId) {
        List<String> open = new ArrayList<>(tasks.keySet());
        String taskId = open.get(random.nextInt(open.size()));
        if (post(orders, "/api/orders/" + orderId + "/assignment", "{\"taskId\":\"" + taskId + "\"}") == 202) {
            active.put(orderId, "ASSIGNMENT_PENDING");
            int assigned = tasks.merge(taskId, 1, Integer::sum);
            if (assigned >= TASK_CAPACITY) { // full: the courier leaves; a new task opens on the next step
                tasks.remove(taskId);
                post(assignments, "/api/tasks/" + taskId + "/closure", "{}");
            }
        } else {
            failures++;
        }
    }

    /** Moves up to three orders one step on. */
    private void advance() {
        int moved = 0;
        Iterator<Map.Entry<String, String>> moving = new ArrayList<>(active.entrySet()).iterator();
        while (moving.hasNext() && moved < 3) {
            Map.Entry<String, String> entry = moving.next();
            if (random.nextInt(3) != 0) {
                continue; // orders do not all move at once
            }
            String orderId = entry.getKey();
            String status = currentStatus(orderId);
            moved++;
            switch (status) {
                case "ASSIGNED" -> transition(orderId, random.nextInt(25) == 0 ? "cancellation" : "pickup");
                case "DELIVERING" -> transition(orderId, random.nextInt(6) == 0 ? "delivery-failure" : "delivery");
                case "ON_HOLD" -> transition(orderId, "receipt");
                case "DELIVERED" -> {
                    delivered++;
                    active.remove(orderId);
                }
                case "RECEIVED" -> {
                    returned++;
                    active.remove(orderId);
                }
                case "CANCELLED" -> {
                    cancelled++;
                    active.remove(orderId);
                }
                case "CREATED" -> active.remove(orderId); // the assignment was refused (task full or closed)
                default -> moved--; // ASSIGNMENT_PENDING or unknown: look again later
            }
        }
    }

    private void transition(String orderId, String step) {
        String body = switch (step) {
            case "delivery-failure" -> "{\"reason\":\"nobody at home\"}";
            case "cancellation" -> "{\"reason\":\"customer cancelled\"}";
            default -> "{}";
        };
        if (post(orders, "/api/orders/" + orderId + "/" + step, body) != 200) {
            failures++;
        }
    }

    private String currentStatus(String orderId) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(orders.resolve("/api/orders/" + orderId))
                .GET()
                .build());
        if (response == null || response.statusCode() != 200) {
            return "";
        }
        Matcher status = STATUS.matcher(response.body());
        return status.find() ? status.group(1) : "";
    }

    private int post(URI base, String path, String json) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
        return response == null ? -1 : response.statusCode();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(
                    HttpRequest.newBuilder(request, (name, value) -> true)
                            .header("Authorization", authorization)
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    private void report() {
        out.printf(
                "simulator: %d orders created, %d delivered, %d returned to the hub, %d cancelled, %d moving,"
                        + " %d failed calls%n",
                created, delivered, returned, cancelled, active.size(), failures);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    @Override
    public String toString() {
        return "dispatcher simulator";
    }
}
