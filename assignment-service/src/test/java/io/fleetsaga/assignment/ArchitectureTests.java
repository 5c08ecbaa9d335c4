package io.fleetsaga.assignment;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.fleetsaga.common.testing.PlatformRules;
import org.springframework.stereotype.Component;

/** Keeps the domain free of framework plumbing and the service out of the other service's code. */
@AnalyzeClasses(packages = "io.fleetsaga.assignment", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTests {

    @ArchTest
    static final ArchRule usesJackson3Only = PlatformRules.JACKSON_3_ONLY;

    @ArchTest
    static final ArchRule usesSpringFrameworksRetry = PlatformRules.NO_SPRING_RETRY;

    /**
     * The task aggregate is plain JDBC, not JPA, so "the model" is not marked by {@code @Entity}: it is every
     * class of the task package that is not a Spring bean (the repositories and application services are) —
     * the aggregate, its value types, decisions and the link/counter rules.
     */
    @ArchTest
    static final ArchRule theTaskModelKnowsNoSpringKafkaWebPersistenceOrKit = noClasses()
            .that()
            .resideInAPackage("io.fleetsaga.assignment.task")
            .and()
            .areNotMetaAnnotatedWith(Component.class)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "org.springframework..",
                    "org.apache.kafka..",
                    "org.hibernate..",
                    "jakarta.persistence..",
                    "jakarta.servlet..",
                    "java.sql..",
                    "io.micrometer..",
                    "com.fasterxml..",
                    "tools.jackson..",
                    "io.fleetsaga.common..");

    @ArchTest
    static final ArchRule theTaskFeatureKnowsNoneOfItsAdapters = noClasses()
            .that()
            .resideInAPackage("io.fleetsaga.assignment.task")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("..task.web..", "..messaging..");

    @ArchTest
    static final ArchRule onlyTheWebLayerKnowsSpringWeb = noClasses()
            .that()
            .resideOutsideOfPackage("..web..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.springframework.web..", "jakarta.servlet..");

    @ArchTest
    static final ArchRule onlyMessagingKnowsKafka = noClasses()
            .that()
            .resideOutsideOfPackage("..messaging..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.apache.kafka..", "org.springframework.kafka..");

    @ArchTest
    static final ArchRule neverReachesIntoTheOtherService =
            noClasses().should().dependOnClassesThat().resideInAPackage("io.fleetsaga.order..");
}
