package io.fleetsaga.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Runs one {@link DispatcherSimulation} in this JVM with Gatling's own launcher ({@code io.gatling.app.Gatling}), so
 * that Gatling writes its HTML report (response time percentiles over time, distribution) under the results folder,
 * and reads the run's statistics back from the report ({@code js/stats.json}).
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

    static Stats run(DispatcherSimulation.Plan plan, Path resultsFolder, String description) throws IOException {
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
        Path report = reports(resultsFolder).stream()
                .filter(p -> !before.contains(p))
                .max(Comparator.comparing(Path::toString))
                .orElseThrow(() -> new IllegalStateException("Gatling (exit " + exit + ") wrote no report"));
        return stats(report);
    }

    private static Set<Path> reports(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(Files::isDirectory).collect(Collectors.toSet());
        }
    }

    /** The "total" statistics of Gatling's report. */
    static Stats stats(Path report) throws IOException {
        JsonNode stats = new ObjectMapper()
                .readTree(report.resolve("js/stats.json").toFile())
                .path("stats");
        return new Stats(
                report,
                stats.path("numberOfRequests").path("total").asLong(),
                stats.path("numberOfRequests").path("ko").asLong(),
                stats.path("meanNumberOfRequestsPerSecond").path("total").asDouble(),
                stats.path("percentiles1").path("total").asLong(),
                stats.path("percentiles2").path("total").asLong(),
                stats.path("percentiles3").path("total").asLong(),
                stats.path("percentiles4").path("total").asLong(),
                stats.path("maxResponseTime").path("total").asLong());
    }
}
