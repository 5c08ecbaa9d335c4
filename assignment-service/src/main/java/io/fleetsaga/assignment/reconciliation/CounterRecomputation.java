package io.fleetsaga.assignment.reconciliation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sets tasks' counters to what their links imply — the repair of a counter mismatch ({@link CounterCheck}).
 *
 * <p><b>Race-free.</b> Each task is recomputed in its own transaction that first locks the task row
 * ({@code SELECT … FOR UPDATE}), then counts the task's links, then sets the counters. Every writer that changes
 * what a task's links add up to — linking, releasing, moving an order, or an order becoming or ceasing to be
 * DELIVERED — increments the task's counters first (the atomic increment takes the row lock) and writes the link
 * in the same transaction, holding the lock until it commits. So while the recompute holds the lock, no change of
 * this task's counted links is in flight and none can start: the links it counts (as committed, READ COMMITTED)
 * are exactly the ones the counters must match, and a writer waiting for the lock applies its delta to the
 * recomputed counters afterwards. A link update that keeps its weight (ASSIGNED to DELIVERING) needs no lock and
 * changes no count.
 *
 * <p>This is the only write of counters that is not an atomic increment, and it writes only under that lock.
 * Recomputing is idempotent: a repeated or interrupted call can simply be made again.
 *
 * <p><b>Fenced.</b> The caller is order-service's reconciliation run, singleton work under a lease. Each task's
 * transaction first passes the caller's {@link Fence} ({@link FencingTokens#pass}), so a run whose lease was taken
 * over is refused from the first task after its successor was seen, and changes nothing more.
 */
@Component
public class CounterRecomputation {

    /** Most task ids one call may name. */
    public static final int MAX_TASK_IDS = 1000;

    private static final Logger log = LoggerFactory.getLogger(CounterRecomputation.class);

    private final TaskCounterRows rows;
    private final FencingTokens fencing;
    private final TransactionTemplate perTask;

    CounterRecomputation(TaskCounterRows rows, FencingTokens fencing, PlatformTransactionManager transactions) {
        this.rows = rows;
        this.fencing = fencing;
        this.perTask = new TransactionTemplate(transactions);
        this.perTask.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        // the count must see what is committed once the lock is held, not a snapshot taken earlier
        this.perTask.setIsolationLevel(TransactionDefinition.ISOLATION_READ_COMMITTED);
    }

    /**
     * Recomputes the counters of each distinct task in {@code taskIds}, one transaction per task, in the given
     * order, each after passing {@code fence}. A task that does not exist is reported as not found.
     *
     * @throws StaleFencingTokenException when {@code fence}'s token is older than one seen for its lease (before
     *     or during the call); tasks before the refused one have been recomputed
     * @throws org.springframework.dao.TransientDataAccessException when a task row stays locked longer than the
     *     lock wait timeout; tasks before it have been recomputed, the call can be repeated
     */
    public List<CounterRecount> recompute(Collection<String> taskIds, Fence fence) {
        if (taskIds.size() > MAX_TASK_IDS) {
            throw new IllegalArgumentException("at most " + MAX_TASK_IDS + " task ids, were " + taskIds.size());
        }
        List<CounterRecount> results = new ArrayList<>();
        for (String taskId : new LinkedHashSet<>(taskIds)) {
            results.add(perTask.execute(tx -> {
                fencing.pass(fence);
                return recompute(taskId);
            }));
        }
        return results;
    }

    private CounterRecount recompute(String taskId) {
        return rows.lockCounters(taskId)
                .map(before -> {
                    int[] after = rows.impliedByLinks(taskId);
                    CounterRecount recount = new CounterRecount(taskId, true, before[0], before[1], after[0], after[1]);
                    if (recount.changed()) {
                        rows.setCounters(taskId, after[0], after[1]);
                        log.warn(
                                "task {}: counters recomputed from its links, assigned {} -> {}, delivered {} -> {}",
                                taskId,
                                before[0],
                                after[0],
                                before[1],
                                after[1]);
                    }
                    return recount;
                })
                .orElseGet(() -> CounterRecount.notFound(taskId));
    }
}
