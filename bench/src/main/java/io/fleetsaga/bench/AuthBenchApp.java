package io.fleetsaga.bench;

import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The smallest web application with the services' security: Spring Boot with the kit's auto-configuration
 * ({@code ApiSecurityAutoConfiguration}: HTTP Basic users, the credential cache and failure limit, JWT when
 * {@code jwk-set-uri} is set) and one endpoint, {@code GET /api/things} (roles DISPATCHER, OPS), that does nothing —
 * so a request's cost is Tomcat, Spring MVC and authentication — and its open twin {@code GET /console/things} (no
 * authentication: the difference is what authentication costs). No database, no broker.
 */
@SpringBootConfiguration
@EnableAutoConfiguration(exclude = {DataSourceAutoConfiguration.class, KafkaAutoConfiguration.class})
@RestController
class AuthBenchApp {

    @GetMapping("/api/things")
    String read() {
        return "ok";
    }

    /** The same, open to everybody by the kit's rules ({@code GET /console/**}): a request without authentication. */
    @GetMapping("/console/things")
    String open() {
        return "ok";
    }

    static ConfigurableApplicationContext start(Map<String, Object> properties) {
        return new SpringApplicationBuilder(AuthBenchApp.class)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .properties(properties)
                .run();
    }
}
