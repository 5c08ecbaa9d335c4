package io.fleetsaga.assignment.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.assignment.support.LinkRows;
import io.fleetsaga.assignment.support.LinkRows.Link;
import io.fleetsaga.assignment.support.RealInfrastructureTest;
import io.fleetsaga.assignment.support.ReferenceDigests;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /internal/reconciliation/facts} pages through all links, or the links of some buckets, in key order
 * without losing or repeating one; {@code /facts/by-order} looks links up by order id; bad input is a 400.
 */
class ReconciliationFactsIT extends RealInfrastructureTest {

    static final int LINKS = 2500;
    static final int BUCKETS = 64;

    final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void pagingThroughAllBucketsReturnsEveryLinkOnceInKeyOrder() {
        Map<String, Link> mine = links(LINKS);

        List<JsonNode> facts = pageThrough(List.of(), 1000);

        assertAscendingAndUnique(facts);
        assertContainsExactlyOnce(facts, mine.values());
        assertThat(facts.size()).isGreaterThanOrEqualTo(LINKS);
    }

    @Test
    void pagingThroughSomeBucketsReturnsExactlyTheirLinksOnceInKeyOrder() {
        Map<String, Link> mine = links(LINKS);
        List<Integer> chosen =
                IntStream.range(0, BUCKETS).filter(b -> b % 2 == 1).boxed().toList();

        List<JsonNode> facts = pageThrough(chosen, 1000);

        assertAscendingAndUnique(facts);
        assertThat(facts)
                .as("every fact is in a chosen bucket (CRC32 in Java agrees with the database)")
                .allSatisfy(f -> assertThat(chosen)
                        .contains(ReferenceDigests.bucket(f.path("orderId").asText(), BUCKETS)));
        List<Link> expected = mine.values().stream()
                .filter(l -> chosen.contains(ReferenceDigests.bucket(l.orderId(), BUCKETS)))
                .toList();
        assertThat(expected.size()).isBetween(LINKS / 3, LINKS * 2 / 3);
        assertContainsExactlyOnce(facts, expected);
    }

    @Test
    void aPageThatIsNotFullHasNoNext() {
        Map<String, Link> mine = links(3);
        String first = Collections.min(mine.keySet());
        JsonNode page = facts("{\"bucketCount\":1,\"after\":\"" + before(first) + "\",\"limit\":2}");
        assertThat(page.path("facts").size()).isEqualTo(2);
        assertThat(page.path("next").asText())
                .isEqualTo(page.path("facts").get(1).path("orderId").asText());

        JsonNode last = facts("{\"bucketCount\":1,\"after\":\"" + "\uFFFF" + "\",\"limit\":2}");
        assertThat(last.path("facts")).isEmpty();
        assertThat(last.path("next").isNull()).isTrue();
    }

    @Test
    void factsByOrderAreTheLinksOfTheOrdersThatHaveOne() {
        Map<String, Link> mine = links(5);
        List<String> asked = new ArrayList<>(mine.keySet());
        asked.add("o-unknown-" + run);
        Collections.reverse(asked);

        ResponseEntity<String> response = httpAs(
                "service",
                HttpMethod.POST,
                "/internal/reconciliation/facts/by-order",
                "{\"orderIds\":" + jsonArray(asked) + "}");

        assertThat(response.getStatusCode().value()).isEqualTo(200);
        JsonNode facts = json(response.getBody()).path("facts");
        assertThat(facts.size()).isEqualTo(5);
        assertAscendingAndUnique(list(facts));
        assertContainsExactlyOnce(list(facts), mine.values());
    }

    @Test
    void badPagingInputIsRefusedNamingTheField() {
        assertRefused("/internal/reconciliation/facts", "{\"buckets\":[1]}", "bucketCount");
        assertRefused("/internal/reconciliation/facts", "{\"bucketCount\":6}", "bucketCount");
        assertRefused("/internal/reconciliation/facts", "{\"bucketCount\":64,\"limit\":0}", "limit");
        assertRefused("/internal/reconciliation/facts", "{\"bucketCount\":64,\"limit\":5001}", "limit");
        assertRefused("/internal/reconciliation/facts", "{\"bucketCount\":64,\"buckets\":[64]}", "buckets");
        assertRefused("/internal/reconciliation/facts", "{\"bucketCount\":64,\"buckets\":[null]}", "buckets");
        String tooMany = IntStream.range(0, 65_537).mapToObj(i -> "0").collect(Collectors.joining(",", "[", "]"));
        assertRefused("/internal/reconciliation/facts", "{\"bucketCount\":1,\"buckets\":" + tooMany + "}", "buckets");
        assertRefused("/internal/reconciliation/facts", "{\"bucketCount\":\"x\"}", "bucketCount");

        List<String> ids = IntStream.range(0, 1001).mapToObj(i -> "o-" + i).toList();
        assertRefused("/internal/reconciliation/facts/by-order", "{\"orderIds\":" + jsonArray(ids) + "}", "orderIds");
        assertRefused("/internal/reconciliation/facts/by-order", "{}", "orderIds");

        assertThat(httpAs(
                                "service",
                                HttpMethod.POST,
                                "/internal/reconciliation/facts",
                                "{\"bucketCount\":1,\"limit\":5000}")
                        .getStatusCode()
                        .value())
                .isEqualTo(200);
    }

    private void assertRefused(String path, String body, String field) {
        ResponseEntity<String> refused = httpAs("service", HttpMethod.POST, path, body);
        assertThat(refused.getStatusCode().value()).as(body).isEqualTo(400);
        assertThat(refused.getHeaders().getContentType()).hasToString("application/problem+json");
        JsonNode problem = json(refused.getBody());
        assertThat(problem.path("detail").asText()).as(body).contains(field);
        assertThat(problem.path("errors").findValuesAsString("field")).as(body).containsExactly(field);
    }

    /** Pages through {@code buckets} (all when empty) and checks every page's {@code next}. */
    private List<JsonNode> pageThrough(List<Integer> buckets, int limit) {
        List<JsonNode> all = new ArrayList<>();
        String after = null;
        int pages = 0;
        while (true) {
            JsonNode page = facts("{\"bucketCount\":" + BUCKETS + ",\"buckets\":" + buckets + ",\"after\":"
                    + (after == null ? "null" : "\"" + after + "\"") + ",\"limit\":" + limit + "}");
            pages++;
            List<JsonNode> facts = list(page.path("facts"));
            assertThat(facts.size()).isLessThanOrEqualTo(limit);
            all.addAll(facts);
            if (facts.size() < limit) {
                assertThat(page.path("next").isNull())
                        .as("next of a page that is not full")
                        .isTrue();
                break;
            }
            assertThat(page.path("next").asText())
                    .as("next of a full page")
                    .isEqualTo(facts.get(facts.size() - 1).path("orderId").asText());
            after = page.path("next").asText();
        }
        assertThat(pages).isGreaterThan(1);
        return all;
    }

    private JsonNode facts(String body) {
        ResponseEntity<String> response = httpAs("service", HttpMethod.POST, "/internal/reconciliation/facts", body);
        assertThat(response.getStatusCode().value()).as(response.getBody()).isEqualTo(200);
        JsonNode page = json(response.getBody());
        assertThat(page.propertyNames()).containsExactlyInAnyOrder("facts", "next");
        return page;
    }

    private static void assertAscendingAndUnique(List<JsonNode> facts) {
        List<String> ids = facts.stream().map(f -> f.path("orderId").asText()).toList();
        for (int i = 1; i < ids.size(); i++) {
            // the ids here are ASCII, where code point order (utf8mb4_bin) and String order agree
            assertThat(ids.get(i)).as("fact %d", i).isGreaterThan(ids.get(i - 1));
        }
    }

    private void assertContainsExactlyOnce(List<JsonNode> facts, java.util.Collection<Link> links) {
        Map<String, Integer> seen = new HashMap<>();
        Map<String, JsonNode> byId = new HashMap<>();
        for (JsonNode fact : facts) {
            seen.merge(fact.path("orderId").asText(), 1, Integer::sum);
            byId.put(fact.path("orderId").asText(), fact);
        }
        for (Link link : links) {
            assertThat(seen.get(link.orderId()))
                    .as("times %s was returned", link.orderId())
                    .isEqualTo(1);
            JsonNode fact = byId.get(link.orderId());
            assertThat(List.of(
                            fact.path("taskId").asText(),
                            fact.path("status").asText(),
                            fact.path("version").asLong()))
                    .isEqualTo(List.of(link.taskId(), link.status(), link.version()));
        }
        Set<String> mine = links.stream().map(Link::orderId).collect(Collectors.toSet());
        assertThat(seen.keySet().stream().filter(id -> id.startsWith("o-fc-" + run)))
                .as("none of this test's links outside the expected ones")
                .allMatch(mine::contains);
    }

    /** {@code n} links on five new tasks, written straight into the tables. */
    private Map<String, Link> links(int n) {
        List<String> tasks =
                IntStream.range(0, 5).mapToObj(i -> createTask(1000)).toList();
        List<String> statuses = List.of("ASSIGNED", "DELIVERING", "DELIVERED", "ON_HOLD");
        Map<String, Link> links = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String orderId = "o-fc-" + run + "-" + UUID.randomUUID();
            links.put(orderId, new Link(orderId, tasks.get(i % 5), statuses.get(i % 4), 2 + i % 7));
        }
        LinkRows.insert(jdbc, List.copyOf(links.values()));
        return links;
    }

    private static String before(String id) {
        return id.substring(0, id.length() - 1);
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    private static String jsonArray(List<String> values) {
        return values.stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(",", "[", "]"));
    }
}
