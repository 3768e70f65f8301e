package org.mxguard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.mxguard.config.ConfigException;
import org.mxguard.config.ConfigLoader;
import org.mxguard.config.Units;
import org.mxguard.demo.DemoPrimary;
import org.mxguard.demo.DemoTraffic;
import org.mxguard.mail.Domain;
import org.mxguard.maillog.FileLogSink;
import org.mxguard.maillog.MailLog;
import org.mxguard.policy.PolicyParseException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mxguard demo}: a backup MX (the real server, MX-skip rule enforcing), its primary (an
 * in-process SMTP sink writing a Postfix log the backup follows) and senders, all on loopback, with
 * the dashboard. Nothing leaves the host and nothing needs DNS or root; the files live in a
 * temporary directory removed at the end, or in {@code --dir}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a backup MX, its primary, an EMS-style spam campaign and legitimate senders on "
                + "loopback, with the dashboard: the MX-skip detection at work within a minute.",
            "Needs Linux (the senders use addresses of 127.0.0.0/8). Stop it with Ctrl-C."})
final class DemoCommand implements Callable<Integer> {

    private static final Domain DOMAIN = Domain.parse(DemoTraffic.DOMAIN);

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "Stop after this long (30s, 5m); without it the demo runs until Ctrl-C.")
    String duration;

    @Option(names = "--admin-port", paramLabel = "PORT", defaultValue = "8025",
            description = "The dashboard's port on 127.0.0.1 (default ${DEFAULT-VALUE}; another is chosen if it is "
                    + "taken; 0: any).")
    int adminPort;

    @Option(names = "--retry-interval", paramLabel = "DURATION", defaultValue = "20s",
            description = "The MX-skip rule's retry interval; the legitimate senders retry a second after it "
                    + "(default ${DEFAULT-VALUE}; a real server's is 5m).")
    String retryInterval;

    @Option(names = "--report-every", paramLabel = "DURATION", defaultValue = "10s",
            description = "How often a line of counts is printed (default ${DEFAULT-VALUE}).")
    String reportEvery;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Keep the configuration, spool and logs here instead of a temporary directory.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Duration limit;
        Duration retry;
        Duration every;
        try {
            limit = duration == null ? null : Units.parseDuration(duration);
            retry = Units.parseDuration(retryInterval);
            every = Units.parseDuration(reportEvery);
        } catch (IllegalArgumentException e) {
            err.println("mxguard demo: " + e.getMessage());
            return 2;
        }
        if (!loopbackAliasesWork()) {
            err.println("mxguard demo: cannot bind to 127.66.1.10: the demo's senders need the whole of 127.0.0.0/8 "
                    + "on the loopback interface, as Linux has it");
            return 1;
        }
        Runnable restoreLog = quietOperationalLog();
        Path work = dir == null ? Files.createTempDirectory("mxguard-demo-") : Files.createDirectories(dir);
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            interrupted.countDown();
            try {
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(work, limit, retry, every, interrupted, out, err);
        } finally {
            restoreLog.run();
            if (interrupted.getCount() > 0) {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            try {
                if (dir == null) {
                    delete(work);
                }
            } finally {
                // Last: on Ctrl-C the JVM halts as soon as the hook returns.
                finished.countDown();
            }
        }
    }

    private int run(Path work, Duration limit, Duration retry, Duration every, CountDownLatch interrupted,
            PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        Path primaryLog = work.resolve("primary.log");
        Files.writeString(primaryLog, "");
        String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        try (FileLogSink primarySink = FileLogSink.append(primaryLog);
                DemoPrimary primary = DemoPrimary.start(new MailLog("mx1.demo.example", "postfix",
                        Clock.systemDefaultZone(), primarySink), DemoTraffic.BUSY, DemoTraffic::nameOf)) {
            Path config = work.resolve("mxguard.yaml");
            Files.writeString(config, configuration(work, primary.port(), freeAdminPort(), token, retry));
            Server server;
            try {
                server = new Server(ConfigLoader.loadForServing(config), Clock.systemDefaultZone());
            } catch (ConfigException e) {
                e.problems().forEach(err::println);
                return 1;
            }
            server.clientNames(DemoTraffic::nameOf);
            try (server) {
                try {
                    server.start();
                } catch (PolicyParseException e) {
                    err.println(e.getMessage());
                    return 1;
                }
                if (!awaitPrimaryUp(server)) {
                    err.println("mxguard demo: the health probe did not find the demo's primary up");
                    return 1;
                }
                header(out, server, primary, work, token, retry);
                Instant start = Instant.now();
                DemoTraffic traffic = new DemoTraffic(server.smtpPort(), primary.port(), retry.plusSeconds(1));
                try {
                    traffic.start();
                    while (limit == null || Duration.between(start, Instant.now()).compareTo(limit) < 0) {
                        Duration left = limit == null ? every
                                : min(every, limit.minus(Duration.between(start, Instant.now())));
                        if (interrupted.await(Math.max(1, left.toMillis()), TimeUnit.MILLISECONDS)) {
                            break;
                        }
                        status(out, server, primary, traffic, start);
                    }
                } finally {
                    traffic.close();
                }
                awaitRelayed(server, primary, traffic);
                summary(out, server, primary, traffic, start);
                return 0;
            }
        }
    }

    private static String configuration(Path work, int primaryPort, int adminPort, String token, Duration retry) {
        return """
                # Written by mxguard demo: a backup MX for demo.example, whose primary is the demo's
                # SMTP sink on 127.0.0.1:%2$d. Every key: docs/configuration.md.
                hostname: mx2.demo.example
                protected-domains: [ demo.example ]
                smtp:
                  listen: [ "127.0.0.1:0" ]
                spool:
                  directory: %1$s/spool
                  min-free-space: 0
                log:
                  file: %1$s/mail.log
                dns:
                  client-name-lookup: false
                delivery:
                  routes:
                    demo.example: "[127.0.0.1]:%2$d"
                  min-backoff: 5s
                  max-backoff: 30s
                primary:
                  log-files: [ %1$s/primary.log ]
                  poll-interval: 200ms
                  probe:
                    interval: 10s
                mx-skip:
                  mode: enforce
                  retry-interval: %5$ds
                  blocks:
                    min-clients: 4
                control:
                  socket: %1$s/control.sock
                admin:
                  listen: 127.0.0.1:%3$d
                  token: %4$s
                """.formatted(work.toAbsolutePath(), primaryPort, adminPort, token, retry.toSeconds());
    }

    private void header(PrintWriter out, Server server, DemoPrimary primary, Path work, String token,
            Duration retry) {
        out.printf("""
                mxguard demo: the backup MX of demo.example and its primary, on loopback

                  dashboard    http://127.0.0.1:%d/   (admin token for its buttons: %s)
                  backup MX    127.0.0.1:%d   mxguard, MX-skip rule enforcing (retry interval %ds)
                  primary MX   127.0.0.1:%d   an SMTP sink that writes a Postfix log, followed by the backup
                  files        %s   (mxguard.yaml, mail.log, primary.log)%s

                  senders      an EMS-style campaign: <> from dial-up hosts 127.66.1-2.x, to the backup only
                               partners 127.20.0.x deliver to the primary
                               shops 127.20.1.x are turned away by the busy primary (421) and use the backup
                               a host with a stale route, 127.20.2.x, tries the backup first and retries after 451

                Watch the campaign get 451 and its pools blocked, while every legitimate message reaches
                the primary. Try: ./mxguard block list -c %s/mxguard.yaml
                %s
                """, server.adminAddress().getPort(), token, server.smtpPort(), retry.toSeconds(), primary.port(),
                work.toAbsolutePath(), dir == null ? " removed at the end" : "", work.toAbsolutePath(),
                duration == null ? "Ctrl-C to stop." : "Running for " + duration + ".");
        out.flush();
    }

    private static void status(PrintWriter out, Server server, DemoPrimary primary, DemoTraffic traffic,
            Instant start) {
        DemoTraffic.Tally t = traffic.tally(primary::received);
        out.printf("[%4ds] campaign %d tried: %d tempfailed, %d accepted | legitimate %d: %d direct to the primary, "
                + "%d through the backup (%d relayed), %d tempfailed and retried, %d waiting | blocks: %s%n",
                Duration.between(start, Instant.now()).toSeconds(), t.campaignTried(), t.campaignTempfailed(),
                t.campaignAccepted(), t.legitSent(), t.legitDirect(), t.legitViaBackup(), t.legitRelayed(),
                t.legitTempfailed(), t.legitWaiting(), blocks(server));
        out.flush();
    }

    private static void summary(PrintWriter out, Server server, DemoPrimary primary, DemoTraffic traffic,
            Instant start) {
        DemoTraffic.Tally t = traffic.tally(primary::received);
        long campaignAtPrimary = primary.receivedIds().stream().filter(id -> id.startsWith("<ems-")).count();
        out.printf("""

                demo over after %ds:
                  campaign     %d messages offered to the backup: %d tempfailed, %d accepted, %d reached the primary
                  legitimate   %d messages: %d reached the primary (%d directly, %d relayed by the backup), \
                %d waiting for a retry, %d cut off mid-try when the demo stopped
                  blocks       %s
                """, Duration.between(start, Instant.now()).toSeconds(), t.campaignTried(), t.campaignTempfailed(),
                t.campaignAccepted(), campaignAtPrimary, t.legitSent(), t.legitDirect() + t.legitRelayed(),
                t.legitDirect(), t.legitRelayed(), t.legitWaiting(),
                t.legitSent() - t.legitDirect() - t.legitRelayed() - t.legitWaiting(), blocks(server));
        out.flush();
    }

    private static String blocks(Server server) {
        Instant now = Instant.now();
        String list = server.mxSkip().store().blocks().stream().filter(b -> !b.expired(now)).map(b -> b.target())
                .sorted().collect(Collectors.joining(" "));
        return list.isEmpty() ? "none yet" : list;
    }

    /** The primary counts as up from the first probe that found it: the MX-skip rule lets all through before. */
    private static boolean awaitPrimaryUp(Server server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (server.primaryHealth().primaryUp(DOMAIN)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** After the senders stop, what the backup took is given a few seconds to reach the primary. */
    private static void awaitRelayed(Server server, DemoPrimary primary, DemoTraffic traffic)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            DemoTraffic.Tally t = traffic.tally(primary::received);
            if (t.legitRelayed() == t.legitViaBackup() && server.queued() == 0) {
                return;
            }
            Thread.sleep(100);
        }
    }

    /** The asked port if it is free, else one the system chooses. */
    private int freeAdminPort() {
        if (adminPort == 0) {
            return 0;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), adminPort));
            return adminPort;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The server's start-up and probe messages would bury the demo's own lines: only warnings and
     * errors go to stderr while the demo runs. Returns what puts the level back.
     */
    private static Runnable quietOperationalLog() {
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            ch.qos.logback.classic.Level before = root.getLevel();
            root.setLevel(ch.qos.logback.classic.Level.WARN);
            return () -> root.setLevel(before);
        }
        return () -> { };
    }

    private static boolean loopbackAliasesWork() {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.66.1.10"), 0));
            return true;
        } catch (BindException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void delete(Path work) throws IOException {
        try (Stream<Path> paths = Files.walk(work)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
