package io.fleetsaga.assignment.apidocs;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.assignment.support.RealInfrastructureTest;
import io.fleetsaga.common.testing.OpenApiContract;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.JsonNode;

/**
 * The API documentation of the running service (real database and broker): served without credentials, checked in
 * as docs/openapi/assignment-service.json, and complete — every mapped endpoint documented with a summary.
 */
class OpenApiIT extends RealInfrastructureTest {

    @Autowired
    ApplicationContext context;

    @Test
    void servesTheDocumentAndSwaggerUiWithoutCredentials() {
        ResponseEntity<String> spec = anonymous("/v3/api-docs");
        assertThat(spec.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(spec.getHeaders().getContentType())
                .isNotNull()
                .matches(MediaType.APPLICATION_JSON::isCompatibleWith);
        assertThat(anonymous("/v3/api-docs.yaml").getStatusCode()).isEqualTo(HttpStatus.OK);

        ResponseEntity<String> ui = anonymous("/swagger-ui/index.html");
        assertThat(ui.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(ui.getBody()).contains("Swagger UI");
        assertThat(json(anonymous("/v3/api-docs/swagger-config").getBody())
                        .path("url")
                        .asText())
                .isEqualTo("/v3/api-docs");
        ResponseEntity<String> shortcut = anonymous("/swagger-ui.html"); // redirects to /swagger-ui/index.html
        assertThat(shortcut.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(shortcut.getBody()).contains("Swagger UI");

        assertThat(anonymous("/api/tasks/any").getStatusCode())
                .as("the documentation is open, the API is not")
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(anonymous("/internal/reconciliation/digests?bucketCount=1").getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
    }

    @Test
    void theCheckedInDocumentIsTheServedOne() {
        OpenApiContract.assertCheckedIn(
                anonymous("/v3/api-docs").getBody(), "assignment-service", "assignment-service.json");
    }

    @Test
    void everyEndpointIsDocumentedWithASummary() {
        JsonNode spec = json(anonymous("/v3/api-docs").getBody());
        Set<String> mapped = OpenApiContract.mappedOperations(context);

        assertThat(mapped)
                .as("sanity: the handler mappings were found")
                .contains(
                        "POST /api/tasks",
                        "GET /internal/reconciliation/digests",
                        "POST /api/ops/outbox/parked/{eventId}/requeue");
        assertThat(OpenApiContract.undocumented(mapped, spec))
                .as("endpoints missing from /v3/api-docs (@Hidden? a new handler mapping?)")
                .isEmpty();
        assertThat(OpenApiContract.documentedOperations(spec))
                .as("documented operations that are not mapped")
                .isEqualTo(mapped);
        assertThat(OpenApiContract.withoutSummary(spec))
                .as("operations without a summary: add @Operation(summary = …)")
                .isEmpty();
    }

    @Test
    void declaresHttpBasicAndProblemResponses() {
        JsonNode spec = json(anonymous("/v3/api-docs").getBody());

        JsonNode basic = spec.path("components").path("securitySchemes").path("basicAuth");
        assertThat(basic.path("type").asText()).isEqualTo("http");
        assertThat(basic.path("scheme").asText()).isEqualTo("basic");
        assertThat(spec.path("security").findValues("basicAuth")).hasSize(1);
        assertThat(spec.path("info").path("title").asText()).isEqualTo("assignment-service");
        assertThat(spec.path("components")
                        .path("responses")
                        .path("NotFound")
                        .path("content")
                        .has("application/problem+json"))
                .isTrue();
        assertThat(OpenApiContract.withoutResponses(spec, "401", "403")).isEmpty();
        assertThat(spec.at("/paths/~1api~1tasks~1{taskId}/get/responses/404/$ref")
                        .asText())
                .isEqualTo("#/components/responses/NotFound");
    }

    private ResponseEntity<String> anonymous(String path) {
        return httpAs(null, HttpMethod.GET, path, null);
    }
}
