package org.mxguard.primary;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Messages per second over one TCP connection with octet-counted framing (as rsyslog's omfwd
 * forwards): mxguard's receiver turning each message into a contact, side by side with a real
 * rsyslogd receiving the same stream into a file, rounds alternating. Not a test (no Test
 * suffix); run by hand:
 * {@code java -cp target/test-classes:target/classes:target/lib/* org.mxguard.primary.SyslogThroughput [MESSAGES] [ROUNDS]}.
 */
final class SyslogThroughput {

    private SyslogThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        byte[] stream = stream(messages);
        Path dir = Files.createTempDirectory("syslog-throughput");
        for (int round = 1; round <= rounds; round++) {
            double ours = mxguard(stream, messages);
            double theirs = rsyslog(dir.resolve("round-" + round), stream, messages);
            System.out.printf(Locale.ROOT, "round %d: mxguard %,.0f msg/s (to contacts), rsyslogd %,.0f msg/s (to a "
                    + "file), ratio %.2f%n", round, ours, theirs, ours / theirs);
        }
    }

    private static byte[] stream(int messages) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < messages; i++) {
            String msg = "<22>Dec  6 06:00:00 mx1 postfix/smtpd[" + (1000 + i % 50) + "]: connect from host-" + i
                    + ".dsl.example[198.51." + (i >> 8 & 255) + "." + (i & 255) + "]";
            sb.append(msg.length()).append(' ').append(msg);
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static double send(int port, byte[] stream, int messages, LongSupplier received) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16)) {
            out.write(stream);
        }
        long deadline = start + Duration.ofMinutes(5).toNanos();
        while (received.getAsLong() < messages) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + received.getAsLong() + " of " + messages + " arrived");
            }
            Thread.onSpinWait();
        }
        return messages / ((System.nanoTime() - start) / 1e9);
    }

    private static double mxguard(byte[] stream, int messages) throws IOException {
        AtomicLong contacts = new AtomicLong();
        LogContacts logContacts = new LogContacts(c -> contacts.incrementAndGet(), Clock.systemUTC(),
                "postfix-mxguard");
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (SyslogReceiver receiver = new SyslogReceiver(new SyslogSettings(List.of(), List.of(any), 8192, 4,
                Duration.ofMinutes(5)), Clock.systemUTC(), logContacts::line)) {
            receiver.start();
            return send(receiver.tcpAddresses().getFirst().getPort(), stream, messages, contacts::get);
        }
    }

    private static double rsyslog(Path dir, byte[] stream, int messages) throws Exception {
        Files.createDirectories(dir);
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path out = dir.resolve("out.log");
        Files.write(dir.resolve("rsyslog.conf"), List.of(
                "global(workDirectory=\"" + dir + "\")",
                "module(load=\"imtcp\")",
                "input(type=\"imtcp\" port=\"" + port + "\" address=\"127.0.0.1\")",
                "mail.* action(type=\"omfile\" file=\"" + out + "\")"));
        Process process = new ProcessBuilder("rsyslogd", "-n", "-f", dir.resolve("rsyslog.conf").toString(), "-i",
                dir.resolve("pid").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("rsyslog.out").toFile()).start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.onSpinWait();
                }
            }
            LineCounter lines = new LineCounter(out);
            return send(port, stream, messages, lines::count);
        } finally {
            process.destroy();
            process.waitFor();
        }
    }

    /** Counts the lines of a growing file, reading only what was added. */
    private static final class LineCounter {
        private final Path file;
        private long position;
        private long lines;

        LineCounter(Path file) {
            this.file = file;
        }

        long count() {
            if (!Files.exists(file)) {
                return 0;
            }
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                byte[] buffer = new byte[1 << 16];
                f.seek(position);
                int n;
                while ((n = f.read(buffer)) > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            lines++;
                        }
                    }
                    position += n;
                }
            } catch (IOException e) {
                return lines;
            }
            return lines;
        }
    }
}
