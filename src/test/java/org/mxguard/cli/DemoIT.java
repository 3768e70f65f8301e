package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code mxguard demo} run for a short time: it prints a dashboard address that answers, the
 * campaign is tempfailed and never reaches the primary, and the legitimate senders' mail does,
 * directly or relayed by the backup after the MX-skip rule let them through.
 */
class DemoIT {

    private static final Pattern DASHBOARD = Pattern.compile("dashboard +(http://127\\.0\\.0\\.1:\\d+/)");
    private static final Pattern CAMPAIGN = Pattern.compile(
            "campaign +(\\d+) messages offered to the backup: (\\d+) tempfailed, (\\d+) accepted, (\\d+) reached the primary");
    private static final Pattern LEGITIMATE = Pattern.compile("legitimate +(\\d+) messages: (\\d+) reached the primary "
            + "\\((\\d+) directly, (\\d+) relayed by the backup\\), (\\d+) waiting for a retry, (\\d+) cut off");

    @TempDir
    Path dir;

    @Test
    void theCampaignIsTempfailedWhileLegitimateMailReachesThePrimary() throws Exception {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text, true);
        CommandLine demo = new CommandLine(new DemoCommand()).setOut(out).setErr(out);
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> demo.execute("--duration", "14s",
                "--retry-interval", "4s", "--report-every", "3s", "--admin-port", "0", "--dir", dir.toString()));

        // While it runs, the address it printed serves the dashboard and the API.
        String dashboard = awaitMatch(text, DASHBOARD).group(1);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(dashboard)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>mxguard</title>");
        assertThat(http.send(HttpRequest.newBuilder(URI.create(dashboard + "api/status")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("demo.example");

        assertThat(run.get(90, TimeUnit.SECONDS)).as(text.toString()).isZero();
        String printed = text.toString();
        assertThat(printed).contains("[   3s] campaign ");

        Matcher campaign = CAMPAIGN.matcher(printed);
        assertThat(campaign.find()).as(printed).isTrue();
        long offered = Long.parseLong(campaign.group(1));
        assertThat(offered).as("about three a second for 14 s").isGreaterThan(20);
        assertThat(Long.parseLong(campaign.group(2))).isEqualTo(offered);
        assertThat(campaign.group(3)).isEqualTo("0");
        assertThat(campaign.group(4)).isEqualTo("0");

        Matcher legit = LEGITIMATE.matcher(printed);
        assertThat(legit.find()).as(printed).isTrue();
        long sent = Long.parseLong(legit.group(1));
        long reached = Long.parseLong(legit.group(2));
        assertThat(reached + Long.parseLong(legit.group(5)) + Long.parseLong(legit.group(6))).isEqualTo(sent);
        assertThat(Long.parseLong(legit.group(6))).as("at most the tries under way when it stopped").isLessThanOrEqualTo(3);
        assertThat(Long.parseLong(legit.group(3))).as("partners straight to the primary").isPositive();
        assertThat(Long.parseLong(legit.group(4))).as("shops and the stale route through the backup").isPositive();

        // What the two logs say agrees with what was printed.
        List<String> backupLog = Files.readAllLines(dir.resolve("mail.log"));
        assertThat(backupLog.stream().filter(l -> l.contains("NOQUEUE: reject: RCPT from dialup-")
                && l.contains(": 451 4.7.1 "))).hasSize((int) offered);
        assertThat(backupLog).noneMatch(l -> l.contains("client=dialup-"));
        // the spamware never retries: no client offers the same recipient twice (a retry would earn credit)
        List<String> campaignPairs = backupLog.stream().filter(l -> l.contains("NOQUEUE: reject: RCPT from dialup-"))
                .map(l -> l.substring(l.indexOf("RCPT from "), l.indexOf(':', l.indexOf("RCPT from ")))
                        + l.substring(l.indexOf(" to=<"), l.indexOf('>', l.indexOf(" to=<"))))
                .toList();
        assertThat(campaignPairs).doesNotHaveDuplicates();
        // each refusal names what refused: the MX-skip rule, then the automatic block of the pools
        assertThat(backupLog.stream().filter(l -> l.contains("NOQUEUE: rule: RCPT from dialup-"))).hasSize((int) offered)
                .allMatch(l -> l.contains("]: mx-skip; from=<>") || l.contains("]: block 127.66."));
        assertThat(backupLog).anyMatch(l -> l.contains("]: block 127.66."));
        assertThat(backupLog).anyMatch(l -> l.matches(".* mx-skip: RCPT from mx\\d\\.stale-route\\.example\\[127\\.20\\.2\\.\\d\\]: "
                + "pass: retry credit earned.*"));
        String primaryLog = Files.readString(dir.resolve("primary.log"));
        assertThat(primaryLog).contains("postfix/smtpd[").contains("client=mta1.partner.example[127.20.0.1]")
                .contains("client=unknown[127.0.0.1]").doesNotContain("message-id=<ems-");
        assertThat(primaryLog.lines().filter(l -> l.contains("message-id=<legit-"))).hasSize((int) reached);
    }

    @Test
    void withoutADirectoryItLeavesNothingBehind() {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text, true);
        int code = new CommandLine(new DemoCommand()).setOut(out).setErr(out).execute("--duration", "2s",
                "--admin-port", "0");
        assertThat(code).as(text.toString()).isZero();
        Matcher files = Pattern.compile("files +(\\S+) +\\(mxguard.yaml, mail.log, primary.log\\) removed at the end")
                .matcher(text.toString());
        assertThat(files.find()).as(text.toString()).isTrue();
        assertThat(Path.of(files.group(1))).doesNotExist();
        assertThat(text.toString()).contains("demo over after ");
    }

    private static Matcher awaitMatch(StringWriter text, Pattern pattern) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(text.toString());
            if (m.find()) {
                return m;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("never printed " + pattern + ":\n" + text);
    }
}
