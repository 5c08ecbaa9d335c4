package io.fleetsaga.assignment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.infra.RealInfrastructure;
import io.fleetsaga.infra.SpringInfrastructure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The order-events consumer against the real broker: idempotent, version-guarded, poison-proof. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"fleetsaga.consumer.retry.initial-delay=10ms", "fleetsaga.consumer.retry.max-attempts=3"})
@AutoConfigureObservability
class AssignmentServiceApplicationIT {

    static KafkaProducer<String, byte[]> producer;
    static final EnvelopeCodec codec = new EnvelopeCodec();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SpringInfrastructure.register(
                registry, "assignment_app_" + UUID.randomUUID().toString().substring(0, 8));
    }

    @BeforeAll
    static void producer() {
        producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        RealInfrastructure.get().kafka().bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    @AfterAll
    static void closeProducer() {
        producer.close();
    }

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TestRestTemplate http;

    @Test
    void appliesEachOrderStateOnceAndNeverGoesBackToAnOlderVersion() {
        String orderId = "o-" + UUID.randomUUID();
        EventEnvelope v1 = state(orderId, "CREATED", 1);
        EventEnvelope v3 = state(orderId, "DELIVERING", 3);
        EventEnvelope v2 = state(orderId, "ASSIGNED", 2);

        send(orderId, v1);
        send(orderId, v1);
        send(orderId, v3);
        send(orderId, v2); // arrives after a newer state
        send(orderId, v3);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> jdbc.queryForObject(
                                "SELECT COUNT(*) FROM inbox_message WHERE message_id IN (?, ?, ?)",
                                Integer.class,
                                v1.eventId().toString(),
                                v2.eventId().toString(),
                                v3.eventId().toString())
                        == 3);
        assertThat(jdbc.queryForMap("SELECT status, order_version FROM order_mirror WHERE order_id = ?", orderId))
                .containsEntry("status", "DELIVERING")
                .containsEntry("order_version", 3L);
        assertThat(http.getForObject("/actuator/prometheus", String.class))
                .contains(
                        "inbox_duplicates_total{application=\"assignment-service\",consumer=\"assignment-service.order-events\"");
    }

    @Test
    void aPoisonRecordGoesToTheDeadLetterTopicAndThePartitionKeepsFlowing() {
        String orderId = "o-" + UUID.randomUUID();
        producer.send(new ProducerRecord<>(
                "fleet.order.events", orderId, "{not an envelope".getBytes(StandardCharsets.UTF_8)));
        EventEnvelope after = state(orderId, "CREATED", 1);
        send(orderId, after);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> jdbc.queryForList(
                                "SELECT status FROM order_mirror WHERE order_id = ?", String.class, orderId)
                        .equals(List.of("CREATED")));
        try (KafkaConsumer<String, String> dlt = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        RealInfrastructure.get().kafka().bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "dlt-reader-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                new StringDeserializer())) {
            dlt.subscribe(List.of("fleet.order.events.DLT"));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> record : dlt.poll(Duration.ofMillis(300))) {
                    if (orderId.equals(record.key())) {
                        assertThat(record.value()).isEqualTo("{not an envelope");
                        assertThat(record.headers().lastHeader("kafka_dlt-exception-fqcn"))
                                .isNotNull();
                        return true;
                    }
                }
                return false;
            });
        }
        assertThat(http.getForObject("/actuator/prometheus", String.class))
                .contains("kafka_dead_letters_total{application=\"assignment-service\",topic=\"fleet.order.events\"");
    }

    private static EventEnvelope state(String orderId, String status, long version) {
        return EventEnvelope.of(
                "OrderStateChanged",
                "FleetOrder",
                orderId,
                version,
                "{\"orderId\":\"" + orderId + "\",\"taskId\":null,\"status\":\"" + status + "\",\"version\":" + version
                        + "}");
    }

    private static void send(String key, EventEnvelope envelope) {
        try {
            producer.send(new ProducerRecord<>(
                            "fleet.order.events", key, codec.encode(envelope).getBytes(StandardCharsets.UTF_8)))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
