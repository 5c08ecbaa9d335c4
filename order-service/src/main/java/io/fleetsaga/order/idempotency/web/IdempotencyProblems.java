package io.fleetsaga.order.idempotency.web;

import io.fleetsaga.order.idempotency.IdempotencyClaimLostException;
import io.fleetsaga.order.idempotency.IdempotencyMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * A request whose claim on its key was taken over (it ran longer than {@code abandon-after}) has rolled back:
 * answered like a request that is in progress (409, {@code Retry-After}), because its retry gets the response
 * of the request that took over. Ordered before the API's catch-all problem handling.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class IdempotencyProblems {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyProblems.class);

    private final IdempotencyMetrics metrics;

    IdempotencyProblems(IdempotencyMetrics metrics) {
        this.metrics = metrics;
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> claimLost(IdempotencyClaimLostException e) {
        metrics.counted(IdempotencyMetrics.Result.CLAIM_LOST);
        log.warn("request rolled back: {}", e.getMessage());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.CONFLICT,
                "a retry with this " + IdempotencyFilter.HEADER + " took this request over (it ran longer than"
                        + " abandon-after); nothing of this request was committed. Retry to get the response of the"
                        + " request that took over");
        problem.setTitle("Request in progress");
        return ResponseEntity.status(HttpStatus.CONFLICT)
                .header(HttpHeaders.RETRY_AFTER, "1")
                .body(problem);
    }
}
