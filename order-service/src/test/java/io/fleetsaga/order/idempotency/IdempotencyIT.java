package io.fleetsaga.order.idempotency;

import static io.fleetsaga.order.support.Api.header;
import static io.fleetsaga.order.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.infra.Concurrently;
import io.fleetsaga.infra.SpringInfrastructure;
import io.fleetsaga.order.support.Api;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code Idempotency-Key} against the real database when a request dies or stalls at the worst moment: the
 * request is never applied twice, and only final outcomes are replayed.
 *
 * <p>A "crash" is a request held right after its transaction committed ({@link RequestFaults}): from the
 * database's and the client's point of view that is exactly an instance that died there — the effect is
 * committed, nothing after the commit has run, no response went out. {@code abandon-after} is 2 s, so a
 * retry may take a stale claim over within the test.
 */
@AutoConfigureTestRestTemplate
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.kafka.consumer.group-id=order-service-idempotency-it",
            "fleetsaga.idempotency.abandon-after=2s",
            "fleetsaga.idempotency.in-progress-wait=5s",
            "fleetsaga.orders.write-retry.initial-delay=5ms",
            "fleetsaga.orders.write-retry.max-delay=20ms",
            "fleetsaga.orders.write-retry.max-attempts=3",
            "fleetsaga.saga.timeout=10m"
        })
@DirtiesContext
class IdempotencyIT {

    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final Duration ABANDON_AFTER = Duration.ofSeconds(2);

    private static final ExecutorService clients = Executors.newCachedThreadPool();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SpringInfrastructure.register(
                registry, "order_idem_" + UUID.randomUUID().toString().substring(0, 8));
    }

    @TestConfiguration
    static class Faults {
        @Bean
        RequestFaults requestFaults() {
            return new RequestFaults();
        }
    }

    @AfterAll
    static void stopClients() throws InterruptedException {
        clients.shutdownNow();
        clients.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Autowired
    TestRestTemplate rest;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RequestFaults faults;

    @Autowired
    MeterRegistry meters;

    Api api;

    @BeforeEach
    void api() {
        api = new Api(rest);
    }

    @AfterEach
    void clearFaults() {
        faults.reset();
    }

    @Test
    void aCreateWithoutIdWhoseInstanceDiedAfterTheCommitIsReplayedToTheRetryAndCreatesOneOrder() throws Exception {
        HttpHeaders key = newKey();
        int ordersBefore = orders();
        RequestFaults.Freeze crash = faults.freezeNextCreation(false, true);

        CompletableFuture<ResponseEntity<String>> died = send(() -> api.post("/api/orders", "{}", key));
        crash.awaitAfterCommit();
        awaitClaimOlderThanAbandonAfter(key);

        ResponseEntity<String> retried = api.post("/api/orders", "{}", key);

        assertThat(retried.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(retried.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
        assertThat(json(retried).get("orderId").asText()).isEqualTo(crash.orderId());
        assertThat(retried.getHeaders().getLocation()).hasPath("/api/orders/" + crash.orderId());
        assertThat(retried.getHeaders().getETag()).isEqualTo("\"0\"");
        assertThat(orders()).isEqualTo(ordersBefore + 1);

        crash.openAll(); // the "dead" request's thread may finish now; its client gets the same answer
        ResponseEntity<String> first = died.get(30, TimeUnit.SECONDS);
        assertThat(first.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(first.getBody()).isEqualTo(retried.getBody());
        assertThat(orders()).isEqualTo(ordersBefore + 1);
    }

    @Test
    void aStaleClaimWhoseRequestIsStillRunningIsTakenOverButNeverAppliedTwice() throws Exception {
        HttpHeaders key = newKey();
        int ordersBefore = orders();
        double claimsLostBefore = count("claim_lost");
        RequestFaults.Freeze stall = faults.freezeNextCreation(true, false);

        CompletableFuture<ResponseEntity<String>> stalled = send(() -> api.post("/api/orders", "{}", key));
        stall.awaitBeforeCommit();
        awaitClaimOlderThanAbandonAfter(key);

        ResponseEntity<String> takeover = api.post("/api/orders", "{}", key);
        assertThat(takeover.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        String created = json(takeover).get("orderId").asText();

        stall.openAll(); // the stalled request resumes and tries to commit its own order
        ResponseEntity<String> late = stalled.get(30, TimeUnit.SECONDS);

        assertThat(late.getStatusCode())
                .as("the stalled request must not commit: %s", late)
                .isEqualTo(HttpStatus.CONFLICT);
        assertThat(late.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isNotNull();
        assertThat(count("claim_lost")).isEqualTo(claimsLostBefore + 1);
        assertThat(orders()).isEqualTo(ordersBefore + 1);
        assertThat(api.get("/api/orders/" + stall.orderId()).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        ResponseEntity<String> again = api.post("/api/orders", "{}", key);
        assertThat(again.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(json(again).get("orderId").asText()).isEqualTo(created);
    }

    @Test
    void concurrentIdenticalCreatesWithOneKeyCreateOneOrderEvenWhenTheFirstDiesAfterItsCommit() throws Exception {
        HttpHeaders key = newKey();
        int ordersBefore = orders();
        RequestFaults.Freeze crash = faults.freezeNextCreation(true, true);

        CompletableFuture<ResponseEntity<String>> first = send(() -> api.post("/api/orders", "{}", key));
        crash.awaitBeforeCommit();
        // the duplicate is sent while the first is inside its transaction; the first then commits and dies.
        // Whether the duplicate reaches the server before or after that commit, it must end with the
        // first's response (it waits up to in-progress-wait, longer than abandon-after)
        CompletableFuture<ResponseEntity<String>> duplicate = send(() -> api.post("/api/orders", "{}", key));
        crash.openBeforeCommit();
        crash.awaitAfterCommit();

        ResponseEntity<String> second = duplicate.get(30, TimeUnit.SECONDS);

        assertThat(second.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(json(second).get("orderId").asText()).isEqualTo(crash.orderId());
        assertThat(orders()).isEqualTo(ordersBefore + 1);
        crash.openAll();
        assertThat(first.get(30, TimeUnit.SECONDS).getBody()).isEqualTo(second.getBody());
        assertThat(orders()).isEqualTo(ordersBefore + 1);
    }

    @Test
    void concurrentIdenticalCreatesWithoutIdWithOneKeyCreateOneOrder() throws Exception {
        HttpHeaders key = newKey();
        int ordersBefore = orders();

        List<ResponseEntity<String>> responses = Concurrently.times(8, () -> api.post("/api/orders", "{}", key));

        assertThat(orders()).isEqualTo(ordersBefore + 1);
        List<ResponseEntity<String>> created = responses.stream()
                .filter(r -> r.getStatusCode() == HttpStatus.CREATED)
                .toList();
        assertThat(created).isNotEmpty();
        assertThat(created.stream().map(ResponseEntity::getBody).distinct()).hasSize(1);
        assertThat(responses) // the others waited for the first, or were told it is still running
                .allSatisfy(r -> assertThat(r.getStatusCode()).isIn(HttpStatus.CREATED, HttpStatus.CONFLICT));
    }

    @Test
    void aConflictWithRetryAfterIsNotReplayedAndTheRetryWithTheSameKeySucceeds() {
        String orderId = create();
        HttpHeaders key = newKey();
        faults.conflictOn(orderId);

        ResponseEntity<String> busy = api.post(path(orderId, "cancellation"), "{\"reason\":\"busy\"}", key);
        assertThat(busy.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(busy.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isNotNull();

        faults.reset();
        ResponseEntity<String> retried = api.post(path(orderId, "cancellation"), "{\"reason\":\"busy\"}", key);

        assertThat(retried.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(retried.getHeaders().getFirst("Idempotent-Replayed")).isNull();
        assertThat(json(retried).get("status").asText()).isEqualTo("CANCELLED");
        ResponseEntity<String> replayed = api.post(path(orderId, "cancellation"), "{\"reason\":\"busy\"}", key);
        assertThat(replayed.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replayed.getBody()).isEqualTo(retried.getBody());
    }

    @Test
    void aBatchWithATransientItemErrorIsNotReplayedAndItsRetryAppliesEachItemOnce() {
        String applied = create();
        String failing = create();
        HttpHeaders key = newKey();
        String batch = "{\"changes\":[{\"orderId\":\"" + applied + "\",\"action\":\"CANCEL\",\"reason\":\"x\"},"
                + "{\"orderId\":\"" + failing + "\",\"action\":\"CANCEL\",\"reason\":\"x\"}]}";
        faults.failOn(failing);

        JsonNode first = json(api.post("/api/orders/status-changes", batch, key));
        assertThat(first.at("/results/0/outcome").asText()).isEqualTo("APPLIED");
        assertThat(first.at("/results/1/outcome").asText()).isEqualTo("ERROR");

        faults.reset();
        ResponseEntity<String> retried = api.post("/api/orders/status-changes", batch, key);

        assertThat(retried.getStatusCode()).isEqualTo(HttpStatus.OK);
        JsonNode results = json(retried).get("results");
        assertThat(results.get(0)).isEqualTo(first.at("/results/0")); // replayed, not run again (no 409)
        assertThat(results.get(1).get("outcome").asText()).isEqualTo("APPLIED");
        assertThat(actions(applied)).containsExactly("CREATE", "CANCEL");
        assertThat(actions(failing)).containsExactly("CREATE", "CANCEL");
        ResponseEntity<String> replayed = api.post("/api/orders/status-changes", batch, key);
        assertThat(replayed.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replayed.getBody()).isEqualTo(retried.getBody());
    }

    @Test
    void aBatchThatDiedAfterItsFirstItemIsRetriedAfterAbandonAfterWithThatItemReplayedAndTheRestRunOnce()
            throws Exception {
        String first = create();
        String second = create();
        HttpHeaders key = newKey();
        String batch = "{\"changes\":[{\"orderId\":\"" + first + "\",\"action\":\"CANCEL\",\"reason\":\"x\"},"
                + "{\"orderId\":\"" + second + "\",\"action\":\"CANCEL\",\"reason\":\"x\"}]}";
        RequestFaults.Freeze crash = faults.freezeNextChangeOf(first, false, true);

        CompletableFuture<ResponseEntity<String>> died = send(() -> api.post("/api/orders/status-changes", batch, key));
        crash.awaitAfterCommit(); // the first item committed, then the instance "died"
        awaitClaimOlderThanAbandonAfter(key);

        ResponseEntity<String> retried = api.post("/api/orders/status-changes", batch, key);

        assertThat(retried.getStatusCode()).isEqualTo(HttpStatus.OK);
        JsonNode results = json(retried).get("results");
        assertThat(results.get(0).get("outcome").asText()).isEqualTo("APPLIED"); // replayed, not a 409 repeat
        assertThat(results.get(0).get("version").asLong()).isEqualTo(1);
        assertThat(results.get(1).get("outcome").asText()).isEqualTo("APPLIED");
        assertThat(actions(first)).containsExactly("CREATE", "CANCEL");
        assertThat(actions(second)).containsExactly("CREATE", "CANCEL");

        crash.openAll(); // the held batch goes on: its claim was taken over, it applies nothing more
        died.get(30, TimeUnit.SECONDS);
        assertThat(actions(second)).containsExactly("CREATE", "CANCEL");
        ResponseEntity<String> replayed = api.post("/api/orders/status-changes", batch, key);
        assertThat(replayed.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replayed.getBody()).isEqualTo(retried.getBody());
    }

    @Test
    void aFinal4xxThatCannotBeStoredIsCountedAndFreesTheKeySoTheRetryRuns() {
        HttpHeaders key = newKey();
        String missing = "o-missing-" + UUID.randomUUID();
        double failuresBefore = storeFailures("final_4xx");
        // the database refuses to store this one response: a real failure of the store, after the request
        jdbc.execute("CREATE TRIGGER refuse_404_outcome BEFORE UPDATE ON idempotency_key FOR EACH ROW"
                + " BEGIN IF NEW.response_status = 404 THEN"
                + " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected: cannot store the outcome'; END IF; END");
        try {
            ResponseEntity<String> notFound = api.post(path(missing, "pickup"), null, key);
            assertThat(notFound.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        } finally {
            jdbc.execute("DROP TRIGGER refuse_404_outcome");
        }

        assertThat(storeFailures("final_4xx")).isEqualTo(failuresBefore + 1);
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM idempotency_key WHERE idem_key = ?",
                        Integer.class,
                        key.getFirst(IDEMPOTENCY_KEY)))
                .as("freed: nothing was committed, so the request may run again")
                .isZero();
        ResponseEntity<String> retried = api.post(path(missing, "pickup"), null, key);
        assertThat(retried.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND); // ran again (stored this time)
        assertThat(retried.getHeaders().getFirst("Idempotent-Replayed")).isNull();
        assertThat(api.post(path(missing, "pickup"), null, key).getHeaders().getFirst("Idempotent-Replayed"))
                .isEqualTo("true");
    }

    @Test
    void aRepeatedAssignmentWithOneKeyStartsOneSagaAndReplaysItsAcceptance() {
        String orderId = create();
        HttpHeaders key = newKey();

        ResponseEntity<String> accepted = api.post(path(orderId, "assignment"), "{\"taskId\":\"t-idem\"}", key);
        ResponseEntity<String> again = api.post(path(orderId, "assignment"), "{\"taskId\":\"t-idem\"}", key);

        assertThat(accepted.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        assertThat(again.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        assertThat(again.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.getBody()).isEqualTo(accepted.getBody());
        assertThat(again.getHeaders().getETag()).isEqualTo(accepted.getHeaders().getETag());
        assertThat(again.getHeaders().getLocation())
                .isEqualTo(accepted.getHeaders().getLocation());
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM assignment_saga WHERE order_id = ?", Integer.class, orderId))
                .isEqualTo(1);
    }

    private double storeFailures(String outcome) {
        var counter = meters.find("idempotency.store.failures")
                .tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private CompletableFuture<ResponseEntity<String>> send(java.util.function.Supplier<ResponseEntity<String>> call) {
        return CompletableFuture.supplyAsync(call, clients);
    }

    /** Waits (by the database's clock, which the claim uses) until the key's claim may be taken over. */
    private void awaitClaimOlderThanAbandonAfter(HttpHeaders key) {
        long micros = ABANDON_AFTER.plusMillis(200).toNanos() / 1000;
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> Boolean.TRUE.equals(jdbc.queryForObject(
                        "SELECT created_at < UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND FROM idempotency_key"
                                + " WHERE idem_key = ?",
                        Boolean.class,
                        micros,
                        key.getFirst(IDEMPOTENCY_KEY))));
    }

    private double count(String result) {
        return meters.get("idempotency.requests")
                .tag("result", result)
                .counter()
                .count();
    }

    private int orders() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM fleet_order", Integer.class);
    }

    private String create() {
        ResponseEntity<String> created = api.post("/api/orders", "{}");
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        return json(created).get("orderId").asText();
    }

    private List<String> actions(String orderId) {
        JsonNode history = json(api.get("/api/orders/" + orderId)).get("history");
        return StreamSupport.stream(history.spliterator(), false)
                .map(change -> change.get("action").asText())
                .toList();
    }

    private static HttpHeaders newKey() {
        return header(IDEMPOTENCY_KEY, "k-" + UUID.randomUUID());
    }

    private static String path(String orderId, String action) {
        return "/api/orders/" + orderId + "/" + action;
    }
}
