package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end durability promise under load: a real {@code mxguard serve} process takes a few
 * thousand messages while it relays them to a sink that records each Message-ID; it is killed with
 * SIGKILL at random moments (20 times by default) and restarted, and the sink is down for some of
 * those rounds. At the end every message that got {@code 250} must have reached the sink at least
 * once. A message may reach it twice only across a kill or a sink outage (the window between the
 * primary's 250 and the removal from the spool, or a sink dropped after the dot): a duplicate
 * within one uninterrupted epoch fails the test.
 *
 * <p>Scale with {@code -Dmxguard.crash.messages=N} and {@code -Dmxguard.crash.kills=N}.
 */
class CrashUnderLoadIT {

    @TempDir
    Path dir;

    /** Message-IDs that got 250 from mxguard. */
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicInteger next = new AtomicInteger();

    @Test
    void noAcknowledgedMessageIsLostAcrossKillsAndSinkOutages() throws Exception {
        int messages = Integer.getInteger("mxguard.crash.messages", 2000);
        int kills = Integer.getInteger("mxguard.crash.kills", 20);
        long seed = Long.getLong("mxguard.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        int port = SmtpConversation.freePort();
        Instant started = Instant.now();
        try (RecordingSink sink = new RecordingSink()) {
            Path config = ServeConfig.in(dir).hostname("crash.test").smtpPort(port).withoutInterfaceAddresses()
                    .retries("2s", "1s").set("delivery.connect-timeout", "2s").route("protected.test", sink.port())
                    .withoutPrimaryProbe().write();
            Path output = dir.resolve("server.out");
            int sinkOutages = 0;
            for (int round = 0; round < kills; round++) {
                // The sink is down for every third round: a third of the kills find deferred mail in the spool.
                boolean sinkDown = round % 3 == 1;
                if (sinkDown) {
                    // Each kill and each outage starts an epoch; duplicates are only allowed across epochs.
                    sink.stop();
                    sink.nextEpoch();
                    sinkOutages++;
                }
                ServerProcess server = ServerProcess.start(config, port, output);
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> clients = startClients(port, messages, stop);
                Thread.sleep(300 + random.nextInt(1200));
                server.kill();
                sink.nextEpoch();
                stop.set(true);
                for (Thread client : clients) {
                    client.join();
                }
                if (sinkDown) {
                    sink.start();
                }
            }
            // The last life: the rest of the load, then everything acknowledged must drain to the sink.
            try (ServerProcess server = ServerProcess.start(config, port, output)) {
                AtomicBoolean stop = new AtomicBoolean();
                for (Thread client : startClients(port, messages, stop)) {
                    client.join();
                }
                Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
                while (!sink.delivered().containsAll(acknowledged) && Instant.now().isBefore(deadline)) {
                    Thread.sleep(100);
                }
            }
            Set<String> lost = new TreeSet<>(acknowledged);
            lost.removeAll(sink.delivered());
            long duplicates = sink.duplicates();
            long sameEpoch = sink.duplicatesWithinAnEpoch();
            Set<String> unacknowledgedDelivered = new TreeSet<>(sink.delivered());
            unacknowledgedDelivered.removeAll(acknowledged);
            System.out.printf("crash under load: seed %d, %d kills, %d sink outages, %d sent, %d acknowledged, "
                    + "%d delivered, %d lost, %d duplicated (%d within one epoch), "
                    + "%d delivered without 250 (in flight at a kill), %d s%n",
                    seed, kills, sinkOutages, next.get(), acknowledged.size(), sink.delivered().size(), lost.size(),
                    duplicates, sameEpoch, unacknowledgedDelivered.size(),
                    Duration.between(started, Instant.now()).toSeconds());
            assertThat(acknowledged).as("the load was accepted").hasSizeGreaterThanOrEqualTo(messages * 8 / 10);
            assertThat(lost).as("acknowledged but never delivered (seed %d)", seed).isEmpty();
            assertThat(sameEpoch).as("duplicates with no kill or sink outage between them").isZero();
            assertThat(unacknowledgedDelivered.stream().mapToInt(id -> Integer.parseInt(id.substring(5, id.indexOf('@')))))
                    .as("delivered messages were sent by the load").allMatch(n -> n < next.get());
        }
    }

    private List<Thread> startClients(int port, int messages, AtomicBoolean stop) {
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            clients.add(Thread.ofVirtual().start(() -> send(port, messages, stop)));
        }
        return clients;
    }

    /** Sends messages one after another until the load is sent or the server goes away. */
    private void send(int port, int messages, AtomicBoolean stop) {
        while (!stop.get()) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII));
                OutputStream out = socket.getOutputStream();
                SmtpConversation.expect(in, "220");
                SmtpConversation.send(out, "EHLO load-client.test");
                SmtpConversation.expect(in, "250");
                while (!stop.get()) {
                    int n = next.getAndIncrement();
                    if (n >= messages) {
                        return;
                    }
                    String id = "load-" + n + "@client.test";
                    SmtpConversation.send(out, "MAIL FROM:<sender@client.test>");
                    SmtpConversation.expect(in, "250");
                    SmtpConversation.send(out, "RCPT TO:<user@protected.test>");
                    SmtpConversation.expect(in, "250");
                    SmtpConversation.send(out, "DATA");
                    SmtpConversation.expect(in, "354");
                    SmtpConversation.send(out, "Message-ID: <" + id + ">\r\nSubject: load " + n + "\r\n\r\n"
                            + "body line\r\n".repeat(20) + ".");
                    SmtpConversation.expect(in, "250");
                    acknowledged.add(id);
                }
            } catch (IOException serverGone) {
                Thread.yield();
            }
        }
    }
}
