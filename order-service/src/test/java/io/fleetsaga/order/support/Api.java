package io.fleetsaga.order.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.common.testing.OpenApiValidation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The tests' HTTP client of the service. Every call goes through {@link #exchange}, the one place where
 * credentials are added, and where every response of the API is validated against the checked-in
 * docs/openapi/order-service.json (the contract test, {@link OpenApiValidation}).
 */
public final class Api {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OpenApiValidation CONTRACT = OpenApiValidation.of("order-service.json");

    /** Test users (see {@code src/test/resources/config/application.yml}). */
    public static final String DISPATCHER = "dispatcher";

    public static final String OPS = "ops";

    private final TestRestTemplate http;
    private final String user;

    public Api(TestRestTemplate http) {
        this(http, DISPATCHER);
    }

    private Api(TestRestTemplate http, String user) {
        this.http = http;
        this.user = user;
    }

    /** The same client calling as another test user, or anonymously ({@code null}). */
    public Api as(String user) {
        return new Api(http, user);
    }

    /** The one method that talks HTTP. */
    public ResponseEntity<String> exchange(HttpMethod method, String path, String body, HttpHeaders headers) {
        HttpHeaders all = new HttpHeaders();
        if (body != null && (headers == null || headers.getContentType() == null)) {
            all.setContentType(MediaType.APPLICATION_JSON);
        }
        if (headers != null) {
            all.addAll(headers);
        }
        TestRestTemplate client = user == null ? http : http.withBasicAuth(user, user + "-test");
        ResponseEntity<String> response = client.exchange(path, method, new HttpEntity<>(body, all), String.class);
        Map<String, List<String>> responseHeaders = new HashMap<>();
        response.getHeaders().forEach(responseHeaders::put);
        CONTRACT.check(method.name(), path, response.getStatusCode().value(), responseHeaders, response.getBody());
        return response;
    }

    public ResponseEntity<String> get(String path) {
        return exchange(HttpMethod.GET, path, null, null);
    }

    public ResponseEntity<String> post(String path, String body) {
        return exchange(HttpMethod.POST, path, body, null);
    }

    public ResponseEntity<String> post(String path, String body, HttpHeaders headers) {
        return exchange(HttpMethod.POST, path, body, headers);
    }

    // --- calls many tests make ---------------------------------------------------------------------------

    /** Creates an order with a fresh id (201 asserted); returns the id. */
    public String createOrder() {
        String orderId = "o-" + UUID.randomUUID();
        assertThat(post("/api/orders", "{\"orderId\":\"" + orderId + "\"}").getStatusCode())
                .isEqualTo(HttpStatus.CREATED);
        return orderId;
    }

    /** Starts assigning {@code orderId} to {@code taskId} (202 asserted); returns the saga's id. */
    public String assign(String orderId, String taskId) {
        ResponseEntity<String> response =
                post("/api/orders/" + orderId + "/assignment", "{\"taskId\":\"" + taskId + "\"}");
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        return json(response).get("sagaId").asText();
    }

    /** The order as {@code GET /api/orders/{id}} answers it (200 asserted). */
    public JsonNode order(String orderId) {
        ResponseEntity<String> response = get("/api/orders/" + orderId);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        return json(response);
    }

    /** The saga as the ops API lists it (as the ops user). */
    public JsonNode saga(String sagaId) {
        JsonNode sagas = json(as(OPS).get("/api/ops/sagas?limit=1000")).get("sagas");
        return StreamSupport.stream(sagas.spliterator(), false)
                .filter(s -> s.get("id").asText().equals(sagaId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("saga " + sagaId + " not listed"));
    }

    /** The value of one series of {@code /actuator/prometheus}, e.g. {@code saga_stuck{…}}; -1 when absent. */
    public double metric(String series) {
        String metrics = get("/actuator/prometheus").getBody();
        Matcher matcher = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
                .matcher(metrics);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : -1;
    }

    /** The actions of an order's history, oldest first. */
    public static List<String> actions(JsonNode order) {
        return StreamSupport.stream(order.get("history").spliterator(), false)
                .map(h -> h.get("action").asText())
                .toList();
    }

    public static HttpHeaders header(String name, String value) {
        HttpHeaders headers = new HttpHeaders();
        headers.add(name, value);
        return headers;
    }

    public static JsonNode json(ResponseEntity<String> response) {
        return json(response.getBody());
    }

    public static JsonNode json(String body) {
        return JSON.readTree(body);
    }
}
