package io.fleetsaga.common.autoconfigure;

import io.fleetsaga.common.messaging.MembershipSettings;
import io.fleetsaga.common.messaging.StaticMembership;
import java.net.InetAddress;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.kafka.config.KafkaListenerConfigUtils;
import org.springframework.kafka.listener.ListenerContainerRegistry;

/** Static group membership and leaving on shutdown for every Kafka listener ({@link StaticMembership}). */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@ConditionalOnBean(
        value = KafkaProperties.class,
        name = KafkaListenerConfigUtils.KAFKA_LISTENER_ENDPOINT_REGISTRY_BEAN_NAME)
@EnableConfigurationProperties(MembershipSettings.class)
public class ConsumerMembershipAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    StaticMembership staticMembership(
            @Qualifier(KafkaListenerConfigUtils.KAFKA_LISTENER_ENDPOINT_REGISTRY_BEAN_NAME)
                    ObjectProvider<ListenerContainerRegistry> registry,
            MembershipSettings settings,
            KafkaProperties kafka,
            Environment environment) {
        return new StaticMembership(
                registry::getObject,
                settings,
                instanceId(settings, environment),
                kafka.buildConsumerProperties(),
                kafka.buildAdminProperties());
    }

    /**
     * The configured instance id, or {@code <application>-<HOSTNAME or host name>-<server.port>}; with a random or
     * unknown port a random suffix instead (unique, but a restart is then a new member).
     */
    static String instanceId(MembershipSettings settings, Environment environment) {
        if (!settings.instanceId().isEmpty()) {
            return settings.instanceId();
        }
        String host = environment.getProperty("HOSTNAME", "");
        if (host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "unknown-host";
            }
        }
        Integer port = environment.getProperty("server.port", Integer.class);
        String suffix = port != null && port > 0
                ? String.valueOf(port)
                : UUID.randomUUID().toString().substring(0, 8);
        return environment.getProperty("spring.application.name", "application") + "-" + host + "-" + suffix;
    }
}
