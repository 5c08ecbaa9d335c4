package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.infra.RealInfrastructure;
import io.fleetsaga.infra.ServiceProcess;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Fast failover of assignment-service's consumers (issue 9, failure mode 9): an instance killed with {@code kill -9}
 * and restarted under load consumes again within 10 s of its readiness (static group membership: it takes its
 * partitions back instead of waiting for its dead member's session timeout), and an instance stopped gracefully
 * hands its partitions to the remaining one at once (it leaves the group although it is a static member).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsumerFailoverIT {

    private static final String LISTENER = "order-events";
    private static final String TOPIC = "fleet.order.events";

    static SystemStack stack;
    static Workflow workflow;
    /** The stack's assignment-service instance, or the one that replaced it. */
    static ServiceProcess assignments;

    @BeforeAll
    static void start() {
        stack = SystemStack.start(Map.of("fleetsaga.consumer.health.check-interval", "500ms"));
        workflow = new Workflow(stack);
        assignments = stack.assignmentService;
    }

    @AfterAll
    static void stop() {
        if (assignments != null && assignments != stack.assignmentService) {
            assignments.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(2) // kills the instance
    void aKilledAndRestartedInstanceConsumesAgainWithinTenSecondsOfItsReadiness() throws Exception {
        String taskId = "t-" + UUID.randomUUID();
        HttpResponse<String> created = stack.post(
                assignments, "/api/tasks", "{\"taskId\":\"" + taskId + "\",\"courierId\":\"c-7\",\"capacity\":1000}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        workflow.assignedOrder(taskId);
        int port = assignments.port();
        ServiceProcess current = assignments;
        List<ServiceProcess> restarted = new ArrayList<>();
        try (Load load = new Load(taskId)) {
            for (int round = 1; round <= 2; round++) {
                await().atMost(Duration.ofSeconds(30)).until(() -> load.accepted() > 3);
                current.kill();
                long killed = System.nanoTime();
                int before = load.accepted();
                await().atMost(Duration.ofSeconds(30)).until(() -> load.accepted() >= before + 3);
                current = stack.startAssignmentService(port);
                restarted.add(current);
                long ready = System.nanoTime();
                ServiceProcess instance = current;
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> recordsConsumed(instance) > 0);
                long consuming = System.nanoTime();
                long afterReady = Math.max(0, (consuming - ready) / 1_000_000);
                System.out.printf(
                        "[ConsumerFailoverIT] kill %d: restart to ready %d ms, consuming %d ms after readiness%n",
                        round, (ready - killed) / 1_000_000, afterReady);
                assertThat(afterReady)
                        .as("round %d: ms from readiness to the first consumed record", round)
                        .isLessThan(10_000);
            }
        } finally {
            restarted.forEach(ServiceProcess::close);
        }
    }

    @Test
    @Order(1)
    void aGracefullyStoppedInstanceHandsItsPartitionsOverAtOnce() throws Exception {
        ServiceProcess second = stack.startAssignmentService(ServiceProcess.freePort());
        try {
            // both instances in the group (3 consumer threads each), all partitions assigned
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> groupMembers() == 6
                            && partitions(assignments).size()
                                            + partitions(second).size()
                                    == 3);
            // static members are assigned in the order of their instance ids: one instance may hold all partitions
            boolean firstHolds = !partitions(assignments).isEmpty();
            ServiceProcess leaving = firstHolds ? assignments : second;
            ServiceProcess staying = firstHolds ? second : assignments;

            long stopping = System.nanoTime();
            leaving.close();
            long stopped = System.nanoTime();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> partitions(staying).size() == 3);
            long handedOver = System.nanoTime();
            long afterExit = (handedOver - stopped) / 1_000_000;
            System.out.printf(
                    "[ConsumerFailoverIT] graceful stop took %d ms; all partitions with the other instance %d ms"
                            + " after the process exited%n",
                    (stopped - stopping) / 1_000_000, afterExit);
            assertThat(afterExit)
                    .as("ms from the stopped instance's exit until the other one has all partitions")
                    .isLessThan(6_000);
            assignments = staying;
        } finally {
            if (second != assignments) {
                second.close();
            }
        }
    }

    /** Members of assignment-service's consumer group, as the broker sees them. */
    private static int groupMembers() throws Exception {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                RealInfrastructure.get().kafka().bootstrapServers()))) {
            return admin.describeConsumerGroups(List.of("assignment-service"))
                    .describedGroups()
                    .get("assignment-service")
                    .get(10, TimeUnit.SECONDS)
                    .members()
                    .size();
        }
    }

    /** The partitions of fleet.order.events assigned to an instance's listener, from its health details. */
    private static List<String> partitions(ServiceProcess instance) throws Exception {
        HttpResponse<String> health = stack.get(instance, "/actuator/health", SystemStack.OPS);
        JsonNode listener = Workflow.JSON.readTree(health.body()).at("/components/kafkaListeners/details/" + LISTENER);
        List<String> assigned = new ArrayList<>();
        listener.path("assignedPartitions").forEach(p -> {
            if (p.asText().startsWith(TOPIC + "-")) {
                assigned.add(p.asText());
            }
        });
        return assigned;
    }

    /** Records handed to the listener since the instance started, from its Prometheus scrape. */
    private static double recordsConsumed(ServiceProcess instance) {
        HttpResponse<String> scrape = stack.get(instance, "/actuator/prometheus", null);
        for (String line : scrape.body().split("\n")) {
            if (line.startsWith("kafka_listener_records_total{") && line.contains("listener=\"" + LISTENER + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    /** Dispatchers creating orders and asking to assign them, one every 100 ms, until closed. */
    private static final class Load implements AutoCloseable {

        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger accepted = new AtomicInteger();
        private final Thread thread;

        Load(String taskId) {
            thread = new Thread(
                    () -> {
                        while (running.get()) {
                            try {
                                String orderId = "o-" + UUID.randomUUID();
                                stack.post(stack.orderService, "/api/orders", "{\"orderId\":\"" + orderId + "\"}");
                                HttpResponse<String> assign = stack.post(
                                        stack.orderService,
                                        "/api/orders/" + orderId + "/assignment",
                                        "{\"taskId\":\"" + taskId + "\"}");
                                if (assign.statusCode() == 202) {
                                    accepted.incrementAndGet();
                                }
                                Thread.sleep(100);
                            } catch (InterruptedException e) {
                                return;
                            } catch (RuntimeException e) {
                                // keep the load going
                            }
                        }
                    },
                    "dispatcher-load");
            thread.setDaemon(true);
            thread.start();
        }

        int accepted() {
            return accepted.get();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }
}
