package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;
import org.mxguard.mail.QueueId;
import org.mxguard.spool.FileSpool;
import org.mxguard.spool.SpoolSettings;

/**
 * The spool on a real, small file system that fills up: a tmpfs the test mounts (as root; skipped
 * elsewhere). Full, the server answers {@code 452 4.3.1}; a message that runs out of space while
 * being written gets a temporary error, never {@code 250}, and leaves nothing behind; when space
 * returns, mail is accepted again without a restart.
 */
class SpoolDiskFullIT {

    @TempDir
    Path dir;

    @Test
    void aFullSpoolRefusesTemporarilyAndRecoversByItselfWhenSpaceReturns() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "SpoolDiskFullIT needs root to mount a tmpfs for the spool: skipped");
        Path mount = Files.createDirectories(dir.resolve("tmpfs"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString()) == 0,
                "SpoolDiskFullIT could not mount a tmpfs (no mount permission in this container): skipped");
        try {
            int port = SmtpConversation.freePort();
            Path config = ServeConfig.in(dir).hostname("disk.test").smtpPort(port).spool(mount.resolve("spool"))
                    .set("spool.min-free-space", "1m").withoutDelivery().withoutPrimaryProbe().write();
            Server server = new Server(ConfigLoader.load(config), Clock.systemUTC());
            server.start();
            List<String> accepted = new ArrayList<>();
            Path filler = mount.resolve("filler");
            try {
                assertThat(send(port, 1_000)).startsWith("250");
                accepted.add("1000");

                fill(filler);
                String full = send(port, 1_000);
                System.out.println("spool full: " + full);
                assertThat(full).as("full").startsWith("452 4.3.1");

                // 1.5 MB free passes the 1 MB minimum, but a 3 MB message runs out of space on the way.
                try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
                    f.setLength(f.length() - 1_536 * 1024);
                }
                String reply = send(port, 3_000_000);
                System.out.println("out of space while writing: " + reply);
                assertThat(reply).as("out of space while writing").matches("45[12] 4\\.3\\.[01] .*");

                Files.delete(filler);
                assertThat(send(port, 2_000)).as("space is back").startsWith("250");
                accepted.add("2000");
            } finally {
                server.close();
            }
            try (FileSpool spool = FileSpool.open(SpoolSettings.defaults(mount.resolve("spool")).withMinFreeBytes(0),
                    Clock.systemUTC())) {
                List<QueueId> ids = spool.recover();
                assertThat(ids).as("exactly the acknowledged messages, nothing half-written").hasSize(accepted.size());
            }
        } finally {
            run("umount", "-l", mount.toString());
        }
    }

    /** Writes to the file until the file system is full. */
    private static void fill(Path filler) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            assertThat(full.getMessage()).containsIgnoringCase("space");
        }
    }

    /** One message of about {@code size} octets; returns the reply that ended the transaction. */
    private static String send(int port, int size) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            String greeting = reply(in);
            assertThat(greeting).startsWith("220");
            for (String command : List.of("EHLO client.test", "MAIL FROM:<a@client.test>", "RCPT TO:<b@protected.test>")) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(reply(in)).as(command).startsWith("250");
            }
            out.write("DATA\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String data = reply(in);
            if (!data.startsWith("354")) {
                return data;
            }
            String line = "x".repeat(98) + "\r\n";
            StringBuilder body = new StringBuilder("Subject: size " + size + "\r\n\r\n");
            while (body.length() < size) {
                body.append(line);
            }
            body.append(".\r\n");
            out.write(body.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return reply(in);
        }
    }

    private static String reply(BufferedReader in) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed");
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
