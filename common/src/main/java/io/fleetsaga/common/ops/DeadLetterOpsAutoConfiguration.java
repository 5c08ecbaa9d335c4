package io.fleetsaga.common.ops;

import io.fleetsaga.common.deadletter.DeadLetterAutoConfiguration;
import io.fleetsaga.common.deadletter.DeadLetterOperations;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.RestController;

/** Exposes the dead letters' ops API ({@code /api/ops/dead-letters}) in web applications that use the kit. */
@AutoConfiguration(after = DeadLetterAutoConfiguration.class)
@ConditionalOnClass(RestController.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBean(DeadLetterOperations.class)
public class DeadLetterOpsAutoConfiguration {

    @Bean
    DeadLetterOpsController deadLetterOpsController(DeadLetterOperations deadLetters) {
        return new DeadLetterOpsController(deadLetters);
    }
}
