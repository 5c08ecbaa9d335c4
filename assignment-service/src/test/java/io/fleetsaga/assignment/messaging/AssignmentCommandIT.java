package io.fleetsaga.assignment.messaging;

import static io.fleetsaga.assignment.support.OrderEvents.assign;
import static io.fleetsaga.assignment.support.OrderEvents.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.assignment.support.RealInfrastructureTest;
import io.fleetsaga.assignment.support.TaskInvariants;
import io.fleetsaga.assignment.support.TopicReader;
import io.fleetsaga.assignment.task.OrderAssignments;
import io.fleetsaga.assignment.task.OrderState;
import io.fleetsaga.assignment.task.OrderStateProjection;
import io.fleetsaga.assignment.task.OrderStatus;
import io.fleetsaga.common.event.EventEnvelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.transaction.IllegalTransactionStateException;
import tools.jackson.databind.JsonNode;

/** The saga's "assign order" command: linked or rejected, answered through the outbox, counted once. */
class AssignmentCommandIT extends RealInfrastructureTest {

    static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    TopicReader replies;

    @Autowired
    OrderAssignments assignments;

    @Autowired
    OrderStateProjection projection;

    @BeforeEach
    void readReplies() {
        replies = new TopicReader(ASSIGNMENT_EVENTS);
    }

    @AfterEach
    void closeReplies() {
        replies.close();
    }

    @Test
    void linksTheOrderCountsItAndAnswersOrderLinkedThroughTheOutbox() {
        String taskId = createTask(2);
        String orderId = order();
        String sagaId = saga();

        send(assign(sagaId, orderId, taskId, 1).withTraceparent(TRACEPARENT));

        ConsumerRecord<String, String> record = awaitReplies(sagaId, 1).get(0);
        EventEnvelope reply = decode(record.value());
        assertThat(record.key()).isEqualTo(orderId);
        assertThat(reply.type()).isEqualTo("OrderLinked");
        assertThat(reply.aggregateType()).isEqualTo("FleetOrder");
        assertThat(reply.aggregateId()).isEqualTo(orderId);
        assertThat(reply.traceparent()).isEqualTo(TRACEPARENT);
        JsonNode payload = json(reply.payload());
        assertThat(payload.path("sagaId").asText()).isEqualTo(sagaId);
        assertThat(payload.path("orderId").asText()).isEqualTo(orderId);
        assertThat(payload.path("taskId").asText()).isEqualTo(taskId);

        assertThat(jdbc.queryForMap(
                        "SELECT task_id, order_status, order_version FROM task_order_link WHERE order_id = ?", orderId))
                .isEqualTo(Map.of("task_id", taskId, "order_status", "ASSIGNMENT_PENDING", "order_version", 1L));
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId)).containsEntry("assigned", 1L);
        JsonNode overview =
                json(http(HttpMethod.GET, "/api/tasks/" + taskId, null).getBody());
        assertThat(overview.path("countsByStatus").path("ASSIGNMENT_PENDING").asInt())
                .isEqualTo(1);
    }

    @Test
    void rejectsAnOrderWhenTheTaskIsFull() {
        String taskId = createTask(1);
        String first = saga();
        send(assign(first, order(), taskId, 1));
        assertThat(decode(awaitReplies(first, 1).get(0).value()).type()).isEqualTo("OrderLinked");

        String second = saga();
        String orderId = order();
        send(assign(second, orderId, taskId, 1));

        JsonNode rejected = rejection(second);
        assertThat(rejected.path("reason").asText()).isEqualTo("TASK_FULL");
        assertThat(rejected.path("detail").asText()).isEqualTo("task " + taskId + " has 1 of 1 orders");
        assertThat(rejected.path("orderId").asText()).isEqualTo(orderId);
        assertThat(rejected.path("taskId").asText()).isEqualTo(taskId);
        assertThat(linkCount(orderId)).isZero();
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId)).containsEntry("assigned", 1L);
    }

    @Test
    void rejectsAnOrderForAClosedTask() {
        String taskId = createTask(5);
        assertThat(http(HttpMethod.POST, "/api/tasks/" + taskId + "/closure", null)
                        .getStatusCode()
                        .value())
                .isEqualTo(200);
        String sagaId = saga();
        String orderId = order();

        send(assign(sagaId, orderId, taskId, 1));

        assertThat(rejection(sagaId).path("reason").asText()).isEqualTo("TASK_CLOSED");
        assertThat(linkCount(orderId)).isZero();
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId)).containsEntry("assigned", 0L);
    }

    @Test
    void rejectsAnOrderForAnUnknownTask() {
        String sagaId = saga();
        String orderId = order();

        send(assign(sagaId, orderId, "t-unknown-" + UUID.randomUUID(), 1));

        assertThat(rejection(sagaId).path("reason").asText()).isEqualTo("TASK_NOT_FOUND");
        assertThat(linkCount(orderId)).isZero();
    }

    @Test
    void rejectsAnOrderThatIsLinkedToAnotherTask() {
        String taskA = createTask(5);
        String taskB = createTask(5);
        String orderId = order();
        String first = saga();
        send(assign(first, orderId, taskA, 1));
        awaitReplies(first, 1);

        String second = saga();
        send(assign(second, orderId, taskB, 1));

        JsonNode rejected = rejection(second);
        assertThat(rejected.path("reason").asText()).isEqualTo("LINKED_TO_OTHER_TASK");
        assertThat(rejected.path("detail").asText()).contains(taskA);
        assertThat(jdbc.queryForObject("SELECT task_id FROM task_order_link WHERE order_id = ?", String.class, orderId))
                .isEqualTo(taskA);
        TaskInvariants.assertCountersMatchLinks(jdbc, taskA);
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskB)).containsEntry("assigned", 0L);
    }

    @Test
    void answersARetriedCommandAgainButCountsTheOrderOnce() {
        String taskId = createTask(3);
        String orderId = order();
        String sagaId = saga();
        EventEnvelope command = assign(sagaId, orderId, taskId, 1);
        int partition = send(command).partition();
        awaitReplies(sagaId, 1);

        send(command); // redelivered: the same event, skipped by the inbox
        send(assign(sagaId, orderId, taskId, 1)); // the saga's retry: a new event for the same command
        awaitBarrier(partition);

        List<ConsumerRecord<String, String>> answers = awaitReplies(sagaId, 2);
        assertThat(answers).extracting(r -> decode(r.value()).type()).containsExactly("OrderLinked", "OrderLinked");
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId)).containsEntry("assigned", 1L);
    }

    @Test
    void doesNotLinkAnOrderWhoseNewerStateWasAppliedAndSendsNoReply() {
        String taskId = createTask(3);
        String orderId = order();
        String sagaId = saga();
        send(state(orderId, taskId, "ASSIGNMENT_PENDING", 1));
        send(state(orderId, null, "CANCELLED", 2)); // cancelled while the command was on its way
        int partition = send(assign(sagaId, orderId, taskId, 1)).partition();

        awaitBarrier(partition);

        assertThat(replies.matching(r -> r.value().contains(sagaId))).isEmpty();
        assertThat(linkCount(orderId)).isZero();
        assertThat(jdbc.queryForMap("SELECT status, order_version FROM order_mirror WHERE order_id = ?", orderId))
                .isEqualTo(Map.of("status", "CANCELLED", "order_version", 2L));
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId)).containsEntry("assigned", 0L);
        assertThat(http(HttpMethod.GET, "/actuator/prometheus", null).getBody())
                .contains("assignment_commands_total{application=\"assignment-service\",outcome=\"superseded\"}");
    }

    @Test
    void concurrentCommandsNeverOverfillATask() {
        String taskId = createTask(5);
        List<String> sagas = new ArrayList<>();
        List<EventEnvelope> commands = new ArrayList<>();
        for (int i = 0; i < 12; i++) { // different orders: spread over all partitions, decided concurrently
            String sagaId = saga();
            sagas.add(sagaId);
            commands.add(assign(sagaId, order(), taskId, 1));
        }

        sendAll(commands);

        await().atMost(Duration.ofSeconds(60))
                .until(() -> sagas.stream()
                        .allMatch(s ->
                                !replies.matching(r -> r.value().contains(s)).isEmpty()));
        List<String> types = sagas.stream()
                .map(s -> decode(replies.matching(r -> r.value().contains(s))
                                .get(0)
                                .value())
                        .type())
                .toList();
        assertThat(types).filteredOn("OrderLinked"::equals).hasSize(5);
        assertThat(types).filteredOn("AssignmentRejected"::equals).hasSize(7);
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId)).containsEntry("assigned", 5L);
    }

    @Test
    void refusesToDecideOutsideTheInboxTransaction() {
        assertThatThrownBy(() -> assignments.assign(order(), "t-1", 1))
                .isInstanceOf(IllegalTransactionStateException.class);
        assertThatThrownBy(() -> projection.apply(new OrderState(order(), "t-1", OrderStatus.ASSIGNED, 2)))
                .isInstanceOf(IllegalTransactionStateException.class);
    }

    /** Waits until everything sent to {@code partition} before now has been processed. */
    private void awaitBarrier(int partition) {
        String barrier = saga();
        sendTo(partition, assign(barrier, "o-barrier-" + UUID.randomUUID(), "t-unknown-" + UUID.randomUUID(), 1));
        rejection(barrier);
    }

    private JsonNode rejection(String sagaId) {
        EventEnvelope reply = decode(awaitReplies(sagaId, 1).get(0).value());
        assertThat(reply.type()).isEqualTo("AssignmentRejected");
        return json(reply.payload());
    }

    private List<ConsumerRecord<String, String>> awaitReplies(String sagaId, int atLeast) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> replies.matching(r -> r.value().contains(sagaId)).size() >= atLeast);
        return replies.matching(r -> r.value().contains(sagaId));
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
