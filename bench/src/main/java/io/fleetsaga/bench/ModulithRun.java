package io.fleetsaga.bench;

import io.fleetsaga.infra.EmbeddedMariaDb;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring Modulith's registry with Kafka externalization ({@link ModulithBenchApp}) on its own schema of the same
 * MariaDB, publishing to the same broker: {@code events} {@code OrderStateChanged} events published with {@code
 * ApplicationEventPublisher}, {@code perTransaction} per transaction, timed until every publication of the run is
 * completed in {@code event_publication} (polled every 20 ms).
 */
final class ModulithRun {

    /** What one run measured; latency is the registry's own: publication date → completion date, per event. */
    record Result(
            long events,
            double publishSeconds,
            double seconds,
            Histogram publicationToCompletionMicros,
            double dbCpuSeconds,
            Map<String, Long> handlerReads,
            String sample) {

        double eventsPerSecond() {
            return events / seconds;
        }
    }

    private final EmbeddedMariaDb db;
    private final String bootstrapServers;
    private final Map<String, Object> producerProperties;

    ModulithRun(EmbeddedMariaDb db, String bootstrapServers, Map<String, Object> producerProperties) {
        this.db = db;
        this.bootstrapServers = bootstrapServers;
        this.producerProperties = producerProperties;
    }

    Result run(String schema, long events, int aggregates, int perTransaction, RelayRun relays, Output out)
            throws Exception {
        db.createDatabase(schema);
        long started;
        long published;
        Map<String, Long> readsBefore;
        long dbCpu;
        try (ConfigurableApplicationContext context = ModulithBenchApp.start(properties(schema))) {
            ApplicationEventPublisher publisher = context;
            TransactionTemplate tx = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
            // warm-up on the same schema, not counted: the first externalization connects the producer
            tx.executeWithoutResult(s -> publisher.publishEvent(
                    new ModulithBenchApp.OrderStateChanged(OutboxFill.aggregateId("warm", 0), "t", "ASSIGNED", 1)));
            awaitCompleted(schema, 1, out);
            readsBefore = relays.handlerReads();
            dbCpu = Procfs.cpuTicks(db.pid());
            started = System.nanoTime();
            for (long i = 0; i < events; i += perTransaction) {
                long first = i;
                tx.executeWithoutResult(s -> {
                    for (long n = first; n < Math.min(events, first + perTransaction); n++) {
                        String orderId = OutboxFill.aggregateId("modulith", n % aggregates);
                        publisher.publishEvent(new ModulithBenchApp.OrderStateChanged(
                                orderId, OutboxFill.aggregateId("task", n % 97), "DELIVERING", n / aggregates + 1));
                    }
                });
            }
            published = System.nanoTime();
            awaitCompleted(schema, events + 1, out);
        }
        long done = System.nanoTime();
        Histogram latency = new Histogram(3);
        String sample = null;
        try (Connection c = connection(schema);
                PreparedStatement s = c.prepareStatement(
                        "SELECT TIMESTAMPDIFF(MICROSECOND, publication_date, completion_date), serialized_event,"
                                + " listener_id FROM EVENT_PUBLICATION ORDER BY publication_date");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                latency.recordValue(Math.max(1, rs.getLong(1)));
                sample = rs.getString(3) + " " + rs.getString(2);
            }
        }
        return new Result(
                events,
                (published - started) / 1e9,
                (done - started) / 1e9,
                latency,
                (Procfs.cpuTicks(db.pid()) - dbCpu) / (double) Procfs.TICKS_PER_SECOND,
                delta(readsBefore, relays.handlerReads()),
                sample);
    }

    private Map<String, Object> properties(String schema) throws IOException {
        Map<String, Object> p = new HashMap<>();
        p.put("spring.datasource.url", db.jdbcUrl(schema));
        p.put("spring.datasource.username", db.username());
        p.put("spring.datasource.password", db.password());
        p.put("spring.modulith.events.jdbc.schema-initialization.enabled", "true");
        p.put("spring.modulith.events.externalization.enabled", "true");
        p.put("spring.kafka.bootstrap-servers", bootstrapServers);
        p.put("spring.kafka.producer.key-serializer", "org.apache.kafka.common.serialization.StringSerializer");
        p.put(
                "spring.kafka.producer.value-serializer",
                "org.springframework.kafka.support.serializer.JacksonJsonSerializer");
        producerProperties.forEach((key, value) -> {
            if (!key.endsWith("serializer") && !key.equals("bootstrap.servers")) {
                p.put("spring.kafka.producer.properties[" + key + "]", String.valueOf(value));
            }
        });
        p.put("spring.autoconfigure.exclude", String.join(",", kitAutoConfigurations()));
        p.put("logging.level.org.springframework.modulith", "warn");
        return p;
    }

    /** The kit's auto-configurations: out of the peer's application (it would start a relay and more). */
    private static List<String> kitAutoConfigurations() throws IOException {
        List<String> names = new ArrayList<>();
        for (URL url : Collections.list(ModulithRun.class
                .getClassLoader()
                .getResources("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports"))) {
            try (InputStream in = url.openStream()) {
                new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .map(String::strip)
                        .filter(line -> line.startsWith("io.fleetsaga."))
                        .forEach(names::add);
            }
        }
        return names;
    }

    private void awaitCompleted(String schema, long expected, Output out) throws SQLException, InterruptedException {
        long started = System.nanoTime();
        long lastReport = started;
        while (true) {
            try (Connection c = connection(schema);
                    PreparedStatement s = c.prepareStatement(
                            "SELECT COUNT(*) FROM EVENT_PUBLICATION WHERE completion_date IS NOT NULL");
                    ResultSet rs = s.executeQuery()) {
                rs.next();
                long completed = rs.getLong(1);
                if (completed >= expected) {
                    return;
                }
                if (System.nanoTime() - lastReport > 10_000_000_000L) {
                    lastReport = System.nanoTime();
                    out.line("  … modulith: %,d of %,d completed", completed, expected);
                }
                if (System.nanoTime() - started > 1_800_000_000_000L) {
                    throw new IllegalStateException(
                            "modulith: " + completed + " of " + expected + " completed after 30 min");
                }
            }
            Thread.sleep(20);
        }
    }

    private Connection connection(String schema) throws SQLException {
        return java.sql.DriverManager.getConnection(db.jdbcUrl(schema), db.username(), db.password());
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new HashMap<>();
        after.forEach((key, value) -> delta.put(key, value - before.getOrDefault(key, 0L)));
        return delta;
    }
}
