package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogInputsIT {

    @TempDir
    Path dir;

    @Test
    void rotatedSetIsReadOldestFirst() throws IOException {
        for (String name : List.of("mail.log", "mail.log.1", "mail.log.2.gz", "mail.log.10.gz", "mail.log.3.gz")) {
            Files.writeString(dir.resolve(name), "");
        }
        List<LogSource> sources = LogInputs.expand(List.of(dir.resolve("mail.log*").toString()));
        assertThat(sources).extracting(s -> s.path().getFileName().toString())
                .containsExactly("mail.log.10.gz", "mail.log.3.gz", "mail.log.2.gz", "mail.log.1", "mail.log");
    }

    @Test
    void missingFileIsAClearError() {
        assertThatThrownBy(() -> LogInputs.expand(List.of(dir.resolve("nope.log").toString())))
                .hasMessageContaining("nope.log: no such file");
    }

    @Test
    void gzipAndPlainFilesAreReadAlike() throws IOException {
        String lines = "Nov  3 11:35:30 mx2 postfix/smtpd[1]: connect from a.example[192.0.2.1]\n".repeat(5000);
        Files.write(dir.resolve("mail.log.1.gz"), gzip(lines.getBytes(StandardCharsets.US_ASCII)));
        Files.writeString(dir.resolve("mail.log"), lines);
        List<LogEvent> events = new ArrayList<>();
        ParallelScanner scanner = new ParallelScanner(ZoneOffset.UTC, 2026, 2);
        scanner.scan(LogInputs.expand(List.of(dir.resolve("mail.log.1.gz").toString(),
                dir.resolve("mail.log").toString())), EventList::new, events::add);
        assertThat(scanner.errors).isEmpty();
        assertThat(events).hasSize(10000);
        assertThat(scanner.counters.lines).isEqualTo(10000);
    }

    /** {@code n} connect lines, each from a client of its own name. */
    private static byte[] connects(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append("Nov  3 11:35:30 mx2 postfix/smtpd[1]: connect from a").append(i).append(".example[192.0.2.")
                    .append(i % 250 + 1).append("]\n");
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void truncatedGzipIsAnErrorWithFileAndLineAndTheRestIsStillRead() throws IOException {
        byte[] gz = gzip(connects(200_000));
        Files.write(dir.resolve("mail.log.2.gz"), Arrays.copyOf(gz, gz.length / 2));
        Files.writeString(dir.resolve("mail.log.1"), "Nov  3 11:35:31 mx2 postfix/smtpd[1]: connect from "
                + "b.example[192.0.2.9]\n");
        List<LogEvent> events = new ArrayList<>();
        ParallelScanner scanner = new ParallelScanner(ZoneOffset.UTC, 2026, 2);
        scanner.scan(LogInputs.expand(List.of(dir.resolve("mail.log.*").toString())), EventList::new, events::add);
        assertThat(scanner.errors).singleElement().satisfies(e -> {
            assertThat(e.label()).endsWith("mail.log.2.gz");
            assertThat(e.line()).isGreaterThan(1000).isLessThan(200_000);
            assertThat(e.message()).contains("truncated");
        });
        assertThat(events.getLast()).isInstanceOfSatisfying(LogEvent.Connect.class,
                c -> assertThat(c.clientIp()).isEqualTo("192.0.2.9"));
    }

    @Test
    void theAnalyzersJoinReadsGzipAndPlainFilesAndReportsATruncatedOne() throws IOException {
        byte[] gz = gzip(connects(200_000));
        Files.write(dir.resolve("mail.log.3.gz"), gz);
        Files.write(dir.resolve("mail.log.2.gz"), Arrays.copyOf(gz, gz.length / 2));
        Files.writeString(dir.resolve("mail.log.1"), "Nov  3 11:35:31 mx2 postfix/smtpd[1]: connect from "
                + "b.example[198.51.100.9]\n");
        Correlator join = new Correlator(86400, 1000);
        ParallelScanner scanner = new ParallelScanner(ZoneOffset.UTC, 2026, 2);
        scanner.join(LogInputs.expand(List.of(dir.resolve("mail.log.*").toString())), join, null);
        assertThat(scanner.errors).singleElement().satisfies(e -> {
            assertThat(e.label()).endsWith("mail.log.2.gz");
            assertThat(e.message()).contains("truncated");
        });
        // Every line read counts once, but the one the truncation cut in half.
        long connects = join.clients().values().stream().mapToLong(c -> c.connects).sum();
        assertThat(connects).isEqualTo(scanner.counters.parsed).isEqualTo(scanner.counters.lines - 1)
                .isGreaterThan(200_001);
        assertThat(join.clients().get("198.51.100.9").connects).isEqualTo(1);
        assertThat(join.clients().get("192.0.2.1").name).startsWith("a");
    }

    @Test
    void lastLineWithoutNewlineAndCrLfLinesAreRead() throws IOException {
        Files.writeString(dir.resolve("x.log"), "Nov  3 11:35:30 mx2 postfix/smtpd[1]: connect from a[192.0.2.1]\r\n"
                + "Nov  3 11:35:30 mx2 postfix/smtpd[1]: connect from b[192.0.2.2]");
        List<LogEvent> events = new ArrayList<>();
        new ParallelScanner(ZoneOffset.UTC, 2026, 1).scan(LogInputs.expand(List.of(dir.resolve("x.log").toString())),
                EventList::new, events::add);
        assertThat(events).extracting(e -> ((LogEvent.Connect) e).clientIp()).containsExactly("192.0.2.1",
                "192.0.2.2");
    }

    @Test
    void dashIsStandardInputEvenGzipped() throws IOException {
        java.io.InputStream saved = System.in;
        String lines = "Nov  3 11:35:30 mx2 sm-mta[1]: rA37ZTSC026254: from=<>, size=1, class=0, nrcpts=1, "
                + "msgid=<a@b>, proto=SMTP, daemon=MTA, relay=[192.0.2.3]\n";
        System.setIn(new java.io.ByteArrayInputStream(gzip(lines.getBytes(StandardCharsets.US_ASCII))));
        try {
            List<LogEvent> events = new ArrayList<>();
            new ParallelScanner(ZoneOffset.UTC, 2026, 1).scan(LogInputs.expand(List.of("-")), EventList::new, events::add);
            assertThat(events).singleElement().isInstanceOfSatisfying(LogEvent.From.class,
                    f -> assertThat(f.clientIp()).isEqualTo("192.0.2.3"));
        } finally {
            System.setIn(saved);
        }
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
