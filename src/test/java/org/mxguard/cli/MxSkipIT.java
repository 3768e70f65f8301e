package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;
import org.mxguard.control.ControlClient;
import org.mxguard.delivery.MutableClock;
import org.mxguard.evidence.PrimaryContact;

/**
 * The MX-skip rule in the whole server, over real sockets: clients connect from 127.0.0.x
 * addresses, the primary contacts arrive through the recorder the policy service and the log
 * follower use, and the clock is the test's.
 */
class MxSkipIT {

    private static final String PRIMARY_REPLY = "451 4.7.1 Relaying Denied: deliver to the primary MX 127.0.0.1 first";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T06:00:00Z"));
    private final AtomicBoolean primaryUp = new AtomicBoolean(true);
    private Server server;

    private void start(String mode, String extra) throws Exception {
        Path rules = dir.resolve("access.rules");
        Files.writeString(rules, "accept client 127.0.9.9\n");
        Path config = ServeConfig.in(dir).rules(rules).withoutDelivery().route("protected.test", 1).mxSkip(mode)
                .set("mx-skip.retry-interval", "5m").set("mx-skip.allow", "[ 127.0.8.0/24 ]").yaml("mx-skip", extra)
                .write();
        server = new Server(ConfigLoader.load(config), clock);
        server.primaryHealth(domain -> primaryUp.get());
        server.start();
    }

    private Path log() {
        return dir.resolve("mail.log");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void enforceRefusesAClientNeverSeenAtThePrimaryAndAcceptsItOnceSeen() throws Exception {
        start("enforce", "");
        String refused = rcpt("127.0.0.2", "alice@sender.test");
        assertThat(refused).startsWith(PRIMARY_REPLY).contains("no primary contact, primary up, no retry credit");
        assertThat(awaitLog("NOQUEUE: reject: RCPT from unknown[127.0.0.2]: 451 4.7.1 Relaying Denied: deliver"))
                .contains("no primary contact").contains("; from=<alice@sender.test> to=<user@protected.test> proto=ESMTP");

        server.contacts().record(new PrimaryContact(InetAddress.getByName("127.0.0.2"), "mta.sender.test",
                "mta.sender.test", false, "primary.test", clock.instant(), PrimaryContact.Source.POLICY_SERVICE));
        assertThat(rcpt("127.0.0.2", "alice@sender.test")).startsWith("250 2.1.5");
        assertThat(rcpt("127.0.0.3", "alice@sender.test")).as("another client is still unknown").startsWith("451 4.7.1");
    }

    @Test
    void observeAcceptsAndLogsAWarningWithTheEvidence() throws Exception {
        start("observe", "");
        assertThat(rcpt("127.0.0.4", "")).startsWith("250 2.1.5");
        assertThat(awaitLog("NOQUEUE: reject_warning: RCPT from unknown[127.0.0.4]: 451 4.7.1 Relaying Denied"))
                .contains("(no primary contact, primary up, no retry credit)").contains("from=<> to=<user@protected.test>");
    }

    @Test
    void aClientComingBackAfterTheRetryIntervalEarnsCredit() throws Exception {
        start("enforce", "");
        assertThat(rcpt("127.0.0.5", "bob@sender.test")).startsWith("451 4.7.1");
        clock.advance(Duration.ofMinutes(2));
        assertThat(rcpt("127.0.0.5", "bob@sender.test")).as("too early: a spammer's quick resend").startsWith("451");
        clock.advance(Duration.ofMinutes(3));
        assertThat(rcpt("127.0.0.5", "other@sender.test")).as("another sender is another message").startsWith("451");
        assertThat(rcpt("127.0.0.5", "bob@sender.test")).startsWith("250 2.1.5");
        assertThat(awaitLog("mx-skip: RCPT from unknown[127.0.0.5]: pass: retry credit earned")).contains("after 300s");
        clock.advance(Duration.ofDays(3));
        assertThat(rcpt("127.0.0.5", "carol@sender.test")).as("credit is remembered for days").startsWith("250 2.1.5");
    }

    @Test
    void aPostfixRetryASecondEarlyStillEarnsCredit() throws Exception {
        start("enforce", "");
        assertThat(rcpt("127.0.0.8", "dave@sender.test")).startsWith("451 4.7.1");
        clock.advance(Duration.ofSeconds(284));
        assertThat(rcpt("127.0.0.8", "dave@sender.test")).as("beyond the tolerance of 15 s").startsWith("451 4.7.1");
        // Postfix's minimal_backoff_time (300 s) in whole seconds: the retry can come a second early.
        clock.advance(Duration.ofSeconds(15));
        assertThat(rcpt("127.0.0.8", "dave@sender.test")).startsWith("250 2.1.5");
        assertThat(awaitLog("mx-skip: RCPT from unknown[127.0.0.8]: pass: retry credit earned")).contains("after 299s");
    }

    @Test
    void aBusyPartitionedMtaEarnsCreditWithItsFirstRetry() throws Exception {
        start("enforce", "");
        // More messages within one retry interval than the rule keeps pairs per client.
        for (int i = 0; i < 24; i++) {
            assertThat(rcpt("127.0.0.7", "user" + i + "@far.test")).startsWith("451 4.7.1");
            clock.advance(Duration.ofSeconds(5));
        }
        clock.set(Instant.parse("2026-12-06T06:05:00Z"));
        assertThat(rcpt("127.0.0.7", "user0@far.test")).as("the first message's retry").startsWith("250 2.1.5");
        assertThat(awaitLog("mx-skip: RCPT from unknown[127.0.0.7]: pass: retry credit earned")).contains("after 300s");
        assertThat(rcpt("127.0.0.7", "user23@far.test")).as("credit covers the messages not recorded")
                .startsWith("250 2.1.5");
    }

    @Test
    void primaryDownAcceptsAndAllowedNetworksAndAcceptRulesAreExempt() throws Exception {
        start("enforce", "");
        primaryUp.set(false);
        assertThat(rcpt("127.0.0.6", "")).startsWith("250 2.1.5");
        assertThat(awaitLog("mx-skip: RCPT from unknown[127.0.0.6]: pass: primary MX of protected.test down"))
                .contains("no primary contact");
        primaryUp.set(true);
        assertThat(rcpt("127.0.0.6", "")).startsWith("451 4.7.1");
        assertThat(rcpt("127.0.8.1", "")).as("allowed network").startsWith("250 2.1.5");
        assertThat(rcpt("127.0.9.9", "")).as("accept rule in the rule file").startsWith("250 2.1.5");
    }

    @Test
    void clientsCaughtInOneNetworkMakeABlockThatBitesWithoutReloadAndExpires() throws Exception {
        start("enforce", """
                  blocks:
                    min-clients: 3
                    expiry: 2d
                """);
        for (int i = 1; i <= 3; i++) {
            assertThat(rcpt("127.0.3." + i, "")).startsWith(PRIMARY_REPLY);
        }
        Path socket = server.controlSocketPath();
        String list = String.join("\n", ControlClient.send(socket, List.of("block-list")).lines());
        assertThat(list).contains("127.0.3.0/24\tautomatic\t2026-12-08T06:00:00Z\tbackup.test\t3 clients caught 3 times");
        assertThat(list).doesNotContain("127.0.0.0/16");
        // The block is in the engine now: a fourth client of the network gets the block's reply.
        assertThat(rcpt("127.0.3.4", "")).isEqualTo("451 4.7.1 Relaying Denied");
        clock.advance(Duration.ofDays(1));
        assertThat(rcpt("127.0.3.5", "")).as("refused by the block a day later").isEqualTo("451 4.7.1 Relaying Denied");
        server.mxSkip().extendActiveBlocks();
        assertThat(ControlClient.send(socket, List.of("block-list")).lines())
                .anyMatch(l -> l.startsWith("127.0.3.0/24\tautomatic\t2026-12-09T06:00:00Z"));
        String explain = String.join("\n", ControlClient.send(socket, List.of("block-explain", "127.0.3.0/24")).lines());
        assertThat(explain).contains("automatic").contains("100% null sender").contains("none seen at a primary");

        clock.advance(Duration.ofDays(2).plusSeconds(1));
        assertThat(String.join("\n", ControlClient.send(socket, List.of("policy-check", "client=127.0.3.4", "from=<>",
                "to=user@protected.test")).lines())).as("expired").contains("blocks    no block matches")
                .contains("mx-skip   refuse");
        server.evidenceStore().purge(clock.instant());
        assertThat(ControlClient.send(socket, List.of("block-list")).lines()).noneMatch(l -> l.startsWith("127.0.3.0/24"));
    }

    @Test
    void aRealMtaInABlockedNetworkRetriesThroughWhileTheBlockStaysForTheOthers() throws Exception {
        start("enforce", """
                  blocks:
                    min-clients: 2
                """);
        rcpt("127.0.2.1", "");
        rcpt("127.0.2.2", "");
        assertThat(rcpt("127.0.2.3", "alice@mta.test")).as("blocked").isEqualTo("451 4.7.1 Relaying Denied");
        clock.advance(Duration.ofMinutes(5));
        assertThat(rcpt("127.0.2.3", "alice@mta.test")).as("the retry earns credit").startsWith("250 2.1.5");
        assertThat(rcpt("127.0.2.3", "")).as("the credited client passes the block").startsWith("250 2.1.5");
        // One client's credit (a spam host can repeat a pair by chance) does not open its network.
        assertThat(ControlClient.send(server.controlSocketPath(), List.of("block-list")).lines())
                .anyMatch(l -> l.startsWith("127.0.2.0/24"));
        assertThat(rcpt("127.0.2.4", "")).as("another client of the network").isEqualTo("451 4.7.1 Relaying Denied");
        primaryUp.set(false);
        assertThat(rcpt("127.0.2.5", "")).as("the block holds while the primary is down")
                .isEqualTo("451 4.7.1 Relaying Denied");
        assertThat(Files.readString(log())).doesNotContain("block lifted");
    }

    @Test
    void neverBlocksANetworkHoldingAClientSeenAtThePrimaryAndLiftsABlockWhenOneIsSeen() throws Exception {
        start("enforce", """
                  blocks:
                    min-clients: 2
                """);
        server.contacts().record(new PrimaryContact(InetAddress.getByName("127.0.4.200"), "unknown", null, false,
                "primary.test", clock.instant(), PrimaryContact.Source.PRIMARY_LOG));
        for (int i = 1; i <= 4; i++) {
            rcpt("127.0.4." + i, "");
        }
        Path socket = server.controlSocketPath();
        assertThat(ControlClient.send(socket, List.of("block-list")).lines()).noneMatch(l -> l.startsWith("127.0.4.0/24"));

        for (int i = 1; i <= 2; i++) {
            rcpt("127.0.5." + i, "");
        }
        assertThat(ControlClient.send(socket, List.of("block-list")).lines()).anyMatch(l -> l.startsWith("127.0.5.0/24"));
        server.contacts().record(new PrimaryContact(InetAddress.getByName("127.0.5.77"), "unknown", null, false,
                "primary.test", clock.instant(), PrimaryContact.Source.POLICY_SERVICE));
        assertThat(ControlClient.send(socket, List.of("block-list")).lines()).noneMatch(l -> l.startsWith("127.0.5.0/24"));
        assertThat(rcpt("127.0.5.77", "")).startsWith("250 2.1.5");
    }

    @Test
    void inObserveModeAutomaticBlocksOnlyWarn() throws Exception {
        start("observe", """
                  blocks:
                    min-clients: 2
                """);
        rcpt("127.0.1.1", "");
        rcpt("127.0.1.2", "");
        assertThat(ControlClient.send(server.controlSocketPath(), List.of("block-list")).lines())
                .anyMatch(l -> l.startsWith("127.0.1.0/24\tautomatic"));
        assertThat(rcpt("127.0.1.3", "")).startsWith("250 2.1.5");
        assertThat(awaitLog("NOQUEUE: reject_warning: RCPT from unknown[127.0.1.3]: 451 4.7.1 Relaying Denied;"))
                .contains("from=<> to=<user@protected.test>");
    }

    @Test
    void theBlockCommandsPrintWhatTheServerSays() throws Exception {
        start("enforce", "");
        Path socket = server.controlSocketPath();
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        int added;
        int listed;
        try {
            System.setOut(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
            picocli.CommandLine cli = new picocli.CommandLine(new MxguardCommand());
            added = cli.execute("block", "add", "--socket", socket.toString(), "192.0.2.0/24", "3d", "seen", "abusing");
            listed = cli.execute("block", "list", "--socket", socket.toString());
        } finally {
            System.setOut(original);
        }
        assertThat(added).isZero();
        assertThat(listed).isZero();
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .contains("blocked 192.0.2.0/24 until 2026-12-09T06:00:00Z")
                .contains("192.0.2.0/24\tmanual\t2026-12-09T06:00:00Z\tbackup.test\tseen abusing");
    }

    @Test
    void manualBlocksAndPolicyCheckGoThroughTheControlSocket() throws Exception {
        start("observe", "");
        Path socket = server.controlSocketPath();
        var added = ControlClient.send(socket, List.of("block-add", "127.0.6.0/24", "1d", "seen", "abusing"));
        assertThat(added.error()).isNull();
        assertThat(added.lines())
                .containsExactly("blocked 127.0.6.0/24 until 2026-12-07T06:00:00Z");
        assertThat(rcpt("127.0.6.1", "")).as("manual blocks act even in observe mode").isEqualTo("451 4.7.1 Relaying Denied");
        List<String> check = ControlClient.send(socket, List.of("policy-check", "client=127.0.7.1", "from=<>",
                "to=user@protected.test")).lines();
        assertThat(String.join("\n", check)).contains("mx-skip   refuse: no primary contact, primary up, no retry credit");
        check = ControlClient.send(socket, List.of("policy-check", "client=127.0.6.1", "to=user@protected.test")).lines();
        assertThat(String.join("\n", check)).contains("blocks    block 127.0.6.0/24:1: tempfail");
        assertThat(ControlClient.send(socket, List.of("block-remove", "127.0.6.0/24")).ok()).isTrue();
        assertThat(ControlClient.send(socket, List.of("block-import",
                "tempfail from <> client 127.0.7.0/24 until 2026-12-20 because \"proposed\"")).lines())
                .containsExactly("imported the block on 127.0.7.0/24");
        assertThat(rcpt("127.0.7.2", "")).isEqualTo("451 4.7.1 Relaying Denied");
        assertThat(ControlClient.send(socket, List.of("block-add", "co.uk")).error())
                .contains("not a network nor a domain below a public suffix");
        assertThat(ControlClient.send(socket, List.of("block-add", "192.0.2.1/24")).error()).contains("host bits set");
    }

    /** One transaction from {@code from}: the reply to RCPT TO:<user@protected.test>. */
    private String rcpt(String from, String sender) throws IOException {
        return SmtpConversation.converseFrom(from, server.smtpPort(), "EHLO client.test", "MAIL FROM:<" + sender + ">",
                "RCPT TO:<user@protected.test>", "QUIT").get(2);
    }

    /** The first log line containing {@code text}, waiting for the log writer up to 10 s. */
    private String awaitLog(String text) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            if (Files.exists(log())) {
                for (String line : Files.readAllLines(log())) {
                    if (line.contains(text)) {
                        return line;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no log line with '" + text + "' in\n" + Files.readString(log()));
            }
            Thread.onSpinWait();
        }
    }
}
