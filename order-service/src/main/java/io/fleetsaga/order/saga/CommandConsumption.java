package io.fleetsaga.order.saga;

import java.time.Instant;

/**
 * How far assignment-service's consumer has worked through the command topic (a port; the broker answers, see
 * {@code saga.messaging.KafkaCommandConsumption}). A saga's reply can only be late once assignment-service has
 * consumed its command (ARCHITECTURE rule 8): after a long outage the consumer may need minutes for the backlog, and
 * a command acknowledged by the broker but not yet consumed must not time out, be sent again or be given up.
 */
public interface CommandConsumption {

    /**
     * The consumer's progress, read from the broker at most once per call of {@link Progress#passed} that needs it
     * and valid for one deadline check: a check asks for all its due sagas with one {@code Progress}.
     */
    Progress progress();

    /** The consumer's progress as seen during one deadline check. */
    @FunctionalInterface
    interface Progress {

        /** Nothing is waited for: every command counts as consumed ({@code fleetsaga.saga.wait-for-consumer=false}). */
        Progress EVERYTHING_CONSUMED = sentAt -> true;

        /**
         * Whether the consumer has consumed (processed and committed) every command the broker acknowledged up to
         * {@code sentAt} (database clock). Monotonic: passed for one time, passed for every earlier time. False when
         * the broker cannot be asked — nothing is timed out on a guess.
         */
        boolean passed(Instant sentAt);
    }
}
