package io.fleetsaga.order.order.web;

import io.fleetsaga.order.order.IllegalTransitionException;
import io.fleetsaga.order.order.OrderConflictException;
import io.fleetsaga.order.order.OrderExistsException;
import io.fleetsaga.order.order.OrderNotFoundException;
import io.fleetsaga.order.order.OrderVersionMismatchException;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * The RFC 9457 problems of the dispatcher API, one factory per failure, so that a single call and an item
 * of a batch report the same failure the same way. Types are URNs: stable identifiers, not links.
 */
final class Problems {

    private static final String CONCURRENT_MODIFICATION = "concurrent-modification";

    private Problems() {}

    /** The type of {@link #concurrentModification}: a retry may succeed. */
    static URI concurrentModificationType() {
        return io.fleetsaga.common.web.Problems.type(CONCURRENT_MODIFICATION);
    }

    static ProblemDetail notFound(OrderNotFoundException e) {
        ProblemDetail problem = of(HttpStatus.NOT_FOUND, "order-not-found", "Order not found", e.getMessage());
        problem.setProperty("orderId", e.orderId());
        return problem;
    }

    static ProblemDetail exists(OrderExistsException e) {
        return of(HttpStatus.CONFLICT, "order-exists", "Order exists", e.getMessage());
    }

    static ProblemDetail illegalTransition(IllegalTransitionException e) {
        ProblemDetail problem = of(HttpStatus.CONFLICT, "illegal-transition", "Illegal transition", e.getMessage());
        problem.setProperty("orderId", e.orderId());
        problem.setProperty("currentStatus", e.currentStatus().name());
        problem.setProperty("action", e.action().name());
        return problem;
    }

    static ProblemDetail versionMismatch(OrderVersionMismatchException e) {
        ProblemDetail problem =
                of(HttpStatus.PRECONDITION_FAILED, "version-mismatch", "Order version mismatch", e.getMessage());
        problem.setProperty("orderId", e.orderId());
        problem.setProperty("currentVersion", e.currentVersion());
        problem.setProperty("currentStatus", e.currentStatus().name());
        return problem;
    }

    static ProblemDetail concurrentModification(OrderConflictException e) {
        return of(
                HttpStatus.CONFLICT,
                CONCURRENT_MODIFICATION,
                "Concurrent modification",
                e.getMessage() + "; read the order and retry");
    }

    static ProblemDetail invalid(String detail) {
        return of(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail);
    }

    static ProblemDetail unexpected() {
        return of(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "internal-error",
                "Internal error",
                "the request failed unexpectedly; it is safe to retry with the same Idempotency-Key");
    }

    static ProblemDetail of(HttpStatus status, String type, String title, String detail) {
        return io.fleetsaga.common.web.Problems.of(status, type, title, detail);
    }
}
