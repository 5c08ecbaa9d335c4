package io.fleetsaga.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Writes the report of a run: {@code chaos-report.md} for people and {@code chaos-report.json} for tools. */
final class Report {

    /** Jackson 3 writes java.time values as ISO-8601 text by default. */
    private static final JsonMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Report() {}

    /**
     * Writes the history of one scenario run — every operation and every fault, one JSON object per line — to
     * {@code <scenario>-seed<seed>-history.jsonl} in {@code dir}; returns the file.
     */
    static Path writeHistory(Path dir, ScenarioResult result, History history) {
        Path file =
                dir.resolve(result.scenario() + "-seed" + result.parameters().get("seed") + "-history.jsonl");
        try {
            Files.createDirectories(dir);
            StringBuilder lines = new StringBuilder();
            ObjectMapper compact =
                    JSON.rebuild().disable(SerializationFeature.INDENT_OUTPUT).build();
            for (History.Fault fault : history.faults()) {
                lines.append(compact.writeValueAsString(Map.of("fault", fault))).append('\n');
            }
            for (History.Op op : history.ops()) {
                lines.append(compact.writeValueAsString(Map.of("op", op))).append('\n');
            }
            Files.writeString(file, lines);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the history to " + file, e);
        }
    }

    /** Writes both files into {@code dir}; returns the markdown file. */
    static Path write(Path dir, String command, List<ScenarioResult> results) {
        try {
            Files.createDirectories(dir);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("command", command);
            json.put("generatedAt", Instant.now().toString());
            json.put("passed", results.stream().allMatch(ScenarioResult::passed));
            json.put("scenarios", results);
            Files.writeString(dir.resolve("chaos-report.json"), JSON.writeValueAsString(json));
            Path md = dir.resolve("chaos-report.md");
            Files.writeString(md, markdown(command, results));
            return md;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + dir, e);
        }
    }

    static String markdown(String command, List<ScenarioResult> results) {
        StringBuilder md = new StringBuilder("# fleet-saga fault harness report\n\n");
        md.append("Command: `").append(command).append("`  \n");
        md.append("Generated: ").append(Instant.now()).append("  \n");
        long failed = results.stream().filter(r -> !r.passed()).count();
        md.append("Verdict: **")
                .append(
                        failed == 0
                                ? "all " + results.size() + " scenario runs passed"
                                : failed + " of " + results.size() + " scenario runs FAILED")
                .append("**\n\n");
        md.append("| scenario | seed | operations (ok / rejected / failed / unknown) | faults | invariants |\n");
        md.append("|---|---|---|---|---|\n");
        for (ScenarioResult r : results) {
            md.append("| ")
                    .append(r.scenario())
                    .append(" | ")
                    .append(r.parameters().get("seed"))
                    .append(" | ")
                    .append(counts(r.totals()))
                    .append(" | ")
                    .append(r.faults().size())
                    .append(" | ")
                    .append(r.passed() ? "all passed" : "FAILED: " + String.join(", ", r.failedNames()))
                    .append(" |\n");
        }
        for (ScenarioResult r : results) {
            md.append("\n## ")
                    .append(r.scenario())
                    .append(" — ")
                    .append(r.title())
                    .append("\n\n");
            md.append("Parameters: `")
                    .append(r.parameters())
                    .append("`; orders `")
                    .append(r.orderPrefix())
                    .append("-*`; ran ")
                    .append(r.started())
                    .append(" → ")
                    .append(r.workloadEnded())
                    .append(" (")
                    .append(seconds(Duration.between(r.started(), r.workloadEnded())))
                    .append(")")
                    .append("; quiescent ")
                    .append(
                            r.quiescentAt() == null
                                    ? "NEVER"
                                    : "after " + seconds(Duration.between(r.workloadEnded(), r.quiescentAt())))
                    .append(".\n\n");
            md.append("**Operations** (every call, retries included):\n\n| kind | ok | rejected | failed | unknown |\n")
                    .append("|---|---|---|---|---|\n");
            r.operations()
                    .forEach((kind, byOutcome) -> md.append("| ")
                            .append(kind)
                            .append(" | ")
                            .append(byOutcome.getOrDefault(History.Outcome.OK, 0))
                            .append(" | ")
                            .append(byOutcome.getOrDefault(History.Outcome.REJECTED, 0))
                            .append(" | ")
                            .append(byOutcome.getOrDefault(History.Outcome.FAILED, 0))
                            .append(" | ")
                            .append(byOutcome.getOrDefault(History.Outcome.UNKNOWN, 0))
                            .append(" |\n"));
            md.append("\n**Faults**\n\n| fault | target | start | end | detail |\n|---|---|---|---|---|\n");
            for (History.Fault f : r.faults()) {
                md.append("| ")
                        .append(f.name())
                        .append(" | ")
                        .append(f.target())
                        .append(" | ")
                        .append(f.start())
                        .append(" | ")
                        .append(f.end())
                        .append(" | ")
                        .append(f.detail())
                        .append(" |\n");
            }
            if (!r.windows().isEmpty()) {
                md.append("\n**API latency around each fault** (acknowledged calls; ±")
                        .append(r.windowSeconds())
                        .append(" s windows) **and convergence** (fault end → no outbox row older than 2 s,"
                                + " consumer lag ≤ 2 s of load)\n\n")
                        .append("| fault | before p50/p99 ms | during p50/p99 ms (calls, not ok) | after p50/p99 ms |"
                                + " converged after | peak backlog |\n|---|---|---|---|---|---|\n");
                for (ScenarioResult.FaultWindow w : r.windows()) {
                    md.append("| ")
                            .append(w.fault())
                            .append(" ")
                            .append(w.target())
                            .append(" (")
                            .append(seconds(Duration.between(w.start(), w.end())))
                            .append(") | ")
                            .append(pp(w.before()))
                            .append(" | ")
                            .append(pp(w.during()))
                            .append(" (")
                            .append(w.during().calls())
                            .append(", ")
                            .append(w.during().notOk())
                            .append(") | ")
                            .append(pp(w.after()))
                            .append(" | ")
                            .append(w.convergedAfterSeconds() == null ? "—" : w.convergedAfterSeconds() + " s")
                            .append(" | ")
                            .append(w.peakBacklog())
                            .append(" |\n");
                }
            }
            if (!r.measurements().isEmpty()) {
                md.append("\n**Measured**\n\n");
                r.measurements()
                        .forEach((k, v) ->
                                md.append("- ").append(k).append(": ").append(v).append("\n"));
            }
            md.append("\n**Invariants**\n\n| invariant | verdict | promise | evidence |\n|---|---|---|---|\n");
            for (Checker.Invariant i : r.invariants()) {
                md.append("| ")
                        .append(i.name())
                        .append(" | ")
                        .append(i.passed() ? "pass" : "**FAIL** (" + i.violations() + ")")
                        .append(" | ")
                        .append(i.promise())
                        .append(" | ")
                        .append(String.join("<br>", i.evidence()).replace("|", "\\|"))
                        .append(" |\n");
            }
        }
        return md.toString();
    }

    private static String counts(Map<History.Outcome, Integer> totals) {
        return totals.get(History.Outcome.OK) + " / " + totals.get(History.Outcome.REJECTED) + " / "
                + totals.get(History.Outcome.FAILED) + " / " + totals.get(History.Outcome.UNKNOWN);
    }

    private static String pp(ScenarioResult.Latency l) {
        return (l.p50Millis() == null ? "—" : l.p50Millis()) + " / " + (l.p99Millis() == null ? "—" : l.p99Millis());
    }

    static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
