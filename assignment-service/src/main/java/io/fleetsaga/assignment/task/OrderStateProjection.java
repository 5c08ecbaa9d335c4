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
 *
 * <p><b>Repair.</b> {@link #repair} applies a state <em>authoritatively</em>, whatever version is held: it is
 * what order-service publishes ({@code OrderStateRepair}) when reconciliation found this service's view of the order
 * wrong — a lost or deleted link, a mirror with a corrupt version. It is safe to apply regardless of the version
 * because order-service, the truth, publishes it through its outbox in order with the order's other events (same
 * Kafka key): no newer state of the order can be ahead of it, and any newer one comes after it and is applied
 * normally. Its counter deltas are derived from the link as it is (not as it should have been), so a counter that
 * had drifted stays drifted by the same amount; reconciliation recomputes counters separately.
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
        STALE,
        /** A repair state was applied authoritatively (whatever the version held) to the link and the mirror. */
        REPAIRED,
        /** A repair state names a task unknown here: recorded in the mirror, but not linked. */
        REPAIRED_TASK_UNKNOWN
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

    /**
     * Applies {@code state} whatever version is held for the order — also an equal or lower one: the link becomes
     * what the state implies ({@link LinkChange}, deltas applied with atomic increments as always), the mirror
     * becomes the state, and the tasks the order left or joined are returned for the couriers' notifications.
     *
     * <p>Only for {@code OrderStateRepair}, which order-service publishes in order with the order's other events
     * (see the class comment). Runs in the caller's transaction — the inbox's, so that a redelivered repair is
     * skipped — and refuses to run without one.
     */
    public Result repair(OrderState state) {
        return callersTransaction.execute(tx -> applyAuthoritatively(state));
    }

    private Result applyNewer(OrderState state) {
        Optional<OrderState> held = mirror.lock(state.orderId());
        if (held.isPresent() && held.get().version() >= state.version()) {
            return new Result(Outcome.STALE, List.of());
        }
        return write(state, held, links.lock(state.orderId()), Outcome.APPLIED, Outcome.APPLIED_TASK_UNKNOWN);
    }

    private Result applyAuthoritatively(OrderState state) {
        Optional<OrderState> held = mirror.lock(state.orderId());
        Optional<OrderLink> before = links.lock(state.orderId());
        log.info(
                "repairing order {}: mirror {}, link {} -> {} on task {} (version {})",
                state.orderId(),
                held.map(h -> h.status() + "@" + h.version()).orElse("none"),
                before.map(l -> l.taskId() + "/" + l.status() + "@" + l.orderVersion())
                        .orElse("none"),
                state.status(),
                state.taskId(),
                state.version());
        return write(state, held, before, Outcome.REPAIRED, Outcome.REPAIRED_TASK_UNKNOWN);
    }

    /** With the order's mirror row, then its link row locked ({@code before}): the lock order of every writer. */
    private Result write(
            OrderState state,
            Optional<OrderState> held,
            Optional<OrderLink> before,
            Outcome linked,
            Outcome taskUnknown) {
        LinkChange change = LinkChange.of(before, state);
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
            return new Result(taskUnknown, memberships);
        }
        return new Result(linked, memberships);
    }
}
