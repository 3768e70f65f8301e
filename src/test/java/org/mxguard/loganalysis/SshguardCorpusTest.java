package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SSHGuard's parser vectors for Postfix: a line, then {@code SERVICE IP IPVERSION DANGER}. Lines
 * without a syslog header are Postfix smtpd message parts.
 */
class SshguardCorpusTest {

    @Test
    void everyVectorYieldsItsAddress() throws IOException {
        List<String> lines = Fail2banCorpusTest.read("/maillogs/sshguard/postfix-tests.txt");
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (int i = 0; i + 1 < lines.size(); i++) {
            String line = lines.get(i);
            String[] key = lines.get(i + 1).split(" ");
            if (line.startsWith("#") || line.isBlank() || line.equals("M") || key.length != 4
                    || !key[0].equals("260")) {
                continue;
            }
            List<String> ips;
            if (Character.isLetter(line.charAt(0)) && line.charAt(3) == ' ' || Character.isDigit(line.charAt(0))) {
                ips = Fail2banCorpusTest.clientsOf(line);
            } else {
                List<LogEvent> events = new ArrayList<>();
                new LineParser(ZoneOffset.UTC, 2026, 12, new ParseCounters()).parseMessage("postfix/smtpd", line,
                        events);
                ips = events.stream().map(LogEvent::clientIp).toList();
            }
            checked++;
            if (!ips.equals(List.of(key[1]))) {
                wrong.add(key[1] + " != " + ips + " in " + line);
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(checked).isEqualTo(12);
    }
}
