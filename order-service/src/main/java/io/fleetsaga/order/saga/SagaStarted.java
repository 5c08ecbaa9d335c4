package io.fleetsaga.order.saga;

import io.fleetsaga.order.order.OrderSnapshot;
import java.util.UUID;

/** A started "assign order" saga and the order as it is now (ASSIGNMENT_PENDING). */
public record SagaStarted(UUID sagaId, String taskId, OrderSnapshot order) {}
