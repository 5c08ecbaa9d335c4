package io.fleetsaga.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.security.oauth2.server.authorization.autoconfigure.servlet.OAuth2AuthorizationServerAutoConfiguration;
import org.springframework.boot.security.oauth2.server.authorization.autoconfigure.servlet.OAuth2AuthorizationServerJwtAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * JWT bearer tokens from a real token issuer: Spring Authorization Server in-process issues client-credentials
 * tokens with a {@code roles} claim; the kit's resource server (configured only by {@code issuer-uri}: discovery and
 * keys from the issuer) accepts them under the same rules as HTTP Basic users, and refuses expired, malformed and
 * foreign tokens with 401 problems carrying the RFC 6750 challenge.
 */
@SpringBootTest(
        classes = JwtBearerTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "fleetsaga.security.users[0].name=dispatcher",
            "fleetsaga.security.users[0].password={noop}d-secret",
            "fleetsaga.security.users[0].roles=DISPATCHER"
        })
class JwtBearerTests {

    private static ConfigurableApplicationContext issuer;
    private static String issuerUri;

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void issuer(DynamicPropertyRegistry registry) {
        issuer = new SpringApplicationBuilder(Issuer.class)
                .properties("server.port=0", "spring.application.name=issuer")
                .properties(client("dispatcher"))
                .properties(client("ops"))
                .properties(client("expired"))
                .properties(client("nobody"))
                .run();
        issuerUri = "http://127.0.0.1:" + issuer.getEnvironment().getProperty("local.server.port");
        registry.add("spring.security.oauth2.resourceserver.jwt.issuer-uri", () -> issuerUri);
    }

    /** A confidential client {@code <name>-client} / {@code <name>-secret} with the client-credentials grant. */
    private static String[] client(String name) {
        String prefix = "spring.security.oauth2.authorizationserver.client." + name + ".registration.";
        return List.of(
                        prefix + "client-id=" + name + "-client",
                        prefix + "client-secret={noop}" + name + "-secret",
                        prefix + "client-authentication-methods=client_secret_basic",
                        prefix + "authorization-grant-types=client_credentials")
                .toArray(String[]::new);
    }

    @AfterAll
    static void stopIssuer() {
        if (issuer != null) {
            issuer.close();
        }
    }

    @Test
    void aTokenWithAnAllowedRoleIsAccepted() throws Exception {
        String dispatcher = token("dispatcher");
        String ops = token("ops");

        assertThat(call("POST", "/api/things", dispatcher).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/things", dispatcher).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/ops/runs", ops).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/things", ops).statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenWithTheWrongRoleOrNoneIs403() throws Exception {
        HttpResponse<String> forbidden = call("GET", "/api/ops/runs", token("dispatcher"));

        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(call("POST", "/api/things", token("ops")).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/api/things", token("nobody")).statusCode()).isEqualTo(403);
    }

    @Test
    void anExpiredTokenOfTheIssuerIs401WithTheBearerChallenge() throws Exception {
        HttpResponse<String> expired = call("GET", "/api/things", token("expired"));

        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(expired.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(challenge -> assertThat(challenge)
                        .startsWith("Bearer")
                        .contains("error=\"invalid_token\"")
                        .contains("expired"));
        assertThat(expired.body()).contains("\"status\":401");
    }

    @Test
    void aMalformedTokenIs401() throws Exception {
        HttpResponse<String> garbage = call("GET", "/api/things", "not-a-jwt");

        assertThat(garbage.statusCode()).isEqualTo(401);
        assertThat(garbage.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(challenge -> assertThat(challenge).contains("invalid_token"));
    }

    @Test
    void aTokenOfAnotherIssuerIs401() throws Exception {
        // well-formed, unexpired, with the right role — but signed by a key the issuer never published
        RSAKey foreignKey = new RSAKeyGenerator(2048).keyID("foreign").generate();
        for (String iss : List.of("https://foreign.example", issuerUri)) {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID(foreignKey.getKeyID())
                            .build(),
                    new JWTClaimsSet.Builder()
                            .issuer(iss)
                            .subject("intruder")
                            .claim("roles", List.of("DISPATCHER", "OPS"))
                            .issueTime(new Date())
                            .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                            .build());
            jwt.sign(new RSASSASigner(foreignKey));

            assertThat(call("GET", "/api/things", jwt.serialize()).statusCode())
                    .as("issuer %s", iss)
                    .isEqualTo(401);
        }
    }

    @Test
    void withoutCredentialsBothSchemesAreOfferedAndBasicStillWorks() throws Exception {
        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(local("/api/things")));

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().allValues("WWW-Authenticate"))
                .containsExactly(ProblemResponses.BASIC_CHALLENGE, ProblemResponses.BEARER_CHALLENGE);
        String basic = "Basic " + Base64.getEncoder().encodeToString("dispatcher:d-secret".getBytes());
        assertThat(send(HttpRequest.newBuilder(local("/api/things")).header("Authorization", basic))
                        .statusCode())
                .isEqualTo(200);
    }

    /** A client-credentials token from the issuer's token endpoint. */
    private String token(String client) throws Exception {
        String credentials = Base64.getEncoder()
                .encodeToString((client + "-client:" + client + "-secret").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(issuerUri + "/oauth2/token"))
                        .header("Authorization", "Basic " + credentials)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JsonMapper.builder()
                .build()
                .readTree(response.body())
                .get("access_token")
                .asString();
    }

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        return send(HttpRequest.newBuilder(local(path))
                .header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI local(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /**
     * The token issuer: Spring Boot's auto-configured authorization server with the clients above; the roles claim
     * by client, and an already expired token (beyond the resource server's 60 s clock skew) for the
     * {@code expired} client.
     */
    @SpringBootConfiguration
    @EnableAutoConfiguration(
            exclude = {
                DataSourceAutoConfiguration.class,
                KafkaAutoConfiguration.class,
                ApiSecurityAutoConfiguration.class
            })
    static class Issuer {

        @Bean
        OAuth2TokenCustomizer<JwtEncodingContext> rolesClaim() {
            return context -> {
                switch (context.getRegisteredClient().getClientId()) {
                    case "dispatcher-client" -> context.getClaims().claim("roles", List.of(Roles.DISPATCHER));
                    case "ops-client" -> context.getClaims().claim("roles", List.of(Roles.OPS));
                    case "expired-client" ->
                        context.getClaims()
                                .claim("roles", List.of(Roles.DISPATCHER))
                                .issuedAt(Instant.now().minusSeconds(600))
                                .notBefore(Instant.now().minusSeconds(600))
                                .expiresAt(Instant.now().minusSeconds(300));
                    default -> {
                        // no roles claim
                    }
                }
            };
        }
    }

    /** A resource server with the kit's security; the issuer's own auto-configuration stays out of it. */
    @SpringBootApplication(
            exclude = {
                DataSourceAutoConfiguration.class,
                KafkaAutoConfiguration.class,
                OAuth2AuthorizationServerAutoConfiguration.class,
                OAuth2AuthorizationServerJwtAutoConfiguration.class
            })
    @RestController
    static class App {

        @GetMapping({"/api/things", "/api/ops/runs"})
        String read() {
            return "ok";
        }

        @PostMapping("/api/things")
        String write() {
            return "done";
        }
    }
}
