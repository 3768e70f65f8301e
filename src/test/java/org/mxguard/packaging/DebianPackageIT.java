package org.mxguard.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.peer.Peer;

/**
 * The Debian package as a postmaster gets it: built by {@code packaging/build-deb.sh} from the jar
 * Maven just packaged (this test runs in the integration-test phase, after {@code package}), checked
 * by dpkg-deb, lintian and systemd-analyze, then installed for real with {@code dpkg -i} into a
 * throwaway copy of this machine (an overlay mount of {@code /} and a chroot, as root; skipped with a
 * message elsewhere), where it runs as its {@code mxguard} user with only the capabilities its unit
 * grants, relays a message, is upgraded and purged.
 */
@Tag("peer")
class DebianPackageIT {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Duration BUILD_TIME = Duration.ofMinutes(10);

    private static Path deb;

    @TempDir
    Path dir;

    private record Run(int code, String output) {
    }

    @BeforeAll
    static void build() throws Exception {
        Peer.require("dpkg-deb");
        Peer.require("dpkg-shlibdeps");
        Run built = run(BUILD_TIME, ROOT.resolve("packaging/build-deb.sh").toString(), "--no-build");
        assertThat(built.code()).as(built.output()).isZero();
        List<String> lines = built.output().lines().toList();
        deb = Path.of(lines.getLast());
        assertThat(deb).exists().hasFileName(deb.getFileName().toString());
        assertThat(deb.getFileName().toString()).startsWith("mxguard_").endsWith(".deb");
    }

    @Test
    void thePackageHoldsItsRuntimeCommandUnitAndConfigurationAsConffiles() throws Exception {
        Run fields = run(Duration.ofSeconds(30), "dpkg-deb", "--field", deb.toString(),
                "Package", "Architecture", "Depends", "Section");
        assertThat(fields.output()).contains("Package: mxguard", "Section: mail")
                .containsPattern("Depends: .*adduser.*libc6");

        Run contents = run(Duration.ofSeconds(60), "dpkg-deb", "--contents", deb.toString());
        assertThat(contents.code()).isZero();
        assertThat(contents.output()).contains(
                "./usr/bin/mxguard", "./usr/lib/mxguard/runtime/bin/java", "./usr/share/mxguard/mxguard.jar",
                "./lib/systemd/system/mxguard.service", "./etc/mxguard/mxguard.yaml", "./etc/mxguard/access.rules",
                "./etc/logrotate.d/mxguard", "./usr/share/man/man1/mxguard.1.gz",
                "./usr/share/doc/mxguard/copyright", "./usr/share/doc/mxguard/deploy.md.gz");
        assertThat(contents.output().lines()).as("every file belongs to root")
                .allSatisfy(line -> assertThat(line).contains(" root/root "));
        assertThat(contents.output()).as("no JDK tools the server does not need, no AWT")
                .doesNotContain("bin/javac", "libawt", "libfreetype");

        Path control = dir.resolve("control");
        assertThat(run(Duration.ofSeconds(30), "dpkg-deb", "--control", deb.toString(), control.toString()).code())
                .isZero();
        assertThat(Files.readAllLines(control.resolve("conffiles"))).containsExactlyInAnyOrder(
                "/etc/default/mxguard", "/etc/logrotate.d/mxguard", "/etc/mxguard/access.rules",
                "/etc/mxguard/mxguard.yaml");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            Path path = control.resolve(script);
            assertThat(Files.isExecutable(path)).as(script).isTrue();
            Run syntax = run(Duration.ofSeconds(10), "sh", "-n", path.toString());
            assertThat(syntax.code()).as(script + ": " + syntax.output()).isZero();
        }
    }

    @Test
    void lintianFindsNoError() throws Exception {
        Peer.require("lintian");
        Run lintian = run(Duration.ofMinutes(5), "lintian", "--fail-on", "error", "--tag-display-limit", "0",
                deb.toString());
        System.out.println("lintian " + deb.getFileName() + ":\n" + lintian.output());
        assertThat(lintian.code()).as(lintian.output()).isZero();
        assertThat(lintian.output()).doesNotContainPattern("(?m)^E: ");
    }

    @Test
    void theSystemdUnitVerifiesAndItsHardeningRatesOk() throws Exception {
        Peer.require("systemd-analyze");
        Path tree = extract();
        String unit = Files.readString(tree.resolve("lib/systemd/system/mxguard.service"));
        assertThat(unit).contains("User=mxguard", "AmbientCapabilities=CAP_NET_BIND_SERVICE",
                "CapabilityBoundingSet=CAP_NET_BIND_SERVICE", "ProtectSystem=strict", "NoNewPrivileges=yes",
                "PrivateTmp=yes", "StateDirectory=mxguard", "ExecReload=/bin/kill -HUP $MAINPID");
        // verify also checks that ExecStart's program exists: here it is the package's, not yet
        // installed, so the unit is verified with the path into the unpacked tree.
        Path copy = dir.resolve("mxguard.service");
        Files.writeString(copy, unit.replace("/usr/bin/mxguard", tree.resolve("usr/bin/mxguard").toString()));
        // It also runs man(1) for Documentation=man:mxguard(1): the page is the package's too.
        Run verify = run(Duration.ofSeconds(60), Map.of("MANPATH", tree.resolve("usr/share/man").toString()),
                "systemd-analyze", "verify", copy.toString());
        assertThat(verify.code()).as(verify.output()).isZero();
        assertThat(verify.output()).isBlank();

        Run security = run(Duration.ofSeconds(60), "systemd-analyze", "security", "--offline=true", copy.toString());
        System.out.println(security.output());
        assertThat(security.output()).containsPattern("Overall exposure level for mxguard.service: \\d+\\.\\d+ (SAFE|OK)");
    }

    @Test
    void installedItRunsAsItsOwnUserOnAPrivilegedPortRelaysIsUpgradedAndPurged() throws Exception {
        assumeThat(System.getProperty("user.name")).as("installing into a throwaway root needs root").isEqualTo("root");
        Peer.require("chroot");
        Peer.require("setpriv");
        Peer.require("logrotate");
        try (ThrowawayRoot root = ThrowawayRoot.mount(dir.resolve("overlay"))) {
            assumeThat(root).as("an overlay mount of / (not allowed in this container)").isNotNull();
            Run install = root.exec(Duration.ofMinutes(3), "dpkg", "-i", deb.toString());
            assertThat(install.code()).as(install.output()).isZero();
            assertThat(root.exec(Duration.ofSeconds(10), "getent", "passwd", "mxguard").output())
                    .contains("/var/lib/mxguard").contains("nologin");
            assertThat(root.exec(Duration.ofSeconds(10), "stat", "-c", "%U %a", "/var/lib/mxguard").output().strip())
                    .isEqualTo("mxguard 750");

            // As shipped, the configuration names no domain: mxguard says so and does not start.
            Run unconfigured = root.exec(Duration.ofSeconds(60), "mxguard", "check-config");
            assertThat(unconfigured.code()).isEqualTo(1);
            assertThat(unconfigured.output()).contains("/etc/mxguard/mxguard.yaml:", "protected-domains: required");

            try (SmtpSink sink = SmtpSink.start(dir.resolve("sink"))) {
                int smtpPort = freePrivilegedPort();
                int adminPort = freePort();
                Files.writeString(root.path("/etc/mxguard/mxguard.yaml"), """
                        hostname: backup.test
                        protected-domains: [protected.test]
                        smtp:
                          listen: [ "127.0.0.1:%d" ]
                        spool:
                          directory: /var/lib/mxguard/spool
                          min-free-space: 0
                        log:
                          file: /var/log/mxguard/mail.log
                        dns:
                          client-name-lookup: false
                        policy:
                          rules: /etc/mxguard/access.rules
                        mx-skip:
                          mode: observe
                        admin:
                          listen: %d
                        delivery:
                          routes:
                            protected.test: "[127.0.0.1]:%d"
                        """.formatted(smtpPort, adminPort, sink.port()));
                assertThat(root.exec(Duration.ofSeconds(60), "mxguard", "check-config").code()).isZero();

                // What the unit does: user mxguard, only CAP_NET_BIND_SERVICE, no new privileges.
                Path out = dir.resolve("serve.out");
                Process serve = root.start(out, "setpriv", "--reuid=mxguard", "--regid=mxguard", "--init-groups",
                        "--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service",
                        "--bounding-set=-all,+net_bind_service", "--no-new-privs", "--",
                        "/usr/bin/mxguard", "serve", "-c", "/etc/mxguard/mxguard.yaml");
                try {
                    awaitListening(serve, smtpPort, out);
                    Run swaks = run(Duration.ofSeconds(60), Peer.require("swaks"), "--server", "127.0.0.1:" + smtpPort,
                            "--from", "alice@client.test", "--to", "bob@protected.test",
                            "--header", "Message-Id: <package-test@client.test>");
                    assertThat(swaks.output()).as(swaks.output()).contains("250 2.0.0 Ok: queued as");
                    await(() -> sink.received("<package-test@client.test>"), Duration.ofSeconds(60),
                            "the message reached the primary");
                    Path log = root.path("/var/log/mxguard/mail.log");
                    await(() -> read(log).contains("status=sent"), Duration.ofSeconds(30), "the delivery is logged");
                    assertThat(read(log)).contains("postfix-mxguard/smtp[");

                    HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(metrics.statusCode()).isEqualTo(200);
                    assertThat(metrics.body()).contains("mxguard_", "jvm_memory_used_bytes");
                    // The server's collector is ZGC (the policy service's latency), with no error from the
                    // JVM about the runtime's class-data archive, which is made for compressed pointers.
                    assertThat(metrics.body()).contains("id=\"ZGC Old Generation\"");
                    assertThat(read(out)).doesNotContain("[error", "[warning");

                    Run queue = root.exec(Duration.ofSeconds(60), "mxguard", "queue", "list");
                    assertThat(queue.code()).as(queue.output()).isZero();
                    assertThat(queue.output()).contains("Mail queue is empty");
                    Run logrotate = root.exec(Duration.ofSeconds(30), "logrotate", "--debug", "/etc/logrotate.d/mxguard");
                    assertThat(logrotate.code()).as(logrotate.output()).isZero();
                } finally {
                    serve.destroy();
                    if (!serve.waitFor(30, TimeUnit.SECONDS)) {
                        serve.destroyForcibly().waitFor();
                    }
                }
            }

            // An upgrade (here the same version again) keeps the administrator's configuration.
            Run again = root.exec(Duration.ofMinutes(3), "dpkg", "-i", "--force-confold", deb.toString());
            assertThat(again.code()).as(again.output()).isZero();
            assertThat(Files.readString(root.path("/etc/mxguard/mxguard.yaml"))).contains("protected.test");

            Run purge = root.exec(Duration.ofMinutes(2), "dpkg", "--purge", "mxguard");
            assertThat(purge.code()).as(purge.output()).isZero();
            assertThat(root.path("/usr/bin/mxguard")).doesNotExist();
            assertThat(root.path("/etc/mxguard/mxguard.yaml")).doesNotExist();
            assertThat(root.path("/var/lib/mxguard")).doesNotExist();
        }
    }

    private Path extract() throws Exception {
        Path tree = dir.resolve("tree");
        Run x = run(Duration.ofMinutes(2), "dpkg-deb", "-x", deb.toString(), tree.toString());
        assertThat(x.code()).as(x.output()).isZero();
        return tree;
    }

    /** A copy of this machine to install into: {@code /} overlaid with a scratch directory, chrooted. */
    private static final class ThrowawayRoot implements AutoCloseable {
        private final Path merged;
        private final List<Path> mounts = new ArrayList<>();

        private ThrowawayRoot(Path merged) {
            this.merged = merged;
        }

        /** Null when this machine does not allow the overlay mount. */
        static ThrowawayRoot mount(Path base) throws Exception {
            Path upper = Files.createDirectories(base.resolve("upper"));
            Path work = Files.createDirectories(base.resolve("work"));
            Path merged = Files.createDirectories(base.resolve("merged"));
            ThrowawayRoot root = new ThrowawayRoot(merged);
            Run overlay = run(Duration.ofSeconds(30), "mount", "-t", "overlay", "overlay", "-o",
                    "lowerdir=/,upperdir=" + upper + ",workdir=" + work, merged.toString());
            if (overlay.code() != 0) {
                System.out.println("no overlay mount of /: " + overlay.output());
                return null;
            }
            root.mounts.add(merged);
            for (String special : List.of("proc", "dev")) {
                Path target = merged.resolve(special);
                Run bind = run(Duration.ofSeconds(30), "mount", "--bind", "/" + special, target.toString());
                assertThat(bind.code()).as(bind.output()).isZero();
                root.mounts.add(target);
            }
            return root;
        }

        Path path(String absolute) {
            return merged.resolve(absolute.substring(1));
        }

        Run exec(Duration timeout, String... command) throws Exception {
            return DebianPackageIT.run(timeout, chrooted(command));
        }

        Process start(Path output, String... command) throws IOException {
            return new ProcessBuilder(chrooted(command)).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
        }

        private String[] chrooted(String... command) {
            return Stream.concat(Stream.of("chroot", merged.toString()), Arrays.stream(command))
                    .toArray(String[]::new);
        }

        @Override
        public void close() throws Exception {
            for (Path mount : mounts.reversed()) {
                Run umount = DebianPackageIT.run(Duration.ofSeconds(30), "umount", mount.toString());
                if (umount.code() != 0) {
                    DebianPackageIT.run(Duration.ofSeconds(30), "umount", "-l", mount.toString());
                }
            }
        }
    }

    /** Postfix's smtp-sink as the primary MX, writing each message it receives to a file. */
    private record SmtpSink(Process process, int port, Path dumps) implements AutoCloseable {
        static SmtpSink start(Path dir) throws Exception {
            Path dumps = Files.createDirectories(dir);
            int port = freePort();
            Process process = new ProcessBuilder(Peer.require("smtp-sink"), "-u", "root", "-d", dumps + "/%M.",
                    "127.0.0.1:" + port, "10").redirectErrorStream(true)
                    .redirectOutput(dir.resolveSibling("sink.log").toFile()).start();
            awaitListening(process, port, dir.resolveSibling("sink.log"));
            return new SmtpSink(process, port, dumps);
        }

        boolean received(String messageId) {
            try (Stream<Path> files = Files.list(dumps)) {
                return files.anyMatch(f -> {
                    try {
                        return Files.readString(f, StandardCharsets.ISO_8859_1).contains(messageId);
                    } catch (IOException e) {
                        return false;
                    }
                });
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Run run(Duration timeout, String... command) throws IOException, InterruptedException {
        return run(timeout, Map.of(), command);
    }

    private static Run run(Duration timeout, Map<String, String> environment, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        byte[][] output = new byte[1][];
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                output[0] = process.getInputStream().readAllBytes();
            } catch (IOException e) {
                output[0] = new byte[0];
            }
        });
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            reader.join();
            throw new IOException(String.join(" ", command) + " did not finish within " + timeout + ":\n"
                    + new String(output[0], StandardCharsets.UTF_8));
        }
        reader.join();
        return new Run(process.exitValue(), new String(output[0], StandardCharsets.UTF_8));
    }

    private static void awaitListening(Process process, int port, Path output) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("exited with " + process.exitValue() + ":\n" + Files.readString(output));
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                process.waitFor(100, TimeUnit.MILLISECONDS);
            }
        }
        throw new IOException("nothing listens on " + port + " after 60 s:\n" + Files.readString(output));
    }

    private static void await(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as(what + " within " + limit).isTrue();
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A port below 1024, which only a process with CAP_NET_BIND_SERVICE may bind (as port 25). */
    private static int freePrivilegedPort() throws IOException {
        for (int tries = 0; tries < 200; tries++) {
            int port = ThreadLocalRandom.current().nextInt(600, 1024);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException inUse) {
                // another one
            }
        }
        throw new IOException("no free port between 600 and 1023 on 127.0.0.1");
    }
}
