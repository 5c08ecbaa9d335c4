package io.fleetsaga.common.apidocs;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import jakarta.annotation.Nullable;
import java.lang.annotation.Annotation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

class ApiDocsTests {

    @Test
    void everyOperationAnswersTheSharedProblemsAndThoseOfItsInput() {
        Operation read = operation()
                .addParametersItem(
                        new Parameter().in("path").name("orderId").schema(new Schema<>().types(Set.of("string"))));
        Operation change = operation().requestBody(new RequestBody());
        OpenAPI api = new OpenAPI()
                .paths(new Paths()
                        .addPathItem("/api/orders/{orderId}", new PathItem().get(read))
                        .addPathItem("/api/orders", new PathItem().post(change)));

        new ProblemOpenApi().customise(api);
        new ProblemOpenApi().customise(api); // springdoc may apply a customizer twice

        assertThat(read.getResponses())
                .containsOnlyKeys("200", "401", "403", "429", "503", "default")
                .extractingByKey("503")
                .extracting(ApiResponse::get$ref)
                .isEqualTo("#/components/responses/ServiceUnavailable");
        assertThat(change.getResponses()).containsKeys("400", "401", "403", "415", "429", "503", "default");
        assertThat(read.getResponses().get("200").getContent()).containsOnlyKeys("application/json");
        assertThat(api.getComponents().getResponses().get("TooManyRequests").getHeaders())
                .containsKey("Retry-After");
        Schema<?> problem = api.getComponents().getSchemas().get("Problem");
        assertThat(problem.getRequired()).containsExactlyInAnyOrder("type", "title", "status");
        assertThat(problem.getProperties().get("instance").getTypes()).containsExactlyInAnyOrder("string", "null");
        assertThat(problem.getProperties().get("instance").getFormat()).isEqualTo("uri-reference");
        assertThat(problem.getProperties().get("type").getPattern()).isEqualTo(ProblemOpenApi.TYPE_PATTERN);
    }

    @Test
    @SuppressWarnings("rawtypes")
    void aNullablePropertyMayBeNullAndEveryOtherIsRequired() {
        Schema<?> order = new Schema<>().types(Set.of("object"));
        Schema<?> statusReason = new Schema<>().types(Set.of("string"));
        Schema<?> from = new Schema<String>().types(Set.of("string"))._enum(List.of("CREATED", "ASSIGNED"));
        Schema<?> assignment = new Schema<>().$ref("#/components/schemas/Assignment");
        Map<String, Schema> properties = new LinkedHashMap<>();
        properties.put("orderId", new Schema<>().types(Set.of("string")));
        properties.put("statusReason", statusReason);
        properties.put("from", from);
        properties.put("assignment", assignment);
        order.properties(properties);
        NullableProperties nullable = new NullableProperties();

        nullable.customize(order.getProperties().get("orderId"), property(order, "orderId"));
        nullable.customize(statusReason, property(order, "statusReason", nullableAnnotation()));
        nullable.customize(from, property(order, "from", nullableAnnotation()));
        nullable.customize(assignment, property(order, "assignment", nullableAnnotation()));
        OpenAPI api = new OpenAPI().components(new Components().addSchemas("Order", order));
        nullable.customise(api);

        assertThat(order.getRequired()).containsExactly("orderId");
        assertThat(order.getExtensions()).isNull();
        assertThat(order.getProperties().get("statusReason").getTypes()).containsExactly("string", "null");
        assertThat(order.getProperties().get("from").getEnum()).containsExactly("CREATED", "ASSIGNED", null);
        List<Schema> anyOf = order.getProperties().get("assignment").getAnyOf();
        assertThat(anyOf).hasSize(2);
        assertThat(anyOf.get(0).get$ref()).isEqualTo("#/components/schemas/Assignment");
        assertThat(anyOf.get(1).getTypes()).containsExactly("null");
    }

    @Test
    void isAutoConfiguredForAWebApplicationWithSpringdoc() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ApiDocsAutoConfiguration.class))
                .run(context -> assertThat(context)
                        .hasSingleBean(ProblemOpenApi.class)
                        .hasSingleBean(NullableProperties.class)
                        .hasSingleBean(OutboxOpsOpenApi.class));
    }

    private static Operation operation() {
        return new Operation()
                .responses(new ApiResponses()
                        .addApiResponse(
                                "200", new ApiResponse().content(new Content().addMediaType("*/*", new MediaType()))));
    }

    private static AnnotatedType property(Schema<?> owner, String name, Annotation... annotations) {
        return new AnnotatedType()
                .parent(owner)
                .propertyName(name)
                .ctxAnnotations(annotations)
                .schemaProperty(true);
    }

    private static Annotation nullableAnnotation() {
        try {
            return Holder.class.getDeclaredField("value").getAnnotation(Nullable.class);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Holder {
        @Nullable
        String value;
    }
}
