package io.fleetsaga.order.saga;

import static io.fleetsaga.order.support.Api.json;
import static io.fleetsaga.order.support.Kafka.ofType;
import static io.fleetsaga.order.support.Kafka.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.infra.Concurrently;
import io.fleetsaga.infra.SpringInfrastructure;
import io.fleetsaga.order.support.Api;
import io.fleetsaga.order.support.Kafka;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;
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
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The saga "assign order" against the real database and broker; the test plays assignment-service: it reads
 * the commands on {@code fleet.order.events} and publishes replies to {@code fleet.assignment.events}.
 * Short saga timeouts: an attempt waits 2 s, the third attempt is the last.
 */
@AutoConfigureTestRestTemplate
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.kafka.consumer.group-id=order-service-assignment-saga-it",
            "fleetsaga.outbox.poll-interval=50ms",
            "fleetsaga.saga.timeout=2s",
            "fleetsaga.saga.max-attempts=3",
            "fleetsaga.saga.backoff.initial-delay=100ms",
            "fleetsaga.saga.backoff.max-delay=200ms",
            "fleetsaga.saga.check-interval=100ms"
        })
@AutoConfigureMetrics
@AutoConfigureTracing
@DirtiesContext
class AssignmentSagaIT {

    static Kafka kafka;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SpringInfrastructure.register(
                registry, "order_saga_" + UUID.randomUUID().toString().substring(0, 8));
    }

    @BeforeAll
    static void kafka() {
        kafka = new Kafka();
    }

    @AfterAll
    static void closeKafka() {
        kafka.close();
    }

    @Autowired
    TestRestTemplate rest;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @Autowired
    SagaDeadlineChecker checker;

    Api api;

    @BeforeEach
    void api() {
        api = new Api(rest);
        Kafka.awaitAssigned(listeners, "assignment-events");
    }

    @Test
    void aLinkedReplyConfirmsTheSagaAndTheOrderIsAssigned() {
        String orderId = api.createOrder();
        String sagaId = api.assign(orderId, "t-1");

        EventEnvelope command = kafka.awaitOrderEvents(orderId, ofType("AssignOrderRequested"), 1, timeout())
                .get(0);
        JsonNode requested = payload(command);
        assertThat(requested.get("sagaId").asText()).isEqualTo(sagaId);
        assertThat(requested.get("taskId").asText()).isEqualTo("t-1");
        assertThat(requested.get("orderVersion").asLong()).isEqualTo(1);
        assertThat(command.aggregateType()).isEqualTo("FleetOrder");
        JsonNode pending = payload(kafka.awaitOrderEvents(orderId, ofType("OrderStateChanged"), 2, timeout())
                .get(1));
        assertThat(pending.get("status").asText()).isEqualTo("ASSIGNMENT_PENDING");
        assertThat(pending.get("taskId").asText()).isEqualTo("t-1");
        assertThat(pending.get("version").asLong()).isEqualTo(1);

        kafka.linked(sagaId, orderId, "t-1");

        JsonNode order = awaitOrder(orderId, o -> o.get("status").asText().equals("ASSIGNED"));
        assertThat(order.get("taskId").asText()).isEqualTo("t-1");
        assertThat(order.at("/assignment/status").asText()).isEqualTo("CONFIRMED");
        JsonNode assigned = payload(kafka.awaitOrderEvents(orderId, ofType("OrderStateChanged"), 3, timeout())
                .get(2));
        assertThat(assigned.get("status").asText()).isEqualTo("ASSIGNED");
        assertThat(assigned.get("version").asLong()).isEqualTo(2);
        assertThat(api.metric("saga_outcomes_total{application=\"order-service\",outcome=\"confirmed\"}"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void aRejectionCompensatesTheOrderBackToCreatedWithTheReason() {
        String orderId = api.createOrder();
        String sagaId = api.assign(orderId, "t-full");

        kafka.rejected(sagaId, orderId, "t-full", "TASK_FULL", "task t-full has 20 of 20 orders");

        JsonNode order = awaitOrder(orderId, o -> o.get("status").asText().equals("CREATED"));
        assertThat(order.get("taskId").isNull()).isTrue();
        assertThat(order.get("statusReason").asText()).isEqualTo("TASK_FULL: task t-full has 20 of 20 orders");
        assertThat(order.at("/assignment/status").asText()).isEqualTo("COMPENSATED");
        assertThat(order.at("/assignment/reason").asText()).startsWith("TASK_FULL");
        assertThat(Api.actions(order)).containsExactly("CREATE", "ASSIGN", "COMPENSATE_ASSIGNMENT");
        JsonNode released = payload(kafka.awaitOrderEvents(orderId, ofType("OrderStateChanged"), 3, timeout())
                .get(2));
        assertThat(released.get("status").asText()).isEqualTo("CREATED");
        assertThat(released.get("taskId").isNull()).isTrue();

        // compensated orders can be assigned again
        assertThat(api.post("/api/orders/" + orderId + "/assignment", "{\"taskId\":\"t-2\"}")
                        .getStatusCode())
                .isEqualTo(HttpStatus.ACCEPTED);
    }

    @Test
    void duplicateAndLateRepliesChangeNothing() {
        String orderId = api.createOrder();
        String sagaId = api.assign(orderId, "t-1");
        EventEnvelope linked = kafka.linked(sagaId, orderId, "t-1");
        awaitOrder(orderId, o -> o.get("status").asText().equals("ASSIGNED"));

        kafka.send(linked); // redelivered: same event id
        EventEnvelope answeredAgain = kafka.linked(sagaId, orderId, "t-1"); // a re-sent command answered again
        EventEnvelope late = kafka.rejected(sagaId, orderId, "t-1", "TASK_CLOSED", "too late");
        EventEnvelope unknownSaga = kafka.linked(UUID.randomUUID().toString(), orderId, "t-1");
        awaitProcessed(answeredAgain, late, unknownSaga);

        JsonNode order = api.order(orderId);
        assertThat(order.get("status").asText()).isEqualTo("ASSIGNED");
        assertThat(order.get("version").asLong()).isEqualTo(2);
        assertThat(order.at("/assignment/status").asText()).isEqualTo("CONFIRMED");
        assertThat(Api.actions(order)).containsExactly("CREATE", "ASSIGN", "CONFIRM_ASSIGNMENT");
        assertThat(api.metric("inbox_duplicates_total{application=\"order-service\","
                        + "consumer=\"order-service.assignment-events\"}"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void aReplyAfterTheOrderWasCancelledChangesNothing() {
        String orderId = api.createOrder();
        String sagaId = api.assign(orderId, "t-1");
        assertThat(api.post("/api/orders/" + orderId + "/cancellation", "{\"reason\":\"customer withdrew\"}")
                        .getStatusCode())
                .isEqualTo(HttpStatus.OK);

        awaitProcessed(kafka.linked(sagaId, orderId, "t-1"));

        JsonNode order = api.order(orderId);
        assertThat(order.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(order.at("/assignment/status").asText()).isEqualTo("COMPENSATED");
        assertThat(order.at("/assignment/reason").asText()).isEqualTo("order cancelled: customer withdrew");
        assertThat(Api.actions(order)).containsExactly("CREATE", "ASSIGN", "CANCEL");
        // no command is sent again for a saga that ended
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM outbox_event WHERE aggregate_id = ? AND event_type = 'AssignOrderRequested'",
                        Integer.class,
                        orderId))
                .isEqualTo(1);
    }

    @Test
    void withoutReplyTheCommandIsSentAgainWithTheSameSagaIdThenTheSagaIsStuckAndListed() {
        String orderId = api.createOrder();
        String sagaId = api.assign(orderId, "t-silent");

        List<EventEnvelope> commands =
                kafka.awaitOrderEvents(orderId, ofType("AssignOrderRequested"), 3, Duration.ofSeconds(60));

        assertThat(commands).hasSize(3);
        assertThat(commands.stream().map(EventEnvelope::eventId).distinct()).hasSize(3);
        assertThat(commands).allSatisfy(c -> {
            assertThat(payload(c).get("sagaId").asText()).isEqualTo(sagaId);
            assertThat(payload(c).get("orderVersion").asLong()).isEqualTo(1);
        });
        JsonNode order =
                awaitOrder(orderId, o -> o.at("/assignment/status").asText().equals("STUCK"));
        assertThat(order.get("status").asText()).isEqualTo("CREATED");
        assertThat(order.get("taskId").isNull()).isTrue();
        assertThat(order.get("statusReason").asText()).isEqualTo("no reply from assignment-service");
        assertThat(order.at("/assignment/attempts").asInt()).isEqualTo(3);

        JsonNode stuck = json(api.as(Api.OPS).get("/api/ops/sagas?status=STUCK"));
        assertThat(StreamSupport.stream(stuck.get("sagas").spliterator(), false)
                        .map(s -> s.get("id").asText()))
                .contains(sagaId);
        await().atMost(timeout()).until(() -> api.metric("saga_stuck{application=\"order-service\"}") >= 1);
        assertThat(api.metric("saga_outcomes_total{application=\"order-service\",outcome=\"stuck\"}"))
                .isGreaterThanOrEqualTo(1);

        // a reply that arrives after all changes nothing
        awaitProcessed(kafka.linked(sagaId, orderId, "t-silent"));
        assertThat(api.order(orderId).get("status").asText()).isEqualTo("CREATED");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM outbox_event WHERE aggregate_id = ? AND event_type = 'AssignOrderRequested'",
                        Integer.class,
                        orderId))
                .isEqualTo(3);
    }

    @Test
    void concurrentDeadlineCheckersSendEachRetryOnce() throws Exception {
        String orderId = api.createOrder();
        String sagaId = api.assign(orderId, "t-1");
        // the deadline runs from the command's acknowledgement: wait for it, then move both into the past
        await().atMost(timeout())
                .until(() -> jdbc.queryForObject(
                                "SELECT COUNT(*) FROM outbox_event WHERE aggregate_id = ?"
                                        + " AND event_type = 'AssignOrderRequested' AND status = 'SENT'",
                                Integer.class,
                                orderId)
                        == 1);
        jdbc.update(
                "UPDATE outbox_event SET sent_at = sent_at - INTERVAL 10 SECOND WHERE aggregate_id = ?"
                        + " AND event_type = 'AssignOrderRequested'",
                orderId);
        jdbc.update(
                "UPDATE assignment_saga SET deadline_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE id = ?", sagaId);

        Callable<Boolean> check = () -> {
            checker.check();
            return true;
        };
        Concurrently.run(List.of(check, check, check, check));

        assertThat(jdbc.queryForObject("SELECT attempts FROM assignment_saga WHERE id = ?", Integer.class, sagaId))
                .isEqualTo(2);
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM outbox_event WHERE aggregate_id = ? AND event_type = 'AssignOrderRequested'",
                        Integer.class,
                        orderId))
                .isEqualTo(2);
        kafka.linked(sagaId, orderId, "t-1");
        awaitOrder(orderId, o -> o.get("status").asText().equals("ASSIGNED"));
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private JsonNode awaitOrder(String orderId, Predicate<JsonNode> condition) {
        return await().atMost(timeout()).until(() -> api.order(orderId), condition);
    }

    /** Waits until the inbox recorded each reply: processed (with or without effect) and committed. */
    private void awaitProcessed(EventEnvelope... replies) {
        for (EventEnvelope reply : replies) {
            await().atMost(timeout())
                    .until(() -> jdbc.queryForObject(
                                    "SELECT COUNT(*) FROM inbox_message WHERE consumer = ? AND message_id = ?",
                                    Integer.class,
                                    "order-service.assignment-events",
                                    reply.eventId().toString())
                            == 1);
        }
    }

    private static Duration timeout() {
        return Duration.ofSeconds(30);
    }
}
