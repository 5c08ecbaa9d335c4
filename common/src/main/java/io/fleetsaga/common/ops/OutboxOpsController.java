package io.fleetsaga.common.ops;

import io.fleetsaga.common.outbox.JdbcOutboxStore;
import io.fleetsaga.common.outbox.OutboxLaneState;
import io.fleetsaga.common.outbox.OutboxRelay;
import io.fleetsaga.common.outbox.OutboxStats;
import io.fleetsaga.common.outbox.ParkedEvent;
import io.fleetsaga.common.outbox.ParkedFilter;
import io.fleetsaga.common.web.FieldProblem;
import io.fleetsaga.common.web.Problems;
import jakarta.annotation.Nullable;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Ops API of the outbox, the same in both services (role OPS): the backlog and the state of this instance's relay
 * lanes, the parked events with their last error (paged by id, filtered), and re-queueing parked events once their
 * cause is fixed — one, or in bulk by aggregate, by failure reason, by topic, or all. A re-queued event starts with
 * fresh attempts and keeps its place in its aggregate's order. A bulk requeue does at most {@code limit} rows per
 * call (one short transaction); the answer says whether more match.
 */
@RestController
@RequestMapping("/api/ops/outbox")
class OutboxOpsController {

    private static final int MAX_LIMIT = 1000;
    private static final int DEFAULT_REQUEUE_LIMIT = 500;

    private final JdbcOutboxStore store;
    private final List<OutboxRelay> relays;
    private final Clock clock;

    OutboxOpsController(JdbcOutboxStore store, List<OutboxRelay> relays, Clock clock) {
        this.store = store;
        this.relays = relays;
        this.clock = clock;
    }

    @GetMapping
    Backlog backlog() {
        OutboxStats stats = store.stats();
        Instant now = clock.instant();
        List<Lane> lanes = relays.stream()
                .map(OutboxRelay::laneState)
                .map(state -> Lane.of(state, now))
                .toList();
        return new Backlog(
                stats.pending(), stats.parked(), stats.oldestPendingAge().toMillis() / 1000.0, lanes);
    }

    @GetMapping("/parked")
    ResponseEntity<?> parked(
            @RequestParam(defaultValue = "100") int limit,
            @RequestParam(defaultValue = "0") long after,
            @RequestParam(required = false) String aggregateType,
            @RequestParam(required = false) String aggregateId,
            @RequestParam(required = false) String reason,
            @RequestParam(required = false) String topic) {
        if (limit < 1 || limit > MAX_LIMIT) {
            return invalid("limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        if (after < 0) {
            return invalid("after", "after must not be negative");
        }
        if (blank(aggregateType) && !blank(aggregateId)) {
            return invalid("aggregateId", "aggregateId requires aggregateType");
        }
        List<ParkedEvent> events =
                store.listParked(new ParkedFilter(aggregateType, aggregateId, reason, topic), after, limit);
        Long next = events.size() == limit ? events.get(events.size() - 1).id() : null;
        return ResponseEntity.ok(new Parked(events, next));
    }

    /**
     * Requeues parked events in bulk: those of one aggregate ({@code aggregateType} + {@code aggregateId}), of one
     * aggregate type, with one failure reason, for one topic — or, with {@code all=true} and no filter, all of them.
     * At most {@code limit} per call, oldest first; {@code more} says whether to call again.
     */
    @PostMapping("/parked/requeue")
    ResponseEntity<?> requeueParked(
            @RequestParam(required = false) String aggregateType,
            @RequestParam(required = false) String aggregateId,
            @RequestParam(required = false) String reason,
            @RequestParam(required = false) String topic,
            @RequestParam(defaultValue = "false") boolean all,
            @RequestParam(defaultValue = "" + DEFAULT_REQUEUE_LIMIT) int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            return invalid("limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        if (blank(aggregateType) && !blank(aggregateId)) {
            return invalid("aggregateId", "aggregateId requires aggregateType");
        }
        ParkedFilter filter = new ParkedFilter(aggregateType, aggregateId, reason, topic);
        if (filter.matchesAll() != all) {
            return invalid(
                    "all",
                    all
                            ? "all=true requeues every parked event and takes no filter"
                            : "give a filter (aggregateType and aggregateId, reason, topic) or all=true");
        }
        int requeued = store.requeueParked(filter, limit);
        return ResponseEntity.ok(new BulkRequeued(requeued, requeued == limit));
    }

    @PostMapping("/parked/{eventId}/requeue")
    ResponseEntity<?> requeue(@PathVariable String eventId) {
        UUID id;
        try {
            id = UUID.fromString(eventId);
        } catch (IllegalArgumentException e) {
            return invalid("eventId", "must be an event id (a UUID)");
        }
        if (!store.requeue(id)) {
            ProblemDetail problem = Problems.of(
                    HttpStatus.NOT_FOUND,
                    "parked-event-not-found",
                    "Parked event not found",
                    "no parked outbox event " + id + " (unknown, or not parked)");
            problem.setProperty("eventId", id.toString());
            return ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem);
        }
        return ResponseEntity.ok(new Requeued(id.toString(), "PENDING"));
    }

    private static ResponseEntity<ProblemDetail> invalid(String field, String detail) {
        ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail);
        problem.setProperty("errors", List.of(new FieldProblem(field, detail)));
        return ResponseEntity.badRequest().body(problem);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    record Backlog(long pending, long parked, double oldestPendingAgeSeconds, List<Lane> lanes) {}

    /** A relay lane of this instance; the time fields are null when they do not apply. */
    record Lane(
            String lane,
            String status,
            @Nullable Instant since,
            double backingOffSeconds,
            int consecutiveFailures,
            @Nullable String lastError,
            @Nullable Instant nextProbeAt) {

        static Lane of(OutboxLaneState state, Instant now) {
            return new Lane(
                    state.lane(),
                    state.status().name(),
                    state.since(),
                    state.backingOffFor(now).toMillis() / 1000.0,
                    state.consecutiveFailures(),
                    state.lastError(),
                    state.nextProbeAt());
        }
    }

    /** @param next the {@code after} of the next page, null when this page is the last */
    record Parked(List<ParkedEvent> events, @Nullable Long next) {}

    /** @param more whether more parked events may match: call again */
    record BulkRequeued(int requeued, boolean more) {}

    record Requeued(String eventId, String status) {}
}
