package io.fleetsaga.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * CPU per authenticated request (issue 12), in one run: two instances of {@link AuthBenchApp} in this JVM with the
 * kit's security — {@code uncached} with {@code fleetsaga.security.basic.cache-ttl=0}, {@code failure-cache-ttl=0},
 * {@code failures-per-client=0} (every request verified with bcrypt: the behaviour before issue 12, the baseline) and
 * {@code default} with the default settings (cache 60 s, 10 failures per client and minute) — both also accepting
 * JWTs of a local {@link TokenIssuer} ({@code jwk-set-uri}). Users' passwords are bcrypt hashes of strength 10, like
 * the local profile's.
 *
 * <p>Scenarios, each a {@link LoadRun} of {@code bench.auth.seconds} (after {@code bench.auth.warmup} s of the same
 * load) with {@code bench.auth.clients} client threads: an open endpoint (no authentication at all); no credentials (the floor: 401 without any verification);
 * Basic with the right password (uncached, cached); a JWT bearer token; the same wrong password over and over
 * (unprotected, protected); a new wrong password or a new unknown user every request (unprotected, protected — the
 * protected ones without warm-up, so the limiter's first 10 401s show, and last, since they leave this client
 * limited). The cheap scenarios (open endpoint, no credentials, cached Basic, JWT) run {@code bench.auth.rounds}
 * times, alternating, and are summarised by their medians: they differ by less than the noise of a single run.
 *
 * <p>Run: {@code ./mvnw -q -pl bench -am package exec:exec -DskipTests
 * -Dbench.main=io.fleetsaga.bench.AuthenticationBenchmark}; output to stdout and
 * {@code results/authentication-<timestamp>.txt}.
 */
public final class AuthenticationBenchmark {

    private static final String PATH = "/api/things";
    private static final String OPEN_PATH = "/console/things";

    private final Output out = new Output();
    private final List<LoadRun.Result> results = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        new AuthenticationBenchmark().run();
        System.exit(0);
    }

    private void run() throws Exception {
        Duration measured = Duration.ofSeconds(Long.getLong("bench.auth.seconds", 10));
        Duration warmup = Duration.ofSeconds(Long.getLong("bench.auth.warmup", 3));
        int clients = Integer.getInteger("bench.auth.clients", 2);
        int rounds = Integer.getInteger("bench.auth.rounds", 3);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        out.line("fleet-saga authentication benchmark, %s", stamp);
        out.line(
                "machine: %s, %d cores, %s, load %s",
                Procfs.cpuModel(), Runtime.getRuntime().availableProcessors(), Procfs.memTotal(), Procfs.loadAverage());
        out.line(
                "JVM: %s %s, %s",
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                ManagementFactoryArgs.describe());
        out.line(
                "per scenario: %d s measured after %d s warm-up, %d client threads, GET %s (an endpoint that does"
                        + " nothing); the cheap scenarios in %d alternating rounds (#1 …), summarised by their median",
                measured.toSeconds(), warmup.toSeconds(), clients, PATH, rounds);

        BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(10);
        String hash = "{bcrypt}" + bcrypt.encode("d-secret");
        try (TokenIssuer issuer = new TokenIssuer()) {
            int uncachedPort = freePort();
            int defaultPort = freePort();
            Map<String, Object> common = new HashMap<>();
            common.put("fleetsaga.security.users[0].name", "dispatcher");
            common.put("fleetsaga.security.users[0].password", hash);
            common.put("fleetsaga.security.users[0].roles", "DISPATCHER");
            common.put("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", issuer.jwkSetUri());
            common.put("server.address", "127.0.0.1");
            Map<String, Object> uncachedSettings = new HashMap<>(common);
            uncachedSettings.put("server.port", uncachedPort);
            uncachedSettings.put("fleetsaga.security.basic.cache-ttl", "0s");
            uncachedSettings.put("fleetsaga.security.basic.failure-cache-ttl", "0s");
            uncachedSettings.put("fleetsaga.security.basic.failures-per-client", "0");
            Map<String, Object> defaultSettings = new HashMap<>(common);
            defaultSettings.put("server.port", defaultPort);
            try (ConfigurableApplicationContext uncached = AuthBenchApp.start(uncachedSettings);
                    ConfigurableApplicationContext defaults = AuthBenchApp.start(defaultSettings)) {
                out.line("uncached: port %d (cache-ttl 0, failure-cache-ttl 0, failures-per-client 0)", uncachedPort);
                out.line(
                        "default:  port %d (cache-ttl 60s, failure-cache-ttl 60s, 10 failures per client per 1m)",
                        defaultPort);
                out.line("");
                String right = basic("dispatcher", "d-secret");
                String wrong = basic("dispatcher", "wrong");
                String bearer =
                        "Bearer " + issuer.token("dispatcher-client", List.of("DISPATCHER"), Duration.ofHours(1));

                // JIT warm-up of the request path of both instances, not reported
                for (int port : List.of(defaultPort, uncachedPort)) {
                    LoadRun.run("warm-up", port, PATH, () -> null, clients, Duration.ZERO, warmup.multipliedBy(2));
                }
                LoadRun.run("warm-up", defaultPort, PATH, () -> right, clients, Duration.ZERO, warmup.multipliedBy(2));
                // the cheap scenarios differ by tens of µs, less than the noise of one 10 s run on a shared
                // machine: they run in rounds, alternating, and the summary takes each one's median
                for (int round = 1; round <= rounds; round++) {
                    measure(
                            "open endpoint, no authentication #" + round,
                            defaultPort,
                            OPEN_PATH,
                            () -> null,
                            clients,
                            warmup,
                            measured);
                    measure(
                            "no credentials (401), default #" + round,
                            defaultPort,
                            () -> null,
                            clients,
                            warmup,
                            measured);
                    measure(
                            "Basic right password, cached #" + round,
                            defaultPort,
                            () -> right,
                            clients,
                            warmup,
                            measured);
                    measure(
                            "Bearer JWT (RS256), default #" + round,
                            defaultPort,
                            () -> bearer,
                            clients,
                            warmup,
                            measured);
                }
                measure("Basic right password, uncached", uncachedPort, () -> right, clients, warmup, measured);
                measure("same wrong password, unprotected", uncachedPort, () -> wrong, clients, warmup, measured);
                measure("same wrong password, protected", defaultPort, () -> wrong, clients, warmup, measured);
                measure(
                        "new wrong password each, unprotected",
                        uncachedPort,
                        rotating("dispatcher", true),
                        clients,
                        warmup,
                        measured);
                measure(
                        "new unknown user each, unprotected",
                        uncachedPort,
                        rotating("nobody", false),
                        clients,
                        warmup,
                        measured);
                measure(
                        "new wrong password each, protected",
                        defaultPort,
                        rotating("dispatcher", true),
                        clients,
                        Duration.ZERO,
                        measured);
                measure(
                        "new unknown user each, protected",
                        defaultPort,
                        rotating("nobody", false),
                        clients,
                        Duration.ZERO,
                        measured);
                out.line("");
                out.line("JWK set fetched %d times by the resource servers", issuer.keySetFetches());
            }
        }
        ratios();
        Path file =
                Path.of(System.getProperty("bench.results.dir", "results")).resolve("authentication-" + stamp + ".txt");
        out.writeTo(file);
        out.line("written to %s", file);
    }

    private void measure(
            String name, int port, Supplier<String> authorization, int clients, Duration warmup, Duration measured)
            throws InterruptedException {
        measure(name, port, PATH, authorization, clients, warmup, measured);
    }

    private void measure(
            String name,
            int port,
            String path,
            Supplier<String> authorization,
            int clients,
            Duration warmup,
            Duration measured)
            throws InterruptedException {
        if (results.isEmpty()) {
            out.line(
                    "%-40s %9s %9s %14s %14s %14s  %s",
                    "scenario", "requests", "req/s", "server µs/req", "client µs/req", "process µs/req", "statuses");
        }
        LoadRun.Result result = LoadRun.run(name, port, path, authorization, clients, warmup, measured);
        results.add(result);
        out.line(String.format(
                Locale.ROOT,
                "%-40s %9d %9.1f %14.1f %14.1f %14.1f  %s",
                name,
                result.requests(),
                result.throughput(),
                result.serverCpuMicrosPerRequest(),
                result.clientCpuMicrosPerRequest(),
                result.processCpuMicrosPerRequest(),
                result.statuses()));
    }

    /** Each scenario's median over its rounds (scenarios measured once are their own median). */
    private void ratios() {
        Map<String, List<LoadRun.Result>> byName = new LinkedHashMap<>();
        results.forEach(r -> byName.computeIfAbsent(r.name().replaceAll(" #\\d+$", ""), n -> new ArrayList<>())
                .add(r));
        Map<String, double[]> medians = new LinkedHashMap<>();
        out.line("");
        out.line("medians over the rounds: server µs/req, process µs/req, req/s");
        byName.forEach((name, runs) -> {
            double[] m = {
                median(runs.stream()
                        .mapToDouble(LoadRun.Result::serverCpuMicrosPerRequest)
                        .toArray()),
                median(runs.stream()
                        .mapToDouble(LoadRun.Result::processCpuMicrosPerRequest)
                        .toArray()),
                median(runs.stream().mapToDouble(LoadRun.Result::throughput).toArray())
            };
            medians.put(name, m);
            out.line(String.format(
                    Locale.ROOT, "  %-40s %10.1f %10.1f %10.1f  (%d runs)", name, m[0], m[1], m[2], runs.size()));
        });
        out.line("");
        out.line("ratios of server CPU per request (process CPU per request in brackets), medians:");
        ratio(medians, "Basic right password, uncached", "Basic right password, cached");
        ratio(medians, "Basic right password, uncached", "Bearer JWT (RS256), default");
        ratio(medians, "same wrong password, unprotected", "same wrong password, protected");
        ratio(medians, "new wrong password each, unprotected", "new wrong password each, protected");
        ratio(medians, "new unknown user each, unprotected", "new unknown user each, protected");
        double open = medians.get("open endpoint, no authentication")[0];
        for (String authenticated : List.of(
                "Basic right password, uncached", "Basic right password, cached", "Bearer JWT (RS256), default")) {
            out.line(String.format(
                    Locale.ROOT,
                    "  authentication's share, %-32s: %.1f µs server CPU per request (median minus the open"
                            + " endpoint's median)",
                    authenticated,
                    medians.get(authenticated)[0] - open));
        }
    }

    private void ratio(Map<String, double[]> medians, String before, String after) {
        double[] b = medians.get(before);
        double[] a = medians.get(after);
        out.line(String.format(
                Locale.ROOT,
                "  %-40s / %-40s = %8.1f  (%.1f); throughput %.1f -> %.1f req/s",
                before,
                after,
                b[0] / a[0],
                b[1] / a[1],
                b[2],
                a[2]));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** A new credential every request: a wrong password of {@code user}, or a new unknown user. */
    private static Supplier<String> rotating(String user, boolean knownUser) {
        AtomicLong n = new AtomicLong();
        return () -> {
            long i = n.incrementAndGet();
            return knownUser ? basic(user, "wrong-" + i) : basic(user + "-" + i, "x");
        };
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The JVM's heap limit and garbage collector, for the report. */
    private static final class ManagementFactoryArgs {
        static String describe() {
            String gcs = String.join(
                    "+",
                    java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                            .map(java.lang.management.GarbageCollectorMXBean::getName)
                            .toList());
            return "max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB, GC " + gcs;
        }
    }
}
