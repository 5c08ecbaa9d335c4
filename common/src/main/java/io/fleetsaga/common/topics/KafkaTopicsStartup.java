package io.fleetsaga.common.topics;

import io.fleetsaga.common.messaging.BoundedAdmin;
import io.fleetsaga.common.retry.BackoffPolicy;
import io.fleetsaga.common.topics.TopicSafetyCheck.TopicReport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Declares the service's owned topics and checks that they are safe for {@code acks=all} writes — after startup,
 * on its own thread, so that a broker outage neither fails nor delays the start (a service must start while the
 * broker is away; its outbox keeps what it writes meanwhile).
 *
 * <p>Once the application is ready, and again with backoff (1 s doubling to 1 min) until done:
 *
 * <ol>
 *   <li>unless {@code fleetsaga.kafka.topics.declare=false}: creates the missing ones of {@link TopicDeclarations}
 *       through Spring Kafka's {@link KafkaAdmin} (and adds missing partitions) until the broker answered;
 *   <li>describes the owned topics ({@link TopicSafetyCheck}) and reports each once: an ERROR when its replication
 *       factor is below its {@code min.insync.replicas} ({@link TopicSafety#UNSAFE}: no {@code acks=all} write can
 *       succeed), a WARN when one broker loss stops its writes ({@link TopicSafety#FRAGILE}). A topic that does not
 *       exist yet is asked again.
 * </ol>
 *
 * <p>With a {@link MeterRegistry}: {@code kafka_topic_unsafe{topic}} per owned topic, 1 when unsafe, 0 when not,
 * NaN until it was checked.
 */
public final class KafkaTopicsStartup implements ApplicationListener<ApplicationReadyEvent>, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(KafkaTopicsStartup.class);

    private static final BackoffPolicy BACKOFF =
            new BackoffPolicy(Duration.ofSeconds(1), 2.0, Duration.ofMinutes(1), Integer.MAX_VALUE);

    private final KafkaAdmin kafkaAdmin;
    private final TopicDeclarations declarations;
    private final List<String> owned;
    private final BoundedAdmin admin;
    private final TopicSafetyCheck check;
    private final Map<String, AtomicReference<Double>> unsafe = new ConcurrentHashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final BackoffPolicy backoff;
    private volatile Thread thread;
    private volatile boolean done;

    /**
     * @param declarations the topics to create, {@code null} when they are managed elsewhere
     * @param owned the names of the owned topics, to check
     * @param timeout bound of each call of the check
     */
    public KafkaTopicsStartup(
            KafkaAdmin kafkaAdmin,
            TopicDeclarations declarations,
            List<String> owned,
            Duration timeout,
            MeterRegistry registry) {
        this(kafkaAdmin, declarations, owned, timeout, registry, BACKOFF);
    }

    KafkaTopicsStartup(
            KafkaAdmin kafkaAdmin,
            TopicDeclarations declarations,
            List<String> owned,
            Duration timeout,
            MeterRegistry registry,
            BackoffPolicy backoff) {
        this.kafkaAdmin = kafkaAdmin;
        this.declarations = declarations;
        this.owned = List.copyOf(owned);
        this.admin = new BoundedAdmin(kafkaAdmin, timeout);
        this.check = new TopicSafetyCheck(admin);
        this.backoff = backoff;
        for (String topic : this.owned) {
            AtomicReference<Double> value = new AtomicReference<>(Double.NaN);
            unsafe.put(topic, value);
            if (registry != null) {
                Gauge.builder("kafka.topic.unsafe", value, AtomicReference::get)
                        .description("1 when the topic's replication factor is below its min.insync.replicas "
                                + "(acks=all writes cannot succeed), 0 when not, NaN until checked")
                        .tag("topic", topic)
                        .register(registry);
            }
        }
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        start();
    }

    /** Starts the work on its own thread, once. */
    public void start() {
        if (started.compareAndSet(false, true)) {
            Thread worker = new Thread(this::run, "kafka-topics");
            worker.setDaemon(true);
            thread = worker;
            worker.start();
        }
    }

    /** Whether the topics were declared (unless that is off) and every owned topic was checked. */
    public boolean done() {
        return done;
    }

    /** The last value of {@code kafka_topic_unsafe} of an owned topic: 1, 0, or NaN before it was checked. */
    public double unsafe(String topic) {
        AtomicReference<Double> value = unsafe.get(topic);
        return value == null ? Double.NaN : value.get();
    }

    private void run() {
        boolean declared = declarations == null;
        int failures = 0;
        while (!Thread.currentThread().isInterrupted()) {
            boolean justDeclared = false;
            if (!declared) {
                declared = declare();
                justDeclared = declared;
            }
            // checked even when the declaration failed: what exists is reported
            boolean checked = check(justDeclared);
            if (declared && checked) {
                done = true;
                return;
            }
            failures++;
            try {
                Thread.sleep(backoff.ceiling(Math.min(failures, 30)).toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private boolean declare() {
        List<NewTopic> topics = declarations.topics();
        try {
            kafkaAdmin.createOrModifyTopics(topics.toArray(NewTopic[]::new));
            log.info(
                    "declared topics {} ({} partitions, replication factor {}, min.insync.replicas {}); existing ones "
                            + "keep their configuration",
                    topics.stream().map(NewTopic::name).toList(),
                    topics.get(0).numPartitions(),
                    topics.get(0).replicationFactor(),
                    topics.get(0).configs().get("min.insync.replicas"));
            return true;
        } catch (RuntimeException e) {
            if (retriable(e)) {
                log.warn(
                        "cannot declare topics yet, the broker does not answer: {}",
                        rootCause(e).toString());
            } else {
                log.error(
                        "cannot declare topics {}: {} (check fleetsaga.kafka.topics.*: the cluster must have at least "
                                + "replication-factor brokers)",
                        topics.stream().map(NewTopic::name).toList(),
                        rootCause(e).toString());
            }
            return false;
        }
    }

    /** @param justDeclared a topic created a moment ago may not be visible to every broker yet: not worth a WARN */
    private boolean check(boolean justDeclared) {
        TopicSafetyCheck.Result result;
        try {
            result = check.check(owned);
        } catch (BoundedAdmin.BrokerCallException e) {
            log.warn("cannot check topics {} yet: {}", owned, e.getMessage());
            return false;
        }
        result.reports().values().forEach(this::report);
        if (!result.missing().isEmpty()) {
            log.warn(
                    "owned topics {} do not exist (yet){}; checked again later",
                    result.missing(),
                    declarations == null
                            ? " and fleetsaga.kafka.topics.declare=false: they are managed elsewhere"
                            : "");
            return false;
        }
        return true;
    }

    private void report(TopicReport report) {
        AtomicReference<Double> value = unsafe.get(report.topic());
        if (value != null && !Double.isNaN(value.get())) {
            return; // reported already
        }
        switch (report.safety()) {
            case UNSAFE ->
                log.error(
                        "topic {} is unsafe: replication factor {} is below min.insync.replicas {}, no acks=all write"
                                + " to it can succeed (the outbox relay and dead-lettering stop); raise its replication"
                                + " factor or lower min.insync.replicas",
                        report.topic(),
                        report.replicationFactor(),
                        report.minInsyncReplicas());
            case FRAGILE ->
                log.warn(
                        "topic {}: replication factor {} with min.insync.replicas {}, the loss or restart of one broker"
                                + " stops writes to it; use replication factor {} or more",
                        report.topic(),
                        report.replicationFactor(),
                        report.minInsyncReplicas(),
                        report.minInsyncReplicas() + 1);
            case SAFE ->
                log.info(
                        "topic {}: replication factor {}, min.insync.replicas {}",
                        report.topic(),
                        report.replicationFactor(),
                        report.minInsyncReplicas());
        }
        if (value != null) {
            value.set(report.safety() == TopicSafety.UNSAFE ? 1.0 : 0.0);
        }
    }

    private static boolean retriable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RetriableException || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    @Override
    public void destroy() {
        Thread worker = thread;
        if (worker != null) {
            worker.interrupt();
        }
        admin.close();
    }
}
