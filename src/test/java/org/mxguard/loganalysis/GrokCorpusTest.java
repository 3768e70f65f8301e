package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * postfix-grok-patterns' test vectors: one Postfix message each, with the fields a Logstash grok
 * pattern must extract. Where the key names a client, queue id, relay, dsn or status and the
 * analyzer's parser reads that kind of line, both must agree.
 */
class GrokCorpusTest {

    private static final Set<String> DAEMONS = Set.of("smtpd", "postscreen", "qmgr", "smtp", "lmtp", "local",
            "virtual", "pipe", "error", "discard", "cleanup");

    @Test
    void fieldsAgreeWithTheAnswerKey() throws IOException, URISyntaxException {
        Path dir = Path.of(GrokCorpusTest.class.getResource("/maillogs/grok").toURI());
        List<String> differences = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        int compared = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String daemon = file.getFileName().toString().replaceAll("_\\d+\\.yaml$", "");
                if (!DAEMONS.contains(daemon)) {
                    continue;
                }
                Map<?, ?> doc;
                try (InputStream in = Files.newInputStream(file)) {
                    doc = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromInputStream(in);
                }
                String data = String.valueOf(doc.get("data"));
                Map<?, ?> results = doc.get("results") instanceof Map<?, ?> m ? m : Map.of();
                List<LogEvent> events = new ArrayList<>();
                new LineParser(ZoneOffset.UTC, 2020, 12, new ParseCounters()).parseMessage("postfix/" + daemon,
                        data, events);
                if (events.isEmpty()) {
                    if (results.containsKey("postfix_client_ip")) {
                        missed.add(file.getFileName() + ": " + data);
                    }
                    continue;
                }
                compared += compare(file.getFileName().toString(), data, results, events.getFirst(), differences);
            }
        }
        assertThat(differences).isEmpty();
        assertThat(missed).isEmpty();
        assertThat(compared).isGreaterThan(60);
    }

    private static int compare(String file, String data, Map<?, ?> want, LogEvent event, List<String> differences) {
        int n = 0;
        String queueId = queueId(event);
        n += check(file, "postfix_queueid", want, queueId == null ? "NOQUEUE" : queueId, differences);
        n += check(file, "postfix_client_ip", want, clientIp(event), differences);
        String name = clientName(event);
        if (want.containsKey("postfix_client_hostname") && !(event instanceof LogEvent.Seen s
                && s.what().startsWith("postscreen"))) {
            n += check(file, "postfix_client_hostname", want, name == null ? "unknown" : name, differences);
        }
        if (event instanceof LogEvent.To to) {
            n += check(file, "postfix_status", want, to.stat(), differences);
            String kv = String.valueOf(want.get("postfix_keyvalue_data"));
            n += checkKv(file, kv, "relay", to.relay(), differences);
            n += checkKv(file, kv, "dsn", to.dsn(), differences);
        }
        return n;
    }

    private static int check(String file, String key, Map<?, ?> want, String have, List<String> differences) {
        Object expected = want.get(key);
        if (expected == null) {
            return 0;
        }
        if (!String.valueOf(expected).toLowerCase(Locale.ROOT).equals(have == null ? null
                : have.toLowerCase(Locale.ROOT))) {
            differences.add(file + " " + key + ": expected " + expected + " got " + have);
        }
        return 1;
    }

    private static int checkKv(String file, String kv, String key, String have, List<String> differences) {
        int at = kv.indexOf(key + "=");
        if (at < 0) {
            return 0;
        }
        int end = kv.indexOf(',', at);
        String expected = kv.substring(at + key.length() + 1, end < 0 ? kv.length() : end);
        if (!expected.equals(have)) {
            differences.add(file + " " + key + ": expected " + expected + " got " + have);
        }
        return 1;
    }

    private static String queueId(LogEvent e) {
        return switch (e) {
            case LogEvent.Client c -> c.queueId();
            case LogEvent.From f -> f.queueId();
            case LogEvent.To t -> t.queueId();
            case LogEvent.Reject r -> r.queueId();
            case LogEvent.Removed r -> r.queueId();
            default -> null;
        };
    }

    private static String clientIp(LogEvent e) {
        return switch (e) {
            case LogEvent.Connect c -> c.clientIp();
            case LogEvent.Client c -> c.clientIp();
            case LogEvent.Reject r -> r.clientIp();
            case LogEvent.Seen s -> s.clientIp();
            default -> null;
        };
    }

    private static String clientName(LogEvent e) {
        return switch (e) {
            case LogEvent.Connect c -> c.clientName();
            case LogEvent.Client c -> c.clientName();
            case LogEvent.Reject r -> r.clientName();
            case LogEvent.Seen s -> s.clientName();
            default -> null;
        };
    }
}
