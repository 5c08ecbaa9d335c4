package io.fleetsaga.assignment.messaging;

import static io.fleetsaga.assignment.support.OrderEvents.assign;
import static io.fleetsaga.assignment.support.OrderEvents.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.assignment.support.RealInfrastructureTest;
import io.fleetsaga.assignment.support.TaskInvariants;
import io.fleetsaga.assignment.support.TopicReader;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.infra.WebhookReceiver.Answer;
import io.fleetsaga.infra.WebhookReceiver.Call;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import tools.jackson.databind.JsonNode;

/**
 * Incidents I-2 and I-5 on the courier app's webhook: orders joining and leaving tasks through the real
 * consumer, the real database, the real relay and a receiver that first answers too late (it applied the call,
 * the answer is lost) and then fails. Every notification must be applied exactly once — the receiver
 * deduplicating by {@code Idempotency-Key} — and the receiver's trouble must neither make a Kafka record be
 * processed again nor hold back the saga's replies.
 */
class CourierNotificationIT extends RealInfrastructureTest {

    static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @Autowired
    MeterRegistry meters;

    final String suffix = UUID.randomUUID().toString().substring(0, 8);
    final String courierA = "c-a-" + suffix;
    final String courierB = "c-b-" + suffix;

    @AfterEach
    void receiverAppliesEverythingAgain() {
        COURIER_APP.script(call -> Answer.APPLY);
    }

    @Test
    void everyOrderJoiningOrLeavingATaskIsNotifiedOnceAlthoughTheCourierAppAnsweredLateThenFailed() {
        Set<String> couriers = Set.of(courierA, courierB);
        COURIER_APP.script(call -> !couriers.contains(courierOf(call))
                ? Answer.APPLY
                : switch (call.nth()) {
                    case 1 -> Answer.APPLY_AND_ANSWER_LATE;
                    case 2 -> Answer.FAIL;
                    default -> Answer.APPLY;
                });
        String taskA = createTask(10, courierA);
        String taskB = createTask(10, courierB);
        String closed = createTask(10, courierA);
        assertThat(http(HttpMethod.POST, "/api/tasks/" + closed + "/closure", null)
                        .getStatusCode()
                        .value())
                .isEqualTo(200);
        String o1 = order(), o2 = order(), o3 = order(), o4 = order(), o5 = order();
        String saga1 = saga(), saga3 = saga(), saga5 = saga();
        List<EventEnvelope> messages = List.of(
                assign(saga1, o1, taskA, 1).withTraceparent(TRACEPARENT), // accepted: o1 joins A
                state(o1, taskA, "ASSIGNED", 2), // status changes on the same task: no notification
                state(o1, taskA, "DELIVERING", 3),
                state(o2, taskA, "ASSIGNED", 2), // repair link: o2 joins A
                assign(saga3, o3, taskA, 1), // o3 joins A …
                state(o3, taskA, "ASSIGNED", 2),
                state(o3, taskA, "ON_HOLD", 3),
                state(o3, null, "RECEIVED", 4), // … and leaves it (released)
                state(o4, taskA, "ASSIGNED", 2), // o4 joins A …
                state(o4, taskB, "ASSIGNED", 3), // … and moves to B: leaves A, joins B
                assign(saga5, o5, closed, 1)); // rejected (task closed): no notification
        List<String> expected = List.of(
                notice(o1, "ORDER_ADDED", taskA, courierA, "ASSIGNMENT_PENDING"),
                notice(o2, "ORDER_ADDED", taskA, courierA, "ASSIGNED"),
                notice(o3, "ORDER_ADDED", taskA, courierA, "ASSIGNMENT_PENDING"),
                notice(o3, "ORDER_REMOVED", taskA, courierA, "RECEIVED"),
                notice(o4, "ORDER_ADDED", taskA, courierA, "ASSIGNED"),
                notice(o4, "ORDER_REMOVED", taskA, courierA, "ASSIGNED"),
                notice(o4, "ORDER_ADDED", taskB, courierB, "ASSIGNED"));
        double processedBefore = inboxCount("inbox.processed");
        double duplicatesBefore = inboxCount("inbox.duplicates");
        double failuresBefore = listenerFailures();

        sendAll(messages);

        List<String> orders = List.of(o1, o2, o3, o4, o5);
        await().atMost(Duration.ofSeconds(90))
                .until(() -> appliedFor(couriers).size() >= expected.size() && unsentNotifications(orders) == 0);

        // each notification applied exactly once, and nothing else
        Map<String, JsonNode> applied = appliedFor(couriers);
        assertThat(applied).hasSize(expected.size());
        assertThat(applied.values().stream().map(CourierNotificationIT::notice))
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(applied).allSatisfy((key, body) -> {
            assertThat(body.path("notificationId").asText()).isEqualTo(key);
            assertThat(COURIER_APP.calls(key))
                    .as(
                            "deliveries of %s: late answer, failure, success; the receiver's timeout and 503 were"
                                    + " transport failures, which use up no attempt of the notification",
                            key)
                    .extracting(call -> call.header("X-Delivery-Attempt"))
                    .containsExactly("1", "1", "1");
            assertThat(COURIER_APP.duplicates(key))
                    .as("the retry after the lost answer came with the same key and was not applied again")
                    .isEqualTo(1);
        });
        // per order, in the order the changes happened
        for (String orderId : List.of(o3, o4)) {
            assertThat(COURIER_APP.appliedInOrder().stream()
                            .map(applied::get)
                            .filter(body -> body != null
                                    && orderId.equals(body.path("orderId").asText()))
                            .map(CourierNotificationIT::notice))
                    .containsExactlyElementsOf(expected.stream()
                            .filter(n -> n.startsWith(orderId + " "))
                            .toList());
        }
        assertThat(COURIER_APP.calls(keyOf(applied, o1)))
                .allSatisfy(call -> assertThat(call.header("traceparent")).isEqualTo(TRACEPARENT));
        // the relay marked each row sent only after the 2xx (the third call), at its first attempt that counted
        assertThat(jdbc.queryForList(
                        "SELECT event_id FROM outbox_event WHERE topic = 'webhook:courier' AND status = 'SENT'"
                                + " AND attempts = 1 AND aggregate_type = 'CourierNotification' AND aggregate_id IN ("
                                + in(orders) + ")",
                        String.class,
                        orders.toArray()))
                .containsExactlyInAnyOrderElementsOf(applied.keySet());

        // no Kafka record was processed twice: the receiver's trouble stayed in the outbox
        assertThat(inboxCount("inbox.processed") - processedBefore).isEqualTo(messages.size());
        assertThat(inboxCount("inbox.duplicates") - duplicatesBefore).isZero();
        assertThat(listenerFailures() - failuresBefore).isZero();
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM inbox_message WHERE consumer = 'assignment-service.order-events'"
                                + " AND message_id IN (" + in(messages) + ")",
                        Integer.class,
                        messages.stream().map(m -> m.eventId().toString()).toArray()))
                .isEqualTo(messages.size());

        // the saga's replies went out once each and were not held back by the failing notifications
        try (TopicReader replies = new TopicReader(ASSIGNMENT_EVENTS)) {
            List<String> types = replies.readToEnd().stream()
                    .map(ConsumerRecord::value)
                    .map(RealInfrastructureTest::decode)
                    .filter(e -> Set.of(saga1, saga3, saga5)
                            .contains(json(e.payload()).path("sagaId").asText()))
                    .map(e -> json(e.payload()).path("sagaId").asText() + " " + e.type())
                    .toList();
            assertThat(types)
                    .containsExactlyInAnyOrder(
                            saga1 + " OrderLinked", saga3 + " OrderLinked", saga5 + " AssignmentRejected");
        }
        for (String orderId : List.of(o1, o3)) {
            assertThat(sentAt("FleetOrder", orderId))
                    .as(
                            "the reply to %s's command was sent before its notification, written first, got through",
                            orderId)
                    .isBefore(sentAt("CourierNotification", orderId));
        }
        TaskInvariants.assertCountersMatchLinks(jdbc, taskA);
        TaskInvariants.assertCountersMatchLinks(jdbc, taskB);
    }

    private Map<String, JsonNode> appliedFor(Set<String> couriers) {
        return COURIER_APP.applied().entrySet().stream()
                .filter(e ->
                        couriers.contains(json(e.getValue()).path("courierId").asText()))
                .collect(Collectors.toMap(Map.Entry::getKey, e -> json(e.getValue())));
    }

    private long unsentNotifications(List<String> orders) {
        return jdbc.queryForObject(
                "SELECT COUNT(*) FROM outbox_event WHERE topic = 'webhook:courier' AND status <> 'SENT'"
                        + " AND aggregate_id IN (" + in(orders) + ")",
                Long.class,
                orders.toArray());
    }

    /** When the first row of that aggregate was sent. */
    private LocalDateTime sentAt(String aggregateType, String orderId) {
        return jdbc.queryForObject(
                "SELECT sent_at FROM outbox_event WHERE aggregate_type = ? AND aggregate_id = ? ORDER BY id LIMIT 1",
                LocalDateTime.class,
                aggregateType,
                orderId);
    }

    private double inboxCount(String name) {
        Counter counter = meters.find(name)
                .tag("consumer", "assignment-service.order-events")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private double listenerFailures() {
        return meters.find("spring.kafka.listener").tag("result", "failure").timers().stream()
                .mapToDouble(Timer::count)
                .sum();
    }

    private static String keyOf(Map<String, JsonNode> applied, String orderId) {
        return applied.entrySet().stream()
                .filter(e -> orderId.equals(e.getValue().path("orderId").asText()))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow();
    }

    private static String courierOf(Call call) {
        return json(call.body()).path("courierId").asText();
    }

    private static String notice(String orderId, String change, String taskId, String courierId, String status) {
        return orderId + " " + change + " " + taskId + " " + courierId + " " + status;
    }

    private static String notice(JsonNode body) {
        return notice(
                body.path("orderId").asText(),
                body.path("change").asText(),
                body.path("taskId").asText(),
                body.path("courierId").asText(),
                body.path("orderStatus").asText());
    }

    private static String in(List<?> values) {
        return values.stream().map(v -> "?").collect(Collectors.joining(","));
    }

    private static String order() {
        return "o-" + UUID.randomUUID();
    }

    private static String saga() {
        return UUID.randomUUID().toString();
    }
}
