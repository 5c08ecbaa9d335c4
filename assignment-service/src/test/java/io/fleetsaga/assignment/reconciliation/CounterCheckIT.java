package io.fleetsaga.assignment.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.assignment.support.LinkRows;
import io.fleetsaga.assignment.support.LinkRows.Link;
import io.fleetsaga.assignment.support.RealInfrastructureTest;
import io.fleetsaga.assignment.support.TaskInvariants;
import io.fleetsaga.assignment.task.OrderStateProjection;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.PlatformTransactionManager;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /internal/reconciliation/counter-check} finds a task whose counters were corrupted, and reports
 * nothing for healthy tasks even while their links change concurrently — the check is one consistent snapshot.
 */
class CounterCheckIT extends RealInfrastructureTest {

    @Autowired
    OrderStateProjection projection;

    @Autowired
    PlatformTransactionManager transactions;

    @Autowired
    CounterRecomputation recomputation;

    final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void findsATaskWhoseCountersWereCorruptedAndOnlyThatOne() {
        String corrupted = createTask(10);
        String healthy = createTask(10);
        LinkRows.insert(
                jdbc,
                List.of(
                        new Link("o-cc-" + run + "-1", corrupted, "ASSIGNED", 2),
                        new Link("o-cc-" + run + "-2", corrupted, "DELIVERED", 4),
                        new Link("o-cc-" + run + "-3", corrupted, "ON_HOLD", 4),
                        new Link("o-cc-" + run + "-4", healthy, "DELIVERED", 4)));
        jdbc.update("UPDATE assignment_task SET assigned_count = 5, delivered_count = 0 WHERE id = ?", corrupted);
        try {
            JsonNode named =
                    check("{\"taskIds\":[\"" + healthy + "\",\"" + corrupted + "\",\"t-unknown-" + run + "\"]}");
            assertThat(named.size()).isEqualTo(1);
            JsonNode mismatch = named.get(0);
            assertThat(mismatch.propertyNames())
                    .containsExactlyInAnyOrder(
                            "taskId", "assignedCount", "expectedAssigned", "deliveredCount", "expectedDelivered");
            assertThat(mismatch.path("taskId").asText()).isEqualTo(corrupted);
            assertThat(mismatch.path("assignedCount").asInt()).isEqualTo(5);
            assertThat(mismatch.path("expectedAssigned").asInt()).isEqualTo(3);
            assertThat(mismatch.path("deliveredCount").asInt()).isZero();
            assertThat(mismatch.path("expectedDelivered").asInt()).isEqualTo(1);

            assertThat(check(null).findValuesAsString("taskId"))
                    .as("all tasks")
                    .contains(corrupted)
                    .doesNotContain(healthy);
            assertThat(check("{\"taskIds\":null}").findValuesAsString("taskId")).contains(corrupted);
            assertThat(check("{\"taskIds\":[]}")).isEmpty();
        } finally {
            recomputation.recompute(List.of(corrupted), new Fence("reconciliation-" + corrupted, 1));
        }
        assertThat(check("{\"taskIds\":[\"" + corrupted + "\"]}")).isEmpty();
    }

    @Test
    void reportsNothingForHealthyTasksWhileTheirLinksChangeConcurrently() throws Exception {
        String a = createTask(1000);
        String b = createTask(1000);
        String body = "{\"taskIds\":[\"" + a + "\",\"" + b + "\"]}";
        int checks = 0;
        int checksWhileChanging = 0;
        try (OrderTraffic traffic = OrderTraffic.start(projection, transactions, a, b, 4, 5, 3)) {
            while (traffic.running()) {
                int appliedBefore = traffic.applied();
                assertThat(check(body))
                        .as("mismatches after %d states", appliedBefore)
                        .isEmpty();
                checks++;
                if (traffic.applied() > appliedBefore) {
                    checksWhileChanging++;
                }
            }
            traffic.awaitDone();
        }
        assertThat(checksWhileChanging)
                .as("checks during which links changed, of %d", checks)
                .isGreaterThanOrEqualTo(2);
        assertThat(check(body)).isEmpty();
        TaskInvariants.assertCountersMatchLinks(jdbc, a);
        TaskInvariants.assertCountersMatchLinks(jdbc, b);
    }

    @Test
    void tooManyOrBlankTaskIdsAreRefused() {
        String tooMany = IntStream.range(0, CounterCheck.MAX_TASK_IDS + 1)
                .mapToObj(i -> "\"t-" + i + "\"")
                .collect(Collectors.joining(",", "[", "]"));
        for (String body : List.of("{\"taskIds\":" + tooMany + "}", "{\"taskIds\":[null]}", "{\"taskIds\":[\" \"]}")) {
            ResponseEntity<String> refused =
                    httpAs("service", HttpMethod.POST, "/internal/reconciliation/counter-check", body);
            assertThat(refused.getStatusCode().value()).isEqualTo(400);
            assertThat(json(refused.getBody()).path("errors").findValuesAsString("field"))
                    .containsExactly("taskIds");
        }
    }

    private JsonNode check(String body) {
        ResponseEntity<String> response =
                httpAs("service", HttpMethod.POST, "/internal/reconciliation/counter-check", body);
        assertThat(response.getStatusCode().value()).as(response.getBody()).isEqualTo(200);
        return json(response.getBody()).path("mismatches");
    }
}
