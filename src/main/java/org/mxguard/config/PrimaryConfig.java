package org.mxguard.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.mxguard.primary.PrimarySettings;
import org.mxguard.primary.ProbeSettings;
import org.mxguard.primary.SyslogSettings;

/** The {@code primary} section: the primary MX's log files, its syslog, and the health probe. */
final class PrimaryConfig {

    private PrimaryConfig() {
    }

    static PrimarySettings bind(Section s) {
        PrimarySettings d = PrimarySettings.defaults();
        List<Path> files = s.list("log-files", d.logFiles(), Path::of);
        Duration poll = ConfigLoader.positive(s, "poll-interval", d.pollInterval());
        SyslogSettings syslog = syslog(s.section("syslog"));
        ProbeSettings probe = probe(s.section("probe"));
        s.finish();
        return new PrimarySettings(files, poll, syslog, probe);
    }

    private static SyslogSettings syslog(Section s) {
        SyslogSettings d = SyslogSettings.none();
        List<InetSocketAddress> udp = s.list("listen-udp", d.udp(), text -> ConfigLoader.resolvedHostPort(text, 514));
        List<InetSocketAddress> tcp = s.list("listen-tcp", d.tcp(), text -> ConfigLoader.resolvedHostPort(text, 514));
        long maxMessage = s.size("max-message-size", d.maxMessage(), 480);
        if (maxMessage > 1 << 20) {
            s.problem("max-message-size", "at most 1m");
            maxMessage = d.maxMessage();
        }
        int maxConnections = (int) s.integer("max-connections", d.maxConnections(), 1, 100_000);
        Duration idle = ConfigLoader.positive(s, "idle-timeout", d.idleTimeout());
        s.finish();
        return new SyslogSettings(udp, tcp, (int) maxMessage, maxConnections, idle);
    }

    private static ProbeSettings probe(Section s) {
        ProbeSettings d = ProbeSettings.DEFAULTS;
        boolean enabled = s.bool("enabled", d.enabled());
        Duration interval = ConfigLoader.positive(s, "interval", d.interval());
        Duration timeout = ConfigLoader.positive(s, "timeout", d.timeout());
        int downAfter = (int) s.integer("down-after", d.downAfter(), 1, 1000);
        int upAfter = (int) s.integer("up-after", d.upAfter(), 1, 1000);
        s.finish();
        return new ProbeSettings(enabled, interval, timeout, downAfter, upAfter);
    }
}
