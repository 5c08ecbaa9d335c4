package io.fleetsaga.common.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigureAfter;
import org.springframework.boot.autoconfigure.AutoConfigureBefore;
import org.springframework.util.ClassUtils;

/**
 * Every auto-configuration the kit orders itself after or before by name exists. Spring Boot ignores an {@code
 * afterName} whose class is absent, so a class Boot moved or renamed (Boot 4 moved every auto-configuration into
 * its own module and package) silently drops the ordering — and a {@code @ConditionalOnBean(MeterRegistry)} or
 * {@code (Tracer)} bean of the kit then vanishes without an error.
 */
class AutoConfigurationNamesTests {

    /**
     * Modules the kit orders itself after but whose jar is not on this test classpath: the Brave tracer bridge
     * (OpenTelemetry's is) and Hibernate (order-service has it). Only their presence in the ordering is checked
     * here; the names were taken from Spring Boot 4.1's sources.
     */
    private static final Set<String> OTHER_MODULES = Set.of(
            "org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration",
            "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration");

    @Test
    void everyClassNamedInTheKitsOrderingExists() throws Exception {
        List<String> named = new ArrayList<>();
        for (String className : kitAutoConfigurations()) {
            Class<?> type = Class.forName(className);
            AutoConfiguration auto = type.getAnnotation(AutoConfiguration.class);
            if (auto != null) {
                named.addAll(Arrays.asList(auto.afterName()));
                named.addAll(Arrays.asList(auto.beforeName()));
                Arrays.stream(auto.after()).map(Class::getName).forEach(named::add);
            }
            AutoConfigureAfter after = type.getAnnotation(AutoConfigureAfter.class);
            if (after != null) {
                named.addAll(Arrays.asList(after.name()));
            }
            AutoConfigureBefore before = type.getAnnotation(AutoConfigureBefore.class);
            if (before != null) {
                named.addAll(Arrays.asList(before.name()));
            }
        }

        assertThat(named).as("names in the kit's auto-configuration ordering").isNotEmpty();
        assertThat(named.stream().filter(name -> !OTHER_MODULES.contains(name)))
                .allSatisfy(
                        name -> assertThat(ClassUtils.isPresent(name, getClass().getClassLoader()))
                                .as("%s is on the classpath", name)
                                .isTrue());
        assertThat(named).containsAll(OTHER_MODULES);
    }

    private static List<String> kitAutoConfigurations() throws IOException {
        try (InputStream in = AutoConfigurationNamesTests.class.getResourceAsStream(
                "/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")) {
            assertThat(in).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        }
    }
}
