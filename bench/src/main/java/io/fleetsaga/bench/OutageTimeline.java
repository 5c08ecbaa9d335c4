package io.fleetsaga.bench;

import io.fleetsaga.infra.FleetStack;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Benchmark (4)'s fault and its measurements: once the load runs ({@link #start()}), stops the Kafka broker after
 * {@code outage-before} (SIGTERM, controlled shutdown), starts it again after {@code outage} on the same ports and
 * data, and samples the pipeline every second (committed, applied, backlog, order-service's {@code
 * outbox_events_pending}) until the backlog is back to its level before the outage, or {@code drain-max} after the
 * load ended.
 */
final class OutageTimeline {

    /** One sample; times in ms since the load started. */
    record Sample(long atMillis, long committed, long applied, double outboxPending) {
        long backlog() {
            return committed - applied;
        }
    }

    private final Pipeline pipeline;
    private final FleetStack stack;
    private final URI orderPrometheus;
    private final EndToEndBenchmark.Settings settings;
    private final Output out;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private volatile long startMillis;
    private volatile long stoppedAt = -1;
    private volatile long restartedAt = -1;
    private volatile long readyAt = -1;
    private volatile boolean loadEnded;
    private Thread sampler;
    private Thread fault;

    OutageTimeline(
            Pipeline pipeline, FleetStack stack, URI orderPrometheus, EndToEndBenchmark.Settings settings, Output out) {
        this.pipeline = pipeline;
        this.stack = stack;
        this.orderPrometheus = orderPrometheus;
        this.settings = settings;
        this.out = out;
    }

    void start() {
        startMillis = System.currentTimeMillis();
        sampler = new Thread(this::sample, "outage-sampler");
        sampler.setDaemon(true);
        sampler.start();
        fault = new Thread(this::fault, "outage-fault");
        fault.setDaemon(true);
        fault.start();
    }

    private void fault() {
        try {
            Thread.sleep(settings.outageBefore().toMillis());
            stack.broker().stop();
            stoppedAt = System.currentTimeMillis() - startMillis;
            out.line("  broker stopped at %.1f s", stoppedAt / 1000.0);
            Thread.sleep(settings.outage().toMillis());
            restartedAt = System.currentTimeMillis() - startMillis;
            stack.broker().restart();
            readyAt = System.currentTimeMillis() - startMillis;
            out.line("  broker restarted at %.1f s, ready at %.1f s", restartedAt / 1000.0, readyAt / 1000.0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sample() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                long at = System.currentTimeMillis() - startMillis;
                Pipeline.Progress p = pipeline.progress();
                double pending = Pipeline.sum(pipeline.scrape(orderPrometheus), "outbox_events_pending");
                samples.add(new Sample(at, p.committed(), p.applied(), pending));
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                out.line("  sample failed: %s", e);
            }
        }
    }

    /** Called after the load ended: waits for the drain, stops sampling, and evaluates. */
    Result finish(ConcurrentLinkedQueue<long[]> latencies) throws InterruptedException {
        loadEnded = true;
        long loadEndedAt = System.currentTimeMillis() - startMillis;
        fault.join();
        long threshold = beforeBacklogMax();
        long deadline = System.currentTimeMillis() + settings.drainMax().toMillis();
        while (System.currentTimeMillis() < deadline && drainedAt(threshold) < 0) {
            Thread.sleep(500);
        }
        sampler.interrupt();
        sampler.join();
        return new Result(latencies, threshold, loadEndedAt);
    }

    private long beforeBacklogMax() {
        return samples.stream()
                .filter(s -> s.atMillis() < stoppedAt)
                .mapToLong(Sample::backlog)
                .max()
                .orElse(0);
    }

    private long drainedAt(long threshold) {
        return samples.stream()
                .filter(s -> readyAt >= 0 && s.atMillis() >= readyAt && s.backlog() <= threshold)
                .mapToLong(Sample::atMillis)
                .findFirst()
                .orElse(-1);
    }

    /** The evaluation. */
    final class Result {
        private final List<String> lines = new ArrayList<>();
        private final Map<String, Object> map = new LinkedHashMap<>();
        private final List<String> markdown = new ArrayList<>();

        Result(ConcurrentLinkedQueue<long[]> latencies, long threshold, long loadEndedAt) {
            double[] before = phase(latencies, 0, stoppedAt);
            double[] during = phase(latencies, stoppedAt, readyAt);
            double[] after = phase(latencies, readyAt, Long.MAX_VALUE);
            double inputRate = rate(0, stoppedAt, true);
            long drainedAt = drainedAt(threshold);
            Sample atReady = at(readyAt);
            Sample atDrained = drainedAt < 0 ? null : at(drainedAt);
            long peakBacklog = samples.stream().mapToLong(Sample::backlog).max().orElse(0);
            double peakPending = samples.stream()
                    .mapToDouble(Sample::outboxPending)
                    .filter(d -> !Double.isNaN(d))
                    .max()
                    .orElse(Double.NaN);
            double drainSeconds = drainedAt < 0 ? Double.NaN : (drainedAt - readyAt) / 1000.0;
            double drainApplied = atDrained == null || atReady == null
                    ? Double.NaN
                    : (atDrained.applied() - atReady.applied()) / drainSeconds;
            double netDrain = atDrained == null || atReady == null
                    ? Double.NaN
                    : (atReady.backlog() - atDrained.backlog()) / drainSeconds;
            lines.add("  timeline (s since the load started: committed/s, applied/s, backlog, outbox_events_pending):");
            Sample previous = null;
            for (Sample s : samples) {
                if (previous != null) {
                    double dt = (s.atMillis() - previous.atMillis()) / 1000.0;
                    lines.add(String.format(
                            Locale.ROOT,
                            "    %6.1f  %7.1f  %7.1f  %7d  %7.0f",
                            s.atMillis() / 1000.0,
                            (s.committed() - previous.committed()) / dt,
                            (s.applied() - previous.applied()) / dt,
                            s.backlog(),
                            s.outboxPending()));
                }
                previous = s;
            }
            lines.add(String.format(
                    Locale.ROOT,
                    "  broker stopped %.1f s → restarted %.1f s → ready %.1f s; load ended %.1f s",
                    stoppedAt / 1000.0,
                    restartedAt / 1000.0,
                    readyAt / 1000.0,
                    loadEndedAt / 1000.0));
            lines.add(String.format(
                    Locale.ROOT,
                    "  HTTP p99 before %s ms (%d), during %s ms (%d), after %s ms (%d): during ÷ before %.2f",
                    fmt(Pipeline.quantile(before, 0.99)),
                    before.length,
                    fmt(Pipeline.quantile(during, 0.99)),
                    during.length,
                    fmt(Pipeline.quantile(after, 0.99)),
                    after.length,
                    Pipeline.quantile(during, 0.99) / Pipeline.quantile(before, 0.99)));
            lines.add(String.format(
                    Locale.ROOT,
                    "  HTTP p50 before %s ms, during %s ms, after %s ms",
                    fmt(Pipeline.quantile(before, 0.5)),
                    fmt(Pipeline.quantile(during, 0.5)),
                    fmt(Pipeline.quantile(after, 0.5))));
            lines.add(String.format(
                    Locale.ROOT,
                    "  input (committed/s before the outage) %.1f; backlog before ≤ %d, at restart %s, peak %d;"
                            + " outbox_events_pending peak %.0f",
                    inputRate,
                    threshold,
                    atReady == null ? "?" : Long.toString(atReady.backlog()),
                    peakBacklog,
                    peakPending));
            lines.add(String.format(
                    Locale.ROOT,
                    "  drain: %s s from ready to backlog ≤ %d; applied/s while draining %.1f (÷ input %.2f);"
                            + " net drain (backlog removed/s) %.1f (÷ input %.2f)",
                    fmt(drainSeconds),
                    threshold,
                    drainApplied,
                    drainApplied / inputRate,
                    netDrain,
                    netDrain / inputRate));
            map.put("stoppedAtS", stoppedAt / 1000.0);
            map.put("restartedAtS", restartedAt / 1000.0);
            map.put("readyAtS", readyAt / 1000.0);
            map.put("loadEndedAtS", loadEndedAt / 1000.0);
            map.put("httpP99BeforeMs", Pipeline.quantile(before, 0.99));
            map.put("httpP99DuringMs", Pipeline.quantile(during, 0.99));
            map.put("httpP99AfterMs", Pipeline.quantile(after, 0.99));
            map.put("p99DuringOverBefore", Pipeline.quantile(during, 0.99) / Pipeline.quantile(before, 0.99));
            map.put("inputPerSecond", inputRate);
            map.put("backlogBeforeMax", threshold);
            map.put("backlogAtReady", atReady == null ? null : atReady.backlog());
            map.put("backlogPeak", peakBacklog);
            map.put("outboxPendingPeak", peakPending);
            map.put("drainSeconds", drainSeconds);
            map.put("appliedPerSecondWhileDraining", drainApplied);
            map.put("drainOverInput", drainApplied / inputRate);
            map.put("netDrainPerSecond", netDrain);
            map.put("netDrainOverInput", netDrain / inputRate);
            List<Map<String, Object>> timeline = new ArrayList<>();
            for (Sample s : samples) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("atS", s.atMillis() / 1000.0);
                row.put("committed", s.committed());
                row.put("applied", s.applied());
                row.put("outboxPending", s.outboxPending());
                timeline.add(row);
            }
            map.put("timeline", timeline);
            markdown.add("| input/s | HTTP p99 before ms | during ms | during ÷ before | backlog peak (DB) |"
                    + " outbox_events_pending peak | drain s | applied/s while draining ÷ input | net drain ÷ input |");
            markdown.add("|---|---|---|---|---|---|---|---|---|");
            markdown.add(String.format(
                    Locale.ROOT,
                    "| %.1f | %s | %s | %.2f | %d | %.0f | %s | %.2f | %.2f |",
                    inputRate,
                    fmt(Pipeline.quantile(before, 0.99)),
                    fmt(Pipeline.quantile(during, 0.99)),
                    Pipeline.quantile(during, 0.99) / Pipeline.quantile(before, 0.99),
                    peakBacklog,
                    peakPending,
                    fmt(drainSeconds),
                    drainApplied / inputRate,
                    netDrain / inputRate));
        }

        List<String> lines() {
            return lines;
        }

        List<String> markdown() {
            return markdown;
        }

        Map<String, Object> toMap(double offered, EndToEndBenchmark.Step step) {
            Map<String, Object> m = new LinkedHashMap<>(map);
            m.put("offeredPerSecond", offered);
            m.put("step", step.toMap());
            return m;
        }

        private double rate(long from, long to, boolean committed) {
            Sample a = at(from);
            Sample b = at(to);
            if (a == null || b == null || b.atMillis() <= a.atMillis()) {
                return Double.NaN;
            }
            long delta = committed ? b.committed() - a.committed() : b.applied() - a.applied();
            return delta * 1000.0 / (b.atMillis() - a.atMillis());
        }

        /** The last sample at or before {@code millis} (the first one if none is). */
        private Sample at(long millis) {
            Sample found = samples.isEmpty() ? null : samples.get(0);
            for (Sample s : samples) {
                if (s.atMillis() <= millis) {
                    found = s;
                }
            }
            return found;
        }

        private double[] phase(ConcurrentLinkedQueue<long[]> latencies, long from, long to) {
            return latencies.stream()
                    .filter(l -> l[0] - startMillis >= from && l[0] - startMillis < (to < 0 ? Long.MAX_VALUE : to))
                    .mapToDouble(l -> l[1])
                    .sorted()
                    .toArray();
        }
    }

    private static String fmt(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.1f", value);
    }
}
