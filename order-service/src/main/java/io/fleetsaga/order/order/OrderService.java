package io.fleetsaga.order.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.outbox.OutboxWriter;
import io.fleetsaga.order.messaging.OrderTopics;
import java.time.Clock;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Order use cases; one transaction each: load, change, save, append the resulting event to the outbox. */
@Service
public class OrderService {

    private final FleetOrderRepository orders;
    private final OutboxWriter outbox;
    private final ObjectMapper mapper;
    private final Clock clock;

    OrderService(FleetOrderRepository orders, OutboxWriter outbox, ObjectMapper mapper) {
        this.orders = orders;
        this.outbox = outbox;
        this.mapper = mapper;
        this.clock = Clock.systemUTC();
    }

    /** Creates an order; false when an order with that id exists already. */
    @Transactional
    public Optional<FleetOrder> create(String orderId) {
        if (orders.existsById(orderId)) {
            return Optional.empty();
        }
        FleetOrder order = orders.saveAndFlush(FleetOrder.create(orderId, clock.instant()));
        publishState(order);
        return Optional.of(order);
    }

    @Transactional(readOnly = true)
    public Optional<FleetOrder> find(String orderId) {
        return orders.findById(orderId);
    }

    private void publishState(FleetOrder order) {
        OrderStateChanged state =
                new OrderStateChanged(order.id(), order.taskId(), order.status().name(), order.version());
        outbox.append(
                OrderTopics.ORDER_EVENTS,
                EventEnvelope.of(
                        OrderStateChanged.TYPE,
                        OrderStateChanged.AGGREGATE_TYPE,
                        order.id(),
                        order.version(),
                        json(state)));
    }

    private String json(Object payload) {
        try {
            return mapper.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + payload, e);
        }
    }
}
