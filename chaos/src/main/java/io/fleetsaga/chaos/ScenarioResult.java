package io.fleetsaga.chaos;

import io.fleetsaga.chaos.History.Fault;
import io.fleetsaga.chaos.History.Op;
import io.fleetsaga.chaos.History.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The outcome of one scenario: what ran, what was injected, what was measured, and each invariant's verdict. */
record ScenarioResult(
        long windowSeconds,
        String scenario,
        String title,
        Map<String, Object> parameters,
        String orderPrefix,
        Instant started,
        Instant workloadEnded,
        Instant quiescentAt,
        Map<String, Map<Outcome, Integer>> operations,
        Map<Outcome, Integer> totals,
        List<Fault> faults,
        List<FaultWindow> windows,
        Map<String, Object> measurements,
        List<Checker.Invariant> invariants) {

    /** API latency of acknowledged calls around one fault, and the time to converge after it. */
    record FaultWindow(
            String fault,
            String target,
            Instant start,
            Instant end,
            Latency before,
            Latency during,
            Latency after,
            Double convergedAfterSeconds,
            long peakBacklog) {}

    /**
     * @param calls calls sent in the window
     * @param notOk calls whose answer was not a 2xx (rejections included)
     */
    record Latency(int calls, int notOk, Long p50Millis, Long p99Millis) {}

    /** Width of the "before" and "after" windows around a fault: half a scenario's duration, at least 20 s. */
    static Duration window(Parameters parameters) {
        Duration half = parameters.duration().dividedBy(2);
        return half.compareTo(Duration.ofSeconds(20)) > 0 ? half : Duration.ofSeconds(20);
    }

    boolean passed() {
        return invariants.stream().allMatch(Checker.Invariant::passed);
    }

    List<String> failedNames() {
        return invariants.stream()
                .filter(i -> !i.passed())
                .map(Checker.Invariant::name)
                .toList();
    }

    static ScenarioResult of(
            Scenario scenario,
            Parameters parameters,
            String prefix,
            Instant started,
            Instant workloadEnded,
            Instant quiet,
            History history,
            Monitor monitor,
            RunContext context,
            List<Checker.Invariant> invariants) {
        List<Op> ops = history.ops().stream()
                .filter(o -> !o.kind().startsWith("item:"))
                .toList();
        Map<String, Map<Outcome, Integer>> operations = new TreeMap<>();
        Map<Outcome, Integer> totals = new LinkedHashMap<>();
        for (Outcome o : Outcome.values()) {
            totals.put(o, 0);
        }
        for (Op op : ops) {
            operations.computeIfAbsent(op.kind(), k -> new LinkedHashMap<>()).merge(op.outcome(), 1, Integer::sum);
            totals.merge(op.outcome(), 1, Integer::sum);
        }
        List<FaultWindow> windows = new ArrayList<>();
        long lagSlack = Math.max(5, Math.round(parameters.rate() * 2));
        Duration window = window(parameters);
        for (Fault f : history.faults()) {
            // a kill's window is the kill itself: its "converged after" is the time until the survivors (or the
            // restarted process) had consumed the backlog again
            if (f.end() == null || f.name().equals("restart")) {
                continue;
            }
            windows.add(new FaultWindow(
                    f.name(),
                    f.target(),
                    f.start(),
                    f.end(),
                    latency(ops, f.start().minus(window), f.start()),
                    latency(ops, f.start(), f.end()),
                    latency(ops, f.end(), f.end().plus(window)),
                    monitor.convergedAfter(f.end(), Duration.ofSeconds(2), lagSlack)
                            .map(d -> d.toMillis() / 1000.0)
                            .orElse(null),
                    monitor.peakBacklog(f.start(), f.end().plus(window))));
        }
        return new ScenarioResult(
                window.toSeconds(),
                scenario.id(),
                scenario.title(),
                parameters.asMap(),
                prefix,
                started,
                workloadEnded,
                quiet,
                operations,
                totals,
                history.faults(),
                windows,
                context.measurements,
                invariants);
    }

    /** Latency of the calls sent in [from, to). */
    static Latency latency(List<Op> ops, Instant from, Instant to) {
        List<Long> ok = new ArrayList<>();
        int calls = 0;
        int notOk = 0;
        for (Op op : ops) {
            if (op.invokedAt().isBefore(from) || !op.invokedAt().isBefore(to)) {
                continue;
            }
            calls++;
            if (op.outcome() == Outcome.OK) {
                ok.add(op.latencyMillis());
            } else {
                notOk++;
            }
        }
        ok.sort(null);
        return new Latency(calls, notOk, percentile(ok, 0.50), percentile(ok, 0.99));
    }

    static Long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
