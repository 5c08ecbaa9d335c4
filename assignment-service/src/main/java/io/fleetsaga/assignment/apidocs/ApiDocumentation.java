package io.fleetsaga.assignment.apidocs;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description of assignment-service: served at {@code /v3/api-docs}, shown by Swagger UI at
 * {@code /swagger-ui.html}, checked in as {@code docs/openapi/assignment-service.json} (kept current by
 * {@code OpenApiIT}). Each operation is documented on its controller ({@code @Operation}, {@code @Tag}); here is
 * what no controller can say: the service, its tags, HTTP Basic, the problem+json errors every operation can
 * answer, and the outbox ops endpoints, which come from the reliability kit in common.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

    static final String BASIC_AUTH = "basicAuth";
    static final String PROBLEM = "Problem";
    static final String PROBLEM_JSON = "application/problem+json";

    private static final String OUTBOX_TAG = "Outbox (ops)";

    /** The kit's outbox ops endpoints: common's OutboxOpsController carries no OpenAPI annotations. */
    private static final Map<String, KitOperation> KIT_OPERATIONS = Map.of(
            "GET /api/ops/outbox",
            new KitOperation(
                    "getOutboxBacklog",
                    "Read the outbox backlog",
                    "Pending and parked events, the age of the oldest pending one in seconds, and the state of this"
                            + " instance's relay lanes (`UP`, or `BACKING_OFF` since when, after which error, next"
                            + " probe when): a lane whose transport is away backs off instead of parking events.",
                    Map.of()),
            "GET /api/ops/outbox/parked",
            new KitOperation(
                    "listParkedOutboxEvents",
                    "List parked outbox events with their last error",
                    "Events the broker or receiver refused, or that failed for an unknown reason until they used up"
                            + " their attempts, with `failureKind` and `failureReason`; in id order, `limit` 1 to 1000"
                            + " (default 100), the next page with `after` = the answer's `next`; filters"
                            + " `aggregateType` (+ `aggregateId`), `reason`, `topic`.",
                    Map.of("400", "BadRequest")),
            "POST /api/ops/outbox/parked/{eventId}/requeue",
            new KitOperation(
                    "requeueParkedOutboxEvent",
                    "Requeue a parked outbox event",
                    "Once its cause is fixed: the event is PENDING again with fresh attempts and keeps its place in"
                            + " its aggregate's order; 404 when the event is unknown or not parked.",
                    Map.of("400", "BadRequest", "404", "NotFound")),
            "POST /api/ops/outbox/parked/requeue",
            new KitOperation(
                    "requeueParkedOutboxEvents",
                    "Requeue parked outbox events in bulk",
                    "Those of one aggregate (`aggregateType` + `aggregateId`), of an aggregate type, with one failure"
                            + " `reason`, for one `topic` — or, with `all=true` and no filter, all of them. At most"
                            + " `limit` (1 to 1000, default 500) per call, oldest first; each keeps its place in its"
                            + " aggregate's order; `more` says to call again.",
                    Map.of("400", "BadRequest")));

    @Bean
    OpenAPI assignmentServiceOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("assignment-service")
                        .version("1")
                        .description("Assignment tasks: a courier's batch of orders with its counters and real-time"
                                + " overview; the internal read API order-service's reconciliation compares with;"
                                + " the outbox ops API. Every call needs HTTP Basic credentials: reads of `/api/**`"
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
                                        + " links, task counters (SERVICE)"),
                        new Tag().name(OUTBOX_TAG).description("Backlog and parked events of the outbox (OPS)")))
                .addSecurityItem(new SecurityRequirement().addList(BASIC_AUTH))
                .components(new Components()
                        .addSecuritySchemes(
                                BASIC_AUTH,
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("basic")
                                        .description("The users and roles of fleetsaga.security.users"))
                        .addSchemas(PROBLEM, problemSchema())
                        .addResponses(
                                "BadRequest", problem("Invalid body, path or parameter; `errors` names the fields"))
                        .addResponses("Unauthorized", problem("No or wrong credentials"))
                        .addResponses("Forbidden", problem("The caller's role may not do this"))
                        .addResponses("NotFound", problem("Not found"))
                        .addResponses("Conflict", problem("Conflicts with the current state; nothing changed"))
                        .addResponses(
                                "StaleFencingToken",
                                problem("The caller's fencing token is older than one already seen for its lease:"
                                        + " its lease was taken over, and it may not write any more"))
                        .addResponses(
                                "Busy",
                                problem("A row stayed locked (lock wait timeout or deadlock): the same request can"
                                                + " be sent again")
                                        .addHeaderObject(
                                                "Retry-After",
                                                new Header()
                                                        .description("Seconds to wait")
                                                        .schema(new IntegerSchema()))));
    }

    /** What applies to every operation, so that no controller repeats it. */
    @Bean
    OpenApiCustomizer sharedResponsesAndKitOperations() {
        return openApi -> {
            if (openApi.getPaths() != null) {
                openApi.getPaths()
                        .forEach((path, item) -> item.readOperationsMap()
                                .forEach((method, operation) -> document(path, method, operation)));
            }
        };
    }

    /** Idempotent: springdoc may apply customizers to a document more than once. */
    private static void document(String path, PathItem.HttpMethod method, Operation operation) {
        KitOperation kit = KIT_OPERATIONS.get(method + " " + path);
        if (kit != null) {
            operation
                    .operationId(kit.operationId())
                    .summary(kit.summary())
                    .description(kit.description())
                    .tags(List.of(OUTBOX_TAG));
            new TreeMap<>(kit.problems())
                    .forEach((code, response) -> operation.getResponses().computeIfAbsent(code, c -> ref(response)));
        }
        ApiResponses responses = operation.getResponses();
        // every answer is JSON; springdoc says */* where a mapping declares no "produces"
        responses.values().stream()
                .filter(response -> response.getContent() != null)
                .forEach(response -> {
                    MediaType any = response.getContent().remove("*/*");
                    if (any != null) {
                        response.getContent().addMediaType("application/json", any);
                    }
                });
        if (canBeInvalid(operation)) {
            responses.computeIfAbsent("400", code -> ref("BadRequest"));
        }
        responses.computeIfAbsent("401", code -> ref("Unauthorized"));
        responses.computeIfAbsent("403", code -> ref("Forbidden"));
    }

    /** A body, a query or header parameter, or a path parameter that is no string: the call can be a 400. */
    private static boolean canBeInvalid(Operation operation) {
        return operation.getRequestBody() != null
                || (operation.getParameters() != null
                        && operation.getParameters().stream()
                                .filter(parameter -> parameter.get$ref() == null)
                                .anyMatch(parameter ->
                                        !"path".equals(parameter.getIn()) || !isString(parameter.getSchema())));
    }

    private static boolean isString(Schema<?> schema) {
        return schema != null
                && ("string".equals(schema.getType())
                        || (schema.getTypes() != null && schema.getTypes().equals(Set.of("string"))));
    }

    @SuppressWarnings("rawtypes")
    private static Schema<?> problemSchema() {
        Map<String, Schema> properties = new LinkedHashMap<>();
        properties.put(
                "type",
                new StringSchema().format("uri").description("The problem type, e.g. urn:fleet-saga:problem:…"));
        properties.put("title", new StringSchema().description("A short summary of the problem type"));
        properties.put("status", new IntegerSchema().description("The HTTP status code"));
        properties.put("detail", new StringSchema().description("What happened in this occurrence"));
        properties.put("instance", new StringSchema().format("uri").description("The request path"));
        return new ObjectSchema()
                .description("RFC 9457 problem details. Some problems carry more members, e.g. `errors`"
                        + " ([{field, message}]) on a 400.")
                .properties(properties)
                .additionalProperties(true);
    }

    private static ApiResponse problem(String description) {
        return new ApiResponse()
                .description(description)
                .content(
                        new Content().addMediaType(PROBLEM_JSON, new MediaType().schema(new Schema<>().$ref(PROBLEM))));
    }

    private static ApiResponse ref(String name) {
        return new ApiResponse().$ref(name);
    }

    /** @param problems status code → name of the shared response */
    private record KitOperation(String operationId, String summary, String description, Map<String, String> problems) {}
}
