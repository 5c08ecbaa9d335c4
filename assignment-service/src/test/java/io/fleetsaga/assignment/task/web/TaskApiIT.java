package io.fleetsaga.assignment.task.web;

import static io.fleetsaga.assignment.support.OrderEvents.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.assignment.support.RealInfrastructureTest;
import io.fleetsaga.assignment.support.TaskInvariants;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.JsonNode;

/** The task API over HTTP: create, close, overview; problem details for 404 and 400. */
class TaskApiIT extends RealInfrastructureTest {

    @Autowired
    DataSource dataSource;

    @Test
    void createsAnOpenEmptyTaskWithAGeneratedIdAndReadsItBack() {
        ResponseEntity<String> created = post("/api/tasks", "{\"courierId\":\"c-7\",\"capacity\":20}");

        assertThat(created.getStatusCode().value()).isEqualTo(201);
        JsonNode task = json(created.getBody());
        String taskId = task.path("taskId").asText();
        assertThat(taskId).startsWith("t-");
        assertThat(created.getHeaders().getLocation()).hasToString("/api/tasks/" + taskId);
        assertThat(task.path("courierId").asText()).isEqualTo("c-7");
        assertThat(task.path("capacity").asInt()).isEqualTo(20);
        assertThat(task.path("status").asText()).isEqualTo("OPEN");
        assertThat(task.path("assignedCount").asInt()).isZero();
        assertThat(task.path("deliveredCount").asInt()).isZero();
        assertThat(task.path("orders")).isEmpty();
        assertThat(task.path("closedAt").isNull()).isTrue();

        ResponseEntity<String> read = http(HttpMethod.GET, "/api/tasks/" + taskId, null);
        assertThat(read.getStatusCode().value()).isEqualTo(200);
        assertThat(json(read.getBody()).path("taskId").asText()).isEqualTo(taskId);
    }

    @Test
    void repeatingACreateIsSafeButAnotherTaskWithTheSameIdConflicts() {
        String taskId = "t-" + UUID.randomUUID();
        String body = "{\"taskId\":\"" + taskId + "\",\"courierId\":\"c-1\",\"capacity\":5}";

        assertThat(post("/api/tasks", body).getStatusCode().value()).isEqualTo(201);
        ResponseEntity<String> again = post("/api/tasks", body);
        assertThat(again.getStatusCode().value()).isEqualTo(200);
        assertThat(json(again.getBody()).path("capacity").asInt()).isEqualTo(5);

        ResponseEntity<String> other =
                post("/api/tasks", "{\"taskId\":\"" + taskId + "\",\"courierId\":\"c-1\",\"capacity\":6}");
        assertProblem(other, 409);
        assertThat(json(http(HttpMethod.GET, "/api/tasks/" + taskId, null).getBody())
                        .path("capacity")
                        .asInt())
                .isEqualTo(5);
    }

    @Test
    void closingATaskKeepsItAndIsIdempotent() {
        String taskId = createTask(3);

        ResponseEntity<String> closed = post("/api/tasks/" + taskId + "/closure", null);
        assertThat(closed.getStatusCode().value()).isEqualTo(200);
        assertThat(json(closed.getBody()).path("status").asText()).isEqualTo("CLOSED");
        String closedAt = json(closed.getBody()).path("closedAt").asText();
        assertThat(closedAt).isNotBlank();

        ResponseEntity<String> again = post("/api/tasks/" + taskId + "/closure", null);
        assertThat(again.getStatusCode().value()).isEqualTo(200);
        assertThat(json(again.getBody()).path("closedAt").asText()).isEqualTo(closedAt);
        assertThat(json(http(HttpMethod.GET, "/api/tasks/" + taskId, null).getBody())
                        .path("status")
                        .asText())
                .isEqualTo("CLOSED");
    }

    @Test
    void theOverviewShowsEveryOrderWithItsMirroredStatusVersionAndTheCounts() {
        String taskId = createTask(10);
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            orders.add("o-" + i + "-" + UUID.randomUUID());
        }
        sendAll(List.of(
                state(orders.get(0), taskId, "ASSIGNED", 2),
                state(orders.get(1), taskId, "DELIVERING", 3),
                state(orders.get(2), taskId, "DELIVERED", 4),
                state(orders.get(3), taskId, "DELIVERED", 4),
                state(orders.get(3), null, "RECEIVED", 6)));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode task =
                    json(http(HttpMethod.GET, "/api/tasks/" + taskId, null).getBody());
            assertThat(task.path("orders").size()).isEqualTo(3);
            assertThat(task.path("orders").get(0).path("orderId").asText()).isEqualTo(orders.get(0));
            assertThat(task.path("orders").get(0).path("status").asText()).isEqualTo("ASSIGNED");
            assertThat(task.path("orders").get(0).path("orderVersion").asLong()).isEqualTo(2);
            assertThat(task.path("orders").get(2).path("status").asText()).isEqualTo("DELIVERED");
            assertThat(task.path("assignedCount").asInt()).isEqualTo(3);
            assertThat(task.path("deliveredCount").asInt()).isEqualTo(1);
            assertThat(task.path("countsByStatus").path("ASSIGNED").asInt()).isEqualTo(1);
            assertThat(task.path("countsByStatus").path("DELIVERING").asInt()).isEqualTo(1);
            assertThat(task.path("countsByStatus").path("DELIVERED").asInt()).isEqualTo(1);
            assertThat(task.path("countsByStatus").path("ON_HOLD").asInt()).isZero();
            assertThat(task.path("countsByStatus").path("ASSIGNMENT_PENDING").asInt())
                    .isZero();
        });
        TaskInvariants.assertCountersMatchLinks(jdbc, taskId);
    }

    @Test
    void closingATaskWhoseRowStaysLockedAnswersBusyAndChangesNothing() throws Exception {
        String taskId = createTask(3);
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock =
                    holder.prepareStatement("SELECT id FROM assignment_task WHERE id = ? FOR UPDATE")) {
                lock.setString(1, taskId);
                lock.executeQuery().close();
            }

            ResponseEntity<String> busy = post("/api/tasks/" + taskId + "/closure", null); // waits 1 s in tests

            assertProblem(busy, 503);
            assertThat(busy.getHeaders().getFirst("Retry-After")).isEqualTo("1");
            holder.rollback();
        }
        assertThat(json(http(HttpMethod.GET, "/api/tasks/" + taskId, null).getBody())
                        .path("status")
                        .asText())
                .isEqualTo("OPEN");
    }

    @Test
    void anUnknownTaskIsNotFound() {
        String unknown = "t-unknown-" + UUID.randomUUID();

        JsonNode problem = assertProblem(http(HttpMethod.GET, "/api/tasks/" + unknown, null), 404);
        assertThat(problem.path("detail").asText()).contains(unknown);
        assertProblem(post("/api/tasks/" + unknown + "/closure", null), 404);
    }

    @Test
    void anInvalidTaskIsRefusedNamingTheFields() {
        JsonNode problem = assertProblem(post("/api/tasks", "{\"courierId\":\" \",\"capacity\":0}"), 400);
        assertThat(problem.path("errors").findValuesAsString("field"))
                .containsOnly("capacity", "courierId")
                .contains("capacity", "courierId");

        JsonNode tooBig = assertProblem(post("/api/tasks", "{\"courierId\":\"c-1\",\"capacity\":100000}"), 400);
        assertThat(tooBig.path("errors").findValuesAsString("field")).containsExactly("capacity");

        JsonNode badId =
                assertProblem(post("/api/tasks", "{\"taskId\":\"a b\",\"courierId\":\"c-1\",\"capacity\":1}"), 400);
        assertThat(badId.path("errors").findValuesAsString("field")).containsExactly("taskId");

        JsonNode notANumber = assertProblem(post("/api/tasks", "{\"courierId\":\"c-1\",\"capacity\":\"many\"}"), 400);
        assertThat(notANumber.path("errors").findValuesAsString("field")).containsExactly("capacity");

        assertProblem(post("/api/tasks", "{not json"), 400);
    }

    @Test
    void scalarsAreNotCoercedAndUnknownFieldsAreRefused() {
        for (String capacity : List.of("2.5", "\"5\"", "true")) {
            JsonNode problem =
                    assertProblem(post("/api/tasks", "{\"courierId\":\"c-1\",\"capacity\":" + capacity + "}"), 400);
            assertThat(problem.path("type").asText()).isEqualTo("urn:fleet-saga:problem:invalid-request");
            assertThat(problem.path("errors").findValuesAsString("field"))
                    .as(capacity)
                    .containsExactly("capacity");
        }
        JsonNode number = assertProblem(post("/api/tasks", "{\"courierId\":12345,\"capacity\":1}"), 400);
        assertThat(number.path("errors").findValuesAsString("field")).containsExactly("courierId");
        JsonNode unknown = assertProblem(post("/api/tasks", "{\"courierId\":\"c-1\",\"capacity\":1,\"cap\":2}"), 400);
        assertThat(unknown.path("errors").findValuesAsString("field")).containsExactly("cap");
        JsonNode trailing = assertProblem(post("/api/tasks", "{\"courierId\":\"c-1\",\"capacity\":1}{}"), 400);
        assertThat(trailing.path("detail").asText()).contains("exactly one JSON value");
    }

    @Test
    void everyErrorCarriesAUrnTypeAndItsPath() {
        String unknown = "t-unknown-" + UUID.randomUUID();
        JsonNode notFound = assertProblem(http(HttpMethod.GET, "/api/tasks/" + unknown, null), 404);
        assertThat(notFound.path("type").asText()).isEqualTo("urn:fleet-saga:problem:task-not-found");
        assertThat(notFound.path("instance").asText()).isEqualTo("/api/tasks/" + unknown);
        JsonNode noPath = assertProblem(http(HttpMethod.GET, "/api/nothing-here", null), 404);
        assertThat(noPath.path("type").asText()).isEqualTo("urn:fleet-saga:problem:not-found");
        JsonNode method = assertProblem(http(HttpMethod.DELETE, "/api/tasks/" + unknown, null), 405);
        assertThat(method.path("type").asText()).isEqualTo("urn:fleet-saga:problem:method-not-allowed");
    }

    private ResponseEntity<String> post(String path, String body) {
        return http(HttpMethod.POST, path, body);
    }

    private static JsonNode assertProblem(ResponseEntity<String> response, int status) {
        assertThat(response.getStatusCode().value()).as(response.getBody()).isEqualTo(status);
        assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        JsonNode problem = json(response.getBody());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asText()).isNotBlank();
        return problem;
    }

    @Test
    void theTaskApiWantsCredentialsAndTheRightRole() {
        ResponseEntity<String> anonymous = httpAs(null, HttpMethod.GET, "/api/tasks/any", null);
        assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
        assertThat(anonymous.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

        ResponseEntity<String> opsCreates =
                httpAs("ops", HttpMethod.POST, "/api/tasks", "{\"courierId\":\"c-1\",\"capacity\":3}");
        assertThat(opsCreates.getStatusCode().value()).isEqualTo(403);
        assertThat(opsCreates.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

        String taskId = createTask(3);
        assertThat(httpAs("ops", HttpMethod.GET, "/api/tasks/" + taskId, null)
                        .getStatusCode()
                        .value())
                .as("ops may read the overview")
                .isEqualTo(200);
        assertThat(httpAs("service", HttpMethod.GET, "/api/tasks/" + taskId, null)
                        .getStatusCode()
                        .value())
                .as("the service identity is for internal endpoints only")
                .isEqualTo(403);
    }
}
