package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.infra.DatabaseServer;
import io.fleetsaga.infra.RealInfrastructure;
import io.fleetsaga.infra.ServiceProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walking skeleton, end to end: order-service commits an order and its outbox event in one
 * transaction, its relay publishes the event, assignment-service consumes it through its inbox and commits
 * its own effect. Two service processes, two databases, one real broker.
 */
class WalkingSkeletonIT {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    static String ordersDb;
    static String assignmentsDb;
    static ServiceProcess orderService;
    static ServiceProcess assignmentService;

    @BeforeAll
    static void startServices() {
        RealInfrastructure infra = RealInfrastructure.get();
        String run = UUID.randomUUID().toString().substring(0, 8);
        ordersDb = "sys_orders_" + run;
        assignmentsDb = "sys_assignments_" + run;
        CompletableFuture<ServiceProcess> orders = CompletableFuture.supplyAsync(
                () -> ServiceProcess.start("order-service", props(infra.springProperties(ordersDb)))
                        .awaitReady(Duration.ofSeconds(120)));
        CompletableFuture<ServiceProcess> assignments = CompletableFuture.supplyAsync(
                () -> ServiceProcess.start("assignment-service", props(infra.springProperties(assignmentsDb)))
                        .awaitReady(Duration.ofSeconds(120)));
        orderService = orders.join();
        assignmentService = assignments.join();
    }

    @AfterAll
    static void stopServices() {
        for (ServiceProcess service : new ServiceProcess[] {orderService, assignmentService}) {
            if (service != null) {
                service.close();
            }
        }
    }

    @Test
    void anOrderCreatedInOrderServiceArrivesInAssignmentServiceThroughOutboxKafkaAndInbox() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String orderId = "order-" + UUID.randomUUID();
            ids.add(orderId);
            HttpResponse<String> created = post(orderService, "/api/orders", "{\"orderId\":\"" + orderId + "\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(query(
                                assignmentsDb, "SELECT status, order_version FROM order_mirror WHERE order_id = ?", id))
                        .containsExactly(Map.of("status", "CREATED", "order_version", 0L));
            }
        });
        for (String id : ids) {
            assertThat(query(ordersDb, "SELECT status FROM outbox_event WHERE aggregate_id = ?", id))
                    .containsExactly(Map.of("status", "SENT"));
        }
        assertThat(query(assignmentsDb, "SELECT COUNT(*) AS n FROM inbox_message", null))
                .containsExactly(Map.of("n", 5L));
        assertThat(query(
                        assignmentsDb,
                        "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE()"
                                + " AND table_name = 'fleet_order'",
                        null))
                .as("assignment-service's database has none of order-service's tables")
                .containsExactly(Map.of("n", 0L));
    }

    @Test
    void bothServicesExposeHealthGroupsAndPrometheusMetrics() throws Exception {
        for (ServiceProcess service : List.of(orderService, assignmentService)) {
            assertThat(get(service, "/actuator/health/liveness").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(service, "/actuator/prometheus");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("outbox_events_pending{application=\"" + service.name() + "\"")
                    .contains("outbox_oldest_pending_age_seconds")
                    .contains("outbox_events_parked");
        }
    }

    private static Map<String, String> props(Map<String, String> infra) {
        Map<String, String> props = new HashMap<>(infra);
        props.put("fleetsaga.outbox.poll-interval", "50ms");
        return props;
    }

    private static HttpResponse<String> post(ServiceProcess service, String path, String json) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(service.uri(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(ServiceProcess service, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(service.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<Map<String, Object>> query(String schema, String sql, String param) throws SQLException {
        DatabaseServer db = RealInfrastructure.get().database();
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(schema), db.username(), db.password());
                PreparedStatement statement = connection.prepareStatement(sql)) {
            if (param != null) {
                statement.setString(1, param);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new HashMap<>();
                    for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
                        Object value = rs.getObject(c);
                        row.put(rs.getMetaData().getColumnLabel(c), value instanceof Number n ? n.longValue() : value);
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }
}
