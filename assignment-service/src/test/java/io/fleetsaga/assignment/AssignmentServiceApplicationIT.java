package io.fleetsaga.assignment;

import static io.fleetsaga.assignment.support.OrderEvents.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.assignment.support.RealInfrastructureTest;
import io.fleetsaga.assignment.support.TopicReader;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.testing.ActuatorExposure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;

/** The order-events consumer against the real broker: idempotent, version-guarded, poison-proof. */
class AssignmentServiceApplicationIT extends RealInfrastructureTest {

    @Test
    void appliesEachOrderStateOnceAndNeverGoesBackToAnOlderVersion() {
        String orderId = "o-" + UUID.randomUUID();
        EventEnvelope v1 = state(orderId, null, "CREATED", 1);
        EventEnvelope v3 = state(orderId, null, "DELIVERING", 3);
        EventEnvelope v2 = state(orderId, null, "ASSIGNED", 2);

        send(v1);
        send(v1);
        send(v3);
        send(v2); // arrives after a newer state
        send(v3);

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
        assertThat(http(HttpMethod.GET, "/actuator/prometheus", null).getBody())
                .contains(
                        "inbox_duplicates_total{application=\"assignment-service\",consumer=\"assignment-service.order-events\"");
    }

    @Test
    void exposesExactlyTheDocumentedActuatorEndpoints() {
        ActuatorExposure.assertExactlyAsDocumented(
                (user, path) -> httpAs(user, HttpMethod.GET, path, null), "ops", "dispatcher");
    }

    @Test
    void aPoisonRecordGoesToTheDeadLetterTopicAndThePartitionKeepsFlowing() {
        String orderId = "o-" + UUID.randomUUID();
        send(new ProducerRecord<>(ORDER_EVENTS, orderId, "{not an envelope".getBytes(StandardCharsets.UTF_8)));
        send(state(orderId, null, "CREATED", 1));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> jdbc.queryForList(
                                "SELECT status FROM order_mirror WHERE order_id = ?", String.class, orderId)
                        .equals(List.of("CREATED")));
        try (TopicReader dlt = new TopicReader(ORDER_EVENTS_DLT)) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !dlt.matching(r -> orderId.equals(r.key())).isEmpty());
            assertThat(dlt.matching(r -> orderId.equals(r.key())))
                    .singleElement()
                    .satisfies(record -> {
                        assertThat(record.value()).isEqualTo("{not an envelope");
                        assertThat(record.headers().lastHeader("kafka_dlt-exception-fqcn"))
                                .isNotNull();
                    });
        }
        assertThat(http(HttpMethod.GET, "/actuator/prometheus", null).getBody())
                .contains("kafka_dead_letters_total{application=\"assignment-service\",topic=\"fleet.order.events\"");
    }

    @Test
    void aStateThatIsNotAboutTheRecordsOrderIsDeadLetteredAtOnce() {
        String orderId = "o-" + UUID.randomUUID();
        EventEnvelope wrongOrder = state("o-other-" + UUID.randomUUID(), null, "CREATED", 1);
        send(new ProducerRecord<>(
                ORDER_EVENTS,
                orderId,
                bytes(new EventEnvelope(
                        wrongOrder.eventId(),
                        wrongOrder.type(),
                        wrongOrder.aggregateType(),
                        orderId,
                        1L,
                        wrongOrder.occurredAt(),
                        null,
                        wrongOrder.payload()))));

        try (TopicReader dlt = new TopicReader(ORDER_EVENTS_DLT)) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !dlt.matching(r -> orderId.equals(r.key())).isEmpty());
        }
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM inbox_message WHERE message_id = ?",
                        Integer.class,
                        wrongOrder.eventId().toString()))
                .isZero();
    }
}
