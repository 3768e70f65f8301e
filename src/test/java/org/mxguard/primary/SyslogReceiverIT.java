package org.mxguard.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.evidence.PrimaryContact;

/**
 * The receiver against real peers on loopback: util-linux {@code logger} in every format and
 * framing it has, and a real rsyslogd forwarding {@code mail.*} with {@code omfwd} as a primary's
 * would, fed lines of real sendmail and Postfix logs.
 */
class SyslogReceiverIT {

    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    private SyslogReceiver receiver(List<String> lines, int maxConnections) throws IOException {
        SyslogReceiver receiver = new SyslogReceiver(new SyslogSettings(List.of(ANY_PORT), List.of(ANY_PORT), 8192,
                maxConnections, Duration.ofMinutes(5)), Clock.systemUTC(), lines::add);
        receiver.start();
        opened.add(receiver);
        return receiver;
    }

    private static void await(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }

    private static List<String> logger(int port, String transport, String format, String priority, String message) {
        List<String> command = new ArrayList<>(List.of("logger", "--server", "127.0.0.1", "--port",
                String.valueOf(port), transport));
        command.addAll(List.of(format.split(" ")));
        command.addAll(List.of("-p", priority, "-t", "postfix/smtpd", "--id=4242", message));
        return command;
    }

    @Test
    void loggerInEveryFormatAndFramingReachesTheContacts() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        SyslogReceiver receiver = receiver(lines, 4);
        int udp = receiver.udpAddresses().getFirst().getPort();
        int tcp = receiver.tcpAddresses().getFirst().getPort();
        run(logger(udp, "--udp", "--rfc3164", "user.info", "connect from not-mail.example[192.0.2.99]"));
        run(logger(udp, "--udp", "--rfc3164", "mail.info", "connect from a1.example[192.0.2.1]"));
        run(logger(udp, "--udp", "--rfc5424", "mail.info", "connect from a2.example[192.0.2.2]"));
        run(logger(tcp, "--tcp", "--rfc3164", "mail.info", "connect from a3.example[192.0.2.3]"));
        run(logger(tcp, "--tcp", "--rfc5424 --octet-count", "mail.notice", "connect from a4.example[2001:db8::4]"));
        run(logger(tcp, "--tcp", "--rfc3164 --octet-count", "mail.info", "connect from a5.example[192.0.2.5]"));
        run(logger(tcp, "--tcp", "--rfc5424", "mail.info", "connect from a6.example[192.0.2.6]"));
        await(() -> lines.size() >= 6 && receiver.otherMessages() >= 1, () -> "six mail lines, got " + lines);

        List<PrimaryContact> recorded = Collections.synchronizedList(new ArrayList<>());
        LogContacts contacts = new LogContacts(recorded::add, Clock.systemUTC(), "postfix-mxguard");
        lines.forEach(contacts::line);
        assertThat(recorded).extracting(c -> c.client().getHostAddress()).containsExactlyInAnyOrder("192.0.2.1",
                "192.0.2.2", "192.0.2.3", "2001:db8:0:0:0:0:0:4", "192.0.2.5", "192.0.2.6");
        assertThat(recorded).allSatisfy(c -> {
            assertThat(c.primary()).isNotBlank();
            assertThat(c.clientName()).matches("a[1-6]\\.example");
        });
        assertThat(lines).allMatch(l -> l.contains(" postfix/smtpd[4242]: connect from "));
        assertThat(receiver.otherMessages()).isEqualTo(1);
        assertThat(receiver.malformedMessages()).isZero();
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAndAFreedSlotIsReused() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        SyslogReceiver receiver = receiver(lines, 2);
        InetSocketAddress tcp = receiver.tcpAddresses().getFirst();
        Socket first = new Socket(tcp.getAddress(), tcp.getPort());
        Socket second = new Socket(tcp.getAddress(), tcp.getPort());
        send(second, "<22>Dec  6 06:00:00 mx1 postfix/smtpd[1]: connect from b.example[192.0.2.8]\n");
        await(() -> lines.size() == 1, () -> "the second connection's line");
        try (Socket third = new Socket(tcp.getAddress(), tcp.getPort())) {
            third.setSoTimeout(10_000);
            assertThat(third.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(receiver.refusedConnections()).isEqualTo(1);
        first.close();
        await(() -> {
            try (Socket again = new Socket(tcp.getAddress(), tcp.getPort())) {
                send(again, "<22>Dec  6 06:00:01 mx1 postfix/smtpd[1]: connect from c.example[192.0.2.9]\n");
            } catch (IOException e) {
                return false;
            }
            return lines.size() >= 2;
        }, () -> "a line over a connection in the freed slot");
        second.close();
        assertThat(lines.get(1)).endsWith("c.example[192.0.2.9]");
    }

    @Test
    void brokenFramingClosesOnlyThatConnection() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        SyslogReceiver receiver = receiver(lines, 4);
        InetSocketAddress tcp = receiver.tcpAddresses().getFirst();
        try (Socket bad = new Socket(tcp.getAddress(), tcp.getPort())) {
            bad.setSoTimeout(10_000);
            send(bad, "<22>Dec  6 06:00:00 mx1 postfix/smtpd[1]: connect from d.example[192.0.2.10]\nGET / HTTP/1.0\r\n");
            assertThat(bad.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(lines).hasSize(1);
        assertThat(receiver.malformedMessages()).isEqualTo(1);
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** What a contact says, without its time (rsyslog gives RFC 3164 stamps a year of its own). */
    private static String evidence(PrimaryContact c) {
        return c.client().getHostAddress() + " " + c.clientName() + " " + c.helo() + " " + c.nullSender() + " "
                + c.primary();
    }

    @Test
    void rsyslogForwardingMailLogsGivesTheSameContactsAsTheFiles() throws Exception {
        List<String> input = new ArrayList<>();
        for (String file : List.of("fail2ban/sendmail-reject", "mail-log-parse/postfix-gateway.log",
                "parse-syslog-mail/sendmail-plain.log")) {
            for (String line : Files.readAllLines(Path.of("src/test/resources/maillogs", file),
                    StandardCharsets.ISO_8859_1)) {
                // BSD syslogd -v writes "<mail.info>" into files; on the wire that is the PRI's job.
                if (!line.isBlank() && !line.startsWith("#") && !line.matches("^\\S+ +\\d+ \\S+ <.*")) {
                    input.add(line);
                }
            }
        }
        List<PrimaryContact> direct = new ArrayList<>();
        LogContacts fromFiles = new LogContacts(direct::add, Clock.systemUTC(), "postfix-mxguard");
        input.forEach(fromFiles::line);
        assertThat(direct).hasSizeGreaterThan(300);

        List<String> octetCounted5424 = Collections.synchronizedList(new ArrayList<>());
        List<String> lineEnded3164 = Collections.synchronizedList(new ArrayList<>());
        int a = receiver(octetCounted5424, 4).tcpAddresses().getFirst().getPort();
        int b = receiver(lineEnded3164, 4).tcpAddresses().getFirst().getPort();
        Rsyslogd rsyslog = Rsyslogd.start(dir, List.of(
                "mail.* action(type=\"omfwd\" target=\"127.0.0.1\" port=\"" + a + "\" protocol=\"tcp\" "
                        + "TCP_Framing=\"octet-counted\" template=\"RSYSLOG_SyslogProtocol23Format\")",
                "mail.* action(type=\"omfwd\" target=\"127.0.0.1\" port=\"" + b + "\" protocol=\"tcp\" "
                        + "TCP_Framing=\"traditional\" template=\"RSYSLOG_TraditionalForwardFormat\")"));
        opened.add(rsyslog);
        try (Socket in = new Socket("127.0.0.1", rsyslog.port())) {
            StringBuilder text = new StringBuilder();
            // The primary's syslog gets the mail system's lines (facility 2, RFC 5424 §6.2.1) and others.
            text.append("<14>Dec  6 06:00:00 mx1 sshd[9]: connect from e.example[192.0.2.11]\n");
            for (String line : input) {
                text.append("<22>").append(line).append('\n');
            }
            send(in, text.toString());
        }
        await(() -> octetCounted5424.size() >= input.size() && lineEnded3164.size() >= input.size(),
                () -> input.size() + " lines each, got " + octetCounted5424.size() + " and " + lineEnded3164.size());
        for (List<String> received : List.of(octetCounted5424, lineEnded3164)) {
            List<PrimaryContact> forwarded = new ArrayList<>();
            LogContacts viaSyslog = new LogContacts(forwarded::add, Clock.systemUTC(), "postfix-mxguard");
            received.forEach(viaSyslog::line);
            assertThat(forwarded.stream().map(SyslogReceiverIT::evidence).toList())
                    .containsExactlyElementsOf(direct.stream().map(SyslogReceiverIT::evidence).toList());
        }
    }

    /** A real rsyslogd with only the configuration a test gives it, reading TCP on a free loopback port. */
    private static final class Rsyslogd implements AutoCloseable {
        private final Process process;
        private final int port;

        private Rsyslogd(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Rsyslogd start(Path dir, List<String> actions) throws IOException {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            Path work = Files.createDirectories(dir.resolve("rsyslog"));
            List<String> conf = new ArrayList<>(List.of(
                    // Else rsyslog's APP-NAME of "postfix/smtpd" is "postfix": the daemon, which
                    // tells a Postfix line's kind, would be lost on the way (docs/primary.md).
                    "global(workDirectory=\"" + work + "\" parser.permitSlashInProgramName=\"on\")",
                    "module(load=\"imtcp\")",
                    "input(type=\"imtcp\" port=\"" + port + "\" address=\"127.0.0.1\")"));
            conf.addAll(actions);
            Path file = dir.resolve("rsyslog.conf");
            Files.write(file, conf);
            Process process = new ProcessBuilder("rsyslogd", "-n", "-f", file.toString(), "-i",
                    work.resolve("pid").toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("rsyslog.out").toFile()).start();
            Rsyslogd rsyslog = new Rsyslogd(process, port);
            await(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("rsyslogd exited: " + read(dir.resolve("rsyslog.out")));
                }
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return true;
                } catch (IOException e) {
                    return false;
                }
            }, () -> "rsyslogd to listen on " + port);
            return rsyslog;
        }

        private static String read(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                return e.toString();
            }
        }

        int port() {
            return port;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
