package io.fleetsaga.common.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetsaga.common.messaging.MembershipSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class ConsumerMembershipAutoConfigurationTests {

    @Test
    void theInstanceIdNamesTheApplicationTheHostAndThePortSoThatARestartIsTheSameMember() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("spring.application.name", "assignment-service")
                .withProperty("HOSTNAME", "assignment-service-0")
                .withProperty("server.port", "8082");

        assertThat(ConsumerMembershipAutoConfiguration.instanceId(settings(""), environment))
                .isEqualTo("assignment-service-assignment-service-0-8082");
        assertThat(ConsumerMembershipAutoConfiguration.instanceId(settings(""), environment))
                .isEqualTo(ConsumerMembershipAutoConfiguration.instanceId(settings(""), environment));
    }

    @Test
    void aRandomPortGetsARandomSuffixSoThatInstancesOnOneHostNeverShareAnId() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("spring.application.name", "order-service")
                .withProperty("HOSTNAME", "laptop")
                .withProperty("server.port", "0");

        String first = ConsumerMembershipAutoConfiguration.instanceId(settings(""), environment);
        String second = ConsumerMembershipAutoConfiguration.instanceId(settings(""), environment);

        assertThat(first).startsWith("order-service-laptop-").isNotEqualTo(second);
    }

    @Test
    void aConfiguredInstanceIdWins() {
        MockEnvironment environment = new MockEnvironment().withProperty("HOSTNAME", "laptop");

        assertThat(ConsumerMembershipAutoConfiguration.instanceId(settings("orders-a"), environment))
                .isEqualTo("orders-a");
    }

    @Test
    void theHeartbeatMustFitThreeTimesIntoTheSession() {
        assertThatThrownBy(() -> new MembershipSettings(
                        true, "", Duration.ofSeconds(10), Duration.ofSeconds(4), true, Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static MembershipSettings settings(String instanceId) {
        return new MembershipSettings(
                true, instanceId, Duration.ofSeconds(10), Duration.ofSeconds(2), true, Duration.ofSeconds(5));
    }
}
