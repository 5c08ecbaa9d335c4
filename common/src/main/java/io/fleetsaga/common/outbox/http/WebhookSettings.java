package io.fleetsaga.common.outbox.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Webhook endpoints of the outbox ({@code fleetsaga.outbox.webhooks.<name>.*}): rows whose topic is
 * {@code webhook:<name>} are POSTed to that endpoint's URL.
 *
 * <p>An endpoint without a URL (absent or blank, e.g. {@code url: ${COURIER_WEBHOOK_URL:}} with the variable
 * unset) is <em>not configured</em>: the relay fails (and eventually parks) rows addressed to it, and
 * applications can ask {@link #endpoint(String)} whether to write such rows at all.
 *
 * @param webhooks endpoints by logical name
 */
@ConfigurationProperties("fleetsaga.outbox")
public record WebhookSettings(Map<String, Endpoint> webhooks) {

    public WebhookSettings {
        webhooks = webhooks == null ? Map.of() : Map.copyOf(webhooks);
    }

    /** The endpoint called {@code name}, if it has a URL. */
    public Optional<Endpoint> endpoint(String name) {
        return Optional.ofNullable(webhooks.get(name)).filter(Endpoint::configured);
    }

    /**
     * One receiver.
     *
     * @param url absolute {@code http} or {@code https} URL the events are POSTed to; blank = not configured.
     *     It comes from the environment: a URL may carry a token, so it is never logged or stored with errors
     * @param connectTimeout bound of establishing the connection
     * @param requestTimeout bound from sending the request to receiving the response status
     */
    public record Endpoint(
            String url,
            @DefaultValue("2s") Duration connectTimeout,
            @DefaultValue("5s") Duration requestTimeout) {

        public Endpoint {
            url = url == null ? null : url.trim();
            if (url != null && !url.isEmpty()) {
                requireHttpUrl(url);
            }
            requirePositive(connectTimeout, "connect-timeout");
            requirePositive(requestTimeout, "request-timeout");
        }

        public boolean configured() {
            return url != null && !url.isEmpty();
        }

        public URI uri() {
            return URI.create(url);
        }

        private static void requireHttpUrl(String url) {
            try {
                URI uri = new URI(url);
                String scheme = uri.getScheme();
                if (uri.getHost() == null || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
                    throw new IllegalArgumentException("webhook url must be an absolute http or https URL");
                }
            } catch (URISyntaxException e) {
                // the message would echo the URL, which may carry a token
                throw new IllegalArgumentException("webhook url is not a valid URL");
            }
        }

        private static void requirePositive(Duration duration, String name) {
            if (duration == null || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("webhook " + name + " must be positive");
            }
        }
    }
}
