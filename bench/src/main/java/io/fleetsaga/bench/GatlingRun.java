package io.fleetsaga.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs one {@link DispatcherSimulation} in this JVM with Gatling's own launcher ({@code io.gatling.app.Gatling}), so
 * that Gatling writes its HTML report (response time percentiles over time, distribution) under the results folder,
 * and sums up a run's response times.
 */
final class GatlingRun {

    /** Gatling's figures of one run (all requests): count, failed, and response time percentiles in ms. */
    record Stats(
            Path report,
            long requests,
            long failed,
            double meanPerSecond,
            long p50,
            long p75,
            long p95,
            long p99,
            long max) {}

    private GatlingRun() {}

    /** Runs the plan; returns the directory of Gatling's HTML report. */
    static Path run(DispatcherSimulation.Plan plan, Path resultsFolder, String description) throws IOException {
        Files.createDirectories(resultsFolder);
        Set<Path> before = reports(resultsFolder);
        DispatcherSimulation.plan = plan;
        int exit;
        try {
            exit = io.gatling.app.Gatling$.MODULE$.fromArgs(new String[] {
                "--simulation",
                DispatcherSimulation.class.getName(),
                "--results-folder",
                resultsFolder.toAbsolutePath().toString(),
                "--run-description",
                description,
                "--launcher",
                "fleet-saga-bench"
            });
        } finally {
            DispatcherSimulation.plan = null;
        }
        return reports(resultsFolder).stream()
                .filter(p -> !before.contains(p))
                .max(Comparator.comparing(Path::toString))
                .orElseThrow(() -> new IllegalStateException("Gatling (exit " + exit + ") wrote no report"));
    }

    private static Set<Path> reports(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(Files::isDirectory).collect(Collectors.toSet());
        }
    }

    /**
     * The run's figures from the response times the simulation recorded per answered request ({@link
     * DispatcherSimulation.Plan#latencies}): exact percentiles (nearest rank) of the same values Gatling's report
     * charts (which writes its statistics only into HTML).
     */
    static Stats stats(Path report, java.util.Collection<long[]> latencies, long failed, double seconds) {
        double[] sorted = latencies.stream().mapToDouble(l -> l[1]).sorted().toArray();
        return new Stats(
                report,
                sorted.length + failed,
                failed,
                sorted.length / seconds,
                Math.round(Pipeline.quantile(sorted, 0.5)),
                Math.round(Pipeline.quantile(sorted, 0.75)),
                Math.round(Pipeline.quantile(sorted, 0.95)),
                Math.round(Pipeline.quantile(sorted, 0.99)),
                sorted.length == 0 ? 0 : Math.round(sorted[sorted.length - 1]));
    }
}
