package io.fleetsaga.order.idempotency;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The {@code Idempotency-Key} handling's metrics:
 * <ul>
 *   <li>{@code idempotency_requests_total{result}} — requests with a key: {@code claimed} (ran), {@code took_over}
 *       (ran after an abandoned claim), {@code replayed}, {@code in_progress} (answered 409), {@code mismatch}
 *       (422), {@code claim_lost} (ran longer than {@code abandon-after}, was taken over and rolled back),
 *       {@code released} (outcome not final: key freed for a retry);
 *   <li>{@code idempotency_store_failures_total{outcome}} — responses that could not be stored after the request
 *       ({@code final_4xx}, {@code after_effect}: a 2xx whose effects did not store it themselves). Never a lost
 *       effect: such a key stays in progress and is taken over after {@code abandon-after} (see
 *       docs/order-api.md).
 * </ul>
 */
@Component
public class IdempotencyMetrics {

    /** What became of a request with a key. */
    public enum Result {
        CLAIMED,
        TOOK_OVER,
        REPLAYED,
        IN_PROGRESS,
        MISMATCH,
        CLAIM_LOST,
        RELEASED;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Which response could not be stored after its request. */
    public enum StoreFailure {
        FINAL_4XX,
        AFTER_EFFECT;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Map<Result, Counter> results = new EnumMap<>(Result.class);
    private final Map<StoreFailure, Counter> storeFailures = new EnumMap<>(StoreFailure.class);

    IdempotencyMetrics(MeterRegistry registry) {
        for (Result result : Result.values()) {
            results.put(
                    result,
                    Counter.builder("idempotency.requests")
                            .description("Requests with an Idempotency-Key, by what became of them")
                            .tag("result", result.tag())
                            .register(registry));
        }
        for (StoreFailure failure : StoreFailure.values()) {
            storeFailures.put(
                    failure,
                    Counter.builder("idempotency.store.failures")
                            .description("Responses with an Idempotency-Key that could not be stored after the"
                                    + " request (the key stays in progress until abandon-after)")
                            .tag("outcome", failure.tag())
                            .register(registry));
        }
    }

    public void counted(Result result) {
        results.get(result).increment();
    }

    public void storeFailed(StoreFailure failure) {
        storeFailures.get(failure).increment();
    }
}
