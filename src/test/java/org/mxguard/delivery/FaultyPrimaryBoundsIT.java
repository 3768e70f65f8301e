package org.mxguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.dns.DnsClient;
import org.mxguard.dns.DnsSettings;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Domain;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;
import org.mxguard.maillog.MailLog;
import org.mxguard.spool.FileSpool;
import org.mxguard.spool.MessageWriter;
import org.mxguard.spool.SpoolSettings;

/**
 * Several thousand messages queued for a primary that is a tarpit, then drops the connection in
 * the middle of the data, then flaps between refusing, vanishing and answering: the relay's
 * threads stay within its configured concurrency, its heap grows by a bounded amount per queued
 * message (the messages themselves stay on disk), another domain's mail is delivered meanwhile,
 * and once the primary behaves every message is delivered and none bounced. The figures are
 * printed for docs/RELIABILITY.md. Scale with {@code -Dmxguard.faults.messages=N}.
 */
class FaultyPrimaryBoundsIT {

    private static final int OVERALL = 20;
    private static final int PER_DESTINATION = 5;
    private static final Pattern THREAD_NAME = Pattern.compile("\"name\": \"(delivery-\\d+)\"");

    @TempDir
    Path dir;

    /** The mail log's bounce lines (there must be none); the rest is only counted, to keep the heap figures the relay's. */
    private final List<String> bounced = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger logLines = new AtomicInteger();
    /** The recipients (userN) the primary has received, by N. */
    private final BitSet delivered = new BitSet();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    @Test
    void thousandsQueuedForAFaultyPrimaryKeepThreadsAndHeapBoundedAndOtherMailFlowing() throws Exception {
        int messages = Integer.getInteger("mxguard.faults.messages", 3000);
        Clock clock = Clock.systemUTC();
        MailLog mailLog = new MailLog("mxguard.test", "postfix-mxguard", clock, line -> {
            logLines.incrementAndGet();
            if (line.contains("status=bounced")) {
                bounced.add(line);
            }
        });
        try (ScriptedSink primary = new ScriptedSink(); ScriptedSink other = new ScriptedSink();
                FileSpool spool = FileSpool.open(SpoolSettings.defaults(dir.resolve("spool")).withMinFreeBytes(0)
                        .withFsync(false), clock)) {
            spool.recover();
            // Static routes to IP literals never ask DNS; the resolver points at a port nobody serves.
            DnsClient dns = new DnsClient(DnsSettings.server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9),
                    Duration.ofMillis(100)));
            DeliverySettings settings = DeliverySettings.defaults("mxguard.test")
                    .withRoutes(Map.of(Domain.parse("protected.test"), StaticRoute.parse(primary.route()),
                            Domain.parse("other.test"), StaticRoute.parse(other.route())))
                    .withSmtp(SmtpTimeouts.all(Duration.ofSeconds(2)), TlsMode.NONE, 50)
                    .withConnectionReuseTime(Duration.ZERO)
                    .withConcurrency(OVERALL, PER_DESTINATION)
                    .withRetry(Duration.ofSeconds(1), Duration.ofSeconds(3), 0.1, Duration.ofDays(5));
            DeliveryScheduler scheduler = TestScheduler.build(spool, settings, dns, mailLog, clock, new Random(17));
            try {
                Figures before = measure("before", 0, primary);
                primary.byteDelay = Duration.ofSeconds(1);
                scheduler.start();
                for (int i = 0; i < messages; i++) {
                    scheduler.queued(queue(spool, "user" + i + "@protected.test"));
                }
                List<Figures> figures = new ArrayList<>(List.of(before));

                // The tarpit: one octet a second, so every attempt runs into the 2 s reply deadline.
                awaitTrue(() -> primary.connections.get() >= PER_DESTINATION * 2, Duration.ofSeconds(30),
                        "the tarpit attempts begin");
                figures.add(otherDomainFlowsWhile("tarpit", spool, scheduler, other, messages, primary));

                // Dropping the connection after the content, before the reply to the final dot.
                primary.byteDelay = null;
                primary.dropAt = "END";
                int connectionsAtDrop = primary.connections.get();
                awaitTrue(() -> primary.connections.get() >= connectionsAtDrop + messages / 2, Duration.ofSeconds(120),
                        "half the queue meets the drop");
                figures.add(otherDomainFlowsWhile("dropping mid-DATA", spool, scheduler, other, messages, primary));

                // Flapping: refusing, gone at the greeting, dropping at DATA, answering; 300 ms each.
                Thread flapper = Thread.ofVirtual().start(() -> flap(primary));
                try {
                    Instant flapUntil = Instant.now().plus(Duration.ofSeconds(4));
                    awaitTrue(() -> Instant.now().isAfter(flapUntil), Duration.ofSeconds(5), "four seconds of flapping");
                    figures.add(otherDomainFlowsWhile("flapping", spool, scheduler, other, messages, primary));
                } finally {
                    flapper.interrupt();
                    flapper.join();
                }

                // The primary behaves again: everything is delivered, nothing bounced.
                primary.dropAt = null;
                primary.banner = "220 primary.protected.test ESMTP";
                scheduler.flush(Domain.parse("protected.test"));
                awaitTrue(() -> spoolSize(spool) == 0, Duration.ofSeconds(180), "the queue drained");
                figures.add(measure("drained", 0, primary));

                collect(primary);
                for (Figures f : figures) {
                    System.out.println(f);
                }
                System.out.printf(Locale.ROOT, "faulty primary: %d messages, %d connections to it, %d delivered "
                        + "(%d transactions), %d mail log lines%n", messages, primary.connections.get(),
                        delivered.cardinality(), transactions, logLines.get());
                assertThat(delivered.cardinality()).as("every queued message delivered").isEqualTo(messages);
                assertThat(delivered.nextSetBit(messages)).as("nothing else delivered").isEqualTo(-1);
                assertThat(bounced).as("bounced").isEmpty();
                for (Figures f : figures) {
                    assertThat(f.sessions()).as("connections to the primary (%s)", f.phase())
                            .isLessThanOrEqualTo(PER_DESTINATION);
                    assertThat(f.deliveryThreads()).as("delivery threads (%s)", f.phase())
                            .isLessThanOrEqualTo(OVERALL);
                    assertThat(f.platformThreads() - before.platformThreads()).as("platform threads (%s)", f.phase())
                            .isLessThanOrEqualTo(5);
                    assertThat(f.heapPerMessage()).as("heap per queued message (%s)", f.phase())
                            .isLessThan(4096);
                }
            } finally {
                scheduler.close();
            }
        }
    }

    /** A message to another domain, sent while the primary misbehaves, must arrive within 3 s. */
    private Figures otherDomainFlowsWhile(String phase, FileSpool spool, DeliveryScheduler scheduler,
            ScriptedSink other, int queued, ScriptedSink primary) throws Exception {
        int before = other.received.size();
        Instant sent = Instant.now();
        scheduler.queued(queue(spool, "someone@other.test"));
        awaitTrue(() -> other.received.size() > before, Duration.ofSeconds(30), "the other domain's mail (" + phase + ")");
        Duration took = Duration.between(sent, Instant.now());
        Figures figures = measure(phase, queued, primary).with(took);
        assertThat(took).as("another domain's mail while the primary is %s", phase).isLessThan(Duration.ofSeconds(3));
        return figures;
    }

    private static void flap(ScriptedSink primary) {
        List<Runnable> states = List.of(
                () -> primary.banner = "421 4.3.2 primary.protected.test busy",
                () -> primary.dropAt = "GREETING",
                () -> primary.dropAt = "DATA",
                () -> { });
        int n = 0;
        while (!Thread.currentThread().isInterrupted()) {
            primary.dropAt = null;
            primary.banner = "220 primary.protected.test ESMTP";
            states.get(n++ % states.size()).run();
            try {
                // The flapping's pace itself, not a wait for a condition.
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Heap after a full collection, platform threads, and the scheduler's delivery (virtual) threads. */
    record Figures(String phase, int queued, long heap, int platformThreads, int deliveryThreads, int sessions,
            Duration otherDomain, long heapPerMessage) {

        Figures with(Duration took) {
            return new Figures(phase, queued, heap, platformThreads, deliveryThreads, sessions, took, heapPerMessage);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-18s queued %5d, heap after GC %6.1f MB, platform threads %3d, "
                    + "delivery threads %5d, sessions with the primary %2d, another domain's mail in %s", phase,
                    queued, heap / 1048576.0, platformThreads, deliveryThreads, sessions,
                    otherDomain == null ? "-" : otherDomain.toMillis() + " ms");
        }
    }

    private long baselineHeap = -1;
    private int transactions;

    /** Takes the primary's receipts into the bit set, so the test holds no message content. */
    private void collect(ScriptedSink primary) {
        synchronized (primary.received) {
            for (ScriptedSink.Received r : primary.received) {
                transactions++;
                for (String rcpt : r.recipients()) {
                    delivered.set(Integer.parseInt(rcpt.substring(4, rcpt.indexOf('@'))));
                }
            }
            primary.received.clear();
        }
        primary.commands.clear();
    }

    private Figures measure(String phase, int queued, ScriptedSink primary) throws IOException {
        collect(primary);
        int sessions = connectionsTo(primary.port());
        System.gc();
        long heap = memory.getHeapMemoryUsage().getUsed();
        if (baselineHeap < 0) {
            baselineHeap = heap;
        }
        long perMessage = queued == 0 ? 0 : Math.max(0, heap - baselineHeap) / queued;
        return new Figures(phase, queued, heap, ManagementFactory.getThreadMXBean().getThreadCount(),
                deliveryThreads(), sessions, null, perMessage);
    }

    /** Counts the scheduler's delivery threads (virtual, so only a thread dump lists them). */
    private int deliveryThreads() throws IOException {
        Path dump = dir.resolve("threads-" + System.nanoTime() + ".json");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpThreads(dump.toString(),
                HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        String json = Files.readString(dump, StandardCharsets.UTF_8);
        Files.delete(dump);
        Matcher m = THREAD_NAME.matcher(json);
        int count = 0;
        while (m.find()) {
            count++;
        }
        return count;
    }

    /** Established TCP connections to a loopback port, from /proc/net/tcp and tcp6: what the relay holds open. */
    private static int connectionsTo(int port) throws IOException {
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        int count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[2].endsWith(hexPort) && f[3].equals("01")) {
                    count++;
                }
            }
        }
        return count;
    }

    private static int spoolSize(FileSpool spool) {
        try {
            return spool.list().size();
        } catch (IOException e) {
            return -1;
        }
    }

    private static QueueId queue(FileSpool spool, String recipient) throws IOException {
        ClientInfo client = new ClientInfo(InetAddress.getByName("203.0.113.7"), 40000, "dialup-7.isp.example",
                "friend", "ESMTP", null);
        String[] parts = recipient.split("@");
        Envelope envelope = new Envelope(MailAddress.of("alice", "sender.test"), List.of(MailAddress.of(parts[0],
                parts[1])), client, Instant.now(), false, false);
        try (MessageWriter writer = spool.begin(envelope)) {
            writer.content().write(("Subject: to " + recipient + "\r\n\r\n" + "body line\r\n".repeat(50))
                    .getBytes(StandardCharsets.US_ASCII));
            writer.commit();
            return writer.id();
        }
    }

    private static void awaitTrue(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("%s within %s", what, limit).isBefore(deadline);
            Thread.sleep(20);
        }
    }
}
