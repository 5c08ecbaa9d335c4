package io.fleetsaga.bench;

import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.outbox.OutboxSettings;
import io.fleetsaga.infra.EmbeddedMariaDb;
import io.fleetsaga.infra.KafkaBrokerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * The outbox relay against the transport's ceiling and against a peer (issue 13, benchmark 3), in one run, on one
 * embedded MariaDB 11.4 ({@link EmbeddedMariaDb}) and one Kafka broker process ({@link KafkaBrokerProcess}), both
 * started by this benchmark with the settings the tests use:
 *
 * <ol>
 *   <li><b>relay</b>: {@code bench.relay.events} pending rows (100,000; the size is 1,000,000) over {@code
 *       bench.relay.aggregates} orders (10,000), made by the kit's migrations and filled fast (not measured), drained
 *       by the kit's own {@code OutboxRelay.drain()} with the kit's default settings ({@link RelayRun}): events/s
 *       from the first claim until every row is SENT; latency per record (send → broker acknowledgement) and per
 *       batch (start of the claim query → batch marked SENT).
 *   <li><b>Kafka's producer ceiling</b> on the same broker ({@link ProducerCeiling}): Kafka's {@code
 *       ProducerPerformance} with the same number of records of the same size (the relay's encoded envelope) and the
 *       relay's producer settings ({@code acks=all}, idempotent, its linger), unthrottled; and the kit's Kafka
 *       publisher without the database in synchronous batches of the relay's batch size.
 *   <li><b>backlog</b>: {@code bench.relay.backlog.pending} pending rows (20,000; the issue's: 200,000) behind
 *       {@code bench.relay.backlog.sent} SENT rows (500,000; the issue's: 5,000,000; older orders, 5 events each),
 *       against the same pending rows on an empty table: drain time, events/s, the claim query's {@code EXPLAIN}
 *       and {@code ANALYZE}, and the server's {@code Handler_read%} counters per event.
 * </ol>
 *
 * <p>Every figure is measured in this run; ratios are taken against the baselines of the same run. With {@code
 * -Dbench.relay.jfr=true} the relay's drain is recorded with JFR and its top frames printed.
 *
 * <p>Run: {@code ./mvnw -q -pl bench -am package exec:exec -DskipTests
 * -Dbench.main=io.fleetsaga.bench.RelayBenchmark}; output to stdout, {@code results/relay-<timestamp>.txt} and
 * {@code target/bench/relay-<timestamp>.{json,md}}.
 */
public final class RelayBenchmark {

    private static final int PARTITIONS = 3;

    private final Output out = new Output();
    private final ResultTable table = new ResultTable(List.of(
            "scenario",
            "events",
            "seconds",
            "events/s",
            "latency measured",
            "p50 ms",
            "p99 ms",
            "max ms",
            "DB CPU s",
            "rows read per event"));

    public static void main(String[] args) throws Exception {
        int status = 1;
        try {
            new RelayBenchmark().run();
            status = 0;
        } finally {
            System.exit(status);
        }
    }

    private void run() throws Exception {
        long events = Long.getLong("bench.relay.events", 100_000);
        int aggregates = Integer.getInteger("bench.relay.aggregates", 10_000);
        long backlogPending = Long.getLong("bench.relay.backlog.pending", 20_000);
        long backlogSent = Long.getLong("bench.relay.backlog.sent", 500_000);
        boolean jfr = Boolean.getBoolean("bench.relay.jfr");
        boolean modulith = Boolean.parseBoolean(System.getProperty("bench.relay.modulith", "true"));
        Map<String, String> outboxProperties = new LinkedHashMap<>();
        String batchSize = System.getProperty("bench.relay.batch-size", "");
        if (!batchSize.isBlank()) {
            outboxProperties.put("kafka.batch-size", batchSize);
        }
        Path results = Path.of(System.getProperty("bench.results.dir", "results"));
        Path work = Path.of(System.getProperty("bench.work.dir", "target/bench-work"));
        Path reports = work.getParent().resolve("bench");
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path runDir = work.resolve("relay-" + stamp);
        Files.createDirectories(runDir);

        out.line("fleet-saga relay benchmark (issue 13, benchmark 3), %s", stamp);
        out.line("source: %s", Git.describe(results.toAbsolutePath().getParent()));
        out.line(
                "machine: %s, %d cores, %s; JVM %s %s, max heap %d MB; load average at start %s",
                Procfs.cpuModel(),
                Runtime.getRuntime().availableProcessors(),
                Procfs.memTotal(),
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20,
                Procfs.loadAverage());
        out.line(
                "sizes: relay %,d events over %,d aggregates; backlog %,d pending behind %,d SENT",
                events, aggregates, backlogPending, backlogSent);

        try (EmbeddedMariaDb db = EmbeddedMariaDb.start(runDir.resolve("mariadb"));
                KafkaBrokerProcess broker = KafkaBrokerProcess.start(runDir.resolve("kafka"))) {
            out.line("database: MariaDB %s, %s", db.serverVersion(), serverSettings(db));
            out.line(
                    "broker: Kafka %s (one KRaft node, its own JVM, %d partitions per topic, default flush settings:"
                            + " no fsync per message), clients %s",
                    AppInfoParser.getVersion(), PARTITIONS, AppInfoParser.getVersion());
            RelayRun relays = new RelayRun(db, broker.pid(), broker.bootstrapServers(), outboxProperties);
            OutboxSettings settings = relays.settings();
            out.line(
                    "relay settings (the kit's defaults%s): batch %d, poll %s, publish timeout %s; producer %s",
                    outboxProperties.isEmpty() ? "" : " with " + outboxProperties,
                    settings.batchSize(),
                    settings.pollInterval(),
                    settings.publishTimeout(),
                    ProducerCeiling.withoutClientId(relays.producerProperties("x")));
            int recordSize = OutboxFill.encodedSize(new EnvelopeCodec());
            out.line(
                    "record: an OrderStateChanged envelope as the relay sends it, %d bytes of value (key: the order"
                            + " id, 36 bytes; headers: event id, type, aggregate type, version, traceparent)",
                    recordSize);
            createTopics(
                    broker.bootstrapServers(),
                    List.of("warmup", "relay", "perf", "sync", "empty", "backlog", "modulith"));

            // warm-up: connections, JIT, and the claim query's text as the built code sends it (not reported)
            fill(db, "warmup", 5_000, 500, false);
            RelayRun.Result warmup = relays.drain("warmup", "warmup", 5_000, out);
            String claimSql = warmup.claimSql();
            List<Object> claimParameters = warmup.claimParameters();
            out.line("warm-up: %,d rows drained in %.1f s (not reported)", warmup.events(), warmup.seconds());

            // (a) the relay on N pending rows
            out.line("");
            out.line("== (a) the kit's relay: %,d pending rows, empty history ==", events);
            String migrated = fill(db, "relay", events, aggregates, false);
            out.line("schema relay: kit migrations up to V%s", migrated);
            relays.explain("relay", claimSql, claimParameters).forEach(out::line);
            RelayRun.Result relay;
            if (jfr) {
                try (JfrTop recording = JfrTop.start(runDir.resolve("relay.jfr"))) {
                    relay = relays.drain("relay", "relay", events, out);
                    recording.stopAndSummarise(15).forEach(out::line);
                }
            } else {
                relay = relays.drain("relay", "relay", events, out);
            }
            report(relay, "load after: " + Procfs.loadAverage());

            // (b) Kafka's own producer on the same broker
            out.line("");
            out.line("== (b) Kafka's producer on the same broker ==");
            out.line("ProducerPerformance (own JVM), %,d records of %d bytes, unthrottled:", events, recordSize);
            ProducerCeiling.PerfResult perf = ProducerCeiling.producerPerformance(
                    RelayRun.topicOf("perf"),
                    events,
                    recordSize,
                    -1,
                    ProducerCeiling.withoutClientId(relays.producerProperties("perf")),
                    runDir.resolve("producer-performance.out"),
                    out);
            out.line("arguments: %s", String.join(" ", perf.arguments()));
            perfRow("Kafka ProducerPerformance, unthrottled (acks=all, idempotent, relay's linger)", perf);
            // unthrottled, its latency is the wait in its own send buffer; at the relay's rate it is the transport's
            long relayRate = Math.max(1, Math.round(relay.eventsPerSecond()));
            // a latency measurement: 30 s of it are enough
            long pacedRecords = Math.min(events, Math.max(1_000, relayRate * 30));
            out.line("ProducerPerformance at the relay's rate, %,d records/s, %,d records:", relayRate, pacedRecords);
            ProducerCeiling.PerfResult paced = ProducerCeiling.producerPerformance(
                    RelayRun.topicOf("perf"),
                    pacedRecords,
                    recordSize,
                    relayRate,
                    ProducerCeiling.withoutClientId(relays.producerProperties("perf")),
                    runDir.resolve("producer-performance-paced.out"),
                    out);
            perfRow("Kafka ProducerPerformance at the relay's rate (" + relayRate + "/s)", paced);
            ProducerCeiling.BatchResult sync = ProducerCeiling.synchronousBatches(
                    RelayRun.topicOf("sync"),
                    events,
                    settings.batchSize(),
                    aggregates,
                    relays.producerProperties("sync"));
            out.line(
                    "kit's KafkaOutboxPublisher, no database, synchronous batches of %d: %,d records in %.2f s = %,.0f/s;"
                            + " per batch %s; per record send → ack %s",
                    sync.batchSize(),
                    sync.records(),
                    sync.seconds(),
                    sync.eventsPerSecond(),
                    percentiles(sync.batchMicros()),
                    percentiles(sync.sendToAckMicros()));
            table.row(
                    "kit's Kafka publisher alone, synchronous batches of " + sync.batchSize(),
                    sync.records(),
                    sync.seconds(),
                    sync.eventsPerSecond(),
                    "per batch: first send → last ack",
                    ms(sync.batchMicros(), 50),
                    ms(sync.batchMicros(), 99),
                    ms(sync.batchMicros(), 100),
                    null,
                    null);

            // (d) backlog linearity
            out.line("");
            out.line(
                    "== (d) backlog: %,d pending rows behind %,d SENT rows, against an empty table ==",
                    backlogPending, backlogSent);
            int backlogAggregates = (int) Math.max(1, Math.min(aggregates, backlogPending / 2));
            fill(db, "empty", backlogPending, backlogAggregates, false);
            long filling = System.nanoTime();
            fillHistory(db, "backlog", backlogSent);
            new OutboxFill(db, "backlog")
                    .append(RelayRun.topicOf("backlog"), "relay", backlogPending, backlogAggregates, false);
            out.line("backlog filled in %.1f s (not measured)", (System.nanoTime() - filling) / 1e9);
            out.line("-- empty table: EXPLAIN / ANALYZE of the claim before the drain");
            relays.explain("empty", claimSql, claimParameters).forEach(out::line);
            RelayRun.Result empty = relays.drain("empty", "empty", backlogPending, out);
            report(empty, null);
            out.line("-- %,d SENT rows behind: EXPLAIN / ANALYZE of the claim before the drain", backlogSent);
            relays.explain("backlog", claimSql, claimParameters).forEach(out::line);
            RelayRun.Result backlog = relays.drain("backlog", "backlog", backlogPending, out);
            report(backlog, null);

            // (c) the peer: Spring Modulith's registry with Kafka externalization
            ModulithRun.Result peer = null;
            if (modulith) {
                out.line("");
                out.line(
                        "== (c) Spring Modulith %s: JDBC event publication registry + Kafka externalization, %,d events"
                                + " published in transactions of %d ==",
                        org.springframework.modulith.events.Externalized.class
                                .getPackage()
                                .getImplementationVersion(),
                        events,
                        settings.batchSize());
                try {
                    peer = new ModulithRun(
                                    db,
                                    broker.bootstrapServers(),
                                    ProducerCeiling.withoutClientId(relays.producerProperties("modulith")))
                            .run("modulith", events, aggregates, settings.batchSize(), relays, out);
                } catch (Exception e) {
                    // the peer failing must not cost the figures already measured
                    out.line("modulith FAILED: %s", e);
                    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                        out.line("  caused by %s", t);
                    }
                }
            }
            if (peer != null) {
                out.line(
                        "modulith: %,d events published in %.2f s, all completed after %.2f s = %,.0f events/s;"
                                + " per event publication → completion %s; mariadbd CPU %.1f s; Handler_read total %,d"
                                + " = %.1f per event",
                        peer.events(),
                        peer.publishSeconds(),
                        peer.seconds(),
                        peer.eventsPerSecond(),
                        percentiles(peer.publicationToCompletionMicros()),
                        peer.dbCpuSeconds(),
                        peer.handlerReads().values().stream()
                                .mapToLong(Long::longValue)
                                .sum(),
                        peer.handlerReads().values().stream()
                                        .mapToLong(Long::longValue)
                                        .sum()
                                / (double) peer.events());
                out.line("  a completed publication: %s", peer.sample());
                table.row(
                        "Spring Modulith registry + Kafka externalization (publish in tx of " + settings.batchSize()
                                + " → all completed)",
                        peer.events(),
                        peer.seconds(),
                        peer.eventsPerSecond(),
                        "per event: publication → completion",
                        ms(peer.publicationToCompletionMicros(), 50),
                        ms(peer.publicationToCompletionMicros(), 99),
                        ms(peer.publicationToCompletionMicros(), 100),
                        peer.dbCpuSeconds(),
                        peer.handlerReads().values().stream()
                                        .mapToLong(Long::longValue)
                                        .sum()
                                / (double) peer.events());
            }

            // ratios
            out.line("");
            out.line("== ratios (same run) ==");
            ratio("relay ÷ Kafka ProducerPerformance, events/s", relay.eventsPerSecond(), perf.recordsPerSecond());
            ratio(
                    "relay ÷ kit's publisher alone in synchronous batches, events/s",
                    relay.eventsPerSecond(),
                    sync.eventsPerSecond());
            ratio(
                    "relay p99 ÷ ProducerPerformance unthrottled p99 (per record send → ack)",
                    ms(relay.sendToAckMicros(), 99),
                    (double) perf.p99Ms());
            ratio(
                    "relay p99 ÷ ProducerPerformance at the relay's rate p99 (per record send → ack)",
                    ms(relay.sendToAckMicros(), 99),
                    (double) paced.p99Ms());
            if (peer != null) {
                ratio("relay ÷ Spring Modulith, events/s", relay.eventsPerSecond(), peer.eventsPerSecond());
            }
            ratio("backlog ÷ empty table, events/s", backlog.eventsPerSecond(), empty.eventsPerSecond());
            ratio("backlog ÷ empty table, rows read per event", readsPerEvent(backlog), readsPerEvent(empty));
            ratio("backlog ÷ empty table, claim query p50", ms(backlog.claimMicros(), 50), ms(empty.claimMicros(), 50));
            out.line("load average at end %s", Procfs.loadAverage());
        }

        out.line("");
        table.markdown().lines().forEach(out::line);
        table.write(reports, "relay-" + stamp);
        Path file = results.resolve("relay-" + stamp + ".txt");
        out.writeTo(file);
        out.line("written to %s and %s", file, reports.resolve("relay-" + stamp + ".{json,md}"));
    }

    private String fill(EmbeddedMariaDb db, String schema, long rows, int aggregates, boolean sent) throws Exception {
        OutboxFill fill = new OutboxFill(db, schema);
        String version = fill.migrate();
        long started = System.nanoTime();
        fill.append(RelayRun.topicOf(schema), schema, rows, aggregates, sent);
        out.line(
                "schema %s: %,d %s rows written in %.1f s (not measured)",
                schema, rows, sent ? "SENT" : "PENDING", (System.nanoTime() - started) / 1e9);
        return version;
    }

    /** SENT rows of older orders (5 events each, other aggregates than the pending ones), as a relay leaves them. */
    private void fillHistory(EmbeddedMariaDb db, String schema, long rows) throws Exception {
        OutboxFill fill = new OutboxFill(db, schema);
        fill.migrate();
        fill.append(RelayRun.topicOf(schema), "old", rows, (int) Math.max(1, rows / 5), true);
    }

    private void report(RelayRun.Result r, String note) {
        out.line(
                "%s: %,d events in %.2f s = %,.0f events/s; per batch (claim → marked SENT) %s; per record (send → ack)"
                        + " %s; claim query %s; %d drain() calls",
                r.name(),
                r.events(),
                r.seconds(),
                r.eventsPerSecond(),
                percentiles(r.batchMicros()),
                percentiles(r.sendToAckMicros()),
                percentiles(r.claimMicros()),
                r.drainCalls());
        out.line(
                "  CPU: mariadbd %.1f s (%.0f %% of the drain), broker %.1f s, this JVM %.1f s; Handler_read: %s = %.1f"
                        + " per event",
                r.dbCpuSeconds(),
                100 * r.dbCpuSeconds() / r.seconds(),
                r.brokerCpuSeconds(),
                r.benchCpuSeconds(),
                r.handlerReads(),
                readsPerEvent(r));
        if (note != null) {
            out.line("  %s", note);
        }
        table.row(
                "fleet-saga relay: " + r.name(),
                r.events(),
                r.seconds(),
                r.eventsPerSecond(),
                "per batch: claim → marked SENT",
                ms(r.batchMicros(), 50),
                ms(r.batchMicros(), 99),
                ms(r.batchMicros(), 100),
                r.dbCpuSeconds(),
                readsPerEvent(r));
        table.row(
                "  … same drain, per record",
                r.events(),
                null,
                null,
                "per record: send → ack",
                ms(r.sendToAckMicros(), 50),
                ms(r.sendToAckMicros(), 99),
                ms(r.sendToAckMicros(), 100),
                null,
                null);
    }

    private void perfRow(String name, ProducerCeiling.PerfResult perf) {
        table.row(
                name,
                perf.records(),
                perf.records() / perf.recordsPerSecond(),
                perf.recordsPerSecond(),
                "per record: send → ack",
                (double) perf.p50Ms(),
                (double) perf.p99Ms(),
                perf.maxMs(),
                null,
                null);
    }

    private void ratio(String name, double value, double baseline) {
        double ratio = value / baseline;
        out.line("%s: %.3f (%.1f / %.1f)", name, ratio, value, baseline);
        table.fact(name, ratio);
    }

    private static double readsPerEvent(RelayRun.Result r) {
        return r.handlerReadsTotal() / (double) r.events();
    }

    private static double ms(Histogram micros, double percentile) {
        return micros.getTotalCount() == 0
                ? Double.NaN
                : (percentile >= 100 ? micros.getMaxValue() : micros.getValueAtPercentile(percentile)) / 1000.0;
    }

    private static String percentiles(Histogram micros) {
        return String.format(
                Locale.ROOT,
                "p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)",
                ms(micros, 50),
                ms(micros, 99),
                ms(micros, 100),
                micros.getTotalCount());
    }

    private static void createTopics(String bootstrapServers, List<String> schemas) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            List<NewTopic> topics = new ArrayList<>();
            schemas.forEach(s -> topics.add(new NewTopic(RelayRun.topicOf(s), PARTITIONS, (short) 1)));
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static String serverSettings(EmbeddedMariaDb db) throws Exception {
        List<String> settings = new ArrayList<>();
        try (Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl("mysql"), db.username(), db.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW GLOBAL VARIABLES WHERE Variable_name IN"
                        + " ('innodb_flush_log_at_trx_commit', 'sync_binlog', 'log_bin', 'innodb_buffer_pool_size',"
                        + " 'innodb_doublewrite', 'transaction_isolation', 'tx_isolation')")) {
            while (rs.next()) {
                settings.add(rs.getString(1) + "=" + rs.getString(2));
            }
        }
        return String.join(", ", settings);
    }
}
