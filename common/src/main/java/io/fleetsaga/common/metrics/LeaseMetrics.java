package io.fleetsaga.common.metrics;

import io.fleetsaga.common.lease.Lease;
import io.fleetsaga.common.lease.LeaseListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lease metrics, fed by {@link LeaseListener} hooks: {@code lease_held{lease}} (1 while this instance
 * holds the lease), {@code lease_acquisitions_total{lease}} and {@code lease_lost_total{lease}}.
 */
public final class LeaseMetrics implements LeaseListener {

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> held = new ConcurrentHashMap<>();

    public LeaseMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void acquired(Lease lease) {
        held(lease.name()).set(1);
        Counter.builder("lease.acquisitions")
                .description("Leases acquired by this instance")
                .tag("lease", lease.name())
                .register(registry)
                .increment();
    }

    @Override
    public void released(Lease lease) {
        held(lease.name()).set(0);
    }

    @Override
    public void lost(Lease lease) {
        held(lease.name()).set(0);
        Counter.builder("lease.lost")
                .description("Leases found taken over while this instance thought it held them")
                .tag("lease", lease.name())
                .register(registry)
                .increment();
    }

    private AtomicInteger held(String name) {
        return held.computeIfAbsent(name, n -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("lease.held", value, AtomicInteger::get)
                    .description("1 while this instance holds the lease")
                    .tag("lease", n)
                    .register(registry);
            return value;
        });
    }
}
