package io.fleetsaga.common.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.CannotCreateTransactionException;

class DatabaseUnavailableTests {

    @Test
    void noConnectionFromThePoolIsAnOutage() {
        assertThat(DatabaseUnavailable.matches(new CannotCreateTransactionException(
                        "Could not open JPA EntityManager for transaction",
                        new SQLTransientConnectionException("HikariPool-1 - Connection is not available"))))
                .isTrue();
    }

    @Test
    void aStatementCutByTheSocketTimeoutIsAnOutageHoweverDeepItIsWrapped() {
        RuntimeException wrapped = new IllegalStateException(
                "while handling",
                new RuntimeException("wrapped by JPA", new SQLRecoverableException("read timed out")));

        assertThat(DatabaseUnavailable.matches(wrapped)).isTrue();
    }

    @Test
    void aLockWaitTimeoutOrAConstraintViolationIsNot() {
        assertThat(DatabaseUnavailable.matches(new CannotAcquireLockException(
                        "lock wait", new SQLException("Lock wait timeout exceeded", "40001", 1205))))
                .isFalse();
        assertThat(DatabaseUnavailable.matches(new DataIntegrityViolationException("duplicate")))
                .isFalse();
    }

    @Test
    void theProblemNamesItsTypeAndStatus() {
        assertThat(DatabaseUnavailable.problem().getStatus()).isEqualTo(503);
        assertThat(DatabaseUnavailable.problem().getType()).isEqualTo(DatabaseUnavailable.TYPE);
    }
}
