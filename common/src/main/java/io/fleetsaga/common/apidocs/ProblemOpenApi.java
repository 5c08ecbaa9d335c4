package io.fleetsaga.common.apidocs;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * The HTTP error contract of both services in their OpenAPI documents, declared once: the RFC 9457 {@code Problem}
 * schema ({@code application/problem+json}; {@code type} a {@code urn:fleet-saga:problem:<name>}, {@code instance}
 * the request path as a relative URI reference) and the shared problem responses, which every operation answers
 * as they apply:
 *
 * <ul>
 *   <li>{@code 400 BadRequest} when it takes a body, a query or header parameter, or a path parameter that is no
 *       string; {@code errors} names the fields;
 *   <li>{@code 401 Unauthorized}, {@code 403 Forbidden}, {@code 429 TooManyRequests} (too many failed logins,
 *       {@code Retry-After}) and {@code 503 ServiceUnavailable} (the database does not answer or a row stays locked,
 *       {@code Retry-After}) on every operation;
 *   <li>{@code 415 UnsupportedMediaType} when it takes a body;
 *   <li>{@code default}: any other error (405, 406, 413, 500, …) is a problem too.
 * </ul>
 *
 * Controllers refer to the others ({@code NotFound}, {@code Conflict}, {@code PreconditionFailed}) with {@code
 * @ApiResponse(responseCode = "404", ref = "NotFound")}. Also: a response springdoc describes as {@code *}{@code /*}
 * (a mapping without {@code produces}) is {@code application/json}, which it is. Idempotent: springdoc may apply a
 * customizer to a document more than once.
 */
public class ProblemOpenApi implements OpenApiCustomizer {

    public static final String PROBLEM = "Problem";
    public static final String PROBLEM_JSON = "application/problem+json";
    public static final String TYPE_PATTERN = "^urn:fleet-saga:problem:[a-z0-9]+(-[a-z0-9]+)*$";

    @Override
    public void customise(OpenAPI openApi) {
        Components components = openApi.getComponents();
        if (components == null) {
            components = new Components();
            openApi.setComponents(components);
        }
        components.addSchemas(PROBLEM, problemSchema());
        components.addSchemas("FieldProblem", fieldProblemSchema());
        responses().forEach(components::addResponses);
        if (openApi.getPaths() != null) {
            openApi.getPaths().values().forEach(item -> item.readOperations().forEach(ProblemOpenApi::document));
        }
    }

    private static void document(Operation operation) {
        ApiResponses responses = operation.getResponses();
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
        if (operation.getRequestBody() != null) {
            responses.computeIfAbsent("415", code -> ref("UnsupportedMediaType"));
        }
        responses.computeIfAbsent("429", code -> ref("TooManyRequests"));
        responses.computeIfAbsent("503", code -> ref("ServiceUnavailable"));
        responses.computeIfAbsent("default", code -> ref("OtherProblem"));
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

    private static Map<String, ApiResponse> responses() {
        Map<String, ApiResponse> responses = new LinkedHashMap<>();
        responses.put(
                "BadRequest",
                problem("Invalid body, path, parameter or header; nothing changed. `errors` names the fields"));
        responses.put("Unauthorized", problem("No or wrong credentials"));
        responses.put("Forbidden", problem("The caller's role may not do this"));
        responses.put("NotFound", problem("Not found"));
        responses.put("Conflict", problem("Conflicts with the current state; nothing changed"));
        responses.put(
                "PreconditionFailed",
                problem("`If-Match` names another version; nothing changed (`ETag`: the current version)"));
        responses.put("UnsupportedMediaType", problem("The body is not `application/json`"));
        responses.put(
                "TooManyRequests",
                retryAfter(problem("Too many failed logins from this client: wait `Retry-After` seconds")));
        responses.put(
                "ServiceUnavailable",
                retryAfter(problem("The database does not answer, or a row stayed locked: nothing changed; the same"
                        + " request can be sent again after `Retry-After` seconds")));
        responses.put(
                "OtherProblem",
                problem("Any other error — e.g. 405, 406, 413, 500 — as a problem; a 5xx or a `Retry-After` says the"
                        + " same request can be sent again"));
        return responses;
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    static Schema<?> problemSchema() {
        Map<String, Schema> properties = new LinkedHashMap<>();
        properties.put(
                "type",
                string().format("uri-reference")
                        .pattern(TYPE_PATTERN)
                        .description("The problem type: a stable URN `urn:fleet-saga:problem:<name>` to switch on"
                                + " (docs/api-errors.md), not a link"));
        properties.put("title", string().description("A short summary of the problem type"));
        properties.put(
                "status",
                new Schema<>()
                        .types(Set.of("integer"))
                        .format("int32")
                        .minimum(java.math.BigDecimal.valueOf(400))
                        .maximum(java.math.BigDecimal.valueOf(599))
                        .description("The HTTP status code"));
        properties.put("detail", nullableString().description("What happened in this occurrence, for a human"));
        properties.put(
                "instance",
                nullableString()
                        .format("uri-reference")
                        .description("The request path, a relative URI reference (left out when it is very long"
                                + " or no valid URI)"));
        properties.put(
                "errors",
                new ArraySchema()
                        .items(new Schema<>().$ref("FieldProblem"))
                        .description("On a 400: the invalid fields, parameters or headers (may be empty)"));
        return new Schema<>()
                .types(Set.of("object"))
                .description("RFC 9457 problem details. A problem may carry more members (`additionalProperties`),"
                        + " e.g. `currentVersion` and `currentStatus` on a 412, `orderId` on an order's 404.")
                .properties(properties)
                .required(List.of("type", "title", "status"))
                .additionalProperties(true);
    }

    @SuppressWarnings({"rawtypes"})
    private static Schema<?> fieldProblemSchema() {
        Map<String, Schema> properties = new LinkedHashMap<>();
        properties.put(
                "field",
                string().description("The field's path in the body (`items[2].orderId`), or the parameter's or"
                        + " header's name"));
        properties.put("message", string().description("What is wrong, for a human"));
        return new Schema<>()
                .types(Set.of("object"))
                .description("One invalid field of a 400")
                .properties(properties)
                .required(List.of("field", "message"));
    }

    private static Schema<?> string() {
        return new Schema<>().types(Set.of("string"));
    }

    private static Schema<?> nullableString() {
        return new Schema<>().types(new java.util.LinkedHashSet<>(List.of("string", "null")));
    }

    private static ApiResponse problem(String description) {
        return new ApiResponse()
                .description(description)
                .content(
                        new Content().addMediaType(PROBLEM_JSON, new MediaType().schema(new Schema<>().$ref(PROBLEM))));
    }

    private static ApiResponse retryAfter(ApiResponse response) {
        return response.addHeaderObject(
                "Retry-After",
                new Header()
                        .required(true)
                        .description("Seconds to wait before sending the same request again")
                        .schema(new Schema<>().types(Set.of("integer")).format("int32")));
    }

    private static ApiResponse ref(String name) {
        return new ApiResponse().$ref(name);
    }
}
