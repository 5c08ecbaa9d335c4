package io.fleetsaga.assignment.task;

import java.util.function.ToIntFunction;

/**
 * The counter weights of a link ({@link OrderLink#assignedWeight()}, {@link OrderLink#deliveredWeight()}) as SQL
 * expressions over a link's status column, for statements that compute a task's expected counters from its links
 * in the database ({@code SUM(<expression>)}).
 *
 * <p>The expressions are generated from the Java weights, one {@code WHEN} per {@link OrderStatus}, so the database
 * and {@link LinkChange} count alike by construction and a changed weight changes both. A status the enum does not
 * know, and a {@code NULL} status (the missing side of an outer join), weigh {@code NULL}: {@code SUM} skips them,
 * so a task without links sums to {@code NULL}, to be read with {@code COALESCE(…, 0)}.
 *
 * <p>Column names are trusted code, never user input.
 */
public final class CounterWeightsSql {

    private CounterWeightsSql() {}

    /** How much a link in the status held by {@code statusColumn} adds to its task's {@code assigned_count}. */
    public static String assigned(String statusColumn) {
        return caseOf(statusColumn, OrderLink::assignedWeight);
    }

    /** How much a link in the status held by {@code statusColumn} adds to its task's {@code delivered_count}. */
    public static String delivered(String statusColumn) {
        return caseOf(statusColumn, OrderLink::deliveredWeight);
    }

    private static String caseOf(String statusColumn, ToIntFunction<OrderLink> weight) {
        StringBuilder sql = new StringBuilder("(CASE ").append(statusColumn);
        for (OrderStatus status : OrderStatus.values()) {
            int w = weight.applyAsInt(new OrderLink("-", "-", status, 0));
            sql.append(" WHEN '").append(status.name()).append("' THEN ").append(w);
        }
        return sql.append(" END)").toString();
    }
}
