package io.fleetsaga.common.ops;

import io.fleetsaga.common.outbox.JdbcOutboxStore;
import io.fleetsaga.common.outbox.OutboxStats;
import io.fleetsaga.common.outbox.ParkedEvent;
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
 * Ops API of the outbox, the same in both services (role OPS): the backlog, the parked events with their
 * last error, and re-queueing a parked event once its cause is fixed. A re-queued event starts with fresh
 * attempts and keeps its place in its aggregate's order.
 */
@RestController
@RequestMapping("/api/ops/outbox")
class OutboxOpsController {

    private static final int MAX_LIMIT = 1000;

    private final JdbcOutboxStore store;

    OutboxOpsController(JdbcOutboxStore store) {
        this.store = store;
    }

    @GetMapping
    Backlog backlog() {
        OutboxStats stats = store.stats();
        return new Backlog(
                stats.pending(), stats.parked(), stats.oldestPendingAge().toMillis() / 1000.0);
    }

    @GetMapping("/parked")
    ResponseEntity<?> parked(@RequestParam(defaultValue = "100") int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.BAD_REQUEST, "limit must be between 1 and " + MAX_LIMIT);
            problem.setTitle("Invalid parameter");
            problem.setProperty("field", "limit");
            return ResponseEntity.badRequest().body(problem);
        }
        return ResponseEntity.ok(new Parked(store.listParked(limit)));
    }

    @PostMapping("/parked/{eventId}/requeue")
    ResponseEntity<?> requeue(@PathVariable String eventId) {
        UUID id;
        try {
            id = UUID.fromString(eventId);
        } catch (IllegalArgumentException e) {
            ProblemDetail problem =
                    ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "'" + eventId + "' is not an event id");
            problem.setTitle("Invalid event id");
            problem.setProperty("field", "eventId");
            return ResponseEntity.badRequest().body(problem);
        }
        if (!store.requeue(id)) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.NOT_FOUND, "no parked outbox event " + id + " (unknown, or not parked)");
            problem.setTitle("Parked event not found");
            problem.setProperty("eventId", id.toString());
            return ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem);
        }
        return ResponseEntity.ok(new Requeued(id.toString(), "PENDING"));
    }

    record Backlog(long pending, long parked, double oldestPendingAgeSeconds) {}

    record Parked(List<ParkedEvent> events) {}

    record Requeued(String eventId, String status) {}
}
