package io.fleetsaga.common.apidocs;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;

/**
 * What both services' OpenAPI documents share, for an application with springdoc: the problem schema and responses
 * ({@link ProblemOpenApi}), HTTP Basic or JWT ({@link SecuritySchemesOpenApi}), nullability and {@code required} from {@code @Nullable} ({@link NullableProperties}),
 * and the kit's outbox ops endpoints ({@link OutboxOpsOpenApi}). The services add only their own: title, tags, their
 * domain's responses.
 */
@AutoConfiguration
@ConditionalOnClass(OpenApiCustomizer.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class ApiDocsAutoConfiguration {

    @Bean
    ProblemOpenApi problemOpenApi() {
        return new ProblemOpenApi();
    }

    @Bean
    NullableProperties nullableProperties() {
        return new NullableProperties();
    }

    @Bean
    SecuritySchemesOpenApi securitySchemesOpenApi() {
        return new SecuritySchemesOpenApi();
    }

    @Bean
    OutboxOpsOpenApi outboxOpsOpenApi() {
        return new OutboxOpsOpenApi();
    }
}
