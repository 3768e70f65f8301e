package org.mxguard.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mxguard.evidence.EmbeddedStore;
import org.mxguard.evidence.PrimaryContact;
import org.mxguard.evidence.StoreSettings;

/**
 * Time to the SMTP banner of {@code mxguard serve} on an evidence store of {@code clients} tracked
 * clients (docs/BENCHMARKS.md, start-up): writes the store with the store's own API, starts the
 * server as a process, and measures from the process start to the first {@code 220} on its port, and
 * to the log line that says the store was read (when the server reads it after listening). Uses only
 * what every version has, so it runs on the code before the change too. {@code runs} starts in a row
 * on the same store.
 *
 * <pre>
 * mvn -q test-compile && java -cp "target/test-classes:target/classes:target/lib/*" \
 *     org.mxguard.cli.StartupNumbers 1000000 3
 * </pre>
 */
public final class StartupNumbers {

    private static final Pattern BACKGROUND = Pattern.compile("reading \\d+ entries in the background");
    private static final Pattern READ = Pattern.compile("evidence store \\S+: read (\\d+) entries in (\\d+) ms");

    private StartupNumbers() {
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("mxguard-startup-bench");
        try {
            Path evidence = dir.resolve("evidence");
            Instant now = Instant.now();
            try (EmbeddedStore store = EmbeddedStore.open(StoreSettings.defaults(evidence), Clock.systemUTC())) {
                for (int i = 0; i < clients; i++) {
                    int c = i * 7919 & 0xffffff;
                    store.record(new PrimaryContact(InetAddress.getByAddress(new byte[] {10, (byte) (c >>> 16),
                            (byte) (c >>> 8), (byte) c}), "host-" + c + ".isp.example", "mta" + c % 1000 + ".isp.example",
                            false, "primary.test", now, PrimaryContact.Source.POLICY_SERVICE));
                }
            }
            System.out.printf("store of %d clients: %.1f MB%n", clients,
                    Files.size(evidence.resolve(EmbeddedStore.FILE_NAME)) / 1e6);
            for (int run = 0; run < runs; run++) {
                measure(dir, evidence);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void measure(Path dir, Path evidence) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path output = dir.resolve("server.out");
        Files.deleteIfExists(output);
        Path config = ServeConfig.in(dir).smtpPort(port).withoutDelivery().route("protected.test", 1)
                .withoutPrimaryProbe().evidence(evidence).mxSkip("enforce").write();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long start = System.nanoTime();
        Process server = new ProcessBuilder(List.of(java, "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--config", config.toString())).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        try {
            long banner = awaitBanner(server, port) - start;
            // An earlier version read the store before listening and logs neither line.
            long deadline = System.nanoTime() + (BACKGROUND.matcher(Files.readString(output)).find()
                    ? TimeUnit.MINUTES.toNanos(5) : TimeUnit.SECONDS.toNanos(2));
            Matcher read = READ.matcher(Files.readString(output));
            boolean found = read.find();
            while (!found && System.nanoTime() < deadline) {
                server.waitFor(20, TimeUnit.MILLISECONDS);
                read = READ.matcher(Files.readString(output));
                found = read.find();
            }
            long readAt = System.nanoTime() - start;
            System.out.printf("banner after %d ms; %s%n", TimeUnit.NANOSECONDS.toMillis(banner), !found
                    ? "store read before listening (no background read)"
                    : "store read in the background: " + read.group(1) + " entries in " + read.group(2)
                    + " ms, done " + TimeUnit.NANOSECONDS.toMillis(readAt) + " ms after the process start");
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
            server.destroyForcibly();
        }
    }

    /** System.nanoTime() when the port first answered {@code 220}. */
    private static long awaitBanner(Process server, int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IOException("mxguard serve exited with " + server.exitValue());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                socket.setSoTimeout(60_000);
                String line = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                if (line != null && line.startsWith("220")) {
                    return System.nanoTime();
                }
            } catch (IOException notYet) {
                server.waitFor(5, TimeUnit.MILLISECONDS);
            }
        }
        throw new IOException("no banner on port " + port + " within 5 minutes");
    }
}
