package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;
import org.mxguard.dns.Dnsmasq;
import org.mxguard.mail.Domain;

/**
 * The health probe for the domains under a protected subtree ({@code .sub.test}): mail for one
 * makes its primary (found through a real dnsmasq's MX records) probed, the MX-skip rule applies
 * once the primary answers and stops applying after {@code down-after} failed probes; a route's
 * host is probed as its domain's primary from the start.
 */
class SubtreeProbeIT {

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    /** An SMTP server that greets, takes EHLO and QUIT. */
    private ServerSocket primary(String address, int port) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(address), port));
        opened.add(server);
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(5000);
                    OutputStream out = s.getOutputStream();
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                            StandardCharsets.US_ASCII));
                    out.write("220 primary.sub.test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("EHLO ")) {
                            out.write("250 primary.sub.test\r\n".getBytes(StandardCharsets.US_ASCII));
                        } else {
                            out.write("221 2.0.0 Bye\r\n".getBytes(StandardCharsets.US_ASCII));
                            break;
                        }
                    }
                } catch (IOException e) {
                    // The probe hung up or the test closed the server.
                }
            }
        });
        return server;
    }

    @Test
    void theRuleStopsApplyingToASubtreeDomainWhosePrimaryGoesDown() throws Exception {
        ServerSocket primaryOfA = primary("127.0.0.2", 0);
        int port = primaryOfA.getLocalPort();
        ServerSocket routed = primary("127.0.0.3", port);
        Dnsmasq dnsmasq = Dnsmasq.start(dir, List.of(
                "mx-host=a.sub.test,primary.a.sub.test,10",
                "mx-host=a.sub.test,backup.test,20",
                "host-record=primary.a.sub.test,127.0.0.2"));
        opened.add(dnsmasq);
        Path mailLog = dir.resolve("mail.log");
        Path config = ServeConfig.in(dir).protectedDomains(".sub.test").dnsServer(dnsmasq.port()).withoutDelivery()
                .set("delivery.smtp-port", String.valueOf(port)).route("routed.sub.test", "[127.0.0.3]:" + port)
                .yaml("primary.probe", """
                        interval: 50ms
                        timeout: 2s
                        down-after: 3
                        up-after: 1
                        """).mxSkip("enforce").write();
        Server server = new Server(ConfigLoader.load(config), Clock.systemUTC());
        opened.add(server);
        server.start();
        Domain a = Domain.parse("a.sub.test");
        Domain routedDomain = Domain.parse("routed.sub.test");

        await(() -> server.primaryHealth().primaryUp(routedDomain), "the routed domain's primary probed up");
        assertThat(rcpt(server, "127.0.0.7", "user@a.sub.test")).as("first mail: its primary not known yet")
                .startsWith("250");
        // The mail log is written behind: the line may come a moment after the reply.
        await(() -> read(mailLog).contains("pass: primary MX of a.sub.test down"), "the pass logged");
        await(() -> server.primaryHealth().primaryUp(a), "the learned domain's primary probed up");
        assertThat(rcpt(server, "127.0.0.7", "user@a.sub.test")).as("primary up").startsWith("451 4.7.1");
        assertThat(rcpt(server, "127.0.0.7", "user@routed.sub.test")).as("routed primary up").startsWith("451 4.7.1");

        primaryOfA.close();
        await(() -> !server.primaryHealth().primaryUp(a), "the learned domain's primary probed down");
        assertThat(rcpt(server, "127.0.0.7", "user@a.sub.test")).as("primary down").startsWith("250");
        assertThat(rcpt(server, "127.0.0.7", "user@routed.sub.test")).as("the other primary is up")
                .startsWith("451 4.7.1");
        routed.close();
        await(() -> !server.primaryHealth().primaryUp(routedDomain), "the routed domain's primary probed down");
        assertThat(rcpt(server, "127.0.0.7", "user@routed.sub.test")).as("routed primary down").startsWith("250");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static String rcpt(Server server, String from, String recipient) throws IOException {
        return SmtpConversation.converseFrom(from, server.smtpPort(), "EHLO client.test", "MAIL FROM:<>",
                "RCPT TO:<" + recipient + ">", "QUIT").get(2);
    }
}
