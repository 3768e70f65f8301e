package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;
import org.mxguard.evidence.PrimaryContact;
import org.mxguard.mail.Domain;

/**
 * A server configured with the primary's log file, a syslog receiver and the health probe: what
 * the primary logs reaches the contact recorder, and the probe's verdict is the server's
 * {@code PrimaryHealth}.
 */
class PrimaryWiringIT {

    @TempDir
    Path dir;

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    @Test
    void theServerFollowsThePrimarysLogReceivesItsSyslogAndProbesIt() throws Exception {
        Path mailLog = dir.resolve("primary-mail.log");
        Files.writeString(mailLog, "Dec  6 05:00:00 mx1 postfix/smtpd[1]: connect from old.example[192.0.2.1]\n");
        ServerSocket primary = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!primary.isClosed()) {
                try (Socket s = primary.accept()) {
                    OutputStream out = s.getOutputStream();
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                            StandardCharsets.US_ASCII));
                    out.write("220 primary.test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                    in.readLine();
                    out.write("250 primary.test\r\n".getBytes(StandardCharsets.US_ASCII));
                    in.readLine();
                    out.write("221 bye\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (java.io.IOException e) {
                    // closed by the test
                }
            }
        });
        Path config = ServeConfig.in(dir).protectedDomains("protected.test", ".protected.test").withoutDelivery()
                .route("protected.test", primary.getLocalPort()).yaml("primary", """
                        log-files: [ %s ]
                        poll-interval: 10ms
                        syslog:
                          listen-udp: [ "127.0.0.1:0" ]
                          listen-tcp: [ "127.0.0.1:0" ]
                        probe:
                          interval: 50ms
                          down-after: 2
                          up-after: 1
                        """.formatted(mailLog)).write();
        List<PrimaryContact> recorded = Collections.synchronizedList(new ArrayList<>());
        try (Server server = new Server(ConfigLoader.load(config), Clock.systemUTC(), recorded::add)) {
            server.start();
            Domain protectedTest = Domain.parse("protected.test");
            await(() -> server.primaryHealth().primaryUp(protectedTest), "the probe to find the primary up");

            Files.writeString(mailLog, "Dec  6 05:00:01 mx1 postfix/smtpd[1]: connect from new.example[192.0.2.2]\n",
                    StandardOpenOption.APPEND);
            await(() -> recorded.size() >= 1, "the followed line");
            int port = server.primaryLogs().receiver().tcpAddresses().getFirst().getPort();
            Process logger = new ProcessBuilder("logger", "--server", "127.0.0.1", "--port", String.valueOf(port),
                    "--tcp", "--rfc5424", "--octet-count", "-p", "mail.info", "-t", "postfix/smtpd", "--id=7",
                    "NOQUEUE: reject: RCPT from dial.example[203.0.113.7]: 554 5.7.1 <a@protected.test>: Relay "
                            + "access denied; from=<> to=<a@protected.test> proto=ESMTP helo=<dial.example>")
                    .redirectErrorStream(true).start();
            assertThat(logger.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(logger.exitValue()).isZero();
            await(() -> recorded.size() >= 2, "the syslog line");
            assertThat(recorded).extracting(c -> c.client().getHostAddress()).containsExactly("192.0.2.2",
                    "203.0.113.7");
            assertThat(recorded.get(1).helo()).isEqualTo("dial.example");
            assertThat(recorded.get(1).nullSender()).isTrue();

            primary.close();
            await(() -> !server.primaryHealth().primaryUp(protectedTest), "the probe to find the primary down");
        }
    }
}
