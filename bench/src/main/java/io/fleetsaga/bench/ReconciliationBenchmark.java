package io.fleetsaga.bench;

import io.fleetsaga.bench.BenchData.Drift;
import io.fleetsaga.bench.MemorySampler.Peaks;
import io.fleetsaga.common.reconciliation.BucketDigests;
import io.fleetsaga.common.reconciliation.FactDigestSql;
import io.fleetsaga.infra.DatabaseServer;
import io.fleetsaga.infra.EmbeddedMariaDb;
import io.fleetsaga.infra.RealInfrastructure;
import io.fleetsaga.infra.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * How long, and with how much memory, order-service reconciles N orders against assignment-service, for each N of
 * {@code bench.sizes} (default 100,000 and 1,000,000; issue 13 asks for 1,000,000 and 10,000,000): by bucket digests
 * ({@code DIGEST}) and, up to {@code bench.full-scan-max} orders, by comparing every row ({@code FULL_SCAN}, the
 * baseline, measured in the same run); first with no drift, then with drift injected into assignment-service's tables
 * (default 0.1% of the orders, plus a few task counters), whose reported counts must equal what was injected. The
 * sizes run in ascending order in the same JVMs and schemas (emptied and seeded again for each size), so the growth
 * from one size to the next — median time × / size ×, 1.0 = linear — is measured in one window.
 *
 * <p>Both services run from their executable jars as real processes on the real database and broker
 * ({@link RealInfrastructure}), with a fixed, modest heap. Data is seeded by SQL inside the database (not measured;
 * {@link BenchData#seed()}). Each run is started through the ops API and polled until it completes; its duration is
 * the one the run report states (database clock) and the wall clock from the POST until the poll that saw it
 * completed. Memory: peak RSS ({@code VmHWM}, reset before each run) and sampled heap in use
 * ({@code /actuator/prometheus}, every 200 ms). Everything printed is also written to
 * {@code results/reconciliation-<timestamp>.txt}; the summary as JSON and markdown to {@code bench.report.dir}
 * ({@code target/bench}). Run it with {@code ./mvnw -q -pl bench -am package exec:exec -DskipTests} (see
 * docs/benchmarks.md); it never runs in the build.
 */
public final class ReconciliationBenchmark {

    private static final String OPS = "ops";
    private static final String SERVICE = "service";
    private static final String PASSWORD = "bench-secret";
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration SLOW_STATEMENT = Duration.ofMillis(200);

    private final Settings settings;
    private final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    /** Machine, JDK, database: for the JSON report. */
    private final Map<String, Object> machine = new LinkedHashMap<>();

    private final Output out = new Output();
    private final List<String> failures = new ArrayList<>();
    private final List<RunResult> results = new ArrayList<>();
    private ServiceProcess orderService;
    private ServiceProcess assignmentService;
    private MemorySampler sampler;
    private long orderPid;
    private long assignmentPid;
    private long databasePid = -1;
    private Path dataDir;
    /** The drift injected per size. */
    private final Map<Integer, Map<Drift, Integer>> driftInjected = new LinkedHashMap<>();
    /** The database's slow query log (statements over {@link #SLOW_STATEMENT}), where the server lets us read it. */
    private Connection slowLog;

    /** order-service's schema, read-only: the status of a run, polled while it runs. */
    private Connection runStatus;

    /** What to run; every value comes from a {@code bench.*} system property (see bench/pom.xml). */
    record Settings(
            List<Integer> sizes,
            int ordersPerTask,
            int driftPerMille,
            int digestRepeats,
            int fullScanMax,
            boolean jfr,
            Map<String, String> serviceProperties,
            String gracePeriod,
            List<String> serviceJvmOptions,
            Path orderJar,
            Path assignmentJar,
            Path resultsDir,
            Path workDir,
            Path reportDir) {

        static final String DEFAULT_SIZES = "100000,1000000";

        static Settings fromSystemProperties() {
            return new Settings(
                    Arrays.stream(System.getProperty("bench.sizes", DEFAULT_SIZES)
                                    .split(","))
                            .map(String::strip)
                            .map(Integer::valueOf)
                            .sorted()
                            .toList(),
                    Integer.getInteger("bench.orders-per-task", 1000),
                    Integer.getInteger("bench.drift-per-mille", 1),
                    Integer.getInteger("bench.digest-repeats", 3),
                    Integer.getInteger("bench.full-scan-max", 100_000),
                    Boolean.getBoolean("bench.jfr"),
                    properties(System.getProperty("bench.service-properties", "")),
                    System.getProperty("bench.grace-period", "1s"),
                    List.of(System.getProperty("bench.service-jvm-options", "-Xmx256m -XX:+UseG1GC")
                            .trim()
                            .split("\\s+")),
                    Path.of(required("fleetsaga.order-service.jar")),
                    Path.of(required("fleetsaga.assignment-service.jar")),
                    Path.of(System.getProperty("bench.results.dir", "results")),
                    Path.of(System.getProperty("bench.work.dir", "target/bench-work")),
                    Path.of(System.getProperty("bench.report.dir", "target/bench")));
        }

        /** {@code key=value;key=value} (empty: none). */
        private static Map<String, String> properties(String list) {
            Map<String, String> properties = new LinkedHashMap<>();
            for (String entry : list.split(";")) {
                if (!entry.isBlank()) {
                    int eq = entry.indexOf('=');
                    properties.put(
                            entry.substring(0, eq).strip(),
                            entry.substring(eq + 1).strip());
                }
            }
            return properties;
        }

        private static String required(String property) {
            String value = System.getProperty(property);
            if (value == null || value.isBlank() || !java.nio.file.Files.isRegularFile(Path.of(value))) {
                throw new IllegalStateException("run the benchmark through Maven: ./mvnw -q -pl bench -am package"
                        + " exec:exec -DskipTests (system property " + property + " names no file: " + value + ")");
            }
            return value;
        }
    }

    /** One reconciliation run as measured. */
    record RunResult(
            int orders,
            String scenario,
            String method,
            int repeat,
            JsonNode report,
            long wallMillis,
            Map<String, Peaks> peaks,
            Map<String, Double> cpuSeconds,
            String loadBefore,
            String loadAfter) {

        long durationMillis() {
            return report.path("durationMillis").asLong(-1);
        }
    }

    private ReconciliationBenchmark(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) {
        int exit;
        try {
            exit = new ReconciliationBenchmark(Settings.fromSystemProperties()).run();
        } catch (Exception | Error e) {
            e.printStackTrace();
            exit = 2;
        }
        // always exit: the embedded database, the broker and the services stop with this JVM (shutdown hooks)
        System.exit(exit);
    }

    private int run() throws Exception {
        Path resultFile = settings.resultsDir().resolve("reconciliation-" + stamp + ".txt");
        Path logs = settings.workDir().resolve("logs-" + stamp).toAbsolutePath();
        try {
            out.line("# fleet-saga reconciliation benchmark, " + stamp);
            out.line("command: ./mvnw -q -pl bench -am package exec:exec -DskipTests" + nonDefaultOptions());
            benchmark(logs);
        } catch (Exception | Error e) {
            failures.add("benchmark aborted: " + e);
            out.line("ABORTED: " + e);
            throw e;
        } finally {
            stopServices();
            if (!failures.isEmpty()) {
                out.line("");
                out.line("CHECKS FAILED (%d):", failures.size());
                failures.forEach(f -> out.line("  - " + f));
            }
            out.writeTo(resultFile);
            System.out.println("results written to " + resultFile.toAbsolutePath());
        }
        return failures.isEmpty() ? 0 : 1;
    }

    private String nonDefaultOptions() {
        StringBuilder options = new StringBuilder();
        String sizes = settings.sizes().stream().map(String::valueOf).collect(Collectors.joining(","));
        if (!sizes.equals(Settings.DEFAULT_SIZES)) {
            options.append(" -Dbench.sizes=").append(sizes);
        }
        if (settings.ordersPerTask() != 1000) {
            options.append(" -Dbench.orders-per-task=").append(settings.ordersPerTask());
        }
        if (settings.driftPerMille() != 1) {
            options.append(" -Dbench.drift-per-mille=").append(settings.driftPerMille());
        }
        if (settings.digestRepeats() != 3) {
            options.append(" -Dbench.digest-repeats=").append(settings.digestRepeats());
        }
        if (settings.fullScanMax() != 100_000) {
            options.append(" -Dbench.full-scan-max=").append(settings.fullScanMax());
        }
        if (settings.jfr()) {
            options.append(" -Dbench.jfr=true");
        }
        if (!settings.serviceProperties().isEmpty()) {
            options.append(" '-Dbench.service-properties=")
                    .append(settings.serviceProperties().entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining(";")))
                    .append("'");
        }
        if (!settings.gracePeriod().equals("1s")) {
            options.append(" -Dbench.grace-period=").append(settings.gracePeriod());
        }
        return options.toString();
    }

    private void benchmark(Path logs) throws Exception {
        long t0 = System.nanoTime();
        RealInfrastructure infra = RealInfrastructure.get();
        DatabaseServer db = infra.database();
        if (db instanceof EmbeddedMariaDb mariaDb) {
            databasePid = mariaDb.pid();
            dataDir = mariaDb.dataDir();
        }
        out.line("infrastructure: %s, ready in %d ms", infra.source(), millisSince(t0));
        machineFacts(db);

        enableSlowLog(db); // before the services connect: a connection keeps the long_query_time it started with
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String ordersDb = "bench_orders_" + suffix;
        String assignmentsDb = "bench_assignments_" + suffix;
        startServices(infra, ordersDb, assignmentsDb, logs);
        runStatus = DriverManager.getConnection(db.jdbcUrl(ordersDb), db.username(), db.password());
        runStatus.setAutoCommit(true); // every poll reads the latest committed status

        List<MemorySampler.Watched> watched = new ArrayList<>();
        watched.add(new MemorySampler.Watched("order-service", orderPid, orderService.uri("/actuator/prometheus")));
        watched.add(new MemorySampler.Watched(
                "assignment-service", assignmentPid, assignmentService.uri("/actuator/prometheus")));
        if (databasePid > 0) {
            watched.add(new MemorySampler.Watched("mariadbd", databasePid, null));
        }
        sampler = new MemorySampler(watched);

        // ascending sizes, same JVMs and schemas: the larger size runs on services warmed by the smaller ones
        try {
            sizes(db, ordersDb, assignmentsDb);
        } finally {
            summary(); // also of the sizes done when a later one aborted
        }
    }

    private void sizes(DatabaseServer db, String ordersDb, String assignmentsDb) throws Exception {
        for (int size : settings.sizes()) {
            BenchData data = new BenchData(
                    size,
                    settings.ordersPerTask(),
                    db.jdbcUrl(ordersDb),
                    db.jdbcUrl(assignmentsDb),
                    db.username(),
                    db.password());
            try {
                size(data);
            } finally {
                long cleared = System.nanoTime();
                data.clear(); // also the last size: gigabytes on the disk otherwise, until the JVM ends
                out.line("tables emptied in %.1f s; %s", millisSince(cleared) / 1000.0, disk());
            }
        }
    }

    /** Seeds {@code data}, reconciles it without drift, times the steps, injects drift and reconciles it again. */
    private void size(BenchData data) throws Exception {
        int n = data.orders;
        boolean fullScan = n <= settings.fullScanMax();
        out.line("");
        out.line("# %,d orders", n);
        out.line("");
        out.line("## seeding %,d orders (not part of the result)", n);
        long seedStart = System.nanoTime();
        data.seed();
        long seeded = millisSince(seedStart);
        long analyzeStart = System.nanoTime();
        data.analyze();
        out.line(
                "seeded %,d orders on %,d tasks (%,d per task; 30%% ASSIGNED, 20%% DELIVERING, 40%% DELIVERED, 10%%"
                        + " ON_HOLD) with links, mirrors and counters in %.1f s; ANALYZE TABLE %.1f s",
                data.orders, data.tasks, data.ordersPerTask, seeded / 1000.0, millisSince(analyzeStart) / 1000.0);
        data.tableSizes(data.ordersUrl()).forEach(t -> out.line("  orders schema:      " + t));
        data.tableSizes(data.assignmentsUrl()).forEach(t -> out.line("  assignments schema: " + t));
        out.line("  %s", disk());
        idleMemory();

        out.line("");
        out.line("## %,d orders, scenario 1: no drift", n);
        Map<Drift, Integer> none = new EnumMap<>(Drift.class);
        for (Drift d : Drift.values()) {
            none.put(d, 0);
        }
        for (int i = 1; i <= settings.digestRepeats(); i++) {
            check(reconcile(n, "no drift", "DIGEST", i), none, n, n);
        }
        if (settings.jfr()) {
            profiled(n);
        }
        if (fullScan) {
            check(reconcile(n, "no drift", "FULL_SCAN", 1), none, n, n);
        } else {
            out.line("(no FULL_SCAN run: %,d orders > -Dbench.full-scan-max=%,d)", n, settings.fullScanMax());
        }

        phases(
                data,
                results.stream()
                        .filter(r -> r.orders() == n && r.method().equals("DIGEST"))
                        .mapToInt(r -> r.report().path("bucketCount").asInt())
                        .filter(b -> b > 0)
                        .findFirst()
                        .orElse(FactDigestSql.bucketCountFor(n, 16, 256, 65536)),
                fullScan);

        out.line("");
        out.line("## %,d orders, scenario 2: drift injected into assignment-service's tables", n);
        long injectStart = System.nanoTime();
        Map<Drift, Integer> injected = data.injectDrift(settings.driftPerMille());
        out.line("injected in %.1f s (not part of the result): %s", millisSince(injectStart) / 1000.0, injected);
        driftInjected.put(n, injected);
        long expectedLinks = (long) n - injected.get(Drift.MISSING_LINK) + injected.get(Drift.ORPHAN_LINK);
        for (int i = 1; i <= settings.digestRepeats(); i++) {
            check(reconcile(n, driftScenario(), "DIGEST", i), injected, n, expectedLinks);
        }
        if (fullScan) {
            check(reconcile(n, driftScenario(), "FULL_SCAN", 1), injected, n, expectedLinks);
        }
        table(n, data.tasks, injected);
    }

    /** Free space where the database keeps its data (the seeded tables), and the size of that directory. */
    private String disk() {
        if (dataDir == null) {
            return "disk: the database is not the embedded one";
        }
        try (var files = Files.walk(dataDir)) {
            long used = files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
            return String.format(
                    "disk: database files %.2f GiB, %.1f GiB free on %s",
                    used / 1073741824.0, Files.getFileStore(dataDir).getUsableSpace() / 1073741824.0, dataDir);
        } catch (IOException | UncheckedIOException e) {
            return "disk: " + e;
        }
    }

    private void machineFacts(DatabaseServer db) throws Exception {
        out.line("");
        out.line("## machine");
        out.line(
                "cpu: %d cores (%s), memory: %s",
                Runtime.getRuntime().availableProcessors(), Procfs.cpuModel(), Procfs.memTotal());
        out.line(
                "jdk (benchmark and services): %s %s (%s)",
                System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"),
                System.getProperty("java.home"));
        String bufferPool;
        String durability;
        try (var c = DriverManager.getConnection(db.jdbcUrl("mysql"), db.username(), db.password());
                var s = c.createStatement();
                var rs = s.executeQuery("SELECT @@innodb_buffer_pool_size, @@innodb_flush_log_at_trx_commit,"
                        + " @@log_bin, @@sync_binlog, @@innodb_flush_method")) {
            rs.next();
            bufferPool = rs.getLong(1) / 1048576 + " MiB";
            durability = "innodb_flush_log_at_trx_commit " + rs.getString(2) + ", log_bin " + rs.getString(3)
                    + ", sync_binlog " + rs.getString(4) + ", innodb_flush_method " + rs.getString(5);
        }
        out.line("database: %s (innodb_buffer_pool_size %s; %s)", db.serverVersion(), bufferPool, durability);
        machine.put("durability", durability);
        out.line("source: %s", git());
        out.line("load average (1 min) at start: %s", Procfs.loadAverage());
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("cpu", Procfs.cpuModel());
        machine.put("memory", Procfs.memTotal());
        machine.put("jdk", System.getProperty("java.runtime.version"));
        machine.put("database", db.serverVersion());
        machine.put("innodbBufferPool", bufferPool);
        machine.put("source", git());
        machine.put("loadAverageAtStart", Procfs.loadAverage());
    }

    private static String git() {
        try {
            Process head = new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
                    .redirectErrorStream(true)
                    .start();
            String commit = new String(head.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            Process status = new ProcessBuilder("git", "status", "--porcelain")
                    .redirectErrorStream(true)
                    .start();
            long changed = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .count();
            head.waitFor(10, TimeUnit.SECONDS);
            status.waitFor(10, TimeUnit.SECONDS);
            return "git " + commit + (changed > 0 ? " + " + changed + " uncommitted changes in the working tree" : "");
        } catch (IOException e) {
            return "git unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "git unknown";
        }
    }

    private void startServices(RealInfrastructure infra, String ordersDb, String assignmentsDb, Path logs) {
        int orderPort = ServiceProcess.freePort();
        int assignmentPort = ServiceProcess.freePort();
        Map<String, String> orderProperties = serviceProperties(infra.springProperties(ordersDb), "order-service");
        orderProperties.put("fleetsaga.reconciliation.schedule", "false");
        orderProperties.put("fleetsaga.reconciliation.grace-period", settings.gracePeriod());
        orderProperties.put("fleetsaga.reconciliation.assignment-service.url", "http://127.0.0.1:" + assignmentPort);
        orderProperties.put("fleetsaga.reconciliation.assignment-service.username", SERVICE);
        orderProperties.put("fleetsaga.reconciliation.assignment-service.password", PASSWORD);
        Map<String, String> assignmentProperties =
                serviceProperties(infra.springProperties(assignmentsDb), "assignment-service");
        out.line("");
        out.line("## services");
        out.line("jvm options of both services: %s", String.join(" ", settings.serviceJvmOptions()));
        out.line(
                "settings of both services changed for the benchmark (-Dbench.service-properties): %s",
                settings.serviceProperties().isEmpty() ? "none" : settings.serviceProperties());
        out.line(
                "order-service: reconciliation grace-period %s, schedule off, other settings default",
                settings.gracePeriod());
        out.line("logs: %s", logs);
        long started = System.nanoTime();
        CompletableFuture<ServiceProcess> orders = CompletableFuture.supplyAsync(() -> ServiceProcess.start(
                        "order-service",
                        settings.orderJar(),
                        orderPort,
                        orderProperties,
                        settings.serviceJvmOptions(),
                        logs)
                .awaitReady(Duration.ofMinutes(4)));
        CompletableFuture<ServiceProcess> assignments = CompletableFuture.supplyAsync(() -> ServiceProcess.start(
                        "assignment-service",
                        settings.assignmentJar(),
                        assignmentPort,
                        assignmentProperties,
                        settings.serviceJvmOptions(),
                        logs)
                .awaitReady(Duration.ofMinutes(4)));
        try {
            orderService = orders.join();
        } finally {
            assignmentService = assignments.join();
        }
        orderPid = Procfs.findService(settings.orderJar(), orderPort)
                .orElseThrow(() -> new IllegalStateException("no process of order-service found"));
        assignmentPid = Procfs.findService(settings.assignmentJar(), assignmentPort)
                .orElseThrow(() -> new IllegalStateException("no process of assignment-service found"));
        out.line(
                "both ready in %.1f s: order-service pid %d port %d, assignment-service pid %d port %d",
                millisSince(started) / 1000.0, orderPid, orderPort, assignmentPid, assignmentPort);
    }

    private Map<String, String> serviceProperties(Map<String, String> infra, String name) {
        Map<String, String> props = new HashMap<>(infra);
        props.putAll(settings.serviceProperties());
        String[][] users = {{OPS, "OPS"}, {SERVICE, "SERVICE"}};
        for (int i = 0; i < users.length; i++) {
            props.put("fleetsaga.security.users[" + i + "].name", users[i][0]);
            props.put("fleetsaga.security.users[" + i + "].password", "{noop}" + PASSWORD);
            props.put("fleetsaga.security.users[" + i + "].roles", users[i][1]);
        }
        props.put(
                "server.tomcat.basedir",
                settings.workDir().resolve("tomcat-" + name).toAbsolutePath().toString());
        return props;
    }

    private void stopServices() {
        for (ServiceProcess service : new ServiceProcess[] {orderService, assignmentService}) {
            if (service != null) {
                try {
                    service.close();
                } catch (RuntimeException e) {
                    out.line("could not stop %s: %s", service.name(), e);
                }
            }
        }
    }

    private void idleMemory() throws InterruptedException {
        sampler.start();
        Thread.sleep(2000);
        Map<String, Peaks> idle = sampler.stop();
        out.line("");
        out.line(
                "## idle, after seeding (2 s, %d samples)",
                idle.get("order-service").samples());
        idle.forEach((name, p) -> out.line("  %-18s %s", name, describe(p)));
    }

    private static String describe(Peaks p) {
        return String.format(
                "RSS peak %s MiB (sampled %s)%s",
                mib(p.hwmKb() * 1024),
                mib(p.peakRssKb() * 1024),
                p.peakHeapBytes() < 0
                        ? ""
                        : ", heap used peak " + mib(p.peakHeapBytes()) + " MiB of " + mib(p.peakHeapCommittedBytes())
                                + " MiB committed");
    }

    /** Starts one run through the ops API and waits for it; prints and records what it measured. */
    private RunResult reconcile(int orders, String scenario, String method, int repeat) throws Exception {
        return reconcile(orders, scenario, method, repeat, null);
    }

    /**
     * One more no-drift {@code DIGEST} run with a JFR recording of both services (not part of the results: recording
     * costs some of the time it measures), and where their CPU samples fell.
     */
    private void profiled(int orders) throws Exception {
        Path dir = settings.workDir().resolve("jfr-" + stamp).toAbsolutePath();
        Map<String, JfrRecording> recordings = new LinkedHashMap<>();
        recordings.put("order-service", JfrRecording.start(orderPid, dir.resolve("order-service-" + orders + ".jfr")));
        recordings.put(
                "assignment-service",
                JfrRecording.start(assignmentPid, dir.resolve("assignment-service-" + orders + ".jfr")));
        reconcile(orders, "no drift", "DIGEST", 0, recordings);
    }

    private RunResult reconcile(
            int orders, String scenario, String method, int repeat, Map<String, JfrRecording> recordings)
            throws Exception {
        Thread.sleep(1000); // let the previous run's lease go and the services settle
        String loadBefore = Procfs.loadAverage();
        clearSlowLog();
        Map<String, Long> cpuBefore = cpuTicks();
        sampler.start();
        long started = System.nanoTime();
        long runId = startRun(method);
        // polled in order-service's table, not through its API: every API call costs a password check (bcrypt)
        while (!runFinished(runId)) {
            if (System.nanoTime() - started > RUN_TIMEOUT.toNanos()) {
                throw new IllegalStateException("run " + runId + " still running after " + RUN_TIMEOUT);
            }
            Thread.sleep(POLL.toMillis());
        }
        long wall = millisSince(started);
        Map<String, Peaks> peaks = sampler.stop();
        if (recordings != null) {
            for (JfrRecording recording : recordings.values()) {
                recording.stop();
            }
        }
        JsonNode report = getJson(orderService.uri("/api/ops/reconciliation/runs/" + runId), OPS);
        Map<String, Long> cpuAfter = cpuTicks();
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpuBefore.forEach((k, v) -> cpu.put(k, (cpuAfter.get(k) - v) / (double) Procfs.TICKS_PER_SECOND));
        RunResult result = new RunResult(
                orders, scenario, method, repeat, report, wall, peaks, cpu, loadBefore, Procfs.loadAverage());
        if (recordings == null) {
            results.add(result);
        }
        out.line(
                "%,d orders, %s %s #%d: run %d %s, %d ms (report: %s to %s), %d ms (wall); orders %d, links %d,"
                        + " buckets %d (%d differing), rows compared %d, candidates %d, drift %d %s",
                orders,
                scenario,
                method,
                repeat,
                runId,
                report.path("status").asText(),
                result.durationMillis(),
                timeOfDay(report.path("startedAt").asText()),
                timeOfDay(report.path("finishedAt").asText()),
                wall,
                report.path("ordersChecked").asLong(),
                report.path("linksChecked").asLong(),
                report.path("bucketCount").asInt(),
                report.path("bucketsDiffering").asInt(),
                report.path("rowsCompared").asLong(),
                report.path("candidates").asInt(),
                report.path("driftTotal").asInt(),
                report.path("drift"));
        peaks.forEach((name, p) -> out.line("    %-18s %s", name, describe(p)));
        out.line(
                "    cpu s: %s; load avg %s -> %s",
                cpu.entrySet().stream()
                        .map(e -> e.getKey() + " " + String.format("%.1f", e.getValue()))
                        .reduce((a, b) -> a + ", " + b)
                        .orElse(""),
                loadBefore,
                result.loadAfter());
        // plans once per size: the first no-drift DIGEST run
        printSlowLog(repeat == 1 && method.equals("DIGEST") && scenario.equals("no drift"));
        if (recordings != null) {
            out.line("    PROFILED run (JFR on both services; not part of the results)");
            for (Map.Entry<String, JfrRecording> r : recordings.entrySet()) {
                JfrRecording.Profile profile = r.getValue().profile(8, "io.fleetsaga");
                out.line(
                        "    %s: %d CPU samples (jdk.ExecutionSample, threads running Java code), top frames:",
                        r.getKey(), profile.samples());
                profile.topFrames().forEach(f -> out.line("      " + f));
                out.line("    %s: the first io.fleetsaga frame of each sample, most frequent:", r.getKey());
                profile.topOwnFrames().forEach(f -> out.line("      " + f));
            }
        }
        return result;
    }

    /**
     * Has the database log every statement that takes over {@link #SLOW_STATEMENT} into {@code mysql.slow_log}: the
     * statements of a run that cost time, with their durations and rows examined, as the server measured them.
     */
    private void enableSlowLog(DatabaseServer db) {
        if (!(db instanceof EmbeddedMariaDb)) {
            // global settings and TRUNCATE of mysql.slow_log: only on the benchmark's own server, never a shared one
            out.line("(database slow query log not used: the database is not the embedded one)");
            return;
        }
        try {
            slowLog = DriverManager.getConnection(db.jdbcUrl("mysql"), db.username(), db.password());
            try (Statement s = slowLog.createStatement()) {
                s.execute("SET GLOBAL log_output = 'TABLE'");
                s.execute("SET GLOBAL long_query_time = " + SLOW_STATEMENT.toMillis() / 1000.0);
                s.execute("SET GLOBAL slow_query_log = ON");
            }
        } catch (SQLException e) {
            out.line("(database slow query log not available: %s)", e.getMessage());
            slowLog = null;
        }
    }

    private void clearSlowLog() {
        if (slowLog != null) {
            try (Statement s = slowLog.createStatement()) {
                s.execute("TRUNCATE TABLE mysql.slow_log");
            } catch (SQLException e) {
                out.line("(cannot clear the slow query log: %s)", e.getMessage());
            }
        }
    }

    /** The slow log of the last run; with {@code plans}, also the plan ({@code EXPLAIN}) of each slow SELECT. */
    private void printSlowLog(boolean plans) {
        if (slowLog == null) {
            return;
        }
        Map<String, String> selects = new LinkedHashMap<>(); // statement → its schema
        try (Statement s = slowLog.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT DATE_FORMAT(start_time, '%H:%i:%s.%f'),"
                                + " HOUR(query_time) * 3600000 + MINUTE(query_time) * 60000 + SECOND(query_time) * 1000"
                                + " + MICROSECOND(query_time) / 1000, rows_examined, rows_sent, db,"
                                + " REPLACE(LEFT(sql_text, 110), '\n', ' '), sql_text FROM mysql.slow_log ORDER BY start_time")) {
            int n = 0;
            while (rs.next()) {
                if (rs.getString(7).regionMatches(true, 0, "SELECT", 0, 6)) {
                    selects.putIfAbsent(rs.getString(7), rs.getString(5));
                }
                if (n++ == 0) {
                    out.line(
                            "    statements over %d ms (database slow log: start, duration, rows examined/sent):",
                            SLOW_STATEMENT.toMillis());
                }
                out.line(
                        "      %s %6.0f ms %9d/%-6d %s: %s",
                        rs.getString(1).substring(0, 12),
                        rs.getDouble(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        String.valueOf(rs.getString(5)).startsWith("bench_orders") ? "orders" : "assignments",
                        rs.getString(6));
            }
            if (n == 0) {
                out.line("    no statement over %d ms (database slow log)", SLOW_STATEMENT.toMillis());
            }
        } catch (SQLException e) {
            out.line("(cannot read the slow query log: %s)", e.getMessage());
        }
        if (plans) {
            selects.forEach(this::printPlan);
        }
    }

    /** {@code EXPLAIN} of a statement from the slow log, in its schema: how the database runs it. */
    private void printPlan(String sql, String schema) {
        out.line("    plan of %s: %s", schema, sql.replace('\n', ' ').substring(0, Math.min(110, sql.length())));
        try (Statement s = slowLog.createStatement()) {
            s.execute("USE `" + schema + "`");
            try (ResultSet rs = s.executeQuery("EXPLAIN " + sql)) {
                while (rs.next()) {
                    out.line(
                            "      table %s, type %s, key %s, rows %s, %s",
                            rs.getString("table"),
                            rs.getString("type"),
                            rs.getString("key"),
                            rs.getString("rows"),
                            rs.getString("Extra"));
                }
            }
        } catch (SQLException e) {
            out.line("      (no plan: %s)", e.getMessage());
        }
    }

    private boolean runFinished(long runId) throws SQLException {
        try (PreparedStatement query =
                runStatus.prepareStatement("SELECT status FROM reconciliation_run WHERE id = ?")) {
            query.setLong(1, runId);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() && !"RUNNING".equals(rs.getString(1));
            }
        }
    }

    private Map<String, Long> cpuTicks() {
        Map<String, Long> ticks = new LinkedHashMap<>();
        ticks.put("order-service", Procfs.cpuTicks(orderPid));
        ticks.put("assignment-service", Procfs.cpuTicks(assignmentPid));
        if (databasePid > 0) {
            ticks.put("mariadbd", Procfs.cpuTicks(databasePid));
        }
        long own = Procfs.ownCpuTicks();
        long machine = Procfs.machineBusyTicks();
        // everything else that ran on the machine meanwhile (other builds, the OS): noise in the measurement
        ticks.put("outside the benchmark", machine - own);
        return ticks;
    }

    private long startRun(String method) throws Exception {
        String body = "{\"mode\":\"DRY_RUN\",\"scope\":\"ALL\",\"method\":\"" + method + "\"}";
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(orderService.uri("/api/ops/reconciliation/runs"))
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .header("Authorization", basic(OPS))
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 202) {
                return JSON.readTree(response.body()).path("id").asLong();
            }
            if (response.statusCode() != 409 || attempt >= 50) {
                throw new IllegalStateException(
                        "POST /api/ops/reconciliation/runs answered " + response.statusCode() + ": " + response.body());
            }
            Thread.sleep(200); // the previous run still holds the lease
        }
    }

    private static JsonNode getJson(URI uri, String user) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", basic(user))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(
                    "GET " + uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static int get(URI uri, String user) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
        if (user != null) {
            request.header("Authorization", basic(user));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static JsonNode postJson(URI uri, String user, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofMinutes(2))
                        .header("Authorization", basic(user))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(
                    "POST " + uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    /** Fails the benchmark (loudly, at the end) when a run did not report exactly the expected drift. */
    private void check(RunResult result, Map<Drift, Integer> expected, long orders, long links) {
        JsonNode r = result.report();
        String run = result.orders() + " orders, " + result.scenario() + " " + result.method() + " #" + result.repeat()
                + " (run " + r.path("id") + ")";
        if (!"COMPLETED".equals(r.path("status").asText())) {
            failures.add(run + ": status " + r.path("status").asText() + ", error "
                    + r.path("error").asText());
            return;
        }
        Map<String, Integer> reported = new LinkedHashMap<>();
        Map<String, Integer> wanted = new LinkedHashMap<>();
        for (Drift d : Drift.values()) {
            reported.put(d.name(), r.path("drift").path(d.name()).asInt(-1));
            wanted.put(d.name(), expected.get(d));
        }
        int expectedTotal =
                expected.values().stream().mapToInt(Integer::intValue).sum();
        out.line(
                "    drift injected %s (total %d) / reported %s (total %d): %s",
                wanted,
                expectedTotal,
                reported,
                r.path("driftTotal").asInt(),
                reported.equals(wanted) ? "equal" : "DIFFERENT");
        if (!reported.equals(wanted) || r.path("driftTotal").asInt() != expectedTotal) {
            failures.add(run + ": drift reported " + reported + ", injected " + wanted);
        }
        if (r.path("ordersChecked").asLong() != orders || r.path("linksChecked").asLong() != links) {
            failures.add(run + ": checked " + r.path("ordersChecked") + " orders and " + r.path("linksChecked")
                    + " links, expected " + orders + " and " + links);
        }
        if (r.path("unsettled").asInt() != 0
                || r.path("inFlight").asInt() != 0
                || r.path("lagging").asInt() != 0
                || r.path("candidatesTruncated").asBoolean()) {
            failures.add(run + ": unsettled " + r.path("unsettled") + ", in flight " + r.path("inFlight")
                    + ", lagging " + r.path("lagging") + ", truncated " + r.path("candidatesTruncated")
                    + " (all expected 0/false)");
        }
    }

    /**
     * The steps of a run, each timed on its own against the same data (the services idle): where a run's time goes.
     * The SQL is the services' own ({@link FactDigestSql}, the page queries), run from this JVM.
     */
    private void phases(BenchData data, int bucketCount, boolean paging) throws Exception {
        out.line("");
        out.line(
                "## %,d orders: steps of a run, timed one by one (no drift; bucket count %d)",
                data.orders, bucketCount);
        // above 1,000,000 orders each step once: they only show where a run's time goes
        int repeats = data.orders > 1_000_000 ? 1 : 3;
        try (SingleConnectionDataSource ordersDs = dataSource(data.ordersUrl());
                SingleConnectionDataSource linksDs = dataSource(data.assignmentsUrl())) {
            JdbcTemplate orders = new JdbcTemplate(ordersDs);
            JdbcTemplate links = new JdbcTemplate(linksDs);
            BucketDigests[] digests = new BucketDigests[2];
            timed(
                    "order count (SQL, order-service's COUNT(*) ... task_id IS NOT NULL)",
                    repeats,
                    () -> orders.queryForObject(
                            "SELECT COUNT(*) FROM fleet_order WHERE task_id IS NOT NULL", Long.class));
            timed(
                    "order digests (SQL on fleet_order)",
                    repeats,
                    () -> digests[0] = FactDigestSql.digest(
                            orders,
                            "fleet_order",
                            "id",
                            List.of("task_id", "status", "version"),
                            "task_id IS NOT NULL",
                            bucketCount));
            timed(
                    "link digests (SQL on task_order_link)",
                    repeats,
                    () -> digests[1] = FactDigestSql.digest(
                            links,
                            "task_order_link",
                            "order_id",
                            List.of("task_id", "order_status", "order_version"),
                            null,
                            bucketCount));
            out.line(
                    "    digests equal: %s (%d non-empty buckets)",
                    digests[0].differingBuckets(digests[1]).length == 0, digests[0].buckets().length);
            timed("order + link digests (SQL, both at once as a run does)", repeats, () -> {
                CompletableFuture<BucketDigests> theirs = CompletableFuture.supplyAsync(() -> FactDigestSql.digest(
                        links,
                        "task_order_link",
                        "order_id",
                        List.of("task_id", "order_status", "order_version"),
                        null,
                        bucketCount));
                FactDigestSql.digest(
                        orders,
                        "fleet_order",
                        "id",
                        List.of("task_id", "status", "version"),
                        "task_id IS NOT NULL",
                        bucketCount);
                return theirs.join();
            });
            timed(
                    "link digests (HTTP GET assignment-service /internal/reconciliation/digests)",
                    repeats,
                    () -> getJson(
                            assignmentService.uri("/internal/reconciliation/digests?bucketCount=" + bucketCount),
                            SERVICE));
            timed(
                    "counter check of all tasks (HTTP POST /internal/reconciliation/counter-check)",
                    repeats,
                    () -> postJson(assignmentService.uri("/internal/reconciliation/counter-check"), SERVICE, "{}"));
            timed(
                    "a request without credentials (GET assignment-service /actuator/health)",
                    5,
                    () -> get(assignmentService.uri("/actuator/health"), null));
            timed(
                    "the same with HTTP Basic credentials of the service user (password check on every request)",
                    5,
                    () -> get(assignmentService.uri("/actuator/health"), SERVICE));
            if (!paging) {
                out.line("  (both sides of a full scan not timed: more orders than -Dbench.full-scan-max)");
                return;
            }
            timed("all orders in pages of 1000 (SQL, FULL_SCAN's order side)", 1, () -> {
                String after = "";
                long rows = 0;
                while (true) {
                    List<String> ids = orders.query(
                            "SELECT id, task_id, status, version FROM fleet_order"
                                    + " WHERE task_id IS NOT NULL AND id > ? ORDER BY id LIMIT 1000",
                            (rs, n) -> rs.getString(1),
                            after);
                    rows += ids.size();
                    if (ids.size() < 1000) {
                        return rows;
                    }
                    after = ids.get(ids.size() - 1);
                }
            });
            timed(
                    "all links in pages of 1000 (HTTP POST /internal/reconciliation/facts, FULL_SCAN's other side)",
                    1,
                    () -> {
                        String after = null;
                        long rows = 0;
                        while (true) {
                            String body = "{\"bucketCount\":1,\"limit\":1000"
                                    + (after == null ? "" : ",\"after\":" + JSON.writeValueAsString(after)) + "}";
                            JsonNode page =
                                    postJson(assignmentService.uri("/internal/reconciliation/facts"), SERVICE, body);
                            rows += page.path("facts").size();
                            if (page.path("next").isNull() || page.path("next").isMissingNode()) {
                                return rows;
                            }
                            after = page.path("next").asText();
                        }
                    });
        }
    }

    private static SingleConnectionDataSource dataSource(String url) {
        DatabaseServer db = RealInfrastructure.get().database();
        return new SingleConnectionDataSource(url, db.username(), db.password(), true);
    }

    private void timed(String what, int repeats, Callable<?> step) {
        long[] millis = new long[repeats];
        Object result = null;
        for (int i = 0; i < repeats; i++) {
            long started = System.nanoTime();
            try {
                result = step.call();
            } catch (Exception e) { // a step that fails (e.g. a statement over the driver's socketTimeout) is shown
                out.line("  %-100s FAILED after %d ms: %s", what, millisSince(started), e.getMessage());
                return;
            }
            millis[i] = millisSince(started);
        }
        String shown = result instanceof Number n ? " → " + n : "";
        out.line("  %-100s %s ms%s", what, Arrays.toString(millis), shown);
    }

    /** The table of one size's runs, as printed after them. */
    private void table(int orders, int tasks, Map<Drift, Integer> injected) {
        List<RunResult> runs =
                results.stream().filter(r -> r.orders() == orders).toList();
        out.line("");
        out.line("## %,d orders: results", orders);
        out.line(
                "N = %,d orders on %,d tasks; drift scenario: %s; grace period %s (part of every run that finds a"
                        + " difference); services %s",
                orders, tasks, injected, settings.gracePeriod(), String.join(" ", settings.serviceJvmOptions()));
        out.line(
                "run ms = the run report's durationMillis (database clock, start to finish); wall ms = POST until the"
                        + " poll (every %d ms, of order-service's reconciliation_run table) that saw it completed;"
                        + " FULL/DIGEST = the FULL_SCAN run's run ms / this run's, same scenario, same JVMs; heap ="
                        + " sampled peak of heap in use (every %d ms); RSS = peak resident set size (VmHWM, reset"
                        + " before each run)",
                POLL.toMillis(), MemorySampler.INTERVAL.toMillis());
        out.line("");
        String header = String.format(
                "| %-10s | %-9s | %s | %7s | %7s | %11s | %13s | %11s | %7s | %5s | %15s | %14s | %14s | %13s |",
                "scenario",
                "method",
                "#",
                "run ms",
                "wall ms",
                "FULL/DIGEST",
                "rows compared",
                "buckets",
                "differ",
                "drift",
                "order heap MiB",
                "order RSS MiB",
                "assign RSS MiB",
                "mariadb RSS MiB");
        out.line(header);
        out.line(header.replaceAll("[^|]", "-"));
        for (RunResult r : runs) {
            long full = runs.stream()
                    .filter(x -> x.scenario().equals(r.scenario()) && x.method().equals("FULL_SCAN"))
                    .mapToLong(RunResult::durationMillis)
                    .findFirst()
                    .orElse(-1);
            String ratio = r.method().equals("FULL_SCAN")
                    ? "baseline"
                    : full < 0 ? "-" : String.format("%.1f", full / (double) Math.max(1, r.durationMillis()));
            Peaks order = r.peaks().get("order-service");
            Peaks assign = r.peaks().get("assignment-service");
            Peaks maria = r.peaks().get("mariadbd");
            out.line(String.format(
                    "| %-10s | %-9s | %d | %7d | %7d | %11s | %13d | %11d | %7d | %5d | %15s | %14s | %14s | %13s |",
                    r.scenario(),
                    r.method(),
                    r.repeat(),
                    r.durationMillis(),
                    r.wallMillis(),
                    ratio,
                    r.report().path("rowsCompared").asLong(),
                    r.report().path("bucketCount").asInt(),
                    r.report().path("bucketsDiffering").asInt(),
                    r.report().path("driftTotal").asInt(),
                    mib(order.peakHeapBytes()),
                    mib(order.hwmKb() * 1024),
                    mib(assign.hwmKb() * 1024),
                    maria == null ? "-" : mib(maria.hwmKb() * 1024)));
        }
        out.line("");
        String cpuHeader = String.format(
                "| %-10s | %-9s | %s | %9s | %9s | %9s | %9s | %17s |",
                "scenario", "method", "#", "order cpu", "assign cpu", "db cpu", "other cpu", "load avg 1m");
        out.line(
                "CPU seconds used during each run (all cores; \"other\" = everything outside the benchmark's processes)");
        out.line(cpuHeader);
        out.line(cpuHeader.replaceAll("[^|]", "-"));
        for (RunResult r : runs) {
            out.line(String.format(
                    "| %-10s | %-9s | %d | %9.1f | %9.1f | %9.1f | %9.1f | %17s |",
                    r.scenario(),
                    r.method(),
                    r.repeat(),
                    r.cpuSeconds().get("order-service"),
                    r.cpuSeconds().get("assignment-service"),
                    r.cpuSeconds().getOrDefault("mariadbd", -1.0),
                    r.cpuSeconds().get("outside the benchmark"),
                    r.loadBefore() + " -> " + r.loadAfter()));
        }
        for (String scenario : List.of("no drift", driftScenario())) {
            Case c = summarise(orders, scenario);
            if (c != null) {
                out.line(
                        "%s: DIGEST median %d ms (min %d, max %d), FULL_SCAN %s ms: FULL_SCAN / DIGEST median = %s",
                        scenario,
                        c.medianMillis(),
                        c.minMillis(),
                        c.maxMillis(),
                        c.fullScanMillis() < 0 ? "not run" : String.valueOf(c.fullScanMillis()),
                        c.fullScanMillis() < 0
                                ? "-"
                                : String.format("%.1f", c.fullScanMillis() / (double) Math.max(1, c.medianMillis())));
            }
        }
    }

    /** One size × scenario, summarised over its {@code DIGEST} runs: the figures the summary table shows. */
    record Case(
            int orders,
            String scenario,
            int runs,
            int failedRuns,
            long medianMillis,
            long minMillis,
            long maxMillis,
            long fullScanMillis,
            long orderHeapMib,
            long orderHwmMib,
            long assignmentHwmMib,
            long databaseHwmMib,
            double orderCpu,
            double assignmentCpu,
            double databaseCpu,
            double otherCpu) {

        /** Orders reconciled per second, by the median run. */
        long ordersPerSecond() {
            return Math.round(orders * 1000.0 / Math.max(1, medianMillis));
        }
    }

    /**
     * The completed {@code DIGEST} runs of one size and scenario: median time, peaks of memory (max), CPU (median
     * run's), and how many failed; {@code null} when there was none at all.
     */
    private Case summarise(int orders, String scenario) {
        List<RunResult> all = results.stream()
                .filter(r -> r.orders() == orders
                        && r.scenario().equals(scenario)
                        && r.method().equals("DIGEST"))
                .toList();
        List<RunResult> digest = all.stream()
                .filter(r -> "COMPLETED".equals(r.report().path("status").asText()))
                .sorted(Comparator.comparingLong(RunResult::durationMillis))
                .toList();
        int failed = all.size() - digest.size();
        if (digest.isEmpty()) {
            return all.isEmpty()
                    ? null
                    : new Case(orders, scenario, 0, failed, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
        }
        RunResult median = digest.get((digest.size() - 1) / 2); // the lower of two middles
        long full = results.stream()
                .filter(r -> r.orders() == orders
                        && r.scenario().equals(scenario)
                        && r.method().equals("FULL_SCAN"))
                .mapToLong(RunResult::durationMillis)
                .findFirst()
                .orElse(-1);
        return new Case(
                orders,
                scenario,
                digest.size(),
                failed,
                median.durationMillis(),
                digest.get(0).durationMillis(),
                digest.get(digest.size() - 1).durationMillis(),
                full,
                maxMib(digest, "order-service", p -> p.peakHeapBytes()),
                maxMib(digest, "order-service", p -> p.hwmKb() * 1024),
                maxMib(digest, "assignment-service", p -> p.hwmKb() * 1024),
                maxMib(digest, "mariadbd", p -> p.hwmKb() * 1024),
                median.cpuSeconds().get("order-service"),
                median.cpuSeconds().get("assignment-service"),
                median.cpuSeconds().getOrDefault("mariadbd", -1.0),
                median.cpuSeconds().get("outside the benchmark"));
    }

    private static long maxMib(List<RunResult> runs, String process, ToLongFunction<Peaks> bytes) {
        return runs.stream()
                .map(r -> r.peaks().get(process))
                .filter(p -> p != null)
                .mapToLong(bytes)
                .filter(b -> b >= 0)
                .map(b -> Math.round(b / 1048576.0))
                .max()
                .orElse(-1);
    }

    /**
     * All sizes side by side (median {@code DIGEST} run of each size × scenario), the growth between consecutive
     * sizes, and the targets of issue 13 (no drift: 3 s per 1,000,000 orders, i.e. 3 µs per order, growth linear);
     * printed, and written as JSON and markdown to {@code bench.report.dir}.
     */
    private void summary() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (int size : settings.sizes()) {
            for (String scenario : List.of("no drift", driftScenario())) {
                Case c = summarise(size, scenario);
                if (c != null) {
                    cases.add(c);
                }
            }
        }
        List<String> md = new ArrayList<>();
        md.add(String.format(
                "| %12s | %-10s | %4s | %9s | %15s | %9s | %10s | %14s | %13s | %14s | %15s | %29s | %9s |",
                "orders",
                "scenario",
                "runs",
                "median ms",
                "min-max ms",
                "orders/s",
                "target ms",
                "order heap MiB",
                "order RSS MiB",
                "assign RSS MiB",
                "mariadb RSS MiB",
                "cpu s order/assign/db/other",
                "full scan"));
        md.add(md.get(0).replaceAll("[^|]", "-"));
        for (Case c : cases) {
            if (c.runs() == 0) {
                md.add(String.format(
                        "| %,12d | %-10s | %4s | all %d DIGEST runs FAILED (see above) |",
                        c.orders(), c.scenario(), "0", c.failedRuns()));
                continue;
            }
            md.add(String.format(
                    "| %,12d | %-10s | %4s | %9d | %15s | %,9d | %10s | %14d | %13d | %14d | %15d | %29s | %9s |",
                    c.orders(),
                    c.scenario(),
                    c.failedRuns() == 0 ? String.valueOf(c.runs()) : c.runs() + " (+" + c.failedRuns() + " failed)",
                    c.medianMillis(),
                    c.minMillis() + "-" + c.maxMillis(),
                    c.ordersPerSecond(),
                    c.scenario().equals("no drift")
                            ? targetMillis(c.orders())
                                    + (c.medianMillis() < targetMillis(c.orders()) ? " met" : " missed")
                            : "-",
                    c.orderHeapMib(),
                    c.orderHwmMib(),
                    c.assignmentHwmMib(),
                    c.databaseHwmMib(),
                    String.format(
                            "%.1f/%.1f/%.1f/%.1f", c.orderCpu(), c.assignmentCpu(), c.databaseCpu(), c.otherCpu()),
                    c.fullScanMillis() < 0 ? "-" : String.valueOf(c.fullScanMillis())));
        }
        md.add("");
        md.add("| from → to orders | scenario | size × | median time × | time × / size × (1.0 = linear) |");
        md.add("|---|---|---|---|---|");
        List<Map<String, Object>> growth = new ArrayList<>();
        for (String scenario : List.of("no drift", driftScenario())) {
            List<Case> of = cases.stream()
                    .filter(c -> c.scenario().equals(scenario) && c.runs() > 0)
                    .toList();
            for (int i = 1; i < of.size(); i++) {
                Case from = of.get(i - 1);
                Case to = of.get(i);
                double size = to.orders() / (double) from.orders();
                double time = to.medianMillis() / (double) Math.max(1, from.medianMillis());
                md.add(String.format(
                        "| %,d → %,d | %s | %.1f | %.2f | %.2f |",
                        from.orders(), to.orders(), scenario, size, time, time / size));
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("fromOrders", from.orders());
                g.put("toOrders", to.orders());
                g.put("scenario", scenario);
                g.put("sizeRatio", size);
                g.put("timeRatio", time);
                g.put("timeRatioPerSizeRatio", time / size);
                growth.add(g);
            }
        }
        out.line("");
        out.line("# summary: median DIGEST run per size and scenario");
        out.line(
                "target ms = issue 13's target for runs without drift, 3 µs per order (3 s per 1,000,000); drift runs"
                        + " include the %s grace period and the re-check; memory = highest peak over the case's runs;"
                        + " cpu = the median run's",
                settings.gracePeriod());
        md.forEach(out::line);
        out.line("load average (1 min) at the end: %s", Procfs.loadAverage());

        Files.createDirectories(settings.reportDir());
        Path mdFile = settings.reportDir().resolve("reconciliation-" + stamp + ".md");
        Files.write(mdFile, md);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "reconciliation");
        json.put("stamp", stamp);
        json.put("machine", machine);
        json.put("sizes", settings.sizes());
        json.put("driftPerMille", settings.driftPerMille());
        json.put("gracePeriod", settings.gracePeriod());
        json.put("serviceJvmOptions", settings.serviceJvmOptions());
        json.put("driftInjected", driftInjected);
        json.put("cases", cases);
        json.put("growth", growth);
        List<Map<String, Object>> runs = new ArrayList<>();
        for (RunResult r : results) {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("orders", r.orders());
            run.put("scenario", r.scenario());
            run.put("method", r.method());
            run.put("repeat", r.repeat());
            run.put("runMillis", r.durationMillis());
            run.put("wallMillis", r.wallMillis());
            run.put("report", r.report());
            run.put("peaks", r.peaks());
            run.put("cpuSeconds", r.cpuSeconds());
            run.put("loadBefore", r.loadBefore());
            run.put("loadAfter", r.loadAfter());
            runs.add(run);
        }
        json.put("runs", runs);
        Path jsonFile = settings.reportDir().resolve("reconciliation-" + stamp + ".json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(jsonFile.toFile(), json);
        out.line("report: %s and %s", jsonFile.toAbsolutePath(), mdFile.toAbsolutePath());
    }

    /** Issue 13's target for a run without drift: 3 s per 1,000,000 orders. */
    private static long targetMillis(int orders) {
        return orders * 3L / 1000;
    }

    /** {@code 12:40:43.927} of an ISO instant (UTC), to line a run up with the slow log. */
    private static String timeOfDay(String instant) {
        return instant.length() >= 23 ? instant.substring(11, 23) : instant;
    }

    private String driftScenario() {
        return settings.driftPerMille() / 10.0 + "% drift";
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "?" : String.format("%.0f", bytes / 1048576.0);
    }

    private static long millisSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }
}
