package io.fleetsaga.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.outbox.JdbcOutboxStore;
import io.fleetsaga.common.outbox.OutboxLane;
import io.fleetsaga.common.outbox.OutboxListener;
import io.fleetsaga.common.outbox.OutboxPublisher;
import io.fleetsaga.common.outbox.OutboxRecord;
import io.fleetsaga.common.outbox.OutboxRelay;
import io.fleetsaga.common.outbox.OutboxSettings;
import io.fleetsaga.common.outbox.PublishFailure;
import io.fleetsaga.common.outbox.http.WebhookTopics;
import io.fleetsaga.common.outbox.kafka.KafkaOutboxPublisher;
import io.fleetsaga.common.outbox.kafka.OutboxProducerConfig;
import io.fleetsaga.infra.EmbeddedMariaDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The kit's relay, wired as {@code ReliabilityKitAutoConfiguration} wires it in the services — {@link
 * JdbcOutboxStore} on a Hikari pool with the services' session settings, {@link KafkaOutboxPublisher} on a producer
 * made by {@link OutboxProducerConfig}, {@link OutboxSettings} bound with the kit's defaults, the services' Kafka
 * lane (every topic but {@code webhook:*}) — draining one schema's outbox with its own loop ({@link
 * OutboxRelay#drain()}) until every row is SENT.
 *
 * <p>Measured around it, without changing it: a decorator of the publisher (send → broker acknowledgement per
 * record), the listener (a batch is marked SENT), {@link ClaimProbe} (the claim query's time, SQL and parameters),
 * the server's {@code Handler_read%} counters and the CPU of the database, the broker and this JVM.
 */
final class RelayRun {

    /** What one drain measured. */
    record Result(
            String name,
            long events,
            double seconds,
            Histogram sendToAckMicros,
            Histogram batchMicros,
            Histogram claimMicros,
            long drainCalls,
            Map<String, Long> handlerReads,
            double dbCpuSeconds,
            double brokerCpuSeconds,
            double benchCpuSeconds,
            String claimSql,
            List<Object> claimParameters) {

        double eventsPerSecond() {
            return events / seconds;
        }

        long handlerReadsTotal() {
            return handlerReads.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final EmbeddedMariaDb db;
    private final long dbPid;
    private final long brokerPid;
    private final String bootstrapServers;
    private final Map<String, String> outboxProperties;

    RelayRun(EmbeddedMariaDb db, long brokerPid, String bootstrapServers, Map<String, String> outboxProperties) {
        this.db = db;
        this.dbPid = db.pid();
        this.brokerPid = brokerPid;
        this.bootstrapServers = bootstrapServers;
        this.outboxProperties = outboxProperties;
    }

    /**
     * The Kafka lane's settings as the services wire them: the kit's defaults, overridden only by {@code
     * outboxProperties} (e.g. {@code kafka.batch-size}), with the lane's batch size.
     */
    OutboxSettings settings() {
        Map<String, String> source = new LinkedHashMap<>();
        outboxProperties.forEach((key, value) -> source.put("fleetsaga.outbox." + key, value));
        OutboxSettings settings = new Binder(new MapConfigurationPropertySource(source))
                .bindOrCreate("fleetsaga.outbox", OutboxSettings.class);
        return settings.withBatchSize(settings.kafka().batchSize());
    }

    /** The relay's producer properties ({@link OutboxProducerConfig}, over the bootstrap servers only). */
    Map<String, Object> producerProperties(String clientId) {
        OutboxSettings settings = settings();
        return OutboxProducerConfig.enforce(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ProducerConfig.CLIENT_ID_CONFIG,
                        clientId),
                settings.kafka().maxBlock(),
                settings.kafka().deliveryTimeout());
    }

    HikariDataSource pool(String schema, String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl(schema));
        config.setUsername(db.username());
        config.setPassword(db.password());
        config.setPoolName(name);
        // as in the services' application.yml
        config.setConnectionTimeout(3000);
        config.setValidationTimeout(1000);
        config.setMaxLifetime(1_800_000);
        config.setKeepaliveTime(30_000);
        config.setConnectionInitSql("SET SESSION innodb_lock_wait_timeout = 5, SESSION wait_timeout = 60");
        config.addDataSourceProperty("connectTimeout", "3000");
        config.addDataSourceProperty("socketTimeout", "60000");
        config.addDataSourceProperty("cachePrepStmts", "true");
        config.addDataSourceProperty("prepStmtCacheSize", "250");
        config.addDataSourceProperty("prepStmtCacheSqlLimit", "2048");
        return new HikariDataSource(config);
    }

    /**
     * Drains every pending row of {@code schema} with the kit's relay and returns what it measured.
     *
     * @param expected the number of pending rows; the drain ends when that many are SENT
     */
    Result drain(String name, String schema, long expected, Output out) throws SQLException {
        try (HikariDataSource pool = pool(schema, "relay-" + name)) {
            ClaimProbe probe = new ClaimProbe(pool);
            DataSource dataSource = probe.dataSource();
            JdbcOutboxStore store = new JdbcOutboxStore(dataSource, new DataSourceTransactionManager(dataSource));
            DefaultKafkaProducerFactory<String, String> producers = new DefaultKafkaProducerFactory<>(
                    producerProperties("relay-bench-" + name), new StringSerializer(), new StringSerializer());
            try {
                KafkaTemplate<String, String> template = new KafkaTemplate<>(producers);
                Histogram sendToAck = new ConcurrentHistogram(3);
                Histogram batch = new ConcurrentHistogram(3);
                AtomicBoolean batchOpen = new AtomicBoolean();
                TimingPublisher publisher = new TimingPublisher(
                        new KafkaOutboxPublisher(template, new EnvelopeCodec()), sendToAck, batchOpen);
                OutboxListener listener = new OutboxListener() {
                    @Override
                    public void published(OutboxRecord record) {
                        // the first row of a batch is reported right after the batch's markSent
                        if (batchOpen.compareAndSet(true, false)) {
                            batch.recordValue(Math.max(1, (System.nanoTime() - probe.lastClaimStartNanos()) / 1000));
                        }
                    }
                };
                OutboxRelay relay = new OutboxRelay(
                        store, publisher, settings(), listener, OutboxLane.excluding("kafka", WebhookTopics.PREFIX));
                // the producer connects and fetches metadata before the clock starts, as in a running service
                template.partitionsFor(topicOf(schema));

                Map<String, Long> readsBefore = handlerReads();
                long dbCpu = Procfs.cpuTicks(dbPid);
                long brokerCpu = Procfs.cpuTicks(brokerPid);
                long benchCpu = Procfs.cpuTicks(ProcessHandle.current().pid());
                long started = System.nanoTime();
                long drainCalls = 0;
                long sent = 0;
                long lastReport = started;
                long lastProgress = started;
                while (sent < expected) {
                    int drained = relay.drain();
                    drainCalls++;
                    sent += drained;
                    if (drained > 0) {
                        lastProgress = System.nanoTime();
                    } else if (System.nanoTime() - lastProgress > 60_000_000_000L) {
                        throw new IllegalStateException(
                                name + ": no row claimed for 60 s, " + countSent(pool) + " of " + expected + " SENT");
                    }
                    if (System.nanoTime() - lastReport > 10_000_000_000L) {
                        lastReport = System.nanoTime();
                        out.line(
                                "  … %s: %,d of %,d rows claimed after %.1f s",
                                name, sent, expected, (lastReport - started) / 1e9);
                    }
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                Map<String, Long> reads = delta(readsBefore, handlerReads());
                long actuallySent = countSent(pool);
                if (actuallySent < expected) {
                    throw new IllegalStateException(
                            name + ": " + actuallySent + " rows SENT, " + expected + " expected");
                }
                printTableSize(pool, out, name);
                return new Result(
                        name,
                        expected,
                        seconds,
                        sendToAck,
                        batch,
                        probe.claimMicros(),
                        drainCalls,
                        reads,
                        (Procfs.cpuTicks(dbPid) - dbCpu) / (double) Procfs.TICKS_PER_SECOND,
                        (Procfs.cpuTicks(brokerPid) - brokerCpu) / (double) Procfs.TICKS_PER_SECOND,
                        (Procfs.cpuTicks(ProcessHandle.current().pid()) - benchCpu) / (double) Procfs.TICKS_PER_SECOND,
                        probe.sql(),
                        probe.parameters());
            } finally {
                producers.destroy();
            }
        }
    }

    /** Every schema of this benchmark publishes to the topic of the same name. */
    static String topicOf(String schema) {
        return "bench." + schema;
    }

    /**
     * Bytes per outbox row on disk after the drain (SENT rows, as the retention keeps them), from InnoDB's statistics
     * refreshed by {@code ANALYZE TABLE}: data (clustered index) and secondary indexes, for docs/capacity.md.
     */
    private static void printTableSize(DataSource pool, Output out, String name) throws SQLException {
        try (Connection c = pool.getConnection()) {
            try (PreparedStatement analyze = c.prepareStatement("ANALYZE TABLE outbox_event")) {
                analyze.execute();
            }
            try (PreparedStatement s = c.prepareStatement("SELECT (SELECT COUNT(*) FROM outbox_event), data_length,"
                            + " index_length FROM information_schema.tables WHERE table_schema = DATABASE()"
                            + " AND table_name = 'outbox_event'");
                    ResultSet rs = s.executeQuery()) {
                rs.next();
                long rows = rs.getLong(1);
                out.line(
                        "  %s: outbox_event %,d rows, data %,d bytes (%.0f per row), indexes %,d bytes (%.0f per row)",
                        name,
                        rows,
                        rs.getLong(2),
                        rs.getLong(2) / (double) rows,
                        rs.getLong(3),
                        rs.getLong(3) / (double) rows);
            }
        }
    }

    private static long countSent(DataSource pool) throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM outbox_event WHERE status = 'SENT'");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The server's {@code Handler_read%} counters: rows and index entries the storage engine read. Global, not
     * session: the relay uses several pooled connections; nothing else uses this server while it drains.
     */
    Map<String, Long> handlerReads() throws SQLException {
        Map<String, Long> reads = new LinkedHashMap<>();
        try (Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl("mysql"), db.username(), db.password());
                PreparedStatement s = c.prepareStatement("SHOW GLOBAL STATUS LIKE 'Handler_read%'");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                reads.put(rs.getString(1), rs.getLong(2));
            }
        }
        return reads;
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new LinkedHashMap<>();
        after.forEach((key, value) -> delta.put(key, value - before.getOrDefault(key, 0L)));
        return delta;
    }

    /**
     * {@code EXPLAIN} and {@code ANALYZE} (which runs it: real rows read per table, {@code r_rows}) of the claim
     * query as the code sent it, with its parameters, on the schema's current data; in an autocommit statement, so
     * its locks are released at once.
     */
    List<String> explain(String schema, String claimSql, List<Object> parameters) {
        List<String> lines = new ArrayList<>();
        lines.add("claim SQL: " + claimSql.replaceAll("\\s+", " "));
        lines.add("parameters: " + parameters);
        for (String verb : List.of("EXPLAIN ", "ANALYZE ")) {
            try (Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(schema), db.username(), db.password());
                    PreparedStatement s = c.prepareStatement(verb + claimSql)) {
                for (int i = 0; i < parameters.size(); i++) {
                    s.setObject(i + 1, parameters.get(i));
                }
                try (ResultSet rs = s.executeQuery()) {
                    ResultSetMetaData meta = rs.getMetaData();
                    StringBuilder header = new StringBuilder(verb.strip() + ":");
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        header.append(" | ").append(meta.getColumnLabel(i));
                    }
                    lines.add(header.toString());
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder("  ");
                        for (int i = 1; i <= meta.getColumnCount(); i++) {
                            row.append(" | ").append(rs.getString(i));
                        }
                        lines.add(row.toString());
                    }
                }
            } catch (SQLException e) {
                lines.add(verb.strip() + " failed: " + e.getMessage());
            }
        }
        return lines;
    }

    /** The kit's Kafka publisher, timing each record from send to the broker's acknowledgement. */
    private static final class TimingPublisher implements OutboxPublisher {
        private final OutboxPublisher delegate;
        private final Histogram sendToAckMicros;
        private final AtomicBoolean batchOpen;

        TimingPublisher(OutboxPublisher delegate, Histogram sendToAckMicros, AtomicBoolean batchOpen) {
            this.delegate = delegate;
            this.sendToAckMicros = sendToAckMicros;
            this.batchOpen = batchOpen;
        }

        @Override
        public CompletableFuture<?> publish(OutboxRecord record) {
            batchOpen.set(true);
            long started = System.nanoTime();
            CompletableFuture<?> sent = delegate.publish(record);
            sent.whenComplete((ok, failure) -> {
                if (failure == null) {
                    sendToAckMicros.recordValue(Math.max(1, (System.nanoTime() - started) / 1000));
                }
            });
            return sent;
        }

        @Override
        public PublishFailure classify(OutboxRecord record, Throwable failure) {
            return delegate.classify(record, failure);
        }
    }
}
