package io.fleetsaga.assignment.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * {@code POST /internal/reconciliation/counter-recompute} sets corrupted counters to what the links imply, and
 * leaves them exact although links change while it runs (it locks the task row before counting).
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

        JsonNode results = recompute("{\"taskIds\":[\"" + taskId + "\",\"" + unknown + "\",\"" + taskId + "\"]}");

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
        assertThat(notFound.fieldNames()).toIterable().containsExactly("taskId", "found");
        assertThat(notFound.path("taskId").asText()).isEqualTo(unknown);
        assertThat(notFound.path("found").asBoolean()).isFalse();
        assertThat(TaskInvariants.assertCountersMatchLinks(jdbc, taskId))
                .isEqualTo(Map.of("assigned", 4L, "delivered", 2L));

        JsonNode again = recompute("{\"taskIds\":[\"" + taskId + "\"]}").get(0);
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
        String body = "{\"taskIds\":[\"" + a + "\",\"" + b + "\"]}";
        int recomputes = 0;
        int whileChanging = 0;
        try (OrderTraffic traffic = OrderTraffic.start(projection, transactions, a, b, 4, 5, 3)) {
            JsonNode first = recompute(body);
            assertThat(first.findValuesAsText("changed"))
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
            assertThat(json(refused.getBody()).path("errors").findValuesAsText("field"))
                    .containsExactly("taskIds");
        }
    }

    private JsonNode recompute(String body) {
        ResponseEntity<String> response =
                httpAs("service", HttpMethod.POST, "/internal/reconciliation/counter-recompute", body);
        assertThat(response.getStatusCode().value()).as(response.getBody()).isEqualTo(200);
        return json(response.getBody()).path("results");
    }
}
