package io.fleetsaga.chaos;

import io.fleetsaga.infra.FleetStack;
import io.fleetsaga.infra.ServiceProcess;
import io.fleetsaga.infra.WebhookReceiver;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault harness: the whole system as processes ({@link FleetStack}: two instances of each service, the broker
 * and the database behind proxies), a courier webhook receiver that is slow or failing part of the time, the probe
 * and the monitor. {@link #run} plays one {@link Scenario} and checks its outcome; the stack is reused by the next.
 */
final class Harness implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Harness.class);

    static final String DISPATCHER = "dispatcher";
    static final String OPS = "ops";
    static final String SERVICE = "service";
    /** Local to the harness's own throw-away stack. */
    static final String PASSWORD = "chaos-local";

    final FleetStack stack;
    final WebhookReceiver receiver;
    final Probe probe;
    final Monitor monitor;
    final Parameters defaults;
    private final Checker checker;

    /** Where the stack keeps its data, logs and crash-points files. */
    private final Path dir;

    /** The stack's directory when it had to be moved out of {@code java.io.tmpdir} (deleted on close), else null. */
    private final Path relocated;

    private Harness(FleetStack stack, WebhookReceiver receiver, Parameters defaults, Path dir, Path relocated) {
        this.dir = dir;
        this.relocated = relocated;
        this.stack = stack;
        this.receiver = receiver;
        this.defaults = defaults;
        this.probe = new Probe(stack);
        this.monitor = new Monitor(probe);
        this.checker = new Checker(probe);
    }

    /** Starts the stack in {@code dir} (data and logs) with compressed or default settings. */
    static Harness start(Path requested, Parameters parameters) {
        Path dir = stackDirectory(requested);
        WebhookReceiver receiver = WebhookReceiver.start();
        Map<String, String> shared = new HashMap<>();
        String[][] users = {{DISPATCHER, "DISPATCHER"}, {OPS, "OPS"}, {SERVICE, "SERVICE"}};
        for (int i = 0; i < users.length; i++) {
            shared.put("fleetsaga.security.users[" + i + "].name", users[i][0]);
            shared.put("fleetsaga.security.users[" + i + "].password", "{noop}" + PASSWORD);
            shared.put("fleetsaga.security.users[" + i + "].roles", users[i][1]);
        }
        shared.put("fleetsaga.consumer.health.check-interval", "1s");
        if (parameters.compressed()) {
            shared.putAll(Map.ofEntries(
                    Map.entry("fleetsaga.outbox.poll-interval", "50ms"),
                    Map.entry("fleetsaga.outbox.retry.initial-delay", "100ms"),
                    Map.entry("fleetsaga.outbox.retry.max-delay", "1s"),
                    Map.entry("fleetsaga.outbox.lane-backoff.initial-delay", "200ms"),
                    Map.entry("fleetsaga.outbox.lane-backoff.max-delay", "2s"),
                    Map.entry("fleetsaga.outbox.kafka.max-block", "1s"),
                    Map.entry("fleetsaga.outbox.kafka.delivery-timeout", "3s"),
                    Map.entry("fleetsaga.outbox.publish-timeout", "5s"),
                    Map.entry("fleetsaga.outbox.claim-timeout", "10s"),
                    Map.entry("fleetsaga.idempotency.abandon-after", "5s")));
        }
        Map<String, String> orderOnly = new HashMap<>();
        orderOnly.put("fleetsaga.reconciliation.assignment-service.username", SERVICE);
        orderOnly.put("fleetsaga.reconciliation.assignment-service.password", PASSWORD);
        orderOnly.put("logging.level.io.fleetsaga.order.order.OrderWriteRetry", "DEBUG");
        // small pages: a row-by-row run over a few thousand orders lasts long enough to freeze its lease holder in
        // the middle of it (I-5); digest runs page only through differing buckets
        orderOnly.put("fleetsaga.reconciliation.page-size", "5");
        if (parameters.compressed()) {
            orderOnly.put("fleetsaga.reconciliation.schedule", "false");
            orderOnly.put("fleetsaga.reconciliation.grace-period", "2s");
            orderOnly.put("fleetsaga.reconciliation.lease-ttl", "3s");
        }
        Map<String, String> assignmentOnly = new HashMap<>();
        assignmentOnly.put(
                "fleetsaga.outbox.webhooks.courier.url", receiver.url().toString());
        if (parameters.compressed()) {
            assignmentOnly.put("fleetsaga.outbox.webhooks.courier.connect-timeout", "500ms");
            assignmentOnly.put("fleetsaga.outbox.webhooks.courier.request-timeout", "1s");
        }
        FleetStack.Options options = FleetStack.Options.defaults(dir)
                .withInstances(2, 2)
                .withProperties(shared, orderOnly, assignmentOnly)
                .withJvmOptions(List.of(
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-Xmx320m",
                        "-Xss512k",
                        // crash points armed and disarmed by writing this file (RunContext.supervise)
                        "-Dfleetsaga.chaos.crash-points-file=" + crashPointsFile(dir, "{name}", "{port}")))
                // scenarios restart services again and again: start them from a class data sharing archive
                .withClassDataSharing(true);
        long started = System.nanoTime();
        FleetStack stack = FleetStack.start(options);
        log.info("fleet-saga stack up in {} s: {}", (System.nanoTime() - started) / 1_000_000_000, stack.services());
        return new Harness(stack, receiver, parameters, dir, dir.equals(requested) ? null : dir);
    }

    /**
     * Arms the crash points of {@code service} with {@code spec} ({@code name=probability,...}; blank disarms) in the
     * running process: it reads its crash-points file at every hit.
     */
    void armCrashPoints(ServiceProcess service, String spec) {
        Path file = crashPointsFile(dir, service.name(), Integer.toString(service.port()));
        try {
            Files.createDirectories(file.getParent());
            Path next = file.resolveSibling(file.getFileName() + ".next");
            Files.writeString(next, spec);
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot arm the crash points of " + service, e);
        }
    }

    /** The file whose content arms the crash points of one service instance (see {@code CrashPoints}). */
    static Path crashPointsFile(Path stackDir, String name, String port) {
        return stackDir.toAbsolutePath().resolve("crash-points").resolve(name + "-" + port);
    }

    /**
     * Where the stack keeps its data: {@code requested}, unless that lies under {@code java.io.tmpdir} (a checkout in
     * /tmp): the embedded MariaDB wipes a data directory there whenever it starts, so a database restarted by a
     * scenario would come back empty. Then a fresh directory under {@code ~/.cache/fleet-saga/chaos/} is used instead
     * and deleted when the harness closes.
     */
    static Path stackDirectory(Path requested) {
        Path wanted = requested.toAbsolutePath().normalize();
        try {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
            Path parent = wanted;
            while (parent != null && !Files.exists(parent)) {
                parent = parent.getParent();
            }
            if (parent == null || !parent.toRealPath().startsWith(tmp)) {
                return wanted;
            }
            Path elsewhere = Path.of(System.getProperty("user.home"), ".cache", "fleet-saga", "chaos")
                    .resolve(Long.toString(ProcessHandle.current().pid()));
            deleteRecursively(elsewhere);
            log.info(
                    "{} lies under {}, where the embedded MariaDB wipes its data on every start: the stack lives in {}",
                    wanted,
                    tmp,
                    elsewhere);
            return elsewhere;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .map(Path::toFile)
                        .forEach(File::delete);
            }
        }
    }

    /**
     * Plays {@code scenario} with {@code parameters}, waits for quiescence, checks every invariant; writes the run's
     * history next to the report in {@code reportDir}.
     */
    ScenarioResult run(Scenario scenario, Parameters parameters, Path reportDir) throws Exception {
        String prefix = "x" + scenario.id().replaceAll("[^a-z0-9]", "").substring(0, 2)
                + Long.toString(new Random(parameters.seed() ^ System.nanoTime()).nextInt(1 << 20), 36);
        History history = new History();
        Api api = new Api(
                history,
                () -> live(stack.orderServices()),
                () -> live(stack.assignmentServices()),
                DISPATCHER,
                OPS,
                PASSWORD,
                Duration.ofSeconds(15),
                8);
        Random webhookRandom = new Random(parameters.seed() + 7);
        // part of the time slow (answers after the caller's timeout) or failing (503)
        receiver.script(call -> {
            double dice;
            synchronized (webhookRandom) {
                dice = webhookRandom.nextDouble();
            }
            return dice < 0.05
                    ? WebhookReceiver.Answer.APPLY_AND_ANSWER_LATE
                    : dice < 0.12 ? WebhookReceiver.Answer.FAIL : WebhookReceiver.Answer.APPLY;
        });
        Map<String, Long> deadLettersBefore = probe.deadLetters();
        RunContext context = new RunContext(this, api, history, parameters, prefix);
        Instant started = Instant.now();
        log.info("scenario {} (seed {}, prefix {}) starts", scenario.id(), parameters.seed(), prefix);
        Throwable failure = null;
        try {
            scenario.run(context);
        } catch (Exception | AssertionError e) {
            failure = e;
            log.error("scenario {} failed while running", scenario.id(), e);
        } finally {
            context.cleanUp();
        }
        Instant workloadEnded = Instant.now();
        reviveAll();
        Instant quiet = awaitQuiescence(parameters.quiescence());
        receiver.script(call -> WebhookReceiver.Answer.APPLY);
        try {
            context.runAfterQuiescence();
        } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
            log.error("scenario {}: a check after quiescence failed", scenario.id(), e);
        }
        List<Checker.Invariant> invariants = new ArrayList<>();
        invariants.add(new Checker.Invariant(
                "quiescence",
                "outboxes drained, consumers at the end of their partitions, sagas settled within "
                        + parameters.quiescence(),
                quiet != null,
                quiet == null ? 1 : 0,
                quiet == null ? List.of(monitor.sample().toString()) : List.of()));
        if (failure != null) {
            invariants.add(new Checker.Invariant(
                    "scenario-ran", "the scenario's steps ran", false, 1, List.of(String.valueOf(failure))));
        }
        invariants.addAll(context.invariants);
        invariants.addAll(checker.checkAll(
                prefix,
                history.ops(),
                receiver,
                deadLettersBefore,
                scenario.forcesPermanentFailures(),
                api,
                stack.orderServices().get(0).port()));
        ScenarioResult result = ScenarioResult.of(
                scenario, parameters, prefix, started, workloadEnded, quiet, history, monitor, context, invariants);
        log.info("scenario {}: {}", scenario.id(), result.passed() ? "PASSED" : "FAILED " + result.failedNames());
        Report.writeHistory(reportDir, result, history);
        return result;
    }

    /** Any service that died (and was not brought back by its scenario) is started again; all paused are resumed. */
    void reviveAll() {
        for (ServiceProcess s : stack.services()) {
            if (s.isPaused()) {
                s.resume();
            }
            if (!s.isAlive()) {
                s.relaunch().awaitReady(Duration.ofMinutes(3));
            }
        }
        if (stack.broker().isPaused()) {
            stack.broker().resume();
        }
        if (!stack.broker().isRunning()) {
            stack.broker().restart();
        }
        stack.databaseProxy().ifPresent(io.fleetsaga.infra.TcpProxy::restore);
        stack.brokerProxy().ifPresent(io.fleetsaga.infra.TcpProxy::restore);
    }

    /**
     * Waits until nothing is in flight: no unsent outbox row in either service, both consumer groups at the end of
     * their partitions, no saga running, no order waiting for its assignment. Returns when that held, or null.
     */
    Instant awaitQuiescence(Duration max) {
        boolean quiet = Probe.await(
                max,
                () -> probe.unsent(FleetStack.ORDERS_SCHEMA) == 0
                        && probe.unsent(FleetStack.ASSIGNMENTS_SCHEMA) == 0
                        && probe.lag("assignment-service") == 0
                        && probe.lag("order-service") == 0
                        && probe.count(
                                        FleetStack.ORDERS_SCHEMA,
                                        "SELECT COUNT(*) FROM assignment_saga WHERE status = 'STARTED'")
                                == 0
                        && probe.count(
                                        FleetStack.ORDERS_SCHEMA,
                                        "SELECT COUNT(*) FROM fleet_order WHERE status = 'ASSIGNMENT_PENDING'")
                                == 0
                        // the events of the last step may be produced after the previous probe: settle twice in a row
                        && probe.unsent(FleetStack.ORDERS_SCHEMA) == 0
                        && probe.lag("assignment-service") == 0
                        && probe.unsent(FleetStack.ASSIGNMENTS_SCHEMA) == 0
                        && probe.lag("order-service") == 0);
        return quiet ? Instant.now() : null;
    }

    private static List<Integer> live(List<ServiceProcess> services) {
        List<Integer> ports = new ArrayList<>();
        for (ServiceProcess s : services) {
            if (s.isAlive()) {
                ports.add(s.port());
            }
        }
        return ports.isEmpty() ? services.stream().map(ServiceProcess::port).toList() : ports;
    }

    @Override
    public void close() {
        monitor.close();
        probe.close();
        stack.close();
        receiver.close();
        if (relocated != null) {
            try {
                deleteRecursively(relocated);
            } catch (IOException e) {
                log.warn("could not delete {}: {}", relocated, e.toString());
            }
        }
    }
}
