package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * fail2ban's test logs carry the expected client before each line ({@code # failJSON: {"host":
 * ...}}). Every such line must yield exactly that client, and nothing else: the lines include
 * crafted ones where a second address in the text must not win.
 */
class Fail2banCorpusTest {

    private static final Pattern HOST = Pattern.compile("\"host\":\\s*\"([^\"]+)\"");

    @ParameterizedTest
    @ValueSource(strings = {"postfix", "sendmail-reject", "sendmail-auth"})
    void everyExpectedClientIsTheOneExtracted(String file) throws IOException {
        List<String> lines = read("/maillogs/fail2ban/" + file);
        List<String> wrong = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        int checked = 0;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = HOST.matcher(lines.get(i));
            if (!lines.get(i).startsWith("# failJSON:") || !m.find() || i + 1 >= lines.size()) {
                continue;
            }
            String line = lines.get(i + 1);
            List<String> ips = clientsOf(line);
            checked++;
            if (ips.isEmpty()) {
                missed.add(line);
            } else if (!ips.stream().allMatch(ip -> ip.equalsIgnoreCase(m.group(1)))) {
                wrong.add(m.group(1) + " != " + ips + " in " + line);
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(missed).isEmpty();
        assertThat(checked).isGreaterThan(10);
    }

    static List<String> clientsOf(String line) {
        // Through BlockParser, as the analyzer reads a file: the byte path where it applies.
        List<LogEvent> events = new ArrayList<>();
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        new BlockParser(ZoneOffset.UTC, 2005, 12, new ParseCounters()).parse(bytes, bytes.length, new EventList(events));
        List<String> ips = new ArrayList<>();
        for (LogEvent e : events) {
            String ip = switch (e) {
                case LogEvent.Connect c -> c.clientIp();
                case LogEvent.Client c -> c.clientIp();
                case LogEvent.From f -> f.clientIp();
                case LogEvent.Reject r -> r.clientIp();
                case LogEvent.Seen s -> s.clientIp();
                default -> null;
            };
            if (ip != null) {
                ips.add(ip.toLowerCase(Locale.ROOT));
            }
        }
        return ips;
    }

    static List<String> read(String resource) throws IOException {
        try (InputStream in = Fail2banCorpusTest.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
