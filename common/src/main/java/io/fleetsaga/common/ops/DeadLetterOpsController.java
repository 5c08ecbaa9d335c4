package io.fleetsaga.common.ops;

import io.fleetsaga.common.deadletter.DeadLetterAddress;
import io.fleetsaga.common.deadletter.DeadLetterException;
import io.fleetsaga.common.deadletter.DeadLetterOperations;
import java.net.URI;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Ops API of the dead letters, the same in both services (role OPS): the service's dead-letter topics with what they
 * keep and what is pending, the dead letters of a partition with their error and first bytes, replaying one or all
 * of them to the topic they came from, and discarding one that can never be applied. Replaying is safe because the
 * consumers are idempotent (see {@link DeadLetterOperations}). Errors are RFC 9457 problems: an unknown topic or a
 * bad parameter 400, no such dead letter 404, one that was replayed or discarded before 409, a broker that does not
 * answer 503.
 */
@RestController
@RequestMapping("/api/ops/dead-letters")
class DeadLetterOpsController {

    private static final String PROBLEM = "urn:fleet-saga:problem:";

    private final DeadLetterOperations deadLetters;

    DeadLetterOpsController(DeadLetterOperations deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GetMapping
    Topics topics() {
        return new Topics(deadLetters.summary());
    }

    @GetMapping("/{topic}/{partition}")
    DeadLetterOperations.Page list(
            @PathVariable String topic,
            @PathVariable int partition,
            @RequestParam(required = false) Long from,
            @RequestParam(defaultValue = "50") int limit) {
        return deadLetters.list(topic, partition, from, limit);
    }

    @PostMapping("/{topic}/{partition}/{offset}/replay")
    DeadLetterOperations.Replay replay(
            @PathVariable String topic,
            @PathVariable int partition,
            @PathVariable long offset,
            @RequestParam(defaultValue = "false") boolean force) {
        return deadLetters.replay(new DeadLetterAddress(topic, partition, offset), force);
    }

    @PostMapping("/{topic}/{partition}/{offset}/discard")
    DeadLetterOperations.Handled discard(
            @PathVariable String topic, @PathVariable int partition, @PathVariable long offset) {
        return deadLetters.discard(new DeadLetterAddress(topic, partition, offset));
    }

    @PostMapping("/replay")
    DeadLetterOperations.ReplayAll replayAll(
            @RequestParam(required = false) String topic, @RequestParam(defaultValue = "1000") int limit) {
        return deadLetters.replayAll(topic, limit);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> failed(DeadLetterException e) {
        ProblemDetail problem = switch (e.reason()) {
            case UNKNOWN_TOPIC ->
                problem(
                        HttpStatus.BAD_REQUEST,
                        "dead-letter-topic-unknown",
                        "Not a dead-letter topic of this service",
                        e);
            case NOT_FOUND -> problem(HttpStatus.NOT_FOUND, "dead-letter-not-found", "Dead letter not found", e);
            case ALREADY_HANDLED ->
                problem(HttpStatus.CONFLICT, "dead-letter-handled", "Dead letter already handled", e);
            case BROKER_UNAVAILABLE ->
                problem(HttpStatus.SERVICE_UNAVAILABLE, "broker-unavailable", "Broker unavailable", e);
        };
        ResponseEntity.BodyBuilder response = ResponseEntity.status(problem.getStatus());
        if (e.reason() == DeadLetterException.Reason.BROKER_UNAVAILABLE) {
            response.header("Retry-After", "10");
        }
        return response.body(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> invalid(IllegalArgumentException e) {
        return ResponseEntity.badRequest()
                .body(problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", e));
    }

    private static ProblemDetail problem(HttpStatus status, String type, String title, RuntimeException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        problem.setType(URI.create(PROBLEM + type));
        problem.setTitle(title);
        return problem;
    }

    record Topics(List<DeadLetterOperations.TopicSummary> topics) {}
}
