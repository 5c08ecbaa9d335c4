package io.fleetsaga.assignment.messaging;

import static io.fleetsaga.assignment.support.OrderEvents.assign;
import static io.fleetsaga.assignment.support.OrderEvents.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.assignment.support.RealInfrastructureTest;
import io.fleetsaga.assignment.support.TaskInvariants;
import io.fleetsaga.assignment.support.TopicReader;
import io.fleetsaga.common.event.EventEnvelope;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 9, failure mode 3 at assignment-service: a command of a saga that order-service has already resolved —
 * compensated after a rejection — must not link the order, or the courier is told "order added" and then, when the
 * compensation's state arrives, "order removed". Two ways such a command comes: after the compensation (a replayed
 * or requeued record: the version guard refuses it), and between the rejection and the compensation (the saga had
 * re-sent its command because the first reply was slow, and meanwhile the task got room: the saga's first decision
 * must stand).
 */
class StaleAssignmentCommandIT extends RealInfrastructureTest {

    final String courier = "c-stale-" + UUID.randomUUID().toString().substring(0, 8);

    TopicReader replies;

    @BeforeEach
    void readReplies() {
        replies = new TopicReader(ASSIGNMENT_EVENTS);
    }

    @AfterEach
    void closeReplies() {
        replies.close();
    }

    @Test
    void aCommandArrivingAfterItsSagaWasCompensatedNeitherLinksNorNotifies() {
        String taskId = createTask(3, courier);
        String orderId = order();
        String sagaId = saga();
        send(state(orderId, taskId, "ASSIGNMENT_PENDING", 1));
        send(state(orderId, null, "CREATED", 2)); // order-service compensated the saga
        int partition = send(assign(sagaId, orderId, taskId, 1)).partition(); // its command, replayed late

        awaitBarrier(partition);

        assertThat(replies.matching(r -> r.value().contains(sagaId))).isEmpty();
        assertThat(linkCount(orderId)).isZero();
        assertThat(notificationsOf(orderId)).isEmpty();
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId)).containsEntry("assigned", 0L);
    }

    @Test
    void aResentCommandOfARejectedSagaIsRejectedAgainEvenWhenTheTaskGotRoomMeanwhile() {
        String taskId = createTask(1, courier);
        String other = order();
        awaitBarrier(send(state(other, taskId, "ASSIGNED", 2)).partition()); // the task is full
        String orderId = order();
        String sagaId = saga();
        send(state(orderId, taskId, "ASSIGNMENT_PENDING", 1));
        send(assign(sagaId, orderId, taskId, 1)); // rejected: TASK_FULL
        assertThat(reply(sagaId, 1).type()).isEqualTo("AssignmentRejected");

        awaitBarrier(send(state(other, null, "CANCELLED", 3)).partition()); // the task gets room
        send(assign(sagaId, orderId, taskId, 1)); // the saga's re-send, sent before the first reply came back
        EventEnvelope second = reply(sagaId, 2);
        int partition = send(state(orderId, null, "CREATED", 2)).partition(); // the rejection's compensation
        awaitBarrier(partition);

        assertThat(second.type())
                .as("the saga's first decision stands for its re-sent command")
                .isEqualTo("AssignmentRejected");
        assertThat(json(second.payload()).path("reason").asText()).isEqualTo("TASK_FULL");
        assertThat(linkCount(orderId)).isZero();
        assertThat(notificationsOf(orderId))
                .as("the courier was never told about this order")
                .isEmpty();
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId)).containsEntry("assigned", 0L);
    }

    /** Waits until everything sent to {@code partition} before now has been processed. */
    private void awaitBarrier(int partition) {
        String barrier = saga();
        sendTo(partition, assign(barrier, "o-barrier-" + UUID.randomUUID(), "t-unknown-" + UUID.randomUUID(), 1));
        reply(barrier, 1);
    }

    /** The {@code nth} reply to the saga's commands. */
    private EventEnvelope reply(String sagaId, int nth) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> replies.matching(r -> r.value().contains(sagaId)).size() >= nth);
        List<ConsumerRecord<String, String>> all =
                replies.matching(r -> r.value().contains(sagaId));
        return decode(all.get(nth - 1).value());
    }

    /** The courier notifications written for the order (sent or not). */
    private List<JsonNode> notificationsOf(String orderId) {
        return jdbc
                .queryForList(
                        "SELECT payload FROM outbox_event WHERE topic = 'webhook:courier' AND aggregate_id = ?",
                        String.class,
                        orderId)
                .stream()
                .map(RealInfrastructureTest::json)
                .toList();
    }

    private int linkCount(String orderId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM task_order_link WHERE order_id = ?", Integer.class, orderId);
    }

    private static String order() {
        return "o-" + UUID.randomUUID();
    }

    private static String saga() {
        return UUID.randomUUID().toString();
    }
}
