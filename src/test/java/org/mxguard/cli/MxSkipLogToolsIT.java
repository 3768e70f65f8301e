package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;
import org.mxguard.delivery.MutableClock;
import org.mxguard.peer.Peer;

/**
 * The MX-skip rule's log lines read by pflogsumm and fail2ban's stock postfix filter: refusals count
 * as rejects with their reason, and the lines of clients let through (retry credit, primary down)
 * never make fail2ban ban them.
 */
@Tag("peer")
class MxSkipLogToolsIT {

    @TempDir
    static Path dir;
    static Path log;

    @BeforeAll
    static void produceALog() throws Exception {
        log = dir.resolve("mail.log");
        Path config = ServeConfig.in(dir).withoutDelivery().mxSkip("enforce").set("mx-skip.blocks.min-clients", "2")
                .write();
        MutableClock clock = new MutableClock(Instant.parse("2026-12-06T06:00:00Z"));
        AtomicBoolean up = new AtomicBoolean(true);
        Server server = new Server(ConfigLoader.load(config), clock);
        server.primaryHealth(domain -> up.get());
        server.start();
        try {
            rcpt(server, "127.0.0.2", "");                 // refused
            rcpt(server, "127.0.0.3", "a@sender.test");    // refused, then earns credit
            clock.advance(Duration.ofMinutes(6));
            rcpt(server, "127.0.0.3", "a@sender.test");
            up.set(false);
            rcpt(server, "127.0.1.4", "");                 // primary down, outside the block: passes
        } finally {
            server.close();
        }
        assertThat(Files.readString(log)).contains("mx-skip: RCPT from unknown[127.0.0.3]: pass: retry credit")
                .contains("mx-skip: RCPT from unknown[127.0.1.4]: pass: primary MX").contains("block: 127.0.0.0/24")
                .contains("NOQUEUE: rule: RCPT from unknown[127.0.0.2]: mx-skip; from=<> to=<user@protected.test>");
    }

    @Test
    void pflogsummCountsTheRefusalsWithTheirReason() throws Exception {
        String report = run(Peer.require("pflogsumm"), "--syslog-name=postfix-mxguard", log.toString());
        assertThat(report).containsPattern("\\n\\s+2\\s+rejected \\(")
                .contains("deliver to the primary MX of protected.test first (no primary contact (total: 2)");
    }

    @Test
    void fail2banNeverTakesAClientThatWasLetThrough() throws Exception {
        String fail2ban = Peer.require("fail2ban-regex");
        for (String filter : List.of("/etc/fail2ban/filter.d/postfix.conf",
                "/etc/fail2ban/filter.d/postfix.conf[mode=aggressive]")) {
            String out = run(fail2ban, "-o", "ip", log.toString(), filter);
            List<String> ips = Arrays.stream(out.split("\n")).map(String::strip)
                    .filter(line -> line.matches("127\\.0\\.\\d+\\.\\d+")).toList();
            assertThat(ips).as(filter).doesNotContain("127.0.1.4");
            assertThat(ips.stream().filter("127.0.0.3"::equals)).as(filter).hasSizeLessThanOrEqualTo(1);
        }
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static String rcpt(Server server, String from, String sender) throws IOException {
        return SmtpConversation.converseFrom(from, server.smtpPort(), "EHLO client.test", "MAIL FROM:<" + sender + ">",
                "RCPT TO:<user@protected.test>", "QUIT").get(2);
    }
}
