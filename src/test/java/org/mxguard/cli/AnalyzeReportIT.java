package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.peer.Peer;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import picocli.CommandLine;

/**
 * The HTML report of a one-hour, a one-day and a one-year Postfix log, opened in Debian's
 * chromium, headless: each chart has the bucket that fits the span (ten minutes, hour, week), one
 * bar per bucket, and the null-sender share shows for every bucket with mail. A screenshot of
 * each is left in {@code target/} (the ones in docs/ come from there).
 */
class AnalyzeReportIT {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);

    @TempDir
    Path dir;

    private WebDriver browser;

    @BeforeEach
    void startBrowser() {
        // Debian's own browser and driver, named explicitly (as DashboardIT does): Selenium must not download either.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(Peer.require("chromedriver"))).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions().setBinary(Peer.require("chromium"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("chromium"));
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1000, 1000));
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aOneHourLogIsChartedByTenMinutes() throws IOException {
        Path report = report("hour", "2026-11-03T09:00:00Z", Duration.ofHours(1), Duration.ofSeconds(30));
        assertCharts(report, "10 minutes", 6, "2026-11-03 09:00", "2026-11-03 09:50");
    }

    @Test
    void aOneDayLogIsChartedByHour() throws IOException {
        Path report = report("day", "2026-11-03T00:00:00Z", Duration.ofDays(1), Duration.ofMinutes(5));
        assertCharts(report, "hour", 24, "2026-11-03 00:00", "2026-11-03 23:00");
    }

    @Test
    void aOneYearLogIsChartedByWeek() throws IOException {
        Path report = report("year", "2026-01-01T00:00:00Z", Duration.ofDays(365), Duration.ofHours(6));
        // 2026-01-01 is a Thursday: weeks start on Monday.
        assertCharts(report, "week", 53, "week of 2025-12-29", "week of 2026-12-28");
    }

    private void assertCharts(Path report, String unit, int buckets, String first, String last) throws IOException {
        String page = Files.readString(report);
        assertThat(page).contains("<h2>Messages per " + unit + "</h2>").contains("<h2>Null-sender share per " + unit
                + "</h2>").doesNotContain("<script");
        browser.get(report.toUri().toString());
        List<WebElement> bars = browser.findElements(By.cssSelector("svg[aria-label='messages'] rect title"));
        assertThat(bars).as("one bar per " + unit).hasSize(buckets);
        assertThat(bars.getFirst().getAttribute("textContent")).startsWith(first + ": ");
        assertThat(bars.getLast().getAttribute("textContent")).startsWith(last + ": ");
        List<WebElement> shares = browser.findElements(By.cssSelector("svg[aria-label='null-sender share'] rect"));
        assertThat(shares).as("a share bar for every " + unit + " with mail").hasSize(buckets);
        assertThat(shares).allSatisfy(bar -> assertThat(bar.getSize().getHeight()).isPositive());
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, Path.of("target", "analyze-report-" + report.getFileName().toString()
                .replace(".html", ".png")), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes a Postfix log from {@code start} over {@code span}, one step every {@code step}, and its HTML report. */
    private Path report(String name, String start, Duration span, Duration step) throws IOException {
        Path log = dir.resolve(name + ".log");
        ZonedDateTime t0 = Instant.parse(start).atZone(ZoneOffset.UTC);
        long steps = span.dividedBy(step);
        int queue = 0x10000;
        try (Writer w = Files.newBufferedWriter(log, StandardCharsets.ISO_8859_1)) {
            for (long i = 0; i < steps; i++) {
                ZonedDateTime t = t0.plus(step.multipliedBy(i));
                String stamp = STAMP.format(t) + " mx2 ";
                // The volume and the null-sender share move over the span, in eight phases.
                int phase = (int) (i * 8 / steps);
                int messages = 2 + (phase * 3 + (int) (i % 2)) % 5;
                for (int m = 0; m < messages; m++) {
                    boolean dialup = m == 0 && i % (1 + phase % 3) == 0;
                    String client = dialup ? "dsl-198-51-100-" + (i % 200 + 1) + ".dyn.isp.example[198.51.100."
                            + (i % 200 + 1) + "]" : "mail.sender" + m + ".example[192.0.2." + (m + 10) + "]";
                    String id = String.format(Locale.ROOT, "%010X", queue++);
                    w.write(stamp + "postfix/smtpd[100]: connect from " + client + "\n");
                    w.write(stamp + "postfix/smtpd[100]: " + id + ": client=" + client + "\n");
                    w.write(stamp + "postfix/qmgr[200]: " + id + ": from=<" + (dialup ? "" : "news@sender.example")
                            + ">, size=1200, nrcpt=1 (queue active)\n");
                    w.write(stamp + "postfix/smtp[300]: " + id + ": to=<user@protected.example>, relay=mx1.protected"
                            + ".example[203.0.113.10]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n");
                    w.write(stamp + "postfix/qmgr[200]: " + id + ": removed\n");
                    w.write(stamp + "postfix/smtpd[100]: disconnect from " + client + "\n");
                }
            }
        }
        Path html = dir.resolve(name + ".html");
        AnalyzeCommand command = new AnalyzeCommand();
        command.clock = Clock.fixed(Instant.parse("2027-01-02T12:00:00Z"), ZoneOffset.UTC);
        PrintStream saved = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(command).execute("--year", "2026", "--zone", "UTC", "--format", "html",
                    "--no-progress", "-o", html.toString(), log.toString())).isZero();
        } finally {
            System.setOut(saved);
        }
        assertThat(Pattern.compile("<rect").matcher(Files.readString(html)).results().count()).isPositive();
        return html;
    }
}
