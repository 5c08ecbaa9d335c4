package io.fleetsaga.bench;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.modulith.events.Externalized;

/**
 * The peer: Spring Modulith's event publication registry (JDBC, on the same MariaDB) with its Kafka externalization,
 * as an application would use it — an event published with {@code ApplicationEventPublisher} inside a transaction
 * is registered in {@code event_publication} in that transaction, sent to Kafka after the commit and marked
 * completed once Kafka acknowledged it. Spring Boot's own DataSource and Kafka auto-configuration, set up by
 * properties ({@code spring.kafka.producer.*}: the relay's producer settings, JSON values). No web server; the kit's
 * auto-configuration stays out (it would start a relay of its own).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class ModulithBenchApp {

    /** {@code RelayRun.topicOf("modulith")}. */
    static final String TOPIC = "bench.modulith";

    /** The same event order-service publishes, externalized to Kafka with the order id as the key. */
    @Externalized(TOPIC + "::#{orderId()}")
    record OrderStateChanged(String orderId, String taskId, String status, long version) {}

    static ConfigurableApplicationContext start(Map<String, Object> properties) {
        SpringApplication app = new SpringApplication(ModulithBenchApp.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(properties);
        app.setBannerMode(org.springframework.boot.Banner.Mode.OFF);
        return app.run();
    }
}
