package io.fleetsaga.common.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.fleetsaga.common.outbox.JdbcOutboxStore;
import io.fleetsaga.common.outbox.OutboxLane;
import io.fleetsaga.common.outbox.OutboxListener;
import io.fleetsaga.common.outbox.OutboxRelay;
import io.fleetsaga.common.outbox.OutboxSettings;
import io.fleetsaga.common.support.KitDatabase;
import io.fleetsaga.common.support.Outboxes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Issue 9: parked events are requeued in bulk (by aggregate, by failure reason, all — bounded per call), listed
 * page by page beyond a hundred, and the backlog shows each relay lane's state. Through the controller, on the real
 * database (the OPS role in front of it is the services' security, tested there).
 */
class OutboxOpsIT {

    static KitDatabase db;
    static JdbcOutboxStore store;

    final ObjectMapper json = new ObjectMapper();
    final List<OutboxRelay> relays = new ArrayList<>();
    MockMvc mvc;

    @BeforeAll
    static void setUp() {
        db = KitDatabase.create("ops");
        store = new JdbcOutboxStore(db.dataSource, db.transactionManager);
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @BeforeEach
    void freshRowsAndController() {
        db.jdbc.update("DELETE FROM outbox_event");
        relays.clear();
        mvc = MockMvcBuilders.standaloneSetup(new OutboxOpsController(store, relays, Clock.systemUTC()))
                .build();
    }

    @Test
    void requeuesTheParkedEventsOfOneAggregateOnlyAndKeepsTheirOrder() throws Exception {
        parked("o-1", 1, "HTTP 400");
        parked("o-1", 2, "HTTP 400");
        parked("o-2", 1, "HTTP 400");

        mvc.perform(post("/api/ops/outbox/parked/requeue")
                        .param("aggregateType", "FleetOrder")
                        .param("aggregateId", "o-1"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.requeued").value(2))
                .andExpect(jsonPath("$.more").value(false));

        assertThat(db.jdbc.queryForList(
                        "SELECT aggregate_version FROM outbox_event WHERE status = 'PENDING' AND attempts = 0"
                                + " AND aggregate_id = 'o-1' ORDER BY id",
                        Long.class))
                .containsExactly(1L, 2L);
        assertThat(parkedIds())
                .singleElement()
                .satisfies(p -> assertThat(p.path("aggregateId").asText()).isEqualTo("o-2"));
    }

    @Test
    void requeuesExactlyTheEventsParkedForOneReason() throws Exception {
        parked("o-1", 1, "RecordTooLargeException");
        parked("o-2", 1, "HTTP 400");
        parked("o-3", 1, "HTTP 400");
        parked("o-4", 1, "HTTP 4000"); // not a prefix match

        mvc.perform(post("/api/ops/outbox/parked/requeue").param("reason", "HTTP 400"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.requeued").value(2));

        assertThat(parkedIds()).extracting(p -> p.path("aggregateId").asText()).containsExactly("o-1", "o-4");
        assertThat(parkedIds())
                .allSatisfy(p -> assertThat(p.path("failureKind").asText()).isEqualTo("RECORD"));
    }

    @Test
    void requeuesAllInBoundedCallsThatSayWhetherMoreRemain() throws Exception {
        for (int i = 0; i < 25; i++) {
            parked("o-" + i, 1, "HTTP 400");
        }

        int total = 0;
        boolean more = true;
        int calls = 0;
        while (more) {
            JsonNode answer = body(mvc.perform(post("/api/ops/outbox/parked/requeue")
                            .param("all", "true")
                            .param("limit", "10"))
                    .andExpect(status().isOk())
                    .andReturn());
            assertThat(answer.path("requeued").asInt()).isLessThanOrEqualTo(10);
            total += answer.path("requeued").asInt();
            more = answer.path("more").asBoolean();
            calls++;
        }

        assertThat(total).isEqualTo(25);
        assertThat(calls).isBetween(3, 4);
        assertThat(parkedIds()).isEmpty();
    }

    @Test
    void refusesABulkRequeueWithoutAFilterUnlessAllIsSaidAndAFilterWithAll() throws Exception {
        parked("o-1", 1, "HTTP 400");

        mvc.perform(post("/api/ops/outbox/parked/requeue"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("all"));
        mvc.perform(post("/api/ops/outbox/parked/requeue").param("all", "true").param("reason", "HTTP 400"))
                .andExpect(status().isBadRequest());
        mvc.perform(post("/api/ops/outbox/parked/requeue").param("aggregateId", "o-1"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("aggregateId"));
        mvc.perform(post("/api/ops/outbox/parked/requeue").param("all", "true").param("limit", "1001"))
                .andExpect(status().isBadRequest());

        assertThat(parkedIds()).hasSize(1);
    }

    @Test
    void listsParkedEventsPageByPageBeyondAHundred() throws Exception {
        for (int i = 0; i < 150; i++) {
            parked("o-" + i, 1, i % 2 == 0 ? "HTTP 400" : "HTTP 404");
        }

        JsonNode first = body(mvc.perform(get("/api/ops/outbox/parked")).andReturn());
        assertThat(first.path("events")).hasSize(100);
        long next = first.path("next").asLong();
        assertThat(next).isEqualTo(first.path("events").get(99).path("id").asLong());

        JsonNode second = body(mvc.perform(get("/api/ops/outbox/parked").param("after", Long.toString(next)))
                .andReturn());
        assertThat(second.path("events")).hasSize(50);
        assertThat(second.path("next").isNull()).isTrue();
        List<String> all = new ArrayList<>();
        first.path("events").forEach(e -> all.add(e.path("eventId").asText()));
        second.path("events").forEach(e -> all.add(e.path("eventId").asText()));
        assertThat(all).hasSize(150).doesNotHaveDuplicates();

        JsonNode byReason = body(mvc.perform(get("/api/ops/outbox/parked")
                        .param("reason", "HTTP 404")
                        .param("limit", "1000"))
                .andReturn());
        assertThat(byReason.path("events")).hasSize(75);
    }

    @Test
    void theBacklogShowsEachLanesStateWithItsLastError() throws Exception {
        OutboxSettings settings = Outboxes.settings(10, Duration.ofSeconds(5), 3);
        OutboxRelay away = new OutboxRelay(
                store,
                record -> CompletableFuture.failedFuture(new java.net.ConnectException("Connection refused")),
                settings,
                new OutboxListener() {},
                OutboxLane.only("webhook", "webhook:"));
        OutboxRelay idle = new OutboxRelay(
                store,
                record -> CompletableFuture.completedFuture(null),
                settings,
                new OutboxListener() {},
                OutboxLane.excluding("kafka", "webhook:"));
        relays.add(idle);
        relays.add(away);
        db.tx.executeWithoutResult(s -> store.append("webhook:courier", Outboxes.event("o-1", 1)));
        away.pollOnce();

        JsonNode backlog = body(
                mvc.perform(get("/api/ops/outbox")).andExpect(status().isOk()).andReturn());

        assertThat(backlog.path("pending").asLong()).isEqualTo(1);
        assertThat(backlog.path("parked").asLong()).isZero();
        JsonNode lanes = backlog.path("lanes");
        assertThat(lanes).hasSize(2);
        assertThat(lanes.get(0).path("lane").asText()).isEqualTo("kafka");
        assertThat(lanes.get(0).path("status").asText()).isEqualTo("UP");
        assertThat(lanes.get(1).path("lane").asText()).isEqualTo("webhook");
        assertThat(lanes.get(1).path("status").asText()).isEqualTo("BACKING_OFF");
        assertThat(lanes.get(1).path("consecutiveFailures").asInt()).isEqualTo(1);
        assertThat(lanes.get(1).path("lastError").asText()).contains("Connection refused");
        assertThat(lanes.get(1).path("nextProbeAt").asText()).isNotBlank();
        assertThat(lanes.get(1).path("backingOffSeconds").asDouble()).isGreaterThanOrEqualTo(0);
    }

    private void parked(String orderId, long version, String reason) {
        db.jdbc.update(
                "INSERT INTO outbox_event (event_id, topic, aggregate_type, aggregate_id, aggregate_version,"
                        + " event_type, occurred_at, payload, status, attempts, created_at, next_attempt_at,"
                        + " last_error, failure_kind, failure_reason, parked_at) VALUES (?, 'fleet.order.events',"
                        + " 'FleetOrder', ?, ?, 'OrderStateChanged', UTC_TIMESTAMP(6), '{}', 'PARKED', 1,"
                        + " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), ?, 'RECORD', ?, UTC_TIMESTAMP(6))",
                UUID.randomUUID().toString(),
                orderId,
                version,
                "refused: " + reason,
                reason);
    }

    private List<JsonNode> parkedIds() throws Exception {
        List<JsonNode> events = new ArrayList<>();
        body(mvc.perform(get("/api/ops/outbox/parked").param("limit", "1000")).andReturn())
                .path("events")
                .forEach(events::add);
        return events;
    }

    private JsonNode body(MvcResult result) throws Exception {
        return json.readTree(result.getResponse().getContentAsString());
    }
}
