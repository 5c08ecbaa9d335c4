package io.fleetsaga.assignment.messaging;

import io.fleetsaga.assignment.task.AssignmentDecision;
import io.fleetsaga.assignment.task.OrderStateProjection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * Counts committed outcomes of the order-events consumer (duplicates are counted by the inbox):
 *
 * <ul>
 *   <li>{@code assignment_commands_total{outcome}}: {@code linked}, {@code linked_again}, {@code superseded},
 *       {@code rejected_task_not_found}, {@code rejected_task_closed}, {@code rejected_task_full},
 *       {@code rejected_linked_to_other_task}
 *   <li>{@code assignment_order_states_total{outcome}}: {@code applied}, {@code applied_task_unknown} (the
 *       order names a task this service does not know — drift to look at), {@code stale}, and for
 *       reconciliation's {@code OrderStateRepair}: {@code repaired}, {@code repaired_task_unknown}
 * </ul>
 */
@Component
class AssignmentMetrics {

    private final MeterRegistry registry;

    AssignmentMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void command(AssignmentDecision decision) {
        String outcome;
        if (decision instanceof AssignmentDecision.Linked linked) {
            outcome = linked.again() ? "linked_again" : "linked";
        } else if (decision instanceof AssignmentDecision.Rejected rejected) {
            outcome = "rejected_" + rejected.reason().name().toLowerCase(Locale.ROOT);
        } else {
            outcome = "superseded";
        }
        Counter.builder("assignment.commands")
                .description("Assignment commands decided, by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    void state(OrderStateProjection.Outcome outcome) {
        Counter.builder("assignment.order.states")
                .description("Order states consumed, by outcome")
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .register(registry)
                .increment();
    }
}
