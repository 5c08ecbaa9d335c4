package io.fleetsaga.order.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.common.lease.Lease;
import io.fleetsaga.common.lease.LeaseManager;
import io.fleetsaga.infra.SpringInfrastructure;
import io.fleetsaga.order.support.Api;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What a repair does to the parked events of a {@code BLOCKED} order, on the real database: a parked state event is
 * superseded by the repair (kept, marked done, with who superseded it and why it had been parked), a parked command
 * is only ever re-queued, and an order a saga owns gets its parked events re-queued and nothing else. The relay is
 * off, so the rows stay as the repair left them; the run and the end-to-end effect are in system-tests'
 * ReconciliationIT.
 */
@AutoConfigureTestRestTemplate
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "fleetsaga.outbox.relay-enabled=false",
            "fleetsaga.reconciliation.schedule=false",
            "fleetsaga.saga.timeout=10m",
            "fleetsaga.reconciliation.assignment-service.url=http://127.0.0.1:9"
        })
@DirtiesContext
class BlockedOrderRepairIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SpringInfrastructure.register(
                registry, "order_blocked_" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Autowired
    TestRestTemplate rest;

    @Autowired
    Repairs repairs;

    @Autowired
    OrderFacts facts;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    LeaseManager leases;

    @Autowired
    PlatformTransactionManager transactionManager;

    TransactionTemplate transaction;

    Api api;

    @BeforeEach
    void api() {
        api = new Api(rest);
        transaction = new TransactionTemplate(transactionManager);
    }

    @Test
    void aParkedStateEventIsSupersededByTheRepairAndAParkedCommandOnlyRequeued() {
        String orderId = orderInSaga();
        assertThat(api.post("/api/orders/" + orderId + "/cancellation", "{\"reason\":\"customer left\"}")
                        .getStatusCode()
                        .value())
                .isEqualTo(200);
        // the saga's state event and its command parked (an older relay, a long outage); CANCELLED waits behind them
        Map<String, String> events = outbox(orderId);
        park(events.get("OrderStateChanged@ASSIGNMENT_PENDING"));
        park(events.get("AssignOrderRequested"));
        ParkedHead head = facts.parkedHeads(List.of(orderId)).get(orderId);
        assertThat(head.eventId()).isEqualTo(events.get("OrderStateChanged@ASSIGNMENT_PENDING"));

        Drift repaired = repair(orderId, head);

        assertThat(repaired.repair()).isEqualTo(RepairResult.PUBLISHED);
        assertThat(repaired.repairDetail())
                .contains("published CANCELLED")
                .contains("superseding parked OrderStateChanged " + head.eventId())
                .contains("re-queueing parked AssignOrderRequested");
        Map<String, Object> state = row(head.eventId());
        assertThat(state.get("status")).isEqualTo("SENT");
        String repairId = jdbc.queryForObject(
                "SELECT event_id FROM outbox_event WHERE aggregate_id = ? AND event_type = 'OrderStateRepair'",
                String.class,
                orderId);
        assertThat((String) state.get("last_error"))
                .startsWith("superseded by OrderStateRepair " + repairId + "; was parked: ")
                .contains("RecordTooLargeException");
        Map<String, Object> command = row(events.get("AssignOrderRequested"));
        assertThat(command.get("status")).isEqualTo("PENDING");
        assertThat(((Number) command.get("attempts")).intValue()).isZero();
        // the order's events now go out in their order, the repair with the current state last
        assertThat(jdbc.queryForList(
                        "SELECT event_type FROM outbox_event WHERE aggregate_id = ? AND status = 'PENDING' ORDER BY id",
                        String.class,
                        orderId))
                .containsExactly("AssignOrderRequested", "OrderStateChanged", "OrderStateRepair");
        assertThat(facts.parkedHeads(List.of(orderId))).isEmpty();
    }

    @Test
    void anOrderASagaOwnsGetsItsParkedEventsRequeuedAndNothingSuperseded() {
        String orderId = orderInSaga();
        Map<String, String> events = outbox(orderId);
        park(events.get("OrderStateChanged@ASSIGNMENT_PENDING"));
        park(events.get("AssignOrderRequested"));
        ParkedHead head = facts.parkedHeads(List.of(orderId)).get(orderId);

        Drift repaired = repair(orderId, head);

        assertThat(repaired.repair()).isEqualTo(RepairResult.PUBLISHED);
        assertThat(repaired.repairDetail()).startsWith("re-queued parked").contains("nothing superseded");
        assertThat(jdbc.queryForList(
                        "SELECT event_type FROM outbox_event WHERE aggregate_id = ? AND status = 'PENDING' ORDER BY id",
                        String.class,
                        orderId))
                .containsExactly("OrderStateChanged", "AssignOrderRequested");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM outbox_event WHERE aggregate_id = ? AND event_type = 'OrderStateRepair'",
                        Long.class,
                        orderId))
                .isZero();
    }

    @Test
    void onlyStateEventsMayBeSupersededNeverCommands() {
        assertThat(new ParkedHead("e", "OrderStateChanged", 3L, "x").supersedable())
                .isTrue();
        assertThat(new ParkedHead("e", "OrderStateRepair", 3L, "x").supersedable())
                .isTrue();
        assertThat(new ParkedHead("e", "AssignOrderRequested", 3L, "x").supersedable())
                .isFalse();
    }

    /** A new order whose assignment saga has started (ASSIGNMENT_PENDING); its earlier events were sent. */
    private String orderInSaga() {
        String orderId = "o-" + UUID.randomUUID();
        assertThat(api.post("/api/orders", "{\"orderId\":\"" + orderId + "\"}")
                        .getStatusCode()
                        .value())
                .isEqualTo(201);
        jdbc.update(
                "UPDATE outbox_event SET status = 'SENT', sent_at = UTC_TIMESTAMP(6) WHERE aggregate_id = ?", orderId);
        assertThat(api.post("/api/orders/" + orderId + "/assignment", "{\"taskId\":\"t-1\"}")
                        .getStatusCode()
                        .value())
                .isEqualTo(202);
        return orderId;
    }

    /** The order's unsent events by type (state events as {@code OrderStateChanged@<status>}), in outbox order. */
    private Map<String, String> outbox(String orderId) {
        Map<String, String> events = new java.util.LinkedHashMap<>();
        jdbc.query(
                "SELECT event_id, event_type, payload FROM outbox_event WHERE aggregate_id = ? AND status <> 'SENT'"
                        + " ORDER BY id",
                rs -> {
                    String type = rs.getString(2);
                    if (type.equals("OrderStateChanged")) {
                        String payload = rs.getString(3);
                        type += "@" + payload.replaceAll(".*\"status\":\"([A-Z_]+)\".*", "$1");
                    }
                    events.put(type, rs.getString(1));
                },
                orderId);
        return events;
    }

    private void park(String eventId) {
        assertThat(jdbc.update(
                        "UPDATE outbox_event SET status = 'PARKED', attempts = 1, parked_at = UTC_TIMESTAMP(6),"
                                + " last_error = 'org.apache.kafka.common.errors.RecordTooLargeException: too large'"
                                + " WHERE event_id = ?",
                        eventId))
                .isOne();
    }

    private Drift repair(String orderId, ParkedHead head) {
        // a repair writes only under the run's lease (its fence): hold the real one, as a run does
        Lease lease = leases.tryAcquire(ReconciliationService.LEASE, "blocked-order-repair-it", Duration.ofMinutes(1))
                .orElseThrow();
        RunLease runLease = new RunLease(lease, System.nanoTime(), leases, Duration.ofMinutes(1), transaction);
        List<Drift> repaired;
        try {
            repaired = repairs.repair(List.of(Drift.blocked(orderId, null, "current state", head)), runLease);
        } finally {
            leases.release(lease);
        }
        assertThat(repaired).hasSize(1);
        return repaired.get(0);
    }

    private Map<String, Object> row(String eventId) {
        return jdbc.queryForMap("SELECT status, attempts, last_error FROM outbox_event WHERE event_id = ?", eventId);
    }
}
