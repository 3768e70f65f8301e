package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;
import org.mxguard.peer.Peer;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in Debian's chromium, headless, driven by Selenium against a running server fed
 * with SMTP traffic: the page shows the API's numbers, refuses an action without the token and
 * performs it with the token.
 */
class DashboardIT {

    private static final String TOKEN = "dashboard-test-token-0123456789";

    @TempDir
    Path dir;

    private Server server;
    private Path config;
    private WebDriver browser;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        Path rules = dir.resolve("access.rules");
        Files.writeString(rules, "reject from spam@client.test\ntempfail from <> client 127.0.0.0/8\n");
        config = ServeConfig.in(dir).rules(rules).route("protected.test", closedPort()).admin()
                .set("admin.token", TOKEN).write();
        server = new Server(ConfigLoader.loadForServing(config), Clock.systemUTC());
        server.start();

        // Debian's own browser and driver, named explicitly: Selenium must not download either.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(Peer.require("chromedriver"))).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions().setBinary(Peer.require("chromium"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("chromium"));
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1200, 900));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void showsTheApisNumbersAndTheQueueActionsNeedTheToken() throws Exception {
        String id = send();
        send();
        assertThat(rcpt("spam@client.test")).startsWith("550");
        assertThat(rcpt("")).startsWith("451");
        String base = "http://127.0.0.1:" + server.adminAddress().getPort();
        // The page redraws its tables at every poll: an element found a moment ago may be gone, so
        // every look and every click is retried until it holds.
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class);

        browser.get(base + "/");
        wait.until(d -> d.findElements(By.cssSelector("#queue tr[data-id='" + id + "']")).stream()
                .anyMatch(row -> row.getText().contains("alice@client.test")
                        && row.getText().contains("user@protected.test")));
        Map<String, Object> counters = JSON.std.mapFrom(api(base + "/api/counters"));
        wait.until(d -> tile(d, "accepted").equals(String.valueOf(counters.get("accepted"))));
        assertThat(counters).containsEntry("accepted", 2).containsEntry("rejected", 1);
        wait.until(d -> tile(d, "rejected").equals(String.valueOf(counters.get("rejected"))));
        wait.until(d -> d.findElement(By.cssSelector("#rules tbody")).getText()
                .contains(dir.resolve("access.rules") + ":1"));

        // The traffic came before the page was opened: the charts show it from the server's history.
        Map<String, Object> history = JSON.std.mapFrom(api(base + "/api/history"));
        assertThat(sum(history, "accepted")).isEqualTo(2);
        assertThat(sum(history, "tempfailed")).isEqualTo(1);
        wait.until(d -> chartTotal(d, "accepted").equals("2") && chartTotal(d, "tempfailed").equals("1")
                && chartTotal(d, "relayed").equals("0"));
        // Queued and never relayed (the primary's port is closed): the queue chart ends at the queue's size.
        wait.until(d -> chartTotal(d, "queue").equals("2"));

        // Both refusals by a rule came from 127.0.0.1: one network, one tempfail and one reject.
        Map<String, Object> sources = JSON.std.mapFrom(api(base + "/api/sources"));
        assertThat((List<?>) sources.get("networks")).singleElement().isEqualTo(Map.of("source", "127.0.0.0/24",
                "caught", 2, "tempfailed", 1, "rejected", 1, "error", 0,
                "last", ((Map<?, ?>) ((List<?>) sources.get("networks")).getFirst()).get("last")));
        wait.until(d -> d.findElements(By.cssSelector("#networks tr[data-source='127.0.0.0/24'] td")).stream()
                .map(WebElement::getText).toList().subList(0, 4).equals(List.of("127.0.0.0/24", "2", "1", "1")));

        click(wait, "#queue tr[data-id='" + id + "'] button[data-action='hold']");
        wait.until(d -> d.findElement(By.id("message")).getText().contains("refused: 401"));
        assertThat(held(base, id)).as("no token, no change").isFalse();

        browser.findElement(By.id("token")).sendKeys(TOKEN);
        click(wait, "#queue tr[data-id='" + id + "'] button[data-action='hold']");
        wait.until(d -> d.findElement(By.cssSelector("#queue tr[data-id='" + id + "']")).getText().contains("(held)"));
        assertThat(held(base, id)).isTrue();

        assertThat(control(config, "block", "add", "198.51.100.0/24", "1d", "campaign")).isZero();
        wait.until(d -> d.findElements(By.cssSelector("#blocks tr[data-target='198.51.100.0/24']")).stream()
                .anyMatch(row -> row.getText().contains("manual") && row.getText().contains("campaign")));
        // The route points at a closed port: the health probe finds the primary down, and the page says so.
        wait.until(d -> d.findElements(By.cssSelector("#primaries li[data-domain='protected.test']")).stream()
                .anyMatch(li -> li.getText().equals("protected.test: DOWN")));
        assertThat(api(base + "/api/primaries")).contains("\"up\":false");
        click(wait, "#blocks tr[data-target='198.51.100.0/24'] button[data-action='remove']");
        wait.until(d -> d.findElements(By.cssSelector("#blocks tr[data-target='198.51.100.0/24']")).isEmpty());
        assertThat(api(base + "/api/blocks")).doesNotContain("198.51.100.0/24");

        // A source caught is blocked from its row, with the token.
        click(wait, "#networks tr[data-source='127.0.0.0/24'] button[data-action='block']");
        wait.until(d -> d.findElements(By.cssSelector("#blocks tr[data-target='127.0.0.0/24']")).stream()
                .anyMatch(row -> row.getText().contains("from the dashboard")));
        assertThat(api(base + "/api/blocks")).contains("\"target\":\"127.0.0.0/24\"");

        Path shot = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, Path.of("target", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static int control(Path config, String... words) {
        List<String> all = new ArrayList<>(List.of(words));
        all.addAll(List.of("-c", config.toString()));
        return Main.run(all.toArray(new String[0]));
    }

    private static void click(WebDriverWait wait, String selector) {
        wait.until(d -> {
            d.findElement(By.cssSelector(selector)).click();
            return true;
        });
    }

    private static String chartTotal(WebDriver d, String name) {
        String total = d.findElement(By.id("chart-" + name)).getDomAttribute("data-total");
        return total == null ? "" : total;
    }

    private static long sum(Map<String, Object> history, String series) {
        return ((List<?>) history.get(series)).stream().mapToLong(v -> ((Number) v).longValue()).sum();
    }

    private static String tile(WebDriver d, String name) {
        List<WebElement> tiles = d.findElements(By.cssSelector(".tile[data-counter='" + name + "'] .value"));
        return tiles.isEmpty() ? "" : tiles.getFirst().getText();
    }

    private boolean held(String base, String id) throws Exception {
        return (Boolean) JSON.std.mapFrom(api(base + "/api/queue/" + id)).get("held");
    }

    private String api(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private String rcpt(String sender) throws IOException {
        return converse("EHLO client.test", "MAIL FROM:<" + sender + ">", "RCPT TO:<user@protected.test>", "QUIT")
                .get(2);
    }

    private String send() throws IOException {
        List<String> replies = converse("EHLO client.test", "MAIL FROM:<alice@client.test>",
                "RCPT TO:<user@protected.test>", "DATA", "Subject: test\r\n\r\nhello\r\n.", "QUIT");
        assertThat(replies.get(4)).startsWith("250 2.0.0 Ok: queued as ");
        return replies.get(4).substring("250 2.0.0 Ok: queued as ".length());
    }

    private List<String> converse(String... lines) throws IOException {
        return SmtpConversation.converse(server.smtpPort(), lines);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
