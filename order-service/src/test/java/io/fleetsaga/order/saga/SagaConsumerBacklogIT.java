package io.fleetsaga.order.saga;

import static io.fleetsaga.order.support.Kafka.ofType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.infra.RealInfrastructure;
import io.fleetsaga.infra.SpringInfrastructure;
import io.fleetsaga.order.support.Api;
import io.fleetsaga.order.support.Kafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.micrometer.tracing.test.autoconfigure.AutoConfigureTracing;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Incident I-4 after the broker is back (ARCHITECTURE rule 8): assignment-service's consumer works through a backlog
 * of {@code fleet.order.events} for minutes. A command the broker acknowledged but the consumer group has not
 * consumed yet cannot have a late reply: its saga is neither re-sent nor given up, however long that takes; once
 * the group's committed offsets pass the command, its reply gets a whole reply wait from the check that found it
 * consumed, and the deadline applies as before. The test plays the group
 * (commits its offsets, consumes nothing) under the name order-service is configured to watch.
 *
 * <p>Saga settings: an attempt waits 1 s for a reply, the second attempt is the last, so without the rule a saga
 * gives up about 2.2 s after its command was acknowledged. The backlog below lasts 6 s.
 */
@AutoConfigureTestRestTemplate
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.kafka.consumer.group-id=order-service-saga-consumer-backlog-it",
            "fleetsaga.outbox.poll-interval=50ms",
            "fleetsaga.saga.timeout=1s",
            "fleetsaga.saga.max-attempts=2",
            "fleetsaga.saga.backoff.initial-delay=100ms",
            "fleetsaga.saga.backoff.max-delay=200ms",
            "fleetsaga.saga.check-interval=100ms",
            "fleetsaga.saga.consumer-group=" + SagaConsumerBacklogIT.GROUP
        })
@AutoConfigureMetrics
@AutoConfigureTracing
@DirtiesContext
class SagaConsumerBacklogIT {

    static final String GROUP = "assignment-service-backlog-it";

    /** Far longer than both attempts with their backoff (2 × 1 s + 0.2 s). */
    static final Duration BACKLOG = Duration.ofSeconds(6);

    static Kafka kafka;
    static KafkaConsumer<byte[], byte[]> group;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SpringInfrastructure.register(
                registry, "order_saga_backlog_" + UUID.randomUUID().toString().substring(0, 8));
    }

    @BeforeAll
    static void kafka() {
        kafka = new Kafka();
        group = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        RealInfrastructure.get().kafka().bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        GROUP,
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        "false"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterAll
    static void closeKafka() {
        group.close();
        kafka.close();
    }

    @Autowired
    TestRestTemplate rest;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    Api api;

    @BeforeEach
    void api() {
        api = new Api(rest);
        Kafka.awaitAssigned(listeners, "assignment-events");
    }

    @Test
    void aCommandTheConsumerHasNotReachedIsNeitherSentAgainNorGivenUpUntilTheConsumerPassesIt() {
        String orderId = api.createOrder();
        kafka.awaitOrderEvents(orderId, ofType("OrderStateChanged"), 1, timeout()); // the topic exists
        commitAtTheEnd(); // the group consumed everything so far, and from now on falls behind

        String sagaId = api.assign(orderId, "t-silent");
        await().atMost(timeout())
                .until(() -> "SENT".equals(api.saga(sagaId).path("command").asText()));
        await().during(BACKLOG).atMost(BACKLOG.plusSeconds(10)).until(() -> {
            JsonNode saga = api.saga(sagaId);
            return saga.path("status").asText().equals("STARTED")
                    && saga.path("attempts").asInt() == 1;
        });
        assertThat(api.order(orderId).get("status").asText()).isEqualTo("ASSIGNMENT_PENDING");
        assertThat(api.metric("saga_held_for_consumer_total{application=\"order-service\"}"))
                .isGreaterThanOrEqualTo(1);

        // the consumer passed the command — a moment ago, as far as order-service knows: the reply gets a whole reply
        // wait (1 s and its backoff) from the check that found it consumed; then no reply came: the deadline applies
        commitAtTheEnd();
        await().during(Duration.ofMillis(900))
                .atMost(Duration.ofSeconds(5))
                .until(() -> api.saga(sagaId).path("attempts").asInt() == 1);
        await().atMost(timeout()).until(() -> api.saga(sagaId).path("attempts").asInt() == 2);
        assertThat(api.saga(sagaId).path("status").asText()).isEqualTo("STARTED");

        // the consumer catches up with the re-sent command too: the last attempt times out, the saga is STUCK
        JsonNode order = await().atMost(timeout())
                .until(
                        () -> {
                            commitAtTheEnd();
                            return api.order(orderId);
                        },
                        o -> o.at("/assignment/status").asText().equals("STUCK"));
        assertThat(order.get("status").asText()).isEqualTo("CREATED");
        assertThat(order.at("/assignment/attempts").asInt()).isEqualTo(2);
    }

    // --- helpers -------------------------------------------------------------------------------------------

    /** Commits the group's offsets at the current end of every partition of the command topic. */
    private static void commitAtTheEnd() {
        List<TopicPartition> partitions = group.partitionsFor(Kafka.ORDER_EVENTS).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
        group.endOffsets(partitions).forEach((p, end) -> ends.put(p, new OffsetAndMetadata(end)));
        group.commitSync(ends);
    }

    private static Duration timeout() {
        return Duration.ofSeconds(30);
    }
}
