package io.fleetsaga.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaServerClasspathTests {

    @Test
    void buildListsKafkasServerJarsWithALogBinding() {
        List<String> jars = KafkaBrokerProcess.kafkaServerJars();

        assertThat(jars).anyMatch(jar -> jar.endsWith("kafka_2.13-4.3.1.jar"));
        assertThat(jars).anyMatch(jar -> jar.contains("scala-library"));
        assertThat(jars).anyMatch(jar -> jar.contains("log4j-slf4j-impl"));
        assertThat(jars)
                .noneMatch(jar -> jar.contains("maven-antrun-plugin")
                        || jar.contains(File.separator + "ant" + File.separator)
                        || jar.contains("plexus"));
    }

    @Test
    void kafkaServerJarsStayOffTheCallersClasspath() {
        assertThatThrownBy(() -> Class.forName("kafka.Kafka")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("scala.Option")).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void brokerClasspathStartsWithTheLauncherCopiedToTheDataDirectory(@TempDir Path dir) {
        String classpath = KafkaBrokerProcess.brokerClasspath(dir);

        String first = classpath.split(File.pathSeparator)[0];
        assertThat(first).isEqualTo(dir.resolve("launcher").toString());
        assertThat(dir.resolve("launcher/io/fleetsaga/infra/KafkaBrokerMain.class"))
                .isNotEmptyFile();
        assertThat(dir.resolve("launcher/io/fleetsaga/infra")).isDirectoryContaining(path -> true);
        assertThat(dir.resolve("launcher/io/fleetsaga/infra").toFile().list())
                .as("KafkaBrokerMain must compile to a single class file")
                .containsExactly("KafkaBrokerMain.class");
    }
}
