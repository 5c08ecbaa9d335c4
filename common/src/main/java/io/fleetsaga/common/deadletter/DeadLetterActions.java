package io.fleetsaga.common.deadletter;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * The table {@code dead_letter_action}: what ops did with each dead letter. Every method is one statement in its
 * own (auto-commit) transaction; times come from the database clock.
 */
final class DeadLetterActions {

    enum Action {
        REPLAYING,
        REPLAYED,
        DISCARDED
    }

    /** What was done with one dead letter; {@code replayedTo} is {@code topic-partition@offset} of the copy. */
    record Handling(Action action, Instant at, int replays, String replayedTo) {}

    private static final RowMapper<Handling> HANDLING = (rs, i) -> new Handling(
            Action.valueOf(rs.getString("action")),
            rs.getTimestamp("acted_at").toLocalDateTime().toInstant(ZoneOffset.UTC),
            rs.getInt("replays"),
            rs.getString("replayed_to"));

    private final JdbcTemplate jdbc;

    DeadLetterActions(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /** Records {@code action} for a dead letter nobody acted on yet; false when it has a row already. */
    boolean claim(DeadLetterAddress letter, Action action) {
        try {
            jdbc.update(
                    "INSERT INTO dead_letter_action (topic, kafka_partition, kafka_offset, action, acted_at)"
                            + " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))",
                    letter.topic(),
                    letter.partition(),
                    letter.offset(),
                    action.name());
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    /**
     * Claims a dead letter that was replayed or discarded before for another replay — or whose replay was claimed
     * longer than {@code abandonedAfter} ago and never finished (the instance died while publishing); false while a
     * replay is running or another caller reclaimed it first.
     */
    boolean reclaim(DeadLetterAddress letter, Action from, Duration abandonedAfter) {
        return jdbc.update(
                        "UPDATE dead_letter_action SET action = 'REPLAYING', acted_at = UTC_TIMESTAMP(6)"
                                + " WHERE topic = ? AND kafka_partition = ? AND kafka_offset = ? AND action = ?"
                                + " AND (action <> 'REPLAYING'"
                                + " OR acted_at < UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND)",
                        letter.topic(),
                        letter.partition(),
                        letter.offset(),
                        from.name(),
                        abandonedAfter.toNanos() / 1000)
                == 1;
    }

    void replayed(DeadLetterAddress letter, String to) {
        jdbc.update(
                "UPDATE dead_letter_action SET action = 'REPLAYED', acted_at = UTC_TIMESTAMP(6),"
                        + " replays = replays + 1, replayed_to = ?"
                        + " WHERE topic = ? AND kafka_partition = ? AND kafka_offset = ?",
                to,
                letter.topic(),
                letter.partition(),
                letter.offset());
    }

    /** Gives a claim back after a failed replay: the row goes (first replay) or returns to what it was. */
    void release(DeadLetterAddress letter, Optional<Action> previous) {
        if (previous.isEmpty()) {
            jdbc.update(
                    "DELETE FROM dead_letter_action WHERE topic = ? AND kafka_partition = ? AND kafka_offset = ?"
                            + " AND action = 'REPLAYING'",
                    letter.topic(),
                    letter.partition(),
                    letter.offset());
        } else {
            jdbc.update(
                    "UPDATE dead_letter_action SET action = ? WHERE topic = ? AND kafka_partition = ?"
                            + " AND kafka_offset = ? AND action = 'REPLAYING'",
                    previous.get().name(),
                    letter.topic(),
                    letter.partition(),
                    letter.offset());
        }
    }

    Optional<Handling> find(DeadLetterAddress letter) {
        return jdbc
                .query(
                        "SELECT action, acted_at, replays, replayed_to FROM dead_letter_action"
                                + " WHERE topic = ? AND kafka_partition = ? AND kafka_offset = ?",
                        HANDLING,
                        letter.topic(),
                        letter.partition(),
                        letter.offset())
                .stream()
                .findFirst();
    }

    /** What was done with the dead letters of one partition in {@code [from, to)}, by offset. */
    Map<Long, Handling> inRange(String topic, int partition, long from, long to) {
        Map<Long, Handling> found = new HashMap<>();
        jdbc.query(
                "SELECT kafka_offset, action, acted_at, replays, replayed_to FROM dead_letter_action"
                        + " WHERE topic = ? AND kafka_partition = ? AND kafka_offset >= ? AND kafka_offset < ?",
                rs -> {
                    found.put(rs.getLong("kafka_offset"), HANDLING.mapRow(rs, 0));
                },
                topic,
                partition,
                from,
                to);
        return found;
    }

    /**
     * How many dead letters of one partition in {@code [from, to)} were replayed or discarded (a replay that is
     * running, or was abandoned, still counts as pending).
     */
    long countInRange(String topic, int partition, long from, long to) {
        Long count = jdbc.queryForObject(
                "SELECT COUNT(*) FROM dead_letter_action WHERE topic = ? AND kafka_partition = ?"
                        + " AND kafka_offset >= ? AND kafka_offset < ? AND action IN ('REPLAYED', 'DISCARDED')",
                Long.class,
                topic,
                partition,
                from,
                to);
        return count == null ? 0 : count;
    }
}
