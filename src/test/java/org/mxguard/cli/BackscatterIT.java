package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;

/**
 * The whole server as a backup MX that validates recipients: a user the primary does not have is
 * refused at RCPT, so no bounce ever goes to the (usually forged) sender; users listed in the
 * recipient file pass without asking anyone.
 */
class BackscatterIT {

    @TempDir
    Path dir;

    private ServerSocket primary;
    private final List<String> primarySaw = Collections.synchronizedList(new ArrayList<>());
    private Server server;

    @BeforeEach
    void start() throws Exception {
        primary = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::primaryLoop);
        Path recipients = dir.resolve("relay_recipients");
        Files.writeString(recipients, "alice@listed.protected.test OK\n");
        Path config = ServeConfig.in(dir).protectedDomains("protected.test", ".protected.test")
                .set("delivery.tls", "none").route("protected.test", primary.getLocalPort())
                .set("delivery.recipients.file", recipients.toString()).set("delivery.recipients.verify", "true")
                .write();
        server = new Server(ConfigLoader.load(config), Clock.systemDefaultZone());
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        primary.close();
    }

    @Test
    void aUserThePrimaryDoesNotHaveIsRefusedAtRcptAndNothingIsQueuedForIt() throws Exception {
        List<String> replies = converse("EHLO client.test", "MAIL FROM:<forged@victim.test>",
                "RCPT TO:<nobody@protected.test>", "RCPT TO:<user@protected.test>", "RCPT TO:<mallory@listed.protected.test>",
                "RCPT TO:<alice@listed.protected.test>", "QUIT");
        assertThat(replies.get(2)).startsWith("550 5.1.1 <nobody@protected.test>: Recipient address rejected: "
                + "undeliverable address: host 127.0.0.1[127.0.0.1] said: 550 5.1.1");
        assertThat(replies.get(3)).startsWith("250 2.1.5");
        assertThat(replies.get(4)).isEqualTo("550 5.1.1 <mallory@listed.protected.test>: Recipient address rejected: "
                + "User unknown in relay recipient table");
        assertThat(replies.get(5)).startsWith("250 2.1.5");
        assertThat(primarySaw).contains("MAIL FROM:<>", "RCPT TO:<nobody@protected.test>")
                .doesNotContain("RCPT TO:<alice@listed.protected.test>", "DATA");
        assertThat(awaitLog("NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 550 5.1.1 <nobody@protected.test>: "
                + "Recipient address rejected: undeliverable address:")).contains("to=<nobody@protected.test>");
    }

    /** The mail log is written by its own thread: wait (up to 10 s) for the line. */
    private String awaitLog(String text) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        Path log = dir.resolve("mail.log");
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    if (line.contains(text)) {
                        return line;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no log line with '" + text + "'");
    }

    private List<String> converse(String... lines) throws IOException {
        return SmtpConversation.converse(server.smtpPort(), lines);
    }

    /** The primary: knows user@protected.test only. */
    private void primaryLoop() {
        while (!primary.isClosed()) {
            try (Socket s = primary.accept()) {
                s.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream();
                out.write("220 primary.test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    primarySaw.add(line);
                    String reply;
                    if (line.startsWith("EHLO")) {
                        reply = "250-primary.test\r\n250 PIPELINING";
                    } else if (line.startsWith("RCPT")) {
                        reply = line.contains("<user@protected.test>") ? "250 2.1.5 Ok"
                                : "550 5.1.1 " + line.substring(8) + ": Recipient address rejected: User unknown";
                    } else if (line.startsWith("QUIT")) {
                        out.write("221 bye\r\n".getBytes(StandardCharsets.US_ASCII));
                        break;
                    } else {
                        reply = line.startsWith("DATA") ? "554 no data here" : "250 2.0.0 Ok";
                    }
                    out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
            } catch (IOException e) {
                if (primary.isClosed()) {
                    return;
                }
            }
        }
    }
}
