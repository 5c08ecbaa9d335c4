package io.fleetsaga.chaos;

import io.fleetsaga.infra.FleetStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The harness's own view of the stack, past every proxy: SQL on both schemas and the broker's offsets. Reads only.
 */
final class Probe implements AutoCloseable {

    static final String ORDER_EVENTS = "fleet.order.events";
    static final String ASSIGNMENT_EVENTS = "fleet.assignment.events";
    /** consumer group → the topic it consumes */
    static final Map<String, String> GROUPS =
            Map.of("assignment-service", ORDER_EVENTS, "order-service", ASSIGNMENT_EVENTS);

    private final FleetStack stack;
    private final Admin admin;

    Probe(FleetStack stack) {
        this.stack = stack;
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.directBootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                3000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                5000));
    }

    /** Rows of {@code sql} in {@code schema}; numbers as {@code Long}, everything else as read. */
    List<Map<String, Object>> query(String schema, String sql, Object... params) {
        try (Connection connection = DriverManager.getConnection(
                        stack.directJdbcUrl(schema),
                        stack.database().username(),
                        stack.database().password());
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setQueryTimeout(30);
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int c = 1; c <= columns; c++) {
                        Object value = rs.getObject(c);
                        row.put(
                                rs.getMetaData().getColumnLabel(c),
                                value instanceof Number n ? (Object) n.longValue() : value);
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(schema + ": " + sql, e);
        }
    }

    long count(String schema, String sql, Object... params) {
        Object value = query(schema, sql, params).get(0).values().iterator().next();
        return value == null ? 0 : ((Number) value).longValue();
    }

    int update(String schema, String sql, Object... params) {
        try (Connection connection = DriverManager.getConnection(
                        stack.directJdbcUrl(schema),
                        stack.database().username(),
                        stack.database().password());
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(schema + ": " + sql, e);
        }
    }

    /** Outbox rows not yet sent (PENDING) in {@code schema}. */
    long unsent(String schema) {
        return count(schema, "SELECT COUNT(*) FROM outbox_event WHERE status = 'PENDING'");
    }

    /** Age in milliseconds of the oldest PENDING outbox row of {@code schema}, 0 when none. */
    long oldestUnsentMillis(String schema) {
        return count(
                schema,
                "SELECT COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(created_at), UTC_TIMESTAMP(6)) DIV 1000, 0)"
                        + " FROM outbox_event WHERE status = 'PENDING'");
    }

    /** End offsets of every partition of {@code topic}. */
    Map<TopicPartition, Long> endOffsets(String topic) {
        try {
            var partitions = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(5, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            partitions.forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets =
                    admin.listOffsets(request).all().get(5, TimeUnit.SECONDS);
            Map<TopicPartition, Long> ends = new HashMap<>();
            offsets.forEach((tp, info) -> ends.put(tp, info.offset()));
            return ends;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic, e);
        }
    }

    /** The group's committed offsets (partitions without a commit count as 0). */
    Map<TopicPartition, Long> committed(String group) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(5, TimeUnit.SECONDS);
            Map<TopicPartition, Long> committed = new HashMap<>();
            offsets.forEach((tp, o) -> committed.put(tp, o == null ? 0 : o.offset()));
            return committed;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the offsets of group " + group, e);
        }
    }

    /** Records the group has not consumed yet (committed) of its topic. */
    long lag(String group) {
        Map<TopicPartition, Long> ends = endOffsets(GROUPS.get(group));
        Map<TopicPartition, Long> committed = committed(group);
        long lag = 0;
        for (var e : ends.entrySet()) {
            lag += Math.max(0, e.getValue() - committed.getOrDefault(e.getKey(), 0L));
        }
        return lag;
    }

    /** Whether {@code group} has committed at least {@code targets} on every partition. */
    boolean reached(String group, Map<TopicPartition, Long> targets) {
        Map<TopicPartition, Long> committed = committed(group);
        return targets.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /** Records in every {@code *.DLT} topic. */
    Map<String, Long> deadLetters() {
        try {
            Map<String, Long> counts = new LinkedHashMap<>();
            for (String topic : admin.listTopics().names().get(5, TimeUnit.SECONDS)) {
                if (topic.endsWith(".DLT")) {
                    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
                    Map<TopicPartition, Long> ends = endOffsets(topic);
                    ends.keySet().forEach(tp -> earliest.put(tp, OffsetSpec.earliest()));
                    long start = admin.listOffsets(earliest).all().get(5, TimeUnit.SECONDS).values().stream()
                            .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset)
                            .sum();
                    long end = ends.values().stream().mapToLong(Long::longValue).sum();
                    counts.put(topic, end - start);
                }
            }
            return counts;
        } catch (Exception e) {
            throw new IllegalStateException("cannot count dead letters", e);
        }
    }

    /** Waits until {@code condition} holds, polling every 250 ms; false when {@code timeout} passed first. */
    static boolean await(Duration timeout, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return true;
                }
            } catch (RuntimeException e) {
                // a probe failed (the broker or the database is down): not yet
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(250); // polling interval of a bounded wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
