package io.fleetsaga.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SpringInfrastructureTests {

    @Test
    void registersConnectionAndHibernatePropertiesLazily() {
        Map<String, Supplier<Object>> registered = new LinkedHashMap<>();

        SpringInfrastructure.register(registered::put, "orders");

        assertThat(registered)
                .containsKeys(
                        "spring.datasource.url",
                        "spring.datasource.username",
                        "spring.datasource.password",
                        "spring.kafka.bootstrap-servers")
                .containsKeys(RealInfrastructure.HIBERNATE_PROPERTY_NAMES.toArray(String[]::new))
                .containsKeys(RealInfrastructure.SINGLE_BROKER_TOPICS.keySet().toArray(String[]::new))
                .hasSize(4
                        + RealInfrastructure.HIBERNATE_PROPERTY_NAMES.size()
                        + RealInfrastructure.SINGLE_BROKER_TOPICS.size());
        assertThat(registered.get("fleetsaga.kafka.topics.replication-factor").get())
                .as("one broker: topics with one replica")
                .isEqualTo("1");
    }

    @Test
    void rejectsInvalidSchemaNamesImmediately() {
        assertThatThrownBy(() -> SpringInfrastructure.register((name, value) -> {}, "orders; drop"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
