package io.fleetsaga.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.common.retry.BackoffPolicy;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

class DeadLettersTests {

    private static final BackoffPolicy CONSUMER =
            new BackoffPolicy(Duration.ofMillis(100), 2.0, Duration.ofSeconds(5), 8);

    @Test
    void aDatabaseThatDoesNotAnswerIsRetriedForAsLongAsTheOutageLastsAndNeverDeadLettersTheRecord() {
        Exception outage = new CannotCreateTransactionException(
                "Could not open JDBC Connection for transaction",
                new CannotGetJdbcConnectionException(
                        "Failed to obtain JDBC Connection",
                        new SQLTransientConnectionException("HikariPool-1 - Connection is not available")));

        BackOff backOff = DeadLetters.backOffFor(outage, DeadLetters.untilRecovered(CONSUMER));

        assertThat(backOff).isNotNull();
        BackOffExecution execution = backOff.start();
        // an hour of 5 s retries and far more: never STOP, never above the consumer policy's cap
        for (int attempt = 1; attempt <= 100_000; attempt++) {
            assertThat(execution.nextBackOff())
                    .isNotEqualTo(BackOffExecution.STOP)
                    .isLessThanOrEqualTo(5_000);
        }
    }

    @Test
    void aLockWaitOrADeadlockIsRetriedForAsLongAsItLastsAndNeverDeadLettersTheRecord() {
        BackoffPolicy outage = DeadLetters.untilRecovered(CONSUMER);

        for (Exception contention : new Exception[] {
            new CannotAcquireLockException("lock wait", new SQLException("Lock wait timeout exceeded", "HY000", 1205)),
            new RuntimeException(new SQLException("Deadlock found when trying to get lock", "40001", 1213))
        }) {
            BackOff backOff = DeadLetters.backOffFor(contention, outage);
            assertThat(backOff).as(contention.toString()).isNotNull();
            BackOffExecution execution = backOff.start();
            for (int attempt = 1; attempt <= 10_000; attempt++) {
                assertThat(execution.nextBackOff()).isNotEqualTo(BackOffExecution.STOP);
            }
        }
    }

    @Test
    void aFailureOfTheRecordSpendsItsAttemptsAsBefore() {
        BackoffPolicy outage = DeadLetters.untilRecovered(CONSUMER);

        assertThat(DeadLetters.backOffFor(new IllegalStateException("a bug"), outage))
                .isNull();
        assertThat(DeadLetters.backOffFor(
                        new RuntimeException(new SQLException("Out of range value for column", "22003", 1264)), outage))
                .isNull();
    }
}
