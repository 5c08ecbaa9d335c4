package io.fleetsaga.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The checks of OpenApiIT can fail: a missing operation, a missing summary, a changed document. */
class OpenApiContractTests {

    private static final JsonNode SPEC = json("""
            {"paths": {
              "/api/orders": {"post": {"summary": "Create an order", "responses": {"401": {}, "403": {}}}},
              "/api/orders/{orderId}": {
                "parameters": [],
                "get": {"summary": " ", "responses": {"401": {}}}
              }
            }}""");

    @Test
    void findsAMappedOperationTheDocumentLacks() {
        Set<String> mapped = Set.of("POST /api/orders", "GET /api/orders/{orderId}", "DELETE /api/orders/{orderId}");

        assertThat(OpenApiContract.undocumented(mapped, SPEC)).containsExactly("DELETE /api/orders/{orderId}");
        assertThat(OpenApiContract.documentedOperations(SPEC))
                .containsExactly("GET /api/orders/{orderId}", "POST /api/orders");
    }

    @Test
    void findsOperationsWithoutSummaryOrWithoutAResponse() {
        assertThat(OpenApiContract.withoutSummary(SPEC)).containsExactly("GET /api/orders/{orderId}");
        assertThat(OpenApiContract.withoutResponses(SPEC, "401", "403"))
                .containsExactly("GET /api/orders/{orderId} (403)");
    }

    @Test
    void theCanonicalTextSortsKeysAtEveryLevelAndKeepsArrayOrder() {
        String canonical =
                OpenApiContract.canonical("{\"b\":[2,1,{\"z\":1,\"a\":null}],\"a\":{\"d\":\"x\",\"c\":true}}");

        assertThat(canonical).isEqualTo("""
                        {
                          "a": {
                            "c": true,
                            "d": "x"
                          },
                          "b": [
                            2,
                            1,
                            {
                              "a": null,
                              "z": 1
                            }
                          ]
                        }
                        """);
        assertThat(OpenApiContract.canonical(canonical)).isEqualTo(canonical);
    }

    @Test
    void showsWhereTwoDocumentsDiffer() {
        String difference =
                OpenApiContract.difference("{\n  \"a\": 1,\n  \"b\": 2\n}\n", "{\n  \"a\": 1,\n  \"b\": 3\n}\n");

        assertThat(difference).contains("line 3").contains("\"b\": 2").contains("\"b\": 3");
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
