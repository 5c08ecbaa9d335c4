package io.fleetsaga.order.support;

import static org.awaitility.Awaitility.await;

import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.infra.RealInfrastructure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import tools.jackson.databind.JsonNode;

/** Plays assignment-service on the real broker: sends its replies and reads what order-service published. */
public final class Kafka implements AutoCloseable {

    public static final String ORDER_EVENTS = "fleet.order.events";
    public static final String ASSIGNMENT_EVENTS = "fleet.assignment.events";

    private static final EnvelopeCodec CODEC = new EnvelopeCodec();

    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, String> orderEvents;
    private final List<EventEnvelope> read = new CopyOnWriteArrayList<>();

    public Kafka() {
        this(RealInfrastructure.get().kafka().bootstrapServers());
    }

    /** On another broker than the shared one (a test that freezes or stops its own broker). */
    public Kafka(String bootstrap) {
        producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(),
                new ByteArraySerializer());
        orderEvents = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "order-events-reader-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        "false"),
                new StringDeserializer(),
                new StringDeserializer());
        orderEvents.subscribe(List.of(ORDER_EVENTS));
    }

    /** Waits until the service's listener has its partitions, so replies are consumed at once. */
    public static void awaitAssigned(KafkaListenerEndpointRegistry registry, String listenerId) {
        MessageListenerContainer container = registry.getListenerContainer(listenerId);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> container.getAssignedPartitions() != null
                        && !container.getAssignedPartitions().isEmpty());
    }

    public EventEnvelope linked(String sagaId, String orderId, String taskId) {
        return send(envelope(
                "OrderLinked",
                orderId,
                "{\"sagaId\":\"" + sagaId + "\",\"orderId\":\"" + orderId + "\",\"taskId\":\"" + taskId + "\"}"));
    }

    public EventEnvelope rejected(String sagaId, String orderId, String taskId, String reason, String detail) {
        return send(envelope(
                "AssignmentRejected",
                orderId,
                "{\"sagaId\":\"" + sagaId + "\",\"orderId\":\"" + orderId + "\",\"taskId\":\"" + taskId
                        + "\",\"reason\":\"" + reason + "\",\"detail\":\"" + detail + "\"}"));
    }

    public static EventEnvelope envelope(String type, String orderId, String payload) {
        return EventEnvelope.of(type, "FleetOrder", orderId, null, payload);
    }

    /** Sends to {@code fleet.assignment.events} keyed by the order id and waits for the acknowledgement. */
    public EventEnvelope send(EventEnvelope envelope) {
        try {
            producer.send(new ProducerRecord<>(
                            ASSIGNMENT_EVENTS,
                            envelope.aggregateId(),
                            CODEC.encode(envelope).getBytes(StandardCharsets.UTF_8)))
                    .get();
            return envelope;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls {@code fleet.order.events} until {@code count} events of the order match, then returns them. */
    public List<EventEnvelope> awaitOrderEvents(
            String orderId, Predicate<EventEnvelope> matching, int count, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ZERO).until(() -> {
            orderEvents.poll(Duration.ofMillis(200)).forEach(r -> read.add(CODEC.decode(r.value())));
            return ofOrder(orderId, matching).size() >= count;
        });
        return ofOrder(orderId, matching);
    }

    private List<EventEnvelope> ofOrder(String orderId, Predicate<EventEnvelope> matching) {
        return read.stream()
                .filter(e -> e.aggregateId().equals(orderId))
                .filter(matching)
                .toList();
    }

    public static Predicate<EventEnvelope> ofType(String type) {
        return e -> e.type().equals(type);
    }

    public static JsonNode payload(EventEnvelope envelope) {
        return Api.json(envelope.payload());
    }

    @Override
    public void close() {
        producer.close();
        orderEvents.close();
    }
}
