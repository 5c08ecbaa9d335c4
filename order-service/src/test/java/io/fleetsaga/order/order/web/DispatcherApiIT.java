package io.fleetsaga.order.order.web;

import static io.fleetsaga.order.support.Api.header;
import static io.fleetsaga.order.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.infra.Concurrently;
import io.fleetsaga.infra.SpringInfrastructure;
import io.fleetsaga.order.support.Api;
import io.fleetsaga.order.support.Kafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The dispatcher API over HTTP against the real database and broker. */
@AutoConfigureTestRestTemplate
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.kafka.consumer.group-id=order-service-dispatcher-api-it",
            "fleetsaga.outbox.poll-interval=50ms",
            "fleetsaga.saga.timeout=10m"
        })
@DirtiesContext
class DispatcherApiIT {

    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    static Kafka kafka;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SpringInfrastructure.register(
                registry, "order_api_" + UUID.randomUUID().toString().substring(0, 8));
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

    Api api;

    @BeforeEach
    void api() {
        api = new Api(rest);
        Kafka.awaitAssigned(listeners, "assignment-events");
    }

    @Test
    void takesAnOrderThroughItsWholeLifeCycle() {
        ResponseEntity<String> created = api.post("/api/orders", "{}");
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        String orderId = json(created).get("orderId").asText();
        assertThat(orderId).startsWith("o-");
        assertThat(created.getHeaders().getETag()).isEqualTo("\"0\"");

        ResponseEntity<String> assigned = api.post(path(orderId, "assignment"), "{\"taskId\":\"t-1\"}");
        assertThat(assigned.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        assertThat(assigned.getHeaders().getETag()).isEqualTo("\"1\"");
        assertThat(assigned.getHeaders().getLocation()).hasPath("/api/orders/" + orderId);
        String sagaId = json(assigned).get("sagaId").asText();
        assertThat(json(assigned).at("/order/status").asText()).isEqualTo("ASSIGNMENT_PENDING");

        JsonNode pending = order(orderId);
        assertThat(pending.get("status").asText()).isEqualTo("ASSIGNMENT_PENDING");
        assertThat(pending.get("taskId").asText()).isEqualTo("t-1");
        assertThat(pending.at("/assignment/sagaId").asText()).isEqualTo(sagaId);
        assertThat(pending.at("/assignment/status").asText()).isEqualTo("STARTED");

        kafka.linked(sagaId, orderId, "t-1");
        awaitStatus(orderId, "ASSIGNED");

        ResponseEntity<String> pickedUp = api.post(path(orderId, "pickup"), null);
        assertThat(pickedUp.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(json(pickedUp).get("status").asText()).isEqualTo("DELIVERING");
        ResponseEntity<String> delivered = api.post(path(orderId, "delivery"), null);
        assertThat(delivered.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(delivered.getHeaders().getETag()).isEqualTo("\"4\"");

        ResponseEntity<String> read = api.get("/api/orders/" + orderId);
        assertThat(read.getHeaders().getETag()).isEqualTo("\"4\"");
        JsonNode order = json(read);
        assertThat(order.get("status").asText()).isEqualTo("DELIVERED");
        assertThat(order.get("taskId").asText()).isEqualTo("t-1");
        assertThat(order.at("/assignment/status").asText()).isEqualTo("CONFIRMED");
        assertThat(actions(order)).containsExactly("CREATE", "ASSIGN", "CONFIRM_ASSIGNMENT", "PICK_UP", "DELIVER");
        assertThat(StreamSupport.stream(order.get("history").spliterator(), false)
                        .map(h -> h.get("version").asLong()))
                .containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(order.at("/history/1/from").asText()).isEqualTo("CREATED");
        assertThat(order.at("/history/1/to").asText()).isEqualTo("ASSIGNMENT_PENDING");
        // every change published its state, the saga its command — all through the outbox
        assertThat(jdbc.queryForList(
                        "SELECT event_type FROM outbox_event WHERE aggregate_id = ? ORDER BY id",
                        String.class,
                        orderId))
                .containsExactly(
                        "OrderStateChanged",
                        "OrderStateChanged",
                        "AssignOrderRequested",
                        "OrderStateChanged",
                        "OrderStateChanged",
                        "OrderStateChanged");
    }

    @Test
    void aFailedDeliveryIsReceivedBackAtTheHubAndAssignedAgain() {
        String orderId = inStatus("DELIVERING");

        ResponseEntity<String> failed = api.post(path(orderId, "delivery-failure"), "{\"reason\":\"nobody home\"}");
        assertThat(failed.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(json(failed).get("status").asText()).isEqualTo("ON_HOLD");
        assertThat(json(failed).get("statusReason").asText()).isEqualTo("nobody home");

        ResponseEntity<String> received = api.post(path(orderId, "receipt"), null);
        assertThat(json(received).get("status").asText()).isEqualTo("RECEIVED");
        assertThat(json(received).get("taskId").isNull()).isTrue();

        ResponseEntity<String> again = api.post(path(orderId, "assignment"), "{\"taskId\":\"t-2\"}");
        assertThat(again.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        assertThat(order(orderId).get("taskId").asText()).isEqualTo("t-2");
    }

    @Test
    void rejectsAnIllegalTransitionWithAConflictNamingTheCurrentStatus() {
        String orderId = create();

        ResponseEntity<String> response = api.post(path(orderId, "delivery"), null);

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        JsonNode problem = json(response);
        assertThat(problem.get("currentStatus").asText()).isEqualTo("CREATED");
        assertThat(problem.get("action").asText()).isEqualTo("DELIVER");
        assertThat(problem.get("detail").asText()).contains("CREATED");
        assertThat(order(orderId).get("version").asLong()).isZero();
    }

    @Test
    void aStaleIfMatchIsAPreconditionFailureAndChangesNothing() {
        String orderId = create();
        api.post(path(orderId, "assignment"), "{\"taskId\":\"t-1\"}"); // version 1 now

        ResponseEntity<String> stale = api.post(
                path(orderId, "cancellation"),
                "{\"reason\":\"changed my mind\"}",
                header(HttpHeaders.IF_MATCH, "\"0\""));

        assertThat(stale.getStatusCode()).isEqualTo(HttpStatus.PRECONDITION_FAILED);
        assertThat(stale.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(json(stale).get("currentVersion").asLong()).isEqualTo(1);
        assertThat(order(orderId).get("status").asText()).isEqualTo("ASSIGNMENT_PENDING");

        ResponseEntity<String> current = api.post(
                path(orderId, "cancellation"),
                "{\"reason\":\"changed my mind\"}",
                header(HttpHeaders.IF_MATCH, "\"1\""));

        assertThat(current.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(current.getHeaders().getETag()).isEqualTo("\"2\"");
        JsonNode cancelled = order(orderId);
        assertThat(cancelled.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.at("/assignment/status").asText()).isEqualTo("COMPENSATED");
        assertThat(cancelled.at("/assignment/reason").asText()).contains("order cancelled");
    }

    @Test
    void anIfMatchListMatchesWhenItNamesTheCurrentVersion() {
        String orderId = create();
        api.post(path(orderId, "assignment"), "{\"taskId\":\"t-1\"}"); // version 1 now

        ResponseEntity<String> listed = api.post(
                path(orderId, "cancellation"),
                "{\"reason\":\"changed my mind\"}",
                header(HttpHeaders.IF_MATCH, "\"3\", \"1\""));

        assertThat(listed.getStatusCode()).as(listed.getBody()).isEqualTo(HttpStatus.OK);
        assertThat(listed.getHeaders().getETag()).isEqualTo("\"2\"");
    }

    @Test
    void anIfMatchThatNamesNoVersionOfOursIs412NamingTheCurrentOne() {
        String orderId = create();

        for (String foreign : List.of("\"abc\"", "W/\"0\"", "\"-1\"")) {
            ResponseEntity<String> refused =
                    api.post(path(orderId, "pickup"), null, header(HttpHeaders.IF_MATCH, foreign));

            assertThat(refused.getStatusCode()).as(foreign).isEqualTo(HttpStatus.PRECONDITION_FAILED);
            JsonNode problem = json(refused);
            assertThat(problem.get("type").asText()).isEqualTo("urn:fleet-saga:problem:version-mismatch");
            assertThat(problem.get("currentVersion").asLong()).isZero();
            assertThat(problem.get("detail").asText()).contains("at version 0; If-Match names no version");
        }
    }

    @Test
    void aMalformedIfMatchIs400AndChangesNothing() {
        String orderId = create();

        for (String malformed : List.of("0", "\"0", "\"0\" \"1\"", "*, \"0\"")) {
            ResponseEntity<String> refused =
                    api.post(path(orderId, "pickup"), null, header(HttpHeaders.IF_MATCH, malformed));

            assertThat(refused.getStatusCode()).as(malformed).isEqualTo(HttpStatus.BAD_REQUEST);
            JsonNode problem = json(refused);
            assertThat(problem.get("type").asText()).isEqualTo("urn:fleet-saga:problem:invalid-request");
            assertThat(problem.path("errors").findValuesAsString("field")).containsExactly("If-Match");
        }
        assertThat(order(orderId).get("version").asLong()).isZero();
    }

    @Test
    void aBodyWithContentAfterItIsRefusedAndCreatesNothing() {
        String first = newId();
        String second = newId();

        ResponseEntity<String> trailing = api.post("/api/orders", "{\"orderId\":\"" + first + "\"} xyz");
        ResponseEntity<String> two =
                api.post("/api/orders", "{\"orderId\":\"" + first + "\"}{\"orderId\":\"" + second + "\"}");

        assertThat(trailing.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(two.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(json(two).get("type").asText()).isEqualTo("urn:fleet-saga:problem:invalid-request");
        assertThat(api.get("/api/orders/" + first).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(api.get("/api/orders/" + second).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    void illTypedAndUnknownFieldsAreRefusedByName() {
        String orderId = create();

        assertInvalid(api.post("/api/orders", "{\"orderId\":12345}"), "orderId");
        assertInvalid(api.post("/api/orders", "{\"orderId\":\"" + newId() + "\",\"ordreId\":\"x\"}"), "ordreId");
        assertInvalid(api.post(path(orderId, "cancellation"), "{\"reason\":4.25e301}"), "reason");
        assertInvalid(
                api.post(
                        "/api/orders/status-changes",
                        "{\"changes\":[{\"orderId\":\"" + orderId
                                + "\",\"action\":\"DELIVER\",\"expectedVersion\":\"0\"}]}"),
                "changes[0].expectedVersion");
        assertThat(order(orderId).get("version").asLong()).isZero();
        // an enum by ordinal would start a REPAIR run
        assertInvalid(api.as(Api.OPS).post("/api/ops/reconciliation/runs", "{\"mode\":1}"), "mode");
        assertInvalid(api.as(Api.OPS).post("/api/ops/reconciliation/runs", "{\"mode\":\"repair\"}"), "mode");
    }

    @Test
    void everyErrorIsAProblemWithAUrnTypeAndItsPath() {
        ResponseEntity<String> unknownPath = api.get("/api/nothing-here");
        ResponseEntity<String> unknownOrder = api.get("/api/orders/" + newId());
        ResponseEntity<String> wrongMethod = api.exchange(HttpMethod.DELETE, "/api/orders", null, null);

        for (ResponseEntity<String> response : List.of(unknownPath, unknownOrder, wrongMethod)) {
            assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            JsonNode problem = json(response);
            assertThat(problem.get("type").asText()).startsWith("urn:fleet-saga:problem:");
            assertThat(problem.get("instance").asText()).startsWith("/api/");
        }
        assertThat(json(unknownPath).get("type").asText()).isEqualTo("urn:fleet-saga:problem:not-found");
        assertThat(json(wrongMethod).get("type").asText()).isEqualTo("urn:fleet-saga:problem:method-not-allowed");
    }

    @Test
    void invalidInputIsABadRequestNamingTheField() {
        String orderId = create();

        assertInvalid(api.post(path(orderId, "assignment"), "{}"), "taskId");
        assertInvalid(api.post(path(orderId, "assignment"), "{\"taskId\":\"t 1\"}"), "taskId");
        assertInvalid(api.post(path(orderId, "cancellation"), "{\"reason\":\" \"}"), "reason");
        assertInvalid(api.post("/api/orders", "{\"orderId\":\"\"}"), "orderId");
        assertInvalid(api.post("/api/orders/status-changes", "{\"changes\":[]}"), "changes");
        String tooMany = IntStream.range(0, 501)
                .mapToObj(i -> "{\"orderId\":\"o-" + i + "\",\"action\":\"DELIVER\"}")
                .collect(Collectors.joining(",", "{\"changes\":[", "]}"));
        assertInvalid(api.post("/api/orders/status-changes", tooMany), "changes");
        assertInvalid(api.as(Api.OPS).get("/api/ops/sagas?limit=0"), "limit");
    }

    @Test
    void anUnknownOrderIsNotFound() {
        for (ResponseEntity<String> response : List.of(
                api.get("/api/orders/o-unknown"),
                api.post(path("o-unknown", "pickup"), null),
                api.post(path("o-unknown", "assignment"), "{\"taskId\":\"t-1\"}"))) {
            assertThat(response.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
            assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(json(response).get("orderId").asText()).isEqualTo("o-unknown");
        }
    }

    @Test
    void aRepeatedRequestWithTheSameIdempotencyKeyGetsTheFirstResponseAndChangesNothing() {
        String orderId = newId();
        HttpHeaders key = header(IDEMPOTENCY_KEY, UUID.randomUUID().toString());
        String body = "{\"orderId\":\"" + orderId + "\"}";

        ResponseEntity<String> first = api.post("/api/orders", body, key);
        ResponseEntity<String> again = api.post("/api/orders", body, key);

        assertThat(first.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(again.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(again.getBody()).isEqualTo(first.getBody());
        assertThat(again.getHeaders().getETag()).isEqualTo("\"0\"");
        assertThat(again.getHeaders().getLocation())
                .isEqualTo(first.getHeaders().getLocation());
        assertThat(again.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
        assertThat(first.getHeaders().getFirst("Idempotent-Replayed")).isNull();

        HttpHeaders cancelKey = header(IDEMPOTENCY_KEY, UUID.randomUUID().toString());
        ResponseEntity<String> cancelled = api.post(path(orderId, "cancellation"), "{\"reason\":\"dup\"}", cancelKey);
        ResponseEntity<String> cancelledAgain =
                api.post(path(orderId, "cancellation"), "{\"reason\":\"dup\"}", cancelKey);

        assertThat(cancelled.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(cancelledAgain.getStatusCode()).isEqualTo(HttpStatus.OK); // not 409: nothing ran again
        assertThat(cancelledAgain.getBody()).isEqualTo(cancelled.getBody());
        assertThat(cancelledAgain.getHeaders().getETag()).isEqualTo("\"1\"");
        assertThat(actions(order(orderId))).containsExactly("CREATE", "CANCEL");
    }

    @Test
    void theSameIdempotencyKeyForADifferentRequestIsRejected() {
        HttpHeaders key = header(IDEMPOTENCY_KEY, UUID.randomUUID().toString());
        String first = newId();
        String second = newId();
        api.post("/api/orders", "{\"orderId\":\"" + first + "\"}", key);

        ResponseEntity<String> reused = api.post("/api/orders", "{\"orderId\":\"" + second + "\"}", key);

        assertThat(reused.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(reused.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(api.get("/api/orders/" + second).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    void concurrentDuplicatesWithOneIdempotencyKeyApplyOnce() throws Exception {
        String orderId = create();
        HttpHeaders key = header(IDEMPOTENCY_KEY, UUID.randomUUID().toString());

        List<ResponseEntity<String>> responses = Concurrently.times(
                8, () -> api.post(path(orderId, "cancellation"), "{\"reason\":\"double tap\"}", key));

        assertThat(responses).allSatisfy(r -> assertThat(r.getStatusCode()).isEqualTo(HttpStatus.OK));
        assertThat(responses.stream().map(ResponseEntity::getBody).distinct()).hasSize(1);
        assertThat(actions(order(orderId))).containsExactly("CREATE", "CANCEL");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM outbox_event WHERE aggregate_id = ?", Integer.class, orderId))
                .isEqualTo(2);
    }

    @Test
    void aKeyLeftInProgressByAnOlderVersionIsTakenOverAndTheStateMachineStopsARepeat() {
        HttpHeaders key = header(IDEMPOTENCY_KEY, "died-" + UUID.randomUUID());
        String orderId = create();
        api.post(path(orderId, "cancellation"), "{\"reason\":\"first\"}", key);
        // a state this version never leaves behind (its response commits with the effect; see IdempotencyIT), but
        // an instance of the previous version could: it died after the commit, before storing the response
        jdbc.update(
                "UPDATE idempotency_key SET status = 'IN_PROGRESS', created_at = UTC_TIMESTAMP(6) - INTERVAL 1 HOUR"
                        + " WHERE idem_key = ?",
                key.getFirst(IDEMPOTENCY_KEY));

        ResponseEntity<String> retried = api.post(path(orderId, "cancellation"), "{\"reason\":\"first\"}", key);

        assertThat(retried.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(json(retried).get("currentStatus").asText()).isEqualTo("CANCELLED");
        assertThat(actions(order(orderId))).containsExactly("CREATE", "CANCEL");
        assertThat(jdbc.queryForObject(
                        "SELECT response_status FROM idempotency_key WHERE idem_key = ? AND status = 'COMPLETED'",
                        Integer.class,
                        key.getFirst(IDEMPOTENCY_KEY)))
                .isEqualTo(409);
    }

    @Test
    void concurrentWritesOfOneOrderApplyOnceAndAreNeverAServerError() throws Exception {
        String orderId = create();

        List<ResponseEntity<String>> responses =
                Concurrently.times(8, () -> api.post(path(orderId, "cancellation"), "{\"reason\":\"race\"}"));

        assertThat(responses.stream().filter(r -> r.getStatusCode() == HttpStatus.OK))
                .hasSize(1);
        assertThat(responses.stream().filter(r -> r.getStatusCode() != HttpStatus.OK))
                .hasSize(7)
                .allSatisfy(r -> {
                    assertThat(r.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
                    assertThat(r.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
                });
        assertThat(actions(order(orderId))).containsExactly("CREATE", "CANCEL");
    }

    @Test
    void aBatchReportsEachItemsOwnOutcome() {
        String delivering = inStatus("DELIVERING");
        String created = create();
        String onHold = inStatus("ON_HOLD");
        String staleOnHold = inStatus("ON_HOLD");

        ResponseEntity<String> response = api.post(
                "/api/orders/status-changes",
                "{\"changes\":["
                        + change(delivering, "DELIVER", null)
                        + "," + change(created, "DELIVER", null)
                        + "," + change("o-missing-" + UUID.randomUUID(), "RECEIVE", null)
                        + "," + change(onHold, "RECEIVE", 4L)
                        + "," + change(staleOnHold, "RECEIVE", 1L)
                        + "," + change(created, "TELEPORT", null)
                        + "," + change(onHold, "FAIL_DELIVERY", null)
                        + "]}");

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        JsonNode results = json(response).get("results");
        assertThat(StreamSupport.stream(results.spliterator(), false)
                        .map(r -> r.get("outcome").asText()))
                .containsExactly(
                        "APPLIED", "CONFLICT", "NOT_FOUND", "APPLIED", "PRECONDITION_FAILED", "INVALID", "INVALID");
        assertThat(results.at("/0/status").asText()).isEqualTo("DELIVERED");
        assertThat(results.at("/0/version").asLong()).isEqualTo(4);
        assertThat(results.at("/1/problem/currentStatus").asText()).isEqualTo("CREATED");
        assertThat(results.at("/3/status").asText()).isEqualTo("RECEIVED");
        assertThat(results.at("/4/version").asLong()).isEqualTo(4);
        assertThat(results.at("/5/problem/detail").asText()).contains("action");
        assertThat(results.at("/6/problem/detail").asText()).contains("reason");
        assertThat(json(response).at("/counts/APPLIED").asInt()).isEqualTo(2);
        assertThat(order(delivering).get("status").asText()).isEqualTo("DELIVERED");
        assertThat(order(created).get("status").asText()).isEqualTo("CREATED");
        assertThat(order(staleOnHold).get("status").asText()).isEqualTo("ON_HOLD");
    }

    @Test
    void aCourierReturnsAWholeLoadToTheHubInOneBatch() {
        int parcels = 40;
        List<String> orderIds = new ArrayList<>();
        for (int i = 0; i < parcels; i++) {
            orderIds.add(assignedTo("t-courier-" + UUID.randomUUID().toString().substring(0, 8)));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> countInStatus(orderIds, "ASSIGNED") == parcels);

        assertAllApplied(batch(orderIds, "PICK_UP", null));
        assertAllApplied(batch(orderIds, "FAIL_DELIVERY", "parcel damaged"));
        JsonNode received = batch(orderIds, "RECEIVE", null);

        assertAllApplied(received);
        assertThat(countInStatus(orderIds, "RECEIVED")).isEqualTo(parcels);
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM fleet_order WHERE task_id IS NOT NULL AND id IN (" + in(orderIds) + ")",
                        Integer.class))
                .isZero();
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM outbox_event WHERE event_type = 'OrderStateChanged'"
                                + " AND payload LIKE '%\"status\":\"RECEIVED\"%' AND aggregate_id IN (" + in(orderIds)
                                + ")",
                        Integer.class))
                .isEqualTo(parcels);
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private JsonNode batch(List<String> orderIds, String action, String reason) {
        String changes = orderIds.stream()
                .map(id -> "{\"orderId\":\"" + id + "\",\"action\":\"" + action + "\""
                        + (reason == null ? "" : ",\"reason\":\"" + reason + "\"") + "}")
                .collect(Collectors.joining(",", "{\"changes\":[", "]}"));
        ResponseEntity<String> response = api.post("/api/orders/status-changes", changes);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        return json(response);
    }

    private static void assertAllApplied(JsonNode batch) {
        assertThat(StreamSupport.stream(batch.get("results").spliterator(), false)
                        .map(r -> r.get("outcome").asText()))
                .containsOnly("APPLIED");
    }

    private int countInStatus(List<String> orderIds, String status) {
        return jdbc.queryForObject(
                "SELECT COUNT(*) FROM fleet_order WHERE status = ? AND id IN (" + in(orderIds) + ")",
                Integer.class,
                status);
    }

    private static String in(List<String> ids) {
        return ids.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));
    }

    private static String change(String orderId, String action, Long expectedVersion) {
        return "{\"orderId\":\"" + orderId + "\",\"action\":\"" + action + "\""
                + (expectedVersion == null ? "" : ",\"expectedVersion\":" + expectedVersion) + "}";
    }

    private String inStatus(String status) {
        String orderId = assignedTo("t-1");
        awaitStatus(orderId, "ASSIGNED");
        if (status.equals("ASSIGNED")) {
            return orderId;
        }
        assertThat(api.post(path(orderId, "pickup"), null).getStatusCode()).isEqualTo(HttpStatus.OK);
        if (status.equals("ON_HOLD")) {
            assertThat(api.post(path(orderId, "delivery-failure"), "{\"reason\":\"nobody home\"}")
                            .getStatusCode())
                    .isEqualTo(HttpStatus.OK);
        }
        return orderId;
    }

    /** Creates an order, starts its assignment and answers as assignment-service would: linked. */
    private String assignedTo(String taskId) {
        String orderId = create();
        ResponseEntity<String> started = api.post(path(orderId, "assignment"), "{\"taskId\":\"" + taskId + "\"}");
        assertThat(started.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        kafka.linked(json(started).get("sagaId").asText(), orderId, taskId);
        return orderId;
    }

    private String create() {
        String orderId = newId();
        assertThat(api.post("/api/orders", "{\"orderId\":\"" + orderId + "\"}").getStatusCode())
                .isEqualTo(HttpStatus.CREATED);
        return orderId;
    }

    private static String newId() {
        return "o-" + UUID.randomUUID();
    }

    private JsonNode order(String orderId) {
        ResponseEntity<String> response = api.get("/api/orders/" + orderId);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        return json(response);
    }

    private void awaitStatus(String orderId, String status) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> order(orderId).get("status").asText(), status::equals);
    }

    private static List<String> actions(JsonNode order) {
        return StreamSupport.stream(order.get("history").spliterator(), false)
                .map(h -> h.get("action").asText())
                .toList();
    }

    private static String path(String orderId, String action) {
        return "/api/orders/" + orderId + "/" + action;
    }

    private static void assertInvalid(ResponseEntity<String> response, String field) {
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        JsonNode problem = json(response);
        assertThat(StreamSupport.stream(problem.get("errors").spliterator(), false)
                        .map(e -> e.get("field").asText()))
                .contains(field);
        assertThat(problem.get("detail").asText()).contains(field);
    }
}
