package io.fleetsaga.order.apidocs;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.common.testing.OpenApiContract;
import io.fleetsaga.infra.SpringInfrastructure;
import io.fleetsaga.order.support.Api;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The API documentation of the running service (real database and broker): served without credentials, checked in
 * as docs/openapi/order-service.json, and complete — every mapped endpoint documented with a summary.
 */
@AutoConfigureTestRestTemplate
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class OpenApiIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SpringInfrastructure.register(
                registry, "order_docs_" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Autowired
    TestRestTemplate rest;

    @Autowired
    ApplicationContext context;

    Api anonymous;

    @BeforeEach
    void api() {
        anonymous = new Api(rest).as(null);
    }

    @Test
    void servesTheDocumentAndSwaggerUiWithoutCredentials() {
        ResponseEntity<String> spec = anonymous.get("/v3/api-docs");
        assertThat(spec.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(spec.getHeaders().getContentType())
                .isNotNull()
                .matches(MediaType.APPLICATION_JSON::isCompatibleWith);
        assertThat(anonymous.get("/v3/api-docs.yaml").getStatusCode()).isEqualTo(HttpStatus.OK);

        ResponseEntity<String> ui = anonymous.get("/swagger-ui/index.html");
        assertThat(ui.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(ui.getBody()).contains("Swagger UI");
        assertThat(Api.json(anonymous.get("/v3/api-docs/swagger-config"))
                        .path("url")
                        .asText())
                .isEqualTo("/v3/api-docs");
        ResponseEntity<String> shortcut = anonymous.get("/swagger-ui.html"); // redirects to /swagger-ui/index.html
        assertThat(shortcut.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(shortcut.getBody()).contains("Swagger UI");

        assertThat(anonymous.get("/api/orders/any").getStatusCode())
                .as("the documentation is open, the API is not")
                .isEqualTo(HttpStatus.UNAUTHORIZED);
    }

    @Test
    void theCheckedInDocumentIsTheServedOne() {
        OpenApiContract.assertCheckedIn(anonymous.get("/v3/api-docs").getBody(), "order-service", "order-service.json");
    }

    @Test
    void everyEndpointIsDocumentedWithASummary() {
        JsonNode spec = Api.json(anonymous.get("/v3/api-docs"));
        Set<String> mapped = new TreeSet<>(OpenApiContract.mappedOperations(context));

        assertThat(mapped)
                .as("sanity: the handler mappings were found")
                .contains("POST /api/orders", "GET /api/ops/sagas", "POST /api/ops/outbox/parked/{eventId}/requeue");
        assertThat(mapped.removeIf(operation -> operation.endsWith(" " + ApiDocumentation.CONSOLE_PROXY)))
                .as("the console's pass-through, left out of the document on purpose, is still mapped")
                .isTrue();
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
        JsonNode spec = Api.json(anonymous.get("/v3/api-docs"));

        JsonNode basic = spec.path("components").path("securitySchemes").path("basicAuth");
        assertThat(basic.path("type").asText()).isEqualTo("http");
        assertThat(basic.path("scheme").asText()).isEqualTo("basic");
        assertThat(spec.path("security").findValues("basicAuth")).hasSize(1);
        assertThat(spec.path("info").path("title").asText()).isEqualTo("order-service");
        assertThat(spec.path("components")
                        .path("responses")
                        .path("NotFound")
                        .path("content")
                        .has("application/problem+json"))
                .isTrue();
        assertThat(OpenApiContract.withoutResponses(spec, "401", "403")).isEmpty();
        assertThat(spec.at("/paths/~1api~1orders~1{orderId}/get/responses/404/$ref")
                        .asText())
                .isEqualTo("#/components/responses/NotFound");
    }
}
