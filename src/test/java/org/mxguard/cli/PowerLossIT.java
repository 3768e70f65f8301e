package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power loss under load, not just process death: the spool on an ext4 file system on a loop device
 * the test makes (as root; skipped elsewhere). At a random moment of each life the file system is
 * shut down as a power cut leaves it: ext4's {@code EXT4_IOC_SHUTDOWN} with {@code NOLOGFLUSH}, the
 * call xfstests' "godown" power-failure tests use, which discards every dirty page and the journal's
 * uncommitted transaction, so only what was synced survives. Then mxguard is killed, the file system
 * unmounted and mounted again (journal replay), and mxguard restarted. Every message that got
 * {@code 250} must reach the sink: the {@code fsync}, {@code fdatasync} and {@code syncfs} of the
 * spool and its commit journal are what is tested here, which a process kill cannot reach. (The
 * loop device's backing file stays in the host's page cache: this models a disk that honours cache
 * flushes, as a disk with a working write barrier does.)
 */
class PowerLossIT {

    private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID: <(power-\\d+)@client\\.test>");
    // _IOR('X', 125, __u32): EXT4_IOC_SHUTDOWN (XFS_IOC_GOINGDOWN); flag 2 = EXT4_GOING_FLAGS_NOLOGFLUSH.
    private static final String SHUTDOWN = "import fcntl, os, struct, sys\n"
            + "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
            + "print('ready', flush=True)\n"
            + "sys.stdin.readline()\n"
            + "fcntl.ioctl(fd, 0x8004587D, struct.pack('I', 2))\n"
            + "print('cut', flush=True)\n";

    @TempDir
    Path dir;

    /** Message-IDs whose 250 was read before the power cut began. */
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    /** Message-IDs whose 250 was read after the process was stopped for the cut: sent before it, so they count too. */
    private final Set<String> acknowledgedDuringCut = ConcurrentHashMap.newKeySet();
    private volatile boolean cutting;
    private final Map<String, AtomicInteger> delivered = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();

    @Test
    void noAcknowledgedMessageIsLostAcrossPowerCuts() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "PowerLossIT needs root to make and mount an ext4 file system on a loop device: skipped");
        int cuts = Integer.getInteger("mxguard.powerloss.cuts", 6);
        long seed = Long.getLong("mxguard.powerloss.seed", System.nanoTime());
        Random random = new Random(seed);
        Path image = dir.resolve("spool.img");
        Path mount = Files.createDirectories(dir.resolve("mnt"));
        assumeTrue(run("truncate", "-s", "64M", image.toString()) == 0
                && run("mkfs.ext4", "-q", image.toString()) == 0, "PowerLossIT could not make an ext4 image: skipped");
        String loop = output("losetup", "-f", "--show", image.toString());
        assumeTrue(loop.startsWith("/dev/loop"), "PowerLossIT found no free loop device: skipped");
        Instant started = Instant.now();
        try (Sink sink = new Sink()) {
            assumeTrue(run("mount", loop, mount.toString()) == 0, "PowerLossIT could not mount " + loop + ": skipped");
            int port = SmtpConversation.freePort();
            Path config = dir.resolve("mxguard.yaml");
            Files.writeString(config, """
                    hostname: power.test
                    protected-domains: [protected.test]
                    smtp:
                      listen: [ "127.0.0.1:%d" ]
                    spool:
                      directory: %s
                      min-free-space: 0
                    log:
                      file: %s
                    dns:
                      client-name-lookup: false
                    delivery:
                      interface-addresses: false
                      min-backoff: 1s
                      max-backoff: 2s
                      probe-interval: 1s
                      connect-timeout: 2s
                      routes:
                        protected.test: "[127.0.0.1]:%d"
                    primary:
                      probe:
                        enabled: false
                    """.formatted(port, mount.resolve("spool"), dir.resolve("mail.log"), sink.port()));
            Path output = dir.resolve("server.out");
            int acknowledgedAtCuts = 0;
            for (int cut = 0; cut < cuts; cut++) {
                // Every other life the sink refuses: those cuts find deferred mail and state files in the spool.
                sink.refusing = cut % 2 == 1;
                ServerProcess server = ServerProcess.start(config, port, output);
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> clients = startClients(port, stop);
                // The cutter is started first and waits on its input, so the cut follows the flag at once.
                Process shutdown = new ProcessBuilder("python3", "-c", SHUTDOWN, mount.toString())
                        .redirectErrorStream(true).start();
                BufferedReader cutter = new BufferedReader(new InputStreamReader(shutdown.getInputStream(),
                        StandardCharsets.US_ASCII));
                assertThat(cutter.readLine()).isEqualTo("ready");
                Thread.sleep(500 + random.nextInt(1500));
                // The power goes for the process too: stopped first (SIGSTOP; a thread inside a system
                // call finishes it but runs no more of mxguard), so no reply can leave after the cut.
                server.signal("STOP");
                awaitStopped(server.pid());
                cutting = true;
                shutdown.getOutputStream().write('\n');
                shutdown.getOutputStream().flush();
                String said = cutter.readLine();
                assertThat(shutdown.waitFor()).as("the power cut: %s", said).isZero();
                server.kill();
                stop.set(true);
                for (Thread client : clients) {
                    client.join();
                }
                cutting = false;
                acknowledgedAtCuts = acknowledged.size();
                assertThat(run("umount", mount.toString())).as("unmount after the cut").isZero();
                assertThat(run("mount", loop, mount.toString())).as("mount again: the journal replayed").isZero();
            }
            sink.refusing = false;
            try (ServerProcess server = ServerProcess.start(config, port, output)) {
                Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
                while (!delivered.keySet().containsAll(acknowledged) && Instant.now().isBefore(deadline)) {
                    Thread.sleep(100);
                }
            }
            Set<String> lost = new TreeSet<>(acknowledged);
            lost.removeAll(delivered.keySet());
            long duplicates = delivered.values().stream().filter(n -> n.get() > 1).count();
            Set<String> withoutAck = new TreeSet<>(delivered.keySet());
            withoutAck.removeAll(acknowledged);
            Set<String> lostDuringCut = new TreeSet<>(acknowledgedDuringCut);
            lostDuringCut.removeAll(delivered.keySet());
            System.out.printf(Locale.ROOT, "power loss under load: seed %d, %d cuts, %d sent, %d acknowledged, "
                    + "%d delivered, %d lost, %d duplicated, %d delivered without 250 (in flight at a cut), "
                    + "%d acknowledged while the cut was under way (%d of them not delivered), %d s%n",
                    seed, cuts, next.get(), acknowledgedAtCuts, delivered.size(), lost.size(), duplicates,
                    withoutAck.size(), acknowledgedDuringCut.size(), lostDuringCut.size(),
                    Duration.between(started, Instant.now()).toSeconds());
            if (!lost.isEmpty() || !lostDuringCut.isEmpty()) {
                // Kept for a person to read: the logs, and where the lost messages' ids still appear in the spool.
                Path keep = Files.createDirectories(Path.of("target", "power-loss"));
                Files.copy(dir.resolve("mail.log"), keep.resolve("mail.log"), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(output, keep.resolve("server.out"), StandardCopyOption.REPLACE_EXISTING);
                List<String> report = new ArrayList<>();
                for (String id : lost.isEmpty() ? lostDuringCut : lost) {
                    report.add(id + (lost.contains(id) ? " (acknowledged before the cut)" : " (during the cut)") + ": "
                            + output("grep", "-rla", id, mount.toString()).replace('\n', ' '));
                }
                report.add(output("ls", "-laR", mount.resolve("spool").toString()));
                Files.write(keep.resolve("lost.txt"), report);
            }
            assertThat(acknowledged).as("the load was accepted").hasSizeGreaterThan(cuts * 10);
            assertThat(lost).as("acknowledged but never delivered (seed %d)", seed).isEmpty();
            assertThat(lostDuringCut).as("acknowledged (read once the process was stopped) but never delivered "
                    + "(seed %d)", seed).isEmpty();
        } finally {
            run("umount", "-l", mount.toString());
            run("losetup", "-d", loop);
        }
    }

    private List<Thread> startClients(int port, AtomicBoolean stop) {
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            clients.add(Thread.ofVirtual().start(() -> send(port, stop)));
        }
        return clients;
    }

    /** Sends messages one after another until told to stop or the server goes away. */
    private void send(int port, AtomicBoolean stop) {
        while (!stop.get()) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII));
                OutputStream out = socket.getOutputStream();
                SmtpConversation.expect(in, "220");
                SmtpConversation.send(out, "EHLO load-client.test");
                SmtpConversation.expect(in, "250");
                while (!stop.get()) {
                    String id = "power-" + next.getAndIncrement();
                    SmtpConversation.send(out, "MAIL FROM:<sender@client.test>");
                    SmtpConversation.expect(in, "250");
                    SmtpConversation.send(out, "RCPT TO:<user@protected.test>");
                    SmtpConversation.expect(in, "250");
                    SmtpConversation.send(out, "DATA");
                    SmtpConversation.expect(in, "354");
                    SmtpConversation.send(out, "Message-ID: <" + id + "@client.test>\r\nSubject: " + id + "\r\n\r\n"
                            + "body line\r\n".repeat(20) + ".");
                    SmtpConversation.expect(in, "250");
                    (cutting ? acknowledgedDuringCut : acknowledged).add(id);
                }
            } catch (IOException serverGone) {
                Thread.yield();
            }
        }
    }

    /** Waits until every thread of the process is stopped (state T in /proc/PID/task/TID/stat). */
    private static void awaitStopped(long pid) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (true) {
            boolean all = true;
            try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
                for (Path task : tasks.toList()) {
                    String stat;
                    try {
                        stat = Files.readString(task.resolve("stat"));
                    } catch (IOException gone) {
                        continue;
                    }
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    all &= state == 'T' || state == 't' || state == 'Z' || state == 'X';
                }
            }
            if (all) {
                return;
            }
            assertThat(Instant.now()).as("process %d stopped", pid).isBefore(deadline);
            Thread.sleep(5);
        }
    }

    private static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "";
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    /** An SMTP sink on a loopback port that counts arrivals by Message-ID, or greets with 421 while refusing. */
    private final class Sink implements AutoCloseable {

        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
        volatile boolean refusing;

        Sink() throws IOException {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket socket = server.accept();
                        Thread.ofVirtual().start(() -> session(socket));
                    }
                } catch (IOException closed) {
                    return;
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        private void session(Socket socket) {
            try (socket) {
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII));
                OutputStream out = socket.getOutputStream();
                if (refusing) {
                    SmtpConversation.send(out, "421 4.3.2 sink.test busy");
                    return;
                }
                SmtpConversation.send(out, "220 sink.test ESMTP");
                String line;
                while ((line = in.readLine()) != null) {
                    String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line;
                    switch (verb) {
                        case "EHLO" -> SmtpConversation.send(out, "250-sink.test\r\n250 PIPELINING");
                        case "DATA" -> {
                            SmtpConversation.send(out, "354 go ahead");
                            StringBuilder content = new StringBuilder();
                            String data;
                            while ((data = in.readLine()) != null && !data.equals(".")) {
                                content.append(data).append('\n');
                            }
                            if (data == null) {
                                return;
                            }
                            Matcher m = MESSAGE_ID.matcher(content);
                            if (m.find()) {
                                delivered.computeIfAbsent(m.group(1), k -> new AtomicInteger()).incrementAndGet();
                            }
                            SmtpConversation.send(out, "250 2.0.0 Ok: recorded");
                        }
                        case "QUIT" -> {
                            SmtpConversation.send(out, "221 2.0.0 Bye");
                            return;
                        }
                        default -> SmtpConversation.send(out, "250 2.0.0 Ok");
                    }
                }
            } catch (IOException gone) {
                return;
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
