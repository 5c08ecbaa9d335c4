package io.fleetsaga.common.web;

import java.net.SocketTimeoutException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers a request whose database does not answer with {@code 503}, {@code Retry-After} and RFC 9457 problem
 * details (see {@link DatabaseUnavailable}), before any service's own advice (which would answer 500). Anything
 * else is left to the service's advice. Failures of filters (e.g. the idempotency filter) are answered by {@link
 * DatabaseUnavailableFilter}.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class DatabaseUnavailableAdvice {

    private static final Logger log = LoggerFactory.getLogger(DatabaseUnavailableAdvice.class);

    /**
     * Spring matches these types against the exception and then its causes, and asks this advice first: an
     * outage wrapped in any other exception is still answered here.
     */
    @ExceptionHandler({
        CannotCreateTransactionException.class,
        DataAccessResourceFailureException.class,
        TransientDataAccessResourceException.class,
        QueryTimeoutException.class,
        SQLTransientConnectionException.class,
        SQLRecoverableException.class,
        SocketTimeoutException.class
    })
    ResponseEntity<ProblemDetail> databaseUnavailable(Exception e) {
        log.warn("request failed, the database does not answer: {}", e.toString());
        // its instance is filled in by ProblemCompletion, like every problem a handler returns
        ProblemDetail problem = DatabaseUnavailable.problem();
        return ResponseEntity.status(problem.getStatus())
                .header(HttpHeaders.RETRY_AFTER, String.valueOf(DatabaseUnavailable.RETRY_AFTER.toSeconds()))
                .body(problem);
    }
}
