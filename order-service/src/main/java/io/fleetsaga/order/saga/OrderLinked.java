package io.fleetsaga.order.saga;

import java.util.UUID;

/** Reply of assignment-service: the order is linked to the task (docs/contracts.md). */
public record OrderLinked(UUID sagaId, String orderId, String taskId) {

    public static final String TYPE = "OrderLinked";
}
