package io.fleetsaga.common.security;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.web.AuthenticationEntryPoint;

/**
 * JWT bearer tokens ({@code Authorization: Bearer <jwt>}) checked by the application's {@link JwtDecoder} — Spring
 * Boot's, built from {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} or {@code jwk-set-uri}: signature
 * against the issuer's published keys (fetched once and cached by the decoder), issuer, expiry and not-before. The
 * roles come from the claim {@code fleetsaga.security.jwt.roles-claim} ({@link JwtRoles}). A refused token is a 401
 * problem with the RFC 6750 challenge ({@code Bearer error="invalid_token", …}).
 */
final class JwtBearerTokens implements BearerTokens {

    private final ObjectProvider<JwtDecoder> decoders;
    private final String rolesClaim;

    JwtBearerTokens(ObjectProvider<JwtDecoder> decoders, String rolesClaim) {
        this.decoders = decoders;
        this.rolesClaim = rolesClaim;
    }

    @Override
    public boolean configure(HttpSecurity http, ProblemResponses problems) throws Exception {
        JwtDecoder decoder = decoders.getIfAvailable();
        if (decoder == null) {
            throw new IllegalStateException("spring.security.oauth2.resourceserver.jwt.* is set but there is no"
                    + " JwtDecoder: add spring-boot-starter-security-oauth2-resource-server");
        }
        JwtAuthenticationProvider provider = new JwtAuthenticationProvider(decoder);
        provider.setJwtAuthenticationConverter(new JwtRoles(rolesClaim));
        http.oauth2ResourceServer(server -> server.jwt(jwt -> jwt.authenticationManager(new ProviderManager(provider)))
                .authenticationEntryPoint(invalidToken(problems)));
        return true;
    }

    private static AuthenticationEntryPoint invalidToken(ProblemResponses problems) {
        BearerTokenAuthenticationEntryPoint challenge = new BearerTokenAuthenticationEntryPoint();
        challenge.setRealmName("fleet-saga");
        return (request, response, e) -> {
            // Spring's entry point writes the RFC 6750 challenge (error code, description) into the header
            challenge.commence(request, response, e);
            problems.invalidToken(request, response, response.getHeader(HttpHeaders.WWW_AUTHENTICATE));
        };
    }
}
