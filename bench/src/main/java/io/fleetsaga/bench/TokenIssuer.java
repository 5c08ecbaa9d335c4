package io.fleetsaga.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token issuer for the benchmark: an RSA key (RS256, 2048 bits, as most issuers use), its JWK set served on
 * 127.0.0.1 ({@link #jwkSetUri()}, what {@code spring.security.oauth2.resourceserver.jwt.jwk-set-uri} points to) and
 * signed tokens with a {@code roles} claim. Counts how often the key set was fetched (the resource server caches it).
 */
final class TokenIssuer implements AutoCloseable {

    static final String ISSUER = "https://issuer.bench.local";

    private final RSAKey key;
    private final HttpServer server;
    private final AtomicInteger keySetFetches = new AtomicInteger();

    TokenIssuer() throws JOSEException, IOException {
        key = new RSAKeyGenerator(2048).keyID("bench").generate();
        byte[] keySet = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks", exchange -> {
            keySetFetches.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, keySet.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(keySet);
            }
        });
        server.start();
    }

    String jwkSetUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
    }

    int keySetFetches() {
        return keySetFetches.get();
    }

    String token(String subject, List<String> roles, Duration validFor) throws JOSEException {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder()
                        .issuer(ISSUER)
                        .subject(subject)
                        .claim("roles", roles)
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plus(validFor)))
                        .build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
