package io.fleetsaga.assignment.task;

import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies order state published by order-service to links and task counters.
 *
 * <p><b>Guarantees.</b> A state is applied only if its version is newer than the one held for the order
 * ({@code order_mirror}), so redelivered and reordered states change nothing and every order converges to
 * its newest state. The counter deltas are derived from the link as it was before and as the state implies
 * it, read under row locks in the same transaction, and applied with atomic increments: concurrent states of
 * different orders on one task never conflict, they queue on the task row.
 */
@Service
public class OrderStateProjection {

    /** What applying a state did. */
    public enum Outcome {
        /** The state was newer and is now reflected in the link and counters. */
        APPLIED,
        /** The state names a task unknown here: recorded in the mirror, but not linked. */
        APPLIED_TASK_UNKNOWN,
        /** A state at least as new was applied before; nothing changed. */
        STALE
    }

    /**
     * What applying a state did, and the tasks the order left or joined by it (for the couriers' notifications).
     */
    public record Result(Outcome outcome, List<TaskMembershipChange> membershipChanges) {

        public Result {
            membershipChanges = List.copyOf(membershipChanges);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(OrderStateProjection.class);

    private final OrderMirror mirror;
    private final LinkRepository links;
    private final LinkWriter writer;
    private final TransactionTemplate callersTransaction;

    OrderStateProjection(
            OrderMirror mirror, LinkRepository links, LinkWriter writer, PlatformTransactionManager transactions) {
        this.mirror = mirror;
        this.links = links;
        this.writer = writer;
        this.callersTransaction = new TransactionTemplate(transactions);
        this.callersTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_MANDATORY);
    }

    /**
     * Applies {@code state} if it is newer than the one held.
     *
     * <p>Runs in the caller's transaction — the inbox's, so that the processed-message record and this effect
     * commit together — and refuses to run without one ({@link
     * org.springframework.transaction.IllegalTransactionStateException}).
     */
    public Result apply(OrderState state) {
        return callersTransaction.execute(tx -> applyNewer(state));
    }

    private Result applyNewer(OrderState state) {
        Optional<OrderState> held = mirror.lock(state.orderId());
        if (held.isPresent() && held.get().version() >= state.version()) {
            return new Result(Outcome.STALE, List.of());
        }
        LinkChange change = LinkChange.of(links.lock(state.orderId()), state);
        LinkChange applied = writer.apply(change);
        mirror.save(state, held.isPresent());
        List<TaskMembershipChange> memberships = writer.membershipChanges(applied, state);
        if (!applied.equals(change)) {
            log.warn(
                    "order {} is {} on task {} (version {}), a task this service does not know: not linked",
                    state.orderId(),
                    state.status(),
                    state.taskId(),
                    state.version());
            return new Result(Outcome.APPLIED_TASK_UNKNOWN, memberships);
        }
        return new Result(Outcome.APPLIED, memberships);
    }
}
