package io.fleetsaga.assignment.apidocs;

import io.fleetsaga.common.apidocs.ProblemOpenApi;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description of assignment-service: served at {@code /v3/api-docs}, shown by Swagger UI at
 * {@code /swagger-ui.html}, checked in as {@code docs/openapi/assignment-service.json} (kept current by
 * {@code OpenApiIT}). Each operation is documented on its controller ({@code @Operation}, {@code @Tag}); what both
 * services share — the problem schema and responses, nullability, the kit's ops endpoints — comes from common
 * ({@code io.fleetsaga.common.apidocs}). Here is what only this service says: the service, its tags, HTTP Basic and
 * the reconciliation's stale fencing token.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

    @Bean
    OpenAPI assignmentServiceOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("assignment-service")
                        .version("1")
                        .description("Assignment tasks: a courier's batch of orders with its counters and real-time"
                                + " overview; the internal read API order-service's reconciliation compares with;"
                                + " the outbox ops API. Every call needs HTTP Basic credentials (or a JWT bearer token where configured): reads of `/api/**`"
                                + " role DISPATCHER or OPS, changes DISPATCHER, `/api/ops/**` OPS, `/internal/**`"
                                + " SERVICE. Every error is an RFC 9457 problem (`application/problem+json`)."
                                + " Guides: docs/assignment-api.md, docs/contracts.md."))
                // relative: "Try it out" calls the instance that served the document
                .servers(List.of(new Server().url("/").description("this instance")))
                .tags(List.of(
                        new Tag().name("Tasks").description("Task API (reads: DISPATCHER or OPS; changes: DISPATCHER)"),
                        new Tag()
                                .name("Reconciliation (internal)")
                                .description("What order-service's reconciliation reads and repairs: link digests,"
                                        + " links, task counters (SERVICE)")))
                .components(new Components()
                        .addResponses(
                                "StaleFencingToken",
                                new ApiResponse()
                                        .description("The caller's fencing token is older than one already seen for"
                                                + " its lease: its lease was taken over, and it may not write any"
                                                + " more")
                                        .content(new Content()
                                                .addMediaType(
                                                        ProblemOpenApi.PROBLEM_JSON,
                                                        new MediaType()
                                                                .schema(new Schema<>()
                                                                        .$ref(ProblemOpenApi.PROBLEM))))));
    }
}
