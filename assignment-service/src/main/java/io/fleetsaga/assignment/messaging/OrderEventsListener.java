package io.fleetsaga.assignment.messaging;

import io.fleetsaga.assignment.task.AssignmentDecision;
import io.fleetsaga.assignment.task.OrderAssignments;
import io.fleetsaga.assignment.task.OrderState;
import io.fleetsaga.assignment.task.OrderStateProjection;
import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.inbox.Inbox;
import io.fleetsaga.common.outbox.OutboxWriter;
import io.fleetsaga.common.tracing.EventTracing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code fleet.order.events} through the inbox.
 *
 * <p><b>Guarantees.</b> For each message the inbox record, the effect (links, counters, mirror), the courier
 * notifications of orders joining or leaving a task ({@link CourierNotifications}) and — for a command — the reply
 * appended to the outbox commit in <em>one</em> transaction, opened by the inbox; the
 * offset is committed after that (ack mode RECORD). A redelivered message is skipped by the inbox, and an
 * order state is applied only if newer than the one held, so duplicates and reordering converge — except a
 * reconciliation repair ({@link OrderStateRepair}), applied whatever version is held, still exactly once. A record
 * that cannot be read goes to the dead-letter topic at once; a failing one (a deadlock or lock timeout under
 * contention, the database briefly away) is retried with the kit's full-jitter backoff and dead-lettered
 * only when the attempts are spent. An unknown message type is acknowledged and skipped.
 *
 * <p><b>Tracing.</b> Each message is handled in its trace ({@link EventTracing}: a child span of the message's
 * traceparent, with its event id and order id ({@value #ORDER_ID}) in the logging context). A reply and the courier
 * notifications carry the message's own traceparent, so the dispatcher request's trace continues in order-service.
 */
@Component
class OrderEventsListener {

    /** Logging-context field of the order an event is about (its aggregate id). */
    static final String ORDER_ID = "orderId";

    private static final Logger log = LoggerFactory.getLogger(OrderEventsListener.class);

    private final Inbox inbox;
    private final OrderStateProjection projection;
    private final OrderAssignments assignments;
    private final OutboxWriter outbox;
    private final EnvelopeCodec codec;
    private final OrderEventPayloads payloads;
    private final AssignmentMetrics metrics;
    private final CourierNotifications notifications;
    private final EventTracing tracing;

    OrderEventsListener(
            Inbox inbox,
            OrderStateProjection projection,
            OrderAssignments assignments,
            OutboxWriter outbox,
            EnvelopeCodec codec,
            OrderEventPayloads payloads,
            AssignmentMetrics metrics,
            CourierNotifications notifications,
            EventTracing tracing) {
        this.inbox = inbox;
        this.projection = projection;
        this.assignments = assignments;
        this.outbox = outbox;
        this.codec = codec;
        this.payloads = payloads;
        this.metrics = metrics;
        this.notifications = notifications;
        this.tracing = tracing;
    }

    @KafkaListener(id = "order-events", idIsGroup = false, topics = AssignmentTopics.ORDER_EVENTS)
    void onOrderEvent(ConsumerRecord<String, byte[]> record) {
        EventEnvelope envelope = codec.decode(record.value());
        try (MDC.MDCCloseable order = MDC.putCloseable(ORDER_ID, envelope.aggregateId())) {
            tracing.handle(envelope, AssignmentTopics.ORDER_EVENTS_CONSUMER, () -> handle(envelope));
        }
    }

    private void handle(EventEnvelope envelope) {
        switch (envelope.type()) {
            case OrderStateChanged.TYPE -> onStateChanged(envelope);
            case OrderStateRepair.TYPE -> onStateRepair(envelope);
            case AssignOrderRequested.TYPE -> onAssignRequested(envelope);
            default -> log.debug("ignoring {} {}", envelope.type(), envelope.eventId());
        }
    }

    private void onStateChanged(EventEnvelope envelope) {
        OrderState state = payloads.state(envelope);
        inbox.process(AssignmentTopics.ORDER_EVENTS_CONSUMER, envelope, () -> {
                    OrderStateProjection.Result result = projection.apply(state);
                    notifications.append(result.membershipChanges(), envelope.traceparent());
                    return result.outcome();
                })
                .ifPresent(metrics::state);
    }

    /**
     * Like a state change, through the inbox, but applied whatever version is held ({@link
     * OrderStateProjection#repair}): order-service's reconciliation found this service's view of the order wrong.
     */
    private void onStateRepair(EventEnvelope envelope) {
        OrderState state = payloads.repair(envelope);
        inbox.process(AssignmentTopics.ORDER_EVENTS_CONSUMER, envelope, () -> {
                    OrderStateProjection.Result result = projection.repair(state);
                    notifications.append(result.membershipChanges(), envelope.traceparent());
                    return result.outcome();
                })
                .ifPresent(metrics::state);
    }

    private void onAssignRequested(EventEnvelope envelope) {
        AssignOrderRequested command = payloads.command(envelope);
        inbox.process(AssignmentTopics.ORDER_EVENTS_CONSUMER, envelope, () -> {
                    AssignmentDecision decision =
                            assignments.assign(command.orderId(), command.taskId(), command.orderVersion());
                    notifications.append(decision.membershipChanges(), envelope.traceparent());
                    payloads.reply(command, decision, envelope.traceparent())
                            .ifPresent(reply -> outbox.append(AssignmentTopics.ASSIGNMENT_EVENTS, reply));
                    return decision;
                })
                .ifPresent(decision -> {
                    if (decision instanceof AssignmentDecision.Superseded superseded) {
                        log.info(
                                "assignment command {} (saga {}) for order {} at version {} is superseded by version {}:"
                                        + " not linked, no reply",
                                envelope.eventId(),
                                command.sagaId(),
                                command.orderId(),
                                superseded.commandVersion(),
                                superseded.heldVersion());
                    }
                    metrics.command(decision);
                });
    }
}
