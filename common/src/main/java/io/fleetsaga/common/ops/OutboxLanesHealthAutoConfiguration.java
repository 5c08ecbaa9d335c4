package io.fleetsaga.common.ops;

import io.fleetsaga.common.autoconfigure.ReliabilityKitAutoConfiguration;
import io.fleetsaga.common.outbox.OutboxRelay;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/** The relays' lane states as a health indicator ({@code outboxLanes}, details only, never DOWN). */
@AutoConfiguration(after = ReliabilityKitAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(OutboxRelay.class)
public class OutboxLanesHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "outboxLanesHealthIndicator")
    HealthIndicator outboxLanesHealthIndicator(ObjectProvider<OutboxRelay> relays) {
        return new OutboxLanesHealthIndicator(relays.orderedStream().toList(), Clock.systemUTC());
    }
}
