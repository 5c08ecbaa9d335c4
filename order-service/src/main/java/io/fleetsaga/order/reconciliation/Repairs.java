package io.fleetsaga.order.reconciliation;

import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.lease.LeaseLostException;
import io.fleetsaga.common.outbox.JdbcOutboxStore;
import io.fleetsaga.common.outbox.OutboxWriter;
import io.fleetsaga.order.messaging.OrderTopics;
import io.fleetsaga.order.order.OrderChanges;
import io.fleetsaga.order.order.OrderNotFoundException;
import io.fleetsaga.order.order.OrderSnapshot;
import io.fleetsaga.order.order.OrderStateChanged;
import io.fleetsaga.order.order.OrderStatus;
import io.fleetsaga.order.reconciliation.AssignmentFacts.Recomputed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * Repairs confirmed drift through the normal paths, never by writing assignment-service's tables.
 *
 * <ul>
 *   <li>An order's drift: in one transaction the order row is locked and its <em>current</em> state is appended to
 *       the outbox as {@code OrderStateRepair} (same payload as {@code OrderStateChanged}); assignment-service
 *       applies it regardless of the version it holds. The lock orders the repair with the order's other events,
 *       so a later change is always published after it. Parked events of the order block its later events: a parked
 *       <em>state</em> event ({@code OrderStateChanged}, {@code OrderStateRepair}) is superseded by the repair in the
 *       same transaction ({@link OrderFacts#supersede}) — the repair carries the newest state and is applied whatever
 *       version is held, so the parked one has nothing left to deliver, whatever parked it (a record too large
 *       would only park again if re-queued); a parked <em>command</em> ({@code AssignOrderRequested}) is never
 *       superseded — no state carries what it asks for — but re-queued.
 *   <li>A {@link DriftType#BLOCKED} order owned by a running assignment saga: its parked events are re-queued, none
 *       superseded and no state published — the saga's command and states go out as they were.
 *   <li>A counter mismatch: assignment-service recomputes the task's counters from its links.
 * </ul>
 *
 * An order unknown here (an orphan link of an order that never existed in order-service) and an order owned by a
 * running assignment saga are skipped, with the reason in the report.
 *
 * <p><b>Fenced.</b> Every repair is a write of the run's lease holder: an order's repair passes the lease's fence in
 * its transaction, right before its writes; a counter recompute carries the lease's fencing token, which
 * assignment-service checks. A refused repair ({@link LeaseLostException}) stops the whole run: it is never
 * reported as a failed entry and nothing after it is attempted.
 */
@Component
class Repairs {

    static final String EVENT_TYPE = "OrderStateRepair";
    private static final int RECOMPUTE_CHUNK = 1000;
    private static final Logger log = LoggerFactory.getLogger(Repairs.class);

    private final OrderChanges changes;
    private final OrderFacts orders;
    private final OutboxWriter outbox;
    private final JdbcOutboxStore outboxStore;
    private final AssignmentFacts assignments;
    private final ObjectMapper mapper;
    private final TransactionTemplate transaction;

    Repairs(
            OrderChanges changes,
            OrderFacts orders,
            OutboxWriter outbox,
            JdbcOutboxStore outboxStore,
            AssignmentFacts assignments,
            ObjectMapper mapper,
            PlatformTransactionManager transactions) {
        this.changes = changes;
        this.orders = orders;
        this.outbox = outbox;
        this.outboxStore = outboxStore;
        this.assignments = assignments;
        this.mapper = mapper;
        this.transaction = new TransactionTemplate(transactions);
    }

    /**
     * Repairs each entry under {@code lease}; returns the entries with what was done.
     *
     * @throws LeaseLostException when the lease is lost (then nothing more is written)
     */
    List<Drift> repair(List<Drift> drift, RunLease lease) {
        List<Drift> repaired = new ArrayList<>(drift.size());
        Set<String> tasks = new LinkedHashSet<>();
        for (Drift entry : drift) {
            if (entry.type() == DriftType.COUNTER_MISMATCH) {
                tasks.add(entry.taskId());
            } else {
                lease.check();
                repaired.add(repairOrder(entry, lease));
            }
        }
        Map<String, Recomputed> recomputed = recompute(tasks, lease);
        for (Drift entry : drift) {
            if (entry.type() == DriftType.COUNTER_MISMATCH) {
                Recomputed result = recomputed.get(entry.taskId());
                if (result == null) {
                    repaired.add(entry.repaired(RepairResult.FAILED, "counter recompute failed, see the run's log"));
                } else if (Boolean.FALSE.equals(result.found())) {
                    repaired.add(entry.repaired(RepairResult.SKIPPED, "task no longer exists"));
                } else {
                    repaired.add(entry.repaired(
                            RepairResult.RECOMPUTED,
                            "assigned " + result.assignedBefore() + "→" + result.assignedAfter() + ", delivered "
                                    + result.deliveredBefore() + "→" + result.deliveredAfter()));
                }
            }
        }
        return repaired;
    }

    private Drift repairOrder(Drift entry, RunLease lease) {
        try {
            return transaction.execute(tx -> {
                OrderSnapshot order = changes.lock(entry.orderId());
                lease.fence(); // before any write: they commit only if the lease is still held
                List<ParkedHead> parked = orders.parkedEvents(order.orderId());
                if (order.status() == OrderStatus.ASSIGNMENT_PENDING) {
                    if (entry.type() != DriftType.BLOCKED || parked.isEmpty()) {
                        return entry.repaired(RepairResult.SKIPPED, "an assignment saga owns the order now");
                    }
                    // the saga needs its command and the order's states as they were: nothing superseded
                    parked.forEach(p -> outboxStore.requeue(UUID.fromString(p.eventId())));
                    return entry.repaired(
                            RepairResult.PUBLISHED,
                            "re-queued " + describe(parked) + " (an assignment saga owns the order: nothing"
                                    + " superseded, no state published)");
                }
                OrderStateChanged state = new OrderStateChanged(
                        order.orderId(), order.taskId(), order.status().name(), order.version());
                EventEnvelope repair = EventEnvelope.of(
                        EVENT_TYPE, OrderStateChanged.AGGREGATE_TYPE, order.orderId(), order.version(), json(state));
                List<ParkedHead> superseded = new ArrayList<>();
                List<ParkedHead> requeued = new ArrayList<>();
                for (ParkedHead event : parked) {
                    if (event.supersedable()) {
                        if (orders.supersede(event.eventId(), EVENT_TYPE + " " + repair.eventId())) {
                            superseded.add(event);
                        }
                    } else if (outboxStore.requeue(UUID.fromString(event.eventId()))) {
                        requeued.add(event);
                    }
                }
                outbox.append(OrderTopics.ORDER_EVENTS, repair);
                return entry.repaired(
                        RepairResult.PUBLISHED,
                        "published " + order.status() + "@v" + order.version()
                                + (superseded.isEmpty() ? "" : ", superseding " + describe(superseded))
                                + (requeued.isEmpty() ? "" : ", after re-queueing " + describe(requeued)));
            });
        } catch (OrderNotFoundException e) {
            return entry.repaired(
                    RepairResult.SKIPPED,
                    "order unknown to order-service: there is no state to publish; release the link in"
                            + " assignment-service deliberately");
        } catch (LeaseLostException e) {
            throw e;
        } catch (RuntimeException e) {
            log.warn("repair of order {} failed: {}", entry.orderId(), e.toString());
            return entry.repaired(RepairResult.FAILED, truncate(e.toString()));
        }
    }

    private Map<String, Recomputed> recompute(Set<String> taskIds, RunLease lease) {
        Map<String, Recomputed> results = new HashMap<>();
        List<String> ids = List.copyOf(taskIds);
        for (int from = 0; from < ids.size(); from += RECOMPUTE_CHUNK) {
            lease.verify();
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + RECOMPUTE_CHUNK));
            try {
                assignments.recompute(chunk, lease.lease()).forEach(r -> results.put(r.taskId(), r));
            } catch (LeaseLostException e) {
                throw e;
            } catch (RuntimeException e) {
                log.warn("counter recompute of {} tasks failed: {}", chunk.size(), e.toString());
            }
        }
        return results;
    }

    private static String describe(List<ParkedHead> events) {
        return "parked "
                + String.join(
                        ", ",
                        events.stream()
                                .map(e -> e.eventType() + " " + e.eventId())
                                .toList());
    }

    private String json(Object payload) {
        try {
            return mapper.writeValueAsString(payload);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialise " + payload, e);
        }
    }

    private static String truncate(String text) {
        return text.length() <= 500 ? text : text.substring(0, 497) + "...";
    }
}
