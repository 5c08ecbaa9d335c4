package io.fleetsaga.assignment.task;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The real-time overview of a task: the task row and its links, read from one consistent snapshot, so the
 * counters and the listed orders belong together.
 *
 * @param task the task with its counters
 * @param links the orders on the task, ordered by order id
 */
public record TaskOverview(AssignmentTask task, List<OrderLink> links) {

    public TaskOverview {
        links = List.copyOf(links);
    }

    /** Number of linked orders per mirrored status, every linkable status present (zero if none). */
    public Map<OrderStatus, Integer> countsByStatus() {
        Map<OrderStatus, Integer> counts = new EnumMap<>(OrderStatus.class);
        OrderStatus.linkable().forEach(status -> counts.put(status, 0));
        links.forEach(link -> counts.merge(link.status(), 1, Integer::sum));
        return Collections.unmodifiableMap(counts);
    }
}
