package io.fleetsaga.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.ResponseEntity;

/**
 * The actuator endpoints a service exposes, exactly as README documents them: {@code /actuator/health} (with its
 * {@code liveness} and {@code readiness} groups) and {@code /actuator/prometheus} open to everybody, health details
 * for {@code OPS} only, nothing else — {@code info}, {@code metrics}, {@code env} … are not exposed (404 for
 * {@code OPS}, 401 without credentials, since {@code /actuator/**} beyond the open ones needs {@code OPS}).
 */
public final class ActuatorExposure {

    /** A GET of {@code path} as {@code user} ({@code null}: without credentials). */
    @FunctionalInterface
    public interface Get {
        ResponseEntity<String> get(String user, String path);
    }

    private static final Pattern LINK = Pattern.compile("\"([A-Za-z0-9_-]+)\"\\s*:\\s*\\{\\s*\"href\"");

    private ActuatorExposure() {}

    /** Asserts the exposure over real HTTP; {@code ops} and {@code dispatcher} are users with those roles. */
    public static void assertExactlyAsDocumented(Get http, String ops, String dispatcher) {
        for (String open : List.of(
                "/actuator/health",
                "/actuator/health/liveness",
                "/actuator/health/readiness",
                "/actuator/prometheus")) {
            assertThat(http.get(null, open).getStatusCode().value())
                    .as("GET %s without credentials", open)
                    .isEqualTo(200);
        }
        assertThat(http.get(null, "/actuator/health").getBody())
                .as("health without credentials: the status alone")
                .doesNotContain("components");
        assertThat(http.get(ops, "/actuator/health").getBody())
                .as("health for OPS: with its components")
                .contains("components");

        ResponseEntity<String> discovery = http.get(ops, "/actuator");
        assertThat(discovery.getStatusCode().value()).isEqualTo(200);
        assertThat(links(discovery.getBody()))
                .as("the endpoints /actuator lists")
                .containsExactlyInAnyOrder("self", "health", "health-path", "prometheus");

        for (String hidden : List.of("/actuator/info", "/actuator/metrics", "/actuator/env", "/actuator/beans")) {
            assertThat(http.get(null, hidden).getStatusCode().value())
                    .as("GET %s without credentials", hidden)
                    .isEqualTo(401);
            assertThat(http.get(ops, hidden).getStatusCode().value())
                    .as("GET %s as OPS", hidden)
                    .isEqualTo(404);
            assertThat(http.get(dispatcher, hidden).getStatusCode().value())
                    .as("GET %s as DISPATCHER", hidden)
                    .isEqualTo(403);
        }
    }

    private static List<String> links(String body) {
        List<String> names = new ArrayList<>();
        Matcher m = LINK.matcher(body);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
