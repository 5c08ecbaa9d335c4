package io.fleetsaga.common.outbox;

import java.util.ArrayList;
import java.util.List;

/**
 * Which parked rows to list or requeue: all of them, or those matching every given criterion.
 *
 * @param aggregateType only rows of this aggregate type; {@code null}: any
 * @param aggregateId only rows of this aggregate (requires {@code aggregateType}); {@code null}: any
 * @param reason only rows whose last failure had this reason ({@link PublishFailure#reason()}, exact); {@code
 *     null}: any
 * @param topic only rows for this topic (e.g. {@code webhook:courier}); {@code null}: any
 */
public record ParkedFilter(String aggregateType, String aggregateId, String reason, String topic) {

    public static final ParkedFilter ALL = new ParkedFilter(null, null, null, null);

    public ParkedFilter {
        aggregateType = blankToNull(aggregateType);
        aggregateId = blankToNull(aggregateId);
        reason = blankToNull(reason);
        topic = blankToNull(topic);
        if (aggregateId != null && aggregateType == null) {
            throw new IllegalArgumentException("aggregateId requires aggregateType");
        }
    }

    public static ParkedFilter aggregate(String aggregateType, String aggregateId) {
        return new ParkedFilter(aggregateType, aggregateId, null, null);
    }

    public static ParkedFilter reason(String reason) {
        return new ParkedFilter(null, null, reason, null);
    }

    /** Whether no criterion is given (every parked row matches). */
    public boolean matchesAll() {
        return aggregateType == null && reason == null && topic == null;
    }

    /** {@code AND …} conditions on the outbox table, one parameter each ({@link #arguments()}). */
    String conditions() {
        StringBuilder sql = new StringBuilder();
        if (aggregateType != null) {
            sql.append(" AND aggregate_type = ?");
        }
        if (aggregateId != null) {
            sql.append(" AND aggregate_id = ?");
        }
        if (reason != null) {
            sql.append(" AND failure_reason = ?");
        }
        if (topic != null) {
            sql.append(" AND topic = ?");
        }
        return sql.toString();
    }

    List<Object> arguments() {
        List<Object> args = new ArrayList<>();
        if (aggregateType != null) {
            args.add(aggregateType);
        }
        if (aggregateId != null) {
            args.add(aggregateId);
        }
        if (reason != null) {
            args.add(reason);
        }
        if (topic != null) {
            args.add(topic);
        }
        return args;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
