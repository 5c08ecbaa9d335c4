package io.fleetsaga.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetsaga.infra.InfraSettings.Mode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InfraSettingsTests {

    private static InfraSettings settings(Map<String, String> properties, Map<String, String> environment) {
        return InfraSettings.from(properties::get, environment::get);
    }

    @Test
    void nothingSetMeansAutomaticChoiceWithDefaultCredentials() {
        InfraSettings settings = settings(Map.of(), Map.of());

        assertThat(settings.forced()).isEmpty();
        assertThat(settings.externalConfigured()).isFalse();
        assertThat(settings.externalHalfConfigured()).isFalse();
        assertThat(settings.dbUser()).isEqualTo("root");
        assertThat(settings.dbPassword()).isEmpty();
        assertThat(settings.dir()).isEmpty();
    }

    @Test
    void modeComesFromThePropertyBeforeTheEnvironment() {
        assertThat(settings(Map.of(), Map.of("FLEET_SAGA_INFRA", "Testcontainers"))
                        .forced())
                .contains(Mode.TESTCONTAINERS);
        assertThat(settings(Map.of("fleetsaga.infra", "embedded"), Map.of("FLEET_SAGA_INFRA", "external"))
                        .forced())
                .contains(Mode.EMBEDDED);
        assertThat(settings(Map.of("fleetsaga.infra", " auto "), Map.of()).forced())
                .isEmpty();
    }

    @Test
    void rejectsUnknownModes() {
        assertThatThrownBy(() -> settings(Map.of("fleetsaga.infra", "docker"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("external, testcontainers, embedded");
    }

    @Test
    void externalNeedsBothTheJdbcUrlAndTheBootstrapServers() {
        InfraSettings both = settings(
                Map.of(),
                Map.of(
                        "FLEET_SAGA_JDBC_URL", "jdbc:mysql://db:3306/",
                        "FLEET_SAGA_KAFKA_BOOTSTRAP", "kafka:9092",
                        "FLEET_SAGA_DB_USER", "app",
                        "FLEET_SAGA_DB_PASSWORD", "secret"));
        InfraSettings half = settings(Map.of(), Map.of("FLEET_SAGA_KAFKA_BOOTSTRAP", "kafka:9092"));

        assertThat(both.externalConfigured()).isTrue();
        assertThat(both.dbUser()).isEqualTo("app");
        assertThat(both.dbPassword()).isEqualTo("secret");
        assertThat(half.externalConfigured()).isFalse();
        assertThat(half.externalHalfConfigured()).isTrue();
    }

    @Test
    void forcedExternalWithoutSettingsFailsClearly() {
        InfraSettings settings = settings(Map.of("fleetsaga.infra", "external"), Map.of());

        assertThatThrownBy(() -> RealInfrastructure.start(settings))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FLEET_SAGA_JDBC_URL")
                .hasMessageContaining("FLEET_SAGA_KAFKA_BOOTSTRAP");
    }

    @Test
    void externalInfrastructureNeedsNoConnectionToBeDescribed() {
        InfraSettings settings = settings(
                Map.of("fleetsaga.infra", "external", "FLEET_SAGA_JDBC_URL", "jdbc:mysql://db.example:3306/"),
                Map.of("FLEET_SAGA_KAFKA_BOOTSTRAP", "kafka.example:9092"));

        RealInfrastructure infrastructure = RealInfrastructure.start(settings);

        assertThat(infrastructure.source()).isEqualTo("external");
        assertThat(infrastructure.kafka().bootstrapServers()).isEqualTo("kafka.example:9092");
        assertThat(infrastructure.database().username()).isEqualTo("root");
        assertThat(infrastructure.brokerProcess()).isEmpty();
    }

    @Test
    void directoryMayBeChosen() {
        assertThat(settings(Map.of("fleetsaga.infra.dir", "/var/tmp/x"), Map.of())
                        .dir())
                .contains(Path.of("/var/tmp/x"));
        assertThat(settings(Map.of(), Map.of("FLEET_SAGA_INFRA_DIR", "/var/tmp/y"))
                        .dir())
                .contains(Path.of("/var/tmp/y"));
    }
}
