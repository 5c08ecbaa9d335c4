package io.fleetsaga.order.console;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the ops console ({@code fleetsaga.console.*}). The console reaches assignment-service through
 * order-service at {@code fleetsaga.reconciliation.assignment-service.url}.
 *
 * @param proxyTimeout how long a call passed through to assignment-service may take in all (a console page waits
 *     for it; assignment-service's reads are single-row or small)
 */
@ConfigurationProperties("fleetsaga.console")
public record ConsoleSettings(@DefaultValue("10s") Duration proxyTimeout) {

    public ConsoleSettings {
        if (proxyTimeout.isNegative() || proxyTimeout.isZero()) {
            throw new IllegalArgumentException("fleetsaga.console.proxy-timeout must be positive");
        }
    }
}
