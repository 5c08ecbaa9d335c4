package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fleetsaga.infra.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The reconciliation schedule with two order-service instances on one database (issue 4, test 3), and the drift
 * alert seen by a real Prometheus server scraping them.
 */
class ReconciliationScheduleIT {

    static SystemStack stack;
    static Workflow flow;

    @BeforeAll
    static void start() {
        stack = SystemStack.start(
                Map.of(),
                Map.of(
                        "fleetsaga.reconciliation.schedule", "true",
                        "fleetsaga.reconciliation.interval", "3s",
                        "fleetsaga.reconciliation.grace-period", "300ms",
                        "fleetsaga.reconciliation.metrics-refresh", "1s"),
                2);
        flow = new Workflow(stack);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void twoInstancesFiringAtOnceRunEachSlotOnceAndNeverTogether() {
        // both instances take part in the schedule: each has fired at least once (ran or skipped a slot)
        await().atMost(Duration.ofSeconds(60))
                .until(() -> stack.orderServices.stream().allMatch(instance -> slotsSeen(instance) >= 1));
        double[] seenBefore = stack.orderServices.stream()
                .mapToDouble(ReconciliationScheduleIT::slotsSeen)
                .toArray();
        long firstSlot = maxScheduledSlot();
        await().atMost(Duration.ofSeconds(60)).until(() -> maxScheduledSlot() >= firstSlot + 4);

        List<Map<String, Object>> runs = SystemStack.query(
                stack.ordersDb,
                "SELECT id, scheduled_slot, instance, status, started_at, finished_at FROM reconciliation_run"
                        + " WHERE trigger_type = 'SCHEDULED' AND status <> 'RUNNING' ORDER BY started_at");
        assertThat(runs.stream().map(r -> r.get("status")).distinct()).containsOnly("COMPLETED");
        assertThat(runs.stream().map(r -> r.get("scheduled_slot")).distinct().count())
                .as("one run per slot")
                .isEqualTo(runs.size());
        for (int i = 1; i < runs.size(); i++) {
            LocalDateTime previousEnd = (LocalDateTime) runs.get(i - 1).get("finished_at");
            LocalDateTime start = (LocalDateTime) runs.get(i).get("started_at");
            assertThat(start)
                    .as("run %s overlaps the run before", runs.get(i).get("id"))
                    .isAfterOrEqualTo(previousEnd);
        }
        // in the four slots since, every instance fired too (ran the slot, or found it taken / the lease held)
        for (int i = 0; i < stack.orderServices.size(); i++) {
            assertThat(slotsSeen(stack.orderServices.get(i)) - seenBefore[i])
                    .as("slots fired by instance %d", i)
                    .isGreaterThanOrEqualTo(3);
        }
        System.out.printf(
                "schedule: %d runs by %s%n",
                runs.size(),
                runs.stream().collect(Collectors.groupingBy(r -> r.get("instance"), Collectors.counting())));
    }

    private static long maxScheduledSlot() {
        return SystemStack.count(
                stack.ordersDb,
                "SELECT COALESCE(MAX(scheduled_slot), 0) FROM reconciliation_run WHERE trigger_type = 'SCHEDULED'"
                        + " AND status = 'COMPLETED'");
    }

    private static double slotsSeen(ServiceProcess instance) {
        return sum(instance, "reconciliation_runs_total") + sum(instance, "reconciliation_schedule_skipped_total");
    }

    @Test
    void aRealPrometheusFiresTheDriftAlertOnInjectedDrift(@TempDir Path dir) throws Exception {
        Path prometheusBinary = Path.of("/usr/bin/prometheus");
        boolean required = "true".equals(System.getenv("FLEETSAGA_REQUIRE_PROMTOOL"));
        assumeTrue(required || Files.isExecutable(prometheusBinary), "prometheus is not installed");
        Path rules = Path.of("..", "deploy", "prometheus", "alerts.yml")
                .toAbsolutePath()
                .normalize();
        assertThat(rules).exists();

        String taskId = flow.task(5);
        String orderId = flow.assignedOrder(taskId);
        assertThat(SystemStack.update(
                        stack.assignmentsDb,
                        "UPDATE task_order_link SET order_status = 'DELIVERED' WHERE order_id = ?",
                        orderId))
                .isOne();
        SystemStack.update(
                stack.assignmentsDb,
                "UPDATE assignment_task SET delivered_count = delivered_count + 1 WHERE id = ?",
                taskId);

        int port = ServiceProcess.freePort();
        String targets = stack.orderServices.stream()
                .map(s -> "'127.0.0.1:" + s.port() + "'")
                .collect(Collectors.joining(", "));
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - '%s'
                scrape_configs:
                  - job_name: order-service
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: [%s]
                """.formatted(rules, targets));
        Process prometheus = new ProcessBuilder(
                        prometheusBinary.toString(),
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        try {
            JsonNode[] alert = new JsonNode[1];
            try {
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> {
                            alert[0] = driftAlert(port);
                            return alert[0] != null;
                        });
            } catch (AssertionError | RuntimeException e) {
                System.out.println("prometheus targets: " + get(port, "/api/v1/targets"));
                System.out.println("prometheus rules: " + get(port, "/api/v1/rules"));
                System.out.println("prometheus log:\n" + Files.readString(dir.resolve("prometheus.log")));
                throw e;
            }
            assertThat(alert[0].get("state").asText()).isIn("pending", "firing");
            assertThat(alert[0].get("labels").get("type").asText()).isEqualTo("stale_status");
            assertThat(alert[0].get("labels").get("severity").asText()).isNotBlank();
            assertThat(alert[0].get("annotations").get("runbook_url").asText()).contains("#alert-");
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    private static String get(int port, String path) {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException | InterruptedException e) {
            return e.toString();
        }
    }

    /** The FleetSagaReconciliationDrift alert Prometheus holds (pending or firing), or null. */
    private static JsonNode driftAlert(int port) throws IOException, InterruptedException {
        HttpResponse<String> response;
        try {
            response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/alerts"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (IOException notYetListening) {
            return null;
        }
        for (JsonNode alert :
                Workflow.JSON.readTree(response.body()).get("data").get("alerts")) {
            if ("FleetSagaReconciliationDrift"
                    .equals(alert.get("labels").get("alertname").asText())) {
                return alert;
            }
        }
        return null;
    }

    private static double sum(ServiceProcess instance, String name) {
        HttpResponse<String> scrape = stack.get(instance, "/actuator/prometheus", null);
        return scrape.body()
                .lines()
                .filter(line -> line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
