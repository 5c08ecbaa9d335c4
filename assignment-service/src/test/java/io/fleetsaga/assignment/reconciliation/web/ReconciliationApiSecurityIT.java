package io.fleetsaga.assignment.reconciliation.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.assignment.support.RealInfrastructureTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** The reconciliation API is for the other service only: 401 without credentials, 403 for people, 200 for it. */
class ReconciliationApiSecurityIT extends RealInfrastructureTest {

    record Call(HttpMethod method, String path, String body) {}

    static final List<Call> CALLS = List.of(
            new Call(HttpMethod.GET, "/internal/reconciliation/digests?bucketCount=16", null),
            new Call(HttpMethod.POST, "/internal/reconciliation/facts", "{\"bucketCount\":16,\"limit\":10}"),
            new Call(HttpMethod.POST, "/internal/reconciliation/facts/by-order", "{\"orderIds\":[\"o-1\"]}"),
            new Call(HttpMethod.POST, "/internal/reconciliation/counter-check", "{\"taskIds\":[\"t-1\"]}"),
            new Call(
                    HttpMethod.POST,
                    "/internal/reconciliation/counter-recompute",
                    "{\"taskIds\":[\"t-none\"],\"lease\":\"reconciliation-security-it\",\"fencingToken\":1}"),
            new Call(HttpMethod.GET, "/internal/reconciliation/consumer-positions", null));

    @Test
    void onlyTheServiceIdentityMayCallIt() {
        for (Call call : CALLS) {
            ResponseEntity<String> anonymous = httpAs(null, call.method(), call.path(), call.body());
            assertThat(anonymous.getStatusCode().value())
                    .as("anonymous %s", call)
                    .isEqualTo(401);
            assertThat(anonymous.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

            for (String person : List.of("dispatcher", "ops")) {
                ResponseEntity<String> refused = httpAs(person, call.method(), call.path(), call.body());
                assertThat(refused.getStatusCode().value())
                        .as("%s %s", person, call)
                        .isEqualTo(403);
                assertThat(refused.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            }

            ResponseEntity<String> service = httpAs("service", call.method(), call.path(), call.body());
            assertThat(service.getStatusCode().value()).as("service %s", call).isEqualTo(200);
            assertThat(service.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
        }
    }

    /**
     * order-service's reconciliation client sends the same Basic header on every call: after the first, its calls are
     * answered from the credential cache — at most one bcrypt check for a whole run of pages.
     */
    @Test
    void theServiceIdentityIsCheckedOnceAndThenAnsweredFromTheCache() {
        httpAs("service", HttpMethod.GET, "/internal/reconciliation/consumer-positions", null);
        double checksBefore = logins("verified") + logins("refused");
        double cachedBefore = logins("cached");

        for (int page = 0; page < 20; page++) {
            Call call = CALLS.get(page % 2);
            assertThat(httpAs("service", call.method(), call.path(), call.body())
                            .getStatusCode()
                            .value())
                    .isEqualTo(200);
        }

        assertThat(logins("verified") + logins("refused") - checksBefore)
                .as("password checks during 20 calls")
                .isZero();
        assertThat(logins("cached") - cachedBefore).isGreaterThanOrEqualTo(20);
    }

    /** {@code api_basic_logins_total{result}} of this instance, read from /actuator/prometheus. */
    private double logins(String result) {
        String scrape =
                httpAs(null, HttpMethod.GET, "/actuator/prometheus", null).getBody();
        return scrape.lines()
                .filter(line ->
                        line.startsWith("api_basic_logins_total{") && line.contains("result=\"" + result + "\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
