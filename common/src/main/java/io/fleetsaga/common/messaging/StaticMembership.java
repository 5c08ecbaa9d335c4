package io.fleetsaga.common.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.listener.ListenerContainerRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Fast failover of the Kafka listeners (issue 9, failure mode 9: a killed consumer stopped consumption for ≈45 s
 * however fast it restarted, because its partitions stayed with the dead member until the session timeout).
 *
 * <ul>
 *   <li><b>Static membership:</b> before the listener containers start, every container gets {@code
 *       group.instance.id = <instance-id>-<listener id>} (Spring Kafka appends {@code -<n>} per consumer thread),
 *       and the session and heartbeat settings. A restarted instance with the same instance id replaces its old
 *       member at once and gets its partitions back without a rebalance; an instance that does not come back loses
 *       them after {@code session-timeout}.
 *   <li><b>Leaving on shutdown:</b> a static member does not leave its group when its consumer closes (kafka-clients
 *       3.9 offers no option for that: {@code internal.leave.group.on.close} only applies to dynamic members), so its
 *       partitions would wait for the session timeout. After the containers stopped (their offsets committed),
 *       this removes the instance's members with the admin API, and the other instances take over at once.
 * </ul>
 *
 * Settings a service gives a container itself ({@code group.instance.id}, or session and heartbeat in {@code
 * spring.kafka.consumer.properties}) are kept.
 */
public final class StaticMembership implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(StaticMembership.class);

    private final Supplier<ListenerContainerRegistry> registry;
    private final MembershipSettings settings;
    private final String instanceId;
    private final Map<String, Object> consumerProperties;
    private final Map<String, Object> adminProperties;
    /** group id → group.instance.id prefix of each container this instance configured. */
    private final Map<String, List<String>> members = new LinkedHashMap<>();

    private volatile boolean running;

    /**
     * @param registry looked up when this starts, not injected: a lifecycle bean's dependencies are started before
     *     it and stopped after it, and this must configure the containers before they start and leave after they stop
     * @param instanceId this instance's stable, unique name (see {@link MembershipSettings#instanceId()})
     * @param consumerProperties the consumer factory's properties (what a service set there is kept)
     * @param adminProperties to reach the broker on shutdown (e.g. Spring Boot's admin properties)
     */
    public StaticMembership(
            Supplier<ListenerContainerRegistry> registry,
            MembershipSettings settings,
            String instanceId,
            Map<String, Object> consumerProperties,
            Map<String, Object> adminProperties) {
        this.registry = registry;
        this.settings = settings;
        this.instanceId = instanceId;
        this.consumerProperties = Map.copyOf(consumerProperties);
        this.adminProperties = Map.copyOf(adminProperties);
    }

    /** This instance's id, the prefix of its {@code group.instance.id}s. */
    public String instanceId() {
        return instanceId;
    }

    /** Before the listener containers (they start in phase {@code Integer.MAX_VALUE - 100}), stopped after them. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 200;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        for (MessageListenerContainer container : registry.get().getAllListenerContainers()) {
            configure(container);
        }
        running = true;
    }

    private void configure(MessageListenerContainer container) {
        Properties own = container.getContainerProperties().getKafkaConsumerProperties();
        Map<String, Object> factory = consumerProperties;
        setUnlessGiven(own, factory, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, settings.sessionTimeout());
        setUnlessGiven(own, factory, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, settings.heartbeatInterval());
        if (!settings.staticMembership()) {
            return;
        }
        String given = own.getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        if (given == null && factory.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG) instanceof String fromFactory) {
            given = fromFactory;
        }
        String memberId = given != null ? given : instanceId + "-" + container.getListenerId();
        if (given == null) {
            own.setProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, memberId);
        }
        String group = container.getGroupId();
        if (group != null) {
            members.computeIfAbsent(group, g -> new ArrayList<>()).add(memberId);
        }
        log.info("Kafka listener '{}' joins group {} as static member {}", container.getListenerId(), group, memberId);
    }

    private static void setUnlessGiven(Properties own, Map<String, Object> factory, String key, Duration value) {
        if (!own.containsKey(key) && !factory.containsKey(key)) {
            own.setProperty(key, String.valueOf(value.toMillis()));
        }
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        if (settings.staticMembership() && settings.leaveOnShutdown() && !members.isEmpty()) {
            leave();
        }
    }

    private void leave() {
        long started = System.nanoTime();
        Map<String, Object> properties = new LinkedHashMap<>(adminProperties);
        int timeout = (int) Math.max(1000, settings.leaveTimeout().toMillis());
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
        properties.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "leave-" + instanceId);
        try (Admin admin = Admin.create(properties)) {
            for (Map.Entry<String, List<String>> group : members.entrySet()) {
                leave(admin, group.getKey(), group.getValue());
            }
        } catch (RuntimeException e) {
            log.warn("cannot leave the consumer groups on shutdown: {}", e.toString());
        }
        log.info(
                "left consumer groups {} in {} ms",
                members.keySet(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void leave(Admin admin, String group, List<String> prefixes) {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group)
                    .get(settings.leaveTimeout().toMillis(), TimeUnit.MILLISECONDS);
            List<MemberToRemove> mine = new ArrayList<>();
            for (MemberDescription member : description.members()) {
                String id = member.groupInstanceId().orElse(null);
                if (id != null && ours(id, prefixes)) {
                    mine.add(new MemberToRemove(id));
                }
            }
            if (mine.isEmpty()) {
                return;
            }
            admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(mine))
                    .all()
                    .get(settings.leaveTimeout().toMillis(), TimeUnit.MILLISECONDS);
            log.info("left consumer group {}: {} static members removed", group, mine.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn(
                    "cannot leave consumer group {} (its partitions move after the session timeout, {}): {}",
                    group,
                    settings.sessionTimeout(),
                    e.toString());
        }
    }

    private static boolean ours(String memberInstanceId, Collection<String> prefixes) {
        for (String prefix : prefixes) {
            if (memberInstanceId.equals(prefix)
                    || memberInstanceId.matches(java.util.regex.Pattern.quote(prefix) + "-\\d+")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
