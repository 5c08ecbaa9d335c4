package io.fleetsaga.assignment.messaging;

import io.fleetsaga.assignment.task.AssignmentDecision;
import io.fleetsaga.assignment.task.OrderState;
import io.fleetsaga.assignment.task.OrderStatus;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.event.MalformedEventException;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * Reads the payloads of {@code fleet.order.events} strictly and writes the replies to
 * {@code fleet.assignment.events}. A payload that misses a field, names an unknown status or is about
 * another order than the record's key is malformed: it goes to the dead-letter topic at once.
 */
@Component
class OrderEventPayloads {

    private final ObjectMapper mapper;

    OrderEventPayloads(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    OrderState state(EventEnvelope envelope) {
        OrderStateChanged payload = read(envelope, OrderStateChanged.class);
        return state(envelope, payload.orderId(), payload.taskId(), payload.status(), payload.version());
    }

    /** The state an {@code OrderStateRepair} carries: the same payload as {@code OrderStateChanged}. */
    OrderState repair(EventEnvelope envelope) {
        OrderStateRepair payload = read(envelope, OrderStateRepair.class);
        return state(envelope, payload.orderId(), payload.taskId(), payload.status(), payload.version());
    }

    private static OrderState state(
            EventEnvelope envelope, String orderId, String taskId, String status, Long version) {
        return new OrderState(
                orderId(envelope, orderId), taskId, status(envelope, status), required(envelope, "version", version));
    }

    AssignOrderRequested command(EventEnvelope envelope) {
        AssignOrderRequested payload = read(envelope, AssignOrderRequested.class);
        required(envelope, "sagaId", payload.sagaId());
        orderId(envelope, payload.orderId());
        required(envelope, "taskId", payload.taskId());
        required(envelope, "orderVersion", payload.orderVersion());
        return payload;
    }

    /**
     * The reply to {@code command}: {@code OrderLinked} or {@code AssignmentRejected}, keyed by the order id
     * and carrying the command's trace context; none for a superseded command.
     */
    Optional<EventEnvelope> reply(AssignOrderRequested command, AssignmentDecision decision, String traceparent) {
        Object payload;
        String type;
        if (decision instanceof AssignmentDecision.Linked) {
            type = OrderLinked.TYPE;
            payload = new OrderLinked(command.sagaId(), command.orderId(), command.taskId());
        } else if (decision instanceof AssignmentDecision.Rejected rejected) {
            type = AssignmentRejected.TYPE;
            payload = new AssignmentRejected(
                    command.sagaId(),
                    command.orderId(),
                    command.taskId(),
                    rejected.reason().name(),
                    rejected.detail());
        } else {
            return Optional.empty();
        }
        EventEnvelope reply =
                EventEnvelope.of(type, AssignmentTopics.FLEET_ORDER, command.orderId(), null, json(payload));
        return Optional.of(traceparent == null ? reply : reply.withTraceparent(traceparent));
    }

    private <T> T read(EventEnvelope envelope, Class<T> type) {
        try {
            return mapper.readValue(envelope.payload(), type);
        } catch (JacksonException e) {
            throw new MalformedEventException(
                    "unreadable " + envelope.type() + " payload of " + envelope.eventId() + ": "
                            + e.getOriginalMessage(),
                    e);
        }
    }

    private String json(Object payload) {
        try {
            return mapper.writeValueAsString(payload);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write " + payload, e);
        }
    }

    private static String orderId(EventEnvelope envelope, String orderId) {
        required(envelope, "orderId", orderId);
        if (!orderId.equals(envelope.aggregateId())) {
            throw new MalformedEventException("payload of " + envelope.eventId() + " is about order " + orderId
                    + " but its aggregate (and key) is " + envelope.aggregateId());
        }
        return orderId;
    }

    private static OrderStatus status(EventEnvelope envelope, String status) {
        required(envelope, "status", status);
        try {
            return OrderStatus.valueOf(status);
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException("unknown order status '" + status + "' in " + envelope.eventId(), e);
        }
    }

    private static <T> T required(EventEnvelope envelope, String field, T value) {
        if (value == null || (value instanceof String text && text.isBlank())) {
            throw new MalformedEventException(
                    envelope.type() + " " + envelope.eventId() + " misses field '" + field + "'");
        }
        return value;
    }
}
