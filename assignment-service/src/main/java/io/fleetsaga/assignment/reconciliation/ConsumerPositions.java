package io.fleetsaga.assignment.reconciliation;

import java.util.List;

/**
 * Up to where this service's consumer of order-service's events has applied them: the committed offsets of its
 * consumer group, per partition of {@code fleet.order.events}. The listener commits a record's offset only after the
 * record's transaction (inbox row and effect) committed, so every event below a position is reflected in the links
 * read after it — order-service's reconciliation compares them with the log's end to tell events in flight from drift.
 */
public interface ConsumerPositions {

    /** One partition's committed position: the offset of the next record to apply. */
    record Position(String topic, int partition, long offset) {}

    /** The consumer group the positions are of. */
    String group();

    /**
     * The group's committed positions in {@code fleet.order.events} (partitions without a commit are left out).
     *
     * @throws PositionsUnavailableException when the broker does not answer in time
     */
    List<Position> committed();

    /** The broker could not be asked. */
    final class PositionsUnavailableException extends RuntimeException {

        public PositionsUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
