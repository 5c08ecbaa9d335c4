package io.fleetsaga.common.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code api_basic_logins_total{result}}: HTTP Basic logins by {@link LoginResult} ({@code cached}, {@code verified},
 * {@code refused_cached}, {@code refused}, {@code limited}). {@code verified + refused} is the number of bcrypt
 * checks; a growing {@code limited} or {@code refused} is someone trying passwords.
 */
final class LoginMetrics implements Consumer<LoginResult> {

    private final Map<LoginResult, Counter> counters = new EnumMap<>(LoginResult.class);

    LoginMetrics(MeterRegistry registry) {
        for (LoginResult result : LoginResult.values()) {
            counters.put(
                    result,
                    Counter.builder("api.basic.logins")
                            .description("HTTP Basic logins by result; verified + refused cost a password check")
                            .tag("result", result.name().toLowerCase(Locale.ROOT))
                            .register(registry));
        }
    }

    @Override
    public void accept(LoginResult result) {
        counters.get(result).increment();
    }
}
