package io.fleetsaga.assignment.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.assignment.support.LinkRows;
import io.fleetsaga.assignment.support.LinkRows.Link;
import io.fleetsaga.assignment.support.RealInfrastructureTest;
import io.fleetsaga.assignment.support.TaskInvariants;
import io.fleetsaga.assignment.task.OrderStateProjection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.PlatformTransactionManager;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /internal/reconciliation/counter-recompute} sets corrupted counters to what the links imply, and
 * leaves them exact although links change while it runs (it locks the task row before counting); a caller whose
 * fencing token is older than one already seen (its lease was taken over) is refused and changes nothing.
 */
class CounterRecomputeIT extends RealInfrastructureTest {

    @Autowired
    OrderStateProjection projection;

    @Autowired
    PlatformTransactionManager transactions;

    final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void setsCorruptedCountersToWhatTheLinksImplyAndThenChangesNothing() {
        String taskId = createTask(10);
        LinkRows.insert(
                jdbc,
                List.of(
                        new Link("o-rc-" + run + "-1", taskId, "ASSIGNED", 2),
                        new Link("o-rc-" + run + "-2", taskId, "DELIVERED", 4),
                        new Link("o-rc-" + run + "-3", taskId, "DELIVERED", 4),
                        new Link("o-rc-" + run + "-4", taskId, "ASSIGNMENT_PENDING", 1)));
        jdbc.update("UPDATE assignment_task SET assigned_count = 9, delivered_count = 7 WHERE id = ?", taskId);
        String unknown = "t-unknown-" + run;

        JsonNode results = recompute(body(taskId, unknown, taskId));

        assertThat(results.size()).as("one result per distinct task").isEqualTo(2);
        JsonNode fixed = results.get(0);
        assertThat(fixed.path("taskId").asText()).isEqualTo(taskId);
        assertThat(fixed.path("found").asBoolean()).isTrue();
        assertThat(fixed.path("assignedBefore").asInt()).isEqualTo(9);
        assertThat(fixed.path("deliveredBefore").asInt()).isEqualTo(7);
        assertThat(fixed.path("assignedAfter").asInt()).isEqualTo(4);
        assertThat(fixed.path("deliveredAfter").asInt()).isEqualTo(2);
        assertThat(fixed.path("changed").asBoolean()).isTrue();
        JsonNode notFound = results.get(1);
        assertThat(notFound.propertyNames()).containsExactly("taskId", "found");
        assertThat(notFound.path("taskId").asText()).isEqualTo(unknown);
        assertThat(notFound.path("found").asBoolean()).isFalse();
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId))
                .isEqualTo(Map.of("assigned", 4L, "delivered", 2L));

        JsonNode again = recompute(body(taskId)).get(0);
        assertThat(again.path("changed").asBoolean()).isFalse();
        assertThat(again.path("assignedBefore").asInt()).isEqualTo(4);
        assertThat(again.path("assignedAfter").asInt()).isEqualTo(4);
    }

    @Test
    void linksChangingConcurrentlyWithRecomputesEndWithExactCounters() throws Exception {
        String a = createTask(1000);
        String b = createTask(1000);
        LinkRows.insert(jdbc, List.of(new Link("o-rc-" + run + "-a", a, "DELIVERED", 3)));
        // drifted: counted five more orders than the tasks have (delivered ones, to keep the check constraint)
        jdbc.update(
                "UPDATE assignment_task SET assigned_count = assigned_count + 5, delivered_count = delivered_count + 5"
                        + " WHERE id IN (?, ?)",
                a,
                b);
        String body = body(a, b);
        int recomputes = 0;
        int whileChanging = 0;
        try (OrderTraffic traffic = OrderTraffic.start(projection, transactions, a, b, 4, 5, 3)) {
            JsonNode first = recompute(body);
            assertThat(first.findValuesAsString("changed"))
                    .as("the drift was repaired")
                    .containsExactly("true", "true");
            while (traffic.running()) {
                int appliedBefore = traffic.applied();
                recompute(body);
                recomputes++;
                if (traffic.applied() > appliedBefore) {
                    whileChanging++;
                }
            }
            traffic.awaitDone();
        }

        assertThat(whileChanging)
                .as("recomputes during which links changed, of %d", recomputes)
                .isGreaterThanOrEqualTo(2);
        TaskInvariants.assertCountersMatchLinks(jdbc, a);
        TaskInvariants.assertCountersMatchLinks(jdbc, b);
        assertThat(json(httpAs("service", HttpMethod.POST, "/internal/reconciliation/counter-check", body)
                                .getBody())
                        .path("mismatches"))
                .isEmpty();
    }

    @Test
    void missingOrTooManyTaskIdsAreRefused() {
        String tooMany = IntStream.range(0, CounterRecomputation.MAX_TASK_IDS + 1)
                .mapToObj(i -> "\"t-" + i + "\"")
                .collect(Collectors.joining(",", "[", "]"));
        for (String body : List.of("{}", "{\"taskIds\":null}", "{\"taskIds\":" + tooMany + "}")) {
            ResponseEntity<String> refused =
                    httpAs("service", HttpMethod.POST, "/internal/reconciliation/counter-recompute", body);
            assertThat(refused.getStatusCode().value()).as(body).isEqualTo(400);
            assertThat(json(refused.getBody()).path("errors").findValuesAsString("field"))
                    .containsExactly("taskIds");
        }
    }

    @Test
    void refusesARecomputeWhoseFencingTokenIsOlderThanOneAlreadySeen() {
        String taskId = createTask(10);
        LinkRows.insert(jdbc, List.of(new Link("o-rc-" + run + "-f", taskId, "ASSIGNED", 2)));
        String lease = "reconciliation-" + run;
        assertThat(recompute(fenced(lease, 8, taskId)).get(0).path("found").asBoolean())
                .as("the holder of token 8 is served")
                .isTrue();
        jdbc.update("UPDATE assignment_task SET assigned_count = 9 WHERE id = ?", taskId);

        ResponseEntity<String> stale = httpAs(
                "service", HttpMethod.POST, "/internal/reconciliation/counter-recompute", fenced(lease, 7, taskId));

        assertThat(stale.getStatusCode().value()).as(stale.getBody()).isEqualTo(409);
        assertThat(stale.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(json(stale.getBody()).path("type").asText()).isEqualTo("urn:fleet-saga:problem:stale-fencing-token");
        assertThat(json(stale.getBody()).path("detail").asText()).contains("7", "8", lease);
        assertThat(jdbc.queryForObject(
                        "SELECT assigned_count FROM assignment_task WHERE id = ?", Integer.class, taskId))
                .as("the holder whose lease was taken over changed nothing")
                .isEqualTo(9);

        assertThat(recompute(fenced(lease, 8, taskId))
                        .get(0)
                        .path("assignedAfter")
                        .asInt())
                .as("the current holder may go on")
                .isEqualTo(1);
        recompute(fenced(lease, 9, taskId));
        assertThat(httpAs(
                                "service",
                                HttpMethod.POST,
                                "/internal/reconciliation/counter-recompute",
                                fenced(lease, 8, taskId))
                        .getStatusCode()
                        .value())
                .as("once a newer holder was seen, the older token is refused")
                .isEqualTo(409);
        assertThat(recompute(fenced("another-lease-" + run, 1, taskId))
                        .get(0)
                        .path("found")
                        .asBoolean())
                .as("each lease has its own tokens")
                .isTrue();
    }

    @Test
    void aRecomputeWithoutAValidFencingTokenIsRefused() {
        String ids = "\"taskIds\":[\"t-1\"]";
        Map<String, String> bodies = Map.of(
                "{" + ids + "}", "lease",
                "{" + ids + ",\"lease\":\"reconciliation\"}", "fencingToken",
                "{" + ids + ",\"lease\":\"reconciliation\",\"fencingToken\":0}", "fencingToken",
                "{" + ids + ",\"lease\":\" \",\"fencingToken\":3}", "lease");
        bodies.forEach((body, field) -> {
            ResponseEntity<String> refused =
                    httpAs("service", HttpMethod.POST, "/internal/reconciliation/counter-recompute", body);
            assertThat(refused.getStatusCode().value()).as(body).isEqualTo(400);
            assertThat(json(refused.getBody()).path("errors").findValuesAsString("field"))
                    .as(body)
                    .containsExactly(field);
        });
    }

    /** A request body of this test's reconciliation holder (a lease of its own, so tests do not fence each other). */
    private String body(String... taskIds) {
        return fenced("reconciliation-" + run, 1, taskIds);
    }

    static String fenced(String lease, long token, String... taskIds) {
        return "{\"taskIds\":"
                + Stream.of(taskIds).map(id -> "\"" + id + "\"").collect(Collectors.joining(",", "[", "]"))
                + ",\"lease\":\"" + lease + "\",\"fencingToken\":" + token + "}";
    }

    private JsonNode recompute(String body) {
        ResponseEntity<String> response =
                httpAs("service", HttpMethod.POST, "/internal/reconciliation/counter-recompute", body);
        assertThat(response.getStatusCode().value()).as(response.getBody()).isEqualTo(200);
        return json(response.getBody()).path("results");
    }
}
