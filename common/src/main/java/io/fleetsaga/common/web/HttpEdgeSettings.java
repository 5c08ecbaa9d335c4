package io.fleetsaga.common.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The shared HTTP edge ({@code fleetsaga.http.*}).
 *
 * @param maxBodySize the largest request body read; a larger one is answered {@code 413 content-too-large}
 */
@ConfigurationProperties("fleetsaga.http")
public record HttpEdgeSettings(@DefaultValue("1MB") DataSize maxBodySize) {

    public HttpEdgeSettings {
        if (maxBodySize.toBytes() < 1) {
            throw new IllegalArgumentException("fleetsaga.http.max-body-size must be positive");
        }
    }
}
