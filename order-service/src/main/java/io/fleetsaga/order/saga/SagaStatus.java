package io.fleetsaga.order.saga;

/** Status of an "assign order" saga. Only {@link #STARTED} is running; the others are final. */
public enum SagaStatus {
    /**
     * Running: the command is on its way or out; waiting for a reply until the deadline — which starts when the
     * broker acknowledged the command — then re-sent.
     */
    STARTED,
    /** assignment-service linked the order; the order is ASSIGNED. */
    CONFIRMED,
    /** Rejected by assignment-service, or the order was cancelled meanwhile; the order left the task. */
    COMPENSATED,
    /** No reply after the last attempt; the order was compensated and the saga waits for ops to look at it. */
    STUCK
}
