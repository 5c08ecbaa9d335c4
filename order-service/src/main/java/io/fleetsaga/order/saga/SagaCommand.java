package io.fleetsaga.order.saga;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The command of a saga's current attempt.
 *
 * @param eventId its outbox event id, {@code null} for a saga started before commands were tracked
 * @param delivery where it is
 * @param sentAt when the broker acknowledged it (database clock); set only when {@link CommandDelivery#SENT}
 */
public record SagaCommand(UUID eventId, CommandDelivery delivery, Instant sentAt) {

    public SagaCommand {
        Objects.requireNonNull(delivery, "delivery");
        if ((delivery == CommandDelivery.SENT) != (sentAt != null)) {
            throw new IllegalArgumentException("a command has a sentAt exactly when it is SENT: " + delivery);
        }
    }

    /** The broker has the command. */
    static SagaCommand sent(UUID eventId, Instant sentAt) {
        return new SagaCommand(eventId, CommandDelivery.SENT, sentAt);
    }

    /** The broker does not have the command yet ({@link CommandDelivery#IN_OUTBOX} or {@link CommandDelivery#PARKED}). */
    boolean awaitsTheBroker() {
        return delivery == CommandDelivery.IN_OUTBOX || delivery == CommandDelivery.PARKED;
    }
}
