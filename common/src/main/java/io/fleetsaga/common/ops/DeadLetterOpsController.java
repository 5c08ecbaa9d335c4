package io.fleetsaga.common.ops;

import io.fleetsaga.common.deadletter.DeadLetterAddress;
import io.fleetsaga.common.deadletter.DeadLetterException;
import io.fleetsaga.common.deadletter.DeadLetterOperations;
import io.fleetsaga.common.web.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
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
@Tag(
        name = "Dead letters (ops)",
        description = "Records the consumers could not apply, kept in <topic>.DLT: list, replay, discard (OPS)")
class DeadLetterOpsController {

    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String PROBLEM_SCHEMA = "#/components/schemas/Problem";

    private final DeadLetterOperations deadLetters;

    DeadLetterOpsController(DeadLetterOperations deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GetMapping
    @Operation(
            operationId = "listDeadLetterTopics",
            summary = "List the dead-letter topics with their kept and pending records",
            description = "The dead-letter topic of every topic this service consumes, with the offsets each partition"
                    + " keeps; `pending` counts the dead letters nobody replayed or discarded yet (the"
                    + " `kafka_dead_letters_pending` gauge). 503 when the broker does not answer.")
    @ApiResponse(responseCode = "200", description = "The topics")
    @ApiResponse(
            responseCode = "503",
            description = "The broker did not answer in time",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(ref = PROBLEM_SCHEMA)))
    DeadLetterTopicList topics() {
        return new DeadLetterTopicList(deadLetters.summary());
    }

    @GetMapping("/{topic}/{partition}")
    @Operation(
            operationId = "listDeadLetters",
            summary = "List the dead letters of a partition with their error and first bytes",
            description = "Oldest first from `from` (default: the first kept offset), at most `limit` (1 to 500,"
                    + " default 50); `nextOffset` starts the next page. Each dead letter names its original topic,"
                    + " partition and offset, the exception, the first bytes of its value (`valueText` if printable"
                    + " UTF-8, else `valueBase64`) and what ops did with it (`handled`). Read without joining any"
                    + " consumer group. 400 for a topic that is not one of this service's dead-letter topics.")
    @ApiResponse(responseCode = "200", description = "One page of dead letters")
    @ApiResponse(
            responseCode = "503",
            description = "The broker did not answer in time",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(ref = PROBLEM_SCHEMA)))
    DeadLetterOperations.DeadLetterPage list(
            @PathVariable @Parameter(description = "A dead-letter topic, e.g. fleet.order.events.DLT") String topic,
            @PathVariable int partition,
            @RequestParam(required = false) @Parameter(description = "First offset to show") Long from,
            @RequestParam(defaultValue = "50") @Parameter(description = "1 to 500") int limit) {
        return deadLetters.list(topic, partition, from, limit);
    }

    @PostMapping("/{topic}/{partition}/{offset}/replay")
    @Operation(
            operationId = "replayDeadLetter",
            summary = "Replay a dead letter to its original topic",
            description = "Once its cause is fixed: publishes the dead letter's key, value and headers (without the"
                    + " `kafka_dlt-*` ones, with `fleetsaga-replayed-from`) to the topic it came from and waits for the"
                    + " broker. Safe because the consumers are idempotent (inbox and version guard). 409 when it was"
                    + " replayed or discarded before, unless `force=true`; 404 when there is no such dead letter.")
    @ApiResponse(responseCode = "200", description = "Replayed: where the copy went")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @ApiResponse(
            responseCode = "503",
            description = "The broker did not answer in time; nothing was recorded, the replay can be repeated",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(ref = PROBLEM_SCHEMA)))
    DeadLetterOperations.DeadLetterReplay replay(
            @PathVariable String topic,
            @PathVariable int partition,
            @PathVariable long offset,
            @RequestParam(defaultValue = "false")
                    @Parameter(description = "Replay again a dead letter that was replayed or discarded before")
                    boolean force) {
        return deadLetters.replay(new DeadLetterAddress(topic, partition, offset), force);
    }

    @PostMapping("/{topic}/{partition}/{offset}/discard")
    @Operation(
            operationId = "discardDeadLetter",
            summary = "Discard a dead letter that can never be applied",
            description = "Marks it handled without replaying it (it stays in the topic until its retention ends and"
                    + " no longer counts as pending). 409 when it was replayed or discarded before.")
    @ApiResponse(responseCode = "200", description = "Discarded")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @ApiResponse(
            responseCode = "503",
            description = "The broker did not answer in time",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(ref = PROBLEM_SCHEMA)))
    DeadLetterOperations.DeadLetterHandled discard(
            @PathVariable String topic, @PathVariable int partition, @PathVariable long offset) {
        return deadLetters.discard(new DeadLetterAddress(topic, partition, offset));
    }

    @PostMapping("/replay")
    @Operation(
            operationId = "replayAllDeadLetters",
            summary = "Replay every pending dead letter to its original topic",
            description = "Of `topic` (default: every dead-letter topic of this service), oldest first per"
                    + " partition, skipping dead letters replayed or discarded before, up to the end offsets read when"
                    + " the request starts (`upTo`) and at most `limit` (1 to 10000, default 1000): a record that fails"
                    + " again comes back as a new dead letter and is not replayed again by this request. `complete` is"
                    + " false when the limit was reached or the broker failed (`error`); call again for the rest.")
    @ApiResponse(responseCode = "200", description = "What was replayed and skipped")
    @ApiResponse(
            responseCode = "503",
            description = "The broker did not answer in time",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(ref = PROBLEM_SCHEMA)))
    DeadLetterOperations.DeadLetterReplayAll replayAll(
            @RequestParam(required = false) @Parameter(description = "One dead-letter topic") String topic,
            @RequestParam(defaultValue = "1000") @Parameter(description = "1 to 10000") int limit) {
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
        return Problems.of(status, type, title, e.getMessage());
    }

    record DeadLetterTopicList(List<DeadLetterOperations.DeadLetterTopic> topics) {}
}
