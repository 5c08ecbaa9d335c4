package io.fleetsaga.bench;

import io.fleetsaga.infra.FleetStack;
import io.fleetsaga.infra.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Start time and memory of each service on its own: the whole local stack (embedded MariaDB, Kafka broker, one
 * instance of each service) is started once, then each service is restarted {@code bench.rounds} times, one at a time
 * (the other one idle), and measured: wall time from the process start until its readiness probe answers, the
 * start time Spring Boot logs ({@code Started … in X seconds}), RSS ({@code VmRSS}) right after ready and after
 * {@code bench.settle} of idleness, and peak RSS ({@code VmHWM}). Class data sharing is off (the plain jar, as the
 * launcher runs it). JVM options: {@code bench.service-jvm-options}.
 *
 * <p>Run it with {@code ./mvnw -q -pl bench -am package exec:exec -DskipTests -Dbench.main=io.fleetsaga.bench.FootprintBenchmark}; the output
 * goes to stdout and {@code results/footprint-<timestamp>.txt}. It exists to compare platform versions (issue 11):
 * run it on both and compare the medians, measured on the same machine.
 */
public final class FootprintBenchmark {

    private static final Pattern STARTED = Pattern.compile("Started \\S+ in ([0-9.]+) seconds");

    private final Output out = new Output();

    public static void main(String[] args) throws Exception {
        new FootprintBenchmark().run();
    }

    private void run() throws IOException, InterruptedException {
        int rounds = Integer.getInteger("bench.rounds", 5);
        Duration settle = Duration.parse("PT" + System.getProperty("bench.settle", "20s"));
        List<String> jvmOptions = Arrays.asList(System.getProperty("bench.service-jvm-options", "-Xmx256m -XX:+UseG1GC")
                .trim()
                .split("\\s+"));
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path work = Path.of(System.getProperty("bench.work.dir", "target/bench-work"))
                .resolve("footprint-" + stamp);
        out.line("fleet-saga footprint benchmark, %s", stamp);
        out.line("machine: %s, %s, load %s", Procfs.cpuModel(), Procfs.memTotal(), Procfs.loadAverage());
        out.line(
                "JVM: %s %s; service JVM options: %s",
                System.getProperty("java.vm.name"), System.getProperty("java.version"), String.join(" ", jvmOptions));
        out.line("rounds: %d, settle: %s, class data sharing: off", rounds, settle);
        FleetStack.Options options =
                FleetStack.Options.defaults(work).withJvmOptions(jvmOptions).withClassDataSharing(false);
        List<Sample> samples = new ArrayList<>();
        try (FleetStack stack = FleetStack.start(options)) {
            out.line("stack up: %s", stack.services());
            Thread.sleep(settle.toMillis());
            for (int round = 1; round <= rounds; round++) {
                for (ServiceProcess service : stack.services()) {
                    samples.add(measure(service, round, settle));
                }
            }
        }
        out.line("");
        out.line(
                "%-20s %12s %12s %12s %12s %12s", "median", "ready s", "spring s", "RSS ready", "RSS idle", "peak RSS");
        for (String name : samples.stream().map(Sample::service).distinct().toList()) {
            List<Sample> own =
                    samples.stream().filter(s -> s.service().equals(name)).toList();
            out.line(
                    "%-20s %12.2f %12.2f %9d MB %9d MB %9d MB",
                    name,
                    median(own.stream().mapToDouble(Sample::readySeconds).toArray()),
                    median(own.stream().mapToDouble(Sample::springSeconds).toArray()),
                    Math.round(
                            median(own.stream().mapToDouble(Sample::rssReadyMb).toArray())),
                    Math.round(
                            median(own.stream().mapToDouble(Sample::rssIdleMb).toArray())),
                    Math.round(median(own.stream().mapToDouble(Sample::peakMb).toArray())));
        }
        Path results =
                Path.of(System.getProperty("bench.results.dir", "results")).resolve("footprint-" + stamp + ".txt");
        out.writeTo(results);
        out.line("written to %s", results);
    }

    private Sample measure(ServiceProcess service, int round, Duration settle) throws InterruptedException {
        long before = System.nanoTime();
        service.relaunch();
        service.awaitReady(Duration.ofMinutes(3));
        double readySeconds = (System.nanoTime() - before) / 1e9;
        long pid = service.pid();
        long rssReady = Procfs.statusKb(pid, "VmRSS").orElse(-1);
        Thread.sleep(settle.toMillis());
        long rssIdle = Procfs.statusKb(pid, "VmRSS").orElse(-1);
        long peak = Procfs.statusKb(pid, "VmHWM").orElse(-1);
        Sample sample = new Sample(
                service.name(),
                readySeconds,
                springSeconds(service.log()),
                rssReady / 1024.0,
                rssIdle / 1024.0,
                peak / 1024.0);
        out.line(String.format(
                Locale.ROOT,
                "round %d %-20s ready %6.2f s, Spring %6.2f s, RSS ready %4d MB, " + "idle %4d MB, peak %4d MB",
                round,
                sample.service(),
                readySeconds,
                sample.springSeconds(),
                Math.round(sample.rssReadyMb()),
                Math.round(sample.rssIdleMb()),
                Math.round(sample.peakMb())));
        return sample;
    }

    /** The last {@code Started … in X seconds} of the log: the current process's. */
    private static double springSeconds(Path log) {
        try {
            double last = Double.NaN;
            for (String line : Files.readAllLines(log)) {
                Matcher m = STARTED.matcher(line);
                if (m.find()) {
                    last = Double.parseDouble(m.group(1));
                }
            }
            return last;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private record Sample(
            String service,
            double readySeconds,
            double springSeconds,
            double rssReadyMb,
            double rssIdleMb,
            double peakMb) {}
}
