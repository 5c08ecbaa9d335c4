package io.fleetsaga.order.order.web;

import io.fleetsaga.order.order.OrderLogContext;
import io.micrometer.common.KeyValue;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import org.slf4j.MDC;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.ServerHttpObservationFilter;
import org.springframework.web.servlet.AsyncHandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Names the order of a request whose path carries one ({@code /api/orders/{orderId}/…}) in the logging context
 * ({@value OrderLogContext#ORDER_ID}) for the handling of the request, and as the {@code order.id} tag of the request's
 * span, so that a trace can be found by order id. Requests naming orders only in their body (create, batch status
 * changes) are not covered.
 */
@Configuration(proxyBeanMethods = false)
class OrderLogContextInterceptor implements AsyncHandlerInterceptor, WebMvcConfigurer {

    private static final String PATH_VARIABLE = "orderId";

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/api/orders/**");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> variables
                && variables.get(PATH_VARIABLE) instanceof String orderId) {
            MDC.put(OrderLogContext.ORDER_ID, orderId);
            ServerHttpObservationFilter.findObservationContext(request)
                    .ifPresent(observation -> observation.addHighCardinalityKeyValue(KeyValue.of("order.id", orderId)));
        }
        return true;
    }

    /** The request continues on another thread (and comes back through {@link #preHandle}): none stays here. */
    @Override
    public void afterConcurrentHandlingStarted(
            HttpServletRequest request, HttpServletResponse response, Object handler) {
        MDC.remove(OrderLogContext.ORDER_ID);
    }

    @Override
    public void afterCompletion(
            HttpServletRequest request, HttpServletResponse response, Object handler, Exception failure) {
        MDC.remove(OrderLogContext.ORDER_ID);
    }
}
