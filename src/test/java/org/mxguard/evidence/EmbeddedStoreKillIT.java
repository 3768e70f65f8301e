package org.mxguard.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a process writing evidence as fast as it can: the store file opens again, and every
 * contact, credit and block the process had flushed before it died is there. Twice in a row on the
 * same file, so the second round also proves a store recovered from a kill takes new writes.
 */
class EmbeddedStoreKillIT {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void everythingFlushedSurvivesSigkill() throws Exception {
        int next = 0;
        for (int round = 0; round < 2; round++) {
            int flushed = killAfter(next, 20 + round * 15);
            assertThat(flushed).isGreaterThan(next);
            StoreSettings settings = new StoreSettings(dir, 32, 128, Duration.ofDays(7), Duration.ofDays(5),
                    Duration.ofDays(2), Duration.ofMillis(200));
            try (EmbeddedStore store = EmbeddedStore.open(settings, Clock.systemUTC())) {
                for (int n = 0; n < flushed; n++) {
                    PrimaryContact c = store.lastContact(EvidenceCrashDriver.address(n));
                    assertThat(c).as("contact %d of %d flushed", n, flushed).isNotNull();
                    assertThat(c.clientName()).isEqualTo("mta" + n + ".sender.test");
                    assertThat(c.nullSender()).isEqualTo(n % 2 == 0);
                    assertThat(store.creditUntil(EvidenceCrashDriver.address(n))).isNotNull();
                }
                assertThat(store.blocks()).extracting(Block::target).contains("2001:db8:" + Integer.toHexString(
                        (flushed - 1) / 100 * 100) + "::/48");
            }
            next = flushed;
        }
    }

    /** Starts the driver at contact {@code start}, kills it after {@code flushes} flushes; the last count flushed. */
    private int killAfter(int start, int flushes) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), EvidenceCrashDriver.class.getName(), dir.toString(),
                Integer.toString(start))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        int flushed = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.US_ASCII))) {
            assertThat(in.readLine()).isEqualTo("ready");
            int seen = 0;
            String line;
            while ((line = in.readLine()) != null) {
                if (++seen == flushes) {
                    // SIGKILL through the handle: Process.destroyForcibly() would also close our end of the pipe.
                    child.toHandle().destroyForcibly();
                }
                if (!line.matches("flushed [0-9]+")) {
                    throw new AssertionError("unexpected output: " + line);
                }
                flushed = Integer.parseInt(line.substring("flushed ".length()));
            }
            child.waitFor();
        } finally {
            child.destroyForcibly();
        }
        return flushed;
    }
}
