package io.fleetsaga.common;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.fleetsaga.common.testing.PlatformRules;

/** The kit holds no business logic and keeps its transports at the edges, as Spring Modulith splits its registry. */
@AnalyzeClasses(packages = "io.fleetsaga.common", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTests {

    @ArchTest
    static final ArchRule usesJackson3Only = PlatformRules.JACKSON_3_ONLY;

    @ArchTest
    static final ArchRule usesSpringFrameworksRetry = PlatformRules.NO_SPRING_RETRY;

    @ArchTest
    static final ArchRule knowsNoService = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.fleetsaga.order..", "io.fleetsaga.assignment..");

    @ArchTest
    static final ArchRule outboxCoreInboxLeaseAndRetryKnowNoKafka = noClasses()
            .that()
            .resideInAnyPackage(
                    "io.fleetsaga.common.outbox",
                    "io.fleetsaga.common.inbox..",
                    "io.fleetsaga.common.lease..",
                    "io.fleetsaga.common.retry..",
                    "io.fleetsaga.common.event..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.apache.kafka..", "org.springframework.kafka..");

    @ArchTest
    static final ArchRule knowsNoWebOrJpaOutsideTheSecurityPackage = noClasses()
            .that()
            // the HTTP edges of the kit: security, the ops API, the database-unavailable answer
            .resideOutsideOfPackages(
                    "io.fleetsaga.common.security..", "io.fleetsaga.common.ops..", "io.fleetsaga.common.web..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.springframework.web..", "jakarta.persistence..", "org.hibernate..");
}
