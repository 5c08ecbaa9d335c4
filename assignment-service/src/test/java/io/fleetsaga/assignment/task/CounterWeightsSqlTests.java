package io.fleetsaga.assignment.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The SQL weights say what the Java weights say, for every order status (evaluated by the database in
 * {@link CounterWeightsSqlIT}).
 */
class CounterWeightsSqlTests {

    static final Pattern WHEN = Pattern.compile("WHEN '([A-Z_]+)' THEN (-?\\d+)");

    @Test
    void theAssignedWeightInSqlIsTheJavaWeightForEveryStatus() {
        assertThat(weightsIn(CounterWeightsSql.assigned("order_status")))
                .isEqualTo(javaWeights(status -> link(status).assignedWeight()));
    }

    @Test
    void theDeliveredWeightInSqlIsTheJavaWeightForEveryStatus() {
        assertThat(weightsIn(CounterWeightsSql.delivered("order_status")))
                .isEqualTo(javaWeights(status -> link(status).deliveredWeight()));
    }

    @Test
    void anUnknownOrMissingStatusWeighsNothingSoAnOuterJoinsEmptySideIsNotCounted() {
        assertThat(CounterWeightsSql.assigned("l.order_status"))
                .startsWith("(CASE l.order_status WHEN ")
                .endsWith(" END)")
                .doesNotContain("ELSE");
        assertThat(CounterWeightsSql.delivered("l.order_status")).doesNotContain("ELSE");
    }

    private static Map<OrderStatus, Integer> weightsIn(String sql) {
        Map<OrderStatus, Integer> weights = new EnumMap<>(OrderStatus.class);
        Matcher when = WHEN.matcher(sql);
        while (when.find()) {
            Integer previous = weights.put(OrderStatus.valueOf(when.group(1)), Integer.valueOf(when.group(2)));
            assertThat(previous).as("one WHEN per status in %s", sql).isNull();
        }
        return weights;
    }

    private static Map<OrderStatus, Integer> javaWeights(Function<OrderStatus, Integer> weight) {
        Map<OrderStatus, Integer> weights = new EnumMap<>(OrderStatus.class);
        for (OrderStatus status : OrderStatus.values()) {
            weights.put(status, weight.apply(status));
        }
        return weights;
    }

    private static OrderLink link(OrderStatus status) {
        return new OrderLink("o-1", "t-1", status, 1);
    }
}
