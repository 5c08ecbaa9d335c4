package io.fleetsaga.assignment.messaging;

import io.fleetsaga.assignment.task.TaskMembershipChange;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.outbox.OutboxWriter;
import io.fleetsaga.common.outbox.http.WebhookSettings;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * Tells couriers' apps that an order joined or left their task ({@link CourierTaskChanged}) — through the
 * outbox, never by calling out from the consumer (incident I-2: a side effect that fails after the business
 * commit must not make the message be consumed again).
 *
 * <p><b>Guarantees.</b> The notification row is appended in the caller's transaction — the inbox's, together
 * with the link change — so it exists if and only if the change commits, and a redelivered Kafka record (skipped
 * by the inbox) never notifies twice. The relay POSTs it to {@code fleetsaga.outbox.webhooks.courier.url} with
 * {@code Idempotency-Key} = event id = {@code notificationId}, retries with backoff and parks it after the
 * attempts; the receiver deduplicates by that key. Rows have their own aggregate
 * ({@value AssignmentTopics#COURIER_NOTIFICATION}, id = order id): the notifications of one order go out in
 * order, and a failing receiver never holds back the order's Kafka events.
 *
 * <p><b>Off when not configured.</b> Without a courier URL no notification rows are written at all (logged once
 * at startup), so an environment without a receiver does not pile up rows that could only be parked.
 */
@Component
class CourierNotifications {

    private static final Logger log = LoggerFactory.getLogger(CourierNotifications.class);

    private final OutboxWriter outbox;
    private final ObjectMapper mapper;
    private final boolean enabled;

    CourierNotifications(WebhookSettings webhooks, OutboxWriter outbox, ObjectMapper mapper) {
        this.outbox = outbox;
        this.mapper = mapper;
        this.enabled = webhooks.endpoint(AssignmentTopics.COURIER_ENDPOINT).isPresent();
        if (enabled) {
            log.info(
                    "courier notifications are on: {} rows go to the courier webhook",
                    AssignmentTopics.COURIER_WEBHOOK);
        } else {
            log.warn(
                    "courier notifications are OFF: fleetsaga.outbox.webhooks.{}.url is not set; orders joining or"
                            + " leaving a task are not notified (no notification rows are written)",
                    AssignmentTopics.COURIER_ENDPOINT);
        }
    }

    boolean enabled() {
        return enabled;
    }

    /** Appends one notification per change to the outbox, in the caller's transaction; nothing when off. */
    void append(List<TaskMembershipChange> changes, String traceparent) {
        if (!enabled) {
            return;
        }
        for (TaskMembershipChange change : changes) {
            UUID notificationId = UUID.randomUUID();
            CourierTaskChanged payload = new CourierTaskChanged(
                    notificationId.toString(),
                    change.courierId(),
                    change.taskId(),
                    change.orderId(),
                    change.change().name(),
                    change.orderStatus().name(),
                    change.orderVersion());
            outbox.append(
                    AssignmentTopics.COURIER_WEBHOOK,
                    new EventEnvelope(
                            notificationId,
                            CourierTaskChanged.TYPE,
                            AssignmentTopics.COURIER_NOTIFICATION,
                            change.orderId(),
                            null,
                            Instant.now(),
                            traceparent,
                            json(payload)));
        }
    }

    private String json(Object payload) {
        try {
            return mapper.writeValueAsString(payload);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write " + payload, e);
        }
    }
}
