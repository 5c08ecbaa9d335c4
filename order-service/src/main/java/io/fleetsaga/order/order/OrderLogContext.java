package io.fleetsaga.order.order;

import org.slf4j.MDC;

/**
 * The order a log line is about, as the logging-context (MDC) field {@value #ORDER_ID}: set while a request names an
 * order and while an event of an order is handled; printed by the log pattern and by the JSON formats
 * (docs/tracing.md).
 */
public final class OrderLogContext {

    public static final String ORDER_ID = "orderId";

    private OrderLogContext() {}

    /** Names {@code orderId} in the logging context until the returned handle is closed. */
    public static MDC.MDCCloseable put(String orderId) {
        return MDC.putCloseable(ORDER_ID, orderId);
    }
}
