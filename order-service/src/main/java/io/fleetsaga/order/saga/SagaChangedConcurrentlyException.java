package io.fleetsaga.order.saga;

import java.util.UUID;
import org.springframework.dao.ConcurrencyFailureException;

/** The saga was ended by a concurrent transaction after this one read it; the transaction must roll back. */
class SagaChangedConcurrentlyException extends ConcurrencyFailureException {

    SagaChangedConcurrentlyException(UUID sagaId) {
        super("saga " + sagaId + " was changed concurrently");
    }
}
