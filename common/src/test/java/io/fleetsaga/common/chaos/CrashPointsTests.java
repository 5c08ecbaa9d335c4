package io.fleetsaga.common.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crash points fire only where configured, as often as configured, and a bad setting fails loudly. */
class CrashPointsTests {

    /** Records firings instead of halting the JVM. */
    final List<String> fired = new ArrayList<>();

    CrashPoints points(String spec) {
        return new CrashPoints(spec, null, fired::add);
    }

    @Test
    void aPointWithProbabilityOneFiresEveryTime() {
        CrashPoints points = points("inbox.after-commit=1");

        for (int i = 0; i < 100; i++) {
            points.reach(CrashPoints.INBOX_AFTER_COMMIT);
        }

        assertThat(fired).hasSize(100).containsOnly(CrashPoints.INBOX_AFTER_COMMIT);
    }

    @Test
    void aPointThatIsNotConfiguredNeverFires() {
        CrashPoints points = points("inbox.after-commit=1");

        for (int i = 0; i < 100; i++) {
            points.reach(CrashPoints.ORDER_AFTER_STATE_CHANGE);
            points.reach("no.such-point");
        }

        assertThat(fired).isEmpty();
    }

    @Test
    void nothingFiresWhenNothingIsConfigured() {
        for (String unset : new String[] {null, "", "  "}) {
            CrashPoints points = points(unset);
            assertThat(points.enabled()).isFalse();
            CrashPoints.NAMES.forEach(points::reach);
        }

        assertThat(fired).isEmpty();
    }

    @Test
    void parsesSeveralPointsWithSpacesAndFiresEachAboutAsOftenAsConfigured() {
        CrashPoints points = new CrashPoints(
                " inbox.after-commit = 0.25 , order.after-state-change=1e-9,outbox.after-publish=1", "7", fired::add);

        for (int i = 0; i < 10_000; i++) {
            points.reach(CrashPoints.INBOX_AFTER_COMMIT);
            points.reach(CrashPoints.ORDER_AFTER_STATE_CHANGE);
        }
        points.reach(CrashPoints.OUTBOX_AFTER_PUBLISH);

        assertThat(fired).filteredOn(CrashPoints.INBOX_AFTER_COMMIT::equals).hasSizeBetween(2_200, 2_800);
        assertThat(fired).doesNotContain(CrashPoints.ORDER_AFTER_STATE_CHANGE);
        assertThat(fired).endsWith(CrashPoints.OUTBOX_AFTER_PUBLISH);
    }

    @Test
    void theSameSeedDrawsTheSameCrashes() {
        assertThat(firings("42")).isNotEmpty().isEqualTo(firings("42"));
        assertThat(firings("42")).isNotEqualTo(firings("43"));
    }

    /** The indexes of the hits, out of 200, at which a point with probability 0.5 fires with this seed. */
    static List<Integer> firings(String seed) {
        List<Integer> at = new ArrayList<>();
        int[] hit = {0};
        CrashPoints points = new CrashPoints("inbox.after-commit=0.5", seed, name -> at.add(hit[0]));
        for (; hit[0] < 200; hit[0]++) {
            points.reach(CrashPoints.INBOX_AFTER_COMMIT);
        }
        return at;
    }

    @Test
    void aMalformedSettingFailsNamingTheBadEntry() {
        assertThatThrownBy(() -> points("inbox.after-commit=0.1,order.after-state-change"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fleetsaga.chaos.crash-points")
                .hasMessageContaining("'order.after-state-change'")
                .hasMessageContaining("expected name=probability");
        assertThatThrownBy(() -> points("inbox.after-commit=often"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'inbox.after-commit=often'")
                .hasMessageContaining("not a number");
        assertThatThrownBy(() -> points("=0.5")).hasMessageContaining("'=0.5'");
        assertThatThrownBy(() -> points("inbox.after-commit=0.1,")).hasMessageContaining("bad entry ''");
    }

    @Test
    void aProbabilityOutsideZeroExclusiveToOneIsRefused() {
        for (String bad : new String[] {"0", "-0.1", "1.01", "NaN", "Infinity"}) {
            assertThatThrownBy(() -> points("inbox.after-commit=" + bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'inbox.after-commit=" + bad + "'")
                    .hasMessageContaining("(0, 1]");
        }
    }

    @Test
    void aMisspeltOrRepeatedPointIsRefusedRatherThanNeverFiring() {
        assertThatThrownBy(() -> points("inbox.after-comit=0.5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown crash point 'inbox.after-comit'")
                .hasMessageContaining(CrashPoints.INBOX_AFTER_COMMIT);
        assertThatThrownBy(() -> points("inbox.after-commit=0.5,inbox.after-commit=1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("configured twice");
    }

    @Test
    void aMalformedSeedIsRefused() {
        assertThatThrownBy(() -> new CrashPoints("inbox.after-commit=1", "abc", fired::add))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fleetsaga.chaos.seed")
                .hasMessageContaining("'abc'");
    }

    @Test
    void readsTheSystemPropertyAndTheSeed() {
        System.setProperty(CrashPoints.PROPERTY, "outbox.after-publish=1");
        System.setProperty(CrashPoints.SEED_PROPERTY, "3");
        try {
            CrashPoints points = CrashPoints.fromEnvironment(fired::add);

            points.reach(CrashPoints.OUTBOX_AFTER_PUBLISH);
            points.reach(CrashPoints.INBOX_AFTER_COMMIT);
        } finally {
            System.clearProperty(CrashPoints.PROPERTY);
            System.clearProperty(CrashPoints.SEED_PROPERTY);
        }

        assertThat(fired).containsExactly(CrashPoints.OUTBOX_AFTER_PUBLISH);
    }

    @Test
    void aCrashPointsFileArmsAndDisarmsARunningProcess(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("crash-points");
        System.setProperty(CrashPoints.FILE_PROPERTY, file.toString());
        System.setProperty(CrashPoints.PROPERTY, "order.after-state-change=1"); // the file wins
        CrashPoints.Source source;
        try {
            source = CrashPoints.source(fired::add);
        } finally {
            System.clearProperty(CrashPoints.FILE_PROPERTY);
            System.clearProperty(CrashPoints.PROPERTY);
        }

        source.current().reach(CrashPoints.ORDER_AFTER_STATE_CHANGE); // no file yet: nothing armed
        Files.writeString(file, "inbox.after-commit=1\n");
        source.current().reach(CrashPoints.INBOX_AFTER_COMMIT);
        source.current().reach(CrashPoints.ORDER_AFTER_STATE_CHANGE);
        Files.writeString(file, "  ");
        source.current().reach(CrashPoints.INBOX_AFTER_COMMIT);
        Files.writeString(file, "inbox.after-commit=2");
        assertThatThrownBy(source::current)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(0, 1]");
        Files.delete(file);
        source.current().reach(CrashPoints.INBOX_AFTER_COMMIT);
        Files.writeString(file, "outbox.after-publish=1");
        source.current().reach(CrashPoints.OUTBOX_AFTER_PUBLISH);

        assertThat(fired).containsExactly(CrashPoints.INBOX_AFTER_COMMIT, CrashPoints.OUTBOX_AFTER_PUBLISH);
    }

    @Test
    void theStaticHitIsANoOpWhenNothingIsConfigured() {
        // guard: this test JVM must not itself be configured to crash
        assumeThat(CrashPoints.fromEnvironment(fired::add).enabled()).isFalse();

        CrashPoints.NAMES.forEach(CrashPoints::hit);
        CrashPoints.hit("no.such-point");
    }
}
