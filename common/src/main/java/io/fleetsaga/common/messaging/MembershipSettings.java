package io.fleetsaga.common.messaging;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Consumer group membership of the Kafka listeners ({@code fleetsaga.consumer.membership.*}); see the README
 * "Kafka listeners" for what each setting buys and costs.
 *
 * @param staticMembership give every listener's consumers a {@code group.instance.id}, so that a restarted instance
 *     takes its partitions back at once instead of after the old member's session timeout
 * @param instanceId this instance's stable name, unique among the instances of the service: the pod's name in
 *     Kubernetes (a StatefulSet keeps it across restarts and rescheduling, a Deployment's pod keeps it only across
 *     container restarts). Blank: {@code HOSTNAME} (or the host's name) plus {@code server.port} when it is set,
 *     or a random suffix when the port is random (then a restart is a new member)
 * @param sessionTimeout how long the broker waits for heartbeats of an instance that died without leaving before
 *     its partitions go to the others (the broker allows 6 s to 30 min by default)
 * @param heartbeatInterval at most a third of the session timeout
 * @param leaveOnShutdown on a graceful stop, after the listeners stopped, remove this instance's static members from
 *     their groups (Kafka's admin API) so the others take over the partitions at once; a static member does not
 *     leave on close by itself
 * @param leaveTimeout how long the shutdown waits for the broker to confirm that
 */
@ConfigurationProperties("fleetsaga.consumer.membership")
public record MembershipSettings(
        @DefaultValue("true") boolean staticMembership,
        String instanceId,
        @DefaultValue("10s") Duration sessionTimeout,
        @DefaultValue("2s") Duration heartbeatInterval,
        @DefaultValue("true") boolean leaveOnShutdown,
        @DefaultValue("5s") Duration leaveTimeout) {

    public MembershipSettings {
        if (heartbeatInterval.multipliedBy(3).compareTo(sessionTimeout) > 0) {
            throw new IllegalArgumentException(
                    "fleetsaga.consumer.membership.heartbeat-interval must be at most a" + " third of session-timeout");
        }
        instanceId = instanceId == null ? "" : instanceId.trim();
    }
}
