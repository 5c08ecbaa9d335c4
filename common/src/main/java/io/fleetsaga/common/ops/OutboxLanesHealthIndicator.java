package io.fleetsaga.common.ops;

import io.fleetsaga.common.outbox.OutboxLaneState;
import io.fleetsaga.common.outbox.OutboxRelay;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The relays' lanes in {@code /actuator/health} ({@code outboxLanes}): always UP, with each lane's state as
 * details. A broker or webhook receiver that is away must not take the service out of rotation — the request path
 * never talks to them (incident I-4) — so a lane that backs off is shown, alerted on
 * ({@code FleetSagaOutboxLaneBackingOff}) and in the console, never a DOWN. The indicator is not part of the
 * readiness group.
 */
final class OutboxLanesHealthIndicator implements HealthIndicator {

    private final List<OutboxRelay> relays;
    private final Clock clock;

    OutboxLanesHealthIndicator(List<OutboxRelay> relays, Clock clock) {
        this.relays = relays;
        this.clock = clock;
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up();
        for (OutboxRelay relay : relays) {
            OutboxLaneState state = relay.laneState();
            health.withDetail(state.lane(), details(state, clock));
        }
        return health.build();
    }

    static Map<String, Object> details(OutboxLaneState state, Clock clock) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("status", state.status().name());
        details.put("since", state.since().toString());
        if (state.backingOff()) {
            details.put(
                    "backingOffSeconds", state.backingOffFor(clock.instant()).toMillis() / 1000.0);
            details.put("consecutiveFailures", state.consecutiveFailures());
            details.put("nextProbeAt", state.nextProbeAt().toString());
        }
        if (state.lastError() != null) {
            details.put("lastError", state.lastError());
        }
        return details;
    }
}
