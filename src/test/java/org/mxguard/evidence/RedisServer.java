package org.mxguard.evidence;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server on a loopback port chosen at run time, without persistence (so a restart
 * comes back empty, the hardest case for the fleet), started and killed by a test.
 */
public final class RedisServer implements AutoCloseable {

    private final int port;
    private final Path dir;
    private final List<String> extra;
    /** A sentinel's configuration file, or null for a data node. */
    private final Path sentinelConfig;
    private Process process;

    private RedisServer(int port, Path dir, List<String> extra) {
        this(port, dir, extra, null);
    }

    private RedisServer(int port, Path dir, List<String> extra, Path sentinelConfig) {
        this.port = port;
        this.dir = dir;
        this.extra = extra;
        this.sentinelConfig = sentinelConfig;
    }

    /** Starts a single node. */
    public static RedisServer start(Path dir) throws IOException, InterruptedException {
        RedisServer r = new RedisServer(freePort(false), dir, List.of());
        r.launch();
        return r;
    }

    /** Starts a replica of {@code primary}, which may be promoted by sentinels. */
    static RedisServer startReplicaOf(Path dir, RedisServer primary) throws IOException, InterruptedException {
        RedisServer r = new RedisServer(freePort(false), dir, List.of("--replicaof", "127.0.0.1",
                Integer.toString(primary.port())));
        r.launch();
        return r;
    }

    /** Starts a sentinel ({@code redis-server CONFIG --sentinel}) with its own writable configuration. */
    static RedisServer startSentinel(Path dir, Path config) throws IOException, InterruptedException {
        RedisServer r = new RedisServer(freePort(false), dir, List.of(), config);
        r.launch();
        return r;
    }

    /** Starts a cluster-enabled node (not yet part of a cluster). */
    static RedisServer startClusterNode(Path dir) throws IOException, InterruptedException {
        int port = freePort(true);
        Path nodeDir = dir.resolve("node-" + port);
        Files.createDirectories(nodeDir);
        RedisServer r = new RedisServer(port, nodeDir, List.of("--cluster-enabled", "yes", "--cluster-config-file",
                nodeDir.resolve("nodes.conf").toString(), "--cluster-node-timeout", "3000"));
        r.launch();
        return r;
    }

    /** A port free now, and for a cluster node its bus port (port + 10000) too. */
    private static int freePort(boolean withBus) throws IOException {
        for (int i = 0; i < 200; i++) {
            int port = withBus ? ThreadLocalRandom.current().nextInt(20_000, 55_000) : 0;
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                if (!withBus) {
                    return s.getLocalPort();
                }
                try (ServerSocket bus = new ServerSocket(port + 10_000, 1, InetAddress.getLoopbackAddress())) {
                    return port;
                }
            } catch (IOException busy) {
                // Try another.
            }
        }
        throw new IOException("no free loopback port");
    }

    private void launch() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<String> command = new ArrayList<>(List.of("redis-server"));
        if (sentinelConfig != null) {
            command.addAll(List.of(sentinelConfig.toString(), "--sentinel"));
        }
        command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--logfile", dir.resolve("redis-" + port + ".log").toString()));
        if (sentinelConfig == null) {
            command.addAll(List.of("--save", "", "--appendonly", "no"));
        }
        command.addAll(extra);
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("stdout-" + port)
                .toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                if (command("PING").equals("+PONG")) {
                    return;
                }
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IOException("redis-server exited: " + Files.readString(dir.resolve("stdout-" + port)));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("redis-server on port " + port + " did not answer PING");
            }
            Thread.sleep(20);
        }
    }

    /** One inline command; the first line of the reply. */
    public String command(String line) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String first = in.readLine();
            if (first != null && first.startsWith("$")) {
                return first.equals("$-1") ? null : in.readLine();
            }
            return first;
        }
    }

    /** A bulk reply read whole (INFO, CLUSTER INFO, CLUSTER NODES). */
    public String bulk(String line) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            s.setSoTimeout(2000);
            s.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            var in = s.getInputStream();
            StringBuilder header = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                header.append((char) c);
            }
            int length = Integer.parseInt(header.toString().strip().substring(1));
            return new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }
    }

    /** An array reply of bulk strings (SENTINEL GET-MASTER-ADDR-BY-NAME); empty for a null reply. */
    public List<String> array(String line) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            s.setSoTimeout(2000);
            s.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String header = in.readLine();
            if (header == null || !header.startsWith("*")) {
                throw new IOException(line + ": " + header);
            }
            List<String> out = new ArrayList<>();
            for (int i = Integer.parseInt(header.substring(1)); i > 0; i--) {
                in.readLine();
                out.add(in.readLine());
            }
            return out;
        }
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** {@code kill -9}: Redis is gone at once, with its data. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts again on the same port, empty. */
    public void restart() throws IOException, InterruptedException {
        launch();
    }

    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
