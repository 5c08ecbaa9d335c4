package io.fleetsaga.assignment.messaging;

/**
 * {@code CourierTaskChanged}, POSTed to the courier app's webhook: an order joined or left the courier's task.
 *
 * @param notificationId the outbox event id, also sent as {@code Idempotency-Key}: the same for every delivery
 *     attempt of this notification, so the receiver applies it once
 * @param change {@code ORDER_ADDED} or {@code ORDER_REMOVED}
 * @param orderStatus the order's status after the change
 * @param orderVersion the order version that caused it; a receiver can ignore a notification older than one it has
 */
record CourierTaskChanged(
        String notificationId,
        String courierId,
        String taskId,
        String orderId,
        String change,
        String orderStatus,
        long orderVersion) {

    static final String TYPE = "CourierTaskChanged";
}
