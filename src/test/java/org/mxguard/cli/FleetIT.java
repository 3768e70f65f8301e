package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;
import org.mxguard.control.ControlClient;
import org.mxguard.evidence.PrimaryContact;
import org.mxguard.evidence.RedisCluster;
import org.mxguard.evidence.RedisSentinels;
import org.mxguard.evidence.RedisServer;
import org.mxguard.evidence.RedisStore;
import org.slf4j.LoggerFactory;

/**
 * Two backup MX hosts of one fleet, each a whole mxguard server, sharing a real redis-server (and a
 * real Redis Cluster) started on loopback ports: what one learns, the other enforces within a second,
 * and a Redis outage costs neither a message nor a false refusal.
 */
class FleetIT {

    @TempDir
    Path dir;

    private final List<Server> servers = new ArrayList<>();
    private final List<AutoCloseable> redis = new ArrayList<>();
    private final ListAppender<ILoggingEvent> storeLog = new ListAppender<>();

    @AfterEach
    void stop() throws Exception {
        servers.forEach(Server::close);
        for (AutoCloseable r : redis) {
            r.close();
        }
        ((Logger) LoggerFactory.getLogger(RedisStore.class)).detachAppender(storeLog);
    }

    private Server start(String host, String redisSection) throws Exception {
        Path home = dir.resolve(host);
        Files.createDirectories(home);
        Path config = ServeConfig.in(home).hostname(host).withoutDelivery().route("protected.test", 1).admin()
                .mxSkip("enforce").set("mx-skip.blocks.min-clients", "2").set("evidence.store", "redis")
                .yaml("evidence.redis", redisSection).write();
        Server server = new Server(ConfigLoader.load(config), Clock.systemUTC());
        server.primaryHealth(domain -> true);
        server.start();
        servers.add(server);
        // The fleet's keys are read once the server listens: the hosts start in sync for the tests.
        await("the store in sync", () -> !server.evidenceStore().degraded());
        return server;
    }

    private static String single(RedisServer r) {
        return "addresses: [ \"" + r.uri() + "\" ]\nkey-prefix: \"fleet1:\"";
    }

    @Test
    void whatOneHostLearnsTheOtherEnforcesWithinASecond() throws Exception {
        RedisServer r = RedisServer.start(dir.resolve("redis"));
        redis.add(r);
        Server a = start("mx2.test", single(r));
        Server b = start("mx3.test", single(r));
        assertShared(a, b, "127.0.6", "127.0.4", "127.0.7");
    }

    /** A manual block, a primary contact and an automatic block, each made on one host and seen on the other. */
    private void assertShared(Server a, Server b, String manualNet, String contactNet, String autoNet)
            throws Exception {
        assertThat(ControlClient.send(a.controlSocketPath(), List.of("block-add", manualNet + ".0/24", "1d", "abuse"))
                .error()).isNull();
        long made = System.nanoTime();
        // Asked without being recorded (policy check), so the waiting adds no catches of its own.
        await("the block made on mx2 is in mx3's engine", () -> policyCheck(b, manualNet + ".1")
                .contains("blocks    block " + manualNet + ".0/24:1: tempfail"));
        assertThat((System.nanoTime() - made) / 1_000_000).as("ms from block to enforcement").isLessThan(1000);
        assertThat(rcpt(b, manualNet + ".1", "")).isEqualTo("451 4.7.1 Relaying Denied");

        String seen = contactNet + ".1";
        assertThat(rcpt(b, seen, "alice@sender.test")).startsWith("451 4.7.1 Relaying Denied: deliver");
        a.contacts().record(new PrimaryContact(InetAddress.getByName(seen), "mta.sender.test", "mta.sender.test",
                false, "primary.test", java.time.Instant.now(), PrimaryContact.Source.POLICY_SERVICE));
        await("the contact reported to mx2 is honoured by mx3", () -> rcptQuietly(b, seen, "alice@sender.test")
                .startsWith("250 2.1.5"));
        assertThat(rcpt(b, contactNet + ".2", "alice@sender.test")).as("another client is still unknown")
                .startsWith("451 4.7.1 Relaying Denied");

        rcpt(b, autoNet + ".1", "");
        rcpt(b, autoNet + ".2", "");
        await("mx3's automatic block is listed on mx2 with its maker", () -> blockList(a).stream()
                .anyMatch(l -> l.startsWith(autoNet + ".0/24\tautomatic\t") && l.contains("\tmx3.test\t")));
        assertThat(blockList(b)).anyMatch(l -> l.startsWith(manualNet + ".0/24\tmanual\t") && l.contains("\tmx2.test\t"));
        await("and enforced there", () -> rcptQuietly(a, autoNet + ".3", "").equals("451 4.7.1 Relaying Denied"));
    }

    @Test
    void redisKilledAndRestartedMidLoadLosesNoMessageAndRefusesNoKnownClient() throws Exception {
        ((Logger) LoggerFactory.getLogger(RedisStore.class)).addAppender(storeLog);
        storeLog.start();
        RedisServer r = RedisServer.start(dir.resolve("redis"));
        redis.add(r);
        Server a = start("mx2.test", single(r));
        Server b = start("mx3.test", single(r));
        // Clients 127.0.10.1..20 tried the primary; only mx2 heard of it.
        for (int i = 1; i <= 20; i++) {
            a.contacts().record(new PrimaryContact(InetAddress.getByName("127.0.10." + i), "unknown", null, false,
                    "primary.test", java.time.Instant.now(), PrimaryContact.Source.POLICY_SERVICE));
        }
        await("mx3 knows the 20 contacts", () -> b.evidenceStore().lastContact(address("127.0.10.20")) != null);

        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger accepted = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        Thread load = Thread.ofPlatform().start(() -> {
            int n = 0;
            while (loading.get()) {
                String client = "127.0.10." + (n++ % 20 + 1);
                try {
                    String reply = message(b, client);
                    if (reply.startsWith("250")) {
                        accepted.incrementAndGet();
                    } else {
                        synchronized (failures) {
                            failures.add(client + ": " + reply);
                        }
                    }
                } catch (IOException e) {
                    synchronized (failures) {
                        failures.add(client + ": " + e);
                    }
                }
            }
        });
        await("load running", () -> accepted.get() > 20);
        r.kill();
        await("mx3 notices the outage", () -> b.evidenceStore().degraded());
        // Reported to mx2 while Redis is away: mx3 cannot know, and must not refuse for lack of it.
        a.contacts().record(new PrimaryContact(InetAddress.getByName("127.0.11.1"), "unknown", null, false,
                "primary.test", java.time.Instant.now(), PrimaryContact.Source.POLICY_SERVICE));
        assertThat(rcpt(b, "127.0.11.1", "bob@sender.test")).as("no false tempfail while degraded").startsWith("250");
        int duringOutage = accepted.get();
        await("messages accepted during the outage", () -> accepted.get() > duringOutage + 20);
        r.restart();
        await("mx3 back in sync", () -> !b.evidenceStore().degraded() && !a.evidenceStore().degraded());
        await("mx3 caught up with the contact reported to mx2 during the outage",
                () -> b.evidenceStore().lastContact(address("127.0.11.1")) != null);
        int afterRecovery = accepted.get();
        await("load goes on after recovery", () -> accepted.get() > afterRecovery + 20);
        loading.set(false);
        load.join();

        assertThat(failures).as("every message accepted").isEmpty();
        try (var queued = Files.list(dir.resolve("mx3.test/spool/queue"))) {
            assertThat(queued.filter(f -> f.toString().endsWith(".msg")).count()).as("every accepted message queued")
                    .isEqualTo(accepted.get());
        }
        assertThat(Files.readString(dir.resolve("mx3.test/mail.log"))).doesNotContain("NOQUEUE: reject");
        assertThat(storeLog.list).map(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("lost (") && m.contains("not refusing clients for lack of a primary contact"))
                .anyMatch(m -> m.contains("in sync as mx3.test after an outage of"));
        assertThat(rcpt(b, "127.0.12.1", "")).as("enforcing again once in sync").startsWith("451 4.7.1");
        assertThat(b.evidenceStore().describe()).contains("in sync", "1 outages");
        String metrics = metrics(b);
        assertThat(metrics).contains("mxguard_evidence_fleet_outages_total 1.0", "mxguard_evidence_store_degraded 0.0",
                "mxguard_evidence_fleet_changes_waiting 0.0").containsPattern(
                "mxguard_mx_skip_decisions_total\\{outcome=\"store_degraded\"\\} [1-9]")
                .containsPattern("mxguard_evidence_fleet_changes_total\\{direction=\"received\"\\} [1-9]");
    }

    private static String metrics(Server s) throws IOException, InterruptedException {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                + s.adminAddress().getPort() + "/metrics")).timeout(java.time.Duration.ofSeconds(10)).build();
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    private Server[] clusterFleet(RedisCluster cluster) throws Exception {
        String section = "addresses: [ " + String.join(", ", cluster.seeds().stream().map(s -> "\"" + s + "\"").toList())
                + " ]\ncluster: true\nkey-prefix: \"fleet1:\"";
        return new Server[] {start("mx2.test", section), start("mx3.test", section)};
    }

    @Test
    void aClusterOfThreeMastersSharesLikeASingleNode() throws Exception {
        RedisCluster cluster = RedisCluster.start(dir.resolve("cluster"));
        redis.add(cluster);
        Server[] fleet = clusterFleet(cluster);
        assertShared(fleet[0], fleet[1], "127.0.6", "127.0.4", "127.0.7");
    }

    @Test
    void aClusterKeepsTheFleetWorkingThroughAMasterFailover() throws Exception {
        RedisCluster cluster = RedisCluster.start(dir.resolve("cluster"));
        redis.add(cluster);
        Server[] fleet = clusterFleet(cluster);
        Server a = fleet[0];
        Server b = fleet[1];
        assertShared(a, b, "127.0.6", "127.0.4", "127.0.7");
        // A client known to the fleet is accepted throughout; the hosts may be degraded for a few
        // seconds while Lettuce retires the dead master's connection, and then pass unknown clients.
        var master = cluster.masterOf("fleet1:b:127.2.8.0/24");
        master.kill();
        assertThat(rcpt(b, "127.0.4.1", "alice@sender.test")).startsWith("250 2.1.5");
        cluster.awaitFailoverOf(master);
        assertThat(rcpt(b, "127.0.4.1", "alice@sender.test")).startsWith("250 2.1.5");
        assertThat(ControlClient.send(a.controlSocketPath(), List.of("block-add", "127.2.8.0/24", "1d", "abuse"))
                .error()).isNull();
        await("a block made after the failover, on the failed-over slot, reaches mx3", () -> policyCheck(b, "127.2.8.1")
                .contains("blocks    block 127.2.8.0/24:1: tempfail"));
        await("both hosts back in sync", () -> !a.evidenceStore().degraded() && !b.evidenceStore().degraded());
        a.contacts().record(new PrimaryContact(InetAddress.getByName("127.3.5.1"), "unknown", null, false,
                "primary.test", java.time.Instant.now(), PrimaryContact.Source.POLICY_SERVICE));
        await("a contact reported after the failover reaches mx3",
                () -> b.evidenceStore().lastContact(address("127.3.5.1")) != null);
    }

    @Test
    void aSentinelFailoverKeepsBlocksSharedAndTheHostsRelaying() throws Exception {
        ((Logger) LoggerFactory.getLogger(RedisStore.class)).addAppender(storeLog);
        storeLog.start();
        RedisSentinels group = RedisSentinels.start(dir.resolve("sentinel"));
        redis.add(group);
        String section = "addresses: [ \"" + group.uri() + "\" ]\nkey-prefix: \"fleet1:\"";
        Server a = start("mx2.test", section);
        Server b = start("mx3.test", section);
        assertShared(a, b, "127.0.6", "127.0.4", "127.0.7");

        group.primary().kill();
        assertThat(rcpt(b, "127.0.4.1", "alice@sender.test")).as("a known client while the primary is gone")
                .startsWith("250 2.1.5");
        group.awaitWatching(group.replica().port());
        await("both hosts in sync on the promoted replica", () -> !a.evidenceStore().degraded()
                && !b.evidenceStore().degraded());
        assertThat(ControlClient.send(a.controlSocketPath(), List.of("block-add", "127.2.8.0/24", "1d", "abuse"))
                .error()).isNull();
        await("a block made after the failover reaches mx3", () -> policyCheck(b, "127.2.8.1")
                .contains("blocks    block 127.2.8.0/24:1: tempfail"));
        assertThat(rcpt(b, "127.2.8.1", "")).isEqualTo("451 4.7.1 Relaying Denied");
        assertThat(blockList(b)).as("the blocks made before the failover, kept by the replica")
                .anyMatch(l -> l.startsWith("127.0.6.0/24\tmanual\t"))
                .anyMatch(l -> l.startsWith("127.0.7.0/24\tautomatic\t"));
        assertThat(rcpt(a, "127.0.4.1", "alice@sender.test")).startsWith("250 2.1.5");
        assertThat(group.replica().bulk("INFO replication")).contains("role:master");
        assertThat(storeLog.list).map(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("in sync as mx3.test after an outage of"));
    }

    @Test
    void aPlannedSentinelFailoverMovesTheHostsToTheNewPrimary() throws Exception {
        RedisSentinels group = RedisSentinels.start(dir.resolve("sentinel"));
        redis.add(group);
        String section = "addresses: [ \"" + group.uri() + "\" ]\nkey-prefix: \"fleet1:\"";
        Server a = start("mx2.test", section);
        Server b = start("mx3.test", section);
        assertThat(ControlClient.send(a.controlSocketPath(), List.of("block-add", "127.0.6.0/24", "1d", "abuse"))
                .error()).isNull();
        await("the block reaches mx3", () -> policyCheck(b, "127.0.6.1").contains("blocks    block 127.0.6.0/24:1"));

        // An operator's switch-over: the primary becomes a replica of the promoted one.
        assertThat(group.sentinel().command("SENTINEL FAILOVER " + RedisSentinels.MASTER)).isEqualTo("+OK");
        group.awaitWatching(group.replica().port());
        await("the old primary is a replica now", () -> bulkQuietly(group.primary(), "INFO replication")
                .contains("role:slave"));
        assertThat(ControlClient.send(a.controlSocketPath(), List.of("block-add", "127.2.8.0/24", "1d", "abuse"))
                .error()).isNull();
        await("a block made after the switch-over reaches mx3", () -> policyCheck(b, "127.2.8.1")
                .contains("blocks    block 127.2.8.0/24:1"));
        await("both hosts in sync", () -> !a.evidenceStore().degraded() && !b.evidenceStore().degraded());
        await("the block is written to the new primary", () -> bulkQuietly(group.replica(), "INFO keyspace")
                .contains("keys=") && commandQuietly(group.replica(), "EXISTS fleet1:b:127.2.8.0/24").equals(":1"));
        assertThat(rcpt(b, "127.2.8.1", "")).isEqualTo("451 4.7.1 Relaying Denied");
    }

    private static String bulkQuietly(RedisServer r, String command) {
        try {
            return r.bulk(command);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String commandQuietly(RedisServer r, String command) {
        try {
            return r.command(command);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String policyCheck(Server s, String client) {
        try {
            return String.join("\n", ControlClient.send(s.controlSocketPath(), List.of("policy-check", "client=" + client,
                    "from=<>", "to=user@protected.test")).lines());
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static List<String> blockList(Server s) {
        try {
            return ControlClient.send(s.controlSocketPath(), List.of("block-list")).lines();
        } catch (IOException e) {
            return List.of(e.toString());
        }
    }

    /** Polls until true, failing after 10 s. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out: " + what);
            }
            Thread.sleep(10);
        }
    }

    private static String rcptQuietly(Server s, String from, String sender) {
        try {
            return rcpt(s, from, sender);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** One transaction from {@code from}: the reply to RCPT TO:<user@protected.test>. */
    private static String rcpt(Server s, String from, String sender) throws IOException {
        return session(s, from, List.of("EHLO client.test", "MAIL FROM:<" + sender + ">", "RCPT TO:<user@protected.test>",
                "QUIT")).get(2);
    }

    /** A whole message from {@code from}: the reply to the end of DATA, or the first refusal. */
    private static String message(Server s, String from) throws IOException {
        List<String> replies = session(s, from, List.of("EHLO client.test", "MAIL FROM:<bob@sender.test>",
                "RCPT TO:<user@protected.test>", "DATA", "Subject: fleet\r\n\r\nhello\r\n.", "QUIT"));
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
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            List<String> replies = new ArrayList<>();
            reply(in);
            for (String line : lines) {
                out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                replies.add(reply(in));
            }
            return replies;
        }
    }

    private static String reply(BufferedReader in) throws IOException {
        String line = in.readLine();
        while (line != null && line.length() > 3 && line.charAt(3) == '-') {
            line = in.readLine();
        }
        return line;
    }
}
