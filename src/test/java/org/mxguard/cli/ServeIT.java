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
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;
import org.mxguard.control.ControlClient;
import org.mxguard.control.ControlResponse;

/**
 * The whole backup MX in one process, as {@code mxguard serve} builds it: a client sends over SMTP,
 * the policy refuses what the rules say, accepted mail is relayed to the primary (a sink on
 * loopback), and the queue commands reach the running server through the control socket.
 */
class ServeIT {

    @TempDir
    Path dir;

    private ServerSocket primary;
    private final LinkedBlockingQueue<List<String>> delivered = new LinkedBlockingQueue<>();
    private Server server;
    private Path config;

    @BeforeEach
    void start() throws Exception {
        primary = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::primaryLoop);
        Path rules = dir.resolve("access.rules");
        Files.writeString(rules, """
                tempfail from <> client-name unknown client 127.0.0.0/8 because "null sender from an unnamed host"
                """);
        config = ServeConfig.in(dir).protectedDomains("protected.test", ".protected.test").rules(rules)
                .route("protected.test", primary.getLocalPort()).route("down.protected.test", 1).write();
        server = new Server(ConfigLoader.load(config), Clock.systemDefaultZone());
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        primary.close();
    }

    @Test
    void relaysAcceptedMailToThePrimaryAndRefusesWhatTheRulesSay() throws Exception {
        List<String> replies = converse("EHLO client.test", "MAIL FROM:<>", "RCPT TO:<user@protected.test>",
                "RSET", "MAIL FROM:<alice@client.test>", "RCPT TO:<user@elsewhere.test>",
                "RCPT TO:<user@protected.test>", "DATA", "Subject: hello\r\n\r\nrelay me\r\n.", "QUIT");
        assertThat(replies.get(2)).isEqualTo("451 4.7.1 Relaying Denied");
        assertThat(replies.get(5)).isEqualTo("550 5.7.1 <user@elsewhere.test>: Relay access denied");
        assertThat(replies.get(6)).startsWith("250 2.1.5");
        assertThat(replies.get(8)).startsWith("250 2.0.0 Ok: queued as ");

        List<String> atPrimary = delivered.poll(30, TimeUnit.SECONDS);
        assertThat(atPrimary).as("the primary received the message").isNotNull();
        assertThat(atPrimary).contains("MAIL FROM:<alice@client.test>", "RCPT TO:<user@protected.test>", "relay me");
        assertThat(String.join("\n", atPrimary)).contains("Received: from client.test").contains("by backup.test");
        String log = Files.readString(dir.resolve("mail.log"));
        assertThat(log).contains("NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 451 4.7.1 Relaying Denied; "
                + "from=<> to=<user@protected.test> proto=ESMTP helo=<client.test>");
    }

    @Test
    void queueCommandsReachTheRunningServer() throws Exception {
        List<String> replies = converse("EHLO client.test", "MAIL FROM:<alice@client.test>",
                "RCPT TO:<user@down.protected.test>", "DATA", "Subject: later\r\n\r\nwait for me\r\n.", "QUIT");
        String id = replies.get(4).substring("250 2.0.0 Ok: queued as ".length());
        Path socket = ConfigLoader.load(config).controlSocket();

        ControlResponse list = ControlClient.send(socket, List.of("queue-list"));
        assertThat(String.join("\n", list.lines())).contains(id).contains("user@down.protected.test");
        assertThat(ControlClient.send(socket, List.of("hold", id)).ok()).isTrue();
        assertThat(ControlClient.send(socket, List.of("queue-show", id)).lines()).anyMatch(l -> l.contains("wait for me"));
        assertThat(ControlClient.send(socket, List.of("delete", id)).ok()).isTrue();
        assertThat(ControlClient.send(socket, List.of("queue-count")).lines()).containsExactly("0");
        assertThat(ControlClient.send(socket, List.of("delete", id)).error()).contains("no such message");
        assertThat(ControlClient.send(socket, List.of("policy-reload")).lines().getFirst()).startsWith("loaded 1 rules");
    }

    private List<String> converse(String... lines) throws IOException {
        return SmtpConversation.converse(server.smtpPort(), lines);
    }

    /** The primary MX: a minimal SMTP server that records each transaction's commands and content. */
    private void primaryLoop() {
        while (!primary.isClosed()) {
            try (Socket s = primary.accept()) {
                s.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream();
                out.write("220 primary.test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                List<String> seen = new ArrayList<>();
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    seen.add(line);
                    String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line;
                    String reply = switch (verb) {
                        case "EHLO" -> "250-primary.test\r\n250 PIPELINING";
                        case "DATA" -> "354 go ahead";
                        case "QUIT" -> "221 bye";
                        default -> "250 ok";
                    };
                    if (verb.equals("DATA")) {
                        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        for (String body = in.readLine(); body != null && !body.equals("."); body = in.readLine()) {
                            seen.add(body);
                        }
                        out.write("250 2.0.0 queued\r\n".getBytes(StandardCharsets.US_ASCII));
                        delivered.add(List.copyOf(seen));
                        continue;
                    }
                    out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    if (verb.equals("QUIT")) {
                        break;
                    }
                }
            } catch (IOException e) {
                if (primary.isClosed()) {
                    return;
                }
            }
        }
    }
}
