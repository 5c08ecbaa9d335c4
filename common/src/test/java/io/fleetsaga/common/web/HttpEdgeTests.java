package io.fleetsaga.common.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shared HTTP edge over real HTTP (a raw socket, so that no client normalises the request): every error —
 * of a controller, of strict JSON reading, of the firewall, of the container — is a problem of the contract.
 */
@SpringBootTest(
        classes = HttpEdgeTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "fleetsaga.http.max-body-size=2KB",
            "fleetsaga.security.users[0].name=dispatcher",
            "fleetsaga.security.users[0].password={noop}d-secret",
            "fleetsaga.security.users[0].roles=DISPATCHER"
        })
class HttpEdgeTests {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("dispatcher:d-secret".getBytes(StandardCharsets.UTF_8));

    @Value("${local.server.port}")
    int port;

    @Test
    void aValidRequestIsAnswered() throws IOException {
        Answer answer = post("/api/things", "{\"name\":\"a\",\"capacity\":3,\"mode\":\"REPAIR\"}");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("mode").asString()).isEqualTo("REPAIR");
    }

    @Test
    void bytesAreWrittenAsTheyAre() throws IOException {
        Answer answer = get("/api/raw");

        assertThat(answer.body()).isEqualTo("{\"raw\":true}");
    }

    @Test
    void aBodyAboveTheLimitIs413WhetherItsLengthIsDeclaredOrNot() throws IOException {
        String big = "{\"name\":\"" + "x".repeat(4096) + "\"}";

        assertProblem(post("/api/things", big), 413, "content-too-large");

        StringBuilder chunked = new StringBuilder(
                "POST /api/things HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + AUTH
                        + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        chunked.append(Integer.toHexString(big.length()))
                .append("\r\n")
                .append(big)
                .append("\r\n0\r\n\r\n");
        assertProblem(raw(chunked.toString()), 413, "content-too-large");
    }

    @Test
    void anEnumByOrdinalIsRefused() throws IOException {
        Answer answer = post("/api/things", "{\"name\":\"a\",\"mode\":1}");

        assertInvalid(answer, "mode", "one of DRY_RUN, REPAIR");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2.5", "\"5\"", "true"})
    void anIntegerFieldTakesOnlyIntegers(String value) throws IOException {
        assertInvalid(post("/api/things", "{\"name\":\"a\",\"capacity\":" + value + "}"), "capacity", "an integer");
    }

    @ParameterizedTest
    @ValueSource(strings = {"12345", "4.25e301", "false"})
    void aStringFieldTakesOnlyStrings(String value) throws IOException {
        assertInvalid(post("/api/things", "{\"name\":" + value + "}"), "name", "a string");
    }

    @Test
    void anUnknownFieldIsRefusedByName() throws IOException {
        assertInvalid(post("/api/things", "{\"name\":\"a\",\"nmae\":\"b\"}"), "nmae", "known: [capacity, mode, name]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":\"a\"} xyz", "{\"name\":\"a\"}{\"name\":\"b\"}", "{\"name\":\"a\"} 1"})
    void contentAfterTheBodyIsRefused(String body) throws IOException {
        Answer answer = post("/api/things", body);

        assertProblem(answer, 400, "invalid-request");
        assertThat(answer.json().get("detail").asString()).containsAnyOf("exactly one JSON value", "not valid JSON");
    }

    @Test
    void malformedJsonIsRefusedWithWhereItBroke() throws IOException {
        Answer answer = post("/api/things", "{\"name\":");

        assertProblem(answer, 400, "invalid-request");
    }

    @Test
    void anIllTypedPathVariableNamesIt() throws IOException {
        assertInvalid(get("/api/things/abc"), "id", "an integer");
    }

    @Test
    void anUnknownPathIsNotFound() throws IOException {
        Answer answer = get("/api/nothing-here");

        assertProblem(answer, 404, "not-found");
        assertThat(answer.json().get("instance").asString()).isEqualTo("/api/nothing-here");
    }

    @Test
    void aWrongMethodIs405WithAllow() throws IOException {
        Answer answer = request("DELETE", "/api/things", null, null);

        assertProblem(answer, 405, "method-not-allowed");
        assertThat(answer.head().toLowerCase(Locale.ROOT)).contains("allow: post");
    }

    @Test
    void aWrongMediaTypeIs415() throws IOException {
        assertProblem(request("POST", "/api/things", "text/plain", "name=a"), 415, "unsupported-media-type");
    }

    @Test
    void anUnacceptableAnswerIs406() throws IOException {
        Answer answer = raw("GET /api/things/1 HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + AUTH
                + "\r\nAccept: application/xml\r\nConnection: close\r\n\r\n");

        assertThat(answer.status()).isEqualTo(406);
    }

    @Test
    void aFeatureMappingDecidesItsProblem() throws IOException {
        Answer answer = get("/api/things/404");

        assertProblem(answer, 404, "thing-not-found");
        assertThat(answer.json().get("thingId").asLong()).isEqualTo(404);
    }

    @Test
    void aBusyRowIs503WithRetryAfter() throws IOException {
        Answer answer = get("/api/things/503");

        assertProblem(answer, 503, "busy");
        assertThat(answer.head().toLowerCase(Locale.ROOT)).contains("retry-after: 1");
    }

    @Test
    void anUnexpectedFailureIs500WithoutInternals() throws IOException {
        Answer answer = get("/api/things/500");

        assertProblem(answer, 500, "internal-error");
        assertThat(answer.body()).doesNotContain("secret internals");
    }

    @Test
    void withoutCredentialsTheProblemHasItsType() throws IOException {
        assertProblem(request("GET", "/api/things/1", null, null, false), 401, "authentication-required");
    }

    /** Paths a container, a firewall or a router refuses: each must still be a problem, never HTML. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "/api/things/a%2Fb",
                "/api/things/a%00b",
                "/api/things/a%5Cb",
                "/api/things/%ZZ",
                "/api/things/%2e%2e/x",
                "/api/things/1;jsessionid=abc",
                "/api//things/1",
                "/api/things/a%20b",
                "/api/things/%"
            })
    void unusualPathsAreProblems(String path) throws IOException {
        Answer answer = get(path);

        assertThat(answer.status()).as(answer.toString()).isBetween(400, 499);
        assertThat(answer.contentType()).as(answer.toString()).startsWith("application/problem+json");
        assertThat(answer.json().get("type").asString()).startsWith(Problems.PREFIX);
        assertThat(answer.json().propertyNames())
                .as("members of a problem, no nulls, no Java bean leftovers")
                .containsAnyOf("status")
                .doesNotContain("properties")
                .allMatch(name -> List.of("type", "title", "status", "detail", "instance", "errors")
                        .contains(name));
        answer.json()
                .properties()
                .forEach(member -> assertThat(member.getValue().isNull())
                        .as(member.getKey())
                        .isFalse());
    }

    @Test
    void aVeryLongPathIsAProblem() throws IOException {
        Answer answer = get("/api/things/" + "x".repeat(10_000));

        assertThat(answer.status()).as(answer.toString()).isBetween(400, 499);
        assertThat(answer.contentType()).as(answer.toString()).startsWith("application/problem+json");
    }

    private static void assertInvalid(Answer answer, String field, String message) {
        assertProblem(answer, 400, "invalid-request");
        JsonNode errors = answer.json().get("errors");
        assertThat(errors).as(answer.toString()).hasSize(1);
        assertThat(errors.get(0).get("field").asString()).isEqualTo(field);
        assertThat(errors.get(0).get("message").asString()).contains(message);
    }

    private static void assertProblem(Answer answer, int status, String name) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
        assertThat(answer.contentType()).as(answer.toString()).startsWith("application/problem+json");
        assertThat(answer.json().get("type").asString()).isEqualTo(Problems.PREFIX + name);
        assertThat(answer.json().get("status").asInt()).isEqualTo(status);
        assertThat(answer.json().get("title").asString()).isNotBlank();
    }

    private Answer get(String path) throws IOException {
        return request("GET", path, null, null);
    }

    private Answer post(String path, String json) throws IOException {
        return request("POST", path, "application/json", json);
    }

    private Answer request(String method, String path, String contentType, String body) throws IOException {
        return request(method, path, contentType, body, true);
    }

    private Answer request(String method, String path, String contentType, String body, boolean authenticated)
            throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        if (authenticated) {
            head.append("Authorization: ").append(AUTH).append("\r\n");
        }
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        head.append("Content-Length: ").append(bytes.length).append("\r\nConnection: close\r\n\r\n");
        return raw(head + (body == null ? "" : body));
    }

    private Answer raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            String head = split < 0 ? text : text.substring(0, split);
            String rest = split < 0 ? "" : text.substring(split + 4);
            if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
                rest = dechunk(rest);
            }
            return new Answer(head, rest);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int eol = chunked.indexOf("\r\n", at);
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(chunked.substring(at, eol).trim(), 16);
            if (size == 0) {
                break;
            }
            body.append(chunked, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
        return body.toString();
    }

    record Answer(String head, String body) {
        int status() {
            return Integer.parseInt(head.split(" ", 3)[1]);
        }

        String contentType() {
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-type:")) {
                    return line.substring("content-type:".length()).trim();
                }
            }
            return "";
        }

        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    enum Mode {
        DRY_RUN,
        REPAIR
    }

    record Thing(String name, Integer capacity, Mode mode) {}

    static class ThingNotFound extends RuntimeException {
        final long id;

        ThingNotFound(long id) {
            super("no thing " + id);
            this.id = id;
        }
    }

    @SpringBootApplication(exclude = {DataSourceAutoConfiguration.class, KafkaAutoConfiguration.class})
    static class App {

        @Bean
        ProblemMapping<ThingNotFound> thingNotFound() {
            return ProblemMapping.of(ThingNotFound.class, e -> {
                var problem = Problems.of(HttpStatus.NOT_FOUND, "thing-not-found", "Thing not found", e.getMessage());
                problem.setProperty("thingId", e.id);
                return org.springframework.http.ResponseEntity.status(HttpStatus.NOT_FOUND)
                        .body(problem);
            });
        }

        @RestController
        static class Things {

            @PostMapping("/api/things")
            Thing create(@RequestBody Thing thing) {
                return thing;
            }

            @GetMapping("/api/raw")
            org.springframework.http.ResponseEntity<?> raw() {
                return org.springframework.http.ResponseEntity.ok()
                        .header("Content-Type", "application/json")
                        .body("{\"raw\":true}".getBytes(StandardCharsets.UTF_8));
            }

            @GetMapping("/api/things/{id}")
            Thing read(@PathVariable long id, @RequestParam(required = false) Integer page) {
                if (id == 404) {
                    throw new ThingNotFound(id);
                }
                if (id == 503) {
                    throw new CannotAcquireLockException("lock wait timeout");
                }
                if (id == 500) {
                    throw new IllegalStateException("secret internals");
                }
                return new Thing("t" + id, 1, Mode.DRY_RUN);
            }
        }
    }
}
