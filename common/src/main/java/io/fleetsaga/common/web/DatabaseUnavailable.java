package io.fleetsaga.common.web;

import java.net.SocketTimeoutException;
import java.net.URI;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Recognises a failure that means "the database does not answer" — no connection within the pool's {@code
 * connection-timeout} (Hikari's {@link SQLTransientConnectionException}, wrapped by Spring in {@link
 * CannotCreateTransactionException} or {@link DataAccessResourceFailureException}), a statement cut by the socket
 * timeout or a broken connection ({@link SQLRecoverableException}, Connector/J's {@code CommunicationsException}),
 * or a query timeout — anywhere in the cause chain. Such a request changed nothing that the client could see
 * committed, so it is answered {@code 503} with {@code Retry-After}: try again in a moment.
 *
 * <p>Not matched: a lock wait timeout or deadlock (the database answers; the services decide how to retry those).
 */
public final class DatabaseUnavailable {

    /** Problem type of the 503 answer. */
    public static final URI TYPE = Problems.type("database-unavailable");

    /** What {@code Retry-After} says: about one pool connection timeout. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private DatabaseUnavailable() {}

    public static boolean matches(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CannotCreateTransactionException
                    || t instanceof DataAccessResourceFailureException
                    || t instanceof TransientDataAccessResourceException
                    || t instanceof QueryTimeoutException
                    || t instanceof SQLTransientConnectionException
                    || t instanceof SQLRecoverableException
                    || (t instanceof SQLTimeoutException && !lockWait(t))
                    || t instanceof SocketTimeoutException
                    || "jakarta.persistence.QueryTimeoutException"
                            .equals(t.getClass().getName())
                    || "org.hibernate.exception.JDBCConnectionException"
                            .equals(t.getClass().getName())) {
                return true;
            }
        }
        return false;
    }

    /** MySQL error 1205 (lock wait timeout) may surface as a timeout; it is contention, not an outage. */
    private static boolean lockWait(Throwable t) {
        return t instanceof java.sql.SQLException sql && sql.getErrorCode() == 1205;
    }

    /** The problem details of the 503 answer. */
    public static ProblemDetail problem() {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.SERVICE_UNAVAILABLE,
                "The database does not answer; the request was not completed. Retry after " + RETRY_AFTER.toSeconds()
                        + " s.");
        problem.setType(TYPE);
        problem.setTitle("Database unavailable");
        return problem;
    }
}
