package io.fleetsaga.order.saga.messaging;

import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.event.MalformedEventException;
import io.fleetsaga.common.inbox.Inbox;
import io.fleetsaga.common.tracing.EventTracing;
import io.fleetsaga.order.messaging.OrderTopics;
import io.fleetsaga.order.order.OrderLogContext;
import io.fleetsaga.order.saga.AssignmentRejected;
import io.fleetsaga.order.saga.AssignmentSagas;
import io.fleetsaga.order.saga.OrderLinked;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * Consumes assignment-service's replies ({@code fleet.assignment.events}, group {@code order-service})
 * through the inbox: the inbox record and the saga's step commit in one transaction, and the offset is
 * committed after that (ack mode RECORD). So a redelivered reply is skipped by the inbox, and a reply for
 * a saga that is no longer running is acknowledged without effect. A record that cannot be read goes to
 * the dead-letter topic at once, a failing one after the kit's retries; a type this service does not know
 * is acknowledged and skipped (forward compatibility).
 *
 * <p>Each reply is handled in its trace ({@link EventTracing}: a child span of the reply's traceparent, with its
 * event and order id in the logging context), so the saga step's own events carry the dispatcher request's trace on.
 */
@Component
class AssignmentEventsListener {

    static final String LISTENER_ID = "assignment-events";

    private static final Logger log = LoggerFactory.getLogger(AssignmentEventsListener.class);

    private final Inbox inbox;
    private final AssignmentSagas sagas;
    private final EnvelopeCodec codec;
    private final ObjectMapper mapper;
    private final EventTracing tracing;

    AssignmentEventsListener(
            Inbox inbox, AssignmentSagas sagas, EnvelopeCodec codec, ObjectMapper mapper, EventTracing tracing) {
        this.inbox = inbox;
        this.sagas = sagas;
        this.codec = codec;
        this.mapper = mapper;
        this.tracing = tracing;
    }

    @KafkaListener(id = LISTENER_ID, idIsGroup = false, topics = OrderTopics.ASSIGNMENT_EVENTS)
    void onAssignmentEvent(ConsumerRecord<String, byte[]> record) {
        EventEnvelope envelope = codec.decode(record.value());
        try (var order = OrderLogContext.put(envelope.aggregateId())) {
            tracing.handle(envelope, OrderTopics.ASSIGNMENT_EVENTS_CONSUMER, () -> handle(envelope));
        }
    }

    private void handle(EventEnvelope envelope) {
        switch (envelope.type()) {
            case OrderLinked.TYPE -> {
                OrderLinked reply = payload(envelope, OrderLinked.class);
                require(reply.sagaId() != null && hasText(reply.orderId()) && hasText(reply.taskId()), envelope);
                process(envelope, () -> sagas.onOrderLinked(reply));
            }
            case AssignmentRejected.TYPE -> {
                AssignmentRejected reply = payload(envelope, AssignmentRejected.class);
                require(
                        reply.sagaId() != null
                                && hasText(reply.orderId())
                                && hasText(reply.taskId())
                                && hasText(reply.reason()),
                        envelope);
                process(envelope, () -> sagas.onAssignmentRejected(reply));
            }
            default -> log.debug("ignoring {} {}", envelope.type(), envelope.eventId());
        }
    }

    private void process(EventEnvelope envelope, Runnable handler) {
        inbox.process(OrderTopics.ASSIGNMENT_EVENTS_CONSUMER, envelope, handler);
    }

    private <T> T payload(EventEnvelope envelope, Class<T> type) {
        try {
            return mapper.readValue(envelope.payload(), type);
        } catch (JacksonException e) {
            throw new MalformedEventException(
                    "unreadable " + envelope.type() + " payload of " + envelope.eventId() + ": "
                            + e.getOriginalMessage(),
                    e);
        }
    }

    private static void require(boolean valid, EventEnvelope envelope) {
        if (!valid) {
            throw new MalformedEventException(
                    envelope.type() + " " + envelope.eventId() + " misses sagaId, orderId, taskId or reason");
        }
    }

    private static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }
}
