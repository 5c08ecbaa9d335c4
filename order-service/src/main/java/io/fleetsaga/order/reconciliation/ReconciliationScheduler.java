package io.fleetsaga.order.reconciliation;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Fires the scheduled run of each slot: slots are {@code interval}-long and aligned to the epoch, so every
 * instance fires at the same moment and {@link ReconciliationService#startScheduled} lets one of them run it.
 * An instance's first run is at the first slot boundary after it started (not at start-up, when its peers may
 * not be up yet). Off with {@code fleetsaga.reconciliation.schedule=false}.
 */
@Component
@ConditionalOnProperty(name = "fleetsaga.reconciliation.schedule", havingValue = "true", matchIfMissing = true)
class ReconciliationScheduler implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(ReconciliationScheduler.class);
    private static final Duration TICK = Duration.ofMillis(500);

    private final ReconciliationService service;
    private final ReconciliationSettings settings;
    private final Clock clock;
    private long lastSlot = -1;

    ReconciliationScheduler(ReconciliationService service, ReconciliationSettings settings, Clock clock) {
        this.service = service;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(this::tick, TICK);
    }

    void tick() {
        long slot = clock.millis() / settings.interval().toMillis();
        if (slot == lastSlot) {
            return;
        }
        boolean starting = lastSlot < 0;
        lastSlot = slot;
        if (starting) {
            return; // the slot this instance started in: the first run is at the next boundary, not at deploy time
        }
        try {
            service.startScheduled(slot);
        } catch (RuntimeException e) {
            log.warn("scheduled reconciliation of slot {} could not start: {}", slot, e.toString());
        }
    }
}
