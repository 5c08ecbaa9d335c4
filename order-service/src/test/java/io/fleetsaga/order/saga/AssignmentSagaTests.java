package io.fleetsaga.order.saga;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.order.saga.AssignmentSaga.DeadlineDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The saga's deadline rule without a database: an attempt's deadline runs from its command's acknowledgement. */
class AssignmentSagaTests {

    static final Instant STARTED = Instant.parse("2026-12-01T08:00:00Z");
    static final Duration WAIT = Duration.ofSeconds(30);
    static final int MAX_ATTEMPTS = 5;

    @Test
    void aCommandStillInTheOutboxHasNoDeadlineHoweverLongTheBrokerIsDown() {
        AssignmentSaga saga = saga(1, new SagaCommand(UUID.randomUUID(), CommandDelivery.IN_OUTBOX, null));

        assertThat(saga.deadline()).isEmpty();
        assertThat(saga.atDeadline(STARTED.plus(Duration.ofMinutes(49)), MAX_ATTEMPTS))
                .isEqualTo(DeadlineDecision.WAIT);
    }

    @Test
    void theLastAttemptWaitingInTheOutboxIsNotGivenUp() {
        AssignmentSaga saga = saga(MAX_ATTEMPTS, new SagaCommand(UUID.randomUUID(), CommandDelivery.IN_OUTBOX, null));

        assertThat(saga.atDeadline(STARTED.plus(Duration.ofHours(2)), MAX_ATTEMPTS))
                .isEqualTo(DeadlineDecision.WAIT);
    }

    @Test
    void aParkedCommandHoldsTheSagaWithoutDeadline() {
        AssignmentSaga saga = saga(MAX_ATTEMPTS, new SagaCommand(UUID.randomUUID(), CommandDelivery.PARKED, null));

        assertThat(saga.deadline()).isEmpty();
        assertThat(saga.atDeadline(STARTED.plus(Duration.ofDays(1)), MAX_ATTEMPTS))
                .isEqualTo(DeadlineDecision.WAIT);
    }

    @Test
    void theDeadlineRunsFromTheBrokersAcknowledgementNotFromTheCommit() {
        Instant sentAt = STARTED.plus(Duration.ofMinutes(49)); // the broker came back after 49 minutes
        AssignmentSaga saga = saga(1, SagaCommand.sent(UUID.randomUUID(), sentAt));

        assertThat(saga.deadline()).contains(sentAt.plus(WAIT));
        assertThat(saga.atDeadline(sentAt.plus(WAIT).minusMillis(1), MAX_ATTEMPTS))
                .isEqualTo(DeadlineDecision.WAIT);
        assertThat(saga.atDeadline(sentAt.plus(WAIT), MAX_ATTEMPTS)).isEqualTo(DeadlineDecision.SEND_AGAIN);
    }

    @Test
    void noReplyToTheLastAcknowledgedAttemptGivesUp() {
        Instant sentAt = STARTED.plusSeconds(1);
        AssignmentSaga saga = saga(MAX_ATTEMPTS, SagaCommand.sent(UUID.randomUUID(), sentAt));

        assertThat(saga.atDeadline(sentAt.plus(WAIT), MAX_ATTEMPTS)).isEqualTo(DeadlineDecision.GIVE_UP);
    }

    @Test
    void aCommandTheOutboxNoLongerKnowsCountsAsSentLongAgo() {
        AssignmentSaga saga = saga(2, new SagaCommand(UUID.randomUUID(), CommandDelivery.UNTRACKED, null));

        assertThat(saga.deadline()).contains(STARTED.plus(WAIT));
        assertThat(saga.atDeadline(STARTED.plus(WAIT), MAX_ATTEMPTS)).isEqualTo(DeadlineDecision.SEND_AGAIN);
    }

    @Test
    void neverBeforeTheAttemptsEarliestDeadline() {
        // a clock that saw the acknowledgement "before" the attempt started must not shorten the wait
        AssignmentSaga saga = saga(1, SagaCommand.sent(UUID.randomUUID(), STARTED.minusSeconds(5)));

        assertThat(saga.deadline()).contains(STARTED.plus(WAIT));
    }

    @Test
    void aSagaThatIsNotDueIsLookedAtAgainAtItsDeadlineOrOneReplyWaitLater() {
        Instant now = STARTED.plus(Duration.ofMinutes(10));
        Instant sentAt = now.minusSeconds(10);

        assertThat(saga(1, SagaCommand.sent(UUID.randomUUID(), sentAt)).recheckAt(now))
                .as("acknowledged: its deadline")
                .isEqualTo(sentAt.plus(WAIT));
        assertThat(saga(1, new SagaCommand(UUID.randomUUID(), CommandDelivery.IN_OUTBOX, null))
                        .recheckAt(now))
                .as("still in the outbox: acknowledged from now on, it times out no earlier than this")
                .isEqualTo(now.plus(WAIT));
    }

    @Test
    void anEndedSagaHasNoDeadlineAndNothingToDo() {
        AssignmentSaga running = saga(1, SagaCommand.sent(UUID.randomUUID(), STARTED));
        AssignmentSaga confirmed = new AssignmentSaga(
                running.id(),
                running.orderId(),
                running.taskId(),
                running.orderVersion(),
                SagaStatus.CONFIRMED,
                running.attempts(),
                running.command(),
                running.replyWait(),
                running.earliestDeadline(),
                false,
                null,
                running.createdAt(),
                running.updatedAt());

        assertThat(confirmed.deadline()).isEmpty();
        assertThat(confirmed.atDeadline(STARTED.plus(Duration.ofHours(1)), MAX_ATTEMPTS))
                .isEqualTo(DeadlineDecision.NOT_RUNNING);
    }

    @Test
    void anAcknowledgedCommandTheConsumerHasNotConsumedIsNotDueHoweverLateItIs() {
        Instant sentAt = STARTED.plusSeconds(1);
        List<Instant> asked = new ArrayList<>();
        CommandConsumption.Progress behind = t -> {
            asked.add(t);
            return false;
        };

        assertThat(saga(1, SagaCommand.sent(UUID.randomUUID(), sentAt))
                        .atDeadline(sentAt.plus(Duration.ofMinutes(10)), MAX_ATTEMPTS, behind))
                .isEqualTo(DeadlineDecision.WAIT_FOR_CONSUMER);
        assertThat(saga(MAX_ATTEMPTS, SagaCommand.sent(UUID.randomUUID(), sentAt))
                        .atDeadline(sentAt.plus(Duration.ofMinutes(10)), MAX_ATTEMPTS, behind))
                .as("not even the last attempt is given up")
                .isEqualTo(DeadlineDecision.WAIT_FOR_CONSUMER);
        assertThat(asked).containsExactly(sentAt, sentAt);
    }

    @Test
    void onceTheConsumerPassedTheCommandTheDeadlineApplies() {
        Instant sentAt = STARTED.plusSeconds(1);
        CommandConsumption.Progress passed = t -> !t.isAfter(sentAt);

        assertThat(saga(1, SagaCommand.sent(UUID.randomUUID(), sentAt))
                        .atDeadline(sentAt.plus(WAIT).minusMillis(1), MAX_ATTEMPTS, passed))
                .isEqualTo(DeadlineDecision.WAIT);
        assertThat(saga(1, SagaCommand.sent(UUID.randomUUID(), sentAt))
                        .atDeadline(sentAt.plus(WAIT), MAX_ATTEMPTS, passed))
                .isEqualTo(DeadlineDecision.SEND_AGAIN);
        assertThat(saga(MAX_ATTEMPTS, SagaCommand.sent(UUID.randomUUID(), sentAt))
                        .atDeadline(sentAt.plus(WAIT), MAX_ATTEMPTS, passed))
                .isEqualTo(DeadlineDecision.GIVE_UP);
    }

    @Test
    void theConsumerIsAskedOnlyAboutSagasPastTheirDeadlineWithAnAcknowledgedCommand() {
        CommandConsumption.Progress mustNotBeAsked = t -> {
            throw new AssertionError("asked about " + t);
        };
        Instant late = STARTED.plus(Duration.ofHours(1));

        assertThat(saga(1, SagaCommand.sent(UUID.randomUUID(), STARTED))
                        .atDeadline(STARTED, MAX_ATTEMPTS, mustNotBeAsked))
                .isEqualTo(DeadlineDecision.WAIT);
        assertThat(saga(1, new SagaCommand(UUID.randomUUID(), CommandDelivery.IN_OUTBOX, null))
                        .atDeadline(late, MAX_ATTEMPTS, mustNotBeAsked))
                .isEqualTo(DeadlineDecision.WAIT);
        assertThat(saga(2, new SagaCommand(UUID.randomUUID(), CommandDelivery.UNTRACKED, null))
                        .atDeadline(late, MAX_ATTEMPTS, mustNotBeAsked))
                .as("a command the outbox forgot was sent days ago")
                .isEqualTo(DeadlineDecision.SEND_AGAIN);
    }

    @Test
    void aHeldSagaWhoseCommandIsNowConsumedWaitsAWholeReplyWaitFromNow() {
        Instant sentAt = STARTED.plusSeconds(1);
        Instant now = sentAt.plus(Duration.ofMinutes(10));
        CommandConsumption.Progress consumed = t -> true;

        AssignmentSaga last = held(MAX_ATTEMPTS, SagaCommand.sent(UUID.randomUUID(), sentAt), now.minusSeconds(1));
        assertThat(last.atDeadline(now, MAX_ATTEMPTS, consumed))
                .as("consumed a moment ago, perhaps: the last attempt is not given up yet")
                .isEqualTo(DeadlineDecision.WAIT_FOR_REPLY);
        assertThat(last.replyWaitFromNow(now)).isEqualTo(now.plus(WAIT));
        assertThat(held(1, SagaCommand.sent(UUID.randomUUID(), sentAt), now.minusSeconds(1))
                        .atDeadline(now, MAX_ATTEMPTS, consumed))
                .isEqualTo(DeadlineDecision.WAIT_FOR_REPLY);
        assertThat(held(1, SagaCommand.sent(UUID.randomUUID(), sentAt), now.minusSeconds(1))
                        .atDeadline(now, MAX_ATTEMPTS, t -> false))
                .as("still not consumed: held again")
                .isEqualTo(DeadlineDecision.WAIT_FOR_CONSUMER);
        assertThat(held(1, SagaCommand.sent(UUID.randomUUID(), sentAt), now.plusSeconds(1))
                        .atDeadline(now, MAX_ATTEMPTS, consumed))
                .as("before the held saga's recheck nothing happens")
                .isEqualTo(DeadlineDecision.WAIT);
    }

    @Test
    void aSagaHeldForTheConsumerIsLookedAtAgainOneReplyWaitLater() {
        Instant now = STARTED.plus(Duration.ofMinutes(10));

        assertThat(saga(1, SagaCommand.sent(UUID.randomUUID(), STARTED)).recheckForConsumerAt(now))
                .isEqualTo(now.plus(WAIT));
    }

    @Test
    void theCheckerLooksAtSagasInTheOrderTheirCommandsWereAcknowledged() {
        AssignmentSaga later = saga(1, SagaCommand.sent(UUID.randomUUID(), STARTED.plusSeconds(9)));
        AssignmentSaga earlier = saga(1, SagaCommand.sent(UUID.randomUUID(), STARTED.plusSeconds(3)));
        AssignmentSaga untracked = saga(2, new SagaCommand(UUID.randomUUID(), CommandDelivery.UNTRACKED, null));

        assertThat(SagaDeadlineChecker.inAcknowledgementOrder(List.of(later, untracked, earlier)))
                .containsExactly(untracked, earlier, later);
    }

    /** A running saga on its {@code attempts}th attempt, which started at {@link #STARTED}. */
    static AssignmentSaga saga(int attempts, SagaCommand command) {
        return new AssignmentSaga(
                UUID.randomUUID(),
                "o-1",
                "t-1",
                1,
                SagaStatus.STARTED,
                attempts,
                command,
                WAIT,
                STARTED.plus(WAIT),
                false,
                null,
                STARTED,
                STARTED);
    }

    /** As {@link #saga}, held for the consumer of its command until {@code heldUntil}. */
    static AssignmentSaga held(int attempts, SagaCommand command, Instant heldUntil) {
        AssignmentSaga saga = saga(attempts, command);
        return new AssignmentSaga(
                saga.id(),
                saga.orderId(),
                saga.taskId(),
                saga.orderVersion(),
                saga.status(),
                saga.attempts(),
                saga.command(),
                saga.replyWait(),
                heldUntil,
                true,
                null,
                saga.createdAt(),
                saga.updatedAt());
    }
}
