package io.fleetsaga.order.reconciliation;

import java.util.Map;
import java.util.Set;

/**
 * Positions in the event log, one per partition: where each partition ended at some moment, or up to where a
 * consumer has applied it (its committed offset: every record before it is applied, the position is the next one to
 * read). A partition not named has position 0.
 */
public record LogPositions(Map<LogPartition, Long> offsets) {

    public LogPositions {
        offsets = Map.copyOf(offsets);
    }

    static LogPositions none() {
        return new LogPositions(Map.of());
    }

    long of(LogPartition partition) {
        return offsets.getOrDefault(partition, 0L);
    }

    /** The number of partitions of {@code topic} named here. */
    public int partitionCount(String topic) {
        return (int)
                offsets.keySet().stream().filter(p -> p.topic().equals(topic)).count();
    }

    /** Whether these positions are at or past {@code mark} in every one of {@code partitions}. */
    boolean reached(LogPositions mark, Set<LogPartition> partitions) {
        return partitions.stream().allMatch(p -> of(p) >= mark.of(p));
    }
}
