package io.fleetsaga.infra;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Which infrastructure to use, read from system properties and environment variables. */
record InfraSettings(
        Optional<Mode> forced,
        Optional<String> jdbcUrl,
        String dbUser,
        String dbPassword,
        Optional<String> kafkaBootstrap,
        Optional<Path> dir) {

    enum Mode {
        EXTERNAL,
        TESTCONTAINERS,
        EMBEDDED;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Mode parse(String value) {
            for (Mode mode : values()) {
                if (mode.id().equalsIgnoreCase(value.strip())) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("fleetsaga.infra / FLEET_SAGA_INFRA must be one of external,"
                    + " testcontainers, embedded (or empty/auto), not '" + value + "'");
        }
    }

    static final String MODE_PROPERTY = "fleetsaga.infra";
    static final String MODE_ENV = "FLEET_SAGA_INFRA";
    static final String DIR_PROPERTY = "fleetsaga.infra.dir";
    static final String DIR_ENV = "FLEET_SAGA_INFRA_DIR";
    static final String JDBC_URL_ENV = "FLEET_SAGA_JDBC_URL";
    static final String DB_USER_ENV = "FLEET_SAGA_DB_USER";
    static final String DB_PASSWORD_ENV = "FLEET_SAGA_DB_PASSWORD";
    static final String KAFKA_BOOTSTRAP_ENV = "FLEET_SAGA_KAFKA_BOOTSTRAP";

    static InfraSettings fromEnvironment() {
        return from(System::getProperty, System::getenv);
    }

    /** Each setting may come from a system property named like its environment variable, too. */
    static InfraSettings from(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        Optional<String> mode = firstNonBlank(properties.apply(MODE_PROPERTY), environment.apply(MODE_ENV));
        Optional<Mode> forced =
                mode.filter(value -> !"auto".equalsIgnoreCase(value.strip())).map(Mode::parse);
        return new InfraSettings(
                forced,
                setting(properties, environment, JDBC_URL_ENV),
                setting(properties, environment, DB_USER_ENV).orElse("root"),
                setting(properties, environment, DB_PASSWORD_ENV).orElse(""),
                setting(properties, environment, KAFKA_BOOTSTRAP_ENV),
                firstNonBlank(properties.apply(DIR_PROPERTY), environment.apply(DIR_ENV))
                        .map(Path::of));
    }

    private static Optional<String> setting(
            UnaryOperator<String> properties, UnaryOperator<String> environment, String name) {
        return firstNonBlank(properties.apply(name), environment.apply(name));
    }

    private static Optional<String> firstNonBlank(String first, String second) {
        if (first != null && !first.isBlank()) {
            return Optional.of(first.strip());
        }
        return second != null && !second.isBlank() ? Optional.of(second.strip()) : Optional.empty();
    }

    /** External settings are complete only when both the JDBC URL and the Kafka bootstrap are set. */
    boolean externalConfigured() {
        return jdbcUrl.isPresent() && kafkaBootstrap.isPresent();
    }

    /** True when exactly one of the two external settings is present (a likely mistake). */
    boolean externalHalfConfigured() {
        return jdbcUrl.isPresent() != kafkaBootstrap.isPresent();
    }
}
