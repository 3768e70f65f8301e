package org.mxguard.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private Postfix instance for tests, in a directory of its own: its own {@code main.cf},
 * {@code master.cf}, queue and {@code maillog_file}, one smtpd on a loopback port chosen at run
 * time, started with {@code postfix -c DIR start} and stopped by {@link #close()}, or by a shutdown
 * hook if a test never got there. Nothing leaves loopback: mail is relayed to a given loopback
 * next hop or kept deferred in the queue.
 *
 * <pre>
 * try (PostfixInstance primary = PostfixInstance.in(dir).relayDomains("example.org")
 *         .set("smtpd_recipient_restrictions", "check_policy_service inet:127.0.0.1:10040, ...")
 *         .start()) {
 *     ... swaks --server 127.0.0.1:primary.port() ...
 *     primary.awaitLog(line -> line.contains("status=deferred"), Duration.ofSeconds(10));
 * }
 * </pre>
 *
 * <p>Needs root (the daemons drop to {@code mail_owner}) and Debian's postfix package; tests that
 * use it are tagged {@code peer} and check {@link #available()} first.
 */
public final class PostfixInstance implements AutoCloseable {

    private static final Set<PostfixInstance> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(PostfixInstance::close),
                "postfix-instance-cleanup"));
    }

    private final Path directory;
    private final int port;

    private PostfixInstance(Path directory, int port) {
        this.directory = directory;
        this.port = port;
    }

    /** True if Postfix is installed and this process may start it (root). */
    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/sbin/postfix")) && "root".equals(System.getProperty("user.name"));
    }

    /** A builder for an instance living under {@code directory} (a test's temporary directory). */
    public static Builder in(Path directory) {
        return new Builder(directory);
    }

    /** Configures an instance; {@link #start()} writes the files and starts it. */
    public static final class Builder {
        private final Path directory;
        private final Map<String, String> parameters = new LinkedHashMap<>();
        private String relayDomains = "example.org";
        private String nexthop;

        private Builder(Path directory) {
            this.directory = directory;
        }

        /** The domains it relays for ({@code relay_domains}); default example.org. */
        public Builder relayDomains(String domains) {
            this.relayDomains = domains;
            return this;
        }

        /** Relay to this loopback host and port; without it, accepted mail stays deferred in the queue. */
        public Builder relayTo(InetSocketAddress host) {
            if (!host.getAddress().isLoopbackAddress()) {
                throw new IllegalArgumentException("tests relay to loopback only: " + host);
            }
            this.nexthop = "[" + host.getAddress().getHostAddress() + "]:" + host.getPort();
            return this;
        }

        /** Sets a main.cf parameter, after (and so over) the instance's defaults. */
        public Builder set(String name, String value) {
            parameters.put(name, value);
            return this;
        }

        /** Writes the configuration, starts Postfix and waits for its greeting. */
        public PostfixInstance start() throws IOException, InterruptedException {
            Files.createDirectories(directory.resolve("etc"));
            Files.createDirectories(directory.resolve("queue"));
            Files.createDirectories(directory.resolve("data"));
            PeerProgram.run("chown", "postfix", directory.resolve("data").toString());
            letPostfixIn(directory);
            int port = freePort();
            Files.writeString(directory.resolve("etc/master.cf"), masterCf(port));
            Files.writeString(directory.resolve("etc/main.cf"), mainCf());
            PostfixInstance instance = new PostfixInstance(directory, port);
            RUNNING.add(instance);
            try {
                PeerProgram check = instance.postfix("check");
                PeerProgram started = instance.postfix("start");
                if (!started.succeeded()) {
                    throw new IOException("postfix did not start: " + started + "\n" + check + "\n"
                            + instance.maillogTail());
                }
                instance.awaitGreeting(Duration.ofSeconds(30));
                return instance;
            } catch (IOException | InterruptedException | RuntimeException e) {
                instance.close();
                throw e;
            }
        }

        /**
         * Postfix's daemons run as {@code mail_owner} and must reach the directory: JUnit makes
         * temporary directories for their owner only. Opens the way down from the system's temporary
         * directory (search permission only), never elsewhere.
         */
        private static void letPostfixIn(Path directory) throws IOException {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
            Path at = directory.toAbsolutePath().normalize();
            if (!at.startsWith(tmp)) {
                throw new IOException("a Postfix instance lives under " + tmp + ", not in " + at);
            }
            for (; at != null && !at.equals(tmp); at = at.getParent()) {
                Set<PosixFilePermission> permissions = new HashSet<>(Files.getPosixFilePermissions(at));
                permissions.add(PosixFilePermission.GROUP_EXECUTE);
                permissions.add(PosixFilePermission.OTHERS_EXECUTE);
                Files.setPosixFilePermissions(at, permissions);
            }
        }

        // Only the smtpd on our port and the daemons a relay needs: no local delivery, no maildrop.
        private static String masterCf(int port) {
            return """
                    127.0.0.1:%d inet n - n - - smtpd
                    pickup    unix n - n 60 1 pickup
                    cleanup   unix n - n - 0 cleanup
                    qmgr      unix n - n 300 1 qmgr
                    rewrite   unix - - n - - trivial-rewrite
                    bounce    unix - - n - 0 bounce
                    defer     unix - - n - 0 bounce
                    trace     unix - - n - 0 bounce
                    verify    unix - - n - 1 verify
                    flush     unix n - n 1000? 0 flush
                    proxymap  unix - - n - - proxymap
                    smtp      unix - - n - - smtp
                    relay     unix - - n - - smtp
                    showq     unix n - n - - showq
                    error     unix - - n - - error
                    retry     unix - - n - - error
                    discard   unix - - n - - discard
                    anvil     unix - - n - 1 anvil
                    scache    unix - - n - 1 scache
                    postlog   unix-dgram n - n - 1 postlogd
                    """.formatted(port);
        }

        private String mainCf() {
            Map<String, String> main = new LinkedHashMap<>();
            main.put("compatibility_level", "3.6");
            main.put("queue_directory", directory.resolve("queue").toString());
            main.put("data_directory", directory.resolve("data").toString());
            main.put("command_directory", "/usr/sbin");
            main.put("daemon_directory", "/usr/lib/postfix/sbin");
            main.put("meta_directory", "/etc/postfix");
            main.put("shlib_directory", "/usr/lib/postfix");
            main.put("mail_owner", "postfix");
            main.put("setgid_group", "postdrop");
            main.put("myhostname", "primary.test");
            main.put("mydestination", "");
            main.put("mynetworks", "127.0.0.0/8");
            main.put("relay_domains", relayDomains);
            if (nexthop == null) {
                main.put("defer_transports", "relay smtp");
            } else {
                main.put("relay_transport", "relay:" + nexthop);
            }
            main.put("inet_interfaces", "loopback-only");
            main.put("inet_protocols", "ipv4");
            main.put("smtpd_relay_restrictions", "permit_mynetworks, reject_unauth_destination");
            main.put("smtpd_recipient_restrictions", "permit_mynetworks, reject_unauth_destination");
            main.put("smtpd_client_connection_count_limit", "0");
            main.put("smtpd_client_connection_rate_limit", "0");
            main.put("smtpd_client_message_rate_limit", "0");
            main.put("maillog_file", directory.resolve("maillog").toString());
            main.put("maillog_file_prefixes", directory.toString());
            main.put("alias_maps", "");
            main.put("alias_database", "");
            main.put("local_recipient_maps", "");
            main.put("biff", "no");
            main.put("smtputf8_enable", "no");
            main.putAll(parameters);
            StringBuilder text = new StringBuilder();
            main.forEach((name, value) -> text.append(name).append(" = ").append(value).append('\n'));
            return text.toString();
        }
    }

    /** The loopback port its smtpd listens on. */
    public int port() {
        return port;
    }

    public Path directory() {
        return directory;
    }

    /** Its own log file ({@code maillog_file}). */
    public Path maillog() {
        return directory.resolve("maillog");
    }

    /** Sets main.cf parameters of the running instance and reloads it ({@code postconf -e}, {@code postfix reload}). */
    public void reconfigure(Map<String, String> parameters) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("postconf", "-c", directory.resolve("etc").toString(), "-e"));
        parameters.forEach((name, value) -> command.add(name + "=" + value));
        PeerProgram postconf = PeerProgram.run(command, Duration.ofSeconds(30));
        if (!postconf.succeeded()) {
            throw new IOException(postconf.toString());
        }
        PeerProgram reload = postfix("reload");
        if (!reload.succeeded()) {
            throw new IOException(reload.toString());
        }
    }

    /** The log's lines now. */
    public List<String> logLines() throws IOException {
        Path log = maillog();
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    }

    /** Waits for a log line that matches, and returns it; fails with the log's tail after the limit. */
    public String awaitLog(Predicate<String> wanted, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            for (String line : logLines()) {
                if (wanted.test(line)) {
                    return line;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no such line in " + maillog() + " after " + limit + ":\n" + maillogTail());
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    /** Every match of the regular expression's first group in the log, in order. */
    public List<String> logMatches(Pattern pattern) throws IOException {
        List<String> found = new ArrayList<>();
        for (String line : logLines()) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                found.add(m.group(1));
            }
        }
        return found;
    }

    /** Stops the instance (stop, then abort if its master is still there); safe to call twice. */
    @Override
    public void close() {
        if (!RUNNING.remove(this)) {
            return;
        }
        try {
            postfix("stop");
            Path pid = directory.resolve("queue/pid/master.pid");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (masterAlive(pid) && System.nanoTime() < deadline) {
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
            if (masterAlive(pid)) {
                postfix("abort");
            }
        } catch (IOException e) {
            System.err.println("stopping the postfix instance in " + directory + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean masterAlive(Path pidFile) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private PeerProgram postfix(String command) throws IOException, InterruptedException {
        return PeerProgram.run(List.of("postfix", "-c", directory.resolve("etc").toString(), command),
                Duration.ofSeconds(60));
    }

    private void awaitGreeting(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(10_000);
                InputStream in = socket.getInputStream();
                byte[] greeting = new byte[3];
                if (in.readNBytes(greeting, 0, 3) == 3 && new String(greeting, StandardCharsets.US_ASCII).equals("220")) {
                    socket.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        throw new IOException("postfix in " + directory + " did not greet on port " + port + " within " + limit
                + (last == null ? "" : " (" + last.getMessage() + ")") + "\n" + maillogTail());
    }

    private String maillogTail() {
        try {
            List<String> lines = logLines();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** A loopback port nobody listens on now (closed again before use: a tiny race, as any port 0 hand-over). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
