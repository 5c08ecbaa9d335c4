package io.fleetsaga.order.order.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.infra.SpringInfrastructure;
import io.fleetsaga.order.support.Api;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One lock-wait policy for both services (issue 9, failure mode 5): a write of an order whose row another
 * transaction holds locked waits at most {@code innodb_lock_wait_timeout} (5 s, the services' {@code
 * application.yml}; the server's default is 50 s), and the timed-out attempt is retried like a lost race.
 */
@AutoConfigureTestRestTemplate
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.kafka.consumer.group-id=order-service-lock-wait-it", "fleetsaga.saga.timeout=10m"})
@DirtiesContext
class OrderLockWaitIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SpringInfrastructure.register(
                registry, "order_lock_" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Autowired
    TestRestTemplate rest;

    @Autowired
    DataSource dataSource;

    @Autowired
    MeterRegistry registry;

    Api api;

    @BeforeEach
    void api() {
        api = new Api(rest);
    }

    @Test
    void aWriteThatTimesOutWaitingForARowLockIsRetriedLikeALostRaceAndThenApplied() throws Exception {
        String orderId = "o-" + UUID.randomUUID();
        assertThat(api.post("/api/orders", "{\"orderId\":\"" + orderId + "\"}").getStatusCode())
                .isEqualTo(HttpStatus.CREATED);
        double retriesBefore = retries();

        ResponseEntity<String> cancelled;
        long started;
        // another transaction holds the order's row past the 5 s lock wait (the old 50 s wait never timed out)
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock =
                    holder.prepareStatement("SELECT * FROM fleet_order WHERE id = ? FOR UPDATE")) {
                lock.setString(1, orderId);
                lock.executeQuery().close();
            }
            started = System.nanoTime();
            CompletableFuture<ResponseEntity<String>> request = CompletableFuture.supplyAsync(
                    () -> api.post("/api/orders/" + orderId + "/cancellation", "{\"reason\":\"lock wait test\"}"));
            // hold the row until the write's attempt has timed out on the lock (5 s) and been retried: a condition,
            // not a fixed pause; a write that waited out the whole lock would never move the counter
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> retries() - retriesBefore >= 1.0);
            holder.rollback();
            cancelled = request.get(60, TimeUnit.SECONDS);
        }
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        System.out.printf(
                "[OrderLockWaitIT] cancellation behind a row lock held until the retry: %s in %d ms, %s retries%n",
                cancelled.getStatusCode(), tookMs, retries() - retriesBefore);
        assertThat(cancelled.getStatusCode()).as(cancelled.getBody()).isEqualTo(HttpStatus.OK);
        assertThat(retries() - retriesBefore)
                .as("the attempt that timed out on the lock was retried")
                .isGreaterThanOrEqualTo(1.0);
    }

    private double retries() {
        return registry.get("orders.write.retries").counter().count();
    }
}
