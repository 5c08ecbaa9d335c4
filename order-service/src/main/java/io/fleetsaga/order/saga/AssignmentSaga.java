package io.fleetsaga.order.saga;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * One "assign order" saga, as stored in {@code assignment_saga}, with where its current command is.
 *
 * <p><b>The deadline rule</b> (ARCHITECTURE rule 8: a timer measures the thing it is about). An attempt waits
 * {@code replyWait} for assignment-service's reply, counted from the moment the broker acknowledged the attempt's
 * command — its outbox row's {@code sent_at} — not from the saga's commit. While the command is still in the
 * outbox (the broker is down, or the row is parked) the attempt has no deadline at all: an outage of the broker,
 * however long, neither re-sends nor gives up anything. A command the outbox no longer knows (cleaned up after
 * the outbox retention, days) counts as sent long ago. Nor does an acknowledged command time out while
 * assignment-service's consumer has not consumed it ({@link CommandConsumption}): after a long outage the consumer
 * needs minutes for the backlog, and a reply can only be late once the command was consumed; the reply to a command
 * the saga was held for gets a whole reply wait from the first check that found the command consumed. {@link
 * #atDeadline} is the one place that decides.
 *
 * @param orderVersion the order's version when the saga started (ASSIGNMENT_PENDING), sent with each command
 * @param attempts commands sent so far (the first one included)
 * @param command the current attempt's command and where it is
 * @param replyWait how long the current attempt waits for a reply once its command is acknowledged
 *     ({@code timeout} plus the attempt's backoff)
 * @param earliestDeadline a lower bound of the current attempt's deadline, stored as {@code deadline_at}: at first
 *     the attempt's start plus {@code replyWait} (its command cannot have been acknowledged before the attempt
 *     started), raised by the checker to {@link #recheckAt} while the saga is not due; the deadline when the
 *     command is {@link CommandDelivery#UNTRACKED}
 * @param heldForConsumer whether the checker held the current attempt because the consumer had not consumed its
 *     command ({@link DeadlineDecision#WAIT_FOR_CONSUMER}) and has not found it consumed since
 * @param reason why the saga was compensated or gave up
 */
public record AssignmentSaga(
        UUID id,
        String orderId,
        String taskId,
        long orderVersion,
        SagaStatus status,
        int attempts,
        SagaCommand command,
        Duration replyWait,
        Instant earliestDeadline,
        boolean heldForConsumer,
        String reason,
        Instant createdAt,
        Instant updatedAt) {

    /** What the deadline checker does with a saga. */
    enum DeadlineDecision {
        /** The saga has ended: nothing. */
        NOT_RUNNING,
        /** Its command has not reached the broker, or its reply may still come: nothing yet. */
        WAIT,
        /**
         * Past the deadline counted from the acknowledgement, but assignment-service's consumer has not consumed the
         * command yet, so no reply can be late: nothing yet, look again later.
         */
        WAIT_FOR_CONSUMER,
        /**
         * The consumer has consumed the command the saga was held for — a moment ago, perhaps: its reply gets a whole
         * reply wait from now ({@link #replyWaitFromNow}), not what is left of the wait counted from the
         * acknowledgement.
         */
        WAIT_FOR_REPLY,
        /** No reply in time: send the command again, as a new attempt. */
        SEND_AGAIN,
        /** No reply to the last attempt: the saga is STUCK and the order compensated. */
        GIVE_UP
    }

    /**
     * When the current attempt times out: {@code replyWait} after its command reached the broker. Empty when the
     * saga has ended or its command is still in the outbox (pending or parked) — no deadline runs then.
     */
    public Optional<Instant> deadline() {
        if (status != SagaStatus.STARTED || command.awaitsTheBroker()) {
            return Optional.empty();
        }
        if (command.delivery() == CommandDelivery.SENT) {
            Instant fromAcknowledgement = command.sentAt().plus(replyWait);
            return Optional.of(fromAcknowledgement.isAfter(earliestDeadline) ? fromAcknowledgement : earliestDeadline);
        }
        return Optional.of(earliestDeadline); // untracked: sent long ago
    }

    /**
     * When a saga that is not due at {@code now} can be due at the earliest: its deadline once its command is
     * acknowledged, else {@code now + replyWait} (a command acknowledged from now on times out no earlier).
     */
    Instant recheckAt(Instant now) {
        return deadline().orElse(now.plus(replyWait));
    }

    /**
     * When a saga held by {@link DeadlineDecision#WAIT_FOR_CONSUMER} is looked at again: one reply wait from {@code
     * now}, like a saga whose command is still in the outbox. Until then it costs no query and no broker call.
     */
    Instant recheckForConsumerAt(Instant now) {
        return now.plus(replyWait);
    }

    /** The new deadline of a saga at {@link DeadlineDecision#WAIT_FOR_REPLY}: one reply wait from {@code now}. */
    Instant replyWaitFromNow(Instant now) {
        return now.plus(replyWait);
    }

    /**
     * The decision at {@code now} (the database clock) as {@link #atDeadline(Instant, int)}, except that a saga past
     * its deadline whose acknowledged command the consumer has not {@linkplain CommandConsumption.Progress#passed
     * passed} waits for the consumer, and one that was held for it and is now consumed waits one more reply wait.
     * Asks {@code consumed} only for such a saga; a command the outbox no longer knows ({@link
     * CommandDelivery#UNTRACKED}) was sent days ago and is not asked about.
     */
    DeadlineDecision atDeadline(Instant now, int maxAttempts, CommandConsumption.Progress consumed) {
        DeadlineDecision decision = atDeadline(now, maxAttempts);
        if ((decision == DeadlineDecision.SEND_AGAIN || decision == DeadlineDecision.GIVE_UP)
                && command.delivery() == CommandDelivery.SENT) {
            if (!consumed.passed(command.sentAt())) {
                return DeadlineDecision.WAIT_FOR_CONSUMER;
            }
            if (heldForConsumer) {
                return DeadlineDecision.WAIT_FOR_REPLY;
            }
        }
        return decision;
    }

    /**
     * The decision at {@code now} (the database clock) as far as the database knows: wait while the command has not
     * reached the broker or the deadline has not passed; then send again, or give up after the last attempt.
     */
    DeadlineDecision atDeadline(Instant now, int maxAttempts) {
        if (status != SagaStatus.STARTED) {
            return DeadlineDecision.NOT_RUNNING;
        }
        Optional<Instant> deadline = deadline();
        if (deadline.isEmpty() || deadline.get().isAfter(now)) {
            return DeadlineDecision.WAIT;
        }
        return attempts >= maxAttempts ? DeadlineDecision.GIVE_UP : DeadlineDecision.SEND_AGAIN;
    }
}
