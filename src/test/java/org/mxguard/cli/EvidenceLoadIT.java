package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.evidence.Block;
import org.mxguard.evidence.EmbeddedStore;
import org.mxguard.evidence.PrimaryContact;
import org.mxguard.evidence.StoreSettings;

/**
 * {@code mxguard serve} on an evidence store of some hundred thousand clients: the server greets
 * before the store is read, refuses no client for lack of a contact meanwhile, enforces the blocks
 * from the first connection, keeps a contact the policy service reported meanwhile across a restart,
 * and refuses a never-seen client once the store is read.
 */
class EvidenceLoadIT {

    private static final int CLIENTS = 400_000;
    private static final Pattern LOAD_DONE = Pattern.compile("evidence store \\S+: read (\\d+) entries in (\\d+) ms");

    @TempDir
    Path dir;

    private ServerProcess server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void greetsBeforeTheStoreIsReadAndRefusesNoKnownClientMeanwhile() throws Exception {
        Path evidence = dir.resolve("evidence");
        Instant now = Instant.now();
        try (EmbeddedStore store = EmbeddedStore.open(StoreSettings.defaults(evidence), Clock.systemUTC())) {
            for (int i = 0; i < CLIENTS; i++) {
                store.record(contact("10." + (i >>> 16 & 0xff) + "." + (i >>> 8 & 0xff) + "." + (i & 0xff), now));
            }
            // Written last, so read last: the store knows it, the server does not until the end of the read.
            store.record(contact("127.0.0.3", now));
            store.putBlock(new Block("127.0.0.5/32", Block.Origin.MANUAL, "backup.test", now, null,
                    "reject client 127.0.0.5/32", "test"));
        }
        int port = SmtpConversation.freePort();
        int policyPort = SmtpConversation.freePort();
        Path mailLog = dir.resolve("mail.log");
        Path output = dir.resolve("server.out");
        Path config = ServeConfig.in(dir).smtpPort(port).withoutDelivery().route("protected.test", 1)
                .withoutPrimaryProbe().policyService(policyPort).evidence(evidence).mxSkip("enforce").write();

        server = ServerProcess.start(config, port, output);
        // At once, while the store is read: the client the store knows is not refused, a client it
        // does not know is not refused either (that is the point: it could be one not read yet), the
        // block holds.
        assertThat(rcpt("127.0.0.3")).as("a client with a contact in the store").startsWith("250");
        assertThat(rcpt("127.0.0.2")).as("a client never seen, while the store is read").startsWith("250");
        assertThat(rcpt("127.0.0.5")).as("a blocked client").startsWith("550 5.7.1");
        reportToPolicyService(policyPort, "127.0.0.4");
        String before = Files.readString(output);
        assertThat(LOAD_DONE.matcher(before).find()).as("the store was still being read:\n%s", before).isFalse();
        // The mail log is written behind: the line may come a moment after the reply.
        awaitOutput(mailLog, Pattern.compile(Pattern.quote("mx-skip: RCPT from unknown[127.0.0.2]: pass: evidence store "
                + "loading, contact not known yet; would refuse: no primary contact")));

        Matcher done = awaitOutput(output, LOAD_DONE);
        assertThat(Long.parseLong(done.group(1))).isGreaterThanOrEqualTo(CLIENTS);
        assertThat(Files.readString(output)).containsPattern("reading [0-9]{6,} entries in the background");
        assertThat(rcpt("127.0.0.3")).as("read now").startsWith("250");
        assertThat(rcpt("127.0.0.4")).as("reported during the read").startsWith("250");
        assertThat(rcpt("127.0.0.2")).as("never seen, once the store is read").startsWith("451 4.7.1");

        server.close();
        server = null;
        server = ServerProcess.start(config, port, output);
        awaitOutput(output, Pattern.compile("(?s)" + LOAD_DONE.pattern() + ".*" + LOAD_DONE.pattern()));
        assertThat(rcpt("127.0.0.4")).as("reported during the read, after a restart").startsWith("250");
        assertThat(rcpt("127.0.0.6")).as("never seen").startsWith("451 4.7.1");
    }

    private static PrimaryContact contact(String address, Instant at) throws IOException {
        return new PrimaryContact(InetAddress.getByName(address), "mta.sender.test", "mta.sender.test", false,
                "primary.test", at, PrimaryContact.Source.POLICY_SERVICE);
    }

    /** The primary's Postfix asking about a client, as {@code check_policy_service} does. */
    private static void reportToPolicyService(int port, String client) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("""
                    request=smtpd_access_policy
                    protocol_state=RCPT
                    protocol_name=ESMTP
                    client_address=%s
                    client_name=unknown
                    helo_name=mta.sender.test
                    sender=alice@sender.test
                    recipient=user@protected.test

                    """.formatted(client).getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("action=DUNNO");
        }
    }

    private static Matcher awaitOutput(Path output, Pattern pattern) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(Files.readString(output));
            if (m.find()) {
                return m;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new AssertionError("no " + pattern + " in:\n" + Files.readString(output));
    }

    /** The reply to RCPT from {@code from} for a protected recipient. */
    private String rcpt(String from) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), server.port()), 10_000);
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            List<String> replies = new ArrayList<>();
            assertThat(SmtpConversation.readReply(in)).startsWith("220");
            for (String line : List.of("EHLO client.test", "MAIL FROM:<>", "RCPT TO:<user@protected.test>", "QUIT")) {
                out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                replies.add(SmtpConversation.readReply(in));
            }
            return replies.get(2);
        }
    }
}
