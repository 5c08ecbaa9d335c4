package io.fleetsaga.assignment.messaging;

import static io.fleetsaga.assignment.support.OrderEvents.assign;
import static io.fleetsaga.assignment.support.OrderEvents.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.assignment.support.RealInfrastructureTest;
import io.fleetsaga.assignment.support.TaskInvariants;
import io.fleetsaga.assignment.support.TopicReader;
import io.fleetsaga.common.event.EventEnvelope;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * Incident I-1's hot task: 200 orders on one task, their final states produced concurrently and consumed by
 * three consumer threads that all update the same task row. Counters end exact, nothing is dead-lettered.
 */
class HotTaskConcurrencyIT extends RealInfrastructureTest {

    private static final Logger log = LoggerFactory.getLogger(HotTaskConcurrencyIT.class);

    static final int ORDERS = 200;
    static final int PRODUCER_THREADS = 4;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @Autowired
    MeterRegistry meters;

    @Autowired
    DataSource dataSource;

    @Test
    void twoHundredOrdersOfOneTaskUpdatedConcurrentlyLeaveExactCounters() throws Exception {
        ConcurrentMessageListenerContainer<?, ?> container =
                (ConcurrentMessageListenerContainer<?, ?>) listeners.getListenerContainer("order-events");
        assertThat(container.getConcurrency()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> container.getAssignmentsByClientId().values().stream()
                                .filter(assigned -> !assigned.isEmpty())
                                .count()
                        == 3);

        String taskId = createTask(ORDERS);
        List<String> orders = new ArrayList<>();
        List<EventEnvelope> commands = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            String orderId = "o-hot-" + i + "-" + UUID.randomUUID();
            orders.add(orderId);
            commands.add(assign(UUID.randomUUID().toString(), orderId, taskId, 1));
        }
        sendAll(commands);
        await().atMost(Duration.ofSeconds(120))
                .until(() -> linkCount(taskId) == ORDERS && processed(ids(commands)) == ORDERS);
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId)).containsEntry("assigned", (long) ORDERS);

        // even orders are delivered, odd ones fail, come back to the hub and leave the task
        long lockWaitsBefore = rowLockWaits();
        List<EventEnvelope> states = new ArrayList<>();
        Set<Integer> partitions = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(PRODUCER_THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> producing = new ArrayList<>();
            for (int t = 0; t < PRODUCER_THREADS; t++) {
                List<EventEnvelope> slice = new ArrayList<>();
                for (int i = t; i < ORDERS; i += PRODUCER_THREADS) {
                    slice.addAll(journey(orders.get(i), taskId, i % 2 == 0));
                }
                states.addAll(slice);
                producing.add(threads.submit(() -> {
                    start.await();
                    List<Future<RecordMetadata>> sent = new ArrayList<>();
                    for (EventEnvelope envelope : slice) {
                        sent.add(producer.send(
                                new ProducerRecord<>(ORDER_EVENTS, envelope.aggregateId(), bytes(envelope))));
                    }
                    for (Future<RecordMetadata> metadata : sent) {
                        partitions.add(metadata.get().partition());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : producing) {
                f.get();
            }
        } finally {
            threads.shutdown();
        }
        assertThat(partitions).as("the orders' partitions").hasSize(3);

        await().atMost(Duration.ofSeconds(180)).until(() -> processed(ids(states)) == states.size());
        // the consumers really collided on the task row (InnoDB counts every wait for a row lock)
        long lockWaits = rowLockWaits() - lockWaitsBefore;
        log.info("{} row lock waits while {} states of one task were applied", lockWaits, states.size());
        assertThat(lockWaits).as("row lock waits").isPositive();

        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId))
                .isEqualTo(Map.of("assigned", (long) ORDERS / 2, "delivered", (long) ORDERS / 2));
        assertThat(jdbc.queryForList(
                        "SELECT DISTINCT CONCAT(order_status, '@', order_version) FROM task_order_link WHERE task_id = ?",
                        String.class,
                        taskId))
                .containsExactly("DELIVERED@4");
        assertThat(deadLettered(orders)).isEmpty();
    }

    @Test
    void aLockWaitTimeoutIsRetriedWithBackoffAndNeverDeadLettered() throws Exception {
        String taskId = createTask(5);
        String orderId = "o-locked-" + UUID.randomUUID();
        EventEnvelope assigned = state(orderId, taskId, "ASSIGNED", 2);
        send(assigned);
        await().atMost(Duration.ofSeconds(30)).until(() -> processed(ids(List.of(assigned))) == 1);
        double failuresBefore = lockFailures();

        EventEnvelope delivered = state(orderId, taskId, "DELIVERED", 3);
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock =
                    holder.prepareStatement("SELECT id FROM assignment_task WHERE id = ? FOR UPDATE")) {
                lock.setString(1, taskId);
                lock.executeQuery().close();
            }
            send(delivered); // its counter update waits for the task row, times out (1 s in tests), is retried

            await().atMost(Duration.ofSeconds(30)).until(() -> lockFailures() >= failuresBefore + 2);
            assertThat(processed(ids(List.of(delivered)))).isZero();
            holder.rollback();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> processed(ids(List.of(delivered))) == 1);
        assertThat(jdbc.queryForObject(
                        "SELECT order_status FROM task_order_link WHERE order_id = ?", String.class, orderId))
                .isEqualTo("DELIVERED");
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId))
                .isEqualTo(Map.of("assigned", 1L, "delivered", 1L));
        assertThat(deadLettered(List.of(orderId))).isEmpty();
    }

    private static List<EventEnvelope> journey(String orderId, String taskId, boolean delivered) {
        List<EventEnvelope> journey = new ArrayList<>(
                List.of(state(orderId, taskId, "ASSIGNED", 2), state(orderId, taskId, "DELIVERING", 3)));
        if (delivered) {
            journey.add(state(orderId, taskId, "DELIVERED", 4));
        } else {
            journey.add(state(orderId, taskId, "ON_HOLD", 4));
            journey.add(state(orderId, null, "RECEIVED", 5));
        }
        return journey;
    }

    /** Failed listener calls caused by a lock wait timeout (the kit's error handler retries them). */
    private double lockFailures() {
        Collection<Timer> timers = meters.find("spring.kafka.listener")
                .tag("result", "failure")
                .tag("exception", "CannotAcquireLockException")
                .timers();
        return timers.stream().mapToDouble(Timer::count).sum();
    }

    private long rowLockWaits() {
        // SHOW works on MySQL 8 and MariaDB alike (information_schema.GLOBAL_STATUS is MariaDB only)
        return jdbc.queryForObject("SHOW GLOBAL STATUS LIKE 'Innodb_row_lock_waits'", (rs, row) -> rs.getLong(2));
    }

    private List<String> deadLettered(List<String> orderIds) {
        Set<String> keys = Set.copyOf(orderIds);
        try (TopicReader dlt = new TopicReader(ORDER_EVENTS_DLT)) {
            return dlt.readToEnd().stream()
                    .map(r -> r.key())
                    .filter(keys::contains)
                    .toList();
        }
    }

    private int linkCount(String taskId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM task_order_link WHERE task_id = ?", Integer.class, taskId);
    }

    private int processed(List<String> eventIds) {
        String in = eventIds.stream().map(id -> "?").collect(Collectors.joining(","));
        return jdbc.queryForObject(
                "SELECT COUNT(*) FROM inbox_message WHERE consumer = 'assignment-service.order-events'"
                        + " AND message_id IN (" + in + ")",
                Integer.class,
                eventIds.toArray());
    }

    private static List<String> ids(List<EventEnvelope> envelopes) {
        return envelopes.stream().map(e -> e.eventId().toString()).toList();
    }
}
