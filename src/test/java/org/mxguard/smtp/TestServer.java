package org.mxguard.smtp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.mxguard.dns.ClientNameLookup;
import org.mxguard.maillog.LogSink;
import org.mxguard.maillog.MailLog;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.spool.MemorySpool;

/**
 * A real {@link SmtpServer} on 127.0.0.1, a free port, with an in-memory spool, a fixed clock, a
 * recording listener and the Postfix-format log kept in memory.
 */
final class TestServer implements AutoCloseable {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T22:17:06Z"), ZoneOffset.UTC);

    final MemorySpool spool = new MemorySpool(0xA0000);
    final RecordingListener events = new RecordingListener();
    final List<String> logLines = new ArrayList<>();
    final SmtpServer server;

    private TestServer(SmtpSettings settings, PolicyEngine policy, ClientNameLookup names) throws Exception {
        LogSink sink = line -> {
            synchronized (logLines) {
                logLines.add(line);
                logLines.notifyAll();
            }
        };
        MailLog log = new MailLog("mx2.example.org", "postfix-mxguard", CLOCK, sink);
        // The log writer hears each event first, so a test that saw an event also finds its log line.
        server = new SmtpServer(settings, spool, policy, names, List.of(new SmtpdLogWriter(log), events), CLOCK);
        server.start();
    }

    /** The settings the tests start from: protecting example.org and every name below sub.example.net. */
    static SmtpSettings settings() {
        return SmtpSettings.defaults()
                .withHostname("mx2.example.org")
                .withListen(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
                .withProtectedDomains(List.of("example.org", ".sub.example.net", "bücher.example"))
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    static TestServer start() throws Exception {
        return start(s -> s, PolicyEngine.NONE);
    }

    static TestServer start(UnaryOperator<SmtpSettings> change, PolicyEngine policy) throws Exception {
        return new TestServer(change.apply(settings()), policy, address -> "client.example");
    }

    static TestServer start(SmtpSettings settings, PolicyEngine policy, ClientNameLookup names) throws Exception {
        return new TestServer(settings, policy, names);
    }

    SmtpTestClient connect() throws Exception {
        return SmtpTestClient.connect(server.port());
    }

    int port() {
        return server.port();
    }

    /** Waits (up to 5 s) until a log line containing the text was written; returns it. */
    String awaitLog(String containing) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        synchronized (logLines) {
            while (true) {
                for (String line : logLines) {
                    if (line.contains(containing)) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no log line with \"" + containing + "\"; got " + logLines);
                }
                try {
                    logLines.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }

    List<String> logLines() {
        synchronized (logLines) {
            return List.copyOf(logLines);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
