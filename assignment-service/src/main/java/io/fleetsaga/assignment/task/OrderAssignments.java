package io.fleetsaga.assignment.task;

import io.fleetsaga.assignment.task.AssignmentDecision.Linked;
import io.fleetsaga.assignment.task.AssignmentDecision.Rejected;
import io.fleetsaga.assignment.task.AssignmentDecision.Superseded;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Decides the saga's "assign order" command: link the order to the task, or say why not.
 *
 * <p><b>Guarantees.</b> The decision is taken on rows read with locks in the caller's transaction — the
 * order's mirror and link rows, then the task row ({@code SELECT … FOR UPDATE}) — so two commands for one
 * task can never both take its last place, and an order is never linked to two tasks. A retried command
 * for an order already on the same task is answered {@link Linked} again without counting twice. A command
 * older than the order state already applied never links (see {@link Superseded}). A saga's decision is final:
 * a re-sent command of a saga that was {@link Rejected} (same order version — each saga starts at a new one) is
 * rejected again with the first reason, even if the task got room meanwhile, because order-service is
 * compensating that saga and would unlink the order right after (the courier told "added", then "removed").
 */
@Service
public class OrderAssignments {

    private final OrderMirror mirror;
    private final LinkRepository links;
    private final TaskRepository tasks;
    private final LinkWriter writer;
    private final TransactionTemplate callersTransaction;

    OrderAssignments(
            OrderMirror mirror,
            LinkRepository links,
            TaskRepository tasks,
            LinkWriter writer,
            PlatformTransactionManager transactions) {
        this.mirror = mirror;
        this.links = links;
        this.tasks = tasks;
        this.writer = writer;
        this.callersTransaction = new TransactionTemplate(transactions);
        this.callersTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_MANDATORY);
    }

    /**
     * Links {@code orderId} to {@code taskId} if the task exists, is open, has room, and the order is on no
     * other task.
     *
     * <p>Runs in the caller's transaction — the inbox's, together with the reply appended to the outbox —
     * and refuses to run without one ({@link org.springframework.transaction.IllegalTransactionStateException}).
     *
     * @param orderVersion the order's version when the saga started (status ASSIGNMENT_PENDING)
     */
    public AssignmentDecision assign(String orderId, String taskId, long orderVersion) {
        return callersTransaction.execute(tx -> decide(orderId, taskId, orderVersion));
    }

    private AssignmentDecision decide(String orderId, String taskId, long orderVersion) {
        AssignmentDecision decision = decideOnLockedRows(orderId, taskId, orderVersion);
        if (decision instanceof Rejected refused) {
            mirror.recordRefusal(orderVersion, refused);
        }
        return decision;
    }

    private AssignmentDecision decideOnLockedRows(String orderId, String taskId, long orderVersion) {
        Optional<OrderState> held = mirror.lock(orderId);
        Optional<OrderLink> link = links.lock(orderId);
        OrderState pending = new OrderState(orderId, taskId, OrderStatus.ASSIGNMENT_PENDING, orderVersion);
        boolean newer = held.map(h -> h.version() < orderVersion).orElse(true);

        if (link.isPresent() && link.get().taskId().equals(taskId)) {
            if (newer) { // the order is pending again on the task it is linked to: mirror that, count nothing new
                writer.apply(LinkChange.of(link, pending));
                mirror.save(pending, held.isPresent());
            }
            return new Linked(orderId, taskId, true, List.of());
        }
        if (link.isPresent()) {
            return new Rejected(
                    orderId,
                    taskId,
                    RejectionReason.LINKED_TO_OTHER_TASK,
                    "order " + orderId + " is linked to task " + link.get().taskId());
        }
        if (held.isPresent() && held.get().version() > orderVersion) {
            return new Superseded(orderId, taskId, held.get().version(), orderVersion);
        }
        Optional<Rejected> refusedBefore = mirror.refusal(orderId, taskId, orderVersion);
        if (refusedBefore.isPresent()) { // a re-send of a saga refused before: its first decision stands
            return refusedBefore.get();
        }
        Optional<AssignmentTask> task = tasks.lock(taskId);
        if (task.isEmpty()) {
            return new Rejected(orderId, taskId, RejectionReason.TASK_NOT_FOUND, "no task " + taskId);
        }
        Optional<Rejected> refusal = task.get().refusal(orderId);
        if (refusal.isPresent()) {
            return refusal.get();
        }
        LinkChange linked = writer.apply(LinkChange.linkedByCommand(pending));
        if (newer) {
            mirror.save(pending, held.isPresent());
        }
        String courierId = task.get().courierId();
        return new Linked(orderId, taskId, false, linked.membershipChanges(pending, id -> courierId));
    }
}
