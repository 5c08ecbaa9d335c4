package io.fleetsaga.bench;

import io.fleetsaga.infra.FleetStack;
import io.fleetsaga.infra.ServiceProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;

/**
 * End-to-end benchmarks of issue 13 on the whole local stack ({@link FleetStack}: embedded MariaDB, a Kafka broker
 * process, order-service and assignment-service from their executable jars, no proxies in between), load from
 * Gatling ({@link DispatcherSimulation}) in this JVM:
 *
 * <ol>
 *   <li><b>throughput</b> (benchmark 1): dispatchers changing order statuses over HTTP, closed model at {@code
 *       bench.e2e.clients} concurrent clients, {@code bench.e2e.seconds} each, on two workloads — {@code spread}
 *       ({@code bench.e2e.orders} orders over {@code bench.e2e.tasks} tasks) and {@code hot} ({@code
 *       bench.e2e.hot-orders} orders on one task). A change counts as applied only once assignment-service's order
 *       mirror holds its version ({@link Pipeline}): per step committed/s (order-service), applied/s and the backlog
 *       at the end, HTTP p50/p99 (Gatling), RSS of each process at the end (benchmark 6, footprint under load). After
 *       each {@code spread} step, in the same run: the raw JDBC ceiling ({@link JdbcCeiling}) at the same
 *       concurrency; the ratio applied/s ÷ ceiling;
 *   <li><b>latency</b> (benchmark 2): open model (constant arrival rate) at {@code bench.e2e.latency-fractions} of the
 *       highest applied/s of (1), commit → applied p50/p99/p99.9 from assignment-service's histogram {@code
 *       inbox_propagation_seconds} (bucket deltas, so only as exact as its buckets) and, as a cross-check, exactly
 *       per event from the database (outbox {@code created_at} → inbox {@code processed_at});
 *   <li><b>outage</b> (benchmark 4): open model at {@code bench.e2e.outage-fraction} of the maximum; after {@code
 *       bench.e2e.outage-before} s the broker is stopped for {@code bench.e2e.outage} s, then restarted, the load goes
 *       on for {@code bench.e2e.outage-after} s: HTTP p99 during ÷ before, the outbox backlog ({@code
 *       outbox_events_pending}), drain time and drain rate ÷ input rate.
 * </ol>
 *
 * <p>Run: {@code ./mvnw -o -q -pl bench -am package exec:exec -DskipTests
 * -Dbench.main=io.fleetsaga.bench.EndToEndBenchmark}; settings in bench/pom.xml ({@code bench.e2e.*}). Output:
 * stdout, {@code results/e2e-<timestamp>.txt}, {@code target/bench/e2e-<timestamp>.json} and {@code .md}, Gatling's
 * HTML reports under {@code target/bench/gatling-<timestamp>/}. The machine is shared and has 2 cores: read the
 * ratios (end-to-end ÷ ceiling measured minutes apart in the same run), not the absolute figures.
 */
public final class EndToEndBenchmark {

    private static final String DISPATCHER = "dispatcher";
    private static final String DISPATCHER_PASSWORD = "dispatcher-local";
    private static final String OPS = "ops";
    private static final String OPS_PASSWORD = "ops-local";
    private static final String PROPAGATION = "inbox_propagation_seconds";
    private static final String OUTBOX_PENDING = "outbox_events_pending";
    private static final String LOGINS = "api_basic_logins_total";

    /** The local profile's users (bcrypt hashes of strength 10, as in production; verification cached). */
    private static final Map<String, String> USERS = Map.of(
            "fleetsaga.security.users[0].name", DISPATCHER,
            "fleetsaga.security.users[0].password",
                    "{bcrypt}$2a$10$z69.zKB5tjaRbLoCM0.lieqIJsFIBrWs5kzatL0NbRIUKNg7IZlcG", // dispatcher-local
            "fleetsaga.security.users[0].roles", "DISPATCHER",
            "fleetsaga.security.users[1].name", OPS,
            "fleetsaga.security.users[1].password",
                    "{bcrypt}$2a$10$UOEJT4MRnPodSXf4Y1Q/5uEO69RxBtadE5Ag.q1svsXIu63VrJIcW", // ops-local
            "fleetsaga.security.users[1].roles", "OPS");

    private final Output out = new Output();
    private final Settings settings = Settings.fromSystemProperties();
    private final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    private final Path reportDir = Path.of("target", "bench").toAbsolutePath();
    private final Path gatlingDir = reportDir.resolve("gatling-" + stamp);
    private final Map<String, Object> json = new LinkedHashMap<>();
    private final List<String> markdown = new ArrayList<>();
    private FleetStack stack;
    private Pipeline pipeline;
    private URI orderService;
    private URI assignmentService;

    /** Settings, all from {@code -Dbench.*} (defaults in bench/pom.xml). */
    record Settings(
            List<String> parts,
            List<String> workloads,
            List<Integer> clients,
            Duration step,
            Duration warmup,
            Duration ceilingStep,
            int orders,
            int tasks,
            int hotOrders,
            List<Double> latencyFractions,
            double outageFraction,
            Duration outageBefore,
            Duration outage,
            Duration outageAfter,
            Duration drainMax,
            boolean jfr,
            List<String> jvmOptions) {

        static Settings fromSystemProperties() {
            return new Settings(
                    list("bench.e2e.parts", "throughput,latency,outage"),
                    list("bench.e2e.workloads", "spread,hot"),
                    list("bench.e2e.clients", "1,4,16,64").stream()
                            .map(Integer::valueOf)
                            .toList(),
                    seconds("bench.e2e.seconds", "20"),
                    seconds("bench.e2e.warmup", "15"),
                    seconds("bench.e2e.ceiling-seconds", "10"),
                    Integer.parseInt(System.getProperty("bench.e2e.orders", "1000")),
                    Integer.parseInt(System.getProperty("bench.e2e.tasks", "100")),
                    Integer.parseInt(System.getProperty("bench.e2e.hot-orders", "200")),
                    list("bench.e2e.latency-fractions", "0.25,0.5,0.75").stream()
                            .map(Double::valueOf)
                            .toList(),
                    Double.parseDouble(System.getProperty("bench.e2e.outage-fraction", "0.5")),
                    seconds("bench.e2e.outage-before", "20"),
                    seconds("bench.e2e.outage", "60"),
                    seconds("bench.e2e.outage-after", "60"),
                    seconds("bench.e2e.drain-max", "180"),
                    Boolean.parseBoolean(System.getProperty("bench.e2e.jfr", "true")),
                    Arrays.asList(System.getProperty("bench.service-jvm-options", "-Xmx256m -XX:+UseG1GC")
                            .trim()
                            .split("\\s+")));
        }

        private static List<String> list(String property, String defaultValue) {
            return Arrays.stream(System.getProperty(property, defaultValue).split(","))
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList();
        }

        private static Duration seconds(String property, String defaultValue) {
            return Duration.ofMillis(Math.round(Double.parseDouble(System.getProperty(property, defaultValue)) * 1000));
        }
    }

    public static void main(String[] args) throws Exception {
        int exit = 0;
        try {
            new EndToEndBenchmark().run();
        } catch (Exception e) {
            e.printStackTrace();
            exit = 1;
        }
        System.exit(exit);
    }

    private void run() throws Exception {
        Path work = Path.of(System.getProperty("bench.work.dir", "target/bench-work"))
                .toAbsolutePath()
                .resolve("e2e-" + stamp);
        out.line("fleet-saga end-to-end benchmark (issue 13), %s", stamp);
        out.line(
                "machine: %s, %d cores, %s; load average at start %s",
                Procfs.cpuModel(), Runtime.getRuntime().availableProcessors(), Procfs.memTotal(), Procfs.loadAverage());
        out.line(
                "JVM: %s %s; service JVM options: %s",
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                String.join(" ", settings.jvmOptions()));
        out.line("settings: %s", settings);
        json.put("stamp", stamp);
        json.put("settings", settings.toString());
        json.put("loadAverageStart", Procfs.loadAverage());
        Map<String, String> orderOnly = Map.of(
                // no scheduled reconciliation runs in the middle of the load
                "fleetsaga.reconciliation.schedule", "false");
        FleetStack.Options options = FleetStack.Options.defaults(work)
                .withJvmOptions(settings.jvmOptions())
                .withProperties(USERS, orderOnly, Map.of())
                .withProxies(false);
        long started = System.nanoTime();
        try (FleetStack running = FleetStack.start(options)) {
            stack = running;
            orderService = stack.orderServices().get(0).uri("/");
            assignmentService = stack.assignmentServices().get(0).uri("/");
            out.line(
                    "stack ready in %.1f s: MariaDB %s (pid %d, innodb_flush_log_at_trx_commit=2), Kafka broker pid %d"
                            + " (client %s), %s",
                    (System.nanoTime() - started) / 1e9,
                    stack.database().serverVersion(),
                    stack.database().pid(),
                    stack.broker().pid(),
                    org.apache.kafka.common.utils.AppInfoParser.getVersion(),
                    stack.services());
            json.put("mariadb", stack.database().serverVersion());
            json.put("kafka", org.apache.kafka.common.utils.AppInfoParser.getVersion());
            pipeline = new Pipeline(
                    stack.directJdbcUrl(stack.ordersSchema()),
                    stack.database().username(),
                    stack.database().password(),
                    stack.ordersSchema(),
                    stack.assignmentsSchema(),
                    OPS,
                    OPS_PASSWORD);
            try {
                Map<String, OrderPool> pools = seed();
                double max = Double.NaN;
                if (settings.parts().contains("throughput")) {
                    max = throughput(pools);
                }
                if (Double.isNaN(max)) {
                    max = Double.parseDouble(System.getProperty("bench.e2e.max-rate", "100"));
                    out.line("maximum rate not measured in this run: %.0f/s (bench.e2e.max-rate)", max);
                }
                OrderPool open =
                        pools.getOrDefault("spread", pools.values().iterator().next());
                if (settings.parts().contains("latency")) {
                    latency(open, max);
                }
                if (settings.parts().contains("outage")) {
                    outage(open, max);
                }
            } finally {
                pipeline.close();
            }
        }
        out.line("");
        out.line("load average at end %s", Procfs.loadAverage());
        json.put("loadAverageEnd", Procfs.loadAverage());
        out.line("Gatling reports: %s", gatlingDir);
        json.put("gatlingReports", gatlingDir.toString());
        write();
    }

    /** Tasks and orders over the API: every order starts {@code CREATED}; the warm-up assigns them. */
    private Map<String, OrderPool> seed() throws Exception {
        Dispatcher dispatcher = new Dispatcher(DISPATCHER, DISPATCHER_PASSWORD);
        Map<String, OrderPool> pools = new LinkedHashMap<>();
        long started = System.nanoTime();
        for (String workload : settings.workloads()) {
            OrderPool pool = new OrderPool(workload);
            List<String> ids = new ArrayList<>();
            switch (workload) {
                case "spread" -> {
                    for (int t = 0; t < settings.tasks(); t++) {
                        dispatcher.createTask(assignmentService, taskId("s", t), 1000);
                    }
                    for (int i = 0; i < settings.orders(); i++) {
                        String id = String.format("o-s-%06d", i);
                        ids.add(id);
                        pool.add(id, taskId("s", i % settings.tasks()), "CREATED");
                    }
                }
                case "hot" -> {
                    dispatcher.createTask(assignmentService, taskId("h", 0), 1000);
                    for (int i = 0; i < settings.hotOrders(); i++) {
                        String id = String.format("o-h-%06d", i);
                        ids.add(id);
                        pool.add(id, taskId("h", 0), "CREATED");
                    }
                }
                default -> throw new IllegalArgumentException("unknown workload " + workload + " (spread, hot)");
            }
            dispatcher.createOrders(orderService, ids, 8);
            pools.put(workload, pool);
        }
        out.line(
                "seeded %s in %.1f s",
                pools.values().stream()
                        .map(p -> p.name() + ": " + p.size() + " orders")
                        .toList(),
                (System.nanoTime() - started) / 1e9);
        return pools;
    }

    private static String taskId(String workload, int t) {
        return String.format("t-%s-%04d", workload, t);
    }

    /** Benchmark (1) and the footprint under load (6); returns the highest applied/s of the spread workload. */
    private double throughput(Map<String, OrderPool> pools) throws Exception {
        JdbcCeiling ceiling = null;
        Map<Integer, Double> ceilings = new TreeMap<>();
        Map<Integer, Double> ceilingCpu = new TreeMap<>();
        double max = Double.NaN;
        List<Map<String, Object>> rows = new ArrayList<>();
        for (OrderPool pool : pools.values()) {
            out.line("");
            out.line("## throughput, workload %s (%d orders), closed model", pool.name(), pool.size());
            int warmClients =
                    Math.min(16, settings.clients().get(settings.clients().size() - 1));
            Step warm = closedStep(pool, warmClients, settings.warmup(), "warm-up " + pool.name(), false);
            out.line("warm-up: %s", warm.describe());
            for (int clients : settings.clients()) {
                boolean profile = settings.jfr()
                        && pool.name().equals(pools.keySet().iterator().next())
                        && clients == settings.clients().get(settings.clients().size() - 1);
                Step step = closedStep(pool, clients, settings.step(), pool.name() + " " + clients, profile);
                out.line("%s", step.describe());
                Map<String, Object> row = step.toMap();
                if (pool.name().equals(pools.keySet().iterator().next())) {
                    if (ceiling == null) {
                        stack.database().createDatabase(JdbcCeiling.SCHEMA);
                        ceiling = new JdbcCeiling(
                                stack.directJdbcUrl(JdbcCeiling.SCHEMA),
                                stack.database().username(),
                                stack.database().password());
                        ceiling.prepare(settings.clients().stream()
                                .mapToInt(i -> i)
                                .max()
                                .orElse(1));
                    }
                    long dbTicks = Procfs.cpuTicks(stack.database().pid());
                    long ownTicks = Procfs.cpuTicks(ProcessHandle.current().pid());
                    long ceilingStarted = System.nanoTime();
                    double txPerSecond = ceiling.run(clients, Duration.ofSeconds(2), settings.ceilingStep());
                    double transactions = txPerSecond * (System.nanoTime() - ceilingStarted) / 1e9;
                    double dbMsPerTx = (Procfs.cpuTicks(stack.database().pid()) - dbTicks)
                            * 1000.0
                            / Procfs.TICKS_PER_SECOND
                            / transactions;
                    double clientMsPerTx =
                            (Procfs.cpuTicks(ProcessHandle.current().pid()) - ownTicks)
                                    * 1000.0
                                    / Procfs.TICKS_PER_SECOND
                                    / transactions;
                    ceilings.put(clients, txPerSecond);
                    ceilingCpu.put(clients, dbMsPerTx);
                    out.line(
                            "  raw JDBC ceiling at %d connections: %.0f tx/s; CPU ms per tx (warm-up included, so"
                                    + " slightly high): MariaDB %.3f, JDBC client (this JVM) %.3f (load %s)",
                            clients, txPerSecond, dbMsPerTx, clientMsPerTx, Procfs.loadAverage());
                    max = Double.isNaN(max) ? step.appliedPerSecond() : Math.max(max, step.appliedPerSecond());
                }
                Double c = ceilings.get(clients);
                row.put("ceilingTxPerSecond", c);
                row.put("appliedOfCeiling", c == null ? null : step.appliedPerSecond() / c);
                row.put("ceilingMariaDbCpuMsPerTx", ceilingCpu.get(clients));
                rows.add(row);
            }
        }
        json.put("throughput", rows);
        markdown.add("### End-to-end throughput (closed model) and raw JDBC ceiling");
        markdown.add("");
        markdown.add(
                "| workload | clients | committed/s | applied/s | backlog at end | ceiling tx/s | applied ÷ ceiling"
                        + " | HTTP p50 ms | HTTP p99 ms | 409 | failed | CPU ms/change order · assignment · MariaDB · Kafka"
                        + " | ceiling MariaDB CPU ms/tx | RSS order MB | RSS assignment MB | RSS MariaDB MB | RSS Kafka MB"
                        + " | load |");
        markdown.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Map<String, Object> r : rows) {
            markdown.add(String.format(
                    Locale.ROOT,
                    "| %s | %s | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %s | %.1f · %.1f · %.1f · %.1f | %s | %s | %s"
                            + " | %s | %s | %s |",
                    r.get("workload"),
                    r.get("clients"),
                    (Double) r.get("committedPerSecond"),
                    (Double) r.get("appliedPerSecond"),
                    r.get("backlogAtEnd"),
                    r.get("ceilingTxPerSecond") == null
                            ? "–"
                            : String.format(Locale.ROOT, "%.0f", (Double) r.get("ceilingTxPerSecond")),
                    r.get("appliedOfCeiling") == null
                            ? "–"
                            : String.format(Locale.ROOT, "%.1f %%", 100 * (Double) r.get("appliedOfCeiling")),
                    r.get("httpP50Ms"),
                    r.get("httpP99Ms"),
                    r.get("conflicts"),
                    r.get("failed"),
                    (Double) r.get("cpuMsPerChangeOrder"),
                    (Double) r.get("cpuMsPerChangeAssignment"),
                    (Double) r.get("cpuMsPerChangeMariaDb"),
                    (Double) r.get("cpuMsPerChangeKafka"),
                    r.get("ceilingMariaDbCpuMsPerTx") == null
                            ? "–"
                            : String.format(Locale.ROOT, "%.3f", (Double) r.get("ceilingMariaDbCpuMsPerTx")),
                    r.get("rssOrderMb"),
                    r.get("rssAssignmentMb"),
                    r.get("rssMariaDbMb"),
                    r.get("rssKafkaMb"),
                    r.get("load")));
        }
        markdown.add("");
        out.line("highest applied/s (spread workload): %.0f", max);
        json.put("maxAppliedPerSecond", max);
        return max;
    }

    /** Benchmark (2): commit → applied at fractions of the maximum, open model. */
    private void latency(OrderPool pool, double max) throws Exception {
        out.line("");
        out.line("## propagation latency commit → applied, open model, %s workload (max %.0f/s)", pool.name(), max);
        List<Map<String, Object>> rows = new ArrayList<>();
        markdown.add("### Propagation latency commit → applied (open model)");
        markdown.add("");
        markdown.add("| share of max | offered/s | committed/s | applied/s | histogram p50 ms | p99 ms | p99.9 ms"
                + " | observations | database p50 ms | p99 ms | p99.9 ms | events | HTTP p50 ms | HTTP p99 ms"
                + " | backlog at end |");
        markdown.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (double fraction : settings.latencyFractions()) {
            double rate = Math.max(1, fraction * max);
            Step step = openStep(pool, rate, settings.step(), pool.name() + " open " + Math.round(rate), null);
            out.line("%.0f %% of max: %s", 100 * fraction, step.describe());
            out.line("  %s", step.describePropagation());
            Map<String, Object> row = step.toMap();
            row.put("fractionOfMax", fraction);
            row.put("offeredPerSecond", rate);
            rows.add(row);
            markdown.add(String.format(
                    Locale.ROOT,
                    "| %.0f %% | %.0f | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
                    100 * fraction,
                    rate,
                    step.committedPerSecond(),
                    step.appliedPerSecond(),
                    ms(step.histogramQuantile(0.5)),
                    ms(step.histogramQuantile(0.99)),
                    ms(step.histogramQuantile(0.999)),
                    Math.round(step.histogramCount()),
                    ms(Pipeline.quantile(step.databaseMillis(), 0.5) / 1000),
                    ms(Pipeline.quantile(step.databaseMillis(), 0.99) / 1000),
                    ms(Pipeline.quantile(step.databaseMillis(), 0.999) / 1000),
                    step.databaseMillis().length,
                    step.gatling().p50(),
                    step.gatling().p99(),
                    step.end().backlog()));
        }
        markdown.add("");
        json.put("latency", rows);
    }

    /** Benchmark (4): the broker stopped for a while under a constant load. */
    private void outage(OrderPool pool, double max) throws Exception {
        double rate = Math.max(1, settings.outageFraction() * max);
        Duration total = settings.outageBefore().plus(settings.outage()).plus(settings.outageAfter());
        out.line("");
        out.line(
                "## broker outage: open model %.0f/s (%.0f %% of max) for %d s, broker stopped after %d s for %d s",
                rate,
                100 * settings.outageFraction(),
                total.toSeconds(),
                settings.outageBefore().toSeconds(),
                settings.outage().toSeconds());
        ConcurrentLinkedQueue<long[]> latencies = new ConcurrentLinkedQueue<>();
        OutageTimeline timeline =
                new OutageTimeline(pipeline, stack, orderService.resolve("/actuator/prometheus"), settings, out);
        Step step = openStep(pool, rate, total, pool.name() + " outage " + Math.round(rate), latencies, timeline);
        OutageTimeline.Result result = timeline.finish(latencies);
        out.line("%s", step.describe());
        result.lines().forEach(out::line);
        json.put("outage", result.toMap(rate, step));
        markdown.add("### Broker outage (open model, " + Math.round(rate) + "/s offered)");
        markdown.add("");
        markdown.addAll(result.markdown());
        markdown.add("");
    }

    private Step closedStep(OrderPool pool, int clients, Duration duration, String name, boolean profile)
            throws Exception {
        return step(pool, false, clients, 0, duration, name, null, null, profile);
    }

    private Step openStep(
            OrderPool pool, double rate, Duration duration, String name, ConcurrentLinkedQueue<long[]> latencies)
            throws Exception {
        return step(pool, true, 0, rate, duration, name, latencies, null, false);
    }

    private Step openStep(
            OrderPool pool,
            double rate,
            Duration duration,
            String name,
            ConcurrentLinkedQueue<long[]> latencies,
            OutageTimeline timeline)
            throws Exception {
        return step(pool, true, 0, rate, duration, name, latencies, timeline, false);
    }

    /**
     * One Gatling run; the pipeline is measured from the moment the first user starts until the last one ended. The
     * backlog of the step before is drained first (up to {@code bench.e2e.drain-max}).
     */
    private Step step(
            OrderPool pool,
            boolean open,
            int clients,
            double rate,
            Duration duration,
            String name,
            ConcurrentLinkedQueue<long[]> latencies,
            OutageTimeline timeline,
            boolean profile)
            throws Exception {
        awaitDrained();
        pool.drainCounts();
        ServiceProcess order = stack.orderServices().get(0);
        ServiceProcess assignment = stack.assignmentServices().get(0);
        URI assignmentPrometheus = assignment.uri("/actuator/prometheus");
        AtomicReference<Pipeline.Progress> start = new AtomicReference<>();
        AtomicReference<Pipeline.Progress> end = new AtomicReference<>();
        AtomicReference<String> promBefore = new AtomicReference<>("");
        AtomicReference<String> promAfter = new AtomicReference<>("");
        URI orderPrometheus = order.uri("/actuator/prometheus");
        AtomicReference<String> orderPromBefore = new AtomicReference<>("");
        AtomicReference<String> orderPromAfter = new AtomicReference<>("");
        long[] dbMicros = new long[2];
        long[] cpuBefore = new long[4];
        long[] cpuAfter = new long[4];
        long[] pids = {
            order.pid(),
            assignment.pid(),
            stack.database().pid(),
            stack.broker().pid()
        };
        DispatcherSimulation.Window window = new DispatcherSimulation.Window() {
            @Override
            public void opened() {
                try {
                    promBefore.set(pipeline.scrape(assignmentPrometheus));
                    orderPromBefore.set(pipeline.scrape(orderPrometheus));
                    dbMicros[0] = pipeline.databaseMicros();
                    for (int i = 0; i < pids.length; i++) {
                        cpuBefore[i] = Procfs.cpuTicks(pids[i]);
                    }
                    start.set(pipeline.progress());
                    if (timeline != null) {
                        timeline.start();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void closed() {
                try {
                    end.set(pipeline.progress());
                    for (int i = 0; i < pids.length; i++) {
                        cpuAfter[i] = Procfs.cpuTicks(pids[i]);
                    }
                    // the broker is another process after a restart (benchmark 4): its CPU time is not comparable
                    if (stack.broker().pid() != pids[3]) {
                        cpuAfter[3] = -1;
                    }
                    dbMicros[1] = pipeline.databaseMicros();
                    promAfter.set(pipeline.scrape(assignmentPrometheus));
                    orderPromAfter.set(pipeline.scrape(orderPrometheus));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        if (profile) {
            JfrProfile.start(order.pid(), "e2e");
            JfrProfile.start(assignment.pid(), "e2e");
        }
        ConcurrentLinkedQueue<long[]> responseTimes = latencies != null ? latencies : new ConcurrentLinkedQueue<>();
        DispatcherSimulation.Plan plan = new DispatcherSimulation.Plan(
                orderService.toString(),
                DISPATCHER,
                DISPATCHER_PASSWORD,
                pool,
                open,
                clients,
                rate,
                duration,
                window,
                responseTimes);
        Path report = GatlingRun.run(plan, gatlingDir, name);
        OrderPool.Counts counts = pool.drainCounts();
        GatlingRun.Stats gatling = GatlingRun.stats(
                report,
                responseTimes,
                counts.failed(),
                (end.get().nanos() - start.get().nanos()) / 1e9);
        long[] rss = new long[pids.length];
        for (int i = 0; i < pids.length; i++) {
            rss[i] = Procfs.statusKb(pids[i], "VmRSS").orElse(-1) / 1024;
        }
        if (profile) {
            for (ServiceProcess service : List.of(order, assignment)) {
                Path file = reportDir.resolve("e2e-" + stamp + "-" + service.name() + ".jfr");
                JfrProfile.stop(service.pid(), "e2e", file);
                out.line("JFR of %s during '%s': %s", service.name(), name, file);
                List<String> top = JfrProfile.topFrames(file, 15);
                top.forEach(l -> out.line("  %s", l));
                json.put("jfr-" + service.name(), top);
            }
        }
        String outboxPending =
                String.format(Locale.ROOT, "%.0f", Pipeline.sum(pipeline.scrape(orderPrometheus), OUTBOX_PENDING));
        // password checks (bcrypt) order-service made in the window: Basic logins neither cached nor limited
        double passwordChecks = 0;
        for (String result : List.of("result=\"verified\"", "result=\"refused\"")) {
            passwordChecks += Pipeline.sum(orderPromAfter.get(), LOGINS, result)
                    - Pipeline.sum(orderPromBefore.get(), LOGINS, result);
        }
        double[] databaseMillis = pipeline.propagationMillisFromDatabase(dbMicros[0], dbMicros[1]);
        TreeMap<Double, Double> histogram = Pipeline.delta(
                Pipeline.buckets(promBefore.get(), PROPAGATION), Pipeline.buckets(promAfter.get(), PROPAGATION));
        double[] cpuSeconds = new double[pids.length];
        for (int i = 0; i < pids.length; i++) {
            cpuSeconds[i] =
                    cpuAfter[i] < 0 ? Double.NaN : (cpuAfter[i] - cpuBefore[i]) / (double) Procfs.TICKS_PER_SECOND;
        }
        return new Step(
                pool.name(),
                name,
                open,
                clients,
                rate,
                start.get(),
                end.get(),
                gatling,
                counts,
                rss,
                cpuSeconds,
                outboxPending,
                passwordChecks,
                histogram,
                Pipeline.labelValues(promAfter.get(), PROPAGATION + "_bucket", "consumer"),
                databaseMillis,
                Procfs.loadAverage());
    }

    /** Waits until assignment-service applied everything order-service committed (or {@code drain-max}). */
    private void awaitDrained() throws Exception {
        long deadline = System.nanoTime() + settings.drainMax().toNanos();
        Pipeline.Progress p = pipeline.progress();
        long started = System.nanoTime();
        while (p.backlog() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            p = pipeline.progress();
        }
        if (p.backlog() > 0) {
            out.line(
                    "  (backlog of %d not drained within %s; the next step starts anyway)",
                    p.backlog(), settings.drainMax());
        } else if (System.nanoTime() - started > 1_000_000_000L) {
            out.line("  (drained the previous step's backlog in %.1f s)", (System.nanoTime() - started) / 1e9);
        }
    }

    private static String ms(double seconds) {
        return Double.isNaN(seconds) ? "–" : String.format(Locale.ROOT, "%.1f", seconds * 1000);
    }

    private void write() throws Exception {
        Files.createDirectories(reportDir);
        Path jsonFile = reportDir.resolve("e2e-" + stamp + ".json");
        new ObjectMapper()
                .rebuild()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .build()
                .writeValue(jsonFile.toFile(), json);
        Path md = reportDir.resolve("e2e-" + stamp + ".md");
        Files.writeString(md, String.join("\n", markdown) + "\n");
        Path results =
                Path.of(System.getProperty("bench.results.dir", "results")).resolve("e2e-" + stamp + ".txt");
        out.line("");
        markdown.forEach(out::line);
        out.line("written: %s, %s, %s", jsonFile, md, results);
        out.writeTo(results);
    }

    /** What one step measured. */
    record Step(
            String workload,
            String name,
            boolean open,
            int clients,
            double rate,
            Pipeline.Progress start,
            Pipeline.Progress end,
            GatlingRun.Stats gatling,
            OrderPool.Counts counts,
            long[] rssMb,
            double[] cpuSeconds,
            String outboxPending,
            double passwordChecks,
            TreeMap<Double, Double> histogram,
            List<String> consumers,
            double[] databaseMillis,
            String load) {

        double seconds() {
            return (end.nanos() - start.nanos()) / 1e9;
        }

        double committedPerSecond() {
            return (end.committed() - start.committed()) / seconds();
        }

        double appliedPerSecond() {
            return (end.applied() - start.applied()) / seconds();
        }

        /** CPU ms of process {@code i} (order, assignment, MariaDB, Kafka) per change committed in the window. */
        double cpuMillisPerChange(int i) {
            long changes = end.committed() - start.committed();
            return changes <= 0 ? Double.NaN : cpuSeconds[i] * 1000 / changes;
        }

        double histogramQuantile(double q) {
            return Pipeline.quantile(histogram, q);
        }

        double histogramCount() {
            return histogram.isEmpty() ? 0 : histogram.lastEntry().getValue();
        }

        String describe() {
            return String.format(
                    Locale.ROOT,
                    "%-22s %5.1f s: committed %7.1f/s, applied %7.1f/s, backlog at end %6d (outbox pending %s);"
                            + " HTTP %d requests (%d failed) p50 %d ms p99 %d ms max %d ms; accepted %d, 409 %d,"
                            + " other %d, no order free %d; password checks in order-service %.0f; CPU s order %.1f assignment %.1f MariaDB %.1f Kafka %.1f;"
                            + " RSS MB order %d assignment %d MariaDB %d Kafka %d; load %s",
                    name,
                    seconds(),
                    committedPerSecond(),
                    appliedPerSecond(),
                    end.backlog(),
                    outboxPending,
                    gatling.requests(),
                    gatling.failed(),
                    gatling.p50(),
                    gatling.p99(),
                    gatling.max(),
                    counts.accepted(),
                    counts.conflicts(),
                    counts.failed(),
                    counts.starved(),
                    passwordChecks,
                    cpuSeconds[0],
                    cpuSeconds[1],
                    cpuSeconds[2],
                    cpuSeconds[3],
                    rssMb[0],
                    rssMb[1],
                    rssMb[2],
                    rssMb[3],
                    load);
        }

        String describePropagation() {
            return String.format(
                    Locale.ROOT,
                    "commit → applied: histogram %s (consumers %s, %d observations) p50 %s ms p99 %s ms p99.9 %s ms;"
                            + " database (outbox created_at → inbox processed_at, %d events) p50 %s ms p99 %s ms"
                            + " p99.9 %s ms",
                    PROPAGATION,
                    consumers,
                    Math.round(histogramCount()),
                    ms(histogramQuantile(0.5)),
                    ms(histogramQuantile(0.99)),
                    ms(histogramQuantile(0.999)),
                    databaseMillis.length,
                    ms(Pipeline.quantile(databaseMillis, 0.5) / 1000),
                    ms(Pipeline.quantile(databaseMillis, 0.99) / 1000),
                    ms(Pipeline.quantile(databaseMillis, 0.999) / 1000));
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workload", workload);
            m.put("step", name);
            m.put("model", open ? "open" : "closed");
            m.put("clients", open ? null : clients);
            m.put("seconds", seconds());
            m.put("committedPerSecond", committedPerSecond());
            m.put("appliedPerSecond", appliedPerSecond());
            m.put("backlogAtEnd", end.backlog());
            m.put("outboxPendingAtEnd", outboxPending);
            m.put("httpRequests", gatling.requests());
            m.put("httpFailed", gatling.failed());
            m.put("httpP50Ms", gatling.p50());
            m.put("httpP99Ms", gatling.p99());
            m.put("httpMaxMs", gatling.max());
            m.put("accepted", counts.accepted());
            m.put("conflicts", counts.conflicts());
            m.put("failed", counts.failed());
            m.put("noOrderFree", counts.starved());
            m.put("passwordChecksOrderService", passwordChecks);
            m.put("cpuSecondsOrder", cpuSeconds[0]);
            m.put("cpuSecondsAssignment", cpuSeconds[1]);
            m.put("cpuSecondsMariaDb", cpuSeconds[2]);
            m.put("cpuSecondsKafka", cpuSeconds[3]);
            m.put("cpuMsPerChangeOrder", cpuMillisPerChange(0));
            m.put("cpuMsPerChangeAssignment", cpuMillisPerChange(1));
            m.put("cpuMsPerChangeMariaDb", cpuMillisPerChange(2));
            m.put("cpuMsPerChangeKafka", cpuMillisPerChange(3));
            m.put("rssOrderMb", rssMb[0]);
            m.put("rssAssignmentMb", rssMb[1]);
            m.put("rssMariaDbMb", rssMb[2]);
            m.put("rssKafkaMb", rssMb[3]);
            m.put("propagationHistogramCount", histogramCount());
            m.put("propagationHistogramP50Ms", histogramQuantile(0.5) * 1000);
            m.put("propagationHistogramP99Ms", histogramQuantile(0.99) * 1000);
            m.put("propagationHistogramP999Ms", histogramQuantile(0.999) * 1000);
            m.put("propagationDatabaseEvents", databaseMillis.length);
            m.put("propagationDatabaseP50Ms", Pipeline.quantile(databaseMillis, 0.5));
            m.put("propagationDatabaseP99Ms", Pipeline.quantile(databaseMillis, 0.99));
            m.put("propagationDatabaseP999Ms", Pipeline.quantile(databaseMillis, 0.999));
            m.put("gatlingReport", gatling.report().toString());
            m.put("load", load);
            return m;
        }
    }
}
