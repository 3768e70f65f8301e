package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;
import org.mxguard.peer.Peer;

/**
 * The admin listener of a running server, over real sockets: Prometheus's promtool accepts its
 * {@code /metrics}, the numbers follow the SMTP traffic and deliveries, the token guards every
 * change, and the API, {@code mxguard policy stats} and the metrics agree on rule hits.
 */
class AdminApiIT {

    private static final String TOKEN = "s3cret-admin-token-for-tests";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private Server server;
    private Path config;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(String adminSection) throws Exception {
        start(adminSection, null);
    }

    private void start(String adminSection, org.mxguard.evidence.PrimaryHealth health) throws Exception {
        Path rules = dir.resolve("access.rules");
        Files.writeString(rules, """
                reject from spam@client.test
                tempfail from <> client 127.0.0.0/8
                """);
        config = ServeConfig.in(dir).rules(rules).route("protected.test", closedPort()).yaml(adminSection).write();
        server = new Server(ConfigLoader.loadForServing(config), Clock.systemUTC());
        if (health != null) {
            server.primaryHealth(health);
        }
        server.start();
    }

    @Test
    void metricsFollowTheTrafficAndPromtoolAcceptsThem() throws Exception {
        start("admin:\n  listen: 127.0.0.1:0\n");
        assertThat(rcpt("spam@client.test")).startsWith("550");
        assertThat(rcpt("")).startsWith("451");
        String id = send();
        awaitTrue(() -> get("/metrics", null).body().contains("mxguard_deliveries_total{result=\"deferred\"} 1.0"),
                "the delivery to the closed primary port was deferred");

        HttpResponse<String> metrics = get("/metrics", null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        assertThat(metrics.body())
                .contains("mxguard_smtp_connections_total{outcome=\"accepted\"} 3.0")
                .contains("mxguard_smtp_replies_total{class=\"5xx\",command=\"RCPT\"} 1.0")
                .contains("mxguard_smtp_replies_total{class=\"4xx\",command=\"RCPT\"} 1.0")
                .contains("mxguard_smtp_replies_total{class=\"2xx\",command=\"DATA\"} 1.0")
                .contains("mxguard_null_sender_tempfails_total 1.0")
                .contains("mxguard_messages_accepted_total 1.0")
                .contains("mxguard_queue_messages 1.0")
                .contains("mxguard_queue_oldest_message_age_seconds")
                .contains("mxguard_rule_hits_total{rule=\"" + dir.resolve("access.rules") + ":1\"} 1.0")
                .contains("mxguard_rule_hits_total{rule=\"" + dir.resolve("access.rules") + ":2\"} 1.0")
                .contains("jvm_memory_used_bytes")
                .doesNotContain("127.0.0.1");
        assertThat(promtool(metrics.body())).isEmpty();

        Map<String, Object> counters = JSON.std.mapFrom(get("/api/counters", null).body());
        assertThat(counters).containsEntry("accepted", 1).containsEntry("deferred", 1)
                .containsEntry("null_sender_tempfails", 1).containsEntry("rejected", 1);
        List<Object> queue = JSON.std.listFrom(get("/api/queue", null).body());
        assertThat(queue).singleElement().satisfies(entry -> assertThat(map(entry)).containsEntry("id", id));
    }

    @Test
    void mxSkipDecisionsBlocksAndPrimaryHealthAreMetrics() throws Exception {
        AtomicBoolean primaryUp = new AtomicBoolean(true);
        start("""
                mx-skip:
                  mode: enforce
                admin:
                  listen: 127.0.0.1:0
                  token: %s
                """.formatted(TOKEN), domain -> primaryUp.get());
        assertThat(rcpt("bob@client.test")).startsWith("451 4.7.1");
        assertThat(control("block", "add", "198.51.100.0/24", "1d", "campaign").code()).isZero();
        String metrics = get("/metrics", null).body();
        assertThat(metrics)
                .contains("mxguard_mx_skip_decisions_total{outcome=\"refused\"} 1.0")
                .contains("mxguard_mx_skip_decisions_total{outcome=\"seen_at_primary\"} 0.0")
                .contains("mxguard_mx_skip_blocks{origin=\"manual\"} 1.0")
                .contains("mxguard_mx_skip_blocks{origin=\"automatic\"} 0.0")
                .contains("mxguard_evidence_store_healthy 1.0")
                .contains("mxguard_evidence_store_dropped_changes_total 0.0")
                .contains("mxguard_evidence_store_degraded 0.0")
                .contains("mxguard_primary_up{domain=\"protected.test\"} 1.0");
        assertThat(promtool(metrics)).isEmpty();
        assertThat(JSON.std.mapFrom(get("/api/counters", null).body())).containsEntry("mx_skip_refused", 1);

        assertThat(JSON.std.listFrom(get("/api/blocks", null).body())).singleElement()
                .satisfies(b -> assertThat(map(b)).containsEntry("target", "198.51.100.0/24")
                        .containsEntry("origin", "manual"));
        assertThat(post("/api/blocks?target=.pool.isp.example&expires=2h&reason=EMS+campaign", null).statusCode())
                .isEqualTo(401);
        HttpResponse<String> added = post("/api/blocks?target=.pool.isp.example&expires=2h&reason=EMS+campaign",
                "Bearer " + TOKEN);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        assertThat(control("block", "list").out()).as("the control socket sees the API's block")
                .contains(".pool.isp.example");
        assertThat(get("/api/blocks/explain?target=198.51.100.7", null).body()).contains("198.51.100.0/24");
        HttpResponse<String> removed = http.send(request("/api/blocks?target=198.51.100.0/24", "Bearer " + TOKEN)
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        assertThat(get("/metrics", null).body()).contains("mxguard_mx_skip_blocks{origin=\"manual\"} 1.0");
        assertThat(control("block", "list").out()).doesNotContain("198.51.100.0/24");
        assertThat(JSON.std.listFrom(get("/api/primaries", null).body())).singleElement()
                .satisfies(p -> assertThat(map(p)).containsEntry("domain", "protected.test").containsEntry("up", true));

        primaryUp.set(false);
        assertThat(get("/metrics", null).body()).contains("mxguard_primary_up{domain=\"protected.test\"} 0.0");
        assertThat(get("/api/primaries", null).body()).contains("\"up\":false");
        assertThat(rcpt("carol@client.test")).as("primary down: the backup takes the mail").startsWith("250");
        assertThat(get("/metrics", null).body()).contains("mxguard_mx_skip_decisions_total{outcome=\"primary_down\"} 1.0");
    }

    @Test
    void changesNeedTheTokenAndReadingOnLoopbackDoesNot() throws Exception {
        start("admin:\n  listen: 127.0.0.1:0\n  token: " + TOKEN + "\n");
        String id = send();

        assertThat(get("/api/queue/" + id, null).statusCode()).as("reading on loopback").isEqualTo(200);
        HttpResponse<String> missing = post("/api/queue/" + id + "/hold", null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"mxguard\"");
        assertThat(post("/api/queue/" + id + "/hold", "Bearer wrong-token-of-some-length").statusCode())
                .isEqualTo(403);
        assertThat(post("/api/queue/" + id + "/hold", "Basic " + TOKEN).statusCode()).isEqualTo(403);
        assertThat(held(id)).as("refused requests changed nothing").isFalse();

        HttpResponse<String> right = post("/api/queue/" + id + "/hold", "Bearer " + TOKEN);
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(right.body()).contains("held");
        assertThat(held(id)).isTrue();
        assertThat(control("queue", "list").out()).as("the control socket sees the same queue").contains(id + "!");

        assertThat(post("/api/queue/" + id + "/release", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(held(id)).isFalse();
        HttpResponse<String> delete = http.send(request("/api/queue/" + id, "Bearer " + TOKEN)
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(delete.statusCode()).isEqualTo(200);
        assertThat(get("/api/queue/" + id, null).statusCode()).isEqualTo(404);
        assertThat(control("queue", "list").out()).contains("Mail queue is empty");
        assertThat(get("/api/queue/not-an-id", null).statusCode()).isEqualTo(400);
        assertThat(Files.readString(dir.resolve("mail.log"))).doesNotContain(TOKEN);
    }

    @Test
    void aListenerOthersCanReachNeedsTheTokenEvenToRead() throws Exception {
        Path tokenFile = dir.resolve("admin.token");
        Files.writeString(tokenFile, TOKEN + "\n");
        start("admin:\n  listen: \"*:0\"\n  token-file: " + tokenFile + "\n");
        assertThat(get("/api/status", null).statusCode()).isEqualTo(401);
        assertThat(get("/metrics", null).statusCode()).isEqualTo(401);
        HttpResponse<String> status = get("/api/status", "Bearer " + TOKEN);
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(JSON.std.mapFrom(status.body())).containsEntry("protected_domains", List.of("protected.test"));
    }

    @Test
    void ruleHitsAgreeBetweenPolicyStatsTheApiAndTheMetrics() throws Exception {
        start("admin:\n  listen: 127.0.0.1:0\n");
        for (int i = 0; i < 3; i++) {
            assertThat(rcpt("spam@client.test")).startsWith("550");
        }
        String rule1 = dir.resolve("access.rules") + ":1";
        String rule2 = dir.resolve("access.rules") + ":2";
        Run stats = control("policy", "stats");
        assertThat(stats.code()).isZero();
        List<String> lines = stats.out().lines().toList();
        assertThat(lines.get(1)).as("most hits first").matches("\\s+3\\s+\\d{4}-\\d\\d-\\d\\dT\\S+\\s+" + rule1);
        assertThat(lines.get(2)).matches("\\s+0\\s+-\\s+" + rule2);

        List<Object> rules = JSON.std.listFrom(get("/api/rules", null).body());
        assertThat(rules).hasSize(2);
        assertThat(map(rules.get(0))).containsEntry("rule", rule1).containsEntry("hits", 3);
        assertThat(map(rules.get(1))).containsEntry("rule", rule2).containsEntry("hits", 0)
                .containsEntry("last_hit", null);
        assertThat(get("/metrics", null).body()).contains("mxguard_rule_hits_total{rule=\"" + rule1 + "\"} 3.0");
    }

    @Test
    void historyAndSourcesCountWhatTheCountersCount() throws Exception {
        start("admin:\n  listen: 127.0.0.1:0\n");
        assertThat(rcpt("spam@client.test")).startsWith("550");
        assertThat(rcpt("")).startsWith("451");
        assertThat(rcpt("")).startsWith("451");
        send();

        Map<String, Object> counters = JSON.std.mapFrom(get("/api/counters", null).body());
        Map<String, Object> history = JSON.std.mapFrom(get("/api/history", null).body());
        assertThat(history).containsEntry("interval_seconds", 60);
        assertThat(java.time.Instant.parse((String) history.get("start")).getEpochSecond() % 60).isZero();
        assertThat(sum(history, "accepted")).isEqualTo(((Number) counters.get("accepted")).longValue()).isEqualTo(1);
        assertThat(sum(history, "tempfailed")).isEqualTo(((Number) counters.get("tempfailed")).longValue())
                .isEqualTo(2);
        List<?> queue = (List<?>) history.get("queue");
        assertThat(queue).hasSameSizeAs((List<?>) history.get("accepted")).last().isEqualTo(1);

        Map<String, Object> sources = JSON.std.mapFrom(get("/api/sources?limit=1", null).body());
        assertThat((List<?>) sources.get("networks")).singleElement().satisfies(n -> assertThat(map(n))
                .containsEntry("source", "127.0.0.0/24").containsEntry("caught", 3).containsEntry("tempfailed", 2)
                .containsEntry("rejected", 1).containsEntry("error", 0));
        // clients without a confirmed name (lookups are off here) have no subdomain
        assertThat((List<?>) sources.get("subdomains")).isEmpty();

        HttpResponse<String> bad = get("/api/sources?limit=lots", null);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("limit must be a number from 1 to 256");
        assertThat(get("/api/sources?limit=257", null).statusCode()).isEqualTo(400);
    }

    private static long sum(Map<String, Object> history, String series) {
        return ((List<?>) history.get(series)).stream().mapToLong(v -> ((Number) v).longValue()).sum();
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> map(Object json) {
        return (Map<Object, Object>) json;
    }

    private boolean held(String id) throws Exception {
        return (Boolean) JSON.std.mapFrom(get("/api/queue/" + id, null).body()).get("held");
    }

    private HttpRequest.Builder request(String path, String authorization) {
        InetSocketAddress admin = server.adminAddress();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    private HttpResponse<String> get(String path, String authorization) {
        try {
            return http.send(request(path, authorization).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> post(String path, String authorization) throws Exception {
        return http.send(request(path, authorization).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** promtool's complaints about the exposition; empty when it passes. */
    private static String promtool(String exposition) throws Exception {
        Process p = new ProcessBuilder(Peer.require("promtool"), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() == 0 ? out.strip() : "exit " + p.exitValue() + ": " + out;
    }

    private record Run(int code, String out, String err) {
    }

    private Run control(String... words) {
        List<String> all = new ArrayList<>(List.of(words));
        all.addAll(List.of("-c", config.toString()));
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(all.toArray(new String[0]));
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
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

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(what + ": not within " + DEADLINE);
            }
            Thread.sleep(20);
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
