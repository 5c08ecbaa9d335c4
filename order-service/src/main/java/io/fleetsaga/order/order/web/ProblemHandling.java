package io.fleetsaga.order.order.web;

import io.fleetsaga.common.web.FieldProblem;
import io.fleetsaga.common.web.ProblemMapping;
import io.fleetsaga.order.order.IllegalTransitionException;
import io.fleetsaga.order.order.OrderConflictException;
import io.fleetsaga.order.order.OrderExistsException;
import io.fleetsaga.order.order.OrderNotFoundException;
import io.fleetsaga.order.order.OrderVersionMismatchException;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/**
 * The dispatcher API's own problems, declared once ({@link Problems} builds them, so that a single call and an
 * item of a batch report a failure the same way); every other error is answered by the kit's shared error
 * contract ({@code io.fleetsaga.common.web}).
 */
@Configuration(proxyBeanMethods = false)
class ProblemHandling {

    @Bean
    ProblemMapping<OrderNotFoundException> orderNotFound() {
        return ProblemMapping.of(
                OrderNotFoundException.class,
                e -> ResponseEntity.status(HttpStatus.NOT_FOUND).body(Problems.notFound(e)));
    }

    @Bean
    ProblemMapping<OrderExistsException> orderExists() {
        return ProblemMapping.of(
                OrderExistsException.class,
                e -> ResponseEntity.status(HttpStatus.CONFLICT).body(Problems.exists(e)));
    }

    @Bean
    ProblemMapping<IllegalTransitionException> illegalTransition() {
        return ProblemMapping.of(
                IllegalTransitionException.class,
                e -> ResponseEntity.status(HttpStatus.CONFLICT).body(Problems.illegalTransition(e)));
    }

    @Bean
    ProblemMapping<OrderVersionMismatchException> versionMismatch() {
        return ProblemMapping.of(
                OrderVersionMismatchException.class,
                e -> ResponseEntity.status(HttpStatus.PRECONDITION_FAILED)
                        .eTag(ETags.of(e.currentVersion()))
                        .body(Problems.versionMismatch(e)));
    }

    @Bean
    ProblemMapping<MalformedIfMatchException> malformedIfMatch() {
        return ProblemMapping.of(MalformedIfMatchException.class, e -> {
            ProblemDetail problem = Problems.invalid(e.getMessage());
            problem.setProperty("errors", List.of(new FieldProblem(HttpHeaders.IF_MATCH, e.getMessage())));
            return ResponseEntity.badRequest().body(problem);
        });
    }

    @Bean
    ProblemMapping<OrderConflictException> concurrentModification() {
        return ProblemMapping.of(
                OrderConflictException.class,
                e -> ResponseEntity.status(HttpStatus.CONFLICT)
                        .header(HttpHeaders.RETRY_AFTER, "1")
                        .body(Problems.concurrentModification(e)));
    }
}
