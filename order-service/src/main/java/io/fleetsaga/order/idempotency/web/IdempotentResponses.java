package io.fleetsaga.order.idempotency.web;

import io.fleetsaga.order.idempotency.IdempotencyKeys;
import io.fleetsaga.order.idempotency.IdempotentRequest;
import io.fleetsaga.order.idempotency.StoredResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * How a controller stores its response under the request's {@code Idempotency-Key} <em>in the transaction of the
 * effect</em> — the heart of "a committed request never runs twice" ({@link IdempotencyFilter}).
 *
 * <p>A use case accepts a hook that it runs inside its transaction, after its change and before the commit
 * ({@code Consumer} of its result); {@link #recording} builds that hook from the controller's own rendering of
 * the response: the response is stored under the key's claim token with the effect, and if the claim was taken
 * over meanwhile the transaction rolls back. Without a key (or outside a request) the hook does nothing.
 *
 * <p>For a batch whose items are transactions of their own, {@link #recordingItem} stores each applied item with
 * it and {@link #recordedItems} gives a retry of the same batch the items applied before; {@link #notFinal}
 * tells the filter that the response must not be stored, because a retry may end differently.
 */
@Component
public class IdempotentResponses {

    static final String CLAIM = IdempotentResponses.class.getName() + ".claim";
    static final String STORED_WITH_EFFECT = IdempotentResponses.class.getName() + ".storedWithEffect";
    static final String NOT_FINAL = IdempotentResponses.class.getName() + ".notFinal";

    private final IdempotencyKeys keys;
    private final ObjectMapper mapper;

    IdempotentResponses(IdempotencyKeys keys, ObjectMapper mapper) {
        this.keys = keys;
        this.mapper = mapper;
    }

    /**
     * A hook for the use case's transaction that stores {@code response.apply(result)} as the outcome of the
     * current request's key, in that transaction.
     *
     * @throws io.fleetsaga.order.idempotency.IdempotencyClaimLostException (from the hook, inside the
     *     transaction) when a retry took the key over: the transaction rolls back
     */
    public <T> Consumer<T> recording(Function<? super T, ? extends ResponseEntity<?>> response) {
        HttpServletRequest request = currentRequest();
        IdempotentRequest claim = claimOf(request);
        if (claim == null) {
            return result -> {};
        }
        return result -> {
            keys.completeWithEffect(claim, stored(response.apply(result)));
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    request.setAttribute(STORED_WITH_EFFECT, Boolean.TRUE);
                }
            });
        };
    }

    /** A hook for an item's transaction that stores {@code item.apply(result)} as the applied item {@code index}. */
    public <T> Consumer<T> recordingItem(int index, Function<? super T, ?> item) {
        IdempotentRequest claim = claimOf(currentRequest());
        if (claim == null) {
            return result -> {};
        }
        return result -> keys.recordItem(claim, index, json(item.apply(result)));
    }

    /** The items that earlier runs of this very batch with this key applied, by index; empty without a key. */
    public <R> Map<Integer, R> recordedItems(Class<R> type) {
        IdempotentRequest claim = claimOf(currentRequest());
        Map<Integer, R> items = new HashMap<>();
        if (claim != null) {
            keys.items(claim).forEach((index, json) -> items.put(index, read(json, type)));
        }
        return items;
    }

    /** The current response is not final (a retry may end differently): free the key instead of storing it. */
    public void notFinal() {
        HttpServletRequest request = currentRequest();
        if (request != null) {
            request.setAttribute(NOT_FINAL, Boolean.TRUE);
        }
    }

    private StoredResponse stored(ResponseEntity<?> response) {
        HttpHeaders headers = response.getHeaders();
        Object body = response.getBody();
        MediaType contentType = headers.getContentType();
        URI location = headers.getLocation();
        return new StoredResponse(
                response.getStatusCode().value(),
                contentType != null ? contentType.toString() : body == null ? null : MediaType.APPLICATION_JSON_VALUE,
                headers.getETag(),
                location == null ? null : location.toString(),
                body == null ? new byte[0] : json(body));
    }

    private byte[] json(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialise " + value, e);
        }
    }

    private <R> R read(byte[] json, Class<R> type) {
        try {
            return mapper.readValue(json, type);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot read a recorded " + type.getSimpleName(), e);
        }
    }

    private static HttpServletRequest currentRequest() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes
                ? attributes.getRequest()
                : null;
    }

    private static IdempotentRequest claimOf(HttpServletRequest request) {
        return request != null && request.getAttribute(CLAIM) instanceof IdempotentRequest claim ? claim : null;
    }
}
