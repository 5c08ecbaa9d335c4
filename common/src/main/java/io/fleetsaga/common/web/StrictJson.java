package io.fleetsaga.common.web;

import java.util.List;
import java.util.ListIterator;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * Request bodies are read strictly — one decision for both services (docs/api-errors.md, "Strict JSON"):
 *
 * <ul>
 *   <li>an enum only by its name ({@code "REPAIR"}), never by ordinal ({@code 1});
 *   <li>no coercion between scalars: a number is not a string ({@code 12345} for a text field), a string is not a
 *       number ({@code "5"}), a fraction is not an integer ({@code 2.5}), a boolean is neither;
 *   <li>exactly one JSON value: content after it ({@code {…} xyz}, a second object) is refused;
 *   <li>unknown fields are refused, naming the field and the known ones — a misspelt optional field would
 *       otherwise be dropped silently.
 * </ul>
 *
 * Each refusal is a {@code 400 invalid-request} that names the field ({@link ProblemAdvice}). Only the servers'
 * reading of requests is strict: responses are written as before, and the services' clients and event decoders
 * keep the application's lenient mapper (a newer peer may add fields).
 */
class StrictJson implements WebMvcConfigurer {

    /** Applied to the final list of converters, whoever configured them: the Jackson JSON one turns strict. */
    @Override
    public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
        builder.configureMessageConvertersList(StrictJson::strict);
    }

    static void strict(List<HttpMessageConverter<?>> converters) {
        for (ListIterator<HttpMessageConverter<?>> it = converters.listIterator(); it.hasNext(); ) {
            // exactly this class: a subclass such as Spring Data's projecting converter (first in the list, it reads
            // only projection interfaces and writes nothing) must keep its own behaviour
            if (it.next() instanceof JacksonJsonHttpMessageConverter json
                    && json.getClass() == JacksonJsonHttpMessageConverter.class) {
                it.set(new JacksonJsonHttpMessageConverter(strict(json.getMapper())));
            }
        }
    }

    /** The application's mapper with the strict reading above. */
    static JsonMapper strict(JsonMapper mapper) {
        return mapper.rebuild()
                .enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .withCoercionConfig(
                        LogicalType.Textual,
                        text -> text.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Integer,
                        integer -> integer.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.String, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Float, number -> number.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Boolean,
                        bool -> bool.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Enum, e -> e.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
                .build();
    }
}
