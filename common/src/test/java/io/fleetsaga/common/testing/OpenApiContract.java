package io.fleetsaga.common.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.core.JacksonException;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service's OpenAPI document as a contract: its canonical text (checked in under {@code docs/openapi/}) and
 * the operations it must describe (every handler mapping of the application). Copied in both services' tests.
 */
public final class OpenApiContract {

    /** {@code -Dopenapi.update=true} rewrites the checked-in document instead of comparing with it. */
    public static final String UPDATE_PROPERTY = "openapi.update";

    private static final Logger log = LoggerFactory.getLogger(OpenApiContract.class);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter(
                    Separators.createDefaultInstance().withObjectNameValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"));

    private static final Set<RequestMethod> ANY_METHOD = EnumSet.complementOf(EnumSet.of(RequestMethod.TRACE));

    private OpenApiContract() {}

    /**
     * The document in a canonical text: keys sorted at every level, two-space indentation, one array element per
     * line, {@code \n} line ends, a final newline — the same bytes for the same API on every machine.
     */
    public static String canonical(String json) {
        try {
            Object tree = JSON.readValue(json, Object.class);
            return JSON.writer().with(PRETTY).writeValueAsString(tree) + "\n";
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }

    /**
     * Fails unless {@code served} equals the checked-in {@code docs/openapi/<fileName>}, showing where they differ
     * and how to update the file; with {@code -Dopenapi.update=true} writes the file instead.
     */
    public static void assertCheckedIn(String served, String module, String fileName) {
        String actual = canonical(served);
        Path file = repositoryRoot().resolve("docs").resolve("openapi").resolve(fileName);
        String update = "If the API change is intended, regenerate the file and commit it with the change:\n"
                + "  ./mvnw -pl " + module + " -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dit.test=OpenApiIT -D" + UPDATE_PROPERTY + "=true -D" + OpenApiValidation.MODE_PROPERTY
                + "=false\n";
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            write(file, actual);
            log.warn(
                    "{} rewritten from the served /v3/api-docs ({} updated it): review the diff",
                    file,
                    UPDATE_PROPERTY);
            return;
        }
        if (!Files.exists(file)) {
            fail("docs/openapi/" + fileName + " is missing.\n" + update);
        }
        String expected = read(file);
        if (!expected.equals(actual)) {
            fail("docs/openapi/" + fileName + " is not the OpenAPI document the service serves.\n"
                    + difference(expected, actual) + update);
        }
    }

    /**
     * Every operation the application maps, as {@code "GET /api/orders/{orderId}"}: the handler methods of all
     * {@link RequestMappingHandlerMapping} beans, path patterns times HTTP methods (a mapping that names none takes
     * every method but TRACE, which the DispatcherServlet does not dispatch), without springdoc's own, Spring Boot's
     * error controller and actuator endpoints.
     */
    public static Set<String> mappedOperations(ApplicationContext context) {
        Set<String> operations = new TreeSet<>();
        for (RequestMappingHandlerMapping mapping :
                context.getBeansOfType(RequestMappingHandlerMapping.class).values()) {
            for (Map.Entry<RequestMappingInfo, HandlerMethod> entry :
                    mapping.getHandlerMethods().entrySet()) {
                String handler = entry.getValue().getBeanType().getName();
                if (handler.startsWith("org.springdoc.")
                        || handler.startsWith("org.springframework.boot.actuate.")
                        || handler.startsWith("org.springframework.boot.webmvc.autoconfigure.error.")) {
                    continue;
                }
                Set<RequestMethod> methods =
                        entry.getKey().getMethodsCondition().getMethods();
                for (String pattern : entry.getKey().getPatternValues()) {
                    if (pattern.equals("/error") || pattern.startsWith("/actuator")) {
                        continue;
                    }
                    for (RequestMethod method : methods.isEmpty() ? ANY_METHOD : methods) {
                        operations.add(method + " " + withoutRegex(pattern));
                    }
                }
            }
        }
        return operations;
    }

    /** The operations of the document's {@code paths}, as {@code "GET /api/orders/{orderId}"}. */
    public static Set<String> documentedOperations(JsonNode spec) {
        Set<String> operations = new TreeSet<>();
        forEachOperation(spec, (operation, node) -> operations.add(operation));
        return operations;
    }

    /** The mapped operations the document does not describe. */
    public static Set<String> undocumented(Set<String> mapped, JsonNode spec) {
        Set<String> missing = new TreeSet<>(mapped);
        missing.removeAll(documentedOperations(spec));
        return missing;
    }

    /** The documented operations without a summary (or with a blank one). */
    public static Set<String> withoutSummary(JsonNode spec) {
        Set<String> missing = new TreeSet<>();
        forEachOperation(spec, (operation, node) -> {
            if (node.path("summary").asText("").isBlank()) {
                missing.add(operation);
            }
        });
        return missing;
    }

    /** The documented operations lacking one of {@code codes} among their responses. */
    public static Set<String> withoutResponses(JsonNode spec, String... codes) {
        Set<String> missing = new TreeSet<>();
        forEachOperation(spec, (operation, node) -> {
            for (String code : codes) {
                if (!node.path("responses").has(code)) {
                    missing.add(operation + " (" + code + ")");
                }
            }
        });
        return missing;
    }

    private interface OperationVisitor {
        void visit(String operation, JsonNode node);
    }

    private static final Set<String> HTTP_METHODS =
            Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private static void forEachOperation(JsonNode spec, OperationVisitor visitor) {
        for (Map.Entry<String, JsonNode> path : spec.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
                if (HTTP_METHODS.contains(method.getKey())) {
                    visitor.visit(method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), method.getValue());
                }
            }
        }
    }

    /** {@code /{id:[0-9]+}} is documented as {@code /{id}}. */
    private static String withoutRegex(String pattern) {
        return pattern.replaceAll("\\{([^}:]+):[^}]*}", "{$1}");
    }

    /** The first differing lines with a little context on both sides. */
    static String difference(String expected, String actual) {
        List<String> before = expected.lines().toList();
        List<String> after = actual.lines().toList();
        int first = 0;
        while (first < before.size()
                && first < after.size()
                && before.get(first).equals(after.get(first))) {
            first++;
        }
        int from = Math.max(0, first - 3);
        List<String> out = new ArrayList<>();
        out.add("First difference at line " + (first + 1) + ":");
        out.add("  checked in:");
        before.subList(from, Math.min(before.size(), first + 6)).forEach(line -> out.add("    " + line));
        out.add("  served:");
        after.subList(from, Math.min(after.size(), first + 6)).forEach(line -> out.add("    " + line));
        return String.join("\n", out) + "\n";
    }

    /** The folder with {@code mvnw} above the module the tests run in. */
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

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
