package io.fleetsaga.assignment.reconciliation;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Finds tasks whose counters ({@code assigned_count}, {@code delivered_count}) differ from what their links imply,
 * with the weights the consumer's counter deltas use ({@code OrderLink}: one per link, one more per DELIVERED link).
 *
 * <p><b>No false positives under load.</b> The comparison is <em>one</em> SQL statement, which InnoDB reads from one
 * consistent snapshot, and every writer changes a task's counters and its links in one transaction: the statement
 * sees either all of a change or none of it, so links changing concurrently never show up as a mismatch. A mismatch
 * reported is one that was committed.
 */
@Component
public class CounterCheck {

    /** Most mismatches one check returns (the first, by task id); exactly this many means there may be more. */
    public static final int MAX_RESULTS = 10_000;

    /** Most task ids one check may name. */
    public static final int MAX_TASK_IDS = 10_000;

    private final TaskCounterRows rows;

    CounterCheck(TaskCounterRows rows) {
        this.rows = rows;
    }

    /** The mismatching tasks among all tasks, ascending by task id, at most {@link #MAX_RESULTS}. */
    public List<CounterMismatch> all() {
        return rows.mismatches(List.of(), MAX_RESULTS);
    }

    /** The mismatching tasks among {@code taskIds} (unknown ids are ignored), ascending by task id. */
    public List<CounterMismatch> of(Collection<String> taskIds) {
        if (taskIds.size() > MAX_TASK_IDS) {
            throw new IllegalArgumentException("at most " + MAX_TASK_IDS + " task ids, were " + taskIds.size());
        }
        if (taskIds.isEmpty()) {
            return List.of();
        }
        return rows.mismatches(new LinkedHashSet<>(taskIds), MAX_RESULTS);
    }
}
