package io.fleetsaga.assignment.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.assignment.support.RealInfrastructureTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The database evaluates the SQL weights to the Java weights ({@link OrderLink}) for every order status. */
class CounterWeightsSqlIT extends RealInfrastructureTest {

    @ParameterizedTest
    @EnumSource(OrderStatus.class)
    void theDatabaseWeighsALinkLikeTheCounterDeltasDo(OrderStatus status) {
        OrderLink link = new OrderLink("o-1", "t-1", status, 1);

        assertThat(evaluate(CounterWeightsSql.assigned("s.order_status"), status.name()))
                .as("assigned weight of %s", status)
                .isEqualTo(link.assignedWeight());
        assertThat(evaluate(CounterWeightsSql.delivered("s.order_status"), status.name()))
                .as("delivered weight of %s", status)
                .isEqualTo(link.deliveredWeight());
    }

    @Test
    void aMissingStatusWeighsNull() {
        assertThat(evaluate(CounterWeightsSql.assigned("s.order_status"), null)).isNull();
        assertThat(evaluate(CounterWeightsSql.delivered("s.order_status"), null))
                .isNull();
    }

    private Integer evaluate(String weight, String status) {
        return jdbc.queryForObject(
                "SELECT " + weight + " FROM (SELECT CAST(? AS CHAR(32)) AS order_status) s", Integer.class, status);
    }
}
