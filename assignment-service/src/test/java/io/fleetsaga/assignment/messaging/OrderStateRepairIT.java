package io.fleetsaga.assignment.messaging;

import static io.fleetsaga.assignment.support.OrderEvents.repair;
import static io.fleetsaga.assignment.support.OrderEvents.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.assignment.support.RealInfrastructureTest;
import io.fleetsaga.assignment.support.TaskInvariants;
import io.fleetsaga.common.event.EventEnvelope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import tools.jackson.databind.JsonNode;

/**
 * {@code OrderStateRepair} from order-service's reconciliation, through the real topic, consumer and inbox: applied
 * whatever version the mirror holds — where the same state as {@code OrderStateChanged} is stale and changes
 * nothing — and exactly once.
 */
class OrderStateRepairIT extends RealInfrastructureTest {

    @Autowired
    MeterRegistry meters;

    final String run = UUID.randomUUID().toString().substring(0, 8);
    final String orderId = "o-rp-" + run;
    String taskId;

    @BeforeEach
    void task() {
        taskId = createTask(10, "c-rp-" + run);
    }

    @Test
    void aRepairAtTheHeldVersionRecreatesALinkThatWasDeleted() {
        consume(state(orderId, taskId, "ASSIGNED", 4), state(orderId, taskId, "DELIVERING", 5));
        jdbc.update("DELETE FROM task_order_link WHERE order_id = ?", orderId); // drift; counters left as they were

        consume(state(orderId, taskId, "DELIVERING", 5));
        assertThat(link()).as("the same state as a state change is stale").isNull();

        consume(repair(orderId, taskId, "DELIVERING", 5));

        assertThat(link()).isEqualTo("DELIVERING@5");
        assertThat(mirror()).isEqualTo("DELIVERING@5");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(notifications())
                        .as("the order joined the task twice: assigned, then repaired")
                        .containsExactly("ORDER_ADDED ASSIGNED@4", "ORDER_ADDED DELIVERING@5"));
        // the repair counted the recreated link on top of counters that still counted the deleted one: a counter
        // mismatch, for the counter check to find and the recompute to fix
        JsonNode mismatches = json(httpAs(
                                "service",
                                HttpMethod.POST,
                                "/internal/reconciliation/counter-check",
                                "{\"taskIds\":[\"" + taskId + "\"]}")
                        .getBody())
                .path("mismatches");
        assertThat(mismatches.findValuesAsString("assignedCount")).containsExactly("2");
        assertThat(mismatches.findValuesAsString("expectedAssigned")).containsExactly("1");
        recomputeCounters();
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId))
                .isEqualTo(Map.of("assigned", 1L, "delivered", 0L));
    }

    @Test
    void aRepairOlderThanACorruptMirrorVersionIsStillAppliedAndUnblocksTheOrder() {
        consume(state(orderId, taskId, "ASSIGNED", 4));
        jdbc.update("UPDATE order_mirror SET order_version = 999 WHERE order_id = ?", orderId);

        consume(state(orderId, taskId, "DELIVERED", 5));
        assertThat(link()).as("blocked by the corrupt version").isEqualTo("ASSIGNED@4");

        consume(repair(orderId, taskId, "DELIVERED", 5));

        assertThat(link()).isEqualTo("DELIVERED@5");
        assertThat(mirror()).isEqualTo("DELIVERED@5");
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId))
                .isEqualTo(Map.of("assigned", 1L, "delivered", 1L));

        consume(state(orderId, null, "RECEIVED", 6));
        assertThat(link()).as("newer states apply normally again").isNull();
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId))
                .isEqualTo(Map.of("assigned", 0L, "delivered", 0L));
    }

    @Test
    void aRepairReleasesALinkTheOrderShouldNotHave() {
        consume(state(orderId, taskId, "ASSIGNED", 4));

        consume(repair(orderId, null, "CANCELLED", 4));

        assertThat(link()).isNull();
        assertThat(mirror()).isEqualTo("CANCELLED@4");
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId))
                .isEqualTo(Map.of("assigned", 0L, "delivered", 0L));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(notifications()).contains("ORDER_REMOVED CANCELLED@4"));
    }

    @Test
    void aRedeliveredRepairIsAppliedOnce() {
        consume(state(orderId, taskId, "ASSIGNED", 4));
        jdbc.update("DELETE FROM task_order_link WHERE order_id = ?", orderId);
        double repairedBefore = repaired();
        EventEnvelope repair = repair(orderId, taskId, "ASSIGNED", 4);

        consume(repair);
        assertThat(link()).isEqualTo("ASSIGNED@4");
        // counted after the commit, so a moment after the inbox record is visible
        await().atMost(Duration.ofSeconds(10)).until(() -> repaired() == repairedBefore + 1);

        jdbc.update("DELETE FROM task_order_link WHERE order_id = ?", orderId);
        RecordMetadata again = send(repair); // same event id
        // a barrier behind it in its partition: once that is processed, the redelivered repair was handled
        EventEnvelope barrier = state("o-rp-barrier-" + run, null, "CREATED", 1);
        sendTo(again.partition(), barrier);
        awaitProcessed(List.of(barrier));

        assertThat(link()).as("the redelivered repair was skipped by the inbox").isNull();
        assertThat(repaired()).isEqualTo(repairedBefore + 1);
        recomputeCounters();
    }

    /** Sends the events (in order, one partition: same order id) and waits until the consumer processed them. */
    private void consume(EventEnvelope... events) {
        sendAll(List.of(events));
        awaitProcessed(List.of(events));
    }

    private void awaitProcessed(List<EventEnvelope> events) {
        List<String> ids = events.stream().map(e -> e.eventId().toString()).toList();
        String in = ids.stream().map(id -> "?").collect(Collectors.joining(","));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> jdbc.queryForObject(
                                "SELECT COUNT(*) FROM inbox_message WHERE consumer = 'assignment-service.order-events'"
                                        + " AND message_id IN (" + in + ")",
                                Integer.class,
                                ids.toArray())
                        == ids.size());
    }

    private String link() {
        return jdbc
                .queryForList(
                        "SELECT CONCAT(order_status, '@', order_version) FROM task_order_link WHERE order_id = ?",
                        String.class,
                        orderId)
                .stream()
                .findFirst()
                .orElse(null);
    }

    private String mirror() {
        return jdbc.queryForObject(
                "SELECT CONCAT(status, '@', order_version) FROM order_mirror WHERE order_id = ?",
                String.class,
                orderId);
    }

    /** The courier's applied notifications about the order, in order: {@code "ORDER_ADDED DELIVERING@5"}. */
    private List<String> notifications() {
        Map<String, String> applied = COURIER_APP.applied();
        return COURIER_APP.appliedInOrder().stream()
                .map(key -> json(applied.get(key)))
                .filter(n -> orderId.equals(n.path("orderId").asText()))
                .map(n ->
                        n.path("change").asText() + " " + n.path("orderStatus").asText() + "@"
                                + n.path("orderVersion").asLong())
                .toList();
    }

    private double repaired() {
        Counter counter = meters.find("assignment.order.states")
                .tag("outcome", "repaired")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private void recomputeCounters() {
        assertThat(httpAs(
                                "service",
                                HttpMethod.POST,
                                "/internal/reconciliation/counter-recompute",
                                "{\"taskIds\":[\"" + taskId + "\"],\"lease\":\"reconciliation-" + taskId
                                        + "\",\"fencingToken\":1}")
                        .getStatusCode()
                        .value())
                .isEqualTo(200);
    }
}
