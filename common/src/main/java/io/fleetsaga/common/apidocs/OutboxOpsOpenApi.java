package io.fleetsaga.common.apidocs;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * The kit's outbox ops endpoints ({@code common.ops.OutboxOpsController}, which carries no OpenAPI annotations) in
 * the document of every service that has them: operation ids, summaries, their tag and their problem responses.
 * Idempotent.
 */
public class OutboxOpsOpenApi implements OpenApiCustomizer {

    static final String TAG = "Outbox (ops)";

    private static final Map<String, KitOperation> OPERATIONS = Map.of(
            "GET /api/ops/outbox",
            new KitOperation(
                    "getOutboxBacklog",
                    "Read the outbox backlog",
                    "Pending and parked events, the age of the oldest pending one in seconds, and the state of this"
                            + " instance's relay lanes (`UP`, or `BACKING_OFF` since when, after which error, next"
                            + " probe when): a lane whose transport is away backs off instead of parking events.",
                    Map.of()),
            "GET /api/ops/outbox/parked",
            new KitOperation(
                    "listParkedOutboxEvents",
                    "List parked outbox events with their last error",
                    "Events the broker or receiver refused, or that failed for an unknown reason until they used up"
                            + " their attempts, with `failureKind` and `failureReason`; in id order, `limit` 1 to 1000"
                            + " (default 100), the next page with `after` = the answer's `next`; filters"
                            + " `aggregateType` (+ `aggregateId`), `reason`, `topic`.",
                    Map.of("400", "BadRequest")),
            "POST /api/ops/outbox/parked/{eventId}/requeue",
            new KitOperation(
                    "requeueParkedOutboxEvent",
                    "Requeue a parked outbox event",
                    "Once its cause is fixed: the event is PENDING again with fresh attempts and keeps its place in"
                            + " its aggregate's order; 404 when the event is unknown or not parked.",
                    Map.of("400", "BadRequest", "404", "NotFound")),
            "POST /api/ops/outbox/parked/requeue",
            new KitOperation(
                    "requeueParkedOutboxEvents",
                    "Requeue parked outbox events in bulk",
                    "Those of one aggregate (`aggregateType` + `aggregateId`), of an aggregate type, with one failure"
                            + " `reason`, for one `topic` — or, with `all=true` and no filter, all of them. At most"
                            + " `limit` (1 to 1000, default 500) per call, oldest first; each keeps its place in its"
                            + " aggregate's order; `more` says to call again.",
                    Map.of("400", "BadRequest")));

    @Override
    public void customise(OpenAPI openApi) {
        if (openApi.getPaths() == null) {
            return;
        }
        boolean documented = false;
        for (Map.Entry<String, PathItem> path : openApi.getPaths().entrySet()) {
            for (Map.Entry<PathItem.HttpMethod, Operation> operation :
                    path.getValue().readOperationsMap().entrySet()) {
                KitOperation kit = OPERATIONS.get(operation.getKey() + " " + path.getKey());
                if (kit != null) {
                    document(operation.getValue(), kit);
                    documented = true;
                }
            }
        }
        if (documented
                && (openApi.getTags() == null
                        || openApi.getTags().stream().noneMatch(tag -> TAG.equals(tag.getName())))) {
            openApi.addTagsItem(new Tag().name(TAG).description("Backlog and parked events of the outbox (OPS)"));
        }
    }

    private static void document(Operation operation, KitOperation kit) {
        operation
                .operationId(kit.operationId())
                .summary(kit.summary())
                .description(kit.description())
                .tags(List.of(TAG));
        new TreeMap<>(kit.problems())
                .forEach((code, response) ->
                        operation.getResponses().computeIfAbsent(code, c -> new ApiResponse().$ref(response)));
    }

    /** @param problems status code → name of the shared response */
    private record KitOperation(String operationId, String summary, String description, Map<String, String> problems) {}
}
