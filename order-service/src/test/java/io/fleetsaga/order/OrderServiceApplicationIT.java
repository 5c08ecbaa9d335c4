package io.fleetsaga.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.infra.SpringInfrastructure;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "fleetsaga.outbox.poll-interval=50ms")
@AutoConfigureObservability
class OrderServiceApplicationIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SpringInfrastructure.register(
                registry, "order_app_" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Autowired
    TestRestTemplate http;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void createsAnOrderAndPublishesItsStateThroughTheOutbox() {
        String orderId = "o-" + UUID.randomUUID();

        ResponseEntity<String> response =
                http.postForEntity("/api/orders", json("{\"orderId\":\"" + orderId + "\"}"), String.class);

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(response.getHeaders().getETag()).isEqualTo("\"0\"");
        assertThat(response.getHeaders().getLocation()).hasPath("/api/orders/" + orderId);
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> jdbc.queryForObject(
                                "SELECT status FROM outbox_event WHERE aggregate_id = ?", String.class, orderId),
                        "SENT"::equals);
        assertThat(http.getForEntity("/api/orders/" + orderId, String.class).getBody())
                .contains("\"status\":\"CREATED\"");
    }

    @Test
    void answersBadInputWithProblemDetails() {
        ResponseEntity<String> invalid = http.postForEntity("/api/orders", json("{\"orderId\":\"  \"}"), String.class);
        assertThat(invalid.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(invalid.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

        ResponseEntity<String> unreadable = http.postForEntity("/api/orders", json("{not json"), String.class);
        assertThat(unreadable.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(unreadable.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

        ResponseEntity<String> missing = http.getForEntity("/api/orders/nope", String.class);
        assertThat(missing.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(missing.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

        String orderId = "o-" + UUID.randomUUID();
        http.postForEntity("/api/orders", json("{\"orderId\":\"" + orderId + "\"}"), String.class);
        ResponseEntity<String> duplicate =
                http.postForEntity("/api/orders", json("{\"orderId\":\"" + orderId + "\"}"), String.class);
        assertThat(duplicate.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(duplicate.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void exposesHealthGroupsAndKitMetricsForPrometheus() {
        assertThat(http.getForEntity("/actuator/health/liveness", String.class).getStatusCode())
                .isEqualTo(HttpStatus.OK);
        assertThat(http.getForEntity("/actuator/health/readiness", String.class).getStatusCode())
                .isEqualTo(HttpStatus.OK);
        String metrics = http.getForObject("/actuator/prometheus", String.class);
        assertThat(metrics)
                .contains("outbox_events_pending{application=\"order-service\"")
                .contains("outbox_events_parked")
                .contains("outbox_oldest_pending_age_seconds");
    }

    private static HttpEntity<String> json(String body) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        return new HttpEntity<>(body, headers);
    }
}
