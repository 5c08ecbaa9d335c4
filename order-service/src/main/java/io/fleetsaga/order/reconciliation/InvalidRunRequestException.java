package io.fleetsaga.order.reconciliation;

/** A run request that cannot be run as asked (answered with 400). */
public class InvalidRunRequestException extends RuntimeException {

    public InvalidRunRequestException(String message) {
        super(message);
    }
}
