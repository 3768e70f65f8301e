package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;

/**
 * ETRN on the server {@code mxguard serve} builds: only for protected domains, and a destination
 * whose primary is down costs one probe, not a delivery attempt per message.
 */
class EtrnIT {

    @TempDir
    Path dir;

    private Server server;

    @BeforeEach
    void start() throws Exception {
        // Port 1 on loopback: nobody listens, so the primary of down.protected.test is down.
        Path config = ServeConfig.in(dir).protectedDomains("protected.test", ".protected.test")
                .route("down.protected.test", 1).write();
        server = new Server(ConfigLoader.load(config), Clock.systemDefaultZone());
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void etrnIsOnlyForProtectedDomainsAndADeadDestinationIsProbedNotRetriedMessageByMessage() throws Exception {
        for (int i = 0; i < 3; i++) {
            List<String> replies = converse("EHLO client.test", "MAIL FROM:<alice@client.test>",
                    "RCPT TO:<user" + i + "@down.protected.test>", "DATA", "Subject: later\r\n\r\nwait\r\n.", "QUIT");
            assertThat(replies.get(4)).startsWith("250 2.0.0 Ok: queued as ");
        }
        awaitLog("status=deferred", 3);

        List<String> replies = converse("EHLO client.test", "ETRN elsewhere.test", "ETRN @elsewhere.test",
                "ETRN down.protected.test", "ETRN @protected.test", "QUIT");
        assertThat(replies.subList(1, 5)).containsExactly("459 4.7.1 <elsewhere.test>: service unavailable",
                "459 4.7.1 <@elsewhere.test>: service unavailable", "250 2.0.0 Queuing started",
                "250 2.0.0 Queuing started");

        awaitLog("ETRN: down.protected.test does not answer", 1);
        assertThat(count(Files.readString(dir.resolve("mail.log")), "status=deferred"))
                .as("no message was tried again").isEqualTo(3);
    }

    private void awaitLog(String text, int times) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Path log = dir.resolve("mail.log");
        while (count(Files.exists(log) ? Files.readString(log) : "", text) < times) {
            assertThat(System.nanoTime()).as("'%s' %d times in the log", text, times).isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private List<String> converse(String... lines) throws IOException {
        return SmtpConversation.converse(server.smtpPort(), lines);
    }

}
