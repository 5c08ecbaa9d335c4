package io.fleetsaga.order.idempotency.web;

import io.fleetsaga.common.web.ProblemMapping;
import io.fleetsaga.common.web.Problems;
import io.fleetsaga.order.idempotency.IdempotencyClaimLostException;
import io.fleetsaga.order.idempotency.IdempotencyMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * A request whose claim on its key was taken over (it ran longer than {@code abandon-after}) has rolled back:
 * answered like a request that is in progress (409 {@code request-in-progress}, {@code Retry-After}), because its
 * retry gets the response of the request that took over.
 */
@Configuration(proxyBeanMethods = false)
class IdempotencyProblems {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyProblems.class);

    @Bean
    ProblemMapping<IdempotencyClaimLostException> claimLost(IdempotencyMetrics metrics) {
        return ProblemMapping.of(IdempotencyClaimLostException.class, e -> {
            metrics.counted(IdempotencyMetrics.Result.CLAIM_LOST);
            log.warn("request rolled back: {}", e.getMessage());
            return ResponseEntity.status(HttpStatus.CONFLICT)
                    .header(HttpHeaders.RETRY_AFTER, "1")
                    .body(Problems.of(
                            HttpStatus.CONFLICT,
                            "request-in-progress",
                            "Request in progress",
                            "a retry with this " + IdempotencyFilter.HEADER + " took this request over (it ran longer"
                                    + " than abandon-after); nothing of this request was committed. Retry to get the"
                                    + " response of the request that took over"));
        });
    }
}
