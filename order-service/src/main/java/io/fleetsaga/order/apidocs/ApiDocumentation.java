package io.fleetsaga.order.apidocs;

import io.fleetsaga.common.apidocs.ProblemOpenApi;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.List;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description of order-service: served at {@code /v3/api-docs}, shown by Swagger UI at
 * {@code /swagger-ui.html}, checked in as {@code docs/openapi/order-service.json} (kept current by
 * {@code OpenApiIT}). Each operation is documented on its controller ({@code @Operation}, {@code @Tag}); what both
 * services share — the problem schema and responses, nullability, the kit's ops endpoints — comes from common
 * ({@code io.fleetsaga.common.apidocs}). Here is what only this service says: the service, its tags, HTTP Basic, the
 * {@code Idempotency-Key} header (honoured by a filter) with its 422, {@code If-Match}, and the console's
 * pass-through left out.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

    /**
     * The ops console's pass-through to assignment-service ({@code console.web.AssignmentServiceProxy}): plumbing
     * of the console, not an API of this service — one catch-all mapping that springdoc would list as seven
     * anonymous operations. The calls it passes on are documented in assignment-service's document.
     */
    static final String CONSOLE_PROXY = "/api/ops/assignment-service/**";

    private static final Set<PathItem.HttpMethod> MUTATING = Set.of(
            PathItem.HttpMethod.POST, PathItem.HttpMethod.PUT, PathItem.HttpMethod.PATCH, PathItem.HttpMethod.DELETE);

    @Bean
    OpenAPI orderServiceOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("order-service")
                        .version("1")
                        .description("Fleet orders: the source of truth for order status, the saga \"assign"
                                + " order\", and the ops API (sagas, outbox, reconciliation). Every call needs HTTP"
                                + " Basic credentials (or a JWT bearer token where configured): reads of `/api/**` role DISPATCHER or OPS, changes DISPATCHER,"
                                + " `/api/ops/**` OPS. Every error is an RFC 9457 problem"
                                + " (`application/problem+json`). Guides: docs/order-api.md,"
                                + " docs/reconciliation.md."))
                // relative: "Try it out" calls the instance that served the document
                .servers(List.of(new Server().url("/").description("this instance")))
                .tags(List.of(
                        new Tag()
                                .name("Orders")
                                .description("Dispatcher API (reads: DISPATCHER or OPS; changes: DISPATCHER)"),
                        new Tag().name("Sagas (ops)").description("Assignment sagas: running, ended, stuck (OPS)"),
                        new Tag()
                                .name("Reconciliation (ops)")
                                .description("Runs comparing the orders with assignment-service's links, and the"
                                        + " drift they found (OPS)")))
                .components(new Components()
                        .addResponses(
                                "IdempotencyKeyReused",
                                new ApiResponse()
                                        .description("The `Idempotency-Key` was used for a different request; nothing"
                                                + " ran")
                                        .content(new Content()
                                                .addMediaType(
                                                        ProblemOpenApi.PROBLEM_JSON,
                                                        new MediaType()
                                                                .schema(new Schema<>().$ref(ProblemOpenApi.PROBLEM)))))
                        .addParameters(
                                "IdempotencyKey",
                                new HeaderParameter()
                                        .name("Idempotency-Key")
                                        .required(false)
                                        .description("Makes the call safe to retry: a request that committed never"
                                                + " runs again under its key, and a repeat gets the stored response"
                                                + " (`Idempotent-Replayed: true`). Only final outcomes are stored: a"
                                                + " 5xx, 408, 425, 429 or a response with `Retry-After` frees the"
                                                + " key, so the retry runs (docs/order-api.md)")
                                        .schema(new StringSchema().maxLength(200))));
    }

    /** What applies to a class of this service's operations, so that no controller repeats it. Idempotent. */
    @Bean
    OpenApiCustomizer idempotencyAndPreconditions() {
        return openApi -> {
            if (openApi.getPaths() == null) {
                return;
            }
            openApi.getPaths().remove(CONSOLE_PROXY);
            openApi.getPaths()
                    .forEach((path, item) ->
                            item.readOperationsMap().forEach((method, operation) -> document(path, method, operation)));
        };
    }

    private static void document(String path, PathItem.HttpMethod method, Operation operation) {
        if (path.startsWith("/api/") && MUTATING.contains(method) && !hasIdempotencyKey(operation)) {
            operation.addParametersItem(new Parameter().$ref("IdempotencyKey"));
            operation.getResponses().computeIfAbsent("422", code -> new ApiResponse().$ref("IdempotencyKeyReused"));
        }
        if (operation.getParameters() != null) {
            operation.getParameters().stream()
                    .filter(parameter -> "If-Match".equals(parameter.getName()))
                    .forEach(parameter -> parameter.description(
                            "The version the caller saw, as an ETag (`\"3\"`); another version is a 412, a malformed"
                                    + " value a 400"));
        }
    }

    private static boolean hasIdempotencyKey(Operation operation) {
        return operation.getParameters() != null
                && operation.getParameters().stream()
                        .anyMatch(parameter -> parameter.get$ref() != null
                                && parameter.get$ref().endsWith("/IdempotencyKey"));
    }
}
