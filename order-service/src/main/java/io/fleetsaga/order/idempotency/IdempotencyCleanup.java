package io.fleetsaga.order.idempotency;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/** Deletes idempotency keys and recorded batch items older than {@code fleetsaga.idempotency.retention}. */
@Component
class IdempotencyCleanup implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyCleanup.class);

    private final IdempotencyKeys keys;
    private final IdempotencySettings settings;

    IdempotencyCleanup(IdempotencyKeys keys, IdempotencySettings settings) {
        this.keys = keys;
        this.settings = settings;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(this::cleanup, settings.cleanupInterval());
    }

    void cleanup() {
        try {
            int deleted = keys.deleteExpired(1000);
            if (deleted > 0) {
                log.info("deleted {} idempotency keys and batch items older than {}", deleted, keys.retention());
            }
        } catch (RuntimeException e) {
            log.warn("idempotency key cleanup failed, will retry: {}", e.toString());
        }
    }
}
