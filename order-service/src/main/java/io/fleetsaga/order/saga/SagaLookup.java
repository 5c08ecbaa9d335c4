package io.fleetsaga.order.saga;

import io.fleetsaga.order.order.AssignmentLookup;
import io.fleetsaga.order.order.AssignmentSummary;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Shows an order's latest saga with the order. */
@Component
class SagaLookup implements AssignmentLookup {

    private final SagaStore store;

    SagaLookup(SagaStore store) {
        this.store = store;
    }

    @Override
    public Optional<AssignmentSummary> latestFor(String orderId) {
        return store.latestFor(orderId)
                .map(saga -> new AssignmentSummary(
                        saga.id().toString(),
                        saga.taskId(),
                        saga.status().name(),
                        saga.attempts(),
                        saga.deadline().orElse(null),
                        saga.command().delivery().name(),
                        saga.reason(),
                        saga.createdAt(),
                        saga.updatedAt()));
    }
}
