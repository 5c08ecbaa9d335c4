package io.fleetsaga.order.messaging;

import io.fleetsaga.common.topics.OwnedTopics;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The topics order-service owns, declared and checked by the kit ({@code fleetsaga.kafka.topics.*}): the one it
 * produces, and the dead-letter topic of the one it consumes (its error handler writes there).
 */
@Configuration(proxyBeanMethods = false)
class OwnedTopicsConfiguration {

    @Bean
    OwnedTopics ownedTopics() {
        return OwnedTopics.producing(OrderTopics.ORDER_EVENTS).withDeadLettersOf(OrderTopics.ASSIGNMENT_EVENTS);
    }
}
