package io.fleetsaga.order.reconciliation;

import io.fleetsaga.common.lease.Lease;
import java.util.Collection;
import java.util.List;

/**
 * assignment-service's side of the comparison (its links and task counters), read through its internal
 * reconciliation API with the service identity. Read-only, except {@link #recompute}, which asks assignment-service
 * to recompute task counters from its own links (it writes its own tables).
 */
public interface AssignmentFacts extends FactSource {

    /** A task whose counters disagree with its links. */
    record CounterMismatch(
            String taskId, long assignedCount, long expectedAssigned, long deliveredCount, long expectedDelivered) {

        String expected() {
            return "assigned=" + expectedAssigned + ", delivered=" + expectedDelivered;
        }

        String actual() {
            return "assigned=" + assignedCount + ", delivered=" + deliveredCount;
        }
    }

    /**
     * What a counter recompute did to one task ({@code found == false}: no such task, and assignment-service sends
     * nothing else — hence every field but the id is boxed: Jackson 3 refuses an absent primitive).
     */
    record Recomputed(
            String taskId,
            Boolean found,
            Long assignedBefore,
            Long deliveredBefore,
            Long assignedAfter,
            Long deliveredAfter,
            Boolean changed) {}

    /** Tasks whose counters disagree with their links; {@code taskIds == null} checks every task. */
    List<CounterMismatch> counterCheck(Collection<String> taskIds);

    /**
     * Has assignment-service recompute the counters of {@code taskIds} (at most 1000) from their links, fenced by
     * {@code lease}'s fencing token.
     *
     * @throws io.fleetsaga.common.lease.LeaseLostException when assignment-service has seen a newer token of the
     *     lease (another instance took it over); tasks before the refused one may have been recomputed
     */
    List<Recomputed> recompute(Collection<String> taskIds, Lease lease);

    /**
     * Up to where assignment-service's consumer of order-service's events has applied them: its consumer group's
     * committed offsets, per partition. It commits a record's offset only after the record's effect committed, so
     * every event below a position is reflected in the links read after this call.
     */
    LogPositions applied();

    /** assignment-service could not be read; the run fails and the next one tries again. */
    final class AssignmentServiceException extends RuntimeException {

        public AssignmentServiceException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
