package io.fleetsaga.common.testing;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The contract test's validator: checks a real response of a service against its <em>checked-in</em> OpenAPI
 * document ({@code docs/openapi/<service>.json}) — the status code is documented for the operation (or a
 * {@code default} response is), required headers are there, the {@code Content-Type} is a documented one, and the
 * body matches its schema as JSON Schema 2020-12, the dialect of OpenAPI 3.1 ({@code null}s, {@code required},
 * formats such as {@code date-time}, {@code int64}, {@code uri-reference} asserted). Installed in the one place each
 * test suite talks HTTP (order-service's {@code support.Api}, assignment-service's {@code RealInfrastructureTest},
 * system-tests' {@code SystemStack}), so every response the existing tests receive, success or error, is checked; a
 * violation fails the call with a readable report.
 *
 * <p>Only responses are checked: tests send invalid requests on purpose. Calls outside the documented API ({@code
 * /actuator}, {@code /v3/api-docs}, the console), to a path or method the document does not have (a test probing an
 * unknown path) are not checked. {@code -Dopenapi.validation=false} turns it off.
 *
 * <p>Why not Atlassian's swagger-request-validator: its 2.x line (2.44.1 to 2.46.1) reads OpenAPI 3.1 documents but
 * validates their schemas without {@code type} (swagger-parser moves a 3.1 {@code type} to {@code types}, which its
 * draft-4 validator does not see): a {@code null} or a string passes an integer schema. Its 3.x successor
 * ({@code openapi-request-validator}) needs Java 21. networknt's json-schema-validator (Jackson 3, Java 17) has the
 * OpenAPI 3.1 dialect; what it lacks, finding the operation and response, is the few lines below.
 */
public final class OpenApiValidation {

    /**
     * {@code -Dopenapi.validation=false} skips the validation (e.g. to see a test's own failure first); {@code
     * report} lets the calls pass and appends each violation to {@code target/openapi-violations.txt} (a survey of
     * everything the tests' traffic breaks, rather than the first break of each test).
     */
    public static final String MODE_PROPERTY = "openapi.validation";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Map<String, OpenApiValidation> BY_FILE = new ConcurrentHashMap<>();

    private final String fileName;
    private final JsonNode document;
    private final Predicate<String> documents;
    private final List<PathTemplate> paths;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private OpenApiValidation(String fileName, String json, Predicate<String> documents) {
        this.fileName = fileName;
        this.documents = documents;
        this.document = JSON.readTree(json);
        this.paths = document.path("paths").propertyNames().stream()
                .map(PathTemplate::new)
                // a literal segment beats a variable: /runs/latest before /runs/{runId}
                .sorted(Comparator.comparingInt(PathTemplate::variables).thenComparing(PathTemplate::template))
                .toList();
        this.registry = SchemaRegistry.withDefaultDialect(
                // the document's components sit beside each response schema (below): not a keyword to warn about
                Dialect.builder(Dialects.getOpenApi31())
                        .keyword(new NonValidationKeyword("components"))
                        .build(),
                builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                        .formatAssertionsEnabled(true)
                        .build()));
    }

    /**
     * The validator of {@code docs/openapi/<fileName>} for the calls whose path starts with {@code /api/} or
     * {@code /internal/} (the documented API); read once per test JVM.
     */
    public static OpenApiValidation of(String fileName) {
        return of(fileName, path -> path.startsWith("/api/") || path.startsWith("/internal/"));
    }

    /** As {@link #of(String)}, for the calls whose path (without query) {@code documents} accepts. */
    public static OpenApiValidation of(String fileName, Predicate<String> documents) {
        return BY_FILE.computeIfAbsent(fileName, file -> new OpenApiValidation(file, read(file), documents));
    }

    /** A validator of the document {@code json} (tests of the validator itself). */
    static OpenApiValidation of(String name, String json, Predicate<String> documents) {
        return new OpenApiValidation(name, json, documents);
    }

    /**
     * Fails ({@link AssertionError}) when the response to {@code method pathAndQuery} breaks the document, with the
     * violations, the call and the response body in the message.
     *
     * @param headers the response headers (names in any case)
     */
    public void check(String method, String pathAndQuery, int status, Map<String, List<String>> headers, String body) {
        List<String> violations = violations(method, pathAndQuery, status, headers, body);
        if (violations.isEmpty()) {
            return;
        }
        if ("report".equals(System.getProperty(MODE_PROPERTY))) {
            report(method, pathAndQuery, status, violations);
        } else {
            throw new AssertionError("The response to " + method + " " + pathAndQuery + " (" + status
                    + ") breaks docs/openapi/" + fileName + ":\n"
                    + violations.stream().map(line -> "  - " + line).collect(Collectors.joining("\n"))
                    + "\n  body: " + body
                    + "\nFix the response or the document (then regenerate it: docs/openapi/README.md).");
        }
    }

    /** The violations of the document by this response, one readable line each; empty when it conforms. */
    public List<String> violations(
            String method, String pathAndQuery, int status, Map<String, List<String>> headers, String body) {
        String path = pathAndQuery.split("\\?", 2)[0];
        if ("false".equals(System.getProperty(MODE_PROPERTY)) || !documents.test(path)) {
            return List.of();
        }
        Optional<PathTemplate> template =
                paths.stream().filter(candidate -> candidate.matches(path)).findFirst();
        JsonNode operation = template.map(
                        t -> document.path("paths").path(t.template()).path(method.toLowerCase(Locale.ROOT)))
                .orElse(null);
        if (operation == null || operation.isMissingNode()) {
            return List.of(); // not an operation of the API: a test probing an unknown path or method
        }
        String where = method + " " + template.get().template();
        String code = String.valueOf(status);
        JsonNode responses = operation.path("responses");
        String pointer =
                "/paths/" + escape(template.get().template()) + "/" + method.toLowerCase(Locale.ROOT) + "/responses/";
        String key =
                responses.has(code) ? code : responses.has(code.charAt(0) + "XX") ? code.charAt(0) + "XX" : "default";
        JsonNode response = responses.path(key);
        if (response.isMissingNode()) {
            return List.of("status " + status + " is not documented for " + where + " (documented: "
                    + String.join(", ", responses.propertyNames()) + ")");
        }
        pointer += escape(key);
        if (response.has("$ref")) {
            pointer = response.get("$ref").asString().substring(1);
            response = document.at(pointer);
        }
        List<String> violations = new ArrayList<>();
        Map<String, List<String>> lowerCase = new HashMap<>();
        headers.forEach((name, values) -> lowerCase.put(name.toLowerCase(Locale.ROOT), values));
        for (Map.Entry<String, JsonNode> header : response.path("headers").properties()) {
            if (header.getValue().path("required").asBoolean(false)
                    && !lowerCase.containsKey(header.getKey().toLowerCase(Locale.ROOT))) {
                violations.add("header " + header.getKey() + " is required on a " + status + " of " + where);
            }
        }
        JsonNode content = response.path("content");
        boolean hasBody = body != null && !body.isEmpty();
        if (content.isMissingNode() || content.isEmpty()) {
            if (hasBody) {
                violations.add("a " + status + " of " + where + " has no documented body, but one was sent");
            }
            return violations;
        }
        String contentType = lowerCase.getOrDefault("content-type", List.of("")).get(0);
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!content.has(mediaType)) {
            violations.add("Content-Type '" + contentType + "' is not documented for a " + status + " of " + where
                    + " (documented: " + String.join(", ", content.propertyNames()) + ")");
            return violations;
        }
        JsonNode schema = content.path(mediaType).path("schema");
        if (schema.isMissingNode()) {
            return violations;
        }
        if (!hasBody) {
            violations.add("a " + status + " of " + where + " documents a " + mediaType + " body, none was sent");
            return violations;
        }
        JsonNode instance;
        try {
            instance = JSON.readTree(body);
        } catch (JacksonException e) {
            violations.add("the body is no JSON: " + e.getOriginalMessage());
            return violations;
        }
        String schemaPointer = pointer + "/content/" + escape(mediaType) + "/schema";
        for (Error error : schema(schemaPointer, schema).validate(instance)) {
            violations.add(error.getInstanceLocation() + ": " + error.getMessage() + " (schema "
                    + error.getSchemaLocation().getFragment() + ")");
        }
        return violations;
    }

    private void report(String method, String pathAndQuery, int status, List<String> violations) {
        StringBuilder lines = new StringBuilder();
        violations.forEach(violation -> lines.append(fileName)
                .append('\t')
                .append(method)
                .append(' ')
                .append(pathAndQuery)
                .append('\t')
                .append(status)
                .append('\t')
                .append(violation)
                .append('\n'));
        try {
            Files.writeString(
                    Path.of("target", "openapi-violations.txt"),
                    lines,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The response schema as a JSON Schema: the schema with the document's {@code components} beside it, so that
     * its {@code $ref}s to {@code #/components/schemas/…} resolve; compiled once per response.
     */
    private Schema schema(String pointer, JsonNode schema) {
        return schemas.computeIfAbsent(pointer, p -> {
            ObjectNode root = JSON.createObjectNode();
            root.set("$ref", JSON.getNodeFactory().stringNode("#/$defs/response"));
            root.set("$defs", JSON.createObjectNode().set("response", schema));
            root.set("components", document.path("components"));
            return registry.getSchema(root);
        });
    }

    /** JSON Pointer escaping of one token. */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String read(String fileName) {
        try {
            return Files.readString(
                    repositoryRoot().resolve("docs").resolve("openapi").resolve(fileName), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder with {@code mvnw} above the module the tests run in (self-contained: system-tests use this class). */
    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no mvnw above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** A path of the document, {@code /api/orders/{orderId}}, as a pattern for request paths. */
    private record PathTemplate(String template, Pattern pattern, int variables) {

        PathTemplate(String template) {
            this(
                    template,
                    Pattern.compile(StreamSupport.stream(
                                    List.of(template.split("(?=\\{)|(?<=})")).spliterator(), false)
                            .map(part -> part.startsWith("{") ? "[^/]+" : Pattern.quote(part))
                            .collect(Collectors.joining())),
                    (int) template.chars().filter(c -> c == '{').count());
        }

        boolean matches(String path) {
            return pattern.matcher(path).matches();
        }
    }
}
