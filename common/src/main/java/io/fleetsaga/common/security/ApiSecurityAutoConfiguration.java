package io.fleetsaga.common.security;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import tools.jackson.databind.ObjectMapper;

/**
 * HTTP Basic with configured users and three roles, the same rules in both services:
 *
 * <ul>
 *   <li>{@code /actuator/health}, {@code /actuator/health/**}, {@code /actuator/prometheus}: open (probes and
 *       scraping; health details only for {@code OPS}, by {@code management.endpoint.health.show-details}); the
 *       services expose no other actuator endpoint — one exposed by configuration would need {@code OPS}
 *   <li>the API documentation, {@code /v3/api-docs/**} and Swagger UI ({@code /swagger-ui.html},
 *       {@code /swagger-ui/**}): open, read-only (it describes the API; calling the API still needs credentials)
 *   <li>{@code /api/ops/**}: {@code OPS}
 *   <li>{@code /internal/**}: {@code SERVICE} (the other service)
 *   <li>{@code GET /api/**}: {@code DISPATCHER} or {@code OPS}; every other {@code /api/**} call: {@code DISPATCHER}
 *   <li>{@code GET /console/**}: open — only the ops console's static files (HTML, script, style); every call the
 *       console makes for data goes to {@code /api/**} and {@code /actuator/**} under the rules above
 *   <li>anything else: denied
 * </ul>
 *
 * Stateless (no session, no CSRF: there is no browser session to forge); 401, 403 and 429 are problem details.
 *
 * <p>Authentication: HTTP Basic against the configured users, each credential verified (bcrypt) at most once per
 * {@code fleetsaga.security.basic.cache-ttl} and failed logins bounded per client
 * ({@link CachingBasicAuthenticationProvider}); and, when {@code spring.security.oauth2.resourceserver.jwt.issuer-uri}
 * or {@code jwk-set-uri} is set (Spring Boot then builds the {@code JwtDecoder}), JWT bearer tokens with their roles
 * in a claim ({@link JwtBearerTokens}).
 */
@AutoConfiguration(
        before = {
            SecurityAutoConfiguration.class,
            ServletWebSecurityAutoConfiguration.class,
            ManagementWebSecurityAutoConfiguration.class,
            UserDetailsServiceAutoConfiguration.class
        },
        // the JwtDecoder is Boot's resource server's; its default filter chain backs off in favour of this one
        afterName = "org.springframework.boot.security.oauth2.server.resource.autoconfigure"
                + ".OAuth2ResourceServerAutoConfiguration",
        beforeName = "org.springframework.boot.security.oauth2.server.resource.autoconfigure.web"
                + ".OAuth2ResourceServerWebSecurityAutoConfiguration")
@ConditionalOnClass({SecurityFilterChain.class, HttpSecurity.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(SecuritySettings.class)
public class ApiSecurityAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ApiSecurityAutoConfiguration.class);
    private static final List<String> ROLES = List.of(Roles.DISPATCHER, Roles.OPS, Roles.SERVICE);

    /** The OpenAPI document (JSON, YAML, Swagger UI's config) and Swagger UI (springdoc's default paths). */
    private static final String[] API_DOCS = {
        "/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.yaml", "/swagger-ui.html", "/swagger-ui/**"
    };

    @Bean
    @ConditionalOnMissingBean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    @ConditionalOnMissingBean
    UserDetailsService userDetailsService(SecuritySettings settings) {
        List<UserDetails> users = new ArrayList<>();
        for (SecuritySettings.User user : settings.users()) {
            if (user.name() == null || user.name().isBlank()) {
                throw new IllegalArgumentException("fleetsaga.security.users[].name must not be blank");
            }
            String password = user.password() == null ? "" : user.password();
            if (!password.matches("^\\{[a-z0-9]+}.+")) {
                throw new IllegalArgumentException("password of user '" + user.name()
                        + "' must be encoded with its encoder prefix, e.g. {bcrypt}$2a$10$...");
            }
            if (password.startsWith("{noop}")) {
                log.warn(
                        "user '{}' has a plain-text password ({noop}): acceptable for tests and local runs only",
                        user.name());
            }
            for (String role : user.roles()) {
                if (!ROLES.contains(role)) {
                    throw new IllegalArgumentException(
                            "unknown role '" + role + "' of user '" + user.name() + "'; known: " + ROLES);
                }
            }
            users.add(User.withUsername(user.name())
                    .password(password)
                    .roles(user.roles().toArray(String[]::new))
                    .build());
        }
        if (users.isEmpty()) {
            log.warn("no API users configured (fleetsaga.security.users): every API call will be answered 401");
        }
        return new InMemoryUserDetailsManager(users);
    }

    @Bean
    @ConditionalOnMissingBean
    SecurityFilterChain apiSecurity(
            HttpSecurity http,
            ObjectProvider<ObjectMapper> mapper,
            UserDetailsService users,
            PasswordEncoder passwordEncoder,
            SecuritySettings settings,
            ObjectProvider<BearerTokens> bearerTokens,
            ObjectProvider<MeterRegistry> meterRegistry)
            throws Exception {
        ProblemResponses problems = new ProblemResponses(mapper.getIfAvailable(ObjectMapper::new));
        BearerTokens bearer = bearerTokens.getIfAvailable();
        boolean jwt = bearer != null && bearer.configure(http, problems);
        // this manager alone: no parent that would verify a refused credential a second time, uncached
        MeterRegistry registry = meterRegistry.getIfAvailable();
        Consumer<LoginResult> metrics = registry == null ? result -> {} : new LoginMetrics(registry);
        ProviderManager basic =
                new ProviderManager(basicAuthentication(users, passwordEncoder, settings.basic(), metrics));
        basic.setEraseCredentialsAfterAuthentication(false);
        http.authenticationManager(basic)
                .csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(httpBasic -> httpBasic.authenticationEntryPoint(problems.unauthorized(jwt)))
                .exceptionHandling(exceptions -> exceptions
                        .authenticationEntryPoint(problems.unauthorized(jwt))
                        .accessDeniedHandler(problems.forbidden()))
                .authorizeHttpRequests(requests -> requests.requestMatchers(
                                "/actuator/health", "/actuator/health/**", "/actuator/prometheus")
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, API_DOCS)
                        .permitAll()
                        .requestMatchers("/error")
                        .permitAll()
                        .requestMatchers("/actuator/**")
                        .hasRole(Roles.OPS)
                        .requestMatchers("/api/ops/**")
                        .hasRole(Roles.OPS)
                        .requestMatchers("/internal/**")
                        .hasRole(Roles.SERVICE)
                        .requestMatchers(HttpMethod.GET, "/api/**")
                        .hasAnyRole(Roles.DISPATCHER, Roles.OPS)
                        .requestMatchers("/api/**")
                        .hasRole(Roles.DISPATCHER)
                        .requestMatchers(HttpMethod.GET, "/console", "/console/**")
                        .permitAll()
                        .anyRequest()
                        .denyAll());
        return http.build();
    }

    /** The HTTP Basic verification: cached, failures bounded ({@code fleetsaga.security.basic.*}). */
    private static CachingBasicAuthenticationProvider basicAuthentication(
            UserDetailsService users,
            PasswordEncoder passwordEncoder,
            SecuritySettings.Basic basic,
            Consumer<LoginResult> listener) {
        DaoAuthenticationProvider verification = new DaoAuthenticationProvider(users);
        verification.setPasswordEncoder(passwordEncoder);
        return new CachingBasicAuthenticationProvider(
                verification,
                new CredentialCache(basic.cacheTtl(), basic.failureCacheTtl(), basic.cacheSize()),
                new FailedLoginLimiter(basic.failuresPerClient(), basic.failureWindow(), basic.trackedClients()),
                listener);
    }

    /**
     * JWT bearer tokens, when the resource server is configured: {@code issuer-uri}, {@code jwk-set-uri} or
     * {@code public-key-location} under {@code spring.security.oauth2.resourceserver.jwt} (and the resource-server
     * classes are there: the services bring them). Not merely when some {@code JwtDecoder} bean exists: an
     * authorization server on the classpath (tests) defines one for its own tokens.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = "org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider")
    static class JwtBearerConfiguration {

        static final List<String> RESOURCE_SERVER_PROPERTIES = List.of(
                "spring.security.oauth2.resourceserver.jwt.issuer-uri",
                "spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
                "spring.security.oauth2.resourceserver.jwt.public-key-location");

        @Bean
        @ConditionalOnMissingBean
        BearerTokens jwtBearerTokens(
                ObjectProvider<JwtDecoder> decoders, SecuritySettings settings, Environment environment) {
            boolean configured = RESOURCE_SERVER_PROPERTIES.stream()
                    .anyMatch(name -> !environment.getProperty(name, "").isBlank());
            if (!configured) {
                return (http, problems) -> false;
            }
            return new JwtBearerTokens(decoders, settings.jwt().rolesClaim());
        }
    }
}
