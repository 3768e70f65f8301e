package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;

/**
 * The spool's file system turned read-only under a running server, as the kernel does on a disk
 * error with {@code errors=remount-ro}: an ext4 file system on a loop device the test makes (as
 * root; skipped elsewhere), forced read-only through ext4's {@code trigger_fs_error}. New mail gets
 * {@code 451 4.3.0}, never {@code 250}; the session and the relay checks go on; mail queued before
 * is delivered once, not again at every retry. Linux refuses a read-only remount while files are
 * open for writing (the spool's lock), and an ext4 turned read-only by an error cannot be made
 * writable again without unmounting it, so the recovery is the operator's: stop, fsck, mount,
 * start; then the queue empties and mail is accepted again, nothing lost.
 */
class SpoolReadOnlyIT {

    @TempDir
    Path dir;

    @Test
    void aSpoolTurnedReadOnlyRefusesTemporarilyKeepsServingAndLosesNothing() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "SpoolReadOnlyIT needs root to make and mount an ext4 file system on a loop device: skipped");
        Path image = dir.resolve("spool.img");
        Path mount = Files.createDirectories(dir.resolve("mnt"));
        assumeTrue(run("truncate", "-s", "32M", image.toString()) == 0
                && run("mkfs.ext4", "-q", image.toString()) == 0, "SpoolReadOnlyIT could not make an ext4 image: skipped");
        String loop = output("losetup", "-f", "--show", image.toString());
        assumeTrue(loop.startsWith("/dev/loop"), "SpoolReadOnlyIT found no free loop device: skipped");
        try (RecordingSink sink = new RecordingSink()) {
            assumeTrue(run("mount", "-o", "errors=remount-ro", loop, mount.toString()) == 0,
                    "SpoolReadOnlyIT could not mount " + loop + ": skipped");
            Path trigger = Path.of("/sys/fs/ext4", Path.of(loop).getFileName().toString(), "trigger_fs_error");
            assumeTrue(Files.isWritable(trigger), "SpoolReadOnlyIT needs ext4's " + trigger + ": skipped");
            int port = SmtpConversation.freePort();
            Path mailLog = dir.resolve("mail.log");
            Path config = ServeConfig.in(dir).hostname("readonly.test").smtpPort(port).spool(mount.resolve("spool"))
                    .withoutInterfaceAddresses().retries("1s", "1h").route("protected.test", sink.port())
                    .withoutPrimaryProbe().write();
            Server server = new Server(ConfigLoader.load(config), Clock.systemUTC());
            server.start();
            try {
                sink.refusing(true);
                assertThat(send(port, "before")).startsWith("250");
                await(() -> logLines(mailLog, "to=<user@protected.test>", "status=deferred") >= 1, "deferred once");

                // The kernel turns the file system read-only, open files and all.
                Files.writeString(trigger, "mxguard test: spool turned read-only\n");
                assertThat(run("touch", mount.resolve("spool/probe").toString())).as("read-only now").isNotZero();
                List<String> replies = SmtpConversation.converse(port, "EHLO client.test", "MAIL FROM:<a@client.test>",
                        "RCPT TO:<user@protected.test>", "DATA", "RSET", "MAIL FROM:<a@client.test>",
                        "RCPT TO:<user@elsewhere.test>", "NOOP", "QUIT");
                System.out.println("read-only spool: " + replies);
                assertThat(replies.get(3)).as("DATA on a read-only spool").matches("45[12] 4\\.3\\.[01] .*");
                assertThat(replies.get(4)).as("the session goes on").startsWith("250");
                assertThat(replies.get(6)).as("the relay check still answers").matches("55[04] 5\\.7\\.1 .*");
                assertThat(replies.get(7)).startsWith("250");

                // The queued message is delivered now, but cannot be removed: once, not at each retry.
                sink.refusing(false);
                await(() -> sink.count("before@client.test") == 1, "the queued message delivered");
                int failedBefore = logLines(mailLog, "delivery attempt failed");
                await(() -> logLines(mailLog, "delivery attempt failed") >= failedBefore + 3,
                        "three more retries of the removal");
                assertThat(sink.count("before@client.test")).as("not delivered again while the spool is read-only")
                        .isEqualTo(1);
            } finally {
                server.close();
            }

            // The operator's repair: unmount, check, mount, start again.
            assertThat(run("umount", mount.toString())).isZero();
            assertThat(run("e2fsck", "-fy", loop)).as("e2fsck fixed or found nothing").isLessThanOrEqualTo(1);
            assertThat(run("mount", "-o", "errors=remount-ro", loop, mount.toString())).isZero();
            server = new Server(ConfigLoader.load(config), Clock.systemUTC());
            server.start();
            try {
                assertThat(send(port, "after")).as("writable again").startsWith("250");
                await(() -> sink.count("after@client.test") == 1 && queueFiles(mount.resolve("spool/queue")) == 0,
                        "the queue emptied");
                // The removal the read-only file system refused is redone from the spool after the
                // restart: the message that was delivered then goes once more (RFC 1047's window).
                assertThat(sink.count("before@client.test")).isBetween(1, 2);
                System.out.println("read-only spool: 'before' delivered " + sink.count("before@client.test")
                        + " times in all");
            } finally {
                server.close();
            }
        } finally {
            run("umount", "-l", mount.toString());
            run("losetup", "-d", loop);
        }
    }

    private static String send(int port, String subject) throws IOException {
        List<String> replies = SmtpConversation.converse(port, "EHLO client.test", "MAIL FROM:<a@client.test>",
                "RCPT TO:<user@protected.test>", "DATA", "Message-ID: <" + subject + "@client.test>\r\nSubject: " + subject + "\r\n\r\nbody\r\n.",
                "QUIT");
        return replies.get(3).startsWith("354") ? replies.get(4) : replies.get(3);
    }

    private static int logLines(Path log, String... parts) {
        try {
            return (int) Files.readAllLines(log).stream().filter(l -> List.of(parts).stream().allMatch(l::contains))
                    .count();
        } catch (IOException notYet) {
            return 0;
        }
    }

    private static long queueFiles(Path queue) {
        try (var files = Files.list(queue)) {
            return files.count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as(what).isBefore(deadline);
            Thread.sleep(50);
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
}
