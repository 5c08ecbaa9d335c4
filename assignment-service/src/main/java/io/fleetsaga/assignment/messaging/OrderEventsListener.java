package io.fleetsaga.assignment.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetsaga.assignment.mirror.OrderMirror;
import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.event.MalformedEventException;
import io.fleetsaga.common.inbox.Inbox;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes order state changes through the inbox: the inbox record and the effect commit in one
 * transaction, the offset is committed after that (ack mode RECORD). A record that cannot be read goes
 * to the dead-letter topic at once; a failing one after the retries.
 */
@Component
class OrderEventsListener {

    private static final Logger log = LoggerFactory.getLogger(OrderEventsListener.class);

    private final Inbox inbox;
    private final OrderMirror mirror;
    private final EnvelopeCodec codec;
    private final ObjectMapper mapper;

    OrderEventsListener(Inbox inbox, OrderMirror mirror, EnvelopeCodec codec, ObjectMapper mapper) {
        this.inbox = inbox;
        this.mirror = mirror;
        this.codec = codec;
        this.mapper = mapper;
    }

    @KafkaListener(id = "order-events", idIsGroup = false, topics = AssignmentTopics.ORDER_EVENTS)
    void onOrderEvent(ConsumerRecord<String, byte[]> record) {
        EventEnvelope envelope = codec.decode(record.value());
        if (!"OrderStateChanged".equals(envelope.type())) {
            log.debug("ignoring {} {}", envelope.type(), envelope.eventId());
            return;
        }
        JsonNode state = payload(envelope);
        inbox.process(AssignmentTopics.ORDER_EVENTS_CONSUMER, envelope.eventId(), () -> {
            mirror.apply(
                    text(state, "orderId"),
                    state.hasNonNull("taskId") ? state.get("taskId").asText() : null,
                    text(state, "status"),
                    state.path("version").asLong(-1));
        });
    }

    private JsonNode payload(EventEnvelope envelope) {
        try {
            return mapper.readTree(envelope.payload());
        } catch (Exception e) {
            throw new MalformedEventException("unreadable payload of " + envelope.eventId(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new MalformedEventException("missing field '" + field + "'");
        }
        return value.asText();
    }
}
