package io.fleetsaga.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * The cached Basic verification around Spring Security's real {@code DaoAuthenticationProvider} with a counting
 * password encoder: how many password checks each kind of request costs.
 */
class CachingBasicAuthenticationProviderTests {

    private final PasswordEncoder delegating = PasswordEncoderFactories.createDelegatingPasswordEncoder();
    private final AtomicInteger passwordChecks = new AtomicInteger();
    private final AtomicLong nanos = new AtomicLong();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final CachingBasicAuthenticationProvider provider =
            provider(Duration.ofSeconds(60), Duration.ofSeconds(60), 3);

    @Test
    void aRightCredentialIsCheckedOnceWithinTheTtl() {
        for (int i = 0; i < 100; i++) {
            Authentication result = provider.authenticate(basic("dispatcher", "d-secret", "10.0.0.1"));
            assertThat(result.isAuthenticated()).isTrue();
            assertThat(result.getName()).isEqualTo("dispatcher");
            assertThat(result.getAuthorities()).extracting(Object::toString).contains("ROLE_DISPATCHER");
            assertThat(result.getCredentials()).isNull();
            assertThat(((WebAuthenticationDetails) result.getDetails()).getRemoteAddress())
                    .isEqualTo("10.0.0.1");
        }
        assertThat(passwordChecks).hasValue(1);

        nanos.addAndGet(Duration.ofSeconds(60).toNanos());
        provider.authenticate(basic("dispatcher", "d-secret", "10.0.0.1"));
        assertThat(passwordChecks).as("checked again after the TTL").hasValue(2);
    }

    @Test
    void theSameWrongPasswordIsRefusedWithoutAnotherCheck() {
        for (int i = 0; i < 100; i++) {
            assertThatThrownBy(() -> provider.authenticate(basic("dispatcher", "wrong", "10.0.0.1")))
                    .isInstanceOf(BadCredentialsException.class);
        }
        assertThat(passwordChecks).hasValue(1);
        assertThat(provider.authenticate(basic("dispatcher", "d-secret", "10.0.0.1"))
                        .isAuthenticated())
                .as("a single failure does not lock the client out")
                .isTrue();
    }

    @Test
    void manyWrongPasswordsFromOneClientAreAnswered429AfterTheLimitWithoutAnotherCheck() {
        for (int i = 0; i < 3; i++) {
            String password = "wrong-" + i;
            assertThatThrownBy(() -> provider.authenticate(basic("dispatcher", password, "10.0.0.1")))
                    .isInstanceOf(BadCredentialsException.class);
        }
        for (int i = 3; i < 100; i++) {
            String password = "wrong-" + i;
            assertThatThrownBy(() -> provider.authenticate(basic("dispatcher", password, "10.0.0.1")))
                    .isInstanceOf(TooManyFailedLoginsException.class);
        }
        assertThat(passwordChecks).hasValue(3);
        assertThat(provider.authenticate(basic("dispatcher", "d-secret", "10.0.0.2"))
                        .isAuthenticated())
                .as("another client")
                .isTrue();
    }

    @Test
    void unknownUsersCostADummyCheckEachLikeWrongPasswordsAndAreLimitedAlike() {
        for (int i = 0; i < 3; i++) {
            String user = "nobody-" + i;
            assertThatThrownBy(() -> provider.authenticate(basic(user, "x", "10.0.0.1")))
                    .isInstanceOf(BadCredentialsException.class);
        }
        assertThatThrownBy(() -> provider.authenticate(basic("nobody-9", "x", "10.0.0.1")))
                .isInstanceOf(TooManyFailedLoginsException.class);
        // DaoAuthenticationProvider's timing protection: an unknown user costs a (dummy) password check too
        assertThat(passwordChecks).hasValue(3);
    }

    @Test
    void aCachedCredentialStillPassesWhileItsClientIsLimited() {
        provider.authenticate(basic("ops", "o-secret", "10.0.0.1"));
        for (int i = 0; i < 3; i++) {
            String password = "wrong-" + i;
            assertThatThrownBy(() -> provider.authenticate(basic("ops", password, "10.0.0.1")))
                    .isInstanceOf(BadCredentialsException.class);
        }

        assertThat(provider.authenticate(basic("ops", "o-secret", "10.0.0.1")).isAuthenticated())
                .isTrue();
        assertThatThrownBy(() -> provider.authenticate(basic("dispatcher", "d-secret", "10.0.0.1")))
                .as("a credential that needs checking waits for the window")
                .isInstanceOf(TooManyFailedLoginsException.class);
    }

    @Test
    void countsEveryLoginByResult() {
        for (int i = 0; i < 3; i++) {
            provider.authenticate(basic("dispatcher", "d-secret", "10.0.0.1"));
        }
        for (int i = 0; i < 5; i++) {
            String password = "wrong-" + (i % 4);
            try {
                provider.authenticate(basic("dispatcher", password, "10.0.0.1"));
            } catch (AuthenticationException expected) {
                // 401 or 429
            }
        }

        assertThat(logins("verified")).isEqualTo(1);
        assertThat(logins("cached")).isEqualTo(2);
        assertThat(logins("refused")).isEqualTo(3);
        assertThat(logins("limited")).as("wrong-3, beyond the limit").isEqualTo(1);
        assertThat(logins("refused_cached"))
                .as("wrong-0 again, even while limited")
                .isEqualTo(1);
        assertThat(passwordChecks).hasValue(4);
    }

    @Test
    void withTheCacheOffEveryRequestIsChecked() {
        CachingBasicAuthenticationProvider uncached = provider(Duration.ZERO, Duration.ZERO, 0);
        for (int i = 0; i < 5; i++) {
            uncached.authenticate(basic("dispatcher", "d-secret", "10.0.0.1"));
            assertThatThrownBy(() -> uncached.authenticate(basic("dispatcher", "wrong", "10.0.0.1")))
                    .isInstanceOf(BadCredentialsException.class);
        }
        assertThat(passwordChecks).hasValue(10);
    }

    @Test
    void concurrentRequestsOfManyUsersAreEachAnsweredRightWithOneCheckPerCredential() throws Exception {
        CachingBasicAuthenticationProvider real = provider(Duration.ofMinutes(1), Duration.ofMinutes(1), 1_000);
        int threads = 8;
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicInteger wrongAnswers = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 300; i++) {
                        boolean right = (i + thread) % 2 == 0;
                        String user = i % 3 == 0 ? "ops" : "dispatcher";
                        String password = right ? (user.equals("ops") ? "o-secret" : "d-secret") : "wrong";
                        try {
                            Authentication result = real.authenticate(basic(user, password, "10.0.0." + thread));
                            if (!right || !result.getName().equals(user)) {
                                wrongAnswers.incrementAndGet();
                            }
                        } catch (BadCredentialsException e) {
                            if (right) {
                                wrongAnswers.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(wrongAnswers).hasValue(0);
        // four distinct credentials: each checked once, however many threads asked at the same time
        assertThat(passwordChecks).hasValue(4);
    }

    private CachingBasicAuthenticationProvider provider(Duration ttl, Duration failureTtl, int failuresPerClient) {
        PasswordEncoder counting = new PasswordEncoder() {
            @Override
            public String encode(CharSequence rawPassword) {
                return delegating.encode(rawPassword);
            }

            @Override
            public boolean matches(CharSequence rawPassword, String encodedPassword) {
                passwordChecks.incrementAndGet();
                return delegating.matches(rawPassword, encodedPassword);
            }
        };
        InMemoryUserDetailsManager users = new InMemoryUserDetailsManager(
                User.withUsername("dispatcher")
                        .password("{noop}d-secret")
                        .roles("DISPATCHER")
                        .build(),
                User.withUsername("ops").password("{noop}o-secret").roles("OPS").build());
        DaoAuthenticationProvider dao = new DaoAuthenticationProvider(users);
        dao.setPasswordEncoder(counting);
        AuthenticationProvider verification = dao;
        return new CachingBasicAuthenticationProvider(
                verification,
                new CredentialCache(ttl, failureTtl, 1_000, nanos::get),
                new FailedLoginLimiter(failuresPerClient, Duration.ofMinutes(1), 100, nanos::get),
                new LoginMetrics(meters));
    }

    private static Authentication basic(String user, String password, String remoteAddress) {
        UsernamePasswordAuthenticationToken token = UsernamePasswordAuthenticationToken.unauthenticated(user, password);
        HttpServletRequest request = new MockHttpServletRequest();
        ((MockHttpServletRequest) request).setRemoteAddr(remoteAddress);
        token.setDetails(new WebAuthenticationDetails(request));
        return token;
    }

    private double logins(String result) {
        return meters.get("api.basic.logins").tag("result", result).counter().count();
    }
}
