package org.mxguard.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.mail.QueueId;

/**
 * kill -9 of a process in the middle of commits, state updates and removals: after recovery every
 * acknowledged message is there, whole, with its last acknowledged state, unless its removal had
 * begun; every acknowledged removal stays removed; nothing partial is left. (A process kill keeps the page cache; power loss is what
 * the fsyncs are for, and is simulated by the file-level tests in {@link SpoolRecoveryIT}.)
 */
class SpoolKillIT {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyAcknowledgedCommitSurvivesSigkill() throws Exception {
        for (int round = 0; round < 2; round++) {
            killAndCheck(150 + round * 100);
        }
    }

    private void killAndCheck(int acknowledgements) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SpoolCrashDriver.class.getName(), dir.toString(), "10")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Set<QueueId> queued = new HashSet<>();
        Set<QueueId> stated = new HashSet<>();
        Set<QueueId> removing = new HashSet<>();
        Set<QueueId> removed = new HashSet<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.US_ASCII))) {
            assertThat(in.readLine()).isEqualTo("ready");
            int seen = 0;
            String line;
            while ((line = in.readLine()) != null) {
                if (++seen == acknowledgements) {
                    // SIGKILL through the handle: Process.destroyForcibly() would also close our end of the pipe.
                    child.toHandle().destroyForcibly();
                }
                // Lines already in the pipe when the child died still happened: read them all.
                if (!line.matches("(queued|state|removing|removed) [0-9A-V]{13}")) {
                    throw new AssertionError("unexpected output: " + line);
                }
                String[] parts = line.split(" ");
                QueueId id = new QueueId(parts[1]);
                switch (parts[0]) {
                    case "queued" -> queued.add(id);
                    case "state" -> stated.add(id);
                    case "removing" -> removing.add(id);
                    case "removed" -> removed.add(id);
                    default -> throw new AssertionError("unexpected output: " + line);
                }
            }
            child.waitFor();
        } finally {
            child.destroyForcibly();
        }
        assertThat(queued).hasSizeGreaterThan(10);

        try (FileSpool spool = FileSpool.open(SpoolSettings.defaults(dir).withMinFreeBytes(0), Clock.systemUTC())) {
            List<QueueId> recovered = spool.recover();
            assertThat(dir.resolve("incoming")).isEmptyDirectory();
            assertThat(dir.resolve("corrupt")).doesNotExist();
            for (QueueId id : queued) {
                if (removed.contains(id)) {
                    assertThat(recovered).doesNotContain(id);
                } else if (!removing.contains(id)) {
                    assertThat(recovered).contains(id);
                }
            }
            for (QueueId id : recovered) {
                QueuedMessage message = spool.load(id).orElseThrow();
                String content = SpoolFixtures.read(spool, id);
                assertThat(content).startsWith("Message-Id: <" + id + "@crash.test>\r\n\r\n");
                assertThat(message.size()).isEqualTo(content.length());
                if (stated.contains(id)) {
                    assertThat(message.state().attempts()).isEqualTo(1);
                }
            }
        }
    }
}
