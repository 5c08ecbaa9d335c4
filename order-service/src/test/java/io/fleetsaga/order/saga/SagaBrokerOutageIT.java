package io.fleetsaga.order.saga;

import static io.fleetsaga.order.support.Kafka.ofType;
import static io.fleetsaga.order.support.Kafka.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.infra.KafkaBrokerProcess;
import io.fleetsaga.infra.SpringInfrastructure;
import io.fleetsaga.order.support.Api;
import io.fleetsaga.order.support.Kafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.micrometer.tracing.test.autoconfigure.AutoConfigureTracing;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Incident I-4 at the saga (ARCHITECTURE rule 8): a step's deadline runs from the moment the broker acknowledged
 * its command, so a broker that is frozen for longer than all attempts together ({@code timeout × max-attempts}
 * and the backoff) compensates nothing, re-sends nothing, and the sagas confirm once the broker is back. A
 * command that is parked holds its saga too, visibly. The test plays assignment-service (as {@link
 * AssignmentSagaIT} does) on a broker of its own, which it freezes with SIGSTOP without disturbing other tests.
 *
 * <p>Saga settings: an attempt waits 2 s for a reply, the second attempt is the last, so without the rule a saga
 * gives up about 4.2 s after it started. The outages below last 7 s.
 *
 * <p>These tests prove the acknowledgement rule by itself, so the checker does not wait for assignment-service's
 * consumer ({@code wait-for-consumer=false}): with it, a broker frozen after the acknowledgement cannot be asked
 * about the group's offsets and would hold the first attempt as well (see {@link SagaConsumerBacklogIT}).
 */
@AutoConfigureTestRestTemplate
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.kafka.consumer.group-id=order-service-saga-outage-it",
            "fleetsaga.outbox.poll-interval=50ms",
            "fleetsaga.outbox.retry.initial-delay=100ms",
            "fleetsaga.outbox.retry.max-delay=1s",
            "fleetsaga.outbox.kafka.max-block=1s",
            "fleetsaga.outbox.kafka.delivery-timeout=2s",
            "fleetsaga.outbox.publish-timeout=3s",
            "fleetsaga.outbox.claim-timeout=5s",
            "fleetsaga.outbox.stats-interval=200ms",
            "fleetsaga.saga.timeout=2s",
            "fleetsaga.saga.max-attempts=2",
            "fleetsaga.saga.backoff.initial-delay=100ms",
            "fleetsaga.saga.backoff.max-delay=200ms",
            "fleetsaga.saga.check-interval=100ms",
            "fleetsaga.saga.stats-interval=200ms",
            "fleetsaga.saga.wait-for-consumer=false"
        })
@AutoConfigureMetrics
@AutoConfigureTracing
@DirtiesContext
class SagaBrokerOutageIT {

    /** Longer than both attempts with their backoff (2 × 2 s + 0.2 s). */
    static final Duration OUTAGE = Duration.ofSeconds(7);

    static KafkaBrokerProcess broker;
    static Kafka kafka;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SpringInfrastructure.register(
                registry, "order_saga_outage_" + UUID.randomUUID().toString().substring(0, 8));
        registry.add("spring.kafka.bootstrap-servers", () -> broker().bootstrapServers());
    }

    static synchronized KafkaBrokerProcess broker() {
        if (broker == null) {
            try {
                broker = KafkaBrokerProcess.start(Files.createTempDirectory("saga-outage-broker"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return broker;
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Autowired
    TestRestTemplate rest;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    Api api;

    @BeforeEach
    void api() {
        api = new Api(rest);
        if (kafka == null) {
            kafka = new Kafka(broker().bootstrapServers());
        }
        Kafka.awaitAssigned(listeners, "assignment-events");
    }

    @AfterEach
    void brokerRuns() {
        if (broker.isPaused()) {
            broker.resume();
        }
    }

    @Test
    void aFrozenBrokerLongerThanAllAttemptsCompensatesNothingAndTheSagasConfirmAfterwards() {
        List<String> orders = List.of(api.createOrder(), api.createOrder(), api.createOrder());

        broker.pause();
        List<String> sagas = orders.stream().map(o -> api.assign(o, "t-1")).toList();
        await().during(OUTAGE)
                .atMost(OUTAGE.plusSeconds(10))
                .until(() -> orders.stream().allMatch(this::waitsForTheBroker));
        broker.resume();

        for (int i = 0; i < orders.size(); i++) {
            EventEnvelope command = kafka.awaitOrderEvents(orders.get(i), ofType("AssignOrderRequested"), 1, timeout())
                    .get(0);
            assertThat(payload(command).get("sagaId").asText()).isEqualTo(sagas.get(i));
            kafka.linked(sagas.get(i), orders.get(i), "t-1");
        }
        for (String orderId : orders) {
            JsonNode order = await().atMost(timeout())
                    .until(
                            () -> api.order(orderId),
                            o -> o.get("status").asText().equals("ASSIGNED"));
            assertThat(order.at("/assignment/status").asText()).isEqualTo("CONFIRMED");
            assertThat(order.at("/assignment/attempts").asInt())
                    .as("no command was sent again while the first one waited for the broker")
                    .isEqualTo(1);
            assertThat(Api.actions(order)).containsExactly("CREATE", "ASSIGN", "CONFIRM_ASSIGNMENT");
            assertThat(commandRows(orderId)).isEqualTo(1);
        }
        assertThat(api.metric("saga_outcomes_total{application=\"order-service\",outcome=\"stuck\"}"))
                .isZero();
    }

    @Test
    void aResentCommandWaitsForItsOwnAcknowledgementBeforeTheLastAttemptCanTimeOut() {
        String orderId = api.createOrder();
        String sagaId = api.assign(orderId, "t-silent");
        await().atMost(timeout())
                .until(() -> "SENT".equals(api.saga(sagaId).path("command").asText()));

        broker.pause(); // the first command reached the broker; its re-send will not
        await().atMost(timeout()).until(() -> api.saga(sagaId).path("attempts").asInt() == 2);
        await().during(OUTAGE)
                .atMost(OUTAGE.plusSeconds(10))
                .until(() -> waitsForTheBroker(orderId)
                        && api.saga(sagaId).path("attempts").asInt() == 2);
        broker.resume();

        List<EventEnvelope> commands = kafka.awaitOrderEvents(orderId, ofType("AssignOrderRequested"), 2, timeout());
        assertThat(commands.stream().map(EventEnvelope::eventId).distinct()).hasSize(2);
        kafka.linked(sagaId, orderId, "t-silent");
        JsonNode order = await().atMost(timeout())
                .until(() -> api.order(orderId), o -> o.get("status").asText().equals("ASSIGNED"));
        assertThat(order.at("/assignment/status").asText()).isEqualTo("CONFIRMED");
    }

    @Test
    void aParkedCommandHoldsItsSagaVisiblyUntilItIsRequeued() {
        String orderId = api.createOrder();
        broker.pause();
        String sagaId = api.assign(orderId, "t-1");
        String commandId = jdbc.queryForObject(
                "SELECT event_id FROM outbox_event WHERE aggregate_id = ? AND event_type = 'AssignOrderRequested'",
                String.class,
                orderId);
        // a record failure (e.g. refused by the broker) parks the command; simulated on the row
        assertThat(jdbc.update(
                        "UPDATE outbox_event SET status = 'PARKED', parked_at = UTC_TIMESTAMP(6),"
                                + " last_error = 'simulated: record refused' WHERE event_id = ?",
                        commandId))
                .isEqualTo(1);
        broker.resume();

        await().during(OUTAGE).atMost(OUTAGE.plusSeconds(10)).until(() -> {
            JsonNode saga = api.saga(sagaId);
            return saga.path("status").asText().equals("STARTED")
                    && saga.path("command").asText().equals("PARKED")
                    && saga.path("deadlineAt").isNull();
        });
        assertThat(api.saga(sagaId).path("commandEventId").asText()).isEqualTo(commandId);
        assertThat(api.order(orderId).at("/assignment/command").asText()).isEqualTo("PARKED");
        await().atMost(timeout())
                .until(() -> api.metric("saga_running{application=\"order-service\",command=\"parked\"}") >= 1);

        ResponseEntity<String> requeued =
                api.as(Api.OPS).post("/api/ops/outbox/parked/" + commandId + "/requeue", "{}");
        assertThat(requeued.getStatusCode()).isEqualTo(HttpStatus.OK);
        kafka.awaitOrderEvents(orderId, ofType("AssignOrderRequested"), 1, timeout());
        kafka.linked(sagaId, orderId, "t-1");
        JsonNode order = await().atMost(timeout())
                .until(() -> api.order(orderId), o -> o.get("status").asText().equals("ASSIGNED"));
        assertThat(order.at("/assignment/attempts").asInt()).isEqualTo(1);
    }

    @Test
    void aSentCommandWhoseOutboxRowWasCleanedUpTimesOutAsIfSentLongAgo() {
        String orderId = api.createOrder();
        String sagaId = api.assign(orderId, "t-silent");
        await().atMost(timeout())
                .until(() -> "SENT".equals(api.saga(sagaId).path("command").asText()));

        jdbc.update("DELETE FROM outbox_event WHERE aggregate_id = ? AND event_type = 'AssignOrderRequested'", orderId);

        await().atMost(timeout()).until(() -> api.saga(sagaId).path("attempts").asInt() == 2);
        kafka.linked(sagaId, orderId, "t-silent");
        await().atMost(timeout())
                .until(() -> api.order(orderId).get("status").asText().equals("ASSIGNED"));
    }

    // --- helpers -------------------------------------------------------------------------------------------

    /** The order's saga still runs, the order still waits, and no command was sent again. */
    private boolean waitsForTheBroker(String orderId) {
        JsonNode order = api.order(orderId);
        return order.get("status").asText().equals("ASSIGNMENT_PENDING")
                && order.at("/assignment/status").asText().equals("STARTED");
    }

    private int commandRows(String orderId) {
        return jdbc.queryForObject(
                "SELECT COUNT(*) FROM outbox_event WHERE aggregate_id = ? AND event_type = 'AssignOrderRequested'",
                Integer.class,
                orderId);
    }

    private static Duration timeout() {
        return Duration.ofSeconds(30);
    }
}
