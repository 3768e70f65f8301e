package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.loganalysis.gen.LogGenerator;
import picocli.CommandLine;

/** {@code mxguard analyze} end to end on generated logs: every report format and rule file. */
class AnalyzeCommandIT {

    @TempDir
    Path dir;

    private Path backup;
    private Path primary;

    private void generate() throws IOException {
        backup = dir.resolve("mail.log");
        primary = dir.resolve("primary.log");
        try (Writer b = Files.newBufferedWriter(backup, StandardCharsets.ISO_8859_1);
                Writer p = Files.newBufferedWriter(primary, StandardCharsets.ISO_8859_1)) {
            new LogGenerator(new LogGenerator.Config("postfix", 1 << 20, 3, 2026)).write(b, p);
        }
    }

    private String run(String... args) {
        AnalyzeCommand command = new AnalyzeCommand();
        command.clock = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(command).execute(args);
            assertThat(code).isZero();
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void tableReportAndAllThreeRuleFiles() throws Exception {
        generate();
        Path rules = dir.resolve("rules.mxg");
        Path access = dir.resolve("access");
        Path cidr = dir.resolve("client.cidr");
        String table = run(backup.toString(), "--primary-log", primary.toString(), "--year", "2026", "--zone", "UTC",
                "--emit-rules", rules.toString(), "--emit-sendmail", access.toString(), "--emit-postfix-cidr",
                cidr.toString(), "--no-progress");
        assertThat(table).contains("Proposed rules").contains("198.18.10.0/24").contains("never contacted the primary");
        assertThat(Files.readString(rules)).contains("tempfail from <> client 198.18.10.0/24 until 2026-12-26")
                .contains("tempfail from <> client-name .pool.cablenet.example until 2026-12-26");
        assertThat(org.mxguard.policy.RuleFileReader.read(rules)).as("the emitted rules load").isNotEmpty();
        assertThat(Files.readString(access)).contains("Connect:198.18.10\tERROR:4.7.1:451 Relaying Denied");
        assertThat(Files.readString(cidr)).contains("198.19.200.0/24\t451 4.7.1 Relaying Denied");
    }

    @Test
    void jsonCsvAndHtmlReports() throws IOException {
        generate();
        String json = run(backup.toString(), "--year", "2026", "--format", "json");
        assertThat(json).startsWith("{\"lines\":").contains("\"target\":\"198.19.200.0/24\"")
                .contains("\"verdict\":\"offender\"").contains("\"loggedBy\":[\"mx2\"]").endsWith("]}\n");
        String csv = run(backup.toString(), "--year", "2026", "--format", "csv");
        assertThat(csv.lines().findFirst()).hasValue("row,target,name,score,verdict,clients,null_transactions,"
                + "transactions,rejects,first,last,evidence");
        assertThat(csv).contains("proposal-network,198.18.11.0/24,");
        Path html = dir.resolve("report.html");
        run(backup.toString(), "--year", "2026", "--format", "html", "-o", html.toString());
        String page = Files.readString(html);
        assertThat(page).startsWith("<!DOCTYPE html>").contains("<svg").contains("198.18.10.0/24")
                .doesNotContain("<script").doesNotContain("http://").doesNotContain("https://");
    }

    @Test
    void badFormatAndMissingFileAreClearErrors() {
        AnalyzeCommand command = new AnalyzeCommand();
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(command).execute(dir.resolve("none.log").toString())).isEqualTo(2);
            assertThat(new CommandLine(new AnalyzeCommand()).execute("--format", "xml", "x")).isEqualTo(2);
            // --primary-log takes the files after it: the backup log is not lost silently.
            assertThat(new CommandLine(new AnalyzeCommand()).execute("--primary-log", "p.log", "b.log")).isEqualTo(2);
            assertThat(new CommandLine(new AnalyzeCommand()).execute()).isEqualTo(2);
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("none.log: no such file")
                .contains("--format must be table, json, csv or html")
                .contains("no backup MX log given; --primary-log took every file after it (p.log b.log): give the "
                        + "backup logs first, or end the primary's with --")
                .containsPattern("no backup MX log given\\R");
    }
}
