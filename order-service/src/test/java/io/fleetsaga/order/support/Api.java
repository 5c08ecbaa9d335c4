package io.fleetsaga.order.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The tests' HTTP client of the service. Every call goes through {@link #exchange}, the one place where
 * credentials are added once the API is secured.
 */
public final class Api {

    private static final ObjectMapper JSON = new ObjectMapper();

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
        if (body != null) {
            all.setContentType(MediaType.APPLICATION_JSON);
        }
        if (headers != null) {
            all.addAll(headers);
        }
        TestRestTemplate client = user == null ? http : http.withBasicAuth(user, user + "-test");
        return client.exchange(path, method, new HttpEntity<>(body, all), String.class);
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

    public static HttpHeaders header(String name, String value) {
        HttpHeaders headers = new HttpHeaders();
        headers.add(name, value);
        return headers;
    }

    public static JsonNode json(ResponseEntity<String> response) {
        return json(response.getBody());
    }

    public static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
