package io.fleetsaga.system;

import io.fleetsaga.common.testing.OpenApiValidation;
import io.fleetsaga.infra.DatabaseServer;
import io.fleetsaga.infra.FleetStack;
import io.fleetsaga.infra.RealInfrastructure;
import io.fleetsaga.infra.ServiceProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Both services as real processes on the real database (one schema each, random names per stack) and the real
 * broker, with API users for every role: a {@link FleetStack} {@linkplain FleetStack#attach attached} to this JVM's
 * {@link RealInfrastructure} (embedded, Testcontainers or external). One stack per test class; {@link #close()}
 * stops the services, never the shared infrastructure.
 *
 * <p>Every response of the services' API that a system test receives is validated against the service's checked-in
 * OpenAPI document ({@code docs/openapi/<service>.json}, {@link OpenApiValidation}): the contract test.
 */
final class SystemStack implements AutoCloseable {

    static final String DISPATCHER = "dispatcher";
    static final String OPS = "ops";
    static final String PASSWORD = "system-test-secret";

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    final String ordersDb;
    final String assignmentsDb;
    /** The first order-service instance. */
    final ServiceProcess orderService;

    final List<ServiceProcess> orderServices;
    /** The running assignment-service (another process after {@link #restartAssignmentService}). */
    volatile ServiceProcess assignmentService;

    private final FleetStack fleet;

    private SystemStack(FleetStack fleet) {
        this.fleet = fleet;
        this.ordersDb = fleet.ordersSchema();
        this.assignmentsDb = fleet.assignmentsSchema();
        this.orderServices = fleet.orderServices();
        this.orderService = orderServices.get(0);
        this.assignmentService = fleet.assignmentServices().get(0);
    }

    /** Stops assignment-service (gracefully: its consumer leaves the group); start it again with {@link #restartAssignmentService}. */
    void stopAssignmentService() {
        assignmentService.close();
    }

    /**
     * Starts assignment-service again on its port and database, with {@code extra} properties on top of its own;
     * returns when it is ready.
     */
    void restartAssignmentService(Map<String, String> extra) {
        assignmentService.close();
        assignmentService = fleet.startAssignmentService(assignmentService.port(), extra);
    }

    /** Starts both services; {@code extra} properties go to both. */
    static SystemStack start(Map<String, String> extra) {
        return start(extra, Map.of(), 1);
    }

    /**
     * Starts assignment-service and {@code orderInstances} order-service instances (one schema, sharing the work);
     * {@code extra} properties go to all, {@code orderExtra} to order-service only. order-service reads
     * assignment-service for reconciliation as the service user; its schedule is off unless {@code orderExtra}
     * turns it on.
     */
    static SystemStack start(Map<String, String> extra, Map<String, String> orderExtra, int orderInstances) {
        return start(extra, orderExtra, orderInstances, UnaryOperator.identity());
    }

    /** As {@link #start(Map, Map, int)}, with both services' JDBC URLs passed through {@code databaseUrl}. */
    static SystemStack start(
            Map<String, String> extra,
            Map<String, String> orderExtra,
            int orderInstances,
            UnaryOperator<String> databaseUrl) {
        RealInfrastructure infra = RealInfrastructure.get();
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> orderOnly = new HashMap<>();
        orderOnly.put("fleetsaga.reconciliation.schedule", "false");
        orderOnly.put("fleetsaga.reconciliation.grace-period", "1s");
        orderOnly.put("fleetsaga.reconciliation.assignment-service.username", "service");
        orderOnly.put("fleetsaga.reconciliation.assignment-service.password", PASSWORD);
        orderOnly.putAll(orderExtra);
        Path logs = Path.of(System.getProperty("fleetsaga.logs.dir", "target/service-logs"));
        return new SystemStack(
                FleetStack.attach(FleetStack.AttachOptions.defaults(infra.database(), infra.kafka(), logs)
                        .withSchemas("sys_orders_" + run, "sys_assignments_" + run)
                        .withJdbcUrl(databaseUrl)
                        .withInstances(orderInstances, 1)
                        .withProperties(properties(extra), orderOnly, Map.of())
                        .withClassDataSharing(true)));
    }

    /**
     * Starts an assignment-service process with the stack's settings on {@code port} (its own port: the same
     * instance again, e.g. after a kill; another port: one more instance); returns once it is ready. The caller
     * closes it.
     */
    ServiceProcess startAssignmentService(int port) {
        return fleet.startAssignmentService(port, Map.of());
    }

    /** Both services' own properties: quick outbox polls, the API users, then {@code extra}. */
    private static Map<String, String> properties(Map<String, String> extra) {
        Map<String, String> props = new HashMap<>();
        props.put("fleetsaga.outbox.poll-interval", "50ms");
        // every test class talks from 127.0.0.1 to one shared stack: the refusals some classes check (401 for a wrong
        // password) count against the next class's requests within the same minute, and the 11th gets a 429 (found
        // by CI: HotTaskIncidentIT). The limiter itself is tested in common (BasicAuthenticationCostTests).
        props.put("fleetsaga.security.basic.failures-per-client", "100000");
        String[][] users = {{DISPATCHER, "DISPATCHER"}, {OPS, "OPS"}, {"service", "SERVICE"}};
        for (int i = 0; i < users.length; i++) {
            props.put("fleetsaga.security.users[" + i + "].name", users[i][0]);
            props.put("fleetsaga.security.users[" + i + "].password", "{noop}" + PASSWORD);
            props.put("fleetsaga.security.users[" + i + "].roles", users[i][1]);
        }
        props.putAll(extra);
        return props;
    }

    HttpResponse<String> post(ServiceProcess service, String path, String json, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.uri(path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", basic(DISPATCHER))
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(request::header);
        return send(service, request.build());
    }

    HttpResponse<String> post(ServiceProcess service, String path, String json) {
        return post(service, path, json, Map.of());
    }

    /** POSTs {@code json} as {@code user} ({@code null}: without credentials). */
    HttpResponse<String> postAs(ServiceProcess service, String path, String json, String user) {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.uri(path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (user != null) {
            request.header("Authorization", basic(user));
        }
        return send(service, request.build());
    }

    /** Runs {@code sql} (an update) in {@code schema}; returns the affected rows. */
    static int update(String schema, String sql, Object... params) {
        DatabaseServer db = RealInfrastructure.get().database();
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(schema), db.username(), db.password());
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    HttpResponse<String> get(ServiceProcess service, String path, String user) {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.uri(path)).timeout(Duration.ofSeconds(30));
        if (user != null) {
            request.header("Authorization", basic(user));
        }
        return send(service, request.GET().build());
    }

    /** Sends {@code request} to {@code service} and validates the response against the service's document. */
    private static HttpResponse<String> send(ServiceProcess service, HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed", e);
        }
        String path = request.uri().getRawPath()
                + (request.uri().getRawQuery() == null
                        ? ""
                        : "?" + request.uri().getRawQuery());
        OpenApiValidation.of(service.name() + ".json")
                .check(
                        request.method(),
                        path,
                        response.statusCode(),
                        response.headers().map(),
                        response.body());
        return response;
    }

    private static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    /** Rows of {@code sql} in {@code schema}; numbers as {@code Long}. */
    static List<Map<String, Object>> query(String schema, String sql, Object... params) {
        DatabaseServer db = RealInfrastructure.get().database();
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(schema), db.username(), db.password());
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
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
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static long count(String schema, String sql, Object... params) {
        return (Long) query(schema, sql, params).get(0).values().iterator().next();
    }

    @Override
    public void close() {
        fleet.close();
        assignmentService.close(); // in case it replaced the stack's own
    }
}
