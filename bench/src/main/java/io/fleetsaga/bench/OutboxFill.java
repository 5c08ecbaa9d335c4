package io.fleetsaga.bench;

import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.infra.EmbeddedMariaDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.flywaydb.core.Flyway;

/**
 * A schema with the kit's outbox table, made by the kit's own Flyway migrations ({@code classpath:db/kit}, as the
 * services apply them), and rows written into it fast: JDBC batches that Connector/J rewrites into multi-row INSERTs
 * ({@code rewriteBatchedStatements}), committed every 10,000 rows. Not measured.
 *
 * <p>The rows look like order-service's: {@code OrderStateChanged} of aggregate type {@code FleetOrder}, a JSON
 * payload of the real event's fields, a W3C traceparent (the services trace), one topic.
 */
final class OutboxFill {

    static final String EVENT_TYPE = "OrderStateChanged";
    static final String AGGREGATE_TYPE = "FleetOrder";
    private static final String[] STATUSES = {"ASSIGNED", "DELIVERING", "DELIVERED", "ON_HOLD"};
    private static final int BATCH = 1000;
    private static final int COMMIT_EVERY = 10_000;

    private final EmbeddedMariaDb db;
    private final String schema;

    OutboxFill(EmbeddedMariaDb db, String schema) {
        this.db = db;
        this.schema = schema;
    }

    /** Creates the schema and applies the kit's migrations; returns the version Flyway reached. */
    String migrate() {
        db.createDatabase(schema);
        Flyway flyway = Flyway.configure()
                .dataSource(db.jdbcUrl(schema), db.username(), db.password())
                .locations("classpath:db/kit")
                .load();
        flyway.migrate();
        return flyway.info().current().getVersion().getVersion();
    }

    /** The aggregate id of aggregate number {@code n}: a UUID-like order id, as order-service's ids are. */
    static String aggregateId(String prefix, long n) {
        return new UUID(prefix.hashCode(), n).toString();
    }

    /** A realistic envelope of event number {@code version} of an order (payload: the real event's fields). */
    static EventEnvelope envelope(String aggregateId, long version) {
        String payload = "{\"orderId\":\"" + aggregateId + "\",\"taskId\":\"" + new UUID(7, version % 97)
                + "\",\"status\":\"" + STATUSES[(int) (version % STATUSES.length)] + "\",\"version\":" + version
                + "}";
        String traceparent = "00-" + UUID.randomUUID().toString().replace("-", "") + "-"
                + Long.toHexString(Double.doubleToLongBits(Math.random()) | 1L << 60) + "-01";
        return new EventEnvelope(
                UUID.randomUUID(),
                EVENT_TYPE,
                AGGREGATE_TYPE,
                aggregateId,
                version,
                Instant.now(),
                traceparent,
                payload);
    }

    /** The size in bytes of the Kafka record value the relay sends for a typical row (the encoded envelope). */
    static int encodedSize(EnvelopeCodec codec) {
        return codec.encode(envelope(aggregateId("size", 1), 3))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)
                .length;
    }

    /**
     * Appends {@code rows} rows spread round-robin over {@code aggregates} aggregates (row i is event number i /
     * aggregates + 1 of aggregate i % aggregates, so every aggregate's events are spread over the table, in order).
     *
     * @param sent whether the rows are already SENT (history behind a backlog) or PENDING and due
     * @return the number of rows written
     */
    long append(String topic, String aggregatePrefix, long rows, int aggregates, boolean sent) throws SQLException {
        String sql = "INSERT INTO outbox_event (event_id, topic, aggregate_type, aggregate_id, aggregate_version,"
                + " event_type, occurred_at, traceparent, payload, status, attempts, created_at, next_attempt_at,"
                + " sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        Timestamp now = Timestamp.valueOf(LocalDateTime.now(ZoneOffset.UTC).minusSeconds(1));
        try (Connection connection = java.sql.DriverManager.getConnection(
                        db.jdbcUrl(schema) + "&rewriteBatchedStatements=true", db.username(), db.password());
                PreparedStatement insert = connection.prepareStatement(sql)) {
            connection.setAutoCommit(false);
            for (long i = 0; i < rows; i++) {
                String aggregateId = aggregateId(aggregatePrefix, i % aggregates);
                long version = i / aggregates + 1;
                EventEnvelope envelope = envelope(aggregateId, version);
                insert.setString(1, envelope.eventId().toString());
                insert.setString(2, topic);
                insert.setString(3, AGGREGATE_TYPE);
                insert.setString(4, aggregateId);
                insert.setLong(5, version);
                insert.setString(6, EVENT_TYPE);
                insert.setTimestamp(7, now);
                insert.setString(8, envelope.traceparent());
                insert.setString(9, envelope.payload());
                insert.setString(10, sent ? "SENT" : "PENDING");
                insert.setInt(11, sent ? 1 : 0);
                insert.setTimestamp(12, now);
                insert.setTimestamp(13, now);
                insert.setTimestamp(14, sent ? now : null);
                insert.addBatch();
                if ((i + 1) % BATCH == 0) {
                    insert.executeBatch();
                }
                if ((i + 1) % COMMIT_EVERY == 0) {
                    connection.commit();
                }
            }
            insert.executeBatch();
            connection.commit();
        }
        return rows;
    }
}
