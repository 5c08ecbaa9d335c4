package io.fleetsaga.assignment.messaging;

import static io.fleetsaga.assignment.support.OrderEvents.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.assignment.support.RealInfrastructureTest;
import io.fleetsaga.assignment.support.TaskInvariants;
import io.fleetsaga.common.event.EventEnvelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Order states of 50 orders on one task converge to the same links and counters whether they arrive once and
 * in order, or every one twice and with neighbours swapped.
 */
class OrderStateConsumerIT extends RealInfrastructureTest {

    static final int ORDERS = 50;

    @Test
    void statesDeliveredOnceAndInOrderEndInTheOrdersLastStates() {
        Scenario scenario = new Scenario();

        sendAll(scenario.inOrder());

        scenario.awaitProcessed();
        scenario.assertEndState();
    }

    @Test
    void statesDeliveredTwiceAndOutOfOrderEndInTheSameState() {
        Scenario scenario = new Scenario();

        sendAll(scenario.twiceWithNeighboursSwapped());

        scenario.awaitProcessed();
        scenario.assertEndState();
    }

    /**
     * 50 orders on task {@code main}, each on one of seven paths through the order workflow; some end on
     * {@code other}. The expected end state is computed here from the paths alone.
     */
    private final class Scenario {

        final String main = createTask(60);
        final String other = createTask(60);
        final List<String> orders = new ArrayList<>();
        final List<List<EventEnvelope>> states = new ArrayList<>();

        Scenario() {
            for (int i = 0; i < ORDERS; i++) {
                String orderId = "o-" + i + "-" + UUID.randomUUID();
                orders.add(orderId);
                states.add(path(i % 7, orderId));
            }
        }

        private List<EventEnvelope> path(int path, String o) {
            List<EventEnvelope> s = new ArrayList<>(List.of(
                    state(o, null, "CREATED", 0),
                    state(o, main, "ASSIGNMENT_PENDING", 1),
                    state(o, main, "ASSIGNED", 2)));
            switch (path) {
                case 0 -> s.addAll(List.of(state(o, main, "DELIVERING", 3), state(o, main, "DELIVERED", 4)));
                case 1 ->
                    s.addAll(List.of(
                            state(o, main, "DELIVERING", 3),
                            state(o, main, "ON_HOLD", 4),
                            state(o, null, "RECEIVED", 5)));
                case 2 -> s.add(state(o, null, "CANCELLED", 3));
                case 3 -> s.add(state(o, main, "DELIVERING", 3));
                case 4 -> s.addAll(List.of(state(o, main, "DELIVERING", 3), state(o, main, "ON_HOLD", 4)));
                case 5 ->
                    s.addAll(List.of( // received back, then assigned to the other task and delivered there
                            state(o, main, "DELIVERING", 3),
                            state(o, main, "ON_HOLD", 4),
                            state(o, null, "RECEIVED", 5),
                            state(o, other, "ASSIGNMENT_PENDING", 6),
                            state(o, other, "ASSIGNED", 7),
                            state(o, other, "DELIVERING", 8),
                            state(o, other, "DELIVERED", 9)));
                case 6 -> s.add(state(o, other, "ASSIGNED", 3)); // moved without a release in between
                default -> throw new IllegalArgumentException("no path " + path);
            }
            return s;
        }

        /** Round robin over the orders, each order's states in order. */
        List<EventEnvelope> inOrder() {
            List<EventEnvelope> all = new ArrayList<>();
            int longest = states.stream().mapToInt(List::size).max().orElse(0);
            for (int step = 0; step < longest; step++) {
                for (List<EventEnvelope> path : states) {
                    if (step < path.size()) {
                        all.add(path.get(step));
                    }
                }
            }
            return all;
        }

        /**
         * Per order: neighbours swapped ({@code s1 s0 s3 s2 …}), and every message sent a second time (same
         * event id) right after its successor. Orders interleaved round robin, as above.
         */
        List<EventEnvelope> twiceWithNeighboursSwapped() {
            List<List<EventEnvelope>> shuffled = new ArrayList<>();
            for (List<EventEnvelope> path : states) {
                List<EventEnvelope> swapped = new ArrayList<>(path);
                for (int k = 0; k + 1 < swapped.size(); k += 2) {
                    Collections.swap(swapped, k, k + 1);
                }
                List<EventEnvelope> twice = new ArrayList<>();
                for (int k = 0; k < swapped.size(); k++) {
                    twice.add(swapped.get(k));
                    if (k > 0) {
                        twice.add(swapped.get(k - 1));
                    }
                }
                twice.add(swapped.get(swapped.size() - 1));
                shuffled.add(twice);
            }
            List<EventEnvelope> all = new ArrayList<>();
            int longest = shuffled.stream().mapToInt(List::size).max().orElse(0);
            for (int step = 0; step < longest; step++) {
                for (List<EventEnvelope> path : shuffled) {
                    if (step < path.size()) {
                        all.add(path.get(step));
                    }
                }
            }
            return all;
        }

        void awaitProcessed() {
            List<String> ids = states.stream()
                    .flatMap(List::stream)
                    .map(e -> e.eventId().toString())
                    .toList();
            String in = ids.stream().map(id -> "?").collect(Collectors.joining(","));
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> jdbc.queryForObject(
                                    "SELECT COUNT(*) FROM inbox_message WHERE consumer = 'assignment-service.order-events'"
                                            + " AND message_id IN (" + in + ")",
                                    Integer.class,
                                    ids.toArray())
                            == ids.size());
        }

        void assertEndState() {
            Map<String, String> expectedMain = new TreeMap<>();
            Map<String, String> expectedOther = new TreeMap<>();
            for (int i = 0; i < ORDERS; i++) {
                EventEnvelope last = states.get(i).get(states.get(i).size() - 1);
                String status = json(last.payload()).path("status").asText();
                String taskId = json(last.payload()).path("taskId").asText(null);
                String mirrored = status + "@" + last.aggregateVersion();
                if (taskId != null
                        && List.of("ASSIGNED", "DELIVERING", "DELIVERED", "ON_HOLD")
                                .contains(status)) {
                    (taskId.equals(main) ? expectedMain : expectedOther).put(orders.get(i), mirrored);
                }
                assertThat(jdbc.queryForObject(
                                "SELECT CONCAT(status, '@', order_version) FROM order_mirror WHERE order_id = ?",
                                String.class,
                                orders.get(i)))
                        .as("mirror of order %d", i)
                        .isEqualTo(mirrored);
            }
            assertThat(links(main)).isEqualTo(expectedMain);
            assertThat(links(other)).isEqualTo(expectedOther);
            assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, main))
                    .isEqualTo(Map.of(
                            "assigned", (long) expectedMain.size(), "delivered", count(expectedMain, "DELIVERED")));
            assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, other))
                    .isEqualTo(Map.of(
                            "assigned", (long) expectedOther.size(), "delivered", count(expectedOther, "DELIVERED")));
            // released orders (received, cancelled) are on no task
            assertThat(jdbc.queryForObject(
                            "SELECT COUNT(*) FROM task_order_link l JOIN order_mirror m ON m.order_id = l.order_id"
                                    + " WHERE l.task_id IN (?, ?) AND m.status IN ('RECEIVED', 'CANCELLED', 'CREATED')",
                            Integer.class,
                            main,
                            other))
                    .isZero();
        }

        private Map<String, String> links(String taskId) {
            Map<String, String> links = new TreeMap<>();
            jdbc.query(
                    "SELECT order_id, order_status, order_version FROM task_order_link WHERE task_id = ?",
                    rs -> {
                        links.put(
                                rs.getString("order_id"),
                                rs.getString("order_status") + "@" + rs.getLong("order_version"));
                    },
                    taskId);
            return links;
        }

        private static long count(Map<String, String> links, String status) {
            return links.values().stream()
                    .filter(v -> v.startsWith(status + "@"))
                    .count();
        }
    }
}
