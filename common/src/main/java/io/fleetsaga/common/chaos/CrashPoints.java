package io.fleetsaga.common.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Crash points: named places in the code where the process can be made to halt on purpose, with a configured
 * probability — FoundationDB's "buggify" for the fault-injection harness. A {@code kill -9} from outside lands
 * wherever the process happens to be; a crash point lands exactly between two steps whose separation a guarantee
 * rules out, e.g. between a state change and its outbox row, or between a consumer's database commit and its
 * offset commit.
 *
 * <p><b>Never configure crash points in production.</b> They are off by default: unless configured, {@link
 * #hit(String)} reads one volatile field and returns.
 *
 * <p><b>Configuration</b>, read once at the first {@link #hit(String)}: the system property {@value #PROPERTY}, else
 * the environment variable {@value #ENVIRONMENT}, as {@code name=probability[,name=probability...]} with a
 * probability in (0, 1], e.g. {@code inbox.after-commit=0.02,order.after-state-change=0.01}. An optional seed
 * ({@value #SEED_PROPERTY} / {@value #SEED_ENVIRONMENT}, a long) makes the draws of one thread reproducible;
 * without it they are random. A malformed setting or an unknown point name fails the first {@code hit} (and every
 * later one) with an {@link IllegalArgumentException} naming the bad entry — a misspelt point would otherwise never
 * fire and a scenario would pass without testing anything.
 *
 * <p><b>Armed at run time</b>: with {@value #FILE_PROPERTY} (or {@value #FILE_ENVIRONMENT}) naming a file, that
 * file's content — the same {@code name=probability,...} format — is the configuration instead, read again at every
 * hit: writing the file arms the points of a running process, emptying or deleting it disarms them, no restart
 * needed. A missing or blank file arms nothing. The fault harness starts every service this way so that a scenario
 * arms one service's points and disarms them without paying two JVM starts. With the seed set, every (re)arming
 * starts the same sequence of draws. A malformed file content fails the hits that read it, as a malformed property
 * does.
 *
 * <p><b>Firing</b> prints {@code fleet-saga crash point <name> fired: halting} to standard error and halts the JVM
 * with exit code {@value #EXIT_CODE}: {@link Runtime#halt(int)}, no shutdown hooks, no flushing of anything else —
 * as close to {@code kill -9} as the JVM gets.
 *
 * <p><b>The points</b>:
 *
 * <ul>
 *   <li>{@value #ORDER_AFTER_STATE_CHANGE} — order-service, inside the transaction of an order change: the order row
 *       was written (flushed), its history row and outbox row not yet.
 *   <li>{@value #INBOX_AFTER_COMMIT} — a consumer's inbox transaction (the effect and the inbox row) committed, the
 *       listener has not returned, so the Kafka offset is not committed.
 *   <li>{@value #OUTBOX_AFTER_PUBLISH} — the relay's batch was acknowledged by the broker or webhook receiver, its
 *       rows are not yet marked sent.
 * </ul>
 */
public final class CrashPoints {

    /** Order-service: the order row is written inside the transaction, its history and outbox rows not yet. */
    public static final String ORDER_AFTER_STATE_CHANGE = "order.after-state-change";

    /** A consumer's inbox transaction committed; the listener has not returned, the offset is not committed. */
    public static final String INBOX_AFTER_COMMIT = "inbox.after-commit";

    /** The relay's published rows were acknowledged and are about to be marked sent. */
    public static final String OUTBOX_AFTER_PUBLISH = "outbox.after-publish";

    static final Set<String> NAMES = Set.of(ORDER_AFTER_STATE_CHANGE, INBOX_AFTER_COMMIT, OUTBOX_AFTER_PUBLISH);

    static final String PROPERTY = "fleetsaga.chaos.crash-points";
    static final String ENVIRONMENT = "FLEETSAGA_CHAOS_CRASH_POINTS";
    static final String FILE_PROPERTY = "fleetsaga.chaos.crash-points-file";
    static final String FILE_ENVIRONMENT = "FLEETSAGA_CHAOS_CRASH_POINTS_FILE";
    static final String SEED_PROPERTY = "fleetsaga.chaos.seed";
    static final String SEED_ENVIRONMENT = "FLEETSAGA_CHAOS_SEED";

    /** What a shell reports for a process killed by SIGKILL (128 + 9). */
    static final int EXIT_CODE = 137;

    private static final Object LOCK = new Object();
    private static volatile Source configured;

    private final Map<String, Double> probabilities;
    private final boolean enabled;
    private final Random random;
    private final Consumer<String> halt;

    /**
     * @param halt what firing does with the point's name; {@link #halt(String)} outside tests
     * @throws IllegalArgumentException when {@code spec} or {@code seed} is malformed
     */
    CrashPoints(String spec, String seed, Consumer<String> halt) {
        this.probabilities = parse(spec);
        this.enabled = !probabilities.isEmpty();
        this.random = parseSeed(seed);
        this.halt = halt;
    }

    /**
     * Halts the JVM here if {@code name} is configured and its draw comes up; otherwise does nothing.
     *
     * @throws IllegalArgumentException when the configuration is malformed
     */
    public static void hit(String name) {
        Source source = configured;
        if (source == null) {
            source = load();
        }
        source.current().reach(name);
    }

    private static Source load() {
        synchronized (LOCK) {
            if (configured == null) {
                // a malformed setting throws and leaves nothing configured: every later hit fails the same way
                configured = source(CrashPoints::halt);
            }
            return configured;
        }
    }

    /** Where this JVM's configuration comes from: a crash-points file if one is named, else the fixed setting. */
    static Source source(Consumer<String> halt) {
        String file = setting(FILE_PROPERTY, FILE_ENVIRONMENT);
        if (file != null && !file.isBlank()) {
            return new FileSource(Path.of(file.trim()), setting(SEED_PROPERTY, SEED_ENVIRONMENT), halt);
        }
        CrashPoints fixed = fromEnvironment(halt);
        return () -> fixed;
    }

    /** The configuration of this JVM: system properties first, then the environment. */
    static CrashPoints fromEnvironment(Consumer<String> halt) {
        return new CrashPoints(setting(PROPERTY, ENVIRONMENT), setting(SEED_PROPERTY, SEED_ENVIRONMENT), halt);
    }

    /** The crash points in force at a hit. */
    @FunctionalInterface
    interface Source {
        CrashPoints current();
    }

    /** The content of a file, read at every hit; parsed again only when it changed. */
    static final class FileSource implements Source {

        private final Path file;
        private final String seed;
        private final Consumer<String> halt;
        private String content = "";
        private CrashPoints points;

        FileSource(Path file, String seed, Consumer<String> halt) {
            this.file = file;
            this.seed = seed;
            this.halt = halt;
            this.points = new CrashPoints("", seed, halt);
        }

        @Override
        public synchronized CrashPoints current() {
            String now;
            try {
                now = Files.isRegularFile(file) ? Files.readString(file).trim() : "";
            } catch (NoSuchFileException e) {
                now = ""; // deleted between the two calls
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the crash-points file " + file, e);
            }
            if (!now.equals(content)) {
                points = new CrashPoints(now, seed, halt); // throws on a malformed content, read again next hit
                content = now;
            }
            return points;
        }
    }

    private static String setting(String property, String environment) {
        String value = System.getProperty(property);
        return value != null ? value : System.getenv(environment);
    }

    /** Whether any point is configured. */
    boolean enabled() {
        return enabled;
    }

    void reach(String name) {
        if (!enabled) {
            return;
        }
        Double probability = probabilities.get(name);
        if (probability != null && random.nextDouble() < probability) {
            halt.accept(name);
        }
    }

    /**
     * Standard error, not the logger: an asynchronous appender would never write the line before the halt, and the
     * harness reads it to tell an injected crash from a real one.
     */
    static void halt(String name) {
        System.err.println("fleet-saga crash point " + name + " fired: halting");
        System.err.flush();
        Runtime.getRuntime().halt(EXIT_CODE);
    }

    private static Map<String, Double> parse(String spec) {
        Map<String, Double> parsed = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return Map.of();
        }
        for (String raw : spec.split(",", -1)) {
            String entry = raw.trim();
            int equals = entry.indexOf('=');
            if (equals <= 0) {
                throw malformed(entry, "expected name=probability");
            }
            String name = entry.substring(0, equals).trim();
            if (!NAMES.contains(name)) {
                throw malformed(entry, "unknown crash point '" + name + "', known: " + NAMES);
            }
            double probability;
            try {
                probability = Double.parseDouble(entry.substring(equals + 1).trim());
            } catch (NumberFormatException e) {
                throw malformed(entry, "the probability is not a number");
            }
            if (!(probability > 0 && probability <= 1)) {
                throw malformed(entry, "the probability must be in (0, 1]");
            }
            if (parsed.put(name, probability) != null) {
                throw malformed(entry, "crash point '" + name + "' is configured twice");
            }
        }
        return Map.copyOf(parsed);
    }

    private static Random parseSeed(String seed) {
        if (seed == null || seed.isBlank()) {
            return new Random();
        }
        try {
            return new Random(Long.parseLong(seed.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    SEED_PROPERTY + " / " + SEED_ENVIRONMENT + ": '" + seed + "' is not a long", e);
        }
    }

    private static IllegalArgumentException malformed(String entry, String problem) {
        return new IllegalArgumentException(PROPERTY + " / " + ENVIRONMENT + ": bad entry '" + entry + "': " + problem
                + " (format name=probability[,name=probability...], probability in (0, 1])");
    }
}
