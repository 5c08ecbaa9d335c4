package io.fleetsaga.common.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.lang.ArchRule;

/**
 * What the project's own code may use of the platform (issue 11), shared by the modules' {@code ArchitectureTests}:
 * Jackson 3 only — Jackson 2's databind and core stay for third-party libraries (springdoc's swagger-core), its
 * annotations ({@code com.fasterxml.jackson.annotation}) are Jackson 3's too — and Spring Framework's core retry
 * support, not the retired spring-retry project.
 */
public final class PlatformRules {

    public static final ArchRule JACKSON_3_ONLY = noClasses()
            .that()
            .resideInAPackage("io.fleetsaga..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "com.fasterxml.jackson.core..",
                    "com.fasterxml.jackson.databind..",
                    "com.fasterxml.jackson.datatype..")
            .because("the project is on Jackson 3 (tools.jackson); Jackson 2 is only a third-party dependency");

    public static final ArchRule NO_SPRING_RETRY = noClasses()
            .that()
            .resideInAPackage("io.fleetsaga..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.springframework.retry..")
            .because("retries use Spring Framework's org.springframework.core.retry (README, Retries)");

    private PlatformRules() {}
}
