package org.mxguard.dns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.mxguard.peer.Peer;

/**
 * A real dnsmasq on 127.0.0.1 and a free port, serving only the records a test gives it. Start it
 * with {@link #start}, stop it with {@link #close}. Public so delivery tests can use it too.
 */
public final class Dnsmasq implements AutoCloseable {

    private final Process process;
    private final int port;

    private Dnsmasq(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts dnsmasq with these configuration lines ("mx-host=...", "host-record=...") and waits
     * until it reports that it serves them.
     */
    public static Dnsmasq start(Path dir, List<String> config) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            Path conf = dir.resolve("dnsmasq-" + port + ".conf");
            List<String> lines = new ArrayList<>(config);
            // Every name under .test is answered locally, and nothing is forwarded anywhere.
            lines.add("local=/test/");
            lines.add("local=/in-addr.arpa/");
            lines.add("local=/ip6.arpa/");
            Files.write(conf, lines);
            Process process = new ProcessBuilder(Peer.require("dnsmasq"), "--no-daemon", "--no-resolv", "--no-hosts",
                    "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--conf-file=" + conf).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            CompletableFuture<Boolean> ready = new CompletableFuture<>();
            Thread.ofVirtual().name("dnsmasq-log").start(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        synchronized (seen) {
                            seen.append(line).append('\n');
                        }
                        // dnsmasq logs its configured domains after binding its sockets.
                        if (line.contains("locally-known addresses for test")) {
                            ready.complete(true);
                        }
                    }
                } catch (IOException ignored) {
                    // dnsmasq exited.
                }
                ready.complete(false);
            });
            boolean started;
            try {
                started = ready.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                started = false;
            }
            if (started) {
                return new Dnsmasq(process, port);
            }
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            synchronized (seen) {
                last = new IOException("dnsmasq did not start:\n" + seen);
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    public DnsSettings settings() {
        return DnsSettings.server(address(), Duration.ofSeconds(2));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    private static int freePort() throws IOException {
        // dnsmasq listens on UDP and TCP; a port free for both now is very likely free a moment later.
        while (true) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    continue;
                }
            }
        }
    }
}
