package io.fleetsaga.launcher;

import io.fleetsaga.infra.EmbeddedMariaDb;
import io.fleetsaga.infra.FleetStack;
import io.fleetsaga.infra.KafkaBrokerProcess;
import io.fleetsaga.infra.ServiceProcess;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The whole system on one machine with only a JDK: an embedded MariaDB, a Kafka broker process and both
 * services from their executable jars. Data lives in {@code .fleet-saga/} (or {@code FLEET_SAGA_HOME}) and
 * is reused on the next start; delete the folder to start from scratch. Ctrl-C stops everything.
 */
public final class LocalStack {

    private static final PrintStream out = System.out;

    /**
     * API users of the local stack (HTTP Basic). The passwords are local-only and printed at start; the
     * services get them bcrypt-encoded, as in production.
     */
    private static final Map<String, String> LOCAL_USERS = Map.of(
            "fleetsaga.security.users[0].name", "dispatcher",
            "fleetsaga.security.users[0].password",
                    "{bcrypt}$2a$10$z69.zKB5tjaRbLoCM0.lieqIJsFIBrWs5kzatL0NbRIUKNg7IZlcG", // dispatcher-local
            "fleetsaga.security.users[0].roles", "DISPATCHER",
            "fleetsaga.security.users[1].name", "ops",
            "fleetsaga.security.users[1].password",
                    "{bcrypt}$2a$10$UOEJT4MRnPodSXf4Y1Q/5uEO69RxBtadE5Ag.q1svsXIu63VrJIcW", // ops-local
            "fleetsaga.security.users[1].roles", "OPS",
            "fleetsaga.security.users[2].name", "service",
            "fleetsaga.security.users[2].password",
                    "{bcrypt}$2a$10$cAzFpJWf8cfHgQJr.YKTl.4y6aZuLIT8oMAceZlKHLINhOiutElQ2", // service-local
            "fleetsaga.security.users[2].roles", "SERVICE");

    private LocalStack() {}

    public static void main(String[] args) throws Exception {
        Path home =
                Path.of(env("FLEET_SAGA_HOME", ".fleet-saga")).toAbsolutePath().normalize();
        int orderPort = Integer.parseInt(env("ORDER_SERVICE_PORT", "8081"));
        int assignmentPort = Integer.parseInt(env("ASSIGNMENT_SERVICE_PORT", "8082"));
        List<AutoCloseable> running = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(running), "local-stack-shutdown"));
        long started = System.nanoTime();

        out.println("fleet-saga local stack — data in " + home + " (delete it to start from scratch)");
        out.println("starting MariaDB (the first start on a machine unpacks its binaries, ≈350 MB), the Kafka broker,"
                + " order-service and assignment-service (≈30-60 s on 2 cores) …");
        Map<String, String> orderServiceOnly = new HashMap<>();
        // reconciliation reads assignment-service's facts as the local service user, every minute
        orderServiceOnly.put("fleetsaga.reconciliation.assignment-service.password", "service-local");
        orderServiceOnly.put("fleetsaga.reconciliation.interval", "1m");
        FleetStack stack = FleetStack.start(FleetStack.Options.defaults(home)
                .withPorts(List.of(orderPort), List.of(assignmentPort))
                .withProperties(LOCAL_USERS, orderServiceOnly, Map.of())
                .withJvmOptions(List.of("-Xmx384m", "-XX:+UseSerialGC"))
                // the database and the broker on their own ports, no fault-injection proxies in between
                .withProxies(false));
        running.add(stack);
        EmbeddedMariaDb database = stack.database();
        KafkaBrokerProcess kafka = stack.broker();
        ServiceProcess orderService = stack.orderServices().get(0);
        ServiceProcess assignmentService = stack.assignmentServices().get(0);
        Path logs = home.resolve("logs");

        boolean simulate = !"off".equalsIgnoreCase(env("FLEET_SAGA_SIMULATOR", "on"));
        if (simulate) {
            DispatcherSimulator simulator = new DispatcherSimulator(
                    orderService.uri("/"),
                    assignmentService.uri("/"),
                    "dispatcher",
                    "dispatcher-local",
                    Integer.parseInt(env("FLEET_SAGA_SIMULATOR_RATE", "30")),
                    out);
            synchronized (running) {
                running.add(0, simulator);
            }
            simulator.start();
        }

        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        out.println();
        out.println("fleet-saga is up (" + seconds + " s):");
        out.println("  ops console         " + orderService.uri("/console/") + "   (user ops / ops-local)");
        out.println("  API docs            " + orderService.uri("/swagger-ui.html") + "   "
                + assignmentService.uri("/swagger-ui.html"));
        out.println("  order-service       " + orderService.uri("/api/orders") + "   (POST {\"orderId\":\"o-1\"})");
        out.println("                      " + orderService.uri("/actuator/prometheus"));
        out.println("  reconciliation      " + orderService.uri("/api/ops/reconciliation/runs")
                + "   (ops; POST to start)");
        out.println("  assignment-service  " + assignmentService.uri("/actuator/health"));
        out.println("                      " + assignmentService.uri("/actuator/prometheus"));
        out.println("  MariaDB             jdbc:mysql://127.0.0.1:" + database.port() + "/orders (user "
                + database.username() + ", password " + database.password() + ")");
        out.println("  Kafka               " + kafka.bootstrapServers());
        out.println("  logs                " + logs);
        out.println("  API users           dispatcher / dispatcher-local (DISPATCHER), ops / ops-local (OPS)");
        out.println();
        out.println("Try: curl -s -u dispatcher:dispatcher-local -XPOST -H 'Content-Type: application/json'"
                + " -d '{\"orderId\":\"o-1\"}' "
                + orderService.uri("/api/orders"));
        out.println(
                simulate
                        ? "  simulator           creates, assigns and delivers "
                                + env("FLEET_SAGA_SIMULATOR_RATE", "30")
                                + " orders/min as dispatcher (FLEET_SAGA_SIMULATOR=off to stop it)"
                        : "  simulator           off");
        out.println("Ctrl-C stops everything.");
        new CountDownLatch(1).await();
    }

    private static void stopAll(List<AutoCloseable> running) {
        out.println("stopping fleet-saga …");
        List<AutoCloseable> all;
        synchronized (running) {
            all = new ArrayList<>(running);
        }
        for (AutoCloseable closeable : all) {
            try {
                closeable.close();
            } catch (Exception e) {
                out.println("  could not stop " + closeable + ": " + e);
            }
        }
        out.println("stopped.");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
