package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mxguard.policy.PolicyEngine;

/**
 * A flood against the default limits (100 sessions, 50 per client, 5-minute timeouts): 1,000
 * connections from four addresses, half of them idle and half sending an octet a second, while
 * three more addresses loop on junk commands and reconnect whenever they are dropped. A legitimate
 * client still has each of its messages accepted within two seconds, and the server's heap and
 * platform threads stay bounded (measured and printed for docs/RELIABILITY.md).
 */
class FloodIT {

    @Test
    void aThousandSlowConnectionsAndJunkLoopsDoNotKeepALegitimateClientFromSending() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2);
        List<Socket> hostile = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong junkSent = new AtomicLong();
        AtomicLong junkDropped = new AtomicLong();
        List<Thread> loopers = new ArrayList<>();
        try (TestServer server = TestServer.start(s -> s.withTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(3)),
                PolicyEngine.NONE)) {
            System.gc();
            long heapBefore = memory.getHeapMemoryUsage().getUsed();
            int threadsBefore = threads.getThreadCount();
            int greeted = 0;
            int refused = 0;
            for (int i = 0; i < 1000; i++) {
                Socket socket = new Socket();
                hostile.add(socket);
                socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.1." + (i % 4 + 1)), 0));
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
                socket.setSoTimeout(5000);
                String first = firstLine(socket.getInputStream());
                if (first.startsWith("220")) {
                    greeted++;
                    if (i % 2 == 0) {
                        ticker.scheduleAtFixedRate(() -> {
                            try {
                                socket.getOutputStream().write('N');
                            } catch (IOException closed) {
                                // dropped by the server
                            }
                        }, 0, 1, TimeUnit.SECONDS);
                    }
                } else {
                    refused++;
                }
            }
            for (int j = 0; j < 3; j++) {
                String from = "127.0.2." + (j + 1);
                loopers.add(Thread.ofVirtual().start(() -> junk(server.port(), from, stop, junkSent, junkDropped)));
            }

            List<Long> millis = new ArrayList<>();
            for (int m = 0; m < 5; m++) {
                long start = System.nanoTime();
                try (SmtpTestClient client = SmtpTestClient.connect(server.port(), "127.0.0.1")) {
                    client.converse("""
                            >220
                            EHLO legitimate.example\r
                            >250
                            MAIL FROM:<someone@legitimate.example>\r
                            >250
                            RCPT TO:<a@example.org>\r
                            >250
                            DATA\r
                            >354
                            Subject: hello\r
                            \r
                            real mail\r
                            .\r
                            >250 2.0.0 Ok: queued as
                            QUIT\r
                            >221
                            """);
                }
                millis.add((System.nanoTime() - start) / 1_000_000);
            }
            System.gc();
            long heapDuring = memory.getHeapMemoryUsage().getUsed();
            int threadsDuring = threads.getThreadCount();
            System.out.printf(Locale.ROOT, "flood: 1000 connections from 4 addresses (%d greeted, %d refused at once), "
                    + "3 junk loops (%d junk commands sent, %d sessions dropped by the server); legitimate messages "
                    + "in %s ms; heap after GC %d MB before, %d MB during (+%d MB); platform threads %d before, "
                    + "%d during%n", greeted, refused, junkSent.get(), junkDropped.get(), millis,
                    heapBefore >> 20, heapDuring >> 20, (heapDuring - heapBefore) >> 20, threadsBefore, threadsDuring);
            assertThat(millis).allMatch(ms -> ms < 2000);
            assertThat(server.spool.messages()).hasSize(5);
            assertThat(greeted).as("sessions the flood got").isLessThanOrEqualTo(100);
            assertThat(junkDropped.get()).as("junk loops are cut off").isPositive();
            assertThat(heapDuring - heapBefore).as("heap bounded").isLessThan(64L << 20);
            assertThat(threadsDuring - threadsBefore).as("sessions run on virtual threads").isLessThan(20);
        } finally {
            stop.set(true);
            ticker.shutdownNow();
            for (Thread t : loopers) {
                t.join(10_000);
            }
            synchronized (hostile) {
                for (Socket socket : hostile) {
                    socket.close();
                }
            }
        }
    }

    /** Junk commands in a loop; a new session whenever the server ends one. */
    private static void junk(int port, String from, AtomicBoolean stop, AtomicLong sent, AtomicLong dropped) {
        byte[] line = "XYZZY junk\r\n".getBytes(StandardCharsets.US_ASCII);
        while (!stop.get()) {
            try (Socket socket = new Socket()) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                socket.setSoTimeout(5000);
                InputStream in = socket.getInputStream();
                firstLine(in);
                while (!stop.get()) {
                    socket.getOutputStream().write(line);
                    sent.incrementAndGet();
                    if (firstLine(in).isEmpty()) {
                        break;
                    }
                }
            } catch (IOException dropped2) {
                // reconnect below
            }
            dropped.incrementAndGet();
        }
    }

    private static String firstLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.append((char) b);
        }
        return line.toString().strip();
    }
}
