package io.fleetsaga.order.reconciliation.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.fleetsaga.common.lease.Lease;
import io.fleetsaga.common.lease.LeaseLostException;
import io.fleetsaga.order.reconciliation.AssignmentFacts.AssignmentServiceException;
import io.fleetsaga.order.reconciliation.ReconciliationSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The counter recompute crosses into assignment-service's database, where order-service's lease cannot be
 * checked: the client sends the lease and its fencing token, and reads assignment-service's 409 (a newer token seen)
 * as a lost lease. Against a real HTTP server on 127.0.0.1 that answers like assignment-service.
 */
class AssignmentServiceClientTests {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RECOMPUTE = "/internal/reconciliation/counter-recompute";

    private HttpServer server;
    private volatile int status;
    private volatile String answer;
    private volatile String received;
    private AssignmentServiceClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.createContext(RECOMPUTE, exchange -> {
            received = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders()
                    .add("Content-Type", status == 200 ? "application/json" : "application/problem+json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        ReconciliationSettings settings = new Binder(new MapConfigurationPropertySource(Map.of(
                        "fleetsaga.reconciliation.assignment-service.url",
                        "http://127.0.0.1:" + server.getAddress().getPort(),
                        "fleetsaga.reconciliation.assignment-service.password",
                        "secret")))
                .bindOrCreate("fleetsaga.reconciliation", ReconciliationSettings.class);
        client = new AssignmentServiceClient(settings, RestClient.builder());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void sendsTheLeaseAndItsFencingTokenWithACounterRecompute() throws IOException {
        status = 200;
        answer = "{\"results\":[{\"taskId\":\"t-1\",\"found\":false}]}";

        assertThat(client.recompute(List.of("t-1"), new Lease("reconciliation", "here/1", 42)))
                .singleElement()
                .satisfies(r -> assertThat(r.found()).isFalse());

        JsonNode sent = JSON.readTree(received);
        assertThat(sent.path("lease").asText()).isEqualTo("reconciliation");
        assertThat(sent.path("fencingToken").asLong()).isEqualTo(42);
        assertThat(sent.path("taskIds").get(0).asText()).isEqualTo("t-1");
    }

    @Test
    void aRefusedFencingTokenIsALostLease() {
        status = 409;
        answer = "{\"type\":\"urn:fleet-saga:problem:stale-fencing-token\",\"title\":\"Stale fencing token\","
                + "\"status\":409,\"detail\":\"fencing token 41 of lease 'reconciliation' is older than token 42\"}";

        assertThatThrownBy(() -> client.recompute(List.of("t-1"), new Lease("reconciliation", "here/1", 41)))
                .isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("fencing token 41")
                .hasMessageContaining("older than token 42");
    }

    @Test
    void otherRefusalsStayFailuresOfAssignmentService() {
        status = 503;
        answer = "{\"title\":\"Busy\",\"status\":503}";

        assertThatThrownBy(() -> client.recompute(List.of("t-1"), new Lease("reconciliation", "here/1", 41)))
                .isInstanceOf(AssignmentServiceException.class);
    }
}
