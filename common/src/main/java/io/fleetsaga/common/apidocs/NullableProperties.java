package io.fleetsaga.common.apidocs;

import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.PropertyCustomizer;

/**
 * Nullability and presence of the properties of the documented bodies, driven by one annotation: a property
 * (record component, field or getter) annotated {@code @Nullable} — a declaration annotation of that simple name,
 * e.g. {@code jakarta.annotation.Nullable} — may be {@code null} and is documented so, {@code type: [X, "null"]} (a
 * {@code $ref} becomes {@code anyOf: [{$ref}, {type: null}]}, an enum also lists {@code null}); every other property
 * is {@code required}: the services write {@code null}s (Jackson's default), so a response always has every
 * property, and a request must send the ones that are not {@code @Nullable}. A property of a type annotated
 * {@code @JsonInclude(NON_NULL)} is left out instead of {@code null}: {@code @Nullable} there means "may be absent".
 *
 * <p>Two steps, because springdoc resolves each property on its own: {@link #customize} notes, on the schema that
 * owns the property, which properties are nullable and which are required; {@link #customise} rewrites the noted
 * properties of the finished document. JSpecify's {@code @Nullable} is a type-use annotation, invisible to springdoc's
 * property resolution, so it does not count.
 */
public class NullableProperties implements PropertyCustomizer, OpenApiCustomizer {

    /** Where {@link #customize} notes the nullable properties of a schema; removed by {@link #customise}. */
    static final String NULLABLE = "x-fleetsaga-nullable";

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Schema customize(Schema property, AnnotatedType type) {
        Schema<?> owner = type.getParent();
        String name = type.getPropertyName();
        if (owner == null || name == null) {
            return property;
        }
        if (isNullable(type.getCtxAnnotations())) {
            Map<String, Object> extensions = owner.getExtensions();
            Object noted = extensions == null ? null : extensions.get(NULLABLE);
            Set<String> nullable = noted == null ? new LinkedHashSet<>() : new LinkedHashSet<>((List<String>) noted);
            nullable.add(name);
            owner.addExtension(NULLABLE, new ArrayList<>(nullable));
        } else if (owner.getRequired() == null || !owner.getRequired().contains(name)) {
            owner.addRequiredItem(name);
        }
        return property;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public void customise(OpenAPI openApi) {
        if (openApi.getComponents() == null || openApi.getComponents().getSchemas() == null) {
            return;
        }
        for (Schema<?> schema : openApi.getComponents().getSchemas().values()) {
            Map<String, Object> extensions = schema.getExtensions();
            if (extensions == null || !extensions.containsKey(NULLABLE)) {
                continue;
            }
            List<String> nullable = (List<String>) extensions.remove(NULLABLE);
            if (extensions.isEmpty()) {
                schema.setExtensions(null);
            }
            Map<String, Schema> properties = schema.getProperties();
            for (String name : nullable) {
                if (properties != null && properties.containsKey(name)) {
                    properties.put(name, nullable(properties.get(name)));
                }
                if (schema.getRequired() != null) {
                    schema.getRequired().remove(name);
                }
            }
            if (schema.getRequired() != null && schema.getRequired().isEmpty()) {
                schema.setRequired(null);
            }
        }
    }

    /** {@code schema} or {@code null}. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static Schema nullable(Schema schema) {
        if (schema.get$ref() != null) {
            Schema reference = new Schema<>().$ref(schema.get$ref());
            return new Schema<>()
                    .anyOf(List.of(reference, new Schema<>().types(Set.of("null"))))
                    .description(schema.getDescription());
        }
        if (schema.getAnyOf() != null) {
            return schema; // already {$ref} or null
        }
        Set<String> types = new LinkedHashSet<>();
        if (schema.getTypes() != null) {
            types.addAll(schema.getTypes());
        } else if (schema.getType() != null) {
            types.add(schema.getType());
        }
        types.add("null");
        schema.setTypes(types);
        if (schema.getEnum() != null && schema.getEnum().stream().noneMatch(Objects::isNull)) {
            List<Object> values = new ArrayList<>(schema.getEnum());
            values.add(null);
            schema.setEnum(values);
        }
        return schema;
    }

    private static boolean isNullable(Annotation[] annotations) {
        return annotations != null
                && Arrays.stream(annotations)
                        .anyMatch(annotation ->
                                annotation.annotationType().getSimpleName().equals("Nullable"));
    }
}
