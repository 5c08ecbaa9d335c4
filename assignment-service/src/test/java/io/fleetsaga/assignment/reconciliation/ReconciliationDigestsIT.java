package io.fleetsaga.assignment.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.assignment.support.LinkRows;
import io.fleetsaga.assignment.support.LinkRows.Link;
import io.fleetsaga.assignment.support.RealInfrastructureTest;
import io.fleetsaga.assignment.support.ReferenceDigests;
import io.fleetsaga.common.reconciliation.BucketDigests;
import io.fleetsaga.common.reconciliation.FactDigestSql;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /internal/reconciliation/digests} digests every link with the formula we think it does (recomputed
 * here in Java), equals what order-service computes over the same facts in its own table shape, and moves in
 * exactly one bucket when one link changes.
 */
class ReconciliationDigestsIT extends RealInfrastructureTest {

    static final List<String> STATUSES =
            List.of("ASSIGNMENT_PENDING", "ASSIGNED", "DELIVERING", "DELIVERED", "ON_HOLD");

    final String run = UUID.randomUUID().toString().substring(0, 8);

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 1024})
    void theDigestsAreTheFormulaComputedInJavaOverEveryLink(int bucketCount) {
        links(40);

        // other tests' links are in the table too; compare at a moment nothing is being consumed
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(digests(bucketCount))
                        .isEqualTo(ReferenceDigests.digests(LinkRows.allFacts(jdbc), bucketCount)));
    }

    @Test
    void theSameFactsInOrderServicesTableShapeGiveTheSameDigests() {
        links(30);
        String twin = "fleet_order_twin_" + run;
        // order-service's fleet_order (its V1 migration), with the columns in its order
        jdbc.execute("CREATE TABLE " + twin + " (id VARCHAR(64) NOT NULL, status VARCHAR(32) NOT NULL,"
                + " task_id VARCHAR(64) NULL, version BIGINT NOT NULL, PRIMARY KEY (id))"
                + " ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin");
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                jdbc.update("DELETE FROM " + twin);
                jdbc.update("INSERT INTO " + twin + " (id, status, task_id, version)"
                        + " SELECT order_id, order_status, task_id, order_version FROM task_order_link");
                // orders on no task are not facts of reconciliation: order-service leaves them out
                for (int i = 0; i < 10; i++) {
                    jdbc.update(
                            "INSERT INTO " + twin + " (id, status, task_id, version) VALUES (?, 'CREATED', NULL, 1)",
                            "o-unlinked-" + run + "-" + i);
                }
                for (int bucketCount : new int[] {1, 64, 4096}) {
                    // what order-service computes: the kit's digest over the same facts in fleet_order's shape
                    BucketDigests orderSide = FactDigestSql.digest(
                            jdbc,
                            twin,
                            "id",
                            List.of("task_id", "status", "version"),
                            "task_id IS NOT NULL",
                            bucketCount);
                    assertThat(digests(bucketCount))
                            .as("%d buckets", bucketCount)
                            .isEqualTo(orderSide);
                }
            });
        } finally {
            jdbc.execute("DROP TABLE " + twin);
        }
    }

    @Test
    void changingOneLinksStatusChangesExactlyOneBucketsDigest() {
        List<Link> links = links(20);
        String changed = links.get(7).orderId();
        int bucketCount = 256;
        jdbc.update("UPDATE task_order_link SET order_status = 'ASSIGNED' WHERE order_id = ?", changed);

        BucketDigests before = digests(bucketCount);
        // same weights (ASSIGNED and DELIVERING both count once): the task's counters stay right
        jdbc.update("UPDATE task_order_link SET order_status = 'DELIVERING' WHERE order_id = ?", changed);
        BucketDigests after = digests(bucketCount);

        assertThat(before.differingBuckets(after)).containsExactly(ReferenceDigests.bucket(changed, bucketCount));
        assertThat(after.total()).isEqualTo(before.total());
        assertThat(after.counts()).isEqualTo(before.counts());
    }

    @Test
    void aBucketCountThatIsNoPowerOfTwoOrOutOfRangeIsRefused() {
        for (String bucketCount : List.of("0", "3", "-2", "1000", "2097152", "many")) {
            ResponseEntity<String> refused = httpAs(
                    "service", HttpMethod.GET, "/internal/reconciliation/digests?bucketCount=" + bucketCount, null);
            assertThat(refused.getStatusCode().value()).as(bucketCount).isEqualTo(400);
            assertThat(refused.getHeaders().getContentType()).hasToString("application/problem+json");
        }
        JsonNode problem =
                json(httpAs("service", HttpMethod.GET, "/internal/reconciliation/digests?bucketCount=3", null)
                        .getBody());
        assertThat(problem.path("detail").asText()).contains("bucketCount", "power of two", "1048576");
        assertThat(httpAs("service", HttpMethod.GET, "/internal/reconciliation/digests", null)
                        .getStatusCode()
                        .value())
                .isEqualTo(400);
        assertThat(httpAs("service", HttpMethod.GET, "/internal/reconciliation/digests?bucketCount=1048576", null)
                        .getStatusCode()
                        .value())
                .isEqualTo(200);
    }

    /** {@code n} links of mixed statuses on a new task, written straight into the tables. */
    private List<Link> links(int n) {
        String taskId = createTask(1000);
        List<Link> links = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            links.add(new Link("o-dg-" + run + "-" + i, taskId, STATUSES.get(i % STATUSES.size()), 2 + i % 5));
        }
        LinkRows.insert(jdbc, links);
        return links;
    }

    private BucketDigests digests(int bucketCount) {
        ResponseEntity<String> response =
                httpAs("service", HttpMethod.GET, "/internal/reconciliation/digests?bucketCount=" + bucketCount, null);
        assertThat(response.getStatusCode().value()).as(response.getBody()).isEqualTo(200);
        JsonNode body = json(response.getBody());
        assertThat(body.propertyNames())
                .containsExactlyInAnyOrder("bucketCount", "total", "buckets", "counts", "digests");
        return new BucketDigests(
                body.path("bucketCount").asInt(),
                body.path("total").asLong(),
                stream(body.path("buckets")).mapToInt(JsonNode::asInt).toArray(),
                stream(body.path("counts")).mapToLong(JsonNode::asLong).toArray(),
                stream(body.path("digests")).mapToLong(JsonNode::asLong).toArray());
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }
}
