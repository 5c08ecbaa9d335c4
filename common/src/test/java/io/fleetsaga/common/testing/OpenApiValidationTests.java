package io.fleetsaga.common.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenApiValidationTests {

    static final Map<String, List<String>> JSON = Map.of("Content-Type", List.of("application/json"));
    static final Map<String, List<String>> PROBLEM =
            Map.of("content-type", List.of("application/problem+json;charset=UTF-8"));

    /** An OpenAPI 3.1 document in the shape springdoc writes: one operation, a nullable field, a shared problem. */
    static final String DOCUMENT = """
            {"openapi": "3.1.0",
             "paths": {
              "/api/orders/{orderId}": {"get": {"responses": {
                "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}},
                "404": {"$ref": "#/components/responses/NotFound"},
                "429": {"$ref": "#/components/responses/TooManyRequests"}}}},
              "/api/orders/latest": {"get": {"responses": {"204": {"description": "none"}}}}},
             "components": {
              "schemas": {
               "Order": {"type": "object", "required": ["orderId", "version", "statusReason"],
                "properties": {"orderId": {"type": "string"}, "version": {"type": "integer", "format": "int64"},
                 "statusReason": {"type": ["string", "null"]},
                 "createdAt": {"type": "string", "format": "date-time"}}},
               "Problem": {"type": "object", "required": ["type", "status"],
                "properties": {"type": {"type": "string", "format": "uri-reference"},
                 "status": {"type": "integer"}, "instance": {"type": ["string", "null"], "format": "uri-reference"}}}},
              "responses": {
               "NotFound": {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
               "TooManyRequests": {"headers": {"Retry-After": {"required": true, "schema": {"type": "integer"}}},
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}}
            """;

    final OpenApiValidation contract = OpenApiValidation.of("test.json", DOCUMENT, path -> path.startsWith("/api/"));

    @Test
    void acceptsAResponseAsDocumentedWithItsNulls() {
        assertThat(
                        contract.violations(
                                "GET",
                                "/api/orders/o-1?view=full",
                                200,
                                JSON,
                                "{\"orderId\":\"o-1\",\"version\":3,\"statusReason\":null,\"createdAt\":\"2026-01-01T10:00:00Z\"}"))
                .isEmpty();
        assertThat(contract.violations(
                        "GET",
                        "/api/orders/o-1",
                        404,
                        PROBLEM,
                        "{\"type\":\"urn:fleet-saga:problem:order-not-found\",\"status\":404,"
                                + "\"instance\":\"/api/orders/o-1\"}"))
                .as("a relative instance is a URI reference")
                .isEmpty();
    }

    @Test
    void reportsANullWhereTheDocumentSaysNonNull() {
        assertThat(contract.violations(
                        "GET", "/api/orders/o-1", 200, JSON, "{\"orderId\":null,\"version\":3,\"statusReason\":null}"))
                .singleElement()
                .asString()
                .contains("/orderId", "null found, string expected");
    }

    @Test
    void reportsAWrongTypeAMissingPropertyAndAWrongFormat() {
        assertThat(contract.violations(
                        "GET",
                        "/api/orders/o-1",
                        200,
                        JSON,
                        "{\"orderId\":\"o-1\",\"version\":\"3\",\"createdAt\":\"yesterday\"}"))
                .hasSize(3)
                .anySatisfy(violation -> assertThat(violation).contains("/version", "integer expected"))
                .anySatisfy(violation -> assertThat(violation).contains("statusReason"))
                .anySatisfy(violation -> assertThat(violation).contains("/createdAt", "date-time"));
    }

    @Test
    void reportsAnUndocumentedStatusContentTypeOrMissingHeader() {
        assertThat(contract.violations("GET", "/api/orders/o-1", 418, PROBLEM, "{}"))
                .singleElement()
                .asString()
                .contains("status 418 is not documented for GET /api/orders/{orderId}");
        assertThat(contract.violations(
                        "GET", "/api/orders/o-1", 404, Map.of("Content-Type", List.of("text/html")), "<html/>"))
                .singleElement()
                .asString()
                .contains("Content-Type 'text/html' is not documented");
        assertThat(contract.violations("GET", "/api/orders/o-1", 429, PROBLEM, "{\"type\":\"urn:x\",\"status\":429}"))
                .singleElement()
                .asString()
                .contains("header Retry-After is required");
    }

    @Test
    void prefersALiteralPathAndChecksThatABodylessResponseHasNoBody() {
        assertThat(contract.violations("GET", "/api/orders/latest", 204, Map.of(), ""))
                .isEmpty();
        assertThat(contract.violations("GET", "/api/orders/latest", 204, JSON, "{}"))
                .singleElement()
                .asString()
                .contains("has no documented body");
    }

    @Test
    void leavesCallsOutsideTheDocumentedApiAlone() {
        assertThat(contract.violations("GET", "/actuator/health", 200, JSON, "{}"))
                .isEmpty();
        assertThat(contract.violations("GET", "/api/unknown/path", 404, JSON, "<html/>"))
                .isEmpty();
        assertThat(contract.violations("DELETE", "/api/orders/o-1", 405, JSON, "x"))
                .isEmpty();
    }

    @Test
    void failsTheCallWithAReadableReport() {
        String mode = System.clearProperty(OpenApiValidation.MODE_PROPERTY); // e.g. "report" for a survey run
        try {
            assertThatThrownBy(() -> contract.check("GET", "/api/orders/o-1", 200, JSON, "{\"orderId\":1}"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("The response to GET /api/orders/o-1 (200) breaks docs/openapi/test.json")
                    .hasMessageContaining("/orderId: integer found, string expected")
                    .hasMessageContaining("body: {\"orderId\":1}");
        } finally {
            if (mode != null) {
                System.setProperty(OpenApiValidation.MODE_PROPERTY, mode);
            }
        }
    }
}
