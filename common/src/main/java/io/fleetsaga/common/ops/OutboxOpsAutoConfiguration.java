package io.fleetsaga.common.ops;

import io.fleetsaga.common.autoconfigure.ReliabilityKitAutoConfiguration;
import io.fleetsaga.common.outbox.JdbcOutboxStore;
import io.fleetsaga.common.outbox.OutboxRelay;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.RestController;

/** Exposes the outbox's ops API ({@code /api/ops/outbox}) in web applications that use the kit. */
@AutoConfiguration(after = ReliabilityKitAutoConfiguration.class)
@ConditionalOnClass(RestController.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBean(JdbcOutboxStore.class)
public class OutboxOpsAutoConfiguration {

    @Bean
    OutboxOpsController outboxOpsController(JdbcOutboxStore store, ObjectProvider<OutboxRelay> relays) {
        return new OutboxOpsController(store, relays.orderedStream().toList(), Clock.systemUTC());
    }
}
