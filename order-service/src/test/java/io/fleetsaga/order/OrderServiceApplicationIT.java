package io.fleetsaga.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.common.testing.ActuatorExposure;
import io.fleetsaga.infra.SpringInfrastructure;
import io.fleetsaga.order.support.Api;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.micrometer.tracing.test.autoconfigure.AutoConfigureTracing;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

@AutoConfigureTestRestTemplate
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "fleetsaga.outbox.poll-interval=50ms")
@AutoConfigureMetrics
@AutoConfigureTracing
@DirtiesContext
class OrderServiceApplicationIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SpringInfrastructure.register(
                registry, "order_app_" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Autowired
    TestRestTemplate rest;

    @Autowired
    JdbcTemplate jdbc;

    Api http;

    @BeforeEach
    void api() {
        http = new Api(rest);
    }

    @Test
    void createsAnOrderAndPublishesItsStateThroughTheOutbox() {
        String orderId = "o-" + UUID.randomUUID();

        ResponseEntity<String> response = http.post("/api/orders", "{\"orderId\":\"" + orderId + "\"}");

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(response.getHeaders().getETag()).isEqualTo("\"0\"");
        assertThat(response.getHeaders().getLocation()).hasPath("/api/orders/" + orderId);
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> jdbc.queryForObject(
                                "SELECT status FROM outbox_event WHERE aggregate_id = ?", String.class, orderId),
                        "SENT"::equals);
        assertThat(http.get("/api/orders/" + orderId).getBody()).contains("\"status\":\"CREATED\"");
    }

    @Test
    void answersBadInputWithProblemDetails() {
        ResponseEntity<String> invalid = http.post("/api/orders", "{\"orderId\":\"  \"}");
        assertThat(invalid.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(invalid.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

        ResponseEntity<String> unreadable = http.post("/api/orders", "{not json");
        assertThat(unreadable.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(unreadable.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

        ResponseEntity<String> missing = http.get("/api/orders/nope");
        assertThat(missing.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(missing.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

        String orderId = "o-" + UUID.randomUUID();
        http.post("/api/orders", "{\"orderId\":\"" + orderId + "\"}");
        ResponseEntity<String> duplicate = http.post("/api/orders", "{\"orderId\":\"" + orderId + "\"}");
        assertThat(duplicate.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(duplicate.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void exposesHealthGroupsAndKitMetricsForPrometheus() {
        assertThat(http.get("/actuator/health/liveness").getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(http.get("/actuator/health/readiness").getStatusCode()).isEqualTo(HttpStatus.OK);
        String metrics = http.get("/actuator/prometheus").getBody();
        assertThat(metrics)
                .contains("outbox_events_pending{application=\"order-service\"")
                .contains("outbox_events_parked")
                .contains("outbox_oldest_pending_age_seconds");
    }

    @Test
    void exposesExactlyTheDocumentedActuatorEndpoints() {
        ActuatorExposure.assertExactlyAsDocumented((user, path) -> http.as(user).get(path), Api.OPS, Api.DISPATCHER);
    }

    @Test
    void enforcesRolesWithProblemDetails() {
        ResponseEntity<String> anonymous = http.as(null).get("/api/orders/any");
        assertThat(anonymous.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(anonymous.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

        ResponseEntity<String> opsCommand = http.as(Api.OPS).post("/api/orders", "{\"orderId\":\"by-ops\"}");
        assertThat(opsCommand.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(opsCommand.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

        assertThat(http.as(Api.OPS).get("/api/orders/nope").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(http.as(Api.OPS).get("/api/ops/sagas?status=STUCK").getStatusCode())
                .isEqualTo(HttpStatus.OK);
        assertThat(http.get("/api/ops/sagas?status=STUCK").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    @Test
    void opsListAndRequeueParkedOutboxEvents() {
        String eventId = UUID.randomUUID().toString();
        jdbc.update(
                "INSERT INTO outbox_event (event_id, topic, aggregate_type, aggregate_id, aggregate_version,"
                        + " event_type, occurred_at, payload, status, attempts, created_at, next_attempt_at,"
                        + " last_error, parked_at) VALUES (?, 'fleet.order.events', 'FleetOrder', ?, 1,"
                        + " 'OrderStateChanged', UTC_TIMESTAMP(6), '{\"orderId\":\"parked\"}', 'PARKED', 12,"
                        + " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), 'broker said no', UTC_TIMESTAMP(6))",
                eventId,
                "o-parked-" + eventId);

        ResponseEntity<String> parked = http.as(Api.OPS).get("/api/ops/outbox/parked");
        assertThat(parked.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(parked.getBody()).contains(eventId).contains("broker said no");
        assertThat(http.get("/api/ops/outbox/parked").getStatusCode())
                .as("dispatchers may not")
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(http.as(Api.OPS).get("/api/ops/outbox").getBody()).contains("\"parked\":1");

        ResponseEntity<String> requeued = http.as(Api.OPS).post("/api/ops/outbox/parked/" + eventId + "/requeue", null);
        assertThat(requeued.getStatusCode()).isEqualTo(HttpStatus.OK);
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> jdbc.queryForObject(
                                "SELECT status FROM outbox_event WHERE event_id = ?", String.class, eventId),
                        "SENT"::equals);
        ResponseEntity<String> again = http.as(Api.OPS).post("/api/ops/outbox/parked/" + eventId + "/requeue", null);
        assertThat(again.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(again.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(http.as(Api.OPS)
                        .post("/api/ops/outbox/parked/not-a-uuid/requeue", null)
                        .getStatusCode())
                .isEqualTo(HttpStatus.BAD_REQUEST);
    }

    /** Issue 9: parked events of one order requeued in one call; the relay lanes' state in the backlog. */
    @Test
    void opsRequeueTheParkedEventsOfAnOrderInBulkAndSeeTheRelayLanes() {
        String orderId = "o-bulk-" + UUID.randomUUID();
        List<String> eventIds =
                List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
        for (int i = 0; i < eventIds.size(); i++) {
            jdbc.update(
                    "INSERT INTO outbox_event (event_id, topic, aggregate_type, aggregate_id, aggregate_version,"
                            + " event_type, occurred_at, payload, status, attempts, created_at, next_attempt_at,"
                            + " last_error, parked_at) VALUES (?, 'fleet.order.events', 'FleetOrder', ?, ?,"
                            + " 'OrderStateChanged', UTC_TIMESTAMP(6), '{}', 'PARKED', 1,"
                            + " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), 'refused', UTC_TIMESTAMP(6))",
                    eventIds.get(i),
                    orderId,
                    i + 1);
        }
        String bulk = "/api/ops/outbox/parked/requeue?aggregateType=FleetOrder&aggregateId=" + orderId;

        assertThat(http.post(bulk, null).getStatusCode())
                .as("dispatchers may not")
                .isEqualTo(HttpStatus.FORBIDDEN);
        ResponseEntity<String> requeued = http.as(Api.OPS).post(bulk, null);

        assertThat(requeued.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(requeued.getBody()).contains("\"requeued\":2");
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> jdbc.queryForObject(
                                "SELECT COUNT(*) FROM outbox_event WHERE aggregate_id = ? AND status = 'SENT'",
                                Integer.class,
                                orderId),
                        sent -> sent == 2);
        assertThat(http.as(Api.OPS).get("/api/ops/outbox").getBody())
                .contains("\"lanes\":[{\"lane\":\"kafka\",\"status\":\"UP\"");
        JsonNode health = Api.json(http.as(Api.OPS).get("/actuator/health"));
        assertThat(health.at("/components/outboxLanes/status").asText()).isEqualTo("UP");
        assertThat(health.at("/components/outboxLanes/details/kafka/status").asText())
                .as("the lanes in health details")
                .isEqualTo("UP");
        assertThat(health.at("/status").asText()).as("the service UP").isEqualTo("UP");
    }
}
