package io.fleetsaga.order.reconciliation.web;

import io.fleetsaga.common.lease.Lease;
import io.fleetsaga.common.lease.LeaseLostException;
import io.fleetsaga.common.reconciliation.BucketDigests;
import io.fleetsaga.order.reconciliation.AssignmentFacts;
import io.fleetsaga.order.reconciliation.FactPage;
import io.fleetsaga.order.reconciliation.LogPartition;
import io.fleetsaga.order.reconciliation.LogPositions;
import io.fleetsaga.order.reconciliation.OrderFact;
import io.fleetsaga.order.reconciliation.ReconciliationSettings;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * {@link AssignmentFacts} over assignment-service's internal reconciliation API ({@code /internal/reconciliation/**},
 * role SERVICE), as {@code fleetsaga.reconciliation.assignment-service.username}.
 */
@Component
class AssignmentServiceClient implements AssignmentFacts {

    private record Facts(List<OrderFact> facts) {}

    private record Mismatches(List<CounterMismatch> mismatches) {}

    private record RecomputeResults(List<Recomputed> results) {}

    private record Position(String topic, int partition, long offset) {}

    private record Positions(String group, List<Position> positions) {}

    private final RestClient http;

    AssignmentServiceClient(ReconciliationSettings settings, RestClient.Builder builder) {
        ReconciliationSettings.AssignmentService target = settings.assignmentService();
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                .connectTimeout(target.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build());
        requests.setReadTimeout(target.readTimeout());
        RestClient.Builder client = builder.clone()
                .baseUrl(target.url().toString())
                .requestFactory(requests)
                .defaultHeader(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON_VALUE);
        if (target.password() != null) {
            String credentials = target.username() + ":" + target.password();
            client.defaultHeader(
                    HttpHeaders.AUTHORIZATION,
                    "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        this.http = client.build();
    }

    @Override
    public BucketDigests digests(int bucketCount) {
        return call(
                "digests",
                () -> http.get()
                        .uri("/internal/reconciliation/digests?bucketCount={n}", bucketCount)
                        .retrieve()
                        .body(BucketDigests.class));
    }

    @Override
    public FactPage page(int bucketCount, int[] buckets, String after, int limit) {
        Map<String, Object> request = new java.util.HashMap<>();
        request.put("bucketCount", bucketCount);
        request.put("buckets", buckets);
        request.put("after", after);
        request.put("limit", limit);
        return call("facts", () -> post("/internal/reconciliation/facts", request, FactPage.class));
    }

    @Override
    public List<OrderFact> byOrderIds(Collection<String> orderIds) {
        if (orderIds.isEmpty()) {
            return List.of();
        }
        return call(
                        "facts by order",
                        () -> post(
                                "/internal/reconciliation/facts/by-order",
                                Map.of("orderIds", List.copyOf(orderIds)),
                                Facts.class))
                .facts();
    }

    @Override
    public List<CounterMismatch> counterCheck(Collection<String> taskIds) {
        Map<String, Object> request = new java.util.HashMap<>();
        request.put("taskIds", taskIds == null ? null : List.copyOf(taskIds));
        return call("counter check", () -> post("/internal/reconciliation/counter-check", request, Mismatches.class))
                .mismatches();
    }

    /** A 409 is assignment-service's fence: it has seen a newer fencing token of the lease. */
    @Override
    public List<Recomputed> recompute(Collection<String> taskIds, Lease lease) {
        Map<String, Object> request =
                Map.of("taskIds", List.copyOf(taskIds), "lease", lease.name(), "fencingToken", lease.fencingToken());
        try {
            return call(
                            "counter recompute",
                            () -> post("/internal/reconciliation/counter-recompute", request, RecomputeResults.class))
                    .results();
        } catch (AssignmentServiceException e) {
            if (e.getCause() instanceof HttpClientErrorException.Conflict refused) {
                throw new LeaseLostException(
                        lease, "assignment-service refused its fencing token: " + refused.getResponseBodyAsString());
            }
            throw e;
        }
    }

    @Override
    public LogPositions applied() {
        Positions positions = call(
                "consumer positions",
                () -> http.get()
                        .uri("/internal/reconciliation/consumer-positions")
                        .retrieve()
                        .body(Positions.class));
        Map<LogPartition, Long> offsets = new java.util.HashMap<>();
        positions.positions().forEach(p -> offsets.put(new LogPartition(p.topic(), p.partition()), p.offset()));
        return new LogPositions(offsets);
    }

    private <T> T post(String path, Object body, Class<T> type) {
        return http.post()
                .uri(path)
                .contentType(MediaType.APPLICATION_JSON)
                .body(body)
                .retrieve()
                .body(type);
    }

    private static <T> T call(String what, java.util.function.Supplier<T> request) {
        T result;
        try {
            result = request.get();
        } catch (RestClientException e) {
            throw new AssignmentServiceException("assignment-service " + what + " failed: " + e.getMessage(), e);
        }
        if (result == null) {
            throw new AssignmentServiceException("assignment-service " + what + " returned no body", null);
        }
        return result;
    }
}
