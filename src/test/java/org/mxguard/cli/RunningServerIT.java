package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a postmaster does to a running {@code mxguard serve} (a real child process): edit the rules
 * and send SIGHUP, and manage the queue with {@code mxguard queue list|flush|hold|release|delete}.
 */
class RunningServerIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private ServerProcess server;
    private Path config;
    private Path output;
    private Path rules;
    private ServerSocket primary;
    private final LinkedBlockingQueue<String> delivered = new LinkedBlockingQueue<>();

    private record Run(int code, String out, String err) {
    }

    @BeforeEach
    void paths() {
        rules = dir.resolve("access.rules");
        config = dir.resolve("mxguard.yaml");
        output = dir.resolve("server.out");
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (primary != null) {
            primary.close();
        }
    }

    /** Starts the server; the primary route goes to {@code primaryPort}, where nothing may listen yet. */
    private void start(int primaryPort) throws Exception {
        int port = SmtpConversation.freePort();
        // A reload interval of an hour, so that only SIGHUP reloads.
        ServeConfig.in(dir).smtpPort(port).rules(rules).set("policy.reload-interval", "1h")
                .route("protected.test", primaryPort).write(config);
        server = ServerProcess.start(config, port, output);
    }

    @Test
    void sighupPutsNewRulesInForceAndABrokenFileKeepsTheOldOnes() throws Exception {
        Files.writeString(rules, "reject from spam@client.test\n");
        start(SmtpConversation.freePort());
        awaitTrue(() -> queue("list").code() == 0, "the server has started (its control socket opens last)");
        assertThat(rcptReply("spam@client.test")).startsWith("550 5.7.1");
        assertThat(rcptReply("other@client.test")).startsWith("250");

        Files.writeString(rules, "reject from other@client.test\n");
        server.signal("HUP");
        awaitTrue(() -> outputContains("mxguard: SIGHUP: loaded 1 rules from " + rules), "the reload is reported");
        assertThat(rcptReply("other@client.test")).startsWith("550 5.7.1");
        assertThat(rcptReply("spam@client.test")).startsWith("250");

        Files.writeString(rules, """
                reject from spam@client.test
                tempfail from <> client 0.0.0.0/0,::/0
                """);
        server.signal("HUP");
        awaitTrue(() -> outputContains("kept the 1 rules in force; the file has errors:"), "the refusal is reported");
        assertThat(Files.readString(output)).contains(rules + ":2:1: this rule would tempfail every null sender <>");
        assertThat(rcptReply("other@client.test")).as("the old rules stay").startsWith("550 5.7.1");
        assertThat(rcptReply("spam@client.test")).startsWith("250");
    }

    @Test
    void sighupAfterLogrotateRenamedTheMailLogWritesANewOne() throws Exception {
        Files.writeString(rules, "reject from spam@client.test\n");
        start(SmtpConversation.freePort());
        awaitTrue(() -> queue("list").code() == 0, "the server has started");
        assertThat(rcptReply("spam@client.test")).startsWith("550 5.7.1");
        Path log = dir.resolve("mail.log");
        awaitTrue(() -> logged(log, "reject: RCPT from"), "the refusal is logged");

        Path rotated = dir.resolve("mail.log.1");
        Files.move(log, rotated);          // logrotate's rename, then its postrotate: kill -HUP
        server.signal("HUP");
        awaitTrue(() -> outputContains("mxguard: SIGHUP: loaded"), "the signal was handled");
        assertThat(rcptReply("spam@client.test")).startsWith("550 5.7.1");
        awaitTrue(() -> logged(log, "reject: RCPT from"), "the next refusal is logged to a new mail.log");
        assertThat(Files.readString(rotated)).contains("reject: RCPT from");
    }

    private static boolean logged(Path log, String text) {
        try {
            return Files.exists(log) && Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void queueCommandsManageTheQueueOfARunningServer() throws Exception {
        Files.writeString(rules, "");
        int primaryPort = SmtpConversation.freePort();
        start(primaryPort);
        // The control socket opens last, just after the SMTP port the start waited for.
        awaitTrue(() -> queue("list").code() == 0, "the control socket answers");
        assertThat(queue("list").out()).contains("Mail queue is empty");

        String kept = send("keep me");
        String dropped = send("drop me");
        awaitTrue(() -> queue("list").out().contains("Connection refused"), "a delivery tried and deferred");
        Run list = queue("list");
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains(kept, dropped, "alice@client.test", "user@protected.test")
                .contains("Kbytes in 2 Requests.");

        assertThat(queue("hold", dropped).out()).contains(dropped + ": held");
        assertThat(queue("list").out()).contains(dropped + "!").doesNotContain(kept + "!");
        assertThat(queue("release", dropped).out()).contains(dropped + ": released");
        assertThat(queue("list").out()).doesNotContain(dropped + "!");
        assertThat(queue("delete", dropped).out()).contains(dropped + ": deleted");
        assertThat(queue("list").out()).doesNotContain(dropped).contains(kept);
        Run again = queue("delete", dropped);
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("no such message");

        primary = new ServerSocket(primaryPort, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::primaryLoop);
        assertThat(queue("flush", "protected.test").out()).contains("flushing mail for protected.test");
        String content = delivered.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(content).as("the flush delivered the message at once, before its retry time").contains("keep me");
        awaitTrue(() -> queue("list").out().contains("Mail queue is empty"), "the queue empties");
        assertThat(queue("list", "--count").out().strip()).isEqualTo("0");
    }

    private Run queue(String... args) {
        List<String> all = new ArrayList<>(List.of("queue"));
        all.add(args[0]);
        all.addAll(List.of("-c", config.toString()));
        all.addAll(List.of(args).subList(1, args.length));
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(all.toArray(new String[0]));
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private boolean outputContains(String text) {
        try {
            return Files.readString(output).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(what + ": not within " + DEADLINE + "; server output:\n" + outputText());
            }
            Thread.sleep(20);
        }
    }

    private String outputText() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private String rcptReply(String sender) throws IOException {
        return converse("EHLO client.test", "MAIL FROM:<" + sender + ">", "RCPT TO:<user@protected.test>", "QUIT")
                .get(2);
    }

    /** Sends one message and returns its queue id. */
    private String send(String body) throws IOException {
        List<String> replies = converse("EHLO client.test", "MAIL FROM:<alice@client.test>",
                "RCPT TO:<user@protected.test>", "DATA", "Subject: test\r\n\r\n" + body + "\r\n.", "QUIT");
        assertThat(replies.get(4)).startsWith("250 2.0.0 Ok: queued as ");
        return replies.get(4).substring("250 2.0.0 Ok: queued as ".length());
    }

    private List<String> converse(String... lines) throws IOException {
        return SmtpConversation.converse(server.port(), lines);
    }

    /** The primary MX: accepts every message and hands its content to the test. */
    private void primaryLoop() {
        while (!primary.isClosed()) {
            try (Socket s = primary.accept()) {
                s.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream();
                out.write("220 primary.test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line;
                    if (verb.equals("DATA")) {
                        out.write("354 go ahead\r\n".getBytes(StandardCharsets.US_ASCII));
                        StringBuilder content = new StringBuilder();
                        for (String body = in.readLine(); body != null && !body.equals("."); body = in.readLine()) {
                            content.append(body).append('\n');
                        }
                        out.write("250 2.0.0 queued\r\n".getBytes(StandardCharsets.US_ASCII));
                        delivered.add(content.toString());
                        continue;
                    }
                    String reply = switch (verb) {
                        case "EHLO" -> "250-primary.test\r\n250 PIPELINING";
                        case "QUIT" -> "221 bye";
                        default -> "250 ok";
                    };
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
