package io.fleetsaga.order.saga;

/** Status of an "assign order" saga. Only {@link #STARTED} is running; the others are final. */
public enum SagaStatus {
    /** The command is out; waiting for a reply until the deadline, then re-sent. */
    STARTED,
    /** assignment-service linked the order; the order is ASSIGNED. */
    CONFIRMED,
    /** Rejected by assignment-service, or the order was cancelled meanwhile; the order left the task. */
    COMPENSATED,
    /** No reply after the last attempt; the order was compensated and the saga waits for ops to look at it. */
    STUCK
}
