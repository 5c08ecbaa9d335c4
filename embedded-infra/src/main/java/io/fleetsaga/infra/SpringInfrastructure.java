package io.fleetsaga.infra;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Wires {@link RealInfrastructure} into a Spring Boot test:
 *
 * <pre>{@code
 * @SpringBootTest
 * class OrderServiceIT {
 *     @DynamicPropertySource
 *     static void infrastructure(DynamicPropertyRegistry registry) {
 *         SpringInfrastructure.register(registry, "orders");
 *     }
 * }
 * }</pre>
 *
 * <p>Values are suppliers: the infrastructure starts (once per JVM) and the schema is created when
 * Spring first reads a property. Needs {@code spring-test} on the classpath (an optional dependency of
 * this module).
 */
public final class SpringInfrastructure {

    private SpringInfrastructure() {}

    /**
     * Registers {@code spring.datasource.url/username/password} (for {@code schema}, created if
     * missing), {@code spring.kafka.bootstrap-servers}, the Hibernate settings the database needs
     * ({@link RealInfrastructure#hibernateProperties()}) and the shape of a single broker's topics
     * ({@link RealInfrastructure#SINGLE_BROKER_TOPICS}).
     */
    public static void register(DynamicPropertyRegistry registry, String schema) {
        JdbcDatabaseServer.checkSchemaName(schema);
        registry.add(
                "spring.datasource.url",
                () -> RealInfrastructure.get().database().jdbcUrl(schema));
        registry.add(
                "spring.datasource.username",
                () -> RealInfrastructure.get().database().username());
        registry.add(
                "spring.datasource.password",
                () -> RealInfrastructure.get().database().password());
        registry.add(
                "spring.kafka.bootstrap-servers",
                () -> RealInfrastructure.get().kafka().bootstrapServers());
        RealInfrastructure.SINGLE_BROKER_TOPICS.forEach((name, value) -> registry.add(name, () -> value));
        for (String name : RealInfrastructure.HIBERNATE_PROPERTY_NAMES) {
            // null (not set) unless the database needs it
            registry.add(
                    name, () -> RealInfrastructure.get().hibernateProperties().get(name));
        }
    }
}
