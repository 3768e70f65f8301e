package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;

/**
 * The whole server with a next hop that leads back to itself: a static route naming its own
 * listen address, and a route through a port forwarder (as a NAT the configuration does not know
 * about). Without the loop checks each message went round and round (845 hops in 5 s); now it
 * bounces once with 5.4.6.
 */
class MailLoopIT {

    private static final Pattern QUEUED = Pattern.compile("250 2\\.0\\.0 Ok: queued as (\\S+)");

    @TempDir
    Path dir;

    private Server server;
    private ServerSocket forwarder;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (forwarder != null) {
            forwarder.close();
        }
    }

    @Test
    void aStaticRouteToItsOwnListenAddressBouncesOnceAsALoop() throws Exception {
        int port = SmtpConversation.freePort();
        start(port, "[127.0.0.1]:" + port);
        String id = send(port);
        String line = awaitLog("status=bounced");
        assertThat(line).contains(id + ": to=<user@protected.test>").contains("dsn=5.4.6")
                .contains("(mail for protected.test loops back to myself)");
        assertThat(log()).contains("warning: mail for protected.test loops back to myself (check delivery.routes)")
                .doesNotContain("status=sent");
        assertThat(received()).as("messages the server received").isEqualTo(1);
    }

    @Test
    void aServerThatGreetsWithOurOwnNameIsNotDeliveredTo() throws Exception {
        int port = SmtpConversation.freePort();
        forwarder = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> forward(port));
        start(port, "[127.0.0.1]:" + forwarder.getLocalPort());
        String id = send(port);
        String line = awaitLog("status=bounced");
        assertThat(line).contains(id + ": to=<user@protected.test>").contains("dsn=5.4.6")
                .contains("(mail for protected.test loops back to myself)");
        assertThat(log()).contains("warning: host 127.0.0.1[127.0.0.1] greeted me with my own hostname loop.test")
                .doesNotContain("status=sent");
        assertThat(received()).as("messages the server received").isEqualTo(1);
    }

    private void start(int port, String route) throws Exception {
        Path config = ServeConfig.in(dir).hostname("loop.test").smtpPort(port).withoutInterfaceAddresses()
                .route("protected.test", route).write();
        server = new Server(ConfigLoader.load(config), Clock.systemDefaultZone());
        server.start();
    }

    /** Sends one message from {@code <>}, so that the bounce itself goes nowhere; returns its queue id. */
    private String send(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            String last = null;
            for (String line : new String[] {null, "EHLO client.test", "MAIL FROM:<>", "RCPT TO:<user@protected.test>",
                    "DATA", "Subject: round and round\r\n\r\nhello\r\n.", "QUIT"}) {
                if (line != null) {
                    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                }
                last = in.readLine();
                while (last != null && last.length() > 3 && last.charAt(3) == '-') {
                    last = in.readLine();
                }
                Matcher m = QUEUED.matcher(last == null ? "" : last);
                if (m.find()) {
                    return m.group(1);
                }
            }
            throw new AssertionError("not queued: " + last);
        }
    }

    private long received() throws IOException {
        return log().lines().filter(l -> l.contains("smtpd[") && l.contains(": client=")).count();
    }

    private String awaitLog(String text) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            for (String line : log().lines().toList()) {
                if (line.contains(text)) {
                    return line;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no log line with '" + text + "' in:\n" + log());
    }

    private String log() throws IOException {
        Path file = dir.resolve("mail.log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** A port forwarder to the server, as a NAT in front of it would be. */
    private void forward(int port) {
        while (!forwarder.isClosed()) {
            try {
                Socket outside = forwarder.accept();
                Socket inside = new Socket(InetAddress.getLoopbackAddress(), port);
                Thread.ofVirtual().start(() -> pipe(outside, inside));
                Thread.ofVirtual().start(() -> pipe(inside, outside));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void pipe(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // one side closed: close both
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }
}
