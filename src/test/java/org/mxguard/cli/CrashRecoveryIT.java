package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.mail.QueueId;
import org.mxguard.spool.FileSpool;
import org.mxguard.spool.SpoolSettings;

/**
 * The durability promise tested as a crash happens: a real {@code mxguard serve} child process is
 * killed with SIGKILL at random points while clients send mail, then restarted. Every message that
 * got {@code 250 ... queued as ID} must be in the spool exactly once under that id; nothing else may
 * be there but messages that were in flight at the kill (committed, 250 not yet read by the client).
 */
class CrashRecoveryIT {

    private static final Pattern QUEUED = Pattern.compile("^250 2\\.0\\.0 .*queued as ([0-9A-Z]+)");
    private static final Pattern MARKER = Pattern.compile("X-Crash-Marker: (\\S+)");

    @TempDir
    Path dir;

    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    private final Set<String> attempted = ConcurrentHashMap.newKeySet();
    private final Semaphore acks = new Semaphore(0);

    @Test
    void everyAcknowledgedMessageSurvivesKillNine() throws Exception {
        int port = SmtpConversation.freePort();
        Path config = ServeConfig.in(dir).hostname("crash.test").smtpPort(port).withoutDelivery().withoutPrimaryProbe()
                .write();
        Path output = dir.resolve("server.out");
        Random random = new Random(20261126);
        for (int round = 0; round < 4; round++) {
            ServerProcess server = ServerProcess.start(config, port, output);
            int killAfter = acknowledged.size() + 20 + random.nextInt(120);
            acks.drainPermits();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                String prefix = "r" + round + "c" + c + "n";
                clients.add(Thread.ofVirtual().start(() -> sendUntilRefused(port, prefix, stop)));
            }
            int needed = killAfter - acknowledged.size();
            assertThat(acks.tryAcquire(needed, 60, TimeUnit.SECONDS)).as("server accepts mail").isTrue();
            server.kill();
            stop.set(true);
            for (Thread client : clients) {
                client.join();
            }
        }
        // A last clean start recovers, then a clean stop leaves the spool for inspection.
        ServerProcess.start(config, port, output).close();

        Map<String, List<QueueId>> found = new HashMap<>();
        try (FileSpool spool = FileSpool.open(SpoolSettings.defaults(dir.resolve("spool")).withMinFreeBytes(0),
                Clock.systemUTC())) {
            for (QueueId id : spool.recover()) {
                String content = new String(spool.openContent(id).readAllBytes(), StandardCharsets.UTF_8);
                Matcher m = MARKER.matcher(content);
                assertThat(m.find()).as("message %s has its marker", id).isTrue();
                found.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(id);
            }
        }
        assertThat(acknowledged).hasSizeGreaterThan(80);
        for (Map.Entry<String, String> ack : acknowledged.entrySet()) {
            assertThat(found.get(ack.getKey())).as("acknowledged message %s", ack.getKey())
                    .containsExactly(new QueueId(ack.getValue()));
        }
        for (Map.Entry<String, List<QueueId>> stored : found.entrySet()) {
            assertThat(attempted).as("stored message was sent by a client").contains(stored.getKey());
            assertThat(stored.getValue()).as("stored once: %s", stored.getKey()).hasSize(1);
        }
    }

    /** Sends messages one after another until the server goes away. */
    private void sendUntilRefused(int port, String prefix, AtomicBoolean stop) {
        AtomicInteger n = new AtomicInteger();
        while (!stop.get()) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII));
                OutputStream out = socket.getOutputStream();
                SmtpConversation.expect(in, "220");
                SmtpConversation.send(out, "EHLO crash-client.test");
                SmtpConversation.expect(in, "250");
                while (!stop.get()) {
                    String marker = prefix + n.getAndIncrement();
                    SmtpConversation.send(out, "MAIL FROM:<sender@client.test>");
                    SmtpConversation.expect(in, "250");
                    SmtpConversation.send(out, "RCPT TO:<user@protected.test>");
                    SmtpConversation.expect(in, "250");
                    SmtpConversation.send(out, "DATA");
                    SmtpConversation.expect(in, "354");
                    attempted.add(marker);
                    SmtpConversation.send(out, "Subject: crash test\r\nX-Crash-Marker: " + marker + "\r\n\r\n"
                            + "body line\r\n".repeat(40) + ".");
                    String reply = SmtpConversation.expect(in, "250");
                    Matcher m = QUEUED.matcher(reply);
                    assertThat(m.find()).as("queued reply: %s", reply).isTrue();
                    acknowledged.put(marker, m.group(1));
                    acks.release();
                }
            } catch (IOException serverGone) {
                if (!stop.get()) {
                    Thread.yield();
                }
            }
        }
    }
}
