package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;
import org.mxguard.evidence.EmbeddedStore;
import org.mxguard.evidence.PrimaryContact;
import org.mxguard.evidence.RedisServer;
import org.mxguard.evidence.StoreSettings;

/**
 * The evidence store slow or stuck under one running server with the MX-skip rule enforced: a Redis
 * that stops answering for seconds ({@code DEBUG SLEEP}), and the embedded store's file system
 * frozen ({@code fsfreeze}, as root on an ext4 loop device). Decisions never wait on the store: SMTP
 * replies stay fast, a primary contact reported to this host counts at once, a client the host
 * cannot judge while Redis is away is passed, not refused, and no message is lost. (Redis killed
 * and restarted under two hosts is {@code FleetIT}'s.)
 */
class EvidenceStoreFaultsIT {

    private static final Duration FAST = Duration.ofMillis(1500);

    @TempDir
    Path dir;

    /** Starts a server on the store {@code store} sets; its spool in the test's directory. */
    private Server start(UnaryOperator<ServeConfig> store) throws Exception {
        Path config = store.apply(ServeConfig.in(dir).hostname("mx2.test").withoutDelivery().mxSkip("enforce")).write();
        Server server = new Server(ConfigLoader.load(config), Clock.systemUTC());
        server.primaryHealth(domain -> true);
        server.start();
        return server;
    }

    @Tag("peer")
    @Test
    void aRedisThatStopsAnsweringSlowsNoReplyRefusesNoClientItCannotJudgeAndLosesNoMail() throws Exception {
        try (RedisServer redis = RedisServer.start(dir.resolve("redis"))) {
            Server server = start(config -> config.redis(redis.uri()));
            try {
                await("in sync", () -> !server.evidenceStore().degraded());
                assertThat(rcpt(server, "127.0.20.1")).as("enforced while in sync").startsWith("451 4.7.1");

                long keysBefore = Long.parseLong(redis.command("DBSIZE").substring(1));
                // CLIENT PAUSE ALL holds every other client's commands: Redis stalls, nothing fails at once.
                Instant paused = Instant.now();
                assertThat(redis.command("CLIENT PAUSE 8000 ALL")).isEqualTo("+OK");
                // Reported here while Redis sleeps: it counts at once, from memory.
                server.contacts().record(new PrimaryContact(InetAddress.getByName("127.0.21.1"), "unknown", null, false,
                        "primary.test", Instant.now(), PrimaryContact.Source.POLICY_SERVICE));
                Instant asked = Instant.now();
                assertThat(message(server, "127.0.21.1")).as("the contact reported during the stall counts")
                        .startsWith("250");
                assertThat(Duration.between(asked, Instant.now())).as("a whole message, not held by Redis")
                        .isLessThan(FAST);
                await("the stall noticed", () -> server.evidenceStore().degraded());
                asked = Instant.now();
                assertThat(message(server, "127.0.20.2")).as("unknown here, maybe known elsewhere: passed")
                        .startsWith("250");
                assertThat(Duration.between(asked, Instant.now())).isLessThan(FAST);

                System.out.printf("redis stall noticed after %d ms%n", Duration.between(paused, Instant.now()).toMillis());
                await("in sync again", () -> !server.evidenceStore().degraded());
                System.out.printf("in sync again %d ms after the pause began%n",
                        Duration.between(paused, Instant.now()).toMillis());
                await("the contact made during the stall reached Redis",
                        () -> dbsize(redis) > keysBefore);
                assertThat(rcpt(server, "127.0.20.3")).as("enforced again once in sync").startsWith("451 4.7.1");
                assertThat(Files.readString(dir.resolve("mail.log"))).contains("pass: evidence store degraded");
            } finally {
                server.close();
            }
        }
    }

    @Test
    void aFrozenEvidenceFileSystemHoldsNoDecisionAndTheEvidenceIsWrittenWhenItThaws() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "the frozen file system test needs root for a loop device and fsfreeze: skipped");
        Path image = dir.resolve("evidence.img");
        Path mount = Files.createDirectories(dir.resolve("mnt"));
        assumeTrue(run("truncate", "-s", "32M", image.toString()) == 0
                && run("mkfs.ext4", "-q", image.toString()) == 0, "could not make an ext4 image: skipped");
        String loop = output("losetup", "-f", "--show", image.toString());
        assumeTrue(loop.startsWith("/dev/loop"), "no free loop device: skipped");
        try {
            assumeTrue(run("mount", loop, mount.toString()) == 0, "could not mount " + loop + ": skipped");
            Path evidence = mount.resolve("evidence");
            Server server = start(config -> config.set("evidence.store", "embedded").evidence(evidence));
            try {
                assertThat(run("fsfreeze", "-f", mount.toString())).as("frozen").isZero();
                server.contacts().record(new PrimaryContact(InetAddress.getByName("127.0.22.1"), "unknown", null, false,
                        "primary.test", Instant.now(), PrimaryContact.Source.POLICY_SERVICE));
                for (int i = 0; i < 20; i++) {
                    Instant asked = Instant.now();
                    assertThat(message(server, "127.0.22.1")).startsWith("250");
                    assertThat(rcpt(server, "127.0.23." + (i + 1))).startsWith("451 4.7.1");
                    assertThat(Duration.between(asked, Instant.now())).as("not held by the frozen disk").isLessThan(FAST);
                }
                assertThat(run("fsfreeze", "-u", mount.toString())).as("thawed").isZero();
            } finally {
                run("fsfreeze", "-u", mount.toString());
                server.close();
            }
            try (EmbeddedStore store = EmbeddedStore.open(StoreSettings.defaults(evidence), Clock.systemUTC())) {
                assertThat(store.lastContact(InetAddress.getByName("127.0.22.1"))).as("written once thawed")
                        .isNotNull();
            }
        } finally {
            run("umount", "-l", mount.toString());
            run("losetup", "-d", loop);
        }
    }

    private static long dbsize(RedisServer redis) {
        try {
            return Long.parseLong(redis.command("DBSIZE").substring(1));
        } catch (IOException | RuntimeException notYet) {
            return -1;
        }
    }

    private static String rcpt(Server s, String from) throws IOException {
        return session(s, from, List.of("EHLO client.test", "MAIL FROM:<>", "RCPT TO:<user@protected.test>", "QUIT"))
                .get(2);
    }

    private static String message(Server s, String from) throws IOException {
        List<String> replies = session(s, from, List.of("EHLO client.test", "MAIL FROM:<bob@sender.test>",
                "RCPT TO:<user@protected.test>", "DATA", "Subject: store fault\r\n\r\nhello\r\n.", "QUIT"));
        for (String reply : replies.subList(0, 4)) {
            if (!reply.startsWith("2") && !reply.startsWith("3")) {
                return reply;
            }
        }
        return replies.get(4);
    }

    private static List<String> session(Server s, String from, List<String> lines) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), s.smtpPort()), 10_000);
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            List<String> replies = new ArrayList<>();
            SmtpConversation.readReply(in);
            for (String line : lines) {
                out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                replies.add(SmtpConversation.readReply(in));
            }
            return replies;
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as(what).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    private static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "";
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
